//! Method choices of a sweep in the style of COINr's `SA_specs`: each choice is a setting of the
//! preparation pipeline (a JSON pointer into [`PipelineConfig`]) and the options it may take; the
//! model's alternatives are every combination, each prepared once.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::BatchModel;
use super::from_scorer::resolve_kinds;
use crate::aggregate::{AggregatorKind, MissingPolicy};
use crate::data::Dataset;
use crate::error::{Error, Expected, Result};
use crate::pipeline::{Pipeline, PipelineConfig};
use crate::spec::Framework;

/// The option index of every dimension of alternative `alt` in a grid with `sizes[d]` options per
/// dimension, the last dimension fastest (`alt = ((l₀·n₁ + l₁)·n₂ + l₂)…`).
pub(crate) fn option_levels(alt: usize, sizes: &[usize]) -> Vec<usize> {
    let mut rest = alt;
    let mut out = vec![0; sizes.len()];
    for (&n, slot) in sizes.iter().zip(out.iter_mut()).rev() {
        let n = n.max(1);
        *slot = rest % n;
        rest /= n;
    }
    out
}

/// One dimension of a grid of method alternatives: a named choice and its option labels.
///
/// ```
/// use composite_indicators::sweep::MethodDimension;
/// let d = MethodDimension::new("aggregator", ["arithmetic", "geometric"]);
/// assert_eq!(d.options.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodDimension {
    /// Name of the choice, e.g. `"normaliser"`.
    pub name: String,
    /// Option labels, option order.
    pub options: Vec<String>,
}

impl MethodDimension {
    /// A dimension from a name and option labels.
    pub fn new<S: Into<String>>(
        name: impl Into<String>,
        options: impl IntoIterator<Item = S>,
    ) -> Self {
        MethodDimension {
            name: name.into(),
            options: options.into_iter().map(Into::into).collect(),
        }
    }
}

/// One method choice: the pipeline setting at `address` (a JSON pointer, as
/// [`PipelineConfig::with_setting`] takes it) and the values it may take. Like an entry of COINr's
/// `SA_specs` (`Address` and `Options`).
///
/// ```
/// use composite_indicators::sweep::MethodChoice;
/// use serde_json::json;
/// let c = MethodChoice::new("winsorise up to", "/treat/winmax", vec![json!(5), json!(2)]);
/// assert_eq!(c.labels(), ["5", "2"]);
/// let c = MethodChoice::new("aggregator", "/scorer/aggregate",
///     vec![json!({"method": "arithmetic"}), json!({"method": "geometric"})]);
/// assert_eq!(c.labels(), ["arithmetic", "geometric"]);
/// let c = c.with_labels(["amean", "gmean"]);
/// assert_eq!(c.labels(), ["amean", "gmean"]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MethodChoice {
    /// Name of the choice (a Sobol group may refer to it).
    pub name: String,
    /// JSON pointer into the pipeline configuration, e.g. `/scorer/normalise` or `/impute`.
    pub address: String,
    /// The values the setting takes, first = the nominal option.
    pub options: Vec<serde_json::Value>,
    /// Labels of the options (empty: derived from the values).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub option_labels: Vec<String>,
}

impl MethodChoice {
    /// A choice without explicit labels.
    pub fn new(
        name: impl Into<String>,
        address: impl Into<String>,
        options: Vec<serde_json::Value>,
    ) -> Self {
        MethodChoice {
            name: name.into(),
            address: address.into(),
            options,
            option_labels: Vec::new(),
        }
    }

    /// The same choice with option labels (one per option; checked by [`MethodSpace::with_choice`]).
    pub fn with_labels<S: Into<String>>(mut self, labels: impl IntoIterator<Item = S>) -> Self {
        self.option_labels = labels.into_iter().map(Into::into).collect();
        self
    }

    /// Option labels: the given ones, else a string value itself, `none` for `null`, the tag of an
    /// object with a single `method` field (`{"method": "geometric"}` → `geometric`), and compact JSON
    /// for anything else.
    pub fn labels(&self) -> Vec<String> {
        if !self.option_labels.is_empty() {
            return self.option_labels.clone();
        }
        self.options
            .iter()
            .map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => "none".into(),
                serde_json::Value::Object(o) if o.len() == 1 => match o.get("method") {
                    Some(serde_json::Value::String(m)) => m.clone(),
                    _ => v.to_string(),
                },
                other => other.to_string(),
            })
            .collect()
    }
}

/// Settings a model holds once for all alternatives, so a choice may not vary them.
const FIXED: [(&str, &str); 3] = [
    (
        "/scorer/weights",
        "weights are varied by the sweep's weight sampler (WeightSampler::List for explicit sets)",
    ),
    ("/scorer/missing", "a model has one missing-value policy"),
    ("/scorer/ties", "sweep ranks use the Min tie rule"),
];

/// The method alternatives of a sweep as the product of [`MethodChoice`]s over a base
/// [`PipelineConfig`]: COINr's `SA_specs` for normalisation, aggregation, imputation, outlier
/// treatment, denomination or any other pipeline setting.
///
/// Alternative `alt` sets every choice to one option; the options are numbered as in
/// [`BatchModel::with_method_dimensions`] (the last choice fastest), so **alternative 0**, every choice at
/// its first option, is the nominal configuration: put the base's own setting first. Each combination
/// runs the whole [`Pipeline`] once on the raw data (denominate, impute, screen, treat, normalise) when
/// the model is built, never per variant; its aggregators are resolved from its
/// [`ScorerConfig`](crate::score::ScorerConfig) as [`Scorer::sweep`](crate::score::Scorer::sweep) does.
///
/// From alternative 0 the model takes the missing-value policy, the bonus weight and the nominal weights
/// (the weight scheme evaluated on alternative 0's normalised data, as
/// [`SweepSetup`](super::SweepSetup) does); choices may therefore not address `/scorer/weights`,
/// `/scorer/missing` or `/scorer/ties`. Every combination must keep the same units: a screening choice
/// that drops a unit in one combination is an error.
///
/// ```
/// use composite_indicators::prelude::*;
/// use composite_indicators::pipeline::PipelineConfig;
/// use composite_indicators::score::ScorerConfig;
/// use composite_indicators::sweep::{MethodChoice, MethodSpace};
/// use serde_json::json;
///
/// let fw = FrameworkSpec::new(
///     "t",
///     vec![Indicator::new("a", "I"), Indicator::new("b", "I")],
///     vec![Pillar::new("I")],
/// ).check()?;
/// let data = Dataset::new(vec!["X".into(), "Y".into(), "Z".into()], vec!["a".into(), "b".into()],
///     ndarray::array![[1.0, 9.0], [2.0, f64::NAN], [4.0, 1.0]])?;
/// let base = PipelineConfig {
///     scorer: ScorerConfig { normalise: NormaliserKind::MinMax { lo: 1.0, hi: 100.0 },
///         ..ScorerConfig::default() },
///     ..PipelineConfig::default()
/// };
/// let space = MethodSpace::new(base)
///     .with_choice(MethodChoice::new("imputation", "/impute",
///         vec![json!(null), json!({"method": {"method": "mean"}})]).with_labels(["none", "mean"]))?
///     .with_choice(MethodChoice::new("aggregator", "/scorer/aggregate",
///         vec![json!({"method": "arithmetic"}), json!({"method": "geometric"})])
///         .with_labels(["arithmetic", "geometric"]))?;
/// assert_eq!(space.n_alternatives(), 4);
/// assert_eq!(space.alternative_name(3)?, "imputation=mean, aggregator=geometric");
/// let model = space.build(&data, &fw)?;
/// assert_eq!(model.method_levels(2)?, vec![1, 0]);
/// // alternative 2 (mean imputation, arithmetic): Y's missing `b` becomes (9 + 1) / 2 = 5, which
/// // min-max to [1, 100] over (1, 9) puts at 50.5; Y's `a` (2 of 1..4) is 34
/// let s = model.score_index(model.nominal_weights(), 2)?;
/// assert!((s[1] - (34.0 + 50.5) / 2.0).abs() < 1e-9);
/// # Ok::<(), composite_indicators::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MethodSpace {
    /// The configuration every alternative starts from.
    pub base: PipelineConfig,
    /// The choices, slowest-varying first.
    pub choices: Vec<MethodChoice>,
}

impl MethodSpace {
    /// A space with no choice yet (one alternative: `base`).
    pub fn new(base: PipelineConfig) -> Self {
        MethodSpace {
            base,
            choices: Vec::new(),
        }
    }

    /// Add a choice. Every option is applied to the base at once, so a bad address or a value of the
    /// wrong type fails here.
    ///
    /// Errors: [`Error::InvalidParameter`] naming the choice for an empty name, no options, a fixed
    /// setting (see the type docs), or an option that does not fit the address;
    /// [`Error::NamedTwice`] for a repeated name; [`Error::ShapeMismatch`] for a label count that
    /// differs from the option count.
    pub fn with_choice(mut self, choice: MethodChoice) -> Result<Self> {
        let what = format!("method choice `{}`", choice.name);
        if choice.name.trim().is_empty() {
            return Err(Error::invalid(
                "method choice",
                format!("{:?}", choice.name),
                Expected::NonEmpty,
            ));
        }
        if self.choices.iter().any(|c| c.name == choice.name) {
            return Err(Error::NamedTwice {
                what: "method choice".into(),
                name: choice.name.clone(),
            });
        }
        if choice.options.is_empty() {
            return Err(Error::invalid(
                format!("{what} options"),
                "",
                Expected::NonEmpty,
            ));
        }
        if !choice.option_labels.is_empty() && choice.option_labels.len() != choice.options.len() {
            return Err(Error::ShapeMismatch {
                what: format!("labels of {what}"),
                expected: choice.options.len(),
                found: choice.option_labels.len(),
            });
        }
        for (fixed, why) in FIXED {
            let a = choice.address.as_str();
            if a == fixed
                || a.starts_with(&format!("{fixed}/"))
                || fixed.starts_with(&format!("{a}/"))
                || a.is_empty()
            {
                return Err(Error::invalid(
                    what,
                    format!("`{a}`"),
                    Expected::Rule(format!("may not set `{fixed}`: {why}")),
                ));
            }
        }
        for (i, v) in choice.options.iter().enumerate() {
            self.base
                .with_setting(&choice.address, v.clone())
                .map_err(|e| {
                    Error::invalid(
                        format!("{what}, option {i}"),
                        v,
                        Expected::Rule(e.to_string()),
                    )
                })?;
        }
        self.choices.push(choice);
        Ok(self)
    }

    /// Number of alternatives: the product of the option counts (1 without choices).
    pub fn n_alternatives(&self) -> usize {
        self.choices
            .iter()
            .fold(1usize, |n, c| n.saturating_mul(c.options.len()))
    }

    /// The grid of the model: one [`MethodDimension`] per choice.
    pub fn dimensions(&self) -> Vec<MethodDimension> {
        self.choices
            .iter()
            .map(|c| MethodDimension::new(c.name.clone(), c.labels()))
            .collect()
    }

    /// Option index of every choice for alternative `alt` (the last choice fastest).
    /// Errors: [`Error::IndexOutOfRange`] for an alternative out of range.
    pub fn levels(&self, alt: usize) -> Result<Vec<usize>> {
        let n = self.n_alternatives();
        if alt >= n {
            return Err(Error::IndexOutOfRange {
                what: "alternative".into(),
                index: alt,
                len: n,
            });
        }
        let sizes: Vec<usize> = self.choices.iter().map(|c| c.options.len()).collect();
        Ok(option_levels(alt, &sizes))
    }

    /// `choice=option` for every choice of alternative `alt`, joined by `, ` (`"base"` without choices).
    pub fn alternative_name(&self, alt: usize) -> Result<String> {
        let levels = self.levels(alt)?;
        if levels.is_empty() {
            return Ok("base".into());
        }
        Ok(self
            .choices
            .iter()
            .zip(&levels)
            .map(|(c, &l)| format!("{}={}", c.name, c.labels()[l]))
            .collect::<Vec<_>>()
            .join(", "))
    }

    /// The pipeline configuration of alternative `alt`: the base with each choice's option applied in
    /// choice order.
    pub fn config(&self, alt: usize) -> Result<PipelineConfig> {
        let levels = self.levels(alt)?;
        let mut cfg = self.base.clone();
        for (c, &l) in self.choices.iter().zip(&levels) {
            cfg = cfg.with_setting(&c.address, c.options[l].clone())?;
        }
        Ok(cfg)
    }

    /// Run every alternative's pipeline on `data` and build the model: alternative `alt` is
    /// [`MethodSpace::config`]`(alt)`'s normalised matrix with its aggregators, and the model's method
    /// dimensions are [`MethodSpace::dimensions`]. Unit codes are those of alternative 0's prepared data.
    ///
    /// The pipelines run in parallel on the current rayon pool (wrap the call in
    /// `ThreadPool::install` to choose the threads); each keeps only its normalised matrix, so memory
    /// grows with the alternatives' matrices, not with their whole pipeline results. The model is the
    /// same for any thread count, and when several alternatives fail the error is that of the
    /// lowest-numbered one.
    ///
    /// Errors: an error of alternative 0 as the pipeline returns it; an error of another alternative
    /// as [`Error::InAlternative`] around it; [`Error::InAlternative`] around
    /// [`Error::Incompatible`] when an alternative keeps other units than alternative 0.
    pub fn build(&self, data: &Dataset, fw: &Framework) -> Result<BatchModel> {
        let n = self.n_alternatives();
        let wrap = |alt: usize, e: Error| -> Error {
            if alt == 0 {
                return e;
            }
            Error::InAlternative {
                index: alt,
                alternative: self.alternative_name(alt).unwrap_or_default(),
                source: Box::new(e),
            }
        };
        // every pipeline in parallel, keeping only what the model needs of each; the first error in
        // alternative order wins, so the result does not depend on the thread count
        let prepared: Vec<Result<Prepared>> = (0..n)
            .into_par_iter()
            .map(|alt| self.prepare(alt, data, fw).map_err(|e| wrap(alt, e)))
            .collect();
        let mut model: Option<BatchModel> = None;
        let mut units: Vec<String> = Vec::new();
        for (alt, p) in prepared.into_iter().enumerate() {
            let p = p?;
            model = Some(match model {
                None => {
                    units = p.units;
                    BatchModel::new(fw.clone(), p.kinds, p.missing, p.bonus, vec![p.x])?
                        .with_unit_codes(units.clone())?
                        .with_nominal_weights(p.nominal)?
                }
                Some(m) => {
                    if p.units != units {
                        let missing: Vec<&String> =
                            units.iter().filter(|u| !p.units.contains(u)).collect();
                        let reason = if missing.is_empty() {
                            "keeps other units than alternative 0".to_string()
                        } else {
                            format!(
                                "drops units {missing:?} that alternative 0 keeps; every alternative must keep the same units"
                            )
                        };
                        return Err(wrap(alt, Error::incompatible("units", reason)));
                    }
                    m.with_alternative(p.x, Some(p.kinds))
                        .map_err(|e| wrap(alt, e))?
                }
            });
        }
        let model = model.ok_or_else(|| {
            Error::invalid(
                "method space",
                "",
                Expected::Rule("has no alternative: every choice needs at least one option".into()),
            )
        })?;
        model.with_method_dimensions(self.dimensions())
    }

    /// Run alternative `alt`'s pipeline and keep what the model needs of it.
    fn prepare(&self, alt: usize, data: &Dataset, fw: &Framework) -> Result<Prepared> {
        let cfg = self.config(alt)?;
        let res = Pipeline::new(cfg.clone()).run(data, fw)?;
        let x = res.dataset("Normalised")?.values().clone();
        Ok(Prepared {
            units: res.prepared().unit_codes().to_vec(),
            x,
            kinds: resolve_kinds(fw, &cfg.scorer),
            // the pipeline evaluated the weight scheme on this normalised matrix already
            nominal: res.scores().node_weights().to_vec(),
            missing: cfg.scorer.missing,
            bonus: cfg.scorer.weights.bonus_weight(),
        })
    }
}

/// What [`MethodSpace::build`] keeps of one alternative's pipeline run.
struct Prepared {
    units: Vec<String>,
    x: ndarray::Array2<f64>,
    kinds: Vec<AggregatorKind>,
    nominal: Vec<f64>,
    missing: MissingPolicy,
    bonus: Option<f64>,
}
