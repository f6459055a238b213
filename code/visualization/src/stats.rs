//! The plots a Seaborn user reaches for, on the penguins: a histogram with a density line (`histplot(kde=True)`),
//! a box plot (`boxplot`), a violin plot (`violinplot`), a scatter plot coloured by species
//! (`scatterplot(hue=...)`), a pair plot (`pairplot`) and a correlation heatmap (`heatmap(df.corr(), annot=True)`).

use crate::FigureError;
use crate::heatmaps::{Heatmap, heatmap_svg};
use course_utils::theme::{self, BACKGROUND, INK, MUTED};
use ndarray::Array2;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{SegmentValue, SegmentedCoord};
use plotters::coord::types::{RangedCoordf64, RangedCoordusize};
use plotters::prelude::*;
use polars::prelude::*;

// ANCHOR: groups
/// The non-null values of a numeric column, split by the values of a string column (sorted by group name).
/// Rows where either is null are left out, as Seaborn does.
pub fn groups(df: &DataFrame, value: &str, by: &str) -> Result<Vec<(String, Vec<f64>)>, FigureError> {
    let values = df.column(value)?.cast(&DataType::Float64)?;
    let keys = df.column(by)?.str()?.clone();
    let mut out: Vec<(String, Vec<f64>)> = Vec::new();
    for (key, v) in keys.iter().zip(values.f64()?.iter()) {
        if let (Some(key), Some(v)) = (key, v) {
            match out.iter_mut().find(|(k, _)| k == key) {
                Some((_, vs)) => vs.push(v),
                None => out.push((key.to_owned(), vec![v])),
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}
// ANCHOR_END: groups

// ANCHOR: kde
/// Gaussian kernel density estimate of `values` at each point of `grid`, with Scott's bandwidth
/// (`σ·n^(-1/5)`, the default of SciPy's `gaussian_kde` and so of Seaborn's `kdeplot`).
pub fn gaussian_kde(values: &[f64], grid: &[f64]) -> Result<Vec<f64>, FigureError> {
    let n = values.len() as f64;
    let h = scott_bandwidth(values)?;
    let norm = 1.0 / (n * h * (2.0 * std::f64::consts::PI).sqrt());
    Ok(grid.iter().map(|&x| norm * values.iter().map(|&v| (-0.5 * ((x - v) / h).powi(2)).exp()).sum::<f64>()).collect())
}
// ANCHOR_END: kde

/// Scott's rule, `σ·n^(-1/5)` with the sample standard deviation: the kernel width of [`gaussian_kde`].
pub fn scott_bandwidth(values: &[f64]) -> Result<f64, FigureError> {
    let n = values.len() as f64;
    if values.len() < 2 || values.iter().any(|v| !v.is_finite()) {
        return Err(FigureError::Data { what: "gaussian_kde".into(), why: "needs at least two finite values" });
    }
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    if sd == 0.0 {
        return Err(FigureError::Data { what: "gaussian_kde".into(), why: "all values are equal: no spread to estimate" });
    }
    Ok(sd * n.powf(-0.2))
}

// ANCHOR: violin_outline
/// One violin's half outline: (value, density) at `points` values from two bandwidths below the smallest value to
/// two above the largest (Seaborn's default `cut=2`).
pub fn violin_outline(values: &[f64], points: usize) -> Result<Vec<(f64, f64)>, FigureError> {
    let h = scott_bandwidth(values)?;
    let (lo, hi) = values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, u), &v| (l.min(v), u.max(v)));
    let (from, to) = (lo - 2.0 * h, hi + 2.0 * h);
    let grid: Vec<f64> = (0..points.max(2)).map(|i| from + (to - from) * i as f64 / (points.max(2) - 1) as f64).collect();
    let density = gaussian_kde(values, &grid)?;
    Ok(grid.into_iter().zip(density).collect())
}
// ANCHOR_END: violin_outline

/// The q-quantile of sorted values, interpolating linearly (NumPy's default).
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// What a box plot draws for one group.
#[derive(Debug, Clone, PartialEq)]
pub struct BoxStats {
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    /// the most extreme values within 1.5 IQR of the box (Matplotlib's whiskers)
    pub whisker_low: f64,
    pub whisker_high: f64,
    pub outliers: Vec<f64>,
}

// ANCHOR: box_stats
/// Quartiles, whiskers and outliers as Matplotlib and Seaborn draw them. (plotters' own `Boxplot` puts the
/// whiskers at Q1 - 1.5 IQR and Q3 + 1.5 IQR themselves, which can reach past the data.)
pub fn box_stats(values: &[f64]) -> Result<BoxStats, FigureError> {
    if values.is_empty() || values.iter().any(|v| !v.is_finite()) {
        return Err(FigureError::Data { what: "box_stats".into(), why: "needs at least one value, all finite" });
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (q1, median, q3) = (quantile_sorted(&sorted, 0.25), quantile_sorted(&sorted, 0.5), quantile_sorted(&sorted, 0.75));
    let (low_fence, high_fence) = (q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1));
    let inside = || sorted.iter().copied().filter(|v| (low_fence..=high_fence).contains(v));
    Ok(BoxStats {
        q1,
        median,
        q3,
        whisker_low: inside().next().unwrap_or(q1),
        whisker_high: inside().last().unwrap_or(q3),
        outliers: sorted.iter().copied().filter(|v| !(low_fence..=high_fence).contains(v)).collect(),
    })
}
// ANCHOR_END: box_stats

fn svg_of(size: (u32, u32), draw: impl FnOnce(&DrawingArea<SVGBackend, plotters::coord::Shift>) -> Result<(), FigureError>) -> Result<String, FigureError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&BACKGROUND)?;
        draw(&root)?;
        root.present()?;
    }
    Ok(svg)
}

fn span(groups: &[(String, Vec<f64>)]) -> (f64, f64) {
    groups.iter().flat_map(|(_, v)| v).fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)))
}

// ANCHOR: histogram
/// `sns.histplot(df, x=column, hue="species", stat="density", common_norm=False, kde=True)`: one density
/// histogram per species, each of area 1 (Seaborn's default `common_norm=True` makes all species together area
/// 1), translucent so overlaps show, and its kernel density line.
pub fn histogram_svg(df: &DataFrame, column: &str, bins: usize) -> Result<String, FigureError> {
    let groups = groups(df, column, "species")?;
    let (lo, hi) = span(&groups);
    let width = (hi - lo) / bins as f64;
    let densities: Vec<Vec<f64>> = groups
        .iter()
        .map(|(_, v)| {
            let mut counts = vec![0.0; bins];
            v.iter().for_each(|&x| counts[(((x - lo) / width) as usize).min(bins - 1)] += 1.0);
            counts.iter().map(|c| c / (v.len() as f64 * width)).collect() // area 1 per species (common_norm=False)
        })
        .collect();
    let grid: Vec<f64> = (0..=200).map(|i| lo - width + (hi - lo + 2.0 * width) * i as f64 / 200.0).collect();
    let kdes = groups.iter().map(|(_, v)| gaussian_kde(v, &grid)).collect::<Result<Vec<_>, _>>()?;
    let top = densities.iter().flatten().chain(kdes.iter().flatten()).fold(0.0f64, |m, &d| m.max(d));

    svg_of((720, 420), |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(format!("Distribution of {column} by species"), theme::title_font())
            .margin(12)
            .x_label_area_size(45)
            .y_label_area_size(70)
            .build_cartesian_2d(lo - width..hi + width, 0.0..top * 1.1)?;
        chart
            .configure_mesh()
            .x_desc(column)
            .y_desc("density")
            .axis_desc_style(theme::label_font())
            .label_style(theme::small_font())
            .light_line_style(MUTED.mix(0.4))
            .bold_line_style(MUTED)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.3}"))
            .draw()?;
        for (g, ((name, values), density)) in groups.iter().zip(&densities).enumerate() {
            let color = theme::color(g);
            chart.draw_series(density.iter().enumerate().map(|(b, &d)| {
                let x0 = lo + b as f64 * width;
                Rectangle::new([(x0, 0.0), (x0 + width, d)], color.mix(0.35).filled())
            }))?;
            chart
                .draw_series(LineSeries::new(grid.iter().copied().zip(kdes[g].iter().copied()), color.stroke_width(2)))?
                .label(format!("{name} (n = {})", values.len()))
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2)));
        }
        chart.configure_series_labels().position(SeriesLabelPosition::UpperLeft).border_style(MUTED).background_style(BACKGROUND.mix(0.9)).label_font(theme::small_font()).draw()?;
        Ok(())
    })
}
// ANCHOR_END: histogram

// ANCHOR: box_plot
/// The axes of the box and violin plots: one category per species (`names`, with their counts), `column` on y.
fn species_chart<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, Shift>,
    column: &str,
    names: &[String],
    y: std::ops::Range<f64>,
) -> Result<ChartContext<'a, SVGBackend<'b>, Cartesian2d<SegmentedCoord<RangedCoordusize>, RangedCoordf64>>, FigureError> {
    let mut chart = ChartBuilder::on(root)
        .caption(format!("{column} by species"), theme::title_font())
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(crate::categories(names.len()), y)?;
    let label = |v: &SegmentValue<usize>| match v {
        SegmentValue::CenterOf(i) if *i < names.len() => names[*i].clone(),
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_desc("species")
        .y_desc(column)
        .axis_desc_style(theme::label_font())
        .label_style(theme::small_font())
        .light_line_style(MUTED.mix(0.4))
        .bold_line_style(MUTED)
        .x_label_formatter(&label)
        .y_label_formatter(&|v| format!("{v:.0}"))
        .draw()?;
    Ok(chart)
}

/// `sns.boxplot(df, x="species", y=column)`: box from Q1 to Q3, the median, whiskers to the furthest values
/// within 1.5 IQR, outliers as points.
pub fn box_plot_svg(df: &DataFrame, column: &str) -> Result<String, FigureError> {
    let groups = groups(df, column, "species")?;
    let stats = groups.iter().map(|(_, v)| box_stats(v)).collect::<Result<Vec<_>, _>>()?;
    let (lo, hi) = span(&groups);
    let pad = 0.08 * (hi - lo);
    let names: Vec<String> = groups.iter().map(|(n, v)| format!("{n} (n = {})", v.len())).collect();

    svg_of((720, 420), |root| {
        let mut chart = species_chart(root, column, &names, lo - pad..hi + pad)?;
        // the box spans the middle of its category's segment
        let segment = chart.backend_coord(&(SegmentValue::Exact(1), 0.0)).0 - chart.backend_coord(&(SegmentValue::Exact(0), 0.0)).0;
        let box_half_width = segment / 4;
        let margin = (segment / 2 - box_half_width).max(0) as u32;
        for (g, s) in stats.iter().enumerate() {
            let (left, right) = (SegmentValue::Exact(g), SegmentValue::Exact(g + 1));
            let mut body = Rectangle::new([(left.clone(), s.q1), (right.clone(), s.q3)], theme::color(g).mix(0.6).filled());
            body.set_margin(0, 0, margin, margin);
            let mut outline = Rectangle::new([(left, s.q1), (right, s.q3)], INK.stroke_width(1));
            outline.set_margin(0, 0, margin, margin);
            chart.draw_series([body, outline])?;
            let centre = SegmentValue::CenterOf(g);
            let whiskers = [(s.whisker_low, s.q1), (s.q3, s.whisker_high)];
            chart.draw_series(whiskers.map(|(a, b)| PathElement::new([(centre.clone(), a), (centre.clone(), b)], INK.stroke_width(1))))?;
            // the median and the whisker caps: short horizontal strokes, in pixels around the centre (drawn on
            // the root area, whose pixel coordinates are the backend's)
            for (y, half) in [(s.median, box_half_width), (s.whisker_low, 15), (s.whisker_high, 15)] {
                let (cx, cy) = chart.backend_coord(&(centre.clone(), y));
                let stroke = if half == box_half_width { INK.stroke_width(3) } else { INK.stroke_width(1) };
                root.draw(&PathElement::new([(cx - half, cy), (cx + half, cy)], stroke))?;
            }
            chart.draw_series(s.outliers.iter().map(|&v| Circle::new((SegmentValue::CenterOf(g), v), 3, INK.stroke_width(1))))?;
        }
        Ok(())
    })
}
// ANCHOR_END: box_plot

// ANCHOR: violin
/// `sns.violinplot(df, x="species", y=column, inner="box")`: each species' density drawn on both sides of its
/// centre line, all violins on one width scale (Seaborn's `density_norm="area"`: equal areas), and inside each a
/// thick bar from Q1 to Q3 with a white dot at the median.
pub fn violin_svg(df: &DataFrame, column: &str) -> Result<String, FigureError> {
    let groups = groups(df, column, "species")?;
    let outlines = groups.iter().map(|(_, v)| violin_outline(v, 120)).collect::<Result<Vec<_>, _>>()?;
    let stats = groups.iter().map(|(_, v)| box_stats(v)).collect::<Result<Vec<_>, _>>()?;
    let (lo, hi) = outlines.iter().flatten().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, u), &(v, _)| (l.min(v), u.max(v)));
    let widest = outlines.iter().flatten().fold(0.0f64, |m, &(_, d)| m.max(d));
    let names: Vec<String> = groups.iter().map(|(n, v)| format!("{n} (n = {})", v.len())).collect();

    svg_of((720, 420), |root| {
        let chart = species_chart(root, column, &names, lo - 0.03 * (hi - lo)..hi + 0.03 * (hi - lo))?;
        // widths in pixels: the densest point of all the violins fills 40% of a category's segment on each side
        let segment = chart.backend_coord(&(SegmentValue::Exact(1), 0.0)).0 - chart.backend_coord(&(SegmentValue::Exact(0), 0.0)).0;
        let scale = 0.4 * segment as f64 / widest;
        for (g, (outline, s)) in outlines.iter().zip(&stats).enumerate() {
            let at = |y: f64| chart.backend_coord(&(SegmentValue::CenterOf(g), y));
            let right = outline.iter().map(|&(y, d)| (at(y).0 + (d * scale).round() as i32, at(y).1));
            let left = outline.iter().rev().map(|&(y, d)| (at(y).0 - (d * scale).round() as i32, at(y).1));
            let shape: Vec<(i32, i32)> = right.chain(left).collect();
            root.draw(&Polygon::new(shape.clone(), theme::color(g).mix(0.6).filled()))?;
            root.draw(&PathElement::new(shape.into_iter().chain(std::iter::once(at(outline[0].0))).collect::<Vec<_>>(), INK.stroke_width(1)))?;
            // inner="box": the quartiles as a thick bar, the whiskers as a thin one, the median as a white dot
            let ((x, low), (_, high)) = (at(s.whisker_low), at(s.whisker_high));
            root.draw(&PathElement::new([(x, low), (x, high)], INK.stroke_width(1)))?;
            root.draw(&PathElement::new([(x, at(s.q1).1), (x, at(s.q3).1)], INK.stroke_width(6)))?;
            root.draw(&Circle::new(at(s.median), 3, BACKGROUND.filled()))?;
        }
        Ok(())
    })
}
// ANCHOR_END: violin

// ANCHOR: scatter
/// `sns.scatterplot(df, x=x, y=y, hue="species")`.
pub fn scatter_svg(df: &DataFrame, x: &str, y: &str) -> Result<String, FigureError> {
    let pairs = df.select([x, y, "species"])?.drop_nulls::<String>(None)?;
    let (xs, ys) = (pairs.column(x)?.cast(&DataType::Float64)?, pairs.column(y)?.cast(&DataType::Float64)?);
    let (xs, ys): (Vec<f64>, Vec<f64>) = (xs.f64()?.into_no_null_iter().collect(), ys.f64()?.into_no_null_iter().collect());
    let species: Vec<&str> = pairs.column("species")?.str()?.iter().flatten().collect();
    let mut names: Vec<&str> = species.clone();
    names.sort();
    names.dedup();
    let range = |v: &[f64]| {
        let (lo, hi) = v.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &x| (l.min(x), h.max(x)));
        let pad = 0.05 * (hi - lo);
        lo - pad..hi + pad
    };

    svg_of((720, 480), |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(format!("{y} against {x}"), theme::title_font())
            .margin(12)
            .x_label_area_size(45)
            .y_label_area_size(60)
            .build_cartesian_2d(range(&xs), range(&ys))?;
        chart
            .configure_mesh()
            .x_desc(x)
            .y_desc(y)
            .axis_desc_style(theme::label_font())
            .label_style(theme::small_font())
            .light_line_style(MUTED.mix(0.4))
            .bold_line_style(MUTED)
            .draw()?;
        for (g, name) in names.iter().enumerate() {
            let color = theme::color(g);
            let points = (0..xs.len()).filter(|&i| species[i] == *name).map(|i| Circle::new((xs[i], ys[i]), 4, color.mix(0.8).filled()));
            chart
                .draw_series(points)?
                .label(*name)
                .legend(move |(x, y)| Circle::new((x + 8, y), 4, color.filled()));
        }
        chart.configure_series_labels().position(SeriesLabelPosition::UpperRight).border_style(MUTED).background_style(BACKGROUND.mix(0.9)).label_font(theme::small_font()).draw()?;
        Ok(())
    })
}
// ANCHOR_END: scatter

// ANCHOR: pair_plot
/// `sns.pairplot(df, vars=columns, hue="species", diag_kind="hist", corner=True)`: a grid with one panel per
/// pair of columns, a scatter plot below the diagonal (row i's column on y, column j's on x; the panels above
/// would show the same pairs mirrored) and each column's histograms on the diagonal (density, each species of
/// area 1). Each panel leaves out the rows missing one of its two columns.
pub fn pair_plot_svg(df: &DataFrame, columns: &[&str]) -> Result<String, FigureError> {
    const BINS: usize = 16;
    let k = columns.len();
    if k < 2 {
        return Err(FigureError::Data { what: "pair_plot_svg".into(), why: "needs at least two columns" });
    }
    let species: Vec<Option<&str>> = df.column("species")?.str()?.iter().collect();
    let mut names: Vec<&str> = species.iter().flatten().copied().collect();
    names.sort();
    names.dedup();
    let values = columns
        .iter()
        .map(|c| Ok(df.column(c)?.cast(&DataType::Float64)?.f64()?.iter().collect::<Vec<Option<f64>>>()))
        .collect::<Result<Vec<_>, FigureError>>()?;
    let range = |v: &[Option<f64>]| {
        let (lo, hi) = v.iter().flatten().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &x| (l.min(x), h.max(x)));
        let pad = 0.05 * (hi - lo);
        lo - pad..hi + pad
    };
    let ranges: Vec<_> = values.iter().map(|v| range(v)).collect();

    svg_of((820, 820), |root| {
        let root = root.titled("Pair plot of the penguins' measurements", theme::title_font())?;
        let panels = root.split_evenly((k, k));
        // the legend, in the empty top-right corner
        for (g, name) in names.iter().enumerate() {
            let y = 30 + 24 * g as i32;
            panels[k - 1].draw(&Circle::new((40, y), 5, theme::color(g).filled()))?;
            panels[k - 1].draw(&Text::new(name.to_string(), (52, y - 7), theme::small_font()))?;
        }
        for (i, j) in (0..k).flat_map(|i| (0..=i).map(move |j| (i, j))) {
            let panel = &panels[i * k + j];
            let x_range = ranges[j].clone();
            let mut builder = ChartBuilder::on(panel);
            builder.margin(4).x_label_area_size(if i == k - 1 { 36 } else { 6 }).y_label_area_size(if j == 0 { 50 } else { 6 });
            // as in Seaborn's grid: only the bottom row and the left column name their columns and ticks
            let (bottom, left) = (i == k - 1, j == 0);
            let x_desc = if bottom { columns[j] } else { "" };
            let y_desc = if left { columns[i] } else { "" };
            let x_ticks = |v: &f64| if bottom { format!("{v:.0}") } else { String::new() };
            let y_ticks = |v: &f64| if left { format!("{v:.0}") } else { String::new() };
            if i == j {
                // one density histogram per species, on the shared bins of this column
                let width = (x_range.end - x_range.start) / BINS as f64;
                let densities: Vec<Vec<f64>> = names
                    .iter()
                    .map(|name| {
                        let own: Vec<f64> = values[j].iter().zip(&species).filter(|(_, s)| **s == Some(*name)).filter_map(|(v, _)| *v).collect();
                        let mut counts = vec![0.0; BINS];
                        own.iter().for_each(|&x| counts[(((x - x_range.start) / width) as usize).min(BINS - 1)] += 1.0);
                        counts.iter().map(|c| c / (own.len().max(1) as f64 * width)).collect()
                    })
                    .collect();
                let top = densities.iter().flatten().fold(0.0f64, |m, &d| m.max(d)) * 1.1;
                let mut chart = builder.build_cartesian_2d(x_range.clone(), 0.0..top)?;
                // the density axis has no tick labels: the left column's labels are the row's measurement
                chart.configure_mesh().x_desc(x_desc).y_desc(y_desc).x_labels(4).y_labels(0).disable_mesh()
                    .label_style(theme::small_font()).axis_desc_style(theme::small_font()).x_label_formatter(&x_ticks).draw()?;
                for (g, density) in densities.iter().enumerate() {
                    chart.draw_series(density.iter().enumerate().map(|(b, &d)| {
                        let x0 = x_range.start + b as f64 * width;
                        Rectangle::new([(x0, 0.0), (x0 + width, d)], theme::color(g).mix(0.4).filled())
                    }))?;
                }
            } else {
                let mut chart = builder.build_cartesian_2d(x_range.clone(), ranges[i].clone())?;
                chart.configure_mesh().x_desc(x_desc).y_desc(y_desc).x_labels(4).y_labels(4).max_light_lines(0).bold_line_style(MUTED.mix(0.6))
                    .label_style(theme::small_font()).axis_desc_style(theme::small_font()).x_label_formatter(&x_ticks).y_label_formatter(&y_ticks).draw()?;
                for (g, name) in names.iter().enumerate() {
                    let rows = (0..species.len()).filter(|&r| species[r] == Some(*name));
                    let points = rows.filter_map(|r| Some((values[j][r]?, values[i][r]?)));
                    chart.draw_series(points.map(|p| Circle::new(p, 2, theme::color(g).mix(0.7).filled())))?;
                }
            }
        }
        Ok(())
    })
}
// ANCHOR_END: pair_plot

// ANCHOR: correlation
/// Pearson correlation of numeric columns over the rows where all are present (`df[columns].dropna().corr()`).
pub fn correlation(df: &DataFrame, columns: &[&str]) -> Result<Array2<f64>, FigureError> {
    let x = df.select(columns.iter().copied())?.drop_nulls::<String>(None)?.to_ndarray::<Float64Type>(IndexOrder::C)?;
    if x.nrows() < 2 {
        return Err(FigureError::Data { what: "correlation".into(), why: "needs at least two complete rows" });
    }
    let centred = &x - &x.mean_axis(ndarray::Axis(0)).expect("rows >= 2");
    let cov = centred.t().dot(&centred);
    let sd = cov.diag().mapv(f64::sqrt);
    if sd.iter().any(|&s| s == 0.0) {
        return Err(FigureError::Data { what: "correlation".into(), why: "a constant column has no correlation" });
    }
    Ok(Array2::from_shape_fn(cov.dim(), |(i, j)| cov[[i, j]] / (sd[i] * sd[j])))
}

/// `sns.heatmap(corr, annot=True, fmt=".2f", vmin=-1, vmax=1)`.
pub fn correlation_svg(df: &DataFrame, columns: &[&str]) -> Result<String, FigureError> {
    let corr = correlation(df, columns)?;
    let labels: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
    let map = Heatmap {
        values: corr.view(),
        range: (-1.0, 1.0),
        caption: "Pearson correlation of the penguins' measurements".into(),
        x_desc: String::new(),
        y_desc: String::new(),
        col_labels: labels.clone(),
        row_labels: labels,
        annotate: Some(2),
    };
    heatmap_svg(&map, (760, 520))
}
// ANCHOR_END: correlation

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kde_integrates_to_one_and_peaks_at_the_data() {
        let values = [1.0, 2.0, 2.5, 3.0, 7.0];
        let grid: Vec<f64> = (0..=4000).map(|i| -10.0 + 27.0 * i as f64 / 4000.0).collect();
        let density = gaussian_kde(&values, &grid).unwrap();
        let dx = grid[1] - grid[0];
        let area: f64 = density.windows(2).map(|w| (w[0] + w[1]) / 2.0 * dx).sum();
        assert!((area - 1.0).abs() < 1e-6, "area {area}");
        let at = |x: f64| gaussian_kde(&values, &[x]).unwrap()[0];
        assert!(at(2.5) > at(5.0) && at(5.0) > at(12.0), "densest in the cluster, fading away from the data");
        assert!(gaussian_kde(&[4.0, 4.0], &grid).is_err());
        assert!(gaussian_kde(&[1.0, f64::NAN], &grid).is_err());
    }

    /// The statistical-plots page's Python tab: the formula in NumPy, checked there against SciPy's
    /// `gaussian_kde`. The Rust function gives the numbers it printed, from the inputs it printed.
    #[test]
    fn gaussian_kde_agrees_with_its_python_tab() {
        let shown = course_utils::printed::python_tab("visualization/python/kde.md").unwrap();
        let line = |label: &str| course_utils::printed::labelled(&shown, label).unwrap_or_else(|| panic!("no `{label}` line in:\n{shown}"));
        let (values, grid, python) = (line("values"), line("grid"), line("density"));
        let rust = gaussian_kde(&values, &grid).unwrap();
        assert_eq!((values.len(), rust.len()), (8, python.len()), "{shown}");
        for (x, (r, p)) in grid.iter().zip(rust.iter().zip(&python)) {
            assert!((r - p).abs() <= 5e-9, "at {x}: Rust {r}, NumPy printed {p} (8 decimals)");
        }
        assert!(shown.contains("the same as SciPy's gaussian_kde: True"), "{shown}");
    }

    #[test]
    fn box_stats_match_numpy_and_matplotlib() {
        // np.percentile([1..=9, 30], [25, 50, 75]) = 3.25, 5.5, 7.75; fences -3.5 and 14.5
        let values = [30.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0];
        let s = box_stats(&values).unwrap();
        assert_eq!((s.q1, s.median, s.q3), (3.25, 5.5, 7.75));
        assert_eq!((s.whisker_low, s.whisker_high), (1.0, 9.0), "whiskers stop at data, not at the fences");
        assert_eq!(s.outliers, [30.0]);
        assert!(box_stats(&[]).is_err());
        assert!(box_stats(&[1.0, f64::INFINITY]).is_err());
    }

    #[test]
    fn correlation_matches_the_definition_and_polars() {
        let df = df!("a" => [1.0, 2.0, 3.0, 4.0], "b" => [2.0, 4.1, 5.9, 8.2], "c" => [4.0, 3.0, 2.5, 1.0]).unwrap();
        let r = correlation(&df, &["a", "b", "c"]).unwrap();
        for i in 0..3 {
            assert!((r[[i, i]] - 1.0).abs() < 1e-12);
        }
        // polars' own pearson_corr as the reference
        let reference = |x: &str, y: &str| polars::prelude::cov::pearson_corr(df.column(x).unwrap().f64().unwrap(), df.column(y).unwrap().f64().unwrap()).unwrap();
        assert!((r[[0, 1]] - reference("a", "b")).abs() < 1e-12);
        assert!((r[[1, 2]] - reference("b", "c")).abs() < 1e-12);
        let constant = df!("a" => [1.0, 2.0], "k" => [5.0, 5.0]).unwrap();
        assert!(correlation(&constant, &["a", "k"]).is_err());
    }

    #[test]
    fn a_violin_is_the_density_from_two_bandwidths_below_to_two_above() {
        let values = [1.0, 2.0, 2.5, 3.0, 7.0];
        let outline = violin_outline(&values, 400).unwrap();
        let h = scott_bandwidth(&values).unwrap();
        assert!((outline[0].0 - (1.0 - 2.0 * h)).abs() < 1e-12 && (outline[399].0 - (7.0 + 2.0 * h)).abs() < 1e-12);
        // the same density as gaussian_kde, and most of its area inside the cut (a Gaussian keeps 97.7% within 2 sd)
        assert_eq!(outline[123].1, gaussian_kde(&values, &[outline[123].0]).unwrap()[0]);
        let area: f64 = outline.windows(2).map(|w| (w[0].1 + w[1].1) / 2.0 * (w[1].0 - w[0].0)).sum();
        assert!((0.95..1.0).contains(&area), "area {area}");
        assert!(violin_outline(&[3.0], 10).is_err());
    }

    #[test]
    fn a_violin_plot_draws_one_violin_per_species() {
        let df = df!("v" => [1.0, 2.0, 2.5, 4.0, 5.0, 5.5], "species" => ["a", "a", "a", "b", "b", "b"]).unwrap();
        let svg = violin_svg(&df, "v").unwrap();
        assert_eq!(svg.matches("<polygon").count(), 2, "one filled outline each");
        assert_eq!(svg.matches("<circle").count(), 2, "one median dot each");
        assert!(svg.contains("a (n = 3)") && svg.contains("b (n = 3)"));
        assert!(violin_svg(&df, "w").is_err());
    }

    #[test]
    fn a_pair_plot_has_a_point_per_complete_pair_in_each_off_diagonal_panel() {
        let df = df!(
            "x" => [Some(1.0), Some(2.0), None, Some(4.0)],
            "y" => [Some(3.0), Some(1.0), Some(2.0), Some(5.0)],
            "z" => [Some(1.0), None, Some(2.0), Some(0.5)],
            "species" => ["a", "b", "a", "b"],
        )
        .unwrap();
        let svg = pair_plot_svg(&df, &["x", "y", "z"]).unwrap();
        // complete rows per pair, each pair drawn once (below the diagonal): (x, y) 3, (x, z) 2, (y, z) 3; plus
        // one legend dot per species
        assert_eq!(svg.matches("<circle").count(), 3 + 2 + 3 + 2);
        assert!(svg.contains(">\nx\n<") && svg.contains(">\nz\n<"), "the outer panels name their columns");
        assert!(pair_plot_svg(&df, &["x"]).is_err());
        assert!(pair_plot_svg(&df, &["x", "w"]).is_err());
    }

    #[test]
    fn groups_drop_nulls_and_sort_by_name() {
        let df = df!("v" => [Some(1.0), None, Some(3.0), Some(4.0)], "species" => [Some("b"), Some("a"), None, Some("a")]).unwrap();
        let g = groups(&df, "v", "species").unwrap();
        assert_eq!(g, vec![("a".to_string(), vec![4.0]), ("b".to_string(), vec![1.0])]);
    }
}
