//! The China Biopharmaceutical City Innovation Index (CBCII), end to end, on **SYNTHETIC** raw data.
//!
//! The report publishes its framework (79 indicators, `data/cbcii/framework.csv`) and its results
//! (`cities_*.csv`) but not the raw indicator values. This example therefore generates a clearly
//! labelled synthetic raw data set for the 72 published cities and scores it with the report's method.
//! None of the printed city scores are the report's; only the city list, the regions, the framework
//! and the published ranks (shown for comparison, column `pub`) come from the data folder.
//!
//! # Synthetic data (seeded `Xoshiro256PlusPlus`, [`SEED`])
//!
//! * Each city's latent strength `s ∈ [0.12, 0.92]` is its **published** overall index rescaled,
//!   `0.12 + 0.8 · (overall − min) / (max − min)`, so the synthetic ranking follows the published one; each city also
//!   gets a pillar profile (`N(0, 0.10)` per pillar) so strengths and weaknesses differ between cities.
//! * Indicator quality `q = clamp(s + profile + N(0, 0.12), 0, 1)` is mapped onto a plausible range
//!   for the indicator's unit ([`raw_range`]: e.g. GDP 1,500–45,000 (100 million CNY) on a log scale,
//!   counts 1–800 rounded to integers, indices 0–100). For a negative indicator (direction −1) a
//!   strong city gets a *low* raw value, so the direction is respected.
//! * Indicators with a max score (总分) are drawn within `[0, max]` in steps of 0.5.
//! * Bonus factors are mostly 0/1: `P(1) = min(0.08 + 1.1·s, 0.97)`, and 3% of draws give 0.5 (the
//!   report's Chongqing and Qingdao gaps suggest occasional half points).
//! * Sub-sectors: for the 35 indicators flagged `subsector`, each of the four sub-sectors gets its own
//!   values, drawn like the base values with an extra city × sub-sector specialisation `N(0, 0.15)`.
//!
//! # Method (the report's, as far as it is published)
//!
//! * Every indicator on a 0–1 scale: min-max onto `[0, 1]` after applying the direction, or
//!   `x / max_score` ([`NormaliserKind::MaxScore`]) for the 24 indicators with a max score.
//! * Equal weights and a **sum** at every level: sub-pillar = Σ its indicators, pillar = Σ its
//!   sub-pillars, so a pillar score is at most its number of non-bonus indicators (identity O3).
//! * The ten bonus factors are taken out of their pillars and added to the overall with weight 1
//!   ([`WeightScheme::Bonus`]), so `overall = Σ pillars + bonus` (identity O2).
//! * Status and potential indices: the contributions of the `status` and `potential` indicators
//!   ([`Scores::tag_index`]); they add up to the overall (S1).
//! * Sub-sector index, **our interpretation**: the report's footnote says the sub-sector index is the
//!   sum of the sub-sector-specific indicator scores "marked up" by the ratio between that sum and the
//!   overall index, without giving the formula (data/cbcii/README.md, "Sub-sector index"). Here each
//!   sub-sector is scored by replacing the 35 sub-sector indicators' values with the sub-sector's own
//!   (re-normalised on that sub-sector's values), and the sub-sector-tagged contributions are rescaled to
//!   the full index's range with [`Scores::tag_index_rescaled`]: `Σ_tag contribution × (Σ_all path
//!   factor / Σ_tag path factor)`. With sums everywhere every path factor is 1, so the factor is
//!   79 / 35: the index the city would get if all 79 indicators scored like its 35 sub-sector ones.
//! * Ranks: 1 = best, ties share the best rank (`TieRule::Min`, "1224").
//! * Leave-one-out of each pillar (COINr's `remove_elements`): each pillar's weight set to 0 in turn,
//!   the index rebuilt, and the mean absolute rank change and the cities that move most reported.
//!
//! Run: `cargo run --release --example cbcii`

use std::path::{Path, PathBuf};

use composite_indicators::error::Expected;
use composite_indicators::io::datasets::cbcii::read_cbcii_framework_path;
use composite_indicators::io::{CsvOptions, read_csv_path};
use composite_indicators::prelude::*;
use composite_indicators::rank::{TieRule, rank_desc};
use composite_indicators::score::{Scorer, Scores, summarise_groups};
use composite_indicators::study::remove::{RemoveOptions, remove_elements};
use composite_indicators::study::strweak::{StrWeakOptions, str_weak_table};
use composite_indicators::study::tiers::{TierMethod, assign_tiers, pillar_tags};
use ndarray::Array2;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Normal};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Seed of the synthetic data set.
pub const SEED: u64 = 2021;
/// The four sub-sectors, in the order of `cities_subsector.csv`.
pub const SUBSECTORS: [&str; 4] = [
    "biologics",
    "medical_devices",
    "medical_services",
    "medical_big_data",
];
/// Pillar codes and short display names.
pub const PILLARS: [(&str, &str); 6] = [
    ("P1", "Infra"),
    ("P2", "Policy"),
    ("P3", "R&D"),
    ("P4", "Innov"),
    ("P5", "Funding"),
    ("P6", "Enterpr"),
];

type BoxResult<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// The data folder.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/cbcii")
}

/// The checked 79-indicator framework.
pub fn load_framework() -> Result<Framework> {
    read_cbcii_framework_path(data_dir().join("framework.csv"))?.check()
}

/// The published overall table as a dataset: units = `city_en`, groups `region_en`, `region_zh`,
/// `city_zh`; numeric columns `rank`, `overall` and the six pillar scores.
pub fn load_cities() -> Result<Dataset> {
    read_csv_path(
        data_dir().join("cities_overall.csv"),
        &CsvOptions::default()
            .with_unit_column("city_en")
            .with_group_columns(["region_zh", "region_en", "city_zh"]),
    )
}

/// The synthetic raw data: the base data set (72 cities × 79 indicators, group `region`) and one
/// data set per sub-sector (the 35 `subsector` columns replaced by that sub-sector's values).
#[derive(Debug, Clone)]
pub struct Synthetic {
    /// Base raw values.
    pub base: Dataset,
    /// One data set per entry of [`SUBSECTORS`].
    pub subsectors: Vec<Dataset>,
}

/// Plausible raw range `(lo, hi, log scale, integer)` for an indicator without a max score, from its
/// unit (with a few indicator-specific overrides).
pub fn raw_range(ind: &Indicator) -> (f64, f64, bool, bool) {
    match ind.code.as_str() {
        "P1.S3.I1" => return (1_500.0, 45_000.0, true, false), // GDP, 100 million CNY
        "P1.S3.I4" => return (30_000.0, 80_000.0, false, false), // disposable income, CNY
        "P1.S5.I2" => return (1.5, 5.0, false, false),         // physicians per 1,000
        "P1.S5.I4" => return (300.0, 6_000.0, true, false),    // per-capita insurance spend, CNY
        "P2.S3.I4" => return (2.0, 12.0, false, false),        // trade tariff rate, %
        _ => {}
    }
    match ind.unit.as_str() {
        "events" => (0.0, 40.0, false, true),
        "100 million CNY" => (5.0, 8_000.0, true, false),
        "%" => (0.5, 35.0, false, false),
        "10,000 persons" => (150.0, 3_300.0, true, false),
        "CNY" => (1.0e4, 5.0e6, true, false),
        "visits (person-times)" => (5.0e6, 3.0e8, true, true),
        "count" => (1.0, 800.0, true, true),
        "persons" => (5.0, 3_000.0, true, true),
        _ => (0.0, 100.0, false, false), // "index" and anything else
    }
}

/// Map a quality `q ∈ [0, 1]` (1 = best) to a raw value of `ind`, respecting its direction.
fn raw_value(ind: &Indicator, q: f64, rng: &mut Xoshiro256PlusPlus, s: f64) -> f64 {
    if ind.bonus && ind.max_score.is_none_or(|m| m == 1.0) {
        // bonus factors: mostly 0/1, occasionally a half point
        if rng.random::<f64>() < 0.03 {
            return 0.5;
        }
        return if rng.random::<f64>() < (0.08 + 1.1 * s).min(0.97) {
            1.0
        } else {
            0.0
        };
    }
    if let Some(max) = ind.max_score {
        return ((q * max * 2.0).round() / 2.0).clamp(0.0, max);
    }
    let (lo, hi, log, int) = raw_range(ind);
    let q = if ind.direction == Direction::Negative {
        1.0 - q
    } else {
        q
    };
    let v = if log {
        lo * (hi / lo).powf(q)
    } else {
        lo + q * (hi - lo)
    };
    if int { v.round() } else { v }
}

/// Generate the synthetic raw data for the published cities (see the module docs).
pub fn synthetic_data(fw: &Framework, cities: &Dataset, seed: u64) -> Result<Synthetic> {
    let overall = cities.column("overall")?;
    let (lo, hi) = overall
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let strength: Vec<f64> = overall
        .iter()
        .map(|v| 0.12 + 0.8 * (v - lo) / (hi - lo))
        .collect();
    let n_u = strength.len();
    let inds = fw.indicators();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let normal =
        |sd: f64| Normal::new(0.0, sd).map_err(|_| Error::invalid("sd", sd, Expected::NonNegative));
    let (profile_d, noise_d, special_d) = (normal(0.10)?, normal(0.12)?, normal(0.15)?);
    let pillar_of = |ind: &Indicator| {
        PILLARS
            .iter()
            .position(|(p, _)| ind.code.starts_with(&format!("{p}.")))
            .unwrap_or(0)
    };
    let profile = Array2::from_shape_simple_fn((n_u, PILLARS.len()), || profile_d.sample(&mut rng));
    let mut base = Array2::<f64>::zeros((n_u, inds.len()));
    for u in 0..n_u {
        for (i, ind) in inds.iter().enumerate() {
            let q = (strength[u] + profile[[u, pillar_of(ind)]] + noise_d.sample(&mut rng))
                .clamp(0.0, 1.0);
            base[[u, i]] = raw_value(ind, q, &mut rng, strength[u]);
        }
    }
    let codes: Vec<String> = inds.iter().map(|i| i.code.clone()).collect();
    let region = cities.group("region_en")?.to_vec();
    let make = |values: Array2<f64>| -> Result<Dataset> {
        Dataset::new(cities.unit_codes().to_vec(), codes.clone(), values)?
            .with_group("region", region.clone())
    };
    let mut subsectors = Vec::with_capacity(SUBSECTORS.len());
    for _ in SUBSECTORS {
        let special: Vec<f64> = (0..n_u).map(|_| special_d.sample(&mut rng)).collect();
        let mut v = base.clone();
        for u in 0..n_u {
            for (i, ind) in inds.iter().enumerate() {
                if ind.has_tag("subsector") {
                    let q = (strength[u]
                        + profile[[u, pillar_of(ind)]]
                        + special[u]
                        + noise_d.sample(&mut rng))
                    .clamp(0.0, 1.0);
                    v[[u, i]] = raw_value(ind, q, &mut rng, strength[u]);
                }
            }
        }
        subsectors.push(make(v)?);
    }
    Ok(Synthetic {
        base: make(base)?,
        subsectors,
    })
}

/// The report's method: 0–1 scale (min-max, or max score where one is given), equal weights, sums at
/// every level, bonus factors added to the overall with weight 1.
pub fn cbcii_scorer(fw: &Framework) -> Result<Scorer> {
    let mut s = Scorer::new(fw.clone())
        .normaliser(NormaliserKind::MinMax { lo: 0.0, hi: 1.0 })
        .aggregator(AggregatorKind::Sum)
        .weights(WeightScheme::Bonus {
            base: Box::new(WeightScheme::Equal),
            bonus_weight: 1.0,
        });
    for ind in fw.indicators() {
        if ind.max_score.is_some() {
            s = s.normaliser_for(&ind.code, NormaliserKind::MaxScore)?;
        }
    }
    Ok(s)
}

/// Sub-sector indices (one vector per entry of [`SUBSECTORS`]): each sub-sector data set is scored
/// with `scorer` and its `subsector`-tagged contributions are rescaled to the full index's range
/// ([`Scores::tag_index_rescaled`]). Returns the scores too, for inspection.
pub fn subsector_indices(scorer: &Scorer, syn: &Synthetic) -> Result<Vec<(Vec<f64>, Scores)>> {
    syn.subsectors
        .iter()
        .map(|d| {
            let s = scorer.score(d)?;
            Ok((s.tag_index_rescaled("subsector")?, s))
        })
        .collect()
}

fn run() -> BoxResult<()> {
    let fw = load_framework()?;
    let cities = load_cities()?;
    let n_bonus = fw.indicators().iter().filter(|i| i.bonus).count();
    let n_max = fw
        .indicators()
        .iter()
        .filter(|i| i.max_score.is_some())
        .count();
    let n_sub = fw
        .aggregate_indices()
        .filter(|&k| fw.nodes()[k].level == 2)
        .count();
    println!(
        "{}: {} indicators, {} pillars, {} sub-pillars; tags {:?}; {} bonus factors, {} max scores",
        fw.name(),
        fw.n_indicators(),
        fw.root().children.len(),
        n_sub,
        fw.tags(),
        n_bonus,
        n_max
    );
    println!(
        "*** SYNTHETIC raw data (seed {SEED}) for the {} published cities: the scores below are NOT the \
         report's; `pub` is the published rank. ***",
        cities.n_units()
    );

    let syn = synthetic_data(&fw, &cities, SEED)?;
    let scorer = cbcii_scorer(&fw)?;
    let scores = scorer.score(&syn.base)?;
    let n = cities.n_units();
    let names = scores.unit_names().to_vec();
    let region = cities.group("region_en")?;
    let published_rank = cities.column("rank")?;
    let overall = scores.index().to_vec();
    let ranks = scores.index_ranks().to_vec();
    let bonus = scores.bonus();
    let mut pillar = Array2::<f64>::zeros((n, PILLARS.len()));
    for (p, (code, _)) in PILLARS.iter().enumerate() {
        pillar.column_mut(p).assign(&scores.node_values(code)?);
    }
    for u in 0..n {
        let sum = pillar.row(u).sum() + bonus[u];
        if (sum - overall[u]).abs() > 1e-9 {
            return Err(format!(
                "{}: overall {} != Σ pillars + bonus {sum}",
                names[u], overall[u]
            )
            .into());
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| ranks[a].total_cmp(&ranks[b]));

    println!("\nOverall index (synthetic): overall = Σ pillars + bonus; ranks with min ties");
    print!(
        "{:>4} {:>4} {:<20} {:<20} {:>7}",
        "rank", "pub", "city", "region", "overall"
    );
    for (_, h) in PILLARS {
        print!(" {h:>7}");
    }
    println!(" {:>6}", "bonus");
    for &u in &order {
        print!(
            "{:>4} {:>4} {:<20} {:<20} {:>7.1}",
            ranks[u], published_rank[u], names[u], region[u], overall[u]
        );
        for p in 0..PILLARS.len() {
            print!(" {:>7.1}", pillar[[u, p]]);
        }
        println!(" {:>6.1}", bonus[u]);
    }
    let rho = composite_indicators::audit::correlation(
        scores.index(),
        cities.column("overall")?,
        composite_indicators::audit::CorrMethod::Spearman,
    )?;
    println!("Spearman correlation of the synthetic overall with the published overall: {rho:.3}");

    // status and potential
    let status = scores.tag_index("status")?;
    let potential = scores.tag_index("potential")?;
    for u in 0..n {
        if (status[u] + potential[u] - overall[u]).abs() > 1e-9 {
            return Err(format!("{}: status + potential != overall", names[u]).into());
        }
    }
    let (sr, pr) = (
        rank_desc(&status, TieRule::Min),
        rank_desc(&potential, TieRule::Min),
    );
    println!(
        "\nStatus (●) and potential (■) indices, top 20 (status + potential == overall for all {n} cities, \
         checked to 1e-9)"
    );
    println!(
        "{:>4} {:<20} {:>7} {:>7} {:>5} {:>9} {:>5}",
        "rank", "city", "overall", "status", "rank", "potential", "rank"
    );
    for &u in order.iter().take(20) {
        println!(
            "{:>4} {:<20} {:>7.1} {:>7.1} {:>5} {:>9.1} {:>5}",
            ranks[u], names[u], overall[u], status[u], sr[u], potential[u], pr[u]
        );
    }
    let more_potential = (0..n).filter(|&u| potential[u] > status[u]).count();
    println!("potential > status for {more_potential} of {n} cities");

    // sub-sectors
    let sub = subsector_indices(&scorer, &syn)?;
    let n_tagged = fw.indicators_with_tag("subsector").len();
    println!(
        "\nSub-sector indices (interpretation: {n_tagged} sub-sector indicator contributions × {}/{n_tagged}, \
         see the module docs), top 20 by overall",
        fw.n_indicators()
    );
    print!("{:>4} {:<20}", "rank", "city");
    for s in SUBSECTORS {
        print!(" {:>16} {:>4}", s, "rk");
    }
    println!();
    let sub_ranks: Vec<Vec<f64>> = sub
        .iter()
        .map(|(v, _)| rank_desc(v, TieRule::Min))
        .collect();
    for &u in order.iter().take(20) {
        print!("{:>4} {:<20}", ranks[u], names[u]);
        for (k, (v, _)) in sub.iter().enumerate() {
            print!(" {:>16.1} {:>4}", v[u], sub_ranks[k][u]);
        }
        println!();
    }
    for (k, s) in SUBSECTORS.iter().enumerate() {
        let v = &sub[k].0;
        let best = (0..n).min_by(|&a, &b| sub_ranks[k][a].total_cmp(&sub_ranks[k][b]));
        let rho = composite_indicators::audit::correlation(
            ndarray::ArrayView1::from(v.as_slice()),
            scores.index(),
            composite_indicators::audit::CorrMethod::Spearman,
        )?;
        println!(
            "  {s:<17} leader {:<12} Spearman with overall {rho:.3}",
            best.map(|u| names[u].as_str()).unwrap_or("-")
        );
    }

    // regions
    println!("\nMean overall by region (synthetic vs published, R2), highest first");
    let published = summarise_groups(region, cities.column("overall")?)?;
    for g in summarise_groups(region, scores.index())? {
        let p = published
            .iter()
            .find(|p| p.group == g.group)
            .map_or(f64::NAN, |p| p.mean);
        println!(
            "  {:<20} n={:<3} synthetic mean {:>5.1}  median {:>5.1}   published mean {:>6.3}",
            g.group, g.count, g.mean, g.median, p
        );
    }
    if let (Some(top), Some(bottom)) = (published.first(), published.last()) {
        println!(
            "  published: {} highest ({:.3}), {} lowest ({:.3}), gap {:.1}% (the report: 55%)",
            top.group,
            top.mean,
            bottom.group,
            bottom.mean,
            100.0 * (top.mean - bottom.mean) / top.mean
        );
    }

    // tiers and pillar tags
    let tiering = assign_tiers(&overall, &TierMethod::Jenks { k: 4 })?;
    let pillar_names: Vec<String> = PILLARS.iter().map(|(_, h)| h.to_string()).collect();
    let tags = pillar_tags(pillar.view(), &pillar_names)?;
    let pairs = tags.pairs();
    println!(
        "\nTiers (Fisher–Jenks natural breaks, k = 4, on the synthetic overall); [strongest/weakest pillar by z-score]"
    );
    for t in 1..=4 {
        let mut members = tiering.members(t);
        members.sort_by(|&a, &b| ranks[a].total_cmp(&ranks[b]));
        let range = tiering
            .ranges
            .get(t - 1)
            .copied()
            .flatten()
            .map_or("-".to_string(), |(lo, hi)| format!("{lo:.1}–{hi:.1}"));
        println!("Tier {t}: {} cities, overall {range}", members.len());
        let items: Vec<String> = members
            .iter()
            .map(|&u| match pairs[u] {
                Some((s, w)) => format!("{} [{s}/{w}]", names[u]),
                None => names[u].clone(),
            })
            .collect();
        let mut line = String::from("   ");
        for it in items {
            if line.len() + it.len() > 110 {
                println!("{line}");
                line = String::from("   ");
            }
            line.push(' ');
            line.push_str(&it);
            line.push(';');
        }
        println!("{line}");
    }

    // ------------------------------------------------ strengths and weaknesses (study layer)
    // COINr's get_str_weak on the synthetic raw data: indicators ranked across the 72 cities after
    // applying their directions, indicators with at most 20% distinct values (bonus flags, coarse
    // max-score items) left out, worst-rank ties discarded; the pillar (level 3) reported.
    let sw_opts = StrWeakOptions {
        top_n: 3,
        bottom_n: 3,
        unq_discard: Some(0.2),
        report_level: 3,
        ..StrWeakOptions::default()
    };
    let picks: Vec<&str> = [0, n / 2, n.saturating_sub(1)]
        .iter()
        .filter_map(|&k| order.get(k))
        .map(|&u| syn.base.unit_codes()[u].as_str())
        .collect();
    let table = str_weak_table(&syn.base, &fw, &picks, &sw_opts)?;
    println!(
        "\nStrengths and weaknesses (rank among {n} cities; top, middle and bottom city by synthetic rank)"
    );
    for unit in &table.units {
        let u = syn.base.unit_position(&unit.unit)?;
        println!("{} (overall rank {})", names[u], ranks[u]);
        for (label, list) in [
            ("strength", &unit.strengths),
            ("weakness", &unit.weaknesses),
        ] {
            for r in list {
                println!(
                    "   {label:<8} {:>3}  {:<8} {:<4} {:>12.2}  {}",
                    r.rank, r.indicator, r.parent, r.value, r.name
                );
            }
        }
    }

    // ---------------------------------------------------------------- leave-one-out of each pillar
    // COINr's remove_elements: each pillar's weight set to 0 in turn (its siblings re-weighted),
    // the overall index rebuilt (batched: only the index is re-aggregated) and ranks compared.
    let pillar_level = fw.node(PILLARS[0].0)?.level;
    let loo = remove_elements(&scorer, &syn.base, &RemoveOptions::new(pillar_level))?;
    println!(
        "\nLeave-one-out of each pillar (weight set to 0, as COINr's remove_elements): mean |rank change|, largest moves"
    );
    for (j, code) in loo.removed.iter().enumerate() {
        let short = PILLARS
            .iter()
            .find(|(c, _)| c == code)
            .map_or(code.as_str(), |(_, h)| *h);
        let mut moves: Vec<(f64, usize)> = loo
            .rank_diffs
            .column(j)
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, d)| !d.is_nan())
            .map(|(u, d)| (d, u))
            .collect();
        moves.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()).then(a.1.cmp(&b.1)));
        let top: Vec<String> = moves
            .iter()
            .take(3)
            .map(|&(d, u)| format!("{} {:+}", names[u], d))
            .collect();
        println!(
            "  without {:<3} {:<8} {:>5.2}   {}",
            code,
            short,
            loo.mean_abs_rank_diff[j],
            top.join(", ")
        );
    }
    Ok(())
}
