//! Weight schemes: how much each node counts within its parent group.
//!
//! *Flow:* feeds **aggregate** (and **score**): the weight of each node within its parent.
//!
//! A [`WeightScheme`] resolves to one weight per framework node ([`WeightScheme::node_weights`]): the
//! node's weight within its parent (the root's entry is unused and set to 1). Weights need not sum to 1;
//! aggregators normalise within each group. [`effective_weights`] multiplies normalised weights down the
//! tree into one weight per indicator (what a hierarchy of arithmetic means collapses to).
//!
//! Data-driven schemes ([`WeightScheme::Entropy`], [`WeightScheme::Critic`], [`WeightScheme::StdDev`],
//! [`WeightScheme::Pca`]) learn the weights of the indicators *within each aggregate* from the normalised
//! matrix; [`WeightScheme::Ahp`] takes them from pairwise comparison matrices. The same formulas are
//! available as standalone functions for flat MCDA use: [`entropy_weights`], [`critic_weights`],
//! [`std_dev_weights`], [`pca_weights`], [`ahp_weights`].
//!
//! **Input and cost criteria.** All data-driven formulas take an alternatives × criteria matrix that is
//! already normalised and direction-oriented (higher = better in every column, as the crate's normalisers
//! produce), so a cost indicator enters as its reversed (benefit) version. For standard deviation this
//! changes nothing (sd is invariant under reversal) and the PCA correlation matrix changes only in the
//! signs of that indicator's correlations. For CRITIC it matters: reversing a column flips the sign of its
//! correlations, so its conflict term `Σ (1 − r_jk)` depends on orientation; on the oriented matrix a
//! cost indicator that improves together with the benefit indicators counts as agreeing, not conflicting.
//! For entropy it matters too: `p_ij` of the reversed column differs from the raw one. Some Python MCDA
//! packages compute entropy or CRITIC on the raw, un-oriented matrix and so ignore direction; their
//! results differ from this crate's for cost criteria unless they are given the oriented matrix.

mod ahp;
mod data_driven;

pub use ahp::{AhpResult, PairwiseMatrix, RANDOM_INDEX, RECIPROCAL_TOL, ahp_weights};
pub(crate) use data_driven::pca_eigen as data_driven_pca_eigen;
pub use data_driven::{
    NegativeLoadings, critic_weights, entropy_weights, pca_weights, std_dev_weights,
};

use std::collections::BTreeMap;

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Expected, Result};
use crate::spec::Framework;
use crate::study::panel::{PanelAggregate, budget_weights};

/// A weighting scheme (serde-tagged by `scheme`).
///
/// ```
/// use composite_indicators::{FrameworkSpec, Indicator, Pillar, WeightScheme};
/// let fw = FrameworkSpec::new(
///     "t",
///     vec![Indicator::new("a", "I").with_weight(3.0), Indicator::new("b", "I")],
///     vec![Pillar::new("I")],
/// )
/// .check()
/// .unwrap();
/// assert_eq!(WeightScheme::Nominal.node_weights(&fw, None).unwrap(), vec![3.0, 1.0, 1.0]);
/// assert_eq!(WeightScheme::Equal.node_weights(&fw, None).unwrap(), vec![1.0, 1.0, 1.0]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "scheme", rename_all = "snake_case")]
pub enum WeightScheme {
    /// The weights written in the spec.
    #[default]
    Nominal,
    /// Weight 1 for every node at every level (equal shares within every group).
    Equal,
    /// The spec's weights with overrides by code (indicator or aggregate). Unknown codes are an error.
    Explicit {
        /// Code → weight.
        weights: BTreeMap<String, f64>,
    },
    /// Bonus factors, as the city-innovation index scores them: every bonus-flagged indicator is taken
    /// out of its parent's aggregation and added to the root index with weight `bonus_weight` after the
    /// root is aggregated: `index = aggregate(children of root) + bonus_weight · Σ bonus values`.
    /// Non-bonus nodes are weighted by `base`.
    Bonus {
        /// The scheme for every non-bonus node.
        base: Box<WeightScheme>,
        /// Weight of each bonus indicator's normalised value in the index.
        bonus_weight: f64,
    },
    /// Entropy weights ([`entropy_weights`]) within each aggregate's indicator children.
    ///
    /// Like every data-driven scheme: for each aggregate with at least two indicator children, the
    /// formula runs on those children's columns of the normalised matrix, and the result is rescaled so
    /// that the children keep the sum of their nominal weights (so in a group that mixes indicators and
    /// sub-aggregates, the indicators' share is unchanged). Aggregate nodes, and an indicator that is
    /// its parent's only indicator child, keep their nominal weights.
    Entropy,
    /// CRITIC weights ([`critic_weights`]) within each aggregate's indicator children.
    Critic,
    /// Standard-deviation weights ([`std_dev_weights`]) within each aggregate's indicator children.
    StdDev,
    /// PCA weights ([`pca_weights`], COINr's `get_PCA()` by group at the indicator level): first-component
    /// loadings within each aggregate's indicator children, rescaled like the other data-driven
    /// schemes (`wⱼ = vⱼ / Σv · Σ nominal`; the loadings are oriented so that `Σv > 0`, so the rescaling
    /// keeps every sign). A negative loading is [`Error::InvalidWeight`] by default; with
    /// `negative_loadings: Keep` it stays a negative weight, as in COINr (see [`NegativeLoadings`]).
    ///
    /// With kept signs, the weighted mean `Σ wx / Σ w` ([`AggregatorKind::SignedArithmetic`](crate::AggregatorKind::SignedArithmetic))
    /// does not depend on the orientation of the component (flipping every sign changes nothing),
    /// so the scores equal COINr's whatever sign its LAPACK returns.
    ///
    /// ```
    /// use composite_indicators::weights::NegativeLoadings;
    /// use composite_indicators::{FrameworkSpec, Indicator, Pillar, WeightScheme};
    /// let fw = FrameworkSpec::new(
    ///     "t",
    ///     vec![Indicator::new("a", "I"), Indicator::new("b", "I"), Indicator::new("c", "I")],
    ///     vec![Pillar::new("I")],
    /// )
    /// .check()
    /// .unwrap();
    /// // c runs against a and b: its loading is negative
    /// let x = ndarray::array![[1.0, 2.0, 3.0], [2.0, 3.0, 1.0], [3.0, 5.0, 2.0], [4.0, 4.0, 0.0]];
    /// let reject = WeightScheme::Pca { negative_loadings: NegativeLoadings::Reject };
    /// assert!(reject.node_weights(&fw, Some(x.view())).is_err());
    /// let keep = WeightScheme::Pca { negative_loadings: NegativeLoadings::Keep };
    /// let w = keep.node_weights(&fw, Some(x.view())).unwrap();
    /// assert!(w[2] < 0.0 && (w[0] + w[1] + w[2] - 3.0).abs() < 1e-12);
    /// ```
    Pca {
        /// Reject negative loadings (default) or keep them as COINr does.
        #[serde(default)]
        negative_loadings: NegativeLoadings,
    },
    /// AHP weights ([`ahp_weights`]) for the groups given, keyed by aggregate code; other groups keep
    /// their nominal weights. A matrix whose children are not exactly the group's children is
    /// [`Error::InvalidSpec`]; a consistency ratio above `max_cr` is [`Error::InconsistentPairwise`].
    Ahp {
        /// Aggregate code → pairwise comparison matrix of its children.
        matrices: BTreeMap<String, PairwiseMatrix>,
        /// Largest accepted consistency ratio (default 0.1, Saaty's rule).
        #[serde(default = "default_max_cr")]
        max_cr: f64,
    },
    /// Budget allocation / expert panel (Delphi): for each group given, experts distribute points over
    /// the group's children; the points are aggregated per child across experts with `aggregate` (mean,
    /// median or trimmed mean, missing answers skipped) and divided by their total
    /// ([`budget_weights`], which also reports Kendall's W and the
    /// coefficient of variation). Other groups keep their nominal weights.
    Budget {
        /// Aggregate code → its survey.
        surveys: BTreeMap<String, BudgetSurvey>,
        /// How experts' points are combined.
        aggregate: PanelAggregate,
    },
}

fn default_max_cr() -> f64 {
    0.1
}

impl WeightScheme {
    /// One weight per framework node (node order), the node's weight within its parent.
    ///
    /// `normalised` is the units × indicators normalised matrix (indicator order); schemes that do not
    /// learn from data ignore it.
    pub fn node_weights(
        &self,
        fw: &Framework,
        normalised: Option<ArrayView2<'_, f64>>,
    ) -> Result<Vec<f64>> {
        let _ = normalised;
        let mut w: Vec<f64> = match self {
            WeightScheme::Nominal => fw.nodes().iter().map(|n| n.weight).collect(),
            WeightScheme::Equal => vec![1.0; fw.nodes().len()],
            WeightScheme::Explicit { weights } => {
                let mut w: Vec<f64> = fw.nodes().iter().map(|n| n.weight).collect();
                for (code, &v) in weights {
                    let k = fw.position(code)?;
                    if !v.is_finite() || v < 0.0 {
                        return Err(Error::InvalidWeight {
                            code: code.clone(),
                            weight: v,
                        });
                    }
                    w[k] = v;
                }
                w
            }
            WeightScheme::Bonus { base, bonus_weight } => {
                if !bonus_weight.is_finite() || *bonus_weight < 0.0 {
                    return Err(Error::invalid(
                        "bonus_weight",
                        bonus_weight,
                        Expected::NonNegative,
                    ));
                }
                base.node_weights(fw, normalised)?
            }
            WeightScheme::Entropy
            | WeightScheme::Critic
            | WeightScheme::StdDev
            | WeightScheme::Pca { .. } => self.data_driven(fw, normalised)?,
            WeightScheme::Ahp { matrices, max_cr } => ahp_node_weights(fw, matrices, *max_cr)?,
            WeightScheme::Budget { surveys, aggregate } => {
                budget_node_weights(fw, surveys, aggregate)?
            }
        };
        let root = fw.root_index();
        w[root] = 1.0;
        check_group_sums(fw, &w, self.bonus_weight().is_some())?;
        Ok(w)
    }

    fn data_driven(
        &self,
        fw: &Framework,
        normalised: Option<ArrayView2<'_, f64>>,
    ) -> Result<Vec<f64>> {
        let name = match self {
            WeightScheme::Entropy => "entropy",
            WeightScheme::Critic => "critic",
            WeightScheme::StdDev => "std_dev",
            _ => "pca",
        };
        let x = normalised.ok_or_else(|| {
            Error::invalid(
                "normalised",
                "None",
                Expected::Rule(format!(
                    "the `{name}` weight scheme learns from data: pass the normalised matrix"
                )),
            )
        })?;
        let m = fw.n_indicators();
        if x.ncols() != m {
            return Err(Error::ShapeMismatch {
                what: "columns of the normalised matrix vs indicators".into(),
                expected: m,
                found: x.ncols(),
            });
        }
        let nodes = fw.nodes();
        let mut w: Vec<f64> = nodes.iter().map(|n| n.weight).collect();
        for k in fw.aggregate_indices() {
            let node = &nodes[k];
            let kids: Vec<usize> = node.children.iter().copied().filter(|&c| c < m).collect();
            if kids.len() < 2 {
                continue;
            }
            let codes: Vec<String> = kids.iter().map(|&c| nodes[c].code.clone()).collect();
            let sub = x.select(ndarray::Axis(1), &kids);
            let group = format!("{name} weights of `{}`", node.code);
            let learned = match self {
                WeightScheme::Entropy => data_driven::entropy_named(sub.view(), &codes, &group)?,
                WeightScheme::Critic => data_driven::critic_named(sub.view(), &codes, &group)?,
                WeightScheme::StdDev => data_driven::std_dev_named(sub.view(), &codes, &group)?,
                _ => data_driven::pca_named(sub.view(), &codes)?,
            };
            let signed = matches!(
                self,
                WeightScheme::Pca {
                    negative_loadings: NegativeLoadings::Keep
                }
            );
            if let Some((c, v)) = codes.iter().zip(&learned).find(|(_, v)| **v < 0.0)
                && !signed
            {
                return Err(Error::InvalidWeight {
                    code: c.clone(),
                    weight: *v,
                });
            }
            let nominal: f64 = kids.iter().map(|&c| w[c]).sum();
            let total: f64 = learned.iter().sum();
            if total.is_nan() || total <= 0.0 {
                return Err(Error::ZeroWeightSum {
                    group: node.code.clone(),
                });
            }
            for (&c, v) in kids.iter().zip(&learned) {
                w[c] = v / total * nominal;
            }
        }
        Ok(w)
    }

    /// The bonus weight if this is a [`WeightScheme::Bonus`] scheme.
    pub fn bonus_weight(&self) -> Option<f64> {
        match self {
            WeightScheme::Bonus { bonus_weight, .. } => Some(*bonus_weight),
            _ => None,
        }
    }
}

fn ahp_node_weights(
    fw: &Framework,
    matrices: &BTreeMap<String, PairwiseMatrix>,
    max_cr: f64,
) -> Result<Vec<f64>> {
    if max_cr.is_nan() || max_cr < 0.0 {
        return Err(Error::invalid("max_cr", max_cr, Expected::at_least(0.0)));
    }
    let mut w: Vec<f64> = fw.nodes().iter().map(|n| n.weight).collect();
    for (group, pm) in matrices {
        let pos = group_children(fw, group, &pm.children, "AHP")?;
        let n = pos.len();
        let a = rows_to_matrix(group, "AHP matrix", &pm.matrix, n, n)?;
        let r = ahp_weights(a.view())?;
        if r.cr > max_cr {
            return Err(Error::InconsistentPairwise {
                group: Some(group.clone()),
                cr: r.cr,
                limit: max_cr,
            });
        }
        for (&c, v) in pos.iter().zip(&r.weights) {
            w[c] = *v;
        }
    }
    Ok(w)
}

fn budget_node_weights(
    fw: &Framework,
    surveys: &BTreeMap<String, BudgetSurvey>,
    aggregate: &PanelAggregate,
) -> Result<Vec<f64>> {
    let mut w: Vec<f64> = fw.nodes().iter().map(|n| n.weight).collect();
    for (group, survey) in surveys {
        let pos = group_children(fw, group, &survey.children, "budget")?;
        let points = rows_to_matrix(
            group,
            "budget survey",
            &survey.points,
            survey.points.len(),
            pos.len(),
        )?;
        let b = budget_weights(points.view(), aggregate)?;
        for (&c, v) in pos.iter().zip(&b.weights) {
            w[c] = *v;
        }
    }
    Ok(w)
}

/// Node positions of `children`, which must name every child of aggregate `group` exactly once.
fn group_children(
    fw: &Framework,
    group: &str,
    children: &[String],
    what: &str,
) -> Result<Vec<usize>> {
    let nodes = fw.nodes();
    let k = fw.position(group)?;
    let node = &nodes[k];
    let bad = |reason: String| Error::InvalidSpec {
        code: group.to_string(),
        reason,
    };
    if node.children.is_empty() {
        return Err(bad(format!(
            "{what} weights are for the children of an aggregate; this is an indicator"
        )));
    }
    let mut pos = Vec::with_capacity(children.len());
    for c in children {
        match node.children.iter().find(|&&ch| nodes[ch].code == *c) {
            Some(&ch) if !pos.contains(&ch) => pos.push(ch),
            Some(_) => return Err(bad(format!("{what} child `{c}` is listed twice"))),
            None => {
                return Err(bad(format!(
                    "{what} child `{c}` is not a child of `{group}`"
                )));
            }
        }
    }
    if pos.len() != node.children.len() {
        return Err(bad(format!(
            "the {what} input lists {} children, the group has {}",
            pos.len(),
            node.children.len()
        )));
    }
    Ok(pos)
}

/// A `rows × cols` matrix from nested rows, with a typed error naming the group for a ragged input.
fn rows_to_matrix(
    group: &str,
    what: &str,
    rows: &[Vec<f64>],
    n_rows: usize,
    n_cols: usize,
) -> Result<ndarray::Array2<f64>> {
    if rows.len() != n_rows {
        return Err(Error::ShapeMismatch {
            what: format!("rows of the {what} of `{group}`"),
            expected: n_rows,
            found: rows.len(),
        });
    }
    let mut flat = Vec::with_capacity(n_rows * n_cols);
    for row in rows {
        if row.len() != n_cols {
            return Err(Error::ShapeMismatch {
                what: format!("a row of the {what} of `{group}`"),
                expected: n_cols,
                found: row.len(),
            });
        }
        flat.extend_from_slice(row);
    }
    ndarray::Array2::from_shape_vec((n_rows, n_cols), flat).map_err(|e| Error::InvalidSpec {
        code: group.to_string(),
        reason: e.to_string(),
    })
}

/// One group's budget-allocation survey for [`WeightScheme::Budget`]: every expert distributes points
/// (or gives ratings) over the group's children.
///
/// ```
/// use composite_indicators::weights::BudgetSurvey;
/// let s: BudgetSurvey = serde_json::from_str(
///     r#"{"children": ["a", "b"], "points": [[60, 40], [50, 50], [70, 30]]}"#,
/// )
/// .unwrap();
/// assert_eq!(s.points.len(), 3);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetSurvey {
    /// Child codes, in the order of the columns (every child of the group exactly once).
    pub children: Vec<String>,
    /// One row per expert, one column per child; NaN (`nan` in TOML, `null` in JSON) = no answer.
    #[serde(with = "crate::serde_nan::vec_vec")]
    pub points: Vec<Vec<f64>>,
}

/// Every group must keep a positive and finite weight sum (bonus children excluded when `bonus` is
/// on): [`Error::ZeroWeightSum`] / [`Error::NonFiniteWeightSum`] naming the group otherwise.
pub(crate) fn check_group_sums(fw: &Framework, w: &[f64], bonus: bool) -> Result<()> {
    for k in fw.aggregate_indices() {
        let node = &fw.nodes()[k];
        let sum: f64 = node
            .children
            .iter()
            .filter(|&&c| !(bonus && is_bonus(fw, c)))
            .map(|&c| w[c])
            .sum();
        if sum.is_nan() || sum <= 0.0 {
            return Err(Error::ZeroWeightSum {
                group: node.code.clone(),
            });
        }
        if sum.is_infinite() {
            return Err(Error::NonFiniteWeightSum {
                group: node.code.clone(),
                sum,
            });
        }
    }
    Ok(())
}

/// `floor(log2(x))` for a positive finite `x` (normal or subnormal), read from its bits.
fn binary_exponent(x: f64) -> i32 {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    if biased == 0 {
        // subnormal: x = m · 2^-1074 with 0 < m < 2^52
        let m = bits & ((1u64 << 52) - 1);
        (63 - m.leading_zeros() as i32) - 1074
    } else {
        biased - 1023
    }
}

/// Multiply every weight by the power of two that brings the largest into `[1, 2)`, so that products
/// `w · x` and sums of weights neither lose bits in the subnormal range nor overflow. Multiplying by a
/// power of two is exact for every weight that stays in the normal range, so ratios `w_i / Σ w` (all a
/// mean uses) are unchanged wherever they were already exact: two weights of `1e-320` become two equal
/// normal weights, and a mean with them is bit-identical to one with weights 1 and 1.
///
/// With `allow_down = false` weights are only scaled **up** (when the largest is below 1), which is
/// exact for every weight; scaling down could flush a tiny weight to zero and change which children
/// take part. Nothing happens when the largest weight is zero, NaN or infinite.
pub(crate) fn rescale_pow2(w: &mut [f64], allow_down: bool) {
    let max = w.iter().copied().fold(0.0_f64, f64::max);
    if !(max > 0.0 && max.is_finite()) || (!allow_down && max >= 1.0) {
        return;
    }
    let mut k = -binary_exponent(max); // scale by 2^k, k in [-1023, 1074]
    while k != 0 {
        // steps of at most 2^±1000 keep each factor a normal number
        let step = k.clamp(-1000, 1000);
        let factor = f64::from_bits(((step + 1023) as u64) << 52);
        w.iter_mut().for_each(|x| *x *= factor);
        k -= step;
    }
}

/// Whether node `k` is a bonus-flagged indicator.
pub(crate) fn is_bonus(fw: &Framework, k: usize) -> bool {
    fw.indicators().get(k).is_some_and(|i| i.bonus)
}

/// Collapse per-node weights into one weight per indicator: the product, down the path from the root,
/// of each node's weight divided by its group's weight sum. This is the weight each indicator has in the
/// index when every level is a weighted arithmetic mean and no value is missing; the result sums to 1.
/// `node_weights` must hold one weight per node (node order); any other length gives NaN for every
/// indicator. A group whose weights sum to zero gives its children NaN (the mean over it is undefined).
///
/// This is the one effective-weights rule of the crate (the sweep's fast path uses it for every
/// variant): one reciprocal per group sum, multiplied down from the root. A group whose sum is tiny
/// (below `2⁻³⁰⁰`) or huge (above `2³⁰⁰`, or overflowing) is first scaled by the power of two that
/// brings its largest weight into `[1, 2)` (exact), so that tiny weights (two of `1e-320` give
/// exactly 0.5 each) and huge ones (two of `1e308`) still split the parent's share by their ratios.
///
/// # Examples
///
/// ```
/// use composite_indicators::{FrameworkSpec, Indicator, Pillar, WeightScheme};
/// use composite_indicators::weights::effective_weights;
/// let fw = FrameworkSpec::new(
///     "t",
///     vec![Indicator::new("a", "P"), Indicator::new("b", "P"), Indicator::new("c", "I")],
///     vec![Pillar::new("P").with_parent("I"), Pillar::new("I")],
/// )
/// .check()
/// .unwrap();
/// let w = WeightScheme::Equal.node_weights(&fw, None).unwrap();
/// assert_eq!(effective_weights(&fw, &w), vec![0.25, 0.25, 0.5]);
/// // a slice of the wrong length is not indexed out of bounds
/// assert!(effective_weights(&fw, &w[..2]).iter().all(|v| v.is_nan()));
/// ```
pub fn effective_weights(fw: &Framework, node_weights: &[f64]) -> Vec<f64> {
    let n_agg = fw.nodes().len() - fw.n_indicators();
    let plan = crate::plan::TreePlan::new(
        fw,
        vec![crate::aggregate::MeanForm::Linear; n_agg],
        crate::aggregate::MissingPolicy::default(),
        None,
    );
    match plan {
        // not one weight per node: no meaningful answer, and indexing would be out of bounds
        Ok(plan) if node_weights.len() == fw.nodes().len() => plan.effective_weights(node_weights),
        _ => vec![f64::NAN; fw.n_indicators()],
    }
}
