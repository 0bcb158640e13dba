//! Denomination: divide indicators by a scaling column (GDP, population, area ...).

use ndarray::Array1;
use serde::{Deserialize, Serialize};

use super::{Step, indicator_positions};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::spec::Framework;

/// What to do when a denominator value is exactly zero.
///
/// COINr divides anyway and stores `Inf`; a [`Dataset`] cannot hold infinite values, so the crate makes
/// the choice explicit.
///
/// ```
/// use composite_indicators::prepare::ZeroDenominatorPolicy;
/// let p: ZeroDenominatorPolicy = serde_json::from_str(r#""missing""#).unwrap();
/// assert_eq!(p, ZeroDenominatorPolicy::Missing);
/// assert_eq!(ZeroDenominatorPolicy::default(), ZeroDenominatorPolicy::Error);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ZeroDenominatorPolicy {
    /// Fail with [`Error::ZeroDenominator`] naming the unit, the indicator and the column (default).
    #[default]
    Error,
    /// Set the denominated value to missing (NaN) and list it in the report.
    Missing,
}

/// Divide every indicator whose spec names a `denominator` by that data column (COINr `Denominate()`
/// with its default operator `/`): `x'_i = x_i / d_i`.
///
/// * Indicators without a denominator are copied unchanged; so are non-indicator columns (the
///   denominators themselves stay in the data).
/// * A missing numerator or denominator gives a missing result.
/// * An unknown denominator column (or a missing indicator column) is [`Error::MissingColumns`]
///   listing every absent column.
/// * A zero denominator follows [`ZeroDenominatorPolicy`] (default: [`Error::ZeroDenominator`]).
///
/// ```
/// use composite_indicators::prelude::*;
/// use composite_indicators::prepare::{Denominate, Step, ZeroDenominatorPolicy};
/// use ndarray::array;
/// let mut spec = FrameworkSpec::new(
///     "t",
///     vec![Indicator::new("gdp", "I"), Indicator::new("score", "I")],
///     vec![Pillar::new("I")],
/// );
/// spec.indicators[0].denominator = Some("pop".into());
/// let fw = spec.check().unwrap();
/// let d = Dataset::new(
///     vec!["A".into(), "B".into()],
///     vec!["gdp".into(), "score".into(), "pop".into()],
///     array![[10.0, 1.0, 4.0], [9.0, 2.0, 0.0]],
/// )
/// .unwrap();
/// assert!(matches!(Denominate::default().apply(&d, &fw), Err(Error::ZeroDenominator { .. })));
/// let step = Denominate { on_zero: ZeroDenominatorPolicy::Missing };
/// let (out, rep) = step.apply(&d, &fw).unwrap();
/// assert_eq!(out.values()[[0, 0]], 2.5);
/// assert!(out.values()[[1, 0]].is_nan());
/// assert_eq!(rep.zero_denominators, vec![("B".to_string(), "gdp".to_string())]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Denominate {
    /// Zero-denominator policy.
    #[serde(default)]
    pub on_zero: ZeroDenominatorPolicy,
}

/// What [`Denominate`] did.
///
/// ```
/// use composite_indicators::prepare::DenominateReport;
/// let r = DenominateReport::default();
/// assert!(r.denominated.is_empty() && r.zero_denominators.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct DenominateReport {
    /// `(indicator, denominator column)` for every denominated indicator, in framework order.
    pub denominated: Vec<(String, String)>,
    /// `(unit, indicator)` pairs set to missing because the denominator was zero
    /// (only under [`ZeroDenominatorPolicy::Missing`]).
    pub zero_denominators: Vec<(String, String)>,
}

impl Step for Denominate {
    type Report = DenominateReport;

    fn apply(&self, data: &Dataset, fw: &Framework) -> Result<(Dataset, DenominateReport)> {
        let pos = indicator_positions(data, fw)?;
        // resolve every denominator first so that all absent columns are reported at once
        let mut missing = Vec::new();
        let mut plan = Vec::new();
        for (ind, &j) in fw.indicators().iter().zip(&pos) {
            if let Some(den) = &ind.denominator {
                match data.column_position(den) {
                    Ok(k) => plan.push((ind.code.as_str(), j, den.as_str(), k)),
                    Err(_) => {
                        if !missing.contains(den) {
                            missing.push(den.clone());
                        }
                    }
                }
            }
        }
        if !missing.is_empty() {
            return Err(Error::MissingColumns { columns: missing });
        }
        let mut out = data.clone();
        let mut report = DenominateReport::default();
        let units = data.unit_codes();
        for (code, j, den, k) in plan {
            let num = data.values().column(j);
            let dcol = data.values().column(k);
            let mut new = Array1::from_elem(num.len(), f64::NAN);
            for (i, (slot, (&x, &d))) in new.iter_mut().zip(num.iter().zip(dcol.iter())).enumerate()
            {
                if x.is_nan() || d.is_nan() {
                    continue;
                }
                if d == 0.0 {
                    let unit = units.get(i).cloned().unwrap_or_default();
                    match self.on_zero {
                        ZeroDenominatorPolicy::Error => {
                            return Err(Error::ZeroDenominator {
                                unit,
                                indicator: code.to_string(),
                                denominator: den.to_string(),
                            });
                        }
                        ZeroDenominatorPolicy::Missing => {
                            report.zero_denominators.push((unit, code.to_string()));
                            continue;
                        }
                    }
                }
                *slot = x / d;
            }
            // x / d can overflow to ±inf for tiny denominators: set_column rejects it with NonFinite
            out.set_column(code, new.view())?;
            report.denominated.push((code.to_string(), den.to_string()));
        }
        Ok((out, report))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{FrameworkSpec, Indicator, Pillar};
    use ndarray::array;

    fn fw(den: &str) -> Framework {
        let mut spec = FrameworkSpec::new(
            "t",
            vec![Indicator::new("a", "I"), Indicator::new("b", "I")],
            vec![Pillar::new("I")],
        );
        spec.indicators[1].denominator = Some(den.into());
        spec.check().unwrap()
    }

    #[test]
    fn divides_and_keeps_missing() {
        let d = Dataset::new(
            vec!["u1".into(), "u2".into(), "u3".into()],
            vec!["a".into(), "b".into(), "area".into()],
            array![[1.0, 6.0, 3.0], [2.0, f64::NAN, 2.0], [3.0, 5.0, f64::NAN]],
        )
        .unwrap();
        let (out, rep) = Denominate::default().apply(&d, &fw("area")).unwrap();
        // 6 / 3 = 2; missing numerator or denominator -> missing; column a untouched
        assert_eq!(out.values()[[0, 1]], 2.0);
        assert!(out.values()[[1, 1]].is_nan());
        assert!(out.values()[[2, 1]].is_nan());
        assert_eq!(out.column("a").unwrap().to_vec(), vec![1.0, 2.0, 3.0]);
        assert_eq!(out.column("area").unwrap()[0], 3.0);
        assert_eq!(rep.denominated, vec![("b".to_string(), "area".to_string())]);
    }

    #[test]
    fn unknown_denominator() {
        let d = Dataset::new(
            vec!["u".into()],
            vec!["a".into(), "b".into()],
            array![[1.0, 2.0]],
        )
        .unwrap();
        let e = Denominate::default().apply(&d, &fw("pop")).unwrap_err();
        assert!(matches!(e, Error::MissingColumns { columns } if columns == vec!["pop"]));
    }

    #[test]
    fn zero_denominator_names_unit_and_column() {
        let d = Dataset::new(
            vec!["u1".into(), "u2".into()],
            vec!["a".into(), "b".into(), "pop".into()],
            array![[1.0, 2.0, 1.0], [1.0, 2.0, 0.0]],
        )
        .unwrap();
        let e = Denominate::default().apply(&d, &fw("pop")).unwrap_err();
        assert!(
            matches!(&e, Error::ZeroDenominator { unit, indicator, denominator }
            if unit == "u2" && indicator == "b" && denominator == "pop")
        );
    }
}
