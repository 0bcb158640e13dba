//! Invariants of the built-in aggregators (proptest), checked through one shared runner.

use composite_indicators::aggregate::{Aggregator, AggregatorKind, MissingPolicy, NodeContext};
use ndarray::Array2;
use proptest::prelude::*;

/// A units × children block with one weight per child.
#[derive(Debug, Clone)]
struct Block {
    x: Array2<f64>,
    w: Vec<f64>,
}

/// Aggregate `x` with `kind` under the default policy (skip missing, no coverage threshold).
fn agg(kind: &AggregatorKind, x: &Array2<f64>, w: &[f64]) -> Vec<f64> {
    agg_with(kind, x, w, MissingPolicy::default())
}

fn agg_with(kind: &AggregatorKind, x: &Array2<f64>, w: &[f64], missing: MissingPolicy) -> Vec<f64> {
    let children: Vec<String> = (0..x.ncols()).map(|j| format!("c{j}")).collect();
    let units: Vec<String> = (0..x.nrows()).map(|i| format!("u{i}")).collect();
    let ctx = NodeContext {
        node: "P",
        children: &children,
        unit_codes: &units,
        missing,
    };
    kind.aggregate(x.view(), w, &ctx)
        .unwrap_or_else(|e| panic!("{kind}: {e}"))
        .to_vec()
}

/// Equal within a relative tolerance, NaN only where the other is NaN.
fn close(a: f64, b: f64, rel: f64) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1e-300)
}

fn assert_all_close(a: &[f64], b: &[f64], rel: f64, what: &str) {
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            close(*x, *y, rel),
            "{what}: unit {i}: {x} vs {y} ({a:?} vs {b:?})"
        );
    }
}

/// The means (results lie within the range of the available children, homogeneous of degree 1).
fn means() -> Vec<AggregatorKind> {
    vec![
        AggregatorKind::Arithmetic,
        AggregatorKind::Geometric { offset: 0.0 },
        AggregatorKind::Harmonic { offset: 0.0 },
        AggregatorKind::Power { p: -2.0 },
        AggregatorKind::Power { p: 0.5 },
        AggregatorKind::Power { p: 3.0 },
        AggregatorKind::Median,
    ]
}

fn all_kinds() -> Vec<AggregatorKind> {
    let mut k = means();
    k.extend([
        AggregatorKind::Sum,
        AggregatorKind::Geometric { offset: 1.0 },
        AggregatorKind::Harmonic { offset: 0.5 },
        AggregatorKind::Copeland,
    ]);
    k
}

/// Positive values, about one in eight missing; positive weights, some zero.
fn block() -> impl Strategy<Value = Block> {
    (1usize..6, 1usize..6).prop_flat_map(|(n, m)| {
        let value = prop_oneof![7 => 0.1f64..100.0, 1 => Just(f64::NAN)];
        let weight = prop_oneof![6 => 0.05f64..10.0, 1 => Just(0.0)];
        (
            proptest::collection::vec(value, n * m),
            proptest::collection::vec(weight, m),
        )
            .prop_map(move |(v, w)| Block {
                x: Array2::from_shape_vec((n, m), v).expect("shape"),
                w,
            })
    })
}

/// Same variant and parameters equal within 1e-15 (relative).
fn same_kind(a: &AggregatorKind, b: &AggregatorKind) -> bool {
    use AggregatorKind::{Geometric, Harmonic, Power};
    match (a, b) {
        (Geometric { offset: x }, Geometric { offset: y })
        | (Harmonic { offset: x }, Harmonic { offset: y })
        | (Power { p: x }, Power { p: y }) => close(*x, *y, 1e-15),
        _ => a == b,
    }
}

fn kind_strategy() -> impl Strategy<Value = AggregatorKind> {
    prop_oneof![
        Just(AggregatorKind::Arithmetic),
        Just(AggregatorKind::Sum),
        (-10.0f64..10.0).prop_map(|offset| AggregatorKind::Geometric { offset }),
        (-10.0f64..10.0).prop_map(|offset| AggregatorKind::Harmonic { offset }),
        prop_oneof![Just(0.0), Just(-1.0), -5.0f64..5.0].prop_map(|p| AggregatorKind::Power { p }),
        Just(AggregatorKind::Median),
        Just(AggregatorKind::Copeland),
        Just(AggregatorKind::Geometric { offset: 0.0 }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn means_lie_within_available_range(b in block()) {
        for kind in means() {
            let y = agg(&kind, &b.x, &b.w);
            for (row, &yi) in b.x.rows().into_iter().zip(&y) {
                let avail: Vec<f64> = row
                    .iter()
                    .zip(&b.w)
                    .filter(|(x, w)| !x.is_nan() && **w > 0.0)
                    .map(|(x, _)| *x)
                    .collect();
                if avail.is_empty() {
                    prop_assert!(yi.is_nan(), "{kind}: {yi} without available children");
                    continue;
                }
                let lo = avail.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = avail.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let tol = 1e-9 * hi.abs().max(1.0);
                prop_assert!(yi >= lo - tol && yi <= hi + tol, "{kind}: {yi} outside [{lo}, {hi}]");
            }
        }
    }

    #[test]
    fn means_are_homogeneous(b in block(), c in 0.1f64..10.0) {
        let scaled = b.x.mapv(|v| v * c);
        for kind in means() {
            let y: Vec<f64> = agg(&kind, &b.x, &b.w).iter().map(|v| v * c).collect();
            assert_all_close(&agg(&kind, &scaled, &b.w), &y, 1e-9, &kind.to_string());
        }
        // the sum too; Copeland only sees the order of values
        let y: Vec<f64> = agg(&AggregatorKind::Sum, &b.x, &b.w).iter().map(|v| v * c).collect();
        assert_all_close(&agg(&AggregatorKind::Sum, &scaled, &b.w), &y, 1e-9, "sum");
        prop_assert_eq!(
            format!("{:?}", agg(&AggregatorKind::Copeland, &scaled, &b.w)),
            format!("{:?}", agg(&AggregatorKind::Copeland, &b.x, &b.w))
        );
    }

    #[test]
    fn permuting_children_with_weights_changes_nothing(
        (b, perm) in block().prop_flat_map(|b| {
            let m = b.w.len();
            (Just(b), Just((0..m).collect::<Vec<_>>()).prop_shuffle())
        })
    ) {
        let xp = b.x.select(ndarray::Axis(1), &perm);
        let wp: Vec<f64> = perm.iter().map(|&j| b.w[j]).collect();
        for kind in all_kinds() {
            assert_all_close(&agg(&kind, &xp, &wp), &agg(&kind, &b.x, &b.w), 1e-9, &kind.to_string());
        }
    }

    #[test]
    fn scaling_weights_changes_nothing(b in block(), c in 0.01f64..100.0) {
        let wc: Vec<f64> = b.w.iter().map(|w| w * c).collect();
        for kind in all_kinds() {
            let base = agg(&kind, &b.x, &b.w);
            let want: Vec<f64> = if kind == AggregatorKind::Sum {
                base.iter().map(|v| v * c).collect()
            } else {
                base
            };
            assert_all_close(&agg(&kind, &b.x, &wc), &want, 1e-9, &kind.to_string());
        }
    }

    #[test]
    fn arithmetic_is_monotone_in_each_child(b in block(), i in 0usize..6, j in 0usize..6, d in 0.0f64..50.0) {
        let (i, j) = (i % b.x.nrows(), j % b.x.ncols());
        let mut up = b.x.clone();
        up[[i, j]] += d;
        let (y0, y1) = (agg(&AggregatorKind::Arithmetic, &b.x, &b.w), agg(&AggregatorKind::Arithmetic, &up, &b.w));
        for (u, (a, c)) in y0.iter().zip(&y1).enumerate() {
            if u == i && !a.is_nan() {
                prop_assert!(*c >= *a - 1e-12 * a.abs().max(1.0), "{a} -> {c}");
            } else {
                prop_assert!(close(*a, *c, 0.0), "other unit changed: {a} -> {c}");
            }
        }
    }

    #[test]
    fn block_equals_row_by_row(b in block()) {
        for kind in all_kinds().into_iter().filter(|k| *k != AggregatorKind::Copeland) {
            let whole = agg(&kind, &b.x, &b.w);
            for (i, row) in b.x.rows().into_iter().enumerate() {
                let one = agg(&kind, &row.to_owned().insert_axis(ndarray::Axis(0)), &b.w);
                prop_assert!(close(one[0], whole[i], 0.0), "{}: {} vs {}", kind, one[0], whole[i]);
            }
        }
    }

    #[test]
    fn copeland_scores_are_balanced(b in block()) {
        let y = agg(&AggregatorKind::Copeland, &b.x, &b.w);
        let scored: Vec<f64> = y.iter().copied().filter(|v| !v.is_nan()).collect();
        let n = scored.len() as f64;
        prop_assert_eq!(scored.iter().sum::<f64>(), 0.0);
        for s in scored {
            prop_assert!(s.fract() == 0.0 && s.abs() <= (n - 1.0).max(0.0));
        }
    }

    #[test]
    fn propagate_is_nan_exactly_where_a_child_is_missing(b in block()) {
        for kind in all_kinds() {
            let y = agg_with(&kind, &b.x, &b.w, MissingPolicy::Propagate);
            for (row, yi) in b.x.rows().into_iter().zip(&y) {
                if row.iter().any(|v| v.is_nan()) {
                    prop_assert!(yi.is_nan());
                }
            }
        }
    }

    #[test]
    fn serde_round_trip(kind in kind_strategy()) {
        // TOML parses floats exactly
        let text = toml::to_string(&kind).expect("serialise TOML");
        let back: AggregatorKind = toml::from_str(&text).expect("deserialise TOML");
        prop_assert_eq!(&back, &kind);
        // serde_json is built without its `float_roundtrip` feature: the last bit may differ
        let json = serde_json::to_string(&kind).expect("serialise JSON");
        let back: AggregatorKind = serde_json::from_str(&json).expect("deserialise JSON");
        prop_assert!(same_kind(&back, &kind), "{:?} vs {:?}", back, kind);
    }

    #[test]
    fn display_from_str_round_trip(kind in kind_strategy()) {
        let s = kind.to_string();
        let back: AggregatorKind = s.parse().expect("parse");
        prop_assert_eq!(&back, &kind);
        prop_assert_eq!(back.name(), s);
    }
}

/// COINr's documented example `a_amean(1:10, 10:1)`: Σ i(11 − i) / Σ(11 − i) = 220 / 55 = 4.
#[test]
fn coinr_amean_example() {
    let x = Array2::from_shape_vec((1, 10), (1..=10).map(f64::from).collect()).expect("shape");
    let w: Vec<f64> = (1..=10).rev().map(f64::from).collect();
    let y = agg(&AggregatorKind::Arithmetic, &x, &w);
    assert!((y[0] - 4.0).abs() < 1e-12, "{y:?}");
}
