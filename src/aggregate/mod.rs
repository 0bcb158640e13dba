//! Aggregation: combine children (indicators or sub-aggregates) into their parent's score.
//!
//! The [`Aggregator`] trait is object-safe and works on a whole units × children block at once, so
//! methods that compare units (Copeland) fit the same interface as row-wise means. Built-in methods are
//! the serde-tagged variants of [`AggregatorKind`].
//!
//! **Missing children** follow the [`MissingPolicy`] in the [`NodeContext`]:
//! `Skip` drops missing children and re-normalises the remaining weights (COINr's behaviour; the
//! result is missing when the available share of children is below `min_coverage` or when all are
//! missing), `Propagate` makes the result missing as soon as one child is, `Error` fails with
//! [`Error::MissingValue`](crate::Error::MissingValue) naming unit, node and child.

use std::fmt;

use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::Result;

/// What to do with missing (NaN) children when aggregating.
///
/// ```
/// use composite_indicators::aggregate::MissingPolicy;
/// assert_eq!(MissingPolicy::default(), MissingPolicy::Skip { min_coverage: 0.0 });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "policy", rename_all = "snake_case")]
pub enum MissingPolicy {
    /// Skip missing children and re-weight over the available ones. The result is missing if the share
    /// of available children (by count) is strictly below `min_coverage` (COINr's `dat_thresh`), or if
    /// no child is available.
    Skip {
        /// Minimum share of available children in `[0, 1]`.
        #[serde(default)]
        min_coverage: f64,
    },
    /// Any missing child makes the result missing.
    Propagate,
    /// Any missing child is an error naming unit, node and child.
    Error,
}

impl Default for MissingPolicy {
    fn default() -> Self {
        MissingPolicy::Skip { min_coverage: 0.0 }
    }
}

/// What an aggregator knows about the node it computes.
#[derive(Debug, Clone, Copy)]
pub struct NodeContext<'a> {
    /// The aggregate's code.
    pub node: &'a str,
    /// The children's codes, in column order of the value block.
    pub children: &'a [String],
    /// Unit codes, in row order.
    pub unit_codes: &'a [String],
    /// Missing-value policy.
    pub missing: MissingPolicy,
}

/// How an aggregator combines children linearly, when it does (enables exact contributions and the
/// one-GEMM fast path of weight sweeps).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Linearity {
    /// `Σ wᵢxᵢ / Σ wᵢ` over available children.
    Mean,
    /// `Σ wᵢxᵢ` over available children (no division).
    Sum,
}

/// An aggregation method.
pub trait Aggregator: fmt::Debug + Send + Sync {
    /// Short name for reports and errors.
    fn name(&self) -> String;
    /// Aggregate a units × children block with one non-negative weight per child (positive sum).
    fn aggregate(
        &self,
        values: ArrayView2<'_, f64>,
        weights: &[f64],
        ctx: &NodeContext<'_>,
    ) -> Result<Array1<f64>>;
    /// `Some` if the method is a weighted arithmetic mean or weighted sum.
    fn linearity(&self) -> Option<Linearity> {
        None
    }
}

/// Built-in aggregation methods (serde-tagged by `method`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum AggregatorKind {
    /// Weighted arithmetic mean `Σ wᵢxᵢ / Σ wᵢ` (missing children skipped per policy).
    Arithmetic,
    /// Weighted sum `Σ wᵢxᵢ` over available children (no division by the weight sum); the city index
    /// adds its pillar scores this way.
    Sum,
    /// Weighted geometric mean `(Π (xᵢ + offset)^wᵢ)^(1/Σwᵢ) − offset`; non-positive `xᵢ + offset` is
    /// an error naming unit and child.
    Geometric {
        /// Opt-in shift added before (and removed after) the mean; 0 by default.
        #[serde(default)]
        offset: f64,
    },
    /// Weighted harmonic mean `Σwᵢ / Σ(wᵢ/(xᵢ + offset)) − offset`; non-positive values are an error.
    Harmonic {
        /// Opt-in shift, as for the geometric mean.
        #[serde(default)]
        offset: f64,
    },
    /// Weighted power (generalised) mean `(Σ wᵢxᵢ^p / Σwᵢ)^(1/p)`; `p = 0` is the geometric mean.
    Power {
        /// The exponent.
        p: f64,
    },
    /// Weighted median of the available children.
    Median,
    /// Copeland: pairwise weighted-majority comparison of units.
    Copeland,
}

impl Default for AggregatorKind {
    fn default() -> Self {
        AggregatorKind::Arithmetic
    }
}

mod builtin;
