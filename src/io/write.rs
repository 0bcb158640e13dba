//! CSV writers for tables of numbers (scores, data sets) that read back bit-exactly.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use ndarray::ArrayView2;
use rayon::prelude::*;

use crate::data::Dataset;
use crate::error::{Error, Result};

use super::{path_name, write_atomic};

/// Format a float for CSV so that parsing the text gives back the same bits.
///
/// * NaN -> `""` (an empty field, which every reader of this module reads as missing);
/// * zero -> `0` or `-0`;
/// * `1e-5 <= |v| < 1e16` -> Rust's `{}` (shortest digits that round-trip, no exponent: `0.1`, `42`);
/// * otherwise -> Rust's `{:e}` (shortest round-trip digits with an exponent: `1e308`, `5e-324`);
/// * ±∞ -> `inf` / `-inf` (the writers refuse them before calling this).
///
/// ```
/// use composite_indicators::io::format_f64;
/// assert_eq!(format_f64(0.1 + 0.2), "0.30000000000000004");
/// assert_eq!(format_f64(2.0), "2");
/// assert_eq!(format_f64(1e308), "1e308");
/// assert_eq!(format_f64(-0.0), "-0");
/// assert_eq!(format_f64(f64::NAN), "");
/// assert_eq!(format_f64(5e-324).parse::<f64>().unwrap().to_bits(), 5e-324f64.to_bits());
/// ```
pub fn format_f64(v: f64) -> String {
    let mut s = String::new();
    push_f64(&mut s, v);
    s
}

/// [`format_f64`] appended to `out` (no allocation once `out` has room).
fn push_f64(out: &mut String, v: f64) {
    use std::fmt::Write as _;
    // writing to a String cannot fail
    let _ = if v.is_nan() {
        Ok(())
    } else if v == 0.0 || (1e-5..1e16).contains(&v.abs()) || v.is_infinite() {
        write!(out, "{v}")
    } else {
        write!(out, "{v:e}")
    };
}

fn out_error(target: &str, e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(err) => Error::Io {
            path: target.to_string(),
            source: err,
        },
        other => Error::Parse {
            source_name: target.to_string(),
            line: None,
            column: None,
            message: format!("cannot write CSV: {other:?}"),
        },
    }
}

fn flush_error(target: &str, e: std::io::Error) -> Error {
    Error::Io {
        path: target.to_string(),
        source: e,
    }
}

/// Write a table as CSV: a header `header_first, extra names..., columns...`, then one line per row with
/// the row label, the `extra` text columns and the values formatted by [`format_f64`] (NaN = empty
/// field). Every value reads back bit-exactly with [`read_csv`](super::read_csv) (give the extra
/// columns as `group_columns`). Fields are quoted only when needed.
///
/// Errors: [`Error::ShapeMismatch`] if `values` is not `rows.len() × columns.len()` or an extra column
/// does not have one entry per row; [`Error::DuplicateCode`] for a repeated header name;
/// [`Error::NonFinite`] naming row and column for ±∞ (which no reader accepts); [`Error::Io`]
/// (path `"table output"`) if writing fails.
///
/// ```
/// use composite_indicators::io::{read_csv, write_table, CsvOptions};
/// use ndarray::array;
/// let mut out = Vec::new();
/// write_table(
///     &mut out,
///     "uCode",
///     &["A".into(), "B".into()],
///     &["score".into()],
///     array![[0.1], [f64::NAN]].view(),
///     &[("region".into(), vec!["N".into(), "S, far".into()])],
/// )
/// .unwrap();
/// let text = String::from_utf8(out).unwrap();
/// assert_eq!(text, "uCode,region,score\nA,N,0.1\nB,\"S, far\",\n");
/// let back = read_csv(text.as_bytes(), &CsvOptions::default().with_group_columns(["region"])).unwrap();
/// assert_eq!(back.values()[[0, 0]], 0.1);
/// ```
pub fn write_table<W: Write>(
    w: W,
    header_first: &str,
    rows: &[String],
    columns: &[String],
    values: ArrayView2<'_, f64>,
    extra: &[(String, Vec<String>)],
) -> Result<()> {
    write_table_to(
        w,
        "table output",
        header_first,
        rows,
        columns,
        values,
        extra,
    )
}

fn write_table_to<W: Write>(
    w: W,
    target: &str,
    header_first: &str,
    rows: &[String],
    columns: &[String],
    values: ArrayView2<'_, f64>,
    extra: &[(String, Vec<String>)],
) -> Result<()> {
    if values.nrows() != rows.len() {
        return Err(Error::ShapeMismatch {
            what: "rows of the value matrix vs row labels".into(),
            expected: rows.len(),
            found: values.nrows(),
        });
    }
    if values.ncols() != columns.len() {
        return Err(Error::ShapeMismatch {
            what: "columns of the value matrix vs column names".into(),
            expected: columns.len(),
            found: values.ncols(),
        });
    }
    for (name, labels) in extra {
        if labels.len() != rows.len() {
            return Err(Error::ShapeMismatch {
                what: format!("entries of extra column `{name}` vs rows"),
                expected: rows.len(),
                found: labels.len(),
            });
        }
    }
    let header: Vec<&str> = std::iter::once(header_first)
        .chain(extra.iter().map(|(n, _)| n.as_str()))
        .chain(columns.iter().map(String::as_str))
        .collect();
    let mut seen = HashSet::new();
    for h in &header {
        if !seen.insert(*h) {
            return Err(Error::DuplicateCode {
                code: h.to_string(),
            });
        }
    }
    // `iter` visits the logical row-major order, as `indexed_iter` does, at a fraction of its cost
    if let Some(p) = values.iter().position(|v| v.is_infinite()) {
        let (i, j) = (p / values.ncols().max(1), p % values.ncols().max(1));
        return Err(Error::NonFinite {
            unit: rows.get(i).cloned().unwrap_or_default(),
            indicator: columns.get(j).cloned().unwrap_or_default(),
            value: values.get((i, j)).copied().unwrap_or(f64::INFINITY),
        });
    }
    let mut wtr = csv::WriterBuilder::new().flexible(false).from_writer(w);
    wtr.write_record(&header)
        .map_err(|e| out_error(target, e))?;
    let mut w = wtr
        .into_inner()
        .map_err(|e| flush_error(target, e.into_error()))?;
    // Rows are formatted a block at a time in parallel, each block by its own CSV writer into a
    // buffer, and the buffers written in order: the quoting of a field depends on the field alone,
    // so the bytes are those of one writer going through every row.
    let n = rows.len();
    let batch = WRITE_BLOCK_ROWS * rayon::current_num_threads().max(1);
    let mut b0 = 0;
    while b0 < n {
        let b1 = (b0 + batch).min(n);
        let starts: Vec<usize> = (b0..b1).step_by(WRITE_BLOCK_ROWS).collect();
        let blocks: Vec<Result<Vec<u8>>> = starts
            .into_par_iter()
            .map(|r0| {
                let r1 = (r0 + WRITE_BLOCK_ROWS).min(b1);
                format_rows(target, r0..r1, rows, values, extra)
            })
            .collect();
        for block in blocks {
            w.write_all(&block?).map_err(|e| flush_error(target, e))?;
        }
        b0 = b1;
    }
    w.flush().map_err(|e| flush_error(target, e))
}

/// Rows per block formatted by one task of [`write_table`].
const WRITE_BLOCK_ROWS: usize = 16_384;

/// Rows `range` of a table as CSV records (no header), as [`write_table`] writes them.
fn format_rows(
    target: &str,
    range: std::ops::Range<usize>,
    rows: &[String],
    values: ArrayView2<'_, f64>,
    extra: &[(String, Vec<String>)],
) -> Result<Vec<u8>> {
    let width = 16 * (values.ncols() + extra.len() + 1);
    let mut wtr = csv::WriterBuilder::new()
        .flexible(false)
        .from_writer(Vec::with_capacity(range.len() * width));
    let mut num = String::with_capacity(32);
    for i in range {
        let label = rows.get(i).map(String::as_str).unwrap_or_default();
        wtr.write_field(label).map_err(|e| out_error(target, e))?;
        for (_, labels) in extra {
            let l = labels.get(i).map(String::as_str).unwrap_or_default();
            wtr.write_field(l).map_err(|e| out_error(target, e))?;
        }
        for &v in values.row(i) {
            num.clear();
            push_f64(&mut num, v);
            wtr.write_field(&num).map_err(|e| out_error(target, e))?;
        }
        wtr.write_record(None::<&[u8]>)
            .map_err(|e| out_error(target, e))?;
    }
    wtr.into_inner()
        .map_err(|e| flush_error(target, e.into_error()))
}

/// [`write_table`] to a file; errors name the path.
///
/// ```
/// use composite_indicators::io::write_table_path;
/// use ndarray::array;
/// let p = std::env::temp_dir().join("ci_write_table_doc.csv");
/// write_table_path(&p, "unit", &["A".into()], &["x".into()], array![[1.5]].view(), &[]).unwrap();
/// assert_eq!(std::fs::read_to_string(&p).unwrap(), "unit,x\nA,1.5\n");
/// ```
pub fn write_table_path(
    path: impl AsRef<Path>,
    header_first: &str,
    rows: &[String],
    columns: &[String],
    values: ArrayView2<'_, f64>,
    extra: &[(String, Vec<String>)],
) -> Result<()> {
    let path = path.as_ref();
    write_atomic(path, |f| {
        write_table_to(
            f,
            &path_name(path),
            header_first,
            rows,
            columns,
            values,
            extra,
        )
    })
}

/// Write a [`Dataset`] as CSV: `uCode`, `uName`, the group columns, then the numeric columns. Reading
/// it back with [`read_csv`](super::read_csv) and the group names as `group_columns` gives the same
/// codes, names, groups and bit-identical values (as long as labels have no surrounding whitespace,
/// which the readers trim).
///
/// Errors: [`Error::DuplicateCode`] if a group or column is itself named `uCode` / `uName` or
/// repeated; [`Error::Io`] if writing fails.
///
/// ```
/// use composite_indicators::io::{read_csv, write_dataset, CsvOptions};
/// use composite_indicators::Dataset;
/// use ndarray::array;
/// let d = Dataset::new(vec!["A".into()], vec!["x".into()], array![[1e-300]]).unwrap();
/// let mut out = Vec::new();
/// write_dataset(&mut out, &d).unwrap();
/// assert_eq!(String::from_utf8(out.clone()).unwrap(), "uCode,uName,x\nA,A,1e-300\n");
/// assert_eq!(read_csv(out.as_slice(), &CsvOptions::default()).unwrap(), d);
/// ```
pub fn write_dataset<W: Write>(w: W, data: &Dataset) -> Result<()> {
    write_dataset_to(w, "table output", data)
}

/// [`write_dataset`] to a file; errors name the path.
///
/// ```
/// use composite_indicators::io::{read_csv_path, write_dataset_path, CsvOptions};
/// use composite_indicators::Dataset;
/// use ndarray::array;
/// let d = Dataset::new(vec!["A".into()], vec!["x".into()], array![[2.0]]).unwrap();
/// let p = std::env::temp_dir().join("ci_write_dataset_doc.csv");
/// write_dataset_path(&p, &d).unwrap();
/// assert_eq!(read_csv_path(&p, &CsvOptions::default()).unwrap(), d);
/// ```
pub fn write_dataset_path(path: impl AsRef<Path>, data: &Dataset) -> Result<()> {
    let path = path.as_ref();
    write_atomic(path, |f| write_dataset_to(f, &path_name(path), data))
}

fn write_dataset_to<W: Write>(w: W, target: &str, data: &Dataset) -> Result<()> {
    let mut extra = Vec::with_capacity(data.groups().len() + 1);
    extra.push(("uName".to_string(), data.unit_names().to_vec()));
    extra.extend(data.groups().iter().cloned());
    write_table_to(
        w,
        target,
        "uCode",
        data.unit_codes(),
        data.columns(),
        data.values().view(),
        &extra,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// The one-writer, one-`String`-per-field loop the block writer replaced.
    fn reference(
        rows: &[String],
        columns: &[String],
        values: ArrayView2<'_, f64>,
        extra: &[(String, Vec<String>)],
    ) -> Vec<u8> {
        let mut wtr = csv::WriterBuilder::new()
            .flexible(false)
            .from_writer(Vec::new());
        let header: Vec<&str> = std::iter::once("uCode")
            .chain(extra.iter().map(|(n, _)| n.as_str()))
            .chain(columns.iter().map(String::as_str))
            .collect();
        wtr.write_record(&header).unwrap();
        for (i, (label, vals)) in rows.iter().zip(values.rows()).enumerate() {
            let mut rec = vec![label.clone()];
            for (_, labels) in extra {
                rec.push(labels[i].clone());
            }
            rec.extend(vals.iter().map(|&v| format_f64(v)));
            wtr.write_record(&rec).unwrap();
        }
        wtr.into_inner().unwrap()
    }

    use proptest::prelude::*;

    proptest::proptest! {
        /// Blocks formatted apart and joined give the bytes of one writer over every row
        /// (labels that need quoting, NaN, extremes), whatever the block boundaries.
        #[test]
        fn blocks_join_to_the_one_writer_bytes(
            cells in proptest::collection::vec(
                prop_oneof![
                    any::<f64>().prop_filter("finite or NaN", |v| !v.is_infinite()),
                    Just(f64::NAN),
                    Just(-0.0),
                    Just(1e-5),
                ],
                0..60,
            ),
            labels in proptest::collection::vec("[a-c ,\"\n]{0,4}", 30),
            cut in 0usize..30,
        ) {
            let ncols = 2;
            let n = cells.len() / ncols;
            let values = ndarray::Array2::from_shape_vec((n, ncols), cells[..n * ncols].to_vec()).unwrap();
            let rows: Vec<String> = (0..n).map(|i| format!("U{i}{}", labels[i % 30])).collect();
            let extra = vec![("lab".to_string(), (0..n).map(|i| labels[(i * 7) % 30].clone()).collect::<Vec<_>>())];
            let columns = vec!["x".to_string(), "y".to_string()];
            let mut got = Vec::new();
            write_table(&mut got, "uCode", &rows, &columns, values.view(), &extra).unwrap();
            prop_assert_eq!(&got, &reference(&rows, &columns, values.view(), &extra));
            let cut = cut.min(n);
            let mut joined = format_rows("t", 0..cut, &rows, values.view(), &extra).unwrap();
            joined.extend(format_rows("t", cut..n, &rows, values.view(), &extra).unwrap());
            prop_assert_eq!(joined, format_rows("t", 0..n, &rows, values.view(), &extra).unwrap());
        }
    }

    #[test]
    fn formats() {
        assert_eq!(format_f64(1.0), "1");
        assert_eq!(format_f64(-2.5), "-2.5");
        assert_eq!(format_f64(1e-5), "0.00001");
        assert_eq!(format_f64(9.9e-6), "9.9e-6");
        assert_eq!(format_f64(1e16), "1e16");
        assert_eq!(format_f64(123456789012345.0), "123456789012345");
        assert_eq!(format_f64(f64::MIN_POSITIVE), "2.2250738585072014e-308");
    }

    #[test]
    fn refuses_bad_shapes_and_infinity() {
        let mut out = Vec::new();
        let e = write_table(
            &mut out,
            "u",
            &["A".into()],
            &["x".into()],
            array![[1.0, 2.0]].view(),
            &[],
        )
        .unwrap_err();
        assert!(matches!(
            e,
            Error::ShapeMismatch {
                expected: 1,
                found: 2,
                ..
            }
        ));
        let e = write_table(
            &mut out,
            "u",
            &["A".into()],
            &["x".into()],
            array![[f64::NEG_INFINITY]].view(),
            &[],
        )
        .unwrap_err();
        assert!(
            matches!(e, Error::NonFinite { unit, indicator, .. } if unit == "A" && indicator == "x")
        );
        let e = write_table(
            &mut out,
            "x",
            &["A".into()],
            &["x".into()],
            array![[1.0]].view(),
            &[],
        )
        .unwrap_err();
        assert!(matches!(e, Error::DuplicateCode { code } if code == "x"));
    }
}
