//! The crate's rank contract, and ranking with explicit tie rules.
//!
//! **The rank contract.** Everywhere the crate reports *a rank* (the sweep's nominal ranks, rank
//! histograms and uncertainty tables, and the `Min` ranks of [`Scores`](crate::Scores)):
//!
//! * rank 1 is the best, i.e. the highest score;
//! * ties share the best rank of the tie (`Min`, "competition" ranking, COINr's default): the rank of
//!   a score is `1 +` the number of units with a strictly higher score, so `[9, 7, 7, 5]` ranks
//!   `1 2 2 4`; two scores tie only if they are equal as `f64` (so `−0.0` ties `0.0`);
//! * a missing score (NaN) is unranked and never counts as higher than another.
//!
//! [`Rank`] is the rank type under this contract, and an unranked unit is `None` in an
//! `Option<Rank>`; [`competition_ranks`] is the reference implementation. The sweep engine ranks
//! millions of variants with private fast kernels (counting, radix sort, sorting networks on `f32`
//! copies with an exact `f64` fix-up), each tested equal to [`competition_ranks`].
//!
//! [`rank_desc`] / [`rank_asc`] also offer the other tie rules ([`TieRule`]); because `Average` gives
//! halves they return `f64` ranks with NaN for unranked, and [`Scores`](crate::Scores) keeps that
//! form; with [`TieRule::Min`] their ranks are exactly the contract's.
//!
//! *Flow:* used by **score** and **sweep**: a node's scores into ranks (the rank contract).

use serde::{Deserialize, Serialize};

/// A rank under the crate's rank contract (see the [module docs](self)): `1` is the best, tied units
/// share the best rank of their tie, and the value is never 0. An unranked unit (missing score) is
/// `None` in an `Option<Rank>`.
///
/// ```
/// use composite_indicators::rank::{Rank, competition_ranks};
/// let r: Vec<Option<Rank>> = competition_ranks(&[9.0, 7.0, 7.0, 5.0]);
/// assert_eq!(r, vec![Some(1), Some(2), Some(2), Some(4)]);
/// ```
pub type Rank = u32;

/// The reference ranking of the rank contract: rank `1 +` the number of units with a strictly
/// higher score, `None` for a missing (NaN) score. Equals [`rank_desc`] with [`TieRule::Min`].
///
/// ```
/// use composite_indicators::rank::competition_ranks;
/// let r = competition_ranks(&[3.0, f64::NAN, 1.0, 3.0, -0.0, 0.0]);
/// assert_eq!(r, vec![Some(1), None, Some(3), Some(1), Some(4), Some(4)]);
/// ```
pub fn competition_ranks(scores: &[f64]) -> Vec<Option<Rank>> {
    rank_impl(scores, TieRule::Min, true)
        .into_iter()
        .map(|r| (!r.is_nan()).then_some(r as Rank))
        .collect()
}

/// Serde helpers for `Vec<Option<Rank>>` written in the compact form `0 = unranked` (the form sweep
/// results have always been stored in).
pub(crate) mod zero_unranked {
    use super::Rank;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(crate) fn serialize<S: Serializer>(
        v: &[Option<Rank>],
        s: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        let raw: Vec<Rank> = v.iter().map(|r| r.unwrap_or(0)).collect();
        raw.serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> std::result::Result<Vec<Option<Rank>>, D::Error> {
        let raw = Vec::<Rank>::deserialize(d)?;
        Ok(raw.into_iter().map(|r| (r > 0).then_some(r)).collect())
    }
}

/// How tied scores are ranked.
///
/// For scores `[9, 7, 7, 5]` (higher is better):
/// `Min` → 1 2 2 4 (COINr / "competition"), `Dense` → 1 2 2 3, `Ordinal` → 1 2 3 4 (ties broken by
/// position, first come first), `Average` → 1 2.5 2.5 4, `Max` → 1 3 3 4.
///
/// ```
/// use composite_indicators::rank::{rank_desc, TieRule};
/// let r = rank_desc(&[9.0, 7.0, 7.0, 5.0, f64::NAN], TieRule::Average);
/// assert_eq!(&r[..4], &[1.0, 2.5, 2.5, 4.0]);
/// assert!(r[4].is_nan());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TieRule {
    /// Tied units share the best rank of the tie ("1224"); COINr's default and the crate's rank
    /// contract (see the [module docs](self)).
    #[default]
    Min,
    /// Tied units share the worst rank of the tie ("1334").
    Max,
    /// Tied units share the rank; no gaps after ties ("1223").
    Dense,
    /// Distinct ranks; ties broken by input order ("1234").
    Ordinal,
    /// Tied units share the mean of the ranks they span ("1 2.5 2.5 4").
    Average,
}

/// Rank scores in descending order (highest score = rank 1). NaN scores get NaN ranks.
///
/// Exact comparison: two scores tie only if they are equal as `f64`.
pub fn rank_desc(scores: &[f64], rule: TieRule) -> Vec<f64> {
    rank_impl(scores, rule, true)
}

/// Rank scores in ascending order (lowest score = rank 1), as R's `rank()`. NaN scores get NaN ranks.
///
/// ```
/// use composite_indicators::rank::{rank_asc, TieRule};
/// assert_eq!(rank_asc(&[3.0, 1.0, 3.0], TieRule::Min), vec![2.0, 1.0, 2.0]);
/// ```
pub fn rank_asc(scores: &[f64], rule: TieRule) -> Vec<f64> {
    rank_impl(scores, rule, false)
}

/// Below this many ranked scores a comparison sort of the packed keys beats the radix passes.
const RADIX_MIN: usize = 256;
/// Radix digits of 11 bits over the 32-bit key prefix: 3 passes (the last digit has 10 bits).
const DIGIT_BITS: u32 = 11;
const PREFIX_DIGITS: usize = 32_usize.div_ceil(DIGIT_BITS as usize);
const DIGIT_MASK: u64 = (1 << DIGIT_BITS) - 1;

/// An order-preserving key of a non-NaN score: `key(a) < key(b)` exactly when `a.total_cmp(&b)` is
/// `Less` (so `-0.0` sorts just below `0.0`); complemented for a descending order.
#[inline]
fn order_key(x: f64, desc: bool) -> u64 {
    let b = x.to_bits();
    let asc = if b >> 63 == 1 { !b } else { b | (1 << 63) };
    if desc { !asc } else { asc }
}

/// `true` if the keys of two sorted neighbours are scores equal as `f64` (same key, or `−0.0` and
/// `0.0`, whose keys are adjacent).
#[inline]
fn keys_tie(a: u64, b: u64, desc: bool) -> bool {
    const POS_ZERO: u64 = 1 << 63;
    const NEG_ZERO: u64 = !(1 << 63);
    let zero = |k: u64| {
        let k = if desc { !k } else { k };
        k == POS_ZERO || k == NEG_ZERO
    };
    a == b || (zero(a) && zero(b))
}

/// The class of a key's upper 32 bits within which sorted neighbours may tie: the prefix itself,
/// except that the prefixes of `−0.0` and `0.0` (`0x7FFF_FFFF` and `0x8000_0000`, adjacent in
/// either direction) are one class, since those two scores tie.
#[inline]
fn prefix_class(key: u64) -> u32 {
    let hi = (key >> 32) as u32;
    if hi == 0x7FFF_FFFF { 0x8000_0000 } else { hi }
}

/// The non-NaN scores as `(key, position)` pairs sorted by the upper 32 bits of the key,
/// positions ascending within equal upper bits: LSD radix sort on the key's upper half only
/// (stable, and the positions start ascending; 3 passes of 11 bits instead of 6 for the whole
/// key), skipping the digits that all keys share. The caller orders each run of equal upper
/// halves by the whole key. Short inputs are sorted by a comparison sort on the whole pair (the
/// order the caller then arrives at: the pairs are distinct).
fn sorted_by_prefix(scores: &[f64], desc: bool) -> Vec<(u64, u32)> {
    let mut a: Vec<(u64, u32)> = scores
        .iter()
        .enumerate()
        .filter(|(_, x)| !x.is_nan())
        .map(|(i, &x)| (order_key(x, desc), i as u32))
        .collect();
    let n = a.len();
    if n < RADIX_MIN {
        a.sort_unstable();
        return a;
    }
    let mut counts = vec![[0usize; 1 << DIGIT_BITS]; PREFIX_DIGITS];
    for &(k, _) in &a {
        for (d, c) in counts.iter_mut().enumerate() {
            c[((k >> (32 + DIGIT_BITS * d as u32)) & DIGIT_MASK) as usize] += 1;
        }
    }
    let mut b: Vec<(u64, u32)> = vec![(0, 0); n];
    for (d, c) in counts.iter_mut().enumerate() {
        if c.contains(&n) {
            continue; // every key has this digit: the pass would not move anything
        }
        let mut at = 0usize;
        for slot in c.iter_mut() {
            let here = *slot;
            *slot = at;
            at += here;
        }
        let shift = 32 + DIGIT_BITS * d as u32;
        for &(k, i) in &a {
            let slot = &mut c[((k >> shift) & DIGIT_MASK) as usize];
            if let Some(o) = b.get_mut(*slot) {
                *o = (k, i);
            }
            *slot += 1;
        }
        std::mem::swap(&mut a, &mut b);
    }
    a
}

fn rank_impl(scores: &[f64], rule: TieRule, desc: bool) -> Vec<f64> {
    // positions fit in u32 for every data set the crate can hold; longer inputs take the
    // comparison path below
    if u32::try_from(scores.len()).is_err() {
        return rank_impl_by_comparison(scores, rule, desc);
    }
    let mut sorted = sorted_by_prefix(scores, desc);
    let mut out = vec![f64::NAN; scores.len()];
    let mut start = 0usize;
    let mut dense = 0usize;
    while start < sorted.len() {
        let class = prefix_class(sorted[start].0);
        let mut end = start + 1;
        while end < sorted.len() && prefix_class(sorted[end].0) == class {
            end += 1;
        }
        // a run of one prefix class: ordered by the whole key (positions ascending within equal
        // keys, as a stable sort), then split into ties
        let run = &mut sorted[start..end];
        if run.len() > 1 {
            run.sort_unstable();
        }
        let mut s = 0usize;
        while s < run.len() {
            let first = run[s].0;
            let mut e = s + 1;
            while e < run.len() && keys_tie(run[e].0, first, desc) {
                e += 1;
            }
            dense += 1;
            assign_tie(
                &mut out,
                &run[s..e],
                start + s,
                start + e,
                dense,
                rule,
                |p| p.1 as usize,
            );
            s = e;
        }
        start = end;
    }
    out
}

/// The ranks of the tie `group` (sorted positions `start..end`, the `dense`-th distinct score).
#[inline]
fn assign_tie<T>(
    out: &mut [f64],
    group: &[T],
    start: usize,
    end: usize,
    dense: usize,
    rule: TieRule,
    pos: impl Fn(&T) -> usize,
) {
    for (k, p) in group.iter().enumerate() {
        if let Some(o) = out.get_mut(pos(p)) {
            *o = match rule {
                TieRule::Min => (start + 1) as f64,
                TieRule::Max => end as f64,
                TieRule::Dense => dense as f64,
                TieRule::Ordinal => (start + k + 1) as f64,
                TieRule::Average => (start + 1 + end) as f64 / 2.0,
            };
        }
    }
}

/// The straightforward ranking (stable index sort with `total_cmp`); the reference the fast path
/// is tested against, and the path for inputs longer than `u32::MAX`.
fn rank_impl_by_comparison(scores: &[f64], rule: TieRule, desc: bool) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..scores.len()).filter(|&i| !scores[i].is_nan()).collect();
    // stable sort keeps input order within ties (Ordinal rule)
    idx.sort_by(|&a, &b| {
        let (x, y) = (scores[a], scores[b]);
        if desc {
            y.total_cmp(&x)
        } else {
            x.total_cmp(&y)
        }
    });
    let mut out = vec![f64::NAN; scores.len()];
    let mut start = 0usize;
    let mut dense = 0usize;
    while start < idx.len() {
        let mut end = start + 1;
        // -0.0 == 0.0 ties even though total_cmp orders them
        while end < idx.len() && scores[idx[end]] == scores[idx[start]] {
            end += 1;
        }
        dense += 1;
        assign_tie(&mut out, &idx[start..end], start, end, dense, rule, |&i| i);
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_rules() {
        let s = [9.0, 7.0, 7.0, 5.0];
        assert_eq!(rank_desc(&s, TieRule::Min), vec![1.0, 2.0, 2.0, 4.0]);
        assert_eq!(rank_desc(&s, TieRule::Max), vec![1.0, 3.0, 3.0, 4.0]);
        assert_eq!(rank_desc(&s, TieRule::Dense), vec![1.0, 2.0, 2.0, 3.0]);
        assert_eq!(rank_desc(&s, TieRule::Ordinal), vec![1.0, 2.0, 3.0, 4.0]);
        assert_eq!(rank_desc(&s, TieRule::Average), vec![1.0, 2.5, 2.5, 4.0]);
    }

    #[test]
    fn missing_kept_and_not_counted() {
        let r = rank_desc(&[f64::NAN, 1.0, 2.0], TieRule::Min);
        assert!(r[0].is_nan());
        assert_eq!(&r[1..], &[2.0, 1.0]);
    }

    #[test]
    fn competition_ranks_follow_the_contract() {
        let s = [9.0, 7.0, f64::NAN, 7.0, 5.0, -0.0, 0.0];
        assert_eq!(
            competition_ranks(&s),
            vec![Some(1), Some(2), None, Some(2), Some(4), Some(5), Some(5)]
        );
        // rank = 1 + number of strictly higher (non-missing) scores
        for (i, r) in competition_ranks(&s).into_iter().enumerate() {
            let higher = s.iter().filter(|&&x| x > s[i]).count() as Rank;
            assert_eq!(r, (!s[i].is_nan()).then_some(1 + higher));
        }
    }

    #[test]
    fn signed_zero_ties() {
        assert_eq!(rank_asc(&[0.0, -0.0], TieRule::Min), vec![1.0, 1.0]);
    }

    const RULES: [TieRule; 5] = [
        TieRule::Min,
        TieRule::Max,
        TieRule::Dense,
        TieRule::Ordinal,
        TieRule::Average,
    ];

    /// Scores drawn from a small pool (many ties), with NaN, ±0, ±∞ and subnormals.
    fn tied_scores() -> impl proptest::strategy::Strategy<Value = Vec<f64>> {
        use proptest::prelude::*;
        let pool = prop_oneof![
            4 => (-3i32..4).prop_map(|v| v as f64 * 0.5),
            1 => Just(f64::NAN),
            1 => Just(-f64::NAN),
            1 => Just(0.0),
            1 => Just(-0.0),
            1 => Just(f64::INFINITY),
            1 => Just(f64::NEG_INFINITY),
            1 => Just(f64::MIN_POSITIVE / 4.0),
            1 => Just(-f64::MIN_POSITIVE / 4.0),
            2 => any::<f64>(),
        ];
        // long enough to take the radix path (RADIX_MIN) as well as the short one
        proptest::collection::vec(pool, 0..700)
    }

    fn same(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
    }

    proptest::proptest! {
        #[test]
        fn fast_ranks_equal_the_reference(scores in tied_scores()) {
            for rule in RULES {
                for desc in [true, false] {
                    let fast = rank_impl(&scores, rule, desc);
                    let slow = rank_impl_by_comparison(&scores, rule, desc);
                    proptest::prop_assert!(same(&fast, &slow), "{:?} desc={}", rule, desc);
                }
                proptest::prop_assert!(same(&rank_desc(&scores, rule), &rank_impl_by_comparison(&scores, rule, true)));
                proptest::prop_assert!(same(&rank_asc(&scores, rule), &rank_impl_by_comparison(&scores, rule, false)));
            }
        }
    }

    /// Scores that share the upper 32 bits of their keys in long runs (a few ulps apart, or equal),
    /// with ±0, the smallest subnormals of both signs, NaN: the runs the radix pass on the key
    /// prefix leaves to the full-key fix-up.
    fn prefix_runs() -> impl proptest::strategy::Strategy<Value = Vec<f64>> {
        use proptest::prelude::*;
        let near =
            |base: f64| (0u64..6).prop_map(move |ulps| f64::from_bits(base.to_bits() + ulps));
        let pool = prop_oneof![
            4 => near(1.5),
            4 => near(-1.5),
            2 => near(1e-320),
            2 => near(-1e-320),
            2 => Just(0.0),
            2 => Just(-0.0),
            1 => Just(f64::NAN),
            1 => near(100.0),
            1 => any::<f64>(),
        ];
        proptest::collection::vec(pool, 0..900)
    }

    proptest::proptest! {
        #[test]
        fn prefix_runs_equal_the_reference(scores in prefix_runs()) {
            for rule in RULES {
                for desc in [true, false] {
                    let fast = rank_impl(&scores, rule, desc);
                    let slow = rank_impl_by_comparison(&scores, rule, desc);
                    proptest::prop_assert!(same(&fast, &slow), "{:?} desc={}", rule, desc);
                }
            }
        }
    }

    #[test]
    fn radix_path_handles_signed_zeros_and_wide_ranges() {
        // long enough for the radix path; ±0 interleaved, extremes, NaN
        let mut s = Vec::new();
        for i in 0..2000 {
            s.push(match i % 7 {
                0 => 0.0,
                1 => -0.0,
                2 => f64::NAN,
                3 => (i as f64).powi(7) * if i % 2 == 0 { 1.0 } else { -1.0 },
                4 => 1e-310 * i as f64,
                5 => f64::MAX / (i as f64 + 1.0),
                _ => (i % 13) as f64,
            });
        }
        for rule in RULES {
            for desc in [true, false] {
                assert!(same(
                    &rank_impl(&s, rule, desc),
                    &rank_impl_by_comparison(&s, rule, desc)
                ));
            }
        }
    }

    #[test]
    fn ordinal_breaks_by_input_order() {
        assert_eq!(
            rank_asc(&[2.0, 1.0, 2.0], TieRule::Ordinal),
            vec![2.0, 1.0, 3.0]
        );
    }
}
