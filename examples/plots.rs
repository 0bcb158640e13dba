//! Every library plot (`composite_indicators::plot`, cargo feature `plot`) on real data: the ASEM
//! Sustainable Connectivity index (COINr's embedded data: 51 countries, 49 indicators → 8 pillars →
//! 2 sub-indices → index) and the China Biopharmaceutical City Innovation Index (72 cities' published
//! pillar scores, 20 cities' published status and potential indices, the 79-indicator framework).
//!
//! Written to `--out DIR` (default `plots/` in the cargo target directory: `$CARGO_TARGET_DIR`, or the
//! `target` folder this example was built in):
//!
//! | file | plot |
//! | --- | --- |
//! | `asem_rank_intervals.svg` | rank intervals under weight noise (±25 %) and a min-max / z-score normaliser choice |
//! | `asem_profile.svg`, `asem_contributions.svg` | the top country's pillar profile and indicator contributions |
//! | `asem_scores_by_pillar.svg` | every country's eight pillar scores, in index order |
//! | `asem_corr_indicators.svg`, `asem_corr_aggregates.svg` | Pearson correlations of the normalised indicators, and of pillars, sub-indices and index |
//! | `asem_sobol.svg` | Sobol indices of the mean absolute rank shift with bootstrap intervals |
//! | `asem_quadrants.svg` | Connectivity vs Sustainability, median thresholds |
//! | `asem_framework.svg` | the ASEM framework tree |
//! | `city_rank_intervals.svg`, `city_scores_by_pillar.svg` | the 72 cities under weight noise; the six published pillar scores |
//! | `city_quadrants.svg` | status vs potential index of the 20 top cities, median thresholds |
//! | `city_framework.svg` | the 79-indicator framework tree |
//!
//! Run: `cargo run --release --features plot --example plots [-- --out DIR --variants K --sobol-n N]`
//! (defaults: 10,000 variants, N = 1,024).

use std::path::{Path, PathBuf};

use composite_indicators::audit::{CorrMethod, correlation_matrix};
use composite_indicators::io::{CsvOptions, read_csv_path, read_idata_path, read_imeta_path};
use composite_indicators::plot::{self, PlotOptions};
use composite_indicators::prelude::*;
use composite_indicators::score::{Scorer, Scores};
use composite_indicators::study::quadrant::{Quadrant, QuadrantLabels, Threshold, classify};
use composite_indicators::sweep::{
    AltSampler, Bootstrap, GroupInput, NodeSelection, SobolGroup, SweepConfig, WeightSampler,
};
use ndarray::Array2;

const SPREAD: f64 = 0.25;
const SEED: u64 = 20240611;

struct Args {
    out: PathBuf,
    variants: usize,
    sobol_n: usize,
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

fn parse_args() -> std::result::Result<Args, String> {
    let mut args = Args {
        out: target_dir().join("plots"),
        variants: 10_000,
        sobol_n: 1024,
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
            eprintln!("error: {e}\nusage: plots [--out DIR] [--variants K] [--sobol-n N]");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(&args) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run(args: &Args) -> Result<()> {
    std::fs::create_dir_all(&args.out).map_err(|source| Error::Io {
        path: args.out.display().to_string(),
        source,
    })?;
    let out = |name: &str| {
        let p = args.out.join(name);
        println!("{}", p.display());
        p
    };
    let data_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let opts = PlotOptions::default();

    // ---- ASEM ----
    let dir = data_dir.join("asem");
    let meta = read_imeta_path(dir.join("iMeta.csv"))?;
    let data = read_idata_path(dir.join("iData.csv"), &meta)?.sorted_by_code();
    let scorer = Scorer::new(meta.spec.clone().check()?);
    let scores = scorer.score(&data)?;
    let fw = scorer.framework();

    let model = scorer
        .sweep(&data)?
        .with_normalisers(vec![NormaliserKind::ZScore { mean: 0.0, sd: 1.0 }])?
        .build()?;
    let mut cfg = SweepConfig::new(
        args.variants,
        SEED,
        WeightSampler::Uniform {
            spread: SPREAD,
            nodes: NodeSelection::All,
        },
    );
    cfg.alternatives = AltSampler::Uniform;
    let ua = model.sweep(&cfg)?.ua_report();
    plot::rank_intervals_path(
        out("asem_rank_intervals.svg"),
        &ua,
        &opts.clone().with_title(format!(
            "ASEM index: rank uncertainty over {} variants (±25 % weights, min-max or z-score)",
            args.variants
        )),
    )?;

    let top = scores
        .ranked_rows()
        .first()
        .and_then(|&u| scores.unit_codes().get(u).cloned())
        .ok_or_else(|| Error::EmptyData {
            what: "ASEM scores".into(),
        })?;
    plot::unit_profile_path(out("asem_profile.svg"), &scores, &top, 2, &opts)?;
    plot::unit_contributions_path(out("asem_contributions.svg"), &scores, &top, &opts)?;
    plot::scores_by_level_path(out("asem_scores_by_pillar.svg"), &scores, 2, &opts)?;

    let normalised = scorer.fit(&data)?.normalise(&data)?;
    let codes: Vec<String> = fw.indicator_codes().iter().map(|s| s.to_string()).collect();
    let r = correlation_matrix(normalised.view(), CorrMethod::Pearson)?;
    plot::correlation_heatmap_path(
        out("asem_corr_indicators.svg"),
        r.view(),
        &codes,
        &opts
            .clone()
            .with_title("ASEM: Pearson correlations of the 49 normalised indicators"),
    )?;
    let (agg_codes, agg) = aggregate_columns(&scores);
    let r = correlation_matrix(agg.view(), CorrMethod::Pearson)?;
    plot::correlation_heatmap_path(
        out("asem_corr_aggregates.svg"),
        r.view(),
        &agg_codes,
        &opts
            .clone()
            .with_title("ASEM: Pearson correlations of pillars, sub-indices and index"),
    )?;

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
    let boot = Bootstrap::new(500)
        .with_seed(SEED + 2)
        .with_targets(["mean_abs_rank_shift"]);
    let sobol = model.sobol_bootstrap(&groups, args.sobol_n, SEED + 1, &boot)?;
    plot::sobol_bars_path(out("asem_sobol.svg"), &sobol, "mean_abs_rank_shift", &opts)?;

    let subs = scores.level_codes(3);
    if let [a, b] = subs.as_slice() {
        let x = scores.node_values(a)?.to_vec();
        let y = scores.node_values(b)?.to_vec();
        let q = classify(&x, &y, Threshold::Median, Threshold::Median)?.with_labels(
            QuadrantLabels::default()
                .with(Quadrant::HighHigh, format!("high {a}, high {b}"))
                .with(Quadrant::HighLow, format!("high {a}, low {b}"))
                .with(Quadrant::LowHigh, format!("low {a}, high {b}"))
                .with(Quadrant::LowLow, format!("low {a}, low {b}")),
        );
        plot::quadrant_scatter_path(
            out("asem_quadrants.svg"),
            &x,
            &y,
            scores.unit_codes(),
            &q,
            &opts
                .clone()
                .with_title(format!("ASEM: {a} vs {b} sub-index, median thresholds"))
                .with_x_label(format!("{a} (0–100)"))
                .with_y_label(format!("{b} (0–100)")),
        )?;
    }
    plot::framework_tree_path(out("asem_framework.svg"), fw, &opts)?;

    // ---- the city index ----
    let cbcii = data_dir.join("cbcii");
    let cities = read_csv_path(
        cbcii.join("cities_overall.csv"),
        &CsvOptions::default()
            .with_unit_column("city_en")
            .with_group_columns(["region_zh", "region_en", "city_zh"]),
    )?;
    let pillars = [
        ("infrastructure", "Infrastructure"),
        ("policy_support", "Policy support"),
        ("rd_resources", "R&D resources"),
        ("innovation_system", "Innovation system"),
        ("funding_system", "Funding system"),
        ("enterprise_capability", "Enterprise capability"),
    ];
    let city_fw = FrameworkSpec::new(
        "CBCII published pillar scores",
        pillars
            .iter()
            .map(|(code, name)| {
                let mut i = Indicator::new(*code, "CBCII");
                i.name = (*name).into();
                i
            })
            .collect(),
        vec![Pillar::new("CBCII")],
    )
    .check()?;
    // published pillar scores as they are, summed: the overall index (up to the published rounding)
    let city_scorer = Scorer::new(city_fw)
        .normaliser(NormaliserKind::Identity)
        .aggregator(AggregatorKind::Sum);
    let city_scores = city_scorer.score(&cities)?;
    plot::scores_by_level_path(
        out("city_scores_by_pillar.svg"),
        &city_scores,
        1,
        &opts.clone().with_title(
            "City index: published pillar scores of the 72 cities, in order of their sum",
        ),
    )?;
    let city_model = city_scorer.sweep(&cities)?.build()?;
    let city_cfg = SweepConfig::new(
        args.variants,
        SEED,
        WeightSampler::Uniform {
            spread: SPREAD,
            nodes: NodeSelection::All,
        },
    );
    let city_ua = city_model.sweep(&city_cfg)?.ua_report();
    plot::rank_intervals_path(
        out("city_rank_intervals.svg"),
        &city_ua,
        &opts.clone().with_title(format!(
            "City index: rank uncertainty of 72 cities over {} variants of ±25 % pillar weights",
            args.variants
        )),
    )?;

    let sp = read_csv_path(
        cbcii.join("cities_status_potential.csv"),
        &CsvOptions::default()
            .with_unit_column("city_en")
            .with_group_columns(["city_zh"]),
    )?;
    let x = sp.column("status_index")?.to_vec();
    let y = sp.column("potential_index")?.to_vec();
    let q = classify(&x, &y, Threshold::Median, Threshold::Median)?.with_labels(
        QuadrantLabels::default()
            .with(Quadrant::HighHigh, "strong now and later")
            .with(Quadrant::HighLow, "strong now, less potential")
            .with(Quadrant::LowHigh, "catching up")
            .with(Quadrant::LowLow, "behind on both"),
    );
    plot::quadrant_scatter_path(
        out("city_quadrants.svg"),
        &x,
        &y,
        sp.unit_codes(),
        &q,
        &opts
            .clone()
            .with_title("City index: status vs potential of the top 20 cities, median thresholds")
            .with_x_label("status index (published)")
            .with_y_label("potential index (published)"),
    )?;
    let city_tree = composite_indicators::io::datasets::cbcii::read_cbcii_framework_path(
        cbcii.join("framework.csv"),
    )?
    .check()?;
    plot::framework_tree_path(out("city_framework.svg"), &city_tree, &opts)?;
    Ok(())
}

/// The aggregates' scores (every node above the indicators) as units × aggregates, with their codes.
fn aggregate_columns(scores: &Scores) -> (Vec<String>, Array2<f64>) {
    let fw = scores.framework();
    let cols: Vec<usize> = fw.aggregate_indices().collect();
    let codes = cols
        .iter()
        .filter_map(|&k| fw.nodes().get(k).map(|n| n.code.clone()))
        .collect();
    (codes, scores.values().select(ndarray::Axis(1), &cols))
}
