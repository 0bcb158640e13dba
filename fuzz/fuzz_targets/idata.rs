//! COINr iData tables read against the real ASEM iMeta.
#![no_main]
use std::sync::OnceLock;

use composite_indicators::io::{IMeta, read_idata, read_imeta};
use libfuzzer_sys::fuzz_target;

static META: OnceLock<IMeta> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let meta = META.get_or_init(|| {
        read_imeta(&include_bytes!("../../data/asem/iMeta.csv")[..]).expect("ASEM iMeta")
    });
    let _ = read_idata(data, meta);
});
