//! The linear engine: a tree of linear means and sums without missing values collapses to one
//! effective weight per indicator (the tree plan's effective-weights rule), so a block of variants
//! is one matrix product. [`LinearPlan`] is the sweep fast path's precomputed layout of one
//! alternative.

use ndarray::{Array2, ArrayView2};

use crate::error::Result;
use crate::plan::TreePlan;

use super::super::model::BatchModel;

impl BatchModel {
    /// Effective indicator weights (K × indicators) of a linear tree, row by row with the plan's
    /// rule; bonus indicators get 0 (their term is added separately).
    pub(crate) fn effective_weights_batch(
        &self,
        w: ArrayView2<'_, f64>,
        plan: &TreePlan,
    ) -> Array2<f64> {
        let n_ind = self.fw.n_indicators();
        let mut e = Array2::zeros((w.nrows(), n_ind));
        let mut scratch = vec![0.0; plan.n_aggregates() + 1];
        for (row, mut erow) in w.rows().into_iter().zip(e.rows_mut()) {
            match (row.as_slice(), erow.as_slice_mut()) {
                (Some(r), Some(es)) => plan.effective_weights_into(r, es, &mut scratch),
                (_, Some(es)) => plan.effective_weights_into(&row.to_vec(), es, &mut scratch),
                _ => {}
            }
        }
        e
    }

    /// Fast path of sweeps: index scores of the variants in `w` (K × nodes) for one alternative that
    /// [`BatchModel::is_single_product`] accepts, into `out` (K × units), with `e` (K × indicators) and
    /// `share` (length ≥ aggregates + 1) as scratch.
    pub(crate) fn linear_scores_into(
        &self,
        w: ArrayView2<'_, f64>,
        alt: usize,
        e: &mut Array2<f64>,
        share: &mut [f64],
        out: &mut Array2<f64>,
    ) -> Result<()> {
        let a = self.alt(alt)?;
        let plan = &self.aggregation(a).plan;
        for (row, mut erow) in w.rows().into_iter().zip(e.rows_mut()) {
            if let (Some(r), Some(es)) = (row.as_slice(), erow.as_slice_mut()) {
                plan.effective_weights_into(r, es, share);
            }
        }
        ndarray::linalg::general_mat_mul(1.0, e, &a.xt0, 0.0, out);
        if !plan.bonus_indicators().is_empty() {
            *out += &a.bonus_add;
        }
        Ok(())
    }

    /// Number of aggregate nodes.
    pub(crate) fn n_aggregates(&self) -> usize {
        self.plan().n_aggregates()
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
    /// The alternative's tree plan (children, forms, the effective-weights rule).
    tree: TreePlan,
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
        let tree = self.aggregation(a).plan.clone();
        let mut perm: Vec<usize> = (0..self.n_units).collect();
        perm.sort_by(|&i, &j| {
            let (x, y) = (nominal[i], nominal[j]);
            match (x.is_nan(), y.is_nan()) {
                (false, false) => y.total_cmp(&x),
                (a, b) => a.cmp(&b),
            }
            .then(i.cmp(&j))
        });
        // the data's columns (units) in `perm` order, gathered row by row (ndarray's `select`
        // along the inner axis appends one column at a time, several times slower)
        let (ni, nu) = a.xt0.dim();
        if perm.len() != nu {
            return None;
        }
        let mut xtp = Array2::<f64>::zeros((ni, nu));
        for (mut dst, src) in xtp.rows_mut().into_iter().zip(a.xt0.rows()) {
            for (d, &u) in dst.iter_mut().zip(&perm) {
                *d = src.get(u).copied().unwrap_or(f64::NAN);
            }
        }
        let bonus = if tree.bonus_indicators().is_empty() {
            Vec::new()
        } else {
            perm.iter().map(|&u| a.bonus_add[u]).collect()
        };
        Some(LinearPlan {
            n_ind: self.fw.n_indicators(),
            n_nodes: self.n_nodes(),
            tree,
            perm,
            xtp,
            bonus,
        })
    }
}

impl LinearPlan {
    /// Number of aggregate nodes.
    pub(crate) fn n_aggregates(&self) -> usize {
        self.tree.n_aggregates()
    }

    /// Effective indicator weights of `b` variants at once, node-major: `w[n·b + v]` (nodes × b) in,
    /// `e[i·b + v]` (indicators × b) out; `inv` (aggregates × b) and `f` (b) are scratch. The tree
    /// plan's rule ([`TreePlan::effective_weights_block`]). Rows of bonus indicators in `e` are left
    /// untouched (keep them 0).
    #[inline(always)]
    pub(crate) fn effective_weights_block(
        &self,
        w: &[f64],
        b: usize,
        e: &mut [f64],
        inv: &mut [f64],
        f: &mut [f64],
    ) {
        self.tree.effective_weights_block(w, b, e, inv, f);
    }
}
