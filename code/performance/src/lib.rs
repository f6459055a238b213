//! Companion crate of the chapter "Performance" and Lab 1.2.5 (Profiling Exercise).
//!
//! - [`knn`]: the lab's slow function (pairwise distances + k nearest neighbours) and its optimized steps.
//! - [`lab_1_2_5`]: the lab's measured comparison of the steps, and its profiles.
//! - [`kernels`]: one dot product written several ways (bounds checks, SIMD lanes, AVX2, rayon), measured.
//! - [`profiles`]: sampling profiles with pprof: flamegraph and per-function table.

pub mod kernels;
pub mod knn;
pub mod lab_1_2_5;
pub mod profiles;
pub mod practice; // the exercises of the topic pages (one at the end of each)
#[cfg(test)]
mod quiz; // the code of the chapter's quizzes, and the tests that compute their answers
