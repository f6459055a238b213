//! The quizzes that end each topic page and the primer. A quiz is data beside its chapter's code,
//! `code/<crate>/quizzes/<page>.toml` (rules and format: the `course-quiz` crate); the code a question shows is an
//! anchored region of `code/<crate>/src/quiz.rs`, whose tests also compute the answers that are numbers or
//! printed values. `cargo xtask quizzes` renders each quiz into `figures/quiz/<crate>/<page>.html`, which the page
//! includes; `src/theme/quiz.js` lets the reader answer. The test command checks every quiz against the rules,
//! that its HTML is current, that every page that needs a quiz includes its own, and that a test names every
//! `computed` question.

use std::fs;
use std::path::{Path, PathBuf};

use crate::budget::{self, BookPage, Track};

/// One quiz file, read and checked.
pub struct Found {
    /// the companion crate's folder under `code/`, which is also the chapter's folder under `src/`
    pub chapter: String,
    /// the page's file stem: `creation` for `src/arrays/creation.md`
    pub stem: String,
    pub quiz: course_quiz::Quiz,
    /// `code/<crate>/src/quiz.rs`, or empty
    pub code_source: String,
}

impl Found {
    /// Reads and checks `<crate_dir>/quizzes/<stem>.toml`, with the crate's `src/quiz.rs` for its code.
    fn read(crate_dir: &Path, stem: &str) -> Result<Found, String> {
        let quiz = course_quiz::load(&crate_dir.join("quizzes").join(format!("{stem}.toml"))).map_err(|e| e.to_string())?;
        let chapter = crate_dir.file_name().unwrap_or_default().to_string_lossy().into_owned();
        let code_source = fs::read_to_string(crate_dir.join("src/quiz.rs")).unwrap_or_default();
        Ok(Found { chapter, stem: stem.to_owned(), quiz, code_source })
    }
    /// `arrays/creation`
    pub fn name(&self) -> String {
        format!("{}/{}", self.chapter, self.stem)
    }
    /// Where its HTML goes, under `figures/`.
    pub fn html_file(&self) -> String {
        format!("quiz/{}.html", self.name())
    }
    pub fn toml_file(&self) -> String {
        format!("code/{}/quizzes/{}.toml", self.chapter, self.stem)
    }
    fn code(&self, anchor: &str) -> Option<String> {
        budget::anchored(&self.code_source, anchor).map(|c| dedent(&c))
    }
    pub fn html(&self) -> Result<String, String> {
        self.quiz.html(&self.name(), &self.toml_file(), &|a| self.code(a)).map_err(|e| e.to_string())
    }
    /// The quiz as the time budget reads it.
    pub fn plain(&self) -> String {
        self.quiz.plain(&|a| self.code(a))
    }
}

/// Code lines with their common indentation taken off (they sit inside a test function).
fn dedent(code: &str) -> String {
    let indent = code.lines().filter(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start().len()).min().unwrap_or(0);
    code.lines().map(|l| l.get(indent..).unwrap_or("").trim_end()).collect::<Vec<_>>().join("\n") + "\n"
}

/// Every quiz of the course, in the order of their paths.
pub fn find(root: &Path) -> Result<Vec<Found>, String> {
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in fs::read_dir(root.join("code")).map_err(|e| format!("code/: {e}"))?.flatten() {
        let Ok(quizzes) = fs::read_dir(entry.path().join("quizzes")) else { continue };
        files.extend(quizzes.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "toml")));
    }
    files.sort();
    files
        .into_iter()
        .map(|toml| {
            let crate_dir = toml.parent().and_then(Path::parent).ok_or("a quiz outside a crate")?;
            Found::read(crate_dir, &toml.file_stem().unwrap_or_default().to_string_lossy())
        })
        .collect()
}

/// The quiz an include of `figures/quiz/<chapter>/<stem>.html` shows, as plain markdown for the budget, with a
/// marker line before each question (the budget adds thinking time per question). `file` is the included path.
pub fn plain_for_include(file: &Path) -> Option<Result<String, String>> {
    let stem = file.file_stem()?.to_str()?;
    let chapter_dir = file.parent()?;
    let chapter = chapter_dir.file_name()?.to_str()?;
    if chapter_dir.parent()?.file_name()? != "quiz" || file.extension()? != "html" {
        return None;
    }
    let root = chapter_dir.parent()?.parent()?.parent()?; // figures/quiz/<chapter>/ -> the repository
    Some(Found::read(&root.join("code").join(chapter), stem).map(|found| {
        let markers: String = found.quiz.questions.iter().map(|_| format!("{}\n", budget::QUESTION_MARKER)).collect();
        markers + &found.plain()
    }))
}

/// The pages that must end with a quiz: every topic page (the Topics part's pages other than a chapter's
/// overview, its labs and the optional pages) and the primer (one quiz, on one of its pages).
pub fn pages_needing_one(pages: &[BookPage]) -> Vec<&BookPage> {
    pages
        .iter()
        .filter(|p| p.part == "Topics" && budget::track_of(&p.file, &p.title, &p.part) == Track::Core)
        .filter(|p| !p.file.ends_with("/index.md") && !p.title.starts_with("Lab "))
        .collect()
}

/// What is wrong with the quizzes as committed: a page without its quiz, a stale or missing HTML file, a
/// computed answer no test checks, a question's code that is missing.
pub fn problems(root: &Path) -> Result<Vec<String>, String> {
    let quizzes = find(root)?;
    let pages = budget::book_pages(root)?;
    let mut out = Vec::new();
    for found in &quizzes {
        let html = found.html()?;
        let committed = fs::read_to_string(root.join("figures").join(found.html_file())).unwrap_or_default();
        if committed != html {
            out.push(format!("figures/{} is not what {} renders to (run `cargo xtask quizzes`)", found.html_file(), found.toml_file()));
        }
        for q in found.quiz.questions.iter().filter(|q| q.computed) {
            let call = format!("\"{}\", \"{}\")", found.stem, q.id);
            if !found.code_source.contains(&call) {
                out.push(format!("{}: `{}` is computed, but no test in code/{}/src/quiz.rs calls `correct(.., {call}`", found.toml_file(), q.id, found.chapter));
            }
        }
    }
    let includes = |page: &BookPage, html: &str| page.text.contains(&format!("figures/{html}}}}}"));
    for page in pages_needing_one(&pages) {
        let stem = page.file.trim_end_matches(".md").rsplit('/').next().unwrap_or_default().to_owned();
        let chapter = page.file.split('/').next().unwrap_or_default();
        let want = format!("quiz/{chapter}/{stem}.html");
        if !quizzes.iter().any(|q| q.html_file() == want) {
            out.push(format!("src/{} has no quiz: write code/{chapter}/quizzes/{stem}.toml", page.file));
        } else if !includes(page, &want) {
            out.push(format!("src/{} does not include figures/{want}", page.file));
        }
    }
    let primer = pages.iter().filter(|p| budget::track_of(&p.file, &p.title, &p.part) == Track::Primer);
    if !primer.clone().any(|p| p.text.contains("figures/quiz/primer/")) {
        out.push("no page of the primer includes a quiz of figures/quiz/primer/".to_owned());
    }
    for found in &quizzes {
        let shown = pages.iter().any(|p| includes(p, &found.html_file()));
        if !shown {
            out.push(format!("{} is on no page (include figures/{})", found.toml_file(), found.html_file()));
        }
    }
    Ok(out)
}

/// `cargo xtask quizzes`: renders every quiz. Returns the files written.
pub fn write_all(root: &Path, write: &dyn Fn(&Path, &str) -> Result<(), String>) -> Result<Vec<String>, String> {
    let mut written = Vec::new();
    for found in find(root)? {
        let path = root.join("figures").join(found.html_file());
        fs::create_dir_all(path.parent().unwrap_or(root)).map_err(|e| e.to_string())?;
        write(&path, &found.html()?)?;
        written.push(format!("figures/{}", found.html_file()));
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedent_keeps_relative_indentation_and_blank_lines() {
        assert_eq!(dedent("        let a = 1;\n\n        if a > 0 {\n            b();\n        }\n"), "let a = 1;\n\nif a > 0 {\n    b();\n}\n");
    }

    #[test]
    fn topic_pages_need_a_quiz_labs_overviews_and_optional_pages_do_not() {
        let page = |file: &str, title: &str, part: &str| BookPage {
            file: file.to_owned(),
            title: title.to_owned(),
            part: part.to_owned(),
            text: String::new(),
            dir: PathBuf::new(),
        };
        let pages = [
            page("arrays/index.md", "Arrays with ndarray", "Topics"),
            page("arrays/creation.md", "Creation", "Topics"),
            page("arrays/deeper.md", "Going deeper: arrays", "Topics"),
            page("arrays/lab-1-2-1-broadcasting.md", "Lab 1.2.1: Broadcasting", "Topics"),
            page("study/glossary.md", "Glossary", "Study materials"),
        ];
        let need: Vec<&str> = pages_needing_one(&pages).iter().map(|p| p.file.as_str()).collect();
        assert_eq!(need, ["arrays/creation.md"]);
    }
}
