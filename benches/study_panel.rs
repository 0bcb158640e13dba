//! Panel build time (issue 16 target: a 5-period ASEM panel build < 5 ms): COINr's example build
//! (denominate, impute by group, screen, winsorise, min-max, arithmetic) on each of the five years of
//! `ASEM_iData_p`, with per-year and with global normalisation; and the trends of every node.
//! Run: `cargo bench --bench study_panel`.

use std::hint::black_box;
use std::path::Path;

use composite_indicators::io::{read_idata_panel_path, read_imeta_path};
use composite_indicators::pipeline::PipelineConfig;
use composite_indicators::prelude::*;
use composite_indicators::study::purse::{NormalisationScope, PanelData, Purse};
use composite_indicators::study::trends::{TrendOptions, trends};
use criterion::{Criterion, criterion_group, criterion_main};

fn asem_panel() -> (Framework, PanelData) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/asem");
    let meta = read_imeta_path(dir.join("iMeta.csv")).expect("iMeta");
    let panel = read_idata_panel_path(dir.join("iData_p.csv"), &meta).expect("iData_p");
    (meta.spec.check().expect("framework"), panel)
}

fn bench(c: &mut Criterion) {
    let (fw, panel) = asem_panel();
    let cfg = PipelineConfig::coinr_example();
    c.bench_function("asem_panel_5y_build_per_period", |b| {
        b.iter(|| {
            Purse::build(
                black_box(&panel),
                &fw,
                cfg.clone(),
                NormalisationScope::PerPeriod,
            )
            .expect("build")
        })
    });
    c.bench_function("asem_panel_5y_build_global", |b| {
        b.iter(|| {
            Purse::build(
                black_box(&panel),
                &fw,
                cfg.clone(),
                NormalisationScope::Global,
            )
            .expect("build")
        })
    });
    let purse = Purse::build(&panel, &fw, cfg.clone(), NormalisationScope::Global).expect("build");
    let agg = purse.panel("Aggregated").expect("panel");
    c.bench_function("asem_panel_trends_all_nodes", |b| {
        b.iter(|| trends(black_box(&agg), &TrendOptions::default(), None).expect("trends"))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
