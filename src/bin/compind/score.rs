//! `compind score`: score the index and write one row per unit.

use std::path::PathBuf;

use composite_indicators::error::{Error, Expected};
use composite_indicators::io::{self, RankColumns, ScoreTableOptions};
use composite_indicators::normalise::{FittedForm, OutOfRangePolicy};
use composite_indicators::pipeline::Pipeline;

use crate::common::{self, Inputs, Methods, Outcome};

/// Score a composite index: prepare, normalise, aggregate, rank; one row per unit.
///
/// The table has, by default, `uCode`, one column per indicator (normalised) and per aggregate
/// (bottom-up, the index last), then `Rank` (of the index, 1 = best); the same options and table as
/// the crate's `score` example program (in the repository's `examples/`). Rows are sorted by unit
/// code; units removed by `--screen` are listed on stderr. Numbers read back to the same f64;
/// missing values are empty. An output ending in `.json` is written as a JSON array of objects
/// (missing = null).
///
/// Example (COINr's build_example_coin(); data/asem/ is in a clone of the repository):
///
///   compind score --imeta data/asem/iMeta.csv --idata data/asem/iData.csv --denominate
///     --impute group_mean:EurAsia_group --screen 0.9 --treat winsorise:5
///     --normalise minmax:0,100 --aggregate arithmetic --names --ranks all --round 2 --out scores.csv
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    inputs: Inputs,
    #[command(flatten)]
    methods: Methods,
    /// Normalise on a scale saved by `--save-scale` instead of fitting one (a new year on last
    /// year's scale); not with `--normalise`. Example: `--scale scale2023.json`.
    #[arg(long, value_name = "FILE.json", value_parser = common::input_path, conflicts_with = "normalise")]
    scale: Option<PathBuf>,
    /// With --scale: what to do with a value outside the saved range: extrapolate (default: apply the
    /// formula, so min-max scores can fall below 0 or above 100) or clamp (to the saved range first).
    /// Example: `--out-of-range clamp`.
    #[arg(long, value_name = "extrapolate|clamp", requires = "scale", value_parser = ["extrapolate", "clamp"])]
    out_of_range: Option<String>,
    /// Save what every normaliser learned (min/max, mean/sd, ranks, ...) as JSON, after the table.
    /// Example: `--save-scale scale2024.json`.
    #[arg(value_parser = common::output_path, long, value_name = "FILE.json")]
    save_scale: Option<PathBuf>,
    /// Add `uName` and the unit group columns (e.g. GDP_group) after `uCode`. Example: `--names`.
    #[arg(long)]
    names: bool,
    /// Rank columns: `index` (only `Rank`, the default) or `all` (`Rank_<code>` for every aggregate
    /// below the index, then `Rank`). Example: `--ranks all`.
    #[arg(long, value_name = "index|all", default_value = "index", value_parser = ["index", "all"])]
    ranks: String,
    /// Round scores (not ranks) to N decimals (halves away from zero). Example: `--round 2`.
    #[arg(long, value_name = "N")]
    round: Option<i64>,
    /// Output table (CSV; JSON if it ends in .json). Never one of the inputs.
    /// Example: `--out scores.csv`.
    #[arg(value_parser = common::output_path, long, value_name = "FILE")]
    out: PathBuf,
}

pub fn run(a: &Args, quiet: bool) -> Outcome {
    a.inputs.require()?;
    if let Some(r) = a.round.filter(|r| !(0..=15).contains(r)) {
        return Err(Error::invalid("--round", r, Expected::closed(0.0, 15.0)).into());
    }
    let mut inputs = a.inputs.paths();
    inputs.extend(a.scale.iter().cloned());
    let mut outputs = vec![a.out.clone()];
    outputs.extend(a.save_scale.iter().cloned());
    // every method option is checked before a file is read (the goalpost scale comes later)
    a.methods.config(&Default::default())?;
    common::check_outputs(&inputs, &outputs)?;
    let f = a.inputs.framework()?;
    let opts = ScoreTableOptions {
        names: a.names,
        ranks: if a.ranks == "all" {
            RankColumns::All
        } else {
            RankColumns::Index
        },
        round: a.round.and_then(|r| u32::try_from(r).ok()),
    };
    // a node coded `Rank` (or like another column of ours) fails before any file is written
    io::score_table_columns(&f.framework, &f.groups, &opts)?;
    let pipeline = Pipeline::new(a.methods.config_noted(&f.imeta_normalise, quiet)?);
    let data = a.inputs.data(&f)?;
    let clamp = a.out_of_range.as_deref() == Some("clamp");
    let scale = a
        .scale
        .as_ref()
        .map(io::read_scale_path)
        .transpose()?
        .map(|params| {
            // a saved scale keeps its own policy unless --out-of-range clamp is given
            params
                .into_iter()
                .map(|p| {
                    if clamp {
                        p.with_out_of_range(OutOfRangePolicy::Clamp)
                    } else {
                        p
                    }
                })
                .collect::<Vec<_>>()
        });
    // the min-max indicators whose values may be extrapolated beyond the saved [lo, hi]
    let minmax: Vec<(String, f64, f64)> = scale
        .iter()
        .flatten()
        .filter(|p| p.out_of_range == OutOfRangePolicy::Extrapolate)
        .filter_map(|p| match p.form {
            FittedForm::MinMax { lo, hi, .. } => {
                Some((p.indicator.clone(), lo.min(hi), lo.max(hi)))
            }
            _ => None,
        })
        .collect();
    let result =
        common::run_pipeline(&pipeline, &data, &f.framework, scale, quiet).map_err(|e| {
            // a code of the saved scale the framework lacks, or one given twice (the library's
            // `FittedScorer::from_params` names only the code): name the scale file
            let (path, message) = match (&a.scale, &e) {
                (Some(path), Error::UnknownCode { code }) => (
                    path,
                    format!(
                        "the saved scale has indicator `{code}`, which the framework does not have \
                     (a scale saved from another framework?)"
                    ),
                ),
                (Some(path), Error::DuplicateCode { code }) => (
                    path,
                    format!("the saved scale has indicator `{code}` twice"),
                ),
                _ => return e,
            };
            Error::Parse {
                source_name: path.display().to_string(),
                line: None,
                column: None,
                message,
            }
        })?;
    if !quiet && !minmax.is_empty() {
        // min-max scores outside the saved scale's [lo, hi]: extrapolated, say so
        let normalised = result.dataset("Normalised").ok();
        let outside: usize = minmax
            .iter()
            .filter_map(|(code, lo, hi)| {
                let col = normalised?.column(code).ok()?;
                Some(col.iter().filter(|v| **v < *lo || **v > *hi).count())
            })
            .sum();
        if outside > 0 {
            eprintln!(
                "note: {} outside the saved scale's range, extrapolated (min-max scores below its \
                 lower or above its upper end); --out-of-range clamp clamps them",
                common::count(outside, "value")
            );
        }
    }
    let table = io::score_table(result.scores(), result.prepared(), &opts)?;
    // everything that can fail is computed before the first file is written
    let saved = match &a.save_scale {
        Some(path) => Some((path, result.fitted().params()?)),
        None => None,
    };
    table.write_path(&a.out)?;
    if !quiet {
        eprintln!(
            "wrote {} to {}",
            common::count(result.prepared().n_units(), "unit"),
            a.out.display()
        );
    }
    if let Some((path, scale)) = saved {
        io::write_scale_path(path, &scale)?;
        if !quiet {
            eprintln!(
                "saved the scale of {} to {}",
                common::count(scale.len(), "indicator"),
                path.display()
            );
        }
    }
    Ok(())
}
