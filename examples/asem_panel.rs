//! The ASEM index over five years (COINr's `ASEM_iData_p`, 2018–2022): a purse of per-year builds
//! with COINr's example method (denominate, impute by group mean, screen at 90 %, winsorise, min-max
//! [0, 100], arithmetic means), normalised per year and globally; trends of the index; the rank changes
//! from 2021 to 2022; and 2022 scored on the 2021 scale with and without clamping.
//!
//! Run: `cargo run --release --example asem_panel [-- --out DIR]` (with `--out`, the scores, trends
//! and rank changes are written as CSV files into DIR).

use std::path::{Path, PathBuf};

use composite_indicators::error::Expected;
use composite_indicators::io::{read_idata_panel_path, read_imeta_path, write_atomic};
use composite_indicators::normalise::OutOfRangePolicy;
use composite_indicators::pipeline::PipelineConfig;
use composite_indicators::prelude::*;
use composite_indicators::study::purse::{NormalisationScope, PanelData, Purse};
use composite_indicators::study::trends::{TrendMetric, TrendOptions, TrendRow, trends};

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let out = parse_out()?;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/asem");
    let meta = read_imeta_path(dir.join("iMeta.csv"))?;
    let panel = read_idata_panel_path(dir.join("iData_p.csv"), &meta)?;
    let fw = meta.spec.clone().check()?;
    panel.require_balanced()?;
    let times = panel.times();
    println!(
        "ASEM panel: {} units × {} years ({}–{}), {} indicators",
        panel.unit_codes().len(),
        times.len(),
        times[0],
        times[times.len() - 1],
        fw.n_indicators()
    );

    let cfg = PipelineConfig::coinr_example();
    let global = Purse::build(&panel, &fw, cfg.clone(), NormalisationScope::Global)?;
    let per_year = Purse::build(&panel, &fw, cfg, NormalisationScope::PerPeriod)?;

    // 1. global vs per-year normalisation
    println!(
        "\n1. Index per year: global normalisation (one min-max scale for 2018–2022) vs per year"
    );
    println!("   mean index    global  per-year");
    for &t in &times {
        let g = global
            .result(t)?
            .scores()
            .index()
            .mean()
            .unwrap_or(f64::NAN);
        let p = per_year
            .result(t)?
            .scores()
            .index()
            .mean()
            .unwrap_or(f64::NAN);
        println!("   {t:<10} {g:>9.2} {p:>9.2}");
    }
    println!(
        "   (per-year scores are re-stretched every year, so their level says nothing about change)"
    );
    let last = times[times.len() - 1];
    let g22 = global.result(last)?.scores();
    let p22 = per_year.result(last)?.scores();
    let mut order = g22.ranked_rows();
    order.truncate(10);
    println!("\n   Top 10 in {last}     global (rank)   per-year (rank)");
    for i in order {
        let u = &g22.unit_codes()[i];
        println!(
            "   {u:<6} {:>14.2} ({:>2}) {:>11.2} ({:>2})",
            g22.index()[i],
            g22.index_ranks()[i],
            p22.value(u, "Index")?,
            p22.rank(u, "Index")?
        );
    }

    // 2. trends of the globally normalised index
    let agg = global.panel("Aggregated")?;
    let opts = |metric| TrendOptions {
        metric,
        columns: Some(vec!["Index".into()]),
        ..TrendOptions::default()
    };
    let slope = trends(&agg, &opts(TrendMetric::Slope), None)?;
    let cagr = trends(&agg, &opts(TrendMetric::Cagr), None)?;
    let mut rows: Vec<_> = slope.rows.iter().filter(|r| !r.value.is_nan()).collect();
    rows.sort_by(|a, b| b.value.total_cmp(&a.value));
    println!("\n2. Trend of the index 2018–2022 (global scale): slope in points/year, CAGR");
    let show = |r: &&TrendRow| -> Result<()> {
        println!(
            "   {:<6} slope {:>6.2}  CAGR {:>6.2} %",
            r.unit,
            r.value,
            100.0 * cagr.value(&r.unit, "Index")?
        );
        Ok(())
    };
    println!("   most improved:");
    for r in rows.iter().take(5) {
        show(r)?;
    }
    println!("   most declined:");
    for r in rows.iter().rev().take(5) {
        show(r)?;
    }

    // 3. rank changes from the second-last to the last year
    let prev = times[times.len() - 2];
    let g21 = global.result(prev)?.scores();
    let mut moves = Vec::new();
    for u in g22.unit_codes() {
        let (Ok(r1), Ok(r2)) = (g21.rank(u, "Index"), g22.rank(u, "Index")) else {
            continue; // screened out in one of the years
        };
        moves.push((u.clone(), r1, r2, r1 - r2));
    }
    moves.sort_by(|a, b| b.3.abs().total_cmp(&a.3.abs()).then(a.0.cmp(&b.0)));
    let mean_abs = moves.iter().map(|m| m.3.abs()).sum::<f64>() / moves.len().max(1) as f64;
    println!(
        "\n3. Index ranks {prev} → {last} (global scale): mean |rank change| {mean_abs:.2}; largest moves:"
    );
    for (u, r1, r2, d) in moves.iter().take(8) {
        println!("   {u:<6} {r1:>3} → {r2:>3}  ({d:+})");
    }

    // 4. a new year on last year's scale
    let first4: Vec<_> = panel
        .periods()
        .iter()
        .filter(|p| p.time < last)
        .map(|p| (p.time, p.data.clone()))
        .collect();
    let past = Purse::build(
        &PanelData::new(first4)?,
        &fw,
        PipelineConfig::coinr_example(),
        NormalisationScope::PerPeriod,
    )?;
    let new_year = panel.period(last)?;
    let outside =
        |policy| -> Result<usize> { Ok(past.score_period(new_year, policy)?.normalised_outside()) };
    println!(
        "\n4. {last} scored on the {prev} scale: normalised values outside [0, 100]: {} extrapolated, {} clamped",
        outside(OutOfRangePolicy::Extrapolate)?,
        outside(OutOfRangePolicy::Clamp)?
    );

    if let Some(dir) = out {
        std::fs::create_dir_all(&dir).map_err(|source| Error::Io {
            path: dir.display().to_string(),
            source,
        })?;
        global
            .scores()
            .write_csv_path(dir.join("asem_panel_scores.csv"))?;
        slope.write_csv_path(dir.join("asem_panel_index_slope.csv"))?;
        write_moves(&dir.join("asem_panel_rank_changes.csv"), &moves, prev, last)?;
        println!(
            "\nwrote asem_panel_scores.csv, asem_panel_index_slope.csv, asem_panel_rank_changes.csv to {}",
            dir.display()
        );
    }
    Ok(())
}

/// Count of normalised indicator values outside [0, 100].
trait Outside {
    fn normalised_outside(&self) -> usize;
}

impl Outside for composite_indicators::pipeline::PipelineResult {
    fn normalised_outside(&self) -> usize {
        self.dataset("Normalised")
            .map(|d| {
                d.values()
                    .iter()
                    .filter(|v| !v.is_nan() && !(0.0..=100.0).contains(*v))
                    .count()
            })
            .unwrap_or(0)
    }
}

fn write_moves(path: &Path, moves: &[(String, f64, f64, f64)], prev: f64, last: f64) -> Result<()> {
    write_atomic(path, |w| {
        let io = |e: std::io::Error| Error::Io {
            path: path.display().to_string(),
            source: e,
        };
        writeln!(w, "uCode,Rank_{prev},Rank_{last},RankChange").map_err(io)?;
        for (u, r1, r2, d) in moves {
            writeln!(w, "{u},{r1},{r2},{d}").map_err(io)?;
        }
        Ok(())
    })
}

fn parse_out() -> Result<Option<PathBuf>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => Ok(None),
        [flag, dir] if flag == "--out" => Ok(Some(PathBuf::from(dir))),
        _ => Err(Error::invalid(
            "arguments",
            args.join(" "),
            Expected::Form("usage: asem_panel [--out DIR]".into()),
        )),
    }
}
