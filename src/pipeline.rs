//! [`Pipeline`]: the whole build, denominate → impute → screen → treat → normalise → aggregate, from one
//! serde-serialisable [`PipelineConfig`], keeping every intermediate data set and every step's report.
//!
//! *Flow:* spec → data → prepare → normalise → aggregate → score → **pipeline** → sweep. The whole build (prepare → normalise → score) from one config.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::aggregate::AggregatorKind;
use crate::data::Dataset;
use crate::error::{Error, Expected, Result};
use crate::normalise::{FittedParams, NormaliserKind};
use crate::prepare::{
    Denominate, DenominateReport, Impute, ImputeMethod, ImputeReport, Screen, ScreenReport, Step,
    Treat, TreatReport,
};
use crate::score::{FittedScorer, Scorer, ScorerConfig, Scores};
use crate::spec::Framework;

/// The methods of a whole build: one optional entry per preparation step (`None` = the step is
/// disabled and its input passes through unchanged) and the [`ScorerConfig`] for normalisation,
/// weighting and aggregation.
///
/// Every field is serde-serialisable (JSON and TOML; a disabled step is simply absent), so a sensitivity
/// analysis can describe alternatives for any step as edited configs, in the spirit of COINr's
/// `SA_specs` (an address in the build log plus a list of alternative values): see
/// [`PipelineConfig::with_setting`]. Unknown fields are rejected.
///
/// ```
/// use composite_indicators::pipeline::PipelineConfig;
/// let cfg: PipelineConfig = toml::from_str(
///     r#"
///     [screen]
///     threshold = 0.9
///     [treat]
///     winmax = 5
///     [scorer.normalise]
///     method = "min_max"
///     lo = 0.0
///     hi = 100.0
///     "#,
/// )
/// .unwrap();
/// assert!(cfg.denominate.is_none() && cfg.impute.is_none());
/// assert_eq!(cfg.screen.as_ref().unwrap().threshold, 0.9);
/// assert_eq!(cfg.treat.as_ref().unwrap().winmax, Some(5));
/// let back: PipelineConfig = toml::from_str(&toml::to_string(&cfg).unwrap()).unwrap();
/// assert_eq!(back, cfg);
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PipelineConfig {
    /// Denomination (COINr `Denominate()`), or `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub denominate: Option<Denominate>,
    /// Imputation (COINr `Impute()`), or `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impute: Option<Impute>,
    /// Unit screening (COINr `Screen()`), or `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screen: Option<Screen>,
    /// Outlier treatment (COINr `Treat()`), or `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub treat: Option<Treat>,
    /// Normalisation, weights and aggregation.
    pub scorer: ScorerConfig,
}

impl PipelineConfig {
    /// The build of COINr's `build_example_coin()` for the ASEM data: denominate by each indicator's
    /// denominator column, impute by the mean within `EurAsia_group`, screen units at 90 % data
    /// availability (after imputation), treat with COINr's default two-stage process and `winmax = 5`,
    /// min-max to [0, 100], arithmetic mean at every level (nominal weights, min ties).
    ///
    /// ```
    /// use composite_indicators::pipeline::PipelineConfig;
    /// let cfg = PipelineConfig::coinr_example();
    /// assert_eq!(cfg.screen.unwrap().threshold, 0.9);
    /// assert_eq!(cfg.treat.unwrap().winmax, Some(5));
    /// ```
    pub fn coinr_example() -> PipelineConfig {
        PipelineConfig {
            denominate: Some(Denominate::default()),
            impute: Some(Impute::new(ImputeMethod::GroupMean {
                group: "EurAsia_group".into(),
            })),
            screen: Some(Screen::new(0.9)),
            treat: Some(Treat {
                winmax: Some(5),
                ..Treat::default()
            }),
            scorer: ScorerConfig {
                normalise: NormaliserKind::MinMax { lo: 0.0, hi: 100.0 },
                aggregate: AggregatorKind::Arithmetic,
                ..ScorerConfig::default()
            },
        }
    }

    /// A copy with one setting replaced, addressed by a JSON pointer into the config's JSON form
    /// (RFC 6901, e.g. `/treat/winmax`, `/scorer/normalise`, `/screen`): the analogue of an `Address` in
    /// COINr's `SA_specs`. The edited config is deserialised again, so a value of the wrong type is an
    /// error, not a silent default. To enable a disabled step, set the whole step (`/screen` to
    /// `{"threshold": 0.8}`); to disable one, set it to `null`.
    ///
    /// Errors: [`Error::InvalidParameter`] naming the pointer when it does not address an existing
    /// field or the new value does not fit.
    ///
    /// ```
    /// use composite_indicators::pipeline::PipelineConfig;
    /// use serde_json::json;
    /// let base = PipelineConfig::coinr_example();
    /// let alt = base.with_setting("/treat/winmax", json!(2)).unwrap();
    /// assert_eq!(alt.treat.unwrap().winmax, Some(2));
    /// let off = base.with_setting("/screen", json!(null)).unwrap();
    /// assert!(off.screen.is_none());
    /// assert!(base.with_setting("/treat/winmax", json!("five")).is_err());
    /// assert!(base.with_setting("/nope/x", json!(1)).is_err());
    /// ```
    pub fn with_setting(&self, pointer: &str, value: serde_json::Value) -> Result<PipelineConfig> {
        let shown = value.to_string();
        let bad = |reason: String| {
            Error::invalid(
                format!("setting `{pointer}`"),
                &shown,
                Expected::Rule(reason),
            )
        };
        let mut v = serde_json::to_value(self).map_err(|e| bad(e.to_string()))?;
        // an absent (disabled) step or an absent optional field is not in the JSON form: insert it
        // into its parent object when the parent exists
        if v.pointer(pointer).is_none() {
            let (parent, key) = pointer
                .rsplit_once('/')
                .ok_or_else(|| bad("a JSON pointer starts with `/`".into()))?;
            let obj = v
                .pointer_mut(parent)
                .and_then(serde_json::Value::as_object_mut)
                .ok_or_else(|| bad("no such field in the configuration".into()))?;
            obj.insert(key.replace("~1", "/").replace("~0", "~"), value);
        } else if let Some(slot) = v.pointer_mut(pointer) {
            *slot = value;
        }
        serde_json::from_value(v).map_err(|e| bad(e.to_string()))
    }
}

/// The data sets of a pipeline run, named as COINr names them; ordered as the build makes them
/// (`Raw < Denominated < ... < Aggregated`, the order of [`Stage::ALL`]).
///
/// ```
/// use composite_indicators::pipeline::Stage;
/// let s: Stage = "Treated".parse().unwrap();
/// assert_eq!(s, Stage::Treated);
/// assert_eq!(Stage::Normalised.to_string(), "Normalised");
/// assert!("Cooked".parse::<Stage>().is_err());
/// assert!(Stage::Raw < Stage::Treated && Stage::Treated < Stage::Aggregated);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Stage {
    /// The input data.
    Raw,
    /// After [`Denominate`].
    Denominated,
    /// After [`Impute`].
    Imputed,
    /// After [`Screen`].
    Screened,
    /// After [`Treat`].
    Treated,
    /// Normalised indicators (units × indicators).
    Normalised,
    /// Every node's score (units × nodes: normalised indicators, then aggregates, the index last).
    Aggregated,
}

impl Stage {
    /// Every stage, in pipeline order.
    pub const ALL: [Stage; 7] = [
        Stage::Raw,
        Stage::Denominated,
        Stage::Imputed,
        Stage::Screened,
        Stage::Treated,
        Stage::Normalised,
        Stage::Aggregated,
    ];

    /// COINr's name of the data set (`"Raw"`, `"Denominated"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Stage::Raw => "Raw",
            Stage::Denominated => "Denominated",
            Stage::Imputed => "Imputed",
            Stage::Screened => "Screened",
            Stage::Treated => "Treated",
            Stage::Normalised => "Normalised",
            Stage::Aggregated => "Aggregated",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Stage {
    type Err = Error;
    /// Parse a COINr data-set name (exact, case-sensitive as in COINr).
    fn from_str(s: &str) -> Result<Stage> {
        Stage::ALL
            .into_iter()
            .find(|st| st.name() == s)
            .ok_or_else(|| {
                Error::invalid(
                    "dataset",
                    format!("`{s}`"),
                    Expected::OneOf(Stage::ALL.iter().map(|st| st.name().to_string()).collect()),
                )
            })
    }
}

/// The reports of the preparation steps that ran (`None` for a disabled step).
///
/// ```
/// use composite_indicators::pipeline::PipelineReports;
/// let r = PipelineReports::default();
/// assert!(r.denominate.is_none() && r.treat.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PipelineReports {
    /// What [`Denominate`] did.
    pub denominate: Option<DenominateReport>,
    /// What [`Impute`] did.
    pub impute: Option<ImputeReport>,
    /// What [`Screen`] did (including every removed unit).
    pub screen: Option<ScreenReport>,
    /// What [`Treat`] did.
    pub treat: Option<TreatReport>,
}

/// Runs a [`PipelineConfig`]: the explicit sequence denominate → impute → screen → treat → normalise →
/// aggregate.
///
/// * Each preparation step sees the output of the previous enabled step; a disabled step passes its
///   input through. Screening gets the imputation report, so [`Screen::count_imputed_as_missing`] works
///   inside a pipeline.
/// * Normalisers are fitted on the prepared data (after screening and treatment, as in COINr) and kept
///   ([`PipelineResult::fitted`]) to score new data on the same scale.
/// * Unit order is the input's throughout (screened-out units are removed, never reordered); sort the
///   input with [`Dataset::sorted_by_code`] for COINr's order.
/// * Missing values (NaN): whatever imputation leaves missing is listed in its report and then handled
///   by the normalisers (ignored when fitting, missing after) and the scorer's
///   [`MissingPolicy`](crate::aggregate::MissingPolicy).
/// * Errors are those of the steps and of [`Scorer`], unchanged (each names the indicator or unit at
///   fault); nothing is partially returned.
///
/// ```
/// use composite_indicators::prelude::*;
/// use composite_indicators::prepare::Screen;
/// use composite_indicators::pipeline::{Pipeline, PipelineConfig};
/// use ndarray::array;
/// let fw = FrameworkSpec::new(
///     "t",
///     vec![Indicator::new("x", "I"), Indicator::new("y", "I")],
///     vec![Pillar::new("I")],
/// )
/// .check()?;
/// let data = Dataset::new(
///     vec!["A".into(), "B".into(), "C".into()],
///     vec!["x".into(), "y".into()],
///     array![[1.0, 4.0], [3.0, f64::NAN], [2.0, 2.0]],
/// )?;
/// let cfg = PipelineConfig { screen: Some(Screen::new(0.9)), ..PipelineConfig::default() };
/// let res = Pipeline::new(cfg).run(&data, &fw)?;
/// assert_eq!(res.removed_units(), &["B".to_string()]);
/// assert_eq!(res.dataset("Screened")?.n_units(), 2);
/// assert!(res.dataset("Treated").is_err()); // treatment is disabled
/// // min-max over A and C: A = (0 + 100) / 2, C = (100 + 0) / 2
/// assert_eq!(res.scores().value("A", "I")?, 50.0);
/// assert_eq!(res.dataset("Aggregated")?.column("I")?.to_vec(), vec![50.0, 50.0]);
/// # Ok::<(), composite_indicators::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Pipeline {
    config: PipelineConfig,
}

/// Everything a [`Pipeline`] run produced: the data set after every stage, the step reports, the fitted
/// scorer and the scores.
#[derive(Debug)]
pub struct PipelineResult {
    config: PipelineConfig,
    raw: Dataset,
    denominated: Option<Dataset>,
    imputed: Option<Dataset>,
    screened: Option<Dataset>,
    treated: Option<Dataset>,
    normalised: Dataset,
    aggregated: Dataset,
    reports: PipelineReports,
    fitted: FittedScorer,
    scores: Scores,
}

impl Pipeline {
    /// A pipeline running `config`.
    pub fn new(config: PipelineConfig) -> Pipeline {
        Pipeline { config }
    }

    /// The configuration.
    pub fn config(&self) -> &PipelineConfig {
        &self.config
    }

    /// Run every enabled step on `data` (whose indicator columns are those of `fw`) and score the result.
    pub fn run(&self, data: &Dataset, fw: &Framework) -> Result<PipelineResult> {
        self.run_inner(data, fw, None)
    }

    /// Like [`Pipeline::run`], but normalise on a saved scale instead of fitting one: the preparation
    /// steps (denominate, impute, screen, treat) run on `data` as configured, each learning from
    /// `data` as in [`Pipeline::run`]; the normalisation of every indicator comes from `scale` (see
    /// [`FittedScorer::from_params`], which checks it and names the indicator at fault), and the
    /// configured normalisers are not used. This scores a new year on the scale of the year the
    /// parameters were saved from ([`PipelineResult::fitted`] then [`FittedScorer::params`]).
    /// [`PipelineResult::config`] and the result's scorer still name the configured normalisers;
    /// [`FittedScorer::params`] of [`PipelineResult::fitted`] shows the forms actually applied.
    ///
    /// ```
    /// use composite_indicators::io;
    /// use composite_indicators::pipeline::{Pipeline, PipelineConfig};
    /// let meta = io::read_imeta_path("data/asem/iMeta.csv")?;
    /// let data = io::read_idata_path("data/asem/iData.csv", &meta)?;
    /// let fw = meta.spec.check()?;
    /// let pipeline = Pipeline::new(PipelineConfig::coinr_example());
    /// let this_year = pipeline.run(&data, &fw)?;
    /// let scale = this_year.fitted().params()?;
    /// // the same data on its own saved scale: the same index
    /// let again = pipeline.run_on_scale(&data, &fw, scale)?;
    /// assert_eq!(again.scores().index(), this_year.scores().index());
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    pub fn run_on_scale(
        &self,
        data: &Dataset,
        fw: &Framework,
        scale: Vec<FittedParams>,
    ) -> Result<PipelineResult> {
        self.run_inner(data, fw, Some(scale))
    }

    /// The data set `stage` of [`Pipeline::run`] on `data`, running only the steps up to it, as a
    /// COINr build stopped after that step: `Raw` is `data`; `Denominated` to `Treated` run the
    /// preparation steps up to that one (the later ones are not run, so they cannot fail);
    /// `Normalised` also fits and applies the normalisation, without aggregating (so an aggregator
    /// that would fail on the normalised data, such as a geometric mean meeting a zero, does not stop
    /// a look at them); `Aggregated` runs the whole build. Each is the same data set, bit for bit, as
    /// [`PipelineResult::dataset`] of the whole run.
    ///
    /// # Errors
    /// The errors of the steps that run; [`Error::InvalidParameter`] for the data set of a disabled
    /// step, as [`PipelineResult::dataset`].
    ///
    /// # Examples
    /// ```
    /// use composite_indicators::io;
    /// use composite_indicators::pipeline::{Pipeline, PipelineConfig, Stage};
    /// let meta = io::read_imeta_path("data/asem/iMeta.csv")?;
    /// let data = io::read_idata_path("data/asem/iData.csv", &meta)?;
    /// let fw = meta.spec.check()?;
    /// let pipeline = Pipeline::new(PipelineConfig::coinr_example());
    /// let treated = pipeline.run_to(&data, &fw, Stage::Treated)?;
    /// assert_eq!(&treated, pipeline.run(&data, &fw)?.dataset("Treated")?);
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    pub fn run_to(&self, data: &Dataset, fw: &Framework, stage: Stage) -> Result<Dataset> {
        match stage {
            Stage::Raw => return Ok(data.clone()),
            Stage::Aggregated => return Ok(self.run(data, fw)?.aggregated),
            _ => {}
        }
        // the preparation steps after `stage` are left out (each step reads only earlier ones)
        let mut cfg = self.config.clone();
        if stage < Stage::Imputed {
            cfg.impute = None;
        }
        if stage < Stage::Screened {
            cfg.screen = None;
        }
        if stage < Stage::Treated {
            cfg.treat = None;
        }
        let stages = Pipeline::new(cfg).prepare_stages(data, fw)?;
        let PreparedStages {
            denominated,
            imputed,
            screened,
            treated,
            ..
        } = &stages;
        let (d, step) = match stage {
            Stage::Denominated => (denominated, "denominate"),
            Stage::Imputed => (imputed, "impute"),
            Stage::Screened => (screened, "screen"),
            Stage::Treated => (treated, "treat"),
            _ => {
                // Normalised: as `score_stages` fits and applies the normalisation
                let prepared = stages.prepared(data);
                let scorer = Scorer::from_config(fw.clone(), &self.config.scorer)?;
                let x = scorer.fit(prepared)?.normalise(prepared)?;
                return normalised_set(prepared, fw, x);
            }
        };
        d.clone().ok_or_else(|| not_computed(stage.name(), step))
    }

    fn run_inner(
        &self,
        data: &Dataset,
        fw: &Framework,
        scale: Option<Vec<FittedParams>>,
    ) -> Result<PipelineResult> {
        let stages = self.prepare_stages(data, fw)?;
        self.score_stages(data, fw, stages, scale)
    }

    /// The preparation steps only (denominate, impute, screen, treat), as [`Pipeline::run`] runs
    /// them. [`Pipeline::score_stages`] finishes the build; together they are [`Pipeline::run`] /
    /// [`Pipeline::run_on_scale`], bit for bit. Used where the prepared data are needed before the
    /// scale is known (a panel normalised on all periods pooled).
    pub(crate) fn prepare_stages(&self, data: &Dataset, fw: &Framework) -> Result<PreparedStages> {
        let cfg = &self.config;
        let mut reports = PipelineReports::default();

        let denominated = match &cfg.denominate {
            Some(step) => {
                let (d, r) = step.apply(data, fw)?;
                reports.denominate = Some(r);
                Some(d)
            }
            None => None,
        };
        let current = denominated.as_ref().unwrap_or(data);

        let imputed = match &cfg.impute {
            Some(step) => {
                let (d, r) = step.apply(current, fw)?;
                reports.impute = Some(r);
                Some(d)
            }
            None => None,
        };
        let current = imputed.as_ref().unwrap_or(current);

        let screened = match &cfg.screen {
            Some(step) => {
                let imputations = reports
                    .impute
                    .as_ref()
                    .map(|r| r.imputations.as_slice())
                    .unwrap_or(&[]);
                let (d, r) = step.apply_with_imputations(current, fw, imputations)?;
                reports.screen = Some(r);
                Some(d)
            }
            None => None,
        };
        let current = screened.as_ref().unwrap_or(current);

        let treated = match &cfg.treat {
            Some(step) => {
                let (d, r) = step.apply(current, fw)?;
                reports.treat = Some(r);
                Some(d)
            }
            None => None,
        };
        Ok(PreparedStages {
            reports,
            denominated,
            imputed,
            screened,
            treated,
        })
    }

    /// Normalise (fitting a scale, or on `scale`) and score the prepared data of
    /// [`Pipeline::prepare_stages`] run on `data`.
    pub(crate) fn score_stages(
        &self,
        data: &Dataset,
        fw: &Framework,
        stages: PreparedStages,
        scale: Option<Vec<FittedParams>>,
    ) -> Result<PipelineResult> {
        let cfg = &self.config;
        let PreparedStages {
            reports,
            denominated,
            imputed,
            screened,
            treated,
        } = stages;
        let prepared = stages_prepared(data, &denominated, &imputed, &screened, &treated);

        let scorer = Scorer::from_config(fw.clone(), &cfg.scorer)?;
        let fitted = match scale {
            Some(params) => FittedScorer::from_params(scorer, params)?,
            None => scorer.fit(prepared)?,
        };
        let x = fitted.normalise(prepared)?;
        let normalised = normalised_set(prepared, fw, x.clone())?;
        let scores = fitted.score_normalised(prepared, x)?;
        let nodes = scores.node_codes().iter().map(|c| c.to_string()).collect();
        let aggregated = like(prepared, nodes, scores.values().clone())?;

        Ok(PipelineResult {
            config: cfg.clone(),
            raw: data.clone(),
            denominated,
            imputed,
            screened,
            treated,
            normalised,
            aggregated,
            reports,
            fitted,
            scores,
        })
    }
}

/// The data sets after each preparation step of one run (`None` for a step not configured).
pub(crate) struct PreparedStages {
    reports: PipelineReports,
    denominated: Option<Dataset>,
    imputed: Option<Dataset>,
    screened: Option<Dataset>,
    treated: Option<Dataset>,
}

impl PreparedStages {
    /// The data after the last configured step (`raw` if none is).
    pub(crate) fn prepared<'a>(&'a self, raw: &'a Dataset) -> &'a Dataset {
        stages_prepared(
            raw,
            &self.denominated,
            &self.imputed,
            &self.screened,
            &self.treated,
        )
    }
}

/// The last present stage, else `raw`.
fn stages_prepared<'a>(
    raw: &'a Dataset,
    denominated: &'a Option<Dataset>,
    imputed: &'a Option<Dataset>,
    screened: &'a Option<Dataset>,
    treated: &'a Option<Dataset>,
) -> &'a Dataset {
    treated
        .as_ref()
        .or(screened.as_ref())
        .or(imputed.as_ref())
        .or(denominated.as_ref())
        .unwrap_or(raw)
}

/// The data set `name` of the disabled step `step` was not computed.
fn not_computed(name: &str, step: &str) -> Error {
    Error::invalid(
        "dataset",
        format!("`{name}`"),
        Expected::Rule(format!("was not computed: the {step} step is disabled")),
    )
}

/// The `Normalised` data set: the normalised indicator matrix `x` of `prepared`, one column per
/// indicator of `fw` in framework order.
fn normalised_set(prepared: &Dataset, fw: &Framework, x: ndarray::Array2<f64>) -> Result<Dataset> {
    let codes = fw.indicator_codes().iter().map(|c| c.to_string()).collect();
    like(prepared, codes, x)
}

/// A data set with the units, names and groups of `template` and new columns.
fn like(template: &Dataset, columns: Vec<String>, values: ndarray::Array2<f64>) -> Result<Dataset> {
    let mut d = Dataset::new(template.unit_codes().to_vec(), columns, values)?
        .with_names(template.unit_names().to_vec())?;
    for (g, labels) in template.groups() {
        d = d.with_group(g.clone(), labels.clone())?;
    }
    Ok(d)
}

impl PipelineResult {
    /// The data set after a stage, by COINr's name: `"Raw"`, `"Denominated"`, `"Imputed"`,
    /// `"Screened"`, `"Treated"`, `"Normalised"` (units × indicators, framework order), `"Aggregated"`
    /// (units × every node: the normalised indicators, then the aggregates bottom-up, the index last).
    ///
    /// As in COINr, the data set of a disabled step does not exist: asking for it is
    /// [`Error::InvalidParameter`] saying the step is disabled (use [`PipelineResult::prepared`] for the
    /// data that entered normalisation). An unknown name is [`Error::InvalidParameter`] too.
    pub fn dataset(&self, name: &str) -> Result<&Dataset> {
        let stage: Stage = name.parse()?;
        let (d, step) = match stage {
            Stage::Raw => return Ok(&self.raw),
            Stage::Denominated => (&self.denominated, "denominate"),
            Stage::Imputed => (&self.imputed, "impute"),
            Stage::Screened => (&self.screened, "screen"),
            Stage::Treated => (&self.treated, "treat"),
            Stage::Normalised => return Ok(&self.normalised),
            Stage::Aggregated => return Ok(&self.aggregated),
        };
        d.as_ref().ok_or_else(|| not_computed(name, step))
    }

    /// The stages that produced a data set, in order (always `Raw`, `Normalised`, `Aggregated`).
    pub fn stages(&self) -> Vec<Stage> {
        Stage::ALL
            .into_iter()
            .filter(|s| self.dataset(s.name()).is_ok())
            .collect()
    }

    /// The data that entered normalisation: the output of the last enabled preparation step (the raw
    /// data if none is enabled).
    pub fn prepared(&self) -> &Dataset {
        self.treated
            .as_ref()
            .or(self.screened.as_ref())
            .or(self.imputed.as_ref())
            .or(self.denominated.as_ref())
            .unwrap_or(&self.raw)
    }

    /// The reports of the steps that ran.
    pub fn reports(&self) -> &PipelineReports {
        &self.reports
    }

    /// Codes of the units removed by screening, in input order (empty when screening is disabled or
    /// removed nothing). These units are absent from every later data set and from the scores.
    pub fn removed_units(&self) -> &[String] {
        self.reports
            .screen
            .as_ref()
            .map(|r| r.removed.as_slice())
            .unwrap_or(&[])
    }

    /// The scores (every node, every remaining unit, ranks, contributions).
    pub fn scores(&self) -> &Scores {
        &self.scores
    }

    /// The scorer with its normalisers fitted on [`PipelineResult::prepared`].
    pub fn fitted(&self) -> &FittedScorer {
        &self.fitted
    }

    /// The configuration that was run.
    pub fn config(&self) -> &PipelineConfig {
        &self.config
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{FrameworkSpec, Indicator, Pillar};
    use ndarray::array;

    fn setup() -> (Dataset, Framework) {
        let mut spec = FrameworkSpec::new(
            "t",
            vec![Indicator::new("x", "I"), Indicator::new("y", "I")],
            vec![Pillar::new("I")],
        );
        spec.indicators[0].denominator = Some("pop".into());
        let d = Dataset::new(
            vec!["A".into(), "B".into(), "C".into(), "D".into()],
            vec!["x".into(), "y".into(), "pop".into()],
            array![
                [10.0, 1.0, 2.0],
                [8.0, f64::NAN, 4.0],
                [f64::NAN, f64::NAN, 1.0],
                [6.0, 3.0, 1.0]
            ],
        )
        .unwrap();
        (d, spec.check().unwrap())
    }

    #[test]
    fn every_stage_by_hand() {
        let (d, fw) = setup();
        let cfg = PipelineConfig {
            denominate: Some(Denominate::default()),
            impute: Some(Impute::new(ImputeMethod::Mean)),
            screen: Some(Screen {
                count_imputed_as_missing: true,
                ..Screen::new(0.5)
            }),
            treat: None,
            scorer: ScorerConfig::default(),
        };
        let r = Pipeline::new(cfg).run(&d, &fw).unwrap();
        // x / pop: A 5, B 2, C NaN, D 6
        assert_eq!(
            r.dataset("Denominated").unwrap().column("x").unwrap()[0],
            5.0
        );
        // mean imputation: x of C = (5 + 2 + 6) / 3; y of B and C = (1 + 3) / 2 = 2
        let imp = r.dataset("Imputed").unwrap();
        assert!((imp.column("x").unwrap()[2] - 13.0 / 3.0).abs() < 1e-15);
        assert_eq!(imp.column("y").unwrap()[1], 2.0);
        assert_eq!(r.reports().impute.as_ref().unwrap().imputations.len(), 3);
        // counting imputed values as missing: C has availability 0 < 0.5 -> removed; B has 0.5 -> kept
        assert_eq!(r.removed_units(), &["C".to_string()]);
        assert!(r.dataset("Treated").is_err());
        assert_eq!(r.prepared(), r.dataset("Screened").unwrap());
        assert_eq!(
            r.stages(),
            vec![
                Stage::Raw,
                Stage::Denominated,
                Stage::Imputed,
                Stage::Screened,
                Stage::Normalised,
                Stage::Aggregated
            ]
        );
        // min-max over A, B, D: x 5, 2, 6 -> 75, 0, 100; y 1, 2, 3 -> 0, 50, 100
        let n = r.dataset("Normalised").unwrap();
        assert_eq!(n.columns(), &["x".to_string(), "y".to_string()]);
        assert_eq!(n.column("x").unwrap().to_vec(), vec![75.0, 0.0, 100.0]);
        assert_eq!(n.column("y").unwrap().to_vec(), vec![0.0, 50.0, 100.0]);
        // I = mean: 37.5, 25, 100
        let agg = r.dataset("Aggregated").unwrap();
        assert_eq!(agg.column("I").unwrap().to_vec(), vec![37.5, 25.0, 100.0]);
        assert_eq!(r.scores().rank("D", "I").unwrap(), 1.0);
    }

    #[test]
    fn unknown_stage_and_bad_setting() {
        let (d, fw) = setup();
        // without imputation C has no value at all: the scorer refuses it rather than dropping it
        assert!(matches!(
            Pipeline::default().run(&d, &fw),
            Err(Error::UnitAllMissing { unit }) if unit == "C"
        ));
        let d = d.select_units(&[0, 1, 3]).unwrap();
        let r = Pipeline::default().run(&d, &fw).unwrap();
        assert!(matches!(
            r.dataset("Cooked"),
            Err(Error::InvalidParameter { .. })
        ));
        // nothing enabled: the prepared data are the input (NaN-aware comparison via Debug)
        assert_eq!(format!("{:?}", r.prepared()), format!("{d:?}"));
        let e = PipelineConfig::default()
            .with_setting("treat", serde_json::json!(1))
            .unwrap_err();
        assert!(e.to_string().contains("setting `treat`"));
        let on = PipelineConfig::default()
            .with_setting("/treat", serde_json::json!({"winmax": 2}))
            .unwrap();
        assert_eq!(on.treat.unwrap().winmax, Some(2));
    }
}
