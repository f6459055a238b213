//! Lab 1.2.5's measurements: every optimization step against the slow function, end to end, and the distance
//! matrix alone (the part the Python module times against Numba).

use crate::knn::{self, Knn};
use course_utils::table::{format_ratio, generated_header, write_generated};
use course_utils::{Agree, Compare, CompareError, Machine, OutputBuffer, Report, Schedule, Tolerance};
use ndarray::Array2;
use std::path::Path;

/// The lab's workload: N points in D dimensions, k neighbours each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Workload {
    pub n: usize,
    pub dim: usize,
    pub k: usize,
}

/// N = 2000, D = 3 as in the Python module's timing of the distance matrix; k = 10.
pub const LAB: Workload = Workload { n: 2000, dim: 3, k: 10 };

pub const KNN_TABLE: &str = "performance/lab-1-2-5-knn.md";
pub const DISTANCES_TABLE: &str = "performance/lab-1-2-5-distances.md";
pub const SUMMARY: &str = "performance/lab-1-2-5-summary.md";
pub const SOURCE: &str = "code/performance/src/lab_1_2_5.rs";
/// The profiles of the slow function and of the fastest version: (flamegraph, table) each.
/// (the SVG to open on its own, the `<img>` the book includes, the table)
pub const PROFILE_SLOW: [&str; 3] =
    ["performance/lab-1-2-5-flamegraph-slow.svg", "performance/lab-1-2-5-flamegraph-slow.html", "performance/lab-1-2-5-profile-slow.md"];
pub const PROFILE_FAST: [&str; 3] =
    ["performance/lab-1-2-5-flamegraph-fast.svg", "performance/lab-1-2-5-flamegraph-fast.html", "performance/lab-1-2-5-profile-fast.md"];

/// Both shapes of the same points: nested vectors for the slow version and step 1, an array for the rest.
pub struct Input {
    pub nested: Vec<Vec<f64>>,
    pub array: Array2<f64>,
    pub k: usize,
}

impl Input {
    pub fn new(w: Workload, seed: u64) -> Input {
        let array = knn::random_points(w.n, w.dim, seed);
        Input { nested: knn::to_nested(array.view()), array, k: w.k }
    }
}

impl Agree for Knn {
    /// Distances within the tolerance, neighbours identical.
    fn agree(&self, reference: &Self, tol: Tolerance) -> Result<(), String> {
        self.distances.agree(&reference.distances, tol).map_err(|e| format!("distances: {e}"))?;
        self.neighbours.agree(&reference.neighbours, Tolerance::EXACT).map_err(|e| format!("neighbours: {e}"))
    }
}

fn expect(result: Result<Knn, knn::KnnError>) -> Knn {
    // the input is validated when it is made (seeded finite points, k < n): an error here is a bug
    result.unwrap_or_else(|e| panic!("the lab's input is valid: {e}"))
}

// ANCHOR: knn_report
/// The slow function and the five steps, end to end, checked against the slow function's output.
pub fn knn_report(w: Workload, runs: usize) -> Result<Report, CompareError> {
    let input = Input::new(w, 42);
    Compare::new(format!("Distances + {} nearest neighbours, N = {}, D = {}, f64", w.k, w.n, w.dim))
        .runs(runs)
        .schedule(Schedule::Blocks) // rayon's idle threads would otherwise spin into the next version's time
        .tolerance(Tolerance::new(0.0, 1e-12)) // step 4's matrix-product trick rounds differently
        .add("slow: `Vec<Vec<f64>>`, full sort", |i: &Input| {
            let (d, nb) = knn::knn_slow(&i.nested, i.k).unwrap_or_else(|e| panic!("the lab's input is valid: {e}"));
            Knn::from_nested(&d, &nb)
        })
        .add("1: allocate once", |i: &Input| expect(knn::knn_step1_allocate_once(&i.nested, i.k)))
        .add("2: + contiguous `Array2`", |i: &Input| expect(knn::knn_step2_contiguous(i.array.view(), i.k)))
        .add("3: + one-pass top-k selection", |i: &Input| expect(knn::knn_step3_select(i.array.view(), i.k)))
        .add("4: + matrix-product distances", |i: &Input| expect(knn::knn_step4_gram(i.array.view(), i.k)))
        .add("5: coordinates as columns + rayon", |i: &Input| expect(knn::knn_step5_parallel(i.array.view(), i.k)))
        .run(&input)
}
// ANCHOR_END: knn_report

// ANCHOR: distances_report
/// The distance matrix alone, the Python module's Numba benchmark.
pub fn distances_report(w: Workload, runs: usize) -> Result<Report, CompareError> {
    let input = Input::new(w, 42);
    let kept = OutputBuffer::new();
    let empty = || Array2::<f64>::zeros((w.n, w.n));
    Compare::new(format!("Distance matrix alone, N = {}, D = {}, f64", w.n, w.dim))
        .runs(runs)
        .schedule(Schedule::Blocks)
        .tolerance(Tolerance::new(0.0, 1e-12))
        .add("nested loops over `Vec<Vec<f64>>`", |i: &Input| std::sync::Arc::new(knn::distances_nested(&i.nested)))
        .add("contiguous `Array2`, one core", |i: &Input| std::sync::Arc::new(knn::distances_serial(i.array.view())))
        .add("matrix-product trick, one core", |i: &Input| std::sync::Arc::new(knn::distances_gram(i.array.view())))
        .add("coordinates as columns (SIMD), one core", |i: &Input| std::sync::Arc::new(knn::distances_columns(i.array.view())))
        .add("coordinates as columns, rayon", |i: &Input| std::sync::Arc::new(knn::distances_parallel(i.array.view())))
        .add("coordinates as columns, rayon, kept output", |i: &Input| kept.fill(empty, |out| {
            knn::distances_parallel_into(i.array.view(), out.view_mut()).expect("the kept output is (N, N)")
        }))
        .run(&input)
}
// ANCHOR_END: distances_report

/// The lab's conclusion, from the measured numbers.
pub fn summary(knn: &Report, distances: &Report) -> Result<String, String> {
    let best = |r: &Report| {
        r.timings().iter().skip(1).min_by_key(|t| t.median).map(|t| (t.name.clone(), r.speedup(&t.name).unwrap_or(f64::NAN))).ok_or("empty report")
    };
    let (_, knn_x) = best(knn)?;
    let (dist_best, _) = best(distances)?;
    let dist_time = distances.get(&dist_best).map(|t| course_utils::table::format_duration(t.median)).unwrap_or_default();
    // the versions that tie with the fastest are named with it: a ranking between them is noise
    let tied = |r: &Report| course_utils::fastest_names(&course_utils::fastest_tied(r.timings().iter().skip(1)));
    let steps: Vec<String> = knn
        .timings()
        .windows(2)
        .map(|w| format!("{} {}", w[1].name.split(':').next().unwrap_or("?"), format_ratio(w[0].median.as_secs_f64() / w[1].median.as_secs_f64())))
        .collect();
    Ok(format!(
        "{}- End to end, the fastest version, {}, is **{}** faster than the slow function, with the same \
         neighbours (checked before timing).\n- Each step's speed against the one before (above 1x: faster; within \
         the noise where each median lies within the other's range): {}.\n- The distance matrix alone takes {dist_time} at best: {}.\n",
        generated_header(SOURCE),
        tied(knn),
        format_ratio(knn_x),
        steps.join(", "),
        tied(distances),
    ))
}

// ANCHOR: profiles
/// Profiles the slow function and the fastest version at the lab's size with pprof (250 Hz, at least `seconds`
/// each) and writes their flamegraphs and per-function tables under `out`.
pub fn write_profiles(out: &Path, seconds: f64) -> Result<(), Box<dyn std::error::Error>> {
    let input = Input::new(LAB, 42);
    let slow = crate::profiles::profile("knn_slow: N = 2000, D = 3, k = 10", 250, seconds, || knn::knn_slow(&input.nested, input.k))?;
    let fast = crate::profiles::profile("knn_step5_parallel: N = 2000, D = 3, k = 10", 250, seconds, || {
        knn::knn_step5_parallel(input.array.view(), input.k)
    })?;
    let machine = Machine::current();
    for ([svg, html, md], p, what) in [(PROFILE_SLOW, &slow, "the slow function"), (PROFILE_FAST, &fast, "the fastest version")] {
        write_generated(&out.join(svg), &p.flamegraph_svg)?;
        write_generated(&out.join(html), &crate::profiles::svg_img(&p.flamegraph_svg, &format!("Flamegraph of {what}")))?;
        let text = format!(
            "{}{}\n*{} samples at {} Hz over {:.1} s ({} calls); self: the function itself was running; total: it was on \
             the stack. {machine}*\n",
            generated_header(SOURCE),
            crate::profiles::table(p, 10),
            p.samples,
            p.frequency,
            p.seconds,
            p.calls,
        );
        write_generated(&out.join(md), &text)?;
        println!("wrote {svg} and {md} ({} samples)", p.samples);
    }
    Ok(())
}
// ANCHOR_END: profiles

/// Where the line-level table goes.
pub const LINE_PROFILE: &str = "performance/lab-1-2-5-callgrind.md";
/// The size callgrind runs the slow function at (it runs code about 50x slower than native).
pub const CALLGRIND_N: usize = 600;

/// What the program under callgrind does: the slow function once, on the lab's kind of points.
pub fn callgrind_target(n: usize) -> Result<(), Box<dyn std::error::Error>> {
    let input = Input::new(Workload { n, ..LAB }, 42);
    let (d, nb) = knn::knn_slow(&input.nested, input.k)?;
    println!("{} distances, {} neighbour lists", d.len() * d.len(), nb.len());
    Ok(())
}

/// One source line's share of the instructions callgrind counted.
#[derive(Debug, Clone, PartialEq)]
pub struct LineCost {
    pub line: usize,
    pub instructions: u64,
    pub source: String,
}

// ANCHOR: annotate
/// Reads `callgrind_annotate`'s annotated listing of one source file: (line number, instructions, text) for
/// every line that executed. Lines look like `  1,234,567  let x = ...` or `          .  // nothing ran`;
/// `-- line 57 ----` says where the next shown line is, `=>` lines are calls (their cost is the callee's).
pub fn parse_annotated(listing: &str, file: &str) -> Vec<LineCost> {
    let mut out = Vec::new();
    let mut inside = false;
    let mut line = 0;
    for text in listing.lines() {
        let header = text.strip_prefix("-- User-annotated source: ").or_else(|| text.strip_prefix("-- Auto-annotated source: "));
        if let Some(name) = header {
            inside = name.trim().ends_with(file);
            line = 0;
            continue;
        }
        if !inside {
            continue;
        }
        if let Some(rest) = text.strip_prefix("-- line ") {
            // the listing skips unexecuted stretches; the next line shown is this one
            line = rest.split_whitespace().next().and_then(|n| n.parse::<usize>().ok()).map_or(line, |n| n - 1);
            continue;
        }
        if text.starts_with("----") {
            inside = line == 0; // the end rule of this file's section (the one right after its header is skipped)
            continue;
        }
        let trimmed = text.trim_start();
        let Some((count, source)) = trimmed.split_once("  ").or(Some((trimmed, ""))).filter(|(c, _)| !c.is_empty()) else {
            continue;
        };
        let is_count = count == "." || count.chars().all(|c| c.is_ascii_digit() || c == ',');
        if !is_count || source.trim_start().starts_with("=>") || source.starts_with("<counts for") {
            continue; // the "Ir" heading, `<counts for unidentified lines>`, or a call line
        }
        line += 1;
        if count != "." {
            let instructions = count.replace(',', "").parse().unwrap_or(0);
            out.push(LineCost { line, instructions, source: source.trim().to_owned() });
        }
    }
    out
}

/// One row of `callgrind_annotate`'s `file:function` table: instructions executed in `function` whose debug
/// information points into `file` (code inlined from the standard library keeps its own file).
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionCost {
    pub instructions: u64,
    pub file: String,
    pub function: String,
}

pub fn parse_functions(listing: &str) -> Vec<FunctionCost> {
    listing
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("Ir") || !l.contains("file:function"))
        .skip(2) // the heading and its rule
        .take_while(|l| !l.starts_with("----"))
        .filter_map(|l| {
            let (count, rest) = l.trim_start().split_once(char::is_whitespace)?;
            let instructions = count.replace(',', "").parse().ok()?;
            let rest = rest.trim_start();
            let rest = rest.rsplit_once(" [").map_or(rest, |(r, _)| r); // drop the " [/path/to/binary]"
            let (file, function) = rest.split_once(':')?;
            Some(FunctionCost { instructions, file: file.to_owned(), function: function.to_owned() })
        })
        .collect()
}

/// Sorts callgrind's rows into what a reader can act on.
pub fn category(f: &FunctionCost) -> &'static str {
    let file = f.file.as_str();
    if f.function.contains("knn_slow") {
        if file.ends_with("knn.rs") {
            "`knn_slow`: its own lines (the table below)"
        } else if file.ends_with("slice/index.rs") || file.ends_with("ptr/mod.rs") || file.ends_with("mut_ptr.rs") {
            "`knn_slow`: indexing `v[i][d]` with bounds checks (inlined)"
        } else if file.contains("vec/") || file.contains("raw_vec") {
            "`knn_slow`: `Vec::push` (inlined)"
        } else {
            "`knn_slow`: loop ranges, comparisons, `sqrt` (inlined)"
        }
    } else if f.function.contains("slice::sort") {
        "`sort_by`: sorting each point's N - 1 candidates"
    } else if f.function.contains("raw_vec") || f.function.contains("alloc") || file.contains("malloc") || f.function.contains("free") {
        "heap: `malloc`, `realloc`, `free` (growing and dropping `Vec`s)"
    } else if f.function.contains("memcpy") || f.function.contains("memmove") {
        "`memcpy`: moving a `Vec`'s contents when it grows"
    } else {
        "everything else (program start, the input)"
    }
}
// ANCHOR_END: annotate

/// Runs the slow function under callgrind (via `exe --callgrind-target`) and writes the per-line table of its
/// source lines. Without valgrind it says so and keeps the committed table.
pub fn write_line_profile(out: &Path, exe: &Path) -> Result<(), Box<dyn std::error::Error>> {
    use std::process::Command;
    if Command::new("valgrind").arg("--version").output().is_err() {
        println!("valgrind is not installed: keeping {LINE_PROFILE} (sudo apt-get install valgrind to remeasure)");
        return Ok(());
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = root.join("target/callgrind");
    std::fs::create_dir_all(&dir)?;
    let data = dir.join("callgrind.out");
    let status = Command::new("valgrind")
        .args(["--tool=callgrind", "--quiet"])
        .arg(format!("--callgrind-out-file={}", data.display()))
        .arg(exe)
        .args(["--callgrind-target", &CALLGRIND_N.to_string()])
        .status()?;
    if !status.success() {
        return Err(format!("valgrind failed: {status}").into());
    }
    // the debug information names the file relative to the workspace root, so run from there
    let source = "code/performance/src/knn.rs";
    let listing = Command::new("callgrind_annotate")
        .current_dir(&root)
        .args(["--show-percs=no", "--threshold=100"])
        .arg(&data)
        .arg(source)
        .output()?;
    let listing = String::from_utf8_lossy(&listing.stdout);
    let total: u64 = listing_total(&listing).ok_or("no program total in callgrind_annotate's output")?;
    let share = |n: u64| format!("{:.1}%", 100.0 * n as f64 / total as f64);

    // where the instructions go, by kind of work
    let mut groups: Vec<(&str, u64)> = Vec::new();
    for f in parse_functions(&listing) {
        match groups.iter_mut().find(|(name, _)| *name == category(&f)) {
            Some((_, n)) => *n += f.instructions,
            None => groups.push((category(&f), f.instructions)),
        }
    }
    groups.sort_by_key(|g| std::cmp::Reverse(g.1));
    let mut by_kind = course_utils::table::Table::new(["where", "instructions", "share"]);
    by_kind.align(0, course_utils::table::Align::Left);
    for (name, n) in &groups {
        by_kind.push([name.to_string(), digits(*n), share(*n)]);
    }

    // the slow function's own lines
    let lines = parse_annotated(&listing, source);
    let text = std::fs::read_to_string(root.join(source))?;
    let (first, last) = anchor_lines(&text, "slow").ok_or("no `slow` anchor in knn.rs")?;
    let in_slow: Vec<&LineCost> = lines.iter().filter(|l| l.line > first && l.line < last).collect();
    for l in &in_slow {
        let printed = text.lines().nth(l.line - 1).map(str::trim);
        if printed != Some(l.source.as_str()) {
            return Err(format!("line {} of {source} is not `{}`: the listing was misread", l.line, l.source).into());
        }
    }
    let mut by_line = course_utils::table::Table::new(["line", "instructions", "share", "source"]);
    by_line.align(3, course_utils::table::Align::Left);
    for l in &in_slow {
        by_line.push([(l.line - first).to_string(), digits(l.instructions), share(l.instructions), format!("`{}`", shorten(&l.source, 60))]);
    }
    let charged: u64 = in_slow.iter().map(|l| l.instructions).sum();
    let text = format!(
        "{}{}\n*callgrind (valgrind), `knn_slow` once on N = {CALLGRIND_N} points, D = 3, k = 10, release build with \
         line tables: {} instructions in all. Each row adds up `callgrind_annotate`'s `file:function` rows of that kind.*\n\n\
         {}\n*The same run, `knn_slow`'s own lines (numbered from the top of the listing above; lines not shown ran \
         no instructions of their own). Together {}: the rest of the function's work is inlined library code, \
         charged to the library's files. {}*\n",
        generated_header(SOURCE),
        by_kind.to_markdown(),
        digits(total),
        by_line.to_markdown(),
        share(charged),
        Machine::current(),
    );
    write_generated(&out.join(LINE_PROFILE), &text)?;
    println!("wrote {LINE_PROFILE}");
    Ok(())
}

/// A source line cut to `max` characters for a table cell (the full listing is on the page).
fn shorten(source: &str, max: usize) -> String {
    match source.char_indices().nth(max) {
        Some((at, _)) => format!("{} …", &source[..at]),
        None => source.to_owned(),
    }
}

/// 105518196 -> "105,518,196", as callgrind prints counts.
pub fn digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The 1-based lines of `// ANCHOR: name` and `// ANCHOR_END: name`.
pub fn anchor_lines(text: &str, name: &str) -> Option<(usize, usize)> {
    let find = |marker: String| text.lines().position(|l| l.trim() == marker).map(|i| i + 1);
    Some((find(format!("// ANCHOR: {name}"))?, find(format!("// ANCHOR_END: {name}"))?))
}

/// The program's total instruction count from `callgrind_annotate`'s summary line (`1,234 (100.0%)  PROGRAM TOTALS`).
fn listing_total(listing: &str) -> Option<u64> {
    let line = listing.lines().find(|l| l.contains("PROGRAM TOTALS"))?;
    line.split_whitespace().next()?.replace(',', "").parse().ok()
}

/// Runs the lab: prints both tables and the summary; with `out`, writes them under it (the book's `figures/`).
pub fn run(out: Option<&Path>, runs: usize) -> Result<(), Box<dyn std::error::Error>> {
    let w = LAB;
    println!("Lab 1.2.5: N = {}, D = {}, k = {}; checking every version against the slow one, then timing ...", w.n, w.dim, w.k);
    let knn = knn_report(w, runs)?;
    println!("{knn}");
    let distances = distances_report(w, runs)?;
    println!("{distances}");
    let summary = summary(&knn, &distances)?;
    println!("{}", summary.lines().skip(1).collect::<Vec<_>>().join("\n"));
    if let Some(out) = out {
        let machine = Machine::current();
        write_generated(&out.join(KNN_TABLE), &format!("{}{}", generated_header(SOURCE), knn.to_markdown(&machine)))?;
        write_generated(&out.join(DISTANCES_TABLE), &format!("{}{}", generated_header(SOURCE), distances.to_markdown(&machine)))?;
        write_generated(&out.join(SUMMARY), &summary)?;
        println!("wrote {KNN_TABLE}, {DISTANCES_TABLE} and {SUMMARY} under {}", out.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reports_check_and_time_every_version_on_a_small_workload() {
        let w = Workload { n: 120, dim: 3, k: 5 };
        let knn = knn_report(w, 1).unwrap();
        assert_eq!(knn.timings().len(), 6);
        let distances = distances_report(w, 1).unwrap();
        assert_eq!(distances.timings().len(), 6);
        let text = summary(&knn, &distances).unwrap();
        assert!(text.contains("faster than the slow function") && text.contains("5 "));
    }

    /// A shortened listing in the shape callgrind_annotate 3.19 prints (`--show-percs=no`).
    const LISTING: &str = "\
--------------------------------------------------------------------------------
Ir          
--------------------------------------------------------------------------------
105,485,634  PROGRAM TOTALS

--------------------------------------------------------------------------------
Ir         file:function
--------------------------------------------------------------------------------
7,162,967  /rustc/abc/library/core/src/slice/sort/stable/quicksort.rs:core::slice::sort::stable::quicksort::quicksort'2 [/bin/x]
6,141,046  code/performance/src/knn.rs:performance::knn::knn_slow [/bin/x]
3,957,000  /rustc/abc/library/core/src/slice/index.rs:performance::knn::knn_slow
1,099,081  ./malloc/./malloc/malloc.c:_int_free [/usr/lib/x86_64-linux-gnu/libc.so.6]

--------------------------------------------------------------------------------
-- User-annotated source: code/performance/src/knn.rs
--------------------------------------------------------------------------------
Ir        

-- line 3 ----------------------------------------
        .  fn slow() {
       7      let a = 1;
        .  
   17,366  => /root/x.rs:f (1x)
2,160,000          sum += diff * diff;
-- line 40 ----------------------------------------
-- line 57 ----------------------------------------
       18      Ok(())
        .  }

    3,600  <counts for unidentified lines in code/performance/src/knn.rs>

--------------------------------------------------------------------------------
The following files chosen for auto-annotation could not be found:
--------------------------------------------------------------------------------
  ./elf/./elf/dl-lookup.c
";

    #[test]
    fn the_annotated_listing_is_read_with_its_line_numbers() {
        let lines = parse_annotated(LISTING, "src/knn.rs");
        let got: Vec<(usize, u64, &str)> = lines.iter().map(|l| (l.line, l.instructions, l.source.as_str())).collect();
        assert_eq!(got, [(4, 7, "let a = 1;"), (6, 2_160_000, "sum += diff * diff;"), (57, 18, "Ok(())")]);
        assert!(parse_annotated(LISTING, "src/other.rs").is_empty());
        assert_eq!(listing_total(LISTING), Some(105_485_634));
        assert_eq!([digits(7), digits(1_000), digits(105_485_634)], ["7", "1,000", "105,485,634"]);
    }

    #[test]
    fn the_function_table_is_read_and_sorted_into_kinds_of_work() {
        let rows = parse_functions(LISTING);
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[1], FunctionCost { instructions: 6_141_046, file: "code/performance/src/knn.rs".into(), function: "performance::knn::knn_slow".into() });
        let kinds: Vec<&str> = rows.iter().map(category).collect();
        assert!(kinds[0].contains("sort_by"));
        assert!(kinds[1].contains("own lines"));
        assert!(kinds[2].contains("bounds checks"));
        assert!(kinds[3].starts_with("heap"));
    }
}
