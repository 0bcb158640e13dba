//! Leave-one-out of framework elements (COINr's `remove_elements`): for every element of a level,
//! score again without it and see how the ranks move.
//!
//! # What "removing" means (COINr's semantics)
//!
//! COINr removes an element by **setting its weight to zero** and regenerating the coin; the other
//! weights keep their values. With the crate's aggregators this means:
//!
//! * the element's siblings share its parent with their weights re-normalised over what is left (a
//!   weighted mean divides by the sum of the weights of the available children, now without the
//!   removed one);
//! * a parent that loses its **last** child (every remaining weight is zero) gets a missing value for
//!   every unit — COINr's `a_amean` divides by a zero weight sum and gives `NaN` — and that missing
//!   value is then skipped (or propagated) by the grandparent under the scorer's [`MissingPolicy`](crate::aggregate::MissingPolicy),
//!   exactly like any other missing child;
//! * nothing upstream changes: COINr's normalisation, imputation and treatment never look at the
//!   weights, and a data-driven weight scheme is computed once (COINr also keeps the weight set that
//!   was used and only zeroes one entry). The normalised matrix and the weights are therefore taken
//!   from the nominal build.
//!
//! The minimum-coverage rule of [`MissingPolicy::Skip`](crate::aggregate::MissingPolicy::Skip) counts children, not weights (COINr's
//! `dat_thresh` does the same), so a zero-weight child that has a value still counts as available.
//!
//! # Batched evaluation
//!
//! An aggregate depends only on its children's values and weights, so removing element `e` changes
//! only the aggregates on the path from `e`'s parent to the root. [`RemoveMethod::Batched`] (the
//! default) scores the nominal build once and, per removal, re-aggregates only that path (depth
//! aggregator calls on the units × children blocks) — for a linear mean this is the
//! one-product-per-removal update; it is exact for every aggregator, linear or not, because each
//! recomputed aggregate is computed by the same aggregator from the same inputs a full rebuild would
//! see. [`RemoveMethod::Rebuild`] refits the normalisation, recomputes the weights and aggregates the
//! whole tree for every removal (what COINr's `Regen` does); it is the reference the batched result
//! is tested against (bit-identical on ASEM, `tests/remove.rs`).
//!
//! # Ranks
//!
//! Ranks use the scorer's [`TieRule`](crate::rank::TieRule) (default `Min`, COINr's). The rank
//! difference is `nominal rank − rank without the element` (COINr's `RankDiffs`: positive = the unit
//! moves up when the element is removed); missing when either rank is missing. The mean absolute rank
//! difference of an element averages over the units whose difference is not missing (COINr's
//! `colMeans(..., na.rm = TRUE)`); it is NaN if there are none.
//!
//! # Differences from COINr
//!
//! * Under [`WeightScheme::Bonus`](crate::WeightScheme::Bonus) the bonus-flagged indicators are not
//!   weighted inside the tree (they are added to the index with the bonus weight), so zeroing their
//!   weight would change nothing; they are not removed and are listed in
//!   [`LeaveOneOut::skipped`]. COINr has no bonus scheme.

use std::io::Write;
use std::path::Path;

use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

use crate::data::Dataset;
use crate::error::{Error, Expected, Result};
use crate::io::{format_f64, write_atomic};
use crate::rank::rank_desc;
use crate::score::{Scorer, aggregate_tree};

use super::csv_rows::{CsvTable, name_output, write_rows};
use super::tree::Tree;

/// How each removal is scored (see the module docs).
///
/// ```
/// use composite_indicators::study::remove::RemoveMethod;
/// assert_eq!(RemoveMethod::default(), RemoveMethod::Batched);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemoveMethod {
    /// Score the nominal build once; per removal re-aggregate only the removed element's ancestors.
    #[default]
    Batched,
    /// Refit, reweigh and re-aggregate the whole tree for every removal (COINr's `Regen`).
    Rebuild,
}

/// Options of [`remove_elements`].
///
/// ```
/// use composite_indicators::study::remove::{RemoveMethod, RemoveOptions};
/// let o = RemoveOptions::new(2).target("Conn").method(RemoveMethod::Rebuild);
/// assert_eq!((o.level, o.target.as_deref()), (2, Some("Conn")));
/// let j: RemoveOptions = serde_json::from_str(r#"{"level": 1}"#).unwrap();
/// assert_eq!(j, RemoveOptions::new(1));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoveOptions {
    /// The level whose elements are removed one at a time: 1 = indicators, 2 = their parents, ...;
    /// from 1 to the root's level minus one (COINr's `Level`).
    pub level: usize,
    /// The node whose scores and ranks are reported (COINr's `iCode`); the root index when `None`.
    #[serde(default)]
    pub target: Option<String>,
    /// Batched (default) or full rebuild.
    #[serde(default)]
    pub method: RemoveMethod,
}

impl RemoveOptions {
    /// Remove each element of `level` in turn, report the index, batched.
    pub fn new(level: usize) -> RemoveOptions {
        RemoveOptions {
            level,
            target: None,
            method: RemoveMethod::Batched,
        }
    }
    /// Report this node instead of the index.
    pub fn target(mut self, code: impl Into<String>) -> RemoveOptions {
        self.target = Some(code.into());
        self
    }
    /// Choose the evaluation method.
    pub fn method(mut self, method: RemoveMethod) -> RemoveOptions {
        self.method = method;
        self
    }
}

/// The result of [`remove_elements`]: per removed element, every unit's score and rank at the target
/// node, the rank difference from the nominal build, and the mean absolute rank difference.
///
/// Matrices are units × removed elements (rows in the data set's unit order, columns in framework
/// node order). COINr's tables map as: `Scores` → [`LeaveOneOut::scores`] (with
/// [`LeaveOneOut::nominal`]), `Ranks` → [`LeaveOneOut::ranks`], `RankDiffs` →
/// [`LeaveOneOut::rank_diffs`], `RankAbsDiffs` → their absolute values, `MeanAbsDiff` →
/// [`LeaveOneOut::mean_abs_rank_diff`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeaveOneOut {
    /// The level the elements were taken from.
    pub level: usize,
    /// The reported node.
    pub target: String,
    /// The removed elements, in framework node order.
    pub removed: Vec<String>,
    /// Elements of the level that were not removed, with the reason (bonus indicators under a bonus
    /// scheme; see the module docs).
    pub skipped: Vec<(String, String)>,
    /// Unit codes (row order).
    pub unit_codes: Vec<String>,
    /// The target's nominal scores.
    #[serde(with = "crate::serde_nan::vec")]
    pub nominal: Vec<f64>,
    /// The target's nominal ranks.
    #[serde(with = "crate::serde_nan::vec")]
    pub nominal_ranks: Vec<f64>,
    /// units × removed: the target's score without each element.
    #[serde(with = "crate::serde_nan::array2")]
    pub scores: Array2<f64>,
    /// units × removed: the target's rank without each element.
    #[serde(with = "crate::serde_nan::array2")]
    pub ranks: Array2<f64>,
    /// units × removed: nominal rank − rank without the element.
    #[serde(with = "crate::serde_nan::array2")]
    pub rank_diffs: Array2<f64>,
    /// Per removed element: mean over units of |rank difference| (missing differences left out).
    #[serde(with = "crate::serde_nan::vec")]
    pub mean_abs_rank_diff: Vec<f64>,
}

/// Remove each element of a level in turn (weight set to zero, as COINr's `remove_elements`) and
/// report the target node's scores and ranks. See the module docs for the semantics.
///
/// # Errors
///
/// * [`Error::InvalidParameter`] (`level`) for a level outside `1..root level` or with no element;
/// * [`Error::UnknownCode`] for an unknown target;
/// * every error of [`Scorer::score`] on `data` (missing columns, an aggregator failing on the data,
///   ...) and of an aggregator on a re-weighted tree.
///
/// # Examples
///
/// ```
/// use composite_indicators::prelude::*;
/// use composite_indicators::score::Scorer;
/// use composite_indicators::study::remove::{remove_elements, RemoveOptions};
/// use ndarray::array;
///
/// let fw = FrameworkSpec::new(
///     "toy",
///     vec![Indicator::new("a", "P"), Indicator::new("b", "P"), Indicator::new("c", "Q")],
///     vec![Pillar::new("P").with_parent("I"), Pillar::new("Q").with_parent("I"), Pillar::new("I")],
/// )
/// .check()?;
/// let data = Dataset::new(
///     vec!["u1".into(), "u2".into(), "u3".into()],
///     vec!["a".into(), "b".into(), "c".into()],
///     array![[0.0, 10.0, 5.0], [5.0, 0.0, 10.0], [10.0, 5.0, 0.0]],
/// )?;
/// let loo = remove_elements(&Scorer::new(fw), &data, &RemoveOptions::new(1))?;
/// assert_eq!(loo.removed, vec!["a", "b", "c"]);
/// // normalised: a = 0, 50, 100; b = 100, 0, 50; c = 50, 100, 0
/// // without a: P = b, I = (b + c) / 2 = 75, 50, 25
/// assert_eq!(loo.scores.column(0).to_vec(), vec![75.0, 50.0, 25.0]);
/// // without c: Q has no weighted child, so it is missing and I = P = 50, 25, 75
/// assert_eq!(loo.scores.column(2).to_vec(), vec![50.0, 25.0, 75.0]);
/// // nominal I = (P + Q) / 2 = 50, 62.5, 37.5: ranks 2, 1, 3; without c: 2, 3, 1
/// assert_eq!(loo.rank_diffs.column(2).to_vec(), vec![0.0, -2.0, 2.0]);
/// assert!((loo.mean_abs_rank_diff[2] - 4.0 / 3.0).abs() < 1e-15);
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn remove_elements(
    scorer: &Scorer,
    data: &Dataset,
    options: &RemoveOptions,
) -> Result<LeaveOneOut> {
    let fw = scorer.framework();
    let root = fw.root_index();
    let max_level = fw.root().level;
    let level = options.level;
    if level < 1 || level >= max_level {
        return Err(Error::invalid(
            "level",
            level,
            Expected::Rule(format!(
                "elements can be removed at levels 1 (indicators) to {} (one below the index `{}`)",
                max_level.saturating_sub(1),
                fw.root().code
            )),
        ));
    }
    let target = match &options.target {
        Some(code) => fw.position(code)?,
        None => root,
    };
    let nominal = scorer.score(data)?;
    let bonus = Some(nominal.bonus().to_owned());
    let tree = Tree::new(scorer, data.unit_codes(), bonus);
    let mut removed = Vec::new();
    let mut skipped = Vec::new();
    for (k, node) in fw.nodes().iter().enumerate() {
        if node.level != level || k == root {
            continue;
        }
        if tree.is_bonus_child(k) {
            skipped.push((
                node.code.clone(),
                "bonus indicator: added to the index outside the weighted tree, so a zero weight \
                 would not remove it"
                    .to_string(),
            ));
        } else {
            removed.push(k);
        }
    }
    if removed.is_empty() {
        return Err(Error::invalid(
            "level",
            level,
            Expected::Rule(format!("level {level} has no element that can be removed")),
        ));
    }
    let n_units = data.n_units();
    let ties = scorer.tie_rule();
    let nominal_scores = nominal.values().column(target).to_vec();
    let nominal_ranks = nominal.ranks().column(target).to_vec();
    let mut scores = Array2::from_elem((n_units, removed.len()), f64::NAN);
    match options.method {
        RemoveMethod::Batched => {
            let base = nominal.values();
            let mut work = base.clone();
            let mut w = nominal.node_weights().to_vec();
            for (j, &e) in removed.iter().enumerate() {
                let path = fw.ancestors(e);
                let saved = w[e];
                w[e] = 0.0;
                for &k in &path {
                    tree.reaggregate(k, &w, &mut work)?;
                }
                scores.column_mut(j).assign(&work.column(target));
                w[e] = saved;
                for &k in &path {
                    work.column_mut(k).assign(&base.column(k));
                }
            }
        }
        RemoveMethod::Rebuild => {
            let bonus_w = scorer.weight_scheme().bonus_weight();
            for (j, &e) in removed.iter().enumerate() {
                let fitted = scorer.fit(data)?;
                let x = fitted.normalise(data)?;
                let mut w = scorer.weight_scheme().node_weights(fw, Some(x.view()))?;
                if let Some(slot) = w.get_mut(e) {
                    *slot = 0.0;
                }
                let agg = aggregate_tree(
                    fw,
                    |k| scorer.aggregator_of(k),
                    &w,
                    bonus_w,
                    scorer.missing_policy(),
                    ndarray::CowArray::from(x.view()),
                    data.unit_codes(),
                )?;
                scores.column_mut(j).assign(&agg.values.column(target));
            }
        }
    }
    let mut ranks = Array2::from_elem(scores.raw_dim(), f64::NAN);
    let mut rank_diffs = Array2::from_elem(scores.raw_dim(), f64::NAN);
    let mut mean_abs_rank_diff = Vec::with_capacity(removed.len());
    for j in 0..removed.len() {
        let r = rank_desc(&scores.column(j).to_vec(), ties);
        let d: Array1<f64> = nominal_ranks.iter().zip(&r).map(|(n, r)| n - r).collect();
        let (sum, count) = d
            .iter()
            .filter(|v| !v.is_nan())
            .fold((0.0, 0usize), |(s, c), v| (s + v.abs(), c + 1));
        mean_abs_rank_diff.push(if count > 0 {
            sum / count as f64
        } else {
            f64::NAN
        });
        ranks.column_mut(j).assign(&Array1::from(r));
        rank_diffs.column_mut(j).assign(&d);
    }
    let nodes = fw.nodes();
    Ok(LeaveOneOut {
        level,
        target: nodes[target].code.clone(),
        removed: removed.iter().map(|&k| nodes[k].code.clone()).collect(),
        skipped,
        unit_codes: data.unit_codes().to_vec(),
        nominal: nominal_scores,
        nominal_ranks,
        scores,
        ranks,
        rank_diffs,
        mean_abs_rank_diff,
    })
}

impl LeaveOneOut {
    /// The removed elements sorted by mean absolute rank difference, largest first (the elements
    /// whose removal moves the ranking most); NaN last; ties keep node order.
    ///
    /// # Examples
    ///
    /// ```
    /// # use composite_indicators::prelude::*;
    /// # use composite_indicators::score::Scorer;
    /// # use composite_indicators::study::remove::{remove_elements, RemoveOptions};
    /// # use ndarray::array;
    /// # let fw = FrameworkSpec::new(
    /// #     "t",
    /// #     vec![Indicator::new("a", "P"), Indicator::new("b", "P"), Indicator::new("c", "Q")],
    /// #     vec![Pillar::new("P").with_parent("I"), Pillar::new("Q").with_parent("I"), Pillar::new("I")],
    /// # )
    /// #   .check()?;
    /// # let data = Dataset::new(vec!["u1".into(), "u2".into(), "u3".into()],
    /// #   vec!["a".into(), "b".into(), "c".into()],
    /// #   array![[0.0, 10.0, 5.0], [5.0, 0.0, 10.0], [10.0, 5.0, 0.0]])?;
    /// let loo = remove_elements(&Scorer::new(fw), &data, &RemoveOptions::new(1))?;
    /// let top = loo.most_influential();
    /// assert_eq!(top[0].0, "c");
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    pub fn most_influential(&self) -> Vec<(String, f64)> {
        let mut out: Vec<(String, f64)> = self
            .removed
            .iter()
            .cloned()
            .zip(self.mean_abs_rank_diff.iter().copied())
            .collect();
        out.sort_by(|a, b| match (a.1.is_nan(), b.1.is_nan()) {
            (false, false) => b.1.total_cmp(&a.1),
            (x, y) => x.cmp(&y),
        });
        out
    }

    /// Write the summary as CSV: `removed,mean_abs_rank_diff`, one line per removed element in node
    /// order (COINr's `MeanAbsDiff`).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if writing fails.
    ///
    /// # Examples
    ///
    /// ```
    /// # use composite_indicators::prelude::*;
    /// # use composite_indicators::score::Scorer;
    /// # use composite_indicators::study::remove::{remove_elements, RemoveOptions};
    /// # use ndarray::array;
    /// # let fw = FrameworkSpec::new(
    /// #     "t",
    /// #     vec![Indicator::new("a", "P"), Indicator::new("b", "P"), Indicator::new("c", "Q")],
    /// #     vec![Pillar::new("P").with_parent("I"), Pillar::new("Q").with_parent("I"), Pillar::new("I")],
    /// # )
    /// #   .check()?;
    /// # let data = Dataset::new(vec!["u1".into(), "u2".into(), "u3".into()],
    /// #   vec!["a".into(), "b".into(), "c".into()],
    /// #   array![[0.0, 10.0, 5.0], [5.0, 0.0, 10.0], [10.0, 5.0, 0.0]])?;
    /// let loo = remove_elements(&Scorer::new(fw), &data, &RemoveOptions::new(2))?;
    /// let mut out = Vec::new();
    /// loo.write_summary_csv(&mut out)?;
    /// assert!(String::from_utf8(out).unwrap().starts_with("removed,mean_abs_rank_diff\nP,"));
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    pub fn write_summary_csv<W: Write>(&self, out: W) -> Result<()> {
        let rows = (self.removed.iter())
            .zip(&self.mean_abs_rank_diff)
            .map(|(code, v)| [code.clone(), format_f64(*v)]);
        write_rows(
            out,
            "leave-one-out summary",
            ["removed", "mean_abs_rank_diff"],
            rows,
        )
    }

    /// Write the summary ([`LeaveOneOut::write_summary_csv`]) to a file, atomically.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming the path if the file cannot be written.
    ///
    /// # Examples
    ///
    /// ```
    /// # use composite_indicators::prelude::*;
    /// # use composite_indicators::score::Scorer;
    /// # use composite_indicators::study::remove::{remove_elements, RemoveOptions};
    /// # use ndarray::array;
    /// # let fw = FrameworkSpec::new(
    /// #     "t",
    /// #     vec![Indicator::new("a", "P"), Indicator::new("b", "P"), Indicator::new("c", "Q")],
    /// #     vec![Pillar::new("P").with_parent("I"), Pillar::new("Q").with_parent("I"), Pillar::new("I")],
    /// # )
    /// #   .check()?;
    /// # let data = Dataset::new(vec!["u1".into(), "u2".into(), "u3".into()],
    /// #   vec!["a".into(), "b".into(), "c".into()],
    /// #   array![[0.0, 10.0, 5.0], [5.0, 0.0, 10.0], [10.0, 5.0, 0.0]])?;
    /// let loo = remove_elements(&Scorer::new(fw), &data, &RemoveOptions::new(1))?;
    /// let dir = tempfile::tempdir().unwrap();
    /// loo.write_csv_path(dir.path().join("remove.csv"))?;
    /// loo.write_summary_csv_path(dir.path().join("remove_summary.csv"))?;
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    pub fn write_summary_csv_path(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        write_atomic(path, |w| {
            self.write_summary_csv(w).map_err(|e| name_output(e, path))
        })
    }
}

impl CsvTable for LeaveOneOut {
    /// Write the per-unit table as CSV, long format, one line per unit and removed element:
    /// `uCode,removed,score,rank,nominal_score,nominal_rank,rank_diff,abs_rank_diff` (missing values
    /// are empty fields; numbers read back bit-exactly, see [`format_f64`]).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if writing fails.
    ///
    /// # Examples
    ///
    /// ```
    /// # use composite_indicators::prelude::*;
    /// # use composite_indicators::score::Scorer;
    /// # use composite_indicators::study::remove::{remove_elements, RemoveOptions};
    /// # use ndarray::array;
    /// # let fw = FrameworkSpec::new(
    /// #     "t",
    /// #     vec![Indicator::new("a", "P"), Indicator::new("b", "P"), Indicator::new("c", "Q")],
    /// #     vec![Pillar::new("P").with_parent("I"), Pillar::new("Q").with_parent("I"), Pillar::new("I")],
    /// # )
    /// #   .check()?;
    /// # let data = Dataset::new(vec!["u1".into(), "u2".into(), "u3".into()],
    /// #   vec!["a".into(), "b".into(), "c".into()],
    /// #   array![[0.0, 10.0, 5.0], [5.0, 0.0, 10.0], [10.0, 5.0, 0.0]])?;
    /// let loo = remove_elements(&Scorer::new(fw), &data, &RemoveOptions::new(1))?;
    /// let csv = loo.to_csv_string()?;
    /// let mut lines = csv.lines();
    /// assert_eq!(lines.next(), Some("uCode,removed,score,rank,nominal_score,nominal_rank,rank_diff,abs_rank_diff"));
    /// assert_eq!(lines.next(), Some("u1,a,75,1,50,2,1,1"));
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    fn write_csv<W: Write>(&self, out: W) -> Result<()> {
        let header = [
            "uCode",
            "removed",
            "score",
            "rank",
            "nominal_score",
            "nominal_rank",
            "rank_diff",
            "abs_rank_diff",
        ];
        let at = |m: &Array2<f64>, u: usize, j: usize| m.get([u, j]).copied().unwrap_or(f64::NAN);
        let rows = self.unit_codes.iter().enumerate().flat_map(|(u, unit)| {
            self.removed.iter().enumerate().map(move |(j, code)| {
                let d = at(&self.rank_diffs, u, j);
                [
                    unit.clone(),
                    code.clone(),
                    format_f64(at(&self.scores, u, j)),
                    format_f64(at(&self.ranks, u, j)),
                    format_f64(self.nominal.get(u).copied().unwrap_or(f64::NAN)),
                    format_f64(self.nominal_ranks.get(u).copied().unwrap_or(f64::NAN)),
                    format_f64(d),
                    format_f64(d.abs()),
                ]
            })
        });
        write_rows(out, "leave-one-out table", header, rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::{AggregatorKind, MissingPolicy};
    use crate::spec::{FrameworkSpec, Indicator, Pillar};
    use ndarray::array;

    fn fw() -> crate::spec::Framework {
        FrameworkSpec::new(
            "t",
            vec![
                Indicator::new("a", "P"),
                Indicator::new("b", "P").with_weight(3.0),
                Indicator::new("c", "Q"),
                Indicator::new("d", "Q"),
            ],
            vec![
                Pillar::new("P").with_parent("I"),
                Pillar::new("Q").with_parent("I"),
                Pillar::new("I"),
            ],
        )
        .check()
        .unwrap()
    }

    fn data() -> Dataset {
        Dataset::new(
            vec!["u1".into(), "u2".into(), "u3".into(), "u4".into()],
            vec!["a".into(), "b".into(), "c".into(), "d".into()],
            array![
                [0.0, 4.0, 1.0, 2.0],
                [1.0, 3.0, f64::NAN, 0.0],
                [2.0, 0.0, 3.0, 1.0],
                [4.0, 1.0, 2.0, 4.0]
            ],
        )
        .unwrap()
    }

    #[test]
    fn removing_b_renormalises_over_a() {
        // min-max: a = 0, 25, 50, 100; b = 100, 75, 0, 25; c = 0, NaN, 100, 50; d = 50, 0, 25, 100
        // without b, P = a; Q = (c + d)/2 over available = 25, 0, 62.5, 75
        // I = (P + Q) / 2 = 12.5, 12.5, 56.25, 87.5
        let loo = remove_elements(&Scorer::new(fw()), &data(), &RemoveOptions::new(1)).unwrap();
        assert_eq!(loo.removed, vec!["a", "b", "c", "d"]);
        assert_eq!(loo.scores.column(1).to_vec(), vec![12.5, 12.5, 56.25, 87.5]);
        // ranks with min ties: 3, 3, 2, 1
        assert_eq!(loo.ranks.column(1).to_vec(), vec![3.0, 3.0, 2.0, 1.0]);
    }

    #[test]
    fn batched_equals_rebuild_bitwise_for_nonlinear_aggregation() {
        for agg in [
            AggregatorKind::Arithmetic,
            AggregatorKind::Geometric { offset: 1.0 },
            AggregatorKind::Median,
        ] {
            for level in [1, 2] {
                let s = Scorer::new(fw()).aggregator(agg.clone());
                let a = remove_elements(&s, &data(), &RemoveOptions::new(level)).unwrap();
                let b = remove_elements(
                    &s,
                    &data(),
                    &RemoveOptions::new(level).method(RemoveMethod::Rebuild),
                )
                .unwrap();
                assert_eq!(a.removed, b.removed);
                for (x, y) in a.scores.iter().zip(b.scores.iter()) {
                    assert!(x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()));
                }
            }
        }
    }

    #[test]
    fn lost_last_child_is_missing_and_skipped_or_propagated() {
        let one = FrameworkSpec::new(
            "t",
            vec![
                Indicator::new("a", "P"),
                Indicator::new("b", "P"),
                Indicator::new("c", "Q"),
            ],
            vec![
                Pillar::new("P").with_parent("I"),
                Pillar::new("Q").with_parent("I"),
                Pillar::new("I"),
            ],
        )
        .check()
        .unwrap();
        let d = Dataset::new(
            vec!["u1".into(), "u2".into()],
            vec!["a".into(), "b".into(), "c".into()],
            array![[0.0, 1.0, 0.0], [1.0, 0.0, 1.0]],
        )
        .unwrap();
        let o = RemoveOptions::new(1).target("Q");
        let loo = remove_elements(&Scorer::new(one.clone()), &d, &o).unwrap();
        assert!(loo.scores.column(2).iter().all(|v| v.is_nan()));
        assert!(loo.mean_abs_rank_diff[2].is_nan());
        // the index skips the missing Q: I = P = 50, 50
        let loo = remove_elements(&Scorer::new(one.clone()), &d, &RemoveOptions::new(1)).unwrap();
        assert_eq!(loo.scores.column(2).to_vec(), vec![50.0, 50.0]);
        let loo = remove_elements(
            &Scorer::new(one).missing(MissingPolicy::Propagate),
            &d,
            &RemoveOptions::new(1),
        )
        .unwrap();
        assert!(loo.scores.column(2).iter().all(|v| v.is_nan()));
    }

    #[test]
    fn bad_options_are_errors() {
        let s = Scorer::new(fw());
        for level in [0, 3, 9] {
            let e = remove_elements(&s, &data(), &RemoveOptions::new(level)).unwrap_err();
            assert!(
                matches!(e, Error::InvalidParameter { ref parameter, .. } if parameter == "level")
            );
        }
        let e = remove_elements(&s, &data(), &RemoveOptions::new(1).target("zz")).unwrap_err();
        assert!(matches!(e, Error::UnknownCode { .. }));
    }
}
