//! The front door of a sweep: [`Scorer::sweep`] (or [`FittedScorer::sweep`]) on the data →
//! [`SweepSetup`] (method alternatives: `with_normalisers`, `with_aggregators`, `with_scorers`,
//! `with_configs`, `with_normalised`) → [`SweepSetup::build`] (a [`BatchModel`] that scores exactly like
//! the scorer) or [`SweepSetup::run`] (build and sweep).

use ndarray::Array2;

use super::{BatchModel, SweepConfig, SweepResult};
use crate::aggregate::AggregatorKind;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::normalise::Normaliser;
use crate::score::{FittedScorer, Scorer, ScorerConfig};
use crate::spec::Framework;

/// The aggregator of every aggregate node (node order) under `config`, with the scorer's precedence:
/// node code in `aggregate_nodes`, the node's `aggregation` in the spec, `aggregate_levels`,
/// `aggregate`.
pub(crate) fn resolve_kinds(fw: &Framework, config: &ScorerConfig) -> Vec<AggregatorKind> {
    fw.aggregate_indices()
        .map(|k| {
            let node = &fw.nodes()[k];
            config
                .aggregate_nodes
                .get(&node.code)
                .or(node.aggregation.as_ref())
                .or_else(|| config.aggregate_levels.get(&node.level))
                .unwrap_or(&config.aggregate)
                .clone()
        })
        .collect()
}

/// Builds a [`BatchModel`] that scores like a [`Scorer`] on one [`Dataset`], with optional method
/// alternatives (one normalised matrix each).
///
/// What is taken from the scorer:
///
/// * **alternative 0** is the scorer's own normalisation (default normaliser plus per-indicator
///   overrides, directions applied), fitted once on `data` ([`Scorer::sweep`]), or `data` on
///   a scale fitted elsewhere ([`FittedScorer::sweep`]; normaliser alternatives added afterwards
///   are still fitted on `data`, so they sit on this data's scale, not the saved one);
/// * **aggregators** per aggregate node: [`Scorer::aggregator_of`] (node setting, spec, level, default).
///   Each node is batched by its aggregator's [`MeanForm`](crate::aggregate::MeanForm) (built-in
///   or user-defined alike); opaque ones are scored through the trait. Score-quantile bounds use the
///   built-in kinds ([`Aggregator::kind`](crate::aggregate::Aggregator::kind)) and fall back to
///   sampled ranges for custom aggregators (see [`BatchModel::sweep_range`]). All give the same
///   scores;
/// * the **missing-value policy** ([`Scorer::missing_policy`]) and the **bonus weight**
///   ([`WeightScheme::bonus_weight`](crate::weights::WeightScheme::bonus_weight));
/// * the **nominal node weights**: the scorer's [`WeightScheme`](crate::weights::WeightScheme) evaluated
///   on alternative 0's normalised matrix. Data-driven schemes (entropy, CRITIC, PCA, ...) are learned
///   once from that matrix and kept fixed for every alternative: a sweep varies weights and
///   normalisation as separate inputs;
/// * the **unit codes** of `data` (row order kept).
///
/// Method alternatives (alternative 1, 2, ... in the order added), each normalised once when added,
/// never per variant:
///
/// * [`SweepSetup::with_normalisers`]: the scorer with another default normaliser
///   (per-indicator overrides kept, as a COINr alternative on `global_specs`);
/// * [`SweepSetup::with_configs`]: the normalisation of a full [`ScorerConfig`]
///   (`normalise` and `normalise_overrides`; its other fields are ignored);
/// * [`SweepSetup::with_scorers`]: the normalisation of other scorers on the same framework;
/// * [`SweepSetup::with_normalised`]: matrices normalised elsewhere;
/// * [`SweepSetup::with_aggregators`]: alternative 0's matrix with another aggregator at every node.
///
/// Ranks in sweeps use the `Min` tie rule ([`TieRule::Min`](crate::rank::TieRule::Min), the
/// [`Scorer`] default); a scorer with another tie rule ranks tied units differently from the sweep.
///
/// ```
/// use composite_indicators::prelude::*;
/// use composite_indicators::score::Scorer;
/// use composite_indicators::sweep::SweepSetup;
/// use ndarray::array;
///
/// let fw = FrameworkSpec::new(
///     "t",
///     vec![Indicator::new("a", "I"), Indicator::new("b", "I")],
///     vec![Pillar::new("I")],
/// )
/// .check()?;
/// let data = Dataset::new(
///     vec!["X".into(), "Y".into(), "Z".into()],
///     vec!["a".into(), "b".into()],
///     array![[0.0, 10.0], [1.0, 0.0], [4.0, 5.0]],
/// )?;
/// let scorer = Scorer::new(fw);
/// let model = scorer.sweep(&data)?
///     .with_normalisers(vec![NormaliserKind::Rank])?
///     .build()?;
/// assert_eq!(model.n_alternatives(), 2);
/// // alternative 0 is min-max 0-100: X (0, 100) -> 50, Y (25, 0) -> 12.5, Z (100, 50) -> 75
/// assert_eq!(model.score_index(model.nominal_weights(), 0)?, vec![50.0, 12.5, 75.0]);
/// assert_eq!(scorer.score(&data)?.index().to_vec(), vec![50.0, 12.5, 75.0]);
/// // alternative 1 ranks each column (1 = lowest): X (1, 3) -> 2, Y (2, 1) -> 1.5, Z (3, 2) -> 2.5
/// assert_eq!(model.score_index(model.nominal_weights(), 1)?, vec![2.0, 1.5, 2.5]);
/// # Ok::<(), composite_indicators::Error>(())
/// ```
#[derive(Debug)]
pub struct SweepSetup<'a> {
    scorer: Scorer,
    data: &'a Dataset,
    matrices: Vec<Array2<f64>>,
    /// Per alternative: its own aggregators (`None`: the scorer's).
    alt_kinds: Vec<Option<Vec<AggregatorKind>>>,
    names: Vec<String>,
    nominal: Vec<f64>,
}

impl Scorer {
    /// Start a sweep of this scorer on `data` (the front door of [`crate::sweep`]): fits and applies
    /// the scorer's normalisation (alternative 0) and evaluates its weight scheme; add method
    /// alternatives to the returned [`SweepSetup`], then [`build`](SweepSetup::build) the model or
    /// [`run`](SweepSetup::run) a sweep.
    ///
    /// # Errors
    ///
    /// Whatever [`Scorer::fit`] / [`FittedScorer::normalise`] and
    /// [`WeightScheme::node_weights`](crate::weights::WeightScheme::node_weights) return for this
    /// data (missing indicator column, zero range, a unit with every value missing, ...).
    ///
    /// # Examples
    ///
    /// ```
    /// # use composite_indicators::prelude::*;
    /// # use composite_indicators::score::Scorer;
    /// # let fw = FrameworkSpec::new( "t",
    /// #   vec![Indicator::new("a", "I"), Indicator::new("b", "I")],
    /// #   vec![Pillar::new("I")] ).check()?;
    /// let data = Dataset::new(vec!["X".into(), "Y".into(), "Z".into()], vec!["a".into(), "b".into()],
    ///     ndarray::array![[1.0, 2.0], [3.0, f64::NAN], [2.0, 4.0]])?;
    /// let setup = Scorer::new(fw).sweep(&data)?;
    /// assert_eq!(setup.alternative_names(), ["scorer"]);
    /// // a → (0, 100, 50), b → (0, missing, 100); Y's missing `b` is skipped: Y = 100
    /// assert_eq!(setup.build()?.score_index(&[1.0, 1.0, 1.0], 0)?, vec![0.0, 100.0, 75.0]);
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    pub fn sweep<'a>(&self, data: &'a Dataset) -> Result<SweepSetup<'a>> {
        self.fit(data)?.sweep(data)
    }
}

impl FittedScorer {
    /// Start a sweep on `data` normalised on this fitted scale (say, one restored from a saved scale
    /// with [`FittedScorer::from_params`]), not refitted. Normaliser alternatives added later are
    /// fitted on `data` as usual.
    ///
    /// # Errors
    ///
    /// Whatever [`FittedScorer::normalise`] and
    /// [`WeightScheme::node_weights`](crate::weights::WeightScheme::node_weights) return for this data.
    ///
    /// # Examples
    ///
    /// ```
    /// # use composite_indicators::prelude::*;
    /// # use composite_indicators::score::Scorer;
    /// # let fw = FrameworkSpec::new( "t",
    /// #   vec![Indicator::new("a", "I"), Indicator::new("b", "I")],
    /// #   vec![Pillar::new("I")] ).check()?;
    /// let cols = vec!["a".to_string(), "b".to_string()];
    /// let last_year = Dataset::new(vec!["X".into(), "Y".into()], cols.clone(),
    ///     ndarray::array![[0.0, 0.0], [10.0, 10.0]])?;
    /// let fitted = Scorer::new(fw).fit(&last_year)?;
    /// let this_year = Dataset::new(vec!["X".into(), "Y".into()], cols,
    ///     ndarray::array![[5.0, 5.0], [20.0, 10.0]])?;
    /// let model = fitted.sweep(&this_year)?.build()?;
    /// // on last year's 0..10 scale: X = 50, Y = (200 + 100) / 2
    /// assert_eq!(model.score_index(&[1.0, 1.0, 1.0], 0)?, vec![50.0, 150.0]);
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    pub fn sweep<'a>(&self, data: &'a Dataset) -> Result<SweepSetup<'a>> {
        let scorer = self.scorer();
        let x0 = self.normalise(data)?;
        let nominal = scorer
            .weight_scheme()
            .node_weights(scorer.framework(), Some(x0.view()))?;
        Ok(SweepSetup {
            scorer: scorer.clone(),
            data,
            matrices: vec![x0],
            alt_kinds: vec![None],
            names: vec!["scorer".into()],
            nominal,
        })
    }
}

impl<'a> SweepSetup<'a> {
    /// Add one alternative per normaliser: the scorer with `n` as its default normaliser (per-indicator
    /// overrides kept), fitted on the data and applied once. Alternative names are the normalisers'
    /// [`Normaliser::name`]s.
    ///
    /// ```
    /// # use composite_indicators::prelude::*;
    /// # use composite_indicators::score::Scorer;
    /// # use composite_indicators::sweep::SweepSetup;
    /// # let fw = FrameworkSpec::new("t", vec![Indicator::new("a", "I")], vec![Pillar::new("I")]).check()?;
    /// let data = Dataset::new(vec!["X".into(), "Y".into()], vec!["a".into()],
    ///     ndarray::array![[1.0], [3.0]])?;
    /// let s = Scorer::new(fw).sweep(&data)?
    ///     .with_normalisers(vec![NormaliserKind::ZScore { mean: 0.0, sd: 1.0 }])?;
    /// assert_eq!(s.n_alternatives(), 2);
    /// // sample sd of (1, 3) is sqrt(2): z = ∓1/sqrt(2)
    /// let z = s.build()?.alternative(1)?.column(0).to_vec();
    /// assert!((z[1] - 0.5f64.sqrt()).abs() < 1e-12);
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    pub fn with_normalisers<N>(mut self, normalisers: Vec<N>) -> Result<Self>
    where
        N: Normaliser + 'static,
    {
        for n in normalisers {
            let name = n.name();
            let alt = self.scorer.clone().normaliser(n);
            self.push_scorer_alt(&alt, name)?;
        }
        Ok(self)
    }

    /// Add one alternative per config: its `normalise` and `normalise_overrides` (other fields are
    /// ignored). Unknown override codes are [`Error::UnknownCode`]. Names: the default normaliser's
    /// text form, with `+k overrides` when there are overrides.
    ///
    /// ```
    /// # use composite_indicators::prelude::*;
    /// # use composite_indicators::score::{Scorer, ScorerConfig};
    /// # use composite_indicators::sweep::SweepSetup;
    /// # let fw = FrameworkSpec::new(
    /// #     "t",
    /// #     vec![Indicator::new("a", "I"), Indicator::new("b", "I")],
    /// #     vec![Pillar::new("I")],
    /// # ).check()?;
    /// let data = Dataset::new(vec!["X".into(), "Y".into()], vec!["a".into(), "b".into()],
    ///     ndarray::array![[1.0, 5.0], [3.0, 1.0]])?;
    /// let mut cfg = ScorerConfig::default();
    /// cfg.normalise_overrides.insert("b".into(), NormaliserKind::Rank);
    /// let s = Scorer::new(fw).sweep(&data)?.with_configs(&[cfg])?;
    /// assert_eq!(s.alternative_names()[1], "minmax +1 overrides");
    /// // a: min-max (0, 100); b: ranks (2, 1)
    /// let x = s.build()?.alternative(1)?.clone();
    /// assert_eq!(x, ndarray::array![[0.0, 2.0], [100.0, 1.0]]);
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    pub fn with_configs(mut self, configs: &[ScorerConfig]) -> Result<Self> {
        for c in configs {
            let mut alt =
                Scorer::new(self.scorer.framework().clone()).normaliser(c.normalise.clone());
            for (code, n) in &c.normalise_overrides {
                alt = alt.normaliser_for(code, n.clone())?;
            }
            let mut name = c.normalise.to_string();
            if !c.normalise_overrides.is_empty() {
                name.push_str(&format!(" +{} overrides", c.normalise_overrides.len()));
            }
            self.push_scorer_alt(&alt, name)?;
        }
        Ok(self)
    }

    /// Add the normalisation of other scorers (default normaliser and overrides; their weights and
    /// aggregators are ignored). A scorer on a framework with other node codes (in order) is
    /// [`Error::InvalidSpec`]. Names: `scorer 1`, `scorer 2`, ...
    ///
    /// ```
    /// # use composite_indicators::prelude::*;
    /// # use composite_indicators::score::Scorer;
    /// # use composite_indicators::sweep::SweepSetup;
    /// # let fw = FrameworkSpec::new("t", vec![Indicator::new("a", "I")], vec![Pillar::new("I")]).check()?;
    /// let data = Dataset::new(vec!["X".into(), "Y".into()], vec!["a".into()],
    ///     ndarray::array![[1.0], [3.0]])?;
    /// let base = Scorer::new(fw);
    /// let alt = base.clone().normaliser(NormaliserKind::Borda);
    /// let m = base.sweep(&data)?.with_scorers(&[alt])?.build()?;
    /// assert_eq!(m.alternative(1)?.column(0).to_vec(), vec![0.0, 1.0]);
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    pub fn with_scorers(mut self, scorers: &[Scorer]) -> Result<Self> {
        let codes =
            |fw: &Framework| -> Vec<String> { fw.nodes().iter().map(|n| n.code.clone()).collect() };
        let own = codes(self.scorer.framework());
        for (i, s) in scorers.iter().enumerate() {
            if codes(s.framework()) != own {
                return Err(Error::InvalidSpec {
                    code: s.framework().root().code.clone(),
                    reason: format!(
                        "alternative scorer {} has another framework (node codes differ)",
                        i + 1
                    ),
                });
            }
            let name = format!("scorer {}", i + 1);
            self.push_scorer_alt(s, name)?;
        }
        Ok(self)
    }

    /// Add matrices normalised elsewhere (units × indicators in framework indicator order, rows in the
    /// data's unit order, NaN = missing). A wrong shape is [`Error::ShapeMismatch`]. Names: `matrix <k>`
    /// with `k` the alternative index.
    ///
    /// ```
    /// # use composite_indicators::prelude::*;
    /// # use composite_indicators::score::Scorer;
    /// # use composite_indicators::sweep::SweepSetup;
    /// # let fw = FrameworkSpec::new("t", vec![Indicator::new("a", "I")], vec![Pillar::new("I")]).check()?;
    /// let data = Dataset::new(vec!["X".into(), "Y".into()], vec!["a".into()],
    ///     ndarray::array![[1.0], [3.0]])?;
    /// let s = Scorer::new(fw).sweep(&data)?;
    /// let bad = s.with_normalised(vec![ndarray::array![[1.0, 2.0]]]);
    /// assert!(matches!(bad, Err(Error::ShapeMismatch { .. })));
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    pub fn with_normalised(mut self, matrices: Vec<Array2<f64>>) -> Result<Self> {
        let n_ind = self.scorer.framework().n_indicators();
        for x in matrices {
            if x.nrows() != self.data.n_units() || x.ncols() != n_ind {
                return Err(Error::ShapeMismatch {
                    what: format!(
                        "normalised alternative {} (units × indicators)",
                        self.matrices.len()
                    ),
                    expected: self.data.n_units() * n_ind,
                    found: x.len(),
                });
            }
            self.names.push(format!("matrix {}", self.matrices.len()));
            self.matrices.push(x);
            self.alt_kinds.push(None);
        }
        Ok(self)
    }

    fn push_scorer_alt(&mut self, scorer: &Scorer, name: String) -> Result<()> {
        let x = scorer.fit(self.data)?.normalise(self.data)?;
        self.matrices.push(x);
        self.alt_kinds.push(None);
        self.names.push(name);
        Ok(())
    }

    /// Add one alternative per aggregator: the scorer's own normalisation (alternative 0's matrix)
    /// aggregated with `kind` at every aggregate node, as COINr's `SA_specs` aggregation choice
    /// (`a_amean` / `a_gmean`). Names: the aggregators' names. Geometric, harmonic and power means are
    /// batched on transformed values (see [`BatchModel::with_alternative`]); data outside their domain
    /// (a zero under the geometric mean without offset, say) makes the sweep fail with
    /// [`Error::NonPositive`] naming unit and indicator, so pick a normalisation that keeps values
    /// positive (min-max to `[1, 100]`, as COINr does for its geometric example).
    ///
    /// Errors: [`Error::InvalidParameter`] for an invalid aggregator parameter.
    ///
    /// ```
    /// # use composite_indicators::prelude::*;
    /// # use composite_indicators::score::Scorer;
    /// # use composite_indicators::sweep::SweepSetup;
    /// # let fw = FrameworkSpec::new(
    /// #     "t",
    /// #     vec![Indicator::new("a", "I"), Indicator::new("b", "I")],
    /// #     vec![Pillar::new("I")],
    /// # ).check()?;
    /// let data = Dataset::new(vec!["X".into(), "Y".into()], vec!["a".into(), "b".into()],
    ///     ndarray::array![[1.0, 4.0], [4.0, 1.0]])?;
    /// let scorer = Scorer::new(fw).normaliser(NormaliserKind::MinMax { lo: 1.0, hi: 4.0 });
    /// let m = scorer.sweep(&data)?
    ///     .with_aggregators(vec![AggregatorKind::Geometric { offset: 0.0 }])?
    ///     .build()?;
    /// assert_eq!(m.alternative_aggregators(1)?, ["geometric"]);
    /// // X: a = 1, b = 4: arithmetic 2.5, geometric 2
    /// assert_eq!(m.score_index(m.nominal_weights(), 0)?[0], 2.5);
    /// assert!((m.score_index(m.nominal_weights(), 1)?[0] - 2.0).abs() < 1e-12);
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    pub fn with_aggregators(mut self, kinds: Vec<AggregatorKind>) -> Result<Self> {
        let n_agg = self.scorer.framework().aggregate_indices().count();
        for kind in kinds {
            kind.check()?;
            let x0 = self.matrices[0].clone();
            self.names.push(kind.to_string());
            self.matrices.push(x0);
            self.alt_kinds.push(Some(vec![kind; n_agg]));
        }
        Ok(self)
    }

    /// Number of alternatives so far (1 + those added).
    pub fn n_alternatives(&self) -> usize {
        self.matrices.len()
    }

    /// Alternative names, alternative order (`"scorer"` for alternative 0).
    pub fn alternative_names(&self) -> &[String] {
        &self.names
    }

    /// The nominal node weights (node order) the model will use.
    ///
    /// ```
    /// # use composite_indicators::prelude::*;
    /// # use composite_indicators::score::Scorer;
    /// # use composite_indicators::sweep::SweepSetup;
    /// let fw = FrameworkSpec::new(
    ///     "t",
    ///     vec![Indicator::new("a", "I").with_weight(2.0), Indicator::new("b", "I")],
    ///     vec![Pillar::new("I")],
    /// ).check()?;
    /// let data = Dataset::new(vec!["X".into(), "Y".into()], vec!["a".into(), "b".into()],
    ///     ndarray::array![[1.0, 2.0], [3.0, 1.0]])?;
    /// let s = Scorer::new(fw.clone()).sweep(&data)?;
    /// assert_eq!(s.nominal_weights(), [2.0, 1.0, 1.0]);
    /// let s = Scorer::new(fw).weights(WeightScheme::Equal).sweep(&data)?;
    /// assert_eq!(s.nominal_weights(), [1.0, 1.0, 1.0]);
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    pub fn nominal_weights(&self) -> &[f64] {
        &self.nominal
    }

    /// Build the model (see the type docs for what it takes from the scorer).
    ///
    /// # Errors
    ///
    /// As [`BatchModel::new`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use composite_indicators::prelude::*;
    /// # use composite_indicators::score::Scorer;
    /// # use composite_indicators::sweep::SweepSetup;
    /// let fw = FrameworkSpec::new("t", vec![Indicator::new("a", "I")], vec![Pillar::new("I")]).check()?;
    /// let data = Dataset::new(vec!["X".into(), "Y".into()], vec!["a".into()],
    ///     ndarray::array![[1.0], [3.0]])?;
    /// let scorer = Scorer::new(fw).missing(MissingPolicy::Propagate);
    /// let m = scorer.sweep(&data)?.build()?;
    /// assert_eq!(m.unit_codes(), ["X", "Y"]);
    /// assert_eq!(m.missing_policy(), MissingPolicy::Propagate);
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    pub fn build(self) -> Result<BatchModel> {
        let fw = self.scorer.framework().clone();
        let missing = self.scorer.missing_policy();
        let bonus = self.scorer.weight_scheme().bonus_weight();
        let mut matrices = self.matrices.into_iter();
        let first: Vec<Array2<f64>> = matrices.next().into_iter().collect();
        let aggs = fw
            .aggregate_indices()
            .map(|k| {
                self.scorer
                    .aggregator_of(k)
                    .ok_or_else(|| Error::InvalidSpec {
                        code: fw.nodes()[k].code.clone(),
                        reason: "no aggregator for this aggregate node".into(),
                    })
            })
            .collect::<Result<Vec<_>>>()?;
        let mut model = BatchModel::new(fw, aggs, missing, bonus, first)?;
        model = model.with_unit_codes(self.data.unit_codes().to_vec())?;
        for (x, kinds) in matrices.zip(self.alt_kinds.into_iter().skip(1)) {
            model = model.with_alternative(x, kinds)?;
        }
        model.with_nominal_weights(self.nominal)
    }

    /// Build the model and run a sweep on it ([`SweepSetup::build`], then
    /// [`BatchModel::sweep`] without progress reporting or cancellation).
    ///
    /// # Errors
    ///
    /// Those of [`SweepSetup::build`] and [`BatchModel::sweep`].
    ///
    /// # Examples
    ///
    /// ```
    /// use composite_indicators::prelude::*;
    /// use composite_indicators::score::Scorer;
    /// use composite_indicators::sweep::{SweepConfig, WeightSampler};
    /// let fw = FrameworkSpec::new( "t",
    ///     vec![Indicator::new("a", "I"), Indicator::new("b", "I")],
    ///     vec![Pillar::new("I")] ).check()?;
    /// let data = Dataset::new(vec!["X".into(), "Y".into()], vec!["a".into(), "b".into()],
    ///     ndarray::array![[1.0, 2.0], [3.0, 1.0]])?;
    /// let result = Scorer::new(fw).sweep(&data)?.run(&SweepConfig::new(10, 1, WeightSampler::Nominal))?;
    /// assert_eq!(result.ranks.n_units(), 2);
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    pub fn run(self, config: &SweepConfig) -> Result<SweepResult> {
        self.build()?.sweep(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;
    use ndarray::array;

    fn two_pillars() -> Framework {
        FrameworkSpec::new(
            "t",
            vec![
                Indicator::new("a", "P"),
                Indicator::new("b", "P").with_direction(Direction::Negative),
                Indicator::new("c", "Q"),
            ],
            vec![
                Pillar::new("P").with_parent("I"),
                Pillar::new("Q").with_parent("I"),
                Pillar::new("I"),
            ],
        )
        .check()
        .unwrap()
    }

    fn data() -> Dataset {
        Dataset::new(
            vec!["U".into(), "V".into(), "W".into()],
            vec!["a".into(), "b".into(), "c".into()],
            array![[0.0, 4.0, 1.0], [5.0, 0.0, f64::NAN], [10.0, 2.0, 3.0]],
        )
        .unwrap()
    }

    #[test]
    fn hand_computed_index_with_missing_and_negative_direction() {
        // min-max 0-100: a → (0, 50, 100); b (negated) → (0, 100, 50); c → (0, NaN, 100)
        // P = mean(a, b) = (0, 75, 75); Q = c; I = mean(P, Q), V skips Q: (0, 75, 87.5)
        let m = Scorer::new(two_pillars())
            .sweep(&data())
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(
            m.score_index(m.nominal_weights(), 0).unwrap(),
            vec![0.0, 75.0, 87.5]
        );
        assert_eq!(m.unit_codes(), ["U", "V", "W"]);
        // weights P = 3, Q = 1: W = (3·75 + 100)/4 = 81.25
        let mut w = m.nominal_weights().to_vec();
        w[3] = 3.0;
        let b = m
            .score_batch(
                ndarray::Array2::from_shape_vec((1, 6), w).unwrap().view(),
                &[0],
            )
            .unwrap();
        assert_eq!(b.row(0).to_vec(), vec![0.0, 75.0, 81.25]);
    }

    #[test]
    fn rank_alternative_by_hand() {
        // ranks (1 = lowest): a → (1, 2, 3); −b → (1, 3, 2); c → (1, NaN, 2)
        // P = (1, 2.5, 2.5); I = (1, 2.5, 2.25)
        let m = Scorer::new(two_pillars())
            .sweep(&data())
            .unwrap()
            .with_normalisers(vec![NormaliserKind::Rank])
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(
            m.score_index(m.nominal_weights(), 1).unwrap(),
            vec![1.0, 2.5, 2.25]
        );
    }

    #[test]
    fn explicit_weights_and_level_aggregator_resolution() {
        let mut cfg = ScorerConfig {
            weights: WeightScheme::Explicit {
                weights: [("a".to_string(), 3.0)].into_iter().collect(),
            },
            ..ScorerConfig::default()
        };
        cfg.aggregate_levels.insert(3, AggregatorKind::Sum);
        let d = data();
        let s = Scorer::from_config(two_pillars(), &cfg)
            .unwrap()
            .sweep(&d)
            .unwrap();
        assert_eq!(s.nominal_weights(), [3.0, 1.0, 1.0, 1.0, 1.0, 1.0]);
        let m = s.build().unwrap();
        // P = (3a + b)/4 = (0, 62.5, 87.5); I = P + Q with V's Q skipped: (0, 62.5, 187.5)
        assert_eq!(
            m.score_index(m.nominal_weights(), 0).unwrap(),
            vec![0.0, 62.5, 187.5]
        );
    }

    #[test]
    fn errors_name_the_problem() {
        let d = Dataset::new(
            vec!["U".into(), "V".into()],
            vec!["a".into(), "b".into(), "c".into()],
            array![[1.0, 1.0, 2.0], [2.0, 1.0, 3.0]],
        )
        .unwrap();
        // b is constant: min-max fails with ZeroRange naming b
        match Scorer::new(two_pillars()).sweep(&d) {
            Err(Error::ZeroRange { indicator, .. }) => assert_eq!(indicator, "b"),
            other => panic!("expected ZeroRange, got {other:?}"),
        }
        let d = data();
        let s = Scorer::new(two_pillars()).sweep(&d).unwrap();
        let mut cfg = ScorerConfig::default();
        cfg.normalise_overrides
            .insert("zz".into(), NormaliserKind::Rank);
        assert!(matches!(
            s.with_configs(&[cfg]),
            Err(Error::UnknownCode { .. })
        ));
    }
}
