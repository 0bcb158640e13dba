//! Score a composite index from files and write one row per unit.
//!
//! ```text
//! cargo run --release --example score -- --imeta FILE --idata FILE [options] --out FILE.csv
//! cargo run --release --example score -- --spec FILE.toml --data FILE.csv [--groups a,b] [options] --out FILE.csv
//!
//! options (the preparation steps run in this order, before normalisation and aggregation):
//!   --denominate                  divide indicators by their spec / iMeta `Denominator` column
//!   --impute mean|median|group_mean:COL|group_median:COL
//!   --screen THRESHOLD            drop units with data availability below THRESHOLD (0..1)
//!   --treat winsorise:WINMAX      COINr's treatment: winsorise up to WINMAX points, else log
//!   --normalise minmax:0,100|zscore:0,1|rank|prank|borda|dist2max|fracmax|goalposts|dist2targ|maxscore|identity
//!   --aggregate arithmetic|sum|geometric|harmonic|power:P|median|copeland
//!   --weights nominal|equal
//!   --missing skip|skip:MIN_COVERAGE|propagate|error
//!   --ties min|max|dense|ordinal|average
//!   --save-scale FILE.json        save what every normaliser learned (min/max, mean/sd, ranks ...)
//!   --scale FILE.json             normalise on a saved scale instead of fitting one (a new year on
//!                                 last year's scale); not with --normalise
//! ```
//!
//! The whole build runs as one [`Pipeline`]; COINr's `build_example_coin()` is
//! `--denominate --impute group_mean:EurAsia_group --screen 0.9 --treat winsorise:5
//! --normalise minmax:0,100 --aggregate arithmetic`.
//!
//! Output columns: `uCode`, one column per indicator (its normalised value), one per aggregate node (named
//! by its code, bottom-up, the index last), then `Rank` (rank of the index, 1 = best, min ties). Rows are
//! sorted by unit code (COINr's order). Units removed by `--screen` are not in the output; they are
//! listed on stderr. Missing values are written as empty fields; numbers use the
//! shortest representation that reads back to the same f64. Errors print one line and exit with code 1
//! (2 for bad arguments).
//!
//! Nothing is ever destroyed: an output (`--out`, `--save-scale`) that resolves to an input or to the
//! other output (symbolic links followed) is refused before anything is read, a node coded `Rank` or
//! `uCode` is refused before anything is written, and files are replaced atomically. The installable
//! `compind score` (feature `cli`) writes the same table and adds names, all ranks and rounding.

use std::collections::HashMap;
use std::process::ExitCode;
use std::str::FromStr;

use composite_indicators::error::Expected;
use composite_indicators::io::{self, CsvOptions};
use composite_indicators::pipeline::{Pipeline, PipelineConfig};
use composite_indicators::prelude::*;
use composite_indicators::prepare::{Denominate, Impute, ImputeMethod, Screen, Treat};
use composite_indicators::score::ScorerConfig;

const USAGE: &str = "usage: score (--imeta FILE --idata FILE | --spec FILE --data FILE [--groups A,B]) \
[--denominate] [--impute mean|median|group_mean:COL|group_median:COL] [--screen THRESHOLD] \
[--treat winsorise:WINMAX] [--normalise M] [--aggregate A] [--weights nominal|equal] [--missing skip|propagate|error] \
[--ties min|max|dense|ordinal|average] [--save-scale FILE.json] [--scale FILE.json] --out FILE.csv";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let opts = match parse_args(&args) {
        Ok(o) => o,
        Err(msg) => {
            eprintln!("error: {msg} (see --help)");
            return ExitCode::from(2);
        }
    };
    match run(&opts) {
        Ok(n) => {
            eprintln!("wrote {n} units to {}", opts["out"]);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

const FLAGS: &[&str] = &[
    "imeta",
    "idata",
    "spec",
    "data",
    "groups",
    "impute",
    "screen",
    "treat",
    "normalise",
    "aggregate",
    "weights",
    "missing",
    "ties",
    "scale",
    "save-scale",
    "out",
];

fn parse_args(args: &[String]) -> std::result::Result<HashMap<String, String>, String> {
    let mut out = HashMap::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let name = a
            .strip_prefix("--")
            .ok_or_else(|| format!("unexpected argument `{a}`"))?;
        // the only option without a value
        if name == "denominate" {
            if out.insert(name.to_string(), String::new()).is_some() {
                return Err("option `--denominate` given twice".into());
            }
            continue;
        }
        if !FLAGS.contains(&name) {
            return Err(format!("unknown option `--{name}`"));
        }
        let v = it
            .next()
            .ok_or_else(|| format!("option `--{name}` needs a value"))?;
        if out.insert(name.to_string(), v.clone()).is_some() {
            return Err(format!("option `--{name}` given twice"));
        }
    }
    if !out.contains_key("out") {
        return Err("missing `--out FILE`".into());
    }
    if out.contains_key("scale") && out.contains_key("normalise") {
        return Err(
            "give --normalise or --scale, not both: a saved scale fixes the normalisation".into(),
        );
    }
    let coinr = out.contains_key("imeta") || out.contains_key("idata");
    let own = out.contains_key("spec") || out.contains_key("data");
    match (coinr, own) {
        (true, false) if out.contains_key("imeta") && out.contains_key("idata") => {}
        (false, true) if out.contains_key("spec") && out.contains_key("data") => {}
        _ => return Err("give either --imeta and --idata, or --spec and --data".into()),
    }
    Ok(out)
}

fn run(opts: &HashMap<String, String>) -> Result<usize> {
    // check every method option before reading any file
    let pipeline = Pipeline::new(config(opts)?);
    // never overwrite an input, never write two outputs to one file (symlinks followed)
    let inputs: Vec<&String> = ["imeta", "idata", "spec", "data", "scale"]
        .iter()
        .filter_map(|k| opts.get(*k))
        .collect();
    let outputs: Vec<&String> = ["out", "save-scale"]
        .iter()
        .filter_map(|k| opts.get(*k))
        .collect();
    io::check_output_paths(&inputs, &outputs)?;
    let (spec, data) = if let (Some(m), Some(d)) = (opts.get("imeta"), opts.get("idata")) {
        let meta = io::read_imeta_path(m)?;
        let data = io::read_idata_path(d, &meta)?;
        (meta.spec, data)
    } else {
        let spec = io::read_spec(opts.get("spec").map(String::as_str).unwrap_or_default())?;
        let groups: Vec<String> = opts
            .get("groups")
            .map(|g| g.split(',').map(|s| s.trim().to_string()).collect())
            .unwrap_or_default();
        let o = CsvOptions::default().with_group_columns(groups);
        let data = io::read_csv_path(opts.get("data").map(String::as_str).unwrap_or_default(), &o)?;
        (spec, data)
    };
    let data = data.sorted_by_code();
    let framework = spec.check()?;
    // a node coded `Rank` or `uCode` fails here, before any output is written
    io::score_table_columns(&framework, &[], &io::ScoreTableOptions::default())?;
    let result = match opts.get("scale") {
        Some(path) => pipeline.run_on_scale(&data, &framework, io::read_scale_path(path)?)?,
        None => pipeline.run(&data, &framework)?,
    };
    let removed = result.removed_units();
    if let Some(t) = opts.get("screen") {
        if removed.is_empty() {
            eprintln!("screening at {t} removed no units");
        } else {
            eprintln!(
                "screening at {t} removed {} units: {}",
                removed.len(),
                removed.join(", ")
            );
        }
    }
    let data = result.prepared();
    let scores = result.scores();
    let mut columns: Vec<String> = scores.node_codes().iter().map(|s| s.to_string()).collect();
    columns.push("Rank".into());
    let mut values = ndarray::Array2::from_elem((data.n_units(), columns.len()), f64::NAN);
    let n_nodes = scores.values().ncols();
    values
        .slice_mut(ndarray::s![.., ..n_nodes])
        .assign(scores.values());
    values.column_mut(n_nodes).assign(&scores.index_ranks());
    io::write_table_path(
        &opts["out"],
        "uCode",
        data.unit_codes(),
        &columns,
        values.view(),
        &[],
    )?;
    // after the table: a run whose output fails leaves no scale behind
    if let Some(path) = opts.get("save-scale") {
        let scale = result.fitted().params()?;
        io::write_scale_path(path, &scale)?;
        eprintln!("saved the scale of {} indicators to {path}", scale.len());
    }
    Ok(data.n_units())
}

/// The pipeline configuration given by the options.
fn config(opts: &HashMap<String, String>) -> Result<PipelineConfig> {
    let mut scorer = ScorerConfig::default();
    if let Some(n) = opts.get("normalise") {
        scorer.normalise = NormaliserKind::from_str(n)?;
    }
    if let Some(a) = opts.get("aggregate") {
        scorer.aggregate = AggregatorKind::from_str(a)?;
    }
    if let Some(w) = opts.get("weights") {
        scorer.weights = match w.as_str() {
            "nominal" => WeightScheme::Nominal,
            "equal" => WeightScheme::Equal,
            other => {
                return Err(Error::invalid(
                    "--weights",
                    format!("`{other}`"),
                    Expected::one_of(["nominal", "equal"]),
                ));
            }
        };
    }
    if let Some(m) = opts.get("missing") {
        scorer.missing = parse_missing(m)?;
    }
    if let Some(t) = opts.get("ties") {
        scorer.ties = parse_ties(t)?;
    }
    Ok(PipelineConfig {
        denominate: opts.contains_key("denominate").then(Denominate::default),
        impute: opts.get("impute").map(|m| parse_impute(m)).transpose()?,
        screen: opts
            .get("screen")
            .map(|t| match t.parse::<f64>() {
                Ok(v) => Ok(Screen::new(v)),
                Err(_) => Err(Error::invalid(
                    "--screen",
                    format!("`{t}`"),
                    Expected::Form("a data availability threshold in [0, 1]".into()),
                )),
            })
            .transpose()?,
        treat: opts.get("treat").map(|t| parse_treat(t)).transpose()?,
        scorer,
    })
}

fn parse_impute(s: &str) -> Result<Impute> {
    let method = match s.split_once(':') {
        None if s == "mean" => ImputeMethod::Mean,
        None if s == "median" => ImputeMethod::Median,
        Some(("group_mean", g)) if !g.trim().is_empty() => ImputeMethod::GroupMean {
            group: g.trim().to_string(),
        },
        Some(("group_median", g)) if !g.trim().is_empty() => ImputeMethod::GroupMedian {
            group: g.trim().to_string(),
        },
        _ => {
            return Err(Error::invalid(
                "--impute",
                format!("`{s}`"),
                Expected::one_of(["mean", "median", "group_mean:COLUMN", "group_median:COLUMN"]),
            ));
        }
    };
    Ok(Impute::new(method))
}

fn parse_treat(s: &str) -> Result<Treat> {
    match s.strip_prefix("winsorise:").map(str::parse::<usize>) {
        Some(Ok(winmax)) => Ok(Treat {
            winmax: Some(winmax),
            ..Treat::default()
        }),
        _ => Err(Error::invalid(
            "--treat",
            format!("`{s}`"),
            Expected::Form("winsorise:WINMAX (a whole number of points)".into()),
        )),
    }
}

fn parse_missing(s: &str) -> Result<MissingPolicy> {
    match s {
        "skip" => Ok(MissingPolicy::Skip { min_coverage: 0.0 }),
        "propagate" => Ok(MissingPolicy::Propagate),
        "error" => Ok(MissingPolicy::Error),
        other => match other.strip_prefix("skip:").map(str::parse::<f64>) {
            Some(Ok(c)) if (0.0..=1.0).contains(&c) => Ok(MissingPolicy::Skip { min_coverage: c }),
            _ => Err(Error::invalid(
                "--missing",
                format!("`{other}`"),
                Expected::one_of(["skip", "skip:COVERAGE (0..1)", "propagate", "error"]),
            )),
        },
    }
}

fn parse_ties(s: &str) -> Result<TieRule> {
    Ok(match s {
        "min" => TieRule::Min,
        "max" => TieRule::Max,
        "dense" => TieRule::Dense,
        "ordinal" => TieRule::Ordinal,
        "average" => TieRule::Average,
        other => {
            return Err(Error::invalid(
                "--ties",
                format!("`{other}`"),
                Expected::one_of(["min", "max", "dense", "ordinal", "average"]),
            ));
        }
    })
}
