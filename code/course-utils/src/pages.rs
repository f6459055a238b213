//! NumPy's page policy, for Rust programs: allocations of 4 MiB and more are aligned to 2 MiB and the
//! kernel is asked (`madvise(MADV_HUGEPAGE)`) to back them with transparent huge pages. A fresh 64 MiB array
//! then takes 32 page faults instead of 16,384, which is most of what a freshly allocated result costs.
//! NumPy does this for its own arrays (`numpy/_core/src/multiarray/alloc.c`); Rust's allocator does not.
//!
//! ```rust,ignore
//! #[global_allocator]
//! static ALLOC: &course_utils::pages::HugePages<std::alloc::System> = &course_utils::pages::HUGE_PAGES_SYSTEM;
//!
//! fn main() {
//!     course_utils::pages::HUGE_PAGES_SYSTEM.enable(true); // off by default, so one program can compare
//! }
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// NumPy's threshold: smaller allocations are left alone.
pub const THRESHOLD: usize = 4 << 20;
/// A transparent huge page on x86-64 and most aarch64 kernels.
pub const HUGE_PAGE: usize = 2 << 20;

/// An allocator that hands large allocations to `inner` aligned to a huge page and, when enabled, advises
/// the kernel to use huge pages for them.
pub struct HugePages<A> {
    inner: A,
    enabled: AtomicBool,
    advised: AtomicUsize,
}

/// The system allocator with NumPy's page policy, off until [`HugePages::enable`].
pub static HUGE_PAGES_SYSTEM: HugePages<System> = HugePages::new(System);

impl<A> HugePages<A> {
    pub const fn new(inner: A) -> Self {
        HugePages { inner, enabled: AtomicBool::new(false), advised: AtomicUsize::new(0) }
    }
    /// Turns the advice on or off for the allocations that follow (alignment does not change, so memory
    /// allocated in one state is freed correctly in the other).
    pub fn enable(&self, on: bool) {
        self.enabled.store(on, Ordering::SeqCst);
    }
    pub fn is_enabled(&self) -> bool {
        self.enabled.load(Ordering::SeqCst)
    }
    /// Bytes advised so far: 0 means the policy never ran (not the global allocator, or never enabled).
    pub fn advised_bytes(&self) -> usize {
        self.advised.load(Ordering::Relaxed)
    }
}

/// The layout a large allocation really gets: aligned to a huge page.
fn placed(layout: Layout) -> Layout {
    if layout.size() >= THRESHOLD {
        Layout::from_size_align(layout.size(), layout.align().max(HUGE_PAGE)).unwrap_or(layout)
    } else {
        layout
    }
}

/// Asks the kernel for huge pages on `[ptr, ptr + size)`; true when it accepted the advice.
#[cfg(target_os = "linux")]
pub fn advise(ptr: *mut u8, size: usize) -> bool {
    // SAFETY: the range is one live allocation of this process; MADV_HUGEPAGE changes no contents
    unsafe { libc::madvise(ptr.cast(), size, libc::MADV_HUGEPAGE) == 0 }
}

#[cfg(not(target_os = "linux"))]
pub fn advise(_ptr: *mut u8, _size: usize) -> bool {
    false // other systems have their own large-page mechanisms; nothing is asked
}

// SAFETY: every allocation is delegated to `inner` with a layout that depends only on the requested layout,
// so `dealloc` and `realloc` always pass `inner` the layout it allocated with.
unsafe impl<A: GlobalAlloc> GlobalAlloc for HugePages<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let placed = placed(layout);
        let ptr = unsafe { self.inner.alloc(placed) };
        if !ptr.is_null() && placed != layout && self.is_enabled() && advise(ptr, layout.size()) {
            self.advised.fetch_add(layout.size(), Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if placed(layout) == layout {
            return unsafe { self.inner.alloc_zeroed(layout) };
        }
        // advise first, then zero: the zeroing is the first touch, so it already lands in huge pages
        let ptr = unsafe { self.alloc(layout) };
        if !ptr.is_null() {
            unsafe { ptr.write_bytes(0, layout.size()) };
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { self.inner.dealloc(ptr, placed(layout)) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        if placed(layout) == layout && placed(new_layout) == new_layout {
            return unsafe { self.inner.realloc(ptr, layout, new_size) }; // both small: as before
        }
        // across the threshold or large: a new placement, the contents copied
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            unsafe {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        new
    }
}

// SAFETY: delegates to the allocator it points to.
unsafe impl<A: GlobalAlloc> GlobalAlloc for &HugePages<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { (**self).alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        unsafe { (**self).alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { (**self).dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        unsafe { (**self).realloc(ptr, layout, new_size) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_allocations_are_aligned_and_advised_small_ones_untouched() {
        let alloc = HugePages::new(System);
        alloc.enable(true);
        let large = Layout::from_size_align(8 << 20, 4).unwrap();
        let small = Layout::from_size_align(1000, 8).unwrap();
        unsafe {
            let p = alloc.alloc(large);
            assert!(!p.is_null());
            assert_eq!(p as usize % HUGE_PAGE, 0, "a large allocation starts on a huge page");
            p.write_bytes(7, large.size());
            assert_eq!(*p.add(large.size() - 1), 7);
            alloc.dealloc(p, large);
            let q = alloc.alloc(small);
            alloc.dealloc(q, small);
        }
        if cfg!(target_os = "linux") && std::path::Path::new("/sys/kernel/mm/transparent_hugepage").exists() {
            assert_eq!(alloc.advised_bytes(), 8 << 20, "only the large allocation was advised");
        }
    }

    #[test]
    fn disabled_means_aligned_but_not_advised() {
        let alloc = HugePages::new(System);
        let large = Layout::from_size_align(THRESHOLD, 8).unwrap();
        unsafe {
            let p = alloc.alloc_zeroed(large);
            assert_eq!(p as usize % HUGE_PAGE, 0);
            assert!(std::slice::from_raw_parts(p, large.size()).iter().all(|&b| b == 0));
            alloc.enable(true); // freeing in the other state is fine: the layout rule does not depend on it
            alloc.dealloc(p, large);
        }
        assert_eq!(alloc.advised_bytes(), 0);
    }

    #[test]
    fn realloc_keeps_the_contents_across_the_threshold() {
        let alloc = HugePages::new(System);
        alloc.enable(true);
        let sizes = [100, THRESHOLD - 1, THRESHOLD, 3 * THRESHOLD, 200, 50];
        unsafe {
            let mut layout = Layout::from_size_align(sizes[0], 8).unwrap();
            let mut p = alloc.alloc(layout);
            for (i, byte) in (0..sizes[0]).map(|i| (i, i as u8)) {
                *p.add(i) = byte;
            }
            for &size in &sizes[1..] {
                p = alloc.realloc(p, layout, size);
                assert!(!p.is_null());
                let kept = layout.size().min(size).min(50);
                assert!((0..kept).all(|i| *p.add(i) == i as u8), "contents kept growing or shrinking to {size}");
                if size >= THRESHOLD {
                    assert_eq!(p as usize % HUGE_PAGE, 0);
                }
                layout = Layout::from_size_align(size, 8).unwrap();
            }
            alloc.dealloc(p, layout);
        }
    }
}
