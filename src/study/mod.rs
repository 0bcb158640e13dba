//! The study layer: what a COINr user does after the build — compare runs ([`compare`], COINr
//! `compare_coins`), list a unit's strengths and weaknesses ([`strweak`], `get_str_weak`), tabulate
//! indicator statistics ([`stats`], `get_stats`), leave framework elements out ([`remove`],
//! `remove_elements`), optimise weights ([`optimise`], `get_opt_weights`), and work with panels of
//! several periods ([`purse`], [`impute_panel`], [`trends`]; COINr's purse, `impute_panel`,
//! `get_trends`); and the tools of the city index's technology study: an expert panel's ratings
//! ([`panel`]), tiers of a ranking ([`tiers`]) and two-dimensional quadrants ([`quadrant`]).
//!
//! *Flow:* after **score** / **pipeline**: what a user does with a built index.
//!
//! Every result type is serde-serialisable (except [`purse::Purse`], which holds pipeline results)
//! and writes CSV (`uCode` first where the table is per unit) through the shared [`CsvTable`] trait
//! (files through [`crate::io::write_atomic`]).

pub mod compare;
mod csv_rows;
pub mod impute_panel;
pub mod optimise;
pub mod panel;
pub mod purse;
pub mod quadrant;
pub mod remove;
pub mod stats;
pub mod strweak;
pub mod tiers;
mod tree;
pub mod trends;

pub use csv_rows::CsvTable;
