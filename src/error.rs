//! The crate's single error type.
//!
//! *Flow:* used by every step; variants name the file, line, indicator, unit or option at fault.
//!
//! Every fallible function returns [`Result<T>`](Result). Variants carry the context a user needs to
//! find the culprit: the indicator or node code, the unit code, the line and column of a file.

use std::ops::Bound;

use thiserror::Error;

/// Convenience alias used throughout the crate. The error type defaults to [`Error`](enum@Error) and can be given,
/// so `use composite_indicators::prelude::*` leaves `Result<(), Box<dyn std::error::Error>>` valid.
///
/// ```
/// use composite_indicators::prelude::*;
/// fn main() -> Result<(), Box<dyn std::error::Error>> {
///     let _fw = FrameworkSpec::new("t", vec![Indicator::new("a", "I")], vec![Pillar::new("I")]).check()?;
///     Ok(())
/// }
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;

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
        "the framework has several roots: {}; exactly one index node may have no parent",
        fmt_codes(codes)
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
    /// An aggregate's value overflows `f64` (the aggregation of finite children gave ±∞, e.g. a sum
    /// of values near `f64::MAX` or a bonus term added to such a score).
    #[error(
        "unit `{unit}`, node `{node}`: the {aggregator} aggregation gives {value}, beyond f64's range; \
         rescale the data (normalise to a smaller range)"
    )]
    AggregateOverflow {
        /// Unit code.
        unit: String,
        /// The aggregate node.
        node: String,
        /// The aggregator (its name), or `bonus` for the bonus term.
        aggregator: String,
        /// The infinite value.
        value: f64,
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
    #[error(
        "the data lack columns required by the framework: {}",
        fmt_codes(columns)
    )]
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
    #[error(
        "unit `{unit}` has no value for any indicator, so it cannot be scored; leave it out of the \
         data or screen units by data availability first (`Screen`, COINr's Screen; `compind --screen`)"
    )]
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
        "unit `{unit}`, node `{node}`: child `{child}` is {value} (as normalised, directions applied); the {method} mean needs positive values (normalise to a positive range, or set or raise the offset)"
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
    /// A parameter (an option, a method setting, a command-line flag) has a value outside its domain.
    /// `expected` says what it should have been, in a form a caller can match on.
    ///
    /// ```
    /// use composite_indicators::error::{Error, Expected};
    /// let e = Error::invalid("threshold", 1.5, Expected::closed(0.0, 1.0));
    /// assert_eq!(e.to_string(), "invalid parameter `threshold` = 1.5: expected a number in [0, 1]");
    /// assert!(matches!(e, Error::InvalidParameter { ref parameter, .. } if parameter == "threshold"));
    /// ```
    #[error("invalid parameter `{parameter}`{}: {}", fmt_value(value), expected.requirement())]
    InvalidParameter {
        /// The parameter (option, field or flag name; plot parameters are prefixed `plot: `).
        parameter: String,
        /// The value given, as text (empty when the value is an absent input or has no short form).
        value: String,
        /// What the value should have been.
        expected: Expected,
    },
    /// An index (of an alternative, a variant, a level ...) is beyond the end of what it indexes.
    #[error("{what} {index} is out of range: there are {len}")]
    IndexOutOfRange {
        /// What is indexed (`"alternative"`, `"variant"`, `"level"` ...).
        what: String,
        /// The index given (0- or 1-based as `what` says).
        index: usize,
        /// How many there are.
        len: usize,
    },
    /// A name (a column, a target, a dimension, a setting) that is not among the known ones.
    #[error("unknown {what} `{name}`{}", fmt_known(known))]
    UnknownName {
        /// What kind of name (`"group column"`, `"Sobol target"` ...).
        what: String,
        /// The name given.
        name: String,
        /// The names that would have been accepted (may be empty when there are too many to list).
        known: Vec<String>,
    },
    /// A name that must be unique is given twice.
    #[error("{what} `{name}` is given twice")]
    NamedTwice {
        /// What kind of name (`"period"`, `"method dimension"` ...).
        what: String,
        /// The repeated name.
        name: String,
    },
    /// Settings or inputs that are each valid but cannot be used together (or an operation the
    /// given inputs do not support).
    #[error("{what}: {reason}")]
    Incompatible {
        /// The setting or operation at fault.
        what: String,
        /// Why it cannot be done.
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

    /// [`Error::InvalidParameter`] for `parameter` with the value `value` (formatted with `Display`)
    /// that should have been `expected`.
    ///
    /// ```
    /// use composite_indicators::error::{Error, Expected};
    /// let e = Error::invalid("max_iters", 0, Expected::at_least(1.0));
    /// assert_eq!(e.to_string(), "invalid parameter `max_iters` = 0: expected at least 1");
    /// ```
    pub fn invalid(
        parameter: impl Into<String>,
        value: impl std::fmt::Display,
        expected: Expected,
    ) -> Self {
        Error::InvalidParameter {
            parameter: parameter.into(),
            value: value.to_string(),
            expected,
        }
    }

    /// [`Error::Incompatible`]: `what` cannot be done, because `reason`.
    ///
    /// ```
    /// let e = composite_indicators::Error::incompatible("contributions", "an aggregator is not linear");
    /// assert_eq!(e.to_string(), "contributions: an aggregator is not linear");
    /// ```
    pub fn incompatible(what: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Incompatible {
            what: what.into(),
            reason: reason.into(),
        }
    }

    /// [`Error::UnknownName`]: `name` is not one of `known`.
    ///
    /// ```
    /// let e = composite_indicators::Error::unknown_name("dataset", "Rawest", ["Raw", "Treated"]);
    /// assert_eq!(e.to_string(), "unknown dataset `Rawest` (known: Raw, Treated)");
    /// ```
    pub fn unknown_name<S: Into<String>>(
        what: impl Into<String>,
        name: impl Into<String>,
        known: impl IntoIterator<Item = S>,
    ) -> Self {
        Error::UnknownName {
            what: what.into(),
            name: name.into(),
            known: known.into_iter().map(Into::into).collect(),
        }
    }
}

/// What a parameter's value should have been ([`Error::InvalidParameter::expected`]).
///
/// `Display` gives a noun phrase (`"a number in [0, 1]"`); [`Expected::Rule`] is a requirement in
/// words for the cases no other variant fits, shown verbatim.
///
/// ```
/// use composite_indicators::error::Expected;
/// assert_eq!(Expected::Positive.to_string(), "a finite number > 0");
/// assert_eq!(Expected::half_open(0.0, 0.5).to_string(), "a number in [0, 0.5)");
/// assert_eq!(Expected::one_of(["mean", "median"]).to_string(), "one of mean, median");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Expected {
    /// A finite number (not NaN, not infinite).
    Finite,
    /// A finite number ≥ 0.
    NonNegative,
    /// A finite number > 0.
    Positive,
    /// A number between two bounds (each included, excluded or absent); integers too.
    InRange {
        /// Lower bound.
        lo: Bound<f64>,
        /// Upper bound.
        hi: Bound<f64>,
    },
    /// One of a fixed set of names or forms.
    OneOf(Vec<String>),
    /// A non-empty value (a name, a list, a selection).
    NonEmpty,
    /// Text of a given form, described in words (`"CODE=VALUE"`, `"winsorise:WINMAX"` ...).
    Form(String),
    /// A requirement in words, for what no other variant says (shown verbatim, without "expected").
    Rule(String),
}

impl Expected {
    /// A number in the closed interval `[lo, hi]`.
    ///
    /// ```
    /// assert_eq!(composite_indicators::error::Expected::closed(0.0, 1.0).to_string(), "a number in [0, 1]");
    /// ```
    pub fn closed(lo: f64, hi: f64) -> Self {
        Expected::InRange {
            lo: Bound::Included(lo),
            hi: Bound::Included(hi),
        }
    }

    /// A number in the open interval `(lo, hi)`.
    ///
    /// ```
    /// assert_eq!(composite_indicators::error::Expected::open(0.0, 1.0).to_string(), "a number in (0, 1)");
    /// ```
    pub fn open(lo: f64, hi: f64) -> Self {
        Expected::InRange {
            lo: Bound::Excluded(lo),
            hi: Bound::Excluded(hi),
        }
    }

    /// A number in `[lo, hi)`.
    ///
    /// ```
    /// assert_eq!(composite_indicators::error::Expected::half_open(0.0, 0.5).to_string(), "a number in [0, 0.5)");
    /// ```
    pub fn half_open(lo: f64, hi: f64) -> Self {
        Expected::InRange {
            lo: Bound::Included(lo),
            hi: Bound::Excluded(hi),
        }
    }

    /// A number `≥ lo` (counts: `at_least(1.0)`).
    ///
    /// ```
    /// assert_eq!(composite_indicators::error::Expected::at_least(2.0).to_string(), "at least 2");
    /// ```
    pub fn at_least(lo: f64) -> Self {
        Expected::InRange {
            lo: Bound::Included(lo),
            hi: Bound::Unbounded,
        }
    }

    /// One of `names`.
    ///
    /// ```
    /// use composite_indicators::error::Expected;
    /// assert_eq!(Expected::one_of(["a", "b"]), Expected::OneOf(vec!["a".into(), "b".into()]));
    /// ```
    pub fn one_of<S: Into<String>>(names: impl IntoIterator<Item = S>) -> Self {
        Expected::OneOf(names.into_iter().map(Into::into).collect())
    }

    /// The requirement as the end of an error message: `"expected …"`, or a [`Rule`](Expected::Rule)
    /// verbatim.
    fn requirement(&self) -> String {
        match self {
            Expected::Rule(r) => r.clone(),
            other => format!("expected {other}"),
        }
    }
}

impl std::fmt::Display for Expected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expected::Finite => f.write_str("a finite number"),
            Expected::NonNegative => f.write_str("a finite number >= 0"),
            Expected::Positive => f.write_str("a finite number > 0"),
            Expected::InRange { lo, hi } => match (lo, hi) {
                (Bound::Unbounded, Bound::Unbounded) => f.write_str("a number"),
                (Bound::Included(a), Bound::Unbounded) => write!(f, "at least {a}"),
                (Bound::Excluded(a), Bound::Unbounded) => write!(f, "more than {a}"),
                (Bound::Unbounded, Bound::Included(b)) => write!(f, "at most {b}"),
                (Bound::Unbounded, Bound::Excluded(b)) => write!(f, "less than {b}"),
                (
                    Bound::Included(a) | Bound::Excluded(a),
                    Bound::Included(b) | Bound::Excluded(b),
                ) => {
                    let l = if matches!(lo, Bound::Included(_)) {
                        '['
                    } else {
                        '('
                    };
                    let r = if matches!(hi, Bound::Included(_)) {
                        ']'
                    } else {
                        ')'
                    };
                    write!(f, "a number in {l}{a}, {b}{r}")
                }
            },
            Expected::OneOf(v) => write!(f, "one of {}", v.join(", ")),
            Expected::NonEmpty => f.write_str("a non-empty value"),
            Expected::Form(s) | Expected::Rule(s) => f.write_str(s),
        }
    }
}

fn fmt_value(value: &str) -> String {
    if value.is_empty() {
        String::new()
    } else {
        format!(" = {value}")
    }
}

/// Codes in backticks, comma-separated (at most 20, then how many more).
fn fmt_codes(codes: &[String]) -> String {
    let quoted: Vec<String> = codes.iter().map(|c| format!("`{c}`")).collect();
    shown(&quoted)
}

/// At most 20 known names, then how many more.
fn fmt_known(known: &[String]) -> String {
    if known.is_empty() {
        return String::new();
    }
    format!(" (known: {})", shown(known))
}

/// The first 20 items joined with ", ", then "and N more".
fn shown(items: &[String]) -> String {
    const SHOWN: usize = 20;
    let mut s = items
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > SHOWN {
        s.push_str(&format!(" and {} more", items.len() - SHOWN));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The missing columns are listed as such (the message used to read "...framework:  (known: `c`)",
    /// with `c` the missing column).
    #[test]
    fn several_roots_are_listed_as_codes() {
        let e = Error::MultipleRoots {
            codes: vec!["Env".into(), "Index".into()],
        };
        assert_eq!(
            e.to_string(),
            "the framework has several roots: `Env`, `Index`; exactly one index node may have no parent"
        );
    }

    #[test]
    fn missing_columns_are_listed_plainly() {
        let e = Error::MissingColumns {
            columns: vec!["c".into(), "d".into()],
        };
        assert_eq!(
            e.to_string(),
            "the data lack columns required by the framework: `c`, `d`"
        );
        let many: Vec<String> = (0..25).map(|i| format!("x{i}")).collect();
        let e = Error::MissingColumns { columns: many };
        assert!(e.to_string().ends_with("`x19` and 5 more"), "{e}");
    }

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
