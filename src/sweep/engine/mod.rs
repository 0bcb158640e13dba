//! The private sweep engine: everything behind the public face of [`crate::sweep`].
//!
//! * [`fast64`] / [`fast32`]: the fast chunk paths for models whose variants are one matrix product;
//! * [`rank`]: the ranking kernels (fast private implementations of [`crate::rank`]'s contract);
//! * [`accumulate`]: the score-histogram cell rule and the fast paths' position-order buffers;
//! * [`sampler`]: the block (four-lane) weight sampler;
//! * [`exact`]: exact integer score sums and the FNV-1a fingerprint hash;
//! * [`memory`]: memory estimates, the budget and fallible allocation;
//! * [`simd`]: the one AVX2 dispatch;
//! * [`general`]: the per-variant and batched general paths of the tree plan;
//! * [`linear`]: the linear plan (a model's matrix-product form), which the fast paths run.

pub(crate) mod accumulate;
pub(crate) mod exact;
pub(crate) mod fast32;
pub(crate) mod fast64;
pub(crate) mod general;
pub(crate) mod linear;
pub(crate) mod memory;
pub(crate) mod rank;
pub(crate) mod sampler;
pub(crate) mod simd;

use super::histogram::RankHistogram;
use super::score_stats::ScoreStats;

/// The tree engine's linear plan (the matrix-product form of a model), which the fast paths run.
pub(crate) use linear::LinearPlan;

/// A sweep's shared accumulators: rank histograms and score statistics.
pub(crate) struct Acc {
    pub(crate) ranks: RankHistogram,
    pub(crate) scores: ScoreStats,
}
