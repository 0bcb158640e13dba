//! Exact, mergeable per-unit rank histograms.

use serde::{Deserialize, Serialize};

use super::engine::accumulate::{for_each_unit_row, widen};
use super::engine::memory::try_zeroed;
use crate::error::{Error, Expected, Result};
use crate::rank::Rank;

/// Per-unit histogram of ranks over variants (units × units `u64` counts) plus a count of variants in
/// which the unit had no rank (missing score). Exact and mergeable: merging histograms of disjoint
/// variant ranges gives exactly the histogram of the union.
///
/// **Binned summaries.** A histogram of `N` units may instead count ranks in bins of `w` consecutive
/// ranks ([`RankHistogram::binned`]; bin `b` holds ranks `b·w + 1 ..= min((b + 1)·w, N)`), in
/// `N × ⌈N / w⌉` counters instead of `N²`. Bin counts are exact (each is the sum of the exact counts of
/// its ranks) and merge exactly; rank statistics are then resolved to one bin: the mean and mean
/// absolute shift use bin midpoints (within `(w − 1)/2` of the exact values), the interpolated
/// quantiles of [`RankHistogram::quantile_interpolated`] (the UA report's) read each bin's counts as
/// spread evenly over its ranks (each order statistic stays in its bin, so a quantile is within
/// `w − 1` of the exact one, on either side, and a bin's order statistics average to the midpoint the
/// mean uses), the type-1 [`RankHistogram::quantile`] is the smallest rank of the bin where the exact
/// quantile lies (at most `w − 1` below it), and [`RankHistogram::prob_at_most`] counts whole bins
/// only. With `w = 1` (the default, [`RankHistogram::new`])
/// everything is exact. A sweep picks the summary from [`SweepConfig::rank_summary`](super::SweepConfig::rank_summary).
///
/// **Quantile rule:** the `q`-quantile of a unit's ranks is the smallest rank `r` whose cumulative
/// count reaches `⌈q·n⌉` (at least 1), `n` the number of variants in which the unit was ranked; this is
/// the `⌈q·n⌉`-th smallest rank (R's `quantile(type = 1)`). The median is the 0.5-quantile.
/// [`RankHistogram::quantile_interpolated`] gives R's default rule (type 7) instead, as COINr's rank
/// summaries and [`UaReport`](super::UaReport) use it.
///
/// ```
/// use composite_indicators::sweep::RankHistogram;
/// let mut h = RankHistogram::new(3);
/// h.add(&[Some(1), Some(2), Some(3)]);
/// h.add(&[Some(2), Some(1), Some(3)]);
/// h.add(&[Some(1), Some(3), None]);
/// assert_eq!(h.count(0, 1), 2);
/// assert_eq!(h.mean(0), Some(4.0 / 3.0));
/// assert_eq!(h.quantile(0, 0.5), Some(1));
/// assert_eq!(h.n_missing(2), 1);
/// assert_eq!(h.prob_at_most(1, 2), Some(2.0 / 3.0));
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "RankHistogramRepr")]
pub struct RankHistogram {
    n_units: usize,
    /// Ranks per bin (1 = exact).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    width: usize,
    counts: Vec<u64>,
    missing: Vec<u64>,
    variants: u64,
    /// Per unit, bins `span[u].0..=span[u].1` hold every non-zero count of unit `u` (none when
    /// `span[u].0 > span[u].1`); bins outside are 0. Kept up to date by every change (a superset of
    /// the non-zero bins, exact unless counts were added as whole rows), rebuilt from the counts when
    /// read from a file, not serialised, and ignored by `==`. The statistics scan only the span: a
    /// sweep's histogram is lazily zeroed memory, and reading a page nothing wrote maps it (a page
    /// fault per 4 KiB), so scanning whole rows of thousands of units touched every page of the table.
    #[serde(skip)]
    span: Vec<(u32, u32)>,
}

/// Equal histograms have the same units, bin width, counts, missing counts and variant count (the
/// spans are a reading aid, derived from the counts).
impl PartialEq for RankHistogram {
    fn eq(&self, other: &Self) -> bool {
        self.n_units == other.n_units
            && self.width == other.width
            && self.variants == other.variants
            && self.missing == other.missing
            && self.counts == other.counts
    }
}

impl Eq for RankHistogram {}

/// The span of no bins.
const EMPTY_SPAN: (u32, u32) = (u32::MAX, 0);

/// The exact span of `counts` rows of `nb` bins: per row, its first and last non-zero bin.
fn spans_of(counts: &[u64], nb: usize) -> Vec<(u32, u32)> {
    if nb == 0 {
        return Vec::new();
    }
    counts
        .chunks_exact(nb)
        .map(|row| {
            let mut sp = EMPTY_SPAN;
            if let (Some(a), Some(b)) = (
                row.iter().position(|&k| k != 0),
                row.iter().rposition(|&k| k != 0),
            ) {
                widen(&mut sp, a, b);
            }
            sp
        })
        .collect()
}

/// The serialised form of a [`RankHistogram`]; reading checks the lengths (`n_units²` counts,
/// `n_units` missing counts), so a damaged file is an error rather than a histogram that panics later.
#[derive(Deserialize)]
struct RankHistogramRepr {
    n_units: usize,
    #[serde(default = "one")]
    width: usize,
    counts: Vec<u64>,
    missing: Vec<u64>,
    variants: u64,
}

impl TryFrom<RankHistogramRepr> for RankHistogram {
    type Error = Error;
    fn try_from(r: RankHistogramRepr) -> Result<Self> {
        if r.width == 0 {
            return Err(Error::invalid(
                "rank histogram width",
                r.width,
                Expected::at_least(1.0),
            ));
        }
        let cells = r.n_units.checked_mul(r.n_units.div_ceil(r.width));
        if cells != Some(r.counts.len()) {
            return Err(Error::ShapeMismatch {
                what: format!(
                    "rank histogram counts ({} units × {} bins)",
                    r.n_units,
                    r.n_units.div_ceil(r.width)
                ),
                expected: cells.unwrap_or(usize::MAX),
                found: r.counts.len(),
            });
        }
        if r.missing.len() != r.n_units {
            return Err(Error::ShapeMismatch {
                what: "rank histogram missing counts (one per unit)".into(),
                expected: r.n_units,
                found: r.missing.len(),
            });
        }
        let span = spans_of(&r.counts, r.n_units.div_ceil(r.width));
        Ok(RankHistogram {
            n_units: r.n_units,
            width: r.width,
            counts: r.counts,
            missing: r.missing,
            variants: r.variants,
            span,
        })
    }
}

impl RankHistogram {
    /// An empty histogram for `n_units` units (`n_units² × 8` bytes; the process aborts if the system
    /// cannot provide them: use [`RankHistogram::try_new`] for sizes that come from user data).
    pub fn new(n_units: usize) -> Self {
        RankHistogram {
            n_units,
            width: 1,
            counts: vec![0; n_units * n_units],
            missing: vec![0; n_units],
            variants: 0,
            span: vec![EMPTY_SPAN; n_units],
        }
    }

    /// An empty histogram for `n_units` units, allocated fallibly.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when `n_units²` overflows, [`Error::AllocationFailed`] when the
    /// system refuses the `n_units² × 8` bytes (instead of aborting the process). Sweeps check a
    /// memory budget before they get here ([`SweepConfig::memory_budget`](super::SweepConfig::memory_budget)).
    ///
    /// ```
    /// use composite_indicators::sweep::RankHistogram;
    /// assert_eq!(RankHistogram::try_new(3).unwrap(), RankHistogram::new(3));
    /// assert!(RankHistogram::try_new(usize::MAX).is_err());
    /// ```
    pub fn try_new(n_units: usize) -> Result<Self> {
        Self::binned(n_units, 1)
    }

    /// An empty histogram for `n_units` units counting ranks in bins of `width` consecutive ranks
    /// (see the type docs), allocated fallibly: `n_units × ⌈n_units / width⌉ × 8` bytes. `width = 1`
    /// is the exact histogram.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a zero width or when the cell count overflows,
    /// [`Error::AllocationFailed`] when the system refuses the memory.
    ///
    /// ```
    /// use composite_indicators::sweep::RankHistogram;
    /// let mut h = RankHistogram::binned(10, 4).unwrap(); // bins 1-4, 5-8, 9-10
    /// assert_eq!((h.bin_width(), h.n_bins()), (4, 3));
    /// h.add(&[Some(6), Some(1), None, Some(10), None, None, None, None, None, None]);
    /// assert_eq!(h.count(0, 5), 1); // the bin of rank 5 holds rank 6
    /// assert_eq!(h.quantile(0, 0.5), Some(5)); // the smallest rank of that bin
    /// assert_eq!(h.mean(3), Some(9.5)); // the midpoint of bin 9-10
    /// ```
    pub fn binned(n_units: usize, width: usize) -> Result<Self> {
        if width == 0 {
            return Err(Error::invalid(
                "rank bin width",
                width,
                Expected::at_least(1.0),
            ));
        }
        let cells = n_units
            .checked_mul(n_units.div_ceil(width))
            .ok_or_else(|| {
                Error::invalid(
                    "units",
                    n_units,
                    Expected::Rule(format!(
                        "a rank histogram of {n_units} units has more than usize::MAX cells"
                    )),
                )
            })?;
        let what = if width == 1 {
            format!("rank histogram of {n_units} units")
        } else {
            format!("rank histogram of {n_units} units in bins of {width} ranks")
        };
        Ok(RankHistogram {
            n_units,
            width,
            counts: try_zeroed(cells, &what)?,
            missing: try_zeroed(n_units, &what)?,
            variants: 0,
            span: vec![EMPTY_SPAN; n_units],
        })
    }

    /// Add one variant's ranks (one per unit, [`crate::rank`]'s contract; `None` = unranked). Ranks
    /// of 0 or above the unit count cannot come from a ranking and are counted as missing.
    ///
    /// ```
    /// use composite_indicators::sweep::RankHistogram;
    /// let mut h = RankHistogram::new(2);
    /// h.add(&[Some(1), None]);
    /// assert_eq!((h.count(0, 1), h.n_missing(1)), (1, 1));
    /// ```
    pub fn add(&mut self, ranks: &[Option<Rank>]) {
        let (n, nb, w) = (self.n_units, self.n_bins(), self.width);
        for (u, &r) in ranks.iter().enumerate().take(n) {
            let r = r.unwrap_or(0) as usize;
            if r >= 1 && r <= n {
                let b = (r - 1) / w;
                self.counts[u * nb + b] += 1;
                widen(&mut self.span[u], b, b);
            } else {
                self.missing[u] += 1;
            }
        }
        self.variants += 1;
    }

    /// [`RankHistogram::add`] in the engine's encoding (`0` = unranked).
    pub(crate) fn add_encoded(&mut self, ranks: &[u32]) {
        let (n, nb, w) = (self.n_units, self.n_bins(), self.width);
        for (u, &r) in ranks.iter().enumerate().take(n) {
            let r = r as usize;
            if r >= 1 && r <= n {
                let b = (r - 1) / w;
                self.counts[u * nb + b] += 1;
                widen(&mut self.span[u], b, b);
            } else {
                self.missing[u] += 1;
            }
        }
        self.variants += 1;
    }

    /// Add blocks of counts accumulated elsewhere (the sweep fast path), one per [`PermutedCounts`]:
    /// `counts[p·bins + b]` (bin `b` of this histogram's width) and `missing[p]` belong to unit
    /// `perm[p]`. With a `band`, only bins `band[p].0..=band[p].1` of position `p` can be non-zero
    /// (none when `band[p].0 > band[p].1`), and only those are added. With `fresh` the caller knows
    /// every count of `self` is still 0, and each row's bins in the union of the bands are written
    /// with 0 before any is added (no read of a page nothing has written yet). With `par` the unit rows are merged in parallel
    /// (rayon; the sums are of integers, so the result does not depend on the split); callers inside
    /// a rayon task that holds a lock pass `false`.
    pub(crate) fn add_permuted<C: Copy + Into<u64> + Sync>(
        &mut self,
        perm: &[usize],
        parts: &[PermutedCounts<'_, C>],
        fresh: bool,
        par: bool,
    ) {
        let (n, nb) = (self.n_units, self.n_bins());
        let row = |dst: &mut [u64], p: usize| {
            // fresh: the first part's band is stored, not added, and the rest of the union of
            // the bands is written with 0 before anything is added: a lazily zeroed page read
            // before its first write is mapped to the zero page and copied on that write, with a
            // TLB flush on every core (see `FastBuffers::written`)
            let mut store = fresh;
            if fresh {
                let mut bands = parts.iter().filter_map(|part| part.bins(p, nb));
                if let Some(first) = bands.next() {
                    let union =
                        bands.fold(first.clone(), |a, b| a.start.min(b.start)..a.end.max(b.end));
                    for gap in [union.start..first.start, first.end..union.end] {
                        if let Some(d) = dst.get_mut(gap) {
                            d.fill(0);
                        }
                    }
                }
            }
            for part in parts {
                let Some(r) = part.bins(p, nb) else {
                    continue;
                };
                let (Some(d), Some(src)) = (
                    dst.get_mut(r.clone()),
                    part.counts.get(p * nb + r.start..p * nb + r.end),
                ) else {
                    continue;
                };
                if std::mem::take(&mut store) {
                    d.iter_mut().zip(src).for_each(|(a, &b)| *a = b.into());
                } else {
                    d.iter_mut().zip(src).for_each(|(a, &b)| *a += b.into());
                }
            }
        };
        for_each_unit_row(&mut self.counts, nb, &perm[..perm.len().min(n)], par, row);
        for (p, &u) in perm.iter().enumerate().take(n) {
            for part in parts {
                if let (Some(m), Some(&x)) = (self.missing.get_mut(u), part.missing.get(p)) {
                    *m += x;
                }
                if let (Some(sp), Some(r)) = (self.span.get_mut(u), part.bins(p, nb)) {
                    widen(sp, r.start, r.end - 1);
                }
            }
        }
        self.variants += parts.iter().map(|p| p.variants).sum::<u64>();
    }

    /// Add `other` (same unit count and bin width) exactly.
    ///
    /// # Errors
    ///
    /// [`Error::ShapeMismatch`] when the unit counts or the bin widths differ.
    pub fn merge(&mut self, other: &RankHistogram) -> Result<()> {
        if other.n_units != self.n_units {
            return Err(Error::ShapeMismatch {
                what: "rank histogram units".into(),
                expected: self.n_units,
                found: other.n_units,
            });
        }
        if other.width != self.width {
            return Err(Error::ShapeMismatch {
                what: "rank histogram bin width".into(),
                expected: self.width,
                found: other.width,
            });
        }
        // wrapping: real counts stay far below 2^64; only a damaged file could wrap, without a panic.
        // Zero cells are skipped, not added: a sweep's histograms come from lazily zeroed memory, and
        // most units reach few ranks, so most pages of the result are never written (not resident).
        // only `other`'s spans can hold non-zero counts
        let nb = self.n_bins();
        if nb > 0 {
            for (u, ((a, b), sp)) in self
                .counts
                .chunks_exact_mut(nb)
                .zip(other.counts.chunks_exact(nb))
                .zip(self.span.iter_mut())
                .enumerate()
            {
                let Some(&(lo, hi)) = other.span.get(u).filter(|s| s.0 <= s.1) else {
                    continue;
                };
                let (lo, hi) = (lo as usize, (hi as usize).min(nb - 1));
                let (Some(a), Some(b)) = (a.get_mut(lo..=hi), b.get(lo..=hi)) else {
                    continue;
                };
                a.iter_mut().zip(b).for_each(|(a, &b)| {
                    if b != 0 {
                        *a = a.wrapping_add(b);
                    }
                });
                widen(sp, lo, hi);
            }
        }
        self.missing
            .iter_mut()
            .zip(&other.missing)
            .for_each(|(a, b)| *a = a.wrapping_add(*b));
        self.variants = self.variants.wrapping_add(other.variants);
        Ok(())
    }

    /// Number of units.
    pub fn n_units(&self) -> usize {
        self.n_units
    }
    /// The first unit whose ranked and missing counts do not add up to the variant count, with its
    /// total (`None` when every unit's do, as in any histogram this crate fills). Sums in `u128`, so
    /// a damaged count cannot overflow.
    pub(crate) fn unbalanced_unit(&self) -> Option<(usize, u128)> {
        (0..self.n_units).find_map(|u| {
            let total = (self.unit_counts(u).iter().map(|&c| u128::from(c))).sum::<u128>()
                + u128::from(self.n_missing(u));
            (total != u128::from(self.variants)).then_some((u, total))
        })
    }
    /// Number of variants added.
    pub fn n_variants(&self) -> u64 {
        self.variants
    }
    /// Ranks per bin: 1 for an exact histogram, `w` for a binned summary (its resolution, see the
    /// type docs).
    pub fn bin_width(&self) -> usize {
        self.width
    }
    /// Bins per unit: `⌈n_units / bin_width⌉` (`n_units` for an exact histogram).
    pub fn n_bins(&self) -> usize {
        self.n_units.div_ceil(self.width)
    }
    /// Whether every rank has its own counter (`bin_width() == 1`).
    pub fn is_exact(&self) -> bool {
        self.width == 1
    }
    /// Variants in which unit `u` had rank `r` (0 for out-of-range arguments); for a binned summary,
    /// the variants in which its rank fell in the bin holding `r`.
    pub fn count(&self, u: usize, r: usize) -> u64 {
        if u >= self.n_units || r == 0 || r > self.n_units {
            return 0;
        }
        self.counts[u * self.n_bins() + (r - 1) / self.width]
    }
    /// The counts of unit `u` for ranks `1..=n_units` (for a binned summary, per bin:
    /// [`RankHistogram::n_bins`] counts); empty for an unknown unit.
    pub fn unit_counts(&self, u: usize) -> &[u64] {
        let (n, nb) = (self.n_units, self.n_bins());
        if u >= n {
            return &[];
        }
        // u < n and n · nb cells exist, so these products do not overflow
        u.checked_mul(nb)
            .and_then(|a| Some(a..a.checked_add(nb)?))
            .and_then(|r| self.counts.get(r))
            .unwrap_or(&[])
    }
    /// Variants in which unit `u` had no rank.
    pub fn n_missing(&self, u: usize) -> u64 {
        self.missing.get(u).copied().unwrap_or(0)
    }
    /// Variants in which unit `u` was ranked.
    pub fn n_ranked(&self, u: usize) -> u64 {
        self.live_counts(u).1.iter().sum()
    }

    /// The bins of unit `u` that can be non-zero, `(first bin, counts)`: its row of
    /// [`RankHistogram::unit_counts`] cut to its span (`(0, [])` when none can be, or for an unknown
    /// unit). Every statistic below reads only these; the bins left out are 0, so sums and walks over
    /// them give the same integers as over the whole row.
    fn live_counts(&self, u: usize) -> (usize, &[u64]) {
        let c = self.unit_counts(u);
        match self.span.get(u) {
            Some(&(lo, hi)) if lo <= hi => {
                let (lo, hi) = (lo as usize, (hi as usize).saturating_add(1).min(c.len()));
                (lo, c.get(lo..hi.max(lo)).unwrap_or(&[]))
            }
            _ => (0, &[]),
        }
    }
    /// Mean rank of unit `u` over the variants that rank it (`None` if none does).
    pub fn mean(&self, u: usize) -> Option<f64> {
        let (first, c) = self.live_counts(u);
        // twice the bin midpoints (lo + hi), exact integers; for exact histograms 2·rank, so the
        // quotient is bit for bit the plain mean
        let (n, s, _, _) = self.rank_sums(first, c, None);
        if n == 0 {
            return None;
        }
        Some(s as f64 / (2 * u128::from(n)) as f64)
    }
    /// The `q`-quantile (`0 ≤ q ≤ 1`) of unit `u`'s ranks by the rule in the type docs (`None` if the
    /// unit was never ranked or `q` is outside `[0, 1]`).
    pub fn quantile(&self, u: usize, q: f64) -> Option<Rank> {
        if !(0.0..=1.0).contains(&q) {
            return None;
        }
        let (first, c) = self.live_counts(u);
        let n: u64 = c.iter().sum();
        if n == 0 {
            return None;
        }
        let target = quantile_target(q, n);
        let mut acc = 0u64;
        for (i, &k) in c.iter().enumerate() {
            acc += k;
            if acc >= target {
                return Some(self.lowest(first + i) as Rank);
            }
        }
        None
    }
    /// Median rank (the 0.5-quantile).
    pub fn median(&self, u: usize) -> Option<Rank> {
        self.quantile(u, 0.5)
    }
    /// The `q`-quantile of unit `u`'s ranks by R's default rule (`quantile(type = 7)`, also numpy's
    /// default, and what COINr's rank summaries use): with `n` ranked variants, `index = 1 + (n − 1)·q`,
    /// `lo = ⌊index⌋` and `h = index − lo`, `(1 − h)` times the `lo`-th smallest rank plus `h` times the
    /// next one, in R's own arithmetic (so the values equal R's to the last bit). So the 0.5-quantile
    /// is R's `median()` (the mean of the two middle ranks for even `n`). `None` as for
    /// [`RankHistogram::quantile`].
    ///
    /// ```
    /// use composite_indicators::sweep::RankHistogram;
    /// let mut h = RankHistogram::new(3);
    /// for ranks in [[1, 2, 3], [2, 1, 3], [1, 2, 3], [2, 1, 3]] {
    ///     h.add(&ranks.map(Some));
    /// }
    /// // unit 0's ranks 1, 1, 2, 2: R's median is 1.5 and quantile(0.05) = 1
    /// assert_eq!(h.quantile_interpolated(0, 0.5), Some(1.5));
    /// assert_eq!(h.quantile_interpolated(0, 0.05), Some(1.0));
    /// assert_eq!(h.quantile_interpolated(0, 0.95), Some(2.0));
    /// assert_eq!(h.median(0), Some(1)); // the type-1 rule
    /// ```
    pub fn quantile_interpolated(&self, u: usize, q: f64) -> Option<f64> {
        if !(0.0..=1.0).contains(&q) {
            return None;
        }
        let (first, c) = self.live_counts(u);
        let n: u64 = c.iter().sum();
        if n == 0 {
            return None;
        }
        self.interpolated(c, n, first, q)
    }

    /// R's type-7 `q`-quantile of counts `c` of bins `first..` (`n` in all), computed as R's
    /// `quantile.default` does (see `crate::stats::quantile`): the `lo`-th and `hi`-th smallest ranks
    /// with `index = 1 + (n − 1)·q`, `lo = ⌊index⌋`, `hi = ⌈index⌉`, combined as `(1 − h)·x_lo + h·x_hi`.
    fn interpolated(&self, c: &[u64], n: u64, first: usize, q: f64) -> Option<f64> {
        let (lo_k, hi_k, h) = crate::stats::quantile::type7_position(n, q);
        let (mut lo, mut hi) = (None, None);
        let mut acc = 0u64;
        for (i, &cnt) in c.iter().enumerate() {
            let before = acc;
            acc += cnt;
            if lo.is_none() && acc >= lo_k {
                lo = Some(self.order_statistic(first + i, lo_k - before, cnt));
            }
            if acc >= hi_k {
                hi = Some(self.order_statistic(first + i, hi_k - before, cnt));
                break;
            }
        }
        Some(crate::stats::quantile::type7_combine(lo?, hi?, h))
    }

    /// The `j`-th smallest (1-based) of the `count` ranks counted in bin `i`: the bin's rank for an
    /// exact histogram; for a binned one, the ranks read as spread evenly over the bin, `lo + (j −
    /// 1)·(hi − lo)/(count − 1)` (the midpoint for a single count), so the order statistics of a bin
    /// average to its midpoint, as [`RankHistogram::mean`] takes it, and each lies in the bin, within
    /// `w − 1` of the exact one.
    fn order_statistic(&self, i: usize, j: u64, count: u64) -> f64 {
        let lo = self.lowest(i);
        if self.width == 1 {
            return lo as f64;
        }
        let hi = self.twice_mid(i) - lo;
        if count <= 1 {
            return self.twice_mid(i) as f64 / 2.0;
        }
        lo as f64 + (j.saturating_sub(1)) as f64 * (hi - lo) as f64 / (count - 1) as f64
    }
    /// Share of ranked variants in which unit `u` ranks `k` or better (for a binned summary, in a
    /// bin whose ranks are all `≤ k`: a lower bound that is exact when `k` ends a bin).
    pub fn prob_at_most(&self, u: usize, k: usize) -> Option<f64> {
        let (first, c) = self.live_counts(u);
        let n: u64 = c.iter().sum();
        if n == 0 {
            return None;
        }
        // bins 0..full count; those before `first` are 0
        let full = if k >= self.n_units {
            self.n_bins()
        } else {
            k / self.width
        };
        let s: u64 = c.iter().take(full.saturating_sub(first)).sum();
        Some(s as f64 / n as f64)
    }
    /// Mean of `|rank − nominal|` over the variants that rank unit `u`.
    pub fn mean_abs_shift(&self, u: usize, nominal: Rank) -> Option<f64> {
        let (first, c) = self.live_counts(u);
        // twice |midpoint − nominal|, exact integers (2·|rank − nominal| for exact histograms)
        let (n, _, s, _) = self.rank_sums(first, c, Some(2 * u64::from(nominal)));
        if n == 0 {
            return None;
        }
        Some(s as f64 / (2 * u128::from(n)) as f64)
    }

    /// What a UA row needs of unit `u`, in one pass over its counts plus one partial scan for the
    /// quantiles: `(median, q05, q95)` as [`RankHistogram::quantile_interpolated`], the mean as
    /// [`RankHistogram::mean`] and the mean absolute shift from `nominal` as
    /// [`RankHistogram::mean_abs_shift`]. The same integer sums and the same final divisions, so
    /// every value is bit-identical to the separate calls (tested); five passes fewer per unit.
    pub(crate) fn ua_stats(&self, u: usize, nominal: Option<Rank>) -> UaRankStats {
        let (off, c) = self.live_counts(u);
        let two_nom = nominal.map(|r| 2 * u64::from(r));
        let (n, s, a, first) = self.rank_sums(off, c, two_nom);
        if n == 0 {
            return UaRankStats::default();
        }
        let first = first.unwrap_or(0);
        let live = c.get(first..).unwrap_or(&[]);
        let quantile = |q: f64| self.interpolated(live, n, off + first, q);
        let d = (2 * u128::from(n)) as f64;
        UaRankStats {
            median: quantile(0.5),
            q05: quantile(0.05),
            q95: quantile(0.95),
            mean: Some(s as f64 / d),
            mean_abs_shift: two_nom.map(|_| a as f64 / d),
        }
    }

    /// Over the counts `c` of bins `off..`: the count, the sums of twice the bin midpoints and of
    /// their distances to `two_nom` (twice the nominal rank; 0 without one), each weighted by the
    /// counts, and the first bin with a count (relative to `off`). The sums are summed in `u64`
    /// where none can reach 2^64 (twice a midpoint is at most 2·units, a distance at most that or
    /// twice the nominal rank, which a file may set to anything; the counts sum to at most the
    /// variants), else in `u128`: the same integers, without 128-bit products per bin where they
    /// are not needed.
    fn rank_sums(
        &self,
        off: usize,
        c: &[u64],
        two_nom: Option<u64>,
    ) -> (u64, u128, u128, Option<usize>) {
        let small = u128::from((2 * self.n_units as u64 + 2).max(two_nom.unwrap_or(0)))
            * u128::from(
                self.variants
                    .max(c.iter().fold(0u64, |x, &k| x.saturating_add(k))),
            )
            < 1 << 64;
        if small {
            let (n, s, a, first) = self.rank_sums_in::<u64>(off, c, two_nom);
            (n, u128::from(s), u128::from(a), first)
        } else {
            self.rank_sums_in::<u128>(off, c, two_nom)
        }
    }

    /// [`RankHistogram::rank_sums`] in `T`, which the caller picks so that no sum overflows.
    fn rank_sums_in<T>(
        &self,
        off: usize,
        c: &[u64],
        two_nom: Option<u64>,
    ) -> (u64, T, T, Option<usize>)
    where
        T: From<u64> + std::ops::Mul<Output = T> + std::ops::AddAssign + Default,
    {
        let (mut n, mut s, mut a, mut first) = (0u64, T::default(), T::default(), None);
        for (i, &k) in c.iter().enumerate() {
            if k == 0 {
                continue;
            }
            first.get_or_insert(i);
            n += k;
            let m = self.twice_mid(off + i);
            s += T::from(m) * T::from(k);
            if let Some(t) = two_nom {
                a += T::from(m.abs_diff(t)) * T::from(k);
            }
        }
        (n, s, a, first)
    }

    /// The smallest rank of bin `i`.
    fn lowest(&self, i: usize) -> u64 {
        (i as u64) * self.width as u64 + 1
    }

    /// Twice the midpoint of bin `i`: its smallest plus its largest rank.
    fn twice_mid(&self, i: usize) -> u64 {
        let lo = self.lowest(i);
        let hi = (lo + self.width as u64 - 1).min(self.n_units as u64);
        lo + hi
    }
}

/// A unit's rank statistics for a UA row ([`RankHistogram::ua_stats`]); all `None` when the unit
/// was never ranked.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct UaRankStats {
    pub(crate) median: Option<f64>,
    pub(crate) q05: Option<f64>,
    pub(crate) q95: Option<f64>,
    pub(crate) mean: Option<f64>,
    pub(crate) mean_abs_shift: Option<f64>,
}

fn one() -> usize {
    1
}

fn is_one(x: &usize) -> bool {
    *x == 1
}

/// `max(1, ⌈q·n⌉)`: the 1-based order statistic of the quantile rule.
pub fn quantile_target(q: f64, n: u64) -> u64 {
    ((q * n as f64).ceil() as u64).clamp(1, n.max(1))
}

/// One source of [`RankHistogram::add_permuted`]: a thread's pending fast-path counts.
pub(crate) struct PermutedCounts<'a, C> {
    /// `counts[p·bins + b]`, position-major.
    pub(crate) counts: &'a [C],
    /// Per position, the bins that can be non-zero (`None`: every bin).
    pub(crate) band: Option<&'a [(u32, u32)]>,
    /// Unranked variants per position.
    pub(crate) missing: &'a [u64],
    /// Variants counted.
    pub(crate) variants: u64,
}

impl<C> PermutedCounts<'_, C> {
    /// The bins of position `p` (of `nb` per position) that can be non-zero: its band cut to `nb`,
    /// every bin without a band, `None` when there are none.
    fn bins(&self, p: usize, nb: usize) -> Option<std::ops::Range<usize>> {
        let r = match self.band {
            Some(b) => {
                let &(lo, hi) = b.get(p).filter(|s| s.0 <= s.1)?;
                lo as usize..(hi as usize + 1).min(nb)
            }
            None => 0..nb,
        };
        (!r.is_empty()).then_some(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn quantile_rule_by_hand() {
        // ranks of unit 0 over 4 variants: 1, 1, 2, 3
        let mut h = RankHistogram::new(3);
        for r in [[1, 2, 3], [1, 3, 2], [2, 1, 3], [3, 1, 2]] {
            h.add(&r.map(Some));
        }
        assert_eq!(h.quantile(0, 0.0), Some(1));
        assert_eq!(h.quantile(0, 0.5), Some(1)); // 2nd smallest
        assert_eq!(h.quantile(0, 0.51), Some(2)); // ceil(2.04) = 3rd
        assert_eq!(h.quantile(0, 1.0), Some(3));
        assert_eq!(h.mean_abs_shift(0, 1), Some(0.75)); // (0+0+1+2)/4
        assert_eq!(h.quantile(0, 1.5), None);
        // interpolated quantiles in R's own arithmetic: ranks 3 and 5 of a unit over 2 variants,
        // R's quantile(c(3, 5), 0.05) = 0.95·3 + 0.050000000000000044·5 = 3.0999999999999996 (the
        // textbook 3 + 0.05·2 would give 3.1)
        let mut h = RankHistogram::new(5);
        for r in [[3, 1, 2, 4, 5], [5, 1, 2, 3, 4]] {
            h.add(&r.map(Some));
        }
        assert_eq!(h.quantile_interpolated(0, 0.05), Some(3.0999999999999996));
    }

    /// A test source of `add_permuted`: counts, bands, missing counts.
    type Source = (Vec<u16>, Option<Vec<(u32, u32)>>, Vec<u64>);

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Merging several sources at once, fresh or not, serial or in parallel, equals adding them
        /// one at a time by hand (bands clip what is added; counts outside a band are ignored).
        #[test]
        fn add_permuted_equals_adding_by_hand(
            n in 1usize..40,
            width in 1usize..4,
            parts in proptest::collection::vec(
                (proptest::collection::vec(0u16..5, 0..200), proptest::collection::vec((0u32..20, 0u32..20), 0..40), proptest::bool::ANY),
                1..4,
            ),
            fresh in proptest::bool::ANY,
            par in proptest::bool::ANY,
            rot in 0usize..40,
        ) {
            let nb = n.div_ceil(width);
            // position p is unit perm[p] (a rotation)
            let perm: Vec<usize> = (0..n).map(|p| (p + rot) % n).collect();
            let srcs: Vec<Source> = parts
                .iter()
                .map(|(c, b, banded)| {
                    let counts: Vec<u16> = (0..n * nb).map(|i| c.get(i % c.len().max(1)).copied().unwrap_or(0)).collect();
                    let band = banded.then(|| (0..n).map(|p| b.get(p).copied().unwrap_or((1, 0))).collect());
                    let missing = (0..n as u64).collect();
                    (counts, band, missing)
                })
                .collect();
            let mut expect = RankHistogram::binned(n, width).unwrap();
            if !fresh {
                expect.counts.iter_mut().enumerate().for_each(|(i, c)| *c = i as u64 % 3);
                expect.span = spans_of(&expect.counts, nb);
            }
            let mut got = expect.clone();
            for (counts, band, missing) in &srcs {
                for (p, &u) in perm.iter().enumerate() {
                    for b in 0..nb {
                        let inside = band.as_ref().is_none_or(|bd| bd[p].0 <= bd[p].1 && (bd[p].0 as usize..=bd[p].1 as usize).contains(&b));
                        if inside {
                            expect.counts[u * nb + b] += u64::from(counts[p * nb + b]);
                        }
                    }
                    expect.missing[u] += missing[p];
                }
                expect.variants += 7;
            }
            let sources: Vec<PermutedCounts<'_, u16>> = srcs
                .iter()
                .map(|(c, b, m)| PermutedCounts { counts: c, band: b.as_deref(), missing: m, variants: 7 })
                .collect();
            got.add_permuted(&perm, &sources, fresh, par);
            proptest::prop_assert!(spans_cover_the_counts(&got));
            proptest::prop_assert_eq!(got, expect);
        }
    }

    /// Whether every non-zero count of `h` lies in its unit's span.
    fn spans_cover_the_counts(h: &RankHistogram) -> bool {
        let nb = h.n_bins();
        (0..h.n_units).all(|u| {
            let (lo, hi) = h.span[u];
            h.unit_counts(u)
                .iter()
                .enumerate()
                .all(|(b, &k)| k == 0 || (lo <= hi && (lo as usize..=hi as usize).contains(&b)))
                && (lo > hi || (hi as usize) < nb)
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// The spans stay a cover of the non-zero counts through `add`, `add_permuted` and `merge`
        /// and are rebuilt exactly when read from JSON; every statistic read over the span equals
        /// the same statistic computed here over the whole row.
        #[test]
        fn statistics_over_spans_equal_whole_rows(
            n in 1usize..30,
            width in 1usize..4,
            ranks in proptest::collection::vec(0u32..40, 0..300),
            banded in proptest::collection::vec((0u32..30, 0u32..30), 0..30),
        ) {
            let nb = n.div_ceil(width);
            let mut h = RankHistogram::binned(n, width).unwrap();
            for chunk in ranks.chunks(n) {
                let r: Vec<Option<Rank>> = (0..n)
                    .map(|u| chunk.get(u).copied().filter(|&x| x >= 1 && x as usize <= n))
                    .collect();
                h.add(&r);
            }
            let mut other = RankHistogram::binned(n, width).unwrap();
            let counts: Vec<u16> = (0..n * nb).map(|i| (i % 3) as u16).collect();
            let band: Vec<(u32, u32)> = (0..n).map(|p| banded.get(p).copied().unwrap_or((1, 0))).collect();
            let perm: Vec<usize> = (0..n).rev().collect();
            let missing = vec![0u64; n];
            let part = PermutedCounts { counts: &counts, band: Some(&band), missing: &missing, variants: 1 };
            other.add_permuted(&perm, &[part], true, false);
            proptest::prop_assert!(spans_cover_the_counts(&h));
            proptest::prop_assert!(spans_cover_the_counts(&other));
            h.merge(&other).unwrap();
            proptest::prop_assert!(spans_cover_the_counts(&h));
            let back: RankHistogram = serde_json::from_str(&serde_json::to_string(&h).unwrap()).unwrap();
            proptest::prop_assert_eq!(&back.span, &spans_of(&h.counts, nb));
            proptest::prop_assert!(spans_cover_the_counts(&back));
            for u in 0..n {
                let c = h.unit_counts(u);
                let total: u64 = c.iter().sum();
                proptest::prop_assert_eq!(h.n_ranked(u), total);
                // the whole-row statistics, written out here
                let lowest = |i: usize| (i * width + 1) as u64;
                let twice_mid = |i: usize| lowest(i) + (lowest(i) + width as u64 - 1).min(n as u64);
                let mean = (total > 0).then(|| {
                    let s: u128 = c.iter().enumerate().map(|(i, &k)| u128::from(twice_mid(i)) * u128::from(k)).sum();
                    s as f64 / (2 * u128::from(total)) as f64
                });
                proptest::prop_assert_eq!(h.mean(u).map(f64::to_bits), mean.map(f64::to_bits));
                for q in [0.0, 0.05, 0.5, 0.95, 1.0] {
                    let target = quantile_target(q, total);
                    let mut acc = 0;
                    let whole = (total > 0).then(|| {
                        c.iter().position(|&k| { acc += k; acc >= target }).map(|i| lowest(i) as Rank)
                    }).flatten();
                    proptest::prop_assert_eq!(h.quantile(u, q), whole);
                    let back_q = back.quantile_interpolated(u, q).map(f64::to_bits);
                    proptest::prop_assert_eq!(h.quantile_interpolated(u, q).map(f64::to_bits), back_q);
                }
                for k in [0, 1, n / 2, n, n + 1] {
                    let full = if k >= n { nb } else { k / width };
                    let p = (total > 0).then(|| c.iter().take(full).sum::<u64>() as f64 / total as f64);
                    proptest::prop_assert_eq!(h.prob_at_most(u, k).map(f64::to_bits), p.map(f64::to_bits));
                }
                let nominal = (u % n + 1) as Rank;
                let shift = (total > 0).then(|| {
                    let s: u128 = c.iter().enumerate().map(|(i, &k)| u128::from(twice_mid(i).abs_diff(2 * u64::from(nominal))) * u128::from(k)).sum();
                    s as f64 / (2 * u128::from(total)) as f64
                });
                proptest::prop_assert_eq!(h.mean_abs_shift(u, nominal).map(f64::to_bits), shift.map(f64::to_bits));
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// The one-pass UA statistics equal the separate public calls bit for bit, for exact and
        /// binned histograms, units never ranked and units without a nominal rank.
        #[test]
        fn ua_stats_equal_the_separate_calls(
            n in 1usize..12,
            width in 1usize..5,
            seed in proptest::collection::vec(0u32..1000, 0..60),
        ) {
            let mut h = RankHistogram::binned(n, width).unwrap();
            for (v, chunk) in seed.chunks(n.max(1)).enumerate() {
                let ranks: Vec<Option<Rank>> = (0..n)
                    .map(|u| {
                        let x = chunk.get(u).copied().unwrap_or(v as u32);
                        // unit 0 is never ranked; others sometimes
                        (u != 0 && x % 7 != 0).then_some(x % n as u32 + 1)
                    })
                    .collect();
                h.add(&ranks);
            }
            for u in 0..n {
                for nominal in [None, Some(1), Some(n as Rank)] {
                    let st = h.ua_stats(u, nominal);
                    let bits = |x: Option<f64>| x.map(f64::to_bits);
                    proptest::prop_assert_eq!(bits(st.median), bits(h.quantile_interpolated(u, 0.5)));
                    proptest::prop_assert_eq!(bits(st.q05), bits(h.quantile_interpolated(u, 0.05)));
                    proptest::prop_assert_eq!(bits(st.q95), bits(h.quantile_interpolated(u, 0.95)));
                    proptest::prop_assert_eq!(bits(st.mean), bits(h.mean(u)));
                    proptest::prop_assert_eq!(
                        bits(st.mean_abs_shift),
                        bits(nominal.and_then(|r| h.mean_abs_shift(u, r)))
                    );
                }
            }
        }
    }

    /// Counts large enough that the UA sums need 128 bits take the `u128` path, with the same
    /// values as the separate calls.
    #[test]
    fn ua_stats_with_huge_counts() {
        let mut h = RankHistogram::binned(3, 1).unwrap();
        h.add(&[Some(1), Some(2), Some(3)]);
        h.add(&[Some(3), Some(1), Some(2)]);
        h.counts[0] = 1 << 62; // unit 0, rank 1
        h.counts[2] = 1 << 61; // unit 0, rank 3
        h.variants = (1 << 62) + (1 << 61);
        assert!((2 * 3 + 2) * u128::from(h.variants) >= 1 << 64);
        let st = h.ua_stats(0, Some(2));
        assert_eq!(st.mean, h.mean(0));
        assert_eq!(st.mean_abs_shift, h.mean_abs_shift(0, 2));
        assert_eq!(st.median, h.quantile_interpolated(0, 0.5));
        assert!((st.mean.unwrap() - 5.0 / 3.0).abs() < 1e-12);
        // small counts but a nominal rank far beyond the units (a file may say anything): the
        // distances need 128 bits
        let mut h = RankHistogram::binned(2, 1).unwrap();
        h.add(&[Some(1), Some(2)]);
        h.counts[0] = 1 << 40;
        h.variants = 1 << 40;
        let st = h.ua_stats(0, Some(Rank::MAX));
        assert_eq!(st.mean_abs_shift, h.mean_abs_shift(0, Rank::MAX));
        assert_eq!(st.mean_abs_shift, Some(f64::from(Rank::MAX) - 1.0));
    }
}
