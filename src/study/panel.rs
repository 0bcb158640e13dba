//! Expert-panel scoring: aggregate ratings across experts, agreement statistics.
//!
//! A panel is an [`Array3<f64>`] of ratings indexed `[expert, unit, criterion]`; NaN means the
//! expert did not rate that unit on that criterion. The tools here
//!
//! - aggregate the experts into a units × criteria matrix ([`aggregate_ratings`], with
//!   [`PanelAggregate`] = mean, median or trimmed mean, skipping missing ratings);
//! - combine criteria into named, weighted dimension scores ([`combine_dimensions`]);
//! - measure agreement: Kendall's coefficient of concordance `W` per criterion
//!   ([`kendall_w_per_criterion`], [`kendall_w`]) and the coefficient of variation per unit and
//!   criterion ([`coefficient_of_variation`]);
//! - turn a Delphi / budget-allocation survey (experts × indicators) into weights summing to one
//!   ([`budget_weights`]);
//! - generate a seeded synthetic panel around target scores ([`synthetic_panel`]).
//!
//! ```
//! use composite_indicators::study::panel::{aggregate_ratings, combine_dimensions, Dimension, PanelAggregate};
//! use ndarray::array;
//! // 2 experts x 2 units x 2 criteria
//! let r = array![[[0.8, 0.6], [0.2, 0.4]], [[0.6, 0.8], [0.4, f64::NAN]]];
//! let s = aggregate_ratings(r.view(), &PanelAggregate::Mean)?;
//! assert!((s[[0, 0]] - 0.7).abs() < 1e-12);
//! assert_eq!(s[[1, 1]], 0.4); // the missing rating is skipped
//! let d = combine_dimensions(s.view(), &[Dimension::new("overall", vec![0, 1], vec![1.0, 1.0])])?;
//! assert!((d[[0, 0]] - 0.7).abs() < 1e-12);
//! # Ok::<(), composite_indicators::Error>(())
//! ```

use ndarray::{Array2, Array3, ArrayView2, ArrayView3, Axis};
use rand::SeedableRng;
use rand_distr::{Distribution, Normal};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};

use crate::error::{Error, Expected, Result};
use crate::rank::{TieRule, rank_asc};
use crate::stats;

/// How the ratings of several experts are combined into one value.
///
/// Missing ratings (NaN) are skipped: the statistic uses the `n` experts who rated.
///
/// ```
/// use composite_indicators::study::panel::PanelAggregate;
/// let v = [1.0, 2.0, 3.0, 4.0, 100.0];
/// assert_eq!(PanelAggregate::Mean.apply(&v)?, 22.0);
/// assert_eq!(PanelAggregate::Median.apply(&v)?, 3.0);
/// // floor(0.2 * 5) = 1 value dropped at each end: mean of [2, 3, 4]
/// assert_eq!(PanelAggregate::TrimmedMean { share: 0.2 }.apply(&v)?, 3.0);
/// # Ok::<(), composite_indicators::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PanelAggregate {
    /// Arithmetic mean.
    Mean,
    /// Median; for an even count, the mean of the two middle values.
    Median,
    /// Trimmed mean: with `n` ratings sorted, drop `g = ⌊share · n⌋` from each end and average the
    /// remaining `n − 2g`. `share` must lie in `[0, 0.5)`, which keeps at least one rating.
    /// `share = 0` is the mean.
    TrimmedMean {
        /// Share of ratings trimmed at each end, `0 <= share < 0.5`.
        share: f64,
    },
}

impl PanelAggregate {
    /// Check the parameter (trim share in `[0, 0.5)`).
    ///
    /// ```
    /// use composite_indicators::study::panel::PanelAggregate;
    /// assert!(PanelAggregate::TrimmedMean { share: 0.5 }.check().is_err());
    /// assert!(PanelAggregate::TrimmedMean { share: 0.25 }.check().is_ok());
    /// ```
    pub fn check(&self) -> Result<()> {
        match self {
            PanelAggregate::TrimmedMean { share } if !(0.0..0.5).contains(share) => Err(
                Error::invalid("share", share, Expected::half_open(0.0, 0.5)),
            ),
            _ => Ok(()),
        }
    }

    /// Apply to the given values, skipping NaN. Returns NaN if no value is present.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a trim share outside `[0, 0.5)`.
    ///
    /// ```
    /// use composite_indicators::study::panel::PanelAggregate;
    /// assert_eq!(PanelAggregate::Median.apply(&[4.0, f64::NAN, 1.0])?, 2.5);
    /// assert!(PanelAggregate::Mean.apply(&[f64::NAN])?.is_nan());
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    pub fn apply(&self, values: &[f64]) -> Result<f64> {
        self.check()?;
        let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
        Ok(self.apply_present(&mut v))
    }

    /// `v` holds only non-missing values; it is sorted in place when needed.
    fn apply_present(&self, v: &mut [f64]) -> f64 {
        let n = v.len();
        if n == 0 {
            return f64::NAN;
        }
        match self {
            PanelAggregate::Mean => stats::mean(v),
            PanelAggregate::Median => {
                v.sort_by(|a, b| a.total_cmp(b));
                match (v.get((n - 1) / 2), v.get(n / 2)) {
                    (Some(a), Some(b)) => (a + b) / 2.0,
                    _ => f64::NAN,
                }
            }
            PanelAggregate::TrimmedMean { share } => {
                v.sort_by(|a, b| a.total_cmp(b));
                // share < 0.5 so 2g < n
                let g = (share * n as f64).floor() as usize;
                let kept = v.get(g..n - g).unwrap_or(&[]);
                stats::mean(kept)
            }
        }
    }
}

fn check_panel(ratings: &ArrayView3<f64>) -> Result<()> {
    let (e, u, c) = ratings.dim();
    if e == 0 || u == 0 || c == 0 {
        return Err(Error::EmptyData {
            what: format!("the panel has {e} experts, {u} units and {c} criteria"),
        });
    }
    for ((ei, ui, ci), &v) in ratings.indexed_iter() {
        if v.is_infinite() {
            return Err(Error::NonFinite {
                unit: format!("#{ui} (expert #{ei})"),
                indicator: format!("criterion #{ci}"),
                value: v,
            });
        }
    }
    for (ci, block) in ratings.axis_iter(Axis(2)).enumerate() {
        if block.iter().all(|v| v.is_nan()) {
            return Err(Error::AllMissing {
                indicator: format!("criterion #{ci}"),
            });
        }
    }
    Ok(())
}

/// Aggregate a panel (experts × units × criteria) across experts into units × criteria.
///
/// Each cell aggregates the experts who rated it (NaN ratings are skipped); a cell nobody rated
/// is NaN (see [`rater_counts`] for coverage).
///
/// # Errors
/// - [`Error::EmptyData`] if any dimension of the panel is zero;
/// - [`Error::NonFinite`] for an infinite rating;
/// - [`Error::AllMissing`] if nobody rated any unit on some criterion;
/// - [`Error::InvalidParameter`] for a trim share outside `[0, 0.5)`.
///
/// ```
/// use composite_indicators::study::panel::{aggregate_ratings, PanelAggregate};
/// use ndarray::Array3;
/// // 3 experts, 1 unit, 1 criterion: 0.1, 0.5, 0.9
/// let r = Array3::from_shape_vec((3, 1, 1), vec![0.1, 0.5, 0.9]).unwrap();
/// assert_eq!(aggregate_ratings(r.view(), &PanelAggregate::Median)?[[0, 0]], 0.5);
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn aggregate_ratings(ratings: ArrayView3<f64>, method: &PanelAggregate) -> Result<Array2<f64>> {
    method.check()?;
    check_panel(&ratings)?;
    let (_, n_u, n_c) = ratings.dim();
    let mut out = Array2::from_elem((n_u, n_c), f64::NAN);
    let mut buf = Vec::with_capacity(ratings.dim().0);
    for ((u, c), cell) in out.indexed_iter_mut() {
        buf.clear();
        buf.extend(
            ratings
                .slice(ndarray::s![.., u, c])
                .iter()
                .copied()
                .filter(|v| !v.is_nan()),
        );
        *cell = method.apply_present(&mut buf);
    }
    Ok(out)
}

/// Number of experts who rated each unit on each criterion (units × criteria).
///
/// ```
/// use composite_indicators::study::panel::rater_counts;
/// use ndarray::array;
/// let r = array![[[1.0, f64::NAN]], [[2.0, f64::NAN]]];
/// assert_eq!(rater_counts(r.view()), array![[2, 0]]);
/// ```
pub fn rater_counts(ratings: ArrayView3<f64>) -> Array2<usize> {
    ratings.map_axis(Axis(0), |lane| lane.iter().filter(|v| !v.is_nan()).count())
}

/// A named dimension score: a weighted mean of some criteria.
///
/// ```
/// use composite_indicators::study::panel::Dimension;
/// let d = Dimension::new("technical", vec![0, 1, 2], vec![0.5, 0.25, 0.25]);
/// assert_eq!(d.criteria.len(), d.weights.len());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dimension {
    /// Name of the dimension.
    pub name: String,
    /// Column indices of the criteria it combines.
    pub criteria: Vec<usize>,
    /// One non-negative weight per criterion (normalised to sum 1 when used).
    pub weights: Vec<f64>,
}

impl Dimension {
    /// Build a dimension (checked when used by [`combine_dimensions`]).
    ///
    /// ```
    /// use composite_indicators::study::panel::Dimension;
    /// assert_eq!(Dimension::new("industrial", vec![3, 4], vec![1.0, 1.0]).name, "industrial");
    /// ```
    pub fn new(name: impl Into<String>, criteria: Vec<usize>, weights: Vec<f64>) -> Self {
        Dimension {
            name: name.into(),
            criteria,
            weights,
        }
    }

    /// A dimension over a contiguous range of criteria with equal weights.
    ///
    /// ```
    /// use composite_indicators::study::panel::Dimension;
    /// let d = Dimension::equal("technical", 0..3);
    /// assert_eq!(d.criteria, vec![0, 1, 2]);
    /// assert_eq!(d.weights, vec![1.0, 1.0, 1.0]);
    /// ```
    pub fn equal(name: impl Into<String>, criteria: std::ops::Range<usize>) -> Self {
        let criteria: Vec<usize> = criteria.collect();
        let weights = vec![1.0; criteria.len()];
        Dimension::new(name, criteria, weights)
    }
}

/// Combine criteria (columns of a units × criteria matrix) into one column per [`Dimension`]:
/// `score = Σ_j w_j · x_j / Σ_j w_j`. A missing criterion value makes the unit's dimension score
/// missing (NaN propagates; nothing is re-weighted silently).
///
/// # Errors
/// - [`Error::ShapeMismatch`] if a dimension has a different number of weights and criteria;
/// - [`Error::InvalidSpec`] for a dimension with no criteria or a criterion index out of range;
/// - [`Error::InvalidWeight`] for a negative or non-finite weight;
/// - [`Error::ZeroWeightSum`] if a dimension's weights sum to zero.
///
/// ```
/// use composite_indicators::study::panel::{combine_dimensions, Dimension};
/// use ndarray::array;
/// let s = array![[0.2, 0.4, 0.9], [1.0, 0.0, f64::NAN]];
/// let d = combine_dimensions(s.view(), &[Dimension::new("t", vec![0, 1], vec![3.0, 1.0])])?;
/// assert!((d[[0, 0]] - 0.25).abs() < 1e-12); // (3 * 0.2 + 0.4) / 4
/// assert_eq!(d[[1, 0]], 0.75);
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn combine_dimensions(scores: ArrayView2<f64>, dims: &[Dimension]) -> Result<Array2<f64>> {
    let (n_u, n_c) = scores.dim();
    let mut out = Array2::from_elem((n_u, dims.len()), f64::NAN);
    for (k, d) in dims.iter().enumerate() {
        if d.weights.len() != d.criteria.len() {
            return Err(Error::ShapeMismatch {
                what: format!("dimension `{}`: weights vs criteria", d.name),
                expected: d.criteria.len(),
                found: d.weights.len(),
            });
        }
        if d.criteria.is_empty() {
            return Err(Error::InvalidSpec {
                code: d.name.clone(),
                reason: "the dimension has no criteria".into(),
            });
        }
        if let Some(&c) = d.criteria.iter().find(|&&c| c >= n_c) {
            return Err(Error::InvalidSpec {
                code: d.name.clone(),
                reason: format!("criterion index {c} is out of range (there are {n_c} criteria)"),
            });
        }
        if let Some(&w) = d.weights.iter().find(|w| !w.is_finite() || **w < 0.0) {
            return Err(Error::InvalidWeight {
                code: d.name.clone(),
                weight: w,
            });
        }
        let total: f64 = d.weights.iter().sum();
        if total <= 0.0 {
            return Err(Error::ZeroWeightSum {
                group: d.name.clone(),
            });
        }
        for (u, row) in scores.rows().into_iter().enumerate() {
            let mut acc = 0.0;
            for (&c, &w) in d.criteria.iter().zip(&d.weights) {
                acc += w * row.get(c).copied().unwrap_or(f64::NAN);
            }
            if let Some(cell) = out.get_mut([u, k]) {
                *cell = acc / total;
            }
        }
    }
    Ok(out)
}

fn nan() -> f64 {
    f64::NAN
}

/// Kendall's coefficient of concordance and what it was computed from.
///
/// ```
/// use composite_indicators::study::panel::kendall_w;
/// use ndarray::array;
/// let k = kendall_w(array![[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]].view())?;
/// assert_eq!(k.w, 1.0);
/// assert_eq!(k.chi_square, 4.0); // m (n - 1) W
/// # Ok::<(), composite_indicators::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KendallW {
    /// `W` in `[0, 1]`; NaN if every included rater gave every item the same score (the
    /// denominator is zero and agreement is undefined).
    #[serde(with = "crate::serde_nan::num")]
    pub w: f64,
    /// Friedman's statistic `m (n − 1) W`, approximately χ² with `n − 1` degrees of freedom.
    #[serde(with = "crate::serde_nan::num")]
    pub chi_square: f64,
    /// Degrees of freedom `n − 1`.
    pub df: usize,
    /// `P(χ²_{n−1} > chi_square)`: the large-sample test of no agreement (R:
    /// `pchisq(chi_square, df, lower.tail = FALSE)`; `irr::kendall(correct = TRUE)` reports the same
    /// for complete data, though `irr` drops items with missing ratings where this drops raters); NaN
    /// when `w` is. From `statrs`'s χ² distribution.
    #[serde(default = "nan", with = "crate::serde_nan::num")]
    pub p_value: f64,
    /// Number of raters `m` included (those who rated every item).
    pub n_raters: usize,
    /// Raters left out because they missed at least one item.
    pub n_excluded: usize,
    /// Number of items `n` ranked.
    pub n_items: usize,
}

/// Kendall's W for a raters × items matrix of scores (each rater's scores are ranked).
///
/// Each rater's scores are ranked across items with average ranks for ties (the direction does not
/// matter: reversing every rater's ranks leaves `W` unchanged). With `m` raters, `n` items, rank
/// sums `R_i` and `R̄ = m (n + 1) / 2`:
///
/// `W = 12 S / (m² (n³ − n) − m Σ_j T_j)`, `S = Σ_i (R_i − R̄)²`, `T_j = Σ_g (t_g³ − t_g)`
///
/// where `t_g` runs over the sizes of the tie groups of rater `j` (the standard tie correction).
/// **Missing ratings:** only raters who rated every item are used; the others are counted in
/// [`KendallW::n_excluded`].
///
/// # Errors
/// - [`Error::NonFinite`] for an infinite score;
/// - [`Error::InsufficientData`] for fewer than 2 items or fewer than 2 complete raters.
///
/// ```
/// use composite_indicators::study::panel::kendall_w;
/// use ndarray::array;
/// // R = [4, 6, 8, 12], R̄ = 7.5, S = 35, W = 12 * 35 / (9 * 60) = 7 / 9
/// let k = kendall_w(array![[1., 2., 3., 4.], [2., 1., 3., 4.], [1., 3., 2., 4.]].view())?;
/// assert!((k.w - 7.0 / 9.0).abs() < 1e-12);
/// // χ² = m (n − 1) W = 7 on 3 degrees of freedom: p = 0.0719 (R: pchisq(7, 3, lower.tail = FALSE))
/// assert_eq!(k.chi_square, 7.0);
/// assert!((k.p_value - 0.071897772496465127).abs() < 1e-12);
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn kendall_w(scores: ArrayView2<f64>) -> Result<KendallW> {
    let (m_all, n) = scores.dim();
    for ((r, i), &v) in scores.indexed_iter() {
        if v.is_infinite() {
            return Err(Error::NonFinite {
                unit: format!("#{i} (rater #{r})"),
                indicator: "Kendall's W".into(),
                value: v,
            });
        }
    }
    if n < 2 {
        return Err(Error::InsufficientData {
            what: "Kendall's W: items".into(),
            needed: 2,
            found: n,
        });
    }
    let mut rank_sum = vec![0.0; n];
    let mut tie_sum = 0.0;
    let mut m = 0usize;
    for row in scores.rows() {
        if row.iter().any(|v| v.is_nan()) {
            continue;
        }
        m += 1;
        let v: Vec<f64> = row.to_vec();
        let r = rank_asc(&v, TieRule::Average);
        for (s, x) in rank_sum.iter_mut().zip(&r) {
            *s += x;
        }
        // tie groups: sort and count runs of equal values
        let mut sorted = v;
        sorted.sort_by(|a, b| a.total_cmp(b));
        let mut start = 0;
        while start < sorted.len() {
            let mut end = start + 1;
            while sorted
                .get(end)
                .is_some_and(|&x| Some(&x) == sorted.get(start))
            {
                end += 1;
            }
            let t = (end - start) as f64;
            tie_sum += t * t * t - t;
            start = end;
        }
    }
    if m < 2 {
        return Err(Error::InsufficientData {
            what: "Kendall's W: raters with complete ratings".into(),
            needed: 2,
            found: m,
        });
    }
    let (mf, nf) = (m as f64, n as f64);
    let mean = mf * (nf + 1.0) / 2.0;
    let s: f64 = rank_sum.iter().map(|r| (r - mean) * (r - mean)).sum();
    let denom = mf * mf * (nf * nf * nf - nf) - mf * tie_sum;
    let w = if denom > 0.0 {
        (12.0 * s / denom).clamp(0.0, 1.0)
    } else {
        f64::NAN
    };
    let chi_square = mf * (nf - 1.0) * w;
    let p_value = match ChiSquared::new((n - 1) as f64) {
        Ok(d) if !chi_square.is_nan() => d.sf(chi_square),
        _ => f64::NAN,
    };
    Ok(KendallW {
        w,
        chi_square,
        df: n - 1,
        p_value,
        n_raters: m,
        n_excluded: m_all - m,
        n_items: n,
    })
}

/// Kendall's W per criterion: for criterion `c`, the experts × units slice
/// `ratings[.., .., c]` goes through [`kendall_w`] (units are the items ranked by each expert;
/// experts who missed a unit on that criterion are excluded and counted).
///
/// # Errors
/// Those of [`kendall_w`], plus [`Error::EmptyData`] / [`Error::AllMissing`] as in
/// [`aggregate_ratings`]. Errors name the criterion.
///
/// ```
/// use composite_indicators::study::panel::kendall_w_per_criterion;
/// use ndarray::Array3;
/// // 3 experts agree perfectly on criterion 0 over 3 units
/// let r = Array3::from_shape_fn((3, 3, 1), |(_, u, _)| u as f64 / 2.0);
/// assert_eq!(kendall_w_per_criterion(r.view())?[0].w, 1.0);
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn kendall_w_per_criterion(ratings: ArrayView3<f64>) -> Result<Vec<KendallW>> {
    check_panel(&ratings)?;
    ratings
        .axis_iter(Axis(2))
        .enumerate()
        .map(|(c, block)| {
            kendall_w(block).map_err(|e| match e {
                Error::InsufficientData {
                    what,
                    needed,
                    found,
                } => Error::InsufficientData {
                    what: format!("criterion #{c}: {what}"),
                    needed,
                    found,
                },
                other => other,
            })
        })
        .collect()
}

/// Coefficient of variation across experts per unit and criterion (units × criteria):
/// `CV = s / |mean|` with the **sample** standard deviation `s` (divisor `n − 1`) over the experts
/// who rated the cell. NaN when fewer than two experts rated the cell or the mean is zero.
///
/// ```
/// use composite_indicators::study::panel::coefficient_of_variation;
/// use ndarray::Array3;
/// // ratings 0.4, 0.6: mean 0.5, s = sqrt(0.02), CV = 0.2828...
/// let r = Array3::from_shape_vec((2, 1, 1), vec![0.4, 0.6]).unwrap();
/// let cv = coefficient_of_variation(r.view());
/// assert!((cv[[0, 0]] - 0.02f64.sqrt() / 0.5).abs() < 1e-12);
/// ```
pub fn coefficient_of_variation(ratings: ArrayView3<f64>) -> Array2<f64> {
    ratings.map_axis(Axis(0), |lane| {
        cv_of(lane.iter().copied().filter(|v| v.is_finite()))
    })
}

fn cv_of(it: impl Iterator<Item = f64>) -> f64 {
    let v: Vec<f64> = it.collect();
    let n = v.len();
    if n < 2 {
        return f64::NAN;
    }
    let mean = stats::mean(&v);
    if mean == 0.0 {
        return f64::NAN;
    }
    stats::sample_variance(&v, mean).sqrt() / mean.abs()
}

/// Weights from a budget-allocation or Delphi survey, with agreement statistics.
///
/// ```
/// use composite_indicators::study::panel::{budget_weights, PanelAggregate};
/// use ndarray::array;
/// let b = budget_weights(array![[50.0, 30.0, 20.0], [40.0, 40.0, 20.0]].view(), &PanelAggregate::Mean)?;
/// assert_eq!(b.weights, vec![0.45, 0.35, 0.2]);
/// # Ok::<(), composite_indicators::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetWeights {
    /// Aggregated points per indicator divided by their total: non-negative, sum 1.
    #[serde(with = "crate::serde_nan::vec")]
    pub weights: Vec<f64>,
    /// Aggregated points per indicator before normalisation.
    #[serde(with = "crate::serde_nan::vec")]
    pub aggregated: Vec<f64>,
    /// Number of experts who gave points to each indicator (non-missing).
    pub n_raters: Vec<usize>,
    /// Kendall's W across experts (indicators are the items); `None` when fewer than two experts
    /// rated every indicator or there is a single indicator.
    pub agreement: Option<KendallW>,
    /// Coefficient of variation across experts per indicator (as [`coefficient_of_variation`]).
    #[serde(with = "crate::serde_nan::vec")]
    pub cv: Vec<f64>,
}

/// Aggregate an experts × indicators matrix of points (or ratings) into weights summing to one.
///
/// Per indicator, the experts' points are aggregated with `method` (missing values skipped), then
/// divided by the sum over indicators. Points are aggregated as given: if experts' budgets differ,
/// rescale the rows beforehand. Agreement: [`kendall_w`] over experts with complete rows and the
/// coefficient of variation per indicator.
///
/// # Errors
/// - [`Error::EmptyData`] for no experts or no indicators;
/// - [`Error::NonFinite`] for an infinite value, [`Error::OutOfRange`] for a negative one;
/// - [`Error::AllMissing`] for an indicator nobody scored;
/// - [`Error::ZeroWeightSum`] if every aggregated value is zero;
/// - [`Error::InvalidParameter`] for a trim share outside `[0, 0.5)`.
///
/// ```
/// use composite_indicators::study::panel::{budget_weights, PanelAggregate};
/// use ndarray::array;
/// let pts = array![[60.0, 40.0], [50.0, 50.0], [10.0, 90.0]];
/// let b = budget_weights(pts.view(), &PanelAggregate::Median)?;
/// assert_eq!(b.weights, vec![0.5, 0.5]);
/// assert_eq!(b.agreement.unwrap().n_raters, 3);
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn budget_weights(points: ArrayView2<f64>, method: &PanelAggregate) -> Result<BudgetWeights> {
    method.check()?;
    let (n_e, n_i) = points.dim();
    if n_e == 0 || n_i == 0 {
        return Err(Error::EmptyData {
            what: format!("the budget survey has {n_e} experts and {n_i} indicators"),
        });
    }
    for ((e, i), &v) in points.indexed_iter() {
        if v.is_infinite() {
            return Err(Error::NonFinite {
                unit: format!("expert #{e}"),
                indicator: format!("indicator #{i}"),
                value: v,
            });
        }
        if v < 0.0 {
            return Err(Error::OutOfRange {
                unit: format!("expert #{e}"),
                indicator: format!("indicator #{i}"),
                reason: format!("{v} points; budget points must be non-negative"),
            });
        }
    }
    let mut aggregated = Vec::with_capacity(n_i);
    let mut n_raters = Vec::with_capacity(n_i);
    let mut cv = Vec::with_capacity(n_i);
    for (i, col) in points.columns().into_iter().enumerate() {
        let mut v: Vec<f64> = col.iter().copied().filter(|x| !x.is_nan()).collect();
        if v.is_empty() {
            return Err(Error::AllMissing {
                indicator: format!("indicator #{i}"),
            });
        }
        n_raters.push(v.len());
        cv.push(cv_of(v.iter().copied()));
        aggregated.push(method.apply_present(&mut v));
    }
    let total: f64 = aggregated.iter().sum();
    if total <= 0.0 {
        return Err(Error::ZeroWeightSum {
            group: "budget allocation".into(),
        });
    }
    let weights = aggregated.iter().map(|a| a / total).collect();
    let agreement = kendall_w(points).ok();
    Ok(BudgetWeights {
        weights,
        aggregated,
        n_raters,
        agreement,
        cv,
    })
}

/// A seeded synthetic panel around target scores: `ratings[e, u, c] = clip(target[u, c] + ε, 0, 1)`
/// with independent `ε ~ N(0, noise_sd²)`.
///
/// Noise is drawn from one [`Xoshiro256PlusPlus`] stream seeded with `seed`, in the order expert,
/// then unit, then criterion (row-major over the output), so the panel is bit-identical for a given
/// seed on any machine and thread count.
///
/// # Errors
/// - [`Error::InvalidParameter`] for `n_experts == 0` or a negative / non-finite `noise_sd`;
/// - [`Error::EmptyData`] for a target with no units or no criteria;
/// - [`Error::NonFinite`] for a NaN or infinite target value.
///
/// ```
/// use composite_indicators::study::panel::synthetic_panel;
/// use ndarray::array;
/// let target = array![[0.2, 0.9], [0.5, 0.5]];
/// let p = synthetic_panel(target.view(), 4, 0.1, 7)?;
/// assert_eq!(p.dim(), (4, 2, 2));
/// assert!(p.iter().all(|&v| (0.0..=1.0).contains(&v)));
/// assert_eq!(p, synthetic_panel(target.view(), 4, 0.1, 7)?);
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn synthetic_panel(
    target: ArrayView2<f64>,
    n_experts: usize,
    noise_sd: f64,
    seed: u64,
) -> Result<Array3<f64>> {
    if n_experts == 0 {
        return Err(Error::invalid("n_experts", 0, Expected::at_least(1.0)));
    }
    if !noise_sd.is_finite() || noise_sd < 0.0 {
        return Err(Error::invalid("noise_sd", noise_sd, Expected::NonNegative));
    }
    let (n_u, n_c) = target.dim();
    if n_u == 0 || n_c == 0 {
        return Err(Error::EmptyData {
            what: format!("the target has {n_u} units and {n_c} criteria"),
        });
    }
    if let Some(((u, c), &v)) = target.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(Error::NonFinite {
            unit: format!("#{u}"),
            indicator: format!("criterion #{c}"),
            value: v,
        });
    }
    let normal = Normal::new(0.0, noise_sd)
        .map_err(|_| Error::invalid("noise_sd", noise_sd, Expected::NonNegative))?;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut out = Array3::<f64>::zeros((n_experts, n_u, n_c));
    // explicit loops fix the draw order whatever the memory layout of `target`
    for e in 0..n_experts {
        for u in 0..n_u {
            for c in 0..n_c {
                let t = target.get((u, c)).copied().unwrap_or(f64::NAN);
                let noise = normal.sample(&mut rng);
                if let Some(cell) = out.get_mut((e, u, c)) {
                    *cell = (t + noise).clamp(0.0, 1.0);
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::array;

    #[test]
    fn aggregates_by_hand() {
        let v = [5.0, 1.0, 9.0, 3.0, 7.0, 100.0, f64::NAN];
        assert_eq!(PanelAggregate::Mean.apply(&v).unwrap(), 125.0 / 6.0);
        assert_eq!(PanelAggregate::Median.apply(&v).unwrap(), 6.0);
        // n = 6, share 0.25 -> g = 1: mean of [3, 5, 7, 9]
        assert_eq!(
            PanelAggregate::TrimmedMean { share: 0.25 }
                .apply(&v)
                .unwrap(),
            6.0
        );
        // share 0.1 -> g = floor(0.6) = 0: plain mean
        assert_eq!(
            PanelAggregate::TrimmedMean { share: 0.1 }
                .apply(&v)
                .unwrap(),
            125.0 / 6.0
        );
        // share 0.49, n = 6 -> g = 2: mean of [5, 7]
        assert_eq!(
            PanelAggregate::TrimmedMean { share: 0.49 }
                .apply(&v)
                .unwrap(),
            6.0
        );
        for bad in [0.5, -0.1, f64::NAN] {
            assert!(matches!(
                PanelAggregate::TrimmedMean { share: bad }.apply(&v),
                Err(Error::InvalidParameter { .. })
            ));
        }
    }

    #[test]
    fn kendall_with_ties_by_hand() {
        // rater 1 ranks [1.5, 1.5, 3] (T = 6), rater 2 [1, 2, 3]; R = [2.5, 3.5, 6], R̄ = 4,
        // S = 6.5, W = 12 * 6.5 / (4 * 24 - 2 * 6) = 78 / 84
        let k = kendall_w(array![[1.0, 1.0, 2.0], [10.0, 20.0, 30.0]].view()).unwrap();
        assert_abs_diff_eq!(k.w, 78.0 / 84.0, epsilon = 1e-12);
        assert_abs_diff_eq!(k.chi_square, 2.0 * 2.0 * 78.0 / 84.0, epsilon = 1e-12);
    }

    #[test]
    fn kendall_complete_raters_only_and_degenerate() {
        let k = kendall_w(array![[1.0, 2.0, 3.0], [3.0, 2.0, f64::NAN], [2.0, 4.0, 6.0]].view())
            .unwrap();
        assert_eq!((k.n_raters, k.n_excluded, k.w), (2, 1, 1.0));
        // perfect disagreement of two raters: R all equal -> W = 0
        let k = kendall_w(array![[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]].view()).unwrap();
        assert_eq!(k.w, 0.0);
        // all tied for every rater: undefined
        let k = kendall_w(array![[1.0, 1.0], [2.0, 2.0]].view()).unwrap();
        assert!(k.w.is_nan());
        assert!(kendall_w(array![[1.0, 2.0]].view()).is_err());
    }

    #[test]
    fn cv_missing_and_zero_mean() {
        let r = Array3::from_shape_vec((2, 1, 2), vec![0.0, 0.3, 0.0, f64::NAN]).unwrap();
        let cv = coefficient_of_variation(r.view());
        assert!(cv[[0, 0]].is_nan()); // mean 0
        assert!(cv[[0, 1]].is_nan()); // one rating
    }

    #[test]
    fn synthetic_zero_noise_is_target() {
        let t = array![[0.1, 0.7]];
        let p = synthetic_panel(t.view(), 3, 0.0, 1).unwrap();
        for e in 0..3 {
            assert_eq!(p.slice(ndarray::s![e, .., ..]), t);
        }
        assert!(synthetic_panel(t.view(), 0, 0.1, 1).is_err());
        assert!(synthetic_panel(t.view(), 2, -0.1, 1).is_err());
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        fn matrix() -> impl Strategy<Value = Array2<f64>> {
            (2usize..6, 2usize..7).prop_flat_map(|(m, n)| {
                proptest::collection::vec(0u8..5, m * n).prop_map(move |v| {
                    Array2::from_shape_vec((m, n), v.into_iter().map(f64::from).collect())
                        .unwrap_or_else(|_| Array2::zeros((m, n)))
                })
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(48))]
            #[test]
            fn kendall_bounded_and_invariant(x in matrix()) {
                let k = kendall_w(x.view()).unwrap();
                prop_assume!(!k.w.is_nan());
                prop_assert!((0.0..=1.0).contains(&k.w));
                // strictly increasing transform of one rater and reversing the rater order
                let mut y = x.clone();
                y.row_mut(0).mapv_inplace(|v| 3.0 * v * v * v + 1.0);
                let y = y.slice(ndarray::s![..;-1, ..]).to_owned();
                let k2 = kendall_w(y.view()).unwrap();
                prop_assert!((k.w - k2.w).abs() < 1e-12);
                // every rater copying rater 0 (with some spread) gives W = 1
                let r0 = x.row(0).to_owned();
                prop_assume!(r0.iter().any(|&v| v != r0[0]));
                let same = Array2::from_shape_fn(x.dim(), |(_, i)| r0[i]);
                prop_assert!((kendall_w(same.view()).unwrap().w - 1.0).abs() < 1e-12);
            }

            #[test]
            fn budget_weights_are_a_distribution(x in matrix(), share in 0.0f64..0.49) {
                prop_assume!(x.sum() > 0.0);
                for m in [PanelAggregate::Mean, PanelAggregate::Median, PanelAggregate::TrimmedMean { share }] {
                    match budget_weights(x.view(), &m) {
                        Ok(b) => {
                            prop_assert!((b.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
                            prop_assert!(b.weights.iter().all(|&w| w >= 0.0));
                        }
                        // a median / trimmed mean can be zero everywhere although some points are not
                        Err(e) => {
                            let zero = matches!(e, Error::ZeroWeightSum { .. });
                            prop_assert!(zero, "{}", e);
                        }
                    }
                }
            }
        }
    }
}
