//! How solid is the ASEM ranking? Uncertainty and sensitivity analysis of the ASEM Sustainable
//! Connectivity index (COINr's embedded data set: 51 countries, 49 indicators → 8 pillars →
//! 2 sub-indices → index), in the style of COINr's `get_sensitivity()` / `plot_uncertainty()`.
//!
//! Nominal method (COINr's defaults): units sorted by code, min-max to [0, 100], arithmetic means with
//! the spec's (equal) weights, missing indicators skipped and the weights re-normalised, min ties.
//!
//! Uncertainty: 100,000 variants. Each multiplies every node's weight (indicators, pillars,
//! sub-indices) by an independent `U(0.75, 1.25)` factor (±25 %) and picks the normaliser with
//! probability 1/2 each: min-max [0, 100] (nominal) or z-score (mean 0, sd 1, sample sd). Both
//! normalised matrices are fitted once, before the sweep. Printed per country: nominal rank, median
//! rank, the Q5–Q95 rank interval and the mean absolute rank shift `mean |rank − nominal rank|`.
//!
//! Sensitivity: first-order and total Sobol indices of the mean absolute rank shift over all countries
//! (COINr's sensitivity target) for four input groups: indicator weights, pillar weights, sub-index
//! weights (each ±25 %) and the normaliser choice; Saltelli design with N base rows (N·6 model runs).
//!
//! Run: `cargo run --release --features plot --example weight_sensitivity [-- --out PATH --variants K
//! --sobol-n N]` (defaults: `weight_sensitivity.svg` in the cargo target directory —
//! `$CARGO_TARGET_DIR`, or the `target` folder the example was built in — 100000, 4096). The SVG is
//! COINr's `plot_uncertainty` picture, drawn by the library's `plot::rank_intervals`: one column per
//! country in nominal rank order, a line from the Q5 to the Q95 rank, a dot at the median and a cross
//! at the nominal rank.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use composite_indicators::io::{read_idata_path, read_imeta_path};
use composite_indicators::plot::{self, PlotOptions};
use composite_indicators::prelude::*;
use composite_indicators::score::Scorer;
use composite_indicators::sweep::{
    AltSampler, Bootstrap, Control, GroupInput, NodeSelection, SobolGroup, SweepConfig, SweepSetup,
    UaReport, UaRow, WeightSampler,
};

const SPREAD: f64 = 0.25;
const SEED: u64 = 20240611;

struct Args {
    out: PathBuf,
    variants: usize,
    sobol_n: usize,
}

fn parse_args() -> std::result::Result<Args, String> {
    let mut args = Args {
        out: target_dir().join("weight_sensitivity.svg"),
        variants: 100_000,
        sobol_n: 4096,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--out" => args.out = PathBuf::from(value("--out")?),
            "--variants" => {
                args.variants = value("--variants")?
                    .parse()
                    .map_err(|e| format!("--variants: {e}"))?
            }
            "--sobol-n" => {
                args.sobol_n = value("--sobol-n")?
                    .parse()
                    .map_err(|e| format!("--sobol-n: {e}"))?
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(args)
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!(
                "error: {e}\nusage: weight_sensitivity [--out PATH] [--variants K] [--sobol-n N]"
            );
            std::process::exit(2);
        }
    };
    if let Err(e) = run(&args) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// A text progress bar on stderr, redrawn with `\r` at most 50 times.
struct Progress {
    label: &'static str,
    drawn: AtomicUsize,
}

impl Progress {
    const STEPS: usize = 50;

    fn new(label: &'static str) -> Self {
        Progress {
            label,
            drawn: AtomicUsize::new(usize::MAX),
        }
    }

    /// Called from worker threads, possibly out of order: only a step larger than every step drawn so
    /// far is drawn.
    fn update(&self, done: usize, total: usize) {
        let step = (done.min(total) * Self::STEPS)
            .checked_div(total)
            .unwrap_or(Self::STEPS);
        let prev = self.drawn.load(Ordering::Relaxed);
        if prev != usize::MAX && step <= prev {
            return;
        }
        if self
            .drawn
            .compare_exchange(prev, step, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
        {
            return; // another thread is drawing a newer state
        }
        eprint!(
            "\r{:<12} [{}{}] {:>3}%",
            self.label,
            "#".repeat(step),
            ".".repeat(Self::STEPS - step),
            step * 2
        );
        if step == Self::STEPS {
            eprintln!();
        }
    }
}

fn run(args: &Args) -> Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/asem");
    let meta = read_imeta_path(dir.join("iMeta.csv"))?;
    let data = read_idata_path(dir.join("iData.csv"), &meta)?.sorted_by_code();
    let framework = meta.spec.clone().check()?;
    let scorer = Scorer::new(framework);

    // Normalise once per alternative: 0 = min-max [0, 100] (the scorer's), 1 = z-score.
    let model = SweepSetup::from_scorer(&scorer, &data)?
        .with_normaliser_alternatives(vec![NormaliserKind::ZScore { mean: 0.0, sd: 1.0 }])?
        .build()?;
    let fw = model.framework();
    let count = |level: usize| fw.nodes().iter().filter(|n| n.level == level).count();
    println!(
        "ASEM: {} countries, {} indicators, {} pillars, {} sub-indices; {} variants: ±{:.0}% uniform \
         weight noise on every node, normaliser min-max or z-score (1/2 each)",
        model.n_units(),
        count(1),
        count(2),
        count(3),
        args.variants,
        SPREAD * 100.0
    );

    // ---- uncertainty analysis ----
    let mut cfg = SweepConfig::new(
        args.variants,
        SEED,
        WeightSampler::Uniform {
            spread: SPREAD,
            nodes: NodeSelection::All,
        },
    );
    cfg.alternatives = AltSampler::Uniform;
    let bar = Progress::new("variants");
    let progress = |done: usize, total: usize| bar.update(done, total);
    let ctl = Control {
        progress: Some(&progress),
        cancel: None,
    };
    let t0 = Instant::now();
    let result = model.sweep(&cfg, ctl)?;
    let elapsed = t0.elapsed().as_secs_f64();
    let ua = result.ua_report();

    let mut rows: Vec<&UaRow> = ua.rows.iter().collect();
    rows.sort_by_key(|r| (r.nominal_rank.unwrap_or(u32::MAX), r.unit.clone()));
    let names: std::collections::HashMap<&str, &str> = data
        .unit_codes()
        .iter()
        .map(String::as_str)
        .zip(data.unit_names().iter().map(String::as_str))
        .collect();
    let show = |x: Option<f64>| x.map_or("-".to_string(), rank_text);
    println!(
        "\n{:>4}  {:<5} {:<16} {:>6} {:>6} {:>9} {:>10}",
        "rank", "code", "country", "score", "median", "Q5-Q95", "mean|shift|"
    );
    for r in &rows {
        println!(
            "{:>4}  {:<5} {:<16} {:>6.1} {:>6} {:>9} {:>10.2}",
            show(r.nominal_rank.map(f64::from)),
            r.unit,
            names
                .get(r.unit.as_str())
                .map_or(String::new(), |n| n.chars().take(16).collect()),
            r.nominal_score,
            show(r.median_rank),
            format!("{}-{}", show(r.q05_rank), show(r.q95_rank)),
            r.mean_abs_shift.unwrap_or(f64::NAN)
        );
    }
    let widths: Vec<f64> = rows
        .iter()
        .filter_map(|r| Some(r.q95_rank? - r.q05_rank?))
        .collect();
    let stable = rows
        .iter()
        .filter(|r| r.q05_rank == r.q95_rank && r.q05_rank.is_some())
        .count();
    println!(
        "\nmean absolute rank shift over countries: {:.2}; median Q5-Q95 width: {} ranks; \
         widest: {} ranks; countries with a fixed rank: {stable}",
        ua.mean_abs_shift().unwrap_or(f64::NAN),
        rank_text(median(&widths)),
        rank_text(widths.iter().copied().fold(0.0, f64::max))
    );
    println!(
        "sweep: {} variants in {:.2} s = {:.0} variants/s ({} threads)",
        args.variants,
        elapsed,
        args.variants as f64 / elapsed,
        rayon::current_num_threads()
    );

    plot(&ua, args.variants, &args.out)?;
    println!("rank-interval plot written to {}", args.out.display());

    // ---- Sobol sensitivity ----
    let weights = |levels: Vec<usize>| GroupInput::Weights {
        nodes: NodeSelection::Levels { levels },
        spread: SPREAD,
        triangular: false,
    };
    let groups = vec![
        SobolGroup::new("indicator weights", weights(vec![1])),
        SobolGroup::new("pillar weights", weights(vec![2])),
        SobolGroup::new("sub-index weights", weights(vec![3])),
        SobolGroup::new(
            "normaliser",
            GroupInput::Alternative {
                choice: AltSampler::Uniform,
            },
        ),
    ];
    let bar = Progress::new("Sobol rows");
    let progress = |done: usize, total: usize| bar.update(done, total);
    let t0 = Instant::now();
    // COINr bootstraps its one target; 1,000 replicates of it cost little next to the model runs
    let boot = Bootstrap::new(1000)
        .with_seed(SEED + 2)
        .with_targets(["mean_abs_rank_shift"]);
    let sobol = model.sobol_bootstrap(
        &groups,
        args.sobol_n,
        SEED + 1,
        &boot,
        Control {
            progress: Some(&progress),
            cancel: None,
        },
    )?;
    let elapsed = t0.elapsed().as_secs_f64();
    let t = sobol.target("mean_abs_rank_shift").ok_or_else(|| {
        Error::unknown_name("Sobol target", "mean_abs_rank_shift", sobol.targets.clone())
    })?;
    println!(
        "\nSobol indices of the mean absolute rank shift (N = {}, {} runs, {:.2} s; variance {:.3}):",
        sobol.n,
        sobol.runs,
        elapsed,
        sobol.variance.get(t).copied().unwrap_or(f64::NAN)
    );
    let ci = sobol
        .intervals
        .as_ref()
        .ok_or_else(|| Error::incompatible("bootstrap", "no intervals returned"))?;
    println!(
        "{:<20} {:>8} {:>17} {:>8} {:>17}",
        "input group", "first", "90% bootstrap CI", "total", "90% bootstrap CI"
    );
    for (i, g) in sobol.groups.iter().enumerate() {
        println!(
            "{:<20} {:>8.3}   [{:>6.3}, {:>6.3}] {:>8.3}   [{:>6.3}, {:>6.3}]",
            g,
            sobol.first[[t, i]],
            ci.first_lo[[t, i]],
            ci.first_hi[[t, i]],
            sobol.total[[t, i]],
            ci.total_lo[[t, i]],
            ci.total_hi[[t, i]]
        );
    }
    let sum_first: f64 = (0..sobol.groups.len()).map(|i| sobol.first[[t, i]]).sum();
    println!("{:<20} {:>8.3}", "sum of first order", sum_first);
    Ok(())
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s.get(s.len() / 2).copied().unwrap_or(f64::NAN)
}

/// A rank quantile as text: whole ranks without decimals, interpolated ones with one.
fn rank_text(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

/// COINr-style `plot_uncertainty` through the library plot ([`plot::rank_intervals_path`]): units in
/// nominal rank order, Q5–Q95 bar, median dot, nominal cross, rank 1 at the top; written atomically.
fn plot(ua: &UaReport, variants: usize, out: &Path) -> Result<()> {
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| Error::Io {
            path: parent.display().to_string(),
            source,
        })?;
    }
    let opts = PlotOptions::default().with_title(format!(
        "ASEM index: rank uncertainty by country over {variants} variants (±{:.0} % weights, \
         min-max or z-score)",
        SPREAD * 100.0
    ));
    plot::rank_intervals_path(out, ua, &opts)
}

/// The cargo target directory: `$CARGO_TARGET_DIR` when set, else the `target` folder holding this
/// executable (`<target>/<profile>/examples/<name>`), else `./target`.
fn target_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(d);
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.ancestors().nth(3).map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("target"))
}
