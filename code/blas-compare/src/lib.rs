//! ndarray on OpenBLAS (its `blas` feature) against matrixmultiply, the kernel it uses by default.

// Links the BLAS implementation that ndarray's `blas` feature calls (here: the system's OpenBLAS).
extern crate blas_src;

use course_utils::{Compare, CompareError, OutputBuffer, Report, Schedule, Throughput, Tolerance};
use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, Array3, ArrayView2, ArrayViewMut2, Zip};
use std::ffi::{CStr, c_char, c_int};
use std::sync::Arc;

unsafe extern "C" {
    fn openblas_get_config() -> *const c_char;
    fn openblas_get_corename() -> *const c_char;
    fn openblas_get_num_threads() -> c_int;
}

/// What OpenBLAS says about itself: version and build, the kernel it chose for this CPU, its thread count.
pub fn openblas_info() -> String {
    // SAFETY: OpenBLAS returns pointers to static, NUL-terminated strings.
    let text = |p: *const c_char| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned();
    let (config, core, threads) = unsafe { (text(openblas_get_config()), text(openblas_get_corename()), openblas_get_num_threads()) };
    format!("{config}; kernel: {core}; threads: {threads}")
}

/// C = A B with matrixmultiply's `sgemm` (one core), for standard-layout f32 matrices.
pub fn matrixmultiply_into(a: ArrayView2<'_, f32>, b: ArrayView2<'_, f32>, mut c: ArrayViewMut2<'_, f32>) {
    let ((m, k), n) = (a.dim(), b.ncols());
    assert!(b.nrows() == k && c.dim() == (m, n), "shapes checked by the callers");
    let (rsa, csa) = (a.strides()[0], a.strides()[1]);
    let (rsb, csb) = (b.strides()[0], b.strides()[1]);
    let (rsc, csc) = (c.strides()[0], c.strides()[1]);
    // SAFETY: the pointers and strides come from live ndarray views of the stated shapes.
    unsafe { matrixmultiply::sgemm(m, k, n, 1.0, a.as_ptr(), rsa, csa, b.as_ptr(), rsb, csb, 0.0, c.as_mut_ptr(), rsc, csc) }
}

type Batch = (Array3<f32>, Array3<f32>);

/// The lab's batch product: matrixmultiply (1 core), matrixmultiply with rayon over the batch, and OpenBLAS
/// through ndarray's `general_mat_mul` (OpenBLAS's own threads), each into a kept output.
pub fn batch_report(inputs: &Batch, runs: usize) -> Result<Report, CompareError> {
    let (b, m, n) = (inputs.0.dim().0, inputs.0.dim().1, inputs.1.dim().2);
    let k = inputs.0.dim().2;
    let make = || Array3::<f32>::zeros((b, m, n));
    let (mm, mm_par, blas) = (OutputBuffer::new(), OutputBuffer::new(), OutputBuffer::new());
    Compare::new(format!("Batch matmul, f32, ({b}, {m}, {k}) x ({b}, {k}, {n}): matrixmultiply and OpenBLAS"))
        .runs(runs)
        .warmup(3)
        .schedule(Schedule::Blocks)
        .tolerance(Tolerance::new(1e-4, 1e-5))
        .throughput(Throughput::Flops(arrays::batch_matmul::flops(b, m, k, n)))
        .add("matrixmultiply, one core (ndarray's default)", |(x, y): &Batch| {
            mm.fill(make, |out| {
                for ((o, a), b) in out.outer_iter_mut().zip(x.outer_iter()).zip(y.outer_iter()) {
                    matrixmultiply_into(a, b, o);
                }
            })
        })
        .add("matrixmultiply, rayon over the batch", |(x, y): &Batch| {
            mm_par.fill(make, |out| {
                Zip::from(out.outer_iter_mut()).and(x.outer_iter()).and(y.outer_iter()).par_for_each(|o, a, b| matrixmultiply_into(a, b, o));
            })
        })
        .add("OpenBLAS via ndarray's `blas` feature", |(x, y): &Batch| {
            blas.fill(make, |out| {
                for ((mut o, a), b) in out.outer_iter_mut().zip(x.outer_iter()).zip(y.outer_iter()) {
                    general_mat_mul(1.0, &a, &b, 0.0, &mut o);
                }
            })
        })
        .run(inputs)
}

/// One large product, n x n times n x n: where a BLAS's blocking and threads matter most.
pub fn large_report(n: usize, runs: usize) -> Result<Report, CompareError> {
    let a = Array2::from_shape_fn((n, n), |(i, j)| ((i * 7 + j * 13) % 17) as f32 / 8.0 - 1.0);
    let b = Array2::from_shape_fn((n, n), |(i, j)| ((i * 11 + j * 5) % 19) as f32 / 9.0 - 1.0);
    let make = || Array2::<f32>::zeros((n, n));
    let (mm, blas) = (OutputBuffer::new(), OutputBuffer::new());
    let inputs = (a, b);
    Compare::new(format!("One matrix product, f32, {n} x {n} x {n}: matrixmultiply and OpenBLAS"))
        .runs(runs)
        .warmup(1)
        .schedule(Schedule::Blocks)
        .tolerance(Tolerance::new(1e-4, 1e-3))
        .throughput(Throughput::Flops(2.0 * (n * n * n) as f64))
        .add("matrixmultiply, one core (ndarray's default)", |(a, b): &(Array2<f32>, Array2<f32>)| -> Arc<Array2<f32>> {
            mm.fill(make, |out| matrixmultiply_into(a.view(), b.view(), out.view_mut()))
        })
        .add("OpenBLAS via ndarray's `blas` feature", |(a, b): &(Array2<f32>, Array2<f32>)| {
            blas.fill(make, |out| general_mat_mul(1.0, a, b, 0.0, out))
        })
        .run(&inputs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use course_utils::Agree;

    #[test]
    fn openblas_and_matrixmultiply_agree_on_odd_shapes() {
        for (m, k, n) in [(1, 1, 1), (7, 3, 5), (33, 65, 17)] {
            let a = Array2::from_shape_fn((m, k), |(i, j)| (i as f32 - j as f32) / 10.0);
            let b = Array2::from_shape_fn((k, n), |(i, j)| ((i + 2 * j) % 5) as f32 - 2.0);
            let mut mm = Array2::zeros((m, n));
            matrixmultiply_into(a.view(), b.view(), mm.view_mut());
            let blas = a.dot(&b); // ndarray's `dot`, on OpenBLAS here
            let reference = Array2::from_shape_fn((m, n), |(i, j)| (0..k).map(|l| a[[i, l]] * b[[l, j]]).sum::<f32>());
            mm.agree(&reference, Tolerance::new(1e-5, 1e-5)).unwrap();
            blas.agree(&reference, Tolerance::new(1e-5, 1e-5)).unwrap();
        }
    }

    #[test]
    fn the_reports_check_agreement_before_timing() {
        let inputs = arrays::lab_1_2_1::batch_inputs(arrays::lab_1_2_1::BatchShape { batches: 3, m: 9, k: 8, n: 7 }, 1);
        assert_eq!(batch_report(&inputs, 1).unwrap().timings().len(), 3);
        assert_eq!(large_report(40, 1).unwrap().timings().len(), 2);
    }

    #[test]
    fn openblas_reports_its_version() {
        assert!(openblas_info().contains("OpenBLAS"), "{}", openblas_info());
    }
}
