//! Sampling CPU profiles with pprof (the cProfile role): a flamegraph and a "which function costs the most"
//! table from one run.

use std::collections::HashMap;
use std::time::Instant;

/// One function's share of the samples.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionShare {
    pub name: String,
    /// samples in which this function was running itself (the innermost frame)
    pub self_samples: isize,
    /// samples in which it was anywhere on the stack (itself or something it called)
    pub total_samples: isize,
}

/// What one profiled run gives.
#[derive(Debug, Clone)]
pub struct Profile {
    pub samples: isize,
    pub seconds: f64,
    pub frequency: i32,
    pub calls: usize,
    /// by self samples, most first
    pub functions: Vec<FunctionShare>,
    pub flamegraph_svg: String,
}

/// A symbol's name without the hash rustc appends (`::h0123456789abcdef`).
pub fn short_name(name: &str) -> String {
    match name.rfind("::h") {
        Some(i) if name.len() - i == 19 && name[i + 3..].chars().all(|c| c.is_ascii_hexdigit()) => name[..i].to_owned(),
        _ => name.to_owned(),
    }
}

// ANCHOR: profile
/// Runs `work` repeatedly for at least `min_seconds` under pprof's sampler at `frequency` Hz, then builds the
/// flamegraph (SVG, no JavaScript, deterministic colours) and the per-function table.
pub fn profile<T>(title: &str, frequency: i32, min_seconds: f64, mut work: impl FnMut() -> T) -> Result<Profile, pprof::Error> {
    let guard = pprof::ProfilerGuardBuilder::default()
        .frequency(frequency)
        .blocklist(&["libc", "libgcc", "pthread", "vdso"]) // don't unwind through system libraries
        .build()?;
    let (start, mut calls) = (Instant::now(), 0);
    while calls == 0 || start.elapsed().as_secs_f64() < min_seconds {
        std::hint::black_box(work());
        calls += 1;
    }
    let seconds = start.elapsed().as_secs_f64();
    let report = guard.report().frames_post_processor(fold_rayon_plumbing).build()?;

    let mut options = pprof::flamegraph::Options::default();
    options.title = title.to_owned();
    options.no_javascript = true; // a static picture: the book shows it inline
    options.deterministic = true; // a function keeps its colour from run to run
    options.hash = true;
    options.min_width = 0.1; // in % of the width: leave out frames under ~1 pixel (unreadable, and they weigh)
    let mut svg = Vec::new();
    report.flamegraph_with_options(&mut svg, &mut options)?;

    let mut shares: HashMap<String, (isize, isize)> = HashMap::new();
    let mut samples = 0;
    for (frames, &count) in &report.data {
        samples += count;
        // frames[0] is the innermost frame; each frame lists the functions inlined into it, innermost first
        let names: Vec<String> = frames.frames.iter().flatten().map(|s| short_name(&s.name())).collect();
        if let Some(leaf) = names.first() {
            shares.entry(leaf.clone()).or_default().0 += count;
        }
        let mut seen: Vec<&String> = names.iter().collect();
        seen.sort();
        seen.dedup(); // recursion counts once per sample
        for name in seen {
            shares.entry(name.clone()).or_default().1 += count;
        }
    }
    let mut functions: Vec<FunctionShare> =
        shares.into_iter().map(|(name, (s, t))| FunctionShare { name, self_samples: s, total_samples: t }).collect();
    functions.sort_by(|a, b| b.self_samples.cmp(&a.self_samples).then(b.total_samples.cmp(&a.total_samples)).then(a.name.cmp(&b.name)));
    Ok(Profile { samples, seconds, frequency, calls, functions, flamegraph_svg: String::from_utf8_lossy(&svg).into_owned() })
}
// ANCHOR_END: profile

/// Folds rayon's work splitting into one frame. Each split of a parallel iterator recurses through
/// `bridge_producer_consumer`, `join_context` and their closures, which makes a parallel flamegraph dozens of
/// frames tall without saying anything about the program. Frames are innermost first: everything from the
/// innermost frame that mentions rayon outwards becomes one frame, `rayon worker`; the work it ran keeps its
/// frames and its samples.
pub fn fold_rayon_plumbing(frames: &mut pprof::Frames) {
    let mentions_rayon = |inlined: &Vec<pprof::Symbol>| inlined.iter().any(|symbol| symbol.name().contains("rayon"));
    if let Some(cut) = frames.frames.iter().position(mentions_rayon) {
        frames.frames.truncate(cut);
        let worker = pprof::Symbol { name: Some(b"rayon worker (its work-splitting frames folded)".to_vec()), addr: None, lineno: None, filename: None };
        frames.frames.push(vec![worker]);
    }
}

/// An `<img>` tag holding an SVG as a data URI, for the book. A flamegraph's SVG carries its own stylesheet
/// (`text { font-family: monospace }`) and an `onload` handler: drawn inline, they would restyle every figure on
/// the page and call a missing script; inside an `<img>` they stay contained (and scripts never run there).
pub fn svg_img(svg: &str, alt: &str) -> String {
    use base64::Engine;
    let alt = alt.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;");
    format!(
        "<img class=\"flamegraph\" alt=\"{alt}\" src=\"data:image/svg+xml;base64,{}\">\n",
        base64::engine::general_purpose::STANDARD.encode(svg)
    )
}

/// A name for a table cell: long generic arguments (the sort's closure types run to hundreds of characters)
/// become `<…>`.
pub fn display_name(name: &str) -> String {
    match name.find('<') {
        Some(at) if name.len() > 40 => format!("{}<…>", &name[..at]),
        _ => name.to_owned(),
    }
}

/// The top `rows` functions by self time, as a markdown table (the cProfile `tottime`/`cumtime` view).
pub fn table(profile: &Profile, rows: usize) -> String {
    use course_utils::table::{Align, Table};
    let mut t = Table::new(["function", "self", "total (with callees)"]);
    t.align(0, Align::Left);
    let pct = |n: isize| format!("{:.1}%", 100.0 * n as f64 / profile.samples.max(1) as f64);
    for f in profile.functions.iter().filter(|f| f.self_samples > 0).take(rows) {
        t.push([format!("`{}`", display_name(&f.name)), pct(f.self_samples), pct(f.total_samples)]);
    }
    t.to_markdown()
}

// ANCHOR: criterion_profiler
/// Criterion's profiler hook, for criterion 0.8 (pprof's own `criterion` feature targets criterion 0.5). With
/// `cargo bench -- --profile-time 5`, criterion runs each benchmark for 5 s without measuring it and calls
/// `start_profiling`/`stop_profiling` around that; this writes `flamegraph.svg` and `profile.pb` (for
/// `go tool pprof` or other pprof viewers) into the benchmark's folder under `target/criterion/`.
pub struct FlamegraphProfiler {
    frequency: i32,
    guard: Option<pprof::ProfilerGuard<'static>>,
}

impl FlamegraphProfiler {
    pub fn new(frequency: i32) -> Self {
        FlamegraphProfiler { frequency, guard: None }
    }

    fn write(guard: &pprof::ProfilerGuard<'_>, dir: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
        use pprof::protos::Message;
        let report = guard.report().build()?;
        std::fs::create_dir_all(dir)?;
        report.flamegraph(std::fs::File::create(dir.join("flamegraph.svg"))?)?;
        let mut bytes = Vec::new();
        report.pprof()?.encode(&mut bytes)?;
        std::fs::write(dir.join("profile.pb"), bytes)?;
        Ok(())
    }
}

impl criterion::profiler::Profiler for FlamegraphProfiler {
    fn start_profiling(&mut self, benchmark_id: &str, _dir: &std::path::Path) {
        // the trait returns nothing, so a failure is reported rather than hidden, and the benchmark goes on
        match pprof::ProfilerGuardBuilder::default().frequency(self.frequency).blocklist(&["libc", "libgcc", "pthread", "vdso"]).build() {
            Ok(guard) => self.guard = Some(guard),
            Err(e) => eprintln!("{benchmark_id}: the profiler did not start: {e}"),
        }
    }

    fn stop_profiling(&mut self, benchmark_id: &str, dir: &std::path::Path) {
        if let Some(guard) = self.guard.take() {
            match Self::write(&guard, dir) {
                Ok(()) => eprintln!("{benchmark_id}: wrote {}", dir.join("flamegraph.svg").display()),
                Err(e) => eprintln!("{benchmark_id}: no flamegraph: {e}"),
            }
        }
    }
}
// ANCHOR_END: criterion_profiler

#[cfg(test)]
mod tests {
    use super::*;

    /// pprof runs one profiler per process at a time: the profiling tests take turns.
    static ONE_PROFILER: std::sync::Mutex<()> = std::sync::Mutex::new(());

    #[test]
    fn hashes_are_stripped_and_other_names_kept() {
        assert_eq!(short_name("performance::knn::knn_slow::h0123456789abcdef"), "performance::knn::knn_slow");
        assert_eq!(short_name("core::slice::sort::stable::drift::sort"), "core::slice::sort::stable::drift::sort");
        assert_eq!(short_name("a::hello"), "a::hello");
        assert_eq!(display_name("next<f64>"), "next<f64>");
        let long = "merge_up<(f64, usize), alloc::slice::{impl#0}::sort_by::{closure_env#0}<(f64, usize)>>";
        assert_eq!(display_name(long), "merge_up<…>");
    }

    #[test]
    fn rayon_splitting_is_folded_into_one_frame_and_the_work_kept() {
        let symbol = |name: &str| pprof::Symbol { name: Some(name.as_bytes().to_vec()), addr: None, lineno: None, filename: None };
        let stack = |names: &[&str]| names.iter().map(|n| vec![symbol(n)]).collect::<Vec<_>>();
        let mut frames = pprof::Frames {
            // innermost first, as pprof records them
            frames: stack(&["sqrt", "performance::knn::k_nearest", "helper<rayon::iter::Zip>", "join_context", "helper<rayon::iter::Zip>", "main"]),
            thread_name: "worker".into(),
            thread_id: 1,
            sample_timestamp: std::time::SystemTime::now(),
        };
        fold_rayon_plumbing(&mut frames);
        let names: Vec<String> = frames.frames.iter().map(|f| f[0].name()).collect();
        assert_eq!(names, ["sqrt", "performance::knn::k_nearest", "rayon worker (its work-splitting frames folded)"]);
        let mut serial = pprof::Frames { frames: stack(&["sqrt", "main"]), ..frames };
        fold_rayon_plumbing(&mut serial);
        assert_eq!(serial.frames.len(), 2, "a stack without rayon is left alone");
    }

    #[inline(never)]
    fn busy(n: u64) -> f64 {
        (0..n).map(|i| (i as f64).sqrt()).sum()
    }

    #[test]
    fn a_busy_loop_shows_in_the_profile() {
        let _turn = ONE_PROFILER.lock().unwrap_or_else(|e| e.into_inner());
        let p = profile("busy", 250, 0.6, || busy(2_000_000)).unwrap();
        assert!(p.samples > 20, "{} samples in {:.2} s", p.samples, p.seconds);
        assert!(p.flamegraph_svg.contains("<svg") && p.flamegraph_svg.contains("busy"));
        let img = svg_img(&p.flamegraph_svg, "a \"busy\" loop");
        assert!(img.starts_with("<img class=\"flamegraph\" alt=\"a &quot;busy&quot; loop\" src=\"data:image/svg+xml;base64,"));
        let total: isize = p.functions.iter().map(|f| f.self_samples).sum();
        assert_eq!(total, p.samples, "every sample has exactly one innermost function");
        assert!(p.functions.iter().any(|f| f.name.contains("busy")), "{:?}", &p.functions[..p.functions.len().min(5)]);
        assert!(table(&p, 5).starts_with("| function | self |"));
    }

    #[test]
    fn the_criterion_hook_writes_a_flamegraph_and_a_pprof_file() {
        use criterion::profiler::Profiler;
        let _turn = ONE_PROFILER.lock().unwrap_or_else(|e| e.into_inner());
        let dir = std::env::temp_dir().join(format!("performance-profiler-{}", std::process::id()));
        let mut profiler = FlamegraphProfiler::new(250);
        profiler.start_profiling("busy", &dir);
        let start = Instant::now();
        while start.elapsed().as_secs_f64() < 0.4 {
            std::hint::black_box(busy(1_000_000));
        }
        profiler.stop_profiling("busy", &dir);
        let svg = std::fs::read_to_string(dir.join("flamegraph.svg")).unwrap();
        assert!(svg.contains("<svg") && svg.contains("busy"));
        let pb = std::fs::read(dir.join("profile.pb")).unwrap();
        use pprof::protos::Message;
        let decoded = pprof::protos::Profile::decode(pb.as_slice()).unwrap();
        assert!(!decoded.sample.is_empty() && decoded.string_table.iter().any(|s| s.contains("busy")));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
