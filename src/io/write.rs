//! CSV writers for tables of numbers (scores, data sets) that read back bit-exactly.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use ndarray::ArrayView2;

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
    if v.is_nan() {
        String::new()
    } else if v == 0.0 || (1e-5..1e16).contains(&v.abs()) || v.is_infinite() {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
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
    for ((i, j), v) in values.indexed_iter() {
        if v.is_infinite() {
            return Err(Error::NonFinite {
                unit: rows.get(i).cloned().unwrap_or_default(),
                indicator: columns.get(j).cloned().unwrap_or_default(),
                value: *v,
            });
        }
    }
    let mut wtr = csv::WriterBuilder::new().flexible(false).from_writer(w);
    wtr.write_record(&header)
        .map_err(|e| out_error(target, e))?;
    let mut rec: Vec<String> = Vec::with_capacity(header.len());
    for (i, (label, vals)) in rows.iter().zip(values.rows()).enumerate() {
        rec.clear();
        rec.push(label.clone());
        for (_, labels) in extra {
            rec.push(labels.get(i).cloned().unwrap_or_default());
        }
        rec.extend(vals.iter().map(|&v| format_f64(v)));
        wtr.write_record(&rec).map_err(|e| out_error(target, e))?;
    }
    wtr.flush().map_err(|e| flush_error(target, e))
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
