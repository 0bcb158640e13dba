//! The study layer: what a COINr user does after a single build — panels over time, comparisons,
//! leave-one-out, strengths and weaknesses, optimised weights, statistics.
//!
//! * [`purse`]: panel data ([`purse::PanelData`]) and per-period builds with global or per-period
//!   normalisation ([`purse::Purse`], COINr's purse).
//! * [`impute_panel`]: imputation along time (COINr `impute_panel`).
//! * [`trends`]: CAGR, slope and percentage change per unit and node (COINr `get_trends`).

pub mod impute_panel;
pub mod purse;
pub mod trends;
