//! Lab 1.2.1, part 1: batch matrix multiplication, (B, M, K) x (B, K, N) -> (B, M, N), six ways.
//!
//! Every variant is checked against [`naive_loops`] in the tests. Shapes are checked up front: a mismatch is a
//! [`BatchShapeError`], never a panic deep inside ndarray.

use ndarray::linalg::general_mat_mul;
use ndarray::{Array3, ArrayView2, ArrayView3, ArrayViewMut2, Axis, Zip};

/// Why two batches of matrices cannot be multiplied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchShapeError {
    #[error("batch sizes differ: a has {a} matrices, b has {b}")]
    Batch { a: usize, b: usize },
    #[error("inner dimensions differ: a is (.., {m}, {k_a}) but b is (.., {k_b}, {n}); a's last axis must equal b's middle one")]
    Inner { m: usize, k_a: usize, k_b: usize, n: usize },
}

/// The output shape (B, M, N), or why there is none.
pub fn output_shape(a: &ArrayView3<'_, f32>, b: &ArrayView3<'_, f32>) -> Result<(usize, usize, usize), BatchShapeError> {
    let (batch_a, m, k_a) = a.dim();
    let (batch_b, k_b, n) = b.dim();
    if batch_a != batch_b {
        return Err(BatchShapeError::Batch { a: batch_a, b: batch_b });
    }
    if k_a != k_b {
        return Err(BatchShapeError::Inner { m, k_a, k_b, n });
    }
    Ok((batch_a, m, n))
}

// ANCHOR: naive_loops
/// The reference: four nested loops and indexing, the way the maths is written.
pub fn naive_loops(a: ArrayView3<'_, f32>, b: ArrayView3<'_, f32>) -> Result<Array3<f32>, BatchShapeError> {
    let (batches, m, n) = output_shape(&a, &b)?;
    let k = a.dim().2;
    let mut out = Array3::<f32>::zeros((batches, m, n));
    for p in 0..batches {
        for i in 0..m {
            for j in 0..n {
                let mut total = 0.0;
                for l in 0..k {
                    total += a[[p, i, l]] * b[[p, l, j]];
                }
                out[[p, i, j]] = total;
            }
        }
    }
    Ok(out)
}
// ANCHOR_END: naive_loops

// ANCHOR: loops_ikj
/// Still plain loops, reordered so the innermost loop walks both `b` and `out` along contiguous rows,
/// over slices (no per-element bounds checks): the compiler can vectorize it.
pub fn loops_ikj(a: ArrayView3<'_, f32>, b: ArrayView3<'_, f32>) -> Result<Array3<f32>, BatchShapeError> {
    let (batches, m, n) = output_shape(&a, &b)?;
    let k = a.dim().2;
    let (a, b) = (a.as_standard_layout(), b.as_standard_layout()); // no copy if already row-major
    let mut out = Array3::<f32>::zeros((batches, m, n));
    for p in 0..batches {
        for i in 0..m {
            let mut out_row = out.slice_mut(ndarray::s![p, i, ..]);
            let out_row = out_row.as_slice_mut().expect("a fresh array's rows are contiguous");
            for l in 0..k {
                let a_il = a[[p, i, l]];
                let b_row = b.slice(ndarray::s![p, l, ..]);
                let b_row = b_row.as_slice().expect("standard layout rows are contiguous");
                for (o, &b_lj) in out_row.iter_mut().zip(b_row) {
                    *o += a_il * b_lj;
                }
            }
        }
    }
    Ok(out)
}
// ANCHOR_END: loops_ikj

// ANCHOR: broadcast
/// NumPy's `(a[:, :, :, None] * b[:, None, :, :]).sum(axis=2)`: insert axes, multiply with broadcasting into a
/// (B, M, K, N) temporary, then sum over K. No loop in sight, but the temporary is K times larger than the output.
pub fn broadcast_sum(a: ArrayView3<'_, f32>, b: ArrayView3<'_, f32>) -> Result<Array3<f32>, BatchShapeError> {
    // ANCHOR: exercise_broadcast_sum
    output_shape(&a, &b)?;
    let a4 = a.insert_axis(Axis(3)); // (B, M, K, 1)
    let b4 = b.insert_axis(Axis(1)); // (B, 1, K, N)
    let products = &a4 * &b4; //        (B, M, K, N): the large temporary
    Ok(products.sum_axis(Axis(2))) //   (B, M, N)
    // ANCHOR_END: exercise_broadcast_sum
}
// ANCHOR_END: broadcast

// ANCHOR: per_batch_dot
/// One `dot` per matrix of the batch: ndarray's matrix product (cache-blocked, SIMD) on each (M, K) x (K, N).
pub fn per_batch_dot(a: ArrayView3<'_, f32>, b: ArrayView3<'_, f32>) -> Result<Array3<f32>, BatchShapeError> {
    // ANCHOR: exercise_per_batch_dot
    let shape = output_shape(&a, &b)?;
    let mut out = Array3::<f32>::zeros(shape);
    for ((mut o, a), b) in out.outer_iter_mut().zip(a.outer_iter()).zip(b.outer_iter()) {
        o.assign(&a.dot(&b));
    }
    Ok(out)
    // ANCHOR_END: exercise_per_batch_dot
}
// ANCHOR_END: per_batch_dot

// ANCHOR: gemm_into
/// `general_mat_mul` writes each product straight into a preallocated output: no temporary per matrix.
/// Call it in a loop with the same `out` and nothing is allocated at all.
pub fn gemm_into(a: ArrayView3<'_, f32>, b: ArrayView3<'_, f32>, out: &mut Array3<f32>) -> Result<(), BatchShapeError> {
    // ANCHOR: exercise_gemm_into
    let shape = output_shape(&a, &b)?;
    if out.dim() != shape {
        *out = Array3::zeros(shape);
    }
    for ((mut o, a), b) in out.outer_iter_mut().zip(a.outer_iter()).zip(b.outer_iter()) {
        general_mat_mul(1.0, &a, &b, 0.0, &mut o);
    }
    Ok(())
    // ANCHOR_END: exercise_gemm_into
}
// ANCHOR_END: gemm_into

// ANCHOR: parallel
/// The batch split over all cores with rayon: each matrix of the batch is an independent `general_mat_mul`.
pub fn parallel_gemm(a: ArrayView3<'_, f32>, b: ArrayView3<'_, f32>) -> Result<Array3<f32>, BatchShapeError> {
    // ANCHOR: exercise_parallel_gemm
    let shape = output_shape(&a, &b)?;
    let mut out = Array3::<f32>::zeros(shape);
    Zip::from(out.outer_iter_mut()).and(a.outer_iter()).and(b.outer_iter()).par_for_each(|mut o, a, b| {
        general_mat_mul(1.0, &a, &b, 0.0, &mut o);
    });
    Ok(out)
    // ANCHOR_END: exercise_parallel_gemm
}
// ANCHOR_END: parallel

// ANCHOR: gemm_crate
/// The same split over the cores, each matrix multiplied by the `gemm` crate, whose kernels go up to AVX-512 on
/// CPUs that have it (`matrixmultiply`, behind `general_mat_mul`, stops at AVX2 and FMA). Its interface takes
/// raw pointers and strides, so the shapes are checked first and the call is wrapped here once.
pub fn gemm_crate_into(a: ArrayView3<'_, f32>, b: ArrayView3<'_, f32>, out: &mut Array3<f32>) -> Result<(), BatchShapeError> {
    let shape = output_shape(&a, &b)?;
    if out.dim() != shape {
        *out = Array3::zeros(shape);
    }
    Zip::from(out.outer_iter_mut()).and(a.outer_iter()).and(b.outer_iter()).par_for_each(|o, a, b| gemm_view(1.0, a, b, o));
    Ok(())
}

/// `out = scale * a.dot(&b)` by the `gemm` crate, on one core, for views of any strides (a transpose too).
/// The one wrapper of its raw-pointer interface. Panics if the shapes do not chain, as `general_mat_mul` does:
/// callers check them first and return their own typed errors.
pub fn gemm_view(scale: f32, a: ArrayView2<'_, f32>, b: ArrayView2<'_, f32>, mut out: ArrayViewMut2<'_, f32>) {
    let ((m, k), (k2, n)) = (a.dim(), b.dim());
    assert!(k == k2 && out.dim() == (m, n), "gemm_view: ({m}, {k}) x ({k2}, {n}) into {:?}", out.dim());
    let (os, as_, bs) = (out.strides().to_vec(), a.strides().to_vec(), b.strides().to_vec());
    // SAFETY: each pointer is the first element of a live view, with that view's strides (in elements, as
    // gemm takes them), and the shapes were checked above: out is m x n, a is m x k, b is k x n. With the
    // "read dst" flag off, `out` is only written; `out` is a mutable view, so it aliases neither input.
    unsafe {
        gemm::gemm(
            m, n, k, out.as_mut_ptr(), os[1], os[0], false, a.as_ptr(), as_[1], as_[0], b.as_ptr(), bs[1], bs[0],
            0.0, scale, false, false, false, gemm::Parallelism::None,
        );
    }
}

/// `gemm_crate_into` a new output. Most of its time on a 4 MiB output can be the first write to each fresh
/// page (the lab's table measures it), which a kept output or huge pages avoid.
pub fn parallel_gemm_crate(a: ArrayView3<'_, f32>, b: ArrayView3<'_, f32>) -> Result<Array3<f32>, BatchShapeError> {
    let mut out = Array3::<f32>::zeros(output_shape(&a, &b)?);
    gemm_crate_into(a, b, &mut out)?;
    Ok(out)
}
// ANCHOR_END: gemm_crate

/// Multiply-adds of a batch product: 2 * B * M * K * N floating-point operations.
pub fn flops(batches: usize, m: usize, k: usize, n: usize) -> f64 {
    2.0 * (batches * m * k * n) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use course_utils::{Agree, Tolerance};
    use ndarray::{Array, ShapeBuilder, array};
    use ndarray_rand::RandomExt;
    use ndarray_rand::rand::SeedableRng;
    use ndarray_rand::rand::rngs::StdRng;
    use ndarray_rand::rand_distr::Uniform;

    type Variant = fn(ArrayView3<'_, f32>, ArrayView3<'_, f32>) -> Result<Array3<f32>, BatchShapeError>;

    fn gemm_into_fresh(a: ArrayView3<'_, f32>, b: ArrayView3<'_, f32>) -> Result<Array3<f32>, BatchShapeError> {
        let mut out = Array3::zeros((0, 0, 0)); // the wrong shape on purpose: gemm_into must resize it
        gemm_into(a, b, &mut out)?;
        Ok(out)
    }

    fn gemm_crate_into_fresh(a: ArrayView3<'_, f32>, b: ArrayView3<'_, f32>) -> Result<Array3<f32>, BatchShapeError> {
        let mut out = Array3::from_elem((1, 2, 3), f32::NAN); // wrong shape and garbage: both must go
        gemm_crate_into(a, b, &mut out)?;
        Ok(out)
    }

    #[test]
    fn gemm_crate_into_overwrites_a_kept_output_of_the_right_shape() {
        let (a, b) = (random((3, 5, 7), 5), random((3, 7, 4), 6));
        let mut out = Array3::from_elem((3, 5, 4), f32::NAN); // garbage must not leak into the result
        gemm_crate_into(a.view(), b.view(), &mut out).unwrap();
        out.agree(&naive_loops(a.view(), b.view()).unwrap(), Tolerance::new(1e-5, 1e-5)).unwrap();
    }

    fn random(shape: (usize, usize, usize), seed: u64) -> Array3<f32> {
        let mut rng = StdRng::seed_from_u64(seed);
        Array::random_using(shape, Uniform::new(-1.0, 1.0).unwrap(), &mut rng)
    }

    #[test]
    fn the_reference_matches_a_hand_computed_product() {
        let a = array![[[1.0, 2.0], [3.0, 4.0]], [[0.0, 1.0], [1.0, 0.0]]];
        let b = array![[[5.0, 6.0], [7.0, 8.0]], [[2.0, 3.0], [4.0, 5.0]]];
        let expected = array![[[19.0, 22.0], [43.0, 50.0]], [[4.0, 5.0], [2.0, 3.0]]];
        assert_eq!(naive_loops(a.view(), b.view()).unwrap(), expected);
    }

    fn matches_the_reference_on_odd_shapes(name: &str, variant: Variant) {
        // shapes that are not multiples of any SIMD width or block size
        for (batches, m, k, n) in [(3, 5, 7, 2), (1, 1, 1, 1), (4, 17, 33, 9), (2, 64, 3, 65)] {
            let a = random((batches, m, k), 1);
            let b = random((batches, k, n), 2);
            let reference = naive_loops(a.view(), b.view()).unwrap();
            let got = variant(a.view(), b.view()).unwrap();
            got.agree(&reference, Tolerance::new(1e-5, 1e-5)).unwrap_or_else(|e| panic!("{name} on {:?}: {e}", (batches, m, k, n)));
        }
    }

    fn accepts_non_contiguous_inputs(name: &str, variant: Variant) {
        let a = random((2, 6, 5), 3);
        let b_t = random((2, 4, 5), 4); // (B, N, K): its transposed view is a (B, K, N) with swapped strides
        let b = b_t.view().permuted_axes([0, 2, 1]);
        assert!(!b.is_standard_layout());
        let mut f_order = Array3::<f32>::zeros((2, 6, 5).f());
        f_order.assign(&a);
        let reference = naive_loops(a.view(), b).unwrap();
        let got = variant(f_order.view(), b).unwrap();
        got.agree(&reference, Tolerance::new(1e-5, 1e-5)).unwrap_or_else(|e| panic!("{name}: {e}"));
    }

    fn handles_empty_batches_and_zero_inner_dimension(name: &str, variant: Variant) {
        for (batches, m, k, n) in [(0, 3, 4, 5), (2, 3, 0, 5)] {
            let (a, b) = (Array3::<f32>::zeros((batches, m, k)), Array3::<f32>::zeros((batches, k, n)));
            assert_eq!(variant(a.view(), b.view()).unwrap(), Array3::zeros((batches, m, n)), "{name}");
        }
    }

    fn reports_mismatched_shapes(name: &str, variant: Variant) {
        let a = Array3::<f32>::zeros((4, 3, 5));
        let wrong_batch = Array3::<f32>::zeros((2, 5, 6));
        let wrong_inner = Array3::<f32>::zeros((4, 6, 6));
        assert_eq!(variant(a.view(), wrong_batch.view()).unwrap_err(), BatchShapeError::Batch { a: 4, b: 2 }, "{name}");
        assert_eq!(variant(a.view(), wrong_inner.view()).unwrap_err(), BatchShapeError::Inner { m: 3, k_a: 5, k_b: 6, n: 6 }, "{name}");
    }

    /// One test group per variant, so each passes or fails on its own (the lab's exercises rely on it).
    macro_rules! variant_tests {
        ($($module:ident: $name:literal, $variant:expr;)*) => {$(
            mod $module {
                use super::*;

                #[test]
                fn matches_the_reference() {
                    matches_the_reference_on_odd_shapes($name, $variant);
                }

                #[test]
                fn accepts_any_memory_layout() {
                    accepts_non_contiguous_inputs($name, $variant);
                }

                #[test]
                fn handles_empty_shapes() {
                    handles_empty_batches_and_zero_inner_dimension($name, $variant);
                }

                #[test]
                fn mismatched_shapes_are_typed_errors() {
                    reports_mismatched_shapes($name, $variant);
                }
            }
        )*};
    }

    variant_tests! {
        naive: "naive_loops", naive_loops;
        ikj: "loops_ikj", loops_ikj;
        broadcast_sum: "broadcast_sum", broadcast_sum;
        per_batch_dot: "per_batch_dot", per_batch_dot;
        gemm_into: "gemm_into", gemm_into_fresh;
        parallel_gemm: "parallel_gemm", parallel_gemm;
        gemm_crate: "parallel_gemm_crate", parallel_gemm_crate;
        gemm_crate_kept: "gemm_crate_into", gemm_crate_into_fresh;
    }

    #[test]
    fn the_shape_error_says_what_is_wrong() {
        let inner_error = BatchShapeError::Inner { m: 3, k_a: 5, k_b: 6, n: 6 };
        assert_eq!(
            inner_error.to_string(),
            "inner dimensions differ: a is (.., 3, 5) but b is (.., 6, 6); a's last axis must equal b's middle one"
        );
    }

    #[test]
    fn flops_count_multiply_adds_twice() {
        assert_eq!(flops(64, 128, 128, 128), 2.0 * 64.0 * 128.0 * 128.0 * 128.0);
    }
}
