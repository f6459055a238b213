//! Lab 1.2.1 as criterion benchmarks: `cargo bench -p arrays --bench lab_1_2_1`.
//! `cargo test` runs each benchmark once, in a debug build, on small shapes, to check that it works.
use arrays::batch_matmul::{self, flops};
use arrays::lab_1_2_1::{BatchShape, batch_inputs};
use arrays::{outer, sum};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ndarray::{Array1, Array3};

/// Debug builds (cargo test) use tiny inputs; `cargo bench` uses the lab's sizes.
const FULL: bool = !cfg!(debug_assertions);

fn batch_matmul_group(c: &mut Criterion) {
    let shape = if FULL { BatchShape::LAB } else { BatchShape { batches: 2, m: 8, k: 8, n: 8 } };
    let (a, b) = batch_inputs(shape, 42);
    let mut group = c.benchmark_group("batch_matmul");
    group.sample_size(10);
    // criterion's "elements" are floating-point operations here: its report shows them per second
    group.throughput(Throughput::Elements(flops(shape.batches, shape.m, shape.k, shape.n) as u64));
    group.bench_function("naive_loops", |bench| bench.iter(|| batch_matmul::naive_loops(a.view(), b.view())));
    group.bench_function("loops_ikj", |bench| bench.iter(|| batch_matmul::loops_ikj(a.view(), b.view())));
    group.bench_function("broadcast_sum", |bench| bench.iter(|| batch_matmul::broadcast_sum(a.view(), b.view())));
    group.bench_function("per_batch_dot", |bench| bench.iter(|| batch_matmul::per_batch_dot(a.view(), b.view())));
    let mut out = Array3::zeros((shape.batches, shape.m, shape.n));
    group.bench_function("gemm_into", |bench| bench.iter(|| batch_matmul::gemm_into(a.view(), b.view(), &mut out)));
    group.bench_function("parallel_gemm", |bench| bench.iter(|| batch_matmul::parallel_gemm(a.view(), b.view())));
    group.finish();
}

fn outer_group(c: &mut Criterion) {
    let n = if FULL { 4096 } else { 64 };
    let a = Array1::linspace(-1.0f32, 1.0, n);
    let b = Array1::linspace(0.5f32, 2.0, n);
    let mut group = c.benchmark_group("outer_product");
    group.throughput(Throughput::Bytes((n * n * size_of::<f32>()) as u64));
    group.bench_function("loops", |bench| bench.iter(|| outer::outer_loops(&a, &b)));
    group.bench_function("broadcast", |bench| bench.iter(|| outer::outer_broadcast(&a, &b)));
    group.bench_function("zip", |bench| bench.iter(|| outer::outer_zip(&a, &b)));
    group.bench_function("zip_parallel", |bench| bench.iter(|| outer::outer_parallel(&a, &b)));
    group.finish();
}

fn sum_group(c: &mut Criterion) {
    let n = if FULL { 1_000_000 } else { 1000 };
    let x = Array1::from_iter((0..n).map(|i| (i % 1000) as f64 * 0.001));
    let mut group = c.benchmark_group("sum_f64");
    group.throughput(Throughput::Bytes((n * size_of::<f64>()) as u64));
    group.bench_function("index_loop", |bench| bench.iter(|| sum::sum_loop(&x)));
    group.bench_function("iter_sum", |bench| bench.iter(|| sum::sum_iter(&x)));
    group.bench_function("ndarray_sum", |bench| bench.iter(|| sum::sum_ndarray(&x)));
    group.finish();
}

criterion_group!(benches, batch_matmul_group, outer_group, sum_group);
criterion_main!(benches);
