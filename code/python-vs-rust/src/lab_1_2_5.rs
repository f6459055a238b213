//! Lab 1.2.5's distances and nearest neighbours on the Rust side, on the points the Python script builds
//! (`python/lab_1_2_5.py`).

use crate::lab_1_2_1::{time, with_huge_pages};
use crate::{ChecksumTolerance, Sample};
use ndarray::{Array2, ArrayView2};
use performance::knn::{self, Knn, KnnError};

/// The Python script of this lab, relative to this crate.
pub const SCRIPT: &str = "python/lab_1_2_5.py";

/// The workloads: name in the protocol, title in the book, checksum tolerance.
pub const WORKLOADS: [(&str, &str, ChecksumTolerance); 2] = [
    // sums of square roots in different orders (and the matrix-product trick in none of them): ~1e-12 relative
    ("distances", "Distance matrix, N = 2000, D = 3, f64", ChecksumTolerance { rtol: 1e-9, atol: 1e-9 }),
    ("knn", "Distances + 10 nearest neighbours, N = 2000, D = 3, f64", ChecksumTolerance { rtol: 1e-9, atol: 1e-9 }),
];

/// (Rust, Python) rows of the same formulation, compared line by line under the table: a fresh output from the
/// system allocator on both sides (Numba's `np.empty` inside `@njit` is a plain `malloc`), and a kept output.
pub const SAME_FORMULATION: [(&str, &str); 2] = [
    ("coordinates as columns, rayon", "Numba `@njit(parallel=True)`"),
    ("coordinates as columns, rayon, into a kept output", "Numba `parallel=True` into a kept output"),
];

/// (N, D, k, rows in the checksum): the lab's, or the smoke test's (the same as the script's).
pub const LAB: (usize, usize, usize, usize) = (2000, 3, 10, 100);
pub const SMOKE: (usize, usize, usize, usize) = (50, 3, 5, 50);

/// Coordinate `k` of the flattened (N, D) points: the script's `coordinate`.
pub fn coordinate(k: usize) -> f64 {
    ((k * 7919) % 10007) as f64 / 10007.0
}

pub fn points(n: usize, dims: usize) -> Array2<f64> {
    Array2::from_shape_fn((n, dims), |(i, d)| coordinate(i * dims + d))
}

/// The sum of the first `rows` rows of a distance matrix.
fn first_rows(d: ArrayView2<f64>, rows: usize) -> f64 {
    d.outer_iter().take(rows).map(|r| r.sum()).sum()
}

/// The sum of the first `rows` points' distances to their neighbours: the same however ties were broken.
fn neighbour_sum(knn: &Result<Knn, KnnError>, rows: usize) -> f64 {
    let Ok(knn) = knn else { return f64::NAN };
    (0..rows.min(knn.neighbours.nrows())).map(|i| knn.neighbours.row(i).iter().map(|&j| knn.distances[[i, j]]).sum::<f64>()).sum()
}

/// One round of the Rust side: every version `runs` times (the slow ones fewer), each call a sample.
pub fn rust_samples(size: (usize, usize, usize, usize), runs: usize, emit: &mut dyn FnMut(Sample)) {
    let (n, dims, k, rows) = size;
    let x = points(n, dims);
    let nested = knn::to_nested(x.view());
    let w = "distances";
    time(w, "nested loops over `Vec<Vec<f64>>`", runs / 5, || knn::distances_nested(&nested), |d| first_rows(d.view(), rows), emit);
    time(w, "coordinates as columns (SIMD), one core", runs, || knn::distances_columns(x.view()), |d| first_rows(d.view(), rows), emit);
    time(w, "coordinates as columns, rayon", runs, || knn::distances_parallel(x.view()), |d| first_rows(d.view(), rows), emit);
    let huge = with_huge_pages(|| knn::distances_parallel(x.view()));
    time(w, "coordinates as columns, rayon, huge pages as NumPy", runs, huge, |d| first_rows(d.view(), rows), emit);
    let kept = std::cell::RefCell::new(Array2::<f64>::zeros((n, n)));
    let into_kept = || knn::distances_parallel_into(x.view(), kept.borrow_mut().view_mut());
    time(w, "coordinates as columns, rayon, into a kept output", runs, into_kept, |_| first_rows(kept.borrow().view(), rows), emit);
    let w = "knn";
    let slow = |out: &Result<(Vec<Vec<f64>>, Vec<Vec<usize>>), KnnError>| neighbour_sum(&out.as_ref().map(|(d, nb)| Knn::from_nested(d, nb)).map_err(Clone::clone), rows);
    time(w, "slow: `Vec<Vec<f64>>`, full sort", runs / 5, || knn::knn_slow(&nested, k), slow, emit);
    time(w, "step 3: one-pass selection, one core", runs, || knn::knn_step3_select(x.view(), k), |r| neighbour_sum(r, rows), emit);
    time(w, "step 5: columns + rayon, fused", runs, || knn::knn_step5_parallel(x.view(), k), |r| neighbour_sum(r, rows), emit);
}
