//! Trends (COINr `get_trends`) on the ASEM panel against numpy, and the window, minimum-points,
//! interpolation and direction options on small hand-computed panels.

use composite_indicators::io;
use composite_indicators::pipeline::PipelineConfig;
use composite_indicators::prelude::*;
use composite_indicators::study::purse::{NormalisationScope, PanelData, Purse};
use composite_indicators::study::trends::{TrendMetric, TrendOptions, TrendWindow, trends};
use ndarray::array;

fn asem() -> (Framework, PanelData) {
    let meta = io::read_imeta_path("data/asem/iMeta.csv").unwrap();
    let panel = io::read_idata_panel_path("data/asem/iData_p.csv", &meta).unwrap();
    (meta.spec.check().unwrap(), panel)
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * (1.0 + a.abs().max(b.abs()))
}

fn opts(metric: TrendMetric, window: TrendWindow) -> TrendOptions {
    TrendOptions {
        metric,
        window,
        ..TrendOptions::default()
    }
}

#[test]
fn asem_trends_match_numpy() {
    // Reference values: tests/reference/asem_panel.py (numpy 2.4: CAGR from the first and last
    // values, slope and prc_change from np.polyfit(t, y, 1)); output pasted here.
    let (_, panel) = asem();
    // (unit, indicator, CAGR, slope, prc_change, CAGR latest 3, slope latest 3)
    let want = [
        (
            "AUT",
            "LPI",
            0.00014957214138422437,
            0.00183444901928384,
            0.044421444142804745,
            -0.005792255967062454,
            -0.023958743805062674,
        ),
        (
            "CHN",
            "Goods",
            0.004303985201555616,
            31.12868331002542,
            1.8095296221422796,
            0.0028758604193339643,
            4.991976101330243,
        ),
        (
            "NZL",
            "CO2",
            0.04066837353108177,
            0.42483866336149945,
            5.294905559328898,
            -0.008054684499674725,
            -0.07350262160237511,
        ),
    ];
    let all = |m| trends(&panel, &opts(m, TrendWindow::All), None).unwrap();
    let last3 = |m| trends(&panel, &opts(m, TrendWindow::Latest(3)), None).unwrap();
    let (cagr, slope, prc) = (
        all(TrendMetric::Cagr),
        all(TrendMetric::Slope),
        all(TrendMetric::PrcChange { per: 1.0 }),
    );
    let (cagr3, slope3) = (last3(TrendMetric::Cagr), last3(TrendMetric::Slope));
    for (u, c, w_cagr, w_slope, w_prc, w_cagr3, w_slope3) in want {
        // CAGR uses two values: agrees to the last bits; least squares to ~1e-9 relative (numpy's
        // polyfit solves by SVD on the raw years, which loses digits to the 2018 offset)
        assert!(close(cagr.value(u, c).unwrap(), w_cagr, 1e-13), "{u} {c}");
        assert!(close(slope.value(u, c).unwrap(), w_slope, 1e-9), "{u} {c}");
        assert!(close(prc.value(u, c).unwrap(), w_prc, 1e-9), "{u} {c}");
        assert!(close(cagr3.value(u, c).unwrap(), w_cagr3, 1e-13), "{u} {c}");
        assert!(
            close(slope3.value(u, c).unwrap(), w_slope3, 1e-9),
            "{u} {c}"
        );
    }
    // one row per unit and column, sorted by column then unit (COINr's order)
    assert_eq!(
        cagr.rows.len(),
        51 * panel.period(2018.0).unwrap().columns().len()
    );
    assert!(cagr.rows.windows(2).all(|w| {
        (w[0].column.as_str(), w[0].unit.as_str()) < (w[1].column.as_str(), w[1].unit.as_str())
    }));
    // Poverty is missing for 7 units in every year (data/asem/README.md): no trend, with a note
    let poverty_missing: Vec<_> = cagr
        .rows
        .iter()
        .filter(|r| r.column == "Poverty" && r.availability == 0.0)
        .collect();
    assert_eq!(poverty_missing.len(), 7);
    assert!(poverty_missing.iter().all(|r| {
        r.value.is_nan()
            && r.note
                .as_deref()
                .is_some_and(|n| n.contains("fewer than min_points"))
    }));
    // every other missing CAGR says why (here: series starting at 0)
    assert!(
        cagr.rows
            .iter()
            .filter(|r| r.value.is_nan())
            .all(|r| r.note.is_some())
    );
}

#[test]
fn adjust_directions_flips_negative_indicators() {
    let (fw, panel) = asem();
    let o = TrendOptions {
        adjust_directions: true,
        columns: Some(vec!["CO2".into(), "LPI".into()]),
        ..TrendOptions::default()
    };
    let adj = trends(&panel, &o, Some(&fw)).unwrap();
    let raw = trends(
        &panel,
        &TrendOptions {
            adjust_directions: false,
            ..o.clone()
        },
        None,
    )
    .unwrap();
    // CO2 has Direction −1 in iMeta, LPI +1
    assert_eq!(
        adj.value("NZL", "CO2").unwrap(),
        -raw.value("NZL", "CO2").unwrap()
    );
    assert_eq!(
        adj.value("NZL", "LPI").unwrap(),
        raw.value("NZL", "LPI").unwrap()
    );
    assert_eq!(adj.rows.len(), 2 * 51);
    // directions need the framework
    assert!(trends(&panel, &o, None).is_err());
}

#[test]
fn trends_of_aggregate_scores_from_a_purse() {
    let (fw, panel) = asem();
    let purse = Purse::build(
        &panel,
        &fw,
        PipelineConfig::coinr_example(),
        NormalisationScope::Global,
    )
    .unwrap();
    let agg = purse.panel("Aggregated").unwrap();
    let t = trends(
        &agg,
        &TrendOptions {
            metric: TrendMetric::Slope,
            columns: Some(vec!["Index".into()]),
            ..TrendOptions::default()
        },
        None,
    )
    .unwrap();
    // the slope of AUT's index equals the least-squares slope of its five yearly index scores
    let ys: Vec<f64> = purse
        .entries()
        .iter()
        .map(|e| e.result.scores().value("AUT", "Index").unwrap())
        .collect();
    // hand formula with t − 2020 = −2..2: Σ(t − t̄)y / Σ(t − t̄)², Σ(t − t̄)² = 10
    let want = (-2.0 * ys[0] - ys[1] + ys[3] + 2.0 * ys[4]) / 10.0;
    assert!(close(t.value("AUT", "Index").unwrap(), want, 1e-12));
    let csv = t.to_csv_string().unwrap();
    assert!(csv.starts_with("uCode,iCode,Slope,n_points,Avail,t_first,t_latest,note\n"));
}

/// One unit, one column `x` over 2018..=2022.
fn one(v: [f64; 5]) -> PanelData {
    PanelData::new(
        v.iter()
            .enumerate()
            .map(|(k, &x)| {
                let d = Dataset::new(vec!["A".into()], vec!["x".into()], array![[x]]).unwrap();
                (2018.0 + k as f64, d)
            })
            .collect(),
    )
    .unwrap()
}

const N: f64 = f64::NAN;

#[test]
fn windows_min_points_and_interpolation_by_hand() {
    let p = one([1.0, 2.0, N, 8.0, N]);
    let slope = |o: &TrendOptions| trends(&p, o, None).unwrap().rows[0].clone();
    // all periods: points (2018, 1), (2019, 2), (2021, 8): t̄ = 2019 + 1/3, ȳ = 11/3;
    // Σ(t − t̄)(y − ȳ) = (−4/3)(−8/3) + (−1/3)(−5/3) + (5/3)(13/3) = (32 + 5 + 65)/9 = 102/9;
    // Σ(t − t̄)² = (16 + 1 + 25)/9 = 42/9 → 102/42 = 17/7
    let r = slope(&opts(TrendMetric::Slope, TrendWindow::All));
    assert!(close(r.value, 17.0 / 7.0, 1e-12), "{}", r.value);
    assert_eq!(r.n_points, 3);
    assert_eq!(r.availability, 0.6);
    assert_eq!((r.t_first, r.t_latest), (2018.0, 2021.0));
    // CAGR from 1 to 8 over 3 years: 8^(1/3) − 1 = 1
    let r = slope(&opts(TrendMetric::Cagr, TrendWindow::All));
    assert!(close(r.value, 1.0, 1e-15));
    // an explicit window: 2018 and 2019 → slope 1
    let r = slope(&opts(
        TrendMetric::Slope,
        TrendWindow::Times(vec![2018.0, 2019.0]),
    ));
    assert_eq!(r.value, 1.0);
    // min_points 3 on that window: missing, with a note
    let r = slope(&TrendOptions {
        min_points: 3,
        ..opts(TrendMetric::Slope, TrendWindow::Times(vec![2018.0, 2019.0]))
    });
    assert!(r.value.is_nan() && r.note.unwrap().contains("min_points = 3"));
    // latest 2 ends at the latest observation (2021): 2020 missing, 2021 → one point only
    let r = slope(&opts(TrendMetric::Slope, TrendWindow::Latest(2)));
    assert!(r.value.is_nan());
    assert_eq!(r.n_points, 1);
    // ... unless 2020 is interpolated first: (2 + 8)/2 = 5 → slope over (2020, 5), (2021, 8) = 3
    let r = slope(&TrendOptions {
        interp_at: Some(vec![]),
        ..opts(TrendMetric::Slope, TrendWindow::Latest(2))
    });
    assert_eq!(r.value, 3.0);
    assert_eq!(r.availability, 0.5); // 2021 observed, 2020 interpolated
    // interpolation never extrapolates: 2022 stays missing, so latest 4 = 2018..2021 (not 2019..2022)
    let r = slope(&TrendOptions {
        interp_at: Some(vec![]),
        ..opts(TrendMetric::Slope, TrendWindow::Latest(4))
    });
    // points 1, 2, 5, 8 at t − 2019.5 = −1.5, −0.5, 0.5, 1.5: (−1.5 − 1 + 2.5 + 12)/5 = 2.4
    assert!(close(r.value, 2.4, 1e-12), "{}", r.value);
    // latest 5 with the latest observation in 2021: only 4 periods up to it → missing with a note
    let r = slope(&opts(TrendMetric::Slope, TrendWindow::Latest(5)));
    assert!(r.value.is_nan() && r.note.unwrap().contains("fewer than 5"));
    // a full window from the first period is used (COINr's `i_first > 1` would return NA here)
    let full = one([1.0, 2.0, 3.0, 4.0, 5.0]);
    let r = trends(
        &full,
        &opts(TrendMetric::Slope, TrendWindow::Latest(5)),
        None,
    )
    .unwrap();
    assert!(close(r.rows[0].value, 1.0, 1e-12));
}

/// An unbalanced panel: unit B has no row in 2019 and 2021. COINr's `get_trends` works on each unit's
/// own rows (R/trends.R splits iData by uCode), so B's window and `Avail` count only its periods.
/// Expected values worked out by hand from that code.
#[test]
fn unbalanced_panels_use_each_units_own_periods() {
    let period = |units: &[&str], v: &[f64]| {
        Dataset::new(
            units.iter().map(|u| u.to_string()).collect(),
            vec!["x".into()],
            ndarray::Array2::from_shape_vec((v.len(), 1), v.to_vec()).unwrap(),
        )
        .unwrap()
    };
    let p = PanelData::new(vec![
        (2018.0, period(&["A", "B"], &[1.0, 2.0])),
        (2019.0, period(&["A"], &[2.0])),
        (2020.0, period(&["A", "B"], &[3.0, 4.0])),
        (2021.0, period(&["A"], &[4.0])),
        (2022.0, period(&["A", "B"], &[5.0, N])),
    ])
    .unwrap();
    let row = |o: &TrendOptions, u: &str| {
        trends(&p, o, None)
            .unwrap()
            .rows
            .into_iter()
            .find(|r| r.unit == u)
            .unwrap()
    };
    // B's rows: 2018 (2), 2020 (4), 2022 (NA). Its latest observation is 2020; its 2 periods up
    // to it are 2018 and 2020 (COINr: i_latest = 2, i_first = 1), so the CAGR is (4/2)^(1/2) − 1
    let b = row(&opts(TrendMetric::Cagr, TrendWindow::Latest(2)), "B");
    assert!(close(b.value, 2f64.sqrt() - 1.0, 1e-15), "{b:?}");
    assert_eq!((b.n_points, b.availability), (2, 1.0));
    // 3 of B's periods do not lead up to 2020 → missing
    let b = row(&opts(TrendMetric::Cagr, TrendWindow::Latest(3)), "B");
    assert!(b.value.is_nan() && b.note.unwrap().contains("fewer than 3"));
    // A is balanced: its latest 2 are 2021 and 2022
    let a = row(&opts(TrendMetric::Cagr, TrendWindow::Latest(2)), "A");
    assert_eq!(a.value, 0.25);
    // every period: B's Avail is 2 of its 3 rows (COINr's mean(!is.na(y)) over the unit's rows)
    let b = row(&opts(TrendMetric::Slope, TrendWindow::All), "B");
    assert!(close(b.availability, 2.0 / 3.0, 1e-15));
    assert_eq!(b.value, 1.0);
    // a window where B has no row: no trend, availability undefined
    let b = row(
        &opts(TrendMetric::Slope, TrendWindow::Times(vec![2019.0, 2021.0])),
        "B",
    );
    assert!(b.value.is_nan() && b.availability.is_nan());
    // interpolating at every period gives B rows there (COINr merges `interp_at` into its rows):
    // 2019 → 3, 2021 → nothing to the right, so latest 2 = 2019, 2020: (4/3)^1 − 1
    let b = row(
        &TrendOptions {
            interp_at: Some(vec![]),
            ..opts(TrendMetric::Cagr, TrendWindow::Latest(2))
        },
        "B",
    );
    assert!(close(b.value, 4.0 / 3.0 - 1.0, 1e-15), "{b:?}");
    assert_eq!(b.availability, 0.5);
}

#[test]
fn bad_options_are_typed_errors() {
    let p = one([1.0, 2.0, 3.0, 4.0, 5.0]);
    let bad = [
        TrendOptions {
            min_points: 1,
            ..TrendOptions::default()
        },
        opts(TrendMetric::Cagr, TrendWindow::Latest(0)),
        opts(TrendMetric::Cagr, TrendWindow::Times(vec![2030.0])),
        TrendOptions {
            interp_at: Some(vec![2017.0]),
            ..TrendOptions::default()
        },
    ];
    for o in bad {
        assert!(
            matches!(trends(&p, &o, None), Err(Error::InvalidParameter { .. })),
            "{o:?}"
        );
    }
    let unknown = TrendOptions {
        units: Some(vec!["ZZZ".into()]),
        ..TrendOptions::default()
    };
    assert!(matches!(
        trends(&p, &unknown, None),
        Err(Error::UnknownName { ref what, ref name, .. }) if what == "unit" && name == "ZZZ"
    ));
    // CAGR undefined from a zero start: NaN with a note, never Inf
    let z = one([0.0, 1.0, 2.0, 3.0, 4.0]);
    let r = trends(&z, &TrendOptions::default(), None).unwrap();
    assert!(r.rows[0].value.is_nan());
    assert!(
        r.rows[0]
            .note
            .as_deref()
            .unwrap()
            .contains("first value is 0")
    );
}
