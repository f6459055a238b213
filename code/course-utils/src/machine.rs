//! The stamp every measured table carries: which CPU, how many cores, which compiler, which day.

use std::fmt;
use std::time::SystemTime;

/// The machine a measurement was made on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Machine {
    /// CPU model as the OS names it, e.g. `AMD EPYC 9R45`
    pub cpu: String,
    /// logical cores this process may use
    pub cores: usize,
    /// operating system and architecture, e.g. `linux x86_64`
    pub os: String,
    /// the compiler that built the measuring code, e.g. `rustc 1.95.0 (59807616e 2026-04-14)`
    pub rustc: String,
    /// day of the measurement, UTC, `YYYY-MM-DD`
    pub date: String,
}

impl Machine {
    /// The machine this code runs on, now.
    pub fn current() -> Machine {
        Machine {
            cpu: cpu_model().unwrap_or_else(|| format!("unknown {} CPU", std::env::consts::ARCH)),
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
            rustc: env!("COURSE_RUSTC_VERSION").to_owned(),
            date: humantime::format_rfc3339_seconds(SystemTime::now()).to_string()[..10].to_owned(),
        }
    }
}

impl fmt::Display for Machine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Measured on {}, {} cores, {}, {}, {}.", self.cpu, self.cores, self.os, self.rustc, self.date)
    }
}

/// The CPU model from `/proc/cpuinfo` (Linux); `None` elsewhere.
fn cpu_model() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    info.lines()
        .filter_map(|l| l.split_once(':'))
        // x86 says "model name"; many ARM kernels only give "Hardware" or "CPU part"
        .find(|(k, _)| matches!(k.trim(), "model name" | "Hardware" | "Model"))
        .map(|(_, v)| v.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stamp_names_cpu_cores_compiler_and_day() {
        let m = Machine::current();
        assert!(m.cores >= 1);
        assert!(m.rustc.starts_with("rustc "), "{}", m.rustc);
        let d = m.date.as_bytes();
        assert!(d.len() == 10 && d[4] == b'-' && d[7] == b'-' && m.date.starts_with("20"), "{}", m.date);
        let text = m.to_string();
        assert!(text.starts_with("Measured on ") && text.contains(&m.cpu) && text.contains(&m.rustc), "{text}");
        if cfg!(target_os = "linux") && cfg!(target_arch = "x86_64") {
            assert!(!m.cpu.starts_with("unknown"), "x86 Linux always has a model name");
        }
    }
}
