//! What a sweep returns: [`SweepResult`] (exactly mergeable accumulators) and its [`SweepFingerprint`].

use serde::{Deserialize, Serialize};

use super::histogram::RankHistogram;
use super::score_stats::ScoreStats;
use super::ua::UaReport;
use crate::error::{Error, Result};
use crate::rank::Rank;

/// What identifies a sweep: results with equal fingerprints hold accumulators of the same variants
/// (same seed, samplers, variant count, score bins and model) and may be merged.
///
/// ```
/// use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
/// use composite_indicators::sweep::{BatchModel, SweepConfig, WeightSampler};
/// let fw = FrameworkSpec::new( "t", vec![Indicator::new("a", "I")],
///     vec![Pillar::new("I")] ).check().unwrap();
/// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None,
///     vec![ndarray::array![[1.0], [2.0]]]).unwrap();
/// let r = m.sweep(&SweepConfig::new(5, 9, WeightSampler::Nominal)).unwrap();
/// let f = r.fingerprint.unwrap();
/// assert_eq!((f.seed, f.variants), (9, 5));
/// assert_eq!(f.model, format!("{:016x}", m.model_hash()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepFingerprint {
    /// The seed.
    pub seed: u64,
    /// Variants `K` of the whole sweep.
    pub variants: usize,
    /// FNV-1a hash (16 hex digits) of the samplers, `K` and the score bins.
    pub config: String,
    /// [`BatchModel::model_hash`](crate::sweep::BatchModel::model_hash) (16 hex digits).
    pub model: String,
}

impl SweepFingerprint {
    /// What differs from `other`, in words (`None` if nothing does).
    fn difference(&self, other: &SweepFingerprint) -> Option<String> {
        if self.seed != other.seed {
            return Some(format!("seeds differ ({} and {})", self.seed, other.seed));
        }
        if self.variants != other.variants {
            return Some(format!(
                "variant counts differ ({} and {})",
                self.variants, other.variants
            ));
        }
        if self.config != other.config {
            return Some(format!(
                "samplers or score bins differ (config fingerprints {} and {})",
                self.config, other.config
            ));
        }
        if self.model != other.model {
            return Some(format!(
                "models differ (model fingerprints {} and {})",
                self.model, other.model
            ));
        }
        None
    }
}

/// Everything a sweep accumulates; serde-serialisable and exactly mergeable over disjoint variant
/// ranges ([`SweepResult::merge`]): any split of a sweep into contiguous ranges run with
/// [`BatchModel::sweep_range`](crate::sweep::BatchModel::sweep_range), merged in any order, equals the single run bit for bit (and so
/// serialises to the same JSON).
///
/// Equality compares every field; a missing nominal score equals a missing one (NaN is not unequal
/// to itself here, as in [`Dataset`](crate::Dataset)'s equality), so a result equals its copy and a
/// rerun with the same seed equals the first run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SweepResult {
    /// Unit codes.
    pub unit_codes: Vec<String>,
    /// Index scores under the nominal weights and alternative 0.
    #[serde(with = "crate::serde_nan::vec")]
    pub nominal_scores: Vec<f64>,
    /// Nominal ranks (the crate's rank contract, [`crate::rank`]; `None` = unranked, stored as `0`
    /// in the serialised form).
    #[serde(with = "crate::rank::zero_unranked")]
    pub nominal_ranks: Vec<Option<Rank>>,
    /// Rank histograms over the variants.
    pub ranks: RankHistogram,
    /// Score statistics over the variants ([`ScoreStats::not_kept`] for a sweep with
    /// [`SweepConfig::score_stats`](super::SweepConfig::score_stats) `false`).
    pub scores: ScoreStats,
    /// The variant ranges covered, as sorted, disjoint, non-adjacent half-open `[start, end)` pairs
    /// (one pair for a single run; empty in results written before ranges were recorded).
    #[serde(default)]
    pub ranges: Vec<[usize; 2]>,
    /// The sweep's fingerprint (`None` in results written before fingerprints were recorded; such
    /// results cannot be merged).
    #[serde(default)]
    pub fingerprint: Option<SweepFingerprint>,
}

impl PartialEq for SweepResult {
    fn eq(&self, other: &Self) -> bool {
        use crate::nan_eq::NanEq;
        // every field, named, so a new one cannot be left out
        let SweepResult {
            unit_codes,
            nominal_scores,
            nominal_ranks,
            ranks,
            scores,
            ranges,
            fingerprint,
        } = self;
        *unit_codes == other.unit_codes
            && nominal_scores.nan_eq(&other.nominal_scores)
            && *nominal_ranks == other.nominal_ranks
            && *ranks == other.ranks
            && *scores == other.scores
            && *ranges == other.ranges
            && *fingerprint == other.fingerprint
    }
}

/// Sorted, coalesced, non-empty ranges.
pub(super) fn normalise_ranges(mut r: Vec<[usize; 2]>) -> Vec<[usize; 2]> {
    r.retain(|x| x[0] < x[1]);
    r.sort_unstable();
    let mut out: Vec<[usize; 2]> = Vec::with_capacity(r.len());
    for x in r {
        match out.last_mut() {
            Some(last) if x[0] <= last[1] => last[1] = last[1].max(x[1]),
            _ => out.push(x),
        }
    }
    out
}

/// Variants covered by `ranges`.
fn covered(ranges: &[[usize; 2]]) -> u64 {
    ranges.iter().fold(0u64, |a, r| {
        a.saturating_add(r[1].saturating_sub(r[0]) as u64)
    })
}

impl SweepResult {
    /// Check that the result holds together as every result a sweep returns does, so that a result
    /// read from a damaged or edited file is an error instead of a report of impossible numbers:
    /// one nominal score, nominal rank, rank-histogram row and score-statistics row per unit; no unit
    /// code twice; the nominal ranks are the crate's ranks of the nominal scores
    /// ([`crate::rank::competition_ranks`]); every unit's ranked and missing counts add up to the
    /// variant count (and its scores, when kept); the ranges are sorted, disjoint, within the
    /// fingerprint's variants and cover exactly the variants counted (results written before ranges
    /// were recorded have none, and are not checked there).
    ///
    /// [`SweepResult::merge`] checks both results this way; `compind` checks every sweep file it reads.
    ///
    /// # Errors
    ///
    /// [`Error::Incompatible`] (`what` = `sweep result`) naming the first inconsistency found.
    ///
    /// # Examples
    ///
    /// ```
    /// use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// use composite_indicators::sweep::{BatchModel, SweepConfig, WeightSampler};
    /// let fw = FrameworkSpec::new("t", vec![Indicator::new("a", "I"), Indicator::new("b", "I")],
    ///     vec![Pillar::new("I")]).check().unwrap();
    /// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None,
    ///     vec![ndarray::array![[0.0, 1.0], [1.0, 0.0], [0.4, 0.5]]]).unwrap();
    /// let r = m.sweep(&SweepConfig::new(50, 1, WeightSampler::Nominal)).unwrap();
    /// assert!(r.check().is_ok());
    /// let mut edited = r.clone();
    /// edited.nominal_ranks.swap(0, 2);
    /// assert!(edited.check().is_err());
    /// ```
    pub fn check(&self) -> Result<()> {
        let bad = |reason: String| {
            Err(Error::Incompatible {
                what: "sweep result".into(),
                reason,
            })
        };
        let n = self.unit_codes.len();
        let lengths = [
            ("nominal scores", self.nominal_scores.len()),
            ("nominal ranks", self.nominal_ranks.len()),
            ("rank-histogram rows", self.ranks.n_units()),
            ("score-statistics rows", self.scores.n_units()),
        ];
        if let Some((what, len)) = lengths.iter().find(|&&(_, len)| len != n) {
            return bad(format!("{len} {what} for {n} unit codes"));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(code) = self.unit_codes.iter().find(|c| !seen.insert(c.as_str())) {
            return bad(format!("unit code `{code}` appears twice"));
        }
        let expected = crate::rank::competition_ranks(&self.nominal_scores);
        if let Some(u) = (0..n).find(|&u| expected[u] != self.nominal_ranks[u]) {
            return bad(format!(
                "unit `{}` has nominal rank {} but its nominal score {} ranks {}",
                self.unit_codes[u],
                self.nominal_ranks[u].map_or("none".into(), |r| r.to_string()),
                self.nominal_scores[u],
                expected[u].map_or("none".into(), |r| r.to_string()),
            ));
        }
        let variants = self.ranks.n_variants();
        if let Some((u, total)) = self.ranks.unbalanced_unit() {
            return bad(format!(
                "unit `{}` has {total} ranked and missing counts for {variants} variants",
                self.unit_codes[u]
            ));
        }
        if let Some((u, found)) = self.scores.unbalanced_unit(variants) {
            return bad(format!(
                "unit `{}` has {found} for {variants} variants",
                self.unit_codes[u]
            ));
        }
        let sorted = self.ranges.windows(2).all(|w| w[0][1] < w[1][0])
            && self.ranges.iter().all(|r| r[0] < r[1]);
        let within = match &self.fingerprint {
            Some(f) => self.ranges.iter().all(|r| r[1] <= f.variants),
            None => true,
        };
        if !sorted || !within || (!self.ranges.is_empty() && covered(&self.ranges) != variants) {
            return bad(format!(
                "ranges {:?} do not match the {variants} variants counted{}",
                self.ranges,
                self.fingerprint
                    .as_ref()
                    .map_or(String::new(), |f| format!(" (of {})", f.variants))
            ));
        }
        Ok(())
    }

    /// Add the accumulators of another range of the same sweep. Exact: the result does not depend
    /// on how the variants were split or in which order the parts are merged.
    ///
    /// # Errors
    ///
    /// [`Error::SweepMerge`] when the fingerprints differ (seed, samplers, variant count, score bins
    /// or model) or either result has none, when the two cover a common variant, or when a result's
    /// ranges disagree with its variant count or it fails [`SweepResult::check`] (a damaged file);
    /// [`Error::ShapeMismatch`] /
    /// [`Error::SweepMerge`] when the accumulators' shapes differ. On error `self` is unchanged.
    ///
    /// ```
    /// use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
    /// use composite_indicators::sweep::{BatchModel, NodeSelection, SweepConfig, WeightSampler};
    /// let fw = FrameworkSpec::new( "t", vec![Indicator::new("a", "I"),
    ///     Indicator::new("b", "I")], vec![Pillar::new("I")] ).check().unwrap();
    /// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None,
    ///     vec![ndarray::array![[0.0, 1.0], [1.0, 0.0], [0.4, 0.5]]]).unwrap();
    /// let cfg = SweepConfig::new(100, 1, WeightSampler::Uniform { spread: 0.5, nodes: NodeSelection::All });
    /// let whole = m.sweep(&cfg).unwrap();
    /// let mut b = m.sweep_range(&cfg, 40..100).unwrap();
    /// let a = m.sweep_range(&cfg, 0..40).unwrap();
    /// b.merge(&a).unwrap();
    /// assert_eq!(b, whole);
    /// assert_eq!(b.ranges, vec![[0, 100]]);
    /// assert!(b.merge(&a).is_err()); // variants 0..40 twice
    /// ```
    pub fn merge(&mut self, other: &SweepResult) -> Result<()> {
        if self.scores.is_kept() != other.scores.is_kept() {
            return Err(Error::SweepMerge {
                reason: "one result kept score statistics and the other did not \
                         (SweepConfig::score_stats; compind sweep --no-score-stats)"
                    .into(),
            });
        }
        let (Some(fa), Some(fb)) = (&self.fingerprint, &other.fingerprint) else {
            return Err(Error::SweepMerge {
                reason: "a result has no fingerprint (written by an older version); run it again"
                    .into(),
            });
        };
        if let Some(d) = fa.difference(fb) {
            return Err(Error::SweepMerge { reason: d });
        }
        for r in [&*self, other] {
            r.check().map_err(|e| Error::SweepMerge {
                reason: format!("a damaged result: {e}"),
            })?;
            // `check` accepts a result without ranges (written before they were recorded, or
            // edited); merging needs them to account for every variant counted
            if covered(&r.ranges) != r.ranks.n_variants() {
                return Err(Error::SweepMerge {
                    reason: format!(
                        "ranges {:?} do not match the {} variants counted (of {}): a damaged result",
                        r.ranges,
                        r.ranks.n_variants(),
                        fa.variants
                    ),
                });
            }
        }
        for a in &self.ranges {
            for b in &other.ranges {
                let (lo, hi) = (a[0].max(b[0]), a[1].min(b[1]));
                if lo < hi {
                    return Err(Error::SweepMerge {
                        reason: format!("both results cover variants {lo}..{hi}"),
                    });
                }
            }
        }
        let same_scores = self.nominal_scores.len() == other.nominal_scores.len()
            && self
                .nominal_scores
                .iter()
                .zip(&other.nominal_scores)
                .all(|(a, b)| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()));
        if self.nominal_ranks != other.nominal_ranks
            || self.unit_codes != other.unit_codes
            || !same_scores
        {
            return Err(Error::SweepMerge {
                reason: "nominal scores, nominal ranks or unit codes differ".into(),
            });
        }
        if !self.scores.compatible(&other.scores) || self.ranks.n_units() != other.ranks.n_units() {
            return Err(Error::SweepMerge {
                reason: "the accumulators have different shapes (units, bins or bounds)".into(),
            });
        }
        self.ranks.merge(&other.ranks)?;
        self.scores.merge(&other.scores)?;
        let mut r = std::mem::take(&mut self.ranges);
        r.extend_from_slice(&other.ranges);
        self.ranges = normalise_ranges(r);
        Ok(())
    }

    /// The uncertainty-analysis table.
    pub fn ua_report(&self) -> UaReport {
        UaReport::from_result(self)
    }
}
