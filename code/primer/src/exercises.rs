//! The exercises of the chapter *Rust for Python programmers*, one or two per page.
//!
//! Each function's doc comment says what to write. Replace each `todo!()` with your code, then run
//! `cargo test -p primer-exercise <name>` (for example `cargo test -p primer-exercise column_means`) until its
//! tests pass. The tests are at the bottom of this file: read them, they show what is expected.

use ndarray::{Array1, Array2, ArrayView1, Axis};

/// What can go wrong in these exercises: one variant for each mistake, each with its message. In Python you
/// would write one exception class for each (`class NoColumns(ValueError): ...`) and `raise` them.
#[derive(Debug, thiserror::Error)]
pub enum PrimerError {
    /// `from_rows` was asked for rows of 0 columns.
    #[error("a row needs at least one column (ncols was 0)")]
    NoColumns,
    /// `from_rows` got a number of values that does not fill whole rows.
    #[error("{len} values do not fill rows of {ncols}")]
    RaggedRows { len: usize, ncols: usize },
    /// Any other shape error of ndarray. `#[from]` lets `?` turn an `ndarray::ShapeError` into this variant.
    #[error("bad shape: {0}")]
    Shape(#[from] ndarray::ShapeError),
    /// `Standardizer::fit` needs at least two values.
    #[error("need at least 2 values to fit, got {len}")]
    TooFewValues { len: usize },
    /// `Standardizer::fit` got values that are all equal: scaling by their spread would divide by zero.
    #[error("all values are equal: the standard deviation is 0")]
    ZeroStd,
}

/// Page "Cargo: build, run, test". Returns the mean of each column of `a`: NumPy's `a.mean(axis=0)`.
///
/// `a: &Array2<f64>` is a matrix of floats that the function reads but does not keep (the next page explains
/// the `&`). Hint: `a.sum_axis(Axis(0))` sums each column, and `a.nrows() as f64` is the number of rows as a
/// float; an array divided by a float divides every element. With no rows, every mean is NaN (0 / 0), as in
/// NumPy.
pub fn column_means(a: &Array2<f64>) -> Array1<f64> {
    // ANCHOR: exercise_column_means
    let nrows = a.nrows() as f64;
    a.sum_axis(Axis(0)) / nrows
    // ANCHOR_END: exercise_column_means
}

/// Page "Values, ownership and borrowing". Subtracts the mean of `a` from each of its values, in the caller's
/// own array: NumPy's `a -= a.mean()`. Nothing is returned: `&mut` lends the array for writing.
///
/// Hint: compute the mean first (`a.sum()` and `a.len() as f64`), then loop over `a.iter_mut()` and change
/// each `*x`. (`*a -= mean;` does the same to the whole array at once.) An empty array stays empty.
pub fn center_in_place(a: &mut Array1<f64>) {
    // ANCHOR: exercise_center_in_place
    let mean = a.sum() / a.len() as f64;
    for x in a.iter_mut() {
        *x -= mean;
    }
    // ANCHOR_END: exercise_center_in_place
}

/// Page "Errors: Result, Option and ?". Builds a matrix of `ncols` columns from `values`, laid out row after
/// row: NumPy's `np.array(values).reshape(-1, ncols)`. Where NumPy would raise, return an `Err`:
///
/// - `ncols` is 0: `PrimerError::NoColumns`;
/// - `values.len()` is not a multiple of `ncols`: `PrimerError::RaggedRows { len, ncols }`, with `len` the
///   number of values.
///
/// No values at all (and `ncols` above 0) is a matrix of 0 rows, not an error.
///
/// Hint: `values.len().checked_div(ncols)` is the number of rows, or `None` when `ncols` is 0;
/// `.ok_or(PrimerError::NoColumns)?` turns that `None` into a returned error. Then
/// `Array2::from_shape_vec((nrows, ncols), values)` builds the matrix, and `?` turns its `ShapeError` into a
/// `PrimerError`.
pub fn from_rows(values: Vec<f64>, ncols: usize) -> Result<Array2<f64>, PrimerError> {
    // ANCHOR: exercise_from_rows
    let nrows = values.len().checked_div(ncols).ok_or(PrimerError::NoColumns)?;
    if nrows * ncols != values.len() {
        return Err(PrimerError::RaggedRows { len: values.len(), ncols });
    }
    Ok(Array2::from_shape_vec((nrows, ncols), values)?)
    // ANCHOR_END: exercise_from_rows
}

/// Page "Iterators and closures". The mean absolute error of `predictions` against `targets`:
/// `np.mean(np.abs(predictions - targets))`. Returns `None` when the two have different lengths (NumPy would
/// raise) or are empty (NumPy would return nan).
///
/// `&[f64]` is a borrowed run of floats: a `Vec<f64>` lent with `&v`, for example. Hint:
/// `predictions.iter().zip(targets)` walks both in step, giving pairs `(p, t)`; `.map(...)` and `.sum()` do the
/// rest (write `let total: f64 = ...` so that `sum` knows which type to make).
pub fn mean_absolute_error(predictions: &[f64], targets: &[f64]) -> Option<f64> {
    // ANCHOR: exercise_mean_absolute_error
    if predictions.is_empty() || predictions.len() != targets.len() {
        return None;
    }
    let total: f64 = predictions.iter().zip(targets).map(|(p, t)| (p - t).abs()).sum();
    Some(total / predictions.len() as f64)
    // ANCHOR_END: exercise_mean_absolute_error
}

/// Scales one feature to mean 0 and standard deviation 1, as scikit-learn's `StandardScaler` does for each
/// column: `fit` learns the mean and the standard deviation, `transform` applies them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Standardizer {
    pub mean: f64,
    /// the population standard deviation (NumPy's `np.std`, `ddof=0`); never 0
    pub std: f64,
}

impl Standardizer {
    /// Page "Structs, enums and signatures". Learns the mean and the standard deviation of `values`, like the
    /// page's `fit`, but returns an error instead of failing:
    ///
    /// - fewer than 2 values: `PrimerError::TooFewValues { len }`, with `len` the number of values;
    /// - a standard deviation of 0 (all values equal): `PrimerError::ZeroStd`.
    ///
    /// Hint: `values.std(0.0)` is NumPy's `values.std()` (the `0.0` is NumPy's `ddof=0`).
    pub fn fit(values: ArrayView1<'_, f64>) -> Result<Standardizer, PrimerError> {
        // ANCHOR: exercise_standardizer_fit
        if values.len() < 2 {
            return Err(PrimerError::TooFewValues { len: values.len() });
        }
        let (mean, std) = (values.sum() / values.len() as f64, values.std(0.0));
        if std == 0.0 { Err(PrimerError::ZeroStd) } else { Ok(Standardizer { mean, std }) }
        // ANCHOR_END: exercise_standardizer_fit
    }

    /// Given (not an exercise): `(v - mean) / std` for each value `v`, in a new array.
    pub fn transform(&self, values: ArrayView1<'_, f64>) -> Array1<f64> {
        values.mapv(|v| (v - self.mean) / self.std)
    }

    /// Page "Structs, enums and signatures". Fits on `values`, then transforms them: scikit-learn's
    /// `fit_transform`. Returns the fitted `Standardizer` and the scaled values together, as a pair (a tuple,
    /// as in Python), or the error of `fit`.
    ///
    /// Hint: call `Standardizer::fit(values)?`, then its `transform`. A view is `Copy`: passing `values` to
    /// `fit` does not use it up, so you can pass it again.
    pub fn fit_transform(values: ArrayView1<'_, f64>) -> Result<(Standardizer, Array1<f64>), PrimerError> {
        // ANCHOR: exercise_fit_transform
        let scaler = Standardizer::fit(values)?;
        let scaled = scaler.transform(values);
        Ok((scaler, scaled))
        // ANCHOR_END: exercise_fit_transform
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    // ANCHOR: column_means_test
    #[test]
    fn column_means_averages_each_column() {
        let a = array![[1.0, 2.0, 3.0], [3.0, 6.0, 9.0]];
        assert_eq!(column_means(&a), array![2.0, 4.0, 6.0]);
    }
    // ANCHOR_END: column_means_test

    #[test]
    fn column_means_of_one_row_is_that_row() {
        let a = array![[1.5, -2.5]];
        assert_eq!(column_means(&a), array![1.5, -2.5]);
    }

    #[test]
    fn column_means_of_no_rows_are_nan() {
        let means = column_means(&Array2::<f64>::zeros((0, 2)));
        assert_eq!(means.len(), 2, "one mean per column");
        assert!(means.iter().all(|m| m.is_nan()), "{means}");
    }

    #[test]
    fn center_in_place_subtracts_the_mean() {
        let mut a = array![1.0, 2.0, 6.0];
        center_in_place(&mut a);
        assert_eq!(a, array![-2.0, -1.0, 3.0]);
    }

    #[test]
    fn center_in_place_leaves_mean_zero() {
        let mut a = array![0.5, 1.5, 2.5, 7.5];
        center_in_place(&mut a);
        assert_eq!(a, array![-2.5, -1.5, -0.5, 4.5]);
        assert_eq!(a.sum(), 0.0);
    }

    #[test]
    fn center_in_place_of_nothing_is_nothing() {
        let mut a = Array1::<f64>::zeros(0);
        center_in_place(&mut a);
        assert_eq!(a.len(), 0);
    }

    #[test]
    fn from_rows_fills_row_after_row() {
        let m = from_rows(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 3).unwrap();
        assert_eq!(m, array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
        let column = from_rows(vec![1.0, 2.0], 1).unwrap();
        assert_eq!(column.shape(), &[2, 1]);
    }

    #[test]
    fn from_rows_refuses_a_ragged_length() {
        let result = from_rows(vec![1.0; 7], 3);
        assert!(matches!(result, Err(PrimerError::RaggedRows { len: 7, ncols: 3 })), "{result:?}");
        let result = from_rows(vec![1.0, 2.0], 3);
        assert!(matches!(result, Err(PrimerError::RaggedRows { len: 2, ncols: 3 })), "{result:?}");
    }

    #[test]
    fn from_rows_refuses_zero_columns() {
        let result = from_rows(vec![1.0, 2.0], 0);
        assert!(matches!(result, Err(PrimerError::NoColumns)), "{result:?}");
        let result = from_rows(vec![], 0);
        assert!(matches!(result, Err(PrimerError::NoColumns)), "{result:?}");
    }

    #[test]
    fn from_rows_of_nothing_is_zero_rows() {
        let m = from_rows(vec![], 3).unwrap();
        assert_eq!(m.shape(), &[0, 3]);
    }

    #[test]
    fn mean_absolute_error_averages_the_gaps() {
        // |1 - 2| = 1 and |5 - 3| = 2: without the absolute value they would cancel out
        assert_eq!(mean_absolute_error(&[1.0, 5.0], &[2.0, 3.0]), Some(1.5));
        assert_eq!(mean_absolute_error(&[0.5, 0.5, 0.5], &[0.5, 0.5, 0.5]), Some(0.0));
    }

    #[test]
    fn mean_absolute_error_of_different_lengths_is_none() {
        assert_eq!(mean_absolute_error(&[1.0, 2.0], &[1.0]), None);
        assert_eq!(mean_absolute_error(&[1.0], &[1.0, 2.0]), None);
    }

    #[test]
    fn mean_absolute_error_of_nothing_is_none() {
        assert_eq!(mean_absolute_error(&[], &[]), None);
    }

    #[test]
    fn standardizer_fit_learns_mean_and_std() {
        let s = Standardizer::fit(array![1.0, 3.0].view()).unwrap();
        assert_eq!(s, Standardizer { mean: 2.0, std: 1.0 });
        // np.mean and np.std of these are 5 and 2
        let s = Standardizer::fit(array![2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0].view()).unwrap();
        assert!((s.mean - 5.0).abs() < 1e-12 && (s.std - 2.0).abs() < 1e-12, "{s:?}");
    }

    #[test]
    fn standardizer_fit_refuses_fewer_than_two_values() {
        let result = Standardizer::fit(array![4.0].view());
        assert!(matches!(result, Err(PrimerError::TooFewValues { len: 1 })), "{result:?}");
        let result = Standardizer::fit(Array1::<f64>::zeros(0).view());
        assert!(matches!(result, Err(PrimerError::TooFewValues { len: 0 })), "{result:?}");
    }

    #[test]
    fn standardizer_fit_refuses_equal_values() {
        let result = Standardizer::fit(array![4.0, 4.0, 4.0].view());
        assert!(matches!(result, Err(PrimerError::ZeroStd)), "{result:?}");
    }

    #[test]
    fn fit_transform_gives_mean_zero_and_std_one() {
        let (s, z) = Standardizer::fit_transform(array![1.0, 3.0].view()).unwrap();
        assert_eq!(s, Standardizer { mean: 2.0, std: 1.0 });
        assert_eq!(z, array![-1.0, 1.0]);
        let (_, z) = Standardizer::fit_transform(array![2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0].view()).unwrap();
        assert!(z.sum().abs() < 1e-12 && (z.std(0.0) - 1.0).abs() < 1e-12, "{z}");
    }

    #[test]
    fn fit_transform_passes_on_the_errors_of_fit() {
        let result = Standardizer::fit_transform(array![4.0].view());
        assert!(matches!(result, Err(PrimerError::TooFewValues { len: 1 })), "{result:?}");
        let result = Standardizer::fit_transform(array![4.0, 4.0].view());
        assert!(matches!(result, Err(PrimerError::ZeroStd)), "{result:?}");
    }
}
