//! Regenerates the chapter's figures into `figures/visualization/`.
//! Run through `cargo xtask figures` (release mode), or: `cargo run --release -p visualization --example visualization-figures -- figures`
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "figures".into()));
    visualization::figures::run(&out)
}
