//! COINr iMeta tables: arbitrary bytes must give a spec or an error, and a spec must survive
//! validation.
#![no_main]
use composite_indicators::io::read_imeta;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(meta) = read_imeta(data) {
        let _ = meta.spec.check();
    }
});
