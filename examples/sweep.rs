//! Synthetic weight sweep: random seeded data, a balanced indicator → sub-pillar → pillar → index tree
//! with equal weights, min-max normalisation, uniform ±spread noise on every node weight, full rank
//! histograms and the uncertainty report.
//!
//! ```text
//! cargo run --release --example sweep -- --units 72 --indicators 79 --subpillars 20 --pillars 6 \
//!     --variants 1000000 --spread 0.25 --seed 1 [--threads T] [--chunk C] [--path general] \
//!     [--rank-summary exact|auto|binned:B] [--memory-budget BYTES] [--score-bins S] [--score-stats on|off] \
//!     [--repeats R] [--warmup W]
//! ```
//!
//! Timing follows the numpy peer's protocol (`../shared/bench/numpy_baseline.py`): one warm-up sweep
//! of `min(variants, W)` variants (`--warmup`, default 512: the peer warms up on `min(K, 2·chunk)`
//! variants, chunk 256; 0 skips it), then the sweep and its UA report are timed `--repeats` times
//! (default 2, as the peer) and the fastest run counts. The first timed run is printed as well; every
//! run returns the same result. `scripts/scale_table.sh` passes `--warmup 0 --repeats 1`, so its wall
//! time and peak memory are those of one sweep.
//!
//! `--path general` forces the sweep's general chunk path (per-chunk rank histograms, the path every
//! non-linear model takes): the model gets a second, identical alternative and the variants draw
//! their alternative uniformly, so no chunk qualifies for the one-product fast paths. The ranks are
//! those of the same model; only the weight draws differ (the alternative draw comes first).
//!
//! `--rank-summary` picks how the per-unit rank histograms are kept (`RankSummary`): `exact` (the
//! default: units² counters), `binned:B` (B bins of ⌈units / B⌉ consecutive ranks per unit, units × B
//! counters) or `auto` (exact when the sweep's memory estimate fits the budget, else the narrowest
//! bins that do). `--memory-budget` sets that budget (bytes, or with a K/M/G/T suffix, powers of
//! 1024; default ¾ of the available memory). The line `summary: ...` says which summary the sweep
//! used: `summary: exact rank histograms` or `summary: binned rank histograms, width w (B bins)`.
//! `--score-bins` sets the score-histogram bins per unit (default 256; `units × (S + 2)` counters,
//! the largest table of a million-unit sweep after the rank bins). `--score-stats off` keeps rank
//! statistics only (`SweepConfig::with_score_stats(false)`: no score mean, sd or quantiles; the
//! score columns print `-`), the job the numpy peer does.
//!
//! The last line printed is `variants_per_second=<number>`.

use std::process::ExitCode;
use std::time::Instant;

use composite_indicators::AggregatorKind;
use composite_indicators::MissingPolicy;
use composite_indicators::sweep::bench_support::{min_max_columns, synthetic};
use composite_indicators::sweep::{
    AltSampler, BatchModel, NodeSelection, RankSummary, SweepConfig, WeightSampler,
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
    rank_summary: RankSummary,
    memory_budget: Option<u64>,
    score_bins: Option<usize>,
    repeats: usize,
    warmup: usize,
    score_stats: bool,
}

/// `exact`, `auto` or `binned:B` (B ≥ 1 bins per unit).
fn parse_summary(v: &str) -> Result<RankSummary, String> {
    let bad = || format!("--rank-summary: `{v}` is not `exact`, `auto` or `binned:B` (B >= 1)");
    match v {
        "exact" => Ok(RankSummary::Exact),
        "auto" => Ok(RankSummary::Auto),
        _ => match v.strip_prefix("binned:").map(str::parse::<usize>) {
            Some(Ok(bins)) if bins >= 1 => Ok(RankSummary::Binned { bins }),
            _ => Err(bad()),
        },
    }
}

/// Bytes, or a number with a K/M/G/T suffix (powers of 1024), e.g. `4G` or `1.5G`.
fn parse_bytes(v: &str) -> Result<u64, String> {
    let bad = || format!("--memory-budget: `{v}` is not a size (bytes, or e.g. 512M, 4G)");
    let t = v.trim().to_ascii_uppercase();
    let (num, mult) = match t.char_indices().last() {
        Some((i, 'K')) => (&t[..i], 1u64 << 10),
        Some((i, 'M')) => (&t[..i], 1 << 20),
        Some((i, 'G')) => (&t[..i], 1 << 30),
        Some((i, 'T')) => (&t[..i], 1 << 40),
        _ => (t.as_str(), 1),
    };
    let x: f64 = num.parse().map_err(|_| bad())?;
    let bytes = x * mult as f64;
    if !bytes.is_finite() || bytes < 1.0 || bytes >= u64::MAX as f64 {
        return Err(bad());
    }
    Ok(bytes as u64)
}

/// The position of `val` among the two `options` of `flag`, or an error naming both.
fn one_of(flag: &str, val: &str, options: [&str; 2]) -> Result<usize, String> {
    options.iter().position(|&o| o == val).ok_or_else(|| {
        format!(
            "{flag}: `{val}` is not `{}` or `{}`",
            options[0], options[1]
        )
    })
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
        rank_summary: RankSummary::Exact,
        memory_budget: None,
        score_bins: None,
        repeats: 2,
        warmup: 512,
        score_stats: true,
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
            "--path" => a.general = one_of(&flag, &val, ["auto", "general"])? == 1,
            "--rank-summary" => a.rank_summary = parse_summary(&val)?,
            "--memory-budget" => a.memory_budget = Some(parse_bytes(&val)?),
            "--score-bins" => a.score_bins = Some(num(&val)?),
            "--repeats" => a.repeats = num(&val)?,
            "--warmup" => a.warmup = num(&val)?,
            "--score-stats" => a.score_stats = one_of(&flag, &val, ["on", "off"])? == 0,
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
                    "unknown argument `{other}` (expected --units, --indicators, --subpillars, --pillars, --variants, --spread, --seed, --threads, --chunk, --path, --rank-summary, --memory-budget, --score-bins, --score-stats, --repeats, --warmup)"
                ));
            }
        }
    }
    if a.threads == Some(0) || a.chunk == 0 || a.variants == 0 || a.repeats == 0 {
        return Err("--threads, --chunk, --variants and --repeats must be positive".into());
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
    cfg = cfg.with_rank_summary(a.rank_summary);
    if let Some(bins) = a.score_bins {
        cfg = cfg.with_score_bins(bins);
    }
    if !a.score_stats {
        if a.score_bins.is_some_and(|b| b > 0) {
            return Err("--score-bins needs --score-stats on".into());
        }
        cfg = cfg.with_score_stats(false);
    }
    if let Some(bytes) = a.memory_budget {
        cfg = cfg.with_memory_budget(bytes);
    }
    // the peer's protocol: a warm-up, then the fastest of `repeats` timed runs
    let mut warm = cfg.clone();
    warm.variants = a.variants.min(a.warmup);
    if warm.variants > 0 {
        model.sweep(&warm).map_err(|e| e.to_string())?.ua_report();
    }
    let mut times = Vec::with_capacity(a.repeats);
    let mut last = None;
    for _ in 0..a.repeats {
        let t0 = Instant::now();
        let res = model.sweep(&cfg).map_err(|e| e.to_string())?;
        let ua = res.ua_report();
        times.push(t0.elapsed().as_secs_f64());
        last = Some((res, ua));
    }
    let (res, ua) = last.ok_or("--repeats must be positive")?;
    let secs = times.iter().copied().fold(f64::INFINITY, f64::min);
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
    let h = &res.ranks;
    if h.is_exact() {
        println!("summary: exact rank histograms");
    } else {
        println!(
            "summary: binned rank histograms, width {} ({} bins)",
            h.bin_width(),
            h.n_bins()
        );
    }
    println!("unit  nominal  median   q05   q95  mean|shift|  score mean ± sd");
    for r in ua.rows.iter().take(5) {
        println!(
            "{:>4}  {:>7}  {:>6.1}  {:>4.1}  {:>4.1}  {:>11.2}  {}",
            r.unit,
            r.nominal_rank.unwrap_or(0),
            r.median_rank.unwrap_or(f64::NAN),
            r.q05_rank.unwrap_or(f64::NAN),
            r.q95_rank.unwrap_or(f64::NAN),
            r.mean_abs_shift.unwrap_or(f64::NAN),
            match (r.score_mean, r.score_sd) {
                (Some(m), Some(sd)) => format!("{m:.2} ± {sd:.2}"),
                _ => "-".into(),
            }
        );
    }
    println!(
        "mean absolute rank shift over units: {:.3}",
        ua.mean_abs_shift().unwrap_or(f64::NAN)
    );
    println!(
        "elapsed: {secs:.3} s (fastest of {} timed runs after a {}-variant warm-up; first run {:.3} s, {:.0} variants/s)",
        times.len(),
        warm.variants,
        times[0],
        a.variants as f64 / times[0]
    );
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
