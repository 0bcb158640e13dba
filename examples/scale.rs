//! Single scoring at scale: read a units × indicators CSV, score it (min-max 0–100, arithmetic means,
//! indicators → pillars → index) and write one row per unit, printing the time of every phase.
//!
//! ```text
//! cargo run --release --example scale -- --units 1000000 --indicators 50 [--pillars 5] [--seed 1] \
//!     [--missing 0.01] [--keep FILE.csv] [--out FILE.csv]
//! cargo run --release --example scale -- --data FILE.csv [--pillars 5] [--out FILE.csv]
//! cargo run --release --example scale -- --units 1000000 --indicators 50 --generate FILE.csv
//! ```
//!
//! Without `--data`, a seeded synthetic table is generated first: a `uCode` column (`U0000001`, …) and
//! `--indicators` columns `x1`, `x2`, … of values with three decimals in [0, 1000) (a share `--missing`
//! of them `NA`), written atomically to `--keep FILE` or to a file in a fresh temporary directory
//! (removed at the end). Generation is not timed as part of scoring. `--generate FILE` only writes the
//! table and exits (so that `/usr/bin/time` can then measure a `--data FILE` run alone).
//!
//! With `--data`, every column but `uCode` (or the first column) is an indicator. Indicators are
//! assigned to `--pillars` pillars in turn (`x1` → P1, `x2` → P2, …), pillars to the index `Index`,
//! every weight 1, every direction positive.
//!
//! Phases printed: `read` (CSV → [`Dataset`]), `score` (`Scorer::score` step by step: fit, normalise,
//! aggregate + the index rank, each timed; on Linux also the process CPU time of each, steadier on a
//! busy machine; [`Scores`] ranks a node on first use, and the output holds the index rank only),
//! `write` (uCode, every pillar and the index, the index rank; to `--out`, or to the temporary
//! directory). With `--all-ranks`, every node's ranks ([`Scores::ranks`]) are computed and timed
//! after the score phase, apart from the phases. The last line is `units=… indicators=… read_s=… score_s=… write_s=… total_s=…
//! csv_bytes=… out_bytes=…`. Measure the peak memory with `/usr/bin/time -v`.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use composite_indicators::io::{self, CsvOptions};
use composite_indicators::prelude::*;
use composite_indicators::score::Scorer;
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

struct Args {
    units: usize,
    indicators: usize,
    pillars: usize,
    seed: u64,
    missing: f64,
    data: Option<PathBuf>,
    keep: Option<PathBuf>,
    generate: Option<PathBuf>,
    out: Option<PathBuf>,
    all_ranks: bool,
}

const USAGE: &str = "usage: scale (--units N --indicators M [--seed S] [--missing SHARE] [--keep FILE.csv] \
| --data FILE.csv) [--pillars P] [--out FILE.csv] [--all-ranks]\n       scale --units N --indicators M [--seed S] [--missing SHARE] --generate FILE.csv";

fn parse() -> std::result::Result<Args, String> {
    let mut a = Args {
        units: 100_000,
        indicators: 50,
        pillars: 5,
        seed: 1,
        missing: 0.0,
        data: None,
        keep: None,
        generate: None,
        out: None,
        all_ranks: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            return Err(String::new());
        }
        if flag == "--all-ranks" {
            a.all_ranks = true;
            continue;
        }
        let val = it
            .next()
            .ok_or_else(|| format!("missing value after {flag}"))?;
        let num = |v: &str| -> std::result::Result<usize, String> {
            v.parse::<usize>()
                .map_err(|_| format!("{flag}: `{v}` is not a non-negative integer"))
        };
        match flag.as_str() {
            "--units" => a.units = num(&val)?,
            "--indicators" => a.indicators = num(&val)?,
            "--pillars" => a.pillars = num(&val)?,
            "--seed" => {
                a.seed = val
                    .parse()
                    .map_err(|_| format!("--seed: `{val}` is not a u64"))?
            }
            "--missing" => {
                a.missing = val
                    .parse()
                    .ok()
                    .filter(|m: &f64| (0.0..1.0).contains(m))
                    .ok_or_else(|| format!("--missing: `{val}` is not a share in [0, 1)"))?
            }
            "--data" => a.data = Some(PathBuf::from(val)),
            "--keep" => a.keep = Some(PathBuf::from(val)),
            "--generate" => a.generate = Some(PathBuf::from(val)),
            "--out" => a.out = Some(PathBuf::from(val)),
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    if a.pillars == 0 {
        return Err("--pillars must be at least 1".into());
    }
    if a.data.is_none() && (a.units == 0 || a.indicators < a.pillars) {
        return Err("need --units ≥ 1 and --indicators ≥ --pillars".into());
    }
    Ok(a)
}

/// Write the synthetic table (atomically) and return its size in bytes.
fn generate(path: &Path, a: &Args) -> Result<u64> {
    io::write_atomic(path, |f| {
        let mut w = BufWriter::with_capacity(1 << 20, f);
        let io_err = |e: std::io::Error| Error::Io {
            path: path.display().to_string(),
            source: e,
        };
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(a.seed);
        let mut line = String::with_capacity(16 * (a.indicators + 1));
        line.push_str("uCode");
        for j in 1..=a.indicators {
            line.push_str(&format!(",x{j}"));
        }
        line.push('\n');
        w.write_all(line.as_bytes()).map_err(io_err)?;
        for i in 1..=a.units {
            line.clear();
            line.push_str(&format!("U{i:07}"));
            for _ in 0..a.indicators {
                // three decimals in [0, 1000): as measured values usually are
                let milli: u32 = rng.random_range(0..1_000_000);
                if a.missing > 0.0 && rng.random::<f64>() < a.missing {
                    line.push_str(",NA");
                } else {
                    line.push_str(&format!(",{}.{:03}", milli / 1000, milli % 1000));
                }
            }
            line.push('\n');
            w.write_all(line.as_bytes()).map_err(io_err)?;
        }
        w.flush().map_err(io_err)
    })?;
    file_size(path)
}

/// CPU time (user + system, all threads) of this process so far, from `/proc/self/stat` (Linux;
/// `None` elsewhere). Clock ticks are taken as 1/100 s, the usual `CLK_TCK`.
fn cpu_s() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // fields after the command name (which is in parentheses and may hold spaces)
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

fn file_size(path: &Path) -> Result<u64> {
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| Error::Io {
            path: path.display().to_string(),
            source: e,
        })
}

/// Indicators in turn to `pillars` pillars, pillars to `Index`, all weights 1.
fn framework(indicators: &[String], pillars: usize) -> Result<Framework> {
    let mut toml = String::from("name = \"scale\"\n");
    for (j, code) in indicators.iter().enumerate() {
        let p = j % pillars + 1;
        toml.push_str(&format!(
            "[[indicators]]\ncode = \"{code}\"\nparent = \"P{p}\"\n"
        ));
    }
    for p in 1..=pillars {
        toml.push_str(&format!(
            "[[pillars]]\ncode = \"P{p}\"\nparent = \"Index\"\n"
        ));
    }
    toml.push_str("[[pillars]]\ncode = \"Index\"\n");
    io::spec_from_toml(&toml)?.check()
}

fn run(a: &Args) -> Result<()> {
    if let Some(p) = &a.generate {
        let t = Instant::now();
        let bytes = generate(p, a)?;
        println!(
            "generated {} ({bytes} bytes) in {:.2} s",
            p.display(),
            t.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    let tmp = tempfile::tempdir().map_err(|e| Error::Io {
        path: std::env::temp_dir().display().to_string(),
        source: e,
    })?;
    let (csv, csv_bytes) = match &a.data {
        Some(p) => (p.clone(), file_size(p)?),
        None => {
            let p = a
                .keep
                .clone()
                .unwrap_or_else(|| tmp.path().join("data.csv"));
            let t = Instant::now();
            let bytes = generate(&p, a)?;
            eprintln!(
                "generated {} ({bytes} bytes) in {:.2} s",
                p.display(),
                t.elapsed().as_secs_f64()
            );
            (p, bytes)
        }
    };
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| tmp.path().join("scores.csv"));
    io::check_output_paths(&[csv.as_path()], &[out.as_path()])?;

    let t0 = Instant::now();
    let data = io::read_csv_path(&csv, &CsvOptions::default())?;
    let read_s = t0.elapsed().as_secs_f64();
    println!(
        "read   {:>8.2} s  {} units × {} indicators ({csv_bytes} bytes)",
        read_s,
        data.n_units(),
        data.columns().len()
    );

    let t1 = Instant::now();
    let fw = framework(data.columns(), a.pillars)?;
    // `Scorer::score` step by step (fit, normalise, aggregate + rank), to time each step
    let c1 = cpu_s();
    let fitted = Scorer::new(fw)
        .normaliser(NormaliserKind::MinMax { lo: 0.0, hi: 100.0 })
        .aggregator(AggregatorKind::Arithmetic)
        .fit(&data)?;
    let (fit_s, c2) = (t1.elapsed().as_secs_f64(), cpu_s());
    let x = fitted.normalise(&data)?;
    let (norm_s, c3) = (t1.elapsed().as_secs_f64() - fit_s, cpu_s());
    let scores = fitted.score_normalised(&data, x)?;
    // ranks are computed on first use: the index's, which the output holds
    let _ = scores.index_ranks();
    let (score_s, c4) = (t1.elapsed().as_secs_f64(), cpu_s());
    println!(
        "score  {score_s:>8.2} s  (fit {fit_s:.2} s, normalise {norm_s:.2} s, aggregate + index rank {:.2} s)",
        score_s - fit_s - norm_s
    );
    if let (Some(c1), Some(c2), Some(c3), Some(c4)) = (c1, c2, c3, c4) {
        println!(
            "  cpu  {:>8.2} s  (fit {:.2} s, normalise {:.2} s, aggregate + index rank {:.2} s)",
            c4 - c1,
            c2 - c1,
            c3 - c2,
            c4 - c3
        );
    }
    if a.all_ranks {
        let (t, c) = (Instant::now(), cpu_s());
        let all = scores.ranks();
        println!(
            "ranks  {:>8.2} s  every node's ({} columns; cpu {} s; not part of the phases above)",
            t.elapsed().as_secs_f64(),
            all.ncols(),
            match (c, cpu_s()) {
                (Some(a), Some(b)) => format!("{:.2}", b - a),
                _ => "?".into(),
            }
        );
    }

    let t2 = Instant::now();
    let fw = scores.framework();
    let mut cols: Vec<usize> = (1..=a.pillars)
        .filter_map(|p| fw.position(&format!("P{p}")).ok())
        .collect();
    cols.push(fw.root_index());
    let mut names: Vec<String> = cols
        .iter()
        .filter_map(|&k| fw.nodes().get(k).map(|n| n.code.clone()))
        .collect();
    let mut table = scores.values().select(ndarray::Axis(1), &cols);
    names.push("Rank".into());
    table
        .push_column(scores.index_ranks())
        .map_err(|_| Error::ShapeMismatch {
            what: "index ranks vs units".into(),
            expected: scores.unit_codes().len(),
            found: scores.index_ranks().len(),
        })?;
    io::write_table_path(
        &out,
        "uCode",
        scores.unit_codes(),
        &names,
        table.view(),
        &[],
    )?;
    let write_s = t2.elapsed().as_secs_f64();
    let out_bytes = file_size(&out)?;
    println!("write  {write_s:>8.2} s  {out_bytes} bytes");
    println!(
        "units={} indicators={} read_s={read_s:.3} score_s={score_s:.3} write_s={write_s:.3} total_s={:.3} csv_bytes={csv_bytes} out_bytes={out_bytes}",
        data.n_units(),
        data.columns().len(),
        read_s + score_s + write_s
    );
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse() {
        Ok(a) => a,
        Err(msg) => {
            if msg.is_empty() {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {msg}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
