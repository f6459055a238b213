//! Companion crate: see Cargo.toml's description.

pub mod memory_requirements;
pub mod troubleshooting;
