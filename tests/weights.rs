//! Data-driven and AHP weights against independently computed values.
//!
//! Reference numbers were computed with plain Python 3 (no numpy on the build machine), from the
//! textbook formulas, in a separate script: entropy / sd / CRITIC directly; PCA loadings by power
//! iteration on the correlation matrix (I + R, 5000 steps); AHP by repeated squaring of A (A^256,
//! row sums normalised), then λ_max = mean((A w)_i / w_i).

use std::collections::BTreeMap;

mod common;

use approx::assert_abs_diff_eq;
use composite_indicators::prelude::*;
use composite_indicators::weights::{
    PairwiseMatrix, ahp_weights, critic_weights, entropy_weights, pca_weights, std_dev_weights,
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
    FrameworkSpec {
        name: "t".into(),
        indicators: vec![
            Indicator::new("a", "P"),
            Indicator::new("b", "P").with_weight(2.0),
            Indicator::new("c", "P"),
            Indicator::new("d", "Q"),
        ],
        pillars: vec![
            Pillar::new("P").with_parent("I"),
            Pillar::new("Q").with_parent("I"),
            Pillar::new("I"),
        ],
    }
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
    let w = WeightScheme::Pca
        .node_weights(&fw, Some(ym.view()))
        .unwrap();
    let l = [0.6053771631438232, 0.5463634332520049, 0.5787965870226077];
    let s: f64 = l.iter().sum();
    assert_abs_diff_eq!(w[1], 4.0 * l[1] / s, epsilon = 1e-12);
    // a negative loading cannot be a weight
    let e = WeightScheme::Pca
        .node_weights(&fw, Some(xm.view()))
        .unwrap_err();
    assert!(matches!(e, Error::InvalidWeight { code, .. } if code == "b"));
    // no data
    let e = WeightScheme::Entropy.node_weights(&fw, None).unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { name, .. } if name == "normalised"));
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
    use composite_indicators::panel::PanelAggregate;
    use composite_indicators::prelude::*;
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
