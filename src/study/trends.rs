//! Time trends per unit and column of a panel (COINr `get_trends`): compound annual growth rate,
//! linear slope, or COINr's percentage change, over a chosen window, with the minimum number of points.

use std::collections::HashMap;
use std::io::Write;

use serde::{Deserialize, Serialize};

use super::csv_rows::{CsvTable, write_rows};
use super::purse::{PanelData, time_label};
use crate::error::{Error, Expected, Result};
use crate::io::format_f64;
use crate::spec::Framework;

/// The trend metric of a series `(t_i, y_i)` (its non-missing points in the window, ascending in
/// time; `f`/`l` = first/last of them, `n` = their number).
///
/// ```
/// use composite_indicators::study::trends::TrendMetric;
/// let m: TrendMetric = serde_json::from_str(r#"{"metric":"prc_change","per":10.0}"#).unwrap();
/// assert_eq!(m, TrendMetric::PrcChange { per: 10.0 });
/// // CAGR of 100 → 121 over two years: 10 %
/// assert!((TrendMetric::Cagr.eval(&[2020.0, 2022.0], &[100.0, 121.0]).unwrap() - 0.1).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "metric", rename_all = "snake_case", deny_unknown_fields)]
pub enum TrendMetric {
    /// COINr `CAGR` (the default of `get_trends`): `(y_l/y_f)^(1/(t_l − t_f)) − 1`, from the first and
    /// last points only; `0` when `y_l = y_f` (also when both are 0). Undefined (NaN, with a note) when
    /// `y_f = 0` (COINr returns `±Inf`) and when the power is not real: `y_l/y_f < 0` with an exponent
    /// `1/(t_l − t_f)` that is not an integer (COINr's `NaN`). A sign change over one period (exponent
    /// 1) is defined, as in R: `y_l/y_f − 1`.
    #[default]
    Cagr,
    /// The least-squares slope of `y` on `t` (units of `y` per unit of time):
    /// `Σ(t − t̄)(y − ȳ) / Σ(t − t̄)²` (R `coef(lm(y ~ t))[2]`).
    Slope,
    /// COINr `prc_change(y, x, per)`: `0` if all `y` are equal; with 2 points
    /// `(y_l − y_f)·100/y_f · per/(t_l − t_f)`; with 3 or more, from the regression line
    /// `y = a + b·t`: `b·per/(a + b·t_f)·100` (the change per `per` time units in percent of the fitted
    /// first value). Undefined (NaN, with a note) when the divisor is 0.
    PrcChange {
        /// Period to express the change over (1 = per year for years).
        per: f64,
    },
}

impl TrendMetric {
    /// COINr's name of the metric column (`CAGR`, `Slope`, `prc_change`).
    pub fn name(&self) -> &'static str {
        match self {
            TrendMetric::Cagr => "CAGR",
            TrendMetric::Slope => "Slope",
            TrendMetric::PrcChange { .. } => "prc_change",
        }
    }

    /// The metric of the points `(t, y)` (same length ≥ 2, no NaN, `t` strictly ascending).
    ///
    /// # Errors
    /// `Err(note)` when the metric is undefined for these values (see each variant), or for fewer than
    /// 2 points.
    pub fn eval(&self, t: &[f64], y: &[f64]) -> std::result::Result<f64, String> {
        let n = t.len().min(y.len());
        if n < 2 {
            return Err("fewer than 2 points".into());
        }
        let (tf, tl, yf, yl) = (t[0], t[n - 1], y[0], y[n - 1]);
        let ols = || {
            let tm = crate::stats::mean(&t[..n]);
            let ym = crate::stats::mean(&y[..n]);
            let (mut sty, mut stt) = (0.0, 0.0);
            for (&ti, &yi) in t[..n].iter().zip(&y[..n]) {
                sty += (ti - tm) * (yi - ym);
                stt += (ti - tm) * (ti - tm);
            }
            (ym, tm, sty / stt)
        };
        let v = match *self {
            TrendMetric::Cagr => {
                if yl == yf {
                    0.0
                } else if yf == 0.0 {
                    return Err("CAGR undefined: the first value is 0".into());
                } else {
                    let v = (yl / yf).powf(1.0 / (tl - tf)) - 1.0;
                    if v.is_nan() {
                        return Err(
                            "CAGR undefined: the first and last values differ in sign".into()
                        );
                    }
                    v
                }
            }
            TrendMetric::Slope => ols().2,
            TrendMetric::PrcChange { per } => {
                if y[..n].iter().all(|&v| v == yf) {
                    0.0
                } else if n < 3 {
                    if yf == 0.0 {
                        return Err("percentage change undefined: the first value is 0".into());
                    }
                    ((yl - yf) * 100.0 / yf) * (per / (tl - tf))
                } else {
                    // the fitted first value a + b·t_f, computed about the means (ȳ + b·(t_f − t̄)):
                    // the intercept a = ȳ − b·t̄ at t ≈ 2000 cancels most of its digits
                    let (ym, tm, b) = ols();
                    let base = ym + b * (tf - tm);
                    if base == 0.0 {
                        return Err(
                            "percentage change undefined: the fitted first value is 0".into()
                        );
                    }
                    (b * per) / base * 100.0
                }
            }
        };
        if v.is_finite() {
            Ok(v)
        } else {
            Err(format!("{} is not finite ({v})", self.name()))
        }
    }
}

/// Which periods a trend uses.
///
/// ```
/// use composite_indicators::study::trends::TrendWindow;
/// let w: TrendWindow = serde_json::from_str(r#"{"latest":3}"#).unwrap();
/// assert_eq!(w, TrendWindow::Latest(3));
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrendWindow {
    /// Every period.
    #[default]
    All,
    /// Only these periods (COINr `Time`); each must be a period of the panel.
    Times(Vec<f64>),
    /// The `n` periods of the unit ending at its latest observed point (COINr `use_latest = n`),
    /// counting only periods in which the unit has a row (and periods interpolated at): when fewer
    /// than `n` such periods lead up to it, the trend is missing (with a note). COINr returns NA also
    /// when the window starts exactly at the unit's first period (its test is `i_first > 1`); here
    /// that window is used.
    Latest(usize),
}

/// Options of [`trends`] (COINr `get_trends` arguments).
///
/// ```
/// use composite_indicators::study::trends::{TrendMetric, TrendOptions, TrendWindow};
/// let o = TrendOptions { metric: TrendMetric::Slope, window: TrendWindow::Latest(3), ..TrendOptions::default() };
/// assert_eq!(o.min_points, 2);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrendOptions {
    /// The metric (COINr `f_trend`; default CAGR).
    pub metric: TrendMetric,
    /// The periods used.
    pub window: TrendWindow,
    /// Minimum number of non-missing points in the window (at least 2, COINr's fixed minimum); fewer
    /// gives a missing trend with a note.
    pub min_points: usize,
    /// Linearly interpolate missing values at these periods before the trend (COINr `interp_at`;
    /// `Some(vec![])` is COINr's `"all"`: every period). Only between observed points: nothing is
    /// extrapolated. Each time must be a period of the panel (COINr also accepts new time points).
    pub interp_at: Option<Vec<f64>>,
    /// Multiply each trend by the column's direction in the framework (COINr `adjust_directions`);
    /// columns that are not indicators of the framework (aggregates, denominators) count as +1, as
    /// COINr's aggregates in iMeta normally do.
    pub adjust_directions: bool,
    /// Only these columns (COINr `iCodes`; default every numeric column).
    pub columns: Option<Vec<String>>,
    /// Only these units (COINr `uCodes`; default every unit).
    pub units: Option<Vec<String>>,
}

impl Default for TrendOptions {
    fn default() -> Self {
        TrendOptions {
            metric: TrendMetric::Cagr,
            window: TrendWindow::All,
            min_points: 2,
            interp_at: None,
            adjust_directions: false,
            columns: None,
            units: None,
        }
    }
}

/// The trend of one unit and column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendRow {
    /// The unit.
    #[serde(rename = "uCode")]
    pub unit: String,
    /// The column (indicator or node).
    #[serde(rename = "iCode")]
    pub column: String,
    /// The metric, NaN when undefined (see `note`).
    #[serde(with = "crate::serde_nan::num")]
    pub value: f64,
    /// Non-missing points the metric used (after interpolation).
    pub n_points: usize,
    /// Share of the window's periods with an observed (not interpolated) value, counting only periods
    /// in which the unit has a row (COINr's `mean(!is.na(y))` over the unit's rows; NaN when it has
    /// none in the window). Differs from COINr: COINr's `Avail` (and `t_first` /
    /// `t_latest`) cover the whole series and it reports the window's share separately
    /// (`Avail_use_latest`); here all three describe the window the metric used (the same thing when
    /// the window is the whole series).
    #[serde(rename = "Avail")]
    pub availability: f64,
    /// First and last periods of the window with an observed value (NaN if none). COINr sets them
    /// only when at least two values are observed; here one observed value gives both.
    #[serde(with = "crate::serde_nan::num")]
    pub t_first: f64,
    /// See `t_first`.
    #[serde(with = "crate::serde_nan::num")]
    pub t_latest: f64,
    /// Why `value` is missing, if it is.
    pub note: Option<String>,
}

/// The result of [`trends`]: one row per unit and column, sorted by column then unit code (COINr's
/// order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trends {
    /// The metric computed.
    pub metric: TrendMetric,
    /// The rows.
    pub rows: Vec<TrendRow>,
}

impl Trends {
    /// The trend of one unit and column (NaN when undefined).
    ///
    /// # Errors
    /// [`Error::UnknownCode`] when the pair is not in the table.
    pub fn value(&self, unit: &str, column: &str) -> Result<f64> {
        self.rows
            .iter()
            .find(|r| r.unit == unit && r.column == column)
            .map(|r| r.value)
            .ok_or_else(|| Error::UnknownCode {
                code: format!("{unit}/{column}"),
            })
    }
}

impl CsvTable for Trends {
    /// CSV: `uCode`, `iCode`, the metric (named as [`TrendMetric::name`]), `n_points`, `Avail`,
    /// `t_first`, `t_latest`, `note`.
    ///
    /// # Errors
    /// [`Error::Io`] when writing fails.
    fn write_csv<W: Write>(&self, writer: W) -> Result<()> {
        let header = [
            "uCode",
            "iCode",
            self.metric.name(),
            "n_points",
            "Avail",
            "t_first",
            "t_latest",
            "note",
        ];
        let mut rows = Vec::new();
        for r in &self.rows {
            rows.push(vec![
                r.unit.clone(),
                r.column.clone(),
                format_f64(r.value),
                r.n_points.to_string(),
                format_f64(r.availability),
                format_f64(r.t_first),
                format_f64(r.t_latest),
                r.note.clone().unwrap_or_default(),
            ]);
        }
        write_rows(writer, "trends CSV output", header, rows)
    }
}

/// Trends of every unit and column of `panel` (COINr `get_trends`), e.g. of raw indicators
/// ([`PanelData`] as read) or of every node's score ([`Purse::panel`](super::purse::Purse::panel)
/// with `"Aggregated"`).
///
/// Per unit and column: the series over the unit's own periods (those with a row for the unit, plus
/// the `interp_at` periods, as COINr's per-unit rows) → linear interpolation at `interp_at` → the
/// window → at least `min_points` non-missing points, else NaN with a note → the metric (NaN with a
/// note where undefined) → times the direction if `adjust_directions`. Every numeric column of the
/// panel is a column unless `columns` says otherwise (a raw panel's denominators too; `compind trends
/// --dset Raw` defaults to the framework's indicators).
///
/// # Errors
/// [`Error::InvalidParameter`] for `min_points < 2`, `Latest(0)`, a window or `interp_at` time that is
/// not a period of the panel; [`Error::Incompatible`] for `adjust_directions` without a framework;
/// [`Error::UnknownName`] (`unit` or `column`, listing the panel's) for a chosen unit or column that
/// the panel does not have.
///
/// ```
/// use composite_indicators::Dataset;
/// use composite_indicators::study::purse::PanelData;
/// use composite_indicators::study::trends::{trends, TrendMetric, TrendOptions};
/// use ndarray::array;
/// let y = |v: f64| Dataset::new(vec!["A".into()], vec!["x".into()], array![[v]]);
/// let panel = PanelData::new(vec![(2020.0, y(1.0)?), (2021.0, y(2.0)?), (2022.0, y(4.0)?)])?;
/// let cagr = trends(&panel, &TrendOptions::default(), None)?;
/// assert_eq!(cagr.value("A", "x")?, 1.0); // (4/1)^(1/2) − 1
/// let slope = trends(&panel, &TrendOptions { metric: TrendMetric::Slope, ..TrendOptions::default() }, None)?;
/// assert_eq!(slope.value("A", "x")?, 1.5); // least squares through (0, 1), (1, 2), (2, 4)
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn trends(
    panel: &PanelData,
    opts: &TrendOptions,
    framework: Option<&Framework>,
) -> Result<Trends> {
    if opts.min_points < 2 {
        return Err(Error::invalid(
            "min_points",
            opts.min_points,
            Expected::at_least(2.0),
        ));
    }
    let times = panel.times();
    let in_panel = |name: &str, ts: &[f64]| -> Result<()> {
        match ts.iter().find(|t| !times.contains(t)) {
            Some(t) => Err(Error::invalid(
                name,
                time_label(*t),
                Expected::OneOf(times.iter().map(|&t| time_label(t)).collect()),
            )),
            None => Ok(()),
        }
    };
    // indices of the window's periods (for Latest: all, cut per series)
    let window: Vec<usize> = match &opts.window {
        TrendWindow::All | TrendWindow::Latest(_) => (0..times.len()).collect(),
        TrendWindow::Times(ts) => {
            in_panel("window", ts)?;
            (0..times.len())
                .filter(|&k| ts.contains(&times[k]))
                .collect()
        }
    };
    if opts.window == TrendWindow::Latest(0) {
        return Err(Error::invalid(
            "window",
            "Latest(0)",
            Expected::Rule("Latest needs at least 1 period".into()),
        ));
    }
    let interp: Option<Vec<usize>> = match &opts.interp_at {
        None => None,
        Some(ts) if ts.is_empty() => Some((0..times.len()).collect()),
        Some(ts) => {
            in_panel("interp_at", ts)?;
            Some(
                (0..times.len())
                    .filter(|&k| ts.contains(&times[k]))
                    .collect(),
            )
        }
    };
    let directions: HashMap<&str, f64> = match (opts.adjust_directions, framework) {
        (false, _) => HashMap::new(),
        (true, None) => {
            return Err(Error::incompatible(
                "adjust_directions",
                "needs the framework that gives the directions",
            ));
        }
        (true, Some(fw)) => fw
            .spec()
            .indicators
            .iter()
            .map(|i| (i.code.as_str(), i.direction.sign()))
            .collect(),
    };

    let all_units = panel.unit_codes();
    let units: Vec<String> = match &opts.units {
        Some(u) => {
            if let Some(bad) = u.iter().find(|c| !all_units.contains(c)) {
                return Err(Error::unknown_name(
                    "unit",
                    bad.as_str(),
                    all_units.iter().cloned(),
                ));
            }
            u.clone()
        }
        None => all_units,
    };
    let mut all_cols: Vec<String> = Vec::new();
    for p in panel.periods() {
        for c in p.data.columns() {
            if !all_cols.contains(c) {
                all_cols.push(c.clone());
            }
        }
    }
    let columns: Vec<String> = match &opts.columns {
        Some(c) => {
            if let Some(bad) = c.iter().find(|x| !all_cols.contains(x)) {
                return Err(Error::unknown_name(
                    "column",
                    bad.as_str(),
                    all_cols.iter().cloned(),
                ));
            }
            c.clone()
        }
        None => all_cols,
    };

    // row of every chosen unit and position of every chosen column in every period (None = absent)
    let lookup = |names: &[String], of: &dyn Fn(&crate::Dataset) -> &[String]| {
        let mut table = vec![vec![None; panel.periods().len()]; names.len()];
        for (k, p) in panel.periods().iter().enumerate() {
            let at: HashMap<&str, usize> = of(&p.data)
                .iter()
                .enumerate()
                .map(|(i, c)| (c.as_str(), i))
                .collect();
            for (row, name) in table.iter_mut().zip(names) {
                if let Some(slot) = row.get_mut(k) {
                    *slot = at.get(name.as_str()).copied();
                }
            }
        }
        table
    };
    let unit_rows = lookup(&units, &|d| d.unit_codes());
    let column_pos = lookup(&columns, &|d| d.columns());
    // each unit's own periods (COINr works on the unit's rows; interpolation adds rows at
    // `interp_at`), the same for every column
    let present: Vec<Vec<bool>> = unit_rows
        .iter()
        .map(|unit_at| {
            (0..times.len())
                .map(|k| {
                    unit_at.get(k).is_some_and(Option::is_some)
                        || interp.as_ref().is_some_and(|at| at.contains(&k))
                })
                .collect()
        })
        .collect();

    let mut rows = Vec::with_capacity(units.len() * columns.len());
    for (column, col_at) in columns.iter().zip(&column_pos) {
        for ((unit, unit_at), present) in units.iter().zip(&unit_rows).zip(&present) {
            // the full series (NaN = missing or no row)
            let raw: Vec<f64> = panel
                .periods()
                .iter()
                .zip(unit_at.iter().zip(col_at))
                .map(|(p, pos)| match pos {
                    (Some(i), Some(j)) => {
                        p.data.values().get([*i, *j]).copied().unwrap_or(f64::NAN)
                    }
                    _ => f64::NAN,
                })
                .collect();
            let mut y = raw.clone();
            if let Some(at) = &interp {
                interpolate(&times, &raw, at, &mut y);
            }
            let dir = directions.get(column.as_str()).copied().unwrap_or(1.0);
            let series = Series {
                times: &times,
                present,
                raw: &raw,
                y: &y,
            };
            rows.push(one_trend(unit, column, &series, &window, opts, dir));
        }
    }
    rows.sort_by(|a, b| a.column.cmp(&b.column).then_with(|| a.unit.cmp(&b.unit)));
    Ok(Trends {
        metric: opts.metric,
        rows,
    })
}

/// Linear interpolation of `raw` at the period indices `at`, between the nearest observed points only
/// (R `approx` with `rule = 1`, as COINr's `approx_df`).
fn interpolate(times: &[f64], raw: &[f64], at: &[usize], y: &mut [f64]) {
    let observed: Vec<usize> = (0..raw.len()).filter(|&k| !raw[k].is_nan()).collect();
    if observed.len() < 2 {
        return;
    }
    for &k in at {
        if !raw[k].is_nan() {
            continue;
        }
        let b_at = observed.partition_point(|&o| o < k);
        if let (Some(&a), Some(&b)) = (
            b_at.checked_sub(1).and_then(|i| observed.get(i)),
            observed.get(b_at),
        ) {
            let (ya, yb) = (raw[a], raw[b]);
            y[k] = ya + (yb - ya) * ((times[k] - times[a]) / (times[b] - times[a]));
        }
    }
}

/// One unit's series of one column over the panel's periods.
struct Series<'a> {
    times: &'a [f64],
    /// Whether the unit has a row in the period (or the period is interpolated at).
    present: &'a [bool],
    /// Observed values (NaN = missing or no row).
    raw: &'a [f64],
    /// Values after interpolation.
    y: &'a [f64],
}

fn one_trend(
    unit: &str,
    column: &str,
    s: &Series<'_>,
    window: &[usize],
    opts: &TrendOptions,
    direction: f64,
) -> TrendRow {
    let (times, raw, y) = (s.times, s.raw, s.y);
    let mut row = TrendRow {
        unit: unit.to_string(),
        column: column.to_string(),
        value: f64::NAN,
        n_points: 0,
        availability: 0.0,
        t_first: f64::NAN,
        t_latest: f64::NAN,
        note: None,
    };
    let present = |k: &usize| s.present.get(*k).copied().unwrap_or(false);
    // the periods used: the window's periods in which the unit has a row
    let used: Vec<usize> = match opts.window {
        TrendWindow::Latest(n) => {
            let own: Vec<usize> = (0..y.len()).filter(present).collect();
            let Some(last) = own.iter().rposition(|&k| !y[k].is_nan()) else {
                row.note = Some("no observed value".into());
                return row;
            };
            if last + 1 < n {
                row.availability = f64::NAN;
                row.note = Some(format!(
                    "the latest observation ({}) has fewer than {n} of the unit's periods up to it",
                    time_label(times[own[last]])
                ));
                return row;
            }
            own[last + 1 - n..=last].to_vec()
        }
        _ => window.iter().copied().filter(present).collect(),
    };
    if used.is_empty() {
        row.availability = f64::NAN;
        row.note = Some("the unit has no row in the window".into());
        return row;
    }
    let observed: Vec<usize> = used.iter().copied().filter(|&k| !raw[k].is_nan()).collect();
    row.availability = observed.len() as f64 / used.len() as f64;
    if let (Some(&f), Some(&l)) = (observed.first(), observed.last()) {
        row.t_first = times[f];
        row.t_latest = times[l];
    }
    let (t, v): (Vec<f64>, Vec<f64>) = used
        .iter()
        .filter(|&&k| !y[k].is_nan())
        .map(|&k| (times[k], y[k]))
        .unzip();
    row.n_points = t.len();
    if t.len() < opts.min_points {
        row.note = Some(format!(
            "{} non-missing point(s) in the window, fewer than min_points = {}",
            t.len(),
            opts.min_points
        ));
        return row;
    }
    match opts.metric.eval(&t, &v) {
        Ok(m) => row.value = m * direction,
        Err(note) => row.note = Some(note),
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_by_hand() {
        let t = [2018.0, 2019.0, 2020.0, 2021.0];
        let y = [2.0, 3.0, 5.0, 6.0];
        // slope: t̄ = 2019.5, ȳ = 4; Σ(t−t̄)(y−ȳ) = (−1.5)(−2) + (−0.5)(−1) + (0.5)(1) + (1.5)(2) = 7;
        // Σ(t−t̄)² = 5 → 1.4
        let s = TrendMetric::Slope.eval(&t, &y).unwrap();
        assert!((s - 1.4).abs() < 1e-12, "{s}");
        // CAGR: (6/2)^(1/3) − 1
        let c = TrendMetric::Cagr.eval(&t, &y).unwrap();
        assert!((c - (3.0f64.cbrt() - 1.0)).abs() < 1e-15);
        // prc_change, 4 points: a = ȳ − b·t̄ = 4 − 1.4·2019.5; base = a + b·2018 = 4 − 1.4·1.5 = 1.9;
        // 1.4·1/1.9·100 = 73.684210526...
        let p = TrendMetric::PrcChange { per: 1.0 }.eval(&t, &y).unwrap();
        assert!((p - 140.0 / 1.9).abs() < 1e-9, "{p}");
        // 0.5, 0.6, 0.7 over three years: slope 0.1, fitted first value 0.5 → 20 % a year (the
        // intercept form a + b·t_f gave 20.000000000001133)
        let p3 = TrendMetric::PrcChange { per: 1.0 }
            .eval(&[2018.0, 2019.0, 2020.0], &[0.5, 0.6, 0.7])
            .unwrap();
        assert!((p3 - 20.0).abs() < 1e-13, "{p3}");
        // prc_change, 2 points: (6 − 2)·100/2 · 10/3 = 666.67
        let p2 = TrendMetric::PrcChange { per: 10.0 }
            .eval(&[2018.0, 2021.0], &[2.0, 6.0])
            .unwrap();
        assert!((p2 - 2000.0 / 3.0).abs() < 1e-9);
        // COINr special cases
        assert_eq!(TrendMetric::Cagr.eval(&t[..2], &[0.0, 0.0]), Ok(0.0));
        assert!(TrendMetric::Cagr.eval(&t[..2], &[0.0, 1.0]).is_err());
        // a sign change: R's `(-1)^(1/1)` is −1 (CAGR −2), `(-1)^(1/2)` is NaN
        assert_eq!(TrendMetric::Cagr.eval(&t[..2], &[-1.0, 1.0]), Ok(-2.0));
        assert!(
            TrendMetric::Cagr
                .eval(&[2018.0, 2020.0], &[-1.0, 1.0])
                .is_err()
        );
        assert!(TrendMetric::Slope.eval(&[], &[]).is_err());
        assert!(TrendMetric::Slope.eval(&t[..1], &y[..1]).is_err());
        assert_eq!(
            TrendMetric::PrcChange { per: 1.0 }.eval(&t, &[3.0; 4]),
            Ok(0.0)
        );
    }
}
