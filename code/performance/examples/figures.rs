//! Regenerates the chapter's tables and profiles into `figures/performance/`.
//! Run through `cargo xtask figures` (release mode), or:
//! `cargo run --release -p performance --example performance-figures -- figures [tables] [profiles] [lines]`
//! (no part named: all three). `lines` needs valgrind.
//! With `--callgrind-target N`, it runs the slow function once on N points and exits: the program callgrind
//! watches when the line-level table is made.
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--callgrind-target") {
        let n = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(600);
        return performance::lab_1_2_5::callgrind_target(n);
    }
    let out = PathBuf::from(args.first().cloned().unwrap_or_else(|| "figures".into()));
    let parts: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
    if let Some(unknown) = parts.iter().find(|p| !["tables", "profiles", "lines"].contains(p)) {
        return Err(format!("unknown part `{unknown}`: expected tables, profiles or lines").into());
    }
    let wanted = |part: &str| parts.is_empty() || parts.contains(&part);
    if wanted("tables") {
        performance::lab_1_2_5::run(Some(&out), 10)?;
    }
    if wanted("profiles") {
        performance::lab_1_2_5::write_profiles(&out, 5.0)?;
    }
    if wanted("lines") {
        performance::lab_1_2_5::write_line_profile(&out, &std::env::current_exe()?)?;
    }
    Ok(())
}
