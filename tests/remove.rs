//! Leave-one-out (COINr `remove_elements`) on the ASEM data: the batched path equals the full
//! rebuild bit for bit at every level (also on COINr's full example pipeline and with non-linear
//! aggregation), and the mean absolute rank differences and scores equal an independent numpy
//! implementation.
//!
//! Reference values: `tests/reference/remove_optimise_asem.py` (numpy 2.4 / scipy 1.17, run from the
//! repository root), which rebuilds the default ASEM index from the CSV files with COINr's semantics
//! (weight of the removed element set to 0, weighted means over the available children, min ties)
//! without using the crate.

use composite_indicators::io::{read_idata_path, read_imeta_path};
use composite_indicators::pipeline::{Pipeline, PipelineConfig};
use composite_indicators::prelude::*;
use composite_indicators::score::Scorer;
use composite_indicators::study::remove::{
    LeaveOneOut, RemoveMethod, RemoveOptions, remove_elements,
};

fn asem() -> (Dataset, Framework) {
    let meta = read_imeta_path("data/asem/iMeta.csv").unwrap();
    let data = read_idata_path("data/asem/iData.csv", &meta)
        .unwrap()
        .sorted_by_code();
    (data, meta.spec.check().unwrap())
}

fn bitwise(a: &LeaveOneOut, b: &LeaveOneOut) {
    assert_eq!(a.removed, b.removed);
    assert_eq!(a.scores.shape(), b.scores.shape());
    for (x, y) in a.scores.iter().zip(b.scores.iter()) {
        assert!(
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
            "{x} vs {y}"
        );
    }
    assert_eq!(a.ranks, b.ranks);
    for (x, y) in a.mean_abs_rank_diff.iter().zip(&b.mean_abs_rank_diff) {
        assert_eq!(x.to_bits(), y.to_bits());
    }
}

#[test]
fn batched_equals_full_rebuild_on_asem_at_every_level() {
    let (data, fw) = asem();
    let scorer = Scorer::new(fw);
    for level in 1..=3 {
        let a = remove_elements(&scorer, &data, &RemoveOptions::new(level)).unwrap();
        let b = remove_elements(
            &scorer,
            &data,
            &RemoveOptions::new(level).method(RemoveMethod::Rebuild),
        )
        .unwrap();
        bitwise(&a, &b);
    }
    assert_eq!(
        remove_elements(&scorer, &data, &RemoveOptions::new(1))
            .unwrap()
            .removed
            .len(),
        49
    );
}

#[test]
fn batched_equals_full_rebuild_on_the_coinr_pipeline_and_nonlinear_aggregation() {
    let (raw, fw) = asem();
    let res = Pipeline::new(PipelineConfig::coinr_example())
        .run(&raw, &fw)
        .unwrap();
    let data = res.prepared();
    let linear = res.fitted().scorer().clone();
    // geometric mean of the pillars (values are in [0, 100]; offset 1 keeps them positive)
    let geometric = linear
        .clone()
        .aggregator_for_level(2, AggregatorKind::Geometric { offset: 1.0 })
        .unwrap();
    for scorer in [linear, geometric] {
        for level in [1, 2] {
            for target in [None, Some("Conn")] {
                let mut o = RemoveOptions::new(level);
                o.target = target.map(String::from);
                let a = remove_elements(&scorer, data, &o).unwrap();
                let b = remove_elements(&scorer, data, &o.clone().method(RemoveMethod::Rebuild))
                    .unwrap();
                bitwise(&a, &b);
            }
        }
    }
}

/// `(element, mean absolute rank difference, index of AUS without it)` from the numpy script.
const LEVEL2: [(&str, f64, f64); 8] = [
    ("Physical", 0.7058823529411765, 48.70113985302977),
    ("ConEcFin", 1.7647058823529411, 49.92025785354316),
    ("Political", 1.7254901960784315, 46.54542874796045),
    ("Instit", 1.4509803921568627, 45.9639843331291),
    ("P2P", 0.8627450980392157, 48.477144818074834),
    ("Environ", 3.176470588235294, 52.703512682376804),
    ("Social", 4.666666666666667, 43.77314527658692),
    ("SusEcFin", 2.1176470588235294, 47.288115404478674),
];

#[test]
fn asem_level2_matches_independent_numpy_reference() {
    let (data, fw) = asem();
    let loo = remove_elements(&Scorer::new(fw), &data, &RemoveOptions::new(2)).unwrap();
    assert_eq!(loo.unit_codes[0], "AUS");
    // numpy: nominal index of AUS 47.921591121147465
    assert!((loo.nominal[0] - 47.921591121147465).abs() < 1e-11);
    for (j, (code, mad, aus)) in LEVEL2.iter().enumerate() {
        assert_eq!(&loo.removed[j], code);
        // mean absolute rank differences are multiples of 1/51: same ranks give the same value
        assert!((loo.mean_abs_rank_diff[j] - mad).abs() < 1e-12, "{code}");
        assert!((loo.scores[[0, j]] - aus).abs() < 1e-11, "{code}");
    }
    // Social moves the ranking most (4.67 ranks on average), Physical least
    let top = loo.most_influential();
    assert_eq!(top[0].0, "Social");
    assert_eq!(top[7].0, "Physical");
}

#[test]
fn asem_level1_and_level3_match_independent_numpy_reference() {
    let (data, fw) = asem();
    let s = Scorer::new(fw);
    let l1 = remove_elements(&s, &data, &RemoveOptions::new(1)).unwrap();
    // numpy, level 1: (indicator, mean abs rank diff, index of AUS)
    for (code, mad, aus) in [
        ("LPI", 0.19607843137254902, 47.28331314580703),
        ("Embs", 1.2156862745098038, 46.797958435500604),
        ("Pat", 0.0784313725490196, 48.332914042859265),
        ("GDPGrow", 1.1372549019607843, 49.772817420347856),
        ("NEET", 1.0588235294117647, 46.937304041837464),
    ] {
        let j = l1.removed.iter().position(|c| c == code).unwrap();
        assert!((l1.mean_abs_rank_diff[j] - mad).abs() < 1e-12, "{code}");
        assert!((l1.scores[[0, j]] - aus).abs() < 1e-11, "{code}");
    }
    // numpy, level 3: removing Conn leaves the index = Sust, and the other way round
    let l3 = remove_elements(&s, &data, &RemoveOptions::new(3)).unwrap();
    assert_eq!(l3.removed, vec!["Conn", "Sust"]);
    assert!((l3.mean_abs_rank_diff[0] - 8.705882352941176).abs() < 1e-12);
    assert!((l3.mean_abs_rank_diff[1] - 4.666666666666667).abs() < 1e-12);
    assert!((l3.scores[[0, 0]] - 54.32513494072814).abs() < 1e-11);
    assert!((l3.scores[[0, 1]] - 41.51804730156679).abs() < 1e-11);
}

#[test]
fn rank_differences_follow_coinr_sign_and_csv_has_ucode_first() {
    let (data, fw) = asem();
    let loo = remove_elements(&Scorer::new(fw), &data, &RemoveOptions::new(2)).unwrap();
    for u in 0..loo.unit_codes.len() {
        for j in 0..loo.removed.len() {
            // COINr: RankDiffs = nominal rank - rank without the element
            assert_eq!(
                loo.rank_diffs[[u, j]],
                loo.nominal_ranks[u] - loo.ranks[[u, j]]
            );
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("remove.csv");
    loo.write_csv_path(&p).unwrap();
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.starts_with("uCode,removed,score,rank,"));
    assert_eq!(text.lines().count(), 1 + 51 * 8);
    let json = serde_json::to_string(&loo).unwrap();
    let back: LeaveOneOut = serde_json::from_str(&json).unwrap();
    assert_eq!(back.removed, loo.removed);
    assert_eq!(back.mean_abs_rank_diff, loo.mean_abs_rank_diff);
}
