//! Glue from the core `Scorer` to the sweep engine.
