//! Python and Rust side by side: the protocol both sides print, the shared inputs, the Rust half of each lab's
//! workloads, and the cross-language tables.
//!
//! Each timed call is one line `sample<TAB>workload<TAB>implementation<TAB>seconds<TAB>checksum`; the Python
//! scripts in `python/` print them, and [`lab_1_2_1::rust_samples`] produces the same for Rust. Inputs come from
//! one integer formula ([`value`]) in both languages, so both compute on identical numbers, and every workload's
//! checksums must agree before any time is reported.

pub mod lab_1_2_1;
pub mod lab_1_2_2;
pub mod lab_1_2_3;
pub mod lab_1_2_4;
pub mod lab_1_2_5;
pub mod pages_probe;

use course_utils::table::{Align, Table, format_duration, format_ratio};
use course_utils::{Machine, Timing, plain_name as plain};
use std::time::Duration;

/// Element `k` of a flattened input, in [-1, 1]: the formula the Python scripts use too.
pub fn value(k: usize) -> f64 {
    ((k * 37) % 101) as f64 / 50.0 - 1.0
}

/// Which side measured a sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Language {
    Python,
    Rust,
}

/// One timed call.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub workload: String,
    pub implementation: String,
    pub language: Language,
    pub seconds: f64,
    pub checksum: f64,
}

/// What the Python side printed: its samples and its `info` lines (versions, BLAS, environment).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct PythonOutput {
    pub samples: Vec<Sample>,
    pub info: Vec<(String, String)>,
}

/// Parses the Python scripts' output; other lines (progress) are ignored, malformed protocol lines are errors.
pub fn parse_python(text: &str) -> Result<PythonOutput, String> {
    let mut out = PythonOutput::default();
    for line in text.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        match fields.as_slice() {
            ["sample", workload, implementation, seconds, checksum] => out.samples.push(Sample {
                workload: workload.to_string(),
                implementation: implementation.to_string(),
                language: Language::Python,
                seconds: seconds.parse().map_err(|e| format!("{line:?}: seconds: {e}"))?,
                checksum: checksum.parse().map_err(|e| format!("{line:?}: checksum: {e}"))?,
            }),
            ["info", key, value] => out.info.push((key.to_string(), value.to_string())),
            ["sample", ..] | ["info", ..] => return Err(format!("malformed line {line:?}")),
            _ => {}
        }
    }
    Ok(out)
}

/// One implementation's times across all rounds.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub language: Language,
    pub timing: Timing,
    pub checksum: f64,
}

/// How close checksums must be: `|c - reference| <= atol + rtol * |reference|`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChecksumTolerance {
    pub rtol: f64,
    pub atol: f64,
}

/// Groups the samples of one workload by implementation (Python first, then Rust, each in first-seen order),
/// after checking that every implementation's checksums agree with the first implementation's.
pub fn rows(samples: &[Sample], workload: &str, tol: ChecksumTolerance) -> Result<Vec<Row>, String> {
    let mut names: Vec<(Language, &str)> = Vec::new();
    for s in samples.iter().filter(|s| s.workload == workload) {
        if !names.contains(&(s.language, &s.implementation)) {
            names.push((s.language, &s.implementation));
        }
    }
    names.sort_by_key(|(language, _)| *language); // stable: keeps first-seen order within a language
    let reference = samples.iter().find(|s| s.workload == workload).ok_or(format!("no samples for {workload}"))?;
    let mut rows = Vec::new();
    for (language, name) in names {
        let mine: Vec<&Sample> =
            samples.iter().filter(|s| s.workload == workload && s.language == language && s.implementation == name).collect();
        for s in &mine {
            if (s.checksum - reference.checksum).abs() > tol.atol + tol.rtol * reference.checksum.abs() {
                return Err(format!(
                    "{workload}: {name:?} ({language:?}) computed checksum {} but {:?} computed {}: not timing a different result",
                    s.checksum, reference.implementation, reference.checksum
                ));
            }
        }
        let times = mine.iter().map(|s| Duration::from_secs_f64(s.seconds)).collect();
        rows.push(Row { language, timing: Timing::from_samples(name.to_string(), times), checksum: mine[0].checksum });
    }
    Ok(rows)
}

/// The table of one workload: times, and the two ratios that matter (against the pure-Python loop and against
/// the fastest Python implementation).
pub fn table(rows: &[Row]) -> Result<Table, String> {
    // a lab without a pure-Python loop (preprocessing is never written that way) shows "-" in that column
    let loop_row = rows.iter().find(|r| r.language == Language::Python && r.timing.name.starts_with("pure Python"));
    let best_python = rows
        .iter()
        .filter(|r| r.language == Language::Python)
        .min_by_key(|r| r.timing.median)
        .ok_or("no Python implementation")?;
    let mut table = Table::new(["implementation", "language", "median", "min", "max", "vs Python loop", "vs best Python"]);
    table.align(0, Align::Left).align(1, Align::Left);
    let ratio = |base: &Timing, t: &Timing| format_ratio(base.median.as_secs_f64() / t.median.as_secs_f64());
    for r in rows {
        table.push([
            r.timing.name.clone(),
            format!("{:?}", r.language),
            format_duration(r.timing.median),
            format_duration(r.timing.min),
            format_duration(r.timing.max),
            loop_row.map_or_else(|| "-".into(), |l| ratio(&l.timing, &r.timing)),
            ratio(&best_python.timing, &r.timing),
        ]);
    }
    Ok(table)
}

/// "The fastest Rust version, X, is N faster than the best Python one, Y" (or slower), for the book's text.
pub fn verdict(rows: &[Row]) -> Result<String, String> {
    let python = rows.iter().filter(|r| r.language == Language::Python).min_by_key(|r| r.timing.median).ok_or("no Python")?;
    compare_fastest_rust(rows, python, "the best Python one, ")
}

/// The same sentence against a named Python implementation (a lab's target may be stated against one tool,
/// such as scikit-learn, rather than against the fastest).
pub fn verdict_against(rows: &[Row], python: &str) -> Result<String, String> {
    let row = rows.iter().find(|r| r.language == Language::Python && r.timing.name == python).ok_or_else(|| format!("no Python row {python:?}"))?;
    compare_fastest_rust(rows, row, "")
}

/// One named Rust implementation against one named Python implementation (the same formulation in both
/// languages), or `None` when the table does not have both rows.
pub fn verdict_pair(rows: &[Row], rust: &str, python: &str) -> Option<String> {
    let find = |language, name: &str| rows.iter().find(|r| r.language == language && r.timing.name == name);
    let (rust, python) = (find(Language::Rust, rust)?, find(Language::Python, python)?);
    Some(compare(&format!("*{}*", plain(&rust.timing.name)), &rust.timing, &python.timing, ""))
}

fn compare_fastest_rust(rows: &[Row], python: &Row, what: &str) -> Result<String, String> {
    // the Rust versions that tie with the fastest are named with it: no ranking between them
    let tied = course_utils::fastest_tied(rows.iter().filter(|r| r.language == Language::Rust).map(|r| &r.timing));
    let rust = *tied.first().ok_or("no Rust")?;
    Ok(compare(&format!("the fastest Rust version, {},", course_utils::fastest_names(&tied)), rust, &python.timing, what))
}

/// "<subject> is N faster than <what><python>" (or slower), or "about as fast as" when the two tie (each
/// median within the other's range): a ranking within the noise is not a ranking.
fn compare(subject: &str, rust: &Timing, python: &Timing, what: &str) -> String {
    if rust.ties_with(python) {
        return format!("{subject} is about as fast as {what}*{}* (each median within the other's range)", plain(&python.name));
    }
    let ratio = python.median.as_secs_f64() / rust.median.as_secs_f64();
    let (factor, word) = if ratio >= 1.0 { (ratio, "faster") } else { (1.0 / ratio, "slower") };
    format!("{subject} is **{}** {word} than {what}*{}*", format_ratio(factor), plain(&python.name))
}

/// The stamp of a cross-language table: the machine, and the Python side's versions and BLAS settings.
pub fn stamp(machine: &Machine, info: &[(String, String)]) -> String {
    let get = |key: &str| info.iter().find(|(k, _)| k == key).map_or("?", |(_, v)| v.as_str());
    // the data libraries, when the lab's script reports them
    let libraries: String = ["pandas", "scikit-learn", "polars", "matplotlib", "seaborn", "numba"]
        .iter()
        .filter_map(|k| info.iter().find(|(key, _)| key == k).map(|(_, v)| format!(", {k} {v}")))
        .collect();
    let kernels = info.iter().find(|(k, _)| k == "blas_kernels").map_or(String::new(), |(_, v)| format!(", {v} kernels"));
    format!(
        "*{machine} Python {}, NumPy {}{libraries}, BLAS: {}{kernels} (OPENBLAS_CORETYPE: {}, OPENBLAS_NUM_THREADS: {}).*\n",
        get("python"),
        get("numpy"),
        get("blas"),
        get("OPENBLAS_CORETYPE"),
        get("OPENBLAS_NUM_THREADS"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(workload: &str, name: &str, language: Language, seconds: f64, checksum: f64) -> Sample {
        Sample { workload: workload.into(), implementation: name.into(), language, seconds, checksum }
    }

    const TOL: ChecksumTolerance = ChecksumTolerance { rtol: 1e-6, atol: 0.0 };

    #[test]
    fn parses_samples_and_info_and_rejects_malformed_lines() {
        let text = "info\tnumpy\t2.4.6\nprogress text\nsample\tsum\tpure Python loop\t0.5\t-0.28\n";
        let out = parse_python(text).unwrap();
        assert_eq!(out.info, [("numpy".to_string(), "2.4.6".to_string())]);
        assert_eq!(out.samples, [sample("sum", "pure Python loop", Language::Python, 0.5, -0.28)]);
        assert!(parse_python("sample\tsum\tx\tslow\t1.0").is_err());
        assert!(parse_python("sample\tsum\tx\t1.0").is_err());
    }

    #[test]
    fn rows_group_by_implementation_python_first_and_check_checksums() {
        let samples = vec![
            sample("sum", "rust loop", Language::Rust, 0.002, 10.0),
            sample("sum", "pure Python loop", Language::Python, 0.9, 10.0),
            sample("sum", "pure Python loop", Language::Python, 1.1, 10.0),
            sample("sum", "NumPy", Language::Python, 0.004, 10.0),
            sample("other", "x", Language::Rust, 1.0, 99.0),
        ];
        let rows = rows(&samples, "sum", TOL).unwrap();
        let names: Vec<_> = rows.iter().map(|r| r.timing.name.as_str()).collect();
        assert_eq!(names, ["pure Python loop", "NumPy", "rust loop"]);
        assert_eq!(rows[0].timing.median, Duration::from_secs(1));
        let text = table(&rows).unwrap().to_markdown();
        assert!(text.contains("| rust loop | Rust | 2.00 ms | 2.00 ms | 2.00 ms | 500x | 2.00x |"), "{text}");
        assert_eq!(verdict(&rows).unwrap(), "the fastest Rust version, *rust loop*, is **2.00x** faster than the best Python one, *NumPy*");
        assert_eq!(verdict_against(&rows, "pure Python loop").unwrap().split("**").nth(1), Some("500x"));
        assert!(verdict_against(&rows, "no such row").is_err());
        assert_eq!(verdict_pair(&rows, "rust loop", "NumPy").as_deref(), Some("*rust loop* is **2.00x** faster than *NumPy*"));
        assert_eq!(verdict_pair(&rows, "rust loop", "Numba"), None);
        let brackets = vec![sample("o", "x[:, None]", Language::Rust, 1.0, 1.0), sample("o", "`y[i]`", Language::Python, 2.0, 1.0)];
        let brackets = super::rows(&brackets, "o", TOL).unwrap();
        assert_eq!(verdict_pair(&brackets, "x[:, None]", "`y[i]`").unwrap(), r"*x\[:, None\]* is **2.00x** faster than *y\[i\]*");
    }

    #[test]
    fn a_tie_is_said_as_a_tie() {
        let samples = vec![
            sample("t", "rust a", Language::Rust, 1.0, 1.0),
            sample("t", "rust a", Language::Rust, 1.2, 1.0),
            sample("t", "numpy b", Language::Python, 1.1, 1.0),
            sample("t", "numpy b", Language::Python, 1.3, 1.0),
            sample("t", "numpy slow", Language::Python, 5.0, 1.0),
        ];
        let rows = super::rows(&samples, "t", TOL).unwrap();
        assert_eq!(
            verdict_pair(&rows, "rust a", "numpy b").unwrap(),
            "*rust a* is about as fast as *numpy b* (each median within the other's range)"
        );
        assert!(verdict_pair(&rows, "rust a", "numpy slow").unwrap().contains("faster than *numpy slow*"));
    }

    #[test]
    fn a_different_result_is_refused() {
        let samples = vec![sample("sum", "pure Python loop", Language::Python, 1.0, 10.0), sample("sum", "wrong", Language::Rust, 0.1, 11.0)];
        let err = rows(&samples, "sum", TOL).unwrap_err();
        assert!(err.contains("\"wrong\"") && err.contains("not timing a different result"), "{err}");
        assert!(rows(&samples, "missing", TOL).is_err());
    }

    #[test]
    fn the_stamp_names_the_python_side() {
        let info = vec![("numpy".to_string(), "2.4.6".to_string()), ("OPENBLAS_CORETYPE".to_string(), "Haswell".to_string())];
        let text = stamp(&Machine::current(), &info);
        assert!(text.contains("NumPy 2.4.6") && text.contains("OPENBLAS_CORETYPE: Haswell") && text.contains("Python ?"), "{text}");
    }

    #[test]
    fn the_shared_formula_stays_in_range() {
        assert_eq!(value(0), -1.0);
        assert!((0..1000).map(value).all(|v| (-1.0..=1.0).contains(&v)));
    }
}
