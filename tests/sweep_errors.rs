//! Typed errors of the sweep: every kind of bad input gets its own variant and the field at fault.

use std::ops::Bound;

use composite_indicators::error::Expected;
use composite_indicators::pipeline::PipelineConfig;
use composite_indicators::sweep::bench_support::{min_max_columns, synthetic};
use composite_indicators::sweep::*;
use composite_indicators::{AggregatorKind, Error, MissingPolicy};
use serde_json::json;

/// 6 units, 13 indicators in 5 sub-pillars and 2 pillars, `alts` alternatives.
fn model(alts: usize) -> BatchModel {
    let (fw, x) = synthetic(6, 13, 5, 2, 3).unwrap();
    let n_agg = fw.nodes().len() - fw.n_indicators();
    let mats = (0..alts)
        .map(|a| min_max_columns(&x.mapv(|v| v.powf(1.0 + a as f64 * 0.5))))
        .collect();
    BatchModel::new(
        fw,
        vec![AggregatorKind::Arithmetic; n_agg],
        MissingPolicy::default(),
        None,
        mats,
    )
    .unwrap()
}

fn sampler_err(m: &BatchModel, w: WeightSampler, a: AltSampler) -> Error {
    VariantSampler::new(m, &w, &a, 0).unwrap_err()
}

fn invalid(e: &Error) -> (&str, &str, &Expected) {
    match e {
        Error::InvalidParameter {
            parameter,
            value,
            expected,
        } => (parameter.as_str(), value.as_str(), expected),
        other => panic!("not InvalidParameter: {other:?}"),
    }
}

#[test]
fn spread_out_of_range_is_a_closed_range() {
    let m = model(1);
    for spread in [1.5, -0.1, f64::NAN] {
        let e = sampler_err(
            &m,
            WeightSampler::Uniform {
                spread,
                nodes: NodeSelection::All,
            },
            AltSampler::default(),
        );
        let (p, v, x) = invalid(&e);
        assert_eq!(p, "spread");
        assert_eq!(v, spread.to_string());
        assert_eq!(
            *x,
            Expected::InRange {
                lo: Bound::Included(0.0),
                hi: Bound::Included(1.0)
            }
        );
    }
}

#[test]
fn concentration_must_be_positive() {
    let m = model(1);
    let e = sampler_err(
        &m,
        WeightSampler::Dirichlet {
            concentration: 0.0,
            nodes: NodeSelection::All,
        },
        AltSampler::default(),
    );
    assert_eq!(invalid(&e), ("concentration", "0", &Expected::Positive));
}

#[test]
fn node_selections_name_the_level_or_the_root() {
    let m = model(1);
    let root = m.framework().nodes()[m.framework().root_index()]
        .code
        .clone();
    let e = sampler_err(
        &m,
        WeightSampler::Uniform {
            spread: 0.1,
            nodes: NodeSelection::Levels { levels: vec![4] },
        },
        AltSampler::default(),
    );
    let (p, v, x) = invalid(&e);
    assert_eq!((p, v), ("nodes", "level 4"));
    assert!(
        matches!(x, Expected::Rule(r) if r.contains("1..=3")),
        "{x:?}"
    );
    let e = sampler_err(
        &m,
        WeightSampler::Uniform {
            spread: 0.1,
            nodes: NodeSelection::Codes {
                codes: vec![root.clone()],
            },
        },
        AltSampler::default(),
    );
    let (p, v, x) = invalid(&e);
    assert_eq!((p, v), ("nodes", format!("`{root}`").as_str()));
    assert!(
        matches!(x, Expected::Rule(r) if r.contains("is the root")),
        "{x:?}"
    );
}

#[test]
fn alternatives_out_of_range_and_bad_probabilities() {
    let m = model(2);
    let e = sampler_err(&m, WeightSampler::Nominal, AltSampler::Fixed { alt: 5 });
    assert!(
        matches!(&e, Error::IndexOutOfRange { what, index: 5, len: 2 } if what == "alternative"),
        "{e:?}"
    );
    let e = sampler_err(
        &m,
        WeightSampler::Nominal,
        AltSampler::Probabilities {
            probabilities: vec![1.0, -2.0],
        },
    );
    assert_eq!(invalid(&e), ("probabilities", "-2", &Expected::NonNegative));
    let e = sampler_err(
        &m,
        WeightSampler::Nominal,
        AltSampler::Probabilities {
            probabilities: vec![0.0, 0.0],
        },
    );
    let (p, v, x) = invalid(&e);
    assert_eq!((p, v), ("probabilities", "sum 0"));
    assert!(
        matches!(x, Expected::Rule(r) if r.contains("positive sum")),
        "{x:?}"
    );
}

#[test]
fn a_list_variant_beyond_the_list_is_an_index_error() {
    let m = model(1);
    let n = m.n_nodes();
    let s = VariantSampler::new(
        &m,
        &WeightSampler::List {
            weights: vec![vec![1.0; n]],
        },
        &AltSampler::default(),
        0,
    )
    .unwrap();
    let e = s.sample(3).unwrap_err();
    assert!(
        matches!(
            &e,
            Error::IndexOutOfRange {
                index: 3,
                len: 1,
                ..
            }
        ),
        "{e:?}"
    );
    let cfg = SweepConfig::new(
        2,
        0,
        WeightSampler::List {
            weights: vec![vec![1.0; n]],
        },
    );
    let e = m.sweep(&cfg).unwrap_err();
    assert_eq!(invalid(&e).0, "variants");
    assert_eq!(invalid(&e).1, "2");
}

#[test]
fn sweep_settings_name_the_setting() {
    let m = model(1);
    let cfg = SweepConfig::new(10, 0, WeightSampler::Nominal);
    let e = m.sweep(&cfg.clone().with_chunk_size(0)).unwrap_err();
    assert_eq!(invalid(&e), ("chunk_size", "0", &Expected::at_least(1.0)));
    let e = m
        .sweep(&cfg.clone().with_score_bins(usize::MAX))
        .unwrap_err();
    assert_eq!(invalid(&e).0, "score_bins");
    assert_eq!(invalid(&e).1, usize::MAX.to_string());
    let e = m.sweep_range(&cfg, 5..12).unwrap_err();
    let (p, v, x) = invalid(&e);
    assert_eq!((p, v), ("range", "5..12"));
    assert!(
        matches!(x, Expected::Rule(r) if r.contains("10 variants")),
        "{x:?}"
    );
}

#[test]
fn the_config_fingerprint_is_pinned() {
    // FNV-1a of the samplers' JSON, K and the bins (recomputed by hand from the JSON texts); saved
    // sweeps compare it, so it must not move
    let m = model(1);
    let cfg = SweepConfig::new(
        20,
        7,
        WeightSampler::Uniform {
            spread: 0.25,
            nodes: NodeSelection::All,
        },
    );
    let r = m.sweep(&cfg).unwrap();
    let fp = r.fingerprint.unwrap();
    assert_eq!(fp.config, PINNED_CONFIG_HASH);
}

const PINNED_CONFIG_HASH: &str = "7c23386f8be4c8b4";

#[test]
fn score_statistics_that_differ_do_not_merge() {
    let mut a = ScoreStats::new(vec![0.0; 2], vec![(0.0, 1.0); 2], 4);
    let b = ScoreStats::new(vec![0.0; 3], vec![(0.0, 1.0); 3], 4);
    let before = a.clone();
    let e = a.merge(&b).unwrap_err();
    assert!(
        matches!(&e, Error::SweepMerge { reason } if reason.contains("score statistics")),
        "{e:?}"
    );
    assert_eq!(a, before);
}

#[test]
fn a_saved_non_finite_shift_is_refused() {
    let s = ScoreStats::new(vec![1.0, 2.0], vec![(0.0, 3.0); 2], 0);
    let mut v = serde_json::to_value(&s).unwrap();
    v["shift"][1] = serde_json::Value::Null; // NaN
    let e = serde_json::from_value::<ScoreStats>(v).unwrap_err();
    assert!(
        e.to_string()
            .contains("invalid parameter `score statistics: shift of unit 1` = NaN"),
        "{e}"
    );
}

#[test]
fn a_rank_histogram_too_large_to_count_names_the_units() {
    let e = RankHistogram::try_new(usize::MAX).unwrap_err();
    assert_eq!(invalid(&e).0, "units");
}

#[test]
fn sobol_groups_use_the_typed_variants() {
    let m = model(1);
    let w = |name: &str, codes: &[&str]| {
        SobolGroup::new(
            name,
            GroupInput::Weights {
                nodes: NodeSelection::Codes {
                    codes: codes.iter().map(|c| c.to_string()).collect(),
                },
                spread: 0.2,
                triangular: false,
            },
        )
    };
    let code = |k: usize| m.framework().nodes()[k].code.clone();
    let (c0, c1) = (code(0), code(1));
    // a node in two groups
    let e = m
        .sobol(&[w("a", &[&c0]), w("b", &[&c1, &c0])], 8, 1)
        .unwrap_err();
    assert!(
        matches!(&e, Error::NamedTwice { what, name } if what.contains("`b`") && *name == c0),
        "{e:?}"
    );
    // a group that selects nothing
    let e = m.sobol(&[w("none", &[])], 8, 1).unwrap_err();
    let (p, _, x) = invalid(&e);
    assert!(p.contains("`none`"), "{p}");
    assert_eq!(*x, Expected::NonEmpty);
    // spread checked per group
    let bad = SobolGroup::new(
        "s",
        GroupInput::Weights {
            nodes: NodeSelection::All,
            spread: 2.0,
            triangular: false,
        },
    );
    assert_eq!(invalid(&m.sobol(&[bad], 8, 1).unwrap_err()).0, "spread");
    // two alternative groups
    let alt = |n: &str| {
        SobolGroup::new(
            n,
            GroupInput::Alternative {
                choice: AltSampler::Uniform,
            },
        )
    };
    let e = m.sobol(&[alt("x"), alt("y")], 8, 1).unwrap_err();
    assert!(
        matches!(&e, Error::Incompatible { what, .. } if what.contains("`y`")),
        "{e:?}"
    );
    // too few base rows
    let e = m.sobol(&[w("a", &[&c0])], 1, 1).unwrap_err();
    assert_eq!(invalid(&e), ("n", "1", &Expected::at_least(2.0)));
}

#[test]
fn saltelli_checks_groups_and_sizes() {
    let f =
        |u: ndarray::ArrayView2<'_, f64>| -> composite_indicators::Result<ndarray::Array2<f64>> {
            Ok(u.to_owned())
        };
    let ctl = Control::default();
    let e = saltelli(&[], &[], &["y".into()], 16, 1, 8, &ctl, f).unwrap_err();
    assert_eq!(invalid(&e), ("groups", "", &Expected::NonEmpty));
    let e = saltelli(&["g".into()], &[0], &["y".into()], 16, 1, 8, &ctl, f).unwrap_err();
    assert_eq!(
        invalid(&e),
        ("inputs of group `g`", "0", &Expected::at_least(1.0))
    );
    let e = saltelli(&["g".into()], &[1], &["y".into()], 16, 1, 0, &ctl, f).unwrap_err();
    assert_eq!(invalid(&e), ("chunk_size", "0", &Expected::at_least(1.0)));
}

#[test]
fn synthetic_names_the_count_at_fault() {
    assert_eq!(
        invalid(&synthetic(0, 4, 2, 1, 0).unwrap_err()),
        ("units", "0", &Expected::at_least(1.0))
    );
    assert_eq!(
        invalid(&synthetic(3, 4, 2, 0, 0).unwrap_err()),
        ("pillars", "0", &Expected::at_least(1.0))
    );
    assert_eq!(
        invalid(&synthetic(3, 4, 5, 1, 0).unwrap_err()).0,
        "subpillars"
    );
}

#[test]
fn method_space_errors_are_typed() {
    let space = MethodSpace::new(PipelineConfig::coinr_example());
    let choice = || MethodChoice::new("t", "/treat/winmax", vec![json!(5), json!(2)]);
    let e = space
        .clone()
        .with_choice(MethodChoice::new(" ", "/treat/winmax", vec![json!(5)]))
        .unwrap_err();
    assert_eq!(invalid(&e).0, "method choice");
    assert_eq!(*invalid(&e).2, Expected::NonEmpty);
    let once = space.clone().with_choice(choice()).unwrap();
    let e = once.clone().with_choice(choice()).unwrap_err();
    assert!(
        matches!(&e, Error::NamedTwice { what, name } if what == "method choice" && name == "t"),
        "{e:?}"
    );
    let e = space
        .clone()
        .with_choice(MethodChoice::new("t", "/treat/winmax", vec![]))
        .unwrap_err();
    assert_eq!(*invalid(&e).2, Expected::NonEmpty);
    let e = space
        .clone()
        .with_choice(choice().with_labels(["x"]))
        .unwrap_err();
    assert!(
        matches!(
            &e,
            Error::ShapeMismatch {
                expected: 2,
                found: 1,
                ..
            }
        ),
        "{e:?}"
    );
    let e = once.levels(2).unwrap_err();
    assert!(
        matches!(&e, Error::IndexOutOfRange { what, index: 2, len: 2 } if what == "alternative"),
        "{e:?}"
    );
    let e = space
        .clone()
        .with_choice(MethodChoice::new(
            "w",
            "/scorer/weights",
            vec![json!({"scheme": "equal"})],
        ))
        .unwrap_err();
    assert_eq!(invalid(&e).1, "`/scorer/weights`");
}

/// A sweep of no variants is an error naming `variants` (it used to give an empty result, and an
/// empty report), while an empty shard of a sweep is still a valid, mergeable part.
#[test]
fn zero_variants_is_an_error_but_an_empty_shard_is_not() {
    let m = model(1);
    let cfg = SweepConfig::new(0, 1, WeightSampler::Nominal);
    let e = m.sweep(&cfg).unwrap_err();
    let (name, _, expected) = invalid(&e);
    assert_eq!(name, "variants");
    assert_eq!(expected, &Expected::at_least(1.0));
    let cfg = SweepConfig::new(10, 1, WeightSampler::Nominal);
    let part = m.sweep_range(&cfg, 4..4).unwrap();
    assert_eq!(part.ranks.n_variants(), 0);
}
