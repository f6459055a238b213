//! Lab 1.2.2 as a criterion benchmark: `cargo bench -p dataframes --bench lab_1_2_2`.
//! `cargo test` runs it once, in a debug build, on 2,000 rows, to check that it works.
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dataframes::lab_1_2_2::{lab_pipeline, replicate_penguins, with_expressions};

/// Debug builds (cargo test) use a small frame; `cargo bench` uses the lab's 1,000,000 rows.
const ROWS: usize = if cfg!(debug_assertions) { 2_000 } else { 1_000_000 };

fn preprocessing(c: &mut Criterion) {
    let df = replicate_penguins(ROWS, 42).expect("the bundled penguins load");
    let names = lab_pipeline().fit(&df).expect("the lab pipeline fits").feature_names();
    let mut group = c.benchmark_group("preprocess_fit_transform");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ROWS as u64)); // rows per second
    group.bench_function("preprocessor", |b| {
        b.iter(|| lab_pipeline().fit_transform_array(&df).expect("valid input"))
    });
    group.bench_function("polars_expressions", |b| b.iter(|| with_expressions(&df, &names).expect("valid input")));
    group.finish();
}

criterion_group!(benches, preprocessing);
criterion_main!(benches);
