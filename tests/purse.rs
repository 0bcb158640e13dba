//! Panels (COINr's purse): reading the ASEM panel, per-period and global normalisation against an
//! independent numpy computation, the global scale as the pooled range of the prepared data, scoring a
//! new period on a saved scale with the out-of-range policy, and bad panels.

use composite_indicators::io;
use composite_indicators::normalise::{FittedForm, OutOfRangePolicy};
use composite_indicators::pipeline::{Pipeline, PipelineConfig};
use composite_indicators::prelude::*;
use composite_indicators::score::ScorerConfig;
use composite_indicators::study::purse::{NormalisationScope, PanelData, Purse};
use ndarray::array;

fn asem() -> (Framework, PanelData) {
    let meta = io::read_imeta_path("data/asem/iMeta.csv").unwrap();
    let panel = io::read_idata_panel_path("data/asem/iData_p.csv", &meta).unwrap();
    (meta.spec.check().unwrap(), panel)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + a.abs().max(b.abs()))
}

#[test]
fn reads_the_asem_panel_and_its_2018_block_is_idata() {
    let (_, panel) = asem();
    assert_eq!(panel.times(), vec![2018.0, 2019.0, 2020.0, 2021.0, 2022.0]);
    panel.require_balanced().unwrap();
    assert!(panel.absent().is_empty());
    for p in panel.periods() {
        assert_eq!(p.data.n_units(), 51);
        assert!(!p.data.columns().iter().any(|c| c == "Time"));
        // 64 missing cells per year (data/asem/README.md)
        assert_eq!(p.data.values().iter().filter(|v| v.is_nan()).count(), 64);
    }
    // data/asem/README.md: the 2018 block is identical to iData.csv
    let meta = io::read_imeta_path("data/asem/iMeta.csv").unwrap();
    let single = io::read_idata_path("data/asem/iData.csv", &meta).unwrap();
    let y18 = panel.period(2018.0).unwrap();
    assert_eq!(y18.unit_codes(), single.unit_codes());
    assert_eq!(y18.groups(), single.groups());
    for c in y18.columns() {
        let a = y18.column(c).unwrap();
        let b = single.column(c).unwrap();
        assert!(
            a.iter()
                .zip(b.iter())
                .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())),
            "{c}"
        );
    }
    // the shipped perturbation (README): AUT's Ship is 0 in 2018 and 0.605... in 2019
    let ship = |t: f64| {
        let d = panel.period(t).unwrap();
        d.column("Ship").unwrap()[d.unit_position("AUT").unwrap()]
    };
    assert_eq!(ship(2018.0), 0.0);
    assert!((ship(2019.0) - 0.605).abs() < 1e-3);
}

/// min-max [0, 100], arithmetic means over available children, no preparation.
fn plain() -> PipelineConfig {
    PipelineConfig {
        scorer: ScorerConfig {
            normalise: NormaliserKind::MinMax { lo: 0.0, hi: 100.0 },
            aggregate: AggregatorKind::Arithmetic,
            ..ScorerConfig::default()
        },
        ..PipelineConfig::default()
    }
}

#[test]
fn global_and_per_year_normalisation_match_numpy() {
    // Reference values: tests/reference/asem_panel.py (numpy 2.4, reads the CSVs itself; output
    // pasted here). global = min and max of each oriented indicator over the 255 pooled rows.
    let (fw, panel) = asem();
    let global = Purse::build(&panel, &fw, plain(), NormalisationScope::Global).unwrap();
    let per = Purse::build(&panel, &fw, plain(), NormalisationScope::PerPeriod).unwrap();
    assert!(per.global_scale().is_none());
    let lpi = global
        .global_scale()
        .unwrap()
        .iter()
        .find(|p| p.indicator == "LPI")
        .unwrap()
        .clone();
    match lpi.form {
        FittedForm::MinMax { min, max, .. } => {
            assert_eq!(min, 2.067254); // "LPI pooled min/max: 2.067254 4.637482988223726"
            assert_eq!(max, 4.637482988223726);
        }
        other => panic!("{other:?}"),
    }
    // (year, unit, global Index, per-year Index, global Conn) from the script
    let want = [
        (
            2018.0,
            "AUT",
            54.2056639296101,
            56.87309777530222,
            41.02512226690985,
        ),
        (
            2018.0,
            "CHN",
            51.79993593975235,
            53.83900732306742,
            52.211083954649474,
        ),
        (
            2018.0,
            "NZL",
            44.149750652761504,
            45.67549382514054,
            28.68814164930011,
        ),
        (
            2022.0,
            "AUT",
            55.34634517791493,
            55.47770693875508,
            48.023311346727596,
        ),
        (
            2022.0,
            "CHN",
            54.841690768096385,
            54.399806540927855,
            59.91613165128174,
        ),
        (
            2022.0,
            "NZL",
            46.17935638212333,
            45.77231673749435,
            34.214026397428015,
        ),
    ];
    for (t, u, g_index, p_index, g_conn) in want {
        let g = global.result(t).unwrap().scores();
        let p = per.result(t).unwrap().scores();
        assert!(close(g.value(u, "Index").unwrap(), g_index), "{t} {u}");
        assert!(close(p.value(u, "Index").unwrap(), p_index), "{t} {u}");
        assert!(close(g.value(u, "Conn").unwrap(), g_conn), "{t} {u}");
    }
    // the long table: 255 rows, uCode first
    let table = global.scores();
    assert_eq!(table.rows.len(), 255);
    let csv = table.to_csv_string().unwrap();
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("uCode,Time,LPI,") && header.ends_with(",Index,Rank"));
    assert_eq!(lines.count(), 255);
}

#[test]
fn per_period_2018_is_the_single_year_coinr_build_bit_for_bit() {
    let (fw, panel) = asem();
    let meta = io::read_imeta_path("data/asem/iMeta.csv").unwrap();
    let single = io::read_idata_path("data/asem/iData.csv", &meta).unwrap();
    let cfg = PipelineConfig::coinr_example();
    let purse = Purse::build(&panel, &fw, cfg.clone(), NormalisationScope::PerPeriod).unwrap();
    let alone = Pipeline::new(cfg).run(&single, &fw).unwrap();
    let a = purse.result(2018.0).unwrap().scores().values();
    let b = alone.scores().values();
    assert_eq!(a.dim(), b.dim());
    assert!(
        a.iter()
            .zip(b.iter())
            .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
    );
}

#[test]
fn global_scale_is_the_pooled_range_of_the_prepared_data() {
    // COINr Normalise.purse(global = TRUE): the prepared data sets of every coin, row-bound, go
    // through one Normalise(); so each min-max form holds the min and max over all periods of the
    // treated values (direction applied).
    let (fw, panel) = asem();
    let purse = Purse::build(
        &panel,
        &fw,
        PipelineConfig::coinr_example(),
        NormalisationScope::Global,
    )
    .unwrap();
    let scale = purse.global_scale().unwrap();
    assert_eq!(scale.len(), 49);
    for (p, ind) in scale.iter().zip(fw.indicators()) {
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for e in purse.entries() {
            for &v in e.result.prepared().column(&ind.code).unwrap() {
                let v = v * ind.direction.sign();
                if !v.is_nan() {
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
        }
        assert_eq!(
            p.form,
            FittedForm::MinMax {
                min: lo,
                max: hi,
                lo: 0.0,
                hi: 100.0
            },
            "{}",
            ind.code
        );
        // every period normalised on it stays inside [0, 100]
        for e in purse.entries() {
            let col = e.result.scores().node_values(&ind.code).unwrap().to_owned();
            assert!(col.iter().all(|v| v.is_nan() || (0.0..=100.0).contains(v)));
        }
    }
    // the scale of any period is the global one
    assert_eq!(purse.scale(2020.0).unwrap(), scale.to_vec());
    // and a Normalised panel is available for trends, one data set per year
    let normalised = purse.panel("Normalised").unwrap();
    assert_eq!(normalised.times().len(), 5);
    assert!(purse.panel("Cooked").is_err());
}

/// Two units, one indicator under the index; geometric mean of min-max [1, 100] scores.
fn geometric_case() -> (Framework, PanelData, PipelineConfig) {
    let fw = FrameworkSpec::new(
        "g",
        vec![Indicator::new("x", "I"), Indicator::new("y", "I")],
        vec![Pillar::new("I")],
    )
    .check()
    .unwrap();
    let d = |v: [[f64; 2]; 2]| {
        Dataset::new(
            vec!["A".into(), "B".into()],
            vec!["x".into(), "y".into()],
            array![v[0], v[1]],
        )
        .unwrap()
    };
    let panel = PanelData::new(vec![(2020.0, d([[1.0, 2.0], [3.0, 4.0]]))]).unwrap();
    let cfg = PipelineConfig {
        scorer: ScorerConfig {
            normalise: NormaliserKind::MinMax { lo: 1.0, hi: 100.0 },
            aggregate: AggregatorKind::Geometric { offset: 0.0 },
            ..ScorerConfig::default()
        },
        ..PipelineConfig::default()
    };
    (fw, panel, cfg)
}

#[test]
fn a_new_period_on_a_saved_scale_extrapolates_or_clamps() {
    let (fw, panel, cfg) = geometric_case();
    let purse = Purse::build(&panel, &fw, cfg, NormalisationScope::PerPeriod).unwrap();
    // 2021: A's x = −5 lies far below 2020's range [1, 3]:
    // extrapolated (−5 − 1)/(3 − 1)·99 + 1 = −296, which the geometric mean rejects
    let next = Dataset::new(
        vec!["A".into(), "B".into()],
        vec!["x".into(), "y".into()],
        array![[-5.0, 2.0], [3.0, 4.0]],
    )
    .unwrap();
    let e = purse
        .score_period(&next, OutOfRangePolicy::Extrapolate)
        .unwrap_err();
    assert!(matches!(e, Error::NonPositive { .. }), "{e}");
    // clamped: x → 1 → score 1; y = 2 → 1; A = sqrt(1·1) = 1; B = sqrt(100·100) = 100
    let r = purse.score_period(&next, OutOfRangePolicy::Clamp).unwrap();
    assert_eq!(r.scores().value("A", "x").unwrap(), 1.0);
    assert_eq!(r.scores().value("A", "I").unwrap(), 1.0);
    // exp((ln 100 + ln 100)/2) is 100 to within rounding
    assert!(close(r.scores().value("B", "I").unwrap(), 100.0));
    // the applied scale carries the policy
    assert!(
        r.fitted()
            .params()
            .unwrap()
            .iter()
            .all(|p| p.out_of_range == OutOfRangePolicy::Clamp)
    );
}

#[test]
fn unbalanced_panels_are_reported_and_bad_periods_are_typed_errors() {
    let meta = io::read_imeta(
        "iCode,Direction,Weight,Parent,Type\nx,1,1,I,Indicator\ny,1,1,I,Indicator\nI,1,1,,Aggregate\n"
            .as_bytes(),
    )
    .unwrap();
    let fw = meta.spec.clone().check().unwrap();
    // C is absent from 2021
    let text = "uCode,Time,x,y\nA,2020,1,2\nB,2020,2,1\nC,2020,3,3\nA,2021,2,2\nB,2021,3,5\n";
    let panel = io::read_idata_panel(text.as_bytes(), &meta).unwrap();
    let absent = panel.absent();
    assert_eq!(absent.len(), 1);
    assert_eq!((absent[0].unit.as_str(), absent[0].time), ("C", 2021.0));
    let e = panel.require_balanced().unwrap_err();
    assert_eq!(
        e.to_string(),
        "unit `C` is absent from period(s) [\"2021\"]"
    );
    // the purse builds and keeps the report
    let purse = Purse::build(&panel, &fw, plain(), NormalisationScope::Global).unwrap();
    assert_eq!(purse.absent(), absent.as_slice());
    assert_eq!(purse.result(2021.0).unwrap().scores().unit_codes().len(), 2);
    // a period that is not there
    assert!(matches!(
        purse.result(2019.0).unwrap_err(),
        Error::EmptyPeriod { ref time } if time == "2019"
    ));
    assert!(matches!(
        panel.require_periods(&[2020.0, 2022.0]).unwrap_err(),
        Error::EmptyPeriod { ref time } if time == "2022"
    ));
    // a period whose own build fails is named: x constant in 2021 → zero range per period
    let flat = "uCode,Time,x,y\nA,2020,1,2\nB,2020,2,1\nA,2021,2,2\nB,2021,2,5\n";
    let panel = io::read_idata_panel(flat.as_bytes(), &meta).unwrap();
    let e = Purse::build(&panel, &fw, plain(), NormalisationScope::PerPeriod).unwrap_err();
    assert!(
        matches!(e, Error::InPeriod { ref time, .. } if time == "2021"),
        "{e}"
    );
    // ... while the global scale (x ranges over 1..2 pooled) is fine
    Purse::build(&panel, &fw, plain(), NormalisationScope::Global).unwrap();
    // duplicate (unit, time) rows name both lines
    let dup = "uCode,Time,x,y\nA,2020,1,2\nB,2020,2,1\nA,2020,3,3\n";
    let e = io::read_idata_panel(dup.as_bytes(), &meta).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("line 4") && msg.contains("line 2"), "{msg}");
    // PanelData::new: no period, a repeated time
    assert!(PanelData::new(vec![]).is_err());
    let d = Dataset::new(vec!["A".into()], vec!["x".into()], array![[1.0]]).unwrap();
    assert!(PanelData::new(vec![(2020.0, d.clone()), (2020.0, d)]).is_err());
}

#[test]
fn panel_and_score_csv_files_are_written_atomically() {
    let (fw, panel) = asem();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("panel.csv");
    panel.write_csv_path(&p).unwrap();
    // the long panel reads back as the same panel
    let meta = io::read_imeta_path("data/asem/iMeta.csv").unwrap();
    let back = io::read_idata_panel_path(&p, &meta).unwrap();
    assert_eq!(back, panel);
    let purse = Purse::build(&panel, &fw, plain(), NormalisationScope::Global).unwrap();
    let s = dir.path().join("scores.csv");
    purse.scores().write_csv_path(&s).unwrap();
    let text = std::fs::read_to_string(&s).unwrap();
    assert_eq!(text, purse.scores().to_csv_string().unwrap());
    assert!(text.starts_with("uCode,Time,"));
}
