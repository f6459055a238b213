//! Tables for the terminal and for the book, number formats, and the files the generators write.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

/// How a column lines up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A table of strings: a header and rows of the same width. Columns are right-aligned (numbers) unless set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    header: Vec<String>,
    align: Vec<Align>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new<S: Into<String>>(header: impl IntoIterator<Item = S>) -> Self {
        let header: Vec<String> = header.into_iter().map(Into::into).collect();
        let align = vec![Align::Right; header.len()];
        Table { header, align, rows: Vec::new() }
    }

    /// Sets the alignment of column `column` (0-based). Out-of-range columns are ignored.
    pub fn align(&mut self, column: usize, align: Align) -> &mut Self {
        if let Some(a) = self.align.get_mut(column) {
            *a = align;
        }
        self
    }

    /// Appends a row; a short row is padded with empty cells, a long one keeps only the header's width.
    pub fn push<S: Into<String>>(&mut self, row: impl IntoIterator<Item = S>) -> &mut Self {
        let mut row: Vec<String> = row.into_iter().map(Into::into).collect();
        row.resize(self.header.len(), String::new());
        self.rows.push(row);
        self
    }

    pub fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }

    /// A GitHub-flavoured markdown table (pipes in cells are escaped).
    pub fn to_markdown(&self) -> String {
        let line = |cells: &[String]| {
            let cells: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
            format!("| {} |\n", cells.join(" | "))
        };
        let mut out = line(&self.header);
        let rule: Vec<&str> = self.align.iter().map(|a| if *a == Align::Left { ":--" } else { "--:" }).collect();
        out.push_str(&format!("|{}|\n", rule.join("|")));
        for row in &self.rows {
            out.push_str(&line(row));
        }
        out
    }

    /// An aligned plain-text table for the terminal.
    pub fn to_text(&self) -> String {
        let widths: Vec<usize> = (0..self.header.len())
            .map(|c| {
                std::iter::once(&self.header[c]).chain(self.rows.iter().map(|r| &r[c])).map(|s| s.chars().count()).max().unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        let mut line = |cells: &[String]| {
            let mut parts = Vec::with_capacity(cells.len());
            for ((cell, width), align) in cells.iter().zip(&widths).zip(&self.align) {
                let pad = " ".repeat(width - cell.chars().count());
                parts.push(if *align == Align::Left { format!("{cell}{pad}") } else { format!("{pad}{cell}") });
            }
            let _ = writeln!(out, "  {}", parts.join("  ").trim_end());
        };
        line(&self.header);
        line(&widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>());
        for row in &self.rows {
            line(row);
        }
        out
    }
}

/// Three significant digits: `123`, `12.3`, `1.23`.
fn three_digits(v: f64) -> String {
    if v >= 99.95 {
        format!("{v:.0}")
    } else if v >= 9.995 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// A duration with a unit chosen for it and three significant digits: `1.23 ms`, `456 µs`, `2.00 s`.
pub fn format_duration(d: Duration) -> String {
    let ns = d.as_secs_f64() * 1e9;
    let (value, unit) = if ns >= 0.9995e9 {
        (ns / 1e9, "s")
    } else if ns >= 0.9995e6 {
        (ns / 1e6, "ms")
    } else if ns >= 0.9995e3 {
        (ns / 1e3, "µs")
    } else {
        (ns, "ns")
    };
    format!("{} {unit}", three_digits(value))
}

/// A ratio such as a speedup: `4.00x`, `12.3x`, `250x`, `0.0312x`; `-` when it is not a number.
pub fn format_ratio(r: f64) -> String {
    if !r.is_finite() || r < 0.0 {
        return "-".into();
    }
    if r > 0.0 && r < 0.0995 {
        // three significant digits for small ratios too: 0.0312x, not 0.03x
        let decimals = (2.0 - r.log10().floor()) as usize;
        return format!("{r:.decimals$}x");
    }
    format!("{}x", three_digits(r))
}

/// A byte count in binary units: `512 B`, `1.50 KiB`, `64.0 MiB`.
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1023.5 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{} {}", three_digits(value), UNITS[unit])
}

/// The first line of every generated markdown file made by `cargo xtask figures`, naming its source.
pub fn generated_header(source: &str) -> String {
    generated_header_by("cargo xtask figures", source)
}

/// The first line of a generated markdown file made by another command.
pub fn generated_header_by(command: &str, source: &str) -> String {
    format!("<!-- Generated by `{command}` ({source}). Do not edit by hand. -->\n")
}

/// Writes a generated file, creating its folder: to a temporary name beside it, then renamed, so a run that
/// stops half-way never leaves a half-written file in the book.
pub fn write_generated(path: &Path, contents: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".{}.tmp", std::process::id()));
    std::fs::write(&temporary, contents)?;
    std::fs::rename(&temporary, path)
}

/// The committed generated file `figures/<name>`, read from any crate of the workspace.
pub fn read_committed(name: &str) -> Result<String, String> {
    let path = figures_dir().join(name);
    std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}; run `cargo xtask figures`", path.display()))
}

/// The workspace's root: two folders above a package (every package is `code/<name>` or `exercises/<name>`).
/// The package is the one cargo is testing or running (cargo sets `CARGO_MANIFEST_DIR` at run time too), else
/// this crate's own folder as compiled in: that one can be another checkout's when a target folder is shared.
fn workspace_root() -> std::path::PathBuf {
    let package = std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| env!("CARGO_MANIFEST_DIR").into(), std::path::PathBuf::from);
    package.join("../..")
}

/// The workspace's `figures/` folder.
pub fn figures_dir() -> std::path::PathBuf {
    workspace_root().join("figures")
}

/// Checks that a deterministic generated file (`figures/<name>`) equals a fresh render. When it does not,
/// the fresh render is written to `target/fresh-figures/<name>` so the difference can be inspected.
pub fn check_committed(name: &str, fresh: &str) -> Result<(), String> {
    let committed = read_committed(name)?;
    if committed == fresh {
        return Ok(());
    }
    let fresh_path = workspace_root().join("target/fresh-figures").join(name);
    let saved = write_generated(&fresh_path, fresh).map_or_else(|e| format!("(could not save it: {e})"), |_| {
        format!("the fresh render is in {}", fresh_path.display())
    });
    Err(format!("figures/{name} differs from a fresh render; {saved}. Regenerate with `cargo xtask figures`."))
}

/// Checks the shape of a generated timing table without its (noisy) numbers: the generated-by header,
/// one markdown table whose rows all have the header's width, and the machine stamp.
pub fn check_timing_table(text: &str) -> Result<(), String> {
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default();
    if !(first.starts_with("<!-- Generated by `cargo xtask ") && first.ends_with("-->")) {
        return Err(format!("first line is not the generated-by header: {first:?}"));
    }
    let table: Vec<&str> = text.lines().filter(|l| l.starts_with('|')).collect();
    let width = |l: &str| l.trim_end().trim_matches('|').split(" | ").count();
    let (header, rule) = match table.as_slice() {
        [header, rule, _, ..] => (*header, *rule),
        _ => return Err("no markdown table with a header, a rule and at least one row".into()),
    };
    if !rule.chars().all(|c| matches!(c, '|' | ':' | '-')) {
        return Err(format!("second table line is not a rule: {rule:?}"));
    }
    let columns = rule.trim_matches('|').split('|').count();
    if let Some(bad) = table.iter().filter(|l| **l != rule).find(|l| width(l) != columns) {
        return Err(format!("row does not have {columns} cells: {bad:?}"));
    }
    if !header.contains("median") && !header.contains("time") {
        return Err(format!("header names no time column: {header:?}"));
    }
    if !text.lines().any(|l| l.starts_with("*Measured on ") && l.contains("rustc")) {
        return Err("no machine stamp line (*Measured on ..., rustc ...*)".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_keep_three_significant_digits() {
        assert_eq!(format_duration(Duration::from_nanos(12)), "12.0 ns");
        assert_eq!(format_duration(Duration::from_nanos(1_234)), "1.23 µs");
        assert_eq!(format_duration(Duration::from_micros(456)), "456 µs");
        assert_eq!(format_duration(Duration::from_micros(999_960)), "1.00 s");
        assert_eq!(format_duration(Duration::from_millis(2500)), "2.50 s");
    }

    #[test]
    fn ratios_and_bytes() {
        assert_eq!(format_ratio(1.0), "1.00x");
        assert_eq!(format_ratio(123.4), "123x");
        assert_eq!(format_ratio(f64::NAN), "-");
        assert_eq!(format_ratio(0.5), "0.50x");
        assert_eq!(format_ratio(0.0312), "0.0312x");
        assert_eq!(format_ratio(0.00033), "0.000330x");
        assert_eq!(format_bytes(512), "512 B");
        assert_eq!(format_bytes(1536), "1.50 KiB");
        assert_eq!(format_bytes(64 << 20), "64.0 MiB");
    }

    #[test]
    fn text_tables_line_up() {
        let mut t = Table::new(["name", "time"]);
        t.align(0, Align::Left);
        t.push(["a", "1.00 ms"]).push(["longer", "12 ms"]);
        assert_eq!(t.to_text(), "  name       time\n  ------  -------\n  a       1.00 ms\n  longer    12 ms\n");
    }

    #[test]
    fn markdown_escapes_pipes_and_pads_short_rows() {
        let mut t = Table::new(["a", "b"]);
        t.push(["x|y"]);
        assert_eq!(t.to_markdown(), "| a | b |\n|--:|--:|\n| x\\|y |  |\n");
    }

    #[test]
    fn timing_table_check_accepts_a_report_and_rejects_damage() {
        let good = format!(
            "{}| implementation | median |\n|:--|--:|\n| loop | 1.00 ms |\n*Measured on X, 2 cores, rustc 1.95.0, 2026-01-01.*\n",
            generated_header("code/x.rs")
        );
        assert_eq!(check_timing_table(&good), Ok(()));
        assert!(check_timing_table(&good.replace("<!-- Generated", "<!-- Made")).is_err());
        assert!(check_timing_table(&good.replace("| loop | 1.00 ms |", "| loop |")).is_err());
        assert!(check_timing_table(&good.replace("*Measured on", "*On")).is_err());
        assert!(check_timing_table(&good.replace("| loop | 1.00 ms |\n", "")).is_err());
    }
}
