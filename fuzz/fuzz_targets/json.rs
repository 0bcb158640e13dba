//! JSON files of data sets and sweep results: parse arbitrary text; whatever parses must be
//! consistent (a sweep result's report and merge run), and must write back to JSON that reads to the
//! same text (missing values and undefined statistics included).
#![no_main]
use composite_indicators::Dataset;
use composite_indicators::sweep::SweepResult;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(d) = serde_json::from_str::<Dataset>(text) {
        let out = serde_json::to_string(&d).expect("a data set serialises");
        let back: Dataset = serde_json::from_str(&out).expect("written data set must parse");
        assert_eq!(back, d, "data set JSON round trip");
        let _ = d.select(&[]);
    }
    if let Ok(mut r) = serde_json::from_str::<SweepResult>(text) {
        let _ = r.ua_report();
        let other = r.clone();
        let _ = r.merge(&other);
        let out = serde_json::to_string(&r).expect("a sweep result serialises");
        let back: SweepResult = serde_json::from_str(&out).expect("written sweep result must parse");
        assert_eq!(serde_json::to_string(&back).unwrap(), out, "sweep result JSON round trip");
    }
});
