//! The panel subcommands of `compind` (feature `cli`) on COINr's 5-year ASEM panel
//! (`data/asem/iData_p.csv`): `panel`, `impute-panel` and `trends`, each checked against the library
//! function it wraps (byte for byte) plus independent values computed here from the CSV files;
//! bad input exits 1 with one line.
#![cfg(feature = "cli")]

use std::path::{Path, PathBuf};
use std::process::Output;

#[path = "common/compind_cli.rs"]
mod cli;
use cli::*;

use composite_indicators::io::{read_idata_panel_path, read_imeta_path};
use composite_indicators::pipeline::PipelineConfig;
use composite_indicators::study::CsvTable;
use composite_indicators::study::impute_panel::{ImputePanel, PanelImputeMethod};
use composite_indicators::study::purse::{NormalisationScope, PanelData, Purse};
use composite_indicators::study::trends::{TrendMetric, TrendOptions, TrendWindow, trends};
use composite_indicators::{Dataset, Framework};

/// `compind SUB -q --imeta iMeta --idata iData_p EXTRA...`
fn run(sub: &str, extra: &[&str]) -> Output {
    let mut args = vec![sub, "-q", "--imeta", IMETA, "--idata", PANEL];
    args.extend_from_slice(extra);
    compind(&args)
}

fn asem() -> (Framework, PanelData) {
    let meta = read_imeta_path(IMETA).unwrap();
    let panel = read_idata_panel_path(PANEL, &meta).unwrap();
    (meta.spec.clone().check().unwrap(), panel)
}

/// COINr's example build without screening (min-max 0-100 after denominate, group-mean imputation
/// and winsorising), as the command line below gives it.
const BUILD: [&str; 7] = [
    "--denominate",
    "--impute",
    "group_mean:EurAsia_group",
    "--treat",
    "winsorise:5",
    "--normalise",
    "minmax:0,100",
];

fn build_config() -> PipelineConfig {
    PipelineConfig {
        screen: None,
        ..PipelineConfig::coinr_example()
    }
}

#[test]
fn panel_equals_purse_scores_for_both_scopes() {
    let d = dir("panel");
    let (fw, panel) = asem();
    for (scope, kind) in [
        ("global", NormalisationScope::Global),
        ("per-period", NormalisationScope::PerPeriod),
    ] {
        let (out, treated) = (
            d.join(format!("{scope}.csv")),
            d.join(format!("{scope}_t.csv")),
        );
        let mut extra = BUILD.to_vec();
        extra.extend_from_slice(&[
            "--scope",
            scope,
            "--dset",
            "Treated",
            "--dset-out",
            s(&treated),
            "--out",
            s(&out),
        ]);
        ok(&run("panel", &extra));
        let purse = Purse::build(&panel, &fw, build_config(), kind).unwrap();
        assert_eq!(
            text(&out),
            purse.scores().to_csv_string().unwrap(),
            "{scope}"
        );
        assert_eq!(
            text(&treated),
            purse.panel("Treated").unwrap().to_csv_string().unwrap(),
            "{scope}"
        );
    }
    // independent check of the global scale: min-max over all periods pooled, so each indicator's
    // normalised values span exactly 0..100 over the 255 unit-years, and not within every year
    let mut r = csv::Reader::from_path(d.join("global.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let (lpi, time) = (
        h.iter().position(|c| c == "LPI").unwrap(),
        h.iter().position(|c| c == "Time").unwrap(),
    );
    let rows: Vec<(String, f64)> = r
        .records()
        .map(|x| {
            let x = x.unwrap();
            (x[time].to_string(), x[lpi].parse().unwrap())
        })
        .collect();
    assert_eq!(rows.len(), 255);
    let all = rows.iter().map(|r| r.1);
    let (lo, hi) = all.fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
    assert_eq!((lo, hi), (0.0, 100.0));
    let span_2018: Vec<f64> = rows.iter().filter(|r| r.0 == "2018").map(|r| r.1).collect();
    let hi18 = span_2018.iter().cloned().fold(f64::MIN, f64::max);
    let lo18 = span_2018.iter().cloned().fold(f64::MAX, f64::min);
    assert!(
        lo18 > 0.0 || hi18 < 100.0,
        "2018 alone spans the pooled scale"
    );
    // a bad data set name, a disabled step
    let x = d.join("x.csv");
    fails_naming(
        &run(
            "panel",
            &[
                "--dset",
                "Cooked",
                "--dset-out",
                s(&d.join("y.csv")),
                "--out",
                s(&x),
            ],
        ),
        "--dset",
    );
    fails_naming(
        &run(
            "panel",
            &[
                "--dset",
                "Treated",
                "--dset-out",
                s(&d.join("y.csv")),
                "--out",
                s(&x),
            ],
        ),
        "--dset",
    );
    assert!(!x.exists());
}

/// A copy of the panel with LPI blanked for AUT in 2020 and 2021.
fn with_gaps(d: &Path) -> PathBuf {
    let src = text(Path::new(PANEL));
    let mut r = csv::Reader::from_reader(src.as_bytes());
    let h = r.headers().unwrap().clone();
    let (u, t, lpi) = (
        h.iter().position(|c| c == "uCode").unwrap(),
        h.iter().position(|c| c == "Time").unwrap(),
        h.iter().position(|c| c == "LPI").unwrap(),
    );
    let out = d.join("iData_p_gaps.csv");
    let mut w = csv::Writer::from_path(&out).unwrap();
    w.write_record(&h).unwrap();
    for rec in r.records() {
        let rec = rec.unwrap();
        let mut v: Vec<String> = rec.iter().map(String::from).collect();
        if v[u] == "AUT" && (v[t] == "2020" || v[t] == "2021") {
            v[lpi] = String::new();
        }
        w.write_record(&v).unwrap();
    }
    w.flush().unwrap();
    out
}

fn value(d: &Dataset, unit: &str, col: &str) -> f64 {
    d.column(col).unwrap()[d.unit_position(unit).unwrap()]
}

#[test]
fn impute_panel_fills_from_other_years_as_the_library() {
    let d = dir("impute");
    let gaps = with_gaps(&d);
    let meta = read_imeta_path(IMETA).unwrap();
    let panel = read_idata_panel_path(&gaps, &meta).unwrap();
    for (flag, method) in [
        ("latest", PanelImputeMethod::Latest { max_time: None }),
        ("linear", PanelImputeMethod::Linear),
    ] {
        let (out, rep) = (
            d.join(format!("{flag}.csv")),
            d.join(format!("{flag}_r.csv")),
        );
        ok(&compind(&[
            "impute-panel",
            "-q",
            "--imeta",
            IMETA,
            "--idata",
            s(&gaps),
            "--method",
            flag,
            "--col",
            "LPI",
            "--report",
            s(&rep),
            "--out",
            s(&out),
        ]));
        let (imputed, report) = ImputePanel::new(method)
            .with_columns(["LPI"])
            .apply(&panel)
            .unwrap();
        assert_eq!(text(&out), imputed.to_csv_string().unwrap(), "{flag}");
        assert_eq!(text(&rep), report.to_csv_string().unwrap(), "{flag}");
        // independent values from the original panel: latest = AUT's 2019 LPI in both years;
        // linear = the straight line between 2019 and 2022
        let (_, orig) = asem();
        let (y19, y22) = (
            value(orig.period(2019.0).unwrap(), "AUT", "LPI"),
            value(orig.period(2022.0).unwrap(), "AUT", "LPI"),
        );
        let back = read_idata_panel_path(&out, &meta).unwrap();
        let (v20, v21) = (
            value(back.period(2020.0).unwrap(), "AUT", "LPI"),
            value(back.period(2021.0).unwrap(), "AUT", "LPI"),
        );
        if flag == "latest" {
            assert_eq!((v20, v21), (y19, y19));
        } else {
            assert!((v20 - (y19 + (y22 - y19) / 3.0)).abs() < 1e-12);
            assert!((v21 - (y19 + 2.0 * (y22 - y19) / 3.0)).abs() < 1e-12);
        }
        // the written panel reads back: the filled values are there, the rest is unchanged
        assert_eq!(
            text(&rep)
                .lines()
                .filter(|l| l.ends_with(",filled"))
                .count(),
            2
        );
    }
    fails_naming(
        &run(
            "impute-panel",
            &["--method", "latest:0", "--out", s(&d.join("x.csv"))],
        ),
        "--method",
    );
    fails_naming(
        &run(
            "impute-panel",
            &["--col", "Nope", "--out", s(&d.join("x.csv"))],
        ),
        "Nope",
    );
}

#[test]
fn trends_equal_the_library_and_hand_computed_cagr() {
    let d = dir("trends");
    let (fw, panel) = asem();
    let out = d.join("raw.csv");
    ok(&run(
        "trends",
        &[
            "--use-latest",
            "3",
            "--col",
            "LPI",
            "--col",
            "Flights",
            "--out",
            s(&out),
        ],
    ));
    let opts = TrendOptions {
        window: TrendWindow::Latest(3),
        columns: Some(vec!["LPI".into(), "Flights".into()]),
        ..TrendOptions::default()
    };
    let t = trends(&panel, &opts, Some(&fw)).unwrap();
    assert_eq!(text(&out), t.to_csv_string().unwrap());
    // hand computation: CAGR over 2020..2022 = (y2022 / y2020)^(1/2) - 1
    let (a, b) = (
        value(panel.period(2020.0).unwrap(), "AUT", "LPI"),
        value(panel.period(2022.0).unwrap(), "AUT", "LPI"),
    );
    let want = (b / a).powf(0.5) - 1.0;
    let got = t.value("AUT", "LPI").unwrap();
    assert!((got - want).abs() < 1e-15, "{got} vs {want}");
    // the index of the global build: slopes per year, as the library on the purse's Aggregated panel
    let out = d.join("index.csv");
    let mut extra = BUILD.to_vec();
    extra.extend_from_slice(&[
        "--dset",
        "Aggregated",
        "--col",
        "Index",
        "--metric",
        "slope",
        "--out",
        s(&out),
    ]);
    ok(&run("trends", &extra));
    let purse = Purse::build(&panel, &fw, build_config(), NormalisationScope::Global).unwrap();
    let opts = TrendOptions {
        metric: TrendMetric::Slope,
        columns: Some(vec!["Index".into()]),
        ..TrendOptions::default()
    };
    let want = trends(&purse.panel("Aggregated").unwrap(), &opts, Some(&fw)).unwrap();
    assert_eq!(text(&out), want.to_csv_string().unwrap());
    assert_eq!(want.rows.len(), 51);
    // every column of Raw by default: the iMeta indicators only (COINr's Raw data set), not the
    // denominators that iData_p.csv also holds; a denominator is trended when named
    let all = d.join("all.csv");
    ok(&run("trends", &["--out", s(&all)]));
    let n_ind = fw.spec().indicators.len();
    let lines = text(&all).lines().count() - 1;
    assert_eq!(lines, 51 * n_ind);
    let den = d.join("den.csv");
    ok(&run("trends", &["--col", "GDP", "--out", s(&den)]));
    assert_eq!(text(&den).lines().count() - 1, 51);
    // bad input
    let x = d.join("x.csv");
    fails_naming(
        &run("trends", &["--metric", "growth", "--out", s(&x)]),
        "--metric",
    );
    fails_naming(
        &run("trends", &["--times", "2019,2031", "--out", s(&x)]),
        "2031",
    );
    fails_naming(&run("trends", &["--unit", "XXX", "--out", s(&x)]), "XXX");
    // library parameter names become the flags
    fails_naming(
        &run("trends", &["--use-latest", "0", "--out", s(&x)]),
        "--use-latest",
    );
    fails_naming(
        &run("trends", &["--min-points", "1", "--out", s(&x)]),
        "--min-points",
    );
    assert!(!x.exists());
}
