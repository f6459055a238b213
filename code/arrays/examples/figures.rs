//! Regenerates the chapter's figures and tables into `figures/arrays/`.
//! Run through `cargo xtask figures` (release mode), or:
//! `cargo run --release -p arrays --example arrays-figures -- figures [1.2.1 | 1.2.4]` (one lab only).
use arrays::figures::{self, ATTENTION_FLOW_SVG, BROADCASTING_SVG, EINSUM_SVG, STRIDES_SVG};
use course_utils::memory::{INSTRUMENTED_SYSTEM, PeakMemAlloc};
use course_utils::table::write_generated;
use std::alloc::System;
use std::path::PathBuf;

// Counts heap allocations, for the "peak heap" columns.
#[global_allocator]
static HEAP: &PeakMemAlloc<System> = &INSTRUMENTED_SYSTEM;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().any(|a| a == arrays::lab_1_2_1::HUGE_PAGES_ARG) {
        return arrays::lab_1_2_1::huge_pages_child(); // lab 1.2.1 re-runs this program under huge pages
    }
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let out = PathBuf::from(args.first().map_or("figures", String::as_str));
    let only = args.get(1).map(String::as_str);
    if only.is_none_or(|lab| lab == "1.2.1") {
        println!("drawing the broadcasting, strides, einsum and attention diagrams ...");
        write_generated(&out.join(BROADCASTING_SVG), &figures::broadcasting_diagram()?)?;
        write_generated(&out.join(STRIDES_SVG), &figures::strides_diagram()?)?;
        write_generated(&out.join(EINSUM_SVG), &figures::einsum_diagram()?)?;
        write_generated(&out.join(ATTENTION_FLOW_SVG), &figures::attention_flow_diagram()?)?;
        arrays::lab_1_2_1::run(Some(&out), true)?;
        println!();
    }
    if only.is_none_or(|lab| lab == "1.2.4") {
        arrays::lab_1_2_4::run(Some(&out), true)?;
    }
    Ok(())
}
