//! Analytic Hierarchy Process: weights from a pairwise comparison matrix (Saaty).

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Expected, Result};

/// Saaty's random consistency index RI for n = 1..=15 (Saaty 1980; n ≤ 2 has RI = 0).
///
/// ```
/// assert_eq!(composite_indicators::weights::RANDOM_INDEX[2], 0.58); // n = 3
/// ```
pub const RANDOM_INDEX: [f64; 15] = [
    0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59,
];

/// Relative tolerance of the reciprocity check `|a_ij · a_ji − 1| ≤ RECIPROCAL_TOL` (lets users type
/// 0.333 for 1/3).
///
/// ```
/// assert!(0.333 * 3.0 - 1.0 <= composite_indicators::weights::RECIPROCAL_TOL);
/// ```
pub const RECIPROCAL_TOL: f64 = 1e-2;

/// The result of [`ahp_weights`].
///
/// ```
/// use composite_indicators::weights::ahp_weights;
/// let r = ahp_weights(ndarray::array![[1.0, 3.0], [1.0 / 3.0, 1.0]].view()).unwrap();
/// assert!((r.weights[0] - 0.75).abs() < 1e-12 && r.cr == 0.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AhpResult {
    /// The principal eigenvector, normalised to sum 1.
    pub weights: Vec<f64>,
    /// The principal eigenvalue λ_max (≥ n; = n for a perfectly consistent matrix).
    pub lambda_max: f64,
    /// Consistency index `CI = (λ_max − n)/(n − 1)` (0 for n ≤ 2).
    pub ci: f64,
    /// Consistency ratio `CR = CI / RI(n)` (0 for n ≤ 2).
    pub cr: f64,
}

/// AHP weights of `n` criteria from an `n × n` pairwise comparison matrix `A` (`a_ij` = how much more
/// important criterion `i` is than `j`, on Saaty's 1–9 scale).
///
/// The weights are the principal (Perron) eigenvector of `A`, found by power iteration from the uniform
/// vector and normalised to sum 1 (iteration stops when no component moves by more than 1e-15, at most
/// 10 000 steps). `λ_max` is the mean of `(A w)_i / w_i`; `CI = (λ_max − n)/(n − 1)`; `CR = CI / RI(n)`
/// with Saaty's [`RANDOM_INDEX`]. The consistency is reported, not enforced: see [`AhpResult::check`]
/// (the [`WeightScheme::Ahp`](super::WeightScheme::Ahp) scheme enforces `max_cr`, 0.1 by default).
///
/// Errors: not square → [`Error::ShapeMismatch`]; empty or n > 15 (no RI) → [`Error::InvalidParameter`];
/// a cell that is not finite and positive, a diagonal entry other than 1, or a pair with
/// `|a_ij · a_ji − 1| > 0.01` → [`Error::InvalidPairwise`] naming the cell (0-based).
///
/// ```
/// use composite_indicators::weights::ahp_weights;
/// use ndarray::array;
/// // consistent: criterion 0 twice as important as 1, four times as important as 2
/// let a = array![[1.0, 2.0, 4.0], [0.5, 1.0, 2.0], [0.25, 0.5, 1.0]];
/// let r = ahp_weights(a.view()).unwrap();
/// assert!((r.weights[0] - 4.0 / 7.0).abs() < 1e-12);
/// assert!((r.lambda_max - 3.0).abs() < 1e-12 && r.cr.abs() < 1e-12);
/// ```
pub fn ahp_weights(a: ArrayView2<'_, f64>) -> Result<AhpResult> {
    let n = a.nrows();
    if a.ncols() != n {
        return Err(Error::ShapeMismatch {
            what: "pairwise comparison matrix: columns vs rows".into(),
            expected: n,
            found: a.ncols(),
        });
    }
    if n == 0 || n > RANDOM_INDEX.len() {
        return Err(Error::invalid(
            "pairwise matrix size",
            n,
            Expected::closed(1.0, RANDOM_INDEX.len() as f64),
        ));
    }
    for ((i, j), &v) in a.indexed_iter() {
        let bad = |reason: String| {
            Err(Error::InvalidPairwise {
                row: i,
                col: j,
                reason,
            })
        };
        if !(v.is_finite() && v > 0.0) {
            return bad(format!("{v} must be finite and positive"));
        }
        if i == j && (v - 1.0).abs() > 1e-12 {
            return bad(format!("diagonal entry is {v}, must be 1"));
        }
        if i < j {
            let back = a[[j, i]];
            if back.is_finite() && (v * back - 1.0).abs() > RECIPROCAL_TOL {
                return bad(format!(
                    "{v} is not reciprocal to cell ({j}, {i}) = {back} (expected {})",
                    1.0 / v
                ));
            }
        }
    }
    let mut w = vec![1.0 / n as f64; n];
    for _ in 0..10_000 {
        let aw = a.dot(&ndarray::ArrayView1::from(&w[..]));
        let s: f64 = aw.sum();
        let next: Vec<f64> = aw.iter().map(|v| v / s).collect();
        let delta = next
            .iter()
            .zip(&w)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
        w = next;
        if delta <= 1e-15 {
            break;
        }
    }
    let aw = a.dot(&ndarray::ArrayView1::from(&w[..]));
    let lambda_max = aw.iter().zip(&w).map(|(x, y)| x / y).sum::<f64>() / n as f64;
    let (ci, cr) = if n <= 2 {
        (0.0, 0.0)
    } else {
        let ci = (lambda_max - n as f64) / (n as f64 - 1.0);
        (ci, ci / RANDOM_INDEX[n - 1])
    };
    Ok(AhpResult {
        weights: w,
        lambda_max,
        ci,
        cr,
    })
}

impl AhpResult {
    /// `Ok(self)` when `cr ≤ max_cr`, else [`Error::InconsistentPairwise`] (Saaty's rule: 0.1).
    ///
    /// ```
    /// use composite_indicators::weights::ahp_weights;
    /// use ndarray::array;
    /// // intransitive: 0 > 1, 1 > 2, 2 > 0
    /// let a = array![[1.0, 3.0, 1.0 / 3.0], [1.0 / 3.0, 1.0, 3.0], [3.0, 1.0 / 3.0, 1.0]];
    /// assert!(ahp_weights(a.view()).unwrap().check(0.1).is_err());
    /// ```
    pub fn check(self, max_cr: f64) -> Result<Self> {
        if self.cr > max_cr {
            Err(Error::InconsistentPairwise {
                group: None,
                cr: self.cr,
                limit: max_cr,
            })
        } else {
            Ok(self)
        }
    }
}

/// A pairwise comparison matrix for the children of one aggregate, used by
/// [`WeightScheme::Ahp`](super::WeightScheme::Ahp): `children` names the rows/columns (every child of
/// the group exactly once, any order), `matrix` is row-major.
///
/// ```
/// use composite_indicators::weights::PairwiseMatrix;
/// let m: PairwiseMatrix =
///     serde_json::from_str(r#"{"children": ["a", "b"], "matrix": [[1, 2], [0.5, 1]]}"#).unwrap();
/// assert_eq!(m.matrix[1][0], 0.5);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairwiseMatrix {
    /// Child codes, in the order of the rows.
    pub children: Vec<String>,
    /// Rows of the matrix.
    pub matrix: Vec<Vec<f64>>,
}
