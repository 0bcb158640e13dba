//! The `f64` fast path of a sweep: node-major blocks of [`BLOCK`] variants, effective weights by
//! straight loops, one GEMM per block, then per variant score sums, score-histogram cells and ranks
//! into per-chunk `u32` counters merged into the shared accumulators at the end of a chunk.

use std::sync::Mutex;

use ndarray::{ArrayView2, ArrayViewMut2};

use super::Acc;
use super::LinearPlan;
use super::accumulate::{
    CellRule, PermutedLayout, PermutedStats, add_clean_block, add_clean_row, flush_clean, widen,
};
use super::fast32::{Buf32, Plan32};
use super::rank::{
    RADIX32_MAX, Ranker, SORT_ABOVE, rank_counting, rank_radix, rank_radix32, rank_radix32_emit,
};
use super::simd::avx2_method;
use crate::sweep::histogram::PermutedCounts;
use crate::sweep::sampler::VariantSampler;

/// Variants per block of the fast path: the block's weights (nodes × block), effective weights
/// (indicators × block) and scores (block × units) stay in L2 for the W1 shape.
pub(crate) const BLOCK: usize = 256;

/// Variants after which the fast path flushes its `u16` rank counts (a count grows by at most one
/// per variant; two blocks of margin). The crate's unit tests flush after every second block, so
/// the sweep tests that compare the fast paths with the general path cross many flushes.
const FLUSH_EVERY: u64 = if cfg!(test) {
    BLOCK as u64 + 1
} else {
    u16::MAX as u64 - 2 * BLOCK as u64
};

/// Variants per block of the fast path for `n` units on this machine: [`block_for_l2`] with the
/// L2 cache size of [`l2_bytes`].
pub(crate) fn block_for(n: usize) -> usize {
    block_for_l2(n, l2_bytes())
}

/// Variants per block of the fast path for `n` units and an L2 cache of `l2` bytes: [`BLOCK`], or
/// fewer (a power of two):
/// * [`BLOCK`]` / 2` when that brings a block's scores (`block × n × 8` bytes) within the L2
///   (2 MiB: 1,025 to 2,048 units): the ranks and counts then find the scores in L2 (2,000 units on
///   a Xeon with 2 MiB of L2: 2-4% faster at 128 than at 256 variants; on an EPYC with 1 MiB, where
///   neither fits, 256 is 8-10% faster than 128, measured). Halving further, or for more units,
///   costs more than it saves: the product repacks the data once per block (10,000 units: 3-5%
///   slower at 128);
/// * at least 8, and under 256 MiB of scores: a sweep of a million units keeps 32 variants' scores
///   (256 MiB) per thread instead of 2 GiB. (Smaller blocks cost time: the matrix product repacks the
///   data once per block.)
///
/// The block size changes no result: every accumulator is an exact sum, and each score is the same
/// product chain whatever the block.
pub(crate) fn block_for_l2(n: usize, l2: usize) -> usize {
    let mut b = BLOCK;
    if b.saturating_mul(n).saturating_mul(8) > l2
        && (b / 2).saturating_mul(n).saturating_mul(8) <= l2
    {
        b /= 2;
    }
    while b > 8 && b.saturating_mul(n).saturating_mul(8) > 256 << 20 {
        b /= 2;
    }
    b
}

/// The L2 (data or unified) cache of one core in bytes, read once from Linux's
/// `/sys/devices/system/cpu/cpu0/cache`; 2 MiB where that cannot be read.
pub(crate) fn l2_bytes() -> usize {
    static L2: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *L2.get_or_init(|| read_l2().unwrap_or(2 << 20))
}

/// The L2 size the sysfs cache directories state (`level` 2, `type` Data or Unified, `size` such as
/// `1024K`), if any.
fn read_l2() -> Option<usize> {
    let dir = std::path::Path::new("/sys/devices/system/cpu/cpu0/cache");
    std::fs::read_dir(dir).ok()?.flatten().find_map(|e| {
        let read = |f: &str| std::fs::read_to_string(e.path().join(f)).ok();
        let level = read("level")?;
        let kind = read("type")?;
        if level.trim() != "2" || !matches!(kind.trim(), "Data" | "Unified") {
            return None;
        }
        parse_cache_size(&read("size")?)
    })
}

/// `1024K`, `2M` or a plain byte count, in bytes (`None` for anything else or 0).
fn parse_cache_size(s: &str) -> Option<usize> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last()? {
        (i, 'K' | 'k') => (&s[..i], 1 << 10),
        (i, 'M' | 'm') => (&s[..i], 1 << 20),
        (i, 'G' | 'g') => (&s[..i], 1 << 30),
        _ => (s, 1),
    };
    num.trim()
        .parse::<usize>()
        .ok()
        .and_then(|v| v.checked_mul(mult))
        .filter(|&v| v > 0)
}

/// Variants whose score statistics [`add_clean_block`] adds at a time: their scores were just
/// ranked, so they are still in L2.
const STATS_ROWS: usize = 32;

/// Positions per group of [`FastBuffers::count_deferred`] (a cache line of `u16` ranks).
const GROUP: usize = 32;

/// Unit count above which rank counts are deferred to the end of a block ([`FastBuffers::deferred`]).
pub(crate) const DEFER_ABOVE: usize = 256;

/// Whether the fast path defers the rank counts of `n` units ([`DEFER_ABOVE`] to `u16::MAX` units:
/// the deferred ranks are `u16`).
pub(crate) fn defers(n: usize) -> bool {
    n > DEFER_ABOVE && n <= usize::from(u16::MAX)
}

/// Scratch and per-chunk accumulators of the fast path, in nominal-position order.
#[derive(Default)]
pub(crate) struct FastBuffers {
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
    keys32: Vec<u32>,
    tmp32: Vec<u32>,
    /// Ranks a variant with missing scores.
    ranker: Ranker,
    ranks: Vec<u32>,
    /// Rank counts `counts[p·nb + bin − 1]` (`nb` bins of [`FastBuffers::width`] ranks per
    /// position; the bin is the rank for exact histograms).
    /// `u16` halves the cache lines the deferred counting touches; a chunk flushes before any
    /// count could pass `u16::MAX` (every [`FLUSH_EVERY`] variants).
    counts: Vec<u16>,
    /// Per position, the bins of `counts` touched since the last flush, `band[p] = (lo, hi)`
    /// (0-based, inclusive; `lo > hi` when none): a flush adds and clears only these. A position's
    /// ranks stay within a few hundred of its nominal rank, so for thousands of units the band is a
    /// fraction of the `n × n` table. Kept for the deferred counts only (`None` = every row whole).
    band: Option<Vec<(u32, u32)>>,
    /// Per position, the bins of `counts` written at least once since it was allocated (`lo > hi`:
    /// none), deferred path only. `counts` is a lazily zeroed allocation; a page whose first touch
    /// is the read of an increment is mapped to the shared zero page and copied on the write that
    /// follows, which flushes the other cores' TLBs (an interrupt per page, costly in a VM), so
    /// bins are written with 0 before their first increment ([`touch_bins`]).
    written: Vec<(u32, u32)>,
    /// Above [`DEFER_ABOVE`] units (and up to `u16::MAX`): the block's ranks variant-major,
    /// `deferred[v·n + p]` (0 = counted already; the sort stores a variant's ranks within one 4 KB
    /// row), counted position by position after the block ([`FastBuffers::count_deferred`]), so the
    /// increments of one position stay in its band of `counts` instead of touching one page of the
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
    /// The block's variants without missing scores whose statistics [`add_clean_block`] adds after
    /// the block (row, binned), when [`FastBuffers::by_block`].
    clean_rows: Vec<(u32, bool)>,
    /// The statistics of variants without missing scores are added block by block
    /// ([`add_clean_block`]), not row by row: a block's scores fit in 8 MiB, so its position groups
    /// read them from cache.
    by_block: bool,
    /// Variant `k` is binned iff `k % every == 0` ([`bin_every`]).
    pub(crate) every: usize,
    /// Ranks per rank-histogram bin (0 or 1: exact).
    pub(crate) width: usize,
    /// The layout is set and the accumulators are ready for this sweep; counts may be pending
    /// (flushed by [`finish_fast`] once the sweep's work items are done).
    started: bool,
}

/// The fast path of `BatchModel::run_chunk` for a sampler that draws node-major blocks and a
/// model whose variants are one matrix product: per block of [`BLOCK`] variants, draw the weights
/// node-major, derive effective weights with straight loops over the variants, one product
/// `(block × indicators)·(indicators × units)` with units in nominal order, then per variant the
/// score sums and histogram cells and the ranks (insertion sort from the nominal order, so the cost
/// is the unit count plus the number of swapped pairs). Accumulators stay in `fb` across the work
/// items of a sweep (merged into `shared` before a `u16` count could overflow and by
/// [`finish_fast`] at the end), so a thread flushes its tables once, not once per item. Results are
/// bit-identical to `BatchModel::run_chunk` (every accumulator is an exact sum).
pub(crate) fn run_chunk_fast(
    n: usize,
    plan: &LinearPlan,
    sampler: &VariantSampler,
    s: usize,
    e: usize,
    shared: &Mutex<Acc>,
    fb: &mut FastBuffers,
) -> PermutedStats {
    let (nn, ni, na) = (plan.n_nodes, plan.n_ind, plan.n_aggregates());
    let bk = block_for(n);
    if fb.w.len() != nn * bk || fb.s.len() != bk * n || fb.e.len() != ni * bk {
        fb.w = vec![0.0; nn * bk];
        fb.e = vec![0.0; ni * bk];
        fb.inv = vec![0.0; na * bk];
        fb.f = vec![0.0; bk];
        fb.s = vec![0.0; bk * n];
        fb.ranks = vec![0; n];
        fb.started = false;
    }
    let mut sums = PermutedStats::default();
    if !fb.started {
        {
            let mut acc = shared.lock().unwrap_or_else(|e| e.into_inner());
            fb.lay = acc.scores.permuted_layout(&plan.perm);
        }
        fb.cells_fit = n
            .checked_mul(fb.lay.bins.saturating_add(2))
            .is_some_and(|c| c < i32::MAX as usize);
        fb.cells.resize(n, 0);
        fb.by_block = STATS_ROWS.min(bk).saturating_mul(n).saturating_mul(8) <= 8 << 20;
        fb.reset(n);
        fb.started = true;
    }
    let mut start = s;
    while start < e {
        let b = bk.min(e - start);
        if !fb.weights_block(plan, sampler, start, b) {
            break;
        }
        let (Ok(ev), Ok(mut sv)) = (
            ArrayView2::from_shape((ni, b), &fb.e[..ni * b]),
            ArrayViewMut2::from_shape((b, n), &mut fb.s[..b * n]),
        ) else {
            break;
        };
        // Sᵀ (units × block) = Xᵀ·E into the transposed view of the row-major block: each output is
        // the same fused multiply-add chain over the indicators as for S = Eᵀ·X (same bits), but
        // matrixmultiply packs the small E whole and the data in panels, with smaller packing
        // buffers per call (5% faster on W2, fewer page faults)
        let mut st = sv.view_mut().reversed_axes();
        ndarray::linalg::general_mat_mul(1.0, &plan.xtp.t(), &ev, 0.0, &mut st);
        fb.accumulate_block(start, b, n, &plan.bonus);
        if fb.variants > FLUSH_EVERY {
            fb.flush(plan, shared, &mut sums);
        }
        start += b;
    }
    sums
}

/// Merge what [`run_chunk_fast`] left in each of `bufs` into `shared` (counts, score histograms; the
/// unit rows in parallel) and return each buffer's score sums; call once, after the sweep's last work
/// item, outside any rayon task.
pub(crate) fn finish_fast(
    plan: &LinearPlan,
    shared: &Mutex<Acc>,
    bufs: &mut [&mut FastBuffers],
) -> Vec<PermutedStats> {
    let mut live: Vec<&mut FastBuffers> = bufs
        .iter_mut()
        .filter(|b| b.started && b.variants > 0)
        .map(|b| &mut **b)
        .collect();
    merge_pending(plan, shared, &mut live, true);
    live.iter_mut()
        .map(|b| {
            b.started = false;
            let mut sums = PermutedStats::default();
            b.stats.add_moments_to(&mut sums);
            sums
        })
        .collect()
}

/// Add the pending counts and score-histogram cells of `bufs` to `shared` (see
/// [`RankHistogram::add_permuted`]; `par` merges unit rows in parallel and must be `false` inside a
/// rayon task, which could otherwise run another work item that waits for the lock held here).
fn merge_pending(plan: &LinearPlan, shared: &Mutex<Acc>, bufs: &mut [&mut FastBuffers], par: bool) {
    for b in bufs.iter_mut() {
        let clean = b.clean;
        b.stats.n.iter_mut().for_each(|c| *c += clean);
        b.clean = 0;
    }
    let parts: Vec<PermutedCounts<'_, u16>> = bufs.iter().map(|b| b.pending()).collect();
    let hists: Vec<&[u32]> = bufs.iter().map(|b| b.stats.hist.as_slice()).collect();
    let mut acc = shared.lock().unwrap_or_else(|e| e.into_inner());
    // no variant counted yet: every count of the sweep's histograms is still 0, so the first merge
    // writes before it adds (no read of a page nothing has written)
    let fresh = acc.ranks.n_variants() == 0;
    acc.ranks.add_permuted(&plan.perm, &parts, fresh, par);
    acc.scores.add_permuted_hist(&plan.perm, &hists, fresh, par);
}

/// The `f32` variant of [`run_chunk_fast`] (see the `fast32` module): same sampling
/// and effective weights, then [`Buf32::block`] per block.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run_chunk_32(
    n: usize,
    plan: &LinearPlan,
    plan32: &Plan32,
    sampler: &VariantSampler,
    s: usize,
    e: usize,
    shared: &Mutex<Acc>,
    fb: &mut FastBuffers,
    b32: &mut Buf32,
) -> PermutedStats {
    let (nn, ni, na) = (plan.n_nodes, plan.n_ind, plan.n_aggregates());
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

/// [`FastBuffers::flush`] for the `f32` path.
fn flush32(
    plan: &LinearPlan,
    n: usize,
    shared: &Mutex<Acc>,
    sums: &mut PermutedStats,
    b: &mut Buf32,
) {
    b.stats.n.iter_mut().for_each(|c| *c += b.clean);
    let counts = b.unit_major_counts(n);
    {
        let mut acc = shared.lock().unwrap_or_else(|e| e.into_inner());
        let fresh = acc.ranks.n_variants() == 0;
        let part = PermutedCounts {
            counts: &counts,
            band: None,
            missing: &b.rank_missing,
            variants: b.variants,
        };
        acc.ranks.add_permuted(&plan.perm, &[part], fresh, false);
        acc.scores
            .add_permuted_hist(&plan.perm, &[&b.stats.hist], fresh, false);
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
        self.clean_rows.clear();
        for v in 0..b {
            let bin = (start + v).is_multiple_of(every);
            if self.add_variant(v * n, n, bonus, bin) {
                self.clean_rows.push((v as u32, bin));
            }
            if (v + 1) % STATS_ROWS == 0 || v + 1 == b {
                if !self.clean_rows.is_empty() {
                    add_clean_block(&self.s, n, &self.clean_rows, &self.lay, &mut self.stats);
                }
                self.clean_rows.clear();
            }
        }
        flush_clean(&mut self.qsum, &mut self.qsum2, &mut self.stats.mom);
        if !self.deferred.is_empty() {
            self.count_deferred(b.min(BLOCK), n);
        }
    }

    /// Count the deferred ranks of the block's `used` variants (`deferred[v·n + p]`, 0 = counted
    /// already) into `counts`, in groups of [`GROUP`] positions (one cache line of each variant's
    /// row): first each position's band of bins (lane by lane over the group's rows), which is
    /// written before its first increment ([`touch_bins`]) and prefetched, then the increments,
    /// variant by variant across the group's rows of `counts`. A position's ranks stay near its
    /// nominal rank, so its band is a few cache lines, and a group's bands stay in cache while its
    /// rows are counted.
    #[inline(always)]
    fn count_deferred(&mut self, used: usize, n: usize) {
        let nb = n.div_ceil(self.width.max(1));
        let mut band = self.band.take().unwrap_or_default();
        for g0 in (0..n).step_by(GROUP) {
            let gl = GROUP.min(n - g0);
            // each position's smallest and largest bin (0 = counted already, wraps to the top;
            // lo > hi when none), lane by lane over the group's rows
            let (mut lo, mut hi) = ([u16::MAX; GROUP], [0u16; GROUP]);
            for v in 0..used {
                let Some(row) = self.deferred.get(v * n + g0..v * n + g0 + gl) else {
                    continue;
                };
                for ((&r, l), h) in row.iter().zip(lo.iter_mut()).zip(hi.iter_mut()) {
                    let r1 = r.wrapping_sub(1);
                    *l = (*l).min(r1);
                    *h = (*h).max(if r == 0 { 0 } else { r1 });
                }
            }
            // write-first and prefetch the bins each position will increment
            for l in 0..gl {
                if lo[l] == u16::MAX {
                    continue;
                }
                let (p, a, z) = (g0 + l, usize::from(lo[l]), usize::from(hi[l]));
                if let Some(bd) = band.get_mut(p) {
                    widen(bd, a, z);
                }
                touch_bins(&mut self.counts, &mut self.written, p, nb, a, z);
                prefetch_range(&self.counts, p * nb + a, p * nb + z);
            }
            // the increments, variant by variant across the group's rows of `counts`
            let Some(rows) = self.counts.get_mut(g0 * nb..(g0 + gl) * nb) else {
                continue;
            };
            for v in 0..used {
                let Some(row) = self.deferred.get(v * n + g0..v * n + g0 + gl) else {
                    continue;
                };
                for (l, &r) in row.iter().enumerate() {
                    if let Some(c) = (r as usize)
                        .checked_sub(1)
                        .filter(|&i| i < nb)
                        .and_then(|i| rows.get_mut(l * nb + i))
                    {
                        *c += 1;
                    }
                }
            }
        }
        self.band = Some(band);
    }

    avx2_method!(
        /// [`FastBuffers::weights_block_body`], compiled for AVX2 when the CPU has it.
        fn weights_block(
            &mut self,
            plan: &LinearPlan,
            sampler: &VariantSampler,
            start: usize,
            b: usize,
        ) -> bool = FastBuffers => weights_block_body
    );

    avx2_method!(
        /// [`FastBuffers::accumulate_block_body`], compiled for AVX2 when the CPU has it.
        fn accumulate_block(&mut self, start: usize, b: usize, n: usize, bonus: &[f64])
            = FastBuffers => accumulate_block_body
    );

    fn reset(&mut self, n: usize) {
        let cells = if self.lay.bins > 0 {
            n * (self.lay.bins + 2)
        } else {
            0
        };
        let nb = n.div_ceil(self.width.max(1));
        let defer = defers(n);
        match (&self.band, self.counts.len() == n * nb && defer) {
            // clear only what the last flush added (the rest is still 0)
            (Some(band), true) => {
                for (row, &(lo, hi)) in self.counts.chunks_exact_mut(nb).zip(band) {
                    if let Some(c) = row.get_mut(lo as usize..=hi as usize) {
                        c.fill(0);
                    }
                }
            }
            // a zeroed allocation: pages outside the bands are never touched
            _ => {
                self.counts = vec![0; n * nb];
                self.written.clear();
                self.written
                    .resize(if defer { n } else { 0 }, (u32::MAX, 0));
            }
        }
        self.band = defer.then(|| vec![(u32::MAX, 0); n]);
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
    fn flush(&mut self, plan: &LinearPlan, shared: &Mutex<Acc>, sums: &mut PermutedStats) {
        let n = self.rank_missing.len();
        merge_pending(plan, shared, &mut [self], false);
        self.stats.add_moments_to(sums);
        self.reset(n);
    }

    /// This buffer's pending rank counts, as a source for [`RankHistogram::add_permuted`].
    fn pending(&self) -> PermutedCounts<'_, u16> {
        PermutedCounts {
            counts: &self.counts,
            band: self.band.as_deref(),
            missing: &self.rank_missing,
            variants: self.variants,
        }
    }

    /// Accumulate the variant whose scores (position order) start at `self.s[off]`; `true` when its
    /// score statistics are left to [`add_clean_block`] (no missing score, statistics kept and
    /// [`FastBuffers::by_block`]).
    #[inline(always)]
    fn add_variant(&mut self, off: usize, n: usize, bonus: &[f64], bin: bool) -> bool {
        let Some(t) = self.s.get_mut(off..off + n) else {
            return false;
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
        let rule = CellRule::new(self.lay.bins);
        if nan {
            if !self.deferred.is_empty() {
                let v = off / n.max(1);
                if let Some(row) = self.deferred.get_mut(v * n..(v + 1) * n) {
                    row.fill(0);
                }
            }
            self.ranker.rank_into(t, &mut self.ranks);
            let nb = to_bins(&mut self.ranks, self.width);
            for (p, &r) in self.ranks.iter().enumerate() {
                if r == 0 {
                    self.rank_missing[p] += 1;
                } else {
                    let i = r as usize - 1;
                    touch_bins(&mut self.counts, &mut self.written, p, nb, i, i);
                    self.counts[p * nb + i] += 1;
                    if let Some(bd) = self.band.as_mut().and_then(|b| b.get_mut(p)) {
                        widen(bd, i, i);
                    }
                }
                if self.lay.skip {
                    continue;
                }
                let x = t[p];
                if x.is_nan() {
                    st.missing[p] += 1;
                    continue;
                }
                st.n[p] += 1;
                st.add_score(&self.lay, p, x, bin);
            }
            return false;
        }
        self.clean += 1;
        let later = self.by_block && !self.lay.skip;
        if !self.lay.skip && !later {
            add_clean_row(t, &self.lay, &mut self.qsum, &mut self.qsum2, &mut st.mom);
        }
        if later || !bin || self.lay.bins == 0 || self.lay.skip {
            // moments only (or nothing: statistics not kept)
        } else if self.cells_fit {
            // bin cells as in `ScoreStats::add`, computed for all units in straight (vector) code
            // into `cells`, then counted
            let stride_i = stride as i32;
            for (p, ((((&x, &lo), &hi), &sc), cell)) in t
                .iter()
                .zip(&self.lay.lo)
                .zip(&self.lay.hi)
                .zip(&self.lay.scale)
                .zip(self.cells.iter_mut())
                .enumerate()
            {
                *cell = p as i32 * stride_i + rule.cell(x, lo, hi, sc) as i32;
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
                let cell = rule.cell(x, lo, hi, sc) as usize;
                if let Some(h) = st.hist.get_mut(p * stride + cell) {
                    *h += 1;
                }
            }
        }
        if !self.deferred.is_empty() && n > SORT_ABOVE {
            // ranks (bins) straight into the deferred block, no pass through `ranks`
            // (bin ≤ rank ≤ n ≤ u16::MAX on the deferred path)
            let v = off / n.max(1);
            let w = bin_width(self.width);
            let row = self
                .deferred
                .get_mut(v * n..(v + 1) * n)
                .unwrap_or_default();
            let (keys, tmp) = (&mut self.keys32, &mut self.tmp32);
            // exact histograms store the rank itself: no division per unit
            let done = if w == 1 {
                rank_radix32_emit(t, keys, tmp, |u, r| {
                    if let Some(d) = row.get_mut(u) {
                        *d = r as u16;
                    }
                })
            } else {
                rank_radix32_emit(t, keys, tmp, |u, r| {
                    if let Some(d) = row.get_mut(u) {
                        *d = bin_of(r, w) as u16;
                    }
                })
            };
            if done {
                return later;
            }
        }
        if n > RADIX32_MAX {
            rank_radix(t, &mut self.keys, &mut self.tmp, &mut self.ranks);
        } else if n > SORT_ABOVE {
            rank_radix32(t, &mut self.keys32, &mut self.tmp32, &mut self.ranks);
        } else {
            rank_counting(t, &mut self.s32, &mut self.ranks);
        }
        let nb = to_bins(&mut self.ranks, self.width);
        if self.deferred.is_empty() {
            for (p, &r) in self.ranks.iter().enumerate() {
                if let Some(c) = self.counts.get_mut(p * nb + r as usize - 1) {
                    *c += 1;
                }
            }
        } else {
            // bins ≤ ranks ≤ n ≤ u16::MAX here
            let v = off / n.max(1);
            if let Some(row) = self.deferred.get_mut(v * n..(v + 1) * n) {
                for (d, &r) in row.iter_mut().zip(&self.ranks) {
                    *d = r as u16;
                }
            }
        }
        later
    }
}

/// Write 0 to the bins `lo..=hi` of position `p` (rows of `nb` bins) that `written[p]` does not cover
/// yet, and extend it (see [`FastBuffers::written`]; no-op for positions `written` does not track).
/// Every bin outside `written[p]` is still 0, so this changes no count.
#[inline(always)]
fn touch_bins(
    counts: &mut [u16],
    written: &mut [(u32, u32)],
    p: usize,
    nb: usize,
    lo: usize,
    hi: usize,
) {
    let Some(w) = written.get_mut(p) else {
        return;
    };
    let (wlo, whi) = (w.0 as usize, w.1 as usize);
    if w.0 <= w.1 && lo >= wlo && hi <= whi {
        return;
    }
    let row = p * nb;
    if w.0 > w.1 {
        if let Some(c) = counts.get_mut(row + lo..=row + hi) {
            c.fill(0);
        }
        *w = (lo as u32, hi as u32);
        return;
    }
    if lo < wlo {
        if let Some(c) = counts.get_mut(row + lo..row + wlo) {
            c.fill(0);
        }
        w.0 = lo as u32;
    }
    if hi > whi {
        if let Some(c) = counts.get_mut(row + whi + 1..=row + hi) {
            c.fill(0);
        }
        w.1 = hi as u32;
    }
}

/// Hint the CPU to load the cache lines of `v[lo..=hi]` (a no-op off x86-64 and outside `v`).
#[inline(always)]
fn prefetch_range<T>(v: &[T], lo: usize, hi: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let step = (64 / std::mem::size_of::<T>().max(1)).max(1);
        let hi = hi.min(v.len().saturating_sub(1));
        // from the start of `lo`'s cache line (never before `v`), one hint per line
        let mut i = lo - lo % step;
        while i <= hi {
            // SAFETY: prefetching is a hint that never faults; the pointer is inside `v`.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(v.as_ptr().add(i).cast()) };
            i += step;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (v, lo, hi);
}

/// A rank-bin width as `u32` (at least 1).
#[inline(always)]
fn bin_width(width: usize) -> u32 {
    u32::try_from(width.max(1)).unwrap_or(u32::MAX)
}

/// The 1-based bin of rank `r ≥ 1` in bins of `w` ranks.
#[inline(always)]
fn bin_of(r: u32, w: u32) -> u32 {
    (r - 1) / w + 1
}

/// Replace ranks (`0` = unranked) by 1-based bins of `width` ranks (`0` stays `0`) and return the
/// bins per unit (`ranks.len()` when `width ≤ 1`: the ranks are the bins).
#[inline(always)]
fn to_bins(ranks: &mut [u32], width: usize) -> usize {
    let n = ranks.len();
    if width <= 1 {
        return n;
    }
    let w = bin_width(width);
    for r in ranks.iter_mut() {
        if *r > 0 {
            *r = bin_of(*r, w);
        }
    }
    n.div_ceil(width)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blocks: 256 variants up to 1,024 units, 128 where that fits the scores in 2 MiB, 256 again
    /// beyond (repacking costs more), then halved until the scores fit 256 MiB (at least 8).
    #[test]
    fn block_sizes() {
        let (mib2, mib1) = (2 << 20, 1 << 20);
        for (n, b2, b1) in [
            (72, 256, 256),
            (512, 256, 256),
            (513, 256, 128),
            (1024, 256, 128),
            (1025, 128, 256),
            (2000, 128, 256),
            (2048, 128, 256),
            (2049, 256, 256),
            (10_000, 256, 256),
            (1_000_000, 32, 32),
            (usize::MAX, 8, 8),
        ] {
            assert_eq!(block_for_l2(n, mib2), b2, "{n} units, 2 MiB of L2");
            assert_eq!(block_for_l2(n, mib1), b1, "{n} units, 1 MiB of L2");
        }
        assert!(l2_bytes() > 0);
    }

    #[test]
    fn cache_sizes_parse() {
        assert_eq!(parse_cache_size("1024K\n"), Some(1 << 20));
        assert_eq!(parse_cache_size("2M"), Some(2 << 20));
        assert_eq!(parse_cache_size("512"), Some(512));
        for bad in ["", "K", "0K", "-1K", "1.5M", "12Q"] {
            assert_eq!(parse_cache_size(bad), None, "{bad:?}");
        }
    }

    /// `touch_bins` writes only bins that are still 0 and keeps `written` the union of the ranges
    /// asked for; counts already there are kept.
    #[test]
    fn touch_bins_keeps_counts_and_tracks_the_union() {
        let nb = 10;
        let mut counts = vec![0u16; 3 * nb];
        let mut written = vec![(u32::MAX, 0); 3];
        touch_bins(&mut counts, &mut written, 1, nb, 4, 6);
        assert_eq!(written[1], (4, 6));
        counts[nb + 5] = 9;
        touch_bins(&mut counts, &mut written, 1, nb, 2, 5);
        assert_eq!(written[1], (2, 6));
        touch_bins(&mut counts, &mut written, 1, nb, 5, 8);
        assert_eq!(written[1], (2, 8));
        touch_bins(&mut counts, &mut written, 1, nb, 3, 3);
        assert_eq!(written[1], (2, 8));
        assert_eq!(counts[nb + 5], 9);
        assert_eq!(counts.iter().map(|&c| u32::from(c)).sum::<u32>(), 9);
        assert_eq!(written[0], (u32::MAX, 0));
        // positions `written` does not track are left alone
        touch_bins(&mut counts, &mut written, 7, nb, 0, 1);
        assert_eq!(written.len(), 3);
    }
}
