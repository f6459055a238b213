//! Turns every ```rust block of the study and guidance pages into a test (run by `tests/skeptic.rs`).
fn main() {
    let mut pages = skeptic::markdown_files_of_directory("../../src/study/");
    pages.extend(skeptic::markdown_files_of_directory("../../src/guidance/"));
    pages.push("../../src/overview.md".into());
    skeptic::generate_doc_tests(&pages);
    // the whole folders, so that a new page is turned into tests too (skeptic names only the pages it found)
    println!("cargo:rerun-if-changed=../../src/study/");
    println!("cargo:rerun-if-changed=../../src/guidance/");
}
