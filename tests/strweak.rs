//! Strengths and weaknesses (COINr's `get_str_weak`) on the raw ASEM data.
//!
//! Reference tables from a separate pandas re-implementation of COINr's rules (R/results.R, read for
//! this purpose), run for this test (`/tmp/strweak_ref.py`, pandas 3.1): direction-adjusted raw
//! values, `rank(ascending=False, method="min")` over all units or within the `EurAsia_group`, the
//! distinct-value share with a missing value counting once, the unit's missing ranks dropped, the
//! worst rank dropped, a stable sort by rank, the first `topN` and the last `bottomN`.

use composite_indicators::io::{read_idata_path, read_imeta_path};
use composite_indicators::prelude::*;
use composite_indicators::study::strweak::{
    StrWeak, StrWeakOptions, StrWeakRow, str_weak, str_weak_table,
};

fn asem() -> (Dataset, Framework) {
    let meta = read_imeta_path("data/asem/iMeta.csv").unwrap();
    let data = read_idata_path("data/asem/iData.csv", &meta).unwrap();
    (data, meta.spec.clone().check().unwrap())
}

fn triples(rows: &[StrWeakRow]) -> Vec<(&str, f64, f64)> {
    rows.iter()
        .map(|r| (r.indicator.as_str(), r.rank, r.value))
        .collect()
}

fn check(sw: &StrWeak, s: &[(&str, f64, f64)], w: &[(&str, f64, f64)]) {
    assert_eq!(triples(&sw.strengths), s, "strengths of {}", sw.unit);
    assert_eq!(triples(&sw.weaknesses), w, "weaknesses of {}", sw.unit);
}

#[test]
fn spain_with_coinr_defaults() {
    // COINr's documented example: get_str_weak(coin, dset = "Raw", usel = "ESP")
    let (d, fw) = asem();
    let sw = str_weak(&d, &fw, "ESP", &StrWeakOptions::default()).unwrap();
    check(
        &sw,
        &[
            ("CostImpEx", 1.0, 0.0),
            ("TIRcon", 1.0, 1.0),
            ("Tourist", 2.0, 75.315),
            ("Flights", 3.0, 170.9628),
            ("UNVote", 3.0, 43.10103233812681),
        ],
        &[
            ("NEET", 33.0, 13.3),
            ("Lang", 38.0, 5.158467462491005),
            ("TBTs", 40.0, 1212.0),
            ("Forest", 40.0, 6.92659910049046),
            ("PubDebt", 43.0, 99.26),
        ],
    );
    // reported with the pillar (level 2), name and unit of measure from iMeta
    let lpi_like = &sw.strengths[3];
    assert_eq!(lpi_like.parent, "Physical");
    assert_eq!(lpi_like.name, "International flights passenger capacity");
    assert_eq!(lpi_like.measure, "Thousand seats");
    // report level 3: the sub-index
    let o = StrWeakOptions {
        report_level: 3,
        ..StrWeakOptions::default()
    };
    let sw = str_weak(&d, &fw, "ESP", &o).unwrap();
    assert_eq!(sw.strengths[3].parent, "Conn");
}

#[test]
fn within_group_and_unique_value_filter() {
    let (d, fw) = asem();
    let o = StrWeakOptions {
        use_group: Some("EurAsia_group".into()),
        unq_discard: Some(0.3),
        ..StrWeakOptions::default()
    };
    let sw = str_weak(&d, &fw, "ESP", &o).unwrap();
    check(
        &sw,
        &[
            ("CostImpEx", 1.0, 0.0),
            ("Visa", 2.0, 81.0),
            ("Tourist", 2.0, 75.315),
            ("Flights", 3.0, 170.9628),
            ("UNVote", 3.0, 43.10103233812681),
        ],
        &[
            ("Forest", 24.0, 6.92659910049046),
            ("NEET", 24.0, 13.3),
            ("PubDebt", 25.0, 99.26),
            ("Palma", 26.0, 1.46),
            ("Poverty", 27.0, 1.0),
        ],
    );
}

#[test]
fn group_min_discard_uses_the_units_own_group() {
    // Deliberate difference from COINr: TIRcon is 1 for every European unit, so every one of them
    // ranks 1 = the worst rank in the group and min_discard drops it; COINr compares with the worst
    // in-group rank of any group (an Asian one) and would report TIRcon and Tariff, RTAs instead.
    let (d, fw) = asem();
    let o = StrWeakOptions {
        use_group: Some("EurAsia_group".into()),
        ..StrWeakOptions::default()
    };
    let sw = str_weak(&d, &fw, "AUT", &o).unwrap();
    check(
        &sw,
        &[
            ("CostImpEx", 1.0, 0.0),
            ("RDExp", 2.0, 3.07181),
            ("StMob", 5.0, 69.8),
            ("Renew", 5.0, 34.3949917477854),
            ("LPI", 6.0, 4.097985),
        ],
        &[
            ("UNVote", 21.0, 42.639198818286346),
            ("PubDebt", 21.0, 86.19),
            ("Poverty", 22.0, 0.7),
            ("Gas", 26.0, 0.273),
            ("TertGrad", 29.0, 13.08167),
        ],
    );
}

#[test]
fn min_discard_switch_and_table() {
    let (d, fw) = asem();
    let o = StrWeakOptions {
        top_n: 3,
        bottom_n: 3,
        ..StrWeakOptions::default()
    };
    let with = str_weak(&d, &fw, "MNG", &o).unwrap();
    check(
        &with,
        &[
            ("TIRcon", 1.0, 1.0),
            ("TBTs", 5.0, 7.0),
            ("TolMin", 11.0, 3.5),
        ],
        &[
            ("Tourist", 49.0, 0.404),
            ("Goods", 50.0, 7.81803),
            ("MatCon", 50.0, 33.49389267),
        ],
    );
    let without = str_weak(
        &d,
        &fw,
        "MNG",
        &StrWeakOptions {
            min_discard: false,
            ..o.clone()
        },
    )
    .unwrap();
    check(
        &without,
        &[
            ("TIRcon", 1.0, 1.0),
            ("TBTs", 5.0, 7.0),
            ("TolMin", 11.0, 3.5),
        ],
        &[
            ("Flights", 51.0, 0.98951),
            ("RTAs", 51.0, 1.0),
            ("MigStock", 51.0, 0.0817),
        ],
    );
    let t = str_weak_table(&d, &fw, &["MNG", "ESP"], &o).unwrap();
    assert_eq!(t.units[0], with);
    let csv = t.to_csv_string().unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + 2 * 6);
    assert_eq!(
        lines[1],
        "MNG,Strength,1,TIRcon,Signatory of TIR Convention,Instit,(1 (yes)/0 (no)),1,1"
    );
    assert!(lines[6].starts_with("MNG,Weakness,3,MatCon,"));
    assert!(lines[7].starts_with("ESP,Strength,1,CostImpEx,"));
    // every unit
    assert_eq!(str_weak_table(&d, &fw, &[], &o).unwrap().units.len(), 51);
}

#[test]
fn bad_options() {
    let (d, fw) = asem();
    let bad = |o: StrWeakOptions| str_weak(&d, &fw, "ESP", &o).unwrap_err();
    let e = bad(StrWeakOptions {
        top_n: 0,
        ..StrWeakOptions::default()
    });
    assert!(matches!(e, Error::InvalidParameter { ref parameter, .. } if parameter == "top_n"));
    let e = bad(StrWeakOptions {
        bottom_n: 50,
        ..StrWeakOptions::default()
    });
    assert!(matches!(e, Error::InvalidParameter { ref parameter, .. } if parameter == "bottom_n"));
    let e = bad(StrWeakOptions {
        report_level: 5,
        ..StrWeakOptions::default()
    });
    assert!(
        matches!(e, Error::InvalidParameter { ref parameter, .. } if parameter == "report_level")
    );
    let e = bad(StrWeakOptions {
        unq_discard: Some(1.5),
        ..StrWeakOptions::default()
    });
    assert!(
        matches!(e, Error::InvalidParameter { ref parameter, .. } if parameter == "unq_discard")
    );
    let e = bad(StrWeakOptions {
        use_group: Some("NoSuchGroup".into()),
        ..StrWeakOptions::default()
    });
    // an unknown group column names itself and the known ones (it was `MissingColumns`, whose
    // message speaks of columns the framework requires)
    assert!(matches!(e, Error::UnknownName { ref name, .. } if name == "NoSuchGroup"));
    assert!(e.to_string().contains("EurAsia_group"), "{e}");
    assert!(matches!(
        str_weak(&d, &fw, "XXX", &StrWeakOptions::default()),
        Err(Error::UnknownName { ref what, .. }) if what == "unit"
    ));
    assert!(matches!(
        str_weak_table(&d, &fw, &["ESP", "ESP"], &StrWeakOptions::default()),
        Err(Error::DuplicateCode { .. })
    ));
}
