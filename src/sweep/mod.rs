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
//! * [`BatchModel::sobol`] / [`saltelli`]: Saltelli-sampled first-order and total Sobol indices over
//!   named input groups, and a one-at-a-time mode ([`BatchModel::oat`]).
//!
//! Determinism: variant `k` (or Sobol row `j`) depends on `(seed, k)` only, and a sweep's accumulators
//! are integer sums (rank and histogram counts, exact score sums), so results are identical for any
//! thread count and chunk size, and results of disjoint variant ranges merge into the single run bit
//! for bit ([`SweepResult::merge`], checked by a fingerprint of the sweep). Memory: sweeps, Sobol and
//! one-at-a-time analyses check an estimate against a budget before allocating
//! ([`SweepConfig::with_memory_budget`], [`default_memory_budget`]).

mod exact;
mod fast32;
mod from_scorer;
mod histogram;
mod kernel;
mod memory;
mod methods;
mod run;
mod sampler;
mod sobol;
mod synthetic;
mod ua;

pub use from_scorer::SweepSetup;
pub use histogram::{RankHistogram, ScoreStats, quantile_target, rank_min_into};
pub use kernel::BatchModel;
pub use memory::{FALLBACK_MEMORY_BUDGET, default_memory_budget};
pub use methods::{MethodChoice, MethodDimension, MethodSpace};
pub use run::{Control, MAX_SCORE_BINS, SweepConfig, SweepFingerprint, SweepResult};
pub use sampler::{AltSampler, NodeSelection, VariantSampler, WeightSampler};
pub use sobol::{
    Bootstrap, GroupInput, OatResult, SobolGroup, SobolIndices, SobolIntervals, saltelli,
    saltelli_bootstrap,
};
pub use synthetic::{min_max_columns, synthetic};
pub use ua::{UaReport, UaRow};
