//! Panel imputation (COINr `impute_panel`) on the ASEM panel: COINr's documented example, the real
//! gaps (missing in every year, so nothing to fill from), linear interpolation against numpy, and the
//! report of every value filled.

use composite_indicators::io;
use composite_indicators::study::CsvTable;
use composite_indicators::study::impute_panel::{ImputePanel, PanelImputeMethod};
use composite_indicators::study::purse::PanelData;
use ndarray::Array1;

fn asem() -> PanelData {
    let meta = io::read_imeta_path("data/asem/iMeta.csv").unwrap();
    io::read_idata_panel_path("data/asem/iData_p.csv", &meta).unwrap()
}

fn get(p: &PanelData, t: f64, unit: &str, col: &str) -> f64 {
    let d = p.period(t).unwrap();
    d.column(col).unwrap()[d.unit_position(unit).unwrap()]
}

/// `panel` with the listed (time, unit, column) cells set to missing.
fn knock_out(panel: &PanelData, cells: &[(f64, &str, &str)]) -> PanelData {
    let periods = panel
        .periods()
        .iter()
        .map(|p| {
            let mut d = p.data.clone();
            for &(t, u, c) in cells {
                if t == p.time {
                    let mut col: Array1<f64> = d.column(c).unwrap().to_owned();
                    col[d.unit_position(u).unwrap()] = f64::NAN;
                    d.set_column(c, col.view()).unwrap();
                }
            }
            (p.time, d)
        })
        .collect();
    PanelData::new(periods).unwrap()
}

#[test]
fn coinr_documented_example_fills_2022_from_2021() {
    // COINr's `impute_panel` reference page example: set NZ's LPI and AT's Flights in 2022 to NA,
    // impute columns LPI and Flights with the defaults ("latest"); "both NAs introduced should now
    // have 2021 values". (COINr's example uses the old 2-letter codes; the shipped data use ISO3.)
    let panel = asem();
    let holed = knock_out(
        &panel,
        &[(2022.0, "NZL", "LPI"), (2022.0, "AUT", "Flights")],
    );
    let (filled, report) = ImputePanel::default()
        .with_columns(["LPI", "Flights"])
        .apply(&holed)
        .unwrap();
    assert_eq!(
        get(&filled, 2022.0, "NZL", "LPI"),
        get(&panel, 2021.0, "NZL", "LPI")
    );
    assert_eq!(
        get(&filled, 2022.0, "AUT", "Flights"),
        get(&panel, 2021.0, "AUT", "Flights")
    );
    assert_eq!(report.filled.len(), 2);
    assert!(report.unfilled.is_empty());
    for f in &report.filled {
        assert_eq!((f.time, f.from.clone()), (2022.0, vec![2021.0]));
    }
    // nothing else changed
    for p in filled.periods() {
        let orig = holed.period(p.time).unwrap();
        for (a, b) in p.data.values().iter().zip(orig.values().iter()) {
            assert!(a.to_bits() == b.to_bits() || b.is_nan());
        }
    }
}

#[test]
fn the_real_asem_gaps_have_nothing_to_fill_from_and_are_all_reported() {
    // data/asem/README.md: 320 missing values, 64 per year, in the same cells every year
    let panel = asem();
    for method in [
        PanelImputeMethod::default(),
        PanelImputeMethod::Constant,
        PanelImputeMethod::Linear,
        PanelImputeMethod::LinearConstant,
    ] {
        let (out, report) = ImputePanel::new(method.clone()).apply(&panel).unwrap();
        assert!(report.filled.is_empty(), "{method:?}");
        assert_eq!(report.unfilled.len(), 320, "{method:?}");
        assert!(
            report
                .unfilled
                .iter()
                .all(|u| u.reason == "no observed value in any period")
        );
        assert_eq!(out, panel);
    }
}

#[test]
fn linear_and_latest_on_asem_match_hand_and_numpy_values() {
    let panel = asem();
    let holed = knock_out(
        &panel,
        &[
            (2020.0, "AUT", "LPI"),
            (2018.0, "CHN", "Goods"),
            (2021.0, "CHN", "Goods"),
            (2022.0, "CHN", "Goods"),
        ],
    );
    let step = |m| ImputePanel::new(m).with_columns(["LPI", "Goods"]);
    let (lin, report) = step(PanelImputeMethod::Linear).apply(&holed).unwrap();
    // tests/reference/asem_panel.py: "AUT LPI 2019 4.153182291077035 2021 4.166622125872822
    // linear 2020 4.159902208474929"
    assert!((get(&lin, 2020.0, "AUT", "LPI") - 4.159902208474929).abs() < 1e-15);
    // CHN Goods: 2018 before the first observation → 2019's value; 2021 and 2022 after the last → 2020's
    assert_eq!(
        get(&lin, 2018.0, "CHN", "Goods"),
        get(&panel, 2019.0, "CHN", "Goods")
    );
    assert_eq!(
        get(&lin, 2022.0, "CHN", "Goods"),
        get(&panel, 2020.0, "CHN", "Goods")
    );
    assert_eq!(report.filled.len(), 4);
    let aut = report.filled.iter().find(|f| f.unit == "AUT").unwrap();
    assert_eq!(aut.from, vec![2019.0, 2021.0]);
    // latest: AUT 2020 from 2019; CHN 2018 cannot be filled (no earlier period), 2021 and 2022 from 2020
    let (latest, report) = step(PanelImputeMethod::default()).apply(&holed).unwrap();
    assert_eq!(
        get(&latest, 2020.0, "AUT", "LPI"),
        get(&panel, 2019.0, "AUT", "LPI")
    );
    assert!(get(&latest, 2018.0, "CHN", "Goods").is_nan());
    assert_eq!(
        get(&latest, 2022.0, "CHN", "Goods"),
        get(&panel, 2020.0, "CHN", "Goods")
    );
    assert_eq!(report.unfilled.len(), 1);
    assert_eq!(
        report.unfilled[0].reason,
        "no observed value in an earlier period"
    );
    // max_time = 1: 2022 may look at 2021 only, which is missing too
    let (one, report) = step(PanelImputeMethod::Latest { max_time: Some(1) })
        .apply(&holed)
        .unwrap();
    assert!(get(&one, 2022.0, "CHN", "Goods").is_nan());
    assert_eq!(report.unfilled.len(), 2);
    // the report as CSV, uCode first, one row per missing value
    let csv = report.to_csv_string().unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "uCode,iCode,Time,Value,From,Status");
    assert_eq!(lines.len(), 1 + 4);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("CHN,Goods,2021,") && l.ends_with(",2020,filled"))
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("imputed.csv");
    report.write_csv_path(&path).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), csv);
}

#[test]
fn a_column_absent_from_a_period_is_an_error() {
    let panel = asem();
    let e = ImputePanel::default()
        .with_columns(["NoSuchColumn"])
        .apply(&panel)
        .unwrap_err();
    assert!(e.to_string().contains("NoSuchColumn"), "{e}");
}
