//! Numeric robustness: cancellation in long weighted sums, weights spanning 24 orders of magnitude,
//! means over a million units, and the size of the whole pipeline at 10⁶ units.
//!
//! What is guaranteed (and tested here):
//! * the arithmetic mean and the weighted sum use compensated (Neumaier) summation, so children that
//!   cancel (`1, 1e100, 1, −1e100`) do not wipe out the small terms;
//! * the arithmetic mean of a row lies within `[min, max]` of its available children exactly (no
//!   tolerance), whatever the weights (1e-12 … 1e12 here);
//! * exact contributions still add up to the index to 1e-9 relative under such weights;
//! * `effective_weights` sum to 1 (1e-12) under such weights;
//! * z-score means and standard deviations over 10⁶ values offset by 1e8 are accurate to the f64
//!   spacing at the offset (two-pass mean with a refinement step, two-pass variance).

use composite_indicators::aggregate::{MissingPolicy, NodeContext};
use composite_indicators::normalise::{ColumnContext, normalise_column};
use composite_indicators::prelude::*;
use composite_indicators::score::Scorer;
use composite_indicators::weights::effective_weights;
use ndarray::{Array1, Array2, array};
use std::collections::BTreeMap;

fn codes(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

fn aggregate(kind: &AggregatorKind, x: &Array2<f64>, w: &[f64]) -> Array1<f64> {
    let children = codes("c", x.ncols());
    let units = codes("u", x.nrows());
    let ctx = NodeContext {
        node: "N",
        children: &children,
        unit_codes: &units,
        missing: MissingPolicy::Skip { min_coverage: 0.0 },
    };
    kind.aggregate(x.view(), w, &ctx).unwrap()
}

/// SplitMix64 in `[0, 1)`.
struct Gen(u64);
impl Gen {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[test]
fn cancelling_children_keep_the_small_terms() {
    // naive left-to-right: ((1 + 1e100) + 1) − 1e100 = 0; exact: 2
    let x = array![[1.0, 1e100, 1.0, -1e100]];
    let w = [1.0; 4];
    assert_eq!(aggregate(&AggregatorKind::Sum, &x, &w)[0], 2.0);
    assert_eq!(aggregate(&AggregatorKind::Arithmetic, &x, &w)[0], 0.5);
    // many small terms after a large one: 1e16 + 1 + 1 + … (1000 ones) − 1e16 = 1000
    let mut row = vec![1e16];
    row.extend(std::iter::repeat_n(1.0, 1000));
    row.push(-1e16);
    let n = row.len();
    let x = Array2::from_shape_vec((1, n), row).unwrap();
    assert_eq!(
        aggregate(&AggregatorKind::Sum, &x, &vec![1.0; n])[0],
        1000.0
    );
}

#[test]
fn extreme_weights_keep_the_mean_within_its_children() {
    let mut g = Gen(11);
    for case in 0..200 {
        let c = 2 + case % 7;
        let w: Vec<f64> = (0..c).map(|_| 10f64.powf(24.0 * g.unit() - 12.0)).collect();
        let scale = 10f64.powf(12.0 * g.unit() - 6.0);
        let x = Array2::from_shape_fn((4, c), |(u, _)| {
            if u == 0 {
                // all children equal: the mean must be exactly that value
                0.1 * scale
            } else {
                (g.unit() - 0.5) * scale
            }
        });
        let y = aggregate(&AggregatorKind::Arithmetic, &x, &w);
        for (u, row) in x.rows().into_iter().enumerate() {
            let lo = row.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            assert!(
                lo <= y[u] && y[u] <= hi,
                "case {case} row {u}: {} outside [{lo}, {hi}] with weights {w:?}",
                y[u]
            );
        }
        assert_eq!(y[0], 0.1 * scale, "case {case}: mean of equal children");
    }
}

/// Framework: 6 indicators in 2 pillars (3 + 3) under one index.
fn six() -> Framework {
    let inds = (0..6)
        .map(|i| Indicator::new(format!("i{i}"), if i < 3 { "P" } else { "Q" }))
        .collect();
    FrameworkSpec::new(
        "six",
        inds,
        vec![
            Pillar::new("P").with_parent("I"),
            Pillar::new("Q").with_parent("I"),
            Pillar::new("I"),
        ],
    )
    .check()
    .unwrap()
}

#[test]
fn extreme_weights_contributions_still_sum_to_the_index() {
    let mut g = Gen(12);
    let fw = six();
    for case in 0..20 {
        let mut weights = BTreeMap::new();
        for code in ["i0", "i1", "i2", "i3", "i4", "i5", "P", "Q"] {
            weights.insert(code.to_string(), 10f64.powf(24.0 * g.unit() - 12.0));
        }
        let values = Array2::from_shape_fn((8, 6), |(u, j)| {
            if u == 0 || u == 1 {
                // extremes for non-zero ranges
                if (u + j) % 2 == 0 { 0.0 } else { 1.0 }
            } else {
                g.unit()
            }
        });
        let d = Dataset::new(codes("u", 8), codes("i", 6), values).unwrap();
        let s = Scorer::new(fw.clone())
            .weights(WeightScheme::Explicit {
                weights: weights.clone(),
            })
            .score(&d)
            .unwrap();
        let c = s.contributions().expect("linear aggregation");
        for u in 0..8 {
            let idx = s.index()[u];
            let total: f64 = c.row(u).sum();
            assert!(
                (total - idx).abs() <= 1e-9 * idx.abs().max(1e-300),
                "case {case} unit {u}: contributions {total} vs index {idx}"
            );
            // the index is a mean of the pillars, which are means of normalised values in [0, 100]
            assert!((0.0..=100.0).contains(&idx), "case {case}: index {idx}");
        }
        let node_w = s.node_weights();
        let eff = effective_weights(&fw, node_w);
        let sum: f64 = eff.iter().sum();
        assert!(
            (sum - 1.0).abs() <= 1e-12,
            "case {case}: effective weights sum {sum}"
        );
        assert!(eff.iter().all(|&e| e >= 0.0));
    }
}

#[test]
fn zscore_of_a_million_offset_values_is_accurate() {
    // x_i = 1e8 + 0.1·(i mod 10): mean 1e8 + 0.45, population variance 0.0825, sample variance
    // 0.0825·n/(n−1)
    let n = 1_000_000usize;
    let x = Array1::from_iter((0..n).map(|i| 1e8 + 0.1 * (i % 10) as f64));
    let units = codes("u", n);
    let ctx = ColumnContext::new("x", &units);
    let z = normalise_column(
        &NormaliserKind::ZScore { mean: 0.0, sd: 1.0 },
        x.view(),
        &ctx,
    )
    .unwrap();
    let sd = (0.0825 * n as f64 / (n as f64 - 1.0)).sqrt();
    for i in 0..10 {
        // the inputs themselves carry a rounding error of up to 1e8·2^-53 ≈ 1.5e-8 (relative to sd ≈ 0.29:
        // 5e-8), so compare to 1e-7
        let want = (0.1 * i as f64 - 0.45) / sd;
        assert!(
            (z[i] - want).abs() < 1e-7,
            "residue {i}: {} vs {want}",
            z[i]
        );
    }
    // the fitted mean 1e8 + 0.45 is itself an f64 with spacing 1.5e-8 there, so the z-scores can
    // be off by up to ~2.6e-8 (= 7.5e-9 / sd) as a whole; a naive one-pass mean would be off by ~1e-5
    let mean_z = z.sum() / n as f64;
    assert!(mean_z.abs() < 1e-7, "mean of z-scores {mean_z}");
}

/// 10⁶ units × 3 indicators, min-max then arithmetic mean. Ignored by default: about 11 s of CPU in
/// a debug build (building 10⁶ unit codes, fitting, aggregating and ranking every node); run it with
/// `cargo test --test numeric -- --ignored` (or in release). Values are `(i·k mod 1000)/10`, so every
/// result is known.
#[test]
#[ignore = "about 11 s in a debug build; run with --ignored"]
fn a_million_units_minmax_arithmetic() {
    let n = 1_000_000usize;
    let fw = FrameworkSpec::new(
        "big",
        vec![
            Indicator::new("a", "I"),
            Indicator::new("b", "I"),
            Indicator::new("c", "I").with_direction(Direction::Negative),
        ],
        vec![Pillar::new("I")],
    )
    .check()
    .unwrap();
    let v = Array2::from_shape_fn((n, 3), |(i, j)| ((i * (j + 1)) % 1000) as f64 / 10.0);
    let d = Dataset::new(codes("u", n), vec!["a".into(), "b".into(), "c".into()], v).unwrap();
    let s = Scorer::new(fw).score(&d).unwrap();
    assert_eq!(s.unit_codes().len(), n);
    // a and c span [0, 99.9] (i and 3i run through every residue mod 1000), b only the even
    // residues, [0, 99.8]; min-max to [0, 100] then divides by those ranges
    for i in [0usize, 1, 499, 998, 999, 123_456, n - 1] {
        let a = (i % 1000) as f64 / 999.0 * 100.0;
        let b = ((2 * i) % 1000) as f64 / 998.0 * 100.0;
        let c = 100.0 - ((3 * i) % 1000) as f64 / 999.0 * 100.0;
        let want = (a + b + c) / 3.0;
        let got = s.index()[i];
        assert!(
            (got - want).abs() < 1e-12 * 100.0,
            "unit {i}: {got} vs {want}"
        );
    }
    assert!(s.index().iter().all(|v| (0.0..=100.0).contains(v)));
}

#[test]
fn data_driven_weights_do_not_overflow_near_f64_max() {
    use composite_indicators::weights::{entropy_weights, std_dev_weights};
    // column 0 is uniform: no information, weight 0, even though its sum overflows f64
    let w = entropy_weights(array![[1e308, 1.0], [1e308, 3.0]].view()).unwrap();
    assert_eq!(w, vec![0.0, 1.0]);
    // sds of 1e307 and 2e307 (each finite) sum beyond f64::MAX only if not rescaled first
    let x = array![[0.0, 0.0], [1e308, 1.7e308]];
    let w = std_dev_weights(x.view()).unwrap();
    assert!(
        (w[0] - 1.0 / 2.7).abs() < 1e-12 && (w[1] - 1.7 / 2.7).abs() < 1e-12,
        "{w:?}"
    );
}
