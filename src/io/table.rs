//! Shared CSV plumbing: read a whole table with line numbers, map csv errors to typed errors, parse
//! numeric cells under one rule set.

use std::collections::HashMap;
use std::io::Read;

use crate::error::{Error, Result};

/// A CSV table read into memory: trimmed header names and rows, each with its 1-based line.
#[derive(Debug)]
pub(crate) struct Table {
    /// Name of the input for error messages (file path or description).
    pub source: String,
    /// Header names (trimmed).
    pub headers: Vec<String>,
    /// Line of the header (normally 1).
    pub header_line: usize,
    /// `(line, fields)` for every data record, in file order.
    pub rows: Vec<(usize, Vec<String>)>,
    /// Whether `source` is a file path (set by the `*_path` readers): value errors are then wrapped
    /// in [`Error::InFile`] naming the file and line.
    pub is_file: bool,
}

impl Table {
    /// Read a whole CSV input. `flexible = false`: a row with a different number of fields than the header
    /// is an [`Error::Parse`] naming its line. Fields and headers are trimmed of surrounding whitespace.
    ///
    /// Errors: [`Error::EmptyData`] for an input without header, [`Error::Parse`] for a duplicate or empty
    /// header name, a ragged row or invalid UTF-8, [`Error::Io`] for read failures.
    pub fn read<R: Read>(mut reader: R, source: &str) -> Result<Table> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).map_err(|e| Error::Io {
            path: source.to_string(),
            source: e,
        })?;
        let lines = LineIndex::new(&bytes);
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .trim(csv::Trim::All)
            .from_reader(bytes.as_slice());
        let header_rec = rdr
            .headers()
            .map_err(|e| csv_error(source, &lines, e))?
            .clone();
        if header_rec.is_empty() || (header_rec.len() == 1 && header_rec.get(0) == Some("")) {
            return Err(Error::EmptyData {
                what: format!("{source}: the input is empty (no header row)"),
            });
        }
        let header_line = header_rec
            .position()
            .map(|p| lines.line(p.byte()))
            .unwrap_or(1);
        let headers: Vec<String> = header_rec.iter().map(str::to_string).collect();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (j, h) in headers.iter().enumerate() {
            if h.is_empty() {
                return Err(Error::Parse {
                    source_name: source.to_string(),
                    line: Some(header_line),
                    column: Some(format!("#{}", j + 1)),
                    message: "empty column name in the header".into(),
                });
            }
            if let Some(first) = seen.insert(h.as_str(), j) {
                return Err(Error::Parse {
                    source_name: source.to_string(),
                    line: Some(header_line),
                    column: Some(h.clone()),
                    message: format!("column name repeated (fields {} and {})", first + 1, j + 1),
                });
            }
        }
        let mut rows = Vec::new();
        let mut rec = csv::StringRecord::new();
        loop {
            match rdr.read_record(&mut rec) {
                Ok(true) => {
                    let line = rec.position().map(|p| lines.line(p.byte())).unwrap_or(0);
                    rows.push((line, rec.iter().map(str::to_string).collect()));
                }
                Ok(false) => break,
                Err(e) => return Err(csv_error(source, &lines, e)),
            }
        }
        Ok(Table {
            source: source.to_string(),
            headers,
            header_line,
            rows,
            is_file: false,
        })
    }

    /// Position of a column by exact (trimmed) name.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    /// Position of a required column, or an [`Error::Parse`] naming the header line and the column.
    pub fn require(&self, name: &str) -> Result<usize> {
        self.position(name).ok_or_else(|| Error::Parse {
            source_name: self.source.clone(),
            line: Some(self.header_line),
            column: Some(name.to_string()),
            message: format!(
                "required column `{name}` is missing (header: {})",
                self.headers.join(",")
            ),
        })
    }

    /// An [`Error::Parse`] for a data cell.
    pub fn cell_error(&self, line: usize, column: usize, message: impl Into<String>) -> Error {
        Error::Parse {
            source_name: self.source.clone(),
            line: Some(line),
            column: self.headers.get(column).cloned(),
            message: message.into(),
        }
    }

    /// Error if the table has no data row.
    pub fn require_rows(&self) -> Result<()> {
        if self.rows.is_empty() {
            Err(Error::EmptyData {
                what: format!("{}: header only, no data rows", self.source),
            })
        } else {
            Ok(())
        }
    }
}

/// The field of a row (rows are rectangular, so this only fails on internal misuse).
pub(crate) fn field(row: &[String], j: usize) -> &str {
    row.get(j).map(String::as_str).unwrap_or("")
}

/// Maps byte offsets of an input to 1-based line numbers.
///
/// The csv crate reports a record's position as the place where it started scanning, i.e. *before*
/// any blank lines it skipped, and its own line counter does not count those blank lines. We therefore
/// skip line terminators forward from the reported byte and count newlines ourselves.
pub(crate) struct LineIndex {
    /// Byte offsets of every `\n`.
    newlines: Vec<usize>,
    /// Whether the byte at each offset is a line terminator (`\r` or `\n`).
    terminators: Vec<bool>,
}

impl LineIndex {
    pub fn new(bytes: &[u8]) -> Self {
        LineIndex {
            newlines: bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i)
                .collect(),
            terminators: bytes.iter().map(|b| *b == b'\n' || *b == b'\r').collect(),
        }
    }

    /// 1-based line of the first non-terminator byte at or after `byte`.
    pub fn line(&self, byte: u64) -> usize {
        let mut pos = usize::try_from(byte).unwrap_or(usize::MAX);
        while self.terminators.get(pos).copied().unwrap_or(false) {
            pos += 1;
        }
        self.newlines.partition_point(|&n| n < pos) + 1
    }
}

/// Map a csv error to a typed error naming the source and, when known, the line.
pub(crate) fn csv_error(source: &str, lines: &LineIndex, e: csv::Error) -> Error {
    let line = e.position().map(|p| lines.line(p.byte()));
    match e.into_kind() {
        csv::ErrorKind::Io(err) => Error::Io {
            path: source.to_string(),
            source: err,
        },
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => Error::Parse {
            source_name: source.to_string(),
            line,
            column: None,
            message: format!(
                "row has {len} fields but the previous rows have {expected_len} (ragged row)"
            ),
        },
        csv::ErrorKind::Utf8 { err, .. } => Error::Parse {
            source_name: source.to_string(),
            line,
            column: None,
            message: format!("invalid UTF-8 in field {}", err.field() + 1),
        },
        other => Error::Parse {
            source_name: source.to_string(),
            line,
            column: None,
            message: format!("{other:?}"),
        },
    }
}

/// Whether a (trimmed) cell means "missing": empty, `NA`, `N/A`, `#N/A` (any case for `na`/`n/a`),
/// or any spelling of NaN that Rust's float parser accepts (`NaN`, `nan`, ...).
pub(crate) fn is_missing_token(s: &str) -> bool {
    s.is_empty()
        || s.eq_ignore_ascii_case("na")
        || s.eq_ignore_ascii_case("n/a")
        || s.eq_ignore_ascii_case("#n/a")
}

/// Whether a cell would be read as a number or a missing value (used to decide whether a soft column
/// is numeric): a missing token, or a finite number. An underflowing literal such as `1e-400` counts as
/// numeric here, so that [`parse_cell`] then rejects it rather than the column becoming a label column.
pub(crate) fn looks_numeric(text: &str) -> bool {
    let s = text.trim();
    is_missing_token(s) || s.parse::<f64>().is_ok_and(|v| !v.is_infinite())
}

/// Whether the mantissa of a numeric literal (the part before any exponent) has a nonzero digit.
fn has_nonzero_digit(s: &str) -> bool {
    s.chars()
        .take_while(|c| !matches!(c, 'e' | 'E'))
        .any(|c| matches!(c, '1'..='9'))
}

/// Parse one numeric data cell of `table` at `line`, column `column`, in the row of unit `unit`.
///
/// * missing tokens (see [`is_missing_token`]) and NaN -> `NaN`;
/// * any decimal or scientific number Rust's `f64::from_str` accepts -> that number (rounded to the
///   nearest `f64`; a literal below the smallest normal magnitude, 2.2e-308, keeps its subnormal value
///   with fewer significant bits);
/// * a **nonzero** literal that rounds to zero (`1e-400`) -> [`Error::Underflow`] naming the source,
///   line, column and unit (reading it as 0 would silently change the data);
/// * `inf`, `Inf`, `-infinity`, or a literal that overflows (`1e400`) -> [`Error::NonFinite`] naming
///   `unit` and `column`, wrapped in [`Error::InFile`] (file and line) when `table.is_file`;
/// * anything else -> [`Error::NonNumeric`] naming the source, line, column and the text.
pub(crate) fn parse_cell(
    text: &str,
    table: &Table,
    line: usize,
    column: &str,
    unit: &str,
) -> Result<f64> {
    let s = text.trim();
    if is_missing_token(s) {
        return Ok(f64::NAN);
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_infinite() => {
            let e = Error::NonFinite {
                unit: unit.to_string(),
                indicator: column.to_string(),
                value: v,
            };
            Err(if table.is_file {
                Error::InFile {
                    source_name: table.source.clone(),
                    line,
                    source: Box::new(e),
                }
            } else {
                e
            })
        }
        Ok(v) if v == 0.0 && has_nonzero_digit(s) => Err(Error::Underflow {
            source_name: table.source.clone(),
            line,
            column: column.to_string(),
            unit: unit.to_string(),
            value: s.to_string(),
        }),
        Ok(v) => Ok(v),
        Err(_) => Err(Error::NonNumeric {
            source_name: table.source.clone(),
            line,
            column: column.to_string(),
            value: s.to_string(),
            hint: String::new(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> Table {
        Table::read("uCode,x\nA,1\n".as_bytes(), "t").unwrap()
    }

    #[test]
    fn cells() {
        let t = t();
        assert_eq!(parse_cell(" 1.5 ", &t, 2, "x", "A").unwrap(), 1.5);
        assert_eq!(parse_cell("-2e3", &t, 2, "x", "A").unwrap(), -2000.0);
        for m in ["", "NA", "na", "#N/A", "N/A", "NaN", "nan"] {
            assert!(parse_cell(m, &t, 2, "x", "A").unwrap().is_nan(), "{m}");
        }
        assert!(matches!(
            parse_cell("Inf", &t, 2, "x", "A"),
            Err(Error::NonFinite { unit, indicator, value }) if unit == "A" && indicator == "x" && value == f64::INFINITY
        ));
        assert!(matches!(
            parse_cell("1,5", &t, 7, "x", "A"),
            Err(Error::NonNumeric { line: 7, column, value, .. }) if column == "x" && value == "1,5"
        ));
    }

    #[test]
    fn underflow_of_a_nonzero_literal_is_rejected() {
        let t = t();
        // zeros in any spelling stay zeros
        for z in ["0", "-0", "0.000", "0e-400", "0E5", "-0.0e-999"] {
            assert_eq!(parse_cell(z, &t, 2, "x", "A").unwrap(), 0.0, "{z}");
        }
        // a subnormal keeps its (nonzero) value
        assert_eq!(parse_cell("1e-310", &t, 2, "x", "A").unwrap(), 1e-310);
        for u in ["1e-400", "-2.5E-330", "0.0001e-322"] {
            assert!(
                matches!(
                    parse_cell(u, &t, 4, "x", "A"),
                    Err(Error::Underflow { line: 4, ref column, ref unit, ref value, .. })
                        if column == "x" && unit == "A" && value == u
                ),
                "{u}"
            );
        }
        assert!(looks_numeric("1e-400"));
        assert!(!looks_numeric("inf"));
    }

    #[test]
    fn table_lines_and_errors() {
        let t = Table::read("a,b\n1,2\n\n3,4\n".as_bytes(), "t").unwrap();
        assert_eq!(t.headers, vec!["a", "b"]);
        assert_eq!(t.rows[0].0, 2);
        assert_eq!(t.rows[1].0, 4);
        let e = Table::read("a,b\n1,2\n3\n".as_bytes(), "t").unwrap_err();
        assert!(matches!(e, Error::Parse { line: Some(3), .. }), "{e}");
        let e = Table::read("a,b\r\n1,2\r\n\r\n\r\n3\r\n".as_bytes(), "t").unwrap_err();
        assert!(matches!(e, Error::Parse { line: Some(5), .. }), "{e}");
        let e = Table::read("".as_bytes(), "t").unwrap_err();
        assert!(matches!(e, Error::EmptyData { .. }));
        let e = Table::read("a,a\n1,2\n".as_bytes(), "t").unwrap_err();
        assert!(matches!(e, Error::Parse { line: Some(1), column: Some(c), .. } if c == "a"));
    }
}
