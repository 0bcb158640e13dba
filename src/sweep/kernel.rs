//! The batch model: a checked framework, per-node aggregators, a missing-value policy and one or more
//! normalised matrices, scored for many weight variants at once.

use ndarray::{Array1, Array2, ArrayView2, Axis};

use crate::aggregate::{Aggregator, AggregatorKind, Linearity, MissingPolicy, NodeContext};
use crate::aggregate::{power_domain, power_root};
use crate::error::{Error, Result};
use crate::spec::Framework;

use super::methods::{MethodDimension, option_levels};
use super::sampler::normalised_probabilities;

/// Per-alternative precomputed data.
#[derive(Debug, Clone)]
struct Alt {
    /// units × indicators, NaN = missing.
    x: Array2<f64>,
    /// indicators × units, NaN and bonus columns replaced by 0 (for the one-GEMM path).
    xt0: Array2<f64>,
    /// No non-bonus value is missing.
    complete: bool,
    /// Some value (bonus included) is missing.
    any_missing: bool,
    /// `bonus_weight · Σ bonus values` per unit (zeros without bonus).
    bonus_add: Array1<f64>,
    /// Per aggregate node: indicator children as (values NaN→0, mask) blocks, m × units, and the
    /// per-unit count of available indicator children.
    blocks: Vec<NodeBlock>,
    /// Index of the alternative's aggregation in [`BatchModel::aggregations`].
    agg: usize,
}

/// The aggregators of one or more method alternatives.
#[derive(Debug)]
struct Aggregation {
    aggs: Vec<Box<dyn Aggregator>>,
    kinds: Option<Vec<AggregatorKind>>,
    lin: Vec<Option<Linearity>>,
    /// Per aggregate node: the transform of a quasi-arithmetic mean (geometric, harmonic, power).
    quasi: Vec<Option<Quasi>>,
    all_linear: bool,
}

impl Aggregation {
    fn new(aggs: Vec<Box<dyn Aggregator>>, kinds: Option<Vec<AggregatorKind>>) -> Self {
        let lin: Vec<Option<Linearity>> = aggs.iter().map(|a| a.linearity()).collect();
        let quasi = aggs
            .iter()
            .map(|a| a.as_kind().and_then(|k| Quasi::of(&k)))
            .collect();
        let all_linear = lin.iter().all(|l| l.is_some());
        Aggregation {
            aggs,
            kinds,
            lin,
            quasi,
            all_linear,
        }
    }
}

/// A quasi-arithmetic mean `φ⁻¹(Σ w φ(x) / Σ w)`: geometric (`φ = ln(x + offset)`), harmonic
/// (`φ = 1/(x + offset)`) and power (`φ = x^p`, `p ≠ 0`; `p = 0` is geometric). Linear in the weights
/// once the children are transformed, so a node is two matrix products (values and mask), as for the
/// arithmetic mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Quasi {
    Log(f64),
    Recip(f64),
    Pow(f64),
}

impl Quasi {
    fn of(kind: &AggregatorKind) -> Option<Quasi> {
        // an invalid parameter goes through the trait, which reports it
        kind.check().ok()?;
        match *kind {
            AggregatorKind::Geometric { offset } => Some(Quasi::Log(offset)),
            AggregatorKind::Harmonic { offset } => Some(Quasi::Recip(offset)),
            AggregatorKind::Power { p: 0.0 } => Some(Quasi::Log(0.0)),
            AggregatorKind::Power { p } => Some(Quasi::Pow(p)),
            _ => None,
        }
    }

    /// `φ(x)`, or `None` outside the aggregator's domain (the trait path then reports the error).
    #[inline]
    fn phi(self, x: f64) -> Option<f64> {
        let y = match self {
            Quasi::Log(o) => {
                let t = x + o;
                if t > 0.0 { t.ln() } else { return None }
            }
            Quasi::Recip(o) => {
                let t = x + o;
                if t > 0.0 { 1.0 / t } else { return None }
            }
            Quasi::Pow(p) => {
                if !power_domain(p, x) {
                    return None;
                }
                x.powf(p)
            }
        };
        y.is_finite().then_some(y)
    }

    /// `φ⁻¹(m)` of a weighted mean `m` of transformed values, as the aggregators compute it.
    #[inline]
    fn inv(self, m: f64) -> f64 {
        match self {
            Quasi::Log(o) => m.exp() - o,
            Quasi::Recip(o) => 1.0 / m - o,
            Quasi::Pow(p) => power_root(m, p),
        }
    }
}

#[derive(Debug, Clone)]
struct NodeBlock {
    /// Indicator children (node indices) in child order.
    ind: Vec<usize>,
    /// Aggregate children (node indices).
    agg: Vec<usize>,
    x0t: Array2<f64>,
    mt: Array2<f64>,
    cnt: Vec<u32>,
    /// `φ(x)` (NaN→0) of the indicator children when the node is a quasi-arithmetic mean and every
    /// available value is in its domain; `None` otherwise (the node then goes through the trait).
    phi_t: Option<Array2<f64>>,
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
/// * [`BatchModel::score_batch`], the batched kernel for K variants at once. If every aggregator is linear
///   ([`Linearity::Mean`] or [`Linearity::Sum`]) and no non-bonus value is missing, the tree collapses to
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
///     vec![Pillar::new("I")],
/// )
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
    fw: Framework,
    /// Aggregator sets; alternative `a` uses `aggregations[alts[a].agg]` (0 unless added with
    /// [`BatchModel::with_alternative`]).
    aggregations: Vec<Aggregation>,
    missing: MissingPolicy,
    bonus_weight: Option<f64>,
    /// Per aggregate node: children used in the aggregation (bonus indicators removed).
    children: Vec<Vec<usize>>,
    child_codes: Vec<Vec<String>>,
    bonus_ind: Vec<usize>,
    alts: Vec<Alt>,
    unit_codes: Vec<String>,
    nominal: Vec<f64>,
    n_units: usize,
    /// The alternatives as a grid of method choices (empty: a flat list).
    dims: Vec<MethodDimension>,
    /// Memory budget of Sobol / one-at-a-time analyses and the default of sweeps (`None`:
    /// [`default_memory_budget`](super::default_memory_budget)).
    memory_budget: Option<u64>,
}

impl BatchModel {
    /// Build a model from built-in aggregator kinds (one per aggregate node, node order).
    ///
    /// Errors: [`Error::ShapeMismatch`] if the aggregator count, the matrix columns or the matrix rows
    /// disagree, [`Error::EmptyData`] without matrices or units, [`Error::NonFinite`] for an infinite
    /// value, [`Error::InvalidParameter`] for a negative or non-finite bonus weight and
    /// [`Error::ZeroWeightSum`] if a group has no non-bonus child with positive nominal weight.
    /// The nominal weights are the framework's node weights; unit codes default to `"1"`, `"2"`, ...
    pub fn new(
        fw: Framework,
        aggregators: Vec<AggregatorKind>,
        missing: MissingPolicy,
        bonus_weight: Option<f64>,
        alternatives: Vec<Array2<f64>>,
    ) -> Result<Self> {
        let boxed: Vec<Box<dyn Aggregator>> = aggregators
            .iter()
            .map(|a| Box::new(a.clone()) as Box<dyn Aggregator>)
            .collect();
        let mut m = Self::with_aggregators(fw, boxed, missing, bonus_weight, alternatives)?;
        if let Some(a) = m.aggregations.first_mut() {
            a.kinds = Some(aggregators);
        }
        Ok(m)
    }

    /// Build a model from any [`Aggregator`] implementations (one per aggregate node, node order).
    /// Same checks as [`BatchModel::new`].
    ///
    /// ```
    /// use composite_indicators::{Aggregator, AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// use composite_indicators::sweep::BatchModel;
    /// let fw = FrameworkSpec::new("t", vec![Indicator::new("a", "I")], vec![Pillar::new("I")])
    /// .check()
    /// .unwrap();
    /// let aggs: Vec<Box<dyn Aggregator>> = vec![Box::new(AggregatorKind::Arithmetic)];
    /// let m = BatchModel::with_aggregators(fw, aggs, MissingPolicy::Propagate, None,
    ///     vec![ndarray::array![[4.0]]]).unwrap();
    /// assert_eq!(m.n_units(), 1);
    /// ```
    pub fn with_aggregators(
        fw: Framework,
        aggregators: Vec<Box<dyn Aggregator>>,
        missing: MissingPolicy,
        bonus_weight: Option<f64>,
        alternatives: Vec<Array2<f64>>,
    ) -> Result<Self> {
        let n_ind = fw.n_indicators();
        let n_agg = fw.nodes().len() - n_ind;
        if aggregators.len() != n_agg {
            return Err(Error::ShapeMismatch {
                what: "aggregators (one per aggregate node)".into(),
                expected: n_agg,
                found: aggregators.len(),
            });
        }
        if let Some(bw) = bonus_weight {
            if !bw.is_finite() || bw < 0.0 {
                return Err(Error::param(
                    "bonus_weight",
                    format!("{bw} must be finite and non-negative"),
                ));
            }
        }
        let first = alternatives.first().ok_or_else(|| Error::EmptyData {
            what: "no normalised matrix given".into(),
        })?;
        let n_units = first.nrows();
        if n_units == 0 {
            return Err(Error::EmptyData {
                what: "the normalised matrix has no units".into(),
            });
        }
        let is_bonus =
            |k: usize| bonus_weight.is_some() && fw.indicators().get(k).is_some_and(|i| i.bonus);
        let bonus_ind: Vec<usize> = (0..n_ind).filter(|&k| is_bonus(k)).collect();
        let mut children = Vec::with_capacity(n_agg);
        let mut child_codes = Vec::with_capacity(n_agg);
        for k in fw.aggregate_indices() {
            let node = &fw.nodes()[k];
            let cs: Vec<usize> = node
                .children
                .iter()
                .copied()
                .filter(|&c| !is_bonus(c))
                .collect();
            let sum: f64 = cs.iter().map(|&c| fw.nodes()[c].weight).sum();
            if cs.is_empty() || sum.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                return Err(Error::ZeroWeightSum {
                    group: node.code.clone(),
                });
            }
            child_codes.push(cs.iter().map(|&c| fw.nodes()[c].code.clone()).collect());
            children.push(cs);
        }
        let unit_codes: Vec<String> = (1..=n_units).map(|i| i.to_string()).collect();
        let nominal: Vec<f64> = fw.nodes().iter().map(|n| n.weight).collect();
        let mut model = BatchModel {
            aggregations: vec![Aggregation::new(aggregators, None)],
            missing,
            bonus_weight,
            children,
            child_codes,
            bonus_ind,
            alts: Vec::new(),
            unit_codes,
            nominal,
            n_units,
            fw,
            dims: Vec::new(),
            memory_budget: None,
        };
        let mut alts = Vec::with_capacity(alternatives.len());
        for x in alternatives {
            alts.push(model.prepare_alt(x, 0)?);
        }
        model.alts = alts;
        Ok(model)
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
        let any_missing = x.iter().any(|v| v.is_nan());
        let complete = (0..n_ind)
            .filter(|k| !self.bonus_ind.contains(k))
            .all(|k| x.column(k).iter().all(|v| !v.is_nan()));
        let mut xt0 = x.t().mapv(|v| if v.is_nan() { 0.0 } else { v });
        for &b in &self.bonus_ind {
            xt0.row_mut(b).fill(0.0);
        }
        let xt0 = xt0.as_standard_layout().to_owned();
        let bonus_add = self.bonus_term(&x);
        let quasi = self
            .aggregations
            .get(agg)
            .map(|a| a.quasi.clone())
            .unwrap_or_default();
        let mut blocks = Vec::with_capacity(self.children.len());
        for (j, cs) in self.children.iter().enumerate() {
            let ind: Vec<usize> = cs.iter().copied().filter(|&c| c < n_ind).collect();
            let agg: Vec<usize> = cs.iter().copied().filter(|&c| c >= n_ind).collect();
            let mut x0t = Array2::zeros((ind.len(), self.n_units));
            let mut mt = Array2::zeros((ind.len(), self.n_units));
            let mut cnt = vec![0u32; self.n_units];
            for (r, &c) in ind.iter().enumerate() {
                for (u, &v) in x.column(c).iter().enumerate() {
                    if !v.is_nan() {
                        x0t[[r, u]] = v;
                        mt[[r, u]] = 1.0;
                        cnt[u] += 1;
                    }
                }
            }
            let phi_t = match quasi.get(j).copied().flatten() {
                Some(q) => {
                    let mut t = Array2::zeros((ind.len(), self.n_units));
                    let mut ok = true;
                    for ((dst, &v), &m) in t.iter_mut().zip(&x0t).zip(&mt) {
                        if m > 0.0 {
                            match q.phi(v) {
                                Some(y) => *dst = y,
                                None => ok = false,
                            }
                        }
                    }
                    ok.then_some(t)
                }
                None => None,
            };
            blocks.push(NodeBlock {
                ind,
                agg,
                x0t,
                mt,
                cnt,
                phi_t,
            });
        }
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

    /// `bonus_weight · Σ bonus values` per unit; missing bonus values add nothing under `Skip`, and make
    /// the term NaN otherwise (the `Error` policy is checked before this is used).
    fn bonus_term(&self, x: &Array2<f64>) -> Array1<f64> {
        let mut out = Array1::zeros(x.nrows());
        let Some(bw) = self.bonus_weight else {
            return out;
        };
        if self.bonus_ind.is_empty() {
            return out;
        }
        for (u, row) in x.rows().into_iter().enumerate() {
            let mut s = 0.0;
            for &b in &self.bonus_ind {
                let v = row[b];
                if v.is_nan() {
                    if !matches!(self.missing, MissingPolicy::Skip { .. }) {
                        s = f64::NAN;
                    }
                } else {
                    s += v;
                }
            }
            out[u] = bw * s;
        }
        out
    }

    /// Add a method alternative: a normalised matrix (checked as in [`BatchModel::new`]) scored with
    /// its own built-in aggregators (one per aggregate node, node order), or with the model's first
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
    /// let fw = FrameworkSpec::new(
    ///     "t",
    ///     vec![Indicator::new("a", "I"),
    ///     Indicator::new("b", "I")],
    ///     vec![Pillar::new("I")],
    /// ).check().unwrap();
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
        let agg = match aggregators {
            None => 0,
            Some(kinds) => {
                if kinds.len() != self.children.len() {
                    return Err(Error::ShapeMismatch {
                        what: "aggregators (one per aggregate node)".into(),
                        expected: self.children.len(),
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
                        let boxed = kinds
                            .iter()
                            .map(|k| Box::new(k.clone()) as Box<dyn Aggregator>)
                            .collect();
                        self.aggregations.push(Aggregation::new(boxed, Some(kinds)));
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
    /// Errors: [`Error::InvalidParameter`] for an alternative out of range.
    ///
    /// ```
    /// # use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// # use composite_indicators::sweep::BatchModel;
    /// # let fw = FrameworkSpec::new("t", vec![Indicator::new("a", "I")], vec![Pillar::new("I")]).check().unwrap();
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
    /// alternatives; [`Error::InvalidParameter`] for an empty or repeated dimension name or a
    /// dimension without options.
    ///
    /// ```
    /// use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// use composite_indicators::sweep::{BatchModel, MethodDimension};
    /// let fw = FrameworkSpec::new("t", vec![Indicator::new("a", "I")], vec![Pillar::new("I")]).check().unwrap();
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
        let mut total = 1usize;
        for (i, d) in dims.iter().enumerate() {
            if d.name.trim().is_empty() {
                return Err(Error::param("method dimension", "has an empty name"));
            }
            if dims[..i].iter().any(|e| e.name == d.name) {
                return Err(Error::param(
                    format!("method dimension `{}`", d.name),
                    "is named twice",
                ));
            }
            if d.options.is_empty() {
                return Err(Error::param(
                    format!("method dimension `{}`", d.name),
                    "has no options",
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
    /// Errors: [`Error::InvalidParameter`] if the model has no method dimensions;
    /// [`Error::ShapeMismatch`] for a wrong number of dimensions or options,
    /// [`Error::InvalidParameter`] naming the dimension for a negative or non-finite probability or a
    /// zero sum.
    ///
    /// ```
    /// # use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// use composite_indicators::sweep::{AltSampler, BatchModel, MethodDimension};
    /// # let fw = FrameworkSpec::new("t", vec![Indicator::new("a", "I")], vec![Pillar::new("I")]).check().unwrap();
    /// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None,
    ///     vec![ndarray::array![[1.0]]; 4]).unwrap()
    ///     .with_method_dimensions(vec![MethodDimension::new("n", ["a", "b"]),
    ///         MethodDimension::new("g", ["x", "y"])]).unwrap();
    /// let s = m.method_sampler(&[vec![3.0, 1.0], vec![]]).unwrap();
    /// assert_eq!(s, AltSampler::Probabilities { probabilities: vec![0.375, 0.375, 0.125, 0.125] });
    /// ```
    pub fn method_sampler(&self, per_dimension: &[Vec<f64>]) -> Result<super::AltSampler> {
        if self.dims.is_empty() {
            return Err(Error::param(
                "method dimensions",
                "the model has none (use AltSampler::Probabilities over its alternatives)",
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
    /// Errors: [`Error::InvalidParameter`] for an alternative out of range.
    ///
    /// ```
    /// # use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// # use composite_indicators::sweep::BatchModel;
    /// # let fw = FrameworkSpec::new("t", vec![Indicator::new("a", "I")], vec![Pillar::new("I")]).check().unwrap();
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
    /// # let fw = FrameworkSpec::new("t", vec![Indicator::new("a", "I")], vec![Pillar::new("I")]).check().unwrap();
    /// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None,
    ///     vec![ndarray::array![[1.0], [2.0]]]).unwrap()
    ///     .with_unit_codes(vec!["AT".into(), "BE".into()]).unwrap();
    /// assert_eq!(m.unit_codes()[1], "BE");
    /// ```
    pub fn with_unit_codes(mut self, codes: Vec<String>) -> Result<Self> {
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
    /// # let fw = FrameworkSpec::new(
    /// #     "t",
    /// #     vec![Indicator::new("a", "I"),
    /// #     Indicator::new("b", "I")],
    /// #     vec![Pillar::new("I")],
    /// # ).check().unwrap();
    /// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None,
    ///     vec![ndarray::array![[0.0, 1.0]]]).unwrap()
    ///     .with_nominal_weights(vec![3.0, 1.0, 1.0]).unwrap();
    /// assert_eq!(m.score_index(m.nominal_weights(), 0).unwrap(), vec![0.25]);
    /// ```
    pub fn with_nominal_weights(mut self, w: Vec<f64>) -> Result<Self> {
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
    /// # let fw = FrameworkSpec::new("t", vec![Indicator::new("a", "I")], vec![Pillar::new("I")]).check().unwrap();
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
    /// # let fw = FrameworkSpec::new("t", vec![Indicator::new("a", "I")], vec![Pillar::new("I")]).check().unwrap();
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
    /// # let fw = FrameworkSpec::new("t", vec![Indicator::new("a", "I")], vec![Pillar::new("I")]).check().unwrap();
    /// let m = |x: f64| BatchModel::new(fw.clone(), vec![AggregatorKind::Arithmetic],
    ///     MissingPolicy::default(), None, vec![ndarray::array![[x], [2.0]]]).unwrap();
    /// assert_eq!(m(1.0).model_hash(), m(1.0).model_hash());
    /// assert_ne!(m(1.0).model_hash(), m(1.5).model_hash());
    /// ```
    pub fn model_hash(&self) -> u64 {
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
        h.str(&format!("{:?}", self.missing));
        h.f64(self.bonus_weight.unwrap_or(f64::NAN));
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
        self.missing
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
            .is_some_and(|a| a.complete && self.aggregation(a).all_linear)
    }

    /// The aggregation of an alternative (every alternative has one; the fallback is unreachable).
    fn aggregation(&self, a: &Alt) -> &Aggregation {
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
        if self.bonus_weight.is_some() && !self.bonus_ind.is_empty() {
            return None;
        }
        for agg in &self.aggregations {
            let kinds = agg.kinds.as_ref()?;
            if kinds.iter().any(|k| !k.is_mean()) {
                return None;
            }
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

    fn alt(&self, alt: usize) -> Result<&Alt> {
        self.alts.get(alt).ok_or_else(|| {
            Error::param(
                "alternative",
                format!(
                    "index {alt} out of range; the model has {} alternatives",
                    self.alts.len()
                ),
            )
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

    /// Reference path: score every node for one weight vector and alternative, through the
    /// [`Aggregator`] trait, level by level. Returns units × nodes (indicator columns are the input
    /// values; the last column is the index).
    ///
    /// ```
    /// use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// use composite_indicators::sweep::BatchModel;
    /// let fw = FrameworkSpec::new(
    ///     "t",
    ///     vec![Indicator::new("a", "P"), Indicator::new("b", "P"), Indicator::new("c", "I")],
    ///     vec![Pillar::new("P").with_parent("I"), Pillar::new("I")],
    /// )
    /// .check()
    /// .unwrap();
    /// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic; 2], MissingPolicy::default(), None,
    ///     vec![ndarray::array![[0.0, 1.0, 1.0]]]).unwrap();
    /// let all = m.score_variant(&[1.0; 5], 0).unwrap();
    /// assert_eq!(all.row(0).to_vec(), vec![0.0, 1.0, 1.0, 0.5, 0.75]);
    /// ```
    pub fn score_variant(&self, node_weights: &[f64], alt: usize) -> Result<Array2<f64>> {
        self.check_weights(node_weights)?;
        let a = self.alt(alt)?;
        let n_ind = self.fw.n_indicators();
        let mut vals = Array2::from_elem((self.n_units, self.n_nodes()), f64::NAN);
        vals.slice_mut(ndarray::s![.., ..n_ind]).assign(&a.x);
        for (j, k) in self.fw.aggregate_indices().enumerate() {
            let cs = &self.children[j];
            let block = vals.select(Axis(1), cs);
            let w: Vec<f64> = cs.iter().map(|&c| node_weights[c]).collect();
            let ctx = NodeContext {
                node: &self.fw.nodes()[k].code,
                children: &self.child_codes[j],
                unit_codes: &self.unit_codes,
                missing: self.missing,
            };
            let out = self.aggregation(a).aggs[j].aggregate(block.view(), &w, &ctx)?;
            vals.column_mut(k).assign(&out);
        }
        if !self.bonus_ind.is_empty() {
            if self.missing == MissingPolicy::Error {
                self.check_bonus_present(a)?;
            }
            let root = self.fw.root_index();
            let mut col = vals.column_mut(root);
            col += &a.bonus_add;
        }
        Ok(vals)
    }

    fn check_bonus_present(&self, a: &Alt) -> Result<()> {
        for &b in &self.bonus_ind {
            if let Some(u) = a.x.column(b).iter().position(|v| v.is_nan()) {
                return Err(Error::MissingValue {
                    unit: self.unit_codes.get(u).cloned().unwrap_or_default(),
                    node: self.fw.root().code.clone(),
                    child: self.fw.nodes()[b].code.clone(),
                });
            }
        }
        Ok(())
    }

    /// Reference path, index column only.
    ///
    /// ```
    /// # use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// # use composite_indicators::sweep::BatchModel;
    /// # let fw = FrameworkSpec::new(
    /// #     "t",
    /// #     vec![Indicator::new("a", "I"),
    /// #     Indicator::new("b", "I")],
    /// #     vec![Pillar::new("I")],
    /// # ).check().unwrap();
    /// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None,
    ///     vec![ndarray::array![[0.0, 1.0]]]).unwrap();
    /// assert_eq!(m.score_index(&[1.0, 1.0, 1.0], 0).unwrap(), vec![0.5]);
    /// ```
    pub fn score_index(&self, node_weights: &[f64], alt: usize) -> Result<Vec<f64>> {
        let all = self.score_variant(node_weights, alt)?;
        Ok(all.column(self.fw.root_index()).to_vec())
    }

    /// Batched kernel: index scores for K variants, `weights` K × nodes and `alts` (length K) the
    /// alternative of each variant. Returns K × units (each variant's unit scores contiguous).
    /// Equal to [`BatchModel::score_index`] per row up to rounding (see the type docs for the paths).
    pub fn score_batch(&self, weights: ArrayView2<'_, f64>, alts: &[usize]) -> Result<Array2<f64>> {
        let k = weights.nrows();
        if alts.len() != k {
            return Err(Error::ShapeMismatch {
                what: "alternative indices (one per variant)".into(),
                expected: k,
                found: alts.len(),
            });
        }
        if weights.ncols() != self.n_nodes() {
            return Err(Error::ShapeMismatch {
                what: "node weights".into(),
                expected: self.n_nodes(),
                found: weights.ncols(),
            });
        }
        for row in weights.rows() {
            if row.iter().any(|v| !v.is_finite() || *v < 0.0) {
                if let Some(s) = row.as_slice() {
                    self.check_weights(s)?;
                } else {
                    self.check_weights(&row.to_vec())?;
                }
            }
        }
        for &a in alts {
            self.alt(a)?;
        }
        let first = alts.first().copied().unwrap_or(0);
        if alts.iter().all(|&a| a == first) {
            return self.batch_one_alt(weights, first);
        }
        let mut out = Array2::zeros((k, self.n_units));
        for a in 0..self.alts.len() {
            let rows: Vec<usize> = (0..k).filter(|&i| alts[i] == a).collect();
            if rows.is_empty() {
                continue;
            }
            let sub = weights.select(Axis(0), &rows);
            let s = self.batch_one_alt(sub.view(), a)?;
            for (r, &i) in rows.iter().enumerate() {
                out.row_mut(i).assign(&s.row(r));
            }
        }
        Ok(out)
    }

    fn batch_one_alt(&self, w: ArrayView2<'_, f64>, alt: usize) -> Result<Array2<f64>> {
        let a = self.alt(alt)?;
        if a.any_missing && self.missing == MissingPolicy::Error {
            // The reference path reports the first missing value with unit, node and child.
            if let Some(row) = w.rows().into_iter().next() {
                self.score_variant(&row.to_vec(), alt)?;
            }
        }
        let mut out = if self.aggregation(a).all_linear && a.complete {
            let e = self.effective_weights_batch(w, &self.aggregation(a).lin);
            e.dot(&a.xt0)
        } else {
            self.level_by_level(w, a)?
        };
        if !self.bonus_ind.is_empty() {
            out += &a.bonus_add;
        }
        Ok(out)
    }

    /// Effective indicator weights (K × indicators) of a linear tree: the product down the path of
    /// `w_c / Σ w` (means) or `w_c` (sums); bonus indicators get 0 (their term is added separately).
    fn effective_weights_batch(
        &self,
        w: ArrayView2<'_, f64>,
        lin: &[Option<Linearity>],
    ) -> Array2<f64> {
        let n_ind = self.fw.n_indicators();
        let mut e = Array2::zeros((w.nrows(), n_ind));
        let mut share = vec![0.0; 2 * self.children.len()];
        for (row, mut erow) in w.rows().into_iter().zip(e.rows_mut()) {
            match (row.as_slice(), erow.as_slice_mut()) {
                (Some(r), Some(es)) => self.effective_weights_into(r, lin, es, &mut share),
                (_, Some(es)) => self.effective_weights_into(&row.to_vec(), lin, es, &mut share),
                _ => {}
            }
        }
        e
    }

    /// Effective weights of one variant into `e` (length = indicators); `share` is scratch (length =
    /// twice the aggregate count). Walks the aggregates from the root down: each child's share is its parent's
    /// share times `w_c / Σ w` (one reciprocal per group) or `w_c` (sums).
    pub(crate) fn effective_weights_into(
        &self,
        w: &[f64],
        lin: &[Option<Linearity>],
        e: &mut [f64],
        share: &mut [f64],
    ) {
        let n_ind = self.fw.n_indicators();
        let na = self.children.len();
        if w.len() < self.n_nodes() || e.len() < n_ind || share.len() < 2 * na || na == 0 {
            return;
        }
        for &b in &self.bonus_ind {
            e[b] = 0.0;
        }
        let (sh, inv) = share.split_at_mut(na);
        for (j, cs) in self.children.iter().enumerate() {
            let sum: f64 = cs.iter().map(|&c| w[c]).sum();
            inv[j] = match lin.get(j).copied().flatten() {
                Some(Linearity::Sum) => 1.0,
                _ if sum > 0.0 => 1.0 / sum,
                _ => f64::NAN,
            };
        }
        sh[na - 1] = 1.0;
        for j in (0..na).rev() {
            let f = sh[j] * inv[j];
            for &c in &self.children[j] {
                let v = f * w[c];
                if c < n_ind {
                    e[c] = v;
                } else {
                    sh[c - n_ind] = v;
                }
            }
        }
    }

    /// Fast path of sweeps: index scores of the variants in `w` (K × nodes) for one alternative that
    /// [`BatchModel::is_single_product`] accepts, into `out` (K × units), with `e` (K × indicators) and
    /// `share` as scratch.
    pub(crate) fn linear_scores_into(
        &self,
        w: ArrayView2<'_, f64>,
        alt: usize,
        e: &mut Array2<f64>,
        share: &mut [f64],
        out: &mut Array2<f64>,
    ) -> Result<()> {
        let a = self.alt(alt)?;
        let lin = &self.aggregation(a).lin;
        for (row, mut erow) in w.rows().into_iter().zip(e.rows_mut()) {
            if let (Some(r), Some(es)) = (row.as_slice(), erow.as_slice_mut()) {
                self.effective_weights_into(r, lin, es, share);
            }
        }
        ndarray::linalg::general_mat_mul(1.0, e, &a.xt0, 0.0, out);
        if !self.bonus_ind.is_empty() {
            *out += &a.bonus_add;
        }
        Ok(())
    }

    /// Number of aggregate nodes.
    pub(crate) fn n_aggregates(&self) -> usize {
        self.children.len()
    }

    fn level_by_level(&self, w: ArrayView2<'_, f64>, a: &Alt) -> Result<Array2<f64>> {
        let kk = w.nrows();
        let nu = self.n_units;
        let n_ind = self.fw.n_indicators();
        let agg = self.aggregation(a);
        let mut vals: Vec<Option<Array2<f64>>> = vec![None; self.children.len()];
        for (j, k) in self.fw.aggregate_indices().enumerate() {
            let mean = match (agg.quasi.get(j).copied().flatten(), agg.lin[j]) {
                (Some(q), _) => Some(NodeMean::Quasi(q)),
                (None, Some(l)) => Some(NodeMean::Linear(l)),
                (None, None) => None,
            };
            let batched = match mean {
                Some(m) => self.mean_node(w, a, j, m, &vals)?,
                None => None,
            };
            let node_vals = match batched {
                Some(v) => v,
                None => {
                    let cs = &self.children[j];
                    let ctx = NodeContext {
                        node: &self.fw.nodes()[k].code,
                        children: &self.child_codes[j],
                        unit_codes: &self.unit_codes,
                        missing: self.missing,
                    };
                    let mut out = Array2::zeros((kk, nu));
                    let mut block = Array2::zeros((nu, cs.len()));
                    for v in 0..kk {
                        for (ci, &c) in cs.iter().enumerate() {
                            if c < n_ind {
                                block.column_mut(ci).assign(&a.x.column(c));
                            } else if let Some(cv) = &vals[c - n_ind] {
                                block.column_mut(ci).assign(&cv.row(v));
                            }
                        }
                        let wv: Vec<f64> = cs.iter().map(|&c| w[[v, c]]).collect();
                        let r = agg.aggs[j].aggregate(block.view(), &wv, &ctx)?;
                        out.row_mut(v).assign(&r);
                    }
                    out
                }
            };
            vals[j] = Some(node_vals);
        }
        vals.pop()
            .flatten()
            .ok_or_else(|| Error::param("framework", "no aggregate node"))
    }

    /// A linear or quasi-arithmetic node for K variants: `Σ w φ(x)` over available children by a
    /// product with the (transformed) indicator block plus the aggregate children, `Σ w` over available
    /// children by the mask product, the missing-value rule of
    /// [`row_weight_sum`](crate::aggregate::row_weight_sum), then the mean (`φ⁻¹(num / den)`, `num / den`)
    /// or the sum. `None` when a value the node would use is outside a quasi-arithmetic `φ`'s domain:
    /// the caller then runs the trait, which reports the error with unit and child (or skips the value
    /// if its weight is 0).
    fn mean_node(
        &self,
        w: ArrayView2<'_, f64>,
        a: &Alt,
        j: usize,
        mean: NodeMean,
        vals: &[Option<Array2<f64>>],
    ) -> Result<Option<Array2<f64>>> {
        let n_ind = self.fw.n_indicators();
        let blk = &a.blocks[j];
        let xt = match (mean, &blk.phi_t) {
            (NodeMean::Linear(_), _) => &blk.x0t,
            (NodeMean::Quasi(_), Some(t)) => t,
            (NodeMean::Quasi(_), None) => return Ok(None),
        };
        let kk = w.nrows();
        let nu = self.n_units;
        let len = self.children[j].len() as f64;
        let wi = w.select(Axis(1), &blk.ind);
        let mut num = wi.dot(xt);
        let mut den = wi.dot(&blk.mt);
        let mut cnt = Array2::from_shape_fn((kk, nu), |(_, u)| blk.cnt[u]);
        for &c in &blk.agg {
            let Some(cv) = vals.get(c - n_ind).and_then(|v| v.as_ref()) else {
                return Err(Error::param("framework", "child computed after parent"));
            };
            for v in 0..kk {
                let wc = w[[v, c]];
                for u in 0..nu {
                    let x = cv[[v, u]];
                    if x.is_nan() {
                        continue;
                    }
                    if wc > 0.0 {
                        let Some(y) = mean.phi(x) else {
                            return Ok(None);
                        };
                        num[[v, u]] += wc * y;
                    }
                    den[[v, u]] += wc;
                    cnt[[v, u]] += 1;
                }
            }
        }
        let missing = self.missing;
        ndarray::Zip::from(&mut num)
            .and(&den)
            .and(&cnt)
            .for_each(|n, &d, &c| {
                *n = mean.finish(*n, d, coverage_ok(missing, c, len));
            });
        Ok(Some(num))
    }
}

/// How a node is batched: a linear mean or sum, or a quasi-arithmetic mean.
#[derive(Debug, Clone, Copy)]
enum NodeMean {
    Linear(Linearity),
    Quasi(Quasi),
}

impl NodeMean {
    /// The transform of a child value (`None` outside a quasi-arithmetic mean's domain).
    #[inline]
    fn phi(self, x: f64) -> Option<f64> {
        match self {
            NodeMean::Linear(_) => Some(x),
            NodeMean::Quasi(q) => q.phi(x),
        }
    }

    /// The node value from `num = Σ w φ(x)` and `den = Σ w` over available children; NaN unless the
    /// coverage rule holds (`ok`) and, for means, `den > 0`.
    #[inline]
    fn finish(self, num: f64, den: f64, ok: bool) -> f64 {
        match self {
            NodeMean::Linear(Linearity::Mean) if ok && den > 0.0 => num / den,
            NodeMean::Linear(Linearity::Sum) if ok => num,
            NodeMean::Quasi(q) if ok && den > 0.0 => q.inv(num / den),
            _ => f64::NAN,
        }
    }
}

/// Whether a node value with `c` of `len` children available is computed under `missing` (the rule of
/// [`row_weight_sum`](crate::aggregate::row_weight_sum); `Error` never reaches here with a gap).
fn coverage_ok(missing: MissingPolicy, c: u32, len: f64) -> bool {
    match missing {
        MissingPolicy::Skip { min_coverage } => c > 0 && (c as f64) / len >= min_coverage,
        MissingPolicy::Propagate => c as f64 == len,
        MissingPolicy::Error => true,
    }
}

/// Precomputed data of the sweep fast path for one alternative of a model whose variants are one
/// matrix product ([`BatchModel::is_single_product`]).
///
/// Units are re-ordered by nominal score (best first): position `p` holds unit `perm[p]`, and `xtp`
/// is the alternative's indicators × units matrix (missing and bonus values 0) with its columns in
/// that order, so the product yields each variant's scores in nominal order, which makes them nearly
/// sorted for the ranking step.
#[derive(Debug, Clone)]
pub(crate) struct LinearPlan {
    pub(crate) n_ind: usize,
    pub(crate) n_nodes: usize,
    /// Per aggregate (node order): children used in the aggregation.
    children: Vec<Vec<usize>>,
    /// Per aggregate: `true` for sums (no normalisation).
    is_sum: Vec<bool>,
    /// Position → unit.
    pub(crate) perm: Vec<usize>,
    /// indicators × units, columns in position order.
    pub(crate) xtp: Array2<f64>,
    /// Bonus term in position order (empty without bonus indicators).
    pub(crate) bonus: Vec<f64>,
}

impl BatchModel {
    /// The fast-path plan for alternative `alt`, or `None` if its variants are not one matrix product.
    /// `nominal` (one score per unit) fixes the unit order: descending, NaN last, ties by unit index.
    pub(crate) fn linear_plan(&self, alt: usize, nominal: &[f64]) -> Option<LinearPlan> {
        if !self.is_single_product(alt) || nominal.len() != self.n_units {
            return None;
        }
        let a = self.alts.get(alt)?;
        let mut perm: Vec<usize> = (0..self.n_units).collect();
        perm.sort_by(|&i, &j| {
            let (x, y) = (nominal[i], nominal[j]);
            match (x.is_nan(), y.is_nan()) {
                (false, false) => y.total_cmp(&x),
                (a, b) => a.cmp(&b),
            }
            .then(i.cmp(&j))
        });
        let xtp = a.xt0.select(Axis(1), &perm);
        let bonus = if self.bonus_ind.is_empty() {
            Vec::new()
        } else {
            perm.iter().map(|&u| a.bonus_add[u]).collect()
        };
        Some(LinearPlan {
            n_ind: self.fw.n_indicators(),
            n_nodes: self.n_nodes(),
            children: self.children.clone(),
            is_sum: self
                .aggregation(a)
                .lin
                .iter()
                .map(|l| matches!(l, Some(Linearity::Sum)))
                .collect(),
            perm,
            xtp,
            bonus,
        })
    }
}

impl LinearPlan {
    /// Number of aggregate nodes.
    pub(crate) fn n_aggregates(&self) -> usize {
        self.children.len()
    }

    /// Effective indicator weights of `b` variants at once, node-major: `w[n·b + v]` (nodes × b) in,
    /// `e[i·b + v]` (indicators × b) out; `inv` (aggregates × b) and `f` (b) are scratch. The same
    /// arithmetic as [`BatchModel::effective_weights_into`] (group sums in child order, one reciprocal
    /// per group, shares multiplied down from the root), but every step is a straight loop over the
    /// variants, which vectorises. Rows of bonus indicators in `e` are left untouched (keep them 0).
    #[inline(always)]
    pub(crate) fn effective_weights_block(
        &self,
        w: &[f64],
        b: usize,
        e: &mut [f64],
        inv: &mut [f64],
        f: &mut [f64],
    ) {
        let na = self.children.len();
        let n_ind = self.n_ind;
        if na == 0 || w.len() < self.n_nodes * b || e.len() < n_ind * b || inv.len() < na * b {
            return;
        }
        let f = &mut f[..b];
        for (j, cs) in self.children.iter().enumerate() {
            let iv = &mut inv[j * b..(j + 1) * b];
            if self.is_sum[j] {
                iv.fill(1.0);
                continue;
            }
            iv.fill(0.0);
            for &c in cs {
                for (s, &x) in iv.iter_mut().zip(&w[c * b..(c + 1) * b]) {
                    *s += x;
                }
            }
            for s in iv.iter_mut() {
                *s = if *s > 0.0 { 1.0 / *s } else { f64::NAN };
            }
        }
        // shares: the root's is 1, so its factor is its reciprocal; an aggregate child's share
        // overwrites its own `inv` row with `share · inv`, the factor its children need.
        for j in (0..na).rev() {
            f.copy_from_slice(&inv[j * b..(j + 1) * b]);
            for &c in &self.children[j] {
                let wc = &w[c * b..(c + 1) * b];
                if c < n_ind {
                    for ((d, &fv), &x) in e[c * b..(c + 1) * b].iter_mut().zip(&*f).zip(wc) {
                        *d = fv * x;
                    }
                } else {
                    let k = c - n_ind;
                    for ((d, &fv), &x) in inv[k * b..(k + 1) * b].iter_mut().zip(&*f).zip(wc) {
                        *d *= fv * x;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{FrameworkSpec, Indicator, Pillar};
    use ndarray::array;

    fn fw() -> Framework {
        FrameworkSpec {
            name: "t".into(),
            indicators: vec![
                Indicator::new("a", "P"),
                Indicator::new("b", "P"),
                Indicator::new("c", "Q"),
                Indicator::new("d", "Q").with_bonus(true),
            ],
            pillars: vec![
                Pillar::new("P").with_parent("I"),
                Pillar::new("Q").with_parent("I"),
                Pillar::new("I"),
            ],
        }
        .check()
        .unwrap()
    }

    #[test]
    fn hand_computed_reference_and_batch() {
        // P = (1*2 + 3*4)/4 = 3.5 ; Q = c = 6 (d is bonus, excluded) ; I = (3.5*1 + 6*3)/4 = 5.375
        // bonus 0.5 * 10 = 5 -> 10.375
        let x = array![[2.0, 4.0, 6.0, 10.0]];
        let m = BatchModel::new(
            fw(),
            vec![AggregatorKind::Arithmetic; 3],
            MissingPolicy::default(),
            Some(0.5),
            vec![x],
        )
        .unwrap();
        let w = [1.0, 3.0, 1.0, 1.0, 1.0, 3.0, 1.0];
        let r = m.score_index(&w, 0).unwrap();
        assert_eq!(r, vec![10.375]);
        let b = m
            .score_batch(
                Array2::from_shape_vec((1, 7), w.to_vec()).unwrap().view(),
                &[0],
            )
            .unwrap();
        assert!((b[[0, 0]] - 10.375).abs() < 1e-12);
    }

    #[test]
    fn missing_skip_reweights_and_bonus_missing_adds_nothing() {
        // unit 0: a missing -> P = b = 4 ; Q = 6 ; I = (4 + 6)/2 = 5 ; bonus NaN -> +0
        let x = array![[f64::NAN, 4.0, 6.0, f64::NAN]];
        let m = BatchModel::new(
            fw(),
            vec![AggregatorKind::Arithmetic; 3],
            MissingPolicy::default(),
            Some(1.0),
            vec![x],
        )
        .unwrap();
        let w = vec![1.0; 7];
        assert_eq!(m.score_index(&w, 0).unwrap(), vec![5.0]);
        let b = m
            .score_batch(Array2::from_shape_vec((1, 7), w).unwrap().view(), &[0])
            .unwrap();
        assert_eq!(b[[0, 0]], 5.0);
        assert!(!m.is_single_product(0));
    }

    #[test]
    fn error_policy_names_unit_and_child() {
        let x = array![[1.0, f64::NAN, 6.0, 1.0]];
        let m = BatchModel::new(
            fw(),
            vec![AggregatorKind::Arithmetic; 3],
            MissingPolicy::Error,
            None,
            vec![x],
        )
        .unwrap();
        let w = Array2::ones((2, 7));
        let e = m.score_batch(w.view(), &[0, 0]).unwrap_err();
        assert!(matches!(e, Error::MissingValue { child, .. } if child == "b"));
    }

    #[test]
    fn bad_inputs() {
        let f = fw();
        let e = BatchModel::new(
            f.clone(),
            vec![AggregatorKind::Arithmetic; 2],
            MissingPolicy::default(),
            None,
            vec![array![[1.0, 2.0, 3.0, 4.0]]],
        );
        assert!(matches!(e, Err(Error::ShapeMismatch { .. })));
        let e = BatchModel::new(
            f.clone(),
            vec![AggregatorKind::Arithmetic; 3],
            MissingPolicy::default(),
            None,
            vec![array![[1.0, 2.0, 3.0]]],
        );
        assert!(matches!(e, Err(Error::ShapeMismatch { .. })));
        let e = BatchModel::new(
            f,
            vec![AggregatorKind::Arithmetic; 3],
            MissingPolicy::default(),
            None,
            vec![array![[1.0, f64::INFINITY, 3.0, 1.0]]],
        );
        assert!(matches!(e, Err(Error::NonFinite { indicator, .. }) if indicator == "b"));
    }
}
