//! The full ASEM build exactly as COINr's `build_example_coin()` makes it, step by step with reports:
//!
//! 1. `Denominate(dset = "Raw")`: every indicator with an iMeta `Denominator` is divided by that column;
//! 2. `Impute(dset = "Denominated", f_i = "i_mean_grp", use_group = "EurAsia_group")`;
//! 3. `Screen(dset = "Imputed", dat_thresh = 0.9, unit_screen = "byNA")`;
//! 4. `Treat(dset = "Screened", global_specs = list(f1_para = list(winmax = 5)))` (winsorise, log fallback);
//! 5. `Normalise(dset = "Treated", f_n = "n_minmax", f_n_para = c(0, 100))`;
//! 6. `Aggregate(dset = "Normalised", f_ag = "a_amean")` at every level.
//!
//! Units are sorted by `uCode`, as in COINr. Run: `cargo run --release --example asem_pipeline`

use std::collections::BTreeMap;
use std::path::Path;

use composite_indicators::io::{read_idata_path, read_imeta_path};
use composite_indicators::pipeline::{Pipeline, PipelineConfig};
use composite_indicators::prelude::*;
use composite_indicators::prepare::TreatStatus;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/asem");
    let meta = read_imeta_path(dir.join("iMeta.csv"))?;
    let raw = read_idata_path(dir.join("iData.csv"), &meta)?.sorted_by_code();
    let framework = meta.spec.clone().check()?;
    println!(
        "{}: {} units, {} indicators\n",
        framework.name(),
        raw.n_units(),
        framework.n_indicators()
    );

    let config = PipelineConfig::coinr_example();
    let result = Pipeline::new(config).run(&raw, &framework)?;
    let reports = result.reports();

    // 1. denomination
    let den = reports
        .denominate
        .as_ref()
        .ok_or_else(|| missing("denominate"))?;
    let mut by: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (ind, d) in &den.denominated {
        by.entry(d.as_str()).or_default().push(ind.as_str());
    }
    println!("Denominate: {} indicators", den.denominated.len());
    for (d, inds) in &by {
        println!("  / {d:<12} {}", inds.join(", "));
    }

    // 2. imputation
    let imp = reports.impute.as_ref().ok_or_else(|| missing("impute"))?;
    let mut per_ind: BTreeMap<&str, usize> = BTreeMap::new();
    for i in &imp.imputations {
        *per_ind.entry(i.indicator.as_str()).or_default() += 1;
    }
    println!(
        "\nImpute (mean within EurAsia_group): {} values in {} indicators, {} still missing",
        imp.imputations.len(),
        per_ind.len(),
        imp.still_missing.len()
    );

    // 3. screening
    let scr = reports.screen.as_ref().ok_or_else(|| missing("screen"))?;
    let min_avail = scr
        .units
        .iter()
        .map(|u| u.availability)
        .fold(f64::INFINITY, f64::min);
    println!(
        "\nScreen (availability >= 0.9 after imputation): {} kept, {} removed{}; lowest availability {:.3}",
        result.dataset("Screened")?.n_units(),
        scr.removed.len(),
        if scr.removed.is_empty() {
            String::new()
        } else {
            format!(" ({})", scr.removed.join(", "))
        },
        min_avail
    );

    // 4. treatment
    let treat = reports.treat.as_ref().ok_or_else(|| missing("treat"))?;
    let wins = treat.winsorised();
    let logs = treat.log_transformed();
    println!(
        "\nTreat (winsorise up to 5 points, else log): {} winsorised, {} log-transformed",
        wins.len(),
        logs.len()
    );
    println!(
        "  {:<10} {:>2}  {:>7} {:>7}  units",
        "indicator", "n", "skew", "kurt"
    );
    for o in &wins {
        if let TreatStatus::Winsorised { n, high, low } = &o.status {
            let mut units: Vec<String> = high.iter().map(|u| format!("{u}(high)")).collect();
            units.extend(low.iter().map(|u| format!("{u}(low)")));
            println!(
                "  {:<10} {:>2}  {:>7.3} {:>7.3}  {}",
                o.indicator,
                n,
                o.skew,
                o.kurt,
                units.join(" ")
            );
        }
    }
    // COINr's ASEM run: 15 indicators winsorised with 1 to 4 points each, none log-transformed
    let points_ok = wins
        .iter()
        .all(|o| matches!(o.status, TreatStatus::Winsorised { n, .. } if (1..=4).contains(&n)));
    if wins.len() != 15 || !logs.is_empty() || !points_ok {
        return Err(Error::incompatible(
            "treatment",
            "differs from COINr's ASEM run (15 winsorised with 1-4 points, none logged)",
        ));
    }
    println!("  (matches COINr: 15 winsorised with 1-4 points each, none log-transformed)");

    // 5-6. normalise and aggregate
    let scores = result.scores();
    let units = result.prepared();
    let pillars = scores.level_codes(2);
    let sub_indices = scores.level_codes(3);
    let order = scores.ranked_rows();
    let ranks = scores.index_ranks();
    println!("\nTop 10 (min-max [0, 100], arithmetic means):");
    print!("{:>4} {:<5} {:>6}", "rank", "uCode", "Index");
    for h in sub_indices.iter().chain(pillars.iter()) {
        print!(" {h:>9}");
    }
    println!();
    for &u in order.iter().take(10) {
        print!(
            "{:>4} {:<5} {:>6.2}",
            ranks[u],
            units.unit_codes()[u],
            scores.index()[u]
        );
        for h in sub_indices.iter().chain(pillars.iter()) {
            print!(" {:>9.2}", scores.node_values(h)?[u]);
        }
        println!();
    }
    Ok(())
}

fn missing(step: &str) -> Error {
    Error::incompatible(step, "the step did not run")
}
