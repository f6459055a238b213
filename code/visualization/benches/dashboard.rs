//! `cargo bench -p visualization`: drawing the Lab 1.2.3 dashboard, the model already trained.
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use visualization::dashboard::dashboard_svg;
use visualization::lab_1_2_3::{SIZE, lab_results};

fn render(c: &mut Criterion) {
    let results = lab_results().expect("the lab's model trains");
    c.bench_function("dashboard 2x2 to SVG string", |b| b.iter(|| dashboard_svg(black_box(&results.dashboard), SIZE).expect("valid data")));
}

criterion_group!(benches, render);
criterion_main!(benches);
