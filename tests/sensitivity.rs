//! Sensitivity glue: a `BatchModel` built from a `Scorer` scores exactly like the `Scorer`, nominally and
//! under every weight variant and normalisation alternative ("batch scores equal the core Scorer looped
//! over the same variants"), on the embedded ASEM data (which has missing values) and on small cases.

use std::collections::BTreeMap;
use std::path::Path;

use composite_indicators::aggregate::{Aggregator, NodeContext, aggregate_rows};
use composite_indicators::io::{read_idata_path, read_imeta_path};
use composite_indicators::prelude::*;
use composite_indicators::score::{Scorer, ScorerConfig};
use composite_indicators::sweep::{
    AltSampler, BatchModel, NodeSelection, SweepConfig, VariantSampler, WeightSampler,
};
use ndarray::{Array1, Array2, ArrayView2, array};
use proptest::prelude::*;

fn asem() -> (Framework, Dataset) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/asem");
    let meta = read_imeta_path(dir.join("iMeta.csv")).unwrap();
    let data = read_idata_path(dir.join("iData.csv"), &meta)
        .unwrap()
        .sorted_by_code();
    (meta.spec.check().unwrap(), data)
}

/// Same values to `tol` (absolute), NaN only where the other is NaN.
fn assert_close(a: &[f64], b: &[f64], tol: f64, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        if x.is_nan() || y.is_nan() {
            assert!(x.is_nan() && y.is_nan(), "{what}[{i}]: {x} vs {y}");
        } else {
            assert!((x - y).abs() <= tol, "{what}[{i}]: {x} vs {y}");
        }
    }
}

/// The node weights of a variant as an explicit weight scheme (every non-root node by code).
fn explicit(fw: &Framework, w: &[f64]) -> WeightScheme {
    let root = fw.root_index();
    let weights: BTreeMap<String, f64> = fw
        .nodes()
        .iter()
        .zip(w)
        .enumerate()
        .filter(|(k, _)| *k != root)
        .map(|(_, (n, &x))| (n.code.clone(), x))
        .collect();
    WeightScheme::Explicit { weights }
}

/// Score `variants` variants of `model` both ways: `score_batch`, and `scorer_for(alt, scheme)` (the
/// variant's weights as an explicit scheme), one `Scorer::score` per variant.
fn batch_equals_loop(
    model: &BatchModel,
    data: &Dataset,
    sampler: &VariantSampler,
    variants: usize,
    scorer_for: impl Fn(usize, WeightScheme) -> Scorer,
) {
    let fw = model.framework();
    let mut w = Array2::zeros((variants, model.n_nodes()));
    let mut alts = Vec::with_capacity(variants);
    for k in 0..variants {
        let (wk, a) = sampler.sample(k).unwrap();
        w.row_mut(k).assign(&Array1::from(wk));
        alts.push(a);
    }
    let batch = model.score_batch(w.view(), &alts).unwrap();
    for (k, &alt) in alts.iter().enumerate() {
        let wk = w.row(k).to_vec();
        let scores = scorer_for(alt, explicit(fw, &wk)).score(data).unwrap();
        assert_close(
            &batch.row(k).to_vec(),
            &scores.index().to_vec(),
            1e-12,
            &format!("variant {k} (alternative {alt})"),
        );
        // the reference path of the model agrees too
        assert_close(
            &model.score_index(&wk, alt).unwrap(),
            &scores.index().to_vec(),
            1e-12,
            &format!("score_index of variant {k}"),
        );
    }
}

#[test]
fn asem_nominal_index_equals_scorer() {
    let (fw, data) = asem();
    assert!(
        data.select(&fw.indicator_codes())
            .unwrap()
            .iter()
            .any(|v| v.is_nan()),
        "ASEM has missing values: this covers the masked path"
    );
    let scorer = Scorer::new(fw.clone());
    let expected = scorer.score(&data).unwrap();
    let m = scorer.sweep(&data).unwrap().build().unwrap();
    assert_eq!(m.unit_codes(), data.unit_codes());
    assert_eq!(m.nominal_weights(), expected.node_weights());
    let s = m.score_index(m.nominal_weights(), 0).unwrap();
    assert_close(&s, &expected.index().to_vec(), 1e-12, "from_scorer");
    let b = m
        .score_batch(
            Array2::from_shape_vec((1, m.n_nodes()), m.nominal_weights().to_vec())
                .unwrap()
                .view(),
            &[0],
        )
        .unwrap();
    assert_close(
        &b.row(0).to_vec(),
        &expected.index().to_vec(),
        1e-12,
        "batch",
    );
    // the config route (AggregatorKind resolution, BatchModel::new) gives the same numbers
    let mc = Scorer::from_config(fw, &ScorerConfig::default())
        .unwrap()
        .sweep(&data)
        .unwrap()
        .build()
        .unwrap();
    assert_close(
        &mc.score_index(mc.nominal_weights(), 0).unwrap(),
        &expected.index().to_vec(),
        1e-12,
        "from_config",
    );
    assert!(mc.mean_bounds().is_some());
}

#[test]
fn asem_batch_equals_scorer_loop_over_weights_and_normalisers() {
    let (fw, data) = asem();
    let z = NormaliserKind::ZScore {
        mean: 50.0,
        sd: 10.0,
    };
    let scorer = Scorer::new(fw);
    let m = scorer
        .sweep(&data)
        .unwrap()
        .with_normalisers(vec![z.clone(), NormaliserKind::Rank])
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(m.n_alternatives(), 3);
    let sampler = VariantSampler::new(
        &m,
        &WeightSampler::Uniform {
            spread: 0.9,
            nodes: NodeSelection::All,
        },
        &AltSampler::Uniform,
        11,
    )
    .unwrap();
    batch_equals_loop(&m, &data, &sampler, 24, |alt, w| match alt {
        0 => scorer.clone().weights(w),
        1 => scorer.clone().normaliser(z.clone()).weights(w),
        _ => scorer.clone().normaliser(NormaliserKind::Rank).weights(w),
    });
}

#[test]
fn asem_nonlinear_aggregators_batch_equals_loop() {
    // geometric means of the pillars (offset 1: min-max values include 0), so the kernel falls back to
    // the Aggregator trait for the level-3 nodes
    let (fw, data) = asem();
    let mut cfg = ScorerConfig::default();
    cfg.aggregate_levels
        .insert(3, AggregatorKind::Geometric { offset: 1.0 });
    let scorer = Scorer::from_config(fw.clone(), &cfg).unwrap();
    for m in [
        Scorer::from_config(fw.clone(), &cfg)
            .unwrap()
            .sweep(&data)
            .unwrap()
            .build()
            .unwrap(),
        scorer.sweep(&data).unwrap().build().unwrap(),
    ] {
        let sampler = VariantSampler::new(
            &m,
            &WeightSampler::Dirichlet {
                concentration: 20.0,
                nodes: NodeSelection::All,
            },
            &AltSampler::default(),
            5,
        )
        .unwrap();
        batch_equals_loop(&m, &data, &sampler, 8, |_, w| scorer.clone().weights(w));
    }
}

#[test]
fn ua_nominal_ranks_equal_scorer_ranks() {
    let (fw, data) = asem();
    let scorer = Scorer::new(fw);
    let expected = scorer.score(&data).unwrap();
    let m = scorer
        .sweep(&data)
        .unwrap()
        .with_normalisers(vec![NormaliserKind::Rank])
        .unwrap()
        .build()
        .unwrap();
    let mut cfg = SweepConfig::new(
        2000,
        3,
        WeightSampler::Uniform {
            spread: 0.25,
            nodes: NodeSelection::All,
        },
    );
    cfg.alternatives = AltSampler::Uniform;
    let ua = m.sweep(&cfg).unwrap().ua_report();
    assert_eq!(ua.variants, 2000);
    for (row, (code, &r)) in ua
        .rows
        .iter()
        .zip(data.unit_codes().iter().zip(expected.index_ranks().iter()))
    {
        assert_eq!(&row.unit, code);
        assert_eq!(row.nominal_rank.map(f64::from), Some(r), "unit {code}");
        assert_close(
            &[row.nominal_score],
            &[expected.value(code, fw_root(&expected)).unwrap()],
            1e-12,
            code,
        );
        let (q05, q95) = (row.q05_rank.unwrap(), row.q95_rank.unwrap());
        assert!(q05 <= row.median_rank.unwrap() && row.median_rank.unwrap() <= q95);
    }
}

fn fw_root(s: &composite_indicators::score::Scores) -> &str {
    &s.framework().root().code
}

fn toy() -> Framework {
    FrameworkSpec::new(
        "toy",
        vec![
            Indicator::new("a", "P"),
            Indicator::new("b", "P").with_direction(Direction::Negative),
            Indicator::new("c", "Q"),
            Indicator::new("d", "Q"),
            Indicator::new("e", "I").with_bonus(true),
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

fn toy_data(values: Array2<f64>) -> Dataset {
    let n = values.nrows();
    Dataset::new(
        (0..n).map(|i| format!("u{i}")).collect(),
        ["a", "b", "c", "d", "e"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        values,
    )
    .unwrap()
}

#[test]
fn missing_data_policies_and_bonus_equal_scorer() {
    let nan = f64::NAN;
    let data = toy_data(array![
        [1.0, 5.0, 2.0, nan, 1.0],
        [4.0, 1.0, nan, nan, 0.0],
        [2.0, 3.0, 7.0, 3.0, nan],
        [9.0, 2.0, 1.0, 8.0, 2.0],
    ]);
    let bonus = WeightScheme::Bonus {
        base: Box::new(WeightScheme::Nominal),
        bonus_weight: 5.0,
    };
    for missing in [
        MissingPolicy::default(),
        MissingPolicy::Skip { min_coverage: 0.6 },
        MissingPolicy::Propagate,
    ] {
        for weights in [WeightScheme::Nominal, bonus.clone()] {
            let scorer = Scorer::new(toy()).missing(missing).weights(weights.clone());
            let expected = scorer.score(&data).unwrap();
            let m = scorer.sweep(&data).unwrap().build().unwrap();
            assert_close(
                &m.score_index(m.nominal_weights(), 0).unwrap(),
                &expected.index().to_vec(),
                1e-12,
                &format!("{missing:?} {weights:?}"),
            );
            let sampler = VariantSampler::new(
                &m,
                &WeightSampler::Uniform {
                    spread: 1.0,
                    nodes: NodeSelection::All,
                },
                &AltSampler::default(),
                9,
            )
            .unwrap();
            let bw = weights.bonus_weight();
            batch_equals_loop(&m, &data, &sampler, 16, |_, w| {
                let s = Scorer::new(toy()).missing(missing);
                match bw {
                    // the variant's explicit weights become the bonus scheme's base
                    Some(b) => s.weights(WeightScheme::Bonus {
                        base: Box::new(w),
                        bonus_weight: b,
                    }),
                    None => s.weights(w),
                }
            });
        }
    }
    // Propagate makes every unit with a missing non-bonus value missing: u0, u1, u2
    let m = Scorer::new(toy())
        .missing(MissingPolicy::Propagate)
        .sweep(&data)
        .unwrap()
        .build()
        .unwrap();
    let s = m.score_index(m.nominal_weights(), 0).unwrap();
    assert!(s[0].is_nan() && s[1].is_nan() && !s[3].is_nan());
}

/// A bonus scheme over explicit weights: nominal weights and bonus weight taken from the scorer.
#[test]
fn bonus_over_explicit_weights_complete_data_equals_scorer() {
    let data = toy_data(array![
        [1.0, 5.0, 2.0, 3.0, 1.0],
        [4.0, 1.0, 6.0, 1.0, 0.0],
        [2.0, 3.0, 7.0, 3.0, 4.0],
    ]);
    let w = vec![2.0, 1.0, 0.5, 1.0, 1.0, 3.0, 1.0, 1.0];
    let fw = toy();
    let scheme = WeightScheme::Bonus {
        base: Box::new(explicit(&fw, &w)),
        bonus_weight: 2.0,
    };
    let scorer = Scorer::new(fw.clone()).weights(scheme);
    let expected = scorer.score(&data).unwrap();
    let m = scorer.sweep(&data).unwrap().build().unwrap();
    assert_eq!(m.nominal_weights()[0], 2.0);
    assert_close(
        &m.score_index(&w, 0).unwrap(),
        &expected.index().to_vec(),
        1e-12,
        "bonus + explicit",
    );
    // complete data, linear tree: the one-matrix-product path
    assert!(m.is_single_product(0));
    let sampler = VariantSampler::new(
        &m,
        &WeightSampler::Uniform {
            spread: 0.5,
            nodes: NodeSelection::All,
        },
        &AltSampler::default(),
        2,
    )
    .unwrap();
    batch_equals_loop(&m, &data, &sampler, 16, |_, w| {
        Scorer::new(fw.clone()).weights(WeightScheme::Bonus {
            base: Box::new(w),
            bonus_weight: 2.0,
        })
    });
}

/// A custom (non-built-in) aggregator goes into `BatchModel::new` unchanged.
#[derive(Debug)]
struct WeakestLink;

impl Aggregator for WeakestLink {
    fn name(&self) -> String {
        "weakest_link".into()
    }
    fn aggregate(
        &self,
        values: ArrayView2<'_, f64>,
        weights: &[f64],
        ctx: &NodeContext<'_>,
    ) -> Result<Array1<f64>> {
        aggregate_rows(values, weights, ctx, |row| {
            Ok(row
                .available()
                .map(|(_, x, _)| x)
                .fold(f64::INFINITY, f64::min))
        })
    }
}

#[test]
fn custom_aggregator_and_data_driven_weights_equal_scorer() {
    let data = toy_data(array![
        [1.0, 5.0, 2.0, 3.0, 1.0],
        [4.0, 1.0, 6.0, 1.0, 0.0],
        [2.0, 3.0, 7.0, 4.0, 4.0],
        [3.0, 2.0, 1.0, 2.0, 2.0],
    ]);
    let scorer = Scorer::new(toy())
        .aggregator_for("Q", WeakestLink)
        .unwrap()
        .weights(WeightScheme::Entropy);
    let expected = scorer.score(&data).unwrap();
    let m = scorer.sweep(&data).unwrap().build().unwrap();
    assert_eq!(m.nominal_weights(), expected.node_weights());
    assert!(!m.is_single_product(0));
    assert_close(
        &m.score_index(m.nominal_weights(), 0).unwrap(),
        &expected.index().to_vec(),
        1e-12,
        "custom",
    );
    // Q = min(c, d) after min-max: u2 has c = 100, d = 100 → 100
    assert_eq!(expected.value("u2", "Q").unwrap(), 100.0);
}

#[test]
fn alternatives_fit_once_on_the_data() {
    let data = toy_data(array![
        [1.0, 5.0, 2.0, 3.0, 1.0],
        [4.0, 1.0, 6.0, 1.0, 0.0],
        [2.0, 3.0, 7.0, 4.0, 4.0],
    ]);
    let scorer = Scorer::new(toy());
    let cfg = ScorerConfig {
        normalise: NormaliserKind::Rank,
        ..ScorerConfig::default()
    };
    let s = scorer
        .sweep(&data)
        .unwrap()
        .with_normalisers(vec![NormaliserKind::Borda])
        .unwrap()
        .with_configs(&[cfg])
        .unwrap()
        .with_scorers(&[scorer.clone().normaliser(NormaliserKind::DistToMax)])
        .unwrap();
    assert_eq!(
        s.alternative_names(),
        ["scorer", "borda", "rank", "scorer 1"]
    );
    let x = scorer
        .clone()
        .normaliser(NormaliserKind::DistToMax)
        .fit(&data)
        .unwrap()
        .normalise(&data)
        .unwrap();
    let s = s.with_normalised(vec![x.clone()]).unwrap();
    let m = s.build().unwrap();
    assert_eq!(m.n_alternatives(), 5);
    assert_eq!(m.alternative(3).unwrap(), &x);
    assert_eq!(m.alternative(4).unwrap(), &x);
    // borda = rank − 1 in every column
    let r = m.alternative(2).unwrap();
    let b = m.alternative(1).unwrap();
    assert_eq!(r - 1.0, *b);
    // a framework with other codes is refused
    let other = FrameworkSpec::new("o", vec![Indicator::new("a", "I")], vec![Pillar::new("I")])
        .check()
        .unwrap();
    let setup = scorer.sweep(&data).unwrap();
    assert!(matches!(
        setup.with_scorers(&[Scorer::new(other)]),
        Err(Error::InvalidSpec { .. })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Random data (with missing cells), random weights: batch == Scorer loop.
    #[test]
    fn batch_equals_scorer_loop(
        cells in proptest::collection::vec(prop_oneof![4 => 0.0f64..10.0, 1 => Just(f64::NAN)], 30),
        seed in 0u64..1000,
    ) {
        let mut x = Array2::from_shape_vec((6, 5), cells).unwrap();
        // keep every column non-constant and every unit non-empty: fixed anchors in rows 0 and 1,
        // and one observed cell in every other row (a row of five missing cells, 1 in 3,125, made
        // the scorer refuse the unit with UnitAllMissing)
        for j in 0..5 {
            x[[0, j]] = -1.0;
            x[[1, j]] = 11.0;
        }
        for i in 2..6 {
            if x[[i, i % 5]].is_nan() {
                x[[i, i % 5]] = 5.0;
            }
        }
        let data = toy_data(x);
        let scorer = Scorer::new(toy());
        let m = scorer.sweep(&data).unwrap()
            .with_normalisers(vec![NormaliserKind::Rank]).unwrap()
            .build().unwrap();
        let sampler = VariantSampler::new(
            &m,
            &WeightSampler::Uniform { spread: 1.0, nodes: NodeSelection::All },
            &AltSampler::Uniform,
            seed,
        ).unwrap();
        batch_equals_loop(&m, &data, &sampler, 6, |alt, w| {
            if alt == 0 {
                scorer.clone().weights(w)
            } else {
                scorer.clone().normaliser(NormaliserKind::Rank).weights(w)
            }
        });
    }
}
