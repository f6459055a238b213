//! Lab 1.2.4, part 1: einsum with `ndarray-einsum`, behind a typed error, and the ten patterns of the lab,
//! each next to explicit code that computes the same thing.

use ndarray::{Array0, Array1, Array2, Array3, Array4, ArrayD, ArrayView1, ArrayView2, ArrayView3, ArrayView4, Axis, LinalgScalar};
pub use ndarray_einsum::ArrayLike;

// ANCHOR: error
/// Why an einsum could not run: the subscripts and shapes it was given, and what is wrong with them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("einsum {subscripts:?} on shapes {shapes:?}: {reason}")]
pub struct EinsumError {
    pub subscripts: String,
    pub shapes: Vec<Vec<usize>>,
    pub reason: String,
}

/// `np.einsum(subscripts, *operands)` for ndarray: `ndarray_einsum::einsum`, with an error that says which
/// operand, axis or letter is wrong instead of a bare `&'static str`.
pub fn einsum<A: LinalgScalar>(subscripts: &str, operands: &[&dyn ArrayLike<A>]) -> Result<ArrayD<A>, EinsumError> {
    let shapes: Vec<Vec<usize>> = operands.iter().map(|o| o.into_dyn_view().shape().to_vec()).collect();
    let fail = |reason: String| EinsumError { subscripts: subscripts.into(), shapes: shapes.clone(), reason };
    let contraction = ndarray_einsum::validate(subscripts).map_err(|e| {
        fail(format!("{e}: expected lowercase letters per operand, separated by commas, optionally `->` and the output letters"))
    })?;
    let letters = &contraction.operand_indices;
    if letters.len() != shapes.len() {
        return Err(fail(format!("the subscripts name {} operand(s), {} given", letters.len(), shapes.len())));
    }
    let mut sizes = std::collections::BTreeMap::new();
    for (i, (axes, shape)) in letters.iter().zip(&shapes).enumerate() {
        if axes.len() != shape.len() {
            let axes: String = axes.iter().collect();
            return Err(fail(format!("operand {i} has {} axes, its subscripts {axes:?} name {}", shape.len(), axes.len())));
        }
        for (&letter, &len) in axes.iter().zip(shape) {
            match sizes.insert(letter, (len, i)) {
                Some((other, j)) if other != len => {
                    return Err(fail(format!("axis '{letter}' has length {other} in operand {j} but {len} in operand {i}")));
                }
                _ => {}
            }
        }
    }
    ndarray_einsum::einsum(subscripts, operands).map_err(|e| fail(e.into()))
}
// ANCHOR_END: error

/// Naive einsum as a learner would write it by hand: loops and the ndarray call that does the same.
/// Every function here has an einsum twin in the tests and in the timed table.
pub mod explicit {
    use super::*;

    // ANCHOR: explicit
    /// `mk,kn->mn`
    pub fn matmul_loops(a: ArrayView2<f32>, b: ArrayView2<f32>) -> Array2<f32> {
        let ((m, k), n) = (a.dim(), b.ncols());
        Array2::from_shape_fn((m, n), |(i, j)| (0..k).map(|l| a[[i, l]] * b[[l, j]]).sum())
    }
    /// `bmk,bkn->bmn`
    pub fn batch_matmul_loops(a: ArrayView3<f32>, b: ArrayView3<f32>) -> Array3<f32> {
        let ((batches, m, k), n) = (a.dim(), b.dim().2);
        Array3::from_shape_fn((batches, m, n), |(p, i, j)| (0..k).map(|l| a[[p, i, l]] * b[[p, l, j]]).sum())
    }
    /// `i,j->ij`
    pub fn outer_loops(a: ArrayView1<f32>, b: ArrayView1<f32>) -> Array2<f32> {
        Array2::from_shape_fn((a.len(), b.len()), |(i, j)| a[i] * b[j])
    }
    /// `ii->`
    pub fn trace_loops(a: ArrayView2<f32>) -> Array0<f32> {
        Array0::from_elem((), (0..a.nrows()).map(|i| a[[i, i]]).sum())
    }
    /// `bhsd,bhtd->bhst`
    pub fn scores_loops(q: ArrayView4<f32>, k: ArrayView4<f32>) -> Array4<f32> {
        let ((b, h, s, d), t) = (q.dim(), k.dim().2);
        Array4::from_shape_fn((b, h, s, t), |(b, h, i, j)| (0..d).map(|l| q[[b, h, i, l]] * k[[b, h, j, l]]).sum())
    }
    /// `ij->ji`
    pub fn transpose_loops(a: ArrayView2<f32>) -> Array2<f32> {
        Array2::from_shape_fn((a.ncols(), a.nrows()), |(i, j)| a[[j, i]])
    }
    /// `ii->i`
    pub fn diagonal_loops(a: ArrayView2<f32>) -> Array1<f32> {
        Array1::from_shape_fn(a.nrows(), |i| a[[i, i]])
    }
    /// `ij->i`
    pub fn row_sums_loops(a: ArrayView2<f32>) -> Array1<f32> {
        Array1::from_shape_fn(a.nrows(), |i| (0..a.ncols()).map(|j| a[[i, j]]).sum())
    }
    /// `i,ij,j->`
    pub fn bilinear_loops(x: ArrayView1<f32>, a: ArrayView2<f32>, y: ArrayView1<f32>) -> Array0<f32> {
        let mut total = 0.0;
        for i in 0..x.len() {
            for j in 0..y.len() {
                total += x[i] * a[[i, j]] * y[j];
            }
        }
        Array0::from_elem((), total)
    }
    /// `bij,bj->bi`: one matrix-vector product per batch entry.
    pub fn batch_matvec_loops(a: ArrayView3<f32>, x: ArrayView2<f32>) -> Array2<f32> {
        let (batches, m, n) = a.dim();
        Array2::from_shape_fn((batches, m), |(p, i)| (0..n).map(|j| a[[p, i, j]] * x[[p, j]]).sum())
    }
    // ANCHOR_END: explicit

    // ANCHOR: ndarray
    /// `mk,kn->mn`
    pub fn matmul_dot(a: ArrayView2<f32>, b: ArrayView2<f32>) -> Array2<f32> {
        a.dot(&b)
    }
    /// `bmk,bkn->bmn`
    pub fn batch_matmul_dot(a: ArrayView3<f32>, b: ArrayView3<f32>) -> Array3<f32> {
        let mut out = Array3::zeros((a.dim().0, a.dim().1, b.dim().2));
        for ((a, b), mut out) in a.outer_iter().zip(b.outer_iter()).zip(out.outer_iter_mut()) {
            out.assign(&a.dot(&b));
        }
        out
    }
    /// `i,j->ij`
    pub fn outer_broadcast(a: ArrayView1<f32>, b: ArrayView1<f32>) -> Array2<f32> {
        &a.insert_axis(Axis(1)) * &b.insert_axis(Axis(0))
    }
    /// `ii->`
    pub fn trace_diag(a: ArrayView2<f32>) -> Array0<f32> {
        Array0::from_elem((), a.diag().sum())
    }
    /// `bhsd,bhtd->bhst`
    pub fn scores_dot(q: ArrayView4<f32>, k: ArrayView4<f32>) -> Array4<f32> {
        let ((b, h, s, _), t) = (q.dim(), k.dim().2);
        let mut out = Array4::zeros((b, h, s, t));
        for ((q, k), mut out) in q.outer_iter().zip(k.outer_iter()).zip(out.outer_iter_mut()) {
            for ((q, k), mut out) in q.outer_iter().zip(k.outer_iter()).zip(out.outer_iter_mut()) {
                out.assign(&q.dot(&k.t()));
            }
        }
        out
    }
    /// `ij->ji`: `t()` is a free view. einsum's result is a copy that keeps the transposed strides (column-major,
    /// so a plain memory copy); `to_owned` does the same. `as_standard_layout()` would reorder the elements into
    /// row-major order, a different and slower operation.
    pub fn transpose_view(a: ArrayView2<f32>) -> Array2<f32> {
        a.t().to_owned()
    }
    /// `ii->i`
    pub fn diagonal_view(a: ArrayView2<f32>) -> Array1<f32> {
        a.diag().to_owned()
    }
    /// `ij->i`
    pub fn row_sums_axis(a: ArrayView2<f32>) -> Array1<f32> {
        a.sum_axis(Axis(1))
    }
    /// `i,ij,j->`
    pub fn bilinear_dot(x: ArrayView1<f32>, a: ArrayView2<f32>, y: ArrayView1<f32>) -> Array0<f32> {
        Array0::from_elem((), x.dot(&a.dot(&y)))
    }
    /// `bij,bj->bi`
    pub fn batch_matvec_dot(a: ArrayView3<f32>, x: ArrayView2<f32>) -> Array2<f32> {
        let mut out = Array2::zeros((a.dim().0, a.dim().1));
        for ((a, x), mut out) in a.outer_iter().zip(x.outer_iter()).zip(out.outer_iter_mut()) {
            out.assign(&a.dot(&x));
        }
        out
    }
    // ANCHOR_END: ndarray
}

#[cfg(test)]
mod tests {
    use super::explicit::*;
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::{Array, Dimension};
    use ndarray_rand::RandomExt;
    use ndarray_rand::rand::SeedableRng;
    use ndarray_rand::rand::rngs::StdRng;
    use ndarray_rand::rand_distr::Uniform;
    use proptest::prelude::*;

    fn random<D: Dimension>(shape: impl ndarray::ShapeBuilder<Dim = D>, seed: u64) -> Array<f32, D> {
        Array::random_using(shape, Uniform::new(-1.0f32, 1.0).unwrap(), &mut StdRng::seed_from_u64(seed))
    }

    /// einsum, loops and the ndarray version: all three agree (sums of up to 64 f32 products: 1e-4).
    fn three_agree<D: Dimension>(einsum: ArrayD<f32>, loops: Array<f32, D>, ndarray: Array<f32, D>) {
        assert_eq!(einsum.shape(), loops.shape());
        assert_abs_diff_eq!(einsum, loops.clone().into_dyn(), epsilon = 1e-4);
        assert_abs_diff_eq!(ndarray.into_dyn(), loops.into_dyn(), epsilon = 1e-4);
    }

    #[test]
    fn the_ten_patterns_agree_with_loops_and_ndarray() {
        let (a, b) = (random((5, 7), 1), random((7, 3), 2));
        three_agree(einsum("mk,kn->mn", &[&a, &b]).unwrap(), matmul_loops(a.view(), b.view()), matmul_dot(a.view(), b.view()));
        let (a3, b3) = (random((4, 5, 6), 3), random((4, 6, 2), 4));
        three_agree(
            einsum("bmk,bkn->bmn", &[&a3, &b3]).unwrap(),
            batch_matmul_loops(a3.view(), b3.view()),
            batch_matmul_dot(a3.view(), b3.view()),
        );
        let (x, y) = (random(6, 5), random(9, 6));
        three_agree(einsum("i,j->ij", &[&x, &y]).unwrap(), outer_loops(x.view(), y.view()), outer_broadcast(x.view(), y.view()));
        let square = random((8, 8), 7);
        three_agree(einsum("ii->", &[&square]).unwrap(), trace_loops(square.view()), trace_diag(square.view()));
        let (q, k) = (random((2, 3, 5, 4), 8), random((2, 3, 6, 4), 9));
        three_agree(einsum("bhsd,bhtd->bhst", &[&q, &k]).unwrap(), scores_loops(q.view(), k.view()), scores_dot(q.view(), k.view()));
        three_agree(einsum("ij->ji", &[&a]).unwrap(), transpose_loops(a.view()), transpose_view(a.view()));
        three_agree(einsum("ii->i", &[&square]).unwrap(), diagonal_loops(square.view()), diagonal_view(square.view()));
        three_agree(einsum("ij->i", &[&a]).unwrap(), row_sums_loops(a.view()), row_sums_axis(a.view()));
        let (u, v) = (random(5, 10), random(7, 11));
        three_agree(einsum("i,ij,j->", &[&u, &a, &v]).unwrap(), bilinear_loops(u.view(), a.view(), v.view()), bilinear_dot(u.view(), a.view(), v.view()));
        let (m, xs) = (random((4, 5, 6), 12), random((4, 6), 13));
        three_agree(einsum("bij,bj->bi", &[&m, &xs]).unwrap(), batch_matvec_loops(m.view(), xs.view()), batch_matvec_dot(m.view(), xs.view()));
    }

    #[test]
    fn the_transpose_twin_does_what_einsum_does() {
        // Like with like in the timing table: the same values in the same memory order.
        let a = random((5, 7), 1);
        let (einsum, twin) = (einsum("ij->ji", &[&a]).unwrap(), transpose_view(a.view()));
        assert_eq!(einsum.strides(), twin.strides());
        assert_eq!(einsum, twin.clone().into_dyn());
        assert_eq!(twin.strides(), &[1, 7], "column-major, as a.t()");
    }

    #[test]
    fn known_values() {
        let a = ndarray::array![[1.0f32, 2.0], [3.0, 4.0]];
        assert_eq!(einsum("ii->", &[&a]).unwrap(), ndarray::arr0(5.0).into_dyn());
        assert_eq!(einsum("ij->ji", &[&a]).unwrap(), ndarray::array![[1.0f32, 3.0], [2.0, 4.0]].into_dyn());
        assert_eq!(einsum("ij,jk", &[&a, &a]).unwrap(), ndarray::array![[7.0f32, 10.0], [15.0, 22.0]].into_dyn());
    }

    #[test]
    fn bad_input_is_an_error_that_names_the_problem() {
        let (a, b) = (Array2::<f32>::zeros((2, 3)), Array2::<f32>::zeros((4, 5)));
        let err = einsum("mk,kn->mn", &[&a, &b]).unwrap_err();
        assert_eq!(err.reason, "axis 'k' has length 3 in operand 0 but 4 in operand 1");
        assert_eq!(err.shapes, vec![vec![2, 3], vec![4, 5]]);
        // the message the book shows
        assert_eq!(
            einsum("mk,kn->mn", &[&a, &b]).unwrap_err().to_string(),
            "einsum \"mk,kn->mn\" on shapes [[2, 3], [4, 5]]: axis 'k' has length 3 in operand 0 but 4 in operand 1"
        );
        let err = einsum("mk,kn->mn", &[&a]).unwrap_err();
        assert_eq!(err.reason, "the subscripts name 2 operand(s), 1 given");
        let err = einsum("mkx,kn->mn", &[&a, &b]).unwrap_err();
        assert_eq!(err.reason, "operand 0 has 2 axes, its subscripts \"mkx\" name 3");
        for malformed in ["", "mk,,kn->mn", "MK->M", "mk->mm", "mk->z", "m k->m", "mk->m->k"] {
            let err = einsum(malformed, &[&a]).unwrap_err();
            assert!(!err.reason.is_empty(), "{malformed:?}");
        }
        assert!(einsum::<f32>("i->i", &[]).is_err());
    }

    proptest! {
        // Whatever a learner types, einsum answers with Ok or Err, never a panic.
        #[test]
        fn never_panics(subscripts in "[ijk,>-]{0,9}", dims in proptest::collection::vec(proptest::collection::vec(0usize..4, 0..4), 0..4)) {
            let arrays: Vec<ArrayD<f32>> = dims.iter().map(|d| ArrayD::zeros(d.as_slice())).collect();
            let operands: Vec<&dyn ArrayLike<f32>> = arrays.iter().map(|a| a as &dyn ArrayLike<f32>).collect();
            let _ = einsum(&subscripts, &operands);
        }
    }
}
