//! Exact, mergeable per-unit score statistics: moments and score histograms.

use serde::{Deserialize, Serialize};

use super::engine::accumulate::{
    CellRule, PermutedLayout, PermutedStats, for_each_unit_row, unit_exponents,
};
use super::engine::exact::{ExactRepr, Moments, multipliers};
use super::engine::memory::try_zeroed;
use crate::error::{Error, Expected, Result};

/// Per-unit score statistics over variants: count, mean and standard deviation, and a fixed-bin
/// histogram for quantiles. Mergeable; serde-serialisable.
///
/// **Moments.** Sums of `d = s − c` and `d²` with the shift `c` = the unit's nominal score (shifted
/// sums avoid the cancellation of the textbook formula): mean `= c + Σd/n`, sample standard deviation
/// `= √((Σd² − (Σd)²/n)/(n − 1))` (`None` below 2 values). Missing (NaN) scores are counted apart.
/// The sums are exact integer sums of terms rounded to a fixed per-unit step (49–50 bits below the
/// largest `|d|` the bounds allow, `2^(E−50)` with `2^(E−1) ≤ max(|lo − c|, |hi − c|) < 2^E`; `d²` in
/// steps of `2^(2E−50)`; terms beyond go to coarser levels): integer addition does not depend on
/// order, so merging the statistics of any split of the variants, in any order, gives bit for bit the
/// statistics of one run. Each term is off by at most half a step, so a mean by at most `2^(E−51)`.
///
/// **Quantiles.** Each unit has `bins` equal bins over its own `[lo, hi]`; values below `lo` or above
/// `hi` are counted in under/overflow cells. The `q`-quantile finds the bin where the cumulative count
/// first reaches `q·m` (`m` = binned values of the unit, [`ScoreStats::binned`]) and interpolates
/// linearly within it; the error is at most one bin width `(hi − lo)/bins` with respect to the binned
/// values. A quantile falling in the underflow (overflow) cell is reported as `lo` (`hi`).
///
/// [`ScoreStats::add`] bins every value it is given. A sweep (`BatchModel::sweep`) of `K` variants
/// bins a deterministic subsample: variant `k` is binned iff `k` is a multiple of
/// `max(1, ⌊K / 65 536⌋)` (so every variant up to `K` = 131 071, and at least 65 536 variants above;
/// the rule depends on `K` only, so split ranges merge exactly). Mean and sd always cover every
/// variant. The quantiles are then those of a systematic sample of `m ≥ 65 536` variants: besides the
/// bin width, the probability level of a `q`-quantile is off by about `√(q(1 − q)/m)` (one standard
/// error; ≤ 0.002 for the median, ≤ 0.00085 for the 5 % and 95 % quantiles).
///
/// ```
/// use composite_indicators::sweep::ScoreStats;
/// let mut s = ScoreStats::new(vec![1.0], vec![(0.0, 4.0)], 4);
/// for x in [0.5, 1.5, 2.5, 3.5] {
///     s.add(&[x]);
/// }
/// assert_eq!(s.mean(0), Some(2.0));
/// assert!((s.sd(0).unwrap() - (5.0f64 / 3.0).sqrt()).abs() < 1e-12);
/// assert_eq!(s.quantile(0, 0.5), Some(2.0));
/// ```
///
/// **Not kept.** A sweep run with [`SweepConfig::score_stats`](crate::sweep::SweepConfig::score_stats)
/// `false` keeps rank statistics only: its `ScoreStats` is [`ScoreStats::not_kept`] ([`ScoreStats::is_kept`]
/// is `false`, every count is 0, so mean, sd and quantiles are `None`).
///
/// Equality compares every field; a missing value (a unit without a nominal score, NaN) equals a
/// missing one.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "ScoreStatsRepr")]
pub struct ScoreStats {
    /// `false`: a sweep that kept no score statistics (nothing is ever added).
    kept: bool,
    shift: Vec<f64>,
    n: Vec<u64>,
    missing: Vec<u64>,
    /// Exact sums of `d` and `d²` (see the type docs).
    mom: Moments,
    /// Per-unit step exponents `E` of the exact sums.
    exp: Vec<i32>,
    /// Per-unit multipliers `2^(50 − E)` and `2^(50 − 2E)`; derived from `exp`.
    mult: Vec<(f64, f64)>,
    bounds: Vec<(f64, f64)>,
    bins: usize,
    /// per unit: [under, bins..., over]
    hist: Vec<u64>,
    /// per unit `bins / (hi − lo)` (0 for a zero range); derived, rebuilt after deserialisation.
    scale: Vec<f64>,
}

impl PartialEq for ScoreStats {
    fn eq(&self, other: &Self) -> bool {
        use crate::nan_eq::NanEq;
        // every field, named, so a new one cannot be left out
        let ScoreStats {
            kept,
            shift,
            n,
            missing,
            mom,
            exp,
            mult,
            bounds,
            bins,
            hist,
            scale,
        } = self;
        *kept == other.kept
            && shift.nan_eq(&other.shift)
            && *n == other.n
            && *missing == other.missing
            && *mom == other.mom
            && *exp == other.exp
            && mult.nan_eq(&other.mult)
            && bounds.nan_eq(&other.bounds)
            && *bins == other.bins
            && *hist == other.hist
            && scale.nan_eq(&other.scale)
    }
}

/// The serialised form of [`ScoreStats`]: the `f64` sums `sum` / `sum2` (as before, derived from the
/// exact sums) and the exact sums themselves (`exact`).
#[derive(Serialize)]
struct ScoreStatsOut<'a> {
    #[serde(with = "crate::serde_nan::vec")]
    shift: &'a [f64],
    n: &'a [u64],
    missing: &'a [u64],
    #[serde(with = "crate::serde_nan::vec")]
    sum: &'a [f64],
    #[serde(with = "crate::serde_nan::vec")]
    sum2: &'a [f64],
    #[serde(with = "crate::serde_nan::pairs")]
    bounds: &'a [(f64, f64)],
    bins: usize,
    hist: &'a [u64],
    exact: ExactRepr,
    /// Written only when `false` (results written before it existed read as kept).
    #[serde(skip_serializing_if = "crate::serde_keys::is_true")]
    kept: bool,
}

impl Serialize for ScoreStats {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let units = self.shift.len();
        let sum: Vec<f64> = (0..units).map(|u| self.sum_d(u)).collect();
        let sum2: Vec<f64> = (0..units).map(|u| self.sum_d2(u)).collect();
        ScoreStatsOut {
            shift: &self.shift,
            n: &self.n,
            missing: &self.missing,
            sum: &sum,
            sum2: &sum2,
            bounds: &self.bounds,
            bins: self.bins,
            hist: &self.hist,
            exact: self.mom.to_repr(&self.exp),
            kept: self.kept,
        }
        .serialize(s)
    }
}

/// The serialised form of [`ScoreStats`]; reading checks that every per-unit vector has one entry per
/// unit, the shifts are finite and the histogram has `units × (bins + 2)` cells.
#[derive(Deserialize)]
struct ScoreStatsRepr {
    #[serde(with = "crate::serde_nan::vec")]
    shift: Vec<f64>,
    n: Vec<u64>,
    missing: Vec<u64>,
    #[serde(with = "crate::serde_nan::vec")]
    sum: Vec<f64>,
    #[serde(with = "crate::serde_nan::vec")]
    sum2: Vec<f64>,
    #[serde(with = "crate::serde_nan::pairs")]
    bounds: Vec<(f64, f64)>,
    bins: usize,
    hist: Vec<u64>,
    /// Absent in results written before the sums were exact: the `f64` sums are then read as one
    /// term each.
    #[serde(default)]
    exact: Option<ExactRepr>,
    #[serde(default = "crate::serde_keys::yes")]
    kept: bool,
}

impl TryFrom<ScoreStatsRepr> for ScoreStats {
    type Error = Error;
    fn try_from(r: ScoreStatsRepr) -> Result<Self> {
        let units = r.shift.len();
        let per_unit = [
            ("counts", r.n.len()),
            ("missing counts", r.missing.len()),
            ("sums", r.sum.len()),
            ("sums of squares", r.sum2.len()),
        ];
        for (what, found) in per_unit {
            if found != units {
                return Err(Error::ShapeMismatch {
                    what: format!("score statistics: {what} (one per unit)"),
                    expected: units,
                    found,
                });
            }
        }
        // the file is the boundary: `ScoreStats::new` never stores a non-finite shift
        if let Some((u, c)) = r.shift.iter().enumerate().find(|(_, c)| !c.is_finite()) {
            return Err(Error::invalid(
                format!("score statistics: shift of unit {u}"),
                c,
                Expected::Finite,
            ));
        }
        let cells = if r.bins > 0 {
            r.bins.checked_add(2).and_then(|s| s.checked_mul(units))
        } else {
            Some(0)
        };
        if cells != Some(r.hist.len()) {
            return Err(Error::ShapeMismatch {
                what: format!("score statistics: histogram cells ({units} units × (bins + 2))"),
                expected: cells.unwrap_or(usize::MAX),
                found: r.hist.len(),
            });
        }
        let (mom, exp) = match r.exact {
            Some(x) => Moments::from_repr(x, units)?,
            None => {
                let exp = unit_exponents(&r.shift, &r.bounds);
                let mut mom = Moments::default();
                mom.reset(units);
                for (u, (&s, &s2)) in r.sum.iter().zip(&r.sum2).enumerate() {
                    let e = exp.get(u).copied().unwrap_or(0);
                    mom.add_slow(u, 0, s, e);
                    mom.add_slow(u, 1, s2, 2 * e);
                }
                (mom, exp)
            }
        };
        if !r.kept {
            let counted = r.n.iter().chain(&r.missing).chain(&r.hist).any(|&c| c != 0);
            if counted || r.bins != 0 {
                return Err(Error::invalid(
                    "score statistics",
                    "kept: false",
                    Expected::Rule(
                        "statistics that were not kept have no bins and no counts".into(),
                    ),
                ));
            }
        }
        let mut st = ScoreStats {
            kept: r.kept,
            shift: r.shift,
            n: r.n,
            missing: r.missing,
            mult: exp.iter().map(|&e| multipliers(e)).collect(),
            mom,
            exp,
            bounds: r.bounds,
            bins: r.bins,
            hist: r.hist,
            scale: Vec::new(),
        };
        st.build_scale();
        Ok(st)
    }
}

impl ScoreStats {
    /// Empty statistics: `shift` (one per unit, use the nominal score; NaN is read as 0), per-unit
    /// histogram bounds and the bin count (0 disables quantiles).
    pub fn new(shift: Vec<f64>, bounds: Vec<(f64, f64)>, bins: usize) -> Self {
        let n = shift.len();
        let shift: Vec<f64> = shift
            .into_iter()
            .map(|c| if c.is_finite() { c } else { 0.0 })
            .collect();
        let exp = unit_exponents(&shift, &bounds);
        let mut mom = Moments::default();
        mom.reset(n);
        let mut st = ScoreStats {
            kept: true,
            shift,
            n: vec![0; n],
            missing: vec![0; n],
            mult: exp.iter().map(|&e| multipliers(e)).collect(),
            mom,
            exp,
            bounds,
            bins,
            hist: if bins > 0 {
                vec![0; n * (bins + 2)]
            } else {
                Vec::new()
            },
            scale: Vec::new(),
        };
        st.build_scale();
        st
    }

    /// [`ScoreStats::new`] with the histogram allocated fallibly: [`Error::AllocationFailed`] instead
    /// of an abort when the system refuses `units × (bins + 2)` counters, and
    /// [`Error::InvalidParameter`] when that count overflows.
    ///
    /// # Errors
    ///
    /// As above.
    ///
    /// ```
    /// use composite_indicators::sweep::ScoreStats;
    /// let s = ScoreStats::try_new(vec![0.0; 2], vec![(0.0, 1.0); 2], 8).unwrap();
    /// assert_eq!(s.n_bins(), 8);
    /// ```
    pub fn try_new(shift: Vec<f64>, bounds: Vec<(f64, f64)>, bins: usize) -> Result<Self> {
        let n = shift.len();
        let cells = if bins > 0 {
            bins.checked_add(2)
                .and_then(|b| b.checked_mul(n))
                .ok_or_else(|| {
                    Error::invalid(
                        "score_bins",
                        bins,
                        Expected::Rule(format!("{n} units × ({bins} + 2) cells overflow")),
                    )
                })?
        } else {
            0
        };
        let hist = try_zeroed::<u64>(cells, "score histograms")?;
        let mut st = ScoreStats::new(shift, bounds, 0);
        st.bins = bins;
        st.hist = hist;
        st.build_scale();
        Ok(st)
    }

    /// The statistics of a sweep that keeps none ([`SweepConfig::score_stats`](crate::sweep::SweepConfig::score_stats)
    /// `false`): shifts and bounds as [`ScoreStats::new`] (so results can be compared and merged), no
    /// bins, and [`ScoreStats::add`] does nothing: every count stays 0, mean, sd and quantiles are
    /// `None`. Merges only with statistics that were not kept either.
    ///
    /// ```
    /// use composite_indicators::sweep::ScoreStats;
    /// let mut s = ScoreStats::not_kept(vec![1.0], vec![(0.0, 2.0)]);
    /// s.add(&[1.5]);
    /// assert!(!s.is_kept());
    /// assert_eq!((s.count(0), s.mean(0), s.n_bins()), (0, None, 0));
    /// assert!(s.clone().merge(&ScoreStats::new(vec![1.0], vec![(0.0, 2.0)], 0)).is_err());
    /// ```
    pub fn not_kept(shift: Vec<f64>, bounds: Vec<(f64, f64)>) -> Self {
        let mut st = ScoreStats::new(shift, bounds, 0);
        st.kept = false;
        st
    }

    /// `false` for [`ScoreStats::not_kept`] (a sweep that kept rank statistics only).
    ///
    /// ```
    /// use composite_indicators::sweep::ScoreStats;
    /// assert!(ScoreStats::new(vec![0.0], vec![(0.0, 1.0)], 4).is_kept());
    /// ```
    pub fn is_kept(&self) -> bool {
        self.kept
    }

    /// `Σd` of unit `u` as an `f64` (0 for an unknown unit).
    fn sum_d(&self, u: usize) -> f64 {
        self.mom.value(u, 0, self.exp.get(u).copied().unwrap_or(0))
    }

    /// `Σd²` of unit `u` as an `f64`.
    fn sum_d2(&self, u: usize) -> f64 {
        self.mom.value(u, 1, self.exp.get(u).copied().unwrap_or(0))
    }

    fn build_scale(&mut self) {
        let bins = self.bins as f64;
        self.scale = (0..self.shift.len())
            .map(|u| match self.bounds.get(u) {
                Some(&(lo, hi)) if hi > lo => bins / (hi - lo),
                _ => 0.0,
            })
            .collect();
    }

    /// Add one variant's scores (one per unit).
    pub fn add(&mut self, scores: &[f64]) {
        self.add_maybe_binned(scores, true);
    }

    /// Add one variant's scores to the moments, and to the histogram only if `bin`.
    pub(crate) fn add_maybe_binned(&mut self, scores: &[f64], bin: bool) {
        if !self.kept {
            return;
        }
        if self.bins > 0 && self.scale.len() != self.shift.len() {
            self.build_scale();
        }
        let n = self.shift.len().min(scores.len());
        let scores = &scores[..n];
        if scores.iter().any(|v| v.is_nan()) {
            self.add_slow(scores, bin);
            return;
        }
        // no missing value: straight-line loops
        for (u, ((&s, &c), cnt)) in scores.iter().zip(&self.shift).zip(&mut self.n).enumerate() {
            let (m1, m2) = self.mult.get(u).copied().unwrap_or((0.0, 0.0));
            let e = self.exp.get(u).copied().unwrap_or(0);
            self.mom.add(u, s - c, m1, m2, e);
            *cnt += 1;
        }
        if self.bins > 0 && bin {
            let stride = self.bins + 2;
            let rule = CellRule::new(self.bins);
            for (u, ((&s, &(lo, hi)), &sc)) in
                scores.iter().zip(&self.bounds).zip(&self.scale).enumerate()
            {
                let cell = rule.cell(s, lo, hi, sc) as usize;
                if let Some(h) = self.hist.get_mut(u * stride + cell) {
                    *h += 1;
                }
            }
        }
    }

    fn add_slow(&mut self, scores: &[f64], bin: bool) {
        let stride = self.bins + 2;
        let rule = CellRule::new(self.bins);
        for (u, &s) in scores.iter().enumerate() {
            if s.is_nan() {
                self.missing[u] += 1;
                continue;
            }
            let d = s - self.shift[u];
            self.n[u] += 1;
            let (m1, m2) = self.mult.get(u).copied().unwrap_or((0.0, 0.0));
            let e = self.exp.get(u).copied().unwrap_or(0);
            self.mom.add(u, d, m1, m2, e);
            if self.bins > 0 && bin {
                let (lo, hi) = self.bounds.get(u).copied().unwrap_or((0.0, 0.0));
                let cell = rule.cell(s, lo, hi, self.scale[u]) as usize;
                self.hist[u * stride + cell] += 1;
            }
        }
    }

    /// Per-unit shifts, histogram bounds and `bins / (hi − lo)` scales (for the sweep fast path,
    /// which reproduces [`ScoreStats::add`] in its own buffers).
    #[allow(clippy::type_complexity)]
    pub(crate) fn layout(&mut self) -> (&[f64], &[(f64, f64)], &[f64], usize) {
        if self.scale.len() != self.shift.len() {
            self.build_scale();
        }
        (&self.shift, &self.bounds, &self.scale, self.bins)
    }

    /// Shifts, histogram bounds and scales in position order (position `p` is unit `perm[p]`), for the
    /// sweep fast paths, which bin scores as [`ScoreStats::add`] does in their own buffers.
    pub(crate) fn permuted_layout(&mut self, perm: &[usize]) -> PermutedLayout {
        let mult: Vec<(f64, f64)> = perm
            .iter()
            .map(|&u| self.mult.get(u).copied().unwrap_or((0.0, 0.0)))
            .collect();
        let exp: Vec<i32> = perm
            .iter()
            .map(|&u| self.exp.get(u).copied().unwrap_or(0))
            .collect();
        let skip = !self.kept;
        let (shift, bounds, scale, bins) = self.layout();
        PermutedLayout {
            bins,
            skip,
            m1: mult.iter().map(|m| m.0).collect(),
            m2: mult.iter().map(|m| m.1).collect(),
            exp,
            shift: perm.iter().map(|&u| shift[u]).collect(),
            lo: perm
                .iter()
                .map(|&u| bounds.get(u).map_or(0.0, |b| b.0))
                .collect(),
            hi: perm
                .iter()
                .map(|&u| bounds.get(u).map_or(0.0, |b| b.1))
                .collect(),
            scale: perm
                .iter()
                .map(|&u| scale.get(u).copied().unwrap_or(0.0))
                .collect(),
        }
    }

    /// Add the counts and exact sums (not the histogram) accumulated elsewhere in position order.
    pub(crate) fn add_permuted_moments(&mut self, perm: &[usize], part: &PermutedStats) {
        if !self.kept {
            return;
        }
        let units = self.shift.len();
        for (p, &u) in perm.iter().enumerate().take(units) {
            let (Some(&n), Some(&m), Some(a), Some(b)) = (
                part.n.get(p),
                part.missing.get(p),
                self.n.get_mut(u),
                self.missing.get_mut(u),
            ) else {
                continue;
            };
            *a += n;
            *b += m;
        }
        self.mom
            .add_mapped(&part.mom, |p| perm.get(p).copied().filter(|&u| u < units));
    }

    /// Add histogram counts accumulated elsewhere, one slice per source (`bins + 2` cells per
    /// position, position `p` is unit `perm[p]`); with `par` the unit rows are added in parallel
    /// (integer sums: the result does not depend on the split). With `fresh` the caller knows every
    /// cell is still 0, and the first source is written rather than added (no read of a lazily
    /// zeroed page before its first write, which would cost a copy and a TLB flush on every core).
    pub(crate) fn add_permuted_hist(
        &mut self,
        perm: &[usize],
        hists: &[&[u32]],
        fresh: bool,
        par: bool,
    ) {
        let stride = self.bins + 2;
        if self.bins == 0 || hists.iter().all(|h| h.is_empty()) {
            return;
        }
        let n = self.shift.len();
        let row = |dst: &mut [u64], p: usize| {
            let mut first = fresh;
            for h in hists {
                if let Some(src) = h.get(p * stride..(p + 1) * stride) {
                    if first && src.len() == dst.len() {
                        dst.iter_mut()
                            .zip(src)
                            .for_each(|(a, &b)| *a = u64::from(b));
                    } else {
                        dst.iter_mut()
                            .zip(src)
                            .for_each(|(a, &b)| *a += u64::from(b));
                    }
                    first = false;
                }
            }
        };
        for_each_unit_row(&mut self.hist, stride, &perm[..perm.len().min(n)], par, row);
    }

    /// Same units, shifts, bounds, bins and steps: [`ScoreStats::merge`] accepts `other`.
    pub(crate) fn compatible(&self, other: &ScoreStats) -> bool {
        other.kept == self.kept
            && other.shift == self.shift
            && other.bounds == self.bounds
            && other.bins == self.bins
            && other.exp == self.exp
            && other.hist.len() == self.hist.len()
            && other.n.len() == self.n.len()
            && other.missing.len() == self.missing.len()
    }

    /// Add `other` (same units, shifts, bounds and bins).
    pub fn merge(&mut self, other: &ScoreStats) -> Result<()> {
        if !self.compatible(other) {
            return Err(Error::SweepMerge {
                reason: if self.kept == other.kept {
                    "score statistics with different units, shifts, bounds or bins".into()
                } else {
                    "one result kept score statistics and the other did not (score_stats)".into()
                },
            });
        }
        for (a, b) in self.n.iter_mut().zip(&other.n) {
            *a = a.wrapping_add(*b);
        }
        for (a, b) in self.missing.iter_mut().zip(&other.missing) {
            *a = a.wrapping_add(*b);
        }
        self.mom.add_mapped(&other.mom, Some);
        self.hist
            .iter_mut()
            .zip(&other.hist)
            .for_each(|(a, b)| *a = a.wrapping_add(*b));
        Ok(())
    }

    /// The first unit whose scores do not add up (`n + missing` against `variants`, or more values
    /// in its histogram than scores), with what was found; `None` when every unit's do or the
    /// statistics are not kept. Sums in `u128`, so a damaged count cannot overflow.
    pub(crate) fn unbalanced_unit(&self, variants: u64) -> Option<(usize, String)> {
        if !self.kept {
            return None;
        }
        (0..self.n_units()).find_map(|u| {
            let (n, missing) = (self.count(u), self.n_missing(u));
            let binned: u128 = self
                .unit_cells(u)
                .map_or(0, |c| c.iter().map(|&k| u128::from(k)).sum());
            if u128::from(n) + u128::from(missing) != u128::from(variants) {
                Some((u, format!("{n} scores and {missing} missing")))
            } else if binned > u128::from(n) {
                Some((u, format!("{binned} histogram values for {n} scores")))
            } else {
                None
            }
        })
    }

    /// Non-missing scores of unit `u`.
    pub fn count(&self, u: usize) -> u64 {
        self.n.get(u).copied().unwrap_or(0)
    }
    /// Missing scores of unit `u`.
    pub fn n_missing(&self, u: usize) -> u64 {
        self.missing.get(u).copied().unwrap_or(0)
    }
    /// Mean score of unit `u`.
    pub fn mean(&self, u: usize) -> Option<f64> {
        let n = self.count(u);
        (n > 0).then(|| self.shift[u] + self.sum_d(u) / n as f64)
    }
    /// Sample standard deviation (divisor `n − 1`) of unit `u`'s scores.
    pub fn sd(&self, u: usize) -> Option<f64> {
        let n = self.count(u);
        if n < 2 {
            return None;
        }
        let nf = n as f64;
        let (s, s2) = (self.sum_d(u), self.sum_d2(u));
        let v = (s2 - s * s / nf) / (nf - 1.0);
        Some(v.max(0.0).sqrt())
    }
    /// Values of unit `u` counted in its histogram (all non-missing values given to
    /// [`ScoreStats::add`]; in a sweep, those of the binned subsample, see the type docs).
    ///
    /// ```
    /// use composite_indicators::sweep::ScoreStats;
    /// let mut s = ScoreStats::new(vec![0.0], vec![(0.0, 1.0)], 4);
    /// s.add(&[0.5]);
    /// s.add(&[f64::NAN]);
    /// assert_eq!(s.binned(0), 1);
    /// ```
    pub fn binned(&self, u: usize) -> u64 {
        self.unit_cells(u).map_or(0, |c| c.iter().sum())
    }

    /// The `bins + 2` histogram cells of unit `u` (`None` without bins or for an unknown unit; no
    /// unchecked index arithmetic).
    fn unit_cells(&self, u: usize) -> Option<&[u64]> {
        if self.bins == 0 || u >= self.shift.len() {
            return None;
        }
        let stride = self.bins.checked_add(2)?;
        let a = u.checked_mul(stride)?;
        self.hist.get(a..a.checked_add(stride)?)
    }
    /// Number of units.
    ///
    /// ```
    /// use composite_indicators::sweep::ScoreStats;
    /// let s = ScoreStats::new(vec![0.0; 3], vec![(0.0, 1.0); 3], 8);
    /// assert_eq!((s.n_units(), s.n_bins()), (3, 8));
    /// ```
    pub fn n_units(&self) -> usize {
        self.shift.len()
    }

    /// Histogram bins per unit (0 = no quantiles).
    ///
    /// ```
    /// use composite_indicators::sweep::ScoreStats;
    /// assert_eq!(ScoreStats::new(vec![0.0], vec![(0.0, 1.0)], 0).n_bins(), 0);
    /// ```
    pub fn n_bins(&self) -> usize {
        self.bins
    }

    /// The histogram bounds of unit `u`.
    pub fn bounds(&self, u: usize) -> Option<(f64, f64)> {
        self.bounds.get(u).copied()
    }
    /// Interpolated `q`-quantile of unit `u`'s scores (see the type docs; `None` without bins, without
    /// values or for `q` outside `[0, 1]`). A unit whose scores are all equal (one value, or a sample
    /// standard deviation of exactly 0 from the exact moments) gets that value, its
    /// [`mean`](Self::mean), for every `q`, not a point inside its histogram bin.
    pub fn quantile(&self, u: usize, q: f64) -> Option<f64> {
        if self.bins == 0 || !(0.0..=1.0).contains(&q) {
            return None;
        }
        let n = self.binned(u);
        if n == 0 {
            return None;
        }
        if self.count(u) == 1 || self.sd(u) == Some(0.0) {
            return self.mean(u);
        }
        let (lo, hi) = self.bounds.get(u).copied()?;
        let stride = self.bins + 2;
        let cells = self.unit_cells(u)?;
        let target = q * n as f64;
        let width = (hi - lo) / self.bins as f64;
        let mut acc = 0u64;
        for (i, &c) in cells.iter().enumerate() {
            if c == 0 {
                continue;
            }
            let next = acc + c;
            if next as f64 >= target {
                if i == 0 {
                    return Some(lo);
                }
                if i == stride - 1 {
                    return Some(hi);
                }
                let frac = ((target - acc as f64) / c as f64).clamp(0.0, 1.0);
                return Some(lo + width * ((i - 1) as f64 + frac));
            }
            acc = next;
        }
        Some(hi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    /// The fast path's merge of score cells from several sources: written first when fresh, added
    /// otherwise, serial or parallel, always the plain sum.
    #[test]
    fn add_permuted_hist_sums_every_source() {
        let n: usize = 5;
        let bins: usize = 3;
        let stride = bins + 2;
        let perm = [2, 0, 4, 1, 3];
        let cells = (n * stride) as u32;
        let a: Vec<u32> = (0..cells).collect();
        let b: Vec<u32> = (0..cells).map(|i| 3 * i + 1).collect();
        let base = ScoreStats::new(vec![0.0; n], vec![(0.0, 1.0); n], bins);
        for fresh in [true, false] {
            for par in [true, false] {
                let mut s = base.clone();
                if !fresh {
                    s.hist.iter_mut().for_each(|h| *h = 2);
                }
                s.add_permuted_hist(&perm, &[&a, &b], fresh, par);
                for (p, &u) in perm.iter().enumerate() {
                    for c in 0..stride {
                        let i = p * stride + c;
                        let before = if fresh { 0 } else { 2 };
                        assert_eq!(s.hist[u * stride + c], before + u64::from(a[i] + b[i]));
                    }
                }
            }
        }
    }

    #[test]
    fn score_quantile_clamps_to_bounds() {
        let mut s = ScoreStats::new(vec![0.0], vec![(0.0, 1.0)], 10);
        s.add(&[-5.0]);
        s.add(&[5.0]);
        s.add(&[f64::NAN]);
        assert_eq!(s.quantile(0, 0.25), Some(0.0));
        assert_eq!(s.quantile(0, 1.0), Some(1.0));
        assert_eq!(s.n_missing(0), 1);
        assert_eq!(s.mean(0), Some(0.0));
    }

    /// Equal scores: every quantile is the score itself, not a point inside its bin (26.5 in a bin
    /// of 0–100 / 256 gave 26.509 … 26.678 before).
    #[test]
    fn equal_scores_have_their_value_as_every_quantile() {
        let mut s = ScoreStats::new(vec![26.5], vec![(0.0, 100.0)], 256);
        for _ in 0..50 {
            s.add(&[26.5]);
        }
        assert_eq!(s.sd(0), Some(0.0));
        for q in [0.0, 0.05, 0.5, 0.95, 1.0] {
            assert_eq!(s.quantile(0, q), Some(26.5));
        }
        let mut one = ScoreStats::new(vec![0.0], vec![(0.0, 100.0)], 256);
        one.add(&[42.0]);
        assert_eq!(one.quantile(0, 0.05), Some(42.0));
        // two different values still interpolate within the bins
        one.add(&[60.0]);
        let q = one.quantile(0, 0.5).unwrap();
        assert!(q > 42.0 && q < 60.0, "{q}");
    }
}
