//! Companion crate: see Cargo.toml's description.
