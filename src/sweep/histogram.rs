//! Exact, mergeable accumulators: per-unit rank histograms and score statistics.

use serde::{Deserialize, Serialize};

use super::exact::{ExactRepr, Moments, QMAX, exp_for, multipliers, round_q};
use super::memory::try_zeroed;
use crate::error::{Error, Result};

/// Rank scores with the crate's `Min` tie rule by counting: `rank = 1 + #{j : s_j > s_i}` (1 = best).
/// A NaN score gets rank `0` (no rank) and is never counted as higher. The count is branch-free and
/// vectorises; it gives exactly [`rank_desc`](crate::rank::rank_desc) with [`TieRule::Min`](crate::TieRule::Min).
///
/// ```
/// use composite_indicators::sweep::rank_min_into;
/// let mut r = [0u32; 5];
/// rank_min_into(&[9.0, 7.0, 7.0, f64::NAN, 5.0], &mut r);
/// assert_eq!(r, [1, 2, 2, 0, 4]);
/// ```
pub fn rank_min_into(scores: &[f64], out: &mut [u32]) {
    for (o, &si) in out.iter_mut().zip(scores) {
        let c: u32 = scores.iter().map(|&sj| u32::from(sj > si)).sum();
        *o = if si.is_nan() { 0 } else { c + 1 };
    }
}

/// Exact `Min`-rule ranks of NaN-free scores by sorting, for many units: a least-significant-digit
/// radix sort (three passes of 11 bits) of `(f32 key, index)` pairs orders the units by their `f32`
/// copies (descending; `−0.0` is read as `0.0`); runs of equal `f32` copies, the only places where the
/// `f32` order can differ from the `f64` order, are re-sorted by the `f64` scores; ranks are then
/// assigned along the order (`rank = 1 +` the sorted index of the first of a run of equal scores).
/// `keys` and `tmp` are scratch. From 2³² units on it counts ([`rank_min_into`]).
pub(crate) fn rank_radix(s: &[f64], keys: &mut Vec<u64>, tmp: &mut Vec<u64>, out: &mut [u32]) {
    let n = s.len().min(out.len());
    if u32::try_from(n).is_err() {
        rank_min_into(s, out);
        return;
    }
    keys.clear();
    keys.extend(s.iter().take(n).enumerate().map(|(i, &x)| {
        let b = ((x as f32) + 0.0).to_bits();
        // ascending-order key of the f32, inverted so that the sort is descending
        let asc = if b >> 31 == 1 { !b } else { b | 0x8000_0000 };
        (u64::from(!asc) << 32) | i as u64
    }));
    tmp.clear();
    tmp.resize(n, 0);
    let mut cnt = [[0u32; 2048]; 3];
    for &k in keys.iter() {
        let h = (k >> 32) as u32;
        cnt[0][(h & 0x7ff) as usize] += 1;
        cnt[1][((h >> 11) & 0x7ff) as usize] += 1;
        cnt[2][(h >> 22) as usize] += 1;
    }
    for (pass, c) in cnt.iter_mut().enumerate() {
        let shift = 32 + 11 * pass as u32;
        // skip a pass whose digit is the same for every key
        if c.iter().any(|&x| x as usize == n) {
            continue;
        }
        let mut acc = 0u32;
        for x in c.iter_mut() {
            let v = *x;
            *x = acc;
            acc += v;
        }
        for &k in keys.iter() {
            let d = ((k >> shift) & 0x7ff) as usize;
            tmp[c[d] as usize] = k;
            c[d] += 1;
        }
        std::mem::swap(keys, tmp);
    }
    // runs of equal f32 keys: order by the f64 scores (insertion sort, runs are short)
    let mut i = 0;
    while i < n {
        let hi = keys[i] >> 32;
        let mut j = i + 1;
        while j < n && keys[j] >> 32 == hi {
            j += 1;
        }
        if j - i > 1 {
            for a in i + 1..j {
                let cur = keys[a];
                let x = s[(cur & 0xffff_ffff) as usize];
                let mut b = a;
                while b > i && s[(keys[b - 1] & 0xffff_ffff) as usize] < x {
                    keys[b] = keys[b - 1];
                    b -= 1;
                }
                keys[b] = cur;
            }
        }
        i = j;
    }
    let mut rank = 1u32;
    let mut prev = f64::NAN;
    for (i, &k) in keys.iter().enumerate() {
        let u = (k & 0xffff_ffff) as usize;
        let x = s[u];
        if x != prev {
            rank = i as u32 + 1;
            prev = x;
        }
        out[u] = rank;
    }
}

/// Fast exact ranking for sweeps: counts on `f32` copies of the scores (twice the SIMD width), and
/// falls back to the `f64` count when the copies contain a tie. Rounding to `f32` is monotone, so if
/// the `f32` values are pairwise distinct their order is the `f64` order; with `Min`-rule ranks the rank
/// sum equals `n(n+1)/2` exactly when there is no tie, which is the check. NaN scores use the `f64`
/// path. Results always equal [`rank_min_into`].
///
/// Above [`SORT_ABOVE`] units the quadratic count loses to sorting: [`rank_radix`] (linear-time radix
/// sort of `f32` keys with an exact `f64` fix-up of `f32` ties).
#[derive(Debug, Clone, Default)]
pub(crate) struct Ranker {
    s32: Vec<f32>,
    keys: Vec<u64>,
    tmp: Vec<u64>,
}

/// Unit count above which [`Ranker`] sorts instead of counting.
pub(crate) const SORT_ABOVE: usize = 160;

/// `out[i] = 1 + #{j : s32[j] > s32[i]}` for `i < out.len()`; returns the sum of `out`. `s32` is padded
/// to a multiple of 8 with `−∞` (never counted as higher). Four units are counted per pass over
/// `s32`, eight lanes at a time, so each loaded vector feeds four compares; the per-lane counts are
/// summed once per unit.
#[inline(always)]
fn count_f32(s32: &[f32], out: &mut [u32]) -> u64 {
    let n = out.len();
    let mut total = 0u64;
    let mut i = 0;
    while i + 4 <= n {
        let (a0, a1, a2, a3) = (s32[i], s32[i + 1], s32[i + 2], s32[i + 3]);
        let mut c = [[0u32; 8]; 4];
        for ch in s32.chunks_exact(8) {
            for l in 0..8 {
                c[0][l] += u32::from(ch[l] > a0);
                c[1][l] += u32::from(ch[l] > a1);
                c[2][l] += u32::from(ch[l] > a2);
                c[3][l] += u32::from(ch[l] > a3);
            }
        }
        for (k, ck) in c.iter().enumerate() {
            let r = ck.iter().sum::<u32>() + 1;
            out[i + k] = r;
            total += u64::from(r);
        }
        i += 4;
    }
    for (o, &si) in out.iter_mut().zip(s32).skip(i) {
        let r = s32.iter().map(|&sj| u32::from(sj > si)).sum::<u32>() + 1;
        *o = r;
        total += u64::from(r);
    }
    total
}

/// [`count_f32`] with explicit AVX2: four broadcast units against each loaded vector of eight
/// scores, compare masks (−1 per lane) subtracted from four lane counters, one horizontal sum per unit.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn count_f32_avx2(s32: &[f32], out: &mut [u32]) -> u64 {
    use std::arch::x86_64::*;
    #[inline]
    #[target_feature(enable = "avx2")]
    fn hsum(v: __m256i) -> u32 {
        let lo = _mm256_castsi256_si128(v);
        let hi = _mm256_extracti128_si256::<1>(v);
        let s = _mm_add_epi32(lo, hi);
        let s = _mm_add_epi32(s, _mm_shuffle_epi32::<0b01_00_11_10>(s));
        let s = _mm_add_epi32(s, _mm_shuffle_epi32::<0b10_11_00_01>(s));
        _mm_cvtsi128_si32(s) as u32
    }
    let n = out.len();
    if s32.len() % 8 != 0 || s32.len() < n {
        return count_f32(s32, out);
    }
    let mut total = 0u64;
    let mut i = 0;
    while i + 4 <= n {
        let a0 = _mm256_set1_ps(s32[i]);
        let a1 = _mm256_set1_ps(s32[i + 1]);
        let a2 = _mm256_set1_ps(s32[i + 2]);
        let a3 = _mm256_set1_ps(s32[i + 3]);
        let (mut c0, mut c1, mut c2, mut c3) = (
            _mm256_setzero_si256(),
            _mm256_setzero_si256(),
            _mm256_setzero_si256(),
            _mm256_setzero_si256(),
        );
        for ch in s32.chunks_exact(8) {
            // SAFETY: `ch` has exactly 8 f32 values; unaligned load.
            let v = unsafe { _mm256_loadu_ps(ch.as_ptr()) };
            c0 = _mm256_sub_epi32(c0, _mm256_castps_si256(_mm256_cmp_ps::<_CMP_GT_OQ>(v, a0)));
            c1 = _mm256_sub_epi32(c1, _mm256_castps_si256(_mm256_cmp_ps::<_CMP_GT_OQ>(v, a1)));
            c2 = _mm256_sub_epi32(c2, _mm256_castps_si256(_mm256_cmp_ps::<_CMP_GT_OQ>(v, a2)));
            c3 = _mm256_sub_epi32(c3, _mm256_castps_si256(_mm256_cmp_ps::<_CMP_GT_OQ>(v, a3)));
        }
        for (k, c) in [c0, c1, c2, c3].into_iter().enumerate() {
            let r = hsum(c) + 1;
            out[i + k] = r;
            total += u64::from(r);
        }
        i += 4;
    }
    for (o, &si) in out.iter_mut().zip(s32).skip(i) {
        let r = s32.iter().map(|&sj| u32::from(sj > si)).sum::<u32>() + 1;
        *o = r;
        total += u64::from(r);
    }
    total
}

/// Exact `Min`-rule ranks of NaN-free scores `s` into `out` (same length), counting on `f32` copies
/// (`s32` is scratch) and falling back to the `f64` count when the copies contain a tie (rounding to
/// `f32` is monotone, so pairwise distinct copies are ordered as the originals; ranks sum to
/// `n(n+1)/2` exactly when there is no tie).
pub(crate) fn rank_counting(s: &[f64], s32: &mut Vec<f32>, out: &mut [u32]) {
    let n = s.len();
    s32.clear();
    s32.extend(s.iter().map(|&v| v as f32));
    s32.resize(n.div_ceil(8) * 8, f32::NEG_INFINITY);
    let out = &mut out[..n];
    #[cfg(target_arch = "x86_64")]
    let total = if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 (checked just above); the function is plain safe code
        // compiled with AVX2 enabled.
        unsafe { count_f32_avx2(s32, out) }
    } else {
        count_f32(s32, out)
    };
    #[cfg(not(target_arch = "x86_64"))]
    let total = count_f32(s32, out);
    let n = n as u64;
    if total != n * (n + 1) / 2 {
        rank_min_into(s, out);
    }
}

impl Ranker {
    pub(crate) fn rank_into(&mut self, s: &[f64], out: &mut [u32]) {
        let n = s.len();
        if out.len() != n || s.iter().any(|v| v.is_nan()) {
            rank_min_into(s, out);
            return;
        }
        if n > SORT_ABOVE {
            rank_radix(s, &mut self.keys, &mut self.tmp, out);
            return;
        }
        rank_counting(s, &mut self.s32, out);
    }
}

/// Per-unit histogram of ranks over variants (units × units `u64` counts) plus a count of variants in
/// which the unit had no rank (missing score). Exact and mergeable: merging histograms of disjoint
/// variant ranges gives exactly the histogram of the union.
///
/// **Quantile rule:** the `q`-quantile of a unit's ranks is the smallest rank `r` whose cumulative
/// count reaches `⌈q·n⌉` (at least 1), `n` the number of variants in which the unit was ranked; this is
/// the `⌈q·n⌉`-th smallest rank (R's `quantile(type = 1)`). The median is the 0.5-quantile.
/// [`RankHistogram::quantile_interpolated`] gives R's default rule (type 7) instead, as COINr's rank
/// summaries and [`UaReport`](super::UaReport) use it.
///
/// ```
/// use composite_indicators::sweep::RankHistogram;
/// let mut h = RankHistogram::new(3);
/// h.add(&[1, 2, 3]);
/// h.add(&[2, 1, 3]);
/// h.add(&[1, 3, 0]);
/// assert_eq!(h.count(0, 1), 2);
/// assert_eq!(h.mean(0), Some(4.0 / 3.0));
/// assert_eq!(h.quantile(0, 0.5), Some(1));
/// assert_eq!(h.n_missing(2), 1);
/// assert_eq!(h.prob_at_most(1, 2), Some(2.0 / 3.0));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RankHistogramRepr")]
pub struct RankHistogram {
    n_units: usize,
    counts: Vec<u64>,
    missing: Vec<u64>,
    variants: u64,
}

/// The serialised form of a [`RankHistogram`]; reading checks the lengths (`n_units²` counts,
/// `n_units` missing counts), so a damaged file is an error rather than a histogram that panics later.
#[derive(Deserialize)]
struct RankHistogramRepr {
    n_units: usize,
    counts: Vec<u64>,
    missing: Vec<u64>,
    variants: u64,
}

impl TryFrom<RankHistogramRepr> for RankHistogram {
    type Error = Error;
    fn try_from(r: RankHistogramRepr) -> Result<Self> {
        let cells = r.n_units.checked_mul(r.n_units);
        if cells != Some(r.counts.len()) {
            return Err(Error::ShapeMismatch {
                what: format!("rank histogram counts ({} units squared)", r.n_units),
                expected: cells.unwrap_or(usize::MAX),
                found: r.counts.len(),
            });
        }
        if r.missing.len() != r.n_units {
            return Err(Error::ShapeMismatch {
                what: "rank histogram missing counts (one per unit)".into(),
                expected: r.n_units,
                found: r.missing.len(),
            });
        }
        Ok(RankHistogram {
            n_units: r.n_units,
            counts: r.counts,
            missing: r.missing,
            variants: r.variants,
        })
    }
}

impl RankHistogram {
    /// An empty histogram for `n_units` units (`n_units² × 8` bytes; the process aborts if the system
    /// cannot provide them: use [`RankHistogram::try_new`] for sizes that come from user data).
    pub fn new(n_units: usize) -> Self {
        RankHistogram {
            n_units,
            counts: vec![0; n_units * n_units],
            missing: vec![0; n_units],
            variants: 0,
        }
    }

    /// An empty histogram for `n_units` units, allocated fallibly.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when `n_units²` overflows, [`Error::AllocationFailed`] when the
    /// system refuses the `n_units² × 8` bytes (instead of aborting the process). Sweeps check a
    /// memory budget before they get here ([`SweepConfig::memory_budget`](super::SweepConfig::memory_budget)).
    ///
    /// ```
    /// use composite_indicators::sweep::RankHistogram;
    /// assert_eq!(RankHistogram::try_new(3).unwrap(), RankHistogram::new(3));
    /// assert!(RankHistogram::try_new(usize::MAX).is_err());
    /// ```
    pub fn try_new(n_units: usize) -> Result<Self> {
        let cells = n_units.checked_mul(n_units).ok_or_else(|| {
            Error::param(
                "units",
                format!("a rank histogram of {n_units} units has more than usize::MAX cells"),
            )
        })?;
        let what = format!("rank histogram of {n_units} units");
        Ok(RankHistogram {
            n_units,
            counts: try_zeroed(cells, &what)?,
            missing: try_zeroed(n_units, &what)?,
            variants: 0,
        })
    }

    /// Add one variant's ranks (`0` = no rank). Ranks above the unit count are ignored as invalid
    /// (they cannot come from [`rank_min_into`]) and counted as missing.
    pub fn add(&mut self, ranks: &[u32]) {
        let n = self.n_units;
        for (u, &r) in ranks.iter().enumerate().take(n) {
            let r = r as usize;
            if r >= 1 && r <= n {
                self.counts[u * n + r - 1] += 1;
            } else {
                self.missing[u] += 1;
            }
        }
        self.variants += 1;
    }

    /// Add a block of counts accumulated elsewhere (the sweep fast path): `counts[p·n + r − 1]` and
    /// `missing[p]` belong to unit `perm[p]`; `variants` variants were added.
    pub(crate) fn add_permuted(
        &mut self,
        perm: &[usize],
        counts: &[u32],
        missing: &[u64],
        variants: u64,
    ) {
        let n = self.n_units;
        for (p, &u) in perm.iter().enumerate().take(n) {
            let (Some(dst), Some(src)) = (
                self.counts.get_mut(u * n..(u + 1) * n),
                counts.get(p * n..(p + 1) * n),
            ) else {
                continue;
            };
            dst.iter_mut()
                .zip(src)
                .for_each(|(a, &b)| *a += u64::from(b));
            self.missing[u] += missing.get(p).copied().unwrap_or(0);
        }
        self.variants += variants;
    }

    /// Add `other` (same unit count) exactly.
    pub fn merge(&mut self, other: &RankHistogram) -> Result<()> {
        if other.n_units != self.n_units {
            return Err(Error::ShapeMismatch {
                what: "rank histogram units".into(),
                expected: self.n_units,
                found: other.n_units,
            });
        }
        // wrapping: real counts stay far below 2^64; only a damaged file could wrap, without a panic.
        // Zero cells are skipped, not added: a sweep's histograms come from lazily zeroed memory, and
        // most units reach few ranks, so most pages of the result are never written (not resident).
        self.counts
            .iter_mut()
            .zip(&other.counts)
            .for_each(|(a, &b)| {
                if b != 0 {
                    *a = a.wrapping_add(b);
                }
            });
        self.missing
            .iter_mut()
            .zip(&other.missing)
            .for_each(|(a, b)| *a = a.wrapping_add(*b));
        self.variants = self.variants.wrapping_add(other.variants);
        Ok(())
    }

    /// Number of units.
    pub fn n_units(&self) -> usize {
        self.n_units
    }
    /// Number of variants added.
    pub fn n_variants(&self) -> u64 {
        self.variants
    }
    /// Variants in which unit `u` had rank `r` (0 for out-of-range arguments).
    pub fn count(&self, u: usize, r: usize) -> u64 {
        if u >= self.n_units || r == 0 || r > self.n_units {
            return 0;
        }
        self.counts[u * self.n_units + r - 1]
    }
    /// The counts of unit `u` for ranks `1..=n_units` (empty for an unknown unit).
    pub fn unit_counts(&self, u: usize) -> &[u64] {
        let n = self.n_units;
        if u >= n {
            return &[];
        }
        // u < n and n² cells exist, so these products do not overflow
        u.checked_mul(n)
            .and_then(|a| Some(a..a.checked_add(n)?))
            .and_then(|r| self.counts.get(r))
            .unwrap_or(&[])
    }
    /// Variants in which unit `u` had no rank.
    pub fn n_missing(&self, u: usize) -> u64 {
        self.missing.get(u).copied().unwrap_or(0)
    }
    /// Variants in which unit `u` was ranked.
    pub fn n_ranked(&self, u: usize) -> u64 {
        self.unit_counts(u).iter().sum()
    }
    /// Mean rank of unit `u` over the variants that rank it (`None` if none does).
    pub fn mean(&self, u: usize) -> Option<f64> {
        let c = self.unit_counts(u);
        let n: u64 = c.iter().sum();
        if n == 0 {
            return None;
        }
        let s: u64 = c.iter().enumerate().map(|(i, &k)| (i as u64 + 1) * k).sum();
        Some(s as f64 / n as f64)
    }
    /// The `q`-quantile (`0 ≤ q ≤ 1`) of unit `u`'s ranks by the rule in the type docs (`None` if the
    /// unit was never ranked or `q` is outside `[0, 1]`).
    pub fn quantile(&self, u: usize, q: f64) -> Option<u32> {
        if !(0.0..=1.0).contains(&q) {
            return None;
        }
        let c = self.unit_counts(u);
        let n: u64 = c.iter().sum();
        if n == 0 {
            return None;
        }
        let target = quantile_target(q, n);
        let mut acc = 0u64;
        for (i, &k) in c.iter().enumerate() {
            acc += k;
            if acc >= target {
                return Some(i as u32 + 1);
            }
        }
        None
    }
    /// Median rank (the 0.5-quantile).
    pub fn median(&self, u: usize) -> Option<u32> {
        self.quantile(u, 0.5)
    }
    /// The `q`-quantile of unit `u`'s ranks by R's default rule (`quantile(type = 7)`, also numpy's
    /// default, and what COINr's rank summaries use): with `n` ranked variants and `h = (n − 1)·q`,
    /// the `⌊h⌋ + 1`-th smallest rank plus `h − ⌊h⌋` times the step to the next one. So the 0.5-quantile
    /// is R's `median()` (the mean of the two middle ranks for even `n`). `None` as for
    /// [`RankHistogram::quantile`].
    ///
    /// ```
    /// use composite_indicators::sweep::RankHistogram;
    /// let mut h = RankHistogram::new(3);
    /// for ranks in [[1, 2, 3], [2, 1, 3], [1, 2, 3], [2, 1, 3]] {
    ///     h.add(&ranks);
    /// }
    /// // unit 0's ranks 1, 1, 2, 2: R's median is 1.5 and quantile(0.05) = 1
    /// assert_eq!(h.quantile_interpolated(0, 0.5), Some(1.5));
    /// assert_eq!(h.quantile_interpolated(0, 0.05), Some(1.0));
    /// assert_eq!(h.quantile_interpolated(0, 0.95), Some(2.0));
    /// assert_eq!(h.median(0), Some(1)); // the type-1 rule
    /// ```
    pub fn quantile_interpolated(&self, u: usize, q: f64) -> Option<f64> {
        if !(0.0..=1.0).contains(&q) {
            return None;
        }
        let c = self.unit_counts(u);
        let n: u64 = c.iter().sum();
        if n == 0 {
            return None;
        }
        let h = (n - 1) as f64 * q;
        let k = h.floor();
        // 1-based order statistics k + 1 and k + 2 (capped at n)
        let lo_k = (k as u64 + 1).min(n);
        let hi_k = (lo_k + 1).min(n);
        let (mut lo, mut hi) = (None, None);
        let mut acc = 0u64;
        for (i, &cnt) in c.iter().enumerate() {
            acc += cnt;
            if lo.is_none() && acc >= lo_k {
                lo = Some(i as f64 + 1.0);
            }
            if acc >= hi_k {
                hi = Some(i as f64 + 1.0);
                break;
            }
        }
        let (lo, hi) = (lo?, hi?);
        Some(lo + (h - k) * (hi - lo))
    }
    /// Share of ranked variants in which unit `u` ranks `k` or better.
    pub fn prob_at_most(&self, u: usize, k: usize) -> Option<f64> {
        let c = self.unit_counts(u);
        let n: u64 = c.iter().sum();
        if n == 0 {
            return None;
        }
        let s: u64 = c.iter().take(k).sum();
        Some(s as f64 / n as f64)
    }
    /// Mean of `|rank − nominal|` over the variants that rank unit `u`.
    pub fn mean_abs_shift(&self, u: usize, nominal: u32) -> Option<f64> {
        let c = self.unit_counts(u);
        let n: u64 = c.iter().sum();
        if n == 0 {
            return None;
        }
        let s: u64 = c
            .iter()
            .enumerate()
            .map(|(i, &k)| (i as u64 + 1).abs_diff(u64::from(nominal)) * k)
            .sum();
        Some(s as f64 / n as f64)
    }
}

/// `max(1, ⌈q·n⌉)`: the 1-based order statistic of the quantile rule.
pub fn quantile_target(q: f64, n: u64) -> u64 {
    ((q * n as f64).ceil() as u64).clamp(1, n.max(1))
}

/// Per-unit score statistics over variants: count, mean and standard deviation, and a fixed-bin
/// histogram for quantiles. Mergeable; serde-serialisable.
///
/// **Moments.** Sums of `d = s − c` and `d²` with the shift `c` = the unit's nominal score (shifted
/// sums avoid the cancellation of the textbook formula): mean `= c + Σd/n`, sample standard deviation
/// `= √((Σd² − (Σd)²/n)/(n − 1))` (`None` below 2 values). Missing (NaN) scores are counted apart.
/// The sums are exact integer sums of terms rounded to a fixed per-unit step (49–50 bits below the
/// largest `|d|` the bounds allow, `2^(E−50)` with `2^(E−1) ≤ max(|lo − c|, |hi − c|) < 2^E`; `d²` in
/// steps of `2^(2E−50)`; terms beyond go to coarser levels): integer addition does not depend on
/// order, so merging the statistics of any split of the variants, in any order, gives bit for bit the
/// statistics of one run. Each term is off by at most half a step, so a mean by at most `2^(E−51)`.
///
/// **Quantiles.** Each unit has `bins` equal bins over its own `[lo, hi]`; values below `lo` or above
/// `hi` are counted in under/overflow cells. The `q`-quantile finds the bin where the cumulative count
/// first reaches `q·m` (`m` = binned values of the unit, [`ScoreStats::binned`]) and interpolates
/// linearly within it; the error is at most one bin width `(hi − lo)/bins` with respect to the binned
/// values. A quantile falling in the underflow (overflow) cell is reported as `lo` (`hi`).
///
/// [`ScoreStats::add`] bins every value it is given. A sweep (`BatchModel::sweep`) of `K` variants
/// bins a deterministic subsample: variant `k` is binned iff `k` is a multiple of
/// `max(1, ⌊K / 65 536⌋)` (so every variant up to `K` = 131 071, and at least 65 536 variants above;
/// the rule depends on `K` only, so split ranges merge exactly). Mean and sd always cover every
/// variant. The quantiles are then those of a systematic sample of `m ≥ 65 536` variants: besides the
/// bin width, the probability level of a `q`-quantile is off by about `√(q(1 − q)/m)` (one standard
/// error; ≤ 0.002 for the median, ≤ 0.00085 for the 5 % and 95 % quantiles).
///
/// ```
/// use composite_indicators::sweep::ScoreStats;
/// let mut s = ScoreStats::new(vec![1.0], vec![(0.0, 4.0)], 4);
/// for x in [0.5, 1.5, 2.5, 3.5] {
///     s.add(&[x]);
/// }
/// assert_eq!(s.mean(0), Some(2.0));
/// assert!((s.sd(0).unwrap() - (5.0f64 / 3.0).sqrt()).abs() < 1e-12);
/// assert_eq!(s.quantile(0, 0.5), Some(2.0));
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "ScoreStatsRepr")]
pub struct ScoreStats {
    shift: Vec<f64>,
    n: Vec<u64>,
    missing: Vec<u64>,
    /// Exact sums of `d` and `d²` (see the type docs).
    mom: Moments,
    /// Per-unit step exponents `E` of the exact sums.
    exp: Vec<i32>,
    /// Per-unit multipliers `2^(50 − E)` and `2^(50 − 2E)`; derived from `exp`.
    mult: Vec<(f64, f64)>,
    bounds: Vec<(f64, f64)>,
    bins: usize,
    /// per unit: [under, bins..., over]
    hist: Vec<u64>,
    /// per unit `bins / (hi − lo)` (0 for a zero range); derived, rebuilt after deserialisation.
    scale: Vec<f64>,
}

/// The serialised form of [`ScoreStats`]: the `f64` sums `sum` / `sum2` (as before, derived from the
/// exact sums) and the exact sums themselves (`exact`).
#[derive(Serialize)]
struct ScoreStatsOut<'a> {
    #[serde(with = "crate::serde_nan::vec")]
    shift: &'a [f64],
    n: &'a [u64],
    missing: &'a [u64],
    #[serde(with = "crate::serde_nan::vec")]
    sum: &'a [f64],
    #[serde(with = "crate::serde_nan::vec")]
    sum2: &'a [f64],
    #[serde(with = "crate::serde_nan::pairs")]
    bounds: &'a [(f64, f64)],
    bins: usize,
    hist: &'a [u64],
    exact: ExactRepr,
}

impl Serialize for ScoreStats {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let units = self.shift.len();
        let sum: Vec<f64> = (0..units).map(|u| self.sum_d(u)).collect();
        let sum2: Vec<f64> = (0..units).map(|u| self.sum_d2(u)).collect();
        ScoreStatsOut {
            shift: &self.shift,
            n: &self.n,
            missing: &self.missing,
            sum: &sum,
            sum2: &sum2,
            bounds: &self.bounds,
            bins: self.bins,
            hist: &self.hist,
            exact: self.mom.to_repr(&self.exp),
        }
        .serialize(s)
    }
}

/// The serialised form of [`ScoreStats`]; reading checks that every per-unit vector has one entry per
/// unit, the shifts are finite and the histogram has `units × (bins + 2)` cells.
#[derive(Deserialize)]
struct ScoreStatsRepr {
    #[serde(with = "crate::serde_nan::vec")]
    shift: Vec<f64>,
    n: Vec<u64>,
    missing: Vec<u64>,
    #[serde(with = "crate::serde_nan::vec")]
    sum: Vec<f64>,
    #[serde(with = "crate::serde_nan::vec")]
    sum2: Vec<f64>,
    #[serde(with = "crate::serde_nan::pairs")]
    bounds: Vec<(f64, f64)>,
    bins: usize,
    hist: Vec<u64>,
    /// Absent in results written before the sums were exact: the `f64` sums are then read as one
    /// term each.
    #[serde(default)]
    exact: Option<ExactRepr>,
}

impl TryFrom<ScoreStatsRepr> for ScoreStats {
    type Error = Error;
    fn try_from(r: ScoreStatsRepr) -> Result<Self> {
        let units = r.shift.len();
        let per_unit = [
            ("counts", r.n.len()),
            ("missing counts", r.missing.len()),
            ("sums", r.sum.len()),
            ("sums of squares", r.sum2.len()),
        ];
        for (what, found) in per_unit {
            if found != units {
                return Err(Error::ShapeMismatch {
                    what: format!("score statistics: {what} (one per unit)"),
                    expected: units,
                    found,
                });
            }
        }
        if let Some(u) = r.shift.iter().position(|c| !c.is_finite()) {
            return Err(Error::param(
                "score statistics",
                format!("shift of unit {u} is not finite"),
            ));
        }
        let cells = if r.bins > 0 {
            r.bins.checked_add(2).and_then(|s| s.checked_mul(units))
        } else {
            Some(0)
        };
        if cells != Some(r.hist.len()) {
            return Err(Error::ShapeMismatch {
                what: format!("score statistics: histogram cells ({units} units × (bins + 2))"),
                expected: cells.unwrap_or(usize::MAX),
                found: r.hist.len(),
            });
        }
        let (mom, exp) = match r.exact {
            Some(x) => Moments::from_repr(x, units)?,
            None => {
                let exp = unit_exponents(&r.shift, &r.bounds);
                let mut mom = Moments::default();
                mom.reset(units);
                for (u, (&s, &s2)) in r.sum.iter().zip(&r.sum2).enumerate() {
                    let e = exp.get(u).copied().unwrap_or(0);
                    mom.add_slow(u, 0, s, e);
                    mom.add_slow(u, 1, s2, 2 * e);
                }
                (mom, exp)
            }
        };
        let mut st = ScoreStats {
            shift: r.shift,
            n: r.n,
            missing: r.missing,
            mult: exp.iter().map(|&e| multipliers(e)).collect(),
            mom,
            exp,
            bounds: r.bounds,
            bins: r.bins,
            hist: r.hist,
            scale: Vec::new(),
        };
        st.build_scale();
        Ok(st)
    }
}

impl ScoreStats {
    /// Empty statistics: `shift` (one per unit, use the nominal score; NaN is read as 0), per-unit
    /// histogram bounds and the bin count (0 disables quantiles).
    pub fn new(shift: Vec<f64>, bounds: Vec<(f64, f64)>, bins: usize) -> Self {
        let n = shift.len();
        let shift: Vec<f64> = shift
            .into_iter()
            .map(|c| if c.is_finite() { c } else { 0.0 })
            .collect();
        let exp = unit_exponents(&shift, &bounds);
        let mut mom = Moments::default();
        mom.reset(n);
        let mut st = ScoreStats {
            shift,
            n: vec![0; n],
            missing: vec![0; n],
            mult: exp.iter().map(|&e| multipliers(e)).collect(),
            mom,
            exp,
            bounds,
            bins,
            hist: if bins > 0 {
                vec![0; n * (bins + 2)]
            } else {
                Vec::new()
            },
            scale: Vec::new(),
        };
        st.build_scale();
        st
    }

    /// [`ScoreStats::new`] with the histogram allocated fallibly: [`Error::AllocationFailed`] instead
    /// of an abort when the system refuses `units × (bins + 2)` counters, and
    /// [`Error::InvalidParameter`] when that count overflows.
    ///
    /// # Errors
    ///
    /// As above.
    ///
    /// ```
    /// use composite_indicators::sweep::ScoreStats;
    /// let s = ScoreStats::try_new(vec![0.0; 2], vec![(0.0, 1.0); 2], 8).unwrap();
    /// assert_eq!(s.n_bins(), 8);
    /// ```
    pub fn try_new(shift: Vec<f64>, bounds: Vec<(f64, f64)>, bins: usize) -> Result<Self> {
        let n = shift.len();
        let cells = if bins > 0 {
            bins.checked_add(2)
                .and_then(|b| b.checked_mul(n))
                .ok_or_else(|| {
                    Error::param(
                        "score_bins",
                        format!("{n} units × ({bins} + 2) cells overflow"),
                    )
                })?
        } else {
            0
        };
        let hist = try_zeroed::<u64>(cells, "score histograms")?;
        let mut st = ScoreStats::new(shift, bounds, 0);
        st.bins = bins;
        st.hist = hist;
        st.build_scale();
        Ok(st)
    }

    /// `Σd` of unit `u` as an `f64` (0 for an unknown unit).
    fn sum_d(&self, u: usize) -> f64 {
        self.mom.value(u, 0, self.exp.get(u).copied().unwrap_or(0))
    }

    /// `Σd²` of unit `u` as an `f64`.
    fn sum_d2(&self, u: usize) -> f64 {
        self.mom.value(u, 1, self.exp.get(u).copied().unwrap_or(0))
    }

    fn build_scale(&mut self) {
        let bins = self.bins as f64;
        self.scale = (0..self.shift.len())
            .map(|u| match self.bounds.get(u) {
                Some(&(lo, hi)) if hi > lo => bins / (hi - lo),
                _ => 0.0,
            })
            .collect();
    }

    /// Add one variant's scores (one per unit).
    pub fn add(&mut self, scores: &[f64]) {
        self.add_maybe_binned(scores, true);
    }

    /// Add one variant's scores to the moments, and to the histogram only if `bin`.
    pub(crate) fn add_maybe_binned(&mut self, scores: &[f64], bin: bool) {
        if self.bins > 0 && self.scale.len() != self.shift.len() {
            self.build_scale();
        }
        let n = self.shift.len().min(scores.len());
        let scores = &scores[..n];
        if scores.iter().any(|v| v.is_nan()) {
            self.add_slow(scores, bin);
            return;
        }
        // no missing value: straight-line loops
        for (u, ((&s, &c), cnt)) in scores.iter().zip(&self.shift).zip(&mut self.n).enumerate() {
            let (m1, m2) = self.mult.get(u).copied().unwrap_or((0.0, 0.0));
            let e = self.exp.get(u).copied().unwrap_or(0);
            self.mom.add(u, s - c, m1, m2, e);
            *cnt += 1;
        }
        if self.bins > 0 && bin {
            let stride = self.bins + 2;
            let top = self.bins as f64;
            for (u, ((&s, &(lo, hi)), &sc)) in
                scores.iter().zip(&self.bounds).zip(&self.scale).enumerate()
            {
                let p = ((s - lo) * sc).clamp(0.0, top - 1.0) as usize + 1;
                let cell = if s < lo {
                    0
                } else if s > hi {
                    stride - 1
                } else {
                    p
                };
                if let Some(h) = self.hist.get_mut(u * stride + cell) {
                    *h += 1;
                }
            }
        }
    }

    fn add_slow(&mut self, scores: &[f64], bin: bool) {
        let stride = self.bins + 2;
        let top = self.bins as f64;
        for (u, &s) in scores.iter().enumerate() {
            if s.is_nan() {
                self.missing[u] += 1;
                continue;
            }
            let d = s - self.shift[u];
            self.n[u] += 1;
            let (m1, m2) = self.mult.get(u).copied().unwrap_or((0.0, 0.0));
            let e = self.exp.get(u).copied().unwrap_or(0);
            self.mom.add(u, d, m1, m2, e);
            if self.bins > 0 && bin {
                let (lo, hi) = self.bounds.get(u).copied().unwrap_or((0.0, 0.0));
                let p = ((s - lo) * self.scale[u]).clamp(0.0, top - 1.0) as usize + 1;
                let cell = if s < lo {
                    0
                } else if s > hi {
                    stride - 1
                } else {
                    p
                };
                self.hist[u * stride + cell] += 1;
            }
        }
    }

    /// Per-unit shifts, histogram bounds and `bins / (hi − lo)` scales (for the sweep fast path,
    /// which reproduces [`ScoreStats::add`] in its own buffers).
    #[allow(clippy::type_complexity)]
    pub(crate) fn layout(&mut self) -> (&[f64], &[(f64, f64)], &[f64], usize) {
        if self.scale.len() != self.shift.len() {
            self.build_scale();
        }
        (&self.shift, &self.bounds, &self.scale, self.bins)
    }

    /// Shifts, histogram bounds and scales in position order (position `p` is unit `perm[p]`), for the
    /// sweep fast paths, which bin scores as [`ScoreStats::add`] does in their own buffers.
    pub(crate) fn permuted_layout(&mut self, perm: &[usize]) -> PermutedLayout {
        let mult: Vec<(f64, f64)> = perm
            .iter()
            .map(|&u| self.mult.get(u).copied().unwrap_or((0.0, 0.0)))
            .collect();
        let exp: Vec<i32> = perm
            .iter()
            .map(|&u| self.exp.get(u).copied().unwrap_or(0))
            .collect();
        let (shift, bounds, scale, bins) = self.layout();
        PermutedLayout {
            bins,
            m1: mult.iter().map(|m| m.0).collect(),
            m2: mult.iter().map(|m| m.1).collect(),
            exp,
            shift: perm.iter().map(|&u| shift[u]).collect(),
            lo: perm
                .iter()
                .map(|&u| bounds.get(u).map_or(0.0, |b| b.0))
                .collect(),
            hi: perm
                .iter()
                .map(|&u| bounds.get(u).map_or(0.0, |b| b.1))
                .collect(),
            scale: perm
                .iter()
                .map(|&u| scale.get(u).copied().unwrap_or(0.0))
                .collect(),
        }
    }

    /// Add the counts and exact sums (not the histogram) accumulated elsewhere in position order.
    pub(crate) fn add_permuted_moments(&mut self, perm: &[usize], part: &PermutedStats) {
        let units = self.shift.len();
        for (p, &u) in perm.iter().enumerate().take(units) {
            let (Some(&n), Some(&m), Some(a), Some(b)) = (
                part.n.get(p),
                part.missing.get(p),
                self.n.get_mut(u),
                self.missing.get_mut(u),
            ) else {
                continue;
            };
            *a += n;
            *b += m;
        }
        self.mom
            .add_mapped(&part.mom, |p| perm.get(p).copied().filter(|&u| u < units));
    }

    /// Add histogram counts accumulated elsewhere (`bins + 2` cells per position, position `p` is
    /// unit `perm[p]`).
    pub(crate) fn add_permuted_hist(&mut self, perm: &[usize], hist: &[u32]) {
        let stride = self.bins + 2;
        if self.bins == 0 || hist.is_empty() {
            return;
        }
        for (p, &u) in perm.iter().enumerate().take(self.shift.len()) {
            let (Some(dst), Some(src)) = (
                self.hist.get_mut(u * stride..(u + 1) * stride),
                hist.get(p * stride..(p + 1) * stride),
            ) else {
                continue;
            };
            dst.iter_mut()
                .zip(src)
                .for_each(|(a, &b)| *a += u64::from(b));
        }
    }

    /// Same units, shifts, bounds, bins and steps: [`ScoreStats::merge`] accepts `other`.
    pub(crate) fn compatible(&self, other: &ScoreStats) -> bool {
        other.shift == self.shift
            && other.bounds == self.bounds
            && other.bins == self.bins
            && other.exp == self.exp
            && other.hist.len() == self.hist.len()
            && other.n.len() == self.n.len()
            && other.missing.len() == self.missing.len()
    }

    /// Add `other` (same units, shifts, bounds and bins).
    pub fn merge(&mut self, other: &ScoreStats) -> Result<()> {
        if !self.compatible(other) {
            return Err(Error::param(
                "score statistics",
                "cannot merge statistics with different units, shifts, bounds or bins",
            ));
        }
        for (a, b) in self.n.iter_mut().zip(&other.n) {
            *a = a.wrapping_add(*b);
        }
        for (a, b) in self.missing.iter_mut().zip(&other.missing) {
            *a = a.wrapping_add(*b);
        }
        self.mom.add_mapped(&other.mom, Some);
        self.hist
            .iter_mut()
            .zip(&other.hist)
            .for_each(|(a, b)| *a = a.wrapping_add(*b));
        Ok(())
    }

    /// Non-missing scores of unit `u`.
    pub fn count(&self, u: usize) -> u64 {
        self.n.get(u).copied().unwrap_or(0)
    }
    /// Missing scores of unit `u`.
    pub fn n_missing(&self, u: usize) -> u64 {
        self.missing.get(u).copied().unwrap_or(0)
    }
    /// Mean score of unit `u`.
    pub fn mean(&self, u: usize) -> Option<f64> {
        let n = self.count(u);
        (n > 0).then(|| self.shift[u] + self.sum_d(u) / n as f64)
    }
    /// Sample standard deviation (divisor `n − 1`) of unit `u`'s scores.
    pub fn sd(&self, u: usize) -> Option<f64> {
        let n = self.count(u);
        if n < 2 {
            return None;
        }
        let nf = n as f64;
        let (s, s2) = (self.sum_d(u), self.sum_d2(u));
        let v = (s2 - s * s / nf) / (nf - 1.0);
        Some(v.max(0.0).sqrt())
    }
    /// Values of unit `u` counted in its histogram (all non-missing values given to
    /// [`ScoreStats::add`]; in a sweep, those of the binned subsample, see the type docs).
    ///
    /// ```
    /// use composite_indicators::sweep::ScoreStats;
    /// let mut s = ScoreStats::new(vec![0.0], vec![(0.0, 1.0)], 4);
    /// s.add(&[0.5]);
    /// s.add(&[f64::NAN]);
    /// assert_eq!(s.binned(0), 1);
    /// ```
    pub fn binned(&self, u: usize) -> u64 {
        self.unit_cells(u).map_or(0, |c| c.iter().sum())
    }

    /// The `bins + 2` histogram cells of unit `u` (`None` without bins or for an unknown unit; no
    /// unchecked index arithmetic).
    fn unit_cells(&self, u: usize) -> Option<&[u64]> {
        if self.bins == 0 || u >= self.shift.len() {
            return None;
        }
        let stride = self.bins.checked_add(2)?;
        let a = u.checked_mul(stride)?;
        self.hist.get(a..a.checked_add(stride)?)
    }
    /// Number of units.
    ///
    /// ```
    /// use composite_indicators::sweep::ScoreStats;
    /// let s = ScoreStats::new(vec![0.0; 3], vec![(0.0, 1.0); 3], 8);
    /// assert_eq!((s.n_units(), s.n_bins()), (3, 8));
    /// ```
    pub fn n_units(&self) -> usize {
        self.shift.len()
    }

    /// Histogram bins per unit (0 = no quantiles).
    ///
    /// ```
    /// use composite_indicators::sweep::ScoreStats;
    /// assert_eq!(ScoreStats::new(vec![0.0], vec![(0.0, 1.0)], 0).n_bins(), 0);
    /// ```
    pub fn n_bins(&self) -> usize {
        self.bins
    }

    /// The histogram bounds of unit `u`.
    pub fn bounds(&self, u: usize) -> Option<(f64, f64)> {
        self.bounds.get(u).copied()
    }
    /// Interpolated `q`-quantile of unit `u`'s scores (see the type docs; `None` without bins, without
    /// values or for `q` outside `[0, 1]`).
    pub fn quantile(&self, u: usize, q: f64) -> Option<f64> {
        if self.bins == 0 || !(0.0..=1.0).contains(&q) {
            return None;
        }
        let n = self.binned(u);
        if n == 0 {
            return None;
        }
        let (lo, hi) = self.bounds.get(u).copied()?;
        let stride = self.bins + 2;
        let cells = self.unit_cells(u)?;
        let target = q * n as f64;
        let width = (hi - lo) / self.bins as f64;
        let mut acc = 0u64;
        for (i, &c) in cells.iter().enumerate() {
            if c == 0 {
                continue;
            }
            let next = acc + c;
            if next as f64 >= target {
                if i == 0 {
                    return Some(lo);
                }
                if i == stride - 1 {
                    return Some(hi);
                }
                let frac = ((target - acc as f64) / c as f64).clamp(0.0, 1.0);
                return Some(lo + width * ((i - 1) as f64 + frac));
            }
            acc = next;
        }
        Some(hi)
    }
}

/// Per-unit step exponents of the exact sums ([`exp_for`]); a missing bound counts as `(0, 0)`.
fn unit_exponents(shift: &[f64], bounds: &[(f64, f64)]) -> Vec<i32> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counting_rank_matches_core_min_rule() {
        let s = [3.0, f64::NAN, 1.0, 3.0, -0.0, 0.0];
        let mut r = [0u32; 6];
        rank_min_into(&s, &mut r);
        let core = crate::rank::rank_desc(&s, crate::TieRule::Min);
        for (a, b) in r.iter().zip(&core) {
            if b.is_nan() {
                assert_eq!(*a, 0);
            } else {
                assert_eq!(*a as f64, *b);
            }
        }
        assert_eq!(r, [1, 0, 3, 1, 4, 4]);
    }

    #[test]
    fn ranker_equals_counting() {
        let mut rk = Ranker::default();
        let cases: [&[f64]; 5] = [
            &[1.0, 1.0 + 1e-12, 0.0, 2.0, 3.0, 4.0],
            &[3.0, 1.0, 3.0, -0.0, 0.0, 7.0],
            &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0],
            &[5.0, 4.0, 4.0, 4.0, 1.0, 1.0],
            &[1.0, f64::NAN, 1.0, 2.0, 0.5, 9.0],
        ];
        for s in cases {
            let (mut a, mut b) = ([0u32; 6], [0u32; 6]);
            rk.rank_into(s, &mut a);
            rank_min_into(s, &mut b);
            assert_eq!(a, b, "{s:?}");
        }
    }

    #[test]
    fn radix_ranks_equal_counting() {
        let (mut k, mut t) = (Vec::new(), Vec::new());
        // f32 ties between distinct f64 values, exact ties, signed zeros, negatives, wide range
        let s: Vec<f64> = (0..3000)
            .map(|i| match i % 7 {
                0 => 1.0 + (i as f64) * 1e-12,
                1 => -0.0,
                2 => 0.0,
                3 => -(i as f64) * 0.37,
                4 => 5.0,
                _ => ((i * 7919) % 1000) as f64 * 1e3,
            })
            .collect();
        let (mut a, mut b) = (vec![0u32; s.len()], vec![0u32; s.len()]);
        rank_radix(&s, &mut k, &mut t, &mut a);
        rank_min_into(&s, &mut b);
        assert_eq!(a, b);
    }

    #[test]
    fn sorted_ranker_equals_counting() {
        let mut rk = Ranker::default();
        let n = SORT_ABOVE + 7;
        for shift in 0..3 {
            let s: Vec<f64> = (0..n)
                .map(|i| ((i * 37 + shift * 11) % 50) as f64 - if i % 9 == 0 { 0.0 } else { 25.0 })
                .map(|v| if v == 0.0 { -0.0 } else { v })
                .collect();
            let (mut a, mut b) = (vec![0u32; n], vec![0u32; n]);
            rk.rank_into(&s, &mut a);
            rank_min_into(&s, &mut b);
            assert_eq!(a, b);
        }
    }

    #[test]
    fn quantile_rule_by_hand() {
        // ranks of unit 0 over 4 variants: 1, 1, 2, 3
        let mut h = RankHistogram::new(3);
        for r in [[1, 2, 3], [1, 3, 2], [2, 1, 3], [3, 1, 2]] {
            h.add(&r);
        }
        assert_eq!(h.quantile(0, 0.0), Some(1));
        assert_eq!(h.quantile(0, 0.5), Some(1)); // 2nd smallest
        assert_eq!(h.quantile(0, 0.51), Some(2)); // ceil(2.04) = 3rd
        assert_eq!(h.quantile(0, 1.0), Some(3));
        assert_eq!(h.mean_abs_shift(0, 1), Some(0.75)); // (0+0+1+2)/4
        assert_eq!(h.quantile(0, 1.5), None);
    }

    #[test]
    fn score_quantile_clamps_to_bounds() {
        let mut s = ScoreStats::new(vec![0.0], vec![(0.0, 1.0)], 10);
        s.add(&[-5.0]);
        s.add(&[5.0]);
        s.add(&[f64::NAN]);
        assert_eq!(s.quantile(0, 0.25), Some(0.0));
        assert_eq!(s.quantile(0, 1.0), Some(1.0));
        assert_eq!(s.n_missing(0), 1);
        assert_eq!(s.mean(0), Some(0.0));
    }
}
