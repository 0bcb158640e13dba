//! The study layer: what a COINr user does after the build — compare runs ([`compare`], COINr
//! `compare_coins`), list a unit's strengths and weaknesses ([`strweak`], `get_str_weak`), tabulate
//! indicator statistics ([`stats`], `get_stats`), leave framework elements out ([`remove`],
//! `remove_elements`) and optimise weights ([`optimise`], `get_opt_weights`).
//!
//! Every result type is serde-serialisable and writes CSV (`uCode` first where the table is per unit)
//! through [`crate::io::write_atomic`].

pub mod compare;
mod csv_rows;
pub mod optimise;
pub mod remove;
pub mod stats;
pub mod strweak;
mod tree;
