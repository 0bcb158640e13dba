//! Data is never lost: scoring keeps every unit, in the data's order, and the CSV writer round-trips
//! every value bit for bit (including scores of the real ASEM index, −0.0, subnormals, ±1e308 and
//! missing values).

use composite_indicators::io::{self, CsvOptions, read_csv, write_dataset, write_table};
use composite_indicators::prelude::*;
use composite_indicators::score::{Scorer, Scores};
use ndarray::{Array2, array};

fn asem() -> (Framework, Dataset) {
    let meta = io::read_imeta_path("data/asem/iMeta.csv").unwrap();
    let data = io::read_idata_path("data/asem/iData.csv", &meta).unwrap();
    (meta.spec.check().unwrap(), data)
}

/// Bits of a value, with every NaN mapped to the one NaN the readers produce.
fn bits(v: f64) -> u64 {
    if v.is_nan() {
        f64::NAN.to_bits()
    } else {
        v.to_bits()
    }
}

fn assert_bitwise(a: &Array2<f64>, b: &Array2<f64>) {
    assert_eq!(a.dim(), b.dim());
    for ((idx, x), y) in a.indexed_iter().zip(b.iter()) {
        assert_eq!(bits(*x), bits(*y), "cell {idx:?}: {x:e} vs {y:e}");
    }
}

fn assert_rows_are_the_data(s: &Scores, d: &Dataset) {
    assert_eq!(s.unit_codes(), d.unit_codes(), "same units, same order");
    assert_eq!(s.unit_names(), d.unit_names());
    assert_eq!(s.values().nrows(), d.n_units());
    assert_eq!(s.ranks().nrows(), d.n_units());
    assert_eq!(s.index().len(), d.n_units());
}

#[test]
fn scoring_keeps_every_unit_in_order() {
    let (fw, data) = asem();
    // file order, reversed order and sorted order: rows always follow the data
    let rev: Vec<usize> = (0..data.n_units()).rev().collect();
    for d in [
        data.clone(),
        data.select_units(&rev).unwrap(),
        data.sorted_by_code(),
    ] {
        let s = Scorer::new(fw.clone()).score(&d).unwrap();
        assert_rows_are_the_data(&s, &d);
        // a unit's scores do not depend on where it sits
        let s0 = Scorer::new(fw.clone()).score(&data).unwrap();
        for (u, code) in d.unit_codes().iter().enumerate() {
            let v = s.value(code, "Index").unwrap();
            assert_eq!(v, s.index()[u]);
            assert_eq!(bits(v), bits(s0.value(code, "Index").unwrap()), "{code}");
        }
    }
}

#[test]
fn units_with_missing_data_are_kept_or_reported() {
    let fw = FrameworkSpec::new(
        "t",
        vec![Indicator::new("a", "I"), Indicator::new("b", "I")],
        vec![Pillar::new("I")],
    )
    .check()
    .unwrap();
    let nan = f64::NAN;
    let codes: Vec<String> = ["A", "B", "C", "D"].map(String::from).to_vec();
    let cols = vec!["a".to_string(), "b".to_string()];
    // B misses one indicator: kept, scored on the other (skip and re-weight)
    let d = Dataset::new(
        codes.clone(),
        cols.clone(),
        array![[1.0, 2.0], [nan, 3.0], [5.0, 1.0], [2.0, 9.0]],
    )
    .unwrap();
    let s = Scorer::new(fw.clone()).score(&d).unwrap();
    assert_rows_are_the_data(&s, &d);
    assert!(s.index().iter().all(|v| !v.is_nan()));
    // under Propagate, B is kept with a missing index and no rank (NaN), not dropped
    let s = Scorer::new(fw.clone())
        .missing(MissingPolicy::Propagate)
        .score(&d)
        .unwrap();
    assert_rows_are_the_data(&s, &d);
    assert!(s.index()[1].is_nan() && s.index_ranks()[1].is_nan());
    assert!(
        s.index()
            .iter()
            .enumerate()
            .all(|(u, v)| u == 1 || !v.is_nan())
    );
    // C has no data at all: either kept as NaN or an error naming C, never silently dropped
    let d = Dataset::new(
        codes,
        cols,
        array![[1.0, 2.0], [4.0, 3.0], [nan, nan], [2.0, 9.0]],
    )
    .unwrap();
    match Scorer::new(fw).score(&d) {
        Ok(s) => {
            assert_rows_are_the_data(&s, &d);
            assert!(s.index()[2].is_nan());
        }
        Err(e) => assert!(e.to_string().contains('C'), "error must name unit C: {e}"),
    }
}

#[test]
fn asem_scores_round_trip_through_csv_bit_for_bit() {
    let (fw, data) = asem();
    let s = Scorer::new(fw).score(&data).unwrap();
    let nodes: Vec<String> = s.node_codes().iter().map(|c| c.to_string()).collect();
    let mut out = Vec::new();
    write_table(
        &mut out,
        "uCode",
        s.unit_codes(),
        &nodes,
        s.values().view(),
        &[],
    )
    .unwrap();
    let back = read_csv(out.as_slice(), &CsvOptions::default()).unwrap();
    assert_eq!(back.unit_codes(), s.unit_codes());
    assert_eq!(back.columns(), nodes.as_slice());
    assert_bitwise(back.values(), s.values());
    // ranks and contributions too
    let mut out = Vec::new();
    write_table(
        &mut out,
        "uCode",
        s.unit_codes(),
        &nodes,
        s.ranks().view(),
        &[],
    )
    .unwrap();
    let back = read_csv(out.as_slice(), &CsvOptions::default()).unwrap();
    assert_bitwise(back.values(), s.ranks());
    let c = s.contributions().unwrap();
    let inds: Vec<String> = nodes.iter().take(c.ncols()).cloned().collect();
    let mut out = Vec::new();
    write_table(&mut out, "uCode", s.unit_codes(), &inds, c.view(), &[]).unwrap();
    let back = read_csv(out.as_slice(), &CsvOptions::default()).unwrap();
    assert_bitwise(back.values(), c);
}

#[test]
fn raw_asem_data_round_trips_through_write_dataset() {
    let (_, data) = asem();
    let mut out = Vec::new();
    write_dataset(&mut out, &data).unwrap();
    let groups: Vec<String> = data.groups().iter().map(|(g, _)| g.clone()).collect();
    let back = read_csv(
        out.as_slice(),
        &CsvOptions::default().with_group_columns(groups),
    )
    .unwrap();
    assert_eq!(back.unit_codes(), data.unit_codes());
    assert_eq!(back.unit_names(), data.unit_names());
    assert_eq!(back.columns(), data.columns());
    assert_eq!(back.groups(), data.groups());
    assert_bitwise(back.values(), data.values());
}

#[test]
fn edge_values_round_trip_bit_for_bit() {
    let special = [
        0.0,
        -0.0,
        5e-324,
        -5e-324,
        2.225_073_858_507_201e-308,
        f64::MIN_POSITIVE,
        1e308,
        -1e308,
        f64::MAX,
        f64::MIN,
        0.1 + 0.2,
        1.0 / 3.0,
        1e-5,
        9.999_999_999_999_999e-6,
        1e16,
        9_999_999_999_999_998.0,
        123_456_789.123_456_79,
        f64::NAN,
        std::f64::consts::PI,
        -std::f64::consts::E,
    ];
    // plus a sweep of random bit patterns (finite only: the writers refuse ±∞)
    let mut s = 0x1234_5678_9abc_def0u64;
    let mut vals: Vec<f64> = special.to_vec();
    while vals.len() < 400 {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        let v = f64::from_bits(s);
        if v.is_finite() {
            vals.push(v);
        }
    }
    let m = Array2::from_shape_vec((100, 4), vals).unwrap();
    let rows: Vec<String> = (0..100).map(|i| format!("r{i}")).collect();
    let cols: Vec<String> = ["w", "x", "y", "z"].map(String::from).to_vec();
    let mut out = Vec::new();
    write_table(&mut out, "uCode", &rows, &cols, m.view(), &[]).unwrap();
    let back = read_csv(out.as_slice(), &CsvOptions::default()).unwrap();
    assert_eq!(back.unit_codes(), rows.as_slice());
    assert_bitwise(back.values(), &m);
    // -0.0 keeps its sign
    assert_eq!(back.values()[[0, 1]].to_bits(), (-0.0f64).to_bits());
}

/// JSON of `t`, read back and written again: equal text means every value came back bit for bit
/// (finite floats in shortest round-trip form, NaN as `null`, ±∞ as `"inf"` / `"-inf"`).
fn json_round_trip<T: serde::Serialize + serde::de::DeserializeOwned>(t: &T, what: &str) -> T {
    json_round_trip_nan(t, what).0
}

/// [`json_round_trip`], also returning how many values were NaN (written as `null`).
fn json_round_trip_nan<T: serde::Serialize + serde::de::DeserializeOwned>(
    t: &T,
    what: &str,
) -> (T, usize) {
    let json = serde_json::to_string(t).unwrap_or_else(|e| panic!("{what}: write: {e}"));
    let back: T = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{what}: read: {e}"));
    let again = serde_json::to_string(&back).unwrap();
    assert_eq!(again, json, "{what}: JSON round trip changed a value");
    (back, json.matches("null").count())
}

#[test]
fn data_sets_and_reports_with_missing_values_survive_json() {
    use composite_indicators::audit::{AuditOptions, audit};
    use composite_indicators::prepare::{Step, Treat};
    use composite_indicators::study::panel::kendall_w;
    use composite_indicators::study::tiers::pillar_tags;
    use composite_indicators::sweep::{
        Bootstrap, Control, GroupInput, NodeSelection, SobolGroup, SweepConfig, WeightSampler,
    };

    let (fw, data) = asem();
    assert!(
        data.values().iter().any(|v| v.is_nan()),
        "ASEM has missing values"
    );
    let (back, nan) = json_round_trip_nan(&data, "ASEM data set");
    assert_eq!(nan, data.values().iter().filter(|v| v.is_nan()).count());
    assert_eq!(back, data);
    assert_bitwise(back.values(), data.values());
    assert_eq!(back.column("LPI").unwrap(), data.column("LPI").unwrap());

    // a hand-edited data set goes through the constructor's checks
    let json = serde_json::to_string(&data).unwrap();
    let dup = json.replacen(r#""AUT""#, r#""BEL""#, 1);
    assert!(
        serde_json::from_str::<Dataset>(&dup)
            .unwrap_err()
            .to_string()
            .contains("BEL")
    );
    let inf = json.replacen("null", r#""inf""#, 1);
    assert!(
        serde_json::from_str::<Dataset>(&inf)
            .unwrap_err()
            .to_string()
            .contains("not finite")
    );
    // two groups of one name would lose the first group's labels
    let twice = json.replacen(r#""GDPpc_group""#, r#""GDP_group""#, 1);
    let e = serde_json::from_str::<Dataset>(&twice)
        .unwrap_err()
        .to_string();
    assert!(e.contains("GDP_group"), "{e}");

    // reports holding NaN: undefined statistics, missing scores, zero-variance targets
    let (treated, treat_report) = Treat::default().apply(&data, &fw).unwrap();
    json_round_trip(&treat_report, "treatment report");
    let scores = Scorer::new(fw.clone())
        .missing(MissingPolicy::Propagate)
        .score(&treated)
        .unwrap();
    assert!(
        scores.index().iter().any(|v| v.is_nan()),
        "Propagate leaves some index missing"
    );
    let x = Scorer::new(fw.clone())
        .fit(&treated)
        .unwrap()
        .normalise(&treated)
        .unwrap();
    let report = audit(
        x.view(),
        Some(scores.values().view()),
        &fw,
        &AuditOptions::default(),
    );
    json_round_trip(&report.unwrap(), "audit report");
    json_round_trip(
        &scores.group_summary("GDP_group", "Index").unwrap(),
        "group summaries",
    );
    let pillars: Vec<String> = ["Physical", "ConEcFin", "Political"]
        .map(String::from)
        .to_vec();
    let cols: Vec<usize> = pillars
        .iter()
        .map(|p| scores.node_codes().iter().position(|c| c == p).unwrap())
        .collect();
    let p = scores.values().select(ndarray::Axis(1), &cols);
    let (_, nan) = json_round_trip_nan(&pillar_tags(p.view(), &pillars).unwrap(), "pillar tags");
    assert!(nan > 0);
    // tiers with empty tiers (ranges `null`)
    let t = composite_indicators::study::tiers::assign_tiers(
        &[1.0, 1.0, 1.0, 5.0],
        &composite_indicators::study::tiers::TierMethod::Quantiles { k: 4 },
    )
    .unwrap();
    json_round_trip(&t, "quantile tiers");
    let k = kendall_w(ndarray::array![[1.0, 1.0], [2.0, 2.0]].view()).unwrap();
    assert!(k.w.is_nan());
    assert_eq!(
        json_round_trip_nan(&k, "Kendall's W without agreement").1,
        3
    );

    // a sweep and Sobol indices on the data with missing values (nominal scores missing for some)
    let model = Scorer::new(fw.clone())
        .missing(MissingPolicy::Propagate)
        .sweep(&data)
        .unwrap()
        .build()
        .unwrap();
    let cfg = SweepConfig::new(
        200,
        3,
        WeightSampler::Uniform {
            spread: 0.25,
            nodes: NodeSelection::All,
        },
    );
    let ctl = Control::default;
    let result = model.sweep_with(&cfg, &ctl()).unwrap();
    let (back, nan) = json_round_trip_nan(&result, "sweep result");
    assert!(nan > 0);
    assert_eq!(
        serde_json::to_string(&back.ua_report()).unwrap(),
        serde_json::to_string(&result.ua_report()).unwrap()
    );
    let groups = [SobolGroup::new(
        "all weights",
        GroupInput::Weights {
            nodes: NodeSelection::All,
            spread: 0.25,
            triangular: false,
        },
    )];
    let boot = Bootstrap::new(20).with_seed(7);
    let s = model
        .sobol_bootstrap_with(&groups, 64, 5, &boot, &ctl())
        .unwrap();
    assert!(json_round_trip_nan(&s, "Sobol indices with intervals").1 > 0);
    assert!(json_round_trip_nan(&model.oat(&groups, 16, 5).unwrap(), "one-at-a-time result").1 > 0);
}
