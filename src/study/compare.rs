//! Compare score sets: two or more runs (two configurations, two years, before and after a change)
//! unit by unit at one node, as COINr's `compare_coins` and `compare_coins_multi`, plus the
//! rank-similarity measures of [`crate::audit`] between two runs ([`similarity`], and per node with
//! COINr's `compare_coins_corr` correlation in [`similarity_table`]).
//!
//! # Semantics (COINr's)
//!
//! * Units are matched **by code**; the table covers every unit of either run (R's `merge(all = TRUE)`),
//!   a unit absent from a run has a missing (NaN) value there.
//! * With [`CompareBy::Ranks`] (the default) each run's values at the node are **re-ranked** among the
//!   units that run scores (rank 1 = highest value, ties share the best rank — COINr's
//!   `rank(-x, ties.method = "min")`, whatever tie rule the run used); with [`CompareBy::Scores`] the
//!   values are compared as they are.
//! * `diff = first − second`, `abs_diff = |diff|` (NaN when either side is missing).
//! * Rows come sorted by unit code (R's `merge` order; byte order here), or by a chosen column with
//!   [`CompareOptions::sort_by`], increasing or decreasing, ties keeping unit-code order and missing
//!   values last (R's `order`).
//!
//! [`compare_multi`] follows COINr's `compare_coins_multi` instead: rows are the base run's units (a
//! left join), each run ranked among them.
//!
//! Deliberate differences from COINr: several nodes can be compared at once ([`compare_nodes`]; the
//! CSV then has an `iCode` column), and [`compare_multi`] sorts its three tables the same way (by the
//! base run's column) where COINr sorts its difference tables by the base column of zeros.

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::path::Path;

use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

use super::csv_rows::{CsvTable, Rows, write_rows};
use crate::audit::{RankSimilarity, rank_similarity};
use crate::error::{Error, Expected, Result};
use crate::io::format_f64;
use crate::rank::{TieRule, rank_desc};
use crate::score::Scores;

/// What is compared (COINr's `compare_by`).
///
/// # Examples
/// ```
/// use composite_indicators::study::compare::CompareBy;
/// assert_eq!(CompareBy::default(), CompareBy::Ranks);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompareBy {
    /// Ranks recomputed from each run's values (1 = best, min ties).
    #[default]
    Ranks,
    /// The values themselves.
    Scores,
}

/// A column to sort a [`Comparison`] by (COINr's `sort_by`).
///
/// # Examples
/// ```
/// use composite_indicators::study::compare::SortBy;
/// let s: SortBy = serde_json::from_str("\"abs_diff\"").unwrap();
/// assert_eq!(s, SortBy::AbsDiff);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortBy {
    /// The first run's column (`coin.1`).
    First,
    /// The second run's column (`coin.2`).
    Second,
    /// `Diff`.
    Diff,
    /// `Abs.diff`.
    AbsDiff,
}

/// Options of [`compare`] and [`compare_nodes`].
///
/// # Examples
/// ```
/// use composite_indicators::study::compare::{CompareBy, CompareOptions, SortBy};
/// let o = CompareOptions { sort_by: Some(SortBy::AbsDiff), decreasing: true, ..Default::default() };
/// assert_eq!(o.compare_by, CompareBy::Ranks);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CompareOptions {
    /// Ranks (default) or scores.
    pub compare_by: CompareBy,
    /// Sort column; `None` keeps unit-code order.
    pub sort_by: Option<SortBy>,
    /// Sort decreasing (COINr's `decreasing`, default `false`).
    pub decreasing: bool,
}

/// One unit at one node in a [`Comparison`].
///
/// # Examples
/// ```
/// use composite_indicators::study::compare::CompareRow;
/// let r = CompareRow { unit: "A".into(), node: "Index".into(), first: 3.0, second: 1.0, diff: 2.0, abs_diff: 2.0 };
/// assert_eq!(r.diff, r.first - r.second);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareRow {
    /// Unit code.
    pub unit: String,
    /// Node code.
    pub node: String,
    /// Rank or value in the first run (NaN = missing).
    #[serde(with = "crate::serde_nan::num")]
    pub first: f64,
    /// Rank or value in the second run.
    #[serde(with = "crate::serde_nan::num")]
    pub second: f64,
    /// `first − second`.
    #[serde(with = "crate::serde_nan::num")]
    pub diff: f64,
    /// `|first − second|`.
    #[serde(with = "crate::serde_nan::num")]
    pub abs_diff: f64,
}

/// COINr's `compare_coins` table (see the module docs); one block of rows per node compared.
///
/// # Examples
/// See [`compare`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// What was compared.
    pub compare_by: CompareBy,
    /// The nodes compared, in the order of the row blocks.
    pub nodes: Vec<String>,
    /// The rows, node by node, each block sorted as asked.
    pub rows: Vec<CompareRow>,
}

/// Units of either run, sorted by code, with each run's row position.
fn union_units(runs: &[&Scores]) -> Vec<(String, Vec<Option<usize>>)> {
    let all: BTreeSet<&str> = runs
        .iter()
        .flat_map(|s| s.unit_codes().iter().map(String::as_str))
        .collect();
    let index: Vec<HashMap<&str, usize>> = runs.iter().map(|s| row_index(s)).collect();
    all.into_iter()
        .map(|u| {
            let pos = index.iter().map(|m| m.get(u).copied()).collect();
            (u.to_string(), pos)
        })
        .collect()
}

/// The row of every unit code of a score set.
fn row_index(s: &Scores) -> HashMap<&str, usize> {
    s.unit_codes()
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect()
}

/// One run's values at `node`, ranked if asked, in its own row order.
fn run_column(s: &Scores, node: &str, by: CompareBy, which: &str) -> Result<Vec<f64>> {
    let col = s.node_values(node).map_err(|_| {
        Error::unknown_name(
            format!("node of the {which} score set"),
            node,
            s.node_codes(),
        )
    })?;
    let v = col.to_vec();
    Ok(match by {
        CompareBy::Scores => v,
        CompareBy::Ranks => rank_desc(&v, TieRule::Min),
    })
}

fn aligned(col: &[f64], pos: Option<usize>) -> f64 {
    pos.and_then(|p| col.get(p).copied()).unwrap_or(f64::NAN)
}

/// Stable sort of `idx` by `key`, missing values last, optionally decreasing.
fn sort_by_key(idx: &mut [usize], key: &[f64], decreasing: bool) {
    idx.sort_by(|&a, &b| {
        let (x, y) = (
            key.get(a).copied().unwrap_or(f64::NAN),
            key.get(b).copied().unwrap_or(f64::NAN),
        );
        match (x.is_nan(), y.is_nan()) {
            (false, false) if decreasing => y.total_cmp(&x),
            (false, false) => x.total_cmp(&y),
            (p, q) => p.cmp(&q),
        }
    });
}

/// Compare two score sets at one node (COINr's `compare_coins(coin1, coin2, dset, iCode, compare_by,
/// sort_by, decreasing)`); see the module docs for the rules.
///
/// # Errors
/// [`Error::UnknownName`] when `node` is not a node of either score set (the message says which and
/// lists its nodes).
///
/// # Examples
/// ```
/// use composite_indicators::prelude::*;
/// use composite_indicators::score::Scorer;
/// use composite_indicators::study::compare::{CompareOptions, SortBy, compare};
/// use ndarray::array;
/// let fw = FrameworkSpec::new(
///     "t",
///     vec![Indicator::new("a", "I"), Indicator::new("b", "I")],
///     vec![Pillar::new("I")],
/// )
/// .check()?;
/// let units = vec!["C".to_string(), "A".into(), "B".into()];
/// let cols = vec!["a".to_string(), "b".into()];
/// let y1 = Dataset::new(units.clone(), cols.clone(), array![[1.0, 1.0], [3.0, 3.0], [2.0, 2.0]])?;
/// let y2 = Dataset::new(units, cols, array![[3.0, 3.0], [1.0, 1.0], [2.0, 2.0]])?;
/// let s1 = Scorer::new(fw.clone()).score(&y1)?; // ranks A 1, B 2, C 3
/// let s2 = Scorer::new(fw).score(&y2)?; // ranks C 1, B 2, A 3
/// let opts = CompareOptions { sort_by: Some(SortBy::AbsDiff), decreasing: true, ..Default::default() };
/// let c = compare(&s1, &s2, "I", &opts)?;
/// let rows: Vec<(&str, f64)> = c.rows.iter().map(|r| (r.unit.as_str(), r.diff)).collect();
/// assert_eq!(rows, [("A", -2.0), ("C", 2.0), ("B", 0.0)]);
/// assert!(c.to_csv_string()?.starts_with("uCode,iCode,coin.1,coin.2,Diff,Abs.diff\nA,I,1,3,-2,2\n"));
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn compare(a: &Scores, b: &Scores, node: &str, opts: &CompareOptions) -> Result<Comparison> {
    compare_nodes(a, b, &[node], opts)
}

/// [`compare`] at several nodes (e.g. every pillar: `scores.level_codes(2)`), one block of rows per
/// node in the order given, each sorted as asked.
///
/// # Errors
/// As [`compare`]; an empty `nodes` → [`Error::InvalidParameter`].
///
/// # Examples
/// ```
/// use composite_indicators::prelude::*;
/// use composite_indicators::score::Scorer;
/// use composite_indicators::study::compare::{CompareOptions, compare_nodes};
/// use ndarray::array;
/// let fw = FrameworkSpec::new(
///     "t",
///     vec![Indicator::new("a", "P"), Indicator::new("b", "Q")],
///     vec![Pillar::new("P").with_parent("I"), Pillar::new("Q").with_parent("I"), Pillar::new("I")],
/// )
/// .check()?;
/// let d = Dataset::new(vec!["A".into(), "B".into()], vec!["a".into(), "b".into()], array![[1.0, 2.0], [2.0, 1.0]])?;
/// let s = Scorer::new(fw).score(&d)?;
/// let c = compare_nodes(&s, &s, &s.level_codes(2), &CompareOptions::default())?;
/// assert_eq!(c.nodes, ["P", "Q"]);
/// assert!(c.rows.iter().all(|r| r.diff == 0.0));
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn compare_nodes(
    a: &Scores,
    b: &Scores,
    nodes: &[&str],
    opts: &CompareOptions,
) -> Result<Comparison> {
    if nodes.is_empty() {
        return Err(Error::invalid("nodes", "[]", Expected::NonEmpty));
    }
    let units = union_units(&[a, b]);
    let mut rows = Vec::with_capacity(units.len() * nodes.len());
    for node in nodes {
        let ca = run_column(a, node, opts.compare_by, "first")?;
        let cb = run_column(b, node, opts.compare_by, "second")?;
        let block: Vec<CompareRow> = units
            .iter()
            .map(|(u, pos)| {
                let first = aligned(&ca, pos.first().copied().flatten());
                let second = aligned(&cb, pos.get(1).copied().flatten());
                CompareRow {
                    unit: u.clone(),
                    node: node.to_string(),
                    first,
                    second,
                    diff: first - second,
                    abs_diff: (first - second).abs(),
                }
            })
            .collect();
        let mut idx: Vec<usize> = (0..block.len()).collect();
        if let Some(col) = opts.sort_by {
            let key: Vec<f64> = block
                .iter()
                .map(|r| match col {
                    SortBy::First => r.first,
                    SortBy::Second => r.second,
                    SortBy::Diff => r.diff,
                    SortBy::AbsDiff => r.abs_diff,
                })
                .collect();
            sort_by_key(&mut idx, &key, opts.decreasing);
        }
        rows.extend(idx.iter().filter_map(|&i| block.get(i).cloned()));
    }
    Ok(Comparison {
        compare_by: opts.compare_by,
        nodes: nodes.iter().map(|n| n.to_string()).collect(),
        rows,
    })
}

impl Comparison {
    /// The units whose rank (or value) differs by at least `threshold` in absolute value, with their
    /// rows, largest difference first (ties in unit-code order).
    ///
    /// # Examples
    /// ```
    /// use composite_indicators::study::compare::{CompareBy, CompareRow, Comparison};
    /// let row = |u: &str, d: f64| CompareRow { unit: u.into(), node: "I".into(), first: d, second: 0.0, diff: d, abs_diff: d.abs() };
    /// let c = Comparison { compare_by: CompareBy::Ranks, nodes: vec!["I".into()], rows: vec![row("A", 1.0), row("B", -3.0)] };
    /// let big: Vec<&str> = c.movers(2.0).iter().map(|r| r.unit.as_str()).collect();
    /// assert_eq!(big, ["B"]);
    /// ```
    pub fn movers(&self, threshold: f64) -> Vec<&CompareRow> {
        let mut out: Vec<&CompareRow> = self
            .rows
            .iter()
            .filter(|r| r.abs_diff >= threshold)
            .collect();
        out.sort_by(|x, y| y.abs_diff.total_cmp(&x.abs_diff));
        out
    }

    /// Mean absolute difference per node (NaN rows left out; NaN when none is left), in node order.
    ///
    /// # Examples
    /// ```
    /// use composite_indicators::study::compare::{CompareBy, CompareRow, Comparison};
    /// let row = |u: &str, d: f64| CompareRow { unit: u.into(), node: "I".into(), first: d, second: 0.0, diff: d, abs_diff: d.abs() };
    /// let c = Comparison { compare_by: CompareBy::Ranks, nodes: vec!["I".into()], rows: vec![row("A", 1.0), row("B", -3.0), row("C", f64::NAN)] };
    /// assert_eq!(c.mean_abs_diff(), vec![("I".to_string(), 2.0)]);
    /// ```
    pub fn mean_abs_diff(&self) -> Vec<(String, f64)> {
        self.nodes
            .iter()
            .map(|n| {
                let v: Vec<f64> = self
                    .rows
                    .iter()
                    .filter(|r| &r.node == n && !r.abs_diff.is_nan())
                    .map(|r| r.abs_diff)
                    .collect();
                let m = crate::stats::mean_of(&v).unwrap_or(f64::NAN);
                (n.clone(), m)
            })
            .collect()
    }

    const HEADER: [&str; 6] = ["uCode", "iCode", "coin.1", "coin.2", "Diff", "Abs.diff"];

    fn cells(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|r| {
                vec![
                    r.unit.clone(),
                    r.node.clone(),
                    format_f64(r.first),
                    format_f64(r.second),
                    format_f64(r.diff),
                    format_f64(r.abs_diff),
                ]
            })
            .collect()
    }
}

impl CsvTable for Comparison {
    /// Write the table as CSV: `uCode,iCode,coin.1,coin.2,Diff,Abs.diff` (COINr's columns plus the
    /// node), missing values as empty fields.
    ///
    /// # Errors
    /// [`Error::Io`] when writing fails.
    ///
    /// # Examples
    /// ```
    /// use composite_indicators::study::CsvTable;
    /// use composite_indicators::study::compare::{CompareBy, Comparison};
    /// let c = Comparison { compare_by: CompareBy::Ranks, nodes: vec![], rows: vec![] };
    /// let p = std::env::temp_dir().join("ci_compare_doc.csv");
    /// c.write_csv_path(&p)?;
    /// assert_eq!(std::fs::read_to_string(&p).unwrap(), "uCode,iCode,coin.1,coin.2,Diff,Abs.diff\n");
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    fn write_csv<W: Write>(&self, w: W) -> Result<()> {
        write_rows(w, "comparison table", Self::HEADER, self.cells())
    }
}

/// The rank-similarity measures between two runs at one node ([`rank_similarity`]: Pearson,
/// Spearman, Kendall's tau-b, Goodman–Kruskal gamma, weighted Spearman, WS with the first run as
/// reference), over the units scored at the node in both runs (matched by code).
///
/// # Errors
/// As [`compare`]; fewer than 2 units scored in both → [`Error::InsufficientData`].
///
/// # Examples
/// ```
/// use composite_indicators::prelude::*;
/// use composite_indicators::score::Scorer;
/// use composite_indicators::study::compare::similarity;
/// use ndarray::array;
/// let fw = FrameworkSpec::new("t", vec![Indicator::new("a", "I")], vec![Pillar::new("I")])
/// .check()?;
/// let d = Dataset::new(vec!["A".into(), "B".into(), "C".into()], vec!["a".into()], array![[1.0], [2.0], [3.0]])?;
/// let s = Scorer::new(fw).score(&d)?;
/// let m = similarity(&s, &s, "I")?;
/// assert_eq!((m.n, m.kendall_tau_b, m.weighted_spearman, m.ws), (3, 1.0, 1.0, 1.0));
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn similarity(a: &Scores, b: &Scores, node: &str) -> Result<RankSimilarity> {
    let ca = run_column(a, node, CompareBy::Scores, "first")?;
    let cb = run_column(b, node, CompareBy::Scores, "second")?;
    let units = union_units(&[a, b]);
    let x: Array1<f64> = units
        .iter()
        .map(|(_, p)| aligned(&ca, p.first().copied().flatten()))
        .collect();
    let y: Array1<f64> = units
        .iter()
        .map(|(_, p)| aligned(&cb, p.get(1).copied().flatten()))
        .collect();
    rank_similarity(x.view(), y.view())
}

/// One node of a [`SimilarityTable`].
///
/// # Examples
/// See [`similarity_table`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeSimilarity {
    /// Node code.
    pub node: String,
    /// COINr's `compare_coins_corr` value: the Pearson correlation of the two columns of
    /// [`compare`] (ranks or scores) over the units present in both runs.
    #[serde(with = "crate::serde_nan::num")]
    pub correlation: f64,
    /// Every rank-similarity measure of the two runs' values ([`similarity`]).
    pub measures: RankSimilarity,
}

/// COINr's `compare_coins_corr` with the rank-similarity measures: one row per node.
///
/// # Examples
/// See [`similarity_table`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimilarityTable {
    /// Ranks or scores, for the `correlation` column.
    pub compare_by: CompareBy,
    /// One row per node, in the order asked.
    pub rows: Vec<NodeSimilarity>,
}

/// How similar two runs are at each of `nodes` (COINr's `compare_coins_corr(coin1, coin2, dset,
/// iCodes, compare_by)`, plus the measures of [`similarity`]): the Pearson correlation of the two
/// runs' ranks (the default, re-ranked with min ties as [`compare`]) or scores over the units present
/// in both, and Kendall's tau-b, gamma, Spearman, weighted Spearman and WS of their values.
///
/// # Errors
/// As [`compare_nodes`]; fewer than 3 units scored in both at a node → [`Error::InsufficientData`].
///
/// # Examples
/// ```
/// use composite_indicators::prelude::*;
/// use composite_indicators::score::Scorer;
/// use composite_indicators::study::compare::{CompareBy, similarity_table};
/// use ndarray::array;
/// let fw = FrameworkSpec::new("t", vec![Indicator::new("a", "I")], vec![Pillar::new("I")])
/// .check()?;
/// let units = vec!["A".to_string(), "B".into(), "C".into(), "D".into()];
/// let one = Dataset::new(units.clone(), vec!["a".into()], array![[1.0], [2.0], [3.0], [4.0]])?;
/// let two = Dataset::new(units, vec!["a".into()], array![[1.0], [3.0], [2.0], [4.0]])?;
/// let (s1, s2) = (Scorer::new(fw.clone()).score(&one)?, Scorer::new(fw).score(&two)?);
/// let t = similarity_table(&s1, &s2, &["I"], CompareBy::Ranks)?;
/// // ranks 4 3 2 1 vs 4 2 3 1: Pearson of the ranks = 1 − 6·2/(4·15) = 0.8; tau-b = (5 − 1)/6
/// assert!((t.rows[0].correlation - 0.8).abs() < 1e-12);
/// assert!((t.rows[0].measures.kendall_tau_b - 4.0 / 6.0).abs() < 1e-12);
/// assert!(t.to_csv_string()?.starts_with("iCode,Correlation,n,pearson,"));
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn similarity_table(
    a: &Scores,
    b: &Scores,
    nodes: &[&str],
    compare_by: CompareBy,
) -> Result<SimilarityTable> {
    let opts = CompareOptions {
        compare_by,
        ..CompareOptions::default()
    };
    let c = compare_nodes(a, b, nodes, &opts)?;
    let rows = nodes
        .iter()
        .map(|node| {
            let (x, y): (Vec<f64>, Vec<f64>) = c
                .rows
                .iter()
                .filter(|r| r.node == *node)
                .map(|r| (r.first, r.second))
                .unzip();
            let correlation = crate::audit::correlation(
                Array1::from(x).view(),
                Array1::from(y).view(),
                crate::audit::CorrMethod::Pearson,
            )?;
            Ok(NodeSimilarity {
                node: node.to_string(),
                correlation,
                measures: similarity(a, b, node)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(SimilarityTable { compare_by, rows })
}

impl SimilarityTable {
    const HEADER: [&str; 9] = [
        "iCode",
        "Correlation",
        "n",
        "pearson",
        "spearman",
        "kendall_tau_b",
        "gamma",
        "weighted_spearman",
        "ws",
    ];

    fn cells(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|r| {
                let m = &r.measures;
                vec![
                    r.node.clone(),
                    format_f64(r.correlation),
                    m.n.to_string(),
                    format_f64(m.pearson),
                    format_f64(m.spearman),
                    format_f64(m.kendall_tau_b),
                    format_f64(m.gamma),
                    format_f64(m.weighted_spearman),
                    format_f64(m.ws),
                ]
            })
            .collect()
    }
}

impl CsvTable for SimilarityTable {
    /// Write the table as CSV: `iCode,Correlation,n,pearson,spearman,kendall_tau_b,gamma,
    /// weighted_spearman,ws` (`Correlation` is COINr's `compare_coins_corr` column).
    ///
    /// # Errors
    /// [`Error::Io`] when writing fails.
    ///
    /// # Examples
    /// ```
    /// use composite_indicators::study::CsvTable;
    /// use composite_indicators::study::compare::{CompareBy, SimilarityTable};
    /// let p = std::env::temp_dir().join("ci_similarity_doc.csv");
    /// SimilarityTable { compare_by: CompareBy::Ranks, rows: vec![] }.write_csv_path(&p)?;
    /// assert!(std::fs::read_to_string(&p).unwrap().starts_with("iCode,Correlation,"));
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    fn write_csv<W: Write>(&self, w: W) -> Result<()> {
        write_rows(w, "similarity table", Self::HEADER, self.cells())
    }
}

/// Options of [`compare_multi`] (COINr's `compare_coins_multi` arguments).
///
/// # Examples
/// ```
/// use composite_indicators::study::compare::MultiOptions;
/// let o = MultiOptions::default();
/// assert_eq!((o.base, o.sort), (0, true));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MultiOptions {
    /// Ranks (default) or scores.
    pub compare_by: CompareBy,
    /// Position of the base run in the list (COINr's `ibase`, 0-based here; default the first).
    pub base: usize,
    /// Sort the rows by the base run's column, increasing, missing last (COINr's `sort_table`,
    /// default `true`); otherwise unit-code order.
    pub sort: bool,
}

impl Default for MultiOptions {
    fn default() -> Self {
        MultiOptions {
            compare_by: CompareBy::Ranks,
            base: 0,
            sort: true,
        }
    }
}

/// One of the three tables of a [`MultiComparison`] (COINr's `tabtype`).
///
/// # Examples
/// ```
/// use composite_indicators::study::compare::MultiTable;
/// let t: MultiTable = serde_json::from_str("\"abs_diffs\"").unwrap();
/// assert_eq!(t, MultiTable::AbsDiffs);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MultiTable {
    /// The ranks (or values) of every run.
    Values,
    /// Each run minus the base run.
    Diffs,
    /// `|Diffs|`.
    AbsDiffs,
}

/// COINr's `compare_coins_multi` result: every run's rank (or value) at one node, base run first.
///
/// # Examples
/// See [`compare_multi`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MultiComparison {
    /// The node compared.
    pub node: String,
    /// What was compared.
    pub compare_by: CompareBy,
    /// Run names, the base run first (then the others in their given order).
    pub names: Vec<String>,
    /// Unit codes (row order).
    pub units: Vec<String>,
    /// units × runs ranks or values (column order of `names`; NaN = not scored in that run).
    #[serde(with = "crate::serde_nan::array2")]
    pub values: Array2<f64>,
}

/// Compare several runs at one node (COINr's `compare_coins_multi(coins, dset, iCode, tabtype,
/// ibase, sort_table, compare_by)`).
///
/// As COINr: the rows are the **base run's units** (R's `merge(all.x = TRUE)` onto the base run),
/// in unit-code order before sorting; a unit that only another run scores is not in the table, and a
/// base unit missing from another run is NaN there. With [`CompareBy::Ranks`] each run is ranked
/// **after** that join, among the base run's units (rank 1 = highest, min ties, NaN stays NaN —
/// COINr's `rank_df`), so a run scoring extra units is ranked without them. The one difference from
/// COINr: the diff tables are sorted by the base run's values, where COINr sorts them by the base
/// column after subtraction (all zeros, so unit-code order).
///
/// # Errors
/// Fewer than 2 runs or `base` out of range → [`Error::InvalidParameter`]; two runs with one name →
/// [`Error::DuplicateCode`]; `node` missing from a run → [`Error::UnknownName`] naming the run.
///
/// # Examples
/// ```
/// use composite_indicators::prelude::*;
/// use composite_indicators::score::Scorer;
/// use composite_indicators::study::compare::{MultiOptions, MultiTable, compare_multi};
/// use ndarray::array;
/// let fw = FrameworkSpec::new("t", vec![Indicator::new("a", "I")], vec![Pillar::new("I")])
/// .check()?;
/// let run = |v: [f64; 3]| -> composite_indicators::Result<_> {
///     let d = Dataset::new(vec!["A".into(), "B".into(), "C".into()], vec!["a".into()], array![[v[0]], [v[1]], [v[2]]])?;
///     Scorer::new(fw.clone()).score(&d)
/// };
/// let (r1, r2, r3) = (run([1.0, 2.0, 3.0])?, run([3.0, 2.0, 1.0])?, run([2.0, 3.0, 1.0])?);
/// let m = compare_multi(&[("y1", &r1), ("y2", &r2), ("y3", &r3)], "I", &MultiOptions::default())?;
/// // sorted by the base run's rank: C (1), B (2), A (3)
/// assert_eq!(m.units, ["C", "B", "A"]);
/// assert_eq!(m.table(MultiTable::Diffs).row(0).to_vec(), vec![0.0, 2.0, 2.0]);
/// assert!(m.to_csv_string(MultiTable::Values)?.starts_with("uCode,y1,y2,y3\nC,1,3,3\n"));
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn compare_multi(
    runs: &[(&str, &Scores)],
    node: &str,
    opts: &MultiOptions,
) -> Result<MultiComparison> {
    if runs.len() < 2 {
        return Err(Error::invalid(
            "runs",
            format!("{} score set(s)", runs.len()),
            Expected::Rule("compare at least two score sets".into()),
        ));
    }
    if opts.base >= runs.len() {
        return Err(Error::invalid(
            "base",
            opts.base,
            Expected::Rule(format!("a run position (0 to {})", runs.len() - 1)),
        ));
    }
    let mut seen = BTreeSet::new();
    for (name, _) in runs {
        if !seen.insert(*name) {
            return Err(Error::DuplicateCode {
                code: name.to_string(),
            });
        }
    }
    let mut order = vec![opts.base];
    order.extend((0..runs.len()).filter(|&i| i != opts.base));
    let ordered: Vec<(&str, &Scores)> =
        order.iter().filter_map(|&i| runs.get(i).copied()).collect();
    // the raw values of every run, each in its own row order
    let cols = ordered
        .iter()
        .map(|(name, s)| run_column(s, node, CompareBy::Scores, &format!("`{name}`")))
        .collect::<Result<Vec<_>>>()?;
    // COINr's `merge(all.x = TRUE)` onto the base run: its units, in code order
    let mut units: Vec<String> = ordered
        .first()
        .map(|r| r.1.unit_codes().to_vec())
        .unwrap_or_default();
    units.sort();
    let mut values = Array2::from_elem((units.len(), ordered.len()), f64::NAN);
    for (j, ((_, s), col)) in ordered.iter().zip(&cols).enumerate() {
        let pos = row_index(s);
        let mut aligned_col: Vec<f64> = units
            .iter()
            .map(|u| aligned(col, pos.get(u.as_str()).copied()))
            .collect();
        if opts.compare_by == CompareBy::Ranks {
            // ranked after the join, among the base run's units (COINr's `rank_df`)
            aligned_col = rank_desc(&aligned_col, TieRule::Min);
        }
        for (i, v) in aligned_col.into_iter().enumerate() {
            values[[i, j]] = v;
        }
    }
    let mut idx: Vec<usize> = (0..units.len()).collect();
    if opts.sort {
        let key = values.column(0).to_vec();
        sort_by_key(&mut idx, &key, false);
    }
    let values = values.select(ndarray::Axis(0), &idx);
    Ok(MultiComparison {
        node: node.to_string(),
        compare_by: opts.compare_by,
        names: ordered.iter().map(|r| r.0.to_string()).collect(),
        units: idx.iter().filter_map(|&i| units.get(i).cloned()).collect(),
        values,
    })
}

impl MultiComparison {
    /// One of the three tables: the values, each run minus the base run (the base column is 0), or
    /// the absolute differences (COINr's `"Values"`, `"Diffs"`, `"AbsDiffs"`).
    ///
    /// # Examples
    /// See [`compare_multi`].
    pub fn table(&self, which: MultiTable) -> Array2<f64> {
        let mut t = self.values.clone();
        if which == MultiTable::Values || t.ncols() == 0 {
            return t;
        }
        let base = self.values.column(0).to_owned();
        for mut col in t.columns_mut() {
            col -= &base;
            if which == MultiTable::AbsDiffs {
                col.mapv_inplace(f64::abs);
            }
        }
        t
    }

    fn csv_table(&self, which: MultiTable) -> Rows<'static> {
        let mut header = vec!["uCode".to_string()];
        header.extend(self.names.iter().cloned());
        let t = self.table(which);
        let rows = self
            .units
            .iter()
            .zip(t.rows())
            .map(|(u, r)| {
                let mut cells = vec![u.clone()];
                cells.extend(r.iter().map(|v| format_f64(*v)));
                cells
            })
            .collect();
        Rows {
            target: "multi-run comparison",
            header,
            rows,
        }
    }

    /// Write one table as CSV: `uCode` then one column per run (named as given, base first).
    ///
    /// # Errors
    /// [`Error::Io`] when writing fails.
    ///
    /// # Examples
    /// See [`compare_multi`].
    pub fn write_csv<W: Write>(&self, w: W, which: MultiTable) -> Result<()> {
        self.csv_table(which).write_csv(w)
    }

    /// The CSV of [`MultiComparison::write_csv`] as a string.
    ///
    /// # Errors
    /// None in practice (memory); typed as the writer.
    ///
    /// # Examples
    /// See [`compare_multi`].
    pub fn to_csv_string(&self, which: MultiTable) -> Result<String> {
        self.csv_table(which).to_csv_string()
    }

    /// Write the CSV of [`MultiComparison::write_csv`] to `path` atomically.
    ///
    /// # Errors
    /// [`Error::Io`] naming the path.
    ///
    /// # Examples
    /// ```
    /// use composite_indicators::study::compare::{CompareBy, MultiComparison, MultiTable};
    /// let m = MultiComparison {
    ///     node: "I".into(), compare_by: CompareBy::Ranks, names: vec!["a".into(), "b".into()],
    ///     units: vec!["X".into()], values: ndarray::array![[1.0, 2.0]],
    /// };
    /// let p = std::env::temp_dir().join("ci_compare_multi_doc.csv");
    /// m.write_csv_path(&p, MultiTable::Diffs)?;
    /// assert_eq!(std::fs::read_to_string(&p).unwrap(), "uCode,a,b\nX,0,1\n");
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    pub fn write_csv_path(&self, path: impl AsRef<Path>, which: MultiTable) -> Result<()> {
        self.csv_table(which).write_csv_path(path)
    }
}
