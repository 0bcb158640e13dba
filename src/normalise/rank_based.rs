//! Rank, percentile rank and Borda score, as COINr's `n_rank`, `n_prank` and `n_borda`: R's
//! `rank(x, ties.method = "min", na.last = "keep")`, ascending, so the highest value gets the highest rank.
//!
//! The fitted state is the sorted sample of non-missing fitting values. Any value `x` is ranked against
//! it: `rank = 1 + #{reference values < x}`, which on the fitting data is exactly the min-tie rank. New
//! values above every reference value get rank `n + 1` (percentile rank above 1); new values do not
//! change each other's ranks.

use ndarray::ArrayView1;

use super::ColumnContext;
use super::fitted::{FittedForm, FittedParams, RankScale};
use crate::error::{Error, Result};

pub(super) fn fit(
    x: ArrayView1<'_, f64>,
    ctx: &ColumnContext<'_>,
    scale: RankScale,
) -> Result<FittedParams> {
    let mut sorted: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
    if sorted.is_empty() {
        return Err(Error::AllMissing {
            indicator: ctx.code.to_string(),
        });
    }
    if scale == RankScale::Percentile && sorted.len() < 2 {
        return Err(Error::InsufficientData {
            what: format!("percentile rank of indicator `{}`", ctx.code),
            needed: 2,
            found: sorted.len(),
        });
    }
    sorted.sort_by(f64::total_cmp);
    Ok(FittedParams::fitted(
        ctx,
        FittedForm::Rank { scale, sorted },
    ))
}

#[cfg(test)]
mod tests {
    use super::super::{Normaliser, NormaliserKind, normalise_column};
    use super::*;
    use crate::rank::{TieRule, rank_asc};
    use crate::spec::Direction;
    use ndarray::array;

    const NAN: f64 = f64::NAN;

    fn same(got: &[f64], want: &[f64]) -> bool {
        got.len() == want.len()
            && got
                .iter()
                .zip(want)
                .all(|(g, w)| (g.is_nan() && w.is_nan()) || g == w)
    }

    fn units() -> Vec<String> {
        ["A", "B", "C", "D", "E"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    /// `[1, 3, NaN, 3, 5]`: min-tie ranks `[1, 2, NaN, 2, 4]`, n = 4.
    fn run(kind: NormaliserKind, dir: Direction) -> Vec<f64> {
        let u = units();
        let ctx = ColumnContext::new("x", &u).with_direction(dir);
        normalise_column(&kind, array![1.0, 3.0, NAN, 3.0, 5.0].view(), &ctx)
            .unwrap()
            .to_vec()
    }

    #[test]
    fn rank_hand_values() {
        let r = run(NormaliserKind::Rank, Direction::Positive);
        assert!(same(&r, &[1.0, 2.0, NAN, 2.0, 4.0]), "{r:?}");
        // direction -1: [-1, -3, NaN, -3, -5] → the smallest raw value gets the top rank
        let r = run(NormaliserKind::Rank, Direction::Negative);
        assert!(same(&r, &[4.0, 2.0, NAN, 2.0, 1.0]), "{r:?}");
    }

    #[test]
    fn prank_and_borda_hand_values() {
        let p = run(NormaliserKind::PercentileRank, Direction::Positive);
        assert!(same(&p, &[0.0, 1.0 / 3.0, NAN, 1.0 / 3.0, 1.0]), "{p:?}");
        let b = run(NormaliserKind::Borda, Direction::Positive);
        assert!(same(&b, &[0.0, 1.0, NAN, 1.0, 3.0]), "{b:?}");
    }

    #[test]
    fn matches_crate_rank_asc_with_min_ties() {
        let v = [4.0, -0.0, 0.0, 7.5, NAN, 4.0, 4.0, -2.0];
        let u: Vec<String> = (0..v.len()).map(|i| format!("U{i}")).collect();
        let ctx = ColumnContext::new("x", &u);
        let got = normalise_column(&NormaliserKind::Rank, ndarray::aview1(&v), &ctx).unwrap();
        assert!(same(got.as_slice().unwrap(), &rank_asc(&v, TieRule::Min)));
    }

    #[test]
    fn new_data_is_ranked_against_the_reference() {
        let u = units();
        let ctx = ColumnContext::new("x", &u);
        let f = NormaliserKind::Rank
            .fit(array![1.0, 3.0, NAN, 3.0, 5.0].view(), &ctx)
            .unwrap();
        // reference [1, 3, 3, 5]: 0 → 1, 3 → 2, 4 → 4, 6 → 5
        let r = f
            .apply(array![0.0, 3.0, 4.0, 6.0, NAN].view(), &[])
            .unwrap();
        assert!(
            same(r.as_slice().unwrap(), &[1.0, 2.0, 4.0, 5.0, NAN]),
            "{r:?}"
        );
        let f = NormaliserKind::PercentileRank
            .fit(array![1.0, 3.0, NAN, 3.0, 5.0].view(), &ctx)
            .unwrap();
        let p = f.apply(array![6.0].view(), &[]).unwrap();
        assert_eq!(p[0], 4.0 / 3.0);
    }

    #[test]
    fn errors() {
        let u = vec!["A".to_string(), "B".to_string()];
        let ctx = ColumnContext::new("x", &u);
        for k in [
            NormaliserKind::Rank,
            NormaliserKind::Borda,
            NormaliserKind::PercentileRank,
        ] {
            assert!(matches!(
                k.fit(array![NAN, NAN].view(), &ctx),
                Err(Error::AllMissing { .. })
            ));
        }
        assert!(matches!(
            NormaliserKind::PercentileRank.fit(array![NAN, 2.0].view(), &ctx),
            Err(Error::InsufficientData {
                needed: 2,
                found: 1,
                ..
            })
        ));
        // one observation is enough for a plain rank
        let r = NormaliserKind::Rank
            .fit(array![NAN, 2.0].view(), &ctx)
            .unwrap()
            .apply(array![NAN, 2.0].view(), &u)
            .unwrap();
        assert!(same(r.as_slice().unwrap(), &[NAN, 1.0]));
    }
}
