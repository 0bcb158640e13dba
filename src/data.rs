//! [`Dataset`]: units × columns of numbers (NaN = missing), with unit codes, names and group columns.
//!
//! *Flow:* spec → **data** → prepare → normalise → aggregate → score → pipeline → sweep. The table every later step reads.

use std::borrow::Cow;
use std::collections::HashMap;

use ndarray::{Array2, ArrayView1, Axis};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A table of units (rows) by numeric columns (indicators, denominators), plus unit names and any number
/// of categorical group columns (region, income group ...).
///
/// Missing values are `NaN`. Infinite values are rejected at construction ([`Error::NonFinite`]). Unit
/// codes must be unique and non-empty. Row order is kept exactly as given; nothing reorders or drops units
/// silently (use [`Dataset::sorted_by_code`] for COINr's order).
///
/// ```
/// use composite_indicators::Dataset;
/// use ndarray::array;
/// let d = Dataset::new(
///     vec!["A".into(), "B".into()],
///     vec!["x".into(), "y".into()],
///     array![[1.0, f64::NAN], [3.0, 4.0]],
/// )
/// .unwrap()
/// .with_group("region", vec!["N".into(), "S".into()])
/// .unwrap();
/// assert_eq!(d.n_units(), 2);
/// assert!(d.column("y").unwrap()[0].is_nan());
/// assert_eq!(d.group("region").unwrap()[1], "S");
/// ```
///
/// **Serde.** A data set serialises as its unit codes, names, groups, columns and values (missing
/// values as JSON `null`). Deserialising goes through the same checks as [`Dataset::new`],
/// [`Dataset::with_names`] and [`Dataset::with_group`], so a hand-edited file with duplicate codes
/// or group names, infinite values or mismatched lengths is an error, never an inconsistent data set.
///
/// ```
/// use composite_indicators::Dataset;
/// let d = Dataset::new(vec!["A".into()], vec!["x".into()], ndarray::array![[f64::NAN]]).unwrap();
/// let json = serde_json::to_string(&d).unwrap();
/// assert!(json.contains(r#""data":[null]"#));
/// assert_eq!(serde_json::from_str::<Dataset>(&json).unwrap(), d);
/// assert!(serde_json::from_str::<Dataset>(&json.replace(r#""A""#, r#""A","A""#)).is_err());
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "DatasetRepr")]
pub struct Dataset {
    unit_codes: Vec<String>,
    unit_names: Vec<String>,
    groups: Vec<(String, Vec<String>)>,
    columns: Vec<String>,
    #[serde(serialize_with = "crate::serde_nan::array2::serialize")]
    values: Array2<f64>,
    #[serde(skip)]
    col_index: HashMap<String, usize>,
}

/// Two data sets are equal when their unit codes, names, groups, columns and values are; a missing
/// value equals a missing value (unlike `f64`, where NaN ≠ NaN), so a data set equals its copy.
///
/// ```
/// use composite_indicators::Dataset;
/// let d = Dataset::new(vec!["A".into()], vec!["x".into()], ndarray::array![[f64::NAN]]).unwrap();
/// assert_eq!(d, d.clone());
/// ```
impl PartialEq for Dataset {
    fn eq(&self, other: &Self) -> bool {
        self.unit_codes == other.unit_codes
            && self.unit_names == other.unit_names
            && self.groups == other.groups
            && self.columns == other.columns
            && self.values.dim() == other.values.dim()
            && self
                .values
                .iter()
                .zip(other.values.iter())
                .all(|(a, b)| a == b || (a.is_nan() && b.is_nan()))
    }
}

/// The serialised form of a [`Dataset`], checked by `TryFrom`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DatasetRepr {
    unit_codes: Vec<String>,
    unit_names: Vec<String>,
    groups: Vec<(String, Vec<String>)>,
    columns: Vec<String>,
    #[serde(with = "crate::serde_nan::array2")]
    values: Array2<f64>,
}

impl TryFrom<DatasetRepr> for Dataset {
    type Error = Error;
    fn try_from(r: DatasetRepr) -> Result<Dataset> {
        let mut d = Dataset::new(r.unit_codes, r.columns, r.values)?.with_names(r.unit_names)?;
        for (name, labels) in r.groups {
            // `with_group` replaces a group of the same name; in a file that would lose labels
            if d.groups.iter().any(|(g, _)| *g == name) {
                return Err(Error::DuplicateCode { code: name });
            }
            d = d.with_group(name, labels)?;
        }
        Ok(d)
    }
}

/// The key under which unit codes are compared: the code in Unicode normalisation form C (borrowed
/// when it already is NFC, the common case).
pub(crate) fn nfc_key(code: &str) -> Cow<'_, str> {
    use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
    if is_nfc_quick(code.chars()) == IsNormalized::Yes {
        Cow::Borrowed(code)
    } else {
        Cow::Owned(code.nfc().collect())
    }
}

impl Dataset {
    /// Build from unit codes, column codes and a units × columns matrix.
    ///
    /// Unit codes are compared in Unicode normalisation form C: two codes that differ only in
    /// normalisation (`"\u{e9}"` and `"e\u{301}"`, both shown as `é`) are the same unit, so a data set
    /// holding both is [`Error::DuplicateUnit`] naming both spellings. Codes are stored as given.
    ///
    /// # Errors
    ///
    /// [`Error::EmptyData`] for no units or an empty unit code, [`Error::ShapeMismatch`] if sizes
    /// disagree, [`Error::DuplicateUnit`] / [`Error::DuplicateCode`] for repeated codes,
    /// [`Error::NonFinite`] for ±∞ (NaN is accepted as missing).
    ///
    /// # Examples
    ///
    /// ```
    /// use composite_indicators::{Dataset, Error};
    /// let d = Dataset::new(vec!["A".into()], vec!["x".into()], ndarray::array![[1.0]]).unwrap();
    /// assert_eq!(d.n_units(), 1);
    /// let e = Dataset::new(
    ///     vec!["Caf\u{e9}".into(), "Cafe\u{301}".into()],
    ///     vec!["x".into()],
    ///     ndarray::array![[1.0], [2.0]],
    /// )
    /// .unwrap_err();
    /// assert!(matches!(e, Error::DuplicateUnit { .. }));
    /// ```
    pub fn new(unit_codes: Vec<String>, columns: Vec<String>, values: Array2<f64>) -> Result<Self> {
        if unit_codes.is_empty() {
            return Err(Error::EmptyData {
                what: "no units (rows)".into(),
            });
        }
        if values.nrows() != unit_codes.len() {
            return Err(Error::ShapeMismatch {
                what: "rows of the value matrix vs unit codes".into(),
                expected: unit_codes.len(),
                found: values.nrows(),
            });
        }
        if values.ncols() != columns.len() {
            return Err(Error::ShapeMismatch {
                what: "columns of the value matrix vs column codes".into(),
                expected: columns.len(),
                found: values.ncols(),
            });
        }
        let mut seen: HashMap<Cow<'_, str>, usize> = HashMap::with_capacity(unit_codes.len());
        for (i, u) in unit_codes.iter().enumerate() {
            if u.trim().is_empty() {
                return Err(Error::EmptyData {
                    what: "a unit code is empty".into(),
                });
            }
            if let Some(first) = seen.insert(nfc_key(u), i) {
                return Err(Error::DuplicateUnit {
                    code: u.clone(),
                    first: unit_codes.get(first).cloned().unwrap_or_default(),
                    source_name: None,
                    line: None,
                    first_line: None,
                });
            }
        }
        let mut col_index = HashMap::new();
        for (j, c) in columns.iter().enumerate() {
            if col_index.insert(c.clone(), j).is_some() {
                return Err(Error::DuplicateCode { code: c.clone() });
            }
        }
        // `iter` visits the logical row-major order, as `indexed_iter` does, at a fraction of its cost
        if let Some(p) = values.iter().position(|v| v.is_infinite()) {
            let (i, j) = (p / values.ncols(), p % values.ncols());
            return Err(Error::NonFinite {
                unit: unit_codes[i].clone(),
                indicator: columns[j].clone(),
                value: values[[i, j]],
            });
        }
        Ok(Dataset {
            unit_names: unit_codes.clone(),
            unit_codes,
            groups: Vec::new(),
            columns,
            values,
            col_index,
        })
    }

    /// [`Dataset::new`] (with names, when given) for parts a reader has checked as it read them:
    /// every unit code non-empty after trimming and distinct in NFC, every value finite. Only the
    /// shapes and the column codes are checked again.
    pub(crate) fn from_checked_parts(
        unit_codes: Vec<String>,
        unit_names: Option<Vec<String>>,
        columns: Vec<String>,
        values: Array2<f64>,
    ) -> Result<Self> {
        debug_assert!(
            unit_codes.iter().all(|u| !u.trim().is_empty())
                && unit_codes
                    .iter()
                    .map(|u| nfc_key(u))
                    .collect::<std::collections::HashSet<_>>()
                    .len()
                    == unit_codes.len()
                && values.iter().all(|v| !v.is_infinite()),
            "a reader passed unchecked parts"
        );
        if unit_codes.is_empty() {
            return Err(Error::EmptyData {
                what: "no units (rows)".into(),
            });
        }
        for (what, expected, found) in [
            (
                "rows of the value matrix vs unit codes",
                unit_codes.len(),
                values.nrows(),
            ),
            (
                "columns of the value matrix vs column codes",
                columns.len(),
                values.ncols(),
            ),
            (
                "unit names vs units",
                unit_codes.len(),
                unit_names.as_ref().map_or(unit_codes.len(), Vec::len),
            ),
        ] {
            if expected != found {
                return Err(Error::ShapeMismatch {
                    what: what.into(),
                    expected,
                    found,
                });
            }
        }
        let mut col_index = HashMap::new();
        for (j, c) in columns.iter().enumerate() {
            if col_index.insert(c.clone(), j).is_some() {
                return Err(Error::DuplicateCode { code: c.clone() });
            }
        }
        Ok(Dataset {
            unit_names: unit_names.unwrap_or_else(|| unit_codes.clone()),
            unit_codes,
            groups: Vec::new(),
            columns,
            values,
            col_index,
        })
    }

    /// Set unit names (one per unit).
    pub fn with_names(mut self, names: Vec<String>) -> Result<Self> {
        if names.len() != self.unit_codes.len() {
            return Err(Error::ShapeMismatch {
                what: "unit names vs units".into(),
                expected: self.unit_codes.len(),
                found: names.len(),
            });
        }
        self.unit_names = names;
        Ok(self)
    }

    /// Add (or replace) a categorical group column, one label per unit.
    pub fn with_group(mut self, name: impl Into<String>, labels: Vec<String>) -> Result<Self> {
        let name = name.into();
        if labels.len() != self.unit_codes.len() {
            return Err(Error::ShapeMismatch {
                what: format!("labels of group `{name}` vs units"),
                expected: self.unit_codes.len(),
                found: labels.len(),
            });
        }
        match self.groups.iter_mut().find(|(g, _)| *g == name) {
            Some(slot) => slot.1 = labels,
            None => self.groups.push((name, labels)),
        }
        Ok(self)
    }

    /// Number of units.
    pub fn n_units(&self) -> usize {
        self.unit_codes.len()
    }
    /// Unit codes in row order.
    pub fn unit_codes(&self) -> &[String] {
        &self.unit_codes
    }
    /// Unit names in row order.
    pub fn unit_names(&self) -> &[String] {
        &self.unit_names
    }
    /// Column codes.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }
    /// The units × columns matrix.
    pub fn values(&self) -> &Array2<f64> {
        &self.values
    }
    /// Group columns as `(name, labels)`.
    pub fn groups(&self) -> &[(String, Vec<String>)] {
        &self.groups
    }
    /// One group column's labels.
    ///
    /// # Errors
    /// [`Error::UnknownName`] (`group column`, listing the data set's group columns) for a name it
    /// does not have. (It was [`Error::MissingColumns`], whose message speaks of columns the
    /// framework requires.)
    ///
    /// # Examples
    /// ```
    /// use composite_indicators::Dataset;
    /// let d = Dataset::new(vec!["A".into()], vec!["x".into()], ndarray::array![[1.0]])
    ///     .unwrap()
    ///     .with_group("region", vec!["N".into()])
    ///     .unwrap();
    /// assert_eq!(d.group("region").unwrap(), ["N"]);
    /// let e = d.group("regoin").unwrap_err().to_string();
    /// assert_eq!(e, "unknown group column `regoin` (known: region)");
    /// ```
    pub fn group(&self, name: &str) -> Result<&[String]> {
        self.groups
            .iter()
            .find(|(g, _)| g == name)
            .map(|(_, l)| l.as_slice())
            .ok_or_else(|| {
                Error::unknown_name(
                    "group column",
                    name,
                    self.groups.iter().map(|(g, _)| g.as_str()),
                )
            })
    }
    /// Row of a unit by code.
    ///
    /// # Errors
    /// [`Error::UnknownName`] (`unit`, listing the data set's units) for a code it does not have.
    ///
    /// # Examples
    /// ```
    /// use composite_indicators::Dataset;
    /// let d = Dataset::new(vec!["A".into(), "B".into()], vec!["x".into()],
    ///     ndarray::array![[1.0], [2.0]]).unwrap();
    /// assert_eq!(d.unit_position("B").unwrap(), 1);
    /// assert!(d.unit_position("Z").unwrap_err().to_string().contains("unknown unit `Z`"));
    /// ```
    pub fn unit_position(&self, code: &str) -> Result<usize> {
        self.unit_codes
            .iter()
            .position(|u| u == code)
            .ok_or_else(|| Error::unknown_name("unit", code, self.unit_codes.iter().cloned()))
    }
    /// Position of a column by code.
    pub fn column_position(&self, code: &str) -> Result<usize> {
        self.lookup(code).ok_or_else(|| Error::MissingColumns {
            columns: vec![code.to_string()],
        })
    }
    fn lookup(&self, code: &str) -> Option<usize> {
        self.col_index.get(code).copied()
    }
    /// A column by code.
    pub fn column(&self, code: &str) -> Result<ArrayView1<'_, f64>> {
        Ok(self.values.column(self.column_position(code)?))
    }
    /// The sub-matrix of the given columns (in the given order). Errors list *every* absent column.
    pub fn select(&self, codes: &[&str]) -> Result<Array2<f64>> {
        let pos = self.positions(codes)?;
        Ok(self.values.select(Axis(1), &pos))
    }
    /// The positions of the columns `codes` (in that order), to read them in place; the error of
    /// [`Dataset::select`] ([`Error::MissingColumns`] listing every absent code).
    pub(crate) fn positions(&self, codes: &[&str]) -> Result<Vec<usize>> {
        let mut pos = Vec::with_capacity(codes.len());
        let mut missing = Vec::new();
        for c in codes {
            match self.lookup(c) {
                Some(j) => pos.push(j),
                None => missing.push(c.to_string()),
            }
        }
        if !missing.is_empty() {
            return Err(Error::MissingColumns { columns: missing });
        }
        Ok(pos)
    }
    /// Replace the values of existing columns (same shape); infinite values are rejected.
    pub fn set_column(&mut self, code: &str, values: ArrayView1<'_, f64>) -> Result<()> {
        let j = self.column_position(code)?;
        if values.len() != self.n_units() {
            return Err(Error::ShapeMismatch {
                what: format!("new values of column `{code}` vs units"),
                expected: self.n_units(),
                found: values.len(),
            });
        }
        for (i, v) in values.iter().enumerate() {
            if v.is_infinite() {
                return Err(Error::NonFinite {
                    unit: self.unit_codes[i].clone(),
                    indicator: code.to_string(),
                    value: *v,
                });
            }
        }
        self.values.column_mut(j).assign(&values);
        Ok(())
    }
    /// A copy keeping only the given rows (in the given order).
    pub fn select_units(&self, rows: &[usize]) -> Result<Dataset> {
        if let Some(&bad) = rows.iter().find(|&&r| r >= self.n_units()) {
            return Err(Error::ShapeMismatch {
                what: "row index vs number of units".into(),
                expected: self.n_units(),
                found: bad,
            });
        }
        let pick = |v: &Vec<String>| rows.iter().map(|&r| v[r].clone()).collect::<Vec<_>>();
        let mut d = Dataset::new(
            pick(&self.unit_codes),
            self.columns.clone(),
            self.values.select(Axis(0), rows),
        )?
        .with_names(pick(&self.unit_names))?;
        for (g, labels) in &self.groups {
            d = d.with_group(g.clone(), pick(labels))?;
        }
        Ok(d)
    }
    /// A copy with rows sorted by unit code (byte order), as COINr orders units.
    pub fn sorted_by_code(&self) -> Dataset {
        let mut rows: Vec<usize> = (0..self.n_units()).collect();
        rows.sort_by(|&a, &b| self.unit_codes[a].cmp(&self.unit_codes[b]));
        // rows is a permutation of valid indices, so selection cannot fail
        self.select_units(&rows).unwrap_or_else(|_| self.clone())
    }
    /// Share of non-missing values per unit over the given columns.
    pub fn availability(&self, codes: &[&str]) -> Result<Vec<f64>> {
        let m = self.select(codes)?;
        let n = m.ncols().max(1) as f64;
        Ok(m.rows()
            .into_iter()
            .map(|r| r.iter().filter(|v| !v.is_nan()).count() as f64 / n)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn d() -> Dataset {
        Dataset::new(
            vec!["B".into(), "A".into()],
            vec!["x".into(), "y".into()],
            array![[1.0, 2.0], [3.0, f64::NAN]],
        )
        .unwrap()
        .with_group("g", vec!["g1".into(), "g2".into()])
        .unwrap()
    }

    #[test]
    fn select_lists_all_missing_columns() {
        let e = d().select(&["x", "q", "r"]).unwrap_err();
        assert!(matches!(e, Error::MissingColumns { columns } if columns == vec!["q", "r"]));
    }

    #[test]
    fn sorting_keeps_rows_together() {
        let s = d().sorted_by_code();
        assert_eq!(s.unit_codes(), &["A".to_string(), "B".to_string()]);
        assert_eq!(s.values()[[0, 0]], 3.0);
        assert_eq!(s.group("g").unwrap(), &["g2".to_string(), "g1".to_string()]);
    }

    #[test]
    fn rejects_bad_input() {
        assert!(matches!(
            Dataset::new(vec![], vec![], Array2::zeros((0, 0))),
            Err(Error::EmptyData { .. })
        ));
        assert!(matches!(
            Dataset::new(
                vec!["a".into(), "a".into()],
                vec!["x".into()],
                Array2::zeros((2, 1))
            ),
            Err(Error::DuplicateUnit { .. })
        ));
        assert!(matches!(
            Dataset::new(vec!["a".into()], vec!["x".into()], array![[f64::INFINITY]]),
            Err(Error::NonFinite { .. })
        ));
        assert!(matches!(
            Dataset::new(vec!["a".into()], vec!["x".into()], Array2::zeros((2, 1))),
            Err(Error::ShapeMismatch { .. })
        ));
    }

    #[test]
    fn availability_counts_nan() {
        assert_eq!(d().availability(&["x", "y"]).unwrap(), vec![1.0, 0.5]);
    }
}
