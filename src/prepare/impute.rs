//! Imputation of missing indicator values.

use std::collections::BTreeMap;

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use super::{Step, indicator_positions};
use crate::data::Dataset;
use crate::error::{Error, Expected, Result};
use crate::spec::Framework;
use crate::stats::{mean_of, median_of};

/// How [`Impute`] fills a missing value (serde-tagged by `method`).
///
/// Column-wise, like COINr's `Impute(impute_by = "column")`:
/// * `Mean` / `Median` (COINr `i_mean` / `i_median`): the mean or median of the indicator's non-missing
///   values over all units. The median of an even count is the mean of the two middle values (R's
///   `median`).
/// * `GroupMean` / `GroupMedian` (COINr `i_mean_grp` / `i_median_grp`): the same statistic over the units
///   that share the unit's label in the named group column of the [`Dataset`]. A unit with an empty group
///   label is left missing (COINr's `skip_f_na = TRUE`). If no unit of a group has a value for the
///   indicator the statistic does not exist, and, as in COINr (where the mean of nothing is `NaN`), the
///   values stay missing: they are listed in [`ImputeReport::still_missing`], never silently dropped.
///
/// ```
/// use composite_indicators::prepare::ImputeMethod;
/// let m: ImputeMethod = serde_json::from_str(r#"{"method": "group_median", "group": "region"}"#).unwrap();
/// assert_eq!(m, ImputeMethod::GroupMedian { group: "region".into() });
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum ImputeMethod {
    /// Indicator mean over all units.
    #[serde(alias = "i_mean")]
    Mean,
    /// Indicator median over all units.
    #[serde(alias = "i_median")]
    Median,
    /// Indicator mean within the unit's group.
    #[serde(alias = "i_mean_grp")]
    GroupMean {
        /// Name of the group column in the data set.
        group: String,
    },
    /// Indicator median within the unit's group.
    #[serde(alias = "i_median_grp")]
    GroupMedian {
        /// Name of the group column in the data set.
        group: String,
    },
}

// a `group` beside `mean` / `median` is refused (see `crate::serde_keys`)
crate::serde_keys::strict_tagged!(
    ImputeMethod,
    "method",
    ImputeMethod::Mean | ImputeMethod::Median
);

/// The text form of the command line: `mean`, `median`, `group_mean:COLUMN`, `group_median:COLUMN`
/// (COINr's `i_mean`, `i_median`, `i_mean_grp:COLUMN`, `i_median_grp:COLUMN` too; names in any
/// case, spaces around the parts ignored). Anything else is [`Error::InvalidParameter`] listing the
/// forms.
///
/// ```
/// use composite_indicators::prepare::ImputeMethod;
/// let m: ImputeMethod = "group_mean:EurAsia_group".parse().unwrap();
/// assert_eq!(m, ImputeMethod::GroupMean { group: "EurAsia_group".into() });
/// assert_eq!("i_median".parse::<ImputeMethod>().unwrap(), ImputeMethod::Median);
/// assert!("group_mean".parse::<ImputeMethod>().is_err()); // no group column
/// assert!("mean:region".parse::<ImputeMethod>().is_err()); // mean takes none
/// assert!("mean:".parse::<ImputeMethod>().is_err());
/// ```
impl std::str::FromStr for ImputeMethod {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let (name, group) = match s.split_once(':') {
            Some((n, g)) => (n.trim(), Some(g.trim().to_string())),
            None => (s.trim(), None),
        };
        // `NAME:` names no group: refused, not read as `NAME`
        let given_empty = group.as_deref().is_some_and(str::is_empty);
        let parsed = ImputeMethod::from_name(name, group)
            .ok()
            .filter(|_| !given_empty);
        parsed.ok_or_else(|| {
            Error::invalid(
                "imputation",
                format!("`{s}`"),
                Expected::one_of(["mean", "median", "group_mean:COLUMN", "group_median:COLUMN"]),
            )
        })
    }
}

impl ImputeMethod {
    /// The method called `name` (ours or COINr's `impute_type`, any case) with its group column, if
    /// any (empty = none); the error says what is wrong in words. Shared by the text form and the
    /// flat config form of [`Impute`].
    fn from_name(name: &str, group: Option<String>) -> std::result::Result<ImputeMethod, String> {
        let group = group.filter(|g| !g.is_empty());
        let lower = name.to_ascii_lowercase();
        // COINr's `impute_type` names read as ours
        let canonical = match lower.as_str() {
            "i_mean" => "mean",
            "i_median" => "median",
            "i_mean_grp" => "group_mean",
            "i_median_grp" => "group_median",
            other => other,
        };
        match (canonical, group) {
            ("mean", None) => Ok(ImputeMethod::Mean),
            ("median", None) => Ok(ImputeMethod::Median),
            ("group_mean", Some(group)) => Ok(ImputeMethod::GroupMean { group }),
            ("group_median", Some(group)) => Ok(ImputeMethod::GroupMedian { group }),
            ("mean" | "median", Some(g)) => Err(format!(
                "imputation `{name}` takes no group (`{g}`); use group_{name} to impute within groups"
            )),
            ("group_mean" | "group_median", None) => Err(format!(
                "imputation `{name}` needs a group column: `group = \"...\"` or `{name}:GROUP`"
            )),
            _ => Err(format!(
                "unknown imputation method `{name}` (expected mean, median, group_mean or group_median)"
            )),
        }
    }

    fn name(&self) -> String {
        match self {
            ImputeMethod::Mean => "mean".into(),
            ImputeMethod::Median => "median".into(),
            ImputeMethod::GroupMean { group } => format!("group_mean({group})"),
            ImputeMethod::GroupMedian { group } => format!("group_median({group})"),
        }
    }
    fn is_median(&self) -> bool {
        matches!(
            self,
            ImputeMethod::Median | ImputeMethod::GroupMedian { .. }
        )
    }
}

/// One filled value.
///
/// ```
/// use composite_indicators::prepare::Imputation;
/// let i = Imputation { unit: "AUT".into(), indicator: "LPI".into(), value: 3.5, method: "mean".into() };
/// assert_eq!(serde_json::to_value(&i).unwrap()["unit"], "AUT");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Imputation {
    /// Unit code.
    pub unit: String,
    /// Indicator code.
    pub indicator: String,
    /// The value written.
    pub value: f64,
    /// The method, e.g. `"mean"`, `"group_mean(EurAsia_group)"`, `"within_pillar_mean"`.
    pub method: String,
}

/// Why an imputation left a value missing.
///
/// ```
/// use composite_indicators::prepare::MissingReason;
/// let r = MissingReason::NoDonorInGroup { column: "region".into(), label: "North".into() };
/// assert_eq!(r.to_string(), "no unit in group `North` of column `region` has a value to impute from");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum MissingReason {
    /// The indicator has no non-missing value at all, so its mean or median does not exist.
    NoValueAtAll,
    /// The unit's label in the group column is empty, so it belongs to no group.
    NoGroupLabel {
        /// The group column.
        column: String,
    },
    /// No unit of the unit's group has a value for the indicator (no donor).
    NoDonorInGroup {
        /// The group column.
        column: String,
        /// The unit's group label.
        label: String,
    },
    /// Within-pillar imputation: the unit has no other non-missing value in the indicator's pillar.
    NoOtherValueInPillar {
        /// The pillar (parent) code.
        pillar: String,
    },
}

impl std::fmt::Display for MissingReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MissingReason::NoValueAtAll => {
                f.write_str("the indicator has no non-missing value to impute from")
            }
            MissingReason::NoGroupLabel { column } => {
                write!(f, "the unit has no label in group column `{column}`")
            }
            MissingReason::NoDonorInGroup { column, label } => write!(
                f,
                "no unit in group `{label}` of column `{column}` has a value to impute from"
            ),
            MissingReason::NoOtherValueInPillar { pillar } => write!(
                f,
                "the unit has no other non-missing value in pillar `{pillar}`"
            ),
        }
    }
}

/// One value an imputation left missing, and why.
///
/// ```
/// use composite_indicators::prepare::{LeftMissing, MissingReason};
/// let l = LeftMissing { unit: "AUT".into(), indicator: "LPI".into(), reason: MissingReason::NoValueAtAll };
/// assert_eq!(serde_json::to_value(&l).unwrap()["reason"]["reason"], "no_value_at_all");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeftMissing {
    /// Unit code.
    pub unit: String,
    /// Indicator code.
    pub indicator: String,
    /// Why no value was imputed.
    pub reason: MissingReason,
}

/// What [`Impute`] did.
///
/// Every missing value of an imputed indicator is either in `imputations` or in `left_missing` (with
/// its reason); `still_missing` repeats the `(unit, indicator)` pairs of `left_missing` in the same
/// order.
///
/// ```
/// use composite_indicators::prepare::ImputeReport;
/// assert!(ImputeReport::default().imputations.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ImputeReport {
    /// Every filled value, indicator by indicator (framework order), units in row order.
    pub imputations: Vec<Imputation>,
    /// `(unit, indicator)` pairs that are still missing because the statistic did not exist (a group with
    /// no value for the indicator, an empty group label, an indicator with no value at all).
    pub still_missing: Vec<(String, String)>,
    /// Every value left missing with its reason, in the order of `still_missing`.
    #[serde(default)]
    pub left_missing: Vec<LeftMissing>,
}

/// Fill missing indicator values column by column (see [`ImputeMethod`] for the formulas).
///
/// Only the framework's indicator columns are imputed. A missing indicator column is
/// [`Error::MissingColumns`]; a group method whose group column is not a group column of the data is
/// [`Error::InvalidParameter`] naming the method and the column. Every value left missing is listed
/// with its reason in [`ImputeReport::left_missing`].
///
/// ```
/// use composite_indicators::prelude::*;
/// use composite_indicators::prepare::{Impute, ImputeMethod, Step};
/// use ndarray::array;
/// let fw = FrameworkSpec::new("t", vec![Indicator::new("x", "I")], vec![Pillar::new("I")])
/// .check()
/// .unwrap();
/// let d = Dataset::new(
///     vec!["A".into(), "B".into(), "C".into(), "D".into()],
///     vec!["x".into()],
///     array![[1.0], [f64::NAN], [10.0], [f64::NAN]],
/// )
/// .unwrap()
/// .with_group("region", vec!["N".into(), "N".into(), "S".into(), "S".into()])
/// .unwrap();
/// let step = Impute::new(ImputeMethod::GroupMean { group: "region".into() });
/// let (out, rep) = step.apply(&d, &fw).unwrap();
/// assert_eq!(out.column("x").unwrap().to_vec(), vec![1.0, 1.0, 10.0, 10.0]);
/// assert_eq!(rep.imputations[1].unit, "D");
/// ```
///
/// **Serde form.** Written as `{"method": {"method": "group_mean", "group": "region"}}` (the
/// [`ImputeMethod`] under `method`, which is what JSON pointers such as `/impute/method` address).
/// Reading also takes the flat form a config file is naturally written in, `{"method": "group_mean",
/// "group": "region"}` (TOML: `[impute]` then `method = "group_mean"` and `group = "region"`), the
/// command line's `method = "group_mean:region"`, and COINr's `impute_type` names (`i_mean`,
/// `i_median`, `i_mean_grp`, `i_median_grp`, also inside the nested form). A group with `mean` / `median`, a group method without
/// one, an unknown method or key is an error.
///
/// ```
/// use composite_indicators::prepare::{Impute, ImputeMethod};
/// let flat: Impute = toml::from_str("method = \"group_mean\"\ngroup = \"region\"").unwrap();
/// let nested: Impute =
///     toml::from_str("[method]\nmethod = \"group_mean\"\ngroup = \"region\"").unwrap();
/// let text: Impute = toml::from_str("method = \"group_mean:region\"").unwrap();
/// assert_eq!(flat, nested);
/// assert_eq!(flat, text);
/// let coinr: Impute = toml::from_str("method = \"i_mean_grp\"\ngroup = \"region\"").unwrap();
/// assert_eq!(flat, coinr);
/// assert_eq!(flat.method, ImputeMethod::GroupMean { group: "region".into() });
/// assert!(toml::from_str::<Impute>("method = \"mean\"\ngroup = \"region\"").is_err());
/// assert!(toml::from_str::<Impute>("method = \"group_mean\"").is_err());
/// assert!(toml::from_str::<Impute>("method = \"average\"").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "ImputeRepr")]
pub struct Impute {
    /// The imputation method.
    pub method: ImputeMethod,
}

/// What [`Impute`] reads: `method` as a name (with `group` beside it) or as a whole [`ImputeMethod`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImputeRepr {
    method: MethodField,
    #[serde(default)]
    group: Option<String>,
}

/// `method = "group_mean"` (a name, or the command line's `group_mean:GROUP`) or
/// `method = { method = "group_mean", group = "g" }`.
enum MethodField {
    Name(String),
    Full(ImputeMethod),
}

impl<'de> Deserialize<'de> for MethodField {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = MethodField;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(
                    "an imputation method name (mean, median, group_mean, group_median) or a table \
                     such as { method = \"group_mean\", group = \"region\" }",
                )
            }
            fn visit_str<E: serde::de::Error>(
                self,
                v: &str,
            ) -> std::result::Result<MethodField, E> {
                Ok(MethodField::Name(v.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> std::result::Result<MethodField, A::Error> {
                <ImputeMethod as Deserialize>::deserialize(
                    serde::de::value::MapAccessDeserializer::new(map),
                )
                .map(MethodField::Full)
            }
        }
        d.deserialize_any(V)
    }
}

impl TryFrom<ImputeRepr> for Impute {
    type Error = String;
    fn try_from(r: ImputeRepr) -> std::result::Result<Impute, String> {
        let method = match (r.method, r.group) {
            (MethodField::Full(m), None) => m,
            (MethodField::Full(_), Some(g)) => {
                return Err(format!(
                    "`group = \"{g}\"` beside a method table: put the group inside the table"
                ));
            }
            (MethodField::Name(name), group) => {
                let (name, inline) = match name.split_once(':') {
                    Some((n, g)) => (n.trim(), Some(g.trim().to_string())),
                    None => (name.trim(), None),
                };
                if inline.is_some() && group.is_some() {
                    return Err(format!(
                        "imputation `{name}`: the group is given twice (after `:` and as `group`)"
                    ));
                }
                ImputeMethod::from_name(name, inline.or(group))?
            }
        };
        Ok(Impute { method })
    }
}

impl Impute {
    /// A step with the given method.
    pub fn new(method: ImputeMethod) -> Self {
        Impute { method }
    }
}

impl Step for Impute {
    type Report = ImputeReport;

    fn apply(&self, data: &Dataset, fw: &Framework) -> Result<(Dataset, ImputeReport)> {
        let pos = indicator_positions(data, fw)?;
        let n = data.n_units();
        // group key per unit (None = no group / empty label)
        let group_column = match &self.method {
            ImputeMethod::GroupMean { group } | ImputeMethod::GroupMedian { group } => {
                Some(group.as_str())
            }
            ImputeMethod::Mean | ImputeMethod::Median => None,
        };
        let keys: Vec<Option<&str>> = match group_column {
            None => vec![Some(""); n],
            Some(group) => group_labels(data, group, &self.method)?
                .iter()
                .map(|l| {
                    if l.trim().is_empty() {
                        None
                    } else {
                        Some(l.as_str())
                    }
                })
                .collect(),
        };
        let method = self.method.name();
        let units = data.unit_codes();
        let mut values = data.values().clone();
        let mut report = ImputeReport::default();
        for (code, &j) in fw.indicator_codes().iter().zip(&pos) {
            let col = data.values().column(j);
            if !col.iter().any(|v| v.is_nan()) {
                continue;
            }
            let mut by_group: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
            for (k, &v) in keys.iter().zip(col.iter()) {
                if let Some(k) = k {
                    let e = by_group.entry(k).or_default();
                    if !v.is_nan() {
                        e.push(v);
                    }
                }
            }
            let stat: BTreeMap<&str, Option<f64>> = by_group
                .iter()
                .map(|(k, v)| {
                    let s = if self.method.is_median() {
                        median_of(v)
                    } else {
                        mean_of(v)
                    };
                    (*k, s)
                })
                .collect();
            for (i, &v) in col.iter().enumerate() {
                if !v.is_nan() {
                    continue;
                }
                let unit = units.get(i).cloned().unwrap_or_default();
                let key = keys.get(i).copied().flatten();
                match key.and_then(|k| stat.get(k).copied().flatten()) {
                    Some(s) => {
                        if let Some(slot) = values.get_mut([i, j]) {
                            *slot = s;
                        }
                        report.imputations.push(Imputation {
                            unit,
                            indicator: code.to_string(),
                            value: s,
                            method: method.clone(),
                        });
                    }
                    None => {
                        let reason = match (group_column, key) {
                            (None, _) => MissingReason::NoValueAtAll,
                            (Some(column), None) => MissingReason::NoGroupLabel {
                                column: column.to_string(),
                            },
                            (Some(column), Some(label)) => MissingReason::NoDonorInGroup {
                                column: column.to_string(),
                                label: label.to_string(),
                            },
                        };
                        report.still_missing.push((unit.clone(), code.to_string()));
                        report.left_missing.push(LeftMissing {
                            unit,
                            indicator: code.to_string(),
                            reason,
                        });
                    }
                }
            }
        }
        let mut out = data.clone();
        for (code, &j) in fw.indicator_codes().iter().zip(&pos) {
            out.set_column(code, values.column(j))?;
        }
        Ok((out, report))
    }
}

/// The labels of the imputation's group column, or an error naming that column and the method.
fn group_labels<'d>(data: &'d Dataset, group: &str, method: &ImputeMethod) -> Result<&'d [String]> {
    data.group(group).map_err(|_| {
        let have: Vec<String> = data.groups().iter().map(|(g, _)| format!("`{g}`")).collect();
        Error::invalid(
            format!("impute {}", method.name()),
            group,
            Expected::Rule(format!(
                "the imputation's group column `{group}` is not a group column of the data (group columns: {}); declare it as a group column: a `Group` row in the iMeta for COINr files, or for a plain CSV `--groups {group}` on the command line (`CsvOptions::with_group_columns` in Rust)",
                if have.is_empty() {
                    "none".to_string()
                } else {
                    have.join(", ")
                }
            )),
        )
    })
}

/// Impute on a **normalised** units × indicators matrix (indicator order of `fw`): a missing value of
/// unit `u`, indicator `j` becomes the mean of `u`'s non-missing normalised values of the *other*
/// indicators with the same parent as `j` (its pillar). This is "within-pillar mean" imputation: it
/// assumes a unit performs in a missing indicator as it does on average in the rest of the pillar, and it
/// equals what an arithmetic mean that skips missing values would give the pillar.
///
/// Values whose pillar has no other non-missing value for the unit stay missing and are returned in the
/// [`WithinPillar::still_missing`] list as `(unit, indicator)`. Errors: [`Error::ShapeMismatch`] if the matrix does not have one
/// column per indicator and one row per unit code.
///
/// ```
/// use composite_indicators::prelude::*;
/// use composite_indicators::prepare::impute_within_pillar;
/// use ndarray::array;
/// let fw = FrameworkSpec::new(
///     "t",
///     vec![Indicator::new("a", "P"), Indicator::new("b", "P"), Indicator::new("c", "P")],
///     vec![Pillar::new("P")],
/// )
/// .check()
/// .unwrap();
/// let x = array![[0.2, f64::NAN, 0.6]];
/// let r = impute_within_pillar(x.view(), &fw, &["U".to_string()]).unwrap();
/// assert!((r.values[[0, 1]] - 0.4).abs() < 1e-12);
/// assert_eq!(r.imputations[0].method, "within_pillar_mean");
/// assert!(r.still_missing.is_empty());
/// ```
pub fn impute_within_pillar(
    normalised: ArrayView2<'_, f64>,
    fw: &Framework,
    unit_codes: &[String],
) -> Result<WithinPillar> {
    let m = fw.n_indicators();
    if normalised.ncols() != m {
        return Err(Error::ShapeMismatch {
            what: "columns of the normalised matrix vs indicators".into(),
            expected: m,
            found: normalised.ncols(),
        });
    }
    if normalised.nrows() != unit_codes.len() {
        return Err(Error::ShapeMismatch {
            what: "rows of the normalised matrix vs unit codes".into(),
            expected: unit_codes.len(),
            found: normalised.nrows(),
        });
    }
    let nodes = fw.nodes();
    let mut out = normalised.to_owned();
    let mut imps = Vec::new();
    let mut left = Vec::new();
    let mut reasons = Vec::new();
    for (i, row) in normalised.rows().into_iter().enumerate() {
        for j in 0..m {
            if !row.get(j).is_some_and(|v| v.is_nan()) {
                continue;
            }
            let code = nodes.get(j).map(|n| n.code.clone()).unwrap_or_default();
            let unit = unit_codes.get(i).cloned().unwrap_or_default();
            let parent = nodes.get(j).and_then(|n| n.parent);
            let sib: Vec<f64> = parent
                .and_then(|p| nodes.get(p))
                .map(|p| {
                    p.children
                        .iter()
                        .filter(|&&c| c != j && c < m)
                        .filter_map(|&c| row.get(c).copied())
                        .filter(|v| !v.is_nan())
                        .collect()
                })
                .unwrap_or_default();
            match mean_of(&sib) {
                Some(v) => {
                    if let Some(slot) = out.get_mut([i, j]) {
                        *slot = v;
                    }
                    imps.push(Imputation {
                        unit,
                        indicator: code,
                        value: v,
                        method: "within_pillar_mean".into(),
                    });
                }
                None => {
                    let pillar = parent
                        .and_then(|p| nodes.get(p))
                        .map(|p| p.code.clone())
                        .unwrap_or_default();
                    left.push((unit.clone(), code.clone()));
                    reasons.push(LeftMissing {
                        unit,
                        indicator: code,
                        reason: MissingReason::NoOtherValueInPillar { pillar },
                    });
                }
            }
        }
    }
    Ok(WithinPillar {
        values: out,
        imputations: imps,
        still_missing: left,
        left_missing: reasons,
    })
}

/// Result of [`impute_within_pillar`] (see its example).
///
/// ```
/// use composite_indicators::prepare::WithinPillar;
/// let w = WithinPillar {
///     values: ndarray::Array2::zeros((1, 1)),
///     imputations: vec![],
///     still_missing: vec![],
///     left_missing: vec![],
/// };
/// assert_eq!(w.values.dim(), (1, 1));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct WithinPillar {
    /// The filled matrix (units × indicators).
    pub values: Array2<f64>,
    /// Every filled value.
    pub imputations: Vec<Imputation>,
    /// `(unit, indicator)` pairs left missing (no other value in the pillar for that unit).
    pub still_missing: Vec<(String, String)>,
    /// The same values with their reason ([`MissingReason::NoOtherValueInPillar`]).
    pub left_missing: Vec<LeftMissing>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{FrameworkSpec, Indicator, Pillar};
    use ndarray::array;

    fn fw() -> Framework {
        FrameworkSpec::new(
            "t",
            vec![Indicator::new("x", "I"), Indicator::new("y", "I")],
            vec![Pillar::new("I")],
        )
        .check()
        .unwrap()
    }

    fn data() -> Dataset {
        // x: group a = {1, NaN, 4}, group b = {10, 20, NaN, NaN(label empty)}
        Dataset::new(
            (0..7).map(|i| format!("u{i}")).collect(),
            vec!["x".into(), "y".into()],
            array![
                [1.0, f64::NAN],
                [f64::NAN, f64::NAN],
                [4.0, f64::NAN],
                [10.0, 2.0],
                [20.0, 3.0],
                [f64::NAN, 7.0],
                [f64::NAN, 100.0]
            ],
        )
        .unwrap()
        .with_group(
            "g",
            vec!["a", "a", "a", "b", "b", "b", ""]
                .into_iter()
                .map(String::from)
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn mean_and_median() {
        // x non-missing: 1, 4, 10, 20 -> mean 35/4 = 8.75, median (4 + 10)/2 = 7
        let (o, r) = Impute::new(ImputeMethod::Mean)
            .apply(&data(), &fw())
            .unwrap();
        assert_eq!(o.values()[[1, 0]], 8.75);
        // y non-missing: 2, 3, 7, 100 -> mean 28
        assert_eq!(o.values()[[0, 1]], 28.0);
        assert_eq!(r.imputations.len(), 3 + 3);
        let (o, _) = Impute::new(ImputeMethod::Median)
            .apply(&data(), &fw())
            .unwrap();
        assert_eq!(o.values()[[1, 0]], 7.0);
        // y median of 2, 3, 7, 100 = 5
        assert_eq!(o.values()[[2, 1]], 5.0);
    }

    #[test]
    fn group_mean_and_fallback() {
        let m = ImputeMethod::GroupMean { group: "g".into() };
        let (o, r) = Impute::new(m).apply(&data(), &fw()).unwrap();
        // x: u1 (a) -> (1 + 4)/2 = 2.5; u5 (b) -> (10 + 20)/2 = 15; u6 has no label -> stays missing
        assert_eq!(o.values()[[1, 0]], 2.5);
        assert_eq!(o.values()[[5, 0]], 15.0);
        assert!(o.values()[[6, 0]].is_nan());
        // y in group a has no value at all -> stays missing (COINr: mean of nothing is NaN)
        assert!(o.values()[[0, 1]].is_nan());
        assert_eq!(
            r.still_missing,
            vec![
                ("u6".to_string(), "x".to_string()),
                ("u0".to_string(), "y".to_string()),
                ("u1".to_string(), "y".to_string()),
                ("u2".to_string(), "y".to_string())
            ]
        );
        assert_eq!(r.imputations[0].method, "group_mean(g)");
        // every value left missing has its reason
        let why: Vec<(&str, &str, MissingReason)> = r
            .left_missing
            .iter()
            .map(|l| (l.unit.as_str(), l.indicator.as_str(), l.reason.clone()))
            .collect();
        let no_donor = MissingReason::NoDonorInGroup {
            column: "g".into(),
            label: "a".into(),
        };
        assert_eq!(
            why,
            vec![
                (
                    "u6",
                    "x",
                    MissingReason::NoGroupLabel { column: "g".into() }
                ),
                ("u0", "y", no_donor.clone()),
                ("u1", "y", no_donor.clone()),
                ("u2", "y", no_donor)
            ]
        );
        let m = ImputeMethod::GroupMedian { group: "g".into() };
        let (o, _) = Impute::new(m).apply(&data(), &fw()).unwrap();
        assert_eq!(o.values()[[5, 0]], 15.0);
    }

    #[test]
    fn missing_group_column() {
        let m = ImputeMethod::GroupMean {
            group: "nope".into(),
        };
        let e = Impute::new(m).apply(&data(), &fw()).unwrap_err();
        // issue #14: the error names the imputation and its group column (it was MissingColumns,
        // "the data lack columns required by the framework", which misled)
        assert!(
            matches!(&e, Error::InvalidParameter { parameter, value, expected: Expected::Rule(reason) } if parameter == "impute group_mean(nope)" && value == "nope" && reason.contains("`nope`") && reason.contains("`g`")),
            "{e}"
        );
    }

    #[test]
    fn within_pillar() {
        let fw = FrameworkSpec::new(
            "t",
            vec![
                Indicator::new("a", "P"),
                Indicator::new("b", "P"),
                Indicator::new("c", "Q"),
                Indicator::new("d", "Q"),
            ],
            vec![
                Pillar::new("P").with_parent("I"),
                Pillar::new("Q").with_parent("I"),
                Pillar::new("I"),
            ],
        )
        .check()
        .unwrap();
        let x = array![
            [f64::NAN, 0.5, 0.1, f64::NAN],
            [0.3, 0.7, f64::NAN, f64::NAN]
        ];
        let units = vec!["A".to_string(), "B".to_string()];
        let r = impute_within_pillar(x.view(), &fw, &units).unwrap();
        let f = &r.values;
        assert_eq!(f[[0, 0]], 0.5);
        assert_eq!(f[[0, 3]], 0.1);
        assert!(f[[1, 2]].is_nan() && f[[1, 3]].is_nan());
        assert_eq!(r.imputations.len(), 2);
        assert_eq!(r.still_missing.len(), 2);
        assert_eq!(
            r.left_missing[0].reason,
            MissingReason::NoOtherValueInPillar { pillar: "Q".into() }
        );
        assert!(matches!(
            impute_within_pillar(x.view(), &fw, &units[..1]),
            Err(Error::ShapeMismatch { .. })
        ));
    }
}
