//! Statistical audit: correlations, Cronbach's alpha, PCA variance, flags.
//!
//! *Flow:* after **score** (or on any data set): checks of a build's statistical coherence.
//!
//! The JRC/OECD handbook's coherence checks, computed as COINr computes them:
//! * correlation matrices between indicators, Pearson or Spearman, over **pairwise complete**
//!   observations (R's `cor(use = "pairwise.complete.obs")`; Spearman ranks with average ties on the
//!   complete pairs); a pair with fewer than 3 complete observations is [`Error::InsufficientData`]; a
//!   pair where one variable is constant gives NaN (R's `NA`);
//! * their significance ([`correlation_test`], [`correlation_pvalues`], R's `cor.test`) and COINr's
//!   `get_corr` masking of insignificant correlations ([`significant_correlation_matrix`]);
//! * each node's correlation with its parent and with the index (from a units × nodes score matrix);
//! * Cronbach's alpha per group ([`cronbach_alpha`], COINr's `get_cronbach()`);
//! * the variance explained by each principal component per group ([`pca_variance_explained`]);
//! * flags ([`Flag`]): nodes correlating negatively with their parent, and collinear indicator pairs
//!   within a group (`r` above a threshold, 0.9 by default: COINr's `get_corr_flags` with its
//!   defaults, `thresh_type = "high"` and the indicators' parent groups, `grouplev = 2`).
//!
//! ```
//! use composite_indicators::audit::{CorrMethod, correlation_matrix};
//! use ndarray::array;
//! let x = array![[1.0, 2.0], [2.0, 4.0], [3.0, 5.0], [4.0, 4.5]];
//! let r = correlation_matrix(x.view(), CorrMethod::Spearman).unwrap();
//! assert!((r[[0, 1]] - 0.8).abs() < 1e-12);
//! ```

use ndarray::{Array2, ArrayView1, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Expected, Result};
use crate::spec::Framework;
use crate::stats::significance::{has_ties, spearman_two_sided, two_sided_t};
use crate::stats::{pearson_pairwise, spearman_pairwise};
use crate::weights::data_driven_pca_eigen as pca_eigen;

/// Correlation type.
///
/// ```
/// use composite_indicators::audit::CorrMethod;
/// assert_eq!(CorrMethod::default(), CorrMethod::Pearson);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CorrMethod {
    /// Pearson's product-moment correlation.
    #[default]
    Pearson,
    /// Spearman's rank correlation (Pearson on average ranks).
    Spearman,
}

/// Correlation of two variables over their pairwise complete observations.
///
/// Errors: fewer than 3 complete pairs → [`Error::InsufficientData`]. A constant variable gives NaN.
///
/// ```
/// use composite_indicators::audit::{CorrMethod, correlation};
/// use ndarray::array;
/// let r = correlation(
///     array![1.0, 2.0, 3.0, f64::NAN].view(),
///     array![2.0, 4.0, 7.0, 1.0].view(),
///     CorrMethod::Pearson,
/// )
/// .unwrap();
/// // x = 1, 2, 3; y = 2, 4, 7: Sxy = 5, Sxx = 2, Syy = 12.667 -> 5/√(25.333) = 0.99340
/// assert!((r - 0.993399267798783).abs() < 1e-12);
/// ```
pub fn correlation(
    x: ArrayView1<'_, f64>,
    y: ArrayView1<'_, f64>,
    method: CorrMethod,
) -> Result<f64> {
    corr_named(x, y, method, "correlation")
}

fn corr_named(
    x: ArrayView1<'_, f64>,
    y: ArrayView1<'_, f64>,
    method: CorrMethod,
    what: &str,
) -> Result<f64> {
    corr_named_n(x, y, method, what).map(|(r, _)| r)
}

/// The correlation and the number of complete pairs.
fn corr_named_n(
    x: ArrayView1<'_, f64>,
    y: ArrayView1<'_, f64>,
    method: CorrMethod,
    what: &str,
) -> Result<(f64, usize)> {
    if x.len() != y.len() {
        return Err(Error::ShapeMismatch {
            what: format!("{what}: lengths of the two variables"),
            expected: x.len(),
            found: y.len(),
        });
    }
    let (r, n) = match method {
        CorrMethod::Pearson => pearson_pairwise(x, y),
        CorrMethod::Spearman => spearman_pairwise(x, y),
    };
    if n < 3 {
        return Err(Error::InsufficientData {
            what: format!("{what}: complete pairs"),
            needed: 3,
            found: n,
        });
    }
    Ok((r, n))
}

/// A correlation with its two-sided significance test (see [`correlation_test`]).
///
/// ```
/// use composite_indicators::audit::CorrTest;
/// let t = CorrTest { r: 0.5, n: 10, t: 1.63, p_value: 0.14 };
/// assert!(t.p_value > 0.05);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CorrTest {
    /// The correlation.
    #[serde(with = "crate::serde_nan::num")]
    pub r: f64,
    /// Complete pairs it was computed on.
    pub n: usize,
    /// Test statistic `√(n − 2)·r / √(1 − r²)` (±∞ for `|r| = 1`), `n − 2` degrees of freedom.
    #[serde(with = "crate::serde_nan::num")]
    pub t: f64,
    /// Two-sided p-value, by the rule of [`correlation_test`].
    #[serde(with = "crate::serde_nan::num")]
    pub p_value: f64,
}

/// Spearman tests are exact (AS 89) below this many untied pairs, as R's `cor.test`.
const SPEARMAN_EXACT_BELOW: usize = 1290;

/// The two-sided test of zero correlation on the `n` complete pairs, as R's `cor.test` with its
/// defaults (which COINr's `get_pvals` calls for `get_corr`'s `pval` masking):
/// * **Pearson**: `t = √(n − 2)·r / √(1 − r²)` against Student's t with `n − 2` degrees of freedom,
///   `p = min(2·P(T > |t|), 1)` (the incomplete beta from `statrs`, evaluated on the side that keeps
///   small p accurate: within 1e-12 relative of a 40-digit reference up to 10⁴ degrees of freedom,
///   p down to 1e-22 included);
/// * **Spearman** without ties and with fewer than 1290 pairs: the null distribution of
///   `S = (n³ − n)(1 − r)/6` by algorithm AS 89, as R's `prho`: exact enumeration of the `n!` rank
///   permutations for `n ≤ 9`, AS 89's Edgeworth series beyond (its normal tail from `libm`'s
///   `erfc`, within about 1e-14 relative of R's `pnorm`); the tail on the side of `S`'s mean,
///   doubled, capped at 1;
/// * **Spearman** with ties in either variable, or 1290 pairs or more: the t statistic above on the
///   rank correlation (R's fallback, with its warning "Cannot compute exact p-value with ties").
///
/// `t` is reported in every case. A constant variable gives NaN `r`, `t` and `p_value`.
///
/// Errors: as [`correlation`].
///
/// ```
/// use composite_indicators::audit::{CorrMethod, correlation_test};
/// use ndarray::array;
/// let x = array![1.0, 2.0, 3.0, 4.0, 5.0];
/// let y = array![2.0, 1.0, 4.0, 3.0, 5.0];
/// let t = correlation_test(x.view(), y.view(), CorrMethod::Pearson).unwrap();
/// // R: cor.test(c(1,2,3,4,5), c(2,1,4,3,5)) gives r = 0.8, t = 2.3094, p-value = 0.1041
/// assert!((t.r - 0.8).abs() < 1e-12);
/// assert!((t.t - 2.309401076758503).abs() < 1e-12);
/// assert!((t.p_value - 0.1040880).abs() < 1e-6);
/// // Spearman, no ties, n = 5: exact. rho = 0.8, S = 4: P(S <= 4) = 8/120, p = 16/120
/// // (R: cor.test(c(1,2,3,4,5), c(2,1,4,3,5), method = "spearman") gives p-value = 0.1333)
/// let s = correlation_test(x.view(), y.view(), CorrMethod::Spearman).unwrap();
/// assert!((s.p_value - 16.0 / 120.0).abs() < 1e-15);
/// ```
pub fn correlation_test(
    x: ArrayView1<'_, f64>,
    y: ArrayView1<'_, f64>,
    method: CorrMethod,
) -> Result<CorrTest> {
    test_named(x, y, method, "correlation test")
}

fn test_named(
    x: ArrayView1<'_, f64>,
    y: ArrayView1<'_, f64>,
    method: CorrMethod,
    what: &str,
) -> Result<CorrTest> {
    let (r, n) = corr_named_n(x, y, method, what)?;
    let df = n.saturating_sub(2) as f64;
    // R: STATISTIC <- sqrt(df) * r / sqrt(1 - r^2)
    let t = df.sqrt() * r / (1.0 - r * r).sqrt();
    let exact = method == CorrMethod::Spearman && n < SPEARMAN_EXACT_BELOW && {
        let pairs: Vec<(f64, f64)> = x
            .iter()
            .zip(y.iter())
            .filter(|(a, b)| !a.is_nan() && !b.is_nan())
            .map(|(&a, &b)| (a, b))
            .collect();
        !has_ties(&pairs)
    };
    let p_value = if exact {
        spearman_two_sided(r, n)
    } else {
        two_sided_t(t, df)
    };
    Ok(CorrTest { r, n, t, p_value })
}

/// Correlations and their p-values for every pair of columns, in one pass.
fn corr_and_p(x: ArrayView2<'_, f64>, method: CorrMethod) -> Result<(Array2<f64>, Array2<f64>)> {
    let m = x.ncols();
    let mut r = Array2::from_elem((m, m), f64::NAN);
    let mut p = Array2::zeros((m, m));
    for j in 0..m {
        for k in j..m {
            let what = format!("correlation of `column {j}` and `column {k}`");
            if j == k {
                let v = corr_named(x.column(j), x.column(k), method, &what)?;
                r[[j, j]] = if v.is_nan() { v } else { 1.0 };
                continue;
            }
            let t = test_named(x.column(j), x.column(k), method, &what)?;
            r[[j, k]] = t.r;
            r[[k, j]] = t.r;
            p[[j, k]] = t.p_value;
            p[[k, j]] = t.p_value;
        }
    }
    Ok((r, p))
}

/// Two-sided p-values of the correlations between the columns of `x` ([`correlation_test`] for every
/// pair; COINr's `get_pvals`): a symmetric matrix with 0 on the diagonal (as COINr), NaN off the
/// diagonal where a column is constant.
///
/// Errors: as [`correlation_matrix`] (a column, or a pair of columns, with fewer than 3 complete
/// observations → [`Error::InsufficientData`] naming the column positions).
///
/// ```
/// use composite_indicators::audit::{CorrMethod, correlation_pvalues};
/// use ndarray::array;
/// let x = array![[1.0, 2.0], [2.0, 1.0], [3.0, 4.0], [4.0, 3.0], [5.0, 5.0]];
/// let p = correlation_pvalues(x.view(), CorrMethod::Pearson).unwrap();
/// assert_eq!(p[[0, 0]], 0.0);
/// assert!((p[[0, 1]] - 0.1040880).abs() < 1e-6 && p[[1, 0]] == p[[0, 1]]);
/// ```
pub fn correlation_pvalues(x: ArrayView2<'_, f64>, method: CorrMethod) -> Result<Array2<f64>> {
    corr_and_p(x, method).map(|(_, p)| p)
}

/// The correlation matrix with insignificant correlations masked, as COINr's `get_corr(pval = …)`:
/// every correlation whose [`correlation_pvalues`] entry exceeds `pval` becomes NaN (COINr's `NA`);
/// `pval = 0` masks nothing (COINr's switch to disable it; COINr's default is 0.05). The diagonal is
/// kept.
///
/// Errors: `pval` outside `[0, 1]` → [`Error::InvalidParameter`]; otherwise as
/// [`correlation_matrix`].
///
/// ```
/// use composite_indicators::audit::{CorrMethod, significant_correlation_matrix};
/// use ndarray::array;
/// let x = array![[1.0, 2.0], [2.0, 1.0], [3.0, 4.0], [4.0, 3.0], [5.0, 5.0]];
/// // r = 0.8 with p = 0.104: masked at 0.05, kept at 0.2
/// let r = significant_correlation_matrix(x.view(), CorrMethod::Pearson, 0.05).unwrap();
/// assert!(r[[0, 1]].is_nan() && r[[0, 0]] == 1.0);
/// let r = significant_correlation_matrix(x.view(), CorrMethod::Pearson, 0.2).unwrap();
/// assert!((r[[0, 1]] - 0.8).abs() < 1e-12);
/// ```
pub fn significant_correlation_matrix(
    x: ArrayView2<'_, f64>,
    method: CorrMethod,
    pval: f64,
) -> Result<Array2<f64>> {
    if !(0.0..=1.0).contains(&pval) {
        return Err(Error::invalid("pval", pval, Expected::closed(0.0, 1.0)));
    }
    let (mut r, p) = corr_and_p(x, method)?;
    if pval > 0.0 {
        r.zip_mut_with(&p, |v, &pv| {
            if pv > pval {
                *v = f64::NAN;
            }
        });
    }
    Ok(r)
}

/// Correlation matrix between the columns of `x` (pairwise complete observations). The diagonal is 1
/// (NaN for a constant column).
///
/// Errors: a pair of columns with fewer than 3 complete pairs → [`Error::InsufficientData`] naming the
/// column positions.
///
/// ```
/// use composite_indicators::audit::{CorrMethod, correlation_matrix};
/// use ndarray::array;
/// let r = correlation_matrix(array![[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]].view(), CorrMethod::Pearson)
///     .unwrap();
/// assert!((r[[0, 1]] + 1.0).abs() < 1e-12 && r[[1, 1]] == 1.0);
/// ```
pub fn correlation_matrix(x: ArrayView2<'_, f64>, method: CorrMethod) -> Result<Array2<f64>> {
    let codes: Vec<String> = (0..x.ncols()).map(|j| format!("column {j}")).collect();
    corr_matrix_named(x, method, &codes)
}

fn corr_matrix_named(
    x: ArrayView2<'_, f64>,
    method: CorrMethod,
    codes: &[String],
) -> Result<Array2<f64>> {
    let m = x.ncols();
    let mut r = Array2::from_elem((m, m), f64::NAN);
    for j in 0..m {
        for k in j..m {
            let what = format!(
                "correlation of `{}` and `{}`",
                codes.get(j).map(String::as_str).unwrap_or(""),
                codes.get(k).map(String::as_str).unwrap_or("")
            );
            let mut v = corr_named(x.column(j), x.column(k), method, &what)?;
            if j == k && !v.is_nan() {
                v = 1.0;
            }
            r[[j, k]] = v;
            r[[k, j]] = v;
        }
    }
    Ok(r)
}

/// Cronbach's alpha of the columns of `x`, COINr's `get_cronbach()` formula:
/// with `C` the sample covariance matrix over pairwise complete observations and `k` columns,
/// `σ̄ = (ΣC − tr C) / (k(k − 1))` (mean off-diagonal covariance) and `α = k² σ̄ / ΣC`. Covariances that
/// cannot be computed (fewer than 2 complete pairs) are left out of both sums, as COINr's `na.rm`.
///
/// Errors: fewer than 2 columns or fewer than 2 rows → [`Error::InsufficientData`]; a zero total
/// covariance → [`Error::ZeroRange`].
///
/// ```
/// use composite_indicators::audit::cronbach_alpha;
/// use ndarray::array;
/// // two identical columns: alpha = 1
/// let a = cronbach_alpha(array![[1.0, 1.0], [2.0, 2.0], [4.0, 4.0]].view()).unwrap();
/// assert!((a - 1.0).abs() < 1e-12);
/// ```
pub fn cronbach_alpha(x: ArrayView2<'_, f64>) -> Result<f64> {
    let k = x.ncols();
    if k < 2 || x.nrows() < 2 {
        return Err(Error::InsufficientData {
            what: "Cronbach's alpha: columns and rows".into(),
            needed: 2,
            found: k.min(x.nrows()),
        });
    }
    let cov = |a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>| -> Option<f64> {
        let p: Vec<(f64, f64)> = a
            .iter()
            .zip(b.iter())
            .filter(|(u, v)| !u.is_nan() && !v.is_nan())
            .map(|(u, v)| (*u, *v))
            .collect();
        if p.len() < 2 {
            return None;
        }
        let n = p.len() as f64;
        let ma = p.iter().map(|q| q.0).sum::<f64>() / n;
        let mb = p.iter().map(|q| q.1).sum::<f64>() / n;
        Some(p.iter().map(|q| (q.0 - ma) * (q.1 - mb)).sum::<f64>() / (n - 1.0))
    };
    let (mut all, mut diag) = (0.0, 0.0);
    for j in 0..k {
        for l in 0..k {
            if let Some(c) = cov(x.column(j), x.column(l)) {
                all += c;
                if j == l {
                    diag += c;
                }
            }
        }
    }
    if all == 0.0 {
        return Err(Error::ZeroRange {
            indicator: "(all columns)".into(),
            value: 0.0,
            method: "Cronbach's alpha".into(),
        });
    }
    let kf = k as f64;
    let sigav = (all - diag) / (kf * (kf - 1.0));
    Ok(kf * kf * sigav / all)
}

/// Share of the total variance explained by each principal component of the columns of `x`
/// (eigenvalues of the correlation matrix over the rows without missing values, as `prcomp(scale =
/// TRUE)` after `na.omit`), in decreasing order; the shares sum to 1.
///
/// Errors: fewer than 3 complete rows → [`Error::InsufficientData`]; a constant column →
/// [`Error::ZeroRange`].
///
/// ```
/// use composite_indicators::audit::pca_variance_explained;
/// use ndarray::array;
/// // perfectly correlated columns: the first component explains everything
/// let v = pca_variance_explained(array![[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]].view()).unwrap();
/// assert!((v[0] - 1.0).abs() < 1e-12 && v[1].abs() < 1e-12);
/// ```
pub fn pca_variance_explained(x: ArrayView2<'_, f64>) -> Result<Vec<f64>> {
    let codes: Vec<String> = (0..x.ncols()).map(|j| format!("column {j}")).collect();
    let (vals, _) = pca_eigen(x, &codes, "PCA variance")?;
    let total: f64 = vals.iter().sum();
    Ok(vals.iter().map(|v| v.max(0.0) / total).collect())
}

/// Options of [`audit`].
///
/// ```
/// use composite_indicators::audit::AuditOptions;
/// let o: AuditOptions = serde_json::from_str("{}").unwrap();
/// assert_eq!(o, AuditOptions::default());
/// assert_eq!(o.collinear_threshold, 0.9);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditOptions {
    /// Correlation used for parent/index correlations and flags (default Pearson).
    #[serde(default)]
    pub method: CorrMethod,
    /// A pair of indicators in the same group with `r >` this is flagged collinear (default 0.9, as
    /// COINr's `get_corr_flags`). The comparison is signed, as COINr's `thresh_type = "high"`: a
    /// strongly negative pair is not flagged. Unlike COINr (which allows `[-1, 1]`), the threshold
    /// must lie in `[0, 1]`.
    #[serde(default = "default_collinear")]
    pub collinear_threshold: f64,
}

fn default_collinear() -> f64 {
    0.9
}

impl Default for AuditOptions {
    fn default() -> Self {
        AuditOptions {
            method: CorrMethod::Pearson,
            collinear_threshold: default_collinear(),
        }
    }
}

/// A node's correlation with its parent and with the index (see [`audit`]).
///
/// ```
/// use composite_indicators::audit::ParentCorrelation;
/// let p = ParentCorrelation { node: "a".into(), parent: "P".into(), with_parent: 0.8, with_index: 0.6 };
/// assert!(p.with_parent > p.with_index);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParentCorrelation {
    /// Node code (indicator or aggregate).
    pub node: String,
    /// Parent code.
    pub parent: String,
    /// Correlation with the parent's scores.
    #[serde(with = "crate::serde_nan::num")]
    pub with_parent: f64,
    /// Correlation with the index (root) scores.
    #[serde(with = "crate::serde_nan::num")]
    pub with_index: f64,
}

/// Coherence statistics of one aggregate's indicator children (see [`audit`]).
///
/// ```
/// use composite_indicators::audit::GroupAudit;
/// let g = GroupAudit { group: "P".into(), indicators: vec!["a".into()], cronbach_alpha: None, pca_variance: None };
/// assert!(g.cronbach_alpha.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupAudit {
    /// Aggregate code.
    pub group: String,
    /// Codes of its indicator children.
    pub indicators: Vec<String>,
    /// Cronbach's alpha (`None` with fewer than 2 indicators or when undefined).
    pub cronbach_alpha: Option<f64>,
    /// Variance share per principal component (`None` with fewer than 2 indicators, fewer than 3
    /// complete rows, or a constant indicator).
    pub pca_variance: Option<Vec<f64>>,
}

/// Something worth a look.
///
/// ```
/// use composite_indicators::audit::Flag;
/// let f = Flag::Collinear { group: "P".into(), a: "x".into(), b: "y".into(), r: 0.95 };
/// assert_eq!(serde_json::to_value(&f).unwrap()["flag"], "collinear");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "flag", rename_all = "snake_case")]
pub enum Flag {
    /// A node correlates negatively with its parent.
    NegativeWithParent {
        /// Node code.
        node: String,
        /// Parent code.
        parent: String,
        /// The correlation.
        r: f64,
    },
    /// Two indicators of the same group are nearly collinear.
    Collinear {
        /// The group.
        group: String,
        /// First indicator.
        a: String,
        /// Second indicator.
        b: String,
        /// Their correlation.
        r: f64,
    },
}

/// Everything [`audit`] computes (see [`audit`] for an example).
///
/// ```
/// use composite_indicators::audit::{AuditOptions, audit};
/// use composite_indicators::prelude::*;
/// let fw = FrameworkSpec::new(
///     "t",
///     vec![Indicator::new("a", "I"), Indicator::new("b", "I")],
///     vec![Pillar::new("I")],
/// )
/// .check()
/// .unwrap();
/// let x = ndarray::array![[0.0, 1.0], [0.5, 0.2], [1.0, 0.6]];
/// let rep = audit(x.view(), None, &fw, &AuditOptions::default()).unwrap();
/// assert_eq!(rep.pearson.dim(), (2, 2));
/// assert!(rep.parents.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditReport {
    /// Indicator codes (row/column order of the matrices).
    pub indicators: Vec<String>,
    /// Pearson correlations between indicators.
    #[serde(with = "crate::serde_nan::array2")]
    pub pearson: Array2<f64>,
    /// Spearman correlations between indicators.
    #[serde(with = "crate::serde_nan::array2")]
    pub spearman: Array2<f64>,
    /// Every non-root node with its parent and the index (empty without node scores).
    pub parents: Vec<ParentCorrelation>,
    /// One entry per aggregate with indicator children, in node order.
    pub groups: Vec<GroupAudit>,
    /// Flags, negative-with-parent first, then collinear pairs.
    pub flags: Vec<Flag>,
}

/// Audit the normalised matrix `normalised` (units × indicators, framework order) and, when given,
/// `node_scores` (units × **all** nodes in framework order: indicators, then aggregates, root last).
///
/// Errors: shape mismatches → [`Error::ShapeMismatch`]; fewer than 3 complete pairs for any correlation
/// → [`Error::InsufficientData`] naming the pair; a `collinear_threshold` outside `[0, 1]` (or NaN) →
/// [`Error::InvalidParameter`].
///
/// ```
/// use composite_indicators::audit::{AuditOptions, Flag, audit};
/// use composite_indicators::prelude::*;
/// use ndarray::array;
/// let fw = FrameworkSpec::new(
///     "t",
///     vec![Indicator::new("a", "I"), Indicator::new("b", "I")],
///     vec![Pillar::new("I")],
/// )
/// .check()
/// .unwrap();
/// let x = array![[0.0, 0.1], [0.5, 0.4], [1.0, 1.0]];
/// let rep = audit(x.view(), None, &fw, &AuditOptions::default()).unwrap();
/// assert!(matches!(&rep.flags[0], Flag::Collinear { a, b, .. } if a == "a" && b == "b"));
/// ```
pub fn audit(
    normalised: ArrayView2<'_, f64>,
    node_scores: Option<ArrayView2<'_, f64>>,
    fw: &Framework,
    opts: &AuditOptions,
) -> Result<AuditReport> {
    if !(0.0..=1.0).contains(&opts.collinear_threshold) {
        return Err(Error::invalid(
            "collinear_threshold",
            opts.collinear_threshold,
            Expected::closed(0.0, 1.0),
        ));
    }
    let m = fw.n_indicators();
    if normalised.ncols() != m {
        return Err(Error::ShapeMismatch {
            what: "columns of the normalised matrix vs indicators".into(),
            expected: m,
            found: normalised.ncols(),
        });
    }
    let nodes = fw.nodes();
    let codes: Vec<String> = nodes.iter().take(m).map(|n| n.code.clone()).collect();
    let pearson = corr_matrix_named(normalised, CorrMethod::Pearson, &codes)?;
    let spearman = corr_matrix_named(normalised, CorrMethod::Spearman, &codes)?;
    let chosen = match opts.method {
        CorrMethod::Pearson => &pearson,
        CorrMethod::Spearman => &spearman,
    };
    let mut flags = Vec::new();
    let mut parents = Vec::new();
    if let Some(s) = node_scores {
        if s.ncols() != nodes.len() || s.nrows() != normalised.nrows() {
            return Err(Error::ShapeMismatch {
                what: "node scores: units × nodes".into(),
                expected: normalised.nrows() * nodes.len(),
                found: s.nrows() * s.ncols(),
            });
        }
        let root = fw.root_index();
        for (k, node) in nodes.iter().enumerate() {
            let Some(p) = node.parent else { continue };
            let pc = nodes.get(p).map(|n| n.code.clone()).unwrap_or_default();
            let with_parent = corr_named(
                s.column(k),
                s.column(p),
                opts.method,
                &format!("correlation of `{}` with `{pc}`", node.code),
            )?;
            let with_index = corr_named(
                s.column(k),
                s.column(root),
                opts.method,
                &format!("correlation of `{}` with the index", node.code),
            )?;
            if with_parent < 0.0 {
                flags.push(Flag::NegativeWithParent {
                    node: node.code.clone(),
                    parent: pc.clone(),
                    r: with_parent,
                });
            }
            parents.push(ParentCorrelation {
                node: node.code.clone(),
                parent: pc,
                with_parent,
                with_index,
            });
        }
    }
    let mut groups = Vec::new();
    for k in fw.aggregate_indices() {
        let node = &nodes[k];
        let kids: Vec<usize> = node.children.iter().copied().filter(|&c| c < m).collect();
        if kids.is_empty() {
            continue;
        }
        for (a, &j) in kids.iter().enumerate() {
            for &l in &kids[a + 1..] {
                let r = chosen[[j, l]];
                if r > opts.collinear_threshold {
                    flags.push(Flag::Collinear {
                        group: node.code.clone(),
                        a: codes[j].clone(),
                        b: codes[l].clone(),
                        r,
                    });
                }
            }
        }
        let sub = normalised.select(Axis(1), &kids);
        let (alpha, pca) = if kids.len() >= 2 {
            (
                cronbach_alpha(sub.view()).ok(),
                pca_variance_explained(sub.view()).ok(),
            )
        } else {
            (None, None)
        };
        groups.push(GroupAudit {
            group: node.code.clone(),
            indicators: kids.iter().map(|&c| codes[c].clone()).collect(),
            cronbach_alpha: alpha,
            pca_variance: pca,
        });
    }
    Ok(AuditReport {
        indicators: codes,
        pearson,
        spearman,
        parents,
        groups,
        flags,
    })
}

// ---------------------------------------------------------------- rank similarity (study layer)

/// The complete pairs of two equally long variables (both values non-missing), in input order.
///
/// Errors: lengths differ → [`Error::ShapeMismatch`]; fewer than 2 complete pairs →
/// [`Error::InsufficientData`], both naming `what`.
fn complete_pairs(
    x: ArrayView1<'_, f64>,
    y: ArrayView1<'_, f64>,
    what: &str,
) -> Result<Vec<(f64, f64)>> {
    if x.len() != y.len() {
        return Err(Error::ShapeMismatch {
            what: format!("{what}: lengths of the two variables"),
            expected: x.len(),
            found: y.len(),
        });
    }
    let pairs: Vec<(f64, f64)> = x
        .iter()
        .zip(y.iter())
        .filter(|(a, b)| !a.is_nan() && !b.is_nan())
        .map(|(&a, &b)| (a, b))
        .collect();
    if pairs.len() < 2 {
        return Err(Error::InsufficientData {
            what: format!("{what}: complete pairs"),
            needed: 2,
            found: pairs.len(),
        });
    }
    Ok(pairs)
}

/// Pair counts of two variables: concordant, discordant, tied in `x` (any `y`), tied in `y` (any
/// `x`), over all `n(n − 1)/2` pairs of observations (exact `f64` equality decides a tie).
fn pair_counts(pairs: &[(f64, f64)]) -> (f64, f64, f64, f64) {
    let (mut conc, mut disc, mut tx, mut ty) = (0u64, 0u64, 0u64, 0u64);
    for (i, &(xi, yi)) in pairs.iter().enumerate() {
        for &(xj, yj) in pairs.iter().skip(i + 1) {
            let dx = xi - xj;
            let dy = yi - yj;
            if dx == 0.0 {
                tx += 1;
            }
            if dy == 0.0 {
                ty += 1;
            }
            if dx != 0.0 && dy != 0.0 {
                if (dx > 0.0) == (dy > 0.0) {
                    conc += 1;
                } else {
                    disc += 1;
                }
            }
        }
    }
    (conc as f64, disc as f64, tx as f64, ty as f64)
}

/// Kendall's rank correlation **tau-b** of two variables over their pairwise complete observations
/// (`scipy.stats.kendalltau`'s default variant; R's `cor(method = "kendall")`).
///
/// With `n` complete pairs, `n₀ = n(n − 1)/2` pairs of observations, `C` concordant and `D`
/// discordant pairs (pairs tied in either variable are neither), `T_x` pairs tied in `x` and `T_y`
/// pairs tied in `y` (a pair tied in both counts in both):
///
/// `τ_b = (C − D) / √((n₀ − T_x)(n₀ − T_y))`.
///
/// Ties are exact `f64` equality. Without ties `τ_b` is Kendall's tau-a. It depends only on the order
/// of each variable, so scores and ranks give the same value as long as both are oriented the same
/// way. NaN when either variable is constant over the complete pairs (as scipy). The pair count is
/// `O(n²)` (about 5·10⁷ comparisons for 10 000 units).
///
/// # Errors
/// Different lengths → [`Error::ShapeMismatch`]; fewer than 2 complete pairs →
/// [`Error::InsufficientData`].
///
/// # Examples
/// ```
/// use composite_indicators::audit::kendall_tau_b;
/// use ndarray::array;
/// // scipy.stats.kendalltau([1, 2, 3, 4, 5], [3, 1, 2, 5, 4]) -> 0.4 (C = 7, D = 3)
/// let t = kendall_tau_b(array![1.0, 2.0, 3.0, 4.0, 5.0].view(), array![3.0, 1.0, 2.0, 5.0, 4.0].view())?;
/// assert!((t - 0.4).abs() < 1e-15);
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn kendall_tau_b(x: ArrayView1<'_, f64>, y: ArrayView1<'_, f64>) -> Result<f64> {
    let pairs = complete_pairs(x, y, "Kendall's tau-b")?;
    let n = pairs.len() as f64;
    let n0 = n * (n - 1.0) / 2.0;
    let (c, d, tx, ty) = pair_counts(&pairs);
    let den = ((n0 - tx) * (n0 - ty)).sqrt();
    if den == 0.0 {
        return Ok(f64::NAN);
    }
    Ok((c - d) / den)
}

/// The **Goodman–Kruskal gamma** of two variables over their pairwise complete observations:
/// `γ = (C − D) / (C + D)` with `C` concordant and `D` discordant pairs; pairs tied in either
/// variable (exact `f64` equality) are left out. NaN when no pair is untied in both variables. Order
/// based, like [`kendall_tau_b`] (`|γ| ≥ |τ_b|`, equal without ties); `O(n²)`.
///
/// # Errors
/// Different lengths → [`Error::ShapeMismatch`]; fewer than 2 complete pairs →
/// [`Error::InsufficientData`].
///
/// # Examples
/// ```
/// use composite_indicators::audit::goodman_kruskal_gamma;
/// use ndarray::array;
/// // x = 1 1 2 3, y = 1 2 2 3: pairs (1,2) tied in x, (2,3) tied in y; C = 4, D = 0 -> 1
/// let g = goodman_kruskal_gamma(array![1.0, 1.0, 2.0, 3.0].view(), array![1.0, 2.0, 2.0, 3.0].view())?;
/// assert_eq!(g, 1.0);
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn goodman_kruskal_gamma(x: ArrayView1<'_, f64>, y: ArrayView1<'_, f64>) -> Result<f64> {
    let pairs = complete_pairs(x, y, "Goodman-Kruskal gamma")?;
    let (c, d, _, _) = pair_counts(&pairs);
    if c + d == 0.0 {
        return Ok(f64::NAN);
    }
    Ok((c - d) / (c + d))
}

/// Checks that every complete rank is finite and at least 1.
fn check_ranks(pairs: &[(f64, f64)], what: &str) -> Result<()> {
    if let Some(&(a, b)) = pairs
        .iter()
        .find(|(a, b)| !(a.is_finite() && b.is_finite() && *a >= 1.0 && *b >= 1.0))
    {
        return Err(Error::invalid(
            what,
            format!("({a}, {b})"),
            Expected::Rule("ranks must be finite and at least 1 (rank 1 = best)".into()),
        ));
    }
    Ok(())
}

/// The **weighted Spearman rank correlation** `r_W` of two rankings (Pinto da Costa & Soares 2005,
/// "A weighted rank measure of correlation", ANZ J. Stat. 47(4)), which weighs disagreements at the
/// top of the rankings more than at the bottom:
///
/// `r_W = 1 − 6 Σᵢ (xᵢ − yᵢ)² ((N − xᵢ + 1) + (N − yᵢ + 1)) / (N⁴ + N³ − N² − N)`
///
/// where `xᵢ`, `yᵢ` are the ranks (**1 = best**) and `N` the number of complete pairs. Symmetric in
/// `x` and `y`; 1 for identical rankings; not bounded by −1 from below in general. The ranks are used
/// as given (tied ranks too, as pymcdm's `weighted_spearman`); pairs with a missing rank are left
/// out, so rank the common units afresh (as [`rank_similarity`] does) when the two rankings cover
/// different units.
///
/// # Errors
/// Different lengths → [`Error::ShapeMismatch`]; fewer than 2 complete pairs →
/// [`Error::InsufficientData`]; a rank below 1 or infinite → [`Error::InvalidParameter`].
///
/// # Examples
/// ```
/// use composite_indicators::audit::weighted_spearman;
/// use ndarray::array;
/// // pymcdm.correlations.weighted_spearman([1,2,3,4,5], [2,1,3,4,5]):
/// // 1 - 6 * (1 * (5 + 4) + 1 * (4 + 5)) / (625 + 125 - 25 - 5) = 1 - 108/720 = 0.85
/// let r = weighted_spearman(array![1.0, 2.0, 3.0, 4.0, 5.0].view(), array![2.0, 1.0, 3.0, 4.0, 5.0].view())?;
/// assert!((r - 0.85).abs() < 1e-15);
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn weighted_spearman(x: ArrayView1<'_, f64>, y: ArrayView1<'_, f64>) -> Result<f64> {
    let pairs = complete_pairs(x, y, "weighted Spearman r_W")?;
    check_ranks(&pairs, "weighted Spearman ranks")?;
    let n = pairs.len() as f64;
    let num: f64 = pairs
        .iter()
        .map(|&(a, b)| (a - b).powi(2) * ((n - a + 1.0) + (n - b + 1.0)))
        .sum();
    let den = n.powi(4) + n.powi(3) - n * n - n;
    Ok(1.0 - 6.0 * num / den)
}

/// The **WS rank similarity coefficient** of a ranking `y` to a reference ranking `x` (Sałabun &
/// Urbaniak 2020, "A new coefficient of rankings similarity in decision-making problems", ICCS 2020):
///
/// `WS = 1 − Σᵢ 2^(−xᵢ) · |xᵢ − yᵢ| / max(|xᵢ − 1|, |xᵢ − N|)`
///
/// with ranks **1 = best** and `N` complete pairs. A disagreement on the reference's top positions
/// costs most (the weight halves with every rank); `WS` lies in `[0, 1]` for rankings of the same `N`
/// positions and is **not symmetric**: `x` is the reference. Ranks are used as given (as pymcdm's
/// `rank_similarity_coef`); pairs with a missing rank are left out.
///
/// # Errors
/// Different lengths → [`Error::ShapeMismatch`]; fewer than 2 complete pairs →
/// [`Error::InsufficientData`]; a rank below 1 or infinite → [`Error::InvalidParameter`].
///
/// # Examples
/// ```
/// use composite_indicators::audit::ws_coefficient;
/// use ndarray::array;
/// // pymcdm.correlations.rank_similarity_coef([1,2,3,4,5], [2,1,3,4,5]):
/// // 1 - (2^-1 * 1/4 + 2^-2 * 1/3) = 1 - 0.125 - 0.08333 = 0.791666...
/// let ws = ws_coefficient(array![1.0, 2.0, 3.0, 4.0, 5.0].view(), array![2.0, 1.0, 3.0, 4.0, 5.0].view())?;
/// assert!((ws - (1.0 - 0.125 - 1.0 / 12.0)).abs() < 1e-15);
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn ws_coefficient(reference: ArrayView1<'_, f64>, other: ArrayView1<'_, f64>) -> Result<f64> {
    let pairs = complete_pairs(reference, other, "WS coefficient")?;
    check_ranks(&pairs, "WS coefficient ranks")?;
    let n = pairs.len() as f64;
    let sum: f64 = pairs
        .iter()
        .map(|&(a, b)| {
            let den = (a - 1.0).abs().max((a - n).abs());
            if den == 0.0 {
                0.0
            } else {
                (-a).exp2() * (a - b).abs() / den
            }
        })
        .sum();
    Ok(1.0 - sum)
}

/// Every rank-similarity measure of two score sets at once (see [`rank_similarity`]).
///
/// # Examples
/// ```
/// use composite_indicators::audit::rank_similarity;
/// use ndarray::array;
/// let s = rank_similarity(array![3.0, 2.0, 1.0].view(), array![3.0, 2.0, 1.0].view())?;
/// assert_eq!((s.n, s.kendall_tau_b, s.ws), (3, 1.0, 1.0));
/// # Ok::<(), composite_indicators::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RankSimilarity {
    /// Units with a score in both sets (the others are left out).
    pub n: usize,
    /// Pearson correlation of the scores.
    #[serde(with = "crate::serde_nan::num")]
    pub pearson: f64,
    /// Spearman correlation (average ranks).
    #[serde(with = "crate::serde_nan::num")]
    pub spearman: f64,
    /// Kendall's tau-b ([`kendall_tau_b`]).
    #[serde(with = "crate::serde_nan::num")]
    pub kendall_tau_b: f64,
    /// Goodman–Kruskal gamma ([`goodman_kruskal_gamma`]).
    #[serde(with = "crate::serde_nan::num")]
    pub gamma: f64,
    /// Weighted Spearman `r_W` of the rankings ([`weighted_spearman`]).
    #[serde(with = "crate::serde_nan::num")]
    pub weighted_spearman: f64,
    /// WS coefficient of the second ranking to the first ([`ws_coefficient`]).
    #[serde(with = "crate::serde_nan::num")]
    pub ws: f64,
}

/// Compare two score sets of the same units (higher = better; NaN = missing): the units scored in
/// both are kept, and on them Pearson and Spearman ([`correlation`]), [`kendall_tau_b`] and
/// [`goodman_kruskal_gamma`] are computed on the scores, [`weighted_spearman`] and
/// [`ws_coefficient`] (reference = `reference`) on the ranks of the kept units, rank 1 = highest
/// score, tied scores sharing the average rank (as Spearman).
///
/// Pearson and Spearman need 3 complete pairs, as [`correlation`]; with exactly 2 they are NaN and the
/// other measures are still given.
///
/// # Errors
/// Different lengths → [`Error::ShapeMismatch`]; fewer than 2 units scored in both →
/// [`Error::InsufficientData`].
///
/// # Examples
/// ```
/// use composite_indicators::audit::rank_similarity;
/// use ndarray::array;
/// // ranks 1 2 3 4 5 against 2 1 3 4 5 (the first two swapped), a unit missing in one set
/// let a = array![50.0, 40.0, 30.0, 20.0, 10.0, 5.0];
/// let b = array![40.0, 50.0, 30.0, 20.0, 10.0, f64::NAN];
/// let s = rank_similarity(a.view(), b.view())?;
/// assert_eq!(s.n, 5);
/// assert!((s.kendall_tau_b - 0.8).abs() < 1e-15 && (s.weighted_spearman - 0.85).abs() < 1e-15);
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn rank_similarity(
    reference: ArrayView1<'_, f64>,
    other: ArrayView1<'_, f64>,
) -> Result<RankSimilarity> {
    let pairs = complete_pairs(reference, other, "rank similarity")?;
    let a: Vec<f64> = pairs.iter().map(|p| p.0).collect();
    let b: Vec<f64> = pairs.iter().map(|p| p.1).collect();
    let (av, bv) = (ArrayView1::from(&a), ArrayView1::from(&b));
    let corr_or_nan = |m: CorrMethod| -> Result<f64> {
        if a.len() < 3 {
            Ok(f64::NAN)
        } else {
            correlation(av, bv, m)
        }
    };
    let ra = crate::rank::rank_desc(&a, crate::rank::TieRule::Average);
    let rb = crate::rank::rank_desc(&b, crate::rank::TieRule::Average);
    let (rav, rbv) = (ArrayView1::from(&ra), ArrayView1::from(&rb));
    Ok(RankSimilarity {
        n: a.len(),
        pearson: corr_or_nan(CorrMethod::Pearson)?,
        spearman: corr_or_nan(CorrMethod::Spearman)?,
        kendall_tau_b: kendall_tau_b(av, bv)?,
        gamma: goodman_kruskal_gamma(av, bv)?,
        weighted_spearman: weighted_spearman(rav, rbv)?,
        ws: ws_coefficient(rav, rbv)?,
    })
}
