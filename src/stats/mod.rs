//! Statistics shared by the whole crate (private; between `data` and `prepare` in the flow): moments,
//! medians, pairwise- and listwise-complete correlations, average ranks, the symmetric
//! eigen-decomposition and the significance tests of correlations. One home, so that the audit,
//! data-driven weights, outlier treatment, imputation and the study tools compute a statistic the
//! same way, in the same summation order.
//!
//! * [`moments`]: `mean`, `mean_corrected` (R's two-pass mean), `sample_variance`, `sample_sd`,
//!   `mean_of`, `median_of`;
//! * [`correlation`]: `pearson_pairwise`, `pearson_slice`, `spearman_pairwise`, `average_ranks`,
//!   `complete_rows`, `correlation_complete`;
//! * [`eigen`]: `sym_eigen` (cyclic Jacobi);
//! * [`significance`]: tail probabilities of Pearson's and Spearman's tests, as R's `cor.test`.

pub(crate) mod correlation;
pub(crate) mod eigen;
pub(crate) mod moments;
pub(crate) mod quantile;
pub(crate) mod significance;

pub(crate) use correlation::{
    complete_rows, correlation_complete, pearson_pairwise, spearman_pairwise,
};
pub(crate) use eigen::sym_eigen;
pub(crate) use moments::{mean, mean_corrected, mean_of, median_of, sample_sd, sample_variance};
