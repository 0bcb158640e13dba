//! Method alternatives in sweeps (COINr `SA_specs` style): aggregator alternatives, batched
//! geometric / harmonic / power means, the `MethodSpace` grid of pipeline choices on ASEM, sweeps and
//! Sobol groups over method dimensions, and the errors of each.

mod common;

use composite_indicators::io::{read_idata_path, read_imeta_path};
use composite_indicators::pipeline::{Pipeline, PipelineConfig};
use composite_indicators::prelude::*;
use composite_indicators::sweep::bench_support::rank_min_into;
use composite_indicators::sweep::{
    AltSampler, BatchModel, GroupInput, MethodChoice, MethodDimension, MethodSpace, NodeSelection,
    SobolGroup, SweepConfig, VariantSampler, WeightSampler,
};
use ndarray::{Array2, array};
use proptest::prelude::*;
use serde_json::json;

fn asem() -> (Dataset, Framework) {
    let meta = read_imeta_path("data/asem/iMeta.csv").unwrap();
    let data = read_idata_path("data/asem/iData.csv", &meta)
        .unwrap()
        .sorted_by_code();
    (data, meta.spec.check().unwrap())
}

/// Two pillars (a, b, c) and (d, e) under one index.
fn tree() -> Framework {
    FrameworkSpec::new(
        "t",
        vec![
            Indicator::new("a", "P"),
            Indicator::new("b", "P"),
            Indicator::new("c", "P"),
            Indicator::new("d", "Q"),
            Indicator::new("e", "Q"),
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

/// Six units, positive values, some missing.
fn values() -> Array2<f64> {
    let nan = f64::NAN;
    array![
        [1.0, 2.0, 3.0, 4.0, 5.0],
        [2.5, nan, 0.5, 1.0, 9.0],
        [7.0, 1.0, 1.5, nan, 2.0],
        [0.2, 8.0, 4.0, 3.0, 3.0],
        [5.0, 5.0, nan, 6.0, 0.1],
        [3.0, 0.7, 2.2, 2.2, 4.4],
    ]
}

/// Deterministic weight variants (node order: a..e, P, Q, I), some zeros.
fn variants(k: usize) -> Array2<f64> {
    Array2::from_shape_fn((k, 8), |(v, j)| {
        let x = ((v * 7 + j * 13) % 11) as f64 / 5.0;
        if (v + j) % 9 == 0 { 0.0 } else { x + 0.1 }
    })
}

fn assert_rel(a: f64, b: f64, what: &str) {
    if a.is_nan() || b.is_nan() {
        assert!(a.is_nan() && b.is_nan(), "{what}: {a} vs {b}");
    } else {
        assert!(
            (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0),
            "{what}: {a} vs {b}"
        );
    }
}

#[test]
fn quasi_arithmetic_means_in_batches_equal_the_trait_path() {
    let kinds = [
        AggregatorKind::Geometric { offset: 0.0 },
        AggregatorKind::Geometric { offset: 1.0 },
        AggregatorKind::Harmonic { offset: 0.5 },
        AggregatorKind::Power { p: 2.0 },
        AggregatorKind::Power { p: -1.5 },
        AggregatorKind::Power { p: 0.0 },
    ];
    let w = variants(25);
    for missing in [
        MissingPolicy::default(),
        MissingPolicy::Skip { min_coverage: 0.6 },
        MissingPolicy::Propagate,
    ] {
        for (i, k) in kinds.iter().enumerate() {
            // the same aggregator everywhere, and mixed with the arithmetic mean at the root
            let other = kinds[(i + 1) % kinds.len()].clone();
            for aggs in [
                vec![k.clone(); 3],
                vec![k.clone(), k.clone(), AggregatorKind::Arithmetic],
                vec![AggregatorKind::Arithmetic, k.clone(), other],
            ] {
                let m =
                    BatchModel::new(tree(), aggs.clone(), missing, None, vec![values()]).unwrap();
                let alts = vec![0; w.nrows()];
                let batch = m.score_batch(w.view(), &alts).unwrap();
                for v in 0..w.nrows() {
                    let row = w.row(v).to_vec();
                    let reference = m.score_index(&row, 0).unwrap();
                    for u in 0..6 {
                        assert_rel(
                            batch[[v, u]],
                            reference[u],
                            &format!("{aggs:?} {missing:?} variant {v} unit {u}"),
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn values_outside_the_domain_give_the_trait_error_or_are_skipped_at_zero_weight() {
    let mut x = values();
    x[[3, 1]] = 0.0; // unit 4, indicator b: ln(0)
    let m = BatchModel::new(
        tree(),
        vec![AggregatorKind::Geometric { offset: 0.0 }; 3],
        MissingPolicy::default(),
        None,
        vec![x],
    )
    .unwrap()
    .with_unit_codes(
        ["U1", "U2", "U3", "U4", "U5", "U6"]
            .map(String::from)
            .to_vec(),
    )
    .unwrap();
    let w = array![[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]];
    let err = m.score_batch(w.view(), &[0]).unwrap_err();
    match err {
        Error::NonPositive { unit, child, .. } => {
            assert_eq!(unit, "U4");
            assert_eq!(child, "b");
        }
        other => panic!("unexpected {other}"),
    }
    // b at weight 0: the value is not used; batch and reference agree
    let w0 = array![[1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]];
    let b = m.score_batch(w0.view(), &[0]).unwrap();
    let r = m.score_index(&w0.row(0).to_vec(), 0).unwrap();
    for u in 0..6 {
        assert_rel(b[[0, u]], r[u], "zero weight");
    }
    // a pillar score of 0 reaching a geometric root: the sub-pillar arithmetic, root geometric
    let mut z = values();
    for j in 0..3 {
        z[[0, j]] = 0.0;
    }
    let m = BatchModel::new(
        tree(),
        vec![
            AggregatorKind::Arithmetic,
            AggregatorKind::Arithmetic,
            AggregatorKind::Geometric { offset: 0.0 },
        ],
        MissingPolicy::default(),
        None,
        vec![z],
    )
    .unwrap();
    let e = m.score_batch(w.view(), &[0]).unwrap_err();
    assert!(
        matches!(e, Error::NonPositive { ref child, .. } if child == "P"),
        "{e}"
    );
}

#[test]
fn aggregator_alternatives_share_sets_and_score_like_their_scorers() {
    let x = values();
    let geo = vec![AggregatorKind::Geometric { offset: 0.0 }; 3];
    let m = BatchModel::new(
        tree(),
        vec![AggregatorKind::Arithmetic; 3],
        MissingPolicy::default(),
        None,
        vec![x.clone()],
    )
    .unwrap()
    .with_alternative(x.clone(), Some(geo.clone()))
    .unwrap()
    .with_alternative(x.clone(), None)
    .unwrap()
    .with_alternative(x.clone(), Some(geo))
    .unwrap();
    assert_eq!(m.n_alternatives(), 4);
    assert_eq!(m.alternative_aggregators(2).unwrap(), ["arithmetic"; 3]);
    assert_eq!(m.alternative_aggregators(3).unwrap(), ["geometric"; 3]);
    assert!(m.is_single_product(0) == m.is_single_product(2));
    assert!(!m.is_single_product(1));
    // a mixed batch equals per-variant references of each alternative
    let w = variants(12);
    let alts: Vec<usize> = (0..12).map(|v| v % 4).collect();
    let batch = m.score_batch(w.view(), &alts).unwrap();
    for v in 0..12 {
        let r = m.score_index(&w.row(v).to_vec(), alts[v]).unwrap();
        for u in 0..6 {
            assert_rel(batch[[v, u]], r[u], "mixed alternatives");
        }
    }
    // wrong aggregator count
    let bad = BatchModel::new(
        tree(),
        vec![AggregatorKind::Arithmetic; 3],
        MissingPolicy::default(),
        None,
        vec![x.clone()],
    )
    .unwrap()
    .with_alternative(x, Some(vec![AggregatorKind::Median]));
    assert!(matches!(bad, Err(Error::ShapeMismatch { .. })));
}

/// COINr's ASEM build with imputation, treatment and aggregation choices.
fn asem_space() -> MethodSpace {
    let mut base = PipelineConfig::coinr_example();
    base.scorer.normalise = NormaliserKind::MinMax { lo: 1.0, hi: 100.0 };
    MethodSpace::new(base)
        .with_choice(
            MethodChoice::new(
                "imputation",
                "/impute/method",
                vec![
                    json!({"method": "group_mean", "group": "EurAsia_group"}),
                    json!({"method": "mean"}),
                ],
            )
            .with_labels(["group mean", "mean"]),
        )
        .unwrap()
        .with_choice(MethodChoice::new(
            "treatment",
            "/treat/winmax",
            vec![json!(5), json!(2)],
        ))
        .unwrap()
        .with_choice(MethodChoice::new(
            "aggregator",
            "/scorer/aggregate",
            vec![
                json!({"method": "arithmetic"}),
                json!({"method": "geometric"}),
            ],
        ))
        .unwrap()
}

#[test]
fn asem_method_space_scores_every_alternative_like_its_pipeline() {
    let (data, fw) = asem();
    let space = asem_space();
    assert_eq!(space.n_alternatives(), 8);
    assert_eq!(
        space.alternative_name(5).unwrap(),
        "imputation=mean, treatment=5, aggregator=geometric"
    );
    let model = space.build(&data, &fw).unwrap();
    assert_eq!(model.n_alternatives(), 8);
    assert_eq!(model.method_dimensions(), space.dimensions().as_slice());
    let mut differs = 0;
    for alt in 0..8 {
        let cfg = space.config(alt).unwrap();
        let res = Pipeline::new(cfg).run(&data, &fw).unwrap();
        let want = res.scores().index().to_vec();
        assert_eq!(model.unit_codes(), res.scores().unit_codes());
        let got = model.score_index(model.nominal_weights(), alt).unwrap();
        let w =
            ndarray::Array2::from_shape_vec((1, model.n_nodes()), model.nominal_weights().to_vec())
                .unwrap();
        let batch = model.score_batch(w.view(), &[alt]).unwrap();
        for u in 0..want.len() {
            assert_rel(got[u], want[u], &format!("alternative {alt} unit {u}"));
            assert_rel(
                batch[[0, u]],
                want[u],
                &format!("batch, alternative {alt} unit {u}"),
            );
        }
        let levels = model.method_levels(alt).unwrap();
        assert_eq!(levels, space.levels(alt).unwrap());
        if alt > 0 && want != model.score_index(model.nominal_weights(), 0).unwrap() {
            differs += 1;
        }
    }
    // every choice changes something
    assert_eq!(differs, 7);
}

#[test]
fn sweep_over_a_method_grid_counts_every_variant_like_a_loop() {
    let (data, fw) = asem();
    let model = asem_space().build(&data, &fw).unwrap();
    let ws = WeightSampler::Uniform {
        spread: 0.25,
        nodes: NodeSelection::All,
    };
    let mut cfg = SweepConfig::new(600, 11, ws.clone());
    cfg.alternatives = AltSampler::Uniform;
    cfg.chunk_size = 128;
    let res = model.sweep(&cfg).unwrap();
    let sampler = VariantSampler::new(&model, &ws, &AltSampler::Uniform, 11).unwrap();
    let n = model.n_units();
    let mut counts = vec![0u64; n * n];
    let mut ranks = vec![0u32; n];
    let mut seen = [0usize; 8];
    for k in 0..600 {
        let (w, alt) = sampler.sample(k).unwrap();
        seen[alt] += 1;
        let s = model.score_index(&w, alt).unwrap();
        rank_min_into(&s, &mut ranks);
        for (u, &r) in ranks.iter().enumerate() {
            counts[u * n + r as usize - 1] += 1;
        }
    }
    assert!(seen.iter().all(|&c| c > 40), "{seen:?}");
    for u in 0..n {
        for r in 1..=n {
            assert_eq!(
                res.ranks.count(u, r),
                counts[u * n + r - 1],
                "unit {u} rank {r}"
            );
        }
    }
}

#[test]
fn sobol_groups_over_method_dimensions() {
    // "dummy" options give identical matrices: it explains nothing; "aggregator" explains all
    let x = values();
    let geo = Some(vec![AggregatorKind::Harmonic { offset: 0.0 }; 3]);
    let m = BatchModel::new(
        tree(),
        vec![AggregatorKind::Arithmetic; 3],
        MissingPolicy::default(),
        None,
        vec![x.clone()],
    )
    .unwrap()
    .with_alternative(x.clone(), geo.clone())
    .unwrap()
    .with_alternative(x.clone(), None)
    .unwrap()
    .with_alternative(x, geo)
    .unwrap()
    .with_method_dimensions(vec![
        MethodDimension::new("dummy", ["one", "two"]),
        MethodDimension::new("aggregator", ["arithmetic", "harmonic"]),
    ])
    .unwrap();
    let groups = vec![
        SobolGroup::new(
            "dummy",
            GroupInput::Method {
                dimension: "dummy".into(),
                probabilities: vec![],
            },
        ),
        SobolGroup::new(
            "aggregator",
            GroupInput::Method {
                dimension: "aggregator".into(),
                probabilities: vec![1.0, 1.0],
            },
        ),
    ];
    let s = m.sobol(&groups, 512, 3).unwrap();
    let t = s.target("score:1").unwrap();
    assert_eq!(s.total[[t, 0]], 0.0);
    assert_eq!(s.first[[t, 0]], 0.0);
    assert!((s.first[[t, 1]] - 1.0).abs() < 0.1, "{}", s.first[[t, 1]]);
    assert!((s.total[[t, 1]] - 1.0).abs() < 0.1, "{}", s.total[[t, 1]]);
    // one-at-a-time: only the aggregator moves unit 1's score
    let o = m.oat(&groups, 64, 5).unwrap();
    assert_eq!(o.variance[[t, 0]], 0.0);
    assert!(o.variance[[t, 1]] > 0.0);

    // errors: unknown dimension, a dimension twice, mixing with an alternative group
    let unknown = vec![SobolGroup::new(
        "g",
        GroupInput::Method {
            dimension: "normaliser".into(),
            probabilities: vec![],
        },
    )];
    let e = m.sobol(&unknown, 16, 1).unwrap_err();
    assert!(e.to_string().contains("normaliser"), "{e}");
    let twice = vec![
        groups[0].clone(),
        SobolGroup::new("again", groups[0].input.clone()),
    ];
    assert!(m.sobol(&twice, 16, 1).is_err());
    let mixed = vec![
        groups[0].clone(),
        SobolGroup::new(
            "alt",
            GroupInput::Alternative {
                choice: AltSampler::Uniform,
            },
        ),
    ];
    assert!(m.sobol(&mixed, 16, 1).is_err());
    let bad_p = vec![SobolGroup::new(
        "p",
        GroupInput::Method {
            dimension: "aggregator".into(),
            probabilities: vec![1.0],
        },
    )];
    assert!(matches!(
        m.sobol(&bad_p, 16, 1),
        Err(Error::ShapeMismatch { .. })
    ));
}

#[test]
fn method_space_errors_name_the_choice_or_the_alternative() {
    let base = PipelineConfig::coinr_example();
    let space = MethodSpace::new(base.clone());
    let fixed = space.clone().with_choice(MethodChoice::new(
        "w",
        "/scorer/weights",
        vec![json!({"scheme": "equal"})],
    ));
    assert!(fixed.unwrap_err().to_string().contains("WeightSampler"));
    let wrong_type = space.clone().with_choice(MethodChoice::new(
        "t",
        "/treat/winmax",
        vec![json!(5), json!("five")],
    ));
    let msg = wrong_type.unwrap_err().to_string();
    assert!(msg.contains("method choice `t`, option 1"), "{msg}");
    let labels = space.clone().with_choice(
        MethodChoice::new("t", "/treat/winmax", vec![json!(5), json!(2)]).with_labels(["x"]),
    );
    assert!(labels.is_err());
    let empty = space
        .clone()
        .with_choice(MethodChoice::new("t", "/treat/winmax", vec![]));
    assert!(empty.is_err());
    let twice = space
        .clone()
        .with_choice(MethodChoice::new("t", "/treat/winmax", vec![json!(5)]))
        .unwrap()
        .with_choice(MethodChoice::new("t", "/treat/winmax", vec![json!(2)]));
    assert!(twice.is_err());
    assert!(space.levels(1).is_err());

    // without imputation in alternatives 1 and 2 the 90 % screen drops units: the error names the
    // first failing alternative, however the parallel pipelines finish
    let (data, fw) = asem();
    let no_impute = space
        .with_choice(
            MethodChoice::new(
                "imputation",
                "/impute",
                vec![
                    serde_json::to_value(&base.impute).unwrap(),
                    json!(null),
                    json!(null),
                ],
            )
            .with_labels(["group mean", "none", "none again"]),
        )
        .unwrap();
    match no_impute.build(&data, &fw) {
        Err(Error::InAlternative {
            index,
            alternative,
            source,
        }) => {
            assert_eq!(index, 1);
            assert_eq!(alternative, "imputation=none");
            assert!(source.to_string().contains("drops units"), "{source}");
        }
        Ok(_) => panic!("the unimputed screen keeps every ASEM unit?"),
        Err(e) => panic!("unexpected {e}"),
    }
}

#[test]
fn method_space_builds_the_same_model_on_one_and_two_threads() {
    let (data, fw) = asem();
    let space = asem_space();
    let build = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| space.build(&data, &fw).unwrap())
    };
    let (one, two) = (build(1), build(2));
    assert_eq!(one.unit_codes(), two.unit_codes());
    assert_eq!(one.nominal_weights(), two.nominal_weights());
    assert_eq!(one.n_alternatives(), two.n_alternatives());
    for alt in 0..one.n_alternatives() {
        let bits = |m: &BatchModel| -> Vec<u64> {
            m.score_index(m.nominal_weights(), alt)
                .unwrap()
                .iter()
                .map(|x| x.to_bits())
                .collect()
        };
        assert_eq!(bits(&one), bits(&two), "alternative {alt}");
        assert_eq!(
            one.alternative_aggregators(alt).unwrap(),
            two.alternative_aggregators(alt).unwrap()
        );
    }
}

#[test]
fn method_space_round_trips_through_json() {
    let space = asem_space();
    let text = serde_json::to_string(&space).unwrap();
    let back: MethodSpace = serde_json::from_str(&text).unwrap();
    assert_eq!(back, space);
    assert_eq!(back.config(7).unwrap(), space.config(7).unwrap());
}

#[test]
fn method_sampler_draws_each_dimension_with_its_probabilities() {
    let (data, fw) = asem();
    let model = asem_space().build(&data, &fw).unwrap();
    // imputation 3:1, treatment uniform, aggregator always arithmetic
    let alts = model
        .method_sampler(&[vec![3.0, 1.0], vec![], vec![1.0, 0.0]])
        .unwrap();
    let s = VariantSampler::new(&model, &WeightSampler::Nominal, &alts, 9).unwrap();
    let mut count = [[0usize; 2]; 3];
    for k in 0..4000 {
        let (_, alt) = s.sample(k).unwrap();
        let l = model.method_levels(alt).unwrap();
        for d in 0..3 {
            count[d][l[d]] += 1;
        }
    }
    assert_eq!(count[2], [4000, 0]);
    assert!(
        (count[0][0] as f64 / 4000.0 - 0.75).abs() < 0.03,
        "{count:?}"
    );
    assert!(
        (count[1][0] as f64 / 4000.0 - 0.5).abs() < 0.03,
        "{count:?}"
    );
    assert!(matches!(
        model.method_sampler(&[vec![1.0], vec![], vec![]]),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(model.method_sampler(&[vec![], vec![]]).is_err());
    assert!(
        model
            .method_sampler(&[vec![-1.0, 1.0], vec![], vec![]])
            .is_err()
    );
}

fn quasi_kind() -> impl Strategy<Value = AggregatorKind> {
    prop_oneof![
        Just(AggregatorKind::Arithmetic),
        (0.0f64..2.0).prop_map(|offset| AggregatorKind::Geometric { offset }),
        (0.0f64..2.0).prop_map(|offset| AggregatorKind::Harmonic { offset }),
        (-3.0f64..3.0).prop_map(|p| AggregatorKind::Power { p }),
        Just(AggregatorKind::Power { p: 3.0 }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Batched quasi-arithmetic nodes equal the trait path per variant, whatever the mix of means per
    /// node, the weights (zeros included) and the gaps in the data.
    #[test]
    fn batched_means_equal_the_trait_path(
        kinds in proptest::collection::vec(quasi_kind(), 3),
        data in proptest::collection::vec(prop_oneof![1 => Just(f64::NAN), 6 => 0.05f64..50.0], 30),
        w in proptest::collection::vec(prop_oneof![1 => Just(0.0), 4 => 0.01f64..5.0], 8 * 6),
    ) {
        let x = Array2::from_shape_vec((6, 5), data).unwrap();
        let m = BatchModel::new(tree(), kinds, MissingPolicy::default(), None, vec![x]).unwrap();
        let w = Array2::from_shape_vec((6, 8), w).unwrap();
        let batch = m.score_batch(w.view(), &[0; 6]);
        for v in 0..6 {
            let r = m.score_index(&w.row(v).to_vec(), 0);
            match (&batch, r) {
                (Ok(b), Ok(r)) => {
                    for u in 0..6 {
                        let (a, c) = (b[[v, u]], r[u]);
                        prop_assert!(
                            (a.is_nan() && c.is_nan()) || (a - c).abs() <= 1e-11 * a.abs().max(c.abs()).max(1.0),
                            "variant {} unit {}: {} vs {}", v, u, a, c
                        );
                    }
                }
                // the batch fails only if some variant's reference fails
                (Err(_), _) => {}
                (Ok(_), Err(e)) => prop_assert!(false, "reference failed where the batch did not: {}", e),
            }
        }
        if batch.is_err() {
            prop_assert!((0..6).any(|v| m.score_index(&w.row(v).to_vec(), 0).is_err()));
        }
    }
}
