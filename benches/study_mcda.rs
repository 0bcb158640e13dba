//! MCDA aggregators on ASEM (51 units × 49 indicators, 4 levels): one full scoring with TOPSIS and with
//! PROMETHEE II at every aggregate, against the arithmetic mean, and 1,000 sweep variants of a TOPSIS
//! method alternative (scored through the aggregator, variant by variant).
//! Run: `cargo bench --bench study_mcda`.

use std::hint::black_box;
use std::path::Path;

use composite_indicators::io::{read_idata_path, read_imeta_path};
use composite_indicators::prelude::*;
use composite_indicators::score::{Scorer, ScorerConfig};
use composite_indicators::sweep::{AltSampler, NodeSelection, SweepConfig, WeightSampler};
use criterion::{Criterion, criterion_group, criterion_main};

fn asem() -> (Framework, Dataset) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/asem");
    let meta = read_imeta_path(dir.join("iMeta.csv")).expect("iMeta");
    let data = read_idata_path(dir.join("iData.csv"), &meta).expect("iData");
    (meta.spec.check().expect("framework"), data.sorted_by_code())
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("mcda");
    g.sample_size(30);
    let (fw, data) = asem();
    for name in ["arithmetic", "topsis", "promethee", "promethee:v_shape:20"] {
        let cfg = ScorerConfig {
            aggregate: name.parse().expect("aggregator"),
            ..ScorerConfig::default()
        };
        let scorer = Scorer::from_config(fw.clone(), &cfg).expect("scorer");
        g.bench_function(format!("asem_{name}"), |b| {
            b.iter(|| black_box(scorer.score(black_box(&data)).expect("score")))
        });
    }
    let model = Scorer::new(fw)
        .sweep(&data)
        .expect("setup")
        .with_aggregators(vec!["topsis".parse().expect("topsis")])
        .expect("alternative")
        .build()
        .expect("model");
    let mut cfg = SweepConfig::new(
        1000,
        1,
        WeightSampler::Uniform {
            spread: 0.25,
            nodes: NodeSelection::All,
        },
    );
    cfg.alternatives = AltSampler::Fixed { alt: 1 };
    g.sample_size(10);
    g.bench_function("asem_topsis_sweep_1000", |b| {
        b.iter(|| black_box(model.sweep(&cfg).expect("sweep")))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
