//! Regenerates the chapter's figures and tables into `figures/arrays/`.
//! Run through `cargo xtask figures` (release mode), or: `cargo run --release -p arrays --example arrays-figures -- figures`
use arrays::figures::{self, BROADCASTING_SVG};
use course_utils::memory::{INSTRUMENTED_SYSTEM, PeakMemAlloc};
use course_utils::table::write_generated;
use std::alloc::System;
use std::path::PathBuf;

// Counts heap allocations, for the "peak heap" columns.
#[global_allocator]
static HEAP: &PeakMemAlloc<System> = &INSTRUMENTED_SYSTEM;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "figures".into()));
    println!("drawing the broadcasting diagram ...");
    write_generated(&out.join(BROADCASTING_SVG), &figures::broadcasting_diagram()?)?;
    arrays::lab_1_2_1::run(Some(&out), true)?;
    println!();
    arrays::lab_1_2_4::run(Some(&out), true)
}
