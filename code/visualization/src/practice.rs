//! The exercises of the chapter *Visualization with plotters*, one per topic page.
//!
//! A drawing is hard to check, so these exercises compute what a plot needs before anything is drawn: an
//! axis range, the heights of a histogram's bars, a smoothed training curve, where each heatmap cell falls on
//! the colour map.
//!
//! Each function's doc comment says what to write. Replace each `todo!()` with your code, then run
//! `cargo test -p visualization-exercise <name>` (for example `cargo test -p visualization-exercise padded_range`)
//! until its tests pass. The tests are at the bottom of this file: read them, they show what is expected.

use ndarray::{Array2, ArrayView2};
use std::ops::Range;

/// What can go wrong in these exercises: one variant for each kind of input no figure can be made from.
#[derive(Debug, thiserror::Error)]
pub enum PracticeError {
    /// There are no values to plot.
    #[error("there are no values: nothing to plot")]
    Empty,
    /// A value is NaN or infinite (a diverged run, a missing value read as NaN).
    #[error("values[{index}] is {value}: every value must be finite")]
    NotFinite { index: usize, value: f64 },
    /// All values are equal, so the axis would have no width.
    #[error("all values are {value}: an axis needs two different ends")]
    NoSpread { value: f64 },
    /// A histogram was asked for 0 bins.
    #[error("a histogram needs at least one bin")]
    NoBins,
    /// A smoothing weight outside [0, 1).
    #[error("smoothing weight {weight}: it must lie in [0, 1)")]
    BadWeight { weight: f64 },
    /// A colour range that is not finite and increasing.
    #[error("colour range ({lo}, {hi}): it must be finite and increasing")]
    BadRange { lo: f64, hi: f64 },
}

/// Page "Fundamentals". The range of an axis that shows all of `values` with some room at both ends: from the
/// smallest value minus `fraction` of the span (largest minus smallest) to the largest value plus `fraction`
/// of the span. Matplotlib does this for you: `ax.margins(0.05)` (its default), or by hand
/// `ax.set_xlim(lo - pad, hi + pad)`. Here the result is a `Range<f64>`, `start..end`, which you pass to
/// `build_cartesian_2d` (a test at the bottom draws a chart with it).
///
/// Where no axis can be made, return an `Err`:
///
/// - no values: `PracticeError::Empty`;
/// - a NaN or an infinity: `PracticeError::NotFinite { index, value }`, for the first one;
/// - all values equal: `PracticeError::NoSpread { value }`.
///
/// Hint: `values.iter().enumerate().find(|(_, v)| !v.is_finite())` finds the first bad value. Then
/// `values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)))` gives
/// the smallest and the largest value in one pass, and `lo - pad..hi + pad` is the range.
pub fn padded_range(values: &[f64], fraction: f64) -> Result<Range<f64>, PracticeError> {
    // ANCHOR: exercise_padded_range
    if values.is_empty() {
        return Err(PracticeError::Empty);
    }
    if let Some((index, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(PracticeError::NotFinite { index, value });
    }
    let (lo, hi) = values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    if lo == hi {
        return Err(PracticeError::NoSpread { value: lo });
    }
    let pad = fraction * (hi - lo);
    Ok(lo - pad..hi + pad)
    // ANCHOR_END: exercise_padded_range
}

/// Page "Statistical plots". The bar heights of a density histogram of `values` with `bins` bins of equal
/// width, from the smallest value to the largest: NumPy's `np.histogram(values, bins=bins, density=True)[0]`,
/// the bars Seaborn's `histplot(stat="density")` draws. A bar's height is its bin's count divided by (number
/// of values × bin width), so that the areas of the bars add up to 1.
///
/// Bin `b` holds the values from `lo + b * width` up to, not including, `lo + (b + 1) * width`; the largest
/// value goes into the last bin, as in NumPy. Errors: `bins` is 0: `PracticeError::NoBins`; otherwise the
/// errors of `padded_range` (no values, a value that is not finite, all values equal).
///
/// Hint: `padded_range(values, 0.0)?` is the range from the smallest to the largest value, with those errors
/// already checked (write `padded_range` first). Count into `vec![0.0; bins]` at index
/// `((x - lo) / width) as usize`, capped with `.min(bins - 1)` (the largest value would land one past the
/// end), then divide every count, as the chapter's `histogram_svg` does.
pub fn density_histogram(values: &[f64], bins: usize) -> Result<Vec<f64>, PracticeError> {
    // ANCHOR: exercise_density_histogram
    if bins == 0 {
        return Err(PracticeError::NoBins);
    }
    let range = padded_range(values, 0.0)?;
    let width = (range.end - range.start) / bins as f64;
    let mut counts = vec![0.0; bins];
    for &x in values {
        counts[(((x - range.start) / width) as usize).min(bins - 1)] += 1.0;
    }
    Ok(counts.iter().map(|c| c / (values.len() as f64 * width)).collect())
    // ANCHOR_END: exercise_density_histogram
}

/// Page "Training curves". The exponential moving average of `values` with TensorBoard's smoothing weight:
/// `s[0] = x[0]`, then `s[t] = weight * s[t-1] + (1 - weight) * x[t]`. In pandas:
/// `pd.Series(values).ewm(alpha=1 - weight, adjust=False).mean()`. A weight of 0 leaves the values as they
/// are; the closer the weight is to 1, the smoother the curve, and the further it lags behind.
///
/// The weight must lie in [0, 1): otherwise return `PracticeError::BadWeight { weight }` (with a weight of 1
/// the average would never leave the first value). No values give no smoothed values.
///
/// Hint: `(0.0..1.0).contains(&weight)` checks the weight (it is false for NaN too). Then loop over the
/// values, pushing each smoothed value onto a `Vec`: `out.last()` is `None` for the first value and
/// `Some(&previous)` after it.
pub fn ema_smooth(values: &[f64], weight: f64) -> Result<Vec<f64>, PracticeError> {
    // ANCHOR: exercise_ema_smooth
    if !(0.0..1.0).contains(&weight) {
        return Err(PracticeError::BadWeight { weight });
    }
    let mut out: Vec<f64> = Vec::with_capacity(values.len());
    for &x in values {
        let next = match out.last() {
            Some(&previous) => weight * previous + (1.0 - weight) * x,
            None => x,
        };
        out.push(next);
    }
    Ok(out)
    // ANCHOR_END: exercise_ema_smooth
}

/// Page "Attention heatmaps and activation maps". Where each cell of a heatmap falls on the colour map: 0 is
/// the darkest colour (for `range.0` and below), 1 the lightest (for `range.1` and above), and a value in
/// between lies in proportion. This is what `sns.heatmap(values, vmin=lo, vmax=hi)` works out before it picks
/// the colours (Matplotlib's `Normalize(vmin=lo, vmax=hi, clip=True)(values)`); the chapter's
/// `theme::sequential(t)` then turns each position `t` into a viridis colour.
///
/// The range must be finite and increasing (`lo < hi`): otherwise return `PracticeError::BadRange { lo, hi }`.
/// A NaN cell stays NaN. An empty matrix gives an empty matrix of the same shape.
///
/// Hint: `(v - lo) / (hi - lo)` is the position, and `.clamp(0.0, 1.0)` keeps it between 0 and 1.
/// `values.mapv(|v| ...)` applies a closure to every cell and returns a new `Array2`.
pub fn colour_positions(values: ArrayView2<'_, f64>, range: (f64, f64)) -> Result<Array2<f64>, PracticeError> {
    // ANCHOR: exercise_colour_positions
    let (lo, hi) = range;
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        return Err(PracticeError::BadRange { lo, hi });
    }
    Ok(values.mapv(|v| ((v - lo) / (hi - lo)).clamp(0.0, 1.0)))
    // ANCHOR_END: exercise_colour_positions
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn padded_range_adds_the_margin_at_both_ends() {
        // span 4, a quarter of it on each side
        assert_eq!(padded_range(&[1.0, 5.0, 3.0], 0.25).unwrap(), 0.0..6.0);
        assert_eq!(padded_range(&[-2.0, 2.0], 0.5).unwrap(), -4.0..4.0);
        // no margin: from the smallest value to the largest, whatever their order
        assert_eq!(padded_range(&[3.0, 1.0, 5.0], 0.0).unwrap(), 1.0..5.0);
    }

    #[test]
    fn padded_range_feeds_a_chart() -> Result<(), Box<dyn std::error::Error>> {
        use plotters::prelude::*;
        let (epochs, losses) = ([1.0, 2.0, 3.0, 4.0], [0.9, 0.5, 0.35, 0.3]);
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (480, 320)).into_drawing_area();
            root.fill(&WHITE)?;
            let mut chart = ChartBuilder::on(&root)
                .margin(10)
                .x_label_area_size(35)
                .y_label_area_size(45)
                .build_cartesian_2d(padded_range(&epochs, 0.05)?, padded_range(&losses, 0.05)?)?; // ax.margins(0.05)
            chart.configure_mesh().x_desc("epoch").y_desc("loss").draw()?;
            chart.draw_series(LineSeries::new(epochs.into_iter().zip(losses), BLUE.stroke_width(2)))?;
            root.present()?;
        }
        assert!(svg.contains("<polyline"));
        Ok(())
    }

    #[test]
    fn padded_range_refuses_what_cannot_be_an_axis() {
        let result = padded_range(&[], 0.05);
        assert!(matches!(result, Err(PracticeError::Empty)), "{result:?}");
        let result = padded_range(&[1.0, f64::NAN, f64::INFINITY], 0.05);
        assert!(matches!(result, Err(PracticeError::NotFinite { index: 1, .. })), "{result:?}");
        // one value, or equal values: the axis would have no width
        let result = padded_range(&[2.0], 0.05);
        assert!(matches!(result, Err(PracticeError::NoSpread { value }) if value == 2.0), "{result:?}");
        let result = padded_range(&[3.0, 3.0, 3.0], 0.05);
        assert!(matches!(result, Err(PracticeError::NoSpread { value }) if value == 3.0), "{result:?}");
    }

    #[test]
    fn density_histogram_matches_numpy() {
        // np.histogram([0, 1, 1, 4], bins=4, density=True)[0]: edges 0, 1, 2, 3, 4 and counts 1, 2, 0, 1
        // (the largest value, 4, goes into the last bin)
        assert_eq!(density_histogram(&[0.0, 1.0, 1.0, 4.0], 4).unwrap(), [0.25, 0.5, 0.0, 0.25]);
        // one bin holds everything: 3 / (3 values x width 3)
        assert_eq!(density_histogram(&[2.0, 3.0, 5.0], 1).unwrap(), [1.0 / 3.0]);
    }

    #[test]
    fn density_histogram_counts_like_a_loop_and_has_area_one() {
        let values: Vec<f64> = (0..50).map(|i| f64::from((i * 37) % 23) * 0.5).collect(); // 0, 0.5, ..., 11
        let density = density_histogram(&values, 7).unwrap();
        assert_eq!(density.len(), 7);
        let (lo, width) = (0.0, 11.0 / 7.0);
        for (b, &d) in density.iter().enumerate() {
            let (left, right) = (lo + b as f64 * width, lo + (b + 1) as f64 * width);
            let count = values.iter().filter(|&&x| left <= x && (x < right || b == 6)).count();
            assert!((d - count as f64 / (50.0 * width)).abs() < 1e-12, "bin {b}: {d}");
        }
        let area: f64 = density.iter().map(|d| d * width).sum();
        assert!((area - 1.0).abs() < 1e-12, "area {area}");
    }

    #[test]
    fn density_histogram_refuses_bad_input() {
        let result = density_histogram(&[1.0, 2.0], 0);
        assert!(matches!(result, Err(PracticeError::NoBins)), "{result:?}");
        let result = density_histogram(&[], 10);
        assert!(matches!(result, Err(PracticeError::Empty)), "{result:?}");
        let result = density_histogram(&[4.0, 4.0], 10);
        assert!(matches!(result, Err(PracticeError::NoSpread { value }) if value == 4.0), "{result:?}");
        let result = density_histogram(&[1.0, 2.0, f64::NAN], 10);
        assert!(matches!(result, Err(PracticeError::NotFinite { index: 2, .. })), "{result:?}");
    }

    #[test]
    fn ema_smooth_matches_pandas() {
        // pd.Series([1, 3, 3]).ewm(alpha=0.5, adjust=False).mean()
        assert_eq!(ema_smooth(&[1.0, 3.0, 3.0], 0.5).unwrap(), [1.0, 2.0, 2.5]);
        // a step from 0 to 1: the average gets there only gradually (the lag)
        assert_eq!(ema_smooth(&[0.0, 0.0, 1.0, 1.0, 1.0], 0.5).unwrap(), [0.0, 0.0, 0.5, 0.75, 0.875]);
        // a constant stays constant, whatever the weight
        assert!(ema_smooth(&[2.0; 10], 0.9).unwrap().iter().all(|&v| (v - 2.0).abs() < 1e-12));
    }

    #[test]
    fn ema_smooth_with_weight_zero_or_few_values() {
        assert_eq!(ema_smooth(&[4.0, 1.0, 7.0], 0.0).unwrap(), [4.0, 1.0, 7.0]);
        assert_eq!(ema_smooth(&[0.7], 0.9).unwrap(), [0.7]);
        assert!(ema_smooth(&[], 0.6).unwrap().is_empty());
    }

    #[test]
    fn ema_smooth_refuses_weights_outside_zero_to_one() {
        let result = ema_smooth(&[1.0, 2.0], 1.0);
        assert!(matches!(result, Err(PracticeError::BadWeight { weight }) if weight == 1.0), "{result:?}");
        let result = ema_smooth(&[1.0, 2.0], -0.1);
        assert!(matches!(result, Err(PracticeError::BadWeight { .. })), "{result:?}");
        let result = ema_smooth(&[1.0, 2.0], f64::NAN);
        assert!(matches!(result, Err(PracticeError::BadWeight { weight }) if weight.is_nan()), "{result:?}");
    }

    #[test]
    fn colour_positions_scale_into_the_range() {
        // probabilities on 0 .. 1: values above the range take the lightest colour
        let p = colour_positions(array![[0.0, 0.5], [1.0, 2.0]].view(), (0.0, 1.0)).unwrap();
        assert_eq!(p, array![[0.0, 0.5], [1.0, 1.0]]);
        // correlations on -1 .. 1: 0 is half way
        let r = colour_positions(array![[-1.0, 0.0], [0.5, 1.0]].view(), (-1.0, 1.0)).unwrap();
        assert_eq!(r, array![[0.0, 0.5], [0.75, 1.0]]);
        // the ends of the range take the ends of viridis
        use course_utils::theme::sequential;
        assert_eq!((sequential(r[[0, 0]]), sequential(r[[1, 1]])), (sequential(0.0), sequential(1.0)));
    }

    #[test]
    fn colour_positions_match_a_loop() {
        let values = array![[-3.0, -2.0, 0.5], [1.0, 3.0, 7.5]];
        let (lo, hi) = (-2.0, 3.0);
        let p = colour_positions(values.view(), (lo, hi)).unwrap();
        assert_eq!(p.dim(), (2, 3));
        for ((r, c), &v) in values.indexed_iter() {
            let expected = if v <= lo {
                0.0
            } else if v >= hi {
                1.0
            } else {
                (v - lo) / (hi - lo)
            };
            assert_eq!(p[[r, c]], expected, "cell ({r}, {c}) holds {v}");
        }
    }

    #[test]
    fn colour_positions_of_empty_or_nan_cells() {
        let empty = Array2::<f64>::zeros((0, 3));
        assert_eq!(colour_positions(empty.view(), (0.0, 1.0)).unwrap().dim(), (0, 3));
        let p = colour_positions(array![[f64::NAN, 0.25]].view(), (0.0, 1.0)).unwrap();
        assert!(p[[0, 0]].is_nan() && p[[0, 1]] == 0.25, "{p}");
    }

    #[test]
    fn colour_positions_refuse_a_bad_range() {
        let values = array![[0.0, 1.0]];
        for (lo, hi) in [(1.0, 0.0), (1.0, 1.0), (0.0, f64::NAN), (f64::NEG_INFINITY, 1.0)] {
            let result = colour_positions(values.view(), (lo, hi));
            assert!(matches!(result, Err(PracticeError::BadRange { .. })), "({lo}, {hi}): {result:?}");
        }
    }
}
