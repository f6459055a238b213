//! Lab 1.2.2, step 1: get the data. Downloads the Palmer penguins (checksummed, cached under
//! `target/data-cache/`), or uses the bundled copy when the download does not give a verified file.
//! Run: `cargo run -p dataframes --example download`.
//! In your own project it needs the course's `dataframes` crate (a path dependency: see the README).
use dataframes::datasets::{PENGUINS_URL, Source, penguins_download_or_bundled};
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cache = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/data-cache");
    let (df, source) = penguins_download_or_bundled(PENGUINS_URL, &cache)?;
    match source {
        Source::Downloaded(path) => println!("verified download: {}", path.display()),
        Source::Bundled(why) => println!("using the bundled copy ({why})"),
    }
    println!("{df}");
    Ok(())
}
