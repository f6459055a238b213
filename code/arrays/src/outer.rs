//! Lab 1.2.1, part 2: the outer product `out[i, j] = a[i] * b[j]`, with and without loops.

use ndarray::{Array1, Array2, ArrayView2, Axis, Zip};

// ANCHOR: outer_loops
/// Two nested loops with indexing: the reference.
pub fn outer_loops(a: &Array1<f32>, b: &Array1<f32>) -> Array2<f32> {
    let mut out = Array2::zeros((a.len(), b.len()));
    for i in 0..a.len() {
        for j in 0..b.len() {
            out[[i, j]] = a[i] * b[j];
        }
    }
    out
}
// ANCHOR_END: outer_loops

// ANCHOR: outer_broadcast
/// NumPy's `a[:, None] * b[None, :]`: two views with an inserted axis, multiplied with broadcasting.
pub fn outer_broadcast(a: &Array1<f32>, b: &Array1<f32>) -> Array2<f32> {
    // ANCHOR: exercise_outer_broadcast
    &a.view().insert_axis(Axis(1)) * &b.view().insert_axis(Axis(0))
    // ANCHOR_END: exercise_outer_broadcast
}
// ANCHOR_END: outer_broadcast

// ANCHOR: outer_rows
/// The same broadcast written a row at a time: row `i` is the scalar `a[i]` broadcast over `b`, NumPy's
/// `a[i] * b`. Each row is a contiguous loop the compiler vectorises; the operator above walks a stretched
/// view whose stride is 0 along one axis, one element at a time.
pub fn outer_rows(a: &Array1<f32>, b: &Array1<f32>) -> Array2<f32> {
    // a slice, so that each row is a plain loop over memory (an ndarray iterator steps by the array's stride)
    let b = b.as_slice().map_or_else(|| std::borrow::Cow::Owned(b.to_vec()), std::borrow::Cow::Borrowed);
    let mut out = Vec::with_capacity(a.len() * b.len());
    for &x in a {
        out.extend(b.iter().map(|&y| x * y)); // an exact-size iterator: extend writes it without checks
    }
    Array2::from_shape_vec((a.len(), b.len()), out).expect("len a x len b values were written")
}
// ANCHOR_END: outer_rows

// ANCHOR: outer_zip
/// Hands `f` `a` as a column and `b` as a row, both stretched to (len a, len b): views with stride 0 along the
/// stretched axis, nothing copied.
fn with_stretched<R>(a: &Array1<f32>, b: &Array1<f32>, f: impl FnOnce(ArrayView2<'_, f32>, ArrayView2<'_, f32>) -> R) -> R {
    let shape = (a.len(), b.len());
    let column = a.view().insert_axis(Axis(1));
    let row = b.view().insert_axis(Axis(0));
    f(column.broadcast(shape).expect("(n, 1) stretches to (n, m)"), row.broadcast(shape).expect("(1, m) stretches to (n, m)"))
}

/// `Zip` walks both stretched inputs together and collects each product into a new array, written once.
pub fn outer_zip(a: &Array1<f32>, b: &Array1<f32>) -> Array2<f32> {
    // ANCHOR: exercise_outer_zip
    with_stretched(a, b, |column, row| Zip::from(column).and(row).map_collect(|&x, &y| x * y))
    // ANCHOR_END: exercise_outer_zip
}
// ANCHOR_END: outer_zip

// ANCHOR: outer_parallel
/// The same with rayon: the output is split over the cores.
pub fn outer_parallel(a: &Array1<f32>, b: &Array1<f32>) -> Array2<f32> {
    with_stretched(a, b, |column, row| Zip::from(column).and(row).par_map_collect(|&x, &y| x * y))
}
// ANCHOR_END: outer_parallel

// ANCHOR: outer_into
/// Writes into an existing output (resized if its shape is wrong), NumPy's `np.multiply(a[:, None], b, out=out)`:
/// called again with the same `out`, it allocates nothing and touches no fresh memory.
pub fn outer_into(a: &Array1<f32>, b: &Array1<f32>, out: &mut Array2<f32>) {
    // ANCHOR: exercise_outer_into
    if out.dim() != (a.len(), b.len()) {
        *out = Array2::zeros((a.len(), b.len()));
    }
    Zip::from(out.rows_mut()).and(a).for_each(|mut row, &x| {
        Zip::from(&mut row).and(b).for_each(|o, &y| *o = x * y);
    });
    // ANCHOR_END: exercise_outer_into
}

/// The same, rows split over the cores.
pub fn outer_into_parallel(a: &Array1<f32>, b: &Array1<f32>, out: &mut Array2<f32>) {
    if out.dim() != (a.len(), b.len()) {
        *out = Array2::zeros((a.len(), b.len()));
    }
    Zip::from(out.rows_mut()).and(a).par_for_each(|mut row, &x| {
        Zip::from(&mut row).and(b).for_each(|o, &y| *o = x * y);
    });
}
// ANCHOR_END: outer_into

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn inputs() -> (Array1<f32>, Array1<f32>) {
        (Array1::from_iter((0..37).map(|i| i as f32 * 0.5 - 3.0)), Array1::from_iter((0..29).map(|i| (i as f32).sin())))
    }

    #[test]
    fn the_loops_compute_each_product() {
        let (a, b) = inputs();
        assert_eq!(outer_loops(&a, &b)[[36, 28]], a[36] * b[28]);
    }

    /// One test per version, so each passes or fails on its own (the lab's exercises rely on it).
    macro_rules! allocating_versions {
        ($($name:ident: $f:expr;)*) => {$(
            #[test]
            fn $name() {
                let (a, b) = inputs();
                assert_eq!($f(&a, &b), outer_loops(&a, &b), "the same products, so bit-identical");
                assert_eq!($f(&array![], &array![1.0, 2.0]).dim(), (0, 2));
            }
        )*};
    }

    allocating_versions! {
        outer_broadcast_matches_the_loops: outer_broadcast;
        rows_match_the_loops: outer_rows;
        outer_zip_matches_the_loops: outer_zip;
        parallel_matches_the_loops: outer_parallel;
    }

    macro_rules! into_versions {
        ($($name:ident: $into:expr;)*) => {$(
            #[test]
            fn $name() {
                let (a, b) = inputs();
                let reference = outer_loops(&a, &b);
                let mut out = Array2::from_elem((2, 2), f32::NAN); // wrong shape and garbage: must be replaced
                $into(&a, &b, &mut out);
                assert_eq!(out, reference);
                out.fill(f32::NAN); // right shape, garbage: every element must be overwritten
                $into(&a, &b, &mut out);
                assert_eq!(out, reference);
            }
        )*};
    }

    into_versions! {
        outer_into_overwrites_a_kept_output: outer_into;
        into_parallel_overwrites_a_kept_output: outer_into_parallel;
    }

    #[test]
    fn small_and_empty_cases() {
        assert_eq!(outer_loops(&array![1.0, 2.0], &array![3.0]), array![[3.0], [6.0]]);
        assert_eq!(outer_loops(&array![], &array![1.0, 2.0]).dim(), (0, 2));
    }
}
