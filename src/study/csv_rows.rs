//! Small CSV writer shared by the study tables: a header and rows of already formatted cells.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};
use crate::io::write_atomic;

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

/// Write `header` and `rows` as CSV to `w`; `target` names the output in errors.
pub(crate) fn write_rows<W: Write>(
    w: W,
    target: &str,
    header: &[String],
    rows: &[Vec<String>],
) -> Result<()> {
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

/// [`write_rows`] into a string.
pub(crate) fn rows_to_string(header: &[String], rows: &[Vec<String>]) -> Result<String> {
    let mut buf = Vec::new();
    write_rows(&mut buf, "CSV string", header, rows)?;
    String::from_utf8(buf).map_err(|e| Error::Parse {
        source_name: "CSV string".into(),
        line: None,
        column: None,
        message: e.to_string(),
    })
}

/// [`write_rows`] into a file, atomically.
pub(crate) fn write_rows_path(path: &Path, header: &[String], rows: &[Vec<String>]) -> Result<()> {
    let target = path.display().to_string();
    write_atomic(path, |w| write_rows(w, &target, header, rows))
}
