//! Result writers: score tables, uncertainty reports, Sobol indices and audit tables as CSV or JSON.
//!
//! Every writer first builds a [`Table`] (named columns; cells that are text, numbers or missing),
//! then writes it as CSV ([`Table::write_csv`]) or JSON ([`Table::write_json`]), or to a file chosen
//! by extension ([`Table::write_path`], always through [`write_atomic`]).
//!
//! Cell formatting, the same for every table:
//! * a missing cell (`None` in a report row, NaN in a score) is an **empty CSV field** and JSON
//!   `null`; an `Option` is never printed as `Some(..)`;
//! * numbers use [`format_f64`] in CSV (the shortest text that reads back to the same `f64`: `23`,
//!   `0.30000000000000004`) and `serde_json`'s shortest round-trip form in JSON (`23.0`);
//! * ±∞ (which no table below produces from finite inputs) are `inf` / `-inf` in CSV and the strings
//!   `"inf"` / `"-inf"` in JSON, as the crate's JSON files elsewhere.

use std::io::Write;
use std::path::Path;

use serde::ser::{SerializeMap, SerializeSeq, Serializer};

use crate::audit::{AuditReport, Flag};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::score::Scores;
use crate::spec::Framework;
use crate::sweep::{SobolIndices, UaReport};

use super::{format_f64, path_name, write_atomic};

/// One cell of a [`Table`].
///
/// ```
/// use composite_indicators::io::Cell;
/// assert_eq!(Cell::from(Some(23.0)), Cell::Num(23.0));
/// assert_eq!(Cell::from(None::<f64>), Cell::Missing);
/// assert_eq!(Cell::from(f64::NAN), Cell::Missing);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text (codes, names, group labels).
    Text(String),
    /// A number (never NaN: NaN becomes [`Cell::Missing`] through `From<f64>`).
    Num(f64),
    /// A missing value: empty CSV field, JSON `null`.
    Missing,
}

impl From<f64> for Cell {
    fn from(v: f64) -> Self {
        if v.is_nan() {
            Cell::Missing
        } else {
            Cell::Num(v)
        }
    }
}

impl From<Option<f64>> for Cell {
    fn from(v: Option<f64>) -> Self {
        v.map_or(Cell::Missing, Cell::from)
    }
}

impl From<Option<u32>> for Cell {
    fn from(v: Option<u32>) -> Self {
        v.map_or(Cell::Missing, |x| Cell::Num(f64::from(x)))
    }
}

impl From<String> for Cell {
    fn from(v: String) -> Self {
        Cell::Text(v)
    }
}

impl From<&str> for Cell {
    fn from(v: &str) -> Self {
        Cell::Text(v.to_string())
    }
}

impl Cell {
    fn csv_text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Num(v) => format_f64(*v),
            Cell::Missing => String::new(),
        }
    }
}

/// Output format of a table file.
///
/// ```
/// use composite_indicators::io::TableFormat;
/// assert_eq!(TableFormat::from_path("ua.json"), TableFormat::Json);
/// assert_eq!(TableFormat::from_path("ua.csv"), TableFormat::Csv);
/// assert_eq!(TableFormat::from_path("ua"), TableFormat::Csv);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// A JSON array with one object per row (keys in column order).
    Json,
}

impl TableFormat {
    /// JSON when the file name ends in `.json` (any case), CSV otherwise.
    pub fn from_path(path: impl AsRef<Path>) -> TableFormat {
        match path.as_ref().extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("json") => TableFormat::Json,
            _ => TableFormat::Csv,
        }
    }
}

/// A table with named columns, written as CSV or JSON (see the module docs for cell formatting).
///
/// ```
/// use composite_indicators::io::{Cell, Table};
/// let mut t = Table::new(["uCode", "median_rank"]).unwrap();
/// t.push(vec![Cell::from("AUT"), Cell::from(Some(23.0))]).unwrap();
/// t.push(vec![Cell::from("BEL"), Cell::from(None::<f64>)]).unwrap();
/// let mut csv = Vec::new();
/// t.write_csv(&mut csv).unwrap();
/// assert_eq!(String::from_utf8(csv).unwrap(), "uCode,median_rank\nAUT,23\nBEL,\n");
/// let mut json = Vec::new();
/// t.write_json(&mut json).unwrap();
/// assert_eq!(
///     String::from_utf8(json).unwrap(),
///     r#"[{"uCode":"AUT","median_rank":23.0},{"uCode":"BEL","median_rank":null}]"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    columns: Vec<String>,
    rows: Vec<Vec<Cell>>,
}

impl Table {
    /// An empty table with these column names.
    ///
    /// # Errors
    /// [`Error::DuplicateCode`] when a column name repeats (CSV readers and JSON objects could not
    /// tell the two apart).
    ///
    /// # Examples
    /// ```
    /// use composite_indicators::io::Table;
    /// assert!(Table::new(["a", "b"]).is_ok());
    /// assert!(Table::new(["a", "a"]).is_err());
    /// ```
    pub fn new<I, S>(columns: I) -> Result<Table>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let columns: Vec<String> = columns.into_iter().map(Into::into).collect();
        let mut seen = std::collections::HashSet::new();
        for c in &columns {
            if !seen.insert(c.as_str()) {
                return Err(Error::DuplicateCode { code: c.clone() });
            }
        }
        Ok(Table {
            columns,
            rows: Vec::new(),
        })
    }

    /// Append a row.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the row does not have one cell per column.
    ///
    /// # Examples
    /// ```
    /// use composite_indicators::io::{Cell, Table};
    /// let mut t = Table::new(["a"]).unwrap();
    /// assert!(t.push(vec![Cell::Num(1.0)]).is_ok());
    /// assert!(t.push(vec![]).is_err());
    /// ```
    pub fn push(&mut self, row: Vec<Cell>) -> Result<()> {
        if row.len() != self.columns.len() {
            return Err(Error::ShapeMismatch {
                what: format!("cells of table row {} vs columns", self.rows.len() + 1),
                expected: self.columns.len(),
                found: row.len(),
            });
        }
        self.rows.push(row);
        Ok(())
    }

    /// Column names.
    ///
    /// ```
    /// use composite_indicators::io::Table;
    /// assert_eq!(Table::new(["a", "b"]).unwrap().columns(), ["a", "b"]);
    /// ```
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Rows, in insertion order.
    ///
    /// ```
    /// use composite_indicators::io::{Cell, Table};
    /// let mut t = Table::new(["a"]).unwrap();
    /// t.push(vec![Cell::Missing]).unwrap();
    /// assert_eq!(t.rows(), [vec![Cell::Missing]]);
    /// ```
    pub fn rows(&self) -> &[Vec<Cell>] {
        &self.rows
    }

    /// Write as CSV (header row, then one line per row).
    ///
    /// # Errors
    /// [`Error::Io`] (target `table output`) when the writer fails.
    ///
    /// # Examples
    /// See [`Table`].
    pub fn write_csv<W: Write>(&self, w: W) -> Result<()> {
        self.csv_to(w, "table output")
    }

    /// Write as a JSON array of objects, keys in column order.
    ///
    /// # Errors
    /// [`Error::Io`] (target `table output`) when the writer fails.
    ///
    /// # Examples
    /// See [`Table`].
    pub fn write_json<W: Write>(&self, w: W) -> Result<()> {
        self.json_to(w, "table output")
    }

    /// Write to a file atomically ([`write_atomic`]) as CSV or JSON by the file's extension
    /// ([`TableFormat::from_path`]); errors name the path.
    ///
    /// # Errors
    /// [`Error::Io`] naming `path` (missing directory, no permission, full disk); the target is then
    /// left as it was.
    ///
    /// # Examples
    /// ```
    /// use composite_indicators::io::{Cell, Table};
    /// let mut t = Table::new(["x"]).unwrap();
    /// t.push(vec![Cell::Num(0.5)]).unwrap();
    /// let p = std::env::temp_dir().join("ci_table_doc.json");
    /// t.write_path(&p).unwrap();
    /// assert_eq!(std::fs::read_to_string(&p).unwrap(), r#"[{"x":0.5}]"#);
    /// ```
    pub fn write_path(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let name = path_name(path);
        write_atomic(path, |w| match TableFormat::from_path(path) {
            TableFormat::Csv => self.csv_to(w, &name),
            TableFormat::Json => self.json_to(w, &name),
        })
    }

    fn csv_to<W: Write>(&self, w: W, target: &str) -> Result<()> {
        // an I/O error keeps its kind (a closed pipe stays `BrokenPipe`)
        let io = |e: csv::Error| {
            let message = e.to_string();
            Error::Io {
                path: target.to_string(),
                source: match e.into_kind() {
                    csv::ErrorKind::Io(err) => err,
                    _ => std::io::Error::other(message),
                },
            }
        };
        let mut wtr = csv::WriterBuilder::new().flexible(false).from_writer(w);
        wtr.write_record(&self.columns).map_err(io)?;
        for row in &self.rows {
            wtr.write_record(row.iter().map(Cell::csv_text))
                .map_err(io)?;
        }
        wtr.flush().map_err(|e| Error::Io {
            path: target.to_string(),
            source: e,
        })
    }

    fn json_to<W: Write>(&self, mut w: W, target: &str) -> Result<()> {
        let io = |e: serde_json::Error| Error::Io {
            path: target.to_string(),
            source: std::io::Error::from(e),
        };
        let mut ser = serde_json::Serializer::new(&mut w);
        let mut seq = ser.serialize_seq(Some(self.rows.len())).map_err(io)?;
        for row in &self.rows {
            seq.serialize_element(&JsonRow(&self.columns, row))
                .map_err(io)?;
        }
        SerializeSeq::end(seq).map_err(io)?;
        w.flush().map_err(|e| Error::Io {
            path: target.to_string(),
            source: e,
        })
    }
}

struct JsonRow<'a>(&'a [String], &'a [Cell]);

impl serde::Serialize for JsonRow<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, c) in self.0.iter().zip(self.1) {
            match c {
                Cell::Text(t) => m.serialize_entry(k, t)?,
                Cell::Num(v) if *v == f64::INFINITY => m.serialize_entry(k, "inf")?,
                Cell::Num(v) if *v == f64::NEG_INFINITY => m.serialize_entry(k, "-inf")?,
                Cell::Num(v) => m.serialize_entry(k, v)?,
                Cell::Missing => m.serialize_entry(k, &())?,
            }
        }
        SerializeMap::end(m)
    }
}

/// Which rank columns a score table carries.
///
/// ```
/// use composite_indicators::io::RankColumns;
/// assert_eq!(RankColumns::default(), RankColumns::Index);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RankColumns {
    /// Only `Rank`, the rank of the index (the `score` example's layout).
    #[default]
    Index,
    /// `Rank_<code>` for every aggregate below the index (node order), then `Rank` for the index.
    All,
}

/// Layout options of [`score_table`].
///
/// ```
/// use composite_indicators::io::{RankColumns, ScoreTableOptions};
/// let o = ScoreTableOptions { names: true, ranks: RankColumns::All, round: Some(2) };
/// assert_ne!(o, ScoreTableOptions::default());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScoreTableOptions {
    /// Add `uName` and one column per unit group (e.g. `GDP_group`) after `uCode`.
    pub names: bool,
    /// Rank columns.
    pub ranks: RankColumns,
    /// Round scores (not ranks) to this many decimals: `round(x · 10ᴺ) / 10ᴺ` computed in `f64`,
    /// halves away from zero (R's `round()` rounds a decimal half to even, so the last digit can differ
    /// from COINr's for a value exactly halfway); `-0` becomes `0`. `None` keeps every bit.
    pub round: Option<u32>,
}

/// The column names of the [`score_table`] of `framework` with these unit `groups` (group column
/// names, used when `opts.names`), checked for clashes: call it before reading data or opening any
/// output, so that a node coded `Rank` fails before anything is written.
///
/// Columns: `uCode`, then with `opts.names` `uName` and the group columns, then one column per node
/// in framework order (indicators, aggregates bottom-up, the index last), then the rank columns
/// ([`RankColumns`]).
///
/// # Errors
/// [`Error::ColumnClash`] when a node code or group column equals a column the table adds itself
/// (`uCode`, `uName`, `Rank`, `Rank_<code>`), or a group column equals a node code.
///
/// # Examples
/// ```
/// use composite_indicators::io::{score_table_columns, ScoreTableOptions};
/// use composite_indicators::prelude::*;
/// let fw = FrameworkSpec::new("t", vec![Indicator::new("a", "P")], vec![Pillar::new("P")]).check().unwrap();
/// let cols = score_table_columns(&fw, &[], &ScoreTableOptions::default()).unwrap();
/// assert_eq!(cols, ["uCode", "a", "P", "Rank"]);
/// let fw = FrameworkSpec::new("t", vec![Indicator::new("a", "Rank")], vec![Pillar::new("Rank")]).check().unwrap();
/// assert!(score_table_columns(&fw, &[], &ScoreTableOptions::default()).is_err());
/// ```
pub fn score_table_columns(
    framework: &Framework,
    groups: &[String],
    opts: &ScoreTableOptions,
) -> Result<Vec<String>> {
    let nodes = framework.nodes();
    let root = framework.root_index();
    let mut own: Vec<String> = vec!["uCode".into()];
    if opts.names {
        own.push("uName".into());
    }
    let mut rank_cols = Vec::new();
    if opts.ranks == RankColumns::All {
        for k in framework.aggregate_indices().filter(|&k| k != root) {
            if let Some(n) = nodes.get(k) {
                rank_cols.push(format!("Rank_{}", n.code));
            }
        }
    }
    rank_cols.push("Rank".into());
    let own_all: Vec<&String> = own.iter().chain(&rank_cols).collect();
    let group_cols: &[String] = if opts.names { groups } else { &[] };
    for n in nodes {
        if let Some(c) = own_all.iter().find(|c| **c == &n.code) {
            return Err(Error::ColumnClash {
                code: n.code.clone(),
                column: c.to_string(),
            });
        }
    }
    for g in group_cols {
        if let Some(c) = own_all.iter().find(|c| **c == g) {
            return Err(Error::ColumnClash {
                code: g.clone(),
                column: c.to_string(),
            });
        }
        // a node named like a unit-group column (which the table also writes)
        if nodes.iter().any(|n| &n.code == g) {
            return Err(Error::ColumnClash {
                code: g.clone(),
                column: g.clone(),
            });
        }
    }
    let mut cols = own;
    cols.extend(group_cols.iter().cloned());
    cols.extend(nodes.iter().map(|n| n.code.clone()));
    cols.extend(rank_cols);
    Ok(cols)
}

fn round_to(v: f64, digits: Option<u32>) -> f64 {
    match digits {
        None => v,
        Some(d) => {
            let f = 10f64.powi(d.min(300) as i32);
            let r = (v * f).round() / f;
            // keep values whose scaling overflows as they are; never write `-0`
            let r = if r.is_finite() { r } else { v };
            if r == 0.0 { 0.0 } else { r }
        }
    }
}

/// The score table: one row per unit (the scores' row order), every node's score and the chosen rank
/// columns (see [`score_table_columns`] for the layout). Unit names and group labels come from
/// `data` (the data set that was scored, same units in the same order).
///
/// With the default options the table is, cell for cell, what the `score` example writes.
///
/// # Errors
/// As [`score_table_columns`]; [`Error::ShapeMismatch`] when `data` has other units than `scores`.
///
/// # Examples
/// ```
/// use composite_indicators::io::{score_table, RankColumns, ScoreTableOptions};
/// use composite_indicators::prelude::*;
/// use composite_indicators::score::Scorer;
/// let fw = FrameworkSpec::new(
///     "t",
///     vec![Indicator::new("a", "P"),
///     Indicator::new("b", "P")],
///     vec![Pillar::new("P")],
/// ).check().unwrap();
/// let data = Dataset::new(vec!["X".into(), "Y".into()], vec!["a".into(), "b".into()],
///     ndarray::array![[1.0, 2.0], [3.0, 1.0]]).unwrap()
///     .with_names(vec!["Ex".into(), "Why".into()]).unwrap();
/// let scores = Scorer::new(fw).score(&data).unwrap();
/// let opts = ScoreTableOptions { names: true, ranks: RankColumns::All, round: Some(1) };
/// let t = score_table(&scores, &data, &opts).unwrap();
/// assert_eq!(t.columns(), ["uCode", "uName", "a", "b", "P", "Rank"]);
/// let mut out = Vec::new();
/// t.write_csv(&mut out).unwrap();
/// // X: a = 0, b = 100 -> P = 50; Y: a = 100, b = 0 -> 50: tied at rank 1
/// assert_eq!(String::from_utf8(out).unwrap(),
///     "uCode,uName,a,b,P,Rank\nX,Ex,0,100,50,1\nY,Why,100,0,50,1\n");
/// ```
pub fn score_table(scores: &Scores, data: &Dataset, opts: &ScoreTableOptions) -> Result<Table> {
    let groups: Vec<String> = data.groups().iter().map(|(g, _)| g.clone()).collect();
    let fw = scores.framework();
    let columns = score_table_columns(fw, &groups, opts)?;
    if data.unit_codes() != scores.unit_codes() {
        let (n_data, n_scores) = (data.unit_codes().len(), scores.unit_codes().len());
        let what = if n_data == n_scores {
            // same number: another order or other units; say which row differs first
            let (i, a, b) = data
                .unit_codes()
                .iter()
                .zip(scores.unit_codes())
                .enumerate()
                .find(|(_, (a, b))| a != b)
                .map(|(i, (a, b))| (i, a.as_str(), b.as_str()))
                .unwrap_or((0, "", ""));
            format!(
                "units of the data set vs units of the scores: row {} is `{a}` in the data and `{b}` \
                 in the scores (pass the data set that was scored, e.g. the pipeline's \
                 `prepared()`, whose units and order are the scores')",
                i + 1
            )
        } else {
            "units of the data set vs units of the scores (pass the data set that was scored, e.g. \
             the pipeline's `prepared()`: screening may have removed units)"
                .to_string()
        };
        return Err(Error::ShapeMismatch {
            what,
            expected: n_scores,
            found: n_data,
        });
    }
    let root = fw.root_index();
    let mut rank_nodes: Vec<usize> = Vec::new();
    if opts.ranks == RankColumns::All {
        rank_nodes.extend(fw.aggregate_indices().filter(|&k| k != root));
    }
    rank_nodes.push(root);
    let values = scores.values();
    let ranks = scores.ranks();
    let mut t = Table::new(columns)?;
    for (u, code) in scores.unit_codes().iter().enumerate() {
        let mut row: Vec<Cell> = vec![Cell::Text(code.clone())];
        if opts.names {
            row.push(Cell::Text(
                data.unit_names().get(u).cloned().unwrap_or_default(),
            ));
            for (_, labels) in data.groups() {
                row.push(Cell::Text(labels.get(u).cloned().unwrap_or_default()));
            }
        }
        if let Some(vals) = values.outer_iter().nth(u) {
            row.extend(vals.iter().map(|&v| Cell::from(round_to(v, opts.round))));
        }
        for &k in &rank_nodes {
            row.push(Cell::from(ranks.get((u, k)).copied().unwrap_or(f64::NAN)));
        }
        t.push(row)?;
    }
    Ok(t)
}

/// The uncertainty-analysis table: one row per unit of `report` with columns `uCode`, `uName` (only
/// when `names` is given: see [`UnitNames`], matched by code), `nominal_rank`,
/// `median_rank`, `q05_rank`, `q95_rank`, `mean_abs_shift`, `mean_rank`, `nominal_score`,
/// `score_mean`, `score_sd`, `score_q05`, `score_median`, `score_q95`, `n_missing`. A field that
/// is `None` in the [`UaRow`](crate::sweep::UaRow) is a missing cell.
///
/// # Errors
/// [`Error::ShapeMismatch`] when the codes and names given differ in length;
/// [`Error::UnknownName`] for a row whose unit is not among the codes.
///
/// # Examples
/// ```
/// use composite_indicators::io::ua_table;
/// use composite_indicators::sweep::{UaReport, UaRow};
/// let row = UaRow { unit: "AUT".into(), nominal_score: 61.5, nominal_rank: Some(23),
///     median_rank: Some(23.0), q05_rank: Some(20.0), q95_rank: Some(26.5), mean_rank: Some(23.2),
///     mean_abs_shift: Some(1.25), score_mean: None, score_sd: None, score_q05: None,
///     score_median: None, score_q95: None, n_missing: 0 };
/// let (codes, names) = (["BEL".to_string(), "AUT".into()], ["Belgium".to_string(), "Austria".into()]);
/// let t = ua_table(&UaReport { variants: 100, rows: vec![row] }, Some((&codes, &names))).unwrap();
/// let mut out = Vec::new();
/// t.write_csv(&mut out).unwrap();
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.lines().nth(1).unwrap().starts_with("AUT,Austria,23,23,20,26.5,1.25,23.2,61.5,,"));
/// assert!(!text.contains("Some"));
/// ```
pub fn ua_table(report: &UaReport, names: Option<UnitNames<'_>>) -> Result<Table> {
    ua_table_with_resolution(report, names, 1)
}

/// Unit names for [`ua_table`]: the unit codes and the names of the data they come from, in that
/// data's order (e.g. `(data.unit_codes(), data.unit_names())`). Names are matched to the report's
/// rows **by code**, so the data may be in any order.
pub type UnitNames<'a> = (&'a [String], &'a [String]);

/// [`ua_table`] of a sweep whose rank histograms have bins of `rank_resolution` consecutive ranks
/// ([`RankHistogram::bin_width`](crate::sweep::RankHistogram::bin_width) of the sweep's
/// [`SweepResult::ranks`](crate::sweep::SweepResult::ranks); 1 = exact histograms). With 1 (or 0)
/// the table is [`ua_table`]'s, byte for byte. With `w > 1` (a binned
/// [`RankSummary`](crate::sweep::RankSummary)) a last column `rank_resolution` holds `w` in every
/// row: the rank columns are then resolved to one bin (quantiles read each bin's counts as spread
/// evenly over its ranks, within `w − 1` of the exact value on either side; `mean_rank` and
/// `mean_abs_shift` use bin midpoints, within `(w − 1)/2` of theirs), so a reader of the file sees
/// which summary produced it.
///
/// # Errors
/// As [`ua_table`].
///
/// # Examples
/// ```
/// use composite_indicators::io::ua_table_with_resolution;
/// use composite_indicators::sweep::{UaReport, UaRow};
/// let row = UaRow { unit: "AUT".into(), nominal_score: 61.5, nominal_rank: Some(23),
///     median_rank: Some(21.0), q05_rank: Some(16.0), q95_rank: Some(26.0), mean_rank: Some(22.5),
///     mean_abs_shift: Some(2.5), score_mean: None, score_sd: None, score_q05: None,
///     score_median: None, score_q95: None, n_missing: 0 };
/// let report = UaReport { variants: 100, rows: vec![row] };
/// let mut out = Vec::new();
/// ua_table_with_resolution(&report, None, 5).unwrap().write_csv(&mut out).unwrap();
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.starts_with("uCode,nominal_rank,"));
/// assert!(text.lines().next().unwrap().ends_with(",n_missing,rank_resolution"));
/// assert!(text.lines().nth(1).unwrap().ends_with(",0,5"));
/// // exact histograms: the plain table
/// let plain = ua_table_with_resolution(&report, None, 1).unwrap();
/// assert_eq!(plain.columns(), composite_indicators::io::ua_table(&report, None).unwrap().columns());
/// ```
pub fn ua_table_with_resolution(
    report: &UaReport,
    names: Option<UnitNames<'_>>,
    rank_resolution: usize,
) -> Result<Table> {
    let binned = rank_resolution > 1;
    // the name of every row's unit, matched by code
    let row_names: Option<Vec<String>> = match names {
        None => None,
        Some((codes, names)) => {
            if codes.len() != names.len() {
                return Err(Error::ShapeMismatch {
                    what: "unit codes vs unit names given to the uncertainty table".into(),
                    expected: codes.len(),
                    found: names.len(),
                });
            }
            let by_code: std::collections::HashMap<&str, &String> =
                codes.iter().map(String::as_str).zip(names).collect();
            let found = report
                .rows
                .iter()
                .map(|r| {
                    by_code
                        .get(r.unit.as_str())
                        .map(|n| (*n).clone())
                        .ok_or_else(|| {
                            Error::unknown_name(
                                "unit of the uncertainty report among the named units",
                                r.unit.as_str(),
                                codes.iter().cloned(),
                            )
                        })
                })
                .collect::<Result<Vec<_>>>()?;
            Some(found)
        }
    };
    let mut cols = vec!["uCode"];
    if row_names.is_some() {
        cols.push("uName");
    }
    cols.extend([
        "nominal_rank",
        "median_rank",
        "q05_rank",
        "q95_rank",
        "mean_abs_shift",
        "mean_rank",
        "nominal_score",
        "score_mean",
        "score_sd",
        "score_q05",
        "score_median",
        "score_q95",
        "n_missing",
    ]);
    if binned {
        cols.push("rank_resolution");
    }
    let mut t = Table::new(cols)?;
    for (i, r) in report.rows.iter().enumerate() {
        let mut row = vec![Cell::Text(r.unit.clone())];
        if let Some(n) = &row_names {
            row.push(Cell::Text(n.get(i).cloned().unwrap_or_default()));
        }
        row.extend([
            Cell::from(r.nominal_rank),
            Cell::from(r.median_rank),
            Cell::from(r.q05_rank),
            Cell::from(r.q95_rank),
            Cell::from(r.mean_abs_shift),
            Cell::from(r.mean_rank),
            Cell::from(r.nominal_score),
            Cell::from(r.score_mean),
            Cell::from(r.score_sd),
            Cell::from(r.score_q05),
            Cell::from(r.score_median),
            Cell::from(r.score_q95),
            Cell::Num(r.n_missing as f64),
        ]);
        if binned {
            row.push(Cell::Num(rank_resolution as f64));
        }
        t.push(row)?;
    }
    Ok(t)
}

/// Sobol indices in long form: one row per target and input group, columns `target`, `group`,
/// `first`, `total`, and, when the indices carry bootstrap intervals, `first_lo`, `first_hi`,
/// `total_lo`, `total_hi` (missing for targets that were not bootstrapped). `targets` restricts and
/// orders the targets (`None`: all, in the indices' order).
///
/// # Errors
/// [`Error::UnknownName`] (`Sobol target`) naming a requested target the indices do not have, with
/// the targets they have.
///
/// # Examples
/// ```
/// use composite_indicators::io::sobol_table;
/// use composite_indicators::sweep::SobolIndices;
/// let s = SobolIndices { groups: vec!["weights".into()], targets: vec!["mean_abs_rank_shift".into()],
///     first: ndarray::array![[0.75]], total: ndarray::array![[0.875]], variance: vec![2.0],
///     n: 8, runs: 24, intervals: None };
/// let mut out = Vec::new();
/// sobol_table(&s, None).unwrap().write_csv(&mut out).unwrap();
/// assert_eq!(String::from_utf8(out).unwrap(),
///     "target,group,first,total\nmean_abs_rank_shift,weights,0.75,0.875\n");
/// ```
pub fn sobol_table(s: &SobolIndices, targets: Option<&[String]>) -> Result<Table> {
    let rows: Vec<usize> = match targets {
        None => (0..s.targets.len()).collect(),
        Some(ts) => ts
            .iter()
            .map(|t| {
                s.target(t).ok_or_else(|| {
                    Error::unknown_name("Sobol target", t.as_str(), s.targets.iter().cloned())
                })
            })
            .collect::<Result<_>>()?,
    };
    let mut cols = vec!["target", "group", "first", "total"];
    if s.intervals.is_some() {
        cols.extend(["first_lo", "first_hi", "total_lo", "total_hi"]);
    }
    let at = |m: &ndarray::Array2<f64>, i: usize, j: usize| {
        Cell::from(m.get((i, j)).copied().unwrap_or(f64::NAN))
    };
    let mut t = Table::new(cols)?;
    for i in rows {
        for (j, g) in s.groups.iter().enumerate() {
            let mut row = vec![
                Cell::Text(s.targets.get(i).cloned().unwrap_or_default()),
                Cell::Text(g.clone()),
                at(&s.first, i, j),
                at(&s.total, i, j),
            ];
            if let Some(ci) = &s.intervals {
                row.extend([
                    at(&ci.first_lo, i, j),
                    at(&ci.first_hi, i, j),
                    at(&ci.total_lo, i, j),
                    at(&ci.total_hi, i, j),
                ]);
            }
            t.push(row)?;
        }
    }
    Ok(t)
}

/// A square matrix between named variables (correlations, p-values): first column `iCode`, then one
/// column per code; NaN cells are missing.
///
/// # Errors
/// [`Error::ShapeMismatch`] unless `m` is `codes.len()` × `codes.len()`;
/// [`Error::DuplicateCode`] for a repeated code.
///
/// # Examples
/// ```
/// use composite_indicators::io::matrix_table;
/// let t = matrix_table(&["a".into(), "b".into()], &ndarray::array![[1.0, f64::NAN], [f64::NAN, 1.0]])
///     .unwrap();
/// let mut out = Vec::new();
/// t.write_csv(&mut out).unwrap();
/// assert_eq!(String::from_utf8(out).unwrap(), "iCode,a,b\na,1,\nb,,1\n");
/// ```
pub fn matrix_table(codes: &[String], m: &ndarray::Array2<f64>) -> Result<Table> {
    let n = codes.len();
    if m.dim() != (n, n) {
        return Err(Error::ShapeMismatch {
            what: "matrix cells vs codes × codes".into(),
            expected: n * n,
            found: m.len(),
        });
    }
    let mut t = Table::new(std::iter::once("iCode".to_string()).chain(codes.iter().cloned()))?;
    for (code, row) in codes.iter().zip(m.outer_iter()) {
        let mut r = vec![Cell::Text(code.clone())];
        r.extend(row.iter().map(|&v| Cell::from(v)));
        t.push(r)?;
    }
    Ok(t)
}

/// The tables of an [`AuditReport`], each with a file stem:
/// * `corr_pearson`, `corr_spearman`: indicator correlation matrices ([`matrix_table`]);
/// * `parents`: `node`, `parent`, `with_parent`, `with_index` (empty when the audit had no scores);
/// * `groups`: `group`, `n_indicators`, `indicators` (codes joined by `;`), `cronbach_alpha`,
///   `pca_first` (variance share of the first principal component);
/// * `pca`: `group`, `component` (1-based), `variance_share`;
/// * `flags`: `flag` (`negative_with_parent` or `collinear`), `group`, `a`, `b`, `r` (for a negative
///   correlation `group` is the parent and `a` the node; `b` is empty).
///
/// # Errors
/// As [`matrix_table`] (a report built by [`audit`](crate::audit::audit) never fails).
///
/// # Examples
/// ```
/// use composite_indicators::audit::{AuditOptions, audit};
/// use composite_indicators::io::audit_tables;
/// use composite_indicators::prelude::*;
/// let fw = FrameworkSpec::new(
///     "t",
///     vec![Indicator::new("a", "I"),
///     Indicator::new("b", "I")],
///     vec![Pillar::new("I")],
/// ).check().unwrap();
/// let x = ndarray::array![[0.0, 0.1], [0.5, 0.4], [1.0, 1.0]];
/// let rep = audit(x.view(), None, &fw, &AuditOptions::default()).unwrap();
/// let tables = audit_tables(&rep).unwrap();
/// let names: Vec<&str> = tables.iter().map(|(n, _)| n.as_str()).collect();
/// assert_eq!(names, ["corr_pearson", "corr_spearman", "parents", "groups", "pca", "flags"]);
/// assert_eq!(tables[5].1.rows().len(), 1); // a and b are collinear
/// ```
pub fn audit_tables(report: &AuditReport) -> Result<Vec<(String, Table)>> {
    let mut out = vec![
        (
            "corr_pearson".to_string(),
            matrix_table(&report.indicators, &report.pearson)?,
        ),
        (
            "corr_spearman".to_string(),
            matrix_table(&report.indicators, &report.spearman)?,
        ),
    ];
    let mut parents = Table::new(["node", "parent", "with_parent", "with_index"])?;
    for p in &report.parents {
        parents.push(vec![
            Cell::Text(p.node.clone()),
            Cell::Text(p.parent.clone()),
            Cell::from(p.with_parent),
            Cell::from(p.with_index),
        ])?;
    }
    out.push(("parents".into(), parents));
    let mut groups = Table::new([
        "group",
        "n_indicators",
        "indicators",
        "cronbach_alpha",
        "pca_first",
    ])?;
    let mut pca = Table::new(["group", "component", "variance_share"])?;
    for g in &report.groups {
        groups.push(vec![
            Cell::Text(g.group.clone()),
            Cell::Num(g.indicators.len() as f64),
            Cell::Text(g.indicators.join(";")),
            Cell::from(g.cronbach_alpha),
            Cell::from(g.pca_variance.as_ref().and_then(|v| v.first().copied())),
        ])?;
        for (c, v) in g.pca_variance.iter().flatten().enumerate() {
            pca.push(vec![
                Cell::Text(g.group.clone()),
                Cell::Num((c + 1) as f64),
                Cell::from(*v),
            ])?;
        }
    }
    out.push(("groups".into(), groups));
    out.push(("pca".into(), pca));
    let mut flags = Table::new(["flag", "group", "a", "b", "r"])?;
    for f in &report.flags {
        let row = match f {
            Flag::NegativeWithParent { node, parent, r } => vec![
                Cell::from("negative_with_parent"),
                Cell::Text(parent.clone()),
                Cell::Text(node.clone()),
                Cell::Missing,
                Cell::from(*r),
            ],
            Flag::Collinear { group, a, b, r } => vec![
                Cell::from("collinear"),
                Cell::Text(group.clone()),
                Cell::Text(a.clone()),
                Cell::Text(b.clone()),
                Cell::from(*r),
            ],
        };
        flags.push(row)?;
    }
    out.push(("flags".into(), flags));
    Ok(out)
}

/// Descriptive statistics of the columns `codes` of `data`, one row per column: `iCode`, `n` (non-missing
/// values), `n_missing`, `min`, `max`, `mean`, `median`, `sd`, `skew` and `kurtosis`.
///
/// Every statistic is the one of [`column_stats`](crate::study::stats::column_stats) (COINr's
/// `get_stats`, the table `compind stats` writes), bit for bit: `mean` is R's corrected two-pass
/// mean (the plain mean plus the mean of the residuals; a constant column has exactly its value),
/// `median` the mean of the two middle values for an even count, `sd` the sample standard deviation
/// (divisor `n − 1`), `skew` and `kurtosis` e1071 type 2 (excess kurtosis) about that mean. Statistics
/// that are undefined for the column (no value; `sd` with one value; skew with fewer than 3 values,
/// kurtosis with fewer than 4, either of them with zero spread) are missing (empty cells).
///
/// # Errors
/// [`Error::MissingColumns`] (as [`Dataset::column`]) for a code that is not a column.
///
/// # Examples
/// ```
/// use composite_indicators::io::describe_table;
/// use composite_indicators::study::stats::{StatsOptions, column_stats};
/// use composite_indicators::Dataset;
/// let d = Dataset::new(vec!["A".into(), "B".into(), "C".into()], vec!["x".into()],
///     ndarray::array![[1.0], [f64::NAN], [3.0]]).unwrap();
/// let mut out = Vec::new();
/// describe_table(&d, &["x".into()]).unwrap().write_csv(&mut out).unwrap();
/// // two values 1 and 3: mean 2, median 2, sample sd sqrt(2); skew and kurtosis undefined
/// assert_eq!(String::from_utf8(out).unwrap(),
///     "iCode,n,n_missing,min,max,mean,median,sd,skew,kurtosis\nx,2,1,1,3,2,2,1.4142135623730951,,\n");
/// // the same numbers as `column_stats` (and `compind stats`)
/// let s = column_stats("x", &[1.0, f64::NAN, 3.0], &StatsOptions::default()).unwrap();
/// assert_eq!((s.mean, s.sd), (2.0, 2f64.sqrt()));
/// ```
pub fn describe_table(data: &Dataset, codes: &[String]) -> Result<Table> {
    let mut t = Table::new([
        "iCode",
        "n",
        "n_missing",
        "min",
        "max",
        "mean",
        "median",
        "sd",
        "skew",
        "kurtosis",
    ])?;
    let opts = crate::study::stats::StatsOptions::default();
    for code in codes {
        let col = data.column(code)?;
        let values: Vec<f64> = col.iter().copied().collect();
        let row = if values.is_empty() {
            // no rows (a `Dataset` always has some; kept as an all-missing row rather than
            // `column_stats`' EmptyData error)
            let mut row = vec![Cell::Text(code.clone()), Cell::Num(0.0), Cell::Num(0.0)];
            row.extend(std::iter::repeat_n(Cell::Missing, 7));
            row
        } else {
            let s = crate::study::stats::column_stats(code, &values, &opts)?;
            vec![
                Cell::Text(code.clone()),
                Cell::Num(s.n_avail as f64),
                Cell::Num((values.len() - s.n_avail) as f64),
                Cell::from(s.min),
                Cell::from(s.max),
                Cell::from(s.mean),
                Cell::from(s.median),
                Cell::from(s.sd),
                Cell::from(s.skew),
                Cell::from(s.kurt),
            ]
        };
        t.push(row)?;
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Data in another order than the scores: the error says which row differs and what to pass
    /// (it used to say "expected 3, found 3").
    #[test]
    fn score_table_names_the_first_row_that_differs() {
        use crate::prelude::*;
        let fw = FrameworkSpec::new("t", vec![Indicator::new("a", "I")], vec![Pillar::new("I")])
            .check()
            .unwrap();
        let d = |codes: [&str; 3]| {
            Dataset::new(
                codes.iter().map(|c| c.to_string()).collect(),
                vec!["a".into()],
                ndarray::array![[1.0], [2.0], [3.0]],
            )
            .unwrap()
        };
        let scores = crate::score::Scorer::new(fw)
            .score(&d(["A", "B", "C"]))
            .unwrap();
        let e = score_table(&scores, &d(["A", "C", "B"]), &ScoreTableOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("row 2 is `C` in the data and `B` in the scores"),
            "{e}"
        );
    }

    /// `describe_table` takes every statistic from `column_stats` (the `compind stats` table), so
    /// `compind audit`'s stats.csv and `compind stats` agree to the last bit. It used to compute
    /// the plain mean Σx/n and its own moments about it: ASEM's treated Flights column had mean
    /// 0.002599222804564415 in one table and 0.0025992228045644155 in the other.
    #[test]
    fn describe_table_is_column_stats_bit_for_bit() {
        use crate::study::stats::{StatsOptions, column_stats};
        let nan = f64::NAN;
        // values whose plain mean Σx/n (summed in sorted order, as the old code did) is not R's
        // corrected mean (checked below, so the test bites)
        let spread: Vec<f64> = (0..51u32)
            .map(|i| 0.1 * f64::from(i * 37 % 51) + 1e-3 / f64::from(i + 7) + 0.002)
            .collect();
        let mut sorted = spread.clone();
        sorted.sort_by(f64::total_cmp);
        let plain = sorted.iter().sum::<f64>() / sorted.len() as f64;
        assert_ne!(
            plain.to_bits(),
            crate::stats::mean_corrected(&spread).to_bits(),
            "the test column must tell the plain mean from the corrected one"
        );
        let pad = |v: &[f64]| {
            let mut v = v.to_vec();
            v.resize(spread.len(), nan);
            v
        };
        let columns: Vec<(&str, Vec<f64>)> = vec![
            ("spread", spread.clone()),
            ("all_nan", pad(&[])),
            ("one", pad(&[0.3])),
            ("two", pad(&[0.1, 0.7])),
            ("three", pad(&[0.1, 0.2, 0.7])),
            ("constant", pad(&[0.1; 9])),
            ("signed_zeros", pad(&[-0.0, 0.0, -0.0, 1e-300, 5.0])),
            (
                "large",
                pad(&[1e15 + 0.1, 1e15 + 0.3, 1e15 + 0.7, 1e15, 1e15 + 9.0]),
            ),
            ("with_gaps", {
                let mut v = spread.clone();
                for i in (0..v.len()).step_by(4) {
                    if let Some(x) = v.get_mut(i) {
                        *x = nan;
                    }
                }
                v
            }),
        ];
        let codes: Vec<String> = columns.iter().map(|(c, _)| c.to_string()).collect();
        let mut m = ndarray::Array2::from_elem((spread.len(), columns.len()), nan);
        for (j, (_, v)) in columns.iter().enumerate() {
            for (i, x) in v.iter().enumerate() {
                m[[i, j]] = *x;
            }
        }
        let units = (0..spread.len()).map(|i| format!("U{i}")).collect();
        let d = Dataset::new(units, codes.clone(), m).unwrap();
        let t = describe_table(&d, &codes).unwrap();
        let mut csv_out = Vec::new();
        t.write_csv(&mut csv_out).unwrap();
        let mut rdr = csv::Reader::from_reader(csv_out.as_slice());
        let bits = |f: &str| -> Option<u64> {
            (!f.is_empty()).then(|| f.parse::<f64>().unwrap().to_bits())
        };
        let want = |x: f64| (!x.is_nan()).then(|| x.to_bits());
        let mut rows = 0;
        for (rec, (code, v)) in rdr.records().zip(&columns) {
            let rec = rec.unwrap();
            let s = column_stats(code, v, &StatsOptions::default()).unwrap();
            assert_eq!(&rec[0], *code);
            assert_eq!(rec[1].parse::<usize>().unwrap(), s.n_avail, "{code}");
            assert_eq!(
                rec[2].parse::<usize>().unwrap(),
                v.len() - s.n_avail,
                "{code}"
            );
            for (k, x) in [
                (3, s.min),
                (4, s.max),
                (5, s.mean),
                (6, s.median),
                (7, s.sd),
                (8, s.skew),
                (9, s.kurt),
            ] {
                assert_eq!(
                    bits(&rec[k]),
                    want(x),
                    "{code} column {k}: {} vs {x}",
                    &rec[k]
                );
            }
            rows += 1;
        }
        assert_eq!(rows, columns.len());
        // the missing-value rules, spelled out
        let row = |code: &str| {
            let i = codes.iter().position(|c| c == code).unwrap();
            let rec = csv::Reader::from_reader(csv_out.as_slice())
                .records()
                .nth(i)
                .unwrap()
                .unwrap();
            rec.iter().map(str::to_string).collect::<Vec<_>>()
        };
        assert_eq!(row("all_nan")[1..], ["0", "51", "", "", "", "", "", "", ""]);
        assert_eq!(
            row("one")[1..],
            ["1", "50", "0.3", "0.3", "0.3", "0.3", "", "", ""]
        );
        assert_eq!(row("two")[8..], ["", ""]);
        assert_eq!(row("three")[9], "");
        assert_eq!(
            row("constant")[1..],
            ["9", "42", "0.1", "0.1", "0.1", "0.1", "0", "", ""]
        );
    }

    #[test]
    fn rounding_is_half_away_from_zero_without_negative_zero() {
        assert_eq!(round_to(2.5, Some(0)), 3.0);
        assert_eq!(round_to(-2.5, Some(0)), -3.0);
        assert_eq!(round_to(12.3456, Some(2)), 12.35);
        assert_eq!(format_f64(round_to(-0.001, Some(2))), "0");
        assert!(round_to(f64::NAN, Some(2)).is_nan());
        assert_eq!(round_to(1e300, Some(300)), 1e300);
        assert_eq!(
            round_to(0.1 + 0.2, None).to_bits(),
            (0.1f64 + 0.2).to_bits()
        );
    }

    proptest::proptest! {
        /// Every finite number written to CSV or JSON reads back to the same bits; NaN is missing
        /// in both (an empty field, `null`).
        #[test]
        fn numbers_round_trip_bit_exactly(bits in proptest::collection::vec(proptest::num::u64::ANY, 1..20)) {
            let vals: Vec<f64> = bits
                .iter()
                .map(|&b| f64::from_bits(b))
                .map(|v| if v.is_infinite() { f64::NAN } else { v })
                .collect();
            let mut t = Table::new(["k", "v"]).unwrap();
            for (i, v) in vals.iter().enumerate() {
                t.push(vec![Cell::Text(format!("u{i}")), Cell::from(*v)]).unwrap();
            }
            let mut csv_out = Vec::new();
            t.write_csv(&mut csv_out).unwrap();
            let mut rdr = csv::Reader::from_reader(csv_out.as_slice());
            for (rec, v) in rdr.records().zip(&vals) {
                let field = rec.unwrap()[1].to_string();
                if v.is_nan() {
                    proptest::prop_assert!(field.is_empty());
                } else {
                    proptest::prop_assert_eq!(field.parse::<f64>().unwrap().to_bits(), v.to_bits());
                }
            }
            let mut json_out = Vec::new();
            t.write_json(&mut json_out).unwrap();
            let parsed: Vec<serde_json::Map<String, serde_json::Value>> =
                serde_json::from_slice(&json_out).unwrap();
            for (row, v) in parsed.iter().zip(&vals) {
                match row["v"].as_f64() {
                    None => proptest::prop_assert!(v.is_nan()),
                    Some(x) => proptest::prop_assert_eq!(x.to_bits(), v.to_bits()),
                }
            }
        }
    }

    #[test]
    fn json_writes_missing_as_null_and_infinities_as_strings() {
        let mut t = Table::new(["a", "b", "c"]).unwrap();
        t.push(vec![
            Cell::Missing,
            Cell::Num(f64::NEG_INFINITY),
            Cell::from("x,\"y\""),
        ])
        .unwrap();
        let mut j = Vec::new();
        t.write_json(&mut j).unwrap();
        assert_eq!(
            String::from_utf8(j).unwrap(),
            r#"[{"a":null,"b":"-inf","c":"x,\"y\""}]"#
        );
        let mut c = Vec::new();
        t.write_csv(&mut c).unwrap();
        assert_eq!(
            String::from_utf8(c).unwrap(),
            "a,b,c\n,-inf,\"x,\"\"y\"\"\"\n"
        );
    }

    #[test]
    fn a_group_column_named_like_a_node_clashes() {
        use crate::prelude::*;
        let fw = FrameworkSpec::new("t", vec![Indicator::new("a", "P")], vec![Pillar::new("P")])
            .check()
            .unwrap();
        let opts = ScoreTableOptions {
            names: true,
            ..Default::default()
        };
        assert!(score_table_columns(&fw, &["a".into()], &opts).is_err());
        assert!(score_table_columns(&fw, &["uName".into()], &opts).is_err());
        // without names the groups are not written, so they cannot clash
        assert!(score_table_columns(&fw, &["uName".into()], &ScoreTableOptions::default()).is_ok());
        let all = ScoreTableOptions {
            ranks: RankColumns::All,
            ..Default::default()
        };
        let fw = FrameworkSpec::new(
            "t",
            vec![Indicator::new("Rank_P", "P")],
            vec![Pillar::new("P"), Pillar::new("I")],
        );
        // P under I so that Rank_P is a rank column
        let mut fw = fw;
        fw.pillars[0].parent = Some("I".into());
        let fw = fw.check().unwrap();
        let e = score_table_columns(&fw, &[], &all).unwrap_err();
        assert!(matches!(e, Error::ColumnClash { .. }), "{e}");
    }
}
