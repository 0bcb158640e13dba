//! Sweeps at scale: bounded-memory (binned) rank summaries checked against exact histograms, their
//! exact shard merges and fingerprints, and the automatic choice from the memory budget.

use composite_indicators::sweep::bench_support::{min_max_columns, synthetic};
use composite_indicators::sweep::*;
use composite_indicators::{AggregatorKind, Error, MissingPolicy};

/// `units` units, 6 indicators; with `general`, a second alternative drawn uniformly forces the
/// general chunk path; `missing_every > 0` blanks some values (missing scores, unranked units).
fn model(units: usize, general: bool, missing_every: usize) -> BatchModel {
    let (fw, raw) = synthetic(units, 6, 3, 2, 5).unwrap();
    let mut x = min_max_columns(&raw);
    if missing_every > 0 {
        for u in (0..units).step_by(missing_every) {
            x[[u, u % 6]] = f64::NAN;
        }
    }
    let n_agg = fw.nodes().len() - fw.n_indicators();
    let alts = if general {
        vec![x.clone(), x.mapv(|v| v * v)]
    } else {
        vec![x]
    };
    BatchModel::new(
        fw,
        vec![AggregatorKind::Arithmetic; n_agg],
        MissingPolicy::Propagate,
        None,
        alts,
    )
    .unwrap()
}

fn config(k: usize, general: bool) -> SweepConfig {
    let c = SweepConfig::new(
        k,
        23,
        WeightSampler::Uniform {
            spread: 0.8,
            nodes: NodeSelection::All,
        },
    );
    if general {
        c.with_alternatives(AltSampler::Uniform)
    } else {
        c
    }
}

/// The binned summary's stated error bound, unit by unit, against the exact histogram of the same
/// sweep: bin counts are sums of exact counts, type-1 quantiles lie within one bin width below the
/// exact ones, interpolated (UA) quantiles within one bin width on either side, means and mean
/// shifts within half a width, everything else equal.
fn check_binned_against_exact(exact: &SweepResult, binned: &SweepResult, w: usize) {
    let n = exact.ranks.n_units();
    let (e, b) = (&exact.ranks, &binned.ranks);
    assert!(e.is_exact());
    assert_eq!((b.bin_width(), b.n_bins()), (w, n.div_ceil(w)));
    assert_eq!(e.n_variants(), b.n_variants());
    assert_eq!(exact.nominal_ranks, binned.nominal_ranks);
    for u in 0..n {
        assert_eq!(e.n_missing(u), b.n_missing(u));
        let exact_counts = e.unit_counts(u);
        let bin_counts = b.unit_counts(u);
        assert_eq!(bin_counts.len(), n.div_ceil(w));
        for (i, &c) in bin_counts.iter().enumerate() {
            let sum: u64 = exact_counts[i * w..((i + 1) * w).min(n)].iter().sum();
            assert_eq!(c, sum, "unit {u} bin {i}");
        }
        for q in [0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0] {
            match (e.quantile(u, q), b.quantile(u, q)) {
                (Some(x), Some(y)) => {
                    assert!(y <= x && x - y < w as u32, "unit {u} q {q}: {y} vs {x}")
                }
                (x, y) => assert_eq!(x, y),
            }
            // the interpolated quantiles read a bin's counts as spread over its ranks: within one
            // bin of the exact value, on either side
            match (e.quantile_interpolated(u, q), b.quantile_interpolated(u, q)) {
                (Some(x), Some(y)) => {
                    assert!((x - y).abs() < w as f64, "unit {u} q {q}: {y} vs {x}")
                }
                (x, y) => assert_eq!(x, y),
            }
        }
        match (e.mean(u), b.mean(u)) {
            (Some(x), Some(y)) => assert!((x - y).abs() <= (w - 1) as f64 / 2.0 + 1e-9),
            (x, y) => assert_eq!(x, y),
        }
        if let Some(r) = exact.nominal_ranks[u] {
            let (x, y) = (e.mean_abs_shift(u, r), b.mean_abs_shift(u, r));
            assert!((x.unwrap() - y.unwrap()).abs() <= (w - 1) as f64 / 2.0 + 1e-9);
        }
    }
    // reading a bin's counts as spread over its ranks is unbiased where the ranks are: the mean
    // error of the medians is far below the (w - 1)/2 of taking each bin's smallest rank
    if w >= 4 {
        let err: f64 = (0..n)
            .filter_map(|u| {
                Some((e.quantile_interpolated(u, 0.5)? - b.quantile_interpolated(u, 0.5)?).abs())
            })
            .sum::<f64>()
            / n as f64;
        assert!(
            err < 0.25 * (w - 1) as f64,
            "w = {w}: mean median error {err}"
        );
    }
    let (ue, ub) = (exact.ua_report(), binned.ua_report());
    assert_eq!(ue.rows.len(), ub.rows.len());
    for (re, rb) in ue.rows.iter().zip(&ub.rows) {
        assert_eq!(
            (re.nominal_rank, re.n_missing),
            (rb.nominal_rank, rb.n_missing)
        );
        for (x, y) in [
            (re.q05_rank, rb.q05_rank),
            (re.median_rank, rb.median_rank),
            (re.q95_rank, rb.q95_rank),
        ] {
            if let (Some(x), Some(y)) = (x, y) {
                assert!((x - y).abs() < w as f64, "{}: {y} vs {x}", re.unit);
            } else {
                assert_eq!(x, y);
            }
        }
    }
}

#[test]
fn binned_summaries_are_within_one_bin_of_exact_histograms() {
    // fast path above the deferred-count threshold, fast path with counts per variant, the general
    // path, and missing scores (unranked units)
    for (units, general, missing) in [
        (300, false, 0),
        (120, false, 0),
        (90, true, 0),
        (80, true, 7),
    ] {
        let m = model(units, general, missing);
        for bins in [7, 16, 64] {
            let cfg = config(600, general).with_chunk_size(256);
            let exact = m.sweep(&cfg).unwrap();
            let binned = m.sweep(&cfg.clone().with_rank_bins(bins)).unwrap();
            check_binned_against_exact(&exact, &binned, units.div_ceil(bins));
        }
    }
}

#[test]
fn binned_shards_merge_into_the_whole_run() {
    for general in [false, true] {
        let m = model(300, general, 0);
        let cfg = config(500, general).with_chunk_size(64).with_rank_bins(10);
        let whole = m.sweep(&cfg).unwrap();
        assert_eq!(whole.ranks.bin_width(), 30);
        let mut merged = m.sweep_range(&cfg, 350..500).unwrap();
        for r in [0..100, 200..350, 100..200] {
            merged.merge(&m.sweep_range(&cfg, r).unwrap()).unwrap();
        }
        assert_eq!(merged, whole);
        assert_eq!(
            serde_json::to_string(&merged).unwrap(),
            serde_json::to_string(&whole).unwrap()
        );
        // the JSON form reads back to the same binned result
        let back: SweepResult =
            serde_json::from_str(&serde_json::to_string(&whole).unwrap()).unwrap();
        assert_eq!(back, whole);
    }
}

#[test]
fn results_with_different_summaries_do_not_merge() {
    let m = model(100, false, 0);
    let cfg = config(100, false);
    let mut exact = m.sweep_range(&cfg, 0..50).unwrap();
    let binned = m
        .sweep_range(&cfg.clone().with_rank_bins(10), 50..100)
        .unwrap();
    let coarser = m
        .sweep_range(&cfg.clone().with_rank_bins(5), 50..100)
        .unwrap();
    assert!(matches!(
        exact.merge(&binned),
        Err(Error::SweepMerge { .. })
    ));
    let mut b = m
        .sweep_range(&cfg.clone().with_rank_bins(10), 0..50)
        .unwrap();
    assert!(matches!(b.merge(&coarser), Err(Error::SweepMerge { .. })));
    b.merge(&binned).unwrap();
    // as many bins as units is the exact histogram, with the exact fingerprint
    let fine = m
        .sweep_range(&cfg.clone().with_rank_bins(100), 50..100)
        .unwrap();
    exact.merge(&fine).unwrap();
    assert_eq!(exact, m.sweep(&cfg).unwrap());
    assert!(m.sweep(&cfg.clone().with_rank_bins(0)).is_err());
}

#[test]
fn auto_keeps_exact_histograms_when_they_fit_and_bins_otherwise() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    pool.install(|| {
        for general in [false, true] {
            let m = model(400, general, 0);
            let cfg = config(300, general);
            let exact = m.sweep(&cfg).unwrap();
            let auto = m
                .sweep(&cfg.clone().with_rank_summary(RankSummary::Auto))
                .unwrap();
            assert_eq!(auto, exact);
            assert_eq!(
                serde_json::to_string(&auto).unwrap(),
                serde_json::to_string(&exact).unwrap()
            );
            // what the exact sweep needs; 1 MB less cannot hold its three 1.28 MB histograms
            let Err(Error::MemoryBudget { needed, .. }) =
                m.sweep(&cfg.clone().with_memory_budget(1))
            else {
                panic!("expected a budget error");
            };
            let budget = needed - 1_000_000;
            let err = m
                .sweep(&cfg.clone().with_memory_budget(budget))
                .unwrap_err();
            assert!(
                matches!(&err, Error::MemoryBudget { hint, .. } if hint.contains("binned rank summary")),
                "{err}"
            );
            let auto = m
                .sweep(
                    &cfg.clone()
                        .with_memory_budget(budget)
                        .with_rank_summary(RankSummary::Auto),
                )
                .unwrap();
            let w = auto.ranks.bin_width();
            assert!(w > 1 && w < 400, "width {w}");
            check_binned_against_exact(&exact, &auto, w);
        }
    });
}

/// `Auto` never bins finer than `AUTO_RANK_BINS` bins per unit: with 3,000 units and a budget just
/// below the exact sweep's need, the narrowest width that fits is 2, but the floor
/// `⌈3000 / 1024⌉ = 3` wins; the binned result keeps the stated bound against the exact one.
#[test]
fn auto_bins_no_finer_than_auto_rank_bins() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    pool.install(|| {
        let m = model(3000, false, 0);
        let cfg = config(8, false);
        let Err(Error::MemoryBudget { needed, .. }) = m.sweep(&cfg.clone().with_memory_budget(1))
        else {
            panic!("expected a budget error");
        };
        let auto = m
            .sweep(
                &cfg.clone()
                    .with_memory_budget(needed - 1)
                    .with_rank_summary(RankSummary::Auto),
            )
            .unwrap();
        // width 2 fits the same budget, so the floor, not the budget, chose 3
        let two = m
            .sweep(
                &cfg.clone()
                    .with_memory_budget(needed - 1)
                    .with_rank_summary(RankSummary::Binned { bins: 1500 }),
            )
            .unwrap();
        assert_eq!(two.ranks.bin_width(), 2);
        assert_eq!(auto.ranks.bin_width(), 3000usize.div_ceil(AUTO_RANK_BINS));
        assert_eq!(auto.ranks.bin_width(), 3);
        let exact = m.sweep(&cfg).unwrap();
        check_binned_against_exact(&exact, &auto, 3);
    });
}

/// `Auto` keeps at most `AUTO_RANK_CELLS` rank counters per histogram, whatever the budget: 11,585
/// units (11,585² < 2²⁷) stay exact; 12,000 units (above it) are binned although the exact sweep
/// (about 2 GB) fits a 64 GiB budget, with the `AUTO_RANK_BINS` floor (`⌈12000 / 1024⌉ = 12`). (From
/// 131,073 units on the cap is the tighter bound, e.g. 671 bins per unit at 200,000 units.)
#[test]
fn auto_keeps_at_most_auto_rank_cells_counters() {
    let big = 64u64 << 30;
    for (units, width) in [(11_585, 1), (12_000, 12)] {
        let m = model(units, false, 0);
        let cfg = config(2, false)
            .with_memory_budget(big)
            .with_rank_summary(RankSummary::Auto);
        let r = m.sweep(&cfg).unwrap();
        assert_eq!(r.ranks.bin_width(), width, "{units} units");
        let cap = units.div_ceil((AUTO_RANK_CELLS / units).max(1));
        let floor = units.div_ceil(AUTO_RANK_BINS);
        assert_eq!(
            r.ranks.bin_width(),
            if units * units <= AUTO_RANK_CELLS {
                1
            } else {
                cap.max(floor)
            }
        );
        assert!(units * r.ranks.n_bins() <= AUTO_RANK_CELLS);
    }
}
