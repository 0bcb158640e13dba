//! COINr's `get_stats` on the raw ASEM indicators against an independent reference.
//!
//! Reference values from a Python script run for this test (pandas 3.1, numpy 2.4, scipy 1.17.1) on
//! `data/asem/iData.csv`: `min`, `max`, `mean`, `np.median`, `std(ddof=1)`,
//! `scipy.stats.skew(bias=False)` and `scipy.stats.kurtosis(bias=False)` (the bias-corrected
//! estimators, identical to e1071's type 2 that COINr's `skew()`/`kurt()` implement), counts of
//! non-zero, unique and most repeated values, and COINr's flag rules at its default thresholds.

use composite_indicators::io::{read_idata_path, read_imeta_path};
use composite_indicators::study::CsvTable;
use composite_indicators::study::stats::{StatsOptions, get_stats};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + b.abs())
}

#[test]
fn asem_raw_statistics_match_python() {
    let meta = read_imeta_path("data/asem/iMeta.csv").unwrap();
    let data = read_idata_path("data/asem/iData.csv", &meta).unwrap();
    let fw = meta.spec.clone().check().unwrap();
    let t = get_stats(&data, &fw, &StatsOptions::default()).unwrap();
    assert_eq!(t.rows.len(), 49);
    // (code, min, max, mean, median, sd, skew, kurt, n_avail, n_nonzero, n_unique, n_same)
    #[allow(clippy::type_complexity)]
    let cases: [(&str, [f64; 7], [usize; 4]); 4] = [
        (
            "LPI",
            [
                2.067254,
                4.225967,
                3.4118710392156864,
                3.420043,
                0.5384761821615868,
                -0.3042681282970482,
                -0.656751412485129,
            ],
            [51, 51, 51, 1],
        ),
        (
            "Flights",
            [
                0.98951,
                210.8244,
                38.624864901960784,
                25.64994,
                46.72227498370915,
                2.103287194051549,
                4.508879369700655,
            ],
            [51, 51, 51, 1],
        ),
        (
            "PrimEner",
            [
                53.47854268880336,
                192.45082941516054,
                106.08090692649273,
                96.6288855538271,
                35.44505988414596,
                0.7495893747982841,
                -0.14673628118942084,
            ],
            [50, 50, 50, 1],
        ),
        (
            "Tariff",
            [
                0.0,
                10.53,
                2.460625,
                1.6,
                2.378000596111444,
                2.449179488053455,
                5.410918822581841,
            ],
            [48, 46, 20, 28],
        ),
    ];
    for (code, f, n) in cases {
        let r = t.get(code).unwrap();
        let got = [r.min, r.max, r.mean, r.median, r.sd, r.skew, r.kurt];
        for (g, e) in got.iter().zip(f) {
            assert!(close(*g, e), "{code}: {got:?} vs {f:?}");
        }
        assert_eq!([r.n_avail, r.n_nonzero, r.n_unique, r.n_same], n, "{code}");
        assert_eq!(r.frc_avail, n[0] as f64 / 51.0);
        assert_eq!(r.frc_nonzero, n[1] as f64 / n[0] as f64);
    }
    // COINr's own test: Flights is flagged OUT (|skew| > 2 and kurt > 3.5)
    let out: Vec<&str> = t
        .rows
        .iter()
        .filter(|r| r.outlier == Some(true))
        .map(|r| r.code.as_str())
        .collect();
    assert_eq!(
        out,
        [
            "Flights",
            "Bord",
            "Elec",
            "Gas",
            "Goods",
            "FDI",
            "CostImpEx",
            "Tariff",
            "StMob",
            "Research",
            "Pat",
            "CultServ",
            "CultGood",
            "Tourist",
            "Forest",
            "Poverty",
            "NGOs",
            "FemLab"
        ]
    );
    let low_unique: Vec<&str> = t
        .rows
        .iter()
        .filter(|r| r.low_unique)
        .map(|r| r.code.as_str())
        .collect();
    assert_eq!(low_unique, ["Tariff", "TIRcon", "RTAs", "Visa", "Poverty"]);
    assert!(t.rows.iter().all(|r| !r.low_avail && !r.low_nonzero));

    // the CSV has COINr's columns and flags
    let csv = t.to_csv_string().unwrap();
    let tariff = csv.lines().find(|l| l.starts_with("Tariff,")).unwrap();
    assert!(tariff.ends_with(",ok,ok,LOW,OUT"), "{tariff}");
}

#[test]
fn flags_use_coinr_denominators() {
    use composite_indicators::study::stats::column_stats;
    // 10 rows, 4 available: 0 0 0 5 -> frc_nonzero = 1/4 (over available) but the flag compares
    // 1/10 (over all rows) with t_zero, as COINr's get_stats does; unique 2/10 < 0.5.
    let mut v = vec![f64::NAN; 6];
    v.extend([0.0, 0.0, 0.0, 5.0]);
    let o = StatsOptions {
        t_zero: 0.2,
        t_unq: 0.3,
        t_avail: 0.4,
        ..StatsOptions::default()
    };
    let s = column_stats("z", &v, &o).unwrap();
    assert_eq!((s.frc_nonzero, s.frc_unique, s.frc_avail), (0.25, 0.5, 0.4));
    assert!(s.low_nonzero); // 0.1 < 0.2 even though 0.25 >= 0.2
    assert!(s.low_unique); // 0.2 < 0.3 even though 0.5 >= 0.3
    assert!(!s.low_avail); // 0.4 is not below 0.4
}

// Reference: the 51 ASEM index values of the default build (printed by this crate), summarised in
// Python by numpy 2.4 / scipy 1.17.1: mean 49.8619824316387, median 49.089204006376676,
// std(ddof=1) 9.06990706997858, skew(bias=False) 0.41645176950601204,
// kurtosis(bias=False) 0.14082952243548919, min 31.70537099658012, max 75.22780465428178.
#[test]
fn asem_index_statistics_from_scores() {
    use composite_indicators::score::Scorer;
    use composite_indicators::study::stats::stats_of_scores;
    let meta = read_imeta_path("data/asem/iMeta.csv").unwrap();
    let data = read_idata_path("data/asem/iData.csv", &meta)
        .unwrap()
        .sorted_by_code();
    let fw = meta.spec.clone().check().unwrap();
    let scores = Scorer::new(fw).score(&data).unwrap();
    let t = stats_of_scores(&scores, &StatsOptions::default()).unwrap();
    assert_eq!(t.rows.len(), scores.node_codes().len());
    let i = t.get("Index").unwrap();
    let got = [i.mean, i.median, i.sd, i.skew, i.kurt, i.min, i.max];
    let want = [
        49.8619824316387,
        49.089204006376676,
        9.06990706997858,
        0.41645176950601204,
        0.14082952243548919,
        31.70537099658012,
        75.22780465428178,
    ];
    for (g, w) in got.iter().zip(want) {
        assert!(close(*g, w), "{got:?} vs {want:?}");
    }
    assert!(i.outlier == Some(false) && !i.low_unique);
    // normalised indicators span [0, 100]
    let lpi = t.get("LPI").unwrap();
    assert_eq!((lpi.min, lpi.max), (0.0, 100.0));
}
