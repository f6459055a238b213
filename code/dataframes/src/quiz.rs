//! The code of this chapter's quizzes (quizzes/*.toml) and the tests that compute their answers.

use course_quiz::correct;
use polars::prelude::*;

// Page "Operations and transformations" (quizzes/operations.toml)

#[test]
fn group_by_or_over() -> Result<(), Box<dyn std::error::Error>> {
    // ANCHOR: group_by_or_over
    let df = df!("species" => ["Adelie", "Adelie", "Gentoo"], "mass" => [3.0, 4.0, 5.0])?;
    let grouped = df
        .clone()
        .lazy()
        .group_by([col("species")])
        .agg([col("mass").mean()])
        .collect()?;
    let species_mean = col("mass").mean().over([col("species")])?.alias("species_mean");
    let windowed = df.lazy().with_columns([species_mean]).collect()?;
    println!("{} {}", grouped.height(), windowed.height());
    // ANCHOR_END: group_by_or_over
    let computed = format!("`{} {}`", grouped.height(), windowed.height());
    assert_eq!(correct(env!("CARGO_MANIFEST_DIR"), "operations", "group-by-or-over")?, computed);
    Ok(())
}

#[test]
fn left_join_missing_key() -> Result<(), Box<dyn std::error::Error>> {
    // ANCHOR: left_join_missing_key
    let penguins = df!("island" => ["Biscoe", "Dream", "Torgersen", "Biscoe"])?;
    let stations = df!("island" => ["Biscoe", "Dream"], "station" => ["B-1", "D-2"])?;
    let joined = penguins
        .lazy()
        .join(stations.lazy(), [col("island")], [col("island")], JoinArgs::new(JoinType::Left))
        .collect()?;
    println!("{} {}", joined.height(), joined.column("station")?.null_count());
    // ANCHOR_END: left_join_missing_key
    let computed = format!("`{} {}`", joined.height(), joined.column("station")?.null_count());
    assert_eq!(correct(env!("CARGO_MANIFEST_DIR"), "operations", "left-join-missing-key")?, computed);
    Ok(())
}

// Page "Missing data" (quizzes/missing-data.toml)

#[test]
fn nan_is_a_value() -> Result<(), Box<dyn std::error::Error>> {
    // ANCHOR: nan_is_a_value
    let s = Series::new("x".into(), &[Some(2.0), None, Some(f64::NAN), Some(4.0)]);
    println!("{} {:?}", s.null_count(), s.mean());
    // ANCHOR_END: nan_is_a_value
    let computed = format!("`{} {:?}`", s.null_count(), s.mean());
    assert_eq!(correct(env!("CARGO_MANIFEST_DIR"), "missing-data", "nan-is-a-value")?, computed);
    Ok(())
}

#[test]
fn indicator_sees_original() -> Result<(), Box<dyn std::error::Error>> {
    // ANCHOR: indicator_sees_original
    let df = df!("mass" => [Some(3.0), None, Some(5.0)])?;
    let out = df
        .lazy()
        .with_columns([
            col("mass").fill_null(lit(0.0)),
            col("mass").is_null().alias("missing"),
        ])
        .collect()?;
    let missing: Vec<bool> = out.column("missing")?.bool()?.iter().flatten().collect();
    println!("{missing:?}");
    // ANCHOR_END: indicator_sees_original
    assert_eq!(out.column("mass")?.null_count(), 0, "the fill ran");
    let computed = format!("`{missing:?}`");
    assert_eq!(correct(env!("CARGO_MANIFEST_DIR"), "missing-data", "indicator-sees-original")?, computed);
    Ok(())
}

#[test]
fn drop_nulls_subset() -> Result<(), Box<dyn std::error::Error>> {
    // ANCHOR: drop_nulls_subset
    let df = df!(
        "mass" => [Some(3.0), None, Some(5.0), Some(4.0)],
        "sex" => [Some("male"), Some("female"), None, Some("female")],
    )?;
    let all = df.drop_nulls::<String>(None)?.height();
    let by_mass = df.drop_nulls(Some(&["mass".to_string()]))?.height();
    println!("{all} {by_mass}");
    // ANCHOR_END: drop_nulls_subset
    let computed = format!("`{all} {by_mass}`");
    assert_eq!(correct(env!("CARGO_MANIFEST_DIR"), "missing-data", "drop-nulls-subset")?, computed);
    Ok(())
}

// Page "Feature engineering" (quizzes/feature-engineering.toml)

#[test]
fn cut_on_a_break() -> Result<(), Box<dyn std::error::Error>> {
    // ANCHOR: cut_on_a_break
    let df = df!("mass" => [3500.0, 3600.0, 4800.0])?;
    let binned = df
        .lazy()
        .select([col("mass")
            .cut(vec![3500.0, 4500.0], Some(["light", "medium", "heavy"]), false, false)
            .cast(DataType::String)
            .alias("class")])
        .collect()?;
    let classes: Vec<&str> = binned.column("class")?.str()?.iter().flatten().collect();
    println!("{classes:?}");
    // ANCHOR_END: cut_on_a_break
    assert_eq!(binned.column("class")?.null_count(), 0, "every mass has a class");
    let computed = format!("`{classes:?}`");
    assert_eq!(correct(env!("CARGO_MANIFEST_DIR"), "feature-engineering", "cut-on-a-break")?, computed);
    Ok(())
}

#[test]
fn dummies_shape() -> Result<(), Box<dyn std::error::Error>> {
    // ANCHOR: dummies_shape
    let df = df!(
        "island" => ["Biscoe", "Dream", "Torgersen", "Biscoe"],
        "mass" => [4.5, 3.7, 3.8, 5.0],
    )?;
    let one_hot = df.columns_to_dummies(vec!["island"], Some("_"), false, false)?;
    println!("{:?}", one_hot.shape());
    // ANCHOR_END: dummies_shape
    assert!(one_hot.column("island").is_err() && one_hot.column("island_Torgersen").is_ok());
    let computed = format!("`{:?}`", one_hot.shape());
    assert_eq!(correct(env!("CARGO_MANIFEST_DIR"), "feature-engineering", "dummies-shape")?, computed);
    Ok(())
}

// Page "Efficient I/O: Parquet and Arrow IPC" (quizzes/io.toml)

#[test]
fn csv_guesses_types() -> Result<(), Box<dyn std::error::Error>> {
    // ANCHOR: csv_guesses_types
    let mut df = df!("zip" => ["02139", "10001"])?;
    let mut csv: Vec<u8> = Vec::new();
    CsvWriter::new(&mut csv).finish(&mut df)?;
    let back = CsvReadOptions::default()
        .into_reader_with_file_handle(std::io::Cursor::new(csv))
        .finish()?;
    println!("{}", back.column("zip")?.dtype());
    // ANCHOR_END: csv_guesses_types
    assert_eq!(back.column("zip")?.i64()?.get(0), Some(2139), "the leading zero is lost");
    // the claim of the why: through Parquet, the column stays text
    let mut parquet: Vec<u8> = Vec::new();
    ParquetWriter::new(&mut parquet).finish(&mut df)?;
    let kept = ParquetReader::new(std::io::Cursor::new(parquet)).finish()?;
    assert_eq!(kept.column("zip")?.dtype(), &DataType::String);
    let computed = format!("`{}`", back.column("zip")?.dtype());
    assert_eq!(correct(env!("CARGO_MANIFEST_DIR"), "io", "csv-guesses-types")?, computed);
    Ok(())
}
