//! Plain CSV data tables -> [`Dataset`].

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use ndarray::Array2;

use crate::data::{Dataset, nfc_key};
use crate::error::{Error, Result};

use super::table::{Table, field, is_missing_token, looks_numeric, parse_cell};
use super::{open_path, path_name};

/// Which columns of a plain CSV table hold unit codes, unit names and group labels.
///
/// Every other column must be numeric (see the [module rules](crate::io#csv-rules-shared-by-all-csv-readers)).
///
/// * `unit_column`: `None` (default) means `uCode` if the header has it, otherwise the **first column**;
///   `Some(c)` requires column `c`.
/// * `name_column`: `None` (default) means `uName` if present, otherwise names equal the codes;
///   `Some(c)` requires column `c`. An empty name cell falls back to the unit code.
/// * `group_columns`: text columns kept verbatim as [`Dataset`] groups (each must exist). No column is
///   treated as a group by its name alone.
///
/// ```
/// use composite_indicators::io::CsvOptions;
/// let o = CsvOptions::default().with_unit_column("city").with_group_columns(["region"]);
/// assert_eq!(o.unit_column.as_deref(), Some("city"));
/// assert_eq!(o.group_columns, vec!["region".to_string()]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CsvOptions {
    /// Column with unique unit codes (`None`: `uCode` if present, else the first column).
    pub unit_column: Option<String>,
    /// Column with unit names (`None`: `uName` if present).
    pub name_column: Option<String>,
    /// Categorical columns kept as groups.
    pub group_columns: Vec<String>,
}

impl CsvOptions {
    /// Set the unit-code column.
    pub fn with_unit_column(mut self, c: impl Into<String>) -> Self {
        self.unit_column = Some(c.into());
        self
    }
    /// Set the unit-name column.
    pub fn with_name_column(mut self, c: impl Into<String>) -> Self {
        self.name_column = Some(c.into());
        self
    }
    /// Set the group columns.
    pub fn with_group_columns<I, S>(mut self, cols: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.group_columns = cols.into_iter().map(Into::into).collect();
        self
    }
}

/// How a column of a data table is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnRole {
    /// Unit codes.
    Unit,
    /// Unit names.
    Name,
    /// Group labels (text, verbatim).
    Group,
    /// Numeric if every cell parses (missing tokens allowed), otherwise kept as a label column.
    NumericOrLabel,
    /// Numeric; a bad cell is an error.
    Numeric,
}

/// Build a [`Dataset`] from a table whose column roles are decided. Row order is kept.
///
/// Errors: [`Error::EmptyData`] for no rows, [`Error::Parse`] for an empty unit code,
/// [`Error::DuplicateUnit`], and the cell errors of the module rules.
///
/// `label_hint(column)` gives the advice appended to [`Error::NonNumeric`] when a numeric column holds
/// no number at all (so it is probably an undeclared label column).
pub(crate) fn build_dataset(
    table: &Table,
    roles: &[ColumnRole],
    label_hint: fn(&str) -> String,
) -> Result<Dataset> {
    table.require_rows()?;
    let unit_j = roles
        .iter()
        .position(|r| *r == ColumnRole::Unit)
        .ok_or_else(|| Error::param("unit column", "no unit column chosen"))?;
    let name_j = roles.iter().position(|r| *r == ColumnRole::Name);

    // unit codes first: every other error message can then name the unit
    let mut codes = Vec::with_capacity(table.rows.len());
    // compared in NFC (see `Dataset::new`): value = (line, index) of the first occurrence
    let mut seen: HashMap<Cow<'_, str>, (usize, usize)> = HashMap::new();
    for (i, (line, row)) in table.rows.iter().enumerate() {
        let code = field(row, unit_j);
        if code.is_empty() {
            return Err(table.cell_error(*line, unit_j, "empty unit code"));
        }
        if let Some((first_line, first)) = seen.insert(nfc_key(code), (*line, i)) {
            return Err(Error::DuplicateUnit {
                code: code.to_string(),
                first: codes.get(first).cloned().unwrap_or_default(),
                source_name: Some(table.source.clone()),
                line: Some(*line),
                first_line: Some(first_line),
            });
        }
        codes.push(code.to_string());
    }

    // soft columns: numeric when every cell parses as a number or a missing token
    let mut numeric_cols = Vec::new();
    let mut label_cols = Vec::new();
    for (j, role) in roles.iter().enumerate() {
        match role {
            ColumnRole::Numeric => numeric_cols.push(j),
            ColumnRole::Group => label_cols.push(j),
            ColumnRole::NumericOrLabel => {
                let numeric = table
                    .rows
                    .iter()
                    .all(|(_, row)| looks_numeric(field(row, j)));
                if numeric {
                    numeric_cols.push(j);
                } else {
                    label_cols.push(j);
                }
            }
            ColumnRole::Unit | ColumnRole::Name => {}
        }
    }

    let n = table.rows.len();
    let m = numeric_cols.len();
    let mut values = Vec::with_capacity(n * m);
    for ((line, row), code) in table.rows.iter().zip(&codes) {
        for &j in &numeric_cols {
            let col = table.headers.get(j).map(String::as_str).unwrap_or("");
            let v = parse_cell(field(row, j), table, *line, col, code).map_err(|e| match e {
                Error::NonNumeric {
                    source_name,
                    line,
                    column,
                    value,
                    ..
                } if !column_has_a_number(table, j) => Error::NonNumeric {
                    hint: label_hint(&column),
                    source_name,
                    line,
                    column,
                    value,
                },
                other => other,
            })?;
            values.push(v);
        }
    }
    let values = Array2::from_shape_vec((n, m), values).map_err(|_| Error::ShapeMismatch {
        what: format!("{}: values read", table.source),
        expected: n * m,
        found: 0,
    })?;
    let columns: Vec<String> = numeric_cols
        .iter()
        .filter_map(|&j| table.headers.get(j).cloned())
        .collect();
    let mut data = Dataset::new(codes.clone(), columns, values)?;
    if let Some(nj) = name_j {
        let names = table
            .rows
            .iter()
            .zip(&codes)
            .map(|((_, row), code)| {
                let s = field(row, nj);
                if s.is_empty() {
                    code.clone()
                } else {
                    s.to_string()
                }
            })
            .collect();
        data = data.with_names(names)?;
    }
    for &j in &label_cols {
        let name = table.headers.get(j).cloned().unwrap_or_default();
        let labels = table
            .rows
            .iter()
            .map(|(_, row)| field(row, j).to_string())
            .collect();
        data = data.with_group(name, labels)?;
    }
    Ok(data)
}

/// Whether some cell of column `j` is a number (not a missing token): a column without any looks like
/// a label column.
fn column_has_a_number(table: &Table, j: usize) -> bool {
    table.rows.iter().any(|(_, row)| {
        let s = field(row, j).trim();
        !is_missing_token(s) && s.parse::<f64>().is_ok()
    })
}

/// The hint for a plain CSV column that holds no number: declare it as a group column.
fn csv_label_hint(column: &str) -> String {
    format!(
        "; if `{column}` is a label column, declare it with `CsvOptions::with_group_columns([\"{column}\"])` (CLI: `--groups {column}`)"
    )
}

/// Read a plain CSV table of units × numeric columns into a [`Dataset`].
///
/// Column roles come from [`CsvOptions`]; every remaining column is numeric. Rows keep their file order.
/// Missing values (empty, `NA`, `N/A`, `#N/A`, NaN) become `NaN`.
///
/// Errors (`source_name` `"CSV data"`; use [`read_csv_path`] to name the file): [`Error::Parse`] for a
/// missing requested column, a ragged row or an empty unit code; [`Error::NonNumeric`] (line, column,
/// text); [`Error::NonFinite`] (unit, column) for infinities; [`Error::DuplicateUnit`];
/// [`Error::EmptyData`] for an empty input or a header without rows.
///
/// ```
/// use composite_indicators::io::{read_csv, CsvOptions};
/// use composite_indicators::Error;
/// let text = "city,region,x\nA,N,1\nB,S,\n";
/// let opts = CsvOptions::default().with_group_columns(["region"]);
/// let d = read_csv(text.as_bytes(), &opts).unwrap(); // no uCode column: the first column holds the codes
/// assert_eq!(d.unit_codes(), &["A".to_string(), "B".to_string()]);
/// assert_eq!(d.group("region").unwrap()[1], "S");
/// assert!(d.column("x").unwrap()[1].is_nan());
///
/// let err = read_csv("uCode,x\nA,1\nB,abc\n".as_bytes(), &CsvOptions::default()).unwrap_err();
/// assert!(matches!(err, Error::NonNumeric { line: 3, .. }));
/// ```
pub fn read_csv<R: Read>(reader: R, options: &CsvOptions) -> Result<Dataset> {
    read_csv_named(reader, options, "CSV data", false)
}

/// [`read_csv`] on a file; errors name the path.
///
/// ```
/// use composite_indicators::io::{read_csv_path, CsvOptions};
/// let p = std::env::temp_dir().join("ci_read_csv_path_doc.csv");
/// std::fs::write(&p, "uCode,uName,x\nA,Alpha,1\n").unwrap();
/// let d = read_csv_path(&p, &CsvOptions::default()).unwrap();
/// assert_eq!(d.unit_names()[0], "Alpha");
/// assert!(read_csv_path("/no/such/file.csv", &CsvOptions::default()).is_err());
/// ```
pub fn read_csv_path(path: impl AsRef<Path>, options: &CsvOptions) -> Result<Dataset> {
    let path = path.as_ref();
    read_csv_named(open_path(path)?, options, &path_name(path), true)
}

fn read_csv_named<R: Read>(
    reader: R,
    options: &CsvOptions,
    source: &str,
    is_file: bool,
) -> Result<Dataset> {
    let mut table = Table::read(reader, source)?;
    table.is_file = is_file;
    let unit_j = match &options.unit_column {
        Some(c) => table.require(c)?,
        None => table.position("uCode").unwrap_or(0),
    };
    let name_j = match &options.name_column {
        Some(c) => Some(table.require(c)?),
        None => table.position("uName"),
    };
    let mut roles = vec![ColumnRole::Numeric; table.headers.len()];
    for g in &options.group_columns {
        let j = table.require(g)?;
        if let Some(r) = roles.get_mut(j) {
            *r = ColumnRole::Group;
        }
    }
    if let Some(r) = name_j
        .filter(|&nj| nj != unit_j)
        .and_then(|nj| roles.get_mut(nj))
    {
        *r = ColumnRole::Name;
    }
    if let Some(r) = roles.get_mut(unit_j) {
        *r = ColumnRole::Unit;
    }
    build_dataset(&table, &roles, csv_label_hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_column_is_unit_when_no_ucode() {
        let d = read_csv("id,a,b\nX,1,2\nY,3,NA\n".as_bytes(), &CsvOptions::default()).unwrap();
        assert_eq!(d.unit_codes(), &["X".to_string(), "Y".to_string()]);
        assert_eq!(d.columns(), &["a".to_string(), "b".to_string()]);
        assert_eq!(d.values()[[1, 0]], 3.0);
        assert!(d.values()[[1, 1]].is_nan());
        assert_eq!(d.unit_names(), d.unit_codes());
    }

    #[test]
    fn ucode_anywhere_and_names() {
        let d = read_csv(
            "x,uName,uCode\n1.5,Alpha,A\n-2,,B\n".as_bytes(),
            &CsvOptions::default(),
        )
        .unwrap();
        assert_eq!(d.columns(), &["x".to_string()]);
        assert_eq!(d.unit_names(), &["Alpha".to_string(), "B".to_string()]);
        assert_eq!(d.values()[[1, 0]], -2.0);
    }

    #[test]
    fn requested_columns_must_exist() {
        let e = read_csv(
            "uCode,x\nA,1\n".as_bytes(),
            &CsvOptions::default().with_group_columns(["region"]),
        )
        .unwrap_err();
        assert!(matches!(e, Error::Parse { column: Some(c), line: Some(1), .. } if c == "region"));
    }
}
