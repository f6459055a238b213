//! The plots a Seaborn user reaches for, on the penguins: a histogram with a density line (`histplot(kde=True)`),
//! a box plot (`boxplot`), a scatter plot coloured by species (`scatterplot(hue=...)`) and a correlation heatmap
//! (`heatmap(df.corr(), annot=True)`).

use crate::FigureError;
use crate::heatmaps::{Heatmap, heatmap_svg};
use course_utils::theme::{self, BACKGROUND, INK, MUTED};
use ndarray::Array2;
use plotters::coord::ranged1d::SegmentValue;
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
    if values.len() < 2 || values.iter().any(|v| !v.is_finite()) {
        return Err(FigureError::Data { what: "gaussian_kde".into(), why: "needs at least two finite values" });
    }
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    if sd == 0.0 {
        return Err(FigureError::Data { what: "gaussian_kde".into(), why: "all values are equal: no spread to estimate" });
    }
    let h = sd * n.powf(-0.2);
    let norm = 1.0 / (n * h * (2.0 * std::f64::consts::PI).sqrt());
    Ok(grid.iter().map(|&x| norm * values.iter().map(|&v| (-0.5 * ((x - v) / h).powi(2)).exp()).sum::<f64>()).collect())
}
// ANCHOR_END: kde

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
/// `sns.boxplot(df, x="species", y=column)`: box from Q1 to Q3, the median, whiskers to the furthest values
/// within 1.5 IQR, outliers as points.
pub fn box_plot_svg(df: &DataFrame, column: &str) -> Result<String, FigureError> {
    let groups = groups(df, column, "species")?;
    let stats = groups.iter().map(|(_, v)| box_stats(v)).collect::<Result<Vec<_>, _>>()?;
    let (lo, hi) = span(&groups);
    let pad = 0.08 * (hi - lo);
    let names: Vec<String> = groups.iter().map(|(n, v)| format!("{n} (n = {})", v.len())).collect();

    svg_of((720, 420), |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(format!("{column} by species"), theme::title_font())
            .margin(12)
            .x_label_area_size(45)
            .y_label_area_size(70)
            .build_cartesian_2d(crate::categories(groups.len()), lo - pad..hi + pad)?;
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
        // SciPy 1.17: gaussian_kde([1, 2, 2.5, 3, 7])(2.5) = 0.17243944
        assert!((at(2.5) - 0.172_439_44).abs() < 1e-8, "{}", at(2.5));
        assert!(gaussian_kde(&[4.0, 4.0], &grid).is_err());
        assert!(gaussian_kde(&[1.0, f64::NAN], &grid).is_err());
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
    fn groups_drop_nulls_and_sort_by_name() {
        let df = df!("v" => [Some(1.0), None, Some(3.0), Some(4.0)], "species" => [Some("b"), Some("a"), None, Some("a")]).unwrap();
        let g = groups(&df, "v", "species").unwrap();
        assert_eq!(g, vec![("a".to_string(), vec![4.0]), ("b".to_string(), vec![1.0])]);
    }
}
