//! Pairwise-complete Pearson and Spearman correlations, average ranks, and listwise-complete
//! correlation matrices.

use ndarray::{Array2, ArrayView1, ArrayView2, Axis};

use super::moments::sample_sd;

/// Pearson correlation over the pairs where both values are present. Returns `(r, pairs)`; `r` is NaN
/// when either variable is constant over those pairs (0/0, as R returns `NA`).
pub(crate) fn pearson_pairwise(x: ArrayView1<'_, f64>, y: ArrayView1<'_, f64>) -> (f64, usize) {
    let pairs: Vec<(f64, f64)> = x
        .iter()
        .zip(y.iter())
        .filter(|(a, b)| !a.is_nan() && !b.is_nan())
        .map(|(a, b)| (*a, *b))
        .collect();
    (pearson_slice(&pairs), pairs.len())
}

pub(crate) fn pearson_slice(pairs: &[(f64, f64)]) -> f64 {
    let n = pairs.len() as f64;
    if pairs.is_empty() {
        return f64::NAN;
    }
    let mx = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for &(a, b) in pairs {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx == 0.0 || syy == 0.0 {
        return f64::NAN;
    }
    (sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0)
}

/// Average ranks (1-based; ties get the mean of the ranks they span), as R's `rank()` default.
pub(crate) fn average_ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

/// Spearman correlation over pairwise-complete observations: Pearson correlation of the average ranks
/// computed on those pairs (R's `cor(method = "spearman", use = "pairwise.complete.obs")`).
pub(crate) fn spearman_pairwise(x: ArrayView1<'_, f64>, y: ArrayView1<'_, f64>) -> (f64, usize) {
    let (a, b): (Vec<f64>, Vec<f64>) = x
        .iter()
        .zip(y.iter())
        .filter(|(a, b)| !a.is_nan() && !b.is_nan())
        .map(|(a, b)| (*a, *b))
        .unzip();
    let ra = average_ranks(&a);
    let rb = average_ranks(&b);
    let pairs: Vec<(f64, f64)> = ra.into_iter().zip(rb).collect();
    (pearson_slice(&pairs), pairs.len())
}

/// The rows without any missing value (R's `na.omit`).
pub(crate) fn complete_rows(x: ArrayView2<'_, f64>) -> Array2<f64> {
    let rows: Vec<usize> = x
        .rows()
        .into_iter()
        .enumerate()
        .filter(|(_, r)| r.iter().all(|v| !v.is_nan()))
        .map(|(i, _)| i)
        .collect();
    x.select(Axis(0), &rows)
}

/// Correlation matrix of a complete matrix (no NaN). `Err(j)` names a constant column.
pub(crate) fn correlation_complete(x: ArrayView2<'_, f64>) -> Result<Array2<f64>, usize> {
    let m = x.ncols();
    let mut c = Array2::<f64>::eye(m);
    for j in 0..m {
        if sample_sd(x.column(j)).is_none_or(|s| s == 0.0) {
            return Err(j);
        }
    }
    for j in 0..m {
        for k in (j + 1)..m {
            let (r, _) = pearson_pairwise(x.column(j), x.column(k));
            c[[j, k]] = r;
            c[[k, j]] = r;
        }
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn ranks_and_spearman() {
        assert_eq!(
            average_ranks(&[10.0, 20.0, 10.0, 5.0]),
            vec![2.5, 4.0, 2.5, 1.0]
        );
        let x = array![1.0, 2.0, 3.0, f64::NAN];
        let y = array![1.0, 8.0, 27.0, 0.0];
        let (r, n) = spearman_pairwise(x.view(), y.view());
        assert_eq!(n, 3);
        assert!((r - 1.0).abs() < 1e-12);
    }
}
