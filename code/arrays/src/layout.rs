//! Memory layout: the same sum, traversing a large matrix along or across its memory order.

use ndarray::{Array2, ShapeBuilder};

// ANCHOR: traversal
/// Visits row by row: in a C-order (row-major) array, consecutive elements are neighbours in memory.
pub fn sum_row_by_row(x: &Array2<f64>) -> f64 {
    let (rows, cols) = x.dim();
    let mut total = 0.0;
    for i in 0..rows {
        for j in 0..cols {
            total += x[[i, j]];
        }
    }
    total
}

/// Visits column by column: in a C-order array each step jumps a whole row ahead in memory.
pub fn sum_column_by_column(x: &Array2<f64>) -> f64 {
    let (rows, cols) = x.dim();
    let mut total = 0.0;
    for j in 0..cols {
        for i in 0..rows {
            total += x[[i, j]];
        }
    }
    total
}
// ANCHOR_END: traversal

/// The same values in C (row-major) and Fortran (column-major) order.
pub fn both_orders(rows: usize, cols: usize) -> (Array2<f64>, Array2<f64>) {
    let c = Array2::from_shape_fn((rows, cols), |(i, j)| ((i * 7 + j * 13) % 101) as f64);
    let mut f = Array2::zeros((rows, cols).f());
    f.assign(&c);
    (c, f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_traversals_and_both_orders_give_the_same_sum() {
        let (c, f) = both_orders(37, 53);
        assert!(c.is_standard_layout() && !f.is_standard_layout());
        assert_eq!(f.strides(), &[1, 37]);
        let expected: f64 = c.iter().sum();
        // integer-valued sums are exact in any order
        for x in [&c, &f] {
            assert_eq!(sum_row_by_row(x), expected);
            assert_eq!(sum_column_by_column(x), expected);
        }
    }
}
