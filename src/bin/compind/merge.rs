//! `compind merge`: join sweep shards into one result.

use std::path::PathBuf;

use composite_indicators::Error;

use crate::common::{self, Outcome};
use crate::sweepfile::SweepFile;

/// Merge sweep files of disjoint variant ranges of one sweep into one file.
///
/// The files must come from the same sweep (same configuration, alternatives and units) and their
/// ranges must tile a contiguous range without overlap (any order on the command line: they are
/// merged in range order). Merging shards 1/N .. N/N gives the file one unsharded run writes,
/// also for binned rank histograms (`--rank-summary binned:B`: bin counts merge exactly). Shards
/// must keep the same rank summary: with `--rank-summary auto` each shard picks its bins from its
/// own memory budget, so shards that picked different bins do not merge (run them with
/// `--rank-summary binned:B` instead).
///
/// Example:
///
///   compind merge part1.json part2.json part3.json part4.json --out sweep.json
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Sweep files written by `compind sweep` (two or more). Example: `part1.json part2.json`.
    #[arg(value_name = "FILE.json", value_parser = common::input_path, required = true, num_args = 2..)]
    files: Vec<PathBuf>,
    /// Merged output file (JSON). Example: `--out sweep.json`.
    #[arg(value_parser = common::output_path, long, value_name = "FILE.json")]
    out: PathBuf,
}

pub fn run(a: &Args, quiet: bool) -> Outcome {
    common::check_outputs(&a.files, std::slice::from_ref(&a.out))?;
    let mut parts: Vec<(PathBuf, SweepFile)> = Vec::with_capacity(a.files.len());
    for p in &a.files {
        parts.push((p.clone(), SweepFile::read(p)?));
    }
    parts.sort_by_key(|(_, f)| f.range);
    let mut iter = parts.into_iter();
    let Some((first_path, mut acc)) = iter.next() else {
        return Ok(());
    };
    let mut last_path = first_path.clone();
    for (path, f) in iter {
        let clash = |what: &str| Error::SweepMerge {
            reason: format!(
                "`{}` and `{}` come from different sweeps ({what} differ)",
                first_path.display(),
                path.display()
            ),
        };
        if f.config.score_stats != acc.config.score_stats {
            return Err(Error::SweepMerge {
                reason: format!(
                    "`{}` and `{}` come from different sweeps: one was run with --no-score-stats and \
                     the other without (shards of one sweep must all use it or none)",
                    first_path.display(),
                    path.display()
                ),
            }
            .into());
        }
        if f.config != acc.config {
            return Err(clash("configurations").into());
        }
        if f.alternatives != acc.alternatives {
            return Err(clash("method alternatives").into());
        }
        if f.unit_names != acc.unit_names || f.result.unit_codes != acc.result.unit_codes {
            return Err(clash("units").into());
        }
        let (wa, wb) = (acc.result.ranks.bin_width(), f.result.ranks.bin_width());
        if wa != wb {
            return Err(Error::SweepMerge {
                reason: format!(
                    "`{}` keeps {} and `{}` {}: shards of one sweep must use the same rank \
                     summary (with --rank-summary auto each shard picks its bins from its own \
                     memory budget; run the shards with --rank-summary binned:B)",
                    first_path.display(),
                    crate::sweep::summary_words(&acc.result.ranks),
                    path.display(),
                    crate::sweep::summary_words(&f.result.ranks)
                ),
            }
            .into());
        }
        let [s, e] = f.range;
        let end = acc.range[1];
        if s < end {
            return Err(Error::SweepMerge {
                reason: format!(
                    "`{}` (variants {s}..{e}) overlaps `{}` (variants up to {end}): each variant must be counted once",
                    path.display(),
                    last_path.display()
                ),
            }
            .into());
        }
        if s > end {
            return Err(Error::SweepMerge {
                reason: format!(
                    "variants {end}..{s} are in no file (between `{}` and `{}`)",
                    last_path.display(),
                    path.display()
                ),
            }
            .into());
        }
        acc.result.merge(&f.result)?;
        acc.range[1] = e;
        last_path = path;
    }
    acc.write(&a.out)?;
    if !quiet {
        eprintln!(
            "merged {}: variants {}..{} of {} to {}",
            common::count(a.files.len(), "file"),
            acc.range[0],
            acc.range[1],
            acc.config.variants,
            a.out.display()
        );
    }
    Ok(())
}
