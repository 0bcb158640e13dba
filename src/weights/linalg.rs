//! Small numerical helpers shared by data-driven weights and the audit: pairwise-complete statistics,
//! listwise-complete correlation matrices and a symmetric eigen-decomposition (cyclic Jacobi).

use ndarray::{Array2, ArrayView1, ArrayView2, Axis};

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

/// Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations. Returns eigenvalues in
/// decreasing order and the matching unit eigenvectors as columns.
pub(crate) fn sym_eigen(a: &Array2<f64>) -> (Vec<f64>, Array2<f64>) {
    let n = a.nrows();
    let mut a = a.clone();
    let mut v = Array2::<f64>::eye(n);
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[[i, j]] * a[[i, j]])
            .sum();
        let total: f64 = a.iter().map(|x| x * x).sum();
        if off <= 1e-30 * total.max(f64::MIN_POSITIVE) {
            break;
        }
        for p in 0..n {
            for q in (p + 1)..n {
                let apq = a[[p, q]];
                if apq.abs() < 1e-300 {
                    continue;
                }
                let theta = (a[[q, q]] - a[[p, p]]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let akp = a[[k, p]];
                    let akq = a[[k, q]];
                    a[[k, p]] = c * akp - s * akq;
                    a[[k, q]] = s * akp + c * akq;
                }
                for k in 0..n {
                    let apk = a[[p, k]];
                    let aqk = a[[q, k]];
                    a[[p, k]] = c * apk - s * aqk;
                    a[[q, k]] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let vkp = v[[k, p]];
                    let vkq = v[[k, q]];
                    v[[k, p]] = c * vkp - s * vkq;
                    v[[k, q]] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| a[[j, j]].total_cmp(&a[[i, i]]));
    let vals = order.iter().map(|&i| a[[i, i]]).collect();
    let vecs = v.select(Axis(1), &order);
    (vals, vecs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn eigen_of_2x2() {
        // [[2, 1], [1, 2]]: eigenvalues 3 and 1, eigenvectors (1, 1)/√2 and (1, −1)/√2
        let (l, v) = sym_eigen(&array![[2.0, 1.0], [1.0, 2.0]]);
        assert!((l[0] - 3.0).abs() < 1e-12 && (l[1] - 1.0).abs() < 1e-12);
        assert!((v[[0, 0]].abs() - 0.5f64.sqrt()).abs() < 1e-12);
        assert!((v[[0, 0]] - v[[1, 0]]).abs() < 1e-12);
    }

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
