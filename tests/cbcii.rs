//! The China Biopharmaceutical City Innovation Index: the crate reproduces the published ranks, regional
//! means and identities of `data/cbcii/` (see its README: O1–O3, R1–R2, S1–S3, SS2), and the
//! `cbcii` example's method satisfies the same identities on its synthetic data.

use std::collections::{BTreeMap, HashMap};

use composite_indicators::io::datasets::cbcii::read_cbcii_framework_path;
use composite_indicators::rank::{TieRule, rank_desc};
use composite_indicators::score::summarise_groups;
use ndarray::Array1;

#[allow(dead_code)]
#[path = "../examples/cbcii.rs"]
mod example;

type Row = HashMap<String, String>;

fn load(name: &str) -> Vec<Row> {
    let path = example::data_dir().join(name);
    let mut r = csv::Reader::from_path(&path).expect("open csv");
    let headers = r.headers().expect("header").clone();
    r.records()
        .map(|rec| {
            let rec = rec.expect("record");
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn num(r: &Row, k: &str) -> f64 {
    r[k].parse().unwrap_or_else(|_| panic!("{k}: {}", r[k]))
}

fn col(rows: &[Row], k: &str) -> Vec<f64> {
    rows.iter().map(|r| num(r, k)).collect()
}

fn city<'a>(rows: &'a [Row], name: &str) -> &'a Row {
    rows.iter().find(|r| r["city_en"] == name).expect(name)
}

/// Published ranks never contradict the printed values, equal published ranks have equal values, and
/// the min-tie ranks of the printed values are <= the published ranks, with equality for every unit whose
/// printed value is not shared. Returns the number of units whose printed value is shared.
fn assert_rank_consistent(label: &str, values: &[f64], published: &[f64]) -> usize {
    let n = values.len();
    for a in 0..n {
        for b in 0..n {
            if values[a] > values[b] {
                assert!(published[a] < published[b], "{label}: inversion {a} vs {b}");
            }
            if published[a] == published[b] {
                assert_eq!(
                    values[a], values[b],
                    "{label}: equal ranks, different values"
                );
            }
        }
    }
    let min = rank_desc(values, TieRule::Min);
    let mut shared = 0;
    for u in 0..n {
        assert!(min[u] <= published[u], "{label}: unit {u}");
        let is_shared = values.iter().filter(|&&v| v == values[u]).count() > 1;
        if is_shared {
            shared += 1;
        } else {
            assert_eq!(min[u], published[u], "{label}: unit {u} has a unique value");
        }
    }
    shared
}

// ---------------------------------------------------------------- (a) ranks

#[test]
fn overall_ranks_are_reproduced() {
    let rows = load("cities_overall.csv");
    assert_eq!(rows.len(), 72);
    let overall = col(&rows, "overall");
    let published = col(&rows, "rank");
    // rows are in published order, so ranking the printed values with ties broken by row order gives
    // the published ranks exactly
    assert_eq!(rank_desc(&overall, TieRule::Ordinal), published);
    let shared = assert_rank_consistent("overall", &overall, &published);
    assert_eq!(shared, 2 + 2 + 2 + 3 + 2 + 2 + 2 + 2);
    // the report ranks equal printed scores in table order; the min rule gives them a shared rank
    let min = rank_desc(&overall, TieRule::Min);
    let by_name: HashMap<&str, f64> = rows
        .iter()
        .zip(&min)
        .map(|(r, &m)| (r["city_en"].as_str(), m))
        .collect();
    for (names, rank) in [
        (&["Changsha", "Taizhou (Jiangsu)"][..], 16.0),
        (&["Kunming", "Shijiazhuang"][..], 26.0),
        (&["Harbin", "Changchun"][..], 29.0),
        (&["Nanchang", "Changzhou", "Huzhou"][..], 32.0),
        (&["Shaoxing", "Xinxiang"][..], 47.0),
        (&["Zhongshan", "Ganzhou"][..], 51.0),
        (&["Urumqi", "Qionghai"][..], 56.0),
        (&["Tangshan", "Langfang"][..], 64.0),
    ] {
        for n in names {
            assert_eq!(by_name[n], rank, "{n}");
        }
    }
    assert_eq!(num(city(&rows, "Taizhou (Jiangsu)"), "rank"), 17.0);
    assert_eq!(num(city(&rows, "Huzhou"), "rank"), 34.0);
}

#[test]
fn subsector_ranks_are_reproduced() {
    let rows = load("cities_subsector.csv");
    assert_eq!(rows.len(), 72);
    // SS2: published shared ranks (rank -> number of cities)
    let expected_ties: [&[(u32, usize)]; 4] = [
        &[(22, 7), (54, 19)],
        &[
            (25, 2),
            (27, 2),
            (30, 2),
            (32, 10),
            (42, 4),
            (46, 2),
            (48, 7),
            (55, 18),
        ],
        &[(40, 2), (62, 2), (64, 2), (66, 2), (69, 4)],
        &[(43, 2), (46, 3), (49, 7)],
    ];
    for (k, s) in example::SUBSECTORS.iter().enumerate() {
        let v = col(&rows, s);
        let r = col(&rows, &format!("{s}_rank"));
        let shared = assert_rank_consistent(s, &v, &r);
        assert!(shared > 0, "{s}: some printed values are shared");
        // competition ranks: rank = 1 + number of cities with a better published rank
        for u in 0..72 {
            let better = r.iter().filter(|&&x| x < r[u]).count();
            assert_eq!(r[u], 1.0 + better as f64, "{s}: competition rank");
        }
        let mut ties: BTreeMap<u32, usize> = BTreeMap::new();
        for &x in &r {
            *ties.entry(x as u32).or_default() += 1;
        }
        let shared_ranks: Vec<(u32, usize)> = ties.into_iter().filter(|&(_, c)| c > 1).collect();
        assert_eq!(shared_ranks, expected_ties[k].to_vec(), "{s}");
    }
    // where equal printed values carry different ranks the report ranked unrounded values:
    // (e.g. printed 0.0 values with distinct ranks), so the min-tie rank of such a unit is better
    // than its published rank
    for s in example::SUBSECTORS {
        let v = col(&rows, s);
        let r = col(&rows, &format!("{s}_rank"));
        let split = (0..72).any(|a| (0..72).any(|b| v[a] == v[b] && r[a] != r[b]));
        assert!(
            split,
            "{s}: some equal printed values carry different ranks"
        );
        let min = rank_desc(&v, TieRule::Min);
        assert!((0..72).any(|u| min[u] < r[u]), "{s}");
    }
}

#[test]
fn status_and_potential_ranks_are_consistent() {
    let rows = load("cities_status_potential.csv");
    assert_eq!(rows.len(), 20);
    for (val, rk) in [
        ("status_index", "status_rank"),
        ("potential_index", "potential_rank"),
        ("overall", "overall_rank"),
    ] {
        let v = col(&rows, val);
        let r = col(&rows, rk);
        for a in 0..20 {
            for b in 0..20 {
                if v[a] > v[b] {
                    assert!(r[a] < r[b], "{val}: inversion");
                }
            }
        }
        // ranks are among all 72 cities: at least 1 + the number of these 20 strictly above
        let min20 = rank_desc(&v, TieRule::Min);
        for u in 0..20 {
            assert!(min20[u] <= r[u], "{val}");
        }
    }
    // S3: ranks held by cities outside the top 20
    let sr = col(&rows, "status_rank");
    let pr = col(&rows, "potential_rank");
    assert!(!sr.contains(&17.0));
    for k in [14.0, 15.0, 16.0] {
        assert!(!pr.contains(&k));
    }
    assert_eq!(num(city(&rows, "Haikou"), "status_rank"), 40.0);
    // equal printed values ranked below display precision
    let (cq, cd) = (city(&rows, "Chongqing"), city(&rows, "Chengdu"));
    assert_eq!(num(cq, "status_index"), num(cd, "status_index"));
    assert_eq!(
        (num(cq, "status_rank"), num(cd, "status_rank")),
        (10.0, 11.0)
    );
    let (cs, tz) = (city(&rows, "Changsha"), city(&rows, "Taizhou (Jiangsu)"));
    for k in ["overall", "status_index", "potential_index"] {
        assert_eq!(num(cs, k), num(tz, k));
    }
    assert_eq!(
        rank_desc(
            &[num(cs, "status_index"), num(tz, "status_index")],
            TieRule::Min
        ),
        vec![1.0, 1.0]
    );
    // S2: overall and overall_rank agree with the overall table
    let overall = load("cities_overall.csv");
    for r in &rows {
        let o = city(&overall, &r["city_en"]);
        assert_eq!(num(o, "overall"), num(r, "overall"));
        assert_eq!(num(o, "rank"), num(r, "overall_rank"));
    }
}

// ---------------------------------------------------------------- (b) regions

#[test]
fn region_means_reproduce_r2() {
    let rows = load("cities_overall.csv");
    let labels: Vec<String> = rows.iter().map(|r| r["region_en"].clone()).collect();
    let g = summarise_groups(&labels, Array1::from(col(&rows, "overall")).view()).unwrap();
    let order: Vec<(&str, usize, f64)> = g
        .iter()
        .map(|s| (s.group.as_str(), s.count, s.mean))
        .collect();
    let want = [
        ("Southwest China", 4, 27.950),
        ("Greater Bay Area", 6, 24.883),
        ("Bohai Rim", 10, 24.250),
        ("Yangtze River Delta", 22, 23.741),
        ("Northeast China", 2, 20.500),
        ("Central China", 6, 19.417),
        ("Northwest China", 3, 19.400),
        ("South China", 4, 19.000),
        ("East China", 11, 17.018),
        ("North China", 4, 12.625),
    ];
    assert_eq!(order.len(), want.len());
    for ((g, c, m), (wg, wc, wm)) in order.iter().zip(want) {
        assert_eq!((*g, *c), (wg, wc));
        assert!((m - wm).abs() < 5e-4, "{g}: {m} vs {wm}");
    }
    let (top, bottom) = (g[0].mean, g[g.len() - 1].mean);
    assert!((top - 27.95).abs() < 1e-9 && (bottom - 12.625).abs() < 1e-9);
    let gap = (top - bottom) / top;
    assert!((gap - 0.548).abs() < 5e-4);
    assert_eq!((gap * 100.0).round(), 55.0);
}

// ---------------------------------------------------------------- (c) status + potential

#[test]
fn status_plus_potential_is_overall_s1() {
    let rows = load("cities_status_potential.csv");
    let mut exact = 0;
    let mut off = Vec::new();
    for r in &rows {
        let d = num(r, "overall") - num(r, "status_index") - num(r, "potential_index");
        assert!(d.abs() <= 0.1 + 1e-9, "{}: {d}", r["city_en"]);
        if d.abs() < 1e-9 {
            exact += 1;
        } else {
            off.push((r["city_en"].clone(), (d * 10.0).round() as i32));
        }
    }
    assert_eq!(exact, 13);
    off.sort();
    let mut want: Vec<(String, i32)> = [
        ("Beijing", -1),
        ("Guangzhou", 1),
        ("Wuhan", -1),
        ("Ningbo", 1),
        ("Qingdao", -1),
        ("Hefei", 1),
        ("Haikou", 1),
    ]
    .iter()
    .map(|(c, d)| (c.to_string(), *d))
    .collect();
    want.sort();
    assert_eq!(off, want);
    // S4: potential exceeds status for 17 of 20; not for Shanghai, Beijing, Tianjin
    let lower: Vec<&str> = rows
        .iter()
        .filter(|r| num(r, "potential_index") <= num(r, "status_index"))
        .map(|r| r["city_en"].as_str())
        .collect();
    assert_eq!(lower, vec!["Shanghai", "Beijing", "Tianjin"]);
}

// ---------------------------------------------------------------- (d) framework

#[test]
fn framework_identities() {
    let spec = read_cbcii_framework_path(example::data_dir().join("framework.csv")).unwrap();
    let fw = spec.check().unwrap();
    assert_eq!(fw.n_indicators(), 79);
    assert_eq!(fw.root().children.len(), 6);
    let subs = fw
        .aggregate_indices()
        .filter(|&k| fw.nodes()[k].level == 2)
        .count();
    assert_eq!(subs, 23);
    let inds = fw.indicators();
    let count =
        |f: &dyn Fn(&composite_indicators::Indicator) -> bool| inds.iter().filter(|i| f(i)).count();
    for (p, n, bonus, sub) in [
        ("P1", 20, 3, 4),
        ("P2", 15, 2, 5),
        ("P3", 16, 1, 10),
        ("P4", 11, 3, 6),
        ("P5", 7, 1, 0),
        ("P6", 10, 0, 10),
    ] {
        let pre = format!("{p}.");
        assert_eq!(count(&|i| i.code.starts_with(&pre)), n, "{p}");
        assert_eq!(
            count(&|i| i.code.starts_with(&pre) && i.bonus),
            bonus,
            "{p}"
        );
        assert_eq!(
            count(&|i| i.code.starts_with(&pre) && i.has_tag("subsector")),
            sub,
            "{p}"
        );
        assert_eq!(fw.leaves_under(fw.position(p).unwrap()).len(), n);
    }
    assert_eq!(count(&|i| i.bonus), 10);
    assert_eq!(count(&|i| !i.bonus), 69);
    assert_eq!(count(&|i| i.bonus && i.max_score == Some(1.0)), 9);
    assert_eq!(fw.indicators_with_tag("subsector").len(), 35);
    assert_eq!(fw.indicators_with_tag("status").len(), 41);
    assert_eq!(fw.indicators_with_tag("potential").len(), 38);
    assert_eq!(count(&|i| i.max_score.is_some()), 24);
    // every indicator carries exactly one horizon tag, so status + potential partitions the index
    assert_eq!(count(&|i| i.has_tag("status") == i.has_tag("potential")), 0);
    let bonus_status = count(&|i| i.bonus && i.has_tag("status"));
    assert_eq!((bonus_status, 10 - bonus_status), (2, 8));
    let neg: Vec<&str> = inds
        .iter()
        .filter(|i| i.direction == composite_indicators::Direction::Negative)
        .map(|i| i.code.as_str())
        .collect();
    assert_eq!(neg, vec!["P1.S1.I2", "P1.S2.I3", "P2.S3.I4"]);
}

// ---------------------------------------------------------------- (e) O2 / O3

fn non_bonus_per_pillar() -> Vec<usize> {
    let fw = example::load_framework().unwrap();
    example::PILLARS
        .iter()
        .map(|(p, _)| {
            fw.indicators()
                .iter()
                .filter(|i| i.code.starts_with(&format!("{p}.")) && !i.bonus)
                .count()
        })
        .collect()
}

const PILLAR_COLUMNS: [&str; 6] = [
    "infrastructure",
    "policy_support",
    "rd_resources",
    "innovation_system",
    "funding_system",
    "enterprise_capability",
];

#[test]
fn pillar_scores_respect_the_o3_bound() {
    let rows = load("cities_overall.csv");
    let bound = non_bonus_per_pillar();
    assert_eq!(bound, vec![17, 13, 15, 8, 6, 10]);
    let maxima: Vec<f64> = PILLAR_COLUMNS
        .iter()
        .map(|c| col(&rows, c).into_iter().fold(f64::NEG_INFINITY, f64::max))
        .collect();
    assert_eq!(maxima, vec![11.4, 10.9, 12.5, 6.9, 5.3, 8.0]);
    for (m, b) in maxima.iter().zip(&bound) {
        assert!(*m <= *b as f64);
    }
}

#[test]
fn o2_gap_is_the_bonus_total() {
    let rows = load("cities_overall.csv");
    let gaps: Vec<f64> = rows
        .iter()
        .map(|r| num(r, "overall") - PILLAR_COLUMNS.iter().map(|c| num(r, c)).sum::<f64>())
        .collect();
    assert!(
        gaps.iter().all(|&g| g > 0.05),
        "overall > Σ pillars for every city"
    );
    let max = gaps.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min = gaps.iter().copied().fold(f64::INFINITY, f64::min);
    assert!((max - 10.1).abs() < 1e-9 && (min - 0.1).abs() < 1e-9);
    let argmax = gaps.iter().position(|&g| g == max).unwrap();
    assert_eq!(rows[argmax]["city_en"], "Guangzhou");
    let n_bonus = 79 - non_bonus_per_pillar().iter().sum::<usize>();
    assert_eq!(n_bonus, 10);
    // the largest gap is the number of bonus factors, up to the rounding of seven printed numbers
    assert!((max - n_bonus as f64).abs() <= 0.35);
    let mean = gaps.iter().sum::<f64>() / 72.0;
    assert!((mean - 3.985).abs() < 1e-3, "{mean}");
    let near_int = gaps
        .iter()
        .filter(|g| (*g - g.round()).abs() <= 0.1 + 1e-9)
        .count();
    assert_eq!(near_int, 68);
}

// ---------------------------------------------------------------- (f) the method on synthetic data

#[test]
fn synthetic_scores_satisfy_the_published_identities() {
    let fw = example::load_framework().unwrap();
    let cities = example::load_cities().unwrap();
    let syn = example::synthetic_data(&fw, &cities, example::SEED).unwrap();
    assert_eq!(syn.base.n_units(), 72);
    assert_eq!(syn.base.columns().len(), 79);
    // determinism
    let again = example::synthetic_data(&fw, &cities, example::SEED).unwrap();
    assert_eq!(syn.base.values(), again.base.values());
    // max-score indicators within [0, max]
    for (i, ind) in fw.indicators().iter().enumerate() {
        if let Some(m) = ind.max_score {
            assert!(
                syn.base
                    .values()
                    .column(i)
                    .iter()
                    .all(|&v| (0.0..=m).contains(&v))
            );
        }
    }
    let scorer = example::cbcii_scorer(&fw).unwrap();
    let s = scorer.score(&syn.base).unwrap();
    let idx = s.index();
    let bonus = s.bonus();
    let bound = non_bonus_per_pillar();
    let status = s.tag_index("status").unwrap();
    let potential = s.tag_index("potential").unwrap();
    for u in 0..72 {
        let mut sum = 0.0;
        for (p, (code, _)) in example::PILLARS.iter().enumerate() {
            let v = s.node_values(code).unwrap()[u];
            assert!((0.0..=bound[p] as f64 + 1e-12).contains(&v), "{code}: {v}");
            sum += v;
        }
        assert!((idx[u] - (sum + bonus[u])).abs() < 1e-9, "O2");
        assert!((status[u] + potential[u] - idx[u]).abs() < 1e-9, "S1");
        assert!((0.0..=10.0).contains(&bonus[u]));
    }
    // a pillar score is the sum of its non-bonus indicators' normalised values
    let x = s.values();
    let p2 = fw.position("P2").unwrap();
    for u in 0..72 {
        let direct: f64 = fw
            .indicators()
            .iter()
            .enumerate()
            .filter(|(_, i)| i.code.starts_with("P2.") && !i.bonus)
            .map(|(k, _)| x[[u, k]])
            .sum();
        assert!((x[[u, p2]] - direct).abs() < 1e-9);
    }
    // the synthetic ranking follows the published one
    let rho = composite_indicators::audit::correlation(
        idx,
        cities.column("overall").unwrap(),
        composite_indicators::audit::CorrMethod::Spearman,
    )
    .unwrap();
    assert!(rho > 0.8, "{rho}");

    // sub-sector rescaling = subsector contributions × (total path factor / subsector path factor)
    let tagged = fw.indicators_with_tag("subsector");
    assert_eq!(tagged.len(), 35);
    let sub = example::subsector_indices(&scorer, &syn).unwrap();
    assert_eq!(sub.len(), 4);
    for (v, sc) in &sub {
        let c = sc.contributions().unwrap();
        let f = sc.path_factors().unwrap();
        for u in 0..72 {
            let tag_c: f64 = tagged.iter().map(|&i| c[[u, i]]).sum();
            let tag_f: f64 = tagged.iter().map(|&i| f[[u, i]]).sum();
            let all_f: f64 = f.row(u).sum();
            // sums everywhere, bonus weight 1: every path factor is 1
            assert_eq!((tag_f, all_f), (35.0, 79.0));
            assert!((v[u] - tag_c * all_f / tag_f).abs() < 1e-9);
            assert!((v[u] - tag_c * 79.0 / 35.0).abs() < 1e-9);
            assert!(v[u] >= 0.0 && v[u] <= 79.0 + 1e-9);
        }
    }
}
