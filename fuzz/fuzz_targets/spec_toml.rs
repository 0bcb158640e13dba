//! TOML framework specs: parse arbitrary text; a spec that parses must survive validation, and a
//! valid spec must round-trip exactly through `spec_to_toml`.
#![no_main]
use composite_indicators::io::{spec_from_toml, spec_to_toml};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(spec) = spec_from_toml(text) {
        let _ = spec.clone().check();
        if let Ok(out) = spec_to_toml(&spec) {
            let back = spec_from_toml(&out).expect("written TOML spec must parse");
            assert_eq!(format!("{back:?}"), format!("{spec:?}"), "TOML round trip");
        }
    }
});
