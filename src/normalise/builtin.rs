//! The built-in normalisers: [`Normaliser`] for [`NormaliserKind`], dispatching to one file per method
//! family (`linear`: formulas with learned constants; `rank_based`: ranks against a reference sample;
//! `fixed_scale`: goalposts and max scores given by the spec), plus the input checks they share.

use ndarray::ArrayView1;

use super::{
    ColumnContext, FittedNormaliser, Normaliser, NormaliserKind, RankScale, fixed_scale, linear,
    rank_based,
};
use crate::error::{Error, Result};

impl Normaliser for NormaliserKind {
    /// The method's keyword (`"minmax"`, `"zscore"`, `"dist2ref"` ...), as in the CLI form.
    fn name(&self) -> String {
        self.keyword().to_string()
    }

    fn fit(
        &self,
        x: ArrayView1<'_, f64>,
        ctx: &ColumnContext<'_>,
    ) -> Result<Box<dyn FittedNormaliser>> {
        self.check()?;
        check_input(x, ctx.unit_codes, ctx.code)?;
        Ok(match self {
            NormaliserKind::MinMax { lo, hi } => Box::new(linear::fit_minmax(x, ctx, *lo, *hi)?),
            NormaliserKind::ZScore { mean, sd } => {
                Box::new(linear::fit_zscore(x, ctx, *mean, *sd)?)
            }
            NormaliserKind::Rank => Box::new(rank_based::fit(x, ctx, RankScale::Rank)?),
            NormaliserKind::PercentileRank => {
                Box::new(rank_based::fit(x, ctx, RankScale::Percentile)?)
            }
            NormaliserKind::Borda => Box::new(rank_based::fit(x, ctx, RankScale::Borda)?),
            NormaliserKind::DistToMax => Box::new(linear::fit_dist2max(x, ctx)?),
            NormaliserKind::FracMax => Box::new(linear::fit_fracmax(x, ctx)?),
            NormaliserKind::DistToRef { unit, cap_max } => {
                Box::new(linear::fit_dist2ref(x, ctx, unit, *cap_max)?)
            }
            NormaliserKind::DistToTarget { cap_max } => {
                Box::new(linear::fit_dist2targ(x, ctx, *cap_max)?)
            }
            NormaliserKind::Goalposts { scale, truncate } => {
                Box::new(fixed_scale::fit_goalposts(ctx, *scale, *truncate)?)
            }
            NormaliserKind::MaxScore => Box::new(fixed_scale::fit_maxscore(x, ctx)?),
            NormaliserKind::Identity => Box::new(linear::fit_identity(ctx)),
        })
    }
}

/// The unit code of row `i`, or `row i+1` (1-based) when the rows have no codes.
pub(super) fn unit_label(units: &[String], i: usize) -> String {
    units
        .get(i)
        .cloned()
        .unwrap_or_else(|| format!("row {}", i + 1))
}

/// Shared input checks: `units` is empty or names every row, and no value is ±∞ (NaN = missing is fine).
pub(super) fn check_input(x: ArrayView1<'_, f64>, units: &[String], code: &str) -> Result<()> {
    if !units.is_empty() && units.len() != x.len() {
        return Err(Error::ShapeMismatch {
            what: format!("unit codes for the rows of indicator `{code}`"),
            expected: x.len(),
            found: units.len(),
        });
    }
    // a branch-free scan first (it vectorises), the position only when there is an infinity
    let any_infinite = match x.as_slice() {
        Some(s) => s.iter().fold(false, |acc, v| acc | v.is_infinite()),
        None => x.iter().any(|v| v.is_infinite()),
    };
    if !any_infinite {
        return Ok(());
    }
    if let Some((i, &v)) = x.iter().enumerate().find(|(_, v)| v.is_infinite()) {
        return Err(Error::NonFinite {
            unit: unit_label(units, i),
            indicator: code.to_string(),
            value: v,
        });
    }
    Ok(())
}

/// Minimum and maximum over the non-missing values; [`Error::AllMissing`] if there are none.
pub(super) fn min_max(x: ArrayView1<'_, f64>, code: &str) -> Result<(f64, f64)> {
    let mut it = x.iter().copied().filter(|v| !v.is_nan());
    let first = it.next().ok_or_else(|| Error::AllMissing {
        indicator: code.to_string(),
    })?;
    Ok(it.fold((first, first), |(mn, mx), v| (mn.min(v), mx.max(v))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn check_input_rejects_infinity_naming_unit_and_indicator() {
        let units = vec!["A".to_string(), "B".to_string()];
        let e = check_input(array![1.0, f64::NEG_INFINITY].view(), &units, "LPI").unwrap_err();
        match e {
            Error::NonFinite {
                unit,
                indicator,
                value,
            } => {
                assert_eq!(unit, "B");
                assert_eq!(indicator, "LPI");
                assert_eq!(value, f64::NEG_INFINITY);
            }
            other => panic!("unexpected {other:?}"),
        }
        // without unit codes the row number is named
        let e = check_input(array![f64::INFINITY].view(), &[], "LPI").unwrap_err();
        assert!(e.to_string().contains("row 1"), "{e}");
        // NaN is missing, not an error
        assert!(check_input(array![f64::NAN, 1.0].view(), &units, "LPI").is_ok());
    }

    #[test]
    fn check_input_rejects_wrong_number_of_unit_codes() {
        let units = vec!["A".to_string()];
        let e = check_input(array![1.0, 2.0].view(), &units, "LPI").unwrap_err();
        assert!(matches!(
            e,
            Error::ShapeMismatch {
                expected: 2,
                found: 1,
                ..
            }
        ));
    }

    #[test]
    fn min_max_skips_missing() {
        assert_eq!(
            min_max(array![f64::NAN, 3.0, -1.0, f64::NAN, 2.0].view(), "x").unwrap(),
            (-1.0, 3.0)
        );
        assert!(matches!(
            min_max(array![f64::NAN].view(), "x"),
            Err(Error::AllMissing { .. })
        ));
    }

    #[test]
    fn fit_checks_parameters_and_infinities() {
        let units = vec!["A".to_string(), "B".to_string()];
        let ctx = ColumnContext::new("x", &units);
        let bad = NormaliserKind::MinMax { lo: 1.0, hi: 1.0 };
        assert!(matches!(
            bad.fit(array![1.0, 2.0].view(), &ctx),
            Err(Error::InvalidParameter { .. })
        ));
        let e = NormaliserKind::Identity
            .fit(array![1.0, f64::INFINITY].view(), &ctx)
            .unwrap_err();
        assert!(matches!(e, Error::NonFinite { ref unit, .. } if unit == "B"));
    }

    #[test]
    fn names_are_keywords() {
        assert_eq!(NormaliserKind::default().name(), "minmax");
        assert_eq!(NormaliserKind::PercentileRank.name(), "prank");
        assert_eq!(
            NormaliserKind::DistToRef {
                unit: "A".into(),
                cap_max: true
            }
            .name(),
            "dist2ref"
        );
    }
}
