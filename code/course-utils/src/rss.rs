//! What a process's resident memory is made of, sampled while it runs: its own (anonymous) pages, and the
//! pages of files it has mapped into memory. GNU time's maximum RSS counts both; a memory-mapped Parquet file
//! read once shows up there, although the kernel can drop those pages whenever it needs the memory.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// The largest values seen, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Peaks {
    /// the process's own memory: heap, stacks (`RssAnon`)
    pub anonymous: u64,
    /// pages of mapped files (`RssFile`)
    pub file: u64,
}

impl Peaks {
    /// The line a measured program prints for its parent to read back with [`Peaks::parse`].
    pub fn to_line(self) -> String {
        format!("peak-rss anonymous={} file={}", self.anonymous, self.file)
    }

    /// Reads the line of [`Peaks::to_line`] from a program's output.
    pub fn parse(output: &str) -> Option<Peaks> {
        let line = output.lines().rev().find_map(|l| l.strip_prefix("peak-rss "))?;
        let field = |name: &str| line.split_whitespace().find_map(|f| f.strip_prefix(name)?.strip_prefix('=')?.parse().ok());
        Some(Peaks { anonymous: field("anonymous")?, file: field("file")? })
    }
}

/// Reads `RssAnon` and `RssFile` from `/proc/self/status` (Linux); `None` elsewhere.
pub fn current() -> Option<Peaks> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib = |key: &str| status.lines().find_map(|l| l.strip_prefix(key)?.split_whitespace().next()?.parse::<u64>().ok());
    Some(Peaks { anonymous: kib("RssAnon:")? * 1024, file: kib("RssFile:")? * 1024 })
}

/// A thread that samples [`current`] every `interval` until stopped. A peak shorter than the interval can be
/// missed; GNU time's maximum RSS, counted by the kernel, misses none.
pub struct Sampler {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Peaks>,
}

impl Sampler {
    pub fn start(interval: Duration) -> Sampler {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut peaks = Peaks::default();
            loop {
                if let Some(now) = current() {
                    peaks = Peaks { anonymous: peaks.anonymous.max(now.anonymous), file: peaks.file.max(now.file) };
                }
                if flag.load(Ordering::Relaxed) {
                    return peaks;
                }
                std::thread::sleep(interval);
            }
        });
        Sampler { stop, thread }
    }

    /// The peaks seen since `start` (one last sample included).
    pub fn stop(self) -> Peaks {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_round_trips_and_bad_lines_are_refused() {
        let p = Peaks { anonymous: 123, file: 45 };
        assert_eq!(Peaks::parse(&format!("other output\n{}\n", p.to_line())), Some(p));
        for bad in ["", "peak-rss anonymous=1", "peak-rss anonymous=x file=2", "rss anonymous=1 file=2"] {
            assert_eq!(Peaks::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn memory_written_by_the_process_is_anonymous() {
        // other tests of this process allocate and free at the same time: compare with the block's size alone
        let sampler = Sampler::start(Duration::from_millis(1));
        let block = vec![1u8; 256 << 20]; // written, so its pages are resident
        std::thread::sleep(Duration::from_millis(50));
        let peaks = sampler.stop();
        assert!(peaks.anonymous >= 256 << 20, "{peaks:?}");
        assert_eq!(block.iter().map(|&b| b as u64).sum::<u64>(), 256 << 20);
    }
}
