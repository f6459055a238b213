//! `cargo xtask <command>`: the project's own tooling.
//!
//! - `serve [PORT]`: install the pinned book tools if needed, fetch KaTeX's CSS and fonts, build, serve on localhost.
//! - `test`: every test of the workspace, the snippet-coverage check, and a full book build with link checking.
//! - `book`: build the book (HTML and link check) and check its output for leftovers and external resources.
//! - `site-test`: the browser test alone, on the book `book` last built.
//! - `snippets`: the snippet-coverage check alone.
//! - `figures`: regenerate everything in `figures/` (release mode).
//! - `out-of-core`: the out-of-core page's measurements alone (10 to 100 million rows; data under `target/`).
//! - `python-vs-rust`: run the labs' Python and Rust versions alternately and write the cross-language tables.
//! - `exercises [reset LAB | check]`: write the lab exercise crates under `exercises/` from the solutions; reset
//!   one to its starter code; or check them as the test command does.
//! - `tools`: install the pinned book tools only.

mod budget;
mod copying;
mod exercises;
mod machine;
mod outputs;
/// The numbers of printed text, shared with the crates' tests (one source, no dependency on course-utils).
#[path = "../../course-utils/src/printed.rs"]
#[allow(dead_code)] // python_tab is for the crates' tests
mod printed;
mod python;
mod quizzes;
mod rebuilds;
mod runner;
mod serve;
mod snippets;

use std::collections::BTreeSet;
use std::env;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

/// The tools, pinned, as (crate, binary, version): the book's, the spell checker, and cargo-hakari (it keeps
/// code/workspace-hack, through which every member shares one set of dependency features).
/// `cargo install --locked` builds each with its own lock file.
const TOOLS: [(&str, &str, &str); 5] = [
    ("mdbook", "mdbook", "0.5.4"),
    ("mdbook-katex", "mdbook-katex", "0.10.0"),
    ("mdbook-linkcheck2", "mdbook-linkcheck2", "0.13.0"),
    ("typos-cli", "typos", "1.52.0"),
    ("cargo-hakari", "cargo-hakari", "0.9.39"),
];

/// The KaTeX version whose JavaScript mdbook-katex 0.10.0 embeds (the `katex` crate 0.4.6, file KATEX-VERSION):
/// its stylesheet must match the HTML that version renders. Integrity as published on the npm registry.
const KATEX_VERSION: &str = "0.16.4";
const KATEX_INTEGRITY: &str = "sha512-WudRKUj8yyBeVDI4aYMNxhx5Vhh2PjpzQw1GRu/LVGqL4m1AxwD1GcUp0IMbdJaf5zsjtj8ghP0DOQRYhroNkw==";

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let root = workspace_root();
    let outcome = match args.first().map(String::as_str) {
        Some("serve") => serve(&root, args.get(1).map_or("3000", String::as_str)),
        Some("test") => test(&root),
        Some("book") => book(&root).map(|_| ()),
        Some("site-test") => site_test(&root), // the browser test alone, of the book last built
        Some("snippets") => snippet_check(&root),
        Some("copy-check") => copy_check(&root).and_then(|_| copy_build(&root)),
        Some("copy-build") => copy_build(&root),
        Some("runner-bench") => runner_bench(&root),
        Some("machine") => machine_command(&root),
        Some("out-of-core") => out_of_core(&root),
        Some("figures") => figures(&root),
        Some("budget") if args.get(1).map(String::as_str) == Some("--sections") => budget_sections(&root),
        Some("budget") => budget_command(&root),
        Some("quizzes") => quizzes_command(&root),
        Some("outputs") => outputs_command(&root, true).and_then(|()| python_command(&root, true)),
        // the Python tabs alone: run and checked, or with --write their outputs written (no Rust build needed)
        Some("python-tabs") => python_command(&root, args.get(1).map(String::as_str) == Some("--write")),
        Some("python-vs-rust") => python_vs_rust(&root, args.get(1).map(String::as_str)),
        Some("tools") => tools(&root).map(|_| ()),
        Some("exercises") => exercises_command(&root, args.get(1).map(String::as_str), args.get(2).map(String::as_str)),
        _ => Err("usage: cargo xtask <serve [PORT] | test | book | snippets | figures | out-of-core | budget | quizzes | outputs | python-vs-rust [LAB] | exercises [reset LAB] | tools>".into()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    snippets::normalize(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
}

fn step(title: &str) {
    println!("\n==> {title}");
}

/// Runs a command, failing with its name if it fails.
fn run(cmd: &mut Command) -> Result {
    let shown = format!("{cmd:?}");
    let status = cmd.status().map_err(|e| format!("could not start {shown}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{shown} failed ({status})")) }
}

/// The version a tool prints, if it runs.
fn tool_version(binary: &Path) -> Option<String> {
    let out = Command::new(binary).arg("--version").output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn has_version(printed: &str, version: &str) -> bool {
    printed.split_whitespace().any(|w| w.trim_start_matches('v') == version)
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    env::split_paths(&env::var_os("PATH")?).map(|d| d.join(name)).find(|p| p.is_file())
}

/// Makes sure the pinned book tools are available. Returns a PATH on which `mdbook` finds the right ones:
/// the project's `.tools/bin` (where missing or stale tools are installed) first, then the usual PATH.
fn tools(root: &Path) -> Result<OsString> {
    let local_bin = root.join(".tools/bin");
    for (krate, name, version) in TOOLS {
        let local = local_bin.join(name);
        // A tool in .tools/bin shadows PATH, so a stale one there is reinstalled rather than skipped.
        let usable = if local.exists() {
            tool_version(&local).is_some_and(|v| has_version(&v, version))
        } else {
            find_on_path(name).and_then(|p| tool_version(&p)).is_some_and(|v| has_version(&v, version))
        };
        if usable {
            continue;
        }
        step(&format!("installing {krate} {version} into .tools/ (cargo install --locked; a few minutes)"));
        run(cargo_command()
            .args(["install", "--locked", "--quiet", krate, "--version", &format!("={version}"), "--root"])
            .arg(root.join(".tools")))?;
    }
    let mut paths = vec![local_bin];
    paths.extend(env::split_paths(&env::var_os("PATH").unwrap_or_default()));
    env::join_paths(paths).map_err(|e| e.to_string())
}

/// Fetches KaTeX's stylesheet and fonts from its npm package into `src/katex/` (git-ignored), once.
fn katex_assets(root: &Path) -> Result {
    let dest = root.join("src/katex");
    let stamp = format!("katex {KATEX_VERSION} {KATEX_INTEGRITY}\n");
    if fs::read_to_string(dest.join("VERSION")).is_ok_and(|s| s == stamp) {
        return Ok(());
    }
    step(&format!("fetching KaTeX {KATEX_VERSION} stylesheet and fonts from the npm registry"));
    let tmp = root.join("target/katex-download");
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(&tmp).map_err(|e| e.to_string())?;
    let out = Command::new("npm")
        .args(["pack", "--json", "--pack-destination"])
        .arg(&tmp)
        .arg(format!("katex@{KATEX_VERSION}"))
        .output()
        .map_err(|e| format!("could not run npm (needed once, to fetch KaTeX's CSS and fonts): {e}"))?;
    if !out.status.success() {
        return Err(format!("npm pack katex@{KATEX_VERSION} failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    // npm checks the download against the registry's integrity; we check the registry's answer against our pin.
    let json = String::from_utf8_lossy(&out.stdout);
    if !json.contains(KATEX_INTEGRITY) {
        return Err(format!("katex@{KATEX_VERSION} from npm does not have the pinned integrity {KATEX_INTEGRITY}"));
    }
    let tarball = tmp.join(format!("katex-{KATEX_VERSION}.tgz"));
    run(Command::new("tar").arg("-xzf").arg(&tarball).arg("-C").arg(&tmp))?;
    let dist = tmp.join("package/dist");
    let _ = fs::remove_dir_all(&dest);
    fs::create_dir_all(dest.join("fonts")).map_err(|e| e.to_string())?;
    let copy = |from: &Path, to: &Path| fs::copy(from, to).map(|_| ()).map_err(|e| format!("{}: {e}", from.display()));
    copy(&dist.join("katex.min.css"), &dest.join("katex.min.css"))?;
    copy(&tmp.join("package/LICENSE"), &dest.join("LICENSE"))?;
    for font in fs::read_dir(dist.join("fonts")).map_err(|e| e.to_string())? {
        let font = font.map_err(|e| e.to_string())?.path();
        copy(&font, &dest.join("fonts").join(font.file_name().unwrap()))?;
    }
    fs::write(dest.join("VERSION"), stamp).map_err(|e| e.to_string())?;
    let _ = fs::remove_dir_all(&tmp);
    Ok(())
}

/// Builds the book (HTML, then the link check) and checks the HTML. Returns the HTML folder.
fn book(root: &Path) -> Result<PathBuf> {
    let path = tools(root)?;
    katex_assets(root)?;
    step("building the book (mdbook build: HTML, KaTeX, link check)");
    let out = Command::new("mdbook")
        .arg("build")
        .arg(root)
        .env("PATH", &path)
        .env("NO_COLOR", "1")
        .output()
        .map_err(|e| format!("could not run mdbook: {e}"))?;
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    print!("{log}");
    if !out.status.success() {
        return Err("mdbook build failed".into());
    }
    // mdbook reports a missing include as an ERROR line but still succeeds: that must fail here. One warning is
    // expected: mdbook-katex 0.10.0 was built against mdbook 0.5.3 and says so when run by 0.5.4.
    let expected = |l: &str| l.contains("mdbook-katex was built against mdbook v0.5.3");
    if let Some(line) = log.lines().find(|l| (l.contains("ERROR") || l.contains("WARN")) && !expected(l)) {
        return Err(format!("mdbook build reported a problem: {line}"));
    }
    let html = root.join("book/html");
    check_html(&html)?;
    Ok(html)
}

/// Checks the built HTML: no unexpanded directive or raw display math, no resource loaded from another host.
fn check_html(html: &Path) -> Result {
    let mut pages = Vec::new();
    collect(html, "html", &mut pages).map_err(|e| e.to_string())?;
    if !html.join("katex/katex.min.css").is_file() {
        return Err("book/html/katex/katex.min.css is missing".into());
    }
    let mut problems = Vec::new();
    for page in &pages {
        let text = fs::read_to_string(page).map_err(|e| e.to_string())?;
        let name = page.strip_prefix(html).unwrap_or(page).display();
        if text.contains("{{#") {
            problems.push(format!("{name}: an unexpanded {{{{#...}}}} directive"));
        }
        if text.contains("$$") {
            problems.push(format!("{name}: raw $$ (math that KaTeX did not render)"));
        }
        for tag in ["<script", "<link", "<img", "<iframe", "<source", "<video", "<audio"] {
            for (i, _) in text.match_indices(tag) {
                let element = &text[i..text[i..].find('>').map_or(text.len(), |e| i + e)];
                // links to other sites (<a href>) are fine; loading a resource from one is not: the book reads offline
                if element.contains("src=\"http") || (tag == "<link" && element.contains("href=\"http")) || element.contains("//cdn") {
                    problems.push(format!("{name}: loads an external resource: {element}>"));
                }
            }
        }
    }
    if problems.is_empty() {
        println!("book: {} HTML pages checked: no leftovers, no external resources", pages.len());
        Ok(())
    } else {
        Err(format!("the built book has problems:\n  {}", problems.join("\n  ")))
    }
}

fn collect(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, ext, out)?;
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
    Ok(())
}

fn snippet_check(root: &Path) -> Result {
    step("checking that every rust block in src/ is tested");
    let coverage = snippets::check(&root.join("src"), &root.join("code")).map_err(|e| e.to_string())?;
    println!("{coverage}");
    if coverage.problems.is_empty() {
        Ok(())
    } else {
        Err(format!("untested snippets or broken includes:\n  {}", coverage.problems.join("\n  ")))
    }
}

fn cargo(root: &Path, args: &[&str]) -> Result {
    run(cargo_command().current_dir(root).args(args))
}

/// The cargo that runs this xtask, without the variables cargo set for the xtask package itself
/// (`CARGO_MANIFEST_DIR`, `CARGO_PKG_*`, ...). A child cargo would hand them on to build scripts, and those
/// that watch one (ring's watches `CARGO_MANIFEST_DIR`) would rebuild, with everything above them (rustls,
/// polars: 12-15 minutes), at every switch between `cargo xtask ...` and a plain `cargo build`.
fn cargo_command() -> Command {
    cargo_command_without(env::vars_os().map(|(key, _)| key))
}

/// A generator run by `cargo xtask figures`, with the same clean environment: some generators run cargo
/// themselves (the study pages' memory table builds each lab), and would otherwise rebuild polars.
fn generator(program: impl AsRef<std::ffi::OsStr>) -> Command {
    without_package_variables(Command::new(program), env::vars_os().map(|(key, _)| key))
}

/// A cargo command that removes, of the variables named, those cargo set per package.
fn cargo_command_without(variables: impl Iterator<Item = OsString>) -> Command {
    without_package_variables(Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into())), variables)
}

/// `cmd`, removing from its environment those of the variables named that cargo set per package.
fn without_package_variables(mut cmd: Command, variables: impl Iterator<Item = OsString>) -> Command {
    for key in variables {
        if key.to_str().is_some_and(is_per_package_variable) {
            cmd.env_remove(&key);
        }
    }
    cmd
}

/// The variables cargo sets for the one package it runs or builds (see "Environment variables Cargo sets for
/// crates"), as opposed to the settings a user gives every build (`CARGO_HOME`, `CARGO_TARGET_DIR`, ...).
fn is_per_package_variable(key: &str) -> bool {
    ["CARGO_PKG_", "CARGO_MANIFEST_", "CARGO_BIN_", "CARGO_CFG_"].iter().any(|p| key.starts_with(p))
        || ["CARGO_CRATE_NAME", "CARGO_PRIMARY_PACKAGE", "CARGO_RUSTC_CURRENT_DIR", "CARGO_TARGET_TMPDIR", "OUT_DIR"].contains(&key)
}

fn test(root: &Path) -> Result {
    let start = Instant::now();
    let mut timings = Vec::new();
    let mut timed = |name: &str, f: &mut dyn FnMut() -> Result| -> Result {
        let t = Instant::now();
        f()?;
        timings.push(format!("{name}: {:.0} s", t.elapsed().as_secs_f64()));
        Ok(())
    };
    timed("cargo test (all targets)", &mut || {
        step("cargo test --workspace --all-targets (unit, integration and skeptic tests; benches in test mode)");
        let mut args = vec!["test", "--workspace", "--all-targets", "--locked"];
        for lab in &exercises::LABS {
            args.extend(["--exclude", lab.package]); // their tests fail on purpose: checked below
        }
        cargo(root, &args)
    })?;
    timed("exercises", &mut || exercises_check(root))?;
    timed("blas-compare tests", &mut || {
        if !has_openblas() {
            if env::var("CI").is_ok_and(|v| v == "true") {
                return Err("CI needs OpenBLAS for code/blas-compare: .ci/run installs libopenblas-dev".into());
            }
            println!("\nskipped code/blas-compare: OpenBLAS is not installed (apt-get install libopenblas-dev)");
            return Ok(());
        }
        step("cargo test for code/blas-compare (ndarray on OpenBLAS, its own workspace)");
        cargo(root, &["test", "--locked", "--manifest-path", "code/blas-compare/Cargo.toml"])
    })?;
    timed("workspace-hack", &mut || workspace_hack_check(root))?;
    timed("doc tests", &mut || {
        step("cargo test --workspace --doc");
        cargo(root, &["test", "--workspace", "--doc", "--locked"])
    })?;
    timed("snippet coverage", &mut || snippet_check(root))?;
    timed("quizzes", &mut || quizzes_check(root))?;
    timed("time budget", &mut || budget_check(root))?;
    timed("shown outputs", &mut || outputs_command(root, false))?;
    timed("Python listings", &mut || python_command(root, false))?;
    timed("copy check", &mut || copy_check(root))?;
    timed("copied listings", &mut || copy_build(root))?;
    timed("spell check", &mut || spell_check(root))?;
    timed("book", &mut || book(root).map(|_| ()))?;
    timed("browser test", &mut || site_test(root))?;
    println!("\nall checks passed in {:.0} s ({})", start.elapsed().as_secs_f64(), timings.join(", "));
    Ok(())
}

/// code/workspace-hack is what `cargo hakari generate` writes today, every member depends on it, and it
/// unifies the features: so `cargo run -p <crate>` after a workspace build compiles no dependency again.
fn workspace_hack_check(root: &Path) -> Result {
    let path = tools(root)?;
    step("cargo hakari: code/workspace-hack up to date, a dependency of every member, and unifying features");
    for args in [&["hakari", "generate", "--diff"][..], &["hakari", "manage-deps", "--dry-run"], &["hakari", "verify"]] {
        let out = cargo_command().current_dir(root).args(args).args(["--color", "never"]).env("PATH", &path).output().map_err(|e| e.to_string())?;
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        // manage-deps --dry-run succeeds whether or not it would change anything: read what it says
        let stale = args[1] == "manage-deps" && !text.contains("no operations to perform");
        if !out.status.success() || stale {
            return Err(format!("cargo {} says code/workspace-hack is out of date (run `cargo hakari generate && cargo hakari manage-deps`):\n{text}", args.join(" ")));
        }
    }
    println!("workspace-hack: current, depended on by every member, features unified");
    Ok(())
}

/// `cargo xtask exercises`: (re)writes every lab's exercise crate, keeping files a learner has changed;
/// `cargo xtask exercises reset 1.2.5`: overwrites that lab's exercise with the starter code.
fn exercises_command(root: &Path, verb: Option<&str>, lab: Option<&str>) -> Result {
    match (verb, lab) {
        (None, _) => {
            for lab in &exercises::LABS {
                exercises::write(root, lab, false)?;
                println!("wrote {}", lab.dir().display());
            }
            Ok(())
        }
        (Some("reset"), Some(id)) => {
            let lab = exercises::LABS.iter().find(|l| l.id == id).ok_or(format!("no exercises for lab {id}"))?;
            exercises::write(root, lab, true)?;
            println!("reset {} to the starter code", lab.dir().display());
            Ok(())
        }
        (Some("check"), _) => exercises_check(root),
        _ => Err("usage: cargo xtask exercises [reset LAB | check]".into()),
    }
}

/// The exercises match the solutions, and on the starter code their tests fail, every failure on a `todo!()`,
/// every exercise reached by some test. (The same tests pass on the solution: they run in the companion crate.)
fn exercises_check(root: &Path) -> Result {
    let ci = env::var("CI").is_ok_and(|v| v == "true");
    // Build every test binary of the exercises in one call over the whole workspace: cargo picks dependency
    // features for the packages it is given, and the whole workspace is what the main test run builds, so
    // polars is not compiled again with other features (a `cargo test -p <exercise>` would do that).
    step("cargo test --workspace --no-run (the exercises' test binaries, with the workspace's features)");
    let out = cargo_command()
        .current_dir(root)
        .args(["test", "--workspace", "--locked", "--no-run", "--message-format=json-render-diagnostics"])
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err("the exercises do not compile".into());
    }
    let binaries = exercises::test_binaries(&String::from_utf8_lossy(&out.stdout));
    for lab in &exercises::LABS {
        step(&format!("exercises of {}: in sync with the solution, failing on the starter code", lab.title()));
        let stale = exercises::stale(root, lab)?;
        if !stale.is_empty() {
            let list: Vec<String> = stale.iter().map(|p| p.display().to_string()).collect();
            if ci {
                return Err(format!("exercises out of date (run `cargo xtask exercises`): {}", list.join(", ")));
            }
            println!("{} differ from the generated starter (your work in progress?): not checked. `cargo xtask exercises reset {}` restores them.", list.join(", "), lab.id);
            continue;
        }
        let mine: Vec<&PathBuf> = binaries.iter().filter(|(package, _)| package == lab.package).map(|(_, exe)| exe).collect();
        if mine.is_empty() {
            return Err(format!("{}: no test binary was built", lab.package));
        }
        let (mut text, mut all_passed, mut listed) = (String::new(), true, String::new());
        for exe in &mine {
            let out = Command::new(exe).args(["--list", "--format=terse"]).output().map_err(|e| format!("{}: {e}", exe.display()))?;
            listed.push_str(&String::from_utf8_lossy(&out.stdout));
        }
        let names = exercises::names(root, lab)?;
        let unreachable = exercises::without_a_test_named(&listed, &names);
        if !unreachable.is_empty() {
            return Err(format!(
                "{}: `cargo test -p {} <name>` would run no test for {unreachable:?}: name a test (or its module) after each exercise",
                lab.package, lab.package
            ));
        }
        for exe in mine {
            // --nocapture: rayon's worker threads inherit the output capture of the test that first started
            // them, so a later test's panic in a worker would be lost; one test at a time and no backtraces
            // keep each panic message on the line after its "panicked at"
            let out = Command::new(exe)
                .current_dir(root.join(lab.dir()))
                .args(["--nocapture", "--test-threads=1"])
                .env("RUST_BACKTRACE", "0")
                .output()
                .map_err(|e| format!("{}: {e}", exe.display()))?;
            text.push_str(&format!("{}\n{}\n", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)));
            all_passed &= out.status.success();
        }
        if all_passed {
            return Err(format!("{}: the tests pass on the starter code, so they check nothing", lab.package));
        }
        let (failures, other, seen) = exercises::unexpected_failures(&text);
        if failures == 0 {
            return Err(format!("{}: cargo test failed without a failing test (does it compile?):\n{text}", lab.package));
        }
        if !other.is_empty() {
            return Err(format!("{}: tests failing for another reason than a todo!(): {}", lab.package, other.join("; ")));
        }
        if seen != names {
            return Err(format!("{}: exercises no test reaches: want {names:?}, reached {seen:?}", lab.package));
        }
        println!("{}: {failures} tests fail on the starter code, each on a todo!(); every exercise ({}) is reached", lab.package, names.join(", "));
    }
    Ok(())
}

/// The prose of the book and README, checked by `typos` with the course's allow-list.
fn spell_check(root: &Path) -> Result {
    let path = tools(root)?;
    step("spell check of the prose (typos)");
    run(Command::new("typos")
        .current_dir(root)
        .args(["--config", "code/xtask/typos.toml", "src", "README.md"])
        .env("PATH", path))?;
    println!("spelling: no typos in src/ and README.md");
    Ok(())
}

/// The browser test of the built book: headless Chromium driven by playwright-core (code/site-test).
fn site_test(root: &Path) -> Result {
    let chromium = env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        if env::var("CI").is_ok_and(|v| v == "true") {
            return Err(format!("CI needs Chromium at {chromium} for the browser test: .ci/run installs it"));
        }
        println!("\nskipped the browser test: no Chromium at {chromium} (apt-get install chromium, or set CHROMIUM)");
        return Ok(());
    }
    let dir = root.join("code/site-test");
    if !dir.join("node_modules/playwright-core").is_dir() {
        step("installing the browser test's npm packages (npm ci)");
        run(Command::new("npm").current_dir(&dir).args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]))?;
    }
    // the book as `cargo xtask serve` serves it, with a ready runner, for the test that edits and runs a listing
    step("the runner for the browser test: the course's crates for rustc (already built by the tests above)");
    let queue = runner::Queue::new(runner::Toolchain::prepare(root)?);
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
    let access = serve::Access::new(port).map_err(|e| e.to_string())?;
    let state = std::sync::Arc::new(std::sync::Mutex::new(serve::State::Ready(std::sync::Arc::new(queue))));
    let html = root.join("book/html");
    std::thread::spawn(move || serve::serve(html, access, state, runner::Limits::default()));
    step("browser test of every page (headless Chromium; screenshots in target/screenshots)");
    run(Command::new("node")
        .current_dir(&dir)
        .arg("--test")
        .env("RUNNER_URL", format!("http://127.0.0.1:{port}/"))
        .env("BOOK_DIR", root.join("book/html"))
        .env("SCREENSHOT_DIR", root.join("target/screenshots"))
        .env("CHROMIUM", &chromium))
}

/// `cargo xtask serve [PORT]`: the book, built, on http://127.0.0.1:PORT, with the runner behind its Run
/// buttons (see `serve.rs`). The runner gets ready in the background: the first start compiles the workspace.
fn serve(root: &Path, port: &str) -> Result {
    let port: u16 = port.parse().map_err(|_| format!("not a port number: {port}"))?;
    let html = book(root)?;
    let access = serve::Access::new(port).map_err(|e| format!("a secret for the runner: {e}"))?;
    let state = std::sync::Arc::new(std::sync::Mutex::new(serve::State::Preparing));
    step("the runner: compiling the course's crates in the background (a minute or two the first time, seconds later)");
    serve::prepare_in_background(root.to_path_buf(), state.clone());
    step(&format!("serving the book on http://127.0.0.1:{port}/ (loopback only; Ctrl-C to stop)"));
    serve::serve(html, access, state, runner::Limits::default())
}

/// `cargo xtask runner-bench`: the time from Run to output for the listings of `serve::BENCH_LISTINGS`,
/// written to figures/study/runner.md with the machine stamp.
fn runner_bench(root: &Path) -> Result {
    step("runner benchmark: preparing the toolchain (cargo build --workspace)");
    let queue = runner::Queue::new(runner::Toolchain::prepare(root)?);
    let listings = all_listings(root)?;
    let limits = runner::Limits::default();
    let mut rows = Vec::new();
    for &(uses, marker) in serve::BENCH_LISTINGS {
        let listing = copying::holding(&listings, marker)?;
        let name = format!("[{page}](../{page}), line {}", listing.line, page = listing.page);
        let mut times = Vec::new();
        for i in 0..=serve::BENCH_RUNS {
            let start = Instant::now();
            let out = queue.run(&listing.program, &limits)?;
            if !out.compiled || out.status != Some(0) {
                return Err(format!("{name} did not run: {}{}", out.compile_stderr, out.stderr));
            }
            if i > 0 {
                times.push(start.elapsed());
            }
        }
        println!("{name} ({uses}): {:?}", times);
        rows.push((name, uses.to_owned(), times));
    }
    let text = serve::bench_table(&rows, &stamp_now()?);
    course_file(&root.join("figures/study/runner.md"), &text)?;
    println!("wrote figures/study/runner.md");
    Ok(())
}

/// "Measured on <CPU>, <n> cores, <os>, <rustc>, <date>.", as the generators write it (course_utils::machine).
fn stamp_now() -> Result<String> {
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo.lines().find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':')).map(|(_, v)| v.trim().to_owned()));
    let output = |cmd: &str, args: &[&str]| {
        Command::new(cmd).args(args).output().ok().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let rustc = output("rustc", &["--version"]).ok_or("rustc --version failed")?;
    let date = output("date", &["-u", "+%F"]).ok_or("date failed")?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let cpu = cpu.unwrap_or_else(|| format!("unknown {} CPU", env::consts::ARCH));
    Ok(format!("Measured on {cpu}, {cores} cores, {} {}, {rustc}, {date}.", env::consts::OS, env::consts::ARCH))
}

/// `cargo xtask figures`: every generated table and figure of the book, on this machine, in one run: each
/// companion crate's generator (the example `<crate>-figures`, release mode), the build-profile tables, the
/// ndarray-on-OpenBLAS table, the Python-vs-Rust tables, then `figures/machine.md` from the stamps. Says what
/// it skipped and why (no OpenBLAS, no Python), and fails if the tables are then a mix of machines.
fn figures(root: &Path) -> Result {
    let start = Instant::now();
    let out = root.join("figures");
    let mut crates: Vec<String> = fs::read_dir(root.join("code"))
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("examples/figures.rs").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != BLAS_CRATE)
        .collect();
    crates.sort();
    let bin = release_build(root)?;
    let mut skipped = Vec::new();
    let steps = crates.len() + 8;
    let mut n = 0;
    let mut progress = |what: &str| {
        n += 1;
        step(&format!("[{n}/{steps}] {what} ({:.0} s so far)", start.elapsed().as_secs_f64()));
    };
    for name in &crates {
        progress(&format!("figures of {name}"));
        run(generator(bin.join("examples").join(format!("{name}-figures"))).current_dir(root).arg(&out))?;
    }
    progress("figures of performance: timings of the `release` build, for the build-profile table");
    run(generator(bin.join("examples/performance-figures")).current_dir(root).arg(&out).args(["build-profile", "release"]))?;
    progress("figures of performance: the same timings from a `release-lto` build (lto = fat, codegen-units = 1)");
    run(cargo_command()
        .current_dir(root)
        .args(["run", "--locked", "--profile", "release-lto", "-p", "performance", "--example", "performance-figures", "--"])
        .arg(&out)
        .args(["build-profile", "release-lto"]))?;
    progress("figures of performance: the kernels in a debug build, for the optimiser's before/after");
    run(cargo_command().current_dir(root).args(["run", "--locked", "-p", "performance", "--example", "performance-figures", "--"]).arg(&out).arg("debug"))?;
    progress("figures of blas-compare (ndarray on OpenBLAS; its own workspace)");
    if has_openblas() {
        run(cargo_command()
            .current_dir(root)
            .args(["run", "--release", "--locked", "--manifest-path", "code/blas-compare/Cargo.toml", "--example", "blas-compare-figures", "--"])
            .arg(&out))?;
    } else {
        skipped.push("figures/arrays/blas.md (OpenBLAS is not installed: apt-get install libopenblas-dev pkg-config)");
    }
    progress("Python and Rust, side by side (figures/python-vs-rust/)");
    match python::venv(root)? {
        Ok(python) => run(generator(bin.join("python-vs-rust")).current_dir(root).env("COURSE_PYTHON", python).arg(&out))?,
        Err(_) => skipped.push("figures/python-vs-rust/ (no python3 on PATH)"),
    }
    progress("out of core: the Preprocessor on 10, 30 and 100 million rows, peak memory (figures/dataframes/out-of-core.md)");
    if Path::new("/usr/bin/time").is_file() {
        out_of_core_measure(root, &bin)?;
    } else {
        skipped.push("figures/dataframes/out-of-core.md, partitions.md, out-of-core.svg (GNU time is not installed: apt-get install time)");
    }
    progress("the local runner: from Run to output, for a few listings (figures/study/runner.md)");
    runner_bench(root)?;
    progress("the README's lab and exercise commands after one workspace build: what they compile again");
    let rebuilds = rebuilds::table(root, cargo_command)?;
    course_file(&out.join("study/rebuilds.md"), &rebuilds)?;
    for what in &skipped {
        println!("skipped, kept as committed: {what}");
    }
    let note = machine::note(&out)?; // fails, naming the tables, if what was skipped came from another machine
    course_file(&out.join(machine::NOTE), &note)?;
    let missing = machine::pages_missing_the_note(&root.join("src"), &out)?;
    if !missing.is_empty() {
        return Err(format!("pages that show timings without including figures/{} first: {}", machine::NOTE, missing.join(", ")));
    }
    for (file, text) in budget::generated(&budget::pages(root)?) {
        course_file(&out.join(file), &text)?; // the pages' times count the tables just written
    }
    println!("
all figures regenerated in {:.0} s; wrote figures/{}", start.elapsed().as_secs_f64(), machine::NOTE);
    Ok(())
}

/// `cargo xtask out-of-core`: the out-of-core page's tables and figure alone, then figures/machine.md. The
/// data sets (several GB, under `target/out-of-core/`) are generated on the first run and kept.
fn out_of_core(root: &Path) -> Result {
    let bin = release_build(root)?;
    out_of_core_measure(root, &bin)?;
    machine_command(root)
}

fn out_of_core_measure(root: &Path, bin: &Path) -> Result {
    run(generator(bin.join("examples/out-of-core")).current_dir(root).arg("measure").arg(root.join("figures")))
}

/// `cargo xtask machine`: figures/machine.md from the stamps of the tables, after one generator was run again
/// alone (`cargo xtask figures` writes it at its end). Fails if the tables come from more than one machine.
fn machine_command(root: &Path) -> Result {
    let out = root.join("figures");
    course_file(&out.join(machine::NOTE), &machine::note(&out)?)?;
    println!("wrote figures/{}", machine::NOTE);
    Ok(())
}

/// The course's own crates, as `use` spells them: every package under `code/` and `exercises/`.
fn course_crates(root: &Path) -> Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    for dir in ["code", "exercises"] {
        for entry in fs::read_dir(root.join(dir)).map_err(|e| format!("{dir}/: {e}"))?.flatten() {
            let Ok(manifest) = fs::read_to_string(entry.path().join("Cargo.toml")) else { continue };
            let name = manifest.lines().find_map(|l| l.trim().strip_prefix("name = ").map(|n| n.trim_matches('"').replace('-', "_")));
            out.extend(name);
        }
    }
    Ok(out)
}

/// Every complete listing of the book, checked against the README's dependency block (see `copying`).
fn copy_listings(root: &Path) -> Result<(usize, Vec<String>)> {
    let block = copying::readme_block(&fs::read_to_string(root.join("README.md")).map_err(|e| format!("README.md: {e}"))?)?;
    let course = course_crates(root)?;
    let listings = all_listings(root)?;
    let problems = listings.iter().filter_map(|l| copying::problem(l, &block, &course)).collect();
    Ok((listings.len(), problems))
}

fn copy_check(root: &Path) -> Result {
    step("copy check: every complete listing's crates are in the README's block or named by the listing");
    let (count, problems) = copy_listings(root)?;
    if !problems.is_empty() {
        return Err(format!("{} of {count} listings cannot be copied with what the README says:\n{}", problems.len(), problems.join("\n")));
    }
    println!("copy check: all {count} complete listings name what they need");
    Ok(())
}

/// The listings the test command builds and runs in a fresh crate outside the workspace, with only the
/// README's dependency block: (a text that only that listing holds, binary name). One or more per chapter, with
/// a polars and a plotters one; the criterion listing goes in `benches/`, as its visible line says.
const COPY_SAMPLE: &[(&str, &str)] = &[
    ("#[derive(Debug, thiserror::Error)]", "primer_errors"),
    ("let standardized = (&data - &mean) / &std;", "arrays_broadcasting"),
    ("fn same<D: Dimension>", "einsum_reference"),
    ("\"body_mass_g\" => [3750.0, 5000.0, 3800.0, 3500.0]", "dataframes_index"),
    ("let heavy_gentoos = df", "dataframes_penguins_csv"),
    ("aggfunc=\"mean\", on each cell's values", "dataframes_pivot"), // the README's polars features include `pivot`
    ("fundamentals-empty.svg", "plotters_fundamentals"),
    ("sum-of-roots.svg", "pprof_flamegraph"),
    ("Criterion::default()", "criterion_sum"),
];

/// Every complete listing of the book, with its page.
fn all_listings(root: &Path) -> Result<Vec<copying::Listing>> {
    let mut out = Vec::new();
    for page in budget::book_pages(root)? {
        out.extend(copying::listings(&page.file, &page.text, &page.dir)?);
    }
    Ok(out)
}

/// Builds and runs `COPY_SAMPLE` as a reader would: a new crate (in the system's temporary folder, so no
/// workspace above it) whose `Cargo.toml` is a package line plus the README's block, the listings as they are
/// copied (hidden lines included), the penguins in `data/`. The workspace's `Cargo.lock` seeds the versions and
/// `--offline` keeps it from the network: the crates are those the workspace build fetched.
fn copy_build(root: &Path) -> Result {
    step("copied listings: a sample built and run in a fresh crate with only the README's dependencies");
    let block = copying::readme_block(&fs::read_to_string(root.join("README.md")).map_err(|e| format!("README.md: {e}"))?)?;
    let dir = env::temp_dir().join(format!("rust-for-ai-ml-copy-check-{}", std::process::id())); // one per run
    let _ = fs::remove_dir_all(&dir);
    let io = |what: &Path| { let what = what.display().to_string(); move |e: std::io::Error| format!("{what}: {e}") };
    for sub in ["src/bin", "benches", "data"] {
        fs::create_dir_all(dir.join(sub)).map_err(io(&dir))?;
    }
    let mut manifest = format!("[package]\nname = \"copied-listings\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n{}", block.toml);
    let listings = all_listings(root)?;
    let mut benches = Vec::new();
    for &(marker, name) in COPY_SAMPLE {
        let listing = copying::holding(&listings, marker)?;
        let file = if listing.visible.contains("benches/") {
            benches.push(name);
            manifest.push_str(&format!("\n[[bench]]\nname = \"{name}\"\nharness = false\n"));
            dir.join(format!("benches/{name}.rs"))
        } else {
            dir.join(format!("src/bin/{name}.rs"))
        };
        fs::write(&file, &listing.program).map_err(io(&file))?;
    }
    fs::write(dir.join("Cargo.toml"), manifest).map_err(io(&dir))?;
    fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).map_err(io(&dir))?;
    fs::copy(root.join("code/dataframes/data/penguins.csv"), dir.join("data/penguins.csv")).map_err(io(&dir))?;
    let target = root.join("target/copied-listings");
    let fresh = |args: &[&str]| {
        let mut cmd = cargo_command();
        cmd.current_dir(&dir).args(args).env("CARGO_TARGET_DIR", &target).env("CARGO_PROFILE_DEV_DEBUG", "false");
        cmd
    };
    run(&mut fresh(&["build", "--offline", "--bins"]))?;
    for &(_, name) in COPY_SAMPLE.iter().filter(|(_, n)| !benches.contains(n)) {
        run(&mut fresh(&["run", "--offline", "--quiet", "--bin", name]))?;
    }
    for name in &benches {
        run(&mut fresh(&["test", "--offline", "--quiet", "--bench", name]))?;
    }
    println!("copied listings: {} built and ran in {}", COPY_SAMPLE.len(), dir.display());
    let _ = fs::remove_dir_all(&dir);
    Ok(())
}

/// Writes (`write`) or checks the output shown under every printing listing (see `outputs.rs`).
fn outputs_command(root: &Path, write: bool) -> Result {
    step(if write { "shown outputs: running every printing listing to write its output" } else { "shown outputs: running every printing listing and comparing with its committed output" });
    let count = outputs::generate(root, write)?;
    println!("shown outputs: {count} listings {}", if write { "ran; outputs written" } else { "show what they print now" });
    Ok(())
}

/// The Python tabs: each Python listing run in the course's pinned Python, its output written (`write`) or
/// checked, and its values compared with its Rust twin's. Without python3 it says so, except on CI.
fn python_command(root: &Path, write: bool) -> Result {
    step("Python listings: run in the pinned Python (target/python-venv), outputs and values against their Rust twins");
    let python = match python::venv(root)? {
        Ok(python) => python,
        Err(why) if env::var("CI").is_ok_and(|v| v == "true") => return Err(format!("CI needs Python for the Python listings: {why}")),
        Err(why) => {
            println!("skipped the Python listings: {why} (install python3 with venv and pip, then run the test command again)");
            return Ok(());
        }
    };
    println!("{}", python::generate(root, &python, write)?);
    Ok(())
}

/// The limits of the time budget: the test command fails when the core path or the primer is over. (That the
/// committed budget is current and that every page shows its time are xtask's unit tests.)
fn budget_check(root: &Path) -> Result {
    step("time budget: the core path and the primer against their limits");
    let pages = budget::pages(root)?;
    budget::check_limits(&pages)?;
    println!(
        "within the limits: core path {:.0} minutes (limit 600), primer {:.0} (limit 120)",
        budget::total(&pages, budget::Track::Core),
        budget::total(&pages, budget::Track::Primer)
    );
    Ok(())
}

/// `cargo xtask quizzes`: renders every quiz (code/*/quizzes/*.toml) into figures/quiz/, then checks them.
fn quizzes_command(root: &Path) -> Result {
    for file in quizzes::write_all(root, &|path, text| course_file(path, text))? {
        println!("wrote {file}");
    }
    quizzes_check(root)
}

/// Every quiz follows the rules, its HTML is current, every topic page and the primer show theirs, and a
/// test computes every answer that is a number or a printed value.
fn quizzes_check(root: &Path) -> Result {
    step("quizzes: valid, rendered, on their pages, computed answers tested");
    let problems = quizzes::problems(root)?;
    if !problems.is_empty() {
        return Err(format!("quizzes:\n{}", problems.join("\n")));
    }
    let found = quizzes::find(root)?;
    let questions: usize = found.iter().map(|q| q.quiz.questions.len()).sum();
    println!("quizzes: {} quizzes, {questions} questions, all valid and current", found.len());
    Ok(())
}

/// Writes the time budget (figures/study/budget.md, page-times.md, schedule.md) from the pages as they are.
fn budget_command(root: &Path) -> Result {
    let pages = budget::pages(root)?;
    for (file, text) in budget::generated(&pages) {
        course_file(&root.join("figures").join(file), &text)?;
        println!("wrote figures/{file}");
    }
    for track in [budget::Track::Primer, budget::Track::Core, budget::Track::Optional, budget::Track::Reference] {
        println!("{track:?}: {:.0} minutes", budget::total(&pages, track).round() + 0.0);
    }
    budget::check_limits(&pages)
}

/// Where each page's reading minutes go, by `## ` section (exercises are counted per page, not here).
fn budget_sections(root: &Path) -> Result {
    for page in budget::book_pages(root)? {
        println!("{} ({:?})", page.title, budget::track_of(&page.file, &page.title, &page.part));
        for (heading, content) in budget::sections(&page.expanded()?) {
            println!("  {:5.1} min  {heading}", content.reading_minutes());
        }
    }
    Ok(())
}

/// Writes a generated file through a temporary name, so a stopped run leaves the old file whole.
fn course_file(path: &Path, contents: &str) -> Result {
    let temporary = path.with_extension("tmp");
    fs::write(&temporary, contents).and_then(|_| fs::rename(&temporary, path)).map_err(|e| format!("{}: {e}", path.display()))
}

/// The crate that measures ndarray on a system BLAS: its own workspace, needs OpenBLAS installed.
const BLAS_CRATE: &str = "blas-compare";

/// Whether the system's OpenBLAS can be found the way `openblas-src` looks for it (pkg-config).
fn has_openblas() -> bool {
    Command::new("pkg-config").args(["--exists", "openblas"]).status().is_ok_and(|s| s.success())
}

/// The cross-language generator: its own command, because it needs Python and takes a few minutes.
fn python_vs_rust(root: &Path, only_lab: Option<&str>) -> Result {
    let bin = release_build(root)?;
    step("Python and Rust, side by side (release build)");
    let python = python::venv(root)?.map_err(|why| format!("python-vs-rust needs Python: {why}"))?;
    run(generator(bin.join("python-vs-rust")).current_dir(root).env("COURSE_PYTHON", python).arg(root.join("figures")).args(only_lab))
}

/// Builds every program of the workspace in release mode in one cargo call and returns the folder of the
/// binaries. One call, because cargo picks dependency features per selected package: `cargo run -p a` and
/// `cargo run -p b` can each compile polars anew, while `--workspace` unifies the features once for all.
fn release_build(root: &Path) -> Result<PathBuf> {
    step("cargo build --release --workspace --bins --examples (one build of polars for every generator)");
    cargo(root, &["build", "--release", "--locked", "--workspace", "--bins", "--examples"])?;
    let target = env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    Ok(if target.is_absolute() { target } else { root.join(target) }.join("release"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runner_links_what_the_readme_tells_a_reader_to_depend_on() {
        let readme = fs::read_to_string(workspace_root().join("README.md")).unwrap();
        let block = copying::readme_block(&readme).unwrap();
        let course = readme.lines().filter_map(|l| l.split_once(" = { path = \"../rust-for-ai-ml/code/").map(|(name, _)| name.replace('-', "_")));
        let mut told: Vec<String> = block.dependencies.into_iter().chain(block.dev_dependencies).chain(course).collect();
        told.sort();
        let mut linked: Vec<String> = runner::CRATES.iter().map(|c| c.to_string()).collect();
        linked.sort();
        assert_eq!(linked, told, "runner::CRATES and the README's copying section name different crates");
    }

    #[test]
    fn child_cargo_gets_no_per_package_variables() {
        for key in ["CARGO_MANIFEST_DIR", "CARGO_MANIFEST_PATH", "CARGO_PKG_NAME", "CARGO_CRATE_NAME", "CARGO_BIN_NAME", "CARGO_PRIMARY_PACKAGE", "OUT_DIR"] {
            assert!(is_per_package_variable(key), "{key}");
        }
        for key in ["CARGO", "CARGO_HOME", "CARGO_TARGET_DIR", "CARGO_BUILD_JOBS", "CARGO_INCREMENTAL", "RUSTFLAGS", "PATH"] {
            assert!(!is_per_package_variable(key), "{key}");
        }
        // as under `cargo xtask`, where cargo set CARGO_MANIFEST_DIR and CARGO_PKG_NAME for the xtask
        let cmd = cargo_command_without(["CARGO_MANIFEST_DIR", "CARGO_PKG_NAME", "CARGO_HOME"].into_iter().map(OsString::from));
        let removed: Vec<_> = cmd.get_envs().filter(|(_, v)| v.is_none()).map(|(k, _)| k.to_string_lossy().into_owned()).collect();
        assert_eq!(removed, ["CARGO_MANIFEST_DIR", "CARGO_PKG_NAME"], "CARGO_HOME is kept");
    }

    #[test]
    fn versions_match_whole_words_with_or_without_v() {
        assert!(has_version("mdbook v0.5.4", "0.5.4"));
        assert!(has_version("mdbook-katex 0.10.0", "0.10.0"));
        assert!(!has_version("mdbook v0.5.40", "0.5.4"));
        assert!(!has_version("", "0.5.4"));
    }

    #[test]
    fn html_check_flags_cdn_and_leftovers() {
        let dir = env::temp_dir().join(format!("xtask-html-{}", std::process::id()));
        fs::create_dir_all(dir.join("katex")).unwrap();
        fs::write(dir.join("katex/katex.min.css"), "").unwrap();
        fs::write(dir.join("ok.html"), "<a href=\"https://docs.rs\">docs</a><link href=\"katex/katex.min.css\">").unwrap();
        assert_eq!(check_html(&dir), Ok(()));
        fs::write(dir.join("bad.html"), "<link rel=\"stylesheet\" href=\"https://cdn.jsdelivr.net/x.css\"> $$x$$").unwrap();
        let err = check_html(&dir).unwrap_err();
        assert!(err.contains("external resource") && err.contains("raw $$"), "{err}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
