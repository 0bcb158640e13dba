//! `compind panel`: per-period builds of a COINr panel (COINr's purse).

use std::path::PathBuf;

use composite_indicators::study::CsvTable;

use crate::common::{self, Methods, Outcome};
use crate::panelcommon::{self, PanelInputs};

/// COINr's purse: build every period of a panel (global or per-period normalisation).
///
/// Build a composite index for every period of a COINr panel (COINr's purse: new_coin on a panel
/// iData, then the same build for every period). The preparation steps (--denominate, --impute,
/// --screen, --treat) run on each period's own data; normalisation is fitted on all periods pooled
/// (--scope global, COINr's Normalise(purse, global = TRUE) and its default: scores comparable over
/// time) or on each period alone (--scope per-period); aggregation per period.
///
/// Output: one row per unit and period, columns uCode, Time, one per node (the normalised
/// indicators, then the aggregates, the index last) and Rank (of the index within its period).
/// Units without a row in some period are listed on stderr; nothing is dropped silently.
///
/// Example (COINr's build of the 5-year ASEM panel, one scale for all years):
///
///   compind panel --imeta data/asem/iMeta.csv --idata data/asem/iData_p.csv --denominate
///     --impute group_mean:EurAsia_group --treat winsorise:5 --scope global --out panel_scores.csv
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    inputs: PanelInputs,
    #[command(flatten)]
    methods: Methods,
    /// Where the normalisation is fitted: global (all periods pooled, default, as COINr) or
    /// per-period. Example: `--scope per-period`.
    #[arg(long, value_name = "global|per-period", default_value = "global", value_parser = ["global", "per-period"])]
    scope: String,
    /// Also write one data set of every period as a panel CSV (uCode, uName, Time, columns):
    /// --dset NAME (COINr's names: Raw ... Treated, Normalised, Aggregated) with --dset-out FILE.
    /// Example: `--dset Treated --dset-out treated_panel.csv`.
    #[arg(long, value_name = "NAME", requires = "dset_out")]
    dset: Option<String>,
    /// The file of --dset. Example: `--dset-out treated_panel.csv`.
    #[arg(value_parser = common::output_path, long, value_name = "FILE", requires = "dset")]
    dset_out: Option<PathBuf>,
    /// Output table (CSV, `uCode` first). Never one of the inputs. Example: `--out panel_scores.csv`.
    #[arg(value_parser = common::output_path, long, value_name = "FILE")]
    out: PathBuf,
}

pub fn run(a: &Args, quiet: bool) -> Outcome {
    a.methods.config(&Default::default())?;
    if let Some(d) = &a.dset {
        common::parse_dset(d)?;
    }
    let mut outputs = vec![a.out.clone()];
    outputs.extend(a.dset_out.iter().cloned());
    common::check_outputs(&a.inputs.paths(), &outputs)?;
    let (_, panel, purse) = panelcommon::build(&a.inputs, &a.methods, &a.scope, quiet)?;
    let extra = match &a.dset {
        Some(d) => Some(purse.panel(d).map_err(|e| common::as_flag("--dset", e))?),
        None => None,
    };
    let scores = purse.scores();
    scores.write_csv_path(&a.out)?;
    if let (Some(p), Some(extra)) = (&a.dset_out, &extra) {
        extra.write_csv_path(p)?;
    }
    if !quiet {
        for e in purse.entries() {
            let removed = e.result.removed_units();
            if !removed.is_empty() {
                eprintln!("{}: screening removed {}", e.time, removed.join(", "));
            }
        }
        for u in purse.absent() {
            eprintln!("note: {} has no row for {}", u.unit, u.time);
        }
        eprintln!(
            "built {} ({}); wrote {} rows to {}",
            common::count(purse.times().len(), "period"),
            common::count(panel.unit_codes().len(), "unit"),
            scores.rows.len(),
            a.out.display()
        );
    }
    Ok(())
}
