//! The memory-requirements page's generator: every lab's program, run as a learner runs it, with the operating
//! system's count of its peak memory (maximum resident set size, from GNU time).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One lab's program: the package and example a learner runs with `cargo run --release -p .. --example ..`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lab {
    pub lab: &'static str,
    pub title: &'static str,
    pub package: &'static str,
    pub example: &'static str,
}

pub const LABS: [Lab; 5] = [
    Lab { lab: "1.2.1", title: "Broadcasting", package: "arrays", example: "lab-1-2-1" },
    Lab { lab: "1.2.2", title: "Preprocessing pipeline", package: "dataframes", example: "lab-1-2-2" },
    Lab { lab: "1.2.3", title: "Visualization dashboard", package: "visualization", example: "lab-1-2-3" },
    Lab { lab: "1.2.4", title: "Einsum and attention", package: "arrays", example: "lab-1-2-4" },
    Lab { lab: "1.2.5", title: "Profiling exercise", package: "performance", example: "lab-1-2-5" },
];

pub const TABLE: &str = "guidance/memory-requirements.md";

pub use course_utils::gnu_time::{MeasureError, Usage, parse_time_output};

/// Builds the lab's example (with every other program of the workspace) in release mode and returns the
/// executable's path (from cargo's JSON messages).
pub fn build(root: &Path, lab: &Lab) -> Result<PathBuf, MeasureError> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // the whole workspace, as `cargo xtask figures` builds it: with `-p` alone, cargo may pick other dependency
    // features and compile polars once more
    let args = ["build", "--release", "--locked", "--workspace", "--examples", "--message-format=json"];
    let out = Command::new(&cargo).current_dir(root).args(args).stderr(Stdio::inherit()).output()?;
    let command = format!("cargo {}", args.join(" "));
    if !out.status.success() {
        return Err(MeasureError::Failed { command, detail: out.status.to_string() });
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout
        .lines()
        .filter(|l| l.contains("\"compiler-artifact\"") && l.contains(&format!("\"name\":\"{}\"", lab.example)))
        .find_map(|l| {
            let start = l.find("\"executable\":\"")? + "\"executable\":\"".len();
            let end = start + l[start..].find('"')?;
            Some(PathBuf::from(&l[start..end]))
        })
        .ok_or(MeasureError::Failed { command, detail: "no executable in cargo's output".into() })
}

/// Runs `exe` from `root` under GNU time, its own output discarded.
pub fn measure(root: &Path, exe: &Path) -> Result<Usage, MeasureError> {
    course_utils::gnu_time::measure(root, exe, &[])
}

/// The page's table: every lab's peak memory and run time.
pub fn table(rows: &[(Lab, Usage)]) -> String {
    use course_utils::table::{Align, Table};
    let mut t = Table::new(["lab", "command", "peak memory (max RSS)", "run time"]);
    t.align(0, Align::Left).align(1, Align::Left);
    for (lab, usage) in rows {
        t.push([
            format!("{} {}", lab.lab, lab.title),
            format!("`cargo run --release -p {} --example {}`", lab.package, lab.example),
            format!("{:.0} MB", usage.peak_rss as f64 / 1e6),
            format!("{:.1} s", usage.seconds),
        ]);
    }
    t.to_markdown()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_lists_each_lab_with_its_command() {
        let rows = [(LABS[4], Usage { peak_rss: 150_000_000, seconds: 4.25 })];
        let t = table(&rows);
        assert!(t.contains("| 1.2.5 Profiling exercise | `cargo run --release -p performance --example lab-1-2-5` | 150 MB | 4.2 s |"), "{t}");
    }
}
