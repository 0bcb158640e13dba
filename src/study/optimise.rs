//! Optimised weights (COINr's `get_opt_weights`): weights at one level that balance the
//! correlations of its nodes with the index, or maximise the information the index carries.
//!
//! # The problem (COINr's, described)
//!
//! Let `L` be a level (2 = the indicators' parents, ...) with nodes `x_1 … x_n`, and `w_1 … w_n`
//! their weights, normalised to sum to 1 over the level (only the weights of level `L` change; every
//! other weight keeps the value the scorer used). Re-aggregating the tree above `L` with these
//! weights gives the index `y(w)`; `r_i(w) = corr(x_i, y(w))` over the units where both are present
//! (Pearson or Spearman, pairwise complete observations, as COINr's `get_corr`).
//!
//! * **balance** (COINr `optype = "balance"`): with target importances `t_i ≥ 0` normalised to sum to
//!   1 (`itarg`; `"equal"` = all 1), minimise `ln( Σ_i (t_i − r_i / Σ_j r_j)² / n )`: the normalised
//!   correlations should match the targets.
//! * **infomax** (COINr `optype = "infomax"`): minimise `−Σ_i r_i`.
//!
//! The value reported as the objective is exactly COINr's. For `balance` the optimiser minimises the
//! root mean squared difference `√(Σ_i (t_i − r_i / Σ_j r_j)² / n)` instead of its logarithm:
//! Nelder–Mead compares only function values, so a strictly increasing transform visits the same
//! points; a perfect balance stays finite (0 rather than −∞), and the tolerance on the simplex's
//! spread is a tolerance on the correlations' distance from the targets, not on its square.
//!
//! # The optimiser
//!
//! Nelder–Mead (the [`argmin`] crate's; COINr uses R's `optim` Nelder–Mead) over unconstrained
//! parameters `p`, mapped to weights by `w = |p| / Σ|p|`. The start is COINr's: the target
//! importances for `balance`, the current weights of the level for `infomax`; the initial simplex is
//! the start and the start plus `0.1 × max|p|` along each axis (R's `optim` rule). There is no
//! randomness: the result is the same on every run and any thread count, so no seed is needed. After
//! a run converges, the search is restarted from its best point with a fresh simplex
//! ([`OptimiseOptions::restarts`] times), which guards against Nelder–Mead's early collapse.
//! Convergence: the sample standard deviation of the simplex's function values falls below
//! [`OptimiseOptions::tolerance`]. A run that stops at [`OptimiseOptions::max_iters`] is reported
//! ([`OptimisedWeights::converged`] is false, [`OptimisedWeights::termination`] says why) and
//! [`OptimisedWeights::check_converged`] turns it into [`Error::NotConverged`].
//!
//! # Differences from COINr
//!
//! * Weights are kept non-negative (`|p|`); COINr's `optim` is unconstrained and can return a
//!   negative weight, which this crate's aggregators reject. Where the targets can only be met with
//!   a negative weight the crate stops on the boundary (a weight of 0) and COINr goes beyond it: on
//!   COINr's example coin, level 3 with `itarg = c(1, 2)`, COINr's documented normalised
//!   correlations (0.33, 0.67) need a negative weight for Conn; the crate gives Conn weight 0 and
//!   (0.376, 0.624) (`tests/optimise.rs`). Where no negative weight is needed the crate's tighter
//!   search does at least as well as COINr's documented results on COINr's objective (COINr's
//!   example coin, level 3, equal targets: a perfect balance, objective below −30, where COINr's
//!   test asks for two decimals, i.e. an objective below about −10.6).
//! * Default tolerance `1e-10` on the simplex's spread with restarts, against COINr's `reltol = 0.1`
//!   and 500 iterations: COINr stops far from the optimum on a flat objective, this crate goes on
//!   until the simplex has collapsed, so the result is at least as balanced (lower objective).
//! * Kendall's correlation is not offered (the crate's correlations are Pearson and Spearman).

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::io::Write;

use argmin::core::{CostFunction, Executor, State, TerminationReason, TerminationStatus};
use argmin::solver::neldermead::NelderMead;
use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::audit::{CorrMethod, correlation};
use crate::data::Dataset;
use crate::error::{Error, Expected, Result};
use crate::io::format_f64;
use crate::score::Scorer;
use crate::spec::NodeKind;
use crate::weights::WeightScheme;

use super::csv_rows::{CsvTable, write_rows};
use super::tree::Tree;

/// Target importances of the level's nodes for [`OptimiseGoal::Balance`] (COINr's `itarg`).
///
/// ```
/// use composite_indicators::study::optimise::Importance;
/// let i: Importance = serde_json::from_str(r#"{"relative": {"Conn": 1, "Sust": 2}}"#).unwrap();
/// assert!(matches!(i, Importance::Relative(ref m) if m["Sust"] == 2.0));
/// assert_eq!(Importance::default(), Importance::Equal);
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Importance {
    /// Every node equally important (COINr's `itarg = "equal"`).
    #[default]
    Equal,
    /// Relative importances by node code (every node of the level, finite, non-negative, positive
    /// sum); normalised to sum to 1.
    Relative(BTreeMap<String, f64>),
}

/// What the weights are optimised for.
///
/// ```
/// use composite_indicators::study::optimise::{Importance, OptimiseGoal};
/// let g: OptimiseGoal = serde_json::from_str(r#"{"goal": "balance"}"#).unwrap();
/// assert_eq!(g, OptimiseGoal::Balance { importance: Importance::Equal });
/// let g: OptimiseGoal = serde_json::from_str(r#"{"goal": "infomax"}"#).unwrap();
/// assert_eq!(g, OptimiseGoal::Infomax);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "goal", rename_all = "snake_case")]
pub enum OptimiseGoal {
    /// Normalised correlations with the index as close as possible to the target importances.
    Balance {
        /// The targets.
        #[serde(default)]
        importance: Importance,
    },
    /// Largest sum of correlations with the index.
    Infomax,
}

impl Default for OptimiseGoal {
    fn default() -> Self {
        OptimiseGoal::Balance {
            importance: Importance::Equal,
        }
    }
}

/// Options of [`optimise_weights`].
///
/// ```
/// use composite_indicators::study::optimise::{OptimiseGoal, OptimiseOptions};
/// use composite_indicators::audit::CorrMethod;
/// let o = OptimiseOptions::new(2).goal(OptimiseGoal::Infomax).correlation(CorrMethod::Spearman);
/// assert_eq!((o.level, o.tolerance, o.max_iters, o.restarts), (2, 1e-10, 5000, 3));
/// let j: OptimiseOptions = serde_json::from_str(r#"{"level": 3}"#).unwrap();
/// assert_eq!(j, OptimiseOptions::new(3));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptimiseOptions {
    /// The level whose weights are optimised (2 = the indicators' parents, ...; below the root).
    pub level: usize,
    /// Balance (default, equal importances) or infomax.
    #[serde(default)]
    pub goal: OptimiseGoal,
    /// Pearson (default) or Spearman.
    #[serde(default)]
    pub correlation: CorrMethod,
    /// Convergence: sample standard deviation of the simplex's function values (default `1e-10`).
    #[serde(default = "default_tolerance")]
    pub tolerance: f64,
    /// Largest number of Nelder–Mead iterations per run (default 5000).
    #[serde(default = "default_max_iters")]
    pub max_iters: u64,
    /// Restarts from the best point after the first run (default 3).
    #[serde(default = "default_restarts")]
    pub restarts: usize,
}

fn default_tolerance() -> f64 {
    1e-10
}
fn default_max_iters() -> u64 {
    5000
}
fn default_restarts() -> usize {
    3
}

impl OptimiseOptions {
    /// Balance the correlations of `level` with equal importances, Pearson, default tolerances.
    pub fn new(level: usize) -> OptimiseOptions {
        OptimiseOptions {
            level,
            goal: OptimiseGoal::default(),
            correlation: CorrMethod::Pearson,
            tolerance: default_tolerance(),
            max_iters: default_max_iters(),
            restarts: default_restarts(),
        }
    }
    /// Set the goal.
    pub fn goal(mut self, goal: OptimiseGoal) -> OptimiseOptions {
        self.goal = goal;
        self
    }
    /// Set the correlation type.
    pub fn correlation(mut self, method: CorrMethod) -> OptimiseOptions {
        self.correlation = method;
        self
    }
    /// Set the convergence tolerance.
    pub fn tolerance(mut self, tolerance: f64) -> OptimiseOptions {
        self.tolerance = tolerance;
        self
    }
    /// Set the iteration limit per run.
    pub fn max_iters(mut self, max_iters: u64) -> OptimiseOptions {
        self.max_iters = max_iters;
        self
    }
    /// Set the number of restarts.
    pub fn restarts(mut self, restarts: usize) -> OptimiseOptions {
        self.restarts = restarts;
        self
    }
}

/// The result of [`optimise_weights`]: the level's weights before and after, the correlations with
/// the index before and after, COINr's objective before and after, and how the search ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptimisedWeights {
    /// The optimised level.
    pub level: usize,
    /// The goal.
    pub goal: OptimiseGoal,
    /// The correlation type.
    pub correlation: CorrMethod,
    /// The level's nodes, in framework node order.
    pub nodes: Vec<String>,
    /// Normalised target importances (sum 1) for balance; empty for infomax.
    pub target: Vec<f64>,
    /// The scorer's weights of the level, normalised to sum to 1.
    pub weights_before: Vec<f64>,
    /// The optimised weights, summing to 1.
    pub weights: Vec<f64>,
    /// Correlation of each node with the index at the scorer's weights.
    #[serde(with = "crate::serde_nan::vec")]
    pub corr_before: Vec<f64>,
    /// Correlation of each node with the index at the optimised weights.
    #[serde(with = "crate::serde_nan::vec")]
    pub corr_after: Vec<f64>,
    /// COINr's objective at the scorer's weights.
    #[serde(with = "crate::serde_nan::num")]
    pub objective_before: f64,
    /// COINr's objective at the optimised weights (never above `objective_before`).
    #[serde(with = "crate::serde_nan::num")]
    pub objective: f64,
    /// Nelder–Mead iterations, all runs.
    pub iterations: u64,
    /// Objective evaluations, all runs.
    pub evaluations: u64,
    /// Whether the last run met the tolerance.
    pub converged: bool,
    /// Why the last run stopped.
    pub termination: String,
    /// The whole weight set to score with: every node's weight as the scorer used it, the level's
    /// replaced by the optimised ones (a bonus scheme keeps its bonus weight).
    pub scheme: WeightScheme,
}

impl OptimisedWeights {
    /// `Ok` if the search converged, else [`Error::NotConverged`] with the level, the iterations and
    /// the reason.
    ///
    /// # Errors
    ///
    /// [`Error::NotConverged`] when [`OptimisedWeights::converged`] is false.
    ///
    /// # Examples
    ///
    /// See [`optimise_weights`].
    pub fn check_converged(&self) -> Result<()> {
        if self.converged {
            Ok(())
        } else {
            Err(Error::NotConverged {
                what: format!("weight optimisation at level {}", self.level),
                iterations: self.iterations,
                reason: self.termination.clone(),
            })
        }
    }

    /// Correlations normalised to sum to 1 (COINr's `Obtained` for balance), at the optimised
    /// weights.
    ///
    /// # Examples
    ///
    /// See [`optimise_weights`].
    pub fn corr_after_normalised(&self) -> Vec<f64> {
        normalised(&self.corr_after)
    }
}

impl CsvTable for OptimisedWeights {
    /// Write one line per node as CSV:
    /// `iCode,target,weight_before,weight,corr_before,corr,corr_norm_before,corr_norm` (the target
    /// is empty for infomax).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if writing fails.
    ///
    /// # Examples
    ///
    /// See [`optimise_weights`].
    fn write_csv<W: Write>(&self, out: W) -> Result<()> {
        let header = [
            "iCode",
            "target",
            "weight_before",
            "weight",
            "corr_before",
            "corr",
            "corr_norm_before",
            "corr_norm",
        ];
        let nb = normalised(&self.corr_before);
        let na = normalised(&self.corr_after);
        let get = |v: &[f64], i: usize| format_f64(v.get(i).copied().unwrap_or(f64::NAN));
        let rows = self.nodes.iter().enumerate().map(|(i, code)| {
            [
                code.clone(),
                get(&self.target, i),
                get(&self.weights_before, i),
                get(&self.weights, i),
                get(&self.corr_before, i),
                get(&self.corr_after, i),
                get(&nb, i),
                get(&na, i),
            ]
        });
        write_rows(out, "optimised weights", header, rows)
    }
}

fn normalised(v: &[f64]) -> Vec<f64> {
    let s: f64 = v.iter().sum();
    v.iter().map(|x| x / s).collect()
}

/// The objective as the optimiser sees it and as COINr reports it.
#[derive(Clone, Copy)]
enum Goal<'a> {
    Balance(&'a [f64]),
    Infomax,
}

/// One evaluation: weights → re-aggregated index → correlations → objective.
struct Problem<'a> {
    tree: Tree<'a>,
    base: Array2<f64>,
    level_nodes: Vec<usize>,
    upper: Vec<usize>,
    root: usize,
    node_w: Vec<f64>,
    method: CorrMethod,
    goal: Goal<'a>,
    work: RefCell<(Array2<f64>, Vec<f64>)>,
    error: RefCell<Option<Error>>,
    evaluations: Cell<u64>,
}

impl Problem<'_> {
    /// Weights of the level from parameters: `|p| / Σ|p|` (None if the sum is not positive).
    fn weights(p: &[f64]) -> Option<Vec<f64>> {
        let s: f64 = p.iter().map(|x| x.abs()).sum();
        (s.is_finite() && s > 0.0).then(|| p.iter().map(|x| x.abs() / s).collect())
    }

    /// Correlations of the level's nodes with the index at level weights `w`.
    fn correlations(&self, w: &[f64]) -> Result<Vec<f64>> {
        let mut guard = self.work.borrow_mut();
        let (values, node_w) = &mut *guard;
        values.assign(&self.base);
        node_w.copy_from_slice(&self.node_w);
        for (&k, &wk) in self.level_nodes.iter().zip(w) {
            node_w[k] = wk;
        }
        for &k in &self.upper {
            self.tree.reaggregate(k, node_w, values)?;
        }
        let y = values.column(self.root);
        self.level_nodes
            .iter()
            .map(|&k| correlation(values.column(k), y, self.method))
            .collect()
    }

    /// Mean squared difference between the targets and the normalised correlations (balance).
    fn msd(t: &[f64], r: &[f64]) -> f64 {
        let s: f64 = r.iter().sum();
        t.iter()
            .zip(r)
            .map(|(t, r)| (t - r / s).powi(2))
            .sum::<f64>()
            / r.len() as f64
    }

    /// The optimiser's cost: root mean squared difference (balance) or −Σr (infomax).
    fn inner(&self, r: &[f64]) -> f64 {
        match self.goal {
            Goal::Balance(t) => Problem::msd(t, r).sqrt(),
            Goal::Infomax => -r.iter().sum::<f64>(),
        }
    }

    /// COINr's objective: `ln(msd)` (balance) or −Σr (infomax).
    fn coinr(&self, r: &[f64]) -> f64 {
        match self.goal {
            Goal::Balance(t) => Problem::msd(t, r).ln(),
            Goal::Infomax => -r.iter().sum::<f64>(),
        }
    }
}

impl CostFunction for &Problem<'_> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, p: &Vec<f64>) -> std::result::Result<f64, argmin::core::Error> {
        self.evaluations.set(self.evaluations.get() + 1);
        let Some(w) = Problem::weights(p) else {
            return Ok(f64::INFINITY);
        };
        match self.correlations(&w) {
            Ok(r) => {
                let c = self.inner(&r);
                Ok(if c.is_nan() { f64::INFINITY } else { c })
            }
            Err(e) => {
                let mut slot = self.error.borrow_mut();
                if slot.is_none() {
                    *slot = Some(e);
                }
                Ok(f64::INFINITY)
            }
        }
    }
}

/// Optimise the weights of one level (COINr's `get_opt_weights`; see the module docs for the
/// objective, the optimiser and the differences from COINr).
///
/// The scorer is run once on `data`; the values of the level's nodes do not depend on the level's
/// weights, so each evaluation re-aggregates only the aggregates above the level.
///
/// # Errors
///
/// * [`Error::InvalidParameter`] for a level outside `2..root level` (`level`; level 1 would be the
///   indicators, whose weights COINr also optimises through the same function, but the index's
///   correlations with 49 indicators is not what the method is for — use the pillar level), a
///   tolerance that is negative or not finite (`tolerance`), `max_iters` 0, or importances that are
///   negative, not finite or sum to zero (`importance`);
/// * [`Error::UnknownCode`] for an importance naming a code the framework does not have,
///   [`Error::UnknownName`] (listing the level's nodes) for one naming a node outside the level,
///   [`Error::InvalidSpec`] for a node of the level without importance;
/// * [`Error::InsufficientData`] when a node and the index have fewer than 3 units in common;
///   [`Error::Incompatible`] (`correlation`) when a correlation is undefined at the start (a
///   constant node or index);
/// * every error of [`Scorer::score`] on `data`, and of an aggregator during the search.
///
/// # Examples
///
/// ```
/// use composite_indicators::prelude::*;
/// use composite_indicators::score::Scorer;
/// use composite_indicators::study::optimise::{optimise_weights, OptimiseOptions};
/// use ndarray::array;
///
/// let fw = FrameworkSpec::new(
///     "toy",
///     vec![
///         Indicator::new("a", "P"), Indicator::new("b", "P"),
///         Indicator::new("c", "Q"), Indicator::new("d", "Q"),
///     ],
///     vec![Pillar::new("P").with_parent("I"), Pillar::new("Q").with_parent("I"), Pillar::new("I")],
/// )
/// .check()?;
/// let data = Dataset::new(
///     (1..=6).map(|i| format!("u{i}")).collect(),
///     vec!["a".into(), "b".into(), "c".into(), "d".into()],
///     array![[1.0, 2.0, 9.0, 1.0], [2.0, 1.0, 3.0, 5.0], [3.0, 5.0, 4.0, 2.0],
///            [4.0, 3.0, 1.0, 4.0], [5.0, 6.0, 2.0, 6.0], [6.0, 4.0, 7.0, 3.0]],
/// )?;
/// let opt = optimise_weights(&Scorer::new(fw), &data, &OptimiseOptions::new(2))?;
/// opt.check_converged()?;
/// assert!(opt.objective <= opt.objective_before);
/// let n = opt.corr_after_normalised();
/// assert!((n[0] - 0.5).abs() < 1e-6 && (n[1] - 0.5).abs() < 1e-6);
/// assert!((opt.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
/// assert!(opt.to_csv_string()?.starts_with("iCode,target,weight_before,weight,"));
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn optimise_weights(
    scorer: &Scorer,
    data: &Dataset,
    options: &OptimiseOptions,
) -> Result<OptimisedWeights> {
    let fw = scorer.framework();
    let nodes = fw.nodes();
    let root = fw.root_index();
    let level = options.level;
    let max_level = fw.root().level;
    if level < 2 || level >= max_level {
        return Err(Error::invalid(
            "level",
            level,
            Expected::Rule(format!(
                "weights can be optimised at the aggregate levels 2 to {} (below the index `{}`)",
                max_level.saturating_sub(1),
                fw.root().code
            )),
        ));
    }
    if !(options.tolerance.is_finite() && options.tolerance >= 0.0) {
        return Err(Error::invalid(
            "tolerance",
            options.tolerance,
            Expected::NonNegative,
        ));
    }
    if options.max_iters == 0 {
        return Err(Error::invalid("max_iters", 0, Expected::at_least(1.0)));
    }
    let level_nodes: Vec<usize> = (0..nodes.len())
        .filter(|&k| k != root && nodes[k].level == level && nodes[k].kind == NodeKind::Aggregate)
        .collect();
    if level_nodes.len() < 2 {
        return Err(Error::invalid(
            "level",
            level,
            Expected::Rule(format!(
                "level {level} has {} node(s); at least 2 are needed",
                level_nodes.len()
            )),
        ));
    }
    let target: Vec<f64> = match &options.goal {
        OptimiseGoal::Infomax => Vec::new(),
        OptimiseGoal::Balance { importance } => importances(fw, &level_nodes, importance)?,
    };
    let goal = match &options.goal {
        OptimiseGoal::Infomax => Goal::Infomax,
        OptimiseGoal::Balance { .. } => Goal::Balance(&target),
    };

    let nominal = scorer.score(data)?;
    let base = nominal.values().clone();
    let node_w = nominal.node_weights().to_vec();
    let upper: Vec<usize> = fw
        .aggregate_indices()
        .filter(|&k| nodes[k].level > level)
        .collect();
    let tree = Tree::new(scorer, data.unit_codes(), Some(nominal.bonus().to_owned()));
    let problem = Problem {
        tree,
        work: RefCell::new((base.clone(), node_w.clone())),
        base,
        level_nodes: level_nodes.clone(),
        upper,
        root,
        node_w: node_w.clone(),
        method: options.correlation,
        goal,
        error: RefCell::new(None),
        evaluations: Cell::new(0),
    };

    let w_sum: f64 = level_nodes.iter().map(|&k| node_w[k]).sum();
    let weights_before: Vec<f64> = level_nodes.iter().map(|&k| node_w[k] / w_sum).collect();
    let corr_before = problem.correlations(&weights_before)?;
    if let Some(i) = corr_before.iter().position(|r| !r.is_finite()) {
        return Err(Error::incompatible(
            "correlation",
            format!(
                "the correlation of `{}` with the index `{}` is undefined (a constant series)",
                nodes[level_nodes[i]].code,
                fw.root().code
            ),
        ));
    }
    let objective_before = problem.coinr(&corr_before);

    // COINr's start: the targets (balance) or the current weights (infomax)
    let mut best: Vec<f64> = match goal {
        Goal::Balance(t) => t.to_vec(),
        Goal::Infomax => weights_before.clone(),
    };
    let mut best_cost = (&problem).cost(&best).unwrap_or(f64::INFINITY);
    let mut iterations = 0u64;
    let mut converged = false;
    let mut termination = String::new();
    let runs = options.restarts.saturating_add(1);
    for _ in 0..runs {
        let scale = best.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let step = if scale > 0.0 { 0.1 * scale } else { 0.1 };
        let mut simplex = vec![best.clone()];
        for i in 0..best.len() {
            let mut v = best.clone();
            v[i] += step;
            simplex.push(v);
        }
        let solver = NelderMead::new(simplex)
            .with_sd_tolerance(options.tolerance)
            .map_err(|_| Error::invalid("tolerance", options.tolerance, Expected::NonNegative))?;
        let res = Executor::new(&problem, solver)
            .configure(|s| s.max_iters(options.max_iters))
            .timer(false)
            .run()
            .map_err(|e| Error::NotConverged {
                what: "weight optimisation".into(),
                iterations,
                reason: e.to_string(),
            })?;
        let state = res.state();
        iterations += state.get_iter();
        let (status_converged, why) = match state.get_termination_status() {
            TerminationStatus::Terminated(TerminationReason::SolverConverged) => (
                true,
                "converged: the simplex's spread is below the tolerance".to_string(),
            ),
            TerminationStatus::Terminated(r) => (false, r.text().to_string()),
            TerminationStatus::NotTerminated => (false, "not terminated".to_string()),
        };
        converged = status_converged;
        termination = why;
        let cost = state.get_best_cost();
        let param = state.get_best_param().cloned();
        if let Some(p) = param
            && cost < best_cost
        {
            best_cost = cost;
            best = p;
        }
        if !converged {
            break;
        }
    }
    if let Some(e) = problem.error.borrow_mut().take() {
        return Err(e);
    }
    // `best` is the start (weights with a positive sum) or a point of finite cost, and a zero or
    // infinite weight sum costs infinity: its weights always exist
    let weights = Problem::weights(&best).unwrap_or_else(|| {
        debug_assert!(false, "the optimiser's best point has no weights");
        weights_before.clone()
    });
    let corr_after = problem.correlations(&weights)?;
    let mut objective = problem.coinr(&corr_after);
    let (weights, corr_after) = if objective <= objective_before || objective.is_nan() {
        (weights, corr_after)
    } else {
        // never report weights worse than the start
        objective = objective_before;
        (weights_before.clone(), corr_before.clone())
    };
    let mut all: BTreeMap<String, f64> = nodes
        .iter()
        .zip(&node_w)
        .filter(|(n, _)| n.parent.is_some())
        .map(|(n, w)| (n.code.clone(), *w))
        .collect();
    for (&k, &w) in level_nodes.iter().zip(&weights) {
        all.insert(nodes[k].code.clone(), w);
    }
    let explicit = WeightScheme::Explicit { weights: all };
    let scheme = match scorer.weight_scheme().bonus_weight() {
        Some(bonus_weight) => WeightScheme::Bonus {
            base: Box::new(explicit),
            bonus_weight,
        },
        None => explicit,
    };
    Ok(OptimisedWeights {
        level,
        goal: options.goal.clone(),
        correlation: options.correlation,
        nodes: level_nodes.iter().map(|&k| nodes[k].code.clone()).collect(),
        target: target.clone(),
        weights_before,
        weights,
        corr_before,
        corr_after,
        objective_before,
        objective,
        iterations,
        evaluations: problem.evaluations.get(),
        converged,
        termination,
        scheme,
    })
}

/// Normalised target importances of the level's nodes.
fn importances(
    fw: &crate::spec::Framework,
    level_nodes: &[usize],
    importance: &Importance,
) -> Result<Vec<f64>> {
    let nodes = fw.nodes();
    let raw: Vec<f64> = match importance {
        Importance::Equal => vec![1.0; level_nodes.len()],
        Importance::Relative(map) => {
            for code in map.keys() {
                let k = fw.position(code)?;
                if !level_nodes.contains(&k) {
                    return Err(Error::unknown_name(
                        "node of the optimised level",
                        code.as_str(),
                        level_nodes.iter().map(|&k| nodes[k].code.clone()),
                    ));
                }
            }
            level_nodes
                .iter()
                .map(|&k| {
                    map.get(&nodes[k].code)
                        .copied()
                        .ok_or_else(|| Error::InvalidSpec {
                            code: nodes[k].code.clone(),
                            reason: "no target importance for this node of the optimised level"
                                .into(),
                        })
                })
                .collect::<Result<Vec<f64>>>()?
        }
    };
    if let Some((i, v)) = raw
        .iter()
        .enumerate()
        .find(|(_, v)| !(v.is_finite() && **v >= 0.0))
    {
        return Err(Error::invalid(
            format!("importance of `{}`", nodes[level_nodes[i]].code),
            v,
            Expected::NonNegative,
        ));
    }
    let s: f64 = raw.iter().sum();
    if s <= 0.0 {
        return Err(Error::invalid(
            "importance",
            "all 0",
            Expected::Rule("importances must not all be zero".into()),
        ));
    }
    Ok(raw.iter().map(|v| v / s).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{FrameworkSpec, Indicator, Pillar};
    use ndarray::array;

    fn fw() -> crate::spec::Framework {
        FrameworkSpec::new(
            "t",
            vec![
                Indicator::new("a", "P"),
                Indicator::new("b", "P"),
                Indicator::new("c", "Q"),
                Indicator::new("d", "Q"),
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

    fn data() -> Dataset {
        Dataset::new(
            (1..=6).map(|i| format!("u{i}")).collect(),
            vec!["a".into(), "b".into(), "c".into(), "d".into()],
            array![
                [1.0, 2.0, 9.0, 1.0],
                [2.0, 1.0, 3.0, 5.0],
                [3.0, 5.0, 4.0, 2.0],
                [4.0, 3.0, 1.0, 4.0],
                [5.0, 6.0, 2.0, 6.0],
                [6.0, 4.0, 7.0, 3.0]
            ],
        )
        .unwrap()
    }

    #[test]
    fn balance_with_custom_targets_and_rescoring() {
        let mut m = BTreeMap::new();
        m.insert("P".to_string(), 1.0);
        m.insert("Q".to_string(), 2.0);
        let o = OptimiseOptions::new(2).goal(OptimiseGoal::Balance {
            importance: Importance::Relative(m),
        });
        let s = Scorer::new(fw());
        let opt = optimise_weights(&s, &data(), &o).unwrap();
        opt.check_converged().unwrap();
        let n = opt.corr_after_normalised();
        assert!((n[0] - 1.0 / 3.0).abs() < 1e-6, "{n:?}");
        // re-scoring with the returned scheme gives the reported correlations
        let again = s
            .clone()
            .weights(opt.scheme.clone())
            .score(&data())
            .unwrap();
        let r = correlation(
            again.node_values("Q").unwrap(),
            again.index(),
            CorrMethod::Pearson,
        )
        .unwrap();
        assert!((r - opt.corr_after[1]).abs() < 1e-12);
    }

    #[test]
    fn bad_options_are_errors() {
        let s = Scorer::new(fw());
        for level in [0, 1, 3] {
            let e = optimise_weights(&s, &data(), &OptimiseOptions::new(level)).unwrap_err();
            assert!(
                matches!(e, Error::InvalidParameter { ref parameter, .. } if parameter == "level")
            );
        }
        let mut m = BTreeMap::new();
        m.insert("P".to_string(), 1.0);
        let o = OptimiseOptions::new(2).goal(OptimiseGoal::Balance {
            importance: Importance::Relative(m.clone()),
        });
        assert!(matches!(
            optimise_weights(&s, &data(), &o),
            Err(Error::InvalidSpec { .. })
        ));
        m.insert("Q".to_string(), -1.0);
        let o = OptimiseOptions::new(2).goal(OptimiseGoal::Balance {
            importance: Importance::Relative(m.clone()),
        });
        assert!(matches!(
            optimise_weights(&s, &data(), &o),
            Err(Error::InvalidParameter { .. })
        ));
        m.insert("a".to_string(), 1.0);
        let o = OptimiseOptions::new(2).goal(OptimiseGoal::Balance {
            importance: Importance::Relative(m),
        });
        assert!(matches!(
            optimise_weights(&s, &data(), &o),
            Err(Error::UnknownName { ref name, .. }) if name == "a"
        ));
        let o = OptimiseOptions::new(2).tolerance(-1.0);
        assert!(optimise_weights(&s, &data(), &o).is_err());
    }

    #[test]
    fn iteration_limit_is_reported_and_checkable() {
        let o = OptimiseOptions::new(2)
            .goal(OptimiseGoal::Infomax)
            .tolerance(0.0)
            .max_iters(3);
        let opt = optimise_weights(&Scorer::new(fw()), &data(), &o).unwrap();
        assert!(!opt.converged);
        assert_eq!(opt.iterations, 3);
        assert!(matches!(
            opt.check_converged(),
            Err(Error::NotConverged { iterations: 3, .. })
        ));
        assert!(opt.objective <= opt.objective_before);
    }
}
