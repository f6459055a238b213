//! Regenerates the chapter's tables into `figures/dataframes/`.
//! Run through `cargo xtask figures` (release mode), or: `cargo run --release -p dataframes --example dataframes-figures -- figures [lab|io]`
//! (one part only: `lab` for Lab 1.2.2's table, `bad-input` for its table of hostile inputs, `io` for the
//! file-format table, `plans` for the out-of-core page's table of what streams, `lazy-plan` for the operations page's plan drawing).
use course_utils::memory::{INSTRUMENTED_SYSTEM, PeakMemAlloc};
use std::alloc::System;
use std::path::PathBuf;

// Counts heap allocations, for the "peak heap" columns.
#[global_allocator]
static HEAP: &PeakMemAlloc<System> = &INSTRUMENTED_SYSTEM;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "figures".into()));
    let part = std::env::args().nth(2);
    if part.as_deref().is_none_or(|p| p == "lab") {
        dataframes::lab_1_2_2::run(Some(&out), true)?;
    }
    if part.as_deref().is_none_or(|p| p == "bad-input") {
        let name = dataframes::lab_1_2_2::BAD_INPUT;
        course_utils::table::write_generated(&out.join(name), &dataframes::lab_1_2_2::bad_input_table())?;
        println!("  wrote figures/{name}");
    }
    if part.as_deref().is_none_or(|p| p == "io") {
        dataframes::io::run(Some(&out))?;
    }
    if part.as_deref().is_none_or(|p| p == "lazy-plan") {
        let name = dataframes::plan_figure::PLAN_SVG;
        course_utils::table::write_generated(&out.join(name), &dataframes::plan_figure::plan_figure()?)?;
        println!("  wrote figures/{name}");
    }
    if part.as_deref().is_none_or(|p| p == "plans") {
        let name = dataframes::out_of_core::PLANS;
        let header = course_utils::table::generated_header("code/dataframes/src/out_of_core.rs");
        course_utils::table::write_generated(&out.join(name), &format!("{header}{}", dataframes::out_of_core::plans_table()?))?;
        println!("  wrote figures/{name}");
    }
    Ok(())
}
