//! `compind remove`: leave-one-out of the elements of a level (COINr's remove_elements).

use std::path::PathBuf;

use composite_indicators::study::CsvTable;
use composite_indicators::study::remove::{RemoveMethod, RemoveOptions, remove_elements};

use crate::common::{self, Inputs, Methods, Outcome};

/// COINr's remove_elements: leave each element of a level out in turn.
///
/// Leave-one-out (COINr's remove_elements): remove each element of a level in turn (its weight set
/// to zero, its siblings' weights re-normalised, as COINr) and score again, reporting every unit's
/// score and rank at the target node. The preparation, normalisation and weights are those of the
/// build with the options given (as `compind score`).
///
/// Output (--out): one row per unit and removed element, columns uCode, removed, score, rank,
/// nominal_score, nominal_rank, rank_diff (nominal rank − rank without the element: positive = the
/// unit moves up), abs_rank_diff. With --summary FILE, also one row per removed element: removed,
/// mean_abs_rank_diff (COINr's MeanAbsDiff).
///
/// Example (remove each ASEM pillar in turn):
///
///   compind remove --imeta data/asem/iMeta.csv --idata data/asem/iData.csv --denominate
///     --impute group_mean:EurAsia_group --screen 0.9 --treat winsorise:5 --level 2
///     --summary loo_summary.csv --out loo.csv
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    inputs: Inputs,
    #[command(flatten)]
    methods: Methods,
    /// The level whose elements are removed one at a time: 1 = indicators, 2 = their parents, ...
    /// up to one below the index (COINr's Level). Example: `--level 2`.
    #[arg(long, value_name = "LEVEL")]
    level: usize,
    /// Node whose scores and ranks are reported (COINr's iCode); default the index.
    /// Example: `--target Conn`.
    #[arg(long, value_name = "CODE")]
    target: Option<String>,
    /// Score each removal by re-aggregating only the removed element's ancestors (batched, the
    /// default) or by rebuilding the whole tree (rebuild, as COINr's Regen; same numbers, slower).
    /// Example: `--method rebuild`.
    #[arg(long, value_name = "batched|rebuild", default_value = "batched", value_parser = ["batched", "rebuild"])]
    method: String,
    /// Also write the mean absolute rank difference per removed element.
    /// Example: `--summary loo_summary.csv`.
    #[arg(value_parser = common::output_path, long, value_name = "FILE")]
    summary: Option<PathBuf>,
    /// Output table (CSV, `uCode` first). Never one of the inputs. Example: `--out loo.csv`.
    #[arg(value_parser = common::output_path, long, value_name = "FILE")]
    out: PathBuf,
}

pub fn run(a: &Args, quiet: bool) -> Outcome {
    a.inputs.require()?;
    a.methods.config(&Default::default())?;
    let mut outputs = vec![a.out.clone()];
    outputs.extend(a.summary.iter().cloned());
    common::check_outputs(&a.inputs.paths(), &outputs)?;
    let mut opts = RemoveOptions::new(a.level).method(if a.method == "rebuild" {
        RemoveMethod::Rebuild
    } else {
        RemoveMethod::Batched
    });
    if let Some(t) = &a.target {
        opts = opts.target(t.clone());
    }
    let (f, result) = common::build(&a.inputs, &a.methods, quiet)?;
    if let Some(t) = &a.target {
        common::known_node(&f.framework, t, "--target")?;
    }
    let loo = remove_elements(result.fitted().scorer(), result.prepared(), &opts)?;
    loo.write_csv_path(&a.out)?;
    if let Some(p) = &a.summary {
        loo.write_summary_csv_path(p)?;
    }
    if !quiet {
        for (code, why) in &loo.skipped {
            eprintln!("not removed: {code} ({why})");
        }
        eprintln!(
            "removed {} of level {} in turn; wrote {} rows to {}",
            common::count(loo.removed.len(), "element"),
            loo.level,
            loo.removed.len() * loo.unit_codes.len(),
            a.out.display()
        );
    }
    Ok(())
}
