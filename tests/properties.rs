//! Property tests: proptest drivers feeding the shared checkers in `tests/common/mod.rs` (one per
//! family), over every built-in method. Each driver also counts the cases where the method was
//! defined, so a generator that only produces errors would fail the test instead of passing vacuously.

mod common;

use common::{NewUnit, check_aggregator, check_normaliser, check_scorer, codes};
use composite_indicators::prelude::*;
use composite_indicators::score::Scorer;
use ndarray::Array2;
use proptest::prelude::*;

fn all_normalisers() -> Vec<NormaliserKind> {
    vec![
        NormaliserKind::MinMax { lo: 0.0, hi: 100.0 },
        NormaliserKind::MinMax { lo: -3.0, hi: 0.5 },
        NormaliserKind::ZScore { mean: 0.0, sd: 1.0 },
        NormaliserKind::Rank,
        NormaliserKind::PercentileRank,
        NormaliserKind::Borda,
        NormaliserKind::DistToMax,
        NormaliserKind::FracMax,
        NormaliserKind::DistToRef {
            unit: "u0".into(),
            cap_max: true,
        },
        NormaliserKind::DistToRef {
            unit: "u1".into(),
            cap_max: false,
        },
        NormaliserKind::DistToTarget { cap_max: true },
        NormaliserKind::Goalposts {
            scale: 100.0,
            truncate: true,
        },
        NormaliserKind::Goalposts {
            scale: 1.0,
            truncate: false,
        },
        NormaliserKind::MaxScore,
        NormaliserKind::Identity,
    ]
}

/// Errors a method may return on valid columns of `column()`: zero ranges (all values equal), too
/// few values, a missing or minimal reference unit, fracmax on a negated column.
fn expected_normaliser_error(_: &NormaliserKind, e: &Error) -> bool {
    matches!(
        e,
        Error::ZeroRange { .. }
            | Error::ReferenceAtMinimum { .. }
            | Error::InsufficientData { .. }
            | Error::AllMissing { .. }
            | Error::InvalidSpec { .. }
    )
}

/// 2..16 values in `[0, 1000]` (multiples of 50 for ties, or reals), about 1 in 8 missing.
fn column() -> impl Strategy<Value = Vec<f64>> {
    let cell = prop_oneof![
        3 => (0u32..=20).prop_map(|i| f64::from(i) * 50.0),
        4 => 0.0f64..=1000.0,
        1 => Just(f64::NAN),
    ];
    prop::collection::vec(cell, 2..16)
}

fn direction() -> impl Strategy<Value = Direction> {
    prop_oneof![Just(Direction::Positive), Just(Direction::Negative)]
}

fn all_aggregators() -> Vec<AggregatorKind> {
    vec![
        AggregatorKind::Arithmetic,
        AggregatorKind::Sum,
        AggregatorKind::Geometric { offset: 0.0 },
        AggregatorKind::Geometric { offset: 1.0 },
        AggregatorKind::Harmonic { offset: 0.0 },
        AggregatorKind::Power { p: 0.5 },
        AggregatorKind::Power { p: 2.0 },
        AggregatorKind::Power { p: -1.5 },
        AggregatorKind::Median,
        AggregatorKind::Copeland,
    ]
}

/// A block of 1..8 units × 1..6 children in `[0.01, 100]` (10% missing), positive weights, a scale
/// factor and a permutation of the children.
#[allow(clippy::type_complexity)]
fn block() -> impl Strategy<Value = (Array2<f64>, Vec<f64>, f64, Vec<usize>)> {
    (1usize..8, 1usize..6).prop_flat_map(|(r, c)| {
        let cell = prop_oneof![9 => 0.01f64..100.0, 1 => Just(f64::NAN)];
        (
            prop::collection::vec(cell, r * c),
            prop::collection::vec(0.05f64..5.0, c),
            0.01f64..100.0,
            Just((0..c).collect::<Vec<usize>>()).prop_shuffle(),
        )
            .prop_map(move |(v, w, k, p)| (Array2::from_shape_vec((r, c), v).unwrap(), w, k, p))
    })
}

const TOML: &str = r#"
[[indicators]]
code = "a"
parent = "P"
[[indicators]]
code = "b"
parent = "P"
direction = -1
weight = 2.0
[[indicators]]
code = "c"
parent = "Q"
[[indicators]]
code = "d"
parent = "Q"
weight = 0.5
[[indicators]]
code = "e"
parent = "Q"
direction = -1
[[pillars]]
code = "P"
parent = "Index"
[[pillars]]
code = "Q"
parent = "Index"
weight = 3.0
[[pillars]]
code = "Index"
"#;

/// 3..10 units × 5 indicators of the TOML framework; rows 0 and 1 hold each column's extremes
/// (non-zero ranges), optional missing values elsewhere, at least one observed value in every row (a
/// unit with none is refused by design, `UnitAllMissing`); and a unit permutation.
fn scored_data(missing: bool) -> impl Strategy<Value = (Dataset, Vec<usize>)> {
    (3usize..10).prop_flat_map(move |n| {
        let nan_weight = if missing { 1 } else { 0 };
        let cell = prop_oneof![9 => -50.0f64..50.0, nan_weight => Just(f64::NAN)];
        (
            prop::collection::vec(cell, n * 5),
            Just((0..n).collect::<Vec<usize>>()).prop_shuffle(),
        )
            .prop_map(move |(v, perm)| {
                let mut m = Array2::from_shape_vec((n, 5), v).unwrap();
                for mut col in m.columns_mut() {
                    col[0] = -60.0;
                    col[1] = 60.0;
                }
                for (i, mut row) in m.rows_mut().into_iter().enumerate() {
                    if row.iter().all(|v| v.is_nan()) {
                        row[i % 5] = 0.0;
                    }
                }
                let cols = ["a", "b", "c", "d", "e"].map(String::from).to_vec();
                (Dataset::new(codes("u", n), cols, m).unwrap(), perm)
            })
    })
}

fn fw() -> Framework {
    composite_indicators::io::spec_from_toml(TOML)
        .unwrap()
        .check()
        .unwrap()
}

fn no_expected_error(_: &Error) -> bool {
    false
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_normaliser_passes_the_checker(raw in column(), dir in direction()) {
        let mut defined = 0;
        for kind in all_normalisers() {
            defined += usize::from(check_normaliser(&kind, &raw, dir, expected_normaliser_error));
        }
        // identity, rank, percentile rank and Borda are defined on every column with a value
        prop_assert!(defined >= 4 || raw.iter().all(|v| v.is_nan()));
    }

    #[test]
    fn every_aggregator_passes_the_checker((x, w, c, perm) in block()) {
        let mut defined = 0;
        for kind in all_aggregators() {
            defined += usize::from(check_aggregator(&kind, &x, &w, c, &perm));
        }
        // all values are positive, so every method is inside its domain
        prop_assert_eq!(defined, all_aggregators().len());
    }

    #[test]
    fn scorer_minmax_any_aggregator((d, perm) in scored_data(true), k in 0usize..10) {
        let agg = all_aggregators()[k].clone();
        let make = || {
            Scorer::new(fw())
                .normaliser(NormaliserKind::MinMax { lo: 1.0, hi: 100.0 })
                .aggregator(agg.clone())
        };
        // Copeland compares units with each other, so a new unit changes the others' scores
        let new_unit = if agg == AggregatorKind::Copeland { NewUnit::None } else { NewUnit::InsideRange };
        prop_assert!(check_scorer(&d, &perm, &make, new_unit, no_expected_error));
    }

    #[test]
    fn scorer_zscore_arithmetic((d, perm) in scored_data(true)) {
        let make = || Scorer::new(fw()).normaliser(NormaliserKind::ZScore { mean: 0.0, sd: 1.0 });
        prop_assert!(check_scorer(&d, &perm, &make, NewUnit::None, no_expected_error));
    }

    #[test]
    fn scorer_rank_arithmetic_dominated_unit((d, perm) in scored_data(false)) {
        let make = || Scorer::new(fw()).normaliser(NormaliserKind::Rank);
        prop_assert!(check_scorer(&d, &perm, &make, NewUnit::Dominated, no_expected_error));
    }
}
