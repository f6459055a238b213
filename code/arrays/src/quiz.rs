//! The code of this chapter's quizzes (quizzes/*.toml) and the tests that compute their answers.

use course_quiz::correct;
use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, Array3, Order, ShapeBuilder, array, s};

// Page "Creation, indexing and slicing": quizzes/creation.toml

#[test]
fn negative_step() -> Result<(), Box<dyn std::error::Error>> {
    // ANCHOR: negative_step
    // x[i, j] = 10 i + j
    let x = Array2::from_shape_fn((4, 5), |(i, j)| (10 * i + j) as i32);
    let picked = x.slice(s![2, 1..4;-1]);
    println!("{picked}");
    // ANCHOR_END: negative_step
    assert_eq!(correct(env!("CARGO_MANIFEST_DIR"), "creation", "negative-step")?, format!("`{picked}`"));
    Ok(())
}

#[test]
fn view_then_write() {
    // ANCHOR: view_then_write
    let mut x = Array2::<f64>::zeros((2, 3));
    let view = x.slice(s![0, ..]); //             a view of row 0
    let copy = x.slice(s![0, ..]).to_owned(); //  a copy of row 0
    println!("{view}");
    x[[0, 0]] = 9.0;
    println!("{copy} {x}");
    // ANCHOR_END: view_then_write
    assert_eq!(copy, array![0.0, 0.0, 0.0], "the copy keeps the old values");
}

/// The three views share `m`'s memory; only the row-by-row reshape of the transpose copies.
#[test]
fn which_copies() -> Result<(), Box<dyn std::error::Error>> {
    let m = array![[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]];
    let memory = m.as_slice().ok_or("m is in C order")?.as_ptr_range();
    assert!(memory.contains(&m.slice(s![.., 1..]).as_ptr()));
    assert!(memory.contains(&m.slice(s![.., ..;-1]).as_ptr()));
    assert!(memory.contains(&m.t().as_ptr()));
    let transposed = m.t();
    let flat = transposed.to_shape((6, Order::RowMajor))?;
    assert!(flat.is_owned());
    assert_eq!(flat, array![0.0, 3.0, 1.0, 4.0, 2.0, 5.0]);
    Ok(())
}

// Page "Broadcasting and vectorization": quizzes/broadcasting.toml

#[test]
fn broadcast_3d_shape() -> Result<(), Box<dyn std::error::Error>> {
    // ANCHOR: broadcast_3d_shape
    let a = Array3::<f64>::zeros((2, 1, 3));
    let b = Array2::<f64>::ones((4, 1));
    let c = &a + &b;
    println!("{:?}", c.shape());
    // ANCHOR_END: broadcast_3d_shape
    assert_eq!(correct(env!("CARGO_MANIFEST_DIR"), "broadcasting", "broadcast-3d-shape")?, format!("`{:?}`", c.shape()));
    Ok(())
}

/// `&x + &b` makes the (3, 2) result; `x += &b` must fit it into `x`'s (3, 1) and panics.
#[test]
fn in_place_shape() {
    let x = Array2::<f64>::zeros((3, 1));
    let b = array![1.0, 2.0];
    assert_eq!((&x + &b).shape(), &[3, 2]);
    let in_place = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        let mut x = x;
        x += &b;
    }));
    assert!(in_place.is_err(), "`x += &b` should panic: b cannot broadcast to x's shape");
}

// Page "dot, matmul and einsum": quizzes/linear-algebra.toml

#[test]
fn transposed_dot_shape() -> Result<(), Box<dyn std::error::Error>> {
    // ANCHOR: transposed_dot_shape
    let a = Array2::<f64>::ones((3, 2));
    let v = array![1.0, 2.0, 3.0];
    let r = a.t().dot(&v); // NumPy: a.T @ v
    println!("{:?}", r.shape());
    // ANCHOR_END: transposed_dot_shape
    assert_eq!(correct(env!("CARGO_MANIFEST_DIR"), "linear-algebra", "transposed-dot-shape")?, format!("`{:?}`", r.shape()));
    Ok(())
}

#[test]
fn einsum_missing_letter() -> Result<(), Box<dyn std::error::Error>> {
    let a = array![[1, 2], [3, 4]];
    let sums = crate::einsum::einsum("ij->j", &[&a])?;
    let values: Vec<i32> = sums.iter().copied().collect();
    assert_eq!(correct(env!("CARGO_MANIFEST_DIR"), "linear-algebra", "einsum-missing-letter")?, format!("`{values:?}`"));
    Ok(())
}

/// `general_mat_mul` into a preallocated output computes what `assign(&dot)` does, without a new matrix.
#[test]
fn batch_into_output() {
    let a = Array3::from_shape_fn((3, 2, 4), |(p, i, l)| (p + 2 * i + l) as f64);
    let b = Array3::from_shape_fn((3, 4, 5), |(p, l, j)| (p * l + j) as f64 - 2.0);
    let mut into = Array3::<f64>::zeros((3, 2, 5));
    let mut assigned = Array3::<f64>::zeros((3, 2, 5));
    let outputs = into.outer_iter_mut().zip(assigned.outer_iter_mut());
    for (((mut c_p, mut d_p), a_p), b_p) in outputs.zip(a.outer_iter()).zip(b.outer_iter()) {
        general_mat_mul(1.0, &a_p, &b_p, 0.0, &mut c_p);
        d_p.assign(&a_p.dot(&b_p));
    }
    assert_eq!(into, assigned);
}

// Page "Memory layout: C and Fortran order": quizzes/memory-layout.toml

#[test]
fn transposed_strides() -> Result<(), Box<dyn std::error::Error>> {
    // ANCHOR: transposed_strides
    let f = Array2::<f64>::zeros((5, 2).f());
    let t = f.t();
    println!("{:?} {:?}", t.shape(), t.strides());
    // ANCHOR_END: transposed_strides
    assert_eq!(correct(env!("CARGO_MANIFEST_DIR"), "memory-layout", "transposed-strides")?, format!("`{:?} {:?}`", t.shape(), t.strides()));
    assert!(t.is_standard_layout(), "the transpose of a Fortran-order array is in C order");
    Ok(())
}

/// In Fortran order the first index changes fastest: stepping `i` moves 1 element, stepping `j` a whole column.
#[test]
fn fortran_loop_order() {
    let x = Array2::<f64>::zeros((5, 4).f());
    assert_eq!(x.strides(), &[1, 5]);
}
