//! The `compind` binary (feature `cli`), run as a user runs it, on the embedded ASEM data: every
//! subcommand, its outputs, malformed inputs (exit 1, one line, nothing destroyed), usage errors
//! (exit 2), shard/merge identity across processes and thread counts, and equality with the `score`
//! example's output.
#![cfg(feature = "cli")]

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "common/compind_cli.rs"]
mod cli;
use cli::*;

use composite_indicators::io::{read_idata_path, read_imeta_path};
use composite_indicators::pipeline::{Pipeline, PipelineConfig};

/// Header and rows (as text) of a CSV file.
fn read_csv(p: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(p).unwrap();
    let h = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (h, rows)
}

fn num(s: &str) -> f64 {
    if s.is_empty() {
        f64::NAN
    } else {
        s.parse().unwrap()
    }
}

const COINR_FLAGS: [&str; 9] = [
    "--denominate",
    "--impute",
    "group_mean:EurAsia_group",
    "--screen",
    "0.9",
    "--treat",
    "winsorise:5",
    "--normalise",
    "minmax:0,100",
];

#[test]
fn score_equals_the_score_example_byte_for_byte() {
    let d = dir("score_eq");
    let (a, b) = (d.join("compind.csv"), d.join("example.csv"));
    let flags = &COINR_FLAGS;
    let mut args = vec!["score", "--imeta", IMETA, "--idata", IDATA];
    args.extend_from_slice(flags);
    args.extend_from_slice(&["--out", s(&a)]);
    ok(&compind(&args));
    let o = Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--example", "score", "--"])
        .args(["--imeta", IMETA, "--idata", IDATA])
        .args(flags)
        .args(["--out", s(&b)])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    ok(&o);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
}

#[test]
fn score_with_names_all_ranks_and_rounding() {
    let d = dir("score_names");
    let out = d.join("s.csv");
    let mut args = vec!["score", "--imeta", IMETA, "--idata", IDATA];
    args.extend_from_slice(&COINR_FLAGS);
    args.extend_from_slice(&[
        "--names",
        "--ranks",
        "all",
        "--round",
        "2",
        "--out",
        s(&out),
    ]);
    ok(&compind(&args));
    let (h, rows) = read_csv(&out);
    // uCode, uName, 4 group columns, 49 indicators, 11 aggregates, 10 Rank_<code>, Rank
    assert_eq!(h.len(), 2 + 4 + 49 + 11 + 10 + 1);
    assert_eq!(
        &h[..6],
        &[
            "uCode",
            "uName",
            "GDP_group",
            "GDPpc_group",
            "Pop_group",
            "EurAsia_group"
        ]
    );
    assert_eq!(h[66], "Rank_Physical");
    assert_eq!(h.last().unwrap(), "Rank");
    assert_eq!(rows.len(), 51);
    assert_eq!(&rows[1][..2], &["AUT", "Austria"]);

    // against the library pipeline: rounded scores within 0.005, ranks exact
    let meta = read_imeta_path(IMETA).unwrap();
    let data = read_idata_path(IDATA, &meta).unwrap().sorted_by_code();
    let fw = meta.spec.check().unwrap();
    let res = Pipeline::new(PipelineConfig::coinr_example())
        .run(&data, &fw)
        .unwrap();
    let sc = res.scores();
    for (u, row) in rows.iter().enumerate() {
        for j in 0..60 {
            let (text, lib) = (&row[6 + j], sc.values()[[u, j]]);
            if lib.is_nan() {
                assert!(text.is_empty());
                continue;
            }
            assert!(
                text.split('.').nth(1).is_none_or(|dec| dec.len() <= 2),
                "{text} has more than 2 decimals"
            );
            assert!((num(text) - lib).abs() <= 0.005 + 1e-12, "{text} vs {lib}");
        }
        // Rank_<aggregate> = the library's rank of that node; Rank = the index rank
        for (k, name) in h[66..].iter().enumerate() {
            let node = name.strip_prefix("Rank_").unwrap_or("Index");
            let lib = sc.node_ranks(node).unwrap()[u];
            assert_eq!(num(&row[66 + k]), lib, "{name}");
        }
    }
}

#[test]
fn score_json_output_has_nulls_not_some() {
    let d = dir("score_json");
    let out = d.join("s.json");
    ok(&compind(&[
        "score",
        "--imeta",
        IMETA,
        "--idata",
        IDATA,
        "--names",
        "--out",
        s(&out),
    ]));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(!text.contains("Some") && !text.contains("NaN"));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 51);
    assert_eq!(rows[0]["uCode"], "AUS");
    // without imputation some indicator values are missing: written as null
    assert!(
        rows.iter()
            .any(|r| r.as_object().unwrap().values().any(|x| x.is_null()))
    );
}

#[test]
fn usage_errors_exit_2_and_bad_values_exit_1_naming_the_option() {
    let d = dir("usage");
    let out = d.join("x.csv");
    let o = compind(&[
        "score",
        "--imeta",
        IMETA,
        "--idata",
        IDATA,
        "--bogus",
        "--out",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--bogus"));
    // not a number: usage error (2); a number out of range (a sweep of no variants): bad input (1),
    // one line naming the option, as every range check
    for (k, code, says) in [("many", 2, "--variants"), ("0", 1, "`--variants` = 0")] {
        let o = compind(&[
            "sweep",
            "--imeta",
            IMETA,
            "--idata",
            IDATA,
            "--variants",
            k,
            "--out",
            s(&out),
        ]);
        assert_eq!(o.status.code(), Some(code));
        assert!(stderr(&o).contains(says), "{}", stderr(&o));
    }
    // neither input pair: a usage error of the tool's own, in one line naming the subcommand
    let o = compind(&["score", "--out", s(&out)]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("compind score --help"),
        "{}",
        stderr(&o)
    );
    // --scale with --normalise
    let o = compind(&[
        "score",
        "--imeta",
        IMETA,
        "--idata",
        IDATA,
        "--scale",
        "x.json",
        "--normalise",
        "rank",
        "--out",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = compind(&[
        "sweep",
        "--imeta",
        IMETA,
        "--idata",
        IDATA,
        "--shard",
        "5/4",
        "--out",
        s(&out),
    ]);
    fails_naming(&o, "`--shard` = `5/4`");
    // other range checks clap used to make (exit 2 with its usage text): exit 1, one line
    for (args, needle) in [
        (&["score", "--round", "20"][..], "`--round` = 20"),
        (&["--threads", "0", "score"][..], "`--threads` = 0"),
    ] {
        let mut a = args.to_vec();
        a.extend_from_slice(&["--imeta", IMETA, "--idata", IDATA, "--out", s(&out)]);
        fails_naming(&compind(&a), needle);
    }
    // `compind SUB --imeta .. --idata .. EXTRA.. --out OUT`
    // the audit writes a directory of tables
    let audit_dir = d.join("audit_out");
    let asem = |sub: &str, extra: &[&str]| {
        let mut args = vec![sub, "--imeta", IMETA, "--idata", IDATA];
        args.extend_from_slice(extra);
        let o = if sub == "audit" { &audit_dir } else { &out };
        args.extend_from_slice(&["--out", s(o)]);
        compind(&args)
    };
    // method values are checked by the library: exit 1, one line naming the option
    for (flag, value) in [
        ("--screen", "lots"),
        ("--impute", "mode"),
        ("--normalise", "softmax"),
        ("--missing", "skip:2"),
    ] {
        let line = fails_with_one_line(&asem("score", &[flag, value]));
        assert!(line.contains(value), "{line}");
    }
    // an option of the other input pair is refused, not ignored (`--b-data` with `--imeta` used to
    // compare run A with itself)
    for (sub, flag) in [("compare", "--b-data"), ("score", "--groups")] {
        let o = asem(sub, &[flag, "x.csv"]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains(flag), "{}", stderr(&o));
    }
    // a negative number reaches the range check (clap used to read `-0.1` as an unknown option)
    for (sub, flag, value) in [
        ("sweep", "--spread", "-0.1"),
        ("audit", "--collinear", "-1"),
    ] {
        let line = fails_with_one_line(&asem(sub, &[flag, value]));
        assert!(line.contains(flag) && line.contains("[0, 1]"), "{line}");
    }
    // the audit writes a directory of tables: `-` is refused (it used to create a directory `-`)
    let o = compind(&["audit", "--imeta", IMETA, "--idata", IDATA, "--out", "-"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!std::path::Path::new("-").exists());
    // sweeps rank every variant with min ties: another rule is refused, not silently ignored
    for sub in ["sweep", "sobol"] {
        let line = fails_with_one_line(&asem(sub, &["--ties", "max"]));
        assert!(
            line.contains("--ties") && line.contains("min ties"),
            "{line}"
        );
    }
    assert!(!out.exists());
}

#[test]
fn a_bad_number_in_the_data_names_file_line_and_column() {
    let d = dir("bad_number");
    let text = std::fs::read_to_string(IDATA).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    // line 3 of the file: replace its LPI value by text
    let header: Vec<&str> = lines[0].split(',').collect();
    let lpi = header.iter().position(|h| *h == "LPI").unwrap();
    let mut cells: Vec<String> = lines[2].split(',').map(String::from).collect();
    cells[lpi] = "4;1".into();
    lines[2] = cells.join(",");
    let bad = d.join("iData.csv");
    std::fs::write(&bad, lines.join("\n") + "\n").unwrap();
    let out = d.join("s.csv");
    let line = fails_with_one_line(&compind(&[
        "score",
        "--imeta",
        IMETA,
        "--idata",
        s(&bad),
        "--out",
        s(&out),
    ]));
    assert!(line.contains("4;1") && line.contains("LPI"), "{line}");
    assert!(line.contains("line 3"), "{line}");
    assert!(!out.exists());
}

#[test]
fn outputs_never_destroy_inputs() {
    let d = dir("no_loss");
    let idata = d.join("iData.csv");
    let imeta = d.join("iMeta.csv");
    std::fs::copy(IDATA, &idata).unwrap();
    std::fs::copy(IMETA, &imeta).unwrap();
    let before = std::fs::read(&idata).unwrap();
    let base = ["score", "--imeta", s(&imeta), "--idata", s(&idata)];
    // --out equal to an input
    let line = fails_with_one_line(&compind(&[&base[..], &["--out", s(&idata)]].concat()));
    assert!(line.contains("iData.csv"), "{line}");
    // another spelling of it
    let dotted = d.join(".").join("iData.csv");
    fails_with_one_line(&compind(&[&base[..], &["--out", s(&dotted)]].concat()));
    // --save-scale equal to --out
    let out = d.join("s.csv");
    let line = fails_with_one_line(&compind(
        &[&base[..], &["--save-scale", s(&out), "--out", s(&out)]].concat(),
    ));
    assert!(line.contains("output"), "{line}");
    assert!(!out.exists());
    // a symbolic link to an input
    #[cfg(unix)]
    {
        let link = d.join("link.csv");
        std::os::unix::fs::symlink(&imeta, &link).unwrap();
        fails_with_one_line(&compind(&[&base[..], &["--out", s(&link)]].concat()));
    }
    assert_eq!(std::fs::read(&idata).unwrap(), before);
    assert_eq!(
        std::fs::read(&imeta).unwrap(),
        std::fs::read(IMETA).unwrap()
    );
    // report / merge refuse to overwrite their input sweep file
    let sw = d.join("sw.json");
    ok(&compind(&[
        "-q",
        "sweep",
        "--imeta",
        IMETA,
        "--idata",
        IDATA,
        "--impute",
        "mean",
        "--variants",
        "50",
        "--out",
        s(&sw),
    ]));
    let sweep_before = std::fs::read(&sw).unwrap();
    fails_with_one_line(&compind(&["report", s(&sw), "--out", s(&sw)]));
    fails_with_one_line(&compind(&["merge", s(&sw), s(&sw), "--out", s(&sw)]));
    assert_eq!(std::fs::read(&sw).unwrap(), sweep_before);
}

/// An output that is a directory, in a missing directory, or a second output that cannot be
/// written stops the run before any output is written; `-` is standard output, and devices such as
/// `/dev/null` are written to, never replaced.
#[test]
fn outputs_are_checked_before_any_is_written_and_devices_survive() {
    let d = dir("out_checks");
    let base = ["score", "--imeta", IMETA, "--idata", IDATA];
    let a = d.join("a.csv");
    let sdir = d.join("sdir");
    std::fs::create_dir(&sdir).unwrap();
    // the second output is a directory: nothing is written, the line names it
    let line = fails_with_one_line(&compind(
        &[&base[..], &["--out", s(&a), "--save-scale", s(&sdir)]].concat(),
    ));
    assert!(
        line.contains("sdir") && line.contains("is a directory"),
        "{line}"
    );
    assert!(!a.exists());
    let line = fails_with_one_line(&compind(&[
        "remove",
        "--imeta",
        IMETA,
        "--idata",
        IDATA,
        "--level",
        "2",
        "--summary",
        s(&sdir),
        "--out",
        s(&a),
    ]));
    assert!(line.contains("is a directory"), "{line}");
    assert!(!a.exists());
    // audit: --out an existing file, or a table name taken by a directory
    let f = d.join("afile");
    std::fs::write(&f, "keep").unwrap();
    let aud = ["audit", "--imeta", IMETA, "--idata", IDATA, "--out"];
    let line = fails_with_one_line(&compind(&[&aud[..], &[s(&f)]].concat()));
    assert!(line.contains("not a directory"), "{line}");
    assert_eq!(text(&f), "keep");
    let ad = d.join("aud");
    std::fs::create_dir_all(ad.join("pca.csv")).unwrap();
    let line = fails_with_one_line(&compind(&[&aud[..], &[s(&ad)]].concat()));
    assert!(line.contains("pca.csv"), "{line}");
    assert_eq!(std::fs::read_dir(&ad).unwrap().count(), 1);
    // `-` is standard output; twice is a clash
    let o = compind(&[&base[..], &["--out", "-"]].concat());
    ok(&o);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.starts_with("uCode,"), "{out}");
    assert_eq!(out.lines().count(), 52, "header and 51 units");
    assert!(!Path::new(env!("CARGO_MANIFEST_DIR")).join("-").exists());
    fails_with_one_line(&compind(
        &[&base[..], &["--out", "-", "--save-scale", "-"]].concat(),
    ));
    // a device is written to, not replaced by a regular file
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        ok(&compind(&[&base[..], &["--out", "/dev/null"]].concat()));
        let t = std::fs::metadata("/dev/null").unwrap().file_type();
        assert!(t.is_char_device(), "{t:?}");
    }
    // `-` as an input is refused as such (not looked up as a file named `-`)
    let o = compind(&["score", "--imeta", IMETA, "--idata", "-", "--out", s(&a)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("standard input"), "{}", stderr(&o));
    assert!(!a.exists());
    // the audit's directory named like a table file is a usage error, and nothing is created
    let o = compind(&[
        "audit",
        "--imeta",
        IMETA,
        "--idata",
        IDATA,
        "--out",
        s(&d.join("audit.csv")),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("directory"), "{}", stderr(&o));
    assert!(!d.join("audit.csv").exists());
    // a name promising another format (tab-separated, a spreadsheet) is a usage error, not a file
    // of comma-separated text under that name
    for name in ["scores.tsv", "scores.XLSX"] {
        let out = d.join(name);
        let o = compind(&[&base[..], &["--out", s(&out)]].concat());
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains(".csv"), "{}", stderr(&o));
        assert!(!out.exists());
    }
}

/// Run `compind ARGS...` with standard output a pipe whose read end is closed before anything is
/// written: every write to it gets a broken pipe.
#[cfg(unix)]
fn with_closed_stdout(args: &[&str]) -> std::process::Output {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_compind"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

/// `--out - | head`: the reader leaving counts as success, and the file outputs written whole before
/// it are kept (the output batch commits them); they were dropped with exit 0.
#[cfg(unix)]
#[test]
fn a_closed_standard_output_keeps_the_file_outputs() {
    let d = dir("closed_stdout");
    let out = d.join("scores.csv");
    let o = with_closed_stdout(&[
        "-q",
        "score",
        "--spec",
        "data/toy/spec.toml",
        "--data",
        "data/toy/data.csv",
        "--out",
        s(&out),
        "--save-scale",
        "-",
    ]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert_eq!(text(&out).lines().count(), 6);
}

/// `--out -` into a pipe whose reader has gone exits 0 without an error line (as other
/// command-line tools), and `>>`-style appending to standard output keeps what was there.
#[cfg(unix)]
#[test]
fn standard_output_pipes_and_appends() {
    let o = with_closed_stdout(&["score", "--imeta", IMETA, "--idata", IDATA, "--out", "-"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("error"), "{}", stderr(&o));
    // appending: the file opened by the caller in append mode keeps its first line
    let d = dir("stdout_append");
    let f = d.join("all.csv");
    std::fs::write(&f, "previous line\n").unwrap();
    let out = std::fs::OpenOptions::new().append(true).open(&f).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_compind"))
        .args([
            "-q", "score", "--imeta", IMETA, "--idata", IDATA, "--out", "-",
        ])
        .stdout(out)
        .output()
        .unwrap();
    ok(&o);
    let t = text(&f);
    assert!(
        t.starts_with("previous line\nuCode,"),
        "{}",
        &t[..60.min(t.len())]
    );
    assert_eq!(t.lines().count(), 53);
}

/// `report` leaves the score columns empty for a sweep with normaliser alternatives (scores on
/// different scales) and keeps them for aggregator alternatives.
#[test]
fn report_does_not_pool_scores_across_normalisations() {
    let d = dir("report_scales");
    let col = |path: &Path, name: &str| -> Vec<String> {
        let (h, rows) = read_csv(path);
        let j = h.iter().position(|c| c == name).unwrap();
        rows.iter().map(|r| r[j].clone()).collect()
    };
    for (alt, empty) in [
        (["--alt-normalise", "zscore:10,2"], true),
        (["--alt-aggregate", "median"], false),
    ] {
        let sw = d.join("sw.json");
        let ua = d.join("ua.csv");
        ok(&compind(
            &[
                &[
                    "-q", "sweep", "--imeta", IMETA, "--idata", IDATA, "--impute", "mean",
                ][..],
                &alt[..],
                &["--variants", "100", "--out", s(&sw)],
            ]
            .concat(),
        ));
        let o = compind(&["report", s(&sw), "--out", s(&ua)]);
        ok(&o);
        let means = col(&ua, "score_mean");
        assert_eq!(means.len(), 51);
        assert_eq!(means.iter().all(String::is_empty), empty, "{alt:?}");
        assert_eq!(stderr(&o).contains("normaliser alternatives"), empty);
        // the rank columns are there either way
        assert!(col(&ua, "median_rank").iter().all(|m| !m.is_empty()));
    }
}

#[test]
fn a_node_coded_rank_fails_before_anything_is_written() {
    let d = dir("rank_node");
    let spec = d.join("spec.toml");
    std::fs::write(
        &spec,
        "name = \"t\"\n[[indicators]]\ncode = \"a\"\nparent = \"Rank\"\n[[indicators]]\ncode = \"b\"\nparent = \"Rank\"\n[[pillars]]\ncode = \"Rank\"\n",
    )
    .unwrap();
    let data = d.join("data.csv");
    std::fs::write(&data, "uCode,a,b\nX,1,2\nY,2,1\nZ,3,3\n").unwrap();
    let out = d.join("scores.csv");
    std::fs::write(&out, "previous output\n").unwrap();
    let line = fails_with_one_line(&compind(&[
        "score",
        "--spec",
        s(&spec),
        "--data",
        s(&data),
        "--out",
        s(&out),
    ]));
    assert!(line.contains("`Rank`"), "{line}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous output\n");
}

/// `compind ARGS --imeta IMETA --idata IDATA`: a subcommand on COINr's ASEM files.
fn with_asem(args: &[&str]) -> std::process::Output {
    let mut a = args.to_vec();
    a.extend_from_slice(&["--imeta", IMETA, "--idata", IDATA]);
    compind(&a)
}

/// Options that cannot change a subcommand's output are refused (`--ties` where nothing is ranked
/// or ranks are min-tied by definition) or named in a note (build steps after the `--dset` asked
/// for, files and build options `plot ranks` / `plot tree` do not read, `--denominate` without
/// denominators), never ignored silently; errors name the option the user typed.
#[test]
fn options_without_effect_are_refused_or_noted() {
    let d = dir("no_effect");
    let out = d.join("out.csv");
    // --ties: refused in one line where it cannot act
    for sub in ["audit", "stats", "compare", "strweak", "opt-weights"] {
        let o = match sub {
            "audit" => with_asem(&[sub, "--ties", "dense", "--out", s(&d.join("audit"))]),
            "opt-weights" => with_asem(&[sub, "--ties", "dense", "--level", "3", "--out", s(&out)]),
            _ => with_asem(&[sub, "--ties", "dense", "--out", s(&out)]),
        };
        let line = fails_with_one_line(&o);
        assert!(
            line.contains("`--ties` = `dense`") && line.contains(sub),
            "{line}"
        );
    }
    // build steps after the data set asked for: a note, and the same table as without them
    let plain = d.join("plain.csv");
    let o = with_asem(&["strweak", "--unit", "AUT", "--out", s(&plain)]);
    ok(&o);
    assert!(!stderr(&o).contains("note:"), "{}", stderr(&o));
    let o = with_asem(&[
        "strweak",
        "--unit",
        "AUT",
        "--ties",
        "min",
        "--denominate",
        "--treat",
        "winsorise:5",
        "--out",
        s(&out),
    ]);
    ok(&o);
    assert!(
        stderr(&o).contains("note: --dset Raw is the data as read")
            && stderr(&o).contains("--denominate, --treat do not change it"),
        "{}",
        stderr(&o)
    );
    assert_eq!(text(&out), text(&plain));
    let o = with_asem(&[
        "stats",
        "--dset",
        "Treated",
        "--treat",
        "winsorise:5",
        "--normalise",
        "rank",
        "--out",
        s(&out),
    ]);
    ok(&o);
    assert!(
        stderr(&o).contains("--normalise does not change it"),
        "{}",
        stderr(&o)
    );
    // plot tree draws the framework only
    let svg = d.join("tree.svg");
    let o = compind(&[
        "plot",
        "tree",
        "--imeta",
        IMETA,
        "--denominate",
        "--out",
        s(&svg),
    ]);
    ok(&o);
    assert!(
        stderr(&o).contains("--denominate is not read"),
        "{}",
        stderr(&o)
    );
    // errors name the flag typed, not the library's parameter
    for (args, needle) in [
        (&["sweep", "--levels", "4"][..], "`--levels`"),
        (&["strweak", "--report-level", "5"][..], "`--report-level`"),
        (&["score", "--impute", "group_mean:Nope"][..], "`--impute`"),
        (
            &["plot", "profile", "--unit", "XXX"][..],
            "unknown unit `XXX` (known: AUS",
        ),
    ] {
        let mut a = args.to_vec();
        let o = if args[0] == "plot" { &svg } else { &out };
        a.extend_from_slice(&["--out", s(o)]);
        fails_naming(&with_asem(&a), needle);
    }
}

/// A spec's data file without a column for one of its indicators is named in the error; a spec
/// without denominators makes `--denominate` a note, not a silent no-op.
#[test]
fn spec_inputs_name_the_data_file_and_note_an_empty_denominate() {
    let d = dir("spec_inputs");
    let spec = d.join("spec.toml");
    std::fs::write(
        &spec,
        "name = \"t\"\n[[indicators]]\ncode = \"a\"\nparent = \"P\"\n[[indicators]]\ncode = \"b\"\nparent = \"P\"\n[[pillars]]\ncode = \"P\"\n",
    )
    .unwrap();
    let data = d.join("data.csv");
    std::fs::write(&data, "uCode,a,bb\nX,1,2\nY,2,1\nZ,3,3\n").unwrap();
    let out = d.join("scores.csv");
    let run = |extra: &[&str]| {
        let mut a = vec!["score", "--spec", s(&spec), "--data", s(&data)];
        a.extend_from_slice(extra);
        a.extend_from_slice(&["--out", s(&out)]);
        compind(&a)
    };
    let line = fails_with_one_line(&run(&[]));
    assert!(
        line.contains("data.csv, line 1") && line.contains("`b`"),
        "{line}"
    );
    assert!(!out.exists());
    std::fs::write(&data, "uCode,a,b\nX,1,2\nY,2,1\nZ,3,3\n").unwrap();
    let o = run(&["--denominate"]);
    ok(&o);
    assert!(
        stderr(&o)
            .contains("note: --denominate: no indicator of the framework names a denominator"),
        "{}",
        stderr(&o)
    );
}

/// `stats --dset X` runs the build only up to X (an aggregator that fails on the normalised data
/// does not stop a look at them); more values are range-checked in one line (exit 1); `--ties` is
/// refused or noted where it cannot act; errors name `--spec` and `--groups`.
#[test]
fn dset_stops_the_build_and_values_are_checked_where_they_are_given() {
    let d = dir("dset_stops");
    let out = d.join("out.csv");
    // min-max gives zeros, which a geometric mean refuses: the normalised data are still there
    let o = with_asem(&[
        "stats",
        "--dset",
        "Normalised",
        "--aggregate",
        "geometric",
        "--out",
        s(&out),
    ]);
    ok(&o);
    assert!(
        stderr(&o).contains("--aggregate does not change it"),
        "{}",
        stderr(&o)
    );
    for (args, needle) in [
        (&["sobol", "--conf-level", "2"][..], "`--conf-level` = 2"),
        (
            &["trends", "--ties", "dense"][..],
            "`compind trends` ranks no units",
        ),
        (
            &["--threads", "100000", "score"][..],
            "`--threads` = 100000",
        ),
        (&["score", "--round", "-1"][..], "`--round` = -1"),
        (
            &["sweep", "--memory-budget", "0"][..],
            "`--memory-budget` = 0",
        ),
        (
            &["sweep", "--rank-summary", "binned:0"][..],
            "`--rank-summary` = `binned:0`",
        ),
    ] {
        let mut a = args.to_vec();
        a.extend_from_slice(&["--out", s(&out)]);
        fails_naming(&with_asem(&a), needle);
    }
    let svg = d.join("h.svg");
    let o = with_asem(&["plot", "heatmap", "--ties", "dense", "--out", s(&svg)]);
    ok(&o);
    assert!(
        stderr(&o).contains("`plot heatmap` does not read --ties"),
        "{}",
        stderr(&o)
    );
    let txt = d.join("spec.txt");
    std::fs::write(&txt, "").unwrap();
    let toy = |extra: &[&str]| {
        let mut a = vec!["score", "--data", "data/toy/data.csv"];
        a.extend_from_slice(extra);
        a.extend_from_slice(&["--out", s(&out)]);
        compind(&a)
    };
    fails_naming(&toy(&["--spec", s(&txt)]), "`--spec`");
    fails_naming(
        &toy(&["--spec", "data/toy/spec.toml", "--groups", "gdp"]),
        "`--groups` = `gdp`",
    );
}

/// The README's `--spec` example: its TOML and CSV blocks are the files in `data/toy/`, and scoring
/// them gives the values the README works out by hand.
#[test]
fn the_readme_toy_spec_scores_as_the_readme_says() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let section = &readme[readme.find("### Your own index").unwrap()..];
    let block = |fence: &str| {
        let start = section.find(fence).unwrap() + fence.len();
        let len = section[start..].find("```").unwrap();
        section[start..start + len].to_string()
    };
    assert_eq!(block("```toml\n"), text(Path::new("data/toy/spec.toml")));
    assert_eq!(block("```csv\n"), text(Path::new("data/toy/data.csv")));
    let d = dir("toy_spec");
    let out = d.join("toy.csv");
    ok(&compind(&[
        "score",
        "--spec",
        "data/toy/spec.toml",
        "--data",
        "data/toy/data.csv",
        "--out",
        s(&out),
    ]));
    let (header, rows) = read_csv(&out);
    let at = |unit: &str, col: &str| {
        let j = header.iter().position(|h| h == col).unwrap();
        let row = rows.iter().find(|r| r[0] == unit).unwrap();
        num(&row[j])
    };
    // min-max 0..100; unemp (direction -1, weight 2) and gdp in Econ; the root a geometric mean
    // with offset 1 over Econ (weight 1) and Env (weight 0.5)
    let gdp = (52000.0 - 12000.0) / (88000.0 - 12000.0) * 100.0;
    let unemp = (11.5 - 4.1) / (11.5 - 3.2) * 100.0;
    assert!((at("AAA", "Econ") - (gdp + 2.0 * unemp) / 3.0).abs() < 1e-12);
    assert!((at("CCC", "Index") - (101f64.powf(1.0 / 1.5) - 1.0)).abs() < 1e-12);
    assert_eq!(at("BBB", "Env"), at("BBB", "co2"));
}

/// Two sweep files are identical byte for byte: every accumulator of a sweep, the score moments
/// included, is an exact sum, so merged shards equal one run.
fn assert_same_sweep(a: &Path, b: &Path) {
    let (ta, tb) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
    assert!(ta == tb, "{} and {} differ", a.display(), b.display());
}

#[test]
fn shards_in_parallel_processes_merge_to_the_unsharded_run() {
    let d = dir("shards");
    let common = [
        "-q",
        "sweep",
        "--imeta",
        IMETA,
        "--idata",
        IDATA,
        "--impute",
        "mean",
        "--variants",
        "1601",
        "--seed",
        "11",
        "--spread",
        "0.3",
        "--alt-aggregate",
        "median",
        "--chunk",
        "256",
    ];
    let full = d.join("full.json");
    ok(&compind(
        &[&common[..], &["--threads", "1", "--out", s(&full)]].concat(),
    ));
    // another thread count: byte-identical
    let full2 = d.join("full2.json");
    ok(&compind(
        &[&common[..], &["--threads", "2", "--out", s(&full2)]].concat(),
    ));
    assert_eq!(
        std::fs::read(&full).unwrap(),
        std::fs::read(&full2).unwrap()
    );
    // 4 shards as 4 concurrent processes
    let parts: Vec<PathBuf> = (1..=4).map(|i| d.join(format!("part{i}.json"))).collect();
    let children: Vec<_> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let shard = format!("{}/4", i + 1);
            Command::new(env!("CARGO_BIN_EXE_compind"))
                .args(common)
                .args(["--threads", "1", "--shard", &shard, "--out", s(p)])
                .output_async()
        })
        .collect();
    for c in children {
        ok(&c.wait_with_output().unwrap());
    }
    // merged in any order of the command line
    let merged = d.join("merged.json");
    ok(&compind(&[
        "-q",
        "merge",
        s(&parts[2]),
        s(&parts[0]),
        s(&parts[3]),
        s(&parts[1]),
        "--out",
        s(&merged),
    ]));
    assert_same_sweep(&full, &merged);
    // two-level merge: (1+2) + (3+4)
    let (m12, m34, m) = (d.join("m12.json"), d.join("m34.json"), d.join("m.json"));
    ok(&compind(&[
        "-q",
        "merge",
        s(&parts[0]),
        s(&parts[1]),
        "--out",
        s(&m12),
    ]));
    ok(&compind(&[
        "-q",
        "merge",
        s(&parts[2]),
        s(&parts[3]),
        "--out",
        s(&m34),
    ]));
    ok(&compind(&["-q", "merge", s(&m34), s(&m12), "--out", s(&m)]));
    assert_same_sweep(&full, &m);
    // the reports of the merged file and of the single run are identical bytes
    let (ua1, ua2) = (d.join("ua1.csv"), d.join("ua2.csv"));
    ok(&compind(&["-q", "report", s(&full), "--out", s(&ua1)]));
    ok(&compind(&["-q", "report", s(&m), "--out", s(&ua2)]));
    assert_eq!(std::fs::read(&ua1).unwrap(), std::fs::read(&ua2).unwrap());

    // refusals: overlap, gap, another sweep
    let line = fails_with_one_line(&compind(&[
        "merge",
        s(&parts[0]),
        s(&m12),
        "--out",
        s(&d.join("x.json")),
    ]));
    assert!(line.contains("overlaps"), "{line}");
    let line = fails_with_one_line(&compind(&[
        "merge",
        s(&parts[0]),
        s(&parts[2]),
        "--out",
        s(&d.join("x.json")),
    ]));
    assert!(line.contains("in no file"), "{line}");
    let other = d.join("other.json");
    let mut other_args = common.to_vec();
    other_args[11] = "12"; // another seed
    ok(&compind(
        &[&other_args[..], &["--shard", "2/4", "--out", s(&other)]].concat(),
    ));
    let line = fails_with_one_line(&compind(&[
        "merge",
        s(&parts[0]),
        s(&other),
        "--out",
        s(&d.join("x.json")),
    ]));
    assert!(line.contains("different sweeps"), "{line}");
    assert!(!d.join("x.json").exists());
}

trait SpawnOutput {
    fn output_async(&mut self) -> std::process::Child;
}

impl SpawnOutput for Command {
    fn output_async(&mut self) -> std::process::Child {
        self.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    }
}

/// A unit whose values are mostly imputed is named in a note (screening comes after imputation, as
/// in COINr's example build, so it cannot drop such a unit).
#[test]
fn mostly_imputed_units_are_named() {
    let d = dir("mostly_imputed");
    let text = std::fs::read_to_string(IDATA).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let header: Vec<String> = lines[0].split(',').map(String::from).collect();
    let meta = std::fs::read_to_string(IMETA).unwrap();
    let inds: Vec<String> = meta
        .lines()
        .skip(1)
        .filter(|l| l.trim_end().ends_with(",Indicator"))
        .map(|l| l.split(',').nth(1).unwrap().to_string())
        .collect();
    assert_eq!(inds.len(), 49);
    for line in lines.iter_mut().skip(1) {
        let mut f: Vec<String> = line.split(',').map(String::from).collect();
        if f.contains(&"BEL".to_string()) {
            for (j, h) in header.iter().enumerate() {
                if inds.contains(h) {
                    f[j].clear();
                }
            }
            *line = f.join(",");
        }
    }
    let idata = d.join("iData.csv");
    std::fs::write(&idata, lines.join("\n") + "\n").unwrap();
    let out = d.join("s.csv");
    let o = compind(&[
        "score",
        "--imeta",
        IMETA,
        "--idata",
        s(&idata),
        "--impute",
        "group_mean:EurAsia_group",
        "--screen",
        "0.9",
        "--out",
        s(&out),
    ]);
    ok(&o);
    let err = stderr(&o);
    assert!(
        err.contains("BEL (49 of 49)") && err.contains("after imputation"),
        "{err}"
    );
    // the unmodified data has no such unit
    let o = compind(&[
        "score",
        "--imeta",
        IMETA,
        "--idata",
        IDATA,
        "--impute",
        "mean",
        "--out",
        s(&out),
    ]);
    ok(&o);
    assert!(!stderr(&o).contains("more than half"), "{}", stderr(&o));
}

/// `compind sweep --no-score-stats` keeps the rank columns of the full sweep, empties the score
/// columns (with a note), refuses `--score-bins` beside it and does not merge with a full shard.
#[test]
fn sweep_without_score_stats_keeps_the_rank_columns() {
    let d = dir("no_score_stats");
    let args = |out: &Path, extra: &[&str]| {
        let mut v = vec![
            "-q",
            "sweep",
            "--imeta",
            IMETA,
            "--idata",
            IDATA,
            "--impute",
            "mean",
            "--variants",
            "400",
        ];
        v.extend_from_slice(extra);
        v.extend_from_slice(&["--out", s(out)]);
        v.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let run = |out: &Path, extra: &[&str]| {
        let a = args(out, extra);
        compind(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let (full, lean) = (d.join("full.json"), d.join("lean.json"));
    ok(&run(&full, &[]));
    ok(&run(&lean, &["--no-score-stats"]));
    let (ua_full, ua_lean) = (d.join("full.csv"), d.join("lean.csv"));
    ok(&compind(&["-q", "report", s(&full), "--out", s(&ua_full)]));
    let o = compind(&["report", s(&lean), "--out", s(&ua_lean)]);
    ok(&o);
    assert!(
        stderr(&o).contains("rank statistics only"),
        "{}",
        stderr(&o)
    );
    let (h, a) = read_csv(&ua_full);
    let (h2, b) = read_csv(&ua_lean);
    assert_eq!(h, h2);
    assert_eq!(a.len(), 51);
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    for (x, y) in a.iter().zip(&b) {
        for c in [
            "nominal_rank",
            "median_rank",
            "q05_rank",
            "q95_rank",
            "mean_abs_shift",
            "nominal_score",
        ] {
            assert_eq!(x[col(c)], y[col(c)], "{c}");
        }
        assert!(!x[col("score_mean")].is_empty());
        for c in [
            "score_mean",
            "score_sd",
            "score_q05",
            "score_median",
            "score_q95",
        ] {
            assert_eq!(y[col(c)], "", "{c}");
        }
    }
    // an empty shard (more shards than variants) is written, with a note
    let empty = d.join("empty.json");
    let o = compind(&[
        "sweep",
        "--imeta",
        IMETA,
        "--idata",
        IDATA,
        "--impute",
        "mean",
        "--variants",
        "3",
        "--shard",
        "1/4",
        "--out",
        s(&empty),
    ]);
    ok(&o);
    assert!(stderr(&o).contains("holds no variant"), "{}", stderr(&o));
    // --score-bins above 0 beside it is a usage error
    let o = run(
        &d.join("x.json"),
        &["--no-score-stats", "--score-bins", "16"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!d.join("x.json").exists());
    // --score-bins 0 is what --no-score-stats means anyway
    ok(&run(
        &d.join("x.json"),
        &["--no-score-stats", "--score-bins", "0"],
    ));
    // shards with and without score statistics do not merge
    let (s1, s2) = (d.join("s1.json"), d.join("s2.json"));
    ok(&run(&s1, &["--shard", "1/2"]));
    ok(&run(&s2, &["--shard", "2/2", "--no-score-stats"]));
    let m = d.join("m.json");
    let o = compind(&["merge", s(&s1), s(&s2), "--out", s(&m)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("--no-score-stats"), "{}", stderr(&o));
    assert!(!m.exists());
}

#[test]
fn report_lists_every_unit_with_names_and_no_option_debug_text() {
    let d = dir("report");
    let sw = d.join("sw.json");
    ok(&compind(&[
        "-q",
        "sweep",
        "--imeta",
        IMETA,
        "--idata",
        IDATA,
        "--impute",
        "mean",
        "--variants",
        "500",
        "--out",
        s(&sw),
    ]));
    let ua = d.join("ua.csv");
    ok(&compind(&["report", s(&sw), "--out", s(&ua)]));
    let text = std::fs::read_to_string(&ua).unwrap();
    assert!(!text.contains("Some") && !text.contains("None"));
    let (h, rows) = read_csv(&ua);
    assert_eq!(
        &h[..7],
        &[
            "uCode",
            "uName",
            "nominal_rank",
            "median_rank",
            "q05_rank",
            "q95_rank",
            "mean_abs_shift"
        ]
    );
    assert_eq!(rows.len(), 51);
    assert_eq!(&rows[1][..2], &["AUT", "Austria"]);
    for r in &rows {
        let (nom, q5, med, q95) = (num(&r[2]), num(&r[4]), num(&r[3]), num(&r[5]));
        assert!(q5 <= med && med <= q95 && (1.0..=51.0).contains(&nom));
        assert!(num(&r[6]) >= 0.0);
    }
    // the nominal ranks are those of `compind score` with the same options
    let sc = d.join("s.csv");
    ok(&compind(&[
        "-q",
        "score",
        "--imeta",
        IMETA,
        "--idata",
        IDATA,
        "--impute",
        "mean",
        "--out",
        s(&sc),
    ]));
    let (_, srows) = read_csv(&sc);
    for (a, b) in rows.iter().zip(&srows) {
        assert_eq!(a[0], b[0]);
        assert_eq!(num(&a[2]), num(b.last().unwrap()));
    }
    // JSON
    let uaj = d.join("ua.json");
    ok(&compind(&["-q", "report", s(&sw), "--out", s(&uaj)]));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&uaj).unwrap()).unwrap();
    assert_eq!(v[1]["uName"], "Austria");
    // a file that is not a sweep: one line naming it
    let line = fails_with_one_line(&compind(&["report", IMETA, "--out", s(&d.join("x.csv"))]));
    assert!(line.contains("iMeta.csv"), "{line}");
}

#[test]
fn sobol_writes_first_and_total_indices_with_intervals() {
    let d = dir("sobol");
    let out = d.join("sobol.csv");
    ok(&compind(&[
        "-q",
        "sobol",
        "--imeta",
        IMETA,
        "--idata",
        IDATA,
        "--impute",
        "mean",
        "--n",
        "256",
        "--alt-normalise",
        "rank",
        "--bootstrap",
        "50",
        "--out",
        s(&out),
    ]));
    let (h, rows) = read_csv(&out);
    assert_eq!(
        h,
        [
            "target", "group", "first", "total", "first_lo", "first_hi", "total_lo", "total_hi"
        ]
    );
    // 51 scores + 51 ranks + mean_abs_rank_shift, times 3 weight levels + the alternative
    assert_eq!(rows.len(), 103 * 4);
    let groups: Vec<&str> = rows[..4].iter().map(|r| r[1].as_str()).collect();
    assert_eq!(
        groups,
        ["weights L1", "weights L2", "weights L3", "alternative"]
    );
    for r in rows.iter().filter(|r| r[0] == "mean_abs_rank_shift") {
        let (first, total) = (num(&r[2]), num(&r[3]));
        assert!(first.is_finite() && total >= 0.0);
        let (lo, hi) = (num(&r[6]), num(&r[7]));
        assert!(lo <= hi, "{r:?}");
    }
    // other targets were not bootstrapped: empty interval cells
    assert!(rows[0][4].is_empty());
    // --targets restricts the rows; an unknown target is one line naming it
    ok(&compind(&[
        "-q",
        "sobol",
        "--imeta",
        IMETA,
        "--idata",
        IDATA,
        "--impute",
        "mean",
        "--n",
        "64",
        "--by",
        "all",
        "--targets",
        "rank:AUT;mean_abs_rank_shift",
        "--out",
        s(&out),
    ]));
    let (_, rows) = read_csv(&out);
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[0][0].as_str(), rows[0][1].as_str()),
        ("rank:AUT", "weights")
    );
    let line = fails_with_one_line(&compind(&[
        "sobol",
        "--imeta",
        IMETA,
        "--idata",
        IDATA,
        "--targets",
        "rank:XXX",
        "--out",
        s(&out),
    ]));
    assert!(line.contains("rank:XXX"), "{line}");
    // only the weights of levels 2 and 3 vary (COINr's vignette set-up): one group each, and a
    // level the framework lacks is refused
    let lv = d.join("levels.csv");
    let sobol = |extra: &[&str]| {
        let mut args = vec![
            "-q", "sobol", "--imeta", IMETA, "--idata", IDATA, "--impute", "mean",
        ];
        args.extend_from_slice(&["--n", "64", "--targets", "mean_abs_rank_shift"]);
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--out", s(&lv)]);
        compind(&args)
    };
    ok(&sobol(&["--levels", "2,3", "--triangular"]));
    let (_, rows) = read_csv(&lv);
    let groups: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(groups, ["weights L2", "weights L3"]);
    let line = fails_with_one_line(&sobol(&["--levels", "4"]));
    assert!(line.contains("--levels") && line.contains('4'), "{line}");
}

/// `compind audit --out a/b/c/` creates the missing directories `a`, `a/b` and `a/b/c` (the help
/// says "created if missing"; it used to refuse with "directory `a/b` does not exist"), but only
/// once every check passed: a failing run creates nothing, and a path through a file is refused.
#[test]
fn audit_creates_missing_parent_directories_only_for_a_run_that_succeeds() {
    let d = dir("audit_nested");
    let aud = |out: &Path, extra: &[&str]| {
        let mut args = vec![
            "audit", "-q", "--imeta", IMETA, "--idata", IDATA, "--impute", "mean",
        ];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--out", s(out)]);
        compind(&args)
    };
    // a failing run (a parameter out of range) creates no directory
    let failed = d.join("failed").join("sub").join("audit");
    fails_naming(&aud(&failed, &["--collinear", "-1"]), "--collinear");
    assert!(!d.join("failed").exists());
    // a path through an existing file is refused, the file kept, nothing created
    let f = d.join("afile");
    std::fs::write(&f, "keep").unwrap();
    let line = fails_with_one_line(&aud(&f.join("sub").join("audit"), &[]));
    assert!(line.contains("not a directory"), "{line}");
    assert_eq!(text(&f), "keep");
    assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1);
    // a nested missing directory (with a trailing slash, as the help's example) is created and
    // filled with every table
    let nested = d.join("new").join("sub").join("audit");
    ok(&aud(Path::new(&format!("{}/", s(&nested))), &[]));
    let mut names: Vec<String> = std::fs::read_dir(&nested)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "corr_masked.csv",
            "corr_pearson.csv",
            "corr_pvalues.csv",
            "corr_spearman.csv",
            "flags.csv",
            "groups.csv",
            "parents.csv",
            "pca.csv",
            "stats.csv"
        ]
    );
    assert!(text(&nested.join("stats.csv")).starts_with("iCode,n,n_missing,"));
}

#[test]
fn audit_writes_every_table_with_reference_values() {
    let d = dir("audit");
    let out = d.join("audit");
    ok(&compind(&[
        "audit",
        "--imeta",
        IMETA,
        "--idata",
        IDATA,
        "--impute",
        "mean",
        "--out",
        s(&out),
    ]));
    for t in [
        "corr_pearson",
        "corr_spearman",
        "corr_pvalues",
        "corr_masked",
        "parents",
        "groups",
        "pca",
        "flags",
        "stats",
    ] {
        assert!(out.join(format!("{t}.csv")).exists(), "{t}");
    }
    let (h, pear) = read_csv(&out.join("corr_pearson.csv"));
    assert_eq!(h.len(), 50);
    assert_eq!(pear.len(), 49);
    // Reference: scipy.stats.pearsonr(LPI, Flights) on the raw iData columns (both complete and
    // direction 1, so min-max normalisation leaves r unchanged): r = 0.5090822089280492,
    // p = 0.0001362426418650519 (scipy 1.17.1).
    let r = num(&pear[0][2]);
    assert!((r - 0.5090822089280492).abs() < 1e-12, "{r}");
    let (_, pv) = read_csv(&out.join("corr_pvalues.csv"));
    let p = num(&pv[0][2]);
    assert!((p - 0.0001362426418650519).abs() < 1e-9, "{p}");
    // masking: a cell is kept iff its p-value is at most 0.05 (diagonal always)
    let (_, masked) = read_csv(&out.join("corr_masked.csv"));
    for i in 0..49 {
        for j in 1..50 {
            let kept = !masked[i][j].is_empty();
            if i + 1 != j && !pear[i][j].is_empty() {
                assert_eq!(kept, num(&pv[i][j]) <= 0.05, "{i},{j}");
            }
        }
    }
    // Reference: numpy / scipy on the raw LPI column (complete, so imputation leaves it alone):
    // mean 3.4118710392156864, median 3.420043, sd (ddof=1) 0.5384761821615868,
    // skew(bias=False) -0.3042681282970482, kurtosis(bias=False) -0.656751412485129.
    let (sh, stats) = read_csv(&out.join("stats.csv"));
    assert_eq!(
        sh,
        [
            "iCode",
            "n",
            "n_missing",
            "min",
            "max",
            "mean",
            "median",
            "sd",
            "skew",
            "kurtosis"
        ]
    );
    let lpi = &stats[0];
    assert_eq!(&lpi[..5], &["LPI", "51", "0", "2.067254", "4.225967"]);
    for (k, want) in [
        (5, 3.4118710392156864),
        (6, 3.420043),
        (7, 0.5384761821615868),
        (8, -0.3042681282970482),
        (9, -0.656751412485129),
    ] {
        assert!(
            (num(&lpi[k]) - want).abs() < 1e-12,
            "{}: {} vs {want}",
            sh[k],
            lpi[k]
        );
    }
    let (gh, groups) = read_csv(&out.join("groups.csv"));
    assert_eq!(gh[3], "cronbach_alpha");
    assert_eq!(groups.len(), 8); // the 8 pillars have indicator children
    let (_, flags) = read_csv(&out.join("flags.csv"));
    assert!(
        flags
            .iter()
            .all(|f| f[0] == "negative_with_parent" || f[0] == "collinear")
    );
}

#[test]
fn goalposts_come_from_imeta_columns() {
    let d = dir("goalposts");
    // a two-indicator framework with goalposts for both indicators and a common scale of 100
    let meta = d.join("iMeta.csv");
    std::fs::write(
        &meta,
        "Level,iCode,iName,Direction,Weight,Parent,Type,goalpost_lower,goalpost_upper,goalpost_scale\n\
         1,a,A,1,1,P,Indicator,0,10,100\n\
         1,b,B,-1,1,P,Indicator,0,4,100\n\
         2,P,Pillar,1,1,,Aggregate,,,\n",
    )
    .unwrap();
    let data = d.join("iData.csv");
    std::fs::write(&data, "uCode,uName,a,b\nX,Ex,5,1\nY,Why,12,2\n").unwrap();
    let out = d.join("s.csv");
    ok(&compind(&[
        "score",
        "--imeta",
        s(&meta),
        "--idata",
        s(&data),
        "--normalise",
        "goalposts",
        "--out",
        s(&out),
    ]));
    let (_, rows) = read_csv(&out);
    // hand computation: X: a = (5-0)/10·100 = 50, b = (4-1)/4·100 = 75 (direction -1), P = 62.5;
    // Y: a = 12 is above the upper goalpost, truncated to 100; b = (4-2)/4·100 = 50; P = 75
    assert_eq!(&rows[0][1..4], &["50", "75", "62.5"]);
    assert_eq!(&rows[1][1..4], &["100", "50", "75"]);
    // one goalpost missing: one line naming the file and line
    std::fs::write(
        &meta,
        "Level,iCode,iName,Direction,Weight,Parent,Type,goalpost_lower,goalpost_upper\n\
         1,a,A,1,1,P,Indicator,0,\n\
         1,b,B,-1,1,P,Indicator,0,4\n\
         2,P,Pillar,1,1,,Aggregate,,\n",
    )
    .unwrap();
    let line = fails_with_one_line(&compind(&[
        "score",
        "--imeta",
        s(&meta),
        "--idata",
        s(&data),
        "--normalise",
        "goalposts",
        "--out",
        s(&out),
    ]));
    assert!(
        line.contains("iMeta.csv") && line.contains("line 2"),
        "{line}"
    );
}

#[test]
fn every_help_explains_every_option_with_an_example() {
    for sub in [
        "score",
        "audit",
        "sweep",
        "merge",
        "report",
        "sobol",
        "stats",
        "compare",
        "strweak",
        "remove",
        "opt-weights",
        "plot",
        "panel",
        "impute-panel",
        "trends",
    ] {
        let o = compind(&[sub, "--help"]);
        ok(&o);
        let text = String::from_utf8(o.stdout).unwrap();
        assert!(text.contains("Example"), "{sub}");
        // every long option's help has an example (`--flag` shown as `Example: ...`)
        let mut in_options = false;
        let mut current = String::new();
        let mut blocks = Vec::new();
        for line in text.lines() {
            if line.starts_with("Options:") || line.starts_with("Arguments:") {
                in_options = true;
                continue;
            }
            if !in_options {
                continue;
            }
            let t = line.trim_start();
            let starts_option = ["--", "-q", "<", "-h", "-V"]
                .iter()
                .any(|p| t.starts_with(p));
            if starts_option && !current.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
            current.push_str(line);
            current.push('\n');
        }
        blocks.push(current);
        for b in blocks {
            let t = b.trim_start();
            if t.starts_with("-h") || t.starts_with("-V") {
                continue;
            }
            assert!(
                b.contains("Example"),
                "{sub}: option without an example:\n{b}"
            );
        }
    }
    let o = compind(&["--help"]);
    ok(&o);
    let text = String::from_utf8(o.stdout).unwrap();
    for sub in [
        "score",
        "audit",
        "sweep",
        "merge",
        "report",
        "sobol",
        "stats",
        "compare",
        "strweak",
        "remove",
        "opt-weights",
        "plot",
        "panel",
        "impute-panel",
        "trends",
    ] {
        assert!(text.contains(sub));
    }
}

#[test]
fn a_sweep_over_its_memory_budget_stops_before_allocating_and_names_the_knob() {
    let d = dir("budget");
    let out = d.join("sweep.json");
    let args = |budget: &'static str| {
        compind(&[
            "-q",
            "sweep",
            "--imeta",
            IMETA,
            "--idata",
            IDATA,
            "--variants",
            "2000",
            "--memory-budget",
            budget,
            "--out",
            s(&out),
        ])
    };
    // 1 KiB cannot hold the 51 x 51 rank histograms: a one-line typed error, exit 1, no file
    let line = fails_with_one_line(&args("1K"));
    assert!(line.contains("memory"), "{line}");
    assert!(!out.exists());
    // a malformed size is a usage error
    assert_eq!(args("lots").status.code(), Some(2));
    // a generous budget runs
    ok(&args("1G"));
    assert!(out.exists());
}

#[test]
fn review_cases_fail_before_writing_anything() {
    let d = dir("review");
    // a --save-scale into a missing directory: nothing is written, not even the score table
    let out = d.join("scores.csv");
    let line = fails_with_one_line(&compind(&[
        "score",
        "--imeta",
        IMETA,
        "--idata",
        IDATA,
        "--out",
        s(&out),
        "--save-scale",
        s(&d.join("no_such_dir").join("scale.json")),
    ]));
    assert!(line.contains("does not exist"), "{line}");
    assert!(!out.exists());
    // a level without weights to perturb is an error, not a sweep that perturbs nothing
    let sweep = d.join("l.json");
    let line = fails_with_one_line(&compind(&[
        "-q",
        "sweep",
        "--imeta",
        IMETA,
        "--idata",
        IDATA,
        "--variants",
        "10",
        "--levels",
        "99",
        "--out",
        s(&sweep),
    ]));
    assert!(line.contains("level 99"), "{line}");
    assert!(!sweep.exists());
    // a sweep file whose range does not match its result is refused
    ok(&compind(&[
        "-q",
        "sweep",
        "--imeta",
        IMETA,
        "--idata",
        IDATA,
        "--variants",
        "50",
        "--shard",
        "1/2",
        "--out",
        s(&sweep),
    ]));
    let text = std::fs::read_to_string(&sweep).unwrap();
    let edited = d.join("edited.json");
    std::fs::write(
        &edited,
        text.replace("\"range\":[0,25]", "\"range\":[0,50]"),
    )
    .unwrap();
    assert_ne!(
        std::fs::read_to_string(&edited).unwrap(),
        text,
        "the edit applied"
    );
    let line = fails_with_one_line(&compind(&[
        "report",
        s(&edited),
        "--out",
        s(&d.join("ua.csv")),
    ]));
    assert!(line.contains("damaged or was edited"), "{line}");
}

/// A sweep file whose counts, unit codes or nominal ranks were edited is refused by every subcommand
/// that reads it (`report` printed a mean rank of 2e18 and a nominal rank of 99 of 51 units), while
/// the file as written passes.
#[test]
fn edited_sweep_counts_and_nominal_ranks_are_refused() {
    let d = dir("edited_counts");
    let sweep = d.join("s.json");
    ok(&compind(&[
        "-q",
        "sweep",
        "--imeta",
        IMETA,
        "--idata",
        IDATA,
        "--variants",
        "40",
        "--out",
        s(&sweep),
    ]));
    let whole: serde_json::Value = serde_json::from_str(&text(&sweep)).unwrap();
    type Edit = fn(&mut serde_json::Value);
    let edits: [(&str, Edit); 5] = [
        ("variants", |r| r["ranks"]["variants"] = 0.into()),
        ("code", |r| r["unit_codes"][1] = r["unit_codes"][0].clone()),
        ("missing", |r| r["ranks"]["missing"][0] = 1000.into()),
        ("count", |r| r["ranks"]["counts"][0] = u64::MAX.into()),
        ("nominal", |r| r["nominal_ranks"][2] = 99.into()),
    ];
    for (name, edit) in edits {
        let mut v = whole.clone();
        edit(&mut v["result"]);
        let edited = d.join(format!("{name}.json"));
        std::fs::write(&edited, v.to_string()).unwrap();
        for args in [
            vec!["report", s(&edited), "--out", "-"],
            vec!["merge", s(&edited), s(&sweep), "--out", "-"],
        ] {
            let line = fails_with_one_line(&compind(&args));
            assert!(
                line.contains("damaged or was edited") && line.contains("sweep result"),
                "{name}: {line}"
            );
        }
    }
    ok(&compind(&["-q", "report", s(&sweep), "--out", "-"]));
}

/// A run whose second output fails (a full disk: `/dev/full`) writes none of its outputs: the first
/// used to be renamed into place before the second failed.
#[cfg(target_os = "linux")]
#[test]
fn a_run_whose_second_output_fails_writes_none() {
    let d = dir("second_output_fails");
    let out = d.join("scores.csv");
    let _ = std::fs::remove_file(&out);
    let score = |quiet: bool, scale: &str| {
        let mut args = vec![
            "score",
            "--imeta",
            IMETA,
            "--idata",
            IDATA,
            "--out",
            s(&out),
        ];
        args.extend_from_slice(&["--save-scale", scale]);
        if quiet {
            args.insert(0, "-q");
        }
        compind(&args)
    };
    let line = fails_with_one_line(&score(true, "/dev/full"));
    assert!(line.contains("/dev/full"), "{line}");
    assert!(!out.exists());
    let left: Vec<_> = std::fs::read_dir(&d).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
    // without -q, the "wrote" line of the first output is followed by a note that it was not kept
    let o = score(false, "/dev/full");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("so 1 output written before the failure was not kept"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
    // the same run with a writable second output writes both
    let scale = d.join("scale.json");
    ok(&score(true, s(&scale)));
    assert!(out.exists() && scale.exists());
}

/// An even power mean meeting negative normalised values (z-scores) is computed as COINr's
/// `a_genmean` does, with a note that it is not monotone there; min-max data gets no note.
#[test]
fn an_even_power_mean_of_negative_values_is_noted() {
    let run = |norm: &str| {
        let o = compind(&[
            "score",
            "--imeta",
            IMETA,
            "--idata",
            IDATA,
            "--normalise",
            norm,
            "--aggregate",
            "power:2",
            "--out",
            "/dev/null",
        ]);
        ok(&o);
        stderr(&o)
    };
    let err = run("zscore");
    assert!(
        err.contains("note: power:2 raises") && err.contains("negative value"),
        "{err}"
    );
    assert!(!run("minmax").contains("even power"));
}

/// Codes given to options name the option when the framework lacks them, and a saved scale from
/// another framework (or with an indicator twice) names the scale file: each used to say only
/// "unknown code `X`" or "code `X` is defined more than once".
#[test]
fn unknown_codes_name_their_option_or_file() {
    let d = dir("unknown_codes");
    let toy = [
        "--spec",
        "data/toy/spec.toml",
        "--data",
        "data/toy/data.csv",
    ];
    let run = |args: &[&str]| {
        let mut all = vec!["-q"];
        all.extend_from_slice(args);
        all.extend_from_slice(&toy);
        fails_with_one_line(&compind(&all))
    };
    let line = run(&["remove", "--level", "1", "--target", "NoSuch", "--out", "-"]);
    assert!(line.contains("unknown --target code `NoSuch`"), "{line}");
    let svg = d.join("q.svg");
    let line = run(&[
        "plot",
        "quadrant",
        "--x",
        "NoSuch",
        "--y",
        "gdp",
        "--out",
        s(&svg),
    ]);
    assert!(line.contains("unknown --x code `NoSuch`"), "{line}");
    let line = run(&[
        "opt-weights",
        "--level",
        "2",
        "--importance",
        "Foo=1",
        "--out",
        "-",
    ]);
    assert!(line.contains("unknown --importance code `Foo`"), "{line}");
    // a scale saved from the toy framework, applied to ASEM; then one with an indicator twice
    let scale = d.join("scale.json");
    let mut args = vec![
        "-q",
        "score",
        "--out",
        "/dev/null",
        "--save-scale",
        s(&scale),
    ];
    args.extend_from_slice(&toy);
    ok(&compind(&args));
    let line = fails_with_one_line(&compind(&[
        "score",
        "--imeta",
        IMETA,
        "--idata",
        IDATA,
        "--scale",
        s(&scale),
        "--out",
        "-",
    ]));
    assert!(
        line.contains("scale.json")
            && line.contains("indicator `gdp`, which the framework does not have"),
        "{line}"
    );
    let mut v: serde_json::Value = serde_json::from_str(&text(&scale)).unwrap();
    let first = v[0].clone();
    v.as_array_mut().unwrap().push(first);
    let twice = d.join("twice.json");
    std::fs::write(&twice, v.to_string()).unwrap();
    let mut args = vec!["score", "--scale", s(&twice), "--out", "-"];
    args.extend_from_slice(&toy);
    let line = fails_with_one_line(&compind(&args));
    assert!(
        line.contains("twice.json") && line.contains("has indicator `gdp` twice"),
        "{line}"
    );
}

/// `-` for two outputs is refused in words the user typed (it said "output `/dev/stdout` is the same
/// file as output `/dev/stdout`").
#[test]
fn standard_output_for_two_outputs_is_refused() {
    let line = fails_with_one_line(&compind(&[
        "score",
        "--spec",
        "data/toy/spec.toml",
        "--data",
        "data/toy/data.csv",
        "--out",
        "-",
        "--save-scale",
        "-",
    ]));
    assert!(
        line.contains("`-` (standard output) is given for two outputs"),
        "{line}"
    );
}

/// The bin width of a sweep file's rank histograms (1 = exact).
fn rank_width(p: &Path) -> u64 {
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
    v["result"]["ranks"]["width"].as_u64().unwrap_or(1)
}

#[test]
fn binned_shards_merge_to_the_unsharded_run_and_the_report_gives_the_resolution() {
    let d = dir("binned");
    // 51 units in 8 bins of 7 ranks; fast path (one alternative) and general path (two)
    for (tag, extra) in [
        ("fast", &[][..]),
        ("general", &["--alt-aggregate", "median"][..]),
    ] {
        let common = [
            &[
                "-q",
                "sweep",
                "--imeta",
                IMETA,
                "--idata",
                IDATA,
                "--impute",
                "mean",
                "--variants",
                "1201",
                "--seed",
                "5",
                "--chunk",
                "128",
                "--rank-summary",
                "binned:8",
            ][..],
            extra,
        ]
        .concat();
        let full = d.join(format!("{tag}_full.json"));
        ok(&compind(
            &[&common[..], &["--threads", "2", "--out", s(&full)]].concat(),
        ));
        assert_eq!(rank_width(&full), 7);
        let parts: Vec<PathBuf> = (1..=3)
            .map(|i| d.join(format!("{tag}_part{i}.json")))
            .collect();
        for (i, p) in parts.iter().enumerate() {
            let shard = format!("{}/3", i + 1);
            ok(&compind(
                &[
                    &common[..],
                    &["--threads", "1", "--shard", &shard, "--out", s(p)],
                ]
                .concat(),
            ));
        }
        let merged = d.join(format!("{tag}_merged.json"));
        ok(&compind(&[
            "-q",
            "merge",
            s(&parts[2]),
            s(&parts[0]),
            s(&parts[1]),
            "--out",
            s(&merged),
        ]));
        assert_eq!(
            std::fs::read(&full).unwrap(),
            std::fs::read(&merged).unwrap(),
            "{tag}: merged binned shards are the single run's bytes"
        );
        // the report names the resolution in its last column, the same for both files
        let (ua1, ua2) = (
            d.join(format!("{tag}_ua1.csv")),
            d.join(format!("{tag}_ua2.csv")),
        );
        ok(&compind(&["-q", "report", s(&full), "--out", s(&ua1)]));
        ok(&compind(&["-q", "report", s(&merged), "--out", s(&ua2)]));
        assert_eq!(std::fs::read(&ua1).unwrap(), std::fs::read(&ua2).unwrap());
        let (header, rows) = read_csv(&ua1);
        assert_eq!(header.last().map(String::as_str), Some("rank_resolution"));
        assert_eq!(rows.len(), 51);
        // the same sweep with exact histograms: the binned rank quantiles (each bin's counts read
        // as spread over its 7 ranks) are within one bin of the exact ones
        let exact = d.join(format!("{tag}_exact.json"));
        let exact_args: Vec<&str> = common
            .iter()
            .copied()
            .filter(|a| *a != "--rank-summary" && *a != "binned:8")
            .collect();
        ok(&compind(&[&exact_args[..], &["--out", s(&exact)]].concat()));
        let ua_exact = d.join(format!("{tag}_ua_exact.csv"));
        ok(&compind(&[
            "-q",
            "report",
            s(&exact),
            "--out",
            s(&ua_exact),
        ]));
        let (_, exact_rows) = read_csv(&ua_exact);
        let col = |c: &str| header.iter().position(|h| h == c).unwrap();
        for (r, e) in rows.iter().zip(&exact_rows) {
            assert_eq!(r.last().map(String::as_str), Some("7"));
            assert_eq!(r[0], e[0]);
            for c in ["median_rank", "q05_rank", "q95_rank"] {
                let (q, x) = (num(&r[col(c)]), num(&e[col(c)]));
                assert!(
                    (1.0..=51.0).contains(&q) && (q - x).abs() < 7.0,
                    "{c}: {q} vs {x}"
                );
            }
            assert!(num(&r[col("q05_rank")]) <= num(&r[col("median_rank")]));
            assert!(num(&r[col("median_rank")]) <= num(&r[col("q95_rank")]));
        }
        let js = d.join(format!("{tag}_ua.json"));
        ok(&compind(&["-q", "report", s(&full), "--out", s(&js)]));
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&js).unwrap()).unwrap();
        assert_eq!(v[0]["rank_resolution"], serde_json::json!(7.0));
    }
}

#[test]
fn auto_rank_summary_is_the_exact_run_when_it_fits() {
    let d = dir("auto_fits");
    let run = |summary: &str, out: &Path| {
        ok(&compind(&[
            "-q",
            "sweep",
            "--imeta",
            IMETA,
            "--idata",
            IDATA,
            "--impute",
            "mean",
            "--variants",
            "500",
            "--rank-summary",
            summary,
            "--memory-budget",
            "1G",
            "--out",
            s(out),
        ]));
    };
    let (exact, auto) = (d.join("exact.json"), d.join("auto.json"));
    run("exact", &exact);
    run("auto", &auto);
    assert_eq!((rank_width(&exact), rank_width(&auto)), (1, 1));
    // the exact sweep file does not mention a rank summary (files as before #17)
    let text = std::fs::read_to_string(&exact).unwrap();
    assert!(!text.contains("rank_summary"), "{}", &text[..200]);
    let (ua_e, ua_a) = (d.join("exact.csv"), d.join("auto.csv"));
    ok(&compind(&["-q", "report", s(&exact), "--out", s(&ua_e)]));
    ok(&compind(&["-q", "report", s(&auto), "--out", s(&ua_a)]));
    assert_eq!(std::fs::read(&ua_e).unwrap(), std::fs::read(&ua_a).unwrap());
    let (header, _) = read_csv(&ua_e);
    assert_eq!(header.last().map(String::as_str), Some("n_missing"));
}

#[test]
fn over_budget_exact_sweeps_name_rank_summary_auto_and_auto_shards_must_agree() {
    let d = dir("auto_budget");
    let out = d.join("sweep.json");
    let args = |summary: &str, budget: &str, shard: &str, out: &Path| {
        compind(&[
            "-q",
            "sweep",
            "--imeta",
            IMETA,
            "--idata",
            IDATA,
            "--impute",
            "mean",
            "--variants",
            "40",
            "--threads",
            "1",
            "--chunk",
            "8",
            "--score-bins",
            "0",
            "--shard",
            shard,
            "--rank-summary",
            summary,
            "--memory-budget",
            budget,
            "--out",
            s(out),
        ])
    };
    // the bytes a line `... needs about N bytes ...` names
    let needs = |line: &str| -> u64 {
        let rest = line.split("needs about ").nth(1).unwrap();
        rest.split(' ').next().unwrap().parse().unwrap()
    };
    let line = fails_with_one_line(&args("exact", "1K", "1/1", &out));
    assert!(line.contains("--rank-summary auto"), "{line}");
    assert!(line.contains("--memory-budget"), "{line}");
    assert!(!out.exists());
    let exact_need = needs(&line);
    let line = fails_with_one_line(&args("auto", "1K", "1/1", &out));
    assert!(line.contains("--rank-summary binned:B"), "{line}");
    assert!(!line.contains("--rank-summary auto"), "{line}");
    assert!(!out.exists());
    let widest_need = needs(&line);
    assert!(widest_need < exact_need, "{widest_need} vs {exact_need}");
    // budgets between "one bin per unit fits" and "exact fits": auto bins; find two giving
    // different widths
    let mut seen: Vec<(u64, String)> = Vec::new();
    for i in 0..10 {
        let budget = widest_need + (exact_need - widest_need) * i / 10;
        let p = d.join(format!("shard_{i}.json"));
        ok(&args("auto", &budget.to_string(), "1/2", &p));
        if !seen.iter().any(|(w, _)| *w == rank_width(&p)) {
            seen.push((rank_width(&p), budget.to_string()));
        }
    }
    assert!(
        seen.iter().any(|(w, _)| *w > 1),
        "some budget gives binned histograms: {seen:?}"
    );
    let (w, budget) = seen.iter().find(|(w, _)| *w > 1).unwrap().clone();
    let (_, other) = seen.iter().find(|(v, _)| *v != w).unwrap().clone();
    let (a, b) = (d.join("a.json"), d.join("b.json"));
    ok(&args("auto", &budget, "1/2", &a));
    ok(&args("auto", &other, "2/2", &b));
    let line = fails_with_one_line(&compind(&[
        "merge",
        s(&a),
        s(&b),
        "--out",
        s(&d.join("x.json")),
    ]));
    assert!(line.contains("--rank-summary binned:B"), "{line}");
    assert!(line.contains(&format!("width {w}")), "{line}");
    assert!(!d.join("x.json").exists());
}

/// A new year on a saved min-max scale: a value beyond the old maximum is extrapolated (a score above
/// 100) with a note, or clamped to the saved range with `--out-of-range clamp`.
#[test]
fn out_of_range_values_on_a_saved_scale_are_noted_or_clamped() {
    let d = dir("out_of_range");
    let scale = d.join("scale.json");
    let first = d.join("first.csv");
    ok(&compind(&[
        "score",
        "-q",
        "--imeta",
        IMETA,
        "--idata",
        IDATA,
        "--save-scale",
        s(&scale),
        "--out",
        s(&first),
    ]));
    // the new year: AUT's LPI ten times the old maximum
    let mut r = csv::Reader::from_path(IDATA).unwrap();
    let header = r.headers().unwrap().clone();
    let lpi = header.iter().position(|h| h == "LPI").unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    let max = rows
        .iter()
        .filter_map(|x| x[lpi].parse::<f64>().ok())
        .fold(f64::MIN, f64::max);
    let new_year = d.join("iData_new.csv");
    let mut w = csv::Writer::from_path(&new_year).unwrap();
    w.write_record(&header).unwrap();
    for rec in &rows {
        let mut f: Vec<String> = rec.iter().map(String::from).collect();
        if f[1] == "AUT" {
            f[lpi] = (10.0 * max).to_string();
        }
        w.write_record(&f).unwrap();
    }
    w.flush().unwrap();
    let lpi_of_aut = |path: &Path| -> f64 {
        let mut r = csv::Reader::from_path(path).unwrap();
        let h = r.headers().unwrap().clone();
        let c = h.iter().position(|x| x == "LPI").unwrap();
        let rec = r
            .records()
            .map(|x| x.unwrap())
            .find(|x| &x[0] == "AUT")
            .unwrap();
        rec[c].parse().unwrap()
    };
    let out = d.join("extrapolated.csv");
    let on_scale = |extra: &[&str]| {
        let mut args = vec!["score", "--imeta", IMETA, "--idata", s(&new_year)];
        args.extend_from_slice(&["--scale", s(&scale), "--out", s(&out)]);
        args.extend_from_slice(extra);
        compind(&args)
    };
    let o = on_scale(&[]);
    ok(&o);
    assert!(
        stderr(&o).contains("1 value outside the saved scale's range"),
        "{}",
        stderr(&o)
    );
    assert!(lpi_of_aut(&out) > 100.0);
    let o = on_scale(&["--out-of-range", "clamp"]);
    ok(&o);
    assert!(!stderr(&o).contains("outside"), "{}", stderr(&o));
    assert_eq!(lpi_of_aut(&out), 100.0);
}

/// The panel file given to a one-period command: the repeated unit is the reader's error, and the
/// message points to the panel subcommands.
#[test]
fn a_panel_given_to_score_points_to_the_panel_commands() {
    let d = dir("panel_hint");
    let out = d.join("x.csv");
    let panel = concat!(env!("CARGO_MANIFEST_DIR"), "/data/asem/iData_p.csv");
    let o = compind(&[
        "score",
        "--imeta",
        IMETA,
        "--idata",
        panel,
        "--out",
        s(&out),
    ]);
    let line = fails_with_one_line(&o);
    assert!(
        line.contains("repeats unit code") && line.contains("compind panel"),
        "{line}"
    );
    assert!(!out.exists());
    // a unit code repeated within one period is a plain duplicate: no panel hint
    let one = d.join("iData.csv");
    let text = std::fs::read_to_string(IDATA).unwrap();
    std::fs::write(&one, text.replacen("Belgium,BEL,", "Belgium,AUT,", 1)).unwrap();
    let line = fails_with_one_line(&compind(&[
        "score",
        "--imeta",
        IMETA,
        "--idata",
        s(&one),
        "--out",
        s(&out),
    ]));
    assert!(
        line.contains("repeats unit code `AUT`") && !line.contains("compind panel"),
        "{line}"
    );
    assert!(!out.exists());
}

/// COINr's per-indicator normalisation columns of iMeta (`use_iMeta`): `goalpost_scale`,
/// `goalpost_trunc2posts` and `dist2targ_cap_max` apply with the bare `goalposts` / `dist2targ`;
/// expected values from COINr's `n_goalposts` and `n_dist2targ` formulas by hand.
#[test]
fn imeta_normalisation_columns_apply_per_indicator() {
    let d = dir("imeta_norm");
    let (imeta, idata) = (d.join("iMeta.csv"), d.join("iData.csv"));
    std::fs::write(
        &imeta,
        "Level,iCode,iName,Direction,Weight,Parent,Type,Target,goalpost_lower,goalpost_upper,\
         goalpost_scale,goalpost_trunc2posts,dist2targ_cap_max\n\
         1,a,A,1,1,P,Indicator,4.5,0,3,100,FALSE,TRUE\n\
         1,b,B,1,1,P,Indicator,4,0,4,1,TRUE,FALSE\n\
         2,P,P,1,1,,Aggregate,,,,,,\n",
    )
    .unwrap();
    std::fs::write(&idata, "uCode,a,b\nU1,1,1\nU2,2,2\nU3,5,5\n").unwrap();
    let run = |norm: &str| {
        let out = d.join(format!("{}.csv", norm.replace(':', "_")));
        ok(&compind(&[
            "score",
            "-q",
            "--imeta",
            s(&imeta),
            "--idata",
            s(&idata),
            "--normalise",
            norm,
            "--out",
            s(&out),
        ]));
        first_values(&out, "U3", 2)
    };
    // goalposts: a = (5 − 0)/(3 − 0)·100, not truncated; b = min((5 − 0)/4, 1)·1
    let g = run("goalposts");
    assert!((g[0] - 500.0 / 3.0).abs() < 1e-12 && g[1] == 1.0, "{g:?}");
    // an explicit form applies to every indicator: truncated, scale 100
    let g = run("goalposts:100");
    assert_eq!(g, [100.0, 100.0]);
    // dist2targ: a = (5 − 1)/(4.5 − 1) capped at 1; b = (5 − 1)/(4 − 1), not capped
    let t = run("dist2targ");
    assert!(t[0] == 1.0 && (t[1] - 4.0 / 3.0).abs() < 1e-12, "{t:?}");
    let t = run("dist2targ:cap");
    assert_eq!(t, [1.0, 1.0]);
}

/// An indicator without a `goalpost_scale` cell keeps the bare `goalposts`' scale 1, whatever the
/// other rows declare (it took their common scale when they all agreed), and a note names it: COINr's
/// `use_iMeta` gives NA there, so the default is ours and the user is told.
#[test]
fn a_missing_goalpost_scale_cell_keeps_the_default_and_is_noted() {
    let d = dir("imeta_norm_missing");
    let (imeta, idata, out) = (d.join("iMeta.csv"), d.join("iData.csv"), d.join("o.csv"));
    std::fs::write(
        &imeta,
        "Level,iCode,iName,Direction,Weight,Parent,Type,goalpost_lower,goalpost_upper,goalpost_scale\n\
         1,a,A,1,1,P,Indicator,0,4,100\n\
         1,b,B,1,1,P,Indicator,0,4,NA\n\
         2,P,P,1,1,,Aggregate,,,\n",
    )
    .unwrap();
    std::fs::write(&idata, "uCode,a,b\nU1,1,1\nU2,2,2\nU3,3,3\n").unwrap();
    let o = compind(&[
        "score",
        "--imeta",
        s(&imeta),
        "--idata",
        s(&idata),
        "--normalise",
        "goalposts",
        "--out",
        s(&out),
    ]);
    ok(&o);
    let err = stderr(&o);
    assert!(
        err.contains("iMeta gives no goalpost_scale for 1 indicator (b): scale 1 is used"),
        "{err}"
    );
    // no goalpost_trunc2posts column at all: both truncate, as n_goalposts does by default
    assert!(
        err.contains("no goalpost_trunc2posts for 2 indicators (a, b): values are truncated"),
        "{err}"
    );
    // U3: a = 3/4·100 = 75, b = 3/4·1 = 0.75
    assert_eq!(first_values(&out, "U3", 2), [75.0, 0.75]);
}

/// The first `k` values after the code of `unit`'s row in the CSV file `path`.
fn first_values(path: &Path, unit: &str, k: usize) -> Vec<f64> {
    let t = text(path);
    let prefix = format!("{unit},");
    t.lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap()
        .split(',')
        .skip(1)
        .take(k)
        .map(|v| v.parse().unwrap())
        .collect()
}

/// `--grid`: the normaliser and aggregator alternatives combine as COINr's SA_specs does (every
/// combination one alternative), and `sobol` has one input group per choice.
#[test]
fn grid_alternatives_combine_choices() {
    let d = dir("grid");
    let sweep = d.join("grid.json");
    let alts = [
        "--alt-normalise",
        "rank",
        "--alt-aggregate",
        "geometric:1",
        "--grid",
    ];
    let mut args = vec![
        "-q",
        "sweep",
        "--imeta",
        IMETA,
        "--idata",
        IDATA,
        "--variants",
        "400",
    ];
    args.extend_from_slice(&alts);
    args.extend_from_slice(&["--out", s(&sweep)]);
    ok(&compind(&args));
    let f: serde_json::Value = serde_json::from_str(&text(&sweep)).unwrap();
    let names: Vec<&str> = f["alternatives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "normaliser=nominal, aggregator=nominal",
            "normaliser=nominal, aggregator=geometric:1",
            "normaliser=rank, aggregator=nominal",
            "normaliser=rank, aggregator=geometric:1"
        ]
    );
    let out = d.join("sobol.csv");
    let mut args = vec![
        "-q", "sobol", "--imeta", IMETA, "--idata", IDATA, "--n", "64",
    ];
    args.extend_from_slice(&alts);
    args.extend_from_slice(&["--targets", "mean_abs_rank_shift", "--out", s(&out)]);
    ok(&compind(&args));
    let (_, rows) = read_csv(&out);
    let groups: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(
        groups,
        [
            "weights L1",
            "weights L2",
            "weights L3",
            "normaliser",
            "aggregator"
        ]
    );
}
