//! The block sampler: node-major weights of [`LANES`] variants at a time from side-by-side
//! Xoshiro256++ generators in AVX2 lanes, bit-identical to [`VariantSampler::fill`].

use super::simd;
use crate::sweep::sampler::{
    Compiled, VariantSampler, noise_unit, pick_alt, rng_for, splitmix, tri, unit,
};

/// Variants drawn side by side by the block sampler (one AVX2 register of `u64` lanes).
pub(crate) const LANES: usize = 4;

/// `LANES` independent Xoshiro256++ streams in structure-of-arrays form, so one step of all lanes is a
/// handful of vector instructions. Lane `l` produces exactly the stream of [`rng_for`] for its variant.
struct Lanes {
    s0: [u64; LANES],
    s1: [u64; LANES],
    s2: [u64; LANES],
    s3: [u64; LANES],
}

impl Lanes {
    /// The generators of variants `k0..k0 + LANES` (as `Xoshiro256PlusPlus::seed_from_u64`, which fills
    /// the state with four SplitMix64 outputs). `None` if a lane would hit the all-zero state (the
    /// library then substitutes a fixed state; the caller uses the scalar generator instead).
    #[inline(always)]
    fn new(seed: u64, k0: u64) -> Option<Lanes> {
        const PHI: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut l = Lanes {
            s0: [0; LANES],
            s1: [0; LANES],
            s2: [0; LANES],
            s3: [0; LANES],
        };
        for i in 0..LANES {
            let x = splitmix(seed ^ splitmix(k0 + i as u64));
            // SplitMix64 seeded with x: outputs splitmix(x), splitmix(x + φ), ...
            l.s0[i] = splitmix(x);
            l.s1[i] = splitmix(x.wrapping_add(PHI));
            l.s2[i] = splitmix(x.wrapping_add(PHI.wrapping_mul(2)));
            l.s3[i] = splitmix(x.wrapping_add(PHI.wrapping_mul(3)));
            if l.s0[i] | l.s1[i] | l.s2[i] | l.s3[i] == 0 {
                return None;
            }
        }
        Some(l)
    }

    /// One step of every lane: the raw outputs.
    #[inline(always)]
    fn next_raw(&mut self, out: &mut [u64; LANES]) {
        for (i, o) in out.iter_mut().enumerate() {
            *o = self.s0[i]
                .wrapping_add(self.s3[i])
                .rotate_left(23)
                .wrapping_add(self.s0[i]);
            let t = self.s1[i] << 17;
            self.s2[i] ^= self.s0[i];
            self.s3[i] ^= self.s1[i];
            self.s1[i] ^= self.s2[i];
            self.s0[i] ^= self.s3[i];
            self.s2[i] ^= t;
            self.s3[i] = self.s3[i].rotate_left(45);
        }
    }

    /// One step of every lane: uniforms in `[0, 1)` with 53 random bits, bit-identical to [`unit`].
    /// `(x >> 11)` is split into 21 high and 32 low bits, each converted exactly through the
    /// `2^52` exponent trick (AVX2 has no `u64 → f64` conversion).
    #[inline(always)]
    fn next_unit(&mut self, out: &mut [f64; LANES]) {
        const MAGIC: u64 = 0x4330_0000_0000_0000; // 2^52
        let two52 = f64::from_bits(MAGIC);
        let mut raw = [0u64; LANES];
        self.next_raw(&mut raw);
        for (o, &r) in out.iter_mut().zip(&raw) {
            let x = r >> 11;
            let hi = f64::from_bits(MAGIC | (x >> 32)) - two52;
            let lo = f64::from_bits(MAGIC | (x & 0xffff_ffff)) - two52;
            *o = (hi * 4_294_967_296.0 + lo) * (1.0 / (1u64 << 53) as f64);
        }
    }
}

impl VariantSampler {
    /// One noise variant `k` drawn by the scalar generator into column `v` of a node-major block.
    #[allow(clippy::too_many_arguments)]
    fn noise_scalar(
        &self,
        k: usize,
        v: usize,
        b: usize,
        w: &mut [f64],
        nodes: &[usize],
        a: &[f64],
        bb: &[f64],
        triangular: bool,
    ) {
        let mut rng = rng_for(self.seed, k as u64);
        unit(&mut rng);
        let mut cur = 0;
        for (t, ((&n, &ai), &bi)) in nodes.iter().zip(a).zip(bb).enumerate() {
            let ui = noise_unit(&mut rng, t, &mut cur);
            let g = if triangular { tri(ui) } else { ui };
            if let Some(x) = w.get_mut(n * b + v) {
                *x = ai + bi * g;
            }
        }
    }

    /// The lane loop of [`VariantSampler::fill_block`] with explicit AVX2: four Xoshiro256++ states in
    /// four registers, rotations as shift pairs, the exact `u64 → f64` conversion of [`Lanes`].
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    #[allow(clippy::too_many_arguments)]
    fn noise_block_avx2(
        &self,
        start: usize,
        b: usize,
        w: &mut [f64],
        nodes: &[usize],
        a: &[f64],
        bb: &[f64],
        triangular: bool,
    ) {
        use std::arch::x86_64::*;
        #[inline]
        #[target_feature(enable = "avx2")]
        fn rotl<const L: i32, const R: i32>(x: __m256i) -> __m256i {
            _mm256_or_si256(_mm256_slli_epi64::<L>(x), _mm256_srli_epi64::<R>(x))
        }
        #[inline]
        #[target_feature(enable = "avx2")]
        fn load(x: &[u64; LANES]) -> __m256i {
            _mm256_set_epi64x(x[3] as i64, x[2] as i64, x[1] as i64, x[0] as i64)
        }
        let magic = _mm256_set1_epi64x(0x4330_0000_0000_0000);
        let low32 = _mm256_set1_epi64x(0xffff_ffff);
        let two52 = _mm256_set1_pd(f64::from_bits(0x4330_0000_0000_0000));
        let inv32 = _mm256_set1_pd(1.0 / 4_294_967_296.0);
        let mut v0 = 0;
        while v0 < b {
            let lanes = if v0 + LANES <= b {
                Lanes::new(self.seed, (start + v0) as u64)
            } else {
                None
            };
            let Some(l) = lanes else {
                self.noise_scalar(start + v0, v0, b, w, nodes, a, bb, triangular);
                v0 += 1;
                continue;
            };
            let (mut s0, mut s1, mut s2, mut s3) =
                (load(&l.s0), load(&l.s1), load(&l.s2), load(&l.s3));
            let mut step = || {
                let r = _mm256_add_epi64(rotl::<23, 41>(_mm256_add_epi64(s0, s3)), s0);
                let t = _mm256_slli_epi64::<17>(s1);
                s2 = _mm256_xor_si256(s2, s0);
                s3 = _mm256_xor_si256(s3, s1);
                s1 = _mm256_xor_si256(s1, s2);
                s0 = _mm256_xor_si256(s0, s3);
                s2 = _mm256_xor_si256(s2, t);
                s3 = rotl::<45, 19>(s3);
                r
            };
            // a 32-bit integer to f64 exactly (the 2^52 exponent trick), times 2^-32
            let half = |x: __m256i| {
                _mm256_mul_pd(
                    _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(x, magic)), two52),
                    inv32,
                )
            };
            let mut cur = _mm256_setzero_si256();
            step(); // the alternative draw
            let mut u = [0.0; LANES];
            for (t, ((&n, &ai), &bi)) in nodes.iter().zip(a).zip(bb).enumerate() {
                let g = if t % 2 == 0 {
                    cur = step();
                    half(_mm256_srli_epi64::<32>(cur))
                } else {
                    half(_mm256_and_si256(cur, low32))
                };
                let Some(dst) = w.get_mut(n * b + v0..n * b + v0 + LANES) else {
                    continue;
                };
                if triangular {
                    // SAFETY: `u` holds LANES = 4 f64 values.
                    unsafe { _mm256_storeu_pd(u.as_mut_ptr(), g) };
                    for (d, &ui) in dst.iter_mut().zip(&u) {
                        *d = ai + bi * tri(ui);
                    }
                } else {
                    let r = _mm256_add_pd(_mm256_set1_pd(ai), _mm256_mul_pd(_mm256_set1_pd(bi), g));
                    // SAFETY: `dst` holds LANES = 4 f64 values.
                    unsafe { _mm256_storeu_pd(dst.as_mut_ptr(), r) };
                }
            }
            v0 += LANES;
        }
    }

    /// Whether every weight this sampler can draw is `≥ 0` (nominal and noise samplers only: a noise
    /// weight is `a + b·g` with `g` in `[0, 1)` (uniform) or `[−1, 1]` (triangular)).
    pub(crate) fn weights_nonneg(&self) -> bool {
        let nominal_ok = |skip: &[usize]| {
            self.nominal
                .iter()
                .enumerate()
                .all(|(n, &x)| x >= 0.0 || skip.binary_search(&n).is_ok())
        };
        match &self.compiled {
            Compiled::Nominal => nominal_ok(&[]),
            Compiled::Noise {
                nodes,
                a,
                b,
                triangular,
            } => {
                nominal_ok(nodes)
                    && a.iter().zip(b).all(|(&ai, &bi)| {
                        let low = if *triangular {
                            ai - bi.abs()
                        } else {
                            ai + bi.min(0.0)
                        };
                        low >= 0.0
                    })
            }
            _ => false,
        }
    }

    /// The alternative every variant uses, when it is not random.
    pub(crate) fn fixed_alt(&self) -> Option<usize> {
        (!self.random_alt).then(|| pick_alt(&self.alt_cdf, 0.0))
    }

    /// Whether [`VariantSampler::fill_block`] supports this sampler (nominal and noise samplers).
    pub(crate) fn block_capable(&self) -> bool {
        matches!(self.compiled, Compiled::Nominal | Compiled::Noise { .. })
    }

    /// Node-major weights of variants `start..start + b`: `w[n·b + v]` is node `n` of variant
    /// `start + v` (`w.len() ≥ nodes · b`), bit-identical to [`VariantSampler::fill`]. Variants are drawn
    /// [`LANES`] at a time from side-by-side generators. Returns `false` (and writes nothing) for
    /// samplers [`VariantSampler::block_capable`] rejects.
    #[inline(always)]
    pub(crate) fn fill_block(&self, start: usize, b: usize, w: &mut [f64]) -> bool {
        let nn = self.nominal.len();
        if w.len() < nn * b {
            return false;
        }
        let (nodes, a, bb, triangular) = match &self.compiled {
            Compiled::Nominal => {
                for (n, &x) in self.nominal.iter().enumerate() {
                    w[n * b..(n + 1) * b].fill(x);
                }
                return true;
            }
            Compiled::Noise {
                nodes,
                a,
                b,
                triangular,
            } => (nodes, a, b, *triangular),
            _ => return false,
        };
        for (n, &x) in self.nominal.iter().enumerate() {
            if nodes.binary_search(&n).is_err() {
                w[n * b..(n + 1) * b].fill(x);
            }
        }
        #[cfg(target_arch = "x86_64")]
        if simd::avx2_fma() {
            // SAFETY: the CPU supports AVX2 (checked just above); the function is safe code apart
            // from bounds-checked slice loads and stores.
            unsafe { self.noise_block_avx2(start, b, w, nodes, a, bb, triangular) };
            return true;
        }
        let mut v0 = 0;
        let mut u = [0.0; LANES];
        while v0 < b {
            let lanes = if v0 + LANES <= b {
                Lanes::new(self.seed, (start + v0) as u64)
            } else {
                None
            };
            match lanes {
                Some(mut l) => {
                    l.next_unit(&mut u); // the alternative draw
                    let mut cur = [0u64; LANES];
                    for (t, ((&n, &ai), &bi)) in nodes.iter().zip(a).zip(bb).enumerate() {
                        if t % 2 == 0 {
                            l.next_raw(&mut cur);
                        }
                        for (ui, &c) in u.iter_mut().zip(&cur) {
                            let h = if t % 2 == 0 { c >> 32 } else { c & 0xffff_ffff };
                            *ui = h as f64 * (1.0 / 4_294_967_296.0);
                        }
                        let dst = &mut w[n * b + v0..n * b + v0 + LANES];
                        for (d, &ui) in dst.iter_mut().zip(&u) {
                            let g = if triangular { tri(ui) } else { ui };
                            *d = ai + bi * g;
                        }
                    }
                    v0 += LANES;
                }
                None => {
                    self.noise_scalar(start + v0, v0, b, w, nodes, a, bb, triangular);
                    v0 += 1;
                }
            }
        }
        true
    }
}
