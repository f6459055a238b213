//! Lab 1.2.4's measurements: the ten einsum patterns against their explicit twins, attention in five versions,
//! and attention's time and memory against the sequence length. Used by the lab
//! (`cargo run --release -p arrays --example lab-1-2-4`) and by the figure generator.

use crate::attention::{self, Mask};
use crate::einsum::{ArrayLike, einsum, explicit};
use course_utils::table::{Align, Table, format_bytes, format_duration, format_ratio};
use course_utils::theme::{self, BACKGROUND};
use course_utils::{Compare, CompareError, Machine, Report, Throughput, Tolerance};
use ndarray::{Array, Array4, ArrayD, Dimension, ShapeBuilder};
use ndarray_rand::RandomExt;
use ndarray_rand::rand::SeedableRng;
use ndarray_rand::rand::rngs::StdRng;
use ndarray_rand::rand_distr::Uniform;
use plotters::prelude::*;

/// Seeded uniform(-1, 1) f32 arrays of any shape.
pub fn random<D: Dimension>(shape: impl ShapeBuilder<Dim = D>, seed: u64) -> Array<f32, D> {
    Array::random_using(shape, Uniform::new(-1.0f32, 1.0).expect("-1 < 1"), &mut StdRng::seed_from_u64(seed))
}

/// One einsum pattern as timed: its subscripts, the NumPy line, the shapes, and its three implementations.
pub struct Pattern {
    pub subscripts: &'static str,
    pub numpy: &'static str,
    pub shapes: String,
    pub report: Report,
}

fn d<D: Dimension>(a: Array<f32, D>) -> ArrayD<f32> {
    a.into_dyn()
}

type Impl<'a> = Box<dyn Fn() -> ArrayD<f32> + 'a>;

fn time_pattern(subscripts: &'static str, numpy: &'static str, shapes: &[&[usize]], runs: usize, impls: [Impl<'_>; 3]) -> Result<Pattern, CompareError> {
    let [loops, ndarray, einsum] = impls;
    let report = Compare::<(), ArrayD<f32>>::new(subscripts)
        .runs(runs)
        .warmup(1)
        // f32 sums of up to 2048 terms in different orders
        .tolerance(Tolerance::new(1e-3, 1e-4))
        .add("loops", move |_| loops())
        .add("ndarray", move |_| ndarray())
        .add("einsum", move |_| einsum())
        .run(&())?;
    let shapes = shapes.iter().map(|s| format!("{s:?}").replace('[', "(").replace(']', ")")).collect::<Vec<_>>().join(", ");
    Ok(Pattern { subscripts, numpy, shapes, report })
}

/// einsum's answer; a refusal panics with einsum's message, which `Compare` reports as an error naming the
/// pattern (the shapes here are fixed and valid, so it does not happen).
fn es(subscripts: &str, operands: &[&dyn ArrayLike<f32>]) -> ArrayD<f32> {
    einsum(subscripts, operands).unwrap_or_else(|e| panic!("{e}"))
}

/// The lab's ten patterns, each timed as loops, as the ndarray call a NumPy user would write, and as einsum.
pub fn einsum_patterns(runs: usize, n: usize) -> Result<Vec<Pattern>, CompareError> {
    use explicit::*;
    let (a, b) = (random((n / 8, n / 8), 1), random((n / 8, n / 8), 2));
    let (a3, b3) = (random((32, n / 32, n / 32), 3), random((32, n / 32, n / 32), 4));
    let (x, y) = (random(n, 5), random(n, 6));
    let square = random((n, n), 7);
    let (q, k) = (random((2, 4, n / 16, 64), 8), random((2, 4, n / 16, 64), 9));
    let (m, xs) = (random((64, n / 8, n / 8), 10), random((64, n / 8), 11));
    Ok(vec![
        time_pattern("mk,kn->mn", "np.einsum('mk,kn->mn', a, b)", &[a.shape(), b.shape()], runs, [
            Box::new(|| d(matmul_loops(a.view(), b.view()))),
            Box::new(|| d(matmul_dot(a.view(), b.view()))),
            Box::new(|| es("mk,kn->mn", &[&a, &b])),
        ])?,
        time_pattern("bmk,bkn->bmn", "np.einsum('bmk,bkn->bmn', a, b)", &[a3.shape(), b3.shape()], runs, [
            Box::new(|| d(batch_matmul_loops(a3.view(), b3.view()))),
            Box::new(|| d(batch_matmul_dot(a3.view(), b3.view()))),
            Box::new(|| es("bmk,bkn->bmn", &[&a3, &b3])),
        ])?,
        time_pattern("i,j->ij", "np.einsum('i,j->ij', x, y)", &[x.shape(), y.shape()], runs, [
            Box::new(|| d(outer_loops(x.view(), y.view()))),
            Box::new(|| d(outer_broadcast(x.view(), y.view()))),
            Box::new(|| es("i,j->ij", &[&x, &y])),
        ])?,
        time_pattern("ii->", "np.einsum('ii->', a)", &[square.shape()], runs, [
            Box::new(|| d(trace_loops(square.view()))),
            Box::new(|| d(trace_diag(square.view()))),
            Box::new(|| es("ii->", &[&square])),
        ])?,
        time_pattern("bhsd,bhtd->bhst", "np.einsum('bhsd,bhtd->bhst', q, k)", &[q.shape(), k.shape()], runs, [
            Box::new(|| d(scores_loops(q.view(), k.view()))),
            Box::new(|| d(scores_dot(q.view(), k.view()))),
            Box::new(|| es("bhsd,bhtd->bhst", &[&q, &k])),
        ])?,
        time_pattern("ij->ji", "np.einsum('ij->ji', a)", &[square.shape()], runs, [
            Box::new(|| d(transpose_loops(square.view()))),
            Box::new(|| d(transpose_view(square.view()))),
            Box::new(|| es("ij->ji", &[&square])),
        ])?,
        time_pattern("ii->i", "np.einsum('ii->i', a)", &[square.shape()], runs, [
            Box::new(|| d(diagonal_loops(square.view()))),
            Box::new(|| d(diagonal_view(square.view()))),
            Box::new(|| es("ii->i", &[&square])),
        ])?,
        time_pattern("ij->i", "np.einsum('ij->i', a)", &[square.shape()], runs, [
            Box::new(|| d(row_sums_loops(square.view()))),
            Box::new(|| d(row_sums_axis(square.view()))),
            Box::new(|| es("ij->i", &[&square])),
        ])?,
        time_pattern("i,ij,j->", "np.einsum('i,ij,j->', x, a, y)", &[x.shape(), square.shape(), y.shape()], runs, [
            Box::new(|| d(bilinear_loops(x.view(), square.view(), y.view()))),
            Box::new(|| d(bilinear_dot(x.view(), square.view(), y.view()))),
            Box::new(|| es("i,ij,j->", &[&x, &square, &y])),
        ])?,
        time_pattern("bij,bj->bi", "np.einsum('bij,bj->bi', a, x)", &[m.shape(), xs.shape()], runs, [
            Box::new(|| d(batch_matvec_loops(m.view(), xs.view()))),
            Box::new(|| d(batch_matvec_dot(m.view(), xs.view()))),
            Box::new(|| es("bij,bj->bi", &[&m, &xs])),
        ])?,
    ])
}

/// The ten patterns as one table: median time of each implementation and einsum against the faster of the
/// two explicit ones.
pub fn patterns_table(patterns: &[Pattern]) -> Table {
    let mut table = Table::new(["pattern", "shapes (f32)", "loops", "ndarray", "einsum", "einsum vs ndarray"]);
    table.align(0, Align::Left).align(1, Align::Left);
    for p in patterns {
        let t = |name: &str| p.report.get(name).map(|t| t.median);
        let cell = |name: &str| t(name).map_or("-".into(), format_duration);
        let ratio = match (t("ndarray"), t("einsum")) {
            (Some(nd), Some(es)) => {
                let r = es.as_secs_f64() / nd.as_secs_f64();
                if r >= 1.0 { format!("{} slower", format_ratio(r)) } else { format!("{} faster", format_ratio(1.0 / r)) }
            }
            _ => "-".into(),
        };
        table.push([format!("`{}`", p.subscripts), p.shapes.clone(), cell("loops"), cell("ndarray"), cell("einsum"), ratio]);
    }
    table
}

/// Which patterns einsum runs about as fast as the explicit ndarray code (within 1.5x), and which not, as
/// sentences for the book.
pub fn patterns_summary(patterns: &[Pattern]) -> Result<String, String> {
    let (mut close, mut slower, mut faster) = (Vec::new(), Vec::new(), Vec::new());
    for p in patterns {
        let (nd, es) = (p.report.get("ndarray").ok_or("no ndarray timing")?, p.report.get("einsum").ok_or("no einsum timing")?);
        let r = es.median.as_secs_f64() / nd.median.as_secs_f64();
        let entry = |r: f64| format!("`{}` ({})", p.subscripts, format_ratio(r));
        match r {
            r if r > 1.5 => slower.push(entry(r)),
            r if r < 1.0 / 1.5 => faster.push(entry(1.0 / r)),
            _ => close.push(format!("`{}`", p.subscripts)),
        }
    }
    let list = |v: &[String]| if v.is_empty() { "none".to_string() } else { v.join(", ") };
    Ok(format!(
        "- einsum within 1.5x of the explicit ndarray code: {}.\n- einsum slower by more than 1.5x: {}.\n\
         - einsum faster by more than 1.5x: {}.\n",
        list(&close),
        list(&slower),
        list(&faster)
    ))
}

/// The lab's attention workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttentionShape {
    pub batch: usize,
    pub heads: usize,
    pub seq: usize,
    pub dim: usize,
}

impl AttentionShape {
    /// The module's workload: B = 8, H = 8, S = 256, D = 64, f32.
    pub const LAB: AttentionShape = AttentionShape { batch: 8, heads: 8, seq: 256, dim: 64 };

    pub fn inputs(self, seed: u64) -> (Array4<f32>, Array4<f32>, Array4<f32>) {
        let dims = (self.batch, self.heads, self.seq, self.dim);
        (random(dims, seed), random(dims, seed + 1), random(dims, seed + 2))
    }

    pub fn flops(self) -> f64 {
        attention::flops(self.batch, self.heads, self.seq, self.seq, self.dim)
    }

    /// Bytes of the (B, H, S, D) f32 output, which every version allocates.
    pub fn output_bytes(self) -> u64 {
        (self.batch * self.heads * self.seq * self.dim * size_of::<f32>()) as u64
    }
}

/// The streaming version's key block: 64 keys, a (64 x 64) f32 score tile (16 KiB) stays in L1.
pub const BLOCK: usize = 64;

type Qkv = (Array4<f32>, Array4<f32>, Array4<f32>);
type AttentionResult = Result<Array4<f32>, attention::AttentionError>;

/// Attention at one shape: the f64 loops (the reference, optional: slow), then the four f32 versions.
pub fn attention_report(shape: AttentionShape, mask: Mask, runs: usize, with_reference: bool, measure_heap: bool) -> Result<Report, CompareError> {
    let AttentionShape { batch, heads, seq, dim } = shape;
    let inputs = shape.inputs(42);
    let masked = if mask == Mask::Causal { ", causal mask" } else { "" };
    let mut compare = Compare::<Qkv, AttentionResult>::new(format!("Attention, f32, B = {batch}, H = {heads}, S = {seq}, D = {dim}{masked}"))
        .runs(runs)
        .warmup(2)
        // weighted averages of V's rows (|v| < 1): f32 against f64 agrees to about 1e-6
        .tolerance(Tolerance::new(1e-4, 1e-5))
        .throughput(Throughput::Flops(shape.flops()));
    if with_reference {
        compare = compare.add("f64 loops (the reference)", move |(q, k, v): &Qkv| {
            attention::reference_f64(q.view(), k.view(), v.view(), mask).map(|o| o.mapv(|x| x as f32))
        });
    }
    compare = compare
        .add("einsum, all scores at once", move |(q, k, v): &Qkv| attention::attention_einsum(q.view(), k.view(), v.view(), mask))
        .add("`dot` per head", move |(q, k, v): &Qkv| attention::attention_per_head(q.view(), k.view(), v.view(), mask))
        .add("fused, rayon over heads", move |(q, k, v): &Qkv| attention::attention_fused(q.view(), k.view(), v.view(), mask))
        .add("fused, `gemm` kernels, rayon over heads", move |(q, k, v): &Qkv| {
            attention::attention_fused_gemm(q.view(), k.view(), v.view(), mask)
        })
        .add(format!("streaming, blocks of {BLOCK}, rayon"), move |(q, k, v): &Qkv| {
            attention::attention_streaming(q.view(), k.view(), v.view(), mask, BLOCK)
        });
    if measure_heap {
        compare = compare.measure_heap();
    }
    compare.run(&inputs)
}

/// One point of the sequence-length sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepPoint {
    pub seq: usize,
    pub name: String,
    pub median: std::time::Duration,
    /// Peak heap during the call minus the output's bytes.
    pub extra_bytes: Option<u64>,
}

/// The versions the sweep follows: all scores at once, one S x T block per thread, streaming.
pub const SWEEP_VERSIONS: [&str; 3] = ["einsum, all scores at once", "fused, rayon over heads", "streaming, blocks of 64, rayon"];

/// Time and peak extra heap against S for the materialising and the streaming versions (B, H, D of the lab).
pub fn sweep(lengths: &[usize], runs: usize, measure_heap: bool, progress: &mut dyn FnMut(&str)) -> Result<Vec<SweepPoint>, CompareError> {
    let mut points = Vec::new();
    for &seq in lengths {
        progress(&format!("S = {seq}"));
        let shape = AttentionShape { seq, ..AttentionShape::LAB };
        let report = attention_report(shape, Mask::None, runs, false, measure_heap)?;
        for name in SWEEP_VERSIONS {
            let t = report.get(name).ok_or(CompareError::NoImplementations)?;
            points.push(SweepPoint {
                seq,
                name: name.into(),
                median: t.median,
                extra_bytes: t.peak_heap.map(|p| p.saturating_sub(shape.output_bytes())),
            });
        }
    }
    Ok(points)
}

/// The sweep as a table: one row per S, time and extra heap per version.
pub fn sweep_table(points: &[SweepPoint]) -> Table {
    let mut header = vec!["S".to_string()];
    for name in SWEEP_VERSIONS {
        let short = name.split(',').next().unwrap_or(name);
        header.push(format!("{short}: time"));
        header.push("extra heap".into());
    }
    let mut table = Table::new(header);
    let mut lengths: Vec<usize> = points.iter().map(|p| p.seq).collect();
    lengths.dedup();
    for seq in lengths {
        let mut row = vec![seq.to_string()];
        for name in SWEEP_VERSIONS {
            match points.iter().find(|p| p.seq == seq && p.name == name) {
                Some(p) => {
                    row.push(format_duration(p.median));
                    row.push(p.extra_bytes.map_or("-".into(), format_bytes));
                }
                None => row.extend(["-".into(), "-".into()]),
            }
        }
        table.push(row);
    }
    table
}

/// Two panels against S (log-log): median time, and peak heap beyond the output.
pub fn sweep_chart(points: &[SweepPoint], machine: &Machine) -> Result<String, Box<dyn std::error::Error>> {
    if points.is_empty() {
        return Err("no sweep points to draw".into());
    }
    let (s_min, s_max) = points.iter().fold((usize::MAX, 0), |(lo, hi), p| (lo.min(p.seq), hi.max(p.seq)));
    let ms: Vec<f64> = points.iter().map(|p| p.median.as_secs_f64() * 1e3).collect();
    let mib: Vec<f64> = points.iter().map(|p| p.extra_bytes.map_or(f64::NAN, |b| (b as f64 / 1048576.0).max(0.01))).collect();
    let range = |v: &[f64]| v.iter().filter(|x| x.is_finite()).fold((f64::INFINITY, 0.0f64), |(lo, hi), &x| (lo.min(x), hi.max(x)));
    let (width, height) = (900u32, 430u32);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&BACKGROUND)?;
        let (body, footer) = root.split_vertically(height - 26);
        let (title, panels) = body.split_vertically(34);
        title.draw(&Text::new(
            "Attention, f32, B = 8, H = 8, D = 64: time and memory against sequence length S",
            (12, 8),
            theme::title_font(),
        ))?;
        let panels = panels.split_evenly((1, 2));
        for (panel, (values, desc)) in panels.iter().zip([(&ms, "median time per call, ms"), (&mib, "peak heap beyond the output, MiB")]) {
            let (lo, hi) = range(values);
            if lo > hi {
                // nothing measured (the heap needs the counting allocator): say so rather than draw an empty axis
                panel.draw(&Text::new(format!("{desc}: not measured in this run"), (20, 40), theme::label_font()))?;
                continue;
            }
            let mut chart = ChartBuilder::on(panel)
                .margin(12)
                .margin_right(24)
                .x_label_area_size(40)
                .y_label_area_size(60)
                .build_cartesian_2d((s_min as f64).log2() - 0.2..(s_max as f64).log2() + 0.2, (lo / 1.5..hi * 1.5).log_scale())?;
            chart
                .configure_mesh()
                .x_desc("sequence length S (log scale)")
                .x_labels(((s_max as f64 / s_min as f64).log2() as usize + 1) * 2)
                .y_desc(desc)
                .axis_desc_style(theme::label_font())
                .label_style(theme::small_font())
                .x_label_formatter(&|v| if (v - v.round()).abs() < 1e-6 { format!("{}", 2f64.powf(*v).round()) } else { String::new() })
                .y_label_formatter(&|v| if *v >= 1.0 { format!("{v:.0}") } else { format!("{v:.2}") })
                .draw()?;
            for (i, name) in SWEEP_VERSIONS.iter().enumerate() {
                let series: Vec<(f64, f64)> = points
                    .iter()
                    .zip(values.iter())
                    .filter(|(p, v)| p.name == *name && v.is_finite())
                    .map(|(p, &v)| ((p.seq as f64).log2(), v))
                    .collect();
                let color = theme::color(i);
                chart
                    .draw_series(LineSeries::new(series.clone(), color.stroke_width(2)))?
                    .label(*name)
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2)));
                chart.draw_series(series.iter().map(|&p| Circle::new(p, 3, color.filled())))?;
            }
            if desc.contains("heap") {
                continue; // one legend (in the time panel) serves both: same colours
            }
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .background_style(BACKGROUND.mix(0.9))
                .border_style(&theme::MUTED)
                .label_font(theme::small_font())
                .draw()?;
        }
        footer.draw(&Text::new(machine.to_string(), (12, 4), theme::small_font()))?;
        root.present()?;
    }
    Ok(svg)
}

/// The lab's key numbers as sentences, so the book states none by hand.
pub fn summary(attention: &Report, sweep: &[SweepPoint]) -> Result<String, String> {
    let timings = attention.timings();
    let f32_versions: Vec<_> = timings.iter().filter(|t| !t.name.contains("f64")).collect();
    let tied = course_utils::fastest_tied(f32_versions.iter().copied());
    let fastest = *tied.first().ok_or("no f32 version")?;
    let get = |name: &str| attention.get(name).ok_or(format!("no {name}"));
    let ratio = |slow: &str| -> Result<String, String> { Ok(format_ratio(get(slow)?.median.as_secs_f64() / fastest.median.as_secs_f64())) };
    let mut text = format!(
        "- The fastest version, {}, takes **{}**: **{}** faster than einsum with all scores at once and **{}** \
         faster than `dot` per head.\n",
        course_utils::fastest_names(&tied),
        format_duration(fastest.median),
        ratio("einsum, all scores at once")?,
        ratio("`dot` per head")?,
    );
    if let Ok(reference) = get("f64 loops (the reference)") {
        text.push_str(&format!(
            "- Against the f64 loops that define the answer it is **{}** faster.\n",
            format_ratio(reference.median.as_secs_f64() / fastest.median.as_secs_f64())
        ));
    }
    let longest = sweep.iter().map(|p| p.seq).max().ok_or("empty sweep")?;
    let at = |name: &str| sweep.iter().find(|p| p.seq == longest && p.name == name).ok_or(format!("no {name} at S = {longest}"));
    let (materialising, fused, streaming) = (at(SWEEP_VERSIONS[0])?, at(SWEEP_VERSIONS[1])?, at(SWEEP_VERSIONS[2])?);
    if let (Some(m), Some(f), Some(s)) = (materialising.extra_bytes, fused.extra_bytes, streaming.extra_bytes) {
        text.push_str(&format!(
            "- At S = {longest}, einsum needs **{}** of heap beyond the output, the fused version **{}** (one S x S block \
             per worker thread), the streaming version **{}**, and streaming takes **{}** against the fused version's **{}**.\n",
            format_bytes(m),
            format_bytes(f),
            format_bytes(s),
            format_duration(streaming.median),
            format_duration(fused.median),
        ));
    }
    Ok(text)
}

pub const PATTERNS_TABLE: &str = "arrays/lab-1-2-4-einsum-patterns.md";
pub const ATTENTION_TABLE: &str = "arrays/lab-1-2-4-attention.md";
pub const CAUSAL_TABLE: &str = "arrays/lab-1-2-4-attention-causal.md";
pub const SWEEP_TABLE: &str = "arrays/lab-1-2-4-sweep.md";
pub const SWEEP_CHART: &str = "arrays/lab-1-2-4-sweep.svg";
pub const SUMMARY: &str = "arrays/lab-1-2-4-summary.md";
pub const PATTERNS_SUMMARY: &str = "arrays/lab-1-2-4-einsum-patterns-summary.md";
const SOURCE: &str = "code/arrays/src/lab_1_2_4.rs";
/// The sequence lengths of the sweep.
pub const LENGTHS: [usize; 5] = [128, 256, 512, 1024, 2048];

/// Runs the whole lab: prints progress and each table; with `figures`, also writes them there.
pub fn run(figures: Option<&std::path::Path>, measure_heap: bool) -> Result<(), Box<dyn std::error::Error>> {
    use course_utils::table::{generated_header, write_generated};
    let machine = Machine::current();
    println!("Lab 1.2.4: Einsum Mastery\n{machine}\n");
    let write = |name: &str, contents: String| -> std::io::Result<()> {
        if let Some(dir) = figures {
            write_generated(&dir.join(name), &contents)?;
            println!("  wrote figures/{name}");
        }
        Ok(())
    };
    let stamp = |note: String| format!("*{note}*\n*{machine}*\n");

    println!("[1/4] ten einsum patterns, each as loops, as ndarray and as einsum, checked to agree, then timed ...");
    let patterns = einsum_patterns(10, 2048)?;
    let table = patterns_table(&patterns);
    println!("{}", table.to_text());
    write(
        PATTERNS_TABLE,
        format!("{}{}\n{}", generated_header(SOURCE), table.to_markdown(), stamp("Median of 10 timed runs each, after checking that the three implementations agree.".into())),
    )?;
    let text = patterns_summary(&patterns)?;
    println!("\n{text}");
    write(PATTERNS_SUMMARY, format!("{}{text}", generated_header(SOURCE)))?;

    let shape = AttentionShape::LAB;
    println!("\n[2/4] attention, B = {}, H = {}, S = {}, D = {}: five versions checked against the f64 loops, then timed (about a minute) ...", shape.batch, shape.heads, shape.seq, shape.dim);
    let report = attention_report(shape, Mask::None, 10, true, measure_heap)?;
    println!("{report}");
    write(ATTENTION_TABLE, format!("{}{}", generated_header(SOURCE), report.to_markdown(&machine)))?;

    println!("\n[3/4] the same with a causal mask (streaming skips the masked key blocks) ...");
    let causal = attention_report(shape, Mask::Causal, 10, false, measure_heap)?;
    println!("{causal}");
    write(CAUSAL_TABLE, format!("{}{}", generated_header(SOURCE), causal.to_markdown(&machine)))?;

    println!("\n[4/4] time and memory against S = {LENGTHS:?} ...");
    let points = sweep(&LENGTHS, 3, measure_heap, &mut |s| println!("  {s} ..."))?;
    let table = sweep_table(&points);
    println!("{}", table.to_text());
    write(
        SWEEP_TABLE,
        format!("{}{}\n{}", generated_header(SOURCE), table.to_markdown(), stamp("Median of 3 timed runs; extra heap = peak heap during the call minus the (B, H, S, D) output.".into())),
    )?;
    write(SWEEP_CHART, sweep_chart(&points, &machine)?)?;
    let summary = summary(&report, &points)?;
    println!("\n{summary}");
    write(SUMMARY, format!("{}{summary}", generated_header(SOURCE)))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn every_pattern_is_checked_and_timed_three_ways() {
        let patterns = einsum_patterns(1, 64).unwrap();
        assert_eq!(patterns.len(), 10);
        for p in &patterns {
            assert_eq!(p.report.timings().len(), 3, "{}", p.subscripts);
        }
        let table = patterns_table(&patterns);
        assert_eq!(table.rows().len(), 10);
        let text = patterns_summary(&patterns).unwrap();
        assert_eq!(text.matches("`").count() % 2, 0);
        assert!(patterns.iter().all(|p| text.contains(&format!("`{}`", p.subscripts))), "{text}");
        assert!(table.rows().iter().all(|r| r[5].ends_with("slower") || r[5].ends_with("faster")));
    }

    #[test]
    fn the_attention_report_checks_every_version_against_the_reference() {
        let small = AttentionShape { batch: 1, heads: 2, seq: 9, dim: 4 };
        let report = attention_report(small, Mask::Causal, 1, true, false).unwrap();
        assert_eq!(report.timings().len(), 6);
        assert_eq!(report.timings()[0].name, "f64 loops (the reference)");
    }

    #[test]
    fn sweep_table_chart_and_summary() {
        let mut seen = Vec::new();
        let points = sweep(&[8, 16], 1, false, &mut |s| seen.push(s.to_string())).unwrap();
        assert_eq!(seen, ["S = 8", "S = 16"]);
        assert_eq!(points.len(), 6);
        assert_eq!(sweep_table(&points).rows().len(), 2);
        let svg = sweep_chart(&points, &Machine::current()).unwrap();
        assert!(SWEEP_VERSIONS.iter().all(|name| svg.contains(name)));
        assert!(sweep_chart(&[], &Machine::current()).is_err());

        let t = |name: &str, ms| course_utils::Timing {
            name: name.into(),
            median: Duration::from_millis(ms),
            min: Duration::from_millis(ms),
            max: Duration::from_millis(ms),
            runs: 1,
            peak_heap: None,
        };
        let report = Report::from_timings(
            "a",
            None,
            vec![t("f64 loops (the reference)", 900), t("einsum, all scores at once", 60), t("`dot` per head", 30), t("fused, rayon over heads", 10)],
        );
        let with_heap: Vec<SweepPoint> = SWEEP_VERSIONS
            .iter()
            .zip([1 << 30, 1 << 24, 1 << 17])
            .map(|(name, bytes)| SweepPoint { seq: 2048, name: name.to_string(), median: Duration::from_millis(5), extra_bytes: Some(bytes) })
            .collect();
        let text = summary(&report, &with_heap).unwrap();
        assert!(text.contains("*fused, rayon over heads*, takes **10.0 ms**: **6.00x** faster than einsum"), "{text}");
        assert!(text.contains("**3.00x** faster than `dot` per head"), "{text}");
        assert!(text.contains("**90.0x** faster"), "{text}");
        assert!(text.contains("einsum needs **1.00 GiB**") && text.contains("streaming version **128 KiB**"), "{text}");
        assert!(summary(&report, &[]).is_err());
    }

    #[test]
    fn committed_tables_and_chart_have_their_format() {
        use course_utils::table::{check_timing_table, read_committed};
        for (name, rows) in [(ATTENTION_TABLE, 6), (CAUSAL_TABLE, 5)] {
            let text = read_committed(name).unwrap();
            check_timing_table(&text).unwrap_or_else(|e| panic!("figures/{name}: {e}"));
            let body = text.lines().filter(|l| l.starts_with("| ") && !l.starts_with("| implementation")).count();
            assert_eq!(body, rows, "figures/{name}");
        }
        let patterns = read_committed(PATTERNS_TABLE).unwrap();
        assert_eq!(patterns.lines().filter(|l| l.starts_with("| `")).count(), 10);
        assert!(patterns.contains("*Measured on "));
        let sweep = read_committed(SWEEP_TABLE).unwrap();
        for s in LENGTHS {
            assert!(sweep.contains(&format!("\n| {s} |")), "S = {s} missing");
        }
        let chart = read_committed(SWEEP_CHART).unwrap();
        assert!(chart.starts_with("<svg") && chart.contains("streaming, blocks of 64") && chart.contains("Measured on"));
        assert!(read_committed(PATTERNS_SUMMARY).unwrap().contains("einsum within 1.5x"));
        let summary = read_committed(SUMMARY).unwrap();
        assert!(summary.contains("faster than einsum") && summary.contains("At S = 2048"));
    }
}
