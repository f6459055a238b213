//! A program's peak memory as the operating system counts it: maximum resident set size and wall time, from
//! GNU time (`/usr/bin/time -f "%M %e"`). Used by the memory-requirements page and the out-of-core page.

use std::path::Path;
use std::process::{Command, Stdio};

/// What GNU time measured for one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Usage {
    /// maximum resident set size, in bytes
    pub peak_rss: u64,
    pub seconds: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum MeasureError {
    #[error("GNU time is not installed at /usr/bin/time (Debian package `time`)")]
    NoGnuTime,
    #[error("`{command}` failed: {detail}")]
    Failed { command: String, detail: String },
    #[error("cannot read GNU time's output {0:?}: expected \"<max RSS in KiB> <seconds>\"")]
    Unreadable(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Reads GNU time's `-f "%M %e"` line: maximum RSS in KiB, elapsed seconds.
pub fn parse_time_output(text: &str) -> Result<Usage, MeasureError> {
    let line = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut parts = line.split_whitespace();
    let (Some(kib), Some(secs), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(MeasureError::Unreadable(text.to_owned()));
    };
    let kib: u64 = kib.parse().map_err(|_| MeasureError::Unreadable(text.to_owned()))?;
    let seconds: f64 = secs.parse().map_err(|_| MeasureError::Unreadable(text.to_owned()))?;
    Ok(Usage { peak_rss: kib * 1024, seconds })
}

/// Runs `program args..` from `dir` under GNU time, its standard output discarded (its standard error, where a
/// progress bar draws, is kept).
pub fn measure(dir: &Path, program: &Path, args: &[&std::ffi::OsStr]) -> Result<Usage, MeasureError> {
    measure_with_output(dir, program, args, &[], false).map(|(usage, _)| usage)
}

/// `measure` with the environment variables `envs` set for the program, returning its standard output too when
/// `keep_output` (else it is discarded).
pub fn measure_with_output(dir: &Path, program: &Path, args: &[&std::ffi::OsStr], envs: &[(&str, &str)], keep_output: bool) -> Result<(Usage, String), MeasureError> {
    let time = Path::new("/usr/bin/time");
    if !time.is_file() {
        return Err(MeasureError::NoGnuTime);
    }
    let report = std::env::temp_dir().join(format!("course-time-{}.txt", std::process::id()));
    let output = Command::new(time)
        .args(["-f", "%M %e", "-o"])
        .arg(&report)
        .arg(program)
        .args(args)
        .envs(envs.iter().copied())
        .current_dir(dir)
        .stdout(if keep_output { Stdio::piped() } else { Stdio::null() })
        .stderr(Stdio::inherit())
        .output()?;
    let text = std::fs::read_to_string(&report)?;
    std::fs::remove_file(&report)?;
    if !output.status.success() {
        return Err(MeasureError::Failed { command: program.display().to_string(), detail: format!("{}: {text}", output.status) });
    }
    Ok((parse_time_output(&text)?, String::from_utf8_lossy(&output.stdout).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gnu_time_output_is_read() {
        assert_eq!(parse_time_output("123456 2.50\n").unwrap(), Usage { peak_rss: 123456 * 1024, seconds: 2.5 });
        // a program that writes to stderr puts its lines before time's own (with -o they go elsewhere, but be safe)
        assert_eq!(parse_time_output("warning\n2048 0.01\n").unwrap().peak_rss, 2048 * 1024);
        for bad in ["", "12", "x 1.0", "1 2 3", "Command exited with non-zero status 1"] {
            assert!(matches!(parse_time_output(bad), Err(MeasureError::Unreadable(_))), "{bad:?}");
        }
    }
}
