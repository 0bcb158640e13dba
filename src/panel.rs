//! Expert-panel scoring: aggregate ratings across experts, agreement statistics.
