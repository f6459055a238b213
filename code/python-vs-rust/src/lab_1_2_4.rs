//! Lab 1.2.4's attention on the Rust side, on the inputs the Python script builds (`python/lab_1_2_4.py`).

use crate::lab_1_2_1::{f32_input, sum_of_squares, time};
use crate::{ChecksumTolerance, Sample};
use arrays::attention::{self, AttentionError, Mask};
use arrays::lab_1_2_4::BLOCK;
use ndarray::{Array4, s};

/// The Python script of this lab, relative to this crate.
pub const SCRIPT: &str = "python/lab_1_2_4.py";

/// The workloads: name in the protocol, title in the book, checksum tolerance.
pub const WORKLOADS: [(&str, &str, ChecksumTolerance); 1] = [
    // weighted averages of f32 rows; the checksum squares them: agree to about 1e-6 relative
    ("attention", "Attention, f32, B = 8, H = 8, S = 256, D = 64", ChecksumTolerance { rtol: 1e-4, atol: 1e-6 }),
];

/// (B, H, S, D): the lab's, or tiny ones for the smoke test (the same as the script's `--smoke`).
pub const LAB: (usize, usize, usize, usize) = (8, 8, 256, 64);
pub const SMOKE: (usize, usize, usize, usize) = (2, 2, 5, 3);

/// One round of the Rust side: every version `runs` times, each call a sample.
pub fn rust_samples(shape: (usize, usize, usize, usize), runs: usize, emit: &mut dyn FnMut(Sample)) {
    let size = shape.0 * shape.1 * shape.2 * shape.3;
    let (q, k, v): (Array4<f32>, Array4<f32>, Array4<f32>) = (f32_input(shape, 0), f32_input(shape, size), f32_input(shape, 2 * size));
    let head = |out: &Result<Array4<f32>, AttentionError>| out.as_ref().map_or(f64::NAN, |o| sum_of_squares(o.slice(s![0, 0, .., ..])));
    let w = "attention";
    let (q, k, v) = (q.view(), k.view(), v.view());
    time(w, "einsum, all scores at once", runs / 3, || attention::attention_einsum(q, k, v, Mask::None), head, emit);
    time(w, "`dot` per head", runs, || attention::attention_per_head(q, k, v, Mask::None), head, emit);
    time(w, "fused, rayon over heads", runs, || attention::attention_fused(q, k, v, Mask::None), head, emit);
    time(w, "fused, `gemm` kernels, rayon over heads", runs, || attention::attention_fused_gemm(q, k, v, Mask::None), head, emit);
    let streaming = format!("streaming, blocks of {BLOCK}, rayon");
    time(w, &streaming, runs, || attention::attention_streaming(q, k, v, Mask::None, BLOCK), head, emit);
}
