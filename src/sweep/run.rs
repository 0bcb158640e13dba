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
//!   160 units: AVX2 counting on `f32` copies with the exact `f64` fallback on `f32` ties; 161 to
//!   8,192: radix sort of `u32` keys quantised on the variant's range; above: radix sort of `f32`
//!   keys; equal keys are settled by the `f64` scores) go into per-thread buffers (`u16` rank counts,
//!   deferred above 256 units and counted position by position after each block; `u32` histogram
//!   cells; exact score sums), merged into the `u64` accumulators before a `u16` count could
//!   overflow and once, in parallel over units, at the end of the sweep;
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
use std::sync::atomic::{AtomicUsize, Ordering};

use ndarray::Array2;
use rayon::prelude::*;

use super::BatchModel;
use super::config::{
    AUTO_RANK_BINS, AUTO_RANK_CELLS, Control, MAX_SCORE_BINS, RankSummary, SweepConfig,
};
use super::engine::Acc;
use super::engine::accumulate::bin_every;
use super::engine::fast32::{Buf32, MAX_UNITS as F32_MAX_UNITS, Plan32};
use super::engine::fast64::{
    BLOCK, FastBuffers, block_for, defers, finish_fast, run_chunk_32, run_chunk_fast,
};
use super::engine::memory::{Need, bytes};
use super::engine::rank::Ranker;
use super::histogram::RankHistogram;
use super::result::{SweepFingerprint, SweepResult, normalise_ranges};
use super::sampler::VariantSampler;
use super::score_stats::ScoreStats;
use crate::error::{Error, Expected, Result};
use crate::rank::Rank;

/// The step between work items of a fast-path sweep of `len` variants on `threads` threads: the
/// chunk size, or less (a multiple of [`BLOCK`], at least one block) so that there are at least four
/// items per thread and none waits long for the last one. (The f64 fast path merges a thread's
/// counts once, after its last item, so more items cost no more merges.)
fn fast_step(chunk: usize, len: usize, threads: usize) -> usize {
    let per = len.div_ceil(4 * threads.max(1)).div_ceil(BLOCK).max(1) * BLOCK;
    chunk.min(per).max(1)
}

/// [`Buffers`] borrowed from a pool for the life of one rayon split, returned when it ends.
struct Pooled<'a> {
    buf: Buffers,
    pool: &'a std::sync::Mutex<Vec<Buffers>>,
}

impl<'a> Pooled<'a> {
    fn take(pool: &'a std::sync::Mutex<Vec<Buffers>>) -> Pooled<'a> {
        let buf = pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
        Pooled {
            buf: buf.unwrap_or_default(),
            pool,
        }
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        let b = std::mem::take(&mut self.buf);
        self.pool.lock().unwrap_or_else(|e| e.into_inner()).push(b);
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

impl BatchModel {
    /// Nominal index scores and ranks (nominal weights, alternative 0; ranks by the crate's rank
    /// contract, [`crate::rank`], `None` for a missing score).
    ///
    /// # Errors
    ///
    /// Scoring errors of the model.
    ///
    /// ```
    /// use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// use composite_indicators::sweep::BatchModel;
    /// let fw = FrameworkSpec::new( "t", vec![Indicator::new("a", "I")],
    ///     vec![Pillar::new("I")] ).check().unwrap();
    /// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None,
    ///     vec![ndarray::array![[1.0], [3.0], [f64::NAN]]]).unwrap();
    /// let (_, ranks) = m.nominal().unwrap();
    /// assert_eq!(ranks, vec![Some(2), Some(1), None]);
    /// ```
    pub fn nominal(&self) -> Result<(Vec<f64>, Vec<Option<Rank>>)> {
        let (s, r) = self.nominal_encoded()?;
        Ok((s, r.into_iter().map(|r| (r > 0).then_some(r)).collect()))
    }

    /// [`BatchModel::nominal`] with the engine's rank encoding (`0` = unranked).
    /// Computed once per model and kept (`Derived`).
    pub(crate) fn nominal_encoded(&self) -> Result<(Vec<f64>, Vec<u32>)> {
        if let Some(v) = self.derived.nominal() {
            return Ok(v.clone());
        }
        let s = self.score_index(self.nominal_weights(), 0)?;
        let mut r = vec![0u32; s.len()];
        Ranker::default().rank_into(&s, &mut r);
        self.derived.keep_nominal((s.clone(), r.clone()));
        Ok((s, r))
    }

    /// Run a whole sweep: variants `0..cfg.variants`. See [`BatchModel::sweep_range`].
    ///
    /// ```
    /// use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// use composite_indicators::sweep::{BatchModel, NodeSelection, SweepConfig, WeightSampler};
    /// let fw = FrameworkSpec::new( "t", vec![Indicator::new("a", "I"),
    ///     Indicator::new("b", "I")], vec![Pillar::new("I")] ).check().unwrap();
    /// let x = ndarray::array![[0.0, 1.0], [1.0, 0.0], [0.2, 0.2]];
    /// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None,
    ///     vec![x]).unwrap();
    /// let cfg = SweepConfig::new(500, 1, WeightSampler::Uniform { spread: 0.5, nodes: NodeSelection::All });
    /// let r = m.sweep(&cfg).unwrap();
    /// assert_eq!(r.ranks.n_variants(), 500);
    /// assert_eq!(r.ranks.count(2, 3), 500); // 0.2 is always last: the others lie in [0.25, 0.75]
    /// ```
    pub fn sweep(&self, cfg: &SweepConfig) -> Result<SweepResult> {
        self.sweep_range_with(cfg, 0..cfg.variants, &Control::default())
    }

    /// [`BatchModel::sweep`] with progress reporting and cancellation ([`Control`]).
    ///
    /// # Errors
    ///
    /// As [`BatchModel::sweep_range`], and [`Error::Cancelled`] when cancelled through `ctl`.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    /// use composite_indicators::{AggregatorKind, Error, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// use composite_indicators::sweep::{BatchModel, Control, SweepConfig};
    /// let fw = FrameworkSpec::new( "t", vec![Indicator::new("a", "I"),
    ///     Indicator::new("b", "I")], vec![Pillar::new("I")] ).check().unwrap();
    /// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None,
    ///     vec![ndarray::array![[0.0, 1.0], [1.0, 0.0]]]).unwrap();
    /// let cfg = SweepConfig::default().with_variants(100).with_chunk_size(10);
    /// let done = AtomicUsize::new(0);
    /// let progress = |d: usize, _: usize| { done.fetch_max(d, Ordering::Relaxed); };
    /// m.sweep_with(&cfg, &Control::default().with_progress(&progress)).unwrap();
    /// assert_eq!(done.load(Ordering::Relaxed), 100);
    /// let stop = AtomicBool::new(true);
    /// let r = m.sweep_with(&cfg, &Control::default().with_cancel(&stop));
    /// assert!(matches!(r, Err(Error::Cancelled)));
    /// ```
    pub fn sweep_with(&self, cfg: &SweepConfig, ctl: &Control<'_>) -> Result<SweepResult> {
        self.sweep_range_with(cfg, 0..cfg.variants, ctl)
    }

    /// Run variants `range` of the sweep `cfg` (in parallel chunks of `cfg.chunk_size`). Results of
    /// disjoint ranges merge ([`SweepResult::merge`]) into the result of their union bit for bit, and
    /// every result is bit-identical for any thread count and chunk size. The result records `range`
    /// ([`SweepResult::ranges`]) and the sweep's [`SweepFingerprint`].
    ///
    /// Memory: before allocating its accumulators the sweep estimates its memory (rank histograms of
    /// `units² × 8` bytes for the result and each worker thread, or `units × bins × 8` with a binned
    /// [`RankSummary`], score histograms, chunk buffers) and
    /// checks it against [`SweepConfig::memory_budget`] (else the model's
    /// [`BatchModel::memory_budget`]). With [`RankSummary::Auto`] the rank histograms are exact when
    /// that estimate fits, and otherwise binned as finely as the budget allows; the result's
    /// [`RankHistogram::bin_width`] says which (binned summaries use the `f64` fast path, not the
    /// `f32` one).
    ///
    /// # Errors
    ///
    /// [`Error::MemoryBudget`] when the estimate exceeds the budget (naming the setting that reduces
    /// it), [`Error::AllocationFailed`] when the system refuses an allocation anyway,
    /// [`Error::InvalidParameter`] for a zero chunk size, too many score bins, a range beyond
    /// `cfg.variants`, an invalid sampler or a binned rank summary of 0 bins, and scoring errors of
    /// the model.
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
    pub fn sweep_range(&self, cfg: &SweepConfig, range: Range<usize>) -> Result<SweepResult> {
        self.sweep_range_with(cfg, range, &Control::default())
    }

    /// [`BatchModel::sweep_range`] with progress reporting and cancellation ([`Control`]).
    ///
    /// # Errors
    ///
    /// As [`BatchModel::sweep_range`], and [`Error::Cancelled`] when cancelled through `ctl`.
    ///
    /// ```
    /// use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// use composite_indicators::sweep::{BatchModel, Control, SweepConfig};
    /// let fw = FrameworkSpec::new( "t", vec![Indicator::new("a", "I"),
    ///     Indicator::new("b", "I")], vec![Pillar::new("I")] ).check().unwrap();
    /// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None,
    ///     vec![ndarray::array![[0.0, 1.0], [1.0, 0.0]]]).unwrap();
    /// let cfg = SweepConfig::default().with_variants(100);
    /// let r = m.sweep_range_with(&cfg, 10..20, &Control::default()).unwrap();
    /// assert_eq!(r.ranges, vec![[10, 20]]);
    /// ```
    pub fn sweep_range_with(
        &self,
        cfg: &SweepConfig,
        range: Range<usize>,
        ctl: &Control<'_>,
    ) -> Result<SweepResult> {
        // without score statistics the score bins are not used: the sweep, its memory estimate and
        // its fingerprint see 0
        let lean;
        let cfg = if cfg.score_stats || cfg.score_bins == 0 {
            cfg
        } else {
            lean = cfg.clone().with_score_stats(false);
            &lean
        };
        if cfg.chunk_size == 0 {
            return Err(Error::invalid(
                "chunk_size",
                cfg.chunk_size,
                Expected::at_least(1.0),
            ));
        }
        if cfg.variants == 0 {
            return Err(Error::invalid(
                "variants",
                cfg.variants,
                Expected::at_least(1.0),
            ));
        }
        if cfg.score_bins > MAX_SCORE_BINS {
            return Err(Error::invalid(
                "score_bins",
                cfg.score_bins,
                Expected::Rule(format!(
                    "at most {MAX_SCORE_BINS} (finer bins cannot be resolved)"
                )),
            ));
        }
        if range.end > cfg.variants {
            return Err(Error::invalid(
                "range",
                format!("{}..{}", range.start, range.end),
                Expected::Rule(format!("ends beyond the {} variants", cfg.variants)),
            ));
        }
        let sampler = VariantSampler::new(self, &cfg.weights, &cfg.alternatives, cfg.seed)?;
        if let Some(max) = sampler.max_variants()
            && cfg.variants > max
        {
            return Err(Error::invalid(
                "variants",
                cfg.variants,
                Expected::Rule(format!("at most {max}, the length of the weight list")),
            ));
        }
        let fast = sampler
            .fixed_alt()
            .is_some_and(|a| sampler.block_capable() && self.is_single_product(a));
        let budget = cfg.memory_budget.unwrap_or_else(|| self.memory_budget());
        let threads = rayon::current_num_threads();
        let width = self.rank_width(cfg, fast, threads, budget)?;
        self.sweep_need(cfg, fast, threads, width).check(
            format!(
                "a sweep of {} units (chunk size {}, {} score bins, {} threads{})",
                self.n_units(),
                cfg.chunk_size,
                cfg.score_bins,
                threads,
                if width > 1 {
                    format!(", rank bins of {width}")
                } else {
                    String::new()
                }
            ),
            budget,
        )?;
        // the model's fingerprint (a byte-wise pass over the data, the longest step) beside the
        // nominal scores, the score bounds and the fast path's plan, which depend on each other
        let (model_hash, prep) = rayon::join(
            || self.model_hash(),
            || -> Result<_> {
                let (nominal_scores, nominal_ranks) = self.nominal()?;
                let bounds = match self.mean_bounds() {
                    Some(b) => b,
                    None => self.pilot_bounds(&sampler, cfg.variants.min(256), &nominal_scores)?,
                };
                let plan = match sampler.fixed_alt() {
                    Some(a) if sampler.block_capable() => self.linear_plan(a, &nominal_scores),
                    _ => None,
                };
                Ok((nominal_scores, nominal_ranks, bounds, plan))
            },
        );
        let fingerprint = SweepFingerprint {
            seed: cfg.seed,
            variants: cfg.variants,
            config: format!("{:016x}", cfg.config_hash(width)),
            model: format!("{model_hash:016x}"),
        };
        let (nominal_scores, nominal_ranks, bounds, plan) = prep?;
        // the f32 path keeps exact rank counts only (it serves at most 256 units, where they fit)
        let plan32 = plan.as_ref().filter(|_| width == 1).and_then(|p| {
            let lo = bounds.iter().map(|b| b.0).fold(f64::INFINITY, f64::min);
            let hi = bounds.iter().map(|b| b.1).fold(f64::NEG_INFINITY, f64::max);
            Plan32::new(p, lo, hi, sampler.weights_nonneg())
        });
        let n_units = self.n_units();
        let new_acc = || -> Result<Acc> {
            Ok(Acc {
                ranks: RankHistogram::binned(n_units, width)?,
                scores: if cfg.score_stats {
                    ScoreStats::try_new(nominal_scores.clone(), bounds.clone(), cfg.score_bins)?
                } else {
                    ScoreStats::not_kept(nominal_scores.clone(), bounds.clone())
                },
            })
        };
        // the fast paths split the range finer than `chunk_size` when that leaves a thread idle at the
        // end (their buffers do not grow with the chunk, and results do not depend on the split)
        let step = if plan.is_some() {
            fast_step(cfg.chunk_size, range.len(), threads)
        } else {
            cfg.chunk_size
        };
        // chunk starts as an indexed range (no vector: a sweep of 10^14 variants has 10^10 chunks)
        let n_chunks = range.len().div_ceil(step.max(1));
        let starts = (0..n_chunks)
            .into_par_iter()
            .map(|k| range.start + k * step);
        // per-thread scratch is handed from one rayon split to the next instead of reallocated
        let pool = std::sync::Mutex::new(Vec::<Buffers>::new());
        let total = range.len();
        let done = AtomicUsize::new(0);
        let every = bin_every(cfg.variants);
        // Every accumulator is a sum of integers, so chunks add theirs to one shared accumulator as
        // soon as they finish, in any order: at most one chunk accumulator per worker is alive.
        let shared = std::sync::Mutex::new(new_acc()?);
        starts.try_for_each_init(
            || Pooled::take(&pool),
            |pooled, s| -> Result<()> {
                let buf = &mut pooled.buf;
                if ctl.cancelled() {
                    return Err(Error::Cancelled);
                }
                let e = (s + step).min(range.end);
                match (&plan, &plan32) {
                    (Some(p), Some(p32)) => {
                        buf.fast.every = every;
                        buf.b32.every = every;
                        let sums = run_chunk_32(
                            n_units,
                            p,
                            p32,
                            &sampler,
                            s,
                            e,
                            &shared,
                            &mut buf.fast,
                            &mut buf.b32,
                        );
                        let mut acc = shared.lock().unwrap_or_else(|e| e.into_inner());
                        acc.scores.add_permuted_moments(&p.perm, &sums);
                    }
                    (Some(p), None) => {
                        buf.fast.every = every;
                        buf.fast.width = width;
                        let sums =
                            run_chunk_fast(n_units, p, &sampler, s, e, &shared, &mut buf.fast);
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
                ctl.report(d, total);
                Ok(())
            },
        )?;
        // the f64 fast path keeps each thread's counts across its work items: merge them once
        if let (Some(p), None) = (&plan, &plan32) {
            let mut bufs = pool.into_inner().unwrap_or_else(|e| e.into_inner());
            let mut fast: Vec<&mut FastBuffers> = bufs.iter_mut().map(|b| &mut b.fast).collect();
            let sums = finish_fast(p, &shared, &mut fast);
            let mut acc = shared.lock().unwrap_or_else(|e| e.into_inner());
            for s in &sums {
                acc.scores.add_permuted_moments(&p.perm, s);
            }
        }
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

    /// The rank-bin width of a sweep of `cfg`: 1 for exact histograms, `⌈units / bins⌉` for
    /// [`RankSummary::Binned`], and for [`RankSummary::Auto`] 1 when the exact sweep fits `budget`,
    /// else the narrowest width whose sweep does, but at least `⌈units / AUTO_RANK_BINS⌉` (the
    /// widest, one bin per unit, when none fits: the budget check then reports it).
    fn rank_width(
        &self,
        cfg: &SweepConfig,
        fast: bool,
        threads: usize,
        budget: u64,
    ) -> Result<usize> {
        let n = self.n_units();
        match cfg.rank_summary {
            RankSummary::Binned { bins: 0 } => Err(Error::invalid(
                "rank_summary bins",
                0,
                Expected::at_least(1.0),
            )),
            RankSummary::Auto => {
                let fits = |w: usize| self.sweep_need(cfg, fast, threads, w).total() <= budget;
                // at most AUTO_RANK_CELLS counters per histogram, whatever the budget
                let cells_width = n.div_ceil((AUTO_RANK_CELLS / n.max(1)).max(1));
                if n <= 1 || (cells_width <= 1 && fits(1)) {
                    return Ok(1);
                }
                // the need falls as the width grows: bisect for the narrowest width that fits
                let (mut lo, mut hi) = (1usize, n);
                if !fits(hi) {
                    return Ok(hi);
                }
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    if fits(mid) {
                        hi = mid;
                    } else {
                        lo = mid;
                    }
                }
                // no finer than AUTO_RANK_BINS bins per unit and AUTO_RANK_CELLS counters (a wider
                // width needs less: it fits too)
                Ok(hi.max(n.div_ceil(AUTO_RANK_BINS)).max(cells_width))
            }
            other => Ok(other.width(n)),
        }
    }

    /// The memory a sweep of `cfg` is about to allocate with `threads` workers: the result's
    /// accumulators (`units² × 8` bytes of rank counts, `units × (bins + 2) × 8` of score cells),
    /// the pilot sample, and per worker either the fast paths' `u32` counters (`units² × 8` bytes
    /// with the `f32` path's unit-major copy), score blocks and the linear plan (the data in nominal
    /// order, `units × (indicators + 24) × 8` bytes with per-unit layout), or the general path's chunk
    /// accumulator (as the result's) and chunk buffers (weights, effective weights, scores and
    /// scoring temporaries, `chunk × (nodes + indicators + 4·units) × 8` bytes).
    fn sweep_need(&self, cfg: &SweepConfig, fast: bool, threads: usize, width: usize) -> Need {
        let n = self.n_units();
        // rank counters per unit: n exact, ⌈n / width⌉ binned
        let nb = n.div_ceil(width.max(1));
        let (nn, ni) = (self.n_nodes(), self.framework().n_indicators());
        let cells = if cfg.score_bins > 0 {
            cfg.score_bins.saturating_add(2)
        } else {
            0
        };
        let chunk = cfg.chunk_size.min(cfg.variants.max(1));
        let t = threads.max(1) as u64;
        let units = if nb == n {
            format!(
                "sweep fewer units at a time, use fewer worker threads or a binned rank summary \
                 (SweepConfig::with_rank_bins, or RankSummary::Auto to bin only when needed; exact \
                 rank histograms keep units² counters: {n} units need {} bytes per histogram, one \
                 per thread plus the result)",
                bytes(n, n, 8)
            )
        } else {
            format!(
                "sweep fewer units at a time, use fewer worker threads or fewer rank bins (now \
                 {nb} per unit: {} bytes per histogram, one per thread plus the result)",
                bytes(n, nb, 8)
            )
        };
        let bins = format!("lower score_bins (now {})", cfg.score_bins);
        let chunks = format!("lower chunk_size (now {})", cfg.chunk_size);
        let mut need = Need::default();
        need.add(&units, bytes(n, nb, 8));
        need.add(&bins, bytes(n, cells, 8));
        need.add(&units, bytes(n, 128, 1));
        if !self.has_mean_bounds() {
            // the pilot sample that finds the score histograms' bounds
            need.add(&chunks, bytes(cfg.variants.min(256), nn + 3 * n, 8));
        }
        if fast {
            // rank counts: the f32 path keeps u32 counts plus a unit-major copy, the f64 path u16
            // counts and, where it defers them, a block of deferred ranks
            let (count_bytes, deferred) = if n <= F32_MAX_UNITS {
                (8, 0)
            } else if defers(n) {
                (2, BLOCK)
            } else {
                (2, 0)
            };
            need.add(&units, bytes(n, nb, count_bytes).saturating_mul(t));
            need.add(&units, bytes(n, deferred, 2).saturating_mul(t));
            // a block of scores, and per-unit scratch (sort keys, ranks, moments, layout)
            need.add(&units, bytes(block_for(n), n, 8).saturating_mul(t));
            need.add(&units, bytes(n, 160, 1).saturating_mul(t));
            need.add(&bins, bytes(n, cells, 4).saturating_mul(t));
            // the linear plan (the data in nominal order, indicators × units, and per-unit
            // positions, bonus terms and layout) and the merge's per-unit temporaries
            need.add(&units, bytes(n, ni.saturating_add(24), 8));
        } else {
            need.add(&units, bytes(n, nb, 8).saturating_mul(t));
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
            // rows of a standard-layout array (as `zeros` makes) are contiguous
            let alt = match row.as_slice_mut() {
                Some(r) => sampler.fill(s + i, r)?,
                None => {
                    debug_assert!(false, "a row of a standard-layout array is not contiguous");
                    let mut r = row.to_vec();
                    let alt = sampler.fill(s + i, &mut r)?;
                    row.iter_mut().zip(&r).for_each(|(x, &v)| *x = v);
                    alt
                }
            };
            buf.alts.push(alt);
        }
        let first = buf.alts.first().copied().unwrap_or(0);
        if buf.alts.iter().all(|&a| a == first) && self.is_single_product(first) {
            self.linear_scores_into(buf.w.view(), first, &mut buf.e, &mut buf.share, &mut buf.s)?;
        } else {
            buf.s = self.score_batch(buf.w.view(), &buf.alts)?;
        }
        for (i, row) in buf.s.rows().into_iter().enumerate() {
            // the scores come in standard layout (`zeros` or `score_batch`), so rows are contiguous
            let copy;
            let row = match row.as_slice() {
                Some(r) => r,
                None => {
                    debug_assert!(false, "a row of the score matrix is not contiguous");
                    copy = row.to_vec();
                    &copy
                }
            };
            buf.ranker.rank_into(row, &mut buf.ranks);
            acc.ranks.add_encoded(&buf.ranks);
            acc.scores
                .add_maybe_binned(row, (s + i).is_multiple_of(every));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Uniform noise of `spread` on every weight.
    fn all_uniform(spread: f64) -> WeightSampler {
        WeightSampler::Uniform {
            spread,
            nodes: NodeSelection::All,
        }
    }
    use crate::sweep::bench_support::{min_max_columns, synthetic};
    use crate::sweep::engine::fast64::DEFER_ABOVE;
    use crate::sweep::{NodeSelection, WeightSampler};
    use crate::{AggregatorKind, MissingPolicy};

    /// Synthetic min-max data under arithmetic means at every aggregate.
    fn arithmetic_model(
        units: usize,
        inds: usize,
        subs: usize,
        pils: usize,
        seed: u64,
    ) -> BatchModel {
        crate::sweep::bench_support::arithmetic_model(units, inds, subs, pils, seed).unwrap()
    }

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
                let mut cfg = SweepConfig::new(3000, 11, all_uniform(spread));
                cfg.chunk_size = chunk;
                let fast = m.sweep(&cfg).unwrap();
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

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

        /// The `f32` path's sorting network and exact re-ranking against the general path, whose
        /// [`Ranker`] is proptested equal to the rank contract: tie-heavy data (equal rows, values a
        /// hair apart, ±0) on 2 to 48 units.
        #[test]
        fn f32_network_ranks_equal_the_contract_on_random_ties(
            units in 2usize..=48,
            cells in proptest::collection::vec(0usize..6, 48 * 6),
            seed in 0u64..1000,
        ) {
            let (fw, _) = synthetic(units, 6, 3, 2, 1).unwrap();
            let n_agg = fw.nodes().len() - fw.n_indicators();
            let values = [0.0, -0.0, 0.25, 0.5, 0.5 + 1e-12, 1.0];
            let x = ndarray::Array2::from_shape_fn((units, 6), |(u, i)| values[cells[u * 6 + i]]);
            let m = BatchModel::new(
                fw,
                vec![AggregatorKind::Arithmetic; n_agg],
                MissingPolicy::default(),
                None,
                vec![x],
            )
            .unwrap();
            let cfg = SweepConfig::new(
                300,
                seed,
                all_uniform(0.5),
            )
            .with_chunk_size(128);
            let fast = m.sweep(&cfg).unwrap();
            let (ranks, _) = general_path(&m, &cfg);
            proptest::prop_assert_eq!(fast.ranks, ranks);
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
            (&mean, all_uniform(0.6), 300),
            (
                &mean,
                WeightSampler::Triangular {
                    spread: 0.3,
                    nodes: NodeSelection::Levels { levels: vec![1, 3] },
                },
                1000,
            ),
            (&sum, all_uniform(0.9), 257),
            (&zero, WeightSampler::Nominal, 300),
        ];
        for (m, ws, chunk) in cases {
            let mut cfg = SweepConfig::new(1000, 5, ws);
            cfg.chunk_size = chunk;
            cfg.score_bins = 16;
            let sampler =
                VariantSampler::new(m, &cfg.weights, &cfg.alternatives, cfg.seed).unwrap();
            assert!(sampler.block_capable() && m.is_single_product(0));
            let fast = m.sweep(&cfg).unwrap();
            let (ranks, scores) = general_path(m, &cfg);
            assert_eq!(fast.ranks, ranks);
            assert_scores_close(&fast.scores, &scores);
            for threads in [1, 2] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let r = pool.install(|| m.sweep(&cfg).unwrap());
                assert_eq!(r, fast, "{threads} threads");
            }
        }
        // above DEFER_ABOVE units rank counts are deferred to the end of each block; with a
        // missing sub-pillar for some variants (zero weights drawn) the NaN path mixes in
        let big = arithmetic_model(DEFER_ABOVE + 44, 9, 3, 2, 4);
        let mut cfg = SweepConfig::new(700, 3, all_uniform(1.0));
        cfg.chunk_size = 300;
        let fast = big.sweep(&cfg).unwrap();
        let (ranks, scores) = general_path(&big, &cfg);
        assert_eq!(fast.ranks, ranks);
        assert_eq!(fast.scores, scores);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        assert_eq!(pool.install(|| big.sweep(&cfg).unwrap()), fast);
        // over 256 indicators the f64 product adds chains of 256 (`fast32::PRODUCT_KC`); the f32
        // path's exact re-ranking recomputes scores the same way, so its ranks are the general path's
        let many = arithmetic_model(40, 300, 6, 2, 7);
        let cfg = SweepConfig::new(1000, 2, all_uniform(0.5));
        let fast = many.sweep(&cfg).unwrap();
        let (ranks, _) = general_path(&many, &cfg);
        assert_eq!(fast.ranks, ranks);
        // 300 variants end in a partial block (blocks of 128 or 256 variants, `block_for`)
        let wide = arithmetic_model(1100, 6, 3, 2, 6);
        let cfg = SweepConfig::new(300, 8, all_uniform(0.8)).with_score_bins(12);
        let fast = wide.sweep(&cfg).unwrap();
        let (ranks, scores) = general_path(&wide, &cfg);
        assert_eq!(fast.ranks, ranks);
        assert_eq!(fast.scores, scores);
        // above 131 071 variants only every `bin_every(K)`-th variant is binned
        let mut cfg = SweepConfig::new(140_000, 9, all_uniform(0.5));
        cfg.score_bins = 32;
        assert_eq!(bin_every(cfg.variants), 2);
        let fast = mean.sweep(&cfg).unwrap();
        let (ranks, scores) = general_path(&mean, &cfg);
        assert_eq!(fast.ranks, ranks);
        assert_scores_close(&fast.scores, &scores);
        assert_eq!(fast.scores.count(0), 140_000);
        assert_eq!(fast.scores.binned(0), 70_000);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        assert_eq!(pool.install(|| mean.sweep(&cfg).unwrap()), fast);
        let mut a = mean.sweep_range(&cfg, 0..70_001).unwrap();
        a.merge(&mean.sweep_range(&cfg, 70_001..140_000).unwrap())
            .unwrap();
        assert_eq!(a.ranks, fast.ranks);
        assert_eq!(a.scores.binned(3), 70_000);
        assert_eq!(a.scores.quantile(3, 0.5), fast.scores.quantile(3, 0.5));
        // the deferred path's `u16` counts flush every FLUSH_EVERY variants (every other block in
        // unit tests) within a chunk: a chunk of 20 000 variants crosses that point many times, and
        // the counts still equal the general path's
        let tall = arithmetic_model(DEFER_ABOVE + 3, 2, 1, 1, 5);
        let cfg = SweepConfig::new(20_000, 4, all_uniform(0.9))
            .with_chunk_size(20_000)
            .with_score_bins(8);
        let fast = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| tall.sweep(&cfg).unwrap());
        let (ranks, scores) = general_path(&tall, &cfg);
        assert_eq!(fast.ranks, ranks);
        assert_eq!(fast.ranks.n_variants(), 20_000);
        assert_scores_close(&fast.scores, &scores);
        assert_eq!(
            zero.sweep(&SweepConfig::new(10, 1, WeightSampler::Nominal))
                .unwrap()
                .ranks
                .n_missing(0),
            10
        );
    }

    /// `score_stats: false` keeps the rank histograms of every path bit for bit (the f32 path, the
    /// deferred f64 path with missing scores, the general path), keeps no score statistics, merges
    /// split ranges exactly, round-trips through JSON, and does not merge with a run that kept them.
    #[test]
    fn rank_only_sweeps_keep_every_rank_and_no_score() {
        let (fw, raw) = synthetic(30, 6, 3, 2, 3).unwrap();
        let n_agg = fw.nodes().len() - fw.n_indicators();
        let x = min_max_columns(&raw);
        let general = BatchModel::new(
            fw,
            vec![AggregatorKind::Arithmetic; n_agg],
            MissingPolicy::default(),
            None,
            vec![x.clone(), x.mapv(|v| v * 0.5 + 10.0)],
        )
        .unwrap();
        let cases = [
            (
                arithmetic_model(40, 12, 4, 2, 7),
                SweepConfig::new(600, 2, all_uniform(0.5)),
            ),
            (
                arithmetic_model(DEFER_ABOVE + 44, 9, 3, 2, 4),
                SweepConfig::new(700, 3, all_uniform(1.0)).with_chunk_size(300),
            ),
            (
                general,
                SweepConfig::new(500, 5, all_uniform(0.5))
                    .with_alternatives(crate::sweep::AltSampler::Uniform)
                    .with_chunk_size(128),
            ),
        ];
        for (i, (m, cfg)) in cases.iter().enumerate() {
            let full = m.sweep(cfg).unwrap();
            let lean_cfg = cfg.clone().with_score_stats(false);
            let lean = m.sweep(&lean_cfg).unwrap();
            assert_eq!(lean.ranks, full.ranks, "case {i}");
            assert!(full.scores.is_kept() && !lean.scores.is_kept(), "case {i}");
            assert!(full.scores.count(0) > 0, "case {i}");
            for u in 0..m.n_units() {
                assert_eq!(lean.scores.count(u), 0, "case {i} unit {u}");
                assert_eq!(lean.scores.n_missing(u), 0, "case {i} unit {u}");
                assert_eq!(lean.scores.mean(u), None, "case {i} unit {u}");
                assert_eq!(lean.scores.quantile(u, 0.5), None, "case {i} unit {u}");
            }
            let ua = lean.ua_report();
            assert!(
                ua.rows
                    .iter()
                    .all(|r| r.score_mean.is_none() && r.score_sd.is_none())
            );
            assert_eq!(ua.mean_abs_shift(), full.ua_report().mean_abs_shift());
            // split ranges merge to the whole; the fingerprints differ from the full run's
            let cut = cfg.variants / 3;
            let mut a = m.sweep_range(&lean_cfg, 0..cut).unwrap();
            a.merge(&m.sweep_range(&lean_cfg, cut..cfg.variants).unwrap())
                .unwrap();
            assert_eq!(a, lean, "case {i}");
            assert_ne!(lean.fingerprint, full.fingerprint, "case {i}");
            assert!(full.clone().merge(&lean).is_err(), "case {i}");
            let mut fs = full.scores.clone();
            let err = fs.merge(&lean.scores).unwrap_err().to_string();
            assert!(err.contains("did not"), "{err}");
            let err = full.clone().merge(&lean).unwrap_err().to_string();
            assert!(err.contains("score_stats"), "{err}");
            let json = serde_json::to_string(&lean).unwrap();
            let back: SweepResult = serde_json::from_str(&json).unwrap();
            assert_eq!(back, lean, "case {i}");
            // a result that kept its statistics writes no `kept` key (files as before)
            assert!(!serde_json::to_string(&full).unwrap().contains("\"kept\""));
        }
        // without statistics the bins are not used: a config that keeps its default bins (as a
        // config file with only `score_stats = false` does) gives the same result and fingerprint
        let m = &cases[0].0;
        let lean = SweepConfig::new(10, 1, all_uniform(0.5)).with_score_stats(false);
        let mut with_bins = lean.clone();
        with_bins.score_bins = 256;
        assert_eq!(m.sweep(&with_bins).unwrap(), m.sweep(&lean).unwrap());
        let cfg: SweepConfig = serde_json::from_str(
            r#"{"variants": 10, "seed": 1, "weights": {"sampler": "nominal"}, "score_stats": false}"#,
        )
        .unwrap();
        assert_eq!(cfg.score_bins, 256);
        assert!(!m.sweep(&cfg).unwrap().scores.is_kept());
        // a serialised not-kept statistic with counts is refused on reading
        let lean = m
            .sweep(&SweepConfig::new(10, 1, all_uniform(0.5)).with_score_stats(false))
            .unwrap();
        let json = serde_json::to_string(&lean.scores).unwrap();
        assert!(json.contains("\"kept\":false"), "{json}");
        let forged = json.replacen("\"n\":[0,", "\"n\":[3,", 1);
        assert_ne!(forged, json);
        assert!(serde_json::from_str::<ScoreStats>(&forged).is_err());
    }
}
