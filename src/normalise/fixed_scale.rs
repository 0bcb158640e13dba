//! Methods whose scale comes from the spec, not from the data: goalposts and max scores. They work in
//! raw units, so the formula ([`FittedForm::Goalposts`], [`FittedForm::MaxScore`]) undoes the direction
//! (`x_raw = x·sign`) and orients itself.

use ndarray::ArrayView1;

use super::fitted::{FittedForm, FittedParams};
use super::{ColumnContext, FittedNormaliser};
use crate::error::{Error, Result};

pub(super) fn fit_goalposts(
    ctx: &ColumnContext<'_>,
    scale: f64,
    truncate: bool,
) -> Result<FittedParams> {
    let [lo, hi] = ctx.goalposts.ok_or_else(|| Error::InvalidSpec {
        code: ctx.code.to_string(),
        reason: "goalposts normalisation needs goalposts [lo, hi] for this indicator, and none are given"
            .into(),
    })?;
    if !(lo.is_finite() && hi.is_finite() && lo < hi && (hi - lo).is_finite()) {
        return Err(Error::InvalidSpec {
            code: ctx.code.to_string(),
            reason: format!(
                "goalposts [{lo}, {hi}] must be finite with lo < hi (and hi − lo finite)"
            ),
        });
    }
    Ok(FittedParams::fitted(
        ctx,
        FittedForm::Goalposts {
            lo,
            hi,
            scale,
            truncate,
        },
    ))
}

pub(super) fn fit_maxscore(
    x: ArrayView1<'_, f64>,
    ctx: &ColumnContext<'_>,
) -> Result<FittedParams> {
    let max = ctx.max_score.ok_or_else(|| Error::InvalidSpec {
        code: ctx.code.to_string(),
        reason: "maxscore normalisation needs a max score for this indicator, and none is given"
            .into(),
    })?;
    if !(max.is_finite() && max > 0.0) {
        return Err(Error::InvalidSpec {
            code: ctx.code.to_string(),
            reason: format!("the max score {max} must be finite and positive"),
        });
    }
    let fit = FittedParams::fitted(ctx, FittedForm::MaxScore { max });
    // report out-of-range fitting values now, naming the unit
    fit.apply(x, ctx.unit_codes)?;
    Ok(fit)
}

#[cfg(test)]
mod tests {
    use super::super::{Normaliser, NormaliserKind, normalise_column};
    use super::*;
    use crate::spec::Direction;
    use ndarray::{Array1, array};

    const NAN: f64 = f64::NAN;

    fn same(got: &Array1<f64>, want: &[f64]) -> bool {
        got.len() == want.len()
            && got
                .iter()
                .zip(want)
                .all(|(g, w)| (g.is_nan() && w.is_nan()) || (g - w).abs() < 1e-12)
    }

    fn units() -> Vec<String> {
        ["A", "B", "C", "D", "E"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    /// Raw `[2, 4, NaN, 10, 6]`.
    fn run(kind: NormaliserKind, ctx: &ColumnContext<'_>) -> Result<Array1<f64>> {
        normalise_column(&kind, array![2.0, 4.0, NAN, 10.0, 6.0].view(), ctx)
    }

    #[test]
    fn goalposts_hand_values() {
        let u = units();
        let ctx = ColumnContext::new("x", &u).with_goalposts(Some([0.0, 8.0]));
        let gp = |scale, truncate| NormaliserKind::Goalposts { scale, truncate };
        // (x − 0)/8 · 100
        let y = run(gp(100.0, true), &ctx).unwrap();
        assert!(same(&y, &[25.0, 50.0, NAN, 100.0, 75.0]), "{y:?}");
        let y = run(gp(100.0, false), &ctx).unwrap();
        assert!(same(&y, &[25.0, 50.0, NAN, 125.0, 75.0]), "{y:?}");
        // direction -1: (8 − x_raw)/8; COINr would also negate the scale and return −75, −50, ...
        let ctx = ctx.with_direction(Direction::Negative);
        let y = run(gp(1.0, true), &ctx).unwrap();
        assert!(same(&y, &[0.75, 0.5, NAN, 0.0, 0.25]), "{y:?}");
        let y = run(gp(1.0, false), &ctx).unwrap();
        assert!(same(&y, &[0.75, 0.5, NAN, -0.25, 0.25]), "{y:?}");
    }

    #[test]
    fn goalposts_errors() {
        let u = units();
        let ctx = ColumnContext::new("LPI", &u);
        let gp = NormaliserKind::Goalposts {
            scale: 1.0,
            truncate: true,
        };
        let e = run(gp.clone(), &ctx).unwrap_err();
        assert!(
            matches!(e, Error::InvalidSpec { ref code, .. } if code == "LPI"),
            "{e}"
        );
        for posts in [[1.0, 1.0], [2.0, 1.0], [NAN, 1.0]] {
            assert!(matches!(
                run(gp.clone(), &ctx.with_goalposts(Some(posts))),
                Err(Error::InvalidSpec { .. })
            ));
        }
        for scale in [0.0, -1.0, f64::INFINITY] {
            assert!(matches!(
                run(
                    NormaliserKind::Goalposts {
                        scale,
                        truncate: true
                    },
                    &ctx.with_goalposts(Some([0.0, 1.0]))
                ),
                Err(Error::InvalidParameter { .. })
            ));
        }
    }

    #[test]
    fn maxscore_hand_values() {
        let u = units();
        let ctx = ColumnContext::new("x", &u).with_max_score(Some(10.0));
        let y = run(NormaliserKind::MaxScore, &ctx).unwrap();
        assert!(same(&y, &[0.2, 0.4, NAN, 1.0, 0.6]), "{y:?}");
        let y = run(
            NormaliserKind::MaxScore,
            &ctx.with_direction(Direction::Negative),
        )
        .unwrap();
        assert!(same(&y, &[0.8, 0.6, NAN, 0.0, 0.4]), "{y:?}");
    }

    #[test]
    fn maxscore_errors() {
        let u = units();
        let ctx = ColumnContext::new("LPI", &u);
        assert!(matches!(
            run(NormaliserKind::MaxScore, &ctx),
            Err(Error::InvalidSpec { .. })
        ));
        for m in [0.0, -5.0, NAN] {
            assert!(matches!(
                run(NormaliserKind::MaxScore, &ctx.with_max_score(Some(m))),
                Err(Error::InvalidSpec { .. })
            ));
        }
        // raw 10 > max 8: unit D is named, in fit and in apply, for either direction
        for dir in [Direction::Positive, Direction::Negative] {
            let ctx = ctx.with_max_score(Some(8.0)).with_direction(dir);
            match run(NormaliserKind::MaxScore, &ctx).unwrap_err() {
                Error::OutOfRange {
                    unit, indicator, ..
                } => {
                    assert_eq!(unit, "D");
                    assert_eq!(indicator, "LPI");
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        let ctx = ctx.with_max_score(Some(10.0));
        let f = NormaliserKind::MaxScore
            .fit(array![1.0, 2.0, 3.0, 4.0, 5.0].view(), &ctx)
            .unwrap();
        let e = f
            .apply(array![-1.0].view(), &["NEW".to_string()])
            .unwrap_err();
        assert!(
            matches!(e, Error::OutOfRange { ref unit, .. } if unit == "NEW"),
            "{e}"
        );
    }
}
