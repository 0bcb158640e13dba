//! The study layer: what a COINr user does after the build — leave-one-out of framework elements
//! ([`remove`], COINr `remove_elements`) and optimised weights ([`optimise`], COINr
//! `get_opt_weights`).
//!
//! Every result is serde-serialisable and has a CSV writer (`uCode` first where the table is per
//! unit), written through [`crate::io::write_atomic`].

pub mod optimise;
pub mod remove;
mod tree;
