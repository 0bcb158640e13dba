//! The single code path that checks an aggregation block and applies the [`MissingPolicy`].
//!
//! Every built-in aggregator goes through [`check_block`] and [`row_weight_sum`] (row-wise means via
//! [`aggregate_rows`]); a user-defined [`Aggregator`](super::Aggregator) can use the same functions to
//! get identical weight checks and missing-value behaviour.

use ndarray::{Array1, ArrayView1, ArrayView2};

use super::{MissingPolicy, NodeContext};
use crate::error::{Error, Expected, Result};

/// One unit's row as handed to a row kernel by [`aggregate_rows`].
///
/// The kernel is only called for rows the missing-value policy lets through and whose available
/// children carry a positive weight sum, so `weight_sum > 0` always holds.
///
/// ```
/// use composite_indicators::aggregate::RowInput;
/// use ndarray::array;
/// let values = array![1.0, f64::NAN, 3.0];
/// let row = RowInput { unit: 0, values: values.view(), weights: &[1.0, 1.0, 0.0], weight_sum: 1.0 };
/// // missing children and zero-weight children are not "available"
/// let avail: Vec<_> = row.available().collect();
/// assert_eq!(avail, vec![(0, 1.0, 1.0)]);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct RowInput<'a> {
    /// Row index of the unit (position in [`NodeContext::unit_codes`]).
    pub unit: usize,
    /// The unit's child values in column order; NaN = missing.
    pub values: ArrayView1<'a, f64>,
    /// One checked (finite, non-negative) weight per child.
    pub weights: &'a [f64],
    /// Sum of the weights of the available (non-missing) children; positive.
    pub weight_sum: f64,
}

impl RowInput<'_> {
    /// The children that take part in the aggregation: `(child index, value, weight)` for every child
    /// whose value is not missing and whose weight is positive (a zero weight contributes nothing, so
    /// zero-weight children are never checked for positivity either).
    ///
    /// ```
    /// use composite_indicators::aggregate::RowInput;
    /// use ndarray::array;
    /// let values = array![2.0, 4.0];
    /// let row = RowInput { unit: 0, values: values.view(), weights: &[1.0, 3.0], weight_sum: 4.0 };
    /// let mean: f64 = row.available().map(|(_, x, w)| w * x).sum::<f64>() / row.weight_sum;
    /// assert_eq!(mean, 3.5);
    /// ```
    pub fn available(&self) -> impl Iterator<Item = (usize, f64, f64)> + '_ {
        self.values
            .iter()
            .zip(self.weights.iter())
            .enumerate()
            .filter(|(_, (x, w))| !x.is_nan() && **w > 0.0)
            .map(|(j, (&x, &w))| (j, x, w))
    }
}

/// Check the shapes of a block against its weights and context, the weights and the policy.
///
/// * `weights.len()`, `ctx.children.len()` must equal the number of columns and
///   `ctx.unit_codes.len()` the number of rows ([`Error::ShapeMismatch`]);
/// * every weight must be finite and non-negative ([`Error::InvalidParameter`] naming node and child);
/// * `min_coverage` of [`MissingPolicy::Skip`] must lie in `[0, 1]` ([`Error::InvalidParameter`]).
///
/// A zero weight sum is not an error here: rows whose available weight is zero aggregate to NaN.
///
/// ```
/// use composite_indicators::aggregate::{check_block, MissingPolicy, NodeContext};
/// use composite_indicators::Error;
/// use ndarray::array;
/// let children = vec!["a".to_string(), "b".to_string()];
/// let units = vec!["u".to_string()];
/// let ctx = NodeContext { node: "P", children: &children, unit_codes: &units,
///                         missing: MissingPolicy::default() };
/// let x = array![[1.0, 2.0]];
/// assert!(check_block(x.view(), &[1.0, 1.0], &ctx).is_ok());
/// assert!(matches!(check_block(x.view(), &[1.0], &ctx), Err(Error::ShapeMismatch { .. })));
/// assert!(matches!(check_block(x.view(), &[1.0, -1.0], &ctx), Err(Error::InvalidParameter { .. })));
/// ```
pub fn check_block(
    values: ArrayView2<'_, f64>,
    weights: &[f64],
    ctx: &NodeContext<'_>,
) -> Result<()> {
    check_block_signs(values, weights, ctx, false)
}

/// [`check_block`], with negative (finite) weights allowed when `signed` is true (for
/// [`AggregatorKind::SignedArithmetic`](super::AggregatorKind::SignedArithmetic)).
pub(crate) fn check_block_signs(
    values: ArrayView2<'_, f64>,
    weights: &[f64],
    ctx: &NodeContext<'_>,
    signed: bool,
) -> Result<()> {
    let (n_units, n_children) = values.dim();
    if weights.len() != n_children {
        return Err(Error::ShapeMismatch {
            what: format!("weights of the children of `{}`", ctx.node),
            expected: n_children,
            found: weights.len(),
        });
    }
    if ctx.children.len() != n_children {
        return Err(Error::ShapeMismatch {
            what: format!("child codes of `{}`", ctx.node),
            expected: n_children,
            found: ctx.children.len(),
        });
    }
    if ctx.unit_codes.len() != n_units {
        return Err(Error::ShapeMismatch {
            what: format!("unit codes for aggregating `{}`", ctx.node),
            expected: n_units,
            found: ctx.unit_codes.len(),
        });
    }
    for (j, &w) in weights.iter().enumerate() {
        if !w.is_finite() {
            return Err(Error::invalid(
                format!("weights of `{}`", ctx.node),
                w,
                Expected::Rule(format!(
                    "weight of child `{}` is {w}; weights must be finite",
                    child_code(ctx, j)
                )),
            ));
        }
        if w < 0.0 && !signed {
            return Err(Error::invalid(
                format!("weights of `{}`", ctx.node),
                w,
                Expected::Rule(format!(
                    "weight of child `{}` is {w}; weights must be non-negative (signed weights, \
                     such as PCA loadings kept with `negative_loadings = \"keep\"`, need the \
                     `signed_arithmetic` aggregator)",
                    child_code(ctx, j)
                )),
            ));
        }
    }
    if let MissingPolicy::Skip { min_coverage } = ctx.missing
        && !(0.0..=1.0).contains(&min_coverage)
    {
        return Err(Error::invalid(
            "min_coverage",
            min_coverage,
            Expected::closed(0.0, 1.0),
        ));
    }
    Ok(())
}

/// Apply the missing-value policy to one row and return the weight of its available children.
///
/// * `Ok(None)`: the result for this unit is missing (NaN) — under `Propagate` because a child is
///   missing, under `Skip` because the share of available children (counted, not weighted, as COINr's
///   `dat_thresh`) is strictly below `min_coverage` or no child is available; under every policy
///   because the available children weigh zero in total.
/// * `Ok(Some(w))`: aggregate over the available children, whose weights sum to `w > 0`.
/// * `Err(Error::MissingValue)` under `MissingPolicy::Error` for the first missing child.
///
/// Call [`check_block`] first: the weights are assumed finite and non-negative.
///
/// ```
/// use composite_indicators::aggregate::{row_weight_sum, MissingPolicy, NodeContext};
/// use ndarray::array;
/// let children = vec!["a".to_string(), "b".to_string(), "c".to_string()];
/// let units = vec!["u".to_string()];
/// let mut ctx = NodeContext { node: "P", children: &children, unit_codes: &units,
///                             missing: MissingPolicy::Skip { min_coverage: 0.5 } };
/// let row = array![1.0, f64::NAN, 3.0];
/// // 2 of 3 children available (0.67 >= 0.5): re-weight over a and c
/// assert_eq!(row_weight_sum(row.view(), 0, &[1.0, 2.0, 3.0], &ctx).unwrap(), Some(4.0));
/// ctx.missing = MissingPolicy::Propagate;
/// assert_eq!(row_weight_sum(row.view(), 0, &[1.0, 2.0, 3.0], &ctx).unwrap(), None);
/// ctx.missing = MissingPolicy::Error;
/// assert!(row_weight_sum(row.view(), 0, &[1.0, 2.0, 3.0], &ctx).is_err());
/// ```
pub fn row_weight_sum(
    row: ArrayView1<'_, f64>,
    unit: usize,
    weights: &[f64],
    ctx: &NodeContext<'_>,
) -> Result<Option<f64>> {
    let mut n_avail = 0usize;
    let mut weight_sum = 0.0;
    let mut first_missing = None;
    for (j, (&x, &w)) in row.iter().zip(weights.iter()).enumerate() {
        if x.is_nan() {
            if first_missing.is_none() {
                first_missing = Some(j);
            }
        } else {
            n_avail += 1;
            weight_sum += w;
        }
    }
    let keep = match (ctx.missing, first_missing) {
        (_, None) => n_avail > 0,
        (MissingPolicy::Error, Some(j)) => {
            return Err(Error::MissingValue {
                unit: unit_code(ctx, unit),
                node: ctx.node.to_string(),
                child: child_code(ctx, j),
            });
        }
        (MissingPolicy::Propagate, Some(_)) => false,
        (MissingPolicy::Skip { min_coverage }, Some(_)) => {
            n_avail > 0 && (n_avail as f64) / (row.len() as f64) >= min_coverage
        }
    };
    Ok((keep && weight_sum > 0.0).then_some(weight_sum))
}

/// Aggregate a block row by row: check it ([`check_block`]), apply the missing-value policy to each
/// row ([`row_weight_sum`]) and call `kernel` for every row that is to be computed; other rows are
/// NaN. The kernel sees the row through [`RowInput`] and should use [`RowInput::available`].
///
/// This loop does not allocate per row; a kernel that needs scratch space can keep it in its closure.
///
/// ```
/// use composite_indicators::aggregate::{aggregate_rows, MissingPolicy, NodeContext};
/// use ndarray::array;
/// let children = vec!["a".to_string(), "b".to_string()];
/// let units = vec!["u1".to_string(), "u2".to_string()];
/// let ctx = NodeContext { node: "P", children: &children, unit_codes: &units,
///                         missing: MissingPolicy::default() };
/// let x = array![[1.0, 5.0], [f64::NAN, 2.0]];
/// // weighted maximum, a custom method with the crate's missing-value handling
/// let y = aggregate_rows(x.view(), &[1.0, 1.0], &ctx, |row| {
///     Ok(row.available().map(|(_, x, _)| x).fold(f64::NEG_INFINITY, f64::max))
/// })
/// .unwrap();
/// assert_eq!(y.to_vec(), vec![5.0, 2.0]);
/// ```
pub fn aggregate_rows<F>(
    values: ArrayView2<'_, f64>,
    weights: &[f64],
    ctx: &NodeContext<'_>,
    mut kernel: F,
) -> Result<Array1<f64>>
where
    F: FnMut(RowInput<'_>) -> Result<f64>,
{
    check_block(values, weights, ctx)?;
    let mut out = Array1::from_elem(values.nrows(), f64::NAN);
    for ((unit, row), slot) in values.rows().into_iter().enumerate().zip(out.iter_mut()) {
        if let Some(weight_sum) = row_weight_sum(row, unit, weights, ctx)? {
            *slot = kernel(RowInput {
                unit,
                values: row,
                weights,
                weight_sum,
            })?;
        }
    }
    Ok(out)
}

/// The code of unit `i`, or `#i` if the context has no such unit.
pub(crate) fn unit_code(ctx: &NodeContext<'_>, i: usize) -> String {
    ctx.unit_codes
        .get(i)
        .cloned()
        .unwrap_or_else(|| format!("#{i}"))
}

/// The code of child `j`, or `#j` if the context has no such child.
pub(crate) fn child_code(ctx: &NodeContext<'_>, j: usize) -> String {
    ctx.children
        .get(j)
        .cloned()
        .unwrap_or_else(|| format!("#{j}"))
}
