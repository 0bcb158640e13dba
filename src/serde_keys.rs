//! Serde helper for internally tagged method enums (`{"method": "rank"}`): serde's derive accepts and
//! ignores any key beside the tag of a unit variant, even with `deny_unknown_fields`, so
//! `{"method": "rank", "lo": 1}` would read as `Rank` with `lo` silently dropped. The enums that have
//! unit variants read through [`no_keys_beside_unit_variant`], which refuses that.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};

/// Read a method enum with `inner` (its derived deserializer, `#[serde(remote = "Self")]`), then
/// refuse keys other than `method` when the value read is a unit variant (`is_unit`). The value is
/// buffered as a `serde_json::Value`, so this needs a self-describing format (JSON, TOML: the
/// formats the crate's configs use).
pub(crate) fn no_keys_beside_unit_variant<'de, D, T>(
    d: D,
    inner: impl FnOnce(serde_json::Value) -> Result<T, serde_json::Error>,
    is_unit: impl Fn(&T) -> bool,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    let v = serde_json::Value::deserialize(d)?;
    let extra: Vec<String> = v
        .as_object()
        .map(|o| {
            o.keys()
                .filter(|k| k.as_str() != "method")
                .map(|k| format!("`{k}`"))
                .collect()
        })
        .unwrap_or_default();
    let method = v
        .get("method")
        .and_then(|m| m.as_str())
        .unwrap_or_default()
        .to_string();
    let t = inner(v).map_err(D::Error::custom)?;
    if is_unit(&t) && !extra.is_empty() {
        return Err(D::Error::custom(format!(
            "method `{method}` takes no parameters: remove {}",
            extra.join(", ")
        )));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use crate::{AggregatorKind, NormaliserKind};

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
        // what was accepted before still is, and round-trips
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
        // other mistakes keep serde's own messages
        let e = serde_json::from_str::<NormaliserKind>(r#"{"method":"min_max","h1":1}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("h1"), "{e}");
    }
}
