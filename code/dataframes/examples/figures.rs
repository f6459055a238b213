//! Regenerates the chapter's tables into `figures/dataframes/`.
//! Run through `cargo xtask figures` (release mode), or: `cargo run --release -p dataframes --example dataframes-figures -- figures`
use course_utils::memory::{INSTRUMENTED_SYSTEM, PeakMemAlloc};
use std::alloc::System;
use std::path::PathBuf;

// Counts heap allocations, for the "peak heap" columns.
#[global_allocator]
static HEAP: &PeakMemAlloc<System> = &INSTRUMENTED_SYSTEM;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "figures".into()));
    dataframes::lab_1_2_2::run(Some(&out), true)?;
    dataframes::io::run(Some(&out))
}
