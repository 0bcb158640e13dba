//! Serde helpers for floats that may be NaN or infinite (missing values, undefined statistics).
//!
//! JSON has no NaN or infinity: `serde_json` writes them as `null` and then refuses to read `null`
//! back as a float, so a data set with a missing value, or a report with an undefined correlation,
//! would not survive a round trip. The fields that can hold such values use these helpers:
//!
//! * in human-readable formats a value is written as the float it is, except ±∞, which are the
//!   strings `"inf"` / `"-inf"` (JSON would turn them into `null`, indistinguishable from NaN): JSON
//!   shows NaN as `null` (what most JSON tools write for a missing number), TOML as `nan`;
//! * reading accepts a number (TOML's `nan` / `inf` included), `null` (NaN), or one of the strings
//!   `"NaN"`, `"inf"`, `"+inf"`, `"-inf"`, `"infinity"`, `"-infinity"` (any case);
//! * compact binary formats store the `f64` itself.
//!
//! Arrays keep `ndarray`'s own layout (`{"v": 1, "dim": [rows, cols], "data": [...]}`, row-major), so
//! files written by `ndarray`'s serde read, and the other way round.

use std::fmt;

use ndarray::Array2;
use serde::de::{Error as _, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One float in a human-readable format (see the module docs).
#[derive(Clone, Copy)]
struct Human(f64);

impl Serialize for Human {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 == f64::INFINITY {
            s.serialize_str("inf")
        } else if self.0 == f64::NEG_INFINITY {
            s.serialize_str("-inf")
        } else {
            s.serialize_f64(self.0)
        }
    }
}

struct HumanVisitor;

impl Visitor<'_> for HumanVisitor {
    type Value = Human;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number, null, \"NaN\", \"inf\" or \"-inf\"")
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Human, E> {
        Ok(Human(v))
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Human, E> {
        Ok(Human(v as f64))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Human, E> {
        Ok(Human(v as f64))
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Human, E> {
        Ok(Human(f64::NAN))
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<Human, E> {
        Ok(Human(f64::NAN))
    }
    fn visit_str<E: serde::de::Error>(self, t: &str) -> Result<Human, E> {
        match t.trim().to_ascii_lowercase().as_str() {
            "nan" => Ok(Human(f64::NAN)),
            "inf" | "+inf" | "infinity" | "+infinity" => Ok(Human(f64::INFINITY)),
            "-inf" | "-infinity" => Ok(Human(f64::NEG_INFINITY)),
            _ => Err(E::custom(format!(
                "expected a number, null, \"NaN\", \"inf\" or \"-inf\", found \"{t}\""
            ))),
        }
    }
}

impl<'de> Deserialize<'de> for Human {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Human, D::Error> {
        d.deserialize_any(HumanVisitor)
    }
}

/// `f64` fields: `#[serde(with = "crate::serde_nan::num")]`.
pub(crate) mod num {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            Human(*v).serialize(s)
        } else {
            v.serialize(s)
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        if d.is_human_readable() {
            Human::deserialize(d).map(|h| h.0)
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
            s.collect_seq(v.iter().map(|&x| Human(x)))
        } else {
            v.serialize(s)
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        if d.is_human_readable() {
            Ok(Vec::<Human>::deserialize(d)?
                .into_iter()
                .map(|h| h.0)
                .collect())
        } else {
            Vec::<f64>::deserialize(d)
        }
    }
}

/// `Vec<Vec<f64>>` fields: `#[serde(with = "crate::serde_nan::vec_vec")]`.
pub(crate) mod vec_vec {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &[Vec<f64>], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_seq(
                v.iter()
                    .map(|row| row.iter().map(|&x| Human(x)).collect::<Vec<_>>()),
            )
        } else {
            v.serialize(s)
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<f64>>, D::Error> {
        if d.is_human_readable() {
            Ok(Vec::<Vec<Human>>::deserialize(d)?
                .into_iter()
                .map(|row| row.into_iter().map(|h| h.0).collect())
                .collect())
        } else {
            Vec::<Vec<f64>>::deserialize(d)
        }
    }
}

/// `Vec<(f64, f64)>` fields: `#[serde(with = "crate::serde_nan::pairs")]`.
pub(crate) mod pairs {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &[(f64, f64)], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_seq(v.iter().map(|&(a, b)| (Human(a), Human(b))))
        } else {
            v.serialize(s)
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<(f64, f64)>, D::Error> {
        if d.is_human_readable() {
            Ok(Vec::<(Human, Human)>::deserialize(d)?
                .into_iter()
                .map(|(a, b)| (a.0, b.0))
                .collect())
        } else {
            Vec::<(f64, f64)>::deserialize(d)
        }
    }
}

/// `Array2<f64>` fields, in `ndarray`'s layout: `#[serde(with = "crate::serde_nan::array2")]`.
pub(crate) mod array2 {
    use super::*;

    #[derive(Serialize)]
    #[serde(rename = "Array")]
    struct Out<T> {
        v: u8,
        dim: [usize; 2],
        data: Vec<T>,
    }

    #[derive(Deserialize)]
    #[serde(rename = "Array", deny_unknown_fields)]
    struct In<T> {
        v: u8,
        dim: [usize; 2],
        data: Vec<T>,
    }

    pub(crate) fn serialize<S: Serializer>(a: &Array2<f64>, s: S) -> Result<S::Ok, S::Error> {
        let dim = [a.nrows(), a.ncols()];
        if s.is_human_readable() {
            let data = a.iter().map(|&x| Human(x)).collect();
            Out { v: 1, dim, data }.serialize(s)
        } else {
            let data = a.iter().copied().collect();
            Out { v: 1, dim, data }.serialize(s)
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Array2<f64>, D::Error> {
        let (v, dim, data) = if d.is_human_readable() {
            let i = In::<Human>::deserialize(d)?;
            (i.v, i.dim, i.data.into_iter().map(|h| h.0).collect())
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
    fn toml_round_trip_uses_toml_nan() {
        let t = T {
            x: f64::NAN,
            v: vec![f64::INFINITY, f64::NAN, 1.0],
            a: array![[3.0, f64::NAN]],
        };
        let text = toml::to_string(&t).unwrap();
        assert!(text.contains("x = nan"), "{text}");
        let back: T = toml::from_str(&text).unwrap();
        assert!(back.x.is_nan());
        assert_eq!(
            back.v.iter().map(|&v| bits(v)).collect::<Vec<_>>(),
            t.v.iter().map(|&v| bits(v)).collect::<Vec<_>>()
        );
        assert_eq!(back.a.map(|&v| bits(v)), t.a.map(|&v| bits(v)));
    }

    #[test]
    fn the_array_layout_is_ndarrays() {
        let a = array![[1.0, 2.5], [-0.0, 4.0]];
        #[derive(Serialize, Deserialize)]
        struct W {
            #[serde(with = "super::array2")]
            a: ndarray::Array2<f64>,
        }
        #[derive(Serialize, Deserialize)]
        struct Plain {
            a: ndarray::Array2<f64>,
        }
        let ours = serde_json::to_string(&W { a: a.clone() }).unwrap();
        assert_eq!(
            ours,
            serde_json::to_string(&Plain { a: a.clone() }).unwrap()
        );
        let back: Plain = serde_json::from_str(&ours).unwrap();
        assert_eq!(back.a, a);
        let extra = ours.replace(r#""v":1,"#, r#""v":1,"w":2,"#);
        assert!(serde_json::from_str::<W>(&extra).is_err());
    }
}
