//! What fresh memory costs on this machine: the probe behind the page-fault rows of the side-by-side tables.
//! A result written into memory the process has not touched yet pays a page fault per page (the kernel
//! zeroes each page first); with 2 MiB huge pages there are 512 times fewer faults. How much that costs
//! differs between machines (CPU, hypervisor), which is why a ratio with fresh outputs can change sign
//! between machines while the ratio with kept outputs does not.

use course_utils::table::{Align, Table, format_duration};
use std::time::{Duration, Instant};

/// The size of Lab 1.2.5's distance matrix at N = 2000, f64.
pub const BYTES: usize = 32_000_000;

/// Median time to write `BYTES` bytes (one f64 per 8 bytes) into a mapping that is fresh each time, with or
/// without huge pages advised, or into one that is kept (already touched).
fn write_time(fresh: bool, huge: bool, runs: usize) -> Option<Duration> {
    let map = || {
        // SAFETY: a private anonymous mapping of BYTES bytes, checked for failure
        let p = unsafe { libc::mmap(std::ptr::null_mut(), BYTES, libc::PROT_READ | libc::PROT_WRITE, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, -1, 0) };
        if p == libc::MAP_FAILED {
            return None;
        }
        // SAFETY: the range is the mapping just made; advice changes no contents
        if huge && unsafe { libc::madvise(p, BYTES, libc::MADV_HUGEPAGE) } != 0 {
            unsafe { libc::munmap(p, BYTES) };
            return None;
        }
        Some(p.cast::<f64>())
    };
    let unmap = |p: *mut f64| unsafe { libc::munmap(p.cast(), BYTES) };
    let write = |p: *mut f64| {
        // SAFETY: p is a live mapping of BYTES bytes
        let out = unsafe { std::slice::from_raw_parts_mut(p, BYTES / 8) };
        out.iter_mut().enumerate().for_each(|(i, v)| *v = i as f64);
        std::hint::black_box(out[out.len() - 1]);
    };
    let kept = if fresh { None } else { Some(map()?) };
    if let Some(p) = kept {
        write(p); // touched once: later writes find every page there
    }
    let mut times = Vec::new();
    for _ in 0..runs {
        let p = match kept {
            Some(p) => p,
            None => map()?,
        };
        let start = Instant::now();
        write(p);
        times.push(start.elapsed());
        if kept.is_none() {
            unmap(p);
        }
    }
    if let Some(p) = kept {
        unmap(p);
    }
    times.sort();
    Some(times[times.len() / 2])
}

/// The probe as a markdown table: kept memory, fresh 4 KiB pages, fresh huge pages.
pub fn table(runs: usize) -> String {
    let mut t = Table::new(["writing 32 MB of f64 into", "median", "vs kept memory"]);
    t.align(0, Align::Left);
    let kept = write_time(false, false, runs);
    for (what, time) in [
        ("memory already touched (a kept output)", kept),
        ("fresh memory, 4 KiB pages (a fault per page)", write_time(true, false, runs)),
        ("fresh memory, 2 MiB huge pages advised (NumPy's policy)", write_time(true, true, runs)),
    ] {
        let ratio = match (time, kept) {
            (Some(t), Some(k)) => course_utils::table::format_ratio(t.as_secs_f64() / k.as_secs_f64()),
            _ => "-".into(),
        };
        t.push([what.to_string(), time.map_or("not available".into(), format_duration), ratio]);
    }
    t.to_markdown()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_probe_measures_all_three() {
        let table = super::table(1);
        assert_eq!(table.lines().count(), 5, "{table}");
        assert!(table.contains("kept output") && table.contains("4 KiB pages") && table.contains("huge pages"), "{table}");
    }
}
