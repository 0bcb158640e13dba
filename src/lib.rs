//! # composite-indicators
//!
//! Build, explain and stress-test composite indices: rankings of cities, countries or technologies
//! built from many indicators grouped into pillars.
//!
//! The data flow runs one way:
//!
//! ```text
//! FrameworkSpec ──check──► Framework            Dataset (units × columns, NaN = missing)
//!                               │                    │
//!                               └──► Scorer: normalise (fit once) → aggregate per level → rank
//!                                           │
//!                                           └──► Scores: every node × unit, ranks, contributions,
//!                                                tag sub-indices, group summaries
//! ```
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

#[allow(deprecated)] // Error::param: the remaining call sites are converted at the merge
pub mod aggregate;
pub mod audit;
pub mod data;
pub mod error;
pub mod io;
pub mod normalise;
pub mod pipeline;
#[cfg(feature = "plot")]
pub mod plot;
pub mod prepare;
pub mod rank;
#[allow(deprecated)] // Error::param: the remaining call sites are converted at the merge
pub mod score;
mod serde_nan;
pub mod spec;
mod stats;
pub mod study;
#[allow(deprecated)] // Error::param: the remaining call sites are converted at the merge
pub mod sweep;
pub mod weights;

pub use aggregate::{Aggregator, AggregatorKind, MissingPolicy};
pub use data::Dataset;
pub use error::{Error, Result};
pub use normalise::{Normaliser, NormaliserKind};
pub use rank::TieRule;
pub use spec::{Direction, Framework, FrameworkSpec, Indicator, Pillar};
pub use weights::WeightScheme;

/// The most used types in one import.
pub mod prelude {
    pub use crate::aggregate::{Aggregator, AggregatorKind, MissingPolicy};
    pub use crate::data::Dataset;
    pub use crate::error::{Error, Result};
    pub use crate::normalise::{Normaliser, NormaliserKind};
    pub use crate::rank::TieRule;
    pub use crate::spec::{Direction, Framework, FrameworkSpec, Indicator, Pillar};
    pub use crate::study::CsvTable;
    pub use crate::weights::WeightScheme;
}

/// The README's code blocks, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
