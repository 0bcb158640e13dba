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
///
/// **Debug shows the message.** `{:?}` prints the same text as `Display` followed by the chain of
/// underlying causes, so `fn main() -> Result<()>` reports a readable error (with its hint) rather
/// than a struct dump; match on the variant to inspect fields.
///
/// ```
/// use composite_indicators::Error;
/// let e = Error::UnknownCode { code: "LPI".into() };
/// assert_eq!(format!("{e:?}"), "unknown code `LPI`");
/// ```
#[derive(Error)]
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
        "{source_name}, line {line}, column `{column}`: `{value}` is not a number (use an empty field or NA for missing){hint}"
    )]
    NonNumeric {
        /// The file name or a description of the input (`"CSV data"`).
        source_name: String,
        /// 1-based line in the file (the header is line 1).
        line: usize,
        /// Column name.
        column: String,
        /// The cell's text.
        value: String,
        /// Extra advice appended to the message (empty, or `"; ..."`), e.g. how to declare a label
        /// column.
        hint: String,
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
    /// A unit code appears twice. Codes are compared in Unicode normalisation form C (NFC), so `é`
    /// written as one code point and as `e` + combining accent are the same code; `first` is the
    /// spelling met first, `code` the repeat.
    #[error(
        "{}unit code `{code}`{} repeats unit code `{first}`{}{}",
        source_name.as_deref().map(|s| format!("{s}: ")).unwrap_or_default(),
        line.map(|l| format!(" (line {l})")).unwrap_or_default(),
        first_line.map(|l| format!(" (line {l})")).unwrap_or_default(),
        if code == first { String::new() } else {
            " (the two spellings differ only in Unicode normalisation; they are the same code in NFC)".to_string()
        }
    )]
    DuplicateUnit {
        /// The repeated unit code, as spelt where it repeats.
        code: String,
        /// The same code as spelt where it first appeared (equal to `code` unless the two differ in
        /// Unicode normalisation).
        first: String,
        /// The file (or input description), when the codes were read from one.
        source_name: Option<String>,
        /// 1-based line of the repeat, when read from a file.
        line: Option<usize>,
        /// 1-based line of the first occurrence, when read from a file.
        first_line: Option<usize>,
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
    // ---------------------------------------------------------------- reliability (rel-io)
    /// An error about one value of a file, with the file and line it was read from; `source` is the
    /// underlying error (for example [`Error::NonFinite`] naming the unit and column). The `*_path`
    /// readers wrap value errors this way; [`Error::innermost`] unwraps it.
    #[error("{source_name}, line {line}: {source}")]
    InFile {
        /// The file.
        source_name: String,
        /// 1-based line (the header is line 1).
        line: usize,
        /// What is wrong with the value.
        #[source]
        source: Box<Error>,
    },
    /// A nonzero number in a data file is too small for `f64` and would silently become 0.
    #[error(
        "{source_name}, line {line}, column `{column}`, unit `{unit}`: `{value}` is nonzero but underflows to 0 in f64 (magnitudes below about 4.9e-324 cannot be stored); write 0 if zero is meant, or rescale the column"
    )]
    Underflow {
        /// The file name or a description of the input.
        source_name: String,
        /// 1-based line (the header is line 1).
        line: usize,
        /// Column name.
        column: String,
        /// Unit code of the row.
        unit: String,
        /// The cell's text.
        value: String,
    },
    /// The weights of a group's children are finite but their sum is not (it overflows `f64`).
    #[error(
        "the weights of the children of `{group}` sum to {sum}; rescale them (only their ratios matter within a group)"
    )]
    NonFiniteWeightSum {
        /// The aggregate whose children's weights overflow.
        group: String,
        /// The (infinite) sum.
        sum: f64,
    },
    /// Distance to a reference unit: the reference unit holds the indicator's minimum (after
    /// orientation), so every distance `(x − min) / (ref − min)` would divide by zero; the column
    /// itself is not constant (that is [`Error::ZeroRange`]).
    #[error(
        "indicator `{indicator}`: reference unit `{unit}` holds the column's minimum ({value}), so {method} cannot scale by the distance from the minimum to the reference; choose a reference unit above the minimum"
    )]
    ReferenceAtMinimum {
        /// The indicator.
        indicator: String,
        /// The reference unit.
        unit: String,
        /// The reference (and minimum) value after orientation.
        value: f64,
        /// The normalisation method.
        method: String,
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

    // ---------------------------------------------------------------- front door (CLI, output paths)
    /// An output path resolves to an input or to another output of the same run: writing it would
    /// destroy that file, so nothing is written.
    #[error("output `{output}` is the same file as {other}; nothing was written")]
    OutputClash {
        /// The output path as given.
        output: String,
        /// What it clashes with, e.g. "input `data/iData.csv`" or "output `a.csv`".
        other: String,
    },
    /// A framework code equals a column name the writer adds itself (such as `Rank` or `uCode`), so
    /// the output table would have two columns of that name.
    #[error("node `{code}` has the name of the output's own `{column}` column; rename the node")]
    ColumnClash {
        /// The framework code.
        code: String,
        /// The output column it collides with.
        column: String,
    },
    // ---------------------------------------------------------------- plot extensions
    /// Drawing a plot failed inside the plotting backend (cargo feature `plot`).
    #[error("plot `{plot}`: drawing failed: {message}")]
    Plot {
        /// The plot (function name).
        plot: String,
        /// The backend's message.
        message: String,
    },
    // ---------------------------------------------------------------- study: leave-one-out, optimised weights
    /// An iterative search (e.g. weight optimisation) stopped before meeting its tolerance.
    #[error("{what} did not converge after {iterations} iterations: {reason}")]
    NotConverged {
        /// What was searched.
        what: String,
        /// Iterations run.
        iterations: u64,
        /// Why it stopped.
        reason: String,
    },
    // study: panels (purse, panel imputation, trends)
    /// A period of a panel has no units (a time asked for that the panel does not hold).
    #[error("period {time} has no units in the panel")]
    EmptyPeriod {
        /// The period's time, as written in the data.
        time: String,
    },
    /// A unit is absent from some periods of a panel that must be balanced.
    #[error("unit `{unit}` is absent from period(s) {absent:?}")]
    UnbalancedPanel {
        /// The unit.
        unit: String,
        /// The periods without a row for it.
        absent: Vec<String>,
    },
    /// An error while building or scoring one period of a panel.
    #[error("period {time}: {source}")]
    InPeriod {
        /// The period's time.
        time: String,
        /// What went wrong.
        #[source]
        source: Box<Error>,
    },
}

fn fmt_location(line: Option<usize>, column: Option<&str>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(", line {l}, column `{c}`"),
        (Some(l), None) => format!(", line {l}"),
        (None, Some(c)) => format!(", column `{c}`"),
        (None, None) => String::new(),
    }
}

impl std::fmt::Debug for Error {
    /// The `Display` text, then every underlying cause whose text the message does not already
    /// contain, one per line after `Caused by:`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let top = self.to_string();
        f.write_str(&top)?;
        let mut causes = Vec::new();
        let mut cur = std::error::Error::source(self);
        while let Some(c) = cur {
            let text = c.to_string();
            if !top.contains(&text) {
                causes.push(text);
            }
            cur = c.source();
        }
        if !causes.is_empty() {
            f.write_str("\n\nCaused by:")?;
            for (i, c) in causes.iter().enumerate() {
                write!(f, "\n    {i}: {c}")?;
            }
        }
        Ok(())
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
    /// The innermost error under the context wrappers [`Error::InFile`] and
    /// [`Error::InAlternative`] (the error itself if it is neither).
    ///
    /// ```
    /// use composite_indicators::Error;
    /// let e = Error::InFile {
    ///     source_name: "data.csv".into(),
    ///     line: 3,
    ///     source: Box::new(Error::UnknownCode { code: "x".into() }),
    /// };
    /// assert!(matches!(e.innermost(), Error::UnknownCode { .. }));
    /// ```
    pub fn innermost(&self) -> &Error {
        let mut e = self;
        loop {
            match e {
                Error::InFile { source, .. } | Error::InAlternative { source, .. } => e = source,
                other => return other,
            }
        }
    }

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
