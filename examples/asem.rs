//! Build the ASEM Sustainable Connectivity index from the embedded COINr data set: 51 countries,
//! 49 indicators → 8 pillars → 2 sub-indices (Connectivity, Sustainability) → index.
//!
//! Method (COINr's defaults): units sorted by code, direction applied, min-max to [0, 100] ignoring
//! missing values, arithmetic means with equal weights at every level (missing indicators skipped and
//! the weights re-normalised), ranks with min ties.
//!
//! Run: `cargo run --release --example asem`

use std::path::Path;

use composite_indicators::io::{read_idata_path, read_imeta_path};
use composite_indicators::prelude::*;
use composite_indicators::score::Scorer;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/asem");
    let meta = read_imeta_path(dir.join("iMeta.csv"))?;
    let data = read_idata_path(dir.join("iData.csv"), &meta)?.sorted_by_code();
    let framework = meta.spec.clone().check()?;
    let missing: usize = data
        .select(&framework.indicator_codes())?
        .iter()
        .filter(|v| v.is_nan())
        .count();
    println!(
        "{}: {} units, {} indicators ({} missing values, skipped and re-weighted), {} aggregates",
        framework.name(),
        data.n_units(),
        framework.n_indicators(),
        missing,
        framework.nodes().len() - framework.n_indicators()
    );
    let scores = Scorer::new(framework).score(&data)?;

    let pillars = scores.level_codes(2);
    let sub_indices = scores.level_codes(3);
    let order = scores.ranked_rows();
    let ranks = scores.index_ranks();
    print!("\n{:>4} {:<16} {:>6}", "rank", "country", "Index");
    for h in sub_indices.iter().chain(pillars.iter()) {
        print!(" {:>8}", h);
    }
    println!();
    for &u in order.iter().take(10) {
        print!(
            "{:>4} {:<16} {:>6.1}",
            ranks[u],
            data.unit_names()[u],
            scores.index()[u]
        );
        for h in sub_indices.iter().chain(pillars.iter()) {
            print!(" {:>8.1}", scores.node_values(h)?[u]);
        }
        println!();
    }
    let top = order.first().copied().unwrap_or(0);
    println!(
        "\nWhy {} leads (largest indicator contributions):",
        data.unit_names()[top]
    );
    for (code, c) in scores.explain(&data.unit_codes()[top])?.iter().take(5) {
        println!("  {code:<10} {c:>6.2}");
    }
    println!("\nMean index by EurAsia_group:");
    for g in scores.group_summary("EurAsia_group", "Index")? {
        println!(
            "  {:<8} n={:<3} mean {:>5.1}  median {:>5.1}",
            g.group, g.count, g.mean, g.median
        );
    }
    Ok(())
}
