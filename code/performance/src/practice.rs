//! The exercises of the chapter *Performance*, one per topic page.
//!
//! Each function's doc comment says what to write. Replace each `todo!()` with your code, then run
//! `cargo test -p performance-exercise <name>` (for example `cargo test -p performance-exercise self_and_total`)
//! until its tests pass. The tests are at the bottom of this file: read them, they show what is expected. None of
//! them times anything: each checks your answer against a plain loop or against known values, so a debug build is
//! fine here.

use ndarray::{Array1, Array2};

/// What can go wrong in these exercises: one variant for each mistake, each with its message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PerformanceError {
    /// `self_and_total` got a sample whose call stack has no frames at all.
    #[error("stack {index} has no frames: a sample always has at least the function that was running")]
    EmptyStack { index: usize },
    /// `callgrind_share` got rows that count no instructions (no rows, or only zeros): there is nothing to divide by.
    #[error("the rows count no instructions")]
    NoInstructions,
    /// `squared_distance_lanes` got slices of different lengths.
    #[error("the two slices must have the same length, got {left} and {right}")]
    LengthMismatch { left: usize, right: usize },
    /// `row_norms_into` got an output that does not hold one value per row.
    #[error("the output must hold one value per row: {rows} rows, but room for {got}")]
    OutputLength { rows: usize, got: usize },
}

/// Page "Profiling with pprof and criterion". Counts the *self* and the *total* samples of `function`, as the
/// course's `profile` function does with pprof's report: cProfile's `tottime` and `cumtime`, estimated from
/// samples. Returns `(self, total)`.
///
/// Each entry of `stacks` is one distinct call stack, innermost frame first, with the number of samples that saw
/// it: `(vec!["sqrt", "sum_of_roots", "main"], 30)` says that 30 samples found `sqrt` running, called by
/// `sum_of_roots`, called by `main` (pprof's `report.data` holds the same thing). A function's *self* samples
/// are those of the stacks whose innermost frame it is; its *total* samples are those of the stacks it appears
/// in anywhere, counted once per stack even when it appears twice (a recursive call). A stack with no frames is
/// `PerformanceError::EmptyStack { index }`, with `index` its position in `stacks`.
///
/// Hint: loop over `stacks.iter().enumerate()`, which gives `(index, (frames, count))`. `frames.first()` is the
/// innermost frame, or `None` for an empty stack (`.ok_or(...)?` turns that into the error), and
/// `frames.contains(&function)` says whether `function` is anywhere on the stack. `count` is a `&u64`: add `*count`.
pub fn self_and_total(stacks: &[(Vec<&str>, u64)], function: &str) -> Result<(u64, u64), PerformanceError> {
    // ANCHOR: exercise_self_and_total
    let mut counts = (0u64, 0u64);
    for (index, (frames, count)) in stacks.iter().enumerate() {
        let innermost = frames.first().ok_or(PerformanceError::EmptyStack { index })?;
        counts.0 += if *innermost == function { *count } else { 0 };
        counts.1 += if frames.contains(&function) { *count } else { 0 };
    }
    Ok(counts)
    // ANCHOR_END: exercise_self_and_total
}

/// One row of `callgrind_annotate`'s table of functions: the instructions executed in `function` that came from
/// the source file `file`. Library code inlined into a function is a row of its own, naming that function and the
/// library's file (`core/src/iter/range.rs`, say).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallgrindRow<'a> {
    pub instructions: u64,
    pub file: &'a str,
    pub function: &'a str,
}

/// Page "Line-level profiling". The share of all the instructions that ran in `function` itself, its own lines and
/// the library code inlined into it, as the course's figure generator adds them up for `knn_slow`: every row whose
/// `function` is exactly `function` counts, whichever `file` it names. The share is a fraction of the instructions
/// of all the rows (0.25 for a quarter). In Python:
/// `sum(r.instructions for r in rows if r.function == function) / sum(r.instructions for r in rows)`.
/// Rows that count no instructions at all (no rows, or only zeros) are `PerformanceError::NoInstructions`, where
/// Python would raise `ZeroDivisionError`.
///
/// Hint: two sums over `rows.iter()`: `.map(|r| r.instructions).sum()` for all the rows, and the same after
/// `.filter(|r| r.function == function)` for the function's own (write `let total: u64 = ...` so that `sum` knows
/// its type). Check the total before dividing, and convert both to floats with `as f64`.
pub fn callgrind_share(rows: &[CallgrindRow<'_>], function: &str) -> Result<f64, PerformanceError> {
    // ANCHOR: exercise_callgrind_share
    let total: u64 = rows.iter().map(|r| r.instructions).sum();
    if total == 0 {
        return Err(PerformanceError::NoInstructions);
    }
    let own: u64 = rows.iter().filter(|r| r.function == function).map(|r| r.instructions).sum();
    Ok(own as f64 / total as f64)
    // ANCHOR_END: exercise_callgrind_share
}

/// Given (not an exercise): `Ok(())` when `x` and `y` have the same length, else the error.
pub fn equal_lengths(x: &[f64], y: &[f64]) -> Result<(), PerformanceError> {
    if x.len() == y.len() { Ok(()) } else { Err(PerformanceError::LengthMismatch { left: x.len(), right: y.len() }) }
}

/// Page "What replaces Numba's JIT". The squared Euclidean distance of `x` and `y`, NumPy's
/// `np.sum((x - y) ** 2)`, with eight independent running sums, as the page's `dot_lanes` does for a dot product:
/// one running sum makes every addition wait for the one before, and eight let the compiler put them in SIMD
/// registers. Slices of different lengths are `PerformanceError::LengthMismatch { left, right }`: call the given
/// `equal_lengths(x, y)?` first.
///
/// Hint: follow `dot_lanes`. `x.chunks_exact(8)` and `y.chunks_exact(8)` hand out blocks of 8; add up the
/// leftover elements (`remainder()`) first, before the loop uses the chunks up. Then, for each pair of blocks
/// `(a, b)` and each `k` in `0..8`, `lanes[k] += (a[k] - b[k]) * (a[k] - b[k]);`. The answer is
/// `lanes.iter().sum::<f64>()` plus the leftovers' sum. It may differ from a plain loop's in the last bits (another
/// order of additions), as with Numba's `fastmath=True`.
pub fn squared_distance_lanes(x: &[f64], y: &[f64]) -> Result<f64, PerformanceError> {
    // ANCHOR: exercise_squared_distance_lanes
    equal_lengths(x, y)?;
    let mut lanes = [0.0f64; 8];
    let (xc, yc) = (x.chunks_exact(8), y.chunks_exact(8));
    let tail: f64 = xc.remainder().iter().zip(yc.remainder()).map(|(a, b)| (a - b) * (a - b)).sum();
    for (a, b) in xc.zip(yc) {
        for k in 0..8 {
            lanes[k] += (a[k] - b[k]) * (a[k] - b[k]);
        }
    }
    Ok(lanes.iter().sum::<f64>() + tail)
    // ANCHOR_END: exercise_squared_distance_lanes
}

/// Page "Memory profiling". Writes the squared length of each row of `a` into the caller's `out`, one value per
/// row: NumPy's `np.einsum("ij,ij->i", a, a, out=out)`. The one-line version, `(&a * &a).sum_axis(Axis(1))`,
/// first allocates a temporary as large as `a`, then a new array for the result; this one allocates nothing, so
/// its peak heap is that of the inputs alone, however large `a` is. Write into `out`'s own memory: do not replace
/// it with a new array. An `out` whose length is not the number of rows is
/// `PerformanceError::OutputLength { rows, got }`, with `got` the length of `out`, and leaves `out` as it was.
///
/// Hint: check `out.len()` against `a.nrows()` first. Then zip `out.iter_mut()` with `a.rows()`, as the page's
/// per-batch `dot` zips `c.outer_iter_mut()` with the inputs, and set `*o = row.dot(&row)` for each pair.
pub fn row_norms_into(a: &Array2<f64>, out: &mut Array1<f64>) -> Result<(), PerformanceError> {
    // ANCHOR: exercise_row_norms_into
    if out.len() != a.nrows() {
        return Err(PerformanceError::OutputLength { rows: a.nrows(), got: out.len() });
    }
    for (o, row) in out.iter_mut().zip(a.rows()) {
        *o = row.dot(&row);
    }
    Ok(())
    // ANCHOR_END: exercise_row_norms_into
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Axis, array};

    /// A small profile: `main` calls `sum_of_roots`, which calls `sqrt`; `main` also collects a `Vec`.
    fn sum_of_roots_profile() -> Vec<(Vec<&'static str>, u64)> {
        vec![
            (vec!["sqrt", "sum_of_roots", "main"], 30),
            (vec!["sum_of_roots", "main"], 50),
            (vec!["main"], 5),
            (vec!["alloc", "collect", "main"], 15),
        ]
    }

    #[test]
    fn self_and_total_separates_running_from_on_the_stack() {
        let profile = sum_of_roots_profile();
        assert_eq!(self_and_total(&profile, "sum_of_roots"), Ok((50, 80)));
        assert_eq!(self_and_total(&profile, "sqrt"), Ok((30, 30)));
        assert_eq!(self_and_total(&profile, "main"), Ok((5, 100)), "main is on every stack");
        assert_eq!(self_and_total(&profile, "collect"), Ok((0, 15)));
        assert_eq!(self_and_total(&profile, "partial_cmp"), Ok((0, 0)), "not in the profile");
    }

    #[test]
    fn self_and_total_counts_a_recursive_function_once_per_stack() {
        let profile: Vec<(Vec<&str>, u64)> =
            vec![(vec!["merge", "merge", "sort", "main"], 10), (vec!["sort", "main"], 4), (vec!["merge", "sort", "main"], 6)];
        assert_eq!(self_and_total(&profile, "merge"), Ok((16, 16)), "not 26: the first stack counts once");
        assert_eq!(self_and_total(&profile, "sort"), Ok((4, 20)));
    }

    #[test]
    fn self_and_total_of_no_samples_is_zero() {
        assert_eq!(self_and_total(&[], "main"), Ok((0, 0)));
    }

    #[test]
    fn self_and_total_refuses_an_empty_stack() {
        let profile: Vec<(Vec<&str>, u64)> = vec![(vec!["main"], 2), (Vec::new(), 3)];
        assert_eq!(self_and_total(&profile, "main"), Err(PerformanceError::EmptyStack { index: 1 }));
    }

    /// Rows shaped like the lab's: the slow function in four files (its own and three it inlined), the sort, the heap.
    fn slow_function_rows() -> Vec<CallgrindRow<'static>> {
        fn row(instructions: u64, file: &'static str, function: &'static str) -> CallgrindRow<'static> {
            CallgrindRow { instructions, file, function }
        }
        vec![
            row(600, "core/src/slice/sort/stable/merge.rs", "sort"),
            row(100, "code/performance/src/knn.rs", "knn_slow"),
            row(80, "core/src/iter/range.rs", "knn_slow"),
            row(70, "alloc/src/vec/mod.rs", "knn_slow"),
            row(50, "core/src/slice/index.rs", "knn_slow"),
            row(100, "malloc/malloc.c", "malloc"),
        ]
    }

    #[test]
    fn callgrind_share_adds_up_every_file_of_the_function() {
        let rows = slow_function_rows();
        // 100 + 80 + 70 + 50 of 1000, not only the 100 of its own file
        assert_eq!(callgrind_share(&rows, "knn_slow"), Ok(0.3));
        assert_eq!(callgrind_share(&rows, "sort"), Ok(0.6));
        assert_eq!(callgrind_share(&rows, "memcpy"), Ok(0.0), "a function with no rows ran no instructions");
    }

    #[test]
    fn callgrind_share_matches_a_loop() {
        let rows = slow_function_rows();
        for function in ["knn_slow", "sort", "malloc"] {
            let (mut own, mut total) = (0, 0);
            for r in &rows {
                total += r.instructions;
                if r.function == function {
                    own += r.instructions;
                }
            }
            assert_eq!(callgrind_share(&rows, function), Ok(own as f64 / total as f64), "{function}");
        }
    }

    #[test]
    fn callgrind_share_of_no_instructions_is_an_error() {
        assert_eq!(callgrind_share(&[], "knn_slow"), Err(PerformanceError::NoInstructions));
        let zero = [CallgrindRow { instructions: 0, file: "code/performance/src/knn.rs", function: "knn_slow" }];
        assert_eq!(callgrind_share(&zero, "knn_slow"), Err(PerformanceError::NoInstructions));
    }

    /// The plain loop: one running sum, in order.
    fn squared_distance_loop(x: &[f64], y: &[f64]) -> f64 {
        let mut sum = 0.0;
        for i in 0..x.len() {
            sum += (x[i] - y[i]) * (x[i] - y[i]);
        }
        sum
    }

    #[test]
    fn squared_distance_lanes_matches_the_loop_exactly_on_whole_numbers() {
        // whole numbers add up without rounding, so any order of additions gives the same sum; the lengths cover
        // leftovers only (5), whole blocks only (8, 16) and both (19, 100)
        for n in [1, 5, 8, 16, 19, 100] {
            let x: Vec<f64> = (0..n).map(|i| (i % 7) as f64).collect();
            let y: Vec<f64> = (0..n).map(|i| (i % 3) as f64 - 1.0).collect();
            assert_eq!(squared_distance_lanes(&x, &y), Ok(squared_distance_loop(&x, &y)), "n = {n}");
        }
        assert_eq!(squared_distance_lanes(&[3.0], &[-1.0]), Ok(16.0));
    }

    #[test]
    fn squared_distance_lanes_matches_the_loop_to_rounding() {
        let x: Vec<f64> = (0..1001).map(|i| (i as f64 * 0.37).sin()).collect();
        let y: Vec<f64> = (0..1001).map(|i| (i as f64 * 0.11).cos()).collect();
        let (lanes, reference) = (squared_distance_lanes(&x, &y).unwrap(), squared_distance_loop(&x, &y));
        // only the order of the additions differs, and every term is positive
        assert!((lanes - reference).abs() <= 1e-12 * reference, "{lanes} vs {reference}");
    }

    #[test]
    fn squared_distance_lanes_of_empty_slices_is_zero() {
        assert_eq!(squared_distance_lanes(&[], &[]), Ok(0.0));
    }

    #[test]
    fn squared_distance_lanes_refuses_different_lengths() {
        assert_eq!(squared_distance_lanes(&[1.0, 2.0], &[1.0]), Err(PerformanceError::LengthMismatch { left: 2, right: 1 }));
        assert_eq!(squared_distance_lanes(&[], &[1.0; 9]), Err(PerformanceError::LengthMismatch { left: 0, right: 9 }));
    }

    #[test]
    fn row_norms_into_matches_the_allocating_version() {
        let a = array![[1.0, 2.0], [3.0, 4.0], [0.0, -2.0]];
        let mut out = Array1::from_elem(3, f64::NAN); // whatever was there before is overwritten
        row_norms_into(&a, &mut out).unwrap();
        assert_eq!(out, array![5.0, 25.0, 4.0]);

        let a = Array2::from_shape_fn((50, 7), |(i, j)| ((i * 7 + j) % 11) as f64 - 5.0);
        let mut out = Array1::<f64>::zeros(50);
        row_norms_into(&a, &mut out).unwrap();
        assert_eq!(out, (&a * &a).sum_axis(Axis(1)));
    }

    #[test]
    fn row_norms_into_writes_into_the_callers_memory() {
        let a = array![[1.0, 1.0, 1.0], [2.0, 0.0, 0.0]];
        let mut out = Array1::<f64>::zeros(2);
        let before = out.as_ptr();
        row_norms_into(&a, &mut out).unwrap();
        assert_eq!(out, array![3.0, 4.0]);
        assert_eq!(out.as_ptr(), before, "`out` was replaced by a new array instead of written into");
    }

    #[test]
    fn row_norms_into_of_no_rows_or_no_columns() {
        let mut out = Array1::<f64>::zeros(0);
        row_norms_into(&Array2::zeros((0, 3)), &mut out).unwrap();
        assert_eq!(out.len(), 0);
        let mut out = Array1::from_elem(2, 7.0);
        row_norms_into(&Array2::zeros((2, 0)), &mut out).unwrap();
        assert_eq!(out, array![0.0, 0.0], "a row of no values has length 0");
    }

    #[test]
    fn row_norms_into_refuses_an_output_of_the_wrong_length() {
        let a = Array2::<f64>::ones((3, 2));
        let mut out = Array1::from_elem(2, 7.0);
        assert_eq!(row_norms_into(&a, &mut out), Err(PerformanceError::OutputLength { rows: 3, got: 2 }));
        assert_eq!(out, array![7.0, 7.0], "left as it was");
    }
}
