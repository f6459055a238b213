//! Lab 1.2.3's dashboard on the Rust side: the trained model's results are written to a JSON file once, and
//! both languages draw the dashboard from that file (`python/lab_1_2_3.py`), rendering only.

use crate::lab_1_2_1::time;
use crate::{ChecksumTolerance, Sample};
use std::path::{Path, PathBuf};
use visualization::dashboard::{DashboardData, dashboard_svg};
use visualization::lab_1_2_3::{SIZE, lab_results};

/// The Python script of this lab, relative to this crate.
pub const SCRIPT: &str = "python/lab_1_2_3.py";

/// The workloads: name in the protocol, title in the book, checksum tolerance.
pub const WORKLOADS: [(&str, &str, ChecksumTolerance); 1] = [
    // a digest of the same numbers, read from the same JSON: equal up to summation order
    ("dashboard", "Drawing the 2x2 dashboard to SVG (1100 x 820 px), model already trained", ChecksumTolerance { rtol: 1e-12, atol: 1e-9 }),
];

/// Trains the lab's model and writes its DashboardData as JSON into `dir`; returns the file.
pub fn prepare(dir: &Path) -> Result<PathBuf, String> {
    let results = lab_results().map_err(|e| e.to_string())?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join("lab-1-2-3-dashboard.json");
    let json = serde_json::to_string(&results.dashboard).map_err(|e| e.to_string())?;
    std::fs::write(&path, json).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

/// Reads the JSON the Python script reads.
pub fn load(path: &Path) -> Result<DashboardData, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The script's digest of the numbers drawn.
pub fn checksum(d: &DashboardData) -> f64 {
    let sum = |v: &[f64]| v.iter().sum::<f64>();
    sum(&d.train_loss)
        + 2.0 * sum(&d.val_loss)
        + 3.0 * d.confusion.iter().flatten().sum::<u64>() as f64
        + 4.0 * d.importance.iter().map(|i| i.mean + i.std).sum::<f64>()
        + 5.0 * sum(&d.confidence)
        + 6.0 * d.predicted.iter().sum::<usize>() as f64
}

/// One round of the Rust side on the JSON at `data`.
pub fn rust_samples(data: &Path, runs: usize, emit: &mut dyn FnMut(Sample)) -> Result<(), String> {
    let dashboard = load(data)?;
    let digest = checksum(&dashboard);
    let check = |out: &Result<String, visualization::dashboard::DashboardError>| if out.is_ok() { digest } else { f64::NAN };
    time("dashboard", "plotters `SVGBackend`", runs, || dashboard_svg(&dashboard, SIZE), check, emit);
    Ok(())
}
