//! The tree behind [`Scores`](super::Scores): [`aggregate_tree`] scores the framework once through
//! the [`TreePlan`] (the one-variant case of the sweep's plan), and [`LinearTree`] keeps what
//! contributions and path factors are computed from on first use.

use super::*;
use ndarray::Ix2;

/// The result of aggregating a tree once.
pub(crate) struct TreeScores {
    /// units × nodes.
    pub values: Array2<f64>,
    /// The tree's linear structure, when every aggregator is linear (what contributions and path
    /// factors are computed from, on demand).
    pub linear: Option<LinearTree>,
    /// Bonus total per unit (zeros without a bonus scheme).
    pub bonus: Array1<f64>,
}

/// The linear tree behind [`Scores::contributions`] and [`Scores::path_factors`]: aggregates in
/// plan order (children before parents) with their children and form, and the bonus. Kept instead
/// of the two units × indicators matrices, which are computed on first use.
#[derive(Debug, Clone)]
pub(crate) struct LinearTree {
    /// Aggregate `j`'s node index.
    nodes: Vec<usize>,
    /// Aggregate `j`'s children (node indices).
    children: Vec<Vec<usize>>,
    /// Aggregate `j`'s form (linear or sum).
    forms: Vec<MeanForm>,
    /// Bonus indicators and their weight.
    bonus_ind: Vec<usize>,
    bonus_w: Option<f64>,
    node_w: Vec<f64>,
    root: usize,
    n_nodes: usize,
    n_ind: usize,
}

impl LinearTree {
    /// `(contributions, path factors)`, units × indicators, from `values` (units × nodes; its
    /// indicator columns are the normalised values).
    pub(super) fn explain(&self, values: &Array2<f64>) -> (Array2<f64>, Array2<f64>) {
        let n_units = values.nrows();
        let n_ind = self.n_ind;
        let mut contrib = Array2::zeros((n_units, n_ind));
        let mut factors = Array2::zeros((n_units, n_ind));
        let mut factor = vec![0.0; self.n_nodes];
        let node_w = &self.node_w;
        for u in 0..n_units {
            factor.iter_mut().for_each(|f| *f = 0.0);
            factor[self.root] = 1.0;
            for (j, (kids, form)) in self.children.iter().zip(&self.forms).enumerate().rev() {
                let k = self.nodes[j];
                if factor[k] == 0.0 || values[[u, k]].is_nan() {
                    continue;
                }
                let avail_w: f64 = kids
                    .iter()
                    .filter(|&&c| !values[[u, c]].is_nan())
                    .map(|&c| node_w[c])
                    .sum();
                for &c in kids {
                    if values[[u, c]].is_nan() {
                        continue;
                    }
                    factor[c] = match form {
                        MeanForm::Linear if avail_w > 0.0 => factor[k] * node_w[c] / avail_w,
                        MeanForm::Sum => factor[k] * node_w[c],
                        _ => 0.0,
                    };
                }
            }
            if let Some(bw) = self.bonus_w {
                for &i in &self.bonus_ind {
                    factor[i] = bw;
                }
            }
            for i in 0..n_ind {
                let v = values[[u, i]];
                if !v.is_nan() {
                    factors[[u, i]] = factor[i];
                    contrib[[u, i]] = factor[i] * v;
                }
            }
        }
        (contrib, factors)
    }
}

/// Aggregate the framework bottom-up through its [`TreePlan`] (the one-variant case of the sweep's
/// plan). `aggregator_of(k)` gives node k's aggregator. `normalised` is borrowed
/// (`CowArray::from(view)`) or given away (`CowArray::from(array)`: its buffer then becomes the node
/// matrix, no second copy).
pub(crate) fn aggregate_tree<F>(
    fw: &Framework,
    aggregator_of: F,
    node_w: &[f64],
    bonus_w: Option<f64>,
    missing: MissingPolicy,
    normalised: CowArray<'_, f64, Ix2>,
    unit_codes: &[String],
) -> Result<TreeScores>
where
    F: Fn(usize) -> Option<Arc<dyn Aggregator>>,
{
    let aggs = fw
        .aggregate_indices()
        .map(|k| {
            aggregator_of(k).ok_or_else(|| Error::InvalidSpec {
                code: fw.nodes()[k].code.clone(),
                reason: "no aggregator for this aggregate node".into(),
            })
        })
        .collect::<Result<Vec<Arc<dyn Aggregator>>>>()?;
    let plan = TreePlan::new(
        fw,
        aggs.iter().map(|a| a.mean_form()).collect(),
        missing,
        bonus_w,
    )?;
    let refs: Vec<&dyn Aggregator> = aggs.iter().map(|a| a.as_ref()).collect();
    let OneVariant { values, bonus } = if normalised.is_view() {
        plan.score_one(&refs, node_w, normalised.view(), unit_codes)?
    } else {
        plan.score_one_owned(&refs, node_w, normalised.into_owned(), unit_codes)?
    };
    // contributions: only when every aggregate is linear
    let linear = plan.is_linear().then(|| LinearTree {
        nodes: (0..plan.n_aggregates()).map(|j| plan.node(j)).collect(),
        children: plan.children().to_vec(),
        forms: plan.forms().to_vec(),
        bonus_ind: plan.bonus_indicators().to_vec(),
        bonus_w,
        node_w: node_w.to_vec(),
        root: fw.root_index(),
        n_nodes: fw.nodes().len(),
        n_ind: fw.n_indicators(),
    });
    Ok(TreeScores {
        values,
        linear,
        bonus,
    })
}
