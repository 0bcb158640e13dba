//! Readers for one data set each, kept apart from the generic readers of [`crate::io`]: they know a
//! specific file's layout (its columns, codes and conventions) rather than a general format.
//!
//! * [`cbcii`]: the framework table of the China Biopharmaceutical City Innovation Index
//!   (`data/cbcii/framework.csv`).

pub mod cbcii;
