//! The general engine: one variant through the aggregators (the tree plan's one-variant case, as
//! [`Scorer`](crate::score::Scorer) scores), and K variants at once node by node, each node batched
//! by its [`MeanForm`] (two matrix products per linear or quasi-arithmetic node; opaque nodes through
//! their aggregator, one variant at a time).

use ndarray::{Array2, ArrayView2, Axis};

use crate::aggregate::{MeanForm, MissingPolicy};
use crate::error::{Error, Result};
use crate::plan::{TreePlan, batch_finish, batch_phi, coverage_ok};

use super::super::model::{Alt, BatchModel};

/// An aggregate node's indicator children of one alternative, laid out for the batched products.
#[derive(Debug, Clone)]
pub(crate) struct NodeBlock {
    /// Indicator children (node indices) in child order.
    pub(crate) ind: Vec<usize>,
    /// Aggregate children (node indices).
    pub(crate) agg: Vec<usize>,
    /// Values (NaN → 0), indicator children × units.
    pub(crate) x0t: Array2<f64>,
    /// Availability mask (1 / 0), indicator children × units.
    pub(crate) mt: Array2<f64>,
    /// Available indicator children per unit.
    pub(crate) cnt: Vec<u32>,
    /// `φ(x)` (NaN→0) of the indicator children when the node is a quasi-arithmetic mean and every
    /// available value is in its domain; `None` otherwise (the node then goes through the trait).
    pub(crate) phi_t: Option<Array2<f64>>,
}

impl NodeBlock {
    /// The blocks of every aggregate of `plan` for the normalised matrix `x` (units × indicators).
    pub(crate) fn build(plan: &TreePlan, x: &Array2<f64>) -> Vec<NodeBlock> {
        let n_ind = plan.n_indicators();
        let n_units = x.nrows();
        let mut blocks = Vec::with_capacity(plan.n_aggregates());
        for (cs, &form) in plan.children().iter().zip(plan.forms()) {
            let ind: Vec<usize> = cs.iter().copied().filter(|&c| c < n_ind).collect();
            let agg: Vec<usize> = cs.iter().copied().filter(|&c| c >= n_ind).collect();
            let mut x0t = Array2::zeros((ind.len(), n_units));
            let mut mt = Array2::zeros((ind.len(), n_units));
            let mut cnt = vec![0u32; n_units];
            for (r, &c) in ind.iter().enumerate() {
                for (u, &v) in x.column(c).iter().enumerate() {
                    if !v.is_nan() {
                        x0t[[r, u]] = v;
                        mt[[r, u]] = 1.0;
                        cnt[u] += 1;
                    }
                }
            }
            let phi_t = match form {
                MeanForm::QuasiArithmetic(q) => {
                    let mut t = Array2::zeros((ind.len(), n_units));
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
                _ => None,
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
        blocks
    }
}

impl BatchModel {
    /// Reference path: score every node for one weight vector and alternative, through the
    /// [`Aggregator`](crate::aggregate::Aggregator) trait, level by level, exactly as
    /// [`Scorer`](crate::score::Scorer) does (the tree plan's one-variant case). Returns units × nodes (indicator columns are the input
    /// values; the last column is the index).
    ///
    /// ```
    /// use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// use composite_indicators::sweep::BatchModel;
    /// let fw = FrameworkSpec::new(
    ///     "t",
    ///     vec![Indicator::new("a", "P"), Indicator::new("b", "P"), Indicator::new("c", "I")],
    ///     vec![Pillar::new("P").with_parent("I"), Pillar::new("I")])
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
        let agg = self.aggregation(a);
        let aggs: Vec<&dyn crate::aggregate::Aggregator> =
            agg.aggs.iter().map(|g| g.as_ref()).collect();
        let one = agg
            .plan
            .score_one(&aggs, node_weights, a.x.view(), &self.unit_codes)?;
        Ok(one.values)
    }

    /// Reference path, index column only.
    ///
    /// ```
    /// # use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// # use composite_indicators::sweep::BatchModel;
    /// # let fw = FrameworkSpec::new( "t", vec![Indicator::new("a", "I"),
    /// #     Indicator::new("b", "I")], vec![Pillar::new("I")] ).check().unwrap();
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
        let agg = self.aggregation(a);
        if a.any_missing && agg.plan.missing() == MissingPolicy::Error {
            // The reference path reports the first missing value with unit, node and child.
            if let Some(row) = w.rows().into_iter().next() {
                self.score_variant(&row.to_vec(), alt)?;
            }
        }
        let mut out = if agg.plan.is_linear() && a.complete {
            let e = self.effective_weights_batch(w, &agg.plan);
            e.dot(&a.xt0)
        } else {
            self.level_by_level(w, a)?
        };
        if !agg.plan.bonus_indicators().is_empty() {
            out += &a.bonus_add;
        }
        Ok(out)
    }

    fn level_by_level(&self, w: ArrayView2<'_, f64>, a: &Alt) -> Result<Array2<f64>> {
        let kk = w.nrows();
        let nu = self.n_units;
        let n_ind = self.fw.n_indicators();
        let agg = self.aggregation(a);
        let plan = &agg.plan;
        let mut vals: Vec<Option<Array2<f64>>> = vec![None; plan.n_aggregates()];
        for (j, (cs, &form)) in plan.children().iter().zip(plan.forms()).enumerate() {
            let batched = if form.is_batchable() {
                self.mean_node(w, a, j, form, &vals)?
            } else {
                None
            };
            let node_vals = match batched {
                Some(v) => v,
                None => {
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
                        let r = plan.aggregate_node(
                            j,
                            agg.aggs[j].as_ref(),
                            block.view(),
                            wv,
                            &self.unit_codes,
                        )?;
                        out.row_mut(v).assign(&r);
                    }
                    out
                }
            };
            vals[j] = Some(node_vals);
        }
        // a checked framework has a root aggregate
        Ok(vals.pop().flatten().unwrap_or_default())
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
        form: MeanForm,
        vals: &[Option<Array2<f64>>],
    ) -> Result<Option<Array2<f64>>> {
        let n_ind = self.fw.n_indicators();
        let plan = &self.aggregation(a).plan;
        let blk = &a.blocks[j];
        let xt = match (form, &blk.phi_t) {
            (MeanForm::QuasiArithmetic(_), Some(t)) => t,
            (MeanForm::QuasiArithmetic(_), None) => return Ok(None),
            _ => &blk.x0t,
        };
        let kk = w.nrows();
        let nu = self.n_units;
        let len = plan.children()[j].len() as f64;
        let wi = w.select(Axis(1), &blk.ind);
        let mut num = wi.dot(xt);
        let mut den = wi.dot(&blk.mt);
        let mut cnt = Array2::from_shape_fn((kk, nu), |(_, u)| blk.cnt[u]);
        for &c in &blk.agg {
            // children come before parents in the plan's order
            let Some(cv) = vals.get(c - n_ind).and_then(|v| v.as_ref()) else {
                debug_assert!(false, "child computed after parent");
                return Ok(None);
            };
            for v in 0..kk {
                let wc = w[[v, c]];
                for u in 0..nu {
                    let x = cv[[v, u]];
                    if x.is_nan() {
                        continue;
                    }
                    if wc > 0.0 {
                        let Some(y) = batch_phi(form, x) else {
                            return Ok(None);
                        };
                        num[[v, u]] += wc * y;
                    }
                    den[[v, u]] += wc;
                    cnt[[v, u]] += 1;
                }
            }
        }
        let missing = plan.missing();
        ndarray::Zip::from(&mut num)
            .and(&den)
            .and(&cnt)
            .for_each(|n, &d, &c| {
                *n = batch_finish(form, *n, d, coverage_ok(missing, c, len));
            });
        Ok(Some(num))
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::AggregatorKind;
    use crate::spec::{Framework, FrameworkSpec, Indicator, Pillar};
    use ndarray::array;

    fn fw() -> Framework {
        FrameworkSpec::new(
            "t",
            vec![
                Indicator::new("a", "P"),
                Indicator::new("b", "P"),
                Indicator::new("c", "Q"),
                Indicator::new("d", "Q").with_bonus(true),
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
