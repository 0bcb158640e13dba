//! `compind plot KIND`: SVG plots of a build, a sweep file or the framework (the library's `plot`
//! module).

use std::path::PathBuf;

use composite_indicators::audit::{CorrMethod, significant_correlation_matrix};
use composite_indicators::error::Expected;
use composite_indicators::plot::{self, PlotOptions};
use composite_indicators::score::Scores;
use composite_indicators::study::quadrant::{Threshold, classify};
use composite_indicators::{Error, Result};

use crate::common::{self, Inputs, Methods, Outcome};
use crate::sweepfile::SweepFile;

/// SVG plots: rank intervals, a unit's profile or contributions, dots, heatmap, quadrant, tree.
///
/// Draw one plot as SVG (readable for 50-80 units: labels rotated or thinned, never overlapping; a
/// legend for every colour). KIND is one of:
///
///   ranks          rank intervals of a sweep (COINr plot_uncertainty): per unit in order of nominal
///                  rank, its nominal rank, median rank and 5-95 % rank interval; needs --sweep.
///   profile        a unit's scores at one level (COINr plot_bar of one unit), with the mean of all
///                  units and the unit's rank per node; needs --unit; --level (default 2, pillars).
///   contributions  a unit's indicator contributions to the index, grouped by parent (linear
///                  aggregators only); needs --unit.
///   dots           every unit's scores at one level, units in order of the index (COINr plot_dot);
///                  --level (default 2).
///   heatmap        correlations between the nodes of one level (COINr plot_corr; --level, default
///                  1 = the normalised indicators), --method, masked (grey) where the p-value
///                  exceeds --pval.
///   quadrant       units by two node scores (COINr plot_scatter) with threshold lines and
///                  quadrant counts; needs --x and --y, thresholds --x-threshold / --y-threshold.
///   tree           the framework (COINr plot_framework); reads only --imeta or --spec (no
///                  --idata / --data needed; if given, they are not read).
///
/// Every kind but ranks and tree builds the index from the data with the preparation and scoring
/// options given (as `compind score`).
///
/// Example (COINr's ASEM build, pillar scores of every country; data/asem/ is in a clone of the
/// repository):
///
///   compind plot dots --imeta data/asem/iMeta.csv --idata data/asem/iData.csv --denominate
///     --impute group_mean:EurAsia_group --screen 0.9 --treat winsorise:5 --out pillars.svg
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
// `plot tree` reads only the framework: --imeta / --spec do not require --idata / --data here;
// `run` asks for the data file of the other kinds (exit 2, as clap would).
#[command(mut_arg("imeta", |a| a.requires(clap::builder::Resettable::Reset)))]
#[command(mut_arg("spec", |a| a.requires(clap::builder::Resettable::Reset)))]
pub struct Args {
    /// The plot: ranks, profile, contributions, dots, heatmap, quadrant or tree. Example: `dots`.
    #[arg(value_name = "KIND", value_parser = ["ranks", "profile", "contributions", "dots", "heatmap", "quadrant", "tree"])]
    kind: String,
    #[command(flatten)]
    inputs: Inputs,
    #[command(flatten)]
    methods: Methods,
    /// Sweep file from `compind sweep` or `compind merge` (for ranks). Example: `--sweep sweep.json`.
    #[arg(long, value_name = "FILE.json", value_parser = common::input_path)]
    sweep: Option<PathBuf>,
    /// Unit code (for profile and contributions). Example: `--unit AUT`.
    #[arg(long, value_name = "CODE")]
    unit: Option<String>,
    /// Framework level (1 = indicators, 2 = their parents, ...) for profile and dots (default 2) and
    /// heatmap (default 1). Example: `--level 3`.
    #[arg(long, value_name = "LEVEL")]
    level: Option<usize>,
    /// Correlation of the heatmap: pearson or spearman. Example: `--method spearman`.
    #[arg(long, value_name = "pearson|spearman", default_value = "pearson", value_parser = ["pearson", "spearman"])]
    method: String,
    /// Heatmap: mask (grey) correlations whose p-value exceeds P (COINr's default 0.05; 0 masks
    /// nothing). Example: `--pval 0`.
    #[arg(long, value_name = "P", default_value_t = 0.05)]
    pval: f64,
    /// Node on the x axis of the quadrant plot (indicator or aggregate code). Example: `--x Conn`.
    #[arg(long, value_name = "CODE")]
    x: Option<String>,
    /// Node on the y axis of the quadrant plot. Example: `--y Sust`.
    #[arg(long, value_name = "CODE")]
    y: Option<String>,
    /// Threshold on x: median (default), mean or a number within the range of the x scores of the
    /// units plotted; a score equal to it is high. Example: `--x-threshold 50`.
    #[arg(
        long,
        value_name = "median|mean|NUMBER",
        default_value = "median",
        allow_negative_numbers = true
    )]
    x_threshold: String,
    /// Threshold on y: median (default), mean or a number within the range of the y scores of the
    /// units plotted. Example: `--y-threshold mean`.
    #[arg(
        long,
        value_name = "median|mean|NUMBER",
        default_value = "median",
        allow_negative_numbers = true
    )]
    y_threshold: String,
    /// Title (default: each plot's own). Example: `--title "ASEM index 2024"`.
    #[arg(long, value_name = "TEXT")]
    title: Option<String>,
    /// Width in pixels, 100-20000 (default: sized from the data); give --height with it.
    /// Example: `--width 1200 --height 800`.
    #[arg(long, value_name = "PX", requires = "height")]
    width: Option<u32>,
    /// Height in pixels, 100-20000; give --width with it. Example: `--width 1200 --height 800`.
    #[arg(long, value_name = "PX", requires = "width")]
    height: Option<u32>,
    /// Base font size in pixels, 6-40. Example: `--font-size 14`.
    #[arg(long, value_name = "PX", default_value_t = 12)]
    font_size: u32,
    /// Output SVG file. Never one of the inputs. Example: `--out plot.svg`.
    #[arg(value_parser = common::svg_output_path, long, value_name = "FILE.svg")]
    out: PathBuf,
}

fn missing(kind: &str, flag: &str) -> common::Failure {
    common::Failure::Usage(format!("`plot {kind}` needs {flag}"))
}

fn threshold(flag: &str, s: &str) -> Result<Threshold> {
    match s {
        "median" => Ok(Threshold::Median),
        "mean" => Ok(Threshold::Mean),
        _ => match s.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Threshold::Fixed(v)),
            _ => Err(Error::invalid(
                flag,
                format!("`{s}`"),
                Expected::one_of(["median", "mean", "a finite number"]),
            )),
        },
    }
}

pub fn run(a: &Args, quiet: bool) -> Outcome {
    let kind = a.kind.as_str();
    let mut opts = PlotOptions::default().with_font_size(a.font_size);
    if let Some(t) = &a.title {
        opts = opts.with_title(t.clone());
    }
    if let (Some(w), Some(h)) = (a.width, a.height) {
        opts = opts.with_size(w, h);
    }
    let mut inputs = a.inputs.paths();
    inputs.extend(a.sweep.iter().cloned());
    if !quiet {
        // options this kind of plot does not read: say so rather than ignore them silently
        let given = [
            ("--sweep", a.sweep.is_some(), &["ranks"][..]),
            (
                "--unit",
                a.unit.is_some(),
                &["profile", "contributions"][..],
            ),
            (
                "--level",
                a.level.is_some(),
                &["profile", "dots", "heatmap"][..],
            ),
            ("--x", a.x.is_some(), &["quadrant"][..]),
            // the kinds that show ranks (`ranks` and `tree` are noted below with the build options)
            (
                "--ties",
                a.methods.ties.is_some() && !matches!(kind, "ranks" | "tree"),
                &["profile", "dots"][..],
            ),
            ("--y", a.y.is_some(), &["quadrant"][..]),
        ];
        for (flag, is_given, readers) in given {
            if is_given && !readers.contains(&kind) {
                eprintln!(
                    "note: `plot {kind}` does not read {flag} (it is for `plot {}`)",
                    readers.join("`, `plot ")
                );
            }
        }
        // `ranks` draws the sweep file and `tree` the framework: no build runs
        let mut unread = a.methods.given();
        if kind == "ranks" {
            let files = [
                ("--imeta", &a.inputs.imeta),
                ("--idata", &a.inputs.idata),
                ("--spec", &a.inputs.spec),
                ("--data", &a.inputs.data),
            ];
            unread.splice(0..0, files.iter().filter(|f| f.1.is_some()).map(|f| f.0));
        }
        if matches!(kind, "ranks" | "tree") && !unread.is_empty() {
            let what = if kind == "ranks" {
                "draws the sweep file as it is"
            } else {
                "draws the framework only"
            };
            eprintln!(
                "note: `plot {kind}` {what}; {} {} not read",
                unread.join(", "),
                if unread.len() == 1 { "is" } else { "are" }
            );
        }
    }
    let svg = match kind {
        "ranks" => {
            let sweep = a
                .sweep
                .as_ref()
                .ok_or_else(|| missing(kind, "--sweep FILE.json"))?;
            common::check_outputs(&inputs, std::slice::from_ref(&a.out))?;
            let f = SweepFile::read(sweep)?;
            plot::rank_intervals(&f.result.ua_report(), &opts)?
        }
        "tree" => {
            if a.inputs.imeta.is_none() && a.inputs.spec.is_none() {
                return Err(missing(kind, "--imeta FILE or --spec FILE"));
            }
            common::check_outputs(&inputs, std::slice::from_ref(&a.out))?;
            let tree = plot::framework_tree(&a.inputs.framework()?.framework, &opts)?;
            if !quiet {
                for (flag, given) in [("--idata", &a.inputs.idata), ("--data", &a.inputs.data)] {
                    if given.is_some() {
                        eprintln!("note: `plot tree` reads only the framework; {flag} is not read");
                    }
                }
            }
            tree
        }
        _ => {
            a.inputs.require()?;
            // the pairs clap checks in the other subcommands (lifted above for `plot tree`)
            if a.inputs.imeta.is_some() && a.inputs.idata.is_none() {
                return Err(missing(kind, "--idata FILE with --imeta"));
            }
            if a.inputs.spec.is_some() && a.inputs.data.is_none() {
                return Err(missing(kind, "--data FILE with --spec"));
            }
            a.methods.config(&Default::default())?;
            let needs =
                |v: &Option<String>, flag: &str| v.clone().ok_or_else(|| missing(kind, flag));
            let unit = match kind {
                "profile" | "contributions" => Some(needs(&a.unit, "--unit CODE")?),
                _ => None,
            };
            let axes = match kind {
                "quadrant" => Some((
                    needs(&a.x, "--x CODE")?,
                    needs(&a.y, "--y CODE")?,
                    (
                        threshold("--x-threshold", &a.x_threshold)?,
                        a.x_threshold.as_str(),
                    ),
                    (
                        threshold("--y-threshold", &a.y_threshold)?,
                        a.y_threshold.as_str(),
                    ),
                )),
                _ => None,
            };
            common::check_outputs(&inputs, std::slice::from_ref(&a.out))?;
            let (f, result) = common::build(&a.inputs, &a.methods, quiet)?;
            if let Some((x, y, ..)) = &axes {
                common::known_node(&f.framework, x, "--x")?;
                common::known_node(&f.framework, y, "--y")?;
            }
            let scores = result.scores();
            // a unit not in the build: name the kind of code and list the units (as `strweak`)
            if let Some(u) = unit.as_ref().filter(|u| !scores.unit_codes().contains(u)) {
                return Err(
                    Error::unknown_name("unit", u.clone(), scores.unit_codes().to_vec()).into(),
                );
            }
            match (kind, unit, axes) {
                ("profile", Some(u), _) => {
                    plot::unit_profile(scores, &u, a.level.unwrap_or(2), &opts)?
                }
                ("contributions", Some(u), _) => plot::unit_contributions(scores, &u, &opts)?,
                ("quadrant", _, Some((x, y, tx, ty))) => quadrant(scores, &x, &y, tx, ty, &opts)?,
                ("heatmap", _, _) => {
                    heatmap(scores, a.level.unwrap_or(1), &a.method, a.pval, &opts)?
                }
                _ => plot::scores_by_level(scores, a.level.unwrap_or(2), &opts)?,
            }
        }
    };
    common::write_text(&a.out, &svg)?;
    if !quiet {
        eprintln!("wrote the {kind} plot to {}", a.out.display());
    }
    Ok(())
}

/// A threshold and the text it was given as (for the error message).
type GivenThreshold<'a> = (Threshold, &'a str);

fn quadrant(
    scores: &Scores,
    x: &str,
    y: &str,
    (tx, sx): GivenThreshold<'_>,
    (ty, sy): GivenThreshold<'_>,
    opts: &PlotOptions,
) -> Result<String> {
    let xs = scores.node_values(x)?.to_vec();
    let ys = scores.node_values(y)?.to_vec();
    // a fixed threshold must lie within the scores of the units plotted (both values present):
    // outside, every unit falls on one side and the axis stretches to reach the threshold line
    let plotted: Vec<(f64, f64)> = xs
        .iter()
        .zip(&ys)
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .map(|(&a, &b)| (a, b))
        .collect();
    for (flag, code, t, given, pick) in [
        ("--x-threshold", x, tx, sx, 0),
        ("--y-threshold", y, ty, sy, 1),
    ] {
        let Threshold::Fixed(v) = t else { continue };
        let vals = plotted.iter().map(|p| if pick == 0 { p.0 } else { p.1 });
        let lo = vals.clone().fold(f64::INFINITY, f64::min);
        let hi = vals.fold(f64::NEG_INFINITY, f64::max);
        if lo <= hi && !(lo..=hi).contains(&v) {
            return Err(Error::invalid(
                flag,
                given,
                Expected::Rule(format!(
                    "outside the range of the `{code}` scores of the units plotted, [{lo}, {hi}]; \
                     give a threshold within it, or median or mean"
                )),
            ));
        }
    }
    let q = classify(&xs, &ys, tx, ty)?;
    let mut opts = opts.clone();
    if opts.x_label.is_none() {
        opts = opts.with_x_label(x);
    }
    if opts.y_label.is_none() {
        opts = opts.with_y_label(y);
    }
    plot::quadrant_scatter(&xs, &ys, scores.unit_codes(), &q, &opts)
}

/// The correlations between the nodes of `level` (1 = the indicators, as normalised).
fn heatmap(
    scores: &Scores,
    level: usize,
    method: &str,
    pval: f64,
    opts: &PlotOptions,
) -> Result<String> {
    let codes: Vec<String> = if level == 1 {
        scores
            .framework()
            .indicator_codes()
            .iter()
            .map(|c| c.to_string())
            .collect()
    } else {
        scores
            .level_codes(level)
            .iter()
            .map(|c| c.to_string())
            .collect()
    };
    if codes.len() < 2 {
        return Err(Error::invalid(
            "--level",
            level,
            Expected::Rule(format!(
                "level {level} has {} nodes; a heatmap needs at least 2",
                codes.len()
            )),
        ));
    }
    let all = scores.node_codes();
    let cols: Vec<usize> = codes
        .iter()
        .map(|c| {
            all.iter()
                .position(|n| n == c)
                .ok_or_else(|| Error::UnknownCode { code: c.clone() })
        })
        .collect::<Result<_>>()?;
    let x = scores.values().select(ndarray::Axis(1), &cols);
    let method = if method == "spearman" {
        CorrMethod::Spearman
    } else {
        CorrMethod::Pearson
    };
    let r = significant_correlation_matrix(x.view(), method, pval)?;
    plot::correlation_heatmap(r.view(), &codes, opts)
}
