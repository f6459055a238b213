//! Heatmaps with a colour bar (Seaborn's `heatmap`), and the chapter's two: attention weights from Lab 1.2.4
//! and the hidden-unit activations of the dashboard's model.

use crate::FigureError;
use course_utils::theme::{self, BACKGROUND, INK};
use ndarray::{Array2, Array4, ArrayView2, Axis};
use plotters::coord::Shift;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

// ANCHOR: heatmap
/// What `draw_heatmap` draws: a matrix, the value range the colour map spans, and the labels.
#[derive(Debug, Clone)]
pub struct Heatmap<'a> {
    pub values: ArrayView2<'a, f64>,
    /// values at or below `range.0` take the darkest colour, at or above `range.1` the lightest
    pub range: (f64, f64),
    pub caption: String,
    pub x_desc: String,
    pub y_desc: String,
    /// one per column and one per row (top to bottom); empty: no tick labels
    pub col_labels: Vec<String>,
    pub row_labels: Vec<String>,
    /// write each value in its cell with this many decimals (`annot=True, fmt=".2f"`)
    pub annotate: Option<usize>,
}

/// Draws a heatmap (row 0 at the top, like a printed matrix) with a colour bar on the right.
pub fn draw_heatmap<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, map: &Heatmap) -> Result<(), FigureError> {
    let (rows, cols) = map.values.dim();
    let (lo, hi) = map.range;
    if rows == 0 || cols == 0 {
        return Err(FigureError::Data { what: map.caption.clone(), why: "the matrix is empty" });
    }
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        return Err(FigureError::Data { what: map.caption.clone(), why: "the colour range must be finite and increasing" });
    }
    for (labels, n) in [(&map.col_labels, cols), (&map.row_labels, rows)] {
        if !labels.is_empty() && labels.len() != n {
            return Err(FigureError::Data { what: map.caption.clone(), why: "need one label per row and per column (or none)" });
        }
    }
    let t = |v: f64| (v - lo) / (hi - lo); // NaN stays NaN: `theme::sequential` draws it darkest
    let (width, _) = area.dim_in_pixel();
    let (main, bar) = area.split_horizontally(width.saturating_sub(95));

    let mut chart = ChartBuilder::on(&main)
        .caption(&map.caption, theme::panel_title_font())
        .margin(10)
        .x_label_area_size(if map.col_labels.is_empty() { 30 } else { 45 })
        .y_label_area_size(if map.row_labels.is_empty() { 30 } else { 110 })
        .build_cartesian_2d(crate::categories(cols), crate::categories(rows))?;
    let label = |labels: &[String], reversed: bool| {
        let labels = labels.to_vec();
        move |v: &SegmentValue<usize>| match v {
            SegmentValue::CenterOf(i) if *i < labels.len() => labels[if reversed { labels.len() - 1 - i } else { *i }].clone(),
            _ => String::new(),
        }
    };
    let (x_label, y_label) = (label(&map.col_labels, false), label(&map.row_labels, true));
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(map.x_desc.as_str())
        .y_desc(map.y_desc.as_str())
        // at least 1: plotters panics on 0 labels; without labels the formatter prints nothing
        .x_labels(cols.min(map.col_labels.len()).max(1))
        .y_labels(rows.min(map.row_labels.len()).max(1))
        .axis_desc_style(theme::label_font())
        .label_style(theme::small_font())
        .x_label_formatter(&x_label)
        .y_label_formatter(&y_label)
        .draw()?;
    let cells = || (0..rows).flat_map(|r| (0..cols).map(move |c| (r, c)));
    chart.draw_series(cells().map(|(r, c)| {
        let y = rows - 1 - r;
        let corners = [(SegmentValue::Exact(c), SegmentValue::Exact(y)), (SegmentValue::Exact(c + 1), SegmentValue::Exact(y + 1))];
        Rectangle::new(corners, theme::sequential(t(map.values[[r, c]])).filled())
    }))?;
    if let Some(decimals) = map.annotate {
        chart.draw_series(cells().map(|(r, c)| {
            let v = map.values[[r, c]];
            let style = theme::recolor(theme::small_font(), theme::ink_on(theme::sequential(t(v)))).pos(Pos::new(HPos::Center, VPos::Center));
            Text::new(format!("{v:.decimals$}"), (SegmentValue::CenterOf(c), SegmentValue::CenterOf(rows - 1 - r)), style)
        }))?;
    }
    colour_bar(&bar, lo, hi)
}
// ANCHOR_END: heatmap

/// A vertical colour bar from `lo` (bottom) to `hi` (top) with a labelled axis.
fn colour_bar<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, lo: f64, hi: f64) -> Result<(), FigureError> {
    const STEPS: usize = 64;
    let mut chart = ChartBuilder::on(area)
        .margin_top(40)
        .margin_bottom(55)
        .margin_right(10)
        .y_label_area_size(45)
        .right_y_label_area_size(0)
        .build_cartesian_2d(0.0..1.0, lo..hi)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_labels(5)
        .label_style(theme::small_font())
        .y_label_formatter(&|v| format!("{v:.2}"))
        .draw()?;
    let step = (hi - lo) / STEPS as f64;
    chart.draw_series((0..STEPS).map(|i| {
        let v0 = lo + i as f64 * step;
        Rectangle::new([(0.0, v0), (1.0, v0 + step)], theme::sequential((i as f64 + 0.5) / STEPS as f64).filled())
    }))?;
    chart.draw_series([Rectangle::new([(0.0, lo), (1.0, hi)], INK.stroke_width(1))])?;
    Ok(())
}

/// A heatmap figure as an SVG document.
pub fn heatmap_svg(map: &Heatmap, size: (u32, u32)) -> Result<String, FigureError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&BACKGROUND)?;
        draw_heatmap(&root, map)?;
        root.present()?;
    }
    Ok(svg)
}

/// Sinusoidal position encodings (Vaswani et al., 2017), (positions, dim).
pub fn positional_encoding(positions: usize, dim: usize) -> Array2<f32> {
    Array2::from_shape_fn((positions, dim), |(p, i)| {
        let angle = p as f32 / 10_000f32.powf((2 * (i / 2)) as f32 / dim as f32);
        if i % 2 == 0 { angle.sin() } else { angle.cos() }
    })
}

// ANCHOR: attention
/// Attention weights of a head whose queries and keys are position encodings: the scores depend on the
/// distance between positions, so with a causal mask each position attends mostly to itself and the
/// positions just before it. Computed by Lab 1.2.4's `attention_weights`.
pub fn attention_figure(positions: usize) -> Result<String, FigureError> {
    use arrays::attention::{Mask, attention_weights};
    let dim = 16;
    let p = positional_encoding(positions, dim);
    let q = (&p * 3.0).into_shape_with_order((1, 1, positions, dim)).map_err(|e| FigureError::Draw(e.to_string()))?;
    let k: Array4<f32> = p.into_shape_with_order((1, 1, positions, dim)).map_err(|e| FigureError::Draw(e.to_string()))?;
    let weights = attention_weights(q.view(), k.view(), Mask::Causal, 0, 0)?.mapv(f64::from);
    let labels: Vec<String> = (0..positions).map(|i| i.to_string()).collect();
    let map = Heatmap {
        values: weights.view(),
        range: (0.0, 1.0),
        caption: format!("Causal attention weights, one head, {positions} positions"),
        x_desc: "key position (attended to)".into(),
        y_desc: "query position".into(),
        col_labels: labels.clone(),
        row_labels: labels,
        annotate: None,
    };
    heatmap_svg(&map, (640, 560))
}
// ANCHOR_END: attention

// ANCHOR: activations
/// The hidden units' activations over the validation rows, rows grouped by species: units that separate the
/// classes show as bands that change colour at the group borders.
pub fn activation_figure(results: &crate::lab_1_2_3::LabResults) -> Result<String, FigureError> {
    let data = &results.data;
    let mut order: Vec<usize> = (0..data.y_val.len()).collect();
    order.sort_by_key(|&i| data.y_val[i]); // stable: within a species, the original order
    let hidden = results.model.hidden(data.x_val.select(Axis(0), &order).view())?; // (rows, units)
    let per_unit = hidden.t(); // units on the y axis, rows along x
    let counts: Vec<String> = data
        .classes
        .iter()
        .enumerate()
        .map(|(c, name)| format!("{name} {}", data.y_val.iter().filter(|&&y| y == c).count()))
        .collect();
    let map = Heatmap {
        values: per_unit,
        range: (-1.0, 1.0), // tanh's range
        caption: "Hidden-unit activations (tanh) over the validation set".into(),
        x_desc: format!("validation rows by species: {}", counts.join(", ")),
        y_desc: "hidden unit".into(),
        col_labels: vec![],
        row_labels: (0..per_unit.nrows()).map(|u| format!("unit {u}")).collect(),
        annotate: None,
    };
    heatmap_svg(&map, (760, 420))
}
// ANCHOR_END: activations

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn map(values: ArrayView2<'_, f64>) -> Heatmap<'_> {
        Heatmap {
            values,
            range: (0.0, 1.0),
            caption: "t".into(),
            x_desc: String::new(),
            y_desc: String::new(),
            col_labels: vec!["a".into(), "b".into()],
            row_labels: vec![],
            annotate: Some(2),
        }
    }

    #[test]
    fn cells_are_coloured_by_value_and_annotated() {
        let v = array![[0.0, 1.0]];
        let svg = heatmap_svg(&map(v.view()), (400, 300)).unwrap();
        let hex = |RGBColor(r, g, b): RGBColor| format!("#{r:02X}{g:02X}{b:02X}");
        assert!(svg.contains(&hex(theme::sequential(0.0))) && svg.contains(&hex(theme::sequential(1.0))));
        assert!(svg.contains(">\n0.00\n</text>") && svg.contains(">\n1.00\n</text>"));
    }

    #[test]
    fn bad_heatmaps_are_errors() {
        let v = array![[0.0, 1.0]];
        let empty = Array2::<f64>::zeros((0, 2));
        assert!(heatmap_svg(&map(empty.view()), (400, 300)).is_err());
        assert!(heatmap_svg(&Heatmap { range: (1.0, 1.0), ..map(v.view()) }, (400, 300)).is_err());
        assert!(heatmap_svg(&Heatmap { col_labels: vec!["only one".into()], ..map(v.view()) }, (400, 300)).is_err());
    }

    #[test]
    fn position_attention_is_causal_and_peaks_near_the_diagonal() {
        use arrays::attention::{Mask, attention_weights};
        let p = positional_encoding(12, 16);
        let q = (&p * 3.0).into_shape_with_order((1, 1, 12, 16)).unwrap();
        let k = p.into_shape_with_order((1, 1, 12, 16)).unwrap();
        let w = attention_weights(q.view(), k.view(), Mask::Causal, 0, 0).unwrap();
        for (i, row) in w.rows().into_iter().enumerate() {
            assert!(row.iter().skip(i + 1).all(|&v| v == 0.0), "no weight on the future");
            let top = row.iter().enumerate().fold((0, 0.0), |b, (j, &v)| if v > b.1 { (j, v) } else { b }).0;
            assert_eq!(top, i, "each position attends most to itself");
        }
    }
}
