//! The tree plan from the outside: a user aggregator that declares its [`MeanForm`] is batched by the
//! sweep engine and scores like the per-variant path and the [`Scorer`]; an opaque one still works in
//! sweeps, through the per-variant path, with the same results.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use composite_indicators::aggregate::{
    Aggregator, MeanForm, NodeContext, QuasiTransform, aggregate_rows,
};
use composite_indicators::prelude::*;
use composite_indicators::score::Scorer;
use composite_indicators::sweep::{NodeSelection, SweepConfig, WeightSampler};
use ndarray::{Array1, Array2, ArrayView2};

/// The quadratic mean `√(Σ w x² / Σ w)`, counting its calls; `declare` says whether it reports its
/// quasi-arithmetic form (φ = x², φ⁻¹ = √) or stays opaque.
#[derive(Debug)]
struct QuadraticMean {
    declare: bool,
    calls: Arc<AtomicUsize>,
}

impl Aggregator for QuadraticMean {
    fn name(&self) -> String {
        "quadratic".into()
    }
    fn aggregate(
        &self,
        values: ArrayView2<'_, f64>,
        weights: &[f64],
        ctx: &NodeContext<'_>,
    ) -> Result<Array1<f64>> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        aggregate_rows(values, weights, ctx, |row| {
            let s: f64 = row.available().map(|(_, x, w)| w * (x * x)).sum();
            Ok((s / row.weight_sum).sqrt())
        })
    }
    fn mean_form(&self) -> MeanForm {
        if self.declare {
            MeanForm::QuasiArithmetic(QuasiTransform::Custom {
                phi: |x| x * x,
                inverse: f64::sqrt,
            })
        } else {
            MeanForm::Opaque
        }
    }
}

fn framework() -> Framework {
    FrameworkSpec::new(
        "t",
        vec![
            Indicator::new("a", "P"),
            Indicator::new("b", "P"),
            Indicator::new("c", "Q"),
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

fn data() -> Dataset {
    let nan = f64::NAN;
    let x = ndarray::array![
        [3.0, 7.0, 1.0, 9.5, 4.0],
        [8.0, 2.0, nan, 3.0, 6.5],
        [5.5, 5.0, 7.0, 1.0, nan],
        [1.0, 9.0, 3.5, 6.0, 2.0],
        [9.5, 1.5, 8.0, 2.5, 7.5],
        [4.0, 6.0, 5.0, 8.0, 1.0],
        [6.5, 3.0, 2.0, 4.5, 9.0],
    ];
    let units = (1..=x.nrows()).map(|i| format!("u{i}")).collect();
    let cols = ["a", "b", "c", "d", "e"].map(String::from).to_vec();
    Dataset::new(units, cols, x).unwrap()
}

fn scorer(declare: bool) -> (Scorer, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let s = Scorer::new(framework())
        .normaliser(NormaliserKind::MinMax { lo: 1.0, hi: 100.0 })
        .aggregator(QuadraticMean {
            declare,
            calls: calls.clone(),
        });
    (s, calls)
}

fn weight_rows() -> Array2<f64> {
    // nodes: a b c d e P Q I
    ndarray::array![
        [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
        [0.3, 1.7, 2.0, 0.5, 1.0, 2.5, 0.4, 1.0],
        [2.0, 0.1, 0.0, 1.0, 3.0, 1.0, 1.0, 1.0],
        [0.9, 1.1, 1.3, 0.2, 0.6, 0.7, 1.9, 1.0],
    ]
}

fn assert_close(a: f64, b: f64, what: &str) {
    if a.is_nan() || b.is_nan() {
        assert!(a.is_nan() && b.is_nan(), "{what}: {a} vs {b}");
    } else {
        assert!(
            (a - b).abs() <= 1e-12 * b.abs().max(1.0),
            "{what}: {a} vs {b}"
        );
    }
}

#[test]
fn a_declared_quasi_arithmetic_user_aggregator_is_batched_and_scores_like_the_scorer() {
    let (s, calls) = scorer(true);
    let d = data();
    let single = s.score(&d).unwrap();
    let model = s.sweep(&d).unwrap().build().unwrap();
    // per-variant path == Scorer, bit for bit (the same plan, one variant)
    let per_variant = model.score_index(model.nominal_weights(), 0).unwrap();
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&per_variant), bits(&single.index().to_vec()));
    // batched: no call to `aggregate` at all, and the per-variant numbers
    let w = weight_rows();
    calls.store(0, Ordering::Relaxed);
    let batch = model.score_batch(w.view(), &[0; 4]).unwrap();
    assert_eq!(
        calls.load(Ordering::Relaxed),
        0,
        "the batch went through the trait"
    );
    for (v, row) in w.rows().into_iter().enumerate() {
        let reference = model.score_index(&row.to_vec(), 0).unwrap();
        for (u, &r) in reference.iter().enumerate() {
            assert_close(batch[[v, u]], r, &format!("variant {v} unit {u}"));
        }
    }
    // hand value, unit u1 under equal weights (min-max to [1, 100] by column):
    // a = 1 + 99·(3 − 1)/(9.5 − 1), b = 1 + 99·(7 − 1.5)/(9 − 1.5), ...
    let n = |x: f64, lo: f64, hi: f64| 1.0 + 99.0 * (x - lo) / (hi - lo);
    let qm = |v: &[f64]| (v.iter().map(|x| x * x).sum::<f64>() / v.len() as f64).sqrt();
    let p = qm(&[n(3.0, 1.0, 9.5), n(7.0, 1.5, 9.0)]);
    let q = qm(&[n(1.0, 1.0, 8.0), n(9.5, 1.0, 9.5), n(4.0, 1.0, 9.0)]);
    assert_close(single.index()[0], qm(&[p, q]), "hand value");
}

#[test]
fn an_opaque_user_aggregator_works_in_sweeps_through_the_per_variant_path() {
    let d = data();
    let (opaque, calls) = scorer(false);
    let (declared, _) = scorer(true);
    let m_opaque = opaque.sweep(&d).unwrap().build().unwrap();
    let m_declared = declared.sweep(&d).unwrap().build().unwrap();
    // the batch goes through the trait, one call per node and variant, same numbers
    let w = weight_rows();
    calls.store(0, Ordering::Relaxed);
    let b_opaque = m_opaque.score_batch(w.view(), &[0; 4]).unwrap();
    assert_eq!(calls.load(Ordering::Relaxed), 3 * 4);
    let b_declared = m_declared.score_batch(w.view(), &[0; 4]).unwrap();
    for (x, y) in b_opaque.iter().zip(&b_declared) {
        assert_close(*x, *y, "opaque vs declared batch");
    }
    // a whole sweep: same rank histograms, scores to rounding
    let cfg = SweepConfig::new(
        300,
        7,
        WeightSampler::Uniform {
            spread: 0.5,
            nodes: NodeSelection::All,
        },
    );
    calls.store(0, Ordering::Relaxed);
    let r_opaque = m_opaque.sweep(&cfg).unwrap();
    assert!(calls.load(Ordering::Relaxed) >= 3 * 300);
    let r_declared = m_declared.sweep(&cfg).unwrap();
    assert_eq!(r_opaque.ranks, r_declared.ranks);
    assert_eq!(r_opaque.nominal_ranks, r_declared.nominal_ranks);
    for u in 0..d.n_units() {
        let (a, b) = (r_opaque.scores.mean(u), r_declared.scores.mean(u));
        assert_close(a.unwrap(), b.unwrap(), &format!("mean score of unit {u}"));
    }
}
