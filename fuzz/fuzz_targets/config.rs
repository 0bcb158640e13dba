//! Sweep configurations (JSON) on a small fixed model with missing data and two method alternatives:
//! any configuration that parses either runs or returns an error; it never panics. Variants are capped
//! at 256 and score bins at 4,096 so that each input stays fast.
#![no_main]
use composite_indicators::prelude::*;
use composite_indicators::sweep::{BatchModel, SweepConfig};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn model() -> &'static BatchModel {
    static MODEL: OnceLock<BatchModel> = OnceLock::new();
    MODEL.get_or_init(|| {
        let fw = FrameworkSpec::new(
            "t",
            vec![
                Indicator::new("a", "P"),
                Indicator::new("b", "P"),
                Indicator::new("c", "Q"),
            ],
            vec![
                Pillar::new("P").with_parent("I"),
                Pillar::new("Q").with_parent("I"),
                Pillar::new("I"),
            ],
        )
        .check()
        .expect("toy framework");
        let x0 = ndarray::array![[0.1, 0.5, 0.9], [0.4, f64::NAN, 0.2], [0.8, 0.3, 0.6]];
        let x1 = ndarray::array![[1.0, 2.0, 0.5], [0.2, 0.1, f64::NAN], [0.7, 0.9, 0.4]];
        BatchModel::new(
            fw,
            vec![AggregatorKind::Arithmetic; 3],
            MissingPolicy::default(),
            None,
            vec![x0],
        )
        .and_then(|m| {
            m.with_alternative(x1, Some(vec![AggregatorKind::Geometric { offset: 0.0 }; 3]))
        })
        .expect("toy model")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(cfg) = serde_json::from_str::<SweepConfig>(text) else {
        return;
    };
    if cfg.variants > 256 || cfg.score_bins > 4096 {
        return;
    }
    if let Ok(r) = model().sweep(&cfg) {
        let report = r.ua_report();
        assert_eq!(report.rows.len(), 3);
        let out = serde_json::to_string(&r).expect("a sweep result serialises");
        let back: composite_indicators::sweep::SweepResult =
            serde_json::from_str(&out).expect("written sweep result must parse");
        assert_eq!(serde_json::to_string(&back).unwrap(), out);
    }
});
