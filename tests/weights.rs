//! Data-driven and AHP weights against independently computed values.
//!
//! Reference numbers were computed with plain Python 3 (no numpy on the build machine), from the
//! textbook formulas, in a separate script: entropy / sd / CRITIC directly; PCA loadings by power
//! iteration on the correlation matrix (I + R, 5000 steps); AHP by repeated squaring of A (A^256,
//! row sums normalised), then λ_max = mean((A w)_i / w_i).

use std::collections::BTreeMap;

mod common;

use approx::assert_abs_diff_eq;
use composite_indicators::error::Expected;
use composite_indicators::prelude::*;
use composite_indicators::weights::{
    NegativeLoadings, PairwiseMatrix, ahp_weights, critic_weights, entropy_weights, pca_weights,
    std_dev_weights,
};
use ndarray::{Array2, array};

fn x() -> Array2<f64> {
    array![
        [0.2, 0.9, 0.5],
        [0.4, 0.7, 0.1],
        [0.9, 0.3, 0.6],
        [0.6, 0.8, 0.0],
        [0.1, 0.5, 0.8]
    ]
}

fn y() -> Array2<f64> {
    array![
        [0.1, 0.2, 0.15],
        [0.4, 0.3, 0.5],
        [0.5, 0.7, 0.4],
        [0.9, 0.8, 0.95],
        [0.3, 0.45, 0.2],
        [0.7, 0.5, 0.6]
    ]
}

fn close(a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len());
    for (p, q) in a.iter().zip(b) {
        assert_abs_diff_eq!(p, q, epsilon = 1e-12);
    }
}

#[test]
fn entropy_reference() {
    let w = entropy_weights(x().view()).unwrap();
    close(
        &w,
        &[0.3308077196503903, 0.09231541273091298, 0.5768768676186967],
    );
}

#[test]
fn std_dev_reference() {
    let w = std_dev_weights(x().view()).unwrap();
    close(
        &w,
        &[
            0.35624558206546053,
            0.26732825999528903,
            0.37642615793925044,
        ],
    );
}

#[test]
fn critic_reference() {
    let w = critic_weights(x().view()).unwrap();
    close(
        &w,
        &[0.34366593193402273, 0.2836693028200906, 0.3726647652458866],
    );
}

#[test]
fn pca_reference() {
    let w = pca_weights(x().view()).unwrap();
    close(
        &w,
        &[0.3631852129544833, -0.7663366669387335, 0.529928876356478],
    );
    let w = pca_weights(y().view()).unwrap();
    close(
        &w,
        &[0.6053771631438232, 0.5463634332520049, 0.5787965870226077],
    );
    // listwise deletion: a row with a missing value is ignored
    let mut y2 = y();
    y2.push_row(ndarray::aview1(&[f64::NAN, 10.0, -4.0]))
        .unwrap();
    close(&pca_weights(y2.view()).unwrap(), &w);
}

#[test]
fn ahp_reference() {
    let a = array![
        [1.0, 3.0, 5.0, 7.0],
        [1.0 / 3.0, 1.0, 3.0, 5.0],
        [0.2, 1.0 / 3.0, 1.0, 3.0],
        [1.0 / 7.0, 0.2, 1.0 / 3.0, 1.0]
    ];
    let r = ahp_weights(a.view()).unwrap();
    close(
        &r.weights,
        &[
            0.5650090537990471,
            0.2622012055608735,
            0.11750425004139858,
            0.05528549059868092,
        ],
    );
    assert_abs_diff_eq!(r.lambda_max, 4.116982443447262, epsilon = 1e-10);
    assert_abs_diff_eq!(r.ci, 0.038994147815754054, epsilon = 1e-10);
    assert_abs_diff_eq!(r.cr, 0.043326830906393395, epsilon = 1e-10);
    assert!(r.check(0.1).is_ok());
}

#[test]
fn ahp_bad_matrices() {
    let e = ahp_weights(array![[1.0, 2.0, 3.0], [0.5, 1.0, 2.0]].view()).unwrap_err();
    assert!(matches!(e, Error::ShapeMismatch { .. }));
    let e = ahp_weights(array![[1.0, 2.0], [2.0, 1.0]].view()).unwrap_err();
    assert!(
        matches!(e, Error::InvalidPairwise { row: 0, col: 1, .. }),
        "{e}"
    );
    let e = ahp_weights(array![[1.0, -2.0], [-0.5, 1.0]].view()).unwrap_err();
    assert!(matches!(e, Error::InvalidPairwise { row: 0, col: 1, .. }));
    let e = ahp_weights(array![[1.0, 2.0], [0.5, 3.0]].view()).unwrap_err();
    assert!(matches!(e, Error::InvalidPairwise { row: 1, col: 1, .. }));
    // 0.333 is accepted as 1/3
    assert!(ahp_weights(array![[1.0, 3.0], [0.333, 1.0]].view()).is_ok());
}

fn framework() -> Framework {
    FrameworkSpec::new(
        "t",
        vec![
            Indicator::new("a", "P"),
            Indicator::new("b", "P").with_weight(2.0),
            Indicator::new("c", "P"),
            Indicator::new("d", "Q"),
        ],
        vec![
            Pillar::new("P").with_parent("I"),
            Pillar::new("Q").with_parent("I"),
            Pillar::new("I"),
        ],
    )
    .check()
    .unwrap()
}

fn with_d(m: Array2<f64>) -> Array2<f64> {
    let mut out = Array2::zeros((m.nrows(), 4));
    out.slice_mut(ndarray::s![.., 0..3]).assign(&m);
    for i in 0..m.nrows() {
        out[[i, 3]] = i as f64;
    }
    out
}

#[test]
fn schemes_weigh_within_groups() {
    let fw = framework();
    let xm = with_d(x());
    // nominal sum of P's children is 1 + 2 + 1 = 4; Q's single child and aggregates keep nominal weights
    let w = WeightScheme::Entropy
        .node_weights(&fw, Some(xm.view()))
        .unwrap();
    let e = entropy_weights(x().view()).unwrap();
    for j in 0..3 {
        assert_abs_diff_eq!(w[j], 4.0 * e[j], epsilon = 1e-12);
    }
    assert_eq!(&w[3..], &[1.0, 1.0, 1.0, 1.0]);
    let w = WeightScheme::Critic
        .node_weights(&fw, Some(xm.view()))
        .unwrap();
    assert_abs_diff_eq!(w[0], 4.0 * 0.34366593193402273, epsilon = 1e-12);
    let w = WeightScheme::StdDev
        .node_weights(&fw, Some(xm.view()))
        .unwrap();
    assert_abs_diff_eq!(w[2], 4.0 * 0.37642615793925044, epsilon = 1e-12);
    let ym = with_d(y());
    let w = WeightScheme::Pca {
        negative_loadings: NegativeLoadings::Reject,
    }
    .node_weights(&fw, Some(ym.view()))
    .unwrap();
    let l = [0.6053771631438232, 0.5463634332520049, 0.5787965870226077];
    let s: f64 = l.iter().sum();
    assert_abs_diff_eq!(w[1], 4.0 * l[1] / s, epsilon = 1e-12);
    // a negative loading cannot be a weight
    let e = WeightScheme::Pca {
        negative_loadings: NegativeLoadings::Reject,
    }
    .node_weights(&fw, Some(xm.view()))
    .unwrap_err();
    assert!(matches!(e, Error::InvalidWeight { code, .. } if code == "b"));
    // no data
    let e = WeightScheme::Entropy.node_weights(&fw, None).unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { parameter, .. } if parameter == "normalised"));
    let e = WeightScheme::Critic
        .node_weights(&fw, Some(x().view()))
        .unwrap_err();
    assert!(matches!(e, Error::ShapeMismatch { .. }));
}

#[test]
fn ahp_scheme() {
    let fw = framework();
    let mut matrices = BTreeMap::new();
    matrices.insert(
        "I".to_string(),
        PairwiseMatrix {
            children: vec!["Q".into(), "P".into()],
            matrix: vec![vec![1.0, 3.0], vec![1.0 / 3.0, 1.0]],
        },
    );
    let scheme = WeightScheme::Ahp {
        matrices: matrices.clone(),
        max_cr: 0.1,
    };
    let w = scheme.node_weights(&fw, None).unwrap();
    // Q three times as important as P: weights 0.75 / 0.25
    assert_abs_diff_eq!(w[5], 0.75, epsilon = 1e-12);
    assert_abs_diff_eq!(w[4], 0.25, epsilon = 1e-12);
    assert_eq!(w[1], 2.0);
    // serde: max_cr defaults to 0.1
    let json =
        r#"{"scheme":"ahp","matrices":{"I":{"children":["P","Q"],"matrix":[[1,2],[0.5,1]]}}}"#;
    let s: WeightScheme = serde_json::from_str(json).unwrap();
    assert!(matches!(s, WeightScheme::Ahp { max_cr, .. } if max_cr == 0.1));
    // wrong children
    matrices.get_mut("I").unwrap().children = vec!["Q".into(), "a".into()];
    let scheme = WeightScheme::Ahp {
        matrices: matrices.clone(),
        max_cr: 0.1,
    };
    assert!(
        matches!(scheme.node_weights(&fw, None), Err(Error::InvalidSpec { code, .. }) if code == "I")
    );
    // inconsistent matrix on P's three children
    let mut m = BTreeMap::new();
    m.insert(
        "P".to_string(),
        PairwiseMatrix {
            children: vec!["a".into(), "b".into(), "c".into()],
            matrix: vec![
                vec![1.0, 3.0, 1.0 / 3.0],
                vec![1.0 / 3.0, 1.0, 3.0],
                vec![3.0, 1.0 / 3.0, 1.0],
            ],
        },
    );
    let scheme = WeightScheme::Ahp {
        matrices: m,
        max_cr: 0.1,
    };
    let e = scheme.node_weights(&fw, None).unwrap_err();
    assert!(matches!(e, Error::InconsistentPairwise { group: Some(g), .. } if g == "P"));
}

#[test]
fn data_errors() {
    let e = entropy_weights(array![[0.5, -0.1], [0.2, 0.3]].view()).unwrap_err();
    assert!(matches!(e, Error::OutOfRange { .. }));
    let e = critic_weights(array![[1.0, 0.1], [1.0, 0.3], [1.0, 0.2]].view()).unwrap_err();
    assert!(matches!(e, Error::ZeroRange { .. }));
    let e = pca_weights(array![[1.0, 0.1], [2.0, f64::NAN], [3.0, 0.2]].view()).unwrap_err();
    assert!(matches!(e, Error::InsufficientData { .. }));
    // missing values are skipped column by column by entropy and sd
    let w = std_dev_weights(array![[0.0, 0.0], [2.0, 1.0], [4.0, 2.0], [f64::NAN, 9.0]].view());
    assert!(w.is_ok());
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn weights_are_a_distribution(v in proptest::collection::vec(0.01f64..1.0, 18)) {
            let m = Array2::from_shape_vec((6, 3), v).unwrap();
            for w in [entropy_weights(m.view()), std_dev_weights(m.view())] {
                let w = w.unwrap();
                prop_assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-9);
                prop_assert!(w.iter().all(|x| *x >= 0.0));
            }
            let p = pca_weights(m.view()).unwrap();
            prop_assert!((p.iter().map(|x| x * x).sum::<f64>() - 1.0).abs() < 1e-9);
        }
    }
}

mod budget {
    use composite_indicators::prelude::*;
    use composite_indicators::study::panel::PanelAggregate;
    use composite_indicators::weights::BudgetSurvey;
    use std::collections::BTreeMap;

    fn fw() -> Framework {
        crate::common::two_pillars()
    }

    fn scheme(children: &[&str], points: Vec<Vec<f64>>, aggregate: PanelAggregate) -> WeightScheme {
        let mut surveys = BTreeMap::new();
        surveys.insert(
            "P".to_string(),
            BudgetSurvey {
                children: children.iter().map(|c| c.to_string()).collect(),
                points,
            },
        );
        WeightScheme::Budget { surveys, aggregate }
    }

    #[test]
    fn points_become_group_weights() {
        // mean points: b = (40 + 50 + 30) / 3 = 40, a = 60 -> 0.4 and 0.6 (columns given as b, a)
        let s = scheme(
            &["b", "a"],
            vec![vec![40.0, 60.0], vec![50.0, 50.0], vec![30.0, 70.0]],
            PanelAggregate::Mean,
        );
        let w = s.node_weights(&fw(), None).unwrap();
        let p = fw().position("a").unwrap();
        let q = fw().position("b").unwrap();
        assert!((w[p] - 0.6).abs() < 1e-12 && (w[q] - 0.4).abs() < 1e-12);
        // Q's child and the pillars keep their nominal weights
        assert_eq!(w[fw().position("c").unwrap()], 1.0);
        assert_eq!(w[fw().position("Q").unwrap()], 1.0);
        // median of b: 40 -> b 40/(40+60)
        let s = scheme(
            &["b", "a"],
            vec![vec![40.0, 60.0], vec![50.0, 50.0], vec![30.0, 70.0]],
            PanelAggregate::Median,
        );
        let w = s.node_weights(&fw(), None).unwrap();
        assert!((w[q] - 0.4).abs() < 1e-12);
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<WeightScheme>(&json).unwrap(), s);
    }

    #[test]
    fn bad_surveys_are_typed_errors() {
        let s = scheme(&["a", "zz"], vec![vec![1.0, 2.0]], PanelAggregate::Mean);
        let e = s.node_weights(&fw(), None).unwrap_err();
        assert!(
            matches!(e, Error::InvalidSpec { ref code, .. } if code == "P"),
            "{e}"
        );
        assert!(e.to_string().contains("zz"));
        let s = scheme(
            &["a", "b"],
            vec![vec![1.0, 2.0], vec![3.0]],
            PanelAggregate::Mean,
        );
        assert!(matches!(
            s.node_weights(&fw(), None),
            Err(Error::ShapeMismatch { .. })
        ));
        let s = scheme(&["a"], vec![vec![1.0]], PanelAggregate::Mean);
        assert!(matches!(
            s.node_weights(&fw(), None),
            Err(Error::InvalidSpec { .. })
        ));
    }
}

// ------------------------------------------------------------------ signed PCA weights (COINr's)
//
// Reference values: `tests/reference/pca_signed_numpy.py` (numpy 2, run from the repository root):
// per ASEM pillar, the direction-oriented indicators, rows with a missing value dropped (COINr's
// `na.omit`), the eigenvector of the largest eigenvalue of their correlation matrix (`eigh`), oriented
// to a positive sum, rescaled to the pillar's nominal weight sum (1 per indicator); pillar scores by
// min-max [0, 100] and `Σ wx / Σ w` over each unit's available indicators (COINr's `a_amean`), NaN
// where that weight sum is not positive. Instit, Environ and SusEcFin have a negative loading.

mod signed_pca {
    use super::*;
    use composite_indicators::io::{read_idata_path, read_imeta_path};
    use composite_indicators::score::Scorer;
    use std::path::Path;

    fn asem() -> (Framework, Dataset) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/asem");
        let meta = read_imeta_path(dir.join("iMeta.csv")).unwrap();
        let data = read_idata_path(dir.join("iData.csv"), &meta).unwrap();
        (meta.spec.clone().check().unwrap(), data)
    }

    fn keep() -> WeightScheme {
        WeightScheme::Pca {
            negative_loadings: NegativeLoadings::Keep,
        }
    }

    /// Relative closeness (absolute near zero), NaN matching NaN.
    fn near(got: &[f64], want: &[f64], rel: f64, what: &str) {
        assert_eq!(got.len(), want.len(), "{what}");
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            if w.is_nan() {
                assert!(g.is_nan(), "{what} [{i}]: {g}, want NaN");
            } else {
                assert!(
                    (g - w).abs() <= rel * (1.0 + w.abs()),
                    "{what} [{i}]: {g}, want {w}"
                );
            }
        }
    }

    fn group_weights(fw: &Framework, w: &[f64], group: &str) -> Vec<f64> {
        let k = fw.position(group).unwrap();
        fw.nodes()[k].children.iter().map(|&c| w[c]).collect()
    }

    #[test]
    fn reject_is_the_default_and_names_the_indicator() {
        let (fw, data) = asem();
        let s: WeightScheme = serde_json::from_str(r#"{"scheme": "pca"}"#).unwrap();
        assert_eq!(
            s,
            WeightScheme::Pca {
                negative_loadings: NegativeLoadings::Reject
            }
        );
        let e = Scorer::new(fw).weights(s).score(&data).unwrap_err();
        // Instit is the first pillar with a negative loading (TBTs, numpy: −0.444)
        assert!(
            matches!(&e, Error::InvalidWeight { code, weight } if code == "TBTs" && *weight < 0.0),
            "{e}"
        );
    }

    #[test]
    fn kept_loadings_match_numpy_on_asem() {
        let (fw, data) = asem();
        let scorer = Scorer::new(fw.clone())
            .weights(keep())
            .aggregator_for_level(2, AggregatorKind::SignedArithmetic)
            .unwrap();
        let scores = scorer.score(&data).unwrap();
        let w = scores.node_weights();
        for (group, want) in [
            ("Instit", &PCA_W_INSTIT[..]),
            ("Environ", &PCA_W_ENVIRON[..]),
            ("SusEcFin", &PCA_W_SUSECFIN[..]),
        ] {
            // loadings agree to ~1e-15; SusEcFin's sum is 0.21, which magnifies errors ×10
            near(&group_weights(&fw, w, group), want, 1e-12, group);
        }
        for (group, want) in [
            ("Instit", &PCA_SCORES_INSTIT),
            ("Environ", &PCA_SCORES_ENVIRON),
            ("SusEcFin", &PCA_SCORES_SUSECFIN),
        ] {
            let got = scores.node_values(group).unwrap().to_vec();
            near(&got, want, 1e-11, group);
        }
        // the signed mean leaves the children's range: SusEcFin is outside [0, 100] for some units,
        // and the unit whose available weights sum to a negative number is NaN, not a flipped score
        let sus = scores.node_values("SusEcFin").unwrap();
        assert!(sus.iter().any(|v| *v < 0.0) && sus.iter().any(|v| *v > 100.0));
        assert_eq!(sus.iter().filter(|v| v.is_nan()).count(), 1);
    }

    #[test]
    fn kept_loadings_need_the_signed_aggregator() {
        let (fw, data) = asem();
        let e = Scorer::new(fw).weights(keep()).score(&data).unwrap_err();
        match &e {
            Error::InvalidParameter {
                parameter: name,
                expected: Expected::Rule(reason),
                ..
            } => {
                assert_eq!(name, "weights of `Instit`");
                assert!(
                    reason.contains("TBTs") && reason.contains("signed_arithmetic"),
                    "{reason}"
                );
            }
            other => panic!("expected InvalidParameter, got {other}"),
        }
    }

    #[test]
    fn positive_loadings_are_the_same_under_both_options() {
        // Political's loadings are all positive: Keep and Reject agree (numpy: 0.956, 1.249, 0.794)
        let (fw, data) = asem();
        let x = Scorer::new(fw.clone())
            .fit(&data)
            .unwrap()
            .normalise(&data)
            .unwrap();
        let political: Vec<usize> = fw.nodes()[fw.position("Political").unwrap()]
            .children
            .clone();
        let sub = x.select(ndarray::Axis(1), &political);
        let fw1 = FrameworkSpec::new(
            "p",
            vec![
                Indicator::new("Embs", "Political"),
                Indicator::new("IGOs", "Political"),
                Indicator::new("UNVote", "Political"),
            ],
            vec![Pillar::new("Political")],
        )
        .check()
        .unwrap();
        let a = keep().node_weights(&fw1, Some(sub.view())).unwrap();
        let b = WeightScheme::Pca {
            negative_loadings: NegativeLoadings::Reject,
        }
        .node_weights(&fw1, Some(sub.view()))
        .unwrap();
        assert_eq!(a, b);
        near(
            &a[..3],
            &[0.9562848707543681, 1.2492787740524207, 0.794436355193211],
            1e-12,
            "Political",
        );
    }

    /// Instit: node weights of its indicators (script output, `node weights`).
    const PCA_W_INSTIT: [f64; 6] = [
        1.8802322836295051,
        1.2887118003085185,
        -1.752272414513641,
        1.1114708027208486,
        1.832905887078268,
        1.6389516407765,
    ];

    /// Instit: pillar scores, `Σ wx / Σ w` over available indicators (script output, `pillar scores`).
    const PCA_SCORES_INSTIT: [f64; 51] = [
        101.31474292969196,
        104.71333175419073,
        99.30525358570443,
        101.29748556321643,
        97.8055969770784,
        106.21241036809582,
        105.76319475865974,
        101.16450637876673,
        100.58646472338481,
        105.62991676554215,
        100.81008016430589,
        100.30040620952958,
        101.49770136156073,
        96.55959456253433,
        102.06473044964636,
        100.34207476993745,
        100.5632042387783,
        101.24810393313314,
        100.45835583013019,
        111.47718990490893,
        85.76751085438079,
        101.06454788392854,
        101.26476368227284,
        102.44730706252363,
        101.73093784951654,
        102.78050204531763,
        102.74778016437405,
        104.01646506880368,
        87.81558243729654,
        101.54153833287859,
        42.0613276637709,
        25.70827857000561,
        54.404860187872245,
        24.280822013403444,
        61.18201900204136,
        48.52827658594007,
        57.39367644623704,
        62.905566075833,
        41.9940898845135,
        94.99397995690353,
        37.38240749834595,
        54.58037751168463,
        28.166695526999657,
        8.605676892885903,
        50.01960837330134,
        -0.9407913090076412,
        45.34195537749929,
        34.296702786048954,
        61.64694954511051,
        46.75323156171072,
        30.712717136299702,
    ];

    /// Environ: node weights of its indicators (script output, `node weights`).
    const PCA_W_ENVIRON: [f64; 5] = [
        1.393453443832279,
        0.9235944368673357,
        1.7147187243172297,
        1.6006122265819633,
        -0.6323788315988079,
    ];

    /// Environ: pillar scores, `Σ wx / Σ w` over available indicators (script output, `pillar scores`).
    const PCA_SCORES_ENVIRON: [f64; 51] = [
        61.67754813099894,
        45.705505462046816,
        43.922332344376166,
        69.26400351021793,
        46.41903386574638,
        42.66537260023989,
        65.55490009376703,
        22.112917945122042,
        47.07482232006531,
        58.4757936007838,
        49.99926866925852,
        58.18076467016698,
        56.33431105909815,
        55.69460570093528,
        62.30351565961685,
        69.56846187169698,
        65.3548530796673,
        25.38520135948615,
        54.736422792634585,
        44.17051155092031,
        62.72461725808523,
        48.1929718955744,
        79.19842354514189,
        66.48841063069561,
        56.658673455994055,
        54.451474115407585,
        62.49284935768658,
        70.94038403136481,
        67.15871444859363,
        60.35326796203268,
        13.538961882638446,
        85.9421568587614,
        12.472528474577741,
        96.10859521942352,
        32.40011507983355,
        75.47560209563456,
        80.9423177375544,
        49.4124069820775,
        9.954711807421864,
        30.822634019875796,
        94.57652292917206,
        45.25077968387088,
        21.851233829159163,
        96.87506040422925,
        45.638541118416185,
        82.51691850230355,
        80.63249540683631,
        26.579285492632465,
        30.072883195136637,
        58.5136781500633,
        69.71408518592526,
    ];

    /// SusEcFin: node weights of its indicators (script output, `node weights`).
    const PCA_W_SUSECFIN: [f64; 5] = [
        5.3899809408207435,
        11.698628231447971,
        11.225562878224466,
        -12.601111865265812,
        -10.713060185227372,
    ];

    /// SusEcFin: pillar scores, `Σ wx / Σ w` over available indicators (script output, `pillar scores`).
    const PCA_SCORES_SUSECFIN: [f64; 51] = [
        -53.32892655226951,
        -81.68485922328179,
        219.2563532122013,
        182.69145066578022,
        -33.08738814149319,
        124.24692239748431,
        -95.66793837154349,
        172.92842999309778,
        -36.98733075419594,
        -29.043403050450046,
        -25.921611855646276,
        71.79881280100983,
        164.63887788543204,
        92.77084240639053,
        101.53931060442619,
        255.239867705703,
        233.64877191451382,
        -160.46893695366222,
        129.20784822913078,
        -35.29966477114083,
        -65.13152011767181,
        199.22787718651725,
        48.07506220977594,
        381.77426094836085,
        162.00462090718477,
        105.42948665711037,
        92.64239022908104,
        -123.29605525466992,
        -145.29130473114262,
        3.335334615936747,
        -53.351564148529604,
        121.27707013626903,
        -1.323609887569935,
        306.25041120187103,
        93.00453042159411,
        351.7638781219611,
        337.41371672546126,
        -171.16080266841448,
        229.70181482511927,
        20.0221323069942,
        136.13943745396242,
        158.69372612210896,
        f64::NAN,
        103.5160578247436,
        60.44301102668662,
        362.6738568888715,
        353.76710489511595,
        107.46209857248355,
        1.1490181561684503,
        203.99444647863217,
        198.99090364537298,
    ];
}
