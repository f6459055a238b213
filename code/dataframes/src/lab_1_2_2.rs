//! Lab 1.2.2's measurement: the Preprocessor on the penguins replicated to 1,000,000 rows, against the same
//! pipeline written as polars expressions. Used by the lab (`cargo run --release -p dataframes --example
//! lab-1-2-2`), the figure generator and the criterion bench.

use crate::datasets::penguins;
use crate::preprocessing_pipeline::{CategoricalImpute, FittedPreprocessor, PreprocessError, Preprocessor, Scaling, train_test_split};
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

pub const BAD_INPUT: &str = "dataframes/lab-1-2-2-bad-input.md";

/// The "Bad input" table of the lab's page: each hostile input, run, with what the Preprocessor answers
/// (its error message, or what it did instead). Deterministic: the tests compare it with the committed file.
pub fn bad_input_table() -> String {
    fn said<T>(result: Result<T, PreprocessError>) -> String {
        match result {
            Ok(_) => "accepted (a defect: it should be refused)".into(),
            Err(e) => format!("{e:?}").split([' ', '(', '{']).next().map_or(String::new(), |v| format!("`{v}`: ")) + &e.to_string(),
        }
    }
    let frame = |csv: &str| CsvReadOptions::default().into_reader_with_file_handle(std::io::Cursor::new(csv.to_string())).finish().expect("a valid CSV");
    let numbers = frame("x\n0.0\n1.0\n");
    let fitted = Preprocessor::new().fit(&numbers).expect("fits");
    let state = fitted.to_json().expect("serialises");
    let mut rows: Vec<(&str, String)> = vec![
        ("an empty frame", said(Preprocessor::new().fit(&numbers.head(Some(0))))),
        ("a fitted column missing at transform", said(fitted.transform(&frame("y\n1.0\n")))),
        ("a column read back as text since fit", said(fitted.transform(&df!("x" => ["1.0"]).expect("a frame")))),
        ("a column entirely null at fit", said(Preprocessor::new().fit(&df!("x" => [None::<f64>, None]).expect("a frame")))),
        ("NaN in a numeric column", said(fitted.transform(&df!("x" => [1.0, f64::NAN]).expect("a frame")))),
        ("text `10`, `abc`, `30` given a numeric role", said(Preprocessor::new().numeric(["x"]).fit(&df!("x" => ["10", "abc", "30"]).expect("a frame")))),
        ("1e39 at transform, after fitting on 0 and 1", said(fitted.transform(&frame("x\n0.5\n1e39\n")))),
        ("1e308 and -1e308 with min-max scaling", said(Preprocessor::new().scaling(Scaling::MinMax).numeric_impute(crate::preprocessing_pipeline::NumericImpute::Mean).fit(&frame("x\n1e308\n-1e308\n")))),
        ("a category not seen at fit", said(Preprocessor::new().fit(&frame("c\na\nb\n")).and_then(|f| f.transform(&frame("c\na\nz\n"))))),
        ("one column given two roles", said(Preprocessor::new().numeric(["x"]).categorical(["x"]).fit(&numbers))),
        ("a numeric column `c_a` beside a one-hot column `c` with category `a`", said(Preprocessor::new().fit(&frame("c,c_a\na,1\nb,2\n")))),
        ("a constant fill `missing` with missing indicators on", said(Preprocessor::new().categorical_impute(CategoricalImpute::Constant("missing".into())).missing_indicators(true).fit(&frame("c\na\n\n")))),
        ("100,000 distinct categories, one-hot", said(Preprocessor::new().fit_transform_array(&df!("c" => (0..100_000).map(|i| format!("c{i:06}")).collect::<Vec<_>>()).expect("a frame")))),
        ("a saved state edited to scale 0", said(FittedPreprocessor::from_json(&state.replacen("\"scale\": 0.5", "\"scale\": 0.0", 1)))),
        ("a saved state with a misspelt field", said(FittedPreprocessor::from_json(&state.replacen("\"scaling\"", "\"scalling\"", 1)))),
        ("a split of one row", said(train_test_split(&numbers.head(Some(1)), 0.25, 1, None))),
        ("a stratified split whose classes have one row each", said(train_test_split(&frame("y\na\nb\nc\n"), 0.5, 1, Some("y")))),
        ("`DropRows` on columns whose nulls cover every row", said(Preprocessor::new().numeric_impute(crate::preprocessing_pipeline::NumericImpute::DropRows).fit(&frame("x,z\n,1\n2,\n")))),
    ];
    // not an error: a pandas index column is left out, and the fitted state says why
    let indexed = Preprocessor::new().fit(&frame(",x\n0,1.5\n1,2.5\n2,0.5\n")).expect("fits");
    let excluded = indexed.excluded().iter().map(|e| format!("left out: {:?}, {}", e.column, e.reason)).collect::<Vec<_>>().join("; ");
    rows.push(("an unnamed first column 0, 1, 2 (pandas' `to_csv` index)", excluded));
    let mut table = course_utils::table::Table::new(["input", "what the Preprocessor says"]);
    table.align(0, course_utils::table::Align::Left).align(1, course_utils::table::Align::Left);
    for (input, result) in rows {
        table.push([input.to_string(), result]);
    }
    format!("{}{}", course_utils::table::generated_header(SOURCE), table.to_markdown())
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

    #[test]
    fn committed_bad_input_table_is_current() {
        let table = bad_input_table();
        assert!(!table.contains("a defect"), "every hostile input is refused:\n{table}");
        course_utils::table::check_committed(BAD_INPUT, &table).unwrap();
    }
}
