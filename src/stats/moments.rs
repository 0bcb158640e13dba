//! Moments and order statistics of plain slices: means, sample variances and standard deviations,
//! medians. Each keeps one summation order, so every caller gets the same bits.

use ndarray::ArrayView1;

use crate::aggregate::builtin::neumaier_sum;

/// Plain mean `Σx / n` in slice order (NaN for an empty slice).
pub(crate) fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// R's `mean`: the mean, then one correction pass (plus the mean of the residuals), so a constant
/// slice has exactly its value as mean (NaN for an empty slice). R accumulates both passes in 80-bit
/// long double; here both are compensated (Neumaier) sums, which carry at least as many bits, so the
/// result is R's but for a rare last-bit difference (a plain `f64` sum was up to ~10 ulps off on
/// ASEM's wide columns).
pub(crate) fn mean_corrected(v: &[f64]) -> f64 {
    let nf = v.len() as f64;
    let first = neumaier_sum(v.iter().copied()) / nf;
    first + neumaier_sum(v.iter().map(|x| x - first)) / nf
}

/// Sample variance about `mean`, two-pass: `Σ(x − mean)² / (n − 1)` in slice order.
pub(crate) fn sample_variance(v: &[f64], mean: f64) -> f64 {
    v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (v.len() as f64 - 1.0)
}

/// Mean of the non-missing values, `None` when there are none.
pub(crate) fn mean_of(v: &[f64]) -> Option<f64> {
    if v.is_empty() { None } else { Some(mean(v)) }
}

/// Median (mean of the two middle values for an even count), `None` when empty.
pub(crate) fn median_of(v: &[f64]) -> Option<f64> {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let n = s.len();
    if n == 0 {
        return None;
    }
    if n % 2 == 1 {
        s.get(n / 2).copied()
    } else {
        Some((s.get(n / 2 - 1)? + s.get(n / 2)?) / 2.0)
    }
}

/// Sample standard deviation (n − 1) of the non-missing values; `None` with fewer than 2 values.
pub(crate) fn sample_sd(x: ArrayView1<'_, f64>) -> Option<f64> {
    let v: Vec<f64> = x.iter().copied().filter(|a| !a.is_nan()).collect();
    let n = v.len();
    if n < 2 {
        return None;
    }
    // Values beyond 2^500 (≈ 3e150) would overflow the squares (and a sum near ±1e308 the mean):
    // compute on v·2^-600 and scale the sd back, both exact (powers of two).
    let big = v.iter().any(|a| a.abs() > 2f64.powi(500));
    let scale = if big { 2f64.powi(600) } else { 1.0 };
    let mean = v.iter().map(|a| a / scale).sum::<f64>() / n as f64;
    let ss: f64 = v
        .iter()
        .map(|a| (a / scale - mean) * (a / scale - mean))
        .sum();
    Some((ss / (n as f64 - 1.0)).sqrt() * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_by_hand() {
        let v = [1.0, 2.0, 3.0, 6.0];
        assert_eq!(mean(&v), 3.0);
        assert_eq!(mean_corrected(&v), 3.0);
        assert_eq!(sample_variance(&v, 3.0), 14.0 / 3.0);
        assert_eq!(mean_of(&[]), None);
        assert_eq!(median_of(&v), Some(2.5));
        assert_eq!(median_of(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(
            sample_sd(ndarray::array![1.0, f64::NAN, 3.0].view()),
            Some(2f64.sqrt())
        );
        assert_eq!(sample_sd(ndarray::array![1.0].view()), None);
    }
}
