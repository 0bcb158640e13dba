//! CBCII framework tables: arbitrary bytes must give a spec or an error.
#![no_main]
use composite_indicators::io::datasets::cbcii::read_cbcii_framework;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(spec) = read_cbcii_framework(data) {
        let _ = spec.check();
    }
});
