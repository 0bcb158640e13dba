//! `compind report`: the uncertainty table of a sweep.

use std::path::PathBuf;

use composite_indicators::io::ua_table_with_resolution;

use crate::common::{self, Outcome};
use crate::sweepfile::SweepFile;

/// Summarise a sweep file per unit (COINr's get_sensitivity rank summaries).
///
/// Columns: uCode, uName, nominal_rank, median_rank, q05_rank, q95_rank (rank quantiles as R's
/// default quantile(), type 7), mean_abs_shift (mean |rank - nominal rank|), mean_rank,
/// nominal_score, score_mean, score_sd, score_q05, score_median, score_q95, n_missing. A value
/// that does not exist (a unit never ranked) is an empty cell (JSON null). An output ending in
/// `.json` is written as JSON.
///
/// Precision: the rank columns are exact (from exact rank histograms). score_mean and score_sd
/// are sums over every variant; on the fast path (up to 256 units) the variants' scores are f32,
/// so these agree with f64 scores to about 1e-6 relative. score_q05/median/q95 are interpolated
/// in a histogram of `compind sweep --score-bins` bins (default 256) over each unit's score
/// range: within one bin width ((max - min)/bins) of the exact quantile; a unit whose score never
/// changes gets that score.
///
/// With normaliser alternatives (`compind sweep --alt-normalise`), the variants' scores are on
/// different scales (min-max 0-100, z-scores, ranks ...), so score_mean, score_sd, score_q05,
/// score_median and score_q95 are left empty (a note says so); the rank columns and nominal_score
/// are kept. Aggregator alternatives keep the score columns (same normalised scale). A sweep run
/// with `--no-score-stats` kept no score statistics: the score columns are empty (a note says so).
///
/// A sweep run with binned rank histograms (`compind sweep --rank-summary binned:B`, or `auto`
/// when exact ones did not fit) adds a last column, rank_resolution: the bin width w. Its rank
/// quantiles read each bin's counts as spread evenly over the bin's ranks (within w - 1 of the
/// exact value, either side; 0.7-1.3 ranks on average on a 2,000-unit sweep with w = 20), and
/// mean_rank and mean_abs_shift use bin midpoints (within (w - 1)/2 of the exact values). Exact
/// sweeps have no such column.
///
/// Example:
///
///   compind report sweep.json --out ua.csv
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// A sweep file from `compind sweep` or `compind merge`. Example: `sweep.json`.
    #[arg(value_name = "FILE.json", value_parser = common::input_path)]
    file: PathBuf,
    /// Output table (CSV; JSON if it ends in .json). Example: `--out ua.csv`.
    #[arg(value_parser = common::output_path, long, value_name = "FILE")]
    out: PathBuf,
}

pub fn run(a: &Args, quiet: bool) -> Outcome {
    common::check_outputs(std::slice::from_ref(&a.file), std::slice::from_ref(&a.out))?;
    let f = SweepFile::read(&a.file)?;
    let mut ua = f.result.ua_report();
    // normaliser alternatives put scores on different scales (0-100, z-scores, ranks): pooled score
    // statistics would mix them, so they are left empty (the ranks compare across alternatives)
    let mixed: Vec<&str> = f
        .alternatives
        .iter()
        .skip(1)
        .map(String::as_str)
        .filter(|n| crate::sweep::renormalises(n))
        .collect();
    if !mixed.is_empty() {
        for r in &mut ua.rows {
            r.score_mean = None;
            r.score_sd = None;
            r.score_q05 = None;
            r.score_median = None;
            r.score_q95 = None;
        }
    }
    let width = f.result.ranks.bin_width();
    let names = (f.result.unit_codes.as_slice(), f.unit_names.as_slice());
    ua_table_with_resolution(&ua, Some(names), width)?.write_path(&a.out)?;
    if !quiet {
        if !mixed.is_empty() {
            eprintln!(
                "note: the sweep has normaliser alternatives ({}), whose scores are on other scales than \
                 the nominal build's: the score columns (score_mean ... score_q95) are left empty; the \
                 rank columns compare across them",
                mixed.join("; ")
            );
        }
        if !f.result.scores.is_kept() {
            eprintln!(
                "note: the sweep kept rank statistics only (compind sweep --no-score-stats): the \
                 score columns (score_mean ... score_q95) are empty"
            );
        }
        if !f.complete() {
            eprintln!(
                "note: {} covers variants {}..{} of {} (one shard; merge the others first for the whole sweep)",
                a.file.display(),
                f.range[0],
                f.range[1],
                f.config.variants
            );
        }
        eprintln!(
            "wrote {} ({}, {}) to {}",
            common::count(ua.rows.len(), "unit"),
            common::count(ua.variants, "variant"),
            crate::sweep::summary_words(&f.result.ranks),
            a.out.display()
        );
    }
    Ok(())
}
