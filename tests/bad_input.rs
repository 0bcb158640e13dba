//! The bad-input catalogue: every malformed spec, data file, API misuse and numeric edge case yields a
//! typed error whose message names the culprit, never a panic.

use composite_indicators::aggregate::MissingPolicy;
use composite_indicators::io::{self, CsvOptions};
use composite_indicators::prelude::*;
use composite_indicators::score::Scorer;
use ndarray::{Array2, array};
use std::str::FromStr;

const GOOD_TOML: &str = r#"
name = "toy"
[[indicators]]
code = "a"
parent = "P"
[[indicators]]
code = "b"
parent = "P"
direction = -1
[[indicators]]
code = "c"
parent = "Q"
[[pillars]]
code = "P"
parent = "Index"
[[pillars]]
code = "Q"
parent = "Index"
[[pillars]]
code = "Index"
"#;

fn good_fw() -> Framework {
    io::spec_from_toml(GOOD_TOML).unwrap().check().unwrap()
}

fn data(values: Array2<f64>) -> Dataset {
    let units = (0..values.nrows()).map(|u| format!("u{u}")).collect();
    Dataset::new(units, vec!["a".into(), "b".into(), "c".into()], values).unwrap()
}

fn good_data() -> Dataset {
    data(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 9.0, 8.0]])
}

/// Check the error's variant with `pat` and that its message mentions `culprit`.
macro_rules! bad {
    ($res:expr, $pat:pat, $culprit:expr) => {{
        let e = match $res {
            Ok(_) => panic!("expected an error naming `{}`", $culprit),
            Err(e) => e,
        };
        assert!(matches!(e, $pat), "wrong variant: {e:?}");
        let msg = e.to_string();
        assert!(
            msg.contains($culprit),
            "message `{msg}` does not name `{}`",
            $culprit
        );
    }};
}

fn toml_check(text: &str) -> Result<Framework> {
    io::spec_from_toml(text)?.check()
}

// ------------------------------------------------------------------ spec files

#[test]
fn b01_duplicate_indicator_code() {
    let t = GOOD_TOML.replace("code = \"b\"", "code = \"a\"");
    bad!(toml_check(&t), Error::DuplicateCode { .. }, "`a`");
}

#[test]
fn b02_indicator_code_reused_by_pillar() {
    let t = GOOD_TOML
        .replace("code = \"Q\"", "code = \"c\"")
        .replace("parent = \"Q\"", "parent = \"c\"");
    bad!(toml_check(&t), Error::DuplicateCode { .. }, "`c`");
}

#[test]
fn b03_unknown_parent() {
    let t = GOOD_TOML.replace("parent = \"Q\"", "parent = \"Nowhere\"");
    bad!(toml_check(&t), Error::UnknownParent { .. }, "Nowhere");
}

#[test]
fn b04_indicator_as_parent() {
    let t = GOOD_TOML.replace(
        "code = \"c\"\nparent = \"Q\"",
        "code = \"c\"\nparent = \"a\"",
    );
    bad!(toml_check(&t), Error::ParentIsIndicator { .. }, "`a`");
}

#[test]
fn b05_cycle() {
    let t = GOOD_TOML
        .replace(
            "code = \"P\"\nparent = \"Index\"",
            "code = \"P\"\nparent = \"Q\"",
        )
        .replace(
            "code = \"Q\"\nparent = \"Index\"",
            "code = \"Q\"\nparent = \"P\"",
        );
    bad!(toml_check(&t), Error::Cycle { .. }, "cycle");
}

#[test]
fn b06_empty_group() {
    let t = format!("{GOOD_TOML}\n[[pillars]]\ncode = \"Empty\"\nparent = \"Index\"\n");
    bad!(toml_check(&t), Error::EmptyGroup { .. }, "Empty");
}

#[test]
fn b07_negative_weight() {
    let t = GOOD_TOML.replace("code = \"c\"\n", "code = \"c\"\nweight = -2.0\n");
    bad!(toml_check(&t), Error::InvalidWeight { .. }, "`c`");
}

#[test]
fn b08_nan_weight() {
    let t = GOOD_TOML.replace("code = \"c\"\n", "code = \"c\"\nweight = nan\n");
    bad!(toml_check(&t), Error::InvalidWeight { .. }, "`c`");
}

#[test]
fn b09_infinite_weight() {
    let t = GOOD_TOML.replace("code = \"c\"\n", "code = \"c\"\nweight = inf\n");
    bad!(toml_check(&t), Error::InvalidWeight { .. }, "`c`");
}

#[test]
fn b10_zero_sum_group() {
    let t = GOOD_TOML.replace("code = \"c\"\n", "code = \"c\"\nweight = 0.0\n");
    bad!(toml_check(&t), Error::ZeroWeightSum { .. }, "`Q`");
}

#[test]
fn b11_two_roots() {
    let t = GOOD_TOML.replace("code = \"Q\"\nparent = \"Index\"", "code = \"Q\"");
    bad!(toml_check(&t), Error::MultipleRoots { .. }, "Q");
}

#[test]
fn b12_empty_framework() {
    bad!(
        toml_check("name = \"nothing\""),
        Error::EmptyFramework,
        "no indicators"
    );
}

#[test]
fn b13_orphan_indicator() {
    let t = GOOD_TOML.replace(
        "code = \"c\"\nparent = \"Q\"",
        "code = \"c\"\nparent = \"\"",
    );
    bad!(toml_check(&t), Error::Orphan { .. }, "`c`");
}

#[test]
fn b14_malformed_toml_names_line() {
    let t = GOOD_TOML.replace("code = \"b\"", "code = \"b");
    bad!(
        io::spec_from_toml(&t),
        Error::Parse { line: Some(_), .. },
        "line"
    );
}

#[test]
fn b15_malformed_json_names_line() {
    let j = "{\n  \"name\": \"x\",\n  \"indicators\": [ {\"code\": \"a\", }\n}";
    bad!(
        io::spec_from_json(j),
        Error::Parse { line: Some(3), .. },
        "line 3"
    );
}

#[test]
fn b16_unknown_field() {
    let t = GOOD_TOML.replace("code = \"c\"\n", "code = \"c\"\nwieght = 2.0\n");
    bad!(io::spec_from_toml(&t), Error::Parse { .. }, "wieght");
}

#[test]
fn b17_bad_direction() {
    let t = GOOD_TOML.replace("direction = -1", "direction = 2");
    bad!(io::spec_from_toml(&t), Error::Parse { .. }, "direction");
}

#[test]
fn b18_reversed_goalposts() {
    let t = GOOD_TOML.replace("code = \"c\"\n", "code = \"c\"\ngoalposts = [10.0, 1.0]\n");
    bad!(toml_check(&t), Error::InvalidSpec { .. }, "`c`");
}

#[test]
fn b19_imeta_bad_type() {
    let m = "iCode,iName,Direction,Weight,Parent,Type\na,A,1,1,Index,Indicator\nIndex,I,1,1,,Aggregat\n";
    bad!(
        io::read_imeta(m.as_bytes()),
        Error::Parse { line: Some(3), .. },
        "Aggregat"
    );
}

#[test]
fn b20_imeta_bad_direction() {
    let m = "iCode,iName,Direction,Weight,Parent,Type\na,A,up,1,Index,Indicator\nIndex,I,1,1,,Aggregate\n";
    bad!(
        io::read_imeta(m.as_bytes()),
        Error::Parse { line: Some(2), .. },
        "Direction"
    );
}

#[test]
fn b21_imeta_missing_column() {
    let m = "iName,Direction,Weight,Parent,Type\nA,1,1,Index,Indicator\n";
    let r = io::read_imeta(m.as_bytes());
    assert!(r.is_err());
    assert!(r.unwrap_err().to_string().contains("iCode"));
}

// ------------------------------------------------------------------ data files

#[test]
fn b22_missing_indicator_columns_listed() {
    let d = Dataset::new(vec!["u".into()], vec!["a".into()], array![[1.0]]).unwrap();
    bad!(
        Scorer::new(good_fw()).score(&d),
        Error::MissingColumns { .. },
        "`b`, `c`"
    );
}

#[test]
fn b23_non_numeric_cell() {
    let csv = "uCode,a,b,c\nu0,1,2,3\nu1,4,five,6\n";
    bad!(
        io::read_csv(csv.as_bytes(), &CsvOptions::default()),
        Error::NonNumeric { line: 3, .. },
        "five"
    );
}

#[test]
fn b24_infinite_cell() {
    let csv = "uCode,a,b,c\nu0,1,2,3\nu1,4,Inf,6\n";
    bad!(
        io::read_csv(csv.as_bytes(), &CsvOptions::default()),
        Error::NonFinite { .. },
        "u1"
    );
}

/// A quote opened and never closed reads the rest of the input into one field: the row is short,
/// and the message says a quote may be the cause (it said only "ragged row").
#[test]
fn b25b_unclosed_quote() {
    let csv = "uCode,a,b,c\nu0,1,2,3\nu1,\"4,5,6\nu2,7,8,9\n";
    bad!(
        io::read_csv(csv.as_bytes(), &CsvOptions::default()),
        Error::Parse { line: Some(3), .. },
        "opens a quote"
    );
}

#[test]
fn b25_ragged_row() {
    let csv = "uCode,a,b,c\nu0,1,2,3\nu1,4,6\n";
    bad!(
        io::read_csv(csv.as_bytes(), &CsvOptions::default()),
        Error::Parse { .. },
        "3"
    );
}

#[test]
fn b26_duplicate_unit() {
    let csv = "uCode,a,b,c\nu0,1,2,3\nu0,4,5,6\n";
    bad!(
        io::read_csv(csv.as_bytes(), &CsvOptions::default()),
        Error::DuplicateUnit { .. },
        "u0"
    );
}

#[test]
fn b27_empty_file() {
    assert!(io::read_csv("".as_bytes(), &CsvOptions::default()).is_err());
}

#[test]
fn b28_header_only() {
    bad!(
        io::read_csv("uCode,a\n".as_bytes(), &CsvOptions::default()),
        Error::EmptyData { .. },
        "empty"
    );
}

#[test]
fn b29_idata_without_ucode() {
    let meta = io::read_imeta(
        "iCode,iName,Direction,Weight,Parent,Type\na,A,1,1,Index,Indicator\nIndex,I,1,1,,Aggregate\n"
            .as_bytes(),
    )
    .unwrap();
    let r = io::read_idata("uName,a\nX,1\n".as_bytes(), &meta);
    assert!(r.unwrap_err().to_string().contains("uCode"));
}

#[test]
fn b30_mismatched_unit_count() {
    bad!(
        Dataset::new(vec!["u0".into()], vec!["a".into()], array![[1.0], [2.0]]),
        Error::ShapeMismatch { .. },
        "expected 1, found 2"
    );
}

#[test]
fn b31_infinite_value_through_api() {
    bad!(
        Dataset::new(
            vec!["u0".into()],
            vec!["a".into()],
            array![[f64::NEG_INFINITY]]
        ),
        Error::NonFinite { .. },
        "u0"
    );
}

#[test]
fn b32_mismatched_group_labels() {
    bad!(
        good_data().with_group("region", vec!["N".into()]),
        Error::ShapeMismatch { .. },
        "region"
    );
}

// ------------------------------------------------------------------ numeric edge cases

#[test]
fn b33_constant_column_under_minmax() {
    let d = data(array![[1.0, 2.0, 3.0], [4.0, 2.0, 6.0]]);
    bad!(
        Scorer::new(good_fw()).score(&d),
        Error::ZeroRange { .. },
        "`b`"
    );
}

#[test]
fn b34_all_missing_column() {
    let n = f64::NAN;
    let d = data(array![[1.0, n, 3.0], [4.0, n, 6.0]]);
    bad!(
        Scorer::new(good_fw()).score(&d),
        Error::AllMissing { .. },
        "`b`"
    );
}

#[test]
fn b35_non_positive_under_geometric() {
    // identity keeps the raw 0, which the geometric mean cannot take
    let d = data(array![[1.0, -2.0, 3.0], [0.0, -5.0, 6.0]]);
    let s = Scorer::new(good_fw())
        .normaliser(NormaliserKind::Identity)
        .aggregator(AggregatorKind::Geometric { offset: 0.0 });
    bad!(s.score(&d), Error::NonPositive { .. }, "u1");
}

#[test]
fn b36_unit_with_all_values_missing() {
    let n = f64::NAN;
    let d = data(array![[1.0, 2.0, 3.0], [n, n, n], [4.0, 5.0, 6.0]]);
    bad!(
        Scorer::new(good_fw()).score(&d),
        Error::UnitAllMissing { .. },
        "u1"
    );
}

#[test]
fn b37_overflowing_sum() {
    // b has direction -1: u0 sums 1e308 - 1e308 = 0, u1 sums 1e308 + 1e308 = inf in pillar P
    let d = data(array![[1e308, 1e308, 1e308], [1e308, -1e308, 1e308]]);
    let s = Scorer::new(good_fw())
        .normaliser(NormaliserKind::Identity)
        .aggregator(AggregatorKind::Sum);
    // an aggregate's overflow names the node and the aggregator (it was `NonFinite`, which calls
    // the node an indicator)
    bad!(s.score(&d), Error::AggregateOverflow { .. }, "`u1`");
    let e = s.score(&d).unwrap_err().to_string();
    assert!(e.contains("node `P`") && e.contains("sum"), "{e}");
}

#[test]
fn b38_zscore_needs_two_values() {
    let n = f64::NAN;
    let d = data(array![[1.0, 2.0, 3.0], [4.0, n, 6.0]]);
    let s = Scorer::new(good_fw()).normaliser(NormaliserKind::ZScore { mean: 0.0, sd: 1.0 });
    bad!(s.score(&d), Error::InsufficientData { .. }, "b");
}

#[test]
fn b39_value_above_max_score() {
    let t = GOOD_TOML.replace("code = \"c\"\n", "code = \"c\"\nmax_score = 5.0\n");
    let fw = toml_check(&t).unwrap();
    let s = Scorer::new(fw)
        .normaliser_for("c", NormaliserKind::MaxScore)
        .unwrap();
    bad!(s.score(&good_data()), Error::OutOfRange { .. }, "u1");
}

#[test]
fn b40_single_unit_has_no_range() {
    let d = data(array![[1.0, 2.0, 3.0]]);
    bad!(
        Scorer::new(good_fw()).score(&d),
        Error::ZeroRange { .. },
        "`a`"
    );
}

#[test]
fn b41_missing_value_under_error_policy() {
    let d = data(array![
        [1.0, 2.0, 3.0],
        [4.0, f64::NAN, 6.0],
        [2.0, 3.0, 1.0]
    ]);
    let s = Scorer::new(good_fw()).missing(MissingPolicy::Error);
    bad!(s.score(&d), Error::MissingValue { .. }, "u1");
}

#[test]
fn b42_subnormal_range_still_scores() {
    let tiny = f64::from_bits(1); // the smallest subnormal
    let d = data(array![[0.0, 2.0, 3.0], [tiny, 5.0, 6.0]]);
    let s = Scorer::new(good_fw()).score(&d).unwrap();
    assert_eq!(s.value("u1", "a").unwrap(), 100.0);
}

// ------------------------------------------------------------------ API misuse

#[test]
fn b43_unknown_code_for_normaliser() {
    bad!(
        Scorer::new(good_fw()).normaliser_for("zz", NormaliserKind::Rank),
        Error::UnknownCode { .. },
        "zz"
    );
}

#[test]
fn b44_aggregator_on_an_indicator() {
    bad!(
        Scorer::new(good_fw()).aggregator_for("a", AggregatorKind::Median),
        Error::InvalidSpec { .. },
        "`a`"
    );
}

#[test]
fn b45_explicit_weight_for_unknown_code() {
    let w = WeightScheme::Explicit {
        weights: [("zz".to_string(), 1.0)].into_iter().collect(),
    };
    bad!(
        Scorer::new(good_fw()).weights(w).score(&good_data()),
        Error::UnknownCode { .. },
        "zz"
    );
}

#[test]
fn b46_explicit_negative_weight() {
    let w = WeightScheme::Explicit {
        weights: [("a".to_string(), -1.0)].into_iter().collect(),
    };
    bad!(
        Scorer::new(good_fw()).weights(w).score(&good_data()),
        Error::InvalidWeight { .. },
        "`a`"
    );
}

#[test]
fn b47_bonus_weight_nan() {
    let w = WeightScheme::Bonus {
        base: Box::new(WeightScheme::Equal),
        bonus_weight: f64::NAN,
    };
    bad!(
        Scorer::new(good_fw()).weights(w).score(&good_data()),
        Error::InvalidParameter { .. },
        "bonus_weight"
    );
}

#[test]
fn b48_unknown_normaliser_name() {
    bad!(
        NormaliserKind::from_str("minmux"),
        Error::InvalidParameter { .. },
        "minmux"
    );
}

#[test]
fn b49_bad_power_parameter() {
    bad!(
        AggregatorKind::from_str("power:x"),
        Error::InvalidParameter { .. },
        "power"
    );
}

#[test]
fn b50_unknown_unit_lookup() {
    let s = Scorer::new(good_fw()).score(&good_data()).unwrap();
    bad!(
        s.value("nobody", "Index"),
        Error::UnknownCode { .. },
        "nobody"
    );
    bad!(s.node_values("Nope"), Error::UnknownCode { .. }, "Nope");
}

#[test]
fn b51_group_column_absent() {
    let s = Scorer::new(good_fw()).score(&good_data()).unwrap();
    // an unknown group column, listing the known ones (it was `MissingColumns`, whose message
    // speaks of columns the framework requires)
    bad!(
        s.group_summary("region", "Index"),
        Error::UnknownName { .. },
        "region"
    );
}

// ------------------------------------------------------------------ hardening (data-driven weights, helpers)

#[test]
fn b52_infinite_value_in_data_driven_weights() {
    use composite_indicators::weights::{entropy_weights, std_dev_weights};
    let x = array![[1.0, f64::INFINITY], [2.0, 1.0], [3.0, 0.5]];
    bad!(
        entropy_weights(x.view()),
        Error::NonFinite { .. },
        "column 1"
    );
    bad!(std_dev_weights(x.view()), Error::NonFinite { .. }, "row 0");
}

#[test]
fn b53_overflowing_sd_is_not_a_nan_weight() {
    use composite_indicators::weights::std_dev_weights;
    // the sd of (f64::MAX, −f64::MAX) is √2·f64::MAX = ∞; ∞ / ∞ used to come back as a NaN weight
    let x = array![[f64::MAX, 1.0], [f64::MIN, 2.0]];
    bad!(
        std_dev_weights(x.view()),
        Error::InvalidSpec { .. },
        "column 0"
    );
}

#[test]
fn b54_aggregator_weights_of_wrong_length() {
    use composite_indicators::aggregate::NodeContext;
    let ch: Vec<String> = vec!["x".into(), "y".into()];
    let un: Vec<String> = vec!["A".into()];
    let ctx = NodeContext {
        node: "Pil",
        children: &ch,
        unit_codes: &un,
        missing: MissingPolicy::default(),
    };
    bad!(
        AggregatorKind::Arithmetic.aggregate(array![[1.0, 2.0]].view(), &[1.0], &ctx),
        Error::ShapeMismatch { .. },
        "Pil"
    );
    bad!(
        AggregatorKind::Arithmetic.aggregate(array![[1.0, 2.0]].view(), &[1.0, f64::NAN], &ctx),
        Error::InvalidParameter { .. },
        "`y`"
    );
}

#[test]
fn b55_panel_dimension_criterion_out_of_range() {
    use composite_indicators::study::panel::{Dimension, combine_dimensions};
    let d = Dimension::new("Dim1", vec![0, 7], vec![1.0, 1.0]);
    bad!(
        combine_dimensions(array![[1.0, 2.0]].view(), &[d]),
        Error::InvalidSpec { .. },
        "Dim1"
    );
}

#[test]
fn b56_csv_repeated_column_names_line() {
    bad!(
        io::read_csv("uCode,x,x\nA,1,2\n".as_bytes(), &CsvOptions::default()),
        Error::Parse { .. },
        "line 1"
    );
}

#[test]
fn b57_minmax_range_overflows() {
    // a: 1e308 and −1e308 span 2e308 > f64::MAX; before, every unit came out 0 and u1 NaN (missing)
    let d = data(array![
        [-1e308, 2.0, 3.0],
        [1e308, 5.0, 6.0],
        [0.0, 9.0, 8.0]
    ]);
    bad!(
        Scorer::new(good_fw()).score(&d),
        Error::InvalidSpec { .. },
        "`a`"
    );
    bad!(
        NormaliserKind::MinMax {
            lo: -1e308,
            hi: 1e308
        }
        .check(),
        Error::InvalidParameter { .. },
        "minmax"
    );
}

#[test]
fn b58_sweep_chunk_size_zero_and_too_many_score_bins() {
    use composite_indicators::sweep::{MAX_SCORE_BINS, NodeSelection, SweepConfig, WeightSampler};
    let d = good_data();
    let model = Scorer::new(good_fw()).sweep(&d).unwrap().build().unwrap();
    let mut cfg = SweepConfig::new(
        10,
        1,
        WeightSampler::Uniform {
            spread: 0.2,
            nodes: NodeSelection::All,
        },
    );
    cfg.chunk_size = 0;
    bad!(
        model.sweep(&cfg),
        Error::InvalidParameter { .. },
        "chunk_size"
    );
    cfg.chunk_size = 4;
    // a billion bins per unit would try to allocate gigabytes per chunk
    cfg.score_bins = 1_000_000_000;
    bad!(
        model.sweep(&cfg),
        Error::InvalidParameter { .. },
        "score_bins"
    );
    cfg.score_bins = MAX_SCORE_BINS;
    assert!(model.sweep(&cfg).is_ok());
}
