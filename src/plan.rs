//! The tree plan: how a framework is scored, built once and shared by single scoring and sweeps.
//!
//! A [`TreePlan`] is made from a checked [`Framework`], one [`MeanForm`] per aggregate node (what each
//! node's [`Aggregator`] reports), the [`MissingPolicy`] and the bonus weight of a
//! [`WeightScheme::Bonus`](crate::weights::WeightScheme::Bonus). It holds:
//!
//! * the **node order**: aggregate nodes children before parents (the framework's index order, the
//!   root last), and per aggregate the children that take part (bonus-flagged indicators are left out
//!   of their parent when a bonus weight is set);
//! * the **form** of every node: linear mean, sum, quasi-arithmetic mean `φ⁻¹(Σ w φ(x) / Σ w)` or
//!   opaque;
//! * **the one effective-weights rule** ([`TreePlan::effective_weights_block`]): the weight of each
//!   indicator in the index of a linear tree, `∏ w_c / Σ w` down its path (`w_c` for sums), one
//!   reciprocal per group; a group whose weights sum to zero gives its children NaN (the mean over
//!   it is undefined), and a group whose sum is tiny or huge is first rescaled by an exact power of
//!   two and split as `share · w / Σ w`, so that it still splits its parent's share by the weights'
//!   ratios (equal weights exactly);
//! * **the bonus rule** (`bonus_weight · value` added to the root per bonus indicator, missing values
//!   following the policy).
//!
//! Who uses it:
//!
//! * [`Scorer`](crate::score::Scorer) scores one weighting through [`TreePlan::score_one`], every node
//!   through its [`Aggregator`]: single scoring is the one-variant case;
//! * the sweep's reference path (`BatchModel::score_variant`) is the same call;
//! * the sweep's batched path computes every batchable node for K variants at once with the node's
//!   form ([`batch_phi`], [`batch_finish`], [`coverage_ok`]) and hands opaque nodes to
//!   [`TreePlan::aggregate_node`], the call `score_one` makes;
//! * the sweep's fast path (a linear tree without missing values) is one matrix product with the
//!   effective weights of [`TreePlan::effective_weights_block`];
//! * [`weights::effective_weights`](crate::weights::effective_weights) is the one-variant rule of a
//!   tree of arithmetic means.

use ndarray::{Array1, Array2, ArrayView2, CowArray, Ix2};
use rayon::prelude::*;

use crate::aggregate::{Aggregator, AggregatorKind, MeanForm, MissingPolicy, NodeContext};
use crate::error::{Error, Result};
use crate::spec::Framework;

/// Group sums outside `[SAFE_LO, SAFE_HI]` (and infinite ones) are rescaled by a power of two before
/// their reciprocal is taken: the reciprocal and the products down the path then neither overflow nor
/// lose bits in the subnormal range. Inside the range rescaling would not change a bit, so the common
/// case skips it.
const SAFE_LO: f64 = 1.0 / (1u128 << 100) as f64 / (1u128 << 100) as f64 / (1u128 << 100) as f64;
const SAFE_HI: f64 = 1.0 / SAFE_LO;

/// The scoring plan of a framework (see the [module docs](self)).
#[derive(Debug, Clone)]
pub(crate) struct TreePlan {
    n_ind: usize,
    n_nodes: usize,
    root: usize,
    /// Node index of every aggregate, children before parents (the root last).
    nodes: Vec<usize>,
    node_codes: Vec<String>,
    /// Per aggregate: the children taking part (bonus indicators removed), in child order.
    children: Vec<Vec<usize>>,
    child_codes: Vec<Vec<String>>,
    /// Per aggregate: its form.
    forms: Vec<MeanForm>,
    /// Bonus indicators (empty without a bonus weight).
    bonus_ind: Vec<usize>,
    bonus_codes: Vec<String>,
    bonus_weight: Option<f64>,
    missing: MissingPolicy,
}

/// Every node's values of one scored variant.
pub(crate) struct OneVariant {
    /// units × nodes (indicator columns are the input values; the root includes the bonus).
    pub values: Array2<f64>,
    /// Bonus total per unit (zeros without a bonus weight).
    pub bonus: Array1<f64>,
}

impl TreePlan {
    /// The plan of `fw` with `forms` (one per aggregate node, node order). A wrong number of forms
    /// is [`Error::ShapeMismatch`].
    pub(crate) fn new(
        fw: &Framework,
        forms: Vec<MeanForm>,
        missing: MissingPolicy,
        bonus_weight: Option<f64>,
    ) -> Result<Self> {
        let n_ind = fw.n_indicators();
        let nodes: Vec<usize> = fw.aggregate_indices().collect();
        if forms.len() != nodes.len() {
            return Err(Error::ShapeMismatch {
                what: "aggregators (one per aggregate node)".into(),
                expected: nodes.len(),
                found: forms.len(),
            });
        }
        let is_bonus =
            |k: usize| bonus_weight.is_some() && fw.indicators().get(k).is_some_and(|i| i.bonus);
        let bonus_ind: Vec<usize> = (0..n_ind).filter(|&k| is_bonus(k)).collect();
        let code = |k: usize| fw.nodes()[k].code.clone();
        let mut children = Vec::with_capacity(nodes.len());
        let mut child_codes = Vec::with_capacity(nodes.len());
        for &k in &nodes {
            let cs: Vec<usize> = fw.nodes()[k]
                .children
                .iter()
                .copied()
                .filter(|&c| !is_bonus(c))
                .collect();
            child_codes.push(cs.iter().map(|&c| code(c)).collect());
            children.push(cs);
        }
        Ok(TreePlan {
            n_ind,
            n_nodes: fw.nodes().len(),
            root: fw.root_index(),
            node_codes: nodes.iter().map(|&k| code(k)).collect(),
            nodes,
            children,
            child_codes,
            forms,
            bonus_codes: bonus_ind.iter().map(|&k| code(k)).collect(),
            bonus_ind,
            bonus_weight,
            missing,
        })
    }

    /// The same tree with other forms (another aggregator set on the same framework).
    pub(crate) fn with_forms(&self, forms: Vec<MeanForm>) -> Result<Self> {
        if forms.len() != self.forms.len() {
            return Err(Error::ShapeMismatch {
                what: "aggregators (one per aggregate node)".into(),
                expected: self.forms.len(),
                found: forms.len(),
            });
        }
        Ok(TreePlan {
            forms,
            ..self.clone()
        })
    }

    /// Number of indicators.
    pub(crate) fn n_indicators(&self) -> usize {
        self.n_ind
    }
    /// Number of aggregate nodes.
    pub(crate) fn n_aggregates(&self) -> usize {
        self.nodes.len()
    }
    /// Node index of aggregate `j`.
    pub(crate) fn node(&self, j: usize) -> usize {
        self.nodes[j]
    }
    /// Children of every aggregate (aggregate order).
    pub(crate) fn children(&self) -> &[Vec<usize>] {
        &self.children
    }
    /// The form of every aggregate (aggregate order).
    pub(crate) fn forms(&self) -> &[MeanForm] {
        &self.forms
    }
    /// Whether every node is a linear mean or a sum.
    pub(crate) fn is_linear(&self) -> bool {
        self.forms.iter().all(MeanForm::is_linear)
    }
    /// Bonus indicators (empty without a bonus weight).
    pub(crate) fn bonus_indicators(&self) -> &[usize] {
        &self.bonus_ind
    }
    /// The bonus weight.
    pub(crate) fn bonus_weight(&self) -> Option<f64> {
        self.bonus_weight
    }
    /// The missing-value policy.
    pub(crate) fn missing(&self) -> MissingPolicy {
        self.missing
    }

    /// Aggregate node `j` for one weighting: `block` holds the values of its children (units ×
    /// children, NaN = missing), `w` their weights. The built-in methods that use only weight ratios
    /// get their weights scaled up by an exact power of two when all are below 1 (so that `w · x` does
    /// not lose bits in the subnormal range; a no-op for ordinary weights). The output must have one
    /// finite-or-NaN value per unit ([`Error::ShapeMismatch`], [`Error::AggregateOverflow`] otherwise).
    pub(crate) fn aggregate_node(
        &self,
        j: usize,
        agg: &dyn Aggregator,
        block: ArrayView2<'_, f64>,
        mut w: Vec<f64>,
        unit_codes: &[String],
    ) -> Result<Array1<f64>> {
        if agg.kind().is_some_and(|kind| {
            matches!(
                kind,
                AggregatorKind::Arithmetic
                    | AggregatorKind::Geometric { .. }
                    | AggregatorKind::Harmonic { .. }
                    | AggregatorKind::Power { .. }
                    | AggregatorKind::Median
                    | AggregatorKind::Copeland
            )
        }) {
            crate::weights::rescale_pow2(&mut w, false);
        }
        let ctx = NodeContext {
            node: &self.node_codes[j],
            children: &self.child_codes[j],
            unit_codes,
            missing: self.missing,
        };
        let out = agg.aggregate(block, &w, &ctx)?;
        if out.len() != block.nrows() {
            return Err(Error::ShapeMismatch {
                what: format!(
                    "output of aggregator `{}` at node `{}`",
                    agg.name(),
                    self.node_codes[j]
                ),
                expected: block.nrows(),
                found: out.len(),
            });
        }
        if let Some(u) = out.iter().position(|v| v.is_infinite()) {
            return Err(Error::AggregateOverflow {
                unit: unit_codes.get(u).cloned().unwrap_or_default(),
                node: self.node_codes[j].clone(),
                aggregator: agg.name(),
                value: out[u],
            });
        }
        Ok(out)
    }

    /// Score one weighting (`node_w`, node order) of the normalised matrix `x` (units × indicators)
    /// through the aggregators (`aggs[j]` for aggregate `j`), then add the bonus. Errors: those of
    /// [`TreePlan::aggregate_node`], [`TreePlan::bonus_term`], and [`Error::AggregateOverflow`] for an
    /// infinite index.
    pub(crate) fn score_one(
        &self,
        aggs: &[&dyn Aggregator],
        node_w: &[f64],
        x: ArrayView2<'_, f64>,
        unit_codes: &[String],
    ) -> Result<OneVariant> {
        self.score_one_from(aggs, node_w, CowArray::from(x), unit_codes)
    }

    /// [`TreePlan::score_one`] of a matrix the caller gives away: the node matrix is made from its
    /// buffer, widened in place, rather than copied into a new one.
    pub(crate) fn score_one_owned(
        &self,
        aggs: &[&dyn Aggregator],
        node_w: &[f64],
        x: Array2<f64>,
        unit_codes: &[String],
    ) -> Result<OneVariant> {
        self.score_one_from(aggs, node_w, CowArray::from(x), unit_codes)
    }

    fn score_one_from(
        &self,
        aggs: &[&dyn Aggregator],
        node_w: &[f64],
        x: CowArray<'_, f64, Ix2>,
        unit_codes: &[String],
    ) -> Result<OneVariant> {
        for (what, expected, found) in [
            ("node weights", self.n_nodes, node_w.len()),
            (
                "normalised matrix columns (indicators)",
                self.n_ind,
                x.ncols(),
            ),
            (
                "aggregators (one per aggregate node)",
                self.nodes.len(),
                aggs.len(),
            ),
        ] {
            if expected != found {
                return Err(Error::ShapeMismatch {
                    what: what.into(),
                    expected,
                    found,
                });
            }
        }
        let mut values = if x.is_view() {
            nodes_matrix(x.view(), self.n_nodes)
        } else {
            widen(x.into_owned(), self.n_nodes)
        };
        // in waves of consecutive aggregates whose children are all computed (the pillars of an
        // index, say), each wave's nodes in parallel; the first error in plan order is reported
        let mut done = vec![false; self.n_nodes];
        done.iter_mut().take(self.n_ind).for_each(|d| *d = true);
        let mut j0 = 0;
        while j0 < self.nodes.len() {
            let mut j1 = j0;
            while j1 < self.nodes.len()
                && self.children[j1]
                    .iter()
                    .all(|&c| done.get(c).copied().unwrap_or(false))
            {
                j1 += 1;
            }
            // plan order puts children first, so a wave has at least one node
            let j1 = j1.max(j0 + 1);
            let view = values.view();
            let node = |j: usize| {
                let cs = &self.children[j];
                // children's columns gathered row by row (not one strided pass per column)
                let block = gather_rows(view, cs);
                let w: Vec<f64> = cs.iter().map(|&c| node_w[c]).collect();
                self.aggregate_node(j, aggs[j], block.view(), w, unit_codes)
            };
            // in parallel only where a node is worth a task (not per variant of a small sweep)
            let outs: Vec<Result<Array1<f64>>> = if view.nrows() >= PARALLEL_NODES_MIN_UNITS {
                (j0..j1).into_par_iter().map(node).collect()
            } else {
                (j0..j1).map(node).collect()
            };
            for (j, out) in (j0..j1).zip(outs) {
                let k = self.nodes[j];
                values.column_mut(k).assign(&out?);
                if let Some(d) = done.get_mut(k) {
                    *d = true;
                }
            }
            j0 = j1;
        }
        // the indicator columns of `values` are `x`
        let bonus = self.bonus_term(values.slice(ndarray::s![.., ..self.n_ind]), unit_codes)?;
        if self.bonus_weight.is_some() {
            let root = self.root;
            for (u, &b) in bonus.iter().enumerate() {
                values[[u, root]] += b;
                if values[[u, root]].is_infinite() {
                    return Err(Error::AggregateOverflow {
                        unit: unit_codes.get(u).cloned().unwrap_or_default(),
                        node: self.node_codes.last().cloned().unwrap_or_default(),
                        aggregator: "bonus".into(),
                        value: values[[u, root]],
                    });
                }
            }
        }
        Ok(OneVariant { values, bonus })
    }

    /// The bonus term per unit: `Σ bonus_weight · value` over the bonus indicators (zeros without a
    /// bonus weight). A missing bonus value adds nothing under `Skip`, makes the term NaN under
    /// `Propagate` and is [`Error::MissingValue`] (unit, root, indicator) under `Error`.
    pub(crate) fn bonus_term(
        &self,
        x: ArrayView2<'_, f64>,
        unit_codes: &[String],
    ) -> Result<Array1<f64>> {
        self.bonus_term_under(x, self.missing)
            .map_err(|(u, i)| Error::MissingValue {
                unit: unit_codes.get(u).cloned().unwrap_or_default(),
                node: self.node_codes.last().cloned().unwrap_or_default(),
                child: self.bonus_codes.get(i).cloned().unwrap_or_default(),
            })
    }

    /// [`TreePlan::bonus_term`] under `policy`; `Err((unit, bonus position))` for the first missing
    /// value under `Error`.
    pub(crate) fn bonus_term_under(
        &self,
        x: ArrayView2<'_, f64>,
        policy: MissingPolicy,
    ) -> std::result::Result<Array1<f64>, (usize, usize)> {
        let mut out = Array1::zeros(x.nrows());
        let Some(bw) = self.bonus_weight else {
            return Ok(out);
        };
        for (u, row) in x.rows().into_iter().enumerate() {
            let mut total = 0.0;
            for (i, &b) in self.bonus_ind.iter().enumerate() {
                let v = row[b];
                if v.is_nan() {
                    match policy {
                        MissingPolicy::Skip { .. } => continue,
                        MissingPolicy::Propagate => {
                            total = f64::NAN;
                            break;
                        }
                        MissingPolicy::Error => return Err((u, i)),
                    }
                }
                total += bw * v;
            }
            out[u] = total;
        }
        Ok(out)
    }

    /// The effective indicator weights of one variant (`w`: one weight per node), the rule of
    /// [`TreePlan::effective_weights_block`] with one variant; bonus indicators get 0.
    pub(crate) fn effective_weights(&self, w: &[f64]) -> Vec<f64> {
        let mut e = vec![0.0; self.n_ind];
        let mut scratch = vec![0.0; self.nodes.len() + 1];
        self.effective_weights_into(w, &mut e, &mut scratch);
        e
    }

    /// [`TreePlan::effective_weights`] into `e` (length ≥ indicators) with `scratch` (length ≥
    /// aggregates + 1); bit for bit the block rule with one variant.
    pub(crate) fn effective_weights_into(&self, w: &[f64], e: &mut [f64], scratch: &mut [f64]) {
        let na = self.nodes.len();
        debug_assert!(scratch.len() > na, "effective-weights scratch too short");
        if scratch.len() <= na {
            return;
        }
        for &b in &self.bonus_ind {
            if let Some(d) = e.get_mut(b) {
                *d = 0.0;
            }
        }
        let (inv, f) = scratch.split_at_mut(na);
        self.effective_weights_block(w, 1, e, inv, f);
    }

    /// **The effective-weights rule**, for `b` variants at once, node-major: `w[n·b + v]` (nodes × b)
    /// in, `e[i·b + v]` (indicators × b) out; `inv` (aggregates × b) and `f` (b) are scratch. Group
    /// sums in child order, one reciprocal per group (`1` for sums; NaN for a group whose weights sum
    /// to zero), shares multiplied down from the root; every step is a straight loop over the
    /// variants, which vectorises. A group sum below `2⁻³⁰⁰` or above `2³⁰⁰` (or infinite) sends
    /// the block to the slow path, which rescales such groups by a power of two and splits them as
    /// `share · w / Σ w` (every other group gets the same numbers as here, bit for bit). Rows of
    /// bonus indicators in `e` are left untouched (keep them 0).
    #[inline(always)]
    pub(crate) fn effective_weights_block(
        &self,
        w: &[f64],
        b: usize,
        e: &mut [f64],
        inv: &mut [f64],
        f: &mut [f64],
    ) {
        let na = self.nodes.len();
        let n_ind = self.n_ind;
        let sizes_ok = na > 0
            && w.len() >= self.n_nodes * b
            && e.len() >= n_ind * b
            && inv.len() >= na * b
            && f.len() >= b;
        debug_assert!(sizes_ok, "effective-weights buffers too short");
        if !sizes_ok {
            return;
        }
        let f = &mut f[..b];
        let mut extreme = false;
        for ((j, cs), form) in self.children.iter().enumerate().zip(&self.forms) {
            let iv = &mut inv[j * b..(j + 1) * b];
            if matches!(form, MeanForm::Sum) {
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
                extreme |= (*s > 0.0) & !(*s >= SAFE_LO && *s <= SAFE_HI);
                *s = if *s > 0.0 { 1.0 / *s } else { f64::NAN };
            }
        }
        if extreme {
            self.effective_weights_rescaled(w, b, e);
            return;
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

    /// The slow path of [`TreePlan::effective_weights_block`], variant by variant: a group whose sum
    /// is outside the safe range is rescaled by the power of two that brings its largest weight into
    /// `[1, 2)` (exact) and its children get `share · w / Σw` (so equal weights split a share exactly
    /// however large or small they are); every other group gets the fast path's arithmetic, bit for
    /// bit.
    #[cold]
    fn effective_weights_rescaled(&self, w: &[f64], b: usize, e: &mut [f64]) {
        let na = self.nodes.len();
        let n_ind = self.n_ind;
        let mut share = vec![0.0; na];
        let mut group = Vec::new();
        for v in 0..b {
            share.iter_mut().for_each(|s| *s = 0.0);
            share[na - 1] = 1.0;
            for j in (0..na).rev() {
                let cs = &self.children[j];
                group.clear();
                group.extend(cs.iter().map(|&c| w[c * b + v]));
                let sh = share[j];
                let mut put = |c: usize, x: f64| {
                    if c < n_ind {
                        e[c * b + v] = x;
                    } else {
                        share[c - n_ind] = x;
                    }
                };
                let sum: f64 = group.iter().fold(0.0, |s, &x| s + x);
                if matches!(self.forms[j], MeanForm::Sum) {
                    for (&c, &x) in cs.iter().zip(&group) {
                        put(c, sh * x);
                    }
                } else if sum > 0.0 && !(SAFE_LO..=SAFE_HI).contains(&sum) {
                    crate::weights::rescale_pow2(&mut group, true);
                    let sum: f64 = group.iter().fold(0.0, |s, &x| s + x);
                    for (&c, &x) in cs.iter().zip(&group) {
                        put(c, sh * x / sum);
                    }
                } else {
                    let fv = sh * if sum > 0.0 { 1.0 / sum } else { f64::NAN };
                    for (&c, &x) in cs.iter().zip(&group) {
                        put(c, fv * x);
                    }
                }
            }
        }
    }
}

/// The value a batched node uses for a child value `x`: `x` for linear forms, `φ(x)` for a
/// quasi-arithmetic one (`None` outside `φ`'s domain: the node then goes through its aggregator).
#[inline]
pub(crate) fn batch_phi(form: MeanForm, x: f64) -> Option<f64> {
    match form {
        MeanForm::QuasiArithmetic(q) => q.phi(x),
        _ => Some(x),
    }
}

/// The node value from `num = Σ w φ(x)` and `den = Σ w` over available children; NaN unless the
/// coverage rule holds (`ok`) and, for means, `den > 0`.
#[inline]
pub(crate) fn batch_finish(form: MeanForm, num: f64, den: f64, ok: bool) -> f64 {
    match form {
        MeanForm::Linear if ok && den > 0.0 => num / den,
        MeanForm::Sum if ok => num,
        MeanForm::QuasiArithmetic(q) if ok && den > 0.0 => q.inverse(num / den),
        _ => f64::NAN,
    }
}

/// Whether a node value with `c` of `len` children available is computed under `missing` (the rule of
/// [`row_weight_sum`](crate::aggregate::row_weight_sum); `Error` never reaches here with a gap).
#[inline]
pub(crate) fn coverage_ok(missing: MissingPolicy, c: u32, len: f64) -> bool {
    match missing {
        MissingPolicy::Skip { min_coverage } => c > 0 && (c as f64) / len >= min_coverage,
        MissingPolicy::Propagate => c as f64 == len,
        MissingPolicy::Error => true,
    }
}

/// From this many units on, [`TreePlan::score_one`] aggregates the nodes of a wave in parallel.
const PARALLEL_NODES_MIN_UNITS: usize = 8192;

/// The units × nodes matrix of one variant before aggregation: the indicator columns are `x`,
/// the aggregate columns NaN; built in one pass over the rows.
fn nodes_matrix(x: ArrayView2<'_, f64>, n_nodes: usize) -> Array2<f64> {
    let (n_units, n_ind) = x.dim();
    let n_nodes = n_nodes.max(n_ind);
    let mut flat = Vec::with_capacity(n_units * n_nodes);
    for row in x.rows() {
        match row.as_slice() {
            Some(r) => flat.extend_from_slice(r),
            None => flat.extend(row.iter().copied()),
        }
        flat.resize(flat.len() + (n_nodes - n_ind), f64::NAN);
    }
    Array2::from_shape_vec((n_units, n_nodes), flat)
        .unwrap_or_else(|_| Array2::from_elem((n_units, n_nodes), f64::NAN))
}

/// [`nodes_matrix`] of `x`, made from `x`'s own buffer: grown at its end (no new allocation of the
/// whole) and each row moved to its place, the last row first, its new columns NaN.
fn widen(x: Array2<f64>, n_nodes: usize) -> Array2<f64> {
    let (n_units, n_ind) = x.dim();
    if !x.is_standard_layout() || n_nodes < n_ind {
        return nodes_matrix(x.view(), n_nodes);
    }
    let (mut flat, offset) = x.into_raw_vec_and_offset();
    let start = offset.unwrap_or(0);
    let len = n_units * n_ind;
    if start + len > flat.len() {
        // not the buffer of a standard-layout matrix (cannot happen): copy
        let x = Array2::from_shape_vec(
            (n_units, n_ind),
            flat.into_iter().skip(start).take(len).collect(),
        );
        return match x {
            Ok(x) => nodes_matrix(x.view(), n_nodes),
            Err(_) => Array2::from_elem((n_units, n_nodes), f64::NAN),
        };
    }
    if start > 0 {
        flat.copy_within(start..start + len, 0);
    }
    flat.truncate(len);
    flat.resize(n_units * n_nodes, f64::NAN);
    // row u moves from u·n_ind to u·n_nodes ≥ u·n_ind: last row first, each row's source lies
    // before every place written so far
    for u in (0..n_units).rev() {
        flat.copy_within(u * n_ind..(u + 1) * n_ind, u * n_nodes);
        if let Some(tail) = flat.get_mut(u * n_nodes + n_ind..(u + 1) * n_nodes) {
            tail.fill(f64::NAN);
        }
    }
    Array2::from_shape_vec((n_units, n_nodes), flat)
        .unwrap_or_else(|_| Array2::from_elem((n_units, n_nodes), f64::NAN))
}

/// Columns `cs` of `m` as a units × `cs.len()` row-major block, gathered row by row.
fn gather_rows(m: ArrayView2<'_, f64>, cs: &[usize]) -> Array2<f64> {
    let (n, nc) = m.dim();
    match m.as_slice() {
        Some(flat) if cs.iter().all(|&c| c < nc) && nc > 0 => {
            let mut out = Vec::with_capacity(n * cs.len());
            for row in flat.chunks_exact(nc) {
                out.extend(cs.iter().map(|&c| row[c]));
            }
            Array2::from_shape_vec((n, cs.len()), out)
                .unwrap_or_else(|_| Array2::from_shape_fn((n, cs.len()), |(u, c)| m[[u, cs[c]]]))
        }
        _ => Array2::from_shape_fn((n, cs.len()), |(u, c)| m[[u, cs[c]]]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{FrameworkSpec, Indicator, Pillar};

    #[test]
    fn row_gathers_equal_indexing_in_any_layout() {
        use ndarray::ShapeBuilder;
        let c = Array2::from_shape_fn((7, 4), |(u, j)| (u * 10 + j) as f64);
        let f = Array2::from_shape_fn((7, 4).f(), |(u, j)| (u * 10 + j) as f64);
        for m in [c.view(), f.view(), c.slice(ndarray::s![..;2, ..])] {
            let cs = [3, 0, 3];
            let want = Array2::from_shape_fn((m.nrows(), 3), |(u, k)| m[[u, cs[k]]]);
            assert_eq!(gather_rows(m, &cs), want);
            let nodes = nodes_matrix(m, 6);
            assert_eq!(nodes.slice(ndarray::s![.., ..4]), m);
            assert!(nodes.slice(ndarray::s![.., 4..]).iter().all(|v| v.is_nan()));
            let wide = widen(m.to_owned(), 6);
            assert_eq!(wide.slice(ndarray::s![.., ..4]), m);
            assert!(wide.slice(ndarray::s![.., 4..]).iter().all(|v| v.is_nan()));
            assert_eq!(widen(m.to_owned(), 4), m);
        }
    }

    fn fw() -> Framework {
        FrameworkSpec::new(
            "t",
            vec![
                Indicator::new("a", "P"),
                Indicator::new("b", "P"),
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

    fn plan() -> TreePlan {
        TreePlan::new(
            &fw(),
            vec![MeanForm::Linear; 3],
            MissingPolicy::default(),
            None,
        )
        .unwrap()
    }

    #[test]
    fn a_wave_reports_its_first_error_in_plan_order() {
        // P and Q (one wave) both meet a missing child under `Error`: P's error, as one by one
        let p =
            TreePlan::new(&fw(), vec![MeanForm::Linear; 3], MissingPolicy::Error, None).unwrap();
        let mean = AggregatorKind::Arithmetic;
        let aggs: Vec<&dyn Aggregator> = vec![&mean, &mean, &mean];
        let x = ndarray::array![[1.0, f64::NAN, f64::NAN], [1.0, 2.0, 3.0]];
        let units = vec!["u1".to_string(), "u2".to_string()];
        let e = p.score_one(&aggs, &[1.0; 6], x.view(), &units).err();
        assert!(
            matches!(&e, Some(Error::MissingValue { node, .. }) if node == "P"),
            "{e:?}"
        );
        // the same with the wave's nodes in parallel
        let n = PARALLEL_NODES_MIN_UNITS;
        let big = Array2::from_shape_fn(
            (n, 3),
            |(u, c)| {
                if u == n - 1 && c > 0 { f64::NAN } else { 1.0 }
            },
        );
        let many: Vec<String> = (0..n).map(|u| format!("u{u}")).collect();
        let e = p.score_one(&aggs, &[1.0; 6], big.view(), &many).err();
        assert!(
            matches!(&e, Some(Error::MissingValue { node, .. }) if node == "P"),
            "{e:?}"
        );
        // without missing values the waves give the index
        let x = ndarray::array![[1.0, 3.0, 4.0], [1.0, 2.0, 3.0]];
        let v = p
            .score_one(&aggs, &[1.0; 6], x.view(), &units)
            .unwrap()
            .values;
        assert_eq!(v.row(0).to_vec(), vec![1.0, 3.0, 4.0, 2.0, 4.0, 3.0]);
    }

    #[test]
    fn one_variant_is_the_block_rule_bit_for_bit() {
        let p = plan();
        // three variants, node-major
        let rows = [
            [1.0, 3.0, 1.0, 1.0, 2.0, 1.0],
            [0.3, 0.7, 0.1, 0.9, 0.2, 1.0],
            [1e-3, 5.0, 2.0, 7.0, 0.5, 1.0],
        ];
        let b = rows.len();
        let mut w = vec![0.0; 6 * b];
        for (v, r) in rows.iter().enumerate() {
            for (n, &x) in r.iter().enumerate() {
                w[n * b + v] = x;
            }
        }
        let mut e = vec![0.0; 3 * b];
        let (mut inv, mut f) = (vec![0.0; 3 * b], vec![0.0; b]);
        p.effective_weights_block(&w, b, &mut e, &mut inv, &mut f);
        for (v, r) in rows.iter().enumerate() {
            let one = p.effective_weights(r);
            for i in 0..3 {
                assert_eq!(one[i].to_bits(), e[i * b + v].to_bits());
            }
        }
        // hand values of the first: P = 1/4, 3/4 of 1/3; Q = 2/3
        let one = p.effective_weights(&rows[0]);
        assert_eq!(one, vec![1.0 / 3.0 * 0.25, 1.0 / 3.0 * 0.75, 2.0 / 3.0]);
    }

    #[test]
    fn zero_groups_give_nan_and_extreme_groups_are_rescaled() {
        let p = plan();
        let e = p.effective_weights(&[0.0, 0.0, 1.0, 1.0, 1.0, 1.0]);
        assert!(e[0].is_nan() && e[1].is_nan());
        assert_eq!(e[2], 0.5);
        let e = p.effective_weights(&[1e-320, 1e-320, 1.0, 1.0, 1.0, 1.0]);
        assert_eq!(e, vec![0.25, 0.25, 0.5]);
        let e = p.effective_weights(&[1e308, 1e308, 1.0, 1e308, 1e308, 1.0]);
        assert_eq!(e, vec![0.25, 0.25, 0.5]);
        // a block with one extreme variant gives every variant its one-variant value
        let rows = [
            [1.0, 3.0, 1.0, 1.0, 2.0, 1.0],
            [1e-320, 3e-320, 1.0, 1.0, 2.0, 1.0],
        ];
        let mut w = vec![0.0; 12];
        for (v, r) in rows.iter().enumerate() {
            for (n, &x) in r.iter().enumerate() {
                w[n * 2 + v] = x;
            }
        }
        let (mut e, mut inv, mut f) = (vec![0.0; 6], vec![0.0; 6], vec![0.0; 2]);
        p.effective_weights_block(&w, 2, &mut e, &mut inv, &mut f);
        for (v, r) in rows.iter().enumerate() {
            let one = p.effective_weights(r);
            for i in 0..3 {
                assert_eq!(one[i], e[i * 2 + v]);
            }
        }
        assert_eq!(e[0], e[1]);
    }

    #[test]
    fn sums_take_weights_as_given_and_bonus_is_left_out() {
        let f = FrameworkSpec::new(
            "t",
            vec![
                Indicator::new("a", "I"),
                Indicator::new("b", "I").with_bonus(true),
            ],
            vec![Pillar::new("I")],
        )
        .check()
        .unwrap();
        let p =
            TreePlan::new(&f, vec![MeanForm::Sum], MissingPolicy::Propagate, Some(0.5)).unwrap();
        assert_eq!(p.children(), [vec![0]]);
        assert_eq!(p.effective_weights(&[2.0, 7.0, 1.0]), vec![2.0, 0.0]);
        let x = ndarray::array![[1.0, 4.0], [1.0, f64::NAN]];
        let b = p.bonus_term(x.view(), &[]).unwrap();
        assert_eq!(b[0], 2.0);
        assert!(b[1].is_nan());
        let p = TreePlan::new(&f, vec![MeanForm::Sum], MissingPolicy::Error, Some(0.5)).unwrap();
        let units = vec!["u".to_string(), "v".to_string()];
        let err = p.bonus_term(x.view(), &units).unwrap_err();
        assert!(
            matches!(err, Error::MissingValue { unit, child, .. } if unit == "v" && child == "b")
        );
        assert!(TreePlan::new(&f, vec![], MissingPolicy::Error, None).is_err());
    }
}
