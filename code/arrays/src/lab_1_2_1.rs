//! Lab 1.2.1's measurements: the workloads, built once, compared with the course's `Compare` utility.
//! Used by the lab (`cargo run --release -p arrays --example lab-1-2-1`) and by the figure generator.

use crate::batch_matmul::{self, BatchShapeError};
use crate::outer;
use crate::sum::{sum_iter, sum_loop, sum_ndarray};
use course_utils::theme::{self, BACKGROUND};
use course_utils::{Compare, CompareError, Machine, OutputBuffer, Report, Schedule, Throughput, Tolerance};
use std::sync::Arc;
use ndarray::{Array1, Array2, Array3};
use ndarray_rand::RandomExt;
use ndarray_rand::rand::SeedableRng;
use ndarray_rand::rand::rngs::StdRng;
use ndarray_rand::rand_distr::Uniform;
use plotters::prelude::*;

/// The lab's batch: B matrices of (M, K) times B of (K, N), f32.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchShape {
    pub batches: usize,
    pub m: usize,
    pub k: usize,
    pub n: usize,
}

impl BatchShape {
    /// The module's workload: (64, 128, 128) x (64, 128, 128).
    pub const LAB: BatchShape = BatchShape { batches: 64, m: 128, k: 128, n: 128 };
}

/// Seeded uniform(-1, 1) inputs, so every run and every language sees the same numbers.
pub fn batch_inputs(shape: BatchShape, seed: u64) -> (Array3<f32>, Array3<f32>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let uniform = Uniform::new(-1.0f32, 1.0).expect("-1 < 1");
    let a = Array3::random_using((shape.batches, shape.m, shape.k), uniform, &mut rng);
    let b = Array3::random_using((shape.batches, shape.k, shape.n), uniform, &mut rng);
    (a, b)
}

type Batch = (Array3<f32>, Array3<f32>);
type BatchOutput = Result<Arc<Array3<f32>>, BatchShapeError>;

/// Batch matmul: every variant checked against the naive loops, then timed one after another (the broadcast
/// variant frees half a gigabyte per call, which would disturb whichever variant ran next), with its peak heap
/// (needs the counting allocator, see `course_utils::memory`, when `measure_heap` is true).
pub fn batch_matmul_report(shape: BatchShape, runs: usize, measure_heap: bool) -> Result<Report, CompareError> {
    let inputs = batch_inputs(shape, 42);
    let kept = OutputBuffer::new();
    let fresh = |r: Result<Array3<f32>, BatchShapeError>| r.map(Arc::new);
    let mut compare = Compare::<Batch, BatchOutput>::new(format!(
        "Batch matmul, f32, ({}, {}, {}) x ({}, {}, {})",
        shape.batches, shape.m, shape.k, shape.batches, shape.k, shape.n
    ))
    .runs(runs)
    .warmup(2)
    .schedule(Schedule::Blocks)
    // f32 sums of 128 products, in different orders: agree to about 1e-5 relative
    .tolerance(Tolerance::new(1e-4, 1e-5))
    .throughput(Throughput::Flops(batch_matmul::flops(shape.batches, shape.m, shape.k, shape.n)))
    .add("naive loops `a[[p, i, l]]`", |(a, b): &Batch| fresh(batch_matmul::naive_loops(a.view(), b.view())))
    .add("loops, i-k-j order over slices", |(a, b): &Batch| fresh(batch_matmul::loops_ikj(a.view(), b.view())))
    .add("broadcast product + sum over K", |(a, b): &Batch| fresh(batch_matmul::broadcast_sum(a.view(), b.view())))
    .add("`dot` per matrix", |(a, b): &Batch| fresh(batch_matmul::per_batch_dot(a.view(), b.view())))
    .add("`general_mat_mul` into a kept output", |(a, b): &Batch| {
        let mut result = Ok(());
        let out = kept.fill(|| Array3::zeros((0, 0, 0)), |out| result = batch_matmul::gemm_into(a.view(), b.view(), out));
        result.map(|()| out)
    })
    .add("rayon over the batch", |(a, b): &Batch| fresh(batch_matmul::parallel_gemm(a.view(), b.view())));
    if measure_heap {
        compare = compare.measure_heap();
    }
    compare.run(&inputs)
}

/// Outer product of two seeded f32 vectors of length `n`: four versions that allocate their 4n²-byte output,
/// and two that write into an output kept between calls.
pub fn outer_report(n: usize, runs: usize, measure_heap: bool) -> Result<Report, CompareError> {
    let mut rng = StdRng::seed_from_u64(7);
    let uniform = Uniform::new(-1.0f32, 1.0).expect("-1 < 1");
    let inputs = (Array1::random_using(n, uniform, &mut rng), Array1::random_using(n, uniform, &mut rng));
    type Pair = (Array1<f32>, Array1<f32>);
    let (kept, kept_parallel) = (OutputBuffer::new(), OutputBuffer::new());
    let empty = || Array2::<f32>::zeros((0, 0));
    let mut compare = Compare::new(format!("Outer product, f32, n = {n}"))
        .runs(runs)
        .warmup(2)
        .schedule(Schedule::Blocks)
        .tolerance(Tolerance::EXACT) // the same products: bit-identical
        .throughput(Throughput::Bytes((n * n * size_of::<f32>()) as f64))
        .add("nested loops `out[[i, j]]`", |(a, b): &Pair| Arc::new(outer::outer_loops(a, b)))
        .add("broadcast `a[:, None] * b[None, :]`", |(a, b): &Pair| Arc::new(outer::outer_broadcast(a, b)))
        .add("`Zip` + `map_collect`", |(a, b): &Pair| Arc::new(outer::outer_zip(a, b)))
        .add("`Zip` + `par_map_collect` (rayon)", |(a, b): &Pair| Arc::new(outer::outer_parallel(a, b)))
        .add("`Zip` into a kept output", |(a, b): &Pair| kept.fill(empty, |out| outer::outer_into(a, b, out)))
        .add("`Zip` into a kept output, rayon", |(a, b): &Pair| {
            kept_parallel.fill(empty, |out| outer::outer_into_parallel(a, b, out))
        });
    if measure_heap {
        compare = compare.measure_heap();
    }
    compare.run(&inputs)
}

/// Sum of 1,000,000 f64: the index loop, the iterator and ndarray's `sum`.
pub fn sum_report(runs: usize) -> Result<Report, CompareError> {
    let n = 1_000_000;
    let x = Array1::from_iter((0..n).map(|i| (i % 1000) as f64 * 0.001));
    Compare::new("Sum of 1,000,000 f64")
        .runs(runs)
        .warmup(3)
        .throughput(Throughput::Bytes((n * size_of::<f64>()) as f64))
        .add("index loop `x[i]`", sum_loop)
        .add("`x.iter().sum()`", sum_iter)
        .add("ndarray `x.sum()`", sum_ndarray)
        .run(&x)
}

/// Row-by-row against column-by-column traversal of a 4096 x 4096 f64 matrix (128 MiB), in both memory orders.
pub fn layout_report(size: usize, runs: usize) -> Result<Report, CompareError> {
    use crate::layout::{both_orders, sum_column_by_column, sum_row_by_row};
    let inputs = both_orders(size, size);
    type Orders = (ndarray::Array2<f64>, ndarray::Array2<f64>);
    Compare::new(format!("Sum of a {size} x {size} f64 matrix ({} MiB), by traversal order", size * size * 8 >> 20))
        .runs(runs)
        .warmup(1)
        .tolerance(Tolerance::EXACT) // integer values: every order sums exactly
        .throughput(Throughput::Bytes((size * size * size_of::<f64>()) as f64))
        .add("C order, row by row (along memory)", |(c, _): &Orders| sum_row_by_row(c))
        .add("C order, column by column (across)", |(c, _): &Orders| sum_column_by_column(c))
        .add("Fortran order, row by row (across)", |(_, f): &Orders| sum_row_by_row(f))
        .add("Fortran order, column by column (along)", |(_, f): &Orders| sum_column_by_column(f))
        .add("ndarray `sum()` (memory order, either)", |(_, f): &Orders| f.sum())
        .run(&inputs)
}

/// The key ratios of the lab's reports as sentences, so the book states no number by hand.
pub fn summary(batch: &Report, outer: &Report, sum: &Report) -> Result<String, String> {
    let fastest = |r: &Report| r.timings().iter().min_by_key(|t| t.median).cloned().ok_or("empty report");
    // versions that tie with the fastest are named with it: a ranking between them is noise
    let named = |r: &Report| course_utils::fastest_names(&course_utils::fastest_tied(r.timings()));
    let ratio = |r: &Report, slow: &str, fast: &str| -> Result<f64, String> {
        let (s, f) = (r.get(slow).ok_or(format!("no {slow}"))?, r.get(fast).ok_or(format!("no {fast}"))?);
        Ok(s.median.as_secs_f64() / f.median.as_secs_f64())
    };
    let x = |v: f64| course_utils::table::format_ratio(v);
    let best = fastest(batch)?;
    let naive = &batch.timings()[0].name;
    let broadcast = "broadcast product + sum over K";
    let vs_broadcast = ratio(batch, broadcast, &best.name)?;
    let vs_naive = ratio(batch, naive, &best.name)?;
    let broadcast_vs_naive = ratio(batch, broadcast, naive)?;
    let best_outer = fastest(outer)?;
    let allocating: Vec<_> = outer.timings().iter().filter(|t| !t.name.contains("kept output")).collect();
    let fastest_allocating = allocating.iter().min_by_key(|t| t.median).ok_or("no allocating outer product")?;
    // The module's "100x" check, said against each baseline separately: the two are far apart.
    let hundred = |ratio: f64| if ratio >= 100.0 { "yes" } else { "no" };
    Ok(format!(
        "- **Batch matmul.** The fastest version, {best}, is **{vb}** faster than the broadcast-and-sum \
         formulation (100x or more: {hb}) and **{vn}** faster than the naive loops (100x or more: {hn}). The broadcast \
         formulation is **{bn}** {slower_or_faster} than the naive loops.\n\
         - **Outer product.** The fastest version, {bo}, is **{ob}** faster than the fastest one that allocates \
         its output (*{fa}*).\n\
         - **Sum.** ndarray's `sum` is **{s}** faster than the index loop.\n",
        best = named(batch),
        vb = x(vs_broadcast),
        vn = x(vs_naive),
        hb = hundred(vs_broadcast),
        hn = hundred(vs_naive),
        bn = x(if broadcast_vs_naive >= 1.0 { broadcast_vs_naive } else { 1.0 / broadcast_vs_naive }),
        slower_or_faster = if broadcast_vs_naive >= 1.0 { "slower" } else { "faster" },
        bo = named(outer),
        ob = x(ratio(outer, &fastest_allocating.name, &best_outer.name)?),
        fa = fastest_allocating.name.replace('`', ""),
        s = x(ratio(sum, "index loop `x[i]`", "ndarray `x.sum()`")?),
    ))
}

/// The layout measurement's key ratios as sentences.
pub fn layout_summary(layout: &Report) -> Result<String, String> {
    let t = layout.timings();
    if t.len() != 5 {
        return Err(format!("expected 5 traversals, got {}", t.len()));
    }
    let slow_down = t[1].median.as_secs_f64() / t[0].median.as_secs_f64();
    let ndarray_gain = t[0].median.as_secs_f64() / t[4].median.as_secs_f64();
    Ok(format!(
        "- Walking across memory (column by column in C order) is **{}** slower than walking along it.\n\
         - ndarray's `sum` is **{}** faster than the row-by-row loop: it adds with several independent partial sums.\n",
        course_utils::table::format_ratio(slow_down),
        course_utils::table::format_ratio(ndarray_gain),
    ))
}

/// The environment that makes glibc's `malloc` ask the kernel for transparent huge pages (2 MiB) on large
/// allocations, as NumPy does for its large arrays. glibc reads it only when a program starts.
pub const HUGE_PAGES_ENV: (&str, &str) = ("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1");
/// The argument with which the lab re-runs itself under [`HUGE_PAGES_ENV`].
pub const HUGE_PAGES_ARG: &str = "--huge-pages-child";

/// Kilobytes of this process's memory currently backed by huge pages (Linux), if the kernel says.
pub fn anon_huge_pages_kb() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/smaps_rollup").ok()?;
    let line = text.lines().find(|l| l.starts_with("AnonHugePages:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// One report as lines a parent process can read back: `name<TAB>median<TAB>min<TAB>max<TAB>runs<TAB>peak`.
fn encode(report: &Report) -> String {
    report
        .timings()
        .iter()
        .map(|t| {
            let peak = t.peak_heap.map_or("-".into(), |p| p.to_string());
            format!("{}\t{}\t{}\t{}\t{}\t{peak}\n", t.name, t.median.as_nanos(), t.min.as_nanos(), t.max.as_nanos(), t.runs)
        })
        .collect()
}

fn decode(title: String, throughput: Option<Throughput>, text: &str) -> Result<Report, String> {
    let ns = |s: &str| s.parse::<u64>().map(std::time::Duration::from_nanos).map_err(|e| format!("{s:?}: {e}"));
    let timings = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            let [name, median, min, max, runs, peak] = f[..] else { return Err(format!("bad line {line:?}")) };
            Ok(course_utils::Timing {
                name: name.into(),
                median: ns(median)?,
                min: ns(min)?,
                max: ns(max)?,
                runs: runs.parse().map_err(|e| format!("{runs:?}: {e}"))?,
                peak_heap: peak.parse().ok(),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Report::from_timings(title, throughput, timings))
}

const CHILD_SEPARATOR: &str = "=== reports ===";

/// The child's side: the allocation-heavy reports, timed under huge pages, printed for the parent.
pub fn huge_pages_child() -> Result<(), Box<dyn std::error::Error>> {
    let batch = batch_matmul_report(BatchShape::LAB, 7, true)?;
    let outer = outer_report(4096, 30, true)?;
    let huge_kb = anon_huge_pages_kb().unwrap_or(0);
    println!("{CHILD_SEPARATOR}\n{huge_kb}\n{}---\n{}", encode(&batch), encode(&outer));
    Ok(())
}

/// The parent's side: re-runs this program under [`HUGE_PAGES_ENV`] and reads its two reports back, with the
/// amount of memory the kernel backed with huge pages (0: the request had no effect).
pub fn run_huge_pages_child() -> Result<(Report, Report, u64), Box<dyn std::error::Error>> {
    let exe = std::env::current_exe()?;
    // the child's own bars would go to the pipe: a spinner here says the program is still working
    let spinner = course_utils::progress::spinner("the same parts again, with huge pages, in a second process");
    let out = std::process::Command::new(exe).arg(HUGE_PAGES_ARG).env(HUGE_PAGES_ENV.0, HUGE_PAGES_ENV.1).output()?;
    spinner.finish_and_clear();
    if !out.status.success() {
        return Err(format!("the huge-pages run failed: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    let text = String::from_utf8(out.stdout)?;
    let (_, reports) = text.split_once(CHILD_SEPARATOR).ok_or("the huge-pages run printed no reports")?;
    let (huge_kb, rest) = reports.trim_start().split_once('\n').ok_or("no huge-pages count")?;
    let (batch, outer) = rest.split_once("---\n").ok_or("expected two reports")?;
    let shape = BatchShape::LAB;
    let suffix = " (glibc huge pages)";
    let batch = decode(
        format!("Batch matmul, f32, ({}, {}, {}) x ({}, {}, {}){suffix}", shape.batches, shape.m, shape.k, shape.batches, shape.k, shape.n),
        Some(Throughput::Flops(batch_matmul::flops(shape.batches, shape.m, shape.k, shape.n))),
        batch,
    )?;
    let outer = decode(format!("Outer product, f32, n = 4096{suffix}"), Some(Throughput::Bytes((4096 * 4096 * 4) as f64)), outer)?;
    Ok((batch, outer, huge_kb.trim().parse()?))
}

/// What huge pages changed, as sentences.
pub fn huge_pages_summary(batch: &Report, outer: &Report, huge_batch: &Report, huge_outer: &Report, huge_kb: u64) -> Result<String, String> {
    use course_utils::pages::ThpMode;
    let mode = ThpMode::current();
    if matches!(mode, None | Some(ThpMode::Never)) {
        let said = mode.map_or("not available", ThpMode::name);
        return Ok(format!("- Transparent huge pages are `{said}` on this machine (the kernel's setting), so the second run cannot use them and its table shows no effect.\n"));
    }
    let mode = mode.map_or("", ThpMode::name);
    let backed = if huge_kb == 0 { "none of its memory was still backed by huge pages when it ended".to_string() } else { format!("{huge_kb} kB of its memory was still backed by huge pages when it ended") };
    let ratio = |before: &Report, after: &Report, name: &str| -> Result<f64, String> {
        let (b, a) = (before.get(name).ok_or(format!("no {name}"))?, after.get(name).ok_or(format!("no {name}"))?);
        Ok(b.median.as_secs_f64() / a.median.as_secs_f64())
    };
    let x = course_utils::table::format_ratio;
    let kept = ratio(outer, huge_outer, "`Zip` into a kept output")?;
    let kept_sentence = if (0.8..=1.25).contains(&kept) {
        format!("the versions that write into a kept output barely change (**{}** for the outer product), because they allocate nothing", x(kept))
    } else {
        format!("the kept-output outer product changes by **{}**, although it allocates nothing: look for other noise", x(kept))
    };
    Ok(format!(
        "- The kernel's transparent huge page setting is `{mode}`, and {backed}. With huge pages the \
         broadcast-and-sum batch product runs **{}** faster, and the broadcast outer product **{}** faster; {kept_sentence}.\n",
        x(ratio(batch, huge_batch, "broadcast product + sum over K")?),
        x(ratio(outer, huge_outer, "broadcast `a[:, None] * b[None, :]`")?),
    ))
}

/// Where the lab's generated files go, relative to `figures/`.
pub const BATCH_TABLE: &str = "arrays/lab-1-2-1-batch-matmul.md";
pub const BATCH_CHART: &str = "arrays/lab-1-2-1-batch-matmul.svg";
pub const OUTER_TABLE: &str = "arrays/lab-1-2-1-outer.md";
pub const SUM_TABLE: &str = "arrays/sum-1e6.md";
pub const LAYOUT_TABLE: &str = "arrays/layout-traversal.md";
pub const LAYOUT_CHART: &str = "arrays/layout-traversal.svg";
pub const SUMMARY: &str = "arrays/lab-1-2-1-summary.md";
pub const HUGE_BATCH_TABLE: &str = "arrays/lab-1-2-1-batch-matmul-huge-pages.md";
pub const HUGE_OUTER_TABLE: &str = "arrays/lab-1-2-1-outer-huge-pages.md";
pub const HUGE_SUMMARY: &str = "arrays/lab-1-2-1-huge-pages-summary.md";
pub const LAYOUT_SUMMARY: &str = "arrays/layout-traversal-summary.md";
const SOURCE: &str = "code/arrays/src/lab_1_2_1.rs";

/// Runs the whole lab: prints progress and each table; with `figures`, also writes the tables and the chart
/// there. `measure_heap` needs the counting allocator installed by the calling program.
pub fn run(figures: Option<&std::path::Path>, measure_heap: bool) -> Result<(), Box<dyn std::error::Error>> {
    use course_utils::table::{generated_header, write_generated};
    if std::env::args().any(|a| a == HUGE_PAGES_ARG) {
        return huge_pages_child();
    }
    let machine = Machine::current();
    println!("Lab 1.2.1: Broadcasting\n{machine}\n");
    let write = |name: &str, contents: String| -> std::io::Result<()> {
        match figures {
            Some(dir) => {
                write_generated(&dir.join(name), &contents)?;
                println!("  wrote figures/{name}");
                Ok(())
            }
            None => Ok(()),
        }
    };
    let table = |report: &Report| format!("{}{}", generated_header(SOURCE), report.to_markdown(&machine));

    println!("[1/3] batch matmul: 6 implementations, each checked against the naive loops, then timed (about a minute) ...");
    let batch = batch_matmul_report(BatchShape::LAB, 7, measure_heap)?;
    println!("{batch}");
    write(BATCH_TABLE, table(&batch))?;
    write(BATCH_CHART, bar_chart(&batch, &machine)?)?;

    println!("\n[2/3] outer product of two vectors of 4096 f32 ...");
    let outer = outer_report(4096, 30, measure_heap)?;
    println!("{outer}");
    write(OUTER_TABLE, table(&outer))?;

    println!("\n[3/3] sum of 1,000,000 f64 ...");
    let sum = sum_report(50)?;
    println!("{sum}");
    write(SUM_TABLE, table(&sum))?;
    let summary = summary(&batch, &outer, &sum)?;
    println!("\n{summary}");
    write(SUMMARY, format!("{}{summary}", generated_header(SOURCE)))?;

    if cfg!(target_os = "linux") {
        println!("\n[again] batch matmul and outer product in a second run with {}={} ...", HUGE_PAGES_ENV.0, HUGE_PAGES_ENV.1);
        let (huge_batch, huge_outer, huge_kb) = run_huge_pages_child()?;
        println!("{huge_batch}\n{huge_outer}\n  memory backed by huge pages at the end of that run: {huge_kb} kB");
        write(HUGE_BATCH_TABLE, table(&huge_batch))?;
        write(HUGE_OUTER_TABLE, table(&huge_outer))?;
        let text = huge_pages_summary(&batch, &outer, &huge_batch, &huge_outer, huge_kb)?;
        println!("\n{text}");
        write(HUGE_SUMMARY, format!("{}{text}", generated_header(SOURCE)))?;
    }

    if figures.is_some() {
        println!("\n[extra, for the memory-layout page] traversal order of a large matrix ...");
        let layout = layout_report(4096, 10)?;
        println!("{layout}");
        write(LAYOUT_TABLE, table(&layout))?;
        write(LAYOUT_CHART, bar_chart(&layout, &machine)?)?;
        write(LAYOUT_SUMMARY, format!("{}{}", generated_header(SOURCE), layout_summary(&layout)?))?;
    }
    Ok(())
}

/// A horizontal bar chart of median times on a log scale, labelled with the speedup over the first bar.
pub fn bar_chart(report: &Report, machine: &Machine) -> Result<String, Box<dyn std::error::Error>> {
    let timings = report.timings();
    if timings.is_empty() {
        return Err("no timings to draw".into());
    }
    let ms: Vec<f64> = timings.iter().map(|t| t.median.as_secs_f64() * 1e3).collect();
    let (lo, hi) = ms.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let (width, height) = (760u32, 70 + 42 * timings.len() as u32 + 70);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&BACKGROUND)?;
        let (chart_area, footer) = root.split_vertically(height - 28);
        let names: Vec<String> = timings.iter().map(|t| t.name.replace('`', "")).collect();
        let mut chart = ChartBuilder::on(&chart_area)
            .caption(report.title(), theme::title_font())
            .margin(12)
            .margin_right(90)
            .x_label_area_size(40)
            .y_label_area_size(255)
            .build_cartesian_2d((lo / 2.0..hi * 2.0).log_scale(), (0..timings.len()).into_segmented())?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_desc("median time per call, ms (log scale)")
            .x_labels(6)
            .axis_desc_style(theme::label_font())
            .label_style(theme::small_font())
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => names.get(*i).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .x_label_formatter(&|v| format!("{v}"))
            .draw()?;
        for (i, (timing, &t)) in timings.iter().zip(&ms).enumerate() {
            let mut bar = Rectangle::new(
                [(lo / 2.0, SegmentValue::Exact(i)), (t, SegmentValue::Exact(i + 1))],
                theme::color(i).filled(),
            );
            bar.set_margin(7, 7, 0, 0);
            chart.draw_series(std::iter::once(bar))?;
            let speedup = report.speedup(&timing.name).unwrap_or(f64::NAN);
            let label = format!(
                " {} ({})",
                course_utils::table::format_duration(timing.median),
                course_utils::table::format_ratio(speedup)
            );
            chart.draw_series(std::iter::once(Text::new(label, (t, SegmentValue::CenterOf(i)), theme::small_font())))?;
        }
        footer.draw(&Text::new(machine.to_string(), (12, 6), theme::small_font()))?;
        root.present()?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: BatchShape = BatchShape { batches: 3, m: 8, k: 5, n: 6 };

    #[test]
    fn the_batch_report_checks_and_times_all_six_variants() {
        let report = batch_matmul_report(SMALL, 1, false).unwrap();
        assert_eq!(report.timings().len(), 6);
        assert!(report.timings().iter().all(|t| t.peak_heap.is_none()));
    }

    #[test]
    fn summaries_name_the_fastest_version_and_its_ratios() {
        let ms = std::time::Duration::from_millis;
        let t = |name: &str, median| course_utils::Timing { name: name.into(), median, min: median, max: median, runs: 1, peak_heap: None };
        let batch = Report::from_timings(
            "b",
            None,
            vec![t("naive loops", ms(50)), t("broadcast product + sum over K", ms(300)), t("rayon", ms(1))],
        );
        let outer = Report::from_timings("o", None, vec![t("loops", ms(40)), t("`Zip` into a kept output", ms(4))]);
        let sum = Report::from_timings("s", None, vec![t("index loop `x[i]`", ms(2)), t("ndarray `x.sum()`", ms(1))]);
        let text = summary(&batch, &outer, &sum).unwrap();
        assert!(text.contains("*rayon*, is **300x** faster than the broadcast-and-sum formulation (100x or more: yes)"), "{text}");
        assert!(text.contains("**50.0x** faster than the naive loops (100x or more: no)"), "{text}");
        assert!(text.contains("is **6.00x** slower than the naive loops"), "{text}");
        assert!(text.contains("**10.0x** faster than the fastest one that allocates its output (*loops*)"), "{text}");
        assert!(text.contains("ndarray's `sum` is **2.00x** faster"), "{text}");
        assert!(summary(&Report::from_timings("e", None, vec![]), &outer, &sum).is_err());
    }

    #[test]
    fn reports_survive_the_trip_through_the_child_process_format() {
        let report = outer_report(16, 2, false).unwrap();
        let back = decode(report.title().into(), None, &encode(&report)).unwrap();
        assert_eq!(back.timings(), report.timings());
        assert!(decode("x".into(), None, "only\ttwo").is_err());
    }

    #[test]
    fn inputs_are_seeded() {
        assert_eq!(batch_inputs(SMALL, 1), batch_inputs(SMALL, 1));
        assert_ne!(batch_inputs(SMALL, 1), batch_inputs(SMALL, 2));
    }

    #[test]
    fn outer_layout_and_sum_reports_cover_every_variant() {
        assert_eq!(outer_report(33, 1, false).unwrap().timings().len(), 6);
        assert_eq!(layout_report(20, 1).unwrap().timings().len(), 5);
        assert_eq!(sum_report(1).unwrap().timings().len(), 3);
    }

    #[test]
    fn committed_tables_and_chart_have_their_format() {
        use course_utils::table::{check_timing_table, read_committed};
        for (name, rows) in
            [(BATCH_TABLE, 6), (OUTER_TABLE, 6), (SUM_TABLE, 3), (LAYOUT_TABLE, 5), (HUGE_BATCH_TABLE, 6), (HUGE_OUTER_TABLE, 6)]
        {
            let text = read_committed(name).unwrap();
            check_timing_table(&text).unwrap_or_else(|e| panic!("figures/{name}: {e}"));
            let body_rows = text.lines().filter(|l| l.starts_with("| ") && !l.starts_with("| implementation")).count();
            assert_eq!(body_rows, rows, "figures/{name}");
        }
        for name in [BATCH_TABLE, OUTER_TABLE] {
            assert!(read_committed(name).unwrap().contains("peak heap"), "figures/{name} lacks peak heap");
        }
        let chart = read_committed(BATCH_CHART).unwrap();
        assert!(chart.starts_with("<svg") && chart.contains("rayon over the batch") && chart.contains("Measured on"));
        for name in [SUMMARY, LAYOUT_SUMMARY, HUGE_SUMMARY] {
            let text = read_committed(name).unwrap();
            assert!(text.starts_with("<!-- Generated by `cargo xtask figures`"), "figures/{name}");
            // a machine without transparent huge pages writes a sentence saying so instead of ratios
            assert!(text.contains("x**") || text.contains("huge pages"), "figures/{name}");
        }
        // measured by code/blas-compare (its own workspace), checked here so every test run checks it
        let blas = read_committed("arrays/blas.md").unwrap();
        // two measurements, each closed by its "- Fastest:" line
        for section in blas.split("\n- Fastest:").filter(|s| s.contains("| implementation |")) {
            check_timing_table(&format!("{}\n{section}", blas.lines().next().unwrap())).unwrap();
        }
        assert!(blas.contains("OpenBLAS via ndarray") && blas.contains("*BLAS: OpenBLAS") && blas.matches("- Fastest:").count() == 2);
        let chart = read_committed(LAYOUT_CHART).unwrap();
        assert!(chart.starts_with("<svg") && chart.contains("column by column") && chart.contains("Measured on"));
    }

    #[test]
    fn the_bar_chart_names_every_variant_and_the_machine() {
        let report = sum_report(1).unwrap();
        let machine = Machine::current();
        let svg = bar_chart(&report, &machine).unwrap();
        assert!(svg.starts_with("<svg"));
        for t in report.timings() {
            assert!(svg.contains(&t.name.replace('`', "")), "{} missing", t.name);
        }
        assert!(svg.contains(&machine.cpu));
        let empty = Report::from_timings("none", None, vec![]);
        assert!(bar_chart(&empty, &machine).is_err());
    }
}
