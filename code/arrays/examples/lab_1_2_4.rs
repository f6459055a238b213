//! Lab 1.2.4, the whole lab in one command: `cargo run --release -p arrays --example lab-1-2-4`
//! Prints each comparison table (the same tables as in the book, measured on your machine).
use course_utils::memory::{INSTRUMENTED_SYSTEM, PeakMemAlloc};
use std::alloc::System;

// Counts heap allocations, for the "peak heap" column and the memory sweep.
#[global_allocator]
static HEAP: &PeakMemAlloc<System> = &INSTRUMENTED_SYSTEM;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    course_utils::progress::announce("lab-1-2-4");
    arrays::lab_1_2_4::run(None, true)
}
