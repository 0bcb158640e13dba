//! Multi-criteria decision analysis (MCDA) aggregators: TOPSIS and PROMETHEE II.
//!
//! Both methods rank alternatives against each other, so unlike the row-wise means they need the whole
//! units × children block of a node at once (as Copeland does). How they sit in a hierarchical
//! framework (one node's children across all units, raw scores not rescaled) and their missing-value
//! rules are documented on the `aggregate` module and on the two `AggregatorKind` variants.
//!
//! Missing values go through [`row_weight_sum`](super::row_weight_sum) as for every built-in: a unit
//! whose result is missing under the policy gets NaN and is not an alternative of the comparison.

use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::NodeContext;
use super::rows::{check_block, row_weight_sum};
use crate::error::{Error, Expected, Result};

/// How TOPSIS normalises each criterion (child) before weighting.
///
/// ```
/// use composite_indicators::aggregate::TopsisNormalisation;
/// assert_eq!(TopsisNormalisation::default(), TopsisNormalisation::MinMax);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TopsisNormalisation {
    /// `r = (x − min) / (max − min)` over the units taking part (pymcdm's default,
    /// `minmax_normalization`). A criterion whose values are all equal contributes nothing.
    #[default]
    MinMax,
    /// `r = x / √(Σ x²)` over the units taking part (Hwang and Yoon's original, pymcdm's
    /// `vector_normalization`). A criterion whose values are all zero contributes nothing.
    Vector,
}

/// The preference function of PROMETHEE II: how strongly unit `a` is preferred to unit `b` on one
/// criterion, as a function of the difference `d = x_a − x_b` (in the units of the normalised values).
///
/// Every function is 0 for `d ≤ 0`. The first five follow pymcdm's definitions exactly (names
/// `usual`, `ushape`, `vshape`, `level`, `vshape_2` there), including which side of a threshold is
/// open; the Gaussian is Brans and Vincke's type VI (scikit-criteria and Visual PROMETHEE offer it too).
/// Thresholds are in the units of the children's values (0–100 under the default min-max normaliser)
/// and apply to every child of the node.
///
/// ```
/// use composite_indicators::aggregate::PreferenceFunction;
/// let f = PreferenceFunction::Level { p: 10.0, q: 2.0 };
/// assert_eq!(f.preference(1.0), 0.0);
/// assert_eq!(f.preference(5.0), 0.5);
/// assert_eq!(f.preference(12.0), 1.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(tag = "function", rename_all = "snake_case", deny_unknown_fields)]
pub enum PreferenceFunction {
    /// Type I: `P = 1` for `d > 0`.
    #[default]
    Usual,
    /// Type II (U-shape, quasi-criterion): `P = 1` for `d > q`, else 0.
    UShape {
        /// Indifference threshold, `q ≥ 0`.
        q: f64,
    },
    /// Type III (V-shape): `P = d / p` for `0 < d ≤ p`, 1 for `d > p`.
    VShape {
        /// Preference threshold, `p > 0`.
        p: f64,
    },
    /// Type IV (level): `P = ½` for `q < d ≤ p`, 1 for `d > p`, else 0.
    Level {
        /// Preference threshold, `p ≥ q`.
        p: f64,
        /// Indifference threshold, `q ≥ 0`.
        q: f64,
    },
    /// Type V (V-shape with indifference, "linear"): `P = (d − q) / (p − q)` for `q < d ≤ p`, 1 for
    /// `d > p`, else 0.
    VShapeIndifference {
        /// Preference threshold, `p > q`.
        p: f64,
        /// Indifference threshold, `q ≥ 0`.
        q: f64,
    },
    /// Type VI (Gaussian): `P = 1 − exp(−d² / (2 s²))` for `d > 0`.
    Gaussian {
        /// Inflection point, `s > 0`.
        s: f64,
    },
}

// keys beside `usual` are refused (see `crate::serde_keys`)
crate::serde_keys::strict_tagged!(PreferenceFunction, "function", PreferenceFunction::Usual);

impl PreferenceFunction {
    /// `P(d)`, the preference for a difference `d` (0 for `d ≤ 0` and for NaN).
    ///
    /// ```
    /// use composite_indicators::aggregate::PreferenceFunction;
    /// assert_eq!(PreferenceFunction::Usual.preference(0.1), 1.0);
    /// assert_eq!(PreferenceFunction::VShape { p: 4.0 }.preference(1.0), 0.25);
    /// assert_eq!(PreferenceFunction::VShapeIndifference { p: 4.0, q: 2.0 }.preference(3.0), 0.5);
    /// ```
    pub fn preference(&self, d: f64) -> f64 {
        // `!(d > 0)` is also true for NaN
        if d.is_nan() || d <= 0.0 {
            return 0.0;
        }
        match *self {
            PreferenceFunction::Usual => 1.0,
            PreferenceFunction::UShape { q } => step(d > q),
            PreferenceFunction::VShape { p } => {
                if d <= p {
                    d / p
                } else {
                    1.0
                }
            }
            PreferenceFunction::Level { p, q } => {
                if d > p {
                    1.0
                } else if d > q {
                    0.5
                } else {
                    0.0
                }
            }
            PreferenceFunction::VShapeIndifference { p, q } => {
                if d > p {
                    1.0
                } else if d > q {
                    (d - q) / (p - q)
                } else {
                    0.0
                }
            }
            PreferenceFunction::Gaussian { s } => 1.0 - (-(d * d) / (2.0 * s * s)).exp(),
        }
    }

    /// Check the thresholds: finite, `q ≥ 0`, `p > 0` (V-shape), `p ≥ q` (level), `p > q` (V-shape
    /// with indifference), `s > 0` (Gaussian). Errors: [`Error::InvalidParameter`] naming the
    /// threshold.
    ///
    /// ```
    /// use composite_indicators::aggregate::PreferenceFunction;
    /// assert!(PreferenceFunction::Level { p: 2.0, q: 1.0 }.check().is_ok());
    /// assert!(PreferenceFunction::VShapeIndifference { p: 1.0, q: 1.0 }.check().is_err());
    /// assert!(PreferenceFunction::Gaussian { s: 0.0 }.check().is_err());
    /// ```
    pub fn check(&self) -> Result<()> {
        let bad = |name: &str, v: f64, rule: &str| {
            Err(Error::invalid(
                format!("PROMETHEE {name}"),
                v,
                Expected::Rule(format!("{rule} ({self:?})")),
            ))
        };
        let finite_q = |q: f64| {
            if q.is_finite() && q >= 0.0 {
                Ok(())
            } else {
                bad("q", q, "the indifference threshold must be finite and ≥ 0")
            }
        };
        let finite_p = |p: f64| {
            if p.is_finite() && p > 0.0 {
                Ok(())
            } else {
                bad("p", p, "the preference threshold must be finite and > 0")
            }
        };
        match *self {
            PreferenceFunction::Usual => Ok(()),
            PreferenceFunction::UShape { q } => finite_q(q),
            PreferenceFunction::VShape { p } => finite_p(p),
            PreferenceFunction::Level { p, q } => {
                finite_q(q)?;
                finite_p(p)?;
                if p >= q {
                    Ok(())
                } else {
                    bad("p", p, "the level function needs p ≥ q")
                }
            }
            PreferenceFunction::VShapeIndifference { p, q } => {
                finite_q(q)?;
                finite_p(p)?;
                if p > q {
                    Ok(())
                } else {
                    bad("p", p, "the V-shape with indifference needs p > q")
                }
            }
            PreferenceFunction::Gaussian { s } => {
                if s.is_finite() && s > 0.0 {
                    Ok(())
                } else {
                    bad("s", s, "the Gaussian parameter must be finite and > 0")
                }
            }
        }
    }
}

fn step(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

/// Which units take part (their result is not missing under the policy), after the block checks.
fn participants(
    values: ArrayView2<'_, f64>,
    weights: &[f64],
    ctx: &NodeContext<'_>,
) -> Result<Vec<bool>> {
    check_block(values, weights, ctx)?;
    let mut included = Vec::with_capacity(values.nrows());
    for (unit, row) in values.rows().into_iter().enumerate() {
        included.push(row_weight_sum(row, unit, weights, ctx)?.is_some());
    }
    Ok(included)
}

/// TOPSIS closeness coefficients (see [`AggregatorKind::Topsis`](super::AggregatorKind::Topsis)).
pub(super) fn topsis(
    values: ArrayView2<'_, f64>,
    weights: &[f64],
    ctx: &NodeContext<'_>,
    normalisation: TopsisNormalisation,
) -> Result<Array1<f64>> {
    let included = participants(values, weights, ctx)?;
    let n = values.nrows();
    let total: f64 = weights.iter().sum();
    let mut d_plus = vec![0.0_f64; n];
    let mut d_minus = vec![0.0_f64; n];
    for (j, &w) in weights.iter().enumerate() {
        if w <= 0.0 {
            continue;
        }
        // the column's values over the participating units that have it
        let col = values.column(j);
        let avail = || {
            col.iter()
                .zip(&included)
                .enumerate()
                .filter(|(_, (x, inc))| **inc && !x.is_nan())
                .map(|(i, (&x, _))| (i, x))
        };
        let (lo, hi) = avail().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (_, x)| {
            (lo.min(x), hi.max(x))
        });
        if lo > hi {
            continue; // no participating unit has this child
        }
        // r = (x − shift) / scale; a criterion with a zero scale is the same for every unit
        let (shift, scale) = match normalisation {
            TopsisNormalisation::MinMax => (lo, hi - lo),
            TopsisNormalisation::Vector => {
                // divide by the largest magnitude first so that Σ x² cannot overflow
                let m = lo.abs().max(hi.abs());
                let ss: f64 = if m > 0.0 {
                    avail().map(|(_, x)| (x / m) * (x / m)).sum()
                } else {
                    0.0
                };
                (0.0, m * ss.sqrt())
            }
        };
        if !(scale > 0.0 && scale.is_finite()) {
            continue;
        }
        let wn = w / total;
        let v = |x: f64| wn * ((x - shift) / scale);
        let (pis, nis) = (v(hi), v(lo));
        for (i, x) in avail() {
            let vi = v(x);
            d_plus[i] += (vi - pis) * (vi - pis);
            d_minus[i] += (vi - nis) * (vi - nis);
        }
    }
    Ok((0..n)
        .map(|i| {
            if !included[i] {
                return f64::NAN;
            }
            let (dp, dm) = (d_plus[i].sqrt(), d_minus[i].sqrt());
            if dp + dm > 0.0 { dm / (dp + dm) } else { 0.5 }
        })
        .collect())
}

/// PROMETHEE II net flows (see [`AggregatorKind::Promethee`](super::AggregatorKind::Promethee)).
pub(super) fn promethee(
    values: ArrayView2<'_, f64>,
    weights: &[f64],
    ctx: &NodeContext<'_>,
    preference: PreferenceFunction,
) -> Result<Array1<f64>> {
    preference.check()?;
    let included = participants(values, weights, ctx)?;
    let n = values.nrows();
    let total: f64 = weights.iter().sum();
    let rows: Vec<_> = values.rows().into_iter().collect();
    // Σ_b (π(a, b) − π(b, a)) and the number of comparable partners, per unit
    let mut net = vec![0.0_f64; n];
    let mut partners = vec![0usize; n];
    for (a, (ra, &inc_a)) in rows.iter().zip(&included).enumerate() {
        if !inc_a {
            continue;
        }
        for (b, (rb, &inc_b)) in rows.iter().zip(&included).enumerate().skip(a + 1) {
            if !inc_b {
                continue;
            }
            let (mut pab, mut pba, mut wsum) = (0.0, 0.0, 0.0);
            let mut skipped = false;
            for ((&xa, &xb), &w) in ra.iter().zip(rb.iter()).zip(weights) {
                if w <= 0.0 {
                    continue;
                }
                if xa.is_nan() || xb.is_nan() {
                    skipped = true;
                    continue;
                }
                let wn = w / total;
                pab += wn * preference.preference(xa - xb);
                pba += wn * preference.preference(xb - xa);
                wsum += wn;
            }
            if wsum <= 0.0 {
                continue; // no child both units have: not comparable
            }
            // re-weight over the children both units have (only when one is missing, so complete
            // data gives pymcdm's numbers to the last bit of its formula)
            let diff = if skipped {
                (pab - pba) / wsum
            } else {
                pab - pba
            };
            if let (Some(na), Some(ca)) = (net.get_mut(a), partners.get_mut(a)) {
                *na += diff;
                *ca += 1;
            }
            if let (Some(nb), Some(cb)) = (net.get_mut(b), partners.get_mut(b)) {
                *nb -= diff;
                *cb += 1;
            }
        }
    }
    Ok((0..n)
        .map(|i| {
            if !included[i] {
                f64::NAN
            } else if partners[i] == 0 {
                0.0
            } else {
                net[i] / partners[i] as f64
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::{Aggregator, AggregatorKind, MissingPolicy};
    use approx::assert_relative_eq;
    use ndarray::{Array2, array};

    const NAN: f64 = f64::NAN;

    fn run(
        kind: &AggregatorKind,
        x: &Array2<f64>,
        w: &[f64],
        missing: MissingPolicy,
    ) -> Result<Vec<f64>> {
        let children: Vec<String> = (0..x.ncols()).map(|j| format!("c{j}")).collect();
        let units: Vec<String> = (0..x.nrows()).map(|i| format!("u{i}")).collect();
        let ctx = NodeContext {
            node: "P",
            children: &children,
            unit_codes: &units,
            missing,
        };
        kind.aggregate(x.view(), w, &ctx).map(|a| a.to_vec())
    }

    fn topsis_kind(normalisation: TopsisNormalisation) -> AggregatorKind {
        AggregatorKind::Topsis { normalisation }
    }

    #[test]
    fn topsis_hand_computed() {
        // two criteria, equal weights; min-max: u0 (0, 1), u1 (1, 0), u2 (0.5, 0.5), weighted by ½;
        // PIS (½, ½), NIS (0, 0): u0 and u1 have D+ = D− = ½ -> ½; u2 D+ = D− = √2/4 -> ½
        let x = array![[0.0, 10.0], [4.0, 0.0], [2.0, 5.0]];
        let y = run(
            &topsis_kind(TopsisNormalisation::MinMax),
            &x,
            &[1.0, 1.0],
            MissingPolicy::default(),
        )
        .unwrap();
        for v in y {
            assert_relative_eq!(v, 0.5, max_relative = 1e-12);
        }
        // one criterion: closeness is the min-max value itself
        let x = array![[1.0], [3.0], [2.0]];
        let y = run(
            &topsis_kind(TopsisNormalisation::MinMax),
            &x,
            &[2.0],
            MissingPolicy::default(),
        )
        .unwrap();
        assert_eq!(y, vec![0.0, 1.0, 0.5]);
    }

    #[test]
    fn topsis_constant_criteria_and_single_unit() {
        // the constant column contributes nothing: same as the one-column result
        let x = array![[1.0, 7.0], [3.0, 7.0], [2.0, 7.0]];
        for norm in [TopsisNormalisation::MinMax, TopsisNormalisation::Vector] {
            let y = run(
                &topsis_kind(norm),
                &x,
                &[1.0, 1.0],
                MissingPolicy::default(),
            )
            .unwrap();
            let one = run(
                &topsis_kind(norm),
                &x.slice(ndarray::s![.., 0..1]).to_owned(),
                &[1.0],
                MissingPolicy::default(),
            )
            .unwrap();
            for (p, q) in y.iter().zip(&one) {
                assert_relative_eq!(*p, *q, max_relative = 1e-12);
            }
        }
        // every criterion constant, or one unit: every unit is as far from the ideal as from the
        // anti-ideal -> ½
        let y = run(
            &topsis_kind(TopsisNormalisation::MinMax),
            &array![[1.0, 2.0], [1.0, 2.0]],
            &[1.0, 1.0],
            MissingPolicy::default(),
        )
        .unwrap();
        assert_eq!(y, vec![0.5, 0.5]);
        let y = run(
            &topsis_kind(TopsisNormalisation::Vector),
            &array![[0.0, 0.0]],
            &[1.0, 1.0],
            MissingPolicy::default(),
        )
        .unwrap();
        assert_eq!(y, vec![0.5]);
    }

    #[test]
    fn topsis_missing_values() {
        let x = array![[0.0, 10.0], [4.0, NAN], [2.0, 5.0], [NAN, NAN]];
        let kind = topsis_kind(TopsisNormalisation::MinMax);
        // Propagate: u1 and u3 are out; u0 and u2 compete: column 0 (0, 2) -> (0, 1), column 1
        // (10, 5) -> (1, 0): both ½ away from both ideals -> ½
        let y = run(&kind, &x, &[1.0, 1.0], MissingPolicy::Propagate).unwrap();
        assert!(y[1].is_nan() && y[3].is_nan());
        assert_relative_eq!(y[0], 0.5, max_relative = 1e-12);
        assert_relative_eq!(y[2], 0.5, max_relative = 1e-12);
        // Skip: u1 takes part with column 0 only: column 0 (0, 4, 2) -> (0, 1, ½), column 1 (10, 5)
        // -> (1, 0) over u0 and u2. Weighted by ½:
        // u0 (0, ½): D+ = ½, D− = ½ -> ½; u1 (½, –): D+ = 0, D− = ½ -> 1;
        // u2 (¼, 0): D+ = √(1/16 + 1/4) = √5/4, D− = ¼ -> 1/(1 + √5)
        let y = run(&kind, &x, &[1.0, 1.0], MissingPolicy::default()).unwrap();
        assert_relative_eq!(y[0], 0.5, max_relative = 1e-12);
        assert_relative_eq!(y[1], 1.0, max_relative = 1e-12);
        assert_relative_eq!(y[2], 1.0 / (1.0 + 5f64.sqrt()), max_relative = 1e-12);
        assert!(y[3].is_nan());
        let e = run(&kind, &x, &[1.0, 1.0], MissingPolicy::Error).unwrap_err();
        assert!(
            matches!(e, Error::MissingValue { ref unit, .. } if unit == "u1"),
            "{e}"
        );
    }

    #[test]
    fn topsis_is_scale_free_in_the_weights() {
        let x = array![
            [0.1, 3.0, 8.0],
            [0.7, 1.0, 2.0],
            [0.4, 2.0, 5.0],
            [0.9, 0.5, 9.0]
        ];
        for norm in [TopsisNormalisation::MinMax, TopsisNormalisation::Vector] {
            let a = run(
                &topsis_kind(norm),
                &x,
                &[1.0, 2.0, 3.0],
                MissingPolicy::default(),
            )
            .unwrap();
            let b = run(
                &topsis_kind(norm),
                &x,
                &[10.0, 20.0, 30.0],
                MissingPolicy::default(),
            )
            .unwrap();
            for (p, q) in a.iter().zip(&b) {
                assert_relative_eq!(*p, *q, max_relative = 1e-12);
            }
        }
    }

    #[test]
    fn preference_functions_at_their_thresholds() {
        let cases = [
            (PreferenceFunction::Usual, [0.0, 0.0, 1.0, 1.0, 1.0]),
            (
                PreferenceFunction::UShape { q: 1.0 },
                [0.0, 0.0, 0.0, 1.0, 1.0],
            ),
            (
                PreferenceFunction::VShape { p: 2.0 },
                [0.0, 0.0, 0.5, 0.75, 1.0],
            ),
            (
                PreferenceFunction::Level { p: 2.0, q: 1.0 },
                [0.0, 0.0, 0.0, 0.5, 1.0],
            ),
            (
                PreferenceFunction::VShapeIndifference { p: 2.0, q: 1.0 },
                [0.0, 0.0, 0.0, 0.5, 1.0],
            ),
        ];
        // d = −1, 0, 1, 1.5, 3
        let ds = [-1.0, 0.0, 1.0, 1.5, 3.0];
        for (f, want) in cases {
            let got: Vec<f64> = ds.iter().map(|&d| f.preference(d)).collect();
            assert_eq!(got, want, "{f:?}");
        }
        // Gaussian with s = 1: 1 − e^(−1/2) at d = 1
        let g = PreferenceFunction::Gaussian { s: 1.0 };
        assert_relative_eq!(
            g.preference(1.0),
            1.0 - (-0.5f64).exp(),
            max_relative = 1e-15
        );
        assert_eq!(g.preference(-1.0), 0.0);
        assert_eq!(g.preference(NAN), 0.0);
    }

    #[test]
    fn promethee_hand_computed() {
        // pymcdm's docstring example: weights (0.5, 0.3, 0.2), usual function -> (0.1, −0.3, 0.2)
        // by hand: π(0,1) = 0.5 + 0.3 = 0.8, π(1,0) = 0.2; π(0,2) = 0.3, π(2,0) = 0.5 + 0.2 = 0.7;
        // π(1,2) = 0.3 + 0.2 = 0.5, π(2,1) = 0.5. φ0 = (0.6 − 0.4)/2 = 0.1, φ1 = (−0.6 + 0)/2 = −0.3,
        // φ2 = (0.4 + 0)/2 = 0.2
        let x = array![[4.0, 3.0, 2.0], [3.0, 2.0, 4.0], [5.0, 1.0, 3.0]];
        let kind = AggregatorKind::Promethee {
            preference: PreferenceFunction::Usual,
        };
        let y = run(&kind, &x, &[0.5, 0.3, 0.2], MissingPolicy::default()).unwrap();
        for (g, w) in y.iter().zip([0.1, -0.3, 0.2]) {
            assert_relative_eq!(*g, w, max_relative = 1e-12);
        }
        // net flows sum to zero
        assert!(y.iter().sum::<f64>().abs() < 1e-15);
    }

    #[test]
    fn promethee_missing_values() {
        // u1 misses c1; u3 misses everything
        let x = array![[4.0, 3.0], [3.0, NAN], [5.0, 1.0], [NAN, NAN]];
        let kind = AggregatorKind::Promethee {
            preference: PreferenceFunction::Usual,
        };
        // Propagate: u0 vs u2 only: π(0,2) = ½ (c1), π(2,0) = ½ (c0) -> 0, 0
        let y = run(&kind, &x, &[1.0, 1.0], MissingPolicy::Propagate).unwrap();
        assert_eq!((y[0], y[2]), (0.0, 0.0));
        assert!(y[1].is_nan() && y[3].is_nan());
        // Skip: pairs with u1 use c0 only (re-weighted to 1): u0 > u1 (1), u2 > u1 (1);
        // u0 vs u2 as above (0). φ0 = (1 + 0)/2, φ1 = (−1 − 1)/2, φ2 = (0 + 1)/2
        let y = run(&kind, &x, &[1.0, 1.0], MissingPolicy::default()).unwrap();
        assert_eq!(&y[..3], &[0.5, -1.0, 0.5]);
        assert!(y[3].is_nan());
        // a single participating unit has no one to be compared with: 0
        let y = run(
            &kind,
            &array![[1.0, 2.0]],
            &[1.0, 1.0],
            MissingPolicy::default(),
        )
        .unwrap();
        assert_eq!(y, vec![0.0]);
    }

    #[test]
    fn promethee_rejects_bad_thresholds() {
        let x = array![[1.0], [2.0]];
        for preference in [
            PreferenceFunction::VShape { p: 0.0 },
            PreferenceFunction::UShape { q: -1.0 },
            PreferenceFunction::Level { p: 1.0, q: 2.0 },
            PreferenceFunction::VShapeIndifference { p: 2.0, q: 2.0 },
            PreferenceFunction::Gaussian { s: NAN },
        ] {
            let e = run(
                &AggregatorKind::Promethee { preference },
                &x,
                &[1.0],
                MissingPolicy::default(),
            )
            .unwrap_err();
            assert!(matches!(e, Error::InvalidParameter { .. }), "{e}");
        }
    }
}
