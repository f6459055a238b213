//! Lab exercises, generated from the solutions (one source of truth).
//!
//! In a solution file, the body of a function a learner writes sits between two marker lines, mdBook anchors
//! named `exercise_<name>` (so the book can show the solution body alone, and hides the markers elsewhere):
//!
//! ```text
//!     // ANCHOR: exercise_select
//!     ...the solution...
//!     // ANCHOR_END: exercise_select
//! }
//! ```
//!
//! `cargo xtask exercises` writes, per lab, a crate under `exercises/` holding a copy of the solution module with
//! each marked body replaced by `todo!("exercise `select`")`, and the module's own tests unchanged. A learner runs
//! `cargo test -p <lab>-exercise` and fills in the `todo!()`s until the tests pass. The test command checks that
//! the committed exercises match the solutions, and that on the starter code the tests fail, each on a `todo!()`.

use std::fs;
use std::path::{Path, PathBuf};

/// One lab's exercise crate.
pub struct Lab {
    pub id: &'static str,
    /// the exercise crate's package name
    pub package: &'static str,
    /// the companion crate holding the solution, under `code/`
    pub solution_crate: &'static str,
    /// the solution's modules (files `src/<module>.rs`) copied into the exercise, with their tests
    pub modules: &'static [&'static str],
    /// the solution crate's integration tests (files `tests/<name>.rs`) that test those modules: copied too,
    /// pointed at the exercise's modules
    pub tests: &'static [&'static str],
    /// the book page that explains the exercises
    pub page: &'static str,
}

pub const LABS: [Lab; 10] = [
    Lab {
        id: "primer",
        package: "primer-exercise",
        solution_crate: "primer",
        modules: &["exercises"],
        tests: &[],
        page: "src/primer/index.md",
    },
    Lab {
        id: "1.2.1",
        package: "lab-1-2-1-exercise",
        solution_crate: "arrays",
        modules: &["batch_matmul", "outer"],
        tests: &[],
        page: "src/arrays/lab-1-2-1-broadcasting.md",
    },
    Lab {
        id: "1.2.2",
        package: "lab-1-2-2-exercise",
        solution_crate: "dataframes",
        modules: &["preprocessing_pipeline"],
        tests: &["preprocessor"],
        page: "src/dataframes/lab-1-2-2-preprocessing.md",
    },
    Lab {
        id: "1.2.3",
        package: "lab-1-2-3-exercise",
        solution_crate: "visualization",
        modules: &["dashboard"],
        tests: &["dashboard_inputs"],
        page: "src/visualization/lab-1-2-3-dashboard.md",
    },
    Lab {
        id: "1.2.4",
        package: "lab-1-2-4-exercise",
        solution_crate: "arrays",
        modules: &["attention"],
        tests: &[],
        page: "src/arrays/lab-1-2-4-einsum.md",
    },
    Lab {
        id: "1.2.5",
        package: "lab-1-2-5-exercise",
        solution_crate: "performance",
        modules: &["knn"],
        tests: &[],
        page: "src/performance/lab-1-2-5-profiling.md",
    },
    // One short exercise per topic page, optional, at the end of the page (before its quiz).
    Lab { id: "arrays", package: "arrays-exercise", solution_crate: "arrays", modules: &["practice"], tests: &[], page: "src/arrays/index.md" },
    Lab {
        id: "dataframes",
        package: "dataframes-exercise",
        solution_crate: "dataframes",
        modules: &["practice"],
        tests: &[],
        page: "src/dataframes/index.md",
    },
    Lab {
        id: "visualization",
        package: "visualization-exercise",
        solution_crate: "visualization",
        modules: &["practice"],
        tests: &[],
        page: "src/visualization/index.md",
    },
    Lab {
        id: "performance",
        package: "performance-exercise",
        solution_crate: "performance",
        modules: &["practice"],
        tests: &[],
        page: "src/performance/index.md",
    },
];

impl Lab {
    /// `exercises/lab-1-2-1` for a lab, `exercises/primer` for the primer.
    pub fn dir(&self) -> PathBuf {
        PathBuf::from("exercises").join(self.folder())
    }
    fn folder(&self) -> String {
        if self.is_lab() { format!("lab-{}", self.id.replace('.', "-")) } else { self.id.to_owned() }
    }
    fn is_lab(&self) -> bool {
        self.id.starts_with(|c: char| c.is_ascii_digit())
    }
    /// "Lab 1.2.1", "The primer", or "The arrays chapter" (its topic pages' practice).
    pub fn title(&self) -> String {
        match self.id {
            _ if self.is_lab() => format!("Lab {}", self.id),
            "primer" => "The primer".to_owned(),
            chapter => format!("The {chapter} chapter"),
        }
    }
}

/// A marked region that cannot be turned into an exercise.
#[derive(Debug, PartialEq)]
pub struct MarkerError {
    pub line: usize,
    pub message: String,
}

/// The starter version of one solution file: every marked body becomes `todo!()`, and `crate::` paths to the
/// solution crate's other modules point at the solution crate. Returns the text and the exercise names.
pub fn starter(source: &str, solution_crate: &str, own_modules: &[&str]) -> Result<(String, Vec<String>), MarkerError> {
    let mut out = String::new();
    let mut names = Vec::new();
    let mut open: Option<(usize, String)> = None;
    let lines: Vec<&str> = source.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if let Some(name) = trimmed.strip_prefix("// ANCHOR: exercise_") {
            if let Some((at, other)) = &open {
                return Err(MarkerError { line: i + 1, message: format!("exercise `{name}` starts inside `{other}` (line {at})") });
            }
            let indent = &line[..line.len() - line.trim_start().len()];
            out.push_str(&format!("{indent}// Exercise `{name}`: yours to write, in place of the `todo!()`.\n"));
            out.push_str(&format!("{indent}todo!(\"exercise `{name}`\")\n"));
            names.push(name.to_owned());
            open = Some((i + 1, name.to_owned()));
            continue;
        }
        if let Some(name) = trimmed.strip_prefix("// ANCHOR_END: exercise_") {
            match &open {
                Some((_, open_name)) if open_name == name => {}
                _ => return Err(MarkerError { line: i + 1, message: format!("`ANCHOR_END: exercise_{name}` without its start") }),
            }
            // the region must be a whole function body, so that `todo!()` has the function's type
            let next = lines[i + 1..].iter().map(|l| l.trim()).find(|l| !l.is_empty());
            if next != Some("}") {
                return Err(MarkerError { line: i + 1, message: format!("exercise `{name}` must end where its function ends (`}}` next)") });
            }
            open = None;
            continue;
        }
        if open.is_some() {
            continue; // the solution, left out
        }
        out.push_str(&rewrite_crate_paths(line, solution_crate, own_modules));
        out.push('\n');
    }
    if let Some((at, name)) = open {
        return Err(MarkerError { line: at, message: format!("exercise `{name}` is never closed") });
    }
    Ok((out, names))
}

/// `crate::kernels::f` -> `performance::kernels::f` when `kernels` is not one of the exercise's own modules.
fn rewrite_crate_paths(line: &str, solution_crate: &str, own_modules: &[&str]) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        let before = &rest[..at];
        let after = &rest[at + "crate::".len()..];
        let module = after.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or("");
        // `crate::` preceded by an identifier character is part of a longer path (`$crate::`, `my_crate::`)
        let standalone = !before.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$');
        out.push_str(before);
        if standalone && !own_modules.contains(&module) {
            out.push_str(&format!("{solution_crate}::"));
        } else {
            out.push_str("crate::");
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// In an integration test: `dataframes::preprocessing_pipeline` -> `lab_1_2_2_exercise::preprocessing_pipeline`
/// for the exercise's own modules; other paths into the solution crate (its data sets, say) stay.
fn rewrite_module_paths(source: &str, solution_crate: &str, exercise_crate: &str, own_modules: &[&str]) -> String {
    let mut out = source.to_owned();
    for module in own_modules {
        let from = format!("{}::{module}", solution_crate.replace('-', "_"));
        let mut rewritten = String::new();
        let to = format!("{exercise_crate}::{module}");
        let mut rest = out.as_str();
        while let Some(at) = rest.find(&from) {
            let (before, after) = (&rest[..at], &rest[at + from.len()..]);
            // whole path segments only: not `my_dataframes::...` nor `dataframes::preprocessing_pipeline_v2`
            let whole = !before.ends_with(|c: char| c.is_alphanumeric() || c == '_') && !after.starts_with(|c: char| c.is_alphanumeric() || c == '_');
            rewritten.push_str(before);
            rewritten.push_str(if whole { &to } else { &from });
            rest = after;
        }
        rewritten.push_str(rest);
        out = rewritten;
    }
    out
}

const HEADER: &str = "Generated by `cargo xtask exercises` from the solution; edit the solution and regenerate.";

/// Every file of one lab's exercise crate: (path relative to the workspace root, contents).
pub fn files(root: &Path, lab: &Lab) -> Result<Vec<(PathBuf, String)>, String> {
    let solution = root.join("code").join(lab.solution_crate);
    let dir = lab.dir();
    let mut files = Vec::new();
    let mut all_names = Vec::new();
    for module in lab.modules {
        let path = solution.join("src").join(format!("{module}.rs"));
        let source = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let (text, names) = starter(&source, lab.solution_crate, lab.modules)
            .map_err(|e| format!("{}:{}: {}", path.display(), e.line, e.message))?;
        if names.is_empty() {
            return Err(format!("{} has no `// ANCHOR: exercise_...` regions", path.display()));
        }
        all_names.extend(names);
        files.push((dir.join("src").join(format!("{module}.rs")), format!("// {HEADER}\n// Solution: code/{}/src/{module}.rs\n{text}", lab.solution_crate)));
    }
    for test in lab.tests {
        let path = solution.join("tests").join(format!("{test}.rs"));
        let source = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let text = rewrite_module_paths(&source, lab.solution_crate, &lab.package.replace('-', "_"), lab.modules);
        files.push((dir.join("tests").join(format!("{test}.rs")), format!("// {HEADER}\n// Solution: code/{}/tests/{test}.rs\n{text}", lab.solution_crate)));
    }
    let mods: String = lab.modules.iter().map(|m| format!("pub mod {m};\n")).collect();
    files.push((
        dir.join("src/lib.rs"),
        format!(
            "//! {title}, the exercises. {HEADER}\n//!\n//! Fill in every `todo!()` ({names}), then `cargo test -p {package}` passes.\n\
             //! {page}; the solution is `code/{sol}`.\n\
             //! To start again: `cargo xtask exercises reset {id}`.\n\
             #![allow(unused)] // until the `todo!()`s are filled in, some imports and helpers are unused\n\n{mods}",
            id = lab.id,
            title = lab.title(),
            names = all_names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "),
            package = lab.package,
            page = match lab.page.strip_suffix("/index.md") {
                // a chapter's exercises: one at the end of each topic page
                Some(chapter) if !lab.is_lab() && lab.id != "primer" => format!("Each topic page of `{chapter}/` ends with one of them, with a hint"),
                _ => format!("The page `{}` explains each step and has hints", lab.page),
            },
            sol = lab.solution_crate,
        ),
    ));
    files.push((dir.join("Cargo.toml"), manifest(&solution, lab)?));
    Ok(files)
}

/// The exercise's manifest: the solution crate's dependencies (it uses its other modules), minus skeptic.
fn manifest(solution: &Path, lab: &Lab) -> Result<String, String> {
    let path = solution.join("Cargo.toml");
    let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let section = |name: &str| -> String {
        let start = text.find(&format!("\n[{name}]\n")).map(|i| i + name.len() + 4);
        let Some(start) = start else { return String::new() };
        let body = &text[start..];
        let end = body.find("\n[").map_or(body.len(), |i| i + 1);
        // a path dependency of code/<crate> (`../dataframes`) seen from exercises/<lab> is `../../code/dataframes`
        let rebase = |l: &str| l.replace("path = \"../", "path = \"../../code/");
        body[..end].lines().filter(|l| !l.trim().is_empty() && !l.starts_with("skeptic")).map(|l| format!("{}\n", rebase(l))).collect()
    };
    Ok(format!(
        "# {HEADER}\n[package]\nname = \"{package}\"\nversion = \"0.1.0\"\ndescription = \"{title}'s exercises: the solution's code with the learner's parts left as todo!().\"\n\
         edition.workspace = true\nrust-version.workspace = true\nlicense.workspace = true\npublish.workspace = true\n\n\
         [dependencies]\n{sol} = {{ path = \"../../code/{sol}\" }}\n{deps}\n[dev-dependencies]\n{dev}",
        package = lab.package,
        title = lab.title(),
        sol = lab.solution_crate,
        deps = section("dependencies"),
        dev = section("dev-dependencies"),
    ))
}

/// The exercises of a lab, sorted.
pub fn names(root: &Path, lab: &Lab) -> Result<Vec<String>, String> {
    let mut all = Vec::new();
    for module in lab.modules {
        let path = root.join("code").join(lab.solution_crate).join("src").join(format!("{module}.rs"));
        let source = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        all.extend(starter(&source, lab.solution_crate, lab.modules).map_err(|e| e.message)?.1);
    }
    all.sort();
    Ok(all)
}

/// Files whose contents on disk differ from what the solutions generate.
pub fn stale(root: &Path, lab: &Lab) -> Result<Vec<PathBuf>, String> {
    Ok(files(root, lab)?
        .into_iter()
        .filter(|(path, text)| fs::read_to_string(root.join(path)).ok().as_deref() != Some(text.as_str()))
        .map(|(path, _)| path)
        .collect())
}

/// Writes a lab's exercise crate. Without `force`, refuses to overwrite a file that differs from what was
/// generated before (a learner's work): that file is listed instead.
pub fn write(root: &Path, lab: &Lab, force: bool) -> Result<(), String> {
    for (path, text) in files(root, lab)? {
        let full = root.join(&path);
        if let Some(dir) = full.parent() {
            fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        if fs::read_to_string(&full).ok().as_deref() == Some(text.as_str()) {
            continue; // already the starter code
        }
        if !force && full.exists() && is_edited(root, &path)? {
            return Err(format!(
                "{} has changes that are not committed (your work?): keeping it. `cargo xtask exercises reset {}` overwrites it.",
                path.display(),
                lab.id
            ));
        }
        fs::write(&full, text).map_err(|e| format!("{}: {e}", full.display()))?;
    }
    Ok(())
}

/// Whether git shows uncommitted changes to a file (an untracked file counts as not edited: it was generated).
fn is_edited(root: &Path, path: &Path) -> Result<bool, String> {
    let out = std::process::Command::new("git")
        .current_dir(root)
        .args(["diff", "--quiet", "HEAD", "--"])
        .arg(path)
        .status()
        .map_err(|e| format!("git: {e}"))?;
    Ok(out.code() == Some(1))
}

/// From `cargo test --no-run --message-format=json` output: (package name, test executable) of every test
/// binary built. The fields are read as plain strings, since xtask has no dependencies; cargo writes paths and
/// ids without escapes that matter here.
pub fn test_binaries(json: &str) -> Vec<(String, PathBuf)> {
    let field = |line: &str, key: &str| -> Option<String> {
        let start = line.find(&format!("\"{key}\":\""))? + key.len() + 4;
        Some(line[start..start + line[start..].find('"')?].to_owned())
    };
    json.lines()
        .filter(|l| l.contains("\"reason\":\"compiler-artifact\"") && l.contains("\"test\":true"))
        .filter_map(|l| {
            let exe = field(l, "executable")?;
            // package ids: `path+file:///w/exercises/lab-1-2-2#lab-1-2-2-exercise@0.1.0`, or without the name
            // when it is the folder's: `path+file:///w/code/arrays#0.1.0`
            let id = field(l, "package_id")?;
            let (url, fragment) = id.rsplit_once('#')?;
            let name = match fragment.split_once('@') {
                Some((name, _)) => name,
                None => url.rsplit('/').next()?,
            }
            .to_owned();
            Some((name, PathBuf::from(exe)))
        })
        .collect()
}

/// Reads `cargo test` output of the starter code: how many tests failed (libtest's closing `failures:` list),
/// every panic message that is not an exercise's `todo!()` (a panic in a rayon worker is printed outside the
/// test's captured section, so all panics of the output are read, not only the sections), and the exercises
/// whose `todo!()` was reached.
pub fn unexpected_failures(output: &str) -> (usize, Vec<String>, Vec<String>) {
    // each test binary prints its own closing list: "failures:", the failed tests indented, a blank line,
    // "test result"; the sections of captured output also start with "failures:" but are not indented
    let mut failures = 0;
    for block in output.split("\nfailures:\n").skip(1) {
        let list: Vec<&str> = block.lines().take_while(|l| !l.is_empty()).collect();
        let closing = block.lines().nth(list.len() + 1).is_some_and(|l| l.starts_with("test result"));
        if closing && list.iter().all(|l| l.starts_with("    ")) {
            failures += list.len();
        }
    }
    let mut other = Vec::new();
    let mut seen = Vec::new();
    let lines: Vec<&str> = output.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if !line.contains(" panicked at ") {
            continue;
        }
        let message = lines.get(i + 1).copied().unwrap_or("");
        match message.find("not yet implemented: exercise `") {
            Some(at) => {
                let rest = &message[at + "not yet implemented: exercise `".len()..];
                if let Some(end) = rest.find('`') {
                    seen.push(rest[..end].to_owned());
                }
            }
            None => other.push(message.trim().to_owned()),
        }
    }
    seen.sort();
    seen.dedup();
    other.sort();
    other.dedup();
    (failures, other, seen)
}

/// The exercises for which `cargo test -p <package> <name>` would run nothing: no test's full name (module
/// path included) in a test binary's `--list --format=terse` output holds the name.
pub fn without_a_test_named(listed: &str, names: &[String]) -> Vec<String> {
    let tests: Vec<&str> = listed.lines().filter_map(|l| l.strip_suffix(": test")).collect();
    names.iter().filter(|n| !tests.iter().any(|t| t.contains(n.as_str()))).cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exercise_needs_a_test_its_name_selects() {
        let listed = "outer::tests::outer_zip_matches_loops: test\nbatch::tests::broadcast_sum::odd_shapes: test\nbench_x: benchmark\n";
        let names = ["outer_zip", "broadcast_sum", "validate", "bench_x"].map(String::from);
        assert_eq!(without_a_test_named(listed, &names), ["validate", "bench_x"]);
    }

    const SOLUTION: &str = "use crate::kernels::fast;\nuse crate::knn::Own;\n\n/// Doubles.\npub fn double(x: f64) -> f64 {\n    // ANCHOR: exercise_double\n    let y = x * 2.0;\n    y\n    // ANCHOR_END: exercise_double\n}\n\nfn given() -> u8 {\n    1\n}\n";

    #[test]
    fn marked_bodies_become_todo_and_the_rest_is_kept() {
        let (text, names) = starter(SOLUTION, "performance", &["knn"]).unwrap();
        assert_eq!(names, ["double"]);
        assert!(text.contains("    todo!(\"exercise `double`\")\n}"), "{text}");
        assert!(!text.contains("x * 2.0"));
        assert!(text.contains("fn given() -> u8 {\n    1\n}"));
        assert!(text.contains("use performance::kernels::fast;"), "another module of the solution crate");
        assert!(text.contains("use crate::knn::Own;"), "the exercise's own module");
    }

    #[test]
    fn badly_marked_regions_are_errors() {
        let unclosed = "fn f() {\n    // ANCHOR: exercise_a\n    1\n}\n";
        assert_eq!(starter(unclosed, "p", &[]).unwrap_err().message, "exercise `a` is never closed");
        let not_a_body = "fn f() {\n    // ANCHOR: exercise_a\n    let x = 1;\n    // ANCHOR_END: exercise_a\n    x\n}\n";
        assert!(starter(not_a_body, "p", &[]).unwrap_err().message.contains("must end where its function ends"));
        let stray = "// ANCHOR_END: exercise_b\n";
        assert!(starter(stray, "p", &[]).unwrap_err().message.contains("without its start"));
        let nested = "fn f() {\n    // ANCHOR: exercise_a\n    // ANCHOR: exercise_b\n";
        assert!(starter(nested, "p", &[]).unwrap_err().message.contains("starts inside"));
    }

    #[test]
    fn only_standalone_crate_paths_are_rewritten() {
        assert_eq!(rewrite_crate_paths("$crate::x; my_crate::y; crate::z::w", "p", &[]), "$crate::x; my_crate::y; p::z::w");
    }

    #[test]
    fn integration_tests_point_at_the_exercise_modules_only() {
        let test = "use dataframes::datasets::penguins;\nuse dataframes::preprocessing_pipeline::*;\nlet x = my_dataframes::preprocessing_pipeline::f;\nuse dataframes::preprocessing_pipeline_v2;\n";
        let out = rewrite_module_paths(test, "dataframes", "lab_1_2_2_exercise", &["preprocessing_pipeline"]);
        assert_eq!(out, "use dataframes::datasets::penguins;\nuse lab_1_2_2_exercise::preprocessing_pipeline::*;\nlet x = my_dataframes::preprocessing_pipeline::f;\nuse dataframes::preprocessing_pipeline_v2;\n");
    }

    #[test]
    fn test_binaries_are_read_from_cargo_json() {
        let json = concat!(
            r#"{"reason":"compiler-artifact","package_id":"path+file:///w/exercises/lab-1-2-2#lab-1-2-2-exercise@0.1.0","target":{"kind":["lib"]},"profile":{"opt_level":"0","test":true},"executable":"/w/target/debug/deps/lab_1_2_2_exercise-ab"}"#,
            "\n",
            r#"{"reason":"compiler-artifact","package_id":"path+file:///w/exercises/lab-1-2-2#lab-1-2-2-exercise@0.1.0","target":{"kind":["lib"]},"profile":{"opt_level":"0","test":false},"executable":null}"#,
            "\n",
            r#"{"reason":"compiler-artifact","package_id":"registry+https://github.com/rust-lang/crates.io-index#polars@0.55.2","profile":{"test":false},"executable":null}"#,
            "\n",
            r#"{"reason":"compiler-artifact","package_id":"path+file:///w/code/arrays#0.1.0","profile":{"test":true},"executable":"/w/target/debug/deps/arrays-cd"}"#,
            "\n",
            r#"{"reason":"build-finished","success":true}"#,
        );
        let found = test_binaries(json);
        assert_eq!(found[0], ("lab-1-2-2-exercise".to_string(), PathBuf::from("/w/target/debug/deps/lab_1_2_2_exercise-ab")));
        assert_eq!(found[1], ("arrays".to_string(), PathBuf::from("/w/target/debug/deps/arrays-cd")));
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn failures_of_every_test_binary_are_counted() {
        let binary = |name: &str| format!("running 1 test\n\nfailures:\n\n---- {name} stdout ----\n\nthread '{name}' panicked at src/a.rs:1:1:\nnot yet implemented: exercise `a`\n    indented captured line\n\nfailures:\n    {name}\n\ntest result: FAILED. 0 passed; 1 failed\n");
        let output = format!("{}{}", binary("unit"), binary("integration"));
        assert_eq!(unexpected_failures(&output).0, 2);
    }

    #[test]
    fn test_output_is_read_for_todo_failures() {
        let output = "running 3 tests\nthread '<unnamed>' (7) panicked at src/attention.rs:300:5:\nnot yet implemented: exercise `fused_head`\n\nfailures:\n\n---- a::one stdout ----\n\nthread 'a::one' panicked at src/knn.rs:9:5:\nnot yet implemented: exercise `select`\n\n---- a::two stdout ----\n\nthread 'a::two' panicked at src/knn.rs:12:5:\nassertion failed: x\n\nfailures:\n    a::one\n    a::two\n    a::three\n\ntest result: FAILED. 0 passed; 3 failed\n";
        let (failures, other, seen) = unexpected_failures(output);
        assert_eq!(failures, 3, "the closing list counts tests whose panic was not captured too");
        assert_eq!(other, ["assertion failed: x"]);
        assert_eq!(seen, ["fused_head", "select"], "a panic printed outside any section counts");
    }
}
