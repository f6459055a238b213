//! Regenerates the study pages' generated parts: the memory-requirements table
//! (`figures/guidance/memory-requirements.md`: every lab's program built in release mode, run under GNU time,
//! its peak memory recorded) and the troubleshooting page's compile error for a missing polars feature
//! (`figures/study/polars-missing-feature.md`).
//! Run through `cargo xtask figures`, or: `cargo run --release -p study --example study-figures -- figures [memory|troubleshooting]`
use course_utils::Machine;
use course_utils::table::{generated_header, write_generated};
use std::path::{Path, PathBuf};
use study::memory_requirements::{self as memory, LABS, MeasureError};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "figures".into()));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let part = std::env::args().nth(2);
    if part.as_deref().is_none_or(|p| p == "troubleshooting") {
        troubleshooting(&root, &out)?;
    }
    if part.as_deref().is_none_or(|p| p == "memory") {
        memory_requirements(&root, &out)?;
    }
    Ok(())
}

/// The compile error of a missing polars feature, reproduced in a throwaway crate under target/.
fn troubleshooting(root: &Path, out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    use study::troubleshooting::{FIXED_FEATURES, MAIN, MANIFEST, TABLE, polars_missing_feature};
    println!("troubleshooting: checking a crate that calls a polars method without its feature (compiles polars once) ...");
    let error = polars_missing_feature(&root.join("target/troubleshooting/polars-missing-feature"))?;
    let text = format!(
        "{}The project's `Cargo.toml`:\n\n```toml\n{MANIFEST}```\n\nIts `src/main.rs`:\n\n```rust,ignore\n{MAIN}```\n\n`cargo check` says ({}):\n\n```text\n{error}\n```\n\n\
         With `features = {FIXED_FEATURES}` the same code checks without an error (the generator checks that too).\n",
        generated_header("code/study/src/troubleshooting.rs"),
        course_utils::Machine::current().rustc
    );
    write_generated(&out.join(TABLE), &text)?;
    println!("wrote {TABLE}");

    use study::troubleshooting::{LINK_LIMIT_KIB, LINKER_TABLE, linker_out_of_memory};
    println!("troubleshooting: relinking Lab 1.2.2's program with the address space limited to {LINK_LIMIT_KIB} KiB ...");
    match linker_out_of_memory(root) {
        Ok(error) => {
            let text = format!(
                "{}```text\n$ ulimit -v {LINK_LIMIT_KIB}   # at most {:.1} GB of address space for this shell and what it starts\n\
                 $ cargo build --release --workspace --examples\n{error}\n```\n",
                generated_header("code/study/src/troubleshooting.rs"),
                LINK_LIMIT_KIB as f64 * 1024.0 / 1e9
            );
            write_generated(&out.join(LINKER_TABLE), &text)?;
            println!("wrote {LINKER_TABLE}");
        }
        // the limit depends on the machine and the toolchain: keep the committed reproduction, and say so
        Err(e) => println!("the linker did not fail as expected under the limit ({e}): keeping {LINKER_TABLE}"),
    }
    Ok(())
}

fn memory_requirements(root: &Path, out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let mut rows = Vec::new();
    for lab in LABS {
        println!("lab {}: building and running `{}` under GNU time ...", lab.lab, lab.example);
        let exe = memory::build(root, &lab)?;
        match memory::measure(root, &exe) {
            Ok(usage) => {
                println!("  peak {:.0} MB, {:.1} s", usage.peak_rss as f64 / 1e6, usage.seconds);
                rows.push((lab, usage));
            }
            Err(MeasureError::NoGnuTime) => {
                println!("GNU time is missing (sudo apt-get install time): keeping {}", memory::TABLE);
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        }
    }
    let text = format!(
        "{}{}\n*Each lab's program as a learner runs it (release build, all its parts), its output discarded; peak memory \
         is the process's maximum resident set size reported by GNU time (`/usr/bin/time -f %M`), which includes the \
         program's code, thread stacks and memory the allocator keeps. {}*\n",
        generated_header("code/study/src/memory_requirements.rs"),
        memory::table(&rows),
        Machine::current()
    );
    write_generated(&out.join(memory::TABLE), &text)?;
    println!("wrote {}", memory::TABLE);
    Ok(())
}
