//! NumPy's page policy, for Rust programs: for every allocation of 4 MiB and more, the kernel is asked
//! (`madvise(MADV_HUGEPAGE)`) to back it with transparent huge pages of 2 MiB. A fresh 64 MiB array then
//! takes about 32 page faults instead of 16,384, which is most of what a freshly allocated result costs.
//! NumPy does exactly this for its own arrays (`numpy/_core/src/multiarray/alloc.c`): it advises the range
//! from the first 4 KiB page boundary of the block `malloc` returned, and does not align the block. Rust's
//! allocator asks nothing. When the policy is off, this allocator is the inner one, with nothing changed.
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

/// An allocator that hands every allocation to `inner` unchanged and, when enabled, advises the kernel to
/// use huge pages for the large ones.
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
    /// Turns the advice on or off for the allocations that follow (layouts never change, so memory
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
    /// NumPy's advice for a fresh block: from its first 4 KiB page boundary to its end, if it is large.
    fn advise_large(&self, ptr: *mut u8, size: usize) {
        if ptr.is_null() || size < THRESHOLD || !self.is_enabled() {
            return;
        }
        let offset = ptr.align_offset(SMALL_PAGE);
        // SAFETY: offset < 4096 <= size, so the advised range lies inside the block just allocated
        if advise(unsafe { ptr.add(offset) }, size - offset) {
            self.advised.fetch_add(size - offset, Ordering::Relaxed);
        }
    }
}

/// The base page of x86-64 and most aarch64 kernels, where NumPy starts its advice.
pub const SMALL_PAGE: usize = 4 << 10;

/// Asks the kernel for huge pages on `[ptr, ptr + size)`; true when it accepted the advice.
#[cfg(target_os = "linux")]
pub fn advise(ptr: *mut u8, size: usize) -> bool {
    // SAFETY: the range is inside one live allocation of this process; MADV_HUGEPAGE changes no contents
    unsafe { libc::madvise(ptr.cast(), size, libc::MADV_HUGEPAGE) == 0 }
}

#[cfg(not(target_os = "linux"))]
pub fn advise(_ptr: *mut u8, _size: usize) -> bool {
    false // other systems have their own large-page mechanisms; nothing is asked
}

/// The kernel's transparent huge page setting, as `/sys/kernel/mm/transparent_hugepage/enabled` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThpMode {
    /// Every large enough anonymous mapping may get huge pages, advised or not.
    Always,
    /// Only ranges advised with `madvise(MADV_HUGEPAGE)` get them: NumPy's advice (and this allocator's) matters.
    Madvise,
    /// None: the advice changes nothing.
    Never,
}

impl ThpMode {
    /// The mode the kernel reports, or `None` where there is no such file (not Linux, or THP not built in).
    pub fn current() -> Option<ThpMode> {
        ThpMode::parse(&std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled").ok()?)
    }
    /// Reads the file's one line, `always [madvise] never`: the bracketed word is the mode in force.
    pub fn parse(line: &str) -> Option<ThpMode> {
        let chosen = line.split_whitespace().find(|w| w.starts_with('['))?.trim_matches(['[', ']']);
        match chosen {
            "always" => Some(ThpMode::Always),
            "madvise" => Some(ThpMode::Madvise),
            "never" => Some(ThpMode::Never),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            ThpMode::Always => "always",
            ThpMode::Madvise => "madvise",
            ThpMode::Never => "never",
        }
    }
}

// SAFETY: every call is delegated to `inner` with the caller's own layout; the advice only tells the kernel
// how to back pages of a block already allocated.
unsafe impl<A: GlobalAlloc> GlobalAlloc for HugePages<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { self.inner.alloc(layout) };
        self.advise_large(ptr, layout.size());
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.size() < THRESHOLD || !self.is_enabled() {
            return unsafe { self.inner.alloc_zeroed(layout) };
        }
        // advise first, then zero: the zeroing is the first touch, so it already lands in huge pages
        // (calloc may hand out fresh zero pages untouched, and the advice would come after nothing)
        let ptr = unsafe { self.alloc(layout) };
        if !ptr.is_null() {
            unsafe { ptr.write_bytes(0, layout.size()) };
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { self.inner.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { self.inner.realloc(ptr, layout, new_size) };
        if new_size > layout.size() {
            self.advise_large(new, new_size); // grown: the new part is not touched yet
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
    use std::sync::Mutex;

    /// The system allocator, recording every layout it is handed.
    struct Recording(Mutex<Vec<(&'static str, usize, usize)>>);

    unsafe impl GlobalAlloc for Recording {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            self.0.lock().unwrap().push(("alloc", layout.size(), layout.align()));
            unsafe { System.alloc(layout) }
        }
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            self.0.lock().unwrap().push(("alloc_zeroed", layout.size(), layout.align()));
            unsafe { System.alloc_zeroed(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            self.0.lock().unwrap().push(("dealloc", layout.size(), layout.align()));
            unsafe { System.dealloc(ptr, layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            self.0.lock().unwrap().push(("realloc", new_size, layout.align()));
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }

    /// Allocates, touches every page of and frees `size` bytes `rounds` times through `alloc`.
    fn churn(alloc: &dyn GlobalAlloc, size: usize, rounds: usize) {
        let layout = Layout::from_size_align(size, 8).unwrap();
        for _ in 0..rounds {
            unsafe {
                let p = alloc.alloc(layout);
                assert!(!p.is_null());
                for page in (0..size).step_by(SMALL_PAGE) {
                    p.add(page).write_volatile(1);
                }
                alloc.dealloc(p, layout);
            }
        }
    }

    /// Page faults (minor) of the calling thread while `f` runs.
    #[cfg(target_os = "linux")]
    fn faults(f: impl FnOnce()) -> i64 {
        let now = || unsafe {
            let mut usage: libc::rusage = std::mem::zeroed();
            libc::getrusage(libc::RUSAGE_THREAD, &mut usage);
            usage.ru_minflt
        };
        let before = now();
        f();
        now() - before
    }

    #[test]
    fn off_it_hands_the_inner_allocator_exactly_what_it_was_asked() {
        let alloc = HugePages::new(Recording(Mutex::new(Vec::new())));
        churn(&alloc, 32 << 20, 2);
        unsafe {
            let small = Layout::from_size_align(100, 8).unwrap();
            let p = alloc.alloc_zeroed(Layout::from_size_align(THRESHOLD, 8).unwrap());
            let q = alloc.realloc(p, Layout::from_size_align(THRESHOLD, 8).unwrap(), 3 * THRESHOLD);
            alloc.dealloc(q, Layout::from_size_align(3 * THRESHOLD, 8).unwrap());
            alloc.dealloc(alloc.alloc(small), small);
        }
        let calls = alloc.inner.0.lock().unwrap().clone();
        let m = 32 << 20;
        let want = [("alloc", m, 8), ("dealloc", m, 8), ("alloc", m, 8), ("dealloc", m, 8), ("alloc_zeroed", THRESHOLD, 8), ("realloc", 3 * THRESHOLD, 8), ("dealloc", 3 * THRESHOLD, 8), ("alloc", 100, 8), ("dealloc", 100, 8)];
        assert_eq!(calls, want, "no alignment, no other layout, no other call");
        assert_eq!(alloc.advised_bytes(), 0);
    }

    #[test]
    fn on_it_advises_large_blocks_from_their_first_page_boundary_and_keeps_layouts() {
        let alloc = HugePages::new(Recording(Mutex::new(Vec::new())));
        alloc.enable(true);
        let large = Layout::from_size_align(8 << 20, 4).unwrap();
        let small = Layout::from_size_align(1000, 8).unwrap();
        unsafe {
            let p = alloc.alloc(large);
            p.write_bytes(7, large.size());
            assert_eq!(*p.add(large.size() - 1), 7);
            let offset = p.align_offset(SMALL_PAGE);
            alloc.dealloc(p, large);
            alloc.dealloc(alloc.alloc(small), small);
            if cfg!(target_os = "linux") && ThpMode::current().is_some() {
                assert_eq!(alloc.advised_bytes(), large.size() - offset, "only the large block, from its first page boundary");
            }
        }
        let calls = alloc.inner.0.lock().unwrap().clone();
        assert_eq!(calls, [("alloc", 8 << 20, 4), ("dealloc", 8 << 20, 4), ("alloc", 1000, 8), ("dealloc", 1000, 8)]);
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
                layout = Layout::from_size_align(size, 8).unwrap();
            }
            alloc.dealloc(p, layout);
        }
    }

    #[test]
    fn thp_modes_are_read_as_the_kernel_writes_them() {
        assert_eq!(ThpMode::parse("always [madvise] never\n"), Some(ThpMode::Madvise));
        assert_eq!(ThpMode::parse("[always] madvise never"), Some(ThpMode::Always));
        assert_eq!(ThpMode::parse("always madvise [never]"), Some(ThpMode::Never));
        assert_eq!(ThpMode::parse("always madvise never"), None);
        if cfg!(target_os = "linux") && std::path::Path::new("/sys/kernel/mm/transparent_hugepage/enabled").exists() {
            assert!(ThpMode::current().is_some(), "this kernel's file is readable");
        }
    }

    /// The measured side of the two tests above: a repeated 32 MB allocation (the size of Lab 1.2.5's distance
    /// matrix) costs with the policy off what it costs with the system allocator (glibc reuses the freed block:
    /// no fresh pages after the first round), and a 64 MiB block, which glibc always maps fresh, takes far fewer
    /// faults with the policy on where the kernel grants huge pages.
    #[test]
    #[cfg(target_os = "linux")]
    fn faults_off_are_the_system_allocators_and_fewer_on() {
        let off = HugePages::new(System);
        let (mut system, mut policy_off) = (0, 0);
        for _ in 0..3 {
            system += faults(|| churn(&System, 32_000_000, 4));
            policy_off += faults(|| churn(&off, 32_000_000, 4));
        }
        let one_round = (32_000_000 / SMALL_PAGE) as i64;
        assert!(policy_off <= system + system / 10 + 200, "policy off: {policy_off} faults, system allocator: {system}");
        assert!(policy_off < 3 * one_round, "a fresh mapping per call would take {} faults; got {policy_off}", 12 * one_round);
        let on = HugePages::new(System);
        on.enable(true);
        let fresh_system = faults(|| churn(&System, 64 << 20, 3));
        let fresh_on = faults(|| churn(&on, 64 << 20, 3));
        if ThpMode::current() == Some(ThpMode::Madvise) { // (with "always", the system allocator gets them too)
            assert!(fresh_on * 4 < fresh_system, "huge pages advised: {fresh_on} faults, system allocator: {fresh_system}");
        }
    }
}
