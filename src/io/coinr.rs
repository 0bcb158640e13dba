//! COINr's input tables: `iMeta` (indicator metadata and structure) and `iData` (unit data).
//!
//! Conventions follow COINr's `check_iMeta` / `check_iData` / `new_coin` (R package `COINr`, v1.x):
//! `iMeta` has one row per column of `iData` plus one per aggregate; `Type` is one of `Indicator`,
//! `Aggregate`, `Group`, `Denominator`, `Other`; the tree is given by `Parent` (empty for the index);
//! `iData` needs a `uCode` column, optionally `uName` and `Time`.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::Path;

use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::spec::{Direction, FrameworkSpec, Indicator, Pillar};

use super::csv_data::{ColumnRole, read_dataset};
use super::table::{CsvStream, Table, field, is_missing_token};
use super::{open_path, path_name};

/// A COINr `iMeta` table, split into the framework spec and the non-index columns it declares.
///
/// ```
/// use composite_indicators::io::read_imeta;
/// let text = "iCode,iName,Direction,Weight,Parent,Type\n\
///             a,A,1,1,P,Indicator\nb,B,-1,2,P,Indicator\nP,Pillar,1,1,,Aggregate\n\
///             reg,Region,,,,Group\npop,Population,,,,Denominator\n";
/// let meta = read_imeta(text.as_bytes()).unwrap();
/// assert_eq!(meta.spec.indicators.len(), 2);
/// assert_eq!(meta.spec.indicators[1].weight, 2.0);
/// assert_eq!(meta.groups, vec!["reg".to_string()]);
/// assert_eq!(meta.denominators, vec!["pop".to_string()]);
/// assert_eq!(meta.spec.check().unwrap().root().code, "P");
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IMeta {
    /// Indicators (`Type = Indicator`) and aggregates (`Type = Aggregate`), in file order. The spec's
    /// `name` is the `iName` of the first aggregate without parent (the index), or empty.
    pub spec: FrameworkSpec,
    /// Codes of `Type = Group` rows (categorical unit columns of iData), in file order.
    pub groups: Vec<String>,
    /// Codes of `Type = Denominator` rows (numeric columns used to scale indicators), in file order.
    pub denominators: Vec<String>,
    /// Codes of `Type = Other` rows (passed through), in file order.
    pub others: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum RowType {
    Indicator,
    Aggregate,
    Group,
    Denominator,
    Other,
}

/// Read a COINr `iMeta` CSV.
///
/// Columns are found by header name, in any order. Required: `iCode`, `Direction`, `Weight`, `Parent`,
/// `Type`. Optional: `iName` (default: the code), `Level`, `Unit`, `Target`, `Denominator`. Extra
/// columns are ignored (as in COINr).
///
/// Row rules (an empty field or `NA` is "empty"):
/// * `Type` must be exactly `Indicator`, `Aggregate`, `Group`, `Denominator` or `Other`.
/// * `Indicator` rows: `Direction` `1` or `-1` (required), `Weight` a finite number (required),
///   `Unit` (text), `Target` (finite number, optional), `Denominator` (column code, optional),
///   `Parent` (required by [`Framework::new`](crate::Framework::new), which reports an empty one as
///   [`Error::Orphan`]).
/// * `Aggregate` rows become [`Pillar`]s: `Weight` required as above, empty `Parent` = the root;
///   `Direction`, if given, must be `1` or `-1` and is otherwise unused; `Unit`, `Target` and
///   `Denominator` of aggregates are not kept (a [`Pillar`] has no such fields).
/// * `Group`, `Denominator`, `Other` rows only contribute their code to the lists of [`IMeta`].
/// * `Level`, if given, must be a positive integer; it is validated but not used (the tree is defined
///   by `Parent`; [`Node::level`](crate::spec::Node::level) recomputes it).
/// * `iCode` must be non-empty and unique over all rows: a repeat is reported here, with both lines.
///
/// Errors: [`Error::Parse`] with `source_name` `"iMeta CSV"` (use [`read_imeta_path`] to name the
/// file), the 1-based line (header = 1) and the column name, for every rule above, a missing required
/// column, a ragged row or a bad header; [`Error::EmptyData`] for an empty input or a header only.
/// The tree itself (parents exist, one root, no cycles, weights) is checked by
/// [`FrameworkSpec::check`].
pub fn read_imeta<R: Read>(reader: R) -> Result<IMeta> {
    read_imeta_named(reader, "iMeta CSV")
}

/// [`read_imeta`] on a file; errors name the path.
///
/// ```
/// let meta = composite_indicators::io::read_imeta_path("data/asem/iMeta.csv").unwrap();
/// assert_eq!(meta.spec.indicators.len(), 49);
/// ```
pub fn read_imeta_path(path: impl AsRef<Path>) -> Result<IMeta> {
    let path = path.as_ref();
    read_imeta_named(open_path(path)?, &path_name(path))
}

fn empty(s: &str) -> bool {
    is_missing_token(s)
}

pub(crate) fn read_imeta_named<R: Read>(reader: R, source: &str) -> Result<IMeta> {
    let t = Table::read(reader, source)?;
    t.require_rows()?;
    let c_code = t.require("iCode")?;
    let c_dir = t.require("Direction")?;
    let c_weight = t.require("Weight")?;
    let c_parent = t.require("Parent")?;
    let c_type = t.require("Type")?;
    let c_name = t.position("iName");
    let c_level = t.position("Level");
    let c_unit = t.position("Unit");
    let c_target = t.position("Target");
    let c_den = t.position("Denominator");

    let mut meta = IMeta::default();
    let mut first_line: HashMap<String, usize> = HashMap::new();
    let mut levels: HashMap<String, f64> = HashMap::new();
    let mut root_name: Option<String> = None;

    for (line, row) in &t.rows {
        let line = *line;
        let code = field(row, c_code);
        if code.is_empty() {
            return Err(t.cell_error(line, c_code, "empty iCode"));
        }
        if let Some(prev) = first_line.insert(code.to_string(), line) {
            return Err(t.cell_error(
                line,
                c_code,
                format!("iCode `{code}` is already defined on line {prev}"),
            ));
        }
        let ty = match field(row, c_type) {
            "Indicator" => RowType::Indicator,
            "Aggregate" => RowType::Aggregate,
            "Group" => RowType::Group,
            "Denominator" => RowType::Denominator,
            "Other" => RowType::Other,
            other => {
                return Err(t.cell_error(
                    line,
                    c_type,
                    format!(
                        "Type of `{code}` is `{other}`; expected Indicator, Aggregate, Group, Denominator or Other"
                    ),
                ));
            }
        };
        if let Some(cl) = c_level {
            let s = field(row, cl);
            if !empty(s) {
                let ok = s
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite() && *v >= 1.0 && v.fract() == 0.0);
                let Some(level) = ok else {
                    return Err(t.cell_error(
                        line,
                        cl,
                        format!("Level of `{code}` is `{s}`; expected a positive integer"),
                    ));
                };
                // COINr's check_iMeta: indicators are level 1, aggregates above it
                if ty == RowType::Indicator && level != 1.0 {
                    return Err(t.cell_error(
                        line,
                        cl,
                        format!("Level of indicator `{code}` is `{s}`; indicators are at Level 1"),
                    ));
                }
                if ty == RowType::Aggregate && level == 1.0 {
                    return Err(t.cell_error(
                        line,
                        cl,
                        format!(
                            "Level of aggregate `{code}` is 1; aggregates are at Level 2 or higher"
                        ),
                    ));
                }
                if matches!(ty, RowType::Indicator | RowType::Aggregate) {
                    levels.insert(code.to_string(), level);
                }
            }
        }
        let opt_text = |c: Option<usize>| -> String {
            c.map(|c| field(row, c))
                .filter(|s| !empty(s))
                .unwrap_or("")
                .to_string()
        };
        let name = {
            let n = opt_text(c_name);
            if n.is_empty() { code.to_string() } else { n }
        };
        let parent = field(row, c_parent);
        let parent = if empty(parent) { "" } else { parent };
        match ty {
            RowType::Indicator | RowType::Aggregate => {
                let weight = parse_weight(&t, line, c_weight, code, field(row, c_weight))?;
                let ds = field(row, c_dir);
                let direction = if ty == RowType::Indicator || !empty(ds) {
                    parse_direction(&t, line, c_dir, code, ds)?
                } else {
                    Direction::Positive
                };
                if ty == RowType::Indicator {
                    let target = match c_target {
                        Some(ct) => parse_target(&t, line, ct, code, field(row, ct))?,
                        None => None,
                    };
                    let den = opt_text(c_den);
                    meta.spec.indicators.push(Indicator {
                        code: code.to_string(),
                        name,
                        unit: opt_text(c_unit),
                        direction,
                        weight,
                        parent: parent.to_string(),
                        tags: Vec::new(),
                        bonus: false,
                        target,
                        goalposts: None,
                        max_score: None,
                        denominator: (!den.is_empty()).then_some(den),
                    });
                } else {
                    if parent.is_empty() && root_name.is_none() {
                        root_name = Some(name.clone());
                    }
                    meta.spec.pillars.push(Pillar {
                        code: code.to_string(),
                        name,
                        parent: (!parent.is_empty()).then(|| parent.to_string()),
                        weight,
                        aggregation: None,
                    });
                }
            }
            RowType::Group => meta.groups.push(code.to_string()),
            RowType::Denominator => meta.denominators.push(code.to_string()),
            RowType::Other => meta.others.push(code.to_string()),
        }
    }
    // every Parent is an Aggregate row of this file (checked here to name its line; the framework
    // check would only name the code)
    let aggregates: HashSet<&str> = meta.spec.pillars.iter().map(|p| p.code.as_str()).collect();
    let parents = meta
        .spec
        .indicators
        .iter()
        .map(|i| (i.code.as_str(), i.parent.as_str()))
        .chain(
            meta.spec
                .pillars
                .iter()
                .filter_map(|p| Some((p.code.as_str(), p.parent.as_deref()?))),
        );
    for (code, parent) in parents {
        if !parent.is_empty() && !aggregates.contains(parent) {
            let line = first_line.get(code).copied().unwrap_or(t.header_line);
            let what = if first_line.contains_key(parent) {
                "a row of this iMeta, but not an Aggregate"
            } else {
                "not an iCode of this iMeta"
            };
            return Err(t.cell_error(
                line,
                c_parent,
                format!("Parent of `{code}` is `{parent}`, which is {what}"),
            ));
        }
        // COINr's check_iMeta: a Parent is exactly one Level above its child (where both Levels
        // are given; without a Level column, or with empty cells, the tree alone decides)
        if let (Some(&lc), Some(&lp), Some(cl)) = (levels.get(code), levels.get(parent), c_level)
            && lp != lc + 1.0
        {
            let line = first_line.get(code).copied().unwrap_or(t.header_line);
            return Err(t.cell_error(
                line,
                cl,
                format!(
                    "Level of `{code}` is {lc} but its Parent `{parent}` is at Level {lp}; a \
                         Parent is one Level above its children (COINr's check_iMeta; for a tree \
                         of uneven depth leave the Level cells empty)"
                ),
            ));
        }
    }
    meta.spec.name = root_name.unwrap_or_default();
    Ok(meta)
}

fn parse_weight(t: &Table, line: usize, c: usize, code: &str, s: &str) -> Result<f64> {
    if empty(s) {
        return Err(t.cell_error(line, c, format!("Weight of `{code}` is missing")));
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        Ok(v) if v.is_finite() => Err(t.cell_error(
            line,
            c,
            format!("Weight of `{code}` is `{s}`; weights must be non-negative"),
        )),
        _ => Err(t.cell_error(
            line,
            c,
            format!("Weight of `{code}` is `{s}`; expected a finite number"),
        )),
    }
}

fn parse_direction(t: &Table, line: usize, c: usize, code: &str, s: &str) -> Result<Direction> {
    let v = s.parse::<f64>().ok();
    if v == Some(1.0) {
        Ok(Direction::Positive)
    } else if v == Some(-1.0) {
        Ok(Direction::Negative)
    } else {
        Err(t.cell_error(
            line,
            c,
            format!("Direction of `{code}` is `{s}`; expected 1 or -1"),
        ))
    }
}

fn parse_target(t: &Table, line: usize, c: usize, code: &str, s: &str) -> Result<Option<f64>> {
    if empty(s) {
        return Ok(None);
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        _ => Err(t.cell_error(
            line,
            c,
            format!("Target of `{code}` is `{s}`; expected a finite number or empty"),
        )),
    }
}

/// Read a COINr `iData` CSV into a [`Dataset`], using the `iMeta` read by [`read_imeta`].
///
/// * `uCode` (required): unit codes, unique and non-empty; rows keep the file order (COINr re-sorts by
///   `uCode` inside a coin: use [`Dataset::sorted_by_code`] for that order).
/// * `uName` (optional): unit names; an empty name falls back to the code.
/// * Columns declared `Group` in iMeta: kept verbatim as [`Dataset`] groups. No column becomes a group
///   by its name alone (`*_group`, `Group_*`): groups must be declared, as in COINr v1.
/// * Columns declared `Other`: numeric if every cell is a number or missing, otherwise kept as a group
///   (text) column, so nothing is dropped.
/// * Every other column, declared or not (indicators, denominators, `Time`, unknown columns), is numeric
///   and kept as a [`Dataset`] column in file order.
/// * Missing cells (empty, `NA`, `N/A`, `#N/A`, NaN) become `NaN`.
/// * One row per unit: panel data (several `Time` values per `uCode`) is reported as
///   [`Error::DuplicateUnit`]; split it by `Time` before reading.
///
/// Errors (`source_name` `"iData CSV"`; use [`read_idata_path`] to name the file): [`Error::Parse`] for a
/// missing `uCode` column (line 1), an empty unit code, a ragged row, and at the header line (column:
/// the first at fault) for every indicator / denominator / group / other code of `meta` absent from
/// the header (COINr requires them all; the message lists them) and for an iData column that is no
/// iMeta row; [`Error::NonNumeric`] (line, column, text); [`Error::NonFinite`] (unit, column) for
/// `Inf`; [`Error::DuplicateUnit`]; [`Error::EmptyData`] for an empty input or a header without rows.
///
/// ```
/// use composite_indicators::io::{read_idata, read_imeta};
/// let meta = read_imeta(
///     "iCode,Direction,Weight,Parent,Type\nx,1,1,I,Indicator\nI,1,1,,Aggregate\nreg,,,,Group\n".as_bytes(),
/// )
/// .unwrap();
/// let data = read_idata("uCode,reg,x,Time\nB,N,1,2020\nA,S,NA,2020\n".as_bytes(), &meta).unwrap();
/// assert_eq!(data.unit_codes()[0], "B");
/// assert_eq!(data.columns(), &["x".to_string(), "Time".to_string()]);
/// assert_eq!(data.group("reg").unwrap()[1], "S");
/// assert!(data.column("x").unwrap()[1].is_nan());
/// ```
pub fn read_idata<R: Read>(reader: R, meta: &IMeta) -> Result<Dataset> {
    read_idata_named(reader, meta, "iData CSV", false)
}

/// [`read_idata`] on a file; errors name the path.
///
/// ```
/// use composite_indicators::io::{read_idata_path, read_imeta_path};
/// let meta = read_imeta_path("data/asem/iMeta.csv").unwrap();
/// let data = read_idata_path("data/asem/iData.csv", &meta).unwrap();
/// assert_eq!(data.n_units(), 51);
/// ```
pub fn read_idata_path(path: impl AsRef<Path>, meta: &IMeta) -> Result<Dataset> {
    let path = path.as_ref();
    read_idata_named(open_path(path)?, meta, &path_name(path), true)
}

fn read_idata_named<R: Read>(
    reader: R,
    meta: &IMeta,
    source: &str,
    is_file: bool,
) -> Result<Dataset> {
    let mut stream = CsvStream::open(reader, source, is_file)?;
    let unit_j = match stream.position("uCode") {
        Some(j) => j,
        None => return Err(stream.drain_then(stream.missing_column("uCode"))),
    };
    let name_j = stream.position("uName");

    if let Err(e) = require_idata_columns(&stream, meta) {
        return Err(stream.drain_then(e));
    }
    let roles = idata_roles(&stream.headers, meta, Some(unit_j), name_j);
    read_dataset(stream, &roles, unit_j, idata_label_hint)
}

/// Every column iMeta declares (indicators, denominators, groups, others) must be in the iData
/// header, and every iData column other than `uCode`, `uName` and `Time` must be an iMeta row
/// (COINr's `new_coin`: "Column names from iData not found in iMeta"; a column to keep without
/// using it is an iMeta row of Type `Other`). Either failure is an [`Error::Parse`] at the header
/// line naming the first column at fault and listing all. Shared by the single-year and panel
/// readers.
pub(super) fn require_idata_columns<R: Read>(s: &CsvStream<R>, meta: &IMeta) -> Result<()> {
    let declared = || {
        meta.spec
            .indicators
            .iter()
            .map(|i| i.code.as_str())
            .chain(meta.denominators.iter().map(String::as_str))
            .chain(meta.groups.iter().map(String::as_str))
            .chain(meta.others.iter().map(String::as_str))
    };
    let header: HashSet<&str> = s.headers.iter().map(String::as_str).collect();
    let missing: Vec<&str> = declared().filter(|c| !header.contains(c)).collect();
    columns_error(
        s,
        &missing,
        "no column for {}, which the iMeta declares (iData needs a column for every indicator, \
         denominator, group and other column of the iMeta)",
    )?;
    let known: HashSet<&str> = declared()
        .chain(meta.spec.pillars.iter().map(|p| p.code.as_str()))
        .chain(["uCode", "uName", "Time"])
        .collect();
    let unknown: Vec<&str> = s
        .headers
        .iter()
        .map(String::as_str)
        .filter(|h| !known.contains(h))
        .collect();
    columns_error(
        s,
        &unknown,
        "{} not in the iMeta: every iData column other than uCode, uName and Time needs an iMeta \
         row, as in COINr (Type `Other` keeps a column without using it)",
    )
}

/// `Ok` for no `columns`, else the [`Error::Parse`] at the header line of `s` naming the first and
/// with `message`'s `{}` replaced by the list (at most 20 in backticks, then how many more).
fn columns_error<R: Read>(s: &CsvStream<R>, columns: &[&str], message: &str) -> Result<()> {
    let Some(first) = columns.first() else {
        return Ok(());
    };
    let mut list = columns
        .iter()
        .take(20)
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if columns.len() > 20 {
        list.push_str(&format!(" and {} more", columns.len() - 20));
    }
    Err(Error::Parse {
        source_name: s.source.clone(),
        line: Some(s.header_line),
        column: Some((*first).to_string()),
        message: message.replacen("{}", &list, 1),
    })
}

/// The role of every iData column: the unit and name columns, iMeta's groups (labels) and others
/// (kept without checks), everything else numeric.
pub(super) fn idata_roles(
    headers: &[String],
    meta: &IMeta,
    unit_j: Option<usize>,
    name_j: Option<usize>,
) -> Vec<ColumnRole> {
    let groups: HashSet<&str> = meta.groups.iter().map(String::as_str).collect();
    let others: HashSet<&str> = meta.others.iter().map(String::as_str).collect();
    headers
        .iter()
        .enumerate()
        .map(|(j, h)| {
            if Some(j) == unit_j {
                ColumnRole::Unit
            } else if Some(j) == name_j {
                ColumnRole::Name
            } else if groups.contains(h.as_str()) {
                ColumnRole::Group
            } else if others.contains(h.as_str()) {
                ColumnRole::NumericOrLabel
            } else {
                ColumnRole::Numeric
            }
        })
        .collect()
}

/// The hint for an iData column that holds no number: declare it in iMeta as a group column.
pub(super) fn idata_label_hint(column: &str) -> String {
    format!(
        "; if `{column}` is a label column, declare it in iMeta with `Type` `Group` (or `Other` to keep it without checks)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "Level,iCode,iName,Direction,Weight,Unit,Target,Denominator,Parent,Type\n";

    #[test]
    fn indicator_fields() {
        let text = format!(
            "{HEAD}1,a,Alpha,-1,0.5,kg,3.25,pop,P,Indicator\n2,P,Pillar P,,2,Score,,,,Aggregate\n,pop,Pop,,,,,,,Denominator\n,o,O,,,,,,,Other\n"
        );
        let m = read_imeta(text.as_bytes()).unwrap();
        let a = &m.spec.indicators[0];
        assert_eq!(a.name, "Alpha");
        assert_eq!(a.direction, Direction::Negative);
        assert_eq!(a.weight, 0.5);
        assert_eq!(a.unit, "kg");
        assert_eq!(a.target, Some(3.25));
        assert_eq!(a.denominator.as_deref(), Some("pop"));
        let p = &m.spec.pillars[0];
        assert_eq!(
            (p.parent.clone(), p.weight, p.name.as_str()),
            (None, 2.0, "Pillar P")
        );
        assert_eq!(m.spec.name, "Pillar P");
        assert_eq!(m.others, vec!["o".to_string()]);
    }

    #[test]
    fn rule_errors_name_line_and_column() {
        let cases = [
            ("1,a,A,0,1,,,,P,Indicator\n", 2, "Direction"),
            ("1,a,A,1,heavy,,,,P,Indicator\n", 2, "Weight"),
            ("1,a,A,1,,,,,P,Indicator\n", 2, "Weight"),
            ("1,a,A,1,-1,,,,P,Indicator\n", 2, "Weight"),
            // a parent that is no iCode, and one that is an indicator
            ("1,a,A,1,1,,,,Q,Indicator\n", 2, "Parent"),
            (
                "1,a,A,1,1,,,,P,Indicator\n1,b,B,1,1,,,,a,Indicator\n2,P,P,,1,,,,,Aggregate\n",
                3,
                "Parent",
            ),
            ("1,a,A,1,1,,x,,P,Indicator\n", 2, "Target"),
            ("x,a,A,1,1,,,,P,Indicator\n", 2, "Level"),
            // COINr's check_iMeta: an indicator is at Level 1, an aggregate above it, and a Parent
            // one Level above its child
            ("2,a,A,1,1,,,,P,Indicator\n", 2, "Level"),
            (
                "1,a,A,1,1,,,,P,Indicator\n1,P,P,,1,,,,,Aggregate\n",
                3,
                "Level",
            ),
            (
                "1,a,A,1,1,,,,P,Indicator\n3,P,P,,1,,,,,Aggregate\n",
                2,
                "Level",
            ),
            (
                "1,a,A,1,1,,,,P,Indicator\n2,P,P,,1,,,,I,Aggregate\n2,I,I,,1,,,,,Aggregate\n",
                3,
                "Level",
            ),
            ("1,a,A,1,1,,,,P,Indicatr\n", 2, "Type"),
            (
                "1,a,A,1,1,,,,P,Indicator\n1,a,A,1,1,,,,P,Indicator\n",
                3,
                "iCode",
            ),
        ];
        for (rows, want_line, want_col) in cases {
            let e = read_imeta(format!("{HEAD}{rows}").as_bytes()).unwrap_err();
            match e {
                Error::Parse { line, column, .. } => {
                    assert_eq!(line, Some(want_line), "{rows}");
                    assert_eq!(column.as_deref(), Some(want_col), "{rows}");
                }
                other => panic!("{rows}: {other}"),
            }
        }
    }

    #[test]
    fn other_columns_numeric_or_text() {
        let m = read_imeta(
            "iCode,Direction,Weight,Parent,Type\nx,1,1,I,Indicator\nI,,1,,Aggregate\nn,,,,Other\nt,,,,Other\n"
                .as_bytes(),
        )
        .unwrap();
        let d = read_idata("uCode,x,n,t\nA,1,2,hello\nB,2,NA,\n".as_bytes(), &m).unwrap();
        assert_eq!(d.columns(), &["x".to_string(), "n".to_string()]);
        assert_eq!(d.group("t").unwrap(), &["hello".to_string(), String::new()]);
        // a column the iMeta does not declare (COINr's new_coin refuses it too); Time is special
        let e = read_idata("uCode,Time,x,n,t,extra\nA,1,1,2,h,3\n".as_bytes(), &m).unwrap_err();
        assert!(
            matches!(&e, Error::Parse { column, .. } if column.as_deref() == Some("extra")),
            "{e}"
        );
        assert!(e.to_string().contains("not in the iMeta"), "{e}");
        let e = read_idata("uCode,n,t\nA,1,2\n".as_bytes(), &m).unwrap_err();
        assert!(
            matches!(&e, Error::Parse { column, .. } if column.as_deref() == Some("x")),
            "{e}"
        );
    }
}
