//! Plain CSV data tables -> [`Dataset`].

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::io::Read;
use std::path::Path;

use ndarray::Array2;

use crate::data::{Dataset, nfc_key};
use crate::error::{Error, Result};

use super::table::{
    CellSource, CsvStream, is_missing_token, looks_numeric, no_rows, parse_cell, parse_number,
};
use super::{open_path, path_name};

#[path = "csv_blocks.rs"]
mod blocks;

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

/// A 64-bit hash of a unit code's NFC key (fixed keys: the same in every thread and run).
pub(crate) fn unit_hash(code: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    nfc_key(code).hash(&mut h);
    h.finish()
}

/// A hasher for keys that are hashes already ([`unit_hash`]): passes them through.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

/// The unit codes read so far, by NFC key, with the (line, row) of each one's first occurrence:
/// a table on the [`unit_hash`] of the key, which keeps no key (a hit is confirmed by comparing the
/// keys of the two codes), and, by key, the rare codes whose hash an earlier, different code has.
#[derive(Default)]
struct SeenUnits {
    by_hash: HashMap<u64, (usize, usize), BuildHasherDefault<PassThrough>>,
    collided: HashMap<String, (usize, usize)>,
}

impl SeenUnits {
    /// The `(line, row)` of an earlier code with the NFC key of `code` (`hash` its [`unit_hash`],
    /// `codes` the codes by row), or `None` after remembering `at` for that key.
    fn check_insert(
        &mut self,
        code: &str,
        hash: u64,
        codes: &[String],
        at: (usize, usize),
    ) -> Option<(usize, usize)> {
        match self.by_hash.entry(hash) {
            // no code before has this hash, so none has this key
            Entry::Vacant(slot) => {
                slot.insert(at);
                None
            }
            Entry::Occupied(first) => {
                let key = nfc_key(code);
                let (_, row) = *first.get();
                if codes.get(row).is_some_and(|c| nfc_key(c) == key) {
                    return Some(*first.get());
                }
                match self.collided.entry(key.into_owned()) {
                    Entry::Occupied(e) => Some(*e.get()),
                    Entry::Vacant(slot) => {
                        slot.insert(at);
                        None
                    }
                }
            }
        }
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
    /// Not part of the data set (the panel reader's `Time`, which the period carries).
    Skip,
}

/// The first bad value cell found: its row (in this data set), header column and error; `hard` is its
/// index among the numeric columns when it is one.
struct CellFault {
    row: usize,
    column: usize,
    hard: Option<usize>,
    error: Error,
}

/// Builds a [`Dataset`] from streamed records whose column roles are decided, keeping only what the data
/// set keeps: numbers as `f64` (row-major, as the final matrix), unit codes and names, group labels.
/// Rows keep their order.
///
/// Errors come out of [`DatasetBuilder::finish`] in the order of the whole-table reader this
/// replaces: an empty or repeated unit code anywhere (the first one) before any value error, and value
/// errors in row-major order. So a caller keeps pushing records after the first error (nothing more
/// is stored then) and lets the stream report its own (structural) errors first.
pub(crate) struct DatasetBuilder {
    source: String,
    is_file: bool,
    headers: Vec<String>,
    unit_j: usize,
    name_j: Option<usize>,
    /// [`ColumnRole::Numeric`] columns, in header order.
    hard: Vec<usize>,
    /// [`ColumnRole::NumericOrLabel`] columns, in header order.
    soft: Vec<usize>,
    /// [`ColumnRole::Group`] columns, in header order.
    group_cols: Vec<usize>,
    label_hint: fn(&str) -> String,
    codes: Vec<String>,
    names: Vec<String>,
    /// `codes.len() × hard.len()`, row-major.
    values: Vec<f64>,
    group_labels: Vec<Vec<String>>,
    /// Text of the soft columns (decided at the end: they are rare, e.g. iMeta `Other` columns).
    soft_cells: Vec<Vec<String>>,
    /// Line of every row, kept only when there are soft columns (for their errors).
    lines: Vec<usize>,
    /// Whether a numeric column holds some number (not a missing token): decides the label hint.
    has_number: Vec<bool>,
    /// (line, row) of every unit code's first occurrence, by NFC key.
    seen: SeenUnits,
    unit_error: Option<Error>,
    cell_fault: Option<CellFault>,
}

impl CellSource for DatasetBuilder {
    fn source_name(&self) -> &str {
        &self.source
    }
    fn is_file(&self) -> bool {
        self.is_file
    }
}

impl DatasetBuilder {
    /// A builder for the records of `stream`, with one role per header column; the unit codes are in
    /// column `unit_j` (whatever its role says). `label_hint(column)` gives the advice appended to
    /// [`Error::NonNumeric`] when a numeric column holds no number at all (so it is probably an
    /// undeclared label column).
    pub fn new<R: Read>(
        stream: &CsvStream<R>,
        roles: &[ColumnRole],
        unit_j: usize,
        label_hint: fn(&str) -> String,
    ) -> Self {
        let cols = |want: ColumnRole| -> Vec<usize> {
            roles
                .iter()
                .enumerate()
                .filter(|&(j, r)| *r == want && j != unit_j)
                .map(|(j, _)| j)
                .collect()
        };
        let hard = cols(ColumnRole::Numeric);
        let soft = cols(ColumnRole::NumericOrLabel);
        let group_cols = cols(ColumnRole::Group);
        DatasetBuilder {
            source: stream.source.clone(),
            is_file: stream.is_file,
            headers: stream.headers.clone(),
            unit_j,
            name_j: cols(ColumnRole::Name).first().copied(),
            has_number: vec![false; hard.len()],
            group_labels: vec![Vec::new(); group_cols.len()],
            soft_cells: vec![Vec::new(); soft.len()],
            hard,
            soft,
            group_cols,
            label_hint,
            codes: Vec::new(),
            names: Vec::new(),
            values: Vec::new(),
            lines: Vec::new(),
            seen: SeenUnits::default(),
            unit_error: None,
            cell_fault: None,
        }
    }

    /// Check that `code` (on `line`) is not a repeated unit code and remember it as the code of the
    /// next row; `false` (and the unit error set) for a repeated one. Codes are compared in NFC
    /// (see `Dataset::new`).
    fn admit(&mut self, code: &str, line: usize) -> bool {
        self.admit_hashed(code, unit_hash(code), line)
    }

    /// [`DatasetBuilder::admit`] with the [`unit_hash`] of `code` computed before.
    fn admit_hashed(&mut self, code: &str, hash: u64, line: usize) -> bool {
        let row = self.codes.len();
        match self.seen.check_insert(code, hash, &self.codes, (line, row)) {
            Some((first_line, first)) => {
                self.unit_error = Some(Error::DuplicateUnit {
                    code: code.to_string(),
                    first: self.codes.get(first).cloned().unwrap_or_default(),
                    source_name: Some(self.source.clone()),
                    line: Some(line),
                    first_line: Some(first_line),
                });
                false
            }
            None => true,
        }
    }

    /// Add the current record of `rec`, on `line`.
    pub fn push<R: Read>(&mut self, line: usize, rec: &CsvStream<R>) {
        if self.unit_error.is_some() {
            return;
        }
        let row = self.codes.len();
        let code = rec.field(self.unit_j);
        if code.is_empty() {
            self.unit_error = Some(rec.cell_error(line, self.unit_j, "empty unit code"));
            return;
        }
        if !self.admit(code, line) {
            return;
        }
        self.codes.push(code.to_string());
        if !self.soft.is_empty() {
            self.lines.push(line);
            for (cells, &j) in self.soft_cells.iter_mut().zip(&self.soft) {
                cells.push(rec.field(j).to_string());
            }
        }
        if let Some(fault) = &self.cell_fault {
            // only whether the faulty column holds a number somewhere is still needed
            if let Some(k) = fault.hard {
                let s = rec.field(self.hard.get(k).copied().unwrap_or(usize::MAX));
                if !is_missing_token(s)
                    && s.parse::<f64>().is_ok()
                    && let Some(h) = self.has_number.get_mut(k)
                {
                    *h = true;
                }
            }
            return;
        }
        if let Some(nj) = self.name_j {
            let s = rec.field(nj);
            self.names.push(if s.is_empty() {
                code.to_string()
            } else {
                s.to_string()
            });
        }
        for (labels, &j) in self.group_labels.iter_mut().zip(&self.group_cols) {
            labels.push(rec.field(j).to_string());
        }
        for (k, (&j, has)) in self.hard.iter().zip(self.has_number.iter_mut()).enumerate() {
            let s = rec.field(j);
            let parsed = match parse_number(s) {
                Some(v) => Ok(v),
                None => {
                    let column = self.headers.get(j).map(String::as_str).unwrap_or("");
                    parse_cell(s, rec, line, column, code)
                }
            };
            match parsed {
                Ok(v) => {
                    if !*has && !is_missing_token(s) {
                        *has = true;
                    }
                    self.values.push(v);
                }
                Err(error) => {
                    self.cell_fault = Some(CellFault {
                        row,
                        column: j,
                        hard: Some(k),
                        error,
                    });
                    return;
                }
            }
        }
    }

    /// The data set of the records pushed.
    ///
    /// Errors: the first empty or repeated unit code ([`Error::Parse`], [`Error::DuplicateUnit`]
    /// naming both lines), [`Error::EmptyData`] for no record, then the first bad value in row-major
    /// order ([`Error::NonNumeric`], with the label hint when its column holds no number at all;
    /// [`Error::NonFinite`]; [`Error::Underflow`]).
    pub fn finish(mut self) -> Result<Dataset> {
        if let Some(e) = self.unit_error.take() {
            return Err(e);
        }
        if self.codes.is_empty() {
            return Err(no_rows(&self.source));
        }
        let n = self.codes.len();
        self.seen = SeenUnits::default();

        // soft columns: numeric when every cell parses as a number or a missing token
        let mut fault = self.cell_fault.take();
        let mut soft_numeric: Vec<(usize, Vec<f64>)> = Vec::new();
        let mut labels: Vec<(usize, Vec<String>)> = Vec::new();
        let soft_cells = std::mem::take(&mut self.soft_cells);
        for (&j, cells) in self.soft.iter().zip(soft_cells) {
            if !cells.iter().all(|c| looks_numeric(c)) {
                labels.push((j, cells));
                continue;
            }
            let column = self.headers.get(j).map(String::as_str).unwrap_or("");
            let mut col = Vec::with_capacity(n);
            for (row, (cell, code)) in cells.iter().zip(&self.codes).enumerate() {
                let line = self.lines.get(row).copied().unwrap_or(0);
                match parse_cell(cell, &self, line, column, code) {
                    Ok(v) => col.push(v),
                    Err(error) => {
                        let earlier = fault.as_ref().is_none_or(|f| (row, j) < (f.row, f.column));
                        if earlier {
                            let has = cells
                                .iter()
                                .any(|c| !is_missing_token(c) && c.parse::<f64>().is_ok());
                            fault = Some(CellFault {
                                row,
                                column: j,
                                hard: None,
                                error: with_hint(error, has, self.label_hint),
                            });
                        }
                        break;
                    }
                }
            }
            soft_numeric.push((j, col));
        }
        if let Some(f) = fault {
            return Err(match f.hard {
                Some(k) => {
                    let has = self.has_number.get(k).copied().unwrap_or(true);
                    with_hint(f.error, has, self.label_hint)
                }
                None => f.error,
            });
        }

        // the matrix: numeric columns in header order
        let h = self.hard.len();
        let mut values = std::mem::take(&mut self.values);
        let columns: Vec<String> = if soft_numeric.is_empty() {
            self.hard
                .iter()
                .filter_map(|&j| self.headers.get(j).cloned())
                .collect()
        } else {
            // (header column, source): `k < h` is hard column `k`, otherwise soft column `k - h`
            let mut order: Vec<(usize, usize)> = self
                .hard
                .iter()
                .enumerate()
                .map(|(k, &j)| (j, k))
                .chain(
                    soft_numeric
                        .iter()
                        .enumerate()
                        .map(|(s, (j, _))| (*j, h + s)),
                )
                .collect();
            order.sort_unstable();
            let m = order.len();
            let mut merged = Vec::with_capacity(n * m);
            for i in 0..n {
                for &(_, k) in &order {
                    let v = if k < h {
                        values.get(i * h + k)
                    } else {
                        soft_numeric.get(k - h).and_then(|(_, c)| c.get(i))
                    };
                    merged.push(v.copied().unwrap_or(f64::NAN));
                }
            }
            values = merged;
            order
                .iter()
                .filter_map(|&(j, _)| self.headers.get(j).cloned())
                .collect()
        };
        values.shrink_to_fit();
        let m = columns.len();
        let values = Array2::from_shape_vec((n, m), values).map_err(|_| Error::ShapeMismatch {
            what: format!("{}: values read", self.source),
            expected: n * m,
            found: 0,
        })?;
        let codes = std::mem::take(&mut self.codes);
        // codes checked as read: non-empty, distinct in NFC; values finite
        let names = self.name_j.map(|_| std::mem::take(&mut self.names));
        let mut data = Dataset::from_checked_parts(codes, names, columns, values)?;
        labels.extend(
            self.group_cols
                .iter()
                .copied()
                .zip(std::mem::take(&mut self.group_labels)),
        );
        labels.sort_by_key(|(j, _)| *j);
        for (j, l) in labels {
            let name = self.headers.get(j).cloned().unwrap_or_default();
            data = data.with_group(name, l)?;
        }
        Ok(data)
    }
}

/// `error` with the label hint added when it is [`Error::NonNumeric`] in a column without any number.
fn with_hint(error: Error, column_has_a_number: bool, label_hint: fn(&str) -> String) -> Error {
    match error {
        Error::NonNumeric {
            source_name,
            line,
            column,
            value,
            ..
        } if !column_has_a_number => Error::NonNumeric {
            hint: label_hint(&column),
            source_name,
            line,
            column,
            value,
        },
        other => other,
    }
}

/// Read every record of `stream` into a [`Dataset`] (see [`DatasetBuilder`]).
pub(crate) fn read_dataset<R: Read>(
    mut stream: CsvStream<R>,
    roles: &[ColumnRole],
    unit_j: usize,
    label_hint: fn(&str) -> String,
) -> Result<Dataset> {
    let mut builder = DatasetBuilder::new(&stream, roles, unit_j, label_hint);
    while let Some(line) = stream.next_record()? {
        builder.push(line, &stream);
    }
    builder.finish()
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
    blocks::read_csv_blocks(reader, options, source, is_file, blocks::BLOCK)
}

/// The role of every column of a plain CSV table under `options`, and the unit column.
fn csv_roles<R: Read>(
    stream: &CsvStream<R>,
    options: &CsvOptions,
) -> Result<(Vec<ColumnRole>, usize)> {
    let require = |c: &str| stream.position(c).ok_or_else(|| stream.missing_column(c));
    let unit_j = match &options.unit_column {
        Some(c) => require(c)?,
        None => stream.position("uCode").unwrap_or(0),
    };
    let name_j = match &options.name_column {
        Some(c) => Some(require(c)?),
        None => stream.position("uName"),
    };
    let mut roles = vec![ColumnRole::Numeric; stream.headers.len()];
    for g in &options.group_columns {
        let j = require(g)?;
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
    Ok((roles, unit_j))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_units_confirm_hash_hits_by_key() {
        let mut seen = SeenUnits::default();
        let codes: Vec<String> = vec!["A".into(), "B".into(), "\u{e9}".into()];
        // every code given the same hash: the keys decide
        assert_eq!(seen.check_insert("A", 7, &codes, (2, 0)), None);
        assert_eq!(seen.check_insert("B", 7, &codes, (3, 1)), None);
        assert_eq!(seen.check_insert("\u{e9}", 7, &codes, (4, 2)), None);
        assert_eq!(seen.check_insert("A", 7, &codes, (9, 3)), Some((2, 0)));
        assert_eq!(seen.check_insert("B", 7, &codes, (9, 3)), Some((3, 1)));
        // the same key in another normalisation form
        assert_eq!(
            seen.check_insert("e\u{301}", 7, &codes, (9, 3)),
            Some((4, 2))
        );
        assert_eq!(seen.check_insert("C", 8, &codes, (9, 3)), None);
        assert_eq!(unit_hash("e\u{301}"), unit_hash("\u{e9}"));
    }

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
