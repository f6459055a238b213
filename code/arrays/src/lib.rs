//! Companion crate of the chapter *Arrays with ndarray*: the code its pages include, its labs, and its figure
//! generators.

pub mod attention;
pub mod batch_matmul;
pub mod einsum;
pub mod figures;
pub mod lab_1_2_1;
pub mod lab_1_2_4;
pub mod layout;
pub mod outer;
pub mod sum;

/// Programs the book shows failing to compile. rustdoc checks that each one fails with the error code the page
/// prints (`cargo test --doc`).
#[doc = concat!("```compile_fail,E0502\n", include_str!("../listings/view_then_write.rs"), "```")]
pub mod compile_errors {}
pub mod practice; // the exercises of the topic pages (one at the end of each)
#[cfg(test)]
mod quiz; // the code of the chapter's quizzes, and the tests that compute their answers
