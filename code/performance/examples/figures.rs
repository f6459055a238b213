//! Regenerates the chapter's tables and profiles into `figures/performance/`.
//! Run through `cargo xtask figures` (release mode), or: `cargo run --release -p performance --example performance-figures -- figures`
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
    performance::lab_1_2_5::run(Some(&out), 10)?;
    performance::lab_1_2_5::write_profiles(&out, 5.0)?;
    performance::lab_1_2_5::write_line_profile(&out, &std::env::current_exe()?)
}
