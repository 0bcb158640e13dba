//! The `score` example as a command-line tool, run through `cargo run --example score` on the embedded
//! ASEM data: output layout, row order, ranks, the COINr example pipeline flags (same numbers as the
//! library `Pipeline`), screened-out units on stderr, and one-line errors with a non-zero exit.
//!
//! Each invocation is a `cargo run` (the example is already built by `cargo test`), so the test keeps to
//! a few of them.

use std::path::PathBuf;
use std::process::{Command, Output};

use composite_indicators::io::{read_idata_path, read_imeta_path};
use composite_indicators::pipeline::{Pipeline, PipelineConfig};

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

#[test]
fn a_saved_scale_reproduces_the_run_and_bad_scales_fail_with_one_line() {
    let (first, second) = (out_path("scaled_a.csv"), out_path("scaled_b.csv"));
    let scale = out_path("scale.json");
    let run = |extra: &[&str], out: &PathBuf| {
        let mut args = vec!["--imeta", IMETA, "--idata", IDATA, "--impute", "mean"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--out", out.to_str().unwrap()]);
        score(&args)
    };
    let s = scale.to_str().unwrap();
    let o = run(&["--normalise", "zscore:10,2", "--save-scale", s], &first);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        stderr_lines(&o)
            .iter()
            .any(|l| l.starts_with("saved the scale of 49 indicators")),
        "{:?}",
        stderr_lines(&o)
    );
    let saved = composite_indicators::io::read_scale_path(&scale).unwrap();
    assert_eq!(saved.len(), 49);
    assert!(saved.iter().all(|p| matches!(
        p.form,
        composite_indicators::normalise::FittedForm::ZScore {
            target_mean: 10.0,
            target_sd: 2.0,
            ..
        }
    )));

    // the default normaliser would be min-max: the saved z-scores decide, and give the same table
    let o = run(&["--scale", s], &second);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (a, b) = (read_out(&first), read_out(&second));
    assert_eq!((&a.0, &a.1), (&b.0, &b.1));
    for (ra, rb) in a.2.iter().zip(&b.2) {
        for (x, y) in ra.iter().zip(rb) {
            assert!(x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()));
        }
    }

    let both = run(&["--scale", s, "--normalise", "rank"], &second);
    assert_eq!(both.status.code(), Some(2));
    assert_eq!(stderr_lines(&both).len(), 1);

    // a scale missing one indicator names it
    let mut short = saved.clone();
    let dropped = short.remove(3).indicator;
    let broken = out_path("scale_short.json");
    composite_indicators::io::write_scale_path(&broken, &short).unwrap();
    let o = run(&["--scale", broken.to_str().unwrap()], &second);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr_lines(&o);
    assert_eq!(err.len(), 1, "{err:?}");
    assert!(err[0].contains(&format!("`{dropped}`")), "{err:?}");
}

#[test]
fn outputs_that_are_inputs_are_refused_and_nothing_is_destroyed() {
    let dir = out_path("no_loss").with_extension("d");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (imeta, idata) = (dir.join("iMeta.csv"), dir.join("iData.csv"));
    std::fs::copy(IMETA, &imeta).unwrap();
    std::fs::copy(IDATA, &idata).unwrap();
    let (m, d) = (imeta.to_str().unwrap(), idata.to_str().unwrap());
    let out = dir.join("scores.csv");
    let o = out.to_str().unwrap();
    let dotted = dir.join(".").join("iMeta.csv");
    let cases: Vec<Vec<&str>> = vec![
        vec!["--out", d],
        vec!["--out", dotted.to_str().unwrap()],
        vec!["--save-scale", m, "--out", o],
        vec!["--save-scale", o, "--out", o],
    ];
    for extra in cases {
        let mut args = vec!["--imeta", m, "--idata", d];
        args.extend_from_slice(&extra);
        let run = score(&args);
        assert_eq!(run.status.code(), Some(1), "{extra:?}");
        let err = stderr_lines(&run);
        assert_eq!(err.len(), 1, "{err:?}");
        assert!(err[0].contains("is the same file as"), "{err:?}");
    }
    assert_eq!(
        std::fs::read(&imeta).unwrap(),
        std::fs::read(IMETA).unwrap()
    );
    assert_eq!(
        std::fs::read(&idata).unwrap(),
        std::fs::read(IDATA).unwrap()
    );
    assert!(!out.exists());
    #[cfg(unix)]
    {
        let link = dir.join("link.csv");
        std::os::unix::fs::symlink(&idata, &link).unwrap();
        let run = score(&["--imeta", m, "--idata", d, "--out", link.to_str().unwrap()]);
        assert_eq!(run.status.code(), Some(1));
        assert_eq!(
            std::fs::read(&idata).unwrap(),
            std::fs::read(IDATA).unwrap()
        );
    }
}

#[test]
fn a_node_coded_rank_leaves_the_previous_output_untouched() {
    let dir = out_path("rank_node").with_extension("d");
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("spec.toml");
    std::fs::write(
        &spec,
        "name = \"t\"\n[[indicators]]\ncode = \"a\"\nparent = \"Rank\"\n[[indicators]]\ncode = \"b\"\nparent = \"Rank\"\n[[pillars]]\ncode = \"Rank\"\n",
    )
    .unwrap();
    let data = dir.join("data.csv");
    std::fs::write(&data, "uCode,a,b\nX,1,2\nY,2,1\nZ,3,3\n").unwrap();
    let out = dir.join("scores.csv");
    std::fs::write(&out, "previous output\n").unwrap();
    let run = score(&[
        "--spec",
        spec.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(1));
    let err = stderr_lines(&run);
    assert_eq!(err.len(), 1, "{err:?}");
    assert!(err[0].contains("`Rank`"), "{err:?}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous output\n");
}
