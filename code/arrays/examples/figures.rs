//! Regenerates the chapter's figures and tables into `figures/arrays/`.
//! Run through `cargo xtask figures` (release mode), or: `cargo run --release -p arrays --example arrays-figures -- figures`
use arrays::figures::{self, BROADCASTING_SVG, SOURCE, SUM_TABLE};
use course_utils::Machine;
use course_utils::table::{generated_header, write_generated};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "figures".into()));
    let machine = Machine::current();

    println!("drawing the broadcasting diagram ...");
    write_generated(&out.join(BROADCASTING_SVG), &figures::broadcasting_diagram()?)?;

    println!("timing three sums of 1e6 f64 ...");
    let report = figures::sum_comparison(50)?;
    println!("{report}");
    write_generated(&out.join(SUM_TABLE), &format!("{}{}", generated_header(SOURCE), report.to_markdown(&machine)))?;
    Ok(())
}
