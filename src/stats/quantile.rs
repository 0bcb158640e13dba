//! R's default sample quantile (`quantile(type = 7)`), computed the way R's `quantile.default`
//! computes it, so that interpolated quantiles agree with R's to the last bit.
//!
//! With `n` sorted values `x₁ ≤ … ≤ xₙ` and probability `q`: `index = 1 + (n − 1)·q`,
//! `lo = ⌊index⌋`, `hi = ⌈index⌉`, `h = index − lo`; the quantile is `x_lo` when `h = 0` or
//! `x_hi = x_lo`, else `(1 − h)·x_lo + h·x_hi`. (The algebraically equal `x_lo + h·(x_hi − x_lo)` on
//! `h = (n − 1)·q − ⌊(n − 1)·q⌋` can differ from R's in the last bit: 3.1 for R's 3.0999999999999996
//! as the 5 % quantile of 3 and 5.)

/// The 1-based order statistics `(lo, hi)` and the weight `h` of R's type-7 `q`-quantile of `n ≥ 1`
/// values (`q` in `[0, 1]`).
pub(crate) fn type7_position(n: u64, q: f64) -> (u64, u64, f64) {
    let index = 1.0 + n.saturating_sub(1) as f64 * q;
    let lo = index.floor();
    let hi = index.ceil();
    let cap = |v: f64| (v as u64).clamp(1, n.max(1));
    (cap(lo), cap(hi), index - lo)
}

/// R's type-7 combination of the order statistics `a = x_lo` and `b = x_hi` with weight `h`.
pub(crate) fn type7_combine(a: f64, b: f64, h: f64) -> f64 {
    if h > 0.0 && b != a {
        (1.0 - h) * a + h * b
    } else {
        a
    }
}

/// R's type-7 `q`-quantile of sorted, non-empty `x` (NaN when empty); `q` is clamped to `[0, 1]`.
pub(crate) fn quantile_type7(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let (lo, hi, h) = type7_position(n as u64, q.clamp(0.0, 1.0));
    let at = |k: u64| sorted.get(k as usize - 1).copied().unwrap_or(f64::NAN);
    type7_combine(at(lo), at(hi), h)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference values from R 4.x's `quantile.default` algorithm (type 7), evaluated by hand.
    #[test]
    fn type7_as_r_computes_it() {
        // quantile(1:10, c(0.05, 0.5, 0.95)) = 1.45 5.50 9.55
        let x: Vec<f64> = (1..=10).map(f64::from).collect();
        assert!((quantile_type7(&x, 0.05) - 1.45).abs() < 1e-12);
        assert_eq!(quantile_type7(&x, 0.5), 5.5);
        assert!((quantile_type7(&x, 0.95) - 9.55).abs() < 1e-12);
        assert_eq!(quantile_type7(&x, 0.0), 1.0);
        assert_eq!(quantile_type7(&x, 1.0), 10.0);
        assert_eq!(quantile_type7(&[3.0], 0.3), 3.0);
        assert!(quantile_type7(&[], 0.5).is_nan());
        // equal neighbours give the value itself, never a rounded mix
        assert_eq!(quantile_type7(&[0.1, 0.1, 0.1], 0.37), 0.1);
        // R: quantile(c(3, 5), 0.05) is 3.0999999999999996 (index = 1.05, h = 0.050000000000000044,
        // 0.95·3 + h·5), where 3 + 0.05·(5 − 3) would give 3.1
        assert_eq!(quantile_type7(&[3.0, 5.0], 0.05), 3.0999999999999996);
        assert_eq!(type7_position(2, 0.05), (1, 2, 0.050000000000000044));
        assert_eq!(type7_position(1, 0.5), (1, 1, 0.0));
    }
}
