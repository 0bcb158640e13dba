//! The data readers stream their input: values and errors (with their lines) do not depend on how the
//! input arrives, errors keep the whole-table reader's order, and the heap used while reading stays
//! within about twice the `f64` matrix.

use std::io::Read;
use std::sync::atomic::Ordering;

use composite_indicators::io::{
    CsvOptions, IMeta, read_csv, read_csv_path, read_idata, read_idata_panel, read_imeta,
};
use composite_indicators::{Dataset, Error};

#[path = "common/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::{LIVE, PEAK, serial};

/// Hands out its bytes `chunk` at a time, so that records, blank lines and `\r\n` pairs straddle the
/// reads in every possible way.
struct Trickle<'a> {
    bytes: &'a [u8],
    chunk: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.chunk.min(buf.len()).min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

fn csv_in_chunks(text: &str, chunk: usize) -> composite_indicators::Result<Dataset> {
    read_csv(
        Trickle {
            bytes: text.as_bytes(),
            chunk,
        },
        &CsvOptions::default(),
    )
}

/// The line an error names, if any.
fn line_of(e: &Error) -> Option<usize> {
    match e {
        Error::Parse { line, .. } | Error::DuplicateUnit { line, .. } => *line,
        Error::NonNumeric { line, .. } | Error::Underflow { line, .. } => Some(*line),
        Error::InFile { line, .. } => Some(*line),
        _ => None,
    }
}

/// Every test holds this lock: the heap test measures a process-wide peak.
/// A table of `rows` rows with blank lines, CRLF and LF endings mixed, quoted fields holding line
/// breaks, and the line of every data row.
fn messy_table(rows: usize) -> (String, Vec<usize>) {
    let mut text = String::from("uCode,label,x,y\r\n");
    let mut line = 2;
    let mut lines = Vec::new();
    for i in 0..rows {
        if i % 7 == 3 {
            text.push_str("\r\n\n");
            line += 2;
        }
        lines.push(line);
        if i % 11 == 5 {
            // a quoted label with a line break inside: the record spans two lines
            text.push_str(&format!("U{i},\"two\nlines\",{i}.5,-{i}e-3\n"));
            line += 2;
        } else {
            let end = if i % 2 == 0 { "\r\n" } else { "\n" };
            text.push_str(&format!("U{i}, lab{i} ,{i}.25 , NA{end}"));
            line += 1;
        }
    }
    (text, lines)
}

#[test]
fn values_do_not_depend_on_how_the_input_arrives() {
    let _g = serial();
    let (text, _) = messy_table(500);
    let opts = CsvOptions::default().with_group_columns(["label"]);
    let whole = read_csv(text.as_bytes(), &opts).unwrap();
    assert_eq!(whole.n_units(), 500);
    assert_eq!(whole.columns(), &["x".to_string(), "y".to_string()]);
    assert_eq!(whole.values()[[7, 0]], 7.25);
    assert!(whole.values()[[7, 1]].is_nan());
    assert_eq!(whole.values()[[5, 1]], -5e-3);
    assert_eq!(whole.group("label").unwrap()[5], "two\nlines");
    assert_eq!(whole.group("label").unwrap()[6], "lab6");
    for chunk in [1, 2, 3, 5, 64, 4096] {
        let d = read_csv(
            Trickle {
                bytes: text.as_bytes(),
                chunk,
            },
            &opts,
        )
        .unwrap();
        assert_eq!(d, whole, "chunk {chunk}");
    }
}

#[test]
fn error_lines_are_exact_past_blank_lines_crlf_and_read_boundaries() {
    let _g = serial();
    let (text, lines) = messy_table(3000);
    // a bad value in the last row, far beyond the reader's 64 KiB buffer
    let bad = text.replace("U2999, lab2999 ,2999.25", "U2999, lab2999 ,oops");
    for chunk in [1, 3, 1000, 1 << 20] {
        let opts = CsvOptions::default().with_group_columns(["label"]);
        let e = read_csv(
            Trickle {
                bytes: bad.as_bytes(),
                chunk,
            },
            &opts,
        )
        .unwrap_err();
        assert!(
            matches!(&e, Error::NonNumeric { line, column, value, .. }
                if *line == lines[2999] && column == "x" && value == "oops"),
            "chunk {chunk}: {e}"
        );
    }
    // a ragged row: the csv layer's error, with the same line rule
    let ragged = text.replace("U1500, lab1500 ,1500.25 , NA", "U1500, lab1500 ,1500.25");
    let e = csv_in_chunks(&ragged, 7).unwrap_err();
    assert_eq!(line_of(&e), Some(lines[1500]), "{e}");
    // a repeated unit names both lines
    let dup = text.replace("U2000,", "U10,");
    let e = csv_in_chunks(&dup, 13).unwrap_err();
    assert!(
        matches!(&e, Error::DuplicateUnit { line, first_line, .. }
            if *line == Some(lines[2000]) && *first_line == Some(lines[10])),
        "{e}"
    );
}

#[test]
fn errors_keep_the_whole_table_order() {
    let _g = serial();
    // a structural error anywhere beats a bad value earlier in the file
    let e = read_csv(
        "uCode,x\nA,oops\nB,2\nC,3,4\n".as_bytes(),
        &CsvOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, Error::Parse { line: Some(4), .. }), "{e}");
    // ... and a missing requested column
    let e = read_csv(
        "uCode,x\nA,1\nB,2,3\n".as_bytes(),
        &CsvOptions::default().with_group_columns(["region"]),
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Parse {
                line: Some(3),
                column: None,
                ..
            }
        ),
        "{e}"
    );
    // a unit-code error anywhere beats a bad value earlier in the file
    let e = read_csv(
        "uCode,x\nA,oops\nB,2\nA,3\n".as_bytes(),
        &CsvOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            Error::DuplicateUnit {
                line: Some(4),
                first_line: Some(2),
                ..
            }
        ),
        "{e}"
    );
    let e = read_csv("uCode,x\nA,oops\n,2\n".as_bytes(), &CsvOptions::default()).unwrap_err();
    assert!(matches!(e, Error::Parse { line: Some(3), .. }), "{e}");
    // values: the first bad cell in row-major order
    let e = read_csv(
        "uCode,x,y\nA,1,inf\nB,oops,2\n".as_bytes(),
        &CsvOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(e, Error::NonFinite { ref indicator, .. } if indicator == "y"),
        "{e}"
    );
}

#[test]
fn label_hint_looks_at_the_whole_column() {
    let _g = serial();
    // the column holds a number after the bad cell: no hint
    let e = read_csv("uCode,x\nA,oops\nB,2\n".as_bytes(), &CsvOptions::default()).unwrap_err();
    assert!(
        matches!(&e, Error::NonNumeric { hint, .. } if hint.is_empty()),
        "{e}"
    );
    // no number anywhere: the hint
    let e = read_csv(
        "uCode,x\nA,NA\nB,north\nC,south\n".as_bytes(),
        &CsvOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(&e, Error::NonNumeric { line: 3, hint, .. } if hint.contains("with_group_columns")),
        "{e}"
    );
}

fn meta_with_other() -> IMeta {
    read_imeta(
        "iCode,Direction,Weight,Parent,Type\nx,1,1,I,Indicator\nI,1,1,,Aggregate\n\
         o,,,,Other\nreg,,,,Group\n"
            .as_bytes(),
    )
    .unwrap()
}

#[test]
fn idata_other_columns_are_decided_on_the_whole_column() {
    let _g = serial();
    let m = meta_with_other();
    // `o` is numeric (every cell is a number or missing): kept in header order among the numbers
    let d = read_idata("uCode,o,reg,x\nA,1,N,2\nB,NA,S,3\n".as_bytes(), &m).unwrap();
    assert_eq!(d.columns(), &["o".to_string(), "x".to_string()]);
    assert_eq!(d.values()[[1, 1]], 3.0);
    assert!(d.values()[[1, 0]].is_nan());
    assert_eq!(d.group("reg").unwrap(), &["N".to_string(), "S".to_string()]);
    // a text cell in the last row makes `o` a label column, groups in header order
    let d = read_idata("uCode,o,reg,x\nA,1,N,2\nB,t,S,3\n".as_bytes(), &m).unwrap();
    assert_eq!(d.columns(), &["x".to_string()]);
    let groups: Vec<&str> = d.groups().iter().map(|(g, _)| g.as_str()).collect();
    assert_eq!(groups, vec!["o", "reg"]);
    // an underflow in a numeric `o` on line 2 comes before a bad `x` on line 3
    let e = read_idata("uCode,o,reg,x\nA,1e-400,N,2\nB,1,S,oops\n".as_bytes(), &m).unwrap_err();
    assert!(
        matches!(e, Error::Underflow { line: 2, ref column, .. } if column == "o"),
        "{e}"
    );
    // ... and after a bad `x` on the same line further left
    let e = read_idata("uCode,x,o,reg\nA,oops,1e-400,N\n".as_bytes(), &m).unwrap_err();
    assert!(
        matches!(e, Error::NonNumeric { line: 2, ref column, .. } if column == "x"),
        "{e}"
    );
    // a missing uCode column is reported after a ragged row further down
    let e = read_idata("id,x,o,reg\nA,1,1,N\nB,1\n".as_bytes(), &m).unwrap_err();
    assert!(matches!(e, Error::Parse { line: Some(3), .. }), "{e}");
}

#[test]
fn panel_errors_keep_their_order() {
    let _g = serial();
    let m = meta_with_other();
    // ragged row beats a missing Time column
    let e = read_idata_panel("uCode,x,o,reg\nA,1,1,N\nB,1\n".as_bytes(), &m).unwrap_err();
    assert!(matches!(e, Error::Parse { line: Some(3), .. }), "{e}");
    // a header without rows is "no rows" even when Time is missing
    let e = read_idata_panel("uCode,x,o,reg\n".as_bytes(), &m).unwrap_err();
    assert!(matches!(e, Error::EmptyData { .. }), "{e}");
    // a row error (second row for a unit and time) beats a bad value earlier
    let e = read_idata_panel(
        "uCode,Time,x,o,reg\nA,2020,oops,1,N\nA,2020,2,1,N\n".as_bytes(),
        &m,
    )
    .unwrap_err();
    assert!(matches!(e, Error::Parse { line: Some(3), .. }), "{e}");
    // values of each period, in file order, chunked input
    let text = "uCode,Time,x,o,reg\r\nA,2021,3,1,N\r\n\r\nA,2020,1,1,N\nB,2020,NA,2,S\n";
    let p = read_idata_panel(
        Trickle {
            bytes: text.as_bytes(),
            chunk: 2,
        },
        &m,
    )
    .unwrap();
    assert_eq!(p.times(), vec![2020.0, 2021.0]);
    let y2020 = p.period(2020.0).unwrap();
    assert_eq!(y2020.unit_codes(), &["A".to_string(), "B".to_string()]);
    assert_eq!(y2020.columns(), &["x".to_string(), "o".to_string()]);
    assert_eq!(y2020.values()[[1, 1]], 2.0);
    let e = read_idata_panel(
        Trickle {
            bytes: "uCode,Time,x,o,reg\r\nA,2021,3,1,N\r\n\r\nA,2020,z,1,N\n".as_bytes(),
            chunk: 3,
        },
        &m,
    )
    .unwrap_err();
    assert!(matches!(e, Error::NonNumeric { line: 4, .. }), "{e}");
}

/// A synthetic `units × cols` table as the scale example writes it.
fn synthetic(units: usize, cols: usize) -> String {
    let mut text = String::from("uCode");
    for j in 0..cols {
        text.push_str(&format!(",x{j}"));
    }
    text.push('\n');
    for i in 0..units {
        text.push_str(&format!("U{i:07}"));
        for j in 0..cols {
            let milli = (i * 7919 + j * 104_729) % 1_000_000;
            text.push_str(&format!(",{}.{:03}", milli / 1000, milli % 1000));
        }
        text.push('\n');
    }
    text
}

#[test]
fn reading_costs_about_the_matrix_not_the_file() {
    let _g = serial();
    let (units, cols) = (20_000, 50);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    std::fs::write(&path, synthetic(units, cols)).unwrap();
    let csv_bytes = std::fs::metadata(&path).unwrap().len() as usize;

    let before = LIVE.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    let d = read_csv_path(&path, &CsvOptions::default()).unwrap();
    let peak = PEAK.load(Ordering::SeqCst) - before;

    assert_eq!(d.values().dim(), (units, cols));
    // row 3, column 2: (3 · 7919 + 2 · 104729) mod 10^6 = 233215 thousandths
    assert_eq!(d.values()[[3, 2]], 233.215);
    let matrix = units * cols * 8;
    // the matrix (at most twice, while its buffer grows), plus unit codes and their index
    let bound = 2 * matrix + units * 160;
    assert!(
        peak <= bound,
        "peak heap {peak} B > {bound} B (matrix {matrix} B, CSV {csv_bytes} B)"
    );
    // the whole-table reader needed the file, a byte map of it and a String per field
    assert!(peak < csv_bytes * 2, "peak {peak} B vs CSV {csv_bytes} B");
}
