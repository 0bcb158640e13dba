//! `compind strweak`: the strengths and weaknesses of units (COINr's get_str_weak).

use std::path::PathBuf;

use composite_indicators::Error;
use composite_indicators::error::Expected;
use composite_indicators::pipeline::Stage;
use composite_indicators::study::CsvTable;
use composite_indicators::study::strweak::{StrWeakOptions, str_weak_table};

use crate::common::{self, Inputs, Methods, Outcome};

/// COINr's get_str_weak: each unit's best- and worst-ranked indicators.
///
/// Strengths and weaknesses of units (COINr's get_str_weak): each unit's best- and worst-ranked
/// indicators of the chosen data set. Every indicator is ranked over all units (or within the unit's
/// group with --use-group), highest value rank 1 after applying the indicator's direction, ties
/// sharing the best rank; indicators the unit lacks, indicators with few distinct values
/// (--unq-discard) and, by default, indicators where the unit is last are left out; the --top best
/// are the strengths, the --bottom worst the weaknesses (in increasing rank, the worst last).
///
/// Output: one row per reported indicator, columns uCode, Type (Strength or Weakness), Position,
/// iCode, iName, Parent (the ancestor at --report-level), Unit (of measure), Rank, Value (as in the
/// data set, not direction-adjusted; not rounded, where COINr rounds to 3 significant figures).
///
/// Example (three ASEM countries, raw data, ranks within their EurAsia group; data/asem/ is in a
/// clone of the repository):
///
///   compind strweak --imeta data/asem/iMeta.csv --idata data/asem/iData.csv
///     --unit AUT --unit CHN --unit NZL --use-group EurAsia_group --out strweak.csv
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    inputs: Inputs,
    #[command(flatten)]
    methods: Methods,
    /// Data set (COINr's names): Raw (default; read as it is, without running the build),
    /// Denominated, Imputed, Screened, Treated, Normalised, Aggregated (its indicator columns).
    /// Example: `--dset Treated`.
    #[arg(long, value_name = "NAME", default_value = "Raw")]
    dset: String,
    /// Unit to report (repeat for several, in the order given); none = every unit of the data set
    /// (with --use-group: every unit with a label in the group column; the others are listed on
    /// stderr). Example: `--unit AUT --unit CHN`.
    #[arg(long = "unit", value_name = "CODE")]
    units: Vec<String>,
    /// Number of strengths per unit (COINr topN; default 5, or every indicator when the framework
    /// has fewer). Example: `--top 3`.
    #[arg(long, value_name = "N")]
    top: Option<usize>,
    /// Number of weaknesses per unit (COINr bottomN; default 5, or every indicator when the
    /// framework has fewer). Example: `--bottom 3`.
    #[arg(long, value_name = "N")]
    bottom: Option<usize>,
    /// Rank within the unit's group of this label column (COINr use_group).
    /// Example: `--use-group GDP_group`.
    #[arg(long, value_name = "COLUMN")]
    use_group: Option<String>,
    /// Leave out indicators whose share of distinct values is not above T, in [0, 1] (COINr
    /// unq_discard). Default: none (no indicator is left out for this, as COINr's unq_discard =
    /// NULL). Example: `--unq-discard 0.2`.
    #[arg(long, value_name = "T")]
    unq_discard: Option<f64>,
    /// Keep indicators where the unit has the worst rank (COINr min_discard = FALSE; by default they
    /// are left out). Example: `--keep-min`.
    #[arg(long)]
    keep_min: bool,
    /// Level of the ancestor reported as Parent, 2 (pillar, default) to the top level (COINr
    /// report_level). Example: `--report-level 3`.
    #[arg(long, value_name = "LEVEL", default_value_t = 2)]
    report_level: usize,
    /// Multiply each indicator by its direction before ranking (COINr adjust_direction): auto (yes
    /// for the data sets before normalisation, Raw to Treated; no for Normalised and Aggregated,
    /// whose directions are already applied; COINr's default is yes for Raw only), yes or no.
    /// Example: `--adjust-direction no`.
    #[arg(long, value_name = "auto|yes|no", default_value = "auto", value_parser = ["auto", "yes", "no"])]
    adjust_direction: String,
    /// Output table (CSV, `uCode` first). Never one of the inputs. Example: `--out strweak.csv`.
    #[arg(value_parser = common::output_path, long, value_name = "FILE")]
    out: PathBuf,
}

pub fn run(a: &Args, quiet: bool) -> Outcome {
    a.inputs.require()?;
    a.methods.config(&Default::default())?;
    a.methods.refuse_ties(
        "`compind strweak` ranks indicator values with min ties, as COINr's get_str_weak",
    )?;
    let stage = common::parse_dset(&a.dset)?;
    a.methods.note_beyond(stage, quiet);
    if let Some(t) = a.unq_discard
        && !(0.0..=1.0).contains(&t)
    {
        return Err(Error::invalid("--unq-discard", t, Expected::closed(0.0, 1.0)).into());
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(u) = a.units.iter().find(|u| !seen.insert(u.as_str())) {
        return Err(Error::invalid(
            "--unit",
            format!("`{u}`"),
            Expected::Rule("each unit once (it is given twice)".into()),
        )
        .into());
    }
    let adjust_direction = match a.adjust_direction.as_str() {
        "yes" => true,
        "no" => false,
        _ => !matches!(stage, Stage::Normalised | Stage::Aggregated),
    };
    common::check_outputs(&a.inputs.paths(), std::slice::from_ref(&a.out))?;
    let (f, data) = common::build_dataset(&a.inputs, &a.methods, &a.dset, quiet)?;
    let data = &data;
    // the default 5 fits small frameworks; a number given is checked as it is
    let default_n = 5.min(f.framework.n_indicators()).max(1);
    let opts = StrWeakOptions {
        top_n: a.top.unwrap_or(default_n),
        bottom_n: a.bottom.unwrap_or(default_n),
        use_group: a.use_group.clone(),
        unq_discard: a.unq_discard,
        min_discard: !a.keep_min,
        report_level: a.report_level,
        adjust_direction,
    };
    let mut units: Vec<&str> = a.units.iter().map(String::as_str).collect();
    if let (true, Some(g)) = (units.is_empty(), &a.use_group) {
        // every unit: those without a label in the group column have no group to rank in (COINr
        // gives them empty tables); leave them out and say so. A unit named with --unit still fails.
        let labels = data.group(g)?;
        let with_label = |has: bool| -> Vec<&str> {
            data.unit_codes()
                .iter()
                .zip(labels)
                .filter(|(_, l)| l.is_empty() != has)
                .map(|(u, _)| u.as_str())
                .collect()
        };
        let (labelled, unlabelled) = (with_label(true), with_label(false));
        if !unlabelled.is_empty() && !quiet {
            eprintln!(
                "note: {} without a label in the group column `{g}` left out: {}",
                common::count(unlabelled.len(), "unit"),
                unlabelled.join(", ")
            );
        }
        units = labelled;
    }
    let table = str_weak_table(data, &f.framework, &units, &opts)?;
    table.write_csv_path(&a.out)?;
    if !quiet {
        let empty: Vec<&str> = table
            .units
            .iter()
            .filter(|u| u.strengths.is_empty() && u.weaknesses.is_empty())
            .map(|u| u.unit.as_str())
            .collect();
        if !empty.is_empty() {
            eprintln!(
                "note: nothing to report for {}: {} (no indicator value to rank, or only indicators \
                 it ranks last in, which --keep-min keeps)",
                common::count(empty.len(), "unit"),
                empty.join(", ")
            );
        }
        eprintln!(
            "wrote strengths and weaknesses of {} to {}",
            common::count(table.units.len(), "unit"),
            a.out.display()
        );
    }
    Ok(())
}
