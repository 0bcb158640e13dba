//! The sweep's options: what to sample ([`SweepConfig`]) and how to watch or stop it ([`Control`]).

use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use super::engine::exact::Fnv;
use super::sampler::{AltSampler, WeightSampler};

fn default_chunk() -> usize {
    4096
}
fn default_bins() -> usize {
    256
}

/// Largest [`SweepConfig::score_bins`]: finer bins than `1/65 536` of a unit's score range cannot be
/// resolved by the binned subsample (its quantile levels are only good to about 0.002), and every
/// parallel chunk keeps `units × (bins + 2)` counters.
///
/// ```
/// assert_eq!(composite_indicators::sweep::MAX_SCORE_BINS, 65_536);
/// ```
pub const MAX_SCORE_BINS: usize = 65_536;

/// What a sweep samples and how it is cut into work.
///
/// Build it with [`SweepConfig::new`] (or [`SweepConfig::default`]) and the `with_*` setters; the
/// fields stay readable. The struct is `#[non_exhaustive]`: new options arrive as new fields with
/// defaults and setters, without breaking code written against this version.
///
/// ```
/// use composite_indicators::sweep::{AltSampler, SweepConfig, WeightSampler, NodeSelection};
/// let c = SweepConfig::new(1000, 42, WeightSampler::Uniform { spread: 0.25, nodes: NodeSelection::All });
/// assert_eq!(c.chunk_size, 4096);
/// let c = c.with_alternatives(AltSampler::Uniform).with_chunk_size(512);
/// assert_eq!((c.alternatives, c.chunk_size), (AltSampler::Uniform, 512));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
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
    /// Histogram bins per unit for score quantiles (0 = none; at most [`MAX_SCORE_BINS`]). Only a
    /// deterministic subsample of at least 65 536 variants (every variant up to 131 071) is binned: see
    /// [`ScoreStats`](crate::sweep::ScoreStats).
    #[serde(default = "default_bins")]
    pub score_bins: usize,
    /// Keep per-unit score statistics (mean, sd, and quantiles when [`SweepConfig::score_bins`]
    /// `> 0`; default `true`). `false` keeps rank statistics only: the result's
    /// [`SweepResult::scores`](super::SweepResult::scores) is [`ScoreStats::not_kept`](super::ScoreStats::not_kept)
    /// and the UA report's score columns are empty, and the sweep skips the exact score sums and
    /// the score-histogram cells (about a quarter of the time of a 2,000-unit sweep). Ranks and rank
    /// histograms are the same either way. With `false`, [`SweepConfig::score_bins`] is not used
    /// (the sweep, its memory estimate and its fingerprint take 0, so a config file needs only
    /// `score_stats = false`; [`SweepConfig::with_score_stats`]`(false)` also sets the bins to 0).
    /// Results with and without score statistics do not merge.
    #[serde(
        default = "crate::serde_keys::yes",
        skip_serializing_if = "crate::serde_keys::is_true"
    )]
    pub score_stats: bool,
    /// Memory budget in bytes that the sweep's estimate must fit before anything large is allocated
    /// (`None`: the model's, see [`BatchModel::memory_budget`](super::BatchModel::memory_budget), by default
    /// [`default_memory_budget`](super::default_memory_budget)). Not part of the result's
    /// fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_budget: Option<u64>,
    /// How rank histograms are kept ([`RankSummary`]; default exact).
    #[serde(default, skip_serializing_if = "RankSummary::is_exact")]
    pub rank_summary: RankSummary,
}

/// The most bins per unit that [`RankSummary::Auto`] uses when exact rank histograms do not fit the
/// memory budget: its bins are at least `⌈units / AUTO_RANK_BINS⌉` ranks wide, so a rank quantile is
/// within 0.1 % of the rank range of the exact one. (At 100,000 units and the default budget, the
/// narrowest bins that fit were 16 ranks wide: 6,250 counters per unit, 7.9 GB and 87 s for 1,000
/// variants; with this floor the width is 98.)
///
/// ```
/// assert_eq!(composite_indicators::sweep::AUTO_RANK_BINS, 1024);
/// ```
pub const AUTO_RANK_BINS: usize = 1024;

/// The most rank counters per histogram that [`RankSummary::Auto`] uses, whatever the memory budget
/// (2²⁷, 1 GiB of `u64` counts in the result): exact histograms up to 11,585 units, and beyond
/// [`AUTO_RANK_BINS`] bins per unit only while `units × bins` stays below it (a million units get
/// 134 bins of 7,463 ranks). Larger tables cost more in cache misses than they resolve: at a million
/// units the budget alone chose 896 bins per unit, 18 GB and 477 s for 1,000 variants.
///
/// ```
/// assert_eq!(composite_indicators::sweep::AUTO_RANK_CELLS, 1 << 27);
/// ```
pub const AUTO_RANK_CELLS: usize = 1 << 27;

/// How a sweep keeps its per-unit rank histograms ([`RankHistogram`](super::RankHistogram)).
///
/// Exact histograms take `N²` counters for `N` units (8 bytes each in the result and per worker
/// thread: 10 000 units need 800 MB per histogram). A binned summary counts ranks in bins of
/// `w = ⌈N / B⌉` consecutive ranks: `N × B` counters, bin counts exact and exactly mergeable, rank
/// quantiles within one bin width (see [`RankHistogram`](super::RankHistogram)). The summary a result
/// used is [`RankHistogram::bin_width`](super::RankHistogram::bin_width) of its
/// [`SweepResult::ranks`](super::SweepResult::ranks) (1 = exact), and it is part of the result's
/// fingerprint: results with different summaries do not merge.
///
/// ```
/// use composite_indicators::sweep::{RankSummary, SweepConfig};
/// let c = SweepConfig::default().with_rank_summary(RankSummary::Auto);
/// assert_eq!(c.rank_summary, RankSummary::Auto);
/// assert_eq!(SweepConfig::default().with_rank_bins(100).rank_summary, RankSummary::Binned { bins: 100 });
/// assert_eq!(RankSummary::Binned { bins: 100 }.width(250), 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RankSummary {
    /// One counter per unit and rank (the default): every rank statistic exact.
    #[default]
    Exact,
    /// `bins` bins per unit, of `⌈units / bins⌉` ranks each (exact when `bins ≥ units`).
    Binned {
        /// Bins per unit (at least 1).
        bins: usize,
    },
    /// Exact histograms when the sweep's memory estimate fits the budget
    /// ([`SweepConfig::memory_budget`]; bit for bit the exact result wherever they fit), else
    /// binned: the narrowest bins that fit, but never more than [`AUTO_RANK_BINS`] bins per unit
    /// (width at least `⌈units / AUTO_RANK_BINS⌉`, rank quantiles within 0.1 % of the rank range)
    /// and never more than [`AUTO_RANK_CELLS`] counters in all (exact only up to 11,585 units).
    /// Finer bins would cost memory traffic and time without a meaningful gain in resolution; ask
    /// for them with [`RankSummary::Binned`].
    Auto,
}

impl RankSummary {
    fn is_exact(&self) -> bool {
        *self == RankSummary::Exact
    }

    /// The bin width for `units` units: 1 for [`RankSummary::Exact`] (and for [`RankSummary::Auto`],
    /// which a sweep resolves against its memory budget), `⌈units / bins⌉` for
    /// [`RankSummary::Binned`] (at least 1).
    ///
    /// ```
    /// use composite_indicators::sweep::RankSummary;
    /// assert_eq!(RankSummary::Exact.width(1000), 1);
    /// assert_eq!(RankSummary::Binned { bins: 64 }.width(1000), 16);
    /// ```
    pub fn width(&self, units: usize) -> usize {
        match *self {
            RankSummary::Binned { bins } => units.div_ceil(bins.max(1)).max(1),
            _ => 1,
        }
    }
}

/// 1000 variants with seed 0, every weight perturbed by ±25 % (uniform noise on all nodes), the
/// default alternative (0), chunk size (4096) and score bins (256).
///
/// ```
/// use composite_indicators::sweep::{NodeSelection, SweepConfig, WeightSampler};
/// let c = SweepConfig::default();
/// assert_eq!((c.variants, c.seed), (1000, 0));
/// assert_eq!(c.weights, WeightSampler::Uniform { spread: 0.25, nodes: NodeSelection::All });
/// ```
impl Default for SweepConfig {
    fn default() -> Self {
        SweepConfig::new(
            1000,
            0,
            WeightSampler::Uniform {
                spread: 0.25,
                nodes: super::sampler::NodeSelection::All,
            },
        )
    }
}

impl SweepConfig {
    /// A config with the default alternative (0), chunk size (4096) and score bins (256).
    ///
    /// ```
    /// use composite_indicators::sweep::{SweepConfig, WeightSampler};
    /// let c = SweepConfig::new(10, 1, WeightSampler::Nominal);
    /// assert_eq!((c.variants, c.seed, c.score_bins), (10, 1, 256));
    /// ```
    pub fn new(variants: usize, seed: u64, weights: WeightSampler) -> Self {
        SweepConfig {
            variants,
            seed,
            weights,
            alternatives: AltSampler::default(),
            chunk_size: default_chunk(),
            score_bins: default_bins(),
            score_stats: true,
            memory_budget: None,
            rank_summary: RankSummary::Exact,
        }
    }

    /// Set the number of variants `K` ([`SweepConfig::variants`]).
    ///
    /// ```
    /// use composite_indicators::sweep::SweepConfig;
    /// assert_eq!(SweepConfig::default().with_variants(10).variants, 10);
    /// ```
    pub fn with_variants(mut self, variants: usize) -> Self {
        self.variants = variants;
        self
    }

    /// Set the seed ([`SweepConfig::seed`]).
    ///
    /// ```
    /// use composite_indicators::sweep::SweepConfig;
    /// assert_eq!(SweepConfig::default().with_seed(7).seed, 7);
    /// ```
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Set the weight sampler ([`SweepConfig::weights`]).
    ///
    /// ```
    /// use composite_indicators::sweep::{SweepConfig, WeightSampler};
    /// let c = SweepConfig::default().with_weights(WeightSampler::Nominal);
    /// assert_eq!(c.weights, WeightSampler::Nominal);
    /// ```
    pub fn with_weights(mut self, weights: WeightSampler) -> Self {
        self.weights = weights;
        self
    }

    /// Set the method-alternative sampler ([`SweepConfig::alternatives`]).
    ///
    /// ```
    /// use composite_indicators::sweep::{AltSampler, SweepConfig};
    /// let c = SweepConfig::default().with_alternatives(AltSampler::Uniform);
    /// assert_eq!(c.alternatives, AltSampler::Uniform);
    /// ```
    pub fn with_alternatives(mut self, alternatives: AltSampler) -> Self {
        self.alternatives = alternatives;
        self
    }

    /// Set the variants per parallel work item ([`SweepConfig::chunk_size`]; a sweep refuses 0).
    ///
    /// ```
    /// use composite_indicators::sweep::SweepConfig;
    /// assert_eq!(SweepConfig::default().with_chunk_size(256).chunk_size, 256);
    /// ```
    pub fn with_chunk_size(mut self, chunk_size: usize) -> Self {
        self.chunk_size = chunk_size;
        self
    }

    /// Set the score-histogram bins per unit ([`SweepConfig::score_bins`]; 0 = none, a sweep refuses
    /// more than [`MAX_SCORE_BINS`]).
    ///
    /// ```
    /// use composite_indicators::sweep::SweepConfig;
    /// assert_eq!(SweepConfig::default().with_score_bins(0).score_bins, 0);
    /// ```
    pub fn with_score_bins(mut self, bins: usize) -> Self {
        self.score_bins = bins;
        self
    }

    /// Keep score statistics or not ([`SweepConfig::score_stats`]); `false` also sets
    /// [`SweepConfig::score_bins`] to 0 (rank statistics only), `true` leaves the bins alone.
    ///
    /// ```
    /// use composite_indicators::sweep::SweepConfig;
    /// let c = SweepConfig::default().with_score_stats(false);
    /// assert_eq!((c.score_stats, c.score_bins), (false, 0));
    /// ```
    pub fn with_score_stats(mut self, keep: bool) -> Self {
        self.score_stats = keep;
        if !keep {
            self.score_bins = 0;
        }
        self
    }

    /// Set how rank histograms are kept ([`RankSummary`]).
    ///
    /// ```
    /// use composite_indicators::sweep::{RankSummary, SweepConfig};
    /// let c = SweepConfig::default().with_rank_summary(RankSummary::Auto);
    /// assert_eq!(c.rank_summary, RankSummary::Auto);
    /// ```
    pub fn with_rank_summary(mut self, summary: RankSummary) -> Self {
        self.rank_summary = summary;
        self
    }

    /// Keep rank histograms in `bins` bins per unit ([`RankSummary::Binned`]): memory
    /// `units × bins` counters, rank quantiles within one bin width `⌈units / bins⌉`. A sweep refuses
    /// `bins = 0`.
    ///
    /// ```
    /// use composite_indicators::sweep::{RankSummary, SweepConfig};
    /// let c = SweepConfig::default().with_rank_bins(256);
    /// assert_eq!(c.rank_summary, RankSummary::Binned { bins: 256 });
    /// ```
    pub fn with_rank_bins(self, bins: usize) -> Self {
        self.with_rank_summary(RankSummary::Binned { bins })
    }

    /// Set the memory budget in bytes ([`SweepConfig::memory_budget`]). A sweep whose estimate
    /// exceeds it returns [`Error::MemoryBudget`](crate::Error::MemoryBudget) before allocating its
    /// accumulators.
    ///
    /// ```
    /// use composite_indicators::sweep::{SweepConfig, WeightSampler};
    /// let c = SweepConfig::new(10, 1, WeightSampler::Nominal).with_memory_budget(1 << 20);
    /// assert_eq!(c.memory_budget, Some(1 << 20));
    /// ```
    pub fn with_memory_budget(mut self, bytes: u64) -> Self {
        self.memory_budget = Some(bytes);
        self
    }

    /// Hash of what, besides the model, defines the results: the weight and alternative samplers,
    /// the variant count and the score bins (FNV-1a over their JSON form).
    pub(super) fn config_hash(&self, rank_width: usize) -> u64 {
        let mut h = Fnv::default();
        for part in [
            serde_json::to_string(&self.weights),
            serde_json::to_string(&self.alternatives),
        ] {
            // the samplers are plain enums of numbers, strings and vectors (no maps), which
            // serde_json always writes; the fallback only keeps the hash total
            let text = part.unwrap_or_else(|e| {
                debug_assert!(false, "serialising a sweep sampler failed: {e}");
                String::new()
            });
            h.str(&text);
        }
        h.u64(self.variants as u64);
        h.u64(self.score_bins as u64);
        // rank statistics only: results that keep score statistics keep the fingerprints they had
        if !self.score_stats {
            h.str("no score statistics");
        }
        // binned rank summaries only: exact results keep the fingerprints they always had
        if rank_width > 1 {
            h.str("rank bin width");
            h.u64(rank_width as u64);
        }
        h.finish()
    }
}

/// Progress reporting and cooperative cancellation for long computations
/// ([`BatchModel::sweep_with`](super::BatchModel::sweep_with),
/// [`BatchModel::sobol_with`](super::BatchModel::sobol_with), [`saltelli`](super::saltelli)).
///
/// The progress callback `progress(done, total)` is called after each finished chunk (from worker
/// threads; `done` grows but calls may arrive out of order). When the cancel flag becomes `true`,
/// unstarted chunks are skipped and the computation returns
/// [`Error::Cancelled`](crate::Error::Cancelled).
///
/// ```
/// use std::sync::atomic::AtomicBool;
/// use composite_indicators::sweep::Control;
/// let stop = AtomicBool::new(false);
/// let report = |done: usize, total: usize| eprintln!("{done}/{total}");
/// let c = Control::default().with_progress(&report).with_cancel(&stop);
/// assert!(c.progress().is_some() && c.cancel().is_some());
/// assert!(Control::default().progress().is_none());
/// ```
#[derive(Clone, Copy, Default)]
pub struct Control<'a> {
    progress: Option<&'a (dyn Fn(usize, usize) + Sync)>,
    cancel: Option<&'a AtomicBool>,
}

impl std::fmt::Debug for Control<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Control")
            .field("progress", &self.progress.is_some())
            .field("cancel", &self.cancel)
            .finish()
    }
}

impl<'a> Control<'a> {
    /// Call `progress(variants done, total)` after each finished chunk.
    ///
    /// ```
    /// use composite_indicators::sweep::Control;
    /// let f = |_: usize, _: usize| {};
    /// assert!(Control::default().with_progress(&f).progress().is_some());
    /// ```
    pub fn with_progress(mut self, progress: &'a (dyn Fn(usize, usize) + Sync)) -> Self {
        self.progress = Some(progress);
        self
    }

    /// Stop (with [`Error::Cancelled`](crate::Error::Cancelled)) once `cancel` is `true`.
    ///
    /// ```
    /// use std::sync::atomic::AtomicBool;
    /// use composite_indicators::sweep::Control;
    /// let stop = AtomicBool::new(true);
    /// assert!(Control::default().with_cancel(&stop).cancel().is_some());
    /// ```
    pub fn with_cancel(mut self, cancel: &'a AtomicBool) -> Self {
        self.cancel = Some(cancel);
        self
    }

    /// The progress callback, if any.
    ///
    /// ```
    /// use composite_indicators::sweep::Control;
    /// assert!(Control::default().progress().is_none());
    /// ```
    pub fn progress(&self) -> Option<&'a (dyn Fn(usize, usize) + Sync)> {
        self.progress
    }

    /// The cancel flag, if any.
    ///
    /// ```
    /// use composite_indicators::sweep::Control;
    /// assert!(Control::default().cancel().is_none());
    /// ```
    pub fn cancel(&self) -> Option<&'a AtomicBool> {
        self.cancel
    }

    pub(crate) fn cancelled(&self) -> bool {
        self.cancel.is_some_and(|c| c.load(Ordering::Relaxed))
    }

    /// Report `done` of `total`.
    pub(crate) fn report(&self, done: usize, total: usize) {
        if let Some(p) = self.progress {
            p(done, total);
        }
    }
}
