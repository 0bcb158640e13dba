//! Panel data and per-period builds: COINr's "purse" (a set of coins, one per time point).
//!
//! * [`PanelData`]: one [`Dataset`] per period (`Time`), read from COINr's panel iData by
//!   [`read_idata_panel`](crate::io::read_idata_panel) or assembled by [`PanelData::new`].
//! * [`Purse`]: the same [`PipelineConfig`] run on every period, with the normalisation scale fitted
//!   either per period or once on all periods pooled ([`NormalisationScope::Global`], COINr
//!   `Normalise(purse, global = TRUE)`), and [`Purse::score_period`] to score a new period on the
//!   purse's scale with an explicit [`OutOfRangePolicy`].
//! * [`PurseScores`]: every unit's node scores and index rank per period, as one long table (`uCode`,
//!   `Time`, node columns, `Rank`), written to CSV through [`write_atomic`](crate::io::write_atomic).
//!
//! Panel imputation is in [`impute_panel`](super::impute_panel) and trends in [`trends`](super::trends).

use std::collections::HashMap;
use std::io::Write;

use ndarray::Axis;
use serde::{Deserialize, Serialize};

use super::csv_rows::{CsvTable, write_rows};
use crate::data::Dataset;
use crate::error::{Error, Expected, Result};
use crate::io::format_f64;
use crate::normalise::{FittedParams, NormaliserKind, OutOfRangePolicy};
use crate::pipeline::{Pipeline, PipelineConfig, PipelineResult};
use crate::score::Scorer;
use crate::spec::Framework;

/// How a period's time is written in messages and tables (`2018`, `2020.5`).
pub(crate) fn time_label(t: f64) -> String {
    format_f64(t)
}

/// One period of a panel: its time and its data (one row per unit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Period {
    /// The period's time (COINr's `Time`; years in the ASEM panel).
    pub time: f64,
    /// The units' data in that period.
    pub data: Dataset,
}

/// A unit that has a row in some periods of a panel but not in this one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbsentUnit {
    /// The unit's code.
    #[serde(rename = "uCode")]
    pub unit: String,
    /// The period without a row for it.
    #[serde(rename = "Time")]
    pub time: f64,
}

/// Panel data: one [`Dataset`] per period, periods in ascending time.
///
/// Periods may hold different units (COINr allows it): [`PanelData::absent`] lists every (unit, period)
/// without a row, and [`PanelData::require_balanced`] turns that into an error where a balanced panel
/// is needed. Nothing is dropped or filled in silently.
///
/// ```
/// use composite_indicators::Dataset;
/// use composite_indicators::study::purse::PanelData;
/// use ndarray::array;
/// let y1 = Dataset::new(vec!["A".into(), "B".into()], vec!["x".into()], array![[1.0], [2.0]])?;
/// let y2 = Dataset::new(vec!["A".into()], vec!["x".into()], array![[3.0]])?;
/// let panel = PanelData::new(vec![(2021.0, y2), (2020.0, y1)])?;
/// assert_eq!(panel.times(), vec![2020.0, 2021.0]);
/// assert_eq!(panel.absent()[0].unit, "B");
/// assert!(panel.require_balanced().is_err());
/// // JSON round trip; what is read is validated like `new`
/// let json = serde_json::to_string(&panel).unwrap();
/// assert_eq!(serde_json::from_str::<PanelData>(&json).unwrap(), panel);
/// assert!(serde_json::from_str::<PanelData>(r#"{"periods":[]}"#).is_err());
/// # Ok::<(), composite_indicators::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "PanelRepr")]
pub struct PanelData {
    periods: Vec<Period>,
}

/// The serde form of [`PanelData`], validated by [`PanelData::new`] when read.
#[derive(Deserialize)]
struct PanelRepr {
    periods: Vec<Period>,
}

impl TryFrom<PanelRepr> for PanelData {
    type Error = Error;
    fn try_from(r: PanelRepr) -> Result<PanelData> {
        PanelData::new(r.periods.into_iter().map(|p| (p.time, p.data)).collect())
    }
}

impl PanelData {
    /// A panel from `(time, data)` pairs in any order; periods are sorted by time.
    ///
    /// # Errors
    /// [`Error::EmptyData`] for no period; [`Error::InvalidParameter`] (`Time`) for a non-finite time;
    /// [`Error::NamedTwice`] (`period`) for a time given twice. (A period cannot be empty: a
    /// [`Dataset`] has at least one unit.)
    pub fn new(periods: Vec<(f64, Dataset)>) -> Result<PanelData> {
        if periods.is_empty() {
            return Err(Error::EmptyData {
                what: "a panel needs at least one period".into(),
            });
        }
        let mut periods: Vec<Period> = periods
            .into_iter()
            .map(|(time, data)| Period { time, data })
            .collect();
        if let Some(p) = periods.iter().find(|p| !p.time.is_finite()) {
            return Err(Error::invalid("Time", p.time, Expected::Finite));
        }
        periods.sort_by(|a, b| a.time.total_cmp(&b.time));
        if let Some(w) = periods.windows(2).find(|w| w[0].time == w[1].time) {
            return Err(Error::NamedTwice {
                what: "period".into(),
                name: time_label(w[0].time),
            });
        }
        Ok(PanelData { periods })
    }

    /// The periods, ascending in time.
    pub fn periods(&self) -> &[Period] {
        &self.periods
    }

    /// The times, ascending.
    pub fn times(&self) -> Vec<f64> {
        self.periods.iter().map(|p| p.time).collect()
    }

    /// The data of the period at `time`.
    ///
    /// # Errors
    /// [`Error::EmptyPeriod`] when the panel has no such period.
    ///
    /// ```
    /// # use composite_indicators::Dataset;
    /// # use composite_indicators::study::purse::PanelData;
    /// # use ndarray::array;
    /// let y = Dataset::new(vec!["A".into()], vec!["x".into()], array![[1.0]])?;
    /// let panel = PanelData::new(vec![(2020.0, y)])?;
    /// assert_eq!(panel.period(2020.0)?.n_units(), 1);
    /// assert!(panel.period(2019.0).is_err());
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    pub fn period(&self, time: f64) -> Result<&Dataset> {
        self.periods
            .iter()
            .find(|p| p.time == time)
            .map(|p| &p.data)
            .ok_or_else(|| Error::EmptyPeriod {
                time: time_label(time),
            })
    }

    /// Check that the panel holds every period in `times`.
    ///
    /// # Errors
    /// [`Error::EmptyPeriod`] naming the first period without units.
    ///
    /// ```
    /// # use composite_indicators::Dataset;
    /// # use composite_indicators::study::purse::PanelData;
    /// # use ndarray::array;
    /// let y = Dataset::new(vec!["A".into()], vec!["x".into()], array![[1.0]])?;
    /// let panel = PanelData::new(vec![(2020.0, y)])?;
    /// assert!(panel.require_periods(&[2020.0]).is_ok());
    /// assert_eq!(panel.require_periods(&[2020.0, 2021.0]).unwrap_err().to_string(),
    ///            "period 2021 has no units in the panel");
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    pub fn require_periods(&self, times: &[f64]) -> Result<()> {
        for &t in times {
            self.period(t)?;
        }
        Ok(())
    }

    /// Every unit code of any period, in order of first appearance (earliest period first).
    pub fn unit_codes(&self) -> Vec<String> {
        let mut seen = HashMap::new();
        let mut out = Vec::new();
        for p in &self.periods {
            for u in p.data.unit_codes() {
                if seen.insert(u.as_str(), ()).is_none() {
                    out.push(u.clone());
                }
            }
        }
        out
    }

    /// Every (unit, period) pair without a row: units of [`PanelData::unit_codes`] missing from a
    /// period, listed period by period.
    pub fn absent(&self) -> Vec<AbsentUnit> {
        let all = self.unit_codes();
        let mut out = Vec::new();
        for p in &self.periods {
            for u in &all {
                if p.data.unit_position(u).is_err() {
                    out.push(AbsentUnit {
                        unit: u.clone(),
                        time: p.time,
                    });
                }
            }
        }
        out
    }

    /// Check that every unit has a row in every period.
    ///
    /// # Errors
    /// [`Error::UnbalancedPanel`] naming the first unit (in [`PanelData::unit_codes`] order) that is
    /// absent somewhere, with all the periods it is absent from.
    pub fn require_balanced(&self) -> Result<()> {
        let absent = self.absent();
        let Some(first) = absent.first() else {
            return Ok(());
        };
        let times = absent
            .iter()
            .filter(|a| a.unit == first.unit)
            .map(|a| time_label(a.time))
            .collect();
        Err(Error::UnbalancedPanel {
            unit: first.unit.clone(),
            absent: times,
        })
    }
}

impl CsvTable for PanelData {
    /// The panel in long form as CSV: `uCode`, `uName`, the group columns, `Time`, then every numeric
    /// column of any period (first-appearance order; a column a period lacks is empty there), one row
    /// per unit and period, periods in time order. Group columns are those of the first period that has
    /// each; a unit without a group label in a period gets an empty field.
    ///
    /// # Errors
    /// [`Error::Io`] when writing fails.
    ///
    /// ```
    /// # use composite_indicators::Dataset;
    /// # use composite_indicators::study::CsvTable;
    /// # use composite_indicators::study::purse::PanelData;
    /// # use ndarray::array;
    /// let y1 = Dataset::new(vec!["A".into()], vec!["x".into()], array![[1.5]])?;
    /// let y2 = Dataset::new(vec!["A".into()], vec!["x".into()], array![[f64::NAN]])?;
    /// let panel = PanelData::new(vec![(2020.0, y1), (2021.0, y2)])?;
    /// assert_eq!(panel.to_csv_string()?, "uCode,uName,Time,x\nA,A,2020,1.5\nA,A,2021,\n");
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    fn write_csv<W: Write>(&self, writer: W) -> Result<()> {
        let mut cols: Vec<&str> = Vec::new();
        let mut groups: Vec<&str> = Vec::new();
        for p in &self.periods {
            for c in p.data.columns() {
                if !cols.contains(&c.as_str()) {
                    cols.push(c);
                }
            }
            for (g, _) in p.data.groups() {
                if !groups.contains(&g.as_str()) {
                    groups.push(g);
                }
            }
        }
        let mut header = vec!["uCode", "uName"];
        header.extend(&groups);
        header.push("Time");
        header.extend(&cols);
        let mut rows = Vec::new();
        for p in &self.periods {
            let d = &p.data;
            for (i, (code, name)) in d.unit_codes().iter().zip(d.unit_names()).enumerate() {
                let mut row = vec![code.clone(), name.clone()];
                for g in &groups {
                    let label = d
                        .group(g)
                        .ok()
                        .and_then(|l| l.get(i))
                        .cloned()
                        .unwrap_or_default();
                    row.push(label);
                }
                row.push(time_label(p.time));
                for c in &cols {
                    let v = d
                        .column_position(c)
                        .ok()
                        .and_then(|j| d.values().get([i, j]).copied())
                        .unwrap_or(f64::NAN);
                    row.push(format_f64(v));
                }
                rows.push(row);
            }
        }
        write_rows(writer, "panel CSV output", header, rows)
    }
}

/// Where the normalisation scale of a [`Purse`] is fitted.
///
/// ```
/// use composite_indicators::study::purse::NormalisationScope;
/// assert_eq!(NormalisationScope::default(), NormalisationScope::Global);
/// assert_eq!(serde_json::to_string(&NormalisationScope::PerPeriod).unwrap(), r#""per_period""#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NormalisationScope {
    /// Each period is normalised on its own data (COINr `Normalise(purse, global = FALSE)`): scores
    /// compare units within a period, not periods with each other.
    PerPeriod,
    /// One scale fitted on the prepared data of all periods pooled (COINr
    /// `Normalise(purse, global = TRUE)`, COINr's default): e.g. min-max uses each indicator's minimum
    /// and maximum over every unit and period, so scores are comparable over time.
    #[default]
    Global,
}

/// One period of a [`Purse`]: its time and the whole pipeline run.
#[derive(Debug)]
pub struct PurseEntry {
    /// The period's time.
    pub time: f64,
    /// The build of that period (every stage's data set, every step's report, scores).
    pub result: PipelineResult,
}

/// Per-period builds of a [`PanelData`] with one framework and one [`PipelineConfig`] (COINr's
/// purse: `new_coin` on panel iData, then the same build steps applied to every coin).
///
/// Build ([`Purse::build`]):
/// 1. Every period runs the preparation steps (denominate → impute → screen → treat) on its own data,
///    as COINr applies a step to each coin of a purse (`Impute.purse`, `Screen.purse`, `Treat.purse`
///    with their defaults work coin by coin). For imputation across periods use
///    [`ImputePanel`](super::impute_panel::ImputePanel) on the panel first.
/// 2. Normalisation: [`NormalisationScope::PerPeriod`] fits each period's scale on that period's
///    prepared data; [`NormalisationScope::Global`] fits one scale on the prepared (treated) data of
///    all periods stacked into one table, as COINr's `Normalise.purse(global = TRUE)` passes the
///    row-bound data sets of every coin (`get_dset(purse, dset)`, the `Time` column removed) to
///    `Normalise()` once and splits the result by `Time`. Every period is then normalised and aggregated
///    on that scale ([`Pipeline::run_on_scale`]).
/// 3. Aggregation per period with the configured weights and aggregators.
///
/// Units screened out in a period are in that period's report ([`PipelineResult::removed_units`]);
/// units without a row in a period are in [`Purse::absent`]. The global scale needs normalisers whose
/// fitted state is [`FittedParams`] (every built-in method); a distance to a reference unit is refused
/// under the global scope, because the pooled table holds the reference once per period.
///
/// ```
/// use composite_indicators::io;
/// use composite_indicators::pipeline::PipelineConfig;
/// use composite_indicators::study::purse::{NormalisationScope, Purse};
/// let meta = io::read_imeta_path("data/asem/iMeta.csv")?;
/// let panel = io::read_idata_panel_path("data/asem/iData_p.csv", &meta)?;
/// let fw = meta.spec.check()?;
/// let purse = Purse::build(&panel, &fw, PipelineConfig::coinr_example(), NormalisationScope::Global)?;
/// assert_eq!(purse.times(), vec![2018.0, 2019.0, 2020.0, 2021.0, 2022.0]);
/// // one scale for all years: min-max [0, 100] of the pooled data
/// let lpi = purse.scale(2022.0)?.into_iter().find(|p| p.indicator == "LPI").unwrap();
/// assert_eq!(lpi, purse.scale(2018.0)?.into_iter().find(|p| p.indicator == "LPI").unwrap());
/// # Ok::<(), composite_indicators::Error>(())
/// ```
#[derive(Debug)]
pub struct Purse {
    framework: Framework,
    pipeline: Pipeline,
    scope: NormalisationScope,
    entries: Vec<PurseEntry>,
    global_scale: Option<Vec<FittedParams>>,
    absent: Vec<AbsentUnit>,
}

impl Purse {
    /// Build every period of `panel` (see the type's docs).
    ///
    /// # Errors
    /// Any error of a period's pipeline, wrapped in [`Error::InPeriod`] naming the period; an error of
    /// the pooled fit (e.g. [`Error::ZeroRange`] if an indicator is constant over all periods) as it is;
    /// [`Error::Incompatible`] for a distance-to-reference normaliser under the global scope.
    pub fn build(
        panel: &PanelData,
        fw: &Framework,
        config: PipelineConfig,
        scope: NormalisationScope,
    ) -> Result<Purse> {
        let pipeline = Pipeline::new(config);
        let in_period = |t: f64| {
            move |e: Error| Error::InPeriod {
                time: time_label(t),
                source: Box::new(e),
            }
        };
        let mut entries = Vec::with_capacity(panel.periods().len());
        let mut global_scale = None;
        match scope {
            NormalisationScope::PerPeriod => {
                for p in panel.periods() {
                    let result = pipeline.run(&p.data, fw).map_err(in_period(p.time))?;
                    entries.push(PurseEntry {
                        time: p.time,
                        result,
                    });
                }
            }
            NormalisationScope::Global => {
                let sc = &pipeline.config().scorer;
                let by_ref = |k: &NormaliserKind| matches!(k, NormaliserKind::DistToRef { .. });
                if by_ref(&sc.normalise) || sc.normalise_overrides.values().any(by_ref) {
                    return Err(Error::incompatible(
                        "normalise",
                        "a distance to a reference unit cannot be fitted globally: the pooled \
                         periods hold the reference unit once per period",
                    ));
                }
                // 1. prepare every period (the configured normaliser is not fitted per period: a
                //    period on its own may well be unfit for it, e.g. an indicator constant within
                //    one year has a zero min-max range, while the pooled data are fine)
                let mut stages = Vec::with_capacity(panel.periods().len());
                for p in panel.periods() {
                    let st = pipeline
                        .prepare_stages(&p.data, fw)
                        .map_err(in_period(p.time))?;
                    stages.push(st);
                }
                // 2. one scale on the pooled prepared data
                let prepared: Vec<&Dataset> = panel
                    .periods()
                    .iter()
                    .zip(&stages)
                    .map(|(p, st)| st.prepared(&p.data))
                    .collect();
                let pooled = pool(panel, &prepared, fw)?;
                let scorer = Scorer::from_config(fw.clone(), &pipeline.config().scorer)?;
                let scale = scorer.fit(&pooled)?.params()?;
                // 3. every period's prepared data on that scale
                for (p, st) in panel.periods().iter().zip(stages) {
                    let result = pipeline
                        .score_stages(&p.data, fw, st, Some(scale.clone()))
                        .map_err(in_period(p.time))?;
                    entries.push(PurseEntry {
                        time: p.time,
                        result,
                    });
                }
                global_scale = Some(scale);
            }
        }
        Ok(Purse {
            framework: fw.clone(),
            pipeline,
            scope,
            entries,
            global_scale,
            absent: panel.absent(),
        })
    }

    /// The framework.
    pub fn framework(&self) -> &Framework {
        &self.framework
    }

    /// The pipeline every period ran.
    pub fn pipeline(&self) -> &Pipeline {
        &self.pipeline
    }

    /// Where the scale was fitted.
    pub fn scope(&self) -> NormalisationScope {
        self.scope
    }

    /// The periods' times, ascending.
    pub fn times(&self) -> Vec<f64> {
        self.entries.iter().map(|e| e.time).collect()
    }

    /// Every period's build, in time order.
    pub fn entries(&self) -> &[PurseEntry] {
        &self.entries
    }

    /// The build of the period at `time`.
    ///
    /// # Errors
    /// [`Error::EmptyPeriod`] when the purse has no such period.
    pub fn result(&self, time: f64) -> Result<&PipelineResult> {
        self.entries
            .iter()
            .find(|e| e.time == time)
            .map(|e| &e.result)
            .ok_or_else(|| Error::EmptyPeriod {
                time: time_label(time),
            })
    }

    /// The global scale (one [`FittedParams`] per indicator), or `None` for
    /// [`NormalisationScope::PerPeriod`].
    pub fn global_scale(&self) -> Option<&[FittedParams]> {
        self.global_scale.as_deref()
    }

    /// The scale the period at `time` was normalised on (the global scale, or that period's own).
    ///
    /// # Errors
    /// [`Error::EmptyPeriod`]; the error of [`FittedScorer::params`](crate::score::FittedScorer::params)
    /// for a custom normaliser without parameters.
    pub fn scale(&self, time: f64) -> Result<Vec<FittedParams>> {
        match &self.global_scale {
            Some(s) => {
                self.result(time)?;
                Ok(s.clone())
            }
            None => self.result(time)?.fitted().params(),
        }
    }

    /// Every (unit, period) pair of the input panel without a row (see [`PanelData::absent`]).
    pub fn absent(&self) -> &[AbsentUnit] {
        &self.absent
    }

    /// One data set of every period as a panel, by COINr's stage name (`"Raw"`, `"Treated"`,
    /// `"Normalised"`, `"Aggregated"`, ...; COINr `get_dset(purse, dset)`), e.g. the input of
    /// [`trends`](super::trends::trends) for aggregate scores.
    ///
    /// # Errors
    /// As [`PipelineResult::dataset`] (unknown name, disabled step).
    pub fn panel(&self, stage: &str) -> Result<PanelData> {
        let mut periods = Vec::with_capacity(self.entries.len());
        for e in &self.entries {
            periods.push((e.time, e.result.dataset(stage)?.clone()));
        }
        PanelData::new(periods)
    }

    /// Score new data (a new period) with the purse's pipeline on the purse's scale: the global scale,
    /// or under [`NormalisationScope::PerPeriod`] the scale of the latest period; `policy` says what
    /// happens to values outside that scale's range ([`OutOfRangePolicy::Clamp`] keeps min-max scores
    /// inside `[lo, hi]`, so a geometric mean over a positive range cannot fail on them).
    ///
    /// # Errors
    /// As [`Pipeline::run_on_scale`]; [`Error::EmptyPeriod`] for an empty purse.
    pub fn score_period(&self, data: &Dataset, policy: OutOfRangePolicy) -> Result<PipelineResult> {
        let latest = self
            .entries
            .last()
            .map(|e| e.time)
            .ok_or_else(|| Error::EmptyPeriod {
                time: "(none)".into(),
            })?;
        let scale = self
            .scale(latest)?
            .into_iter()
            .map(|p| p.with_out_of_range(policy))
            .collect();
        self.pipeline.run_on_scale(data, &self.framework, scale)
    }

    /// Every unit's node scores and index rank in every period.
    pub fn scores(&self) -> PurseScores {
        let mut nodes: Vec<String> = Vec::new();
        let mut rows = Vec::new();
        for e in &self.entries {
            let s = e.result.scores();
            if nodes.is_empty() {
                nodes = s.node_codes().iter().map(|c| c.to_string()).collect();
            }
            let ranks = s.index_ranks();
            for (i, u) in s.unit_codes().iter().enumerate() {
                rows.push(PurseScoreRow {
                    unit: u.clone(),
                    time: e.time,
                    values: s.values().row(i).to_vec(),
                    rank: ranks.get(i).copied().unwrap_or(f64::NAN),
                });
            }
        }
        PurseScores { nodes, rows }
    }
}

/// The prepared data of every period stacked (framework indicator columns only), units renamed
/// `code@time` so that each row is unique.
fn pool(panel: &PanelData, prepared: &[&Dataset], fw: &Framework) -> Result<Dataset> {
    let codes = fw.indicator_codes();
    let mut blocks = Vec::with_capacity(prepared.len());
    let mut units = Vec::new();
    for (p, d) in panel.periods().iter().zip(prepared) {
        blocks.push(d.select(&codes)?);
        let t = time_label(p.time);
        units.extend(d.unit_codes().iter().map(|u| format!("{u}@{t}")));
    }
    let views: Vec<_> = blocks.iter().map(|b| b.view()).collect();
    let values = ndarray::concatenate(Axis(0), &views).map_err(|_| Error::ShapeMismatch {
        what: "indicator columns of the pooled periods".into(),
        expected: codes.len(),
        found: 0,
    })?;
    Dataset::new(units, codes.iter().map(|c| c.to_string()).collect(), values)
}

/// One row of [`PurseScores`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PurseScoreRow {
    /// The unit.
    #[serde(rename = "uCode")]
    pub unit: String,
    /// The period.
    #[serde(rename = "Time")]
    pub time: f64,
    /// The scores of every node ([`PurseScores::nodes`] order); NaN = missing.
    #[serde(with = "crate::serde_nan::vec")]
    pub values: Vec<f64>,
    /// The index rank within the period (the scorer's tie rule).
    #[serde(with = "crate::serde_nan::num")]
    pub rank: f64,
}

/// The scores of a [`Purse`] as one long table.
///
/// ```
/// use composite_indicators::io;
/// use composite_indicators::pipeline::PipelineConfig;
/// use composite_indicators::study::CsvTable;
/// use composite_indicators::study::purse::{NormalisationScope, Purse};
/// let meta = io::read_imeta_path("data/asem/iMeta.csv")?;
/// let panel = io::read_idata_panel_path("data/asem/iData_p.csv", &meta)?;
/// let fw = meta.spec.check()?;
/// let purse = Purse::build(&panel, &fw, PipelineConfig::default(), NormalisationScope::PerPeriod)?;
/// let table = purse.scores();
/// assert_eq!(table.rows.len(), 51 * 5);
/// assert!(table.to_csv_string()?.starts_with("uCode,Time,LPI,"));
/// # Ok::<(), composite_indicators::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PurseScores {
    /// Node codes (indicators, aggregates bottom-up, the index last).
    pub nodes: Vec<String>,
    /// One row per unit and period, periods in time order, units in each period's order.
    pub rows: Vec<PurseScoreRow>,
}

impl PurseScores {}

impl CsvTable for PurseScores {
    /// CSV: `uCode`, `Time`, one column per node, `Rank` (the index rank in the period).
    ///
    /// # Errors
    /// [`Error::Io`] when writing fails.
    fn write_csv<W: Write>(&self, writer: W) -> Result<()> {
        let mut header = vec!["uCode".to_string(), "Time".to_string()];
        header.extend(self.nodes.iter().cloned());
        header.push("Rank".into());
        let mut rows = Vec::new();
        for r in &self.rows {
            let mut row = vec![r.unit.clone(), time_label(r.time)];
            row.extend(r.values.iter().map(|&v| format_f64(v)));
            row.push(format_f64(r.rank));
            rows.push(row);
        }
        write_rows(writer, "purse scores CSV output", header, rows)
    }
}
