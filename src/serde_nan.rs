//! Serde helpers for floats that may be NaN or infinite (missing values, undefined statistics).
//!
//! JSON has no NaN or infinity: `serde_json` writes them as `null` and then refuses to read `null`
//! back as a float, so a data set with a missing value, or a report with an undefined correlation,
//! would not survive a round trip. The fields that can hold such values use these helpers:
//!
//! * in human-readable formats (JSON, TOML ...) a finite value is a number, NaN is `null` (what most
//!   JSON tools write for a missing number), `+∞` / `−∞` are the strings `"inf"` / `"-inf"`;
//! * reading accepts a number, `null` (NaN), or one of the strings `"NaN"`, `"inf"`, `"+inf"`,
//!   `"-inf"`, `"infinity"`, `"-infinity"` (any case);
//! * compact binary formats store the `f64` itself.
//!
//! Arrays keep `ndarray`'s own layout (`{"v": 1, "dim": [rows, cols], "data": [...]}`, row-major), so
//! files written before these helpers existed still read.

use ndarray::Array2;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One float in a human-readable format.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum Repr {
    Num(f64),
    Text(String),
    Null(()),
}

impl Repr {
    fn of(v: f64) -> Repr {
        if v.is_nan() {
            Repr::Null(())
        } else if v == f64::INFINITY {
            Repr::Text("inf".into())
        } else if v == f64::NEG_INFINITY {
            Repr::Text("-inf".into())
        } else {
            Repr::Num(v)
        }
    }

    fn value<E: serde::de::Error>(self) -> Result<f64, E> {
        match self {
            Repr::Num(v) => Ok(v),
            Repr::Null(()) => Ok(f64::NAN),
            Repr::Text(t) => match t.trim().to_ascii_lowercase().as_str() {
                "nan" => Ok(f64::NAN),
                "inf" | "+inf" | "infinity" | "+infinity" => Ok(f64::INFINITY),
                "-inf" | "-infinity" => Ok(f64::NEG_INFINITY),
                _ => Err(E::custom(format!(
                    "expected a number, null, \"NaN\", \"inf\" or \"-inf\", found \"{t}\""
                ))),
            },
        }
    }
}

/// `f64` fields: `#[serde(with = "crate::serde_nan::num")]`.
pub(crate) mod num {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            Repr::of(*v).serialize(s)
        } else {
            v.serialize(s)
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        if d.is_human_readable() {
            Repr::deserialize(d)?.value()
        } else {
            f64::deserialize(d)
        }
    }
}

/// `Vec<f64>` fields: `#[serde(with = "crate::serde_nan::vec")]`.
pub(crate) mod vec {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_seq(v.iter().map(|&x| Repr::of(x)))
        } else {
            v.serialize(s)
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        if d.is_human_readable() {
            Vec::<Repr>::deserialize(d)?
                .into_iter()
                .map(Repr::value)
                .collect()
        } else {
            Vec::<f64>::deserialize(d)
        }
    }
}

/// `Vec<(f64, f64)>` fields: `#[serde(with = "crate::serde_nan::pairs")]`.
pub(crate) mod pairs {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &[(f64, f64)], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_seq(v.iter().map(|&(a, b)| (Repr::of(a), Repr::of(b))))
        } else {
            v.serialize(s)
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<(f64, f64)>, D::Error> {
        if d.is_human_readable() {
            Vec::<(Repr, Repr)>::deserialize(d)?
                .into_iter()
                .map(|(a, b)| Ok((a.value()?, b.value()?)))
                .collect()
        } else {
            Vec::<(f64, f64)>::deserialize(d)
        }
    }
}

/// `Array2<f64>` fields, in `ndarray`'s layout: `#[serde(with = "crate::serde_nan::array2")]`.
pub(crate) mod array2 {
    use super::*;

    #[derive(Serialize)]
    struct Out<T> {
        v: u8,
        dim: [usize; 2],
        data: Vec<T>,
    }

    #[derive(Deserialize)]
    struct In<T> {
        v: u8,
        dim: [usize; 2],
        data: Vec<T>,
    }

    pub(crate) fn serialize<S: Serializer>(a: &Array2<f64>, s: S) -> Result<S::Ok, S::Error> {
        let dim = [a.nrows(), a.ncols()];
        if s.is_human_readable() {
            let data = a.iter().map(|&x| Repr::of(x)).collect();
            Out { v: 1, dim, data }.serialize(s)
        } else {
            let data = a.iter().copied().collect();
            Out { v: 1, dim, data }.serialize(s)
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Array2<f64>, D::Error> {
        let (v, dim, data) = if d.is_human_readable() {
            let i = In::<Repr>::deserialize(d)?;
            let data = i
                .data
                .into_iter()
                .map(Repr::value)
                .collect::<Result<Vec<f64>, D::Error>>()?;
            (i.v, i.dim, data)
        } else {
            let i = In::<f64>::deserialize(d)?;
            (i.v, i.dim, i.data)
        };
        if v != 1 {
            return Err(D::Error::custom(format!(
                "unknown array format version {v}"
            )));
        }
        let [r, c] = dim;
        let len = data.len();
        Array2::from_shape_vec((r, c), data).map_err(|_| {
            D::Error::custom(format!(
                "array of shape [{r}, {c}] with {len} values; expected {}",
                r.saturating_mul(c)
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use ndarray::array;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Serialize, Deserialize)]
    struct T {
        #[serde(with = "super::num")]
        x: f64,
        #[serde(with = "super::vec")]
        v: Vec<f64>,
        #[serde(with = "super::array2")]
        a: ndarray::Array2<f64>,
    }

    fn bits(v: f64) -> u64 {
        if v.is_nan() { 1 } else { v.to_bits() }
    }

    #[test]
    fn json_round_trip_keeps_nan_and_infinities() {
        let t = T {
            x: f64::NAN,
            v: vec![1.5, f64::INFINITY, f64::NEG_INFINITY, -0.0, 5e-324],
            a: array![[1.0, f64::NAN], [f64::MAX, 2.0]],
        };
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(
            json,
            r#"{"x":null,"v":[1.5,"inf","-inf",-0.0,5e-324],"a":{"v":1,"dim":[2,2],"data":[1.0,null,1.7976931348623157e+308,2.0]}}"#
        );
        let back: T = serde_json::from_str(&json).unwrap();
        assert!(back.x.is_nan());
        assert_eq!(
            back.v.iter().map(|&v| bits(v)).collect::<Vec<_>>(),
            t.v.iter().map(|&v| bits(v)).collect::<Vec<_>>()
        );
        assert_eq!(back.a.map(|&v| bits(v)), t.a.map(|&v| bits(v)));
    }

    #[test]
    fn reads_strings_and_rejects_garbage_and_bad_shapes() {
        let ok = r#"{"x":"NaN","v":["Infinity","-INF",2],"a":{"v":1,"dim":[1,1],"data":["nan"]}}"#;
        let t: T = serde_json::from_str(ok).unwrap();
        assert!(t.x.is_nan() && t.a[[0, 0]].is_nan());
        assert_eq!(t.v, vec![f64::INFINITY, f64::NEG_INFINITY, 2.0]);
        let bad = r#"{"x":"many","v":[],"a":{"v":1,"dim":[0,0],"data":[]}}"#;
        let e = serde_json::from_str::<T>(bad).unwrap_err().to_string();
        assert!(e.contains("\"many\""), "{e}");
        let shape = r#"{"x":1,"v":[],"a":{"v":1,"dim":[2,2],"data":[1,2,3]}}"#;
        let e = serde_json::from_str::<T>(shape).unwrap_err().to_string();
        assert!(e.contains("shape [2, 2] with 3 values"), "{e}");
    }

    #[test]
    fn toml_round_trip() {
        let t = T {
            x: 2.5,
            v: vec![f64::INFINITY, 1.0],
            a: array![[3.0]],
        };
        let text = toml::to_string(&t).unwrap();
        let back: T = toml::from_str(&text).unwrap();
        assert_eq!((back.x, back.v, back.a), (t.x, t.v, t.a));
    }
}
