//! JSON framework specs: parse arbitrary text; a spec that parses must survive validation, and
//! must round-trip exactly through `spec_to_json`.
#![no_main]
use composite_indicators::io::{spec_from_json, spec_to_json};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(spec) = spec_from_json(text) {
        let _ = spec.clone().check();
        if let Ok(out) = spec_to_json(&spec) {
            let back = spec_from_json(&out).expect("written JSON spec must parse");
            assert_eq!(format!("{back:?}"), format!("{spec:?}"), "JSON round trip");
        }
    }
});
