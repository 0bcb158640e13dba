//! The library plots (feature `plot`) on real data: the ASEM index (COINr's embedded data: 51
//! countries, 49 indicators → 8 pillars → 2 sub-indices → index) and the city index (72 cities'
//! published pillar scores, 20 cities' published status / potential indices, the 79-indicator
//! framework). Each SVG must parse as XML and have one mark per unit (or node, or bar), every label,
//! a legend, and labels that do not overlap. Expected counts come from the data (units, nodes, missing
//! values), never from the plots themselves.
#![cfg(feature = "plot")]

use std::path::Path;

use composite_indicators::audit::{
    AuditOptions, CorrMethod, audit, correlation_matrix, significant_correlation_matrix,
};
use composite_indicators::io::{CsvOptions, read_csv_path, read_idata_path, read_imeta_path};
use composite_indicators::plot::{self, PlotOptions};
use composite_indicators::prelude::*;
use composite_indicators::score::{Scorer, Scores};
use composite_indicators::study::quadrant::{Threshold, classify};
use composite_indicators::sweep::{
    AltSampler, Bootstrap, GroupInput, NodeSelection, SobolGroup, SweepConfig, UaReport,
    WeightSampler,
};

fn data_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data"))
}

/// ASEM scored with COINr's defaults (min-max [0, 100], arithmetic means, equal weights).
fn asem() -> (Scorer, Dataset, Scores) {
    let dir = data_dir().join("asem");
    let meta = read_imeta_path(dir.join("iMeta.csv")).unwrap();
    let data = read_idata_path(dir.join("iData.csv"), &meta)
        .unwrap()
        .sorted_by_code();
    let scorer = Scorer::new(meta.spec.clone().check().unwrap());
    let scores = scorer.score(&data).unwrap();
    (scorer, data, scores)
}

/// The 72 cities' six published pillar scores, summed into the index (identity normaliser).
fn cities() -> (Scorer, Dataset, Scores) {
    let data = read_csv_path(
        data_dir().join("cbcii/cities_overall.csv"),
        &CsvOptions::default()
            .with_unit_column("city_en")
            .with_group_columns(["region_zh", "region_en", "city_zh"]),
    )
    .unwrap();
    let pillars = [
        "infrastructure",
        "policy_support",
        "rd_resources",
        "innovation_system",
        "funding_system",
        "enterprise_capability",
    ];
    let fw = FrameworkSpec::new(
        "city pillars",
        pillars
            .iter()
            .map(|p| Indicator::new(*p, "CBCII"))
            .collect(),
        vec![Pillar::new("CBCII")],
    )
    .check()
    .unwrap();
    let scorer = Scorer::new(fw)
        .normaliser(NormaliserKind::Identity)
        .aggregator(AggregatorKind::Sum);
    let scores = scorer.score(&data).unwrap();
    (scorer, data, scores)
}

/// A small seeded uncertainty analysis: ±25 % weight noise on every node.
fn ua(scorer: &Scorer, data: &Dataset, variants: usize) -> UaReport {
    let model = scorer.sweep(data).unwrap().build().unwrap();
    let cfg = SweepConfig::new(
        variants,
        7,
        WeightSampler::Uniform {
            spread: 0.25,
            nodes: NodeSelection::All,
        },
    );
    model.sweep(&cfg).unwrap().ua_report()
}

/// One `<text>` of the SVG: content, anchor position, font size and whether it is rotated.
#[derive(Debug)]
struct Label {
    text: String,
    x: f64,
    y: f64,
    size: f64,
    rotated: bool,
}

/// A parsed SVG: element counts and texts.
struct Svg {
    circles: usize,
    rects_by_fill: std::collections::HashMap<String, usize>,
    labels: Vec<Label>,
    width: f64,
    height: f64,
}

fn parse(svg: &str) -> Svg {
    let doc = roxmltree::Document::parse(svg).expect("the SVG parses as XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    let num = |n: roxmltree::Node<'_, '_>, a: &str| -> f64 {
        n.attribute(a)
            .unwrap_or_else(|| panic!("{a}"))
            .parse()
            .unwrap()
    };
    let mut out = Svg {
        circles: 0,
        rects_by_fill: Default::default(),
        labels: Vec::new(),
        width: num(root, "width"),
        height: num(root, "height"),
    };
    for n in root.descendants().filter(|n| n.is_element()) {
        match n.tag_name().name() {
            "circle" => out.circles += 1,
            "rect" => {
                *out.rects_by_fill
                    .entry(n.attribute("fill").unwrap_or("").to_string())
                    .or_default() += 1
            }
            "text" => out.labels.push(Label {
                text: n.text().unwrap_or("").trim().to_string(),
                x: num(n, "x"),
                y: num(n, "y"),
                size: num(n, "font-size"),
                rotated: n.attribute("transform").is_some(),
            }),
            _ => {}
        }
    }
    out
}

impl Svg {
    fn has(&self, text: &str) -> bool {
        self.labels.iter().any(|l| l.text == text)
    }
    fn count_text(&self, pred: impl Fn(&str) -> bool) -> usize {
        self.labels.iter().filter(|l| pred(&l.text)).count()
    }
    fn fill(&self, colour: &str) -> usize {
        self.rects_by_fill.get(colour).copied().unwrap_or(0)
    }
    /// Every text lies inside the drawing (anchor point within the canvas).
    fn assert_inside(&self) {
        for l in &self.labels {
            assert!(
                l.x >= 0.0 && l.x <= self.width && l.y >= 0.0 && l.y <= self.height,
                "text `{}` at ({}, {}) outside {}×{}",
                l.text,
                l.x,
                l.y,
                self.width,
                self.height
            );
        }
    }
}

/// Anchor positions of a set of labels along one axis, sorted, are at least `gap` apart.
fn assert_spaced(mut pos: Vec<f64>, gap: f64, what: &str) {
    pos.sort_by(f64::total_cmp);
    for w in pos.windows(2) {
        assert!(
            w[1] - w[0] >= gap,
            "{what}: labels {} and {} closer than {gap} px",
            w[0],
            w[1]
        );
    }
}

/// Tableau 10 blue and orange, the first two palette colours (bars of the first / second series).
const BLUE: &str = "#1F77B4";
const ORANGE: &str = "#FF7F0E";

#[test]
fn rank_intervals_asem_and_cities_label_every_unit_without_overlap() {
    for (name, (scorer, data, _)) in [("asem", asem()), ("cities", cities())] {
        let report = ua(&scorer, &data, 300);
        let n = report.rows.len();
        assert_eq!(n, if name == "asem" { 51 } else { 72 });
        let svg = plot::rank_intervals(&report, &PlotOptions::default()).unwrap();
        let s = parse(&svg);
        // one median dot per unit + the legend's dot
        let with_median = report
            .rows
            .iter()
            .filter(|r| r.median_rank.is_some())
            .count();
        assert_eq!(with_median, n);
        assert_eq!(s.circles, n + 1, "{name}");
        // every unit code is written once, rotated, in nominal rank order, 12+ px apart
        let units: Vec<&Label> = s
            .labels
            .iter()
            .filter(|l| l.rotated && l.text != "rank")
            .collect();
        let mut expected = report.rows.clone();
        expected.sort_by_key(|r| (r.nominal_rank, r.unit.clone()));
        let got: Vec<&str> = units.iter().map(|l| l.text.as_str()).collect();
        let want: Vec<&str> = expected.iter().map(|r| r.unit.as_str()).collect();
        assert_eq!(got, want, "{name}");
        assert_spaced(units.iter().map(|l| l.x).collect(), 12.0, name);
        for t in [
            "Q5–Q95 rank interval",
            "median rank",
            "nominal rank",
            "rank",
        ] {
            assert!(s.has(t), "{name}: {t}");
        }
        s.assert_inside();
    }
}

#[test]
fn rank_intervals_thin_labels_in_a_narrow_plot() {
    let (scorer, data, _) = asem();
    let report = ua(&scorer, &data, 100);
    let opts = PlotOptions::default().with_size(420, 400);
    let s = parse(&plot::rank_intervals(&report, &opts).unwrap());
    let units: Vec<f64> = s
        .labels
        .iter()
        .filter(|l| l.rotated && l.text != "rank")
        .map(|l| l.x)
        .collect();
    // 51 slots in (420 − 20 − 70) px = 6.5 px each; labels need 14 px: every 3rd is drawn
    assert_eq!(units.len(), 17);
    assert_spaced(units, 12.0, "thinned");
    assert_eq!(s.circles, 51 + 1, "every unit keeps its marks");
    assert!(s.has("unit (in order of nominal rank); every 3rd label shown"));
}

#[test]
fn unit_profile_and_contributions_of_the_top_country() {
    let (_, _, scores) = asem();
    let top = &scores.unit_codes()[scores.ranked_rows()[0]];
    assert_eq!(top, "DEU");
    let s = parse(&plot::unit_profile(&scores, top, 2, &PlotOptions::default()).unwrap());
    // 8 pillar bars + the legend swatch
    assert_eq!(s.fill(BLUE), 8 + 1);
    for p in scores.level_codes(2) {
        assert!(
            s.count_text(|t| t == p || t.starts_with(&format!("{p}: "))) == 1,
            "pillar {p}"
        );
    }
    // DEU's rank at each pillar, as the scores give it
    for p in scores.level_codes(2) {
        let r = scores.rank(top, p).unwrap();
        let v = scores.value(top, p).unwrap();
        assert!(s.has(&format!("{v:.1} · rank {r:.0}/51")), "{p}");
    }
    assert!(s.has("mean of all 51 units") && s.has("DEU score") && s.has("score"));
    s.assert_inside();

    let svg = plot::unit_contributions(&scores, top, &PlotOptions::default()).unwrap();
    let s = parse(&svg);
    // one bar per indicator (49) in its pillar's colour + one legend swatch per pillar (8)
    let coloured: usize = s
        .rects_by_fill
        .iter()
        .filter(|(f, _)| !["#FFFFFF", "none"].contains(&f.as_str()))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(coloured, 49 + 8);
    for ind in scores.framework().indicators() {
        assert!(
            s.count_text(|t| t.starts_with(&format!("{}: ", ind.code)) || t == ind.code) == 1,
            "{}",
            ind.code
        );
    }
    // the legend sums of the 8 pillars add up to DEU's index (75.2), to their printed rounding
    let sums: Vec<f64> = s
        .labels
        .iter()
        .filter_map(|l| {
            let i = l.text.find("(sum ")?;
            l.text[i + 5..].trim_end_matches(')').parse().ok()
        })
        .collect();
    assert_eq!(sums.len(), 8);
    let index = scores.value(top, "Index").unwrap();
    assert!(
        (sums.iter().sum::<f64>() - index).abs() < 8.0 * 0.05,
        "{sums:?} vs {index}"
    );
    assert!(s.has(&format!(
        "Contributions to Index of DEU (Germany): total {index:.1}"
    )));
}

#[test]
fn scores_by_level_has_one_dot_per_observed_score() {
    let cases = [("asem", asem(), 2usize), ("cities", cities(), 1usize)];
    for (name, (_, _, scores), level) in cases {
        let fw = scores.framework();
        let cols: Vec<usize> = fw
            .nodes()
            .iter()
            .enumerate()
            .filter(|(_, n)| n.level == level)
            .map(|(k, _)| k)
            .collect();
        let observed = cols
            .iter()
            .map(|&k| {
                scores
                    .values()
                    .column(k)
                    .iter()
                    .filter(|v| v.is_finite())
                    .count()
            })
            .sum::<usize>();
        let n = scores.unit_codes().len();
        let s = parse(&plot::scores_by_level(&scores, level, &PlotOptions::default()).unwrap());
        assert_eq!(
            s.circles,
            observed + cols.len(),
            "{name}: dots + legend dots"
        );
        // every unit labelled "rank code", rows 12+ px apart
        let rows: Vec<&Label> = scores
            .ranked_rows()
            .iter()
            .map(|&u| {
                let code = &scores.unit_codes()[u];
                let r = scores.index_ranks()[u];
                let t = format!("{r:.0} {code}");
                s.labels
                    .iter()
                    .find(|l| l.text == t)
                    .unwrap_or_else(|| panic!("{name}: {t}"))
            })
            .collect();
        assert_eq!(rows.len(), n);
        assert!(
            rows.windows(2).all(|w| w[0].y < w[1].y),
            "{name}: rank order"
        );
        assert_spaced(rows.iter().map(|l| l.y).collect(), 12.0, name);
        s.assert_inside();
    }
}

#[test]
fn correlation_heatmap_of_the_audit_writes_every_value() {
    let (scorer, data, scores) = asem();
    let normalised = scorer.fit(&data).unwrap().normalise(&data).unwrap();
    let report = audit(
        normalised.view(),
        Some(scores.values().view()),
        scorer.framework(),
        &AuditOptions::default(),
    )
    .unwrap();
    let m = report.indicators.len();
    assert_eq!(m, 49);
    let svg = plot::correlation_heatmap(
        report.pearson.view(),
        &report.indicators,
        &PlotOptions::default(),
    )
    .unwrap();
    let s = parse(&svg);
    // every cell's value is written (two decimals, leading zero dropped in narrow cells; 1 on the diagonal)
    let finite = report.pearson.iter().filter(|v| v.is_finite()).count();
    assert_eq!(finite, m * m);
    let values = s.count_text(|t| {
        t == "1" || (t.len() <= 5 && t.contains('.') && t.trim_start_matches('-').len() == 3)
    });
    // + the colour bar's tick labels that look like values: "1", "0.5", "-0.5"
    assert_eq!(values, m * m + 3);
    // each code labels a row and a column
    for code in &report.indicators {
        assert_eq!(s.count_text(|t| t == code), 2, "{code}");
    }
    assert!(s.has("correlation") && s.has("missing / masked") && s.has("-1") && s.has("1"));
    assert_eq!(
        s.fill("#C8C8C8"),
        1,
        "only the legend's grey swatch: nothing is missing"
    );
    s.assert_inside();

    // COINr's get_corr masking: insignificant cells become NaN and are drawn grey
    let masked =
        significant_correlation_matrix(normalised.view(), CorrMethod::Pearson, 0.05).unwrap();
    let nan = masked.iter().filter(|v| v.is_nan()).count();
    assert!(nan > 0);
    let s = parse(
        &plot::correlation_heatmap(masked.view(), &report.indicators, &PlotOptions::default())
            .unwrap(),
    );
    assert_eq!(s.fill("#C8C8C8"), nan + 1);

    // the aggregates' correlations (pillars, sub-indices, index): 11 × 11 with full decimals
    let agg: Vec<usize> = scorer.framework().aggregate_indices().collect();
    let codes: Vec<String> = agg
        .iter()
        .map(|&k| scorer.framework().nodes()[k].code.clone())
        .collect();
    let x = scores.values().select(ndarray::Axis(1), &agg);
    let r = correlation_matrix(x.view(), CorrMethod::Pearson).unwrap();
    let s = parse(&plot::correlation_heatmap(r.view(), &codes, &PlotOptions::default()).unwrap());
    let v = r[[0, 1]];
    assert!(s.has(&format!("{v:.2}")), "{v}");
}

#[test]
fn sobol_bars_with_bootstrap_intervals() {
    let (scorer, data, _) = asem();
    let model = scorer
        .sweep(&data)
        .unwrap()
        .with_normalisers(vec![NormaliserKind::ZScore { mean: 0.0, sd: 1.0 }])
        .unwrap()
        .build()
        .unwrap();
    let w = |levels: Vec<usize>| GroupInput::Weights {
        nodes: NodeSelection::Levels { levels },
        spread: 0.25,
        triangular: false,
    };
    let groups = vec![
        SobolGroup::new("indicator weights", w(vec![1])),
        SobolGroup::new("pillar weights", w(vec![2])),
        SobolGroup::new(
            "normaliser",
            GroupInput::Alternative {
                choice: AltSampler::Uniform,
            },
        ),
    ];
    let boot = Bootstrap::new(50)
        .with_seed(3)
        .with_targets(["mean_abs_rank_shift"]);
    let sobol = model.sobol_bootstrap(&groups, 64, 2, &boot).unwrap();
    let svg = plot::sobol_bars(&sobol, "mean_abs_rank_shift", &PlotOptions::default()).unwrap();
    let s = parse(&svg);
    // one first-order and one total bar per group (+ one legend swatch each), unless an estimate is NaN
    let t = sobol.target("mean_abs_rank_shift").unwrap();
    let finite = |a: &ndarray::Array2<f64>| (0..3).filter(|&g| a[[t, g]].is_finite()).count();
    assert_eq!(s.fill(BLUE), finite(&sobol.first) + 1);
    assert_eq!(s.fill(ORANGE), finite(&sobol.total) + 1);
    for g in &sobol.groups {
        assert!(s.has(g), "{g}");
    }
    assert!(s.has("first order") && s.has("total order"));
    assert!(s.has("90% bootstrap interval (50 replicates)"));
    let note = format!(
        "first {:.3} · total {:.3}",
        sobol.first[[t, 0]],
        sobol.total[[t, 0]]
    );
    assert!(s.has(&note), "{note}");
    s.assert_inside();
}

/// Estimated text boxes of the point labels (not the axis, legend or title texts) do not overlap.
fn assert_point_labels_apart(s: &Svg, names: &[String]) -> usize {
    let boxes: Vec<(f64, f64, f64, f64)> = s
        .labels
        .iter()
        .filter(|l| names.contains(&l.text))
        .map(|l| {
            let w = l.text.chars().count() as f64 * l.size * 0.6;
            (l.x, l.y - l.size / 2.0, l.x + w, l.y + l.size / 2.0)
        })
        .collect();
    for (i, a) in boxes.iter().enumerate() {
        for b in &boxes[i + 1..] {
            let overlap = a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3;
            assert!(!overlap, "labels overlap: {a:?} {b:?}");
        }
    }
    boxes.len()
}

#[test]
fn quadrant_scatter_asem_and_cities() {
    let (_, _, scores) = asem();
    let x = scores.node_values("Conn").unwrap().to_vec();
    let y = scores.node_values("Sust").unwrap().to_vec();
    let q = classify(&x, &y, Threshold::Median, Threshold::Median).unwrap();
    let opts = PlotOptions::default()
        .with_x_label("Connectivity")
        .with_y_label("Sustainability");
    let codes = scores.unit_codes().to_vec();
    let s = parse(&plot::quadrant_scatter(&x, &y, &codes, &q, &opts).unwrap());
    assert_eq!(
        s.circles,
        51 + 4,
        "one dot per country + four quadrant legend dots"
    );
    let shown = assert_point_labels_apart(&s, &codes);
    assert!(shown >= 40, "most countries labelled: {shown}");
    assert!(s.has(&format!("{shown} of 51 labels shown (no overlaps)")));
    let [hh, hl, lh, ll] = q.counts();
    for (label, n) in [
        ("high x, high y", hh),
        ("high x, low y", hl),
        ("low x, high y", lh),
        ("low x, low y", ll),
    ] {
        assert!(s.has(&format!("{label} ({n})")), "{label}");
    }
    assert!(s.has("Connectivity") && s.has("Sustainability"));
    s.assert_inside();

    let sp = read_csv_path(
        data_dir().join("cbcii/cities_status_potential.csv"),
        &CsvOptions::default()
            .with_unit_column("city_en")
            .with_group_columns(["city_zh"]),
    )
    .unwrap();
    let x = sp.column("status_index").unwrap().to_vec();
    let y = sp.column("potential_index").unwrap().to_vec();
    let q = classify(&x, &y, Threshold::Median, Threshold::Median).unwrap();
    let names = sp.unit_codes().to_vec();
    assert_eq!(names.len(), 20);
    let s = parse(&plot::quadrant_scatter(&x, &y, &names, &q, &PlotOptions::default()).unwrap());
    assert_eq!(s.circles, 20 + 4);
    let shown = assert_point_labels_apart(&s, &names);
    assert!(shown >= 15, "{shown}");
}

#[test]
fn framework_trees_have_one_dot_per_node() {
    let (scorer, _, _) = asem();
    let city = composite_indicators::io::datasets::cbcii::read_cbcii_framework_path(
        data_dir().join("cbcii/framework.csv"),
    )
    .unwrap()
    .check()
    .unwrap();
    for (fw, nodes, levels) in [
        (scorer.framework(), 49 + 8 + 2 + 1, 4),
        (&city, 79 + 23 + 6 + 1, 4),
    ] {
        assert_eq!(fw.nodes().len(), nodes);
        let s = parse(&plot::framework_tree(fw, &PlotOptions::default()).unwrap());
        assert_eq!(s.circles, nodes + levels, "{}", fw.name());
        for n in fw.nodes() {
            assert_eq!(
                s.count_text(|t| t == n.code || t.starts_with(&format!("{}: ", n.code))),
                1,
                "{}",
                n.code
            );
        }
        // indicator rows (left column) 12+ px apart
        let leaves: Vec<f64> = s
            .labels
            .iter()
            .filter(|l| {
                fw.indicators()
                    .iter()
                    .any(|i| l.text.starts_with(&format!("{}: ", i.code)) || l.text == i.code)
            })
            .map(|l| l.y)
            .collect();
        assert_eq!(leaves.len(), fw.n_indicators());
        assert_spaced(leaves, 12.0, fw.name());
        assert!(s.has(&format!("indicators ({})", fw.n_indicators())) && s.has("index (1)"));
        s.assert_inside();
    }
}

#[test]
fn plots_are_deterministic_and_path_variants_write_the_same_bytes() {
    let (_, _, scores) = asem();
    let opts = PlotOptions::default().with_title("ASEM pillars");
    let a = plot::scores_by_level(&scores, 2, &opts).unwrap();
    let b = plot::scores_by_level(&scores, 2, &opts).unwrap();
    assert_eq!(a, b);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("pillars.svg");
    plot::scores_by_level_path(&p, &scores, 2, &opts).unwrap();
    assert_eq!(std::fs::read_to_string(&p).unwrap(), a);
    // a failed plot leaves an existing file untouched
    assert!(plot::scores_by_level_path(&p, &scores, 9, &opts).is_err());
    assert_eq!(std::fs::read_to_string(&p).unwrap(), a);
    // a missing directory is an I/O error naming the path
    let bad = dir.path().join("no/such/dir/x.svg");
    match plot::framework_tree_path(&bad, scores.framework(), &opts) {
        Err(Error::Io { path, .. }) => assert!(path.contains("no/such/dir")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn bad_inputs_are_typed_errors() {
    let (_, _, scores) = asem();
    let o = PlotOptions::default();
    assert!(matches!(
        plot::unit_profile(&scores, "XXX", 2, &o),
        Err(Error::UnknownCode { code }) if code == "XXX"
    ));
    assert!(matches!(
        plot::unit_profile(&scores, "DEU", 7, &o),
        Err(Error::InvalidParameter { parameter, .. }) if parameter == "unit_profile: level"
    ));
    assert!(matches!(
        plot::scores_by_level(&scores, 2, &o.clone().with_font_size(2)),
        Err(Error::InvalidParameter { parameter, .. }) if parameter == "scores_by_level: font_size"
    ));
    assert!(matches!(
        plot::framework_tree(scores.framework(), &o.clone().with_size(600, 150)),
        Err(Error::InvalidParameter { parameter, .. }) if parameter == "framework_tree: size"
    ));
    let r = ndarray::array![[1.0, 0.2, 0.1], [0.2, 1.0, 0.3]];
    let labels = vec!["a".to_string(), "b".into()];
    assert!(matches!(
        plot::correlation_heatmap(r.view(), &labels, &o),
        Err(Error::ShapeMismatch {
            expected: 2,
            found: 3,
            ..
        })
    ));
    let r = ndarray::array![[1.0, 1.5], [1.5, 1.0]];
    assert!(matches!(
        plot::correlation_heatmap(r.view(), &labels, &o),
        Err(Error::InvalidParameter { value, .. }) if value.contains("cell (a, b)")
    ));
    // 708² cells × 2 elements > 1,000,000: refused before anything is drawn
    let big = ndarray::Array2::<f64>::eye(708);
    let big_labels: Vec<String> = (0..708).map(|i| format!("i{i}")).collect();
    assert!(matches!(
        plot::correlation_heatmap(big.view(), &big_labels, &o),
        Err(Error::InvalidParameter { parameter, .. }) if parameter == "correlation_heatmap: input size"
    ));
    let q = classify(
        &[1.0, 2.0],
        &[1.0, 2.0],
        Threshold::Median,
        Threshold::Median,
    )
    .unwrap();
    assert!(matches!(
        plot::quadrant_scatter(&[1.0, 2.0], &[1.0, 2.0], &labels[..1], &q, &o),
        Err(Error::ShapeMismatch {
            expected: 2,
            found: 1,
            ..
        })
    ));
    let empty = UaReport {
        variants: 0,
        rows: vec![],
    };
    assert!(matches!(
        plot::rank_intervals(&empty, &o),
        Err(Error::EmptyData { .. })
    ));
}

mod no_panic {
    //! Random small inputs with missing, extreme and degenerate values: every plot either returns
    //! an SVG that parses or a typed error; none panics.
    use super::*;
    use proptest::prelude::*;

    fn value() -> impl Strategy<Value = f64> {
        prop_oneof![
            4 => -10.0f64..10.0,
            1 => Just(f64::NAN),
            1 => Just(0.0),
            1 => Just(1e300),
            1 => Just(-1e300),
        ]
    }

    fn rank() -> impl Strategy<Value = Option<f64>> {
        prop_oneof![3 => (1.0f64..50.0).prop_map(Some), 1 => Just(None), 1 => Just(Some(f64::INFINITY))]
    }

    fn ok_or_typed(r: composite_indicators::Result<String>) {
        if let Ok(svg) = r {
            roxmltree::Document::parse(&svg).expect("SVG parses");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn plots_never_panic(
            units in 1usize..12,
            cells in proptest::collection::vec(value(), 36),
            ranks in proptest::collection::vec((rank(), rank(), rank(), proptest::option::of(1u32..40)), 1..10),
            sobol in proptest::collection::vec(value(), 8),
            corr in proptest::collection::vec(prop_oneof![4 => -1.0f64..=1.0, 1 => Just(f64::NAN)], 9),
            width in 50u32..1500,
            font in 4u32..30,
        ) {
            let fw = FrameworkSpec::new(
                "p",
                vec![
                    Indicator::new("a", "P"),
                    Indicator::new("b", "P"),
                    Indicator::new("c", "Q"),
                ],
                vec![
                    Pillar::new("P").with_parent("I"),
                    Pillar::new("Q").with_parent("I"),
                    Pillar::new("I"),
                ],
            )
            .check()
            .unwrap();
            let codes: Vec<String> = (0..units).map(|i| format!("u{i}")).collect();
            let values = ndarray::Array2::from_shape_fn((units, 3), |(u, j)| cells[(u * 3 + j) % cells.len()]);
            let sized = PlotOptions::default().with_size(width, width).with_font_size(font);
            for opts in [PlotOptions::default(), sized] {
                if let Ok(data) = Dataset::new(codes.clone(), vec!["a".into(), "b".into(), "c".into()], values.clone()) {
                    let scorer = Scorer::new(fw.clone()).normaliser(NormaliserKind::Identity);
                    if let Ok(scores) = scorer.score(&data) {
                        ok_or_typed(plot::scores_by_level(&scores, 2, &opts));
                        ok_or_typed(plot::scores_by_level(&scores, 1, &opts));
                        ok_or_typed(plot::unit_profile(&scores, "u0", 2, &opts));
                        ok_or_typed(plot::unit_contributions(&scores, "u0", &opts));
                    }
                }
                let x: Vec<f64> = (0..units).map(|u| values[[u, 0]]).collect();
                let y: Vec<f64> = (0..units).map(|u| values[[u, 2]]).collect();
                if let Ok(q) = classify(&x, &y, Threshold::Median, Threshold::Mean) {
                    ok_or_typed(plot::quadrant_scatter(&x, &y, &codes, &q, &opts));
                }
                let rows = ranks
                    .iter()
                    .enumerate()
                    .map(|(i, &(a, b, c, n))| composite_indicators::sweep::UaRow {
                        unit: format!("u{i}"),
                        nominal_score: f64::NAN,
                        nominal_rank: n,
                        median_rank: a,
                        q05_rank: b,
                        q95_rank: c,
                        mean_rank: None,
                        mean_abs_shift: None,
                        score_mean: None,
                        score_sd: None,
                        score_q05: None,
                        score_median: None,
                        score_q95: None,
                        n_missing: 0,
                    })
                    .collect();
                ok_or_typed(plot::rank_intervals(&UaReport { variants: 5, rows }, &opts));
                let s = composite_indicators::sweep::SobolIndices {
                    groups: vec!["g1".into(), "g2".into()],
                    targets: vec!["t".into()],
                    first: ndarray::Array2::from_shape_vec((1, 2), sobol[..2].to_vec()).unwrap(),
                    total: ndarray::Array2::from_shape_vec((1, 2), sobol[2..4].to_vec()).unwrap(),
                    variance: vec![1.0],
                    n: 4,
                    runs: 16,
                    intervals: Some(composite_indicators::sweep::SobolIntervals {
                        level: 0.9,
                        replicates: 10,
                        first_lo: ndarray::Array2::from_shape_vec((1, 2), sobol[4..6].to_vec()).unwrap(),
                        first_hi: ndarray::Array2::from_shape_vec((1, 2), sobol[6..8].to_vec()).unwrap(),
                        total_lo: ndarray::Array2::from_shape_vec((1, 2), sobol[..2].to_vec()).unwrap(),
                        total_hi: ndarray::Array2::from_shape_vec((1, 2), sobol[2..4].to_vec()).unwrap(),
                    }),
                };
                ok_or_typed(plot::sobol_bars(&s, "t", &opts));
                let m = ndarray::Array2::from_shape_vec((3, 3), corr.clone()).unwrap();
                ok_or_typed(plot::correlation_heatmap(m.view(), &["a".into(), "b".into(), "c".into()], &opts));
                ok_or_typed(plot::framework_tree(&fw, &opts));
            }
        }
    }
}

/// A default size beyond 20,000 px (one row per unit: 2,000 units) is an error that says the
/// automatic size is too big, not an invalid size option; a size set within range is drawn.
#[test]
fn a_default_size_beyond_the_limit_says_so() {
    let n = 2000;
    let codes: Vec<String> = (0..n).map(|i| format!("U{i}")).collect();
    let x = ndarray::Array2::from_shape_fn((n, 2), |(u, j)| (u * (j + 1) % 97) as f64);
    let data = Dataset::new(codes, vec!["a".into(), "b".into()], x).unwrap();
    let fw = FrameworkSpec::new(
        "t",
        vec![Indicator::new("a", "I"), Indicator::new("b", "I")],
        vec![Pillar::new("I")],
    )
    .check()
    .unwrap();
    let scores = Scorer::new(fw).score(&data).unwrap();
    let e = plot::scores_by_level(&scores, 1, &PlotOptions::default()).unwrap_err();
    assert!(matches!(e, Error::Incompatible { .. }), "{e:?}");
    assert!(e.to_string().contains("automatic height"), "{e}");
    let svg = plot::scores_by_level(&scores, 1, &PlotOptions::default().with_size(1000, 20_000));
    assert!(svg.is_ok(), "{svg:?}");
}
