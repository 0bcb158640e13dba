//! The crate's single error type.
//!
//! Every fallible function returns [`Result<T>`](Result). Variants carry the context a user needs to
//! find the culprit: the indicator or node code, the unit code, the line and column of a file.

use thiserror::Error;

/// Convenience alias used throughout the crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Everything that can go wrong when building, scoring or stress-testing an index.
///
/// ```
/// use composite_indicators::Error;
/// let e = Error::DuplicateCode { code: "LPI".into() };
/// assert!(e.to_string().contains("LPI"));
/// ```
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    // ---------------------------------------------------------------- framework spec
    /// The framework has no indicators.
    #[error("the framework has no indicators")]
    EmptyFramework,
    /// A code (indicator or aggregate) is used twice.
    #[error("code `{code}` is defined more than once")]
    DuplicateCode {
        /// The repeated code.
        code: String,
    },
    /// A node names a parent that does not exist.
    #[error("`{code}` names parent `{parent}`, which is not an aggregate node of the framework")]
    UnknownParent {
        /// The child.
        code: String,
        /// The parent it names.
        parent: String,
    },
    /// A node names an indicator as its parent (indicators are leaves).
    #[error("`{code}` names indicator `{parent}` as its parent; indicators cannot have children")]
    ParentIsIndicator {
        /// The child.
        code: String,
        /// The indicator named as parent.
        parent: String,
    },
    /// An indicator has no parent.
    #[error("indicator `{code}` has no parent")]
    Orphan {
        /// The indicator.
        code: String,
    },
    /// The parent links form a cycle.
    #[error("the parent links through `{code}` form a cycle")]
    Cycle {
        /// A node on the cycle.
        code: String,
    },
    /// An aggregate node has no children.
    #[error("aggregate `{code}` has no children")]
    EmptyGroup {
        /// The empty aggregate.
        code: String,
    },
    /// A weight is negative, NaN or infinite.
    #[error("weight of `{code}` is {weight}; weights must be finite and non-negative")]
    InvalidWeight {
        /// The node whose weight is invalid.
        code: String,
        /// The offending value.
        weight: f64,
    },
    /// All children of a group have weight zero.
    #[error("the weights of the children of `{group}` sum to zero")]
    ZeroWeightSum {
        /// The aggregate whose children weigh nothing.
        group: String,
    },
    /// No aggregate is without a parent.
    #[error("the framework has no root: every aggregate has a parent")]
    NoRoot,
    /// More than one aggregate is without a parent.
    #[error(
        "the framework has several roots: {codes:?}; exactly one index node may have no parent"
    )]
    MultipleRoots {
        /// The parentless aggregates.
        codes: Vec<String>,
    },
    /// A field of the spec is invalid (goalposts, max score, a method parameter tied to a node ...).
    #[error("invalid specification for `{code}`: {reason}")]
    InvalidSpec {
        /// The node at fault.
        code: String,
        /// What is wrong.
        reason: String,
    },
    /// A code was looked up that the framework or data set does not have.
    #[error("unknown code `{code}`")]
    UnknownCode {
        /// The code looked up.
        code: String,
    },

    // ---------------------------------------------------------------- data and files
    /// A file (TOML, JSON, CSV) could not be parsed.
    #[error("{source_name}{}: {message}", fmt_location(*line, column.as_deref()))]
    Parse {
        /// The file name or a description of the input (`"spec TOML"`).
        source_name: String,
        /// 1-based line, when known.
        line: Option<usize>,
        /// Column name, when known.
        column: Option<String>,
        /// What went wrong.
        message: String,
    },
    /// A data cell that should hold a number does not.
    #[error(
        "line {line}, column `{column}`: `{value}` is not a number (use an empty field or NA for missing)"
    )]
    NonNumeric {
        /// 1-based line in the file (the header is line 1).
        line: usize,
        /// Column name.
        column: String,
        /// The cell's text.
        value: String,
    },
    /// A data value is infinite (NaN is accepted and means missing).
    #[error("unit `{unit}`, indicator `{indicator}`: value {value} is not finite")]
    NonFinite {
        /// Unit code.
        unit: String,
        /// Indicator or column code.
        indicator: String,
        /// The offending value.
        value: f64,
    },
    /// Columns required by the framework are not in the data.
    #[error("the data lack columns required by the framework: {columns:?}")]
    MissingColumns {
        /// Every missing column.
        columns: Vec<String>,
    },
    /// A unit code appears twice.
    #[error("unit code `{code}` appears more than once")]
    DuplicateUnit {
        /// The repeated unit code.
        code: String,
    },
    /// The data have no units (rows) or no columns.
    #[error("the data set is empty: {what}")]
    EmptyData {
        /// What is empty.
        what: String,
    },
    /// Two inputs that must agree in size do not.
    #[error("{what}: expected {expected}, found {found}")]
    ShapeMismatch {
        /// What was compared.
        what: String,
        /// Expected length.
        expected: usize,
        /// Actual length.
        found: usize,
    },
    /// Every value of an indicator is missing.
    #[error("indicator `{indicator}` has no non-missing value")]
    AllMissing {
        /// The empty indicator.
        indicator: String,
    },
    /// Every value of a unit is missing.
    #[error("unit `{unit}` has no non-missing value")]
    UnitAllMissing {
        /// The empty unit.
        unit: String,
    },
    /// An I/O error while reading or writing a file.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    // ---------------------------------------------------------------- normalise
    /// Minimum equals maximum (or the scale is otherwise zero) for a method that divides by the range.
    #[error(
        "indicator `{indicator}` has zero range (every non-missing value is {value}); {method} cannot scale it"
    )]
    ZeroRange {
        /// The constant indicator.
        indicator: String,
        /// The constant value.
        value: f64,
        /// The normalisation method.
        method: String,
    },
    /// Too few observations for a statistic.
    #[error("{what}: needs at least {needed} non-missing values, found {found}")]
    InsufficientData {
        /// What was computed (names the indicator or node).
        what: String,
        /// Minimum required.
        needed: usize,
        /// Available.
        found: usize,
    },
    /// A value lies outside the range a method accepts (e.g. above an indicator's max score).
    #[error("unit `{unit}`, indicator `{indicator}`: {reason}")]
    OutOfRange {
        /// Unit code.
        unit: String,
        /// Indicator code.
        indicator: String,
        /// What is wrong.
        reason: String,
    },

    // ---------------------------------------------------------------- aggregate
    /// A non-positive value was met by a geometric or harmonic mean.
    #[error(
        "unit `{unit}`, node `{node}`: child `{child}` is {value}; the {method} mean needs positive values (normalise to a positive range or set an offset)"
    )]
    NonPositive {
        /// Unit code.
        unit: String,
        /// The aggregate being computed.
        node: String,
        /// The child holding the value.
        child: String,
        /// The value.
        value: f64,
        /// `"geometric"` or `"harmonic"`.
        method: String,
    },
    /// A missing value was met under [`MissingPolicy::Error`](crate::aggregate::MissingPolicy::Error).
    #[error("unit `{unit}`, node `{node}`: child `{child}` is missing")]
    MissingValue {
        /// Unit code.
        unit: String,
        /// The aggregate being computed.
        node: String,
        /// The missing child.
        child: String,
    },

    // ---------------------------------------------------------------- parameters and control
    /// A method parameter is out of its domain.
    #[error("invalid parameter `{name}`: {reason}")]
    InvalidParameter {
        /// The parameter.
        name: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A long computation was cancelled through its cancellation flag.
    #[error("the computation was cancelled")]
    Cancelled,
    /// Building one method alternative of a sweep failed; `source` is the underlying error (with its
    /// unit, indicator or setting).
    #[error("method alternative {index} ({alternative}): {source}")]
    InAlternative {
        /// Alternative index.
        index: usize,
        /// The alternative's options, `choice=option` joined by `, `.
        alternative: String,
        /// What went wrong.
        #[source]
        source: Box<Error>,
    },
    // ---------------------------------------------------------------- io extensions
    // (variants added by the io module go here)

    // ---------------------------------------------------------------- preparation extensions
    // (variants added by the prepare / weights / audit modules go here)
    /// A denominator value is zero, so denomination would give an infinite value.
    #[error("unit `{unit}`, indicator `{indicator}`: denominator column `{denominator}` is 0")]
    ZeroDenominator {
        /// Unit code.
        unit: String,
        /// The indicator being denominated.
        indicator: String,
        /// The denominator column.
        denominator: String,
    },
    /// A cell of an AHP pairwise comparison matrix is invalid (not positive, not reciprocal, diagonal not 1).
    #[error("pairwise comparison matrix, cell ({row}, {col}): {reason}")]
    InvalidPairwise {
        /// 0-based row.
        row: usize,
        /// 0-based column.
        col: usize,
        /// What is wrong.
        reason: String,
    },
    /// An AHP pairwise comparison matrix is too inconsistent (consistency ratio above the limit).
    #[error("pairwise comparison matrix{}: consistency ratio {cr:.4} exceeds the limit {limit}", group.as_deref().map(|g| format!(" of `{g}`")).unwrap_or_default())]
    InconsistentPairwise {
        /// The group the matrix weighs, when known.
        group: Option<String>,
        /// Consistency ratio CI / RI.
        cr: f64,
        /// The accepted maximum.
        limit: f64,
    },
    // ---------------------------------------------------------------- sweep extensions
    // (variants added by the sweep module go here)
    /// A computation would need more memory than its budget allows (checked before allocating).
    #[error(
        "{what} needs about {} but the memory budget is {}; {hint}",
        fmt_bytes(*needed),
        fmt_bytes(*budget)
    )]
    MemoryBudget {
        /// What was about to be allocated (names the unit count, chunk size, ... behind it).
        what: String,
        /// Estimated bytes needed.
        needed: u64,
        /// The budget in bytes.
        budget: u64,
        /// Which setting reduces the need.
        hint: String,
    },
    /// The system refused an allocation that passed the budget check.
    #[error("{what}: allocating {} failed", fmt_bytes(*bytes))]
    AllocationFailed {
        /// What was being allocated.
        what: String,
        /// Bytes requested.
        bytes: u64,
    },
    /// Two sweep results cannot be merged: different sweeps (config or model fingerprint), overlapping
    /// variant ranges, or a result without provenance.
    #[error("cannot merge sweep results: {reason}")]
    SweepMerge {
        /// What differs or overlaps.
        reason: String,
    },
    // ---------------------------------------------------------------- study extensions
    // (variants added by the tiers / matrix / panel modules go here)
}

fn fmt_location(line: Option<usize>, column: Option<&str>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(", line {l}, column `{c}`"),
        (Some(l), None) => format!(", line {l}"),
        (None, Some(c)) => format!(", column `{c}`"),
        (None, None) => String::new(),
    }
}

/// `12345678` → `"12345678 bytes (11.8 MiB)"`.
fn fmt_bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut x = b as f64;
    let mut unit = "bytes";
    for u in UNITS {
        if x < 1024.0 {
            break;
        }
        x /= 1024.0;
        unit = u;
    }
    if unit == "bytes" {
        format!("{b} bytes")
    } else {
        format!("{b} bytes ({x:.1} {unit})")
    }
}

impl Error {
    /// Shorthand for [`Error::InvalidParameter`].
    ///
    /// ```
    /// let e = composite_indicators::Error::param("lo", "must be below hi");
    /// assert_eq!(e.to_string(), "invalid parameter `lo`: must be below hi");
    /// ```
    pub fn param(name: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidParameter {
            name: name.into(),
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_error_shows_location() {
        let e = Error::Parse {
            source_name: "iData.csv".into(),
            line: Some(4),
            column: Some("LPI".into()),
            message: "bad".into(),
        };
        assert_eq!(e.to_string(), "iData.csv, line 4, column `LPI`: bad");
        let e = Error::Parse {
            source_name: "spec".into(),
            line: None,
            column: None,
            message: "bad".into(),
        };
        assert_eq!(e.to_string(), "spec: bad");
    }
}
