//! Imputation along time in a panel (COINr `impute_panel`): a unit's missing value in one period is
//! filled from the same unit and column in other periods, with a report of every value filled and
//! the period(s) it came from.

use std::io::Write;

use serde::{Deserialize, Serialize};

use super::csv_rows::{CsvTable, write_rows};
use super::purse::{PanelData, time_label};
use crate::error::{Error, Expected, Result};
use crate::io::format_f64;

/// How [`ImputePanel`] fills a missing value (COINr `impute_panel(imp_type = ...)`).
///
/// In every method a series is one unit's values of one column over the periods where the unit has a
/// row (periods without a row are not part of its series, as in COINr, and are never created).
///
/// ```
/// use composite_indicators::study::impute_panel::PanelImputeMethod;
/// let m: PanelImputeMethod = serde_json::from_str(r#"{"type":"latest","max_time":1}"#).unwrap();
/// assert_eq!(m, PanelImputeMethod::Latest { max_time: Some(1) });
/// assert_eq!(PanelImputeMethod::default(), PanelImputeMethod::Latest { max_time: None });
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum PanelImputeMethod {
    /// COINr `"latest"` (its default): the value of the latest *earlier* period in which the unit's
    /// value is observed. `max_time = Some(k)` looks back at most `k` periods of the panel (COINr
    /// `max_time`: the `k` panel periods before the missing one, whether or not the unit has a row in
    /// them); `None` looks back through all earlier periods. Never fills from later periods, so a
    /// value missing in the first observed period stays missing (reported).
    Latest {
        /// How many earlier periods to look at (≥ 1), or all.
        #[serde(default)]
        max_time: Option<usize>,
    },
    /// COINr `"constant"` (R `approx(method = "constant", rule = 2)`): between two observed periods the
    /// earlier observed value; before the first observation the first, after the last the last
    /// observed value. COINr's documentation says `max_time` applies here too, but its code ignores it;
    /// so does this method.
    Constant,
    /// COINr `"linear"` (R `approx(method = "linear", rule = 2)`): between the nearest observed periods
    /// `a < t < b`, `y_a + (y_b − y_a)·(t − a)/(b − a)`; before the first / after the last observation the
    /// first / last observed value. A series with one observation is an error (as R's `approx`).
    Linear,
    /// COINr `"linear-constant"`: [`PanelImputeMethod::Linear`], but a series with a single observation
    /// is filled as [`PanelImputeMethod::Constant`] (with that one value everywhere).
    LinearConstant,
}

impl Default for PanelImputeMethod {
    fn default() -> Self {
        PanelImputeMethod::Latest { max_time: None }
    }
}

/// Panel imputation: [`PanelImputeMethod`] applied to chosen columns (COINr `cols`; default every
/// numeric column, as COINr imputes every column but `Time` and `uCode`).
///
/// ```
/// use composite_indicators::Dataset;
/// use composite_indicators::study::impute_panel::{ImputePanel, PanelImputeMethod};
/// use composite_indicators::study::purse::PanelData;
/// use ndarray::array;
/// let units = || vec!["A".to_string()];
/// let x = || vec!["x".to_string()];
/// let panel = PanelData::new(vec![
///     (2020.0, Dataset::new(units(), x(), array![[1.0]])?),
///     (2021.0, Dataset::new(units(), x(), array![[f64::NAN]])?),
///     (2022.0, Dataset::new(units(), x(), array![[4.0]])?),
/// ])?;
/// let (filled, report) = ImputePanel::new(PanelImputeMethod::Linear).apply(&panel)?;
/// // 1 + (4 − 1)·(2021 − 2020)/(2022 − 2020) = 2.5, from 2020 and 2022
/// assert_eq!(filled.period(2021.0)?.values()[[0, 0]], 2.5);
/// assert_eq!(report.filled[0].from, vec![2020.0, 2022.0]);
/// let (latest, _) = ImputePanel::default().apply(&panel)?;
/// assert_eq!(latest.period(2021.0)?.values()[[0, 0]], 1.0);
/// # Ok::<(), composite_indicators::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImputePanel {
    /// The method.
    pub method: PanelImputeMethod,
    /// Columns to impute, or `None` for every numeric column of any period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
}

/// One value filled by [`ImputePanel`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FilledValue {
    /// The unit.
    #[serde(rename = "uCode")]
    pub unit: String,
    /// The column (indicator).
    #[serde(rename = "iCode")]
    pub column: String,
    /// The period whose value was missing.
    #[serde(rename = "Time")]
    pub time: f64,
    /// The value written.
    pub value: f64,
    /// The period(s) the value came from: one (latest, constant, and outside the observed range), or
    /// the two periods interpolated between (linear).
    pub from: Vec<f64>,
}

/// A missing value [`ImputePanel`] could not fill, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnfilledValue {
    /// The unit.
    #[serde(rename = "uCode")]
    pub unit: String,
    /// The column (indicator).
    #[serde(rename = "iCode")]
    pub column: String,
    /// The period whose value stays missing.
    #[serde(rename = "Time")]
    pub time: f64,
    /// Why.
    pub reason: String,
}

/// What [`ImputePanel::apply`] did: every value filled and every missing value left, each listed unit
/// by unit, then column by column, then period by period.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PanelImputeReport {
    /// Values filled.
    pub filled: Vec<FilledValue>,
    /// Missing values left missing.
    pub unfilled: Vec<UnfilledValue>,
}

impl PanelImputeReport {}

impl CsvTable for PanelImputeReport {
    /// CSV, one row per missing value: `uCode`, `iCode`, `Time`, `Value` (empty when left missing),
    /// `From` (the source periods joined by `;`), `Status` (`filled` or the reason it was not).
    ///
    /// # Errors
    /// [`Error::Io`] when writing fails.
    ///
    /// ```
    /// use composite_indicators::study::CsvTable;
    /// use composite_indicators::study::impute_panel::{FilledValue, PanelImputeReport};
    /// let r = PanelImputeReport {
    ///     filled: vec![FilledValue { unit: "A".into(), column: "x".into(), time: 2021.0,
    ///                                value: 2.5, from: vec![2020.0, 2022.0] }],
    ///     unfilled: vec![],
    /// };
    /// assert_eq!(r.to_csv_string()?, "uCode,iCode,Time,Value,From,Status\nA,x,2021,2.5,2020;2022,filled\n");
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    fn write_csv<W: Write>(&self, writer: W) -> Result<()> {
        let header = ["uCode", "iCode", "Time", "Value", "From", "Status"];
        let mut rows = Vec::new();
        for f in &self.filled {
            let from: Vec<String> = f.from.iter().map(|&t| time_label(t)).collect();
            rows.push(vec![
                f.unit.clone(),
                f.column.clone(),
                time_label(f.time),
                format_f64(f.value),
                from.join(";"),
                "filled".into(),
            ]);
        }
        for u in &self.unfilled {
            rows.push(vec![
                u.unit.clone(),
                u.column.clone(),
                time_label(u.time),
                String::new(),
                String::new(),
                u.reason.clone(),
            ]);
        }
        write_rows(writer, "panel imputation report CSV output", header, rows)
    }
}

impl ImputePanel {
    /// Imputation of every numeric column by `method`.
    pub fn new(method: PanelImputeMethod) -> ImputePanel {
        ImputePanel {
            method,
            columns: None,
        }
    }

    /// Only these columns (COINr `cols`).
    ///
    /// ```
    /// use composite_indicators::study::impute_panel::ImputePanel;
    /// let step = ImputePanel::default().with_columns(["LPI", "Flights"]);
    /// assert_eq!(step.columns.unwrap().len(), 2);
    /// ```
    pub fn with_columns<I, S>(mut self, columns: I) -> ImputePanel
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.columns = Some(columns.into_iter().map(Into::into).collect());
        self
    }

    /// Impute `panel`: a copy with the filled values, and the report. Observed values are never
    /// changed; units, periods and columns are kept as they are.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for `max_time = Some(0)`; [`Error::UnknownName`] for a chosen column
    /// that some period lacks;
    /// [`Error::InsufficientData`] naming the unit and column for [`PanelImputeMethod::Linear`] on a
    /// series with a missing value and a single observation.
    pub fn apply(&self, panel: &PanelData) -> Result<(PanelData, PanelImputeReport)> {
        if let PanelImputeMethod::Latest { max_time: Some(0) } = self.method {
            return Err(Error::invalid("max_time", 0, Expected::at_least(1.0)));
        }
        let periods = panel.periods();
        let columns: Vec<String> = match &self.columns {
            Some(c) => c.clone(),
            None => {
                let mut all: Vec<String> = Vec::new();
                for p in periods {
                    for c in p.data.columns() {
                        if !all.contains(c) {
                            all.push(c.clone());
                        }
                    }
                }
                all
            }
        };
        // column positions per period
        let mut pos = Vec::with_capacity(periods.len());
        for p in periods {
            let mut row = Vec::with_capacity(columns.len());
            for c in &columns {
                let j = p.data.column_position(c).map_err(|_| Error::UnknownName {
                    what: format!("column of period {}", time_label(p.time)),
                    name: c.clone(),
                    known: p.data.columns().to_vec(),
                })?;
                row.push(j);
            }
            pos.push(row);
        }
        let mut out: Vec<ndarray::Array2<f64>> =
            periods.iter().map(|p| p.data.values().clone()).collect();
        let mut report = PanelImputeReport::default();
        let times = panel.times();

        for unit in panel.unit_codes() {
            // (period index, row index) where the unit has a row
            let rows: Vec<(usize, usize)> = periods
                .iter()
                .enumerate()
                .filter_map(|(k, p)| p.data.unit_position(&unit).ok().map(|i| (k, i)))
                .collect();
            for (c, column) in columns.iter().enumerate() {
                // the unit's series: (period index, row, observed value)
                let series: Vec<(usize, usize, f64)> = rows
                    .iter()
                    .map(|&(k, i)| {
                        let j = pos[k][c];
                        (k, i, periods[k].data.values()[[i, j]])
                    })
                    .collect();
                if series.iter().all(|s| !s.2.is_nan()) {
                    continue;
                }
                let fills = self.fill_series(&unit, column, &series, &times)?;
                for (s, fill) in series.iter().zip(fills) {
                    let (k, i, v) = *s;
                    if !v.is_nan() {
                        continue;
                    }
                    match fill {
                        Ok((value, from)) => {
                            out[k][[i, pos[k][c]]] = value;
                            report.filled.push(FilledValue {
                                unit: unit.clone(),
                                column: column.clone(),
                                time: times[k],
                                value,
                                from: from.iter().map(|&f| times[f]).collect(),
                            });
                        }
                        Err(reason) => report.unfilled.push(UnfilledValue {
                            unit: unit.clone(),
                            column: column.clone(),
                            time: times[k],
                            reason,
                        }),
                    }
                }
            }
        }

        let mut new_periods = Vec::with_capacity(periods.len());
        for (p, values) in periods.iter().zip(out) {
            let mut d = p.data.clone();
            for c in &columns {
                let j = d.column_position(c)?;
                d.set_column(c, values.column(j))?;
            }
            new_periods.push((p.time, d));
        }
        Ok((PanelData::new(new_periods)?, report))
    }

    /// For each point of one series (period index, row, value): `Ok((value, source period indices))`
    /// or `Err(reason)`; entries for observed points are unused.
    #[allow(clippy::type_complexity)]
    fn fill_series(
        &self,
        unit: &str,
        column: &str,
        series: &[(usize, usize, f64)],
        times: &[f64],
    ) -> Result<Vec<std::result::Result<(f64, Vec<usize>), String>>> {
        let observed: Vec<(usize, f64)> = series
            .iter()
            .filter(|s| !s.2.is_nan())
            .map(|s| (s.0, s.2))
            .collect();
        let none = || "no observed value in any period".to_string();
        let interp = match &self.method {
            PanelImputeMethod::Latest { max_time } => {
                return Ok(series
                    .iter()
                    .map(|&(k, _, _)| {
                        let lo = max_time.map_or(0, |m| k.saturating_sub(m));
                        observed
                            .iter()
                            .rev()
                            .find(|&&(kk, _)| kk < k && kk >= lo)
                            .map(|&(kk, v)| (v, vec![kk]))
                            .ok_or_else(|| {
                                if observed.is_empty() {
                                    none()
                                } else if let Some(m) = max_time {
                                    format!("no observed value in the {m} earlier period(s)")
                                } else {
                                    "no observed value in an earlier period".to_string()
                                }
                            })
                    })
                    .collect());
            }
            PanelImputeMethod::Constant => false,
            PanelImputeMethod::Linear => {
                if observed.len() == 1 {
                    return Err(Error::InsufficientData {
                        what: format!(
                            "linear panel imputation of unit `{unit}`, column `{column}` (observed \
                             only in {}; use the linear-then-constant method: `LinearConstant`, \
                             `--method linear-constant` on the command line)",
                            time_label(times[observed[0].0])
                        ),
                        needed: 2,
                        found: 1,
                    });
                }
                true
            }
            PanelImputeMethod::LinearConstant => observed.len() > 1,
        };
        Ok(series
            .iter()
            .map(|&(k, _, _)| {
                let (Some(first), Some(last)) = (observed.first(), observed.last()) else {
                    return Err(none());
                };
                if k < first.0 {
                    return Ok((first.1, vec![first.0]));
                }
                if k > last.0 {
                    return Ok((last.1, vec![last.0]));
                }
                // a = latest observation before k, b = earliest after (both exist: first < k < last)
                let b_at = observed.partition_point(|&(kk, _)| kk < k);
                match (
                    b_at.checked_sub(1).and_then(|a| observed.get(a)),
                    observed.get(b_at),
                ) {
                    (Some(&(a, ya)), Some(&(b, yb))) => {
                        if interp {
                            let (ta, tb, t) = (times[a], times[b], times[k]);
                            Ok((ya + (yb - ya) * ((t - ta) / (tb - ta)), vec![a, b]))
                        } else {
                            Ok((ya, vec![a]))
                        }
                    }
                    _ => Err(none()),
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Dataset;
    use ndarray::array;

    /// One unit "A", one column "x", values over 2018..=2022.
    fn panel(v: [f64; 5]) -> PanelData {
        PanelData::new(
            v.iter()
                .enumerate()
                .map(|(k, &x)| {
                    let d = Dataset::new(vec!["A".into()], vec!["x".into()], array![[x]]).unwrap();
                    (2018.0 + k as f64, d)
                })
                .collect(),
        )
        .unwrap()
    }

    fn series(p: &PanelData) -> Vec<f64> {
        p.periods()
            .iter()
            .map(|q| q.data.values()[[0, 0]])
            .collect()
    }

    const N: f64 = f64::NAN;

    #[test]
    fn latest_respects_max_time_and_never_looks_forward() {
        let p = panel([N, 1.0, N, N, 5.0]);
        let (all, r) = ImputePanel::default().apply(&p).unwrap();
        let s = series(&all);
        assert!(s[0].is_nan());
        assert_eq!(&s[1..], &[1.0, 1.0, 1.0, 5.0]);
        assert_eq!(r.filled.len(), 2);
        assert_eq!(r.filled[1].from, vec![2019.0]);
        assert_eq!(r.unfilled[0].time, 2018.0);
        // max_time 1: 2021 looks only at 2020, which is missing in the input
        let m1 = ImputePanel::new(PanelImputeMethod::Latest { max_time: Some(1) });
        let (one, r) = m1.apply(&p).unwrap();
        let s = series(&one);
        assert_eq!(s[2], 1.0);
        assert!(s[3].is_nan());
        assert_eq!(r.unfilled.len(), 2);
        assert!(r.unfilled[1].reason.contains("1 earlier"));
        let m0 = ImputePanel::new(PanelImputeMethod::Latest { max_time: Some(0) });
        assert!(m0.apply(&p).is_err());
    }

    #[test]
    fn constant_and_linear_follow_r_approx_rule_2() {
        // R: approx(2018:2022, c(NA, 1, NA, NA, 7), xout = 2018:2022, rule = 2, method = m)$y
        //   constant: 1 1 1 1 7;  linear: 1 1 3 5 7 (1 + 6·1/3 = 3, 1 + 6·2/3 = 5)
        let p = panel([N, 1.0, N, N, 7.0]);
        let (c, _) = ImputePanel::new(PanelImputeMethod::Constant)
            .apply(&p)
            .unwrap();
        assert_eq!(series(&c), vec![1.0, 1.0, 1.0, 1.0, 7.0]);
        let (l, r) = ImputePanel::new(PanelImputeMethod::Linear)
            .apply(&p)
            .unwrap();
        assert_eq!(series(&l), vec![1.0, 1.0, 3.0, 5.0, 7.0]);
        assert_eq!(r.filled[0].from, vec![2019.0]);
        assert_eq!(r.filled[1].from, vec![2019.0, 2022.0]);
        // after the last observation: the last value
        let (l, _) = ImputePanel::new(PanelImputeMethod::Linear)
            .apply(&panel([2.0, 4.0, N, N, N]))
            .unwrap();
        assert_eq!(series(&l), vec![2.0, 4.0, 4.0, 4.0, 4.0]);
    }

    #[test]
    fn single_observation_and_all_missing() {
        let one = panel([N, N, 3.0, N, N]);
        let e = ImputePanel::new(PanelImputeMethod::Linear)
            .apply(&one)
            .unwrap_err();
        assert!(matches!(e, Error::InsufficientData { ref what, .. } if what.contains("`A`")));
        let (lc, _) = ImputePanel::new(PanelImputeMethod::LinearConstant)
            .apply(&one)
            .unwrap();
        assert_eq!(series(&lc), vec![3.0; 5]);
        let (none, r) = ImputePanel::new(PanelImputeMethod::Linear)
            .apply(&panel([N; 5]))
            .unwrap();
        assert!(series(&none).iter().all(|v| v.is_nan()));
        assert_eq!(r.unfilled.len(), 5);
        assert!(r.filled.is_empty());
    }
}
