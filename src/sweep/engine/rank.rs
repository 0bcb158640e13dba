//! The sweep's ranking kernels: private, fast implementations of the crate's rank contract
//! ([`crate::rank`]: rank 1 = best, `Min` ties, missing = unranked), in the engine's encoding
//! `u32` with `0` = unranked. Each is tested equal to [`crate::rank::competition_ranks`].

use super::simd;

/// Rank scores with the crate's `Min` tie rule by counting: `rank = 1 + #{j : s_j > s_i}` (1 = best).
/// A NaN score gets rank `0` (no rank) and is never counted as higher. The count is branch-free and
/// vectorises; it gives exactly [`rank_desc`](crate::rank::rank_desc) with [`TieRule::Min`](crate::TieRule::Min).
///
/// ```
/// use composite_indicators::sweep::bench_support::rank_min_into;
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
        radix_pass(keys, tmp, c, |k| ((k >> shift) & 0x7ff) as usize);
    }
    // runs of equal f32 keys: order by the f64 scores
    settle_runs(keys, s, |k| k >> 32, |k| (k & 0xffff_ffff) as usize);
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

/// One stable counting-sort pass of `keys` by `digit` (`c` holds the count of every digit value and
/// is consumed); skipped when one digit value holds every key. The sorted keys end in `keys` (`tmp`,
/// as long as `keys`, is scratch).
#[inline(always)]
fn radix_pass<K: Copy>(
    keys: &mut Vec<K>,
    tmp: &mut Vec<K>,
    c: &mut [u32],
    digit: impl Fn(K) -> usize,
) {
    let n = keys.len();
    if c.iter().any(|&x| x as usize == n) {
        return;
    }
    let mut acc = 0u32;
    for x in c.iter_mut() {
        let v = *x;
        *x = acc;
        acc += v;
    }
    for &k in keys.iter() {
        let d = digit(k);
        tmp[c[d] as usize] = k;
        c[d] += 1;
    }
    std::mem::swap(keys, tmp);
}

/// Order every run of sorted keys with the same `group` by the scores of their units, descending
/// (insertion sort: runs are short), so that the keys are in `f64` order.
#[inline(always)]
fn settle_runs<K: Copy, G: PartialEq>(
    keys: &mut [K],
    s: &[f64],
    group: impl Fn(K) -> G,
    unit: impl Fn(K) -> usize,
) {
    let n = keys.len();
    let mut i = 0;
    while i < n {
        let g = group(keys[i]);
        let mut j = i + 1;
        while j < n && group(keys[j]) == g {
            j += 1;
        }
        for a in i + 1..j {
            let cur = keys[a];
            let x = s[unit(cur)];
            let mut b = a;
            while b > i && s[unit(keys[b - 1])] < x {
                keys[b] = keys[b - 1];
                b -= 1;
            }
            keys[b] = cur;
        }
        i = j;
    }
}

/// Smallest and largest of NaN-free values, eight lanes at a time (plain compares, which vectorise;
/// `f64::min` does not).
#[inline(always)]
fn min_max(s: &[f64]) -> (f64, f64) {
    let (mut lo, mut hi) = ([f64::INFINITY; 8], [f64::NEG_INFINITY; 8]);
    let mut it = s.chunks_exact(8);
    for c in &mut it {
        for l in 0..8 {
            lo[l] = if c[l] < lo[l] { c[l] } else { lo[l] };
            hi[l] = if c[l] > hi[l] { c[l] } else { hi[l] };
        }
    }
    for &x in it.remainder() {
        lo[0] = if x < lo[0] { x } else { lo[0] };
        hi[0] = if x > hi[0] { x } else { hi[0] };
    }
    let lo = lo
        .iter()
        .fold(f64::INFINITY, |a, &b| if b < a { b } else { a });
    let hi = hi
        .iter()
        .fold(f64::NEG_INFINITY, |a, &b| if b > a { b } else { a });
    (lo, hi)
}

/// Largest unit count of [`rank_radix32`]: unit indices take at most 13 of the 32 key bits, leaving at
/// least 19 bits of quantised score.
pub(crate) const RADIX32_MAX: usize = 1 << 13;

/// Exact `Min`-rule ranks of NaN-free scores, for 2 to [`RADIX32_MAX`] units, by sorting one `u32` per
/// unit: the score quantised on the variant's own range, `q = round((max − s)·(2ᵏ − 1)/(max − min))`
/// (ties to even, by adding 2⁵², so the loop vectorises) with `k = min(22, 32 − b, 2b − 4)` for `b`
/// index bits (about four levels per unit, so the digits stay small), in the high bits and the unit's
/// index in the low bits. The map is monotone (each rounding step is), so a higher score never gets a
/// larger `q` and equal scores get the same `q`: a stable least-significant-digit radix sort on `q`
/// (two passes of `⌈k/2⌉` and `⌊k/2⌋` bits) orders the units by score except inside runs of equal
/// `q`, which are re-sorted by the `f64` scores (insertion sort; runs are short). Ranks are then
/// assigned along the order, `1 +` the sorted index of the first of a run of equal `f64` scores,
/// comparing scores only inside equal-`q` runs (different `q`, different score); eight keys at a time
/// are checked for equal neighbours first, so a stretch without any takes no branch per key. Half the
/// memory traffic of [`rank_radix`] and one pass fewer. Falls back to [`rank_radix`] outside its range
/// or when the scores' range overflows. `keys` and `tmp` are scratch.
#[inline(always)]
pub(crate) fn rank_radix32(s: &[f64], keys: &mut Vec<u32>, tmp: &mut Vec<u32>, out: &mut [u32]) {
    let n = s.len().min(out.len());
    let (s, out) = (&s[..n], &mut out[..n]);
    if !rank_radix32_emit(s, keys, tmp, |u, r| out[u] = r) {
        rank_radix(s, &mut Vec::new(), &mut Vec::new(), out);
    }
}

/// [`rank_radix32`] handing each unit's rank to `emit(unit, rank)` (every unit once, in rank
/// order) instead of storing it, so a caller can put ranks straight where it keeps them. Returns
/// `false`, emitting nothing, where [`rank_radix32`] falls back to [`rank_radix`] (fewer than 2 or
/// more than [`RADIX32_MAX`] units, a range that overflows).
#[inline(always)]
pub(crate) fn rank_radix32_emit(
    s: &[f64],
    keys: &mut Vec<u32>,
    tmp: &mut Vec<u32>,
    mut emit: impl FnMut(usize, u32),
) -> bool {
    let n = s.len();
    if !(2..=RADIX32_MAX).contains(&n) {
        return false;
    }
    let (lo, hi) = min_max(s);
    if hi == lo {
        (0..n).for_each(|u| emit(u, 1));
        return true;
    }
    let ib = usize::BITS - (n - 1).leading_zeros();
    let kb = (32 - ib).min(22).min((2 * ib).saturating_sub(4)).max(2);
    let qmax = (1u32 << kb) - 1;
    let scale = f64::from(qmax) / (hi - lo);
    if !(scale.is_finite() && scale > 0.0 && (hi - lo).is_finite()) {
        return false;
    }
    let mask = (1u32 << ib) - 1;
    let d1 = kb.div_ceil(2);
    let (s1, s2) = (ib, ib + d1);
    let m1 = (1u32 << d1) - 1;
    let m2 = (1u32 << (kb - d1)) - 1;
    // 2⁵² + v holds round(v) in its low mantissa bits for 0 ≤ v < 2⁵²; here 0 ≤ v ≤ qmax·(1 + 2⁻⁵²)
    // (hi is the largest score), so q ≤ qmax
    const MAGIC: f64 = 4_503_599_627_370_496.0;
    keys.clear();
    keys.resize(n, 0);
    for ((k, &x), i) in keys.iter_mut().zip(s).zip(0u32..) {
        let q = ((hi - x) * scale + MAGIC).to_bits() as u32;
        *k = (q << ib) | i;
    }
    tmp.clear();
    tmp.resize(n, 0);
    // the high digit is counted into two tables (even / odd keys): neighbouring units have nearly
    // the same scores, so one table would chain each increment on the last one's store
    let mut c1 = [0u32; 2048];
    let (mut c2, mut c2b) = ([0u32; 2048], [0u32; 2048]);
    let mut pairs = keys.chunks_exact(2);
    for k in &mut pairs {
        c1[((k[0] >> s1) & m1) as usize] += 1;
        c1[((k[1] >> s1) & m1) as usize] += 1;
        c2[((k[0] >> s2) & m2) as usize] += 1;
        c2b[((k[1] >> s2) & m2) as usize] += 1;
    }
    for &k in pairs.remainder() {
        c1[((k >> s1) & m1) as usize] += 1;
        c2[((k >> s2) & m2) as usize] += 1;
    }
    let mut acc = 0u32;
    for c in &mut c1[..=m1 as usize] {
        let v = *c;
        *c = acc;
        acc += v;
    }
    let mut acc = 0u32;
    for (c, &cb) in c2[..=m2 as usize].iter_mut().zip(&c2b) {
        let v = *c + cb;
        *c = acc;
        acc += v;
    }
    for &k in keys.iter() {
        let d = ((k >> s1) & m1) as usize;
        tmp[c1[d] as usize] = k;
        c1[d] += 1;
    }
    for &k in tmp.iter() {
        let d = ((k >> s2) & m2) as usize;
        keys[c2[d] as usize] = k;
        c2[d] += 1;
    }
    let mut i = 0usize;
    while i < n {
        // eight keys whose `q` differ from their next neighbour's: ranks are their sorted indices
        if let Some(w) = keys.get(i..i + 9) {
            let mut eq = false;
            for j in 0..8 {
                eq |= (w[j] >> ib) == (w[j + 1] >> ib);
            }
            if !eq {
                for (j, &k) in w[..8].iter().enumerate() {
                    emit((k & mask) as usize, (i + j) as u32 + 1);
                }
                i += 8;
                continue;
            }
        }
        let g = keys[i] >> ib;
        let mut j = i + 1;
        while j < n && keys[j] >> ib == g {
            j += 1;
        }
        if j == i + 1 {
            emit((keys[i] & mask) as usize, i as u32 + 1);
            i = j;
            continue;
        }
        // a run of equal q: order it by the f64 scores, then ranks by equal-score runs
        let run = &mut keys[i..j];
        for a in 1..run.len() {
            let cur = run[a];
            let x = s[(cur & mask) as usize];
            let mut b = a;
            while b > 0 && s[(run[b - 1] & mask) as usize] < x {
                run[b] = run[b - 1];
                b -= 1;
            }
            run[b] = cur;
        }
        let mut rank = i as u32 + 1;
        for t in i..j {
            let u = (keys[t] & mask) as usize;
            if t > i && s[u] != s[(keys[t - 1] & mask) as usize] {
                rank = t as u32 + 1;
            }
            emit(u, rank);
        }
        i = j;
    }
    true
}

/// Fast exact ranking for sweeps: counts on `f32` copies of the scores (twice the SIMD width), and
/// falls back to the `f64` count when the copies contain a tie. Rounding to `f32` is monotone, so if
/// the `f32` values are pairwise distinct their order is the `f64` order; with `Min`-rule ranks the rank
/// sum equals `n(n+1)/2` exactly when there is no tie, which is the check. NaN scores use the `f64`
/// path. Results always equal [`rank_min_into`].
///
/// Above [`SORT_ABOVE`] units the quadratic count loses to sorting: [`rank_radix32`] (radix sort of
/// scores quantised on their range, with an exact `f64` fix-up of equal keys) up to [`RADIX32_MAX`]
/// units, [`rank_radix`] (`f32` keys, same fix-up) beyond.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ranker {
    s32: Vec<f32>,
    keys: Vec<u64>,
    tmp: Vec<u64>,
    keys32: Vec<u32>,
    tmp32: Vec<u32>,
    /// Positions and scores of the ranked units when some scores are missing.
    idx: Vec<u32>,
    vals: Vec<f64>,
    sub: Vec<u32>,
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
    if !s32.len().is_multiple_of(8) || s32.len() < n {
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
    let total = if simd::avx2_fma() {
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
        if out.len() != n {
            rank_min_into(s, out);
            return;
        }
        if s.iter().any(|v| v.is_nan()) {
            if n <= SORT_ABOVE || u32::try_from(n).is_err() {
                rank_min_into(s, out);
                return;
            }
            // rank the scores that are there (a missing score is never higher) and put their
            // ranks back; missing scores get 0 (unranked)
            let (mut idx, mut vals, mut sub) = (
                std::mem::take(&mut self.idx),
                std::mem::take(&mut self.vals),
                std::mem::take(&mut self.sub),
            );
            idx.clear();
            vals.clear();
            for (i, &v) in s.iter().enumerate() {
                if !v.is_nan() {
                    idx.push(i as u32);
                    vals.push(v);
                }
            }
            sub.clear();
            sub.resize(vals.len(), 0);
            self.rank_into(&vals, &mut sub);
            out.fill(0);
            for (&i, &r) in idx.iter().zip(&sub) {
                out[i as usize] = r;
            }
            (self.idx, self.vals, self.sub) = (idx, vals, sub);
            return;
        }
        if n > RADIX32_MAX {
            rank_radix(s, &mut self.keys, &mut self.tmp, out);
            return;
        }
        if n > SORT_ABOVE {
            rank_radix32(s, &mut self.keys32, &mut self.tmp32, out);
            return;
        }
        rank_counting(s, &mut self.s32, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
    fn radix32_ranks_equal_counting_at_its_limits() {
        let (mut k, mut t) = (Vec::new(), Vec::new());
        for n in [2, 3, 257, 2000, RADIX32_MAX, RADIX32_MAX + 1] {
            // a narrow band (quantised keys collide), exact ties, signed zeros, one extreme value
            let s: Vec<f64> = (0..n)
                .map(|i| match i % 5 {
                    0 => 50.0 + ((i * 7919) % 997) as f64 * 1e-9,
                    1 => -0.0,
                    2 => 0.0,
                    3 => 50.0,
                    _ => 50.0 - (i as f64) * 1e-13,
                })
                .collect();
            let (mut a, mut b) = (vec![0u32; n], vec![0u32; n]);
            rank_radix32(&s, &mut k, &mut t, &mut a);
            rank_min_into(&s, &mut b);
            assert_eq!(a, b, "n = {n}");
        }
        // every score equal; a range that overflows f64 (falls back to the u64 sort)
        for s in [vec![3.0; 40], vec![f64::MAX, -f64::MAX, 0.0, 1.0]] {
            let (mut a, mut b) = (vec![0u32; s.len()], vec![0u32; s.len()]);
            rank_radix32(&s, &mut k, &mut t, &mut a);
            rank_min_into(&s, &mut b);
            assert_eq!(a, b);
        }
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

    /// The engine's encoding of [`crate::rank::competition_ranks`].
    fn reference(s: &[f64]) -> Vec<u32> {
        crate::rank::competition_ranks(s)
            .into_iter()
            .map(|r| r.unwrap_or(0))
            .collect()
    }

    /// Scores with many exact ties, signed zeros, values that tie as `f32` but not as `f64`, wide
    /// magnitudes and (when `nan`) missing values.
    fn scores(nan: bool, max_len: usize) -> impl Strategy<Value = Vec<f64>> {
        let v = prop_oneof![
            (0i32..8).prop_map(f64::from),
            Just(0.0),
            Just(-0.0),
            (0u32..6).prop_map(|k| 1.0 + f64::from(k) * 1e-12),
            (-1e6f64..1e6).prop_map(|x| x),
            (-3i32..3).prop_map(|e| 10f64.powi(e * 100)),
            Just(if nan { f64::NAN } else { 2.5 }),
        ];
        proptest::collection::vec(v, 0..max_len)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        #[test]
        fn counting_equals_the_contract(s in scores(true, 80)) {
            let mut out = vec![0u32; s.len()];
            rank_min_into(&s, &mut out);
            prop_assert_eq!(out, reference(&s));
        }

        #[test]
        fn ranker_equals_the_contract(s in scores(true, 2 * SORT_ABOVE + 40)) {
            let mut out = vec![0u32; s.len()];
            Ranker::default().rank_into(&s, &mut out);
            prop_assert_eq!(out, reference(&s));
        }

        #[test]
        fn f32_counting_equals_the_contract(s in scores(false, 80)) {
            let mut out = vec![0u32; s.len()];
            rank_counting(&s, &mut Vec::new(), &mut out);
            prop_assert_eq!(out, reference(&s));
        }

        #[test]
        fn radix32_equals_the_contract(s in scores(false, 2 * SORT_ABOVE + 40)) {
            let mut out = vec![0u32; s.len()];
            rank_radix32(&s, &mut Vec::new(), &mut Vec::new(), &mut out);
            prop_assert_eq!(out, reference(&s));
        }

        /// Many units in a narrow range (the quantised keys collide often), exact ties and signed zeros.
        #[test]
        fn radix32_clustered_equals_the_contract(
            base in -1e3f64..1e3,
            steps in proptest::collection::vec(0u32..40, 2..1200),
            ulp in prop_oneof![Just(0.0), Just(1e-15), Just(1e-9), Just(1e-3)],
        ) {
            let s: Vec<f64> = steps.iter().map(|&k| {
                let v = base + f64::from(k) * ulp * base.abs().max(1.0);
                if v == 0.0 && k % 2 == 0 { -0.0 } else { v }
            }).collect();
            let mut out = vec![0u32; s.len()];
            rank_radix32(&s, &mut Vec::new(), &mut Vec::new(), &mut out);
            prop_assert_eq!(out, reference(&s));
        }

        #[test]
        fn radix_equals_the_contract(s in scores(false, 2 * SORT_ABOVE + 40)) {
            let mut out = vec![0u32; s.len()];
            rank_radix(&s, &mut Vec::new(), &mut Vec::new(), &mut out);
            prop_assert_eq!(out, reference(&s));
        }
    }
}
