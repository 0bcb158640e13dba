//! COINr's panel `iData`: the `iData` table with a `Time` column and one row per unit and time point
//! (COINr `new_coin(iData, iMeta, split_to = "all")`, which makes a purse, one coin per `Time`).

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};
use crate::study::purse::{PanelData, time_label};

use super::coinr::{IMeta, idata_roles, require_idata_columns};
use super::csv_data::{ColumnRole, DatasetBuilder};
use super::table::{CsvStream, is_missing_token, no_rows};
use super::{open_path, path_name};

/// Read COINr's panel `iData` CSV (e.g. `ASEM_iData_p`) into a [`PanelData`], one period per
/// distinct `Time`, using the `iMeta` read by [`read_imeta`](super::read_imeta).
///
/// * `uCode` and `Time` are required; `Time` must be a finite number in every row (COINr requires a
///   numeric time index).
/// * Each period's rows become one [`Dataset`](crate::Dataset) with the rules of
///   [`read_idata`](super::read_idata) (unit codes, `uName`, declared groups, numeric columns, missing
///   values), in file order, without the `Time` column (the period carries it).
/// * A unit may be absent from some periods (COINr allows it); [`PanelData::absent`] lists those
///   pairs and [`PanelData::require_balanced`] rejects them. Nothing is dropped.
///
/// # Errors
/// (`source_name` `"panel iData CSV"`; [`read_idata_panel_path`] names the file.) [`Error::Parse`]
/// naming the line for a missing `uCode` or `Time` column (line 1), an empty unit code, a missing or
/// non-numeric `Time`, and a second row for the same unit and time (naming the first row's line too);
/// [`Error::Parse`] at the header line listing every iMeta column absent from the header (as
/// [`read_idata`](super::read_idata)); the cell errors of
/// [`read_idata`](super::read_idata) ([`Error::NonNumeric`], [`Error::NonFinite`]); [`Error::EmptyData`]
/// for an empty input or a header without rows.
///
/// ```
/// use composite_indicators::io::{read_idata_panel, read_imeta};
/// let meta = read_imeta(
///     "iCode,Direction,Weight,Parent,Type\nx,1,1,I,Indicator\nI,1,1,,Aggregate\n".as_bytes(),
/// )?;
/// let text = "uCode,Time,x\nA,2021,3\nA,2020,1\nB,2020,NA\n";
/// let panel = read_idata_panel(text.as_bytes(), &meta)?;
/// assert_eq!(panel.times(), vec![2020.0, 2021.0]);
/// assert_eq!(panel.period(2020.0)?.n_units(), 2);
/// assert_eq!(panel.period(2020.0)?.columns(), &["x".to_string()]);
/// assert_eq!(panel.absent()[0].unit, "B"); // B has no 2021 row
/// let dup = read_idata_panel("uCode,Time,x\nA,2020,1\nA,2020,2\n".as_bytes(), &meta);
/// assert!(dup.unwrap_err().to_string().contains("line 3"));
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn read_idata_panel<R: Read>(reader: R, meta: &IMeta) -> Result<PanelData> {
    read_named(reader, meta, "panel iData CSV", false)
}

/// [`read_idata_panel`] on a file; errors name the path.
///
/// # Errors
/// As [`read_idata_panel`], and [`Error::Io`] when the file cannot be read.
///
/// ```
/// use composite_indicators::io::{read_idata_panel_path, read_imeta_path};
/// let meta = read_imeta_path("data/asem/iMeta.csv")?;
/// let panel = read_idata_panel_path("data/asem/iData_p.csv", &meta)?;
/// assert_eq!(panel.times().len(), 5);
/// assert!(panel.require_balanced().is_ok());
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn read_idata_panel_path(path: impl AsRef<Path>, meta: &IMeta) -> Result<PanelData> {
    let path = path.as_ref();
    read_named(open_path(path)?, meta, &path_name(path), true)
}

fn read_named<R: Read>(reader: R, meta: &IMeta, source: &str, is_file: bool) -> Result<PanelData> {
    let mut s = CsvStream::open(reader, source, is_file)?;
    let header = (|| {
        let unit_j = s
            .position("uCode")
            .ok_or_else(|| s.missing_column("uCode"))?;
        let time_j = s.position("Time").ok_or_else(|| s.missing_column("Time"))?;
        require_idata_columns(&s, meta)?;
        Ok((unit_j, time_j))
    })();
    let (unit_j, time_j) = match header {
        Ok(cols) => cols,
        Err(e) => {
            // as a whole-table read: structural errors first, then "no rows", then the header's
            s.drain()?;
            return Err(if s.records == 0 {
                no_rows(&s.source)
            } else {
                e
            });
        }
    };
    // the period carries `Time`: every other column is read as by `read_idata`
    let name_j = s.position("uName");
    let mut roles = idata_roles(&s.headers, meta, Some(unit_j), name_j);
    if let Some(r) = roles.get_mut(time_j) {
        *r = ColumnRole::Skip;
    }

    // times, and one row per (unit, time); a row error stops the reading of values, not of the input
    let mut seen: HashMap<(String, u64), usize> = HashMap::new();
    let mut by_time: Vec<(f64, DatasetBuilder)> = Vec::new();
    let mut row_error: Option<Error> = None;
    while let Some(line) = s.next_record()? {
        if row_error.is_some() {
            continue;
        }
        match panel_row(&s, line, unit_j, time_j, &mut seen) {
            Ok(time) => {
                let k = match by_time.iter().position(|(tt, _)| *tt == time) {
                    Some(k) => k,
                    None => {
                        let b =
                            DatasetBuilder::new(&s, &roles, unit_j, super::coinr::idata_label_hint);
                        by_time.push((time, b));
                        by_time.len() - 1
                    }
                };
                if let Some((_, b)) = by_time.get_mut(k) {
                    b.push(line, &s);
                }
            }
            Err(e) => row_error = Some(e),
        }
    }
    if s.records == 0 {
        return Err(no_rows(&s.source));
    }
    if let Some(e) = row_error {
        return Err(e);
    }
    let mut periods = Vec::with_capacity(by_time.len());
    for (time, builder) in by_time {
        periods.push((time, builder.finish()?));
    }
    PanelData::new(periods)
}

/// Check the current record of a panel: a unit code, a finite `Time`, no second row for the same unit
/// and time. Returns the time.
fn panel_row<R: Read>(
    s: &CsvStream<R>,
    line: usize,
    unit_j: usize,
    time_j: usize,
    seen: &mut HashMap<(String, u64), usize>,
) -> Result<f64> {
    let code = s.field(unit_j);
    if code.is_empty() {
        return Err(s.cell_error(line, unit_j, "empty unit code"));
    }
    let text = s.field(time_j);
    if is_missing_token(text) {
        return Err(s.cell_error(line, time_j, format!("unit `{code}` has no Time")));
    }
    let time = match text.parse::<f64>() {
        Ok(v) if v.is_finite() => v,
        _ => {
            return Err(s.cell_error(
                line,
                time_j,
                format!("Time of unit `{code}` is `{text}`; expected a finite number"),
            ));
        }
    };
    // +0.0 for −0.0, so that both spellings of zero are one period
    let key = (code.to_string(), (time + 0.0).to_bits());
    if let Some(first) = seen.insert(key, line) {
        return Err(s.cell_error(
            line,
            unit_j,
            format!(
                "unit `{code}` has a second row for Time {} (the first is on line {first})",
                time_label(time)
            ),
        ));
    }
    Ok(time)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn meta() -> IMeta {
        super::super::read_imeta(
            "iCode,Direction,Weight,Parent,Type\nx,1,1,I,Indicator\nI,1,1,,Aggregate\nreg,,,,Group\n"
                .as_bytes(),
        )
        .unwrap()
    }

    #[test]
    fn bad_rows_name_line_and_column() {
        let cases = [
            ("uCode,Time,x,reg\nA,,1,N\n", 2, "Time"),
            ("uCode,Time,x,reg\nA,2020,1,N\nB,soon,1,N\n", 3, "Time"),
            ("uCode,Time,x,reg\nA,2020,1,N\nA,2020,2,N\n", 3, "uCode"),
            ("uCode,Time,x,reg\n,2020,1,N\n", 2, "uCode"),
        ];
        for (text, want_line, want_col) in cases {
            match read_idata_panel(text.as_bytes(), &meta()).unwrap_err() {
                Error::Parse { line, column, .. } => {
                    assert_eq!(line, Some(want_line), "{text}");
                    assert_eq!(column.as_deref(), Some(want_col), "{text}");
                }
                other => panic!("{text}: {other}"),
            }
        }
    }

    #[test]
    fn missing_columns_and_cell_errors() {
        let e = read_idata_panel("uCode,x,reg\nA,1,N\n".as_bytes(), &meta()).unwrap_err();
        assert!(matches!(e, Error::Parse { ref column, .. } if column.as_deref() == Some("Time")));
        let e = read_idata_panel("uCode,Time,reg\nA,1,N\n".as_bytes(), &meta()).unwrap_err();
        assert!(
            matches!(e, Error::Parse { ref column, .. } if column.as_deref() == Some("x")),
            "{e}"
        );
        assert!(e.to_string().contains("no column for `x`"), "{e}");
        let e = read_idata_panel("uCode,Time,x,reg\nA,1,abc,N\n".as_bytes(), &meta()).unwrap_err();
        assert!(matches!(e, Error::NonNumeric { .. }), "{e}");
        let e = read_idata_panel("uCode,Time,x,reg\n".as_bytes(), &meta()).unwrap_err();
        assert!(matches!(e, Error::EmptyData { .. }), "{e}");
    }

    #[test]
    fn groups_and_names_per_period() {
        let text = "uCode,uName,Time,x,reg\nA,Aa,2020,1,N\nA,Aa,2021,2,S\n";
        let p = read_idata_panel(text.as_bytes(), &meta()).unwrap();
        assert_eq!(p.period(2021.0).unwrap().group("reg").unwrap(), &["S"]);
        assert_eq!(p.period(2020.0).unwrap().unit_names(), &["Aa"]);
        assert_eq!(p.period(2021.0).unwrap().values()[[0, 0]], 2.0);
    }
}
