//! The measurements of the optional page "When the data outgrows memory": the Preprocessor fitted and applied
//! out of core, on synthetic penguins at 10, 30 and 100 million rows, with peak memory counted by the operating
//! system (GNU time), against the in-memory Preprocessor; and what partitioned Parquet saves a query.
//!
//! Run through `cargo xtask out-of-core` (or `cargo xtask figures`). By hand, in release mode:
//! `cargo run --release -p dataframes --example out-of-core -- measure figures [ROWS..]`. The data sets are
//! written under `target/out-of-core/` (several GB; never committed) and kept for the next run.
//! The other subcommands are what `measure` runs under GNU time, one process each:
//! `generate ROWS FILE`, `stream INPUT OUTPUT`, `memory INPUT OUTPUT`.

use course_utils::Machine;
use course_utils::gnu_time::{self, Usage};
use course_utils::rss::{self, Peaks};
use course_utils::table::{Align, Table, format_bytes, format_duration, generated_header_by};
use dataframes::lab_1_2_2::{CATEGORICAL, NUMERIC};
use dataframes::out_of_core::{self, transform_parquet};
use dataframes::preprocessing_pipeline::Preprocessor;
use polars::prelude::*;
use rand::{Rng, SeedableRng};
use std::ffi::OsStr;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The sizes measured: the memory goal is a peak that stays flat while the input grows.
const SIZES: [usize; 3] = [10_000_000, 30_000_000, 100_000_000];
/// Rows per generated batch, and so per row group: 262,144, the row-group size of polars' `ParquetWriter`.
const GENERATE_BATCH: usize = 1 << 18;
/// The row-group sizes compared on the middle size of data.
const ROW_GROUPS: [usize; 3] = [1 << 20, 1 << 18, 1 << 16];
/// Rows per batch of the streaming transform.
const TRANSFORM_BATCH: usize = 1 << 18;
pub const TABLE: &str = "dataframes/out-of-core.md";
pub const PARTITION_TABLE: &str = "dataframes/partitions.md";
pub const FIGURE: &str = "dataframes/out-of-core.svg";
pub const ROW_GROUP_TABLE: &str = "dataframes/row-groups.md";

/// The lab's pipeline: median and most-frequent imputation, one-hot, standard scaling; `year` passes through.
fn pipeline() -> Preprocessor {
    Preprocessor::new().numeric(NUMERIC).categorical(CATEGORICAL).passthrough(["year"])
}

fn main() -> Result {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str).ok_or("usage: out-of-core <measure FIGURES [ROWS..] | figure FIGURES | generate ROWS FILE | stream IN OUT | memory IN OUT | fit IN STATE | transform STATE IN OUT | regroup IN OUT ROWS>");
    match arg(0)? {
        "generate" => generate(arg(1)?.parse()?, Path::new(arg(2)?)),
        "stream" => sampled(|| stream(Path::new(arg(1)?), Path::new(arg(2)?))),
        "regroup" => regroup(Path::new(arg(1)?), Path::new(arg(2)?), arg(3)?.parse()?),
        "fit" => sampled(|| {
            let fitted = pipeline().fit_lazy(out_of_core::scan(Path::new(arg(1)?))?)?;
            std::fs::write(arg(2)?, fitted.to_json()?)?;
            Ok(())
        }),
        "transform" => sampled(|| {
            let fitted = dataframes::preprocessing_pipeline::FittedPreprocessor::from_json(&std::fs::read_to_string(arg(1)?)?)?;
            let written = transform_parquet(&fitted, Path::new(arg(2)?), Path::new(arg(3)?), NonZeroUsize::new(TRANSFORM_BATCH).expect("not zero"))?;
            println!("{} rows in, {} rows out, {} batches", written.rows_in, written.rows_out, written.batches);
            Ok(())
        }),
        "memory" => sampled(|| in_memory(Path::new(arg(1)?), Path::new(arg(2)?))),
        // the figure again from the committed table, without measuring
        "figure" => {
            let figures = Path::new(arg(1)?);
            let svg = figure(&points(&std::fs::read_to_string(figures.join(TABLE))?)?)?;
            course_utils::table::write_generated(&figures.join(FIGURE), &svg)?;
            Ok(())
        }
        "measure" => {
            let sizes: Vec<usize> = args[2..].iter().map(|s| s.parse()).collect::<std::result::Result<_, _>>()?;
            measure(Path::new(arg(1)?), if sizes.is_empty() { &SIZES } else { &sizes })
        }
        other => Err(format!("unknown subcommand {other:?}").into()),
    }
}

// ANCHOR: generate
/// `rows` synthetic penguins (the data set's column kinds: three categories, one with nulls, four measurements
/// with nulls, a year), seeded per batch so that the same `rows` always give the same file; written one batch
/// (one row group) at a time, to a temporary name renamed at the end.
fn generate(rows: usize, path: &Path) -> Result {
    const SPECIES: [(&str, f64, f64, f64, f64); 3] =
        [("Adelie", 38.8, 18.3, 190.0, 3700.0), ("Chinstrap", 48.8, 18.4, 196.0, 3733.0), ("Gentoo", 47.5, 15.0, 217.0, 5076.0)];
    const ISLANDS: [&str; 3] = ["Biscoe", "Dream", "Torgersen"];
    let temporary = path.with_extension("parquet.tmp");
    let file = std::fs::File::create(&temporary)?;
    let schema = Schema::from_iter(
        CATEGORICAL.iter().map(|c| Field::new((*c).into(), DataType::String))
            .chain(NUMERIC.iter().map(|c| Field::new((*c).into(), DataType::Float64)))
            .chain([Field::new("year".into(), DataType::Int64)]),
    );
    let mut writer = ParquetWriter::new(file).batched(&schema)?; // one row group per batch written
    let bar = course_utils::progress::bar(rows.div_ceil(GENERATE_BATCH) as u64, "generating");
    for (b, start) in (0..rows).step_by(GENERATE_BATCH).enumerate() {
        let n = GENERATE_BATCH.min(rows - start);
        let mut rng = rand::rngs::StdRng::seed_from_u64(b as u64);
        let species: Vec<usize> = (0..n).map(|_| rng.random_range(0..3)).collect();
        let mut columns = vec![
            Column::new("species".into(), species.iter().map(|&s| SPECIES[s].0).collect::<Vec<_>>()),
            Column::new("island".into(), (0..n).map(|_| ISLANDS[rng.random_range(0..3)]).collect::<Vec<_>>()),
            Column::new("sex".into(), (0..n).map(|_| match rng.random_range(0..100) { 0..3 => None, 3..51 => Some("female"), _ => Some("male") }).collect::<Vec<_>>()),
        ];
        for (i, name) in NUMERIC.iter().enumerate() {
            let values: Vec<Option<f64>> = species
                .iter()
                .map(|&s| {
                    let centre = [SPECIES[s].1, SPECIES[s].2, SPECIES[s].3, SPECIES[s].4][i];
                    // about 1 % missing, the rest within 10 % of the species' mean
                    (rng.random_range(0..100) != 0).then(|| centre * (1.0 + 0.1 * (rng.random::<f64>() * 2.0 - 1.0)))
                })
                .collect();
            columns.push(Column::new((*name).into(), values));
        }
        columns.push(Column::new("year".into(), (0..n).map(|_| rng.random_range(2007i64..=2009)).collect::<Vec<_>>()));
        writer.write_batch(&DataFrame::new(n, columns)?)?;
        bar.inc(1);
    }
    writer.finish()?;
    bar.finish_and_clear();
    std::fs::rename(&temporary, path)?;
    Ok(())
}
// ANCHOR_END: generate

/// Runs `work` with a sampler of the process's memory, and prints the peaks for `measure` to read.
fn sampled(work: impl FnOnce() -> Result) -> Result {
    let sampler = rss::Sampler::start(Duration::from_millis(5));
    work()?;
    println!("{}", sampler.stop().to_line());
    Ok(())
}

/// The rows of `input` written again with row groups of `rows` rows (to a temporary name, renamed).
fn regroup(input: &Path, output: &Path, rows: usize) -> Result {
    let mut df = ParquetReader::new(std::fs::File::open(input)?).finish()?;
    let temporary = output.with_extension("parquet.tmp");
    ParquetWriter::new(std::fs::File::create(&temporary)?).with_row_group_size(Some(rows)).finish(&mut df)?;
    std::fs::rename(&temporary, output)?;
    Ok(())
}

/// Out of core: fit from a lazy scan, then transform in batches to Parquet.
fn stream(input: &Path, output: &Path) -> Result {
    let fitted = pipeline().fit_lazy(out_of_core::scan(input)?)?;
    let written = transform_parquet(&fitted, input, output, NonZeroUsize::new(TRANSFORM_BATCH).expect("not zero"))?;
    println!("{} rows in, {} rows out, {} batches", written.rows_in, written.rows_out, written.batches);
    Ok(())
}

/// In memory: read the whole file, fit, transform, write.
fn in_memory(input: &Path, output: &Path) -> Result {
    let df = ParquetReader::new(std::fs::File::open(input)?).finish()?;
    let (_, mut out) = pipeline().max_matrix_bytes(u64::MAX).fit_transform(&df)?; // no limit: this run measures how much it takes
    drop(df);
    ParquetWriter::new(std::fs::File::create(output)?).finish(&mut out)?;
    println!("{} rows out", out.height());
    Ok(())
}

/// The runs of each size, as named in the table: out of core (polars maps the Parquet file into memory, as it
/// does by default), out of core with the file read into buffers instead (`POLARS_FORCE_ASYNC=1`: its async
/// reader, made for cloud storage, never maps the file), and in memory.
const MODES: [(&str, &str); 3] = [("stream", "out of core"), ("stream-unmapped", "out of core, file not mapped"), ("memory", "in memory")];

/// One measured run.
struct Run {
    rows: usize,
    file_bytes: u64,
    mode: &'static str,
    usage: Usage,
    /// sampled inside the process: its own memory, and the mapped pages of the Parquet file
    peaks: Peaks,
}

fn measure(figures: &Path, sizes: &[usize]) -> Result {
    let exe = std::env::current_exe()?;
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/out-of-core");
    std::fs::create_dir_all(&dir)?;
    let dir = std::fs::canonicalize(&dir)?; // polars' async reader refuses a path with ".." in it
    let memory_total = memory_total()?;
    let mut runs = Vec::new();
    for &rows in sizes {
        let input = dir.join(format!("penguins-{rows}.parquet"));
        if !input.exists() {
            println!("generating {rows} rows into {}", input.display());
            run(&exe, &[OsStr::new("generate"), OsStr::new(&rows.to_string()), input.as_os_str()])?;
        }
        let file_bytes = std::fs::metadata(&input)?.len();
        let output = dir.join("transformed.parquet");
        for mode in ["stream", "stream-unmapped", "memory"] {
            // the in-memory run only where it fits: its peak grows with the input, estimated from the last size
            if mode == "memory" {
                let estimate = runs.iter().rev().find(|r: &&Run| r.mode == "in memory").map(|r| r.usage.peak_rss as f64 * rows as f64 / r.rows as f64);
                if estimate.is_some_and(|e| e > 0.7 * memory_total as f64) {
                    println!("{rows} rows in memory: skipped, it would need about {} of this machine's {}", format_bytes(estimate.unwrap_or(0.0) as u64), format_bytes(memory_total));
                    continue;
                }
            }
            println!("{rows} rows, {mode}...");
            let (usage, peaks) = measured_run(&dir, &exe, mode, &input, &output)?;
            runs.push(Run { rows, file_bytes, mode: MODES.iter().find(|(m, _)| *m == mode).expect("a mode").1, usage, peaks });
        }
    }
    let machine = Machine::current();
    course_utils::table::write_generated(&figures.join(TABLE), &table(&runs, &machine, memory_total))?;
    let table_text = std::fs::read_to_string(figures.join(TABLE))?;
    course_utils::table::write_generated(&figures.join(FIGURE), &figure(&points(&table_text)?)?)?;
    println!("wrote figures/{TABLE} and figures/{FIGURE}");
    // the same rows in row groups of other sizes, out of core
    let rows = sizes[sizes.len() / 2];
    let mut groups = Vec::new();
    for size in ROW_GROUPS {
        let input = dir.join(format!("penguins-{rows}-row-groups-{size}.parquet"));
        if !input.exists() {
            println!("writing {rows} rows in row groups of {size} rows");
            run(&exe, &[OsStr::new("regroup"), dir.join(format!("penguins-{rows}.parquet")).as_os_str(), input.as_os_str(), OsStr::new(&size.to_string())])?;
        }
        println!("{rows} rows in row groups of {size}, stream...");
        let (usage, peaks) = measured_run(&dir, &exe, "stream", &input, &dir.join("transformed.parquet"))?;
        groups.push((size, usage, peaks));
    }
    course_utils::table::write_generated(&figures.join(ROW_GROUP_TABLE), &row_group_table(rows, &groups, &machine))?;
    println!("wrote figures/{ROW_GROUP_TABLE}");
    let partitions = partitions(&dir.join(format!("penguins-{}.parquet", sizes[0])), sizes[0])?;
    course_utils::table::write_generated(&figures.join(PARTITION_TABLE), &format!("{}{partitions}\n*{machine}*\n", generated_header_by("cargo xtask out-of-core", "code/dataframes/examples/out_of_core.rs")))?;
    println!("wrote figures/{PARTITION_TABLE}");
    Ok(())
}

/// One run of `stream` or `memory` under GNU time, with the peaks it printed; its output file is removed.
fn measured_run(dir: &Path, exe: &Path, mode: &str, input: &Path, output: &Path) -> Result<(Usage, Peaks)> {
    let (subcommand, envs): (&str, &[(&str, &str)]) = match mode {
        "stream-unmapped" => ("stream", &[("POLARS_FORCE_ASYNC", "1")]),
        other => (other, &[]),
    };
    let (usage, printed) = gnu_time::measure_with_output(dir, exe, &[OsStr::new(subcommand), input.as_os_str(), output.as_os_str()], envs, true)?;
    let peaks = Peaks::parse(&printed).ok_or_else(|| format!("no peak-rss line in the output of {mode}: {printed}"))?;
    println!(
        "  max RSS {}, of it at most {} its own and {} mapped file pages, in {:.1} s",
        format_bytes(usage.peak_rss),
        format_bytes(peaks.anonymous),
        format_bytes(peaks.file),
        usage.seconds
    );
    std::fs::remove_file(output)?;
    Ok((usage, peaks))
}

/// The out-of-core run on one data set written with row groups of several sizes.
fn row_group_table(rows: usize, groups: &[(usize, Usage, Peaks)], machine: &Machine) -> String {
    let mut t = Table::new(["rows per row group", "max RSS (GNU time)", "its own memory, peak", "time"]);
    for (size, usage, peaks) in groups {
        t.push([
            thousands(*size),
            format_bytes(usage.peak_rss),
            format_bytes(peaks.anonymous),
            format_duration(Duration::from_secs_f64(usage.seconds)),
        ]);
    }
    let header = generated_header_by("cargo xtask out-of-core", "code/dataframes/examples/out_of_core.rs");
    format!("{header}{} million rows, fitted and transformed out of core.\n\n{}\n*{machine}* One run each.\n", rows / 1_000_000, t.to_markdown())
}

/// 1048576 -> "1,048,576".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// Runs this program with `args`, failing if it fails.
fn run(exe: &Path, args: &[&OsStr]) -> Result {
    let status = std::process::Command::new(exe).args(args).status()?;
    if !status.success() {
        return Err(format!("{} {args:?}: {status}", exe.display()).into());
    }
    Ok(())
}

/// The machine's memory, from /proc/meminfo.
fn memory_total() -> Result<u64> {
    let info = std::fs::read_to_string("/proc/meminfo")?;
    let kib = info.lines().find_map(|l| l.strip_prefix("MemTotal:")).and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok());
    Ok(kib.ok_or("no MemTotal in /proc/meminfo")? * 1024)
}

fn table(runs: &[Run], machine: &Machine, memory_total: u64) -> String {
    let mut t = Table::new(["rows", "Parquet file", "Preprocessor", "max RSS (GNU time)", "its own memory, peak", "mapped file pages, peak", "time", "rows per second"]);
    t.align(2, Align::Left);
    for r in runs {
        t.push([
            format!("{} M", r.rows / 1_000_000),
            format_bytes(r.file_bytes),
            r.mode.to_string(),
            format_bytes(r.usage.peak_rss),
            format_bytes(r.peaks.anonymous),
            format_bytes(r.peaks.file),
            format_duration(Duration::from_secs_f64(r.usage.seconds)),
            format!("{:.1} M", r.rows as f64 / r.usage.seconds / 1e6),
        ]);
    }
    let header = generated_header_by("cargo xtask out-of-core", "code/dataframes/examples/out_of_core.rs");
    format!(
        "{header}{}\n*{machine}* Memory: {}. One run each of fit, transform and write. Max RSS is the process's maximum resident set size, \
         as GNU time reports it; the two peaks beside it are sampled every 5 ms inside the process (`RssAnon` and `RssFile` of \
         /proc/self/status), and need not fall at the same moment.\n",
        t.to_markdown(),
        format_bytes(memory_total)
    )
}

/// One row of the table, as the figure draws it: rows (millions), the way, max RSS and own memory (GiB).
struct Point {
    rows: f64,
    mode: String,
    rss: f64,
    own: f64,
}

/// The figure's points, read back from the generated table (so the figure can be drawn again from it alone).
fn points(table: &str) -> Result<Vec<Point>> {
    let gib = |cell: &str| -> Result<f64> {
        let (n, unit) = cell.split_once(' ').ok_or_else(|| format!("not a size: {cell:?}"))?;
        let scale = match unit {
            "KiB" => 1.0 / (1u64 << 20) as f64,
            "MiB" => 1.0 / 1024.0,
            "GiB" => 1.0,
            _ => return Err(format!("not a size: {cell:?}").into()),
        };
        Ok(n.parse::<f64>()? * scale)
    };
    let mut out = Vec::new();
    for line in table.lines().filter(|l| l.starts_with('|')).skip(2) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let [rows, _, mode, rss, own, ..] = cells[..] else { return Err(format!("a short row: {line}").into()) };
        let rows: f64 = rows.trim_end_matches(" M").parse()?;
        out.push(Point { rows, mode: mode.to_string(), rss: gib(rss)?, own: gib(own)? });
    }
    Ok(out)
}

/// Peak memory against input rows, every way, with the 1 GiB goal.
fn figure(points: &[Point]) -> Result<String> {
    use plotters::prelude::*;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 420)).into_drawing_area();
        root.fill(&WHITE)?;
        let top = points.iter().map(|p| p.rss).fold(1.5, f64::max) * 1.15;
        let right = points.iter().map(|p| p.rows).fold(1.0, f64::max) * 1.05;
        let mut chart = ChartBuilder::on(&root)
            .caption("Peak memory against input size", course_utils::theme::title_font())
            .margin(16)
            .x_label_area_size(44)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..right, 0.0..top)?;
        chart
            .configure_mesh()
            .x_desc("input rows (millions)")
            .y_desc("peak memory (GiB)")
            .x_label_formatter(&|v| format!("{v:.0}"))
            .label_style(course_utils::theme::label_font())
            .draw()?;
        chart.draw_series(DashedLineSeries::new([(0.0, 1.0), (right, 1.0)], 6, 4, BLACK.mix(0.6).stroke_width(1)))?
            .label("goal: 1 GiB")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLACK.mix(0.6)));
        // solid: max RSS, as GNU time counts it; dotted: the process's own memory (without mapped file pages)
        for (i, (_, mode)) in MODES.iter().enumerate() {
            let colour = course_utils::theme::color(i);
            let at = |value: fn(&Point) -> f64| -> Vec<(f64, f64)> { points.iter().filter(|p| p.mode == *mode).map(|p| (p.rows, value(p))).collect() };
            let rss = at(|p| p.rss);
            chart.draw_series(LineSeries::new(rss.clone(), colour.stroke_width(2)))?
                .label(format!("{mode}: max RSS"))
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], colour.stroke_width(2)));
            chart.draw_series(rss.into_iter().map(|p| Circle::new(p, 4, colour.filled())))?;
            if *mode == "out of core" {
                let own = at(|p| p.own);
                chart.draw_series(DashedLineSeries::new(own.clone(), 2, 4, colour.stroke_width(2)))?
                    .label(format!("{mode}: its own memory"))
                    .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], colour.stroke_width(1)));
                chart.draw_series(own.into_iter().map(|p| Circle::new(p, 3, colour.stroke_width(1))))?;
            }
        }
        chart.configure_series_labels().position(SeriesLabelPosition::UpperRight).background_style(WHITE.mix(0.9)).border_style(BLACK.mix(0.3)).label_font(course_utils::theme::label_font()).draw()?;
        root.present()?;
    }
    Ok(svg)
}

// ANCHOR: partitions
/// One query, three layouts of the same rows: the mean body mass of 2008, from one file in generated order
/// (every row group holds every year: all are read), the same rows sorted by year (row groups whose min/max
/// statistics exclude 2008 are skipped), and hive-style folders `year=2007/`, `year=2008/`, ... (only one
/// folder is opened).
fn partitions(input: &Path, rows: usize) -> Result<String> {
    let dir = input.with_extension("layouts");
    let sorted = dir.join("sorted.parquet");
    let hive = dir.join("by-year");
    if !hive.exists() {
        std::fs::create_dir_all(&dir)?;
        let mut by_year = ParquetReader::new(std::fs::File::open(input)?).finish()?.sort(["year"], Default::default())?;
        ParquetWriter::new(std::fs::File::create(&sorted)?).with_row_group_size(Some(GENERATE_BATCH)).finish(&mut by_year)?;
        drop(by_year);
        write_hive(input, &hive)?;
    }
    let query = |lf: LazyFrame| -> Result<f64> {
        let df = lf.filter(col("year").eq(lit(2008i64))).select([col("body_mass_g").mean()]).collect_with_engine(Engine::Streaming)?.unwrap_single();
        Ok(df.column("body_mass_g")?.f64()?.get(0).ok_or("no mean")?)
    };
    let mut t = Table::new(["layout", "files", "median time of 5", "mean body mass of 2008"]);
    t.align(0, Align::Left);
    let layouts: [(&str, &Path, String); 3] = [
        ("one file, rows in generated order", input, "1".into()),
        ("one file, sorted by year (row-group statistics)", &sorted, "1".into()),
        ("hive folders `year=2007/` .. `year=2009/`", &hive, files_under(&hive)?.to_string()),
    ];
    let mut reference = None;
    for (name, path, files) in layouts {
        let mut times = Vec::new();
        let mut mean = 0.0;
        for _ in 0..5 {
            let start = Instant::now();
            mean = query(out_of_core::scan(path)?)?;
            times.push(start.elapsed());
        }
        times.sort();
        // the three layouts hold the same rows: the same mean, up to the order of the sum
        let reference = *reference.get_or_insert(mean);
        if (mean - reference).abs() > 1e-9 * reference {
            return Err(format!("{name}: mean {mean} differs from {reference}").into());
        }
        t.push([name.to_string(), files, format_duration(times[2]), format!("{mean:.3}")]);
    }
    Ok(format!("{} rows.\n\n{}", rows, t.to_markdown()))
}

/// The file's rows as hive-style folders by year, written by polars' streaming partitioned sink.
fn write_hive(input: &Path, folder: &Path) -> Result {
    let destination = SinkDestination::Partitioned {
        base_path: folder.to_string_lossy().as_ref().into(),
        file_path_provider: None,
        partition_strategy: PartitionStrategy::Keyed { keys: vec![col("year")], include_keys: false, keys_pre_grouped: false },
        max_rows_per_file: IdxSize::MAX,
        approximate_bytes_per_file: u64::MAX,
    };
    let format = FileWriteFormat::Parquet(Arc::new(ParquetWriteOptions::default()));
    out_of_core::scan(input)?.sink(destination, format, UnifiedSinkArgs { mkdir: true, ..Default::default() })?.collect_with_engine(Engine::Streaming)?;
    Ok(())
}
// ANCHOR_END: partitions

/// How many files a folder holds, at any depth.
fn files_under(dir: &Path) -> Result<usize> {
    let mut n = 0;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        n += if path.is_dir() { files_under(&path)? } else { 1 };
    }
    Ok(n)
}
