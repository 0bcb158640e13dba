//! Single-scoring time: normalise + aggregate + rank for the ASEM data (51 × 49, 4 levels) and for a
//! synthetic 2,000 × 200 table (200 indicators → 20 pillars → index); scoring a 200,000 × 50 table
//! (10 pillars); ranking one 1,000,000-unit column with `rank_desc` (ties: values on a 1e-3 grid).
//! Run: `cargo bench --bench score`.

use std::hint::black_box;
use std::path::Path;

use composite_indicators::io::{read_idata_path, read_imeta_path};
use composite_indicators::prelude::*;
use composite_indicators::rank::{TieRule, rank_desc};
use composite_indicators::score::Scorer;
use criterion::{Criterion, criterion_group, criterion_main};
use ndarray::Array2;
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

fn asem() -> (Framework, Dataset) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/asem");
    let meta = read_imeta_path(dir.join("iMeta.csv")).expect("iMeta");
    let data = read_idata_path(dir.join("iData.csv"), &meta).expect("iData");
    (meta.spec.check().expect("framework"), data.sorted_by_code())
}

fn synthetic(units: usize, indicators: usize, pillars: usize) -> (Framework, Dataset) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
    let inds = (0..indicators)
        .map(|i| Indicator::new(format!("i{i}"), format!("p{}", i * pillars / indicators)))
        .collect();
    let mut ps: Vec<Pillar> = (0..pillars)
        .map(|p| Pillar::new(format!("p{p}")).with_parent("Index"))
        .collect();
    ps.push(Pillar::new("Index"));
    let fw = FrameworkSpec::new("synthetic", inds, ps)
        .check()
        .expect("framework");
    let values = Array2::from_shape_fn((units, indicators), |_| rng.random::<f64>());
    let data = Dataset::new(
        (0..units).map(|u| format!("u{u}")).collect(),
        (0..indicators).map(|i| format!("i{i}")).collect(),
        values,
    )
    .expect("data");
    (fw, data)
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("score");
    g.sample_size(30);
    let (fw, data) = asem();
    let scorer = Scorer::new(fw);
    g.bench_function("asem_51x49", |b| {
        b.iter(|| black_box(scorer.score(black_box(&data)).expect("score")))
    });
    let (fw, data) = synthetic(2000, 200, 20);
    let scorer = Scorer::new(fw);
    g.sample_size(10);
    g.bench_function("synthetic_2000x200", |b| {
        b.iter(|| black_box(scorer.score(black_box(&data)).expect("score")))
    });
    let (fw, data) = synthetic(200_000, 50, 10);
    let scorer = Scorer::new(fw);
    g.bench_function("synthetic_200000x50", |b| {
        b.iter(|| black_box(scorer.score(black_box(&data)).expect("score")))
    });
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
    let column: Vec<f64> = (0..1_000_000)
        .map(|_| f64::from(rng.random_range(0..1_000_000u32)) / 1000.0)
        .collect();
    g.bench_function("rank_desc_1000000", |b| {
        b.iter(|| black_box(rank_desc(black_box(&column), TieRule::Min)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
