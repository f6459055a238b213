//! Lab 1.2.4, part 2: scaled dot-product attention, softmax(Q Kᵀ / √d) V, five ways.
//!
//! Shapes: Q is (B, H, S, D), K is (B, H, T, D), V is (B, H, T, Dv); the output is (B, H, S, Dv).
//! Every version is checked against [`reference_f64`] in the tests, on random and on adversarial inputs.

use crate::batch_matmul::gemm_view;
use crate::einsum::{EinsumError, einsum};
use ndarray::linalg::general_mat_mul;
use ndarray::parallel::prelude::*;
use wide::f32x8;
use ndarray::{Array2, Array4, ArrayView2, ArrayView3, ArrayView4, ArrayViewMut1, ArrayViewMut2, Axis, CowArray, Ix4, Zip, s};

/// Which keys a query may look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mask {
    /// Every query sees every key.
    None,
    /// Query i sees keys 0..=i only (a decoder's mask); needs as many keys as queries.
    Causal,
}

/// Why attention cannot be computed for these inputs.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AttentionError {
    #[error("q, k and v must share batch and heads: q is {q:?}, k is {k:?}, v is {v:?}")]
    BatchOrHeads { q: [usize; 4], k: [usize; 4], v: [usize; 4] },
    #[error("q and k must have the same last axis (D): q has {q}, k has {k}")]
    KeyDim { q: usize, k: usize },
    #[error("k and v must have as many rows (T): k has {k}, v has {v}")]
    KeyCount { k: usize, v: usize },
    #[error("every axis must be non-empty, got q {q:?}, k {k:?}, v {v:?}")]
    Empty { q: [usize; 4], k: [usize; 4], v: [usize; 4] },
    #[error("a causal mask needs as many keys as queries: {queries} queries, {keys} keys")]
    CausalNeedsSquare { queries: usize, keys: usize },
    #[error("the streaming block size must be at least 1")]
    ZeroBlock,
    #[error("head ({batch}, {head}) does not exist in q of shape {shape:?}")]
    NoSuchHead { batch: usize, head: usize, shape: [usize; 4] },
    #[error(transparent)]
    Einsum(#[from] EinsumError),
    #[error("internal layout error (a bug in this module): {0}")]
    Layout(String),
}

/// Checks the shapes and returns (B, H, S, T, D, Dv).
pub fn check_shapes<A>(
    q: &ArrayView4<A>,
    k: &ArrayView4<A>,
    v: &ArrayView4<A>,
    mask: Mask,
) -> Result<(usize, usize, usize, usize, usize, usize), AttentionError> {
    let dims = |a: &ArrayView4<A>| -> [usize; 4] { a.shape().try_into().unwrap_or([0; 4]) };
    let (qd, kd, vd) = (dims(q), dims(k), dims(v));
    if qd[..2] != kd[..2] || qd[..2] != vd[..2] {
        return Err(AttentionError::BatchOrHeads { q: qd, k: kd, v: vd });
    }
    if qd[3] != kd[3] {
        return Err(AttentionError::KeyDim { q: qd[3], k: kd[3] });
    }
    if kd[2] != vd[2] {
        return Err(AttentionError::KeyCount { k: kd[2], v: vd[2] });
    }
    if qd.contains(&0) || kd.contains(&0) || vd.contains(&0) {
        return Err(AttentionError::Empty { q: qd, k: kd, v: vd });
    }
    if mask == Mask::Causal && qd[2] != kd[2] {
        return Err(AttentionError::CausalNeedsSquare { queries: qd[2], keys: kd[2] });
    }
    Ok((qd[0], qd[1], qd[2], kd[2], qd[3], vd[3]))
}

/// Floating-point operations of one attention call: two products of 2·S·T·D each, per head.
pub fn flops(b: usize, h: usize, s: usize, t: usize, d: usize) -> f64 {
    4.0 * (b * h * s * t * d) as f64
}

// ANCHOR: softmax
/// softmax as written in the textbook: exp, then divide by the sum. exp(89.0) is already infinite in f32, so
/// large logits give inf / inf = NaN.
pub fn softmax_naive(row: &mut [f32]) {
    let sum: f32 = row.iter_mut().map(|x| {
        *x = x.exp();
        *x
    }).sum();
    row.iter_mut().for_each(|x| *x /= sum);
}

/// The stable softmax: subtracting the row's maximum changes nothing mathematically (it cancels in the
/// division) but keeps every exponent at or below 0, so nothing overflows; masked entries (-inf) become 0.
pub fn softmax_stable(row: &mut [f32]) {
    let max = row.iter().fold(f32::NEG_INFINITY, |m, &x| m.max(x));
    let mut sum = 0.0;
    for x in row.iter_mut() {
        *x = (*x - max).exp();
        sum += *x;
    }
    let inv = 1.0 / sum;
    row.iter_mut().for_each(|x| *x *= inv);
}
// ANCHOR_END: softmax

// ANCHOR: softmax_wide
/// The same stable softmax, eight lanes at a time with the `wide` crate: `f32::exp` calls the C library's
/// `expf` once per element and cannot be vectorised by the compiler; `f32x8::exp` evaluates a polynomial on
/// eight values at once. (`f32::max` is not vectorised either, because of its NaN rules.)
pub fn softmax_stable_wide(row: &mut [f32]) {
    let max = row_max(row);
    let inv = 1.0 / exp_shifted_sum(row, max);
    row.iter_mut().for_each(|x| *x *= inv);
}

/// The largest element of a row (-inf for an empty one).
pub fn row_max(row: &[f32]) -> f32 {
    let (chunks, rest) = row.as_chunks::<8>();
    let lanes = chunks.iter().fold(f32x8::splat(f32::NEG_INFINITY), |m, c| m.max(f32x8::new(*c)));
    lanes.to_array().into_iter().chain(rest.iter().copied()).fold(f32::NEG_INFINITY, f32::max)
}

/// Replaces every x by exp(x - shift) and returns their sum.
pub fn exp_shifted_sum(row: &mut [f32], shift: f32) -> f32 {
    let (chunks, rest) = row.as_chunks_mut::<8>();
    let shift8 = f32x8::splat(shift);
    let mut sum8 = f32x8::ZERO;
    for chunk in chunks {
        let e = (f32x8::new(*chunk) - shift8).exp();
        *chunk = e.to_array();
        sum8 += e;
    }
    let mut sum = sum8.reduce_add();
    for x in rest {
        *x = (*x - shift).exp();
        sum += *x;
    }
    sum
}
// ANCHOR_END: softmax_wide

/// [`softmax_stable`] on a row of any layout (contiguous rows take the fast path).
fn softmax_row(mut row: ArrayViewMut1<f32>) {
    match row.as_slice_mut() {
        Some(slice) => softmax_stable(slice),
        None => {
            let mut copy = row.to_vec();
            softmax_stable(&mut copy);
            row.iter_mut().zip(copy).for_each(|(x, y)| *x = y);
        }
    }
}

/// Sets the scores of future keys (column j > row i + offset) to -inf, so softmax gives them weight 0.
fn mask_future(mut scores: ArrayViewMut2<f32>, offset: usize) {
    for (i, mut row) in scores.outer_iter_mut().enumerate() {
        let first_hidden = (i + offset + 1).min(row.len());
        row.slice_mut(s![first_hidden..]).fill(f32::NEG_INFINITY);
    }
}

// ANCHOR: reference
/// The reference: loops in f64, the formula as written. Slow, obviously right.
pub fn reference_f64(q: ArrayView4<f32>, k: ArrayView4<f32>, v: ArrayView4<f32>, mask: Mask) -> Result<Array4<f64>, AttentionError> {
    let (b, h, s, t, d, dv) = check_shapes(&q, &k, &v, mask)?;
    let scale = 1.0 / (d as f64).sqrt();
    let mut out = Array4::zeros((b, h, s, dv));
    for (bi, hi, i) in (0..b).flat_map(|bi| (0..h).flat_map(move |hi| (0..s).map(move |i| (bi, hi, i)))) {
        let visible = if mask == Mask::Causal { i + 1 } else { t };
        let logits: Vec<f64> = (0..visible)
            .map(|j| (0..d).map(|l| f64::from(q[[bi, hi, i, l]]) * f64::from(k[[bi, hi, j, l]])).sum::<f64>() * scale)
            .collect();
        let max = logits.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let weights: Vec<f64> = logits.iter().map(|x| (x - max).exp()).collect();
        let total: f64 = weights.iter().sum();
        for c in 0..dv {
            out[[bi, hi, i, c]] = (0..visible).map(|j| weights[j] / total * f64::from(v[[bi, hi, j, c]])).sum();
        }
    }
    Ok(out)
}
// ANCHOR_END: reference

// ANCHOR: einsum
/// Attention the way it reads on paper, with einsum: materialises all B·H·S·T scores at once.
pub fn attention_einsum(q: ArrayView4<f32>, k: ArrayView4<f32>, v: ArrayView4<f32>, mask: Mask) -> Result<Array4<f32>, AttentionError> {
    // ANCHOR: exercise_einsum
    let (.., d, _) = check_shapes(&q, &k, &v, mask)?;
    let mut scores = einsum("bhsd,bhtd->bhst", &[&q, &k])?;
    scores *= 1.0 / (d as f32).sqrt();
    let mut scores = scores.into_dimensionality::<Ix4>().map_err(internal)?;
    for mut batch in scores.outer_iter_mut() {
        for mut head in batch.outer_iter_mut() {
            if mask == Mask::Causal {
                mask_future(head.view_mut(), 0);
            }
            head.rows_mut().into_iter().for_each(softmax_row);
        }
    }
    let out = einsum("bhst,bhtd->bhsd", &[&scores, &v])?;
    Ok(out.into_dimensionality::<Ix4>().map_err(internal)?)
    // ANCHOR_END: exercise_einsum
}
// ANCHOR_END: einsum

// ANCHOR: per_head
/// The explicit version: one head at a time with `dot`, as a loop over the batch and the heads.
pub fn attention_per_head(q: ArrayView4<f32>, k: ArrayView4<f32>, v: ArrayView4<f32>, mask: Mask) -> Result<Array4<f32>, AttentionError> {
    // ANCHOR: exercise_per_head
    let (b, h, s, _, d, dv) = check_shapes(&q, &k, &v, mask)?;
    let scale = 1.0 / (d as f32).sqrt();
    let mut out = Array4::zeros((b, h, s, dv));
    for bi in 0..b {
        for hi in 0..h {
            let (q, k, v) = (q.slice(s![bi, hi, .., ..]), k.slice(s![bi, hi, .., ..]), v.slice(s![bi, hi, .., ..]));
            let mut scores = q.dot(&k.t()) * scale; // (S, T)
            if mask == Mask::Causal {
                mask_future(scores.view_mut(), 0);
            }
            scores.rows_mut().into_iter().for_each(softmax_row);
            out.slice_mut(s![bi, hi, .., ..]).assign(&scores.dot(&v));
        }
    }
    Ok(out)
    // ANCHOR_END: exercise_per_head
}
// ANCHOR_END: per_head

// ANCHOR: fused_head
/// One head, fused: scores into a scratch buffer, softmax in place, weights times V straight into `out`.
fn fused_head(q: ArrayView2<f32>, k: ArrayView2<f32>, v: ArrayView2<f32>, mask: Mask, scratch: &mut Array2<f32>, mut out: ArrayViewMut2<f32>) {
    // ANCHOR: exercise_fused_head
    let scale = 1.0 / (q.ncols() as f32).sqrt();
    general_mat_mul(scale, &q, &k.t(), 0.0, scratch);
    if mask == Mask::Causal {
        mask_future(scratch.view_mut(), 0);
    }
    // exp(x - max) per row, but divide by the row's sum after multiplying by V: (S, Dv) divisions instead of (S, T)
    let mut inverse_sums = Vec::with_capacity(scratch.nrows());
    for mut row in scratch.rows_mut() {
        let row = row.as_slice_mut().expect("rows of a standard-layout scratch buffer are contiguous");
        inverse_sums.push(1.0 / exp_shifted_sum(row, row_max(row)));
    }
    general_mat_mul(1.0, &*scratch, &v, 0.0, &mut out);
    for (mut row, inv) in out.rows_mut().into_iter().zip(inverse_sums) {
        row *= inv;
    }
    // ANCHOR_END: exercise_fused_head
}
// ANCHOR_END: fused_head

// ANCHOR: fused
/// Fused and parallel: rayon spreads the B·H heads over the cores; each head computes its scores into its
/// thread's S x T buffer, normalises them in place (SIMD softmax) and multiplies by V straight into the output.
/// No temporaries per operation, one scores buffer per thread.
pub fn attention_fused(q: ArrayView4<f32>, k: ArrayView4<f32>, v: ArrayView4<f32>, mask: Mask) -> Result<Array4<f32>, AttentionError> {
    fused_with(fused_head, q, k, v, mask)
}
// ANCHOR_END: fused

/// One head of the fused version: (q, k, v, mask, the thread's scores buffer, the head's output).
type Head = fn(ArrayView2<f32>, ArrayView2<f32>, ArrayView2<f32>, Mask, &mut Array2<f32>, ArrayViewMut2<f32>);

// ANCHOR: fused_with
/// The fused versions' frame: rayon over the heads, one scores buffer per worker thread.
fn fused_with(head: Head, q: ArrayView4<f32>, k: ArrayView4<f32>, v: ArrayView4<f32>, mask: Mask) -> Result<Array4<f32>, AttentionError> {
    let (b, h, s, t, _, dv) = check_shapes(&q, &k, &v, mask)?;
    let mut out = Array4::zeros((b, h, s, dv));
    let (q, k, v) = (q.as_standard_layout(), k.as_standard_layout(), v.as_standard_layout());
    let (q, k, v) = (heads(&q)?, heads(&k)?, heads(&v)?);
    let mut out_heads = out.view_mut().into_shape_with_order((b * h, s, dv)).map_err(internal)?;
    // one scores buffer per worker thread, reused for every head it takes (not one allocation per head)
    out_heads
        .outer_iter_mut()
        .into_par_iter()
        .zip(q.outer_iter().into_par_iter().zip(k.outer_iter().into_par_iter().zip(v.outer_iter().into_par_iter())))
        .for_each_init(|| Array2::zeros((s, t)), |scratch, (out, (q, (k, v)))| head(q, k, v, mask, scratch, out));
    Ok(out)
}
// ANCHOR_END: fused_with

// ANCHOR: fused_gemm
/// The fused version with the `gemm` crate's kernels for its two products: AVX-512 where the CPU has it,
/// where `general_mat_mul` (`matrixmultiply`) stops at AVX2 and FMA. On such a CPU NumPy's OpenBLAS uses
/// AVX-512 too, so this is the like-for-like version there.
pub fn attention_fused_gemm(q: ArrayView4<f32>, k: ArrayView4<f32>, v: ArrayView4<f32>, mask: Mask) -> Result<Array4<f32>, AttentionError> {
    fused_with(fused_head_gemm, q, k, v, mask)
}

fn fused_head_gemm(q: ArrayView2<f32>, k: ArrayView2<f32>, v: ArrayView2<f32>, mask: Mask, scratch: &mut Array2<f32>, mut out: ArrayViewMut2<f32>) {
    gemm_view(1.0 / (q.ncols() as f32).sqrt(), q, k.t(), scratch.view_mut());
    if mask == Mask::Causal {
        mask_future(scratch.view_mut(), 0);
    }
    let sums: Vec<f32> = scratch.rows_mut().into_iter().map(|mut r| exp_shifted_sum_of(r.as_slice_mut().expect("contiguous rows"))).collect();
    gemm_view(1.0, scratch.view(), v, out.view_mut());
    Zip::from(out.rows_mut()).and(&ndarray::aview1(&sums)).for_each(|mut row, &sum| row /= sum); // divide after V, as fused_head does
}

/// `exp(x - max)` in place over a row, returning the row's sum.
fn exp_shifted_sum_of(row: &mut [f32]) -> f32 {
    let max = row_max(row);
    exp_shifted_sum(row, max)
}
// ANCHOR_END: fused_gemm

// ANCHOR: streaming
/// Streaming ("flash") attention: walks the keys in blocks and keeps, per query row, the running maximum m,
/// the running sum l of exp(score - m) and the running weighted sum of V rows. When a new block raises the
/// maximum, what was accumulated so far is rescaled by exp(m_old - m_new). Memory per head in flight: one
/// block of scores (block x block) and one block of outputs (block x Dv), whatever S and T are.
pub fn attention_streaming(
    q: ArrayView4<f32>,
    k: ArrayView4<f32>,
    v: ArrayView4<f32>,
    mask: Mask,
    block: usize,
) -> Result<Array4<f32>, AttentionError> {
    let (b, h, s, _, _, dv) = check_shapes(&q, &k, &v, mask)?;
    if block == 0 {
        return Err(AttentionError::ZeroBlock);
    }
    let mut out = Array4::zeros((b, h, s, dv));
    let mut out_heads = out.view_mut().into_shape_with_order((b * h, s, dv)).map_err(internal)?;
    let (q, k, v) = (q.as_standard_layout(), k.as_standard_layout(), v.as_standard_layout());
    let (q, k, v) = (heads(&q)?, heads(&k)?, heads(&v)?);
    Zip::from(out_heads.outer_iter_mut()).and(q.outer_iter()).and(k.outer_iter()).and(v.outer_iter()).par_for_each(
        |out, q, k, v| streaming_head(q, k, v, mask, block, out),
    );
    Ok(out)
}

fn streaming_head(q: ArrayView2<f32>, k: ArrayView2<f32>, v: ArrayView2<f32>, mask: Mask, block: usize, mut out: ArrayViewMut2<f32>) {
    // ANCHOR: exercise_streaming_head
    let (s, t) = (q.nrows(), k.nrows());
    let scale = 1.0 / (q.ncols() as f32).sqrt();
    let mut scores = Array2::<f32>::zeros((block, block));
    let mut max = vec![f32::NEG_INFINITY; block];
    let mut sum = vec![0.0f32; block];
    for i0 in (0..s).step_by(block) {
        let rows = block.min(s - i0);
        let q_block = q.slice(s![i0..i0 + rows, ..]);
        let mut acc = out.slice_mut(s![i0..i0 + rows, ..]); // accumulate straight into the output rows
        acc.fill(0.0);
        max[..rows].fill(f32::NEG_INFINITY);
        sum[..rows].fill(0.0);
        // with a causal mask, key blocks after the last query of this block are all masked: skip them
        let key_end = if mask == Mask::Causal { (i0 + rows).min(t) } else { t };
        for j0 in (0..key_end).step_by(block) {
            let cols = block.min(key_end - j0);
            let mut p = scores.slice_mut(s![..rows, ..cols]);
            general_mat_mul(scale, &q_block, &k.slice(s![j0..j0 + cols, ..]).t(), 0.0, &mut p);
            if mask == Mask::Causal && j0 + cols > i0 {
                // query i0 + r sees key j0 + c when c <= r + i0 - j0
                for (r, mut row) in p.outer_iter_mut().enumerate() {
                    let first_hidden = (r + i0 + 1).saturating_sub(j0).min(cols);
                    row.slice_mut(s![first_hidden..]).fill(f32::NEG_INFINITY);
                }
            }
            for (r, (mut row, mut acc_row)) in p.rows_mut().into_iter().zip(acc.outer_iter_mut()).enumerate() {
                let row = row.as_slice_mut().expect("rows of a standard-layout scratch buffer are contiguous");
                let new_max = max[r].max(row_max(row));
                if new_max == f32::NEG_INFINITY {
                    row.fill(0.0); // every key so far is masked for this row
                    continue;
                }
                let rescale = (max[r] - new_max).exp(); // exp(-inf) = 0 on the first block
                let block_sum = exp_shifted_sum(row, new_max);
                sum[r] = sum[r] * rescale + block_sum;
                max[r] = new_max;
                acc_row *= rescale;
            }
            general_mat_mul(1.0, &p, &v.slice(s![j0..j0 + cols, ..]), 1.0, &mut acc);
        }
        for (r, mut acc_row) in acc.outer_iter_mut().enumerate() {
            acc_row /= sum[r];
        }
    }
    // ANCHOR_END: exercise_streaming_head
}
// ANCHOR_END: streaming

// ANCHOR: weights
/// The attention weights softmax(Q Kᵀ / √d) of one head, (S, T): what an attention heatmap draws.
pub fn attention_weights(q: ArrayView4<f32>, k: ArrayView4<f32>, mask: Mask, batch: usize, head: usize) -> Result<Array2<f32>, AttentionError> {
    check_shapes(&q, &k, &k, mask)?;
    let shape: [usize; 4] = q.shape().try_into().unwrap_or([0; 4]);
    if batch >= shape[0] || head >= shape[1] {
        return Err(AttentionError::NoSuchHead { batch, head, shape });
    }
    let (q, k) = (q.slice(s![batch, head, .., ..]), k.slice(s![batch, head, .., ..]));
    let mut weights = q.dot(&k.t()) / (q.ncols() as f32).sqrt();
    if mask == Mask::Causal {
        mask_future(weights.view_mut(), 0);
    }
    weights.rows_mut().into_iter().for_each(softmax_row);
    Ok(weights)
}
// ANCHOR_END: weights

fn internal(e: ndarray::ShapeError) -> AttentionError {
    AttentionError::Layout(e.to_string())
}

/// A (B, H, T, D) array in standard layout seen as B·H matrices of (T, D), without copying.
fn heads<'a>(a: &'a CowArray<'_, f32, Ix4>) -> Result<ArrayView3<'a, f32>, AttentionError> {
    let (b, h, t, d) = a.dim();
    a.view().into_shape_with_order((b * h, t, d)).map_err(internal)
}

/// The last axis of a (.., T) array, for tests: every row of attention weights sums to 1.
pub fn row_sums(weights: &Array2<f32>) -> ndarray::Array1<f32> {
    weights.sum_axis(Axis(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array, Array4};
    use ndarray_rand::RandomExt;
    use ndarray_rand::rand::SeedableRng;
    use ndarray_rand::rand::rngs::StdRng;
    use ndarray_rand::rand_distr::Uniform;
    use proptest::prelude::*;

    type Inputs = (Array4<f32>, Array4<f32>, Array4<f32>);

    fn inputs(b: usize, h: usize, s: usize, t: usize, d: usize, scale: f32, seed: u64) -> Inputs {
        let mut rng = StdRng::seed_from_u64(seed);
        let u = Uniform::new(-scale, scale).unwrap();
        (
            Array::random_using((b, h, s, d), u, &mut rng),
            Array::random_using((b, h, t, d), u, &mut rng),
            Array::random_using((b, h, t, d), u, &mut rng),
        )
    }

    type Version = fn(ArrayView4<'_, f32>, ArrayView4<'_, f32>, ArrayView4<'_, f32>, Mask) -> Result<Array4<f32>, AttentionError>;

    fn streaming_3(q: ArrayView4<'_, f32>, k: ArrayView4<'_, f32>, v: ArrayView4<'_, f32>, mask: Mask) -> Result<Array4<f32>, AttentionError> {
        attention_streaming(q, k, v, mask, 3)
    }

    fn streaming_64(q: ArrayView4<'_, f32>, k: ArrayView4<'_, f32>, v: ArrayView4<'_, f32>, mask: Mask) -> Result<Array4<f32>, AttentionError> {
        attention_streaming(q, k, v, mask, 64)
    }

    /// A version against the f64 reference. The outputs are convex combinations of V's rows, so an absolute
    /// tolerance scaled by V's magnitude is the right yardstick: 1e-4 of max |v|.
    fn agrees(name: &str, version: Version, (q, k, v): &Inputs, mask: Mask) {
        let reference = reference_f64(q.view(), k.view(), v.view(), mask).unwrap();
        let vmax = v.iter().fold(0.0f32, |m, x| m.max(x.abs())) as f64;
        let out = version(q.view(), k.view(), v.view(), mask).unwrap();
        assert_eq!(out.shape(), reference.shape(), "{name}");
        for (x, r) in out.iter().zip(&reference) {
            assert!((f64::from(*x) - r).abs() <= 1e-4 * vmax.max(1.0), "{name} ({mask:?}): {x} vs {r}");
        }
    }

    fn causal_outputs_ignore_future_keys(version: Version) {
        let (q, k, v) = inputs(1, 2, 12, 12, 4, 1.0, 6);
        let (mut k2, mut v2) = (k.clone(), v.clone());
        k2.slice_mut(s![.., .., 8.., ..]).fill(9.0);
        v2.slice_mut(s![.., .., 8.., ..]).fill(-9.0);
        let (a, b) = (version(q.view(), k.view(), v.view(), Mask::Causal).unwrap(), version(q.view(), k2.view(), v2.view(), Mask::Causal).unwrap());
        assert_eq!(a.slice(s![.., .., ..8, ..]), b.slice(s![.., .., ..8, ..]));
        assert_ne!(a.slice(s![.., .., 8.., ..]), b.slice(s![.., .., 8.., ..]));
    }

    /// One test group per version, so each passes or fails on its own (the lab's exercises rely on it).
    macro_rules! version_tests {
        ($($module:ident: $name:literal, $version:expr;)*) => {$(
            mod $module {
                use super::*;

                #[test]
                fn agrees_on_random_inputs() {
                    for mask in [Mask::None, Mask::Causal] {
                        agrees($name, $version, &inputs(2, 3, 17, 17, 8, 1.0, 1), mask);
                    }
                    agrees($name, $version, &inputs(1, 2, 5, 11, 4, 1.0, 2), Mask::None); // more keys than queries
                }

                #[test]
                fn agrees_on_adversarial_inputs() {
                    for mask in [Mask::None, Mask::Causal] {
                        agrees($name, $version, &inputs(1, 2, 9, 9, 16, 30.0, 3), mask); // logits in the thousands
                        agrees($name, $version, &inputs(1, 1, 1, 1, 8, 1.0, 4), mask); // S = T = 1
                        agrees($name, $version, &inputs(2, 2, 7, 7, 1, 1.0, 5), mask); // D = 1
                    }
                }

                #[test]
                fn causal_outputs_do_not_depend_on_future_keys() {
                    causal_outputs_ignore_future_keys($version);
                }

                proptest! {
                    #![proptest_config(ProptestConfig::with_cases(24))]
                    #[test]
                    fn agrees_for_any_shape(b in 1usize..3, h in 1usize..3, s in 1usize..10, extra in 0usize..4,
                                            d in 1usize..6, causal in any::<bool>(), seed in any::<u64>()) {
                        let (mask, t) = if causal { (Mask::Causal, s) } else { (Mask::None, s + extra) };
                        agrees($name, $version, &inputs(b, h, s, t, d, 2.0, seed), mask);
                    }
                }
            }
        )*};
    }

    version_tests! {
        einsum_version: "einsum", attention_einsum;
        per_head_version: "per head", attention_per_head;
        fused_head: "fused", attention_fused;
        fused_gemm_version: "fused, gemm kernels", attention_fused_gemm;
        streaming_head_block_3: "streaming, block 3", streaming_3;
        streaming_head_block_64: "streaming, block 64", streaming_64;
    }

    #[test]
    fn naive_softmax_overflows_where_the_stable_one_does_not() {
        let mut naive = [1000.0f32, 0.0, -5.0];
        let mut stable = naive;
        softmax_naive(&mut naive);
        softmax_stable(&mut stable);
        assert!(naive[0].is_nan(), "exp(1000) = inf, inf / inf = NaN: {naive:?}");
        assert_eq!(stable, [1.0, 0.0, 0.0]);
        // on small logits both agree
        let (mut a, mut b) = ([0.5f32, -1.0, 2.0], [0.5f32, -1.0, 2.0]);
        softmax_naive(&mut a);
        softmax_stable(&mut b);
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() < 1e-6);
        }
    }

    #[test]
    fn the_wide_softmax_matches_the_scalar_one() {
        for len in [1, 7, 8, 9, 64, 67] {
            let mut rng = StdRng::seed_from_u64(len as u64);
            let row: Vec<f32> = Array::random_using(len, Uniform::new(-60.0f32, 60.0).unwrap(), &mut rng).to_vec();
            let mut masked = row.clone();
            masked.iter_mut().skip(1).step_by(3).for_each(|x| *x = f32::NEG_INFINITY);
            for input in [row, masked] {
                let (mut scalar, mut simd) = (input.clone(), input.clone());
                softmax_stable(&mut scalar);
                softmax_stable_wide(&mut simd);
                for (a, b) in scalar.iter().zip(&simd) {
                    assert!((a - b).abs() <= 1e-6, "len {len}: {a} vs {b}");
                }
                assert!((simd.iter().sum::<f32>() - 1.0).abs() < 1e-5);
            }
        }
        assert_eq!(row_max(&[]), f32::NEG_INFINITY);
        assert_eq!(row_max(&[3.0, -1.0, 9.0, 2.0, 0.0, 1.0, 5.0, 8.5, 9.5]), 9.5);
    }

    #[test]
    fn weights_of_one_head_are_rows_that_sum_to_one() {
        let (q, k, _) = inputs(2, 3, 6, 6, 4, 1.0, 7);
        let w = attention_weights(q.view(), k.view(), Mask::Causal, 1, 2).unwrap();
        assert_eq!(w.dim(), (6, 6));
        assert!(row_sums(&w).iter().all(|s| (s - 1.0).abs() < 1e-6));
        assert_eq!(w[[0, 1]], 0.0, "causal: the first query sees only the first key");
        assert_eq!(w[[0, 0]], 1.0);
        assert_eq!(
            attention_weights(q.view(), k.view(), Mask::None, 2, 0).unwrap_err(),
            AttentionError::NoSuchHead { batch: 2, head: 0, shape: [2, 3, 6, 4] }
        );
    }

    #[test]
    fn bad_shapes_are_errors_not_panics() {
        let (q, k, v) = inputs(1, 2, 4, 5, 3, 1.0, 8);
        let wrong_d = Array4::<f32>::zeros((1, 2, 5, 2));
        assert_eq!(attention_fused(q.view(), wrong_d.view(), v.view(), Mask::None).unwrap_err(), AttentionError::KeyDim { q: 3, k: 2 });
        let wrong_t = Array4::<f32>::zeros((1, 2, 6, 3));
        assert_eq!(attention_per_head(q.view(), k.view(), wrong_t.view(), Mask::None).unwrap_err(), AttentionError::KeyCount { k: 5, v: 6 });
        let wrong_h = Array4::<f32>::zeros((1, 3, 5, 3));
        assert!(matches!(attention_einsum(q.view(), wrong_h.view(), v.view(), Mask::None), Err(AttentionError::BatchOrHeads { .. })));
        assert_eq!(
            attention_streaming(q.view(), k.view(), v.view(), Mask::Causal, 2).unwrap_err(),
            AttentionError::CausalNeedsSquare { queries: 4, keys: 5 }
        );
        assert_eq!(attention_streaming(q.view(), k.view(), v.view(), Mask::None, 0).unwrap_err(), AttentionError::ZeroBlock);
        let empty = Array4::<f32>::zeros((1, 2, 0, 3));
        assert!(matches!(reference_f64(empty.view(), k.view(), v.view(), Mask::None), Err(AttentionError::Empty { .. })));
    }

    #[test]
    fn non_standard_layouts_give_the_same_answer() {
        let (q, k, v) = inputs(2, 2, 6, 6, 4, 1.0, 9);
        // the same numbers, stored with B and H swapped in memory
        let qt = q.view().permuted_axes([1, 0, 2, 3]).as_standard_layout().into_owned();
        let q_strided = qt.view().permuted_axes([1, 0, 2, 3]);
        assert!(!q_strided.is_standard_layout());
        let a = attention_fused(q.view(), k.view(), v.view(), Mask::None).unwrap();
        assert_eq!(a, attention_fused(q_strided, k.view(), v.view(), Mask::None).unwrap());
        assert_eq!(
            attention_streaming(q.view(), k.view(), v.view(), Mask::None, 4).unwrap(),
            attention_streaming(q_strided, k.view(), v.view(), Mask::None, 4).unwrap()
        );
    }
}
