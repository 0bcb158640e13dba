//! The plain CSV reader in blocks: the input is read a block of bytes at a time, each block is cut
//! at its last line terminator, the two halves of the block are parsed on two threads (fields
//! split, trimmed and checked, numbers parsed), and the [`DatasetBuilder`] takes the parsed
//! records in file order (repeated unit codes, the first error of each kind). Records, values,
//! line numbers and errors are those of the streaming reader ([`read_dataset`]), which stays the
//! path for everything this one does not handle:
//!
//! * a block is parsed here only while the input holds no quote character (`"`): without quotes
//!   a CSV record is a run of bytes between line terminators (`\r`, `\n`) and its fields are split
//!   at every comma. From the first block with a quote on, the rest of the input goes through the
//!   csv reader, resumed at the block's start ([`CsvStream::resume`]);
//! * a header that is quoted, starts with a byte-order mark or is missing sends the whole input
//!   through the streaming reader.
//!
//! Memory stays that of the streaming reader plus a block (512 KiB) and its parsed records.

use std::io::{Cursor, Read};

use crate::data::Dataset;
use crate::error::{Error, Result};

use super::{
    CellFault, CsvOptions, DatasetBuilder, csv_label_hint, csv_roles, read_dataset, unit_hash,
};
use crate::io::table::{
    CellSource, CsvStream, cell_error, invalid_utf8, is_missing_token, parse_cell, parse_number,
    ragged_row, trim_field,
};

/// Bytes read per block.
pub(super) const BLOCK: usize = 1 << 19;

/// The records of one block, parsed apart from the builder: what
/// [`DatasetBuilder::push`] would keep of them, before the checks that need the records of the
/// blocks before (repeated unit codes).
#[derive(Default)]
pub(super) struct ParsedBlock {
    /// Line of every record kept.
    lines: Vec<usize>,
    codes: Vec<String>,
    /// [`unit_hash`] of every code.
    hashes: Vec<u64>,
    names: Vec<String>,
    group_labels: Vec<Vec<String>>,
    /// `codes.len() × hard columns`, row-major; NaN where a cell does not parse.
    values: Vec<f64>,
    /// Whether a numeric column holds a number in some record of the block (a cell that is not a
    /// missing token and that `f64::from_str` reads).
    has_number: Vec<bool>,
    /// The first empty unit code: the records after it are not kept.
    empty_code: Option<Error>,
    /// The first bad value cell (row within the block).
    fault: Option<CellFault>,
    /// The first ragged row or invalid UTF-8: the records after it are not read.
    structural: Option<Error>,
}

/// What parsing a block needs of a [`DatasetBuilder`] (a copy, so that blocks are parsed while
/// the builder takes the block before).
pub(super) struct BlockParser {
    source: String,
    is_file: bool,
    headers: Vec<String>,
    unit_j: usize,
    name_j: Option<usize>,
    hard: Vec<usize>,
    group_cols: Vec<usize>,
}

impl CellSource for BlockParser {
    fn source_name(&self) -> &str {
        &self.source
    }
    fn is_file(&self) -> bool {
        self.is_file
    }
}

impl BlockParser {
    /// The parser of the records `builder` takes.
    pub(super) fn of(builder: &DatasetBuilder) -> Self {
        BlockParser {
            source: builder.source.clone(),
            is_file: builder.is_file,
            headers: builder.headers.clone(),
            unit_j: builder.unit_j,
            name_j: builder.name_j,
            hard: builder.hard.clone(),
            group_cols: builder.group_cols.clone(),
        }
    }

    /// Parse the records of `text` (whole records, no quote character) whose first byte is on
    /// line `first_line`.
    pub(super) fn parse_block(&self, text: &[u8], first_line: usize) -> ParsedBlock {
        // at most one record per line: room for them all at once (no growth by doubling)
        let rows = newlines(text) + 1;
        let mut b = ParsedBlock {
            lines: Vec::with_capacity(rows),
            codes: Vec::with_capacity(rows),
            hashes: Vec::with_capacity(rows),
            values: Vec::with_capacity(rows * self.hard.len()),
            has_number: vec![false; self.hard.len()],
            group_labels: vec![Vec::new(); self.group_cols.len()],
            ..ParsedBlock::default()
        };
        let n_fields = self.headers.len();
        let mut fields: Vec<&str> = Vec::with_capacity(n_fields);
        let mut commas: Vec<usize> = Vec::with_capacity(n_fields);
        let mut line = first_line;
        let mut i = 0;
        while let Some(&byte) = text.get(i) {
            match byte {
                b'\n' => {
                    line += 1;
                    i += 1;
                    continue;
                }
                b'\r' => {
                    i += 1;
                    continue;
                }
                _ => {}
            }
            let rest = text.get(i..).unwrap_or_default();
            let len = memchr::memchr2(b'\n', b'\r', rest).unwrap_or(rest.len());
            let rec = rest.get(..len).unwrap_or_default();
            i += len;
            commas.clear();
            commas.extend(memchr::memchr_iter(b',', rec));
            let n = commas.len() + 1;
            if n != n_fields {
                b.structural = Some(ragged_row(&self.source, line, n, n_fields));
                break;
            }
            let Ok(rec) = std::str::from_utf8(rec) else {
                let bad = rec
                    .split(|&c| c == b',')
                    .position(|f| std::str::from_utf8(f).is_err())
                    .unwrap_or(0);
                b.structural = Some(invalid_utf8(&self.source, line, bad));
                break;
            };
            if b.empty_code.is_some() {
                continue; // only a ragged row or bad UTF-8 further on still matters
            }
            // the fields between the commas (all ASCII, so every cut is a char boundary)
            fields.clear();
            let mut from = 0;
            for &c in commas.iter().chain(std::iter::once(&rec.len())) {
                fields.push(trim_field(rec.get(from..c).unwrap_or_default()));
                from = c + 1;
            }
            self.parse_record(&mut b, line, &fields);
        }
        b
    }

    /// One record's fields into `b` (what [`DatasetBuilder::push`] does, but for the unit checks).
    fn parse_record(&self, b: &mut ParsedBlock, line: usize, fields: &[&str]) {
        let field = |j: usize| fields.get(j).copied().unwrap_or("");
        let code = field(self.unit_j);
        if code.is_empty() {
            b.empty_code = Some(cell_error(
                &self.source,
                &self.headers,
                line,
                self.unit_j,
                "empty unit code",
            ));
            return;
        }
        let row = b.codes.len();
        b.hashes.push(unit_hash(code));
        b.codes.push(code.to_string());
        b.lines.push(line);
        if let Some(nj) = self.name_j {
            let s = field(nj);
            b.names.push(if s.is_empty() {
                code.to_string()
            } else {
                s.to_string()
            });
        }
        for (labels, &j) in b.group_labels.iter_mut().zip(&self.group_cols) {
            labels.push(field(j).to_string());
        }
        for (k, (&j, has)) in self.hard.iter().zip(b.has_number.iter_mut()).enumerate() {
            let s = field(j);
            if let Some(v) = parse_number(s) {
                if !*has && !is_missing_token(s) {
                    *has = true;
                }
                b.values.push(v);
                continue;
            }
            b.values.push(f64::NAN);
            if !*has && !is_missing_token(s) && s.parse::<f64>().is_ok() {
                *has = true;
            }
            if b.fault.is_none() {
                let column = self.headers.get(j).map(String::as_str).unwrap_or("");
                match parse_cell(s, self, line, column, code) {
                    Err(error) => {
                        b.fault = Some(CellFault {
                            row,
                            column: j,
                            hard: Some(k),
                            error,
                        });
                    }
                    Ok(v) => {
                        if let Some(last) = b.values.last_mut() {
                            *last = v;
                        }
                    }
                }
            }
        }
    }
}

impl DatasetBuilder {
    /// Take the records of a parsed block, in order, as [`DatasetBuilder::push`] would have taken
    /// them (the block must have no structural error: that error ends the read).
    pub(super) fn absorb(&mut self, b: ParsedBlock) {
        let ParsedBlock {
            lines,
            codes,
            hashes,
            mut names,
            mut group_labels,
            values,
            has_number,
            empty_code,
            mut fault,
            ..
        } = b;
        if self.unit_error.is_some() {
            return;
        }
        let h = self.hard.len();
        // grow as pushing one value at a time would (to a power of two): a block's worth of
        // values at a time would grow in steps of other sizes, up to ~2x the matrix at the end
        let need = self.values.len() + codes.len() * h;
        if need > self.values.capacity() {
            self.values
                .reserve_exact(need.next_power_of_two() - self.values.len());
        }
        for (r, ((code, line), hash)) in codes.into_iter().zip(lines).zip(hashes).enumerate() {
            if !self.admit_hashed(&code, hash, line) {
                return;
            }
            self.codes.push(code);
            if self.cell_fault.is_some() {
                continue;
            }
            if fault.as_ref().is_some_and(|f| f.row == r) {
                self.cell_fault = fault.take().map(|f| CellFault {
                    row: self.codes.len() - 1,
                    ..f
                });
                continue;
            }
            if self.name_j.is_some() {
                self.names
                    .push(names.get_mut(r).map(std::mem::take).unwrap_or_default());
            }
            for (mine, theirs) in self.group_labels.iter_mut().zip(group_labels.iter_mut()) {
                mine.push(theirs.get_mut(r).map(std::mem::take).unwrap_or_default());
            }
            self.values
                .extend_from_slice(values.get(r * h..(r + 1) * h).unwrap_or_default());
        }
        for (mine, &theirs) in self.has_number.iter_mut().zip(&has_number) {
            *mine |= theirs;
        }
        if let Some(e) = empty_code {
            self.unit_error = Some(e);
        }
    }
}

/// Append up to `want` bytes of `reader` to `buf` (fewer at the end of the input). Returns whether
/// the input ended, or the read error.
fn fill<R: Read>(reader: &mut R, buf: &mut Vec<u8>, want: usize) -> std::io::Result<bool> {
    let target = buf.len() + want;
    let mut chunk = [0u8; 1 << 16];
    while buf.len() < target {
        let room = (target - buf.len()).min(chunk.len());
        match reader.read(chunk.get_mut(..room).unwrap_or_default()) {
            Ok(0) => return Ok(true),
            Ok(n) => buf.extend_from_slice(chunk.get(..n).unwrap_or_default()),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(false)
}

/// A reader that fails with the error it holds (once; then it is at its end).
struct FailWith(Option<std::io::Error>);

impl Read for FailWith {
    fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
        match self.0.take() {
            Some(e) => Err(e),
            None => Ok(0),
        }
    }
}

/// Number of `\n` bytes in `s`.
fn newlines(s: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', s).count()
}

/// End of the header line in `buf` (the first line with a byte other than a line terminator), or
/// `None` if `buf` does not reach its end yet.
fn header_end(buf: &[u8]) -> Option<usize> {
    let start = buf.iter().position(|&c| c != b'\n' && c != b'\r')?;
    let rest = buf.get(start..)?;
    memchr::memchr2(b'\n', b'\r', rest).map(|k| start + k)
}

/// [`super::read_csv`] in blocks of `block` bytes (see the module docs).
pub(super) fn read_csv_blocks<R: Read>(
    mut reader: R,
    options: &CsvOptions,
    source: &str,
    is_file: bool,
    block: usize,
) -> Result<Dataset> {
    let block = block.max(1);
    let mut buf: Vec<u8> = Vec::new();
    let mut eof = false;
    let mut pending_io: Option<std::io::Error> = None;
    let head = loop {
        if let Some(end) = header_end(&buf) {
            break Some(end);
        }
        if eof {
            break None;
        }
        match fill(&mut reader, &mut buf, block) {
            Ok(end) => eof = end,
            Err(e) => {
                // the streaming reader meets the read error where it is
                let rest = Cursor::new(buf).chain(FailWith(Some(e)));
                return read_csv_stream(CsvStream::open(rest, source, is_file)?, options);
            }
        }
    };
    let Some(head) = head else {
        let stream = CsvStream::open(Cursor::new(buf).chain(reader), source, is_file)?;
        return read_csv_stream(stream, options);
    };
    let header_bytes = buf.get(..head).unwrap_or_default();
    if header_bytes.starts_with(b"\xEF\xBB\xBF") || memchr::memchr(b'"', header_bytes).is_some() {
        let stream = CsvStream::open(Cursor::new(buf).chain(reader), source, is_file)?;
        return read_csv_stream(stream, options);
    }
    let header = CsvStream::open(Cursor::new(header_bytes.to_vec()), source, is_file)?;
    let mut line = 1 + newlines(header_bytes);
    buf.drain(..head);
    let (roles, unit_j) = match csv_roles(&header, options) {
        Ok(r) => r,
        // a ragged row or bad UTF-8 further down is reported first, as by a whole-table read
        Err(e) => {
            let mut rest = CsvStream::resume(Cursor::new(buf).chain(reader), &header, line - 1);
            return Err(rest.drain_then(e));
        }
    };
    let mut builder = DatasetBuilder::new(&header, &roles, unit_j, csv_label_hint);
    if !builder.soft.is_empty() {
        let rest = CsvStream::resume(Cursor::new(buf).chain(reader), &header, line - 1);
        return read_dataset(rest, &roles, unit_j, csv_label_hint);
    }
    let parser = BlockParser::of(&builder);
    // the block parsed last, taken by the builder while the next one is parsed
    let mut parsed: Vec<ParsedBlock> = Vec::new();
    loop {
        if !eof && pending_io.is_none() && buf.len() < block {
            let room = block - buf.len();
            match fill(&mut reader, &mut buf, room) {
                Ok(end) => eof = end,
                Err(e) => pending_io = Some(e),
            }
        }
        if let Some(e) = pending_io.take() {
            // the csv reader takes the rest and meets the read error where it is
            parsed.drain(..).for_each(|p| builder.absorb(p));
            let rest = Cursor::new(buf).chain(FailWith(Some(e)));
            return finish_stream(builder, CsvStream::resume(rest, &header, line - 1));
        }
        let cut = if eof {
            buf.len()
        } else {
            match memchr::memrchr2(b'\n', b'\r', &buf) {
                Some(k) => k + 1,
                None => {
                    // a record longer than a block: read on
                    match fill(&mut reader, &mut buf, block) {
                        Ok(end) => eof = end,
                        Err(e) => pending_io = Some(e),
                    }
                    continue;
                }
            }
        };
        let text = buf.get(..cut).unwrap_or_default();
        if memchr::memchr(b'"', text).is_some() {
            // quotes from here on: the csv reader takes the rest of the input
            parsed.drain(..).for_each(|p| builder.absorb(p));
            let rest = Cursor::new(buf).chain(reader);
            return finish_stream(builder, CsvStream::resume(rest, &header, line - 1));
        }
        // two halves, cut at a line terminator near the middle, parsed while the builder takes
        // the block before
        let mid = memchr::memrchr2(b'\n', b'\r', text.get(..cut / 2).unwrap_or_default())
            .map_or(0, |k| k + 1);
        let (a, b) = text.split_at(mid);
        let line_b = line + newlines(a);
        let before = std::mem::take(&mut parsed);
        let ((pa, pb), ()) = rayon::join(
            || {
                rayon::join(
                    || parser.parse_block(a, line),
                    || parser.parse_block(b, line_b),
                )
            },
            || before.into_iter().for_each(|p| builder.absorb(p)),
        );
        line = line_b + newlines(b);
        // a ragged row or bad UTF-8 ends the read whatever the records before it hold
        let (mut pa, mut pb) = (pa, pb);
        if let Some(e) = pa.structural.take().or_else(|| pb.structural.take()) {
            return Err(e);
        }
        parsed = vec![pa, pb];
        buf.drain(..cut);
        if eof && buf.is_empty() {
            parsed.drain(..).for_each(|p| builder.absorb(p));
            return builder.finish();
        }
    }
}

/// The rest of `stream` into `builder`, then the data set ([`read_dataset`] on a builder that
/// has taken the records before).
fn finish_stream<R: Read>(
    mut builder: DatasetBuilder,
    mut stream: CsvStream<R>,
) -> Result<Dataset> {
    while let Some(line) = stream.next_record()? {
        builder.push(line, &stream);
    }
    builder.finish()
}

/// The streaming reader of a plain CSV table whose header `stream` has read.
pub(super) fn read_csv_stream<R: Read>(
    mut stream: CsvStream<R>,
    options: &CsvOptions,
) -> Result<Dataset> {
    match csv_roles(&stream, options) {
        Ok((roles, unit_j)) => read_dataset(stream, &roles, unit_j, csv_label_hint),
        // a ragged row or bad UTF-8 further down is reported first, as by a whole-table read
        Err(e) => Err(stream.drain_then(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A reader of `data` that returns at most `step` bytes per call and fails at byte `fail_at`.
    struct Dribble<'a> {
        data: &'a [u8],
        at: usize,
        step: usize,
        fail_at: Option<usize>,
    }

    impl Read for Dribble<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            if self.fail_at.is_some_and(|f| self.at >= f) {
                return Err(std::io::Error::other("disk on fire"));
            }
            let end = self
                .fail_at
                .unwrap_or(usize::MAX)
                .min(self.data.len())
                .min(self.at.saturating_add(self.step.max(1)))
                .min(self.at + out.len());
            let n = end.saturating_sub(self.at);
            out[..n].copy_from_slice(&self.data[self.at..end]);
            self.at = end;
            Ok(n)
        }
    }

    fn cell() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            6 => (0u32..100_000).prop_map(|m| format!("{}.{:03}", m / 1000, m % 1000).into_bytes()),
            2 => Just(b"".to_vec()),
            2 => Just(b"NA".to_vec()),
            1 => Just(b" -2.5e3 ".to_vec()),
            1 => Just(b"NaN".to_vec()),
            1 => Just(b"abc".to_vec()),
            1 => Just(b"inf".to_vec()),
            1 => Just(b"1e-400".to_vec()),
            1 => Just("\u{e9}t\u{e9}".as_bytes().to_vec()),
            1 => Just(b"\xff".to_vec()),
            1 => Just(b"\"4\"".to_vec()),
            1 => Just(b"\"a,\nb\"".to_vec()),
        ]
    }

    fn code() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            8 => (0u32..40).prop_map(|i| format!("U{i}").into_bytes()),
            1 => Just(b"".to_vec()),
            1 => Just(b" ".to_vec()),
            1 => Just("e\u{301}".as_bytes().to_vec()),
            1 => Just("\u{e9}".as_bytes().to_vec()),
        ]
    }

    fn terminator() -> impl Strategy<Value = &'static [u8]> {
        prop_oneof![
            6 => Just(&b"\n"[..]),
            2 => Just(&b"\r\n"[..]),
            1 => Just(&b"\r"[..]),
            1 => Just(&b"\n\n"[..]),
            1 => Just(&b"\r\n\r\n"[..]),
        ]
    }

    /// A CSV table (`uCode`, maybe `uName`, `g`, two numbers) with the odd cell, line ending,
    /// blank line, ragged row and quote.
    fn table() -> impl Strategy<Value = (Vec<u8>, bool)> {
        let row = (
            code(),
            cell(),
            cell(),
            prop_oneof![40 => Just(0usize), 1 => 1usize..3],
            terminator(),
        );
        let lead = prop_oneof![
            6 => Just(&b""[..]),
            1 => Just(&b"\n"[..]),
            1 => Just(&b"\r\n\r\n"[..]),
            1 => Just(&b"\xEF\xBB\xBF"[..]),
        ];
        (
            lead,
            any::<bool>(),
            any::<bool>(),
            terminator(),
            proptest::collection::vec(row, 0..30),
        )
            .prop_map(|(lead, names, groups, head_end, rows)| {
                let mut t = lead.to_vec();
                if names {
                    t.extend_from_slice(b"uCode,uName,g,x,y");
                } else {
                    t.extend_from_slice(b"uCode,g,x,y");
                }
                t.extend_from_slice(head_end);
                for (i, (c, x, y, ragged, end)) in rows.into_iter().enumerate() {
                    t.extend_from_slice(&c);
                    if names {
                        t.extend_from_slice(if i % 3 == 0 { b"," } else { b",Name" });
                    }
                    t.extend_from_slice(if i % 2 == 0 { b",N," } else { b",S," });
                    t.extend_from_slice(&x);
                    t.push(b',');
                    t.extend_from_slice(&y);
                    match ragged {
                        0 => {}
                        1 => t.extend_from_slice(b",extra"),
                        _ => {
                            // drop the last field
                            while t.last().is_some_and(|&c| c != b',') {
                                t.pop();
                            }
                            t.pop();
                        }
                    }
                    t.extend_from_slice(end);
                }
                (t, groups)
            })
    }

    fn serial(data: &[u8], opts: &CsvOptions, fail_at: Option<usize>) -> Result<Dataset> {
        let r = Dribble {
            data,
            at: 0,
            step: usize::MAX,
            fail_at,
        };
        read_csv_stream(CsvStream::open(r, "t", false)?, opts)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        /// The block reader gives the streaming reader's data set or error, for any block size,
        /// read size and read error.
        #[test]
        fn blocks_equal_the_stream(
            (text, groups) in table(),
            missing_group in proptest::bool::weighted(0.1),
            block in 1usize..80,
            step in 1usize..50,
            fail in proptest::option::weighted(0.2, 0usize..400),
        ) {
            let opts = match (groups, missing_group) {
                (_, true) => CsvOptions::default().with_group_columns(["h"]),
                (true, _) => CsvOptions::default().with_group_columns(["g"]),
                _ => CsvOptions::default(),
            };
            let want = serial(&text, &opts, fail);
            let r = Dribble { data: &text, at: 0, step, fail_at: fail };
            let got = read_csv_blocks(r, &opts, "t", false, block);
            match (&got, &want) {
                (Ok(a), Ok(b)) => prop_assert_eq!(a, b),
                _ => prop_assert_eq!(format!("{got:?}"), format!("{want:?}")),
            }
        }
    }

    #[test]
    fn quotes_later_in_the_input_resume_the_csv_reader() {
        let text = "uCode,x\nA,1\nB,2\n\"C\",3\nD,\"4\"\r\nE,\n";
        for block in [1, 5, 9, 14, 100] {
            let d = read_csv_blocks(text.as_bytes(), &CsvOptions::default(), "t", false, block)
                .unwrap();
            assert_eq!(d.unit_codes(), &["A", "B", "C", "D", "E"]);
            assert_eq!(d.values()[[3, 0]], 4.0);
            assert!(d.values()[[4, 0]].is_nan());
        }
        let e = read_csv_blocks(
            "uCode,x\nA,1\n\n\"B\",2,3\n".as_bytes(),
            &CsvOptions::default(),
            "t",
            false,
            4,
        )
        .unwrap_err();
        assert!(matches!(e, Error::Parse { line: Some(4), .. }), "{e}");
    }
}
