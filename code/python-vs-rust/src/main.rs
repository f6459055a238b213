//! `cargo xtask python-vs-rust`: the Python module's approaches and this course's Rust versions, run alternately
//! on one machine, checked for agreement, then written as one table per lab into `figures/python-vs-rust/`.
//! `cargo xtask python-vs-rust 1.2.4` runs one lab. Bounded: about a minute per lab on 2 cores, plus a one-time `pip install` into `target/python-venv` (made by xtask).
//! Where Python or its packages are missing it says so, and the committed tables stay as they are.

use course_utils::Machine;
use course_utils::table::{generated_header_by, write_generated};
use python_vs_rust::{ChecksumTolerance, Language, Sample, lab_1_2_1, lab_1_2_2, lab_1_2_3, lab_1_2_4, lab_1_2_5, parse_python, rows, stamp, table, verdict, verdict_against, verdict_pair};
use std::path::{Path, PathBuf};
use std::process::Command;

// NumPy asks the kernel for huge pages for its large arrays; the Rust rows named "huge pages as NumPy" turn
// the same policy on for themselves (off for every other row)
#[global_allocator]
static ALLOC: &course_utils::pages::HugePages<std::alloc::System> = &course_utils::pages::HUGE_PAGES_SYSTEM;

const ROUNDS: usize = 3;
/// The fresh-memory probe's table, under `figures/`.
const PROBE: &str = "python-vs-rust/fresh-pages.md";
const RUNS: usize = 10;

/// The course's Python with the pinned packages (python/requirements.txt): `cargo xtask python-vs-rust` makes it
/// (in `target/python-venv`, once) and passes it as `COURSE_PYTHON`.
fn course_python() -> Result<PathBuf, String> {
    let python = std::env::var_os("COURSE_PYTHON").map(PathBuf::from).ok_or("COURSE_PYTHON is not set: run it as `cargo xtask python-vs-rust`, which makes the course's Python")?;
    if python.exists() { Ok(python) } else { Err(format!("{} does not exist", python.display())) }
}

/// One lab's two sides: its script, its workloads, what to prepare, and its Rust samples.
struct Lab {
    id: &'static str,
    script: &'static str,
    workloads: &'static [(&'static str, &'static str, ChecksumTolerance)],
    /// Prepares shared input files (in the given folder) and returns the script's extra arguments.
    prepare: fn(&Path) -> Result<Vec<String>, String>,
    rust: fn(usize, &[String], &mut dyn FnMut(Sample)) -> Result<(), String>,
    /// Python implementations a target is stated against (besides the fastest): each gets its own line.
    also_against: &'static [&'static str],
    /// (Rust, Python) implementations of the same formulation, compared in a line of their own where a
    /// table has both.
    pairs: &'static [(&'static str, &'static str)],
}

const LABS: [Lab; 5] = [
    Lab {
        id: "1.2.1",
        script: lab_1_2_1::SCRIPT,
        workloads: &lab_1_2_1::WORKLOADS,
        prepare: |_| Ok(Vec::new()),
        rust: |runs, _, emit| Ok(lab_1_2_1::rust_samples(lab_1_2_1::Sizes::LAB, runs, emit)),
        also_against: &[],
        pairs: &lab_1_2_1::SAME_FORMULATION,
    },
    Lab {
        id: "1.2.2",
        script: lab_1_2_2::SCRIPT,
        workloads: &lab_1_2_2::WORKLOADS,
        prepare: |dir| Ok(vec!["--data".into(), lab_1_2_2::prepare(dir, lab_1_2_2::LAB_ROWS)?.display().to_string()]),
        rust: |runs, args, emit| lab_1_2_2::rust_samples(Path::new(&args[1]), runs, emit),
        also_against: &[lab_1_2_2::SCIKIT_LEARN],
        pairs: &[],
    },
    Lab {
        id: "1.2.3",
        script: lab_1_2_3::SCRIPT,
        workloads: &lab_1_2_3::WORKLOADS,
        prepare: |dir| Ok(vec!["--data".into(), lab_1_2_3::prepare(dir)?.display().to_string()]),
        rust: |runs, args, emit| lab_1_2_3::rust_samples(Path::new(&args[1]), runs, emit),
        also_against: &[],
        pairs: &[],
    },
    Lab {
        id: "1.2.4",
        script: lab_1_2_4::SCRIPT,
        workloads: &lab_1_2_4::WORKLOADS,
        prepare: |_| Ok(Vec::new()),
        rust: |runs, _, emit| Ok(lab_1_2_4::rust_samples(lab_1_2_4::LAB, runs, emit)),
        also_against: &[],
        pairs: &[],
    },
    Lab {
        id: "1.2.5",
        script: lab_1_2_5::SCRIPT,
        workloads: &lab_1_2_5::WORKLOADS,
        prepare: |_| Ok(Vec::new()),
        rust: |runs, _, emit| Ok(lab_1_2_5::rust_samples(lab_1_2_5::LAB, runs, emit)),
        also_against: &[],
        pairs: &lab_1_2_5::SAME_FORMULATION,
    },
];

fn python_round(python: &Path, script: &Path, extra: &[String], info: &mut Vec<(String, String)>, samples: &mut Vec<Sample>) -> Result<(), String> {
    let out = Command::new(python).arg(script).args(["--runs", &RUNS.to_string()]).args(extra).output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!("{} failed: {}", script.display(), String::from_utf8_lossy(&out.stderr)));
    }
    let parsed = parse_python(&String::from_utf8_lossy(&out.stdout))?;
    *info = parsed.info;
    samples.extend(parsed.samples);
    Ok(())
}

fn run_lab(lab: &Lab, python: &Path, crate_dir: &Path, figures: &Path, machine: &Machine) -> Result<(), Box<dyn std::error::Error>> {
    println!("\nLab {}, Python and Rust alternately, {ROUNDS} rounds\n{machine}", lab.id);
    let extra = (lab.prepare)(&crate_dir.join("../../target/python-vs-rust"))?;
    let (mut samples, mut info) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        // alternate which language goes first, so neither always runs on a warmer (or hotter) machine
        for language in if round % 2 == 0 { [Language::Python, Language::Rust] } else { [Language::Rust, Language::Python] } {
            println!("  round {}/{ROUNDS}: {language:?} ...", round + 1);
            match language {
                Language::Python => python_round(python, &crate_dir.join(lab.script), &extra, &mut info, &mut samples)?,
                Language::Rust => (lab.rust)(RUNS, &extra, &mut |s| samples.push(s))?,
            }
        }
    }
    let thp = Path::new("/sys/kernel/mm/transparent_hugepage").exists();
    if (lab.id == "1.2.1" || lab.id == "1.2.5") && thp && course_utils::pages::HUGE_PAGES_SYSTEM.advised_bytes() == 0 {
        return Err("the rows \"huge pages as NumPy\" ran without huge pages: the kernel refused the advice".into());
    }
    let mut page = generated_header_by("cargo xtask python-vs-rust", "code/python-vs-rust/src/main.rs");
    for (workload, title, tol) in lab.workloads {
        let rows = rows(&samples, workload, *tol)?;
        let table = table(&rows)?;
        println!("\n{title}\n{}", table.to_text());
        page.push_str(&format!("\n#### {title}\n\n{}\n{}\n- {}.\n", table.to_markdown(), stamp(machine, &info), verdict(&rows)?));
        for python in lab.also_against {
            page.push_str(&format!("- {}.\n", verdict_against(&rows, python)?));
        }
        for (rust, python) in lab.pairs {
            if let Some(line) = verdict_pair(&rows, rust, python) {
                page.push_str(&format!("- {line}.\n"));
            }
        }
    }
    let path = figures.join(format!("python-vs-rust/lab-{}.md", lab.id.replace('.', "-")));
    write_generated(&path, &page)?;
    println!("\nwrote {}", path.display());
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = crate_dir.join("../..");
    let mut args = std::env::args().skip(1);
    let figures = args.next().map_or_else(|| root.join("figures"), PathBuf::from);
    let only = args.next(); // a lab id, e.g. 1.2.4: run that lab only
    if figures.to_string_lossy().starts_with('-') || only.as_deref().is_some_and(|id| !LABS.iter().any(|lab| lab.id == id)) {
        // not a folder to write into (e.g. --help) or not a lab: say how to call it rather than write there
        let ids: Vec<&str> = LABS.iter().map(|lab| lab.id).collect();
        println!("usage: python-vs-rust [FIGURES_DIR [LAB]]   (LAB: one of {})", ids.join(", "));
        return Ok(());
    }
    let python = match course_python() {
        Ok(python) => python,
        Err(why) => {
            println!("The Python side is unavailable ({why}).\nKeeping the committed tables in figures/python-vs-rust/.");
            return Ok(());
        }
    };
    let machine = Machine::current();
    for lab in LABS.iter().filter(|lab| only.as_deref().is_none_or(|id| id == lab.id)) {
        run_lab(lab, &python, crate_dir, &figures, &machine)?;
    }
    // what a fresh page costs here: the reason the fresh-output rows differ between machines
    println!("\nprobing the cost of fresh memory ...");
    let probe = python_vs_rust::pages_probe::table(9);
    println!("{probe}");
    let text = format!("{}{probe}\n*{machine}*\n", generated_header_by("cargo xtask python-vs-rust", "code/python-vs-rust/src/pages_probe.rs"));
    write_generated(&figures.join(PROBE), &text)?;
    Ok(())
}
