//! Weight-sweep benchmarks.
//!
//! * W1: 72 units × 79 indicators, 20 sub-pillars, 6 pillars; 100,000 variants with full rank
//!   histograms and the UA report (throughput in variants).
//! * W2: 2,000 units × 200 indicators; 10,000 variants, with the UA report's score statistics and
//!   without them (`ranks_only`, the numpy peer's job).
//! * Sobol: 6 groups (one per pillar: the pillar's weight and every weight below it), N = 16,384
//!   (131,072 model runs), targets include the 72 units' ranks.
//! * Naive baseline: one variant at a time through the reference path plus a sort-based rank.

use std::hint::black_box;
use std::time::Duration;

use composite_indicators::rank::{TieRule, rank_desc};
use composite_indicators::sweep::bench_support::arithmetic_model;
use composite_indicators::sweep::{
    BatchModel, GroupInput, NodeSelection, SobolGroup, SweepConfig, VariantSampler, WeightSampler,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn model(units: usize, indicators: usize) -> BatchModel {
    arithmetic_model(units, indicators, 20, 6, 1).expect("synthetic workload")
}

fn noise() -> WeightSampler {
    WeightSampler::Uniform {
        spread: 0.25,
        nodes: NodeSelection::All,
    }
}

fn sweeps(c: &mut Criterion) {
    let mut g = c.benchmark_group("sweep");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(8))
        .warm_up_time(Duration::from_secs(1));

    let m1 = model(72, 79);
    let k1 = 100_000;
    g.throughput(Throughput::Elements(k1 as u64));
    g.bench_function("w1_72x79_100k_variants_hist_ua", |b| {
        let cfg = SweepConfig::new(k1, 1, noise());
        b.iter(|| {
            let r = m1.sweep(&cfg).expect("sweep");
            black_box(r.ua_report())
        })
    });

    let m2 = model(2000, 200);
    let k2 = 10_000;
    g.throughput(Throughput::Elements(k2 as u64));
    g.bench_function("w2_2000x200_10k_variants_hist_ua", |b| {
        let cfg = SweepConfig::new(k2, 1, noise());
        b.iter(|| {
            let r = m2.sweep(&cfg).expect("sweep");
            black_box(r.ua_report())
        })
    });
    // the numpy peer's job: rank histograms only (no score statistics)
    g.bench_function("w2_2000x200_10k_variants_ranks_only", |b| {
        let cfg = SweepConfig::new(k2, 1, noise()).with_score_stats(false);
        b.iter(|| {
            let r = m2.sweep(&cfg).expect("sweep");
            black_box(r.ua_report())
        })
    });

    let kn = 2_000;
    g.throughput(Throughput::Elements(kn as u64));
    g.bench_function("naive_per_variant_72x79_2k_variants", |b| {
        let s = VariantSampler::new(&m1, &noise(), &Default::default(), 1).expect("sampler");
        b.iter(|| {
            let mut acc = 0.0;
            for k in 0..kn {
                let (w, alt) = s.sample(k).expect("variant");
                let sc = m1.score_index(&w, alt).expect("score");
                acc += rank_desc(&sc, TieRule::Min)[0];
            }
            black_box(acc)
        })
    });
    g.finish();

    let mut g = c.benchmark_group("sobol");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .warm_up_time(Duration::from_secs(1));
    let fw = m1.framework();
    let groups: Vec<SobolGroup> = (1..=6)
        .map(|p| {
            let pos = fw.position(&format!("P{p}")).expect("pillar");
            let mut codes = vec![format!("P{p}")];
            for &c in &fw.nodes()[pos].children {
                codes.push(fw.nodes()[c].code.clone());
                codes.extend(
                    fw.nodes()[c]
                        .children
                        .iter()
                        .map(|&i| fw.nodes()[i].code.clone()),
                );
            }
            SobolGroup::new(
                format!("pillar {p} weights"),
                GroupInput::Weights {
                    nodes: NodeSelection::Codes { codes },
                    spread: 0.25,
                    triangular: false,
                },
            )
        })
        .collect();
    let n = 16_384;
    g.throughput(Throughput::Elements((n * (groups.len() + 2)) as u64));
    g.bench_function("sobol_6_groups_n16384_72_units", |b| {
        b.iter(|| black_box(m1.sobol(&groups, n, 1).expect("sobol")))
    });
    g.finish();
}

criterion_group!(benches, sweeps);
criterion_main!(benches);
