//! The code of this chapter's quizzes (quizzes/*.toml) and the tests that compute their answers.

use course_quiz::correct;
use ndarray::{Array2, ArrayView1, array};

// The primer's quiz, at the end of "Structs, enums and signatures": quizzes/primer.toml

#[test]
fn moved_array() {
    // ANCHOR: moved_array
    fn total(v: ArrayView1<'_, f64>) -> f64 {
        v.sum()
    }
    let a = array![[1.5, 2.5], [3.5, 4.5]];
    let first = total(a.row(0)); // lends a view of row 0
    let b = a; //                  the array moves to `b`
    println!("{first} {}", total(b.column(1)));
    // ANCHOR_END: moved_array
    assert_eq!((first, total(b.row(0)), b.row(0).to_owned()), (4.0, 4.0, array![1.5, 2.5]), "the two lines that compile");
}

#[test]
fn question_mark() -> Result<(), Box<dyn std::error::Error>> {
    // ANCHOR: question_mark
    fn build(n: usize) -> Result<f64, ndarray::ShapeError> {
        let m = Array2::from_shape_vec((2, 2), vec![1.0; n])?;
        Ok(m.sum())
    }
    println!("{:?}", build(4));
    println!("{}", build(3).is_err());
    // ANCHOR_END: question_mark
    assert_eq!(correct(env!("CARGO_MANIFEST_DIR"), "primer", "question-mark")?, format!("`{:?}`, then `{}`", build(4), build(3).is_err()));
    Ok(())
}

#[test]
fn iterator_chain() -> Result<(), Box<dyn std::error::Error>> {
    // ANCHOR: iterator_chain
    let values: Vec<f64> = vec![1.5, -2.0, 3.5, -0.5];
    let threshold = 1.0;
    let kept: Vec<f64> = values
        .iter()
        .copied()
        .filter(|&v| v.abs() > threshold)
        .map(|v| v * 2.0)
        .collect();
    println!("{kept:?}");
    // ANCHOR_END: iterator_chain
    assert_eq!(correct(env!("CARGO_MANIFEST_DIR"), "primer", "iterator-chain")?, format!("`{kept:?}`"));
    Ok(())
}
