//! Expert-panel scoring: aggregation, Kendall's W against published worked examples, budget
//! weights, errors, and a seeded synthetic 45-expert panel around the published technology scores.

use approx::assert_abs_diff_eq;
use composite_indicators::Error;
use composite_indicators::rank::{TieRule, rank_desc};
use composite_indicators::study::panel::{
    Dimension, PanelAggregate, aggregate_ratings, budget_weights, coefficient_of_variation,
    combine_dimensions, kendall_w, kendall_w_per_criterion, rater_counts, synthetic_panel,
};
use ndarray::{Array2, Array3, array, s};

#[test]
fn three_experts_in_perfect_agreement_give_w_one() {
    // same ordering, different scales: ranks are identical
    let r = array![
        [0.1, 0.5, 0.9, 0.3],
        [0.2, 0.6, 1.0, 0.4],
        [0.0, 0.7, 0.8, 0.2]
    ];
    let k = kendall_w(r.view()).unwrap();
    assert_eq!(k.w, 1.0);
    assert_eq!((k.n_raters, k.n_items, k.df, k.n_excluded), (3, 4, 3, 0));
    assert_abs_diff_eq!(k.chi_square, 9.0, epsilon = 1e-12); // m (n - 1) W
    // P(χ²₃ > 9), mpmath
    assert_abs_diff_eq!(k.p_value, 0.029290886534888232, epsilon = 1e-15);
    // no agreement is undefined for identical scores: NaN W, NaN p
    let flat = kendall_w(array![[1.0, 1.0], [2.0, 2.0]].view()).unwrap();
    assert!(flat.w.is_nan() && flat.p_value.is_nan());
}

#[test]
fn kendall_w_worked_example_proofwiki() {
    // ProofWiki, "Kendall's Coefficient of Concordance/Examples/Arbitrary Example 1": 4 judges rank
    // 3 competitors; rank sums 7, 9, 8, S = 2, W = 12 * 2 / (16 * 3 * 8) = 1/16.
    let judges = array![
        [1.0, 3.0, 2.0],
        [1.0, 2.0, 3.0],
        [2.0, 3.0, 1.0],
        [3.0, 1.0, 2.0]
    ];
    assert_abs_diff_eq!(
        kendall_w(judges.view()).unwrap().w,
        1.0 / 16.0,
        epsilon = 1e-15
    );
}

/// `P(χ²₉ > 28.5818…)` from mpmath (30 digits).
#[allow(clippy::excessive_precision)] // digits as mpmath printed them
const P_TEN_PROJECTS: f64 = 0.000_762_080_068_454_039_5;

#[allow(clippy::excessive_precision)] // reference digits as mpmath printed them
#[test]
fn kendall_w_worked_example_ten_projects() {
    // Classroom example "The Kendall coefficient of concordance W" (4 judges, 10 projects):
    // rank sums 10, 8, 12, 16, 21, 22, 25, 31, 37, 38; mean 22, ΣD² = 1048,
    // W = 12 * 1048 / (4² * 10 * (10² − 1)) = 12576 / 15840 = 0.79394.
    let a = [1.0, 3.0, 4.0, 5.0, 2.0, 8.0, 6.0, 7.0, 10.0, 9.0];
    let b = [2.0, 1.0, 4.0, 5.0, 6.0, 3.0, 8.0, 7.0, 10.0, 9.0];
    let c = [3.0, 2.0, 1.0, 5.0, 7.0, 4.0, 6.0, 8.0, 9.0, 10.0];
    let d = [4.0, 2.0, 3.0, 1.0, 6.0, 7.0, 5.0, 9.0, 8.0, 10.0];
    let m = Array2::from_shape_fn((4, 10), |(j, i)| [a, b, c, d][j][i]);
    let k = kendall_w(m.view()).unwrap();
    assert_abs_diff_eq!(k.w, 12576.0 / 15840.0, epsilon = 1e-12);
    assert_abs_diff_eq!(k.w, 0.79394, epsilon = 1e-5);
    // χ² = 4 · 9 · W on 9 degrees of freedom; upper tail from mpmath (30 digits), as R's
    // pchisq(28.581818…, 9, lower.tail = FALSE)
    assert_abs_diff_eq!(k.chi_square, 28.581818181818181818, epsilon = 1e-12);
    assert!(
        (k.p_value - P_TEN_PROJECTS).abs() <= 1e-12 * P_TEN_PROJECTS,
        "{}",
        k.p_value
    );
}

#[test]
fn kendall_w_per_criterion_excludes_incomplete_experts() {
    // 3 experts x 3 units x 2 criteria; expert 2 skipped unit 0 on criterion 1
    let mut r = Array3::from_shape_fn((3, 3, 2), |(e, u, c)| {
        if c == 0 {
            u as f64
        } else {
            ((u + e) % 3) as f64
        }
    });
    r[[2, 0, 1]] = f64::NAN;
    let k = kendall_w_per_criterion(r.view()).unwrap();
    assert_eq!(k[0].w, 1.0);
    assert_eq!((k[1].n_raters, k[1].n_excluded), (2, 1));
    // criterion 1, experts 0 and 1 rank [1,2,3] and [2,3,1]: R = [3,5,4], S = 2, W = 24/(4*24) = 0.25
    assert_abs_diff_eq!(k[1].w, 0.25, epsilon = 1e-12);
    // only one complete expert left -> error naming the criterion
    r[[1, 1, 1]] = f64::NAN;
    match kendall_w_per_criterion(r.view()).unwrap_err() {
        Error::InsufficientData {
            what,
            needed,
            found,
        } => {
            assert!(what.contains("criterion #1"));
            assert_eq!((needed, found), (2, 1));
        }
        e => panic!("unexpected {e}"),
    }
}

#[test]
fn trimmed_mean_panel() {
    // 5 experts rate one unit on one criterion; one outlier
    let r = Array3::from_shape_vec((5, 1, 1), vec![0.60, 0.62, 0.64, 0.66, 0.0]).unwrap();
    // share 0.2: floor(1.0) = 1 dropped each end -> mean(0.60, 0.62, 0.64) = 0.62
    let t = aggregate_ratings(r.view(), &PanelAggregate::TrimmedMean { share: 0.2 }).unwrap();
    assert_abs_diff_eq!(t[[0, 0]], 0.62, epsilon = 1e-12);
    // share 0.19: floor(0.95) = 0 -> plain mean 2.52 / 5
    let t = aggregate_ratings(r.view(), &PanelAggregate::TrimmedMean { share: 0.19 }).unwrap();
    assert_abs_diff_eq!(t[[0, 0]], 2.52 / 5.0, epsilon = 1e-12);
    let m = aggregate_ratings(r.view(), &PanelAggregate::Median).unwrap();
    assert_eq!(m[[0, 0]], 0.62);
}

#[test]
fn dimensions_and_coverage() {
    // 2 experts x 2 units x 4 criteria: technical = 0..2, industrial = 2..4 (weights 3:1)
    let r = Array3::from_shape_fn((2, 2, 4), |(e, u, c)| {
        0.1 * (c + 1) as f64 + 0.1 * u as f64 + 0.02 * e as f64
    });
    let mut r = r;
    r[[1, 1, 3]] = f64::NAN;
    let cnt = rater_counts(r.view());
    assert_eq!(cnt[[1, 3]], 1);
    let a = aggregate_ratings(r.view(), &PanelAggregate::Mean).unwrap();
    assert_abs_diff_eq!(a[[1, 3]], 0.5, epsilon = 1e-12); // only expert 0: 0.4 + 0.1
    let d = combine_dimensions(
        a.view(),
        &[
            Dimension::equal("technical", 0..2),
            Dimension::new("industrial", vec![2, 3], vec![3.0, 1.0]),
        ],
    )
    .unwrap();
    // unit 0 technical: mean of (0.11, 0.21) = 0.16; industrial (3 * 0.31 + 0.41) / 4 = 0.335
    assert_abs_diff_eq!(d[[0, 0]], 0.16, epsilon = 1e-12);
    assert_abs_diff_eq!(d[[0, 1]], 0.335, epsilon = 1e-12);
    let cv = coefficient_of_variation(r.view());
    assert!(cv[[1, 3]].is_nan()); // one rater only
    // unit 0 criterion 0: 0.1, 0.12: mean 0.11, s = 0.02 / sqrt(2)
    assert_abs_diff_eq!(cv[[0, 0]], (0.02 / 2f64.sqrt()) / 0.11, epsilon = 1e-12);
}

#[test]
fn budget_weights_sum_to_one_with_agreement() {
    // 4 experts share 100 points over 4 indicators
    let pts = array![
        [40.0, 30.0, 20.0, 10.0],
        [35.0, 35.0, 20.0, 10.0],
        [50.0, 20.0, 20.0, 10.0],
        [40.0, 25.0, f64::NAN, 15.0],
    ];
    for m in [
        PanelAggregate::Mean,
        PanelAggregate::Median,
        PanelAggregate::TrimmedMean { share: 0.25 },
    ] {
        let b = budget_weights(pts.view(), &m).unwrap();
        assert_abs_diff_eq!(b.weights.iter().sum::<f64>(), 1.0, epsilon = 1e-12);
        assert!(b.weights.iter().all(|&w| w > 0.0));
        assert_eq!(b.n_raters, vec![4, 4, 3, 4]);
        let k = b.agreement.unwrap();
        assert_eq!((k.n_raters, k.n_excluded), (3, 1));
        assert!(k.w > 0.8, "experts broadly agree: W = {}", k.w);
    }
    // median by hand: 40, 27.5, 20, 10 over 97.5
    let b = budget_weights(pts.view(), &PanelAggregate::Median).unwrap();
    assert_abs_diff_eq!(b.weights[1], 27.5 / 97.5, epsilon = 1e-12);
    assert_eq!(b.cv[2], 0.0); // all 20s
}

#[test]
fn errors() {
    let empty = Array3::<f64>::zeros((0, 2, 2));
    assert!(matches!(
        aggregate_ratings(empty.view(), &PanelAggregate::Mean),
        Err(Error::EmptyData { .. })
    ));
    let mut r = Array3::from_elem((2, 2, 2), 0.5);
    r.slice_mut(s![.., .., 1]).fill(f64::NAN);
    match aggregate_ratings(r.view(), &PanelAggregate::Mean).unwrap_err() {
        Error::AllMissing { indicator } => assert_eq!(indicator, "criterion #1"),
        e => panic!("unexpected {e}"),
    }
    let ok = Array3::from_elem((2, 2, 2), 0.5);
    for share in [0.5, 0.7] {
        assert!(matches!(
            aggregate_ratings(ok.view(), &PanelAggregate::TrimmedMean { share }),
            Err(Error::InvalidParameter { .. })
        ));
    }
    let a = Array2::from_elem((2, 2), 0.5);
    assert!(matches!(
        combine_dimensions(a.view(), &[Dimension::new("t", vec![0, 1], vec![1.0])]),
        Err(Error::ShapeMismatch {
            expected: 2,
            found: 1,
            ..
        })
    ));
    assert!(matches!(
        combine_dimensions(a.view(), &[Dimension::new("t", vec![0, 5], vec![1.0, 1.0])]),
        Err(Error::InvalidSpec { .. })
    ));
    assert!(matches!(
        combine_dimensions(a.view(), &[Dimension::new("t", vec![0], vec![0.0])]),
        Err(Error::ZeroWeightSum { .. })
    ));
    assert!(matches!(
        budget_weights(array![[1.0, -1.0]].view(), &PanelAggregate::Mean),
        Err(Error::OutOfRange { .. })
    ));
    assert!(matches!(
        budget_weights(array![[0.0, 0.0]].view(), &PanelAggregate::Mean),
        Err(Error::ZeroWeightSum { .. })
    ));
    assert!(matches!(
        budget_weights(array![[1.0, f64::NAN]].view(), &PanelAggregate::Mean),
        Err(Error::AllMissing { .. })
    ));
    // a single expert still yields weights, but no agreement statistic
    let b = budget_weights(array![[3.0, 1.0]].view(), &PanelAggregate::Mean).unwrap();
    assert_eq!(b.weights, vec![0.75, 0.25]);
    assert!(b.agreement.is_none());
}

fn technology_targets() -> (Vec<f64>, Vec<f64>) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/cbcii/technologies.csv");
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let h = rdr.headers().unwrap().clone();
    let ct = h.iter().position(|x| x == "technical_score").unwrap();
    let ci = h.iter().position(|x| x == "industrial_score").unwrap();
    let mut t = Vec::new();
    let mut i = Vec::new();
    for r in rdr.records() {
        let r = r.unwrap();
        t.push(r[ct].parse().unwrap());
        i.push(r[ci].parse().unwrap());
    }
    (t, i)
}

/// Target: 30 technologies x 6 criteria; criteria 0..3 are technical (published score −0.05, +0,
/// +0.05, averaging to the score), 3..6 industrial likewise. Every value stays inside [0, 1].
fn technology_target() -> Array2<f64> {
    let (t, i) = technology_targets();
    Array2::from_shape_fn((30, 6), |(u, c)| {
        let base = if c < 3 { t[u] } else { i[u] };
        base + [-0.05, 0.0, 0.05][c % 3]
    })
}

fn spearman(a: &[f64], b: &[f64]) -> f64 {
    let ra = rank_desc(a, TieRule::Average);
    let rb = rank_desc(b, TieRule::Average);
    let n = ra.len() as f64;
    let (ma, mb) = (ra.iter().sum::<f64>() / n, rb.iter().sum::<f64>() / n);
    let cov: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = ra.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = rb.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}

#[test]
fn synthetic_panel_is_deterministic() {
    let target = technology_target();
    let a = synthetic_panel(target.view(), 45, 0.1, 2024).unwrap();
    let b = synthetic_panel(target.view(), 45, 0.1, 2024).unwrap();
    assert_eq!(a.dim(), (45, 30, 6));
    // bit-identical
    assert!(
        a.iter()
            .zip(b.iter())
            .all(|(x, y)| x.to_bits() == y.to_bits())
    );
    let c = synthetic_panel(target.view(), 45, 0.1, 2025).unwrap();
    assert_ne!(a, c);
    assert!(a.iter().all(|v| (0.0..=1.0).contains(v)));
    // same target in column-major memory layout: same draws
    let f = target.t().as_standard_layout().t().to_owned();
    let fa = synthetic_panel(f.view(), 45, 0.1, 2024).unwrap();
    assert_eq!(a, fa);
}

#[test]
fn forty_five_experts_reproduce_the_technical_ordering() {
    let (tech, _) = technology_targets();
    let target = technology_target();
    let panel = synthetic_panel(target.view(), 45, 0.05, 45).unwrap();
    let agg = aggregate_ratings(panel.view(), &PanelAggregate::Mean).unwrap();
    let dims = combine_dimensions(
        agg.view(),
        &[
            Dimension::equal("technical", 0..3),
            Dimension::equal("industrial", 3..6),
        ],
    )
    .unwrap();
    let est: Vec<f64> = dims.column(0).to_vec();
    let rho = spearman(&est, &tech);
    assert!(rho > 0.95, "Spearman rho = {rho}");
    // well separated pairs (more than 0.03 apart) keep their published order
    for i in 0..30 {
        for j in 0..30 {
            if tech[i] > tech[j] + 0.03 {
                assert!(est[i] > est[j], "technologies {i} and {j} swapped");
            }
        }
    }
    // experts agree strongly on each technical criterion
    for k in &kendall_w_per_criterion(panel.view()).unwrap()[..3] {
        assert!(k.w > 0.8, "W = {}", k.w);
    }
    // with much larger noise the ordering degrades (the assertion above is not vacuous)
    let noisy = synthetic_panel(target.view(), 3, 0.4, 45).unwrap();
    let agg = aggregate_ratings(noisy.view(), &PanelAggregate::Mean).unwrap();
    let d = combine_dimensions(agg.view(), &[Dimension::equal("technical", 0..3)]).unwrap();
    assert!(spearman(&d.column(0).to_vec(), &tech) < 0.99);
}
