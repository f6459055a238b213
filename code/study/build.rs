//! Turns every ```rust block of the study and guidance pages into a test (run by `tests/skeptic.rs`).
const FOLDERS: [&str; 2] = ["../../src/study/", "../../src/guidance/"];

fn main() {
    let mut pages: Vec<_> = FOLDERS.iter().flat_map(|f| skeptic::markdown_files_of_directory(f)).collect();
    pages.push("../../src/overview.md".into());
    skeptic::generate_doc_tests(&pages);
    // the whole folders, so that a new page is turned into tests too (skeptic names only the pages it found)
    for folder in FOLDERS {
        println!("cargo:rerun-if-changed={folder}");
    }
}
