//! The course's quizzes. Each topic page ends with a few questions, kept as data beside its chapter's code
//! (`code/<crate>/quizzes/<page>.toml`). This crate reads and checks them, renders them to the HTML the page
//! includes (`cargo xtask quizzes` writes `figures/quiz/<chapter>/<page>.html`; `src/theme/quiz.js` makes
//! the choices answer), and lets the chapter's tests read the correct answer of a question whose answer is a
//! number or a printed value, so that the tests compute it rather than trust the text.
//!
//! ```toml
//! [[question]]
//! id = "broadcast-shape"   # unique in the file
//! prompt = "What is the shape of `&a + &b`?"
//! code = "broadcast_shape" # optional: an anchored region of the crate's src/quiz.rs, shown under the prompt
//! computed = true          # optional: a test of src/quiz.rs asserts the correct answer
//!
//! [[question.choice]]
//! answer = "`[3, 4]`"
//! correct = true
//! why = "Shapes line up from the right..."
//!
//! [[question.choice]]
//! answer = "`[4, 3]`"
//! why = "..."
//! ```

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Questions a quiz may have, and choices a question may have.
pub const QUESTIONS: std::ops::RangeInclusive<usize> = 3..=6;
pub const CHOICES: std::ops::RangeInclusive<usize> = 2..=5;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Quiz {
    #[serde(rename = "question")]
    pub questions: Vec<Question>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    /// Markdown.
    pub prompt: String,
    /// The anchor of the code shown under the prompt, in the chapter crate's `src/quiz.rs`.
    #[serde(default)]
    pub code: Option<String>,
    /// The correct answer is computed by a test (`correct(...)` names this question there).
    #[serde(default)]
    pub computed: bool,
    #[serde(rename = "choice")]
    pub choices: Vec<Choice>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// Markdown, one line.
    pub answer: String,
    #[serde(default)]
    pub correct: bool,
    /// Why this choice is right, or what is wrong with it. Markdown.
    pub why: String,
}

#[derive(Debug, thiserror::Error)]
pub enum QuizError {
    #[error("{path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: not a quiz: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{path}: {}", problems.join("; "))]
    Invalid { path: PathBuf, problems: Vec<String> },
    #[error("{path}: no question `{id}`")]
    NoQuestion { path: PathBuf, id: String },
    #[error("{path}: question `{id}` has no code `{anchor}` in src/quiz.rs")]
    NoCode { path: PathBuf, id: String, anchor: String },
}

/// Parses a quiz and checks it (see [`Quiz::problems`]).
pub fn parse(text: &str, path: &Path) -> Result<Quiz, QuizError> {
    let quiz: Quiz = toml::from_str(text).map_err(|e| QuizError::Parse { path: path.to_owned(), message: e.to_string() })?;
    let problems = quiz.problems();
    if problems.is_empty() { Ok(quiz) } else { Err(QuizError::Invalid { path: path.to_owned(), problems }) }
}

/// Reads, parses and checks a quiz file.
pub fn load(path: &Path) -> Result<Quiz, QuizError> {
    let text = std::fs::read_to_string(path).map_err(|source| QuizError::Read { path: path.to_owned(), source })?;
    parse(&text, path)
}

/// The quiz file of a page: `<manifest_dir>/quizzes/<page>.toml`.
pub fn path(manifest_dir: &str, page: &str) -> PathBuf {
    Path::new(manifest_dir).join("quizzes").join(format!("{page}.toml"))
}

/// The `answer` text of the correct choice of question `id` on `page`, exactly as written, for a test to
/// compare with what the code computes: `assert_eq!(correct(env!("CARGO_MANIFEST_DIR"), "creation", "broadcast-shape")?, ...)`.
pub fn correct(manifest_dir: &str, page: &str, id: &str) -> Result<String, QuizError> {
    let path = path(manifest_dir, page);
    let quiz = load(&path)?;
    let question = quiz.questions.iter().find(|q| q.id == id).ok_or(QuizError::NoQuestion { path, id: id.to_owned() })?;
    Ok(question.choices.iter().find(|c| c.correct).map(|c| c.answer.clone()).unwrap_or_default())
}

fn is_kebab(id: &str) -> bool {
    !id.is_empty() && id.split('-').all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
}

impl Quiz {
    /// What breaks the quiz rules: 3 to 6 questions with unique kebab-case ids; each with a prompt and 2 to 5
    /// distinct choices, exactly one correct, every one with an explanation. No `$` (the book's math
    /// preprocessor would take it) and no blank line inside a text (it would end the page's HTML block).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !QUESTIONS.contains(&self.questions.len()) {
            out.push(format!("{} questions (a quiz has {} to {})", self.questions.len(), QUESTIONS.start(), QUESTIONS.end()));
        }
        let mut seen = std::collections::BTreeSet::new();
        for q in &self.questions {
            let at = &q.id;
            if !is_kebab(at) {
                out.push(format!("question id `{at}` is not kebab-case"));
            }
            if !seen.insert(at.as_str()) {
                out.push(format!("question id `{at}` is used twice"));
            }
            let correct = q.choices.iter().filter(|c| c.correct).count();
            if correct != 1 {
                out.push(format!("`{at}`: {correct} correct choices (exactly one must be)"));
            }
            if !CHOICES.contains(&q.choices.len()) {
                out.push(format!("`{at}`: {} choices (a question has {} to {})", q.choices.len(), CHOICES.start(), CHOICES.end()));
            }
            let mut answers = std::collections::BTreeSet::new();
            for c in &q.choices {
                if !answers.insert(c.answer.trim()) {
                    out.push(format!("`{at}`: the answer {:?} is offered twice", c.answer.trim()));
                }
            }
            let texts = std::iter::once(("prompt", &q.prompt))
                .chain(q.choices.iter().flat_map(|c| [("answer", &c.answer), ("why", &c.why)]));
            for (what, text) in texts {
                if text.trim().is_empty() {
                    out.push(format!("`{at}`: an empty {what}"));
                }
                if text.contains('$') {
                    out.push(format!("`{at}`: a `$` in a {what} (the math preprocessor would read it)"));
                }
                if text.trim().contains("\n\n") {
                    out.push(format!("`{at}`: a blank line in a {what}"));
                }
            }
            if q.choices.iter().any(|c| c.answer.trim().contains('\n')) {
                out.push(format!("`{at}`: an answer of more than one line"));
            }
        }
        out
    }

    /// The quiz as plain markdown, as the time budget reads it: the prompts, the code, the choices and every
    /// explanation (a reader who answers reads them all).
    pub fn plain(&self, code: &dyn Fn(&str) -> Option<String>) -> String {
        let mut s = String::new();
        for q in &self.questions {
            let _ = writeln!(s, "{}\n", q.prompt.trim());
            if let Some(text) = q.code.as_deref().and_then(code) {
                let _ = writeln!(s, "```rust\n{}```\n", text);
            }
            for c in &q.choices {
                let _ = writeln!(s, "{}: {}\n", c.answer.trim(), c.why.trim());
            }
        }
        s
    }

    /// The quiz as the HTML a page includes. `name` is the page (`arrays/creation`), `source` the quiz file as
    /// the header names it, `code` finds an anchored region of the chapter's `src/quiz.rs`.
    pub fn html(&self, name: &str, source: &str, code: &dyn Fn(&str) -> Option<String>) -> Result<String, QuizError> {
        let mut s = format!(
            "<!-- Generated by `cargo xtask quizzes` from {source}. Do not edit by hand. -->\n\
             <div class=\"quiz\" data-quiz=\"{name}\">\n"
        );
        let total = self.questions.len();
        for (i, q) in self.questions.iter().enumerate() {
            let id = format!("quiz-{}-{}", name.replace('/', "-"), q.id);
            let _ = writeln!(s, "<div class=\"quiz-question\" id=\"{id}\">");
            let _ = writeln!(s, "<p class=\"quiz-number\">Question {} of {total}</p>", i + 1);
            let _ = writeln!(s, "<div class=\"quiz-prompt\">{}</div>", markdown(&q.prompt));
            if let Some(anchor) = &q.code {
                let text = code(anchor).ok_or_else(|| QuizError::NoCode { path: source.into(), id: q.id.clone(), anchor: anchor.clone() })?;
                let _ = writeln!(s, "<pre><code class=\"language-rust\">{}</code></pre>", code_html(&text));
            }
            s.push_str("<ol class=\"quiz-choices\" type=\"A\">\n");
            for c in &q.choices {
                let _ = writeln!(
                    s,
                    "<li class=\"quiz-choice\" data-correct=\"{}\"><button type=\"button\">{}</button><div class=\"quiz-why\" hidden>{}</div></li>",
                    c.correct,
                    inline(&c.answer),
                    markdown(&c.why)
                );
            }
            s.push_str("</ol>\n<p class=\"quiz-verdict\" aria-live=\"polite\" hidden></p>\n</div>\n");
        }
        s.push_str("</div>\n");
        Ok(s)
    }
}

/// Markdown to HTML, with no blank line (the page's HTML block must not end inside it).
fn markdown(text: &str) -> String {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(text.trim()));
    html.lines().filter(|l| !l.trim().is_empty()).collect::<Vec<_>>().join("\n")
}

/// One line of markdown as inline HTML (the `<p>` around it taken off: it goes inside a button).
fn inline(text: &str) -> String {
    let html = markdown(text);
    html.strip_prefix("<p>").and_then(|h| h.strip_suffix("</p>")).unwrap_or(&html).to_owned()
}

/// Code, escaped, its lines kept; a blank line becomes an empty `<span></span>` so it stays in the HTML block.
fn code_html(text: &str) -> String {
    let mut out = String::new();
    for line in text.trim_end().lines() {
        let mut escaped = String::new();
        let _ = pulldown_cmark::escape::escape_html(&mut escaped, line);
        out.push_str(if escaped.trim().is_empty() { "<span></span>" } else { &escaped });
        out.push('\n');
    }
    out.trim_end_matches('\n').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[[question]]
id = "shape"
prompt = "What is the shape of `a + b`?"
code = "shape"
computed = true
[[question.choice]]
answer = "`[3, 4]`"
correct = true
why = "Right: *trailing* axes line up."
[[question.choice]]
answer = "`[4, 3]`"
why = "No: the axes line up from the right."

[[question]]
id = "view"
prompt = "Is `a.t()` a copy?"
[[question.choice]]
answer = "no"
correct = true
why = "It is a view with swapped strides."
[[question.choice]]
answer = "yes"
why = "Only `to_owned()` copies."

[[question]]
id = "layout"
prompt = "Which loop is faster?"
[[question.choice]]
answer = "rows"
correct = true
why = "Memory order."
[[question.choice]]
answer = "columns"
why = "Strided."
"#;

    fn quiz(text: &str) -> Result<Quiz, QuizError> {
        parse(text, Path::new("t.toml"))
    }

    fn problems(text: &str) -> Vec<String> {
        match quiz(text) {
            Err(QuizError::Invalid { problems, .. }) => problems,
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn a_good_quiz_parses() {
        let q = quiz(GOOD).unwrap();
        assert_eq!(q.questions.len(), 3);
        assert!(q.questions[0].computed);
        assert_eq!(q.questions[0].code.as_deref(), Some("shape"));
        assert!(q.questions[0].choices[0].correct && !q.questions[0].choices[1].correct);
    }

    #[test]
    fn each_rule_is_enforced() {
        let two_right = GOOD.replacen("answer = \"`[4, 3]`\"", "answer = \"`[4, 3]`\"\ncorrect = true", 1);
        assert!(problems(&two_right).iter().any(|p| p.contains("2 correct choices")));
        let none_right = GOOD.replacen("correct = true\nwhy = \"It is", "why = \"It is", 1);
        assert!(problems(&none_right).iter().any(|p| p.contains("`view`: 0 correct")));
        let twice = GOOD.replace("id = \"layout\"", "id = \"view\"");
        assert!(problems(&twice).iter().any(|p| p.contains("used twice")));
        let camel = GOOD.replace("id = \"layout\"", "id = \"Layout_1\"");
        assert!(problems(&camel).iter().any(|p| p.contains("not kebab-case")));
        let empty_why = GOOD.replace("why = \"Strided.\"", "why = \" \"");
        assert!(problems(&empty_why).iter().any(|p| p.contains("an empty why")));
        let dollar = GOOD.replace("Memory order.", "costs $5");
        assert!(problems(&dollar).iter().any(|p| p.contains("`$`")));
        let blank = GOOD.replace("\"Memory order.\"", "\"\"\"Memory\n\norder.\"\"\"");
        assert!(problems(&blank).iter().any(|p| p.contains("blank line")));
        let same = GOOD.replace("answer = \"columns\"", "answer = \"rows\"");
        assert!(problems(&same).iter().any(|p| p.contains("offered twice")));
        let short = GOOD.split("[[question]]\nid = \"layout\"").next().unwrap().to_owned();
        assert!(problems(&short).iter().any(|p| p.contains("2 questions")));
    }

    #[test]
    fn unknown_fields_and_bad_toml_are_parse_errors() {
        assert!(matches!(quiz(&GOOD.replace("computed = true", "computd = true")), Err(QuizError::Parse { .. })));
        assert!(matches!(quiz("[[question]\n"), Err(QuizError::Parse { .. })));
        assert!(matches!(quiz(&GOOD.replace("why = \"Strided.\"", "")), Err(QuizError::Parse { .. })));
    }

    #[test]
    fn correct_reads_the_right_choice_and_names_a_missing_question() {
        let dir = std::env::temp_dir().join(format!("course-quiz-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("quizzes")).unwrap();
        std::fs::write(dir.join("quizzes/page.toml"), GOOD).unwrap();
        let root = dir.to_str().unwrap();
        assert_eq!(correct(root, "page", "shape").unwrap(), "`[3, 4]`");
        assert_eq!(correct(root, "page", "layout").unwrap(), "rows");
        assert!(matches!(correct(root, "page", "nope"), Err(QuizError::NoQuestion { .. })));
        assert!(matches!(correct(root, "other", "shape"), Err(QuizError::Read { .. })));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn html_has_every_choice_its_explanation_and_no_blank_line() {
        let q = quiz(GOOD).unwrap();
        let code = |a: &str| (a == "shape").then(|| "let a = 1;\n\nlet b = a < 2 && true;\n".to_owned());
        let html = q.html("arrays/creation", "code/arrays/quizzes/creation.toml", &code).unwrap();
        assert!(!html.contains("\n\n"), "{html}");
        assert_eq!(html.matches("class=\"quiz-question\"").count(), 3);
        assert_eq!(html.matches("<li class=\"quiz-choice\"").count(), 6);
        assert_eq!(html.matches("data-correct=\"true\"").count(), 3);
        assert!(html.contains("id=\"quiz-arrays-creation-shape\""));
        assert!(html.contains("<button type=\"button\"><code>[3, 4]</code></button>"));
        assert!(html.contains("<p>Right: <em>trailing</em> axes line up.</p>"));
        assert!(html.contains("let a = 1;\n<span></span>\nlet b = a &lt; 2 &amp;&amp; true;</code></pre>"));
        let missing = |_: &str| None;
        assert!(matches!(q.html("a/b", "x", &missing), Err(QuizError::NoCode { .. })));
    }

    #[test]
    fn plain_text_holds_prompts_code_answers_and_explanations() {
        let q = quiz(GOOD).unwrap();
        let text = q.plain(&|_| Some("let a = 1;\n".to_owned()));
        for part in ["What is the shape", "```rust\nlet a = 1;\n```", "`[4, 3]`: No: the axes", "columns: Strided."] {
            assert!(text.contains(part), "{part} in {text}");
        }
    }
}
