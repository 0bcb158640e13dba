//! # composite-indicators
//!
//! Build, explain and stress-test composite indices: rankings of cities, countries or technologies
//! built from many indicators grouped into pillars.
//!
//! ## The flow
//!
//! Data run one way, and the modules follow them:
//! `spec → data → prepare → normalise → aggregate → score → pipeline → sweep`.
//!
//! ```text
//! spec (TOML / JSON / iMeta)              data (CSV / iData / ndarray)
//!   FrameworkSpec ──check──► Framework      Dataset (units × columns, NaN = missing)
//!                               │             │
//!                               │      prepare: denominate → impute → screen → treat
//!                               │             │
//!                               └──► score: Scorer = normalise (fit once) → weights →
//!                                           aggregate per level → rank
//!                                             │
//!                                             ├──► Scores: every node × unit, ranks, contributions
//!                                             │
//!            pipeline: the whole build (prepare → normalise → score) from one serde config
//!                                             │
//!            sweep: K weight / method variants → rank histograms, uncertainty, Sobol indices
//!
//!            study, audit, plot: what is done with a built index (compare, tiers, panels, ...)
//! ```
//!
//! ## Module map (in flow order)
//!
//! | module | role |
//! |---|---|
//! | [`spec`] | the framework: indicators, aggregate nodes, directions, weights; `FrameworkSpec` → checked `Framework` |
//! | [`data`] | `Dataset`: units × columns, unit codes and names, group columns |
//! | [`io`] | readers (CSV, COINr iMeta / iData, TOML / JSON specs) and atomic writers; [`io::datasets`] for one-data-set readers |
//! | [`prepare`] | denominate, impute, screen units, treat outliers |
//! | [`normalise`] | `Normaliser` trait and the built-in `NormaliserKind`s (fit → apply) |
//! | [`weights`] | `WeightScheme`: nominal, equal, explicit, bonus, entropy, CRITIC, sd, PCA, AHP |
//! | [`aggregate`] | `Aggregator` trait and the built-in `AggregatorKind`s; `MissingPolicy` |
//! | [`rank`] | ranks with explicit tie rules (`TieRule`) |
//! | [`score`] | `Scorer` (the build of one variant) and `Scores` (values, ranks, contributions) |
//! | [`pipeline`] | `Pipeline`: the whole build from one `PipelineConfig`, every intermediate data set kept |
//! | [`sweep`] | weight and method sweeps: `BatchModel`, samplers, rank histograms, UA, Sobol |
//! | [`audit`] | correlations, Cronbach's alpha, PCA variance, flags |
//! | [`study`] | compare runs, strengths and weaknesses, statistics, leave-one-out, optimised weights, panels, expert panels, tiers, quadrants |
//! | `plot` | SVG plots of the results (feature `plot`) |
//! | [`error`] | the one `Error` type (typed: parameter, value, expected) and `Result` |
//!
//! Private: `plan` (the tree plan: node order, each node's `MeanForm`, the one effective-weights rule
//! and the bonus term; `Scorer` is its one-variant case and every sweep path scores through it),
//! `stats` (moments, correlations, eigen-decomposition, significance tests: one home for the
//! statistics every module uses), `serde_nan` and `nan_eq` (the equality of results holding missing
//! values: missing equals missing).
//!
//! ## Where to start
//!
//! `use composite_indicators::prelude::*;` brings the working set (the same names are at the crate
//! root). Read a framework and data ([`io::read_imeta_path`], [`io::read_csv_path`]), build a
//! [`Scorer`], call [`Scorer::score`], and read the [`Scores`]; for the whole build with preparation
//! use [`pipeline::Pipeline`]; for uncertainty, [`sweep`]. The examples (`cargo run --example asem`,
//! `score`, `sweep`, `weight_sensitivity`) walk through each step.
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod aggregate;
pub mod audit;
pub mod data;
pub mod error;
pub mod io;
mod nan_eq;
pub mod normalise;
pub mod pipeline;
mod plan;
#[cfg(feature = "plot")]
pub mod plot;
pub mod prepare;
pub mod rank;
pub mod score;
mod serde_keys;
mod serde_nan;
pub mod spec;
mod stats;
pub mod study;
pub mod sweep;
pub mod weights;

// The root re-exports the prelude, so the working set has one list (the prelude) and two equal
// spellings: `composite_indicators::Scorer` and `composite_indicators::prelude::Scorer`.
pub use prelude::*;

/// The `ndarray` this crate's API takes and returns (`Dataset::new` takes an `Array2<f64>`, results
/// hold `Array2`s): use it through this re-export to get the same version without a dependency of
/// your own (two `ndarray` versions in one build give "expected `Array2`, found `Array2`" errors).
///
/// ```
/// use composite_indicators::ndarray::array;
/// let d = composite_indicators::Dataset::new(
///     vec!["X".into()],
///     vec!["a".into()],
///     array![[1.0]],
/// )
/// .unwrap();
/// assert_eq!(d.n_units(), 1);
/// ```
pub use ndarray;

/// The working set in one import: the framework, the data, the build, its methods, errors, the
/// readers and the sweep essentials.
///
/// ```
/// use composite_indicators::prelude::*;
/// let spec = FrameworkSpec::new(
///     "toy",
///     vec![Indicator::new("a", "Index"), Indicator::new("b", "Index")],
///     vec![Pillar::new("Index")],
/// );
/// let data = Dataset::new(
///     vec!["X".into(), "Y".into()],
///     vec!["a".into(), "b".into()],
///     ndarray::array![[1.0, 2.0], [3.0, 5.0]],
/// )
/// .unwrap();
/// let scores = Scorer::new(spec.check().unwrap()).score(&data).unwrap();
/// assert_eq!(scores.rank("Y", "Index").unwrap(), 1.0);
/// ```
pub mod prelude {
    #[doc(no_inline)]
    pub use crate::aggregate::{Aggregator, AggregatorKind, MissingPolicy};
    #[doc(no_inline)]
    pub use crate::data::Dataset;
    #[doc(no_inline)]
    pub use crate::error::{Error, Result};
    #[doc(no_inline)]
    pub use crate::io::{
        CsvOptions, read_csv, read_csv_path, read_idata, read_idata_panel, read_idata_panel_path,
        read_idata_path, read_imeta, read_imeta_path, read_spec,
    };
    #[doc(no_inline)]
    pub use crate::normalise::{Normaliser, NormaliserKind};
    #[doc(no_inline)]
    pub use crate::rank::TieRule;
    #[doc(no_inline)]
    pub use crate::score::{Scorer, Scores};
    #[doc(no_inline)]
    pub use crate::spec::{Direction, Framework, FrameworkSpec, Indicator, Pillar};
    #[doc(no_inline)]
    pub use crate::study::CsvTable;
    #[doc(no_inline)]
    pub use crate::sweep::{AltSampler, BatchModel, NodeSelection, SweepConfig, WeightSampler};
    #[doc(no_inline)]
    pub use crate::weights::WeightScheme;
}

/// The README's code blocks, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
