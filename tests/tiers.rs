//! Tiering and pillar tags on hand-checkable vectors and the 72 published CBCII city scores.

use composite_indicators::Error;
use composite_indicators::study::tiers::{TierMethod, assign_tiers, pillar_tags};
use ndarray::Array2;

struct City {
    name: String,
    overall: f64,
    pillars: Vec<f64>,
}

const PILLARS: [&str; 6] = [
    "infrastructure",
    "policy_support",
    "rd_resources",
    "innovation_system",
    "funding_system",
    "enterprise_capability",
];

fn cities() -> Vec<City> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/cbcii/cities_overall.csv");
    let mut rdr = csv::Reader::from_path(path).expect("cities_overall.csv");
    let headers = rdr.headers().expect("header").clone();
    let col = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let (i_name, i_overall) = (col("city_en"), col("overall"));
    let i_p: Vec<usize> = PILLARS.iter().map(|p| col(p)).collect();
    rdr.records()
        .map(|r| {
            let r = r.expect("record");
            City {
                name: r[i_name].to_string(),
                overall: r[i_overall].parse().expect("overall"),
                pillars: i_p.iter().map(|&i| r[i].parse().expect("pillar")).collect(),
            }
        })
        .collect()
}

#[test]
fn jenks_hand_checkable_vector() {
    let x = [1.0, 2.0, 3.0, 10.0, 11.0, 12.0, 20.0, 21.0];
    let t = assign_tiers(&x, &TierMethod::Jenks { k: 3 }).unwrap();
    assert_eq!(t.members(1), vec![6, 7]);
    assert_eq!(t.members(2), vec![3, 4, 5]);
    assert_eq!(t.members(3), vec![0, 1, 2]);
    assert_eq!(t.breaks, vec![20.0, 10.0]);
    assert!(t.unranked.is_empty());
}

#[test]
fn jenks_more_tiers_than_distinct_values_is_an_error() {
    let e = assign_tiers(&[1.0, 1.0, 2.0, 2.0, f64::NAN], &TierMethod::Jenks { k: 3 }).unwrap_err();
    match e {
        Error::InsufficientData { needed, found, .. } => assert_eq!((needed, found), (3, 2)),
        other => panic!("unexpected error {other}"),
    }
}

#[test]
fn one_tier_holds_every_ranked_unit() {
    let x = [3.0, f64::NAN, 1.0, 2.0];
    for m in [
        TierMethod::Jenks { k: 1 },
        TierMethod::Quantiles { k: 1 },
        TierMethod::Thresholds(vec![]),
    ] {
        let t = assign_tiers(&x, &m).unwrap();
        assert_eq!(t.tier, vec![Some(1), None, Some(1), Some(1)]);
        assert!(t.breaks.is_empty());
        assert_eq!(t.sizes, vec![3]);
        assert_eq!(t.unranked, vec![1]);
        assert_eq!(t.ranges, vec![Some((1.0, 3.0))]);
    }
}

fn check_city_tiering(method: &TierMethod, cities: &[City]) {
    let scores: Vec<f64> = cities.iter().map(|c| c.overall).collect();
    let t = assign_tiers(&scores, method).unwrap();
    let k = method.n_tiers();
    assert_eq!(t.sizes.len(), k);
    assert_eq!(t.sizes.iter().sum::<usize>(), 72);
    assert!(t.unranked.is_empty());
    // contiguous in score: a strictly higher score is never in a worse tier, equal scores share
    for (i, a) in scores.iter().enumerate() {
        for (j, b) in scores.iter().enumerate() {
            if a > b {
                assert!(t.tier[i] <= t.tier[j], "{method:?}: {i} vs {j}");
            }
            if a == b {
                assert_eq!(t.tier[i], t.tier[j]);
            }
        }
    }
    // breaks descending and consistent with the >= rule
    assert!(t.breaks.windows(2).all(|w| w[0] >= w[1]));
    for (i, s) in scores.iter().enumerate() {
        let tier = t.tier[i].unwrap();
        let expected = 1 + t.breaks.iter().filter(|&&b| *s < b).count();
        assert_eq!(tier, expected, "unit {i} score {s}");
    }
    let name_tier = |n: &str| {
        let i = cities.iter().position(|c| c.name == n).unwrap();
        t.tier[i]
    };
    assert_eq!(name_tier("Shanghai"), Some(1));
    assert_eq!(name_tier("Beijing"), Some(1));
}

#[test]
fn published_city_scores_split_into_tiers() {
    let cities = cities();
    assert_eq!(cities.len(), 72);
    for k in 2..=5 {
        check_city_tiering(&TierMethod::Jenks { k }, &cities);
        check_city_tiering(&TierMethod::Quantiles { k }, &cities);
    }
    check_city_tiering(&TierMethod::Thresholds(vec![40.0, 25.0, 18.0]), &cities);

    // Shanghai 60.0 and Beijing 59.8 stand far above Guangzhou 38.0: Jenks k = 3 isolates them
    let scores: Vec<f64> = cities.iter().map(|c| c.overall).collect();
    let t = assign_tiers(&scores, &TierMethod::Jenks { k: 3 }).unwrap();
    assert_eq!(t.sizes[0], 2);
    assert_eq!(t.breaks[0], 59.8);
    // 72 = 4 * 18 and no tie straddles a boundary of position 18, 36 or 54 (ranks 18/19 are
    // distinct scores), so quartiles are exactly 18 each
    let q = assign_tiers(&scores, &TierMethod::Quantiles { k: 4 }).unwrap();
    let mut sorted = scores.clone();
    sorted.sort_by(|a, b| b.total_cmp(a));
    for p in [18usize, 36, 54] {
        assert_ne!(sorted[p - 1], sorted[p], "tie across the boundary at {p}");
    }
    assert_eq!(q.sizes, vec![18, 18, 18, 18]);
}

#[test]
fn pillar_tags_on_published_cities() {
    let cities = cities();
    let x = Array2::from_shape_fn((72, 6), |(u, p)| cities[u].pillars[p]);
    let names: Vec<String> = PILLARS.iter().map(|s| s.to_string()).collect();
    let t = pillar_tags(x.view(), &names).unwrap();
    // hand check of one pillar's statistics
    let col: Vec<f64> = cities.iter().map(|c| c.pillars[0]).collect();
    let mean = col.iter().sum::<f64>() / 72.0;
    let sd = (col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 71.0).sqrt();
    assert!((t.mean[0] - mean).abs() < 1e-12 && (t.sd[0] - sd).abs() < 1e-12);
    for (u, tag) in t.tags.iter().enumerate() {
        let tag = tag.unwrap();
        let z = t.z.row(u);
        let max = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let min = z.iter().cloned().fold(f64::INFINITY, f64::min);
        assert_eq!(tag.strongest_z, max);
        assert_eq!(tag.weakest_z, min);
    }
    // Values cross-checked with an independent Python computation (statistics.stdev):
    // Shanghai is > 3 sd above the mean everywhere; strongest enterprise capability (z = 4.90),
    // weakest policy support (3.21).
    let sh = t.tags[0].unwrap();
    assert!(sh.weakest_z > 3.0);
    assert!((sh.strongest_z - 4.8972).abs() < 1e-3);
    let pairs = t.pairs();
    assert_eq!(pairs[0], Some(("enterprise_capability", "policy_support")));
    // Beijing: top R&D score 12.5 (z = 5.09), policy support 7.9 only z = 1.34
    assert_eq!(pairs[1], Some(("rd_resources", "policy_support")));
    // Guangzhou: innovation system strongest, funding system (0.9) below average
    assert_eq!(pairs[2], Some(("innovation_system", "funding_system")));
    assert!(t.tags[2].unwrap().weakest_z < 0.0);
}
