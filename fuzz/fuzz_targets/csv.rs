//! Plain CSV data: arbitrary bytes with default options; a dataset that parses must survive
//! `write_dataset` and read back identically (bit for bit, NaN = missing).
#![no_main]
use composite_indicators::io::{CsvOptions, read_csv, write_dataset};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = CsvOptions::default();
    if let Ok(ds) = read_csv(data, &opts) {
        let mut out = Vec::new();
        if write_dataset(&mut out, &ds).is_ok() {
            let back = read_csv(&out[..], &opts).expect("written dataset must read back");
            assert_eq!(back.unit_codes(), ds.unit_codes());
            assert_eq!(back.columns(), ds.columns());
            // Missing values are written as empty fields; any NaN payload reads back as f64::NAN.
            let bits = |v: &f64| if v.is_nan() { f64::NAN.to_bits() } else { v.to_bits() };
            let a: Vec<u64> = ds.values().iter().map(bits).collect();
            let b: Vec<u64> = back.values().iter().map(bits).collect();
            assert_eq!(a, b, "values round trip bit for bit");
        }
    }
});
