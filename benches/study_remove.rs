//! Leave-one-out of all 49 ASEM indicators (COINr `remove_elements`, level 1): the nominal build plus
//! 49 re-weighted builds, batched (only each removed indicator's ancestors are re-aggregated) and as
//! full rebuilds for comparison. Target (issue 16): batched < 5 ms.
//! Run: `cargo bench --bench study_remove`.

use std::hint::black_box;
use std::path::Path;

use composite_indicators::io::{read_idata_path, read_imeta_path};
use composite_indicators::score::Scorer;
use composite_indicators::study::remove::{RemoveMethod, RemoveOptions, remove_elements};
use criterion::{Criterion, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/asem");
    let meta = read_imeta_path(dir.join("iMeta.csv")).expect("iMeta");
    let data = read_idata_path(dir.join("iData.csv"), &meta)
        .expect("iData")
        .sorted_by_code();
    let scorer = Scorer::new(meta.spec.check().expect("framework"));
    let batched = RemoveOptions::new(1);
    let rebuild = RemoveOptions::new(1).method(RemoveMethod::Rebuild);
    c.bench_function(
        "remove_elements ASEM level 1 (49 indicators), batched",
        |b| b.iter(|| remove_elements(&scorer, black_box(&data), &batched).expect("remove")),
    );
    c.bench_function(
        "remove_elements ASEM level 1 (49 indicators), rebuild",
        |b| b.iter(|| remove_elements(&scorer, black_box(&data), &rebuild).expect("remove")),
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
