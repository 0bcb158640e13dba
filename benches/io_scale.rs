//! Reading time of the streaming CSV reader: a synthetic table of 10,000 and 100,000 units × 50
//! indicators (values with three decimals, as the `scale` example writes them), read from memory with
//! `io::read_csv` into a `Dataset`. Throughput is reported in input bytes. Run:
//! `cargo bench --bench io_scale`.

use std::hint::black_box;

use composite_indicators::io::{CsvOptions, read_csv};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// A `uCode` column and `cols` columns of values in [0, 1000) with three decimals.
fn table(units: usize, cols: usize) -> Vec<u8> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
    let mut text = String::from("uCode");
    for j in 1..=cols {
        text.push_str(&format!(",x{j}"));
    }
    text.push('\n');
    for i in 1..=units {
        text.push_str(&format!("U{i:07}"));
        for _ in 0..cols {
            let milli: u32 = rng.random_range(0..1_000_000);
            text.push_str(&format!(",{}.{:03}", milli / 1000, milli % 1000));
        }
        text.push('\n');
    }
    text.into_bytes()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("read_csv");
    g.sample_size(10);
    let opts = CsvOptions::default();
    for units in [10_000, 100_000] {
        let bytes = table(units, 50);
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function(format!("{units}x50"), |b| {
            b.iter(|| black_box(read_csv(black_box(bytes.as_slice()), &opts).expect("read")))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
