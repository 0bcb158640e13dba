//! [`Scorer`] (framework + normalisation + aggregation + weights) and [`Scores`] (every node's value and
//! rank for every unit, contributions, tag sub-indices, group summaries).
//!
//! *Flow:* spec → data → prepare → normalise → aggregate → **score** → pipeline → sweep. Normalise + aggregate over the whole tree, with weights and ranks.
//!
//! # What a score is
//!
//! 1. **Normalise** (fit once): every indicator column is multiplied by its direction, then normalised by
//!    its normaliser (the scorer's default or a per-indicator override). The fitted parameters are kept in
//!    a [`FittedScorer`], so new units or a new year can be scored on the same scale.
//! 2. **Weigh**: the [`WeightScheme`] gives each node a weight within its parent (data-driven schemes see
//!    the normalised matrix).
//! 3. **Aggregate** bottom-up: each aggregate node combines its children with its aggregator. The
//!    aggregator of a node is, most specific first: set for the node with
//!    [`Scorer::aggregator_for`], the node's `aggregation` in the spec, set for its level with
//!    [`Scorer::aggregator_for_level`] (levels: indicators 1, their parents 2, ...), the default
//!    ([`Scorer::aggregator`]). Missing children follow the [`MissingPolicy`].
//! 4. **Bonus** (only under [`WeightScheme::Bonus`]): bonus-flagged indicators are left out of their
//!    parent and `bonus_weight × Σ bonus values` is added to the root after it is aggregated. A missing
//!    bonus value counts 0 under `Skip`, makes the index missing under `Propagate`, and is an error under
//!    `Error`.
//! 5. **Rank** every node (highest value = rank 1) with the [`TieRule`] (default `Min`, COINr's rule);
//!    missing values get a missing (NaN) rank.
//!
//! # How a score is computed
//!
//! [`Scorer::score`] fits the normalisers ([`FittedScorer`]), evaluates the weight scheme, and hands the
//! normalised matrix to the crate's private tree plan (`src/plan.rs`): the framework's aggregate nodes
//! in children-before-parents order, each with its aggregator's [`MeanForm`] and children, and the
//! bonus rule. The plan scores one weighting node by node through the aggregators. A sweep
//! ([`Scorer::sweep`](crate::score::Scorer::sweep), [`crate::sweep`]) uses the same plan for every
//! variant: its per-variant path is this very call, and its batched and one-product paths compute the
//! nodes whose form allows it for many variants at once.
//!
//! # Contributions
//!
//! When every aggregator used is linear (arithmetic mean or weighted sum), each indicator's contribution
//! to the index is its normalised value times the product of its path factors: for a mean, `w / Σw` over
//! the children *available for that unit*; for a sum, `w`; for a bonus indicator, `bonus_weight`. The
//! contributions of a unit sum to its index (up to floating-point rounding, ~1e-12 relative).
//!
//! # Defaults (COINr-compatible)
//!
//! Min-max to [0, 100], arithmetic mean at every level, nominal weights, missing children skipped with
//! re-normalised weights, ranks with min ties. Units keep the dataset's row order (sort the dataset with
//! [`Dataset::sorted_by_code`] for COINr's order).

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, CowArray, Ix1};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregator, AggregatorKind, MeanForm, MissingPolicy};
use crate::data::Dataset;
use crate::error::{Error, Expected, Result};
use crate::normalise::{
    ColumnContext, FittedNormaliser, FittedParams, Normaliser, NormaliserKind, orient,
};
use crate::plan::{OneVariant, TreePlan};
use crate::rank::{TieRule, rank_desc};
use crate::spec::{Direction, Framework, NodeKind};
use crate::weights::WeightScheme;

mod columns;
mod tree;

use columns::{for_column_chunks, rank_columns, scatter_columns};
use tree::LinearTree;
pub(crate) use tree::aggregate_tree;

/// Serde-friendly description of a scorer's methods (everything but the framework).
///
/// ```
/// use composite_indicators::score::ScorerConfig;
/// let c: ScorerConfig = serde_json::from_str(
///     r#"{"normalise": {"method": "min_max", "lo": 0.0, "hi": 1.0}, "weights": {"scheme": "equal"}}"#,
/// )
/// .unwrap();
/// assert_eq!(c.aggregate, composite_indicators::AggregatorKind::Arithmetic);
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScorerConfig {
    /// Default normaliser.
    pub normalise: NormaliserKind,
    /// Per-indicator normalisers by code.
    pub normalise_overrides: BTreeMap<String, NormaliserKind>,
    /// Default aggregator.
    pub aggregate: AggregatorKind,
    /// Aggregators by level (2 = parents of indicators, ...).
    pub aggregate_levels: BTreeMap<usize, AggregatorKind>,
    /// Aggregators by node code.
    pub aggregate_nodes: BTreeMap<String, AggregatorKind>,
    /// Weight scheme.
    pub weights: WeightScheme,
    /// Missing-children policy.
    pub missing: MissingPolicy,
    /// Tie rule for ranks.
    pub ties: TieRule,
}

/// Scores a [`Dataset`] against a [`Framework`].
///
/// ```
/// use composite_indicators::prelude::*;
/// use composite_indicators::score::Scorer;
/// use ndarray::array;
///
/// let fw = FrameworkSpec::new(
///     "toy",
///     vec![
///         Indicator::new("gdp", "Econ"),
///         Indicator::new("debt", "Econ").with_direction(Direction::Negative),
///         Indicator::new("life", "Social"),
///     ],
///     vec![
///         Pillar::new("Econ").with_parent("Index"),
///         Pillar::new("Social").with_parent("Index"),
///         Pillar::new("Index"),
///     ],
/// )
/// .check()?;
/// let data = Dataset::new(
///     vec!["A".into(), "B".into(), "C".into()],
///     vec!["gdp".into(), "debt".into(), "life".into()],
///     array![[1.0, 50.0, 70.0], [2.0, 40.0, 80.0], [3.0, 90.0, 75.0]],
/// )?;
/// let scores = Scorer::new(fw).score(&data)?;
/// // B: gdp 50, debt 100 (lowest debt), life 100 -> Econ 75, Social 100 -> Index 87.5
/// assert_eq!(scores.value("B", "Index")?, 87.5);
/// assert_eq!(scores.rank("B", "Index")?, 1.0);
/// # Ok::<(), composite_indicators::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Scorer {
    framework: Framework,
    default_normaliser: Arc<dyn Normaliser>,
    normaliser_overrides: Vec<Option<Arc<dyn Normaliser>>>,
    default_aggregator: Arc<dyn Aggregator>,
    level_aggregators: BTreeMap<usize, Arc<dyn Aggregator>>,
    node_aggregators: Vec<Option<Arc<dyn Aggregator>>>,
    weights: WeightScheme,
    missing: MissingPolicy,
    ties: TieRule,
}

impl Scorer {
    /// A scorer with the COINr-compatible defaults (see the module docs).
    pub fn new(framework: Framework) -> Scorer {
        let n = framework.nodes().len();
        let n_ind = framework.n_indicators();
        Scorer {
            framework,
            default_normaliser: Arc::new(NormaliserKind::default()),
            normaliser_overrides: vec![None; n_ind],
            default_aggregator: Arc::new(AggregatorKind::default()),
            level_aggregators: BTreeMap::new(),
            node_aggregators: vec![None; n],
            weights: WeightScheme::default(),
            missing: MissingPolicy::default(),
            ties: TieRule::default(),
        }
    }

    /// Build from a [`ScorerConfig`]; unknown codes in the overrides are errors.
    ///
    /// ```
    /// # use composite_indicators::prelude::*;
    /// # use composite_indicators::score::{Scorer, ScorerConfig};
    /// # let fw = FrameworkSpec::new(
    /// #     "t",
    /// #     vec![Indicator::new("a", "I"), Indicator::new("b", "I")],
    /// #     vec![Pillar::new("I")],
    /// # ).check()?;
    /// let mut cfg = ScorerConfig::default();
    /// cfg.normalise_overrides.insert("zz".into(), NormaliserKind::Rank);
    /// assert!(matches!(Scorer::from_config(fw, &cfg), Err(Error::UnknownCode { .. })));
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    pub fn from_config(framework: Framework, config: &ScorerConfig) -> Result<Scorer> {
        let mut s = Scorer::new(framework)
            .normaliser(config.normalise.clone())
            .aggregator(config.aggregate.clone())
            .weights(config.weights.clone())
            .missing(config.missing)
            .ties(config.ties);
        for (code, n) in &config.normalise_overrides {
            s = s.normaliser_for(code, n.clone())?;
        }
        for (&level, a) in &config.aggregate_levels {
            s = s.aggregator_for_level(level, a.clone())?;
        }
        for (code, a) in &config.aggregate_nodes {
            s = s.aggregator_for(code, a.clone())?;
        }
        Ok(s)
    }

    /// The framework.
    pub fn framework(&self) -> &Framework {
        &self.framework
    }
    /// Set the default normaliser.
    pub fn normaliser(mut self, n: impl Normaliser + 'static) -> Self {
        self.default_normaliser = Arc::new(n);
        self
    }
    /// Use a normaliser for one indicator.
    pub fn normaliser_for(mut self, code: &str, n: impl Normaliser + 'static) -> Result<Self> {
        let k = self.indicator_position(code)?;
        self.normaliser_overrides[k] = Some(Arc::new(n));
        Ok(self)
    }
    /// Set the default aggregator.
    pub fn aggregator(mut self, a: impl Aggregator + 'static) -> Self {
        self.default_aggregator = Arc::new(a);
        self
    }
    /// Use an aggregator for every aggregate of a level (2 = parents of indicators).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`aggregator level`, listing the levels that have aggregates) for a
    /// level without aggregate nodes, which would otherwise be ignored silently.
    ///
    /// # Examples
    /// ```
    /// use composite_indicators::prelude::*;
    /// use composite_indicators::score::Scorer;
    /// let fw = FrameworkSpec::new("t", vec![Indicator::new("a", "I")], vec![Pillar::new("I")]).check()?;
    /// let s = Scorer::new(fw.clone()).aggregator_for_level(2, AggregatorKind::Median)?;
    /// assert_eq!(s.aggregator_of(1).unwrap().name(), "median");
    /// assert!(Scorer::new(fw).aggregator_for_level(9, AggregatorKind::Median).is_err());
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    pub fn aggregator_for_level(
        mut self,
        level: usize,
        a: impl Aggregator + 'static,
    ) -> Result<Self> {
        // a node's level is its height, so aggregates fill every level from 2 to the root's
        let levels = 2..=self.framework.max_level();
        if !levels.contains(&level) {
            return Err(Error::invalid(
                "aggregator level",
                level,
                Expected::OneOf(levels.map(|l| l.to_string()).collect()),
            ));
        }
        self.level_aggregators.insert(level, Arc::new(a));
        Ok(self)
    }
    /// Use an aggregator for one aggregate node.
    pub fn aggregator_for(mut self, code: &str, a: impl Aggregator + 'static) -> Result<Self> {
        let k = self.framework.position(code)?;
        if self.framework.nodes()[k].kind != NodeKind::Aggregate {
            return Err(Error::InvalidSpec {
                code: code.to_string(),
                reason: "an aggregator can only be set for an aggregate node".into(),
            });
        }
        self.node_aggregators[k] = Some(Arc::new(a));
        Ok(self)
    }
    /// Set the weight scheme.
    pub fn weights(mut self, w: WeightScheme) -> Self {
        self.weights = w;
        self
    }
    /// Set the missing-children policy.
    pub fn missing(mut self, m: MissingPolicy) -> Self {
        self.missing = m;
        self
    }
    /// Set the tie rule.
    pub fn ties(mut self, t: TieRule) -> Self {
        self.ties = t;
        self
    }
    /// The weight scheme.
    pub fn weight_scheme(&self) -> &WeightScheme {
        &self.weights
    }
    /// The missing-children policy.
    pub fn missing_policy(&self) -> MissingPolicy {
        self.missing
    }
    /// The tie rule.
    pub fn tie_rule(&self) -> TieRule {
        self.ties
    }

    fn indicator_position(&self, code: &str) -> Result<usize> {
        let k = self.framework.position(code)?;
        if k >= self.framework.n_indicators() {
            return Err(Error::InvalidSpec {
                code: code.to_string(),
                reason: "a normaliser can only be set for an indicator".into(),
            });
        }
        Ok(k)
    }

    /// The aggregator of node `k` (see the module docs for the precedence), or `None` if the
    /// framework has no node `k`. For an indicator node this is the aggregator its level would use.
    ///
    /// # Examples
    ///
    /// ```
    /// use composite_indicators::prelude::*;
    /// use composite_indicators::score::Scorer;
    /// let fw = FrameworkSpec::new(
    ///     "t",
    ///     vec![Indicator::new("a", "I")],
    ///     vec![Pillar::new("I")])
    /// .check()
    /// .unwrap();
    /// let s = Scorer::new(fw).aggregator(AggregatorKind::Median);
    /// assert_eq!(s.aggregator_of(1).unwrap().name(), "median");
    /// assert!(s.aggregator_of(2).is_none());
    /// ```
    pub fn aggregator_of(&self, k: usize) -> Option<Arc<dyn Aggregator>> {
        if let Some(Some(a)) = self.node_aggregators.get(k) {
            return Some(a.clone());
        }
        let node = self.framework.nodes().get(k)?;
        if let Some(a) = &node.aggregation {
            return Some(Arc::new(a.clone()));
        }
        if let Some(a) = self.level_aggregators.get(&node.level) {
            return Some(a.clone());
        }
        Some(self.default_aggregator.clone())
    }

    /// The normaliser of indicator `k` (its override, else the default normaliser), or `None` if the
    /// framework has no indicator `k`.
    ///
    /// # Examples
    ///
    /// ```
    /// use composite_indicators::prelude::*;
    /// use composite_indicators::score::Scorer;
    /// let fw = FrameworkSpec::new("t", vec![Indicator::new("a", "I")], vec![Pillar::new("I")])
    /// .check()
    /// .unwrap();
    /// let s = Scorer::new(fw);
    /// assert!(s.normaliser_of(0).is_some());
    /// assert!(s.normaliser_of(1).is_none()); // node 1 is the index, not an indicator
    /// ```
    pub fn normaliser_of(&self, k: usize) -> Option<Arc<dyn Normaliser>> {
        if k >= self.framework.n_indicators() {
            return None;
        }
        match self.normaliser_overrides.get(k) {
            Some(Some(n)) => Some(n.clone()),
            _ => Some(self.default_normaliser.clone()),
        }
    }

    /// Fit the normalisers on `data` (which must hold every indicator column; extra columns are ignored).
    pub fn fit(&self, data: &Dataset) -> Result<FittedScorer> {
        let pos = self.raw_positions(data)?;
        let raw = data.values();
        let units = data.unit_codes();
        let inds = self.framework.indicators();
        // columns fitted in parallel; the first error in framework order is the one reported
        let mut fitted = Vec::with_capacity(pos.len());
        for_column_chunks(
            raw.view(),
            &pos,
            |k, col| {
                let ind = inds.get(k)?;
                let col = oriented(col, ind.direction);
                let ctx = column_context(ind, units);
                let n = self
                    .normaliser_of(k)
                    .unwrap_or_else(|| self.default_normaliser.clone());
                Some(n.fit(col.view(), &ctx))
            },
            |_, fs| {
                for f in fs.into_iter().flatten() {
                    fitted.push(f?);
                }
                Ok(())
            },
        )?;
        Ok(FittedScorer {
            scorer: self.clone(),
            fitted,
        })
    }

    /// Fit on `data` and score it.
    pub fn score(&self, data: &Dataset) -> Result<Scores> {
        self.fit(data)?.score(data)
    }

    /// The data columns of the indicators (framework order), read in place rather than copied.
    fn raw_positions(&self, data: &Dataset) -> Result<Vec<usize>> {
        let codes = self.framework.indicator_codes();
        data.positions(&codes)
    }
}

/// [`orient`] of a raw column, without a copy for a positive direction (multiplying by 1 changes
/// no value).
fn oriented(col: &[f64], direction: Direction) -> CowArray<'_, f64, Ix1> {
    match direction {
        Direction::Positive => CowArray::from(ArrayView1::from(col)),
        Direction::Negative => CowArray::from(orient(ArrayView1::from(col), direction)),
    }
}

fn column_context<'a>(ind: &'a crate::spec::Indicator, units: &'a [String]) -> ColumnContext<'a> {
    ColumnContext::new(&ind.code, units)
        .with_direction(ind.direction)
        .with_target(ind.target)
        .with_goalposts(ind.goalposts)
        .with_max_score(ind.max_score)
}

/// A [`Scorer`] whose normalisers are fitted: scores any data set on the fitted scale.
#[derive(Debug)]
pub struct FittedScorer {
    scorer: Scorer,
    fitted: Vec<Box<dyn FittedNormaliser>>,
}

impl FittedScorer {
    /// The scorer.
    pub fn scorer(&self) -> &Scorer {
        &self.scorer
    }

    /// The fitted normalisation of every indicator (framework order) as data: what each normaliser
    /// learned (min/max, mean/sd, the rank sample ...), to inspect or to save with serde and restore with
    /// [`FittedScorer::from_params`].
    ///
    /// Only the normalisation is captured. Weights, aggregators, the missing-value policy and the tie
    /// rule belong to the [`Scorer`] (keep its [`ScorerConfig`] and framework to rebuild it);
    /// data-driven weight schemes are recomputed from each normalised matrix scored.
    ///
    /// Errors: [`Error::InvalidSpec`] naming the first indicator whose normaliser is a user-defined one
    /// without [`FittedNormaliser::params`].
    ///
    /// ```
    /// use composite_indicators::prelude::*;
    /// use composite_indicators::normalise::FittedForm;
    /// use composite_indicators::score::{FittedScorer, Scorer};
    /// use ndarray::array;
    ///
    /// let fw = FrameworkSpec::new(
    ///     "toy",
    ///     vec![Indicator::new("gdp", "Index"), Indicator::new("lpi", "Index")],
    ///     vec![Pillar::new("Index")],
    /// )
    /// .check()?;
    /// let cols = vec!["gdp".to_string(), "lpi".to_string()];
    /// let y2024 = Dataset::new(vec!["A".into(), "B".into()], cols.clone(), array![[1.0, 3.0], [3.0, 1.0]])?;
    /// let fitted = Scorer::new(fw.clone()).fit(&y2024)?;
    /// let params = fitted.params()?;
    /// assert_eq!(params[0].form, FittedForm::MinMax { min: 1.0, max: 3.0, lo: 0.0, hi: 100.0 });
    ///
    /// // later, in another process: the same scorer, last year's scale
    /// let saved = serde_json::to_string(&params).unwrap();
    /// let restored = FittedScorer::from_params(Scorer::new(fw), serde_json::from_str(&saved).unwrap())?;
    /// let y2025 = Dataset::new(vec!["A".into()], cols, array![[2.0, 3.0]])?;
    /// assert_eq!(restored.score(&y2025)?.value("A", "Index")?, 75.0);
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    pub fn params(&self) -> Result<Vec<FittedParams>> {
        let codes = self.scorer.framework.indicators().iter().map(|i| &i.code);
        self.fitted
            .iter()
            .zip(codes)
            .enumerate()
            .map(|(k, (f, code))| {
                f.params().ok_or_else(|| Error::InvalidSpec {
                    code: code.clone(),
                    reason: format!(
                        "its normaliser `{}` keeps no saveable parameters (FittedNormaliser::params \
                         returns None)",
                        self.scorer
                            .normaliser_of(k)
                            .map_or_else(|| "?".to_string(), |n| n.name())
                    ),
                })
            })
            .collect()
    }

    /// A fitted scorer from saved parameters ([`FittedScorer::params`]): `scorer` supplies the
    /// framework, weights, aggregators, missing-value policy and tie rule; `params` the normalisation,
    /// one entry per indicator, matched by code (any order). The scorer's own normalisers are not
    /// consulted: the saved form decides the formula.
    ///
    /// Errors, each naming the indicator: [`Error::UnknownCode`] for parameters of an indicator the
    /// framework lacks; [`Error::DuplicateCode`] for two entries of one indicator;
    /// [`Error::InvalidSpec`] for an indicator without parameters, a direction that differs from the
    /// framework's (the scale would be reversed), or parameters that fail [`FittedParams::check`].
    ///
    /// ```
    /// use composite_indicators::prelude::*;
    /// use composite_indicators::normalise::{FittedForm, FittedParams};
    /// use composite_indicators::score::{FittedScorer, Scorer};
    /// use ndarray::array;
    /// let fw = FrameworkSpec::new(
    ///     "toy",
    ///     vec![Indicator::new("gdp", "Index")],
    ///     vec![Pillar::new("Index")],
    /// )
    /// .check()?;
    /// // a min-max scale written by hand: 0 → 0, 50 → 100
    /// let p = FittedParams::new("gdp", Direction::Positive,
    ///     FittedForm::MinMax { min: 0.0, max: 50.0, lo: 0.0, hi: 100.0 });
    /// let f = FittedScorer::from_params(Scorer::new(fw.clone()), vec![p.clone()])?;
    /// let data = Dataset::new(vec!["A".into()], vec!["gdp".into()], array![[20.0]])?;
    /// assert_eq!(f.score(&data)?.value("A", "Index")?, 40.0);
    /// let flipped = FittedParams { direction: Direction::Negative, ..p };
    /// assert!(FittedScorer::from_params(Scorer::new(fw), vec![flipped]).is_err());
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    pub fn from_params(scorer: Scorer, params: Vec<FittedParams>) -> Result<FittedScorer> {
        let inds = scorer.framework.indicators();
        let mut slots: Vec<Option<FittedParams>> = vec![None; inds.len()];
        for p in params {
            let (ind, slot) = inds
                .iter()
                .zip(slots.iter_mut())
                .find(|(i, _)| i.code == p.indicator)
                .ok_or_else(|| Error::UnknownCode {
                    code: p.indicator.clone(),
                })?;
            if slot.is_some() {
                return Err(Error::DuplicateCode {
                    code: ind.code.clone(),
                });
            }
            if p.direction != ind.direction {
                return Err(Error::InvalidSpec {
                    code: ind.code.clone(),
                    reason: format!(
                        "the saved parameters were fitted under direction {}, the framework says {}",
                        p.direction, ind.direction
                    ),
                });
            }
            p.check()?;
            *slot = Some(p);
        }
        let mut fitted: Vec<Box<dyn FittedNormaliser>> = Vec::with_capacity(inds.len());
        for (ind, slot) in inds.iter().zip(slots) {
            let p = slot.ok_or_else(|| Error::InvalidSpec {
                code: ind.code.clone(),
                reason: "no saved normalisation parameters for this indicator".into(),
            })?;
            fitted.push(Box::new(p));
        }
        Ok(FittedScorer { scorer, fitted })
    }

    /// The normalised indicator matrix (units × indicators, framework order) of `data` on the fitted
    /// scale.
    ///
    /// A unit whose indicator values are all missing is an error ([`Error::UnitAllMissing`]): it could
    /// only get a missing score, and dropping it silently would lose it.
    pub fn normalise(&self, data: &Dataset) -> Result<Array2<f64>> {
        let pos = self.scorer.raw_positions(data)?;
        let raw = data.values();
        let units = data.unit_codes();
        for (u, row) in raw.rows().into_iter().enumerate() {
            if pos.iter().all(|&p| row[p].is_nan()) {
                return Err(Error::UnitAllMissing {
                    unit: units.get(u).cloned().unwrap_or_default(),
                });
            }
        }
        // every element is written below (zeros: fresh pages, no fill pass)
        let mut out = Array2::zeros((raw.nrows(), pos.len()));
        let inds = self.scorer.framework.indicators();
        let n_rows = out.nrows();
        let normalise_column = |k: usize, col: &[f64]| -> Option<Result<Array1<f64>>> {
            let ind = inds.get(k)?;
            let col = oriented(col, ind.direction);
            let Some(f) = self.fitted.get(k) else {
                return Some(Err(Error::ShapeMismatch {
                    what: "fitted normalisers vs indicators".into(),
                    expected: pos.len(),
                    found: self.fitted.len(),
                }));
            };
            Some(f.apply(col.view(), units).and_then(|y| {
                if y.len() == n_rows {
                    Ok(y)
                } else {
                    Err(Error::ShapeMismatch {
                        what: format!("normalised values of `{}`", ind.code),
                        expected: n_rows,
                        found: y.len(),
                    })
                }
            }))
        };
        // a few columns at a time in parallel (bounded scratch), written in framework order; the
        // first error in that order is the one reported
        for_column_chunks(raw.view(), &pos, normalise_column, |k0, ys| {
            let ys = ys.into_iter().flatten().collect::<Result<Vec<_>>>()?;
            let views: Vec<ArrayView1<'_, f64>> = ys.iter().map(|y| y.view()).collect();
            scatter_columns(&mut out, k0, &views);
            Ok(())
        })?;
        Ok(out)
    }

    /// Normalise `data` on the fitted scale and aggregate it.
    pub fn score(&self, data: &Dataset) -> Result<Scores> {
        let x = self.normalise(data)?;
        self.score_normalised(data, x)
    }

    /// Aggregate an already normalised matrix (units × indicators, framework order) whose rows are the
    /// units of `data` (used for names, groups and error messages).
    pub fn score_normalised(&self, data: &Dataset, normalised: Array2<f64>) -> Result<Scores> {
        let s = &self.scorer;
        let fw = &s.framework;
        let n_units = data.n_units();
        if normalised.nrows() != n_units || normalised.ncols() != fw.n_indicators() {
            return Err(Error::ShapeMismatch {
                what: "normalised matrix (units × indicators)".into(),
                expected: n_units * fw.n_indicators(),
                found: normalised.len(),
            });
        }
        let node_w = s.weights.node_weights(fw, Some(normalised.view()))?;
        let bonus_w = s.weights.bonus_weight();
        // the normalised matrix's buffer becomes the node matrix (no second copy of it)
        let agg = aggregate_tree(
            fw,
            |k| s.aggregator_of(k),
            &node_w,
            bonus_w,
            s.missing,
            CowArray::from(normalised),
            data.unit_codes(),
        )?;
        Ok(Scores {
            framework: fw.clone(),
            unit_codes: data.unit_codes().to_vec(),
            // names that are the codes (no name column) are not kept twice
            unit_names: (data.unit_names() != data.unit_codes())
                .then(|| data.unit_names().to_vec()),
            groups: data.groups().to_vec(),
            values: agg.values,
            ties: s.ties,
            ranks: OnceLock::new(),
            node_ranks: (0..fw.nodes().len()).map(|_| OnceLock::new()).collect(),
            linear: agg.linear.map(Arc::new),
            explained: OnceLock::new(),
            bonus: agg.bonus,
            node_weights: node_w,
        })
    }
}

/// Summary of one node's scores within one group of units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupSummary {
    /// The group label.
    pub group: String,
    /// Units in the group.
    pub units: usize,
    /// Units with a non-missing score.
    pub count: usize,
    /// Mean of the non-missing scores (NaN if none).
    #[serde(with = "crate::serde_nan::num")]
    pub mean: f64,
    /// Median of the non-missing scores (mean of the two middle values for an even count).
    #[serde(with = "crate::serde_nan::num")]
    pub median: f64,
    /// Minimum.
    #[serde(with = "crate::serde_nan::num")]
    pub min: f64,
    /// Maximum.
    #[serde(with = "crate::serde_nan::num")]
    pub max: f64,
}

/// Every node's value and rank for every unit, with contributions and summaries.
///
/// Values of indicator nodes are the normalised values; values of aggregates are the aggregated scores.
/// Rows follow the scored data set's unit order.
///
/// Ranks are computed on first use, as contributions are: all nodes at once by [`Scores::ranks`],
/// one node by [`Scores::index_ranks`], [`Scores::node_ranks`] and [`Scores::rank`] (so that a
/// million-unit scoring that reports the index rank ranks one column, not every node's).
#[derive(Debug, Clone)]
pub struct Scores {
    framework: Framework,
    unit_codes: Vec<String>,
    /// `None` when the names are the codes.
    unit_names: Option<Vec<String>>,
    groups: Vec<(String, Vec<String>)>,
    values: Array2<f64>,
    /// The tie rule of the ranks.
    ties: TieRule,
    /// units × nodes ranks, computed on first use of [`Scores::ranks`].
    ranks: OnceLock<Array2<f64>>,
    /// One node's ranks, computed on first use while `ranks` is not.
    node_ranks: Vec<OnceLock<Array1<f64>>>,
    /// The linear tree, when every aggregator is linear.
    linear: Option<Arc<LinearTree>>,
    /// `(contributions, path factors)`, computed from `linear` on first use.
    explained: OnceLock<(Array2<f64>, Array2<f64>)>,
    bonus: Array1<f64>,
    node_weights: Vec<f64>,
}

impl Scores {
    /// The framework.
    pub fn framework(&self) -> &Framework {
        &self.framework
    }
    /// Unit codes (row order).
    pub fn unit_codes(&self) -> &[String] {
        &self.unit_codes
    }
    /// Unit names (row order).
    pub fn unit_names(&self) -> &[String] {
        self.unit_names.as_deref().unwrap_or(&self.unit_codes)
    }
    /// Node codes (column order of [`Scores::values`]).
    pub fn node_codes(&self) -> Vec<&str> {
        self.framework
            .nodes()
            .iter()
            .map(|n| n.code.as_str())
            .collect()
    }
    /// units × nodes values (node order of the framework).
    pub fn values(&self) -> &Array2<f64> {
        &self.values
    }
    /// units × nodes ranks (1 = best; NaN = missing), computed on first use (every node's column
    /// in parallel).
    pub fn ranks(&self) -> &Array2<f64> {
        self.ranks
            .get_or_init(|| rank_columns(&self.values, self.ties))
    }

    /// The ranks of node `k` (a valid node index): the column of [`Scores::ranks`] when that is
    /// computed, otherwise this node's alone, computed on first use.
    fn rank_column(&self, k: usize) -> ArrayView1<'_, f64> {
        if let Some(all) = self.ranks.get() {
            return all.column(k);
        }
        match self.node_ranks.get(k) {
            Some(cell) => cell
                .get_or_init(|| {
                    let col = self.values.column(k).to_vec();
                    Array1::from(rank_desc(&col, self.ties))
                })
                .view(),
            None => self.ranks().column(k),
        }
    }
    /// The weight of every node within its parent, as used.
    pub fn node_weights(&self) -> &[f64] {
        &self.node_weights
    }
    /// Bonus total per unit (zeros unless [`WeightScheme::Bonus`] is used).
    pub fn bonus(&self) -> ArrayView1<'_, f64> {
        self.bonus.view()
    }
    /// The index (root) values.
    pub fn index(&self) -> ArrayView1<'_, f64> {
        self.values.column(self.framework.root_index())
    }
    /// The index ranks.
    pub fn index_ranks(&self) -> ArrayView1<'_, f64> {
        self.rank_column(self.framework.root_index())
    }
    /// Row positions sorted by index rank (best first); units with a missing index come last; ties keep
    /// row order.
    ///
    /// ```
    /// # use composite_indicators::prelude::*;
    /// # use composite_indicators::score::Scorer;
    /// # use ndarray::array;
    /// # let fw = FrameworkSpec::new(
    /// #     "t",
    /// #     vec![Indicator::new("a", "I"), Indicator::new("b", "I")],
    /// #     vec![Pillar::new("I")],
    /// # ).check()?;
    /// let data = Dataset::new(
    ///     vec!["u0".into(), "u1".into(), "u2".into()],
    ///     vec!["a".into(), "b".into()],
    ///     array![[1.0, 1.0], [3.0, 3.0], [2.0, 2.0]],
    /// )?;
    /// let scores = Scorer::new(fw).score(&data)?;
    /// assert_eq!(scores.ranked_rows(), vec![1, 2, 0]);
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    pub fn ranked_rows(&self) -> Vec<usize> {
        let ranks = self.index_ranks();
        let mut rows: Vec<usize> = (0..ranks.len()).collect();
        rows.sort_by(|&a, &b| match (ranks[a].is_nan(), ranks[b].is_nan()) {
            (false, false) => ranks[a].total_cmp(&ranks[b]),
            (x, y) => x.cmp(&y),
        });
        rows
    }
    /// Codes of the aggregates at one level (2 = the indicators' parents), in node order.
    pub fn level_codes(&self, level: usize) -> Vec<&str> {
        self.framework
            .nodes()
            .iter()
            .filter(|n| n.level == level && n.kind == NodeKind::Aggregate)
            .map(|n| n.code.as_str())
            .collect()
    }
    /// One node's values for every unit.
    pub fn node_values(&self, node: &str) -> Result<ArrayView1<'_, f64>> {
        Ok(self.values.column(self.framework.position(node)?))
    }
    /// One node's ranks for every unit.
    pub fn node_ranks(&self, node: &str) -> Result<ArrayView1<'_, f64>> {
        Ok(self.rank_column(self.framework.position(node)?))
    }
    fn unit_row(&self, unit: &str) -> Result<usize> {
        self.unit_codes
            .iter()
            .position(|u| u == unit)
            .ok_or_else(|| Error::UnknownCode {
                code: unit.to_string(),
            })
    }
    /// One unit's value at one node.
    pub fn value(&self, unit: &str, node: &str) -> Result<f64> {
        Ok(self.values[[self.unit_row(unit)?, self.framework.position(node)?]])
    }
    /// One unit's rank at one node.
    pub fn rank(&self, unit: &str, node: &str) -> Result<f64> {
        let (u, k) = (self.unit_row(unit)?, self.framework.position(node)?);
        Ok(self.rank_column(k).get(u).copied().unwrap_or(f64::NAN))
    }
    /// units × indicators contributions to the index, when every aggregator is linear: each
    /// indicator's normalised value times its effective weight on the path to the index, so a unit's
    /// contributions sum to its index. A missing indicator contributes 0 (the missing-data policy
    /// gave its weight to its siblings); check the data, not the contribution, to tell it from a
    /// value that contributes nothing.
    pub fn contributions(&self) -> Option<&Array2<f64>> {
        self.explained().map(|(c, _)| c)
    }

    /// Contributions and path factors, computed on first use (both `None` unless every aggregator
    /// is linear).
    fn explained(&self) -> Option<&(Array2<f64>, Array2<f64>)> {
        let linear = self.linear.as_ref()?;
        Some(self.explained.get_or_init(|| linear.explain(&self.values)))
    }
    /// One unit's contributions `(indicator code, contribution)`, largest first (see
    /// [`Scores::contributions`]: a missing indicator contributes 0).
    ///
    /// Errors with [`Error::Incompatible`] when an aggregator is not linear.
    pub fn explain(&self, unit: &str) -> Result<Vec<(String, f64)>> {
        let row = self.unit_row(unit)?;
        let c = self.linear_contributions()?;
        let mut out: Vec<(String, f64)> = self
            .framework
            .indicators()
            .iter()
            .enumerate()
            .map(|(i, ind)| (ind.code.clone(), c[[row, i]]))
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        Ok(out)
    }
    fn linear_contributions(&self) -> Result<&Array2<f64>> {
        self.contributions().ok_or_else(|| {
            Error::incompatible(
                "contributions",
                "they need every aggregator to be an arithmetic mean or a weighted sum",
            )
        })
    }
    /// Sum of the contributions of the indicators carrying `tag`, per unit (e.g. the city index's
    /// `status` and `potential` indices, which add up to the overall index when every indicator carries
    /// one of the two tags). Unknown tags are an error.
    pub fn tag_index(&self, tag: &str) -> Result<Vec<f64>> {
        let c = self.linear_contributions()?;
        let inds = self.tagged(tag)?;
        Ok(c.rows()
            .into_iter()
            .map(|r| inds.iter().map(|&i| r[i]).sum())
            .collect())
    }
    /// [`Scores::tag_index`] rescaled to the full index's scale: the tagged contributions divided by the
    /// tagged indicators' share of the unit's total path factor (`Σ_tag factor / Σ_all factor`, over
    /// available indicators), i.e. the index the unit would get if every indicator scored like its tagged
    /// ones. NaN when no tagged indicator is available for the unit.
    pub fn tag_index_rescaled(&self, tag: &str) -> Result<Vec<f64>> {
        let c = self.linear_contributions()?;
        let f = self.path_factors().ok_or_else(|| {
            Error::incompatible(
                "path factors",
                "they need linear aggregation (arithmetic mean or weighted sum)",
            )
        })?;
        let inds = self.tagged(tag)?;
        let mut out = Vec::with_capacity(c.nrows());
        for u in 0..c.nrows() {
            let all_f: f64 = f.row(u).sum();
            let tag_f: f64 = inds.iter().map(|&i| f[[u, i]]).sum();
            let tag_c: f64 = inds.iter().map(|&i| c[[u, i]]).sum();
            out.push(if tag_f > 0.0 {
                tag_c * all_f / tag_f
            } else {
                f64::NAN
            });
        }
        Ok(out)
    }
    /// units × indicators path factors (the weight each available indicator has in the unit's index;
    /// 0 for missing values), when every aggregator is linear. `contribution = factor × value`.
    pub fn path_factors(&self) -> Option<&Array2<f64>> {
        self.explained().map(|(_, f)| f)
    }
    fn tagged(&self, tag: &str) -> Result<Vec<usize>> {
        let inds = self.framework.indicators_with_tag(tag);
        if inds.is_empty() {
            return Err(Error::UnknownCode {
                code: format!("tag:{tag}"),
            });
        }
        Ok(inds)
    }
    /// Group summaries of one node by a group column, sorted by mean, highest first (missing means
    /// last, then by label).
    ///
    /// # Errors
    /// [`Error::UnknownName`] (listing the group columns) for a group column the scored data lack;
    /// an unknown `node` as [`Scores::node_values`].
    pub fn group_summary(&self, group: &str, node: &str) -> Result<Vec<GroupSummary>> {
        let labels = self
            .groups
            .iter()
            .find(|(g, _)| g == group)
            .map(|(_, l)| l)
            .ok_or_else(|| {
                Error::unknown_name(
                    "group column",
                    group,
                    self.groups.iter().map(|(g, _)| g.clone()),
                )
            })?;
        let col = self.node_values(node)?;
        summarise_groups(labels, col)
    }
}

/// Summaries of `values` by group label (one label per value), sorted by mean, highest first; groups
/// whose values are all missing come last; equal means are ordered by label. Missing values (NaN) are
/// left out of the statistics but counted in `units`.
///
/// ```
/// use composite_indicators::score::summarise_groups;
/// use ndarray::array;
/// let labels = vec!["N".to_string(), "S".into(), "N".into(), "S".into()];
/// let g = summarise_groups(&labels, array![1.0, 5.0, 3.0, f64::NAN].view()).unwrap();
/// assert_eq!((g[0].group.as_str(), g[0].mean, g[0].count, g[0].units), ("S", 5.0, 1, 2));
/// assert_eq!((g[1].group.as_str(), g[1].median), ("N", 2.0));
/// ```
pub fn summarise_groups(
    labels: &[String],
    values: ArrayView1<'_, f64>,
) -> Result<Vec<GroupSummary>> {
    if labels.len() != values.len() {
        return Err(Error::ShapeMismatch {
            what: "group labels vs values".into(),
            expected: values.len(),
            found: labels.len(),
        });
    }
    let mut by: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut sizes: BTreeMap<&str, usize> = BTreeMap::new();
    for (l, &v) in labels.iter().zip(values.iter()) {
        *sizes.entry(l.as_str()).or_default() += 1;
        let e = by.entry(l.as_str()).or_default();
        if !v.is_nan() {
            e.push(v);
        }
    }
    let mut out: Vec<GroupSummary> = by
        .into_iter()
        .map(|(g, mut v)| {
            v.sort_by(f64::total_cmp);
            let n = v.len();
            let mean = if n > 0 {
                v.iter().sum::<f64>() / n as f64
            } else {
                f64::NAN
            };
            let median = match n {
                0 => f64::NAN,
                _ if n % 2 == 1 => v[n / 2],
                _ => (v[n / 2 - 1] + v[n / 2]) / 2.0,
            };
            GroupSummary {
                group: g.to_string(),
                units: sizes.get(g).copied().unwrap_or(0),
                count: n,
                mean,
                median,
                min: v.first().copied().unwrap_or(f64::NAN),
                max: v.last().copied().unwrap_or(f64::NAN),
            }
        })
        .collect();
    out.sort_by(|a, b| match (a.mean.is_nan(), b.mean.is_nan()) {
        (false, false) => b.mean.total_cmp(&a.mean).then(a.group.cmp(&b.group)),
        (x, y) => x.cmp(&y).then(a.group.cmp(&b.group)),
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Direction, FrameworkSpec, Indicator, Pillar};
    use ndarray::array;

    fn fw() -> Framework {
        FrameworkSpec::new(
            "toy",
            vec![
                Indicator::new("a", "P").with_tag("status"),
                Indicator::new("b", "P")
                    .with_direction(Direction::Negative)
                    .with_tag("potential"),
                Indicator::new("c", "Q").with_weight(3.0).with_tag("status"),
                Indicator::new("d", "Q").with_tag("potential"),
            ],
            vec![
                Pillar::new("P").with_parent("I"),
                Pillar::new("Q").with_parent("I").with_weight(2.0),
                Pillar::new("I"),
            ],
        )
        .check()
        .unwrap()
    }

    fn data() -> Dataset {
        Dataset::new(
            vec!["u1".into(), "u2".into(), "u3".into()],
            vec!["a".into(), "b".into(), "c".into(), "d".into()],
            array![
                [0.0, 10.0, 1.0, 5.0],
                [5.0, 0.0, 2.0, f64::NAN],
                [10.0, 5.0, 3.0, 0.0]
            ],
        )
        .unwrap()
        .with_group("g", vec!["x".into(), "y".into(), "x".into()])
        .unwrap()
    }

    #[test]
    fn hand_computed_scores() {
        let s = Scorer::new(fw()).score(&data()).unwrap();
        // normalised (0..100): a = [0,50,100]; b (negated) = [0,100,50]; c = [0,50,100]; d = [100,NaN,0]
        // P = mean(a,b): [0,75,75]; Q = (3c + d)/4 with d missing for u2 -> [25, 50, 75]
        // I = (1·P + 2·Q)/3 = [50/3, 175/3, 225/3]
        let idx = s.index();
        assert!((idx[0] - 50.0 / 3.0).abs() < 1e-12);
        assert!((idx[1] - 175.0 / 3.0).abs() < 1e-12);
        assert!((idx[2] - 75.0).abs() < 1e-12);
        assert_eq!(s.index_ranks().to_vec(), vec![3.0, 2.0, 1.0]);
        assert_eq!(s.value("u2", "Q").unwrap(), 50.0);
        assert!(s.value("u2", "d").unwrap().is_nan());
        assert!(s.rank("u2", "d").unwrap().is_nan());
    }

    #[test]
    fn ranks_on_first_use_are_the_same_one_node_or_all() {
        for ties in [TieRule::Min, TieRule::Average, TieRule::Ordinal] {
            let s = Scorer::new(fw()).ties(ties).score(&data()).unwrap();
            let all = s.clone();
            let all = all.ranks();
            let same = |a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>| {
                a.iter()
                    .zip(b.iter())
                    .all(|(x, y)| x.to_bits() == y.to_bits())
            };
            // one node at a time, before and after the whole matrix
            for (k, code) in s.node_codes().into_iter().enumerate() {
                assert!(same(s.node_ranks(code).unwrap(), all.column(k)), "{code}");
                assert_eq!(
                    s.rank("u2", code).unwrap().to_bits(),
                    all[[1, k]].to_bits(),
                    "{code}"
                );
            }
            assert!(same(
                s.index_ranks(),
                all.column(s.framework().root_index())
            ));
            for k in 0..all.ncols() {
                assert!(same(s.ranks().column(k), all.column(k)));
            }
            assert!(same(
                s.node_ranks("Q").unwrap(),
                all.column(s.framework().position("Q").unwrap())
            ));
        }
    }

    #[test]
    fn contributions_sum_to_index_and_tags_split_it() {
        let s = Scorer::new(fw()).score(&data()).unwrap();
        let c = s.contributions().unwrap();
        for u in 0..3 {
            assert!((c.row(u).sum() - s.index()[u]).abs() < 1e-12);
        }
        let st = s.tag_index("status").unwrap();
        let po = s.tag_index("potential").unwrap();
        for u in 0..3 {
            assert!((st[u] + po[u] - s.index()[u]).abs() < 1e-12);
        }
        // u1: status = a (0) * 1/6 + c (0) * 1/2 = 0
        assert_eq!(st[0], 0.0);
        // rescaled: u3 status factors a 1/6, c 1/2 -> contribution 100/6 + 50 = 200/3, share 2/3 -> 100
        let r = s.tag_index_rescaled("status").unwrap();
        assert!((r[2] - 100.0).abs() < 1e-12);
        assert!(s.tag_index("nope").is_err());
        let e = s.explain("u3").unwrap();
        assert_eq!(e[0].0, "c");
    }

    #[test]
    fn bonus_is_added_outside_the_pillar() {
        let mut spec = fw().spec().clone();
        spec.indicators[1].bonus = true; // b
        let fw = spec.check().unwrap();
        let s = Scorer::new(fw)
            .aggregator(AggregatorKind::Arithmetic)
            .weights(WeightScheme::Bonus {
                base: Box::new(WeightScheme::Nominal),
                bonus_weight: 0.01,
            })
            .score(&data())
            .unwrap();
        // P = a only: [0,50,100]; Q = [25,50,75]; I = (P + 2Q)/3 + 0.01·b
        let b = [0.0, 100.0, 50.0];
        let p = [0.0, 50.0, 100.0];
        let q = [25.0, 50.0, 75.0];
        for u in 0..3 {
            let want = (p[u] + 2.0 * q[u]) / 3.0 + 0.01 * b[u];
            assert!((s.index()[u] - want).abs() < 1e-12);
            assert!((s.bonus()[u] - 0.01 * b[u]).abs() < 1e-12);
            let c = s.contributions().unwrap();
            assert!((c.row(u).sum() - want).abs() < 1e-12);
        }
    }

    #[test]
    fn policies_and_overrides() {
        let s = Scorer::new(fw())
            .missing(MissingPolicy::Propagate)
            .score(&data())
            .unwrap();
        assert!(s.value("u2", "Q").unwrap().is_nan());
        assert!(s.value("u2", "I").unwrap().is_nan());
        let e = Scorer::new(fw())
            .missing(MissingPolicy::Error)
            .score(&data())
            .unwrap_err();
        assert!(
            matches!(e, Error::MissingValue { unit, child, .. } if unit == "u2" && child == "d")
        );
        let s = Scorer::new(fw())
            .normaliser_for("a", NormaliserKind::Identity)
            .unwrap()
            .score(&data())
            .unwrap();
        assert_eq!(s.value("u3", "a").unwrap(), 10.0);
        assert!(
            Scorer::new(fw())
                .aggregator_for("a", AggregatorKind::Arithmetic)
                .is_err()
        );
        assert!(
            Scorer::new(fw())
                .normaliser_for("P", NormaliserKind::Identity)
                .is_err()
        );
    }

    #[test]
    fn fitted_scale_applies_to_new_units() {
        let f = Scorer::new(fw()).fit(&data()).unwrap();
        let new = Dataset::new(
            vec!["n".into()],
            vec!["a".into(), "b".into(), "c".into(), "d".into()],
            array![[20.0, 5.0, 2.0, 5.0]],
        )
        .unwrap();
        let s = f.score(&new).unwrap();
        assert_eq!(s.value("n", "a").unwrap(), 200.0);
        assert_eq!(s.value("n", "d").unwrap(), 100.0);
    }

    #[test]
    fn group_summaries() {
        let s = Scorer::new(fw()).score(&data()).unwrap();
        let g = s.group_summary("g", "P").unwrap();
        assert_eq!(g[0].group, "y");
        assert_eq!(g[0].mean, 75.0);
        assert_eq!(g[1].group, "x");
        assert_eq!(g[1].count, 2);
        assert_eq!(g[1].mean, 37.5);
        assert_eq!(g[1].median, 37.5);
        assert!(s.group_summary("nope", "P").is_err());
    }

    #[test]
    fn missing_column_is_reported() {
        let d = Dataset::new(vec!["u".into()], vec!["a".into()], array![[1.0]]).unwrap();
        let e = Scorer::new(fw()).score(&d).unwrap_err();
        assert!(matches!(e, Error::MissingColumns { columns } if columns == vec!["b", "c", "d"]));
    }

    #[test]
    fn config_round_trip() {
        let mut c = ScorerConfig::default();
        c.aggregate_levels.insert(3, AggregatorKind::Arithmetic);
        c.weights = WeightScheme::Equal;
        let j = serde_json::to_string(&c).unwrap();
        let back: ScorerConfig = serde_json::from_str(&j).unwrap();
        assert_eq!(back, c);
        let t = toml::to_string(&c).unwrap();
        let back: ScorerConfig = toml::from_str(&t).unwrap();
        assert_eq!(back, c);
    }
}
