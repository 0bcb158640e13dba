//! Re-aggregating part of a scored tree: the shared engine of leave-one-out and weight optimisation.
//!
//! An aggregate's value depends only on its children's values and weights (an [`Aggregator`] sees
//! the units × children block, one weight per child and the [`NodeContext`]), so when some weights
//! change only the aggregates above them need recomputing. [`Tree::reaggregate`] recomputes one
//! aggregate exactly as the scorer does (same children, same aggregator, same checks, the bonus
//! total added to the root), so the untouched nodes keep their bits and the recomputed ones get the
//! bits a full rebuild would give.

use std::sync::Arc;

use ndarray::{Array1, Array2, Axis};

use crate::aggregate::{Aggregator, MissingPolicy, NodeContext};
use crate::error::{Error, Result};
use crate::score::Scorer;
use crate::spec::{Framework, NodeKind};
use crate::weights::is_bonus;

/// The aggregation plan of a scorer on one framework.
pub(crate) struct Tree<'a> {
    fw: &'a Framework,
    unit_codes: &'a [String],
    missing: MissingPolicy,
    /// Per node: its aggregator (None for indicators).
    aggs: Vec<Option<Arc<dyn Aggregator>>>,
    /// Per node: the children that enter its aggregation (bonus indicators left out under a bonus
    /// scheme), and their codes.
    kids: Vec<Vec<usize>>,
    kid_codes: Vec<Vec<String>>,
    /// Bonus total per unit, added to the root after it is aggregated (None without a bonus scheme).
    bonus: Option<Array1<f64>>,
}

impl<'a> Tree<'a> {
    /// The plan of `scorer`; `bonus` is the per-unit bonus total of the nominal scores (used only
    /// under a bonus scheme).
    pub(crate) fn new(
        scorer: &'a Scorer,
        unit_codes: &'a [String],
        bonus: Option<Array1<f64>>,
    ) -> Tree<'a> {
        let fw = scorer.framework();
        let use_bonus = scorer.weight_scheme().bonus_weight().is_some();
        let nodes = fw.nodes();
        let mut aggs = Vec::with_capacity(nodes.len());
        let mut kids = Vec::with_capacity(nodes.len());
        let mut kid_codes = Vec::with_capacity(nodes.len());
        for (k, node) in nodes.iter().enumerate() {
            if node.kind == NodeKind::Aggregate {
                let ks: Vec<usize> = node
                    .children
                    .iter()
                    .copied()
                    .filter(|&c| !(use_bonus && is_bonus(fw, c)))
                    .collect();
                kid_codes.push(
                    ks.iter()
                        .filter_map(|&c| nodes.get(c).map(|n| n.code.clone()))
                        .collect(),
                );
                kids.push(ks);
                aggs.push(scorer.aggregator_of(k));
            } else {
                kid_codes.push(Vec::new());
                kids.push(Vec::new());
                aggs.push(None);
            }
        }
        Tree {
            fw,
            unit_codes,
            missing: scorer.missing_policy(),
            aggs,
            kids,
            kid_codes,
            bonus: if use_bonus { bonus } else { None },
        }
    }

    /// Recompute aggregate `k` in `values` (units × nodes) from its children's current values and
    /// `node_w` (one weight per node). Indicators are left alone.
    pub(crate) fn reaggregate(
        &self,
        k: usize,
        node_w: &[f64],
        values: &mut Array2<f64>,
    ) -> Result<()> {
        let (Some(Some(agg)), Some(kids), Some(codes), Some(node)) = (
            self.aggs.get(k),
            self.kids.get(k),
            self.kid_codes.get(k),
            self.fw.nodes().get(k),
        ) else {
            return Ok(());
        };
        let w: Vec<f64> = kids
            .iter()
            .map(|&c| node_w.get(c).copied().unwrap_or(f64::NAN))
            .collect();
        let block = values.select(Axis(1), kids);
        let ctx = NodeContext {
            node: &node.code,
            children: codes,
            unit_codes: self.unit_codes,
            missing: self.missing,
        };
        let mut out = agg.aggregate(block.view(), &w, &ctx)?;
        if out.len() != values.nrows() {
            return Err(Error::ShapeMismatch {
                what: format!(
                    "output of aggregator `{}` at node `{}`",
                    agg.name(),
                    node.code
                ),
                expected: values.nrows(),
                found: out.len(),
            });
        }
        if let Some(u) = out.iter().position(|v| v.is_infinite()) {
            return Err(Error::NonFinite {
                unit: self.unit_codes.get(u).cloned().unwrap_or_default(),
                indicator: node.code.clone(),
                value: out[u],
            });
        }
        if k == self.fw.root_index()
            && let Some(bonus) = &self.bonus
        {
            for (u, (o, b)) in out.iter_mut().zip(bonus.iter()).enumerate() {
                *o += b;
                if o.is_infinite() {
                    return Err(Error::NonFinite {
                        unit: self.unit_codes.get(u).cloned().unwrap_or_default(),
                        indicator: node.code.clone(),
                        value: *o,
                    });
                }
            }
        }
        values.column_mut(k).assign(&out);
        Ok(())
    }

    /// Whether `k` is a bonus indicator left out of its parent under the scorer's bonus scheme.
    pub(crate) fn is_bonus_child(&self, k: usize) -> bool {
        self.bonus.is_some() && is_bonus(self.fw, k)
    }
}
