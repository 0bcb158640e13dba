//! Scorer invariants (proptest) and hand-checked end-to-end values.

use composite_indicators::prelude::*;
use composite_indicators::score::Scorer;
use ndarray::Array2;
use proptest::prelude::*;

/// A random framework: `n` indicators spread over `p` pillars under one index, plus data with
/// optional missing values.
fn case() -> impl Strategy<Value = (Framework, Dataset)> {
    (2usize..7, 1usize..4, 3usize..9).prop_flat_map(|(n, p, units)| {
        let p = p.min(n);
        let dirs = proptest::collection::vec(any::<bool>(), n);
        let parents = proptest::collection::vec(0..p, n);
        let weights = proptest::collection::vec(0.1f64..5.0, n + p);
        let vals = proptest::collection::vec(
            prop_oneof![9 => -100.0f64..100.0, 1 => Just(f64::NAN)],
            units * n,
        );
        (Just((n, p, units)), dirs, parents, weights, vals).prop_filter_map(
            "valid framework",
            |((n, p, units), dirs, mut parents, weights, vals)| {
                // every pillar gets at least one child
                for (k, slot) in parents.iter_mut().take(p).enumerate() {
                    *slot = k;
                }
                let mut inds = Vec::new();
                for i in 0..n {
                    let d = if dirs[i] {
                        Direction::Positive
                    } else {
                        Direction::Negative
                    };
                    inds.push(
                        Indicator::new(format!("i{i}"), format!("P{}", parents[i]))
                            .with_direction(d)
                            .with_weight(weights[i]),
                    );
                }
                let mut pillars: Vec<Pillar> = (0..p)
                    .map(|k| {
                        Pillar::new(format!("P{k}"))
                            .with_parent("Index")
                            .with_weight(weights[n + k])
                    })
                    .collect();
                pillars.push(Pillar::new("Index"));
                let fw = FrameworkSpec::new("random", inds, pillars).check().ok()?;
                let mut m = Array2::from_shape_vec((units, n), vals).ok()?;
                // every column gets a non-zero range: rows 0 and 1 become the extremes
                for mut col in m.columns_mut() {
                    let v: Vec<f64> = col.iter().copied().filter(|x| !x.is_nan()).collect();
                    let lo = v.iter().copied().fold(100.0, f64::min);
                    let hi = v.iter().copied().fold(-100.0, f64::max);
                    col[0] = lo - 1.0;
                    col[1] = hi + 1.0;
                }
                // a unit with no data at all is an error by design; give each one value
                for mut row in m.rows_mut() {
                    if row.iter().all(|v| v.is_nan()) {
                        row[0] = 0.0;
                    }
                }
                let d = Dataset::new(
                    (0..units).map(|u| format!("u{u}")).collect(),
                    (0..n).map(|i| format!("i{i}")).collect(),
                    m,
                )
                .ok()?;
                Some((fw, d))
            },
        )
    })
}

fn close(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn permuting_units_permutes_scores((fw, d) in case(), seed in any::<u64>()) {
        let n = d.n_units();
        let mut perm: Vec<usize> = (0..n).collect();
        // deterministic shuffle from the seed
        let mut s = seed | 1;
        for i in (1..n).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            perm.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let dp = d.select_units(&perm).unwrap();
        let a = Scorer::new(fw.clone()).score(&d).unwrap();
        let b = Scorer::new(fw).score(&dp).unwrap();
        for (new_row, &old_row) in perm.iter().enumerate() {
            for k in 0..a.values().ncols() {
                prop_assert!(close(a.values()[[old_row, k]], b.values()[[new_row, k]]));
                let (ra, rb) = (a.ranks()[[old_row, k]], b.ranks()[[new_row, k]]);
                prop_assert!(ra == rb || (ra.is_nan() && rb.is_nan()));
            }
        }
    }

    #[test]
    fn contributions_sum_to_the_index((fw, d) in case()) {
        let s = Scorer::new(fw).score(&d).unwrap();
        let c = s.contributions().unwrap();
        for u in 0..d.n_units() {
            let idx = s.index()[u];
            if !idx.is_nan() {
                prop_assert!(close(c.row(u).sum(), idx));
            }
        }
    }

    #[test]
    fn improving_a_positive_indicator_never_lowers_the_index(
        (fw, d) in case(), unit in 0usize..9, ind in 0usize..7, step in 0.0f64..50.0
    ) {
        let unit = unit % d.n_units();
        let ind = ind % fw.n_indicators();
        let code = fw.indicators()[ind].code.clone();
        let sign = fw.indicators()[ind].direction.sign();
        let mut col = d.column(&code).unwrap().to_owned();
        prop_assume!(!col[unit].is_nan());
        let before = Scorer::new(fw.clone()).score(&d).unwrap().index()[unit];
        col[unit] += sign * step; // "improving" means moving in the indicator's direction
        let mut d2 = d.clone();
        d2.set_column(&code, col.view()).unwrap();
        let after = Scorer::new(fw).score(&d2).unwrap().index()[unit];
        prop_assert!(after >= before - 1e-9, "{before} -> {after}");
    }

    #[test]
    fn spec_serde_round_trip((fw, _d) in case()) {
        let json = serde_json::to_string(fw.spec()).unwrap();
        let back: FrameworkSpec = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&back, fw.spec());
        prop_assert_eq!(back.check().unwrap(), fw);
    }

    #[test]
    fn duplicate_unit_gets_the_same_score((fw, d) in case(), unit in 0usize..9) {
        let unit = unit % d.n_units();
        let mut codes = d.unit_codes().to_vec();
        codes.push("dup".into());
        let mut rows: Vec<usize> = (0..d.n_units()).collect();
        rows.push(unit);
        let m = d.values().select(ndarray::Axis(0), &rows);
        let d2 = Dataset::new(codes, d.columns().to_vec(), m).unwrap();
        let s = Scorer::new(fw).score(&d2).unwrap();
        let n = d.n_units();
        prop_assert!(close(s.index()[unit], s.index()[n]));
        let (r1, r2) = (s.index_ranks()[unit], s.index_ranks()[n]);
        prop_assert!(r1 == r2 || (r1.is_nan() && r2.is_nan()));
    }
}
