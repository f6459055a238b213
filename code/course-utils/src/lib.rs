//! Tools shared by every chapter of *Rust for AI/ML*.
//!
//! - [`compare`]: the Rust counterpart of the module's `compare_implementations(functions, names, args, n_runs)`:
//!   check that implementations agree, then time them side by side.
//! - [`gnu_time`]: a program's peak memory (max RSS) and wall time, from GNU time.
//! - [`printed`]: the numbers a listing printed, and a Python tab's shown output, for the tests that compare
//!   them with Rust.
//! - [`machine`]: the stamp (CPU, cores, rustc, date) that every measured table carries.
//! - [`memory`]: peak heap of a piece of code, with a counting global allocator.
//! - [`rss`]: what a process's resident memory is made of (its own pages, mapped files), sampled.
//! - [`table`]: plain-text and markdown tables, and the header of generated files.
//! - [`theme`]: the one look every figure of the book shares.

pub mod agree;
pub mod compare;
pub mod gnu_time;
pub mod machine;
pub mod memory;
pub mod pages;
pub mod printed;
pub mod progress;
pub mod rss;
pub mod table;
pub mod theme;

pub use agree::{Agree, Tolerance};
pub use compare::{Compare, CompareError, OutputBuffer, Report, Schedule, Throughput, Timing, fastest_names, fastest_tied, plain_name};
pub use machine::Machine;
pub use table::Table;
