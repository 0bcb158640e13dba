//! Sobol input groups of a [`BatchModel`] (weights, alternatives, method dimensions) and the model's
//! Sobol analysis ([`BatchModel::sobol`]).

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use super::saltelli::{Bootstrap, SobolIndices, saltelli_impl};
use crate::error::{Error, Expected, Result};
use crate::sweep::BatchModel;
use crate::sweep::config::Control;
use crate::sweep::engine::memory::{Need, bytes};
use crate::sweep::engine::rank::Ranker;
use crate::sweep::sampler::{
    AltSampler, NodeSelection, alt_cdf, check_spread, pick_alt, probability_cdf, tri,
};

/// What one Sobol input group of a [`BatchModel`] varies (serde-tagged by `input`).
///
/// Differences from COINr's `get_sensitivity` input design: COINr draws `Nrep` noisy weight sets up
/// front and makes them one discrete input, where a weight group here is one continuous uniform per
/// node (the same distribution as COINr's in the limit of many sets); and COINr maps a uniform to one
/// of `n` options with `cut(x, n)`, i.e. equal bins over the *sample's* range of that column, where
/// here the bins are fixed on `[0, 1)` by the option probabilities (the two differ only for draws
/// within a bin's width of the sample's extremes).
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
    /// [`MethodSpace`](crate::sweep::MethodSpace)): one input mapped to the dimension's options, equally
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
#[non_exhaustive]
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

pub(super) enum Mapped {
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

impl BatchModel {
    pub(super) fn map_groups(&self, groups: &[SobolGroup]) -> Result<(Vec<Mapped>, Vec<usize>)> {
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
                        return Err(Error::invalid(
                            format!("Sobol group `{}` nodes", g.name),
                            "",
                            Expected::NonEmpty,
                        ));
                    }
                    for &k in &nodes {
                        if std::mem::replace(&mut used[k], true) {
                            return Err(Error::NamedTwice {
                                what: format!("Sobol group `{}`: node", g.name),
                                name: self.framework().nodes()[k].code.clone(),
                            });
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
                        return Err(Error::incompatible(
                            format!("Sobol group `{}`", g.name),
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
                        return Err(Error::incompatible(
                            format!("Sobol group `{}`", g.name),
                            "method groups cannot be combined with an alternative group",
                        ));
                    }
                    let grid = self.method_dimensions();
                    let d = grid
                        .iter()
                        .position(|m| &m.name == dimension)
                        .ok_or_else(|| {
                            Error::unknown_name(
                                format!("method dimension (Sobol group `{}`)", g.name),
                                dimension,
                                grid.iter().map(|m| m.name.as_str()),
                            )
                        })?;
                    if std::mem::replace(&mut dim_used[d], true) {
                        return Err(Error::NamedTwice {
                            what: format!("Sobol group `{}`: method dimension", g.name),
                            name: dimension.clone(),
                        });
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

    /// The memory of a Sobol analysis: per worker one chunk of at most 1024 base rows (`rows·(d + 2)`
    /// runs: uniforms, node weights, scores and scoring temporaries, and `2·units + 1` targets per
    /// run) and four chunk accumulators, plus the bootstrap's kept outputs, per-row terms and
    /// replicates. Without a bootstrap it does not grow with the base rows.
    fn sobol_need(&self, dims: &[usize], n: usize, boot: Option<&Bootstrap>) -> Need {
        let d = dims.len();
        let dd: usize = dims.iter().sum();
        let nu = self.n_units();
        let t = rayon::current_num_threads().max(1) as u64;
        let runs = n.min(1024).saturating_mul(d + 2);
        let per_run = dd
            .saturating_add(self.n_nodes())
            .saturating_add(nu.saturating_mul(6))
            .saturating_add(1);
        let mut need = Need::default();
        let rows = format!("fewer base rows (now {n})");
        let units = "fewer units or fewer worker threads".to_string();
        need.add(&units, bytes(runs, per_run, 8).saturating_mul(t));
        // a batch of four chunk accumulators per worker: mean and m2 per target, first, total and
        // diff per target and group
        let targets = nu.saturating_mul(2).saturating_add(1);
        need.add(
            &units,
            bytes(
                4,
                targets.saturating_mul(d.saturating_mul(3).saturating_add(2)),
                8,
            )
            .saturating_mul(t),
        );
        if let Some(b) = boot {
            let tb = b.targets.as_ref().map_or(2 * nu + 1, |names| names.len());
            let reps = format!(
                "fewer bootstrap targets or replicates (now {} targets, {} replicates)",
                tb, b.replicates
            );
            need.add(&reps, bytes(n, (d + 2).saturating_mul(tb), 8));
            need.add(
                &reps,
                bytes(n, 2usize.saturating_mul(tb).saturating_mul(d), 8),
            );
            need.add(
                &reps,
                bytes(b.replicates, 2usize.saturating_mul(tb).saturating_mul(d), 8),
            );
            need.add(&rows, bytes(n, d + 2, 8));
        }
        need
    }

    /// Evaluate the targets for runs × inputs uniforms (NaN input = that parameter at nominal).
    pub(super) fn eval_targets(
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
        let mut ranker = Ranker::default();
        for (i, srow) in s.rows().into_iter().enumerate() {
            let sv = srow.to_vec();
            ranker.rank_into(&sv, &mut ranks);
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
    /// alternative 0). See [`saltelli`](crate::sweep::saltelli) for the estimators.
    ///
    /// # Errors
    ///
    /// [`Error::MemoryBudget`] when the estimated memory (per worker, chunks of up to 1024 base rows
    /// with `2·units + 1` targets per run) exceeds [`BatchModel::memory_budget`]; invalid groups or
    /// `n < 2` are [`Error::InvalidParameter`], a node or method dimension in two groups
    /// [`Error::NamedTwice`], an unknown method dimension [`Error::UnknownName`], an alternative group
    /// with another alternative or method group [`Error::Incompatible`].
    ///
    /// ```
    /// use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// use composite_indicators::sweep::{BatchModel, GroupInput, NodeSelection, SobolGroup};
    /// let fw = FrameworkSpec::new( "t", vec![Indicator::new("a", "I"),
    ///     Indicator::new("b", "I")], vec![Pillar::new("I")] ).check().unwrap();
    /// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None,
    ///     vec![ndarray::array![[0.0, 1.0], [1.0, 0.0]]]).unwrap();
    /// let g = vec![SobolGroup::new("a weight", GroupInput::Weights {
    ///     nodes: NodeSelection::Codes { codes: vec!["a".into()] }, spread: 0.5, triangular: false })];
    /// let s = m.sobol(&g, 256, 1).unwrap();
    /// assert_eq!(s.runs, 256 * 3);
    /// // a single group explains everything (up to estimation noise)
    /// let t = s.target("score:1").unwrap();
    /// assert!((s.first[[t, 0]] - 1.0).abs() < 0.15 && (s.total[[t, 0]] - 1.0).abs() < 0.15);
    /// ```
    pub fn sobol(&self, groups: &[SobolGroup], n: usize, seed: u64) -> Result<SobolIndices> {
        self.sobol_impl(groups, n, seed, None, &Control::default())
    }

    /// [`BatchModel::sobol`] with progress reporting and cancellation ([`Control`]).
    ///
    /// # Errors
    ///
    /// As [`BatchModel::sobol`], and [`Error::Cancelled`] when cancelled through `ctl`.
    ///
    /// ```
    /// use std::sync::atomic::AtomicBool;
    /// use composite_indicators::{AggregatorKind, Error, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// use composite_indicators::sweep::{BatchModel, Control, GroupInput, NodeSelection, SobolGroup};
    /// let fw = FrameworkSpec::new( "t", vec![Indicator::new("a", "I"),
    ///     Indicator::new("b", "I")], vec![Pillar::new("I")] ).check().unwrap();
    /// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None,
    ///     vec![ndarray::array![[0.0, 1.0], [1.0, 0.0]]]).unwrap();
    /// let g = vec![SobolGroup::new("a weight", GroupInput::Weights {
    ///     nodes: NodeSelection::Codes { codes: vec!["a".into()] }, spread: 0.5, triangular: false })];
    /// let stop = AtomicBool::new(true);
    /// let r = m.sobol_with(&g, 256, 1, &Control::default().with_cancel(&stop));
    /// assert!(matches!(r, Err(Error::Cancelled)));
    /// ```
    pub fn sobol_with(
        &self,
        groups: &[SobolGroup],
        n: usize,
        seed: u64,
        ctl: &Control<'_>,
    ) -> Result<SobolIndices> {
        self.sobol_impl(groups, n, seed, None, ctl)
    }

    /// [`BatchModel::sobol`] plus bootstrap confidence intervals ([`Bootstrap`]); the point
    /// estimates equal [`BatchModel::sobol`]'s for the same groups, `n` and `seed`. Bootstrapping
    /// every target of a large model is costly (see [`Bootstrap`]); COINr bootstraps its one target,
    /// `mean_abs_rank_shift`.
    ///
    /// ```
    /// use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// use composite_indicators::sweep::{BatchModel, Bootstrap, Control, GroupInput, NodeSelection,
    ///     SobolGroup};
    /// let fw = FrameworkSpec::new( "t", vec![Indicator::new("a", "I"),
    ///     Indicator::new("b", "I")], vec![Pillar::new("I")] ).check().unwrap();
    /// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None,
    ///     vec![ndarray::array![[0.0, 1.0], [1.0, 0.0]]]).unwrap();
    /// let g = vec![SobolGroup::new("a weight", GroupInput::Weights {
    ///     nodes: NodeSelection::Codes { codes: vec!["a".into()] }, spread: 0.5, triangular: false })];
    /// let boot = Bootstrap::new(100).with_targets(["score:1"]);
    /// let s = m.sobol_bootstrap(&g, 256, 1, &boot).unwrap();
    /// let ci = s.intervals.as_ref().unwrap();
    /// let t = s.target("score:1").unwrap();
    /// assert!(ci.total_lo[[t, 0]] <= s.total[[t, 0]] && s.total[[t, 0]] <= ci.total_hi[[t, 0]]);
    /// assert!(ci.first_lo[[s.target("score:2").unwrap(), 0]].is_nan()); // not bootstrapped
    /// ```
    pub fn sobol_bootstrap(
        &self,
        groups: &[SobolGroup],
        n: usize,
        seed: u64,
        boot: &Bootstrap,
    ) -> Result<SobolIndices> {
        self.sobol_impl(groups, n, seed, Some(boot), &Control::default())
    }

    /// [`BatchModel::sobol_bootstrap`] with progress reporting and cancellation ([`Control`]).
    ///
    /// # Errors
    ///
    /// As [`BatchModel::sobol_bootstrap`], and [`Error::Cancelled`] when cancelled through `ctl`.
    ///
    /// ```
    /// use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// use composite_indicators::sweep::{BatchModel, Bootstrap, Control, GroupInput, NodeSelection,
    ///     SobolGroup};
    /// let fw = FrameworkSpec::new( "t", vec![Indicator::new("a", "I"),
    ///     Indicator::new("b", "I")], vec![Pillar::new("I")] ).check().unwrap();
    /// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None,
    ///     vec![ndarray::array![[0.0, 1.0], [1.0, 0.0]]]).unwrap();
    /// let g = vec![SobolGroup::new("a weight", GroupInput::Weights {
    ///     nodes: NodeSelection::Codes { codes: vec!["a".into()] }, spread: 0.5, triangular: false })];
    /// let boot = Bootstrap::new(20).with_targets(["score:1"]);
    /// let s = m.sobol_bootstrap_with(&g, 64, 1, &boot, &Control::default()).unwrap();
    /// assert!(s.intervals.is_some());
    /// ```
    pub fn sobol_bootstrap_with(
        &self,
        groups: &[SobolGroup],
        n: usize,
        seed: u64,
        boot: &Bootstrap,
        ctl: &Control<'_>,
    ) -> Result<SobolIndices> {
        self.sobol_impl(groups, n, seed, Some(boot), ctl)
    }

    fn sobol_impl(
        &self,
        groups: &[SobolGroup],
        n: usize,
        seed: u64,
        boot: Option<&Bootstrap>,
        ctl: &Control<'_>,
    ) -> Result<SobolIndices> {
        let (mapped, dims) = self.map_groups(groups)?;
        self.sobol_need(&dims, n, boot).check(
            format!(
                "a Sobol analysis of {} units ({n} base rows, {} groups, {} threads)",
                self.n_units(),
                dims.len(),
                rayon::current_num_threads()
            ),
            self.memory_budget(),
        )?;
        let (_, nominal_ranks) = self.nominal_encoded()?;
        let names: Vec<String> = groups.iter().map(|g| g.name.clone()).collect();
        saltelli_impl(
            &names,
            &dims,
            &self.sobol_targets(),
            n,
            seed,
            1024,
            boot,
            ctl,
            |u| self.eval_targets(&mapped, u, &nominal_ranks),
        )
    }
}
