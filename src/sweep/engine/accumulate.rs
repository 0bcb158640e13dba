//! The fast paths' accumulation helpers: the one score-histogram cell rule ([`cell`]), exact score
//! sums of NaN-free rows, the binned-variant rule and the position-order buffers of the fast paths.

use super::exact::{Moments, QMAX, exp_for, round_q};
#[cfg(doc)]
use crate::sweep::ScoreStats;

/// The one score-histogram cell rule, for a unit with bounds `[lo, hi]`, `bins` bins and
/// `scale = bins / (hi − lo)` (0 for an empty range): cell `0` counts scores below `lo`, cell
/// `bins + 1` scores above `hi`, and a score in `[lo, hi]` goes to cell `1 + ⌊(x − lo)·scale⌋` clamped
/// to `1..=bins` (a NaN position, from an infinite `x − lo` times a zero scale, counts as `0`).
/// Returned as an `f64` holding a small integer, so vector code converts it to whichever integer type
/// it indexes with; every binning path ([`ScoreStats::add`], the `f64` and `f32` fast paths) uses it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CellRule {
    /// `bins − 1`, the largest in-range offset.
    top: f64,
    /// `bins + 1`, the overflow cell.
    last: f64,
}

impl CellRule {
    /// The rule for `bins` bins per unit.
    #[inline(always)]
    pub(crate) fn new(bins: usize) -> Self {
        CellRule {
            top: bins as f64 - 1.0,
            last: bins as f64 + 1.0,
        }
    }

    /// The cell of score `x` (see the type docs).
    #[inline(always)]
    pub(crate) fn cell(self, x: f64, lo: f64, hi: f64, scale: f64) -> f64 {
        // `((x − lo)·scale).max(0).min(top)` written as selects (a NaN product gives 0, as `max`
        // does), which vectorise where `f64::max`/`min` add NaN fix-ups
        let y = (x - lo) * scale;
        let y = if y > 0.0 { y } else { 0.0 };
        let c = if y < self.top { y } else { self.top }.trunc() + 1.0;
        if x < lo {
            0.0
        } else if x > hi {
            self.last
        } else {
            c
        }
    }

    /// [`CellRule::cell`] as an integer, with masks where `cell` branches, so a loop over
    /// positions vectorises (the cell is a whole number in `0..=bins + 1`, read off exactly by
    /// [`round_q`]).
    #[inline(always)]
    pub(crate) fn cell_index(self, x: f64, lo: f64, hi: f64, scale: f64) -> i64 {
        let y = (x - lo) * scale;
        let y = if y > 0.0 { y } else { 0.0 };
        let c = round_q(if y < self.top { y } else { self.top }.trunc() + 1.0);
        let under = -i64::from(x < lo);
        let over = -i64::from(x > hi) & !under;
        (c & !(under | over)) | (round_q(self.last) & over)
    }
}

/// Per-unit step exponents of the exact sums ([`exp_for`]); a missing bound counts as `(0, 0)`.
pub(crate) fn unit_exponents(shift: &[f64], bounds: &[(f64, f64)]) -> Vec<i32> {
    shift
        .iter()
        .enumerate()
        .map(|(u, &c)| {
            let (lo, hi) = bounds.get(u).copied().unwrap_or((0.0, 0.0));
            exp_for(c, lo, hi)
        })
        .collect()
}

/// Add `d` (and `d²`) of each position of a variant without missing scores to `mom` in straight
/// code: level-0 terms as `i64` multiples in `acc` / `acc2` (one per position), the rare others
/// through [`Moments::add_slow`]. `acc` must not overflow: at most `2^13` variants between flushes.
#[inline(always)]
pub(crate) fn add_clean_row(
    t: &[f64],
    lay: &PermutedLayout,
    acc: &mut [i64],
    acc2: &mut [i64],
    mom: &mut Moments,
) {
    // `|q| ≤ 2^50` implies `|q2| ≤ 2^50` (`q2 = q²·2^−50`), so one check covers both; a term
    // beyond it leaves its position's `i64` sums alone (a select, no branch) and is added again
    // term by term below
    let mut bad = false;
    for (((((&x, &c), &m1), &m2), a), a2) in t
        .iter()
        .zip(&lay.shift)
        .zip(&lay.m1)
        .zip(&lay.m2)
        .zip(acc.iter_mut())
        .zip(acc2.iter_mut())
    {
        let d = x - c;
        let (q, q2) = (d * m1, (d * d) * m2);
        let ok = q.abs() <= QMAX;
        bad |= !ok;
        *a = a.wrapping_add(if ok { round_q(q) } else { 0 });
        *a2 = a2.wrapping_add(if ok { round_q(q2) } else { 0 });
    }
    if bad {
        for (p, ((&x, &c), (&m1, &m2))) in t
            .iter()
            .zip(&lay.shift)
            .zip(lay.m1.iter().zip(&lay.m2))
            .enumerate()
        {
            let d = x - c;
            let ok = (d * m1).abs() <= QMAX; // false for NaN, as in the loop above
            if !ok {
                let e = lay.exp.get(p).copied().unwrap_or(0);
                mom.add(p, d, m1, m2, e);
            }
        }
    }
}

/// Positions per group of [`add_clean_block`]: one cache line of `f64` scores.
const LANES: usize = 8;

/// The score statistics of a block's variants without missing scores, position by position: the
/// moments of every row `v` of `rows` and the histogram cells of the rows marked `true`, where row
/// `v` holds the scores (position order) `s[v·n..(v + 1)·n]`. The same terms and counts as
/// [`add_clean_row`] plus the cells of [`CellRule`] row by row (every sum is an exact integer sum,
/// so the order does not matter), but in groups of [`LANES`] positions over all the block's rows:
/// a group's sums stay in registers and its histogram rows in L1, where row by row every score
/// touches its own position's histogram row and sums. At most `2^13` rows (the `i64` group sums).
#[inline(always)]
pub(crate) fn add_clean_block(
    s: &[f64],
    n: usize,
    rows: &[(u32, bool)],
    lay: &PermutedLayout,
    st: &mut PermutedStats,
) {
    let stride = lay.bins + 2;
    let rule = CellRule::new(lay.bins);
    let row_of = |v: u32| s.get(v as usize * n..(v as usize + 1) * n);
    let whole = n / LANES * LANES;
    let avx2 = super::simd::avx2_fma();
    for g0 in (0..whole).step_by(LANES) {
        let lanes = |v: &[f64]| -> [f64; LANES] {
            let mut a = [0.0; LANES];
            if let Some(src) = v.get(g0..g0 + LANES) {
                a.copy_from_slice(src);
            }
            a
        };
        let (c, m1, m2) = (lanes(&lay.shift), lanes(&lay.m1), lanes(&lay.m2));
        // straight code over all rows (vectorised), noting per lane whether a term lies beyond
        // level 0; one that does (rare: a score far outside the bounds) makes the group's sums be
        // redone term by term
        let (mut a, mut a2) = ([0i64; LANES], [0i64; LANES]);
        let mut beyond = [false; LANES];
        for &(v, _) in rows {
            let Some(x) = row_of(v).and_then(|r| r.get(g0..g0 + LANES)) else {
                continue;
            };
            for l in 0..LANES {
                let d = x[l] - c[l];
                let (q, q2) = (d * m1[l], (d * d) * m2[l]);
                // (NaN, e.g. 0·∞, counts as beyond)
                beyond[l] |= q.is_nan() || q.abs() > QMAX;
                a[l] = a[l].wrapping_add(round_q(q));
                a2[l] = a2[l].wrapping_add(round_q(q2));
            }
        }
        if beyond.iter().any(|&b| b) {
            (a, a2) = ([0; LANES], [0; LANES]);
            for &(v, _) in rows {
                let Some(x) = row_of(v).and_then(|r| r.get(g0..g0 + LANES)) else {
                    continue;
                };
                for (l, &x) in x.iter().enumerate() {
                    st.add_score(lay, g0 + l, x, false);
                }
            }
        }
        for l in 0..LANES {
            if let (Some(s1), Some(s2)) = (st.mom.sum.get_mut(g0 + l), st.mom.sum2.get_mut(g0 + l))
            {
                *s1 = s1.wrapping_add(i128::from(a[l]));
                *s2 = s2.wrapping_add(i128::from(a2[l]));
            }
        }
        if lay.bins == 0 {
            continue;
        }
        let (lo, hi, sc) = (lanes(&lay.lo), lanes(&lay.hi), lanes(&lay.scale));
        let base: [i64; LANES] = std::array::from_fn(|l| (l * stride) as i64);
        let Some(hist) = st.hist.get_mut(g0 * stride..(g0 + LANES) * stride) else {
            continue;
        };
        for &(v, bin) in rows {
            if !bin {
                continue;
            }
            let Some(x) = row_of(v).and_then(|r| r.get(g0..g0 + LANES)) else {
                continue;
            };
            let Ok(x) = <&[f64; LANES]>::try_from(x) else {
                continue;
            };
            for c in cells8(avx2, rule, x, [&lo, &hi, &sc], &base) {
                if let Some(h) = hist.get_mut(c as usize) {
                    *h += 1;
                }
            }
        }
    }
    // the last `n mod LANES` positions one by one
    for p in whole..n {
        for &(v, bin) in rows {
            if let Some(&x) = row_of(v).and_then(|r| r.get(p)) {
                st.add_score(lay, p, x, bin);
            }
        }
    }
}

/// `base[l] + ` [`CellRule::cell_index`] of the scores `x` of [`LANES`] positions with bounds and
/// scales `[lo, hi, scale]`, with explicit AVX2 when `avx2` (the CPU has it: [`avx2_fma`]), in
/// straight code otherwise; the same integers either way (tested).
///
/// [`avx2_fma`]: super::simd::avx2_fma
#[inline(always)]
fn cells8(
    avx2: bool,
    rule: CellRule,
    x: &[f64; LANES],
    [lo, hi, sc]: [&[f64; LANES]; 3],
    base: &[i64; LANES],
) -> [i64; LANES] {
    #[cfg(target_arch = "x86_64")]
    if avx2 {
        // SAFETY: the caller checked that the CPU supports AVX2 (`avx2_fma`), the only
        // requirement of the target-feature function, which reads and writes its arrays only.
        return unsafe { cells8_avx2(rule, x, [lo, hi, sc], base) };
    }
    let _ = avx2;
    std::array::from_fn(|l| base[l] + rule.cell_index(x[l], lo[l], hi[l], sc[l]))
}

/// [`cells8`] with AVX2, four lanes at a time: [`CellRule::cell_index`] step by step, its selects
/// as compare masks (`y > 0` is false for NaN, as there), the whole cell read off by the `2^52`
/// trick of [`round_q`].
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn cells8_avx2(
    rule: CellRule,
    x: &[f64; LANES],
    [lo, hi, sc]: [&[f64; LANES]; 3],
    base: &[i64; LANES],
) -> [i64; LANES] {
    use super::exact::{MAGIC, MAGIC_BITS};
    use std::arch::x86_64::*;
    let mut out = [0i64; LANES];
    let zero = _mm256_setzero_pd();
    let top = _mm256_set1_pd(rule.top);
    let one = _mm256_set1_pd(1.0);
    let magic = _mm256_set1_pd(MAGIC);
    let magic_bits = _mm256_set1_epi64x(MAGIC_BITS);
    let last = _mm256_set1_epi64x(round_q(rule.last));
    for o in [0, 4] {
        // SAFETY: lanes `o..o + 4` of arrays of `LANES` = 8 (unaligned loads and store).
        let (xv, lov, hiv, scv, bv) = unsafe {
            (
                _mm256_loadu_pd(x.as_ptr().add(o)),
                _mm256_loadu_pd(lo.as_ptr().add(o)),
                _mm256_loadu_pd(hi.as_ptr().add(o)),
                _mm256_loadu_pd(sc.as_ptr().add(o)),
                _mm256_loadu_si256(base.as_ptr().add(o).cast()),
            )
        };
        let y = _mm256_mul_pd(_mm256_sub_pd(xv, lov), scv);
        let y = _mm256_and_pd(_mm256_cmp_pd::<_CMP_GT_OQ>(y, zero), y);
        let y = _mm256_blendv_pd(top, y, _mm256_cmp_pd::<_CMP_LT_OQ>(y, top));
        let c = _mm256_add_pd(
            _mm256_round_pd::<{ _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC }>(y),
            one,
        );
        let c = _mm256_sub_epi64(_mm256_castpd_si256(_mm256_add_pd(c, magic)), magic_bits);
        let under = _mm256_castpd_si256(_mm256_cmp_pd::<_CMP_LT_OQ>(xv, lov));
        let over = _mm256_andnot_si256(
            under,
            _mm256_castpd_si256(_mm256_cmp_pd::<_CMP_GT_OQ>(xv, hiv)),
        );
        let cell = _mm256_or_si256(
            _mm256_andnot_si256(_mm256_or_si256(under, over), c),
            _mm256_and_si256(last, over),
        );
        // SAFETY: as above.
        unsafe { _mm256_storeu_si256(out.as_mut_ptr().add(o).cast(), _mm256_add_epi64(cell, bv)) };
    }
    out
}

/// Move `i64` level-0 multiples into `mom` (position order) and zero them.
pub(crate) fn flush_clean(acc: &mut [i64], acc2: &mut [i64], mom: &mut Moments) {
    for ((a, s), (a2, s2)) in acc
        .iter_mut()
        .zip(mom.sum.iter_mut())
        .zip(acc2.iter_mut().zip(mom.sum2.iter_mut()))
    {
        *s += i128::from(*a);
        *s2 += i128::from(*a2);
        *a = 0;
        *a2 = 0;
    }
}

/// Variants a sweep of `k` variants keeps in its score histograms: every `bin_every(k)`-th (see
/// [`ScoreStats`]).
pub(crate) fn bin_every(k: usize) -> usize {
    (k / 65_536).max(1)
}

/// Score sums of the sweep fast path in nominal-position order (see [`ScoreStats::add_permuted`]);
/// histogram cells are `u32` (flushed before they could overflow).
#[derive(Debug, Clone, Default)]
pub(crate) struct PermutedStats {
    pub(crate) n: Vec<u64>,
    pub(crate) missing: Vec<u64>,
    /// Exact sums of `d` and `d²` per position (see [`ScoreStats`]).
    pub(crate) mom: Moments,
    pub(crate) hist: Vec<u32>,
}

impl PermutedStats {
    /// Zeroed moments for `n` positions and `cells` histogram cells.
    pub(crate) fn reset(&mut self, n: usize, cells: usize) {
        for v in [&mut self.n, &mut self.missing] {
            v.clear();
            v.resize(n, 0);
        }
        self.mom.reset(n);
        self.hist.clear();
        self.hist.resize(cells, 0);
    }

    /// Add score `x` (not missing) of position `p`: its exact moment terms ([`Moments::add`]) and,
    /// when `bin`, its histogram cell ([`PermutedStats::add_cell`]). The count `n` is the caller's.
    #[inline(always)]
    pub(crate) fn add_score(&mut self, lay: &PermutedLayout, p: usize, x: f64, bin: bool) {
        let e = lay.exp.get(p).copied().unwrap_or(0);
        self.mom.add(p, x - lay.shift[p], lay.m1[p], lay.m2[p], e);
        if lay.bins > 0 && bin {
            self.add_cell(lay, p, x);
        }
    }

    /// Count score `x` of position `p` in its histogram cell ([`CellRule`]).
    #[inline(always)]
    pub(crate) fn add_cell(&mut self, lay: &PermutedLayout, p: usize, x: f64) {
        let cell = CellRule::new(lay.bins).cell(x, lay.lo[p], lay.hi[p], lay.scale[p]) as usize;
        if let Some(h) = self.hist.get_mut(p * (lay.bins + 2) + cell) {
            *h += 1;
        }
    }

    /// Add the moments (not the histogram) entry-wise into `into`, sized first if it is empty.
    pub(crate) fn add_moments_to(&self, into: &mut PermutedStats) {
        let n = self.n.len();
        if into.n.len() != n {
            into.reset(n, 0);
        }
        for (a, b) in into.n.iter_mut().zip(&self.n) {
            *a += b;
        }
        for (a, b) in into.missing.iter_mut().zip(&self.missing) {
            *a += b;
        }
        into.mom.add_mapped(&self.mom, Some);
    }
}

/// Histogram layout of [`ScoreStats`] in position order ([`ScoreStats::permuted_layout`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct PermutedLayout {
    /// Bins per unit (0 = none).
    pub(crate) bins: usize,
    /// The statistics keep nothing ([`ScoreStats::not_kept`]): no moments, counts or cells.
    pub(crate) skip: bool,
    /// Exact-sum multipliers `2^(50 − E)` (for `d`) and `2^(50 − 2E)` (for `d²`) and exponents `E`.
    pub(crate) m1: Vec<f64>,
    pub(crate) m2: Vec<f64>,
    pub(crate) exp: Vec<i32>,
    pub(crate) shift: Vec<f64>,
    pub(crate) lo: Vec<f64>,
    pub(crate) hi: Vec<f64>,
    /// `bins / (hi − lo)` per position.
    pub(crate) scale: Vec<f64>,
}

/// Run `row(dst, p)` for each row of `rows` (rows of `width` cells, one per unit `u`, in unit order)
/// with `p` the position of unit `u` in `perm` (position `p` is unit `perm[p]`; units no position
/// maps to are skipped), in parallel over rows with `par` (rayon; each row is written by one call, so
/// the result does not depend on the split). The fast paths' merges of position-order buffers into
/// unit-order accumulators go through it.
pub(crate) fn for_each_unit_row<T: Send>(
    rows: &mut [T],
    width: usize,
    perm: &[usize],
    par: bool,
    row: impl Fn(&mut [T], usize) + Sync,
) {
    if width == 0 {
        return;
    }
    let n = rows.len() / width;
    let mut pos = vec![usize::MAX; n];
    for (p, &u) in perm.iter().enumerate() {
        if let Some(slot) = pos.get_mut(u) {
            *slot = p;
        }
    }
    let each = |(dst, &p): (&mut [T], &usize)| {
        if p != usize::MAX {
            row(dst, p);
        }
    };
    if par {
        use rayon::prelude::*;
        rows.par_chunks_mut(width)
            .zip(pos.par_iter())
            .with_min_len(64)
            .for_each(each);
    } else {
        rows.chunks_mut(width).zip(pos.iter()).for_each(each);
    }
}

/// Widen the bin range `span` (`(lo, hi)`, inclusive; empty when `lo > hi`) to cover bins `lo..=hi`
/// (`lo ≤ hi`). The rank histograms' spans and the fast path's per-position bands grow through it.
#[inline(always)]
pub(crate) fn widen(span: &mut (u32, u32), lo: usize, hi: usize) {
    let (lo, hi) = (
        u32::try_from(lo).unwrap_or(u32::MAX),
        u32::try_from(hi).unwrap_or(u32::MAX),
    );
    span.0 = span.0.min(lo);
    span.1 = span.1.max(hi);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::ScoreStats;

    /// The cell rule as first written (`f64::max`/`min`), the reference of the select form.
    fn cell_reference(rule: CellRule, x: f64, lo: f64, hi: f64, scale: f64) -> f64 {
        let c = ((x - lo) * scale).max(0.0).min(rule.top).trunc() + 1.0;
        if x < lo {
            0.0
        } else if x > hi {
            rule.last
        } else {
            c
        }
    }

    #[test]
    fn cell_selects_equal_the_max_min_form() {
        let rule = CellRule::new(16);
        let xs = [
            -1.0,
            0.0,
            0.5,
            3.999,
            4.0,
            7.5,
            8.0,
            9.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        for (lo, hi) in [(0.0, 8.0), (2.0, 2.0), (-3.0, 8.0)] {
            let scale = if hi > lo { 16.0 / (hi - lo) } else { 0.0 };
            for &x in &xs {
                let (a, b) = (
                    rule.cell(x, lo, hi, scale),
                    cell_reference(rule, x, lo, hi, scale),
                );
                assert_eq!(a.to_bits(), b.to_bits(), "x = {x}, [{lo}, {hi}]");
                let i = rule.cell_index(x, lo, hi, scale);
                assert_eq!(i as f64, b, "x = {x}, [{lo}, {hi}]");
                // eight lanes, with and without AVX2 (when the CPU has it)
                let lanes = |v: f64| [v; LANES];
                let base: [i64; LANES] = std::array::from_fn(|l| 100 * l as i64);
                let (lo8, hi8, sc8) = (lanes(lo), lanes(hi), lanes(scale));
                for avx2 in [false, super::super::simd::avx2_fma()] {
                    let c = cells8(avx2, rule, &lanes(x), [&lo8, &hi8, &sc8], &base);
                    for (l, &c) in c.iter().enumerate() {
                        assert_eq!(c, base[l] + i, "x = {x}, [{lo}, {hi}], avx2 {avx2}");
                    }
                }
            }
        }
    }

    /// `add_clean_block` adds the same exact sums and cells as `add_clean_row` plus the cells of
    /// `CellRule`, row by row: whole groups and a tail, scores inside and far outside the bounds
    /// (terms beyond level 0), infinities, and rows not binned.
    #[test]
    fn block_statistics_equal_row_statistics() {
        let n = 21;
        let bins = 8;
        let shift: Vec<f64> = (0..n).map(|u| u as f64 * 0.5).collect();
        let bounds: Vec<(f64, f64)> = shift.iter().map(|&c| (c - 2.0, c + 3.0)).collect();
        let mut stats = ScoreStats::new(shift.clone(), bounds, bins);
        let perm: Vec<usize> = (0..n).rev().collect();
        let lay = stats.permuted_layout(&perm);
        let rows_n = 40;
        let mut s = vec![0.0; rows_n * n];
        let mut state = 0x9e37_79b9_u64;
        for (i, x) in s.iter_mut().enumerate() {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            let u = (state >> 11) as f64 / (1u64 << 53) as f64;
            let p = i % n;
            *x = lay.shift[p] + (u - 0.4) * 6.0;
        }
        s[3 * n + 2] = 1e9; // far beyond the bounds: beyond level 0
        s[4 * n + 3] = lay.shift[3] - 30.0; // q = −1.875·2^52: beyond level 0, where `round_q` overflowed i64
        s[5 * n + 20] = -1e12; // in the tail
        s[7 * n + 9] = f64::INFINITY;
        s[8 * n + 10] = f64::NEG_INFINITY;
        let rows: Vec<(u32, bool)> = (0..rows_n as u32).map(|v| (v, v % 3 != 1)).collect();
        let cells = n * (bins + 2);
        let mut by_block = PermutedStats::default();
        by_block.reset(n, cells);
        add_clean_block(&s, n, &rows, &lay, &mut by_block);
        let mut by_row = PermutedStats::default();
        by_row.reset(n, cells);
        let (mut acc, mut acc2) = (vec![0i64; n], vec![0i64; n]);
        let rule = CellRule::new(bins);
        for &(v, bin) in &rows {
            let t = &s[v as usize * n..(v as usize + 1) * n];
            add_clean_row(t, &lay, &mut acc, &mut acc2, &mut by_row.mom);
            if bin {
                for (p, &x) in t.iter().enumerate() {
                    let c = rule.cell(x, lay.lo[p], lay.hi[p], lay.scale[p]) as usize;
                    by_row.hist[p * (bins + 2) + c] += 1;
                }
            }
        }
        flush_clean(&mut acc, &mut acc2, &mut by_row.mom);
        assert!(
            !by_row.mom.extra.is_empty(),
            "the case has terms beyond level 0"
        );
        assert_eq!(by_block.mom, by_row.mom);
        assert_eq!(by_block.hist, by_row.hist);
    }
}
