//! Helpers for the crate's benchmarks, examples and tests: synthetic frameworks and data, min-max
//! columns and the sweep's counting ranker and quantile rule.
//!
//! **Unstable:** this module is hidden from the documentation and not part of the public API; its
//! items may change or disappear in any release. Use [`crate::rank`] and
//! [`RankHistogram`](super::RankHistogram) instead of the ranking helpers.

use ndarray::Array2;

use super::BatchModel;
pub use super::engine::rank::rank_min_into;
pub use super::histogram::quantile_target;
use super::sampler::{rng_for, unit};
use crate::aggregate::{AggregatorKind, MissingPolicy};
use crate::error::{Error, Expected, Result};
use crate::spec::{Framework, FrameworkSpec, Indicator, Pillar};

/// A balanced synthetic framework and seeded raw data.
///
/// `indicators` indicators `x1..` are split evenly (in order, the first groups one larger when the
/// division leaves a remainder) over `subpillars` sub-pillars `S1..`, those over `pillars` pillars
/// `P1..`, under the root `Index`; every weight is 1 and every direction +1. The data are
/// `units × indicators` draws of `100 · U(0,1)` from generator `(seed, unit)`, no missing values.
///
/// Errors: [`Error::InvalidParameter`] unless `1 ≤ pillars ≤ subpillars ≤ indicators` and `units ≥ 1`.
///
/// ```
/// use composite_indicators::sweep::bench_support::synthetic;
/// let (fw, x) = synthetic(5, 7, 3, 2, 1).unwrap();
/// assert_eq!(fw.n_indicators(), 7);
/// assert_eq!(fw.nodes().len(), 7 + 3 + 2 + 1);
/// assert_eq!(x.dim(), (5, 7));
/// assert!(x.iter().all(|v| (0.0..100.0).contains(v)));
/// ```
pub fn synthetic(
    units: usize,
    indicators: usize,
    subpillars: usize,
    pillars: usize,
    seed: u64,
) -> Result<(Framework, Array2<f64>)> {
    if units == 0 {
        return Err(Error::invalid("units", units, Expected::at_least(1.0)));
    }
    if pillars == 0 {
        return Err(Error::invalid("pillars", pillars, Expected::at_least(1.0)));
    }
    if !(pillars <= subpillars && subpillars <= indicators) {
        return Err(Error::invalid(
            "subpillars",
            subpillars,
            Expected::Rule(format!(
                "need pillars ({pillars}) <= subpillars ({subpillars}) <= indicators ({indicators})"
            )),
        ));
    }
    let group = |i: usize, n: usize, g: usize| -> usize {
        // position i of n items split evenly into g groups
        let base = n / g;
        let extra = n % g;
        let cut = extra * (base + 1);
        if i < cut {
            i / (base + 1)
        } else {
            extra + (i - cut) / base.max(1)
        }
    };
    let inds = (0..indicators)
        .map(|i| {
            Indicator::new(
                format!("x{}", i + 1),
                format!("S{}", group(i, indicators, subpillars) + 1),
            )
        })
        .collect();
    let mut pills: Vec<Pillar> = (0..subpillars)
        .map(|s| {
            Pillar::new(format!("S{}", s + 1))
                .with_parent(format!("P{}", group(s, subpillars, pillars) + 1))
        })
        .collect();
    pills.extend((0..pillars).map(|p| Pillar::new(format!("P{}", p + 1)).with_parent("Index")));
    pills.push(Pillar::new("Index"));
    let fw = FrameworkSpec::new("synthetic", inds, pills).check()?;
    let mut x = Array2::zeros((units, indicators));
    for (u, mut row) in x.rows_mut().into_iter().enumerate() {
        let mut rng = rng_for(seed, u as u64);
        row.iter_mut().for_each(|v| *v = 100.0 * unit(&mut rng));
    }
    Ok((fw, x))
}

/// Min-max normalise every column to `[0, 100]` (`100 · (x − min)/(max − min)`); NaN stays NaN and a
/// constant column becomes 50 (no information to scale).
///
/// ```
/// use composite_indicators::sweep::bench_support::min_max_columns;
/// let x = min_max_columns(&ndarray::array![[1.0, 5.0], [3.0, 5.0], [f64::NAN, 5.0]]);
/// assert_eq!(x[[0, 0]], 0.0);
/// assert_eq!(x[[1, 0]], 100.0);
/// assert!(x[[2, 0]].is_nan());
/// assert_eq!(x[[0, 1]], 50.0);
/// ```
pub fn min_max_columns(x: &Array2<f64>) -> Array2<f64> {
    let mut out = x.clone();
    for mut col in out.columns_mut() {
        let lo = col
            .iter()
            .copied()
            .filter(|v| !v.is_nan())
            .fold(f64::INFINITY, f64::min);
        let hi = col
            .iter()
            .copied()
            .filter(|v| !v.is_nan())
            .fold(f64::NEG_INFINITY, f64::max);
        col.mapv_inplace(|v| {
            if v.is_nan() {
                v
            } else if hi > lo {
                100.0 * (v - lo) / (hi - lo)
            } else {
                50.0
            }
        });
    }
    out
}

/// The synthetic sweep model of the benchmarks and tests: [`synthetic`] data, min-max columns
/// ([`min_max_columns`]), arithmetic means at every aggregate, the default missing policy, no bonus
/// term and one alternative.
///
/// Errors: those of [`synthetic`] and [`BatchModel::new`].
///
/// ```
/// use composite_indicators::sweep::bench_support::arithmetic_model;
/// let m = arithmetic_model(6, 9, 3, 2, 1).unwrap();
/// assert_eq!(m.n_units(), 6);
/// ```
pub fn arithmetic_model(
    units: usize,
    indicators: usize,
    subpillars: usize,
    pillars: usize,
    seed: u64,
) -> Result<BatchModel> {
    let (fw, raw) = synthetic(units, indicators, subpillars, pillars, seed)?;
    let n_agg = fw.nodes().len() - fw.n_indicators();
    BatchModel::new(
        fw,
        vec![AggregatorKind::Arithmetic; n_agg],
        MissingPolicy::default(),
        None,
        vec![min_max_columns(&raw)],
    )
}
