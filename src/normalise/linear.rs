//! Methods that map each value through one formula with constants learned from the fitting column:
//! min-max, z-score, distance to the maximum / a reference unit / a target, fraction of the maximum, and
//! the identity. Fitting returns a [`FittedParams`] whose [`FittedForm`] evaluates each formula in the
//! same operation order as COINr's `n_*` function, so the results agree to the last bit wherever
//! COINr's statistics (min, max) are exact.

use ndarray::ArrayView1;

use super::ColumnContext;
use super::builtin::min_max;
use super::fitted::{FittedForm, FittedParams};
use crate::error::{Error, Result};
use crate::stats;

fn zero_range(ctx: &ColumnContext<'_>, value: f64, method: impl Into<String>) -> Error {
    Error::ZeroRange {
        indicator: ctx.code.to_string(),
        value,
        method: method.into(),
    }
}

/// `Err` if `b − a` overflows f64 (e.g. min −1e308, max 1e308): dividing by ∞ would map every unit
/// to the bottom of the scale and the extreme one to NaN, silently.
fn finite_span(ctx: &ColumnContext<'_>, a: f64, b: f64, method: &str) -> Result<()> {
    if (b - a).is_finite() {
        Ok(())
    } else {
        Err(Error::InvalidSpec {
            code: ctx.code.to_string(),
            reason: format!("{method}: the span {a} .. {b} overflows f64; rescale the indicator"),
        })
    }
}

pub(super) fn fit_minmax(
    x: ArrayView1<'_, f64>,
    ctx: &ColumnContext<'_>,
    lo: f64,
    hi: f64,
) -> Result<FittedParams> {
    let (min, max) = min_max(x, ctx.code)?;
    if min == max {
        return Err(zero_range(ctx, min, "min-max"));
    }
    finite_span(ctx, min, max, "min-max")?;
    Ok(FittedParams::fitted(
        ctx,
        FittedForm::MinMax { min, max, lo, hi },
    ))
}

/// Mean and sample standard deviation (n − 1) of the non-missing values, both two-pass (the mean gets
/// R's refinement step `mean += Σ(x − mean)/n`).
fn mean_sd(x: ArrayView1<'_, f64>) -> (usize, f64, f64) {
    let obs: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
    let n = obs.len();
    if n == 0 {
        return (0, f64::NAN, f64::NAN);
    }
    let mean = stats::mean_corrected(&obs);
    if n < 2 {
        return (n, mean, f64::NAN);
    }
    (n, mean, stats::sample_variance(&obs, mean).sqrt())
}

pub(super) fn fit_zscore(
    x: ArrayView1<'_, f64>,
    ctx: &ColumnContext<'_>,
    target_mean: f64,
    target_sd: f64,
) -> Result<FittedParams> {
    let (n, mean, sd) = mean_sd(x);
    if n < 2 {
        return Err(Error::InsufficientData {
            what: format!("z-score of indicator `{}`", ctx.code),
            needed: 2,
            found: n,
        });
    }
    if sd == 0.0 {
        return Err(zero_range(ctx, mean, "z-score"));
    }
    if !sd.is_finite() || !mean.is_finite() {
        return Err(Error::InvalidSpec {
            code: ctx.code.to_string(),
            reason: "the mean or standard deviation overflows f64; rescale the indicator".into(),
        });
    }
    Ok(FittedParams::fitted(
        ctx,
        FittedForm::ZScore {
            mean,
            sd,
            target_mean,
            target_sd,
        },
    ))
}

pub(super) fn fit_dist2max(
    x: ArrayView1<'_, f64>,
    ctx: &ColumnContext<'_>,
) -> Result<FittedParams> {
    let (min, max) = min_max(x, ctx.code)?;
    if min == max {
        return Err(zero_range(ctx, min, "dist2max"));
    }
    finite_span(ctx, min, max, "dist2max")?;
    Ok(FittedParams::fitted(
        ctx,
        FittedForm::DistTo {
            reference: max,
            min,
            cap_max: false,
        },
    ))
}

pub(super) fn fit_fracmax(x: ArrayView1<'_, f64>, ctx: &ColumnContext<'_>) -> Result<FittedParams> {
    let (_, max) = min_max(x, ctx.code)?;
    if max <= 0.0 {
        return Err(Error::InvalidSpec {
            code: ctx.code.to_string(),
            reason: format!(
                "fracmax divides by the maximum, which is {max}; it needs a positive maximum. \
                 Direction -1 indicators arrive negated (all values <= 0 for non-negative data): \
                 use minmax or dist2max for them"
            ),
        });
    }
    Ok(FittedParams::fitted(ctx, FittedForm::FracMax { max }))
}

pub(super) fn fit_dist2ref(
    x: ArrayView1<'_, f64>,
    ctx: &ColumnContext<'_>,
    unit: &str,
    cap_max: bool,
) -> Result<FittedParams> {
    let idx = ctx
        .unit_codes
        .iter()
        .position(|u| u == unit)
        .ok_or_else(|| {
            Error::unknown_name(
                "reference unit of dist2ref",
                unit,
                ctx.unit_codes.iter().cloned(),
            )
        })?;
    let reference = *x.get(idx).ok_or_else(|| Error::ShapeMismatch {
        what: format!("unit codes for the rows of indicator `{}`", ctx.code),
        expected: x.len(),
        found: ctx.unit_codes.len(),
    })?;
    if reference.is_nan() {
        return Err(Error::InvalidSpec {
            code: ctx.code.to_string(),
            reason: format!("dist2ref: the reference unit `{unit}` has a missing value"),
        });
    }
    let (min, max) = min_max(x, ctx.code)?;
    finite_span(ctx, min, max, "dist2ref")?;
    finite_span(ctx, min, reference, "dist2ref")?;
    if min == max {
        return Err(zero_range(ctx, min, "dist2ref"));
    }
    if reference == min {
        // the column is not constant, only the reference sits at its bottom
        return Err(Error::ReferenceAtMinimum {
            indicator: ctx.code.to_string(),
            unit: unit.to_string(),
            value: reference,
            method: "dist2ref".into(),
        });
    }
    Ok(FittedParams::fitted(
        ctx,
        FittedForm::DistTo {
            reference,
            min,
            cap_max,
        },
    ))
}

pub(super) fn fit_dist2targ(
    x: ArrayView1<'_, f64>,
    ctx: &ColumnContext<'_>,
    cap_max: bool,
) -> Result<FittedParams> {
    let target = ctx.target.ok_or_else(|| Error::InvalidSpec {
        code: ctx.code.to_string(),
        reason: "dist2targ needs a target for this indicator, and none is given".into(),
    })?;
    if !target.is_finite() {
        return Err(Error::InvalidSpec {
            code: ctx.code.to_string(),
            reason: format!("the target {target} is not finite"),
        });
    }
    let t = target * ctx.direction.sign();
    let (min, max) = min_max(x, ctx.code)?;
    finite_span(ctx, min, max, "dist2targ")?;
    finite_span(ctx, min, t, "dist2targ")?;
    if t == min {
        return Err(zero_range(
            ctx,
            min,
            "dist2targ (the target equals the worst value)",
        ));
    }
    if t < min {
        return Err(Error::InvalidSpec {
            code: ctx.code.to_string(),
            reason: format!(
                "dist2targ: every unit is beyond the target {target} (direction {}), so the scale \
                 would be reversed; choose a target better than the worst value",
                ctx.direction
            ),
        });
    }
    Ok(FittedParams::fitted(
        ctx,
        FittedForm::DistToTarget {
            target: t,
            min,
            cap_max,
        },
    ))
}

pub(super) fn fit_identity(ctx: &ColumnContext<'_>) -> FittedParams {
    FittedParams::fitted(ctx, FittedForm::Identity {})
}

#[cfg(test)]
mod tests {
    use super::super::{Normaliser, NormaliserKind, normalise_column};
    use super::*;
    use crate::spec::Direction;
    use approx::assert_abs_diff_eq;
    use ndarray::{Array1, array};

    const NAN: f64 = f64::NAN;

    fn units() -> Vec<String> {
        ["A", "B", "C", "D", "E"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    /// `[2, 4, NaN, 10, 6]`: min 2, max 10, range 8.
    fn x() -> Array1<f64> {
        array![2.0, 4.0, NAN, 10.0, 6.0]
    }

    fn run(kind: NormaliserKind, ctx: &ColumnContext<'_>) -> Result<Array1<f64>> {
        normalise_column(&kind, x().view(), ctx)
    }

    fn assert_same(got: &Array1<f64>, want: &[f64]) {
        assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
        for (g, w) in got.iter().zip(want) {
            if w.is_nan() {
                assert!(g.is_nan(), "{got:?} vs {want:?}");
            } else {
                assert_abs_diff_eq!(*g, *w, epsilon = 1e-12);
            }
        }
    }

    #[test]
    fn minmax_hand_values() {
        let u = units();
        let ctx = ColumnContext::new("x", &u);
        let y = run(NormaliserKind::default(), &ctx).unwrap();
        assert_same(&y, &[0.0, 25.0, NAN, 100.0, 50.0]);
        let y = run(NormaliserKind::MinMax { lo: 1.0, hi: 5.0 }, &ctx).unwrap();
        assert_same(&y, &[1.0, 2.0, NAN, 5.0, 3.0]);
        // direction -1: the column arrives negated, [-2, -4, NaN, -10, -6] → the lowest raw value wins
        let ctx = ctx.with_direction(Direction::Negative);
        let y = run(NormaliserKind::default(), &ctx).unwrap();
        assert_same(&y, &[100.0, 75.0, NAN, 0.0, 50.0]);
    }

    #[test]
    fn minmax_stays_in_bounds_despite_rounding() {
        let u = units();
        let ctx = ColumnContext::new("x", &u);
        let y = run(NormaliserKind::MinMax { lo: 0.1, hi: 0.3 }, &ctx).unwrap();
        assert_eq!(y[3], 0.3);
        assert_eq!(y[0], 0.1);
    }

    #[test]
    fn minmax_errors() {
        let u = vec!["A".to_string(), "B".to_string()];
        let ctx = ColumnContext::new("x", &u);
        let mm = NormaliserKind::default();
        assert!(matches!(
            mm.fit(array![3.0, 3.0].view(), &ctx),
            Err(Error::ZeroRange { value: 3.0, .. })
        ));
        assert!(matches!(
            mm.fit(array![NAN, NAN].view(), &ctx),
            Err(Error::AllMissing { ref indicator }) if indicator == "x"
        ));
        // a range that overflows f64 is an error, not NaN / all-`lo` output
        assert!(matches!(
            mm.fit(array![1e308, -1e308].view(), &ctx),
            Err(Error::InvalidSpec { .. })
        ));
        for (lo, hi) in [
            (1.0, 0.0),
            (1.0, 1.0),
            (NAN, 1.0),
            (0.0, f64::INFINITY),
            (-1e308, 1e308),
        ] {
            assert!(matches!(
                NormaliserKind::MinMax { lo, hi }.fit(array![1.0, 2.0].view(), &ctx),
                Err(Error::InvalidParameter { .. })
            ));
        }
    }

    #[test]
    fn fitted_minmax_extrapolates_new_data() {
        let u = units();
        let ctx = ColumnContext::new("x", &u);
        let f = NormaliserKind::default().fit(x().view(), &ctx).unwrap();
        let y = f.apply(array![0.0, 14.0, NAN].view(), &[]).unwrap();
        assert_same(&y, &[-25.0, 150.0, NAN]);
    }

    #[test]
    fn zscore_hand_values() {
        // [1, 3, NaN, 5]: mean 3, sample sd sqrt((4 + 0 + 4)/2) = 2
        let u: Vec<String> = ["A", "B", "C", "D"].iter().map(|s| s.to_string()).collect();
        let ctx = ColumnContext::new("x", &u);
        let v = array![1.0, 3.0, NAN, 5.0];
        let z = NormaliserKind::ZScore { mean: 0.0, sd: 1.0 };
        assert_same(
            &normalise_column(&z, v.view(), &ctx).unwrap(),
            &[-1.0, 0.0, NAN, 1.0],
        );
        let z = NormaliserKind::ZScore {
            mean: 10.0,
            sd: 2.0,
        };
        assert_same(
            &normalise_column(&z, v.view(), &ctx).unwrap(),
            &[8.0, 10.0, NAN, 12.0],
        );
        // an uneven case: [2, 4, 10, 6] has mean 5.5 and sd sqrt(35/3)
        let u = units();
        let ctx = ColumnContext::new("x", &u);
        let y = run(NormaliserKind::ZScore { mean: 0.0, sd: 1.0 }, &ctx).unwrap();
        let sd = (35.0f64 / 3.0).sqrt();
        assert_same(&y, &[-3.5 / sd, -1.5 / sd, NAN, 4.5 / sd, 0.5 / sd]);
    }

    #[test]
    fn zscore_errors() {
        let u = vec!["A".to_string(), "B".to_string()];
        let ctx = ColumnContext::new("x", &u);
        let z = NormaliserKind::ZScore { mean: 0.0, sd: 1.0 };
        assert!(matches!(
            z.fit(array![1.0, NAN].view(), &ctx),
            Err(Error::InsufficientData {
                needed: 2,
                found: 1,
                ..
            })
        ));
        assert!(matches!(
            z.fit(array![NAN, NAN].view(), &ctx),
            Err(Error::InsufficientData { found: 0, .. })
        ));
        assert!(matches!(
            z.fit(array![4.0, 4.0].view(), &ctx),
            Err(Error::ZeroRange { value: 4.0, .. })
        ));
        for (mean, sd) in [(0.0, 0.0), (0.0, -1.0), (NAN, 1.0), (0.0, f64::INFINITY)] {
            assert!(matches!(
                NormaliserKind::ZScore { mean, sd }.fit(array![1.0, 2.0].view(), &ctx),
                Err(Error::InvalidParameter { .. })
            ));
        }
    }

    #[test]
    fn dist2max_hand_values_and_errors() {
        let u = units();
        let ctx = ColumnContext::new("x", &u);
        let y = run(NormaliserKind::DistToMax, &ctx).unwrap();
        assert_same(&y, &[0.0, 0.25, NAN, 1.0, 0.5]);
        let u2 = vec!["A".to_string(), "B".to_string()];
        let ctx2 = ColumnContext::new("x", &u2);
        assert!(matches!(
            NormaliserKind::DistToMax.fit(array![2.0, NAN].view(), &ctx2),
            Err(Error::ZeroRange { .. })
        ));
        assert!(matches!(
            NormaliserKind::DistToMax.fit(array![NAN, NAN].view(), &ctx2),
            Err(Error::AllMissing { .. })
        ));
    }

    #[test]
    fn fracmax_hand_values_and_errors() {
        let u = units();
        let ctx = ColumnContext::new("x", &u);
        let y = run(NormaliserKind::FracMax, &ctx).unwrap();
        assert_same(&y, &[0.2, 0.4, NAN, 1.0, 0.6]);
        // direction -1 negates the column: the maximum is -2 and fracmax refuses
        let e = run(
            NormaliserKind::FracMax,
            &ctx.with_direction(Direction::Negative),
        )
        .unwrap_err();
        assert!(
            matches!(e, Error::InvalidSpec { ref code, .. } if code == "x"),
            "{e}"
        );
        let u2 = vec!["A".to_string(), "B".to_string()];
        let ctx2 = ColumnContext::new("x", &u2);
        assert!(matches!(
            NormaliserKind::FracMax.fit(array![0.0, -1.0].view(), &ctx2),
            Err(Error::InvalidSpec { .. })
        ));
        assert!(matches!(
            NormaliserKind::FracMax.fit(array![NAN, NAN].view(), &ctx2),
            Err(Error::AllMissing { .. })
        ));
    }

    #[test]
    fn dist2ref_hand_values() {
        // reference D = 10 would be the max; use E = 6: 1 − (6 − x)/(6 − 2)
        let u = units();
        let ctx = ColumnContext::new("x", &u);
        let k = |cap_max| NormaliserKind::DistToRef {
            unit: "E".into(),
            cap_max,
        };
        assert_same(&run(k(false), &ctx).unwrap(), &[0.0, 0.5, NAN, 2.0, 1.0]);
        assert_same(&run(k(true), &ctx).unwrap(), &[0.0, 0.5, NAN, 1.0, 1.0]);
    }

    #[test]
    fn dist2ref_errors() {
        let u = units();
        let ctx = ColumnContext::new("x", &u);
        let k = |unit: &str| NormaliserKind::DistToRef {
            unit: unit.into(),
            cap_max: false,
        };
        let e = run(k("Z"), &ctx).unwrap_err();
        assert!(
            matches!(e, Error::UnknownName { ref name, .. } if name == "Z")
                && e.to_string().contains("reference unit of dist2ref"),
            "{e}"
        );
        let e = run(k("C"), &ctx).unwrap_err();
        assert!(
            matches!(e, Error::InvalidSpec { .. }) && e.to_string().contains("`C`"),
            "{e}"
        );
        // A holds the minimum of a non-constant column: its own error (was ZeroRange, issue #14)
        let e = run(k("A"), &ctx).unwrap_err();
        assert!(
            matches!(e, Error::ReferenceAtMinimum { ref indicator, ref unit, value: 2.0, .. } if indicator == "x" && unit == "A"),
            "{e}"
        );
        assert!(!e.to_string().contains("zero range"), "{e}");
        // a constant column is still a zero range
        let u2 = vec!["A".to_string(), "B".to_string()];
        assert!(matches!(
            k("A").fit(array![3.0, 3.0].view(), &ColumnContext::new("x", &u2)),
            Err(Error::ZeroRange { value: 3.0, .. })
        ));
        // no unit codes at all: the reference cannot be found
        assert!(matches!(
            k("A").fit(x().view(), &ColumnContext::new("x", &[])),
            Err(Error::UnknownName { .. })
        ));
    }

    #[test]
    fn dist2targ_hand_values() {
        let u = units();
        // target 8, direction +1: 1 − (8 − x)/(8 − 2)
        let ctx = ColumnContext::new("x", &u).with_target(Some(8.0));
        let y = run(NormaliserKind::DistToTarget { cap_max: false }, &ctx).unwrap();
        assert_same(&y, &[0.0, 1.0 / 3.0, NAN, 4.0 / 3.0, 2.0 / 3.0]);
        let y = run(NormaliserKind::DistToTarget { cap_max: true }, &ctx).unwrap();
        assert_same(&y, &[0.0, 1.0 / 3.0, NAN, 1.0, 2.0 / 3.0]);
        // direction -1, raw target 3: values −x, t = −3, min = −10: 1 − (−3 + raw)/7
        let ctx = ctx
            .with_target(Some(3.0))
            .with_direction(Direction::Negative);
        let y = run(NormaliserKind::DistToTarget { cap_max: false }, &ctx).unwrap();
        assert_same(&y, &[8.0 / 7.0, 6.0 / 7.0, NAN, 0.0, 4.0 / 7.0]);
        let y = run(NormaliserKind::DistToTarget { cap_max: true }, &ctx).unwrap();
        assert_same(&y, &[1.0, 6.0 / 7.0, NAN, 0.0, 4.0 / 7.0]);
    }

    #[test]
    fn dist2targ_is_coinr_v1_1_to_the_bit() {
        // COINr v1.1: (x − min)/(t − min) for direction 1, (max − x)/(max − t) for −1. The v1.0
        // form 1 − (t − x)/(t − min) gives 0.33333333333333337 for min 0, target 3, x 1.
        let u: Vec<String> = ["A", "B", "C", "D"].iter().map(|s| s.to_string()).collect();
        let raw = [0.0, 1.0, 2.7, 0.3];
        let ctx = ColumnContext::new("x", &u).with_target(Some(3.0));
        let y = NormaliserKind::DistToTarget { cap_max: false }
            .fit(ndarray::ArrayView1::from(&raw[..]), &ctx)
            .unwrap()
            .apply(ndarray::ArrayView1::from(&raw[..]), &u)
            .unwrap();
        for (i, &x) in raw.iter().enumerate() {
            assert_eq!(y[i].to_bits(), ((x - 0.0) / (3.0 - 0.0)).to_bits(), "{x}");
        }
        assert_eq!(y[1], 0.3333333333333333);
        // direction −1 (the column arrives negated), target 0.5: (max − x)/(max − t)
        let neg: Vec<f64> = raw.iter().map(|x| -x).collect();
        let ctx = ctx
            .with_target(Some(0.5))
            .with_direction(Direction::Negative);
        let y = NormaliserKind::DistToTarget { cap_max: false }
            .fit(ndarray::ArrayView1::from(&neg[..]), &ctx)
            .unwrap()
            .apply(ndarray::ArrayView1::from(&neg[..]), &u)
            .unwrap();
        for (i, &x) in raw.iter().enumerate() {
            assert_eq!(y[i].to_bits(), ((2.7 - x) / (2.7 - 0.5)).to_bits(), "{x}");
        }
    }

    #[test]
    fn dist2targ_errors() {
        let u = units();
        let k = NormaliserKind::DistToTarget { cap_max: false };
        let ctx = ColumnContext::new("LPI", &u);
        let e = run(k.clone(), &ctx).unwrap_err();
        assert!(
            matches!(e, Error::InvalidSpec { ref code, .. } if code == "LPI"),
            "{e}"
        );
        let e = run(k.clone(), &ctx.with_target(Some(f64::NAN))).unwrap_err();
        assert!(matches!(e, Error::InvalidSpec { .. }), "{e}");
        assert!(matches!(
            run(k.clone(), &ctx.with_target(Some(2.0))),
            Err(Error::ZeroRange { .. })
        ));
        assert!(matches!(
            run(k.clone(), &ctx.with_target(Some(1.0))),
            Err(Error::InvalidSpec { .. })
        ));
        let u2 = vec!["A".to_string()];
        assert!(matches!(
            k.fit(
                array![NAN].view(),
                &ColumnContext::new("x", &u2).with_target(Some(1.0))
            ),
            Err(Error::AllMissing { .. })
        ));
    }

    #[test]
    fn identity_applies_direction_only() {
        let u = units();
        let ctx = ColumnContext::new("x", &u);
        assert_same(
            &run(NormaliserKind::Identity, &ctx).unwrap(),
            &[2.0, 4.0, NAN, 10.0, 6.0],
        );
        let ctx = ctx.with_direction(Direction::Negative);
        assert_same(
            &run(NormaliserKind::Identity, &ctx).unwrap(),
            &[-2.0, -4.0, NAN, -10.0, -6.0],
        );
    }
}
