//! The `score` example as a command-line tool, run through `cargo run --example score` on the embedded
//! ASEM data: output layout, row order, ranks, the COINr example pipeline flags (same numbers as the
//! library `Pipeline`), screened-out units on stderr, and one-line errors with a non-zero exit.
//!
//! Each invocation is a `cargo run` (the example is already built by `cargo test`), so the test keeps to
//! a few of them.

use std::path::PathBuf;
use std::process::{Command, Output};

use composite_indicators::io::{read_idata_path, read_imeta_path};
use composite_indicators::prepare::{Pipeline, PipelineConfig};

const IMETA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/asem/iMeta.csv");
const IDATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/asem/iData.csv");

fn score(args: &[&str]) -> Output {
    Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--example", "score", "--"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs")
}

fn out_path(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Header and rows of the output CSV (missing = NaN).
fn read_out(path: &PathBuf) -> (Vec<String>, Vec<String>, Vec<Vec<f64>>) {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    let mut units = Vec::new();
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let r = rec.unwrap();
        units.push(r[0].to_string());
        rows.push(
            r.iter()
                .skip(1)
                .map(|f| {
                    if f.is_empty() {
                        f64::NAN
                    } else {
                        f.parse().unwrap()
                    }
                })
                .collect(),
        );
    }
    (header, units, rows)
}

fn stderr_lines(o: &Output) -> Vec<String> {
    String::from_utf8_lossy(&o.stderr)
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn coinr_example_flags_match_the_library_pipeline() {
    let path = out_path("asem_pipeline.csv");
    let o = score(&[
        "--imeta",
        IMETA,
        "--idata",
        IDATA,
        "--denominate",
        "--impute",
        "group_mean:EurAsia_group",
        "--screen",
        "0.9",
        "--treat",
        "winsorise:5",
        "--normalise",
        "minmax:0,100",
        "--aggregate",
        "arithmetic",
        "--out",
        path.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = stderr_lines(&o);
    assert!(
        err.iter().any(|l| l == "screening at 0.9 removed no units"),
        "{err:?}"
    );

    let (header, units, rows) = read_out(&path);
    // uCode, 49 indicators, 11 aggregates (8 pillars, 2 sub-indices, the index), Rank
    assert_eq!(header.len(), 1 + 49 + 11 + 1);
    assert_eq!(header[0], "uCode");
    assert_eq!(header[1], "LPI");
    assert_eq!(&header[50..53], &["Physical", "ConEcFin", "Political"]);
    assert_eq!(&header[60..], &["Index", "Rank"]);
    assert_eq!(units.len(), 51);
    assert!(
        units.windows(2).all(|w| w[0] < w[1]),
        "rows sorted by uCode"
    );

    // every Rank is 1 + the number of units with a strictly higher Index (min ties)
    let index: Vec<f64> = rows.iter().map(|r| r[59]).collect();
    for (r, &v) in rows.iter().zip(&index) {
        let higher = index.iter().filter(|&&w| w > v).count();
        assert_eq!(r[60], 1.0 + higher as f64);
    }

    // the same numbers as the library pipeline (shortest round-trip formatting: exact)
    let meta = read_imeta_path(IMETA).unwrap();
    let data = read_idata_path(IDATA, &meta).unwrap().sorted_by_code();
    let fw = meta.spec.check().unwrap();
    let res = Pipeline::new(PipelineConfig::coinr_example())
        .run(&data, &fw)
        .unwrap();
    let scores = res.scores();
    assert_eq!(scores.unit_codes(), units.as_slice());
    for (u, row) in rows.iter().enumerate() {
        for (j, v) in row.iter().take(60).enumerate() {
            let lib = scores.values()[[u, j]];
            assert!(
                v.to_bits() == lib.to_bits() || (v.is_nan() && lib.is_nan()),
                "{} {}: cli {v} vs library {lib}",
                units[u],
                header[j + 1]
            );
        }
        assert_eq!(row[60], scores.index_ranks()[u]);
    }
}

#[test]
fn screened_units_are_reported_and_absent() {
    let path = out_path("screened.csv");
    let o = score(&[
        "--imeta",
        IMETA,
        "--idata",
        IDATA,
        "--screen",
        "0.95",
        "--out",
        path.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = stderr_lines(&o);
    let line = err
        .iter()
        .find(|l| l.starts_with("screening at 0.95 removed"))
        .unwrap_or_else(|| panic!("{err:?}"));
    let listed: Vec<&str> = line.split(": ").nth(1).unwrap().split(", ").collect();
    let (_, units, _) = read_out(&path);
    assert_eq!(units.len() + listed.len(), 51);
    assert!(listed.iter().all(|u| !units.iter().any(|k| k == u)));
    assert!(line.contains(&format!("removed {} units", listed.len())));
}

#[test]
fn bad_option_and_missing_file_fail_with_one_line() {
    let path = out_path("never.csv");
    let p = path.to_str().unwrap();
    let bad = score(&[
        "--imeta", IMETA, "--idata", IDATA, "--impute", "mode", "--out", p,
    ]);
    assert!(!bad.status.success());
    let err = stderr_lines(&bad);
    assert_eq!(err.len(), 1, "{err:?}");
    assert!(
        err[0].starts_with("error:") && err[0].contains("--impute"),
        "{err:?}"
    );

    let missing = score(&[
        "--imeta",
        "data/asem/no_such_iMeta.csv",
        "--idata",
        IDATA,
        "--out",
        p,
    ]);
    assert!(!missing.status.success());
    let err = stderr_lines(&missing);
    assert_eq!(err.len(), 1, "{err:?}");
    assert!(err[0].contains("no_such_iMeta.csv"), "{err:?}");
    assert!(!path.exists());
}
