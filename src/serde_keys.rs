//! Serde helper for internally tagged method enums (`{"method": "rank"}`): serde's derive accepts and
//! ignores any key beside the tag of a unit variant, even with `deny_unknown_fields`, so
//! `{"method": "rank", "lo": 1}` would read as `Rank` with `lo` silently dropped. The enums that have
//! unit variants read through [`no_keys_beside_unit_variant`], which refuses that. Also the
//! defaults of boolean flags that files write only when off ([`yes`], [`is_true`]).

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};

/// `true`: the serde default of flags that are on unless a file says otherwise.
pub(crate) fn yes() -> bool {
    true
}

/// Whether a flag is on: such flags are written only when off (`skip_serializing_if`), so files
/// that keep the default read and write as before the flag existed.
pub(crate) fn is_true(b: &bool) -> bool {
    *b
}

/// Read a tagged enum with `inner` (its derived deserializer, `#[serde(remote = "Self")]`), then
/// refuse keys other than the tag `tag` when the value read is a unit variant (`is_unit`). The value
/// is buffered as a `toml::Value`, which keeps every float (`nan` and `±inf` included, so a spec
/// written with them reads back) and reads from JSON as well as TOML (the formats of the crate's
/// configs; a self-describing format is needed). JSON `null` has no TOML counterpart and is refused
/// with serde's message: none of these enums takes one.
pub(crate) fn no_keys_beside_unit_variant<'de, D, T>(
    d: D,
    tag: &str,
    inner: impl FnOnce(toml::Value) -> Result<T, toml::de::Error>,
    is_unit: impl Fn(&T) -> bool,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    let v = toml::Value::deserialize(d)?;
    let extra: Vec<String> = v
        .as_table()
        .map(|t| {
            t.keys()
                .filter(|k| k.as_str() != tag)
                .map(|k| format!("`{k}`"))
                .collect()
        })
        .unwrap_or_default();
    let name = v
        .get(tag)
        .and_then(|m| m.as_str())
        .unwrap_or_default()
        .to_string();
    let t = inner(v).map_err(|e| D::Error::custom(e.message()))?;
    if is_unit(&t) && !extra.is_empty() {
        return Err(D::Error::custom(format!(
            "{tag} `{name}` takes no parameters: remove {}",
            extra.join(", ")
        )));
    }
    Ok(t)
}

/// `Serialize` and `Deserialize` for a tagged enum declared with `#[serde(remote = "Self")]` (so its
/// derived code is inherent functions): serialising as derived, reading through
/// [`no_keys_beside_unit_variant`] with the tag and the unit variants given.
macro_rules! strict_tagged {
    ($ty:ty, $tag:literal, $($unit:path)|+) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                <$ty>::serialize(self, s)
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(
                d: D,
            ) -> std::result::Result<Self, D::Error> {
                $crate::serde_keys::no_keys_beside_unit_variant(d, $tag, <$ty>::deserialize, |v| {
                    matches!(v, $($unit)|+)
                })
            }
        }
    };
}

pub(crate) use strict_tagged;

#[cfg(test)]
mod tests {
    use crate::aggregate::{MissingPolicy, PreferenceFunction};
    use crate::prepare::ImputeMethod;
    use crate::{AggregatorKind, NormaliserKind};

    /// A key repeated in a JSON method table is refused (by `toml::Value`'s reader), not read as
    /// its last value.
    #[test]
    fn repeated_keys_are_refused() {
        for bad in [
            r#"{"method":"rank","method":"min_max"}"#,
            r#"{"method":"min_max","lo":0,"lo":1,"hi":2}"#,
        ] {
            let e = serde_json::from_str::<NormaliserKind>(bad)
                .unwrap_err()
                .to_string();
            assert!(e.contains("duplicate key"), "{bad}: {e}");
        }
    }

    #[test]
    fn keys_beside_a_unit_variant_are_refused() {
        for bad in [
            r#"{"method":"rank","lo":1}"#,
            r#"{"method":"prank","x":0,"y":1}"#,
        ] {
            let e = serde_json::from_str::<NormaliserKind>(bad)
                .unwrap_err()
                .to_string();
            assert!(e.contains("takes no parameters"), "{bad}: {e}");
        }
        let e = toml::from_str::<AggregatorKind>("method = \"arithmetic\"\noffset = 1.0")
            .unwrap_err()
            .to_string();
        assert!(e.contains("`offset`"), "{e}");
        let e = serde_json::from_str::<ImputeMethod>(r#"{"method":"mean","group":"r"}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("`group`"), "{e}");
        let e = toml::from_str::<MissingPolicy>("policy = \"propagate\"\nmin_coverage = 0.5")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("policy `propagate`") && e.contains("min_coverage"),
            "{e}"
        );
        let e = serde_json::from_str::<PreferenceFunction>(r#"{"function":"usual","p":1}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("`p`"), "{e}");
        // what was accepted before still is, and round-trips through JSON and TOML
        for k in [
            NormaliserKind::Rank,
            NormaliserKind::MinMax { lo: 1.0, hi: 2.0 },
            NormaliserKind::DistToRef {
                unit: "A".into(),
                cap_max: true,
            },
        ] {
            let j = serde_json::to_string(&k).unwrap();
            assert_eq!(serde_json::from_str::<NormaliserKind>(&j).unwrap(), k);
            let t = toml::to_string(&k).unwrap();
            assert_eq!(toml::from_str::<NormaliserKind>(&t).unwrap(), k);
        }
        for k in [
            AggregatorKind::Median,
            AggregatorKind::Geometric { offset: 1.0 },
        ] {
            let j = serde_json::to_string(&k).unwrap();
            assert_eq!(serde_json::from_str::<AggregatorKind>(&j).unwrap(), k);
        }
        for p in [
            MissingPolicy::Propagate,
            MissingPolicy::Skip { min_coverage: 0.5 },
        ] {
            let t = toml::to_string(&p).unwrap();
            assert_eq!(toml::from_str::<MissingPolicy>(&t).unwrap(), p);
        }
        // non-finite floats survive the buffer (TOML `inf`; the parameter checks judge them later)
        let k = toml::from_str::<AggregatorKind>("method = \"power\"\np = inf").unwrap();
        assert_eq!(k, AggregatorKind::Power { p: f64::INFINITY });
        let k = toml::to_string(&k).unwrap();
        assert_eq!(
            toml::from_str::<AggregatorKind>(&k).unwrap(),
            AggregatorKind::Power { p: f64::INFINITY }
        );
        // other mistakes keep serde's own messages
        let e = serde_json::from_str::<NormaliserKind>(r#"{"method":"min_max","h1":1}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("h1"), "{e}");
    }
}
