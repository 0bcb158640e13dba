//! Synthetic weight sweep: random seeded data, a balanced indicator → sub-pillar → pillar → index tree
//! with equal weights, min-max normalisation, uniform ±spread noise on every node weight, full rank
//! histograms and the uncertainty report.
//!
//! ```text
//! cargo run --release --example sweep -- --units 72 --indicators 79 --subpillars 20 --pillars 6 \
//!     --variants 1000000 --spread 0.25 --seed 1 [--threads T] [--chunk C] [--path general]
//! ```
//!
//! `--path general` forces the sweep's general chunk path (per-chunk rank histograms, the path every
//! non-linear model takes): the model gets a second, identical alternative and the variants draw
//! their alternative uniformly, so no chunk qualifies for the one-product fast paths. The ranks are
//! those of the same model; only the weight draws differ (the alternative draw comes first).
//!
//! The last line printed is `variants_per_second=<number>`.

use std::process::ExitCode;
use std::time::Instant;

use composite_indicators::AggregatorKind;
use composite_indicators::MissingPolicy;
use composite_indicators::sweep::bench_support::{min_max_columns, synthetic};
use composite_indicators::sweep::{
    AltSampler, BatchModel, NodeSelection, SweepConfig, WeightSampler,
};

struct Args {
    units: usize,
    indicators: usize,
    subpillars: usize,
    pillars: usize,
    variants: usize,
    spread: f64,
    seed: u64,
    threads: Option<usize>,
    chunk: usize,
    general: bool,
}

fn parse() -> Result<Args, String> {
    let mut a = Args {
        units: 72,
        indicators: 79,
        subpillars: 20,
        pillars: 6,
        variants: 100_000,
        spread: 0.25,
        seed: 1,
        threads: None,
        chunk: 4096,
        general: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let val = it
            .next()
            .ok_or_else(|| format!("missing value after {flag}"))?;
        let num = |v: &str| -> Result<usize, String> {
            v.parse::<usize>()
                .map_err(|_| format!("{flag}: `{v}` is not a non-negative integer"))
        };
        match flag.as_str() {
            "--units" => a.units = num(&val)?,
            "--indicators" => a.indicators = num(&val)?,
            "--subpillars" => a.subpillars = num(&val)?,
            "--pillars" => a.pillars = num(&val)?,
            "--variants" => a.variants = num(&val)?,
            "--threads" => a.threads = Some(num(&val)?),
            "--chunk" => a.chunk = num(&val)?,
            "--path" => {
                a.general = match val.as_str() {
                    "general" => true,
                    "auto" => false,
                    _ => return Err(format!("--path: `{val}` is not `auto` or `general`")),
                }
            }
            "--seed" => {
                a.seed = val
                    .parse()
                    .map_err(|_| format!("--seed: `{val}` is not a u64"))?
            }
            "--spread" => {
                a.spread = val
                    .parse()
                    .map_err(|_| format!("--spread: `{val}` is not a number"))?
            }
            other => {
                return Err(format!(
                    "unknown argument `{other}` (expected --units, --indicators, --subpillars, --pillars, --variants, --spread, --seed, --threads, --chunk, --path)"
                ));
            }
        }
    }
    if a.threads == Some(0) || a.chunk == 0 || a.variants == 0 {
        return Err("--threads, --chunk and --variants must be positive".into());
    }
    Ok(a)
}

fn run(a: &Args) -> Result<(), String> {
    let (fw, raw) = synthetic(a.units, a.indicators, a.subpillars, a.pillars, a.seed)
        .map_err(|e| e.to_string())?;
    let x = min_max_columns(&raw);
    let n_agg = fw.nodes().len() - fw.n_indicators();
    let alternatives = if a.general {
        vec![x.clone(), x]
    } else {
        vec![x]
    };
    let model = BatchModel::new(
        fw,
        vec![AggregatorKind::Arithmetic; n_agg],
        MissingPolicy::default(),
        None,
        alternatives,
    )
    .map_err(|e| e.to_string())?;
    let mut cfg = SweepConfig::new(
        a.variants,
        a.seed,
        WeightSampler::Uniform {
            spread: a.spread,
            nodes: NodeSelection::All,
        },
    );
    cfg.chunk_size = a.chunk;
    if a.general {
        cfg.alternatives = AltSampler::Uniform;
    }
    let t0 = Instant::now();
    let res = model.sweep(&cfg).map_err(|e| e.to_string())?;
    let ua = res.ua_report();
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "workload: {} units x {} indicators, {} sub-pillars, {} pillars; {} variants, spread {}, seed {}, {} threads, {} path",
        a.units,
        a.indicators,
        a.subpillars,
        a.pillars,
        a.variants,
        a.spread,
        a.seed,
        rayon::current_num_threads(),
        if a.general { "general" } else { "auto" }
    );
    println!("unit  nominal  median   q05   q95  mean|shift|  score mean ± sd");
    for r in ua.rows.iter().take(5) {
        println!(
            "{:>4}  {:>7}  {:>6.1}  {:>4.1}  {:>4.1}  {:>11.2}  {:.2} ± {:.2}",
            r.unit,
            r.nominal_rank.unwrap_or(0),
            r.median_rank.unwrap_or(f64::NAN),
            r.q05_rank.unwrap_or(f64::NAN),
            r.q95_rank.unwrap_or(f64::NAN),
            r.mean_abs_shift.unwrap_or(f64::NAN),
            r.score_mean.unwrap_or(f64::NAN),
            r.score_sd.unwrap_or(f64::NAN)
        );
    }
    println!(
        "mean absolute rank shift over units: {:.3}",
        ua.mean_abs_shift().unwrap_or(f64::NAN)
    );
    println!("elapsed: {secs:.3} s");
    println!("variants_per_second={:.0}", a.variants as f64 / secs);
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let result = match args.threads {
        Some(t) => match rayon::ThreadPoolBuilder::new().num_threads(t).build() {
            Ok(pool) => pool.install(|| run(&args)),
            Err(e) => Err(e.to_string()),
        },
        None => run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
