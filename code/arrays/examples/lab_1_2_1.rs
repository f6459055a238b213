//! Lab 1.2.1, the whole lab in one command: `cargo run --release -p arrays --example lab-1-2-1`
//! Prints each comparison table (the same tables as in the book, measured on your machine).
use course_utils::memory::{INSTRUMENTED_SYSTEM, PeakMemAlloc};
use std::alloc::System;

// Counts heap allocations, for the "peak heap" column.
#[global_allocator]
static HEAP: &PeakMemAlloc<System> = &INSTRUMENTED_SYSTEM;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().len() == 1 {
        course_utils::progress::announce("lab-1-2-1"); // the huge-pages child has an argument, and its own output
    }
    arrays::lab_1_2_1::run(None, true)
}
