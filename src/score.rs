//! Scorer and Scores.
