//! Lab 1.2.1's workloads on the Rust side, on the inputs the Python script builds (`python/lab_1_2_1.py`).

use crate::{ChecksumTolerance, Language, Sample, value};
use arrays::{batch_matmul, outer, sum};
use course_utils::pages::HUGE_PAGES_SYSTEM;
use ndarray::{Array1, Array2, Array3, ArrayView2, Axis};
use std::hint::black_box;
use std::time::Instant;

/// The Python script of this lab, relative to this crate.
pub const SCRIPT: &str = "python/lab_1_2_1.py";

/// The workloads: name in the protocol, title in the book, checksum tolerance.
pub const WORKLOADS: [(&str, &str, ChecksumTolerance); 3] = [
    // f32 products summed in different orders: agree to about 1e-6 relative, the checksum squares them
    ("batch_matmul", "Batch matmul, f32, (64, 128, 128) x (64, 128, 128)", ChecksumTolerance { rtol: 1e-4, atol: 1e-6 }),
    ("outer", "Outer product, f32, n = 4096", ChecksumTolerance { rtol: 1e-5, atol: 1e-6 }),
    // f64 sums in different orders: the values are multiples of 1/50, the sum stays small
    ("sum", "Sum of 1,000,000 f64", ChecksumTolerance { rtol: 1e-9, atol: 1e-6 }),
];

/// The sizes of one run: the lab's, or tiny ones for the smoke test (the same as the script's `--smoke`).
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    pub batch: (usize, usize, usize, usize),
    pub outer: usize,
    pub sum: usize,
}

impl Sizes {
    pub const LAB: Sizes = Sizes { batch: (64, 128, 128, 128), outer: 4096, sum: 1_000_000 };
    pub const SMOKE: Sizes = Sizes { batch: (2, 5, 4, 3), outer: 7, sum: 100 };
}

pub fn f32_input<D: ndarray::Dimension>(shape: impl ndarray::IntoDimension<Dim = D>, offset: usize) -> ndarray::Array<f32, D> {
    let shape = shape.into_dimension();
    let data = (0..shape.size()).map(|k| value(k + offset) as f32).collect();
    ndarray::Array::from_shape_vec(shape, data).expect("the data has the shape's size")
}

/// The checksum of a 2-D output, as the script computes it: the sum of squares, in f64.
pub fn sum_of_squares(out: ArrayView2<'_, f32>) -> f64 {
    out.iter().map(|&v| f64::from(v) * f64::from(v)).sum()
}

/// Times `runs` calls of `f`, reporting each with the checksum of its output.
pub fn time<T>(workload: &str, name: &str, runs: usize, f: impl Fn() -> T, checksum: impl Fn(&T) -> f64, emit: &mut dyn FnMut(Sample)) {
    black_box(f()); // warm-up
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let out = black_box(f());
        let seconds = start.elapsed().as_secs_f64();
        emit(Sample { workload: workload.into(), implementation: name.into(), language: Language::Rust, seconds, checksum: checksum(&out) });
    }
}

/// The same formulation in both languages (fresh output with NumPy's page policy, or a kept output), compared
/// line by line under the table.
pub const SAME_FORMULATION: [(&str, &str); 4] = [
    ("`gemm` crate, rayon over the batch, huge pages as NumPy", "NumPy `np.matmul(a, b)`"),
    ("`gemm` crate into a kept output, rayon", "NumPy `np.matmul(a, b, out=kept)`"),
    ("broadcast `a[:, None] * b[None, :]`, huge pages as NumPy", "NumPy broadcast `a[:, None] * b[None, :]`"),
    ("broadcast row by row, huge pages as NumPy", "NumPy broadcast `a[:, None] * b[None, :]`"),
];

/// `f` with NumPy's page policy on: allocations of 4 MiB and more advised to use huge
/// pages (`course_utils::pages`). It takes effect when the program installed `HUGE_PAGES_SYSTEM` as its global
/// allocator, as the generator does (its `main.rs`), which then checks that the policy ran.
pub fn with_huge_pages<T>(f: impl Fn() -> T) -> impl Fn() -> T {
    move || {
        HUGE_PAGES_SYSTEM.enable(true);
        let out = f();
        HUGE_PAGES_SYSTEM.enable(false);
        out
    }
}

/// One round of the Rust side: every implementation `runs` times (the slowest fewer), each call a sample.
pub fn rust_samples(sizes: Sizes, runs: usize, emit: &mut dyn FnMut(Sample)) {
    let (b, m, k, n) = sizes.batch;
    let (a, bm) = (f32_input((b, m, k), 0), f32_input((b, k, n), 7));
    let first = |out: &Result<Array3<f32>, batch_matmul::BatchShapeError>| {
        out.as_ref().map_or(f64::NAN, |o| sum_of_squares(o.index_axis(Axis(0), 0)))
    };
    let w = "batch_matmul";
    time(w, "naive loops `a[[p, i, l]]`", runs / 10, || batch_matmul::naive_loops(a.view(), bm.view()), first, emit);
    time(w, "loops, i-k-j order over slices", runs / 3, || batch_matmul::loops_ikj(a.view(), bm.view()), first, emit);
    time(w, "broadcast product + sum over K", runs / 3, || batch_matmul::broadcast_sum(a.view(), bm.view()), first, emit);
    time(w, "`dot` per matrix", runs, || batch_matmul::per_batch_dot(a.view(), bm.view()), first, emit);
    let kept = std::cell::RefCell::new(Array3::<f32>::zeros((b, m, n)));
    time(
        w,
        "`general_mat_mul` into a kept output",
        runs,
        || batch_matmul::gemm_into(a.view(), bm.view(), &mut kept.borrow_mut()),
        |_| sum_of_squares(kept.borrow().index_axis(Axis(0), 0)),
        emit,
    );
    time(w, "rayon over the batch", runs, || batch_matmul::parallel_gemm(a.view(), bm.view()), first, emit);
    time(w, "`gemm` crate, rayon over the batch", runs, || batch_matmul::parallel_gemm_crate(a.view(), bm.view()), first, emit);
    let crate_huge = with_huge_pages(|| batch_matmul::parallel_gemm_crate(a.view(), bm.view()));
    time(w, "`gemm` crate, rayon over the batch, huge pages as NumPy", runs, crate_huge, first, emit);
    time(
        w,
        "`gemm` crate into a kept output, rayon",
        runs,
        || batch_matmul::gemm_crate_into(a.view(), bm.view(), &mut kept.borrow_mut()),
        |_| sum_of_squares(kept.borrow().index_axis(Axis(0), 0)),
        emit,
    );

    let (x, y): (Array1<f32>, Array1<f32>) = (f32_input(sizes.outer, 0), f32_input(sizes.outer, 3));
    let w = "outer";
    let all = |o: &Array2<f32>| sum_of_squares(o.view());
    time(w, "nested loops `out[[i, j]]`", runs, || outer::outer_loops(&x, &y), all, emit);
    time(w, "broadcast `a[:, None] * b[None, :]`", runs, || outer::outer_broadcast(&x, &y), all, emit);
    time(w, "broadcast row by row, `a[i] * b`", runs, || outer::outer_rows(&x, &y), all, emit);
    time(w, "broadcast `a[:, None] * b[None, :]`, huge pages as NumPy", runs, with_huge_pages(|| outer::outer_broadcast(&x, &y)), all, emit);
    time(w, "broadcast row by row, huge pages as NumPy", runs, with_huge_pages(|| outer::outer_rows(&x, &y)), all, emit);
    let kept = std::cell::RefCell::new(Array2::<f32>::zeros((0, 0)));
    time(w, "`Zip` into a kept output, rayon", runs, || outer::outer_into_parallel(&x, &y, &mut kept.borrow_mut()), |_| all(&kept.borrow()), emit);

    let values = Array1::from_iter((0..sizes.sum).map(value));
    let w = "sum";
    time(w, "index loop `x[i]`", runs, || sum::sum_loop(&values), |s| *s, emit);
    time(w, "`x.iter().sum()`", runs, || sum::sum_iter(&values), |s| *s, emit);
    time(w, "ndarray `x.sum()`", runs * 4, || sum::sum_ndarray(&values), |s| *s, emit);
}
