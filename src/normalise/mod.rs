//! Normalisation: bring indicators onto a common scale.
//!
//! *Flow:* spec → data → prepare → **normalise** → aggregate → score → pipeline → sweep. Fit once, apply to any data set of the same indicators.
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
//! [`normalise_column`] is the one place that applies this rule: it multiplies the raw column by the
//! direction, fits, and applies.
//!
//! **Missing values** (NaN) are ignored when fitting and stay NaN when applying. Infinite values are
//! rejected with [`Error::NonFinite`] naming the unit and the indicator.
//!
//! **Fitted state.** A fitted normaliser keeps what it learned (min/max, mean/sd, the sorted reference
//! sample, the oriented target ...), so applying it to new units or a new year puts them on the fitting
//! data's scale: min-max and distance methods extrapolate linearly beyond the fitted range, rank methods
//! rank a new value against the fitting sample. Applying to the fitting data itself gives exactly the
//! one-shot result. The built-in methods keep it as a [`FittedParams`]: plain data that can be
//! inspected, saved with serde and loaded in another process.
//!
//! ```
//! use composite_indicators::normalise::{normalise_column, ColumnContext};
//! use composite_indicators::{Direction, NormaliserKind};
//! use ndarray::array;
//! let units: Vec<String> = ["A", "B", "C", "D"].iter().map(|s| s.to_string()).collect();
//! // lower is better: the smallest raw value gets 100
//! let ctx = ColumnContext::new("CO2", &units).with_direction(Direction::Negative);
//! let y = normalise_column(&NormaliserKind::default(), array![2.0, 6.0, f64::NAN, 10.0].view(), &ctx)
//!     .unwrap();
//! assert_eq!(y[0], 100.0);
//! assert_eq!(y[1], 50.0);
//! assert!(y[2].is_nan());
//! assert_eq!(y[3], 0.0);
//! ```

use std::fmt;

use ndarray::{Array1, ArrayView1};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::spec::Direction;

mod builtin;
mod fitted;
mod fixed_scale;
mod linear;
mod parse;
mod rank_based;

pub use fitted::{FittedForm, FittedParams, OutOfRangePolicy, RankScale};

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
    /// A context with direction +1 and no targets. `unit_codes` may be empty (errors then name rows by
    /// number; `DistToRef` needs them).
    ///
    /// ```
    /// # use composite_indicators::normalise::ColumnContext;
    /// let ctx = ColumnContext::new("x", &[]);
    /// assert!(ctx.target.is_none() && ctx.unit_codes.is_empty());
    /// ```
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
    ///
    /// ```
    /// # use composite_indicators::normalise::ColumnContext;
    /// # use composite_indicators::Direction;
    /// let ctx = ColumnContext::new("x", &[]).with_direction(Direction::Negative);
    /// assert_eq!(ctx.direction.sign(), -1.0);
    /// ```
    pub fn with_direction(mut self, d: Direction) -> Self {
        self.direction = d;
        self
    }
    /// Set the target (raw units), used by [`NormaliserKind::DistToTarget`].
    ///
    /// ```
    /// # use composite_indicators::normalise::ColumnContext;
    /// assert_eq!(ColumnContext::new("x", &[]).with_target(Some(5.0)).target, Some(5.0));
    /// ```
    pub fn with_target(mut self, t: Option<f64>) -> Self {
        self.target = t;
        self
    }
    /// Set the goalposts `[lo, hi]` (raw units), used by [`NormaliserKind::Goalposts`].
    ///
    /// ```
    /// # use composite_indicators::normalise::ColumnContext;
    /// let ctx = ColumnContext::new("x", &[]).with_goalposts(Some([0.0, 8.0]));
    /// assert_eq!(ctx.goalposts, Some([0.0, 8.0]));
    /// ```
    pub fn with_goalposts(mut self, g: Option<[f64; 2]>) -> Self {
        self.goalposts = g;
        self
    }
    /// Set the max score (raw units), used by [`NormaliserKind::MaxScore`].
    ///
    /// ```
    /// # use composite_indicators::normalise::ColumnContext;
    /// assert_eq!(ColumnContext::new("x", &[]).with_max_score(Some(10.0)).max_score, Some(10.0));
    /// ```
    pub fn with_max_score(mut self, m: Option<f64>) -> Self {
        self.max_score = m;
        self
    }
}

/// A normalisation method: learns parameters from a column.
///
/// Implement it to plug in your own method; see the `custom_normaliser` example. The trait is object
/// safe, so `&dyn Normaliser` works wherever a built-in [`NormaliserKind`] does.
///
/// ```
/// use composite_indicators::normalise::{normalise_column, ColumnContext, FittedNormaliser, Normaliser};
/// use composite_indicators::Result;
/// use ndarray::{array, Array1, ArrayView1};
///
/// /// Divide by the mean of the fitting column.
/// #[derive(Debug)]
/// struct OverMean;
/// #[derive(Debug)]
/// struct FittedOverMean(f64);
///
/// impl Normaliser for OverMean {
///     fn name(&self) -> String { "over_mean".into() }
///     fn fit(&self, x: ArrayView1<'_, f64>, _ctx: &ColumnContext<'_>) -> Result<Box<dyn FittedNormaliser>> {
///         let obs: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
///         Ok(Box::new(FittedOverMean(obs.iter().sum::<f64>() / obs.len() as f64)))
///     }
/// }
/// impl FittedNormaliser for FittedOverMean {
///     fn apply(&self, x: ArrayView1<'_, f64>, _units: &[String]) -> Result<Array1<f64>> {
///         Ok(x.mapv(|v| v / self.0))
///     }
/// }
///
/// let units: Vec<String> = ["A", "B"].iter().map(|s| s.to_string()).collect();
/// let y = normalise_column(&OverMean, array![1.0, 3.0].view(), &ColumnContext::new("x", &units)).unwrap();
/// assert_eq!(y.to_vec(), vec![0.5, 1.5]);
/// ```
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
///
/// ```
/// use composite_indicators::normalise::{ColumnContext, Normaliser};
/// use composite_indicators::NormaliserKind;
/// use ndarray::array;
/// let units: Vec<String> = ["A", "B", "C"].iter().map(|s| s.to_string()).collect();
/// let fitted = NormaliserKind::default()
///     .fit(array![0.0, 5.0, 10.0].view(), &ColumnContext::new("x", &units))
///     .unwrap();
/// // a new year on last year's scale
/// let y = fitted.apply(array![2.5, 12.0].view(), &["A".into(), "B".into()]).unwrap();
/// assert_eq!(y.to_vec(), vec![25.0, 120.0]);
/// ```
pub trait FittedNormaliser: fmt::Debug + Send + Sync {
    /// Map a column (already multiplied by the direction) onto the learned scale; NaN stays NaN.
    /// `unit_codes` name the rows of `x`, for error messages.
    fn apply(&self, x: ArrayView1<'_, f64>, unit_codes: &[String]) -> Result<Array1<f64>>;

    /// The learned parameters as data, for inspection and saving: every built-in method returns
    /// `Some` (the fitted normaliser *is* a [`FittedParams`]); the default, for a user's own method, is
    /// `None`, which makes [`FittedScorer::params`](crate::score::FittedScorer::params) an error
    /// naming the indicator.
    ///
    /// ```
    /// use composite_indicators::normalise::{ColumnContext, FittedForm, Normaliser};
    /// use composite_indicators::NormaliserKind;
    /// use ndarray::array;
    /// let units: Vec<String> = ["A", "B"].iter().map(|s| s.to_string()).collect();
    /// let f = NormaliserKind::FracMax.fit(array![1.0, 4.0].view(), &ColumnContext::new("x", &units)).unwrap();
    /// assert_eq!(f.params().unwrap().form, FittedForm::FracMax { max: 4.0 });
    /// ```
    fn params(&self) -> Option<FittedParams> {
        None
    }
}

/// Built-in normalisation methods (serde-tagged by `method`).
///
/// The formulas are documented on each variant; all follow COINr's `n_*` functions where COINr
/// defines the method. `x` is the value already multiplied by the direction; `min`, `max`, `mean`, `sd`
/// are taken over the non-missing values of the fitting column. Missing values (NaN) are skipped when
/// fitting and stay NaN. Where COINr only warns (zero range, missing reference) and returns NaN or
/// reversed scores, this crate returns an error instead. For min-max and the distance methods, a span
/// (`max − min`, `reference − min`) that overflows f64 (values near ±1e308) is [`Error::InvalidSpec`]
/// naming the indicator, rather than all-`lo` output with NaN at the extreme. Parameters are checked by
/// [`NormaliserKind::check`] (→ [`Error::InvalidParameter`]).
///
/// The text forms (`minmax:0,100`, `dist2ref:FRA,cap` ...) are read by [`str::parse`] and written by
/// [`Display`](std::fmt::Display); see the [`FromStr`](std::str::FromStr) impl for the table.
///
/// ```
/// use composite_indicators::normalise::{normalise_column, ColumnContext};
/// use composite_indicators::NormaliserKind;
/// use ndarray::array;
/// let units: Vec<String> = ["A", "B", "C"].iter().map(|s| s.to_string()).collect();
/// let ctx = ColumnContext::new("x", &units);
/// let k: NormaliserKind = "minmax:0,1".parse().unwrap();
/// let y = normalise_column(&k, array![1.0, 3.0, 5.0].view(), &ctx).unwrap();
/// assert_eq!(y.to_vec(), vec![0.0, 0.5, 1.0]);
/// let json = serde_json::to_string(&k).unwrap();
/// assert_eq!(json, r#"{"method":"min_max","lo":0.0,"hi":1.0}"#);
/// let k: NormaliserKind = serde_json::from_str(r#"{"method": "minmax"}"#).unwrap();
/// assert_eq!(k, NormaliserKind::MinMax { lo: 0.0, hi: 100.0 });
/// let k: NormaliserKind = serde_json::from_str(r#"{"method": "n_zscore", "sd": 10}"#).unwrap();
/// assert_eq!(k, NormaliserKind::ZScore { mean: 0.0, sd: 10.0 });
/// assert!(serde_json::from_str::<NormaliserKind>(r#"{"method": "minmax", "h1": 1}"#).is_err());
/// ```
///
/// **Serde form.** Internally tagged by `method` (`{"method": "min_max", "lo": 0, "hi": 100}`; TOML
/// `method = "min_max"`). The method also reads under its command-line keyword (`minmax`, `zscore`,
/// `prank`, `dist2max`, `fracmax`, `dist2ref`, `dist2targ`, `maxscore`, `none`) and its COINr name
/// (`n_minmax`, `n_zscore`, `n_rank`, ...), and omitted parameters take the command line's defaults
/// (`lo = 0`, `hi = 100`, `mean = 0`, `sd = 1`, goalposts `scale = 1`, `truncate = true`), so
/// `{"method": "minmax"}` is `minmax`, i.e. `MinMax { lo: 0, hi: 100 }`. Unknown keys are errors,
/// and so is any key beside the method of a normaliser without parameters (`{"method": "rank",
/// "lo": 1}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum NormaliserKind {
    /// Min-max onto `[lo, hi]`: `(x − min)/(max − min)·(hi − lo) + lo` (min and max over non-missing
    /// values; COINr `n_minmax`). Values inside the fitted range are clamped to `[lo, hi]` against a
    /// one-ulp rounding overshoot; new values outside it extrapolate.
    /// Zero range → [`Error::ZeroRange`]; all missing → [`Error::AllMissing`]; `lo ≥ hi` or a
    /// non-finite bound or an overflowing `hi − lo` → [`Error::InvalidParameter`]; `max − min`
    /// overflowing f64 → [`Error::InvalidSpec`].
    #[serde(alias = "minmax", alias = "n_minmax")]
    MinMax {
        /// Lower bound of the output.
        #[serde(default = "zero")]
        lo: f64,
        /// Upper bound of the output.
        #[serde(default = "hundred")]
        hi: f64,
    },
    /// z-score: `(x − mean)/sd·sd_target + mean_target`, sample sd (divisor n − 1, as R's `sd`; COINr
    /// `n_zscore`). Fewer than 2 non-missing values → [`Error::InsufficientData`]; sd = 0 →
    /// [`Error::ZeroRange`].
    #[serde(alias = "zscore", alias = "n_zscore")]
    ZScore {
        /// Target mean.
        #[serde(default = "zero")]
        mean: f64,
        /// Target standard deviation (> 0).
        #[serde(default = "one")]
        sd: f64,
    },
    /// Rank, ascending, min ties (`rank(x, ties = "min", na.last = "keep")` in R; COINr `n_rank`): the
    /// highest value gets rank n, tied values share the lowest rank of their tie. The fitted state is
    /// the sorted fitting sample; any value gets `1 + #{fitting values < x}`. All missing →
    /// [`Error::AllMissing`].
    #[serde(alias = "n_rank")]
    Rank,
    /// Percentile rank `(rank − 1)/(n − 1)`, min ties, n = non-missing fitting values (COINr
    /// `n_prank`). n < 2 → [`Error::InsufficientData`].
    #[serde(alias = "prank", alias = "n_prank")]
    PercentileRank,
    /// Borda score `rank − 1`, min ties (COINr `n_borda`).
    #[serde(alias = "n_borda")]
    Borda,
    /// Distance to the maximum: `1 − (max − x)/(max − min)` (COINr `n_dist2max`). Zero range →
    /// [`Error::ZeroRange`].
    #[serde(alias = "dist2max", alias = "n_dist2max")]
    DistToMax,
    /// Fraction of the maximum: `x / max` (COINr `n_fracmax`). Needs `max > 0`, else
    /// [`Error::InvalidSpec`]: direction −1 columns arrive negated, so for non-negative data their
    /// maximum is ≤ 0 and `x / max` would reverse or blow up the scale; use `MinMax` or `DistToMax`.
    #[serde(alias = "fracmax", alias = "n_fracmax")]
    FracMax,
    /// Distance to a reference unit: `1 − (x_ref − x)/(x_ref − min)`, optionally capped at 1 (COINr
    /// `n_dist2ref`, with the reference named by unit code instead of row index). Unit not among
    /// `ctx.unit_codes` → [`Error::UnknownName`]; its value missing → [`Error::InvalidSpec`]; reference
    /// equal to the minimum of a non-constant column → [`Error::ReferenceAtMinimum`]; a constant
    /// column → [`Error::ZeroRange`].
    #[serde(alias = "dist2ref", alias = "n_dist2ref")]
    DistToRef {
        /// Code of the reference unit.
        unit: String,
        /// Cap scores above the reference at 1.
        #[serde(default)]
        cap_max: bool,
    },
    /// Goalposts `[lo, hi]` in raw units from the spec (`ctx.goalposts`): `(x_raw − lo)/(hi − lo)`
    /// (direction +1) or `(hi − x_raw)/(hi − lo)` (−1), with `x_raw = x·direction`, truncated to
    /// `[0, 1]` when `truncate`, times `scale` (finite, > 0).
    ///
    /// COINr v1.1 (`n_goalposts` fed `c(u·dir, l·dir, a)` by `get_iMeta_norm_paras`) computes the same
    /// values in both directions; v1.0 negated the whole `gposts` vector, scale included, so its
    /// direction −1 indicators came out in `[−a, 0]`. No goalposts, or non-finite / `lo ≥ hi` /
    /// `hi − lo` overflowing f64 → [`Error::InvalidSpec`].
    #[serde(alias = "n_goalposts")]
    Goalposts {
        /// Output scale (1 or 100, say).
        #[serde(default = "one")]
        scale: f64,
        /// Truncate to the goalposts.
        #[serde(default = "crate::serde_keys::yes")]
        truncate: bool,
    },
    /// Distance to the spec's target: `(x − min)/(t − min)` on direction-oriented values, with
    /// `t = target·direction` (`ctx.target` is in raw units), optionally capped at 1 (COINr v1.1
    /// `n_dist2targ`, whose direction −1 form `(max − x)/(max − t)` on raw values is the same
    /// computation on negated values, to the bit; v1.0 wrote `1 − (t − x)/(t − min)`). No or
    /// non-finite target → [`Error::InvalidSpec`] naming the indicator; `t = min` →
    /// [`Error::ZeroRange`]; `t < min` (every unit beyond the target, where COINr warns and returns
    /// reversed scores) → [`Error::InvalidSpec`].
    #[serde(alias = "dist2targ", alias = "n_dist2targ")]
    DistToTarget {
        /// Cap scores beyond the target at 1.
        #[serde(default)]
        cap_max: bool,
    },
    /// Scale by the indicator's max score (`ctx.max_score`, raw units, finite and > 0):
    /// `x_raw / max_score` (direction +1) or `1 − x_raw/max_score` (−1). Not a COINr method. No max
    /// score → [`Error::InvalidSpec`]; a raw value outside `[0, max_score]` → [`Error::OutOfRange`]
    /// naming the unit and the indicator (when fitting and when applying).
    #[serde(alias = "maxscore")]
    MaxScore,
    /// No transformation (the direction is still applied; COINr's `"none"`).
    #[serde(alias = "none")]
    Identity,
}

crate::serde_keys::strict_tagged!(
    NormaliserKind,
    "method",
    NormaliserKind::Rank
        | NormaliserKind::PercentileRank
        | NormaliserKind::Borda
        | NormaliserKind::DistToMax
        | NormaliserKind::FracMax
        | NormaliserKind::MaxScore
        | NormaliserKind::Identity
);

impl Default for NormaliserKind {
    fn default() -> Self {
        NormaliserKind::MinMax { lo: 0.0, hi: 100.0 }
    }
}

/// Multiply a raw column by the indicator's direction: the orientation every [`Normaliser`] expects
/// (COINr's rule; a direction −1 column is negated). NaN stays NaN.
///
/// ```
/// use composite_indicators::normalise::orient;
/// use composite_indicators::Direction;
/// use ndarray::array;
/// assert_eq!(orient(array![1.0, -2.0].view(), Direction::Negative), array![-1.0, 2.0]);
/// ```
pub fn orient(raw: ArrayView1<'_, f64>, direction: Direction) -> Array1<f64> {
    let sign = direction.sign();
    raw.mapv(|v| v * sign)
}

/// Normalise one raw column: multiply it by `ctx.direction`, fit `kind` on it, and apply the fitted
/// normaliser to the same values. The direction rule lives in [`orient`], which this function and the
/// `Scorer` (fitting and applying separately) both call; any [`Normaliser`], built-in or user-defined,
/// goes through it.
///
/// `ctx.unit_codes` must be empty or name every row. Missing values (NaN) stay NaN.
///
/// Errors: [`Error::NonFinite`] for ±∞ (naming unit and indicator), [`Error::ShapeMismatch`] if the unit
/// codes or the normaliser's output do not match the column's length, and whatever the method reports
/// (see [`NormaliserKind`]).
///
/// ```
/// use composite_indicators::normalise::{normalise_column, ColumnContext};
/// use composite_indicators::NormaliserKind;
/// use ndarray::array;
/// let units: Vec<String> = ["A", "B", "C"].iter().map(|s| s.to_string()).collect();
/// let ctx = ColumnContext::new("GDP", &units);
/// let y = normalise_column(&NormaliserKind::Rank, array![30.0, 10.0, 30.0].view(), &ctx).unwrap();
/// assert_eq!(y.to_vec(), vec![2.0, 1.0, 2.0]);
/// ```
pub fn normalise_column(
    kind: &dyn Normaliser,
    raw: ArrayView1<'_, f64>,
    ctx: &ColumnContext<'_>,
) -> Result<Array1<f64>> {
    builtin::check_input(raw, ctx.unit_codes, ctx.code)?;
    let x = orient(raw, ctx.direction);
    let fitted = kind.fit(x.view(), ctx)?;
    let out = fitted.apply(x.view(), ctx.unit_codes)?;
    if out.len() != raw.len() {
        return Err(Error::ShapeMismatch {
            what: format!(
                "values returned by normaliser `{}` for indicator `{}`",
                kind.name(),
                ctx.code
            ),
            expected: raw.len(),
            found: out.len(),
        });
    }
    Ok(out)
}

fn zero() -> f64 {
    0.0
}

fn one() -> f64 {
    1.0
}

fn hundred() -> f64 {
    100.0
}
