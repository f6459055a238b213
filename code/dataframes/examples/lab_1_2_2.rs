//! Lab 1.2.2's measurement in one command: `cargo run --release -p dataframes --example lab-1-2-2`
//! Prints the comparison table (the same table as in the book, measured on your machine).
use course_utils::memory::{INSTRUMENTED_SYSTEM, PeakMemAlloc};
use std::alloc::System;

// Counts heap allocations, for the "peak heap" column.
#[global_allocator]
static HEAP: &PeakMemAlloc<System> = &INSTRUMENTED_SYSTEM;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    course_utils::progress::announce("lab-1-2-2");
    dataframes::lab_1_2_2::run(None, true)
}
