//! One-at-a-time sensitivity: each input group varied alone ([`BatchModel::oat`]).

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::groups::SobolGroup;
use crate::error::Result;
use crate::sweep::BatchModel;
use crate::sweep::engine::memory::{Need, bytes};
use crate::sweep::sampler::{rng_for, unit};

/// One-at-a-time results: per target (rows) and group (columns), the population variance, minimum and
/// maximum of the target when only that group varies (the others at nominal).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OatResult {
    /// Group names.
    pub groups: Vec<String>,
    /// Target names.
    pub targets: Vec<String>,
    /// Variance, targets × groups.
    #[serde(with = "crate::serde_nan::array2")]
    pub variance: Array2<f64>,
    /// Minimum, targets × groups.
    #[serde(with = "crate::serde_nan::array2")]
    pub min: Array2<f64>,
    /// Maximum, targets × groups.
    #[serde(with = "crate::serde_nan::array2")]
    pub max: Array2<f64>,
}

/// Every field; an undefined value (NaN) equals an undefined one.
impl PartialEq for OatResult {
    fn eq(&self, other: &Self) -> bool {
        use crate::nan_eq::NanEq;
        let OatResult {
            groups,
            targets,
            variance,
            min,
            max,
        } = self;
        *groups == other.groups
            && *targets == other.targets
            && variance.nan_eq(&other.variance)
            && min.nan_eq(&other.min)
            && max.nan_eq(&other.max)
    }
}

impl BatchModel {
    /// One-at-a-time analysis: for each group, `n` runs varying only that group (inputs drawn from
    /// generators seeded by `(seed, run)`), every other parameter at nominal. Targets as
    /// [`BatchModel::sobol_targets`]; NaN targets are left out of the statistics.
    ///
    /// # Errors
    ///
    /// [`Error::MemoryBudget`](crate::Error::MemoryBudget) when the `n` runs' targets (`2·units + 1` per run) and scoring buffers
    /// exceed [`BatchModel::memory_budget`]; invalid groups are [`Error::InvalidParameter`](crate::Error::InvalidParameter).
    ///
    /// ```
    /// use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// use composite_indicators::sweep::{BatchModel, GroupInput, NodeSelection, SobolGroup};
    /// let fw = FrameworkSpec::new( "t", vec![Indicator::new("a", "I"),
    ///     Indicator::new("b", "I")], vec![Pillar::new("I")] ).check().unwrap();
    /// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None,
    ///     vec![ndarray::array![[0.0, 1.0], [1.0, 0.0]]]).unwrap();
    /// let g = vec![SobolGroup::new("a", GroupInput::Weights {
    ///     nodes: NodeSelection::Codes { codes: vec!["a".into()] }, spread: 0.5, triangular: false })];
    /// let o = m.oat(&g, 100, 3).unwrap();
    /// assert!(o.min[[0, 0]] >= 1.0 / 2.5 && o.max[[0, 0]] <= 1.0 / 1.5); // b / (w_a + 1), w_a in [0.5, 1.5]
    /// ```
    pub fn oat(&self, groups: &[SobolGroup], n: usize, seed: u64) -> Result<OatResult> {
        let (mapped, dims) = self.map_groups(groups)?;
        let dd: usize = dims.iter().sum();
        let mut need = Need::default();
        let runs = format!("fewer runs (now {n})");
        let units = "fewer units".to_string();
        need.add(&runs, bytes(n, dd.saturating_add(self.n_nodes()), 8));
        need.add(&units, bytes(n, self.n_units().saturating_mul(6), 8));
        need.check(
            format!(
                "a one-at-a-time analysis of {} units ({n} runs)",
                self.n_units()
            ),
            self.memory_budget(),
        )?;
        let (_, nominal_ranks) = self.nominal_encoded()?;
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
                let mean = crate::stats::mean(&v);
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
