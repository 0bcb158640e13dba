//! No panics on user data: seeded random and mutated inputs to every parser, and matrices full of
//! NaN / ±inf / subnormals / ±1e308 / −0.0 to every numeric entry point, each call run under
//! `catch_unwind`. Errors are fine; a panic fails the test and prints the input (seed, case).
//!
//! Crashing inputs found by `cargo fuzz` (see `fuzz/`) are kept at the end as regression tests.

use std::panic::{AssertUnwindSafe, catch_unwind};

mod common;

use composite_indicators::aggregate::{MissingPolicy, NodeContext};
use composite_indicators::audit::{
    self, AuditOptions, CorrMethod, correlation, correlation_matrix, cronbach_alpha,
    pca_variance_explained,
};
use composite_indicators::io::{self, CsvOptions};
use composite_indicators::normalise::{
    ColumnContext, FittedForm, FittedNormaliser, FittedParams, RankScale,
};
use composite_indicators::prelude::*;
use composite_indicators::score::{FittedScorer, Scorer};
use composite_indicators::study::panel::{self, Dimension, PanelAggregate};
use composite_indicators::study::quadrant::{Threshold, classify};
use composite_indicators::study::tiers::{TierMethod, assign_tiers, pillar_tags};
use composite_indicators::weights::{
    PairwiseMatrix, ahp_weights, critic_weights, entropy_weights, pca_weights, std_dev_weights,
};
use ndarray::{Array2, Array3};

// ------------------------------------------------------------------ helpers

/// SplitMix64: a tiny seeded generator, so the inputs are identical on every run and platform.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    /// A value from the nasty list or an ordinary number.
    fn nasty(&mut self, finite_only: bool) -> f64 {
        const SPECIAL: [f64; 12] = [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            5e-324,
            -5e-324,
            2.2e-308,
            1e308,
            -1e308,
            f64::MAX,
            -0.0,
            0.0,
            1.0,
        ];
        if self.chance(0.4) {
            let v = SPECIAL[self.below(SPECIAL.len())];
            if finite_only && v.is_infinite() {
                f64::NAN
            } else {
                v
            }
        } else {
            (self.unit() - 0.3) * 10f64.powi(self.below(7) as i32 - 3)
        }
    }
    fn matrix(&mut self, rows: usize, cols: usize, finite_only: bool) -> Array2<f64> {
        Array2::from_shape_fn((rows, cols), |_| self.nasty(finite_only))
    }
    fn vec(&mut self, n: usize) -> Vec<f64> {
        (0..n).map(|_| self.nasty(false)).collect()
    }
}

/// Run `f`, failing the test with `what` if it panics.
fn no_panic<T>(what: &str, f: impl FnOnce() -> T) {
    if catch_unwind(AssertUnwindSafe(f)).is_err() {
        panic!("panicked on {what}");
    }
}

fn codes(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

const TOML: &str = r#"
name = "toy"
[[indicators]]
code = "a"
parent = "P"
target = 3.0
goalposts = [0.0, 10.0]
max_score = 10.0
[[indicators]]
code = "b"
parent = "P"
direction = -1
bonus = true
[[indicators]]
code = "c"
parent = "Q"
weight = 2.0
[[indicators]]
code = "d"
parent = "Q"
[[pillars]]
code = "P"
parent = "Index"
[[pillars]]
code = "Q"
parent = "Index"
aggregation = { method = "geometric", offset = 1.0 }
[[pillars]]
code = "Index"
"#;

const JSON: &str = r#"{"name": "toy",
 "indicators": [{"code": "a", "parent": "P", "direction": -1, "weight": 2.5, "tags": ["status"],
   "bonus": true, "target": 10.0, "goalposts": [0.0, 100.0], "max_score": 5.0, "denominator": "pop"},
   {"code": "b", "parent": "P"}],
 "pillars": [{"code": "P", "parent": "Index", "weight": 0.5,
   "aggregation": {"method": "power", "p": 0.5}}, {"code": "Index"}]}"#;

fn toy() -> Framework {
    io::spec_from_toml(TOML).unwrap().check().unwrap()
}

// ------------------------------------------------------------------ mutations

const TOKENS: [&[u8]; 16] = [
    b",",
    b"\n",
    b"\r\n",
    b"\"",
    b"NA",
    b"NaN",
    b"inf",
    b"-1e999",
    b"1e308",
    b"-0",
    b"",
    b"=",
    b"[[",
    b"{",
    b"\xff\xfe",
    b"\xe5\x88\x86",
];

/// One random edit of `bytes`: flip, insert a token, delete a range, duplicate a line or truncate.
fn mutate(g: &mut Gen, bytes: &mut Vec<u8>) {
    let len = bytes.len();
    match g.below(6) {
        0 if len > 0 => {
            let i = g.below(len);
            bytes[i] ^= 1 << g.below(8);
        }
        1 => {
            let t = TOKENS[g.below(TOKENS.len())];
            let i = g.below(len + 1);
            bytes.splice(i..i, t.iter().copied());
        }
        2 if len > 0 => {
            let i = g.below(len);
            let j = (i + 1 + g.below(40)).min(len);
            bytes.drain(i..j);
        }
        3 if len > 0 => {
            let i = g.below(len);
            let start = bytes[..i]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
            let end = bytes[i..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(len, |p| i + p + 1);
            let line: Vec<u8> = bytes[start..end].to_vec();
            bytes.splice(end..end, line);
        }
        4 => bytes.truncate(g.below(len + 1)),
        _ => {
            // replace one CSV field / TOML value with a token
            let t = TOKENS[g.below(TOKENS.len())];
            if len > 0 {
                let i = g.below(len);
                let j = bytes[i..]
                    .iter()
                    .position(|&b| b == b',' || b == b'\n')
                    .map_or(len, |p| i + p);
                bytes.splice(i..j, t.iter().copied());
            }
        }
    }
}

fn random_bytes(g: &mut Gen, ascii_csv: bool) -> Vec<u8> {
    let n = g.below(200);
    (0..n)
        .map(|_| {
            if ascii_csv {
                b"uCodeiNameDirectionWeightParentType,\n\"1-.eNA 0x"[g.below(47)]
            } else {
                (g.next() & 0xff) as u8
            }
        })
        .collect()
}

/// Every parser, on `bytes`.
fn parse_all(bytes: &[u8], meta: &io::IMeta, label: &str) {
    let text = String::from_utf8_lossy(bytes);
    no_panic(&format!("spec_from_toml {label}"), || {
        io::spec_from_toml(&text).map(|s| s.check())
    });
    no_panic(&format!("spec_from_json {label}"), || {
        io::spec_from_json(&text).map(|s| s.check())
    });
    no_panic(&format!("read_imeta {label}"), || {
        io::read_imeta(bytes).map(|m| m.spec.check())
    });
    no_panic(&format!("read_idata {label}"), || {
        io::read_idata(bytes, meta)
    });
    no_panic(&format!("read_csv {label}"), || {
        io::read_csv(bytes, &CsvOptions::default())
    });
    no_panic(&format!("read_csv uName {label}"), || {
        io::read_csv(
            bytes,
            &CsvOptions::default()
                .with_name_column("uName")
                .with_group_columns(["GDP_group"]),
        )
    });
    no_panic(&format!("read_cbcii_framework {label}"), || {
        io::datasets::cbcii::read_cbcii_framework(bytes).map(|s| s.check())
    });
    no_panic(&format!("scale_from_json {label}"), || {
        io::scale_from_json(&text)
    });
}

/// A saved scale of every fitted form for the toy framework's columns (JSON seed for mutation).
const SCALE: &str = r#"[
 {"indicator": "a", "direction": 1, "form": {"method": "min_max", "min": 0.0, "max": 2.5, "lo": 0.0, "hi": 100.0}},
 {"indicator": "b", "direction": -1, "form": {"method": "rank", "scale": "percentile", "sorted": [-3.0, -1.0, -1.0]}},
 {"indicator": "c", "direction": 1, "form": {"method": "z_score", "mean": 1.0, "sd": 0.5, "target_mean": 0.0, "target_sd": 1.0}},
 {"indicator": "d", "direction": 1, "form": {"method": "goalposts", "lo": 0.0, "hi": 8.0, "scale": 1.0, "truncate": true}}
]"#;

#[test]
fn parsers_survive_random_bytes() {
    let meta = io::read_imeta_path("data/asem/iMeta.csv").unwrap();
    let mut g = Gen(1);
    for case in 0..150 {
        let ascii = case % 2 == 0;
        let bytes = random_bytes(&mut g, ascii);
        parse_all(&bytes, &meta, &format!("random case {case}: {bytes:?}"));
    }
}

#[test]
fn parsers_survive_mutated_real_files() {
    let meta = io::read_imeta_path("data/asem/iMeta.csv").unwrap();
    let imeta = std::fs::read("data/asem/iMeta.csv").unwrap();
    // the first 12 rows of iData keep the debug-build cost low; the full file is parsed once below
    let idata_full = std::fs::read("data/asem/iData.csv").unwrap();
    let idata: Vec<u8> = idata_full
        .split_inclusive(|&b| b == b'\n')
        .take(12)
        .flatten()
        .copied()
        .collect();
    let cbcii = std::fs::read("data/cbcii/framework.csv").unwrap();
    let seeds: [(&str, &[u8]); 6] = [
        ("iMeta", &imeta),
        ("iData", &idata),
        ("cbcii", &cbcii),
        ("toml", TOML.as_bytes()),
        ("json", JSON.as_bytes()),
        ("scale", SCALE.as_bytes()),
    ];
    parse_all(&idata_full, &meta, "full iData");
    let mut g = Gen(2);
    for (name, seed) in seeds {
        for case in 0..24 {
            let mut b = seed.to_vec();
            let edits = 1 + g.below(4);
            for _ in 0..edits {
                mutate(&mut g, &mut b);
            }
            parse_all(&b, &meta, &format!("mutated {name} case {case}"));
        }
    }
}

// ------------------------------------------------------------------ numeric entry points

fn normalisers() -> Vec<NormaliserKind> {
    let mut v = vec![
        NormaliserKind::MinMax { lo: 0.0, hi: 100.0 },
        NormaliserKind::MinMax {
            lo: -1e308,
            hi: 1e308,
        },
        NormaliserKind::MinMax {
            lo: f64::NAN,
            hi: 1.0,
        },
        NormaliserKind::ZScore { mean: 0.0, sd: 1.0 },
        NormaliserKind::ZScore {
            mean: 1e308,
            sd: 1e308,
        },
        NormaliserKind::Rank,
        NormaliserKind::PercentileRank,
        NormaliserKind::Borda,
        NormaliserKind::DistToMax,
        NormaliserKind::FracMax,
        NormaliserKind::MaxScore,
        NormaliserKind::Identity,
    ];
    for cap_max in [false, true] {
        v.push(NormaliserKind::DistToRef {
            unit: "u0".into(),
            cap_max,
        });
        v.push(NormaliserKind::DistToTarget { cap_max });
    }
    for (scale, truncate) in [
        (1.0, true),
        (100.0, false),
        (f64::INFINITY, true),
        (-1.0, false),
    ] {
        v.push(NormaliserKind::Goalposts { scale, truncate });
    }
    v
}

#[test]
fn normalisers_survive_nasty_columns() {
    let mut g = Gen(3);
    for (k, n) in normalisers().iter().enumerate() {
        for case in 0..24 {
            let len = g.below(7);
            let x = ndarray::Array1::from(g.vec(len));
            let units = codes("u", len);
            let target = g.chance(0.7).then(|| g.nasty(false));
            let gp = [g.nasty(false), g.nasty(false)];
            let gp = g.chance(0.7).then_some(gp);
            let ms = g.chance(0.7).then(|| g.nasty(false));
            let dir = if g.chance(0.5) {
                Direction::Positive
            } else {
                Direction::Negative
            };
            let ctx = ColumnContext::new("x", &units)
                .with_direction(dir)
                .with_target(target)
                .with_goalposts(gp)
                .with_max_score(ms);
            let ylen = g.below(5);
            let y = ndarray::Array1::from(g.vec(ylen));
            let y_units = codes("v", y.len());
            no_panic(&format!("normaliser {n:?} case {case}: x = {x}"), || {
                if let Ok(f) = n.fit(x.view(), &ctx) {
                    // on its own fitting data a normaliser gives finite values or NaN for NaN
                    // (except a z-score asked for a target sd of 1e308, which overflows by request)
                    let huge_target = matches!(n, NormaliserKind::ZScore { sd, .. } if *sd > 1e300);
                    if let (Ok(y), false) = (f.apply(x.view(), &units), huge_target) {
                        for (a, b) in x.iter().zip(&y) {
                            assert!(
                                b.is_finite() || (a.is_nan() && b.is_nan()),
                                "{n:?}: {x} -> {y}"
                            );
                        }
                    }
                    let _ = f.apply(y.view(), &y_units);
                }
            });
            let _ = k;
        }
    }
}

fn aggregators() -> Vec<AggregatorKind> {
    vec![
        AggregatorKind::Arithmetic,
        AggregatorKind::Sum,
        AggregatorKind::Geometric { offset: 0.0 },
        AggregatorKind::Geometric { offset: 1e308 },
        AggregatorKind::Harmonic { offset: 0.0 },
        AggregatorKind::Harmonic { offset: f64::NAN },
        AggregatorKind::Power { p: 0.5 },
        AggregatorKind::Power { p: 3.0 },
        AggregatorKind::Power { p: -2.0 },
        AggregatorKind::Power { p: 0.0 },
        AggregatorKind::Power { p: 1e300 },
        AggregatorKind::Median,
        AggregatorKind::Copeland,
    ]
}

#[test]
fn aggregators_survive_nasty_blocks() {
    let mut g = Gen(4);
    let policies = [
        MissingPolicy::Skip { min_coverage: 0.0 },
        MissingPolicy::Skip { min_coverage: 0.5 },
        MissingPolicy::Skip {
            min_coverage: f64::NAN,
        },
        MissingPolicy::Propagate,
        MissingPolicy::Error,
    ];
    for a in aggregators() {
        for case in 0..24 {
            let (r, c) = (g.below(5), g.below(4));
            let block = g.matrix(r, c, false);
            // weights: mostly sane, sometimes nasty, sometimes the wrong length
            let wlen = if g.chance(0.9) { c } else { g.below(5) };
            let w: Vec<f64> = (0..wlen)
                .map(|_| {
                    if g.chance(0.7) {
                        g.unit() * 3.0
                    } else {
                        g.nasty(false)
                    }
                })
                .collect();
            let children = codes("c", c);
            let units = codes("u", r);
            let missing = policies[g.below(policies.len())];
            let ctx = NodeContext {
                node: "N",
                children: &children,
                unit_codes: &units,
                missing,
            };
            no_panic(
                &format!("aggregator {a:?} case {case}: {block} w {w:?} {missing:?}"),
                || a.aggregate(block.view(), &w, &ctx),
            );
        }
    }
}

#[test]
fn weight_schemes_and_audit_survive_nasty_matrices() {
    let mut g = Gen(5);
    let fw = toy();
    for case in 0..48 {
        let (r, c) = (g.below(6), g.below(5));
        let x = g.matrix(r, c, false);
        let label = format!("case {case}: {x}");
        // weights that come back at all are finite (and, except PCA loadings, non-negative)
        let finite = |w: Result<Vec<f64>>, signed: bool, what: &str| {
            if let Ok(w) = w {
                assert!(
                    w.iter().all(|v| v.is_finite() && (signed || *v >= 0.0)),
                    "{what} {label}: {w:?}"
                );
            }
        };
        no_panic(&format!("entropy {label}"), || {
            finite(entropy_weights(x.view()), false, "entropy")
        });
        no_panic(&format!("critic {label}"), || {
            finite(critic_weights(x.view()), false, "critic")
        });
        no_panic(&format!("std_dev {label}"), || {
            finite(std_dev_weights(x.view()), false, "std_dev")
        });
        no_panic(&format!("pca {label}"), || {
            finite(pca_weights(x.view()), true, "pca")
        });
        no_panic(&format!("correlation_matrix {label}"), || {
            (
                correlation_matrix(x.view(), CorrMethod::Pearson),
                correlation_matrix(x.view(), CorrMethod::Spearman),
            )
        });
        no_panic(&format!("cronbach {label}"), || cronbach_alpha(x.view()));
        no_panic(&format!("pca variance {label}"), || {
            pca_variance_explained(x.view())
        });
        if c >= 2 {
            no_panic(&format!("correlation {label}"), || {
                correlation(x.column(0), x.column(1), CorrMethod::Spearman)
            });
        }
        // AHP on a square matrix, sometimes reciprocal, sometimes nasty
        let k = g.below(5);
        let mut a = Array2::from_elem((k, k), 1.0);
        for i in 0..k {
            for j in i + 1..k {
                let v = if g.chance(0.6) {
                    1.0 + 8.0 * g.unit()
                } else {
                    g.nasty(false)
                };
                a[[i, j]] = v;
                a[[j, i]] = if g.chance(0.8) {
                    1.0 / v
                } else {
                    g.nasty(false)
                };
            }
        }
        no_panic(&format!("ahp {a}"), || ahp_weights(a.view()));
        // whole-framework audit and data-driven node weights on a 4-indicator toy
        let rows = g.below(6);
        let ncols = if g.chance(0.9) { 4 } else { g.below(6) };
        let norm = g.matrix(rows, ncols, false);
        let nodes = g.matrix(rows, fw.nodes().len(), false);
        let opts = AuditOptions {
            method: if g.chance(0.5) {
                CorrMethod::Pearson
            } else {
                CorrMethod::Spearman
            },
            collinear_threshold: g.nasty(false),
        };
        no_panic(&format!("audit {norm}"), || {
            audit::audit(norm.view(), Some(nodes.view()), &fw, &opts)
        });
        for scheme in [
            WeightScheme::Entropy,
            WeightScheme::Critic,
            WeightScheme::StdDev,
            WeightScheme::Pca {
                negative_loadings: composite_indicators::weights::NegativeLoadings::Reject,
            },
            WeightScheme::Pca {
                negative_loadings: composite_indicators::weights::NegativeLoadings::Keep,
            },
        ] {
            no_panic(&format!("{scheme:?} node weights {norm}"), || {
                scheme.node_weights(&fw, Some(norm.view()))
            });
        }
        let wlen = if g.chance(0.7) {
            fw.nodes().len()
        } else {
            g.below(10)
        };
        let nw = g.vec(wlen);
        no_panic(&format!("effective_weights {nw:?}"), || {
            composite_indicators::weights::effective_weights(&fw, &nw)
        });
        let m = PairwiseMatrix {
            children: vec!["a".into(), "b".into()],
            matrix: vec![vec![1.0, g.nasty(false)], vec![g.nasty(false), 1.0]],
        };
        let scheme = WeightScheme::Ahp {
            matrices: [("P".to_string(), m)].into_iter().collect(),
            max_cr: g.nasty(false),
        };
        no_panic(&format!("ahp scheme {scheme:?}"), || {
            scheme.node_weights(&fw, None)
        });
    }
}

#[test]
fn tiers_quadrants_panels_survive_nasty_input() {
    let mut g = Gen(6);
    for case in 0..48 {
        let n = g.below(8);
        let s = g.vec(n);
        let label = format!("case {case}: {s:?}");
        let k = g.below(5);
        let ncuts = g.below(4);
        let cuts = g.vec(ncuts);
        for m in [
            TierMethod::Jenks { k },
            TierMethod::Quantiles { k },
            TierMethod::Thresholds(cuts),
        ] {
            no_panic(&format!("tiers {m:?} {label}"), || assign_tiers(&s, &m));
        }
        let cols = g.below(4);
        let p = g.matrix(n, cols, false);
        let names = codes("p", if g.chance(0.9) { cols } else { g.below(5) });
        no_panic(&format!("pillar_tags {p}"), || {
            pillar_tags(p.view(), &names)
        });
        let ylen = if g.chance(0.9) { n } else { g.below(8) };
        let y = g.vec(ylen);
        for (tx, ty) in [
            (Threshold::Median, Threshold::Mean),
            (Threshold::Fixed(g.nasty(false)), Threshold::Fixed(0.5)),
        ] {
            no_panic(&format!("classify {label} {y:?}"), || {
                classify(&s, &y, tx, ty)
            });
        }
        // panels: experts × units × criteria
        let (e, u, c) = (g.below(4), g.below(4), g.below(4));
        let ratings = Array3::from_shape_fn((e, u, c), |_| g.nasty(false));
        let method = match g.below(4) {
            0 => PanelAggregate::Mean,
            1 => PanelAggregate::Median,
            2 => PanelAggregate::TrimmedMean { share: 0.25 },
            _ => PanelAggregate::TrimmedMean {
                share: g.nasty(false),
            },
        };
        let pl = format!("{method:?} {ratings}");
        no_panic(&format!("aggregate_ratings {pl}"), || {
            panel::aggregate_ratings(ratings.view(), &method)
        });
        no_panic(&format!("rater_counts {pl}"), || {
            panel::rater_counts(ratings.view())
        });
        no_panic(&format!("kendall_w_per_criterion {pl}"), || {
            panel::kendall_w_per_criterion(ratings.view())
        });
        no_panic(&format!("cv {pl}"), || {
            panel::coefficient_of_variation(ratings.view())
        });
        let sc = g.matrix(u, c, false);
        no_panic(&format!("kendall_w {sc}"), || panel::kendall_w(sc.view()));
        // criteria indices may be out of range; weights may be nasty
        let (i1, i2, wd, end) = (g.below(5), g.below(5), g.nasty(false), g.below(6));
        let dims = vec![
            Dimension::new("d1", vec![i1, i2], vec![1.0, wd]),
            Dimension::equal("d2", 0..end),
            Dimension::new("d3", vec![0], vec![]),
        ];
        no_panic(&format!("combine_dimensions {sc} {dims:?}"), || {
            panel::combine_dimensions(sc.view(), &dims)
        });
        let pts = g.matrix(e, c, false);
        no_panic(&format!("budget_weights {pts}"), || {
            panel::budget_weights(pts.view(), &method)
        });
        let target = g.matrix(u, c, false);
        let sd = g.nasty(false);
        let experts = g.below(3);
        no_panic(&format!("synthetic_panel {target} sd {sd}"), || {
            panel::synthetic_panel(target.view(), experts, sd, case)
        });
    }
}

#[test]
fn scorer_survives_nasty_data() {
    let mut g = Gen(7);
    let fw = toy();
    let cols: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
    let weights = [
        WeightScheme::Nominal,
        WeightScheme::Equal,
        WeightScheme::Entropy,
        WeightScheme::Pca {
            negative_loadings: composite_indicators::weights::NegativeLoadings::Reject,
        },
        WeightScheme::Bonus {
            base: Box::new(WeightScheme::Nominal),
            bonus_weight: 0.5,
        },
    ];
    let norms = normalisers();
    let aggs = aggregators();
    for case in 0..64 {
        let n = g.below(6);
        // Dataset rejects infinities: only NaN, subnormals, ±1e308, −0.0 and ordinary numbers here.
        let v = g.matrix(n, 4, true);
        let Ok(data) = Dataset::new(codes("u", n), cols.clone(), v.clone()) else {
            continue;
        };
        let norm = norms[g.below(norms.len())].clone();
        let agg = aggs[g.below(aggs.len())].clone();
        let w = weights[g.below(weights.len())].clone();
        let missing = if g.chance(0.5) {
            MissingPolicy::Skip { min_coverage: 0.0 }
        } else {
            MissingPolicy::Propagate
        };
        let label = format!("case {case}: {norm:?} {agg:?} {w:?} {v}");
        no_panic(&format!("Scorer {label}"), || {
            let scorer = Scorer::new(fw.clone())
                .normaliser(norm)
                .aggregator(agg)
                .weights(w)
                .missing(missing);
            if let Ok(s) = scorer.score(&data) {
                let _ = s.explain("u0");
                let _ = s.tag_index("status");
                let _ = s.tag_index_rescaled("status");
                let _ = s.group_summary("g", "Index");
            }
        });
    }
}

#[test]
fn saved_scales_survive_nasty_parameters() {
    let mut g = Gen(11);
    let fw = toy();
    let cols: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
    let mut accepted = 0;
    for case in 0..96 {
        let params: Vec<FittedParams> = fw
            .indicators()
            .iter()
            .map(|ind| {
                let mut x = || g.nasty(false);
                let form = match case % 9 {
                    0 => FittedForm::MinMax {
                        min: x(),
                        max: x(),
                        lo: x(),
                        hi: x(),
                    },
                    1 => FittedForm::ZScore {
                        mean: x(),
                        sd: x(),
                        target_mean: x(),
                        target_sd: x(),
                    },
                    2 => FittedForm::DistTo {
                        reference: x(),
                        min: x(),
                        cap_max: true,
                    },
                    3 => FittedForm::DistToTarget {
                        target: x(),
                        min: x(),
                        cap_max: false,
                    },
                    4 => FittedForm::FracMax { max: x() },
                    5 => FittedForm::Rank {
                        scale: RankScale::Percentile,
                        sorted: (0..(case % 4)).map(|_| x()).collect(),
                    },
                    6 => FittedForm::Goalposts {
                        lo: x(),
                        hi: x(),
                        scale: x(),
                        truncate: case % 2 == 0,
                    },
                    7 => FittedForm::MaxScore { max: x() },
                    _ => FittedForm::Identity {},
                };
                FittedParams::new(ind.code.clone(), ind.direction, form)
            })
            .collect();
        let n = 1 + g.below(5);
        let v = g.matrix(n, 4, true);
        let column = g.matrix(n, 1, false).column(0).to_owned();
        let label = format!("case {case}: {params:?} {v}");
        no_panic(&format!("saved scale {label}"), || {
            for p in &params {
                // apply succeeds only on parameters that pass the check
                if p.apply(column.view(), &codes("u", n)).is_ok() {
                    assert!(p.check().is_ok(), "{p:?} applied unchecked");
                }
                let _ = io::scale_to_json(std::slice::from_ref(p));
            }
            let Ok(data) = Dataset::new(codes("u", n), cols.clone(), v.clone()) else {
                return;
            };
            if let Ok(f) = FittedScorer::from_params(Scorer::new(fw.clone()), params.clone()) {
                accepted += 1;
                let _ = f.score(&data);
            }
        });
    }
    assert!(accepted > 0, "no case built a scorer");
}

#[test]
fn batch_models_and_method_spaces_survive_nasty_input() {
    use composite_indicators::pipeline::PipelineConfig;
    use composite_indicators::sweep::{
        AltSampler, BatchModel, Bootstrap, GroupInput, MethodChoice, MethodDimension, MethodSpace,
        SobolGroup, SweepConfig, WeightSampler,
    };
    let mut g = Gen(11);
    let fw = common::two_pillars();
    let aggs = aggregators();
    let mut built = 0;
    for case in 0..64 {
        let n = 1 + g.below(5);
        let x0 = g.matrix(n, 3, true);
        let x1 = g.matrix(n, 3, true);
        let k0: Vec<AggregatorKind> = (0..3).map(|_| aggs[g.below(aggs.len())].clone()).collect();
        let k1: Vec<AggregatorKind> = (0..3).map(|_| aggs[g.below(aggs.len())].clone()).collect();
        let w = Array2::from_shape_fn((4, 6), |_| {
            if g.chance(0.8) {
                g.unit() * 2.0
            } else {
                g.nasty(false)
            }
        });
        let label = format!("case {case}: {k0:?} {k1:?} {x0} {x1} {w}");
        no_panic(&format!("BatchModel {label}"), || {
            let Ok(m) = BatchModel::new(fw.clone(), k0, MissingPolicy::default(), None, vec![x0])
                .and_then(|m| m.with_alternative(x1, Some(k1)))
                .and_then(|m| {
                    m.with_method_dimensions(vec![MethodDimension::new("agg", ["0", "1"])])
                })
            else {
                return;
            };
            built += 1;
            let _ = m.score_batch(w.view(), &[0, 1, 1, 0]);
            let mut cfg = SweepConfig::new(
                40,
                3,
                WeightSampler::Uniform {
                    spread: 0.5,
                    nodes: Default::default(),
                },
            );
            cfg.alternatives = AltSampler::Uniform;
            cfg.chunk_size = 16;
            let _ = m.sweep(&cfg);
            let group = SobolGroup::new(
                "agg",
                GroupInput::Method {
                    dimension: "agg".into(),
                    probabilities: vec![],
                },
            );
            let _ = m.sobol(std::slice::from_ref(&group), 8, 1);
            // bootstrap intervals on nasty outputs (NaN targets, zero variance)
            let _ = m.sobol_bootstrap(&[group], 8, 1, &Bootstrap::new(3));
        });
    }
    assert!(
        built >= 16,
        "only {built} of 64 models were built: the cases test too little"
    );
    // method choices at random addresses with random values
    let addresses = [
        "",
        "/",
        "/scorer",
        "/scorer/aggregate",
        "/scorer/normalise/lo",
        "/treat/winmax",
        "/impute",
        "/impute/method/group",
        "/screen/threshold",
        "/x/y",
        "/scorer/weights",
        "~",
        "/treat/~1",
    ];
    let values = [
        serde_json::json!(null),
        serde_json::json!(1e308),
        serde_json::json!(-1),
        serde_json::json!("geometric"),
        serde_json::json!({"method": "power", "p": 1e300}),
        serde_json::json!([1, 2]),
        serde_json::json!({"threshold": 2.0}),
    ];
    let data = Dataset::new(
        codes("u", 3),
        vec!["a".into(), "b".into(), "c".into()],
        ndarray::array![[1.0, 2.0, 3.0], [2.0, f64::NAN, 1.0], [0.0, 5.0, 4.0]],
    )
    .unwrap();
    for case in 0..64 {
        let address = addresses[g.below(addresses.len())];
        let opts: Vec<serde_json::Value> = (0..1 + g.below(3))
            .map(|_| values[g.below(values.len())].clone())
            .collect();
        no_panic(
            &format!("MethodSpace case {case}: {address} {opts:?}"),
            || {
                let space = MethodSpace::new(PipelineConfig::default())
                    .with_choice(MethodChoice::new("c", address, opts));
                if let Ok(space) = space {
                    let _ = space.build(&data, &fw);
                }
            },
        );
    }
}

/// A sweep result read from a damaged file: every array of its histograms and statistics shortened,
/// lengthened or emptied in turn. Each read is an error or a result whose report, merge and quantiles
/// run without panicking; the plain length damage is always an error.
#[test]
fn damaged_sweep_results_are_errors_not_panics() {
    use composite_indicators::sweep::{
        BatchModel, Control, NodeSelection, SweepConfig, SweepResult, WeightSampler,
    };
    let fw = common::two_pillars();
    let x = ndarray::array![[0.1, 0.5, 0.9], [0.4, f64::NAN, 0.2], [0.8, 0.3, 0.6]];
    let m = BatchModel::new(
        fw,
        vec![AggregatorKind::Arithmetic; 3],
        MissingPolicy::default(),
        None,
        vec![x],
    )
    .unwrap();
    let cfg = SweepConfig::new(
        50,
        1,
        WeightSampler::Uniform {
            spread: 0.3,
            nodes: NodeSelection::All,
        },
    );
    let ctl = Control::default();
    let good = m.sweep_with(&cfg, &ctl).unwrap();
    let value = serde_json::to_value(&good).unwrap();
    let arrays = [
        ("ranks", "counts"),
        ("ranks", "missing"),
        ("scores", "shift"),
        ("scores", "n"),
        ("scores", "missing"),
        ("scores", "sum"),
        ("scores", "sum2"),
        ("scores", "bounds"),
        ("scores", "hist"),
    ];
    let mut rejected = 0;
    for (part, field) in arrays {
        for edit in 0..3 {
            let mut v = value.clone();
            let arr = v[part][field].as_array_mut().unwrap();
            match edit {
                0 => {
                    arr.pop();
                }
                1 => arr.push(arr[0].clone()),
                _ => arr.clear(),
            }
            let label = format!("{part}.{field} edit {edit}");
            no_panic(&label, || match serde_json::from_value::<SweepResult>(v) {
                Err(_) => rejected += 1,
                Ok(mut r) => {
                    let _ = r.ua_report();
                    let _ = r.merge(&good);
                    for u in 0..4 {
                        let _ = r.scores.quantile(u, 0.5);
                        let _ = r.ranks.quantile_interpolated(u, 0.5);
                    }
                }
            });
        }
    }
    // bounds may legitimately be shorter (they only bound the histogram); everything else is checked
    assert!(rejected >= 8 * 3, "only {rejected} damaged files rejected");
}

// ------------------------------------------------------------------ fuzz regressions
