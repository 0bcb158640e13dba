//! The sweep driver: sample, score in batches, rank and accumulate, in parallel chunks.
//!
//! Three chunk paths; each is deterministic (any thread count gives bit-identical results) and all give
//! identical rank histograms:
//!
//! * the **fast path** (fixed alternative, nominal/uniform/triangular weight noise, a model whose
//!   variants are one matrix product): blocks of [`BLOCK`] variants are drawn node-major, four
//!   variants at a time in AVX2 lanes; effective indicator weights come from straight loops over the
//!   variants (one reciprocal per group and variant, no tree walk); one GEMM gives the block's scores
//!   with units in nominal order; per variant the shifted score sums, the score-histogram cells (one
//!   multiply and a truncation per unit, computed as a vector, then counted), and the ranks (up to
//!   160 units: AVX2 counting on `f32` copies with the exact `f64` fallback on `f32` ties; above:
//!   radix sort of `f32` keys with an `f64` fix-up of `f32` ties) go into per-chunk `u32` / `f64`
//!   buffers, merged into the `u64` accumulators at the end of the chunk;
//! * the **`f32` path**, the fast path's variant for 2 to 256 units without a bonus term (see the
//!   `fast32` module): the same sampling and effective weights, then an `f32` product, a sorting
//!   network over sixteen variants at a time and an exact `f64` re-ranking of neighbours closer than a
//!   proven rounding bound, so ranks equal those of the `f64` scores; score moments and histogram cells
//!   come from the `f32` scores;
//! * the **general path** for everything else: [`BatchModel::score_batch`] per chunk, then
//!   [`Ranker`] and [`ScoreStats::add`] per variant into the chunk's accumulator, which is added to
//!   the shared one as soon as the chunk is done and then freed: at most one rank histogram per
//!   worker thread plus the result, whatever the number of chunks.
//!
//! Every accumulator is a sum of integers (rank and histogram counts, and the exact score sums of
//! [`ScoreStats`]), so the order in which chunks finish, and in which split results are merged, does
//! not change a bit of the result.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use ndarray::{Array2, ArrayView2, ArrayViewMut2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::BatchModel;
use super::exact::Fnv;
use super::fast32::{Buf32, Plan32};
use super::histogram::{
    PermutedLayout, PermutedStats, RankHistogram, Ranker, SORT_ABOVE, ScoreStats, add_clean_row,
    bin_every, flush_clean, rank_counting, rank_min_into, rank_radix,
};
use super::kernel::LinearPlan;
use super::memory::{Need, bytes};
use super::sampler::{AltSampler, VariantSampler, WeightSampler};
use super::ua::UaReport;
use crate::error::{Error, Result};

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
    /// Histogram bins per unit for score quantiles (0 = none; at most [`MAX_SCORE_BINS`]). Only a
    /// deterministic subsample of at least 65 536 variants (every variant up to 131 071) is binned: see
    /// [`ScoreStats`].
    #[serde(default = "default_bins")]
    pub score_bins: usize,
    /// Memory budget in bytes that the sweep's estimate must fit before anything large is allocated
    /// (`None`: the model's, see [`BatchModel::memory_budget`], by default
    /// [`default_memory_budget`](super::default_memory_budget)). Not part of the result's
    /// fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_budget: Option<u64>,
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
            memory_budget: None,
        }
    }

    /// Set the memory budget in bytes ([`SweepConfig::memory_budget`]). A sweep whose estimate
    /// exceeds it returns [`Error::MemoryBudget`] before allocating its accumulators.
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
    fn config_hash(&self) -> Result<u64> {
        let mut h = Fnv::default();
        for part in [
            serde_json::to_string(&self.weights),
            serde_json::to_string(&self.alternatives),
        ] {
            let text = part.map_err(|e| Error::param("sweep config", e.to_string()))?;
            h.str(&text);
        }
        h.u64(self.variants as u64);
        h.u64(self.score_bins as u64);
        Ok(h.finish())
    }
}

/// What identifies a sweep: results with equal fingerprints hold accumulators of the same variants
/// (same seed, samplers, variant count, score bins and model) and may be merged.
///
/// ```
/// use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
/// use composite_indicators::sweep::{BatchModel, Control, SweepConfig, WeightSampler};
/// let fw = FrameworkSpec::new("t", vec![Indicator::new("a", "I")], vec![Pillar::new("I")]).check().unwrap();
/// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None,
///     vec![ndarray::array![[1.0], [2.0]]]).unwrap();
/// let r = m.sweep(&SweepConfig::new(5, 9, WeightSampler::Nominal), Control::default()).unwrap();
/// let f = r.fingerprint.unwrap();
/// assert_eq!((f.seed, f.variants), (9, 5));
/// assert_eq!(f.model, format!("{:016x}", m.model_hash()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepFingerprint {
    /// The seed.
    pub seed: u64,
    /// Variants `K` of the whole sweep.
    pub variants: usize,
    /// FNV-1a hash (16 hex digits) of the samplers, `K` and the score bins.
    pub config: String,
    /// [`BatchModel::model_hash`] (16 hex digits).
    pub model: String,
}

impl SweepFingerprint {
    /// What differs from `other`, in words (`None` if nothing does).
    fn difference(&self, other: &SweepFingerprint) -> Option<String> {
        if self.seed != other.seed {
            return Some(format!("seeds differ ({} and {})", self.seed, other.seed));
        }
        if self.variants != other.variants {
            return Some(format!(
                "variant counts differ ({} and {})",
                self.variants, other.variants
            ));
        }
        if self.config != other.config {
            return Some(format!(
                "samplers or score bins differ (config fingerprints {} and {})",
                self.config, other.config
            ));
        }
        if self.model != other.model {
            return Some(format!(
                "models differ (model fingerprints {} and {})",
                self.model, other.model
            ));
        }
        None
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
/// ranges ([`SweepResult::merge`]): any split of a sweep into contiguous ranges run with
/// [`BatchModel::sweep_range`], merged in any order, equals the single run bit for bit (and so
/// serialises to the same JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepResult {
    /// Unit codes.
    pub unit_codes: Vec<String>,
    /// Index scores under the nominal weights and alternative 0.
    #[serde(with = "crate::serde_nan::vec")]
    pub nominal_scores: Vec<f64>,
    /// Nominal ranks (`Min` rule, 0 = no rank).
    pub nominal_ranks: Vec<u32>,
    /// Rank histograms over the variants.
    pub ranks: RankHistogram,
    /// Score statistics over the variants.
    pub scores: ScoreStats,
    /// The variant ranges covered, as sorted, disjoint, non-adjacent half-open `[start, end)` pairs
    /// (one pair for a single run; empty in results written before ranges were recorded).
    #[serde(default)]
    pub ranges: Vec<[usize; 2]>,
    /// The sweep's fingerprint (`None` in results written before fingerprints were recorded; such
    /// results cannot be merged).
    #[serde(default)]
    pub fingerprint: Option<SweepFingerprint>,
}

/// Sorted, coalesced, non-empty ranges.
fn normalise_ranges(mut r: Vec<[usize; 2]>) -> Vec<[usize; 2]> {
    r.retain(|x| x[0] < x[1]);
    r.sort_unstable();
    let mut out: Vec<[usize; 2]> = Vec::with_capacity(r.len());
    for x in r {
        match out.last_mut() {
            Some(last) if x[0] <= last[1] => last[1] = last[1].max(x[1]),
            _ => out.push(x),
        }
    }
    out
}

/// Variants covered by `ranges`.
fn covered(ranges: &[[usize; 2]]) -> u64 {
    ranges.iter().fold(0u64, |a, r| {
        a.saturating_add(r[1].saturating_sub(r[0]) as u64)
    })
}

impl SweepResult {
    /// Add the accumulators of another range of the same sweep. Exact: the result does not depend
    /// on how the variants were split or in which order the parts are merged.
    ///
    /// # Errors
    ///
    /// [`Error::SweepMerge`] when the fingerprints differ (seed, samplers, variant count, score bins
    /// or model) or either result has none, when the two cover a common variant, or when a result's
    /// ranges disagree with its variant count (a damaged file); [`Error::ShapeMismatch`] /
    /// [`Error::InvalidParameter`] when the accumulators' shapes differ. On error `self` is unchanged.
    ///
    /// ```
    /// use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// use composite_indicators::sweep::{BatchModel, Control, NodeSelection, SweepConfig, WeightSampler};
    /// let fw = FrameworkSpec::new(
    ///     "t",
    ///     vec![Indicator::new("a", "I"),
    ///     Indicator::new("b", "I")],
    ///     vec![Pillar::new("I")],
    /// ).check().unwrap();
    /// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None,
    ///     vec![ndarray::array![[0.0, 1.0], [1.0, 0.0], [0.4, 0.5]]]).unwrap();
    /// let cfg = SweepConfig::new(100, 1, WeightSampler::Uniform { spread: 0.5, nodes: NodeSelection::All });
    /// let whole = m.sweep(&cfg, Control::default()).unwrap();
    /// let mut b = m.sweep_range(&cfg, 40..100, Control::default()).unwrap();
    /// let a = m.sweep_range(&cfg, 0..40, Control::default()).unwrap();
    /// b.merge(&a).unwrap();
    /// assert_eq!(b, whole);
    /// assert_eq!(b.ranges, vec![[0, 100]]);
    /// assert!(b.merge(&a).is_err()); // variants 0..40 twice
    /// ```
    pub fn merge(&mut self, other: &SweepResult) -> Result<()> {
        let (Some(fa), Some(fb)) = (&self.fingerprint, &other.fingerprint) else {
            return Err(Error::SweepMerge {
                reason: "a result has no fingerprint (written by an older version); run it again"
                    .into(),
            });
        };
        if let Some(d) = fa.difference(fb) {
            return Err(Error::SweepMerge { reason: d });
        }
        for r in [&*self, other] {
            if covered(&r.ranges) != r.ranks.n_variants()
                || r.ranges.iter().any(|x| x[1] > fa.variants)
            {
                return Err(Error::SweepMerge {
                    reason: format!(
                        "ranges {:?} do not match the {} variants counted (of {}): a damaged result",
                        r.ranges,
                        r.ranks.n_variants(),
                        fa.variants
                    ),
                });
            }
        }
        for a in &self.ranges {
            for b in &other.ranges {
                let (lo, hi) = (a[0].max(b[0]), a[1].min(b[1]));
                if lo < hi {
                    return Err(Error::SweepMerge {
                        reason: format!("both results cover variants {lo}..{hi}"),
                    });
                }
            }
        }
        let same_scores = self.nominal_scores.len() == other.nominal_scores.len()
            && self
                .nominal_scores
                .iter()
                .zip(&other.nominal_scores)
                .all(|(a, b)| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()));
        if self.nominal_ranks != other.nominal_ranks
            || self.unit_codes != other.unit_codes
            || !same_scores
        {
            return Err(Error::SweepMerge {
                reason: "nominal scores, nominal ranks or unit codes differ".into(),
            });
        }
        if !self.scores.compatible(&other.scores) || self.ranks.n_units() != other.ranks.n_units() {
            return Err(Error::SweepMerge {
                reason: "the accumulators have different shapes (units, bins or bounds)".into(),
            });
        }
        self.ranks.merge(&other.ranks)?;
        self.scores.merge(&other.scores)?;
        let mut r = std::mem::take(&mut self.ranges);
        r.extend_from_slice(&other.ranges);
        self.ranges = normalise_ranges(r);
        Ok(())
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
    fast: FastBuffers,
    b32: Buf32,
}

/// Variants per block of the fast path: the block's weights (nodes × block), effective weights
/// (indicators × block) and scores (block × units) stay in L2 for the W1 shape.
const BLOCK: usize = 256;

/// Unit count above which rank counts are deferred to the end of a block ([`FastBuffers::deferred`]).
const DEFER_ABOVE: usize = 256;

/// Scratch and per-chunk accumulators of the fast path, in nominal-position order.
#[derive(Default)]
struct FastBuffers {
    /// nodes × BLOCK, node-major.
    w: Vec<f64>,
    /// indicators × BLOCK (bonus rows stay 0).
    e: Vec<f64>,
    /// aggregates × BLOCK.
    inv: Vec<f64>,
    /// BLOCK.
    f: Vec<f64>,
    /// BLOCK × units.
    s: Vec<f64>,
    /// `f32` copies of a variant's scores.
    s32: Vec<f32>,
    /// Radix-sort scratch.
    keys: Vec<u64>,
    tmp: Vec<u64>,
    ranks: Vec<u32>,
    /// Rank counts `counts[p·n + r − 1]`.
    counts: Vec<u32>,
    /// Above [`DEFER_ABOVE`] units (and up to `u16::MAX`): the block's ranks position-major,
    /// `deferred[p·BLOCK + v]` (0 = counted already), counted row by row after the block, so the
    /// increments of one position stay in one row of `counts` instead of touching one page of the
    /// `n × n` table per unit and variant.
    deferred: Vec<u16>,
    rank_missing: Vec<u64>,
    stats: PermutedStats,
    /// Level-0 multiples of the exact score sums of the current block (see [`add_clean_row`]).
    qsum: Vec<i64>,
    qsum2: Vec<i64>,
    /// Variants without a missing score since the last flush (their `n` is added at the flush).
    clean: u64,
    /// Variants since the last flush.
    variants: u64,
    /// Score-histogram layout in position order.
    lay: PermutedLayout,
    /// Histogram cell index per position (i32, vector friendly).
    cells: Vec<i32>,
    /// Every cell index fits an `i32`.
    cells_fit: bool,
    /// Variant `k` is binned iff `k % every == 0` ([`bin_every`]).
    every: usize,
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
    /// let fw = FrameworkSpec::new(
    ///     "t",
    ///     vec![Indicator::new("a", "I"),
    ///     Indicator::new("b", "I")],
    ///     vec![Pillar::new("I")],
    /// ).check().unwrap();
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
    /// disjoint ranges merge ([`SweepResult::merge`]) into the result of their union bit for bit, and
    /// every result is bit-identical for any thread count and chunk size. The result records `range`
    /// ([`SweepResult::ranges`]) and the sweep's [`SweepFingerprint`].
    ///
    /// Memory: before allocating its accumulators the sweep estimates its memory (rank histograms of
    /// `units² × 8` bytes for the result and each worker thread, score histograms, chunk buffers) and
    /// checks it against [`SweepConfig::memory_budget`] (else the model's
    /// [`BatchModel::memory_budget`]).
    ///
    /// # Errors
    ///
    /// [`Error::MemoryBudget`] when the estimate exceeds the budget (naming the setting that reduces
    /// it), [`Error::AllocationFailed`] when the system refuses an allocation anyway,
    /// [`Error::InvalidParameter`] for a zero chunk size, too many score bins, a range beyond
    /// `cfg.variants` or an invalid sampler, [`Error::Cancelled`] when cancelled through `ctl`, and
    /// scoring errors of the model.
    ///
    /// Chunks run in parallel; see the module notes in the source for the fast path taken when the
    /// alternative is fixed, the weight sampler is nominal / uniform / triangular and the model is one
    /// matrix product ([`BatchModel::is_single_product`]); it gives the same rank histograms bit for
    /// bit. For 2 to 256 units without a bonus term that path multiplies in `f32`: ranks are still
    /// exactly those of the `f64` scores (close neighbours are re-ranked in `f64`), while score moments
    /// and score-histogram cells come from the `f32` scores, each within
    /// `γ·max|x|·Σ|e|`, `γ ≈ (indicators + 4)·2⁻²⁴`, of the `f64` score.
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
        if cfg.score_bins > MAX_SCORE_BINS {
            return Err(Error::param(
                "score_bins",
                format!(
                    "{} requested; at most {MAX_SCORE_BINS} (finer bins cannot be resolved)",
                    cfg.score_bins
                ),
            ));
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
        let fast = sampler
            .fixed_alt()
            .is_some_and(|a| sampler.block_capable() && self.is_single_product(a));
        let budget = cfg.memory_budget.unwrap_or_else(|| self.memory_budget());
        self.sweep_need(cfg, fast, rayon::current_num_threads())
            .check(
                format!(
                    "a sweep of {} units (chunk size {}, {} score bins, {} threads)",
                    self.n_units(),
                    cfg.chunk_size,
                    cfg.score_bins,
                    rayon::current_num_threads()
                ),
                budget,
            )?;
        let fingerprint = SweepFingerprint {
            seed: cfg.seed,
            variants: cfg.variants,
            config: format!("{:016x}", cfg.config_hash()?),
            model: format!("{:016x}", self.model_hash()),
        };
        let (nominal_scores, nominal_ranks) = self.nominal()?;
        let bounds = match self.mean_bounds() {
            Some(b) => b,
            None => self.pilot_bounds(&sampler, cfg.variants.min(256), &nominal_scores)?,
        };
        let plan = match sampler.fixed_alt() {
            Some(a) if sampler.block_capable() => self.linear_plan(a, &nominal_scores),
            _ => None,
        };
        let plan32 = plan.as_ref().and_then(|p| {
            let lo = bounds.iter().map(|b| b.0).fold(f64::INFINITY, f64::min);
            let hi = bounds.iter().map(|b| b.1).fold(f64::NEG_INFINITY, f64::max);
            Plan32::new(p, lo, hi, sampler.weights_nonneg())
        });
        let n_units = self.n_units();
        let new_acc = || -> Result<Acc> {
            Ok(Acc {
                ranks: RankHistogram::try_new(n_units)?,
                scores: ScoreStats::try_new(
                    nominal_scores.clone(),
                    bounds.clone(),
                    cfg.score_bins,
                )?,
            })
        };
        let starts: Vec<usize> = range.clone().step_by(cfg.chunk_size).collect();
        let total = range.len();
        let done = AtomicUsize::new(0);
        let every = bin_every(cfg.variants);
        // Every accumulator is a sum of integers, so chunks add theirs to one shared accumulator as
        // soon as they finish, in any order: at most one chunk accumulator per worker is alive.
        let shared = std::sync::Mutex::new(new_acc()?);
        starts
            .par_iter()
            .try_for_each_init(Buffers::default, |buf, &s| -> Result<()> {
                if ctl.cancelled() {
                    return Err(Error::Cancelled);
                }
                let e = (s + cfg.chunk_size).min(range.end);
                match (&plan, &plan32) {
                    (Some(p), Some(p32)) => {
                        buf.fast.every = every;
                        buf.b32.every = every;
                        let sums = self.run_chunk_32(p, p32, &sampler, s, e, &shared, buf);
                        let mut acc = shared.lock().unwrap_or_else(|e| e.into_inner());
                        acc.scores.add_permuted_moments(&p.perm, &sums);
                    }
                    (Some(p), None) => {
                        buf.fast.every = every;
                        let sums = self.run_chunk_fast(p, &sampler, s, e, &shared, &mut buf.fast);
                        let mut acc = shared.lock().unwrap_or_else(|e| e.into_inner());
                        acc.scores.add_permuted_moments(&p.perm, &sums);
                    }
                    (None, _) => {
                        let mut acc = new_acc()?;
                        self.run_chunk(&sampler, s, e, every, &mut acc, buf)?;
                        {
                            let mut total = shared.lock().unwrap_or_else(|e| e.into_inner());
                            total.ranks.merge(&acc.ranks)?;
                            total.scores.merge(&acc.scores)?;
                        }
                        // dropped, not cleared: a fresh zeroed allocation keeps untouched pages out of
                        // memory and costs no pass over units² counters
                        drop(acc);
                    }
                }
                let d = done.fetch_add(e - s, Ordering::Relaxed) + (e - s);
                if let Some(p) = ctl.progress {
                    p(d, total);
                }
                Ok(())
            })?;
        let acc = shared.into_inner().unwrap_or_else(|e| e.into_inner());
        Ok(SweepResult {
            unit_codes: self.unit_codes().to_vec(),
            nominal_scores,
            nominal_ranks,
            ranks: acc.ranks,
            scores: acc.scores,
            ranges: normalise_ranges(vec![[range.start, range.end]]),
            fingerprint: Some(fingerprint),
        })
    }

    /// The memory a sweep of `cfg` is about to allocate with `threads` workers: the result's
    /// accumulators (`units² × 8` bytes of rank counts, `units × (bins + 2) × 8` of score cells),
    /// the pilot sample, and per worker either the fast paths' `u32` counters (`units² × 8` bytes
    /// with the `f32` path's unit-major copy) and score blocks, or the general path's chunk
    /// accumulator (as the result's) and chunk buffers (weights, effective weights, scores and
    /// scoring temporaries, `chunk × (nodes + indicators + 4·units) × 8` bytes).
    fn sweep_need(&self, cfg: &SweepConfig, fast: bool, threads: usize) -> Need {
        let n = self.n_units();
        let (nn, ni) = (self.n_nodes(), self.framework().n_indicators());
        let cells = if cfg.score_bins > 0 {
            cfg.score_bins.saturating_add(2)
        } else {
            0
        };
        let chunk = cfg.chunk_size.min(cfg.variants.max(1));
        let t = threads.max(1) as u64;
        let units = format!(
            "sweep fewer units at a time or use fewer worker threads (exact rank histograms keep \
             units² counters: {n} units need {} bytes per histogram, one per thread plus the \
             result)",
            bytes(n, n, 8)
        );
        let bins = format!("lower score_bins (now {})", cfg.score_bins);
        let chunks = format!("lower chunk_size (now {})", cfg.chunk_size);
        let mut need = Need::default();
        need.add(&units, bytes(n, n, 8));
        need.add(&bins, bytes(n, cells, 8));
        need.add(&units, bytes(n, 128, 1));
        need.add(&chunks, bytes(cfg.variants.min(256), nn + 3 * n, 8));
        if fast {
            need.add(&units, bytes(n, n, 8).saturating_mul(t));
            need.add(&units, bytes(BLOCK, n, 24).saturating_mul(t));
            need.add(&bins, bytes(n, cells, 4).saturating_mul(t));
        } else {
            need.add(&units, bytes(n, n, 8).saturating_mul(t));
            need.add(&bins, bytes(n, cells, 8).saturating_mul(t));
            let per_variant = nn.saturating_add(ni).saturating_add(n.saturating_mul(4));
            need.add(&chunks, bytes(chunk, per_variant, 8).saturating_mul(t));
        }
        need
    }

    fn run_chunk(
        &self,
        sampler: &VariantSampler,
        s: usize,
        e: usize,
        every: usize,
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
        for (i, row) in buf.s.rows().into_iter().enumerate() {
            let row = row
                .as_slice()
                .ok_or_else(|| Error::param("scores", "non-contiguous buffer"))?;
            buf.ranker.rank_into(row, &mut buf.ranks);
            acc.ranks.add(&buf.ranks);
            acc.scores.add_maybe_binned(row, (s + i) % every == 0);
        }
        Ok(())
    }

    /// The fast path of [`BatchModel::run_chunk`] for a sampler that draws node-major blocks and a
    /// model whose variants are one matrix product: per block of [`BLOCK`] variants, draw the weights
    /// node-major, derive effective weights with straight loops over the variants, one product
    /// `(block × indicators)·(indicators × units)` with units in nominal order, then per variant the
    /// score sums and histogram cells and the ranks (insertion sort from the nominal order, so the cost
    /// is the unit count plus the number of swapped pairs). Accumulators are merged into `acc` at the
    /// end. Results are bit-identical to [`BatchModel::run_chunk`].
    fn run_chunk_fast(
        &self,
        plan: &LinearPlan,
        sampler: &VariantSampler,
        s: usize,
        e: usize,
        shared: &std::sync::Mutex<Acc>,
        fb: &mut FastBuffers,
    ) -> PermutedStats {
        let n = self.n_units();
        let (nn, ni, na) = (plan.n_nodes, plan.n_ind, plan.n_aggregates());
        if fb.w.len() != nn * BLOCK || fb.s.len() != BLOCK * n || fb.e.len() != ni * BLOCK {
            fb.w = vec![0.0; nn * BLOCK];
            fb.e = vec![0.0; ni * BLOCK];
            fb.inv = vec![0.0; na * BLOCK];
            fb.f = vec![0.0; BLOCK];
            fb.s = vec![0.0; BLOCK * n];
            fb.ranks = vec![0; n];
        }
        let mut sums = PermutedStats::default();
        {
            let mut acc = shared.lock().unwrap_or_else(|e| e.into_inner());
            fb.lay = acc.scores.permuted_layout(&plan.perm);
        }
        fb.cells_fit = n
            .checked_mul(fb.lay.bins.saturating_add(2))
            .is_some_and(|c| c < i32::MAX as usize);
        fb.cells.resize(n, 0);
        fb.reset(n);
        let mut start = s;
        while start < e {
            let b = BLOCK.min(e - start);
            if !fb.weights_block(plan, sampler, start, b) {
                break;
            }
            let (Ok(ev), Ok(mut sv)) = (
                ArrayView2::from_shape((ni, b), &fb.e[..ni * b]),
                ArrayViewMut2::from_shape((b, n), &mut fb.s[..b * n]),
            ) else {
                break;
            };
            ndarray::linalg::general_mat_mul(1.0, &ev.t(), &plan.xtp, 0.0, &mut sv);
            fb.accumulate_block(start, b, n, &plan.bonus);
            if fb.variants > u64::from(u32::MAX) - 2 * BLOCK as u64 {
                fb.flush(plan, shared, &mut sums);
            }
            start += b;
        }
        fb.flush(plan, shared, &mut sums);
        sums
    }

    /// The `f32` variant of [`BatchModel::run_chunk_fast`] (see the `fast32` module): same sampling
    /// and effective weights, then [`Buf32::block`] per block.
    #[allow(clippy::too_many_arguments)]
    fn run_chunk_32(
        &self,
        plan: &LinearPlan,
        plan32: &Plan32,
        sampler: &VariantSampler,
        s: usize,
        e: usize,
        shared: &std::sync::Mutex<Acc>,
        buf: &mut Buffers,
    ) -> PermutedStats {
        let n = self.n_units();
        let (nn, ni, na) = (plan.n_nodes, plan.n_ind, plan.n_aggregates());
        let fb = &mut buf.fast;
        let b32 = &mut buf.b32;
        if fb.w.len() != nn * BLOCK || fb.e.len() != ni * BLOCK {
            fb.w = vec![0.0; nn * BLOCK];
            fb.e = vec![0.0; ni * BLOCK];
            fb.inv = vec![0.0; na * BLOCK];
            fb.f = vec![0.0; BLOCK];
        }
        let mut sums = PermutedStats::default();
        {
            let mut acc = shared.lock().unwrap_or_else(|e| e.into_inner());
            b32.lay = acc.scores.permuted_layout(&plan.perm);
        }
        b32.reset(n);
        let mut start = s;
        while start < e {
            let b = BLOCK.min(e - start);
            if !fb.weights_block(plan, sampler, start, b) {
                break;
            }
            b32.block(plan32, &fb.e[..ni * b], start, b);
            if b32.variants > u64::from(u32::MAX) - 2 * BLOCK as u64 {
                flush32(plan, n, shared, &mut sums, b32);
            }
            start += b;
        }
        flush32(plan, n, shared, &mut sums, b32);
        sums
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

/// [`FastBuffers::flush`] for the `f32` path.
fn flush32(
    plan: &LinearPlan,
    n: usize,
    shared: &std::sync::Mutex<Acc>,
    sums: &mut PermutedStats,
    b: &mut Buf32,
) {
    b.stats.n.iter_mut().for_each(|c| *c += b.clean);
    let counts = b.unit_major_counts(n);
    {
        let mut acc = shared.lock().unwrap_or_else(|e| e.into_inner());
        acc.ranks
            .add_permuted(&plan.perm, &counts, &b.rank_missing, b.variants);
        acc.scores.add_permuted_hist(&plan.perm, &b.stats.hist);
    }
    b.stats.add_moments_to(sums);
    b.reset(n);
}

impl FastBuffers {
    /// Sample variants `start..start + b` node-major and derive their effective weights.
    #[inline(always)]
    fn weights_block_body(
        &mut self,
        plan: &LinearPlan,
        sampler: &VariantSampler,
        start: usize,
        b: usize,
    ) -> bool {
        if !sampler.fill_block(start, b, &mut self.w) {
            return false;
        }
        plan.effective_weights_block(&self.w, b, &mut self.e, &mut self.inv, &mut self.f);
        true
    }

    /// Accumulate the `b` variants whose scores fill `self.s`.
    #[inline(always)]
    fn accumulate_block_body(&mut self, start: usize, b: usize, n: usize, bonus: &[f64]) {
        let every = self.every.max(1);
        for v in 0..b {
            self.add_variant(v * n, n, bonus, (start + v) % every == 0);
        }
        flush_clean(&mut self.qsum, &mut self.qsum2, &mut self.stats.mom);
        if !self.deferred.is_empty() {
            for (row, cnt) in self
                .deferred
                .chunks_exact(BLOCK)
                .zip(self.counts.chunks_exact_mut(n))
            {
                for &r in &row[..b.min(BLOCK)] {
                    if let Some(c) = (r as usize).checked_sub(1).and_then(|i| cnt.get_mut(i)) {
                        *c += 1;
                    }
                }
            }
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn weights_block_avx2(
        &mut self,
        plan: &LinearPlan,
        sampler: &VariantSampler,
        start: usize,
        b: usize,
    ) -> bool {
        self.weights_block_body(plan, sampler, start, b)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn accumulate_block_avx2(&mut self, start: usize, b: usize, n: usize, bonus: &[f64]) {
        self.accumulate_block_body(start, b, n, bonus)
    }

    /// [`FastBuffers::weights_block_body`], compiled for AVX2 when the CPU has it (the arithmetic is
    /// the same: Rust never fuses a multiply and an add on its own, so results are bit-identical).
    fn weights_block(
        &mut self,
        plan: &LinearPlan,
        sampler: &VariantSampler,
        start: usize,
        b: usize,
    ) -> bool {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU supports AVX2 and FMA (checked just above); the function is safe code.
            return unsafe { self.weights_block_avx2(plan, sampler, start, b) };
        }
        self.weights_block_body(plan, sampler, start, b)
    }

    /// [`FastBuffers::accumulate_block_body`], compiled for AVX2 when the CPU has it.
    fn accumulate_block(&mut self, start: usize, b: usize, n: usize, bonus: &[f64]) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU supports AVX2 and FMA (checked just above); the function is safe code.
            return unsafe { self.accumulate_block_avx2(start, b, n, bonus) };
        }
        self.accumulate_block_body(start, b, n, bonus)
    }

    fn reset(&mut self, n: usize) {
        let cells = if self.lay.bins > 0 {
            n * (self.lay.bins + 2)
        } else {
            0
        };
        self.counts.clear();
        self.counts.resize(n * n, 0);
        let defer = n > DEFER_ABOVE && n <= usize::from(u16::MAX);
        self.deferred.resize(if defer { n * BLOCK } else { 0 }, 0);
        self.rank_missing.clear();
        self.rank_missing.resize(n, 0);
        self.stats.reset(n, cells);
        for v in [&mut self.qsum, &mut self.qsum2] {
            v.clear();
            v.resize(n, 0);
        }
        self.clean = 0;
        self.variants = 0;
    }

    /// Move the counts into `shared` and add the sums to `sums` (same entry-wise order as a single
    /// accumulation: `sums` starts at 0 and is flushed into only at the end of a chunk, or before a
    /// `u32` counter could overflow).
    fn flush(
        &mut self,
        plan: &LinearPlan,
        shared: &std::sync::Mutex<Acc>,
        sums: &mut PermutedStats,
    ) {
        let n = self.rank_missing.len();
        self.stats.n.iter_mut().for_each(|c| *c += self.clean);
        {
            let mut acc = shared.lock().unwrap_or_else(|e| e.into_inner());
            acc.ranks
                .add_permuted(&plan.perm, &self.counts, &self.rank_missing, self.variants);
            acc.scores.add_permuted_hist(&plan.perm, &self.stats.hist);
        }
        self.stats.add_moments_to(sums);
        self.reset(n);
    }

    /// Accumulate the variant whose scores (position order) start at `self.s[off]`.
    #[inline(always)]
    fn add_variant(&mut self, off: usize, n: usize, bonus: &[f64], bin: bool) {
        let Some(t) = self.s.get_mut(off..off + n) else {
            return;
        };
        if !bonus.is_empty() {
            t.iter_mut().zip(bonus).for_each(|(x, &b)| *x += b);
        }
        let t = &*t;
        self.variants += 1;
        let mut nan = false;
        for &x in t {
            nan |= x.is_nan();
        }
        let st = &mut self.stats;
        let stride = self.lay.bins + 2;
        let top = self.lay.bins as f64;
        if nan {
            if !self.deferred.is_empty() {
                let v = off / n.max(1);
                for p in 0..n {
                    if let Some(d) = self.deferred.get_mut(p * BLOCK + v) {
                        *d = 0;
                    }
                }
            }
            rank_min_into(t, &mut self.ranks);
            for (p, &r) in self.ranks.iter().enumerate() {
                if r == 0 {
                    self.rank_missing[p] += 1;
                } else {
                    self.counts[p * n + r as usize - 1] += 1;
                }
                let x = t[p];
                if x.is_nan() {
                    st.missing[p] += 1;
                    continue;
                }
                st.n[p] += 1;
                let d = x - self.lay.shift[p];
                let e = self.lay.exp.get(p).copied().unwrap_or(0);
                st.mom.add(p, d, self.lay.m1[p], self.lay.m2[p], e);
                if self.lay.bins > 0 && bin {
                    let (lo, hi) = (self.lay.lo[p], self.lay.hi[p]);
                    let c = ((x - lo) * self.lay.scale[p]).clamp(0.0, top - 1.0) as usize + 1;
                    let cell = if x < lo {
                        0
                    } else if x > hi {
                        stride - 1
                    } else {
                        c
                    };
                    st.hist[p * stride + cell] += 1;
                }
            }
            return;
        }
        self.clean += 1;
        add_clean_row(t, &self.lay, &mut self.qsum, &mut self.qsum2, &mut st.mom);
        if !bin || self.lay.bins == 0 {
            // moments only
        } else if self.cells_fit {
            // bin cells as in `ScoreStats::add`, computed for all units in straight (vector) code
            // into `cells`, then counted
            let (stride_i, topm1) = (stride as i32, top - 1.0);
            for (p, ((((&x, &lo), &hi), &sc), cell)) in t
                .iter()
                .zip(&self.lay.lo)
                .zip(&self.lay.hi)
                .zip(&self.lay.scale)
                .zip(self.cells.iter_mut())
                .enumerate()
            {
                let c = ((x - lo) * sc).max(0.0).min(topm1) as i32 + 1;
                let c = if x < lo {
                    0
                } else if x > hi {
                    stride_i - 1
                } else {
                    c
                };
                *cell = p as i32 * stride_i + c;
            }
            for &c in &self.cells {
                if let Some(h) = st.hist.get_mut(c as usize) {
                    *h += 1;
                }
            }
        } else {
            for (p, (((&x, &lo), &hi), &sc)) in t
                .iter()
                .zip(&self.lay.lo)
                .zip(&self.lay.hi)
                .zip(&self.lay.scale)
                .enumerate()
            {
                let c = ((x - lo) * sc).clamp(0.0, top - 1.0) as usize + 1;
                let cell = if x < lo {
                    0
                } else if x > hi {
                    stride - 1
                } else {
                    c
                };
                if let Some(h) = st.hist.get_mut(p * stride + cell) {
                    *h += 1;
                }
            }
        }
        if n > SORT_ABOVE {
            rank_radix(t, &mut self.keys, &mut self.tmp, &mut self.ranks);
        } else {
            rank_counting(t, &mut self.s32, &mut self.ranks);
        }
        if self.deferred.is_empty() {
            for (p, &r) in self.ranks.iter().enumerate() {
                if let Some(c) = self.counts.get_mut(p * n + r as usize - 1) {
                    *c += 1;
                }
            }
        } else {
            // ranks ≤ n ≤ u16::MAX here
            let v = off / n.max(1);
            for (p, &r) in self.ranks.iter().enumerate() {
                if let Some(d) = self.deferred.get_mut(p * BLOCK + v) {
                    *d = r as u16;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::{NodeSelection, min_max_columns, synthetic};
    use crate::{AggregatorKind, MissingPolicy};

    fn general_path(m: &BatchModel, cfg: &SweepConfig) -> (RankHistogram, ScoreStats) {
        let sampler = VariantSampler::new(m, &cfg.weights, &cfg.alternatives, cfg.seed).unwrap();
        let (nom, _) = m.nominal().unwrap();
        let bounds = match m.mean_bounds() {
            Some(b) => b,
            None => m
                .pilot_bounds(&sampler, cfg.variants.min(256), &nom)
                .unwrap(),
        };
        let new_acc = || Acc {
            ranks: RankHistogram::new(m.n_units()),
            scores: ScoreStats::new(nom.clone(), bounds.clone(), cfg.score_bins),
        };
        let mut total = new_acc();
        let mut buf = Buffers::default();
        for s in (0..cfg.variants).step_by(cfg.chunk_size) {
            let e = (s + cfg.chunk_size).min(cfg.variants);
            let mut acc = new_acc();
            m.run_chunk(&sampler, s, e, bin_every(cfg.variants), &mut acc, &mut buf)
                .unwrap();
            total.ranks.merge(&acc.ranks).unwrap();
            total.scores.merge(&acc.scores).unwrap();
        }
        (total.ranks, total.scores)
    }

    /// Score statistics of the `f32` path against the `f64` general path: the same counts, moments
    /// within the `f32` error bound, quantiles within one histogram bin.
    fn assert_scores_close(a: &ScoreStats, b: &ScoreStats) {
        let n = a.n_units();
        assert_eq!(n, b.n_units());
        for u in 0..n {
            assert_eq!(a.count(u), b.count(u), "unit {u}");
            assert_eq!(a.n_missing(u), b.n_missing(u), "unit {u}");
            assert_eq!(a.binned(u), b.binned(u), "unit {u}");
            let (Some(ma), Some(mb)) = (a.mean(u), b.mean(u)) else {
                assert_eq!(a.mean(u), b.mean(u));
                continue;
            };
            assert!(
                (ma - mb).abs() <= 1e-5 * (1.0 + mb.abs()),
                "unit {u}: {ma} vs {mb}"
            );
            let (sa, sb) = (a.sd(u).unwrap_or(0.0), b.sd(u).unwrap_or(0.0));
            assert!(
                (sa - sb).abs() <= 1e-4 * (1.0 + sb),
                "unit {u}: sd {sa} vs {sb}"
            );
            if let Some((lo, hi)) = a.bounds(u) {
                let bin = (hi - lo) / a.n_bins().max(1) as f64;
                for q in [0.05, 0.5, 0.95] {
                    let (qa, qb) = (a.quantile(u, q).unwrap(), b.quantile(u, q).unwrap());
                    assert!(
                        (qa - qb).abs() <= bin * 1.000_001,
                        "unit {u} q{q}: {qa} vs {qb}"
                    );
                }
            }
        }
    }

    /// The `f32` path re-ranks close neighbours from their `f64` scores: exact ties (identical rows),
    /// differences far below `f32` resolution, negative data (the general error bound) and large
    /// magnitudes all give exactly the ranks of the `f64` general path.
    #[test]
    fn f32_path_ranks_equal_f64_ranks_on_near_ties() {
        let (fw, raw) = synthetic(40, 12, 4, 2, 7).unwrap();
        let n_agg = fw.nodes().len() - fw.n_indicators();
        let mut x = min_max_columns(&raw);
        let row0 = x.row(0).to_owned();
        x.row_mut(1).assign(&row0);
        x.row_mut(2).assign(&row0);
        x[[2, 0]] += 1e-12;
        x.row_mut(3).assign(&row0);
        x[[3, 5]] -= 3e-9;
        let row9 = x.row(9).to_owned();
        for u in 10..14 {
            x.row_mut(u).assign(&row9);
            x[[u, u % 12]] += (u as f64 - 11.5) * 1e-10;
        }
        for (shift, scale) in [(0.0, 1.0), (-0.5, 1.0), (-0.3, 1e6)] {
            let xs = x.mapv(|v| (v + shift) * scale);
            let m = BatchModel::new(
                fw.clone(),
                vec![AggregatorKind::Arithmetic; n_agg],
                MissingPolicy::default(),
                None,
                vec![xs],
            )
            .unwrap();
            for (spread, chunk) in [(0.25, 4096), (0.8, 100)] {
                let mut cfg = SweepConfig::new(
                    3000,
                    11,
                    WeightSampler::Uniform {
                        spread,
                        nodes: NodeSelection::All,
                    },
                );
                cfg.chunk_size = chunk;
                let fast = m.sweep(&cfg, Control::default()).unwrap();
                let (ranks, scores) = general_path(&m, &cfg);
                assert_eq!(
                    fast.ranks, ranks,
                    "shift {shift}, scale {scale}, spread {spread}"
                );
                assert_scores_close(&fast.scores, &scores);
                // identical rows share their rank in every variant
                for r in 1..=40 {
                    assert_eq!(fast.ranks.count(0, r), fast.ranks.count(1, r));
                }
            }
        }
    }

    #[test]
    fn fast_path_equals_general_path_bit_for_bit() {
        let (fw, raw) = synthetic(37, 12, 5, 2, 3).unwrap();
        let n_agg = fw.nodes().len() - fw.n_indicators();
        let n_nodes = fw.nodes().len();
        let x = min_max_columns(&raw);
        let mean = BatchModel::new(
            fw.clone(),
            vec![AggregatorKind::Arithmetic; n_agg],
            MissingPolicy::default(),
            None,
            vec![x.clone()],
        )
        .unwrap();
        let mut kinds = vec![AggregatorKind::Arithmetic; n_agg];
        kinds[0] = AggregatorKind::Sum; // no mean bounds: pilot bounds, under/overflow cells
        let sum = BatchModel::new(fw, kinds, MissingPolicy::default(), None, vec![x]).unwrap();
        // first sub-pillar's indicators weigh 0: its mean is missing, so is every index score
        let mut w0 = vec![1.0; n_nodes];
        w0[..3].fill(0.0);
        let zero = BatchModel::new(
            mean.framework().clone(),
            vec![AggregatorKind::Arithmetic; n_agg],
            MissingPolicy::default(),
            None,
            vec![mean.alternative(0).unwrap().clone()],
        )
        .unwrap()
        .with_nominal_weights(w0)
        .unwrap();
        let cases = [
            (
                &mean,
                WeightSampler::Uniform {
                    spread: 0.6,
                    nodes: NodeSelection::All,
                },
                300,
            ),
            (
                &mean,
                WeightSampler::Triangular {
                    spread: 0.3,
                    nodes: NodeSelection::Levels { levels: vec![1, 3] },
                },
                1000,
            ),
            (
                &sum,
                WeightSampler::Uniform {
                    spread: 0.9,
                    nodes: NodeSelection::All,
                },
                257,
            ),
            (&zero, WeightSampler::Nominal, 300),
        ];
        for (m, ws, chunk) in cases {
            let mut cfg = SweepConfig::new(1000, 5, ws);
            cfg.chunk_size = chunk;
            cfg.score_bins = 16;
            let sampler =
                VariantSampler::new(m, &cfg.weights, &cfg.alternatives, cfg.seed).unwrap();
            assert!(sampler.block_capable() && m.is_single_product(0));
            let fast = m.sweep(&cfg, Control::default()).unwrap();
            let (ranks, scores) = general_path(m, &cfg);
            assert_eq!(fast.ranks, ranks);
            assert_scores_close(&fast.scores, &scores);
            for threads in [1, 2] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let r = pool.install(|| m.sweep(&cfg, Control::default()).unwrap());
                assert_eq!(r, fast, "{threads} threads");
            }
        }
        // above DEFER_ABOVE units rank counts are deferred to the end of each block; with a
        // missing sub-pillar for some variants (zero weights drawn) the NaN path mixes in
        let (fw, raw) = synthetic(DEFER_ABOVE + 44, 9, 3, 2, 4).unwrap();
        let n_agg = fw.nodes().len() - fw.n_indicators();
        let big = BatchModel::new(
            fw,
            vec![AggregatorKind::Arithmetic; n_agg],
            MissingPolicy::default(),
            None,
            vec![min_max_columns(&raw)],
        )
        .unwrap();
        let mut cfg = SweepConfig::new(
            700,
            3,
            WeightSampler::Uniform {
                spread: 1.0,
                nodes: NodeSelection::All,
            },
        );
        cfg.chunk_size = 300;
        let fast = big.sweep(&cfg, Control::default()).unwrap();
        let (ranks, scores) = general_path(&big, &cfg);
        assert_eq!(fast.ranks, ranks);
        assert_eq!(fast.scores, scores);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        assert_eq!(
            pool.install(|| big.sweep(&cfg, Control::default()).unwrap()),
            fast
        );
        // above 131 071 variants only every `bin_every(K)`-th variant is binned
        let mut cfg = SweepConfig::new(
            140_000,
            9,
            WeightSampler::Uniform {
                spread: 0.5,
                nodes: NodeSelection::All,
            },
        );
        cfg.score_bins = 32;
        assert_eq!(bin_every(cfg.variants), 2);
        let fast = mean.sweep(&cfg, Control::default()).unwrap();
        let (ranks, scores) = general_path(&mean, &cfg);
        assert_eq!(fast.ranks, ranks);
        assert_scores_close(&fast.scores, &scores);
        assert_eq!(fast.scores.count(0), 140_000);
        assert_eq!(fast.scores.binned(0), 70_000);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        assert_eq!(
            pool.install(|| mean.sweep(&cfg, Control::default()).unwrap()),
            fast
        );
        let mut a = mean
            .sweep_range(&cfg, 0..70_001, Control::default())
            .unwrap();
        a.merge(
            &mean
                .sweep_range(&cfg, 70_001..140_000, Control::default())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(a.ranks, fast.ranks);
        assert_eq!(a.scores.binned(3), 70_000);
        assert_eq!(a.scores.quantile(3, 0.5), fast.scores.quantile(3, 0.5));
        assert_eq!(
            zero.sweep(
                &SweepConfig::new(10, 1, WeightSampler::Nominal),
                Control::default()
            )
            .unwrap()
            .ranks
            .n_missing(0),
            10
        );
    }
}
