//! Three ways to sum a million `f64`: the workload of the chapter's first comparison.

use ndarray::Array1;

// ANCHOR: sum_loop
/// An index loop, as a newcomer might write it: one bounds-checked access per element.
pub fn sum_loop(x: &Array1<f64>) -> f64 {
    let mut total = 0.0;
    for i in 0..x.len() {
        total += x[i];
    }
    total
}
// ANCHOR_END: sum_loop

// ANCHOR: sum_iter
/// The iterator sum: no index, no bounds check; still one addition after another.
pub fn sum_iter(x: &Array1<f64>) -> f64 {
    x.iter().sum()
}
// ANCHOR_END: sum_iter

// ANCHOR: sum_ndarray
/// ndarray's `sum`: the NumPy `x.sum()` counterpart.
pub fn sum_ndarray(x: &Array1<f64>) -> f64 {
    x.sum()
}
// ANCHOR_END: sum_ndarray

#[cfg(test)]
mod tests {
    use super::*;
    use course_utils::{Agree, Tolerance};

    #[test]
    fn all_three_sums_agree_with_the_closed_form() {
        // 0 + 1 + ... + (n-1) = n(n-1)/2, exact in f64 for this n
        let n = 1_000_001usize;
        let x = Array1::from_iter((0..n).map(|i| i as f64));
        let expected = (n * (n - 1) / 2) as f64;
        for (name, f) in [("loop", sum_loop as fn(&Array1<f64>) -> f64), ("iter", sum_iter), ("ndarray", sum_ndarray)] {
            assert_eq!(f(&x), expected, "{name}");
        }
    }

    #[test]
    fn sums_of_rounded_values_differ_only_by_rounding() {
        let x = Array1::from_iter((1..=100_000).map(|i| 1.0 / f64::from(i)));
        // ndarray adds in a different order (several partial sums), so the last bits may differ ...
        assert!(sum_ndarray(&x).agree(&sum_loop(&x), Tolerance::new(1e-12, 0.0)).is_ok());
        // ... while the loop and the iterator add in the same order and agree exactly.
        assert_eq!(sum_iter(&x), sum_loop(&x));
        assert_eq!(sum_loop(&Array1::zeros(0)), 0.0);
    }
}
