//! Writes `figures/arrays/blas.md`: run by `cargo xtask figures` when OpenBLAS is installed, or
//! `cargo run --release --manifest-path code/blas-compare/Cargo.toml --example blas-compare-figures -- figures`
use arrays::lab_1_2_1::{BatchShape, batch_inputs};
use blas_compare::{batch_report, large_report, openblas_info};
use course_utils::Machine;
use course_utils::table::{generated_header, write_generated};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "figures".into()));
    let machine = Machine::current();
    let info = openblas_info();
    println!("ndarray on OpenBLAS and on matrixmultiply\n{machine}\n{info}\nOPENBLAS_CORETYPE: {:?}\n",
        std::env::var("OPENBLAS_CORETYPE").ok());
    let batch = batch_report(&batch_inputs(BatchShape::LAB, 42), 15)?;
    println!("{batch}");
    let large = large_report(2048, 5)?;
    println!("{large}");
    let coretype = std::env::var("OPENBLAS_CORETYPE").unwrap_or_else(|_| "not set".into());
    let blas_line = format!("*BLAS: {info} (OPENBLAS_CORETYPE: {coretype}).*\n");
    let verdict = |r: &course_utils::Report| -> Result<String, String> {
        // versions that tie with the fastest (each median within the other's range) are named with it
        let tied = course_utils::fastest_tied(r.timings());
        let fastest = *tied.first().ok_or("empty report")?;
        let reference = &r.timings()[0];
        Ok(format!(
            "- Fastest: {}, **{}** the speed of *{}*.\n",
            course_utils::fastest_names(&tied),
            course_utils::table::format_ratio(r.speedup(&fastest.name).unwrap_or(f64::NAN)),
            reference.name.replace('`', "")
        ))
    };
    let text = format!(
        "{}{}{blas_line}\n{}\n{}{blas_line}\n{}",
        generated_header("code/blas-compare/examples/figures.rs"),
        batch.to_markdown(&machine),
        verdict(&batch)?,
        large.to_markdown(&machine),
        verdict(&large)?,
    );
    write_generated(&out.join("arrays/blas.md"), &text)?;
    println!("wrote figures/arrays/blas.md");
    Ok(())
}
