//! COINr's `get_stats`: a table of statistics per indicator (or any column) with flags for low
//! availability, many zeros, few unique values and possible outliers.
//!
//! # Formulas (COINr's, over the non-missing values `x₁ … x_k` of a column of `n` rows)
//!
//! * `min`, `max`, `mean`, `median` (mean of the two middle values for an even `k`);
//! * `sd`: the **sample** standard deviation, `√(Σ(xᵢ − x̄)² / (k − 1))` (R's `sd`);
//! * `skew`: e1071's `skewness(type = 2)`, Excel's `SKEW` (COINr's `skew()`), with `m₂ = Σ(xᵢ − x̄)²`,
//!   `m₃ = Σ(xᵢ − x̄)³`: `g₁ = √k · m₃ / m₂^{3/2}`, `skew = g₁ · √(k(k − 1)) / (k − 2)`;
//! * `kurt`: e1071's `kurtosis(type = 2)`, Excel's `KURT` (COINr's `kurt()`), **excess** kurtosis:
//!   `r = k · Σ(xᵢ − x̄)⁴ / m₂²`, `kurt = ((k + 1)(r − 3) + 6)(k − 1) / ((k − 2)(k − 3))`;
//! * `n_avail = k`, `n_nonzero` (values `≠ 0`), `n_unique` (distinct values, exact `f64` equality,
//!   `−0 = 0`), `n_same` (the largest number of equal values);
//! * `frc_avail = k / n`, `frc_nonzero = n_nonzero / k`, `frc_unique = n_unique / k`,
//!   `frc_same = n_same / k`;
//! * flags, as COINr: `low_avail` when `frc_avail < t_avail`; `low_nonzero` when
//!   **`n_nonzero / n`** `< t_zero`; `low_unique` when **`n_unique / n`** `< t_unq` (COINr divides by
//!   all rows for these two flags but by the available values for the `frc_` columns; both are kept
//!   as COINr has them); `outlier` ("OUT") when `|skew| > t_skew` **and** `kurt > t_kurt`.
//!
//! Undefined statistics are NaN: every statistic of a column without values (R gives `Inf`/`NA` with
//! warnings), `sd` with one value, `skew` with fewer than 3 values, `kurt` with fewer than 4, `skew`
//! and `kurt` of a constant column. A NaN skew or kurtosis never raises the outlier flag (R's `NA`).
//!
//! Deliberate differences from COINr: values are not rounded (COINr's `nsignif = 3`; round when
//! printing), and a column without values gives NaN rather than R's `Inf`.

use std::io::Write;

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use super::csv_rows::{CsvTable, write_rows};
use crate::data::Dataset;
use crate::error::{Error, Expected, Result};
use crate::io::format_f64;
use crate::score::Scores;
use crate::spec::Framework;

/// Thresholds of the flags of [`get_stats`], COINr's defaults.
///
/// # Examples
/// ```
/// use composite_indicators::study::stats::StatsOptions;
/// let o: StatsOptions = serde_json::from_str(r#"{"t_skew": 2.25}"#).unwrap();
/// assert_eq!((o.t_skew, o.t_kurt, o.t_avail, o.t_zero, o.t_unq), (2.25, 3.5, 0.65, 0.5, 0.5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StatsOptions {
    /// Absolute skewness threshold of the outlier flag (COINr `t_skew`, default 2).
    pub t_skew: f64,
    /// Kurtosis threshold of the outlier flag (COINr `t_kurt`, default 3.5).
    pub t_kurt: f64,
    /// Availability threshold (COINr `t_avail`, default 0.65).
    pub t_avail: f64,
    /// Non-zero share threshold (COINr `t_zero`, default 0.5).
    pub t_zero: f64,
    /// Unique-value share threshold (COINr `t_unq`, default 0.5).
    pub t_unq: f64,
}

impl Default for StatsOptions {
    fn default() -> Self {
        StatsOptions {
            t_skew: 2.0,
            t_kurt: 3.5,
            t_avail: 0.65,
            t_zero: 0.5,
            t_unq: 0.5,
        }
    }
}

impl StatsOptions {
    fn check(&self) -> Result<()> {
        for (name, v) in [
            ("t_avail", self.t_avail),
            ("t_zero", self.t_zero),
            ("t_unq", self.t_unq),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(Error::invalid(name, v, Expected::closed(0.0, 1.0)));
            }
        }
        for (name, v) in [("t_skew", self.t_skew), ("t_kurt", self.t_kurt)] {
            if v.is_nan() {
                return Err(Error::invalid(
                    name,
                    v,
                    Expected::Rule("a threshold must not be NaN".into()),
                ));
            }
        }
        Ok(())
    }
}

/// The statistics of one column (see the module docs for every formula).
///
/// # Examples
/// ```
/// use composite_indicators::study::stats::column_stats;
/// use composite_indicators::study::stats::StatsOptions;
/// let s = column_stats("x", &[0.0, 1.0, 2.0, f64::NAN], &StatsOptions::default())?;
/// assert_eq!((s.n_avail, s.n_nonzero, s.median), (3, 2, 1.0));
/// # Ok::<(), composite_indicators::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnStats {
    /// Column (indicator) code.
    pub code: String,
    /// Minimum.
    #[serde(with = "crate::serde_nan::num")]
    pub min: f64,
    /// Maximum.
    #[serde(with = "crate::serde_nan::num")]
    pub max: f64,
    /// Arithmetic mean.
    #[serde(with = "crate::serde_nan::num")]
    pub mean: f64,
    /// Median.
    #[serde(with = "crate::serde_nan::num")]
    pub median: f64,
    /// Sample standard deviation.
    #[serde(with = "crate::serde_nan::num")]
    pub sd: f64,
    /// Skewness (e1071 type 2).
    #[serde(with = "crate::serde_nan::num")]
    pub skew: f64,
    /// Excess kurtosis (e1071 type 2).
    #[serde(with = "crate::serde_nan::num")]
    pub kurt: f64,
    /// Non-missing values.
    pub n_avail: usize,
    /// Non-zero values.
    pub n_nonzero: usize,
    /// Distinct values.
    pub n_unique: usize,
    /// The largest number of equal values.
    pub n_same: usize,
    /// `n_avail / rows`.
    #[serde(with = "crate::serde_nan::num")]
    pub frc_avail: f64,
    /// `n_nonzero / n_avail`.
    #[serde(with = "crate::serde_nan::num")]
    pub frc_nonzero: f64,
    /// `n_unique / n_avail`.
    #[serde(with = "crate::serde_nan::num")]
    pub frc_unique: f64,
    /// `n_same / n_avail`.
    #[serde(with = "crate::serde_nan::num")]
    pub frc_same: f64,
    /// `frc_avail < t_avail` (COINr `Flag.Avail = "LOW"`).
    pub low_avail: bool,
    /// `n_nonzero / rows < t_zero` (COINr `Flag.NonZero = "LOW"`).
    pub low_nonzero: bool,
    /// `n_unique / rows < t_unq` (COINr `Flag.Unique = "LOW"`).
    pub low_unique: bool,
    /// `|skew| > t_skew` and `kurt > t_kurt` (COINr `Flag.SkewKurt = "OUT"`), in R's logic with NA:
    /// `Some(false)` (`"ok"`) as soon as one defined statistic is within its threshold, `None` (an
    /// empty CSV cell, R's `NA`) when neither settles it because a statistic is undefined (fewer than
    /// 3 or 4 values, a constant column).
    pub outlier: Option<bool>,
}

/// The statistics of one column of values (NaN = missing); see the module docs.
///
/// # Errors
/// A share threshold outside `[0, 1]` or a NaN threshold → [`Error::InvalidParameter`]; an empty
/// column (no rows) → [`Error::EmptyData`] naming `code`.
///
/// # Examples
/// ```
/// use composite_indicators::study::stats::{StatsOptions, column_stats};
/// // 1 2 3 4 10: deviations −3 −2 −1 0 6, m₂ = 50, m₃ = 180, m₄ = 1394; mean 4, sd √12.5,
/// // skew √5·180/50^1.5 · √20/3 = 1.69706, kurt ((6)(5·1394/2500 − 3) + 6)·4/6 = 3.152
/// // (scipy.stats.skew/kurtosis with bias=False agree); kurt ≤ 3.5: not an outlier
/// let s = column_stats("x", &[1.0, 2.0, 3.0, 4.0, 10.0], &StatsOptions::default())?;
/// assert!((s.skew - 1.6970562748477143).abs() < 1e-12 && (s.kurt - 3.152).abs() < 1e-12);
/// assert_eq!(s.mean, 4.0);
/// assert!((s.sd - 12.5f64.sqrt()).abs() < 1e-12);
/// assert_eq!(s.outlier, Some(false));
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn column_stats(code: &str, values: &[f64], opts: &StatsOptions) -> Result<ColumnStats> {
    opts.check()?;
    if values.is_empty() {
        return Err(Error::EmptyData {
            what: format!("statistics of `{code}`: the column has no rows"),
        });
    }
    let rows = values.len() as f64;
    let mut x: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    x.sort_by(f64::total_cmp);
    let k = x.len();
    let kf = k as f64;
    let n_nonzero = x.iter().filter(|&&v| v != 0.0).count();
    // runs of equal values in the sorted column (-0 and 0 are adjacent and equal)
    let (mut n_unique, mut n_same, mut run) = (0usize, 0usize, 0usize);
    for (i, v) in x.iter().enumerate() {
        if i > 0 && x.get(i - 1) == Some(v) {
            run += 1;
        } else {
            n_unique += 1;
            run = 1;
        }
        n_same = n_same.max(run);
    }
    let nan = f64::NAN;
    let (min, max, mean, median) = match (x.first(), x.last()) {
        (Some(&lo), Some(&hi)) => {
            // R's mean: the plain mean, then one correction pass (the mean of the residuals), so a
            // constant column has exactly its value as mean and zero deviations. A column whose
            // values are all equal (min == max) takes that value exactly.
            let mean = if lo == hi {
                lo
            } else {
                crate::stats::mean_corrected(&x)
            };
            let mid = k / 2;
            let median = if k % 2 == 1 {
                x.get(mid).copied().unwrap_or(nan)
            } else {
                match (x.get(mid - 1), x.get(mid)) {
                    (Some(a), Some(b)) => (a + b) / 2.0,
                    _ => nan,
                }
            };
            (lo, hi, mean, median)
        }
        _ => (nan, nan, nan, nan),
    };
    let (mut m2, mut m3, mut m4) = (0.0, 0.0, 0.0);
    for v in &x {
        let d = v - mean;
        m2 += d * d;
        m3 += d * d * d;
        m4 += d * d * d * d;
    }
    let sd = if k >= 2 {
        (m2 / (kf - 1.0)).sqrt()
    } else {
        nan
    };
    let skew = if k >= 3 {
        kf.sqrt() * m3 / m2.powf(1.5) * (kf * (kf - 1.0)).sqrt() / (kf - 2.0)
    } else {
        nan
    };
    let kurt = if k >= 4 {
        let r = kf * m4 / (m2 * m2);
        ((kf + 1.0) * (r - 3.0) + 6.0) * (kf - 1.0) / ((kf - 2.0) * (kf - 3.0))
    } else {
        nan
    };
    let per_avail = |c: usize| if k == 0 { nan } else { c as f64 / kf };
    let frc_avail = kf / rows;
    Ok(ColumnStats {
        code: code.to_string(),
        min,
        max,
        mean,
        median,
        sd,
        skew,
        kurt,
        n_avail: k,
        n_nonzero,
        n_unique,
        n_same,
        frc_avail,
        frc_nonzero: per_avail(n_nonzero),
        frc_unique: per_avail(n_unique),
        frc_same: per_avail(n_same),
        low_avail: frc_avail < opts.t_avail,
        low_nonzero: (n_nonzero as f64 / rows) < opts.t_zero,
        low_unique: (n_unique as f64 / rows) < opts.t_unq,
        outlier: match (
            (!skew.is_nan()).then_some(skew.abs() > opts.t_skew),
            (!kurt.is_nan()).then_some(kurt > opts.t_kurt),
        ) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        },
    })
}

/// COINr's `get_stats` table: one [`ColumnStats`] per column, in the order asked.
///
/// # Examples
/// ```
/// use composite_indicators::study::CsvTable;
/// use composite_indicators::study::stats::{StatsOptions, stats_of_matrix};
/// use ndarray::array;
/// let t = stats_of_matrix(&["a", "b"], array![[1.0, 0.0], [2.0, 0.0], [3.0, 5.0]].view(), &StatsOptions::default())?;
/// assert_eq!(t.rows[1].n_nonzero, 1);
/// assert!(t.rows[1].low_nonzero); // 1/3 < 0.5
/// assert!(t.to_csv_string()?.starts_with("iCode,Min,Max,Mean,Median,Std,Skew,Kurt,"));
/// # Ok::<(), composite_indicators::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatsTable {
    /// The thresholds used.
    pub options: StatsOptions,
    /// One row per column.
    pub rows: Vec<ColumnStats>,
}

/// The statistics of the columns of `values` (rows = units), named by `codes`.
///
/// # Errors
/// `codes` and the columns differ in number → [`Error::ShapeMismatch`]; otherwise as
/// [`column_stats`].
///
/// # Examples
/// See [`StatsTable`].
pub fn stats_of_matrix(
    codes: &[&str],
    values: ArrayView2<'_, f64>,
    opts: &StatsOptions,
) -> Result<StatsTable> {
    if codes.len() != values.ncols() {
        return Err(Error::ShapeMismatch {
            what: "statistics: column codes vs columns".into(),
            expected: values.ncols(),
            found: codes.len(),
        });
    }
    let rows = codes
        .iter()
        .zip(values.columns())
        .map(|(code, col)| column_stats(code, &col.to_vec(), opts))
        .collect::<Result<Vec<_>>>()?;
    Ok(StatsTable {
        options: *opts,
        rows,
    })
}

/// COINr's `get_stats(coin, dset)`: the statistics of the framework's indicator columns of `data`
/// (framework order). For the normalised and aggregated values see [`stats_of_scores`].
///
/// # Errors
/// An indicator missing from `data` → [`Error::MissingColumns`]; otherwise as [`stats_of_matrix`].
///
/// # Examples
/// ```
/// use composite_indicators::prelude::*;
/// use composite_indicators::study::stats::{StatsOptions, get_stats};
/// use ndarray::array;
/// let fw = FrameworkSpec::new(
///     "t",
///     vec![Indicator::new("x", "I"), Indicator::new("y", "I")],
///     vec![Pillar::new("I")],
/// )
/// .check()?;
/// let d = Dataset::new(
///     vec!["A".into(), "B".into(), "C".into()],
///     vec!["y".into(), "x".into()],
///     array![[1.0, 5.0], [f64::NAN, 6.0], [3.0, 7.0]],
/// )?;
/// let t = get_stats(&d, &fw, &StatsOptions::default())?;
/// assert_eq!(t.rows[0].code, "x");
/// assert_eq!((t.rows[1].n_avail, t.rows[1].frc_avail), (2, 2.0 / 3.0));
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn get_stats(data: &Dataset, fw: &Framework, opts: &StatsOptions) -> Result<StatsTable> {
    let codes = fw.indicator_codes();
    let x = data.select(&codes)?;
    stats_of_matrix(&codes, x.view(), opts)
}

/// COINr's `get_stats(coin, dset = "Aggregated")`: the statistics of every node of a score set
/// (indicators as normalised, then the aggregates, the index last; framework node order).
///
/// # Errors
/// As [`stats_of_matrix`].
///
/// # Examples
/// ```
/// use composite_indicators::prelude::*;
/// use composite_indicators::score::Scorer;
/// use composite_indicators::study::stats::{StatsOptions, stats_of_scores};
/// use ndarray::array;
/// let fw = FrameworkSpec::new(
///     "t",
///     vec![Indicator::new("x", "I"), Indicator::new("y", "I")],
///     vec![Pillar::new("I")],
/// )
/// .check()?;
/// let d = Dataset::new(vec!["A".into(), "B".into()], vec!["x".into(), "y".into()], array![[1.0, 2.0], [3.0, 4.0]])?;
/// let t = stats_of_scores(&Scorer::new(fw).score(&d)?, &StatsOptions::default())?;
/// let codes: Vec<&str> = t.rows.iter().map(|r| r.code.as_str()).collect();
/// assert_eq!(codes, ["x", "y", "I"]);
/// assert_eq!((t.rows[2].min, t.rows[2].max), (0.0, 100.0));
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn stats_of_scores(scores: &Scores, opts: &StatsOptions) -> Result<StatsTable> {
    stats_of_matrix(&scores.node_codes(), scores.values().view(), opts)
}

fn flag(low: bool, word: &str) -> String {
    if low {
        word.to_string()
    } else {
        "ok".to_string()
    }
}

impl StatsTable {
    const HEADER: [&str; 20] = [
        "iCode",
        "Min",
        "Max",
        "Mean",
        "Median",
        "Std",
        "Skew",
        "Kurt",
        "N.Avail",
        "N.NonZero",
        "N.Unique",
        "N.Same",
        "Frc.Avail",
        "Frc.NonZero",
        "Frc.Unique",
        "Frc.Same",
        "Flag.Avail",
        "Flag.NonZero",
        "Flag.Unique",
        "Flag.SkewKurt",
    ];

    fn cells(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|r| {
                vec![
                    r.code.clone(),
                    format_f64(r.min),
                    format_f64(r.max),
                    format_f64(r.mean),
                    format_f64(r.median),
                    format_f64(r.sd),
                    format_f64(r.skew),
                    format_f64(r.kurt),
                    r.n_avail.to_string(),
                    r.n_nonzero.to_string(),
                    r.n_unique.to_string(),
                    r.n_same.to_string(),
                    format_f64(r.frc_avail),
                    format_f64(r.frc_nonzero),
                    format_f64(r.frc_unique),
                    format_f64(r.frc_same),
                    flag(r.low_avail, "LOW"),
                    flag(r.low_nonzero, "LOW"),
                    flag(r.low_unique, "LOW"),
                    r.outlier.map(|o| flag(o, "OUT")).unwrap_or_default(),
                ]
            })
            .collect()
    }

    /// The row of one column.
    ///
    /// # Errors
    /// [`Error::UnknownCode`] when no row has that code.
    ///
    /// # Examples
    /// ```
    /// use composite_indicators::study::stats::{StatsOptions, stats_of_matrix};
    /// use ndarray::array;
    /// let t = stats_of_matrix(&["a"], array![[1.0], [2.0]].view(), &StatsOptions::default())?;
    /// assert_eq!(t.get("a")?.max, 2.0);
    /// assert!(t.get("b").is_err());
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    pub fn get(&self, code: &str) -> Result<&ColumnStats> {
        self.rows
            .iter()
            .find(|r| r.code == code)
            .ok_or_else(|| Error::UnknownCode {
                code: code.to_string(),
            })
    }
}

impl CsvTable for StatsTable {
    /// Write the table as CSV with COINr's column names (`iCode`, `Min`, … `Flag.SkewKurt`; flags as
    /// `ok`/`LOW`/`OUT`; numbers round-trip exactly, NaN as an empty field).
    ///
    /// # Errors
    /// [`Error::Io`] when writing fails.
    ///
    /// # Examples
    /// ```
    /// use composite_indicators::study::CsvTable;
    /// use composite_indicators::study::stats::{StatsOptions, stats_of_matrix};
    /// use ndarray::array;
    /// let t = stats_of_matrix(&["a"], array![[1.0], [2.0]].view(), &StatsOptions::default())?;
    /// let mut out = Vec::new();
    /// t.write_csv(&mut out)?;
    /// assert!(String::from_utf8(out).unwrap().lines().nth(1).unwrap().starts_with("a,1,2,1.5,1.5,"));
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    fn write_csv<W: Write>(&self, w: W) -> Result<()> {
        write_rows(w, "statistics table", Self::HEADER, self.cells())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_constant_column_has_its_value_as_mean_and_no_skew_or_kurtosis() {
        // 0.1 is not exactly representable: a naive sum / n gives 0.09999999999999996 for 51
        // copies and a spurious skew of 1.03; R gives mean 0.1, sd 0, skew and kurtosis NA.
        let x = vec![0.1; 51];
        let s = column_stats("c", &x, &StatsOptions::default()).unwrap();
        assert_eq!(s.mean, 0.1);
        assert_eq!(s.sd, 0.0);
        assert!(s.skew.is_nan() && s.kurt.is_nan(), "{s:?}");
    }

    #[test]
    fn undefined_statistics_are_nan() {
        let o = StatsOptions::default();
        let s = column_stats("x", &[f64::NAN, f64::NAN], &o).unwrap();
        assert_eq!((s.n_avail, s.n_unique, s.n_same), (0, 0, 0));
        assert!(s.min.is_nan() && s.median.is_nan() && s.sd.is_nan() && s.frc_nonzero.is_nan());
        assert!(s.low_avail && s.outlier.is_none());
        let s = column_stats("x", &[2.0, 2.0, 2.0, 2.0], &o).unwrap();
        assert!(s.skew.is_nan() && s.kurt.is_nan());
        assert_eq!((s.sd, s.n_unique, s.n_same), (0.0, 1, 4));
        let s = column_stats("x", &[0.0, -0.0, 1.0], &o).unwrap();
        assert_eq!((s.n_unique, s.n_nonzero, s.n_same), (2, 1, 2));
        assert!(s.kurt.is_nan() && !s.skew.is_nan());
        // R: `(abs(sk) > t_skew) & (kt > t_kurt)` with kt NA is FALSE when the skew is within its
        // threshold (here 1.73 < 2: "ok"), NA otherwise; a constant column gives NA
        assert_eq!(s.outlier, Some(false));
        let tight = StatsOptions {
            t_skew: 1.0,
            ..StatsOptions::default()
        };
        assert_eq!(
            column_stats("x", &[0.0, -0.0, 1.0], &tight)
                .unwrap()
                .outlier,
            None
        );
        assert_eq!(column_stats("x", &[2.0; 4], &o).unwrap().outlier, None);
        let t = stats_of_matrix(&["c"], ndarray::Array2::from_elem((4, 1), 2.0).view(), &o)
            .unwrap()
            .to_csv_string()
            .unwrap();
        assert!(t.trim_end().ends_with(",ok,LOW,"), "{t}");
    }

    #[test]
    fn bad_options_and_shapes() {
        let o = StatsOptions {
            t_avail: 1.5,
            ..StatsOptions::default()
        };
        assert!(matches!(
            column_stats("x", &[1.0], &o),
            Err(Error::InvalidParameter { .. })
        ));
        assert!(matches!(
            column_stats("x", &[], &StatsOptions::default()),
            Err(Error::EmptyData { .. })
        ));
        let m = ndarray::Array2::<f64>::zeros((2, 2));
        assert!(matches!(
            stats_of_matrix(&["a"], m.view(), &StatsOptions::default()),
            Err(Error::ShapeMismatch { .. })
        ));
    }
}
