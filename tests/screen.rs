//! Unit screening with zero counts (COINr `Screen`/`get_data_avail` columns `N_zero`,
//! `N_miss_or_zero`, `Non_Zero`, `LowData`, `LowNonZero`) on the raw ASEM data.
//!
//! Reference values from a pandas script run for this test on `data/asem/iData.csv` (the 49
//! indicator columns of iMeta): per unit `N_missing = isna().sum()`, `N_zero = (v == 0).sum()`,
//! `Non_Zero = 1 − N_zero / (49 − N_missing)`. NZL: 2 missing, 3 zeros, Non_Zero = 44/47 =
//! 0.936170...; CZE, AUS, CYP, PHL, CHE: 0 missing, 3 zeros, 46/49 = 0.938776; BRN: 10 missing, 2 zeros,
//! 37/39 = 0.948718; 71 zeros in all.

use composite_indicators::io::{read_idata_path, read_imeta_path};
use composite_indicators::prelude::*;
use composite_indicators::prepare::{Screen, ScreenBy, Step};

fn asem() -> (Dataset, Framework) {
    let meta = read_imeta_path("data/asem/iMeta.csv").unwrap();
    let data = read_idata_path("data/asem/iData.csv", &meta).unwrap();
    (data, meta.spec.clone().check().unwrap())
}

#[test]
fn asem_zero_counts_match_pandas() {
    let (d, fw) = asem();
    let (_, rep) = Screen::new(0.0).apply(&d, &fw).unwrap();
    let unit = |c: &str| rep.units.iter().find(|u| u.unit == c).unwrap();
    let nzl = unit("NZL");
    assert_eq!(
        (nzl.n_missing, nzl.n_zero, nzl.n_missing_or_zero),
        (2, 3, 5)
    );
    assert_eq!(nzl.non_zero, 1.0 - 3.0 / 47.0);
    let brn = unit("BRN");
    assert_eq!((brn.n_missing, brn.n_zero), (10, 2));
    assert!((brn.non_zero - 0.9487179487179487).abs() < 1e-15);
    assert_eq!(rep.units.iter().map(|u| u.n_zero).sum::<usize>(), 71);
    assert!(rep.units.iter().all(|u| !u.low_non_zero && !u.low_data));
}

#[test]
fn screening_by_zeros_and_by_either() {
    let (d, fw) = asem();
    // 0.937 lies between NZL's 0.93617 and the 0.93878 of five units with 3 zeros out of 49
    let by_zeros = Screen {
        nonzero_threshold: 0.937,
        by: ScreenBy::Zeros,
        ..Screen::new(0.0)
    };
    let (out, rep) = by_zeros.apply(&d, &fw).unwrap();
    assert_eq!(rep.removed, ["NZL"]);
    assert_eq!(out.n_units(), 50);
    // availability alone (the default) keeps NZL and removes the low-data units only
    let (_, rep) = Screen {
        nonzero_threshold: 0.937,
        ..Screen::new(0.8)
    }
    .apply(&d, &fw)
    .unwrap();
    assert!(!rep.removed.contains(&"NZL".to_string()));
    assert!(rep.removed.contains(&"BRN".to_string())); // 39/49 = 0.796 < 0.8
    let nzl = rep.units.iter().find(|u| u.unit == "NZL").unwrap();
    assert!(nzl.low_non_zero && !nzl.low_data && nzl.kept);
    // either flag
    let (_, rep) = Screen {
        nonzero_threshold: 0.937,
        by: ScreenBy::MissingOrZeros,
        ..Screen::new(0.8)
    }
    .apply(&d, &fw)
    .unwrap();
    assert!(rep.removed.contains(&"NZL".to_string()) && rep.removed.contains(&"BRN".to_string()));
    // a forced unit stays
    let (_, rep) = Screen {
        nonzero_threshold: 0.937,
        by: ScreenBy::Zeros,
        force_include: vec!["NZL".into()],
        ..Screen::new(0.0)
    }
    .apply(&d, &fw)
    .unwrap();
    assert!(rep.removed.is_empty());
    // out-of-range threshold
    assert!(matches!(
        Screen {
            nonzero_threshold: 1.5,
            ..Screen::new(0.5)
        }
        .apply(&d, &fw),
        Err(Error::InvalidParameter { ref parameter, .. }) if parameter == "nonzero_threshold"
    ));
}

#[test]
fn old_configs_still_deserialise() {
    let s: Screen = serde_json::from_str(r#"{"threshold": 0.8}"#).unwrap();
    assert_eq!(s, Screen::new(0.8));
    assert_eq!((s.nonzero_threshold, s.by), (0.05, ScreenBy::Missing));
}
