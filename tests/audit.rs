//! Statistical audit against independently computed values.
//!
//! Reference numbers computed with plain Python 3 from the textbook formulas (Pearson on the raw
//! values, Spearman as Pearson on average ranks, COINr's Cronbach formula on sample covariances, the
//! first eigenvalue of the correlation matrix by power iteration divided by the number of columns).

use approx::assert_abs_diff_eq;
use composite_indicators::audit::{
    AuditOptions, CorrMethod, Flag, audit, correlation, correlation_matrix, correlation_pvalues,
    correlation_test, cronbach_alpha, goodman_kruskal_gamma, kendall_tau_b, pca_variance_explained,
    rank_similarity, significant_correlation_matrix, weighted_spearman, ws_coefficient,
};
use composite_indicators::prelude::*;
use ndarray::{Array2, array};

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

#[test]
fn correlation_matrices() {
    let p = correlation_matrix(y().view(), CorrMethod::Pearson).unwrap();
    assert_abs_diff_eq!(p[[0, 1]], 0.822799762049078, epsilon = 1e-12);
    assert_abs_diff_eq!(p[[0, 2]], 0.94847819950784, epsilon = 1e-12);
    assert_abs_diff_eq!(p[[2, 1]], 0.6964118413098829, epsilon = 1e-12);
    let s = correlation_matrix(y().view(), CorrMethod::Spearman).unwrap();
    assert_abs_diff_eq!(s[[0, 1]], 0.8857142857142857, epsilon = 1e-12);
    assert_abs_diff_eq!(s[[0, 2]], 0.9428571428571428, epsilon = 1e-12);
    assert_abs_diff_eq!(s[[1, 2]], 0.7142857142857143, epsilon = 1e-12);
    // pairwise complete: a missing value drops only that pair
    let mut m = y();
    m[[5, 0]] = f64::NAN;
    let p = correlation_matrix(m.view(), CorrMethod::Pearson).unwrap();
    assert_abs_diff_eq!(p[[0, 1]], 0.8792032483100827, epsilon = 1e-12);
    let s = correlation_matrix(m.view(), CorrMethod::Spearman).unwrap();
    assert_abs_diff_eq!(s[[0, 1]], 0.9, epsilon = 1e-12);
}

#[test]
fn too_few_pairs() {
    let x = array![1.0, 2.0, f64::NAN, 4.0];
    let z = array![1.0, f64::NAN, 3.0, 2.0];
    let e = correlation(x.view(), z.view(), CorrMethod::Pearson).unwrap_err();
    assert!(matches!(
        e,
        Error::InsufficientData {
            needed: 3,
            found: 2,
            ..
        }
    ));
    let e = correlation_matrix(array![[1.0, 2.0], [2.0, 1.0]].view(), CorrMethod::Spearman)
        .unwrap_err();
    assert!(matches!(e, Error::InsufficientData { .. }));
}

#[test]
fn alpha_and_pca() {
    assert_abs_diff_eq!(
        cronbach_alpha(y().view()).unwrap(),
        0.9311088738673953,
        epsilon = 1e-12
    );
    let v = pca_variance_explained(y().view()).unwrap();
    assert_abs_diff_eq!(v[0], 0.8831413474684418, epsilon = 1e-12);
    assert_abs_diff_eq!(v.iter().sum::<f64>(), 1.0, epsilon = 1e-12);
    assert!(v[1] >= v[2]);
}

fn framework() -> Framework {
    FrameworkSpec::new(
        "t",
        vec![
            Indicator::new("a", "P"),
            Indicator::new("b", "P"),
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

#[test]
fn full_audit() {
    let fw = framework();
    // indicators a, b, c = columns of y(); d runs against P
    let mut x = Array2::zeros((6, 4));
    x.slice_mut(ndarray::s![.., 0..3]).assign(&y());
    let d = [0.9, 0.5, 0.4, 0.1, 0.6, 0.3];
    for (i, v) in d.iter().enumerate() {
        x[[i, 3]] = *v;
    }
    // node scores: indicators, P = mean(a, b, c), Q = d, I = mean(P, Q)
    let mut s = Array2::zeros((6, 7));
    s.slice_mut(ndarray::s![.., 0..4]).assign(&x);
    for i in 0..6 {
        let p = (x[[i, 0]] + x[[i, 1]] + x[[i, 2]]) / 3.0;
        s[[i, 4]] = p;
        s[[i, 5]] = x[[i, 3]];
        s[[i, 6]] = (p + x[[i, 3]]) / 2.0;
    }
    let rep = audit(x.view(), Some(s.view()), &fw, &AuditOptions::default()).unwrap();
    assert_eq!(rep.indicators, vec!["a", "b", "c", "d"]);
    assert_abs_diff_eq!(rep.pearson[[0, 2]], 0.94847819950784, epsilon = 1e-12);
    // a-c (0.948 > 0.9) is collinear; a-b (0.823) and b-c are not
    let collinear: Vec<&Flag> = rep
        .flags
        .iter()
        .filter(|f| matches!(f, Flag::Collinear { .. }))
        .collect();
    assert_eq!(collinear.len(), 1);
    assert!(
        matches!(collinear[0], Flag::Collinear { group, a, b, .. } if group == "P" && a == "a" && b == "c")
    );
    // Q is a child of the root, so its parent correlation is its index correlation
    let q = rep.parents.iter().find(|p| p.node == "Q").unwrap();
    assert_eq!(q.parent, "I");
    let p = rep.parents.iter().find(|p| p.node == "P").unwrap();
    // corr(P, Q) < 0 and I = (P + Q)/2: recompute corr(Q, I) by hand
    let iv = s.column(6).to_owned();
    let expect = correlation(s.column(5), iv.view(), CorrMethod::Pearson).unwrap();
    assert_abs_diff_eq!(q.with_parent, expect, epsilon = 1e-15);
    assert_eq!(q.with_parent, q.with_index);
    assert_eq!(rep.parents.len(), 6);
    let neg: Vec<&Flag> = rep
        .flags
        .iter()
        .filter(|f| matches!(f, Flag::NegativeWithParent { .. }))
        .collect();
    for f in &neg {
        if let Flag::NegativeWithParent { r, .. } = f {
            assert!(*r < 0.0);
        }
    }
    assert_eq!(
        neg.len(),
        rep.parents.iter().filter(|p| p.with_parent < 0.0).count()
    );
    assert!(p.with_parent.is_finite());
    // groups: P has alpha and PCA; Q has a single indicator
    assert_eq!(rep.groups.len(), 2);
    assert_abs_diff_eq!(
        rep.groups[0].cronbach_alpha.unwrap(),
        0.9311088738673953,
        epsilon = 1e-12
    );
    assert_abs_diff_eq!(
        rep.groups[0].pca_variance.as_ref().unwrap()[0],
        0.8831413474684418,
        epsilon = 1e-12
    );
    assert_eq!(rep.groups[1].cronbach_alpha, None);
    // shape errors
    assert!(matches!(
        audit(x.view(), Some(x.view()), &fw, &AuditOptions::default()),
        Err(Error::ShapeMismatch { .. })
    ));
}

#[test]
fn negative_with_parent_flag() {
    let fw = FrameworkSpec::new(
        "t",
        vec![
            Indicator::new("a", "I"),
            Indicator::new("b", "I"),
            Indicator::new("c", "I"),
        ],
        vec![Pillar::new("I")],
    )
    .check()
    .unwrap();
    // c falls while a and b (and the index) rise
    let x = array![
        [0.0, 0.1, 0.9],
        [0.5, 0.6, 0.5],
        [1.0, 0.9, 0.3],
        [0.7, 0.8, 0.2]
    ];
    let mut s = Array2::zeros((4, 4));
    s.slice_mut(ndarray::s![.., 0..3]).assign(&x);
    for i in 0..4 {
        s[[i, 3]] = (x[[i, 0]] + x[[i, 1]] + x[[i, 2]]) / 3.0;
    }
    let rep = audit(x.view(), Some(s.view()), &fw, &AuditOptions::default()).unwrap();
    assert!(
        rep.flags
            .iter()
            .any(|f| matches!(f, Flag::NegativeWithParent { node, .. } if node == "c"))
    );
    assert!(
        !rep.flags
            .iter()
            .any(|f| matches!(f, Flag::NegativeWithParent { node, .. } if node == "a"))
    );
}

/// COINr's `get_corr_flags` defaults: a pair is collinear when `r > 0.9`, signed (`thresh_type =
/// "high"`), so a pair at r ≈ −0.99 is not flagged and one at 0.948 is.
#[test]
fn collinear_flags_are_signed_above_coinr_default() {
    assert_eq!(AuditOptions::default().collinear_threshold, 0.9);
    let fw = framework();
    let mut x = Array2::zeros((6, 4));
    x.slice_mut(ndarray::s![.., 0..3]).assign(&y());
    // b = −a + a little noise: r(a, b) ≈ −0.99
    for i in 0..6 {
        x[[i, 1]] = -x[[i, 0]] + if i % 2 == 0 { 0.01 } else { -0.01 };
        x[[i, 3]] = [0.9, 0.5, 0.4, 0.1, 0.6, 0.3][i];
    }
    let rep = audit(x.view(), None, &fw, &AuditOptions::default()).unwrap();
    assert!(rep.pearson[[0, 1]] < -0.98, "{}", rep.pearson[[0, 1]]);
    let pairs: Vec<(&str, &str)> = rep
        .flags
        .iter()
        .filter_map(|f| match f {
            Flag::Collinear { a, b, .. } => Some((a.as_str(), b.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(pairs, [("a", "c")]);
}

/// On ASEM's default build (min-max 0–100 of the raw data), COINr's `get_corr_flags(coin,
/// "Normalised")` with its defaults flags one pair, Research–CultGood in P2P at r = 0.902743142506835
/// (computed independently from COINr's R code in Python for this project's parity review); no pair
/// is above the old default of 0.92.
#[test]
fn asem_collinear_flags_match_coinr_defaults() {
    let meta = composite_indicators::io::read_imeta_path("data/asem/iMeta.csv").unwrap();
    let data = composite_indicators::io::read_idata_path("data/asem/iData.csv", &meta).unwrap();
    let fw = meta.spec.clone().check().unwrap();
    let result = composite_indicators::pipeline::Pipeline::default()
        .run(&data, &fw)
        .unwrap();
    let normalised = result.dataset("Normalised").unwrap();
    let x = normalised.select(&fw.indicator_codes()).unwrap();
    let rep = audit(x.view(), None, &fw, &AuditOptions::default()).unwrap();
    let found: Vec<(String, String, String, f64)> = rep
        .flags
        .iter()
        .filter_map(|f| match f {
            Flag::Collinear { group, a, b, r } => Some((group.clone(), a.clone(), b.clone(), *r)),
            _ => None,
        })
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    let (group, a, b, r) = &found[0];
    assert_eq!(group, "P2P");
    let mut pair = [a.as_str(), b.as_str()];
    pair.sort();
    assert_eq!(pair, ["CultGood", "Research"]);
    assert!((r - 0.902743142506835).abs() < 1e-12, "{r}");
}

/// ASEM raw indicators `LPI`, `Flights`, `Ship`, `Bord`, `Goods`, `Services`.
fn asem_columns() -> Array2<f64> {
    let meta = composite_indicators::io::read_imeta_path("data/asem/iMeta.csv").unwrap();
    let data = composite_indicators::io::read_idata_path("data/asem/iData.csv", &meta).unwrap();
    data.select(&["LPI", "Flights", "Ship", "Bord", "Goods", "Services"])
        .unwrap()
}

/// Significance tests on real data against an independent reference: r from the textbook formulas in
/// Python (`mpmath`, 40 digits), `t = √(n − 2)·r/√(1 − r²)`, two-sided `p = I_{df/(df+t²)}(df/2, 1/2)`
/// (the regularized incomplete beta, which equals R's `2·pt(−|t|, df)`) for Pearson and for Spearman
/// with ties (LPI–Ship, Ship–Bord); for untied Spearman pairs (LPI–Flights, Goods–Services, 51 units)
/// R's default AS 89 Edgeworth tail, written separately in Python from the published algorithm
/// (Goods–Services is beyond the series' range and clamps to 0, as R's `prho`).
#[allow(clippy::excessive_precision)] // reference digits as mpmath printed them
#[test]
fn correlation_tests_on_asem_match_an_independent_reference() {
    let x = asem_columns();
    // (column a, column b, method, r, t, p), n = 51 complete pairs
    let cases = [
        (
            0,
            1,
            CorrMethod::Pearson,
            0.50908220892804912,
            4.1402362605405196,
            0.00013624264186505295,
        ),
        (
            0,
            1,
            CorrMethod::Spearman,
            0.59429864253393665,
            5.172669249904019,
            6.674209549763918e-6, // AS 89 (untied)
        ),
        (
            0,
            2,
            CorrMethod::Pearson,
            0.31695265015546879,
            2.3392785674253921,
            0.023441806699215871,
        ),
        (
            0,
            2,
            CorrMethod::Spearman,
            0.36751497345236402,
            2.7661893735141003,
            0.0079763712025037871,
        ),
        (
            2,
            3,
            CorrMethod::Pearson,
            0.10507409730350973,
            0.73961288548269954,
            0.46306373819127586,
        ),
        (
            2,
            3,
            CorrMethod::Spearman,
            0.043797320620779203,
            0.30687571093166584,
            0.76023833784238132,
        ),
        (
            4,
            5,
            CorrMethod::Pearson,
            0.88867291261274872,
            13.566292715664303,
            3.2449351525387922e-18,
        ),
        (
            4,
            5,
            CorrMethod::Spearman,
            0.88497737556561086,
            13.304100008826104,
            0.0, // AS 89 (untied), clamped
        ),
    ];
    for (a, b, method, r, t, p) in cases {
        let got = correlation_test(x.column(a).view(), x.column(b).view(), method).unwrap();
        assert_eq!(got.n, 51);
        assert_abs_diff_eq!(got.r, r, epsilon = 1e-13);
        assert!(
            (got.t - t).abs() <= 1e-11 * t,
            "{a}-{b} {method:?}: t {} vs {t}",
            got.t
        );
        assert!(
            (got.p_value - p).abs() <= 1e-12 * p || got.p_value == p,
            "{a}-{b} {method:?}: p {} vs {p}",
            got.p_value
        );
    }
}

#[test]
fn insignificant_correlations_are_masked_as_coinr_get_corr_does() {
    let x = asem_columns();
    for method in [CorrMethod::Pearson, CorrMethod::Spearman] {
        let r = correlation_matrix(x.view(), method).unwrap();
        let p = correlation_pvalues(x.view(), method).unwrap();
        for j in 0..6 {
            assert_eq!(p[[j, j]], 0.0);
            for k in 0..6 {
                assert_eq!(p[[j, k]].to_bits(), p[[k, j]].to_bits());
                if j != k {
                    let one = correlation_test(x.column(j), x.column(k), method).unwrap();
                    assert_eq!(p[[j, k]].to_bits(), one.p_value.to_bits());
                }
            }
        }
        let masked = significant_correlation_matrix(x.view(), method, 0.05).unwrap();
        for ((idx, &m), &pv) in masked.indexed_iter().zip(p.iter()) {
            if pv > 0.05 {
                assert!(m.is_nan(), "{idx:?} p = {pv} kept");
            } else {
                assert_eq!(m.to_bits(), r[idx].to_bits(), "{idx:?}");
            }
        }
        // Ship–Bord (p = 0.46 / 0.76) goes, LPI–Flights stays
        assert!(masked[[2, 3]].is_nan() && masked[[3, 2]].is_nan());
        assert!(!masked[[0, 1]].is_nan());
        let off = significant_correlation_matrix(x.view(), method, 0.0).unwrap();
        assert_eq!(off.map(|v| v.to_bits()), r.map(|v| v.to_bits()));
    }
    for bad in [-0.1, 1.5, f64::NAN] {
        let e = significant_correlation_matrix(x.view(), CorrMethod::Pearson, bad).unwrap_err();
        assert!(matches!(e, Error::InvalidParameter { .. }), "{e}");
    }
}

// ---------------------------------------------------------------- rank similarity
//
// Reference values from a Python script run for this test (scipy 1.17.1, pymcdm 1.4.0):
//   x = [3.1, 2.0, 2.0, 5.5, 4.2, 1.0, 3.1, 7.7, 0.5, 2.0]
//   y = [2.9, 2.5, 1.0, 6.0, 3.0, 1.0, 4.4, 7.0, 0.7, 2.2]
//   scipy.stats.kendalltau(x, y).statistic          -> 0.8946750577612211 (tau-b, ties in both)
//   pymcdm.correlations.goodman_kruskal_gamma(x, y) -> 0.95
//   a = [1..10], b = [3, 1, 2, 6, 4, 5, 10, 7, 9, 8]
//   pymcdm weighted_spearman(a, b) = (b, a)         -> 0.8633608815426997
//   pymcdm rank_similarity_coef(a, b)               -> 0.8048921130952381
//   pymcdm rank_similarity_coef(b, a)               -> 0.851819816468254
//   scipy.stats.kendalltau(a, b).statistic          -> 0.6444444444444444

fn tied_pair() -> (Vec<f64>, Vec<f64>) {
    (
        vec![3.1, 2.0, 2.0, 5.5, 4.2, 1.0, 3.1, 7.7, 0.5, 2.0],
        vec![2.9, 2.5, 1.0, 6.0, 3.0, 1.0, 4.4, 7.0, 0.7, 2.2],
    )
}

fn rankings() -> (Vec<f64>, Vec<f64>) {
    (
        (1..=10).map(f64::from).collect(),
        vec![3.0, 1.0, 2.0, 6.0, 4.0, 5.0, 10.0, 7.0, 9.0, 8.0],
    )
}

#[test]
fn kendall_and_gamma_match_scipy_and_pymcdm_with_ties() {
    let (x, y) = tied_pair();
    let (x, y) = (ndarray::Array1::from(x), ndarray::Array1::from(y));
    assert_abs_diff_eq!(
        kendall_tau_b(x.view(), y.view()).unwrap(),
        0.8946750577612211,
        epsilon = 1e-14
    );
    assert_abs_diff_eq!(
        goodman_kruskal_gamma(x.view(), y.view()).unwrap(),
        0.95,
        epsilon = 1e-14
    );
    // symmetric in x and y
    assert_eq!(
        kendall_tau_b(x.view(), y.view()).unwrap(),
        kendall_tau_b(y.view(), x.view()).unwrap()
    );
}

#[test]
fn weighted_spearman_and_ws_match_pymcdm() {
    let (a, b) = rankings();
    let (a, b) = (ndarray::Array1::from(a), ndarray::Array1::from(b));
    assert_abs_diff_eq!(
        weighted_spearman(a.view(), b.view()).unwrap(),
        0.8633608815426997,
        epsilon = 1e-14
    );
    assert_abs_diff_eq!(
        weighted_spearman(b.view(), a.view()).unwrap(),
        0.8633608815426997,
        epsilon = 1e-14
    );
    assert_abs_diff_eq!(
        ws_coefficient(a.view(), b.view()).unwrap(),
        0.8048921130952381,
        epsilon = 1e-14
    );
    // WS is not symmetric: the first argument is the reference
    assert_abs_diff_eq!(
        ws_coefficient(b.view(), a.view()).unwrap(),
        0.851819816468254,
        epsilon = 1e-14
    );
    assert_abs_diff_eq!(
        kendall_tau_b(a.view(), b.view()).unwrap(),
        0.6444444444444444,
        epsilon = 1e-14
    );
}

#[test]
fn rank_similarity_on_scores_ranks_the_common_units() {
    // scores whose descending ranks are exactly `rankings()`, plus a unit missing in one set
    let (a, b) = rankings();
    let mut sa: Vec<f64> = a.iter().map(|r| 100.0 - r).collect();
    let mut sb: Vec<f64> = b.iter().map(|r| 100.0 - 5.0 * r).collect();
    sa.push(1000.0);
    sb.push(f64::NAN);
    let s = rank_similarity(
        ndarray::Array1::from(sa).view(),
        ndarray::Array1::from(sb).view(),
    )
    .unwrap();
    assert_eq!(s.n, 10);
    assert_abs_diff_eq!(s.weighted_spearman, 0.8633608815426997, epsilon = 1e-14);
    assert_abs_diff_eq!(s.ws, 0.8048921130952381, epsilon = 1e-14);
    assert_abs_diff_eq!(s.kendall_tau_b, 0.6444444444444444, epsilon = 1e-14);
    // no ties: gamma equals tau
    assert_abs_diff_eq!(s.gamma, s.kendall_tau_b, epsilon = 1e-15);
}

#[test]
fn rank_similarity_bad_input() {
    let one = array![1.0, f64::NAN, 3.0];
    let other = array![f64::NAN, 2.0, 3.0];
    assert!(matches!(
        kendall_tau_b(one.view(), other.view()),
        Err(Error::InsufficientData { found: 1, .. })
    ));
    assert!(matches!(
        kendall_tau_b(one.view(), array![1.0, 2.0].view()),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(matches!(
        weighted_spearman(array![0.0, 1.0].view(), array![1.0, 2.0].view()),
        Err(Error::InvalidParameter { .. })
    ));
    // a constant variable: tau-b NaN, as scipy
    assert!(
        kendall_tau_b(array![1.0, 1.0, 1.0].view(), array![1.0, 2.0, 3.0].view())
            .unwrap()
            .is_nan()
    );
}

mod rank_similarity_properties {
    use super::*;
    use proptest::prelude::*;

    fn pair() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
        (3usize..25).prop_flat_map(|n| {
            (
                proptest::collection::vec(0u8..6, n),
                proptest::collection::vec(0u8..6, n),
            )
                .prop_map(|(a, b)| {
                    (
                        a.into_iter().map(f64::from).collect(),
                        b.into_iter().map(f64::from).collect(),
                    )
                })
        })
    }

    proptest! {
        // Invariants of the definitions (coarse values, so ties are frequent):
        // tau-b and gamma are symmetric and lie in [-1, 1]; |gamma| >= |tau-b| (tau-b's denominator
        // is at least C + D); reversing one variable flips both signs; every measure of a set with
        // itself is 1 unless it is undefined; WS lies in [0, 1] on two permutations of 1..n.
        #[test]
        fn definitions_hold((x, y) in pair()) {
            let (xa, ya) = (ndarray::Array1::from(x.clone()), ndarray::Array1::from(y.clone()));
            let t = kendall_tau_b(xa.view(), ya.view()).unwrap();
            let g = goodman_kruskal_gamma(xa.view(), ya.view()).unwrap();
            prop_assert!(same(t, kendall_tau_b(ya.view(), xa.view()).unwrap()));
            prop_assert!(same(g, goodman_kruskal_gamma(ya.view(), xa.view()).unwrap()));
            if !t.is_nan() {
                prop_assert!((-1.0 - 1e-12..=1.0 + 1e-12).contains(&t));
                prop_assert!(g.abs() >= t.abs() - 1e-12);
                let neg = ya.mapv(|v| -v);
                prop_assert!((kendall_tau_b(xa.view(), neg.view()).unwrap() + t).abs() < 1e-12);
            }
            let self_t = kendall_tau_b(xa.view(), xa.view()).unwrap();
            prop_assert!(self_t.is_nan() || (self_t - 1.0).abs() < 1e-12);

            // two permutations of 1..n (ties broken by position)
            let perm = |v: &[f64]| composite_indicators::rank::rank_desc(v, TieRule::Ordinal);
            let (px, py) = (ndarray::Array1::from(perm(&x)), ndarray::Array1::from(perm(&y)));
            let ws = ws_coefficient(px.view(), py.view()).unwrap();
            prop_assert!((-1e-12..=1.0 + 1e-12).contains(&ws));
            prop_assert_eq!(ws_coefficient(px.view(), px.view()).unwrap(), 1.0);
            prop_assert_eq!(weighted_spearman(px.view(), px.view()).unwrap(), 1.0);
            let rw = weighted_spearman(px.view(), py.view()).unwrap();
            prop_assert!(same(rw, weighted_spearman(py.view(), px.view()).unwrap()));
        }
    }

    fn same(a: f64, b: f64) -> bool {
        a == b || (a.is_nan() && b.is_nan()) || (a - b).abs() < 1e-12
    }
}
