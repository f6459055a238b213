//! The exercises of the chapter *DataFrames with polars for ML*, one per page.
//!
//! Each function's doc comment says what to write. Replace each `todo!()` with your code, then run
//! `cargo test -p dataframes-exercise <name>` (for example `cargo test -p dataframes-exercise group_means`) until
//! its tests pass. The tests are at the bottom of this file: read them, they show what is expected.

use polars::prelude::*;
use std::path::Path;

/// What can go wrong in these exercises: one variant for each mistake, each with its message, and the errors of
/// polars and of the file system, which `?` turns into this type through `#[from]`.
#[derive(Debug, thiserror::Error)]
pub enum PracticeError {
    /// `fill_with_mean` got a column with no value to take the mean of.
    #[error("column {column:?} has no non-null value: there is no mean to fill with")]
    NoValues { column: String },
    /// `bin_column` needs one label more than breaks.
    #[error("{labels} labels for {breaks} breaks: n breaks make n + 1 bins, each needs a label")]
    LabelCount { breaks: usize, labels: usize },
    /// `parquet_columns` was asked for no column at all.
    #[error("no columns asked for: name at least one")]
    NoColumns,
    /// An error of polars: a column that does not exist, say.
    #[error(transparent)]
    Polars(#[from] PolarsError),
    /// An error of the file system: a folder that does not exist, say.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Page "Operations and transformations". The mean of the column `value` in each group of the column `by`, one
/// row per group, sorted by the group: pandas'
/// `df.groupby(by, as_index=False)[value].mean().sort_values(by)`. The result has two columns, named `by` and
/// `value`. Nulls in `value` are skipped, as in pandas; a column that does not exist is a
/// `PracticeError::Polars` error (polars finds it at `collect()`).
///
/// Hint: the page's `summary` listing, on `df.clone().lazy()` (the lazy API takes the frame by value, hence the
/// `clone`): `group_by([col(by)])`, `agg([col(value).mean()])`, `sort([by], Default::default())`, `collect()`.
/// `collect()?` inside `Ok(...)` turns a `PolarsError` into a `PracticeError`.
pub fn group_means(df: &DataFrame, by: &str, value: &str) -> Result<DataFrame, PracticeError> {
    // ANCHOR: exercise_group_means
    let means = df.clone().lazy().group_by([col(by)]).agg([col(value).mean()]);
    Ok(means.sort([by], Default::default()).collect()?)
    // ANCHOR_END: exercise_group_means
}

/// Page "Missing data". Fills the nulls of the float column `column` with the mean of its other values, and
/// adds a boolean column `<column>_missing`, true where the value was null: pandas'
/// `df[f"{column}_missing"] = df[column].isna()` then `df[column] = df[column].fillna(df[column].mean())`.
/// Every other column stays as it is. A column with no value at all (no rows, or only nulls) has no mean:
/// return `PracticeError::NoValues { column }`.
///
/// Hint: `df.column(column)?` gives the column, with `null_count()` and `len()`. Then one `with_columns` on
/// `df.clone().lazy()` holding two expressions: `fill_null` with `col(column).mean()`, and `is_null()` with an
/// `alias` (`format!("{column}_missing")` makes the name). Both read the original column, as the page explains.
/// NaN is not null: it is left alone (and makes the mean NaN).
pub fn fill_with_mean(df: &DataFrame, column: &str) -> Result<DataFrame, PracticeError> {
    // ANCHOR: exercise_fill_with_mean
    let values = df.column(column)?;
    if values.null_count() == values.len() {
        return Err(PracticeError::NoValues { column: column.to_string() });
    }
    let fill = col(column).fill_null(col(column).mean());
    let missing = col(column).is_null().alias(format!("{column}_missing"));
    Ok(df.clone().lazy().with_columns([fill, missing]).collect()?)
    // ANCHOR_END: exercise_fill_with_mean
}

/// Page "Feature engineering". Adds a text column `<column>_class` that bins the numeric column `column` at
/// `breaks` (in increasing order) and names the bins with `labels`: pandas'
/// `pd.cut(df[column], [-np.inf, *breaks, np.inf], labels=labels)`. As there, each bin includes its right edge: with
/// breaks `[3500.0, 4500.0]`, 3500 is in the first bin and 3501 in the second. A null stays null. There must be
/// one label more than breaks (`n` breaks make `n + 1` bins); otherwise return
/// `PracticeError::LabelCount { breaks, labels }`, the two lengths.
///
/// Hint: the page's `mass_class` feature: `col(column).cut(breaks.to_vec(), Some(labels.to_vec()), false, false)`
/// (`false`: bins closed on the right), then `.cast(DataType::String)` and `.alias(...)`, in a `with_columns`.
pub fn bin_column(df: &DataFrame, column: &str, breaks: &[f64], labels: &[&str]) -> Result<DataFrame, PracticeError> {
    // ANCHOR: exercise_bin_column
    if labels.len() != breaks.len() + 1 {
        return Err(PracticeError::LabelCount { breaks: breaks.len(), labels: labels.len() });
    }
    let bins = col(column).cut(breaks.to_vec(), Some(labels.to_vec()), false, false);
    let classes = bins.cast(DataType::String).alias(format!("{column}_class"));
    Ok(df.clone().lazy().with_columns([classes]).collect()?)
    // ANCHOR_END: exercise_bin_column
}

/// Page "Efficient I/O: Parquet and Arrow IPC". Writes `df` to the file `path` as Parquet, then reads back only
/// the columns named in `columns`, in that order, with a lazy scan: pandas' `df.to_parquet(path)` then
/// `pd.read_parquet(path, columns=columns)`. The scan reads only those columns from the file (projection
/// pushdown). No column asked for is `PracticeError::NoColumns`; a column that is not in the file is a
/// `PracticeError::Polars` error.
///
/// `df` is `&mut` because `ParquetWriter`'s `finish` takes the frame that way. Hint: the page's round trip:
/// `ParquetWriter::new(std::fs::File::create(path)?).finish(df)?`, then `LazyFrame::scan_parquet(...)` as on the
/// page, and `select` with one `col(...)` per name:
/// `columns.iter().map(|c| col(*c)).collect::<Vec<_>>()`.
pub fn parquet_columns(df: &mut DataFrame, path: &Path, columns: &[&str]) -> Result<DataFrame, PracticeError> {
    // ANCHOR: exercise_parquet_columns
    if columns.is_empty() {
        return Err(PracticeError::NoColumns);
    }
    ParquetWriter::new(std::fs::File::create(path)?).finish(df)?;
    let selected: Vec<Expr> = columns.iter().map(|c| col(*c)).collect();
    let scan = LazyFrame::scan_parquet(path.to_string_lossy().as_ref().into(), ScanArgsParquet::default())?;
    Ok(scan.select(selected).collect()?)
    // ANCHOR_END: exercise_parquet_columns
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A text column's values, `None` for a null.
    fn texts(df: &DataFrame, name: &str) -> Vec<Option<String>> {
        df.column(name).unwrap().str().unwrap().iter().map(|v| v.map(str::to_string)).collect()
    }

    /// A float column's values, `None` for a null.
    fn floats(df: &DataFrame, name: &str) -> Vec<Option<f64>> {
        df.column(name).unwrap().f64().unwrap().iter().collect()
    }

    /// A boolean column's values, `None` for a null.
    fn flags(df: &DataFrame, name: &str) -> Vec<Option<bool>> {
        df.column(name).unwrap().bool().unwrap().iter().collect()
    }

    fn names(df: &DataFrame) -> Vec<String> {
        df.get_column_names().into_iter().map(|n| n.as_str().to_string()).collect()
    }

    #[test]
    fn group_means_averages_each_group() {
        let df = df!(
            "species" => ["Gentoo", "Adelie", "Gentoo", "Adelie", "Chinstrap"],
            "body_mass_g" => [5000, 3500, 5400, 3700, 3600],
        )
        .unwrap();
        let means = group_means(&df, "species", "body_mass_g").unwrap();
        assert_eq!(names(&means), ["species", "body_mass_g"]);
        let species = ["Adelie", "Chinstrap", "Gentoo"];
        assert_eq!(texts(&means, "species"), species.map(|s| Some(s.to_string())));
        // integers in, float means out, as in pandas
        assert_eq!(floats(&means, "body_mass_g"), [Some(3600.0), Some(3600.0), Some(5200.0)]);
    }

    #[test]
    fn group_means_skips_nulls() {
        let df = df!(
            "species" => ["Adelie", "Adelie", "Adelie", "Gentoo"],
            "body_mass_g" => [Some(3500.0), None, Some(3700.0), None],
        )
        .unwrap();
        let means = group_means(&df, "species", "body_mass_g").unwrap();
        // a group whose values are all null has a null mean
        assert_eq!(floats(&means, "body_mass_g"), [Some(3600.0), None]);
    }

    #[test]
    fn group_means_of_one_row_is_that_row() {
        let df = df!("island" => ["Dream"], "flipper_length_mm" => [190.0]).unwrap();
        let means = group_means(&df, "island", "flipper_length_mm").unwrap();
        assert_eq!(means.shape(), (1, 2));
        assert_eq!(floats(&means, "flipper_length_mm"), [Some(190.0)]);
    }

    #[test]
    fn group_means_refuses_a_missing_column() {
        let df = df!("species" => ["Adelie"], "body_mass_g" => [3500.0]).unwrap();
        let result = group_means(&df, "species", "mass");
        assert!(matches!(result, Err(PracticeError::Polars(_))), "{result:?}");
        let result = group_means(&df, "island", "body_mass_g");
        assert!(matches!(result, Err(PracticeError::Polars(_))), "{result:?}");
    }

    #[test]
    fn fill_with_mean_fills_and_marks_the_nulls() {
        let df = df!(
            "id" => [1, 2, 3, 4],
            "bill_length_mm" => [Some(40.0), None, Some(44.0), None],
        )
        .unwrap();
        let filled = fill_with_mean(&df, "bill_length_mm").unwrap();
        assert_eq!(names(&filled), ["id", "bill_length_mm", "bill_length_mm_missing"]);
        // the mean of the present values, 40 and 44
        assert_eq!(floats(&filled, "bill_length_mm"), [Some(40.0), Some(42.0), Some(44.0), Some(42.0)]);
        assert_eq!(flags(&filled, "bill_length_mm_missing"), [Some(false), Some(true), Some(false), Some(true)]);
        assert!(filled.column("id").unwrap().equals_missing(df.column("id").unwrap()), "other columns unchanged");
    }

    #[test]
    fn fill_with_mean_without_nulls_changes_nothing() {
        let df = df!("x" => [1.5, 2.5]).unwrap();
        let filled = fill_with_mean(&df, "x").unwrap();
        assert_eq!(floats(&filled, "x"), [Some(1.5), Some(2.5)]);
        assert_eq!(flags(&filled, "x_missing"), [Some(false), Some(false)]);
    }

    #[test]
    fn fill_with_mean_leaves_nan_alone() {
        // NaN is a value, not a null: it is not marked, and it makes the mean (so the fill) NaN
        let df = df!("x" => [Some(f64::NAN), None, Some(1.0)]).unwrap();
        let filled = fill_with_mean(&df, "x").unwrap();
        assert_eq!(flags(&filled, "x_missing"), [Some(false), Some(true), Some(false)]);
        let x = floats(&filled, "x");
        assert!(x[0].is_some_and(f64::is_nan) && x[1].is_some_and(f64::is_nan) && x[2] == Some(1.0), "{x:?}");
    }

    #[test]
    fn fill_with_mean_refuses_a_column_without_values() {
        let df = df!("x" => [None::<f64>, None]).unwrap();
        let result = fill_with_mean(&df, "x");
        assert!(matches!(&result, Err(PracticeError::NoValues { column }) if column == "x"), "{result:?}");
        let result = fill_with_mean(&df!("x" => [1.0]).unwrap().head(Some(0)), "x");
        assert!(matches!(&result, Err(PracticeError::NoValues { column }) if column == "x"), "{result:?}");
        let result = fill_with_mean(&df, "y");
        assert!(matches!(result, Err(PracticeError::Polars(_))), "{result:?}");
    }

    #[test]
    fn bin_column_matches_a_loop() {
        let masses = [2900.0, 3500.0, 3501.0, 4200.0, 4500.0, 4500.5, 6300.0];
        let (breaks, labels) = ([3500.0, 4500.0], ["light", "medium", "heavy"]);
        // the reference: a value's bin is the number of breaks below it (a value on a break is not above it)
        let expected: Vec<Option<String>> =
            masses.iter().map(|m| Some(labels[breaks.iter().filter(|b| m > *b).count()].to_string())).collect();
        let df = df!("body_mass_g" => masses).unwrap();
        let binned = bin_column(&df, "body_mass_g", &breaks, &labels).unwrap();
        assert_eq!(names(&binned), ["body_mass_g", "body_mass_g_class"]);
        assert_eq!(texts(&binned, "body_mass_g_class"), expected);
        assert_eq!(expected[1].as_deref(), Some("light"), "3500 is in the first bin");
    }

    #[test]
    fn bin_column_keeps_nulls_and_takes_one_label_without_breaks() {
        let df = df!("x" => [Some(4000.0), None]).unwrap();
        let binned = bin_column(&df, "x", &[3500.0, 4500.0], &["light", "medium", "heavy"]).unwrap();
        assert_eq!(texts(&binned, "x_class"), [Some("medium".to_string()), None]);
        let binned = bin_column(&df, "x", &[], &["all"]).unwrap();
        assert_eq!(texts(&binned, "x_class"), [Some("all".to_string()), None]);
    }

    #[test]
    fn bin_column_refuses_the_wrong_number_of_labels() {
        let df = df!("x" => [1.0, 2.0]).unwrap();
        let result = bin_column(&df, "x", &[1.5, 2.5], &["low", "high"]);
        assert!(matches!(result, Err(PracticeError::LabelCount { breaks: 2, labels: 2 })), "{result:?}");
        let result = bin_column(&df, "x", &[1.5], &["low", "mid", "high"]);
        assert!(matches!(result, Err(PracticeError::LabelCount { breaks: 1, labels: 3 })), "{result:?}");
    }

    fn penguin_rows() -> DataFrame {
        df!(
            "species" => ["Adelie", "Gentoo", "Chinstrap"],
            "island" => ["Torgersen", "Biscoe", "Dream"],
            "body_mass_g" => [Some(3750), None, Some(3800)],
            "sex" => [Some("male"), None, Some("female")],
        )
        .unwrap()
    }

    #[test]
    fn parquet_columns_reads_back_the_columns_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let mut df = penguin_rows();
        let back = parquet_columns(&mut df, &dir.path().join("penguins.parquet"), &["body_mass_g", "species"]).unwrap();
        assert_eq!(names(&back), ["body_mass_g", "species"], "the columns asked for, in that order");
        for name in ["body_mass_g", "species"] {
            // types and nulls survive the round trip
            assert!(back.column(name).unwrap().equals_missing(df.column(name).unwrap()), "{name}");
        }
        assert_eq!(back.column("body_mass_g").unwrap().null_count(), 1);
    }

    #[test]
    fn parquet_columns_of_one_row_and_one_column() {
        let dir = tempfile::tempdir().unwrap();
        let mut df = penguin_rows().head(Some(1));
        let back = parquet_columns(&mut df, &dir.path().join("one.parquet"), &["island"]).unwrap();
        assert_eq!(back.shape(), (1, 1));
        assert_eq!(texts(&back, "island"), [Some("Torgersen".to_string())]);
    }

    #[test]
    fn parquet_columns_refuses_no_columns_and_unknown_ones() {
        let dir = tempfile::tempdir().unwrap();
        let mut df = penguin_rows();
        let result = parquet_columns(&mut df, &dir.path().join("none.parquet"), &[]);
        assert!(matches!(result, Err(PracticeError::NoColumns)), "{result:?}");
        let result = parquet_columns(&mut df, &dir.path().join("typo.parquet"), &["species", "body_mass"]);
        assert!(matches!(result, Err(PracticeError::Polars(_))), "{result:?}");
        let result = parquet_columns(&mut df, &dir.path().join("no-such-folder").join("x.parquet"), &["species"]);
        assert!(matches!(result, Err(PracticeError::Io(_))), "{result:?}");
    }
}
