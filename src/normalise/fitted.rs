//! The learned state of the built-in normalisers as plain data: [`FittedParams`].
//!
//! Every built-in [`Normaliser`](super::Normaliser) fits to a `FittedParams`, which is itself the
//! [`FittedNormaliser`] that applies the formula. Because it is data, it can be inspected (which min and
//! max did indicator X use?), saved with serde, and loaded again later ([`FittedParams::check`] validates
//! what was loaded), so a new year can be scored on last year's scale in another process; see
//! [`FittedScorer::params`](crate::score::FittedScorer::params) and
//! [`FittedScorer::from_params`](crate::score::FittedScorer::from_params).

use ndarray::{Array1, ArrayView1};
use serde::{Deserialize, Serialize};

use super::builtin::{check_input, unit_label};
use super::{ColumnContext, FittedNormaliser};
use crate::error::{Error, Result};
use crate::spec::Direction;

/// Which score a rank method derives from `rank = 1 + #{fitting values < x}`.
///
/// ```
/// use composite_indicators::normalise::RankScale;
/// assert_eq!(serde_json::to_string(&RankScale::Percentile).unwrap(), r#""percentile""#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RankScale {
    /// `rank` (COINr `n_rank`).
    Rank,
    /// `(rank − 1)/(n − 1)`, `n` = non-missing fitting values (COINr `n_prank`).
    Percentile,
    /// `rank − 1` (COINr `n_borda`).
    Borda,
}

/// The formula of a fitted built-in normaliser and the constants it learned, serde-tagged by `method`.
///
/// `x` below is the value already multiplied by the indicator's direction; `x_raw = x·direction`. Every
/// form maps NaN to NaN. The constants are those [`NormaliserKind`](super::NormaliserKind) documents
/// for the method that produced the form.
///
/// ```
/// use composite_indicators::normalise::FittedForm;
/// let f: FittedForm = serde_json::from_str(r#"{"method":"frac_max","max":8.0}"#).unwrap();
/// assert_eq!(f, FittedForm::FracMax { max: 8.0 });
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum FittedForm {
    /// `t = (x − min)/(max − min)`, `t·(hi − lo) + lo`, clamped to `[lo, hi]` when `0 ≤ t ≤ 1` (against
    /// a one-ulp overshoot); values outside the fitted range extrapolate linearly.
    MinMax {
        /// Smallest fitting value.
        min: f64,
        /// Largest fitting value.
        max: f64,
        /// Output at `min`.
        lo: f64,
        /// Output at `max`.
        hi: f64,
    },
    /// `(x − mean)/sd·target_sd + target_mean`.
    ZScore {
        /// Mean of the fitting values.
        mean: f64,
        /// Sample standard deviation (n − 1) of the fitting values.
        sd: f64,
        /// Output mean.
        target_mean: f64,
        /// Output standard deviation.
        target_sd: f64,
    },
    /// `1 − (reference − x)/(reference − min)`, capped at 1 when `cap_max` (distance to the maximum:
    /// `reference = max`; distance to a reference unit: its value).
    DistTo {
        /// The value scoring 1.
        reference: f64,
        /// Smallest fitting value (scores 0).
        min: f64,
        /// Cap at 1.
        cap_max: bool,
    },
    /// `(x − min)/(target − min)`, capped at 1 when `cap_max` (COINr v1.1 `n_dist2targ`).
    DistToTarget {
        /// The oriented target (`target·direction`), scoring 1.
        target: f64,
        /// Smallest fitting value (scores 0).
        min: f64,
        /// Cap at 1.
        cap_max: bool,
    },
    /// `x / max`.
    FracMax {
        /// Largest fitting value (> 0).
        max: f64,
    },
    /// `x`. (A struct variant, so that unknown fields in its JSON are rejected like everywhere else.)
    Identity {},
    /// `rank = 1 + #{sorted values < x}`, then [`RankScale`]; on the fitting data this is the min-tie
    /// rank.
    Rank {
        /// Which score.
        scale: RankScale,
        /// The non-missing fitting values, ascending.
        sorted: Vec<f64>,
    },
    /// `(x_raw − lo)/(hi − lo)` (direction +1) or `(hi − x_raw)/(hi − lo)` (−1), truncated to `[0, 1]`
    /// when `truncate`, times `scale`.
    Goalposts {
        /// Lower goalpost, raw units.
        lo: f64,
        /// Upper goalpost, raw units.
        hi: f64,
        /// Output scale.
        scale: f64,
        /// Truncate to the goalposts.
        truncate: bool,
    },
    /// `x_raw / max` (direction +1) or `1 − x_raw/max` (−1); a raw value outside `[0, max]` is
    /// [`Error::OutOfRange`].
    MaxScore {
        /// The max score, raw units.
        max: f64,
    },
}

/// What applying a saved scale does with a value outside the range it was fitted on (a new year's
/// value below last year's minimum, say).
///
/// * `Extrapolate` (the default, and the only behaviour before this option existed): every form
///   applies its formula as it stands, so min-max gives scores below `lo` or above `hi`. Such scores
///   can be zero or negative, which a geometric or harmonic mean then rejects.
/// * `Clamp`: the oriented value is first clamped to the fitted range, where the form stores one:
///   min-max to `[min, max]` (scores stay in `[lo, hi]`); distance to a reference or to the maximum to
///   `[min, reference]` (scores in `[0, 1]`); distance to a target from below at `min` (scores ≥ 0; the
///   upper end is `cap_max`'s business); fraction of the maximum from above at `max` (scores ≤ 1; no
///   lower end was fitted). Z-scores, identity, goalposts (see their `truncate`), max score and the rank
///   forms (already bounded by the sample) have no fitted range to clamp to and are unchanged. A
///   missing value stays missing.
///
/// COINr has no such option: a coin normalised with `Normalise(purse, global = TRUE)` never meets values
/// outside its range, and scoring new data on an old scale is not a COINr operation.
///
/// ```
/// use composite_indicators::normalise::{FittedForm, FittedNormaliser, FittedParams, OutOfRangePolicy};
/// use composite_indicators::Direction;
/// use ndarray::array;
/// let form = FittedForm::MinMax { min: 10.0, max: 20.0, lo: 1.0, hi: 100.0 };
/// let p = FittedParams::new("x", Direction::Positive, form);
/// let x = array![5.0, 15.0, 25.0];
/// let units = ["A".to_string(), "B".to_string(), "C".to_string()];
/// // extrapolated: (5 − 10)/10·99 + 1 = −48.5 (a geometric mean would fail on it)
/// assert_eq!(p.apply(x.view(), &units).unwrap().to_vec(), vec![-48.5, 50.5, 149.5]);
/// let clamped = p.with_out_of_range(OutOfRangePolicy::Clamp);
/// assert_eq!(clamped.apply(x.view(), &units).unwrap().to_vec(), vec![1.0, 50.5, 100.0]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutOfRangePolicy {
    /// Apply the formula to every value (today's behaviour).
    #[default]
    Extrapolate,
    /// Clamp values to the fitted range first (see the type's docs for each form).
    Clamp,
}

impl OutOfRangePolicy {
    /// `true` for the default, [`OutOfRangePolicy::Extrapolate`] (serde leaves it out of the JSON, so
    /// saved scales written before the option existed read back, and write, unchanged).
    ///
    /// ```
    /// use composite_indicators::normalise::OutOfRangePolicy;
    /// assert!(OutOfRangePolicy::default().is_extrapolate());
    /// ```
    pub fn is_extrapolate(&self) -> bool {
        *self == OutOfRangePolicy::Extrapolate
    }
}

/// What a built-in normaliser learned for one indicator: the indicator's code, the direction it was
/// fitted under, and the formula with its constants. It is the [`FittedNormaliser`] the built-in
/// methods return, and it round-trips through serde.
///
/// ```
/// use composite_indicators::normalise::{ColumnContext, FittedForm, FittedNormaliser, FittedParams, Normaliser};
/// use composite_indicators::NormaliserKind;
/// use ndarray::array;
/// let units: Vec<String> = ["A", "B", "C"].iter().map(|s| s.to_string()).collect();
/// let fitted = NormaliserKind::default()
///     .fit(array![2.0, 4.0, 6.0].view(), &ColumnContext::new("GDP", &units))
///     .unwrap();
/// let p = fitted.params().unwrap();
/// assert_eq!(p.form, FittedForm::MinMax { min: 2.0, max: 6.0, lo: 0.0, hi: 100.0 });
/// // save, load, check, apply to next year's values
/// let json = serde_json::to_string(&p).unwrap();
/// let loaded: FittedParams = serde_json::from_str(&json).unwrap();
/// loaded.check().unwrap();
/// let y = loaded.apply(array![5.0].view(), &["A".to_string()]).unwrap();
/// assert_eq!(y[0], 75.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FittedParams {
    /// Code of the indicator.
    pub indicator: String,
    /// Direction the indicator was fitted under (the values were multiplied by it).
    pub direction: Direction,
    /// Formula and constants.
    pub form: FittedForm,
    /// What to do with values outside the fitted range; absent from JSON when it is the default
    /// ([`OutOfRangePolicy::Extrapolate`]).
    #[serde(default, skip_serializing_if = "OutOfRangePolicy::is_extrapolate")]
    pub out_of_range: OutOfRangePolicy,
}

impl FittedParams {
    /// Parameters of `indicator`, fitted under `direction`.
    ///
    /// ```
    /// use composite_indicators::normalise::{FittedForm, FittedParams};
    /// use composite_indicators::Direction;
    /// let p = FittedParams::new("x", Direction::Positive, FittedForm::Identity {});
    /// assert_eq!(p.indicator, "x");
    /// ```
    pub fn new(indicator: impl Into<String>, direction: Direction, form: FittedForm) -> Self {
        FittedParams {
            indicator: indicator.into(),
            direction,
            form,
            out_of_range: OutOfRangePolicy::Extrapolate,
        }
    }

    /// The same parameters with another [`OutOfRangePolicy`].
    ///
    /// ```
    /// use composite_indicators::normalise::{FittedForm, FittedParams, OutOfRangePolicy};
    /// use composite_indicators::Direction;
    /// let p = FittedParams::new("x", Direction::Positive, FittedForm::FracMax { max: 2.0 })
    ///     .with_out_of_range(OutOfRangePolicy::Clamp);
    /// assert_eq!(p.out_of_range, OutOfRangePolicy::Clamp);
    /// ```
    pub fn with_out_of_range(mut self, policy: OutOfRangePolicy) -> Self {
        self.out_of_range = policy;
        self
    }

    /// `v` clamped to the fitted range of the form under [`OutOfRangePolicy::Clamp`]; `v` itself
    /// otherwise, for forms without a fitted range, and for NaN. Bounds are valid ([`Self::check`]).
    fn clamp_input(&self, v: f64) -> f64 {
        if self.out_of_range == OutOfRangePolicy::Extrapolate || v.is_nan() {
            return v;
        }
        match self.form {
            FittedForm::MinMax { min, max, .. } => v.clamp(min, max),
            FittedForm::DistTo { reference, min, .. } => v.clamp(min, reference),
            FittedForm::DistToTarget { min, .. } => v.max(min),
            FittedForm::FracMax { max } => v.min(max),
            _ => v,
        }
    }

    /// The parameters a fit on the column `ctx` describes learned (its code and direction).
    pub(super) fn fitted(ctx: &ColumnContext<'_>, form: FittedForm) -> Self {
        FittedParams::new(ctx.code, ctx.direction, form)
    }

    /// Check parameters that did not come from fitting (loaded from a file, written by hand): the
    /// same conditions fitting guarantees. Every constant finite; min-max `min < max` and `lo < hi`;
    /// z-score `sd > 0` and `target_sd > 0`; distance forms `reference > min` / `target > min`;
    /// fraction of the maximum `max > 0`; rank forms a non-empty ascending sample without NaN (at least
    /// 2 values for the percentile scale); goalposts `lo < hi` and `scale > 0`; max score `max > 0`.
    /// Spans (`max − min`, `hi − lo` ...) must not overflow f64. Errors are [`Error::InvalidSpec`]
    /// naming the indicator.
    ///
    /// ```
    /// use composite_indicators::normalise::{FittedForm, FittedParams};
    /// use composite_indicators::Direction;
    /// let bad = FittedParams::new("GDP", Direction::Positive,
    ///     FittedForm::MinMax { min: 5.0, max: 5.0, lo: 0.0, hi: 1.0 });
    /// assert!(bad.check().unwrap_err().to_string().contains("GDP"));
    /// ```
    pub fn check(&self) -> Result<()> {
        let bad = |reason: String| -> Result<()> {
            Err(Error::InvalidSpec {
                code: self.indicator.clone(),
                reason: format!("fitted parameters: {reason}"),
            })
        };
        let finite = |vals: &[(&str, f64)]| -> Result<()> {
            match vals.iter().find(|(_, v)| !v.is_finite()) {
                Some((name, v)) => bad(format!("`{name}` is {v}; it must be finite")),
                None => Ok(()),
            }
        };
        // `a < b` with `b − a` finite
        let span = |a: (&str, f64), b: (&str, f64)| -> Result<()> {
            if a.1 < b.1 && (b.1 - a.1).is_finite() {
                Ok(())
            } else {
                bad(format!(
                    "`{}` = {} must be below `{}` = {}, with a finite difference",
                    a.0, a.1, b.0, b.1
                ))
            }
        };
        let positive = |name: &str, v: f64| -> Result<()> {
            if v > 0.0 {
                Ok(())
            } else {
                bad(format!("`{name}` is {v}; it must be positive"))
            }
        };
        match &self.form {
            &FittedForm::MinMax { min, max, lo, hi } => {
                finite(&[("min", min), ("max", max), ("lo", lo), ("hi", hi)])?;
                span(("min", min), ("max", max))?;
                span(("lo", lo), ("hi", hi))
            }
            &FittedForm::ZScore {
                mean,
                sd,
                target_mean,
                target_sd,
            } => {
                finite(&[
                    ("mean", mean),
                    ("sd", sd),
                    ("target_mean", target_mean),
                    ("target_sd", target_sd),
                ])?;
                positive("sd", sd)?;
                positive("target_sd", target_sd)
            }
            &FittedForm::DistTo { reference, min, .. } => {
                finite(&[("reference", reference), ("min", min)])?;
                span(("min", min), ("reference", reference))
            }
            &FittedForm::DistToTarget { target, min, .. } => {
                finite(&[("target", target), ("min", min)])?;
                span(("min", min), ("target", target))
            }
            &FittedForm::FracMax { max } => {
                finite(&[("max", max)])?;
                positive("max", max)
            }
            FittedForm::Identity {} => Ok(()),
            FittedForm::Rank { scale, sorted } => {
                if let Some(v) = sorted.iter().find(|v| !v.is_finite()) {
                    return bad(format!("the rank sample holds {v}; it must be finite"));
                }
                let needed = if *scale == RankScale::Percentile {
                    2
                } else {
                    1
                };
                if sorted.len() < needed {
                    return bad(format!(
                        "the rank sample has {} values; it needs at least {needed}",
                        sorted.len()
                    ));
                }
                let descending = |w: &[f64]| w[0].total_cmp(&w[1]) == std::cmp::Ordering::Greater;
                if let Some(i) = sorted.windows(2).position(descending) {
                    return bad(format!(
                        "the rank sample is not ascending at position {} ({} > {})",
                        i + 1,
                        sorted[i],
                        sorted[i + 1]
                    ));
                }
                Ok(())
            }
            &FittedForm::Goalposts { lo, hi, scale, .. } => {
                finite(&[("lo", lo), ("hi", hi), ("scale", scale)])?;
                span(("lo", lo), ("hi", hi))?;
                positive("scale", scale)
            }
            &FittedForm::MaxScore { max } => {
                finite(&[("max", max)])?;
                positive("max", max)
            }
        }
    }

    /// The score of one oriented value (`x·direction`); `Err` only for a max-score value out of
    /// range (row `i` names the unit).
    fn eval(&self, v: f64, unit_codes: &[String], i: usize) -> Result<f64> {
        let v = self.clamp_input(v);
        let sign = self.direction.sign();
        Ok(match &self.form {
            &FittedForm::MinMax { min, max, lo, hi } => min_max_value(v, min, max, lo, hi),
            &FittedForm::ZScore {
                mean,
                sd,
                target_mean,
                target_sd,
            } => (v - mean) / sd * target_sd + target_mean,
            &FittedForm::DistTo {
                reference,
                min,
                cap_max,
            } => {
                let y = 1.0 - (reference - v) / (reference - min);
                if cap_max && y > 1.0 { 1.0 } else { y }
            }
            &FittedForm::DistToTarget {
                target,
                min,
                cap_max,
            } => {
                let y = (v - min) / (target - min);
                if cap_max && y > 1.0 { 1.0 } else { y }
            }
            &FittedForm::FracMax { max } => v / max,
            FittedForm::Identity {} => v,
            FittedForm::Rank { scale, sorted } => {
                if v.is_nan() {
                    return Ok(f64::NAN);
                }
                // `s < v` is monotone over the total order (−0.0 and 0.0 both compare false: a tie)
                let below = sorted.partition_point(|&s| s < v) as f64;
                match scale {
                    RankScale::Rank => below + 1.0,
                    RankScale::Borda => below,
                    RankScale::Percentile => below / (sorted.len() as f64 - 1.0),
                }
            }
            &FittedForm::Goalposts {
                lo,
                hi,
                scale,
                truncate,
            } => {
                let raw = v * sign;
                let mut y = if sign > 0.0 {
                    (raw - lo) / (hi - lo)
                } else {
                    (hi - raw) / (hi - lo)
                };
                if truncate {
                    y = y.clamp(0.0, 1.0); // NaN stays NaN
                }
                y * scale
            }
            &FittedForm::MaxScore { max } => {
                if v.is_nan() {
                    return Ok(f64::NAN);
                }
                let raw = v * sign;
                if !(0.0..=max).contains(&raw) {
                    return Err(Error::OutOfRange {
                        unit: unit_label(unit_codes, i),
                        indicator: self.indicator.clone(),
                        reason: format!(
                            "raw value {raw} lies outside [0, {max}], the range of the max-score method"
                        ),
                    });
                }
                if sign > 0.0 {
                    raw / max
                } else {
                    1.0 - raw / max
                }
            }
        })
    }
}

/// Applying checks the parameters first ([`FittedParams::check`]): parameters built or edited by hand
/// get a typed error naming the indicator, never a panic or a silently reversed scale.
/// The min-max score of an (oriented, clamped) value.
#[inline]
fn min_max_value(v: f64, min: f64, max: f64, lo: f64, hi: f64) -> f64 {
    let t = (v - min) / (max - min);
    let y = t * (hi - lo) + lo;
    // Inside the fitted range the output must stay inside [lo, hi]; `t·(hi − lo) + lo` can
    // overshoot by one rounding step (e.g. lo = 0.1, hi = 0.3). Values of new data outside
    // the fitted range extrapolate linearly. Clamping only here keeps the map monotone.
    if (0.0..=1.0).contains(&t) {
        y.clamp(lo, hi)
    } else {
        y
    }
}

impl FittedNormaliser for FittedParams {
    fn apply(&self, x: ArrayView1<'_, f64>, unit_codes: &[String]) -> Result<Array1<f64>> {
        self.check()?;
        check_input(x, unit_codes, &self.indicator)?;
        // min-max (the default) cannot fail: its form matched once, not per value
        if let FittedForm::MinMax { min, max, lo, hi } = self.form {
            return Ok(x.mapv(|v| min_max_value(self.clamp_input(v), min, max, lo, hi)));
        }
        let mut out = Array1::from_elem(x.len(), f64::NAN);
        for (i, (&v, o)) in x.iter().zip(out.iter_mut()).enumerate() {
            *o = self.eval(v, unit_codes, i)?;
        }
        Ok(out)
    }

    fn params(&self) -> Option<FittedParams> {
        Some(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn p(form: FittedForm) -> FittedParams {
        FittedParams::new("x", Direction::Positive, form)
    }

    #[test]
    fn check_accepts_what_fitting_produces() {
        let ok = [
            FittedForm::MinMax {
                min: 0.0,
                max: 1.0,
                lo: 0.0,
                hi: 100.0,
            },
            FittedForm::ZScore {
                mean: 1.0,
                sd: 2.0,
                target_mean: 0.0,
                target_sd: 1.0,
            },
            FittedForm::DistTo {
                reference: 3.0,
                min: 1.0,
                cap_max: true,
            },
            FittedForm::DistToTarget {
                target: 3.0,
                min: 1.0,
                cap_max: false,
            },
            FittedForm::FracMax { max: 2.0 },
            FittedForm::Identity {},
            FittedForm::Rank {
                scale: RankScale::Percentile,
                sorted: vec![1.0, 1.0, 2.0],
            },
            FittedForm::Goalposts {
                lo: 0.0,
                hi: 10.0,
                scale: 100.0,
                truncate: true,
            },
            FittedForm::MaxScore { max: 5.0 },
        ];
        for f in ok {
            p(f.clone())
                .check()
                .unwrap_or_else(|e| panic!("{f:?}: {e}"));
        }
    }

    #[test]
    fn check_rejects_each_broken_rule_naming_the_indicator() {
        let bad = [
            (
                FittedForm::MinMax {
                    min: 1.0,
                    max: 1.0,
                    lo: 0.0,
                    hi: 1.0,
                },
                "below",
            ),
            (
                FittedForm::MinMax {
                    min: 0.0,
                    max: 1.0,
                    lo: 1.0,
                    hi: 0.0,
                },
                "`lo`",
            ),
            (
                FittedForm::MinMax {
                    min: -1e308,
                    max: 1e308,
                    lo: 0.0,
                    hi: 1.0,
                },
                "finite difference",
            ),
            (
                FittedForm::ZScore {
                    mean: 0.0,
                    sd: 0.0,
                    target_mean: 0.0,
                    target_sd: 1.0,
                },
                "`sd` is 0",
            ),
            (
                FittedForm::ZScore {
                    mean: f64::NAN,
                    sd: 1.0,
                    target_mean: 0.0,
                    target_sd: 1.0,
                },
                "`mean` is NaN",
            ),
            (
                FittedForm::DistTo {
                    reference: 1.0,
                    min: 2.0,
                    cap_max: false,
                },
                "`reference`",
            ),
            (
                FittedForm::DistToTarget {
                    target: 2.0,
                    min: 2.0,
                    cap_max: false,
                },
                "`target`",
            ),
            (FittedForm::FracMax { max: -1.0 }, "`max` is -1"),
            (
                FittedForm::Rank {
                    scale: RankScale::Rank,
                    sorted: vec![],
                },
                "needs at least 1",
            ),
            (
                FittedForm::Rank {
                    scale: RankScale::Percentile,
                    sorted: vec![1.0],
                },
                "needs at least 2",
            ),
            (
                FittedForm::Rank {
                    scale: RankScale::Borda,
                    sorted: vec![1.0, 3.0, 2.0],
                },
                "not ascending at position 2",
            ),
            (
                // fitting sorts by the total order, where −0.0 comes first
                FittedForm::Rank {
                    scale: RankScale::Rank,
                    sorted: vec![0.0, -0.0],
                },
                "not ascending at position 1",
            ),
            (
                FittedForm::Rank {
                    scale: RankScale::Borda,
                    sorted: vec![1.0, f64::NAN],
                },
                "NaN",
            ),
            (
                FittedForm::Goalposts {
                    lo: 0.0,
                    hi: 1.0,
                    scale: 0.0,
                    truncate: false,
                },
                "`scale` is 0",
            ),
            (FittedForm::MaxScore { max: f64::INFINITY }, "inf"),
        ];
        for (f, want) in bad {
            let e = p(f.clone()).check().unwrap_err();
            let msg = e.to_string();
            assert!(
                matches!(e, Error::InvalidSpec { ref code, .. } if code == "x"),
                "{f:?}"
            );
            assert!(msg.contains(want), "{f:?}: {msg}");
        }
    }

    #[test]
    fn apply_checks_hand_made_parameters_first() {
        // lo > hi would make `clamp` panic and reverse the scale
        let f = p(FittedForm::MinMax {
            min: 0.0,
            max: 1.0,
            lo: 1.0,
            hi: 0.0,
        });
        let e = f.apply(array![0.5].view(), &[]).unwrap_err();
        assert!(
            matches!(e, Error::InvalidSpec { ref code, .. } if code == "x"),
            "{e}"
        );
    }

    #[test]
    fn max_score_out_of_range_names_the_unit() {
        let f = p(FittedForm::MaxScore { max: 5.0 });
        let units = vec!["A".to_string(), "B".to_string()];
        let e = f.apply(array![1.0, 6.0].view(), &units).unwrap_err();
        assert!(
            matches!(e, Error::OutOfRange { ref unit, .. } if unit == "B"),
            "{e}"
        );
        let y = f.apply(array![f64::NAN, 5.0].view(), &units).unwrap();
        assert!(y[0].is_nan());
        assert_eq!(y[1], 1.0);
    }

    #[test]
    fn clamp_policy_bounds_each_form_with_a_fitted_range() {
        let units: Vec<String> = ["A", "B", "C"].iter().map(|s| s.to_string()).collect();
        let x = array![-5.0, 5.0, 50.0];
        let run = |form: FittedForm, policy: OutOfRangePolicy| {
            p(form)
                .with_out_of_range(policy)
                .apply(x.view(), &units)
                .unwrap()
                .to_vec()
        };
        // hand computation, fitted range [0, 10]:
        // min-max to [0, 100]: extrapolated (−5 − 0)/10·100 = −50, 50, 500; clamped 0, 50, 100
        let mm = FittedForm::MinMax {
            min: 0.0,
            max: 10.0,
            lo: 0.0,
            hi: 100.0,
        };
        assert_eq!(
            run(mm.clone(), OutOfRangePolicy::Extrapolate),
            vec![-50.0, 50.0, 500.0]
        );
        assert_eq!(run(mm, OutOfRangePolicy::Clamp), vec![0.0, 50.0, 100.0]);
        // distance to reference 10 from min 0: 1 − (10 − x)/10 = x/10 → clamped 0, 0.5, 1
        let dt = FittedForm::DistTo {
            reference: 10.0,
            min: 0.0,
            cap_max: false,
        };
        assert_eq!(run(dt, OutOfRangePolicy::Clamp), vec![0.0, 0.5, 1.0]);
        // distance to target 10 from min 0, no cap: clamped below only → 0, 0.5, 5
        let dtt = FittedForm::DistToTarget {
            target: 10.0,
            min: 0.0,
            cap_max: false,
        };
        assert_eq!(run(dtt, OutOfRangePolicy::Clamp), vec![0.0, 0.5, 5.0]);
        // fraction of max 10: clamped above only → −0.5, 0.5, 1
        let fm = FittedForm::FracMax { max: 10.0 };
        assert_eq!(run(fm, OutOfRangePolicy::Clamp), vec![-0.5, 0.5, 1.0]);
        // z-score has no fitted range: unchanged, (x − 0)/1
        let z = FittedForm::ZScore {
            mean: 0.0,
            sd: 1.0,
            target_mean: 0.0,
            target_sd: 1.0,
        };
        assert_eq!(run(z, OutOfRangePolicy::Clamp), vec![-5.0, 5.0, 50.0]);
        // NaN stays NaN
        let y = p(FittedForm::MinMax {
            min: 0.0,
            max: 1.0,
            lo: 0.0,
            hi: 1.0,
        })
        .with_out_of_range(OutOfRangePolicy::Clamp)
        .apply(array![f64::NAN].view(), &units[..1])
        .unwrap();
        assert!(y[0].is_nan());
    }

    #[test]
    fn clamp_policy_round_trips_and_default_json_is_unchanged() {
        let f = p(FittedForm::FracMax { max: 2.0 }).with_out_of_range(OutOfRangePolicy::Clamp);
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(
            json,
            r#"{"indicator":"x","direction":1,"form":{"method":"frac_max","max":2.0},"out_of_range":"clamp"}"#
        );
        assert_eq!(serde_json::from_str::<FittedParams>(&json).unwrap(), f);
        let old = r#"{"indicator":"x","direction":1,"form":{"method":"frac_max","max":2.0}}"#;
        let back: FittedParams = serde_json::from_str(old).unwrap();
        assert_eq!(back.out_of_range, OutOfRangePolicy::Extrapolate);
        assert_eq!(serde_json::to_string(&back).unwrap(), old);
    }

    #[test]
    fn json_is_tagged_by_method() {
        let f = p(FittedForm::Rank {
            scale: RankScale::Borda,
            sorted: vec![1.0, 2.0],
        });
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(
            json,
            r#"{"indicator":"x","direction":1,"form":{"method":"rank","scale":"borda","sorted":[1.0,2.0]}}"#
        );
        assert_eq!(serde_json::from_str::<FittedParams>(&json).unwrap(), f);
        let extra = r#"{"indicator":"x","direction":1,"form":{"method":"identity"},"unit":"y"}"#;
        assert!(serde_json::from_str::<FittedParams>(extra).is_err());
        // unknown fields inside every form, the field-less identity included
        let id = p(FittedForm::Identity {});
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            r#"{"indicator":"x","direction":1,"form":{"method":"identity"}}"#
        );
        let inner =
            r#"{"indicator":"x","direction":1,"form":{"method":"identity","sorted":[1.0]}}"#;
        assert!(serde_json::from_str::<FittedParams>(inner).is_err());
    }
}
