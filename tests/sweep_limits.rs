//! Sweep limits and merges: memory budgets (typed errors, never an abort), bounded memory on the
//! general path (measured with a counting allocator), checked accessors, and exact merges of any
//! split of a sweep.
//!
//! The tests of this file share one counting allocator, so they take its lock (`counting_alloc::serial`) to run one at a time.

use std::sync::atomic::Ordering;

use composite_indicators::sweep::bench_support::{arithmetic_model, min_max_columns, synthetic};
use composite_indicators::sweep::*;
use composite_indicators::{AggregatorKind, Error, MissingPolicy};

#[path = "common/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::{LIVE, PEAK, serial};

fn reset_peak() -> usize {
    let now = LIVE.load(Ordering::SeqCst);
    PEAK.store(now, Ordering::SeqCst);
    now
}

/// `units` units, a balanced tree of 6 indicators; with `general`, a second identical alternative
/// drawn uniformly forces the general chunk path.
fn model(units: usize, general: bool) -> BatchModel {
    let (fw, raw) = synthetic(units, 6, 3, 2, 5).unwrap();
    let x = min_max_columns(&raw);
    let n_agg = fw.nodes().len() - fw.n_indicators();
    let alts = if general { vec![x.clone(), x] } else { vec![x] };
    BatchModel::new(
        fw,
        vec![AggregatorKind::Arithmetic; n_agg],
        MissingPolicy::default(),
        None,
        alts,
    )
    .unwrap()
}

fn config(k: usize, general: bool) -> SweepConfig {
    let mut c = SweepConfig::new(
        k,
        17,
        WeightSampler::Uniform {
            spread: 0.6,
            nodes: NodeSelection::All,
        },
    );
    if general {
        c.alternatives = AltSampler::Uniform;
    }
    c
}

/// One Sobol group: ±20 % uniform noise on every weight.
fn all_weights_group() -> Vec<SobolGroup> {
    vec![SobolGroup::new(
        "all",
        GroupInput::Weights {
            nodes: NodeSelection::All,
            spread: 0.2,
            triangular: false,
        },
    )]
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

// ------------------------------------------------------------------ memory budget

/// 100 000 units would need 80 GB of rank counts per histogram: a typed error before anything large
/// is allocated (the old code aborted with "memory allocation of 80000000000 bytes failed").
#[test]
fn hundred_thousand_units_is_a_budget_error_not_an_abort() {
    let _g = serial();
    let m = model(100_000, false);
    let before = reset_peak();
    let err = m.sweep(&config(10, false)).unwrap_err();
    let peak = PEAK.load(Ordering::SeqCst) - before;
    match &err {
        Error::MemoryBudget {
            needed,
            budget,
            hint,
            ..
        } => {
            // 100 000² × 8 bytes for the result's histogram alone
            assert!(*needed >= 80_000_000_000, "{needed}");
            assert!(needed > budget);
            assert!(hint.contains("fewer units"), "{hint}");
        }
        other => panic!("expected MemoryBudget, got {other:?}"),
    }
    assert!(err.to_string().contains("memory budget"), "{err}");
    // nothing near a histogram was allocated (the model itself holds 100 000 × 6 values)
    assert!(peak < 50_000_000, "peak {peak} bytes");
    // a fixed budget the same way
    let err = m
        .sweep(&config(10, false).with_memory_budget(1 << 35))
        .unwrap_err();
    assert!(matches!(err, Error::MemoryBudget { budget, .. } if budget == 1 << 35));
}

/// The budget is checked on every path and names the knob that dominates; a sufficient budget runs.
#[test]
fn small_budgets_give_typed_errors_naming_the_knob() {
    let _g = serial();
    for general in [false, true] {
        let m = model(300, general);
        // 300² × 8 = 720 000 bytes per histogram: 100 kB cannot hold one
        let err = m
            .sweep(&config(50, general).with_memory_budget(100_000))
            .unwrap_err();
        let Error::MemoryBudget { needed, hint, .. } = &err else {
            panic!("{err:?}");
        };
        assert!(*needed > 720_000, "{needed}");
        assert!(hint.contains("fewer units"), "{hint}");
        let ok = m
            .sweep(&config(50, general).with_memory_budget(1 << 30))
            .unwrap();
        assert_eq!(ok.ranks.n_variants(), 50);
    }
    // score bins dominate: 20 units, 65 536 bins → 20 × 65 538 × 8 bytes per accumulator
    let m = model(20, true);
    let mut cfg = config(10, true).with_memory_budget(2_000_000);
    cfg.score_bins = MAX_SCORE_BINS;
    let err = m.sweep(&cfg).unwrap_err();
    assert!(
        matches!(&err, Error::MemoryBudget { hint, .. } if hint.starts_with("to reduce it: lower score_bins")),
        "{err}"
    );
    // chunk buffers dominate: 2 000 units, chunks of 100 000 variants on the general path
    let m = model(2_000, true);
    let mut cfg = config(100_000, true).with_memory_budget(1 << 30);
    cfg.chunk_size = 100_000;
    let err = pool(1).install(|| m.sweep(&cfg).unwrap_err());
    assert!(
        matches!(&err, Error::MemoryBudget { hint, .. } if hint.starts_with("to reduce it: lower chunk_size")),
        "{err}"
    );
}

/// Sobol and OAT analyses check their budget too (their per-run outputs are runs × 2·units).
#[test]
fn sobol_and_oat_check_the_model_budget() {
    let _g = serial();
    let m = model(2_000, false).with_memory_budget(1_000_000);
    let g = all_weights_group();
    let err = m.sobol(&g, 4096, 1).unwrap_err();
    assert!(matches!(err, Error::MemoryBudget { .. }), "{err:?}");
    let err = m.oat(&g, 4096, 1).unwrap_err();
    assert!(matches!(err, Error::MemoryBudget { .. }), "{err:?}");
    let m = model(20, false).with_memory_budget(1 << 30);
    assert!(m.sobol(&g, 64, 1).is_ok());
    assert!(m.oat(&g, 64, 1).is_ok());
}

// ------------------------------------------------------------------ bounded general path

/// The general path keeps at most one chunk accumulator per worker: with 2 threads and 40 chunks the
/// peak heap stays a small multiple of one rank histogram (the old code kept all 40 until the end:
/// at least 40 × 720 kB = 28.8 MB here).
#[test]
fn general_path_memory_does_not_grow_with_chunks() {
    let _g = serial();
    let m = model(300, true);
    let mut cfg = config(2_000, true);
    cfg.chunk_size = 50;
    cfg.score_bins = 16;
    let hist = 300 * 300 * 8;
    let p = pool(2);
    let before = reset_peak();
    let r = p.install(|| m.sweep(&cfg).unwrap());
    let peak = PEAK.load(Ordering::SeqCst) - before;
    assert_eq!(r.ranks.n_variants(), 2_000);
    // result + one accumulator per worker (3 histograms) plus chunk buffers and the result
    assert!(
        peak < 6 * hist,
        "peak {peak} bytes, {} histograms",
        peak / hist
    );
    // and bit-identical for any thread count and chunk size
    for (threads, chunk) in [(1, 2_000), (3, 7), (2, 333)] {
        let mut c = cfg.clone();
        c.chunk_size = chunk;
        let other = pool(threads).install(|| m.sweep(&c).unwrap());
        assert_eq!(
            serde_json::to_string(&other).unwrap(),
            serde_json::to_string(&r).unwrap(),
            "{threads} threads, chunk {chunk}"
        );
    }
}

// ------------------------------------------------------------------ checked accessors

/// Unit indices whose products with the unit count overflow return nothing, never another unit's
/// counts (the old `unit_counts` computed `u · n` unchecked).
#[test]
fn accessors_check_their_indices() {
    let _g = serial();
    let mut h = RankHistogram::new(4);
    h.add(&[Some(1), Some(2), Some(3), Some(4)]);
    // 2^62 · 4 wraps to 0 in 64-bit arithmetic
    let u = 1usize << 62;
    assert!(h.unit_counts(u).is_empty());
    assert!(h.unit_counts(4).is_empty());
    assert_eq!(h.n_ranked(u), 0);
    assert_eq!(h.mean(u), None);
    assert_eq!(h.quantile(u, 0.5), None);
    assert_eq!(h.quantile_interpolated(u, 0.5), None);
    assert_eq!(h.prob_at_most(u, 4), None);
    assert_eq!(h.mean_abs_shift(u, 1), None);
    assert_eq!(h.count(u, 1), 0);
    assert_eq!(h.count(0, usize::MAX), 0);
    let mut s = ScoreStats::new(vec![0.0; 3], vec![(0.0, 1.0); 3], 4);
    s.add(&[0.1, 0.2, 0.3]);
    // (2^64 / 6 rounded up) · 6 wraps to a small number
    let u = usize::MAX / 6 + 1;
    assert_eq!(s.binned(u), 0);
    assert_eq!(s.quantile(u, 0.5), None);
    assert_eq!(s.mean(u), None);
    assert_eq!(s.sd(u), None);
    assert_eq!(s.bounds(u), None);
    assert_eq!(s.count(u), 0);
}

// ------------------------------------------------------------------ exact merges

/// Every composition of `k` into 1 to `max_parts` contiguous parts.
fn splits(k: usize, max_parts: usize) -> Vec<Vec<[usize; 2]>> {
    let mut out = Vec::new();
    // cut points: subsets of 1..k of size < max_parts
    let inner: Vec<usize> = (1..k).collect();
    fn rec(
        inner: &[usize],
        from: usize,
        left: usize,
        cuts: &mut Vec<usize>,
        k: usize,
        out: &mut Vec<Vec<[usize; 2]>>,
    ) {
        let mut bounds = vec![0];
        bounds.extend(cuts.iter().copied());
        bounds.push(k);
        out.push(bounds.windows(2).map(|w| [w[0], w[1]]).collect());
        if left == 0 {
            return;
        }
        for i in from..inner.len() {
            cuts.push(inner[i]);
            rec(inner, i + 1, left - 1, cuts, k, out);
            cuts.pop();
        }
    }
    rec(&inner, 0, max_parts - 1, &mut Vec::new(), k, &mut out);
    out
}

fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![Vec::new()];
    }
    let mut out = Vec::new();
    for p in permutations(n - 1) {
        for i in 0..=p.len() {
            let mut q = p.clone();
            q.insert(i, n - 1);
            out.push(q);
        }
    }
    out
}

/// Every split of a small sweep into 1–5 contiguous ranges, merged in every order, serialises to the
/// JSON of the single run, on the fast, `f32` and general paths (the old sums differed in the last
/// bits between a single run and merged parts).
#[test]
fn all_splits_in_all_orders_give_identical_json() {
    let _g = serial();
    let k = 9;
    let all = splits(k, 5);
    // 1 + 8 + 28 + 56 + 70 compositions of 9 into at most 5 parts
    assert_eq!(all.len(), 163);
    // 12 units: the f32 path; 300: the f64 fast path (deferred counts); general: the chunk path.
    // The 300-unit case takes splits into at most 3 parts (in every order) to stay fast.
    for (units, general, max_parts) in [(12, false, 5), (300, false, 3), (12, true, 5)] {
        let m = model(units, general);
        let mut cfg = config(k, general);
        cfg.chunk_size = 2;
        let whole = m.sweep(&cfg).unwrap();
        let json = serde_json::to_string(&whole).unwrap();
        let ua = serde_json::to_string(&whole.ua_report()).unwrap();
        assert_eq!(whole.ranges, vec![[0, k]]);
        for split in all.iter().filter(|s| s.len() <= max_parts) {
            let parts: Vec<SweepResult> = split
                .iter()
                .map(|r| m.sweep_range(&cfg, r[0]..r[1]).unwrap())
                .collect();
            for order in permutations(parts.len()) {
                let mut acc = parts[order[0]].clone();
                for &i in &order[1..] {
                    acc.merge(&parts[i]).unwrap();
                }
                assert_eq!(
                    serde_json::to_string(&acc).unwrap(),
                    json,
                    "{units} units, general {general}, split {split:?}, order {order:?}"
                );
                assert_eq!(serde_json::to_string(&acc.ua_report()).unwrap(), ua);
            }
        }
    }
}

/// Larger sweeps (many blocks of the fast paths, binned subsamples) split at awkward points, merged
/// out of order, through JSON, equal the single run.
#[test]
fn large_splits_through_json_equal_the_single_run() {
    let _g = serial();
    for (units, general, k) in [(40, false, 5_000), (300, false, 1_200), (30, true, 1_500)] {
        let m = model(units, general);
        let mut cfg = config(k, general);
        cfg.chunk_size = 700;
        cfg.score_bins = 32;
        let whole = m.sweep(&cfg).unwrap();
        let cuts = [0, 1, 257, k / 2 + 3, k - 1, k];
        let mut parts: Vec<SweepResult> = cuts
            .windows(2)
            .map(|w| {
                let r = m.sweep_range(&cfg, w[0]..w[1]).unwrap();
                serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap()
            })
            .collect();
        parts.reverse();
        let mut acc = parts.swap_remove(2);
        for p in &parts {
            acc.merge(p).unwrap();
        }
        assert_eq!(
            serde_json::to_string(&acc).unwrap(),
            serde_json::to_string(&whole).unwrap(),
            "{units} units"
        );
    }
}

/// Overlapping ranges, different seeds, samplers, variant counts or models, and results without a
/// fingerprint are typed errors that leave the target unchanged.
#[test]
fn bad_merges_are_typed_errors() {
    let _g = serial();
    let m = model(12, false);
    let cfg = config(100, false);
    let a = m.sweep_range(&cfg, 0..60).unwrap();
    let b = m.sweep_range(&cfg, 50..100).unwrap();
    let mut t = a.clone();
    let err = t.merge(&b).unwrap_err();
    assert!(
        matches!(&err, Error::SweepMerge { reason } if reason.contains("50..60")),
        "{err}"
    );
    assert_eq!(t, a);
    let mut t = a.clone();
    assert!(matches!(t.merge(&a), Err(Error::SweepMerge { .. })));
    let mut other_seed = cfg.clone();
    other_seed.seed += 1;
    let mut other_sampler = cfg.clone();
    other_sampler.weights = WeightSampler::Triangular {
        spread: 0.6,
        nodes: NodeSelection::All,
    };
    let mut other_k = cfg.clone();
    other_k.variants = 101;
    for (c, word) in [
        (other_seed, "seeds"),
        (other_sampler, "samplers"),
        (other_k, "variant counts"),
    ] {
        let c2 = m.sweep_range(&c, 60..100).unwrap();
        let mut t = a.clone();
        let err = t.merge(&c2).unwrap_err();
        assert!(
            matches!(&err, Error::SweepMerge { reason } if reason.contains(word)),
            "{word}: {err}"
        );
        assert_eq!(t, a);
    }
    // a different model with the same units and nominal ranks
    let other = model(12, true);
    let c2 = other.sweep_range(&cfg, 60..100).unwrap();
    let err = a.clone().merge(&c2).unwrap_err();
    assert!(
        matches!(&err, Error::SweepMerge { reason } if reason.contains("models")),
        "{err}"
    );
    // a result written before fingerprints: readable, not mergeable
    let mut v = serde_json::to_value(&b).unwrap();
    let obj = v.as_object_mut().unwrap();
    obj.remove("fingerprint");
    obj.remove("ranges");
    let old: SweepResult = serde_json::from_value(v).unwrap();
    assert_eq!(old.ranks, b.ranks);
    let err = a.clone().merge(&old).unwrap_err();
    assert!(
        matches!(&err, Error::SweepMerge { reason } if reason.contains("fingerprint")),
        "{err}"
    );
    // ranges that disagree with the counts (a damaged file)
    let mut v = serde_json::to_value(&b).unwrap();
    v["ranges"] = serde_json::json!([[60, 100]]);
    let damaged: SweepResult = serde_json::from_value(v).unwrap();
    let err = a.clone().merge(&damaged).unwrap_err();
    assert!(
        matches!(&err, Error::SweepMerge { reason } if reason.contains("damaged")),
        "{err}"
    );
}

/// Results written before the sums were exact (no `exact` field) are still read: their `f64` sums
/// become one term each, so means agree to the sums' precision.
#[test]
fn results_without_exact_sums_are_read() {
    let _g = serial();
    let m = model(12, false);
    let r = m.sweep(&config(200, false)).unwrap();
    let mut v = serde_json::to_value(&r).unwrap();
    v["scores"].as_object_mut().unwrap().remove("exact");
    let back: SweepResult = serde_json::from_value(v).unwrap();
    for u in 0..12 {
        let (a, b) = (back.scores.mean(u).unwrap(), r.scores.mean(u).unwrap());
        assert!((a - b).abs() <= 1e-12 * (1.0 + b.abs()), "{a} vs {b}");
    }
}

/// Damaged exact sums (huge values, bad exponents or levels) are errors or merge without a panic.
#[test]
fn damaged_exact_sums_do_not_panic() {
    let _g = serial();
    let m = model(5, false);
    let cfg = config(10, false);
    let empty = m.sweep_range(&cfg, 3..3).unwrap();
    assert!(empty.ranges.is_empty());
    let mut v = serde_json::to_value(&empty).unwrap();
    // 128-bit sums are decimal strings (beyond 64 bits JSON numbers do not survive `Value`)
    v["scores"]["exact"]["sum"][0] = serde_json::json!(i128::MAX.to_string());
    v["scores"]["exact"]["extra"] =
        serde_json::json!([[1, 0, 7, i128::MIN.to_string()], [2, 1, 4294967295u32, "3"]]);
    let mut r: SweepResult = serde_json::from_value(v.clone()).unwrap();
    let other = r.clone();
    r.merge(&other).unwrap(); // no variants on either side: nothing overlaps
    let ua = r.ua_report();
    assert_eq!(ua.rows.len(), 5);
    for (field, bad) in [
        ("exp", serde_json::json!([481, 0, 0, 0, 0])),
        ("extra", serde_json::json!([[0, 0, 5000, "1"]])),
    ] {
        let mut w = v.clone();
        w["scores"]["exact"][field] = bad;
        assert!(serde_json::from_value::<SweepResult>(w).is_err(), "{field}");
    }
}

/// A sweep of 10¹⁴ variants and a Sobol analysis of 10¹² base rows (no bootstrap) hold no per-chunk
/// state: cancelled after their first chunks, they return `Cancelled` having allocated a few MB
/// (they used to allocate one entry per chunk up front: 195 GB for the sweep, an abort, and a
/// growing list of chunk accumulators for Sobol).
#[test]
fn huge_variant_counts_hold_no_per_chunk_state() {
    let _g = serial();
    for general in [false, true] {
        let m = model(50, general);
        let (err, peak) =
            cancelled_peak(|ctl| m.sweep_with(&config(100_000_000_000_000, general), ctl));
        assert!(matches!(err, Error::Cancelled), "{err:?}");
        assert!(peak < 64 << 20, "general {general}: peak {peak} bytes");
    }
    let m = model(50, false);
    let g = all_weights_group();
    let (err, peak) = cancelled_peak(|ctl| m.sobol_with(&g, 1_000_000_000_000, 1, ctl));
    assert!(matches!(err, Error::Cancelled), "{err:?}");
    assert!(peak < 64 << 20, "Sobol: peak {peak} bytes");
}

/// Run `f` with a control that cancels at the fourth progress call: its error and the peak of what
/// it allocated.
fn cancelled_peak<T: std::fmt::Debug>(
    f: impl FnOnce(&Control<'_>) -> composite_indicators::Result<T>,
) -> (Error, usize) {
    use std::sync::atomic::{AtomicBool, AtomicUsize};
    let stop = AtomicBool::new(false);
    let seen = AtomicUsize::new(0);
    let progress = |_: usize, _: usize| {
        if seen.fetch_add(1, Ordering::SeqCst) >= 3 {
            stop.store(true, Ordering::SeqCst);
        }
    };
    let ctl = Control::default()
        .with_progress(&progress)
        .with_cancel(&stop);
    let before = reset_peak();
    let err = f(&ctl).unwrap_err();
    (err, PEAK.load(Ordering::SeqCst) - before)
}

/// The memory estimate a sweep checks against its budget bounds what the sweep allocates (measured
/// with the counting allocator, from a model whose derived values are computed): the fast path with
/// exact and binned rank summaries, and the general path, on one and two threads. The estimate is
/// read from the budget error of a 1-byte budget.
#[test]
fn the_memory_estimate_bounds_what_a_sweep_allocates() {
    let _g = serial();
    for (units, inds, general, summary) in [
        (3_000, 6, false, RankSummary::Exact),
        (20_000, 6, false, RankSummary::Binned { bins: 64 }),
        (12_000, 60, false, RankSummary::Binned { bins: 16 }),
        (1_500, 6, true, RankSummary::Exact),
    ] {
        let m = if inds == 6 {
            model(units, general)
        } else {
            arithmetic_model(units, inds, 6, 3, 5).unwrap()
        };
        let cfg = config(300, general).with_rank_summary(summary);
        for threads in [1, 2] {
            let p = pool(threads);
            // warm the model's derived values (nominal scores, fingerprint), kept between sweeps
            let needed = match p.install(|| m.sweep(&cfg.clone().with_memory_budget(1))) {
                Err(Error::MemoryBudget { needed, .. }) => needed,
                other => panic!("expected MemoryBudget, got {other:?}"),
            };
            p.install(|| m.sweep(&cfg).unwrap());
            let before = reset_peak();
            let r = p.install(|| m.sweep(&cfg).unwrap());
            let peak = (PEAK.load(Ordering::SeqCst) - before) as u64;
            drop(r);
            eprintln!(
                "{units} x {inds}, general {general}, {threads} threads: peak {peak}, estimate {needed}"
            );
            assert!(
                peak <= needed,
                "{units} units, general {general}, {threads} threads: peak {peak} > estimate {needed}"
            );
        }
    }
}
