//! `cargo bench -p performance`: Lab 1.2.5's slow function against the optimised steps, N = 2000, D = 3, k = 10.
//! `cargo bench -p performance -- --profile-time 5` writes a flamegraph per benchmark instead of timing
//! (target/criterion/<group>/<benchmark>/profile/flamegraph.svg).
// ANCHOR: bench
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use performance::knn;
use performance::lab_1_2_5::{Input, LAB};
use performance::profiles::FlamegraphProfiler;
use std::hint::black_box;

fn lab_1_2_5(c: &mut Criterion) {
    let input = Input::new(LAB, 42);
    let mut group = c.benchmark_group("lab-1-2-5 knn");
    group.throughput(Throughput::Elements((LAB.n * LAB.n) as u64)); // distances per call
    group.sample_size(10);
    group.bench_function("slow", |b| b.iter(|| knn::knn_slow(black_box(&input.nested), LAB.k)));
    group.bench_function(BenchmarkId::new("step", "3 one-pass selection"), |b| {
        b.iter(|| knn::knn_step3_select(black_box(input.array.view()), LAB.k))
    });
    group.bench_function(BenchmarkId::new("step", "5 columns + rayon"), |b| {
        b.iter(|| knn::knn_step5_parallel(black_box(input.array.view()), LAB.k))
    });
    group.finish();
}

// ANCHOR: group
criterion_group! {
    name = benches;
    config = Criterion::default().with_profiler(FlamegraphProfiler::new(250));
    targets = lab_1_2_5
}
// ANCHOR_END: group
criterion_main!(benches);
// ANCHOR_END: bench
