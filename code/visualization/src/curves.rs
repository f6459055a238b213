//! Training curves: train and validation loss per epoch, the best epoch marked, optional smoothing.
//! The drawing itself is the dashboard's first panel, [`crate::dashboard::loss_panel`].

use crate::FigureError;
use crate::dashboard::{DashboardError, loss_panel};
use course_utils::theme::BACKGROUND;
use plotters::prelude::*;

// ANCHOR: smooth
/// Exponential moving average with TensorBoard's smoothing weight: `s[0] = x[0]`,
/// `s[t] = weight * s[t-1] + (1 - weight) * x[t]`. A weight of 0 returns the values unchanged.
pub fn smooth(values: &[f64], weight: f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(values.len());
    for &v in values {
        let next = match out.last() {
            Some(&previous) => weight * previous + (1.0 - weight) * v,
            None => v,
        };
        out.push(next);
    }
    out
}
// ANCHOR_END: smooth

// ANCHOR: curves
/// A standalone training-curves figure. `smoothing`, if given, must lie in [0, 1).
pub fn training_curves_svg(train: &[f64], val: &[f64], smoothing: Option<f64>, size: (u32, u32)) -> Result<String, FigureError> {
    if let Some(w) = smoothing.filter(|w| !(0.0..1.0).contains(w)) {
        return Err(FigureError::Data { what: format!("smoothing {w}"), why: "the weight must lie in [0, 1)" });
    }
    if train.is_empty() {
        return Err(DashboardError::Empty { series: "train_loss" }.into());
    }
    if train.len() != val.len() {
        let e = DashboardError::LengthMismatch { first: "train_loss", first_len: train.len(), second: "val_loss", second_len: val.len() };
        return Err(e.into());
    }
    if let Some((i, &v)) = train.iter().chain(val).enumerate().find(|(_, v)| !(v.is_finite() && **v > 0.0)) {
        let series = if i < train.len() { "train_loss" } else { "val_loss" };
        return Err(DashboardError::NotFinite { series, index: i % train.len(), value: v }.into());
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&BACKGROUND)?;
        loss_panel(&root, train, val, smoothing)?;
        root.present()?;
    }
    Ok(svg)
}
// ANCHOR_END: curves

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smoothing_is_an_exponential_moving_average() {
        assert_eq!(smooth(&[1.0, 3.0, 3.0], 0.5), [1.0, 2.0, 2.5]);
        assert_eq!(smooth(&[4.0, 1.0, 7.0], 0.0), [4.0, 1.0, 7.0]);
        assert!(smooth(&[], 0.9).is_empty());
        // a constant stays constant whatever the weight
        assert!(smooth(&[2.0; 10], 0.9).iter().all(|&v| (v - 2.0).abs() < 1e-15));
    }

    #[test]
    fn curves_reject_bad_series_and_weights() {
        let ok = [1.0, 0.5];
        assert!(training_curves_svg(&ok, &ok, Some(1.0), (600, 400)).is_err());
        assert!(training_curves_svg(&ok, &ok[..1], None, (600, 400)).is_err());
        assert!(training_curves_svg(&[1.0, f64::NAN], &ok, None, (600, 400)).is_err());
        assert!(training_curves_svg(&[], &[], None, (600, 400)).is_err());
        let svg = training_curves_svg(&ok, &[1.2, 0.7], Some(0.6), (600, 400)).unwrap();
        assert!(svg.contains("train (smoothed)") && svg.contains("best: epoch 2, 0.700"));
    }
}
