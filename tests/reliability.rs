//! Reliability round 2 (issue #14), library side: deep frameworks, overflowing and tiny weights,
//! underflowing data literals, Unicode-equivalent unit codes, error messages that name the file and
//! give a hint, and readable `Debug` output. Each test failed on the code before its fix.

use composite_indicators::io::{self, CsvOptions};
use composite_indicators::prelude::*;
use composite_indicators::score::Scorer;
use composite_indicators::weights::effective_weights;
use ndarray::array;

/// A chain `I <- P1 <- P2 <- ... <- P{levels-1}` with one indicator `x` under the deepest pillar.
fn chain(levels: usize) -> FrameworkSpec {
    let mut pillars = vec![Pillar::new("P0")];
    for l in 1..levels {
        pillars.push(Pillar::new(format!("P{l}")).with_parent(format!("P{}", l - 1)));
    }
    FrameworkSpec {
        name: "chain".into(),
        indicators: vec![Indicator::new("x", format!("P{}", levels - 1))],
        pillars,
    }
}

fn check_chain(levels: usize) -> Framework {
    let fw = chain(levels).check().unwrap();
    assert_eq!(fw.nodes().len(), levels + 1);
    assert_eq!(fw.root().code, "P0");
    // heights: indicator 1, deepest pillar 2, root levels + 1
    assert_eq!(fw.max_level(), levels + 1);
    assert_eq!(fw.node("x").unwrap().depth, levels);
    assert_eq!(fw.ancestors(0).len(), levels);
    fw
}

// The old code computed heights with a recursive DFS (stack overflow in a 2 MiB test thread at about
// 20k levels) and checked cycles by walking up from every pillar (quadratic: 200k levels would take
// minutes). Both are linear and iterative now.
#[test]
fn chain_of_20k_levels_validates_and_scores() {
    let fw = check_chain(20_000);
    let d = Dataset::new(
        vec!["A".into(), "B".into(), "C".into()],
        vec!["x".into()],
        array![[1.0], [3.0], [2.0]],
    )
    .unwrap();
    let s = Scorer::new(fw).score(&d).unwrap();
    // min-max to [0, 100] (the default normaliser), then a chain of one-child means keeps the value
    assert_eq!(s.index().to_vec(), vec![0.0, 100.0, 50.0]);
}

#[test]
fn chain_of_200k_levels_validates() {
    check_chain(200_000);
}

#[test]
fn long_cycle_is_found_in_linear_time() {
    let mut spec = chain(200_000);
    // close the chain into a cycle below a fresh root
    spec.pillars[0].parent = Some("P199999".into());
    spec.pillars.push(Pillar::new("Root"));
    spec.indicators.push(Indicator::new("y", "Root"));
    assert!(matches!(spec.check(), Err(Error::Cycle { .. })));
}

// ------------------------------------------------------------------ weights

const TWO_HUGE_TOML: &str = r#"
[[indicators]]
code = "a"
parent = "P"
weight = 1e308
[[indicators]]
code = "b"
parent = "P"
weight = 1e308
[[indicators]]
code = "c"
parent = "I"
[[pillars]]
code = "P"
parent = "I"
[[pillars]]
code = "I"
"#;

fn is_overflow_of(e: &Error, group: &str) -> bool {
    matches!(e, Error::NonFiniteWeightSum { group: g, sum } if g == group && *sum == f64::INFINITY)
        && e.to_string().contains(&format!("`{group}`"))
}

#[test]
fn sibling_weights_whose_sum_overflows_are_rejected_in_every_input() {
    // Framework::new
    let mut spec = io::spec_from_toml(TWO_HUGE_TOML).unwrap();
    let e = spec.clone().check().unwrap_err();
    assert!(is_overflow_of(&e, "P"), "{e}");
    // JSON
    let json = io::spec_to_json(&spec).unwrap();
    let e = io::spec_from_json(&json).unwrap().check().unwrap_err();
    assert!(is_overflow_of(&e, "P"), "{e}");
    // iMeta
    let imeta = "iCode,Direction,Weight,Parent,Type\n\
                 a,1,1e308,P,Indicator\nb,1,1e308,P,Indicator\nc,1,1,I,Indicator\n\
                 P,1,1,I,Aggregate\nI,1,1,,Aggregate\n";
    let meta = io::read_imeta(imeta.as_bytes()).unwrap();
    let e = meta.spec.clone().check().unwrap_err();
    assert!(is_overflow_of(&e, "P"), "{e}");
    // explicit weight overrides reach the same check through the weight scheme
    spec.indicators[0].weight = 1.0;
    spec.indicators[1].weight = 1.0;
    let fw = spec.check().unwrap();
    let scheme = WeightScheme::Explicit {
        weights: [("a".to_string(), 1e308), ("b".to_string(), 1e308)].into(),
    };
    let e = scheme.node_weights(&fw, None).unwrap_err();
    assert!(is_overflow_of(&e, "P"), "{e}");
}

#[test]
fn tiny_weights_give_the_same_scores_as_unit_weights() {
    // two weights of 1e-320 (subnormal): the old aggregation multiplied them by the values in the
    // subnormal range and lost bits (8.333251 instead of 8.333333 in the issue's example)
    let spec = |w: f64| FrameworkSpec {
        name: "t".into(),
        indicators: vec![
            Indicator::new("a", "I").with_weight(w),
            Indicator::new("b", "I").with_weight(w),
        ],
        pillars: vec![Pillar::new("I")],
    };
    let d = Dataset::new(
        vec!["A".into(), "B".into(), "C".into()],
        vec!["a".into(), "b".into()],
        array![[0.0, 3.0], [1.0, 1.0], [2.0, 0.0]],
    )
    .unwrap();
    let tiny = Scorer::new(spec(1e-320).check().unwrap()).score(&d).unwrap();
    let unit = Scorer::new(spec(1.0).check().unwrap()).score(&d).unwrap();
    // min-max [0, 100]: a -> 0, 50, 100; b -> 100, 33.3.., 0; the means, bit for bit
    assert_eq!(tiny.index().to_vec(), unit.index().to_vec());
    // hand value: (50 + 100/3) / 2 = 41.666...
    assert!((tiny.index()[1] - 125.0 / 3.0).abs() < 1e-12);

    let fw = spec(1e-320).check().unwrap();
    let w = WeightScheme::Nominal.node_weights(&fw, None).unwrap();
    assert_eq!(effective_weights(&fw, &w), vec![0.5, 0.5]);
}

#[test]
fn effective_weights_split_huge_weights_by_their_ratio() {
    // node weights given directly (the framework itself would reject an overflowing sum):
    // 1e308 and 1e308 under one group overflow a plain sum; the shares are still 0.5 and 0.5
    let fw = FrameworkSpec {
        name: "t".into(),
        indicators: vec![Indicator::new("a", "I"), Indicator::new("b", "I")],
        pillars: vec![Pillar::new("I")],
    }
    .check()
    .unwrap();
    assert_eq!(effective_weights(&fw, &[1e308, 1e308, 1.0]), vec![0.5, 0.5]);
}
