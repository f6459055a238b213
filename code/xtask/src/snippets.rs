//! The snippet-coverage check: every ```rust block in `src/` is either compiled and run by a companion crate's
//! skeptic tests, or an `{{#include}}` of cargo-compiled code, or an `ignore` block with a visible reason.
//! Every `{{#include}}` (code or figure) must name an existing file and, if it names one, an existing anchor.

use std::collections::BTreeSet;
use std::fmt;
use std::fs;
use std::path::{Component, Path, PathBuf};

/// A fenced code block found in a markdown page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// 1-based line of the opening fence
    pub line: usize,
    /// the info string's tokens, e.g. `["rust", "ignore"]`
    pub info: Vec<String>,
    pub body: String,
    /// the last non-blank line before the fence (where a visible reason for `ignore` goes)
    pub before: String,
    /// 1-based line of the closing fence (0 while open: a block the page never closes)
    pub end: usize,
}

impl Block {
    pub fn is_rust(&self) -> bool {
        self.info.first().is_some_and(|t| t == "rust")
    }
    fn has(&self, token: &str) -> bool {
        self.info.iter().any(|t| t == token)
    }
}

/// Fenced code blocks of a markdown text (backtick or tilde fences, possibly indented, e.g. in lists).
pub fn blocks(markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<(String, Block)> = None;
    let mut last_text = String::new();
    for (i, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        match &mut open {
            Some((fence, block)) => {
                if trimmed.starts_with(fence.as_str()) && trimmed.trim_end().chars().all(|c| c == fence.chars().next().unwrap()) {
                    let (_, mut block) = open.take().unwrap();
                    block.end = i + 1;
                    out.push(block);
                } else {
                    block.body.push_str(line);
                    block.body.push('\n');
                }
            }
            None => {
                let fence_char = trimmed.chars().next().filter(|c| *c == '`' || *c == '~');
                let run = fence_char.map_or(0, |c| trimmed.chars().take_while(|x| *x == c).count());
                if run >= 3 {
                    let fence: String = trimmed[..run].to_owned();
                    let info = trimmed[run..]
                        .split(|c: char| c == ',' || c.is_whitespace())
                        .filter(|t| !t.is_empty())
                        .map(str::to_owned)
                        .collect();
                    let block = Block { line: i + 1, info, body: String::new(), before: last_text.clone(), end: 0 };
                    open = Some((fence, block));
                } else if !trimmed.is_empty() {
                    last_text = trimmed.to_owned();
                }
            }
        }
    }
    out
}

/// An `{{#include path}}` or `{{#include path:anchor}}` (also `rustdoc_include`) directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    pub path: String,
    pub anchor: Option<String>,
}

/// The include directives in a text.
pub fn includes(text: &str) -> Vec<Include> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{#") {
        rest = &rest[start + 3..];
        let Some(end) = rest.find("}}") else { break };
        let directive = &rest[..end];
        rest = &rest[end + 2..];
        let mut words = directive.split_whitespace();
        if !matches!(words.next(), Some("include" | "rustdoc_include")) {
            continue;
        }
        let Some(target) = words.next() else { continue };
        // `file.rs:anchor` names an anchor; `file.rs:10:20` or `file.rs:10` names lines
        let (path, anchor) = match target.split_once(':') {
            Some((p, a)) if !a.is_empty() && !a.chars().next().unwrap().is_ascii_digit() => (p, Some(a.to_owned())),
            Some((p, _)) => (p, None),
            None => (target, None),
        };
        out.push(Include { path: path.to_owned(), anchor });
    }
    out
}

/// How one ```rust block is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Skeptic,
    Included,
    IgnoredWithReason,
}

/// The check's result: counts, and problems (an empty list means it passed).
#[derive(Debug, Default)]
pub struct Coverage {
    pub skeptic: usize,
    pub included: usize,
    pub ignored: usize,
    pub pages: usize,
    pub problems: Vec<String>,
}

impl fmt::Display for Coverage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "snippets: {} tested by skeptic, {} included from cargo-compiled code, {} other ignored blocks (with reasons), in {} pages",
            self.skeptic, self.included, self.ignored, self.pages
        )
    }
}

/// Classifies a rust block, or says what is wrong with it.
pub fn classify(block: &Block, covered: bool) -> Result<Kind, String> {
    let include = includes(&block.body);
    if !include.is_empty() {
        if !block.has("ignore") {
            return Err("includes code but is not marked `ignore` (skeptic would try to compile the include line)".into());
        }
        return Ok(Kind::Included);
    }
    if block.has("ignore") {
        if block.before.to_lowercase().contains("not compiled") {
            return Ok(Kind::IgnoredWithReason);
        }
        return Err("is marked `ignore` without a visible reason: say \"Not compiled: <why>\" on the line before it".into());
    }
    if covered { Ok(Kind::Skeptic) } else { Err("is in a page no companion crate's build.rs hands to skeptic".into()) }
}

/// The markdown files and folders the companion crates' `build.rs` files hand to skeptic: every string literal
/// ending in `.md` (a page) or `/` (a folder of pages), resolved against the crate's folder.
pub fn skeptic_inputs(code_dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(code_dir)? {
        let crate_dir = entry?.path();
        let Ok(build) = fs::read_to_string(crate_dir.join("build.rs")) else { continue };
        if !build.contains("skeptic::") {
            continue;
        }
        for literal in build.split('"').skip(1).step_by(2) {
            if literal.ends_with(".md") || literal.ends_with('/') {
                out.push(normalize(&crate_dir.join(literal)));
            }
        }
    }
    Ok(out)
}

/// Removes `.` and `..` components without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            markdown_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
    Ok(())
}

/// The anchor a line names after `marker` ("ANCHOR" or "ANCHOR_END"), as mdBook reads it: `MARKER:` anywhere
/// in the line (a `//` or `<!-- -->` comment), then the name.
pub fn anchor_name<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    let at = line.find(&format!("{marker}:"))?;
    let rest = line[at + marker.len() + 1..].trim_start();
    rest.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-')).next().filter(|n| !n.is_empty())
}

/// Checks one include directive of `page`: the file exists, and so does the anchor if one is named.
fn check_include(page: &Path, include: &Include) -> Result<(), String> {
    let target = normalize(&page.parent().unwrap_or(Path::new(".")).join(&include.path));
    let text = fs::read_to_string(&target).map_err(|e| format!("includes {}: {e}", include.path))?;
    if let Some(anchor) = &include.anchor {
        let has = |marker: &str| text.lines().any(|l| anchor_name(l, marker) == Some(anchor.as_str()));
        if !(has("ANCHOR") && has("ANCHOR_END")) {
            return Err(format!("includes {}:{anchor}, but that file has no ANCHOR/ANCHOR_END pair named {anchor}", include.path));
        }
    }
    Ok(())
}

/// Runs the whole check over the book's `src/` with the companion crates under `code/`.
pub fn check(src_dir: &Path, code_dir: &Path) -> std::io::Result<Coverage> {
    let inputs = skeptic_inputs(code_dir)?;
    let src_dir = normalize(&std::path::absolute(src_dir)?);
    let is_covered = |page: &Path| {
        inputs.iter().any(|i| if i.extension().is_some_and(|e| e == "md") { i == page } else { page.starts_with(i) })
    };
    let mut pages = Vec::new();
    markdown_files(&src_dir, &mut pages)?;
    let mut coverage = Coverage { pages: pages.len(), ..Coverage::default() };
    let mut seen_inputs = BTreeSet::new();
    for page in &pages {
        let text = fs::read_to_string(page)?;
        let shown = page.strip_prefix(&src_dir).unwrap_or(page).display().to_string();
        for include in includes(&text) {
            if let Err(e) = check_include(page, &include) {
                coverage.problems.push(format!("src/{shown}: {e}"));
            }
        }
        let covered = is_covered(page);
        if covered {
            seen_inputs.insert(page.clone());
        }
        for block in blocks(&text).iter().filter(|b| b.is_rust()) {
            match classify(block, covered) {
                Ok(Kind::Skeptic) => coverage.skeptic += 1,
                Ok(Kind::Included) => coverage.included += 1,
                Ok(Kind::IgnoredWithReason) => coverage.ignored += 1,
                Err(e) => coverage.problems.push(format!("src/{shown}:{}: the rust block {e}", block.line)),
            }
        }
    }
    for input in inputs.iter().filter(|i| !i.exists()) {
        coverage.problems.push(format!("a build.rs hands skeptic {}, which does not exist", input.display()));
    }
    Ok(coverage)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "# Title\n\nSome text.\n\n```rust\nfn main() {}\n```\n\n  ~~~rust,ignore\n  {{#include ../../code/a/src/lib.rs:demo}}\n  ~~~\n\nNot compiled: it needs a GPU.\n\n```rust,ignore\ngpu();\n```\n\n```text\n$ cargo run\n```\n";

    #[test]
    fn finds_fences_with_their_info_and_the_line_before() {
        let b = blocks(PAGE);
        assert_eq!(b.len(), 4);
        assert_eq!((b[0].line, b[0].info.clone(), b[0].body.as_str()), (5, vec!["rust".to_owned()], "fn main() {}\n"));
        assert_eq!(b[1].info, ["rust", "ignore"]);
        assert_eq!(b[2].before, "Not compiled: it needs a GPU.");
        assert!(!b[3].is_rust());
    }

    #[test]
    fn a_longer_fence_is_not_closed_by_a_shorter_one() {
        let b = blocks("````markdown\n```rust\nx\n```\n````\n");
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].body, "```rust\nx\n```\n");
    }

    #[test]
    fn parses_include_directives() {
        let text = "{{#include a.rs:demo}} {{#include b.md}} {{#rustdoc_include c.rs:10:20}} {{#title x}}";
        assert_eq!(
            includes(text),
            [
                Include { path: "a.rs".into(), anchor: Some("demo".into()) },
                Include { path: "b.md".into(), anchor: None },
                Include { path: "c.rs".into(), anchor: None },
            ]
        );
    }

    #[test]
    fn classifies_blocks_and_rejects_the_unchecked_ones() {
        let b = blocks(PAGE);
        assert_eq!(classify(&b[0], true), Ok(Kind::Skeptic));
        assert!(classify(&b[0], false).is_err(), "a plain block in an uncovered page is untested");
        assert_eq!(classify(&b[1], false), Ok(Kind::Included));
        assert_eq!(classify(&b[2], false), Ok(Kind::IgnoredWithReason));
        let unmarked_include = blocks("```rust\n{{#include x.rs}}\n```\n");
        assert!(classify(&unmarked_include[0], true).is_err());
        let silent_ignore = blocks("Text.\n\n```rust,ignore\nx\n```\n");
        assert!(classify(&silent_ignore[0], true).is_err());
    }

    #[test]
    fn checks_the_real_book() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let coverage = check(&root.join("src"), &root.join("code")).unwrap();
        assert!(coverage.problems.is_empty(), "{:#?}", coverage.problems);
        assert!(coverage.skeptic > 0 && coverage.included > 0, "{coverage}");
    }

    #[test]
    fn normalizes_parent_components() {
        assert_eq!(normalize(Path::new("/a/code/x/../../src/arrays/")), PathBuf::from("/a/src/arrays"));
    }
}
