//! The study layer: what a user does after a build — compare runs, list a unit's strengths and
//! weaknesses, tabulate indicator statistics.
//!
//! Every result type is serde-serialisable and writes CSV (`uCode` first where the table is per unit)
//! through [`crate::io::write_atomic`].

pub mod compare;
mod csv_rows;
pub mod stats;
pub mod strweak;
