//! Shared property checkers, one per family (normalisers, aggregators, scorer). Each takes one
//! concrete input and asserts every invariant of its family that holds for that input, so the
//! proptest drivers in `tests/properties.rs` (and any other test file: `mod common;`) only generate
//! inputs. Each checker returns `false` when the method is legitimately undefined on the input (an
//! expected error), so drivers can count how often the invariants were really exercised.
#![allow(dead_code)]

use composite_indicators::aggregate::{MissingPolicy, NodeContext};
use composite_indicators::normalise::{
    ColumnContext, FittedNormaliser, FittedParams, normalise_column,
};
use composite_indicators::prelude::*;
use composite_indicators::score::{Scorer, Scores};
use ndarray::{Array1, Array2, Axis, aview1, concatenate};

/// Indicators a, b under P and c under Q, under the index I (all weights 1).
pub fn two_pillars() -> Framework {
    FrameworkSpec::new(
        "t",
        vec![
            Indicator::new("a", "P"),
            Indicator::new("b", "P"),
            Indicator::new("c", "Q"),
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

pub fn codes(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

/// Equal, or both NaN.
pub fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

/// Equal to within `rel` relative (plus the same absolute amount near zero), or both NaN.
pub fn close(a: f64, b: f64, rel: f64) -> bool {
    same(a, b) || (a - b).abs() <= rel * (1.0 + a.abs().max(b.abs()))
}

// ------------------------------------------------------------------ normalisers

/// Output range of a method on its fitting data, where the method documents one.
fn documented_range(kind: &NormaliserKind, n_obs: usize) -> Option<(f64, f64)> {
    let n = n_obs as f64;
    match kind {
        NormaliserKind::MinMax { lo, hi } => Some((*lo, *hi)),
        NormaliserKind::Rank => Some((1.0, n)),
        NormaliserKind::PercentileRank | NormaliserKind::DistToMax | NormaliserKind::MaxScore => {
            Some((0.0, 1.0))
        }
        NormaliserKind::Borda => Some((0.0, n - 1.0)),
        NormaliserKind::Goalposts {
            scale,
            truncate: true,
        } => Some((0.0, *scale)),
        NormaliserKind::DistToRef { cap_max: true, .. }
        | NormaliserKind::DistToTarget { cap_max: true } => Some((f64::NEG_INFINITY, 1.0)),
        _ => None,
    }
}

/// Methods that depend on the data only through the order of the values.
pub fn is_rank_based(kind: &NormaliserKind) -> bool {
    matches!(
        kind,
        NormaliserKind::Rank | NormaliserKind::PercentileRank | NormaliserKind::Borda
    )
}

/// The normaliser checker. For one raw column (NaN = missing), direction and method, with target =
/// the best raw value, goalposts `[100, 900]` and max score 1000 in the context:
/// 1. length kept, NaN exactly where the input is NaN;
/// 2. monotone in the raw value: non-decreasing for direction +1, non-increasing for −1;
/// 3. within the method's documented range on its fitting data (min-max `[lo, hi]`, rank `[1, n]`,
///    percentile / dist-to-max / max-score `[0, 1]`, Borda `[0, n − 1]`, truncated goalposts
///    `[0, scale]`, capped distances `≤ 1`), up to 1e-12 relative rounding;
/// 4. fit-then-apply on the same rows equals one-shot `normalise_column`, and fitting on all rows
///    then applying to any subset (here: every other row) gives those rows' one-shot values;
/// 5. rank-based methods: the output is unchanged when the raw column goes through the strictly
///    increasing map `t ↦ t³ + 7t` (an increasing transform of the direction-oriented values);
/// 6. the fitted state is data: `params()` is `Some`, passes `check()`, names the indicator and the
///    direction, survives a JSON round trip unchanged, and the loaded parameters apply exactly as the
///    fitted normaliser does.
///
/// Returns `false` if the method returned one of the errors in `expected` (e.g. a zero range).
pub fn check_normaliser(
    kind: &NormaliserKind,
    raw: &[f64],
    dir: Direction,
    expected: fn(&NormaliserKind, &Error) -> bool,
) -> bool {
    let units = codes("u", raw.len());
    let obs: Vec<f64> = raw.iter().copied().filter(|v| !v.is_nan()).collect();
    let best = if dir == Direction::Positive {
        obs.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    } else {
        obs.iter().copied().fold(f64::INFINITY, f64::min)
    };
    let ctx = ColumnContext::new("IND", &units)
        .with_direction(dir)
        .with_target(Some(best))
        .with_goalposts(Some([100.0, 900.0]))
        .with_max_score(Some(1000.0));
    let y = match normalise_column(kind, aview1(raw), &ctx) {
        Ok(y) => y,
        Err(e) => {
            assert!(
                expected(kind, &e),
                "{kind}: unexpected error {e:?} on {raw:?}"
            );
            return false;
        }
    };
    // 1
    assert_eq!(y.len(), raw.len(), "{kind}: length");
    for (r, v) in raw.iter().zip(&y) {
        assert_eq!(r.is_nan(), v.is_nan(), "{kind}: NaN pattern {raw:?} -> {y}");
    }
    // 2
    for i in 0..raw.len() {
        for j in 0..raw.len() {
            if raw[i].is_nan() || raw[j].is_nan() {
                continue;
            }
            if (raw[i] - raw[j]) * dir.sign() > 0.0 {
                assert!(y[i] >= y[j], "{kind} {dir}: not monotone {raw:?} -> {y}");
            }
        }
    }
    // 3
    if let Some((lo, hi)) = documented_range(kind, obs.len()) {
        let tol = 1e-12 * (1.0 + lo.abs().max(hi.abs()).min(1e300));
        for v in y.iter().filter(|v| !v.is_nan()) {
            assert!(
                *v >= lo - tol && *v <= hi + tol,
                "{kind}: {v} outside [{lo}, {hi}] for {raw:?}"
            );
        }
    }
    // 4
    let x: Array1<f64> = aview1(raw).mapv(|v| v * dir.sign());
    let fitted = kind.fit(x.view(), &ctx).expect("fit succeeded in one shot");
    let again = fitted
        .apply(x.view(), &units)
        .expect("apply on the fitting rows");
    assert!(
        again.iter().zip(&y).all(|(a, b)| same(*a, *b)),
        "{kind}: fit/apply {again} != one-shot {y}"
    );
    let rows: Vec<usize> = (0..raw.len()).step_by(2).collect();
    let sub = x.select(Axis(0), &rows);
    let sub_units: Vec<String> = rows.iter().map(|&r| units[r].clone()).collect();
    let ys = fitted
        .apply(sub.view(), &sub_units)
        .expect("apply on a subset");
    for (k, &r) in rows.iter().enumerate() {
        assert!(same(ys[k], y[r]), "{kind}: subset apply row {r}");
    }
    // 5
    if is_rank_based(kind) {
        let t: Vec<f64> = raw
            .iter()
            .map(|&v| {
                let o = v * dir.sign();
                (o * o * o + 7.0 * o) * dir.sign()
            })
            .collect();
        let yt = normalise_column(kind, aview1(&t), &ctx).expect("rank method on transformed data");
        assert!(
            yt.iter().zip(&y).all(|(a, b)| same(*a, *b)),
            "{kind}: not invariant under an increasing transform: {y} vs {yt}"
        );
    }
    // 6
    let params = fitted
        .params()
        .expect("built-in methods expose their parameters");
    params
        .check()
        .expect("fitted parameters pass their own check");
    assert_eq!((params.indicator.as_str(), params.direction), ("IND", dir));
    let json = serde_json::to_string(&params).expect("parameters serialise");
    let loaded: FittedParams = serde_json::from_str(&json).expect("parameters deserialise");
    assert_eq!(loaded, params, "{kind}: JSON round trip");
    let reloaded = loaded
        .apply(x.view(), &units)
        .expect("loaded parameters apply");
    assert!(
        reloaded.iter().zip(&y).all(|(a, b)| same(*a, *b)),
        "{kind}: loaded parameters give {reloaded}, the fit {y}"
    );
    true
}

// ------------------------------------------------------------------ aggregators

/// Methods whose result is a mean of the available children (bounded by their min and max).
pub fn is_mean(kind: &AggregatorKind) -> bool {
    !matches!(kind, AggregatorKind::Sum | AggregatorKind::Copeland)
}

/// Methods with `f(c·x) = c·f(x)` for `c > 0` (geometric / harmonic only without an offset).
pub fn is_homogeneous(kind: &AggregatorKind) -> bool {
    match kind {
        AggregatorKind::Geometric { offset } | AggregatorKind::Harmonic { offset } => {
            *offset == 0.0
        }
        AggregatorKind::Copeland => false,
        _ => true,
    }
}

fn run(kind: &AggregatorKind, x: &Array2<f64>, w: &[f64]) -> Result<Array1<f64>> {
    let children = codes("c", x.ncols());
    let units = codes("u", x.nrows());
    let ctx = NodeContext {
        node: "N",
        children: &children,
        unit_codes: &units,
        missing: MissingPolicy::Skip { min_coverage: 0.0 },
    };
    kind.aggregate(x.view(), w, &ctx)
}

/// The aggregator checker, on a units × children block (NaN = missing, skipped) with positive
/// weights, `c > 0` a scale factor and `perm` a permutation of the children:
/// 1. means (every method but sum and Copeland) lie within `[min, max]` of the row's available
///    children (1e-12 relative);
/// 2. homogeneity: `f(c·x) = c·f(x)` for every method but Copeland and offset geometric/harmonic
///    (1e-9 relative);
/// 3. permuting children together with their weights changes nothing (1e-12 relative);
/// 4. multiplying every weight by `c` changes nothing, except the sum, which scales by `c`;
/// 5. a row with no available child is NaN.
///
/// Returns `false` if the method rejected the data with `Error::NonPositive` (outside its domain).
pub fn check_aggregator(
    kind: &AggregatorKind,
    x: &Array2<f64>,
    w: &[f64],
    c: f64,
    perm: &[usize],
) -> bool {
    let y = match run(kind, x, w) {
        Ok(y) => y,
        Err(Error::NonPositive { .. }) => return false,
        Err(e) => panic!("{kind}: unexpected error {e:?} on {x} / {w:?}"),
    };
    assert_eq!(y.len(), x.nrows());
    for (u, row) in x.rows().into_iter().enumerate() {
        let avail: Vec<f64> = row.iter().copied().filter(|v| !v.is_nan()).collect();
        if avail.is_empty() {
            assert!(
                y[u].is_nan(),
                "{kind}: row {u} has no child but gives {}",
                y[u]
            );
            continue;
        }
        if is_mean(kind) {
            let lo = avail.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = avail.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let tol = 1e-12 * (1.0 + lo.abs().max(hi.abs()));
            assert!(
                y[u] >= lo - tol && y[u] <= hi + tol,
                "{kind}: row {u} = {} outside [{lo}, {hi}]",
                y[u]
            );
        }
    }
    if is_homogeneous(kind) {
        let ys = run(kind, &x.mapv(|v| v * c), w).expect("scaled block in the same domain");
        for (a, b) in ys.iter().zip(&y) {
            assert!(
                close(*a, b * c, 1e-9),
                "{kind}: f(c·x) = {a} vs c·f(x) = {}",
                b * c
            );
        }
    }
    let xp = x.select(Axis(1), perm);
    let wp: Vec<f64> = perm.iter().map(|&j| w[j]).collect();
    let yp = run(kind, &xp, &wp).expect("permuted block");
    for (a, b) in yp.iter().zip(&y) {
        assert!(
            close(*a, *b, 1e-12),
            "{kind}: permuting children {a} vs {b}"
        );
    }
    let wc: Vec<f64> = w.iter().map(|v| v * c).collect();
    let yw = run(kind, x, &wc).expect("scaled weights");
    let factor = if matches!(kind, AggregatorKind::Sum) {
        c
    } else {
        1.0
    };
    for (a, b) in yw.iter().zip(&y) {
        assert!(
            close(*a, b * factor, 1e-9),
            "{kind}: scaling weights {a} vs {b}"
        );
    }
    true
}

// ------------------------------------------------------------------ scorer

fn with_unit(data: &Dataset, code: &str, row: &[f64]) -> Dataset {
    let extra = Array2::from_shape_vec((1, row.len()), row.to_vec()).expect("one row");
    let values = concatenate(Axis(0), &[data.values().view(), extra.view()]).expect("same width");
    let mut units = data.unit_codes().to_vec();
    units.push(code.to_string());
    Dataset::new(units, data.columns().to_vec(), values).expect("valid dataset")
}

fn assert_rows_equal(a: &Scores, ra: usize, b: &Scores, rb: usize, what: &str) {
    for k in 0..a.values().ncols() {
        let (x, y) = (a.values()[[ra, k]], b.values()[[rb, k]]);
        assert!(close(x, y, 1e-12), "{what}: node {k}: {x} vs {y}");
    }
}

/// Which "new unit" property holds for a scorer configuration (see [`check_scorer`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewUnit {
    /// Min-max normalisation with a row-wise aggregator (anything but Copeland): a unit inside every
    /// indicator's observed range leaves every min and max, hence every other unit's values, unchanged.
    InsideRange,
    /// Rank normalisation, arithmetic aggregation, complete data: a unit worse than everyone on
    /// every indicator shifts every other unit's rank-normalised values by exactly +1 each, so their
    /// index order (and their relative ranks) is unchanged.
    Dominated,
    /// No such property checked.
    None,
}

/// The scorer checker, for one framework, dataset and scorer configuration (`make` builds a fresh
/// scorer), `perm` a permutation of the units:
/// 1. rows of the scores are the rows of the data, same codes, same order;
/// 2. unit-permutation equivariance: scoring the permuted data permutes every node's values (exact
///    up to 1e-12; summation order over units may change the fitted parameters in the last bit);
/// 3. a duplicate of unit 0 (new code) gets unit 0's values at every node, under the duplicated
///    data's fit (rank ties give both the same value);
/// 4. the `new_unit` property (see [`NewUnit`]).
///
/// Returns `false` if scoring failed with an error in `expected`.
pub fn check_scorer(
    data: &Dataset,
    perm: &[usize],
    make: &dyn Fn() -> Scorer,
    new_unit: NewUnit,
    expected: fn(&Error) -> bool,
) -> bool {
    let s = match make().score(data) {
        Ok(s) => s,
        Err(e) => {
            assert!(expected(&e), "unexpected scoring error {e:?}");
            return false;
        }
    };
    // 1
    assert_eq!(s.unit_codes(), data.unit_codes());
    assert_eq!(s.values().nrows(), data.n_units());
    // 2
    let dp = data.select_units(perm).expect("permutation");
    let sp = make().score(&dp).expect("permuted data scores");
    assert_eq!(sp.unit_codes(), dp.unit_codes());
    for (new, &old) in perm.iter().enumerate() {
        assert_rows_equal(&s, old, &sp, new, "permutation");
    }
    // 3
    let row0: Vec<f64> = data.values().row(0).to_vec();
    let dd = with_unit(data, "dup", &row0);
    let sd = make().score(&dd).expect("duplicated data scores");
    assert_rows_equal(&sd, 0, &sd, data.n_units(), "duplicate");
    // 4
    let n = data.n_units();
    match new_unit {
        NewUnit::InsideRange => {
            // the column-wise midpoint of the observed range
            let mid: Vec<f64> = data
                .values()
                .columns()
                .into_iter()
                .map(|c| {
                    let o: Vec<f64> = c.iter().copied().filter(|v| !v.is_nan()).collect();
                    let lo = o.iter().copied().fold(f64::INFINITY, f64::min);
                    let hi = o.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    lo + (hi - lo) / 2.0
                })
                .collect();
            let sn = make()
                .score(&with_unit(data, "new", &mid))
                .expect("with new unit");
            for u in 0..n {
                assert_rows_equal(&s, u, &sn, u, "unit inside the range");
            }
        }
        NewUnit::Dominated => {
            let fw = s.framework();
            let worst: Vec<f64> = data
                .values()
                .columns()
                .into_iter()
                .enumerate()
                .map(|(j, c)| {
                    let sign = fw.indicators()[j].direction.sign();
                    let o = c.iter().map(|v| v * sign).fold(f64::INFINITY, f64::min);
                    (o - 1.0) * sign
                })
                .collect();
            let sn = make()
                .score(&with_unit(data, "worst", &worst))
                .expect("with worst unit");
            let (a, b) = (s.index(), sn.index());
            for i in 0..n {
                for j in 0..n {
                    if a[i] > a[j] + 1e-9 {
                        assert!(b[i] > b[j], "dominated unit reordered {i} and {j}");
                    }
                }
                assert!(b[i] > b[n], "dominated unit not last");
            }
        }
        NewUnit::None => {}
    }
    true
}

// ------------------------------------------------------------------ reference results

/// Assert that a treatment report is COINr's ASEM one (`build_example_coin()`: denominate, impute by
/// `EurAsia_group` mean, screen at 0.9, winsorise with winmax 5): exactly these 15 indicators
/// winsorised, with these units at the high and low ends (1–4 points each), none log-transformed, and
/// every one passing after treatment. The per-unit lists come from an independent Python transcription
/// of COINr's `winsorise()` on the same data.
pub fn assert_coinr_asem_treatment(rep: &composite_indicators::prepare::TreatReport) {
    use composite_indicators::prepare::TreatStatus;
    let expected: Vec<(&str, usize, Vec<&str>, Vec<&str>)> = vec![
        ("Flights", 1, vec!["MLT"], vec![]),
        ("Bord", 3, vec!["BEL", "LUX", "SGP"], vec![]),
        ("Gas", 3, vec!["BRN", "MMR", "NOR"], vec![]),
        ("Services", 4, vec!["IRL", "LUX", "MLT", "SGP"], vec![]),
        ("FDI", 2, vec!["KHM", "MNG"], vec![]),
        ("ForPort", 3, vec!["IRL", "LUX", "MLT"], vec![]),
        ("CostImpEx", 1, vec!["PAK"], vec![]),
        ("Tariff", 3, vec!["BGD", "KHM", "PAK"], vec![]),
        ("StMob", 2, vec!["CYP", "LUX"], vec![]),
        ("CultServ", 3, vec!["ESP", "LUX", "MLT"], vec![]),
        ("Forest", 2, vec!["KHM", "PRT"], vec![]),
        ("Poverty", 3, vec!["BGD", "IND", "LAO"], vec![]),
        ("NGOs", 3, vec!["BEL", "CHE", "LUX"], vec![]),
        ("FemLab", 1, vec![], vec!["PAK"]),
        ("PubDebt", 1, vec!["JPN"], vec![]),
    ];
    let wins = rep.winsorised();
    assert_eq!(wins.len(), 15);
    assert_eq!(wins.len(), expected.len());
    assert!(rep.log_transformed().is_empty());
    for ((code, n, hi, lo), o) in expected.iter().zip(&wins) {
        assert_eq!(&o.indicator, code);
        let TreatStatus::Winsorised { n: got, high, low } = &o.status else {
            panic!("{code}: {:?}", o.status)
        };
        assert_eq!(got, n, "{code}");
        assert_eq!(high, hi, "{code}");
        assert_eq!(low, lo, "{code}");
        assert!(o.passes_after, "{code}");
        assert!((1..=4).contains(n));
    }
}
