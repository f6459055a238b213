//! The code of this chapter's quizzes (quizzes/*.toml) and the tests that compute their answers.

use course_quiz::correct;

/// Page "What replaces Numba's JIT", question `lanes-rounding`: one running sum and eight give different roundings.
#[test]
fn lanes_rounding() -> Result<(), Box<dyn std::error::Error>> {
    // ANCHOR: lanes_rounding
    use crate::kernels::{dot_iter, dot_lanes};

    let x: Vec<f64> = vec![0.1; 16];
    let ones: Vec<f64> = vec![1.0; 16];
    let chain = dot_iter(&x, &ones)?; // one running sum
    let lanes = dot_lanes(&x, &ones)?; // eight running sums, added up at the end
    println!("{chain} {lanes} {}", chain == lanes);
    // ANCHOR_END: lanes_rounding
    assert_eq!(correct(env!("CARGO_MANIFEST_DIR"), "instead-of-numba", "lanes-rounding")?, format!("`{chain} {lanes} {}`", chain == lanes));
    Ok(())
}

/// Page "Memory profiling", question `broadcast-temporary`: the shape of the broadcast temporary, and of the result.
#[test]
fn broadcast_temporary() -> Result<(), Box<dyn std::error::Error>> {
    // ANCHOR: broadcast_temporary
    use ndarray::{Array3, Axis};

    let a = Array3::<f32>::ones((16, 64, 64));
    let b = Array3::<f32>::ones((16, 64, 64));
    let product = &a.view().insert_axis(Axis(3)) * &b.view().insert_axis(Axis(1));
    let c = product.sum_axis(Axis(2));
    println!("{:?} {:?}", product.shape(), c.shape());
    // ANCHOR_END: broadcast_temporary
    assert_eq!(correct(env!("CARGO_MANIFEST_DIR"), "memory-profiling", "broadcast-temporary")?, format!("`{:?} {:?}`", product.shape(), c.shape()));
    Ok(())
}

/// Page "Line-level profiling", question `inlined-share`: read from the figure the page includes, so that the
/// quiz fails its test when `cargo xtask figures` changes the numbers. Every row of the first table whose label
/// names `knn_slow` (its own lines and the library code inlined into it), over all the rows of that table.
#[test]
fn inlined_share() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../figures/performance/lab-1-2-5-callgrind.md");
    let figure = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (mut own, mut total) = (0u64, 0u64);
    // the first table, `| where | instructions | share |`, down to the blank line before its caption
    for line in figure.lines().skip_while(|l| !l.starts_with("| where")).take_while(|l| l.starts_with('|')) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // the header and the alignment row have no number in the second column
        let Some(Ok(instructions)) = cells.get(2).map(|c| c.replace(',', "").parse::<u64>()) else {
            continue;
        };
        total += instructions;
        if cells[1].starts_with("`knn_slow`") {
            own += instructions;
        }
    }
    assert!(own > 0 && own < total, "no `knn_slow` rows read from {}: {own} of {total}", path.display());
    let share = format!("{:.1}%", 100.0 * own as f64 / total as f64);
    assert_eq!(correct(env!("CARGO_MANIFEST_DIR"), "line-profiling", "inlined-share")?, share);
    Ok(())
}
