//! Peak heap measurement, the `tracemalloc` role: how many bytes a piece of code has allocated at most.
//!
//! A program opts in by installing the instrumented system allocator as its global allocator, in its own
//! `main.rs` (a library cannot choose the allocator):
//!
//! ```ignore
//! #[global_allocator]
//! static HEAP: &course_utils::memory::PeakMemAlloc<std::alloc::System> = &course_utils::memory::INSTRUMENTED_SYSTEM;
//! ```
//!
//! The counting costs two atomic operations per allocation and nothing per arithmetic operation.

use peakmem_alloc::PeakMemAllocTrait;
pub use peakmem_alloc::{INSTRUMENTED_SYSTEM, PeakMemAlloc};

/// The program did not install [`INSTRUMENTED_SYSTEM`] as its global allocator, so nothing is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "heap use cannot be measured: install the counting allocator with \
     `#[global_allocator] static HEAP: &course_utils::memory::PeakMemAlloc<std::alloc::System> = &course_utils::memory::INSTRUMENTED_SYSTEM;`"
)]
pub struct NotInstrumented;

/// Whether allocations of this program are being counted.
pub fn is_instrumented() -> bool {
    // Without the allocator the counter never moves from 0. With it, a probe moves it, unless other threads
    // free more than the probe at that very moment (the counter is shared): so a large probe (zeroed, which
    // the kernel maps lazily: nearly free), and a few tries.
    (0..3).any(|_| {
        INSTRUMENTED_SYSTEM.reset_peak_memory();
        let probe = std::hint::black_box(vec![0u8; 16 << 20]);
        let seen = INSTRUMENTED_SYSTEM.get_peak_memory() > 0;
        drop(probe);
        seen
    })
}

/// Runs `f` and returns its result with the peak number of heap bytes allocated while it ran, above what was
/// allocated before (its result included, since it is still alive at the end). Allocations made meanwhile by
/// other threads count too; memory that existed before and is freed during `f` is not subtracted from the peak.
pub fn peak_heap<T>(f: impl FnOnce() -> T) -> Result<(T, u64), NotInstrumented> {
    if !is_instrumented() {
        return Err(NotInstrumented);
    }
    INSTRUMENTED_SYSTEM.reset_peak_memory();
    let value = f();
    Ok((value, INSTRUMENTED_SYSTEM.get_peak_memory() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Unit tests run with the default allocator: measuring must refuse rather than report zero.
    #[test]
    fn without_the_counting_allocator_measurement_is_an_error() {
        assert!(!is_instrumented());
        assert_eq!(peak_heap(|| vec![1u8; 1000]).unwrap_err(), NotInstrumented);
    }
}
