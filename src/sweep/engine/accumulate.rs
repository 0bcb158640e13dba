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
        let c = ((x - lo) * scale).max(0.0).min(self.top).trunc() + 1.0;
        if x < lo {
            0.0
        } else if x > hi {
            self.last
        } else {
            c
        }
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
