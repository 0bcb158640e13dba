//! `compind opt-weights`: weights optimised for balanced correlations or information (COINr's
//! get_opt_weights).

use std::collections::BTreeMap;
use std::path::PathBuf;

use composite_indicators::Error;
use composite_indicators::audit::CorrMethod;
use composite_indicators::error::Expected;
use composite_indicators::study::CsvTable;
use composite_indicators::study::optimise::{
    Importance, OptimiseGoal, OptimiseOptions, optimise_weights,
};

use crate::common::{self, Inputs, Methods, Outcome};

/// COINr's get_opt_weights: weights of one level balancing correlations (or infomax).
///
/// Optimised weights at one level (COINr's get_opt_weights): with --goal balance (COINr's
/// optype = "balance", the default) the weights whose nodes' correlations with the index, normalised
/// to sum to 1, come as close as possible to the target importances (--importance, equal by
/// default); with --goal infomax the weights that maximise the sum of those correlations.
/// Nelder-Mead from COINr's start (no randomness); weights are kept non-negative (COINr's optim can
/// return negative ones). A search that does not converge is an error (exit 1, nothing written)
/// unless --keep-unconverged.
///
/// Output: one row per node of the level, columns iCode, target, weight_before, weight (summing to
/// 1), corr_before, corr, corr_norm_before, corr_norm. The objective before and after is printed on
/// stderr; it is COINr's objective: for balance ln(mean over the nodes of (target importance -
/// normalised correlation)^2), lower = closer to the targets (a perfect balance tends to
/// -infinity), and for infomax minus the sum of the nodes' correlations with the index.
///
/// Example (balance the ASEM pillars, Conn twice as important as Sust at level 3; data/asem/ is in
/// a clone of the repository):
///
///   compind opt-weights --imeta data/asem/iMeta.csv --idata data/asem/iData.csv --denominate
///     --impute group_mean:EurAsia_group --screen 0.9 --treat winsorise:5 --level 2 --out weights.csv
///   compind opt-weights --imeta data/asem/iMeta.csv --idata data/asem/iData.csv --level 3
///     --importance Conn=2,Sust=1 --out weights3.csv
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    inputs: Inputs,
    #[command(flatten)]
    methods: Methods,
    /// The level whose weights are optimised: 2 (the indicators' parents) up to one below the index
    /// (COINr's dset Aggregated, Level). Example: `--level 2`.
    #[arg(long, value_name = "LEVEL")]
    level: usize,
    /// balance (default) or infomax (COINr's optype). Example: `--goal infomax`.
    #[arg(long, value_name = "balance|infomax", default_value = "balance", value_parser = ["balance", "infomax"])]
    goal: String,
    /// Target importances for balance (COINr's itarg): `equal` (default) or CODE=VALUE for every
    /// node of the level, comma-separated, non-negative. Example: `--importance Conn=2,Sust=1`.
    #[arg(long, value_name = "equal|CODE=V,...", default_value = "equal")]
    importance: String,
    /// Correlation: pearson (default) or spearman (COINr's cortype). Example: `--cortype spearman`.
    #[arg(long, value_name = "pearson|spearman", default_value = "pearson", value_parser = ["pearson", "spearman"])]
    cortype: String,
    /// Convergence tolerance on the simplex's spread (COINr's toler). Example: `--toler 1e-8`.
    #[arg(long, value_name = "TOL", default_value_t = 1e-10)]
    toler: f64,
    /// Largest number of iterations per run (COINr's maxiter). Example: `--maxiter 500`.
    #[arg(long, value_name = "N", default_value_t = 5000)]
    maxiter: u64,
    /// Restarts from the best point after the first run. Example: `--restarts 0`.
    #[arg(long, value_name = "N", default_value_t = 3)]
    restarts: usize,
    /// Write the table even when the search did not converge (a note on stderr says so).
    /// Example: `--keep-unconverged`.
    #[arg(long)]
    keep_unconverged: bool,
    /// Output table (CSV). Never one of the inputs. Example: `--out weights.csv`.
    #[arg(value_parser = common::output_path, long, value_name = "FILE")]
    out: PathBuf,
}

fn importance(s: &str) -> composite_indicators::Result<Importance> {
    if s == "equal" {
        return Ok(Importance::Equal);
    }
    let mut m = BTreeMap::new();
    for part in s.split(',') {
        let bad = || {
            Error::invalid(
                "--importance",
                format!("`{part}`"),
                Expected::Form("CODE=VALUE with a finite non-negative VALUE".into()),
            )
        };
        let (code, v) = part.split_once('=').ok_or_else(bad)?;
        let v: f64 = v.trim().parse().map_err(|_| bad())?;
        if !v.is_finite() || v < 0.0 {
            return Err(bad());
        }
        if m.insert(code.trim().to_string(), v).is_some() {
            return Err(Error::NamedTwice {
                what: "--importance code".into(),
                name: code.trim().to_string(),
            });
        }
    }
    Ok(Importance::Relative(m))
}

pub fn run(a: &Args, quiet: bool) -> Outcome {
    a.inputs.require()?;
    a.methods.config(&Default::default())?;
    a.methods
        .refuse_ties("`compind opt-weights` ranks no units")?;
    let goal = if a.goal == "infomax" {
        if a.importance != "equal" {
            return Err(common::Failure::Usage(
                "--importance applies to --goal balance only".into(),
            ));
        }
        OptimiseGoal::Infomax
    } else {
        OptimiseGoal::Balance {
            importance: importance(&a.importance)?,
        }
    };
    // the codes of --importance, checked against the framework once it is read
    let named: Vec<String> = match &goal {
        OptimiseGoal::Balance {
            importance: Importance::Relative(m),
        } => m.keys().cloned().collect(),
        _ => Vec::new(),
    };
    let opts = OptimiseOptions::new(a.level)
        .goal(goal)
        .correlation(if a.cortype == "spearman" {
            CorrMethod::Spearman
        } else {
            CorrMethod::Pearson
        })
        .tolerance(a.toler)
        .max_iters(a.maxiter)
        .restarts(a.restarts);
    common::check_outputs(&a.inputs.paths(), std::slice::from_ref(&a.out))?;
    let (f, result) = common::build(&a.inputs, &a.methods, quiet)?;
    for code in &named {
        common::known_node(&f.framework, code, "--importance")?;
    }
    let opt = optimise_weights(result.fitted().scorer(), result.prepared(), &opts)?;
    if !a.keep_unconverged {
        opt.check_converged()?;
    }
    opt.write_csv_path(&a.out)?;
    if !quiet {
        if !opt.converged {
            eprintln!("note: the search did not converge ({})", opt.termination);
        }
        eprintln!(
            "objective {:.6} -> {:.6} ({}); wrote {} of level {} to {}",
            opt.objective_before,
            opt.objective,
            common::count(opt.iterations, "iteration"),
            common::count(opt.nodes.len(), "weight"),
            opt.level,
            a.out.display()
        );
    }
    Ok(())
}
