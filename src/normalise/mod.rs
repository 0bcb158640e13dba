//! Normalisation: bring indicators onto a common scale.
//!
//! The [`Normaliser`] trait is object-safe and works in two steps: [`Normaliser::fit`] learns the
//! parameters from a column (min/max, mean/sd, the sorted reference sample ...) and returns a
//! [`FittedNormaliser`] whose [`FittedNormaliser::apply`] maps any column (the same units, new units
//! or a new year) onto the learned scale. Built-in methods are the serde-tagged variants of
//! [`NormaliserKind`], which implements the same trait a user implements for their own method.
//!
//! **Direction.** Before fitting, the caller multiplies the column by the indicator's direction
//! (COINr's convention): a direction −1 indicator arrives negated, so every method can treat "higher is
//! better". Methods that use raw-unit parameters (targets, goalposts, max scores) receive the direction in
//! [`ColumnContext`] and orient those parameters themselves.
//!
//! **Missing values** (NaN) are ignored when fitting and stay NaN when applying.

use std::fmt;

use ndarray::{Array1, ArrayView1};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::spec::Direction;

/// What a normaliser may know about the column it fits, besides the values.
///
/// ```
/// use composite_indicators::normalise::ColumnContext;
/// use composite_indicators::Direction;
/// let units = vec!["A".to_string(), "B".to_string()];
/// let ctx = ColumnContext::new("LPI", &units).with_direction(Direction::Negative);
/// assert_eq!(ctx.code, "LPI");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ColumnContext<'a> {
    /// The indicator's code (for error messages).
    pub code: &'a str,
    /// The indicator's direction (already applied to the values).
    pub direction: Direction,
    /// Target in raw units, if the spec gives one.
    pub target: Option<f64>,
    /// Goalposts `[lo, hi]` in raw units, if the spec gives them.
    pub goalposts: Option<[f64; 2]>,
    /// Maximum raw score, if the spec gives one.
    pub max_score: Option<f64>,
    /// Unit codes of the rows being fitted (reference-unit methods, error messages).
    pub unit_codes: &'a [String],
}

impl<'a> ColumnContext<'a> {
    /// A context with direction +1 and no targets.
    pub fn new(code: &'a str, unit_codes: &'a [String]) -> Self {
        ColumnContext {
            code,
            direction: Direction::Positive,
            target: None,
            goalposts: None,
            max_score: None,
            unit_codes,
        }
    }
    /// Set the direction.
    pub fn with_direction(mut self, d: Direction) -> Self {
        self.direction = d;
        self
    }
    /// Set the target.
    pub fn with_target(mut self, t: Option<f64>) -> Self {
        self.target = t;
        self
    }
    /// Set the goalposts.
    pub fn with_goalposts(mut self, g: Option<[f64; 2]>) -> Self {
        self.goalposts = g;
        self
    }
    /// Set the max score.
    pub fn with_max_score(mut self, m: Option<f64>) -> Self {
        self.max_score = m;
        self
    }
}

/// A normalisation method: learns parameters from a column.
///
/// Implement it to plug in your own method; see the `custom_normaliser` example.
pub trait Normaliser: fmt::Debug + Send + Sync {
    /// Short name for reports and errors.
    fn name(&self) -> String;
    /// Learn the parameters from `x` (already multiplied by the direction; NaN = missing).
    fn fit(
        &self,
        x: ArrayView1<'_, f64>,
        ctx: &ColumnContext<'_>,
    ) -> Result<Box<dyn FittedNormaliser>>;
}

/// A normaliser with learned parameters.
pub trait FittedNormaliser: fmt::Debug + Send + Sync {
    /// Map a column (already multiplied by the direction) onto the learned scale; NaN stays NaN.
    /// `unit_codes` name the rows of `x`, for error messages.
    fn apply(&self, x: ArrayView1<'_, f64>, unit_codes: &[String]) -> Result<Array1<f64>>;
}

/// Built-in normalisation methods (serde-tagged by `method`).
///
/// The formulas are documented on each variant; all follow COINr's `n_*` functions where COINr
/// defines the method.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum NormaliserKind {
    /// Min-max onto `[lo, hi]`: `(x − min)/(max − min)·(hi − lo) + lo` (min and max over non-missing
    /// values). Zero range → [`Error::ZeroRange`](crate::Error::ZeroRange).
    MinMax {
        /// Lower bound of the output.
        lo: f64,
        /// Upper bound of the output.
        hi: f64,
    },
    /// z-score: `(x − mean)/sd·sd_target + mean_target`, sample sd (n − 1).
    ZScore {
        /// Target mean.
        mean: f64,
        /// Target standard deviation (> 0).
        sd: f64,
    },
    /// Rank, ascending, min ties (`rank(x, ties = "min")` in R): highest value gets rank n.
    Rank,
    /// Percentile rank `(rank − 1)/(n − 1)`, min ties.
    PercentileRank,
    /// Borda score `rank − 1`, min ties.
    Borda,
    /// Distance to the maximum: `1 − (max − x)/(max − min)`.
    DistToMax,
    /// Fraction of the maximum: `x / max`.
    FracMax,
    /// Distance to a reference unit: `1 − (x_ref − x)/(x_ref − min)`, optionally capped at 1.
    DistToRef {
        /// Code of the reference unit.
        unit: String,
        /// Cap scores above the reference at 1.
        #[serde(default)]
        cap_max: bool,
    },
    /// Goalposts from the spec: `(x − lo)/(hi − lo)` (direction +1) or `(hi − x)/(hi − lo)` (−1),
    /// truncated to `[0, 1]` when `truncate`, times `scale`.
    Goalposts {
        /// Output scale (1 or 100, say).
        scale: f64,
        /// Truncate to the goalposts.
        truncate: bool,
    },
    /// Distance to the spec's target: `1 − (t − x)/(t − min)` on direction-oriented values,
    /// optionally capped at 1.
    DistToTarget {
        /// Cap scores beyond the target at 1.
        #[serde(default)]
        cap_max: bool,
    },
    /// Scale by the indicator's max score: `x / max_score` (direction −1: `1 − x/max_score`).
    MaxScore,
    /// No transformation (the direction is still applied).
    Identity,
}

impl Default for NormaliserKind {
    fn default() -> Self {
        NormaliserKind::MinMax { lo: 0.0, hi: 100.0 }
    }
}

mod builtin;
