//! Equality in which a missing value equals a missing value: the `PartialEq` of the crate's result
//! types that hold `f64` values which may be NaN (missing scores, undefined indices), so that a
//! result equals its copy and a rerun with the same seed equals the first run, as [`Dataset`]'s
//! equality does.
//!
//! [`Dataset`]: crate::Dataset

use ndarray::Array2;

/// `==`, except that NaN equals NaN (any NaN payload; `0.0 == -0.0` as for `f64`).
pub(crate) trait NanEq {
    fn nan_eq(&self, other: &Self) -> bool;
}

impl NanEq for f64 {
    fn nan_eq(&self, other: &Self) -> bool {
        self == other || (self.is_nan() && other.is_nan())
    }
}

impl<A: NanEq, B: NanEq> NanEq for (A, B) {
    fn nan_eq(&self, other: &Self) -> bool {
        self.0.nan_eq(&other.0) && self.1.nan_eq(&other.1)
    }
}

impl<T: NanEq> NanEq for Option<T> {
    fn nan_eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Some(a), Some(b)) => a.nan_eq(b),
            (None, None) => true,
            _ => false,
        }
    }
}

impl<T: NanEq> NanEq for [T] {
    fn nan_eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a.nan_eq(b))
    }
}

impl<T: NanEq> NanEq for Vec<T> {
    fn nan_eq(&self, other: &Self) -> bool {
        self.as_slice().nan_eq(other.as_slice())
    }
}

impl NanEq for Array2<f64> {
    fn nan_eq(&self, other: &Self) -> bool {
        self.dim() == other.dim() && self.iter().zip(other.iter()).all(|(a, b)| a.nan_eq(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_equals_missing_and_nothing_else_changes() {
        let nan = f64::NAN;
        assert!(nan.nan_eq(&-f64::NAN));
        assert!(0.0f64.nan_eq(&-0.0));
        assert!(!1.0f64.nan_eq(&nan) && !nan.nan_eq(&1.0));
        assert!(vec![1.0, nan].nan_eq(&vec![1.0, nan]));
        assert!(!vec![1.0, nan].nan_eq(&vec![1.0]));
        assert!(Some(nan).nan_eq(&Some(nan)) && !Some(nan).nan_eq(&None));
        assert!((nan, 2.0).nan_eq(&(nan, 2.0)) && !(nan, 2.0).nan_eq(&(nan, 3.0)));
        let a = ndarray::array![[nan, 1.0]];
        assert!(a.nan_eq(&a.clone()) && !a.nan_eq(&ndarray::array![[nan], [1.0]]));
    }
}
