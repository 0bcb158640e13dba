//! Tiering: split units into tiers and tag their strongest and weakest pillars.
//!
//! [`assign_tiers`] splits a score vector into `k` tiers (tier 1 = best = highest scores) with one of
//! three [`TierMethod`]s: Fisher–Jenks natural breaks, equal-count quantile groups, or fixed cut points.
//! Missing scores (NaN) are never dropped silently: their units get no tier and are listed in
//! [`Tiering::unranked`].
//!
//! [`pillar_tags`] labels every unit by the pillar where it stands furthest above (strongest) and
//! furthest below (weakest) the other units, on a z-score scale.
//!
//! ```
//! use composite_indicators::study::tiers::{assign_tiers, TierMethod};
//! let t = assign_tiers(&[1.0, 2.0, 3.0, 10.0, 11.0, 12.0, 20.0, 21.0], &TierMethod::Jenks { k: 3 })?;
//! assert_eq!(t.tier, vec![Some(3), Some(3), Some(3), Some(2), Some(2), Some(2), Some(1), Some(1)]);
//! assert_eq!(t.breaks, vec![20.0, 10.0]);
//! # Ok::<(), composite_indicators::Error>(())
//! ```

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use std::ops::Bound;

use crate::error::{Error, Expected, Result};

/// How [`assign_tiers`] splits the scores.
///
/// ```
/// use composite_indicators::study::tiers::TierMethod;
/// let m = TierMethod::Thresholds(vec![40.0, 25.0]); // three tiers: >= 40, [25, 40), < 25
/// assert_eq!(m.n_tiers(), 3);
/// assert_eq!(TierMethod::Quantiles { k: 4 }.n_tiers(), 4);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TierMethod {
    /// Fisher–Jenks natural breaks into `k` classes: the exact dynamic-programming optimum of the
    /// within-class sum of squared deviations from the class means,
    /// `Σ_classes Σ_{i ∈ class} (x_i − mean_class)²`.
    ///
    /// Classes are contiguous in sorted order (every unit of tier `t` scores strictly higher than
    /// every unit of tier `t + 1`). Equal scores always fall in the same class: the optimisation runs
    /// over the distinct score values, each weighted by its count, so `k` may not exceed the number
    /// of distinct non-missing scores ([`Error::InsufficientData`] otherwise). When several
    /// partitions reach exactly the same minimum, the one whose higher classes start at the lowest
    /// sorted position is kept (the dynamic programme scans split points from low to high and
    /// replaces a candidate only on a strictly smaller sum). Cost: `O(k · d²)` for `d` distinct
    /// values.
    Jenks {
        /// Number of tiers (≥ 1).
        k: usize,
    },
    /// `k` equal-count groups by rank. The `n` ranked units sorted from best to worst fill
    /// positions `0..n`, cut into `k` consecutive groups of `⌈n / k⌉` (the first `n mod k` groups)
    /// and `⌊n / k⌋` units (the rest): n = 10, k = 3 gives 4, 3, 3. A unit goes to the group of
    /// position `r` = the number of units scoring strictly higher, so tied units share the tier of
    /// the best position of their tie; ties can make a group larger and a later group smaller or
    /// even empty (empty tiers are reported with size 0). `k` may not exceed the number of ranked
    /// units.
    Quantiles {
        /// Number of tiers (≥ 1).
        k: usize,
    },
    /// Fixed cut points, strictly descending: `[c1, c2, …]` gives `len + 1` tiers. A unit is in
    /// tier 1 if its score is `>= c1`, tier 2 if `c2 <= score < c1`, …, and in the last tier if
    /// `score < c_last`. A score equal to a cut point belongs to the higher (better) tier. An empty
    /// list puts every ranked unit in tier 1.
    Thresholds(Vec<f64>),
}

impl TierMethod {
    /// Number of tiers the method produces.
    ///
    /// ```
    /// use composite_indicators::study::tiers::TierMethod;
    /// assert_eq!(TierMethod::Jenks { k: 3 }.n_tiers(), 3);
    /// assert_eq!(TierMethod::Thresholds(vec![]).n_tiers(), 1);
    /// ```
    pub fn n_tiers(&self) -> usize {
        match self {
            TierMethod::Jenks { k } | TierMethod::Quantiles { k } => *k,
            TierMethod::Thresholds(cuts) => cuts.len() + 1,
        }
    }
}

/// The result of [`assign_tiers`].
///
/// ```
/// use composite_indicators::study::tiers::{assign_tiers, TierMethod};
/// let t = assign_tiers(&[5.0, f64::NAN, 1.0], &TierMethod::Thresholds(vec![3.0]))?;
/// assert_eq!(t.tier, vec![Some(1), None, Some(2)]);
/// assert_eq!(t.unranked, vec![1]);
/// assert_eq!(t.sizes, vec![1, 1]);
/// # Ok::<(), composite_indicators::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tiering {
    /// Tier per unit, in input order (1 = best); `None` for a missing (NaN) score.
    pub tier: Vec<Option<usize>>,
    /// `k − 1` break points, descending. `breaks[t − 1]` separates tier `t` from tier `t + 1`: a
    /// ranked unit is in tier `t` or better exactly when its score is `>= breaks[t − 1]`. For
    /// [`TierMethod::Thresholds`] these are the cut points; for the data-driven methods they are the
    /// lowest score in tiers `1..=t` (so a break is an observed score).
    #[serde(with = "crate::serde_nan::vec")]
    pub breaks: Vec<f64>,
    /// Number of units per tier (`sizes[t − 1]` for tier `t`); sums to the number of ranked units.
    pub sizes: Vec<usize>,
    /// `(lowest, highest)` score per tier; `None` for an empty tier.
    pub ranges: Vec<Option<(f64, f64)>>,
    /// Indices of units with a missing score, which have no tier.
    pub unranked: Vec<usize>,
}

impl Tiering {
    /// Indices of the units in tier `t` (1-based), in input order.
    ///
    /// ```
    /// use composite_indicators::study::tiers::{assign_tiers, TierMethod};
    /// let t = assign_tiers(&[3.0, 9.0, 8.0, 1.0], &TierMethod::Quantiles { k: 2 })?;
    /// assert_eq!(t.members(1), vec![1, 2]);
    /// assert_eq!(t.members(2), vec![0, 3]);
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    pub fn members(&self, t: usize) -> Vec<usize> {
        self.tier
            .iter()
            .enumerate()
            .filter(|(_, x)| **x == Some(t))
            .map(|(i, _)| i)
            .collect()
    }
}

/// Split units into tiers from their scores (higher = better, tier 1 = best).
///
/// Missing scores (NaN) get no tier and are listed in [`Tiering::unranked`]; they never count
/// towards group sizes or breaks.
///
/// # Errors
/// - [`Error::NonFinite`] if a score is infinite (unit named by its index);
/// - [`Error::InvalidParameter`] if `k == 0`, or if cut points are not finite or not strictly
///   descending;
/// - [`Error::InsufficientData`] if Jenks asks for more tiers than there are distinct scores, or
///   quantiles for more tiers than there are ranked units.
///
/// ```
/// use composite_indicators::study::tiers::{assign_tiers, TierMethod};
/// let t = assign_tiers(&[9.0, 7.0, 7.0, 5.0, 1.0], &TierMethod::Quantiles { k: 2 })?;
/// // groups of 3 and 2 positions; r = 0, 1, 1, 3, 4 units strictly above -> tiers 1, 1, 1, 2, 2
/// assert_eq!(t.sizes, vec![3, 2]);
/// assert_eq!(t.breaks, vec![7.0]);
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn assign_tiers(scores: &[f64], method: &TierMethod) -> Result<Tiering> {
    for (i, &s) in scores.iter().enumerate() {
        if s.is_infinite() {
            return Err(Error::NonFinite {
                unit: format!("#{i}"),
                indicator: "score".into(),
                value: s,
            });
        }
    }
    let k = method.n_tiers();
    if k == 0 {
        return Err(Error::invalid("k", k, Expected::at_least(1.0)));
    }
    let ranked: Vec<usize> = (0..scores.len()).filter(|&i| !scores[i].is_nan()).collect();
    let unranked: Vec<usize> = (0..scores.len()).filter(|&i| scores[i].is_nan()).collect();
    let mut tier: Vec<Option<usize>> = vec![None; scores.len()];

    match method {
        TierMethod::Thresholds(cuts) => {
            check_cuts(cuts)?;
            for &i in &ranked {
                let s = scores[i];
                tier[i] = Some(1 + cuts.iter().filter(|&&c| s < c).count());
            }
        }
        TierMethod::Quantiles { k } => {
            let n = ranked.len();
            if *k > n {
                return Err(Error::InsufficientData {
                    what: format!("quantile tiers with k = {k}: ranked scores"),
                    needed: *k,
                    found: n,
                });
            }
            // r = number of ranked units scoring strictly higher
            let mut sorted: Vec<f64> = ranked.iter().map(|&i| scores[i]).collect();
            sorted.sort_by(|a, b| b.total_cmp(a));
            for &i in &ranked {
                let s = scores[i];
                let r = sorted.partition_point(|&v| v > s);
                tier[i] = Some(1 + quantile_group(r, n, *k));
            }
        }
        TierMethod::Jenks { k } => {
            let mut distinct: Vec<(f64, usize)> = Vec::new();
            let mut sorted: Vec<f64> = ranked.iter().map(|&i| scores[i]).collect();
            sorted.sort_by(|a, b| a.total_cmp(b));
            for v in sorted {
                match distinct.last_mut() {
                    // `==` so that -0.0 and 0.0 count as one value
                    Some((last, c)) if *last == v => *c += 1,
                    _ => distinct.push((v, 1)),
                }
            }
            if *k > distinct.len() {
                return Err(Error::InsufficientData {
                    what: format!("Jenks natural breaks with k = {k}: distinct scores"),
                    needed: *k,
                    found: distinct.len(),
                });
            }
            // starts[c] = index (into `distinct`, ascending) of the first value of class c (ascending)
            let starts = fisher_jenks(&distinct, *k);
            for &i in &ranked {
                let s = scores[i];
                let pos = distinct.partition_point(|&(v, _)| v < s);
                // class (ascending, 0-based) = number of class starts <= pos, minus one
                let class = starts.partition_point(|&st| st <= pos).saturating_sub(1);
                tier[i] = Some(k - class);
            }
        }
    }

    let mut sizes = vec![0usize; k];
    let mut ranges: Vec<Option<(f64, f64)>> = vec![None; k];
    for &i in &ranked {
        if let Some(t) = tier[i] {
            let s = scores[i];
            if let Some(sz) = sizes.get_mut(t - 1) {
                *sz += 1;
            }
            if let Some(r) = ranges.get_mut(t - 1) {
                *r = Some(match *r {
                    None => (s, s),
                    Some((lo, hi)) => (lo.min(s), hi.max(s)),
                });
            }
        }
    }
    let breaks = match method {
        TierMethod::Thresholds(cuts) => cuts.clone(),
        _ => {
            // lowest score in tiers 1..=t; carried over an empty tier
            let mut out = Vec::with_capacity(k.saturating_sub(1));
            let mut low = f64::NAN;
            for r in ranges.iter().take(k.saturating_sub(1)) {
                if let Some((lo, _)) = r {
                    low = *lo;
                }
                out.push(low);
            }
            out
        }
    };
    Ok(Tiering {
        tier,
        breaks,
        sizes,
        ranges,
        unranked,
    })
}

/// Group (0-based) of sorted position `p` when `n` positions are cut into `k` groups, the first
/// `n mod k` of size `⌈n/k⌉`, the others `⌊n/k⌋`. Requires `1 <= k <= n`.
fn quantile_group(p: usize, n: usize, k: usize) -> usize {
    let q = n / k;
    let rem = n % k;
    let big = rem * (q + 1);
    if p < big {
        p / (q + 1)
    } else {
        rem + (p - big) / q.max(1)
    }
}

fn check_cuts(cuts: &[f64]) -> Result<()> {
    for (j, &c) in cuts.iter().enumerate() {
        if !c.is_finite() {
            return Err(Error::invalid(
                format!("thresholds[{j}]"),
                c,
                Expected::Finite,
            ));
        }
    }
    for (j, w) in cuts.windows(2).enumerate() {
        if let [a, b] = w
            && a <= b
        {
            return Err(Error::invalid(
                format!("thresholds[{}]", j + 1),
                b,
                Expected::InRange {
                    lo: Bound::Unbounded,
                    hi: Bound::Excluded(*a),
                },
            ));
        }
    }
    Ok(())
}

/// Exact Fisher–Jenks over weighted distinct values (ascending). Returns the start index of each of
/// the `k` classes (ascending). Requires `1 <= k <= values.len()`.
fn fisher_jenks(values: &[(f64, usize)], k: usize) -> Vec<usize> {
    let d = values.len();
    // centre the values before forming prefix sums to limit cancellation in S2 - S1²/W
    let total_w: f64 = values.iter().map(|&(_, c)| c as f64).sum();
    let centre = values.iter().map(|&(v, c)| v * c as f64).sum::<f64>() / total_w;
    let mut pw = vec![0.0; d + 1];
    let mut p1 = vec![0.0; d + 1];
    let mut p2 = vec![0.0; d + 1];
    for (i, &(v, c)) in values.iter().enumerate() {
        let (w, x) = (c as f64, v - centre);
        pw[i + 1] = pw[i] + w;
        p1[i + 1] = p1[i] + w * x;
        p2[i + 1] = p2[i] + w * x * x;
    }
    // within-class sum of squares of values[a..b]
    let ssd = |a: usize, b: usize| -> f64 {
        let w = pw[b] - pw[a];
        let s1 = p1[b] - p1[a];
        let s2 = p2[b] - p2[a];
        (s2 - s1 * s1 / w).max(0.0)
    };
    // prev[i] / cur[i]: best SSD of values[0..i] in j / j + 1 classes;
    // arg[j][i]: start of the last class of that best split into j + 1 classes
    // (an empty prefix cannot form a class: INFINITY marks infeasible splits and is skipped)
    let mut prev: Vec<f64> = (0..=d)
        .map(|i| if i == 0 { f64::INFINITY } else { ssd(0, i) })
        .collect();
    let mut arg = vec![vec![0usize; d + 1]; k];
    for arg_j in arg.iter_mut().skip(1) {
        let mut cur = vec![f64::INFINITY; d + 1];
        for (i, (cur_i, arg_i)) in cur.iter_mut().zip(arg_j.iter_mut()).enumerate() {
            let mut best = f64::INFINITY;
            let mut best_m = 0;
            for (m, &pc) in prev.iter().enumerate().take(i) {
                if pc.is_infinite() {
                    continue;
                }
                let c = pc + ssd(m, i);
                if c < best {
                    best = c;
                    best_m = m;
                }
            }
            *cur_i = best;
            *arg_i = best_m;
        }
        prev = cur;
    }
    let mut starts = vec![0usize; k];
    let mut end = d;
    for j in (1..k).rev() {
        let m = arg[j][end];
        starts[j] = m;
        end = m;
    }
    starts
}

/// Strongest and weakest pillar of one unit (see [`pillar_tags`]).
///
/// ```
/// use composite_indicators::study::tiers::PillarTag;
/// let t = PillarTag { strongest: 0, weakest: 2, strongest_z: 1.2, weakest_z: -0.4 };
/// assert!(t.strongest_z > t.weakest_z);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PillarTag {
    /// Column index of the pillar with the highest z-score.
    pub strongest: usize,
    /// Column index of the pillar with the lowest z-score.
    pub weakest: usize,
    /// The unit's z-score on its strongest pillar.
    #[serde(with = "crate::serde_nan::num")]
    pub strongest_z: f64,
    /// The unit's z-score on its weakest pillar.
    #[serde(with = "crate::serde_nan::num")]
    pub weakest_z: f64,
}

/// The result of [`pillar_tags`]: per-pillar statistics, z-scores and one tag per unit.
///
/// ```
/// use composite_indicators::study::tiers::pillar_tags;
/// use ndarray::array;
/// let x = array![[3.0, 1.0], [1.0, 3.0], [2.0, 2.0]];
/// let t = pillar_tags(x.view(), &["a".to_string(), "b".to_string()])?;
/// assert_eq!(t.pairs()[0], Some(("a", "b")));
/// assert_eq!(t.pairs()[1], Some(("b", "a")));
/// # Ok::<(), composite_indicators::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PillarTags {
    /// Pillar names, one per column.
    pub names: Vec<String>,
    /// Mean of each pillar over units with a non-missing value.
    #[serde(with = "crate::serde_nan::vec")]
    pub mean: Vec<f64>,
    /// Sample standard deviation (divisor `n − 1`) of each pillar over the same units.
    #[serde(with = "crate::serde_nan::vec")]
    pub sd: Vec<f64>,
    /// `z[[u, p]] = (x[[u, p]] − mean[p]) / sd[p]`; NaN where the score is missing.
    #[serde(with = "crate::serde_nan::array2")]
    pub z: Array2<f64>,
    /// Tag per unit; `None` when every pillar score of the unit is missing.
    pub tags: Vec<Option<PillarTag>>,
}

impl PillarTags {
    /// `(strongest, weakest)` pillar names per unit, `None` for a unit with no pillar score.
    ///
    /// ```
    /// use composite_indicators::study::tiers::pillar_tags;
    /// use ndarray::array;
    /// let x = array![[1.0, 5.0], [f64::NAN, f64::NAN], [3.0, 1.0]];
    /// let t = pillar_tags(x.view(), &["p".to_string(), "q".to_string()])?;
    /// assert_eq!(t.pairs(), vec![Some(("q", "p")), None, Some(("p", "q"))]);
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    pub fn pairs(&self) -> Vec<Option<(&str, &str)>> {
        self.tags
            .iter()
            .map(|t| {
                t.and_then(|t| {
                    Some((
                        self.names.get(t.strongest)?.as_str(),
                        self.names.get(t.weakest)?.as_str(),
                    ))
                })
            })
            .collect()
    }
}

/// Tag each unit by its strongest and weakest pillar relative to the other units.
///
/// `scores` is units × pillars. Each pillar is standardised across units,
/// `z = (x − mean_p) / sd_p` with the **sample** standard deviation (divisor `n − 1`), both over the
/// units whose score on that pillar is present. Standardising first makes pillars with different
/// ranges comparable: a unit's strongest pillar is where it is furthest above the typical unit, not
/// where its raw score is highest.
///
/// Per unit, the strongest pillar has the highest z and the weakest the lowest, comparing only the
/// pillars the unit has (missing cells are skipped). Ties go to the first pillar in column order. A
/// unit with a single non-missing pillar gets it as both strongest and weakest; a unit with no
/// pillar score gets `None`.
///
/// # Errors
/// - [`Error::ShapeMismatch`] if `names` does not have one name per column;
/// - [`Error::EmptyData`] for zero units or zero pillars;
/// - [`Error::NonFinite`] for an infinite score;
/// - [`Error::InsufficientData`] for a pillar with fewer than two non-missing scores;
/// - [`Error::ZeroRange`] for a pillar whose scores are all equal (sd = 0).
///
/// ```
/// use composite_indicators::study::tiers::pillar_tags;
/// use ndarray::array;
/// // unit 0 is +1 above the mean on a and +2 on b, but b is twice as spread: both are z = 1
/// let x = array![[2.0, 12.0], [1.0, 10.0], [0.0, 8.0]];
/// let t = pillar_tags(x.view(), &["a".into(), "b".into()])?;
/// assert_eq!(t.sd, vec![1.0, 2.0]);
/// assert_eq!(t.z[[0, 0]], 1.0);
/// assert_eq!(t.z[[0, 1]], 1.0); // equal z: tie goes to the first pillar
/// assert_eq!(t.pairs()[0], Some(("a", "a")));
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn pillar_tags(scores: ArrayView2<f64>, names: &[String]) -> Result<PillarTags> {
    let (n_units, n_p) = scores.dim();
    if names.len() != n_p {
        return Err(Error::ShapeMismatch {
            what: "pillar names vs score columns".into(),
            expected: n_p,
            found: names.len(),
        });
    }
    if n_units == 0 || n_p == 0 {
        return Err(Error::EmptyData {
            what: format!("pillar scores have {n_units} units and {n_p} pillars"),
        });
    }
    let mut mean = Vec::with_capacity(n_p);
    let mut sd = Vec::with_capacity(n_p);
    for (p, col) in scores.columns().into_iter().enumerate() {
        let name = names.get(p).map(String::as_str).unwrap_or("?");
        let mut vals = Vec::with_capacity(n_units);
        for (u, &v) in col.iter().enumerate() {
            if v.is_infinite() {
                return Err(Error::NonFinite {
                    unit: format!("#{u}"),
                    indicator: name.to_string(),
                    value: v,
                });
            }
            if !v.is_nan() {
                vals.push(v);
            }
        }
        if vals.len() < 2 {
            return Err(Error::InsufficientData {
                what: format!("standard deviation of pillar `{name}`"),
                needed: 2,
                found: vals.len(),
            });
        }
        let m = crate::stats::mean(&vals);
        let s = crate::stats::sample_variance(&vals, m).sqrt();
        if s == 0.0 || !s.is_finite() {
            return Err(Error::ZeroRange {
                indicator: name.to_string(),
                value: m,
                method: "pillar z-score tagging".into(),
            });
        }
        mean.push(m);
        sd.push(s);
    }
    let mut z = Array2::from_elem((n_units, n_p), f64::NAN);
    let mut tags = Vec::with_capacity(n_units);
    for (u, row) in scores.rows().into_iter().enumerate() {
        let mut tag: Option<PillarTag> = None;
        for (p, (&v, (&m, &s))) in row.iter().zip(mean.iter().zip(sd.iter())).enumerate() {
            if v.is_nan() {
                continue;
            }
            let zi = (v - m) / s;
            if let Some(cell) = z.get_mut([u, p]) {
                *cell = zi;
            }
            tag = Some(match tag {
                None => PillarTag {
                    strongest: p,
                    weakest: p,
                    strongest_z: zi,
                    weakest_z: zi,
                },
                Some(mut t) => {
                    if zi > t.strongest_z {
                        t.strongest = p;
                        t.strongest_z = zi;
                    }
                    if zi < t.weakest_z {
                        t.weakest = p;
                        t.weakest_z = zi;
                    }
                    t
                }
            });
        }
        tags.push(tag);
    }
    Ok(PillarTags {
        names: names.to_vec(),
        mean,
        sd,
        z,
        tags,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use proptest::prelude::*;

    #[test]
    fn jenks_hand_checked() {
        let x = [1.0, 2.0, 3.0, 10.0, 11.0, 12.0, 20.0, 21.0];
        let t = assign_tiers(&x, &TierMethod::Jenks { k: 3 }).unwrap();
        assert_eq!(t.sizes, vec![2, 3, 3]);
        assert_eq!(t.breaks, vec![20.0, 10.0]);
        assert_eq!(t.ranges[0], Some((20.0, 21.0)));
        assert_eq!(t.ranges[2], Some((1.0, 3.0)));
    }

    #[test]
    fn jenks_two_classes_by_hand() {
        // [0, 1, 5]: {0,1}{5} SSD 0.5; {0}{1,5} SSD 8 -> first
        let t = assign_tiers(&[5.0, 0.0, 1.0], &TierMethod::Jenks { k: 2 }).unwrap();
        assert_eq!(t.tier, vec![Some(1), Some(2), Some(2)]);
    }

    #[test]
    fn jenks_equal_optimum_tie_rule() {
        // [0, 1, 2]: {0}{1,2} and {0,1}{2} both SSD 0.5; the upper class starts lowest -> {0}{1,2}
        let t = assign_tiers(&[0.0, 1.0, 2.0], &TierMethod::Jenks { k: 2 }).unwrap();
        assert_eq!(t.tier, vec![Some(2), Some(1), Some(1)]);
    }

    #[test]
    fn jenks_keeps_ties_together() {
        let t = assign_tiers(&[1.0, 1.0, 1.0, 2.0, 9.0], &TierMethod::Jenks { k: 2 }).unwrap();
        assert_eq!(t.tier, vec![Some(2), Some(2), Some(2), Some(2), Some(1)]);
        let e = assign_tiers(&[1.0, 1.0, 2.0], &TierMethod::Jenks { k: 3 }).unwrap_err();
        assert!(matches!(
            e,
            Error::InsufficientData {
                needed: 3,
                found: 2,
                ..
            }
        ));
    }

    #[test]
    fn quantile_boundaries() {
        // n = 10, k = 3 -> 4, 3, 3
        let x: Vec<f64> = (0..10).map(f64::from).collect();
        let t = assign_tiers(&x, &TierMethod::Quantiles { k: 3 }).unwrap();
        assert_eq!(t.sizes, vec![4, 3, 3]);
        assert_eq!(t.breaks, vec![6.0, 3.0]);
        // ties can empty a tier: [5, 1, 1, 1, 1], k = 3 -> groups 2, 2, 1; the 1s all have r = 1
        let t = assign_tiers(&[5.0, 1.0, 1.0, 1.0, 1.0], &TierMethod::Quantiles { k: 3 }).unwrap();
        assert_eq!(t.sizes, vec![5, 0, 0]);
        assert_eq!(t.breaks, vec![1.0, 1.0]);
        assert_eq!(t.ranges[1], None);
    }

    #[test]
    fn thresholds_ge_is_higher_tier() {
        let t = assign_tiers(
            &[40.0, 39.9, 25.0, 10.0],
            &TierMethod::Thresholds(vec![40.0, 25.0]),
        )
        .unwrap();
        assert_eq!(t.tier, vec![Some(1), Some(2), Some(2), Some(3)]);
        assert!(assign_tiers(&[1.0], &TierMethod::Thresholds(vec![1.0, 2.0])).is_err());
        assert!(assign_tiers(&[1.0], &TierMethod::Thresholds(vec![f64::NAN])).is_err());
    }

    #[test]
    fn errors() {
        assert!(matches!(
            assign_tiers(&[1.0], &TierMethod::Jenks { k: 0 }),
            Err(Error::InvalidParameter { .. })
        ));
        assert!(matches!(
            assign_tiers(&[1.0, f64::INFINITY], &TierMethod::Jenks { k: 1 }),
            Err(Error::NonFinite { .. })
        ));
        assert!(matches!(
            assign_tiers(&[1.0, f64::NAN], &TierMethod::Quantiles { k: 2 }),
            Err(Error::InsufficientData {
                needed: 2,
                found: 1,
                ..
            })
        ));
    }

    #[test]
    fn tags_hand_computed() {
        // a: mean 2, sd 1; b: mean 10, sd 4
        let x = array![[3.0, 6.0], [1.0, 14.0], [2.0, 10.0]];
        let t = pillar_tags(x.view(), &["a".into(), "b".into()]).unwrap();
        assert_eq!(t.mean, vec![2.0, 10.0]);
        assert_eq!(t.sd, vec![1.0, 4.0]);
        let t0 = t.tags[0].unwrap();
        assert_eq!((t0.strongest, t0.weakest), (0, 1));
        assert_eq!((t0.strongest_z, t0.weakest_z), (1.0, -1.0));
        assert_eq!(t.pairs()[1], Some(("b", "a")));
        assert_eq!(t.pairs()[2], Some(("a", "a"))); // both z = 0: first pillar
    }

    #[test]
    fn tags_errors() {
        let x = array![[1.0, 2.0], [1.0, 3.0]];
        assert!(matches!(
            pillar_tags(x.view(), &["a".into(), "b".into()]),
            Err(Error::ZeroRange { .. })
        ));
        assert!(matches!(
            pillar_tags(x.view(), &["a".into()]),
            Err(Error::ShapeMismatch { .. })
        ));
        let x = array![[1.0, f64::NAN], [2.0, 3.0]];
        assert!(matches!(
            pillar_tags(x.view(), &["a".into(), "b".into()]),
            Err(Error::InsufficientData { found: 1, .. })
        ));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn jenks_is_optimal_and_contiguous(
            v in proptest::collection::vec(0u8..40, 2..9), k in 1usize..4
        ) {
            let x: Vec<f64> = v.iter().map(|&a| f64::from(a)).collect();
            let mut d: Vec<f64> = x.clone();
            d.sort_by(|a, b| a.total_cmp(b));
            d.dedup();
            prop_assume!(k <= d.len());
            let t = assign_tiers(&x, &TierMethod::Jenks { k }).unwrap();
            let tiers: Vec<usize> = t.tier.iter().map(|o| o.unwrap()).collect();
            // contiguity: higher score never in a worse tier
            for i in 0..x.len() { for j in 0..x.len() {
                if x[i] > x[j] { prop_assert!(tiers[i] <= tiers[j]); }
                if x[i] == x[j] { prop_assert_eq!(tiers[i], tiers[j]); }
            }}
            prop_assert!(t.sizes.iter().all(|&s| s > 0));
            // brute force over all splits of the distinct values into k contiguous classes
            let ssd_of = |tier_of: &dyn Fn(f64) -> usize| -> f64 {
                let mut tot = 0.0;
                for c in 1..=k {
                    let m: Vec<f64> = x.iter().copied().filter(|&a| tier_of(a) == c).collect();
                    if m.is_empty() { continue; }
                    let mean = m.iter().sum::<f64>() / m.len() as f64;
                    tot += m.iter().map(|a| (a - mean).powi(2)).sum::<f64>();
                }
                tot
            };
            let got = ssd_of(&|a| tiers[x.iter().position(|&b| b == a).unwrap()]);
            let dn = d.len();
            let mut best = f64::INFINITY;
            // choose k-1 cut positions among 1..dn (bitmask)
            for mask in 0u32..(1 << (dn - 1)) {
                if mask.count_ones() as usize != k - 1 { continue; }
                let class_of = |a: f64| {
                    let pos = d.iter().position(|&b| b == a).unwrap();
                    let below = (0..pos).filter(|&c| mask & (1 << c) != 0).count();
                    k - below
                };
                best = best.min(ssd_of(&class_of));
            }
            prop_assert!((got - best).abs() <= 1e-9 * (1.0 + best));
        }

        #[test]
        fn quantile_sizes_balanced_without_ties(n in 1usize..30, k in 1usize..6) {
            prop_assume!(k <= n);
            let x: Vec<f64> = (0..n).map(|i| i as f64 * 1.5).collect();
            let t = assign_tiers(&x, &TierMethod::Quantiles { k }).unwrap();
            let mx = *t.sizes.iter().max().unwrap();
            let mn = *t.sizes.iter().min().unwrap();
            prop_assert!(mx - mn <= 1);
            prop_assert_eq!(t.sizes.iter().sum::<usize>(), n);
            prop_assert!(t.sizes.windows(2).all(|w| w[0] >= w[1]));
        }
    }
}
