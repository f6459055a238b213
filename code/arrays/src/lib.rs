//! Companion crate of the chapter *Arrays with ndarray*: the code its pages include, and its figure generators.

pub mod figures;
pub mod sum;
