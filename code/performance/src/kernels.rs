//! What replaces Numba's JIT: one small kernel, a dot product, written several ways with the same answer, so the
//! effect of each change (bounds checks, independent accumulators for SIMD, the CPU's newer instructions, more
//! cores) is measured on its own.

use rayon::prelude::*;

/// The two slices of a dot product differ in length.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a dot product needs slices of equal length, got {left} and {right}")]
pub struct LengthMismatch {
    pub left: usize,
    pub right: usize,
}

fn check(x: &[f64], y: &[f64]) -> Result<(), LengthMismatch> {
    if x.len() == y.len() { Ok(()) } else { Err(LengthMismatch { left: x.len(), right: y.len() }) }
}

// ANCHOR: indexed
/// The first way anyone writes it: an index loop. Every `x[i]` and `y[i]` is bounds-checked.
pub fn dot_indexed(x: &[f64], y: &[f64]) -> Result<f64, LengthMismatch> {
    check(x, y)?;
    let mut sum = 0.0;
    for i in 0..x.len() {
        sum += x[i] * y[i];
    }
    Ok(sum)
}

/// With iterators: `zip` walks both slices together and there is no index to check.
pub fn dot_iter(x: &[f64], y: &[f64]) -> Result<f64, LengthMismatch> {
    check(x, y)?;
    Ok(x.iter().zip(y).map(|(a, b)| a * b).sum())
}
// ANCHOR_END: indexed

// ANCHOR: lanes
/// Eight independent running sums. Floating-point addition is not associative, so the compiler may not reorder
/// `sum += ...` across iterations, and one running sum makes each addition wait for the previous one. With eight
/// sums the additions are independent and the compiler puts them in SIMD registers. `chunks_exact(8)` hands out
/// slices of exactly 8, so the inner indexing needs no bounds checks; the remainder is added at the end.
/// The result differs from `dot_iter` only by rounding (another order of additions), as with Numba's `fastmath`.
pub fn dot_lanes(x: &[f64], y: &[f64]) -> Result<f64, LengthMismatch> {
    check(x, y)?;
    Ok(dot_lanes_unchecked(x, y))
}

#[inline(always)]
fn dot_lanes_unchecked(x: &[f64], y: &[f64]) -> f64 {
    let mut lanes = [0.0f64; 8];
    let (xc, yc) = (x.chunks_exact(8), y.chunks_exact(8));
    let tail: f64 = xc.remainder().iter().zip(yc.remainder()).map(|(a, b)| a * b).sum();
    for (a, b) in xc.zip(yc) {
        for k in 0..8 {
            lanes[k] += a[k] * b[k];
        }
    }
    lanes.iter().sum::<f64>() + tail
}
// ANCHOR_END: lanes

// ANCHOR: target_feature
/// The same code compiled for AVX2 and FMA (256-bit registers, fused multiply-add), chosen at run time when the
/// CPU has them. This is what `-C target-cpu=native` does for a whole program, without tying the binary to
/// the machine that built it. On other CPUs it falls back to the baseline version.
pub fn dot_lanes_avx2(x: &[f64], y: &[f64]) -> Result<f64, LengthMismatch> {
    check(x, y)?;
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU supports both features, checked just above
        return Ok(unsafe { dot_lanes_avx2_inner(x, y) });
    }
    Ok(dot_lanes_unchecked(x, y))
}

/// Whether this CPU has AVX2 and FMA (never, off x86-64: on aarch64 the baseline already has NEON).
pub fn has_avx2_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    return std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma");
    #[cfg(not(target_arch = "x86_64"))]
    return false;
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn dot_lanes_avx2_inner(x: &[f64], y: &[f64]) -> f64 {
    dot_lanes_unchecked(x, y) // inlined, so compiled again with AVX2 and FMA
}
// ANCHOR_END: target_feature

// ANCHOR: f32
/// The eight-lane loop in f32, with sixteen lanes: a SIMD register holds twice as many f32 as f64.
pub fn dot_lanes_f32(x: &[f32], y: &[f32]) -> Result<f32, LengthMismatch> {
    if x.len() != y.len() {
        return Err(LengthMismatch { left: x.len(), right: y.len() });
    }
    let mut lanes = [0.0f32; 16];
    let (xc, yc) = (x.chunks_exact(16), y.chunks_exact(16));
    let tail: f32 = xc.remainder().iter().zip(yc.remainder()).map(|(a, b)| a * b).sum();
    for (a, b) in xc.zip(yc) {
        for k in 0..16 {
            lanes[k] += a[k] * b[k];
        }
    }
    Ok(lanes.iter().sum::<f32>() + tail)
}
// ANCHOR_END: f32

// ANCHOR: parallel
/// Both cores: rayon splits the slices into blocks, each core runs the eight-lane loop on its blocks, and the
/// partial sums are added. Worth it only when there is enough work to pay for handing it out.
pub fn dot_parallel(x: &[f64], y: &[f64]) -> Result<f64, LengthMismatch> {
    check(x, y)?;
    Ok(x.par_chunks(1 << 14).zip(y.par_chunks(1 << 14)).map(|(a, b)| dot_lanes_unchecked(a, b)).sum())
}
// ANCHOR_END: parallel

/// The dot products to time: `reps` calls on slices of `n` (the in-cache case repeats a small product).
pub struct DotInput {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    /// the same numbers rounded to f32
    pub x32: Vec<f32>,
    pub y32: Vec<f32>,
    pub reps: usize,
}

impl DotInput {
    pub fn new(n: usize, reps: usize) -> DotInput {
        let x: Vec<f64> = (0..n).map(|i| ((i * 7919) % 1000) as f64 / 1000.0).collect();
        let y: Vec<f64> = (0..n).map(|i| ((i * 104_729) % 997) as f64 / 997.0).collect();
        let x32 = x.iter().map(|&v| v as f32).collect();
        let y32 = y.iter().map(|&v| v as f32).collect();
        DotInput { x, y, x32, y32, reps }
    }
}

pub const KERNELS_TABLE: &str = "performance/kernels.md";
/// The in-cache table again from a debug build (`cargo run` without `--release`).
pub const KERNELS_DEBUG_TABLE: &str = "performance/kernels-debug.md";
/// The in-cache workload: 2048 elements (32 KB for both slices, inside every L1 data cache), 2000 products.
pub const IN_CACHE: (usize, usize) = (2048, 2000);
/// The streaming workload: 8 Mi elements, 128 MB for both slices, far beyond any cache.
pub const FROM_MEMORY: (usize, usize) = (1 << 23, 1);

// ANCHOR: report
/// Every version on a product that fits in the core's L1 cache (2048 elements, repeated) and on one that streams
/// from memory (8 Mi elements, 128 MB), checked against the index loop.
pub fn kernels_report(n: usize, reps: usize, runs: usize) -> Result<course_utils::Report, course_utils::CompareError> {
    use course_utils::{Compare, Schedule, Throughput, Tolerance};
    let input = DotInput::new(n, reps);
    let repeat = |dot: fn(&[f64], &[f64]) -> Result<f64, LengthMismatch>| {
        move |i: &DotInput| {
            let mut last = 0.0;
            for _ in 0..i.reps {
                last = dot(std::hint::black_box(&i.x), std::hint::black_box(&i.y)).expect("equal lengths");
            }
            last
        }
    };
    let megabytes = (2 * n * size_of::<f64>()) as f64 / 1e6;
    Compare::new(format!("Dot product of {n} f64 ({megabytes:.3} MB read per product), {reps} products per call"))
        .runs(runs)
        .schedule(Schedule::Blocks) // rayon's threads would otherwise spin into the next version's time
        .tolerance(Tolerance::new(1e-12, 0.0)) // another order of additions rounds differently
        .throughput(Throughput::Flops((2 * n * reps) as f64))
        .add("index loop", repeat(dot_indexed))
        .add("iterators (`zip`)", repeat(dot_iter))
        .add("8 lanes (`chunks_exact`)", repeat(dot_lanes))
        .add("8 lanes, AVX2 + FMA", repeat(dot_lanes_avx2))
        .add("8 lanes, rayon", repeat(dot_parallel))
        .run(&input)
}
// ANCHOR_END: report

// ANCHOR: f32_report
/// f64 against f32, the same eight-lane (sixteen for f32) loop: half the bytes to read, twice the numbers per
/// SIMD instruction. The f32 answer is compared with the f64 one at a loose tolerance: it has about 7
/// significant digits, and long sums lose some of them.
pub fn precision_report(n: usize, reps: usize, runs: usize) -> Result<course_utils::Report, course_utils::CompareError> {
    use course_utils::{Compare, Throughput, Tolerance};
    let input = DotInput::new(n, reps);
    let megabytes = (2 * n * size_of::<f64>()) as f64 / 1e6;
    Compare::new(format!("Dot product of {n} numbers ({megabytes:.3} MB in f64, half in f32), {reps} products per call"))
        .runs(runs)
        .tolerance(Tolerance::new(1e-3, 0.0))
        .throughput(Throughput::Flops((2 * n * reps) as f64))
        .add("f64, 8 lanes", |i: &DotInput| {
            let mut last = 0.0;
            for _ in 0..i.reps {
                last = dot_lanes(std::hint::black_box(&i.x), std::hint::black_box(&i.y)).expect("equal lengths");
            }
            last
        })
        .add("f32, 16 lanes", |i: &DotInput| {
            let mut last = 0.0f32;
            for _ in 0..i.reps {
                last = dot_lanes_f32(std::hint::black_box(&i.x32), std::hint::black_box(&i.y32)).expect("equal lengths");
            }
            f64::from(last)
        })
        .run(&input)
}
// ANCHOR_END: f32_report

/// How far the f32 dot product is from the f64 one, relative.
pub fn f32_relative_error(n: usize) -> f64 {
    let i = DotInput::new(n, 1);
    let (exact, single) = (dot_lanes(&i.x, &i.y).unwrap_or(f64::NAN), dot_lanes_f32(&i.x32, &i.y32).map_or(f64::NAN, f64::from));
    ((single - exact) / exact).abs()
}

pub const PRECISION_TABLE: &str = "performance/f32-f64.md";

/// Both tables for the page, written under `out` (the book's `figures/`).
pub fn write_kernels(out: Option<&std::path::Path>, runs: usize) -> Result<(), Box<dyn std::error::Error>> {
    use course_utils::table::{generated_header, write_generated};
    let machine = course_utils::Machine::current();
    let avx2 = if has_avx2_fma() {
        "this CPU has AVX2 and FMA"
    } else {
        "this CPU lacks AVX2 or FMA, so that row runs the baseline code"
    };
    let mut text = generated_header("code/performance/src/kernels.rs");
    for (n, reps) in [IN_CACHE, FROM_MEMORY] {
        println!("dot products of {n} f64 ...");
        let report = kernels_report(n, reps, runs)?;
        println!("{report}");
        text.push_str(&report.to_markdown(&machine));
        text.push('\n');
    }
    text.push_str(&format!("*Built for the default target of {} (on x86-64: SSE2 only); {avx2}.*\n", std::env::consts::ARCH));
    let mut precision = generated_header("code/performance/src/kernels.rs");
    for (n, reps) in [IN_CACHE, FROM_MEMORY] {
        let report = precision_report(n, reps, runs)?;
        println!("{report}");
        precision.push_str(&report.to_markdown(&machine));
        precision.push_str(&format!("*The f32 result differs from the f64 one by {:.1e} (relative).*\n\n", f32_relative_error(n)));
    }
    if let Some(out) = out {
        write_generated(&out.join(KERNELS_TABLE), &text)?;
        write_generated(&out.join(PRECISION_TABLE), precision.trim_end())?;
        println!("wrote {KERNELS_TABLE} and {PRECISION_TABLE}");
    }
    Ok(())
}

/// The in-cache table from a debug build: what the same code costs without the optimiser.
pub fn write_kernels_debug(out: &std::path::Path, runs: usize) -> Result<(), Box<dyn std::error::Error>> {
    use course_utils::table::{generated_header, write_generated};
    if !cfg!(debug_assertions) {
        return Err("the debug table must come from a debug build: run without --release".into());
    }
    let report = kernels_report(IN_CACHE.0, IN_CACHE.1, runs)?;
    println!("{report}");
    let text = format!(
        "{}{}*The same code and workload as above, built with cargo's `dev` profile (`opt-level = 0`, debug assertions on).*\n",
        generated_header("code/performance/src/kernels.rs"),
        report.to_markdown(&course_utils::Machine::current())
    );
    write_generated(&out.join(KERNELS_DEBUG_TABLE), &text)?;
    println!("wrote {KERNELS_DEBUG_TABLE}");
    Ok(())
}

// ANCHOR: build_profiles
/// The build profiles compared: cargo's `release`, and the workspace's `release-lto` (the same, plus
/// `lto = "fat"` and `codegen-units = 1`).
pub const BUILD_PROFILES: [&str; 2] = ["release", "release-lto"];
pub const BUILD_PROFILES_TABLE: &str = "performance/build-profiles.md";

/// The workloads timed under each build profile: a kernel from this page and the lab's two ends.
pub fn build_profile_timings(runs: usize) -> Vec<course_utils::Timing> {
    use crate::knn;
    use crate::lab_1_2_5::{Input, LAB};
    use std::hint::black_box;
    use std::time::Instant;
    let time = |name: &str, f: &mut dyn FnMut()| {
        f(); // warm-up
        let samples = (0..runs.max(1))
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect();
        course_utils::Timing::from_samples(name.to_owned(), samples)
    };
    let dots = DotInput::new(IN_CACHE.0, IN_CACHE.1);
    let lab = Input::new(LAB, 42);
    vec![
        time("dot product, index loop (in cache)", &mut || {
            for _ in 0..dots.reps {
                black_box(dot_indexed(black_box(&dots.x), black_box(&dots.y)).ok());
            }
        }),
        time("dot product, 8 lanes (in cache)", &mut || {
            for _ in 0..dots.reps {
                black_box(dot_lanes(black_box(&dots.x), black_box(&dots.y)).ok());
            }
        }),
        time("Lab 1.2.5, the slow function", &mut || {
            black_box(knn::knn_slow(black_box(&lab.nested), lab.k).ok());
        }),
        time("Lab 1.2.5, step 5", &mut || {
            black_box(knn::knn_step5_parallel(black_box(lab.array.view()), lab.k).ok());
        }),
    ]
}
// ANCHOR_END: build_profiles

/// One build profile's medians, as lines `name<TAB>nanoseconds`, kept between the two runs in `target/`.
fn medians_path(profile: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../target/build-profiles/{profile}.tsv"))
}

/// Times the workloads in this binary, built with `profile`, and saves the medians; the last profile of
/// [`BUILD_PROFILES`] then writes the table comparing them all.
pub fn write_build_profile(out: &std::path::Path, profile: &str, runs: usize) -> Result<(), Box<dyn std::error::Error>> {
    use course_utils::table::{Align, Table, format_duration, format_ratio, generated_header, write_generated};
    let index = BUILD_PROFILES.iter().position(|p| *p == profile).ok_or(format!("unknown build profile `{profile}`: expected one of {BUILD_PROFILES:?}"))?;
    if cfg!(debug_assertions) {
        return Err("build profiles are measured on optimised builds: run with --release or --profile release-lto".into());
    }
    let timings = build_profile_timings(runs);
    let text: String = timings.iter().map(|t| format!("{}\t{}\n", t.name, t.median.as_nanos())).collect();
    write_generated(&medians_path(profile), &text)?;
    println!("{profile}: {}", timings.iter().map(|t| format!("{} {}", t.name, format_duration(t.median))).collect::<Vec<_>>().join(", "));
    if index + 1 < BUILD_PROFILES.len() {
        return Ok(());
    }
    let mut columns = Vec::new();
    for p in BUILD_PROFILES {
        let saved = std::fs::read_to_string(medians_path(p)).map_err(|e| format!("no timings of the `{p}` build ({e}): run that profile first"))?;
        let medians: Vec<(String, u128)> = saved
            .lines()
            .map(|l| l.split_once('\t').and_then(|(n, v)| Some((n.to_owned(), v.parse().ok()?))).ok_or(format!("unreadable line {l:?}")))
            .collect::<Result<_, _>>()?;
        columns.push(medians);
    }
    let mut table = Table::new(["workload", "`release`", "`release-lto`", "speedup"]);
    table.align(0, Align::Left);
    for (i, (name, base)) in columns[0].iter().enumerate() {
        let lto = columns[1].get(i).filter(|(n, _)| n == name).ok_or(format!("`{name}` missing from the release-lto timings"))?.1;
        let d = |ns: u128| std::time::Duration::from_nanos(ns as u64);
        table.push([name.clone(), format_duration(d(*base)), format_duration(d(lto)), format_ratio(*base as f64 / lto as f64)]);
    }
    let text = format!(
        "{}{}\n*Medians of {runs} runs, each profile's binary timed in its own run. `release-lto` is `release` plus \
         `lto = \"fat\"` and `codegen-units = 1` (the workspace's `Cargo.toml`). {}*\n",
        generated_header("code/performance/src/kernels.rs"),
        table.to_markdown(),
        course_utils::Machine::current()
    );
    write_generated(&out.join(BUILD_PROFILES_TABLE), &text)?;
    println!("wrote {BUILD_PROFILES_TABLE}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    type Dot = fn(&[f64], &[f64]) -> Result<f64, LengthMismatch>;
    const ALL: [(&str, Dot); 5] =
        [("indexed", dot_indexed), ("iter", dot_iter), ("lanes", dot_lanes), ("avx2", dot_lanes_avx2), ("parallel", dot_parallel)];

    #[test]
    fn small_cases_are_exact() {
        for (name, dot) in ALL {
            assert_eq!(dot(&[], &[]), Ok(0.0), "{name}");
            assert_eq!(dot(&[2.0], &[3.0]), Ok(6.0), "{name}");
            let x: Vec<f64> = (1..=19).map(f64::from).collect();
            assert_eq!(dot(&x, &x), Ok(2470.0), "{name}: 1² + ... + 19²");
        }
    }

    /// The page's Numba tabs, on the tables' inputs (`DotInput`) of the size each tab printed.
    #[test]
    fn the_kernels_agree_with_their_numba_tabs() {
        let tabs: [(&str, &str, Dot); 3] = [
            ("performance/python/dot_loop.md", "dot_indexed(x, y) =", dot_indexed),
            ("performance/python/dot_fastmath.md", "dot_fastmath(x, y) =", dot_lanes),
            ("performance/python/dot_prange.md", "dot_parallel(x, y) =", dot_parallel),
        ];
        for (tab, label, dot) in tabs {
            let shown = course_utils::printed::python_tab(tab).unwrap();
            let line = |label: &str| match course_utils::printed::labelled(&shown, label).as_deref() {
                Some(&[v]) => v,
                _ => panic!("{tab}: no line `{label} <number>` in:\n{shown}"),
            };
            let input = DotInput::new(line("n =") as usize, 1);
            let (python, rust) = (line(label), dot(&input.x, &input.y).unwrap());
            if label.starts_with("dot_indexed") {
                // one running sum in the same order, no fastmath: the same number to the last bit
                assert_eq!(rust.to_bits(), python.to_bits(), "{tab}: Rust {rust}, Numba {python}");
            } else {
                // both reorder the additions, each its own way (the tabs print 10 and 6 decimals): only rounding differs
                assert!((rust - python).abs() <= 1e-12 * rust.abs(), "{tab}: Rust {rust}, Numba {python}");
            }
        }
    }

    #[test]
    fn different_lengths_are_an_error() {
        for (name, dot) in ALL {
            assert_eq!(dot(&[1.0, 2.0], &[1.0]), Err(LengthMismatch { left: 2, right: 1 }), "{name}");
        }
        assert_eq!(dot_lanes_f32(&[1.0], &[]), Err(LengthMismatch { left: 1, right: 0 }));
        assert_eq!(LengthMismatch { left: 2, right: 1 }.to_string(), "a dot product needs slices of equal length, got 2 and 1");
    }

    #[test]
    fn the_report_checks_and_times_every_version() {
        let report = kernels_report(1000, 3, 1).unwrap();
        assert_eq!(report.timings().len(), 5);
        assert!(report.to_string().contains("GFLOP/s"));
        assert_eq!(precision_report(1000, 3, 1).unwrap().timings().len(), 2);

        let error = f32_relative_error(100_000);
        assert!(error > 0.0 && error < 1e-4, "f32 keeps about 7 digits: {error}");
    }

    #[test]
    #[cfg(debug_assertions)]
    fn a_debug_build_refuses_to_stand_in_for_an_optimised_one() {
        let err = write_build_profile(std::path::Path::new("/nonexistent"), "release", 1).unwrap_err();
        assert!(err.to_string().contains("optimised builds"), "{err}");
        assert!(write_build_profile(std::path::Path::new("/nonexistent"), "turbo", 1).unwrap_err().to_string().contains("unknown build profile"));
    }

    proptest! {
        #[test]
        fn every_version_matches_the_index_loop(x in prop::collection::vec(-1e3f64..1e3, 0..5_000), seed in 0u64..1000) {
            let y: Vec<f64> = x.iter().enumerate().map(|(i, v)| v * 0.5 + ((i as u64 ^ seed) % 7) as f64).collect();
            let reference = dot_indexed(&x, &y).unwrap();
            // only the order of the additions differs: bound the rounding by the sum of |terms|
            let scale: f64 = x.iter().zip(&y).map(|(a, b)| (a * b).abs()).sum::<f64>() + 1.0;
            for (name, dot) in ALL {
                let got = dot(&x, &y).unwrap();
                prop_assert!((got - reference).abs() <= 1e-12 * scale, "{}: {} vs {}", name, got, reference);
            }
            let (x32, y32): (Vec<f32>, Vec<f32>) = (x.iter().map(|&v| v as f32).collect(), y.iter().map(|&v| v as f32).collect());
            let single = f64::from(dot_lanes_f32(&x32, &y32).unwrap());
            prop_assert!((single - reference).abs() <= 1e-5 * scale, "f32: {} vs {}", single, reference);
        }
    }
}
