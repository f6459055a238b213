//! The exercises of the chapter *Arrays with ndarray*, one per topic page.
//!
//! Each function's doc comment says what to write. Replace each `todo!()` with your code, then run
//! `cargo test -p arrays-exercise <name>` (for example `cargo test -p arrays-exercise split_target`) until its
//! tests pass. The tests are at the bottom of this file: read them, they show what is expected.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, s};

/// What can go wrong in these exercises: one variant for each mistake, each with its message. Where NumPy
/// would raise an `IndexError` or a `ValueError`, these functions return one of them.
#[derive(Debug, thiserror::Error)]
pub enum PracticeError {
    /// `split_target` got a matrix of 0 columns: there is no last column to split off.
    #[error("the data has no columns: there is no target column to split off")]
    NoColumns,
    /// `pairwise_sq_distances` got points with different numbers of features.
    #[error("points of {a} features cannot be compared with points of {b} features")]
    FeatureMismatch { a: usize, b: usize },
    /// `linear_layer` got shapes that do not chain: `x @ w` needs x's columns to equal w's rows, and `+ b`
    /// needs w's columns to equal b's length.
    #[error("x is {x:?}, w is {w:?} and b has {b} values: x @ w + b needs x.ncols() == w.nrows() and w.ncols() == b.len()")]
    LayerShapes { x: (usize, usize), w: (usize, usize), b: usize },
    /// `strides_for` got a shape whose number of elements does not fit in a `usize`.
    #[error("the shape {shape:?} has more elements than a usize can count")]
    TooManyElements { shape: Vec<usize> },
}

/// Page "Creation, indexing and slicing". Splits a data matrix into its features, every column but the last,
/// and its target, the last column: NumPy's `X, y = data[:, :-1], data[:, -1]`. Both are views of `data`:
/// nothing is copied. A matrix of 0 columns has no target: return `PracticeError::NoColumns` there (ndarray
/// would panic on the index `-1`, and NumPy raise an `IndexError`).
///
/// Hint: `data.slice(s![.., ..-1])` is every column but the last, and `data.slice(s![.., -1])` is the last one
/// (an index, not a range, so it has one axis fewer). Check `data.ncols()` first.
pub fn split_target(data: &Array2<f64>) -> Result<(ArrayView2<'_, f64>, ArrayView1<'_, f64>), PracticeError> {
    // ANCHOR: exercise_split_target
    if data.ncols() == 0 {
        return Err(PracticeError::NoColumns);
    }
    Ok((data.slice(s![.., ..-1]), data.slice(s![.., -1])))
    // ANCHOR_END: exercise_split_target
}

/// Page "Broadcasting and vectorization". The squared distance between every row of `a` (n points of d
/// features) and every row of `b` (m points of d features), as an (n, m) matrix: `out[[i, j]]` is the sum over
/// `k` of `(a[[i, k]] - b[[j, k]])²`, the first step of k-nearest neighbours. NumPy's
/// `((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)`. Points with different numbers of features cannot be
/// compared: return `PracticeError::FeatureMismatch { a, b }`, with the number of columns of each (the
/// operator would panic).
///
/// Hint: `a.view().insert_axis(Axis(1))` has shape (n, 1, d) and `b.view().insert_axis(Axis(0))` has shape
/// (1, m, d); `&x - &y` of the two broadcasts to (n, m, d). Then square every element with `mapv` and add up
/// the last axis with `sum_axis(Axis(2))`.
pub fn pairwise_sq_distances(a: &Array2<f64>, b: &Array2<f64>) -> Result<Array2<f64>, PracticeError> {
    // ANCHOR: exercise_pairwise_sq_distances
    if a.ncols() != b.ncols() {
        return Err(PracticeError::FeatureMismatch { a: a.ncols(), b: b.ncols() });
    }
    let differences = &a.view().insert_axis(Axis(1)) - &b.view().insert_axis(Axis(0)); // (n, 1, d) - (1, m, d)
    Ok(differences.mapv(|v| v * v).sum_axis(Axis(2)))
    // ANCHOR_END: exercise_pairwise_sq_distances
}

/// Page "dot, matmul and einsum". The forward pass of a dense layer on a batch: `x @ w + b`, with `x` of
/// shape (n, d_in), one sample per row, the weights `w` of shape (d_in, d_out) and the bias `b` of length
/// d_out. NumPy's (and PyTorch's) `x @ w + b`. Where `dot` would panic (x's columns differ from w's rows) or
/// the bias would not broadcast (w's columns differ from b's length), return `PracticeError::LayerShapes`
/// with the three shapes: `x.dim()`, `w.dim()` and `b.len()`.
///
/// Hint: compare `x.ncols()` with `w.nrows()`, and `w.ncols()` with `b.len()`, first. Then `x.dot(w)` is the
/// (n, d_out) product, and `+ b` broadcasts the bias over its rows (the previous page's rule).
pub fn linear_layer(x: &Array2<f64>, w: &Array2<f64>, b: &Array1<f64>) -> Result<Array2<f64>, PracticeError> {
    // ANCHOR: exercise_linear_layer
    if x.ncols() != w.nrows() || w.ncols() != b.len() {
        return Err(PracticeError::LayerShapes { x: x.dim(), w: w.dim(), b: b.len() });
    }
    Ok(x.dot(w) + b)
    // ANCHOR_END: exercise_linear_layer
}

/// Page "Memory layout: C and Fortran order". The strides, counted in elements, of an array of shape `shape`:
/// in C order when `fortran` is false (the last index changes fastest), in Fortran order when it is true (the
/// first index changes fastest). NumPy's `np.zeros(shape, order="C").strides` (or `order="F"`), divided by the
/// size of one element. For shape (3, 4): `[4, 1]` in C order, `[1, 3]` in Fortran order, as on the page.
///
/// A shape whose number of elements overflows a `usize` cannot exist in memory: return
/// `PracticeError::TooManyElements` with the shape (Rust's integers do not grow like Python's; a plain `*`
/// would panic in a debug build).
///
/// Hint: visit the axes from the fastest one, the last in C order (`(0..shape.len()).rev()`) or the first in
/// Fortran order (`0..shape.len()`), with a running product that starts at 1: each axis's stride is the
/// product of the lengths of the axes visited before it. `step.checked_mul(len)` is `None` on overflow.
pub fn strides_for(shape: &[usize], fortran: bool) -> Result<Vec<usize>, PracticeError> {
    // ANCHOR: exercise_strides_for
    let axes: Vec<usize> = if fortran { (0..shape.len()).collect() } else { (0..shape.len()).rev().collect() };
    let mut strides = vec![0; shape.len()];
    let mut step: usize = 1;
    for axis in axes {
        strides[axis] = step;
        step = step.checked_mul(shape[axis]).ok_or_else(|| PracticeError::TooManyElements { shape: shape.to_vec() })?;
    }
    Ok(strides)
    // ANCHOR_END: exercise_strides_for
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{ArrayD, IxDyn, ShapeBuilder, array};

    #[test]
    fn split_target_takes_the_last_column() {
        let data = array![[1.0, 2.0, 10.0], [3.0, 4.0, 20.0]];
        let (features, target) = split_target(&data).unwrap();
        assert_eq!(features, array![[1.0, 2.0], [3.0, 4.0]]);
        assert_eq!(target, array![10.0, 20.0]);
        // views, not copies: they point into `data`'s own memory
        assert!(std::ptr::eq(&target[1], &data[[1, 2]]), "the target should be a view of `data`");
        assert!(std::ptr::eq(&features[[1, 0]], &data[[1, 0]]), "the features should be a view of `data`");
    }

    #[test]
    fn split_target_agrees_with_a_loop() {
        let data = Array2::from_shape_fn((4, 5), |(i, j)| (10 * i + j) as f64);
        let (features, target) = split_target(&data).unwrap();
        assert_eq!((features.shape(), target.shape()), (&[4, 4][..], &[4][..]));
        for i in 0..4 {
            for j in 0..4 {
                assert_eq!(features[[i, j]], data[[i, j]], "features[[{i}, {j}]]");
            }
            assert_eq!(target[i], data[[i, 4]], "target[{i}]");
        }
    }

    #[test]
    fn split_target_of_one_column_has_no_features() {
        let data = array![[1.0], [2.0], [3.0]];
        let (features, target) = split_target(&data).unwrap();
        assert_eq!(features.shape(), &[3, 0], "three samples of no features");
        assert_eq!(target, array![1.0, 2.0, 3.0]);
    }

    #[test]
    fn split_target_refuses_no_columns() {
        let data = Array2::zeros((2, 0)); // two samples, no columns at all
        let result = split_target(&data);
        assert!(matches!(result, Err(PracticeError::NoColumns)), "{result:?}");
    }

    /// The reference: three nested loops, the formula as written.
    fn pairwise_loops(a: &Array2<f64>, b: &Array2<f64>) -> Array2<f64> {
        let mut out = Array2::zeros((a.nrows(), b.nrows()));
        for i in 0..a.nrows() {
            for j in 0..b.nrows() {
                for k in 0..a.ncols() {
                    out[[i, j]] += (a[[i, k]] - b[[j, k]]).powi(2);
                }
            }
        }
        out
    }

    #[test]
    fn pairwise_sq_distances_agrees_with_the_loops() {
        let a = array![[0.0, 0.0], [1.0, 2.0], [3.0, -1.0]];
        let b = array![[0.0, 0.0], [3.0, 4.0]];
        let d = pairwise_sq_distances(&a, &b).unwrap();
        assert_eq!(d.shape(), &[3, 2], "one row per point of a, one column per point of b");
        assert_eq!(d[[0, 1]], 25.0, "(0 - 3)² + (0 - 4)²");
        assert_eq!(d, pairwise_loops(&a, &b));
        let a = Array2::from_shape_fn((4, 3), |(i, k)| (i * 3 + k) as f64);
        let b = Array2::from_shape_fn((5, 3), |(j, k)| (j as f64) - (k as f64));
        assert_eq!(pairwise_sq_distances(&a, &b).unwrap(), pairwise_loops(&a, &b));
    }

    #[test]
    fn pairwise_sq_distances_of_no_points_is_empty() {
        let d = pairwise_sq_distances(&Array2::zeros((0, 2)), &array![[1.0, 2.0]]).unwrap();
        assert_eq!(d.shape(), &[0, 1]);
    }

    #[test]
    fn pairwise_sq_distances_refuses_different_features() {
        let result = pairwise_sq_distances(&Array2::zeros((2, 3)), &Array2::zeros((2, 2)));
        assert!(matches!(result, Err(PracticeError::FeatureMismatch { a: 3, b: 2 })), "{result:?}");
    }

    #[test]
    fn linear_layer_agrees_with_a_loop() {
        let x = array![[1.0, 2.0], [3.0, 4.0], [-1.0, 0.5]]; // 3 samples of 2 features
        let w = array![[1.0, 0.0, 2.0], [0.0, 1.0, -1.0]]; // 2 -> 3
        let b = array![0.5, -0.5, 1.0];
        let y = linear_layer(&x, &w, &b).unwrap();
        assert_eq!(y.shape(), &[3, 3]);
        for n in 0..3 {
            for o in 0..3 {
                let expected = b[o] + (0..2).map(|i| x[[n, i]] * w[[i, o]]).sum::<f64>();
                assert_eq!(y[[n, o]], expected, "y[[{n}, {o}]]");
            }
        }
    }

    #[test]
    fn linear_layer_of_one_sample_and_of_none() {
        let w = array![[2.0], [3.0]];
        let b = array![1.0];
        assert_eq!(linear_layer(&array![[1.0, 1.0]], &w, &b).unwrap(), array![[6.0]]);
        assert_eq!(linear_layer(&Array2::zeros((0, 2)), &w, &b).unwrap().shape(), &[0, 1]);
    }

    #[test]
    fn linear_layer_refuses_shapes_that_do_not_chain() {
        let (x, w) = (Array2::zeros((4, 3)), Array2::zeros((2, 5)));
        let result = linear_layer(&x, &w, &Array1::zeros(5));
        assert!(matches!(result, Err(PracticeError::LayerShapes { x: (4, 3), w: (2, 5), b: 5 })), "{result:?}");
        let (x, w) = (Array2::zeros((4, 2)), Array2::zeros((2, 5)));
        let result = linear_layer(&x, &w, &Array1::zeros(3));
        assert!(matches!(result, Err(PracticeError::LayerShapes { x: (4, 2), w: (2, 5), b: 3 })), "{result:?}");
    }

    #[test]
    fn strides_for_matches_ndarray() {
        assert_eq!(strides_for(&[3, 4], false).unwrap(), [4, 1], "the page's C-order example");
        assert_eq!(strides_for(&[3, 4], true).unwrap(), [1, 3], "the page's Fortran-order example");
        // ndarray's own strides, for shapes with no axis of length 0 (for an empty array ndarray stores 0s)
        for shape in [vec![5], vec![2, 3, 4], vec![4, 1, 3], vec![1, 1], vec![2, 2, 2, 2]] {
            let c = ArrayD::<f64>::zeros(IxDyn(&shape));
            let f = ArrayD::<f64>::zeros(IxDyn(&shape).f());
            let expected = |x: &ArrayD<f64>| x.strides().iter().map(|&s| s as usize).collect::<Vec<_>>();
            assert_eq!(strides_for(&shape, false).unwrap(), expected(&c), "C order, shape {shape:?}");
            assert_eq!(strides_for(&shape, true).unwrap(), expected(&f), "Fortran order, shape {shape:?}");
        }
    }

    #[test]
    fn strides_for_finds_every_element() {
        // the page's formula: element (i, j) sits at offset i * s0 + j * s1 of the array's one block of memory
        for fortran in [false, true] {
            let value = |(i, j): (usize, usize)| (10 * i + j) as f64;
            let x = if fortran { Array2::from_shape_fn((3, 4).f(), value) } else { Array2::from_shape_fn((3, 4), value) };
            let memory = x.as_slice_memory_order().unwrap();
            let s = strides_for(&[3, 4], fortran).unwrap();
            for i in 0..3 {
                for j in 0..4 {
                    assert_eq!(memory[i * s[0] + j * s[1]], x[[i, j]], "({i}, {j}), fortran: {fortran}");
                }
            }
        }
    }

    #[test]
    fn strides_for_of_no_axes_is_empty() {
        assert_eq!(strides_for(&[], false).unwrap(), Vec::<usize>::new(), "a 0-D array, a single number");
        assert_eq!(strides_for(&[], true).unwrap(), Vec::<usize>::new());
    }

    #[test]
    fn strides_for_refuses_too_many_elements() {
        let result = strides_for(&[usize::MAX, 2], false);
        assert!(matches!(&result, Err(PracticeError::TooManyElements { shape }) if shape == &[usize::MAX, 2]), "{result:?}");
        let result = strides_for(&[2, usize::MAX], true);
        assert!(matches!(result, Err(PracticeError::TooManyElements { .. })), "{result:?}");
    }
}
