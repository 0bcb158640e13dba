//! Saved normalisation scales (JSON): parse arbitrary text; a scale that parses (and so passes
//! `FittedParams::check`) must round-trip exactly through `scale_to_json` and apply to a column of
//! ordinary and missing values without panicking.
#![no_main]
use composite_indicators::io::{scale_from_json, scale_to_json};
use composite_indicators::normalise::FittedNormaliser;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(scale) = scale_from_json(text) {
        let out = scale_to_json(&scale).expect("a checked scale must serialise");
        let back = scale_from_json(&out).expect("written scale JSON must parse");
        assert_eq!(back, scale, "JSON round trip");
        let column = ndarray::array![-1e308, -1.5, 0.0, f64::NAN, 2.0, 1e308];
        for p in &scale {
            let _ = p.apply(column.view(), &[]);
        }
    }
});
