//! Optimised weights at level 2 of ASEM (8 pillars; COINr `get_opt_weights`), balance with equal
//! targets and infomax, Pearson correlations, default tolerance and restarts. Target (issue 16):
//! < 1 s. Run: `cargo bench --bench study_optimise`.

use std::hint::black_box;
use std::path::Path;

use composite_indicators::io::{read_idata_path, read_imeta_path};
use composite_indicators::score::Scorer;
use composite_indicators::study::optimise::{OptimiseGoal, OptimiseOptions, optimise_weights};
use criterion::{Criterion, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/asem");
    let meta = read_imeta_path(dir.join("iMeta.csv")).expect("iMeta");
    let data = read_idata_path(dir.join("iData.csv"), &meta)
        .expect("iData")
        .sorted_by_code();
    let scorer = Scorer::new(meta.spec.check().expect("framework"));
    let mut g = c.benchmark_group("optimise_weights ASEM level 2");
    g.sample_size(10);
    let balance = OptimiseOptions::new(2);
    let infomax = OptimiseOptions::new(2).goal(OptimiseGoal::Infomax);
    g.bench_function("balance", |b| {
        b.iter(|| optimise_weights(&scorer, black_box(&data), &balance).expect("optimise"))
    });
    g.bench_function("infomax", |b| {
        b.iter(|| optimise_weights(&scorer, black_box(&data), &infomax).expect("optimise"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
