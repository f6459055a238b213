//! Turns every ```rust block of the chapter's pages into a test (run by `tests/skeptic.rs`).
const PAGES: &str = "../../src/primer/";

fn main() {
    skeptic::generate_doc_tests(&skeptic::markdown_files_of_directory(PAGES));
    // the whole folder, so that a new page is turned into tests too (skeptic names only the pages it found)
    println!("cargo:rerun-if-changed={PAGES}");
}
