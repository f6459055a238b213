//! The code of this chapter's quizzes (quizzes/*.toml) and the tests that compute their answers.

use course_quiz::correct;
use plotters::prelude::*;

type TestResult = Result<(), Box<dyn std::error::Error>>;

// Fundamentals

#[test]
fn subplot_order() -> TestResult {
    // ANCHOR: subplot_order
    let mut svg = String::new();
    let root = SVGBackend::with_string(&mut svg, (600, 400)).into_drawing_area();
    let panels = root.split_evenly((2, 3)); // fig, axes = plt.subplots(2, 3)
    let fifth = &panels[4];
    // ANCHOR_END: subplot_order
    // which row and column of the grid the panel's top-left corner lies in
    let ((x, y), (w, h)) = (fifth.get_base_pixel(), fifth.dim_in_pixel());
    assert_eq!(correct(env!("CARGO_MANIFEST_DIR"), "fundamentals", "subplot-order")?, format!("`axes[{}][{}]`", y / h as i32, x / w as i32));
    Ok(())
}

// Statistical plots

#[test]
fn density_bar() -> TestResult {
    // ANCHOR: density_bar
    let values = [1.0, 2.0, 2.0, 3.0, 9.0];
    let (lo, width) = (1.0, 2.0); // 4 bins of width 2 from 1 to 9
    let in_first_bin = values.iter().filter(|&&x| x < lo + width).count();
    let density = in_first_bin as f64 / (values.len() as f64 * width);
    println!("{density}");
    // ANCHOR_END: density_bar
    assert_eq!(correct(env!("CARGO_MANIFEST_DIR"), "statistical-plots", "density-bar")?, format!("`{density}`"));
    Ok(())
}

#[test]
fn common_norm_areas() -> TestResult {
    // two species on shared bins of width 0.5 from 0 to 1.5: one of 6 values, one of 2
    let (lo, width, bins) = (0.0, 0.5, 3);
    let large: &[f64] = &[0.1, 0.2, 0.6, 0.7, 1.1, 1.2];
    let small: &[f64] = &[0.3, 1.4];
    // common_norm=False: each species' counts divided by (its own rows x bin width); area = sum of height x width
    let area = |values: &[f64]| {
        let mut counts = vec![0.0; bins];
        for &x in values {
            counts[(((x - lo) / width) as usize).min(bins - 1)] += 1.0;
        }
        counts.iter().map(|c| c / (values.len() as f64 * width) * width).sum::<f64>()
    };
    let answer = format!("`{:.2}` and `{:.2}`", area(large), area(small));
    assert_eq!(correct(env!("CARGO_MANIFEST_DIR"), "statistical-plots", "common-norm-areas")?, answer);
    Ok(())
}

#[test]
fn box_whisker() -> TestResult {
    // ANCHOR: box_whisker
    use crate::stats::box_stats;

    let stats = box_stats(&[1.0, 2.0, 3.0, 4.0, 100.0])?;
    println!("{}", stats.whisker_high);
    // ANCHOR_END: box_whisker
    assert_eq!(correct(env!("CARGO_MANIFEST_DIR"), "statistical-plots", "box-whisker")?, format!("`{}`", stats.whisker_high));
    Ok(())
}

// Training curves

#[test]
fn ema_lag() -> TestResult {
    // ANCHOR: ema_lag
    use crate::curves::smooth;

    let losses = [1.0, 1.0, 0.0, 0.0];
    println!("{:?}", smooth(&losses, 0.5));
    // ANCHOR_END: ema_lag
    assert_eq!(correct(env!("CARGO_MANIFEST_DIR"), "training-curves", "ema-lag")?, format!("`{:?}`", smooth(&losses, 0.5)));
    Ok(())
}

#[test]
fn best_epoch_smoothed() -> TestResult {
    // ANCHOR: best_epoch_smoothed
    use crate::curves::training_curves_svg;

    let train = [1.0, 0.5, 0.4, 0.35, 0.3];
    let val = [1.0, 0.3, 0.6, 0.6, 0.6];
    let svg = training_curves_svg(&train, &val, Some(0.6), (700, 400))?;
    // ANCHOR_END: best_epoch_smoothed
    // the figure's legend says "best: epoch N, value"
    let epoch = svg.split("best: epoch ").nth(1).and_then(|rest| rest.split(',').next()).ok_or("no best-epoch label in the figure")?;
    assert_eq!(correct(env!("CARGO_MANIFEST_DIR"), "training-curves", "best-epoch-smoothed")?, format!("`{epoch}`"));
    Ok(())
}

// Attention heatmaps and activation maps

#[test]
fn colour_range() -> TestResult {
    // ANCHOR: colour_range
    // where a value sits on the colour map: 0 is the darkest colour, 1 the lightest
    let t = |v: f64, (lo, hi): (f64, f64)| (v - lo) / (hi - lo);
    println!("{} {}", t(0.25, (0.0, 1.0)), t(0.25, (-1.0, 1.0)));
    // ANCHOR_END: colour_range
    let answer = format!("`{} {}`", t(0.25, (0.0, 1.0)), t(0.25, (-1.0, 1.0)));
    assert_eq!(correct(env!("CARGO_MANIFEST_DIR"), "heatmaps", "colour-range")?, answer);
    Ok(())
}

#[test]
fn causal_zeros() -> TestResult {
    // the page's attention figure: 16 positions, queries and keys from position encodings, a causal mask
    use crate::heatmaps::positional_encoding;
    use arrays::attention::{Mask, attention_weights};
    let p = positional_encoding(16, 16);
    let q = (&p * 3.0).into_shape_with_order((1, 1, 16, 16))?;
    let k = p.into_shape_with_order((1, 1, 16, 16))?;
    let weights = attention_weights(q.view(), k.view(), Mask::Causal, 0, 0)?;
    let zeros = weights.iter().filter(|&&w| w == 0.0).count();
    assert_eq!(correct(env!("CARGO_MANIFEST_DIR"), "heatmaps", "causal-zeros")?, format!("`{zeros}`"));
    Ok(())
}
