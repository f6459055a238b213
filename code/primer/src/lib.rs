//! Companion crate of the chapter *Rust for Python programmers*: the solutions of its exercises (the learner's
//! copy, with each body left as `todo!()`, is `exercises/primer`). The chapter's listings are compiled and run
//! by `tests/skeptic.rs`.

pub mod exercises;

/// Programs the primer shows failing to compile. rustdoc checks that each one fails with the error code the page
/// prints (`cargo test --doc`).
#[doc = concat!("```compile_fail,E0382\n", include_str!("../listings/use_after_move.rs"), "```")]
pub mod compile_errors {}
#[cfg(test)]
mod quiz; // the code of the chapter's quizzes, and the tests that compute their answers
