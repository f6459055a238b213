//! `compare_implementations`, the Rust way.
//!
//! The Python module times `compare_implementations(functions, names, args, n_runs)`. Here the same idea is a
//! small builder: name each implementation of one computation, give the shared input and a number of runs.
//! [`Compare::run`] first checks that every output agrees with the first implementation's (the reference) and
//! refuses to time any that differ; then it warms up, times all of them in interleaved rounds (so a noisy
//! moment hurts every implementation alike) and returns a [`Report`]: median, min and max per implementation
//! and the speedup of each over the first.
//!
//! It times one call per run with `Instant`, which suits calls of about 100 µs and longer. For smaller
//! functions, or for confidence intervals, use a criterion benchmark.

use crate::agree::{Agree, Tolerance};
use crate::machine::Machine;
use crate::memory::{NotInstrumented, peak_heap};
use crate::table::{Align, Table, format_bytes, format_duration, format_ratio};
use std::fmt;
use std::hint::black_box;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

/// What one call of the computation processes, to report a rate next to the times.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Throughput {
    /// floating-point operations per call: reported as GFLOP/s
    Flops(f64),
    /// bytes read and written per call: reported as GB/s
    Bytes(f64),
}

impl Throughput {
    fn header(&self) -> &'static str {
        match self {
            Throughput::Flops(_) => "GFLOP/s",
            Throughput::Bytes(_) => "GB/s",
        }
    }

    fn rate(&self, time: Duration) -> String {
        let per_call = match *self {
            Throughput::Flops(n) | Throughput::Bytes(n) => n,
        };
        format!("{:.2}", per_call / time.as_secs_f64() / 1e9)
    }
}

/// In which order the timed runs happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Schedule {
    /// Rounds in which every implementation runs once: a noisy moment hurts all alike (the default).
    #[default]
    Interleaved,
    /// All runs of one implementation, after its own warm-up, then the next (as criterion does). Use it when one
    /// implementation disturbs the next one's run, e.g. by freeing hundreds of megabytes or idling rayon's threads.
    Blocks,
}

/// Why a comparison could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CompareError {
    /// `runs(0)` was asked for: there would be nothing to report.
    #[error("the number of runs must be at least 1")]
    ZeroRuns,
    /// No implementation was added.
    #[error("no implementations to compare: add at least one with `.add(name, f)`")]
    NoImplementations,
    /// Two implementations were given the same name, so the table could not tell them apart.
    #[error("two implementations are both named {0:?}")]
    DuplicateName(String),
    /// An implementation panicked on the shared input.
    #[error("implementation {name:?} panicked: {message}")]
    Panicked { name: String, message: String },
    /// An implementation's output differs from the reference's: it is not timed.
    #[error("implementation {name:?} disagrees with the reference {reference:?}: {detail}")]
    Disagrees { name: String, reference: String, detail: String },
    /// `.measure_heap()` was asked for, but the program counts no allocations.
    #[error(transparent)]
    HeapNotMeasured(#[from] NotInstrumented),
}

/// An output buffer one implementation keeps between calls, like NumPy's `out=` argument: the first call makes
/// it, later calls write into the same memory (no allocation, no fresh pages to fault in). Each call returns a
/// shared handle to it, so [`Compare`] can check the contents against the reference.
pub struct OutputBuffer<T>(std::cell::RefCell<Option<std::sync::Arc<T>>>);

impl<T> Default for OutputBuffer<T> {
    fn default() -> Self {
        OutputBuffer(std::cell::RefCell::new(None))
    }
}

impl<T> OutputBuffer<T> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `fill` on the kept buffer; `make` creates one when there is none, or when the previous result is
    /// still held by someone (so a result already handed out is never overwritten).
    pub fn fill(&self, make: impl Fn() -> T, fill: impl FnOnce(&mut T)) -> std::sync::Arc<T> {
        let mut slot = self.0.borrow_mut();
        let mut buffer = slot.take().unwrap_or_else(|| std::sync::Arc::new(make()));
        if std::sync::Arc::get_mut(&mut buffer).is_none() {
            buffer = std::sync::Arc::new(make());
        }
        fill(std::sync::Arc::get_mut(&mut buffer).expect("a buffer nobody else holds"));
        *slot = Some(std::sync::Arc::clone(&buffer));
        buffer
    }
}

type Implementation<'a, I, O> = (String, Box<dyn Fn(&I) -> O + 'a>);

/// Named implementations of one computation, to be checked against each other and timed.
///
/// ```
/// use course_utils::Compare;
///
/// let data: Vec<f64> = (0..100_000).map(|i| i as f64).collect();
/// let report = Compare::new("sum of 100,000 f64")
///     .runs(5)
///     .add("for loop", |x: &Vec<f64>| {
///         let mut total = 0.0;
///         for i in 0..x.len() {
///             total += x[i];
///         }
///         total
///     })
///     .add("iter().sum()", |x| x.iter().sum::<f64>())
///     .run(&data)?;
/// assert_eq!(report.timings().len(), 2);
/// println!("{report}");
/// # Ok::<(), course_utils::CompareError>(())
/// ```
pub struct Compare<'a, I: ?Sized, O> {
    title: String,
    runs: usize,
    warmup: usize,
    tolerance: Tolerance,
    throughput: Option<Throughput>,
    measure_heap: bool,
    schedule: Schedule,
    implementations: Vec<Implementation<'a, I, O>>,
}

impl<'a, I: ?Sized, O: Agree> Compare<'a, I, O> {
    /// A comparison with 10 timed runs, 1 warm-up run and NumPy's `allclose` tolerance.
    pub fn new(title: impl Into<String>) -> Self {
        Compare {
            title: title.into(),
            runs: 10,
            warmup: 1,
            tolerance: Tolerance::default(),
            throughput: None,
            measure_heap: false,
            schedule: Schedule::Interleaved,
            implementations: Vec::new(),
        }
    }

    /// Adds an implementation. The first one added is the reference for agreement and speedup.
    pub fn add(mut self, name: impl Into<String>, f: impl Fn(&I) -> O + 'a) -> Self {
        self.implementations.push((name.into(), Box::new(f)));
        self
    }

    /// How many timed runs per implementation (the module's `n_runs`).
    pub fn runs(mut self, runs: usize) -> Self {
        self.runs = runs;
        self
    }

    /// How many untimed runs per implementation before timing, besides the agreement check.
    pub fn warmup(mut self, warmup: usize) -> Self {
        self.warmup = warmup;
        self
    }

    /// How close float outputs must be to the reference's.
    pub fn tolerance(mut self, tolerance: Tolerance) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// The work one call does, to add a GFLOP/s or GB/s column.
    pub fn throughput(mut self, throughput: Throughput) -> Self {
        self.throughput = Some(throughput);
        self
    }

    /// In which order to time: interleaved rounds (the default) or one implementation after another.
    pub fn schedule(mut self, schedule: Schedule) -> Self {
        self.schedule = schedule;
        self
    }

    /// Also reports each implementation's peak heap use (measured during the agreement run, output included).
    /// Needs the counting allocator of [`crate::memory`] installed by the program.
    pub fn measure_heap(mut self) -> Self {
        self.measure_heap = true;
        self
    }

    /// Checks agreement, warms up, times, and reports.
    pub fn run(self, input: &I) -> Result<Report, CompareError> {
        if self.runs == 0 {
            return Err(CompareError::ZeroRuns);
        }
        if self.implementations.is_empty() {
            return Err(CompareError::NoImplementations);
        }
        for (i, (name, _)) in self.implementations.iter().enumerate() {
            if self.implementations[..i].iter().any(|(other, _)| other == name) {
                return Err(CompareError::DuplicateName(name.clone()));
            }
        }

        // one step per call: the agreement check, the warm-up and the timed runs (drawn between calls, never
        // inside a timed one, and only when stderr is a terminal)
        let progress = crate::progress::bar((self.implementations.len() * (1 + self.warmup + self.runs)) as u64, &self.title);
        // Agreement first: a fast wrong answer is not a speedup.
        let mut outputs = Vec::with_capacity(self.implementations.len());
        let mut heap = Vec::with_capacity(self.implementations.len());
        for (name, f) in &self.implementations {
            if self.measure_heap {
                let (output, peak) = peak_heap(|| call(name, f, input))?;
                outputs.push(output?);
                heap.push(Some(peak));
            } else {
                outputs.push(call(name, f, input)?);
                heap.push(None);
            }
            progress.inc(1);
        }
        let (reference_name, _) = &self.implementations[0];
        for ((name, _), output) in self.implementations.iter().zip(&outputs).skip(1) {
            output.agree(&outputs[0], self.tolerance).map_err(|detail| CompareError::Disagrees {
                name: name.clone(),
                reference: reference_name.clone(),
                detail,
            })?;
        }
        drop(outputs);

        let time_one = |name: &str, f: &dyn Fn(&I) -> O| -> Result<Duration, CompareError> {
            let start = Instant::now();
            let output = call(name, f, black_box(input))?;
            black_box(&output);
            let elapsed = start.elapsed();
            drop(output); // freeing the output is not part of the time
            Ok(elapsed)
        };
        let mut samples = vec![Vec::with_capacity(self.runs); self.implementations.len()];
        match self.schedule {
            Schedule::Interleaved => {
                for _ in 0..self.warmup {
                    for (name, f) in &self.implementations {
                        black_box(call(name, f, input)?);
                        progress.inc(1);
                    }
                }
                for _ in 0..self.runs {
                    for ((name, f), times) in self.implementations.iter().zip(&mut samples) {
                        times.push(time_one(name, f)?);
                        progress.inc(1);
                    }
                }
            }
            Schedule::Blocks => {
                for ((name, f), times) in self.implementations.iter().zip(&mut samples) {
                    for _ in 0..self.warmup {
                        black_box(call(name, f, input)?);
                        progress.inc(1);
                    }
                    for _ in 0..self.runs {
                        times.push(time_one(name, f)?);
                        progress.inc(1);
                    }
                }
            }
        }

        progress.finish_and_clear();
        let timings = self
            .implementations
            .iter()
            .zip(samples)
            .zip(heap)
            .map(|(((name, _), times), peak_heap)| Timing { peak_heap, ..Timing::from_samples(name.clone(), times) })
            .collect();
        Ok(Report { title: self.title, throughput: self.throughput, timings })
    }
}

fn call<I: ?Sized, O>(name: &str, f: &dyn Fn(&I) -> O, input: &I) -> Result<O, CompareError> {
    catch_unwind(AssertUnwindSafe(|| f(input))).map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(a panic without a message)".into());
        CompareError::Panicked { name: name.to_owned(), message }
    })
}

/// The measured times of one implementation.
#[derive(Debug, Clone, PartialEq)]
pub struct Timing {
    pub name: String,
    pub median: Duration,
    pub min: Duration,
    pub max: Duration,
    pub runs: usize,
    /// peak heap bytes of one call, output included, if measured
    pub peak_heap: Option<u64>,
}

impl Timing {
    /// Summarises raw samples (at least one).
    pub fn from_samples(name: String, mut samples: Vec<Duration>) -> Timing {
        assert!(!samples.is_empty(), "Timing needs at least one sample");
        samples.sort_unstable();
        let n = samples.len();
        let median = if n % 2 == 1 { samples[n / 2] } else { (samples[n / 2 - 1] + samples[n / 2]) / 2 };
        Timing { name, median, min: samples[0], max: samples[n - 1], runs: n, peak_heap: None }
    }

    /// Whether each median lies within the other's range (min to max): then which one is faster is within
    /// the noise. (Ranges that merely overlap are not enough: one slow outlier run would tie anything.)
    pub fn ties_with(&self, other: &Timing) -> bool {
        (other.min..=other.max).contains(&self.median) && (self.min..=self.max).contains(&other.median)
    }
}

/// The fastest timing by median, then every other one that ties with it: the versions no ranking can tell
/// apart. Sorted by median; empty only for no timings.
pub fn fastest_tied<'a>(timings: impl IntoIterator<Item = &'a Timing>) -> Vec<&'a Timing> {
    let mut all: Vec<&Timing> = timings.into_iter().collect();
    all.sort_by_key(|t| t.median);
    let Some(&fastest) = all.first() else { return all };
    all.into_iter().filter(|t| t.ties_with(fastest)).collect()
}

/// An implementation's name as plain text for italics: no code spans, and brackets escaped so that
/// `a[:, None]` is not read as a link.
pub fn plain_name(name: &str) -> String {
    name.replace('`', "").replace('[', "\\[").replace(']', "\\]")
}

/// How a summary names the fastest: "*a*", or "*a* (tied with *b*: each median within the other's range)".
pub fn fastest_names(tied: &[&Timing]) -> String {
    let names: Vec<String> = tied.iter().map(|t| format!("*{}*", plain_name(&t.name))).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [first, rest @ ..] => format!("{first} (tied with {}: each median within the other's range)", rest.join(" and ")),
    }
}

/// The result of a comparison: one [`Timing`] per implementation, the first being the reference.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    title: String,
    throughput: Option<Throughput>,
    timings: Vec<Timing>,
}

impl Report {
    /// Builds a report from timings measured elsewhere (e.g. criterion); the first is the reference.
    pub fn from_timings(title: impl Into<String>, throughput: Option<Throughput>, timings: Vec<Timing>) -> Self {
        Report { title: title.into(), throughput, timings }
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    pub fn timings(&self) -> &[Timing] {
        &self.timings
    }

    /// The timing of the implementation called `name`.
    pub fn get(&self, name: &str) -> Option<&Timing> {
        self.timings.iter().find(|t| t.name == name)
    }

    /// How many times faster than the reference `name` is, by median (above 1: faster).
    pub fn speedup(&self, name: &str) -> Option<f64> {
        let reference = self.timings.first()?;
        let timing = self.get(name)?;
        Some(reference.median.as_secs_f64() / timing.median.as_secs_f64())
    }

    /// The report as a [`Table`]: implementation, median, min, max, [rate,] speedup.
    pub fn table(&self) -> Table {
        let mut header = vec!["implementation", "median", "min", "max"];
        if let Some(t) = &self.throughput {
            header.push(t.header());
        }
        header.push("speedup");
        let heap = self.timings.iter().any(|t| t.peak_heap.is_some());
        if heap {
            header.push("peak heap");
        }
        let mut table = Table::new(header);
        table.align(0, Align::Left);
        for timing in &self.timings {
            let mut row = vec![
                timing.name.clone(),
                format_duration(timing.median),
                format_duration(timing.min),
                format_duration(timing.max),
            ];
            if let Some(t) = &self.throughput {
                row.push(t.rate(timing.median));
            }
            row.push(format_ratio(self.speedup(&timing.name).unwrap_or(f64::NAN)));
            if heap {
                row.push(timing.peak_heap.map_or_else(|| "-".into(), format_bytes));
            }
            table.push(row);
        }
        table
    }

    /// The report as a markdown table for the book, with its title, run count and the machine stamp.
    pub fn to_markdown(&self, machine: &Machine) -> String {
        let runs = self.timings.first().map_or(0, |t| t.runs);
        format!(
            "{}\n*{}: {runs} timed runs each; speedup = reference median / median, reference: {}.*\n*{machine}*\n",
            self.table().to_markdown(),
            self.title,
            self.timings.first().map_or("-", |t| t.name.as_str()),
        )
    }
}

impl fmt::Display for Report {
    /// A plain-text table for the terminal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.title)?;
        write!(f, "{}", self.table().to_text())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn medians_within_each_others_range_are_a_tie_and_named_together() {
        let ms = Duration::from_millis;
        let t = |name: &str, min, median, max| Timing { name: name.into(), median: ms(median), min: ms(min), max: ms(max), runs: 3, peak_heap: None };
        let (a, b, c) = (t("a", 9, 10, 12), t("`b`", 10, 11, 13), t("c", 11, 14, 15));
        assert!(a.ties_with(&b) && b.ties_with(&a));
        assert!(!a.ties_with(&c), "ranges overlap, but c's median is beyond a's range");
        let outlier = t("slow outlier", 2, 3, 40); // one slow run does not tie it with everything
        assert!(!outlier.ties_with(&a));
        let tied = super::fastest_tied([&c, &b, &a]);
        assert_eq!(tied.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["a", "`b`"]);
        assert_eq!(super::fastest_names(&tied), "*a* (tied with *b*: each median within the other's range)");
        assert_eq!(super::fastest_names(&super::fastest_tied([&a, &c])), "*a*");
        assert_eq!(super::fastest_names(&[&t("`out[[i, j]]`", 1, 1, 1)]), r"*out\[\[i, j\]\]*", "not read as a link");
        assert!(super::fastest_tied(std::iter::empty()).is_empty());
    }

    use super::*;
    use std::thread::sleep;

    fn slow_and_fast() -> Compare<'static, u64, u64> {
        Compare::new("sleepy sums")
            .runs(3)
            .warmup(0)
            .add("slow", |n: &u64| {
                sleep(Duration::from_millis(4));
                n * 2
            })
            .add("fast", |n: &u64| n + n)
    }

    #[test]
    fn reports_every_implementation_in_order_with_the_reference_first() {
        let report = slow_and_fast().run(&21).unwrap();
        let names: Vec<_> = report.timings().iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["slow", "fast"]);
        let slow = report.get("slow").unwrap();
        assert_eq!(slow.runs, 3);
        assert!(slow.min <= slow.median && slow.median <= slow.max);
        assert!(slow.min >= Duration::from_millis(4), "a 4 ms sleep cannot take less than 4 ms");
        assert_eq!(report.speedup("slow"), Some(1.0));
        assert!(report.speedup("missing").is_none());
    }

    #[test]
    fn refuses_to_time_an_implementation_that_disagrees() {
        let err = slow_and_fast().add("wrong", |n: &u64| n * 3).run(&21).unwrap_err();
        assert_eq!(
            err,
            CompareError::Disagrees { name: "wrong".into(), reference: "slow".into(), detail: "63 vs 42".into() }
        );
    }

    #[test]
    fn float_outputs_agree_within_the_tolerance() {
        let data: Vec<f64> = (1..=1000).map(|i| 1.0 / i as f64).collect();
        let forward = |x: &Vec<f64>| x.iter().sum::<f64>();
        let backward = |x: &Vec<f64>| x.iter().rev().sum::<f64>();
        // The two orders round differently, but agree within NumPy's default tolerance ...
        let report = Compare::new("harmonic").runs(1).add("forward", forward).add("backward", backward).run(&data);
        assert!(report.is_ok());
        // ... and not bit for bit (check that the difference is real, then that EXACT catches it).
        assert_ne!(forward(&data), backward(&data));
        let err = Compare::new("harmonic")
            .runs(1)
            .tolerance(Tolerance::EXACT)
            .add("forward", forward)
            .add("backward", backward)
            .run(&data)
            .unwrap_err();
        assert!(matches!(err, CompareError::Disagrees { .. }), "{err}");
    }

    #[test]
    fn bad_requests_are_errors_not_panics() {
        assert_eq!(slow_and_fast().runs(0).run(&1).unwrap_err(), CompareError::ZeroRuns);
        assert_eq!(Compare::<u64, u64>::new("empty").run(&1).unwrap_err(), CompareError::NoImplementations);
        assert_eq!(
            slow_and_fast().add("fast", |n: &u64| n * 2).run(&1).unwrap_err(),
            CompareError::DuplicateName("fast".into())
        );
    }

    #[test]
    fn output_buffers_are_reused_but_never_overwrite_a_held_result() {
        let buffer = OutputBuffer::<Vec<u32>>::new();
        let first = buffer.fill(|| vec![0; 3], |v| v[0] = 1);
        let address = first.as_ptr();
        // `first` is still held: the next call must not write into it
        let second = buffer.fill(|| vec![0; 3], |v| v[0] = 2);
        assert_eq!((first[0], second[0]), (1, 2));
        drop((first, second));
        // nobody holds the last result any more: its memory is reused
        let last_address = buffer.fill(|| vec![0; 3], |_| ()).as_ptr();
        let third = buffer.fill(|| vec![0; 3], |v| v[0] = 3);
        assert_eq!(third.as_ptr(), last_address);
        assert_ne!(third.as_ptr(), address);
        assert_eq!(third[0], 3);
    }

    #[test]
    fn both_schedules_time_every_run_of_every_implementation() {
        for schedule in [Schedule::Interleaved, Schedule::Blocks] {
            let report = slow_and_fast().schedule(schedule).runs(4).run(&2).unwrap();
            assert!(report.timings().iter().all(|t| t.runs == 4), "{schedule:?}");
            assert!(report.get("slow").unwrap().min >= Duration::from_millis(4), "{schedule:?}");
        }
    }

    #[test]
    fn heap_measurement_without_the_counting_allocator_is_refused() {
        let err = slow_and_fast().measure_heap().run(&1).unwrap_err();
        assert_eq!(err, CompareError::HeapNotMeasured(NotInstrumented));
    }

    #[test]
    fn a_panicking_implementation_is_named_in_the_error() {
        let err = Compare::new("div")
            .runs(1)
            .add("checked", |d: &u32| 100u32.checked_div(*d))
            .add("plain", |d: &u32| {
                if *d == 0 {
                    panic!("attempt to divide by zero");
                }
                Some(100 / d)
            })
            .run(&0)
            .unwrap_err();
        assert_eq!(
            err,
            CompareError::Panicked { name: "plain".into(), message: "attempt to divide by zero".into() }
        );
    }

    #[test]
    fn timing_summaries_use_the_middle_sample() {
        let ms = Duration::from_millis;
        let odd = Timing::from_samples("odd".into(), vec![ms(5), ms(1), ms(3)]);
        assert_eq!((odd.min, odd.median, odd.max), (ms(1), ms(3), ms(5)));
        let even = Timing::from_samples("even".into(), vec![ms(4), ms(1), ms(2), ms(10)]);
        assert_eq!(even.median, ms(3));
    }

    #[test]
    fn tables_show_throughput_and_speedup() {
        let ms = Duration::from_millis;
        let report = Report::from_timings(
            "two",
            Some(Throughput::Flops(2e9)),
            vec![
                Timing { name: "ref".into(), median: ms(100), min: ms(90), max: ms(120), runs: 3, peak_heap: None },
                Timing { name: "quick".into(), median: ms(25), min: ms(20), max: ms(30), runs: 3, peak_heap: Some(2048) },
            ],
        );
        let text = report.table().to_markdown();
        assert_eq!(
            text,
            "| implementation | median | min | max | GFLOP/s | speedup | peak heap |\n\
             |:--|--:|--:|--:|--:|--:|--:|\n\
             | ref | 100 ms | 90.0 ms | 120 ms | 20.00 | 1.00x | - |\n\
             | quick | 25.0 ms | 20.0 ms | 30.0 ms | 80.00 | 4.00x | 2.00 KiB |\n"
        );
        assert_eq!(report.speedup("quick"), Some(4.0));
    }
}
