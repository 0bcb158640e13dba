//! Statistical audit: correlations, Cronbach's alpha, PCA variance, flags.
//!
//! The JRC/OECD handbook's coherence checks, computed as COINr computes them:
//! * correlation matrices between indicators, Pearson or Spearman, over **pairwise complete**
//!   observations (R's `cor(use = "pairwise.complete.obs")`; Spearman ranks with average ties on the
//!   complete pairs); a pair with fewer than 3 complete observations is [`Error::InsufficientData`]; a
//!   pair where one variable is constant gives NaN (R's `NA`);
//! * each node's correlation with its parent and with the index (from a units × nodes score matrix);
//! * Cronbach's alpha per group ([`cronbach_alpha`], COINr's `get_cronbach()`);
//! * the variance explained by each principal component per group ([`pca_variance_explained`]);
//! * flags ([`Flag`]): nodes correlating negatively with their parent, and collinear indicator pairs
//!   (|r| above a threshold, 0.92 by default) within a group.
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

use crate::error::{Error, Result};
use crate::spec::Framework;
use crate::weights::data_driven_pca_eigen as pca_eigen;
use crate::weights::linalg::{pearson_pairwise, spearman_pairwise};

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
/// assert_eq!(o.collinear_threshold, 0.92);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditOptions {
    /// Correlation used for parent/index correlations and flags (default Pearson).
    #[serde(default)]
    pub method: CorrMethod,
    /// A pair of indicators in the same group with `|r| >` this is flagged collinear (default 0.92).
    #[serde(default = "default_collinear")]
    pub collinear_threshold: f64,
}

fn default_collinear() -> f64 {
    0.92
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
    pub with_parent: f64,
    /// Correlation with the index (root) scores.
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
/// let fw = FrameworkSpec {
///     name: "t".into(),
///     indicators: vec![Indicator::new("a", "I"), Indicator::new("b", "I")],
///     pillars: vec![Pillar::new("I")],
/// }
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
    pub pearson: Array2<f64>,
    /// Spearman correlations between indicators.
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
/// → [`Error::InsufficientData`] naming the pair.
///
/// ```
/// use composite_indicators::audit::{AuditOptions, Flag, audit};
/// use composite_indicators::prelude::*;
/// use ndarray::array;
/// let fw = FrameworkSpec {
///     name: "t".into(),
///     indicators: vec![Indicator::new("a", "I"), Indicator::new("b", "I")],
///     pillars: vec![Pillar::new("I")],
/// }
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
                if r.abs() > opts.collinear_threshold {
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
