//! Data preparation: denomination, imputation, unit screening and outlier treatment.
//!
//! *Flow:* spec → data → **prepare** → normalise → aggregate → score → pipeline → sweep. Cleans the data before normalisation.
//!
//! Each step is a plain struct holding its (serde-serialisable) configuration, with an
//! `apply(&Dataset, &Framework) -> Result<(Dataset, Report)>` method (the [`Step`] trait), so steps can be
//! chained, switched off (just leave a step out) and swept over alternative settings. The steps follow
//! the JRC/OECD handbook order and COINr's implementation where COINr defines the method:
//!
//! 1. [`Denominate`]: divide indicators by the data column named in their spec `denominator` field
//!    (COINr `Denominate()`).
//! 2. [`Impute`]: fill missing indicator values by the column mean / median, optionally within a unit
//!    group (COINr `Impute()` with `i_mean`, `i_median`, `i_mean_grp`, `i_median_grp`); plus
//!    [`impute_within_pillar`] on a normalised matrix.
//! 3. [`Screen`]: drop units whose data availability is below a threshold (COINr `Screen(unit_screen = "byNA")`).
//! 4. [`Treat`]: skewness/kurtosis check, winsorisation, log fallback (COINr `Treat()` defaults).
//!
//! [`Pipeline`](crate::pipeline::Pipeline) runs them in this order, then normalises and aggregates, from one serde
//! [`PipelineConfig`](crate::pipeline::PipelineConfig), keeping every intermediate data set under COINr's name (`Raw`, `Denominated`,
//! `Imputed`, `Screened`, `Treated`, `Normalised`, `Aggregated`) and every report.
//!
//! Every step operates on the framework's indicator columns only (denominators and other columns pass
//! through untouched), keeps the unit order, and reports exactly what it changed.
//!
//! ```
//! use composite_indicators::prelude::*;
//! use composite_indicators::prepare::{Impute, ImputeMethod, Step, Treat};
//! use ndarray::array;
//! let fw = FrameworkSpec::new("t", vec![Indicator::new("x", "I")], vec![Pillar::new("I")])
//! .check()
//! .unwrap();
//! let d = Dataset::new(
//!     vec!["A".into(), "B".into(), "C".into(), "D".into()],
//!     vec!["x".into()],
//!     array![[1.0], [f64::NAN], [3.0], [5.0]],
//! )
//! .unwrap();
//! let (d, rep) = Impute::new(ImputeMethod::Mean).apply(&d, &fw).unwrap();
//! assert_eq!(d.values()[[1, 0]], 3.0);
//! assert_eq!(rep.imputations.len(), 1);
//! let (_, treat) = Treat::default().apply(&d, &fw).unwrap();
//! assert!(treat.outcomes[0].status.is_passed());
//! ```

mod denominate;
mod impute;
mod screen;
mod treat;

pub use denominate::{Denominate, DenominateReport, ZeroDenominatorPolicy};
pub use impute::{
    Imputation, Impute, ImputeMethod, ImputeReport, LeftMissing, MissingReason, WithinPillar,
    impute_within_pillar,
};
pub use screen::{Screen, ScreenBy, ScreenReport, UnitAvailability};
pub use treat::{
    Fallback, Treat, TreatOutcome, TreatReport, TreatStatus, Winsorised, kurtosis, log_ct,
    skewness, winsorise,
};

use crate::data::Dataset;
use crate::error::Result;
use crate::spec::Framework;

/// A data-preparation step: configuration in, `(new data, report)` out.
///
/// ```
/// use composite_indicators::prelude::*;
/// use composite_indicators::prepare::{Denominate, Step};
/// use ndarray::array;
/// let mut spec = FrameworkSpec::new("t", vec![Indicator::new("gdp", "I")], vec![Pillar::new("I")]);
/// spec.indicators[0].denominator = Some("pop".into());
/// let fw = spec.check().unwrap();
/// let d = Dataset::new(
///     vec!["A".into()],
///     vec!["gdp".into(), "pop".into()],
///     array![[10.0, 4.0]],
/// )
/// .unwrap();
/// let step: &dyn Step<Report = _> = &Denominate::default();
/// let (d, _) = step.apply(&d, &fw).unwrap();
/// assert_eq!(d.values()[[0, 0]], 2.5);
/// ```
pub trait Step {
    /// What the step reports about the changes it made.
    type Report;
    /// Apply the step to `data`, whose indicator columns are those of `fw`.
    fn apply(&self, data: &Dataset, fw: &Framework) -> Result<(Dataset, Self::Report)>;
}

/// Positions of the framework's indicators among the data columns; every absent indicator is listed
/// in one [`Error::MissingColumns`](crate::Error::MissingColumns).
pub(crate) fn indicator_positions(data: &Dataset, fw: &Framework) -> Result<Vec<usize>> {
    let mut pos = Vec::with_capacity(fw.n_indicators());
    let mut missing = Vec::new();
    for code in fw.indicator_codes() {
        match data.column_position(code) {
            Ok(j) => pos.push(j),
            Err(_) => missing.push(code.to_string()),
        }
    }
    if missing.is_empty() {
        Ok(pos)
    } else {
        Err(crate::error::Error::MissingColumns { columns: missing })
    }
}
