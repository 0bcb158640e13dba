//! A unit's strengths and weaknesses: its best- and worst-ranked indicators (COINr's
//! `get_str_weak`).
//!
//! # Rules (COINr's, in this order)
//!
//! 1. The framework's indicator columns of the data set are taken; with
//!    [`StrWeakOptions::adjust_direction`] (the default, as COINr's default for raw data) each is
//!    multiplied by its direction so that a high value is always good. Pass normalised values (whose
//!    directions are already applied) with `adjust_direction = false`.
//! 2. Every indicator is ranked over all units — or, with [`StrWeakOptions::use_group`], over the
//!    units sharing the selected unit's label in that group column — highest value rank 1, ties
//!    sharing the best rank (`rank(-x, ties.method = "min")`), missing values unranked.
//! 3. With [`StrWeakOptions::unq_discard`] `= t`, indicators whose share of distinct values over all
//!    units (a missing value counting as one value, as R's `unique`) is not above `t` are dropped
//!    (binary or few-valued indicators make poor strengths).
//! 4. Indicators the unit has no value for are dropped.
//! 5. With [`StrWeakOptions::min_discard`] (default), indicators where the unit holds the worst rank
//!    (the rank of the lowest value, shared by every unit tied there, e.g. all the zeros) are dropped.
//! 6. The rest is sorted by the unit's rank (ties in framework order): the first `top_n` are the
//!    strengths (best first), the last `bottom_n` the weaknesses (in the same increasing rank order,
//!    the worst last). With few indicators left the two lists can overlap.
//!
//! Each row reports the indicator's code, name, unit of measure, its ancestor at
//! [`StrWeakOptions::report_level`] (default 2, the pillar; where an unbalanced tree has no ancestor
//! at exactly that level, the nearest ancestor above it), the unit's rank and its value as given in
//! the data (not direction-adjusted).
//!
//! Deliberate differences from COINr: values are not rounded (COINr's `sig_figs = 3`); when fewer
//! indicators remain than `top_n` / `bottom_n` the lists are shorter (COINr pads with `NA` rows or
//! fails); with a group, `min_discard` compares with the worst rank **within the unit's group** (COINr
//! compares with the worst in-group rank of any group, which keeps the bottom of a small group); a
//! unit without a label in the group column is an error (COINr returns empty tables).

use std::collections::HashSet;
use std::io::Write;

use serde::{Deserialize, Serialize};

use super::csv_rows::{CsvTable, write_rows};
use crate::data::Dataset;
use crate::error::{Error, Expected, Result};
use crate::io::format_f64;
use crate::rank::{TieRule, rank_desc};
use crate::spec::Framework;

/// Options of [`str_weak`] (COINr's `get_str_weak` arguments).
///
/// # Examples
/// ```
/// use composite_indicators::study::strweak::StrWeakOptions;
/// let o: StrWeakOptions = serde_json::from_str(r#"{"top_n": 3, "unq_discard": 0.2}"#).unwrap();
/// assert_eq!((o.top_n, o.bottom_n, o.min_discard, o.report_level), (3, 5, true, 2));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StrWeakOptions {
    /// Number of strengths (COINr `topN`, default 5); at least 1, at most the number of indicators.
    pub top_n: usize,
    /// Number of weaknesses (COINr `bottomN`, default 5); same bounds.
    pub bottom_n: usize,
    /// Rank within the unit's group of this group column (COINr `use_group`).
    pub use_group: Option<String>,
    /// Drop indicators whose share of distinct values is not above this, in `[0, 1]` (COINr
    /// `unq_discard`; default none).
    pub unq_discard: Option<f64>,
    /// Drop indicators where the unit has the worst rank (COINr `min_discard`, default `true`).
    pub min_discard: bool,
    /// Level of the ancestor reported with each indicator (COINr `report_level`, default 2); from 2
    /// to the framework's top level.
    pub report_level: usize,
    /// Multiply each indicator by its direction before ranking (COINr `adjust_direction`; default
    /// `true`, COINr's default for raw data; set `false` for normalised values).
    pub adjust_direction: bool,
}

impl Default for StrWeakOptions {
    fn default() -> Self {
        StrWeakOptions {
            top_n: 5,
            bottom_n: 5,
            use_group: None,
            unq_discard: None,
            min_discard: true,
            report_level: 2,
            adjust_direction: true,
        }
    }
}

/// One reported indicator of a [`StrWeak`].
///
/// # Examples
/// ```
/// use composite_indicators::study::strweak::StrWeakRow;
/// let r = StrWeakRow { indicator: "LPI".into(), name: "Logistics".into(), parent: "Physical".into(),
///     measure: "Score 1-5".into(), rank: 3.0, value: 4.1 };
/// assert_eq!(r.rank, 3.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrWeakRow {
    /// Indicator code.
    pub indicator: String,
    /// Indicator name.
    pub name: String,
    /// Code of its ancestor at the report level.
    pub parent: String,
    /// Unit of measure (empty when the framework gives none).
    pub measure: String,
    /// The unit's rank (in its group with `use_group`).
    pub rank: f64,
    /// The unit's value as given in the data.
    #[serde(with = "crate::serde_nan::num")]
    pub value: f64,
}

/// The strengths and weaknesses of one unit (COINr's `.$Strengths` and `.$Weaknesses`).
///
/// # Examples
/// See [`str_weak`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrWeak {
    /// Unit code.
    pub unit: String,
    /// The `top_n` best-ranked indicators, best first.
    pub strengths: Vec<StrWeakRow>,
    /// The `bottom_n` worst-ranked indicators, in increasing rank (the worst last).
    pub weaknesses: Vec<StrWeakRow>,
}

/// Ranks of every indicator (rule 1–2) for the rows in `rows`, one vector per indicator with one entry
/// per data row (NaN outside `rows`).
fn ranks_within(x: &ndarray::Array2<f64>, rows: &[usize]) -> Vec<Vec<f64>> {
    x.columns()
        .into_iter()
        .map(|col| {
            let sub: Vec<f64> = rows
                .iter()
                .map(|&r| col.get(r).copied().unwrap_or(f64::NAN))
                .collect();
            let r = rank_desc(&sub, TieRule::Min);
            let mut full = vec![f64::NAN; col.len()];
            for (&row, rk) in rows.iter().zip(r) {
                if let Some(slot) = full.get_mut(row) {
                    *slot = rk;
                }
            }
            full
        })
        .collect()
}

/// Share of distinct values of a column over all rows, a missing value counting as one value.
fn unique_share(col: ndarray::ArrayView1<'_, f64>) -> f64 {
    if col.is_empty() {
        return 0.0;
    }
    let mut v: Vec<f64> = col.iter().copied().filter(|x| !x.is_nan()).collect();
    let has_nan = v.len() < col.len();
    v.sort_by(f64::total_cmp);
    v.dedup_by(|a, b| a == b);
    (v.len() + usize::from(has_nan)) as f64 / col.len() as f64
}

/// The prepared inputs shared by every unit of one call.
struct Prepared<'a> {
    fw: &'a Framework,
    data: &'a Dataset,
    raw: ndarray::Array2<f64>,
    adjusted: ndarray::Array2<f64>,
    kept: Vec<usize>,
    parents: Vec<String>,
    /// Ranks over all units, computed once when no group is used.
    all_ranks: Option<Vec<Vec<f64>>>,
    opts: &'a StrWeakOptions,
}

fn prepare<'a>(
    data: &'a Dataset,
    fw: &'a Framework,
    opts: &'a StrWeakOptions,
) -> Result<Prepared<'a>> {
    let m = fw.n_indicators();
    for (name, n) in [("top_n", opts.top_n), ("bottom_n", opts.bottom_n)] {
        if n == 0 || n > m {
            return Err(Error::invalid(name, n, Expected::closed(1.0, m as f64)));
        }
    }
    if opts.report_level < 2 || opts.report_level > fw.max_level() {
        return Err(Error::invalid(
            "report_level",
            opts.report_level,
            Expected::closed(2.0, fw.max_level() as f64),
        ));
    }
    if let Some(t) = opts.unq_discard
        && !(0.0..=1.0).contains(&t)
    {
        return Err(Error::invalid("unq_discard", t, Expected::closed(0.0, 1.0)));
    }
    if let Some(g) = &opts.use_group {
        data.group(g)?;
    }
    let codes = fw.indicator_codes();
    let raw = data.select(&codes)?;
    let mut adjusted = raw.clone();
    if opts.adjust_direction {
        for (mut col, ind) in adjusted.columns_mut().into_iter().zip(fw.indicators()) {
            let s = ind.direction.sign();
            col.mapv_inplace(|v| v * s);
        }
    }
    let kept: Vec<usize> = (0..m)
        .filter(|&j| match opts.unq_discard {
            Some(t) => unique_share(raw.column(j)) > t,
            None => true,
        })
        .collect();
    let nodes = fw.nodes();
    let parents = (0..m)
        .map(|j| {
            fw.ancestors(j)
                .into_iter()
                .filter_map(|a| nodes.get(a))
                .find(|n| n.level >= opts.report_level)
                .map(|n| n.code.clone())
                .unwrap_or_default()
        })
        .collect();
    let all_ranks = match opts.use_group {
        None => Some(ranks_within(
            &adjusted,
            &(0..data.n_units()).collect::<Vec<_>>(),
        )),
        Some(_) => None,
    };
    Ok(Prepared {
        fw,
        data,
        raw,
        adjusted,
        kept,
        parents,
        all_ranks,
        opts,
    })
}

impl Prepared<'_> {
    fn unit(&self, row: usize) -> Result<StrWeak> {
        let code = self.data.unit_codes().get(row).cloned().unwrap_or_default();
        let group_ranks;
        let ranks = match (&self.all_ranks, &self.opts.use_group) {
            (Some(r), _) => r,
            (None, None) => {
                group_ranks = ranks_within(
                    &self.adjusted,
                    &(0..self.data.n_units()).collect::<Vec<_>>(),
                );
                &group_ranks
            }
            (None, Some(g)) => {
                let labels = self.data.group(g)?;
                let mine = labels.get(row).map(String::as_str).unwrap_or("");
                if mine.is_empty() {
                    return Err(Error::incompatible(
                        format!("use_group `{g}`"),
                        format!("unit `{code}` has no label in the group column `{g}`"),
                    ));
                }
                let rows: Vec<usize> = labels
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| l.as_str() == mine)
                    .map(|(i, _)| i)
                    .collect();
                group_ranks = ranks_within(&self.adjusted, &rows);
                &group_ranks
            }
        };
        let mut cand: Vec<(usize, f64)> = self
            .kept
            .iter()
            .filter_map(|&j| {
                let col = ranks.get(j)?;
                let r = *col.get(row)?;
                if r.is_nan() {
                    return None;
                }
                if self.opts.min_discard {
                    let worst = col
                        .iter()
                        .copied()
                        .filter(|v| !v.is_nan())
                        .fold(f64::NEG_INFINITY, f64::max);
                    if r == worst {
                        return None;
                    }
                }
                Some((j, r))
            })
            .collect();
        // stable: ties keep framework order
        cand.sort_by(|a, b| a.1.total_cmp(&b.1));
        let inds = self.fw.indicators();
        let make = |&(j, r): &(usize, f64)| StrWeakRow {
            indicator: inds.get(j).map(|i| i.code.clone()).unwrap_or_default(),
            name: inds.get(j).map(|i| i.name.clone()).unwrap_or_default(),
            parent: self.parents.get(j).cloned().unwrap_or_default(),
            measure: inds.get(j).map(|i| i.unit.clone()).unwrap_or_default(),
            rank: r,
            value: self.raw.get((row, j)).copied().unwrap_or(f64::NAN),
        };
        let strengths = cand.iter().take(self.opts.top_n).map(make).collect();
        let skip = cand.len().saturating_sub(self.opts.bottom_n);
        let weaknesses = cand.iter().skip(skip).map(make).collect();
        Ok(StrWeak {
            unit: code,
            strengths,
            weaknesses,
        })
    }
}

/// The strengths and weaknesses of one unit (COINr's `get_str_weak(coin, dset, usel, topN,
/// bottomN, use_group, unq_discard, min_discard, report_level, adjust_direction)`); see the module
/// docs for the rules.
///
/// # Errors
/// [`Error::UnknownName`] (`unit`) for a unit not in the data; [`Error::MissingColumns`] for an indicator or
/// group column the data lacks; [`Error::InvalidParameter`] for `top_n`/`bottom_n` outside 1 to the
/// number of indicators, `report_level` outside 2 to the top level or `unq_discard` outside `[0, 1]`;
/// [`Error::Incompatible`] for a unit without a label in the `use_group` column.
///
/// # Examples
/// ```
/// use composite_indicators::prelude::*;
/// use composite_indicators::study::strweak::{StrWeakOptions, str_weak};
/// use ndarray::array;
/// let fw = FrameworkSpec::new(
///     "t",
///     vec![
///         Indicator::new("a", "P"),
///         Indicator::new("b", "P"),
///         Indicator::new("c", "Q").with_direction(Direction::Negative),
///     ],
///     vec![Pillar::new("P").with_parent("I"), Pillar::new("Q").with_parent("I"), Pillar::new("I")],
/// )
/// .check()?;
/// let d = Dataset::new(
///     vec!["X".into(), "Y".into(), "Z".into()],
///     vec!["a".into(), "b".into(), "c".into()],
///     array![[3.0, 2.0, 9.0], [2.0, 1.0, 5.0], [1.0, 3.0, 1.0]],
/// )?;
/// // X ranks: a 1, b 2, c 3 (the highest c, and c is "lower is better")
/// let opts = StrWeakOptions { top_n: 1, bottom_n: 1, min_discard: false, ..Default::default() };
/// let sw = str_weak(&d, &fw, "X", &opts)?;
/// assert_eq!((sw.strengths[0].indicator.as_str(), sw.strengths[0].rank), ("a", 1.0));
/// assert_eq!((sw.weaknesses[0].indicator.as_str(), sw.weaknesses[0].value), ("c", 9.0));
/// assert_eq!(sw.weaknesses[0].parent, "Q");
/// // min_discard (the default) drops c, where X is last: b becomes the weakness
/// let sw = str_weak(&d, &fw, "X", &StrWeakOptions { top_n: 1, bottom_n: 1, ..Default::default() })?;
/// assert_eq!(sw.weaknesses[0].indicator, "b");
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn str_weak(
    data: &Dataset,
    fw: &Framework,
    unit: &str,
    opts: &StrWeakOptions,
) -> Result<StrWeak> {
    let row = data.unit_position(unit)?;
    prepare(data, fw, opts)?.unit(row)
}

/// [`str_weak`] for several units (every unit of the data set when `units` is empty), in the order
/// given (data order for all), as one table.
///
/// # Errors
/// As [`str_weak`]; a unit asked twice → [`Error::DuplicateCode`].
///
/// # Examples
/// ```
/// use composite_indicators::prelude::*;
/// use composite_indicators::study::strweak::{StrWeakOptions, str_weak_table};
/// use ndarray::array;
/// let fw = FrameworkSpec::new(
///     "t",
///     vec![Indicator::new("a", "I"), Indicator::new("b", "I")],
///     vec![Pillar::new("I")],
/// )
/// .check()?;
/// let d = Dataset::new(vec!["X".into(), "Y".into()], vec!["a".into(), "b".into()], array![[1.0, 2.0], [2.0, 1.0]])?;
/// let opts = StrWeakOptions { top_n: 1, bottom_n: 1, min_discard: false, report_level: 2, ..Default::default() };
/// let t = str_weak_table(&d, &fw, &[], &opts)?;
/// assert_eq!(t.units.len(), 2);
/// let csv = t.to_csv_string()?;
/// assert!(csv.starts_with("uCode,Type,Position,iCode,iName,Parent,Unit,Rank,Value\nX,Strength,1,b,b,I,,1,2\n"));
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn str_weak_table(
    data: &Dataset,
    fw: &Framework,
    units: &[&str],
    opts: &StrWeakOptions,
) -> Result<StrWeakTable> {
    let prep = prepare(data, fw, opts)?;
    let rows: Vec<usize> = if units.is_empty() {
        (0..data.n_units()).collect()
    } else {
        let mut seen = HashSet::new();
        units
            .iter()
            .map(|u| {
                if !seen.insert(*u) {
                    return Err(Error::DuplicateCode {
                        code: u.to_string(),
                    });
                }
                data.unit_position(u)
            })
            .collect::<Result<_>>()?
    };
    let units = rows
        .into_iter()
        .map(|r| prep.unit(r))
        .collect::<Result<Vec<_>>>()?;
    Ok(StrWeakTable { units })
}

/// Strengths and weaknesses of several units (see [`str_weak_table`]).
///
/// # Examples
/// See [`str_weak_table`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrWeakTable {
    /// One entry per unit.
    pub units: Vec<StrWeak>,
}

impl StrWeakTable {
    const HEADER: [&str; 9] = [
        "uCode", "Type", "Position", "iCode", "iName", "Parent", "Unit", "Rank", "Value",
    ];

    fn cells(&self) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        for u in &self.units {
            for (kind, list) in [("Strength", &u.strengths), ("Weakness", &u.weaknesses)] {
                for (k, r) in list.iter().enumerate() {
                    out.push(vec![
                        u.unit.clone(),
                        kind.to_string(),
                        (k + 1).to_string(),
                        r.indicator.clone(),
                        r.name.clone(),
                        r.parent.clone(),
                        r.measure.clone(),
                        format_f64(r.rank),
                        format_f64(r.value),
                    ]);
                }
            }
        }
        out
    }
}

impl CsvTable for StrWeakTable {
    /// Write the table as CSV, one row per reported indicator: `uCode,Type,Position,iCode,iName,
    /// Parent,Unit,Rank,Value` (`Type` is `Strength` or `Weakness`; `Position` counts from 1 within
    /// each list; `Parent` is the ancestor at the report level).
    ///
    /// # Errors
    /// [`Error::Io`] when writing fails.
    ///
    /// # Examples
    /// ```
    /// use composite_indicators::study::CsvTable;
    /// use composite_indicators::study::strweak::StrWeakTable;
    /// let p = std::env::temp_dir().join("ci_strweak_doc.csv");
    /// StrWeakTable { units: vec![] }.write_csv_path(&p)?;
    /// assert!(std::fs::read_to_string(&p).unwrap().starts_with("uCode,Type,"));
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    fn write_csv<W: Write>(&self, w: W) -> Result<()> {
        write_rows(w, "strengths and weaknesses", Self::HEADER, self.cells())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn unique_share_counts_missing_once() {
        let v = array![1.0, 1.0, f64::NAN, f64::NAN, 2.0];
        assert_eq!(unique_share(v.view()), 3.0 / 5.0);
        assert_eq!(unique_share(array![0.0, -0.0].view()), 0.5);
    }

    #[test]
    fn ranks_only_inside_the_rows() {
        let x = array![[1.0], [5.0], [3.0], [4.0]];
        let r = ranks_within(&x, &[0, 2, 3]);
        assert!(r[0][1].is_nan());
        assert_eq!((r[0][0], r[0][2], r[0][3]), (3.0, 2.0, 1.0));
    }
}
