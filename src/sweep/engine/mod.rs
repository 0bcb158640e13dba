//! The private sweep engine: how variants are scored.

pub(crate) mod general;
pub(crate) mod linear;
