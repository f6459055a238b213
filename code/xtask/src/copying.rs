//! The copy check: every complete listing of the book can be pasted into a fresh project with what the README's
//! "Copying a snippet" section gives. A listing's crates (its `use` lines and `crate::path` uses) must be in the
//! README's dependency block, or be a course crate the listing names in a visible line ("the course's
//! `dataframes` crate"); a listing that uses a dev-dependency (criterion) must say, visibly, which folder it goes
//! in (`benches/`, `tests/`). `sample_programs` gives the listings the test command builds in a fresh crate.

use crate::snippets;
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// The README's dependency block: crate names as `use` spells them (`ndarray-rand` -> `ndarray_rand`).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Block {
    pub toml: String,
    pub dependencies: BTreeSet<String>,
    pub dev_dependencies: BTreeSet<String>,
}

/// The first ```toml block after the README heading that starts with "## Copying".
pub fn readme_block(readme: &str) -> Result<Block, String> {
    let at = readme.find("\n## Copying").ok_or("README.md has no \"## Copying ...\" section")?;
    let block = snippets::blocks(&readme[at..])
        .into_iter()
        .find(|b| b.info.first().is_some_and(|i| i == "toml"))
        .ok_or("README.md's copying section has no ```toml block")?;
    let mut out = Block { toml: block.body.clone(), ..Block::default() };
    let mut table = String::new();
    for line in block.body.lines().map(str::trim) {
        if line.starts_with('[') {
            table = line.trim_matches(|c| c == '[' || c == ']').to_owned();
        } else if let Some((name, _)) = line.split_once('=') {
            let name = name.trim().replace('-', "_");
            match table.as_str() {
                "dependencies" => out.dependencies.insert(name),
                "dev-dependencies" => out.dev_dependencies.insert(name),
                _ => false,
            };
        }
    }
    Ok(out)
}

/// The program a reader copies: the listing with its hidden lines shown (`# x` -> `x`, `#` -> empty), as
/// mdBook's copy button and skeptic both read it.
pub fn program(body: &str) -> String {
    body.lines()
        .map(|l| {
            let t = l.trim_start();
            if t == "#" {
                ""
            } else if let Some(rest) = t.strip_prefix("# ") {
                rest
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// The lines a reader sees (hidden lines left out).
fn visible(body: &str) -> String {
    body.lines().filter(|l| { let t = l.trim_start(); t != "#" && !t.starts_with("# ") }).collect::<Vec<_>>().join("\n")
}

const NOT_CRATES: &[&str] = &[
    "std", "core", "alloc", "crate", "self", "super", "f32", "f64", "i8", "i16", "i32", "i64", "i128", "isize", "u8",
    "u16", "u32", "u64", "u128", "usize", "bool", "char", "str",
];

/// The crates a program names: the first segment of every path `a::b` (not after `.` or `::`, not a turbofish),
/// less the standard library, primitive types and names the program itself brings into scope (`use a::b;`
/// makes `b::c` a path into `a`, `mod m` a path into the program).
pub fn used_crates(program: &str) -> BTreeSet<String> {
    let mut local: BTreeSet<String> = BTreeSet::new();
    for line in program.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("use ").or_else(|| line.strip_prefix("pub use ")) {
            for name in rest.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|s| !s.is_empty()).skip(1) {
                local.insert(name.to_owned());
            }
        }
        for kw in ["mod ", "pub mod "] {
            if let Some(rest) = line.strip_prefix(kw) {
                local.insert(rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect());
            }
        }
    }
    let mut out = BTreeSet::new();
    let bytes = program.as_bytes();
    for (at, _) in program.match_indices("::") {
        let start = program[..at].rfind(|c: char| !(c.is_alphanumeric() || c == '_')).map_or(0, |i| i + 1);
        let name = &program[start..at];
        let before = program[..start].chars().next_back();
        let after = bytes.get(at + 2).copied();
        let is_path_start = !matches!(before, Some('.' | ':' | '\'' | '"')) && !program[..start].ends_with("::");
        if name.is_empty() || !is_path_start || after == Some(b'<') || !name.starts_with(|c: char| c.is_ascii_lowercase()) {
            continue;
        }
        if !NOT_CRATES.contains(&name) && !local.contains(name) {
            out.insert(name.to_owned());
        }
    }
    // `use a::...` at the start of a line is a crate too, even when `a` was also brought into scope
    for line in program.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("use ") {
            let first: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !first.is_empty() && !NOT_CRATES.contains(&first.as_str()) {
                out.insert(first);
            }
        }
    }
    out
}

/// Course crates a listing names in a visible line: "the course's `dataframes` crate".
pub fn named_course_crates(visible_text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = visible_text;
    while let Some(at) = rest.find("course's `") {
        rest = &rest[at + "course's `".len()..];
        if let Some(end) = rest.find("` crate") {
            out.insert(rest[..end].replace('-', "_"));
        }
    }
    out
}

/// A complete listing of a page: a skeptic-tested block, or a block that includes a whole program file.
#[derive(Debug)]
pub struct Listing {
    pub page: String,
    pub line: usize,
    pub program: String,
    pub visible: String,
}

/// The complete listings of a page (its path under `src/` given as `page`).
pub fn listings(page: &str, markdown: &str, page_dir: &Path) -> Result<Vec<Listing>, String> {
    let mut out = Vec::new();
    for block in snippets::blocks(markdown).into_iter().filter(|b| b.is_rust()) {
        let ignored = block.info.iter().any(|t| t == "ignore" || t == "compile_fail");
        let includes = snippets::includes(&block.body);
        if !ignored {
            out.push(Listing { page: page.into(), line: block.line, program: program(&block.body), visible: visible(&block.body) });
        } else if let [include] = includes.as_slice() {
            // a whole file that is a program (an example), not an anchored fragment
            if include.anchor.is_none() && include.path.ends_with(".rs") {
                let file = page_dir.join(&include.path);
                let text = fs::read_to_string(&file).map_err(|e| format!("src/{page}: {}: {e}", file.display()))?;
                if text.contains("fn main(") {
                    out.push(Listing { page: page.into(), line: block.line, program: text.clone(), visible: text });
                }
            }
        }
    }
    Ok(out)
}

/// The one listing whose program holds `marker` (how the copy sample and the runner benchmark name theirs), or
/// an error naming where it was found when that is not exactly one place.
pub fn holding<'a>(listings: &'a [Listing], marker: &str) -> Result<&'a Listing, String> {
    let found: Vec<&Listing> = listings.iter().filter(|l| l.program.contains(marker)).collect();
    match found.as_slice() {
        [listing] => Ok(listing),
        _ => {
            let at: Vec<String> = found.iter().map(|l| format!("src/{}:{}", l.page, l.line)).collect();
            Err(format!("one listing should hold `{marker}`; found {}: {}", found.len(), at.join(", ")))
        }
    }
}

/// What is wrong with a listing for a reader who copies it, if anything.
pub fn problem(listing: &Listing, block: &Block, course_crates: &BTreeSet<String>) -> Option<String> {
    let named = named_course_crates(&listing.visible);
    let mut missing = Vec::new();
    for name in used_crates(&listing.program) {
        if block.dependencies.contains(&name) || named.contains(&name) && course_crates.contains(&name) {
            continue;
        }
        if block.dev_dependencies.contains(&name) {
            if !["benches/", "tests/"].iter().any(|f| listing.visible.contains(f)) {
                missing.push(format!("`{name}` is a dev-dependency: say in a visible line which folder the listing goes in (benches/ or tests/)"));
            }
        } else if course_crates.contains(&name) {
            missing.push(format!("`{name}` is a course crate: name it in a visible line (\"the course's `{name}` crate\")"));
        } else {
            missing.push(format!("`{name}` is not in the README's dependency block"));
        }
    }
    (!missing.is_empty()).then(|| format!("src/{}:{}: {}", listing.page, listing.line, missing.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const README: &str = "# X\n\n## Copying a snippet\n\ntext\n\n```toml\n[dependencies]\nndarray = \"0.17\"\nndarray-rand = \"0.16\"\n\n[dev-dependencies]\ncriterion = \"0.8\"\n```\n";

    #[test]
    fn reads_the_readme_block() {
        let b = readme_block(README).unwrap();
        assert_eq!(b.dependencies, BTreeSet::from(["ndarray".to_owned(), "ndarray_rand".to_owned()]));
        assert_eq!(b.dev_dependencies, BTreeSet::from(["criterion".to_owned()]));
        assert!(readme_block("# X\n").is_err());
    }

    #[test]
    fn finds_crates_not_methods_types_or_local_modules() {
        let p = "use ndarray::{linalg, Array2};\nuse polars::prelude::*;\nmod util { pub fn f() {} }\nfn main() {\n    let a = Array2::<f64>::zeros((2, 2));\n    let s = a.iter().sum::<f64>();\n    linalg::general_mat_mul(1.0, &a, &a, 0.0, &mut a.clone());\n    util::f();\n    let x = f64::MAX + std::f64::consts::PI;\n    let d = dataframes::datasets::penguins();\n    println!(\"a::b {}\", s);\n}\n";
        assert_eq!(used_crates(p), BTreeSet::from(["dataframes".to_owned(), "ndarray".to_owned(), "polars".to_owned()]));
    }

    #[test]
    fn hidden_lines_are_part_of_the_program_but_not_visible() {
        let body = "# use ndarray::Array1;\n#\nfn main() {\n    // the course's `arrays` crate\n}\n";
        assert_eq!(program(body), "use ndarray::Array1;\n\nfn main() {\n    // the course's `arrays` crate\n}\n");
        assert!(!visible(body).contains("use ndarray"));
    }

    #[test]
    fn a_marker_names_exactly_one_listing() {
        let listing = |line: usize, program: &str| Listing { page: "p.md".into(), line, program: program.into(), visible: String::new() };
        let all = [listing(1, "fn main() { a(); }"), listing(9, "fn main() { b(); }")];
        assert_eq!(holding(&all, "a()").unwrap().line, 1);
        assert!(holding(&all, "fn main").unwrap_err().contains("found 2: src/p.md:1, src/p.md:9"));
        assert!(holding(&all, "c()").unwrap_err().contains("found 0"));
    }

    #[test]
    fn a_listing_must_name_course_crates_and_place_dev_dependencies() {
        let block = readme_block(README).unwrap();
        let course = BTreeSet::from(["dataframes".to_owned()]);
        let listing = |body: &str| Listing { page: "p.md".into(), line: 3, program: program(body), visible: visible(body) };
        assert_eq!(problem(&listing("use ndarray::Array1;\nfn main() {}\n"), &block, &course), None);
        let silent = problem(&listing("# use dataframes::datasets::penguins;\nfn main() {}\n"), &block, &course).unwrap();
        assert!(silent.contains("`dataframes` is a course crate"), "{silent}");
        let named = "// Needs the course's `dataframes` crate (README).\n# use dataframes::datasets::penguins;\nfn main() {}\n";
        assert_eq!(problem(&listing(named), &block, &course), None);
        // a course crate's name is not a way around the README for a public crate
        let unknown = problem(&listing("// the course's `rand` crate\nuse rand::Rng;\nfn main() {}\n"), &block, &course).unwrap();
        assert!(unknown.contains("`rand` is not in the README"), "{unknown}");
        let bench = "use criterion::Criterion;\nfn main() {}\n";
        assert!(problem(&listing(bench), &block, &course).unwrap().contains("dev-dependency"));
        assert_eq!(problem(&listing(&format!("// Goes in benches/sum.rs\n{bench}")), &block, &course), None);
    }
}
