//! Lab 1.2.3: the 2x2 model-analysis dashboard. It takes plain numbers (`DashboardData`), so any model's
//! results can be drawn, checks them, and draws onto any plotters backend.

use crate::model::Importance;
use course_utils::theme::{self, BACKGROUND, INK, MUTED};
use plotters::coord::Shift;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

// ANCHOR: data
/// Everything the dashboard draws: a model's results, not the model.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DashboardData {
    pub title: String,
    /// loss per epoch on the training and the validation set (same length)
    pub train_loss: Vec<f64>,
    pub val_loss: Vec<f64>,
    pub class_names: Vec<String>,
    /// counts on the held-out set: `confusion[true][predicted]`, one row and column per class
    pub confusion: Vec<Vec<u64>>,
    /// permutation importance per input column
    pub importance: Vec<Importance>,
    /// per held-out row: the predicted class and its probability (the model's confidence)
    pub predicted: Vec<usize>,
    pub confidence: Vec<f64>,
}
// ANCHOR_END: data

// ANCHOR: error
/// Why a dashboard cannot be drawn.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DashboardError {
    #[error("{series} is empty: nothing to draw")]
    Empty { series: &'static str },
    #[error("{series}[{index}] is {value}: every value must be finite")]
    NotFinite { series: &'static str, index: usize, value: f64 },
    #[error("{first} has {first_len} values but {second} has {second_len}: they must pair up")]
    LengthMismatch { first: &'static str, first_len: usize, second: &'static str, second_len: usize },
    #[error("the confusion matrix must be {classes}x{classes} (one row and column per class), row {row} has {len}")]
    ConfusionShape { classes: usize, row: usize, len: usize },
    #[error("the confusion matrix counts nothing: every cell is 0")]
    EmptyConfusion,
    #[error("confidence[{index}] is {value}: a probability lies in [0, 1]")]
    NotAProbability { index: usize, value: f64 },
    #[error("predicted[{index}] is class {class}, but there are {classes} classes")]
    UnknownClass { index: usize, class: usize, classes: usize },
    #[error("the figure must be at least {min}x{min} pixels, got {width}x{height}")]
    TooSmall { width: u32, height: u32, min: u32 },
    #[error("drawing failed: {0}")]
    Draw(String),
}
// ANCHOR_END: error

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for DashboardError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        DashboardError::Draw(e.to_string())
    }
}

type Result<T = ()> = std::result::Result<T, DashboardError>;

fn finite(series: &'static str, values: impl IntoIterator<Item = f64>) -> Result {
    match values.into_iter().enumerate().find(|(_, v)| !v.is_finite()) {
        Some((index, value)) => Err(DashboardError::NotFinite { series, index, value }),
        None => Ok(()),
    }
}

fn non_empty(series: &'static str, len: usize) -> Result {
    if len == 0 { Err(DashboardError::Empty { series }) } else { Ok(()) }
}

fn same_len(first: &'static str, first_len: usize, second: &'static str, second_len: usize) -> Result {
    if first_len == second_len { Ok(()) } else { Err(DashboardError::LengthMismatch { first, first_len, second, second_len }) }
}

impl DashboardData {
    // ANCHOR: validate
    /// Checks everything the panels rely on; `draw_dashboard` calls it first.
    pub fn validate(&self) -> Result {
        // ANCHOR: exercise_validate
        non_empty("train_loss", self.train_loss.len())?;
        same_len("train_loss", self.train_loss.len(), "val_loss", self.val_loss.len())?;
        finite("train_loss", self.train_loss.iter().copied())?;
        finite("val_loss", self.val_loss.iter().copied())?;
        // a log axis needs positive values; a loss of exactly 0 is only possible with a perfect fit
        if let Some((index, &value)) = self.train_loss.iter().chain(&self.val_loss).enumerate().find(|(_, v)| **v <= 0.0) {
            let n = self.train_loss.len();
            let series = if index < n { "train_loss" } else { "val_loss" };
            return Err(DashboardError::NotFinite { series, index: index % n, value });
        }
        let classes = self.class_names.len();
        non_empty("class_names", classes)?;
        same_len("class_names", classes, "confusion", self.confusion.len())?;
        if let Some((row, r)) = self.confusion.iter().enumerate().find(|(_, r)| r.len() != classes) {
            return Err(DashboardError::ConfusionShape { classes, row, len: r.len() });
        }
        if self.confusion.iter().flatten().all(|&c| c == 0) {
            return Err(DashboardError::EmptyConfusion);
        }
        non_empty("importance", self.importance.len())?;
        finite("importance.mean", self.importance.iter().map(|i| i.mean))?;
        finite("importance.std", self.importance.iter().map(|i| i.std))?;
        non_empty("confidence", self.confidence.len())?;
        same_len("predicted", self.predicted.len(), "confidence", self.confidence.len())?;
        if let Some((index, &value)) = self.confidence.iter().enumerate().find(|(_, v)| !(0.0..=1.0).contains(*v)) {
            return Err(DashboardError::NotAProbability { index, value });
        }
        if let Some((index, &class)) = self.predicted.iter().enumerate().find(|(_, c)| **c >= classes) {
            return Err(DashboardError::UnknownClass { index, class, classes });
        }
        Ok(())
        // ANCHOR_END: exercise_validate
    }
    // ANCHOR_END: validate
}

/// The smallest figure the four panels fit in.
pub const MIN_SIZE: u32 = 400;

// ANCHOR: draw
/// Draws the four panels onto `root`, which can be any plotters backend (SVG, bitmap, canvas).
pub fn draw_dashboard<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, data: &DashboardData) -> Result {
    data.validate()?;
    let (width, height) = root.dim_in_pixel();
    if width < MIN_SIZE || height < MIN_SIZE {
        return Err(DashboardError::TooSmall { width, height, min: MIN_SIZE });
    }
    root.fill(&BACKGROUND)?;
    let body = root.titled(&data.title, theme::title_font())?;
    let panels = body.split_evenly((2, 2)); // plt.subplots(2, 2)
    loss_panel(&panels[0], &data.train_loss, &data.val_loss, None)?;
    confusion_panel(&panels[1], &data.confusion, &data.class_names)?;
    importance_panel(&panels[2], &data.importance)?;
    confidence_panel(&panels[3], &data.predicted, &data.confidence, &data.class_names)?;
    root.present()?;
    Ok(())
}

/// The dashboard as an SVG document of `size` pixels.
pub fn dashboard_svg(data: &DashboardData, size: (u32, u32)) -> Result<String> {
    let mut svg = String::new();
    draw_dashboard(&SVGBackend::with_string(&mut svg, size).into_drawing_area(), data)?;
    Ok(svg)
}
// ANCHOR_END: draw

// ANCHOR: best_epoch
/// Epoch (0-based) with the lowest validation loss; the first one on ties.
pub fn best_epoch(val_loss: &[f64]) -> usize {
    // ANCHOR: exercise_best_epoch
    val_loss.iter().enumerate().fold((0, f64::INFINITY), |best, (i, &v)| if v < best.1 { (i, v) } else { best }).0
    // ANCHOR_END: exercise_best_epoch
}
// ANCHOR_END: best_epoch

/// The panel's chart builder with the book's margins and fonts.
fn panel<'a, 'b, DB: DrawingBackend>(area: &'a DrawingArea<DB, Shift>, caption: &str) -> ChartBuilder<'a, 'b, DB> {
    let mut builder = ChartBuilder::on(area);
    builder.caption(caption, theme::panel_title_font()).margin(12).x_label_area_size(42).y_label_area_size(64);
    builder
}

// ANCHOR: loss_panel
/// Panel 1: training and validation loss per epoch (log scale), the best epoch marked. With `smoothing` (a
/// weight in [0, 1), as TensorBoard's slider), the raw curves are drawn faint and their moving averages on top.
pub fn loss_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, train: &[f64], val: &[f64], smoothing: Option<f64>) -> Result {
    let epochs = train.len();
    let (lo, hi) = train.iter().chain(val).fold((f64::INFINITY, 0.0f64), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    // plotters places log-axis ticks from the first power of ten above the axis start upwards, so start the
    // axis just below one (exactly at it, rounding can skip it)
    let (bottom, top) = (0.99 * 10f64.powf((lo * 0.8).log10().floor()), hi * 1.25);
    let mut chart = panel(area, "Loss per epoch").build_cartesian_2d(1..epochs.max(2), (bottom..top).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc("cross-entropy (log scale)")
        // over more than a decade, label the powers of ten only (as Matplotlib does); the 2..9 in between crowd
        .y_labels(if top / bottom > 10.0 { 4 } else { 10 })
        .axis_desc_style(theme::label_font())
        .label_style(theme::small_font())
        .light_line_style(MUTED.mix(0.4))
        .bold_line_style(MUTED)
        .y_label_formatter(&|v| format!("{v:.2}"))
        .draw()?;
    let points = |series: &[f64]| series.iter().enumerate().map(|(e, &v)| (e + 1, v)).collect::<Vec<_>>();
    for (i, (name, series)) in [("train", train), ("validation", val)].into_iter().enumerate() {
        let color = theme::color(i);
        let shown = match smoothing {
            Some(weight) => {
                chart.draw_series(LineSeries::new(points(series), color.mix(0.3).stroke_width(1)))?;
                crate::curves::smooth(series, weight)
            }
            None => series.to_vec(),
        };
        let label = if smoothing.is_some() { format!("{name} (smoothed)") } else { name.to_string() };
        chart
            .draw_series(LineSeries::new(points(&shown), color.stroke_width(2)))?
            .label(label)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2)));
    }
    // the checkpoint is chosen on the raw validation loss, so the mark sits on the raw curve
    let best = best_epoch(val);
    let (x, y) = (best + 1, val[best]);
    chart.draw_series(DashedLineSeries::new([(x, bottom), (x, top)], 6, 4, INK.mix(0.6).stroke_width(1)))?;
    chart
        .draw_series([Circle::new((x, y), 5, theme::color(1).filled())])?
        .label(format!("best: epoch {x}, {y:.3}"))
        .legend(|(x, y)| Circle::new((x + 10, y), 5, theme::color(1).filled()));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(BACKGROUND.mix(0.9))
        .border_style(MUTED)
        .label_font(theme::small_font())
        .draw()?;
    Ok(())
}
// ANCHOR_END: loss_panel

fn segment_label(names: &[String], reversed: bool) -> impl Fn(&SegmentValue<usize>) -> String + '_ {
    move |v| match v {
        SegmentValue::CenterOf(i) | SegmentValue::Exact(i) if *i < names.len() => {
            names[if reversed { names.len() - 1 - i } else { *i }].clone()
        }
        _ => String::new(),
    }
}

// ANCHOR: confusion_panel
/// Panel 2: the confusion matrix as a heatmap, counts written in the cells, truth on the rows.
pub fn confusion_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, counts: &[Vec<u64>], names: &[String]) -> Result {
    // ANCHOR: exercise_confusion_panel
    let n = names.len();
    let total: u64 = counts.iter().flatten().sum();
    let correct: u64 = (0..n).map(|i| counts[i][i]).sum();
    let caption = format!("Confusion matrix, held-out set (accuracy {:.1}%)", 100.0 * correct as f64 / total as f64);
    let mut chart = panel(area, &caption).y_label_area_size(95).build_cartesian_2d(crate::categories(n), crate::categories(n))?;
    let (x_names, y_names) = (segment_label(names, false), segment_label(names, true));
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("predicted")
        .y_desc("true")
        .axis_desc_style(theme::label_font())
        .label_style(theme::small_font())
        .x_label_formatter(&x_names)
        .y_label_formatter(&y_names)
        .draw()?;
    let max = counts.iter().flatten().copied().max().unwrap_or(1).max(1) as f64;
    let cell = |i: usize, j: usize| {
        let row = n - 1 - i; // the first class at the top, as in a printed matrix
        (SegmentValue::Exact(j), SegmentValue::Exact(row), SegmentValue::Exact(j + 1), SegmentValue::Exact(row + 1))
    };
    chart.draw_series((0..n).flat_map(|i| (0..n).map(move |j| (i, j))).map(|(i, j)| {
        let (x0, y0, x1, y1) = cell(i, j);
        Rectangle::new([(x0, y0), (x1, y1)], theme::sequential(counts[i][j] as f64 / max).filled())
    }))?;
    chart.draw_series((0..n).flat_map(|i| (0..n).map(move |j| (i, j))).map(|(i, j)| {
        let style = theme::recolor(theme::label_font(), theme::ink_on(theme::sequential(counts[i][j] as f64 / max)));
        let at = (SegmentValue::CenterOf(j), SegmentValue::CenterOf(n - 1 - i));
        Text::new(counts[i][j].to_string(), at, style.pos(Pos::new(HPos::Center, VPos::Center)))
    }))?;
    Ok(())
    // ANCHOR_END: exercise_confusion_panel
}
// ANCHOR_END: confusion_panel

// ANCHOR: importance_panel
/// Panel 3: permutation importance as horizontal bars (most important on top) with ±1 std error bars.
pub fn importance_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, importance: &[Importance]) -> Result {
    // ANCHOR: exercise_importance_panel
    let n = importance.len();
    let lo = importance.iter().map(|i| i.mean - i.std).fold(0.0f64, f64::min);
    let hi = importance.iter().map(|i| i.mean + i.std).fold(0.0f64, f64::max);
    let span = (hi - lo).max(0.01); // all zero still gives a readable axis
    let names: Vec<String> = importance.iter().map(|i| i.feature.clone()).collect();
    let mut chart = ChartBuilder::on(area)
        .caption("Permutation importance (validation set)", theme::panel_title_font())
        .margin(12)
        .x_label_area_size(42)
        .y_label_area_size(130) // room for column names
        .build_cartesian_2d(lo - 0.05 * span..hi + 0.1 * span, crate::categories(n))?;
    let y_names = segment_label(&names, true);
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_desc("drop in accuracy when the column is shuffled")
        .axis_desc_style(theme::label_font())
        .label_style(theme::small_font())
        .light_line_style(MUTED.mix(0.4))
        .bold_line_style(MUTED)
        .x_label_formatter(&|v| format!("{v:.2}"))
        .y_label_formatter(&y_names)
        .draw()?;
    let row = |k: usize| n - 1 - k;
    chart.draw_series(importance.iter().enumerate().map(|(k, imp)| {
        let (y0, y1) = (SegmentValue::Exact(row(k)), SegmentValue::Exact(row(k) + 1));
        let mut bar = Rectangle::new([(0.0, y0), (imp.mean, y1)], theme::color(0).mix(0.85).filled());
        bar.set_margin(6, 6, 0, 0);
        bar
    }))?;
    chart.draw_series(importance.iter().enumerate().map(|(k, imp)| {
        let y = SegmentValue::CenterOf(row(k));
        ErrorBar::new_horizontal(y, imp.mean - imp.std, imp.mean, imp.mean + imp.std, INK.stroke_width(1), 8)
    }))?;
    Ok(())
    // ANCHOR_END: exercise_importance_panel
}
// ANCHOR_END: importance_panel

// ANCHOR: class_histogram
/// Counts per bin of `values` in [0, 1] for each class: `counts[class][bin]`.
pub fn class_histogram(predicted: &[usize], values: &[f64], classes: usize, bins: usize) -> Vec<Vec<u64>> {
    // ANCHOR: exercise_class_histogram
    let mut counts = vec![vec![0; bins]; classes];
    for (&c, &v) in predicted.iter().zip(values) {
        let bin = ((v * bins as f64) as usize).min(bins - 1); // 1.0 falls in the last bin
        counts[c][bin] += 1;
    }
    counts
    // ANCHOR_END: exercise_class_histogram
}
// ANCHOR_END: class_histogram

// ANCHOR: confidence_panel
/// Panel 4: how confident the predictions are, a histogram stacked by predicted class.
pub fn confidence_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, predicted: &[usize], confidence: &[f64], names: &[String]) -> Result {
    // ANCHOR: exercise_confidence_panel
    const BINS: usize = 20;
    let counts = class_histogram(predicted, confidence, names.len(), BINS);
    let tallest = (0..BINS).map(|b| counts.iter().map(|c| c[b]).sum::<u64>()).max().unwrap_or(0);
    let mut chart = panel(area, "Prediction confidence (held-out set)").build_cartesian_2d(0.0..1.0, 0..(tallest + tallest / 8 + 1))?;
    chart
        .configure_mesh()
        .x_desc("probability of the predicted class")
        .y_desc("held-out rows")
        .axis_desc_style(theme::label_font())
        .label_style(theme::small_font())
        .light_line_style(MUTED.mix(0.4))
        .bold_line_style(MUTED)
        .x_label_formatter(&|v| format!("{v:.1}"))
        .draw()?;
    let width = 1.0 / BINS as f64;
    let mut below = vec![0u64; BINS];
    for (c, name) in names.iter().enumerate() {
        let color = theme::color(c);
        let bars: Vec<_> = (0..BINS)
            .filter(|&b| counts[c][b] > 0)
            .map(|b| {
                let x0 = b as f64 * width;
                let mut bar = Rectangle::new([(x0, below[b]), (x0 + width, below[b] + counts[c][b])], color.filled());
                bar.set_margin(0, 0, 1, 1);
                bar
            })
            .collect();
        (0..BINS).for_each(|b| below[b] += counts[c][b]);
        chart
            .draw_series(bars)?
            .label(name.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], color.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(BACKGROUND.mix(0.9))
        .border_style(MUTED)
        .label_font(theme::small_font())
        .draw()?;
    Ok(())
    // ANCHOR_END: exercise_confidence_panel
}
// ANCHOR_END: confidence_panel

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> DashboardData {
        DashboardData {
            title: "test".into(),
            train_loss: vec![1.0, 0.5, 0.3, 0.2],
            val_loss: vec![1.1, 0.6, 0.4, 0.45],
            class_names: vec!["a".into(), "b".into()],
            confusion: vec![vec![5, 1], vec![0, 4]],
            importance: vec![Importance { feature: "x".into(), mean: 0.2, std: 0.05 }],
            predicted: vec![0, 1, 1],
            confidence: vec![0.9, 1.0, 0.55],
        }
    }

    /// The training-curves page's Python tab (Matplotlib and pandas' `ewm`): the same best epoch and smoothed
    /// curve from the losses it printed, and the Rust panel draws them.
    #[test]
    fn loss_panel_agrees_with_its_python_tab() {
        let shown = course_utils::printed::python_tab("visualization/python/loss_panel.md").unwrap();
        let line = |label: &str| course_utils::printed::labelled(&shown, label).unwrap_or_else(|| panic!("no `{label}` line in:\n{shown}"));
        let (train, val) = (line("train"), line("val"));
        assert_eq!(vec![(best_epoch(&val) + 1) as f64], line("best epoch"), "{shown}");
        let (rust, python) = (crate::curves::smooth(&val, 0.6), line("smoothed val"));
        assert_eq!((val.len(), rust.len()), (10, python.len()), "{shown}");
        for (r, p) in rust.iter().zip(&python) {
            assert!((r - p).abs() <= 5e-7, "smoothed: Rust {r}, pandas printed {p} (6 decimals)");
        }
        let mut svg = String::new();
        loss_panel(&SVGBackend::with_string(&mut svg, (700, 400)).into_drawing_area(), &train, &val, Some(0.6)).unwrap();
        assert!(svg.contains("Loss per epoch") && svg.contains("validation (smoothed)"));
    }

    #[test]
    fn a_valid_dashboard_draws_all_four_panels() {
        let svg = dashboard_svg(&sample(), (900, 700)).unwrap();
        for text in ["Loss per epoch", "Confusion matrix", "Permutation importance", "Prediction confidence", "best: epoch 3, 0.400"] {
            assert!(svg.contains(text), "{text} missing");
        }
        assert!(svg.contains("accuracy 90.0%"), "9 of 10 held-out rows are on the diagonal");
    }

    #[test]
    fn validate_makes_every_bad_input_a_clear_error() {
        type Edit = fn(&mut DashboardData);
        let cases: [(Edit, DashboardError); 10] = [
            (|d| d.train_loss.clear(), DashboardError::Empty { series: "train_loss" }),
            (|d| d.val_loss.pop().map(drop).unwrap_or(()), DashboardError::LengthMismatch { first: "train_loss", first_len: 4, second: "val_loss", second_len: 3 }),
            (|d| d.val_loss[2] = f64::NAN, DashboardError::NotFinite { series: "val_loss", index: 2, value: f64::NAN }),
            (|d| d.confusion[1].push(3), DashboardError::ConfusionShape { classes: 2, row: 1, len: 3 }),
            (|d| d.confusion = vec![vec![0, 0], vec![0, 0]], DashboardError::EmptyConfusion),
            (|d| d.confusion.pop().map(drop).unwrap_or(()), DashboardError::LengthMismatch { first: "class_names", first_len: 2, second: "confusion", second_len: 1 }),
            (|d| d.importance.clear(), DashboardError::Empty { series: "importance" }),
            (|d| d.confidence[1] = 1.5, DashboardError::NotAProbability { index: 1, value: 1.5 }),
            (|d| d.predicted[0] = 2, DashboardError::UnknownClass { index: 0, class: 2, classes: 2 }),
            (|d| d.predicted.push(0), DashboardError::LengthMismatch { first: "predicted", first_len: 4, second: "confidence", second_len: 3 }),
        ];
        for (edit, expected) in cases {
            let mut data = sample();
            edit(&mut data);
            let got = dashboard_svg(&data, (900, 700)).unwrap_err();
            // NaN != NaN, so compare the messages, which name the series and the index
            assert_eq!(got.to_string(), expected.to_string());
        }
        assert_eq!(dashboard_svg(&sample(), (300, 700)).unwrap_err(), DashboardError::TooSmall { width: 300, height: 700, min: MIN_SIZE });
    }

    #[test]
    fn class_histogram_counts_every_row_once_and_puts_one_in_the_last_bin() {
        let counts = class_histogram(&[0, 1, 1, 0], &[0.0, 0.51, 1.0, 0.999], 2, 10);
        assert_eq!(counts[0][0], 1);
        assert_eq!(counts[1][5], 1);
        assert_eq!(counts[1][9], 1);
        assert_eq!(counts[0][9], 1);
        assert_eq!(counts.iter().flatten().sum::<u64>(), 4);
    }

    /// One panel drawn alone onto a 600x450 SVG, as text.
    fn panel_svg(draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result) -> String {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (600, 450)).into_drawing_area();
            draw(&root).unwrap();
            root.present().unwrap();
        }
        svg
    }

    /// The `y` of the (first) text element that reads `label` exactly; plotters writes the text on its own line.
    fn text_y(svg: &str, label: &str) -> f64 {
        let end = svg.find(&format!(">\n{label}\n</text>")).unwrap_or_else(|| panic!("no text {label:?}"));
        let start = svg[..end].rfind("<text").unwrap();
        let y = &svg[start..end][svg[start..end].find(" y=\"").unwrap() + 4..];
        y[..y.find('"').unwrap()].parse().unwrap()
    }

    /// How many rectangles are filled with `color`.
    fn rects_filled(svg: &str, color: RGBColor) -> usize {
        let fill = format!("fill=\"#{:02X}{:02X}{:02X}\"", color.0, color.1, color.2);
        svg.split("<rect").skip(1).filter(|r| r[..r.find("/>").unwrap_or(r.len())].contains(&fill)).count()
    }

    #[test]
    fn confusion_panel_writes_every_count_and_the_accuracy() {
        let names = ["setosa".to_string(), "virginica".to_string()];
        let svg = panel_svg(|area| confusion_panel(area, &[vec![5, 1], vec![0, 4]], &names));
        assert!(svg.contains("accuracy 90.0%"), "9 of 10 on the diagonal");
        for count in ["5", "1", "0", "4"] {
            text_y(&svg, count);
        }
        // truth on the rows, the first class at the top: its count 5 above the second class's 4
        assert!(text_y(&svg, "5") < text_y(&svg, "4"));
        // each class names a row and a column
        assert_eq!((svg.matches(">\nsetosa\n</text>").count(), svg.matches(">\nvirginica\n</text>").count()), (2, 2));
        // the largest count gets the darkest cell, the empty one the lightest
        assert_eq!(rects_filled(&svg, theme::sequential(1.0)), 1);
        assert_eq!(rects_filled(&svg, theme::sequential(0.0)), 1);
    }

    #[test]
    fn importance_panel_draws_one_bar_per_column_in_order() {
        let importance = [Importance { feature: "bill length".into(), mean: 0.3, std: 0.05 }, Importance { feature: "body mass".into(), mean: 0.1, std: 0.02 }];
        let svg = panel_svg(|area| importance_panel(area, &importance));
        assert!(svg.contains("Permutation importance"));
        assert!(text_y(&svg, "bill length") < text_y(&svg, "body mass"), "the first column on top");
        assert_eq!(rects_filled(&svg, theme::color(0)), 2, "one bar per column");
    }

    #[test]
    fn confidence_panel_stacks_one_bar_per_class_and_bin() {
        let names = ["a".to_string(), "b".to_string()];
        // class a: one row in the 0.90 bin; class b: rows in the 0.55 and the last bin (1.0 falls in it)
        let svg = panel_svg(|area| confidence_panel(area, &[0, 1, 1], &[0.9, 1.0, 0.55], &names));
        assert!(svg.contains("Prediction confidence"));
        // bars plus the legend's swatch, in each class's colour
        assert_eq!(rects_filled(&svg, theme::color(0)), 1 + 1);
        assert_eq!(rects_filled(&svg, theme::color(1)), 2 + 1);
        text_y(&svg, "a");
        text_y(&svg, "b");
    }

    #[test]
    fn best_epoch_is_the_first_minimum() {
        assert_eq!(best_epoch(&[3.0, 1.0, 2.0, 1.0]), 1);
        assert_eq!(best_epoch(&[0.5]), 0);
    }
}
