//! Two-dimensional classification of units into quadrants.
