//! `compind stats`: COINr's get_stats table of one data set of the build.

use std::path::PathBuf;

use composite_indicators::Error;
use composite_indicators::error::Expected;
use composite_indicators::pipeline::Stage;
use composite_indicators::study::CsvTable;
use composite_indicators::study::stats::{StatsOptions, get_stats, stats_of_scores};

use crate::common::{self, Inputs, Methods, Outcome};

/// COINr's get_stats: statistics and flags of every indicator of one data set.
///
/// Indicator statistics with COINr's flags (COINr's get_stats): one row per column of the chosen data
/// set, columns iCode, Min, Max, Mean, Median, Std (sample), Skew, Kurt (excess; Excel's SKEW and
/// KURT), N.Avail, N.NonZero, N.Unique, N.Same, Frc.Avail, Frc.NonZero, Frc.Unique, Frc.Same and the
/// flags Flag.Avail (LOW when Frc.Avail < --t-avail), Flag.NonZero (LOW when non-zero values / all
/// units < --t-zero), Flag.Unique (LOW when unique values / all units < --t-unq) and Flag.SkewKurt
/// (OUT when |Skew| > --t-skew and Kurt > --t-kurt). Numbers are not rounded (COINr rounds to 3
/// significant figures); an undefined statistic is an empty field.
///
/// The build runs with the preparation and scoring options given (as `compind score`); --dset picks
/// the data set: Raw (default), Denominated, Imputed, Screened, Treated (each needs its step),
/// Normalised, or Aggregated (every node: indicators as normalised, aggregates, the index last).
///
/// Example (the treated ASEM indicators; data/asem/ is in a clone of the repository):
///
///   compind stats --imeta data/asem/iMeta.csv --idata data/asem/iData.csv --denominate
///     --impute group_mean:EurAsia_group --screen 0.9 --treat winsorise:5 --dset Treated --out stats.csv
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    inputs: Inputs,
    #[command(flatten)]
    methods: Methods,
    /// Data set (COINr's names): Raw (default; read as it is, without running the build),
    /// Denominated, Imputed, Screened, Treated, Normalised, Aggregated. Example: `--dset Normalised`.
    #[arg(long, value_name = "NAME", default_value = "Raw")]
    dset: String,
    /// Absolute skewness threshold of the outlier flag (COINr t_skew). Example: `--t-skew 2.25`.
    #[arg(long, value_name = "S", default_value_t = 2.0)]
    t_skew: f64,
    /// Kurtosis threshold of the outlier flag (COINr t_kurt). Example: `--t-kurt 3.5`.
    #[arg(long, value_name = "K", default_value_t = 3.5)]
    t_kurt: f64,
    /// Availability threshold, in [0, 1] (COINr t_avail). Example: `--t-avail 0.65`.
    #[arg(long, value_name = "SHARE", default_value_t = 0.65)]
    t_avail: f64,
    /// Non-zero share threshold, in [0, 1] (COINr t_zero). Example: `--t-zero 0.5`.
    #[arg(long, value_name = "SHARE", default_value_t = 0.5)]
    t_zero: f64,
    /// Unique-value share threshold, in [0, 1] (COINr t_unq). Example: `--t-unq 0.5`.
    #[arg(long, value_name = "SHARE", default_value_t = 0.5)]
    t_unq: f64,
    /// Output table (CSV, `iCode` first). Never one of the inputs. Example: `--out stats.csv`.
    #[arg(value_parser = common::output_path, long, value_name = "FILE")]
    out: PathBuf,
}

pub fn run(a: &Args, quiet: bool) -> Outcome {
    a.inputs.require()?;
    a.methods.config(&Default::default())?;
    a.methods.refuse_ties("`compind stats` ranks no units")?;
    let stage = common::parse_dset(&a.dset)?;
    a.methods.note_beyond(stage, quiet);
    let opts = StatsOptions {
        t_skew: a.t_skew,
        t_kurt: a.t_kurt,
        t_avail: a.t_avail,
        t_zero: a.t_zero,
        t_unq: a.t_unq,
    };
    for (flag, v) in [
        ("--t-avail", a.t_avail),
        ("--t-zero", a.t_zero),
        ("--t-unq", a.t_unq),
    ] {
        if !(0.0..=1.0).contains(&v) {
            return Err(Error::invalid(flag, v, Expected::closed(0.0, 1.0)).into());
        }
    }
    common::check_outputs(&a.inputs.paths(), std::slice::from_ref(&a.out))?;
    let table = if stage == Stage::Aggregated {
        let (_, result) = common::build(&a.inputs, &a.methods, quiet)?;
        stats_of_scores(result.scores(), &opts)?
    } else {
        let (f, data) = common::build_dataset(&a.inputs, &a.methods, &a.dset, quiet)?;
        get_stats(&data, &f.framework, &opts)?
    };
    table.write_csv_path(&a.out)?;
    if !quiet {
        let flagged = table
            .rows
            .iter()
            .filter(|r| r.low_avail || r.low_nonzero || r.low_unique || r.outlier == Some(true))
            .count();
        eprintln!(
            "wrote statistics of {} of {} ({flagged} flagged) to {}",
            common::count(table.rows.len(), "column"),
            a.dset,
            a.out.display()
        );
    }
    Ok(())
}
