//! Outlier treatment: skewness/kurtosis check, winsorisation, log fallback (COINr `Treat()` defaults).

use ndarray::Array1;
use serde::{Deserialize, Serialize};

use super::{Step, indicator_positions};
use crate::data::Dataset;
use crate::error::{Error, Expected, Result};
use crate::spec::Framework;

fn present(x: &[f64]) -> Vec<f64> {
    x.iter().copied().filter(|v| !v.is_nan()).collect()
}

/// Sample skewness of the non-missing values, the e1071 `type = 2` definition that COINr's `skew()`
/// uses (the same as Excel's `SKEW`):
///
/// `g1 = √n · Σ d³ / (Σ d²)^{3/2}`, `G1 = g1 · √(n(n−1)) / (n − 2)`, with `d = x − mean(x)`.
///
/// Missing values (NaN) are skipped. Fewer than 3 values → [`Error::InsufficientData`]. A constant
/// column gives NaN (0/0), as in R.
///
/// ```
/// use composite_indicators::prepare::skewness;
/// // x = 1, 2, 3, 10: mean 4, d = -3, -2, -1, 6; Σd² = 50, Σd³ = 180
/// // g1 = 2·180/50^1.5 = 1.01823; G1 = g1·√12/2 = 1.76363
/// assert!((skewness(&[1.0, 2.0, 3.0, 10.0]).unwrap() - 1.763632).abs() < 1e-6);
/// ```
pub fn skewness(x: &[f64]) -> Result<f64> {
    let v = present(x);
    let n = v.len();
    if n < 3 {
        return Err(Error::InsufficientData {
            what: "skewness".into(),
            needed: 3,
            found: n,
        });
    }
    let nf = n as f64;
    let mean = v.iter().sum::<f64>() / nf;
    let (s2, s3) = v.iter().fold((0.0, 0.0), |(a, b), &x| {
        let d = x - mean;
        (a + d * d, b + d * d * d)
    });
    let g1 = nf.sqrt() * s3 / s2.powf(1.5);
    Ok(g1 * (nf * (nf - 1.0)).sqrt() / (nf - 2.0))
}

/// Sample excess kurtosis of the non-missing values, the e1071 `type = 2` definition that COINr's
/// `kurt()` uses (Excel's `KURT`):
///
/// `r = n · Σ d⁴ / (Σ d²)²`, `G2 = ((n + 1)(r − 3) + 6)(n − 1) / ((n − 2)(n − 3))`.
///
/// Missing values are skipped. Fewer than 4 values → [`Error::InsufficientData`]; a constant column
/// gives NaN.
///
/// ```
/// use composite_indicators::prepare::kurtosis;
/// // x = 1, 2, 3, 10: Σd⁴ = 81 + 16 + 1 + 1296 = 1394, r = 4·1394/2500 = 2.2304
/// // G2 = (5·(2.2304 − 3) + 6)·3/(2·1) = 3.2280
/// assert!((kurtosis(&[1.0, 2.0, 3.0, 10.0]).unwrap() - 3.228).abs() < 1e-9);
/// ```
pub fn kurtosis(x: &[f64]) -> Result<f64> {
    let v = present(x);
    let n = v.len();
    if n < 4 {
        return Err(Error::InsufficientData {
            what: "kurtosis".into(),
            needed: 4,
            found: n,
        });
    }
    let nf = n as f64;
    let mean = v.iter().sum::<f64>() / nf;
    let (s2, s4) = v.iter().fold((0.0, 0.0), |(a, b), &x| {
        let d = x - mean;
        (a + d * d, b + d * d * d * d)
    });
    let r = nf * s4 / (s2 * s2);
    Ok(((nf + 1.0) * (r - 3.0) + 6.0) * (nf - 1.0) / ((nf - 2.0) * (nf - 3.0)))
}

/// COINr's "COIN Tool log" transform `log_CT`: `log(x − min + 0.01·(max − min))` over the non-missing
/// values (NaN stays NaN). The minimum maps to `log(0.01·range)`. A constant column has range 0 and
/// would give `−∞`; it is returned unchanged instead.
///
/// ```
/// use composite_indicators::prepare::log_ct;
/// let y = log_ct(&[0.0, 1.0, 100.0]);
/// assert!((y[0] - 0.0).abs() < 1e-12); // log(0 - 0 + 1) = 0
/// assert!((y[2] - 101f64.ln()).abs() < 1e-12);
/// ```
pub fn log_ct(x: &[f64]) -> Vec<f64> {
    let v = present(x);
    let min = v.iter().copied().fold(f64::INFINITY, f64::min);
    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let range = max - min;
    if range.is_nan() || range <= 0.0 {
        return x.to_vec();
    }
    x.iter().map(|&v| (v - min + 0.01 * range).ln()).collect()
}

/// Pass check: `|skew| < skew_thresh OR kurt < kurt_thresh` in R's three-valued logic (COINr's
/// `check_SkewKurt`): a statistic that is undefined (a constant column, fewer than 3 values for the
/// skewness or 4 for the kurtosis) is NA, `NA OR TRUE` is `TRUE`, and `NA OR FALSE` is NA (`None`).
/// The statistics are returned as NaN where undefined.
fn check(x: &[f64], skew_thresh: f64, kurt_thresh: f64) -> Result<(Option<bool>, f64, f64)> {
    let defined = |r: Result<f64>| match r {
        Err(Error::InsufficientData { .. }) => Ok(f64::NAN),
        other => other,
    };
    let s = defined(skewness(x))?;
    let k = defined(kurtosis(x))?;
    let test = |v: f64, pass: bool| (!v.is_nan()).then_some(pass);
    let pass = match (test(s, s.abs() < skew_thresh), test(k, k < kurt_thresh)) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    };
    Ok((pass, s, k))
}

/// Result of [`winsorise`].
///
/// ```
/// use composite_indicators::prepare::Winsorised;
/// let w = Winsorised { values: vec![1.0, 2.0], high: vec![1], low: vec![] };
/// assert_eq!(w.n(), 1);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Winsorised {
    /// The winsorised values.
    pub values: Vec<f64>,
    /// Row positions replaced at the high end.
    pub high: Vec<usize>,
    /// Row positions replaced at the low end.
    pub low: Vec<usize>,
}

impl Winsorised {
    /// Number of winsorised points (COINr's `nwin`).
    pub fn n(&self) -> usize {
        self.high.len() + self.low.len()
    }
}

/// COINr's `winsorise()`: while the column fails the skewness/kurtosis check and fewer than `winmax`
/// points have been winsorised (`None` = no limit), replace, on the side of the skew (skew ≥ 0: the
/// maximum; skew < 0: the minimum), *every* point equal to the current extreme by the next value inward,
/// then re-check. Points replaced earlier keep equalling the new extreme, so the set of treated points
/// grows one value at a time; tied extremes are replaced together (so the count can exceed `winmax`).
/// Missing values are skipped and left missing. A column that becomes constant stops the loop.
///
/// ```
/// use composite_indicators::prepare::winsorise;
/// let mut x: Vec<f64> = (1..=10).map(f64::from).collect();
/// x.push(30.0);
/// x.push(100.0);
/// let w = winsorise(&x, Some(5), 2.0, 3.5).unwrap();
/// // skew 3.063, kurt 9.741 fail; 100 -> 30 gives skew 1.712 (< 2): one point
/// assert_eq!(w.high, vec![11]);
/// assert_eq!(w.values[11], 30.0);
/// ```
pub fn winsorise(
    x: &[f64],
    winmax: Option<usize>,
    skew_thresh: f64,
    kurt_thresh: f64,
) -> Result<Winsorised> {
    let mut v = x.to_vec();
    let mut high: Vec<usize> = Vec::new();
    let mut low: Vec<usize> = Vec::new();
    let below = |n: usize| winmax.is_none_or(|w| n < w);
    let (mut pass, mut s, _) = check(&v, skew_thresh, kurt_thresh)?;
    while pass == Some(false) && below(high.len() + low.len()) {
        let hi_side = s >= 0.0;
        let ext = if hi_side {
            v.iter()
                .copied()
                .filter(|a| !a.is_nan())
                .fold(f64::NEG_INFINITY, f64::max)
        } else {
            v.iter()
                .copied()
                .filter(|a| !a.is_nan())
                .fold(f64::INFINITY, f64::min)
        };
        let idx: Vec<usize> = (0..v.len()).filter(|&i| v.get(i) == Some(&ext)).collect();
        let rest = v
            .iter()
            .enumerate()
            .filter(|(i, a)| !a.is_nan() && !idx.contains(i))
            .map(|(_, a)| *a);
        let next = if hi_side {
            rest.fold(f64::NEG_INFINITY, f64::max)
        } else {
            rest.fold(f64::INFINITY, f64::min)
        };
        if !next.is_finite() {
            break;
        }
        for &i in &idx {
            if let Some(slot) = v.get_mut(i) {
                *slot = next;
            }
        }
        if hi_side {
            high = idx;
        } else {
            low = idx;
        }
        (pass, s, _) = check(&v, skew_thresh, kurt_thresh)?;
    }
    Ok(Winsorised {
        values: v,
        high,
        low,
    })
}

/// Second-stage treatment when winsorisation does not bring the column within the thresholds.
///
/// ```
/// use composite_indicators::prepare::Fallback;
/// assert_eq!(Fallback::default(), Fallback::LogCt);
/// assert_eq!(serde_json::from_str::<Fallback>(r#""none""#).unwrap(), Fallback::None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Fallback {
    /// [`log_ct`] (COINr's default `f2 = "log_CT"`).
    #[default]
    LogCt,
    /// No second stage: keep the winsorised column even though it still fails.
    None,
}

/// What happened to one indicator.
///
/// ```
/// use composite_indicators::prepare::TreatStatus;
/// assert!(TreatStatus::Passed.is_passed());
/// let w = TreatStatus::Winsorised { n: 1, high: vec!["MLT".into()], low: vec![] };
/// assert_eq!(serde_json::to_value(&w).unwrap()["status"], "winsorised");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum TreatStatus {
    /// Passed the check as it was; unchanged.
    Passed,
    /// Winsorised (and then passed, or failed with [`Fallback::None`]).
    Winsorised {
        /// Number of points replaced (COINr's `nwin`).
        n: usize,
        /// Units whose value was replaced at the high end.
        high: Vec<String>,
        /// Units whose value was replaced at the low end.
        low: Vec<String>,
    },
    /// Winsorisation was not enough; [`log_ct`] was applied (to the original column unless `combine`).
    LogTransformed {
        /// Points winsorised in the failed first stage (discarded unless `combine`).
        n_winsorised: usize,
    },
    /// Skewness/kurtosis undefined: the column is constant, or winsorising made it constant (a 0/1
    /// indicator, say). Left unchanged, as COINr's `Treat` returns the original column when its
    /// check gives NA.
    Undefined,
    /// Excluded from treatment by configuration.
    Skipped,
}

impl TreatStatus {
    /// Whether the indicator passed without treatment.
    pub fn is_passed(&self) -> bool {
        matches!(self, TreatStatus::Passed)
    }
}

/// Per-indicator treatment report (see [`Treat`] for an example producing it).
///
/// ```
/// use composite_indicators::prepare::Treat;
/// let x = [1.0, 2.0, 3.0, 4.0, 5.0];
/// let units: Vec<String> = (0..5).map(|i| i.to_string()).collect();
/// let (_, o) = Treat::default().treat_column("x", &x, &units).unwrap();
/// assert!(o.status.is_passed() && o.passes_after && o.skew.abs() < 1e-12);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreatOutcome {
    /// Indicator code.
    pub indicator: String,
    /// Skewness before treatment.
    #[serde(with = "crate::serde_nan::num")]
    pub skew: f64,
    /// Excess kurtosis before treatment.
    #[serde(with = "crate::serde_nan::num")]
    pub kurt: f64,
    /// What was done.
    pub status: TreatStatus,
    /// Skewness after treatment.
    #[serde(with = "crate::serde_nan::num")]
    pub skew_after: f64,
    /// Excess kurtosis after treatment.
    #[serde(with = "crate::serde_nan::num")]
    pub kurt_after: f64,
    /// Whether the treated column passes the check.
    pub passes_after: bool,
}

/// What [`Treat`] did, one entry per indicator (framework order).
///
/// ```
/// use composite_indicators::prepare::TreatReport;
/// let r = TreatReport::default();
/// assert!(r.winsorised().is_empty() && r.log_transformed().is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TreatReport {
    /// One outcome per indicator.
    pub outcomes: Vec<TreatOutcome>,
}

impl TreatReport {
    /// Outcomes of the winsorised indicators.
    pub fn winsorised(&self) -> Vec<&TreatOutcome> {
        self.outcomes
            .iter()
            .filter(|o| matches!(o.status, TreatStatus::Winsorised { .. }))
            .collect()
    }
    /// Outcomes of the log-transformed indicators.
    pub fn log_transformed(&self) -> Vec<&TreatOutcome> {
        self.outcomes
            .iter()
            .filter(|o| matches!(o.status, TreatStatus::LogTransformed { .. }))
            .collect()
    }
}

/// Outlier treatment with COINr's default two-stage process (`Treat()` with `f1 = "winsorise"`,
/// `f2 = "log_CT"`, `f_pass = "check_SkewKurt"`):
///
/// 1. An indicator passes when `|skewness| < skew_thresh` **or** `kurtosis < kurt_thresh`
///    ([`skewness`], [`kurtosis`]: sample skewness and excess kurtosis, e1071 type 2; defaults 2 and 3.5).
/// 2. Otherwise it is [`winsorise`]d one value at a time, re-checking after each step, up to `winmax`
///    points (default 5).
/// 3. If it still fails, the fallback ([`log_ct`] by default) is applied to the **original** column
///    (to the winsorised one when `combine` is set, COINr's `combine_treat`).
///
/// Missing values are ignored by the statistics and stay missing. The check follows R's logic with
/// NA: the kurtosis needs 4 non-missing values and the skewness 3 (COINr's `kurt()`/`skew()` return
/// NA below that), so an indicator with 3 values passes when `|skewness| < skew_thresh` and otherwise,
/// like one with fewer than 3 values, has no defined check. A column without a defined check — also one
/// that is constant, or that winsorising makes constant — is returned unchanged
/// ([`TreatStatus::Undefined`], as COINr returns the original column when its check is NA).
/// Indicators listed in `exclude` are left untouched and never checked (COINr's
/// `indiv_specs = "none"`).
///
/// ```
/// use composite_indicators::prelude::*;
/// use composite_indicators::prepare::{Step, Treat, TreatStatus};
/// use ndarray::Array2;
/// let fw = FrameworkSpec::new("t", vec![Indicator::new("x", "I")], vec![Pillar::new("I")])
/// .check()
/// .unwrap();
/// let mut v: Vec<f64> = (1..=10).map(f64::from).collect();
/// v.extend([30.0, 100.0]);
/// let units = (0..12).map(|i| format!("u{i}")).collect();
/// let d = Dataset::new(units, vec!["x".into()], Array2::from_shape_vec((12, 1), v).unwrap()).unwrap();
/// let (out, rep) = Treat::default().apply(&d, &fw).unwrap();
/// assert!(matches!(&rep.outcomes[0].status, TreatStatus::Winsorised { n: 1, .. }));
/// assert_eq!(out.values()[[11, 0]], 30.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Treat {
    /// Maximum number of winsorised points (`None` = no limit).
    #[serde(default = "default_winmax")]
    pub winmax: Option<usize>,
    /// Absolute skewness threshold.
    #[serde(default = "default_skew")]
    pub skew_thresh: f64,
    /// Excess kurtosis threshold.
    #[serde(default = "default_kurt")]
    pub kurt_thresh: f64,
    /// Second stage.
    #[serde(default)]
    pub fallback: Fallback,
    /// Apply the fallback to the winsorised column instead of the original.
    #[serde(default)]
    pub combine: bool,
    /// Indicators left untreated (each must be an indicator of the framework: [`Error::UnknownName`]
    /// otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
}

fn default_winmax() -> Option<usize> {
    Some(5)
}
fn default_skew() -> f64 {
    2.0
}
fn default_kurt() -> f64 {
    3.5
}

impl Default for Treat {
    fn default() -> Self {
        Treat {
            winmax: default_winmax(),
            skew_thresh: default_skew(),
            kurt_thresh: default_kurt(),
            fallback: Fallback::LogCt,
            combine: false,
            exclude: Vec::new(),
        }
    }
}

impl Treat {
    /// Treat one column (`units` name its rows in the report); returns the new column and the outcome.
    ///
    /// ```
    /// use composite_indicators::prepare::{Treat, TreatStatus};
    /// let mut x: Vec<f64> = (1..=10).map(f64::from).collect();
    /// x.extend([30.0, 100.0]);
    /// let units: Vec<String> = (0..12).map(|i| format!("u{i}")).collect();
    /// let (v, o) = Treat::default().treat_column("x", &x, &units).unwrap();
    /// assert!(matches!(o.status, TreatStatus::Winsorised { ref high, .. } if high == &["u11"]));
    /// assert_eq!(v[11], 30.0);
    /// ```
    pub fn treat_column(
        &self,
        code: &str,
        x: &[f64],
        units: &[String],
    ) -> Result<(Vec<f64>, TreatOutcome)> {
        let ctx = |e: Error| match e {
            Error::InsufficientData {
                what,
                needed,
                found,
            } => Error::InsufficientData {
                what: format!("{what} of indicator `{code}`"),
                needed,
                found,
            },
            other => other,
        };
        let excluded = self.exclude.iter().any(|c| c == code);
        // an excluded indicator is never checked (COINr returns it before any statistic), so too few
        // values there are no error; its report statistics are NaN when they cannot be computed
        let stats = |v: &[f64]| match check(v, self.skew_thresh, self.kurt_thresh) {
            Err(_) if excluded => Ok((None, f64::NAN, f64::NAN)),
            other => other.map_err(ctx),
        };
        let (pass0, s0, k0) = stats(x)?;
        let name = |rows: &[usize]| -> Vec<String> {
            rows.iter().filter_map(|&i| units.get(i).cloned()).collect()
        };
        let (values, status) = if excluded {
            (x.to_vec(), TreatStatus::Skipped)
        } else {
            match pass0 {
                None => (x.to_vec(), TreatStatus::Undefined),
                Some(true) => (x.to_vec(), TreatStatus::Passed),
                Some(false) => {
                    let w = winsorise(x, self.winmax, self.skew_thresh, self.kurt_thresh)
                        .map_err(ctx)?;
                    let (p1, _, _) =
                        check(&w.values, self.skew_thresh, self.kurt_thresh).map_err(ctx)?;
                    if p1.is_none() {
                        // winsorising made the column constant: COINr's check returns NA and
                        // `Treat` hands back the original column untreated
                        (x.to_vec(), TreatStatus::Undefined)
                    } else if p1 == Some(true) || self.fallback == Fallback::None {
                        let st = TreatStatus::Winsorised {
                            n: w.n(),
                            high: name(&w.high),
                            low: name(&w.low),
                        };
                        (w.values, st)
                    } else {
                        let base = if self.combine { &w.values[..] } else { x };
                        (
                            log_ct(base),
                            TreatStatus::LogTransformed {
                                n_winsorised: w.n(),
                            },
                        )
                    }
                }
            }
        };
        let (pass, s, k) = stats(&values)?;
        Ok((
            values,
            TreatOutcome {
                indicator: code.to_string(),
                skew: s0,
                kurt: k0,
                status,
                skew_after: s,
                kurt_after: k,
                passes_after: pass == Some(true),
            },
        ))
    }
}

impl Step for Treat {
    type Report = TreatReport;

    fn apply(&self, data: &Dataset, fw: &Framework) -> Result<(Dataset, TreatReport)> {
        if !(self.skew_thresh > 0.0 && self.kurt_thresh.is_finite()) {
            return Err(if self.skew_thresh > 0.0 {
                Error::invalid("kurt_thresh", self.kurt_thresh, Expected::Finite)
            } else {
                Error::invalid("skew_thresh", self.skew_thresh, Expected::Positive)
            });
        }
        // an exclusion that names no indicator would leave the one meant treated: refuse it
        let codes = fw.indicator_codes();
        if let Some(bad) = self.exclude.iter().find(|c| !codes.contains(&c.as_str())) {
            return Err(Error::unknown_name(
                "indicator in the treatment's `exclude`",
                bad.as_str(),
                codes.iter().map(|c| c.to_string()),
            ));
        }
        let pos = indicator_positions(data, fw)?;
        let mut out = data.clone();
        let mut report = TreatReport::default();
        for (code, &j) in fw.indicator_codes().iter().zip(&pos) {
            let col = data.values().column(j).to_vec();
            let (new, outcome) = self.treat_column(code, &col, data.unit_codes())?;
            out.set_column(code, Array1::from(new).view())?;
            report.outcomes.push(outcome);
        }
        Ok((out, report))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("u{i}")).collect()
    }

    #[test]
    fn skew_kurt_reference() {
        // hand computation in the doc examples; here a symmetric sample: skew 0
        assert!(skewness(&[1.0, 2.0, 3.0, f64::NAN]).unwrap().abs() < 1e-15);
        // x = 1..5: Σd² = 10, Σd⁴ = 34, r = 5·34/100 = 1.7; G2 = (6·(−1.3) + 6)·4/(3·2) = −1.2
        assert!((kurtosis(&[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap() + 1.2).abs() < 1e-12);
        assert!(matches!(
            skewness(&[1.0, 2.0]),
            Err(Error::InsufficientData { .. })
        ));
        assert!(kurtosis(&[2.0; 5]).unwrap().is_nan());
    }

    #[test]
    fn winsorise_low_side() {
        // mirror of the COINr example: negative skew -> low end
        let mut x: Vec<f64> = (1..=10).map(|v| -f64::from(v)).collect();
        x.extend([-30.0, -100.0]);
        let w = winsorise(&x, Some(5), 2.0, 3.5).unwrap();
        // skew -3.063 -> the minimum -100 becomes -30 (skew -1.712 passes)
        assert_eq!(w.low, vec![11]);
        assert!(w.high.is_empty());
        assert_eq!(w.values[11], -30.0);
    }

    #[test]
    fn log_fallback_on_original() {
        // 1, 1, ..., 1 (20 times) with one huge value and winmax 0 -> straight to log
        let mut x = vec![1.0; 19];
        x.push(2.0);
        x.push(1000.0);
        let t = Treat {
            winmax: Some(0),
            ..Treat::default()
        };
        let (v, o) = t.treat_column("x", &x, &units(21)).unwrap();
        assert!(matches!(
            o.status,
            TreatStatus::LogTransformed { n_winsorised: 0 }
        ));
        // log(x - 1 + 0.01 * 999)
        assert!((v[0] - 9.99f64.ln()).abs() < 1e-12);
        assert!((v[20] - (999.0f64 + 9.99).ln()).abs() < 1e-12);
        // no fallback: keep the (here unchanged) column and report the failure
        let t = Treat {
            winmax: Some(0),
            fallback: Fallback::None,
            ..Treat::default()
        };
        let (v, o) = t.treat_column("x", &x, &units(21)).unwrap();
        assert_eq!(v, x);
        assert!(!o.passes_after);
    }

    #[test]
    fn constant_and_short_columns() {
        let (v, o) = Treat::default()
            .treat_column("c", &[3.0; 6], &units(6))
            .unwrap();
        assert_eq!(o.status, TreatStatus::Undefined);
        assert_eq!(v, vec![3.0; 6]);
        // 3 values: the kurtosis is NA in COINr, the skewness 0 passes (`TRUE | NA` is TRUE)
        let (v, o) = Treat::default()
            .treat_column("s", &[1.0, 2.0, 3.0], &units(3))
            .unwrap();
        assert_eq!(o.status, TreatStatus::Passed);
        assert!(o.skew.abs() < 1e-15 && o.kurt.is_nan());
        assert_eq!(v, vec![1.0, 2.0, 3.0]);
        // ... but a skewness over the threshold gives `FALSE | NA` = NA: returned untreated
        // (1, 2, 10: mean 13/3, Σd² = 146/3, Σd³ = 1190/9 → G1 = 1.6523, above a threshold of 1)
        let strict = Treat {
            skew_thresh: 1.0,
            ..Treat::default()
        };
        let (v, o) = strict
            .treat_column("s", &[1.0, 2.0, 10.0], &units(3))
            .unwrap();
        assert_eq!(o.status, TreatStatus::Undefined);
        assert!((o.skew - 1.652_316_740_332_99).abs() < 1e-12, "{}", o.skew);
        assert_eq!(v, vec![1.0, 2.0, 10.0]);
        // 2 values (and NaNs): both statistics NA → untreated
        let (v, o) = strict
            .treat_column("s", &[1.0, f64::NAN, 5.0], &units(3))
            .unwrap();
        assert_eq!(o.status, TreatStatus::Undefined);
        assert!(o.skew.is_nan() && v[2] == 5.0 && v[1].is_nan());
        // an excluded indicator is never checked: too few values are no error there
        let t = Treat {
            exclude: vec!["s".into()],
            ..Treat::default()
        };
        let (v, o) = t.treat_column("s", &[1.0, 2.0, 3.0], &units(3)).unwrap();
        assert_eq!(o.status, TreatStatus::Skipped);
        assert_eq!(v, vec![1.0, 2.0, 3.0]);
        assert!(o.kurt.is_nan() && o.kurt_after.is_nan());
    }

    #[test]
    fn column_made_constant_by_winsorising_is_returned_untreated() {
        // 45 zeros and 2 ones: skew 4.68, kurtosis 20.8 fail; winsorising the ones gives a constant
        // column whose check is undefined, so COINr's Treat returns the original column
        let mut x = vec![0.0; 45];
        x.extend([1.0, 1.0]);
        let (v, o) = Treat::default().treat_column("d", &x, &units(47)).unwrap();
        assert!((o.skew - 4.68).abs() < 0.01 && (o.kurt - 20.8).abs() < 0.1);
        assert_eq!(o.status, TreatStatus::Undefined);
        assert_eq!(v, x);
    }
}
