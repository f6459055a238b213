//! Python beside Rust. On the topic pages, a Rust listing with a NumPy, pandas, Matplotlib or Seaborn twin has
//! that Python program right before it: a real file under `code/<chapter>/python/`, included by the page, with
//! its output under it (`figures/outputs/<chapter>/python/<name>.md`). The book's script shows the pair as two
//! tabs, Python and Rust (src/theme/tabs.js). `cargo xtask outputs` writes the Python outputs as it writes the
//! Rust ones, and the test command runs every Python listing in the course's pinned Python (the one
//! `python-vs-rust` uses), checks its committed output, and compares the values it computes with the tables its
//! Rust twin printed ([`AGREE`]). Without Python it says that it skipped them; on CI that is an error.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::runner::{self, Limits};
use crate::{budget, outputs, snippets};

/// The pinned packages, shared with `cargo xtask python-vs-rust`.
pub const REQUIREMENTS: &str = "code/python-vs-rust/python/requirements.txt";
/// Where the test command makes the Python environment.
pub const VENV: &str = "target/python-venv";
/// The longest a Python listing may run (pandas' import is most of it).
const WALL: Duration = Duration::from_secs(120);
/// The file the harness writes the values of [`AGREE`]'s expressions to, in the run's folder.
const VALUES: &str = "values.json";

/// The values a Python listing computes that its Rust twin prints: (script, [(a Python expression, evaluated
/// in the script's variables after it ran, and the Rust output's table it must equal, counted from 0)]).
/// A data frame is compared column by column where the names are the same (a pandas index becomes a column).
pub const AGREE: &[(&str, &[(&str, usize)])] = &[
    ("code/dataframes/python/group_means.py", &[("means", 0)]),
    ("code/dataframes/python/first_look.py", &[("df.head(3)", 0), ("counts", 1), ("islands", 2)]),
    ("code/dataframes/python/describe.py", &[("described.loc[['count', 'mean', 'std', 'min', 'max']]", 0)]),
    ("code/dataframes/python/select_filter.py", &[("heavy_gentoos", 0)]),
    ("code/dataframes/python/group_by.py", &[("summary", 0)]),
    ("code/dataframes/python/join.py", &[("per_island", 0)]),
    ("code/dataframes/python/pivot.py", &[("wide", 0), ("long", 1)]),
    ("code/dataframes/python/window.py", &[("df[['species', 'body_mass_g', 'mass_vs_species']].head(4)", 0)]),
    ("code/dataframes/python/fill.py", &[("nulls.to_frame().T", 0)]),
    ("code/dataframes/python/features.py", &[("features[new_columns].head(3)", 0)]),
    ("code/dataframes/python/dates.py", &[("dated.head(3)", 0)]),
    ("code/dataframes/python/leakage.py", &[("scores", 0)]),
    ("code/dataframes/python/parquet.py", &[("two.head(3)", 0)]),
];

/// Python listings that print the same numbers as their Rust twin, in the same order: NumPy's arrays and
/// ndarray's print differently (`[[1. 2.]` and `[[1, 2],`) but hold the same values.
pub const NUMBERS: &[&str] = &[
    "code/arrays/python/first_array.py",
    "code/arrays/python/making_arrays.py",
    "code/arrays/python/indexing.py",
    "code/arrays/python/views.py",
    "code/arrays/python/masks.py",
    "code/arrays/python/reshape.py",
    "code/arrays/python/broadcast.py",
    "code/arrays/python/vectorized.py",
    "code/arrays/python/dot.py",
    "code/arrays/python/strides.py",
    "code/visualization/python/conv2d.py",
];

/// Python listings that draw the chart their Rust twin draws (Matplotlib and plotters): both figures are shown,
/// and they are compared by the reader's eye, not by the test.
pub const FIGURES: &[&str] = &[
    "code/visualization/python/empty_canvas.py",
    "code/visualization/python/four_panels.py",
    "code/visualization/python/loss_per_epoch.py",
    "code/visualization/python/histogram.py",
    "code/visualization/python/three_tokens.py",
];

/// Python listings beside an included Rust function, which prints nothing on the page: (script, the Rust file
/// with the test, the test). The test reads the listing's committed output (checked here to be current) and
/// checks that the Rust function computes the same numbers from the inputs the listing printed.
pub const FUNCTIONS: &[(&str, &str, &str)] = &[
    ("code/visualization/python/kde.py", "code/visualization/src/stats.rs", "gaussian_kde_agrees_with_its_python_tab"),
    ("code/dataframes/python/read_csv.py", "code/dataframes/src/datasets.rs", "read_csv_agrees_with_its_python_tab"),
    ("code/dataframes/python/scan.py", "code/dataframes/src/io.rs", "the_scan_agrees_with_its_python_tab"),
    ("code/visualization/python/loss_panel.py", "code/visualization/src/dashboard.rs", "loss_panel_agrees_with_its_python_tab"),
    ("code/performance/python/dot_loop.py", "code/performance/src/kernels.rs", "the_kernels_agree_with_their_numba_tabs"),
    ("code/performance/python/dot_fastmath.py", "code/performance/src/kernels.rs", "the_kernels_agree_with_their_numba_tabs"),
    ("code/performance/python/dot_prange.py", "code/performance/src/kernels.rs", "the_kernels_agree_with_their_numba_tabs"),
];

/// Python listings whose output differs from the Rust one on purpose, and why.
pub const DIFFERENT: &[(&str, &str)] = &[
    ("code/arrays/python/view_then_write.py", "NumPy runs it and the view shows the write; rustc refuses to compile it (E0502): the difference is the lesson"),
    ("code/dataframes/python/null_and_nan.py", "pandas has one kind of missing value and polars two (null and NaN): the difference is the lesson"),
    ("code/performance/python/profile_roots.py", "cProfile counts every call and its time, pprof samples the stack: calls and seconds against samples"),
    ("code/performance/python/timeit_sum.py", "timeit reports the best of repeated runs, criterion an interval around its estimate; and Python's loop is not Rust's"),
    ("code/performance/python/heap_profile.py", "tracemalloc and dhat count what goes through their own allocator, and NumPy and ndarray allocate differently"),
    ("code/performance/python/peak_heap.py", "tracemalloc counts Python's objects too, and NumPy's `@` works in OpenBLAS's buffers, which it does not see"),
];

/// Two printed numbers agree when they differ by at most this much, relative to the larger (at least 1): polars
/// and pandas print six decimals.
pub const TOLERANCE: f64 = 1e-6;

/// A Python listing of a page and the pieces around it.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    pub page: String,
    pub line: usize,
    /// relative to the repository: `code/<chapter>/python/<name>.py`
    pub script: PathBuf,
    /// its shown output, under `figures/outputs/`
    pub output: Option<PathBuf>,
    /// the shown output of its Rust twin, the listing right after it
    pub rust_output: Option<PathBuf>,
}

impl Listing {
    fn at(&self) -> String {
        format!("src/{}:{}", self.page, self.line)
    }
}

/// Whether a path is a Python tab's program (`code/<chapter>/python/*.py`, not python-vs-rust's scripts) or its
/// output (`figures/outputs/<chapter>/python/*`), relative to the repository or not: the budget counts the Rust
/// side of each pair, which is what the learner is there to read.
pub fn is_tab_file(path: &Path) -> bool {
    let parts: Vec<&str> = path.iter().filter_map(|c| c.to_str()).collect();
    let program = parts.windows(4).any(|w| w[0] == "code" && w[1] != "python-vs-rust" && w[2] == "python" && w[3].ends_with(".py"));
    let output = parts.windows(4).any(|w| w[0] == "figures" && w[1] == "outputs" && w[3] == "python");
    program || output
}

/// Every Python listing of the book, and what is wrong with the pairs.
pub fn listings(root: &Path) -> Result<(Vec<Listing>, Vec<String>), String> {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for page in budget::book_pages(root)? {
        let lines: Vec<&str> = page.text.lines().collect();
        let page_dir = Path::new("src").join(&page.file).parent().map(Path::to_path_buf).unwrap_or_default();
        let blocks = snippets::blocks(&page.text);
        for (k, block) in blocks.iter().enumerate() {
            if block.info.first().map(String::as_str) != Some("python") {
                continue;
            }
            let script = snippets::includes(&block.body).first().map(|inc| snippets::normalize(&page_dir.join(&inc.path)));
            let Some(script) = script.filter(|s| is_tab_file(s)) else {
                continue; // a few lines of Python in the prose (the primer's), not a program
            };
            let at = format!("src/{}:{}", page.file, block.line);
            if !root.join(&script).is_file() {
                problems.push(format!("{at}: {} does not exist", script.display()));
                continue;
            }
            let (output, next) = match outputs::output_after(&lines, &page_dir, block.end) {
                Some((file, next)) => (Some(file), next),
                None => (None, block.end),
            };
            let program = fs::read_to_string(root.join(&script)).unwrap_or_default();
            let shows = program.contains("print(") || program.contains(".print_stats(") || draws(&program); // print_stats: pstats prints a profile
            // its output box is what makes the pair two tabs (src/theme/tabs.js)
            if !shows {
                problems.push(format!("{at}: a Python listing shows what it computes: print it or draw it, as its Rust twin does"));
            } else if output.is_none() {
                problems.push(format!("{at}: the Python listing shows no output: put `{{{{#include ../../{}/<chapter>/python/<name>.md}}}}` on the line after it", outputs::DIR));
            }
            // the Rust twin is the very next thing on the page
            let twin = blocks.get(k + 1).filter(|b| b.is_rust() && lines[next..b.line - 1].iter().all(|l| l.trim().is_empty()));
            let Some(twin) = twin else {
                problems.push(format!("{at}: a Python listing is the first tab of a pair: put its Rust twin right after it (after its output)"));
                continue;
            };
            let rust_output = outputs::output_after(&lines, &page_dir, twin.end).map(|(file, _)| file);
            found.push(Listing { page: page.file.clone(), line: block.line, script, output, rust_output });
        }
    }
    let mut seen = BTreeSet::new();
    for l in &found {
        if !seen.insert(l.script.clone()) {
            problems.push(format!("{}: {} is included by another page too", l.at(), l.script.display()));
        }
        let name = l.script.to_string_lossy();
        let named = [
            AGREE.iter().any(|(s, _)| *s == name),
            NUMBERS.contains(&name.as_ref()),
            FIGURES.contains(&name.as_ref()),
            DIFFERENT.iter().any(|(s, _)| *s == name),
            FUNCTIONS.iter().any(|(s, _, _)| *s == name),
        ];
        if named.iter().filter(|n| **n).count() != 1 {
            problems.push(format!("{}: name {name} in exactly one of python::AGREE (what it computes that the Rust listing prints), python::NUMBERS (it prints the same numbers), python::FIGURES (it draws the same chart), python::FUNCTIONS (a Rust test compares it) and python::DIFFERENT (why they differ)", l.at()));
        }
        if let Some((_, file, test)) = FUNCTIONS.iter().find(|(s, _, _)| *s == name) {
            let source = fs::read_to_string(root.join(file)).unwrap_or_default();
            let shown = l.output.as_ref().and_then(|o| o.strip_prefix(outputs::DIR).ok()).map(|o| o.to_string_lossy().into_owned());
            if !source.contains(&format!("fn {test}()")) || !shown.is_some_and(|o| source.contains(&format!("\"{o}\""))) {
                problems.push(format!("{}: {file} should have the test `{test}`, reading the tab's output by its name under {}/", l.at(), outputs::DIR));
            }
        }
    }
    for script in AGREE.iter().map(|(s, _)| *s).chain(NUMBERS.iter().copied()).chain(FIGURES.iter().copied()).chain(DIFFERENT.iter().map(|(s, _)| *s)).chain(FUNCTIONS.iter().map(|(s, _, _)| *s)) {
        if !seen.contains(Path::new(script)) {
            problems.push(format!("code/xtask/src/python.rs: {script} is not a Python listing of any page"));
        }
    }
    let mut on_disk = Vec::new();
    for chapter in fs::read_dir(root.join("code")).map_err(|e| format!("code: {e}"))?.flatten() {
        let dir = chapter.path().join("python");
        if dir.is_dir() && chapter.file_name() != "python-vs-rust" {
            crate::collect(&dir, "py", &mut on_disk).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
    }
    for file in on_disk {
        let relative = file.strip_prefix(root).unwrap_or(&file).to_path_buf();
        if !seen.contains(&relative) {
            problems.push(format!("{}: no page shows it (include it before its Rust twin, or remove it)", relative.display()));
        }
    }
    Ok((found, problems))
}

/// Whether a Python program writes an SVG figure (its output shows it).
fn draws(program: &str) -> bool {
    program.contains(".savefig(") && program.contains(".svg")
}

/// The outputs of the Python listings, for the check of orphan output files.
pub fn output_files(root: &Path) -> Result<BTreeSet<PathBuf>, String> {
    Ok(listings(root)?.0.into_iter().filter_map(|l| l.output).collect())
}

/// Runs a script as the learner does (`python name.py` in a folder with the penguins in `data/`), and evaluates
/// `expressions` in its variables afterwards, written as JSON (see [`HARNESS`]).
const HARNESS: &str = r#"
import json, math, runpy, sys
script, out, expressions = sys.argv[1], sys.argv[2], sys.argv[3:]
variables = runpy.run_path(script, run_name="__main__")
sys.stdout.flush()
import numpy as np, pandas as pd
def cell(v):
    if isinstance(v, np.generic):
        v = v.item()
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return None
    return v if isinstance(v, (bool, int, float, str)) else str(v)
def frame(v):
    if isinstance(v, pd.Series):
        v = v.to_frame()
    if not isinstance(v.index, pd.RangeIndex):
        v = v.reset_index()
    return {"columns": [str(c) for c in v.columns], "rows": [[cell(x) for x in row] for row in v.itertuples(index=False)]}
with open(out, "w") as f:
    json.dump([frame(eval(e, variables)) for e in expressions], f)
"#;

/// What a Python run gave.
#[derive(Debug)]
pub struct Ran {
    pub stdout: String,
    /// the SVG files it wrote
    pub svgs: Vec<String>,
    /// the frames of [`AGREE`]'s expressions
    pub frames: Vec<Frame>,
}

/// A data frame as the harness writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<serde_json::Value>>,
}

fn run(python: &Path, root: &Path, script: &Path, expressions: &[&str]) -> Result<Ran, String> {
    let script_path = root.join(script);
    let mut args: Vec<&OsStr> = vec![OsStr::new("-c"), OsStr::new(HARNESS), script_path.as_os_str(), OsStr::new(VALUES)];
    args.extend(expressions.iter().map(OsStr::new));
    // a listing's limits, with more time: pandas' import is most of a run
    let limits = Limits { wall: WALL, memory_bytes: 4 << 30, processes: 64, file_bytes: 64 << 20, output_bytes: 256 << 10 };
    // Matplotlib's SVG is the same from run to run with a fixed salt for its ids (read from ./matplotlibrc) and a
    // fixed date (SOURCE_DATE_EPOCH)
    let files = [("matplotlibrc", "svg.hashsalt: rust-for-ai-ml\n")];
    let env = [("MPLBACKEND", "Agg"), ("PYTHONHASHSEED", "0"), ("SOURCE_DATE_EPOCH", "0"), ("PYTHONDONTWRITEBYTECODE", "1")];
    let data = root.join("code/dataframes/data");
    let (out, values) = runner::run_program(python, &args, Some(&data), &files, &env, &limits, VALUES)?;
    if out.timed_out || out.truncated || out.status != Some(0) {
        let why = if out.timed_out { format!("ran for more than {} s", WALL.as_secs()) } else if out.truncated { "printed too much".to_owned() } else { format!("exited with {:?} (signal {:?})", out.status, out.signal) };
        return Err(format!("{}: {why}:\n{}{}", script.display(), out.stdout, out.stderr));
    }
    let values: serde_json::Value = serde_json::from_str(&values.unwrap_or_default()).map_err(|e| format!("{}: the harness wrote no JSON: {e}", script.display()))?;
    let frames = values
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| Frame {
            columns: f["columns"].as_array().into_iter().flatten().filter_map(|c| c.as_str().map(str::to_owned)).collect(),
            rows: f["rows"].as_array().into_iter().flatten().map(|r| r.as_array().cloned().unwrap_or_default()).collect(),
        })
        .collect();
    Ok(Ran { stdout: out.stdout, svgs: out.svgs.into_iter().map(|(_, svg)| svg).collect(), frames })
}

use crate::printed::fenced as printed;

/// A table as polars prints it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub columns: Vec<String>,
    /// the rows shown before a `…` row (all of them when there is none)
    pub head: Vec<Vec<String>>,
    /// the rows shown after a `…` row
    pub tail: Vec<Vec<String>>,
    /// from the `shape: (rows, columns)` line above the table
    pub height: Option<usize>,
}

fn cells(line: &str) -> Vec<String> {
    line.trim().trim_start_matches('│').trim_end_matches('│').split('┆').map(|c| c.trim().to_owned()).collect()
}

/// The tables of a polars output, in order. A long column name wraps onto the next lines of the header; a row
/// of `…` stands for the rows not shown.
pub fn tables(text: &str) -> Vec<Table> {
    let mut out = Vec::new();
    let mut height = None;
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let t = line.trim();
        if let Some(shape) = t.strip_prefix("shape: (") {
            height = shape.split(',').next().and_then(|h| h.trim().trim_end_matches(')').parse().ok());
            continue;
        }
        if !t.starts_with('┌') {
            continue;
        }
        let mut table = Table { height: height.take(), ..Table::default() };
        let mut names: Vec<(String, bool)> = Vec::new(); // (name so far, name complete)
        for line in lines.by_ref() {
            let t = line.trim();
            if t.starts_with('╞') {
                break;
            }
            for (i, c) in cells(t).into_iter().enumerate() {
                if names.len() <= i {
                    names.push((String::new(), false));
                }
                if c == "---" {
                    names[i].1 = true;
                } else if !names[i].1 {
                    names[i].0.push_str(&c);
                }
            }
        }
        table.columns = names.into_iter().map(|(n, _)| n).collect();
        let mut after_gap = false;
        for line in lines.by_ref() {
            let t = line.trim();
            if t.starts_with('└') {
                break;
            }
            let row = cells(t);
            if row.iter().all(|c| c == "…") {
                after_gap = true;
            } else if after_gap {
                table.tail.push(row);
            } else {
                table.head.push(row);
            }
        }
        out.push(table);
    }
    out
}

pub use crate::printed::numbers;

/// Two printed texts hold the same numbers, in order, within [`TOLERANCE`]; the count compared.
pub fn same_numbers(rust: &str, python: &str) -> Result<usize, String> {
    let (r, p) = (numbers(rust), numbers(python));
    if r.len() != p.len() {
        return Err(format!("Rust printed {} numbers, Python {}:\n  Rust {r:?}\n  Python {p:?}", r.len(), p.len()));
    }
    for (i, (a, b)) in r.iter().zip(&p).enumerate() {
        if (a - b).abs() > TOLERANCE * a.abs().max(b.abs()).max(1.0) {
            return Err(format!("number {i}: Rust printed {a}, Python {b}"));
        }
    }
    Ok(r.len())
}

fn same_cell(rust: &str, python: &serde_json::Value) -> bool {
    use serde_json::Value;
    match python {
        Value::Null => rust == "null",
        Value::Bool(b) => rust == if *b { "true" } else { "false" },
        Value::Number(n) => match (rust.parse::<f64>(), n.as_f64()) {
            (Ok(r), Some(p)) => (r - p).abs() <= TOLERANCE * r.abs().max(p.abs()).max(1.0),
            _ => false,
        },
        Value::String(s) => rust == s || rust.strip_suffix('…').is_some_and(|start| s.starts_with(start)),
        _ => false,
    }
}

/// Compares a Python frame with a Rust table on the columns they share by name; the number of values compared.
pub fn agree(python: &Frame, rust: &Table) -> Result<usize, String> {
    let shared: Vec<(usize, usize)> = rust
        .columns
        .iter()
        .enumerate()
        .filter_map(|(r, name)| python.columns.iter().position(|p| p == name).map(|p| (r, p)))
        .collect();
    if shared.is_empty() {
        return Err(format!("no column in common: Python has {:?}, Rust {:?}", python.columns, rust.columns));
    }
    let height = rust.height.unwrap_or(rust.head.len() + rust.tail.len());
    if python.rows.len() != height {
        return Err(format!("Python has {} rows, Rust {height}", python.rows.len()));
    }
    let tail_start = python.rows.len() - rust.tail.len().min(python.rows.len());
    let pairs = rust.head.iter().zip(&python.rows).chain(rust.tail.iter().zip(&python.rows[tail_start..]));
    let mut compared = 0;
    for (i, (r, p)) in pairs.enumerate() {
        for &(rc, pc) in &shared {
            let (a, b) = (r.get(rc).map(String::as_str).unwrap_or(""), p.get(pc).unwrap_or(&serde_json::Value::Null));
            if !same_cell(a, b) {
                return Err(format!("shown row {i}, column {:?}: Rust printed {a:?}, Python computed {b}", rust.columns[rc]));
            }
            compared += 1;
        }
    }
    Ok(compared)
}

/// The course's Python: `target/python-venv` with the pinned packages, made once (and again when the pins
/// change). None, with the reason, when there is no `python3` to make it with.
pub fn venv(root: &Path) -> Result<Result<PathBuf, String>, String> {
    let dir = root.join(VENV);
    let python = dir.join("bin/python");
    let wanted = fs::read_to_string(root.join(REQUIREMENTS)).map_err(|e| format!("{REQUIREMENTS}: {e}"))?;
    let stamp = dir.join(".installed-requirements");
    if python.exists() && fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        return Ok(Ok(python));
    }
    if !Command::new("python3").arg("--version").output().is_ok_and(|o| o.status.success()) {
        return Ok(Err("no python3 on PATH".into()));
    }
    println!("creating {VENV} with the pinned packages of {REQUIREMENTS} (once; a few minutes) ...");
    let run = |cmd: &mut Command| -> Result<(), String> {
        let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
        if out.status.success() { Ok(()) } else { Err(format!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr))) }
    };
    run(Command::new("python3").args(["-m", "venv", "--clear"]).arg(&dir))?;
    run(Command::new(&python).args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"]).arg(root.join(REQUIREMENTS)))?;
    fs::write(&stamp, wanted).map_err(|e| format!("{}: {e}", stamp.display()))?;
    Ok(Ok(python))
}

/// `write`: writes each Python listing's output. Otherwise checks them, and compares each listing's values with
/// its Rust twin's tables. Returns a summary line.
pub fn generate(root: &Path, python: &Path, write: bool) -> Result<String, String> {
    let (listings, problems) = listings(root)?;
    if !problems.is_empty() {
        return Err(format!("Python listings:\n{}", problems.join("\n")));
    }
    let mut failures = Vec::new();
    let mut compared = 0;
    for (n, l) in listings.iter().enumerate() {
        eprintln!("python: [{}/{}] {} ({})", n + 1, listings.len(), l.script.display(), l.at());
        let name = l.script.to_string_lossy();
        let expressions: Vec<&str> = AGREE.iter().find(|(s, _)| *s == name).map(|(_, e)| e.iter().map(|(x, _)| *x).collect()).unwrap_or_default();
        let ran = match run(python, root, &l.script, &expressions) {
            Ok(ran) => ran,
            Err(e) => {
                failures.push(format!("{}: {e}", l.at()));
                continue;
            }
        };
        if let Some(output) = &l.output {
            let program = fs::read_to_string(root.join(&l.script)).unwrap_or_default();
            let svg = match (draws(&program), ran.svgs.as_slice()) {
                (false, _) => None,
                (true, [one]) => Some(one.as_str()),
                (true, all) => {
                    failures.push(format!("{}: should write one SVG file, wrote {}", l.at(), all.len()));
                    continue;
                }
            };
            let fresh = outputs::render_python(&l.page, &ran.stdout, svg);
            let file = root.join(output);
            let committed = fs::read_to_string(&file).unwrap_or_default();
            if write && committed != fresh {
                if let Some(dir) = file.parent() {
                    fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
                }
                crate::course_file(&file, &fresh)?;
            } else if !write && !outputs::unchanged(&committed, &fresh, outputs::timed(output)) {
                failures.push(format!("{}: {} is stale (run `cargo xtask outputs`); it now prints:\n{}", l.at(), output.display(), ran.stdout));
            }
        }
        if DIFFERENT.iter().any(|(s, _)| *s == name) || FIGURES.contains(&name.as_ref()) || FUNCTIONS.iter().any(|(s, _, _)| *s == name) {
            continue; // nothing to compare here (FUNCTIONS: the Rust test compares)
        }
        let Some(rust_output) = &l.rust_output else {
            failures.push(format!("{}: its Rust twin shows no output to compare with", l.at()));
            continue;
        };
        let rust_text = fs::read_to_string(root.join(rust_output)).map_err(|e| format!("{}: {e}", rust_output.display()))?;
        if NUMBERS.contains(&name.as_ref()) {
            match same_numbers(&printed(&rust_text), &ran.stdout) {
                Ok(c) => compared += c,
                Err(e) => failures.push(format!("{}: against {}: {e}", l.at(), rust_output.display())),
            }
            continue;
        }
        let Some((_, pairs)) = AGREE.iter().find(|(s, _)| *s == name) else { continue };
        let rust = tables(&rust_text);
        for ((expression, k), frame) in pairs.iter().zip(&ran.frames) {
            match rust.get(*k).ok_or_else(|| format!("the Rust output has {} tables, not {}", rust.len(), k + 1)).and_then(|t| agree(frame, t)) {
                Ok(c) => compared += c,
                Err(e) => failures.push(format!("{}: `{expression}` against table {k} of {}: {e}", l.at(), rust_output.display())),
            }
        }
    }
    if !failures.is_empty() {
        return Err(format!("Python listings: {} of {}:\n{}", failures.len(), listings.len(), failures.join("\n")));
    }
    Ok(format!(
        "Python listings: {} ran{}; {} agree with their Rust twins ({compared} printed values compared, within {TOLERANCE:e} relative), {} are checked by a test of the Rust function beside them, {} draw the same chart, {} differ on purpose",
        listings.len(),
        if write { ", outputs written" } else { ", outputs current" },
        AGREE.len() + NUMBERS.len(),
        FUNCTIONS.len(),
        FIGURES.len(),
        DIFFERENT.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const POLARS: &str = "shape: (12, 3)\n┌─────────┬────────────┬──────┐\n│ species ┆ bill_lengt ┆ sex  │\n│ ---     ┆ h_mm       ┆ ---  │\n│ str     ┆ ---        ┆ str  │\n│         ┆ f64        ┆      │\n╞═════════╪════════════╪══════╡\n│ Adelie  ┆ 39.1       ┆ male │\n│ Adelie  ┆ null       ┆ null │\n│ …       ┆ …          ┆ …    │\n│ Gentoo  ┆ 49.9       ┆ male │\n└─────────┴────────────┴──────┘\nshape: (1, 1)\n┌───┐\n│ n │\n│ --- │\n│ u32 │\n╞═══╡\n│ 3 │\n└───┘\n";

    fn frame(columns: &[&str], rows: Vec<Vec<serde_json::Value>>) -> Frame {
        Frame { columns: columns.iter().map(|c| c.to_string()).collect(), rows }
    }

    #[test]
    fn a_polars_table_is_read_with_its_wrapped_names_and_its_gap() {
        let t = tables(POLARS);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].columns, ["species", "bill_length_mm", "sex"]);
        assert_eq!(t[0].height, Some(12));
        assert_eq!(t[0].head, [["Adelie", "39.1", "male"], ["Adelie", "null", "null"]]);
        assert_eq!(t[0].tail, [["Gentoo", "49.9", "male"]]);
        assert_eq!((t[1].columns.clone(), t[1].head.clone()), (vec!["n".to_string()], vec![vec!["3".to_string()]]));
    }

    #[test]
    fn frames_agree_on_shared_columns_within_the_tolerance_and_nowhere_else() {
        let rust = &tables(POLARS)[0];
        let mut rows: Vec<Vec<serde_json::Value>> = (0..12).map(|_| vec![json!(0), json!("Adelie"), json!(39.10000004), json!("male")]).collect();
        rows[1] = vec![json!(1), json!("Adelie"), json!(null), json!(null)];
        rows[11] = vec![json!(11), json!("Gentoo"), json!(49.9), json!("male")];
        let python = frame(&["index", "species", "bill_length_mm", "sex"], rows.clone());
        assert_eq!(agree(&python, rust), Ok(9), "three shared columns, three shown rows");

        let mut off = rows.clone();
        off[11][2] = json!(49.91);
        assert!(agree(&frame(&["index", "species", "bill_length_mm", "sex"], off), rust).unwrap_err().contains("49.9"));
        let mut null = rows.clone();
        null[0][2] = json!(null);
        assert!(agree(&frame(&["index", "species", "bill_length_mm", "sex"], null), rust).is_err(), "null is not a number");
        assert!(agree(&frame(&["index", "species", "bill_length_mm", "sex"], rows[..11].to_vec()), rust).unwrap_err().contains("11 rows"));
        assert!(agree(&frame(&["other"], vec![vec![json!(1)]; 12]), rust).unwrap_err().contains("no column in common"));
    }

    #[test]
    fn a_cut_string_agrees_with_its_start_and_a_bool_with_its_name() {
        assert!(same_cell("Adelie Penguin (Pygoscelis ade…", &json!("Adelie Penguin (Pygoscelis adeliae)")));
        assert!(!same_cell("Adelie Penguin (Pygoscelis ade…", &json!("Gentoo penguin (Pygoscelis papua)")));
        assert!(same_cell("true", &json!(true)) && !same_cell("false", &json!(true)));
        assert!(same_cell("4201.754386", &json!(4201.754385964912)));
        assert!(!same_cell("4201.75", &json!(4201.754385964912)));
    }

    #[test]
    fn numbers_are_read_as_numpy_and_ndarray_print_them_and_not_from_words() {
        let numpy = "[[ 0.    1.25]\n [-2.   3.e-03]]\nshape (2, 2) float64 x2";
        let ndarray = "[[0, 1.25],\n [-2, 0.003]]\nshape [2, 2] f64 x2";
        assert_eq!(numbers(numpy), [0.0, 1.25, -2.0, 0.003, 2.0, 2.0]);
        assert_eq!(same_numbers(ndarray, numpy), Ok(6));
        assert!(same_numbers("[1, 2]", "[1. 2.5]").unwrap_err().contains("number 1"));
        assert!(same_numbers("[1, 2]", "[1 2 3]").unwrap_err().contains("2 numbers, Python 3"));
        assert_eq!(numbers("x[0, ::-2] = [4 2 0]"), [0.0, -2.0, 4.0, 2.0, 0.0]);
        assert_eq!(printed("<!-- marker 1 -->\n<div>\n\n```text\n7 8\n```\n\n</div>\n"), "7 8");
    }

    #[test]
    fn tab_files_are_the_python_programs_and_their_outputs() {
        assert!(is_tab_file(Path::new("code/dataframes/python/group_by.py")));
        assert!(is_tab_file(Path::new("figures/outputs/dataframes/python/group_by.md")));
        assert!(!is_tab_file(Path::new("code/python-vs-rust/python/lab_1_2_1.py")));
        assert!(!is_tab_file(Path::new("figures/outputs/dataframes/operations-1.md")));
        assert!(is_tab_file(Path::new("/home/me/course/code/arrays/python/dot.py")), "an absolute path, as the budget has");
    }

    #[test]
    fn every_python_listing_is_a_file_before_its_rust_twin_and_is_compared_or_excused() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let (found, problems) = listings(&root).unwrap();
        assert_eq!(problems, Vec::<String>::new());
        assert_eq!(found.len(), AGREE.len() + NUMBERS.len() + FIGURES.len() + DIFFERENT.len() + FUNCTIONS.len());
        let excused = |l: &Listing| DIFFERENT.iter().any(|(s, _)| Path::new(s) == l.script) || FUNCTIONS.iter().any(|(s, _, _)| Path::new(s) == l.script);
        assert!(found.iter().all(|l| l.rust_output.is_some() || excused(l)));
        assert!(draws("fig.savefig(\"loss.svg\")") && !draws("print(x)"));
    }
}
