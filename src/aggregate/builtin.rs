//! Implementations of the built-in aggregators ([`AggregatorKind`]).
//!
//! Every method goes through the same checks and missing-value policy ([`aggregate_rows`] for the
//! row-wise means, [`check_block`] + [`row_weight_sum`] for Copeland); only the kernel differs.

use ndarray::{Array1, ArrayView2};

use super::rows::{
    aggregate_rows, check_block, check_block_signs, child_code, row_weight_sum, unit_code,
};
use super::{Aggregator, AggregatorKind, MeanForm, NodeContext, QuasiTransform, RowInput};
use crate::error::{Error, Result};

/// Relative tolerance used to decide exact ties of weight sums (median at exactly half the weight,
/// Copeland pairs with equal winning and losing weight), so that the result does not depend on the
/// order of floating-point summation or on the scale of the weights.
const TIE_TOL: f64 = 1e-12;

/// Compensated (Neumaier) summation: the rounding error of every addition is carried in a second
/// accumulator, so terms that cancel (`1, 1e100, 1, −1e100` sums to 2, not 0) keep the small ones.
/// The error bound is `2ε·Σ|tᵢ|` independent of the number of terms (naive: `(n − 1)ε·Σ|tᵢ|`).
pub(crate) fn neumaier_sum(terms: impl Iterator<Item = f64>) -> f64 {
    let mut sum = 0.0_f64;
    let mut comp = 0.0_f64;
    for t in terms {
        let s = sum + t;
        comp += if sum.abs() >= t.abs() {
            (sum - s) + t
        } else {
            (t - s) + sum
        };
        sum = s;
    }
    // an infinite partial sum makes `comp` NaN; the plain sum is the right answer then
    if comp.is_finite() { sum + comp } else { sum }
}

impl Aggregator for AggregatorKind {
    fn name(&self) -> String {
        self.to_string()
    }

    fn aggregate(
        &self,
        values: ArrayView2<'_, f64>,
        weights: &[f64],
        ctx: &NodeContext<'_>,
    ) -> Result<Array1<f64>> {
        self.check()?;
        match *self {
            AggregatorKind::Arithmetic => aggregate_rows(values, weights, ctx, |row| {
                let num = neumaier_sum(row.available().map(|(_, x, w)| w * x));
                // Rounding of the two sums may put the ratio an ulp outside the children's range
                // (e.g. all children equal, weights spanning 1e-12..1e12): clamp it back. A mean
                // is never outside [min, max] of the values it averages.
                let (lo, hi) = row
                    .available()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (_, x, _)| {
                        (lo.min(x), hi.max(x))
                    });
                let mean = if num.is_finite() {
                    num / row.weight_sum
                } else {
                    // Σ w·x overflowed (weights and values near f64::MAX): the mean itself is finite;
                    // take it with the weights normalised first, as COINr's `a_amean` does (a clamp
                    // of the infinite ratio would give the largest child instead)
                    let w_sum = row.weight_sum;
                    neumaier_sum(row.available().map(|(_, x, w)| (w / w_sum) * x))
                };
                // `clamp` panics unless lo <= hi; a row reaching the kernel has an available child
                // with positive weight (weight_sum > 0), but keep the guard rather than rely on it
                Ok(if lo <= hi { mean.clamp(lo, hi) } else { mean })
            }),
            AggregatorKind::Sum => aggregate_rows(values, weights, ctx, |row| {
                Ok(neumaier_sum(row.available().map(|(_, x, w)| w * x)))
            }),
            AggregatorKind::Geometric { offset } => aggregate_rows(values, weights, ctx, |row| {
                geometric(&row, offset, ctx, "geometric")
            }),
            AggregatorKind::Harmonic { offset } => aggregate_rows(values, weights, ctx, |row| {
                let mut den = 0.0;
                for (j, x, w) in row.available() {
                    den += w / shifted(&row, j, x, offset, ctx, "harmonic")?;
                }
                Ok(row.weight_sum / den - offset)
            }),
            AggregatorKind::Power { p } => {
                let method = format!("power (p = {p})");
                aggregate_rows(values, weights, ctx, |row| power(&row, p, ctx, &method))
            }
            AggregatorKind::Median => {
                let mut scratch: Vec<(f64, f64)> = Vec::with_capacity(values.ncols());
                aggregate_rows(values, weights, ctx, |row| Ok(median(&row, &mut scratch)))
            }
            AggregatorKind::Copeland => copeland(values, weights, ctx),
            AggregatorKind::SignedArithmetic => signed_mean(values, weights, ctx),
            AggregatorKind::Topsis { normalisation } => {
                super::mcda::topsis(values, weights, ctx, normalisation)
            }
            AggregatorKind::Promethee { preference } => {
                super::mcda::promethee(values, weights, ctx, preference)
            }
        }
    }

    fn kind(&self) -> Option<AggregatorKind> {
        Some(self.clone())
    }

    fn mean_form(&self) -> MeanForm {
        // an invalid parameter goes through `aggregate`, which reports it
        if self.check().is_err() {
            return MeanForm::Opaque;
        }
        match *self {
            AggregatorKind::Arithmetic | AggregatorKind::SignedArithmetic => MeanForm::Linear,
            AggregatorKind::Sum => MeanForm::Sum,
            AggregatorKind::Geometric { offset } => {
                MeanForm::QuasiArithmetic(QuasiTransform::Log { offset })
            }
            AggregatorKind::Harmonic { offset } => {
                MeanForm::QuasiArithmetic(QuasiTransform::Reciprocal { offset })
            }
            AggregatorKind::Power { p: 0.0 } => {
                MeanForm::QuasiArithmetic(QuasiTransform::Log { offset: 0.0 })
            }
            AggregatorKind::Power { p } => MeanForm::QuasiArithmetic(QuasiTransform::Power { p }),
            _ => MeanForm::Opaque,
        }
    }
}

/// `x + offset`, or [`Error::NonPositive`] if it is not positive.
fn shifted(
    row: &RowInput<'_>,
    j: usize,
    x: f64,
    offset: f64,
    ctx: &NodeContext<'_>,
    method: &str,
) -> Result<f64> {
    let y = x + offset;
    if y > 0.0 {
        Ok(y)
    } else {
        Err(non_positive(row, j, x, ctx, method))
    }
}

fn non_positive(
    row: &RowInput<'_>,
    j: usize,
    x: f64,
    ctx: &NodeContext<'_>,
    method: &str,
) -> Error {
    Error::NonPositive {
        unit: unit_code(ctx, row.unit),
        node: ctx.node.to_string(),
        child: child_code(ctx, j),
        value: x,
        method: method.to_string(),
    }
}

/// `exp(Σ w ln(x + offset) / Σ w) − offset`.
fn geometric(row: &RowInput<'_>, offset: f64, ctx: &NodeContext<'_>, method: &str) -> Result<f64> {
    let mut s = 0.0;
    for (j, x, w) in row.available() {
        s += w * shifted(row, j, x, offset, ctx, method)?.ln();
    }
    Ok((s / row.weight_sum).exp() - offset)
}

/// `(Σ w x^p / Σ w)^(1/p)` with the domain rules documented on [`AggregatorKind::Power`].
fn power(row: &RowInput<'_>, p: f64, ctx: &NodeContext<'_>, method: &str) -> Result<f64> {
    if p == 0.0 {
        return geometric(row, 0.0, ctx, method);
    }
    let mut s = 0.0;
    for (j, x, w) in row.available() {
        if !power_domain(p, x) {
            return Err(non_positive(row, j, x, ctx, method));
        }
        s += w * x.powf(p);
    }
    let m = power_root(s / row.weight_sum, p);
    if m.is_finite() {
        return Ok(m);
    }
    // `x^p` overflowed or underflowed (a large |p|, or values near f64's limits) although the mean
    // lies between the children: scale first, `M·(Σ w·(x/M)^p / W)^(1/p)`, with `M` the largest |x|
    // for `p > 0` and the smallest x (all positive) for `p < 0`, so that every `(x/M)^p ≤ 1`
    let abs = row.available().map(|(_, x, _)| x.abs());
    let big = if p > 0.0 {
        abs.fold(0.0, f64::max)
    } else {
        abs.fold(f64::INFINITY, f64::min)
    };
    if big == 0.0 || !big.is_finite() {
        return Ok(m);
    }
    let scaled: f64 = row.available().map(|(_, x, w)| w * (x / big).powf(p)).sum();
    Ok(big * power_root(scaled / row.weight_sum, p))
}

/// Whether `x` is in the power mean's domain for `p ≠ 0`: `x > 0` for `p < 0`; any `x` for an
/// integer `p > 0`; `x ≥ 0` otherwise.
pub(crate) fn power_domain(p: f64, x: f64) -> bool {
    if p < 0.0 {
        x > 0.0
    } else {
        p.fract() == 0.0 || x >= 0.0
    }
}

/// `m^(1/p)`, the last step of the power mean. Only an odd integer `p` can give `m < 0` (even powers
/// are ≥ 0); `t ↦ t^p` is then odd and strictly increasing, so the root keeps the sign.
pub(crate) fn power_root(m: f64, p: f64) -> f64 {
    if m < 0.0 {
        -(-m).powf(1.0 / p)
    } else {
        m.powf(1.0 / p)
    }
}

/// Weighted median of the available children (see [`AggregatorKind::Median`]).
fn median(row: &RowInput<'_>, scratch: &mut Vec<(f64, f64)>) -> f64 {
    scratch.clear();
    scratch.extend(row.available().map(|(_, x, w)| (x, w)));
    scratch.sort_by(|a, b| a.0.total_cmp(&b.0));
    let half = 0.5 * row.weight_sum;
    let tol = TIE_TOL * row.weight_sum;
    let mut cum = 0.0;
    let mut iter = scratch.iter().peekable();
    while let Some(&(x, w)) = iter.next() {
        cum += w;
        if (cum - half).abs() <= tol {
            return match iter.peek() {
                // the midpoint; halves first when the sum overflows (children near f64::MAX)
                Some(&&(next, _)) if (x + next).is_finite() => 0.5 * (x + next),
                Some(&&(next, _)) => 0.5 * x + 0.5 * next,
                None => x,
            };
        }
        if cum > half {
            return x;
        }
    }
    // Unreachable in exact arithmetic (the weights sum to weight_sum > 0); keep the largest value.
    scratch.last().map_or(f64::NAN, |&(x, _)| x)
}

/// COINr's `a_amean` with weights of any sign (see [`AggregatorKind::SignedArithmetic`]).
fn signed_mean(
    values: ArrayView2<'_, f64>,
    weights: &[f64],
    ctx: &NodeContext<'_>,
) -> Result<Array1<f64>> {
    check_block_signs(values, weights, ctx, true)?;
    let mut out = Array1::from_elem(values.nrows(), f64::NAN);
    for ((unit, row), slot) in values.rows().into_iter().enumerate().zip(out.iter_mut()) {
        // `Some` only for a positive weight sum of the available children
        if let Some(weight_sum) = row_weight_sum(row, unit, weights, ctx)? {
            let num = neumaier_sum(
                row.iter()
                    .zip(weights)
                    .filter(|(x, w)| !x.is_nan() && **w != 0.0)
                    .map(|(x, w)| w * x),
            );
            *slot = num / weight_sum;
        }
    }
    Ok(out)
}

/// Copeland scores (see [`AggregatorKind::Copeland`]).
fn copeland(
    values: ArrayView2<'_, f64>,
    weights: &[f64],
    ctx: &NodeContext<'_>,
) -> Result<Array1<f64>> {
    check_block(values, weights, ctx)?;
    let n = values.nrows();
    let mut included = Vec::with_capacity(n);
    for (unit, row) in values.rows().into_iter().enumerate() {
        included.push(row_weight_sum(row, unit, weights, ctx)?.is_some());
    }
    let tol = TIE_TOL * weights.iter().sum::<f64>();
    let mut score = vec![0i64; n];
    let rows: Vec<_> = values.rows().into_iter().collect();
    for (i, (ri, &inc_i)) in rows.iter().zip(&included).enumerate() {
        if !inc_i {
            continue;
        }
        for (j, (rj, &inc_j)) in rows.iter().zip(&included).enumerate().skip(i + 1) {
            if !inc_j {
                continue;
            }
            let (mut win, mut loss) = (0.0, 0.0);
            for ((&a, &b), &w) in ri.iter().zip(rj.iter()).zip(weights) {
                // comparisons with NaN are false: a child missing for either unit counts for neither
                if a > b {
                    win += w;
                } else if a < b {
                    loss += w;
                }
            }
            let delta = if win - loss > tol {
                1
            } else if loss - win > tol {
                -1
            } else {
                0
            };
            if let Some(s) = score.get_mut(i) {
                *s += delta;
            }
            if let Some(s) = score.get_mut(j) {
                *s -= delta;
            }
        }
    }
    Ok(score
        .iter()
        .zip(&included)
        .map(|(&s, &inc)| if inc { s as f64 } else { f64::NAN })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::MissingPolicy;
    use approx::assert_relative_eq;
    use ndarray::{Array2, array};

    const NAN: f64 = f64::NAN;

    fn codes(prefix: &str, n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("{prefix}{i}")).collect()
    }

    /// Children a, b, c; units u1..un.
    fn run(
        kind: &AggregatorKind,
        x: &Array2<f64>,
        w: &[f64],
        missing: MissingPolicy,
    ) -> Result<Vec<f64>> {
        let children: Vec<String> = ["a", "b", "c", "d"]
            .iter()
            .take(x.ncols())
            .map(|s| s.to_string())
            .collect();
        let units = codes("u", x.nrows());
        let ctx = NodeContext {
            node: "P",
            children: &children,
            unit_codes: &units,
            missing,
        };
        kind.aggregate(x.view(), w, &ctx).map(|a| a.to_vec())
    }

    fn skip() -> MissingPolicy {
        MissingPolicy::default()
    }

    /// The shared 3 × 3 block: weights 1, 2, 1; u2 misses b, u3 misses everything.
    fn block() -> (Array2<f64>, [f64; 3]) {
        (
            array![[2.0, 4.0, 8.0], [1.0, NAN, 4.0], [NAN, NAN, NAN]],
            [1.0, 2.0, 1.0],
        )
    }

    fn assert_close(got: &[f64], want: &[f64]) {
        assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
        for (g, w) in got.iter().zip(want) {
            if w.is_nan() {
                assert!(g.is_nan(), "{got:?} vs {want:?}");
            } else {
                assert_relative_eq!(*g, *w, max_relative = 1e-12);
            }
        }
    }

    #[test]
    fn arithmetic_hand_computed() {
        let (x, w) = block();
        // u1: (2 + 2·4 + 8) / 4 = 4.5; u2: (1 + 4) / 2 = 2.5 (b dropped, re-weighted)
        let y = run(&AggregatorKind::Arithmetic, &x, &w, skip()).unwrap();
        assert_close(&y, &[4.5, 2.5, NAN]);
    }

    /// Σ w·x beyond f64::MAX: the mean is still the weighted mean (COINr's `a_amean` normalises the
    /// weights first: `sum(w/sum(w) * x)`), not the largest child (an infinite ratio clamped).
    #[test]
    fn arithmetic_mean_survives_an_overflowing_weighted_sum() {
        let x = array![[10.0, 20.0], [1e308, 1.5e308]];
        let y = run(&AggregatorKind::Arithmetic, &x, &[1e307, 1e307], skip()).unwrap();
        assert_close(&y, &[15.0, 1.25e308]);
        let y = run(&AggregatorKind::Arithmetic, &x, &[1.0, 3.0], skip()).unwrap();
        assert_close(&y, &[17.5, 1.375e308]);
        // the same for the power mean and the median's midpoint
        let y = run(
            &AggregatorKind::Power { p: 400.0 },
            &array![[10.0, 100.0]],
            &[1.0, 1.0],
            skip(),
        )
        .unwrap();
        // 100·((0.1^400 + 1)/2)^(1/400) = 100·2^(−1/400)
        assert_close(&y, &[100.0 * 2f64.powf(-1.0 / 400.0)]);
        let y = run(
            &AggregatorKind::Power { p: -400.0 },
            &array![[10.0, 100.0]],
            &[1.0, 1.0],
            skip(),
        )
        .unwrap();
        // 100·((10^400 + 1)/2)^(−1/400) ≈ 10·2^(1/400)
        assert_close(&y, &[10.0 * 2f64.powf(1.0 / 400.0)]);
        let y = run(&AggregatorKind::Median, &x, &[1.0, 1.0], skip()).unwrap();
        assert_close(&y, &[15.0, 1.25e308]);
    }

    #[test]
    fn signed_arithmetic_hand_computed() {
        let kind = AggregatorKind::SignedArithmetic;
        let x = array![
            [2.0, 4.0, 8.0],
            [1.0, NAN, 4.0],
            [4.0, 1.0, NAN],
            [NAN, NAN, NAN]
        ];
        let w = [1.0, -1.0, 2.0];
        // u0: (2 − 4 + 16) / 2 = 7; u1: (1 + 8) / 3 = 3; u2: available weights 1 − 1 = 0 -> NaN
        let y = run(&kind, &x, &w, skip()).unwrap();
        assert_close(&y, &[7.0, 3.0, NAN, NAN]);
        // a negative available weight sum is NaN too (COINr would divide by it): u0 with c missing
        let y = run(&kind, &array![[2.0, 4.0, NAN]], &[1.0, -2.0, 5.0], skip()).unwrap();
        assert_close(&y, &[NAN]);
        // non-negative weights: the arithmetic mean
        let (b, bw) = block();
        assert_close(&run(&kind, &b, &bw, skip()).unwrap(), &[4.5, 2.5, NAN]);
        // weights must still be finite; policies as for every method
        let e = run(&kind, &x, &[1.0, f64::INFINITY, 1.0], skip()).unwrap_err();
        assert!(matches!(e, Error::InvalidParameter { .. }), "{e}");
        let y = run(&kind, &x, &w, MissingPolicy::Propagate).unwrap();
        assert_close(&y, &[7.0, NAN, NAN, NAN]);
        assert!(run(&kind, &x, &w, MissingPolicy::Error).is_err());
        // the plain arithmetic mean still rejects a negative weight, pointing to the signed one
        let e = run(&AggregatorKind::Arithmetic, &x, &w, skip()).unwrap_err();
        assert!(e.to_string().contains("signed_arithmetic"), "{e}");
    }

    #[test]
    fn sum_hand_computed() {
        let (x, w) = block();
        // u1: 2 + 8 + 8 = 18; u2: 1 + 4 = 5 (the missing child lowers the sum)
        let y = run(&AggregatorKind::Sum, &x, &w, skip()).unwrap();
        assert_close(&y, &[18.0, 5.0, NAN]);
    }

    #[test]
    fn sums_are_compensated() {
        // naive left to right: ((1 + 1e100) + 1) − 1e100 = 0; exact: 2
        let x = ndarray::array![[1.0, 1e100, 1.0, -1e100]];
        let w = [1.0; 4];
        assert_eq!(run(&AggregatorKind::Sum, &x, &w, skip()).unwrap()[0], 2.0);
        assert_eq!(
            run(&AggregatorKind::Arithmetic, &x, &w, skip()).unwrap()[0],
            0.5
        );
        assert_eq!(neumaier_sum([1e16, 1.0, 1.0, -1e16].into_iter()), 2.0);
        assert_eq!(
            neumaier_sum([f64::INFINITY, 1.0].into_iter()),
            f64::INFINITY
        );
    }

    #[test]
    fn arithmetic_mean_stays_within_the_children() {
        // all four children equal to 1.430206 with weights spanning 0..2e8: the two rounded sums
        // give 1.4302059999999999 (one ulp below every child) without the clamp
        let v = 1.430206;
        let w = [217_976_505.802, 2_140_872.756, 0.0, 0.777];
        let x = ndarray::Array2::from_elem((1, 4), v);
        assert_eq!(
            run(&AggregatorKind::Arithmetic, &x, &w, skip()).unwrap()[0],
            v
        );
    }

    #[test]
    fn geometric_hand_computed() {
        let (x, w) = block();
        // u1: (2 · 4² · 8)^(1/4) = (2^8)^(1/4) = 4; u2: (1 · 4)^(1/2) = 2
        let y = run(&AggregatorKind::Geometric { offset: 0.0 }, &x, &w, skip()).unwrap();
        assert_close(&y, &[4.0, 2.0, NAN]);
        // offset 1: sqrt((0 + 1)(3 + 1)) − 1 = 1
        let y = run(
            &AggregatorKind::Geometric { offset: 1.0 },
            &array![[0.0, 3.0]],
            &[1.0, 1.0],
            skip(),
        )
        .unwrap();
        assert_close(&y, &[1.0]);
    }

    #[test]
    fn harmonic_hand_computed() {
        let (x, w) = block();
        // u1: 4 / (1/2 + 2/4 + 1/8) = 32/9; u2: 2 / (1 + 1/4) = 1.6
        let y = run(&AggregatorKind::Harmonic { offset: 0.0 }, &x, &w, skip()).unwrap();
        assert_close(&y, &[32.0 / 9.0, 1.6, NAN]);
        // offset 1: 2 / (1/1 + 1/3) − 1 = 0.5
        let y = run(
            &AggregatorKind::Harmonic { offset: 1.0 },
            &array![[0.0, 2.0]],
            &[1.0, 1.0],
            skip(),
        )
        .unwrap();
        assert_close(&y, &[0.5]);
    }

    #[test]
    fn power_hand_computed() {
        let (x, w) = block();
        // p = 2: u1 sqrt((4 + 2·16 + 64)/4) = 5; u2 sqrt((1 + 16)/2)
        let y = run(&AggregatorKind::Power { p: 2.0 }, &x, &w, skip()).unwrap();
        assert_close(&y, &[5.0, 8.5f64.sqrt(), NAN]);
        // p = 1, 0, −1 are the arithmetic, geometric, harmonic means
        let y = run(&AggregatorKind::Power { p: 1.0 }, &x, &w, skip()).unwrap();
        assert_close(&y, &[4.5, 2.5, NAN]);
        let y = run(&AggregatorKind::Power { p: 0.0 }, &x, &w, skip()).unwrap();
        assert_close(&y, &[4.0, 2.0, NAN]);
        let y = run(&AggregatorKind::Power { p: -1.0 }, &x, &w, skip()).unwrap();
        assert_close(&y, &[32.0 / 9.0, 1.6, NAN]);
        // odd p accepts negatives: ((−8 + 1)/2)^(1/3) = −3.5^(1/3)
        let y = run(
            &AggregatorKind::Power { p: 3.0 },
            &array![[-2.0, 1.0]],
            &[1.0, 1.0],
            skip(),
        )
        .unwrap();
        assert_close(&y, &[-(3.5f64.cbrt())]);
        // non-integer p > 0 accepts zero: ((0 + 4)/2)^2 = 4 for p = 0.5
        let y = run(
            &AggregatorKind::Power { p: 0.5 },
            &array![[0.0, 16.0]],
            &[1.0, 1.0],
            skip(),
        )
        .unwrap();
        assert_close(&y, &[4.0]);
    }

    #[test]
    fn median_hand_computed() {
        let (x, w) = block();
        // u1: sorted 2 (1), 4 (2), 8 (1): cumulative 1, 3 of 4 -> 4
        // u2: 1 (1), 4 (1): cumulative weight is exactly half at 1 -> (1 + 4)/2
        let y = run(&AggregatorKind::Median, &x, &w, skip()).unwrap();
        assert_close(&y, &[4.0, 2.5, NAN]);
        // unequal weights: sorted 1 (1), 3 (1), 5 (3): cumulative 1, 2, 5 of 5 -> 5
        let y = run(
            &AggregatorKind::Median,
            &array![[5.0, 1.0, 3.0]],
            &[3.0, 1.0, 1.0],
            skip(),
        )
        .unwrap();
        assert_close(&y, &[5.0]);
        // equal weights give the ordinary median, odd and even counts
        let y = run(
            &AggregatorKind::Median,
            &array![[7.0, 1.0, 3.0, 10.0], [7.0, 1.0, 3.0, NAN]],
            &[1.0; 4],
            skip(),
        )
        .unwrap();
        assert_close(&y, &[5.0, 3.0]);
        // a zero-weight child is ignored: median of 1 and 3 only
        let y = run(
            &AggregatorKind::Median,
            &array![[1.0, 2.0, 3.0]],
            &[1.0, 0.0, 1.0],
            skip(),
        )
        .unwrap();
        assert_close(&y, &[2.0]);
    }

    #[test]
    fn copeland_hand_computed_matches_coinr() {
        // weights 1, 2, 1. u1 vs u2: win b (2) vs loss a (1) -> u1 wins.
        // u1 vs u3: win a + c (2) vs loss b (2) -> tie. u2 vs u3: win a + c (2) vs loss b (2) -> tie.
        // COINr: outranking u1/u2 = 0.5 + 0.25/2 = 0.625 > 0.5, others exactly 0.5.
        let x = array![[2.0, 4.0, 8.0], [3.0, 1.0, 8.0], [1.0, 5.0, 0.0]];
        let w = [1.0, 2.0, 1.0];
        let y = run(&AggregatorKind::Copeland, &x, &w, skip()).unwrap();
        assert_close(&y, &[1.0, -1.0, 0.0]);
        // unchanged by a strictly increasing transformation
        let y2 = run(
            &AggregatorKind::Copeland,
            &x.mapv(|v| v * v * v + 1.0),
            &w,
            skip(),
        )
        .unwrap();
        assert_close(&y2, &y);
    }

    #[test]
    fn copeland_missing_values_per_policy() {
        let x = array![[2.0, 4.0, 8.0], [3.0, NAN, 8.0], [1.0, 5.0, 0.0]];
        let w = [1.0, 2.0, 1.0];
        // Skip: b is ignored for the pairs with u2. u1 vs u2: loss a -> u2 wins; u2 vs u3: win a, c.
        let y = run(&AggregatorKind::Copeland, &x, &w, skip()).unwrap();
        assert_close(&y, &[-1.0, 2.0, -1.0]);
        // Propagate / low coverage: u2 is NaN and takes no part; u1 ties u3
        let y = run(&AggregatorKind::Copeland, &x, &w, MissingPolicy::Propagate).unwrap();
        assert_close(&y, &[0.0, NAN, 0.0]);
        let y = run(
            &AggregatorKind::Copeland,
            &x,
            &w,
            MissingPolicy::Skip { min_coverage: 0.9 },
        )
        .unwrap();
        assert_close(&y, &[0.0, NAN, 0.0]);
        let e = run(&AggregatorKind::Copeland, &x, &w, MissingPolicy::Error).unwrap_err();
        assert!(
            matches!(&e, Error::MissingValue { unit, node, child } if unit == "u2" && node == "P" && child == "b"),
            "{e}"
        );
    }

    #[test]
    fn policies_on_every_method() {
        let (x, w) = block();
        let kinds = [
            AggregatorKind::Arithmetic,
            AggregatorKind::Sum,
            AggregatorKind::Geometric { offset: 0.0 },
            AggregatorKind::Harmonic { offset: 0.0 },
            AggregatorKind::Power { p: 2.0 },
            AggregatorKind::Median,
        ];
        for kind in &kinds {
            let full = run(kind, &x, &w, skip()).unwrap();
            // Propagate: only u1 (complete) survives
            let y = run(kind, &x, &w, MissingPolicy::Propagate).unwrap();
            assert_close(&y, &[full[0], NAN, NAN]);
            // Skip with coverage: u2 has 2/3 available; the threshold is inclusive
            let y = run(
                kind,
                &x,
                &w,
                MissingPolicy::Skip {
                    min_coverage: 2.0 / 3.0,
                },
            )
            .unwrap();
            assert_close(&y, &full);
            let y = run(kind, &x, &w, MissingPolicy::Skip { min_coverage: 0.7 }).unwrap();
            assert_close(&y, &[full[0], NAN, NAN]);
            // Error names the first missing child of the first unit with one
            let e = run(kind, &x, &w, MissingPolicy::Error).unwrap_err();
            assert!(
                matches!(&e, Error::MissingValue { unit, node, child } if unit == "u2" && node == "P" && child == "b"),
                "{kind}: {e}"
            );
            // complete data never errors under Error
            let y = run(
                kind,
                &x.slice(ndarray::s![0..1, ..]).to_owned(),
                &w,
                MissingPolicy::Error,
            )
            .unwrap();
            assert_close(&y, &[full[0]]);
        }
    }

    #[test]
    fn zero_available_weight_is_missing() {
        // u2 has only a and c, both of weight 0
        let (x, _) = block();
        for kind in [
            AggregatorKind::Arithmetic,
            AggregatorKind::Median,
            AggregatorKind::Sum,
        ] {
            let y = run(&kind, &x, &[0.0, 1.0, 0.0], skip()).unwrap();
            assert_close(&y[1..], &[NAN, NAN]);
            assert_eq!(y[0], 4.0);
        }
        let y = run(&AggregatorKind::Copeland, &x, &[0.0, 1.0, 0.0], skip()).unwrap();
        assert_close(&y, &[0.0, NAN, NAN]);
    }

    #[test]
    fn weight_and_shape_errors() {
        let (x, _) = block();
        for kind in [AggregatorKind::Arithmetic, AggregatorKind::Copeland] {
            let e = run(&kind, &x, &[1.0, 1.0], skip()).unwrap_err();
            assert!(
                matches!(
                    e,
                    Error::ShapeMismatch {
                        expected: 3,
                        found: 2,
                        ..
                    }
                ),
                "{e}"
            );
            let e = run(&kind, &x, &[1.0, -1.0, 1.0], skip()).unwrap_err();
            assert!(
                matches!(&e, Error::InvalidParameter { expected: crate::error::Expected::Rule(reason), .. } if reason.contains("`b`")),
                "{e}"
            );
            let e = run(&kind, &x, &[1.0, 1.0, NAN], skip()).unwrap_err();
            assert!(
                matches!(&e, Error::InvalidParameter { expected: crate::error::Expected::Rule(reason), .. } if reason.contains("`c`")),
                "{e}"
            );
            let e = run(
                &kind,
                &x,
                &[1.0; 3],
                MissingPolicy::Skip { min_coverage: 1.5 },
            )
            .unwrap_err();
            assert!(
                matches!(&e, Error::InvalidParameter { parameter, .. } if parameter == "min_coverage")
            );
        }
        // context codes must match the block
        let children = vec!["a".to_string()];
        let units = codes("u", 3);
        let ctx = NodeContext {
            node: "P",
            children: &children,
            unit_codes: &units,
            missing: skip(),
        };
        let e = AggregatorKind::Median
            .aggregate(x.view(), &[1.0; 3], &ctx)
            .unwrap_err();
        assert!(matches!(
            e,
            Error::ShapeMismatch {
                expected: 3,
                found: 1,
                ..
            }
        ));
        let children = codes("c", 3);
        let units = codes("u", 2);
        let ctx = NodeContext {
            children: &children,
            unit_codes: &units,
            ..ctx
        };
        let e = AggregatorKind::Median
            .aggregate(x.view(), &[1.0; 3], &ctx)
            .unwrap_err();
        assert!(matches!(
            e,
            Error::ShapeMismatch {
                expected: 3,
                found: 2,
                ..
            }
        ));
    }

    fn assert_non_positive(e: &Error, want_child: &str, want_value: f64, want_method: &str) {
        match e {
            Error::NonPositive {
                unit,
                node,
                child,
                value,
                method,
            } => {
                assert_eq!(unit, "u1");
                assert_eq!(node, "P");
                assert_eq!(child, want_child);
                assert_eq!(*value, want_value);
                assert!(method.starts_with(want_method), "{method}");
            }
            other => panic!("expected NonPositive, got {other}"),
        }
    }

    #[test]
    fn non_positive_errors() {
        let x = array![[1.0, 0.0, -2.0]];
        let w = [1.0; 3];
        let e = run(&AggregatorKind::Geometric { offset: 0.0 }, &x, &w, skip()).unwrap_err();
        assert_non_positive(&e, "b", 0.0, "geometric");
        let e = run(&AggregatorKind::Harmonic { offset: 0.0 }, &x, &w, skip()).unwrap_err();
        assert_non_positive(&e, "b", 0.0, "harmonic");
        // offset 1 fixes the zero but not −2
        let e = run(&AggregatorKind::Geometric { offset: 1.0 }, &x, &w, skip()).unwrap_err();
        assert_non_positive(&e, "c", -2.0, "geometric");
        let e = run(&AggregatorKind::Harmonic { offset: 2.0 }, &x, &w, skip()).unwrap_err();
        assert_non_positive(&e, "c", -2.0, "harmonic");
        assert!(run(&AggregatorKind::Geometric { offset: 2.5 }, &x, &w, skip()).is_ok());
        // power: p < 0 and p = 0 need x > 0; p > 0 needs x >= 0 unless p is an integer
        for p in [-1.0, 0.0] {
            let e = run(&AggregatorKind::Power { p }, &x, &w, skip()).unwrap_err();
            assert_non_positive(&e, "b", 0.0, "power");
        }
        for p in [0.5, 2.5] {
            let e = run(&AggregatorKind::Power { p }, &x, &w, skip()).unwrap_err();
            assert_non_positive(&e, "c", -2.0, "power");
        }
        assert!(run(&AggregatorKind::Power { p: 3.0 }, &x, &w, skip()).is_ok());
        // even p: R's a_genmean gives sqrt(((-1)^2 + 0.5^2 + 1^2)/3) = sqrt(0.75) for [-1, 0.5, 1]
        let y = run(
            &AggregatorKind::Power { p: 2.0 },
            &array![[-1.0, 0.5, 1.0]],
            &[1.0, 1.0, 1.0],
            skip(),
        )
        .unwrap();
        assert_close(&y, &[0.75f64.sqrt()]);
        // a zero-weight child takes no part and is not checked
        let y = run(
            &AggregatorKind::Geometric { offset: 0.0 },
            &x,
            &[1.0, 0.0, 0.0],
            skip(),
        )
        .unwrap();
        assert_close(&y, &[1.0]);
        // a row that is missing under the policy is not checked either
        let x = array![[0.0, NAN, 1.0]];
        let y = run(
            &AggregatorKind::Geometric { offset: 0.0 },
            &x,
            &w,
            MissingPolicy::Propagate,
        )
        .unwrap();
        assert_close(&y, &[NAN]);
    }

    #[test]
    fn non_finite_parameters_are_rejected() {
        let (x, w) = block();
        for kind in [
            AggregatorKind::Power { p: f64::NAN },
            AggregatorKind::Power { p: f64::INFINITY },
            AggregatorKind::Geometric {
                offset: f64::NEG_INFINITY,
            },
            AggregatorKind::Harmonic { offset: NAN },
        ] {
            let e = run(&kind, &x, &w, skip()).unwrap_err();
            assert!(matches!(e, Error::InvalidParameter { .. }), "{e}");
        }
    }

    #[test]
    fn linearity_and_names() {
        assert_eq!(AggregatorKind::Arithmetic.mean_form(), MeanForm::Linear);
        assert_eq!(AggregatorKind::Sum.mean_form(), MeanForm::Sum);
        assert_eq!(
            AggregatorKind::SignedArithmetic.mean_form(),
            MeanForm::Linear
        );
        for kind in [
            AggregatorKind::Geometric { offset: 0.0 },
            AggregatorKind::Harmonic { offset: 0.0 },
            AggregatorKind::Power { p: 1.0 },
            AggregatorKind::Median,
            AggregatorKind::Copeland,
            "topsis".parse().unwrap(),
            "promethee".parse().unwrap(),
        ] {
            assert!(!kind.mean_form().is_linear());
        }
        assert_eq!(AggregatorKind::Power { p: 2.0 }.name(), "power:2");
        assert_eq!(AggregatorKind::Arithmetic.name(), "arithmetic");
    }

    #[test]
    fn empty_block() {
        let x = Array2::<f64>::zeros((0, 3));
        for kind in [AggregatorKind::Arithmetic, AggregatorKind::Copeland] {
            assert!(run(&kind, &x, &[1.0; 3], skip()).unwrap().is_empty());
        }
    }
}
