//! The study and plot subcommands of `compind` (feature `cli`), run as a user runs them on the
//! embedded ASEM data: `stats`, `strweak`, `compare`, `remove`, `opt-weights` and `plot KIND`. Each
//! output is checked against the library function it wraps, called here on the same build (COINr's
//! example build, `PipelineConfig::coinr_example`), byte for byte, plus independent checks where a
//! value can be derived another way (ranks against `compind score`, the optimised weights against
//! COINr's documented example). Bad input exits 1 with one line; a missing required option exits 2.
#![cfg(feature = "cli")]

use std::path::Path;
use std::process::Output;

#[path = "common/compind_cli.rs"]
mod cli;
use cli::*;

use composite_indicators::audit::{CorrMethod, significant_correlation_matrix};
use composite_indicators::io::{read_idata_path, read_imeta_path};
use composite_indicators::pipeline::{Pipeline, PipelineConfig, PipelineResult};
use composite_indicators::plot::{self, PlotOptions};
use composite_indicators::study::CsvTable;
use composite_indicators::study::compare::{
    CompareBy, CompareOptions, SortBy, compare_nodes, similarity_table,
};
use composite_indicators::study::optimise::{OptimiseOptions, optimise_weights};
use composite_indicators::study::remove::{RemoveOptions, remove_elements};
use composite_indicators::study::stats::{StatsOptions, get_stats, stats_of_scores};
use composite_indicators::study::strweak::{StrWeakOptions, str_weak_table};
use composite_indicators::{AggregatorKind, NormaliserKind};

/// The command-line form of `PipelineConfig::coinr_example()`.
const COINR_FLAGS: [&str; 13] = [
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
];

/// `compind SUB <COINr flags> EXTRA...`
fn coinr(sub: &str, extra: &[&str]) -> Output {
    let mut args = vec![sub, "-q"];
    args.extend_from_slice(&COINR_FLAGS);
    args.extend_from_slice(extra);
    compind(&args)
}

/// The library-side build of COINr's example (data sorted by unit code, as compind reads it).
fn build(config: PipelineConfig) -> (composite_indicators::Framework, PipelineResult) {
    let meta = read_imeta_path(IMETA).unwrap();
    let data = read_idata_path(IDATA, &meta).unwrap().sorted_by_code();
    let fw = meta.spec.clone().check().unwrap();
    let result = Pipeline::new(config).run(&data, &fw).unwrap();
    (fw, result)
}

fn coinr_build() -> (composite_indicators::Framework, PipelineResult) {
    build(PipelineConfig::coinr_example())
}

#[test]
fn stats_equals_get_stats_on_every_data_set() {
    let d = dir("stats");
    let (fw, result) = coinr_build();
    let opts = StatsOptions::default();
    for dset in ["Raw", "Denominated", "Imputed", "Treated", "Normalised"] {
        let out = d.join(format!("{dset}.csv"));
        ok(&coinr("stats", &["--dset", dset, "--out", s(&out)]));
        let want = get_stats(result.dataset(dset).unwrap(), &fw, &opts)
            .unwrap()
            .to_csv_string()
            .unwrap();
        assert_eq!(text(&out), want, "{dset}");
    }
    // the aggregated data set: every node, the index last
    let out = d.join("agg.csv");
    ok(&coinr(
        "stats",
        &["--dset", "Aggregated", "--t-skew", "1", "--out", s(&out)],
    ));
    let o = StatsOptions {
        t_skew: 1.0,
        ..StatsOptions::default()
    };
    let want = stats_of_scores(result.scores(), &o).unwrap();
    assert_eq!(text(&out), want.to_csv_string().unwrap());
    let last = text(&out).lines().last().unwrap().to_string();
    assert!(last.starts_with("Index,"), "{last}");
    // independent check: Raw N.Avail of each indicator is the number of non-empty cells of its
    // column in iData.csv (counted here with the csv reader, not the library)
    let raw = text(&d.join("Raw.csv"));
    let mut r = csv::Reader::from_path(IDATA).unwrap();
    let h: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    for line in raw.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let col = h.iter().position(|c| c == f[0]).unwrap();
        let avail = rows
            .iter()
            .filter(|rec| !rec[col].trim().is_empty() && rec[col].trim() != "NA")
            .count();
        assert_eq!(f[8], avail.to_string(), "{}", f[0]);
    }
}

#[test]
fn stats_bad_options_exit_1_naming_the_option() {
    let d = dir("stats_bad");
    let out = d.join("x.csv");
    fails_naming(
        &coinr("stats", &["--dset", "Cooked", "--out", s(&out)]),
        "--dset",
    );
    fails_naming(
        &coinr("stats", &["--t-avail", "1.5", "--out", s(&out)]),
        "--t-avail",
    );
    // a data set whose step is disabled
    let o = compind(&[
        "stats",
        "--imeta",
        IMETA,
        "--idata",
        IDATA,
        "--dset",
        "Treated",
        "--out",
        s(&out),
    ]);
    fails_naming(&o, "treat step is disabled");
    assert!(!out.exists());
}

#[test]
fn strweak_equals_str_weak_table() {
    let d = dir("strweak");
    let (fw, result) = coinr_build();
    // three units, ranked within their EurAsia group, raw data (directions applied)
    let out = d.join("three.csv");
    ok(&coinr(
        "strweak",
        &[
            "--unit",
            "AUT",
            "--unit",
            "CHN",
            "--unit",
            "NZL",
            "--use-group",
            "EurAsia_group",
            "--top",
            "3",
            "--bottom",
            "4",
            "--out",
            s(&out),
        ],
    ));
    let opts = StrWeakOptions {
        top_n: 3,
        bottom_n: 4,
        use_group: Some("EurAsia_group".into()),
        ..StrWeakOptions::default()
    };
    let raw = result.dataset("Raw").unwrap();
    let want = str_weak_table(raw, &fw, &["AUT", "CHN", "NZL"], &opts).unwrap();
    assert_eq!(text(&out), want.to_csv_string().unwrap());
    assert!(text(&out).starts_with("uCode,Type,Position,iCode,"));
    // every unit of the normalised data: directions already applied (auto = no), worst kept
    let out = d.join("all.csv");
    ok(&coinr(
        "strweak",
        &[
            "--dset",
            "Normalised",
            "--keep-min",
            "--unq-discard",
            "0.2",
            "--report-level",
            "3",
            "--out",
            s(&out),
        ],
    ));
    let opts = StrWeakOptions {
        min_discard: false,
        unq_discard: Some(0.2),
        report_level: 3,
        adjust_direction: false,
        ..StrWeakOptions::default()
    };
    let norm = result.dataset("Normalised").unwrap();
    let want = str_weak_table(norm, &fw, &[], &opts).unwrap();
    assert_eq!(want.units.len(), 51);
    assert_eq!(text(&out), want.to_csv_string().unwrap());
    // bad input: an unknown unit, a unit asked twice, a bad share
    let x = d.join("x.csv");
    fails_naming(&coinr("strweak", &["--unit", "XXX", "--out", s(&x)]), "XXX");
    fails_naming(
        &coinr(
            "strweak",
            &["--unit", "AUT", "--unit", "AUT", "--out", s(&x)],
        ),
        "AUT",
    );
    fails_naming(
        &coinr("strweak", &["--unq-discard", "2", "--out", s(&x)]),
        "--unq-discard",
    );
    assert!(!x.exists());
}

#[test]
fn compare_equals_compare_nodes_and_its_ranks_are_the_score_ranks() {
    let d = dir("compare");
    let (out, sim) = (d.join("cmp.csv"), d.join("sim.csv"));
    ok(&coinr(
        "compare",
        &[
            "--b-normalise",
            "rank",
            "--b-aggregate",
            "geometric",
            "--node",
            "Index",
            "--node",
            "Conn",
            "--sort",
            "abs_diff",
            "--decreasing",
            "--similarity",
            s(&sim),
            "--out",
            s(&out),
        ],
    ));
    let (_, a) = coinr_build();
    let mut cb = PipelineConfig::coinr_example();
    cb.scorer.normalise = "rank".parse::<NormaliserKind>().unwrap();
    cb.scorer.aggregate = "geometric".parse::<AggregatorKind>().unwrap();
    let (_, b) = build(cb);
    let opts = CompareOptions {
        compare_by: CompareBy::Ranks,
        sort_by: Some(SortBy::AbsDiff),
        decreasing: true,
    };
    let nodes = ["Index", "Conn"];
    let want = compare_nodes(a.scores(), b.scores(), &nodes, &opts).unwrap();
    assert_eq!(text(&out), want.to_csv_string().unwrap());
    let want = similarity_table(a.scores(), b.scores(), &nodes, CompareBy::Ranks).unwrap();
    assert_eq!(text(&sim), want.to_csv_string().unwrap());

    // independent check: with run B equal to run A except the weights, run A's Index ranks
    // (coin.1) are the Rank column that `compind score` writes for the same options
    let (cmp, scores) = (d.join("cmp2.csv"), d.join("scores.csv"));
    ok(&coinr(
        "compare",
        &["--b-weights", "equal", "--out", s(&cmp)],
    ));
    ok(&coinr("score", &["--out", s(&scores)]));
    let mut r = csv::Reader::from_path(&scores).unwrap();
    let h = r.headers().unwrap().clone();
    let (ucol, rcol) = (
        h.iter().position(|c| c == "uCode").unwrap(),
        h.iter().position(|c| c == "Rank").unwrap(),
    );
    let ranks: std::collections::HashMap<String, String> = r
        .records()
        .map(|x| {
            let x = x.unwrap();
            (x[ucol].to_string(), x[rcol].to_string())
        })
        .collect();
    let mut r = csv::Reader::from_path(&cmp).unwrap();
    let mut n = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        assert_eq!(&rec[1], "Index");
        assert_eq!(ranks[&rec[0]], rec[2].to_string(), "{}", &rec[0]);
        // Diff = coin.1 - coin.2
        let (x, y, diff): (f64, f64, f64) = (
            rec[2].parse().unwrap(),
            rec[3].parse().unwrap(),
            rec[4].parse().unwrap(),
        );
        assert_eq!(diff, x - y);
        n += 1;
    }
    assert_eq!(n, 51);

    // bad input names the --b- flag; an unknown node; a clash of the two outputs
    let x = d.join("x.csv");
    fails_naming(
        &coinr("compare", &["--b-normalise", "rnk", "--out", s(&x)]),
        "--b-normalise",
    );
    fails_naming(
        &coinr("compare", &["--b-missing", "skip:2", "--out", s(&x)]),
        "--b-missing",
    );
    fails_naming(
        &coinr("compare", &["--node", "Nope", "--out", s(&x)]),
        "Nope",
    );
    fails_naming(
        &coinr("compare", &["--similarity", s(&x), "--out", s(&x)]),
        "same file",
    );
    assert!(!x.exists());
}

#[test]
fn compare_runs_b_on_other_data() {
    // run B reads a copy of iData with AUT's LPI changed: only the units whose ranks move differ
    let d = dir("compare_data");
    let copy = d.join("iData_b.csv");
    let src = text(Path::new(IDATA));
    let mut r = csv::Reader::from_reader(src.as_bytes());
    let h = r.headers().unwrap().clone();
    let lpi = h.iter().position(|c| c == "LPI").unwrap();
    let code = h.iter().position(|c| c == "uCode").unwrap();
    let mut w = csv::Writer::from_path(&copy).unwrap();
    w.write_record(&h).unwrap();
    for rec in r.records() {
        let rec = rec.unwrap();
        let mut v: Vec<String> = rec.iter().map(String::from).collect();
        if v[code] == "AUT" {
            v[lpi] = "1.5".into();
        }
        w.write_record(&v).unwrap();
    }
    w.flush().unwrap();
    let out = d.join("cmp.csv");
    ok(&coinr(
        "compare",
        &[
            "--b-idata",
            s(&copy),
            "--by",
            "scores",
            "--node",
            "LPI",
            "--out",
            s(&out),
        ],
    ));
    let mut r = csv::Reader::from_path(&out).unwrap();
    let mut seen = false;
    for rec in r.records() {
        let rec = rec.unwrap();
        let diff: f64 = rec[4].parse().unwrap();
        if &rec[0] == "AUT" {
            // the lowest LPI after the change (1.5 < the raw minimum 2.07): min-max score 0 in run B
            assert_eq!(&rec[3], "0", "{rec:?}");
            assert!(diff > 0.0);
            seen = true;
        }
    }
    assert!(seen);
}

#[test]
fn remove_equals_remove_elements() {
    let d = dir("remove");
    let (out, sum) = (d.join("loo.csv"), d.join("sum.csv"));
    ok(&coinr(
        "remove",
        &["--level", "2", "--summary", s(&sum), "--out", s(&out)],
    ));
    let (_, result) = coinr_build();
    let loo = remove_elements(
        result.fitted().scorer(),
        result.prepared(),
        &RemoveOptions::new(2),
    )
    .unwrap();
    assert_eq!(text(&out), loo.to_csv_string().unwrap());
    let mut buf = Vec::new();
    loo.write_summary_csv(&mut buf).unwrap();
    assert_eq!(text(&sum), String::from_utf8(buf).unwrap());
    // the nominal scores are the pipeline's index
    assert_eq!(loo.nominal, result.scores().index().to_vec());
    assert_eq!(loo.removed.len(), 8);
    // the rebuild method gives the same table (the library tests it bit-identical on ASEM)
    let out2 = d.join("loo_rebuild.csv");
    ok(&coinr(
        "remove",
        &["--level", "2", "--method", "rebuild", "--out", s(&out2)],
    ));
    assert_eq!(text(&out), text(&out2));
    // target node and bad level
    let out3 = d.join("loo_conn.csv");
    ok(&coinr(
        "remove",
        &["--level", "1", "--target", "Conn", "--out", s(&out3)],
    ));
    let want = remove_elements(
        result.fitted().scorer(),
        result.prepared(),
        &RemoveOptions::new(1).target("Conn"),
    )
    .unwrap();
    assert_eq!(text(&out3), want.to_csv_string().unwrap());
    fails_naming(
        &coinr("remove", &["--level", "4", "--out", s(&d.join("x.csv"))]),
        "level",
    );
}

#[test]
fn opt_weights_equals_optimise_weights_and_coinr_example() {
    let d = dir("optw");
    let out = d.join("w.csv");
    ok(&coinr(
        "opt-weights",
        &[
            "--level",
            "3",
            "--importance",
            "Conn=1,Sust=2",
            "--out",
            s(&out),
        ],
    ));
    let (_, result) = coinr_build();
    let mut imp = std::collections::BTreeMap::new();
    imp.insert("Conn".to_string(), 1.0);
    imp.insert("Sust".to_string(), 2.0);
    let opts = OptimiseOptions::new(3).goal(
        composite_indicators::study::optimise::OptimiseGoal::Balance {
            importance: composite_indicators::study::optimise::Importance::Relative(imp),
        },
    );
    let opt = optimise_weights(result.fitted().scorer(), result.prepared(), &opts).unwrap();
    assert_eq!(text(&out), opt.to_csv_string().unwrap());
    // equal importances at level 3: COINr's documented result is a perfect balance (normalised
    // correlations 0.5 and 0.5; get_opt_weights example, see tests/optimise.rs)
    let out = d.join("eq.csv");
    ok(&coinr("opt-weights", &["--level", "3", "--out", s(&out)]));
    let mut r = csv::Reader::from_path(&out).unwrap();
    let h = r.headers().unwrap().clone();
    let cn = h.iter().position(|c| c == "corr_norm").unwrap();
    let w = h.iter().position(|c| c == "weight").unwrap();
    let mut sum = 0.0;
    for rec in r.records() {
        let rec = rec.unwrap();
        let c: f64 = rec[cn].parse().unwrap();
        assert!((c - 0.5).abs() < 1e-6, "{rec:?}");
        sum += rec[w].parse::<f64>().unwrap();
    }
    assert!((sum - 1.0).abs() < 1e-12);
    // a search cut short does not converge: exit 1, nothing written; kept on request
    let x = d.join("x.csv");
    let o = coinr(
        "opt-weights",
        &[
            "--level",
            "2",
            "--maxiter",
            "2",
            "--restarts",
            "0",
            "--out",
            s(&x),
        ],
    );
    fails_naming(&o, "converge");
    assert!(!x.exists());
    ok(&coinr(
        "opt-weights",
        &[
            "--level",
            "2",
            "--maxiter",
            "2",
            "--restarts",
            "0",
            "--keep-unconverged",
            "--out",
            s(&x),
        ],
    ));
    assert!(x.exists());
    fails_naming(
        &coinr(
            "opt-weights",
            &[
                "--level",
                "3",
                "--importance",
                "Conn=-1,Sust=1",
                "--out",
                s(&d.join("y.csv")),
            ],
        ),
        "--importance",
    );
}

#[test]
fn every_plot_kind_equals_the_library_plot() {
    let d = dir("plot");
    let (fw, result) = coinr_build();
    let scores = result.scores();
    let o = PlotOptions::default();
    let run = |kind: &str, extra: &[&str]| -> String {
        let out = d.join(format!("{kind}.svg"));
        let mut args = vec![kind];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--out", s(&out)]);
        ok(&coinr("plot", &args));
        let svg = text(&out);
        assert!(svg.starts_with("<svg"), "{kind}");
        svg
    };
    assert_eq!(
        run("dots", &[]),
        plot::scores_by_level(scores, 2, &o).unwrap()
    );
    assert_eq!(
        run("profile", &["--unit", "AUT", "--level", "3"]),
        plot::unit_profile(scores, "AUT", 3, &o).unwrap()
    );
    assert_eq!(
        run("contributions", &["--unit", "NZL"]),
        plot::unit_contributions(scores, "NZL", &o).unwrap()
    );
    let codes: Vec<String> = fw.indicator_codes().iter().map(|c| c.to_string()).collect();
    let x = scores
        .values()
        .slice(ndarray::s![.., ..codes.len()])
        .to_owned();
    let r = significant_correlation_matrix(x.view(), CorrMethod::Pearson, 0.05).unwrap();
    assert_eq!(
        run("heatmap", &[]),
        plot::correlation_heatmap(r.view(), &codes, &o).unwrap()
    );
    let xs = scores.node_values("Conn").unwrap().to_vec();
    let ys = scores.node_values("Sust").unwrap().to_vec();
    let q = composite_indicators::study::quadrant::classify(
        &xs,
        &ys,
        composite_indicators::study::quadrant::Threshold::Fixed(50.0),
        composite_indicators::study::quadrant::Threshold::Median,
    )
    .unwrap();
    let qo = PlotOptions::default()
        .with_x_label("Conn")
        .with_y_label("Sust");
    assert_eq!(
        run(
            "quadrant",
            &["--x", "Conn", "--y", "Sust", "--x-threshold", "50"]
        ),
        plot::quadrant_scatter(&xs, &ys, scores.unit_codes(), &q, &qo).unwrap()
    );
    let to = PlotOptions::default().with_title("ASEM").with_font_size(14);
    assert_eq!(
        run("tree", &["--title", "ASEM", "--font-size", "14"]),
        plot::framework_tree(&fw, &to).unwrap()
    );
    // one marker per unit in the dot plot: the 51 unit labels are all drawn (no thinning by default)
    let dots = text(&d.join("dots.svg"));
    let doc = roxmltree::Document::parse(&dots).expect("the SVG parses");
    let texts: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(str::trim)
        .collect();
    for u in scores.unit_codes() {
        assert!(texts.iter().any(|t| t.ends_with(&format!(" {u}"))), "{u}");
    }
}

#[test]
fn plot_ranks_draws_the_sweep_file() {
    let d = dir("plot_ranks");
    let (sweep, svg) = (d.join("sweep.json"), d.join("ranks.svg"));
    ok(&coinr(
        "sweep",
        &[
            "--variants",
            "40",
            "--spread",
            "0.25",
            "--seed",
            "7",
            "--out",
            s(&sweep),
        ],
    ));
    ok(&compind(&[
        "plot",
        "ranks",
        "-q",
        "--sweep",
        s(&sweep),
        "--out",
        s(&svg),
    ]));
    let v: serde_json::Value = serde_json::from_str(&text(&sweep)).unwrap();
    let result: composite_indicators::sweep::SweepResult =
        serde_json::from_value(v["result"].clone()).unwrap();
    let want = plot::rank_intervals(&result.ua_report(), &PlotOptions::default()).unwrap();
    assert_eq!(text(&svg), want);
}

#[test]
fn plot_bad_input_and_usage() {
    let d = dir("plot_bad");
    let x = d.join("x.svg");
    // exit 2: a kind without its required option, an unknown kind
    let o = coinr("plot", &["profile", "--out", s(&x)]);
    assert_eq!(o.status.code(), Some(2));
    let o = coinr("plot", &["pie", "--out", s(&x)]);
    assert_eq!(o.status.code(), Some(2));
    let o = compind(&["plot", "ranks", "--out", s(&x)]);
    assert_eq!(o.status.code(), Some(2));
    // exit 1: an unknown unit, a bad threshold, a bad font size, a file that is not a sweep file
    fails_naming(
        &coinr("plot", &["profile", "--unit", "XXX", "--out", s(&x)]),
        "XXX",
    );
    fails_naming(
        &coinr(
            "plot",
            &[
                "quadrant",
                "--x",
                "Conn",
                "--y",
                "Sust",
                "--y-threshold",
                "high",
                "--out",
                s(&x),
            ],
        ),
        "--y-threshold",
    );
    fails_naming(
        &coinr("plot", &["dots", "--font-size", "2", "--out", s(&x)]),
        "--font-size",
    );
    fails_naming(
        &compind(&["plot", "ranks", "--sweep", IMETA, "--out", s(&x)]),
        "iMeta.csv",
    );
    // a plot's output must be named .svg (plots are SVG): an input named as the output is refused
    // before anything is read, and left as it was
    let before = std::fs::read(IDATA).unwrap();
    let o = coinr("plot", &["tree", "--out", IDATA]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains(".svg"), "{}", stderr(&o));
    assert_eq!(std::fs::read(IDATA).unwrap(), before);
    let o = coinr("plot", &["tree", "--out", s(&d.join("tree.png"))]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!d.join("tree.png").exists());
    // a device takes the SVG text as it is
    #[cfg(unix)]
    ok(&coinr("plot", &["tree", "--out", "/dev/null"]));
    assert!(!x.exists());
}

/// Every table command writes JSON when its output ends in `.json` (as `score` and `report` do):
/// one object per row, numbers as numbers, empty cells as null; the same rows as the CSV.
#[test]
fn study_tables_write_json_by_extension() {
    let d = dir("study_json");
    for cmd in ["stats", "strweak"] {
        let extra: &[&str] = if cmd == "strweak" {
            &["--unit", "AUT"]
        } else {
            &[]
        };
        let (c, j) = (d.join(format!("{cmd}.csv")), d.join(format!("{cmd}.JSON")));
        ok(&coinr(cmd, &[extra, &["--out", s(&c)]].concat()));
        ok(&coinr(cmd, &[extra, &["--out", s(&j)]].concat()));
        let csv_text = std::fs::read_to_string(&c).unwrap();
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&j).unwrap()).unwrap();
        let rows = v.as_array().unwrap();
        assert_eq!(rows.len(), csv_text.lines().count() - 1, "{cmd}");
        let mut header: Vec<&str> = csv_text.lines().next().unwrap().split(',').collect();
        // the file keeps column order (serde_json's map here sorts its keys)
        let first = format!("[{{\"{}\":", header[0]);
        assert!(
            std::fs::read_to_string(&j).unwrap().starts_with(&first),
            "{cmd}"
        );
        header.sort_unstable();
        let keys: Vec<&str> = rows[0]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, header, "{cmd}");
    }
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("stats.JSON")).unwrap()).unwrap();
    assert_eq!(v[0]["iCode"], "LPI");
    assert!(v[0]["Mean"].is_f64());
    assert_eq!(v[0]["Flag.Avail"], "ok");
}

#[test]
fn plot_tree_reads_only_the_framework_and_thresholds_stay_in_range() {
    let d = dir("plot_tree_only");
    let (fw, result) = coinr_build();
    let want = plot::framework_tree(&fw, &PlotOptions::default()).unwrap();
    // `plot tree` needs no --idata; one given is not read (a missing file is no error)
    let t = d.join("tree.svg");
    ok(&compind(&[
        "plot",
        "tree",
        "-q",
        "--imeta",
        IMETA,
        "--out",
        s(&t),
    ]));
    assert_eq!(text(&t), want);
    let t2 = d.join("tree2.svg");
    let missing = d.join("no-such-data.csv");
    let o = compind(&[
        "plot",
        "tree",
        "--imeta",
        IMETA,
        "--idata",
        s(&missing),
        "--out",
        s(&t2),
    ]);
    ok(&o);
    assert!(stderr(&o).contains("--idata is not read"), "{}", stderr(&o));
    assert_eq!(text(&t2), want);
    // the other kinds still need the data file of their framework (exit 2)
    let x = d.join("x.svg");
    let o = compind(&["plot", "dots", "--imeta", IMETA, "--out", s(&x)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--idata"), "{}", stderr(&o));
    // a fixed threshold outside the plotted scores: exit 1 naming the option and the range
    let conn = result.scores().node_values("Conn").unwrap().to_vec();
    let hi = conn.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let quad = |flag: &str, v: &str| {
        coinr(
            "plot",
            &[
                "quadrant",
                "--x",
                "Conn",
                "--y",
                "Sust",
                flag,
                v,
                "--out",
                s(&x),
            ],
        )
    };
    fails_naming(&quad("--x-threshold", "1e308"), "--x-threshold");
    fails_naming(&quad("--x-threshold", "1e308"), &format!("{hi}]"));
    fails_naming(&quad("--y-threshold", "-1000"), "--y-threshold");
    assert!(!x.exists());
    // the largest score is allowed (that unit is high)
    ok(&quad("--x-threshold", &hi.to_string()));
}

#[test]
fn help_names_the_meaning_of_ambiguous_options() {
    let help = |sub: &str| {
        let o = compind(&[sub, "--help"]);
        ok(&o);
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let sobol = help("sobol");
    // the option is `--conf-level` (the name its example uses); `--level`, its old name, is a
    // hidden alias
    assert!(sobol.contains("--conf-level <P>"), "{sobol}");
    assert!(!sobol.contains("--level <P>"), "{sobol}");
    assert!(!sobol.contains("aliases"), "{sobol}");
    assert!(
        sobol.contains("Confidence level of the bootstrap intervals (not a framework level)"),
        "{sobol}"
    );
    assert!(!help("score").contains("cargo run"));
    assert!(help("strweak").contains("Default: none"));
}

#[test]
fn sobol_draws_the_bars_of_its_target() {
    let d = dir("sobol_plot");
    let (csv_out, svg) = (d.join("sobol.csv"), d.join("sobol.svg"));
    ok(&coinr(
        "sobol",
        &[
            "--n",
            "64",
            "--bootstrap",
            "20",
            "--targets",
            "mean_abs_rank_shift",
            "--plot",
            s(&svg),
            "--out",
            s(&csv_out),
        ],
    ));
    let svg_text = text(&svg);
    let doc = roxmltree::Document::parse(&svg_text).expect("the SVG parses");
    let texts: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(str::trim)
        .collect();
    // one label per input group of the table, each with its first and total index (3 decimals)
    let mut r = csv::Reader::from_path(&csv_out).unwrap();
    let mut groups = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        groups += 1;
        assert!(texts.contains(&&rec[1]), "{}", &rec[1]);
        let (first, total): (f64, f64) = (rec[2].parse().unwrap(), rec[3].parse().unwrap());
        let label = format!("first {first:.3} · total {total:.3}");
        assert!(texts.contains(&label.as_str()), "{label}");
    }
    assert_eq!(groups, 3);
    // a plot target outside --targets: exit 1 before any work, nothing written
    let x = d.join("x.svg");
    fails_naming(
        &coinr(
            "sobol",
            &[
                "--n",
                "64",
                "--targets",
                "rank:AUT",
                "--plot",
                s(&x),
                "--out",
                s(&d.join("y.csv")),
            ],
        ),
        "--plot-target",
    );
    assert!(!x.exists());
}

/// Library parameter names in value errors become the flags that set them.
#[test]
fn value_errors_name_the_flag_not_the_library_parameter() {
    let base = ["--imeta", IMETA, "--idata", IDATA];
    let cases: [(&[&str], &str); 9] = [
        (&["strweak", "--unit", "AUT", "--top", "0"], "`--top`"),
        (&["sweep", "--chunk", "0"], "`--chunk`"),
        (
            &[
                "sobol",
                "--n",
                "100",
                "--bootstrap",
                "50",
                "--conf-level",
                "1.5",
            ],
            "`--conf-level`",
        ),
        // `--level`, the option's old name, is a hidden alias of `--conf-level`
        (
            &["sobol", "--n", "100", "--bootstrap", "50", "--level", "1.5"],
            "`--conf-level`",
        ),
        (&["plot", "dots", "--level", "9"], "`--level`"),
        (
            &["plot", "dots", "--width", "10", "--height", "500"],
            "`--width/--height`",
        ),
        (&["plot", "dots", "--font-size", "2"], "`--font-size`"),
        (&["remove", "--level", "5"], "`--level`"),
        (
            &["score", "--aggregate", "power:nan"],
            "`--aggregate` = `power:nan`: expected a finite number, not `nan`",
        ),
    ];
    let d = dir("flag_names");
    for (args, want) in cases {
        // plots are named .svg, the other outputs anything but a foreign format
        let out = d.join(if args[0] == "plot" {
            "out.svg"
        } else {
            "out.x"
        });
        let line = fails_with_one_line(&compind(
            &[&args[..1], &base[..], &args[1..], &["--out", s(&out)]].concat(),
        ));
        assert!(line.contains(want), "{args:?}: {line}");
    }
}

/// `--dset Raw` reads the data without building: a constant indicator, which min-max normalisation
/// refuses (zero range), still gets its statistics (a low share of unique values) and strengths.
#[test]
fn raw_statistics_need_no_build() {
    let d = dir("raw_no_build");
    let imeta = d.join("iMeta.csv");
    let idata = d.join("iData.csv");
    std::fs::write(
        &imeta,
        "iCode,iName,Level,Direction,Weight,Parent,Type\n\
         a,A,1,1,1,P,Indicator\n\
         b,B,1,1,1,P,Indicator\n\
         P,Pillar,2,1,1,Index,Aggregate\n\
         Index,Index,3,1,1,,Aggregate\n",
    )
    .unwrap();
    std::fs::write(&idata, "uCode,a,b\nU1,1,5\nU2,2,5\nU3,3,5\nU4,4,5\n").unwrap();
    let inputs = ["--imeta", s(&imeta), "--idata", s(&idata)];
    // the whole build fails on `b`
    let out = d.join("scores.csv");
    let mut args = vec!["score"];
    args.extend_from_slice(&inputs);
    args.extend_from_slice(&["--out", s(&out)]);
    fails_naming(&compind(&args), "`b`");
    // statistics of the raw data do not need it
    let stats = d.join("stats.csv");
    let mut args = vec!["stats", "-q"];
    args.extend_from_slice(&inputs);
    args.extend_from_slice(&["--out", s(&stats)]);
    ok(&compind(&args));
    let t = text(&stats);
    let b = t.lines().find(|l| l.starts_with("b,")).unwrap();
    // constant: sd 0, skewness and kurtosis NA, 1 unique of 4 (LOW), outlier flag NA
    assert!(b.starts_with("b,5,5,5,5,0,,,4,4,1,4,"), "{b}");
    assert!(b.ends_with(",ok,ok,LOW,"), "{b}");
    let sw = d.join("strweak.csv");
    let mut args = vec!["strweak", "-q"];
    args.extend_from_slice(&inputs);
    args.extend_from_slice(&["--top", "1", "--bottom", "1", "--out", s(&sw)]);
    ok(&compind(&args));
    assert!(text(&sw).contains("U4"));
    // the default top/bottom 5 fit a 2-indicator framework (an explicit 5 is still refused)
    let mut args = vec!["strweak", "-q"];
    args.extend_from_slice(&inputs);
    args.extend_from_slice(&["--unit", "U4", "--out", s(&sw)]);
    ok(&compind(&args));
    assert!(text(&sw).contains("U4"));
    args.extend_from_slice(&["--top", "5"]);
    fails_naming(&compind(&args), "--top");
}
