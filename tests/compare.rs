//! Comparisons of score sets (COINr's `compare_coins`, `compare_coins_multi`) and rank similarity
//! between two ASEM builds.

use composite_indicators::io::{read_idata_path, read_imeta_path};
use composite_indicators::prelude::*;
use composite_indicators::score::{Scorer, Scores};
use composite_indicators::study::compare::{
    CompareBy, CompareOptions, MultiOptions, MultiTable, SortBy, compare, compare_multi,
    compare_nodes, similarity, similarity_table,
};

/// The ASEM build of examples/asem.rs (units sorted by code, COINr defaults) and the same build with
/// percentile-rank normalisation (COINr's `n_prank` example of `compare_coins`).
fn asem_runs() -> (Scores, Scores) {
    let meta = read_imeta_path("data/asem/iMeta.csv").unwrap();
    let data = read_idata_path("data/asem/iData.csv", &meta)
        .unwrap()
        .sorted_by_code();
    let fw = meta.spec.clone().check().unwrap();
    let a = Scorer::new(fw.clone()).score(&data).unwrap();
    let b = Scorer::new(fw)
        .normaliser(NormaliserKind::PercentileRank)
        .score(&data)
        .unwrap();
    (a, b)
}

/// Min rank (1 + number of strictly higher values), computed directly, NaN for missing.
fn min_ranks(v: &[f64]) -> Vec<f64> {
    v.iter()
        .map(|&x| {
            if x.is_nan() {
                f64::NAN
            } else {
                1.0 + v.iter().filter(|&&y| y > x).count() as f64
            }
        })
        .collect()
}

// Reference values from a Python script run on the two ASEM index vectors (printed by this crate,
// then ranked independently): scipy 1.17.1 `rankdata(-x, method="min")` for the ranks, the rows with
// the largest absolute rank change, the mean absolute rank change 3.411764705882353;
// `pearsonr` 0.9454562242433268, `spearmanr` 0.9528506787330318, `kendalltau` 0.8211764705882354,
// pymcdm 1.4.0 `goodman_kruskal_gamma` 0.8211764705882353 (no ties: equal to tau),
// `weighted_spearman` 0.9587208492864602 and `rank_similarity_coef` 0.9824835957369613 on
// `rankdata(-x)` (the default build as reference).
#[test]
fn asem_minmax_vs_percentile_ranks_as_compare_coins() {
    let (a, b) = asem_runs();
    let opts = CompareOptions {
        sort_by: Some(SortBy::AbsDiff),
        decreasing: true,
        ..CompareOptions::default()
    };
    let c = compare(&a, &b, "Index", &opts).unwrap();
    assert_eq!(c.rows.len(), 51);
    // COINr's test: the rank columns equal rank(-Index, ties.method = "min") of each coin
    let (ra, rb) = (
        min_ranks(&a.index().to_vec()),
        min_ranks(&b.index().to_vec()),
    );
    for r in &c.rows {
        let i = a.unit_codes().iter().position(|u| u == &r.unit).unwrap();
        assert_eq!((r.first, r.second), (ra[i], rb[i]), "{}", r.unit);
        assert_eq!(r.diff, r.first - r.second);
        assert_eq!(r.abs_diff, r.diff.abs());
    }
    let top: Vec<(&str, f64, f64, f64)> = c
        .rows
        .iter()
        .take(6)
        .map(|r| (r.unit.as_str(), r.first, r.second, r.diff))
        .collect();
    assert_eq!(
        top,
        [
            ("LVA", 26.0, 39.0, -13.0),
            ("SGP", 29.0, 17.0, 12.0),
            ("IND", 32.0, 23.0, 9.0),
            ("MLT", 35.0, 43.0, -8.0),
            ("RUS", 41.0, 33.0, 8.0),
            ("CYP", 42.0, 49.0, -7.0)
        ]
    );
    // sorted by Abs.diff decreasing, ties in unit-code order
    for w in c.rows.windows(2) {
        assert!(
            w[0].abs_diff > w[1].abs_diff
                || (w[0].abs_diff == w[1].abs_diff && w[0].unit < w[1].unit)
        );
    }
    let mad = c.mean_abs_diff();
    assert!((mad[0].1 - 3.411764705882353).abs() < 1e-14);
    assert_eq!(c.movers(12.0).len(), 2);

    // by scores, unsorted: unit-code order, the values themselves
    let s = compare(
        &a,
        &b,
        "Index",
        &CompareOptions {
            compare_by: CompareBy::Scores,
            ..CompareOptions::default()
        },
    )
    .unwrap();
    assert_eq!(s.rows[0].unit, "AUS");
    assert_eq!(s.rows[0].first, a.value("AUS", "Index").unwrap());
    assert_eq!(s.rows[0].second, b.value("AUS", "Index").unwrap());

    let m = similarity(&a, &b, "Index").unwrap();
    assert_eq!(m.n, 51);
    let refs = [
        (m.pearson, 0.9454562242433268),
        (m.spearman, 0.9528506787330318),
        (m.kendall_tau_b, 0.8211764705882354),
        (m.gamma, 0.8211764705882353),
        (m.weighted_spearman, 0.9587208492864602),
        (m.ws, 0.9824835957369613),
    ];
    for (got, want) in refs {
        assert!((got - want).abs() < 1e-13, "{got} vs {want}");
    }
}

#[test]
fn units_missing_from_one_run_are_kept_with_missing_values() {
    let (a, _) = asem_runs();
    let meta = read_imeta_path("data/asem/iMeta.csv").unwrap();
    let data = read_idata_path("data/asem/iData.csv", &meta)
        .unwrap()
        .sorted_by_code();
    // drop AUS (row 0) from the second run
    let rows: Vec<usize> = (1..data.n_units()).collect();
    let fewer = data.select_units(&rows).unwrap();
    let b = Scorer::new(meta.spec.clone().check().unwrap())
        .score(&fewer)
        .unwrap();
    let c = compare(&a, &b, "Index", &CompareOptions::default()).unwrap();
    assert_eq!(c.rows.len(), 51);
    let aus = &c.rows[0];
    assert_eq!(aus.unit, "AUS");
    assert!(aus.second.is_nan() && aus.diff.is_nan() && !aus.first.is_nan());
    // the second run is re-ranked among its own 50 units
    assert_eq!(c.rows.iter().filter(|r| !r.second.is_nan()).count(), 50);
    let csv = c.to_csv_string().unwrap();
    assert!(csv.lines().nth(1).unwrap().starts_with("AUS,Index,"));
    assert!(csv.lines().nth(1).unwrap().ends_with(",,,"));
    // an unknown node names the run
    let e = compare(&a, &b, "Nope", &CompareOptions::default()).unwrap_err();
    assert!(e.to_string().contains("first"), "{e}");
}

#[test]
fn pillars_and_multi_runs() {
    let (a, b) = asem_runs();
    let pillars = a.level_codes(2);
    let c = compare_nodes(&a, &b, &pillars, &CompareOptions::default()).unwrap();
    assert_eq!(c.nodes.len(), 8);
    assert_eq!(c.rows.len(), 8 * 51);
    assert_eq!(c.rows[51].node, pillars[1]);

    // three runs, the second as base (COINr's ibase = 2)
    let m = compare_multi(
        &[("minmax", &a), ("prank", &b), ("again", &a)],
        "Index",
        &MultiOptions {
            base: 1,
            ..MultiOptions::default()
        },
    )
    .unwrap();
    assert_eq!(m.names, ["prank", "minmax", "again"]);
    // sorted by the base run's rank: 1, 2, 3 ...
    let base: Vec<f64> = m.values.column(0).to_vec();
    assert_eq!(base, (1..=51).map(f64::from).collect::<Vec<_>>());
    let d = m.table(MultiTable::Diffs);
    let ad = m.table(MultiTable::AbsDiffs);
    let rb = min_ranks(&b.index().to_vec());
    let ra = min_ranks(&a.index().to_vec());
    for (i, u) in m.units.iter().enumerate() {
        let k = a.unit_codes().iter().position(|x| x == u).unwrap();
        assert_eq!(m.values[[i, 0]], rb[k]);
        assert_eq!(m.values[[i, 1]], ra[k]);
        assert_eq!(d[[i, 0]], 0.0);
        assert_eq!(d[[i, 1]], ra[k] - rb[k]);
        assert_eq!(d[[i, 1]], d[[i, 2]]);
        assert_eq!(ad[[i, 1]], (ra[k] - rb[k]).abs());
    }
    let csv = m.to_csv_string(MultiTable::Values).unwrap();
    assert!(csv.starts_with("uCode,prank,minmax,again\n"));

    // bad input
    assert!(matches!(
        compare_multi(&[("x", &a)], "Index", &MultiOptions::default()),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        compare_multi(&[("x", &a), ("x", &b)], "Index", &MultiOptions::default()),
        Err(Error::DuplicateCode { .. })
    ));
    assert!(matches!(
        compare_multi(
            &[("x", &a), ("y", &b)],
            "Index",
            &MultiOptions {
                base: 2,
                ..MultiOptions::default()
            }
        ),
        Err(Error::InvalidParameter { .. })
    ));
}

#[test]
fn compare_coins_corr_on_asem() {
    // COINr's compare_coins_corr: Pearson of the two rank columns (no ties in either index, so it is
    // the Spearman value of the Python reference above, 0.9528506787330318) or of the scores
    // (pearsonr 0.9454562242433268).
    let (a, b) = asem_runs();
    let mut nodes = a.level_codes(2);
    nodes.push("Index");
    let t = similarity_table(&a, &b, &nodes, CompareBy::Ranks).unwrap();
    assert_eq!(t.rows.len(), 9);
    let index = t.rows.last().unwrap();
    assert!((index.correlation - 0.9528506787330318).abs() < 1e-13);
    assert!((index.measures.kendall_tau_b - 0.8211764705882354).abs() < 1e-13);
    let t = similarity_table(&a, &b, &["Index"], CompareBy::Scores).unwrap();
    assert!((t.rows[0].correlation - 0.9454562242433268).abs() < 1e-13);
    let csv = t.to_csv_string().unwrap();
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .starts_with("Index,0.94545622424332")
    );
}

/// COINr's `compare_coins_multi` left-joins every run onto the base run's units, then ranks each
/// column among those rows: a unit only another run scores is dropped, and it does not push the
/// shared units' ranks down. Expected values worked out by hand from R/compare.R (`merge(all.x =
/// TRUE)`, then `rank_df`: `rank(-x, na.last = "keep", ties.method = "min")`).
#[test]
fn multi_runs_with_different_units_follow_the_base_run() {
    use ndarray::array;
    let fw = FrameworkSpec::new("t", vec![Indicator::new("a", "I")], vec![Pillar::new("I")])
        .check()
        .unwrap();
    let run = |units: &[&str], v: Vec<f64>| {
        let n = v.len();
        let d = Dataset::new(
            units.iter().map(|u| u.to_string()).collect(),
            vec!["a".into()],
            ndarray::Array2::from_shape_vec((n, 1), v).unwrap(),
        )
        .unwrap();
        Scorer::new(fw.clone()).score(&d).unwrap()
    };
    // base: A, B, C; the second run lacks A and adds D (its best unit); the third ties B and C
    let base = run(&["A", "B", "C"], vec![1.0, 2.0, 3.0]);
    let other = run(&["B", "C", "D"], vec![5.0, 4.0, 9.0]);
    let tied = run(&["C", "B", "A"], vec![7.0, 7.0, 1.0]);
    let m = compare_multi(
        &[("base", &base), ("other", &other), ("tied", &tied)],
        "I",
        &MultiOptions {
            sort: false,
            ..MultiOptions::default()
        },
    )
    .unwrap();
    assert_eq!(m.units, ["A", "B", "C"]); // D is not in the base run
    let nan = f64::NAN;
    let want = array![[3.0, nan, 3.0], [2.0, 1.0, 1.0], [1.0, 2.0, 1.0]];
    for (got, want) in m.values.iter().zip(want.iter()) {
        assert!(
            got == want || (got.is_nan() && want.is_nan()),
            "{:?}",
            m.values
        );
    }
    // sorted by the base rank; the diff of a missing value stays missing
    let s = compare_multi(
        &[("base", &base), ("other", &other)],
        "I",
        &MultiOptions::default(),
    )
    .unwrap();
    assert_eq!(s.units, ["C", "B", "A"]);
    let d = s.table(MultiTable::Diffs);
    assert_eq!(d.column(1).to_vec()[..2], [1.0, -1.0]);
    assert!(d[[2, 1]].is_nan());
    // by scores: the values as they are, NaN where the run lacks the unit
    let v = compare_multi(
        &[("other", &other), ("base", &base)],
        "I",
        &MultiOptions {
            compare_by: CompareBy::Scores,
            sort: false,
            ..MultiOptions::default()
        },
    )
    .unwrap();
    assert_eq!(v.units, ["B", "C", "D"]);
    assert!(v.values[[2, 1]].is_nan());
}
