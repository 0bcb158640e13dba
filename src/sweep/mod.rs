//! Weight sweeps: samplers, batched re-scoring, rank histograms, uncertainty and Sobol sensitivity.
//!
//! *Flow:* spec → data → prepare → normalise → aggregate → score → pipeline → **sweep**. The last step: many variants of a build, their rank and score spread.
//!
//! Build a [`BatchModel`] from a checked framework, one aggregator per aggregate node, a missing-value
//! policy, an optional bonus weight and one normalised matrix per method alternative (each alternative
//! may have its own aggregators: [`BatchModel::with_alternative`]); or let [`SweepSetup`] build it from
//! a [`Scorer`](crate::score::Scorer), or [`MethodSpace`] from a grid of pipeline choices (imputation,
//! treatment, normalisation, aggregation, ... in the style of COINr's `SA_specs`). Then:
//!
//! * [`BatchModel::score_variant`] / [`BatchModel::score_batch`]: one variant through the
//!   [`Aggregator`](crate::Aggregator) trait, or K variants at once (one matrix product when the tree is
//!   linear and complete);
//! * [`BatchModel::sweep`]: seeded variants ([`WeightSampler`], [`AltSampler`]) in parallel chunks,
//!   accumulated into exact [`RankHistogram`]s and [`ScoreStats`], summarised by a [`UaReport`];
//!   [`BatchModel::sweep_with`] adds progress and cancellation ([`Control`]);
//! * [`BatchModel::sobol`] / [`saltelli`]: Saltelli-sampled first-order and total Sobol indices over
//!   named input groups, and a one-at-a-time mode ([`BatchModel::oat`]).
//!
//! Ranks follow the crate's one rank contract ([`crate::rank`]: 1 = best, `Min` ties, missing =
//! unranked, [`Rank`](crate::rank::Rank)).
//!
//! Determinism: variant `k` (or Sobol row `j`) depends on `(seed, k)` only, and a sweep's accumulators
//! are integer sums (rank and histogram counts, exact score sums), so results are identical for any
//! thread count and chunk size, and results of disjoint variant ranges merge into the single run bit
//! for bit ([`SweepResult::merge`], checked by a fingerprint of the sweep). Memory: sweeps, Sobol and
//! one-at-a-time analyses check an estimate against a budget before allocating
//! ([`SweepConfig::with_memory_budget`], [`default_memory_budget`]).
//!
//! Layout: the public face is `config` (options), `result` and `ua` (what a sweep returns),
//! `histogram` and `score_stats` (the accumulators), `sampler`, `methods` and `sensitivity`; the
//! private `engine` holds the fast paths, ranking kernels, block sampler, exact sums, memory
//! estimates and the SIMD dispatch.

#[doc(hidden)]
pub mod bench_support;
mod config;
mod engine;
mod from_scorer;
mod histogram;
mod methods;
mod model;
mod result;
mod run;
mod sampler;
mod score_stats;
mod sensitivity;
mod ua;

// paths the tree engine (model.rs, engine/general.rs) uses
use engine::{exact, memory};

pub use config::{
    AUTO_RANK_BINS, AUTO_RANK_CELLS, Control, MAX_SCORE_BINS, RankSummary, SweepConfig,
};
pub use engine::memory::{FALLBACK_MEMORY_BUDGET, default_memory_budget};
pub use from_scorer::SweepSetup;
pub use histogram::RankHistogram;
pub use methods::{MethodChoice, MethodDimension, MethodSpace};
pub use model::BatchModel;
pub use result::{SweepFingerprint, SweepResult};
pub use sampler::{AltSampler, NodeSelection, VariantSampler, WeightSampler};
pub use score_stats::ScoreStats;
pub use sensitivity::{
    Bootstrap, GroupInput, OatResult, SobolGroup, SobolIndices, SobolIntervals, saltelli,
    saltelli_bootstrap,
};
pub use ua::{UaReport, UaRow};
