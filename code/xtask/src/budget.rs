//! The time budget: each page's minutes computed from what it holds, not guessed.
//!
//! A page is read with its `{{#include}}`s expanded (an included table counts as table, an included listing as
//! code), and split into prose words, table-cell words, visible code lines and figures; a lab's exercises come
//! from its exercise crate's marked solutions. The rates turn those into minutes. The book's SUMMARY.md says
//! which path a page is on: the primer (its own part), optional ("Going deeper" pages) or the core path.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use crate::exercises::{self, Lab};
use crate::snippets;

/// The rates, stated on the page that shows the budget.
pub const PROSE_WORDS_PER_MINUTE: f64 = 175.0;
pub const TABLE_WORDS_PER_MINUTE: f64 = 100.0;
pub const CODE_LINES_PER_MINUTE: f64 = 7.0;
pub const MINUTES_PER_FIGURE: f64 = 1.0;
pub const MINUTES_PER_EXERCISE: f64 = 5.0;
pub const MINUTES_PER_SOLUTION_LINE: f64 = 1.0;
/// A quiz question: its words (prompt, choices and every explanation) count as prose and its code as code;
/// this is the time to think before answering.
pub const MINUTES_PER_QUESTION: f64 = 0.5;

/// The line the budget reads a quiz include as, once per question (see `quizzes::plain_for_include`).
pub const QUESTION_MARKER: &str = "<!-- quiz question -->";

/// The module's own budget for the core path, and the primer's.
pub const CORE_LIMIT_MINUTES: f64 = 600.0;
pub const PRIMER_LIMIT_MINUTES: f64 = 120.0;

/// The lines around a topic page's optional practice (an exercise, its hint and its folded solution): its time
/// is counted apart from the page's path, as optional practice.
pub const PRACTICE_START: &str = "<!-- practice (optional) -->";
pub const PRACTICE_END: &str = "<!-- end of practice -->";

/// The generated files: the table of every page, the line each page shows under its title, the schedule.
pub const TABLE: &str = "study/budget.md";
pub const PAGE_TIMES: &str = "study/page-times.md";
pub const SCHEDULE: &str = "study/schedule.md";

/// What one page holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Content {
    pub prose_words: usize,
    pub table_words: usize,
    pub code_lines: usize,
    pub figures: usize,
    /// quiz questions
    pub questions: usize,
    /// (exercise name, lines of its solution)
    pub exercises: Vec<(String, usize)>,
}

impl Content {
    pub fn reading_minutes(&self) -> f64 {
        self.prose_words as f64 / PROSE_WORDS_PER_MINUTE
            + self.table_words as f64 / TABLE_WORDS_PER_MINUTE
            + self.code_lines as f64 / CODE_LINES_PER_MINUTE
            + self.figures as f64 * MINUTES_PER_FIGURE
            + self.questions as f64 * MINUTES_PER_QUESTION
    }
    pub fn exercise_minutes(&self) -> f64 {
        self.exercises.iter().map(|(_, lines)| MINUTES_PER_EXERCISE + *lines as f64 * MINUTES_PER_SOLUTION_LINE).sum()
    }
    pub fn minutes(&self) -> f64 {
        self.reading_minutes() + self.exercise_minutes()
    }
}

/// Which path a page is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Track {
    Primer,
    Core,
    Optional,
    /// Looked up when needed, not read through: see [`REFERENCE_PAGES`].
    Reference,
}

/// Pages a learner looks things up in rather than reads through: the quick reference (a row at a time, when
/// a NumPy or pandas line needs its Rust twin), the einsum reference (a pattern at a time), the measured memory
/// requirements (a lab's row, before running it), the glossary (a word at a time, from the links on the pages
/// that use it), troubleshooting (an error message at a time, when one shows up), the FAQ (a question at a
/// time) and the ARM64 notes (when the machine is an Arm one). They are counted apart, as a course does not count
/// its index in its hours.
pub const REFERENCE_PAGES: [&str; 7] = [
    "guidance/einsum-reference.md",
    "guidance/arm64.md",
    "guidance/memory-requirements.md",
    "study/quick-reference.md",
    "study/glossary.md",
    "study/troubleshooting.md",
    "study/faq.md",
];

/// One page of SUMMARY.md.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// relative to `src/`, e.g. `arrays/creation.md`
    pub file: String,
    pub title: String,
    pub track: Track,
    /// what is read and done on the page's path
    pub content: Content,
    /// a topic page's optional practice (between [`PRACTICE_START`] and [`PRACTICE_END`]): counted apart
    pub practice: Content,
}

impl Page {
    /// The name of the page's line in `figures/study/page-times.md`: `arrays/creation.md` -> `arrays-creation`.
    pub fn anchor(&self) -> String {
        self.file.trim_end_matches(".md").replace('/', "-")
    }
}

/// Is a word: has a letter or a digit (so `|`, `-` and `=` are not words).
fn is_word(token: &str) -> bool {
    token.chars().any(char::is_alphanumeric)
}

fn words(text: &str) -> usize {
    text.split_whitespace().filter(|t| is_word(t)).count()
}

/// Text without HTML tags (`<summary>`, `<code>`...): their contents still count.
fn without_tags(line: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in line.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// A line without its inline code spans (`...`).
fn outside_code_spans(line: &str) -> String {
    line.split('`').step_by(2).collect()
}

/// Counts a page's markdown, its includes already expanded. Hidden lines of rust listings (`# ...`) are not
/// shown, so they do not count; blank lines and HTML comments neither. A folded solution (a `<details>` whose
/// summary starts with "Solution") is not counted either: it is the answer to an exercise, whose time is
/// counted as writing that answer (an exercise's minutes), not a second time as reading it.
pub fn count(markdown: &str) -> Content {
    let mut content = Content::default();
    let mut fence: Option<(String, bool)> = None; // (fence, is rust)
    let mut in_comment = false;
    let mut in_solution = false;
    for line in markdown.lines() {
        let trimmed = line.trim();
        if in_solution {
            in_solution = trimmed != "</details>";
            continue;
        }
        if fence.is_none() && trimmed.starts_with("<summary>Solution") {
            in_solution = true;
            continue;
        }
        if let Some((open, rust)) = &fence {
            if trimmed.starts_with(open.as_str()) && trimmed.chars().all(|c| c == open.chars().next().unwrap()) {
                fence = None;
            } else if !trimmed.is_empty() && !(*rust && (trimmed == "#" || trimmed.starts_with("# "))) {
                content.code_lines += 1;
            }
            continue;
        }
        if trimmed == QUESTION_MARKER {
            content.questions += 1;
            continue;
        }
        if in_comment {
            in_comment = !trimmed.contains("-->");
            continue;
        }
        if trimmed.starts_with("<!--") {
            in_comment = !trimmed.contains("-->");
            continue;
        }
        let run = trimmed.chars().take_while(|c| *c == '`' || *c == '~').count();
        if run >= 3 {
            let info = &trimmed[run..];
            let rust = info.split(|c: char| c == ',' || c.is_whitespace()).next() == Some("rust");
            fence = Some((trimmed[..run].to_owned(), rust));
            continue;
        }
        if trimmed.starts_with('|') {
            let separator = trimmed.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '));
            if !separator {
                content.table_words += words(&without_tags(trimmed));
            }
            continue;
        }
        let outside_code = outside_code_spans(trimmed); // `s![..]` in a code span is a macro, not an image
        let images = outside_code.matches("![").count() + outside_code.matches("<img ").count();
        content.figures += images;
        if images == 0 {
            content.prose_words += words(&without_tags(trimmed));
        }
    }
    content
}

/// The lines between `ANCHOR: name` and `ANCHOR_END: name`, without other anchor lines (as mdBook does).
pub fn anchored(text: &str, anchor: &str) -> Option<String> {
    let mut out = String::new();
    let mut inside = false;
    let mut found = false;
    for line in text.lines() {
        match (snippets::anchor_name(line, "ANCHOR"), snippets::anchor_name(line, "ANCHOR_END")) {
            (Some(name), _) => (inside, found) = (inside || name == anchor, found || name == anchor),
            (_, Some(name)) => inside &= name != anchor,
            _ if inside => {
                out.push_str(line);
                out.push('\n');
            }
            _ => {}
        }
    }
    found.then_some(out)
}

/// Generated files about the budget itself are not counted: a page's time must not depend on its own time.
fn counted(include: &str) -> bool {
    ![TABLE, PAGE_TIMES, SCHEDULE].iter().any(|f| include.ends_with(f))
}

/// A page's text with its includes expanded (two levels deep), relative to the page's folder.
pub fn expand(text: &str, dir: &Path, depth: usize) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{#") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find("}}") else { break };
        let directive = &rest[start..start + end + 2];
        rest = &rest[start + end + 2..];
        let found = snippets::includes(directive);
        let Some(include) = found.first() else {
            out.push_str(directive);
            continue;
        };
        if !counted(&include.path) || crate::python::is_tab_file(&snippets::normalize(&dir.join(&include.path))) {
            continue; // (a Python tab: the time counts the Rust listing beside it, what the learner is there to read)
        }
        if include.path.ends_with(".svg") {
            out.push_str("![an included figure]()"); // looked at, not read: one figure
            continue;
        }
        let file = dir.join(&include.path);
        if snippets::normalize(&file).to_string_lossy().contains(crate::outputs::DIR) {
            let body = fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            out.push_str(&crate::outputs::for_budget(&body)); // looked over like a table, not read as code
            continue;
        }
        if let Some(quiz) = crate::quizzes::plain_for_include(&file) {
            out.push_str(&quiz?); // read from its TOML: the HTML's words are the same, its code lines are not fenced
            continue;
        }
        let body = fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let body = match &include.anchor {
            Some(a) => anchored(&body, a).ok_or_else(|| format!("{}: no anchor `{a}`", file.display()))?,
            None => body,
        };
        let nested = if depth > 0 { expand(&body, file.parent().unwrap_or(dir), depth - 1)? } else { body };
        out.push_str(nested.trim_end_matches('\n'));
    }
    out.push_str(rest);
    Ok(out)
}

/// The pages of SUMMARY.md in order, with the part heading each sits under.
pub fn summary_pages(summary: &str) -> Vec<(String, String, String)> {
    let mut part = String::new();
    let mut out = Vec::new();
    for line in summary.lines() {
        let trimmed = line.trim();
        if let Some(heading) = trimmed.strip_prefix("# ") {
            part = heading.trim().to_owned();
            continue;
        }
        let Some(open) = trimmed.find('[') else { continue };
        let Some(close) = trimmed[open..].find("](") else { continue };
        let Some(end) = trimmed[open + close..].find(')') else { continue };
        let title = trimmed[open + 1..open + close].to_owned();
        let file = trimmed[open + close + 2..open + close + end].to_owned();
        if file.ends_with(".md") {
            out.push((file, title, part.clone()));
        }
    }
    out
}

/// A page is optional when its title says so ("Going deeper", "(optional)"); the primer is its own part; the
/// reference pages are named in [`REFERENCE_PAGES`].
pub fn track_of(file: &str, title: &str, part: &str) -> Track {
    if part.starts_with("Rust for Python programmers") {
        Track::Primer
    } else if REFERENCE_PAGES.contains(&file) {
        Track::Reference
    } else if title.starts_with("Going deeper") || title.to_lowercase().contains("(optional)") {
        Track::Optional
    } else {
        Track::Core
    }
}

/// Solution lines of an exercise: the marked body's lines that are not blank or comments.
pub fn exercise_lines(source: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(String, usize)> = None;
    for line in source.lines() {
        let trimmed = line.trim();
        if let Some(name) = trimmed.strip_prefix("// ANCHOR: exercise_") {
            open = Some((name.to_owned(), 0));
        } else if trimmed.starts_with("// ANCHOR_END: exercise_") {
            out.extend(open.take());
        } else if let Some((_, lines)) = &mut open {
            if !trimmed.is_empty() && !trimmed.starts_with("//") {
                *lines += 1;
            }
        }
    }
    out
}

/// Whether a text holds `command` as a whole (`... count_above` names `count_above`, not `count`).
fn names_command(text: &str, command: &str) -> bool {
    text.match_indices(command).any(|(at, _)| !text[at + command.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_'))
}

/// Each lab's exercises, by the page that explains them: a page of the lab's chapter (its folder) that names
/// `cargo test -p <package> <name>` takes that exercise (a stretch exercise on a "Going deeper" page), the lab's
/// own page the rest. Pages elsewhere (lab prep, the milestones) may name a command without taking its time.
fn exercises_by_page(root: &Path, labs: &[Lab], pages: &BTreeMap<String, String>) -> Result<BTreeMap<String, Vec<(String, usize, String)>>, String> {
    let mut out: BTreeMap<String, Vec<(String, usize, String)>> = BTreeMap::new();
    for lab in labs {
        for module in lab.modules {
            let path = root.join("code").join(lab.solution_crate).join("src").join(format!("{module}.rs"));
            let source = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            for (name, lines) in exercise_lines(&source) {
                let command = format!("cargo test -p {} {name}", lab.package);
                let lab_page = lab.page.trim_start_matches("src/");
                let chapter = lab_page.rsplit_once('/').map_or("", |(dir, _)| dir);
                let on_lab_page = pages.get(lab_page).is_some_and(|text| names_command(text, &command));
                let elsewhere = pages
                    .iter()
                    .filter(|(file, _)| file.rsplit_once('/').map_or("", |(dir, _)| dir) == chapter)
                    .find(|(_, text)| names_command(text, &command))
                    .map(|(file, _)| file.clone());
                let page = if on_lab_page { lab_page.to_owned() } else { elsewhere.unwrap_or_else(|| lab_page.to_owned()) };
                out.entry(page).or_default().push((name, lines, command));
            }
        }
    }
    Ok(out)
}

/// A page's expanded text cut at its `## ` headings, each part counted: where a page's minutes go, for
/// deciding what moves to an optional page (`cargo xtask budget --sections`).
pub fn sections(expanded: &str) -> Vec<(String, Content)> {
    let mut out: Vec<(String, String)> = vec![("(top)".to_owned(), String::new())];
    let mut fence = false;
    for line in expanded.lines() {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            fence = !fence;
        }
        match t.strip_prefix("## ") {
            Some(h) if !fence => out.push((h.trim().to_owned(), String::new())),
            _ => {
                let part = &mut out.last_mut().expect("starts with (top)").1;
                part.push_str(line);
                part.push('\n');
            }
        }
    }
    out.into_iter().map(|(h, text)| (h, count(&text))).collect()
}

/// A page of SUMMARY.md, read: its path under `src/`, title, part heading, text and folder.
pub struct BookPage {
    pub file: String,
    pub title: String,
    pub part: String,
    pub text: String,
    pub dir: PathBuf,
}

impl BookPage {
    /// The text with its includes expanded (two levels), as the budget counts it.
    pub fn expanded(&self) -> Result<String, String> {
        expand(&self.text, &self.dir, 2).map_err(|e| format!("src/{}: {e}", self.file))
    }
}

/// The pages SUMMARY.md lists, in its order, each read once.
pub fn book_pages(root: &Path) -> Result<Vec<BookPage>, String> {
    let src = root.join("src");
    let summary = fs::read_to_string(src.join("SUMMARY.md")).map_err(|e| format!("src/SUMMARY.md: {e}"))?;
    summary_pages(&summary)
        .into_iter()
        .map(|(file, title, part)| {
            let text = fs::read_to_string(src.join(&file)).map_err(|e| format!("src/{file}: {e}"))?;
            let dir = src.join(&file).parent().map(Path::to_path_buf).unwrap_or_else(|| src.clone());
            Ok(BookPage { file, title, part, text, dir })
        })
        .collect()
}

/// Every page of the book, counted.
pub fn pages(root: &Path) -> Result<Vec<Page>, String> {
    let listed = book_pages(root)?;
    let texts: BTreeMap<String, String> = listed.iter().map(|p| (p.file.clone(), p.text.clone())).collect();
    let mut by_page = exercises_by_page(root, &exercises::LABS, &texts)?;
    let mut out = Vec::new();
    for page in listed {
        let at = |e: String| format!("src/{}: {e}", page.file);
        let (main, practice_text) = split_practice(&page.expanded()?).map_err(at)?;
        let (mut content, mut practice) = (count(&main), count(&practice_text));
        for (name, lines, command) in by_page.remove(&page.file).unwrap_or_default() {
            let on = if names_command(&practice_text, &command) { &mut practice } else { &mut content };
            on.exercises.push((name, lines));
        }
        out.push(Page { track: track_of(&page.file, &page.title, &page.part), file: page.file, title: page.title, content, practice });
    }
    if let Some((file, found)) = by_page.into_iter().next() {
        return Err(format!("exercises {found:?} belong to {file}, which SUMMARY.md does not list"));
    }
    Ok(out)
}

pub fn total(pages: &[Page], path: Track) -> f64 {
    pages.iter().filter(|p| p.track == path).map(|p| p.content.minutes()).sum()
}

/// The optional practice of every page.
pub fn practice_total(pages: &[Page]) -> f64 {
    pages.iter().map(|p| p.practice.minutes()).sum()
}

/// A page's text cut into what is read on its path and its optional practice (the parts between
/// [`PRACTICE_START`] and [`PRACTICE_END`] lines).
pub fn split_practice(text: &str) -> Result<(String, String), String> {
    let (mut main, mut practice, mut inside) = (String::new(), String::new(), false);
    for line in text.lines() {
        match (line.trim(), inside) {
            (PRACTICE_START, false) => inside = true,
            (PRACTICE_END, true) => inside = false,
            (PRACTICE_START | PRACTICE_END, _) => return Err(format!("`{}` where it does not belong: practice is `{PRACTICE_START}` ... `{PRACTICE_END}`, not nested", line.trim())),
            _ => {
                let to = if inside { &mut practice } else { &mut main };
                to.push_str(line);
                to.push('\n');
            }
        }
    }
    if inside {
        return Err(format!("`{PRACTICE_START}` without `{PRACTICE_END}`"));
    }
    Ok((main, practice))
}

/// The limits: the core path at most 600 minutes, the primer at most 120, exercises included.
pub fn check_limits(pages: &[Page]) -> Result<(), String> {
    let (core, primer) = (total(pages, Track::Core), total(pages, Track::Primer));
    let mut over = Vec::new();
    if core.round() > CORE_LIMIT_MINUTES {
        over.push(format!("the core path takes {core:.0} minutes, over the module's {CORE_LIMIT_MINUTES:.0}"));
    }
    if primer.round() > PRIMER_LIMIT_MINUTES {
        over.push(format!("the primer takes {primer:.0} minutes, over its {PRIMER_LIMIT_MINUTES:.0}"));
    }
    if over.is_empty() { Ok(()) } else { Err(format!("{} (see figures/{TABLE})", over.join("; "))) }
}

const HEADER: &str = "<!-- Generated by `cargo xtask budget` (code/xtask/src/budget.rs) from the pages. Do not edit by hand. -->\n";

fn minutes(m: f64) -> String {
    format!("{:.0} min", m.round() + 0.0) // + 0.0: an empty sum is -0.0
}

fn path_name(path: Track) -> &'static str {
    match path {
        Track::Primer => "Rust primer",
        Track::Core => "Core path",
        Track::Optional => "Optional (going deeper)",
        Track::Reference => "Reference (looked up when needed, not read through)",
    }
}

/// The table of every page, by path, with the rates.
pub fn table(pages: &[Page]) -> String {
    let mut s = String::from(HEADER);
    // a section of the table: its heading, then a row per page
    let section = |s: &mut String, heading: String, rows: Vec<(&str, &Content)>| {
        let _ = writeln!(s, "\n**{heading}**\n");
        s.push_str("| page | prose words | table words | code lines | figures | quiz questions | exercises | reading | exercises | total |\n");
        s.push_str("|:--|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        for (title, c) in rows {
            let _ = writeln!(
                s,
                "| {title} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                c.prose_words,
                c.table_words,
                c.code_lines,
                c.figures,
                c.questions,
                c.exercises.len(),
                minutes(c.reading_minutes()),
                minutes(c.exercise_minutes()),
                minutes(c.minutes())
            );
        }
    };
    for path in [Track::Primer, Track::Core, Track::Optional, Track::Reference] {
        let on: Vec<(&str, &Content)> = pages.iter().filter(|p| p.track == path).map(|p| (p.title.as_str(), &p.content)).collect();
        if !on.is_empty() {
            section(&mut s, format!("{}: {}", path_name(path), minutes(total(pages, path))), on);
        }
    }
    let practice: Vec<(&str, &Content)> = pages.iter().filter(|p| p.practice != Content::default()).map(|p| (p.title.as_str(), &p.practice)).collect();
    if !practice.is_empty() {
        section(&mut s, format!("Optional practice on the topic pages: {}", minutes(practice_total(pages))), practice);
    }
    let _ = write!(
        s,
        "\n*Rates: prose {PROSE_WORDS_PER_MINUTE:.0} words a minute; table cells {TABLE_WORDS_PER_MINUTE:.0} words a minute; \
         {CODE_LINES_PER_MINUTE:.0} visible code lines a minute (hidden lines not counted); a listing's shown output is looked over like a table, its words at the table rate; \
         {MINUTES_PER_FIGURE:.0} minute a figure; a quiz question {MINUTES_PER_QUESTION} minute to think, beyond reading it \
         and the explanation of every choice; an exercise {MINUTES_PER_EXERCISE:.0} minutes plus \
         {MINUTES_PER_SOLUTION_LINE:.0} a line of its solution (its folded solution is that time, not read again). Limits: core path {CORE_LIMIT_MINUTES:.0} minutes, \
         primer {PRIMER_LIMIT_MINUTES:.0}, exercises included; a topic page's optional exercise is counted apart, as optional practice.*\n"
    );
    s
}

/// One line per page, shown under its title through `{{#include ...page-times.md:<anchor>}}`.
pub fn page_times(pages: &[Page]) -> String {
    let mut s = String::from(HEADER);
    for p in pages {
        let c = &p.content;
        let what = match p.track {
            Track::Optional => "**Going deeper (optional), outside the core path's time budget.** ",
            Track::Reference => "**Reference: look things up here when you need them; outside the core path's time budget.** ",
            _ => "",
        };
        let mut exercises = match c.exercises.len() {
            0 => String::new(),
            n => format!(", of which {} for {n} exercise{}", minutes(c.exercise_minutes()), if n == 1 { "" } else { "s" }),
        };
        match p.practice.exercises.len() {
            0 if p.practice == Content::default() => {}
            0 => exercises.push_str(&format!(", and {} of optional practice", minutes(p.practice.minutes()))),
            n => exercises.push_str(&format!(
                ", and {} for the optional exercise{} at the end",
                minutes(p.practice.minutes()),
                if n == 1 { "" } else { "s" }
            )),
        }
        let _ = writeln!(
            s,
            "<!-- ANCHOR: {a} -->\n*{what}About {m}{exercises}: counted from the page (see the study guide's time budget).*\n<!-- ANCHOR_END: {a} -->",
            a = p.anchor(),
            m = minutes(c.minutes()),
        );
    }
    s
}

/// Days of at most `day_minutes`, the core pages in book order; the primer is day 0.
pub fn schedule(pages: &[Page], day_minutes: f64) -> String {
    let mut s = String::from(HEADER);
    s.push_str("| day | minutes | pages |\n|:--|--:|:--|\n"); // minutes first: the page lists are long
    let link = |p: &Page| format!("[{}](../{})", p.title, p.file);
    let primer: Vec<&Page> = pages.iter().filter(|p| p.track == Track::Primer).collect();
    if !primer.is_empty() {
        let m: f64 = primer.iter().map(|p| p.content.minutes()).sum();
        let _ = writeln!(s, "| 0 (if Rust is new) | {} | {} |", minutes(m), primer.iter().map(|p| link(p)).collect::<Vec<_>>().join(", "));
    }
    // book order, a new day when the next page would pass the day's minutes (the fewest days, as pages are not split)
    let mut days: Vec<(Vec<&Page>, f64)> = Vec::new();
    for p in pages.iter().filter(|p| p.track == Track::Core) {
        let m = p.content.minutes();
        match days.last_mut() {
            Some((day, used)) if *used + m <= day_minutes => {
                day.push(p);
                *used += m;
            }
            _ => days.push((vec![p], m)),
        }
    }
    // a last day of a few minutes joins the day before, a little over
    if days.len() > 1 && days.last().is_some_and(|(_, used)| *used < LAST_DAY_MINUTES) {
        let (last, m) = days.pop().expect("two days or more");
        let (day, used) = days.last_mut().expect("one day left");
        day.extend(last);
        *used += m;
    }
    for (n, (day, used)) in days.iter().enumerate() {
        let _ = writeln!(s, "| {} | {} | {} |", n + 1, minutes(*used), day.iter().map(|p| link(p)).collect::<Vec<_>>().join(", "));
    }
    s
}

/// The shortest last day the schedule keeps as a day of its own.
const LAST_DAY_MINUTES: f64 = 15.0;

/// The three generated files, by their path under `figures/`.
pub fn generated(pages: &[Page]) -> Vec<(&'static str, String)> {
    vec![(TABLE, table(pages)), (PAGE_TIMES, page_times(pages)), (SCHEDULE, schedule(pages, DAY_MINUTES))]
}

/// A study day: two hours, so the module's 8-10 hours are five days.
pub const DAY_MINUTES: f64 = 120.0;

#[cfg(test)]
mod tests {
    use super::*;

    /// The include line a page carries under its title, to show its time.
    fn time_include(file: &str) -> String {
        let up = "../".repeat(file.matches('/').count() + 1);
        format!("{{{{#include {up}figures/{PAGE_TIMES}:{}}}}}", file.trim_end_matches(".md").replace('/', "-"))
    }

    /// Pages of SUMMARY.md that do not show their time under their title.
    fn pages_without_their_time(root: &Path) -> Result<Vec<String>, String> {
        let mut missing = Vec::new();
        for page in book_pages(root)? {
            let after_title = page.text.lines().skip_while(|l| !l.starts_with("# ")).skip(1).find(|l| !l.trim().is_empty());
            if after_title != Some(time_include(&page.file).as_str()) {
                missing.push(page.file);
            }
        }
        Ok(missing)
    }

    #[test]
    fn counts_prose_tables_code_and_figures_apart() {
        let md = "# Title here\n\nTwo words. And three more.\n\n| a | b c |\n|:--|--:|\n| 1 | x |\n\n```rust\n# use hidden;\nfn main() {\n\n}\n```\n\n```text\ncargo run\n```\n<!-- a comment\nover lines -->\n![a figure](x.svg)\n<summary>Hint <code>one</code></summary>\n";
        let c = count(md);
        assert_eq!(c.prose_words, 2 + 5 + 2, "{c:?}");
        assert_eq!(c.table_words, 3 + 2);
        assert_eq!(c.code_lines, 2 + 1);
        assert_eq!(c.figures, 1);
    }

    #[test]
    fn a_folded_solution_is_not_read_twice() {
        let md = "Write it.\n\n<details>\n<summary>Hint</summary>\n\nUse zip.\n\n</details>\n\n<details>\n<summary>Solution: the body</summary>\n\n```rust,ignore\nlet a = 1;\nlet b = 2;\n```\n\nIt zips.\n\n</details>\n\nAfter it.\n";
        let c = count(md);
        assert_eq!((c.prose_words, c.code_lines), (2 + 1 + 2 + 2, 0), "{c:?}");
    }

    #[test]
    fn a_quiz_counts_its_questions_words_and_code() {
        let md = format!("{QUESTION_MARKER}\n{QUESTION_MARKER}\nWhat is the shape?\n\n```rust\nlet a = 1;\n```\n\n`[3, 4]`: trailing axes line up.\n");
        let c = count(&md);
        assert_eq!((c.questions, c.code_lines, c.prose_words), (2, 1, 4 + 6), "{c:?}");
    }

    #[test]
    fn a_macro_in_a_code_span_is_not_a_figure() {
        let c = count("Slice with `s![.., 1]` and `a![b]`.\n![a real one](x.svg)\n");
        assert_eq!(c.figures, 1);
        assert!(c.prose_words >= 3);
    }

    #[test]
    fn an_included_svg_is_one_figure_not_its_text() {
        let dir = std::env::temp_dir().join(format!("budget-test-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("f.svg"), "<svg><text>many words in a figure</text></svg>").unwrap();
        fs::write(dir.join("t.md"), "| a | b |\n|--|--|\n| c | d |\n").unwrap();
        let c = count(&expand("Look:\n\n{{#include f.svg}}\n\n{{#include t.md}}\n", &dir, 2).unwrap());
        fs::remove_dir_all(&dir).unwrap();
        assert_eq!((c.prose_words, c.figures, c.table_words), (1, 1, 4), "{c:?}");
    }

    #[test]
    fn minutes_follow_the_rates() {
        let c = Content { prose_words: 175, table_words: 100, code_lines: 14, figures: 1, questions: 2, exercises: vec![("a".into(), 3)] };
        assert!((c.reading_minutes() - 6.0).abs() < 1e-9);
        assert!((c.exercise_minutes() - 8.0).abs() < 1e-9);
    }

    #[test]
    fn a_topic_pages_practice_is_cut_out_and_must_be_closed() {
        let page = format!("# T\n\nRead this.\n\n{PRACTICE_START}\n## Exercise (optional)\n\nWrite it.\n{PRACTICE_END}\n\n## Check yourself\n");
        let (main, practice) = split_practice(&page).unwrap();
        assert!(main.contains("Read this.") && main.contains("Check yourself") && !main.contains("Write it."), "{main}");
        assert_eq!(practice, "## Exercise (optional)\n\nWrite it.\n");
        assert_eq!(count(&practice).prose_words, 2 + 2, "its heading and its words, counted apart");
        assert!(split_practice(&format!("{PRACTICE_START}\nopen\n")).unwrap_err().contains("without"));
        assert!(split_practice(&format!("{PRACTICE_START}\n{PRACTICE_START}\n")).is_err(), "not nested");
        assert!(split_practice(&format!("{PRACTICE_END}\n")).is_err(), "no end before a start");
    }

    #[test]
    fn sections_split_at_level_two_headings_outside_code() {
        let md = "# T\n\nOne two.\n\n## A\n\nThree four five.\n\n```text\n## not a heading\n```\n\n## B\n\nsix\n";
        let parts = sections(md);
        let names: Vec<&str> = parts.iter().map(|(h, _)| h.as_str()).collect();
        assert_eq!(names, ["(top)", "A", "B"]);
        assert_eq!((parts[1].1.prose_words, parts[1].1.code_lines), (3, 1));
        assert_eq!(parts[2].1.prose_words, 1);
    }

    #[test]
    fn anchors_select_their_lines_only() {
        let text = "a\n// ANCHOR: one\nb\n// ANCHOR: two\nc\n// ANCHOR_END: two\n// ANCHOR_END: one\nd\n";
        assert_eq!(anchored(text, "one").unwrap(), "b\nc\n");
        assert_eq!(anchored(text, "two").unwrap(), "c\n");
        assert!(anchored(text, "three").is_none());
    }

    #[test]
    fn summary_parts_decide_the_path() {
        let s = "# Summary\n\n[Overview](overview.md)\n\n# Rust for Python programmers\n\n- [Primer](primer/index.md)\n\n# Topics\n\n- [Arrays](arrays/index.md)\n  - [Going deeper: pages](arrays/going-deeper.md)\n\n# Study\n\n- [Glossary](study/glossary.md)\n";
        let pages = summary_pages(s);
        let paths: Vec<Track> = pages.iter().map(|(f, t, p)| track_of(f, t, p)).collect();
        assert_eq!(pages[1].0, "primer/index.md");
        assert_eq!(paths, vec![Track::Core, Track::Primer, Track::Core, Track::Optional, Track::Reference]);
    }

    #[test]
    fn a_command_names_a_whole_exercise() {
        assert!(names_command("run `cargo test -p x count_above`", "cargo test -p x count_above"));
        assert!(!names_command("run `cargo test -p x count_above_all`", "cargo test -p x count_above"));
        assert!(names_command("cargo test -p x count_above", "cargo test -p x count_above"));
    }

    #[test]
    fn an_exercise_counts_on_its_lab_page_or_a_page_of_its_chapter_that_names_it() {
        let root = std::env::temp_dir().join(format!("budget-exercises-test-{}", std::process::id()));
        fs::create_dir_all(root.join("code/sol/src")).unwrap();
        let body = |n: &str| format!("fn {n}() {{\n    // ANCHOR: exercise_{n}\n    1\n    // ANCHOR_END: exercise_{n}\n}}\n");
        fs::write(root.join("code/sol/src/m.rs"), ["core", "stretch", "named_elsewhere", "both"].map(body).concat()).unwrap();
        let labs = [Lab { id: "9", package: "lab-9", solution_crate: "sol", modules: &["m"], tests: &[], page: "src/ch/lab.md" }];
        let pages = BTreeMap::from([
            ("aaa/prep.md".to_owned(), "cargo test -p lab-9 named_elsewhere".to_owned()), // another chapter: no
            ("ch/deeper.md".to_owned(), "cargo test -p lab-9 stretch\ncargo test -p lab-9 both".to_owned()),
            ("ch/lab.md".to_owned(), "cargo test -p lab-9 core\ncargo test -p lab-9 both".to_owned()),
        ]);
        let by_page = exercises_by_page(&root, &labs, &pages).unwrap();
        let names = |p: &str| by_page[p].iter().map(|(n, _, _)| n.as_str()).collect::<Vec<_>>();
        assert_eq!(names("ch/lab.md"), ["core", "named_elsewhere", "both"]);
        assert_eq!(names("ch/deeper.md"), ["stretch"]);
        assert!(!by_page.contains_key("aaa/prep.md"));
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn solution_lines_leave_out_blanks_and_comments() {
        let src = "fn f() {\n    // ANCHOR: exercise_f\n    // why\n    let x = 1;\n\n    x\n    // ANCHOR_END: exercise_f\n}\n";
        assert_eq!(exercise_lines(src), vec![("f".to_owned(), 2)]);
    }

    fn page(file: &str, path: Track, prose_words: usize) -> Page {
        Page { file: file.into(), title: file.into(), track: path, content: Content { prose_words, ..Content::default() }, practice: Content::default() }
    }

    #[test]
    fn limits_fail_when_exceeded_and_name_the_path() {
        let ok = vec![page("a.md", Track::Core, 175 * 600), page("p.md", Track::Primer, 175 * 120), page("o.md", Track::Optional, 175 * 900)];
        assert!(check_limits(&ok).is_ok());
        let core = vec![page("a.md", Track::Core, 175 * 602)];
        assert!(check_limits(&core).unwrap_err().contains("core path takes 602 minutes"));
        let primer = vec![page("p.md", Track::Primer, 175 * 125)];
        assert!(check_limits(&primer).unwrap_err().contains("primer takes 125 minutes"));
    }

    #[test]
    fn schedule_fills_days_in_book_order() {
        let pages = vec![page("a.md", Track::Core, 175 * 70), page("b.md", Track::Core, 175 * 60), page("c.md", Track::Core, 175 * 50), page("o.md", Track::Optional, 175 * 10)];
        let s = schedule(&pages, 120.0);
        assert!(s.contains("| 1 | 70 min | [a.md](../a.md) |"), "{s}");
        assert!(s.contains("| 2 | 110 min | [b.md](../b.md), [c.md](../c.md) |"), "{s}");
        assert!(!s.contains("o.md"));
        // a few minutes left over join the last day
        let pages = vec![page("a.md", Track::Core, 175 * 110), page("b.md", Track::Core, 175 * 10 + 100)];
        let s = schedule(&pages, 110.0);
        assert!(s.contains("| 1 | 121 min | [a.md](../a.md), [b.md](../b.md) |") && !s.contains("| 2 |"), "{s}");
    }

    #[test]
    fn the_time_include_points_up_from_the_page() {
        assert_eq!(time_include("overview.md"), "{{#include ../figures/study/page-times.md:overview}}");
        assert_eq!(time_include("arrays/creation.md"), "{{#include ../../figures/study/page-times.md:arrays-creation}}");
    }

    #[test]
    fn every_page_shows_its_time_under_its_title() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        assert_eq!(pages_without_their_time(&root).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn the_committed_budget_is_current() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        for (file, text) in generated(&pages(&root).unwrap()) {
            let committed = fs::read_to_string(root.join("figures").join(file)).unwrap_or_default();
            assert!(committed == text, "figures/{file} is stale: run `cargo xtask budget`");
        }
    }
}
