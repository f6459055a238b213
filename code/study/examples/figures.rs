//! Regenerates the memory-requirements table (`figures/guidance/memory-requirements.md`): builds every lab's
//! program in release mode, runs it under GNU time and records its peak memory.
//! Run through `cargo xtask figures`, or: `cargo run --release -p study --example study-figures -- figures`
use course_utils::Machine;
use course_utils::table::{generated_header, write_generated};
use std::path::{Path, PathBuf};
use study::memory_requirements::{self as memory, LABS, MeasureError};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "figures".into()));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut rows = Vec::new();
    for lab in LABS {
        println!("lab {}: building and running `{}` under GNU time ...", lab.lab, lab.example);
        let exe = memory::build(&root, &lab)?;
        match memory::measure(&root, &exe) {
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
