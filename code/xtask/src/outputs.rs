//! Shown output: every complete listing of the book that prints, or draws SVG figures (with plotters, or by
//! writing what a course function drew), shows what it printed or drew right under it. The page says where, with
//! an `{{#include}}` of a file under `figures/outputs/` on the first line after the listing; `cargo xtask
//! outputs` writes those files by running each listing as the local runner does (compiled against the
//! workspace's debug build, in a fresh folder with the penguins in `data/`, confined). The test command runs them
//! again and fails when a committed output is stale, so a change of polars' print format, or of a listing, shows
//! up as a diff.
//!
//! An output whose file name ends in `.timed.md` carries timings that change from run to run: only its shape is
//! compared, with every number and time unit masked. A figure is compared as the set of its SVG's lines, so the
//! same elements in another order are the same figure: plotters' `Histogram` keeps its bars in a `HashMap` and
//! writes them in a different order each run (the bars do not overlap, so the picture is the same).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::runner::{Limits, RunOutput, Toolchain};
use crate::{budget, copying, snippets};

/// Where the outputs live, relative to the repository.
pub const DIR: &str = "figures/outputs";
/// The first line of every output file; the budget reads what follows as output (see [`for_budget`]).
pub const MARKER: &str = "<!-- listing output";

/// A listing that shows its output, and the file that holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Slot {
    /// The page, relative to `src/`.
    pub page: String,
    /// The line of the listing's opening fence.
    pub line: usize,
    /// The program as a reader copies it (hidden lines shown).
    pub program: String,
    /// The output file, relative to the repository (`figures/outputs/...`).
    pub file: PathBuf,
    /// A listing the compiler must refuse (`code/<crate>/listings/*.rs`, a `compile_fail` doc test of its
    /// crate): its output is the compiler's error.
    pub refused: bool,
}

/// Whether an output file carries timings (`.timed.md`): then only its shape is compared.
pub fn timed(file: &Path) -> bool {
    file.to_string_lossy().ends_with(".timed.md")
}

/// Whether a fresh output is what was committed: the same text and figures, or for a timed one, the same shape.
pub fn unchanged(committed: &str, fresh: &str, timed: bool) -> bool {
    if timed { shape(committed) == shape(fresh) } else { canonical(committed) == canonical(fresh) }
}

impl Slot {
    pub fn timed(&self) -> bool {
        timed(&self.file)
    }
    fn at(&self) -> String {
        format!("src/{}:{}", self.page, self.line)
    }
}

/// Whether a program prints to standard output.
pub fn prints(program: &str) -> bool {
    // `eprintln!` and `eprint!` write to stderr, which is not shown
    let on_stdout = |m: &str| program.match_indices(m).any(|(i, _)| !program[..i].ends_with('e'));
    // criterion prints its own report of each benchmark
    on_stdout("println!") || on_stdout("print!(") || program.contains("Criterion::default()")
}

/// Whether a program draws an SVG file: with plotters itself, or by writing one that a function of the course
/// drew (`std::fs::write(... "name.svg" ..., heatmap_svg(..)?)`).
pub fn draws(program: &str) -> bool {
    program.contains("SVGBackend::new(")
        || program.contains("SVGBackend::with_string(")
        || program.lines().any(|l| l.contains("fs::write(") && l.contains(".svg\""))
}

/// The figures a run drew, in the order the program names their files (a name it does not spell out last).
fn in_program_order<'a>(program: &str, svgs: &'a [(String, String)]) -> Vec<&'a str> {
    let mut named: Vec<(usize, &'a str)> = svgs.iter().map(|(name, svg)| (program.find(&format!("{name}\"")).unwrap_or(usize::MAX), svg.as_str())).collect();
    named.sort_by_key(|(at, _)| *at);
    named.into_iter().map(|(_, svg)| svg).collect()
}

/// Listings the test runs: not `ignore`, `no_run`, `compile_fail` or `should_panic`.
fn runnable(block: &snippets::Block) -> bool {
    !block.info.iter().any(|t| matches!(t.as_str(), "ignore" | "no_run" | "compile_fail" | "should_panic"))
}

/// The file of a listing the compiler must refuse: an `ignore` block that includes `code/<crate>/listings/*.rs`.
fn refused_listing(block: &snippets::Block, page_dir: &Path) -> Option<PathBuf> {
    let file = snippets::normalize(&page_dir.join(&snippets::includes(&block.body).first()?.path));
    let parts: Vec<&str> = file.iter().filter_map(|c| c.to_str()).collect();
    let listing = parts.len() == 4 && parts[0] == "code" && parts[2] == "listings" && parts[3].ends_with(".rs");
    (listing && block.info.iter().any(|t| t == "ignore")).then_some(file)
}

/// What the compiler said of a refused listing, as `cargo build` shows it in a project (`src/main.rs`).
fn refusal(stderr: &str) -> String {
    stderr.replace("--> main.rs:", "--> src/main.rs:")
}

/// The output file a page shows after its line `after` (1-based: the lines from index `after` on): the first
/// non-blank line, if it includes a file under [`DIR`] (relative to the repository; `page_dir` is the page's
/// folder, `src/...`), with the index of the line after it.
pub fn output_after(lines: &[&str], page_dir: &Path, after: usize) -> Option<(PathBuf, usize)> {
    let (i, line) = lines.iter().enumerate().skip(after).find(|(_, l)| !l.trim().is_empty())?;
    let file = snippets::normalize(&page_dir.join(&snippets::includes(line).first()?.path));
    file.starts_with(DIR).then_some((file, i + 1))
}

/// Every slot of the book, and what is wrong: a printing listing with no output under it, an output under a
/// listing that cannot show one, an output file no page includes.
pub fn slots(root: &Path) -> Result<(Vec<Slot>, Vec<String>), String> {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for page in budget::book_pages(root)? {
        let lines: Vec<&str> = page.text.lines().collect();
        for block in snippets::blocks(&page.text).into_iter().filter(snippets::Block::is_rust) {
            let page_dir = Path::new("src").join(&page.file).parent().map(Path::to_path_buf).unwrap_or_default();
            let refused = refused_listing(&block, &page_dir);
            let program = match &refused {
                Some(file) => fs::read_to_string(root.join(file)).map_err(|e| format!("{}: {e}", file.display()))?,
                None => copying::program(&block.body),
            };
            let shows = refused.is_some() || (runnable(&block) && (prints(&program) || draws(&program)));
            let refused = refused.is_some();
            let file = output_after(&lines, &page_dir, block.end).map(|(file, _)| file);
            let at = format!("src/{}:{}", page.file, block.line);
            match (shows, file) {
                (true, Some(file)) => found.push(Slot { page: page.file.clone(), line: block.line, program, file, refused }),
                (true, None) => problems.push(format!(
                    "{at}: the listing prints or draws but shows no output: put `{{{{#include ../../{DIR}/<chapter>/<name>.md}}}}` on the line after it and run `cargo xtask outputs`"
                )),
                (false, Some(file)) => problems.push(format!(
                    "{at}: {} is shown under a listing that the tests do not run or that neither prints nor draws",
                    file.display()
                )),
                (false, None) => {}
            }
        }
    }
    let mut seen = BTreeSet::new();
    for slot in &found {
        if !seen.insert(slot.file.clone()) {
            problems.push(format!("{}: {} is the output of another listing too", slot.at(), slot.file.display()));
        }
    }
    let mut files = Vec::new();
    if root.join(DIR).is_dir() {
        crate::collect(&root.join(DIR), "md", &mut files).map_err(|e| format!("{DIR}: {e}"))?;
    }
    let python_outputs = crate::python::output_files(root)?;
    for file in files {
        let relative = file.strip_prefix(root).unwrap_or(&file).to_path_buf();
        if !seen.contains(&relative) && !python_outputs.contains(&relative) {
            problems.push(format!("{}: no page shows it under a listing (remove it, or include it)", relative.display()));
        }
    }
    Ok((found, problems))
}

/// The output file's text for what a run produced, or why the listing cannot show one.
pub fn render(slot: &Slot, run: &RunOutput) -> Result<String, String> {
    let at = slot.at();
    if slot.refused {
        if run.compiled {
            return Err(format!("{at}: compiles, but the page shows it as refused by the compiler"));
        }
        return Ok(opening(&slot.page, &refusal(&run.compile_stderr), "listing-output compiler-output") + "</div>\n");
    }
    if !run.compiled {
        return Err(format!("{at}: does not compile:\n{}", run.compile_stderr));
    }
    if run.timed_out || run.truncated || run.status != Some(0) {
        let why = if run.timed_out { "ran out of time".to_owned() } else if run.truncated { "printed too much".to_owned() } else { format!("exited with {:?} (signal {:?})", run.status, run.signal) };
        return Err(format!("{at}: {why}:\n{}{}", run.stdout, run.stderr));
    }
    if prints(&slot.program) && run.stdout.trim().is_empty() {
        return Err(format!("{at}: prints nothing"));
    }
    let mut out = opening(&slot.page, &run.stdout, "listing-output");
    if slot.timed() {
        out.push_str(&format!("{TIMED_NOTE}\n\n"));
    }
    if draws(&slot.program) {
        if run.svgs.is_empty() {
            return Err(format!("{at}: should draw an SVG file, drew 0"));
        }
        for svg in in_program_order(&slot.program, &run.svgs) {
            out.push_str(&figure(svg));
        }
    }
    out.push_str("</div>\n");
    Ok(out)
}

/// What two runs must agree on: the text as it is, and each figure's lines in sorted order (see the module's note).
pub fn canonical(text: &str) -> String {
    let mut out = Vec::new();
    let mut figure: Option<Vec<&str>> = None;
    for line in text.lines() {
        match (&mut figure, line) {
            (None, "<figure>") => figure = Some(Vec::new()),
            (Some(lines), "</figure>") => {
                lines.sort_unstable();
                out.push("<figure>".to_owned());
                out.extend(lines.iter().map(|l| l.to_string()));
                figure = None;
                out.push(line.to_owned());
            }
            (Some(lines), _) => lines.push(line),
            (None, _) => out.push(line.to_owned()),
        }
    }
    out.join("\n")
}

/// Under a timed output: how it was built (see `run_all`), and that its numbers are one run's.
pub const TIMED_NOTE: &str = "<p class=\"output-note\">Optimised build (as <code>cargo run --release</code>); the numbers vary from run to run.</p>";

/// The start of an output file: the marker, the box, and what the program printed.
fn opening(page: &str, stdout: &str, class: &str) -> String {
    let mut out = format!("{MARKER}: written by `cargo xtask outputs` from the listing above it on src/{page}; do not edit -->\n");
    out.push_str(&format!("<div class=\"{class}\">\n\n"));
    if !stdout.trim().is_empty() {
        let fence = if stdout.contains("```") { "~~~~" } else { "```" };
        out.push_str(&format!("{fence}text\n{}\n{fence}\n\n", stdout.trim_end()));
    }
    out
}

/// The output file of a Python listing: what it printed and drew, in a box the book's script makes the Python
/// tab of.
pub fn render_python(page: &str, stdout: &str, svg: Option<&str>) -> String {
    let mut out = opening(page, stdout, "listing-output python-output");
    if let Some(svg) = svg {
        out.push_str(&figure(svg));
    }
    out + "</div>\n"
}

/// A drawn SVG as the page shows it.
fn figure(svg: &str) -> String {
    // Inline in HTML, from the <svg> element on: an XML declaration or DOCTYPE (Matplotlib writes both) is a parse
    // error there. And an HTML block ends at a blank line: the SVG's own blank lines, if any, would end it early.
    // Comments go too: Matplotlib writes each label's mathtext in one (`<!-- $10^{-1}$ -->`), which the book's
    // KaTeX would try to render as math.
    let comment = |l: &str| l.trim().starts_with("<!--") && l.trim().ends_with("-->");
    let svg: Vec<&str> = svg.lines().skip_while(|l| !l.trim_start().starts_with("<svg")).filter(|l| !l.trim().is_empty() && !comment(l)).collect();
    format!("<figure>\n{}\n</figure>\n\n", svg.join("\n"))
}

/// A timed output's shape: every number (with its decimal point) and the time unit after it masked, criterion's
/// outlier lines left out (it prints them only for a run that had outliers), and the padding of table columns.
pub fn shape(text: &str) -> String {
    let outliers = |l: &str| {
        let t = l.trim();
        (t.starts_with("Found ") && t.contains(" outliers among ")) || ((t.ends_with(" mild") || t.ends_with(" severe")) && t.contains("%)"))
    };
    let text = text.lines().filter(|l| !outliers(l)).collect::<Vec<_>>().join("\n");
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            while chars.peek().is_some_and(|c| c.is_ascii_digit() || *c == '.') {
                chars.next();
            }
            out.push('#');
            // `1.2ms`, `980µs`, `3 s`: the unit changes with the number
            let rest: String = chars.clone().take(9).collect();
            // criterion's rates too: `2.2 Gelem/s` on one machine is `900 Melem/s` on another
            for unit in ["Gelem/s", "Melem/s", "Kelem/s", "elem/s", "ns", "µs", "us", "ms", "s"] {
                if rest.trim_start_matches(' ').starts_with(unit) && !rest.trim_start_matches(' ')[unit.len()..].starts_with(char::is_alphabetic) {
                    while chars.peek() == Some(&' ') {
                        chars.next();
                    }
                    for _ in unit.chars() {
                        chars.next();
                    }
                    out.push_str(" <unit>");
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    // a table's columns are as wide as their numbers: runs of spaces and of dashes are one
    let mut collapsed = String::with_capacity(out.len());
    for c in out.chars() {
        if !((c == ' ' || c == '-') && collapsed.ends_with(c)) {
            collapsed.push(c);
        }
    }
    collapsed
}

/// What the budget reads an output file as: its text lines as table rows (an output is looked over like a table,
/// its words at the table rate) and its figure as one figure.
pub fn for_budget(text: &str) -> String {
    let mut out = String::new();
    let mut in_fence = false;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with("```") || t.starts_with("~~~~") {
            in_fence = !in_fence;
        } else if in_fence && !t.is_empty() {
            out.push_str(&format!("| {t}\n"));
        } else if t == "<figure>" {
            out.push_str("![an output figure]()\n");
        } else if t.starts_with("<p class=\"output-note\">") {
            out.push_str(&format!("{t}\n\n")); // read as prose
        }
    }
    out
}

fn limits() -> Limits {
    // a polars listing: up to a few hundred MB and a thread per core; the slowest listing runs for about a second
    Limits { wall: Duration::from_secs(60), memory_bytes: 4 << 30, processes: 64, file_bytes: 64 << 20, output_bytes: 256 << 10 }
}

/// What a reader sees: the runner gives each program a fresh temporary folder as `TMPDIR`; a reader's is `/tmp`.
fn as_a_reader_sees(mut run: RunOutput) -> RunOutput {
    let folder = std::env::temp_dir().join("xtask-run-").to_string_lossy().into_owned();
    while let Some(at) = run.stdout.find(&folder) {
        let end = at + folder.len() + 6; // mkdtemp's XXXXXX
        run.stdout.replace_range(at..end.min(run.stdout.len()), "/tmp");
    }
    run
}

/// Runs every slot's listing, the results in order of the slots: two at a time (there are two cores), then the
/// timed ones alone, so that nothing else runs beside what they time.
fn run_all(toolchain: &Toolchain, slots: &[Slot], times: usize) -> Vec<Result<Vec<String>, String>> {
    let run = |slot: &Slot| {
        (0..times)
            // timings from a debug build would mislead: time what `cargo run --release` makes
            .map(|_| toolchain.run_as(&slot.program, &limits(), slot.timed()))
            .map(|ran| ran.and_then(|ran| render(slot, &as_a_reader_sees(ran))))
            .collect::<Result<Vec<String>, String>>()
    };
    let (timed, untimed): (Vec<usize>, Vec<usize>) = (0..slots.len()).partition(|&i| slots[i].timed());
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<Vec<String>, String>>>> = Mutex::new(vec![None; slots.len()]);
    let done = AtomicUsize::new(0);
    let finish = |i: usize, result| {
        let n = done.fetch_add(1, Ordering::SeqCst) + 1;
        eprintln!("outputs: [{n}/{}] {} -> {}", slots.len(), slots[i].at(), slots[i].file.display());
        results.lock().unwrap()[i] = Some(result);
    };
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                while let Some(&i) = untimed.get(next.fetch_add(1, Ordering::SeqCst)) {
                    finish(i, run(&slots[i]));
                }
            });
        }
    });
    for i in timed {
        finish(i, run(&slots[i]));
    }
    results.into_inner().unwrap().into_iter().map(|r| r.expect("every slot ran")).collect()
}

/// `write`: writes every output (each listing run twice: an output that differs between runs and is not marked
/// timed is an error). Otherwise checks the committed ones, and leaves the fresh text of a stale one in
/// `target/outputs/` to compare.
pub fn generate(root: &Path, write: bool) -> Result<usize, String> {
    let (slots, problems) = slots(root)?;
    if !problems.is_empty() {
        return Err(format!("shown outputs:\n{}", problems.join("\n")));
    }
    let toolchain = Toolchain::prepare(root)?;
    let results = run_all(&toolchain, &slots, if write { 2 } else { 1 });
    let mut failures = Vec::new();
    for (slot, result) in slots.iter().zip(results) {
        let texts = match result {
            Ok(texts) => texts,
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        let fresh = &texts[0];
        let file = root.join(&slot.file);
        let committed = fs::read_to_string(&file).unwrap_or_default();
        if write {
            if texts.iter().any(|t| canonical(t) != canonical(fresh)) && !slot.timed() {
                failures.push(format!("{}: prints something else each run: make it deterministic (sort, maintain_order, a seed) or name its output `.timed.md`", slot.at()));
                continue;
            }
            if let Some(dir) = file.parent() {
                fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            }
            if canonical(&committed) != canonical(fresh) || slot.timed() {
                crate::course_file(&file, fresh)?; // (an unchanged figure in another order stays as committed)
            }
            continue;
        }
        if !unchanged(&committed, fresh, slot.timed()) {
            let copy = root.join("target/outputs").join(&slot.file);
            if let Some(dir) = copy.parent() {
                let _ = fs::create_dir_all(dir);
            }
            let _ = fs::write(&copy, fresh);
            failures.push(format!("{}: {} is stale (this run's output is in {})", slot.at(), slot.file.display(), copy.display()));
        }
    }
    if !failures.is_empty() {
        let hint = if write { "" } else { "\nrun `cargo xtask outputs` to write them again, and look at the diff" };
        return Err(format!("shown outputs: {} of {}:\n{}{hint}", failures.len(), slots.len(), failures.join("\n")));
    }
    Ok(slots.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(program: &str, file: &str) -> Slot {
        Slot { page: "p.md".into(), line: 3, program: program.into(), file: file.into(), refused: false }
    }

    fn ran(stdout: &str) -> RunOutput {
        RunOutput { compiled: true, status: Some(0), stdout: stdout.into(), ..RunOutput::default() }
    }

    #[test]
    fn a_listing_the_compiler_refuses_shows_its_error_as_a_project_shows_it() {
        let block = |info: &[&str], body: &str| snippets::Block { line: 1, info: info.iter().map(|t| t.to_string()).collect(), body: body.into(), before: String::new(), end: 3 };
        let page = Path::new("src/arrays");
        let include = "{{#include ../../code/arrays/listings/view_then_write.rs}}";
        assert_eq!(refused_listing(&block(&["rust", "ignore"], include), page), Some(PathBuf::from("code/arrays/listings/view_then_write.rs")));
        assert_eq!(refused_listing(&block(&["rust"], include), page), None, "a listing that compiles is not in listings/");
        assert_eq!(refused_listing(&block(&["rust", "ignore"], "{{#include ../../code/arrays/src/lib.rs:x}}"), page), None);

        let mut s = slot("fn main() { let x = 1; x = 2; }", "figures/outputs/p.md");
        s.refused = true;
        let error = RunOutput { compiled: false, compile_stderr: "error[E0384]: cannot assign twice\n --> main.rs:1:24\n".into(), ..RunOutput::default() };
        let shown = render(&s, &error).unwrap();
        assert!(shown.contains("compiler-output") && shown.contains(" --> src/main.rs:1:24"), "{shown}");
        assert!(render(&s, &ran("")).unwrap_err().contains("compiles, but"), "a refused listing that compiles is a stale page");
    }

    #[test]
    fn an_output_is_its_text_in_a_fence_and_its_figure() {
        let s = slot("fn main() { println!(\"x\"); }", "figures/outputs/p.md");
        let text = render(&s, &ran("shape: (2, 1)\n")).unwrap();
        assert!(text.starts_with(MARKER));
        assert!(text.contains("```text\nshape: (2, 1)\n```"));
        let drawn = slot("fn main() { SVGBackend::new(\"a.svg\", (1, 1)); }", "figures/outputs/q.md");
        let run = RunOutput { svgs: vec![("a.svg".into(), "<svg>\n\n<rect/>\n</svg>\n".into())], ..ran("") };
        let text = render(&drawn, &run).unwrap();
        assert!(text.contains("<figure>\n<svg>\n<rect/>\n</svg>\n</figure>"), "{text}");
        assert!(!text.contains("```"));
    }

    #[test]
    fn a_failing_or_silent_listing_shows_no_output() {
        let s = slot("fn main() { println!(\"x\"); }", "figures/outputs/p.md");
        assert!(render(&s, &ran("  \n")).unwrap_err().contains("prints nothing"));
        assert!(render(&s, &RunOutput { status: Some(101), ..ran("half") }).unwrap_err().contains("exited with Some(101)"));
        assert!(render(&s, &RunOutput { compiled: false, ..ran("") }).unwrap_err().contains("does not compile"));
        assert!(render(&s, &RunOutput { timed_out: true, ..ran("") }).unwrap_err().contains("out of time"));
        let drawn = slot("fn main() { SVGBackend::new(\"a.svg\", (1, 1)); }", "figures/outputs/q.md");
        assert!(render(&drawn, &ran("")).unwrap_err().contains("drew 0"));
    }

    #[test]
    fn a_figure_starts_at_its_svg_element() {
        let matplotlib = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\"\n  \"http://www.w3.org/svg11.dtd\">\n<svg a=\"1\">\n\n<g/>\n</svg>\n";
        assert_eq!(figure(matplotlib), "<figure>\n<svg a=\"1\">\n<g/>\n</svg>\n</figure>\n\n");
    }

    #[test]
    fn a_figure_is_the_same_in_another_order_but_not_with_other_lines() {
        let a = "x\n<figure>\n<svg>\n<rect a/>\n<rect b/>\n</svg>\n</figure>\n";
        let reordered = "x\n<figure>\n<svg>\n<rect b/>\n<rect a/>\n</svg>\n</figure>\n";
        assert_eq!(canonical(a), canonical(reordered));
        assert_ne!(canonical(a), canonical(&a.replace("rect b", "rect c")));
        // outside a figure, order is content
        assert_ne!(canonical("1\n2\n"), canonical("2\n1\n"));
    }

    #[test]
    fn a_timed_output_is_compared_by_shape() {
        assert_eq!(shape("sum 12.5ms, 3 runs"), shape("sum 980µs, 7 runs"));
        assert_eq!(shape("took 1.2 s"), "took # <unit>");
        assert_ne!(shape("sum 12.5ms"), shape("mean 12.5ms"));
        assert_ne!(shape("3 rows"), shape("3 rows\n4 rows"));
        assert_eq!(shape("3 samples"), "# samples"); // `s` of a word is not a unit
        let quiet = "sum/loop/1000 time: [1.2 µs 1.3 µs 1.4 µs]\nsum/loop/9 time: [5 ns 6 ns 7 ns]";
        let outliers = "sum/loop/1000 time: [1.2 µs 1.3 µs 1.4 µs]\nFound 2 outliers among 10 measurements (20.00%)\n  1 (10.00%) high mild\n  1 (10.00%) high severe\nsum/loop/9 time: [5 ns 6 ns 7 ns]";
        assert_eq!(shape(quiet), shape(outliers), "criterion reports outliers only when it found some");
        let narrow = "  name    median\n  ----  ------\n  loop    114 µs";
        let wide = "  name     median\n  ----  -------\n  loop    97.8 µs";
        assert_eq!(shape(narrow), shape(wide), "a column as wide as its numbers");
        assert_eq!(shape("thrpt: [2.2 Gelem/s 2.3 Gelem/s]"), shape("thrpt: [901 Melem/s 1.0 Gelem/s]"));
        assert_eq!(shape("3 elements"), "# elements", "a word is not a unit");
        assert_ne!(shape("a b"), shape("ab"), "a space is still a space");
    }

    #[test]
    fn the_budget_reads_an_output_as_table_words_and_a_figure() {
        let text = format!("{MARKER} -->\n<div class=\"listing-output\">\n\n```text\nshape: (2, 1)\n\n│ a │\n```\n\n<figure>\n<svg/>\n</figure>\n</div>\n");
        let counted = budget::count(&for_budget(&text));
        assert_eq!((counted.table_words, counted.code_lines, counted.prose_words, counted.figures), (4, 0, 0, 1)); // `shape:`, `(2,`, `1)` and `a`
    }

    #[test]
    fn which_listings_must_show_output() {
        assert!(prints("println!(\"{df}\")") && prints("print!(\"a\")"));
        assert!(!prints("eprintln!(\"progress\")"));
        assert!(prints("let mut c = Criterion::default().sample_size(10);"), "criterion prints its report");
        assert!(draws("let root = SVGBackend::new(\"a.svg\", (640, 480)).into_drawing_area();"));
        assert!(draws("SVGBackend::with_string(&mut svg, (600, 400))"));
        assert!(draws("std::fs::write(dir.join(\"map.svg\"), heatmap_svg(&map, (520, 420))?)?;"));
        assert!(!draws("report.flamegraph(std::fs::File::create(dir.join(\"f.svg\"))?)?;\nstd::fs::write(\"a.json\", s)?;"));
    }

    #[test]
    fn figures_are_shown_in_the_order_the_program_names_them() {
        let program = "fs::write(out.join(\"flipper.svg\"), a)?;\nfs::write(out.join(\"bills.svg\"), b)?;";
        let run = RunOutput { svgs: vec![("bills.svg".into(), "<svg>b</svg>".into()), ("flipper.svg".into(), "<svg>f</svg>".into())], ..ran("") };
        let text = render(&slot(program, "figures/outputs/q.md"), &run).unwrap();
        assert!(text.find("<svg>f</svg>").unwrap() < text.find("<svg>b</svg>").unwrap(), "{text}");
    }

    #[test]
    fn a_reader_sees_their_own_temporary_folder() {
        let folder = std::env::temp_dir().join("xtask-run-a1B2c3/sort.pb");
        let run = as_a_reader_sees(ran(&format!("wrote {}\n", folder.display())));
        assert_eq!(run.stdout, "wrote /tmp/sort.pb\n");
    }

    /// The book as it is: every printing listing has an output, and every output file a listing.
    #[test]
    fn every_printing_listing_of_the_book_shows_its_output() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let (slots, problems) = slots(&root).unwrap();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        assert!(slots.len() >= 20, "{} outputs", slots.len());
    }
}
