//! Integration tests of weight sweeps: batch == reference, exact histograms, merging, determinism,
//! samplers, Sobol.

#![allow(clippy::needless_range_loop)] // index loops over units read clearer in these checks

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use composite_indicators::aggregate::{Aggregator, NodeContext};
use composite_indicators::rank::{TieRule, rank_desc};
use composite_indicators::sweep::bench_support::{
    min_max_columns, quantile_target, rank_min_into, synthetic,
};
use composite_indicators::sweep::*;
use composite_indicators::{AggregatorKind, Error, MissingPolicy, Result};
use ndarray::{Array1, Array2, ArrayView2};
use proptest::prelude::*;

fn model(
    units: usize,
    missing_every: usize,
    policy: MissingPolicy,
    bonus: Option<f64>,
    alts: usize,
) -> BatchModel {
    let (fw, x) = synthetic(units, 13, 5, 2, 3).unwrap();
    let mut spec = fw.spec().clone();
    if bonus.is_some() {
        spec.indicators[4].bonus = true;
        spec.indicators[9].bonus = true;
    }
    let fw = spec.check().unwrap();
    let mut mats = Vec::new();
    for a in 0..alts {
        let mut m = min_max_columns(&x.mapv(|v| v.powf(1.0 + a as f64 * 0.5)));
        if missing_every > 0 {
            for (i, v) in m.iter_mut().enumerate() {
                if (i * 7 + a) % missing_every == 0 {
                    *v = f64::NAN;
                }
            }
        }
        mats.push(m);
    }
    let n_agg = fw.nodes().len() - fw.n_indicators();
    BatchModel::new(
        fw,
        vec![AggregatorKind::Arithmetic; n_agg],
        policy,
        bonus,
        mats,
    )
    .unwrap()
}

fn random_weights(m: &BatchModel, k: usize, seed: u64) -> (Array2<f64>, Vec<usize>) {
    let s = VariantSampler::new(
        m,
        &WeightSampler::Uniform {
            spread: 0.9,
            nodes: NodeSelection::All,
        },
        &AltSampler::Uniform,
        seed,
    )
    .unwrap();
    s.chunk(0, k).unwrap()
}

fn assert_batch_equals_reference(m: &BatchModel, k: usize) {
    let (w, alts) = random_weights(m, k, 9);
    let b = m.score_batch(w.view(), &alts).unwrap();
    for v in 0..k {
        let r = m.score_index(&w.row(v).to_vec(), alts[v]).unwrap();
        for (u, (&x, &y)) in b.row(v).iter().zip(&r).enumerate() {
            assert!(
                (x.is_nan() && y.is_nan()) || (x - y).abs() <= 1e-12 * (1.0 + y.abs()),
                "variant {v} unit {u}: batch {x} reference {y}"
            );
        }
    }
}

#[test]
fn batch_equals_reference_complete_data() {
    let m = model(17, 0, MissingPolicy::default(), None, 1);
    assert!(m.is_single_product(0));
    assert_batch_equals_reference(&m, 40);
    let m = model(17, 0, MissingPolicy::default(), Some(0.3), 3);
    assert_batch_equals_reference(&m, 40);
}

#[test]
fn batch_equals_reference_missing_data() {
    for policy in [
        MissingPolicy::Skip { min_coverage: 0.0 },
        MissingPolicy::Skip { min_coverage: 0.6 },
        MissingPolicy::Propagate,
    ] {
        let m = model(23, 4, policy, None, 2);
        assert!(!m.is_single_product(0));
        assert_batch_equals_reference(&m, 30);
        let m = model(23, 3, policy, Some(0.5), 2);
        assert_batch_equals_reference(&m, 30);
    }
}

#[test]
fn batch_equals_reference_with_sum_when_available() {
    let probe = AggregatorKind::Sum.aggregate(
        ndarray::array![[1.0]].view(),
        &[1.0],
        &NodeContext {
            node: "n",
            children: &["c".to_string()],
            unit_codes: &["u".to_string()],
            missing: MissingPolicy::default(),
        },
    );
    if probe.is_err() {
        eprintln!("AggregatorKind::Sum not implemented in this branch yet: skipped");
        return;
    }
    let (fw, x) = synthetic(11, 9, 3, 2, 5).unwrap();
    let n_agg = fw.nodes().len() - fw.n_indicators();
    let mut aggs = vec![AggregatorKind::Arithmetic; n_agg];
    aggs[n_agg - 1] = AggregatorKind::Sum;
    let m = BatchModel::new(
        fw,
        aggs,
        MissingPolicy::default(),
        None,
        vec![min_max_columns(&x)],
    )
    .unwrap();
    assert_batch_equals_reference(&m, 20);
}

/// A non-linear aggregator (weighted maximum of available children: max of w·x / max w) to exercise
/// the per-variant fallback of the batched kernel.
#[derive(Debug)]
struct WMax;
impl Aggregator for WMax {
    fn name(&self) -> String {
        "wmax".into()
    }
    fn aggregate(
        &self,
        values: ArrayView2<'_, f64>,
        weights: &[f64],
        _ctx: &NodeContext<'_>,
    ) -> Result<Array1<f64>> {
        let wmax = weights.iter().copied().fold(0.0, f64::max);
        Ok(values.map_axis(ndarray::Axis(1), |r| {
            r.iter()
                .zip(weights)
                .filter(|(x, _)| !x.is_nan())
                .map(|(x, w)| x * w / wmax)
                .fold(f64::NAN, f64::max)
        }))
    }
}

#[test]
fn nonlinear_nodes_fall_back_to_the_trait() {
    let (fw, x) = synthetic(9, 8, 4, 2, 2).unwrap();
    let n_agg = fw.nodes().len() - fw.n_indicators();
    let mut aggs: Vec<Box<dyn Aggregator>> = (0..n_agg)
        .map(|_| Box::new(AggregatorKind::Arithmetic) as Box<dyn Aggregator>)
        .collect();
    aggs[1] = Box::new(WMax);
    let mut x = min_max_columns(&x);
    x[[2, 3]] = f64::NAN;
    let m = BatchModel::new(fw, aggs, MissingPolicy::default(), None, vec![x]).unwrap();
    assert_batch_equals_reference(&m, 15);
}

#[test]
fn histograms_equal_direct_count() {
    let m = model(12, 5, MissingPolicy::Skip { min_coverage: 0.7 }, None, 2);
    let mut cfg = SweepConfig::new(
        300,
        4,
        WeightSampler::Triangular {
            spread: 0.5,
            nodes: NodeSelection::All,
        },
    );
    cfg.alternatives = AltSampler::Probabilities {
        probabilities: vec![1.0, 3.0],
    };
    cfg.chunk_size = 64;
    let res = m.sweep(&cfg).unwrap();
    let sampler = VariantSampler::new(&m, &cfg.weights, &cfg.alternatives, cfg.seed).unwrap();
    let mut direct = vec![vec![0u64; 13]; 12]; // index 0 = no rank
    let mut scores: Vec<Vec<f64>> = vec![Vec::new(); 12];
    for k in 0..300 {
        let (w, alt) = sampler.sample(k).unwrap();
        let s = m.score_index(&w, alt).unwrap();
        let r = rank_desc(&s, TieRule::Min);
        for u in 0..12 {
            if r[u].is_nan() {
                direct[u][0] += 1;
            } else {
                direct[u][r[u] as usize] += 1;
                scores[u].push(s[u]);
            }
        }
    }
    for u in 0..12 {
        assert_eq!(res.ranks.n_missing(u), direct[u][0]);
        for r in 1..=12 {
            assert_eq!(res.ranks.count(u, r), direct[u][r], "unit {u} rank {r}");
        }
        // score statistics against direct computation
        let v = &scores[u];
        if v.len() > 1 {
            let mean = v.iter().sum::<f64>() / v.len() as f64;
            let sd =
                (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt();
            assert!((res.scores.mean(u).unwrap() - mean).abs() < 1e-9);
            assert!((res.scores.sd(u).unwrap() - sd).abs() < 1e-9);
            let mut sorted = v.clone();
            sorted.sort_by(f64::total_cmp);
            let (lo, hi) = res.scores.bounds(u).unwrap();
            let width = (hi - lo) / cfg.score_bins as f64;
            for q in [0.05, 0.5, 0.95] {
                let exact = sorted[(quantile_target(q, sorted.len() as u64) - 1) as usize];
                let est = res.scores.quantile(u, q).unwrap();
                assert!(
                    (est - exact).abs() <= width + 1e-9,
                    "unit {u} q {q}: {est} vs {exact}"
                );
            }
        }
    }
    let ua = res.ua_report();
    assert_eq!(ua.rows.len(), 12);
    assert_eq!(ua.variants, 300);
}

#[test]
fn merge_of_ranges_equals_single_run() {
    let m = model(10, 0, MissingPolicy::default(), None, 1);
    let cfg = SweepConfig::new(
        1000,
        8,
        WeightSampler::Dirichlet {
            concentration: 20.0,
            nodes: NodeSelection::All,
        },
    );
    let full = m.sweep(&cfg).unwrap();
    let mut a = m.sweep_range(&cfg, 0..333).unwrap();
    let b = m.sweep_range(&cfg, 333..1000).unwrap();
    a.merge(&b).unwrap();
    assert_eq!(a.ranks, full.ranks);
    for u in 0..10 {
        assert!((a.scores.mean(u).unwrap() - full.scores.mean(u).unwrap()).abs() < 1e-12);
        assert!((a.scores.sd(u).unwrap() - full.scores.sd(u).unwrap()).abs() < 1e-12);
        assert_eq!(a.scores.quantile(u, 0.5), full.scores.quantile(u, 0.5));
    }
    // serde round trip keeps everything
    let json = serde_json::to_string(&full).unwrap();
    let back: SweepResult = serde_json::from_str(&json).unwrap();
    assert_eq!(back.ranks, full.ranks);
}

#[test]
fn identical_for_thread_counts_and_chunk_sizes() {
    let m = model(15, 6, MissingPolicy::default(), Some(0.2), 2);
    let mut cfg = SweepConfig::new(
        700,
        21,
        WeightSampler::Uniform {
            spread: 0.3,
            nodes: NodeSelection::Levels { levels: vec![2, 3] },
        },
    );
    cfg.alternatives = AltSampler::Uniform;
    let run = |threads: usize, chunk: usize| {
        let mut c = cfg.clone();
        c.chunk_size = chunk;
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| m.sweep(&c).unwrap())
    };
    let r1 = run(1, 100);
    let r2 = run(2, 100);
    let r3 = run(2, 37);
    assert_eq!(r1, r2); // bit-identical, scores included
    assert_eq!(r1.ranks, r3.ranks);
    for u in 0..15 {
        assert!((r1.scores.mean(u).unwrap() - r3.scores.mean(u).unwrap()).abs() < 1e-12);
    }
}

#[test]
fn progress_and_cancellation() {
    let m = model(8, 0, MissingPolicy::default(), None, 1);
    let mut cfg = SweepConfig::new(500, 1, WeightSampler::Nominal);
    cfg.chunk_size = 50;
    let calls = AtomicUsize::new(0);
    let last = AtomicUsize::new(0);
    let p = |d: usize, t: usize| {
        assert_eq!(t, 500);
        calls.fetch_add(1, Ordering::Relaxed);
        last.fetch_max(d, Ordering::Relaxed);
    };
    let ctl = Control::default().with_progress(&p);
    let r = m.sweep_with(&cfg, &ctl).unwrap();
    assert_eq!(calls.load(Ordering::Relaxed), 10);
    assert_eq!(last.load(Ordering::Relaxed), 500);
    // nominal weights only: every variant reproduces the nominal ranks
    for u in 0..8 {
        assert_eq!(
            r.ranks.count(u, r.nominal_ranks[u].unwrap_or(0) as usize),
            500
        );
    }
    let stop = AtomicBool::new(true);
    let ctl = Control::default().with_cancel(&stop);
    assert!(matches!(m.sweep_with(&cfg, &ctl), Err(Error::Cancelled)));
}

#[test]
fn list_sampler_and_errors() {
    let m = model(5, 0, MissingPolicy::default(), None, 1);
    let n = m.n_nodes();
    let mut w2 = vec![1.0; n];
    w2[0] = 5.0;
    let ws = WeightSampler::List {
        weights: vec![vec![1.0; n], w2.clone()],
    };
    let s = VariantSampler::new(&m, &ws, &AltSampler::default(), 0).unwrap();
    assert_eq!(s.sample(1).unwrap().0, w2);
    assert!(s.sample(2).is_err());
    let cfg = SweepConfig::new(3, 0, ws);
    assert!(matches!(m.sweep(&cfg), Err(Error::InvalidParameter { .. })));
    let bad = WeightSampler::List {
        weights: vec![vec![-1.0; n]],
    };
    assert!(matches!(
        VariantSampler::new(&m, &bad, &AltSampler::default(), 0),
        Err(Error::InvalidWeight { .. })
    ));
    let bad = WeightSampler::Uniform {
        spread: 1.5,
        nodes: NodeSelection::All,
    };
    assert!(VariantSampler::new(&m, &bad, &AltSampler::default(), 0).is_err());
    let bad = WeightSampler::Uniform {
        spread: 0.1,
        nodes: NodeSelection::Codes {
            codes: vec!["nope".into()],
        },
    };
    assert!(matches!(
        VariantSampler::new(&m, &bad, &AltSampler::default(), 0),
        Err(Error::UnknownCode { .. })
    ));
}

#[test]
fn sobol_on_model_recovers_single_group_and_separates_groups() {
    let m = model(9, 0, MissingPolicy::default(), None, 2);
    let groups = vec![
        SobolGroup::new(
            "pillar weights",
            GroupInput::Weights {
                nodes: NodeSelection::Levels { levels: vec![3] },
                spread: 0.5,
                triangular: false,
            },
        ),
        SobolGroup::new(
            "normaliser choice",
            GroupInput::Alternative {
                choice: AltSampler::Uniform,
            },
        ),
    ];
    let s = m.sobol(&groups, 2048, 3).unwrap();
    assert_eq!(s.targets.len(), 2 * 9 + 1);
    assert_eq!(s.runs, 2048 * 4);
    for t in 0..9 {
        let (s1, s2) = (s.first[[t, 0]], s.first[[t, 1]]);
        // scores are nearly additive in the two groups: first ~ total, and they sum to ~1
        assert!((s1 + s2 - 1.0).abs() < 0.15, "target {t}: {s1} + {s2}");
        assert!((s.total[[t, 0]] - s1).abs() < 0.1 && (s.total[[t, 1]] - s2).abs() < 0.1);
    }
    let oat = m.oat(&groups, 64, 3).unwrap();
    assert_eq!(oat.variance.dim(), (19, 2));
    // nominal alternative and nominal weights lie inside the one-at-a-time ranges
    let (nom, _) = m.nominal().unwrap();
    for u in 0..9 {
        assert!(oat.min[[u, 0]] <= nom[u] + 1e-12 && nom[u] <= oat.max[[u, 0]] + 1e-12);
    }
    let dup = vec![groups[0].clone(), groups[0].clone()];
    assert!(m.sobol(&dup, 16, 1).is_err());
}

/// Results that hold missing values (a unit without a score, an undefined Sobol index) equal their
/// copies and reruns with the same seed: missing equals missing in their equality, as in
/// `Dataset`'s. With derived equality NaN made every such result unequal to itself.
#[test]
fn results_with_missing_values_equal_their_copies_and_reruns() {
    let m = model(12, 5, MissingPolicy::Propagate, None, 2);
    let cfg = SweepConfig::new(
        300,
        4,
        WeightSampler::Uniform {
            spread: 0.5,
            nodes: NodeSelection::All,
        },
    );
    let (a, b) = (m.sweep(&cfg).unwrap(), m.sweep(&cfg).unwrap());
    assert!(
        a.nominal_scores.iter().any(|x| x.is_nan()),
        "the case has a unit without a nominal score"
    );
    assert_eq!(a, a.clone());
    assert_eq!(a, b);
    let ua = a.ua_report();
    assert!(ua.rows.iter().any(|r| r.nominal_score.is_nan()));
    assert_eq!(ua, ua.clone());
    assert_eq!(ua, b.ua_report());
    // a different result is still unequal
    let mut c = a.clone();
    c.nominal_scores[0] = if c.nominal_scores[0] == 1.0 { 2.0 } else { 1.0 };
    assert_ne!(a, c);
    let groups = vec![SobolGroup::new(
        "weights",
        GroupInput::Weights {
            nodes: NodeSelection::All,
            spread: 0.5,
            triangular: false,
        },
    )];
    let (s1, s2) = (
        m.sobol(&groups, 64, 3).unwrap(),
        m.sobol(&groups, 64, 3).unwrap(),
    );
    assert!(
        s1.first.iter().any(|x| x.is_nan()),
        "the case has an undefined index"
    );
    assert_eq!(s1, s1.clone());
    assert_eq!(s1, s2);
    let o = m.oat(&groups, 16, 3).unwrap();
    assert_eq!(o, o.clone());
}

#[test]
fn bootstrap_intervals_cover_analytic_indices_shrink_with_n_and_ignore_threads() {
    // y = x0 + 2 x1 + 3 x2: first = total = (1, 4, 9) / 14
    let names: Vec<String> = ["x0", "x1", "x2"].iter().map(|s| s.to_string()).collect();
    let f = |u: ArrayView2<'_, f64>| -> Result<Array2<f64>> {
        Ok(
            u.map_axis(ndarray::Axis(1), |r| r[0] + 2.0 * r[1] + 3.0 * r[2])
                .insert_axis(ndarray::Axis(1)),
        )
    };
    let boot = Bootstrap::new(400).with_level(0.99).with_seed(5);
    let run = |n: usize, threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                saltelli_bootstrap(
                    &names,
                    &[1, 1, 1],
                    &["y".into()],
                    n,
                    9,
                    256,
                    &boot,
                    &Control::default(),
                    f,
                )
                .unwrap()
            })
    };
    let big = run(8192, 2);
    let plain = saltelli(
        &names,
        &[1, 1, 1],
        &["y".into()],
        8192,
        9,
        256,
        &Control::default(),
        f,
    )
    .unwrap();
    assert_eq!(big.first, plain.first);
    assert_eq!(big.total, plain.total);
    assert!(plain.intervals.is_none());
    let ci = big.intervals.as_ref().unwrap();
    assert_eq!((ci.replicates, ci.level), (400, 0.99));
    let small = run(512, 2);
    let cs = small.intervals.as_ref().unwrap();
    for i in 0..3 {
        let truth = [1.0, 4.0, 9.0][i] / 14.0;
        for (lo, hi, est) in [
            (&ci.first_lo, &ci.first_hi, &big.first),
            (&ci.total_lo, &ci.total_hi, &big.total),
        ] {
            assert!(
                lo[[0, i]] < truth && truth < hi[[0, i]],
                "group {i}: {truth} outside [{}, {}]",
                lo[[0, i]],
                hi[[0, i]]
            );
            assert!(lo[[0, i]] <= est[[0, i]] && est[[0, i]] <= hi[[0, i]]);
        }
        // 16 times the rows: intervals about 4 times narrower (between 2 and 8 here)
        let ratio = (cs.total_hi[[0, i]] - cs.total_lo[[0, i]])
            / (ci.total_hi[[0, i]] - ci.total_lo[[0, i]]);
        assert!(ratio > 2.0 && ratio < 8.0, "group {i}: width ratio {ratio}");
    }
    // bit-identical for any thread count
    assert_eq!(run(8192, 1), big);
    // serde round trip keeps the intervals
    let back: SobolIndices = serde_json::from_str(&serde_json::to_string(&big).unwrap()).unwrap();
    assert_eq!(back.intervals, big.intervals);
}

#[test]
fn bootstrap_settings_are_checked() {
    let names = vec!["x".to_string()];
    let f = |u: ArrayView2<'_, f64>| -> Result<Array2<f64>> { Ok(u.to_owned()) };
    let go = |b: Bootstrap| {
        saltelli_bootstrap(
            &names,
            &[1],
            &["y".into()],
            16,
            1,
            8,
            &b,
            &Control::default(),
            f,
        )
    };
    for (bad, param) in [
        (Bootstrap::new(1), "bootstrap replicates"),
        (Bootstrap::new(10).with_level(1.0), "bootstrap level"),
        (Bootstrap::new(10).with_level(f64::NAN), "bootstrap level"),
    ] {
        match go(bad.clone()) {
            Err(Error::InvalidParameter { parameter, .. }) if parameter == param => {}
            other => panic!("{bad:?}: {other:?}"),
        }
    }
    match go(Bootstrap::new(10).with_targets(["z"])) {
        Err(Error::UnknownName { name, known, .. }) if name == "z" && known == ["y"] => {}
        other => panic!("unknown target: {other:?}"),
    }
    let e = go(Bootstrap::new(10).with_targets(["z"]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown target `z`"), "{e}");
    assert!(go(Bootstrap::new(10).with_targets(["y"])).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn rank_quantiles_match_sort(ranks in proptest::collection::vec(1u32..=6, 1..60), q in 0.0f64..=1.0) {
        let mut h = RankHistogram::new(6);
        for &r in &ranks {
            h.add(&[Some(r), None, None, None, None, None]);
        }
        let mut sorted = ranks.clone();
        sorted.sort_unstable();
        let k = quantile_target(q, sorted.len() as u64) as usize;
        prop_assert_eq!(h.quantile(0, q), Some(sorted[k - 1]));
        // R's type 7 on the sorted ranks: x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋ + 1] − x[⌊h⌋]), h = (n − 1)q
        let hh = (sorted.len() - 1) as f64 * q;
        let lo = hh.floor() as usize;
        let hi = (lo + 1).min(sorted.len() - 1);
        let r7 = f64::from(sorted[lo]) + (hh - lo as f64) * f64::from(sorted[hi] - sorted[lo]);
        let got = h.quantile_interpolated(0, q).unwrap();
        prop_assert!((got - r7).abs() < 1e-9, "{} vs {}", got, r7);
        let mean = ranks.iter().map(|&r| r as f64).sum::<f64>() / ranks.len() as f64;
        prop_assert!((h.mean(0).unwrap() - mean).abs() < 1e-12);
        prop_assert_eq!(h.n_missing(1), ranks.len() as u64);
    }

    #[test]
    fn counting_ranks_equal_core_ranks(s in proptest::collection::vec(prop_oneof![Just(f64::NAN), Just(1.0), -5.0f64..5.0], 1..30)) {
        let mut r = vec![0u32; s.len()];
        rank_min_into(&s, &mut r);
        let core = rank_desc(&s, TieRule::Min);
        for (a, b) in r.iter().zip(&core) {
            let ok = if b.is_nan() { *a == 0 } else { *a as f64 == *b };
            prop_assert!(ok);
        }
    }

    #[test]
    fn samplers_reproducible_and_bounded(seed in any::<u64>(), spread in 0.0f64..=1.0, k in 0usize..1000, conc in 0.5f64..50.0) {
        let m = model(4, 0, MissingPolicy::default(), None, 3);
        let nominal = m.nominal_weights().to_vec();
        for ws in [
            WeightSampler::Uniform { spread, nodes: NodeSelection::All },
            WeightSampler::Triangular { spread, nodes: NodeSelection::All },
        ] {
            let s = VariantSampler::new(&m, &ws, &AltSampler::Probabilities { probabilities: vec![1.0, 0.0, 2.0] }, seed).unwrap();
            let (w, alt) = s.sample(k).unwrap();
            prop_assert_eq!(s.sample(k).unwrap(), (w.clone(), alt));
            prop_assert!(alt != 1);
            for (x, n) in w.iter().zip(&nominal).take(nominal.len() - 1) {
                prop_assert!(*x >= n * (1.0 - spread) - 1e-12 && *x <= n * (1.0 + spread) + 1e-12);
            }
        }
        let ws = WeightSampler::Dirichlet { concentration: conc, nodes: NodeSelection::All };
        let s = VariantSampler::new(&m, &ws, &AltSampler::default(), seed).unwrap();
        let (w, alt) = s.sample(k).unwrap();
        prop_assert_eq!(alt, 0);
        prop_assert_eq!(s.sample(k).unwrap().0, w.clone());
        let fw = m.framework();
        for g in fw.aggregate_indices() {
            let ch = &fw.nodes()[g].children;
            let sum: f64 = ch.iter().map(|&c| w[c]).sum();
            let nom: f64 = ch.iter().map(|&c| nominal[c]).sum();
            prop_assert!((sum - nom).abs() < 1e-9);
            prop_assert!(ch.iter().all(|&c| w[c] >= 0.0));
        }
    }
}
