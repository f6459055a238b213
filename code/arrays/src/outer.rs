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
    &a.view().insert_axis(Axis(1)) * &b.view().insert_axis(Axis(0))
}
// ANCHOR_END: outer_broadcast

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
    with_stretched(a, b, |column, row| Zip::from(column).and(row).map_collect(|&x, &y| x * y))
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
    if out.dim() != (a.len(), b.len()) {
        *out = Array2::zeros((a.len(), b.len()));
    }
    Zip::from(out.rows_mut()).and(a).for_each(|mut row, &x| {
        Zip::from(&mut row).and(b).for_each(|o, &y| *o = x * y);
    });
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

    #[test]
    fn every_outer_product_matches_the_loops() {
        let a = Array1::from_iter((0..37).map(|i| i as f32 * 0.5 - 3.0));
        let b = Array1::from_iter((0..29).map(|i| (i as f32).sin()));
        let reference = outer_loops(&a, &b);
        assert_eq!(reference[[36, 28]], a[36] * b[28]);
        for f in [outer_broadcast, outer_zip, outer_parallel] {
            assert_eq!(f(&a, &b), reference, "the same products, so bit-identical");
        }
        for into in [outer_into, outer_into_parallel] {
            let mut out = Array2::from_elem((2, 2), f32::NAN); // wrong shape and garbage: must be replaced
            into(&a, &b, &mut out);
            assert_eq!(out, reference);
            out.fill(f32::NAN); // right shape, garbage: every element must be overwritten
            into(&a, &b, &mut out);
            assert_eq!(out, reference);
        }
    }

    #[test]
    fn small_and_empty_cases() {
        assert_eq!(outer_broadcast(&array![1.0, 2.0], &array![3.0]), array![[3.0], [6.0]]);
        for f in [outer_loops, outer_broadcast, outer_zip, outer_parallel] {
            assert_eq!(f(&array![], &array![1.0, 2.0]).dim(), (0, 2));
        }
    }
}
