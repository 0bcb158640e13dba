//! Data-driven weights for flat MCDA use: entropy, CRITIC, standard deviation, PCA.
//!
//! Every function takes an alternatives × criteria matrix (units × indicators), **already normalised and
//! direction-oriented** (higher = better for every column, as the crate's normalisers produce), and
//! returns one weight per column. A ±∞ value is [`Error::NonFinite`] (row and column named); a column
//! statistic that overflows f64 (values near ±1e308) is [`Error::InvalidSpec`] naming the column,
//! never a NaN weight. Entropy, CRITIC and standard-deviation weights sum to 1; PCA returns
//! loadings (see [`pca_weights`]). Missing values (NaN) are skipped as documented per method.

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::stats::{complete_rows, correlation_complete, pearson_pairwise, sample_sd, sym_eigen};

fn default_codes(m: usize) -> Vec<String> {
    (0..m).map(|j| format!("column {j}")).collect()
}

fn normalise_sum(w: Vec<f64>, codes: &[String], group: &str) -> Result<Vec<f64>> {
    // a column statistic (sum, sd, sd × conflict) of values near ±1e308 can overflow to ∞, and ∞ / ∞
    // would return NaN weights as a success
    if let Some((code, _)) = codes.iter().zip(&w).find(|(_, v)| !v.is_finite()) {
        return Err(Error::InvalidSpec {
            code: code.clone(),
            reason: format!("{group}: the column statistic overflows f64; rescale the data"),
        });
    }
    // divide by the largest first so that the sum of several huge statistics cannot overflow
    let m = w.iter().copied().fold(0.0, f64::max);
    let s: f64 = w.iter().map(|v| v / m).sum();
    if m.is_nan() || m <= 0.0 || s.is_nan() || s <= 0.0 {
        return Err(Error::ZeroWeightSum {
            group: group.to_string(),
        });
    }
    Ok(w.into_iter().map(|v| v / m / s).collect())
}

fn check_shape(x: &ArrayView2<'_, f64>, codes: &[String]) -> Result<()> {
    if x.ncols() != codes.len() {
        return Err(Error::ShapeMismatch {
            what: "columns of the matrix vs criteria codes".into(),
            expected: codes.len(),
            found: x.ncols(),
        });
    }
    if x.ncols() == 0 {
        return Err(Error::EmptyData {
            what: "no criteria (columns)".into(),
        });
    }
    // ±∞ is not a normalised value; it would turn sums and sds into NaN weights
    for ((i, j), &v) in x.indexed_iter() {
        if v.is_infinite() {
            return Err(Error::NonFinite {
                unit: format!("row {i}"),
                indicator: codes.get(j).cloned().unwrap_or_default(),
                value: v,
            });
        }
    }
    Ok(())
}

/// Shannon-entropy weights.
///
/// For column `j` with `n_j` non-missing values (missing values are skipped):
/// `p_ij = x_ij / Σ_i x_ij`, `e_j = −Σ_i p_ij ln p_ij / ln n_j` (with `0 ln 0 = 0`),
/// `d_j = 1 − e_j`, `w_j = d_j / Σ_k d_k`. A column whose values are all equal carries no information
/// (`e_j = 1`, weight 0).
///
/// Errors: a negative value → [`Error::OutOfRange`] (row and column named); a column summing to 0 →
/// [`Error::ZeroRange`]; fewer than 2 values in a column → [`Error::InsufficientData`]; every column
/// uniform → [`Error::ZeroWeightSum`].
///
/// ```
/// use composite_indicators::weights::entropy_weights;
/// use ndarray::array;
/// // column 0 is uniform (no information), column 1 is not
/// let w = entropy_weights(array![[1.0, 1.0], [1.0, 3.0]].view()).unwrap();
/// assert_eq!(w, vec![0.0, 1.0]);
/// ```
pub fn entropy_weights(x: ArrayView2<'_, f64>) -> Result<Vec<f64>> {
    entropy_named(x, &default_codes(x.ncols()), "entropy weights")
}

pub(crate) fn entropy_named(
    x: ArrayView2<'_, f64>,
    codes: &[String],
    group: &str,
) -> Result<Vec<f64>> {
    check_shape(&x, codes)?;
    let mut d = Vec::with_capacity(codes.len());
    for (j, code) in codes.iter().enumerate() {
        let col = x.column(j);
        let mut vals = Vec::new();
        for (i, &v) in col.iter().enumerate() {
            if v.is_nan() {
                continue;
            }
            if v < 0.0 {
                return Err(Error::OutOfRange {
                    unit: format!("row {i}"),
                    indicator: code.clone(),
                    reason: format!(
                        "value {v} is negative; entropy weights need non-negative values (normalise to [0, 1] first)"
                    ),
                });
            }
            vals.push(v);
        }
        let n = vals.len();
        if n < 2 {
            return Err(Error::InsufficientData {
                what: format!("entropy weight of `{code}`"),
                needed: 2,
                found: n,
            });
        }
        // entropy is scale-free: divide by the column maximum first so the sum cannot overflow
        let m = vals.iter().copied().fold(0.0, f64::max);
        if m > 0.0 {
            vals.iter_mut().for_each(|v| *v /= m);
        }
        let s: f64 = vals.iter().sum();
        if s <= 0.0 {
            return Err(Error::ZeroRange {
                indicator: code.clone(),
                value: 0.0,
                method: "entropy weights".into(),
            });
        }
        let h: f64 = vals
            .iter()
            .map(|v| v / s)
            .filter(|&p| p > 0.0)
            .map(|p| -p * p.ln())
            .sum();
        let e = h / (n as f64).ln();
        d.push((1.0 - e).max(0.0));
    }
    normalise_sum(d, codes, group)
}

/// Standard-deviation weights: `w_j = sd_j / Σ_k sd_k`, with the sample standard deviation (n − 1) of
/// each column's non-missing values.
///
/// Errors: fewer than 2 values in a column → [`Error::InsufficientData`]; every column constant →
/// [`Error::ZeroWeightSum`].
///
/// ```
/// use composite_indicators::weights::std_dev_weights;
/// use ndarray::array;
/// // sd of (0, 2, 4) = 2, sd of (0, 1, 2) = 1
/// let w = std_dev_weights(array![[0.0, 0.0], [2.0, 1.0], [4.0, 2.0]].view()).unwrap();
/// assert!((w[0] - 2.0 / 3.0).abs() < 1e-12 && (w[1] - 1.0 / 3.0).abs() < 1e-12);
/// ```
pub fn std_dev_weights(x: ArrayView2<'_, f64>) -> Result<Vec<f64>> {
    std_dev_named(x, &default_codes(x.ncols()), "standard-deviation weights")
}

fn sds(x: &ArrayView2<'_, f64>, codes: &[String], method: &str) -> Result<Vec<f64>> {
    codes
        .iter()
        .enumerate()
        .map(|(j, code)| {
            sample_sd(x.column(j)).ok_or_else(|| Error::InsufficientData {
                what: format!("{method} of `{code}`"),
                needed: 2,
                found: x.column(j).iter().filter(|v| !v.is_nan()).count(),
            })
        })
        .collect()
}

pub(crate) fn std_dev_named(
    x: ArrayView2<'_, f64>,
    codes: &[String],
    group: &str,
) -> Result<Vec<f64>> {
    check_shape(&x, codes)?;
    let s = sds(&x, codes, "standard-deviation weight")?;
    normalise_sum(s, codes, group)
}

/// CRITIC weights (Diakoulaki et al., 1995): `c_j = sd_j · Σ_k (1 − r_jk)`, `w_j = c_j / Σ_k c_k`, with
/// the sample standard deviation of each column and the Pearson correlation `r_jk` over the rows where
/// both columns are present. Contrast (sd) and conflict (low correlation) both raise a weight.
///
/// The usual CRITIC recipe min-max normalises the matrix first; here the matrix is taken as given (it
/// is already normalised by the caller).
///
/// Errors: a constant column → [`Error::ZeroRange`] (its correlations are undefined); fewer than 3
/// complete pairs for a pair of columns → [`Error::InsufficientData`]; a single column (no conflict) →
/// [`Error::ZeroWeightSum`].
///
/// ```
/// use composite_indicators::weights::critic_weights;
/// use ndarray::array;
/// // every sd = 1; r01 = 1, r02 = r12 = 1/2, so c = (0.5, 0.5, 1) and w = (0.25, 0.25, 0.5)
/// let x = array![[1.0, 1.0, 1.0], [2.0, 2.0, 3.0], [3.0, 3.0, 2.0]];
/// let w = critic_weights(x.view()).unwrap();
/// assert!((w[2] - 0.5).abs() < 1e-12 && (w[0] - 0.25).abs() < 1e-12);
/// ```
pub fn critic_weights(x: ArrayView2<'_, f64>) -> Result<Vec<f64>> {
    critic_named(x, &default_codes(x.ncols()), "CRITIC weights")
}

pub(crate) fn critic_named(
    x: ArrayView2<'_, f64>,
    codes: &[String],
    group: &str,
) -> Result<Vec<f64>> {
    check_shape(&x, codes)?;
    let s = sds(&x, codes, "CRITIC weight")?;
    for (j, (sd, code)) in s.iter().zip(codes).enumerate() {
        if *sd == 0.0 {
            let v = x
                .column(j)
                .iter()
                .copied()
                .find(|v| !v.is_nan())
                .unwrap_or(f64::NAN);
            return Err(Error::ZeroRange {
                indicator: code.clone(),
                value: v,
                method: "CRITIC weights".into(),
            });
        }
    }
    let m = codes.len();
    let mut c = vec![0.0; m];
    for j in 0..m {
        let mut conflict = 0.0;
        for k in 0..m {
            if j == k {
                continue;
            }
            let (r, n) = pearson_pairwise(x.column(j), x.column(k));
            if n < 3 {
                return Err(Error::InsufficientData {
                    what: format!("CRITIC correlation of `{}` and `{}`", codes[j], codes[k]),
                    needed: 3,
                    found: n,
                });
            }
            // r is NaN only when a column is constant over the common rows: no linear relation
            conflict += 1.0 - if r.is_nan() { 0.0 } else { r };
        }
        c[j] = s[j] * conflict;
    }
    normalise_sum(c, codes, group)
}

/// What the PCA weight scheme ([`WeightScheme::Pca`](super::WeightScheme::Pca)) does with a negative
/// first-component loading (an indicator that runs against the others in its group).
///
/// COINr's `get_PCA()` writes the loadings as weights whatever their sign, and its arithmetic mean
/// (`a_amean`) divides by their sum, so a negative loading makes its indicator count *against* the
/// aggregate. This crate rejects that by default; [`NegativeLoadings::Keep`] asks for COINr's
/// behaviour explicitly. Serialised as `"reject"` / `"keep"`; a config without the field rejects.
///
/// ```
/// use composite_indicators::weights::NegativeLoadings;
/// use composite_indicators::WeightScheme;
/// assert_eq!(NegativeLoadings::default(), NegativeLoadings::Reject);
/// // old configs parse unchanged
/// let s: WeightScheme = serde_json::from_str(r#"{"scheme": "pca"}"#).unwrap();
/// assert_eq!(s, WeightScheme::Pca { negative_loadings: NegativeLoadings::Reject });
/// let s: WeightScheme = toml::from_str("scheme = \"pca\"\nnegative_loadings = \"keep\"").unwrap();
/// assert_eq!(s, WeightScheme::Pca { negative_loadings: NegativeLoadings::Keep });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NegativeLoadings {
    /// A negative loading is [`Error::InvalidWeight`] naming the indicator (the default): every
    /// aggregator of this crate except [`AggregatorKind::SignedArithmetic`](crate::AggregatorKind::SignedArithmetic)
    /// needs non-negative weights.
    #[default]
    Reject,
    /// Keep the signed loadings as weights (COINr's behaviour). Aggregate the groups with
    /// [`AggregatorKind::SignedArithmetic`](crate::AggregatorKind::SignedArithmetic) (COINr's
    /// `a_amean`): the other aggregators reject negative weights with [`Error::InvalidParameter`],
    /// and so do weight sweeps (their weights must be non-negative).
    Keep,
}

/// PCA weights as COINr's `get_PCA()` computes them: the loadings of the first principal component of
/// the correlation matrix (`prcomp(center = TRUE, scale = TRUE)`) over the rows with no missing value
/// (listwise deletion, R's `na.omit`). The loadings have unit Euclidean norm. A principal component's
/// sign is arbitrary (R's depends on LAPACK); this crate orients it so that the loadings sum to a
/// positive number. Loadings can still be negative for an indicator that runs against the others.
///
/// Errors: fewer than 3 complete rows → [`Error::InsufficientData`]; a constant column →
/// [`Error::ZeroRange`].
///
/// ```
/// use composite_indicators::weights::pca_weights;
/// use ndarray::array;
/// // two columns: correlation matrix [[1, r], [r, 1]] with r > 0 -> loadings (1, 1)/√2
/// let x = array![[1.0, 2.0], [2.0, 2.5], [3.0, 5.0], [4.0, 4.0]];
/// let w = pca_weights(x.view()).unwrap();
/// assert!((w[0] - 0.5f64.sqrt()).abs() < 1e-12 && (w[1] - 0.5f64.sqrt()).abs() < 1e-12);
/// ```
pub fn pca_weights(x: ArrayView2<'_, f64>) -> Result<Vec<f64>> {
    pca_named(x, &default_codes(x.ncols()))
}

/// First-component loadings and the eigenvalues (decreasing) of the complete-row correlation matrix.
pub(crate) fn pca_eigen(
    x: ArrayView2<'_, f64>,
    codes: &[String],
    what: &str,
) -> Result<(Vec<f64>, Array2<f64>)> {
    check_shape(&x, codes)?;
    let c = complete_rows(x);
    if c.nrows() < 3 {
        return Err(Error::InsufficientData {
            what: format!("{what}: rows without missing values"),
            needed: 3,
            found: c.nrows(),
        });
    }
    let r = correlation_complete(c.view()).map_err(|j| Error::ZeroRange {
        indicator: codes.get(j).cloned().unwrap_or_default(),
        value: c.column(j).first().copied().unwrap_or(f64::NAN),
        method: what.to_string(),
    })?;
    Ok(sym_eigen(&r))
}

pub(crate) fn pca_named(x: ArrayView2<'_, f64>, codes: &[String]) -> Result<Vec<f64>> {
    let (_, vecs) = pca_eigen(x, codes, "PCA weights")?;
    let mut w: Vec<f64> = vecs.column(0).to_vec();
    let s: f64 = w.iter().sum();
    let flip = if s.abs() > 1e-12 {
        s < 0.0
    } else {
        w.iter().find(|v| v.abs() > 1e-12).is_some_and(|v| *v < 0.0)
    };
    if flip {
        w.iter_mut().for_each(|v| *v = -*v);
    }
    if let Some((code, _)) = codes.iter().zip(&w).find(|(_, v)| !v.is_finite()) {
        return Err(Error::InvalidSpec {
            code: code.clone(),
            reason: "PCA weights: the loading is not finite (the correlations overflow f64); rescale the data".into(),
        });
    }
    Ok(w)
}
