//! What a lab program shows while it works: how long the whole run took when last measured, and a progress bar
//! per comparison. Both go to stderr, so the tables on stdout stay clean, and the bars are drawn only when stderr
//! is a terminal (not when it is piped, in CI or in tests).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The generated table that holds each lab program's run time, measured by `cargo xtask figures`.
pub const RUN_TIMES: &str = "guidance/memory-requirements.md";

/// A bar of `steps` steps, labelled with (the start of) `what`.
pub fn bar(steps: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(steps), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} runs, {elapsed}")
        .expect("a valid template")
        .progress_chars("=> ");
    bar.set_style(style);
    let label: String = what.chars().take(48).collect();
    bar.set_prefix(if label.len() < what.len() { format!("{label}…") } else { label });
    bar
}

/// A spinner with the elapsed time, for a step whose length is not known (waiting for another process).
pub fn spinner(what: &str) -> ProgressBar {
    let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    spinner.set_style(ProgressStyle::with_template("{spinner} {msg}, {elapsed}").expect("a valid template"));
    spinner.set_message(what.to_owned());
    spinner.enable_steady_tick(std::time::Duration::from_millis(200));
    spinner
}

/// The line a lab program prints first: how long the same program took on the machine of the committed table,
/// read from that table's row for `example` (the example's name, such as `lab-1-2-1`); None when the table or
/// the row is missing.
pub fn expected_run(example: &str, table: &str) -> Option<String> {
    let row = table.lines().find(|l| l.starts_with('|') && l.contains(&format!("--example {example}`")))?;
    let seconds = row.trim_end_matches('|').rsplit('|').next()?.trim();
    let stamp = table.find("Measured on ").map(|at| table[at + "Measured on ".len()..].trim_end().trim_end_matches(".*"))?;
    Some(format!("This program took {seconds} when last measured, on {stamp} (figures/{RUN_TIMES})."))
}

/// Prints [`expected_run`] for this lab on stderr, if the committed table has it.
pub fn announce(example: &str) {
    if let Some(line) = crate::table::read_committed(RUN_TIMES).ok().and_then(|t| expected_run(example, &t)) {
        eprintln!("{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "| lab | command | peak memory (max RSS) | run time |\n|:--|:--|--:|--:|\n\
        | 1.2.1 Broadcasting | `cargo run --release -p arrays --example lab-1-2-1` | 590 MB | 66.0 s |\n\
        | 1.2.4 Einsum | `cargo run --release -p arrays --example lab-1-2-4` | 2418 MB | 156.0 s |\n\n\
        *Each lab's program as a learner runs it. Measured on AMD EPYC, 2 cores, linux x86_64, rustc 1.95.0, 2026-12-02.*\n";

    #[test]
    fn the_expected_time_is_the_tables_row_for_that_lab() {
        let line = expected_run("lab-1-2-4", TABLE).unwrap();
        assert!(line.starts_with("This program took 156.0 s when last measured, on AMD EPYC, 2 cores,"), "{line}");
        assert!(line.contains("2026-12-02") && !line.contains(".*"), "{line}");
        assert_eq!(expected_run("lab-1-2-9", TABLE), None);
        assert_eq!(expected_run("lab-1-2-1", "no table here"), None);
    }

    #[test]
    fn the_committed_table_has_every_lab() {
        let table = crate::table::read_committed(RUN_TIMES).unwrap();
        for lab in ["lab-1-2-1", "lab-1-2-2", "lab-1-2-3", "lab-1-2-4", "lab-1-2-5"] {
            assert!(expected_run(lab, &table).is_some(), "{lab} has no run time in figures/{RUN_TIMES}");
        }
    }

    #[test]
    fn a_long_label_is_cut() {
        let b = bar(3, &"x".repeat(100));
        assert!(b.prefix().chars().count() <= 49 && b.prefix().ends_with('…'));
        assert_eq!(b.length(), Some(3));
    }
}
