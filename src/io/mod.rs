//! Readers and writers: TOML/JSON specs, COINr iMeta/iData CSV, plain CSV, score tables, saved
//! normalisation scales (JSON), and the China Biopharmaceutical City Innovation Index framework table.
//!
//! *Flow:* beside **spec** and **data**: reads them from files, and writes every later result.
//!
//! Every reader takes any [`std::io::Read`] (use `text.as_bytes()` for a `&str`) and has a `*_path`
//! convenience; file errors become [`Error::Io`] naming the path. Every error names
//! the input (`source_name`: the path, or a description such as `"iData CSV"`), the 1-based line (the
//! header is line 1) and the column where that makes sense.
//!
//! # CSV rules shared by all CSV readers
//!
//! * Comma-separated, UTF-8, a header row, quoting as in RFC 4180; surrounding whitespace of headers and
//!   fields is trimmed; fully blank lines are skipped (line numbers still count them).
//! * Every row must have as many fields as the header: a ragged row is an
//!   [`Error::Parse`] naming its line.
//! * Column names must be non-empty and unique ([`Error::Parse`] on line 1).
//! * Numeric cells: an empty field, `NA`, `N/A`, `#N/A` (any case) and any spelling of NaN are
//!   **missing** (stored as `NaN`). Anything `f64::from_str` accepts is a number (`1`, `-2.5`, `1e-3`),
//!   rounded to the nearest `f64`.
//!   `inf` / `Inf` / `-infinity` and literals that overflow (`1e400`) are [`Error::NonFinite`] naming
//!   unit and column (wrapped in [`Error::InFile`] naming the file and line by the `*_path` readers).
//!   A **nonzero** literal that underflows to zero (`1e-400`) is [`Error::Underflow`] naming the input,
//!   line, column and unit, so that it is never silently read as 0; a literal in the subnormal range
//!   (`1e-310`) is kept with its reduced precision. Any other text is [`Error::NonNumeric`] with the
//!   input, line, column and the text; when the column holds no number at all the message adds how to
//!   declare it as a label (group) column.
//! * Unit codes are unique after Unicode normalisation (NFC): `é` as one code point and as `e` plus a
//!   combining accent are the same unit, and a second spelling is [`Error::DuplicateUnit`] naming both
//!   spellings, the input and both lines.
//! * An input without header is [`Error::EmptyData`], and so is a header with
//!   no data row.
//!
//! ```
//! use composite_indicators::io::{read_csv, write_dataset, CsvOptions};
//! let data = read_csv("uCode,x,y\nA,1,NA\nB,2.5,3\n".as_bytes(), &CsvOptions::default()).unwrap();
//! assert!(data.column("y").unwrap()[0].is_nan());
//! let mut out = Vec::new();
//! write_dataset(&mut out, &data).unwrap();
//! let again = read_csv(out.as_slice(), &CsvOptions::default()).unwrap();
//! assert_eq!(again.column("x").unwrap()[1], 2.5);
//! ```

use std::path::Path;

use crate::error::{Error, Result};

mod atomic;
mod coinr;
mod coinr_panel;
mod csv_data;
pub mod datasets;
mod paths;
mod report;
mod scale;
mod spec;
mod table;
mod write;

pub use atomic::{OutputBatch, check_output_path, remove_unfinished_outputs, write_atomic};
pub use coinr::{IMeta, read_idata, read_idata_path, read_imeta, read_imeta_path};
pub use coinr_panel::{read_idata_panel, read_idata_panel_path};
pub use csv_data::{CsvOptions, read_csv, read_csv_path};
pub use paths::check_output_paths;
pub use report::{
    Cell, RankColumns, ScoreTableOptions, Table, TableFormat, UnitNames, audit_tables,
    describe_table, matrix_table, score_table, score_table_columns, sobol_table, ua_table,
    ua_table_with_resolution,
};
pub use scale::{read_scale_path, scale_from_json, scale_to_json, write_scale_path};
pub use spec::{read_spec, spec_from_json, spec_from_toml, spec_to_json, spec_to_toml, write_spec};
pub use write::{format_f64, write_dataset, write_dataset_path, write_table, write_table_path};

/// The display form of a path, used as `source_name` in errors.
pub(crate) fn path_name(path: &Path) -> String {
    path.display().to_string()
}

/// Open a file for reading, mapping failure to [`Error::Io`] naming the path.
pub(crate) fn open_path(path: &Path) -> Result<std::fs::File> {
    std::fs::File::open(path).map_err(|e| Error::Io {
        path: path_name(path),
        source: e,
    })
}

/// Read a whole file as UTF-8, mapping failure to [`Error::Io`] naming the path.
pub(crate) fn read_to_string_path(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::Io {
        path: path_name(path),
        source: e,
    })
}

/// Write a whole file atomically (see [`write_atomic`]), mapping failure to [`Error::Io`] naming the
/// path.
pub(crate) fn write_string_path(path: &Path, text: &str) -> Result<()> {
    write_atomic(path, |w| {
        w.write_all(text.as_bytes()).map_err(|e| Error::Io {
            path: path_name(path),
            source: e,
        })
    })
}
