//! Companion crate of the chapter *DataFrames with polars for ML*: the data sets, the code its pages include,
//! and Lab 1.2.2's `Preprocessor`.

pub mod datasets;
pub mod preprocessing_pipeline;
pub mod lab_1_2_2;
pub mod io;
pub mod plan_figure; // the operations page's drawing of a lazy plan
pub mod out_of_core; // the optional page "When the data outgrows memory"
pub mod practice; // the exercises of the topic pages (one at the end of each)
#[cfg(test)]
mod quiz; // the code of the chapter's quizzes, and the tests that compute their answers
