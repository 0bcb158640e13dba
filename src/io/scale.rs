//! Saved normalisation scales: the [`FittedParams`] of every indicator as a JSON array (the serde form
//! of `Vec<FittedParams>`), written by [`scale_to_json`] / [`write_scale_path`] and read back, checked,
//! by [`scale_from_json`] / [`read_scale_path`]. See
//! [`FittedScorer::params`](crate::score::FittedScorer::params) for where the parameters come from.
//!
//! Every number is a finite f64 written in shortest round-trip form, so a scale reads back bit for bit.

use std::path::Path;

use crate::error::{Error, Result};
use crate::normalise::FittedParams;

use super::spec::json_parse_error;
use super::{path_name, read_to_string_path, write_string_path};

/// Parse a saved scale from JSON and [`check`](FittedParams::check) every entry.
///
/// Errors: [`Error::Parse`] (source `"scale JSON"`, with line and column) for syntax errors, unknown
/// fields or methods and wrong types; [`Error::InvalidSpec`] naming the indicator for parameters that
/// fail the check.
///
/// ```
/// use composite_indicators::io::scale_from_json;
/// let text = r#"[{"indicator": "GDP", "direction": 1,
///                 "form": {"method": "min_max", "min": 0.0, "max": 10.0, "lo": 0.0, "hi": 100.0}}]"#;
/// let scale = scale_from_json(text).unwrap();
/// assert_eq!(scale[0].indicator, "GDP");
/// let err = scale_from_json(&text.replace("10.0", "0.0")).unwrap_err();
/// assert!(err.to_string().contains("GDP"), "{err}");
/// let err = scale_from_json("[{\"indicator\": \"GDP\",\n \"unit\": 1}]").unwrap_err();
/// assert!(err.to_string().contains("line 2"), "{err}");
/// ```
pub fn scale_from_json(text: &str) -> Result<Vec<FittedParams>> {
    scale_from_json_named(text, "scale JSON")
}

fn scale_from_json_named(text: &str, source_name: &str) -> Result<Vec<FittedParams>> {
    let scale: Vec<FittedParams> =
        serde_json::from_str(text).map_err(|e| json_parse_error(source_name, e))?;
    for p in &scale {
        p.check()?;
    }
    Ok(scale)
}

/// Write a scale as pretty-printed JSON. Every entry must pass [`FittedParams::check`] (which also
/// guarantees finite numbers, the only ones JSON holds): [`Error::InvalidSpec`] naming the indicator
/// otherwise.
///
/// ```
/// use composite_indicators::io::{scale_from_json, scale_to_json};
/// use composite_indicators::normalise::{FittedForm, FittedParams};
/// use composite_indicators::Direction;
/// let scale = vec![FittedParams::new("GDP", Direction::Negative, FittedForm::FracMax { max: 0.1 + 0.2 })];
/// assert_eq!(scale_from_json(&scale_to_json(&scale).unwrap()).unwrap(), scale);
/// ```
pub fn scale_to_json(scale: &[FittedParams]) -> Result<String> {
    for p in scale {
        p.check()?;
    }
    serde_json::to_string_pretty(scale).map_err(|e| Error::Parse {
        source_name: "scale JSON".into(),
        line: None,
        column: None,
        message: format!("cannot write JSON: {e}"),
    })
}

/// [`scale_from_json`] of a file; errors name the path.
///
/// ```
/// use composite_indicators::io::{read_scale_path, write_scale_path};
/// use composite_indicators::normalise::{FittedForm, FittedParams};
/// use composite_indicators::Direction;
/// let path = std::env::temp_dir().join(format!("ci-read-scale-{}.json", std::process::id()));
/// let scale = vec![FittedParams::new("x", Direction::Positive, FittedForm::Identity {})];
/// write_scale_path(&path, &scale).unwrap();
/// assert_eq!(read_scale_path(&path).unwrap(), scale);
/// std::fs::remove_file(&path).unwrap();
/// let err = read_scale_path(&path).unwrap_err();
/// assert!(err.to_string().contains("ci-read-scale"), "{err}");
/// ```
pub fn read_scale_path(path: impl AsRef<Path>) -> Result<Vec<FittedParams>> {
    let path = path.as_ref();
    scale_from_json_named(&read_to_string_path(path)?, &path_name(path))
}

/// [`scale_to_json`] into a file.
///
/// ```
/// use composite_indicators::io::write_scale_path;
/// use composite_indicators::normalise::{FittedForm, FittedParams};
/// use composite_indicators::Direction;
/// let path = std::env::temp_dir().join(format!("ci-write-scale-{}.json", std::process::id()));
/// let scale = vec![FittedParams::new("x", Direction::Positive, FittedForm::FracMax { max: 2.0 })];
/// write_scale_path(&path, &scale).unwrap();
/// assert!(std::fs::read_to_string(&path).unwrap().contains("\"frac_max\""));
/// std::fs::remove_file(&path).unwrap();
/// ```
pub fn write_scale_path(path: impl AsRef<Path>, scale: &[FittedParams]) -> Result<()> {
    write_string_path(path.as_ref(), &scale_to_json(scale)?)
}
