//! Variance-based sensitivity: Saltelli sampling with named input groups, first-order (Saltelli 2010)
//! and total-order (Jansen) Sobol indices, and a one-at-a-time mode.

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::BatchModel;
use super::histogram::rank_min_into;
use super::run::Control;
use super::sampler::{
    AltSampler, NodeSelection, alt_cdf, check_spread, pick_alt, probability_cdf, rng_for, tri, unit,
};
use crate::error::{Error, Result};

/// Sobol indices of every target (rows) for every input group (columns).
///
/// With `N` base rows, `A`, `B` (N × D uniforms) and `A_B⁽ⁱ⁾` (`A` with group `i`'s columns from `B`):
/// `V = ` population variance of the `2N` outputs `f(A)`, `f(B)`;
/// first order `Sᵢ = mean_j (f(B)_j − f̄) (f(A_B⁽ⁱ⁾)_j − f(A)_j) / V` (Saltelli et al. 2010, with
/// `f(B)` centred at the mean `f̄` of the `2N` outputs: the centring term has expectation zero and
/// removes the estimator's noise growing with the output's mean, which is large for index scores);
/// total order `STᵢ = mean_j (f(A)_j − f(A_B⁽ⁱ⁾)_j)² / (2V)` (Jansen 1999).
/// A target that is missing (NaN) in any run gets NaN indices; a target with zero variance gets NaN.
/// Estimates are random: negative first-order values near zero are sampling noise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SobolIndices {
    /// Input-group names (columns).
    pub groups: Vec<String>,
    /// Target names (rows).
    pub targets: Vec<String>,
    /// First-order indices, targets × groups.
    pub first: Array2<f64>,
    /// Total-order indices, targets × groups.
    pub total: Array2<f64>,
    /// Output variance per target.
    pub variance: Vec<f64>,
    /// Base sample size `N`.
    pub n: usize,
    /// Model runs, `N·(d + 2)`.
    pub runs: usize,
}

impl SobolIndices {
    /// Index of a target by name.
    pub fn target(&self, name: &str) -> Option<usize> {
        self.targets.iter().position(|t| t == name)
    }
}

#[derive(Clone)]
struct SobolAcc {
    n: f64,
    mean: Vec<f64>,
    m2: Vec<f64>,
    first: Vec<f64>,
    total: Vec<f64>,
    diff: Vec<f64>,
}

impl SobolAcc {
    fn new(t: usize, d: usize) -> Self {
        SobolAcc {
            n: 0.0,
            mean: vec![0.0; t],
            m2: vec![0.0; t],
            first: vec![0.0; t * d],
            total: vec![0.0; t * d],
            diff: vec![0.0; t * d],
        }
    }
    /// Chan et al. pairwise merge of (count, mean, M2); sums add.
    fn merge(&mut self, o: &SobolAcc) {
        let n = self.n + o.n;
        if n == 0.0 {
            return;
        }
        for t in 0..self.mean.len() {
            let delta = o.mean[t] - self.mean[t];
            self.mean[t] += delta * o.n / n;
            self.m2[t] += o.m2[t] + delta * delta * self.n * o.n / n;
        }
        self.n = n;
        self.first
            .iter_mut()
            .zip(&o.first)
            .for_each(|(a, b)| *a += b);
        self.total
            .iter_mut()
            .zip(&o.total)
            .for_each(|(a, b)| *a += b);
        self.diff.iter_mut().zip(&o.diff).for_each(|(a, b)| *a += b);
    }
}

/// Generic Saltelli estimator. `dims[i]` is the number of U(0,1) inputs of group `i`; `eval` maps a
/// runs × D matrix of inputs (groups' columns in order) to runs × targets outputs. Row `j` of `A` and
/// `B` is drawn from a generator seeded by `(seed, j)`, rows are processed in parallel chunks of
/// `chunk_size` and merged in order, so results do not depend on the thread count.
///
/// ```
/// use composite_indicators::sweep::{saltelli, Control};
/// // y = x0 + 2 x1: S = (1/5, 4/5)
/// let s = saltelli(&["x0".into(), "x1".into()], &[1, 1], &["y".into()], 4096, 1, 512,
///     Control::default(), |u| Ok(u.map_axis(ndarray::Axis(1), |r| r[0] + 2.0 * r[1]).insert_axis(ndarray::Axis(1))))
///     .unwrap();
/// assert!((s.first[[0, 1]] - 0.8).abs() < 0.05);
/// assert!((s.total[[0, 0]] - 0.2).abs() < 0.05);
/// ```
#[allow(clippy::too_many_arguments)]
pub fn saltelli<F>(
    groups: &[String],
    dims: &[usize],
    targets: &[String],
    n: usize,
    seed: u64,
    chunk_size: usize,
    ctl: Control<'_>,
    eval: F,
) -> Result<SobolIndices>
where
    F: Fn(ArrayView2<'_, f64>) -> Result<Array2<f64>> + Sync,
{
    if groups.len() != dims.len() {
        return Err(Error::ShapeMismatch {
            what: "group names".into(),
            expected: dims.len(),
            found: groups.len(),
        });
    }
    if dims.is_empty() || dims.contains(&0) {
        return Err(Error::param(
            "groups",
            "need at least one group, each with at least one input",
        ));
    }
    if n < 2 || chunk_size == 0 {
        return Err(Error::param(
            "n",
            "need N >= 2 base rows and a positive chunk size",
        ));
    }
    let d = dims.len();
    let dd: usize = dims.iter().sum();
    let t = targets.len();
    let offs: Vec<usize> = dims
        .iter()
        .scan(0, |acc, &x| {
            let o = *acc;
            *acc += x;
            Some(o)
        })
        .collect();
    let starts: Vec<usize> = (0..n).step_by(chunk_size).collect();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let parts: Vec<SobolAcc> = starts
        .par_iter()
        .map(|&s| {
            if ctl.cancelled() {
                return Err(Error::Cancelled);
            }
            let e = (s + chunk_size).min(n);
            let rows = e - s;
            let mut u = Array2::zeros((rows * (d + 2), dd));
            for j in 0..rows {
                let mut rng = rng_for(seed, (s + j) as u64);
                let a: Vec<f64> = (0..dd).map(|_| unit(&mut rng)).collect();
                let b: Vec<f64> = (0..dd).map(|_| unit(&mut rng)).collect();
                let base = j * (d + 2);
                for c in 0..dd {
                    u[[base, c]] = a[c];
                    u[[base + 1, c]] = b[c];
                }
                for i in 0..d {
                    for c in 0..dd {
                        let from_b = c >= offs[i] && c < offs[i] + dims[i];
                        u[[base + 2 + i, c]] = if from_b { b[c] } else { a[c] };
                    }
                }
            }
            let f = eval(u.view())?;
            if f.nrows() != u.nrows() || f.ncols() != t {
                return Err(Error::ShapeMismatch {
                    what: "Sobol model outputs (runs x targets)".into(),
                    expected: u.nrows() * t,
                    found: f.len(),
                });
            }
            let mut acc = SobolAcc::new(t, d);
            acc.n = (2 * rows) as f64;
            for tt in 0..t {
                let mut sum = 0.0;
                for j in 0..rows {
                    sum += f[[j * (d + 2), tt]] + f[[j * (d + 2) + 1, tt]];
                }
                let mean = sum / acc.n;
                let mut m2 = 0.0;
                for j in 0..rows {
                    let fa = f[[j * (d + 2), tt]];
                    let fb = f[[j * (d + 2) + 1, tt]];
                    m2 += (fa - mean) * (fa - mean) + (fb - mean) * (fb - mean);
                    for i in 0..d {
                        let fab = f[[j * (d + 2) + 2 + i, tt]];
                        acc.first[tt * d + i] += fb * (fab - fa);
                        acc.total[tt * d + i] += (fa - fab) * (fa - fab);
                        acc.diff[tt * d + i] += fab - fa;
                    }
                }
                acc.mean[tt] = mean;
                acc.m2[tt] = m2;
            }
            let dn = done.fetch_add(rows, std::sync::atomic::Ordering::Relaxed) + rows;
            if let Some(p) = ctl.progress {
                p(dn, n);
            }
            Ok(acc)
        })
        .collect::<Result<Vec<_>>>()?;
    let mut acc = SobolAcc::new(t, d);
    for p in &parts {
        acc.merge(p);
    }
    let nf = n as f64;
    let mut first = Array2::from_elem((t, d), f64::NAN);
    let mut total = Array2::from_elem((t, d), f64::NAN);
    let variance: Vec<f64> = acc.m2.iter().map(|m| m / acc.n).collect();
    for tt in 0..t {
        let v = variance[tt];
        if v > 0.0 {
            for i in 0..d {
                let centred = acc.first[tt * d + i] - acc.mean[tt] * acc.diff[tt * d + i];
                first[[tt, i]] = centred / nf / v;
                total[[tt, i]] = acc.total[tt * d + i] / nf / (2.0 * v);
            }
        }
    }
    Ok(SobolIndices {
        groups: groups.to_vec(),
        targets: targets.to_vec(),
        first,
        total,
        variance,
        n,
        runs: n * (d + 2),
    })
}

/// What one Sobol input group of a [`BatchModel`] varies (serde-tagged by `input`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "input", rename_all = "snake_case")]
pub enum GroupInput {
    /// Node weights `w₀ · (1 + spread · g(u))` of the selected nodes, one input each; `g(u) = 2u − 1`
    /// (uniform noise) or the triangular inverse CDF on `[−1, 1]`.
    Weights {
        /// Perturbed nodes (must not overlap another group's).
        #[serde(default)]
        nodes: NodeSelection,
        /// Relative half-width in `[0, 1]`.
        spread: f64,
        /// Triangular instead of uniform noise.
        #[serde(default)]
        triangular: bool,
    },
    /// The method alternative (one input mapped through the choice's probabilities; at most one group,
    /// and not together with [`GroupInput::Method`] groups).
    Alternative {
        /// The choice (`Uniform` or `Probabilities`).
        #[serde(default = "uniform_choice")]
        choice: AltSampler,
    },
    /// One method dimension of the model's grid ([`BatchModel::with_method_dimensions`], e.g. from a
    /// [`MethodSpace`](super::MethodSpace)): one input mapped to the dimension's options, equally
    /// likely or with relative `probabilities`; dimensions in no group stay at option 0. Each
    /// dimension in at most one group.
    Method {
        /// The dimension's name.
        dimension: String,
        /// Relative probabilities, one per option (empty: equally likely).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        probabilities: Vec<f64>,
    },
}

fn uniform_choice() -> AltSampler {
    AltSampler::Uniform
}

/// A named input group, e.g. `"pillar weights"` or `"normaliser choice"`.
///
/// ```
/// use composite_indicators::sweep::{GroupInput, NodeSelection, SobolGroup};
/// let g = SobolGroup::new("pillar weights", GroupInput::Weights {
///     nodes: NodeSelection::Levels { levels: vec![2] }, spread: 0.25, triangular: false });
/// assert_eq!(g.name, "pillar weights");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SobolGroup {
    /// Name shown in results.
    pub name: String,
    /// What the group varies.
    pub input: GroupInput,
}

impl SobolGroup {
    /// A named group.
    pub fn new(name: impl Into<String>, input: GroupInput) -> Self {
        SobolGroup {
            name: name.into(),
            input,
        }
    }
}

enum Mapped {
    Weights {
        nodes: Vec<usize>,
        a: Vec<f64>,
        b: Vec<f64>,
        triangular: bool,
    },
    Alt(Vec<f64>),
    /// Cumulative option probabilities and the dimension's stride in the alternative index.
    Method(Vec<f64>, usize),
}

/// One-at-a-time results: per target (rows) and group (columns), the population variance, minimum and
/// maximum of the target when only that group varies (the others at nominal).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OatResult {
    /// Group names.
    pub groups: Vec<String>,
    /// Target names.
    pub targets: Vec<String>,
    /// Variance, targets × groups.
    pub variance: Array2<f64>,
    /// Minimum, targets × groups.
    pub min: Array2<f64>,
    /// Maximum, targets × groups.
    pub max: Array2<f64>,
}

impl BatchModel {
    fn map_groups(&self, groups: &[SobolGroup]) -> Result<(Vec<Mapped>, Vec<usize>)> {
        let nominal = self.nominal_weights();
        let mut used = vec![false; self.n_nodes()];
        let mut mapped = Vec::with_capacity(groups.len());
        let mut dims = Vec::with_capacity(groups.len());
        let mut n_alt = 0;
        let mut n_method = 0;
        let mut dim_used = vec![false; self.method_dimensions().len()];
        for g in groups {
            match &g.input {
                GroupInput::Weights {
                    nodes,
                    spread,
                    triangular,
                } => {
                    check_spread(*spread)?;
                    let nodes = nodes.resolve(self)?;
                    if nodes.is_empty() {
                        return Err(Error::param(&g.name, "selects no node"));
                    }
                    for &k in &nodes {
                        if std::mem::replace(&mut used[k], true) {
                            return Err(Error::param(
                                &g.name,
                                format!(
                                    "node `{}` is already in another group",
                                    self.framework().nodes()[k].code
                                ),
                            ));
                        }
                    }
                    let a = nodes.iter().map(|&k| nominal[k]).collect();
                    let b = nodes.iter().map(|&k| nominal[k] * spread).collect();
                    dims.push(nodes.len());
                    mapped.push(Mapped::Weights {
                        nodes,
                        a,
                        b,
                        triangular: *triangular,
                    });
                }
                GroupInput::Alternative { choice } => {
                    n_alt += 1;
                    if n_alt > 1 || n_method > 0 {
                        return Err(Error::param(
                            &g.name,
                            "only one alternative group is allowed, and not with method groups",
                        ));
                    }
                    dims.push(1);
                    mapped.push(Mapped::Alt(alt_cdf(self, choice)?));
                }
                GroupInput::Method {
                    dimension,
                    probabilities,
                } => {
                    n_method += 1;
                    if n_alt > 0 {
                        return Err(Error::param(
                            &g.name,
                            "method groups cannot be combined with an alternative group",
                        ));
                    }
                    let grid = self.method_dimensions();
                    let d = grid
                        .iter()
                        .position(|m| &m.name == dimension)
                        .ok_or_else(|| {
                            let names: Vec<&str> = grid.iter().map(|m| m.name.as_str()).collect();
                            Error::param(
                                &g.name,
                                format!(
                                    "no method dimension `{dimension}` (the model has {names:?})"
                                ),
                            )
                        })?;
                    if std::mem::replace(&mut dim_used[d], true) {
                        return Err(Error::param(
                            &g.name,
                            format!("method dimension `{dimension}` is already in another group"),
                        ));
                    }
                    let n_opt = grid[d].options.len();
                    let stride: usize = grid[d + 1..].iter().map(|m| m.options.len()).product();
                    let p = if probabilities.is_empty() {
                        vec![1.0; n_opt]
                    } else {
                        probabilities.clone()
                    };
                    dims.push(1);
                    let cdf = probability_cdf(
                        &p,
                        n_opt,
                        &format!("option probabilities of group `{}`", g.name),
                        &format!("probabilities of group `{}`", g.name),
                    )?;
                    mapped.push(Mapped::Method(cdf, stride));
                }
            }
        }
        Ok((mapped, dims))
    }

    /// Target names: `score:<unit>` for every unit, `rank:<unit>` for every unit, then
    /// `mean_abs_rank_shift` (mean over units ranked both nominally and in the run of
    /// `|rank − nominal rank|`, COINr's sensitivity target).
    pub fn sobol_targets(&self) -> Vec<String> {
        let mut t: Vec<String> = self
            .unit_codes()
            .iter()
            .map(|c| format!("score:{c}"))
            .collect();
        t.extend(self.unit_codes().iter().map(|c| format!("rank:{c}")));
        t.push("mean_abs_rank_shift".into());
        t
    }

    /// Evaluate the targets for runs × inputs uniforms (NaN input = that parameter at nominal).
    fn eval_targets(
        &self,
        mapped: &[Mapped],
        u: ArrayView2<'_, f64>,
        nominal_ranks: &[u32],
    ) -> Result<Array2<f64>> {
        let r = u.nrows();
        let nu = self.n_units();
        let mut w = Array2::zeros((r, self.n_nodes()));
        let mut alts = vec![0usize; r];
        for (i, mut row) in w.rows_mut().into_iter().enumerate() {
            row.assign(&ndarray::ArrayView1::from(self.nominal_weights()));
            let mut c = 0;
            for m in mapped {
                match m {
                    Mapped::Weights {
                        nodes,
                        a,
                        b,
                        triangular,
                    } => {
                        for (q, &k) in nodes.iter().enumerate() {
                            let x = u[[i, c + q]];
                            if !x.is_nan() {
                                let g = if *triangular { tri(x) } else { 2.0 * x - 1.0 };
                                row[k] = a[q] + b[q] * g;
                            }
                        }
                        c += nodes.len();
                    }
                    Mapped::Alt(cdf) => {
                        let x = u[[i, c]];
                        if !x.is_nan() {
                            alts[i] = pick_alt(cdf, x);
                        }
                        c += 1;
                    }
                    Mapped::Method(cdf, stride) => {
                        let x = u[[i, c]];
                        if !x.is_nan() {
                            alts[i] += pick_alt(cdf, x) * stride;
                        }
                        c += 1;
                    }
                }
            }
        }
        let s = self.score_batch(w.view(), &alts)?;
        let mut out = Array2::zeros((r, 2 * nu + 1));
        let mut ranks = vec![0u32; nu];
        for (i, srow) in s.rows().into_iter().enumerate() {
            let sv = srow.to_vec();
            rank_min_into(&sv, &mut ranks);
            let (mut tot, mut cnt) = (0u64, 0u64);
            for q in 0..nu {
                out[[i, q]] = sv[q];
                out[[i, nu + q]] = if ranks[q] > 0 {
                    f64::from(ranks[q])
                } else {
                    f64::NAN
                };
                if ranks[q] > 0 && nominal_ranks[q] > 0 {
                    tot += u64::from(ranks[q].abs_diff(nominal_ranks[q]));
                    cnt += 1;
                }
            }
            out[[i, 2 * nu]] = if cnt > 0 {
                tot as f64 / cnt as f64
            } else {
                f64::NAN
            };
        }
        Ok(out)
    }

    /// Sobol indices of every unit's score and rank and of the mean absolute rank shift
    /// ([`BatchModel::sobol_targets`]) with respect to named input groups, from `n` Saltelli base rows
    /// (`n·(d + 2)` model runs). Parameters outside every group stay at nominal (nominal weights,
    /// alternative 0). See [`saltelli`] for the estimators.
    ///
    /// ```
    /// use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// use composite_indicators::sweep::{BatchModel, Control, GroupInput, NodeSelection, SobolGroup};
    /// let fw = FrameworkSpec { name: "t".into(), indicators: vec![Indicator::new("a", "I"),
    ///     Indicator::new("b", "I")], pillars: vec![Pillar::new("I")] }.check().unwrap();
    /// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None,
    ///     vec![ndarray::array![[0.0, 1.0], [1.0, 0.0]]]).unwrap();
    /// let g = vec![SobolGroup::new("a weight", GroupInput::Weights {
    ///     nodes: NodeSelection::Codes { codes: vec!["a".into()] }, spread: 0.5, triangular: false })];
    /// let s = m.sobol(&g, 256, 1, Control::default()).unwrap();
    /// assert_eq!(s.runs, 256 * 3);
    /// // a single group explains everything (up to estimation noise)
    /// let t = s.target("score:1").unwrap();
    /// assert!((s.first[[t, 0]] - 1.0).abs() < 0.15 && (s.total[[t, 0]] - 1.0).abs() < 0.15);
    /// ```
    pub fn sobol(
        &self,
        groups: &[SobolGroup],
        n: usize,
        seed: u64,
        ctl: Control<'_>,
    ) -> Result<SobolIndices> {
        let (mapped, dims) = self.map_groups(groups)?;
        let (_, nominal_ranks) = self.nominal()?;
        let names: Vec<String> = groups.iter().map(|g| g.name.clone()).collect();
        saltelli(
            &names,
            &dims,
            &self.sobol_targets(),
            n,
            seed,
            1024,
            ctl,
            |u| self.eval_targets(&mapped, u, &nominal_ranks),
        )
    }

    /// One-at-a-time analysis: for each group, `n` runs varying only that group (inputs drawn from
    /// generators seeded by `(seed, run)`), every other parameter at nominal. Targets as
    /// [`BatchModel::sobol_targets`]; NaN targets are left out of the statistics.
    ///
    /// ```
    /// use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// use composite_indicators::sweep::{BatchModel, GroupInput, NodeSelection, SobolGroup};
    /// let fw = FrameworkSpec { name: "t".into(), indicators: vec![Indicator::new("a", "I"),
    ///     Indicator::new("b", "I")], pillars: vec![Pillar::new("I")] }.check().unwrap();
    /// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None,
    ///     vec![ndarray::array![[0.0, 1.0], [1.0, 0.0]]]).unwrap();
    /// let g = vec![SobolGroup::new("a", GroupInput::Weights {
    ///     nodes: NodeSelection::Codes { codes: vec!["a".into()] }, spread: 0.5, triangular: false })];
    /// let o = m.oat(&g, 100, 3).unwrap();
    /// assert!(o.min[[0, 0]] >= 1.0 / 2.5 && o.max[[0, 0]] <= 1.0 / 1.5); // b / (w_a + 1), w_a in [0.5, 1.5]
    /// ```
    pub fn oat(&self, groups: &[SobolGroup], n: usize, seed: u64) -> Result<OatResult> {
        let (mapped, dims) = self.map_groups(groups)?;
        let (_, nominal_ranks) = self.nominal()?;
        let dd: usize = dims.iter().sum();
        let targets = self.sobol_targets();
        let t = targets.len();
        let d = dims.len();
        let mut variance = Array2::from_elem((t, d), f64::NAN);
        let mut min = Array2::from_elem((t, d), f64::NAN);
        let mut max = Array2::from_elem((t, d), f64::NAN);
        let mut off = 0;
        for (i, &di) in dims.iter().enumerate() {
            let mut u = Array2::from_elem((n, dd), f64::NAN);
            for j in 0..n {
                let mut rng = rng_for(seed, j as u64);
                for c in off..off + di {
                    u[[j, c]] = unit(&mut rng);
                }
            }
            let f = self.eval_targets(&mapped, u.view(), &nominal_ranks)?;
            for tt in 0..t {
                let v: Vec<f64> = f
                    .column(tt)
                    .iter()
                    .copied()
                    .filter(|x| !x.is_nan())
                    .collect();
                if v.is_empty() {
                    continue;
                }
                let mean = v.iter().sum::<f64>() / v.len() as f64;
                variance[[tt, i]] =
                    v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / v.len() as f64;
                min[[tt, i]] = v.iter().copied().fold(f64::INFINITY, f64::min);
                max[[tt, i]] = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            }
            off += di;
        }
        Ok(OatResult {
            groups: groups.iter().map(|g| g.name.clone()).collect(),
            targets,
            variance,
            min,
            max,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lin(a: &'static [f64]) -> impl Fn(ArrayView2<'_, f64>) -> Result<Array2<f64>> + Sync {
        move |u| {
            let mut out = Array2::zeros((u.nrows(), 1));
            for (i, row) in u.rows().into_iter().enumerate() {
                out[[i, 0]] = row.iter().zip(a).map(|(x, c)| x * c).sum();
            }
            Ok(out)
        }
    }

    #[test]
    fn linear_function_analytic_indices() {
        // y = x0 + 2 x1 + 3 x2, S_i = a_i^2 / 14 and ST_i = S_i (additive)
        let g: Vec<String> = ["x0", "x1", "x2"].iter().map(|s| s.to_string()).collect();
        let s = saltelli(
            &g,
            &[1, 1, 1],
            &["y".into()],
            8192,
            11,
            1000,
            Control::default(),
            lin(&[1.0, 2.0, 3.0]),
        )
        .unwrap();
        for (i, a) in [1.0, 2.0, 3.0].iter().enumerate() {
            let exact = a * a / 14.0;
            assert!(
                (s.first[[0, i]] - exact).abs() < 0.03,
                "S{i} {}",
                s.first[[0, i]]
            );
            assert!(
                (s.total[[0, i]] - exact).abs() < 0.03,
                "ST{i} {}",
                s.total[[0, i]]
            );
        }
        // variance of y = 14 / 12
        assert!((s.variance[0] - 14.0 / 12.0).abs() < 0.05);
    }

    #[test]
    fn grouped_inputs() {
        // groups {x0, x1} and {x2}: V = (1 + 1 + 4)/12 -> S = (1/3, 2/3)
        let g: Vec<String> = vec!["g0".into(), "g1".into()];
        let s = saltelli(
            &g,
            &[2, 1],
            &["y".into()],
            8192,
            5,
            777,
            Control::default(),
            lin(&[1.0, 1.0, 2.0]),
        )
        .unwrap();
        assert!((s.first[[0, 0]] - 1.0 / 3.0).abs() < 0.03);
        assert!((s.total[[0, 1]] - 2.0 / 3.0).abs() < 0.03);
        assert_eq!(s.runs, 8192 * 4);
    }

    #[test]
    fn ishigami() {
        use std::f64::consts::PI;
        let g: Vec<String> = vec!["x1".into(), "x2".into(), "x3".into()];
        let f = |u: ArrayView2<'_, f64>| -> Result<Array2<f64>> {
            let mut out = Array2::zeros((u.nrows(), 1));
            for (i, r) in u.rows().into_iter().enumerate() {
                let x: Vec<f64> = r.iter().map(|v| -PI + 2.0 * PI * v).collect();
                out[[i, 0]] =
                    x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin();
            }
            Ok(out)
        };
        let s = saltelli(
            &g,
            &[1, 1, 1],
            &["y".into()],
            16384,
            3,
            4096,
            Control::default(),
            f,
        )
        .unwrap();
        let s1 = [0.3139, 0.4424, 0.0];
        let st = [0.5576, 0.4424, 0.2437];
        for i in 0..3 {
            assert!(
                (s.first[[0, i]] - s1[i]).abs() < 0.05,
                "S{i} {}",
                s.first[[0, i]]
            );
            assert!(
                (s.total[[0, i]] - st[i]).abs() < 0.05,
                "ST{i} {}",
                s.total[[0, i]]
            );
        }
    }

    #[test]
    fn chunking_does_not_change_sums_much() {
        let g: Vec<String> = vec!["a".into(), "b".into()];
        let s1 = saltelli(
            &g,
            &[1, 1],
            &["y".into()],
            1000,
            2,
            1000,
            Control::default(),
            lin(&[1.0, 1.0]),
        )
        .unwrap();
        let s2 = saltelli(
            &g,
            &[1, 1],
            &["y".into()],
            1000,
            2,
            64,
            Control::default(),
            lin(&[1.0, 1.0]),
        )
        .unwrap();
        assert!((s1.first[[0, 0]] - s2.first[[0, 0]]).abs() < 1e-12);
    }
}
