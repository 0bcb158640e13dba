//! The sweep driver: sample, score in batches, rank and accumulate, in parallel chunks.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use ndarray::Array2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::BatchModel;
use super::histogram::{RankHistogram, Ranker, ScoreStats, rank_min_into};
use super::sampler::{AltSampler, VariantSampler, WeightSampler};
use super::ua::UaReport;
use crate::error::{Error, Result};

fn default_chunk() -> usize {
    4096
}
fn default_bins() -> usize {
    256
}

/// What a sweep samples and how it is cut into work.
///
/// ```
/// use composite_indicators::sweep::{SweepConfig, WeightSampler, NodeSelection};
/// let c = SweepConfig::new(1000, 42, WeightSampler::Uniform { spread: 0.25, nodes: NodeSelection::All });
/// assert_eq!(c.chunk_size, 4096);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepConfig {
    /// Number of variants `K`.
    pub variants: usize,
    /// Seed: variant `k` is defined by `(seed, k)` only.
    pub seed: u64,
    /// Weight sampler.
    pub weights: WeightSampler,
    /// Method-alternative sampler.
    #[serde(default)]
    pub alternatives: AltSampler,
    /// Variants per parallel work item (rank histograms, ranks and scores do not depend on it; score
    /// moments only through summation order).
    #[serde(default = "default_chunk")]
    pub chunk_size: usize,
    /// Histogram bins per unit for score quantiles (0 = none).
    #[serde(default = "default_bins")]
    pub score_bins: usize,
}

impl SweepConfig {
    /// A config with the default alternative (0), chunk size (4096) and score bins (256).
    pub fn new(variants: usize, seed: u64, weights: WeightSampler) -> Self {
        SweepConfig {
            variants,
            seed,
            weights,
            alternatives: AltSampler::default(),
            chunk_size: default_chunk(),
            score_bins: default_bins(),
        }
    }
}

/// Progress reporting and cooperative cancellation for long computations.
///
/// `progress(done, total)` is called after each finished chunk (from worker threads; `done` grows but
/// calls may arrive out of order). When `cancel` becomes `true`, unstarted chunks are skipped and the
/// computation returns [`Error::Cancelled`].
///
/// ```
/// use composite_indicators::sweep::Control;
/// let c = Control::default();
/// assert!(c.progress.is_none() && c.cancel.is_none());
/// ```
#[derive(Clone, Copy, Default)]
pub struct Control<'a> {
    /// Called with (variants done, total).
    pub progress: Option<&'a (dyn Fn(usize, usize) + Sync)>,
    /// Set to `true` to stop.
    pub cancel: Option<&'a AtomicBool>,
}

impl std::fmt::Debug for Control<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Control")
            .field("progress", &self.progress.is_some())
            .field("cancel", &self.cancel)
            .finish()
    }
}

impl Control<'_> {
    pub(crate) fn cancelled(&self) -> bool {
        self.cancel.is_some_and(|c| c.load(Ordering::Relaxed))
    }
}

/// Everything a sweep accumulates; serde-serialisable and exactly mergeable over disjoint variant
/// ranges ([`SweepResult::merge`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepResult {
    /// Unit codes.
    pub unit_codes: Vec<String>,
    /// Index scores under the nominal weights and alternative 0.
    pub nominal_scores: Vec<f64>,
    /// Nominal ranks (`Min` rule, 0 = no rank).
    pub nominal_ranks: Vec<u32>,
    /// Rank histograms over the variants.
    pub ranks: RankHistogram,
    /// Score statistics over the variants.
    pub scores: ScoreStats,
}

impl SweepResult {
    /// Add the accumulators of another range of the same sweep.
    pub fn merge(&mut self, other: &SweepResult) -> Result<()> {
        if self.nominal_ranks != other.nominal_ranks {
            return Err(Error::param(
                "sweep result",
                "cannot merge results of different models",
            ));
        }
        self.ranks.merge(&other.ranks)?;
        self.scores.merge(&other.scores)
    }

    /// The uncertainty-analysis table.
    pub fn ua_report(&self) -> UaReport {
        UaReport::from_result(self)
    }
}

/// Per-thread scratch reused across chunks.
#[derive(Default)]
struct Buffers {
    w: Array2<f64>,
    e: Array2<f64>,
    s: Array2<f64>,
    share: Vec<f64>,
    alts: Vec<usize>,
    ranks: Vec<u32>,
    ranker: Ranker,
}

struct Acc {
    ranks: RankHistogram,
    scores: ScoreStats,
}

impl BatchModel {
    /// Nominal index scores and ranks (nominal weights, alternative 0).
    pub fn nominal(&self) -> Result<(Vec<f64>, Vec<u32>)> {
        let s = self.score_index(self.nominal_weights(), 0)?;
        let mut r = vec![0u32; s.len()];
        rank_min_into(&s, &mut r);
        Ok((s, r))
    }

    /// Run a whole sweep: variants `0..cfg.variants`. See [`BatchModel::sweep_range`].
    ///
    /// ```
    /// use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// use composite_indicators::sweep::{BatchModel, Control, NodeSelection, SweepConfig, WeightSampler};
    /// let fw = FrameworkSpec { name: "t".into(), indicators: vec![Indicator::new("a", "I"),
    ///     Indicator::new("b", "I")], pillars: vec![Pillar::new("I")] }.check().unwrap();
    /// let x = ndarray::array![[0.0, 1.0], [1.0, 0.0], [0.2, 0.2]];
    /// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None,
    ///     vec![x]).unwrap();
    /// let cfg = SweepConfig::new(500, 1, WeightSampler::Uniform { spread: 0.5, nodes: NodeSelection::All });
    /// let r = m.sweep(&cfg, Control::default()).unwrap();
    /// assert_eq!(r.ranks.n_variants(), 500);
    /// assert_eq!(r.ranks.count(2, 3), 500); // 0.2 is always last: the others lie in [0.25, 0.75]
    /// ```
    pub fn sweep(&self, cfg: &SweepConfig, ctl: Control<'_>) -> Result<SweepResult> {
        self.sweep_range(cfg, 0..cfg.variants, ctl)
    }

    /// Run variants `range` of the sweep `cfg` (in parallel chunks of `cfg.chunk_size`). Results of
    /// disjoint ranges merge into the result of their union; ranks and histograms are bit-identical
    /// for any thread count and chunk size.
    ///
    /// Score-quantile bounds: [`BatchModel::mean_bounds`] when it applies, otherwise the range of the
    /// nominal scores and of variants `0..min(256, K)` per unit, widened by half its width on both
    /// sides (values outside are counted in under/overflow cells).
    pub fn sweep_range(
        &self,
        cfg: &SweepConfig,
        range: Range<usize>,
        ctl: Control<'_>,
    ) -> Result<SweepResult> {
        if cfg.chunk_size == 0 {
            return Err(Error::param("chunk_size", "must be positive"));
        }
        if range.end > cfg.variants {
            return Err(Error::param(
                "range",
                format!("ends at {} beyond the {} variants", range.end, cfg.variants),
            ));
        }
        let sampler = VariantSampler::new(self, &cfg.weights, &cfg.alternatives, cfg.seed)?;
        if let Some(max) = sampler.max_variants() {
            if cfg.variants > max {
                return Err(Error::param(
                    "variants",
                    format!("{} requested but the weight list has {max}", cfg.variants),
                ));
            }
        }
        let (nominal_scores, nominal_ranks) = self.nominal()?;
        let bounds = match self.mean_bounds() {
            Some(b) => b,
            None => self.pilot_bounds(&sampler, cfg.variants.min(256), &nominal_scores)?,
        };
        let n_units = self.n_units();
        let new_acc = || Acc {
            ranks: RankHistogram::new(n_units),
            scores: ScoreStats::new(nominal_scores.clone(), bounds.clone(), cfg.score_bins),
        };
        let starts: Vec<usize> = range.clone().step_by(cfg.chunk_size).collect();
        let total = range.len();
        let done = AtomicUsize::new(0);
        let parts: Vec<Acc> = starts
            .par_iter()
            .map_init(Buffers::default, |buf, &s| {
                if ctl.cancelled() {
                    return Err(Error::Cancelled);
                }
                let e = (s + cfg.chunk_size).min(range.end);
                let mut acc = new_acc();
                self.run_chunk(&sampler, s, e, &mut acc, buf)?;
                let d = done.fetch_add(e - s, Ordering::Relaxed) + (e - s);
                if let Some(p) = ctl.progress {
                    p(d, total);
                }
                Ok(acc)
            })
            .collect::<Result<Vec<Acc>>>()?;
        let mut acc = new_acc();
        for p in &parts {
            acc.ranks.merge(&p.ranks)?;
            acc.scores.merge(&p.scores)?;
        }
        Ok(SweepResult {
            unit_codes: self.unit_codes().to_vec(),
            nominal_scores,
            nominal_ranks,
            ranks: acc.ranks,
            scores: acc.scores,
        })
    }

    fn run_chunk(
        &self,
        sampler: &VariantSampler,
        s: usize,
        e: usize,
        acc: &mut Acc,
        buf: &mut Buffers,
    ) -> Result<()> {
        let k = e - s;
        let nn = self.n_nodes();
        let nu = self.n_units();
        if buf.w.dim() != (k, nn) {
            buf.w = Array2::zeros((k, nn));
            buf.e = Array2::zeros((k, self.framework().n_indicators()));
            buf.s = Array2::zeros((k, nu));
            buf.share = vec![0.0; 2 * self.n_aggregates()];
            buf.ranks = vec![0; nu];
        }
        buf.alts.clear();
        for (i, mut row) in buf.w.rows_mut().into_iter().enumerate() {
            let r = row
                .as_slice_mut()
                .ok_or_else(|| Error::param("weights", "non-contiguous buffer"))?;
            buf.alts.push(sampler.fill(s + i, r)?);
        }
        let first = buf.alts.first().copied().unwrap_or(0);
        if buf.alts.iter().all(|&a| a == first) && self.is_single_product(first) {
            self.linear_scores_into(buf.w.view(), first, &mut buf.e, &mut buf.share, &mut buf.s)?;
        } else {
            buf.s = self.score_batch(buf.w.view(), &buf.alts)?;
        }
        for row in buf.s.rows() {
            let row = row
                .as_slice()
                .ok_or_else(|| Error::param("scores", "non-contiguous buffer"))?;
            buf.ranker.rank_into(row, &mut buf.ranks);
            acc.ranks.add(&buf.ranks);
            acc.scores.add(row);
        }
        Ok(())
    }

    fn pilot_bounds(
        &self,
        sampler: &VariantSampler,
        n: usize,
        nominal: &[f64],
    ) -> Result<Vec<(f64, f64)>> {
        let (w, alts) = sampler.chunk(0, n)?;
        let s = self.score_batch(w.view(), &alts)?;
        let mut b: Vec<(f64, f64)> = nominal.iter().map(|&x| (x, x)).collect();
        for row in s.rows() {
            for (u, &x) in row.iter().enumerate() {
                if !x.is_nan() {
                    b[u].0 = if b[u].0.is_nan() { x } else { b[u].0.min(x) };
                    b[u].1 = if b[u].1.is_nan() { x } else { b[u].1.max(x) };
                }
            }
        }
        Ok(b.into_iter()
            .map(|(lo, hi)| {
                if lo.is_nan() {
                    return (0.0, 0.0);
                }
                let h = if hi > lo {
                    0.5 * (hi - lo)
                } else {
                    0.5 * lo.abs().max(1.0)
                };
                (lo - h, hi + h)
            })
            .collect())
    }
}
