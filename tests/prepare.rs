//! Data preparation on COINr's ASEM example: denominate -> impute -> screen -> treat, as
//! `build_example_coin(up_to = "Treat")` does it.

mod common;

use composite_indicators::error::Expected;
use composite_indicators::prelude::*;
use composite_indicators::prepare::{Denominate, Impute, ImputeMethod, Screen, Step, Treat};
use ndarray::Array2;

/// Read `data/asem/iMeta.csv` into a framework spec (indicators with direction, weight, denominator).
fn asem_framework() -> Framework {
    let mut rdr = csv::Reader::from_path("data/asem/iMeta.csv").unwrap();
    let mut spec = FrameworkSpec::default().with_name("ASEM");
    for rec in rdr.records() {
        let r = rec.unwrap();
        let (code, dir, weight, den, parent, kind) = (&r[1], &r[3], &r[4], &r[7], &r[8], &r[9]);
        match kind {
            "Indicator" => {
                let mut ind = Indicator::new(code, parent).with_weight(weight.parse().unwrap());
                if dir == "-1" {
                    ind = ind.with_direction(Direction::Negative);
                }
                if !den.is_empty() {
                    ind.denominator = Some(den.to_string());
                }
                spec.indicators.push(ind);
            }
            "Aggregate" => {
                let mut p = Pillar::new(code).with_weight(weight.parse().unwrap());
                if !parent.is_empty() {
                    p = p.with_parent(parent);
                }
                spec.pillars.push(p);
            }
            _ => {}
        }
    }
    spec.check().unwrap()
}

/// Read `data/asem/iData.csv`: numeric columns from `Area` on (Time skipped), four group columns.
fn asem_data() -> Dataset {
    let mut rdr = csv::Reader::from_path("data/asem/iData.csv").unwrap();
    let headers: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    let first_num = headers.iter().position(|h| h == "Area").unwrap();
    let mut units = Vec::new();
    let mut groups: Vec<Vec<String>> = vec![Vec::new(); 4];
    let mut vals = Vec::new();
    for rec in rdr.records() {
        let r = rec.unwrap();
        units.push(r[1].to_string());
        for (g, col) in groups.iter_mut().zip(2..6) {
            g.push(r[col].to_string());
        }
        for c in first_num..headers.len() {
            vals.push(if r[c].is_empty() {
                f64::NAN
            } else {
                r[c].parse().unwrap()
            });
        }
    }
    let ncol = headers.len() - first_num;
    let m = Array2::from_shape_vec((units.len(), ncol), vals).unwrap();
    let mut d = Dataset::new(units, headers[first_num..].to_vec(), m).unwrap();
    for (name, labels) in headers[2..6].iter().zip(groups) {
        d = d.with_group(name.clone(), labels).unwrap();
    }
    d
}

#[test]
fn asem_pipeline_matches_coinr() {
    let fw = asem_framework();
    assert_eq!(fw.n_indicators(), 49);
    let raw = asem_data().sorted_by_code();
    assert_eq!(raw.unit_codes()[0], "AUS");

    let (den, den_rep) = Denominate::default().apply(&raw, &fw).unwrap();
    assert_eq!(den_rep.denominated.len(), 17); // iMeta rows with a Denominator
    // Austria's Flights (29.01725) per Population (8735.453)
    let aut = den.unit_position("AUT").unwrap();
    let fl = den.column("Flights").unwrap()[aut];
    assert!((fl - 29.01725 / 8735.453).abs() < 1e-15);

    let imp_step = Impute::new(ImputeMethod::GroupMean {
        group: "EurAsia_group".into(),
    });
    let (imp, imp_rep) = imp_step.apply(&den, &fw).unwrap();
    // 63 missing indicator values + Elec and Gas of the unit whose Energy denominator is missing
    assert_eq!(imp_rep.imputations.len(), 65);
    assert!(imp_rep.still_missing.is_empty());

    let (scr, scr_rep) = Screen::new(0.9).apply(&imp, &fw).unwrap();
    assert!(scr_rep.removed.is_empty());
    assert_eq!(scr.n_units(), 51);

    let (treated, rep) = Treat::default().apply(&scr, &fw).unwrap();
    common::assert_coinr_asem_treatment(&rep);
    let wins = rep.winsorised();
    // after-treatment statistics of two indicators (same Python reference, 4 decimals)
    let fem = wins.iter().find(|o| o.indicator == "FemLab").unwrap();
    assert!((fem.skew_after + 1.8924).abs() < 5e-5 && (fem.kurt_after - 4.3634).abs() < 5e-5);
    let pov = wins.iter().find(|o| o.indicator == "Poverty").unwrap();
    assert!((pov.skew_after - 1.1593).abs() < 5e-5 && (pov.kurt_after + 0.4357).abs() < 5e-5);
    // treated values: MLT's Flights now equals the largest other value
    let mlt = treated.unit_position("MLT").unwrap();
    let col = scr.column("Flights").unwrap();
    let second = col
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != mlt)
        .map(|(_, v)| *v)
        .fold(f64::MIN, f64::max);
    assert_eq!(treated.column("Flights").unwrap()[mlt], second);
    // the other 34 indicators are unchanged
    assert_eq!(
        rep.outcomes.iter().filter(|o| o.status.is_passed()).count(),
        34
    );
}

#[test]
fn screening_counts_imputed_values_when_asked() {
    let fw = asem_framework();
    let raw = asem_data().sorted_by_code();
    let (den, _) = Denominate::default().apply(&raw, &fw).unwrap();
    let imp_step = Impute::new(ImputeMethod::GroupMean {
        group: "EurAsia_group".into(),
    });
    let (imp, imp_rep) = imp_step.apply(&den, &fw).unwrap();
    let mut s = Screen::new(0.9);
    s.count_imputed_as_missing = true;
    let (scr, rep) = s
        .apply_with_imputations(&imp, &fw, &imp_rep.imputations)
        .unwrap();
    // the same as screening the denominated data directly
    let (scr2, rep2) = Screen::new(0.9).apply(&den, &fw).unwrap();
    assert_eq!(rep.removed, rep2.removed);
    assert_eq!(scr.unit_codes(), scr2.unit_codes());
    assert!(!rep.removed.is_empty());
    for u in &rep.units {
        assert_eq!(u.kept, u.availability >= 0.9);
    }
}

#[test]
fn bad_inputs() {
    let mut spec = asem_framework().spec().clone();
    spec.indicators[1].denominator = Some("Nope".into());
    let fw = spec.check().unwrap();
    let d = asem_data();
    assert!(matches!(
        Denominate::default().apply(&d, &fw),
        Err(Error::MissingColumns { columns }) if columns == vec!["Nope"]
    ));
    let fw = asem_framework();
    let m = ImputeMethod::GroupMedian {
        group: "Continent".into(),
    };
    // issue #14: the error names the imputation and its group column (was `MissingColumns`, whose
    // message blamed the framework)
    assert!(matches!(
        Impute::new(m).apply(&d, &fw),
        Err(Error::InvalidParameter { parameter, value, expected: Expected::Rule(reason) })
            if parameter == "impute group_median(Continent)" && value == "Continent" && reason.contains("`Continent`")
    ));
    // a data set without one indicator column
    let codes: Vec<&str> = fw
        .indicator_codes()
        .into_iter()
        .filter(|&c| c != "LPI")
        .collect();
    let vals = d.select(&codes).unwrap();
    let small = Dataset::new(
        d.unit_codes().to_vec(),
        codes.iter().map(|s| s.to_string()).collect(),
        vals,
    )
    .unwrap();
    assert!(matches!(
        Treat::default().apply(&small, &fw),
        Err(Error::MissingColumns { columns }) if columns == vec!["LPI"]
    ));
}

#[test]
fn steps_round_trip_through_serde() {
    let t: Treat = serde_json::from_str(r#"{"winmax": 3}"#).unwrap();
    assert_eq!(t.winmax, Some(3));
    assert_eq!(t.skew_thresh, 2.0);
    let i: Impute =
        serde_json::from_str(r#"{"method": {"method": "group_mean", "group": "g"}}"#).unwrap();
    assert_eq!(i.method, ImputeMethod::GroupMean { group: "g".into() });
    let s = Screen::new(0.8);
    let back: Screen = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
}

mod props {
    use composite_indicators::prepare::{Treat, TreatStatus, winsorise};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn winsorising_stays_in_range(v in proptest::collection::vec(-100.0f64..100.0, 6..30),
                                       spike in 1e3f64..1e6) {
            let mut x = v.clone();
            x.push(spike);
            let w = winsorise(&x, Some(5), 2.0, 3.5).unwrap();
            let lo = x.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            prop_assert!(w.values.iter().all(|a| *a >= lo && *a <= hi));
            let changed = x.iter().zip(&w.values).filter(|(a, b)| a != b).count();
            prop_assert!(changed <= w.n());
            // the treated column passes or the fallback decides; a treated column never has more spread
            let units: Vec<String> = (0..x.len()).map(|i| i.to_string()).collect();
            let (t, o) = Treat::default().treat_column("x", &x, &units).unwrap();
            prop_assert_eq!(t.len(), x.len());
            // with the default log fallback, a column that still fails was log-transformed
            let logged = matches!(
                o.status,
                TreatStatus::LogTransformed { .. } | TreatStatus::Undefined
            );
            prop_assert!(o.passes_after || logged);
            prop_assert!(t.iter().all(|a| a.is_finite()));
        }
    }
}
