//! The CSV plumbing shared by the study tables: the [`CsvTable`] trait (string and atomic-file
//! output provided once for every result type) and a writer of a header and rows of formatted cells.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};
use crate::io::{Cell, Table, TableFormat, format_f64, write_atomic};

/// A study result that writes itself as one CSV table: implement [`CsvTable::write_csv`] and get
/// [`CsvTable::to_csv_string`] and [`CsvTable::write_csv_path`] (atomic, through
/// [`write_atomic`]) for free.
///
/// Implemented by [`Comparison`](super::compare::Comparison),
/// [`SimilarityTable`](super::compare::SimilarityTable), [`StatsTable`](super::stats::StatsTable),
/// [`StrWeakTable`](super::strweak::StrWeakTable), [`LeaveOneOut`](super::remove::LeaveOneOut)
/// (its per-unit table), [`OptimisedWeights`](super::optimise::OptimisedWeights),
/// [`PanelData`](super::purse::PanelData), [`PurseScores`](super::purse::PurseScores),
/// [`Trends`](super::trends::Trends) and
/// [`PanelImputeReport`](super::impute_panel::PanelImputeReport). The trait is in the
/// [`prelude`](crate::prelude).
///
/// # Examples
/// ```
/// use composite_indicators::prelude::*;
/// use composite_indicators::study::strweak::StrWeakTable;
/// let t = StrWeakTable { units: vec![] };
/// let text = t.to_csv_string()?;
/// assert!(text.starts_with("uCode,Type,"));
/// let mut out = Vec::new();
/// t.write_csv(&mut out)?;
/// assert_eq!(out, text.as_bytes());
/// let p = std::env::temp_dir().join("ci_csv_table_doc.csv");
/// t.write_csv_path(&p)?;
/// assert_eq!(std::fs::read_to_string(&p).unwrap(), text);
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub trait CsvTable {
    /// Write the table as CSV (a header line, then one line per row, `\n` line ends, fields quoted
    /// only where needed, missing values as empty fields) to `w`.
    ///
    /// # Errors
    /// [`Error::Io`] naming the table when writing fails.
    ///
    /// # Examples
    /// See [`CsvTable`].
    fn write_csv<W: Write>(&self, w: W) -> Result<()>;

    /// The CSV of [`CsvTable::write_csv`] as a string.
    ///
    /// # Errors
    /// As [`CsvTable::write_csv`] (not expected for an in-memory buffer); [`Error::Parse`] (source
    /// `CSV string`) if the output were not UTF-8, which cannot happen for the crate's tables.
    ///
    /// # Examples
    /// See [`CsvTable`].
    fn to_csv_string(&self) -> Result<String> {
        let mut buf = Vec::new();
        self.write_csv(&mut buf)?;
        String::from_utf8(buf).map_err(|e| Error::Parse {
            source_name: "CSV string".into(),
            line: None,
            column: None,
            message: e.to_string(),
        })
    }

    /// Write the table to `path` atomically ([`write_atomic`]: a temporary file in the target's
    /// directory, renamed over it once complete): the CSV of [`CsvTable::write_csv`], or, when the
    /// file name ends in `.json` (any case, [`TableFormat::from_path`], as
    /// [`Table::write_path`](crate::io::Table::write_path)), a JSON array with one object per row,
    /// keys in column order: an empty field is `null`, a field that is a number as the crate writes
    /// numbers ([`format_f64`](crate::io::format_f64) gives it back unchanged) is a JSON number
    /// (`inf` / `-inf` stay strings), anything else a string.
    ///
    /// # Errors
    /// [`Error::Io`] naming the path when the file cannot be written (the target is then left as it
    /// was); a CSV formatting error of [`CsvTable::write_csv`] as [`Error::Parse`] naming the path.
    ///
    /// # Examples
    /// See [`CsvTable`]; as JSON:
    /// ```
    /// use composite_indicators::prelude::*;
    /// use composite_indicators::study::strweak::StrWeakTable;
    /// let p = std::env::temp_dir().join("ci_csv_table_doc.json");
    /// StrWeakTable { units: vec![] }.write_csv_path(&p)?;
    /// assert_eq!(std::fs::read_to_string(&p).unwrap(), "[]");
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    fn write_csv_path(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        match TableFormat::from_path(path) {
            TableFormat::Csv => write_atomic(path, |w| {
                self.write_csv(w).map_err(|e| name_output(e, path))
            }),
            TableFormat::Json => {
                let mut buf = Vec::new();
                self.write_csv(&mut buf).map_err(|e| name_output(e, path))?;
                csv_text_as_table(&buf, path)?.write_path(path)
            }
        }
    }
}

/// The CSV text `bytes` (as [`CsvTable::write_csv`] writes it) as a typed [`Table`] for JSON output,
/// typed column by column: a column is numeric when every non-empty field is a number that
/// [`format_f64`] writes back unchanged and its header is not a code or name column (`uCode`,
/// `uName`, `iCode`, `iName`, or any header ending in `Code` / `Name`, whose values stay text even when
/// they look like numbers, such as `001` or `2`); empty fields are missing in every column.
fn csv_text_as_table(bytes: &[u8], path: &Path) -> Result<Table> {
    let bad = |e: csv::Error| Error::Parse {
        source_name: path.display().to_string(),
        line: e.position().and_then(|p| usize::try_from(p.line()).ok()),
        column: None,
        message: format!("cannot convert the table to JSON: {e}"),
    };
    let mut rdr = csv::ReaderBuilder::new().from_reader(bytes);
    let header: Vec<String> = rdr
        .headers()
        .map_err(bad)?
        .iter()
        .map(String::from)
        .collect();
    let rows: Vec<csv::StringRecord> = rdr
        .records()
        .collect::<std::result::Result<_, _>>()
        .map_err(bad)?;
    let number = |f: &str| {
        f.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && format_f64(*v) == f)
    };
    let label = |h: &str| h.ends_with("Code") || h.ends_with("Name");
    let numeric: Vec<bool> = header
        .iter()
        .enumerate()
        .map(|(j, h)| {
            !label(h)
                && rows
                    .iter()
                    .filter_map(|r| r.get(j))
                    .filter(|f| !f.is_empty())
                    .all(|f| number(f).is_some())
        })
        .collect();
    let mut t = Table::new(header)?;
    for rec in &rows {
        t.push(
            rec.iter()
                .zip(&numeric)
                .map(|(f, &num)| match num.then(|| number(f)).flatten() {
                    _ if f.is_empty() => Cell::Missing,
                    Some(v) => Cell::Num(v),
                    None => Cell::Text(f.to_string()),
                })
                .collect(),
        )?;
    }
    Ok(t)
}

/// Put the file path into an I/O or CSV-formatting error raised while writing to it.
pub(crate) fn name_output(e: Error, path: &Path) -> Error {
    match e {
        Error::Io { source, .. } => Error::Io {
            path: path.display().to_string(),
            source,
        },
        Error::Parse {
            line,
            column,
            message,
            ..
        } => Error::Parse {
            source_name: path.display().to_string(),
            line,
            column,
            message,
        },
        other => other,
    }
}

fn csv_error(target: &str, e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(source) => Error::Io {
            path: target.to_string(),
            source,
        },
        other => Error::Parse {
            source_name: target.to_string(),
            line: None,
            column: None,
            message: format!("cannot write CSV: {other:?}"),
        },
    }
}

/// Write `header` and `rows` (each a sequence of already formatted cells) as CSV to `w`; `target`
/// names the output in errors.
pub(crate) fn write_rows<W, H, R>(
    w: W,
    target: &str,
    header: H,
    rows: impl IntoIterator<Item = R>,
) -> Result<()>
where
    W: Write,
    H: IntoIterator,
    H::Item: AsRef<[u8]>,
    R: IntoIterator,
    R::Item: AsRef<[u8]>,
{
    let mut out = csv::Writer::from_writer(w);
    out.write_record(header).map_err(|e| csv_error(target, e))?;
    for r in rows {
        out.write_record(r).map_err(|e| csv_error(target, e))?;
    }
    out.flush().map_err(|source| Error::Io {
        path: target.to_string(),
        source,
    })
}

/// A header and rows of formatted cells as a [`CsvTable`], for result types with several tables
/// (e.g. [`MultiComparison`](super::compare::MultiComparison)); `target` names it in errors.
pub(crate) struct Rows<'a> {
    pub(crate) target: &'a str,
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<Vec<String>>,
}

impl CsvTable for Rows<'_> {
    fn write_csv<W: Write>(&self, w: W) -> Result<()> {
        write_rows(w, self.target, &self.header, &self.rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Expected;

    /// A table whose writer fails the way a full disk (`Io`), a ragged row (`Parse`) or anything
    /// else would.
    enum Failing {
        Io,
        Parse,
        Other,
    }

    impl CsvTable for Failing {
        fn write_csv<W: Write>(&self, _w: W) -> Result<()> {
            Err(match self {
                Failing::Io => Error::Io {
                    path: "some table".into(),
                    source: std::io::Error::other("disk full"),
                },
                Failing::Parse => Error::Parse {
                    source_name: "some table".into(),
                    line: None,
                    column: None,
                    message: "cannot write CSV".into(),
                },
                Failing::Other => Error::invalid("x", "y", Expected::Finite),
            })
        }
    }

    #[test]
    fn string_and_writer_give_the_same_bytes() {
        let t = Rows {
            target: "t",
            header: vec!["uCode".into(), "x".into()],
            rows: vec![
                vec!["A,B".into(), String::new()],
                vec!["C".into(), "1.5".into()],
            ],
        };
        let mut out = Vec::new();
        t.write_csv(&mut out).unwrap();
        assert_eq!(out, b"uCode,x\n\"A,B\",\nC,1.5\n");
        assert_eq!(t.to_csv_string().unwrap().as_bytes(), out.as_slice());
    }

    #[test]
    fn file_errors_name_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.csv");
        match Failing::Io.write_csv_path(&p) {
            Err(Error::Io { path, .. }) => assert_eq!(path, p.display().to_string()),
            other => panic!("expected Io, got {other:?}"),
        }
        match Failing::Parse.write_csv_path(&p) {
            Err(Error::Parse { source_name, .. }) => {
                assert_eq!(source_name, p.display().to_string())
            }
            other => panic!("expected Parse, got {other:?}"),
        }
        // A failed write leaves no file behind.
        assert!(!p.exists());
        // Other errors pass through unchanged.
        assert!(matches!(
            Failing::Other.write_csv_path(&p),
            Err(Error::InvalidParameter { .. })
        ));
    }

    /// JSON output types whole columns: codes and names stay text even when they look like numbers,
    /// a column with any non-number is text throughout, empty fields are null.
    #[test]
    fn json_columns_are_typed_as_a_whole() {
        let csv = b"uCode,uName,x,g,mixed\n001,1,1.5,,7\n2,b,-0.25,a,x\n-0,c,3,,\n";
        let t = csv_text_as_table(csv, Path::new("t.json")).unwrap();
        let mut out = Vec::new();
        t.write_json(&mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v[0]["uCode"], "001");
        assert_eq!(v[1]["uCode"], "2");
        assert_eq!(v[2]["uCode"], "-0");
        assert_eq!(v[0]["uName"], "1");
        assert_eq!(v[0]["x"], 1.5);
        assert_eq!(v[1]["x"], -0.25);
        assert!(v[0]["g"].is_null() && v[1]["g"] == "a");
        assert_eq!(
            (v[0]["mixed"].clone(), v[1]["mixed"].clone()),
            ("7".into(), "x".into())
        );
        assert!(v[2]["mixed"].is_null());
    }
}
