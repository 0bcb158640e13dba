//! The single-precision sweep path for up to [`MAX_UNITS`] units, with exact ranks.
//!
//! Per block of variants (effective weights `e`, indicators × variants, already computed in `f64`):
//!
//! 1. **Product in `f32`.** `S = X·E` (units × variants) with `f32` copies of the data and the
//!    weights: half the work of the `f64` product.
//! 2. **Error bound.** For variant `v`, every `f32` score is within
//!    `β_v = γ · max|x| · Σ_i |e_iv|` of the `f64` score `Σ_i x_ui e_iv` (as the `f64` product
//!    computes it: a fused multiply-add chain in indicator order over each block of [`PRODUCT_KC`]
//!    indicators, the blocks' sums added in order), where
//!    `γ = (m + 4)·2⁻²⁴ / (1 − (m + 4)·2⁻²⁴) + (m + 2)·2⁻⁵²`, `m` the indicator count: the standard
//!    bound for a sum of `m` rounded products in any order, plus the rounding of the inputs to `f32` and
//!    of the `f64` reference itself (Higham, *Accuracy and Stability of Numerical Algorithms*, §3.1).
//! 3. **Keys.** Each score is mapped monotonically to a 24-bit integer over fixed bounds and the unit's
//!    position is put in the low bits, so one unsigned integer orders by score and carries the unit.
//! 4. **Sorting network.** Sixteen variants are sorted side by side (one SIMD lane each) by a pruned
//!    Batcher odd–even merge network: no branches, no data-dependent memory access.
//! 5. **Exact ranks.** Two neighbours in a sorted variant whose keys differ by more than the image of
//!    `2β_v` (plus the key rounding) are in the same order as their `f64` scores. Runs of neighbours
//!    closer than that are re-ranked from their `f64` scores (recomputed), with the `Min` tie rule. The
//!    ranks are therefore exactly those of the `f64` scores; a variant whose bound is not finite or too
//!    wide (a missing group, overflow) is scored entirely in `f64`.
//! 6. **Counts.** Rank `r` of position `p` is counted in `cpos[(r − 1)·n + p]` (rank-major, so a sorted
//!    position's sixteen increments go to one row).
//!
//! Score moments and score-histogram cells are taken from the `f32` scores (widened to `f64`): each is
//! within `β_v` of the `f64` score, far below the histogram's bin width; see [`ScoreStats`].

use ndarray::{ArrayView2, ArrayViewMut2};

use super::LinearPlan;
use super::accumulate::{CellRule, PermutedLayout, PermutedStats};
use super::exact::{QMAX, round_q};
use super::rank::rank_min_into;
use super::simd::avx2_method;

#[cfg(doc)]
use crate::sweep::ScoreStats;

/// Indicators per fused multiply-add chain of the `f64` product (matrixmultiply's `D_KC`, 256 unless
/// its build overrides it): over more indicators the product adds the chains of consecutive blocks
/// in order, `((c₀ + c₁) + c₂) …`. [`Plan32::exact`] recomputes scores the same way, and
/// [`Plan32::new`] checks that it does on a sample before the path is used.
pub(crate) const PRODUCT_KC: usize = 256;

/// Largest unit count of the `f32` path (unit positions take at most 8 key bits).
pub(crate) const MAX_UNITS: usize = 256;

/// Variants sorted side by side.
const LANES: usize = 16;

/// Key bits of the quantised score.
const QBITS: u32 = 23;

/// Threshold marking a variant scored entirely in `f64`.
const SPECIAL: u32 = u32::MAX;

/// Comparators of Batcher's odd–even merge sort for `n` keys (ascending), pruned to the comparators
/// whose two ends are below `n` (valid: padding keys at the maximum never move).
pub(crate) fn batcher_pairs(n: usize) -> Vec<(u16, u16)> {
    let mut out = Vec::new();
    let mut p = 1;
    while p < n {
        let mut k = p;
        while k >= 1 {
            let mut j = k % p;
            while j + k < n {
                for i in 0..k.min(n - j - k) {
                    if (i + j) / (2 * p) == (i + j + k) / (2 * p) {
                        out.push(((i + j) as u16, (i + j + k) as u16));
                    }
                }
                j += 2 * k;
            }
            k /= 2;
        }
        p *= 2;
    }
    out
}

/// What the `f32` path needs of a model, fixed for a sweep.
#[derive(Debug, Clone)]
pub(crate) struct Plan32 {
    n: usize,
    ni: usize,
    /// units × indicators, position order.
    x32: ndarray::Array2<f32>,
    /// units × indicators, position order (exact re-ranking).
    x64: Vec<f64>,
    maxabs: f64,
    /// Every data value and every weight the sampler can draw is `≥ 0`: the bound can use the
    /// variant's largest score.
    nonneg: bool,
    gamma: f64,
    lo: f32,
    scale: f32,
    scale64: f64,
    ib: u32,
    mask: u32,
    pairs: Vec<(u16, u16)>,
}

impl Plan32 {
    /// The plan, or `None` when the path does not apply: bonus terms, fewer than 2 or more than
    /// [`MAX_UNITS`] units, data beyond `f32` range, empty score bounds, or an `f64` product whose
    /// scores [`Plan32::exact`] does not reproduce bit for bit on a sample (a matrix kernel without
    /// fused multiply-adds, or another block size): exact ranks need the recomputed scores to be
    /// the product's own.
    pub(crate) fn new(plan: &LinearPlan, lo: f64, hi: f64, weights_nonneg: bool) -> Option<Plan32> {
        let (ni, n) = plan.xtp.dim();
        if !plan.bonus.is_empty() || !(2..=MAX_UNITS).contains(&n) || ni == 0 {
            return None;
        }
        let maxabs = plan.xtp.iter().fold(0.0f64, |m, &v| m.max(v.abs()));
        let usable = maxabs.is_finite() && maxabs < 1e30 && lo.is_finite() && hi.is_finite();
        if !usable || hi < lo {
            return None;
        }
        let w = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
        let (lo, hi) = (lo - 0.01 * w, hi + 0.01 * w);
        let x64: Vec<f64> = (0..n).flat_map(|u| plan.xtp.column(u).to_vec()).collect();
        let x32 = ndarray::Array2::from_shape_fn((n, ni), |(u, i)| x64[u * ni + i] as f32);
        let ib = usize::BITS - (n - 1).leading_zeros();
        let m = (ni + 4) as f64 * 2f64.powi(-24);
        let gamma = m / (1.0 - m) + (ni + 2) as f64 * 2f64.powi(-52);
        let qmax = ((1u32 << QBITS) - 1) as f64;
        let scale64 = qmax / (hi - lo);
        let p = Plan32 {
            n,
            ni,
            x32,
            x64,
            maxabs,
            nonneg: weights_nonneg && plan.xtp.iter().all(|&v| v >= 0.0),
            gamma,
            lo: lo as f32,
            scale: scale64 as f32,
            scale64,
            ib,
            mask: (1u32 << ib) - 1,
            pairs: batcher_pairs(n),
        };
        p.reproduces_the_product(plan).then_some(p)
    }

    /// Whether [`Plan32::exact`] gives the `f64` product's scores bit for bit: four deterministic
    /// weight vectors (positive, uneven, with mixed exponents) through the product the `f64` paths
    /// use, compared with the recomputed scores of up to 64 positions. A different arithmetic
    /// (unfused multiply-adds, another chain split) changes the last bits of most scores, so a
    /// sample finds it.
    fn reproduces_the_product(&self, plan: &LinearPlan) -> bool {
        const B: usize = 4;
        let (ni, n) = (self.ni, self.n);
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let e: Vec<f64> = (0..ni * B)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                (0.5 + (state >> 11) as f64 / (1u64 << 53) as f64) / ni as f64
            })
            .collect();
        let (Ok(ev), mut s) = (
            ArrayView2::from_shape((ni, B), &e[..]),
            ndarray::Array2::<f64>::zeros((n, B)),
        ) else {
            return false;
        };
        ndarray::linalg::general_mat_mul(1.0, &plan.xtp.t(), &ev, 0.0, &mut s);
        let step = n.div_ceil(64).max(1);
        (0..n)
            .step_by(step)
            .all(|u| (0..B).all(|v| self.exact(u, &e, B, v).to_bits() == s[[u, v]].to_bits()))
    }

    /// Key threshold of a variant whose scores are within `beta` of their `f64` values: neighbours
    /// whose quantised scores differ by at most this may be out of `f64` order. [`SPECIAL`] if the
    /// bound is not usable.
    fn threshold(&self, beta: f64) -> u32 {
        // |s32 − s64| ≤ β for each score; the key map adds at most 2 quanta per key (two roundings
        // of a value below 2²⁴), plus 1 for truncation; 8 covers it with room.
        let t = (2.0 * beta * self.scale64).ceil() + 8.0;
        if t.is_finite() && t < f64::from(1u32 << (QBITS - 1)) {
            t as u32
        } else {
            SPECIAL
        }
    }

    /// The error bound `β_v` of a variant: `γ·max|x|·Σ|e|` in general (`se = Σ|e|`); with
    /// non-negative data and weights `Σ_i |x_ui e_i|` is the exact score itself, so
    /// `γ·max_u s32_u / (1 − γ)` bounds it (`smax`, NaN if any score is NaN).
    fn beta(&self, se: f64, smax: f32) -> f64 {
        let guard = (self.ni + 4) as f64 * f64::from(f32::MIN_POSITIVE);
        if self.nonneg {
            self.gamma * f64::from(smax).max(0.0) / (1.0 - self.gamma) + guard
        } else {
            self.gamma * self.maxabs * se + guard
        }
    }

    /// The `f64` score of position `u` under effective weights `e[i·b + v]`, as the `f64` product
    /// computes it: a fused multiply-add chain from 0 in indicator order over each block of
    /// [`PRODUCT_KC`] indicators, the blocks' chains added in order.
    #[inline(always)]
    fn exact(&self, u: usize, e: &[f64], b: usize, v: usize) -> f64 {
        let mut total = 0.0f64;
        if let Some(row) = self.x64.get(u * self.ni..(u + 1) * self.ni) {
            for (k, (xs, es)) in row
                .chunks(PRODUCT_KC)
                .zip(e.chunks(PRODUCT_KC * b.max(1)))
                .enumerate()
            {
                let mut acc = 0.0f64;
                for (&x, col) in xs.iter().zip(es.chunks_exact(b.max(1))) {
                    acc = x.mul_add(col.get(v).copied().unwrap_or(f64::NAN), acc);
                }
                total = if k == 0 { acc } else { total + acc };
            }
        }
        total
    }

    /// [`Plan32::exact`] for every `(position, variant)` request, four independent chains at a time
    /// (the chains are latency-bound one by one).
    #[inline(always)]
    fn exact_many(&self, e: &[f64], b: usize, reqs: &[(u32, u32)], out: &mut Vec<f64>) {
        out.clear();
        let ni = self.ni;
        let mut it = reqs.chunks_exact(4);
        for q in &mut it {
            let row = |k: usize| {
                let u = q[k].0 as usize;
                self.x64.get(u * ni..(u + 1) * ni).unwrap_or(&[])
            };
            let (r0, r1, r2, r3) = (row(0), row(1), row(2), row(3));
            let vs = [q[0].1, q[1].1, q[2].1, q[3].1].map(|v| v as usize);
            if vs.iter().any(|&v| v >= b) || [r0, r1, r2, r3].iter().any(|r| r.len() != ni) {
                out.extend(
                    q.iter()
                        .map(|&(u, v)| self.exact(u as usize, e, b, v as usize)),
                );
                continue;
            }
            let mut total = [0.0f64; 4];
            for (k, ((((x0, x1), x2), x3), es)) in r0
                .chunks(PRODUCT_KC)
                .zip(r1.chunks(PRODUCT_KC))
                .zip(r2.chunks(PRODUCT_KC))
                .zip(r3.chunks(PRODUCT_KC))
                .zip(e.chunks(PRODUCT_KC * b))
                .enumerate()
            {
                let mut a = [0.0f64; 4];
                for ((((&x0, &x1), &x2), &x3), col) in
                    x0.iter().zip(x1).zip(x2).zip(x3).zip(es.chunks_exact(b))
                {
                    a[0] = x0.mul_add(col[vs[0]], a[0]);
                    a[1] = x1.mul_add(col[vs[1]], a[1]);
                    a[2] = x2.mul_add(col[vs[2]], a[2]);
                    a[3] = x3.mul_add(col[vs[3]], a[3]);
                }
                for (t, x) in total.iter_mut().zip(a) {
                    *t = if k == 0 { x } else { *t + x };
                }
            }
            let a = total;
            out.extend_from_slice(&a);
        }
        out.extend(
            it.remainder()
                .iter()
                .map(|&(u, v)| self.exact(u as usize, e, b, v as usize)),
        );
    }
}

/// A run of close neighbours: sorted positions `j0..=j1` of variant `v`, units at `run_units[off..]`.
#[derive(Debug, Clone, Copy)]
struct Run {
    v: u32,
    j0: u32,
    j1: u32,
    off: u32,
}

/// Scratch and per-chunk accumulators of the `f32` path, in position order.
#[derive(Debug, Default)]
pub(crate) struct Buf32 {
    e32: Vec<f32>,
    s: Vec<f32>,
    keys: Vec<u32>,
    se: Vec<f64>,
    smax: Vec<f32>,
    /// Per variant: 0 while every score is finite, NaN after.
    sbad: Vec<f32>,
    thr: Vec<u32>,
    /// Per sorted position of the current group: lanes whose next neighbour is too close.
    gap: Vec<u32>,
    /// Runs of close neighbours in the current block, and their units (position indices).
    runs: Vec<Run>,
    run_units: Vec<u32>,
    reqs: Vec<(u32, u32)>,
    vals: Vec<f64>,
    net: Vec<[u32; LANES]>,
    /// Rank-major counts `cpos[(r − 1)·n + p]`, plus `LANES` trash cells at the end.
    pub(crate) cpos: Vec<u32>,
    pub(crate) rank_missing: Vec<u64>,
    pub(crate) stats: PermutedStats,
    /// Variants whose `n` is added at the flush (all but the `f64`-scored ones with missing scores).
    pub(crate) clean: u64,
    pub(crate) variants: u64,
    run: Vec<(f64, usize)>,
    s64: Vec<f64>,
    ranks: Vec<u32>,
    cells: Vec<u32>,
    /// Score-histogram layout in position order.
    pub(crate) lay: PermutedLayout,
    pub(crate) every: usize,
}

impl Buf32 {
    /// Clear the accumulators for `n` positions.
    pub(crate) fn reset(&mut self, n: usize) {
        self.cpos.clear();
        self.cpos.resize(n * n + LANES, 0);
        self.rank_missing.clear();
        self.rank_missing.resize(n, 0);
        let cells = if self.lay.bins > 0 {
            n * (self.lay.bins + 2)
        } else {
            0
        };
        self.stats.reset(n, cells);
        self.clean = 0;
        self.variants = 0;
    }

    /// Rank counts in the unit-major layout `counts[p·n + r − 1]` of the `f64` fast path.
    pub(crate) fn unit_major_counts(&self, n: usize) -> Vec<u32> {
        let mut out = vec![0u32; n * n];
        for r in 0..n {
            for p in 0..n {
                out[p * n + r] = self.cpos[r * n + p];
            }
        }
        out
    }

    /// Process variants `start..start + b` whose effective weights are `e[i·b + v]`.
    pub(crate) fn block(&mut self, plan: &Plan32, e: &[f64], start: usize, b: usize) {
        self.block_dispatch(plan, e, start, b);
    }

    avx2_method!(
        /// [`Buf32::block_body`], compiled for AVX2 and FMA when the CPU has them.
        fn block_dispatch(&mut self, plan: &Plan32, e: &[f64], start: usize, b: usize)
            = Buf32 => block_body
    );

    #[inline(always)]
    fn block_body(&mut self, plan: &Plan32, e: &[f64], start: usize, b: usize) {
        let (n, ni) = (plan.n, plan.ni);
        if b == 0 || e.len() < ni * b {
            return;
        }
        if self.e32.len() < ni * b {
            self.e32.resize(ni * b, 0.0);
        }
        if self.s.len() < n * b {
            self.s.resize(n * b, 0.0);
            self.keys.resize(n * b, 0);
        }
        self.net.resize(n, [0; LANES]);
        // 1. f32 weights (and Σ|e| per variant for the general bound)
        for (src, dst) in e[..ni * b]
            .chunks_exact(b)
            .zip(self.e32.chunks_exact_mut(b))
        {
            for (d, &x) in dst.iter_mut().zip(src) {
                *d = x as f32;
            }
        }
        self.se.clear();
        self.se.resize(b, 0.0);
        if !plan.nonneg {
            for src in e[..ni * b].chunks_exact(b) {
                for (s, &x) in self.se.iter_mut().zip(src) {
                    *s += x.abs();
                }
            }
        }
        // 2. the product, units × variants
        let (Ok(ev), Ok(mut sv)) = (
            ArrayView2::from_shape((ni, b), &self.e32[..ni * b]),
            ArrayViewMut2::from_shape((n, b), &mut self.s[..n * b]),
        ) else {
            return;
        };
        ndarray::linalg::general_mat_mul(1.0f32, &plan.x32, &ev, 0.0f32, &mut sv);
        // largest score per variant, NaN once a score is NaN (a group with zero weight) or infinite
        // (`max` and a running sum of `x · 0`, NaN at a NaN or infinite score: straight vector
        // code, where a conditional update compiles to masked stores that are slow on some CPUs)
        self.smax.clear();
        self.smax.resize(b, f32::NEG_INFINITY);
        self.sbad.clear();
        self.sbad.resize(b, 0.0);
        for row in self.s[..n * b].chunks_exact(b) {
            for ((m, z), &x) in self.smax.iter_mut().zip(self.sbad.iter_mut()).zip(row) {
                *m = m.max(x);
                *z += x * 0.0;
            }
        }
        for (m, &z) in self.smax.iter_mut().zip(&self.sbad) {
            if z != 0.0 {
                *m = f32::NAN;
            }
        }
        self.thr.clear();
        for v in 0..b {
            let beta = if self.smax[v].is_nan() {
                f64::NAN
            } else {
                plan.beta(self.se[v], self.smax[v])
            };
            self.thr.push(plan.threshold(beta));
        }
        let any_special = self.thr.contains(&SPECIAL);
        // 3. score moments (eight partial sums per position) and histogram cells (none when the
        // statistics are not kept)
        let every = self.every.max(1);
        let n_kept = if self.lay.skip { 0 } else { n };
        for p in 0..n_kept {
            let row = &self.s[p * b..(p + 1) * b];
            let c = self.lay.shift[p];
            let (m1, m2) = (self.lay.m1[p], self.lay.m2[p]);
            let e = self.lay.exp.get(p).copied().unwrap_or(0);
            // exact sums (see `ScoreStats`): level-0 multiples in eight i64 lanes (a block has at
            // most 256 variants of at most 2^50 each) and the largest |q| per lane, all in straight
            // vector code; `|q| ≤ 2^50` implies `|q2| ≤ 2^50`, so one check covers both sums, and a
            // row with a larger term (rare) is added again term by term instead
            let (mut a, mut a2, mut mx) = ([0i64; 8], [0i64; 8], [0.0f64; 8]);
            if any_special {
                for (v, &x) in row.iter().enumerate() {
                    if self.thr[v] != SPECIAL {
                        let d = f64::from(x) - c;
                        self.stats.mom.add(p, d, m1, m2, e);
                    }
                }
            } else {
                let mut ch = row.chunks_exact(8);
                for xs in &mut ch {
                    for l in 0..8 {
                        let d = f64::from(xs[l]) - c;
                        let (q, q2) = (d * m1, (d * d) * m2);
                        mx[l] = mx[l].max(q.abs());
                        a[l] = a[l].wrapping_add(round_q(q));
                        a2[l] = a2[l].wrapping_add(round_q(q2));
                    }
                }
                for (l, &x) in ch.remainder().iter().enumerate() {
                    let d = f64::from(x) - c;
                    let (q, q2) = (d * m1, (d * d) * m2);
                    mx[l] = mx[l].max(q.abs());
                    a[l] = a[l].wrapping_add(round_q(q));
                    a2[l] = a2[l].wrapping_add(round_q(q2));
                }
                if mx.iter().all(|&m| m <= QMAX) {
                    if let (Some(s), Some(s2)) = (
                        self.stats.mom.sum.get_mut(p),
                        self.stats.mom.sum2.get_mut(p),
                    ) {
                        *s = s.wrapping_add(i128::from(
                            a.iter().fold(0i64, |x, &y| x.wrapping_add(y)),
                        ));
                        *s2 = s2.wrapping_add(i128::from(
                            a2.iter().fold(0i64, |x, &y| x.wrapping_add(y)),
                        ));
                    }
                } else {
                    for &x in row {
                        let d = f64::from(x) - c;
                        self.stats.mom.add(p, d, m1, m2, e);
                    }
                }
            }
            if self.lay.bins > 0 && every > 1 {
                let first = (every - start % every) % every;
                let mut v = first;
                while v < b {
                    if self.thr[v] != SPECIAL {
                        let x = f64::from(self.s[p * b + v]);
                        self.stats.add_cell(&self.lay, p, x);
                    }
                    v += every;
                }
            }
        }
        // every variant binned: cells of a whole row in straight (vector) code, then counted with
        // four rows interleaved (one row's increments often hit the same cell back to back)
        if self.lay.bins > 0 && every == 1 {
            let stride = self.lay.bins + 2;
            let rule = CellRule::new(self.lay.bins);
            self.cells.resize(4 * b, 0);
            for p0 in (0..n).step_by(4) {
                let rows = 4.min(n - p0);
                for r in 0..rows {
                    let p = p0 + r;
                    let (lo, hi, sc) = (self.lay.lo[p], self.lay.hi[p], self.lay.scale[p]);
                    let base = (p * stride) as u32;
                    for (c, &x) in self.cells[r * b..(r + 1) * b]
                        .iter_mut()
                        .zip(&self.s[p * b..(p + 1) * b])
                    {
                        *c = base + rule.cell(f64::from(x), lo, hi, sc) as u32;
                    }
                }
                for v in 0..b {
                    if self.thr[v] == SPECIAL {
                        continue;
                    }
                    for r in 0..rows {
                        if let Some(h) = self.stats.hist.get_mut(self.cells[r * b + v] as usize) {
                            *h += 1;
                        }
                    }
                }
            }
        }
        // 4. keys: the clamped, scaled score plus 2²³ has the integer in its low 23 mantissa bits
        // (rounded to nearest: monotone)
        let qmax = ((1u32 << QBITS) - 1) as f32;
        let two23 = (1u32 << 23) as f32;
        for (p, (row, keys)) in self.s[..n * b]
            .chunks_exact(b)
            .zip(self.keys.chunks_exact_mut(b))
            .enumerate()
        {
            for (k, &x) in keys.iter_mut().zip(row) {
                let y = (x - plan.lo) * plan.scale;
                let y = if y > 0.0 { y } else { 0.0 };
                let y = if y < qmax { y } else { qmax };
                let q = (y + two23).to_bits() & 0x007f_ffff;
                *k = (q << plan.ib) | p as u32;
            }
        }
        // 5. sort sixteen variants at a time, check neighbours, count
        self.runs.clear();
        self.run_units.clear();
        let mut g = 0;
        while g < b {
            let lanes = LANES.min(b - g);
            for (p, slot) in self.net.iter_mut().enumerate() {
                let src = &self.keys[p * b + g..p * b + g + lanes];
                slot[..lanes].copy_from_slice(src);
            }
            for &(i, j) in &plan.pairs {
                let (i, j) = (usize::from(i), usize::from(j));
                let Some((x, rest)) = self.net.get_mut(i..=j).and_then(|s| s.split_first_mut())
                else {
                    continue;
                };
                let Some(y) = rest.last_mut() else {
                    continue;
                };
                for l in 0..LANES {
                    let (a, c) = (x[l], y[l]);
                    x[l] = a.min(c);
                    y[l] = a.max(c);
                }
            }
            // gap[j] bit l: the keys at j and j + 1 of lane l are too close to trust
            let mut thr = [SPECIAL; LANES];
            thr[..lanes].copy_from_slice(&self.thr[g..g + lanes]);
            let mut any = 0u32;
            self.gap.clear();
            for w in self.net.windows(2) {
                let mut m = 0u32;
                for l in 0..LANES {
                    let d = (w[1][l] >> plan.ib) - (w[0][l] >> plan.ib);
                    m |= u32::from(d <= thr[l]) << l;
                }
                any |= m;
                self.gap.push(m);
            }
            // every lane but those past `b` and the special ones is counted in sorted order;
            // runs of close neighbours are corrected afterwards
            // lane by lane: consecutive increments go to different rows (the same unit often holds
            // the same rank in neighbouring lanes, and back-to-back increments of one cell stall)
            for l in 0..lanes {
                if thr[l] == SPECIAL {
                    continue;
                }
                for (j, keys) in self.net.iter().enumerate() {
                    let idx = (n - 1 - j) * n + (keys[l] & plan.mask) as usize;
                    if let Some(c) = self.cpos.get_mut(idx) {
                        *c += 1;
                    }
                }
            }
            if any != 0 {
                self.collect_runs(plan, g, lanes);
            }
            for l in 0..lanes {
                let v = g + l;
                if self.thr[v] == SPECIAL {
                    self.f64_variant(plan, e, b, v, (start + v).is_multiple_of(every));
                }
            }
            g += LANES;
        }
        self.rerank(plan, e, b);
        let n_special = self.thr.iter().filter(|&&t| t == SPECIAL).count() as u64;
        self.clean += b as u64 - n_special;
        self.variants += b as u64;
    }

    /// Record the runs of close neighbours of the sorted group starting at variant `g`: maximal
    /// `j..=k` with `gap[j..k]` set for the lane (special lanes and lanes past the block excluded).
    #[inline(always)]
    fn collect_runs(&mut self, plan: &Plan32, g: usize, lanes: usize) {
        // start[l]..=end[l]: the open run of lane l (end = usize::MAX: none)
        let mut start = [0usize; LANES];
        let mut end = [usize::MAX; LANES];
        let live = if lanes >= 32 {
            u32::MAX
        } else {
            (1u32 << lanes) - 1
        };
        for j in 0..self.gap.len() {
            let mut m = self.gap[j] & live;
            while m != 0 {
                let l = m.trailing_zeros() as usize;
                m &= m - 1;
                if end[l] == j {
                    end[l] = j + 1;
                } else {
                    if end[l] != usize::MAX {
                        self.push_run(plan, g, l, start[l], end[l]);
                    }
                    start[l] = j;
                    end[l] = j + 1;
                }
            }
        }
        for l in 0..lanes {
            if end[l] != usize::MAX {
                self.push_run(plan, g, l, start[l], end[l]);
            }
        }
    }

    #[inline(always)]
    fn push_run(&mut self, plan: &Plan32, g: usize, l: usize, j0: usize, j1: usize) {
        if self.thr.get(g + l) == Some(&SPECIAL) {
            return;
        }
        let off = self.run_units.len() as u32;
        self.run_units
            .extend(self.net[j0..=j1].iter().map(|k| k[l] & plan.mask));
        self.runs.push(Run {
            v: (g + l) as u32,
            j0: j0 as u32,
            j1: j1 as u32,
            off,
        });
    }

    /// Re-rank the recorded runs by their `f64` scores (all computed first, four at a time): remove
    /// the counts of the `f32` order and add those of the exact order (`Min` rule).
    #[inline(always)]
    fn rerank(&mut self, plan: &Plan32, e: &[f64], b: usize) {
        if self.runs.is_empty() {
            return;
        }
        let n = plan.n;
        self.reqs.clear();
        for r in &self.runs {
            let len = (r.j1 - r.j0 + 1) as usize;
            let us = &self.run_units[r.off as usize..r.off as usize + len];
            self.reqs.extend(us.iter().map(|&u| (u, r.v)));
        }
        let mut vals = std::mem::take(&mut self.vals);
        plan.exact_many(e, b, &self.reqs, &mut vals);
        let mut run = std::mem::take(&mut self.run);
        for r in &self.runs {
            let (j0, j1, off) = (r.j0 as usize, r.j1 as usize, r.off as usize);
            run.clear();
            for (t, j) in (j0..=j1).enumerate() {
                let u = self.run_units[off + t] as usize;
                if let Some(c) = self.cpos.get_mut((n - 1 - j) * n + u) {
                    *c -= 1;
                }
                run.push((vals.get(off + t).copied().unwrap_or(f64::NAN), u));
            }
            run.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
            // the run holds the descending ranks n − j1 ..= n − j0 (1-based)
            let base = n - 1 - j1;
            let mut rank = base;
            for (i, &(s, u)) in run.iter().enumerate() {
                if i > 0 && s != run[i - 1].0 {
                    rank = base + i;
                }
                if let Some(c) = self.cpos.get_mut(rank * n + u) {
                    *c += 1;
                }
            }
        }
        self.vals = vals;
        self.run = run;
    }

    /// Score variant `v` entirely in `f64` and accumulate it (missing scores allowed).
    fn f64_variant(&mut self, plan: &Plan32, e: &[f64], b: usize, v: usize, bin: bool) {
        let n = plan.n;
        self.s64.clear();
        for u in 0..n {
            let s = plan.exact(u, e, b, v);
            self.s64.push(s);
        }
        self.ranks.resize(n, 0);
        rank_min_into(&self.s64, &mut self.ranks);
        for p in 0..n {
            let r = self.ranks[p] as usize;
            if r == 0 {
                self.rank_missing[p] += 1;
            } else if let Some(c) = self.cpos.get_mut((r - 1) * n + p) {
                *c += 1;
            }
            let x = self.s64[p];
            if self.lay.skip {
                continue;
            }
            if x.is_nan() {
                self.stats.missing[p] += 1;
                continue;
            }
            self.stats.n[p] += 1;
            self.stats.add_score(&self.lay, p, x, bin);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::bench_support::arithmetic_model;

    /// The recomputed `f64` scores equal the product's bit for bit below, at and beyond one chain
    /// block of indicators ([`PRODUCT_KC`]): over 256 indicators the product adds the blocks' chains,
    /// and one chain over all of them would differ in the last bits of most scores.
    #[test]
    fn exact_scores_are_the_products_across_chain_blocks() {
        for (units, inds) in [(9, 3), (20, 256), (20, 257), (33, 300), (12, 600)] {
            let m = arithmetic_model(units, inds, 3, 2, 11).unwrap();
            let (nominal, _) = m.nominal().unwrap();
            let plan = m.linear_plan(0, &nominal).unwrap();
            let p = Plan32::new(&plan, 0.0, 100.0, true).expect("the f32 path applies");
            let b = 5;
            let e: Vec<f64> = (0..inds * b)
                .map(|k| (1.0 + (k % 13) as f64 / 7.0) / inds as f64)
                .collect();
            let mut s = ndarray::Array2::<f64>::zeros((units, b));
            let ev = ArrayView2::from_shape((inds, b), &e[..]).unwrap();
            ndarray::linalg::general_mat_mul(1.0, &plan.xtp.t(), &ev, 0.0, &mut s);
            let reqs: Vec<(u32, u32)> = (0..units as u32)
                .flat_map(|u| (0..b as u32).map(move |v| (u, v)))
                .collect();
            let mut many = Vec::new();
            p.exact_many(&e, b, &reqs, &mut many);
            for (&(u, v), &x) in reqs.iter().zip(&many) {
                let want = s[[u as usize, v as usize]];
                assert_eq!(x.to_bits(), want.to_bits(), "{inds} indicators, unit {u}");
                let one = p.exact(u as usize, &e, b, v as usize);
                assert_eq!(one.to_bits(), want.to_bits(), "{inds} indicators, unit {u}");
            }
        }
    }

    /// A network sorts every 0/1 input iff it sorts everything (Knuth's 0–1 principle): check all
    /// 0/1 inputs for small n and random inputs for larger n.
    #[test]
    fn batcher_networks_sort() {
        for n in 1..=14usize {
            let pairs = batcher_pairs(n);
            for bits in 0u32..(1 << n) {
                let mut a: Vec<u32> = (0..n).map(|i| (bits >> i) & 1).collect();
                for &(i, j) in &pairs {
                    let (x, y) = (a[i as usize], a[j as usize]);
                    a[i as usize] = x.min(y);
                    a[j as usize] = x.max(y);
                }
                assert!(
                    a.windows(2).all(|w| w[0] <= w[1]),
                    "n = {n}, input {bits:b}"
                );
            }
        }
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for n in [15usize, 72, 100, 128, 129, 200, 256] {
            let pairs = batcher_pairs(n);
            for _ in 0..200 {
                let mut a: Vec<u32> = (0..n)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        (state % 50) as u32
                    })
                    .collect();
                let mut want = a.clone();
                want.sort_unstable();
                for &(i, j) in &pairs {
                    let (x, y) = (a[i as usize], a[j as usize]);
                    a[i as usize] = x.min(y);
                    a[j as usize] = x.max(y);
                }
                assert_eq!(a, want, "n = {n}");
            }
        }
    }
}
