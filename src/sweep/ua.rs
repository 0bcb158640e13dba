//! Uncertainty-analysis summary: one row per unit.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::result::SweepResult;
use crate::rank::Rank;

/// One unit's line of the uncertainty report. Ranks follow the crate's rank contract
/// ([`crate::rank`]: 1 = best, `Min` ties); the nominal rank is a [`Rank`], the rank statistics
/// (median, quantiles, means) are `f64` because they interpolate between ranks. Rank fields are
/// `None` when the unit was never ranked (every score missing); rank quantiles are R's default (type 7, interpolated, as COINr's
/// `get_sensitivity` rank summaries: [`RankHistogram::quantile_interpolated`](super::RankHistogram::quantile_interpolated)),
/// score quantiles follow [`ScoreStats`](super::ScoreStats).
///
/// Equality compares every field; a missing value (NaN) equals a missing one.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UaRow {
    /// Unit code.
    pub unit: String,
    /// Nominal index score.
    #[serde(with = "crate::serde_nan::num")]
    pub nominal_score: f64,
    /// Nominal rank (`None` if the nominal score is missing).
    pub nominal_rank: Option<Rank>,
    /// Median rank over variants (R's `median()`: the mean of the two middle ranks for an even count).
    pub median_rank: Option<f64>,
    /// 5 % rank quantile (a good rank: small number), R's default `quantile()` (type 7), as COINr.
    pub q05_rank: Option<f64>,
    /// 95 % rank quantile, R's default `quantile()` (type 7), as COINr.
    pub q95_rank: Option<f64>,
    /// Mean rank.
    pub mean_rank: Option<f64>,
    /// Mean over the variants of `|rank − nominal rank|` for this unit. (COINr's mean absolute rank
    /// shift, the Sobol target `mean_abs_rank_shift`, is the mean over units within one run; the
    /// mean of this column over units equals its mean over runs when no score is missing.)
    pub mean_abs_shift: Option<f64>,
    /// Mean score over all variants, method alternatives included: with alternatives that
    /// normalise differently, scores on different scales are pooled (`compind report` then leaves
    /// the score columns empty); compare ranks across such alternatives.
    pub score_mean: Option<f64>,
    /// Sample standard deviation of the score.
    pub score_sd: Option<f64>,
    /// 5 % score quantile (binned, interpolated).
    pub score_q05: Option<f64>,
    /// Median score (binned, interpolated).
    pub score_median: Option<f64>,
    /// 95 % score quantile (binned, interpolated).
    pub score_q95: Option<f64>,
    /// Variants in which the unit had no score.
    pub n_missing: u64,
}

impl PartialEq for UaRow {
    fn eq(&self, other: &Self) -> bool {
        use crate::nan_eq::NanEq;
        // every field, named, so a new one cannot be left out
        let UaRow {
            unit,
            nominal_score,
            nominal_rank,
            median_rank,
            q05_rank,
            q95_rank,
            mean_rank,
            mean_abs_shift,
            score_mean,
            score_sd,
            score_q05,
            score_median,
            score_q95,
            n_missing,
        } = self;
        *unit == other.unit
            && nominal_score.nan_eq(&other.nominal_score)
            && *nominal_rank == other.nominal_rank
            && median_rank.nan_eq(&other.median_rank)
            && q05_rank.nan_eq(&other.q05_rank)
            && q95_rank.nan_eq(&other.q95_rank)
            && mean_rank.nan_eq(&other.mean_rank)
            && mean_abs_shift.nan_eq(&other.mean_abs_shift)
            && score_mean.nan_eq(&other.score_mean)
            && score_sd.nan_eq(&other.score_sd)
            && score_q05.nan_eq(&other.score_q05)
            && score_median.nan_eq(&other.score_median)
            && score_q95.nan_eq(&other.score_q95)
            && *n_missing == other.n_missing
    }
}

/// Per-unit uncertainty report, built from a [`SweepResult`]; rows in unit order. Rows serialise with
/// serde (e.g. one CSV line per unit with the `csv` crate).
///
/// ```
/// use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
/// use composite_indicators::sweep::{BatchModel, NodeSelection, SweepConfig, WeightSampler};
/// let fw = FrameworkSpec::new( "t", vec![Indicator::new("a", "I"),
///     Indicator::new("b", "I")], vec![Pillar::new("I")] ).check().unwrap();
/// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None,
///     vec![ndarray::array![[0.0, 1.0], [0.9, 0.0]]]).unwrap();
/// let cfg = SweepConfig::new(200, 3, WeightSampler::Uniform { spread: 0.9, nodes: NodeSelection::All });
/// let ua = m.sweep(&cfg).unwrap().ua_report();
/// assert_eq!(ua.rows.len(), 2);
/// assert_eq!(ua.rows[0].nominal_rank, Some(1)); // 0.5 against 0.45 at equal weights
/// assert!(ua.rows[0].mean_abs_shift.unwrap() > 0.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UaReport {
    /// Variants summarised.
    pub variants: u64,
    /// One row per unit.
    pub rows: Vec<UaRow>,
}

impl UaReport {
    /// Summarise a sweep result.
    pub fn from_result(r: &SweepResult) -> Self {
        let h = &r.ranks;
        let s = &r.scores;
        // units in parallel (each row reads only its own histogram row; the order is kept)
        let rows = (0..h.n_units())
            .into_par_iter()
            .map(|u| {
                let nominal_rank = r.nominal_ranks.get(u).copied().flatten();
                let st = h.ua_stats(u, nominal_rank);
                UaRow {
                    unit: r.unit_codes.get(u).cloned().unwrap_or_default(),
                    nominal_score: r.nominal_scores.get(u).copied().unwrap_or(f64::NAN),
                    nominal_rank,
                    median_rank: st.median,
                    q05_rank: st.q05,
                    q95_rank: st.q95,
                    mean_rank: st.mean,
                    mean_abs_shift: st.mean_abs_shift,
                    score_mean: s.mean(u),
                    score_sd: s.sd(u),
                    score_q05: s.quantile(u, 0.05),
                    score_median: s.quantile(u, 0.5),
                    score_q95: s.quantile(u, 0.95),
                    n_missing: h.n_missing(u),
                }
            })
            .collect();
        UaReport {
            variants: h.n_variants(),
            rows,
        }
    }

    /// Mean over units of the mean absolute rank shift (units without a nominal rank left out).
    /// Without missing scores this equals the mean over variants of COINr's per-run target (the mean
    /// over units of `|rank − nominal rank|`, the [`BatchModel::sobol`](super::BatchModel::sobol)
    /// target `mean_abs_rank_shift`); when some units go unranked in some variants the two weight
    /// those variants differently.
    pub fn mean_abs_shift(&self) -> Option<f64> {
        let v: Vec<f64> = self.rows.iter().filter_map(|r| r.mean_abs_shift).collect();
        crate::stats::mean_of(&v)
    }
}
