//! Shared CSV plumbing: read a whole table with line numbers, map csv errors to typed errors, parse
//! numeric cells under one rule set.

use std::collections::{HashMap, VecDeque};
use std::io::Read;

use crate::error::{Error, Result};

/// A CSV table read into memory: trimmed header names and rows, each with its 1-based line.
///
/// Used for the small metadata tables (iMeta, the CBCII framework); data tables are streamed through
/// [`CsvStream`] instead, so that no field of a large file is kept as a `String`.
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
    pub fn read<R: Read>(reader: R, source: &str) -> Result<Table> {
        let mut stream = CsvStream::open(reader, source, false)?;
        let mut rows = Vec::new();
        while let Some(line) = stream.next_record()? {
            let fields = (0..stream.record_len())
                .map(|j| stream.field(j).to_string())
                .collect();
            rows.push((line, fields));
        }
        Ok(Table {
            source: source.to_string(),
            headers: stream.headers,
            header_line: stream.header_line,
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
        self.position(name)
            .ok_or_else(|| missing_column(&self.source, self.header_line, &self.headers, name))
    }

    /// An [`Error::Parse`] for a data cell.
    pub fn cell_error(&self, line: usize, column: usize, message: impl Into<String>) -> Error {
        cell_error(&self.source, &self.headers, line, column, message)
    }

    /// Error if the table has no data row.
    pub fn require_rows(&self) -> Result<()> {
        if self.rows.is_empty() {
            Err(no_rows(&self.source))
        } else {
            Ok(())
        }
    }
}

/// The [`Error::Parse`] for a required column absent from the header.
fn missing_column(source: &str, header_line: usize, headers: &[String], name: &str) -> Error {
    Error::Parse {
        source_name: source.to_string(),
        line: Some(header_line),
        column: Some(name.to_string()),
        message: format!(
            "required column `{name}` is missing (header: {})",
            shown_header(headers)
        ),
    }
}

/// The header as a user can read it in a one-line error: control characters as `?`, at most 200
/// characters.
fn shown_header(headers: &[String]) -> String {
    let joined = headers.join(",");
    let mut out: String = joined
        .chars()
        .take(200)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if joined.chars().count() > 200 {
        out.push_str("...");
    }
    out
}

/// What a header that cannot be a CSV header of ours looks like, as an error message: a zip
/// archive (a spreadsheet workbook), or one column whose name holds `;` or tabs (a file separated
/// by something other than commas). `None` for an ordinary header.
fn foreign_header(headers: &[String]) -> Option<String> {
    let first = headers.first()?;
    if first.starts_with("PK\u{3}\u{4}") {
        return Some(
            "a zip archive (an Excel .xlsx or OpenDocument .ods workbook?), not a CSV file: \
             export the sheet as CSV (UTF-8)"
                .into(),
        );
    }
    if headers.len() == 1 {
        for (sep, name, hint) in [
            (
                ';',
                "`;`",
                " (R's write.csv2, or a spreadsheet in a locale with decimal commas)",
            ),
            ('\t', "tabs", ""),
        ] {
            if first.contains(sep) {
                return Some(format!(
                    "the header is one column `{}`: the file seems separated by {name}{hint}; \
                     the crate reads comma-separated files (R: write.csv)",
                    shown_header(headers)
                ));
            }
        }
    }
    None
}

/// An [`Error::Parse`] for the data cell in column `column` on `line`.
pub(crate) fn cell_error(
    source: &str,
    headers: &[String],
    line: usize,
    column: usize,
    message: impl Into<String>,
) -> Error {
    Error::Parse {
        source_name: source.to_string(),
        line: Some(line),
        column: headers.get(column).cloned(),
        message: message.into(),
    }
}

/// The [`Error::EmptyData`] for a header without data rows.
pub(crate) fn no_rows(source: &str) -> Error {
    Error::EmptyData {
        what: format!("{source}: header only, no data rows"),
    }
}

/// The field of a row (rows are rectangular, so this only fails on internal misuse).
pub(crate) fn field(row: &[String], j: usize) -> &str {
    row.get(j).map(String::as_str).unwrap_or("")
}

/// A CSV input read one record at a time, with one reused record buffer: nothing of a record outlives
/// the next call to [`CsvStream::next_record`], so reading a large data table costs memory only for what
/// the caller keeps (numbers as `f64`, unit codes).
///
/// The rules are those of the whole-table reader: a header row (names trimmed, non-empty and
/// unique), `flexible = false` (a ragged row is an [`Error::Parse`] naming its line), fields trimmed of
/// surrounding Unicode whitespace (as `str::trim`), invalid UTF-8 an [`Error::Parse`] naming the line
/// and field, blank lines skipped but counted in line numbers.
pub(crate) struct CsvStream<R: Read> {
    rdr: csv::Reader<LineCounter<R>>,
    rec: csv::StringRecord,
    /// Name of the input for error messages (file path or description).
    pub source: String,
    /// Header names (trimmed).
    pub headers: Vec<String>,
    /// Line of the header (normally 1).
    pub header_line: usize,
    /// Whether `source` is a file path: value errors are then wrapped in [`Error::InFile`].
    pub is_file: bool,
    /// Number of data records read so far.
    pub records: usize,
    /// Set by [`CsvStream::resume`]: newlines before the resumed input, added to its line numbers.
    resumed_after: Option<usize>,
}

impl<R: Read> CsvStream<R> {
    /// Open a CSV input and read its header.
    ///
    /// Errors: [`Error::EmptyData`] for an input without header, [`Error::Parse`] for a duplicate or
    /// empty header name or a header that is not UTF-8, [`Error::Io`] for read failures.
    pub fn open(reader: R, source: &str, is_file: bool) -> Result<Self> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .trim(csv::Trim::Headers)
            .buffer_capacity(1 << 16)
            .from_reader(LineCounter::new(reader));
        let header_rec = match rdr.headers() {
            Ok(h) => h.clone(),
            Err(e) => return Err(csv_error(source, rdr.get_mut(), e)),
        };
        if header_rec.is_empty() || (header_rec.len() == 1 && header_rec.get(0) == Some("")) {
            return Err(Error::EmptyData {
                what: format!("{source}: the input is empty (no header row)"),
            });
        }
        let header_line = header_rec
            .position()
            .map(|p| rdr.get_mut().line(p.byte()))
            .unwrap_or(1);
        let headers: Vec<String> = header_rec.iter().map(str::to_string).collect();
        if let Some(message) = foreign_header(&headers) {
            return Err(Error::Parse {
                source_name: source.to_string(),
                line: Some(header_line),
                column: None,
                message,
            });
        }
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (j, h) in headers.iter().enumerate() {
            if h.is_empty() {
                let hint = if j == 0 {
                    " (an unnamed first column is R's row names: write.csv(x, row.names = FALSE) \
                     leaves it out)"
                } else {
                    ""
                };
                return Err(Error::Parse {
                    source_name: source.to_string(),
                    line: Some(header_line),
                    column: Some(format!("#{}", j + 1)),
                    message: format!("empty column name in the header{hint}"),
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
        Ok(CsvStream {
            rdr,
            rec: csv::StringRecord::new(),
            source: source.to_string(),
            headers,
            header_line,
            is_file,
            records: 0,
            resumed_after: None,
        })
    }

    /// The data records of an input whose header `header` has already read, resumed at a record
    /// boundary: `reader` holds the rest of the input, and `newlines` `\n` bytes came before it.
    /// Records, lines and errors are those the stream of the whole input gives (a ragged row is
    /// measured against the header; a UTF-8 byte-order mark at the start of `reader` is data, not
    /// stripped).
    pub fn resume<H: Read>(
        reader: R,
        header: &CsvStream<H>,
        newlines: usize,
    ) -> CsvStream<Resumed<R>> {
        // a blank line first: the csv reader strips a byte-order mark only at the very start
        let rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(1 << 16)
            .from_reader(LineCounter::new(
                std::io::Cursor::new(&b"\n"[..]).chain(reader),
            ));
        CsvStream {
            rdr,
            rec: csv::StringRecord::new(),
            source: header.source.clone(),
            headers: header.headers.clone(),
            header_line: header.header_line,
            is_file: header.is_file,
            records: 0,
            resumed_after: Some(newlines),
        }
    }

    /// Read the next data record; its fields are then available through [`CsvStream::field`].
    /// Returns the record's 1-based line, or `None` at the end of the input.
    ///
    /// Errors: [`Error::Parse`] for a ragged row or invalid UTF-8 (naming the line),
    /// [`Error::Io`] for read failures.
    pub fn next_record(&mut self) -> Result<Option<usize>> {
        if let Some(before) = self.resumed_after {
            return self.next_resumed_record(before);
        }
        match self.rdr.read_record(&mut self.rec) {
            Ok(true) => {
                self.records += 1;
                let line = self
                    .rec
                    .position()
                    .map(|p| self.rdr.get_mut().line(p.byte()))
                    .unwrap_or(0);
                Ok(Some(line))
            }
            Ok(false) => Ok(None),
            Err(e) => Err(csv_error(&self.source, self.rdr.get_mut(), e)),
        }
    }

    /// [`CsvStream::next_record`] of a resumed stream: the length check of a stream with a header
    /// (against the header, before the UTF-8 check, as the csv reader orders them), lines offset by
    /// the `before` newlines ahead of the resumed input.
    fn next_resumed_record(&mut self, before: usize) -> Result<Option<usize>> {
        let mut bytes = std::mem::take(&mut self.rec).into_byte_record();
        match self.rdr.read_byte_record(&mut bytes) {
            Ok(true) => {
                self.records += 1;
                // the blank line put before the resumed input counts one newline
                let line = (before
                    + bytes
                        .position()
                        .map(|p| self.rdr.get_mut().line(p.byte()))
                        .unwrap_or(0))
                .saturating_sub(1);
                if bytes.len() != self.headers.len() {
                    return Err(ragged_row(
                        &self.source,
                        line,
                        bytes.len(),
                        self.headers.len(),
                    ));
                }
                match csv::StringRecord::from_byte_record(bytes) {
                    Ok(rec) => {
                        self.rec = rec;
                        Ok(Some(line))
                    }
                    Err(e) => Err(invalid_utf8(&self.source, line, e.utf8_error().field())),
                }
            }
            Ok(false) => Ok(None),
            Err(e) => Err(match csv_error(&self.source, self.rdr.get_mut(), e) {
                Error::Parse {
                    source_name,
                    line,
                    column,
                    message,
                } => Error::Parse {
                    source_name,
                    line: line.map(|l| (l + before).saturating_sub(1)),
                    column,
                    message,
                },
                other => other,
            }),
        }
    }

    /// Field `j` of the current record, trimmed (empty when out of range, which the rectangular
    /// rule makes an internal misuse).
    pub fn field(&self, j: usize) -> &str {
        self.rec.get(j).map(trim_field).unwrap_or("")
    }

    /// Number of fields of the current record.
    pub fn record_len(&self) -> usize {
        self.rec.len()
    }

    /// Read the rest of the input, only to find the errors of the whole-table reader (ragged rows,
    /// invalid UTF-8, read failures), which take precedence over every error about the values.
    pub fn drain(&mut self) -> Result<()> {
        while self.next_record()?.is_some() {}
        Ok(())
    }

    /// [`CsvStream::drain`], then `pending` if the rest of the input has no error of its own.
    pub fn drain_then(&mut self, pending: Error) -> Error {
        match self.drain() {
            Ok(()) => pending,
            Err(e) => e,
        }
    }

    /// Position of a column by exact (trimmed) name.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    /// The [`Error::Parse`] for a required column absent from the header.
    pub fn missing_column(&self, name: &str) -> Error {
        missing_column(&self.source, self.header_line, &self.headers, name)
    }

    /// An [`Error::Parse`] for a data cell.
    pub fn cell_error(&self, line: usize, column: usize, message: impl Into<String>) -> Error {
        cell_error(&self.source, &self.headers, line, column, message)
    }
}

/// The input of a resumed [`CsvStream`]: a blank line, then the rest of the input.
pub(crate) type Resumed<R> = std::io::Chain<std::io::Cursor<&'static [u8]>, R>;

/// `s.trim()`, without the Unicode machinery when `s` starts and ends with a visible ASCII character
/// (nothing to trim then), as almost every cell does.
#[inline]
pub(crate) fn trim_field(s: &str) -> &str {
    let visible = |b: Option<&u8>| b.is_some_and(|&b| b > b' ' && b < 0x80);
    let bytes = s.as_bytes();
    if visible(bytes.first()) && visible(bytes.last()) {
        s
    } else {
        s.trim()
    }
}

/// A reader that passes bytes through and remembers where the runs of line terminators (`\r`, `\n`)
/// are, so that a byte offset reported by the csv crate can be turned into a line number without
/// keeping the input.
///
/// The csv crate reports a record's position as the place where it started scanning, i.e. *before*
/// any blank lines it skipped, and its own line counter does not count those blank lines. The line of
/// a record is therefore the line of the first non-terminator byte at or after the reported byte:
/// 1 + the number of `\n` before that byte. Only the runs not yet passed by a query are kept (queries
/// come in increasing byte order), so memory is bounded by the csv reader's look-ahead.
pub(crate) struct LineCounter<R> {
    inner: R,
    /// Bytes passed through so far.
    offset: u64,
    /// `\n` bytes passed through so far.
    newlines: usize,
    /// Finished terminator runs not yet passed by a query: `(start, end, newlines before end)`.
    runs: VecDeque<(u64, u64, usize)>,
    /// Start of the terminator run the last byte passed through belongs to.
    open: Option<u64>,
    /// Newlines before every byte a query has passed.
    base: usize,
}

impl<R> LineCounter<R> {
    fn new(inner: R) -> Self {
        LineCounter {
            inner,
            offset: 0,
            newlines: 0,
            runs: VecDeque::new(),
            open: None,
            base: 0,
        }
    }

    /// 1-based line of the first non-terminator byte at or after `byte` (queries must not decrease).
    fn line(&mut self, byte: u64) -> usize {
        while let Some(&(_, end, nl)) = self.runs.front() {
            if end > byte {
                break;
            }
            self.base = nl;
            self.runs.pop_front();
        }
        match self.runs.front() {
            Some(&(start, _, nl)) if start <= byte => nl + 1,
            Some(_) => self.base + 1,
            // inside a run still open: it reaches the end of what has been read
            None if self.open.is_some_and(|s| s <= byte) => self.newlines + 1,
            None => self.base + 1,
        }
    }

    /// Record the terminator runs of `buf`, which starts at `self.offset`.
    fn scan(&mut self, buf: &[u8]) {
        let mut i = 0;
        while i < buf.len() {
            if self.open.is_none() {
                match memchr::memchr2(b'\n', b'\r', &buf[i..]) {
                    Some(k) => {
                        i += k;
                        self.open = Some(self.offset + i as u64);
                    }
                    None => break,
                }
            }
            // inside a run: extend it over terminators
            while let Some(&b) = buf.get(i) {
                if b == b'\n' {
                    self.newlines += 1;
                } else if b != b'\r' {
                    break;
                }
                i += 1;
            }
            if i < buf.len()
                && let Some(start) = self.open.take()
            {
                self.runs
                    .push_back((start, self.offset + i as u64, self.newlines));
            }
        }
        self.offset += buf.len() as u64;
    }
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(read) = buf.get(..n) {
            self.scan(read);
        }
        Ok(n)
    }
}

/// Map a csv error to a typed error naming the source and, when known, the line.
fn csv_error<R>(source: &str, lines: &mut LineCounter<R>, e: csv::Error) -> Error {
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
            message: ragged_message(len, expected_len),
        },
        csv::ErrorKind::Utf8 { err, .. } => Error::Parse {
            source_name: source.to_string(),
            line,
            column: None,
            message: utf8_message(err.field()),
        },
        other => Error::Parse {
            source_name: source.to_string(),
            line,
            column: None,
            message: format!("{other:?}"),
        },
    }
}

/// The message of a ragged row: `len` fields where the header has `expected`. Too few fields is
/// also what a quote that is opened and never closed gives (the rest of the input is read into that
/// field), so the message says so.
fn ragged_message(len: u64, expected: u64) -> String {
    let hint = if len < expected {
        "; or a field opens a quote `\"` it does not close, which reads the following lines into it"
    } else {
        ""
    };
    format!("row has {len} fields but the previous rows have {expected} (ragged row{hint})")
}

/// The message of invalid UTF-8 in field `field` (0-based) of a record.
fn utf8_message(field: usize) -> String {
    format!(
        "invalid UTF-8 in field {}: save the file as UTF-8 text (a spreadsheet's \"CSV UTF-8\"); \
         Latin-1 files and workbooks (.xlsx) cannot be read",
        field + 1
    )
}

/// The [`Error::Parse`] of a ragged row on `line`, as the csv reader reports it.
pub(crate) fn ragged_row(source: &str, line: usize, len: usize, expected: usize) -> Error {
    Error::Parse {
        source_name: source.to_string(),
        line: Some(line),
        column: None,
        message: ragged_message(len as u64, expected as u64),
    }
}

/// The [`Error::Parse`] of invalid UTF-8 in field `field` (0-based) of the record on `line`, as
/// the csv reader reports it.
pub(crate) fn invalid_utf8(source: &str, line: usize, field: usize) -> Error {
    Error::Parse {
        source_name: source.to_string(),
        line: Some(line),
        column: None,
        message: utf8_message(field),
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

/// The input a cell comes from, as [`parse_cell`] names it in errors.
pub(crate) trait CellSource {
    /// File path or description of the input.
    fn source_name(&self) -> &str;
    /// Whether [`CellSource::source_name`] is a file path (errors are then wrapped in
    /// [`Error::InFile`]).
    fn is_file(&self) -> bool;
}

impl CellSource for Table {
    fn source_name(&self) -> &str {
        &self.source
    }
    fn is_file(&self) -> bool {
        self.is_file
    }
}

impl<R: Read> CellSource for CsvStream<R> {
    fn source_name(&self) -> &str {
        &self.source
    }
    fn is_file(&self) -> bool {
        self.is_file
    }
}

/// A trimmed number cell read without building an error: the value of [`parse_cell`], or `None` where
/// [`parse_cell`] gives an error. The fast path of the data readers, which call [`parse_cell`] for the
/// error of a `None`.
#[inline]
pub(crate) fn parse_number(s: &str) -> Option<f64> {
    if let Some(v) = parse_plain_decimal(s.as_bytes()) {
        return Some(v);
    }
    if is_missing_token(s) {
        return Some(f64::NAN);
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_infinite() => None,
        Ok(v) if v == 0.0 && has_nonzero_digit(s) => None,
        Ok(v) => Some(v),
        Err(_) => None,
    }
}

/// `10^k` for `k = 0..=22`: every one is exactly an `f64`.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The value of a plain decimal `-?D+(.D+)?` with at most 15 digits in all, or `None` for anything else
/// (which `f64::from_str` then reads).
///
/// Exactly `f64::from_str`'s result (Clinger's fast path): the digits form an integer `m < 10^15 < 2^53`
/// and the divisor is `10^k` with `k <= 15`, both exact in `f64`, so the one IEEE division `m / 10^k`
/// is the correctly rounded value of the decimal, as `from_str` gives. The standard parser is the
/// largest cost of reading a numeric CSV (about 200 instructions per cell against about 40 here,
/// measured with callgrind on 20,000 × 50 cells of the form `123.456`).
#[inline]
fn parse_plain_decimal(s: &[u8]) -> Option<f64> {
    let (negative, body) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    if body.len() > 16 || body.last() == Some(&b'.') {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut int_digits = 0usize;
    for &b in body {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        mantissa = mantissa * 10 + u64::from(d);
        int_digits += 1;
    }
    let mut fraction = 0usize;
    match body.get(int_digits) {
        None => {}
        Some(b'.') if int_digits > 0 => {
            for &b in body.get(int_digits + 1..).unwrap_or_default() {
                let d = b.wrapping_sub(b'0');
                if d > 9 {
                    return None;
                }
                mantissa = mantissa * 10 + u64::from(d);
                fraction += 1;
            }
        }
        Some(_) => return None,
    }
    let digits = int_digits + fraction;
    if digits == 0 || digits > 15 {
        return None;
    }
    let divisor = POW10.get(fraction).copied()?;
    // exact: mantissa < 10^15 < 2^53
    let v = mantissa as f64 / divisor;
    Some(if negative { -v } else { v })
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
    table: &impl CellSource,
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
            Err(if table.is_file() {
                Error::InFile {
                    source_name: table.source_name().to_string(),
                    line,
                    source: Box::new(e),
                }
            } else {
                e
            })
        }
        Ok(v) if v == 0.0 && has_nonzero_digit(s) => Err(Error::Underflow {
            source_name: table.source_name().to_string(),
            line,
            column: column.to_string(),
            unit: unit.to_string(),
            value: s.to_string(),
        }),
        Ok(v) => Ok(v),
        Err(_) => Err(Error::NonNumeric {
            source_name: table.source_name().to_string(),
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

    /// Files that are not comma-separated CSV get an error saying what they look like.
    #[test]
    fn foreign_files_are_named_for_what_they_are() {
        let msg = |text: &[u8]| match Table::read(text, "f") {
            Err(Error::Parse { message, .. }) => message,
            other => panic!("{other:?}"),
        };
        assert!(msg(b"uCode;x;y\nA;1;2\n").contains("separated by `;`"));
        assert!(msg(b"uCode\tx\nA\t1\n").contains("separated by tabs"));
        assert!(msg(b"PK\x03\x04\x14\x00,x\n1,2\n").contains("zip archive"));
        assert!(msg(b"\"\",uCode,x\n1,A,2\n").contains("row names"));
        assert!(msg(b"uCode,x\nCaf\xe9,2\n").contains("save the file as UTF-8"));
        // a one-column file without separators in its name is an ordinary table
        assert!(Table::read("uCode\nA\n".as_bytes(), "f").is_ok());
        // control characters in a header shown in an error are replaced
        let e = missing_column("f", 1, &["a\u{1}b".to_string()], "uCode");
        assert!(e.to_string().contains("a?b"), "{e}");
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
    fn plain_decimals_read_exactly_as_from_str() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(17);
        let mut text = String::new();
        for _ in 0..200_000 {
            text.clear();
            if rng.random_bool(0.3) {
                text.push('-');
            }
            let int_digits = rng.random_range(0..=17usize);
            for _ in 0..int_digits {
                text.push(char::from(b'0' + rng.random_range(0..10u8)));
            }
            if rng.random_bool(0.7) {
                text.push('.');
                for _ in 0..rng.random_range(0..=17usize) {
                    text.push(char::from(b'0' + rng.random_range(0..10u8)));
                }
            }
            let want = text.parse::<f64>().ok();
            if let Some(got) = parse_plain_decimal(text.as_bytes()) {
                let want =
                    want.unwrap_or_else(|| panic!("fast path read `{text}`, from_str did not"));
                assert_eq!(got.to_bits(), want.to_bits(), "{text}");
            }
            if let Some(want) = want.filter(|v| v.is_finite() && *v != 0.0) {
                assert_eq!(
                    parse_number(&text).map(f64::to_bits),
                    Some(want.to_bits()),
                    "{text}"
                );
            }
        }
        // the fast path takes the common forms and leaves the rest to from_str
        assert_eq!(parse_plain_decimal(b"123.456"), Some(123.456));
        assert_eq!(
            parse_plain_decimal(b"-0.0").map(f64::to_bits),
            Some((-0.0f64).to_bits())
        );
        assert_eq!(
            parse_plain_decimal(b"999999999999999"),
            Some(999_999_999_999_999.0)
        );
        for other in [
            &b"1e5"[..],
            b"+1",
            b".5",
            b"5.",
            b"1.2.3",
            b"",
            b"-",
            b"NA",
            b"1234567890123456",
        ] {
            assert_eq!(parse_plain_decimal(other), None, "{other:?}");
        }
        assert_eq!(trim_field(" \u{a0}x\t"), "x");
        assert_eq!(trim_field("x y"), "x y");
        assert_eq!(trim_field("\u{2003}x"), "x");
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
