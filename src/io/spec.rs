//! Framework specs as TOML or JSON (serde of [`FrameworkSpec`]), and [`read_spec`] / [`write_spec`] by
//! file extension.
//!
//! The format is the serde form of [`FrameworkSpec`]: a `name`, an `indicators` array and a `pillars`
//! array; unknown fields are rejected. Writing then reading gives back exactly the same spec (floats
//! are written in shortest round-trip form by both `toml` and `serde_json`).
//!
//! Non-finite numbers: TOML can hold `nan` / `inf` and keeps them; JSON cannot (serde_json would write
//! `null`), so [`spec_to_json`] refuses a spec holding a non-finite number with
//! [`Error::InvalidSpec`] naming the node rather than write something that does not read back.

use std::path::Path;

use crate::aggregate::AggregatorKind;
use crate::error::{Error, Expected, Result};
use crate::spec::FrameworkSpec;

use super::{coinr, open_path, path_name, read_to_string_path, write_string_path};

/// 1-based line of byte offset `pos` in `text`.
fn line_of(text: &str, pos: usize) -> usize {
    let end = pos.min(text.len());
    text.as_bytes()
        .get(..end)
        .map(|b| b.iter().filter(|&&c| c == b'\n').count())
        .unwrap_or(0)
        + 1
}

/// 1-based character column of byte offset `pos` in `text`.
fn column_of(text: &str, pos: usize) -> usize {
    let end = pos.min(text.len());
    let start = text
        .as_bytes()
        .get(..end)
        .and_then(|b| b.iter().rposition(|&c| c == b'\n'))
        .map(|p| p + 1)
        .unwrap_or(0);
    text.get(start..end).map(|s| s.chars().count()).unwrap_or(0) + 1
}

fn toml_parse_error(text: &str, source_name: &str, e: toml::de::Error) -> Error {
    let (line, message) = match e.span() {
        Some(span) => (
            Some(line_of(text, span.start)),
            format!(
                "{} (at column {})",
                e.message().trim_end(),
                column_of(text, span.start)
            ),
        ),
        None => (None, e.message().trim_end().to_string()),
    };
    Error::Parse {
        source_name: source_name.to_string(),
        line,
        column: None,
        message,
    }
}

pub(super) fn json_parse_error(source_name: &str, e: serde_json::Error) -> Error {
    let line = (e.line() > 0).then_some(e.line());
    // serde_json's Display appends " at line L column C"; keep only the message and add the column.
    let full = e.to_string();
    let msg = match full.rfind(" at line ") {
        Some(p) => full.get(..p).unwrap_or(&full).to_string(),
        None => full.clone(),
    };
    let message = if e.column() > 0 {
        format!("{msg} (at column {})", e.column())
    } else {
        msg
    };
    Error::Parse {
        source_name: source_name.to_string(),
        line,
        column: None,
        message,
    }
}

/// Parse a spec from TOML text.
///
/// Errors: [`Error::Parse`] with `source_name` `"spec TOML"`, the 1-based line of the offending token
/// (from the parser's byte span) and the column in the message, for syntax errors, unknown fields, bad
/// types or a direction other than `1` / `-1`.
///
/// ```
/// use composite_indicators::io::spec_from_toml;
/// let spec = spec_from_toml(
///     r#"
/// name = "toy"
/// [[indicators]]
/// code = "a"
/// parent = "Index"
/// direction = -1
/// [[pillars]]
/// code = "Index"
/// "#,
/// )
/// .unwrap();
/// assert_eq!(spec.indicators[0].direction.sign(), -1.0);
/// assert_eq!(spec.pillars[0].weight, 1.0);
///
/// let err = spec_from_toml("name = \"x\"\nbogus = 1\n").unwrap_err();
/// assert!(err.to_string().contains("line 2"), "{err}");
/// ```
pub fn spec_from_toml(text: &str) -> Result<FrameworkSpec> {
    spec_from_toml_named(text, "spec TOML")
}

pub(crate) fn spec_from_toml_named(text: &str, source_name: &str) -> Result<FrameworkSpec> {
    toml::from_str(text).map_err(|e| toml_parse_error(text, source_name, e))
}

/// Write a spec as TOML (`[[indicators]]` and `[[pillars]]` arrays of tables).
///
/// [`spec_from_toml`] of the result equals the input exactly (finite floats are written in shortest
/// round-trip form; NaN and infinities are kept as TOML `nan` / `inf`).
///
/// Errors: [`Error::Parse`] with `source_name` `"spec TOML"` if the serializer fails (not expected for
/// any [`FrameworkSpec`]).
///
/// ```
/// use composite_indicators::io::{spec_from_toml, spec_to_toml};
/// use composite_indicators::{FrameworkSpec, Indicator, Pillar};
/// let spec = FrameworkSpec::new(
///     "toy",
///     vec![Indicator::new("a", "I").with_weight(0.1 + 0.2)],
///     vec![Pillar::new("I")],
/// );
/// let text = spec_to_toml(&spec).unwrap();
/// assert_eq!(spec_from_toml(&text).unwrap(), spec);
/// ```
pub fn spec_to_toml(spec: &FrameworkSpec) -> Result<String> {
    toml::to_string(spec).map_err(|e| Error::Parse {
        source_name: "spec TOML".into(),
        line: None,
        column: None,
        message: format!("cannot write TOML: {e}"),
    })
}

/// Parse a spec from JSON text.
///
/// Errors: [`Error::Parse`] with `source_name` `"spec JSON"`, the 1-based line and (in the message) the
/// column reported by `serde_json`, for syntax errors, unknown fields, bad types or bad directions.
///
/// ```
/// use composite_indicators::io::spec_from_json;
/// let spec = spec_from_json(
///     r#"{"name": "toy",
///         "indicators": [{"code": "a", "parent": "I", "weight": 2.5}],
///         "pillars": [{"code": "I"}]}"#,
/// )
/// .unwrap();
/// assert_eq!(spec.indicators[0].weight, 2.5);
/// let err = spec_from_json("{\n \"name\": 3\n}").unwrap_err();
/// assert!(err.to_string().contains("line 2"), "{err}");
/// ```
pub fn spec_from_json(text: &str) -> Result<FrameworkSpec> {
    spec_from_json_named(text, "spec JSON")
}

pub(crate) fn spec_from_json_named(text: &str, source_name: &str) -> Result<FrameworkSpec> {
    // Pass 1: serde_json checks syntax and structure and gives errors with line and column.
    let checked: FrameworkSpec =
        serde_json::from_str(text).map_err(|e| json_parse_error(source_name, e))?;
    // Pass 2: serde_json without its `float_roundtrip` feature may be one ulp off for some decimal
    // literals, so numbers are re-read with Rust's correctly rounded `f64::from_str`.
    match exact_json::parse(text) {
        Some(value) => serde_json::from_value(value).map_err(|e| Error::Parse {
            source_name: source_name.to_string(),
            line: None,
            column: None,
            message: e.to_string(),
        }),
        // not expected once pass 1 accepted the text; keep its result rather than fail
        None => Ok(checked),
    }
}

/// A small JSON reader producing a [`serde_json::Value`] whose floats are parsed with Rust's correctly
/// rounded `f64::from_str`. Only used on text serde_json has already accepted, so it returns `None`
/// instead of detailed errors.
mod exact_json {
    use serde_json::{Map, Number, Value};

    struct P<'a> {
        s: &'a [u8],
        text: &'a str,
        i: usize,
    }

    pub(super) fn parse(text: &str) -> Option<Value> {
        let mut p = P {
            s: text.as_bytes(),
            text,
            i: 0,
        };
        let v = p.value(0)?;
        p.ws();
        (p.i == p.s.len()).then_some(v)
    }

    impl P<'_> {
        fn ws(&mut self) {
            while matches!(self.s.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                self.i += 1;
            }
        }
        fn eat(&mut self, c: u8) -> Option<()> {
            self.ws();
            (self.s.get(self.i) == Some(&c)).then(|| self.i += 1)
        }
        fn value(&mut self, depth: usize) -> Option<Value> {
            if depth > 256 {
                return None;
            }
            self.ws();
            match self.s.get(self.i)? {
                b'{' => {
                    self.i += 1;
                    let mut m = Map::new();
                    if self.eat(b'}').is_some() {
                        return Some(Value::Object(m));
                    }
                    loop {
                        self.ws();
                        let k = self.string()?;
                        self.eat(b':')?;
                        let v = self.value(depth + 1)?;
                        m.insert(k, v);
                        if self.eat(b',').is_none() {
                            self.eat(b'}')?;
                            return Some(Value::Object(m));
                        }
                    }
                }
                b'[' => {
                    self.i += 1;
                    let mut a = Vec::new();
                    if self.eat(b']').is_some() {
                        return Some(Value::Array(a));
                    }
                    loop {
                        a.push(self.value(depth + 1)?);
                        if self.eat(b',').is_none() {
                            self.eat(b']')?;
                            return Some(Value::Array(a));
                        }
                    }
                }
                b'"' => self.string().map(Value::String),
                b't' => self.word("true", Value::Bool(true)),
                b'f' => self.word("false", Value::Bool(false)),
                b'n' => self.word("null", Value::Null),
                _ => self.number(),
            }
        }
        fn word(&mut self, w: &str, v: Value) -> Option<Value> {
            let end = self.i + w.len();
            (self.text.get(self.i..end)? == w).then(|| {
                self.i = end;
                v
            })
        }
        fn string(&mut self) -> Option<String> {
            let start = self.i;
            if self.s.get(self.i) != Some(&b'"') {
                return None;
            }
            self.i += 1;
            loop {
                match self.s.get(self.i)? {
                    b'\\' => self.i += 2,
                    b'"' => {
                        self.i += 1;
                        break;
                    }
                    _ => self.i += 1,
                }
            }
            serde_json::from_str(self.text.get(start..self.i)?).ok()
        }
        fn number(&mut self) -> Option<Value> {
            let start = self.i;
            while matches!(
                self.s.get(self.i),
                Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
            ) {
                self.i += 1;
            }
            let lit = self.text.get(start..self.i)?;
            if !lit.contains(['.', 'e', 'E']) {
                if let Ok(v) = lit.parse::<i64>() {
                    return Some(Value::Number(v.into()));
                }
                if let Ok(v) = lit.parse::<u64>() {
                    return Some(Value::Number(v.into()));
                }
            }
            let f: f64 = lit.parse().ok()?;
            Number::from_f64(f).map(Value::Number)
        }
    }
}

fn check_finite(code: &str, what: &str, v: f64) -> Result<()> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(Error::InvalidSpec {
            code: code.to_string(),
            reason: format!("{what} is {v}; JSON cannot represent non-finite numbers"),
        })
    }
}

fn check_aggregation(code: &str, a: &Option<AggregatorKind>) -> Result<()> {
    match a {
        Some(AggregatorKind::Geometric { offset }) | Some(AggregatorKind::Harmonic { offset }) => {
            check_finite(code, "aggregation offset", *offset)
        }
        Some(AggregatorKind::Power { p }) => check_finite(code, "aggregation exponent p", *p),
        _ => Ok(()),
    }
}

/// Write a spec as pretty-printed JSON. [`spec_from_json`] of the result equals the input exactly.
///
/// Errors: [`Error::InvalidSpec`] naming the node if any number (weight, target, goalpost, max score,
/// aggregation parameter) is NaN or infinite, because JSON has no representation for it.
///
/// ```
/// use composite_indicators::io::{spec_from_json, spec_to_json};
/// use composite_indicators::{FrameworkSpec, Indicator, Pillar};
/// let spec = FrameworkSpec::new(
///     "toy",
///     vec![Indicator::new("a", "I").with_target(1e-310)],
///     vec![Pillar::new("I")],
/// );
/// assert_eq!(spec_from_json(&spec_to_json(&spec).unwrap()).unwrap(), spec);
///
/// let mut bad = spec.clone();
/// bad.indicators[0].weight = f64::NAN;
/// assert!(spec_to_json(&bad).is_err());
/// ```
pub fn spec_to_json(spec: &FrameworkSpec) -> Result<String> {
    for i in &spec.indicators {
        check_finite(&i.code, "weight", i.weight)?;
        if let Some(t) = i.target {
            check_finite(&i.code, "target", t)?;
        }
        if let Some([lo, hi]) = i.goalposts {
            check_finite(&i.code, "lower goalpost", lo)?;
            check_finite(&i.code, "upper goalpost", hi)?;
        }
        if let Some(m) = i.max_score {
            check_finite(&i.code, "max score", m)?;
        }
    }
    for p in &spec.pillars {
        check_finite(&p.code, "weight", p.weight)?;
        check_aggregation(&p.code, &p.aggregation)?;
    }
    serde_json::to_string_pretty(spec).map_err(|e| Error::Parse {
        source_name: "spec JSON".into(),
        line: None,
        column: None,
        message: format!("cannot write JSON: {e}"),
    })
}

fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default()
}

/// Read a spec from a file, choosing the format by extension: `.toml`, `.json`, or `.csv` (a COINr
/// iMeta table, see [`read_imeta`](super::read_imeta); its groups, denominators and others are
/// dropped here, use [`read_imeta_path`](super::read_imeta_path) to keep them).
///
/// Errors: [`Error::Io`] naming the path if it cannot be read; [`Error::InvalidParameter`] for another
/// extension; the format's parse errors with `source_name` set to the path.
///
/// ```
/// let dir = std::env::temp_dir().join("ci_read_spec_doc");
/// std::fs::create_dir_all(&dir).unwrap();
/// let p = dir.join("s.json");
/// std::fs::write(&p, r#"{"indicators":[{"code":"a","parent":"I"}],"pillars":[{"code":"I"}]}"#).unwrap();
/// let spec = composite_indicators::io::read_spec(&p).unwrap();
/// assert_eq!(spec.indicators.len(), 1);
/// assert!(composite_indicators::io::read_spec(dir.join("s.yaml")).is_err());
/// ```
pub fn read_spec(path: impl AsRef<Path>) -> Result<FrameworkSpec> {
    let path = path.as_ref();
    let name = path_name(path);
    match extension(path).as_str() {
        "toml" => spec_from_toml_named(&read_to_string_path(path)?, &name),
        "json" => spec_from_json_named(&read_to_string_path(path)?, &name),
        "csv" => Ok(coinr::read_imeta_named(open_path(path)?, &name)?.spec),
        _ => Err(Error::invalid(
            "path",
            name,
            Expected::Rule("a spec file's extension must be .toml, .json or .csv".into()),
        )),
    }
}

/// Write a spec to a `.toml` or `.json` file (chosen by extension).
///
/// Errors: [`Error::InvalidParameter`] for another extension, [`Error::Io`] naming the path, and the
/// errors of [`spec_to_toml`] / [`spec_to_json`].
///
/// ```
/// use composite_indicators::io::{read_spec, write_spec};
/// use composite_indicators::{FrameworkSpec, Indicator, Pillar};
/// let spec = FrameworkSpec::new("toy", vec![Indicator::new("a", "I")], vec![Pillar::new("I")]);
/// let p = std::env::temp_dir().join("ci_write_spec_doc.toml");
/// write_spec(&p, &spec).unwrap();
/// assert_eq!(read_spec(&p).unwrap(), spec);
/// ```
pub fn write_spec(path: impl AsRef<Path>, spec: &FrameworkSpec) -> Result<()> {
    let path = path.as_ref();
    let text = match extension(path).as_str() {
        "toml" => spec_to_toml(spec)?,
        "json" => spec_to_json(spec)?,
        _ => {
            return Err(Error::invalid(
                "path",
                path_name(path),
                Expected::Rule("a spec is written as .toml or .json".into()),
            ));
        }
    };
    write_string_path(path, &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_of_offsets() {
        let t = "ab\ncd\nef";
        assert_eq!(line_of(t, 0), 1);
        assert_eq!(line_of(t, 3), 2);
        assert_eq!(line_of(t, 7), 3);
        assert_eq!(column_of(t, 7), 2);
        assert_eq!(column_of(t, 0), 1);
        assert_eq!(line_of(t, 100), 3);
    }

    #[test]
    fn toml_error_line() {
        let e = spec_from_toml(
            "name = \"x\"\n[[indicators]]\ncode = \"a\"\nparent = \"I\"\ndirection = 3\n",
        )
        .unwrap_err();
        match e {
            Error::Parse { line, message, .. } => {
                assert_eq!(line, Some(5), "{message}");
                assert!(message.contains("direction"), "{message}");
            }
            other => panic!("{other}"),
        }
    }

    #[test]
    fn json_floats_are_exact() {
        // serde_json's default float parser reads this literal as 1.0715660391465825e-75
        let v: f64 = 1.0715660391465826e-75;
        let text = format!(
            "{{\"indicators\": [{{\"code\": \"a\", \"parent\": \"I\", \"weight\": {v:e}, \"target\": -1.81996730402717e-179}}]}}"
        );
        let s = spec_from_json(&text).unwrap();
        assert_eq!(s.indicators[0].weight.to_bits(), v.to_bits());
        assert_eq!(s.indicators[0].target, Some(-1.81996730402717e-179));
        let round = spec_from_json(&spec_to_json(&s).unwrap()).unwrap();
        assert_eq!(round, s);
    }

    #[test]
    fn json_error_line() {
        let e = spec_from_json("{\"name\": \"x\",\n\"indicators\": [\n{\"code\": \"a\"}]}")
            .unwrap_err();
        match e {
            Error::Parse { line, message, .. } => {
                assert_eq!(line, Some(3), "{message}");
                assert!(message.contains("parent"), "{message}");
            }
            other => panic!("{other}"),
        }
    }
}
