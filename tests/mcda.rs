//! TOPSIS and PROMETHEE II as aggregators: reference values from pymcdm on the ASEM data, their
//! place in a hierarchical framework, and TOPSIS as a method alternative of a sweep.
//!
//! Reference values: `tests/reference/mcda_pymcdm.py` (pymcdm 1.4.0, numpy 2), run from the repository
//! root; each constant below is pasted from its output, named as the script prints it. Units are in
//! the file order of `data/asem/iData.csv`; the script normalises as the crate's default scorer does
//! (COINr's default: direction applied, min-max to [0, 100] over each indicator's non-missing values)
//! and passes equal weights summing to 1 (pymcdm requires a sum of 1; the crate's weights are
//! relative). pymcdm has no Gaussian preference function: that reference is the script's own numpy
//! implementation of Brans' type VI, `P(d) = 1 − exp(−d² / (2s²))`, with pymcdm's flow formula.

use std::path::Path;

use composite_indicators::aggregate::{NodeContext, PreferenceFunction, TopsisNormalisation};
use composite_indicators::io::{read_idata_path, read_imeta_path};
use composite_indicators::prelude::*;
use composite_indicators::score::{Scorer, ScorerConfig};
use composite_indicators::sweep::{AltSampler, NodeSelection, SweepConfig, WeightSampler};

const NAN: f64 = f64::NAN;

fn asem() -> (Framework, Dataset) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/asem");
    let meta = read_imeta_path(dir.join("iMeta.csv")).unwrap();
    let data = read_idata_path(dir.join("iData.csv"), &meta).unwrap();
    (meta.spec.clone().check().unwrap(), data)
}

/// The values of `node` when it alone is aggregated with `kind` (every other node: arithmetic mean).
fn node_with(node: &str, kind: AggregatorKind, missing: MissingPolicy) -> Vec<f64> {
    let (fw, data) = asem();
    let scores = Scorer::new(fw)
        .missing(missing)
        .aggregator_for(node, kind)
        .unwrap()
        .score(&data)
        .unwrap();
    scores.node_values(node).unwrap().to_vec()
}

/// Equal within a relative 1e-12 (absolute near zero), or both NaN.
fn assert_close(got: &[f64], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        if w.is_nan() {
            assert!(g.is_nan(), "{what}: unit {i}: {g}, want NaN");
        } else {
            assert!(
                (g - w).abs() <= 1e-12 * (1.0 + w.abs()),
                "{what}: unit {i}: {g}, want {w}"
            );
        }
    }
}

fn topsis(normalisation: TopsisNormalisation) -> AggregatorKind {
    AggregatorKind::Topsis { normalisation }
}

fn promethee(preference: PreferenceFunction) -> AggregatorKind {
    AggregatorKind::Promethee { preference }
}

#[test]
fn topsis_matches_pymcdm_in_the_asem_tree() {
    let skip = MissingPolicy::default();
    let y = node_with("Political", topsis(TopsisNormalisation::MinMax), skip);
    assert_close(&y, &POLITICAL_TOPSIS_MINMAX, "TOPSIS min-max");
    let y = node_with("Political", topsis(TopsisNormalisation::Vector), skip);
    assert_close(&y, &POLITICAL_TOPSIS_VECTOR, "TOPSIS vector");
    // the CLI form gives the same method
    let y = node_with("Political", "topsis".parse().unwrap(), skip);
    assert_close(&y, &POLITICAL_TOPSIS_MINMAX, "topsis parsed");
}

#[test]
fn promethee_matches_pymcdm_in_the_asem_tree() {
    let skip = MissingPolicy::default();
    let cases: [(PreferenceFunction, &[f64; 51], &str); 6] = [
        (
            PreferenceFunction::Usual,
            &POLITICAL_PROMETHEE_USUAL,
            "usual",
        ),
        (
            PreferenceFunction::UShape { q: 10.0 },
            &POLITICAL_PROMETHEE_USHAPE_Q10,
            "u-shape",
        ),
        (
            PreferenceFunction::VShape { p: 20.0 },
            &POLITICAL_PROMETHEE_VSHAPE_P20,
            "v-shape",
        ),
        (
            PreferenceFunction::Level { p: 20.0, q: 5.0 },
            &POLITICAL_PROMETHEE_LEVEL_P20_Q5,
            "level",
        ),
        (
            PreferenceFunction::VShapeIndifference { p: 20.0, q: 5.0 },
            &POLITICAL_PROMETHEE_VSHAPE2_P20_Q5,
            "v-shape with indifference",
        ),
        (
            PreferenceFunction::Gaussian { s: 15.0 },
            &POLITICAL_PROMETHEE_GAUSSIAN_S15,
            "gaussian",
        ),
    ];
    for (f, want, what) in cases {
        let y = node_with("Political", promethee(f), skip);
        assert_close(&y, want, what);
        // net flows sum to zero over the units
        assert!(y.iter().sum::<f64>().abs() < 1e-12, "{what}");
    }
}

#[test]
fn unequal_weights_on_raw_values_match_pymcdm() {
    // the aggregators on the raw Political matrix, weights 5 : 3 : 2 (pymcdm: 0.5, 0.3, 0.2)
    let (_, data) = asem();
    let x = data.select(&["Embs", "IGOs", "UNVote"]).unwrap();
    let children: Vec<String> = ["Embs", "IGOs", "UNVote"].map(String::from).to_vec();
    let ctx = NodeContext {
        node: "Political",
        children: &children,
        unit_codes: data.unit_codes(),
        missing: MissingPolicy::default(),
    };
    let w = [5.0, 3.0, 2.0];
    let run = |k: AggregatorKind| k.aggregate(x.view(), &w, &ctx).unwrap().to_vec();
    assert_close(
        &run(topsis(TopsisNormalisation::MinMax)),
        &RAW_TOPSIS_MINMAX_W532,
        "raw TOPSIS min-max",
    );
    assert_close(
        &run(topsis(TopsisNormalisation::Vector)),
        &RAW_TOPSIS_VECTOR_W532,
        "raw TOPSIS vector",
    );
    assert_close(
        &run(promethee(PreferenceFunction::Usual)),
        &RAW_PROMETHEE_USUAL_W532,
        "raw PROMETHEE usual",
    );
}

#[test]
fn propagate_scores_complete_units_only() {
    // Instit has cost indicators and 4 missing values: under Propagate the units with a missing
    // indicator are NaN and the others are compared among themselves (pymcdm on the complete rows)
    let p = MissingPolicy::Propagate;
    let y = node_with("Instit", topsis(TopsisNormalisation::MinMax), p);
    assert_close(&y, &INSTIT_TOPSIS_MINMAX_PROPAGATE, "Instit TOPSIS");
    let y = node_with(
        "Instit",
        promethee(PreferenceFunction::VShape { p: 25.0 }),
        p,
    );
    assert_close(
        &y,
        &INSTIT_PROMETHEE_VSHAPE_P25_PROPAGATE,
        "Instit PROMETHEE",
    );
    assert_eq!(y.iter().filter(|v| v.is_nan()).count(), 4);
}

#[test]
fn whole_tree_with_mcda_at_every_level() {
    // TOPSIS at every aggregate: every node is a closeness in [0, 1]; PROMETHEE II: a net flow in
    // [−1, 1]; both rank the units at every level, with the default Skip policy on the 51 units
    let (fw, data) = asem();
    for kind in [
        topsis(TopsisNormalisation::MinMax),
        promethee(PreferenceFunction::VShape { p: 0.5 }),
    ] {
        let lim = if matches!(kind, AggregatorKind::Topsis { .. }) {
            (0.0, 1.0)
        } else {
            (-1.0, 1.0)
        };
        let cfg = ScorerConfig {
            aggregate: kind.clone(),
            ..ScorerConfig::default()
        };
        let scores = Scorer::from_config(fw.clone(), &cfg)
            .unwrap()
            .score(&data)
            .unwrap();
        let index = scores.index();
        assert!(
            index.iter().all(|v| *v >= lim.0 && *v <= lim.1),
            "{kind}: {index}"
        );
    }
}

#[test]
fn topsis_as_a_sweep_alternative_gives_the_scorers_scores() {
    // alternative 1 of the sweep: the scorer's normalised matrix aggregated by TOPSIS at every node;
    // its nominal variant must be exactly what a Scorer with TOPSIS everywhere computes
    let (fw, data) = asem();
    let kind = topsis(TopsisNormalisation::MinMax);
    let model = Scorer::new(fw.clone())
        .sweep(&data)
        .unwrap()
        .with_aggregators(vec![kind.clone()])
        .unwrap()
        .build()
        .unwrap();
    assert!(
        model
            .alternative_aggregators(1)
            .unwrap()
            .iter()
            .all(|a| a == "topsis")
    );
    let cfg = ScorerConfig {
        aggregate: kind,
        ..ScorerConfig::default()
    };
    let want = Scorer::from_config(fw, &cfg).unwrap().score(&data).unwrap();
    let nominal = model.nominal_weights().to_vec();
    let reference = model.score_index(&nominal, 1).unwrap();
    assert_eq!(reference, want.index().to_vec());
    // the batched kernel (a non-mean node goes through the aggregator, variant by variant)
    let w = ndarray::Array2::from_shape_vec((1, nominal.len()), nominal).unwrap();
    let batch = model.score_batch(w.view(), &[1]).unwrap();
    assert_eq!(batch.row(0).to_vec(), want.index().to_vec());
    // a sweep that always uses alternative 1 at the nominal weights ranks every unit as the scorer
    let mut sweep = SweepConfig::new(3, 7, WeightSampler::Nominal);
    sweep.alternatives = AltSampler::Fixed { alt: 1 };
    let r = model.sweep(&sweep).unwrap();
    for (u, &rank) in want.index_ranks().iter().enumerate() {
        assert_eq!(r.ranks.count(u, rank as usize), 3, "unit {u}");
    }
    // and perturbed weights score through the same path as the reference
    let mut sweep = SweepConfig::new(
        16,
        11,
        WeightSampler::Uniform {
            spread: 0.5,
            nodes: NodeSelection::All,
        },
    );
    sweep.alternatives = AltSampler::Fixed { alt: 1 };
    let r = model.sweep(&sweep).unwrap();
    assert_eq!(r.ranks.n_variants(), 16);
}

mod props {
    //! Invariants of the two methods on random blocks (no reference values needed): ranges, net flows
    //! summing to zero, weights being relative, TOPSIS (min-max) unchanged by a positive affine map of
    //! a child, PROMETHEE II (usual criterion) unchanged by any strictly increasing map of a child,
    //! and both equivariant under a permutation of the units.
    use super::*;
    use ndarray::Array2;
    use proptest::prelude::*;

    fn run(kind: &AggregatorKind, x: &Array2<f64>, w: &[f64]) -> Vec<f64> {
        let children: Vec<String> = (0..x.ncols()).map(|j| format!("c{j}")).collect();
        let units: Vec<String> = (0..x.nrows()).map(|i| format!("u{i}")).collect();
        let ctx = NodeContext {
            node: "P",
            children: &children,
            unit_codes: &units,
            missing: MissingPolicy::default(),
        };
        kind.aggregate(x.view(), w, &ctx).unwrap().to_vec()
    }

    fn kinds() -> Vec<AggregatorKind> {
        [
            "topsis",
            "topsis:vector",
            "promethee",
            "promethee:u_shape:0.1",
            "promethee:v_shape:0.3",
            "promethee:level:0.3:0.1",
            "promethee:v_shape_indifference:0.3:0.1",
            "promethee:gaussian:0.2",
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect()
    }

    fn block() -> impl Strategy<Value = (Array2<f64>, Vec<f64>)> {
        (2usize..9, 1usize..5).prop_flat_map(|(n, m)| {
            (
                proptest::collection::vec(0.0f64..1.0, n * m)
                    .prop_map(move |v| Array2::from_shape_vec((n, m), v).unwrap()),
                proptest::collection::vec(0.05f64..2.0, m),
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn ranges_sums_and_relative_weights((x, w) in block(), c in 0.1f64..10.0) {
            let scaled: Vec<f64> = w.iter().map(|v| v * c).collect();
            for kind in kinds() {
                let y = run(&kind, &x, &w);
                let (lo, hi) = if matches!(kind, AggregatorKind::Topsis { .. }) {
                    (0.0, 1.0)
                } else {
                    prop_assert!(y.iter().sum::<f64>().abs() < 1e-12, "{kind}: {y:?}");
                    (-1.0, 1.0)
                };
                prop_assert!(y.iter().all(|v| *v >= lo - 1e-15 && *v <= hi + 1e-15), "{kind}: {y:?}");
                let z = run(&kind, &x, &scaled);
                for (a, b) in y.iter().zip(&z) {
                    prop_assert!((a - b).abs() < 1e-12, "{kind}: {y:?} vs {z:?}");
                }
            }
        }

        #[test]
        fn transformations_of_one_child((x, w) in block(), a in 0.5f64..20.0, b in -5.0f64..5.0) {
            // TOPSIS min-max: r = (x − min)/(max − min) is unchanged by x ↦ a·x + b, a > 0
            let mut affine = x.clone();
            affine.column_mut(0).mapv_inplace(|v| a * v + b);
            let topsis: AggregatorKind = "topsis".parse().unwrap();
            let (p, q) = (run(&topsis, &x, &w), run(&topsis, &affine, &w));
            for (u, v) in p.iter().zip(&q) {
                prop_assert!((u - v).abs() < 1e-9, "{p:?} vs {q:?}");
            }
            // PROMETHEE II, usual criterion: only the order within a child matters
            let mut monotone = x.clone();
            monotone.column_mut(0).mapv_inplace(|v| (v * a).exp() + v * v * v);
            let usual: AggregatorKind = "promethee".parse().unwrap();
            prop_assert_eq!(run(&usual, &x, &w), run(&usual, &monotone, &w));
        }

        #[test]
        fn permuting_units_permutes_scores((x, w) in block(), seed in 0u64..1000) {
            let n = x.nrows();
            // a rotation by a seed-dependent offset
            let k = (seed as usize) % n;
            let order: Vec<usize> = (0..n).map(|i| (i + k) % n).collect();
            let px = x.select(ndarray::Axis(0), &order);
            for kind in kinds() {
                let y = run(&kind, &x, &w);
                let py = run(&kind, &px, &w);
                for (i, &o) in order.iter().enumerate() {
                    prop_assert!((py[i] - y[o]).abs() < 1e-12, "{kind}: {y:?} vs {py:?}");
                }
            }
        }
    }
}

/// POLITICAL_TOPSIS_MINMAX
const POLITICAL_TOPSIS_MINMAX: [f64; 51] = [
    0.7531905073434858,
    0.7811925585442516,
    0.6467017892064826,
    0.6044789383529212,
    0.4899767471468841,
    0.685850832251128,
    0.7607964067446567,
    0.5398172029656958,
    0.7567220678812486,
    0.8062482094526204,
    0.9369260964670939,
    0.718162371451437,
    0.6926519162196321,
    0.6505242342606922,
    0.8898805038712305,
    0.5316067153165757,
    0.5459797699798202,
    0.5078475371083537,
    0.4511417746580356,
    0.8282642096712527,
    0.7712601262222946,
    0.767940402253019,
    0.71034661397254,
    0.6832707035214656,
    0.6180081197699466,
    0.538006111712131,
    0.8591508287006604,
    0.7910579603841372,
    0.7230931287365644,
    0.7195099005500835,
    0.5228190865480508,
    0.3262142997305384,
    0.2234246841235249,
    0.20420796375818898,
    0.530817585659039,
    0.5135436910759256,
    0.4874879358866326,
    0.7153346746290468,
    0.3511889818025224,
    0.7010037158276462,
    0.172145917412613,
    0.4575891055558699,
    0.2647449065632766,
    0.17720274200822575,
    0.4699968599423619,
    0.4189174732357863,
    0.37237669383359234,
    0.5300516937247197,
    0.33432625147816397,
    0.4675376495305535,
    0.4147636680810266,
];

/// POLITICAL_TOPSIS_VECTOR
const POLITICAL_TOPSIS_VECTOR: [f64; 51] = [
    0.7147543229663148,
    0.7526945534893793,
    0.6088449298590892,
    0.5641975803812586,
    0.4478871387068514,
    0.6408413059519015,
    0.7435382239268393,
    0.5040916025824598,
    0.7467756749390726,
    0.8406470538809078,
    0.9346542734537464,
    0.6767759331690053,
    0.6523123053272009,
    0.6040810706750949,
    0.8752468749581337,
    0.49122328779258934,
    0.5076378943050414,
    0.47292602472692663,
    0.4120770665065582,
    0.8059141374531857,
    0.7519204449625972,
    0.7352233363263411,
    0.6825152503571122,
    0.6474269483229926,
    0.5780666591370264,
    0.5037627002287617,
    0.8429885644540142,
    0.7832374167094622,
    0.6851638498439572,
    0.7524007480005923,
    0.5249065214978529,
    0.31015662394405136,
    0.1883950347530888,
    0.1768920923902874,
    0.5412662098386719,
    0.5295503397518759,
    0.48290763677957393,
    0.6687396844066601,
    0.3194098971151509,
    0.6610532172971272,
    0.1481126703739722,
    0.45466398559161464,
    0.22763946791236267,
    0.1696120398630738,
    0.41773630737447204,
    0.40839526210591015,
    0.3703222453713156,
    0.5663516989370494,
    0.30355128930931224,
    0.44433256056622117,
    0.4010064476452735,
];

/// POLITICAL_PROMETHEE_USUAL
const POLITICAL_PROMETHEE_USUAL: [f64; 51] = [
    0.4133333333333332,
    0.6199999999999999,
    0.21333333333333349,
    0.03333333333333344,
    -0.4066666666666671,
    0.1533333333333332,
    0.4199999999999998,
    -0.05333333333333323,
    0.373333333333333,
    0.5666666666666667,
    0.6866666666666666,
    0.3399999999999998,
    0.1733333333333334,
    0.026666666666666616,
    0.8,
    -0.18666666666666654,
    -0.13999999999999996,
    -0.1666666666666664,
    -0.4666666666666671,
    0.6599999999999999,
    0.5799999999999997,
    0.4133333333333332,
    0.44666666666666643,
    0.1200000000000001,
    0.21333333333333343,
    0.04000000000000026,
    0.7933333333333334,
    0.47999999999999976,
    0.3133333333333333,
    0.5133333333333332,
    -0.11333333333333323,
    -0.5533333333333333,
    -0.7799999999999996,
    -0.7999999999999999,
    -0.04666666666666636,
    -0.03333333333333299,
    -0.2333333333333334,
    0.24666666666666665,
    -0.533333333333333,
    0.18666666666666648,
    -0.8866666666666664,
    -0.3466666666666668,
    -0.6933333333333329,
    -0.8066666666666666,
    -0.46666666666666673,
    -0.4600000000000003,
    -0.52,
    0.12000000000000038,
    -0.5333333333333333,
    -0.27999999999999997,
    -0.43999999999999984,
];

/// POLITICAL_PROMETHEE_USHAPE_Q10
const POLITICAL_PROMETHEE_USHAPE_Q10: [f64; 51] = [
    0.44666666666666666,
    0.47333333333333344,
    0.10666666666666658,
    0.01999999999999985,
    -0.2733333333333332,
    0.20666666666666667,
    0.41333333333333344,
    -0.10666666666666672,
    0.39333333333333337,
    0.5333333333333333,
    0.7333333333333333,
    0.31333333333333335,
    0.22666666666666674,
    0.11999999999999997,
    0.6866666666666665,
    -0.14666666666666658,
    -0.10666666666666663,
    -0.15333333333333318,
    -0.34666666666666646,
    0.5733333333333334,
    0.44000000000000006,
    0.4600000000000001,
    0.31333333333333335,
    0.21333333333333335,
    0.05999999999999994,
    -0.09333333333333338,
    0.6066666666666667,
    0.44666666666666677,
    0.34666666666666673,
    0.4466666666666665,
    -0.0733333333333333,
    -0.5533333333333336,
    -0.7399999999999998,
    -0.7600000000000001,
    -0.013333333333332975,
    -0.01999999999999963,
    -0.17333333333333334,
    0.3466666666666666,
    -0.5466666666666666,
    0.22,
    -0.8266666666666664,
    -0.26,
    -0.6933333333333334,
    -0.8133333333333334,
    -0.3466666666666667,
    -0.3933333333333334,
    -0.5199999999999999,
    0.09333333333333355,
    -0.5733333333333333,
    -0.30000000000000016,
    -0.4066666666666666,
];

/// POLITICAL_PROMETHEE_VSHAPE_P20
const POLITICAL_PROMETHEE_VSHAPE_P20: [f64; 51] = [
    0.4135050228392877,
    0.4916681766405091,
    0.13667884403049102,
    0.01719653856778597,
    -0.2783016086519965,
    0.19844881259365849,
    0.40752946978437143,
    -0.09441422314573333,
    0.38615737647908116,
    0.5347548827646098,
    0.7200299066640282,
    0.31159657455695455,
    0.22474085514231773,
    0.11613543206538424,
    0.6866814053420324,
    -0.14850566491483452,
    -0.10567400088434936,
    -0.15440721905327093,
    -0.33833048379132924,
    0.5723078911986429,
    0.4635689369234735,
    0.4360640577795401,
    0.32777136198515366,
    0.19554483873301623,
    0.08276955870330738,
    -0.07023389008961506,
    0.6427403189372254,
    0.4530722356029348,
    0.3172227772919496,
    0.44506104498979693,
    -0.09335975708030042,
    -0.5607687035628522,
    -0.747568632984619,
    -0.7668697717658255,
    -0.012781288221148934,
    -0.040397581208339584,
    -0.19572234077218226,
    0.3197232963793477,
    -0.53920496298802,
    0.22839086265040215,
    -0.8149272176828946,
    -0.2834150804931803,
    -0.689639736382325,
    -0.8161544982001524,
    -0.35765691754974877,
    -0.39164823608485977,
    -0.48290205216514753,
    0.09790724509858739,
    -0.5618080204509726,
    -0.2879659082121431,
    -0.3946099274080471,
];

/// POLITICAL_PROMETHEE_LEVEL_P20_Q5
const POLITICAL_PROMETHEE_LEVEL_P20_Q5: [f64; 51] = [
    0.41,
    0.46999999999999986,
    0.14,
    0.023333333333333317,
    -0.2633333333333333,
    0.18,
    0.4,
    -0.10333333333333333,
    0.3866666666666667,
    0.5133333333333333,
    0.7066666666666667,
    0.3133333333333333,
    0.2300000000000001,
    0.10999999999999993,
    0.6666666666666666,
    -0.14000000000000004,
    -0.08999999999999997,
    -0.14666666666666658,
    -0.31333333333333335,
    0.5533333333333333,
    0.4500000000000001,
    0.41333333333333333,
    0.33,
    0.20000000000000007,
    0.07666666666666655,
    -0.07666666666666666,
    0.6333333333333334,
    0.4599999999999999,
    0.32333333333333325,
    0.41999999999999993,
    -0.09666666666666673,
    -0.5533333333333335,
    -0.7399999999999998,
    -0.7633333333333331,
    -0.016666666666666663,
    -0.05999999999999989,
    -0.18666666666666692,
    0.2866666666666666,
    -0.5366666666666668,
    0.2533333333333333,
    -0.8,
    -0.2900000000000001,
    -0.6799999999999999,
    -0.8133333333333332,
    -0.33666666666666667,
    -0.3633333333333334,
    -0.44666666666666677,
    0.09000000000000002,
    -0.5700000000000001,
    -0.2699999999999999,
    -0.3833333333333335,
];

/// POLITICAL_PROMETHEE_VSHAPE2_P20_Q5
const POLITICAL_PROMETHEE_VSHAPE2_P20_Q5: [f64; 51] = [
    0.4041914685109661,
    0.45862473752711774,
    0.10820857444188106,
    0.021660348133993812,
    -0.23599881119051022,
    0.22365360465782413,
    0.4080624584257174,
    -0.10821762910279184,
    0.3954341496788247,
    0.5257225597355292,
    0.7215008133328228,
    0.29966579744578065,
    0.23306092624234614,
    0.1357951658816005,
    0.6523267861805471,
    -0.13698285924358217,
    -0.09953045592813789,
    -0.15917307805942385,
    -0.3115180404963478,
    0.5595878842329469,
    0.4351141429145994,
    0.4346119699683596,
    0.29638423238391254,
    0.21089104160947528,
    0.051316879352945155,
    -0.09828775902362297,
    0.5998189036444431,
    0.45243883463897167,
    0.31148357521270703,
    0.4246483804608514,
    -0.09547408838215027,
    -0.5643448226806872,
    -0.7401596253373361,
    -0.758342087178663,
    -0.007241931807082602,
    -0.03603239822245935,
    -0.1842791778955704,
    0.34942638311600305,
    -0.5435904646902848,
    0.239053130016887,
    -0.7966852623568323,
    -0.2585099256722625,
    -0.6919961625909742,
    -0.8159272951460622,
    -0.3219908888062508,
    -0.3705968412922237,
    -0.46553038162631066,
    0.083223555268152,
    -0.5667823584843028,
    -0.2873211449468269,
    -0.38139281285450866,
];

/// POLITICAL_PROMETHEE_GAUSSIAN_S15 (numpy, Brans type VI)
const POLITICAL_PROMETHEE_GAUSSIAN_S15: [f64; 51] = [
    0.3693849418362515,
    0.4172842702905538,
    0.12535107016398978,
    0.032168247186901484,
    -0.20304085677290412,
    0.22776834635697082,
    0.37815425860869584,
    -0.09834792862451802,
    0.37400023629603946,
    0.4845758824034809,
    0.6672163989432689,
    0.28885734307106575,
    0.233855840687473,
    0.14604562901894041,
    0.5971488427726122,
    -0.12281468882832008,
    -0.09200265243695824,
    -0.14385118544276973,
    -0.26599696376461224,
    0.5039781917198666,
    0.40197352684532484,
    0.39503388817326074,
    0.27775167320685457,
    0.21271743218762065,
    0.05890033041909359,
    -0.09357447583327097,
    0.550814182692722,
    0.43046910043211994,
    0.2973672064822824,
    0.3549322436597259,
    -0.09990573952333136,
    -0.5353403027785429,
    -0.7212934779778954,
    -0.7263558309665785,
    -0.016839409898589393,
    -0.050024763562904015,
    -0.16818820363736772,
    0.3248705382616602,
    -0.5143172980826454,
    0.2530933274261513,
    -0.763169736907743,
    -0.23582647625474035,
    -0.6720908498331144,
    -0.7819727353641268,
    -0.27396307794823666,
    -0.32551712336523975,
    -0.4063592515544036,
    0.049786689900050404,
    -0.5472747301436776,
    -0.2569475418594781,
    -0.33848433768100833,
];

/// RAW_TOPSIS_MINMAX_W532
const RAW_TOPSIS_MINMAX_W532: [f64; 51] = [
    0.7651602498500822,
    0.7635571814903404,
    0.5746954471783512,
    0.5184782003769985,
    0.34621074079753095,
    0.6999996657597981,
    0.7104950238690204,
    0.3941087216517372,
    0.6902960910674952,
    0.8891349654094941,
    0.954535149386715,
    0.7149276765535374,
    0.6770883362315508,
    0.6184166630218509,
    0.8877106603654639,
    0.39621367043058137,
    0.41583139638408295,
    0.34115314063943575,
    0.28273545059581884,
    0.8245915920650427,
    0.7218817236298312,
    0.7723961103798542,
    0.6459689511860814,
    0.6484678496010361,
    0.5262200925524765,
    0.3815963155928094,
    0.8444147671458583,
    0.7361803965425413,
    0.7139503296881314,
    0.831092970358896,
    0.6280964335517003,
    0.3213506214197979,
    0.1829854718087262,
    0.18448032316852547,
    0.6912058244617887,
    0.6751194848922184,
    0.6079599623545471,
    0.761815678177236,
    0.3947463869460913,
    0.7234653223056501,
    0.1634869886012556,
    0.5443315365882234,
    0.19786736076097022,
    0.25496380129022095,
    0.33403301844480243,
    0.5072754322874937,
    0.4499308416936021,
    0.7015891774765955,
    0.3597571022264412,
    0.5596749351827195,
    0.5442573842369125,
];

/// RAW_TOPSIS_VECTOR_W532
const RAW_TOPSIS_VECTOR_W532: [f64; 51] = [
    0.7312003633340296,
    0.73826147836258,
    0.5334930582606546,
    0.4716709262663479,
    0.2730920804412181,
    0.6604917469332963,
    0.6935892736675389,
    0.33169507334657894,
    0.6783656804550622,
    0.9782671735351371,
    0.9529422006606895,
    0.6780347881212165,
    0.6408593231913385,
    0.5743089827149813,
    0.8752208211245821,
    0.33139627513080566,
    0.3569110082280548,
    0.26658663575394353,
    0.19436995345300515,
    0.8053492386639329,
    0.7028245021601535,
    0.7438259032712926,
    0.6165315961641551,
    0.6152816059477101,
    0.4774786926333405,
    0.3152319435578278,
    0.8305155242040444,
    0.7271161944968686,
    0.6802725222509304,
    0.8957222105279304,
    0.6367024109355678,
    0.30750906352379304,
    0.14310708437856284,
    0.15777974414157406,
    0.7205881772755514,
    0.7126900146952974,
    0.6111078353373212,
    0.7207286385860147,
    0.370615088597281,
    0.6887586455704598,
    0.1415242211698126,
    0.5464322896115684,
    0.14846587867224523,
    0.2534172041158705,
    0.2444697404817503,
    0.5026932013403443,
    0.4522597654722284,
    0.7847313832868904,
    0.33562920926811074,
    0.5434617352956016,
    0.5390104954954777,
];

/// RAW_PROMETHEE_USUAL_W532
#[allow(clippy::approx_constant)] // 0.318 is a net flow (pymcdm), not 1/π
const RAW_PROMETHEE_USUAL_W532: [f64; 51] = [
    0.472,
    0.5700000000000001,
    0.07600000000000001,
    -0.09000000000000002,
    -0.51,
    0.242,
    0.33,
    -0.2400000000000001,
    0.276,
    0.722,
    0.7899999999999999,
    0.35,
    0.192,
    -0.02000000000000013,
    0.788,
    -0.3240000000000002,
    -0.27800000000000014,
    -0.4140000000000001,
    -0.6279999999999999,
    0.666,
    0.45000000000000007,
    0.472,
    0.26599999999999996,
    0.1080000000000001,
    0.031999999999999806,
    -0.20000000000000023,
    0.758,
    0.4039999999999998,
    0.318,
    0.6779999999999999,
    0.014000000000000123,
    -0.55,
    -0.8219999999999995,
    -0.8079999999999998,
    0.23400000000000015,
    0.2180000000000003,
    -0.06599999999999989,
    0.3939999999999999,
    -0.5079999999999999,
    0.2919999999999999,
    -0.8899999999999997,
    -0.2679999999999998,
    -0.7759999999999995,
    -0.7260000000000001,
    -0.5479999999999998,
    -0.3859999999999999,
    -0.4480000000000002,
    0.3720000000000001,
    -0.5279999999999998,
    -0.192,
    -0.26399999999999996,
];

/// INSTIT_TOPSIS_MINMAX_PROPAGATE (NaN = unit with a missing indicator)
const INSTIT_TOPSIS_MINMAX_PROPAGATE: [f64; 51] = [
    0.7203794782401612,
    0.6934325013109267,
    0.7168325751971397,
    0.7136862679833174,
    0.713070119754039,
    0.6788236752112443,
    0.688567439211544,
    0.7181830148629659,
    0.7074269444403459,
    0.6895877018791481,
    0.7170772557212963,
    0.719247493458922,
    0.7155006116115787,
    0.7092906512161746,
    0.7176908165011331,
    0.7138974078751125,
    0.7143289742625129,
    0.720918925262181,
    0.7195462386165645,
    0.6445331523770454,
    0.8542540500669182,
    0.7189894525625299,
    0.7207840321700933,
    0.7079093572287474,
    0.7136284519106771,
    0.705266597026506,
    0.7121991018278434,
    0.6898876334007196,
    0.8450437616440946,
    0.7141599732921349,
    0.5475180035425805,
    NAN,
    0.608903981351211,
    0.47399159149013137,
    0.5168410929160071,
    0.6166350900853138,
    0.6833575819355431,
    0.5487324507445723,
    0.6042339199999021,
    0.6901603820443563,
    0.5529937973857219,
    0.5797042240110682,
    NAN,
    NAN,
    0.5835890644350344,
    0.42077570386526003,
    0.5440566050728166,
    0.5568154725479494,
    0.6278235305537648,
    NAN,
    0.5049432435739902,
];

/// INSTIT_PROMETHEE_VSHAPE_P25_PROPAGATE
const INSTIT_PROMETHEE_VSHAPE_P25_PROPAGATE: [f64; 51] = [
    0.15454346128213575,
    0.10513127347985889,
    0.1180075020995831,
    0.13284310132313842,
    0.08756429540949562,
    0.07274788721244768,
    0.10071275657343304,
    0.14582137613826435,
    0.10126804838334574,
    0.10263079356178428,
    0.13568691351483309,
    0.13767527588727269,
    0.14086093565114904,
    0.060218961099852863,
    0.15421730777758003,
    0.12074975394488026,
    0.12494271794675031,
    0.15553554937955882,
    0.14067025017432275,
    0.03504231624712334,
    0.3657552597677864,
    0.14730950828439893,
    0.15528752735520307,
    0.1267236802628706,
    0.13738862731016843,
    0.12181904473123534,
    0.14404840477899372,
    0.08381541858982017,
    0.3104025543196767,
    0.13538365618265175,
    -0.28623178665943827,
    NAN,
    0.030120743434426056,
    -0.4544841396397301,
    -0.4826975393680458,
    -0.31903971862904024,
    -0.21937113001446037,
    -0.16525994247729794,
    -0.28885808635000143,
    0.17459985131378705,
    -0.3201884419073177,
    -0.14503357501897357,
    NAN,
    NAN,
    -0.10166181943102681,
    -0.47185325685012913,
    -0.3430034755732581,
    -0.3491528210599098,
    0.12264021406822534,
    NAN,
    -0.43532923450742544,
];
