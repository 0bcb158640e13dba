//! Invariants of the built-in normalisers (proptest), checked through one shared checker, plus the
//! serde and text-form round trips and a user-defined normaliser going through `normalise_column`.

use composite_indicators::normalise::{
    ColumnContext, FittedNormaliser, Normaliser, NormaliserKind, normalise_column,
};
use composite_indicators::rank::{TieRule, rank_asc};
use composite_indicators::{Direction, Error, Result};
use ndarray::{Array1, ArrayView1, aview1};
use proptest::prelude::*;

// ------------------------------------------------------------------------------------------ helpers

fn unit_codes(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("U{i}")).collect()
}

/// NaN-aware exact equality.
fn same(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| (x.is_nan() && y.is_nan()) || x == y)
}

fn observed(x: &[f64]) -> Vec<f64> {
    x.iter().copied().filter(|v| !v.is_nan()).collect()
}

fn distinct_observed(x: &[f64]) -> usize {
    let mut o = observed(x);
    o.sort_by(f64::total_cmp);
    o.dedup_by(|a, b| a == b);
    o.len()
}

/// Every method, with a context under which it is defined for `raw` (values in `[0, 1000]`, direction
/// `dir`, at least two distinct non-missing values, `ref_unit` non-missing).
fn all_methods(ref_unit: &str) -> Vec<NormaliserKind> {
    vec![
        NormaliserKind::default(),
        NormaliserKind::MinMax { lo: -3.0, hi: 0.5 },
        NormaliserKind::ZScore { mean: 0.0, sd: 1.0 },
        NormaliserKind::ZScore {
            mean: 100.0,
            sd: 15.0,
        },
        NormaliserKind::Rank,
        NormaliserKind::PercentileRank,
        NormaliserKind::Borda,
        NormaliserKind::DistToMax,
        NormaliserKind::FracMax,
        NormaliserKind::DistToRef {
            unit: ref_unit.into(),
            cap_max: false,
        },
        NormaliserKind::DistToRef {
            unit: ref_unit.into(),
            cap_max: true,
        },
        NormaliserKind::DistToTarget { cap_max: false },
        NormaliserKind::DistToTarget { cap_max: true },
        NormaliserKind::Goalposts {
            scale: 100.0,
            truncate: true,
        },
        NormaliserKind::Goalposts {
            scale: 1.0,
            truncate: false,
        },
        NormaliserKind::MaxScore,
        NormaliserKind::Identity,
    ]
}

/// The errors a method may legitimately return on valid data of this shape (a reference unit that
/// holds the minimum, a fracmax column that arrives negated ...).
fn expected_error(kind: &NormaliserKind, dir: Direction, e: &Error) -> bool {
    match (kind, e) {
        (NormaliserKind::FracMax, Error::InvalidSpec { .. }) => dir == Direction::Negative,
        (NormaliserKind::FracMax, Error::ZeroRange { .. }) => false,
        (NormaliserKind::DistToRef { .. }, Error::ZeroRange { .. }) => true,
        (NormaliserKind::DistToRef { .. }, Error::ReferenceAtMinimum { .. }) => true,
        _ => false,
    }
}

/// The shared checker. For one raw column and one method:
/// - the output has the input's length and NaN exactly where the input is NaN;
/// - it is monotone in the raw value: non-decreasing for direction +1, non-increasing for −1;
/// - fit-then-apply on the same data equals the one-shot `normalise_column` result, and applying to
///   a reversed copy of the rows gives the reversed result (apply is row-wise, from the fitted state).
///
/// Returns whether the method was defined on the data (false only for an expected error).
fn check_invariants(kind: &NormaliserKind, raw: &[f64], dir: Direction) -> bool {
    let units = unit_codes(raw.len());
    let hi_raw = observed(raw).into_iter().fold(f64::NEG_INFINITY, f64::max);
    let lo_raw = observed(raw).into_iter().fold(f64::INFINITY, f64::min);
    let best = if dir == Direction::Positive {
        hi_raw
    } else {
        lo_raw
    };
    let ctx = ColumnContext::new("IND", &units)
        .with_direction(dir)
        .with_target(Some(best))
        .with_goalposts(Some([100.0, 900.0]))
        .with_max_score(Some(1000.0));
    let one_shot = match normalise_column(kind, aview1(raw), &ctx) {
        Ok(y) => y,
        Err(e) => {
            assert!(expected_error(kind, dir, &e), "{kind}: unexpected {e:?}");
            return false;
        }
    };
    assert_eq!(one_shot.len(), raw.len());
    for (r, y) in raw.iter().zip(one_shot.iter()) {
        assert_eq!(
            r.is_nan(),
            y.is_nan(),
            "{kind}: NaN pattern {raw:?} -> {one_shot:?}"
        );
    }
    for (i, (&ri, &yi)) in raw.iter().zip(one_shot.iter()).enumerate() {
        for (&rj, &yj) in raw.iter().zip(one_shot.iter()).skip(i + 1) {
            if ri.is_nan() || rj.is_nan() {
                continue;
            }
            let (better_raw, worse_raw, y_better, y_worse) = if (ri - rj) * dir.sign() >= 0.0 {
                (ri, rj, yi, yj)
            } else {
                (rj, ri, yj, yi)
            };
            assert!(
                y_better >= y_worse,
                "{kind} ({dir}): raw {better_raw} -> {y_better} but raw {worse_raw} -> {y_worse}"
            );
        }
    }
    // fit, then apply (to the same rows, and to the rows reversed)
    let x: Array1<f64> = aview1(raw).mapv(|v| v * dir.sign());
    let fitted = kind.fit(x.view(), &ctx).expect("fit succeeded in one shot");
    let y = fitted
        .apply(x.view(), &units)
        .expect("apply on fitting data");
    assert!(same(y.as_slice().unwrap(), one_shot.as_slice().unwrap()));
    let mut xr = x.to_vec();
    xr.reverse();
    let mut ur = units.clone();
    ur.reverse();
    let mut yr = fitted
        .apply(aview1(&xr), &ur)
        .expect("apply on reversed rows")
        .to_vec();
    yr.reverse();
    assert!(
        same(&yr, one_shot.as_slice().unwrap()),
        "{kind}: apply not row-wise"
    );
    true
}

/// A column of 2..20 values in `[0, 1000]` (integers, to get ties, or reals), about 15% missing.
fn column() -> impl Strategy<Value = Vec<f64>> {
    let cell = prop_oneof![
        3 => (0u32..=20).prop_map(|i| f64::from(i) * 50.0),
        3 => 0.0f64..=1000.0,
        1 => Just(f64::NAN),
    ];
    prop::collection::vec(cell, 2..20)
}

// ------------------------------------------------------------------------------------------ proptests

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every method, both directions, through the shared checker.
    #[test]
    fn every_method_keeps_the_invariants(raw in column(), dir in prop_oneof![Just(Direction::Positive), Just(Direction::Negative)]) {
        prop_assume!(distinct_observed(&raw) >= 2);
        // a reference unit whose value is present
        let r = raw.iter().position(|v| !v.is_nan()).unwrap_or(0);
        let mut defined = 0;
        for kind in all_methods(&format!("U{r}")) {
            if check_invariants(&kind, &raw, dir) {
                defined += 1;
            }
        }
        // at most dist2ref (x2) and fracmax may be undefined on a given column
        prop_assert!(defined >= all_methods("U0").len() - 3);
    }

    /// Min-max output lies in [lo, hi], hits both ends, for any bounds.
    #[test]
    fn minmax_output_within_bounds(
        raw in prop::collection::vec(prop_oneof![4 => -1e6f64..1e6, 1 => Just(f64::NAN)], 2..30),
        lo in -1e3f64..1e3,
        width in 1e-3f64..1e3,
    ) {
        prop_assume!(distinct_observed(&raw) >= 2);
        let hi = lo + width;
        prop_assume!(lo < hi);
        let units = unit_codes(raw.len());
        let ctx = ColumnContext::new("IND", &units);
        let y = normalise_column(&NormaliserKind::MinMax { lo, hi }, aview1(&raw), &ctx).unwrap();
        let obs = observed(y.as_slice().unwrap());
        prop_assert!(obs.iter().all(|&v| lo <= v && v <= hi), "{obs:?} not in [{lo}, {hi}]");
        prop_assert!(obs.contains(&lo) && obs.contains(&hi));
    }

    /// Rank-based methods see only the order: a strictly increasing transform changes nothing, and the
    /// ranks are R's `rank(ties = "min", na.last = "keep")`.
    #[test]
    fn rank_methods_invariant_under_increasing_transforms(
        ints in prop::collection::vec(prop_oneof![4 => (-1000i32..1000).prop_map(Some), 1 => Just(None)], 2..30),
    ) {
        let raw: Vec<f64> = ints.iter().map(|v| v.map_or(f64::NAN, f64::from)).collect();
        prop_assume!(distinct_observed(&raw) >= 2);
        let transforms: [fn(f64) -> f64; 3] = [
            |v| v * v * v + v,          // exact for |v| < 1000
            |v| (v + 2000.0).ln(),      // distinct for distinct integers
            |v| 2.0 * v - 7.5,
        ];
        let units = unit_codes(raw.len());
        let ctx = ColumnContext::new("IND", &units);
        for kind in [NormaliserKind::Rank, NormaliserKind::PercentileRank, NormaliserKind::Borda] {
            let base = normalise_column(&kind, aview1(&raw), &ctx).unwrap();
            for f in transforms {
                let t: Vec<f64> = raw.iter().map(|&v| f(v)).collect();
                let y = normalise_column(&kind, aview1(&t), &ctx).unwrap();
                prop_assert!(same(y.as_slice().unwrap(), base.as_slice().unwrap()), "{kind}");
            }
        }
        // one-shot reference: R's rank with min ties, and the prank / Borda formulas on top of it
        let r = rank_asc(&raw, TieRule::Min);
        let n = observed(&raw).len() as f64;
        let rank = normalise_column(&NormaliserKind::Rank, aview1(&raw), &ctx).unwrap();
        prop_assert!(same(rank.as_slice().unwrap(), &r));
        let prank = normalise_column(&NormaliserKind::PercentileRank, aview1(&raw), &ctx).unwrap();
        let want: Vec<f64> = r.iter().map(|v| (v - 1.0) / (n - 1.0)).collect();
        prop_assert!(same(prank.as_slice().unwrap(), &want));
        let borda = normalise_column(&NormaliserKind::Borda, aview1(&raw), &ctx).unwrap();
        let want: Vec<f64> = r.iter().map(|v| v - 1.0).collect();
        prop_assert!(same(borda.as_slice().unwrap(), &want));
    }

    /// Fit-then-apply on the fitting data equals the one-shot COINr formula written out here.
    #[test]
    fn fitted_equals_one_shot_formulas(raw in column()) {
        prop_assume!(distinct_observed(&raw) >= 2);
        let units = unit_codes(raw.len());
        let ctx = ColumnContext::new("IND", &units);
        let obs = observed(&raw);
        let min = obs.iter().copied().fold(f64::INFINITY, f64::min);
        let max = obs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let fit_apply = |kind: NormaliserKind, ctx: &ColumnContext<'_>| -> Vec<f64> {
            let f = kind.fit(aview1(&raw), ctx).unwrap();
            f.apply(aview1(&raw), &units).unwrap().to_vec()
        };
        // n_minmax with l_u = c(0, 100)
        let want: Vec<f64> = raw.iter().map(|&x| (x - min) / (max - min) * 100.0 + 0.0).collect();
        prop_assert!(same(&fit_apply(NormaliserKind::default(), &ctx), &want));
        // n_dist2max
        let want: Vec<f64> = raw.iter().map(|&x| 1.0 - (max - x) / (max - min)).collect();
        prop_assert!(same(&fit_apply(NormaliserKind::DistToMax, &ctx), &want));
        // n_fracmax
        let want: Vec<f64> = raw.iter().map(|&x| x / max).collect();
        prop_assert!(same(&fit_apply(NormaliserKind::FracMax, &ctx), &want));
        // n_dist2targ (COINr v1.1) with targ = 1100, cap_max = TRUE
        let t = 1100.0;
        let want: Vec<f64> = raw.iter().map(|&x| {
                let y = (x - min) / (t - min);
                if y > 1.0 { 1.0 } else { y } // R: y[y > 1] <- 1 leaves NA alone
            }).collect();
        let got = fit_apply(NormaliserKind::DistToTarget { cap_max: true }, &ctx.with_target(Some(t)));
        prop_assert!(same(&got, &want));
        // n_zscore: mean and sample sd (n - 1), compared to 1e-9 (the mean's summation order differs)
        let n = obs.len() as f64;
        let mean = obs.iter().sum::<f64>() / n;
        let sd = (obs.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0)).sqrt();
        let got = fit_apply(NormaliserKind::ZScore { mean: 0.0, sd: 1.0 }, &ctx);
        for (g, &x) in got.iter().zip(&raw) {
            let w = (x - mean) / sd;
            prop_assert!((g.is_nan() && w.is_nan()) || (g - w).abs() < 1e-9, "{g} vs {w}");
        }
    }

    /// serde JSON round trip of every variant. Parameters are multiples of 1/64 so their decimal form is
    /// short and serde_json's default (best-effort) float parser reads them back exactly.
    #[test]
    fn serde_json_round_trip(kind in any_kind(|i| f64::from(i) / 64.0)) {
        let json = serde_json::to_string(&kind).unwrap();
        let back: NormaliserKind = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, kind);
    }

    /// Display then FromStr gives the same value, for arbitrary finite parameters.
    #[test]
    fn text_form_round_trip(kind in any_valid_kind()) {
        let text = kind.to_string();
        let back: NormaliserKind = text.parse().unwrap();
        prop_assert_eq!(&back, &kind, "via `{}`", text);
        prop_assert_eq!(back.to_string(), text);
    }
}

/// Every variant, with parameters built from integers by `num` (not necessarily valid parameters).
fn any_kind(num: fn(i32) -> f64) -> impl Strategy<Value = NormaliserKind> {
    let n = move || (-100_000i32..100_000).prop_map(num);
    prop_oneof![
        (n(), n()).prop_map(|(lo, hi)| NormaliserKind::MinMax { lo, hi }),
        (n(), n()).prop_map(|(mean, sd)| NormaliserKind::ZScore { mean, sd }),
        Just(NormaliserKind::Rank),
        Just(NormaliserKind::PercentileRank),
        Just(NormaliserKind::Borda),
        Just(NormaliserKind::DistToMax),
        Just(NormaliserKind::FracMax),
        ("[A-Za-z0-9_]{1,6}", any::<bool>())
            .prop_map(|(unit, cap_max)| NormaliserKind::DistToRef { unit, cap_max }),
        any::<bool>().prop_map(|cap_max| NormaliserKind::DistToTarget { cap_max }),
        (n(), any::<bool>())
            .prop_map(|(scale, truncate)| NormaliserKind::Goalposts { scale, truncate }),
        Just(NormaliserKind::MaxScore),
        Just(NormaliserKind::Identity),
    ]
}

/// Every variant with parameters that pass `NormaliserKind::check`, drawn from the whole finite range.
fn any_valid_kind() -> impl Strategy<Value = NormaliserKind> {
    use prop::num::f64::{NEGATIVE, NORMAL, POSITIVE, SUBNORMAL, ZERO};
    let finite = || POSITIVE | NEGATIVE | NORMAL | SUBNORMAL | ZERO;
    let positive = || POSITIVE | NORMAL | SUBNORMAL;
    prop_oneof![
        (finite(), finite())
            .prop_filter("lo < hi", |(a, b)| a != b)
            .prop_map(|(a, b)| NormaliserKind::MinMax {
                lo: a.min(b),
                hi: a.max(b)
            }),
        Just(NormaliserKind::default()),
        (finite(), positive()).prop_map(|(mean, sd)| NormaliserKind::ZScore { mean, sd }),
        Just(NormaliserKind::ZScore { mean: 0.0, sd: 1.0 }),
        Just(NormaliserKind::Rank),
        Just(NormaliserKind::PercentileRank),
        Just(NormaliserKind::Borda),
        Just(NormaliserKind::DistToMax),
        Just(NormaliserKind::FracMax),
        ("[A-Za-z0-9_.-]{1,8}", any::<bool>())
            .prop_map(|(unit, cap_max)| NormaliserKind::DistToRef { unit, cap_max }),
        any::<bool>().prop_map(|cap_max| NormaliserKind::DistToTarget { cap_max }),
        (positive(), any::<bool>())
            .prop_map(|(scale, truncate)| NormaliserKind::Goalposts { scale, truncate }),
        any::<bool>().prop_map(|truncate| NormaliserKind::Goalposts {
            scale: 1.0,
            truncate
        }),
        Just(NormaliserKind::MaxScore),
        Just(NormaliserKind::Identity),
    ]
}

// ------------------------------------------------------------------------------------------ examples

#[test]
fn serde_form_is_tagged_by_method() {
    let k = NormaliserKind::DistToRef {
        unit: "FRA".into(),
        cap_max: true,
    };
    let json = serde_json::to_string(&k).unwrap();
    assert_eq!(
        json,
        r#"{"method":"dist_to_ref","unit":"FRA","cap_max":true}"#
    );
    // cap_max defaults to false
    let k: NormaliserKind = serde_json::from_str(r#"{"method":"dist_to_target"}"#).unwrap();
    assert_eq!(k, NormaliserKind::DistToTarget { cap_max: false });
    let k: NormaliserKind = serde_json::from_str(r#"{"method":"percentile_rank"}"#).unwrap();
    assert_eq!(k, NormaliserKind::PercentileRank);
}

/// Scores each value by its share of the column's non-missing total; errors on a zero total.
#[derive(Debug)]
struct ShareOfTotal;

#[derive(Debug)]
struct FittedShare {
    total: f64,
}

impl Normaliser for ShareOfTotal {
    fn name(&self) -> String {
        "share".into()
    }
    fn fit(
        &self,
        x: ArrayView1<'_, f64>,
        ctx: &ColumnContext<'_>,
    ) -> Result<Box<dyn FittedNormaliser>> {
        let total: f64 = x.iter().filter(|v| !v.is_nan()).sum();
        if total == 0.0 {
            return Err(Error::ZeroRange {
                indicator: ctx.code.into(),
                value: 0.0,
                method: self.name(),
            });
        }
        Ok(Box::new(FittedShare { total }))
    }
}

impl FittedNormaliser for FittedShare {
    fn apply(&self, x: ArrayView1<'_, f64>, _unit_codes: &[String]) -> Result<Array1<f64>> {
        Ok(x.mapv(|v| v / self.total))
    }
}

#[test]
fn user_defined_normaliser_goes_through_normalise_column() {
    let units = unit_codes(4);
    let ctx = ColumnContext::new("IND", &units);
    let raw = [1.0, 3.0, f64::NAN, 4.0];
    // as a trait object, side by side with built-ins
    let methods: Vec<Box<dyn Normaliser>> =
        vec![Box::new(ShareOfTotal), Box::new(NormaliserKind::Rank)];
    let share = normalise_column(methods[0].as_ref(), aview1(&raw), &ctx).unwrap();
    assert!(same(
        share.as_slice().unwrap(),
        &[0.125, 0.375, f64::NAN, 0.5]
    ));
    let rank = normalise_column(methods[1].as_ref(), aview1(&raw), &ctx).unwrap();
    assert!(same(rank.as_slice().unwrap(), &[1.0, 2.0, f64::NAN, 3.0]));
    // the direction is applied before the user's fit: negated values, same shares
    let neg = normalise_column(
        &ShareOfTotal,
        aview1(&raw),
        &ctx.with_direction(Direction::Negative),
    )
    .unwrap();
    assert!(same(
        neg.as_slice().unwrap(),
        &[0.125, 0.375, f64::NAN, 0.5]
    ));
    // the user's errors come through, and infinities are caught before the user's code runs
    assert!(matches!(
        normalise_column(&ShareOfTotal, aview1(&[1.0, -1.0, 0.0, 0.0]), &ctx),
        Err(Error::ZeroRange { .. })
    ));
    assert!(matches!(
        normalise_column(&ShareOfTotal, aview1(&[1.0, f64::INFINITY, 0.0, 0.0]), &ctx),
        Err(Error::NonFinite { ref unit, ref indicator, .. }) if unit == "U1" && indicator == "IND"
    ));
}

/// A broken user normaliser that drops a value is caught, not passed on.
#[derive(Debug)]
struct DropsLast;

#[derive(Debug)]
struct FittedDropsLast;

impl Normaliser for DropsLast {
    fn name(&self) -> String {
        "drops_last".into()
    }
    fn fit(
        &self,
        _: ArrayView1<'_, f64>,
        _: &ColumnContext<'_>,
    ) -> Result<Box<dyn FittedNormaliser>> {
        Ok(Box::new(FittedDropsLast))
    }
}

impl FittedNormaliser for FittedDropsLast {
    fn apply(&self, x: ArrayView1<'_, f64>, _: &[String]) -> Result<Array1<f64>> {
        Ok(x.iter().take(x.len().saturating_sub(1)).copied().collect())
    }
}

#[test]
fn normaliser_output_of_wrong_length_is_an_error() {
    let units = unit_codes(3);
    let ctx = ColumnContext::new("IND", &units);
    let e = normalise_column(&DropsLast, aview1(&[1.0, 2.0, 3.0]), &ctx).unwrap_err();
    assert!(
        matches!(
            e,
            Error::ShapeMismatch {
                expected: 3,
                found: 2,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("drops_last"));
}

#[test]
fn infinite_values_are_rejected_by_every_builtin() {
    let units = unit_codes(3);
    let ctx = ColumnContext::new("IND", &units)
        .with_target(Some(5.0))
        .with_goalposts(Some([0.0, 5.0]))
        .with_max_score(Some(5.0));
    for kind in all_methods("U1") {
        let e = normalise_column(&kind, aview1(&[1.0, 2.0, f64::NEG_INFINITY]), &ctx).unwrap_err();
        assert!(
            matches!(e, Error::NonFinite { ref unit, ref indicator, .. } if unit == "U2" && indicator == "IND"),
            "{kind}: {e:?}"
        );
        // a fitted normaliser refuses infinities too
        let f = kind.fit(aview1(&[1.0, 2.0, 3.0]), &ctx).unwrap();
        let e = f
            .apply(aview1(&[f64::INFINITY]), &["NEW".into()])
            .unwrap_err();
        assert!(
            matches!(e, Error::NonFinite { ref unit, .. } if unit == "NEW"),
            "{kind}: {e:?}"
        );
    }
}
