//! Lab 1.2.2's measurement: the Preprocessor on the penguins replicated to 1,000,000 rows, against the same
//! pipeline written as polars expressions. Used by the lab (`cargo run --release -p dataframes --example
//! lab-1-2-2`), the figure generator and the criterion bench.

use crate::datasets::penguins;
use crate::preprocessing_pipeline::{PreprocessError, Preprocessor};
use course_utils::{Compare, CompareError, Machine, Report, Tolerance};
use ndarray::Array2;
use polars::prelude::*;
use rand::{Rng, SeedableRng};

pub const NUMERIC: [&str; 4] = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"];
pub const CATEGORICAL: [&str; 3] = ["species", "island", "sex"];

// ANCHOR: replicate
/// The penguins resampled (with replacement, seeded) to `rows` rows, each numeric value moved by a little
/// noise (1 % of the column's standard deviation); nulls stay where the sampled row had them, so the missing
/// pattern is the original one.
pub fn replicate_penguins(rows: usize, seed: u64) -> PolarsResult<DataFrame> {
    let base = penguins()?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let picks: Vec<IdxSize> = (0..rows).map(|_| rng.random_range(0..base.height() as IdxSize)).collect();
    let sampled = base.take(&IdxCa::from_vec("rows".into(), picks))?;
    let mut columns = Vec::new();
    for name in NUMERIC {
        let values = sampled.column(name)?.cast(&DataType::Float64)?;
        let std = values.as_materialized_series().std(1).unwrap_or(1.0);
        let noisy: Float64Chunked = values.f64()?.iter().map(|v| v.map(|x| x + 0.01 * std * (rng.random::<f64>() * 2.0 - 1.0))).collect();
        columns.push(noisy.with_name(name.into()).into_column());
    }
    for name in CATEGORICAL {
        columns.push(sampled.column(name)?.clone());
    }
    DataFrame::new(rows, columns)
}
// ANCHOR_END: replicate

/// The lab's pipeline: median and most-frequent imputation, one-hot of the three categories, standard scaling.
pub fn lab_pipeline() -> Preprocessor {
    Preprocessor::new().numeric(NUMERIC).categorical(CATEGORICAL)
}

// ANCHOR: expressions
/// The same pipeline as polars expressions: fill, standardise (statistics of the filled column), one-hot with
/// `columns_to_dummies`, then `to_ndarray`. Column order: the Preprocessor's feature names.
pub fn with_expressions(df: &DataFrame, feature_names: &[String]) -> PolarsResult<Array2<f32>> {
    let mut exprs = Vec::new();
    for name in NUMERIC {
        let filled = col(name).cast(DataType::Float64).fill_null(col(name).median());
        exprs.push(((filled.clone() - filled.clone().mean()) / filled.std(0)).cast(DataType::Float32).alias(name));
    }
    for name in CATEGORICAL {
        // ties between modes: the alphabetically first, as scikit-learn and the Preprocessor choose
        exprs.push(col(name).fill_null(col(name).mode(false).sort(Default::default()).first()));
    }
    let filled = df.clone().lazy().select(exprs).collect()?;
    let encoded = filled.columns_to_dummies(CATEGORICAL.to_vec(), Some("_"), false, false)?;
    let names: Vec<PlSmallStr> = feature_names.iter().map(|n| n.as_str().into()).collect();
    encoded.select(names)?.to_ndarray::<Float32Type>(IndexOrder::C)
}
// ANCHOR_END: expressions

/// Both versions on `rows` replicated rows: checked to agree, timed, with peak heap when `measure_heap`.
pub fn report(rows: usize, runs: usize, measure_heap: bool) -> Result<Report, Box<dyn std::error::Error>> {
    let df = replicate_penguins(rows, 42)?;
    let names = lab_pipeline().fit(&df)?.feature_names();
    type Out = Result<Array2<f32>, String>;
    let mut compare = Compare::<DataFrame, Out>::new(format!("Preprocessing {rows} penguin rows to a dense f32 matrix (fit_transform)"))
        .runs(runs)
        .warmup(1)
        // both standardise in f64 and round to f32 at the end; they differ only in summation order
        .tolerance(Tolerance::new(1e-5, 1e-5))
        .add("`Preprocessor::fit_transform_array`", |df: &DataFrame| {
            lab_pipeline().fit_transform_array(df).map(|(_, m, _)| m).map_err(|e: PreprocessError| e.to_string())
        })
        .add("polars expressions + `to_dummies` + `to_ndarray`", move |df: &DataFrame| with_expressions(df, &names).map_err(|e| e.to_string()));
    if measure_heap {
        compare = compare.measure_heap();
    }
    Ok(compare.run(&df).map_err(|e: CompareError| e.to_string())?)
}

pub const TABLE: &str = "dataframes/lab-1-2-2-preprocessing.md";
const SOURCE: &str = "code/dataframes/src/lab_1_2_2.rs";

/// Runs the lab's measurement: prints the table; with `figures`, writes it there.
pub fn run(figures: Option<&std::path::Path>, measure_heap: bool) -> Result<(), Box<dyn std::error::Error>> {
    use course_utils::table::{generated_header, write_generated};
    let machine = Machine::current();
    println!("Lab 1.2.2: Dataset Preprocessing Pipeline\n{machine}\n");
    println!("replicating the penguins to 1,000,000 rows, then fit_transform two ways (each checked to agree) ...");
    let report = report(1_000_000, 10, measure_heap)?;
    println!("{report}");
    if let Some(dir) = figures {
        write_generated(&dir.join(TABLE), &format!("{}{}", generated_header(SOURCE), report.to_markdown(&machine)))?;
        println!("  wrote figures/{TABLE}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replication_keeps_shape_nulls_and_is_seeded() {
        let df = replicate_penguins(5000, 1).unwrap();
        assert_eq!(df.shape(), (5000, 7));
        let nulls = df.column("sex").unwrap().null_count() as f64 / 5000.0;
        assert!((nulls - 11.0 / 344.0).abs() < 0.015, "sex null share {nulls}");
        assert!(df.equals_missing(&replicate_penguins(5000, 1).unwrap()));
        assert!(!df.equals_missing(&replicate_penguins(5000, 2).unwrap()));
    }

    #[test]
    fn both_versions_agree_and_are_timed() {
        let report = report(2000, 1, false).unwrap();
        assert_eq!(report.timings().len(), 2);
    }

    #[test]
    fn committed_table_has_its_format() {
        let text = course_utils::table::read_committed(TABLE).unwrap();
        course_utils::table::check_timing_table(&text).unwrap();
        assert!(text.contains("Preprocessor::fit_transform_array") && text.contains("peak heap"));
    }
}
