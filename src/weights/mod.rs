//! Weight schemes: how much each node counts within its parent group.
//!
//! A [`WeightScheme`] resolves to one weight per framework node ([`WeightScheme::node_weights`]): the
//! node's weight within its parent (the root's entry is unused and set to 1). Weights need not sum to 1;
//! aggregators normalise within each group. [`effective_weights`] multiplies normalised weights down the
//! tree into one weight per indicator (what a hierarchy of arithmetic means collapses to).

use std::collections::BTreeMap;

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::spec::Framework;

/// A weighting scheme (serde-tagged by `scheme`).
///
/// ```
/// use composite_indicators::{FrameworkSpec, Indicator, Pillar, WeightScheme};
/// let fw = FrameworkSpec {
///     name: "t".into(),
///     indicators: vec![Indicator::new("a", "I").with_weight(3.0), Indicator::new("b", "I")],
///     pillars: vec![Pillar::new("I")],
/// }
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
                    return Err(Error::param(
                        "bonus_weight",
                        format!("{bonus_weight} must be finite and non-negative"),
                    ));
                }
                base.node_weights(fw, normalised)?
            }
        };
        let root = fw.root_index();
        w[root] = 1.0;
        check_group_sums(fw, &w, self.bonus_weight().is_some())?;
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

/// Every group must keep a positive weight sum (bonus children excluded when `bonus` is on).
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
    }
    Ok(())
}

/// Whether node `k` is a bonus-flagged indicator.
pub(crate) fn is_bonus(fw: &Framework, k: usize) -> bool {
    fw.indicators().get(k).is_some_and(|i| i.bonus)
}

/// Collapse per-node weights into one weight per indicator: the product, down the path from the root,
/// of each node's weight divided by its group's weight sum. This is the weight each indicator has in the
/// index when every level is a weighted arithmetic mean and no value is missing; the result sums to 1.
///
/// ```
/// use composite_indicators::{FrameworkSpec, Indicator, Pillar, WeightScheme};
/// use composite_indicators::weights::effective_weights;
/// let fw = FrameworkSpec {
///     name: "t".into(),
///     indicators: vec![Indicator::new("a", "P"), Indicator::new("b", "P"), Indicator::new("c", "I")],
///     pillars: vec![Pillar::new("P").with_parent("I"), Pillar::new("I")],
/// }
/// .check()
/// .unwrap();
/// let w = WeightScheme::Equal.node_weights(&fw, None).unwrap();
/// assert_eq!(effective_weights(&fw, &w), vec![0.25, 0.25, 0.5]);
/// ```
pub fn effective_weights(fw: &Framework, node_weights: &[f64]) -> Vec<f64> {
    let nodes = fw.nodes();
    let mut share = vec![0.0; nodes.len()];
    let root = fw.root_index();
    share[root] = 1.0;
    // parents come after children, so walk from the root down
    for k in (0..nodes.len()).rev() {
        let node = &nodes[k];
        if node.children.is_empty() {
            continue;
        }
        let sum: f64 = node.children.iter().map(|&c| node_weights[c]).sum();
        for &c in &node.children {
            share[c] = if sum > 0.0 {
                share[k] * node_weights[c] / sum
            } else {
                0.0
            };
        }
    }
    share.truncate(fw.n_indicators());
    share
}
