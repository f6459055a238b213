//! CSV against Parquet against Arrow IPC (Feather), on the penguins replicated to 1,000,000 rows: write time,
//! read time, file size, and what a lazy scan with projection and predicate pushdown saves.

use crate::lab_1_2_2::replicate_penguins;
use course_utils::Machine;
use course_utils::table::{Align, Table, format_bytes, format_duration, format_ratio};
use polars::prelude::*;
use std::path::Path;
use std::time::{Duration, Instant};

/// The three formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Parquet,
    Ipc,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Csv, Format::Parquet, Format::Ipc];
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "CSV",
            Format::Parquet => "Parquet",
            Format::Ipc => "Arrow IPC (Feather)",
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Parquet => "parquet",
            Format::Ipc => "arrow",
        }
    }
}

// ANCHOR: write_read
/// Writes `df` in `format` to `path`.
pub fn write(df: &mut DataFrame, format: Format, path: &Path) -> PolarsResult<()> {
    let mut file = std::fs::File::create(path)?;
    match format {
        Format::Csv => CsvWriter::new(&mut file).finish(df),
        Format::Parquet => ParquetWriter::new(&mut file).finish(df).map(|_| ()),
        Format::Ipc => IpcWriter::new(&mut file).finish(df),
    }
}

/// Reads a file written by [`write`].
pub fn read(format: Format, path: &Path) -> PolarsResult<DataFrame> {
    match format {
        Format::Csv => CsvReadOptions::default().try_into_reader_with_file_path(Some(path.to_path_buf()))?.finish(),
        Format::Parquet => ParquetReader::new(std::fs::File::open(path)?).finish(),
        Format::Ipc => IpcReader::new(std::fs::File::open(path)?).finish(),
    }
}
// ANCHOR_END: write_read

// ANCHOR: scan
/// Mean body mass per species on Biscoe island, read lazily: only the three columns the query names are read
/// (projection pushdown) and rows are filtered while reading (predicate pushdown).
pub fn biscoe_means_lazy(path: &Path) -> PolarsResult<DataFrame> {
    LazyFrame::scan_parquet(path.to_string_lossy().as_ref().into(), ScanArgsParquet::default())?
        .filter(col("island").eq(lit("Biscoe")))
        .group_by([col("species")])
        .agg([col("body_mass_g").mean()])
        .sort(["species"], Default::default())
        .collect()
}

/// The same query after reading the whole file.
pub fn biscoe_means_eager(path: &Path) -> PolarsResult<DataFrame> {
    read(Format::Parquet, path)?
        .lazy()
        .filter(col("island").eq(lit("Biscoe")))
        .group_by([col("species")])
        .agg([col("body_mass_g").mean()])
        .sort(["species"], Default::default())
        .collect()
}
// ANCHOR_END: scan

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> PolarsResult<T>) -> PolarsResult<(Duration, T)> {
    let mut out = f()?; // warm-up (and the value to check)
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        out = f()?;
        samples.push(start.elapsed());
    }
    Ok((median(samples), out))
}

/// One row per format: write, read (checked to give the frame back), size; then the lazy scan.
pub fn measure(rows: usize, runs: usize, dir: &Path) -> PolarsResult<Table> {
    let mut df = replicate_penguins(rows, 7)?;
    let mut table = Table::new(["format", "write", "read", "file size", "read vs CSV"]);
    table.align(0, Align::Left);
    let mut csv_read = None;
    for format in Format::ALL {
        let path = dir.join(format!("penguins-{rows}.{}", format.extension()));
        let (write_time, ()) = time(runs, || write(&mut df, format, &path))?;
        let (read_time, back) = time(runs, || read(format, &path))?;
        if !back.equals_missing(&df) {
            polars_bail!(ComputeError: "{} did not give the frame back", format.name());
        }
        let size = std::fs::metadata(&path)?.len();
        let base = *csv_read.get_or_insert(read_time);
        table.push([
            format.name().to_string(),
            format_duration(write_time),
            format_duration(read_time),
            format_bytes(size),
            format_ratio(base.as_secs_f64() / read_time.as_secs_f64()),
        ]);
    }
    let parquet = dir.join(format!("penguins-{rows}.parquet"));
    let (eager, a) = time(runs, || biscoe_means_eager(&parquet))?;
    let (lazy, b) = time(runs, || biscoe_means_lazy(&parquet))?;
    // the same groups, and means equal up to summation order (the lazy engine sums in other chunks)
    let means = |df: &DataFrame| -> PolarsResult<Vec<f64>> { Ok(df.column("body_mass_g")?.f64()?.into_no_null_iter().collect()) };
    let close = means(&a)?.iter().zip(means(&b)?).all(|(x, y)| (x - y).abs() <= 1e-9 * x.abs());
    if !a.column("species")?.equals_missing(b.column("species")?) || a.height() != b.height() || !close {
        polars_bail!(ComputeError: "the lazy scan disagrees with the eager read:\n{a}\n{b}");
    }
    for (name, t) in [("Parquet, read all, then filter and group", eager), ("Parquet, lazy scan (pushdown), same query", lazy)] {
        let ratio = csv_read.map_or(f64::NAN, |c| c.as_secs_f64() / t.as_secs_f64());
        table.push([name.to_string(), "-".into(), format_duration(t), "-".into(), format_ratio(ratio)]);
    }
    Ok(table)
}

pub const TABLE: &str = "dataframes/io-formats.md";
const SOURCE: &str = "code/dataframes/src/io.rs";

/// Measures 1,000,000 rows in a temporary folder; prints the table, and writes it under `figures` if given.
pub fn run(figures: Option<&Path>) -> Result<(), Box<dyn std::error::Error>> {
    use course_utils::table::{generated_header, write_generated};
    let machine = Machine::current();
    println!("\nFile formats: CSV, Parquet, Arrow IPC, 1,000,000 rows ...");
    let dir = tempfile::tempdir()?;
    let table = measure(1_000_000, 5, dir.path())?;
    println!("{}", table.to_text());
    if let Some(out) = figures {
        let text = format!(
            "{}{}\n*Median of 5 runs each after one warm-up; every file read back and compared with the frame written. \
             The operating system's file cache is warm (the files were just written).*\n*{machine}*\n",
            generated_header(SOURCE),
            table.to_markdown()
        );
        write_generated(&out.join(TABLE), &text)?;
        println!("  wrote figures/{TABLE}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_round_trips_and_the_lazy_scan_agrees() {
        let dir = tempfile::tempdir().unwrap();
        let table = measure(500, 1, dir.path()).unwrap();
        assert_eq!(table.rows().len(), 5);
        let lazy = biscoe_means_lazy(&dir.path().join("penguins-500.parquet")).unwrap();
        assert_eq!(lazy.width(), 2);
        assert!(lazy.height() >= 1 && lazy.height() <= 3);
    }

    /// The I/O page's Python tab: pandas' read with `columns=` and `filters=`, and the eager read, give the means
    /// the two Rust queries give.
    #[test]
    fn the_scan_agrees_with_its_python_tab() {
        let shown = course_utils::printed::python_tab("dataframes/python/scan.md").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("penguins.parquet");
        write(&mut crate::datasets::penguins().unwrap(), Format::Parquet, &path).unwrap();
        let means = |df: DataFrame| -> Vec<f64> { df.column("body_mass_g").unwrap().f64().unwrap().into_no_null_iter().collect() };
        let rust: Vec<f64> = [biscoe_means_lazy(&path).unwrap(), biscoe_means_eager(&path).unwrap()].into_iter().flat_map(means).collect();
        let python = course_utils::printed::numbers(&shown);
        assert_eq!(python.len(), rust.len(), "{shown}");
        for (r, p) in rust.iter().zip(&python) {
            assert!((r - p).abs() <= 5e-7, "Rust {r}, pandas printed {p} (6 decimals)");
        }
        assert_eq!(shown.matches("Adelie").count(), 2, "Biscoe's species, sorted, twice: {shown}");
    }

    #[test]
    fn committed_table_has_its_format() {
        let text = course_utils::table::read_committed(TABLE).unwrap();
        for f in Format::ALL {
            assert!(text.contains(&format!("| {} |", f.name())), "{}", f.name());
        }
        assert!(text.contains("lazy scan") && text.contains("*Measured on "));
    }
}
