//! Unit screening by data availability and by zeros.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::{Imputation, Step, indicator_positions};
use crate::data::Dataset;
use crate::error::{Error, Expected, Result};
use crate::spec::Framework;

/// Drop units with too little data (COINr `Screen(unit_screen = "byNA", dat_thresh)`), or too many
/// zeros (`"byzeros"`, `nonzero_thresh`), or either (`"byNAandzeros"`).
///
/// A unit's availability is the share of the framework's indicators for which it has a non-missing
/// value: `a_u = 1 − (#missing)/(#indicators)`; it has low data when `a_u < threshold` (strictly below,
/// as COINr). Its non-zero share is taken over its available values, as COINr's `get_data_avail`:
/// `nz_u = 1 − (#zeros)/(#indicators − #missing)` (NaN when it has no value at all); it has too many
/// zeros when `nz_u < nonzero_threshold` (default 0.05, COINr's; a NaN share is never low). [`ScreenBy`]
/// chooses which flag removes a unit (default: low data only, COINr's `"byNA"`). `force_include` /
/// `force_exclude` override the rule for the named units (COINr's `Force`).
///
/// With `count_imputed_as_missing`, values filled by an earlier [`Impute`](super::Impute) step count as
/// missing; call [`Screen::apply_with_imputations`] with that step's report. (COINr's example screens the
/// already-imputed data, so every unit whose values could be imputed passes.)
///
/// Errors: threshold outside `[0, 1]` → [`Error::InvalidParameter`]; a forced unit that is not in the
/// data → [`Error::UnknownCode`]; every unit removed → [`Error::EmptyData`].
///
/// ```
/// use composite_indicators::prelude::*;
/// use composite_indicators::prepare::{Screen, Step};
/// use ndarray::array;
/// let fw = FrameworkSpec::new(
///     "t",
///     vec![Indicator::new("x", "I"), Indicator::new("y", "I")],
///     vec![Pillar::new("I")],
/// )
/// .check()
/// .unwrap();
/// let d = Dataset::new(
///     vec!["A".into(), "B".into()],
///     vec!["x".into(), "y".into()],
///     array![[1.0, 2.0], [3.0, f64::NAN]],
/// )
/// .unwrap();
/// let (out, rep) = Screen::new(0.9).apply(&d, &fw).unwrap();
/// assert_eq!(out.unit_codes(), &["A".to_string()]);
/// assert_eq!(rep.removed, vec!["B".to_string()]);
/// assert_eq!(rep.units[1].availability, 0.5);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Screen {
    /// Minimum data availability in `[0, 1]`.
    pub threshold: f64,
    /// Count values imputed earlier as missing (needs [`Screen::apply_with_imputations`]).
    #[serde(default)]
    pub count_imputed_as_missing: bool,
    /// Units kept whatever their availability.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub force_include: Vec<String>,
    /// Units removed whatever their availability.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub force_exclude: Vec<String>,
    /// Minimum share of non-zero values among a unit's available values, in `[0, 1]` (COINr
    /// `nonzero_thresh`, default 0.05).
    #[serde(default = "default_nonzero_threshold")]
    pub nonzero_threshold: f64,
    /// Which flag removes a unit (COINr `unit_screen`; default [`ScreenBy::Missing`]).
    #[serde(default)]
    pub by: ScreenBy,
}

fn default_nonzero_threshold() -> f64 {
    0.05
}

/// Which units [`Screen`] removes (COINr's `unit_screen`).
///
/// # Examples
/// ```
/// use composite_indicators::prepare::ScreenBy;
/// let b: ScreenBy = serde_json::from_str("\"missing_or_zeros\"").unwrap();
/// assert_eq!(b, ScreenBy::MissingOrZeros);
/// assert_eq!(ScreenBy::default(), ScreenBy::Missing);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScreenBy {
    /// Units with low data availability (COINr `"byNA"`).
    #[default]
    Missing,
    /// Units with too many zeros (COINr `"byzeros"`).
    Zeros,
    /// Units with either (COINr `"byNAandzeros"`).
    MissingOrZeros,
}

/// Availability of one unit (see [`Screen`] for an example producing it).
///
/// ```
/// use composite_indicators::prepare::UnitAvailability;
/// let u = UnitAvailability {
///     unit: "A".into(), n_missing: 1, availability: 0.75, kept: true,
///     n_zero: 1, n_missing_or_zero: 2, non_zero: 2.0 / 3.0, low_data: false, low_non_zero: false,
/// };
/// assert!(u.kept);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitAvailability {
    /// Unit code.
    pub unit: String,
    /// Number of missing indicator values (imputed ones included when they count as missing).
    pub n_missing: usize,
    /// Share of non-missing indicator values.
    pub availability: f64,
    /// Whether the unit is kept.
    pub kept: bool,
    /// Number of zero values among the available ones (COINr `N_zero`).
    #[serde(default)]
    pub n_zero: usize,
    /// `n_missing + n_zero` (COINr `N_miss_or_zero`).
    #[serde(default)]
    pub n_missing_or_zero: usize,
    /// Share of non-zero values among the available ones (COINr `Non_Zero`; NaN without values).
    #[serde(default = "nan", with = "crate::serde_nan::num")]
    pub non_zero: f64,
    /// `availability < threshold` (COINr `LowData`).
    #[serde(default)]
    pub low_data: bool,
    /// `non_zero < nonzero_threshold` (COINr `LowNonZero`; false when `non_zero` is NaN).
    #[serde(default)]
    pub low_non_zero: bool,
}

fn nan() -> f64 {
    f64::NAN
}

/// What [`Screen`] did.
///
/// ```
/// use composite_indicators::prepare::ScreenReport;
/// assert!(ScreenReport::default().removed.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ScreenReport {
    /// Every unit of the input, in row order.
    pub units: Vec<UnitAvailability>,
    /// Codes of the removed units, in row order.
    pub removed: Vec<String>,
}

impl Screen {
    /// Screen at `threshold`, imputed values counting as available, no forced units.
    pub fn new(threshold: f64) -> Self {
        Screen {
            threshold,
            count_imputed_as_missing: false,
            force_include: Vec::new(),
            force_exclude: Vec::new(),
            nonzero_threshold: default_nonzero_threshold(),
            by: ScreenBy::Missing,
        }
    }

    /// Screen, counting the `imputations` (from an [`Impute`](super::Impute) report) as missing when
    /// `count_imputed_as_missing` is set (otherwise they are ignored).
    pub fn apply_with_imputations(
        &self,
        data: &Dataset,
        fw: &Framework,
        imputations: &[Imputation],
    ) -> Result<(Dataset, ScreenReport)> {
        if !(0.0..=1.0).contains(&self.threshold) {
            return Err(Error::invalid(
                "threshold",
                self.threshold,
                Expected::closed(0.0, 1.0),
            ));
        }
        if !(0.0..=1.0).contains(&self.nonzero_threshold) {
            return Err(Error::invalid(
                "nonzero_threshold",
                self.nonzero_threshold,
                Expected::closed(0.0, 1.0),
            ));
        }
        for u in self.force_include.iter().chain(&self.force_exclude) {
            data.unit_position(u)?;
        }
        let pos = indicator_positions(data, fw)?;
        let codes = fw.indicator_codes();
        let imputed: HashSet<(&str, &str)> = if self.count_imputed_as_missing {
            imputations
                .iter()
                .map(|i| (i.unit.as_str(), i.indicator.as_str()))
                .collect()
        } else {
            HashSet::new()
        };
        let m = pos.len() as f64;
        let mut report = ScreenReport::default();
        let mut keep = Vec::new();
        for (i, unit) in data.unit_codes().iter().enumerate() {
            let row = data.values().row(i);
            let (mut n_missing, mut n_zero) = (0usize, 0usize);
            for (j, c) in pos.iter().zip(&codes) {
                match row.get(*j) {
                    Some(v) if !v.is_nan() && !imputed.contains(&(unit.as_str(), *c)) => {
                        if *v == 0.0 {
                            n_zero += 1;
                        }
                    }
                    _ => n_missing += 1,
                }
            }
            let availability = 1.0 - n_missing as f64 / m;
            let n_avail = pos.len() - n_missing;
            let non_zero = if n_avail == 0 {
                f64::NAN
            } else {
                1.0 - n_zero as f64 / n_avail as f64
            };
            let low_data = availability < self.threshold;
            let low_non_zero = non_zero < self.nonzero_threshold;
            let mut kept = match self.by {
                ScreenBy::Missing => !low_data,
                ScreenBy::Zeros => !low_non_zero,
                ScreenBy::MissingOrZeros => !(low_data || low_non_zero),
            };
            if self.force_include.contains(unit) {
                kept = true;
            }
            if self.force_exclude.contains(unit) {
                kept = false;
            }
            if kept {
                keep.push(i);
            } else {
                report.removed.push(unit.clone());
            }
            report.units.push(UnitAvailability {
                unit: unit.clone(),
                n_missing,
                availability,
                kept,
                n_zero,
                n_missing_or_zero: n_missing + n_zero,
                non_zero,
                low_data,
                low_non_zero,
            });
        }
        if keep.is_empty() {
            return Err(Error::EmptyData {
                what: format!(
                    "screening at availability {} removed every unit",
                    self.threshold
                ),
            });
        }
        Ok((data.select_units(&keep)?, report))
    }
}

impl Step for Screen {
    type Report = ScreenReport;

    /// Screen without imputation information; with `count_imputed_as_missing` set this is an
    /// [`Error::InvalidParameter`] (use [`Screen::apply_with_imputations`]).
    fn apply(&self, data: &Dataset, fw: &Framework) -> Result<(Dataset, ScreenReport)> {
        if self.count_imputed_as_missing {
            return Err(Error::invalid(
                "count_imputed_as_missing",
                true,
                Expected::Rule(
                    "needs the imputation report: call Screen::apply_with_imputations".into(),
                ),
            ));
        }
        self.apply_with_imputations(data, fw, &[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{FrameworkSpec, Indicator, Pillar};
    use ndarray::array;

    fn setup() -> (Dataset, Framework) {
        let fw = FrameworkSpec::new(
            "t",
            (0..4)
                .map(|k| Indicator::new(format!("i{k}"), "I"))
                .collect(),
            vec![Pillar::new("I")],
        )
        .check()
        .unwrap();
        let n = f64::NAN;
        // availability: A 4/4 = 1, B 3/4 = 0.75, C 2/4 = 0.5; the extra column "den" is ignored
        let d = Dataset::new(
            vec!["A".into(), "B".into(), "C".into()],
            vec![
                "i0".into(),
                "i1".into(),
                "i2".into(),
                "i3".into(),
                "den".into(),
            ],
            array![[1., 1., 1., 1., n], [1., n, 1., 1., n], [n, 1., n, 1., n]],
        )
        .unwrap();
        (d, fw)
    }

    #[test]
    fn threshold_is_strict_below() {
        let (d, fw) = setup();
        let (out, rep) = Screen::new(0.75).apply(&d, &fw).unwrap();
        assert_eq!(out.n_units(), 2);
        assert_eq!(rep.removed, vec!["C"]);
        let avail: Vec<f64> = rep.units.iter().map(|u| u.availability).collect();
        assert_eq!(avail, vec![1.0, 0.75, 0.5]);
    }

    #[test]
    fn imputed_count_as_missing_and_force() {
        let (d, fw) = setup();
        let imp = vec![Imputation {
            unit: "A".into(),
            indicator: "i2".into(),
            value: 1.0,
            method: "mean".into(),
        }];
        let mut s = Screen::new(1.0);
        s.count_imputed_as_missing = true;
        assert!(matches!(
            s.apply(&d, &fw),
            Err(Error::InvalidParameter { .. })
        ));
        s.force_include = vec!["C".into()];
        let (out, rep) = s.apply_with_imputations(&d, &fw, &imp).unwrap();
        assert_eq!(rep.units[0].availability, 0.75);
        assert_eq!(out.unit_codes(), &["C".to_string()]);
        assert!(matches!(
            Screen::new(1.5).apply(&d, &fw),
            Err(Error::InvalidParameter { .. })
        ));
        let mut s = Screen::new(0.0);
        s.force_exclude = vec!["A".into(), "B".into(), "C".into()];
        assert!(matches!(s.apply(&d, &fw), Err(Error::EmptyData { .. })));
    }

    #[test]
    fn zeros_counted_over_available_values() {
        let fw = FrameworkSpec::new(
            "t",
            (0..4)
                .map(|k| Indicator::new(format!("i{k}"), "I"))
                .collect(),
            vec![Pillar::new("I")],
        )
        .check()
        .unwrap();
        let n = f64::NAN;
        // A: 0 0 1 NaN -> 2 zeros of 3 available, non-zero 1/3; B: all missing -> NaN, never low
        let d = Dataset::new(
            vec!["A".into(), "B".into()],
            vec!["i0".into(), "i1".into(), "i2".into(), "i3".into()],
            array![[0., 0., 1., n], [n, n, n, n]],
        )
        .unwrap();
        let (_, rep) = Screen::new(0.0).apply(&d, &fw).unwrap();
        let a = &rep.units[0];
        assert_eq!((a.n_zero, a.n_missing_or_zero), (2, 3));
        assert_eq!(a.non_zero, 1.0 - 2.0 / 3.0);
        assert!(rep.units[1].non_zero.is_nan() && !rep.units[1].low_non_zero);
        // an imputed zero counts as missing, not as a zero
        let imp = vec![Imputation {
            unit: "A".into(),
            indicator: "i0".into(),
            value: 0.0,
            method: "mean".into(),
        }];
        let s = Screen {
            count_imputed_as_missing: true,
            nonzero_threshold: 0.4,
            by: ScreenBy::Zeros,
            ..Screen::new(0.0)
        };
        let (_, rep) = s.apply_with_imputations(&d, &fw, &imp).unwrap();
        assert_eq!((rep.units[0].n_missing, rep.units[0].n_zero), (2, 1));
        assert_eq!(rep.units[0].non_zero, 0.5);
        assert!(rep.units[0].kept);
    }
}
