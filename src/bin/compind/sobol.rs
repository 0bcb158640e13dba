//! `compind sobol`: variance-based sensitivity of scores and ranks to weights and methods.

use std::path::PathBuf;

use composite_indicators::Error;
use composite_indicators::error::Expected;
use composite_indicators::io::sobol_table;
use composite_indicators::sweep::{
    AltSampler, Bootstrap, Control, GroupInput, NodeSelection, SobolGroup,
};

use crate::common::{self, Outcome, Progress};
use crate::sweep::ModelArgs;

/// Sobol sensitivity indices (first and total order) of scores, ranks and the mean rank shift.
///
/// Sobol sensitivity indices (first order, total order) of every unit's score and rank and of the
/// mean absolute rank shift (COINr's get_sensitivity target), from N Saltelli base rows.
///
/// Input groups: the node weights (each drawn in w0 * [1 - spread, 1 + spread]) grouped by `--by`,
/// plus one group `alternative` for the method alternatives (--alt-normalise / --alt-aggregate)
/// when there are any. Model runs: N * (number of groups + 2). Output columns: target, group, first,
/// total, and with --bootstrap first_lo, first_hi, total_lo, total_hi (at --conf-level coverage, a
/// confidence level, not a framework level).
///
/// Example (data/asem/ is in a clone of the repository):
///
///   compind sobol --imeta data/asem/iMeta.csv --idata data/asem/iData.csv --impute mean
///     --alt-normalise rank --n 2000 --bootstrap 200 --targets mean_abs_rank_shift --out sobol.csv
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    model: ModelArgs,
    /// Base sample size N. Example: `--n 4096`.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    n: usize,
    /// Seed of the Saltelli sample. Example: `--seed 42`.
    #[arg(long, value_name = "SEED", default_value_t = 1)]
    seed: u64,
    /// Relative weight noise, in [0, 1]. Example: `--spread 0.25`.
    #[arg(long, value_name = "S", default_value_t = 0.25)]
    spread: f64,
    /// Triangular weight noise (mode at the nominal weight) instead of uniform, as `compind sweep
    /// --triangular`. Example: `--triangular`.
    #[arg(long)]
    triangular: bool,
    /// Perturb only the weights of these framework levels (1 = indicators, 2 = their parents, ...),
    /// comma-separated, as `compind sweep --levels` (COINr's vignette perturbs the pillar and
    /// sub-index weights: `--levels 2,3`); the other weights stay nominal. Example: `--levels 2,3`.
    #[arg(long, value_name = "L,L", value_delimiter = ',')]
    levels: Vec<usize>,
    /// Weight groups: `level` (one group per framework level below the index: `weights L1` =
    /// indicators, `weights L2`, ...), `node` (one group per weight, named by the node's code) or
    /// `all` (one group for every weight, as COINr). Example: `--by all`.
    #[arg(long, value_name = "level|node|all", default_value = "level", value_parser = ["level", "node", "all"])]
    by: String,
    /// Only these targets, `;`-separated (score:<uCode>, rank:<uCode>, mean_abs_rank_shift); all by
    /// default. Example: `--targets 'mean_abs_rank_shift;rank:AUT'`.
    #[arg(long, value_name = "T;T", value_delimiter = ';')]
    targets: Vec<String>,
    /// Bootstrap replicates for confidence intervals (0 = none) of the chosen targets (default:
    /// mean_abs_rank_shift only, as COINr). Example: `--bootstrap 500`.
    #[arg(long, value_name = "B", default_value_t = 0)]
    bootstrap: usize,
    /// Confidence level of the bootstrap intervals (not a framework level), in (0, 1); 0.9 gives
    /// COINr's 5 % and 95 % quantiles. (`--level` of remove, opt-weights and plot is a framework
    /// level.) Example: `--conf-level 0.95`.
    // `--level` is the option's old name, kept as a hidden alias so scripts using it still work
    #[arg(
        long = "conf-level",
        alias = "level",
        value_name = "P",
        default_value_t = 0.9
    )]
    level: f64,
    /// Also draw the first and total indices of --plot-target as bars (SVG; COINr's
    /// plot_sensitivity), with the bootstrap intervals when computed. Example: `--plot sobol.svg`.
    #[arg(value_parser = common::svg_output_path, long, value_name = "FILE.svg")]
    plot: Option<PathBuf>,
    /// The target drawn by --plot (default mean_abs_rank_shift). Example: `--plot-target rank:AUT`.
    #[arg(
        long,
        value_name = "TARGET",
        default_value = "mean_abs_rank_shift",
        requires = "plot"
    )]
    plot_target: String,
    /// Output table (CSV; JSON if it ends in .json). Example: `--out sobol.csv`.
    #[arg(value_parser = common::output_path, long, value_name = "FILE")]
    out: PathBuf,
}

pub fn run(a: &Args, quiet: bool) -> Outcome {
    a.model.inputs.require()?;
    // checked whether or not a bootstrap uses it (it was only checked with --bootstrap)
    if !(a.level > 0.0 && a.level < 1.0) {
        return Err(Error::invalid("--conf-level", a.level, Expected::open(0.0, 1.0)).into());
    }
    if a.bootstrap == 0 && a.level != 0.9 && !quiet {
        eprintln!(
            "note: --conf-level is the level of the bootstrap intervals; without --bootstrap it is not used"
        );
    }
    a.model.check()?;
    let mut outputs = vec![a.out.clone()];
    outputs.extend(a.plot.iter().cloned());
    common::check_outputs(&a.model.inputs.paths(), &outputs)?;
    let m = a.model.build(quiet)?;
    let fw = m.model.framework();
    let root = fw.root_index();
    let weights = |nodes: NodeSelection| GroupInput::Weights {
        nodes,
        spread: a.spread,
        triangular: a.triangular,
    };
    // the levels whose weights vary (every level below the index unless --levels says otherwise;
    // a node's level is its height, so the levels below the root are 1 to the root's minus 1)
    let below_root: Vec<usize> = (1..fw.max_level()).collect();
    if let Some(l) = a.levels.iter().find(|l| !below_root.contains(l)) {
        return Err(Error::invalid(
            "--levels",
            l,
            Expected::OneOf(below_root.iter().map(ToString::to_string).collect()),
        )
        .into());
    }
    let varies = |level: usize| a.levels.is_empty() || a.levels.contains(&level);
    let mut groups: Vec<SobolGroup> = Vec::new();
    if a.spread > 0.0 {
        match a.by.as_str() {
            "all" if a.levels.is_empty() => {
                groups.push(SobolGroup::new("weights", weights(NodeSelection::All)))
            }
            "all" => groups.push(SobolGroup::new(
                "weights",
                weights(NodeSelection::Levels {
                    levels: a.levels.clone(),
                }),
            )),
            "node" => {
                for (_, n) in fw
                    .nodes()
                    .iter()
                    .enumerate()
                    .filter(|(k, n)| *k != root && varies(n.level))
                {
                    groups.push(SobolGroup::new(
                        n.code.clone(),
                        weights(NodeSelection::Codes {
                            codes: vec![n.code.clone()],
                        }),
                    ));
                }
            }
            _ => {
                for l in below_root.iter().copied().filter(|&l| varies(l)) {
                    groups.push(SobolGroup::new(
                        format!("weights L{l}"),
                        weights(NodeSelection::Levels { levels: vec![l] }),
                    ));
                }
            }
        }
    }
    let dims = m.model.method_dimensions();
    if !dims.is_empty() {
        // --grid: one input group per method choice, as COINr's SA_specs
        for d in dims {
            groups.push(SobolGroup::new(
                d.name.clone(),
                GroupInput::Method {
                    dimension: d.name.clone(),
                    probabilities: Vec::new(),
                },
            ));
        }
    } else if m.model.n_alternatives() > 1 {
        groups.push(SobolGroup::new(
            "alternative",
            GroupInput::Alternative {
                choice: AltSampler::Uniform,
            },
        ));
    }
    if groups.is_empty() {
        return Err(Error::invalid(
            "--spread",
            0,
            Expected::Rule("with no method alternatives nothing varies (give --spread > 0 or --alt-normalise / --alt-aggregate)".into()),
        )
        .into());
    }
    let targets = (!a.targets.is_empty()).then_some(a.targets.as_slice());
    let known = m.model.sobol_targets();
    if let Some(t) = targets
        .iter()
        .flat_map(|t| t.iter())
        .find(|t| !known.contains(t))
    {
        // a well-formed target of a unit the data does not have: name the unit
        if let Some(unit) = t.strip_prefix("score:").or_else(|| t.strip_prefix("rank:")) {
            let units = known
                .iter()
                .filter_map(|k| k.strip_prefix("score:"))
                .map(str::to_string);
            return Err(Error::unknown_name(format!("unit (--targets {t})"), unit, units).into());
        }
        return Err(Error::invalid(
            "--targets",
            format!("`{t}`"),
            Expected::one_of(["score:<uCode>", "rank:<uCode>", "mean_abs_rank_shift"]),
        )
        .into());
    }
    if a.plot.is_some() {
        let drawn = targets.is_none_or(|t| t.contains(&a.plot_target));
        if !known.contains(&a.plot_target) || !drawn {
            return Err(Error::invalid(
                "--plot-target",
                format!("`{}`", a.plot_target),
                Expected::Form(
                    "one of the targets computed (score:<uCode>, rank:<uCode>, \
                     mean_abs_rank_shift, within --targets)"
                        .into(),
                ),
            )
            .into());
        }
    }
    let progress = Progress::new(quiet, a.n, "sobol");
    let cb = progress.callback();
    let ctl = Control::default().with_progress(&cb);
    let s = if a.bootstrap > 0 {
        let boot = Bootstrap::new(a.bootstrap)
            .with_level(a.level)
            .with_seed(a.seed)
            .with_targets(
                targets
                    .map(<[String]>::to_vec)
                    .unwrap_or_else(|| vec!["mean_abs_rank_shift".to_string()]),
            );
        m.model
            .sobol_bootstrap_with(&groups, a.n, a.seed, &boot, &ctl)
    } else {
        m.model.sobol_with(&groups, a.n, a.seed, &ctl)
    };
    progress.finish();
    let s = s?;
    sobol_table(&s, targets)?.write_path(&a.out)?;
    if let Some(p) = &a.plot {
        let opts = composite_indicators::plot::PlotOptions::default();
        composite_indicators::plot::sobol_bars_path(p, &s, &a.plot_target, &opts)?;
    }
    if !quiet {
        eprintln!(
            "wrote Sobol indices of {} ({}) to {}",
            common::count(s.groups.len(), "group"),
            common::count(s.runs, "run"),
            a.out.display()
        );
    }
    Ok(())
}
