//! Lab 1.2.5: pairwise Euclidean distances of N points and each point's k nearest neighbours, first as a learner
//! new to Rust would write it, then optimized one measured step at a time. Every version returns the same
//! neighbours as the slow one (tested), and distances equal to it up to rounding.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut1, Axis, Zip};
use rayon::prelude::*;

/// Why a k-nearest-neighbours query cannot be answered.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum KnnError {
    #[error("there are no points")]
    Empty,
    #[error("point {index} has {got} coordinates, point 0 has {expected}")]
    Ragged { index: usize, got: usize, expected: usize },
    #[error("point {index} has a coordinate that is NaN or infinite")]
    NotFinite { index: usize },
    #[error("k = {k} neighbours asked for, but each point has only {others} others")]
    TooManyNeighbours { k: usize, others: usize },
    #[error("the output for {n} points must be ({n}, {n}), got {got:?}")]
    OutputShape { n: usize, got: (usize, usize) },
}

/// Checks the points (as rows) and k before any version runs.
pub fn validate<'a>(rows: impl IntoIterator<Item = &'a [f64]>, k: usize) -> Result<(), KnnError> {
    let mut n = 0;
    let mut dim = 0;
    for (index, row) in rows.into_iter().enumerate() {
        if index == 0 {
            dim = row.len();
        } else if row.len() != dim {
            return Err(KnnError::Ragged { index, got: row.len(), expected: dim });
        }
        if row.iter().any(|v| !v.is_finite()) {
            return Err(KnnError::NotFinite { index });
        }
        n += 1;
    }
    match n {
        0 => Err(KnnError::Empty),
        _ if k >= n => Err(KnnError::TooManyNeighbours { k, others: n - 1 }),
        _ => Ok(()),
    }
}

/// The answer in one shape for every version: the (N, N) distance matrix and the (N, k) neighbour indices,
/// nearest first (ties: the lower index first).
#[derive(Debug, Clone, PartialEq)]
pub struct Knn {
    pub distances: Array2<f64>,
    pub neighbours: Array2<usize>,
}

impl Knn {
    /// The slow version's nested vectors, as a `Knn`.
    pub fn from_nested(distances: &[Vec<f64>], neighbours: &[Vec<usize>]) -> Knn {
        let n = distances.len();
        let k = neighbours.first().map_or(0, Vec::len);
        Knn {
            distances: Array2::from_shape_fn((n, n), |(i, j)| distances[i][j]),
            neighbours: Array2::from_shape_fn((n, k), |(i, j)| neighbours[i][j]),
        }
    }
}

#[allow(clippy::ptr_arg, clippy::type_complexity, clippy::needless_range_loop)] // the learner's style is the point
// ANCHOR: slow
/// The provided slow function: correct, and written the way a learner new to Rust plausibly would.
pub fn knn_slow(points: &Vec<Vec<f64>>, k: usize) -> Result<(Vec<Vec<f64>>, Vec<Vec<usize>>), KnnError> {
    validate(points.iter().map(|p| p.as_slice()), k)?;
    let n = points.len();

    // every pairwise distance
    let mut distances = Vec::new();
    for i in 0..n {
        let mut row = Vec::new();
        for j in 0..n {
            let mut sum = 0.0;
            for d in 0..points[i].len() {
                let diff = points[i][d] - points[j][d];
                sum += diff * diff;
            }
            row.push(sum.sqrt());
        }
        distances.push(row);
    }

    // for each point, sort all the others by distance and keep the first k
    let mut neighbours = Vec::new();
    for i in 0..n {
        let mut candidates = Vec::new();
        for j in 0..n {
            if j != i {
                candidates.push((distances[i][j], j));
            }
        }
        candidates.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap());
        let mut nearest = Vec::new();
        for c in candidates.iter().take(k) {
            nearest.push(c.1);
        }
        neighbours.push(nearest);
    }
    Ok((distances, neighbours))
}
// ANCHOR_END: slow

/// Nearest first; equal distances by index, which is what the slow version's stable sort gives.
fn closer(a: &(f64, usize), b: &(f64, usize)) -> std::cmp::Ordering {
    a.0.total_cmp(&b.0).then(a.1.cmp(&b.1))
}

// ANCHOR: step1
/// Step 1: allocate once. The distance matrix is made at its full size up front, and one candidate buffer is
/// reused for every point instead of a fresh `Vec` per point.
pub fn knn_step1_allocate_once(points: &[Vec<f64>], k: usize) -> Result<Knn, KnnError> {
    // ANCHOR: exercise_step1
    validate(points.iter().map(|p| p.as_slice()), k)?;
    let n = points.len();
    let mut distances = Array2::zeros((n, n));
    for i in 0..n {
        for j in 0..n {
            let sum: f64 = points[i].iter().zip(&points[j]).map(|(a, b)| (a - b) * (a - b)).sum();
            distances[[i, j]] = sum.sqrt();
        }
    }
    let mut neighbours = Array2::zeros((n, k));
    let mut candidates = Vec::with_capacity(n);
    for i in 0..n {
        candidates.clear();
        candidates.extend((0..n).filter(|&j| j != i).map(|j| (distances[[i, j]], j)));
        candidates.sort_by(closer);
        for (slot, c) in neighbours.row_mut(i).iter_mut().zip(&candidates) {
            *slot = c.1;
        }
    }
    Ok(Knn { distances, neighbours })
    // ANCHOR_END: exercise_step1
}
// ANCHOR_END: step1

fn validate_array(points: ArrayView2<f64>, k: usize) -> Result<(), KnnError> {
    if points.iter().any(|v| !v.is_finite()) {
        let index = points.rows().into_iter().position(|r| r.iter().any(|v| !v.is_finite())).unwrap_or(0);
        return Err(KnnError::NotFinite { index });
    }
    match points.nrows() {
        0 => Err(KnnError::Empty),
        n if k >= n => Err(KnnError::TooManyNeighbours { k, others: n - 1 }),
        _ => Ok(()),
    }
}

/// Distances from one point to every point, into `row`.
fn distance_row(point: &[f64], points: ArrayView2<f64>, mut row: ArrayViewMut1<f64>) {
    for (out, other) in row.iter_mut().zip(points.rows()) {
        let sum: f64 = point.iter().zip(other).map(|(a, b)| (a - b) * (a - b)).sum();
        *out = sum.sqrt();
    }
}

/// The slow version's distance loops alone (index loops over nested vectors), for the distance-matrix table.
#[allow(clippy::needless_range_loop)] // the slow version's style, kept on purpose
pub fn distances_nested(points: &[Vec<f64>]) -> Array2<f64> {
    let n = points.len();
    let mut out = Array2::zeros((n, n));
    for i in 0..n {
        for j in 0..n {
            let mut sum = 0.0;
            for d in 0..points[i].len() {
                let diff = points[i][d] - points[j][d];
                sum += diff * diff;
            }
            out[[i, j]] = sum.sqrt();
        }
    }
    out
}

/// Step 2's distance loops alone: contiguous rows, iterators, one core.
pub fn distances_serial(points: ArrayView2<f64>) -> Array2<f64> {
    let points = points.as_standard_layout();
    let n = points.nrows();
    let mut out = Array2::zeros((n, n));
    for (point, row) in points.rows().into_iter().zip(out.rows_mut()) {
        distance_row(point.as_slice().expect("standard layout"), points.view(), row);
    }
    out
}

// ANCHOR: step2
/// Step 2: contiguous storage. The points are one (N, D) array, row-major, so a point's coordinates sit next to
/// each other and the next point follows; no pointer to chase per point as with `Vec<Vec<f64>>`.
pub fn knn_step2_contiguous(points: ArrayView2<f64>, k: usize) -> Result<Knn, KnnError> {
    // ANCHOR: exercise_step2
    validate_array(points, k)?;
    let n = points.nrows();
    let points = points.as_standard_layout(); // a no-op when already row-major
    let mut distances = Array2::zeros((n, n));
    for (point, row) in points.rows().into_iter().zip(distances.rows_mut()) {
        distance_row(point.as_slice().expect("standard layout"), points.view(), row);
    }
    let mut neighbours = Array2::zeros((n, k));
    let mut candidates = Vec::with_capacity(n);
    for (i, (row, mut out)) in distances.rows().into_iter().zip(neighbours.rows_mut()).enumerate() {
        candidates.clear();
        candidates.extend(row.iter().enumerate().filter(|&(j, _)| j != i).map(|(j, &d)| (d, j)));
        candidates.sort_by(closer);
        out.iter_mut().zip(&candidates).for_each(|(slot, c)| *slot = c.1);
    }
    Ok(Knn { distances, neighbours })
    // ANCHOR_END: exercise_step2
}
// ANCHOR_END: step2

// ANCHOR: select
/// The k nearest of one row into `out`, in one pass and without sorting: `best` holds the k closest seen so far,
/// in order. A candidate that is not closer than the current k-th is rejected with one comparison, which is
/// what happens to almost all of them; the few that are closer are inserted in place (binary search, a shift of
/// at most k entries). About N comparisons per row instead of the full sort's N log N, and no N-long buffer.
/// (`select_nth_unstable_by` would also do, at O(N), but moves all N candidates around.)
fn k_nearest(i: usize, row: ArrayView1<f64>, best: &mut Vec<(f64, usize)>, mut out: ArrayViewMut1<usize>) {
    // ANCHOR: exercise_select
    let k = out.len();
    best.clear();
    if k == 0 {
        return;
    }
    let mut worst = f64::INFINITY; // the k-th smallest distance so far, once there are k
    for (j, &d) in row.iter().enumerate() {
        if d > worst || j == i {
            continue; // farther than all k kept so far: the common case, one comparison
        }
        let candidate = (d, j);
        if best.len() == k {
            if closer(&candidate, &best[k - 1]).is_ge() {
                continue; // a tie with the k-th, but a larger index
            }
            best.pop();
        }
        let at = best.partition_point(|b| closer(b, &candidate).is_lt());
        best.insert(at, candidate);
        if best.len() == k {
            worst = best[k - 1].0;
        }
    }
    out.iter_mut().zip(best.iter()).for_each(|(slot, c)| *slot = c.1);
    // ANCHOR_END: exercise_select
}
// ANCHOR_END: select

// ANCHOR: step3
/// Step 3: a one-pass selection of the k nearest instead of a full sort.
pub fn knn_step3_select(points: ArrayView2<f64>, k: usize) -> Result<Knn, KnnError> {
    validate_array(points, k)?;
    let n = points.nrows();
    let points = points.as_standard_layout();
    let mut distances = Array2::zeros((n, n));
    for (point, row) in points.rows().into_iter().zip(distances.rows_mut()) {
        distance_row(point.as_slice().expect("standard layout"), points.view(), row);
    }
    let mut neighbours = Array2::zeros((n, k));
    let mut best = Vec::with_capacity(k + 1);
    for (i, (row, out)) in distances.rows().into_iter().zip(neighbours.rows_mut()).enumerate() {
        k_nearest(i, row, &mut best, out);
    }
    Ok(Knn { distances, neighbours })
}
// ANCHOR_END: step3

// ANCHOR: gram
/// All distances at once with ‖a − b‖² = ‖a‖² + ‖b‖² − 2 a·b: the N x N dot products are one matrix product
/// (`x.dot(&x.t())`, matrixmultiply's cache-blocked kernel). The points are centred first: the trick subtracts
/// large nearly equal numbers, so it loses precision for points far from the origin, and centring shrinks the
/// norms without changing any distance. Rounding can still make a tiny squared distance negative: clamp to 0.
/// Near zero the trick stays weak: two equal points get a squared distance of about 1e-16, a distance of 1e-8.
pub fn distances_gram(points: ArrayView2<f64>) -> Array2<f64> {
    // ANCHOR: exercise_gram
    let mean = points.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(points.ncols()));
    let x = &points - &mean;
    let norms: Array1<f64> = x.rows().into_iter().map(|r| r.dot(&r)).collect();
    let mut d = x.dot(&x.t()); // a·b for every pair
    Zip::indexed(&mut d).for_each(|(i, j), v| {
        *v = if i == j { 0.0 } else { (norms[i] + norms[j] - 2.0 * *v).max(0.0).sqrt() };
    });
    d
    // ANCHOR_END: exercise_gram
}
// ANCHOR_END: gram

// ANCHOR: step4
/// Step 4: the distance matrix by the matrix-product trick, then the one-pass selection.
pub fn knn_step4_gram(points: ArrayView2<f64>, k: usize) -> Result<Knn, KnnError> {
    validate_array(points, k)?;
    let distances = distances_gram(points);
    let mut neighbours = Array2::zeros((points.nrows(), k));
    let mut best = Vec::with_capacity(k + 1);
    for (i, (row, out)) in distances.rows().into_iter().zip(neighbours.rows_mut()).enumerate() {
        k_nearest(i, row, &mut best, out);
    }
    Ok(Knn { distances, neighbours })
}
// ANCHOR_END: step4

// ANCHOR: columns
/// Distances from point `i` to every point, into `row`, with the coordinates stored as columns: `coords` is
/// (D, N), so coordinate d of all points is one contiguous slice. The inner loop then runs over points, not over
/// the D = 3 coordinates of one point, and the compiler turns it into SIMD instructions (several points per
/// instruction, square root included). The additions happen in the slow version's order: the same bits.
fn distance_row_columns<S: Slot>(i: usize, coords: ArrayView2<f64>, row: &mut [S]) {
    #[cfg(target_arch = "x86_64")]
    if crate::kernels::has_avx2_fma() {
        // SAFETY: the CPU has AVX2, checked just above
        return unsafe { distance_row_columns_avx2(i, coords, row) };
    }
    distance_row_columns_portable(i, coords, row)
}

/// The same loop compiled with AVX2 (4 doubles per instruction instead of SSE2's 2), chosen at run time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn distance_row_columns_avx2<S: Slot>(i: usize, coords: ArrayView2<f64>, row: &mut [S]) {
    distance_row_columns_portable(i, coords, row)
}

#[inline(always)]
fn distance_row_columns_portable<S: Slot>(i: usize, coords: ArrayView2<f64>, row: &mut [S]) {
    // ANCHOR: exercise_columns
    // a block of sums at a time, on the stack (in the core's L1 cache): the row itself is written once
    const BLOCK: usize = 256;
    for (b, out) in row.chunks_mut(BLOCK).enumerate() {
        let start = b * BLOCK;
        let mut sums = [0.0f64; BLOCK];
        let sums = &mut sums[..out.len()];
        for axis in coords.rows() {
            let axis = axis.to_slice().expect("standard layout");
            let own = axis[i];
            for (sum, &x) in sums.iter_mut().zip(&axis[start..start + out.len()]) {
                let diff = x - own;
                *sum += diff * diff;
            }
        }
        out.iter_mut().zip(sums.iter()).for_each(|(o, s)| o.set(s.sqrt()));
    }
    // ANCHOR_END: exercise_columns
}

/// Where a distance is written: an `f64` that holds a value already, or a slot of a fresh output that holds
/// none yet (`MaybeUninit`). A fresh (N, N) output then need not be zeroed before it is written (NumPy's
/// `np.empty`, not `np.zeros`): at N = 2000 that is 32 MB of writes saved.
pub trait Slot {
    fn set(&mut self, value: f64);
}

impl Slot for f64 {
    fn set(&mut self, value: f64) {
        *self = value;
    }
}

impl Slot for std::mem::MaybeUninit<f64> {
    fn set(&mut self, value: f64) {
        self.write(value);
    }
}

/// Coordinates as columns, one core.
pub fn distances_columns(points: ArrayView2<f64>) -> Array2<f64> {
    let coords = points.t().as_standard_layout().into_owned(); // (D, N): one copy of 3N numbers
    let n = points.nrows();
    let mut out = Array2::uninit((n, n));
    for (i, mut row) in out.rows_mut().into_iter().enumerate() {
        distance_row_columns(i, coords.view(), row.as_slice_mut().expect("standard layout"));
    }
    // SAFETY: every row was written in full by distance_row_columns
    unsafe { out.assume_init() }
}
// ANCHOR_END: columns

// ANCHOR: parallel
/// Coordinates as columns, rows of the output spread over the cores with rayon.
pub fn distances_parallel(points: ArrayView2<f64>) -> Array2<f64> {
    let n = points.nrows();
    let coords = points.t().as_standard_layout().into_owned();
    let mut out = Array2::uninit((n, n)); // not zeroed: every element is written below
    out.axis_iter_mut(Axis(0)).into_par_iter().enumerate().for_each(|(i, mut row)| {
        distance_row_columns(i, coords.view(), row.as_slice_mut().expect("a fresh array is in standard layout"));
    });
    // SAFETY: every row was written in full by distance_row_columns
    unsafe { out.assume_init() }
}

/// The same into a caller's (N, N) output, so no fresh memory is touched (NumPy's `out=`).
pub fn distances_parallel_into(points: ArrayView2<f64>, mut out: ndarray::ArrayViewMut2<f64>) -> Result<(), KnnError> {
    let n = points.nrows();
    if out.dim() != (n, n) {
        return Err(KnnError::OutputShape { n, got: out.dim() });
    }
    let coords = points.t().as_standard_layout().into_owned();
    out.axis_iter_mut(Axis(0)).into_par_iter().enumerate().for_each(|(i, mut row)| match row.as_slice_mut() {
        Some(row) => distance_row_columns(i, coords.view(), row),
        None => {
            // a row of a column-major or strided output: fill a contiguous copy, then copy it in
            let mut buffer = vec![0.0; n];
            distance_row_columns(i, coords.view(), &mut buffer);
            row.assign(&ndarray::ArrayView1::from(&buffer));
        }
    });
    Ok(())
}

/// Step 5: coordinates as columns so the distance loop vectorizes, rows spread over the cores with rayon, and
/// each row's neighbours picked right after its distances are written, while the row (16 KB at N = 2000) is
/// still in the core's cache. Each core reuses its own small `best` buffer (`for_each_init`).
pub fn knn_step5_parallel(points: ArrayView2<f64>, k: usize) -> Result<Knn, KnnError> {
    // ANCHOR: exercise_parallel
    validate_array(points, k)?;
    let n = points.nrows();
    let coords = points.t().as_standard_layout().into_owned();
    let mut distances = Array2::zeros((n, n));
    let mut neighbours = Array2::zeros((n, k));
    distances.axis_iter_mut(Axis(0)).into_par_iter().zip(neighbours.axis_iter_mut(Axis(0))).enumerate().for_each_init(
        || Vec::with_capacity(k + 1),
        |best, (i, (mut row, out))| {
            distance_row_columns(i, coords.view(), row.as_slice_mut().expect("standard layout"));
            k_nearest(i, row.view(), best, out);
        },
    );
    Ok(Knn { distances, neighbours })
    // ANCHOR_END: exercise_parallel
}
// ANCHOR_END: parallel

/// Seeded points in the unit cube, as the lab's input (both shapes: nested for the slow version, an array for the rest).
pub fn random_points(n: usize, dim: usize, seed: u64) -> Array2<f64> {
    // a small LCG keeps the crate free of a random-number dependency; uniform enough for test points
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    Array2::from_shape_simple_fn((n, dim), || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    })
}

/// An array's rows as nested vectors.
pub fn to_nested(points: ArrayView2<f64>) -> Vec<Vec<f64>> {
    points.rows().into_iter().map(|r| r.to_vec()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    type Version = fn(ArrayView2<f64>, usize) -> Result<Knn, KnnError>;

    fn step1(points: ArrayView2<f64>, k: usize) -> Result<Knn, KnnError> {
        knn_step1_allocate_once(&to_nested(points), k)
    }

    /// Whether a version gives the slow function's answer: the same neighbours (ties by index), and the same
    /// distance bits, except step 4, whose matrix-product trick rounds differently (checked on squares).
    fn agrees_with_slow(step: usize, version: Version, points: ArrayView2<f64>, k: usize) -> Result<(), String> {
        let (d, nb) = knn_slow(&to_nested(points), k).map_err(|e| e.to_string())?;
        let reference = Knn::from_nested(&d, &nb);
        let knn = version(points, k).map_err(|e| format!("step {step}: {e}"))?;
        if step != 4 {
            if knn.neighbours != reference.neighbours {
                return Err(format!("step {step}: neighbours {} vs the slow {}", knn.neighbours, reference.neighbours));
            }
            return if knn.distances == reference.distances { Ok(()) } else { Err(format!("step {step}: other distance bits")) };
        }
        // squared distances agree to rounding; the distances of two equal points do not: the square root of a
        // rounding error of 1e-16 is 1e-8 (the trick's known weakness near zero)
        let squares_close = |a: f64, b: f64| (a * a - b * b).abs() < 1e-12;
        if !knn.distances.iter().zip(reference.distances.iter()).all(|(&a, &b)| squares_close(a, b)) {
            return Err("step 4: distances differ by more than rounding".into());
        }
        // among equally distant points it may pick others: its neighbours must be as near, rank by rank
        for i in 0..points.nrows() {
            for r in 0..k {
                let (mine, slow) = (reference.distances[[i, knn.neighbours[[i, r]]]], reference.distances[[i, reference.neighbours[[i, r]]]]);
                if !squares_close(mine, slow) {
                    return Err(format!("step 4: point {i}, rank {r}: {mine} vs {slow}"));
                }
            }
        }
        Ok(())
    }

    /// One test per step, so each step passes or fails on its own: on the lab's kind of points, on a square
    /// with four equally distant neighbours (the tie rule), and on random shapes with many exact ties.
    macro_rules! step_tests {
        ($($name:ident: $step:literal, $version:expr;)*) => {$(
            mod $name {
                use super::*;

                #[test]
                fn gives_the_slow_answer() {
                    agrees_with_slow($step, $version, random_points(300, 3, 7).view(), 10).unwrap();
                }

                #[test]
                fn breaks_ties_by_index() {
                    // point 0 at the centre of a square: its four neighbours are equally far
                    let points = ndarray::array![[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]];
                    let knn = ($version)(points.view(), 3).unwrap();
                    assert_eq!(knn.neighbours.row(0).to_vec(), [1, 2, 3]);
                }

                proptest! {
                    #![proptest_config(ProptestConfig::with_cases(48))]
                    #[test]
                    fn agrees_on_random_shapes(n in 2usize..40, dim in 1usize..6, k_frac in 0.0f64..1.0, seed in 0u64..1000) {
                        let k = ((n - 1) as f64 * k_frac) as usize;
                        // integer coordinates make many exact ties: the tie rule must hold everywhere
                        let points = random_points(n, dim, seed).mapv(|v| (v * 4.0).floor());
                        prop_assert_eq!(agrees_with_slow($step, $version, points.view(), k), Ok(()));
                    }
                }
            }
        )*};
    }

    step_tests! {
        step1_allocate_once: 1, step1;
        step2_contiguous: 2, knn_step2_contiguous;
        step3_select: 3, knn_step3_select;
        step4_gram: 4, knn_step4_gram;
        step5_columns_parallel: 5, knn_step5_parallel;
    }

    #[test]
    fn the_slow_version_is_right_on_a_case_worked_by_hand() {
        // a 3-4-5 triangle and a far point
        let points = vec![vec![0.0, 0.0], vec![3.0, 0.0], vec![0.0, 4.0], vec![100.0, 100.0]];
        let (d, nb) = knn_slow(&points, 2).unwrap();
        assert_eq!(d[1][2], 5.0);
        assert_eq!(d[0], [0.0, 3.0, 4.0, (2.0f64 * 100.0 * 100.0).sqrt()]);
        assert_eq!(nb, [vec![1, 2], vec![0, 2], vec![0, 1], vec![2, 1]]);
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        let ragged = vec![vec![0.0, 1.0], vec![2.0]];
        assert_eq!(knn_slow(&ragged, 1).unwrap_err(), KnnError::Ragged { index: 1, got: 1, expected: 2 });
        assert_eq!(knn_slow(&vec![], 1).unwrap_err(), KnnError::Empty);
        let nan = ndarray::array![[0.0, 1.0], [f64::NAN, 0.0]];
        assert_eq!(knn_step5_parallel(nan.view(), 1).unwrap_err(), KnnError::NotFinite { index: 1 });
        assert_eq!(knn_step3_select(random_points(3, 2, 1).view(), 3).unwrap_err(), KnnError::TooManyNeighbours { k: 3, others: 2 });
        assert_eq!(knn_step4_gram(ndarray::Array2::zeros((0, 3)).view(), 0).unwrap_err(), KnnError::Empty);
    }

    #[test]
    fn centring_keeps_the_trick_accurate_far_from_the_origin() {
        // points near (1e6, 1e6, 1e6): without centring, ‖a‖² ≈ 3e12 and the trick loses about 4 digits
        let points = random_points(50, 3, 3) + 1e6;
        let (d, _) = knn_slow(&to_nested(points.view()), 1).unwrap();
        let gram = distances_gram(points.view());
        for i in 0..50 {
            for j in 0..50 {
                assert!((gram[[i, j]] - d[i][j]).abs() < 1e-9, "({i}, {j}): {} vs {}", gram[[i, j]], d[i][j]);
            }
        }
    }

    #[test]
    fn the_distance_versions_agree() {
        let points = random_points(257, 3, 11); // not a multiple of the block size
        let reference = distances_nested(&to_nested(points.view()));
        assert_eq!(distances_serial(points.view()), reference);
        assert_eq!(distances_columns(points.view()), reference);
        assert_eq!(distances_parallel(points.view()), reference);
        let mut kept = Array2::from_elem((257, 257), f64::NAN);
        distances_parallel_into(points.view(), kept.view_mut()).unwrap();
        assert_eq!(kept, reference);
        let mut column_major = Array2::zeros(ndarray::ShapeBuilder::f((257, 257)));
        distances_parallel_into(points.view(), column_major.view_mut()).unwrap();
        assert_eq!(column_major, reference);
        let mut wrong = Array2::zeros((257, 256));
        assert_eq!(distances_parallel_into(points.view(), wrong.view_mut()), Err(KnnError::OutputShape { n: 257, got: (257, 256) }));
        assert!((distances_gram(points.view()) - &reference).iter().all(|e| e.abs() < 1e-12));
    }
}
