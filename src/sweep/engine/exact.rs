//! Exactly mergeable score moments: integer-scaled sums.
//!
//! A unit's shifted scores `d = s − c` and their squares are summed as integers: each term `t` is
//! rounded (to nearest, ties to even) to a multiple of a fixed per-unit step and the multiples are
//! added in `i128`. Integer addition is associative, so any split of the variants into ranges, merged
//! in any order, gives the same sums bit for bit, and so the same means and standard deviations.
//!
//! **Steps.** With `B = max(|lo − c|, |hi − c|)` (the unit's histogram bounds and shift) and `E` the
//! exponent with `2^(E−1) ≤ B < 2^E` (clamped to `[−480, 480]`; `B = max(|c|, 1)` when `B` is 0 or not
//! finite), `d` is counted in steps of `2^(E−50)` and `d²` in steps of `2^(2E−50)`: 49 to 50 bits below
//! the bound, so each term is off by at most `2^(E−51)` (`d`) or `2^(2E−51)` (`d²`), and a mean by
//! at most `2^(E−51)`. A term beyond `2^E` (`2^(2E)`; rare: scores outside the bounds) goes to level
//! `k ≥ 1` with steps `2^(E−50+k)`, the smallest level where it is at most `2^50` steps (so it keeps
//! 50 significant bits); infinite terms are counted by sign. Sums are turned into `f64` by converting each level (rounded once) and
//! adding the levels from the highest down: a deterministic function of the integers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Expected, Result};

/// Fraction bits below the bound.
const FRAC: i32 = 50;
/// Largest quantised magnitude at one level (`2^50`).
pub(crate) const QMAX: f64 = (1u64 << 50) as f64;
/// `1.5·2^52`: adding it to `|q| ≤ 2^51` rounds `q` to an integer, readable from the bits.
pub(crate) const MAGIC: f64 = 6_755_399_441_055_744.0;
pub(crate) const MAGIC_BITS: i64 = 0x4338_0000_0000_0000;
/// Highest finite level (a term of at most `2^1024` at `E = −480`: `1024 + 2·480 + 1`).
const MAX_LEVEL: u32 = 2048;
/// Level codes of infinite terms.
const INF_POS: u32 = u32::MAX;
const INF_NEG: u32 = u32::MAX - 1;

/// `round(q)` (ties to even) for `|q| ≤ 2^51`, in straight (vectorisable) code. Outside that range
/// the result is meaningless but computed without overflow checks (wrapping), so straight loops may
/// call it on every term and discard the ones beyond their bound.
#[inline(always)]
pub(crate) fn round_q(q: f64) -> i64 {
    ((q + MAGIC).to_bits() as i64).wrapping_sub(MAGIC_BITS)
}

/// `x · 2^e`, exact unless the result over- or underflows.
fn scale2(mut x: f64, mut e: i32) -> f64 {
    while e > 1000 {
        x *= pow2(1000);
        e -= 1000;
    }
    while e < -1000 {
        x *= pow2(-1000);
        e += 1000;
    }
    x * pow2(e)
}

/// `2^e` for `−1022 ≤ e ≤ 1023`.
fn pow2(e: i32) -> f64 {
    let e = e.clamp(-1022, 1023);
    f64::from_bits(((e + 1023) as u64) << 52)
}

/// The step exponent `E` of a unit (see the module docs).
pub(crate) fn exp_for(c: f64, lo: f64, hi: f64) -> i32 {
    let mut b = 0.0f64;
    for x in [lo - c, hi - c] {
        if x.is_finite() {
            b = b.max(x.abs());
        }
    }
    if b == 0.0 {
        b = if c.is_finite() { c.abs().max(1.0) } else { 1.0 };
    }
    // 2^(e−1) ≤ b < 2^e
    let bits = b.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let e = if biased == 0 { -1022 } else { biased - 1022 };
    e.clamp(-480, 480)
}

/// Multipliers `2^(50 − E)` (for `d`) and `2^(50 − 2E)` (for `d²`).
pub(crate) fn multipliers(exp: i32) -> (f64, f64) {
    (pow2(FRAC - exp), pow2(FRAC - 2 * exp))
}

/// Exact sums `Σd` and `Σd²` per position (see the module docs).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Moments {
    /// Level 0 of `Σd`.
    pub(crate) sum: Vec<i128>,
    /// Level 0 of `Σd²`.
    pub(crate) sum2: Vec<i128>,
    /// Rare terms: `(position, 0 = Σd / 1 = Σd², level ≥ 1 or an infinity code)` → value.
    pub(crate) extra: BTreeMap<(usize, u8, u32), i128>,
}

impl Moments {
    /// Zeroed sums for `n` positions.
    pub(crate) fn reset(&mut self, n: usize) {
        self.sum.clear();
        self.sum.resize(n, 0);
        self.sum2.clear();
        self.sum2.resize(n, 0);
        self.extra.clear();
    }

    /// Add `d` and `d²` of position `p` (multipliers `m1`, `m2` and exponent `exp` of the position).
    #[inline(always)]
    pub(crate) fn add(&mut self, p: usize, d: f64, m1: f64, m2: f64, exp: i32) {
        let d2 = d * d;
        let (q, q2) = (d * m1, d2 * m2);
        match self.sum.get_mut(p) {
            Some(s) if q.abs() <= QMAX => *s = s.wrapping_add(i128::from(round_q(q))),
            _ => self.add_slow(p, 0, d, exp),
        }
        match self.sum2.get_mut(p) {
            Some(s) if q2.abs() <= QMAX => *s = s.wrapping_add(i128::from(round_q(q2))),
            _ => self.add_slow(p, 1, d2, 2 * exp),
        }
    }

    /// A term beyond level 0 (or infinite) of sum `which` at position `p`; `exp_w` is `E` for `Σd`
    /// and `2E` for `Σd²`.
    #[cold]
    pub(crate) fn add_slow(&mut self, p: usize, which: u8, t: f64, exp_w: i32) {
        if t.is_nan() {
            return;
        }
        if t.is_infinite() {
            let code = if t > 0.0 { INF_POS } else { INF_NEG };
            let e = self.extra.entry((p, which, code)).or_insert(0);
            *e = e.saturating_add(1);
            return;
        }
        // the first level with |q| ≤ 2^50: start just below the exponent of t
        let bits = t.abs().to_bits();
        let biased = ((bits >> 52) & 0x7ff) as i32;
        let e_t = if biased == 0 { -1022 } else { biased - 1022 };
        let k0 = (e_t - exp_w - 1).max(0) as u32;
        for k in k0..k0 + 4 {
            let q = scale2(t, FRAC - exp_w - k as i32);
            if q.abs() <= QMAX {
                let r = i128::from(round_q(q));
                if k == 0
                    && let Some(s) = if which == 0 {
                        self.sum.get_mut(p)
                    } else {
                        self.sum2.get_mut(p)
                    }
                {
                    *s = s.wrapping_add(r);
                    return;
                }
                let e = self.extra.entry((p, which, k)).or_insert(0);
                *e = e.wrapping_add(r);
                return;
            }
        }
    }

    /// Add `other` entry-wise, its position `p` going to position `map(p)`.
    pub(crate) fn add_mapped(&mut self, other: &Moments, map: impl Fn(usize) -> Option<usize>) {
        for (p, (&s, &s2)) in other.sum.iter().zip(&other.sum2).enumerate() {
            let Some(u) = map(p) else { continue };
            if let (Some(a), Some(b)) = (self.sum.get_mut(u), self.sum2.get_mut(u)) {
                // wrapping: sums of real terms stay far below 2^127 (2^77 terms of 2^50), so only a
                // damaged file could wrap, and it must not panic
                *a = a.wrapping_add(s);
                *b = b.wrapping_add(s2);
            }
        }
        for (&(p, which, k), &v) in &other.extra {
            if let Some(u) = map(p) {
                let e = self.extra.entry((u, which, k)).or_insert(0);
                *e = e.wrapping_add(v);
            }
        }
        self.extra.retain(|_, v| *v != 0);
    }

    /// The `f64` value of sum `which` at position `p` (`exp` the position's `E`).
    pub(crate) fn value(&self, p: usize, which: u8, exp: i32) -> f64 {
        let exp_w = if which == 0 { exp } else { 2 * exp };
        let lvl0 = if which == 0 {
            self.sum.get(p)
        } else {
            self.sum2.get(p)
        }
        .copied()
        .unwrap_or(0);
        let (mut pos_inf, mut neg_inf) = (false, false);
        let mut acc = 0.0f64;
        // highest level first
        for (&(_, _, k), &v) in self.extra.range((p, which, 0)..=(p, which, u32::MAX)).rev() {
            match k {
                INF_POS => pos_inf |= v > 0,
                INF_NEG => neg_inf |= v > 0,
                _ => acc += scale2(v as f64, exp_w - FRAC + k as i32),
            }
        }
        acc += scale2(lvl0 as f64, exp_w - FRAC);
        match (pos_inf, neg_inf) {
            (true, true) => f64::NAN,
            (true, false) => f64::INFINITY,
            (false, true) => f64::NEG_INFINITY,
            (false, false) => acc,
        }
    }

    /// The serialised form.
    pub(crate) fn to_repr(&self, exp: &[i32]) -> ExactRepr {
        ExactRepr {
            exp: exp.to_vec(),
            sum: self.sum.clone(),
            sum2: self.sum2.clone(),
            extra: self
                .extra
                .iter()
                .map(|(&(p, w, k), &v)| (p, w, k, v))
                .collect(),
        }
    }

    /// Read the serialised form for `units` units.
    pub(crate) fn from_repr(r: ExactRepr, units: usize) -> Result<(Moments, Vec<i32>)> {
        for (what, found) in [
            ("exponents", r.exp.len()),
            ("sums", r.sum.len()),
            ("sums of squares", r.sum2.len()),
        ] {
            if found != units {
                return Err(Error::ShapeMismatch {
                    what: format!("score statistics: exact {what} (one per unit)"),
                    expected: units,
                    found,
                });
            }
        }
        if let Some((u, e)) = r
            .exp
            .iter()
            .enumerate()
            .find(|(_, e)| !(-480..=480).contains(*e))
        {
            return Err(Error::invalid(
                format!("score statistics: exact-sum exponent of unit {u}"),
                e,
                Expected::closed(-480.0, 480.0),
            ));
        }
        let mut extra = BTreeMap::new();
        for (p, w, k, v) in r.extra {
            if p >= units || w > 1 || (k > MAX_LEVEL && k < INF_NEG) {
                return Err(Error::invalid(
                    "score statistics: exact term",
                    format!("({p}, {w}, {k})"),
                    Expected::Rule(format!("names no unit (of {units}), sum or level")),
                ));
            }
            let e = extra.entry((p, w, k)).or_insert(0i128);
            *e = e.wrapping_add(v);
        }
        Ok((
            Moments {
                sum: r.sum,
                sum2: r.sum2,
                extra,
            },
            r.exp,
        ))
    }
}

/// FNV-1a, 64 bits: a stable hash for fingerprints (the same on every platform and Rust version).
/// Strings are length-prefixed and sections tagged, so concatenations cannot collide by shifting.
pub(crate) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    pub(crate) fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 ^= u64::from(x);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    pub(crate) fn u64(&mut self, x: u64) {
        self.bytes(&x.to_le_bytes());
    }
    /// The bit pattern, with every NaN hashed alike.
    pub(crate) fn f64(&mut self, x: f64) {
        self.u64(if x.is_nan() {
            f64::NAN.to_bits()
        } else {
            x.to_bits()
        });
    }
    pub(crate) fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.bytes(s.as_bytes());
    }
    pub(crate) fn tag(&mut self, s: &str) {
        self.str(s);
    }
    pub(crate) fn finish(&self) -> u64 {
        self.0
    }
}

/// Serialised exact sums: per-unit exponents `E`, level-0 multiples of `Σd` and `Σd²`, and the rare
/// higher-level or infinite terms as `(unit, 0 = Σd / 1 = Σd², level, value)`. The 128-bit integers
/// are written as decimal strings: JSON numbers beyond 64 bits do not survive common readers
/// (`serde_json::Value` among them).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ExactRepr {
    pub(crate) exp: Vec<i32>,
    #[serde(with = "i128_strings")]
    pub(crate) sum: Vec<i128>,
    #[serde(with = "i128_strings")]
    pub(crate) sum2: Vec<i128>,
    #[serde(default, with = "extra_strings")]
    pub(crate) extra: Vec<(usize, u8, u32, i128)>,
}

/// `Vec<i128>` as decimal strings.
mod i128_strings {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    pub(crate) fn serialize<S: Serializer>(v: &[i128], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|x| x.to_string()))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i128>, D::Error> {
        let v: Vec<String> = Vec::deserialize(d)?;
        v.iter()
            .map(|t| {
                t.parse::<i128>()
                    .map_err(|e| D::Error::custom(format!("`{t}` is not a 128-bit integer: {e}")))
            })
            .collect()
    }
}

/// The rare terms with their values as decimal strings.
mod extra_strings {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    type Term = (usize, u8, u32, i128);

    pub(crate) fn serialize<S: Serializer>(v: &[Term], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|&(p, w, k, x)| (p, w, k, x.to_string())))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Term>, D::Error> {
        let v: Vec<(usize, u8, u32, String)> = Vec::deserialize(d)?;
        v.into_iter()
            .map(|(p, w, k, t)| {
                let x = t.parse::<i128>().map_err(|e| {
                    D::Error::custom(format!("`{t}` is not a 128-bit integer: {e}"))
                })?;
                Ok((p, w, k, x))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_reference_values() {
        // FNV-1a 64 reference vectors (Fowler, Noll, Vo: "" → cbf29ce484222325, "a" →
        // af63dc4c8601ec8c, "foobar" → 85944171f73967e8)
        let h = |s: &str| {
            let mut f = Fnv::default();
            f.bytes(s.as_bytes());
            f.finish()
        };
        assert_eq!(h(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(h("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(h("foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn rounding_trick_is_round_half_even() {
        for (q, r) in [
            (0.5, 0),
            (1.5, 2),
            (2.5, 2),
            (-0.5, 0),
            (-1.5, -2),
            (1e15 + 0.25, 1_000_000_000_000_000),
            (-QMAX, -(1i64 << 50)),
        ] {
            assert_eq!(round_q(q), r, "{q}");
        }
    }

    #[test]
    fn exponent_rule_by_hand() {
        // B = max(|0 − 0.5|, |1 − 0.5|) = 0.5 = 2^-1: 2^(E−1) ≤ 0.5 < 2^E gives E = 0
        assert_eq!(exp_for(0.5, 0.0, 1.0), 0);
        // B = 3: E = 2
        assert_eq!(exp_for(1.0, -2.0, 0.0), 2);
        // zero width: B = max(|c|, 1) = 1, E = 1
        assert_eq!(exp_for(0.2, 0.2, 0.2), 1);
        assert_eq!(exp_for(0.0, f64::NAN, f64::INFINITY), 1);
        assert_eq!(exp_for(0.0, -1e300, 1e300), 480);
    }

    #[test]
    fn split_sums_are_identical_and_close_to_the_exact_sum() {
        let e = exp_for(0.0, -1.0, 1.0);
        let (m1, m2) = multipliers(e);
        let xs: Vec<f64> = (0..1000)
            .map(|i| ((i * 7919) % 2000) as f64 / 1000.0 - 1.0 + 1e-9 * i as f64)
            .chain([5.0, -1e9, 1e200, f64::INFINITY])
            .collect();
        let mut whole = Moments::default();
        whole.reset(1);
        for &x in &xs {
            whole.add(0, x, m1, m2, e);
        }
        for cut in [0, 1, 500, 1003, 1004] {
            let (mut a, mut b) = (Moments::default(), Moments::default());
            a.reset(1);
            b.reset(1);
            for &x in &xs[..cut] {
                a.add(0, x, m1, m2, e);
            }
            for &x in &xs[cut..] {
                b.add(0, x, m1, m2, e);
            }
            b.add_mapped(&a, Some);
            assert_eq!(b, whole, "cut {cut}");
        }
        assert_eq!(whole.value(0, 0, e), f64::INFINITY);
        // finite terms only: within a few steps of the f64 sum of the values
        let mut m = Moments::default();
        m.reset(1);
        for &x in &xs[..1002] {
            m.add(0, x, m1, m2, e);
        }
        let exact: f64 = xs[..1002].iter().sum();
        assert!(
            (m.value(0, 0, e) - exact).abs() < 1e-6,
            "{}",
            m.value(0, 0, e)
        );
    }
}
