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
    FrameworkSpec::new(
        "chain",
        vec![Indicator::new("x", format!("P{}", levels - 1))],
        pillars,
    )
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
    let spec = |w: f64| {
        FrameworkSpec::new(
            "t",
            vec![
                Indicator::new("a", "I").with_weight(w),
                Indicator::new("b", "I").with_weight(w),
            ],
            vec![Pillar::new("I")],
        )
    };
    let d = Dataset::new(
        vec!["A".into(), "B".into(), "C".into()],
        vec!["a".into(), "b".into()],
        array![[0.0, 3.0], [1.0, 1.0], [2.0, 0.0]],
    )
    .unwrap();
    let tiny = Scorer::new(spec(1e-320).check().unwrap())
        .score(&d)
        .unwrap();
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
    let fw = FrameworkSpec::new(
        "t",
        vec![Indicator::new("a", "I"), Indicator::new("b", "I")],
        vec![Pillar::new("I")],
    )
    .check()
    .unwrap();
    assert_eq!(effective_weights(&fw, &[1e308, 1e308, 1.0]), vec![0.5, 0.5]);
}

// ------------------------------------------------------------------ data files

/// Write `text` to a fresh file in the temp directory and return its path.
fn temp_csv(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ci_reliability_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn underflowing_literal_is_rejected_like_an_overflowing_one() {
    let p = temp_csv("underflow.csv", "uCode,x\nA,1\nB,1e-400\n");
    let e = io::read_csv_path(&p, &CsvOptions::default()).unwrap_err();
    let msg = e.to_string();
    assert!(
        matches!(&e, Error::Underflow { line: 3, column, unit, value, .. } if column == "x" && unit == "B" && value == "1e-400"),
        "{e:?}"
    );
    assert!(msg.contains(&p.display().to_string()), "{msg}");
    // the overflowing literal: NonFinite naming unit and column, wrapped with the file and line
    let p = temp_csv("overflow.csv", "uCode,x\nA,1\nB,1e400\n");
    let e = io::read_csv_path(&p, &CsvOptions::default()).unwrap_err();
    assert!(matches!(&e, Error::InFile { line: 3, .. }), "{e:?}");
    assert!(
        matches!(e.innermost(), Error::NonFinite { unit, indicator, .. } if unit == "B" && indicator == "x")
    );
    assert!(e.to_string().contains(&p.display().to_string()));
    // zero and a subnormal literal are kept
    let d = io::read_csv(
        "uCode,x\nA,0e-400\nB,1e-310\n".as_bytes(),
        &CsvOptions::default(),
    )
    .unwrap();
    assert_eq!(d.column("x").unwrap().to_vec(), vec![0.0, 1e-310]);
}

#[test]
fn unit_codes_equal_in_nfc_are_duplicates() {
    let nfc = "Caf\u{e9}";
    let nfd = "Cafe\u{301}";
    assert_ne!(nfc, nfd);
    let p = temp_csv("nfc.csv", &format!("uCode,x\n{nfc},1\nB,2\n{nfd},3\n"));
    let e = io::read_csv_path(&p, &CsvOptions::default()).unwrap_err();
    assert!(
        matches!(&e, Error::DuplicateUnit { code, first, source_name: Some(_), line: Some(4), first_line: Some(2) }
            if code == nfd && first == nfc),
        "{e:?}"
    );
    let msg = e.to_string();
    assert!(
        msg.contains(&p.display().to_string()) && msg.contains("line 4"),
        "{msg}"
    );
    // the same rule when building a data set directly
    let e = Dataset::new(
        vec![nfd.into(), nfc.into()],
        vec!["x".into()],
        array![[1.0], [2.0]],
    )
    .unwrap_err();
    assert!(matches!(e, Error::DuplicateUnit { .. }));
    // and through the COINr reader
    let meta = io::read_imeta(
        "iCode,Direction,Weight,Parent,Type\nx,1,1,I,Indicator\nI,1,1,,Aggregate\n".as_bytes(),
    )
    .unwrap();
    let e = io::read_idata(format!("uCode,x\n{nfc},1\n{nfd},2\n").as_bytes(), &meta).unwrap_err();
    assert!(
        matches!(e, Error::DuplicateUnit { line: Some(3), .. }),
        "{e:?}"
    );
}

#[test]
fn non_numeric_cell_names_the_file_and_hints_at_label_columns() {
    let p = temp_csv("labels.csv", "uCode,region,x\nA,North,1\nB,South,2\n");
    let e = io::read_csv_path(&p, &CsvOptions::default()).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(&e, Error::NonNumeric { line: 2, .. }), "{e:?}");
    assert!(msg.contains(&p.display().to_string()), "{msg}");
    assert!(msg.contains("`North` is not a number"), "{msg}");
    assert!(
        msg.contains("with_group_columns") && msg.contains("--groups region"),
        "{msg}"
    );
    // a typo in a numeric column gets no label hint
    let e = io::read_csv("uCode,x\nA,1\nB,2;5\n".as_bytes(), &CsvOptions::default()).unwrap_err();
    assert!(!e.to_string().contains("with_group_columns"), "{e}");
}

#[test]
fn direction_in_toml_says_it_must_be_one_or_minus_one() {
    let toml = r#"
[[indicators]]
code = "a"
parent = "I"
direction = "negative"
[[pillars]]
code = "I"
"#;
    let e = io::spec_from_toml(toml).unwrap_err();
    assert!(e.to_string().contains("direction must be 1 or -1"), "{e}");
    assert!(e.to_string().contains("negative"), "{e}");
}

#[test]
fn group_imputation_with_an_unknown_column_names_it() {
    use composite_indicators::prepare::{Impute, ImputeMethod, Step};
    let fw = FrameworkSpec::new("t", vec![Indicator::new("x", "I")], vec![Pillar::new("I")])
        .check()
        .unwrap();
    let d = Dataset::new(
        vec!["A".into(), "B".into()],
        vec!["x".into()],
        array![[1.0], [f64::NAN]],
    )
    .unwrap();
    let e = Impute::new(ImputeMethod::GroupMean { group: "a".into() })
        .apply(&d, &fw)
        .unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("group_mean(a)") && msg.contains("group column `a`"),
        "{msg}"
    );
    assert!(!msg.contains("required by the framework"), "{msg}");
}

#[test]
fn group_imputation_reports_values_left_without_donor() {
    use composite_indicators::prepare::{Impute, ImputeMethod, MissingReason, Step};
    let fw = FrameworkSpec::new("t", vec![Indicator::new("x", "I")], vec![Pillar::new("I")])
        .check()
        .unwrap();
    // group S has no value for x: B and D stay missing; C has no label
    let d = Dataset::new(
        vec!["A".into(), "B".into(), "C".into(), "D".into()],
        vec!["x".into()],
        array![[1.0], [f64::NAN], [f64::NAN], [f64::NAN]],
    )
    .unwrap()
    .with_group(
        "region",
        vec!["N".into(), "S".into(), "".into(), "S".into()],
    )
    .unwrap();
    let (_, rep) = Impute::new(ImputeMethod::GroupMean {
        group: "region".into(),
    })
    .apply(&d, &fw)
    .unwrap();
    assert!(rep.imputations.is_empty());
    let left: Vec<(&str, String)> = rep
        .left_missing
        .iter()
        .map(|l| (l.unit.as_str(), l.reason.to_string()))
        .collect();
    assert_eq!(left.len(), 3);
    assert_eq!(left[0].0, "B");
    assert!(left[0].1.contains("no unit in group `S`"), "{}", left[0].1);
    assert_eq!(
        rep.left_missing[1].reason,
        MissingReason::NoGroupLabel {
            column: "region".into()
        }
    );
    assert_eq!(left[2].0, "D");
}

#[test]
fn debug_of_an_error_is_its_message() {
    // `fn main() -> Result<()>` prints the error with Debug: it must read like the message
    let e = io::read_csv("uCode,x\nA,abc\n".as_bytes(), &CsvOptions::default()).unwrap_err();
    assert_eq!(format!("{e:?}"), e.to_string());
    let io_err = io::read_csv_path("/no/such/dir/data.csv", &CsvOptions::default()).unwrap_err();
    let dbg = format!("{io_err:?}");
    assert!(dbg.starts_with("/no/such/dir/data.csv: "), "{dbg}");
    assert!(!dbg.contains("Io {"), "{dbg}");
}

#[test]
fn dist2ref_with_the_reference_at_the_minimum_has_its_own_error() {
    use composite_indicators::normalise::{ColumnContext, Normaliser, NormaliserKind};
    let units = vec!["A".to_string(), "B".to_string(), "C".to_string()];
    let kind = NormaliserKind::DistToRef {
        unit: "A".into(),
        cap_max: false,
    };
    let e = kind
        .fit(
            array![-38.38, 1.0, 5.0].view(),
            &ColumnContext::new("x", &units),
        )
        .unwrap_err();
    assert!(
        matches!(&e, Error::ReferenceAtMinimum { unit, .. } if unit == "A"),
        "{e:?}"
    );
    assert!(!e.to_string().contains("every non-missing value"), "{e}");
}

// ------------------------------------------------------------------ index-taking accessors

#[test]
fn index_accessors_tell_out_of_range_apart() {
    let fw = FrameworkSpec::new(
        "t",
        vec![Indicator::new("a", "P"), Indicator::new("b", "P")],
        vec![Pillar::new("P").with_parent("I"), Pillar::new("I")],
    )
    .check()
    .unwrap();
    let n = fw.nodes().len();
    // the old `ancestors` gave the root's answer (empty) for a node that does not exist
    assert_eq!(fw.try_ancestors(fw.root_index()), Some(vec![]));
    assert_eq!(fw.try_ancestors(n), None);
    assert_eq!(fw.try_ancestors(usize::MAX), None);
    assert!(fw.leaves_under(n).is_empty());
    // the old accessors fell back to the defaults for any index
    let s = Scorer::new(fw);
    assert!(s.aggregator_of(n - 1).is_some());
    assert!(s.aggregator_of(n).is_none());
    assert!(s.normaliser_of(1).is_some());
    assert!(s.normaliser_of(2).is_none());
}
