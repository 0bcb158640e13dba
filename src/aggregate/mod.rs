//! Aggregation: combine children (indicators or sub-aggregates) into their parent's score.
//!
//! *Flow:* spec → data → prepare → normalise → **aggregate** → score → pipeline → sweep. One node's children into its value, level by level.
//!
//! The [`Aggregator`] trait is object-safe and works on a whole units × children block at once, so
//! methods that compare units (Copeland) fit the same interface as row-wise means. Built-in methods are
//! the serde-tagged variants of [`AggregatorKind`].
//!
//! **Missing children** follow the [`MissingPolicy`] in the [`NodeContext`]:
//! `Skip` drops missing children and re-normalises the remaining weights (COINr's behaviour; the
//! result is missing when the available share of children is below `min_coverage` or when all are
//! missing), `Propagate` makes the result missing as soon as one child is, `Error` fails with
//! [`Error::MissingValue`] naming unit, node and child. A unit whose available children weigh zero
//! in total gets NaN under every policy.
//!
//! One code path applies these rules for every built-in method ([`check_block`], [`row_weight_sum`],
//! and [`aggregate_rows`] for row-wise methods); custom aggregators can call the same functions.
//!
//! **Multi-criteria methods** ([`AggregatorKind::Topsis`], [`AggregatorKind::Promethee`]) rank units
//! against each other, so inside a hierarchical framework they aggregate the children of **one node**
//! across **all units scored together**: the units are the alternatives, the node's children
//! (indicators or sub-aggregates) the criteria, the node's weights the criteria weights. The output per
//! unit is the method's raw score, **not rescaled**: a TOPSIS closeness in `[0, 1]`, a PROMETHEE II net
//! flow in `[−1, 1]`. A parent therefore sees such a child on its own scale beside siblings on the
//! normaliser's scale (0–100 by default): use the same method at every level, or weights that account
//! for the scales, when mixing. Adding or removing a unit can change every other unit's score (as for
//! Copeland). The children's values are the normalised, direction-oriented ones, so every criterion is
//! a benefit criterion. A unit whose result is missing under the policy is not an alternative of the
//! comparison (it gets NaN and affects no other unit).

use std::fmt;
use std::str::FromStr;

use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Expected, Result};

pub(crate) mod builtin;
mod mcda;
mod rows;

pub(crate) use builtin::{power_domain, power_root};
pub use mcda::{PreferenceFunction, TopsisNormalisation};
pub use rows::{RowInput, aggregate_rows, check_block, row_weight_sum};

/// What to do with missing (NaN) children when aggregating.
///
/// ```
/// use composite_indicators::aggregate::MissingPolicy;
/// assert_eq!(MissingPolicy::default(), MissingPolicy::Skip { min_coverage: 0.0 });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(tag = "policy", rename_all = "snake_case", deny_unknown_fields)]
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

// keys beside `propagate` / `error` are refused (see `crate::serde_keys`)
crate::serde_keys::strict_tagged!(
    MissingPolicy,
    "policy",
    MissingPolicy::Propagate | MissingPolicy::Error
);

impl Default for MissingPolicy {
    fn default() -> Self {
        MissingPolicy::Skip { min_coverage: 0.0 }
    }
}

/// What an aggregator knows about the node it computes.
///
/// ```
/// use composite_indicators::aggregate::{MissingPolicy, NodeContext};
/// let children = vec!["LPI".to_string(), "Flights".to_string()];
/// let units = vec!["AUT".to_string()];
/// let ctx = NodeContext { node: "Conn", children: &children, unit_codes: &units,
///                         missing: MissingPolicy::Propagate };
/// assert_eq!(ctx.children.len(), 2);
/// ```
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

/// How an aggregator can be computed for many weight variants at once (the sweep engine's batched
/// paths, the one-product fast path and exact contributions).
///
/// Every form is over the **available** children of a unit (missing ones and their weights dropped,
/// the [`MissingPolicy`] applied as [`row_weight_sum`] does), with `W = Σ wᵢ` over the same children:
///
/// * [`Linear`](MeanForm::Linear): the weighted arithmetic mean `Σ wᵢxᵢ / W`;
/// * [`Sum`](MeanForm::Sum): the weighted sum `Σ wᵢxᵢ`;
/// * [`QuasiArithmetic`](MeanForm::QuasiArithmetic): `φ⁻¹(Σ wᵢ φ(xᵢ) / W)` for a [`QuasiTransform`]
///   `φ` (geometric, harmonic and power means, or a user's own);
/// * [`Opaque`](MeanForm::Opaque): none of these (median, Copeland, TOPSIS, PROMETHEE, most custom
///   methods). Such a node is computed through [`Aggregator::aggregate`], one variant at a time: same
///   results, slower.
///
/// A form is a promise: the batched paths compute the formula above instead of calling
/// [`Aggregator::aggregate`], so the two must agree (to rounding) wherever the batch is used.
///
/// # Examples
///
/// ```
/// use composite_indicators::aggregate::{Aggregator, AggregatorKind, MeanForm, QuasiTransform};
/// assert_eq!(AggregatorKind::Arithmetic.mean_form(), MeanForm::Linear);
/// assert_eq!(AggregatorKind::Sum.mean_form(), MeanForm::Sum);
/// assert_eq!(
///     AggregatorKind::Geometric { offset: 0.0 }.mean_form(),
///     MeanForm::QuasiArithmetic(QuasiTransform::Log { offset: 0.0 })
/// );
/// assert_eq!(AggregatorKind::Median.mean_form(), MeanForm::Opaque);
/// assert!(MeanForm::Sum.is_linear() && !MeanForm::Opaque.is_linear());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum MeanForm {
    /// `Σ wᵢxᵢ / W` over available children.
    Linear,
    /// `Σ wᵢxᵢ` over available children (no division).
    Sum,
    /// `φ⁻¹(Σ wᵢ φ(xᵢ) / W)` over available children.
    QuasiArithmetic(QuasiTransform),
    /// Not batchable: computed through [`Aggregator::aggregate`].
    Opaque,
}

impl MeanForm {
    /// Whether the form is linear in the children (a mean or a sum): the tree then collapses to
    /// effective indicator weights and contributions are exact.
    ///
    /// # Examples
    ///
    /// ```
    /// use composite_indicators::aggregate::MeanForm;
    /// assert!(MeanForm::Linear.is_linear());
    /// assert!(!MeanForm::Opaque.is_linear());
    /// ```
    pub fn is_linear(&self) -> bool {
        matches!(self, MeanForm::Linear | MeanForm::Sum)
    }

    /// Whether the batched paths can compute the form (anything but [`MeanForm::Opaque`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use composite_indicators::aggregate::{MeanForm, QuasiTransform};
    /// assert!(MeanForm::QuasiArithmetic(QuasiTransform::Power { p: 2.0 }).is_batchable());
    /// assert!(!MeanForm::Opaque.is_batchable());
    /// ```
    pub fn is_batchable(&self) -> bool {
        !matches!(self, MeanForm::Opaque)
    }
}

/// The transform `φ` of a quasi-arithmetic mean `φ⁻¹(Σ wᵢ φ(xᵢ) / Σ wᵢ)` ([`MeanForm::QuasiArithmetic`]).
///
/// The built-in means use [`Log`](QuasiTransform::Log) (geometric), [`Reciprocal`](QuasiTransform::Reciprocal)
/// (harmonic) and [`Power`](QuasiTransform::Power); a user aggregator gives its own pair of functions
/// with [`Custom`](QuasiTransform::Custom). A value outside `φ`'s domain (`phi` returns `None`) makes
/// the batched paths hand the node back to [`Aggregator::aggregate`], which reports the error or skips
/// the value as the method does.
///
/// # Examples
///
/// ```
/// use composite_indicators::aggregate::QuasiTransform;
/// // the quadratic mean: φ(x) = x², φ⁻¹(m) = √m
/// let q = QuasiTransform::Custom { phi: |x| x * x, inverse: f64::sqrt };
/// assert_eq!(q.phi(3.0), Some(9.0));
/// assert_eq!(q.inverse(9.0), 3.0);
/// assert_eq!(QuasiTransform::Log { offset: 0.0 }.phi(0.0), None);
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum QuasiTransform {
    /// `φ(x) = ln(x + offset)`, `φ⁻¹(m) = exp(m) − offset` (the geometric mean; `x + offset > 0`).
    Log {
        /// Shift added before the logarithm.
        offset: f64,
    },
    /// `φ(x) = 1 / (x + offset)`, `φ⁻¹(m) = 1/m − offset` (the harmonic mean; `x + offset > 0`).
    Reciprocal {
        /// Shift added before the reciprocal.
        offset: f64,
    },
    /// `φ(x) = xᵖ`, `φ⁻¹(m) = m^(1/p)` (the power mean, `p ≠ 0`; domain as
    /// [`AggregatorKind::Power`]).
    Power {
        /// The exponent.
        p: f64,
    },
    /// A user's transform: `phi` and its inverse `inverse`. A non-finite `phi(x)` marks `x` as
    /// outside the domain.
    Custom {
        /// `φ`.
        phi: fn(f64) -> f64,
        /// `φ⁻¹`.
        inverse: fn(f64) -> f64,
    },
}

/// Built-in transforms compare by parameters; custom ones by the addresses of their functions.
impl PartialEq for QuasiTransform {
    fn eq(&self, other: &Self) -> bool {
        match (*self, *other) {
            (QuasiTransform::Log { offset: a }, QuasiTransform::Log { offset: b })
            | (
                QuasiTransform::Reciprocal { offset: a },
                QuasiTransform::Reciprocal { offset: b },
            )
            | (QuasiTransform::Power { p: a }, QuasiTransform::Power { p: b }) => a == b,
            (
                QuasiTransform::Custom {
                    phi: a,
                    inverse: ai,
                },
                QuasiTransform::Custom {
                    phi: b,
                    inverse: bi,
                },
            ) => std::ptr::fn_addr_eq(a, b) && std::ptr::fn_addr_eq(ai, bi),
            _ => false,
        }
    }
}

impl QuasiTransform {
    /// `φ(x)`, or `None` outside the transform's domain (or where `φ(x)` is not finite).
    ///
    /// # Examples
    ///
    /// ```
    /// use composite_indicators::aggregate::QuasiTransform;
    /// assert_eq!(QuasiTransform::Reciprocal { offset: 1.0 }.phi(1.0), Some(0.5));
    /// assert_eq!(QuasiTransform::Power { p: 0.5 }.phi(-1.0), None);
    /// ```
    #[inline]
    pub fn phi(self, x: f64) -> Option<f64> {
        let y = match self {
            QuasiTransform::Log { offset } => {
                let t = x + offset;
                if t > 0.0 { t.ln() } else { return None }
            }
            QuasiTransform::Reciprocal { offset } => {
                let t = x + offset;
                if t > 0.0 { 1.0 / t } else { return None }
            }
            QuasiTransform::Power { p } => {
                if !power_domain(p, x) {
                    return None;
                }
                x.powf(p)
            }
            QuasiTransform::Custom { phi, .. } => phi(x),
        };
        y.is_finite().then_some(y)
    }

    /// `φ⁻¹(m)` of a weighted mean `m` of transformed values, computed as the built-in aggregators do.
    ///
    /// # Examples
    ///
    /// ```
    /// use composite_indicators::aggregate::QuasiTransform;
    /// assert_eq!(QuasiTransform::Reciprocal { offset: 0.0 }.inverse(0.25), 4.0);
    /// assert_eq!(QuasiTransform::Power { p: 2.0 }.inverse(9.0), 3.0);
    /// ```
    #[inline]
    pub fn inverse(self, m: f64) -> f64 {
        match self {
            QuasiTransform::Log { offset } => m.exp() - offset,
            QuasiTransform::Reciprocal { offset } => 1.0 / m - offset,
            QuasiTransform::Power { p } => power_root(m, p),
            QuasiTransform::Custom { inverse, .. } => inverse(m),
        }
    }
}

/// An aggregation method.
///
/// Implementations receive the whole units × children block (NaN = missing), one weight per child and
/// the [`NodeContext`]. A row-wise custom method gets the crate's weight checks and missing-value policy
/// for free through [`aggregate_rows`]:
///
/// ```
/// use composite_indicators::aggregate::{aggregate_rows, Aggregator, MissingPolicy, NodeContext};
/// use composite_indicators::Result;
/// use ndarray::{array, Array1, ArrayView2};
///
/// /// The smallest available child (a "weakest link" aggregate).
/// #[derive(Debug)]
/// struct WeakestLink;
///
/// impl Aggregator for WeakestLink {
///     fn name(&self) -> String {
///         "weakest_link".into()
///     }
///     fn aggregate(&self, values: ArrayView2<'_, f64>, weights: &[f64], ctx: &NodeContext<'_>)
///         -> Result<Array1<f64>> {
///         aggregate_rows(values, weights, ctx, |row| {
///             Ok(row.available().map(|(_, x, _)| x).fold(f64::INFINITY, f64::min))
///         })
///     }
/// }
///
/// let children = vec!["a".to_string(), "b".to_string()];
/// let units = vec!["u1".to_string(), "u2".to_string()];
/// let ctx = NodeContext { node: "P", children: &children, unit_codes: &units,
///                         missing: MissingPolicy::default() };
/// let y = WeakestLink.aggregate(array![[3.0, 1.0], [2.0, f64::NAN]].view(), &[1.0, 1.0], &ctx).unwrap();
/// assert_eq!(y.to_vec(), vec![1.0, 2.0]);
/// ```
///
/// **Batching in sweeps.** A method that is a weighted arithmetic mean, a weighted sum or a
/// quasi-arithmetic mean says so with [`Aggregator::mean_form`], and weight sweeps then compute it for
/// many variants at once instead of calling [`Aggregator::aggregate`] per variant:
///
/// ```
/// use composite_indicators::aggregate::{aggregate_rows, Aggregator, MeanForm, NodeContext, QuasiTransform};
/// use composite_indicators::Result;
/// use ndarray::{Array1, ArrayView2};
///
/// /// The quadratic mean `√(Σ w x² / Σ w)`.
/// #[derive(Debug)]
/// struct Quadratic;
///
/// impl Aggregator for Quadratic {
///     fn name(&self) -> String {
///         "quadratic".into()
///     }
///     fn aggregate(&self, values: ArrayView2<'_, f64>, weights: &[f64], ctx: &NodeContext<'_>)
///         -> Result<Array1<f64>> {
///         aggregate_rows(values, weights, ctx, |row| {
///             let s: f64 = row.available().map(|(_, x, w)| w * (x * x)).sum();
///             Ok((s / row.weight_sum).sqrt())
///         })
///     }
///     fn mean_form(&self) -> MeanForm {
///         MeanForm::QuasiArithmetic(QuasiTransform::Custom { phi: |x| x * x, inverse: f64::sqrt })
///     }
/// }
/// assert!(Quadratic.mean_form().is_batchable());
/// ```
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
    /// How the method can be batched ([`MeanForm`]); the default, [`MeanForm::Opaque`], is always
    /// correct (the node is then computed through [`Aggregator::aggregate`] in sweeps too). Declare a
    /// linear or quasi-arithmetic form only if `aggregate` computes exactly that formula.
    ///
    /// # Examples
    ///
    /// ```
    /// use composite_indicators::aggregate::{Aggregator, AggregatorKind, MeanForm, QuasiTransform};
    /// assert_eq!(
    ///     AggregatorKind::Harmonic { offset: 0.0 }.mean_form(),
    ///     MeanForm::QuasiArithmetic(QuasiTransform::Reciprocal { offset: 0.0 })
    /// );
    /// assert_eq!(AggregatorKind::Copeland.mean_form(), MeanForm::Opaque);
    /// ```
    fn mean_form(&self) -> MeanForm {
        MeanForm::Opaque
    }
    /// The built-in method this aggregator is, if it is one: used for naming and serialising a model
    /// and for the bounds of a sweep's score quantiles, never for batching (that is
    /// [`Aggregator::mean_form`]). User-defined aggregators keep the default `None`.
    ///
    /// # Examples
    ///
    /// ```
    /// use composite_indicators::aggregate::{Aggregator, AggregatorKind};
    /// assert_eq!(AggregatorKind::Median.kind(), Some(AggregatorKind::Median));
    /// ```
    fn kind(&self) -> Option<AggregatorKind> {
        None
    }
}

/// A boxed aggregator is an aggregator (every method forwarded), so `Vec<Box<dyn Aggregator>>` can be
/// passed wherever aggregators are taken.
///
/// # Examples
///
/// ```
/// use composite_indicators::aggregate::{Aggregator, AggregatorKind, MeanForm};
/// let a: Box<dyn Aggregator> = Box::new(AggregatorKind::Sum);
/// assert_eq!(a.mean_form(), MeanForm::Sum);
/// ```
impl<A: Aggregator + ?Sized> Aggregator for Box<A> {
    fn name(&self) -> String {
        (**self).name()
    }
    fn aggregate(
        &self,
        values: ArrayView2<'_, f64>,
        weights: &[f64],
        ctx: &NodeContext<'_>,
    ) -> Result<Array1<f64>> {
        (**self).aggregate(values, weights, ctx)
    }
    fn mean_form(&self) -> MeanForm {
        (**self).mean_form()
    }
    fn kind(&self) -> Option<AggregatorKind> {
        (**self).kind()
    }
}

/// A shared aggregator is an aggregator (every method forwarded), as [`Scorer`](crate::score::Scorer)
/// keeps them.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use composite_indicators::aggregate::{Aggregator, AggregatorKind};
/// let a: Arc<dyn Aggregator> = Arc::new(AggregatorKind::Median);
/// assert_eq!(a.kind(), Some(AggregatorKind::Median));
/// ```
impl<A: Aggregator + ?Sized> Aggregator for std::sync::Arc<A> {
    fn name(&self) -> String {
        (**self).name()
    }
    fn aggregate(
        &self,
        values: ArrayView2<'_, f64>,
        weights: &[f64],
        ctx: &NodeContext<'_>,
    ) -> Result<Array1<f64>> {
        (**self).aggregate(values, weights, ctx)
    }
    fn mean_form(&self) -> MeanForm {
        (**self).mean_form()
    }
    fn kind(&self) -> Option<AggregatorKind> {
        (**self).kind()
    }
}

/// Built-in aggregation methods (serde-tagged by `method`).
///
/// All methods share one path for checks and missing values ([`aggregate_rows`] /
/// [`row_weight_sum`]):
///
/// * `weights` has one entry per child ([`Error::ShapeMismatch`] otherwise); weights must be finite
///   and non-negative ([`Error::InvalidParameter`] otherwise). Weights are relative: every mean divides
///   by the weight sum of the **available** children of the unit, so scaling all weights by `c > 0`
///   changes nothing (except [`Sum`](AggregatorKind::Sum), which does not divide).
/// * Missing children (NaN) follow the [`MissingPolicy`] of the [`NodeContext`]; a unit whose available
///   children weigh zero in total gets NaN. Children with weight zero take no part in any formula (they
///   are never checked for positivity) but do count for the coverage share.
/// * Parameters (`offset`, `p`) must be finite ([`Error::InvalidParameter`]).
///
/// In the formulas below the sums run over the available children of one unit and `W = Σ wᵢ` over the
/// same children.
///
/// The CLI / string form is given by [`Display`](fmt::Display) and parsed by [`FromStr`]:
///
/// ```
/// use composite_indicators::aggregate::{Aggregator, AggregatorKind, MissingPolicy, NodeContext};
/// let kind: AggregatorKind = "geometric:1".parse().unwrap();
/// assert_eq!(kind, AggregatorKind::Geometric { offset: 1.0 });
/// assert_eq!(kind.to_string(), "geometric:1");
///
/// let children = vec!["a".to_string(), "b".to_string()];
/// let units = vec!["u".to_string()];
/// let ctx = NodeContext { node: "P", children: &children, unit_codes: &units,
///                         missing: MissingPolicy::default() };
/// let x = ndarray::array![[1.0, 7.0]];
/// // (2 · 8)^(1/2) − 1 = 3
/// let y = kind.aggregate(x.view(), &[1.0, 1.0], &ctx).unwrap();
/// assert!((y[0] - 3.0).abs() < 1e-12);
/// ```
///
/// **Serde form.** Internally tagged by `method` (`{"method": "geometric", "offset": 0}`); the
/// arithmetic, geometric, harmonic, power and Copeland methods also read under their COINr names
/// (`a_amean`, `a_gmean`, `a_hmean`, `a_genmean`, `a_copeland`). Unknown keys are errors, and so is
/// any key beside the method of an aggregator without parameters (`{"method": "arithmetic",
/// "offset": 1}`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum AggregatorKind {
    /// Weighted arithmetic mean (the default) `Σ wᵢxᵢ / W` (COINr's `a_amean`: missing children and their weights are
    /// dropped and the remaining weights re-normalised). `Σ wᵢxᵢ` is a compensated (Neumaier) sum, and
    /// the result is clamped to `[min, max]` of the available children against a one-ulp rounding
    /// overshoot (so it never leaves that range, whatever the spread of the weights).
    #[default]
    #[serde(alias = "a_amean")]
    Arithmetic,
    /// Weighted sum `Σ wᵢxᵢ` over available children (no division by the weight sum); the city index
    /// adds its pillar scores this way. Weights are used as given, so under
    /// [`MissingPolicy::Skip`] a missing child simply contributes nothing and **lowers the sum**; use
    /// `Propagate` or a `min_coverage` if that is not wanted. Compensated (Neumaier) summation.
    Sum,
    /// Weighted geometric mean `exp(Σ wᵢ ln(xᵢ + offset) / W) − offset` (COINr's `a_gmean` for
    /// `offset = 0`). A non-positive `xᵢ + offset` is [`Error::NonPositive`] naming unit, node, child
    /// and value (method `"geometric"`).
    #[serde(alias = "a_gmean")]
    Geometric {
        /// Opt-in shift added before (and removed after) the mean; 0 by default.
        #[serde(default)]
        offset: f64,
    },
    /// Weighted harmonic mean `W / Σ(wᵢ/(xᵢ + offset)) − offset` (COINr's `a_hmean` for `offset = 0`,
    /// which rejects only zeros; here any non-positive `xᵢ + offset` is [`Error::NonPositive`], method
    /// `"harmonic"`, since the harmonic mean of mixed-sign values is meaningless).
    #[serde(alias = "a_hmean")]
    Harmonic {
        /// Opt-in shift, as for the geometric mean.
        #[serde(default)]
        offset: f64,
    },
    /// Weighted power (generalised) mean `(Σ wᵢxᵢ^p / W)^(1/p)` (COINr's `a_genmean`); `p = 0` is the
    /// geometric mean (COINr errors there), `p = 1` the arithmetic and `p = −1` the harmonic mean.
    ///
    /// Domain ([`Error::NonPositive`], method `"power (p = …)"`, otherwise): `p < 0` needs `xᵢ > 0`
    /// (and so does `p = 0`), as COINr stops there; `p > 0` needs `xᵢ ≥ 0`, except for integer `p`,
    /// where `xᵢ^p` is defined for negative values too: for even `p` the mean of the powers is ≥ 0 and
    /// the result is what R computes, but it is not monotone in a negative child (−1.5 counts as much
    /// as +1.5, so with z-scores a unit can rise by doing worse; `compind` notes it): normalise to
    /// non-negative values for an even `p`; for odd `p` the root of a negative mean is taken as
    /// `−|m|^(1/p)` (`t ↦ tᵖ` is strictly increasing; R gives NaN there). `p` must be finite.
    /// Missing children follow the [`MissingPolicy`] like every aggregator (COINr's `a_genmean` has no
    /// `na.rm` and returns NA).
    #[serde(alias = "a_genmean")]
    Power {
        /// The exponent.
        p: f64,
    },
    /// Weighted median of the available children: sort them by value and take the smallest value whose
    /// cumulative weight reaches half of `W`; when the cumulative weight equals exactly half (within a
    /// relative `1e-12`) at a value, the result is the average of that value and the next one, so equal
    /// weights give the ordinary median (mean of the two middle values for an even count).
    /// Zero-weight children are ignored.
    Median,
    /// Copeland scores, as COINr's `a_copeland`: for each pair of units `(a, b)`, sum the weights of
    /// the children where `a` is strictly higher (`win`) and strictly lower (`loss`) than `b`; `a` beats
    /// `b` if `win > loss` (equivalently COINr's outranking entry `win + ties/2 > ½ · Σw`), loses if
    /// `win < loss`, and ties otherwise (equality within a relative `1e-12` of the total weight).
    /// A unit's score is its number of wins minus its number of losses, in `[−(n−1), n−1]`. Scores
    /// depend only on the order of values within each child, so they are unchanged by any strictly
    /// increasing transformation of the data.
    ///
    /// Missing values: a unit whose result is missing under the policy (see [`row_weight_sum`]) gets
    /// NaN and takes no part in the comparisons; under `Skip`, a child missing for either unit of a pair
    /// counts neither as a win nor as a loss for that pair (COINr drops it from one side of the pair
    /// only; this crate keeps the comparison symmetric). Without missing values the scores equal
    /// COINr's, except where COINr's floating-point sum lands an exact tie a rounding error off ½ (it
    /// compares its outranking fractions exactly; here a difference within a relative `1e-12` is a
    /// tie). Cost: `O(n² · children)` for `n` units.
    #[serde(alias = "a_copeland")]
    Copeland,
    /// Weighted arithmetic mean with weights of **either sign**, COINr's `a_amean` as it is used with
    /// signed PCA weights ([`NegativeLoadings::Keep`](crate::weights::NegativeLoadings::Keep)):
    /// `Σ wᵢxᵢ / W` over the available children, `W = Σ wᵢ` over the same children. Weights must be
    /// finite; zero-weight children take no part. A negative weight makes its child count against
    /// the result, which can therefore leave the range of the children (no clamp). A unit whose
    /// available children's weights sum to zero **or less** gets NaN (COINr divides by such a sum,
    /// flipping the sign of every term; that is a deliberate difference). Missing children follow
    /// the [`MissingPolicy`] as for [`Arithmetic`](AggregatorKind::Arithmetic); `Σ wᵢxᵢ` is a
    /// compensated (Neumaier) sum. With non-negative weights it equals `Arithmetic` up to its
    /// one-ulp clamp.
    SignedArithmetic,
    /// TOPSIS (Hwang and Yoon): the closeness of each unit to the ideal solution, in `[0, 1]`, over
    /// the units scored together (see the [module docs](crate::aggregate) on multi-criteria methods
    /// in a tree).
    ///
    /// Each child `j` with weight `wⱼ > 0` is normalised over the units taking part
    /// ([`TopsisNormalisation`]) to `rᵢⱼ` and weighted, `vᵢⱼ = (wⱼ / Σw) · rᵢⱼ`; the ideal and anti-ideal
    /// are `v⁺ⱼ = maxᵢ vᵢⱼ`, `v⁻ⱼ = minᵢ vᵢⱼ`; `D⁺ᵢ = √Σⱼ (vᵢⱼ − v⁺ⱼ)²`, `D⁻ᵢ = √Σⱼ (vᵢⱼ − v⁻ⱼ)²` and the
    /// score is `D⁻ᵢ / (D⁺ᵢ + D⁻ᵢ)`. With complete data this is pymcdm's `TOPSIS` (every child a
    /// profit criterion). A child whose values are all equal (zero for the vector normalisation)
    /// is the same for every unit and contributes nothing; a unit with `D⁺ = D⁻ = 0` (every child it
    /// has is such a child, or it is the only unit) scores `½` (pymcdm: NaN).
    ///
    /// Missing values: a unit missing under the [`MissingPolicy`] gets NaN and takes no part (it
    /// moves neither the normalisation nor the ideals). Under `Skip`, a unit with missing children
    /// takes part with the children it has: each child is normalised and its ideals taken over the
    /// units that have it, and the unit's distances sum over its available children only.
    /// Cost: `O(n · children)`.
    Topsis {
        /// How each child is normalised (min-max by default).
        #[serde(default)]
        normalisation: TopsisNormalisation,
    },
    /// PROMETHEE II (Brans): the net outranking flow of each unit, in `[−1, 1]`, over the units scored
    /// together (see the [module docs](crate::aggregate) on multi-criteria methods in a tree).
    ///
    /// For every ordered pair of units `(a, b)`, `π(a, b) = Σⱼ wⱼ Pⱼ(xₐⱼ − x_bⱼ) / Σⱼ wⱼ` with the
    /// [`PreferenceFunction`] `P`; the net flow is `φ(a) = Σ_b (π(a, b) − π(b, a)) / (n − 1)` over the
    /// `n − 1` other units taking part (`φ⁺ − φ⁻`). With complete data this is pymcdm's
    /// `PROMETHEE_II` with the same function and thresholds for every child; the net flows sum to 0.
    ///
    /// Missing values: a unit missing under the [`MissingPolicy`] gets NaN and takes no part. Under
    /// `Skip`, each pair is compared on the children both units have, with their weights re-normalised
    /// over those children (COINr's re-weighting rule, applied per pair); a pair with no such child is
    /// not comparable and the unit's flow averages over its comparable partners only. A unit with no
    /// comparable partner (e.g. the only unit) scores 0. Cost: `O(n² · children)`.
    Promethee {
        /// The preference function and its thresholds (the usual criterion by default).
        #[serde(default)]
        preference: PreferenceFunction,
    },
}

crate::serde_keys::strict_tagged!(
    AggregatorKind,
    "method",
    AggregatorKind::Arithmetic
        | AggregatorKind::Sum
        | AggregatorKind::Median
        | AggregatorKind::Copeland
        | AggregatorKind::SignedArithmetic
);

impl AggregatorKind {
    /// The valid string forms, for error messages and help texts.
    ///
    /// ```
    /// assert!(composite_indicators::AggregatorKind::FORMS.contains("power:P"));
    /// ```
    pub const FORMS: &'static str = "arithmetic, sum, geometric, geometric:OFFSET, harmonic, harmonic:OFFSET, power:P, median, copeland, signed_arithmetic, topsis, topsis:vector, promethee, promethee:u_shape:Q, promethee:v_shape:P, promethee:level:P:Q, promethee:v_shape_indifference:P:Q, promethee:gaussian:S";

    /// Whether the method is a mean: its result lies between the smallest and the largest available
    /// child (arithmetic, geometric, harmonic, power, median). Sums, Copeland, TOPSIS and PROMETHEE II
    /// produce values on their own scales, and the signed arithmetic mean leaves that range when a
    /// weight is negative. Score bounds in sweeps rely on this.
    ///
    /// ```
    /// use composite_indicators::AggregatorKind;
    /// assert!(AggregatorKind::Median.is_mean());
    /// assert!(!AggregatorKind::Copeland.is_mean());
    /// assert!(!"topsis".parse::<AggregatorKind>().unwrap().is_mean());
    /// ```
    pub fn is_mean(&self) -> bool {
        matches!(
            self,
            AggregatorKind::Arithmetic
                | AggregatorKind::Geometric { .. }
                | AggregatorKind::Harmonic { .. }
                | AggregatorKind::Power { .. }
                | AggregatorKind::Median
        )
    }

    /// Check the method's parameters: `offset` and `p` must be finite, PROMETHEE thresholds as
    /// [`PreferenceFunction::check`] ([`Error::InvalidParameter`]).
    /// [`Aggregator::aggregate`] calls this first; call it yourself to validate a spec early.
    ///
    /// ```
    /// use composite_indicators::AggregatorKind;
    /// assert!(AggregatorKind::Power { p: 2.0 }.check().is_ok());
    /// assert!(AggregatorKind::Power { p: f64::INFINITY }.check().is_err());
    /// assert!(AggregatorKind::Geometric { offset: f64::NAN }.check().is_err());
    /// ```
    pub fn check(&self) -> Result<()> {
        match *self {
            AggregatorKind::Geometric { offset } | AggregatorKind::Harmonic { offset }
                if !offset.is_finite() =>
            {
                Err(Error::invalid("offset", offset, Expected::Finite))
            }
            AggregatorKind::Power { p } if !p.is_finite() => {
                Err(Error::invalid("p", p, Expected::Finite))
            }
            AggregatorKind::Promethee { preference } => preference.check(),
            _ => Ok(()),
        }
    }
}

/// The CLI form: `arithmetic`, `sum`, `geometric` or `geometric:OFFSET` (offset ≠ 0), `harmonic` or
/// `harmonic:OFFSET`, `power:P`, `median`, `copeland`, `signed_arithmetic`, `topsis` (min-max) or
/// `topsis:vector`,
/// `promethee` (usual criterion), `promethee:u_shape:Q`, `promethee:v_shape:P`,
/// `promethee:level:P:Q`, `promethee:v_shape_indifference:P:Q`, `promethee:gaussian:S`. Numbers use
/// Rust's shortest round-trip format, so `s.parse::<AggregatorKind>()` gives back the same value.
///
/// ```
/// use composite_indicators::AggregatorKind;
/// assert_eq!(AggregatorKind::Power { p: 0.5 }.to_string(), "power:0.5");
/// assert_eq!(AggregatorKind::Harmonic { offset: 0.0 }.to_string(), "harmonic");
/// let k = AggregatorKind::Promethee {
///     preference: composite_indicators::aggregate::PreferenceFunction::Level { p: 20.0, q: 5.0 },
/// };
/// assert_eq!(k.to_string(), "promethee:level:20:5");
/// ```
impl fmt::Display for AggregatorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AggregatorKind::Arithmetic => f.write_str("arithmetic"),
            AggregatorKind::Sum => f.write_str("sum"),
            AggregatorKind::Geometric { offset } if *offset == 0.0 => f.write_str("geometric"),
            AggregatorKind::Geometric { offset } => write!(f, "geometric:{offset}"),
            AggregatorKind::Harmonic { offset } if *offset == 0.0 => f.write_str("harmonic"),
            AggregatorKind::Harmonic { offset } => write!(f, "harmonic:{offset}"),
            AggregatorKind::Power { p } => write!(f, "power:{p}"),
            AggregatorKind::Median => f.write_str("median"),
            AggregatorKind::Copeland => f.write_str("copeland"),
            AggregatorKind::SignedArithmetic => f.write_str("signed_arithmetic"),
            AggregatorKind::Topsis { normalisation } => match normalisation {
                TopsisNormalisation::MinMax => f.write_str("topsis"),
                TopsisNormalisation::Vector => f.write_str("topsis:vector"),
            },
            AggregatorKind::Promethee { preference } => match preference {
                PreferenceFunction::Usual => f.write_str("promethee"),
                PreferenceFunction::UShape { q } => write!(f, "promethee:u_shape:{q}"),
                PreferenceFunction::VShape { p } => write!(f, "promethee:v_shape:{p}"),
                PreferenceFunction::Level { p, q } => write!(f, "promethee:level:{p}:{q}"),
                PreferenceFunction::VShapeIndifference { p, q } => {
                    write!(f, "promethee:v_shape_indifference:{p}:{q}")
                }
                PreferenceFunction::Gaussian { s } => write!(f, "promethee:gaussian:{s}"),
            },
        }
    }
}

/// Parse the CLI form (see [`Display`](fmt::Display)); the method name is case-insensitive and
/// surrounding white space is ignored. Unknown names, a missing or extra parameter and non-finite or
/// unparsable numbers are [`Error::InvalidParameter`] listing the valid forms.
///
/// ```
/// use composite_indicators::AggregatorKind;
/// assert_eq!("Median".parse::<AggregatorKind>().unwrap(), AggregatorKind::Median);
/// assert_eq!("power:-1".parse::<AggregatorKind>().unwrap(), AggregatorKind::Power { p: -1.0 });
/// assert_eq!("promethee:v_shape:10".parse::<AggregatorKind>().unwrap().to_string(),
///            "promethee:v_shape:10");
/// let e = "mean".parse::<AggregatorKind>().unwrap_err();
/// assert!(e.to_string().contains("geometric:OFFSET"));
/// ```
impl FromStr for AggregatorKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let bad = |why: String| {
            Error::invalid(
                "aggregator",
                format!("`{}`", s.trim()),
                Expected::Form(format!("{why}; valid forms are {}", AggregatorKind::FORMS)),
            )
        };
        let s = s.trim();
        let (name, arg) = match s.split_once(':') {
            Some((n, a)) => (n.trim().to_ascii_lowercase(), Some(a.trim())),
            None => (s.to_ascii_lowercase(), None),
        };
        let number = |a: &str| -> Result<f64> {
            match a.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(v),
                _ => Err(bad(format!("a finite number, not `{a}`"))),
            }
        };
        let kind = match (name.as_str(), arg) {
            ("arithmetic", None) => AggregatorKind::Arithmetic,
            ("sum", None) => AggregatorKind::Sum,
            ("geometric", None) => AggregatorKind::Geometric { offset: 0.0 },
            ("geometric", Some(a)) => AggregatorKind::Geometric { offset: number(a)? },
            ("harmonic", None) => AggregatorKind::Harmonic { offset: 0.0 },
            ("harmonic", Some(a)) => AggregatorKind::Harmonic { offset: number(a)? },
            ("power", Some(a)) => AggregatorKind::Power { p: number(a)? },
            ("power", None) => return Err(bad("an exponent: power:P".to_string())),
            ("topsis", None) => AggregatorKind::Topsis {
                normalisation: TopsisNormalisation::MinMax,
            },
            ("topsis", Some(a)) => AggregatorKind::Topsis {
                normalisation: match a.to_ascii_lowercase().as_str() {
                    "min_max" | "minmax" => TopsisNormalisation::MinMax,
                    "vector" => TopsisNormalisation::Vector,
                    _ => {
                        return Err(bad(format!(
                            "`min_max` or `vector` after `topsis:`, not `{a}`"
                        )));
                    }
                },
            },
            ("promethee", None) => AggregatorKind::Promethee {
                preference: PreferenceFunction::Usual,
            },
            ("promethee", Some(a)) => {
                let mut parts = a.split(':').map(str::trim);
                let function = parts.next().unwrap_or_default().to_ascii_lowercase();
                let nums = parts.map(number).collect::<Result<Vec<f64>>>()?;
                let preference = match (function.as_str(), nums.as_slice()) {
                    ("usual", []) => PreferenceFunction::Usual,
                    ("u_shape", &[q]) => PreferenceFunction::UShape { q },
                    ("v_shape", &[p]) => PreferenceFunction::VShape { p },
                    ("level", &[p, q]) => PreferenceFunction::Level { p, q },
                    ("v_shape_indifference", &[p, q]) => {
                        PreferenceFunction::VShapeIndifference { p, q }
                    }
                    ("gaussian", &[s]) => PreferenceFunction::Gaussian { s },
                    _ => {
                        return Err(bad(
                            "a PROMETHEE preference function with its thresholds".to_string()
                        ));
                    }
                };
                let kind = AggregatorKind::Promethee { preference };
                kind.check()
                    .map_err(|e| bad(format!("valid PROMETHEE thresholds ({e})")))?;
                kind
            }
            ("signed_arithmetic", None) => AggregatorKind::SignedArithmetic,
            ("arithmetic" | "sum" | "median" | "copeland" | "signed_arithmetic", Some(_)) => {
                return Err(bad(format!("`{name}` without a parameter")));
            }
            ("median", None) => AggregatorKind::Median,
            ("copeland", None) => AggregatorKind::Copeland,
            _ => return Err(bad("a known aggregator".to_string())),
        };
        Ok(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_every_form() {
        let cases = [
            ("arithmetic", AggregatorKind::Arithmetic),
            ("sum", AggregatorKind::Sum),
            ("geometric", AggregatorKind::Geometric { offset: 0.0 }),
            ("geometric:0.5", AggregatorKind::Geometric { offset: 0.5 }),
            ("harmonic", AggregatorKind::Harmonic { offset: 0.0 }),
            ("harmonic:2", AggregatorKind::Harmonic { offset: 2.0 }),
            ("power:-1.5", AggregatorKind::Power { p: -1.5 }),
            ("median", AggregatorKind::Median),
            ("copeland", AggregatorKind::Copeland),
            ("signed_arithmetic", AggregatorKind::SignedArithmetic),
            (
                "topsis",
                AggregatorKind::Topsis {
                    normalisation: TopsisNormalisation::MinMax,
                },
            ),
            (
                "topsis:vector",
                AggregatorKind::Topsis {
                    normalisation: TopsisNormalisation::Vector,
                },
            ),
            (
                "promethee",
                AggregatorKind::Promethee {
                    preference: PreferenceFunction::Usual,
                },
            ),
            (
                "promethee:u_shape:5",
                AggregatorKind::Promethee {
                    preference: PreferenceFunction::UShape { q: 5.0 },
                },
            ),
            (
                "promethee:v_shape:12.5",
                AggregatorKind::Promethee {
                    preference: PreferenceFunction::VShape { p: 12.5 },
                },
            ),
            (
                "promethee:level:20:5",
                AggregatorKind::Promethee {
                    preference: PreferenceFunction::Level { p: 20.0, q: 5.0 },
                },
            ),
            (
                "promethee:v_shape_indifference:20:5",
                AggregatorKind::Promethee {
                    preference: PreferenceFunction::VShapeIndifference { p: 20.0, q: 5.0 },
                },
            ),
            (
                "promethee:gaussian:10",
                AggregatorKind::Promethee {
                    preference: PreferenceFunction::Gaussian { s: 10.0 },
                },
            ),
        ];
        for (s, kind) in cases {
            assert_eq!(s.parse::<AggregatorKind>().unwrap(), kind, "{s}");
            assert_eq!(kind.to_string(), s);
        }
        assert_eq!(
            " Geometric : 1 ".parse::<AggregatorKind>().unwrap(),
            AggregatorKind::Geometric { offset: 1.0 }
        );
        assert_eq!(
            "TOPSIS:Min_Max".parse::<AggregatorKind>().unwrap(),
            AggregatorKind::Topsis {
                normalisation: TopsisNormalisation::MinMax
            }
        );
        assert_eq!(
            "promethee:usual".parse::<AggregatorKind>().unwrap(),
            AggregatorKind::Promethee {
                preference: PreferenceFunction::Usual
            }
        );
    }

    #[test]
    fn parse_errors_list_valid_forms() {
        for bad in [
            "",
            "mean",
            "power",
            "power:",
            "power:x",
            "power:inf",
            "geometric:NaN",
            "median:1",
            "sum:2",
            "power:1:2",
            "topsis:z",
            "promethee:v_shape",
            "promethee:v_shape:0",
            "promethee:level:1:2",
            "promethee:usual:1",
            "promethee:cubic:1",
            "promethee:gaussian:-1",
        ] {
            let e = bad.parse::<AggregatorKind>().unwrap_err();
            match &e {
                Error::InvalidParameter {
                    parameter: name,
                    expected: crate::error::Expected::Form(reason),
                    ..
                } => {
                    assert_eq!(name, "aggregator");
                    assert!(reason.contains(AggregatorKind::FORMS), "{bad}: {reason}");
                }
                other => panic!("{bad}: unexpected {other}"),
            }
        }
    }

    #[test]
    fn serde_tags() {
        let json = serde_json::to_string(&AggregatorKind::Power { p: 2.0 }).unwrap();
        assert_eq!(json, r#"{"method":"power","p":2.0}"#);
        let k: AggregatorKind = serde_json::from_str(r#"{"method":"geometric"}"#).unwrap();
        assert_eq!(k, AggregatorKind::Geometric { offset: 0.0 });
        // MCDA methods: parameters default, nested preference function tagged by `function`
        let k: AggregatorKind = serde_json::from_str(r#"{"method":"topsis"}"#).unwrap();
        assert_eq!(k, "topsis".parse().unwrap());
        let k: AggregatorKind =
            serde_json::from_str(r#"{"method":"topsis","normalisation":"vector"}"#).unwrap();
        assert_eq!(k, "topsis:vector".parse().unwrap());
        let k: AggregatorKind = serde_json::from_str(r#"{"method":"promethee"}"#).unwrap();
        assert_eq!(k, "promethee".parse().unwrap());
        let json =
            serde_json::to_string(&"promethee:level:20:5".parse::<AggregatorKind>().unwrap())
                .unwrap();
        assert_eq!(
            json,
            r#"{"method":"promethee","preference":{"function":"level","p":20.0,"q":5.0}}"#
        );
        let k: AggregatorKind = toml::from_str(
            "method = \"promethee\"\npreference = { function = \"v_shape_indifference\", p = 20, q = 5 }",
        )
        .unwrap();
        assert_eq!(k, "promethee:v_shape_indifference:20:5".parse().unwrap());
    }
}
