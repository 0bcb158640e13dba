//! The sweep model: a checked framework scored for many weightings and method alternatives.
//!
//! A [`BatchModel`] is built once — by [`SweepSetup`](super::SweepSetup) from a
//! [`Scorer`](crate::score::Scorer) and its data (the front door: `scorer.sweep(&data)?…build()`), or
//! by [`BatchModel::new`] from matrices normalised elsewhere — and holds, per aggregator set, the
//! tree plan (node order, each node's [`MeanForm`](crate::aggregate::MeanForm), the
//! effective-weights and bonus rules) and, per method alternative, the normalised matrix with the
//! blocks the engine precomputes from it. Scoring lives in the private engine:
//!
//! * `engine::general`: one variant through the aggregators (the plan's one-variant case, as
//!   [`Scorer`](crate::score::Scorer) scores) and K variants at once, node by node with each node's
//!   form (opaque nodes through their aggregator, one variant at a time);
//! * `engine::linear`: a linear tree without missing values, one matrix product per block of
//!   variants with the plan's effective weights.

use ndarray::{Array1, Array2};
use std::sync::OnceLock;

use crate::aggregate::{Aggregator, AggregatorKind, MissingPolicy};
use crate::error::{Error, Expected, Result};
use crate::plan::TreePlan;
use crate::spec::Framework;

use super::engine::general::NodeBlock;
use super::methods::{MethodDimension, option_levels};
use super::sampler::normalised_probabilities;

/// Per-alternative precomputed data.
#[derive(Debug, Clone)]
pub(crate) struct Alt {
    /// units × indicators, NaN = missing.
    pub(crate) x: Array2<f64>,
    /// indicators × units, NaN and bonus columns replaced by 0 (for the one-GEMM path).
    pub(crate) xt0: Array2<f64>,
    /// No non-bonus value is missing.
    pub(crate) complete: bool,
    /// Some value (bonus included) is missing.
    pub(crate) any_missing: bool,
    /// The bonus term per unit (zeros without bonus; NaN where a missing bonus value is not skipped).
    pub(crate) bonus_add: Array1<f64>,
    /// Per aggregate node: indicator children as (values NaN→0, mask) blocks.
    pub(crate) blocks: Vec<NodeBlock>,
    /// Index of the alternative's aggregation in [`BatchModel::aggregations`].
    pub(crate) agg: usize,
}

/// The aggregators of one or more method alternatives, with the tree plan they give.
#[derive(Debug)]
pub(crate) struct Aggregation {
    pub(crate) aggs: Vec<Box<dyn Aggregator>>,
    /// The built-in kinds, when every aggregator is one (naming, hashing, score bounds).
    pub(crate) kinds: Option<Vec<AggregatorKind>>,
    /// The plan: node order, children, forms, effective weights, bonus.
    pub(crate) plan: TreePlan,
}

/// A framework ready to be re-scored under many weightings and method alternatives.
///
/// Inputs: a checked [`Framework`], one aggregator per aggregate node (in node order, i.e.
/// `fw.aggregate_indices()`), a [`MissingPolicy`], an optional bonus weight (see
/// [`WeightScheme::Bonus`](crate::weights::WeightScheme::Bonus): bonus-flagged indicators are left out of
/// their parent and `bonus_weight · value` is added to the root), and one or more **normalised**
/// matrices (units × indicators, indicator columns in framework node order, NaN = missing), one per
/// method alternative (e.g. per normaliser choice). More alternatives, each with its own aggregators if
/// needed, come from [`BatchModel::with_alternative`]; [`BatchModel::with_method_dimensions`] declares
/// them a grid of independent choices.
///
/// Two scoring paths give the same numbers (to rounding, tested to 1e-12):
///
/// * [`BatchModel::score_variant`], the reference: every aggregate node is computed through the
///   [`Aggregator`] trait, level by level, for one weight vector;
/// * [`BatchModel::score_batch`], the batched kernel for K variants at once. Each node is batched by
///   its aggregator's [`MeanForm`](crate::aggregate::MeanForm). If every aggregator is linear
///   ([`MeanForm::Linear`](crate::aggregate::MeanForm::Linear) or
///   [`MeanForm::Sum`](crate::aggregate::MeanForm::Sum)) and no non-bonus value is missing, the tree collapses to
///   effective indicator weights per variant and all index scores are one matrix product
///   `(K × indicators)·(indicators × units)`. With missing data (policy `Skip` / `Propagate`) linear nodes
///   are computed level by level with a value product and a mask product (`Σ w·x` over available
///   children divided by `Σ w` over available children). Otherwise (a non-linear node anywhere) the
///   same holds level by level: geometric, harmonic and power means are computed the same way on
///   transformed values, `φ⁻¹(Σ w·φ(x) / Σ w)` (see [`BatchModel::with_alternative`]); median and
///   Copeland nodes, custom aggregators, and quasi-arithmetic nodes whose values leave `φ`'s domain fall
///   back to the trait, one variant at a time.
///
/// **Missing values.** Non-bonus values follow the policy as implemented by each aggregator. A missing
/// bonus value adds nothing under `Skip`, makes the index missing under `Propagate` and is an error under
/// `Error`.
///
/// Weights are per node (node order, as [`WeightScheme::node_weights`](crate::weights::WeightScheme::node_weights)
/// returns them); they must be finite and non-negative and need not sum to one (groups are normalised by
/// the aggregators). A mean over children whose available weights sum to zero is missing.
///
/// ```
/// use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
/// use composite_indicators::sweep::BatchModel;
/// use ndarray::array;
/// let fw = FrameworkSpec::new(
///     "t",
///     vec![Indicator::new("a", "I"), Indicator::new("b", "I")],
///     vec![Pillar::new("I")])
/// .check()
/// .unwrap();
/// let x = array![[1.0, 3.0], [2.0, f64::NAN]];
/// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None, vec![x])
///     .unwrap();
/// // weights: a = 1, b = 3 (root weight unused)
/// let s = m.score_index(&[1.0, 3.0, 1.0], 0).unwrap();
/// assert_eq!(s, vec![2.5, 2.0]);
/// let b = m.score_batch(ndarray::array![[1.0, 3.0, 1.0], [1.0, 1.0, 1.0]].view(), &[0, 0]).unwrap();
/// assert_eq!(b.row(1).to_vec(), vec![2.0, 2.0]);
/// ```
#[derive(Debug)]
pub struct BatchModel {
    pub(crate) fw: Framework,
    /// Aggregator sets; alternative `a` uses `aggregations[alts[a].agg]` (0 unless added with
    /// [`BatchModel::with_alternative`]). Every set has its plan; the tree shape is the same in all.
    pub(crate) aggregations: Vec<Aggregation>,
    pub(crate) alts: Vec<Alt>,
    pub(crate) unit_codes: Vec<String>,
    pub(crate) nominal: Vec<f64>,
    pub(crate) n_units: usize,
    /// The alternatives as a grid of method choices (empty: a flat list).
    pub(crate) dims: Vec<MethodDimension>,
    /// Memory budget of Sobol / one-at-a-time analyses and the default of sweeps (`None`:
    /// [`default_memory_budget`](super::default_memory_budget)).
    pub(crate) memory_budget: Option<u64>,
    /// Values derived from the model alone, kept after their first computation.
    pub(crate) derived: Derived,
}

/// Values a sweep derives from the model alone (fingerprint, nominal scores and ranks, mean
/// bounds), computed on first use and kept, so repeated sweeps of one model (a study's sweeps,
/// warm-up and timed runs, shards run in one process) compute them once, as the numpy peer's
/// `Sweep` object prepares its problem once. Every builder that changes the model starts it afresh.
#[derive(Debug, Default)]
pub(crate) struct Derived {
    hash: OnceLock<u64>,
    nominal: OnceLock<(Vec<f64>, Vec<u32>)>,
    bounds: OnceLock<Option<Vec<(f64, f64)>>>,
}

impl Derived {
    /// The nominal scores and encoded ranks, if computed.
    pub(crate) fn nominal(&self) -> Option<&(Vec<f64>, Vec<u32>)> {
        self.nominal.get()
    }

    /// Keep the nominal scores and encoded ranks.
    pub(crate) fn keep_nominal(&self, v: (Vec<f64>, Vec<u32>)) {
        let _ = self.nominal.set(v);
    }
}
impl BatchModel {
    /// Build a model from one aggregator per aggregate node (node order): built-in
    /// [`AggregatorKind`]s or any [`Aggregator`] implementation (`Box<dyn Aggregator>` and
    /// `Arc<dyn Aggregator>` are aggregators too). Each node is batched by its
    /// [`Aggregator::mean_form`]; an opaque one is scored through the trait.
    ///
    /// # Errors
    ///
    /// [`Error::ShapeMismatch`] if the aggregator count, the matrix columns or the matrix rows
    /// disagree, [`Error::EmptyData`] without matrices or units, [`Error::NonFinite`] for an infinite
    /// value, [`Error::InvalidParameter`] for a negative or non-finite bonus weight and
    /// [`Error::ZeroWeightSum`] if a group has no non-bonus child with positive nominal weight.
    /// The nominal weights are the framework's node weights; unit codes default to `"1"`, `"2"`, ...
    ///
    /// # Examples
    ///
    /// ```
    /// use composite_indicators::{Aggregator, AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// use composite_indicators::sweep::BatchModel;
    /// let fw = FrameworkSpec::new(
    ///     "t",
    ///     vec![Indicator::new("a", "I")],
    ///     vec![Pillar::new("I")])
    /// .check()
    /// .unwrap();
    /// let aggs: Vec<Box<dyn Aggregator>> = vec![Box::new(AggregatorKind::Arithmetic)];
    /// let m = BatchModel::new(fw, aggs, MissingPolicy::Propagate, None,
    ///     vec![ndarray::array![[4.0]]]).unwrap();
    /// assert_eq!(m.n_units(), 1);
    /// ```
    pub fn new<A: Aggregator + 'static>(
        fw: Framework,
        aggregators: Vec<A>,
        missing: MissingPolicy,
        bonus_weight: Option<f64>,
        alternatives: Vec<Array2<f64>>,
    ) -> Result<Self> {
        let aggregators: Vec<Box<dyn Aggregator>> = aggregators
            .into_iter()
            .map(|a| Box::new(a) as Box<dyn Aggregator>)
            .collect();
        if let Some(bw) = bonus_weight
            && (!bw.is_finite() || bw < 0.0)
        {
            return Err(Error::invalid("bonus_weight", bw, Expected::NonNegative));
        }
        let forms = aggregators.iter().map(|a| a.mean_form()).collect();
        let plan = TreePlan::new(&fw, forms, missing, bonus_weight)?;
        let first = alternatives.first().ok_or_else(|| Error::EmptyData {
            what: "no normalised matrix given".into(),
        })?;
        let n_units = first.nrows();
        if n_units == 0 {
            return Err(Error::EmptyData {
                what: "the normalised matrix has no units".into(),
            });
        }
        for (j, cs) in plan.children().iter().enumerate() {
            let sum: f64 = cs.iter().map(|&c| fw.nodes()[c].weight).sum();
            if cs.is_empty() || sum.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                return Err(Error::ZeroWeightSum {
                    group: fw.nodes()[plan.node(j)].code.clone(),
                });
            }
        }
        let unit_codes: Vec<String> = (1..=n_units).map(|i| i.to_string()).collect();
        let nominal: Vec<f64> = fw.nodes().iter().map(|n| n.weight).collect();
        let kinds = aggregators.iter().map(|a| a.kind()).collect();
        let mut model = BatchModel {
            aggregations: vec![Aggregation {
                aggs: aggregators,
                kinds,
                plan,
            }],
            alts: Vec::new(),
            unit_codes,
            nominal,
            n_units,
            fw,
            dims: Vec::new(),
            memory_budget: None,
            derived: Derived::default(),
        };
        let mut alts = Vec::with_capacity(alternatives.len());
        for x in alternatives {
            alts.push(model.prepare_alt(x, 0)?);
        }
        model.alts = alts;
        Ok(model)
    }

    /// The tree plan of aggregator set 0 (the tree shape, bonus and missing-value rules are the
    /// same in every set).
    pub(crate) fn plan(&self) -> &TreePlan {
        &self.aggregations[0].plan
    }

    fn prepare_alt(&self, x: Array2<f64>, agg: usize) -> Result<Alt> {
        let n_ind = self.fw.n_indicators();
        if x.ncols() != n_ind {
            return Err(Error::ShapeMismatch {
                what: "normalised matrix columns (indicators)".into(),
                expected: n_ind,
                found: x.ncols(),
            });
        }
        if x.nrows() != self.n_units {
            return Err(Error::ShapeMismatch {
                what: "normalised matrix rows (units)".into(),
                expected: self.n_units,
                found: x.nrows(),
            });
        }
        for ((i, j), &v) in x.indexed_iter() {
            if v.is_infinite() {
                return Err(Error::NonFinite {
                    unit: self.unit_codes.get(i).cloned().unwrap_or_default(),
                    indicator: self.fw.nodes()[j].code.clone(),
                    value: v,
                });
            }
        }
        let plan = &self
            .aggregations
            .get(agg)
            .unwrap_or(&self.aggregations[0])
            .plan;
        let bonus_ind = plan.bonus_indicators();
        let any_missing = x.iter().any(|v| v.is_nan());
        let complete = (0..n_ind)
            .filter(|k| !bonus_ind.contains(k))
            .all(|k| x.column(k).iter().all(|v| !v.is_nan()));
        let mut xt0 = x.t().mapv(|v| if v.is_nan() { 0.0 } else { v });
        for &b in bonus_ind {
            xt0.row_mut(b).fill(0.0);
        }
        let xt0 = xt0.as_standard_layout().to_owned();
        // a missing bonus value under `Error` is reported when a variant is scored
        let bonus_add = match plan.bonus_term_under(x.view(), plan.missing()) {
            Ok(b) => b,
            Err(_) => plan
                .bonus_term_under(x.view(), MissingPolicy::Propagate)
                .unwrap_or_else(|_| Array1::from_elem(x.nrows(), f64::NAN)),
        };
        let blocks = NodeBlock::build(plan, &x);
        Ok(Alt {
            x,
            xt0,
            complete,
            any_missing,
            bonus_add,
            blocks,
            agg,
        })
    }

    /// aggregator set when `aggregators` is `None`. This is how an aggregation choice enters a sweep
    /// (COINr's `SA_specs` alternatives of `f_ag`): the same matrix again with, say, the geometric mean
    /// at every level. Alternatives with equal aggregator lists share one set.
    ///
    /// Geometric, harmonic and power means are scored in batches like the arithmetic mean, as
    /// quasi-arithmetic means `φ⁻¹(Σ w φ(x) / Σ w)` with `φ = ln(x + offset)`, `1/(x + offset)` or
    /// `x^p`: two matrix products per node on transformed values. A node whose values leave `φ`'s
    /// domain (a value `≤ −offset` for the geometric mean, say) is scored through the
    /// [`Aggregator`] trait instead, which reports [`Error::NonPositive`] with unit and child.
    ///
    /// Errors: as [`BatchModel::new`] for the matrix; [`Error::ShapeMismatch`] for a wrong aggregator
    /// count; [`Error::InvalidParameter`] for an invalid aggregator parameter.
    ///
    /// ```
    /// use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// use composite_indicators::sweep::BatchModel;
    /// let fw = FrameworkSpec::new( "t", vec![Indicator::new("a", "I"),
    ///     Indicator::new("b", "I")], vec![Pillar::new("I")] ).check().unwrap();
    /// let x = ndarray::array![[1.0, 4.0], [2.0, 2.0]];
    /// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None,
    ///     vec![x.clone()]).unwrap()
    ///     .with_alternative(x, Some(vec![AggregatorKind::Geometric { offset: 0.0 }])).unwrap();
    /// assert_eq!(m.alternative_aggregators(1).unwrap(), ["geometric"]);
    /// assert_eq!(m.score_index(&[1.0; 3], 0).unwrap(), vec![2.5, 2.0]);
    /// let g = m.score_index(&[1.0; 3], 1).unwrap();
    /// assert!((g[0] - 2.0).abs() < 1e-12 && (g[1] - 2.0).abs() < 1e-12);
    /// // the batched kernel gives the same numbers
    /// let b = m.score_batch(ndarray::array![[1.0, 1.0, 1.0]].view(), &[1]).unwrap();
    /// assert!((b[[0, 0]] - 2.0).abs() < 1e-12);
    /// ```
    pub fn with_alternative(
        mut self,
        x: Array2<f64>,
        aggregators: Option<Vec<AggregatorKind>>,
    ) -> Result<Self> {
        self.derived = Derived::default();
        let agg = match aggregators {
            None => 0,
            Some(kinds) => {
                if kinds.len() != self.plan().n_aggregates() {
                    return Err(Error::ShapeMismatch {
                        what: "aggregators (one per aggregate node)".into(),
                        expected: self.plan().n_aggregates(),
                        found: kinds.len(),
                    });
                }
                for k in &kinds {
                    k.check()?;
                }
                match self
                    .aggregations
                    .iter()
                    .position(|a| a.kinds.as_ref() == Some(&kinds))
                {
                    Some(i) => i,
                    None => {
                        let plan = self
                            .plan()
                            .with_forms(kinds.iter().map(|k| k.mean_form()).collect())?;
                        let aggs = kinds
                            .iter()
                            .map(|k| Box::new(k.clone()) as Box<dyn Aggregator>)
                            .collect();
                        self.aggregations.push(Aggregation {
                            aggs,
                            kinds: Some(kinds),
                            plan,
                        });
                        self.aggregations.len() - 1
                    }
                }
            }
        };
        let alt = self.prepare_alt(x, agg)?;
        self.alts.push(alt);
        self.dims.clear();
        Ok(self)
    }

    /// The aggregator names ([`Aggregator::name`]) alternative `alt` uses, aggregate-node order.
    /// Errors: [`Error::IndexOutOfRange`] for an alternative out of range.
    ///
    /// ```
    /// # use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// # use composite_indicators::sweep::BatchModel;
    /// # let fw = FrameworkSpec::new( "t", vec![Indicator::new("a", "I")],
    /// #     vec![Pillar::new("I")] ).check().unwrap();
    /// let m = BatchModel::new(fw, vec![AggregatorKind::Median], MissingPolicy::default(), None,
    ///     vec![ndarray::array![[1.0]]]).unwrap();
    /// assert_eq!(m.alternative_aggregators(0).unwrap(), ["median"]);
    /// assert!(m.alternative_aggregators(1).is_err());
    /// ```
    pub fn alternative_aggregators(&self, alt: usize) -> Result<Vec<String>> {
        let a = self.alt(alt)?;
        Ok(self.aggregation(a).aggs.iter().map(|g| g.name()).collect())
    }

    /// Declare the alternatives as the grid of independent method choices (COINr's `SA_specs`):
    /// dimension `d` has `n_d` options, and alternative `alt` is the mixed-radix number of the option
    /// indices with the **last dimension fastest**, `alt = ((l₀·n₁ + l₁)·n₂ + l₂)…`; alternative 0 has
    /// every choice at its first option. [`GroupInput::Method`](super::GroupInput::Method) Sobol
    /// groups refer to dimensions by name. Adding an alternative afterwards clears the grid.
    ///
    /// Errors: [`Error::ShapeMismatch`] if the product of the option counts is not the number of
    /// alternatives; [`Error::InvalidParameter`] for an empty dimension name or a dimension without
    /// options, [`Error::NamedTwice`] for a repeated name.
    ///
    /// ```
    /// use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// use composite_indicators::sweep::{BatchModel, MethodDimension};
    /// let fw = FrameworkSpec::new( "t", vec![Indicator::new("a", "I")],
    ///     vec![Pillar::new("I")] ).check().unwrap();
    /// let x = ndarray::array![[1.0]];
    /// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None,
    ///     vec![x.clone(); 6]).unwrap()
    ///     .with_method_dimensions(vec![
    ///         MethodDimension::new("normaliser", ["min_max", "z_score"]),
    ///         MethodDimension::new("aggregator", ["arithmetic", "geometric", "median"]),
    ///     ]).unwrap();
    /// assert_eq!(m.method_levels(4).unwrap(), vec![1, 1]); // 4 = 1·3 + 1
    /// ```
    pub fn with_method_dimensions(mut self, dims: Vec<MethodDimension>) -> Result<Self> {
        self.derived = Derived::default();
        let mut total = 1usize;
        for (i, d) in dims.iter().enumerate() {
            if d.name.trim().is_empty() {
                return Err(Error::invalid(
                    "method dimension name",
                    format!("`{}`", d.name),
                    Expected::NonEmpty,
                ));
            }
            if dims[..i].iter().any(|e| e.name == d.name) {
                return Err(Error::NamedTwice {
                    what: "method dimension".into(),
                    name: d.name.clone(),
                });
            }
            if d.options.is_empty() {
                return Err(Error::invalid(
                    format!("options of method dimension `{}`", d.name),
                    "",
                    Expected::NonEmpty,
                ));
            }
            total = total.saturating_mul(d.options.len());
        }
        if total != self.alts.len() {
            return Err(Error::ShapeMismatch {
                what: "alternatives (product of the method dimensions' option counts)".into(),
                expected: self.alts.len(),
                found: total,
            });
        }
        self.dims = dims;
        Ok(self)
    }

    /// The method dimensions ([`BatchModel::with_method_dimensions`]); empty for a flat list.
    pub fn method_dimensions(&self) -> &[MethodDimension] {
        &self.dims
    }

    /// An [`AltSampler`](super::AltSampler) that draws every method dimension independently with
    /// relative probabilities `per_dimension[d]` (one entry per option; an empty list: equally likely):
    /// alternative `alt` gets the product of its options' probabilities.
    ///
    /// Errors: [`Error::Incompatible`] if the model has no method dimensions;
    /// [`Error::ShapeMismatch`] for a wrong number of dimensions or options,
    /// [`Error::InvalidParameter`] naming the dimension for a negative or non-finite probability or a
    /// zero sum.
    ///
    /// ```
    /// # use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// use composite_indicators::sweep::{AltSampler, BatchModel, MethodDimension};
    /// # let fw = FrameworkSpec::new( "t", vec![Indicator::new("a", "I")],
    /// #     vec![Pillar::new("I")] ).check().unwrap();
    /// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None,
    ///     vec![ndarray::array![[1.0]]; 4]).unwrap()
    ///     .with_method_dimensions(vec![MethodDimension::new("n", ["a", "b"]),
    ///         MethodDimension::new("g", ["x", "y"])]).unwrap();
    /// let s = m.method_sampler(&[vec![3.0, 1.0], vec![]]).unwrap();
    /// assert_eq!(s, AltSampler::Probabilities { probabilities: vec![0.375, 0.375, 0.125, 0.125] });
    /// ```
    pub fn method_sampler(&self, per_dimension: &[Vec<f64>]) -> Result<super::AltSampler> {
        if self.dims.is_empty() {
            return Err(Error::incompatible(
                "method sampler",
                "the model has no method dimensions (use AltSampler::Probabilities over its \
                 alternatives)",
            ));
        }
        if per_dimension.len() != self.dims.len() {
            return Err(Error::ShapeMismatch {
                what: "option probabilities (one list per method dimension)".into(),
                expected: self.dims.len(),
                found: per_dimension.len(),
            });
        }
        let mut probabilities = vec![1.0];
        for (d, p) in self.dims.iter().zip(per_dimension) {
            let n = d.options.len();
            let p = if p.is_empty() {
                vec![1.0; n]
            } else {
                p.clone()
            };
            let q = normalised_probabilities(
                &p,
                n,
                &format!("option probabilities of method dimension `{}`", d.name),
                &format!("probabilities of method dimension `{}`", d.name),
            )?;
            probabilities = probabilities
                .iter()
                .flat_map(|&a| q.iter().map(move |&b| a * b))
                .collect();
        }
        Ok(super::AltSampler::Probabilities { probabilities })
    }

    /// Option index of every method dimension for alternative `alt` (empty without dimensions).
    /// Errors: [`Error::IndexOutOfRange`] for an alternative out of range.
    ///
    /// ```
    /// # use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// # use composite_indicators::sweep::BatchModel;
    /// # let fw = FrameworkSpec::new( "t", vec![Indicator::new("a", "I")],
    /// #     vec![Pillar::new("I")] ).check().unwrap();
    /// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None,
    ///     vec![ndarray::array![[1.0]]]).unwrap();
    /// assert!(m.method_levels(0).unwrap().is_empty());
    /// ```
    pub fn method_levels(&self, alt: usize) -> Result<Vec<usize>> {
        self.alt(alt)?;
        let sizes: Vec<usize> = self.dims.iter().map(|d| d.options.len()).collect();
        Ok(option_levels(alt, &sizes))
    }

    /// Replace the default unit codes (used in error messages and reports).
    ///
    /// ```
    /// # use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// # use composite_indicators::sweep::BatchModel;
    /// # let fw = FrameworkSpec::new( "t", vec![Indicator::new("a", "I")],
    /// #     vec![Pillar::new("I")] ).check().unwrap();
    /// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None,
    ///     vec![ndarray::array![[1.0], [2.0]]]).unwrap()
    ///     .with_unit_codes(vec!["AT".into(), "BE".into()]).unwrap();
    /// assert_eq!(m.unit_codes()[1], "BE");
    /// ```
    pub fn with_unit_codes(mut self, codes: Vec<String>) -> Result<Self> {
        self.derived = Derived::default();
        if codes.len() != self.n_units {
            return Err(Error::ShapeMismatch {
                what: "unit codes".into(),
                expected: self.n_units,
                found: codes.len(),
            });
        }
        self.unit_codes = codes;
        Ok(self)
    }

    /// Replace the nominal node weights (default: the framework's weights). Checked like any variant.
    ///
    /// ```
    /// # use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// # use composite_indicators::sweep::BatchModel;
    /// # let fw = FrameworkSpec::new( "t", vec![Indicator::new("a", "I"),
    /// #     Indicator::new("b", "I")], vec![Pillar::new("I")] ).check().unwrap();
    /// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None,
    ///     vec![ndarray::array![[0.0, 1.0]]]).unwrap()
    ///     .with_nominal_weights(vec![3.0, 1.0, 1.0]).unwrap();
    /// assert_eq!(m.score_index(m.nominal_weights(), 0).unwrap(), vec![0.25]);
    /// ```
    pub fn with_nominal_weights(mut self, w: Vec<f64>) -> Result<Self> {
        self.derived = Derived::default();
        self.check_weights(&w)?;
        self.nominal = w;
        Ok(self)
    }

    /// Set the memory budget (bytes) that [`BatchModel::sobol`], [`BatchModel::sobol_bootstrap`] and
    /// [`BatchModel::oat`] check their estimates against, also used by sweeps whose config sets none
    /// ([`SweepConfig::with_memory_budget`](super::SweepConfig::with_memory_budget) overrides it).
    /// Without it the budget is [`default_memory_budget`](super::default_memory_budget).
    ///
    /// ```
    /// # use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// # use composite_indicators::sweep::BatchModel;
    /// # let fw = FrameworkSpec::new( "t", vec![Indicator::new("a", "I")],
    /// #     vec![Pillar::new("I")] ).check().unwrap();
    /// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None,
    ///     vec![ndarray::array![[1.0]]]).unwrap().with_memory_budget(1 << 30);
    /// assert_eq!(m.memory_budget(), 1 << 30);
    /// ```
    pub fn with_memory_budget(mut self, bytes: u64) -> Self {
        self.memory_budget = Some(bytes);
        self
    }

    /// The memory budget in bytes: the one set with [`BatchModel::with_memory_budget`], else
    /// [`default_memory_budget`](super::default_memory_budget).
    ///
    /// ```
    /// # use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// # use composite_indicators::sweep::BatchModel;
    /// # let fw = FrameworkSpec::new( "t", vec![Indicator::new("a", "I")],
    /// #     vec![Pillar::new("I")] ).check().unwrap();
    /// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None,
    ///     vec![ndarray::array![[1.0]]]).unwrap();
    /// assert!(m.memory_budget() > 0);
    /// ```
    pub fn memory_budget(&self) -> u64 {
        self.memory_budget
            .unwrap_or_else(super::memory::default_memory_budget)
    }

    /// A stable 64-bit FNV-1a hash of the model's inputs: unit codes, the framework's nodes (codes,
    /// kinds, parents, children, weights), the nominal weights, the missing-value policy, the bonus
    /// weight, each aggregation's aggregators (kinds with their parameters where known, otherwise
    /// their names), each alternative's normalised matrix (bit patterns; every NaN hashed alike) and
    /// aggregation, and the method dimensions. Two models with the same inputs hash alike on every
    /// platform and Rust version (no `DefaultHasher`); sweep results record it to refuse merging
    /// results of different models.
    ///
    /// ```
    /// # use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// # use composite_indicators::sweep::BatchModel;
    /// # let fw = FrameworkSpec::new( "t", vec![Indicator::new("a", "I")],
    /// #     vec![Pillar::new("I")] ).check().unwrap();
    /// let m = |x: f64| BatchModel::new(fw.clone(), vec![AggregatorKind::Arithmetic],
    ///     MissingPolicy::default(), None, vec![ndarray::array![[x], [2.0]]]).unwrap();
    /// assert_eq!(m(1.0).model_hash(), m(1.0).model_hash());
    /// assert_ne!(m(1.0).model_hash(), m(1.5).model_hash());
    /// ```
    pub fn model_hash(&self) -> u64 {
        *self.derived.hash.get_or_init(|| self.compute_hash())
    }

    /// [`BatchModel::model_hash`], computed.
    fn compute_hash(&self) -> u64 {
        let mut h = super::exact::Fnv::default();
        h.tag("units");
        for c in &self.unit_codes {
            h.str(c);
        }
        h.tag("nodes");
        for n in self.fw.nodes() {
            h.str(&n.code);
            h.str(&format!("{:?}", n.kind));
            h.u64(n.parent.map_or(u64::MAX, |p| p as u64));
            h.u64(n.children.len() as u64);
            for &c in &n.children {
                h.u64(c as u64);
            }
            h.f64(n.weight);
        }
        h.tag("nominal");
        for &w in &self.nominal {
            h.f64(w);
        }
        h.str(&format!("{:?}", self.plan().missing()));
        h.f64(self.plan().bonus_weight().unwrap_or(f64::NAN));
        h.tag("aggregations");
        for a in &self.aggregations {
            match &a.kinds {
                Some(k) => h.str(&format!("{k:?}")),
                None => {
                    for g in &a.aggs {
                        h.str(&g.name());
                    }
                }
            }
        }
        h.tag("alternatives");
        for alt in &self.alts {
            h.u64(alt.agg as u64);
            h.u64(alt.x.nrows() as u64);
            h.u64(alt.x.ncols() as u64);
            for &x in &alt.x {
                h.f64(x);
            }
        }
        h.tag("dimensions");
        for d in &self.dims {
            h.str(&d.name);
            for o in &d.options {
                h.str(o);
            }
        }
        h.finish()
    }

    /// The framework.
    pub fn framework(&self) -> &Framework {
        &self.fw
    }
    /// Number of units (rows).
    pub fn n_units(&self) -> usize {
        self.n_units
    }
    /// Number of framework nodes (length of a node-weight vector).
    pub fn n_nodes(&self) -> usize {
        self.fw.nodes().len()
    }
    /// Number of method alternatives (normalised matrices).
    pub fn n_alternatives(&self) -> usize {
        self.alts.len()
    }
    /// Unit codes, row order.
    pub fn unit_codes(&self) -> &[String] {
        &self.unit_codes
    }
    /// Nominal node weights.
    pub fn nominal_weights(&self) -> &[f64] {
        &self.nominal
    }
    /// The missing-value policy.
    pub fn missing_policy(&self) -> MissingPolicy {
        self.plan().missing()
    }
    /// The normalised matrix of alternative `alt`.
    pub fn alternative(&self, alt: usize) -> Result<&Array2<f64>> {
        self.alt(alt).map(|a| &a.x)
    }
    /// Whether every aggregator is linear (mean or sum) and, for alternative `alt`, no non-bonus value
    /// is missing: the variants of that alternative are then scored by one matrix product.
    pub fn is_single_product(&self, alt: usize) -> bool {
        self.alts
            .get(alt)
            .is_some_and(|a| a.complete && self.aggregation(a).plan.is_linear())
    }

    /// The aggregation of an alternative (every alternative has one; the fallback is unreachable).
    pub(crate) fn aggregation(&self, a: &Alt) -> &Aggregation {
        let i = if a.agg < self.aggregations.len() {
            a.agg
        } else {
            0
        };
        &self.aggregations[i]
    }

    /// Per-unit bounds `[lo, hi]` every index score provably lies in when every aggregator is a mean
    /// (arithmetic, geometric, harmonic, power, median: a mean lies between its smallest and largest
    /// child) and there is no bonus: the smallest and largest non-missing value of the unit over all
    /// alternatives. `None` otherwise (sums, Copeland, TOPSIS, PROMETHEE II, custom aggregators,
    /// bonus; see [`AggregatorKind::is_mean`]).
    pub fn mean_bounds(&self) -> Option<Vec<(f64, f64)>> {
        self.derived
            .bounds
            .get_or_init(|| self.compute_mean_bounds())
            .clone()
    }

    /// [`BatchModel::mean_bounds`], computed.
    fn compute_mean_bounds(&self) -> Option<Vec<(f64, f64)>> {
        if !self.has_mean_bounds() {
            return None;
        }
        let mut out = vec![(f64::INFINITY, f64::NEG_INFINITY); self.n_units];
        for a in &self.alts {
            for (u, row) in a.x.rows().into_iter().enumerate() {
                for &v in row.iter().filter(|v| !v.is_nan()) {
                    out[u].0 = out[u].0.min(v);
                    out[u].1 = out[u].1.max(v);
                }
            }
        }
        Some(out)
    }

    /// Whether [`BatchModel::mean_bounds`] gives bounds (no bonus term, every aggregator a mean),
    /// without computing them.
    pub(crate) fn has_mean_bounds(&self) -> bool {
        let bonus =
            self.plan().bonus_weight().is_some() && !self.plan().bonus_indicators().is_empty();
        !bonus
            && self.aggregations.iter().all(|agg| {
                agg.kinds
                    .as_ref()
                    .is_some_and(|kinds| kinds.iter().all(|k| k.is_mean()))
            })
    }

    pub(crate) fn alt(&self, alt: usize) -> Result<&Alt> {
        self.alts.get(alt).ok_or_else(|| Error::IndexOutOfRange {
            what: "alternative".into(),
            index: alt,
            len: self.alts.len(),
        })
    }

    /// Check a node-weight vector: right length, finite and non-negative.
    pub(crate) fn check_weights(&self, w: &[f64]) -> Result<()> {
        if w.len() != self.n_nodes() {
            return Err(Error::ShapeMismatch {
                what: "node weights".into(),
                expected: self.n_nodes(),
                found: w.len(),
            });
        }
        for (k, &v) in w.iter().enumerate() {
            if !v.is_finite() || v < 0.0 {
                return Err(Error::InvalidWeight {
                    code: self.fw.nodes()[k].code.clone(),
                    weight: v,
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{FrameworkSpec, Indicator, Pillar};

    fn model() -> BatchModel {
        let fw = FrameworkSpec::new(
            "t",
            vec![Indicator::new("a", "I"), Indicator::new("b", "I")],
            vec![Pillar::new("I")],
        )
        .check()
        .unwrap();
        let x = ndarray::array![[1.0, 3.0], [2.0, 0.0], [0.0, 4.0]];
        BatchModel::new(
            fw,
            vec![AggregatorKind::Arithmetic],
            MissingPolicy::default(),
            None,
            vec![x],
        )
        .unwrap()
    }

    /// What a sweep keeps of a model (`Derived`) is computed afresh after every builder that
    /// changes the model, so a kept value never outlives the model it came from.
    #[test]
    fn derived_values_follow_the_builders() {
        let m = model();
        let (hash, nominal, bounds) = (m.model_hash(), m.nominal().unwrap(), m.mean_bounds());
        // kept: the same values again
        assert_eq!(m.model_hash(), hash);
        assert_eq!(m.nominal().unwrap(), nominal);
        assert_eq!(m.mean_bounds(), bounds);
        let m = m.with_nominal_weights(vec![3.0, 1.0, 1.0]).unwrap();
        assert_ne!(m.model_hash(), hash);
        let reweighted = m.nominal().unwrap();
        assert_ne!(reweighted, nominal);
        assert_eq!(reweighted.0, vec![1.5, 1.5, 1.0]);
        let m = m
            .with_unit_codes(vec!["x".into(), "y".into(), "z".into()])
            .unwrap();
        let h2 = m.model_hash();
        assert_ne!(h2, hash);
        let m = m
            .with_alternative(ndarray::array![[9.0, 9.0], [0.0, 0.0], [1.0, 1.0]], None)
            .unwrap();
        assert_ne!(m.model_hash(), h2);
        assert_eq!(m.mean_bounds().unwrap()[0], (1.0, 9.0));
        // a fresh model with the same inputs computes the same values
        let fresh = model();
        assert_eq!(
            (fresh.model_hash(), fresh.nominal().unwrap()),
            (hash, nominal)
        );
    }
}
