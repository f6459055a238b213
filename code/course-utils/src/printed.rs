//! What a listing printed, as the page shows it: the numbers in it, and the shown output of a Python tab.
//!
//! A Python tab beside an included Rust function (one that prints nothing on the page) is compared by a test of
//! that function's crate: the test reads the tab's committed output (`cargo xtask outputs` writes it, and the test
//! command fails when it is stale), and checks that the Rust function computes the same numbers from the same
//! inputs. This file has no dependencies: `cargo xtask` compiles it too, for its own comparisons.

use std::path::{Path, PathBuf};

/// The numbers of a printed text, in order: a number is not part of a word (`f64`, `x2`), and may have a sign, a
/// decimal point (NumPy prints `1.` for 1.0) and an exponent.
pub fn numbers(text: &str) -> Vec<f64> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let word = |c: char| c.is_alphanumeric() || c == '_';
    while i < chars.len() {
        let starts = chars[i].is_ascii_digit() || (chars[i] == '-' && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit()));
        if !starts || (i > 0 && (word(chars[i - 1]) || chars[i - 1] == '.')) {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
            i += 1;
        }
        if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
            let mut j = i + 1;
            if j < chars.len() && (chars[j] == '-' || chars[j] == '+') {
                j += 1;
            }
            if j < chars.len() && chars[j].is_ascii_digit() {
                i = j;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
            }
        }
        if i < chars.len() && word(chars[i]) {
            while i < chars.len() && word(chars[i]) {
                i += 1; // part of a word after all (`2d`)
            }
            continue;
        }
        let token: String = chars[start..i].iter().collect();
        if let Ok(v) = token.trim_end_matches('.').parse::<f64>() {
            out.push(v);
        }
    }
    out
}

/// The text a shown output's program printed: what is inside its first fence.
pub fn fenced(output: &str) -> String {
    let fence = |l: &&str| l.starts_with("```") || l.starts_with("~~~~");
    let mut lines = output.lines().skip_while(|l| !fence(l)).skip(1);
    lines.by_ref().take_while(|l| !fence(l)).collect::<Vec<_>>().join("\n")
}

/// The numbers of the printed line that starts with `label` (`"bandwidth"` in `bandwidth 4.2`), with the lines
/// after it that continue it (NumPy wraps a long array); `None` when no line starts with it.
pub fn labelled(text: &str, label: &str) -> Option<Vec<f64>> {
    let mut lines = text.lines().skip_while(|l| !l.starts_with(label));
    let first = lines.next()?;
    let mut line = first[label.len()..].to_owned();
    for more in lines.take_while(|l| l.starts_with(' ')) {
        line.push_str(more);
    }
    Some(numbers(&line))
}

/// Where the book's shown outputs are: `figures/outputs/` of the repository.
pub fn outputs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../figures/outputs")
}

/// What a Python tab printed, from its committed output (`chapter/python/name.md`, under [`outputs_dir`]).
pub fn python_tab(name: &str) -> std::io::Result<String> {
    Ok(fenced(&std::fs::read_to_string(outputs_dir().join(name))?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_as_numpy_and_ndarray_print_them_and_not_from_words() {
        let numpy = "[[ 0.    1.25]\n [-2.   3.e-03]]\nshape (2, 2) float64 x2";
        assert_eq!(numbers(numpy), [0.0, 1.25, -2.0, 0.003, 2.0, 2.0]);
        assert_eq!(numbers("x[0, ::-2] = [4 2 0]"), [0.0, -2.0, 4.0, 2.0, 0.0]);
        assert_eq!(numbers("2d conv, 1.5e3 and 1e-2x"), [1500.0]);
    }

    #[test]
    fn a_labelled_line_takes_its_wrapped_continuation_and_nothing_else() {
        let text = "values [1. 2.\n 3.]\ngrid [0 1]\nbandwidth 0.5";
        assert_eq!(labelled(text, "values"), Some(vec![1.0, 2.0, 3.0]));
        assert_eq!(labelled(text, "grid"), Some(vec![0.0, 1.0]));
        assert_eq!(labelled(text, "bandwidth"), Some(vec![0.5]));
        assert_eq!(labelled(text, "density"), None);
        assert_eq!(fenced("<!-- m -->\n<div>\n\n```text\n7 8\n```\n\n</div>\n"), "7 8");
    }

    #[test]
    fn python_tabs_are_read_from_the_committed_outputs() {
        let shown = python_tab("dataframes/python/group_means.md").unwrap();
        assert!(shown.starts_with("species") && !shown.contains("```"), "{shown}");
        assert!(python_tab("nowhere/python/none.md").is_err());
    }
}
