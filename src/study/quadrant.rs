//! Two-dimensional classification of units into quadrants.
//!
//! Given two scores per unit (for example a technology's technical maturity `x` and its
//! industrialisation potential `y`) and a threshold on each axis, [`classify`] puts every unit in
//! one of four [`Quadrant`]s. A score **at or above** (`>=`) its axis threshold counts as high.
//! Units with a missing (NaN) score on either axis are [`Quadrant::Unclassified`] and listed in
//! [`Quadrants::unclassified`]. Each quadrant can carry a user label ("support now", "keep
//! watching", …) through [`QuadrantLabels`].
//!
//! ```
//! use composite_indicators::study::quadrant::{classify, Quadrant, Threshold};
//! let x = [0.8, 0.6, 0.2, 0.3, f64::NAN];
//! let y = [0.9, 0.4, 0.8, 0.1, 0.5];
//! let q = classify(&x, &y, Threshold::Fixed(0.5), Threshold::Fixed(0.7))?;
//! assert_eq!(q.quadrant[..4], [Quadrant::HighHigh, Quadrant::HighLow, Quadrant::LowHigh, Quadrant::LowLow]);
//! assert_eq!(q.unclassified, vec![4]);
//! # Ok::<(), composite_indicators::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{Error, Expected, Result};

/// How the cut point of one axis is chosen.
///
/// `Median` and `Mean` are computed over the **classifiable** units only (those with both scores
/// present), so both axes are summarised over the same set of units. The median of an even count
/// is the mean of the two middle values.
///
/// ```
/// use composite_indicators::study::quadrant::{classify, Threshold};
/// let q = classify(&[1.0, 2.0, 3.0, 10.0], &[4.0, 3.0, 2.0, 1.0], Threshold::Median, Threshold::Mean)?;
/// assert_eq!(q.x_threshold, 2.5);
/// assert_eq!(q.y_threshold, 2.5);
/// # Ok::<(), composite_indicators::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Threshold {
    /// A fixed cut point (must be finite).
    Fixed(f64),
    /// The median of the axis over classifiable units.
    Median,
    /// The arithmetic mean of the axis over classifiable units.
    Mean,
}

/// The quadrant of a unit. The first word refers to the `x` axis, the second to `y`.
///
/// ```
/// use composite_indicators::study::quadrant::Quadrant;
/// assert_eq!(Quadrant::from_flags(true, false), Quadrant::HighLow);
/// assert_eq!(Quadrant::ALL.len(), 4);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Quadrant {
    /// `x >= tx` and `y >= ty`.
    HighHigh,
    /// `x >= tx` and `y < ty`.
    HighLow,
    /// `x < tx` and `y >= ty`.
    LowHigh,
    /// `x < tx` and `y < ty`.
    LowLow,
    /// At least one score is missing.
    Unclassified,
}

impl Quadrant {
    /// The four proper quadrants, in the order used by [`Quadrants::counts`].
    pub const ALL: [Quadrant; 4] = [
        Quadrant::HighHigh,
        Quadrant::HighLow,
        Quadrant::LowHigh,
        Quadrant::LowLow,
    ];

    /// The quadrant for "x is high" and "y is high".
    ///
    /// ```
    /// use composite_indicators::study::quadrant::Quadrant;
    /// assert_eq!(Quadrant::from_flags(false, true), Quadrant::LowHigh);
    /// ```
    pub fn from_flags(x_high: bool, y_high: bool) -> Self {
        match (x_high, y_high) {
            (true, true) => Quadrant::HighHigh,
            (true, false) => Quadrant::HighLow,
            (false, true) => Quadrant::LowHigh,
            (false, false) => Quadrant::LowLow,
        }
    }
}

/// A label per quadrant, e.g. the policy action attached to it.
///
/// ```
/// use composite_indicators::study::quadrant::{Quadrant, QuadrantLabels};
/// let l = QuadrantLabels::default().with(Quadrant::HighHigh, "support now");
/// assert_eq!(l.get(Quadrant::HighHigh), "support now");
/// assert_eq!(l.get(Quadrant::LowLow), "low x, low y");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuadrantLabels {
    /// Label of [`Quadrant::HighHigh`].
    pub high_high: String,
    /// Label of [`Quadrant::HighLow`].
    pub high_low: String,
    /// Label of [`Quadrant::LowHigh`].
    pub low_high: String,
    /// Label of [`Quadrant::LowLow`].
    pub low_low: String,
    /// Label of [`Quadrant::Unclassified`].
    pub unclassified: String,
}

impl Default for QuadrantLabels {
    fn default() -> Self {
        QuadrantLabels {
            high_high: "high x, high y".into(),
            high_low: "high x, low y".into(),
            low_high: "low x, high y".into(),
            low_low: "low x, low y".into(),
            unclassified: "unclassified (missing score)".into(),
        }
    }
}

impl QuadrantLabels {
    /// Set the label of one quadrant (builder style).
    ///
    /// ```
    /// use composite_indicators::study::quadrant::{Quadrant, QuadrantLabels};
    /// let l = QuadrantLabels::default().with(Quadrant::LowLow, "keep watching");
    /// assert_eq!(l.low_low, "keep watching");
    /// ```
    pub fn with(mut self, q: Quadrant, label: impl Into<String>) -> Self {
        let label = label.into();
        match q {
            Quadrant::HighHigh => self.high_high = label,
            Quadrant::HighLow => self.high_low = label,
            Quadrant::LowHigh => self.low_high = label,
            Quadrant::LowLow => self.low_low = label,
            Quadrant::Unclassified => self.unclassified = label,
        }
        self
    }

    /// The label of a quadrant.
    ///
    /// ```
    /// use composite_indicators::study::quadrant::{Quadrant, QuadrantLabels};
    /// assert_eq!(QuadrantLabels::default().get(Quadrant::HighLow), "high x, low y");
    /// ```
    pub fn get(&self, q: Quadrant) -> &str {
        match q {
            Quadrant::HighHigh => &self.high_high,
            Quadrant::HighLow => &self.high_low,
            Quadrant::LowHigh => &self.low_high,
            Quadrant::LowLow => &self.low_low,
            Quadrant::Unclassified => &self.unclassified,
        }
    }
}

/// The result of [`classify`].
///
/// ```
/// use composite_indicators::study::quadrant::{classify, Quadrant, QuadrantLabels, Threshold};
/// let q = classify(&[0.9, 0.1], &[0.9, 0.1], Threshold::Fixed(0.5), Threshold::Fixed(0.5))?
///     .with_labels(QuadrantLabels::default().with(Quadrant::HighHigh, "support now"));
/// assert_eq!(q.label(0), Some("support now"));
/// assert_eq!(q.members(Quadrant::LowLow), vec![1]);
/// assert_eq!(q.counts(), [1, 0, 0, 1]);
/// # Ok::<(), composite_indicators::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quadrants {
    /// Quadrant per unit, in input order.
    pub quadrant: Vec<Quadrant>,
    /// The `x` threshold actually used.
    #[serde(with = "crate::serde_nan::num")]
    pub x_threshold: f64,
    /// The `y` threshold actually used.
    #[serde(with = "crate::serde_nan::num")]
    pub y_threshold: f64,
    /// Indices of units with a missing score on either axis.
    pub unclassified: Vec<usize>,
    /// Labels per quadrant.
    pub labels: QuadrantLabels,
}

impl Quadrants {
    /// Replace the labels.
    ///
    /// ```
    /// use composite_indicators::study::quadrant::{classify, Quadrant, QuadrantLabels, Threshold};
    /// let q = classify(&[1.0], &[0.0], Threshold::Fixed(0.5), Threshold::Fixed(0.5))?
    ///     .with_labels(QuadrantLabels::default().with(Quadrant::HighLow, "research lead"));
    /// assert_eq!(q.label(0), Some("research lead"));
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    pub fn with_labels(mut self, labels: QuadrantLabels) -> Self {
        self.labels = labels;
        self
    }

    /// Label of unit `i`'s quadrant; `None` if `i` is out of range.
    ///
    /// ```
    /// use composite_indicators::study::quadrant::{classify, Threshold};
    /// let q = classify(&[f64::NAN], &[1.0], Threshold::Fixed(0.5), Threshold::Fixed(0.5))?;
    /// assert_eq!(q.label(0), Some("unclassified (missing score)"));
    /// assert_eq!(q.label(1), None);
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    pub fn label(&self, i: usize) -> Option<&str> {
        self.quadrant.get(i).map(|&q| self.labels.get(q))
    }

    /// Indices of the units in quadrant `q`, in input order.
    ///
    /// ```
    /// use composite_indicators::study::quadrant::{classify, Quadrant, Threshold};
    /// let q = classify(&[1.0, 0.0, 2.0], &[1.0, 1.0, 1.0], Threshold::Fixed(1.0), Threshold::Fixed(1.0))?;
    /// assert_eq!(q.members(Quadrant::HighHigh), vec![0, 2]);
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    pub fn members(&self, q: Quadrant) -> Vec<usize> {
        self.quadrant
            .iter()
            .enumerate()
            .filter(|(_, x)| **x == q)
            .map(|(i, _)| i)
            .collect()
    }

    /// Number of units per quadrant in the order of [`Quadrant::ALL`] (unclassified units are in
    /// [`Quadrants::unclassified`]).
    ///
    /// ```
    /// use composite_indicators::study::quadrant::{classify, Threshold};
    /// let q = classify(&[1.0, 0.0], &[0.0, 0.0], Threshold::Fixed(0.5), Threshold::Fixed(0.5))?;
    /// assert_eq!(q.counts(), [0, 1, 0, 1]);
    /// # Ok::<(), composite_indicators::Error>(())
    /// ```
    pub fn counts(&self) -> [usize; 4] {
        let mut c = [0usize; 4];
        for q in &self.quadrant {
            let slot = match q {
                Quadrant::HighHigh => c.get_mut(0),
                Quadrant::HighLow => c.get_mut(1),
                Quadrant::LowHigh => c.get_mut(2),
                Quadrant::LowLow => c.get_mut(3),
                Quadrant::Unclassified => None,
            };
            if let Some(s) = slot {
                *s += 1;
            }
        }
        c
    }
}

/// Classify units into quadrants by two scores.
///
/// A unit is high on an axis when its score is `>=` the axis threshold (a score equal to the
/// threshold is high). A unit with NaN on either axis is [`Quadrant::Unclassified`] and listed in
/// [`Quadrants::unclassified`]; it does not enter a `Median` / `Mean` threshold.
///
/// # Errors
/// - [`Error::ShapeMismatch`] if `x` and `y` differ in length;
/// - [`Error::NonFinite`] for an infinite score (unit named by its index, axis `x` or `y`);
/// - [`Error::InvalidParameter`] for a non-finite `Fixed` threshold;
/// - [`Error::InsufficientData`] for a `Median` / `Mean` threshold with no classifiable unit.
///
/// ```
/// use composite_indicators::study::quadrant::{classify, Quadrant, Threshold};
/// // equal to the threshold counts as high
/// let q = classify(&[0.5], &[0.7], Threshold::Fixed(0.5), Threshold::Fixed(0.7))?;
/// assert_eq!(q.quadrant, vec![Quadrant::HighHigh]);
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn classify(x: &[f64], y: &[f64], tx: Threshold, ty: Threshold) -> Result<Quadrants> {
    if x.len() != y.len() {
        return Err(Error::ShapeMismatch {
            what: "quadrant scores: y vs x length".into(),
            expected: x.len(),
            found: y.len(),
        });
    }
    for (axis, v) in [("x", x), ("y", y)] {
        if let Some((i, &s)) = v.iter().enumerate().find(|(_, s)| s.is_infinite()) {
            return Err(Error::NonFinite {
                unit: format!("#{i}"),
                indicator: axis.into(),
                value: s,
            });
        }
    }
    let ok: Vec<usize> = (0..x.len())
        .filter(|&i| !x[i].is_nan() && !y[i].is_nan())
        .collect();
    let xs: Vec<f64> = ok.iter().map(|&i| x[i]).collect();
    let ys: Vec<f64> = ok.iter().map(|&i| y[i]).collect();
    let x_threshold = resolve(tx, &xs, "x")?;
    let y_threshold = resolve(ty, &ys, "y")?;
    let mut unclassified = Vec::new();
    let quadrant = x
        .iter()
        .zip(y)
        .enumerate()
        .map(|(i, (&a, &b))| {
            if a.is_nan() || b.is_nan() {
                unclassified.push(i);
                Quadrant::Unclassified
            } else {
                Quadrant::from_flags(a >= x_threshold, b >= y_threshold)
            }
        })
        .collect();
    Ok(Quadrants {
        quadrant,
        x_threshold,
        y_threshold,
        unclassified,
        labels: QuadrantLabels::default(),
    })
}

fn resolve(t: Threshold, v: &[f64], axis: &str) -> Result<f64> {
    let need = |what: &str| Error::InsufficientData {
        what: format!("{what} threshold of axis {axis}: classifiable units"),
        needed: 1,
        found: 0,
    };
    match t {
        Threshold::Fixed(c) if c.is_finite() => Ok(c),
        Threshold::Fixed(c) => Err(Error::invalid(
            format!("{axis} threshold"),
            c,
            Expected::Finite,
        )),
        Threshold::Mean => {
            if v.is_empty() {
                return Err(need("mean"));
            }
            Ok(crate::stats::mean(v))
        }
        Threshold::Median => {
            let mut s = v.to_vec();
            s.sort_by(|a, b| a.total_cmp(b));
            let n = s.len();
            match (s.get((n.max(1) - 1) / 2), s.get(n / 2)) {
                (Some(a), Some(b)) if n > 0 => Ok((a + b) / 2.0),
                _ => Err(need("median")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ge_is_high_and_nan_reported() {
        let q = classify(
            &[0.5, 0.49, f64::NAN, 0.5],
            &[0.7, 0.7, 0.9, 0.69],
            Threshold::Fixed(0.5),
            Threshold::Fixed(0.7),
        )
        .unwrap();
        assert_eq!(
            q.quadrant,
            vec![
                Quadrant::HighHigh,
                Quadrant::LowHigh,
                Quadrant::Unclassified,
                Quadrant::HighLow
            ]
        );
        assert_eq!(q.unclassified, vec![2]);
        assert_eq!(q.counts(), [1, 1, 1, 0]);
    }

    #[test]
    fn median_and_mean_over_classifiable_units() {
        // unit 3 has y missing: x median over [1, 5, 3] = 3, not over [1, 5, 3, 100]
        let x = [1.0, 5.0, 3.0, 100.0];
        let y = [2.0, 4.0, 9.0, f64::NAN];
        let q = classify(&x, &y, Threshold::Median, Threshold::Mean).unwrap();
        assert_eq!(q.x_threshold, 3.0);
        assert_eq!(q.y_threshold, 5.0);
        assert_eq!(
            q.quadrant[..3],
            [Quadrant::LowLow, Quadrant::HighLow, Quadrant::HighHigh]
        );
    }

    #[test]
    fn errors() {
        assert!(matches!(
            classify(&[1.0], &[], Threshold::Mean, Threshold::Mean),
            Err(Error::ShapeMismatch { .. })
        ));
        assert!(matches!(
            classify(&[f64::NAN], &[1.0], Threshold::Median, Threshold::Mean),
            Err(Error::InsufficientData { .. })
        ));
        assert!(matches!(
            classify(&[1.0], &[1.0], Threshold::Fixed(f64::NAN), Threshold::Mean),
            Err(Error::InvalidParameter { .. })
        ));
        assert!(matches!(
            classify(
                &[1.0],
                &[f64::NEG_INFINITY],
                Threshold::Mean,
                Threshold::Mean
            ),
            Err(Error::NonFinite { .. })
        ));
        // fixed thresholds need no data
        let q = classify(&[], &[], Threshold::Fixed(0.0), Threshold::Fixed(0.0)).unwrap();
        assert!(q.quadrant.is_empty());
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(48))]
            #[test]
            fn consistent_with_thresholds(
                v in proptest::collection::vec((-3i8..4, -3i8..4, any::<bool>()), 1..20),
                med in any::<bool>(),
            ) {
                let x: Vec<f64> = v.iter().map(|&(a, _, miss)| if miss { f64::NAN } else { f64::from(a) }).collect();
                let y: Vec<f64> = v.iter().map(|&(_, b, _)| f64::from(b)).collect();
                let t = if med { Threshold::Median } else { Threshold::Mean };
                let q = match classify(&x, &y, t, Threshold::Fixed(0.0)) {
                    Ok(q) => q,
                    Err(e) => {
                        prop_assert!(x.iter().all(|a| a.is_nan()));
                        let insufficient = matches!(e, Error::InsufficientData { .. });
                        prop_assert!(insufficient, "{}", e);
                        return Ok(());
                    }
                };
                prop_assert_eq!(q.counts().iter().sum::<usize>() + q.unclassified.len(), x.len());
                for i in 0..x.len() {
                    let expect = if x[i].is_nan() {
                        Quadrant::Unclassified
                    } else {
                        Quadrant::from_flags(x[i] >= q.x_threshold, y[i] >= 0.0)
                    };
                    prop_assert_eq!(q.quadrant[i], expect);
                }
            }
        }
    }
}
