//! Regenerates the chapter's tables and profiles into `figures/performance/`.
//! Run through `cargo xtask figures` (release mode), or:
//! `cargo run --release -p performance --example performance-figures -- figures [tables] [kernels] [profiles] [lines]`
//! (no part named: all four; release builds only). `lines` needs valgrind. The part `debug`, alone and from a debug
//! build (no `--release`), writes the kernels' in-cache table as the unoptimised build runs it. The part
//! `build-profile <release | release-lto>`, from a build with that profile, times a few workloads for the
//! build-profile table (the last profile writes it).
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
    if let ["build-profile", profile] = parts.as_slice() {
        // `cargo xtask figures` runs this part once per build profile, to measure what LTO is worth
        return performance::kernels::write_build_profile(&out, profile, 10);
    }
    if parts == ["debug"] {
        // `cargo xtask figures` runs this part from a debug build, to show what the optimiser is worth
        return performance::kernels::write_kernels_debug(&out, 5);
    }
    if let Some(unknown) = parts.iter().find(|p| !["tables", "kernels", "profiles", "lines"].contains(p)) {
        return Err(format!("unknown part `{unknown}`: expected tables, kernels, profiles or lines").into());
    }
    let wanted = |part: &str| parts.is_empty() || parts.contains(&part);
    if wanted("tables") {
        performance::lab_1_2_5::run(Some(&out), 10)?;
    }
    if wanted("kernels") {
        performance::kernels::write_kernels(Some(&out), 15)?;
    }
    if wanted("profiles") {
        performance::lab_1_2_5::write_profiles(&out, 5.0)?;
    }
    if wanted("lines") {
        performance::lab_1_2_5::write_line_profile(&out, &std::env::current_exe()?)?;
    }
    Ok(())
}
