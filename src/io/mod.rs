//! Readers and writers: TOML/JSON specs, COINr iMeta/iData CSV, plain CSV, score tables.
