//! Variance-based sensitivity: Saltelli sampling with named input groups, first-order (Saltelli 2010)
//! and total-order (Jansen) Sobol indices ([`saltelli`], [`BatchModel::sobol`](super::BatchModel::sobol)),
//! and a one-at-a-time mode ([`BatchModel::oat`](super::BatchModel::oat)).

mod groups;
mod oat;
mod saltelli;

pub use groups::{GroupInput, SobolGroup};
pub use oat::OatResult;
pub use saltelli::{Bootstrap, SobolIndices, SobolIntervals, saltelli, saltelli_bootstrap};
