//! Reproduces, for the troubleshooting page, the compile error a learner gets when a polars method needs a
//! cargo feature their project does not turn on. A throwaway crate with polars' `lazy` feature only calls
//! `columns_to_dummies` (feature `to_dummies`), as Lab 1.2.2's expressions do; `cargo check` fails, and the
//! compiler's message is kept as the page shows it.

use std::path::Path;
use std::process::Command;

pub const TABLE: &str = "study/polars-missing-feature.md";

/// The throwaway crate's manifest: polars at the course's version, with one feature.
pub const MANIFEST: &str = r#"[package]
name = "polars-missing-feature"
version = "0.1.0"
edition = "2024"
publish = false

# its own workspace: not a member of the course's
[workspace]

[dependencies]
polars = { version = "=0.55.2", default-features = false, features = ["lazy"] }
"#;

/// What the learner wrote: Lab 1.2.2's one-hot step.
pub const MAIN: &str = r#"use polars::prelude::*;

fn main() -> PolarsResult<()> {
    let df = df!("species" => ["Adelie", "Gentoo", "Adelie"])?;
    let encoded = df.columns_to_dummies(vec!["species"], Some("_"), false, false)?;
    println!("{encoded}");
    Ok(())
}
"#;

#[derive(Debug, thiserror::Error)]
pub enum ReproduceError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("the crate compiled: the feature is no longer missing, so there is no error to show")]
    Compiled,
    #[error("cargo check failed without the expected error:\n{0}")]
    Unexpected(String),
}

/// The feature list of the fix.
pub const FIXED_FEATURES: &str = r#"["lazy", "to_dummies"]"#;

/// Writes the crate into `dir` and checks it (offline: the registry cache of the course's own build has
/// polars); returns the compiler's first error, as printed (the home folder shown as `~`). Then checks the
/// fix, the same crate with `FIXED_FEATURES`, which must compile.
pub fn polars_missing_feature(dir: &Path) -> Result<String, ReproduceError> {
    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::write(dir.join("src/main.rs"), MAIN)?;
    let check = |manifest: &str| -> Result<std::process::Output, ReproduceError> {
        std::fs::write(dir.join("Cargo.toml"), manifest)?;
        Ok(Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(dir)
            .args(["check", "--offline", "--quiet", "--color", "never"])
            .env_remove("RUSTFLAGS")
            .output()?)
    };
    let out = check(MANIFEST)?;
    if out.status.success() {
        return Err(ReproduceError::Compiled);
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut error = first_error(&stderr).ok_or_else(|| ReproduceError::Unexpected(stderr.to_string()))?;
    if let Ok(home) = std::env::var("HOME") {
        error = error.replace(&home, "~");
    }
    let fixed = check(&MANIFEST.replace(r#"["lazy"]"#, FIXED_FEATURES))?;
    if !fixed.status.success() {
        return Err(ReproduceError::Unexpected(format!("with {FIXED_FEATURES}: {}", String::from_utf8_lossy(&fixed.stderr))));
    }
    Ok(error)
}

/// The first `error[...]` block of rustc's output: from its first line to the blank line that ends it.
pub fn first_error(stderr: &str) -> Option<String> {
    let start = stderr.find("error[")?;
    let block = &stderr[start..];
    let end = block.find("\n\n").unwrap_or(block.len());
    Some(block[..end].trim_end().to_owned())
}

pub const LINKER_TABLE: &str = "study/linker-memory.md";
/// The address-space limit (KiB, as `ulimit -v` takes it) under which rustc still compiles Lab 1.2.2's
/// program here but the linker cannot map its output.
pub const LINK_LIMIT_KIB: u64 = 3_000_000;

/// Relinks Lab 1.2.2's program (release) with the address space limited to `LINK_LIMIT_KIB`, and returns
/// the linker's error lines; then links it again without the limit, which must work. `root` is the
/// workspace; its release build must be up to date (the generators build it first).
pub fn linker_out_of_memory(root: &Path) -> Result<String, ReproduceError> {
    let example = root.join("code/dataframes/examples/lab_1_2_2.rs");
    let build = |limit: Option<u64>| -> Result<std::process::Output, ReproduceError> {
        // a newer source file makes cargo compile and link the example again, and nothing else
        std::fs::File::options().append(true).open(&example)?.set_modified(std::time::SystemTime::now())?;
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let limit = limit.map_or(String::new(), |kib| format!("ulimit -v {kib}; "));
        Ok(Command::new("bash")
            .current_dir(root)
            .arg("-c")
            .arg(format!("{limit}exec {cargo} build --release --locked --workspace --examples --color never"))
            .output()?)
    };
    let out = build(Some(LINK_LIMIT_KIB))?;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let kept = linker_error(&stderr);
    let restored = build(None)?;
    if !restored.status.success() {
        return Err(ReproduceError::Unexpected(String::from_utf8_lossy(&restored.stderr).into_owned()));
    }
    match (out.status.success(), kept) {
        (true, _) => Err(ReproduceError::Compiled),
        // paths relative to the workspace, as a learner's would read
        (false, Some(lines)) => Ok(lines.replace(&format!("{}/", root.canonicalize()?.display()), "")),
        (false, None) => Err(ReproduceError::Unexpected(stderr)),
    }
}

/// From a failed build's output: the `error: linking with ...` line, the linker's own error lines (without
/// the very long command line), and cargo's closing line.
pub fn linker_error(stderr: &str) -> Option<String> {
    let start = stderr.find("error: linking with")?;
    let lines: Vec<&str> = stderr[start..].lines().collect();
    let mut kept = vec![lines[0]];
    kept.extend(lines.iter().filter(|l| l.contains("rust-lld: error") || l.contains("ld returned") || l.contains("collect2")).map(|l| l.trim_end()));
    kept.extend(lines.iter().find(|l| l.starts_with("error: could not compile")));
    (kept.len() > 1).then(|| kept.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_error_block_is_kept_whole() {
        let stderr = "   Compiling x\nerror[E0599]: no method named `f`\n --> src/main.rs:5:22\n  |\n5 |     df.f()\n\nerror: aborting\n";
        assert_eq!(first_error(stderr).unwrap(), "error[E0599]: no method named `f`\n --> src/main.rs:5:22\n  |\n5 |     df.f()");
        assert_eq!(first_error("warning: unused\n"), None);
    }

    #[test]
    fn the_linker_error_is_kept_without_the_command_line() {
        let stderr = "   Compiling dataframes\nerror: linking with `cc` failed: exit status: 1\n  |\n  = note:  \"cc\" \"-m64\" ...\n  = note: rust-lld: error: failed to open out: Cannot allocate memory\n          collect2: error: ld returned 1 exit status\n\nerror: could not compile `dataframes` (example \"lab-1-2-2\") due to 1 previous error\n";
        let kept = linker_error(stderr).unwrap();
        assert!(!kept.contains("-m64"), "{kept}");
        assert_eq!(kept.lines().count(), 4, "{kept}");
        assert!(kept.ends_with("due to 1 previous error"));
        assert_eq!(linker_error("error[E0599]: no method\n"), None);
    }

    #[test]
    fn committed_linker_reproduction_names_the_memory_error() {
        let text = course_utils::table::read_committed(LINKER_TABLE).unwrap();
        assert!(text.contains("Cannot allocate memory") || text.contains("memory"), "{text}");
    }

    #[test]
    fn committed_reproduction_shows_the_missing_method() {
        let text = course_utils::table::read_committed(TABLE).unwrap();
        assert!(text.contains("columns_to_dummies") && text.contains("error[E0599]"), "{text}");
    }
}
