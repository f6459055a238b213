//! Lab 1.2.2's preprocessing on the Rust side, on the very rows the Python script reads: the Rust side writes
//! the replicated penguins to a CSV file once, and both languages read that file (reading is not timed).

use crate::lab_1_2_1::time;
use crate::{ChecksumTolerance, Sample};
use dataframes::lab_1_2_2::{lab_pipeline, replicate_penguins, with_expressions};
use ndarray::Array2;
use polars::prelude::*;
use std::path::{Path, PathBuf};

/// The Python script of this lab, relative to this crate.
pub const SCRIPT: &str = "python/lab_1_2_2.py";

/// The Python script's name for scikit-learn's pipeline: the lab's speed target is stated against it.
pub const SCIKIT_LEARN: &str = "scikit-learn `ColumnTransformer`";

/// The workloads: name in the protocol, title in the book, checksum tolerance.
pub const WORKLOADS: [(&str, &str, ChecksumTolerance); 1] = [
    // f32 features, weighted and summed over 1,000,000 x 14 cells: rounding differences add up to ~1e-2
    ("preprocess", "Preprocessing 1,000,000 penguin rows to a dense f32 matrix", ChecksumTolerance { rtol: 1e-5, atol: 0.05 }),
];

pub const LAB_ROWS: usize = 1_000_000;

/// Writes the replicated penguins (`rows` rows, seed 42) as CSV into `dir`, once, and returns the file.
pub fn prepare(dir: &Path, rows: usize) -> Result<PathBuf, String> {
    let path = dir.join(format!("penguins-{rows}.csv"));
    if !path.exists() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut df = replicate_penguins(rows, 42).map_err(|e| e.to_string())?;
        let tmp = path.with_extension("csv.partial");
        let mut file = std::fs::File::create(&tmp).map_err(|e| e.to_string())?;
        CsvWriter::new(&mut file).finish(&mut df).map_err(|e| e.to_string())?;
        std::fs::rename(&tmp, &path).map_err(|e| e.to_string())?;
    }
    Ok(path)
}

/// The script's checksum: a sum weighted by 1 + (31 i + 17 j) mod 11, so a wrong value anywhere shows.
pub fn weighted_sum(m: &Array2<f32>) -> f64 {
    m.indexed_iter().map(|((i, j), &v)| f64::from(v) * (1 + (i * 31 + j * 17) % 11) as f64).sum()
}

/// One round of the Rust side on the CSV at `data`.
pub fn rust_samples(data: &Path, runs: usize, emit: &mut dyn FnMut(Sample)) -> Result<(), String> {
    let df = dataframes::datasets::read_csv(data).map_err(|e| e.to_string())?;
    let names = lab_pipeline().fit(&df).map_err(|e| e.to_string())?.feature_names();
    let w = "preprocess";
    let check = |out: &Result<Array2<f32>, String>| out.as_ref().map_or(f64::NAN, weighted_sum);
    let preprocessor = || -> Result<Array2<f32>, String> { Ok(lab_pipeline().fit_transform_array(&df).map_err(|e| e.to_string())?.1) };
    time(w, "`Preprocessor::fit_transform_array`", runs, preprocessor, check, emit);
    time(w, "Rust polars expressions + `to_dummies`", runs, || with_expressions(&df, &names).map_err(|e| e.to_string()), check, emit);
    Ok(())
}
