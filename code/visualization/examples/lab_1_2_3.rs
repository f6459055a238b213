//! Lab 1.2.3: `cargo run --release -p visualization --example lab-1-2-3`
//! Trains the penguins MLP, prints its results and the render timing, and writes the dashboard to
//! `target/lab-1-2-3/lab-1-2-3-dashboard.svg` (open it in a browser).
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    course_utils::progress::announce("lab-1-2-3");
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/lab-1-2-3");
    visualization::lab_1_2_3::run(Some(&out))
}
