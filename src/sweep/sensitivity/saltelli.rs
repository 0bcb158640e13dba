//! Saltelli sampling with named input groups: first-order (Saltelli 2010) and total-order (Jansen)
//! Sobol indices of any model, and their bootstrap intervals.

use ndarray::{Array2, ArrayView2};
use rand_distr::{Distribution, Uniform};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Expected, Result};
use crate::sweep::config::Control;
use crate::sweep::sampler::{rng_for, unit};

/// Sobol indices of every target (rows) for every input group (columns).
///
/// With `N` base rows, `A`, `B` (N × D uniforms) and `A_B⁽ⁱ⁾` (`A` with group `i`'s columns from `B`):
/// `V = ` population variance of the `2N` outputs `f(A)`, `f(B)`;
/// first order `Sᵢ = mean_j (f(B)_j − f̄) (f(A_B⁽ⁱ⁾)_j − f(A)_j) / V` (Saltelli et al. 2010, with
/// `f(B)` centred at the mean `f̄` of the `2N` outputs: the centring shifts the expectation by a term
/// of order `1/N` only, and removes the estimator's noise growing with the output's mean, which is
/// large for index scores);
/// total order `STᵢ = mean_j (f(A)_j − f(A_B⁽ⁱ⁾)_j)² / (2V)` (Jansen 1999).
/// COINr's `SA_estimate` uses the uncentred first-order form `mean(f(B)(f(A_B) − f(A)))` and the
/// sample variance of the `2N` outputs (divisor `2N − 1`). Both pairs of estimators converge to the
/// same indices as `N` grows, but they are not equal on a sample: on the same sample our total order
/// is COINr's times `2N/(2N − 1)` exactly, and the centred first order differs from the uncentred one
/// by a term of order `1/N` while varying less between samples (half the spread in a toy model). At
/// small `N` (tens of rows) the two can differ visibly. COINr's sample matrices come from R's
/// generator, so no run reproduces another's draws anyway.
/// A target that is missing (NaN) in any run gets NaN indices; a target with zero variance gets NaN.
/// Estimates are random: negative first-order values near zero are sampling noise.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SobolIndices {
    /// Input-group names (columns).
    pub groups: Vec<String>,
    /// Target names (rows).
    pub targets: Vec<String>,
    /// First-order indices, targets × groups.
    #[serde(with = "crate::serde_nan::array2")]
    pub first: Array2<f64>,
    /// Total-order indices, targets × groups.
    #[serde(with = "crate::serde_nan::array2")]
    pub total: Array2<f64>,
    /// Output variance per target.
    #[serde(with = "crate::serde_nan::vec")]
    pub variance: Vec<f64>,
    /// Base sample size `N`.
    pub n: usize,
    /// Model runs, `N·(d + 2)`.
    pub runs: usize,
    /// Bootstrap confidence intervals, when asked for ([`saltelli_bootstrap`],
    /// [`BatchModel::sobol_bootstrap`](crate::sweep::BatchModel::sobol_bootstrap)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intervals: Option<SobolIntervals>,
}

/// Bootstrap settings for Sobol confidence intervals, in the style of COINr's `SA_estimate(Nboot)`.
///
/// Replicate `b` resamples the `N` base rows with replacement (indices drawn uniformly by a
/// generator seeded by `(seed, b)`) and recomputes both estimators on the resampled rows, with the
/// output variance `V` and mean `f̄` kept at their full-sample values (as COINr keeps `varY`). The
/// interval is the `(1 − level)/2` and `(1 + level)/2` quantiles of the replicate estimates, R's
/// default quantile (type 7, linear interpolation between order statistics). COINr resamples the
/// first- and total-order terms with separate draws; here one draw serves both.
///
/// Cost: `replicates · N · d` additions per bootstrapped target, and `16 · N · d` bytes per
/// bootstrapped target to hold the per-row terms; restrict [`Bootstrap::targets`] for large models.
///
/// ```
/// use composite_indicators::sweep::Bootstrap;
/// let b = Bootstrap::new(500).with_level(0.95).with_targets(["mean_abs_rank_shift"]);
/// assert_eq!(b.replicates, 500);
/// assert_eq!(b.targets, Some(vec!["mean_abs_rank_shift".to_string()]));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Bootstrap {
    /// Number of bootstrap replicates (at least 2).
    pub replicates: usize,
    /// Coverage of the interval, in `(0, 1)`; 0.9 gives COINr's 5 % and 95 % quantiles.
    pub level: f64,
    /// Seed of the resampling (independent of the sample's seed).
    pub seed: u64,
    /// Targets to bootstrap by name; `None` for every target.
    #[serde(default)]
    pub targets: Option<Vec<String>>,
}

impl Bootstrap {
    /// `replicates` replicates, level 0.9, seed 0, every target.
    pub fn new(replicates: usize) -> Self {
        Bootstrap {
            replicates,
            level: 0.9,
            seed: 0,
            targets: None,
        }
    }

    /// Set the coverage level.
    pub fn with_level(mut self, level: f64) -> Self {
        self.level = level;
        self
    }

    /// Set the resampling seed.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Bootstrap only these targets.
    pub fn with_targets<I, S>(mut self, targets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.targets = Some(targets.into_iter().map(Into::into).collect());
        self
    }
}

/// Bootstrap confidence intervals of Sobol indices (targets × groups, NaN for targets that were not
/// bootstrapped or whose indices are NaN). See [`Bootstrap`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SobolIntervals {
    /// Coverage level.
    pub level: f64,
    /// Replicates drawn.
    pub replicates: usize,
    /// Lower bound of the first-order indices.
    #[serde(with = "crate::serde_nan::array2")]
    pub first_lo: Array2<f64>,
    /// Upper bound of the first-order indices.
    #[serde(with = "crate::serde_nan::array2")]
    pub first_hi: Array2<f64>,
    /// Lower bound of the total-order indices.
    #[serde(with = "crate::serde_nan::array2")]
    pub total_lo: Array2<f64>,
    /// Upper bound of the total-order indices.
    #[serde(with = "crate::serde_nan::array2")]
    pub total_hi: Array2<f64>,
}

/// Every field; an undefined index (NaN: a target without variance) equals an undefined one, so a
/// rerun with the same seed equals the first run.
impl PartialEq for SobolIndices {
    fn eq(&self, other: &Self) -> bool {
        use crate::nan_eq::NanEq;
        // every field, named, so a new one cannot be left out
        let SobolIndices {
            groups,
            targets,
            first,
            total,
            variance,
            n,
            runs,
            intervals,
        } = self;
        *groups == other.groups
            && *targets == other.targets
            && first.nan_eq(&other.first)
            && total.nan_eq(&other.total)
            && variance.nan_eq(&other.variance)
            && *n == other.n
            && *runs == other.runs
            && *intervals == other.intervals
    }
}

/// Every field; an undefined bound (NaN) equals an undefined one.
impl PartialEq for SobolIntervals {
    fn eq(&self, other: &Self) -> bool {
        use crate::nan_eq::NanEq;
        let SobolIntervals {
            level,
            replicates,
            first_lo,
            first_hi,
            total_lo,
            total_hi,
        } = self;
        level.nan_eq(&other.level)
            && *replicates == other.replicates
            && first_lo.nan_eq(&other.first_lo)
            && first_hi.nan_eq(&other.first_hi)
            && total_lo.nan_eq(&other.total_lo)
            && total_hi.nan_eq(&other.total_hi)
    }
}

impl SobolIndices {
    /// Index of a target by name.
    pub fn target(&self, name: &str) -> Option<usize> {
        self.targets.iter().position(|t| t == name)
    }
}

#[derive(Clone)]
struct SobolAcc {
    n: f64,
    mean: Vec<f64>,
    m2: Vec<f64>,
    first: Vec<f64>,
    total: Vec<f64>,
    diff: Vec<f64>,
}

impl SobolAcc {
    fn new(t: usize, d: usize) -> Self {
        SobolAcc {
            n: 0.0,
            mean: vec![0.0; t],
            m2: vec![0.0; t],
            first: vec![0.0; t * d],
            total: vec![0.0; t * d],
            diff: vec![0.0; t * d],
        }
    }
    /// Chan et al. pairwise merge of (count, mean, M2); sums add.
    fn merge(&mut self, o: &SobolAcc) {
        let n = self.n + o.n;
        if n == 0.0 {
            return;
        }
        for t in 0..self.mean.len() {
            let delta = o.mean[t] - self.mean[t];
            self.mean[t] += delta * o.n / n;
            self.m2[t] += o.m2[t] + delta * delta * self.n * o.n / n;
        }
        self.n = n;
        self.first
            .iter_mut()
            .zip(&o.first)
            .for_each(|(a, b)| *a += b);
        self.total
            .iter_mut()
            .zip(&o.total)
            .for_each(|(a, b)| *a += b);
        self.diff.iter_mut().zip(&o.diff).for_each(|(a, b)| *a += b);
    }
}

/// Generic Saltelli estimator. `dims[i]` is the number of U(0,1) inputs of group `i`; `eval` maps a
/// runs × D matrix of inputs (groups' columns in order) to runs × targets outputs. Row `j` of `A` and
/// `B` is drawn from a generator seeded by `(seed, j)`, rows are processed in parallel chunks of
/// `chunk_size` and merged in order, so results do not depend on the thread count.
///
/// ```
/// use composite_indicators::sweep::{saltelli, Control};
/// // y = x0 + 2 x1: S = (1/5, 4/5)
/// let s = saltelli(&["x0".into(), "x1".into()], &[1, 1], &["y".into()], 4096, 1, 512,
///     &Control::default(), |u| Ok(u.map_axis(ndarray::Axis(1), |r| r[0] + 2.0 * r[1]).insert_axis(ndarray::Axis(1))))
///     .unwrap();
/// assert!((s.first[[0, 1]] - 0.8).abs() < 0.05);
/// assert!((s.total[[0, 0]] - 0.2).abs() < 0.05);
/// ```
#[allow(clippy::too_many_arguments)]
pub fn saltelli<F>(
    groups: &[String],
    dims: &[usize],
    targets: &[String],
    n: usize,
    seed: u64,
    chunk_size: usize,
    ctl: &Control<'_>,
    eval: F,
) -> Result<SobolIndices>
where
    F: Fn(ArrayView2<'_, f64>) -> Result<Array2<f64>> + Sync,
{
    saltelli_impl(groups, dims, targets, n, seed, chunk_size, None, ctl, eval)
}

/// [`saltelli`] plus bootstrap confidence intervals ([`Bootstrap`]) in
/// [`SobolIndices::intervals`]; the point estimates are those of [`saltelli`] with the same
/// arguments.
///
/// Errors as [`saltelli`], [`Error::InvalidParameter`] for fewer than 2 replicates or a level
/// outside `(0, 1)`, and [`Error::UnknownName`] for an unknown target name.
///
/// ```
/// use composite_indicators::sweep::{saltelli_bootstrap, Bootstrap, Control};
/// // y = x0 + 2 x1: S = (1/5, 4/5)
/// let s = saltelli_bootstrap(&["x0".into(), "x1".into()], &[1, 1], &["y".into()], 2048, 1, 512,
///     &Bootstrap::new(200).with_seed(7), &Control::default(),
///     |u| Ok(u.map_axis(ndarray::Axis(1), |r| r[0] + 2.0 * r[1]).insert_axis(ndarray::Axis(1))))
///     .unwrap();
/// let ci = s.intervals.as_ref().unwrap();
/// assert!(ci.first_lo[[0, 1]] < 0.8 && 0.8 < ci.first_hi[[0, 1]]);
/// assert!(ci.total_lo[[0, 0]] <= s.total[[0, 0]] && s.total[[0, 0]] <= ci.total_hi[[0, 0]]);
/// ```
#[allow(clippy::too_many_arguments)]
pub fn saltelli_bootstrap<F>(
    groups: &[String],
    dims: &[usize],
    targets: &[String],
    n: usize,
    seed: u64,
    chunk_size: usize,
    boot: &Bootstrap,
    ctl: &Control<'_>,
    eval: F,
) -> Result<SobolIndices>
where
    F: Fn(ArrayView2<'_, f64>) -> Result<Array2<f64>> + Sync,
{
    saltelli_impl(
        groups,
        dims,
        targets,
        n,
        seed,
        chunk_size,
        Some(boot),
        ctl,
        eval,
    )
}

#[allow(clippy::too_many_arguments)]
pub(super) fn saltelli_impl<F>(
    groups: &[String],
    dims: &[usize],
    targets: &[String],
    n: usize,
    seed: u64,
    chunk_size: usize,
    boot: Option<&Bootstrap>,
    ctl: &Control<'_>,
    eval: F,
) -> Result<SobolIndices>
where
    F: Fn(ArrayView2<'_, f64>) -> Result<Array2<f64>> + Sync,
{
    if groups.len() != dims.len() {
        return Err(Error::ShapeMismatch {
            what: "group names".into(),
            expected: dims.len(),
            found: groups.len(),
        });
    }
    if dims.is_empty() {
        return Err(Error::invalid("groups", "", Expected::NonEmpty));
    }
    if let Some((g, &k)) = groups.iter().zip(dims).find(|(_, k)| **k == 0) {
        return Err(Error::invalid(
            format!("inputs of group `{g}`"),
            k,
            Expected::at_least(1.0),
        ));
    }
    if n < 2 {
        return Err(Error::invalid("n", n, Expected::at_least(2.0)));
    }
    if chunk_size == 0 {
        return Err(Error::invalid(
            "chunk_size",
            chunk_size,
            Expected::at_least(1.0),
        ));
    }
    let d = dims.len();
    let dd: usize = dims.iter().sum();
    let t = targets.len();
    // targets to bootstrap (positions into `targets`)
    let boot_targets: Vec<usize> = match boot {
        None => Vec::new(),
        Some(b) => {
            if b.replicates < 2 {
                return Err(Error::invalid(
                    "bootstrap replicates",
                    b.replicates,
                    Expected::at_least(2.0),
                ));
            }
            if !(b.level > 0.0 && b.level < 1.0) {
                return Err(Error::invalid(
                    "bootstrap level",
                    b.level,
                    Expected::open(0.0, 1.0),
                ));
            }
            match &b.targets {
                None => (0..t).collect(),
                Some(names) => names
                    .iter()
                    .map(|name| {
                        targets.iter().position(|x| x == name).ok_or_else(|| {
                            Error::unknown_name("target", name, targets.iter().cloned())
                        })
                    })
                    .collect::<Result<_>>()?,
            }
        }
    };
    let tb = boot_targets.len();
    let offs: Vec<usize> = dims
        .iter()
        .scan(0, |acc, &x| {
            let o = *acc;
            *acc += x;
            Some(o)
        })
        .collect();
    let done = std::sync::atomic::AtomicUsize::new(0);
    // one chunk of base rows starting at `s`: its accumulator and the outputs kept for the bootstrap
    let chunk = |s: usize| -> Result<(SobolAcc, Vec<f64>)> {
        if ctl.cancelled() {
            return Err(Error::Cancelled);
        }
        let e = (s + chunk_size).min(n);
        let rows = e - s;
        let mut u = Array2::zeros((rows * (d + 2), dd));
        for j in 0..rows {
            let mut rng = rng_for(seed, (s + j) as u64);
            let a: Vec<f64> = (0..dd).map(|_| unit(&mut rng)).collect();
            let b: Vec<f64> = (0..dd).map(|_| unit(&mut rng)).collect();
            let base = j * (d + 2);
            for c in 0..dd {
                u[[base, c]] = a[c];
                u[[base + 1, c]] = b[c];
            }
            for i in 0..d {
                for c in 0..dd {
                    let from_b = c >= offs[i] && c < offs[i] + dims[i];
                    u[[base + 2 + i, c]] = if from_b { b[c] } else { a[c] };
                }
            }
        }
        let f = eval(u.view())?;
        if f.nrows() != u.nrows() || f.ncols() != t {
            return Err(Error::ShapeMismatch {
                what: "Sobol model outputs (runs x targets)".into(),
                expected: u.nrows() * t,
                found: f.len(),
            });
        }
        let mut acc = SobolAcc::new(t, d);
        acc.n = (2 * rows) as f64;
        for tt in 0..t {
            let mut sum = 0.0;
            for j in 0..rows {
                sum += f[[j * (d + 2), tt]] + f[[j * (d + 2) + 1, tt]];
            }
            let mean = sum / acc.n;
            let mut m2 = 0.0;
            for j in 0..rows {
                let fa = f[[j * (d + 2), tt]];
                let fb = f[[j * (d + 2) + 1, tt]];
                m2 += (fa - mean) * (fa - mean) + (fb - mean) * (fb - mean);
                for i in 0..d {
                    let fab = f[[j * (d + 2) + 2 + i, tt]];
                    acc.first[tt * d + i] += fb * (fab - fa);
                    acc.total[tt * d + i] += (fa - fab) * (fa - fab);
                    acc.diff[tt * d + i] += fab - fa;
                }
            }
            acc.mean[tt] = mean;
            acc.m2[tt] = m2;
        }
        // outputs kept for the bootstrap, per row: f(A), f(B), f(A_B⁽ⁱ⁾) of each target
        let mut kept = Vec::with_capacity(rows * (d + 2) * tb);
        for j in 0..rows {
            for r in 0..d + 2 {
                kept.extend(boot_targets.iter().map(|&tt| f[[j * (d + 2) + r, tt]]));
            }
        }
        let dn = done.fetch_add(rows, std::sync::atomic::Ordering::Relaxed) + rows;
        if let Some(p) = ctl.progress() {
            p(dn, n);
        }
        Ok((acc, kept))
    };
    // Chunks run in parallel batches of four per worker thread and are merged in chunk order as
    // each batch ends: the same merge order as one pass over all chunks (so the same bits for any
    // thread count and batch size), with memory for one batch of accumulators instead of one per
    // chunk (a trillion base rows are a billion chunks).
    let n_chunks = n.div_ceil(chunk_size);
    let batch = 4 * rayon::current_num_threads().max(1);
    let mut acc = SobolAcc::new(t, d);
    let mut kept_all: Vec<f64> = Vec::new();
    for b0 in (0..n_chunks).step_by(batch) {
        let b1 = (b0 + batch).min(n_chunks);
        let parts: Vec<(SobolAcc, Vec<f64>)> = (b0..b1)
            .into_par_iter()
            .map(|k| chunk(k * chunk_size))
            .collect::<Result<Vec<_>>>()?;
        for (p, kept) in parts {
            acc.merge(&p);
            if tb > 0 {
                kept_all.extend_from_slice(&kept);
            }
        }
    }
    let nf = n as f64;
    let mut first = Array2::from_elem((t, d), f64::NAN);
    let mut total = Array2::from_elem((t, d), f64::NAN);
    let variance: Vec<f64> = acc.m2.iter().map(|m| m / acc.n).collect();
    for tt in 0..t {
        let v = variance[tt];
        if v > 0.0 {
            for i in 0..d {
                let centred = acc.first[tt * d + i] - acc.mean[tt] * acc.diff[tt * d + i];
                first[[tt, i]] = centred / nf / v;
                total[[tt, i]] = acc.total[tt * d + i] / nf / (2.0 * v);
            }
        }
    }
    let intervals = match boot {
        None => None,
        Some(b) => {
            let kept = kept_all;
            let means: Vec<f64> = boot_targets.iter().map(|&tt| acc.mean[tt]).collect();
            let vars: Vec<f64> = boot_targets.iter().map(|&tt| variance[tt]).collect();
            Some(bootstrap_intervals(
                b,
                &kept,
                (n, d, t),
                &boot_targets,
                &means,
                &vars,
            )?)
        }
    };
    Ok(SobolIndices {
        groups: groups.to_vec(),
        targets: targets.to_vec(),
        first,
        total,
        variance,
        n,
        runs: n * (d + 2),
        intervals,
    })
}

/// Bootstrap the estimators over the base rows. `kept` holds, per row, `f(A)`, `f(B)` and each
/// `f(A_B⁽ⁱ⁾)` of the bootstrapped targets (`boot_targets`, with full-sample means and variances).
fn bootstrap_intervals(
    b: &Bootstrap,
    kept: &[f64],
    (n, d, t): (usize, usize, usize),
    boot_targets: &[usize],
    means: &[f64],
    vars: &[f64],
) -> Result<SobolIntervals> {
    let tb = boot_targets.len();
    let w = tb * d;
    // per-row terms: first order (f(B) − f̄)(f(A_B) − f(A)), total order (f(A) − f(A_B))²
    let mut terms = vec![0.0; n * 2 * w];
    for (row, out) in kept
        .chunks_exact((d + 2) * tb)
        .zip(terms.chunks_exact_mut(2 * w))
    {
        let (fa, rest) = row.split_at(tb);
        let (fb, fab) = rest.split_at(tb);
        for k in 0..tb {
            for i in 0..d {
                let x = fab[i * tb + k];
                out[k * d + i] = (fb[k] - means[k]) * (x - fa[k]);
                out[w + k * d + i] = (fa[k] - x) * (fa[k] - x);
            }
        }
    }
    let draw = Uniform::new(0, n).map_err(|_| Error::invalid("n", n, Expected::at_least(2.0)))?;
    let nf = n as f64;
    // one replicate: resampled sums turned into estimates (first, then total), target-major
    let reps: Vec<Vec<f64>> = (0..b.replicates)
        .into_par_iter()
        .map(|r| {
            let mut rng = rng_for(b.seed ^ BOOT_SALT, r as u64);
            let mut sum = vec![0.0; 2 * w];
            for _ in 0..n {
                let j = draw.sample(&mut rng);
                for (s, &x) in sum.iter_mut().zip(&terms[j * 2 * w..(j + 1) * 2 * w]) {
                    *s += x;
                }
            }
            for k in 0..tb {
                for i in 0..d {
                    sum[k * d + i] /= nf * vars[k];
                    sum[w + k * d + i] /= 2.0 * nf * vars[k];
                }
            }
            sum
        })
        .collect();
    let (qlo, qhi) = ((1.0 - b.level) / 2.0, (1.0 + b.level) / 2.0);
    let mut bounds = [
        Array2::from_elem((t, d), f64::NAN),
        Array2::from_elem((t, d), f64::NAN),
        Array2::from_elem((t, d), f64::NAN),
        Array2::from_elem((t, d), f64::NAN),
    ];
    let mut col = Vec::with_capacity(b.replicates);
    for (k, &tt) in boot_targets.iter().enumerate() {
        if vars[k].is_nan() || vars[k] <= 0.0 {
            continue;
        }
        for i in 0..d {
            for (which, off) in [(0, 0), (2, w)] {
                col.clear();
                col.extend(reps.iter().map(|r| r[off + k * d + i]));
                if col.iter().any(|x| x.is_nan()) {
                    continue;
                }
                col.sort_by(f64::total_cmp);
                bounds[which][[tt, i]] = crate::stats::quantile::quantile_type7(&col, qlo);
                bounds[which + 1][[tt, i]] = crate::stats::quantile::quantile_type7(&col, qhi);
            }
        }
    }
    let [first_lo, first_hi, total_lo, total_hi] = bounds;
    Ok(SobolIntervals {
        level: b.level,
        replicates: b.replicates,
        first_lo,
        first_hi,
        total_lo,
        total_hi,
    })
}

/// Mixed into the bootstrap seed so that resampling streams differ from the sample's rows when both
/// seeds are equal.
const BOOT_SALT: u64 = 0xB007_5A3B_1E5E_ED00;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bootstrap_replicates_are_the_estimators_on_resampled_rows() {
        // recompute two replicates by hand from the same resampling streams
        let names = ["x0".to_string(), "x1".to_string()];
        let (n, seed) = (64, 5);
        let f = lin(&[1.0, 3.0]);
        let boot = Bootstrap::new(2).with_level(0.5).with_seed(11);
        let s = saltelli_bootstrap(
            &names,
            &[1, 1],
            &["y".into()],
            n,
            seed,
            16,
            &boot,
            &Control::default(),
            &f,
        )
        .unwrap();
        let plain = saltelli(
            &names,
            &[1, 1],
            &["y".into()],
            n,
            seed,
            16,
            &Control::default(),
            &f,
        )
        .unwrap();
        assert_eq!(s.first, plain.first);
        assert_eq!(s.total, plain.total);
        // the sample's outputs, row by row (A, B, A_B0, A_B1), as `saltelli` builds them
        let mut ya = vec![0.0; n];
        let mut yb = vec![0.0; n];
        let mut yab = vec![[0.0; 2]; n];
        for j in 0..n {
            let mut rng = rng_for(seed, j as u64);
            let a = [unit(&mut rng), unit(&mut rng)];
            let b = [unit(&mut rng), unit(&mut rng)];
            ya[j] = a[0] + 3.0 * a[1];
            yb[j] = b[0] + 3.0 * b[1];
            yab[j] = [b[0] + 3.0 * a[1], a[0] + 3.0 * b[1]];
        }
        let all: Vec<f64> = ya.iter().chain(&yb).copied().collect();
        let mean = all.iter().sum::<f64>() / all.len() as f64;
        let var = all.iter().map(|y| (y - mean) * (y - mean)).sum::<f64>() / all.len() as f64;
        assert!((var - s.variance[0]).abs() < 1e-12);
        let draw = Uniform::new(0, n).unwrap();
        let mut reps = [[0.0; 4]; 2];
        for (r, rep) in reps.iter_mut().enumerate() {
            let mut rng = rng_for(11 ^ BOOT_SALT, r as u64);
            let mut sum = [0.0; 4];
            for _ in 0..n {
                let j = draw.sample(&mut rng);
                for i in 0..2 {
                    sum[i] += (yb[j] - mean) * (yab[j][i] - ya[j]);
                    sum[2 + i] += (ya[j] - yab[j][i]) * (ya[j] - yab[j][i]);
                }
            }
            for i in 0..2 {
                rep[i] = sum[i] / n as f64 / var;
                rep[2 + i] = sum[2 + i] / n as f64 / (2.0 * var);
            }
        }
        let ci = s.intervals.as_ref().unwrap();
        // two replicates, level 0.5: bounds at q = 0.25 and 0.75 of the pair
        for i in 0..2 {
            for (k, (lo, hi)) in [(&ci.first_lo, &ci.first_hi), (&ci.total_lo, &ci.total_hi)]
                .into_iter()
                .enumerate()
            {
                let (x, y) = (reps[0][2 * k + i], reps[1][2 * k + i]);
                let (a, b) = (x.min(y), x.max(y));
                assert!((lo[[0, i]] - (a + 0.25 * (b - a))).abs() < 1e-12);
                assert!((hi[[0, i]] - (a + 0.75 * (b - a))).abs() < 1e-12);
            }
        }
    }

    fn lin(a: &'static [f64]) -> impl Fn(ArrayView2<'_, f64>) -> Result<Array2<f64>> + Sync {
        move |u| {
            let mut out = Array2::zeros((u.nrows(), 1));
            for (i, row) in u.rows().into_iter().enumerate() {
                out[[i, 0]] = row.iter().zip(a).map(|(x, c)| x * c).sum();
            }
            Ok(out)
        }
    }

    #[test]
    fn linear_function_analytic_indices() {
        // y = x0 + 2 x1 + 3 x2, S_i = a_i^2 / 14 and ST_i = S_i (additive)
        let g: Vec<String> = ["x0", "x1", "x2"].iter().map(|s| s.to_string()).collect();
        let s = saltelli(
            &g,
            &[1, 1, 1],
            &["y".into()],
            8192,
            11,
            1000,
            &Control::default(),
            lin(&[1.0, 2.0, 3.0]),
        )
        .unwrap();
        for (i, a) in [1.0, 2.0, 3.0].iter().enumerate() {
            let exact = a * a / 14.0;
            assert!(
                (s.first[[0, i]] - exact).abs() < 0.03,
                "S{i} {}",
                s.first[[0, i]]
            );
            assert!(
                (s.total[[0, i]] - exact).abs() < 0.03,
                "ST{i} {}",
                s.total[[0, i]]
            );
        }
        // variance of y = 14 / 12
        assert!((s.variance[0] - 14.0 / 12.0).abs() < 0.05);
    }

    #[test]
    fn grouped_inputs() {
        // groups {x0, x1} and {x2}: V = (1 + 1 + 4)/12 -> S = (1/3, 2/3)
        let g: Vec<String> = vec!["g0".into(), "g1".into()];
        let s = saltelli(
            &g,
            &[2, 1],
            &["y".into()],
            8192,
            5,
            777,
            &Control::default(),
            lin(&[1.0, 1.0, 2.0]),
        )
        .unwrap();
        assert!((s.first[[0, 0]] - 1.0 / 3.0).abs() < 0.03);
        assert!((s.total[[0, 1]] - 2.0 / 3.0).abs() < 0.03);
        assert_eq!(s.runs, 8192 * 4);
    }

    #[test]
    fn ishigami() {
        use std::f64::consts::PI;
        let g: Vec<String> = vec!["x1".into(), "x2".into(), "x3".into()];
        let f = |u: ArrayView2<'_, f64>| -> Result<Array2<f64>> {
            let mut out = Array2::zeros((u.nrows(), 1));
            for (i, r) in u.rows().into_iter().enumerate() {
                let x: Vec<f64> = r.iter().map(|v| -PI + 2.0 * PI * v).collect();
                out[[i, 0]] =
                    x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin();
            }
            Ok(out)
        };
        let s = saltelli(
            &g,
            &[1, 1, 1],
            &["y".into()],
            16384,
            3,
            4096,
            &Control::default(),
            f,
        )
        .unwrap();
        let s1 = [0.3139, 0.4424, 0.0];
        let st = [0.5576, 0.4424, 0.2437];
        for i in 0..3 {
            assert!(
                (s.first[[0, i]] - s1[i]).abs() < 0.05,
                "S{i} {}",
                s.first[[0, i]]
            );
            assert!(
                (s.total[[0, i]] - st[i]).abs() < 0.05,
                "ST{i} {}",
                s.total[[0, i]]
            );
        }
    }

    #[test]
    fn chunking_does_not_change_sums_much() {
        let g: Vec<String> = vec!["a".into(), "b".into()];
        let s1 = saltelli(
            &g,
            &[1, 1],
            &["y".into()],
            1000,
            2,
            1000,
            &Control::default(),
            lin(&[1.0, 1.0]),
        )
        .unwrap();
        let s2 = saltelli(
            &g,
            &[1, 1],
            &["y".into()],
            1000,
            2,
            64,
            &Control::default(),
            lin(&[1.0, 1.0]),
        )
        .unwrap();
        assert!((s1.first[[0, 0]] - s2.first[[0, 0]]).abs() < 1e-12);
    }
}
