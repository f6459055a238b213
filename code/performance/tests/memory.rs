//! The module's memory tips as tested facts, counted by dhat. One test: dhat's counters are global to the
//! process, so a second test running at the same time would add its allocations to these.

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

use ndarray::{Array1, Array2, Zip};

// ANCHOR: allocated
/// Blocks and bytes allocated while `f` ran (freed or not).
fn allocated<T>(f: impl FnOnce() -> T) -> (T, u64, u64) {
    let before = dhat::HeapStats::get();
    let value = f();
    let after = dhat::HeapStats::get();
    (value, after.total_blocks - before.total_blocks, after.total_bytes - before.total_bytes)
}
// ANCHOR_END: allocated

#[test]
fn memory_tips() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let n = 1_000;
    let a = Array1::<f64>::linspace(0.0, 1.0, n);
    let b = Array1::<f64>::ones(n);

    // ANCHOR: peak
    // the peak counts what is alive at once: a temporary that is dropped still raises it
    // (first in this test, while only `a` and `b` are alive, so the peak so far is theirs)
    let before = dhat::HeapStats::get();
    dhat::assert_eq!(before.max_bytes, before.curr_bytes);
    let (total, _, _) = allocated(|| {
        let temporary = &a * 2.0; // 8 KB, freed at the end of the block
        temporary.sum()
    });
    let stats = dhat::HeapStats::get();
    dhat::assert_eq!(stats.max_bytes, before.curr_bytes + 8 * n);
    dhat::assert_eq!(stats.curr_bytes, before.curr_bytes);
    assert!((total - n as f64).abs() < 1e-9); // 2 × (0 + ... + 1) over n evenly spaced points = n
    // ANCHOR_END: peak

    // ANCHOR: in_place
    // `&a + &b` makes a new array: one allocation of n × 8 bytes.
    let (sum, blocks, bytes) = allocated(|| &a + &b);
    dhat::assert_eq!((blocks, bytes), (1, 8 * n as u64));

    // `a += &b` writes into `a`: nothing allocated.
    let mut acc = a.clone();
    let (_, blocks, _) = allocated(|| acc += &b);
    dhat::assert_eq!(blocks, 0);
    assert_eq!(acc, sum);

    // the same for element-wise functions: `mapv` allocates the result, `mapv_inplace` does not
    let (_, blocks, _) = allocated(|| a.mapv(f64::sqrt));
    dhat::assert_eq!(blocks, 1);
    let (_, blocks, _) = allocated(|| acc.mapv_inplace(f64::sqrt));
    dhat::assert_eq!(blocks, 0);

    // a preallocated output, filled by `Zip`: NumPy's `np.add(a, b, out=out)`
    let mut out = Array1::<f64>::zeros(n);
    let (_, blocks, _) = allocated(|| Zip::from(&mut out).and(&a).and(&b).for_each(|o, &x, &y| *o = x * y + 1.0));
    dhat::assert_eq!(blocks, 0);
    // ANCHOR_END: in_place

    // ANCHOR: f32
    // f32 halves the memory: n × 4 bytes instead of n × 8
    let (small, _, bytes32) = allocated(|| Array1::<f32>::zeros(n));
    let (_, _, bytes64) = allocated(|| Array1::<f64>::zeros(n));
    dhat::assert_eq!((bytes32, bytes64), (4 * n as u64, 8 * n as u64));
    assert_eq!(small.len() * size_of::<f32>(), 4 * n);
    // ANCHOR_END: f32

    // ANCHOR: views
    // a transpose and a slice are views: no copy
    let m = Array2::<f64>::zeros((300, 200));
    let (t, blocks, _) = allocated(|| m.t());
    dhat::assert_eq!(blocks, 0);
    let (_, blocks, _) = allocated(|| m.slice(ndarray::s![..100, ..]));
    dhat::assert_eq!(blocks, 0);

    // `as_standard_layout` borrows when the array is already row-major and copies when it is not
    let (_, blocks, _) = allocated(|| m.as_standard_layout().is_view());
    dhat::assert_eq!(blocks, 0);
    let (copy, blocks, bytes) = allocated(|| t.as_standard_layout());
    dhat::assert_eq!((blocks, bytes), (1, 300 * 200 * 8));
    assert!(!t.is_standard_layout() && copy.is_standard_layout());
    // ANCHOR_END: views

}
