//! Tail probabilities for the audit's correlation tests, following R's `cor.test`.
//!
//! * Student's t (Pearson, and Spearman with ties or from 1290 pairs): the regularised incomplete
//!   beta of `df/(df + t²)` for small p, one minus that of `t²/(df + t²)` for p near 1 (so neither end
//!   cancels); the beta function comes from `statrs`.
//! * Spearman without ties below 1290 pairs: the null distribution of `S = Σ d²` by algorithm AS 89
//!   (Best & Roberts, *Applied Statistics* 24, 1975), as R's `prho`: exact by enumerating the `n!`
//!   rank permutations for `n ≤ 9`, an Edgeworth series for larger `n`.

use std::sync::OnceLock;

use statrs::function::beta::checked_beta_reg;

/// `min(2·P(T > |t|), 1)` for Student's t with `df` degrees of freedom; 0 at ±∞, NaN at NaN or
/// `df ≤ 0`.
pub(crate) fn two_sided_t(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if t.is_infinite() {
        return 0.0;
    }
    let t2 = t * t;
    // p = I_{df/(df+t²)}(df/2, 1/2) directly while it is below 1/2 (no cancellation: small p keep
    // their digits); near 1, as 1 − I_{t²/(df+t²)}(1/2, df/2), whose small argument is exact to
    // rounding (statrs has no upper-tail beta, which R's pbeta(lower_tail = FALSE) uses instead)
    let p = match checked_beta_reg(df / 2.0, 0.5, df / (df + t2)) {
        Ok(p) if p < 0.5 => Ok(p),
        _ => checked_beta_reg(0.5, df / 2.0, t2 / (df + t2)).map(|i| 1.0 - i),
    };
    p.map(|p| p.clamp(0.0, 1.0)).unwrap_or(f64::NAN)
}

/// Largest `n` whose distribution of `S` is enumerated (R's `n_small`).
const EXACT_MAX: usize = 9;

/// Counts of permutations of `n` ranks by `S = Σ (i − π(i))²` (index `S`), `2 ≤ n ≤ 9`, computed once
/// per `n` by walking all `n!` permutations (Heap's order, updating `S` at each swap).
fn s_counts(n: usize) -> &'static [u64] {
    static CACHE: [OnceLock<Vec<u64>>; EXACT_MAX + 1] = [const { OnceLock::new() }; EXACT_MAX + 1];
    let Some(cell) = CACHE.get(n) else {
        return &[];
    };
    cell.get_or_init(|| {
        let max = n * (n * n - 1) / 3;
        let mut counts = vec![0u64; max + 1];
        let sq = |i: usize, v: usize| i.abs_diff(v) * i.abs_diff(v);
        let mut p: Vec<usize> = (0..n).collect();
        let mut s = 0usize;
        if let Some(c) = counts.get_mut(0) {
            *c += 1;
        }
        let mut c = vec![0usize; n];
        let mut i = 1;
        while i < n {
            if c[i] < i {
                let j = if i % 2 == 0 { 0 } else { c[i] };
                s -= sq(j, p[j]) + sq(i, p[i]);
                p.swap(i, j);
                s += sq(j, p[j]) + sq(i, p[i]);
                if let Some(k) = counts.get_mut(s) {
                    *k += 1;
                }
                c[i] += 1;
                i = 1;
            } else {
                c[i] = 0;
                i += 1;
            }
        }
        counts
    })
}

/// AS 89: `P(S ≥ is)` (upper) or `P(S < is)` (lower) under independence, `n ≥ 2`.
fn prho(n: usize, is: f64, lower: bool) -> f64 {
    let nf = n as f64;
    if is <= 0.0 {
        return if lower { 0.0 } else { 1.0 };
    }
    let max = nf * (nf * nf - 1.0) / 3.0;
    if is > max {
        return if lower { 1.0 } else { 0.0 };
    }
    if n <= EXACT_MAX {
        let counts = s_counts(n);
        let total: u64 = counts.iter().sum();
        let at_least: u64 = counts
            .iter()
            .enumerate()
            .filter(|&(s, _)| s as f64 >= is)
            .map(|(_, &c)| c)
            .sum();
        let k = if lower { total - at_least } else { at_least };
        return k as f64 / total as f64;
    }
    // Edgeworth series (AS 89's coefficients)
    const C: [f64; 12] = [
        0.2274, 0.2531, 0.1745, 0.0758, 0.1033, 0.3932, 0.0879, 0.0151, 0.0072, 0.0831, 0.0131,
        4.6e-4,
    ];
    let b = 1.0 / nf;
    let x = (6.0 * (is - 1.0) * b / (nf * nf - 1.0) - 1.0) * (nf - 1.0).sqrt();
    let y = x * x;
    let inner = C[8] - C[9] * b + y * b * (C[10] - C[11] * y);
    let u = x
        * b
        * (C[0]
            + b * (C[1] + C[2] * b)
            + y * (-C[3] + b * (C[4] + C[5] * b) - y * b * (C[6] + C[7] * b - y * inner)));
    let corr = u / (y / 2.0).exp();
    let p = if lower {
        normal_tail(x, true) - corr
    } else {
        normal_tail(x, false) + corr
    };
    p.clamp(0.0, 1.0)
}

/// Standard normal `P(Z ≤ x)` (`lower`) or `P(Z > x)`, as `erfc(∓x/√2)/2` with `libm`'s `erfc`
/// (FreeBSD's, within an ulp or two): within about 1e-14 relative of a 40-digit reference for
/// `|x| ≤ 9`, where `statrs`'s normal tail is only within about 1e-10 (R's `pnorm` is within an ulp
/// or two). The small remaining error is the rounding of `x/√2`, amplified by `x²` in the tail.
fn normal_tail(x: f64, lower: bool) -> f64 {
    let z = x * std::f64::consts::FRAC_1_SQRT_2;
    0.5 * libm::erfc(if lower { -z } else { z })
}

/// Two-sided p-value of Spearman's `r` on `n ≥ 3` untied pairs, `n < 1290`, as R's
/// `cor.test(method = "spearman")` computes it by default: `S = (n³ − n)(1 − r)/6` rounded, the
/// upper tail `P(S ≥ s)` when `S` exceeds its mean `(n³ − n)/6`, else the lower tail `P(S ≤ s)`,
/// doubled and capped at 1.
pub(crate) fn spearman_two_sided(r: f64, n: usize) -> f64 {
    if r.is_nan() || n < 2 {
        return f64::NAN;
    }
    let nf = n as f64;
    let q = (nf * nf * nf - nf) * (1.0 - r) / 6.0;
    let p = if q > (nf * nf * nf - nf) / 6.0 {
        prho(n, q.round(), false)
    } else {
        // S takes even values only: P(S ≤ s) = P(S < s + 2)
        prho(n, q.round() + 2.0, true)
    };
    (2.0 * p).min(1.0)
}

/// Whether the pairs are tied in either variable (R's `cor.test` then leaves the exact test).
pub(crate) fn has_ties(pairs: &[(f64, f64)]) -> bool {
    let tied = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.windows(2).any(|w| w[0] == w[1])
    };
    tied(pairs.iter().map(|p| p.0).collect()) || tied(pairs.iter().map(|p| p.1).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two-sided tails against mpmath (40 digits): `I_{df/(df+t²)}(df/2, 1/2)`.
    #[test]
    #[allow(clippy::excessive_precision)] // reference digits as mpmath printed them
    fn student_t_tails_match_a_40_digit_reference() {
        let cases = [
            (2.309401076758503, 3.0, 0.10408803866182787137),
            (0.5, 49.0, 0.61931318621013137059),
            (2.0, 49.0, 0.051059148257418093204),
            (3.5, 49.0, 0.0010013273839442373848),
            (1.0, 1.0, 0.5),
            (10.0, 10.0, 1.5895531755964119543e-6),
            (0.01, 100.0, 0.99204121023442850088),
            (1e-8, 3.0, 0.99999999264894806104),
            (5.0, 1e7, 5.7331280750085389921e-7),
            (2.0, 1e6, 0.045500533851319208421),
            // significant correlations with many units (t² < df, tiny p)
            (9.359228810126409, 98.0, 2.9774285946503899779e-15),
            (10.553435459602715, 198.0, 6.0666122010479160122e-21),
            (9.739463170891035, 498.0, 1.236354304079540271e-20),
            (9.934953281384704, 998.0, 3.0374833803511154421e-22),
        ];
        for (t, df, want) in cases {
            // statrs's incomplete beta loses digits for huge df (2e-8 relative at df = 1e7); the
            // audit's df is the number of units minus 2
            let tol = if df <= 1e4 { 1e-12 } else { 1e-7 };
            for t in [t, -t] {
                let got = two_sided_t(t, df);
                assert!(
                    (got - want).abs() <= tol * want,
                    "t {t} df {df}: {got} vs {want}"
                );
            }
        }
        assert_eq!(two_sided_t(f64::INFINITY, 5.0), 0.0);
        assert!(two_sided_t(f64::NAN, 5.0).is_nan());
        assert!(two_sided_t(1.0, 0.0).is_nan());
        assert_eq!(two_sided_t(0.0, 5.0), 1.0);
    }

    #[test]
    fn permutation_counts_are_a_distribution_of_s() {
        for n in 2..=EXACT_MAX {
            let c = s_counts(n);
            let total: u64 = c.iter().sum();
            assert_eq!(total, (1..=n as u64).product::<u64>(), "n = {n}");
            // S is even, symmetric about its mean (n³ − n)/6, with one identity and one reversal
            assert!(c.iter().enumerate().all(|(s, &k)| s % 2 == 0 || k == 0));
            let max = c.len() - 1;
            assert!((0..=max).all(|s| c[s] == c[max - s]), "n = {n}");
            assert_eq!((c[0], c[max]), (1, 1));
            // adjacent transpositions: S = 2
            assert_eq!(c[2], n as u64 - 1);
        }
    }

    #[test]
    fn exact_spearman_p_values() {
        // x = 1..5, y = (2, 1, 3, 4, 5): rho = 0.9, S = 2; P(S ≤ 2) = (1 + 4)/120, two-sided 1/12
        assert!((spearman_two_sided(0.9, 5) - 1.0 / 12.0).abs() < 1e-15);
        // perfect agreement: P(S = 0) = 1/n!, doubled
        assert!((spearman_two_sided(1.0, 4) - 2.0 / 24.0).abs() < 1e-15);
        // perfect disagreement, by symmetry the same
        assert!((spearman_two_sided(-1.0, 4) - 2.0 / 24.0).abs() < 1e-15);
        // rho = 0 is not significant at all
        assert_eq!(spearman_two_sided(0.0, 7), 1.0);
    }

    /// The Edgeworth series against exact enumeration at n = 10 (10! permutations, counted in Python
    /// with integer arithmetic): AS 89's approximation is within 0.003 in every tail checked.
    #[test]
    fn edgeworth_series_is_close_to_the_exact_distribution_at_n_10() {
        // (S, exact P(S ≥ S_obs)) for n = 10: upper tails
        let exact_upper = [
            (250.0, 242_043.0 / 3_628_800.0),
            (230.0, 477_478.0 / 3_628_800.0),
            (200.0, 1_016_565.0 / 3_628_800.0),
            (170.0, 1_716_368.0 / 3_628_800.0),
        ];
        for (s, want) in exact_upper {
            let got = prho(10, s, false);
            assert!((got - want).abs() < 3e-3, "S {s}: {got} vs {want}");
        }
        // lower tail mirrors the upper one (S ↦ 330 − S)
        for (s, want) in exact_upper {
            let got = prho(10, 330.0 - s + 2.0, true);
            assert!((got - want).abs() < 3e-3, "lower S {s}: {got} vs {want}");
        }
    }

    /// The normal tails and AS 89's Edgeworth series against a 40-digit reference: the same formula
    /// evaluated in mpmath (`mp.dps = 40`, `ncdf`), which is what R's `prho` computes up to its
    /// `pnorm`'s last-ulp error.
    #[test]
    #[allow(clippy::excessive_precision)] // reference digits as mpmath printed them
    fn edgeworth_p_values_match_a_40_digit_reference() {
        let tails = [
            (-6.0, 9.865876450376981407e-10),
            (-2.2, 0.013903447513498604313),
            (1.1, 0.86433393905361734418),
            (4.4, 0.99999458745609229615),
        ];
        for (x, lower) in tails {
            let got = normal_tail(x, true);
            assert!(
                (got - lower).abs() <= 1e-14 * lower,
                "{x}: {got} vs {lower}"
            );
            let upper = normal_tail(-x, false);
            assert!(
                (upper - lower).abs() <= 1e-14 * lower,
                "{x}: {upper} vs {lower}"
            );
        }
        let cases = [
            (51, 12000.0, true, 0.00042250167686927739656),
            (51, 35000.0, false, 5.1968093306800105978e-6),
            (20, 300.0, true, 0.000042916784498967239738),
            (20, 2400.0, false, 0.000010896104504143529255),
            (1000, 1.2e8, true, 1.1725821345606103761e-19),
        ];
        for (n, s, lower, want) in cases {
            let got = prho(n, s, lower);
            assert!(
                (got - want).abs() <= 1e-12 * want,
                "n {n} S {s}: {got} vs {want}"
            );
        }
        // a series below 0 is clamped, as R does
        assert_eq!(prho(51, 5000.0, true), 0.0);
    }

    #[test]
    fn ties_are_detected_in_either_variable() {
        assert!(!has_ties(&[(1.0, 2.0), (2.0, 1.0), (3.0, 3.0)]));
        assert!(has_ties(&[(1.0, 2.0), (1.0, 1.0), (3.0, 3.0)]));
        assert!(has_ties(&[(1.0, 2.0), (2.0, 2.0), (3.0, 3.0)]));
    }
}
