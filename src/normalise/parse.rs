//! The short text forms of [`NormaliserKind`] (`minmax:0,100`, `dist2ref:FRA,cap` ...): [`FromStr`],
//! [`Display`](fmt::Display), and the parameter checks shared with [`Normaliser::fit`](super::Normaliser::fit).

use std::fmt;
use std::str::FromStr;

use super::NormaliserKind;
use crate::error::{Error, Expected, Result};

/// Every accepted form, for error messages.
const VALID_FORMS: [&str; 19] = [
    "minmax",
    "minmax:LO,HI",
    "zscore",
    "zscore:MEAN,SD",
    "rank",
    "prank",
    "borda",
    "dist2max",
    "fracmax",
    "dist2ref:UNIT",
    "dist2ref:UNIT,cap",
    "dist2targ",
    "dist2targ:cap",
    "goalposts",
    "goalposts:SCALE",
    "goalposts:SCALE,notrunc",
    "maxscore",
    "identity",
    "none",
];

/// `s` is not one of [`VALID_FORMS`].
fn bad_form(s: &str) -> Error {
    Error::invalid(
        "normaliser",
        format!("`{s}`"),
        Expected::one_of(VALID_FORMS),
    )
}

fn number(s: &str, whole: &str) -> Result<f64> {
    s.trim().parse::<f64>().map_err(|_| bad_form(whole))
}

fn two_numbers(args: &str, whole: &str) -> Result<(f64, f64)> {
    match args.split(',').collect::<Vec<_>>().as_slice() {
        [a, b] => Ok((number(a, whole)?, number(b, whole)?)),
        _ => Err(bad_form(whole)),
    }
}

impl NormaliserKind {
    /// The method's keyword in the text form (`"minmax"`, `"prank"`, `"dist2targ"` ...).
    pub(super) fn keyword(&self) -> &'static str {
        match self {
            NormaliserKind::MinMax { .. } => "minmax",
            NormaliserKind::ZScore { .. } => "zscore",
            NormaliserKind::Rank => "rank",
            NormaliserKind::PercentileRank => "prank",
            NormaliserKind::Borda => "borda",
            NormaliserKind::DistToMax => "dist2max",
            NormaliserKind::FracMax => "fracmax",
            NormaliserKind::DistToRef { .. } => "dist2ref",
            NormaliserKind::Goalposts { .. } => "goalposts",
            NormaliserKind::DistToTarget { .. } => "dist2targ",
            NormaliserKind::MaxScore => "maxscore",
            NormaliserKind::Identity => "identity",
        }
    }

    /// Check the method's own parameters, without data: `MinMax` needs finite `lo < hi`, `ZScore` a
    /// finite mean and a finite `sd > 0`, `Goalposts` a finite `scale > 0`, `DistToRef` a non-empty unit
    /// code. [`Normaliser::fit`](super::Normaliser::fit) runs this first; parsing runs it too.
    ///
    /// ```
    /// use composite_indicators::NormaliserKind;
    /// assert!(NormaliserKind::MinMax { lo: 0.0, hi: 1.0 }.check().is_ok());
    /// assert!(NormaliserKind::MinMax { lo: 1.0, hi: 0.0 }.check().is_err());
    /// assert!(NormaliserKind::ZScore { mean: 0.0, sd: 0.0 }.check().is_err());
    /// ```
    pub fn check(&self) -> Result<()> {
        match self {
            NormaliserKind::MinMax { lo, hi }
                if !(lo.is_finite() && hi.is_finite() && lo < hi && (hi - lo).is_finite()) =>
            {
                Err(Error::invalid(
                    "minmax lo,hi",
                    format!("{lo}, {hi}"),
                    Expected::Rule("need finite bounds with lo < hi and a finite hi − lo".into()),
                ))
            }
            NormaliserKind::ZScore { mean, sd }
                if !(mean.is_finite() && sd.is_finite() && *sd > 0.0) =>
            {
                Err(Error::invalid(
                    "zscore mean,sd",
                    format!("{mean}, {sd}"),
                    Expected::Rule("need a finite mean and a finite sd > 0".into()),
                ))
            }
            NormaliserKind::Goalposts { scale, .. } if !(scale.is_finite() && *scale > 0.0) => {
                Err(Error::invalid("goalposts scale", scale, Expected::Positive))
            }
            NormaliserKind::DistToRef { unit, .. } if unit.is_empty() => {
                Err(Error::invalid("dist2ref unit", "", Expected::NonEmpty))
            }
            _ => Ok(()),
        }
    }
}

/// Parse the text form used on command lines and in reports.
///
/// | text | variant |
/// |---|---|
/// | `minmax` / `minmax:LO,HI` | `MinMax { lo: 0, hi: 100 }` / `MinMax { lo, hi }` |
/// | `zscore` / `zscore:MEAN,SD` | `ZScore { mean: 0, sd: 1 }` / `ZScore { mean, sd }` |
/// | `rank`, `prank`, `borda` | `Rank`, `PercentileRank`, `Borda` |
/// | `dist2max`, `fracmax`, `maxscore` | `DistToMax`, `FracMax`, `MaxScore` |
/// | `dist2ref:UNIT` / `dist2ref:UNIT,cap` | `DistToRef { unit, cap_max: false / true }` |
/// | `dist2targ` / `dist2targ:cap` | `DistToTarget { cap_max: false / true }` |
/// | `goalposts` / `goalposts:SCALE` / `goalposts:SCALE,notrunc` | `Goalposts { scale: 1 / SCALE, truncate: true }` / `truncate: false` |
/// | `identity` / `none` | `Identity` |
///
/// Keywords are case-insensitive and surrounding spaces are ignored; the unit code of `dist2ref` is kept
/// as written (a unit code ending in `,cap` cannot be expressed). Anything else, and parameters that
/// fail [`NormaliserKind::check`], give [`Error::InvalidParameter`] listing the valid forms.
///
/// ```
/// use composite_indicators::NormaliserKind;
/// let k: NormaliserKind = "minmax:1,10".parse().unwrap();
/// assert_eq!(k, NormaliserKind::MinMax { lo: 1.0, hi: 10.0 });
/// let k: NormaliserKind = "dist2ref:FRA,cap".parse().unwrap();
/// assert_eq!(k, NormaliserKind::DistToRef { unit: "FRA".into(), cap_max: true });
/// assert!("minmax:10,1".parse::<NormaliserKind>().is_err());
/// assert!("softmax".parse::<NormaliserKind>().unwrap_err().to_string().contains("dist2targ"));
/// ```
impl FromStr for NormaliserKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let whole = s.trim();
        let (head, args) = match whole.split_once(':') {
            Some((h, a)) => (h.trim().to_ascii_lowercase(), Some(a.trim())),
            None => (whole.to_ascii_lowercase(), None),
        };
        let kind = match (head.as_str(), args) {
            ("minmax", None) => NormaliserKind::MinMax { lo: 0.0, hi: 100.0 },
            ("minmax", Some(a)) => {
                let (lo, hi) = two_numbers(a, whole)?;
                NormaliserKind::MinMax { lo, hi }
            }
            ("zscore", None) => NormaliserKind::ZScore { mean: 0.0, sd: 1.0 },
            ("zscore", Some(a)) => {
                let (mean, sd) = two_numbers(a, whole)?;
                NormaliserKind::ZScore { mean, sd }
            }
            ("rank", None) => NormaliserKind::Rank,
            ("prank", None) => NormaliserKind::PercentileRank,
            ("borda", None) => NormaliserKind::Borda,
            ("dist2max", None) => NormaliserKind::DistToMax,
            ("fracmax", None) => NormaliserKind::FracMax,
            ("dist2ref", Some(a)) => {
                let (unit, cap_max) = match a.strip_suffix(",cap") {
                    Some(u) => (u, true),
                    None => (a, false),
                };
                if unit.is_empty() {
                    return Err(bad_form(whole));
                }
                NormaliserKind::DistToRef {
                    unit: unit.to_string(),
                    cap_max,
                }
            }
            ("dist2targ", None) => NormaliserKind::DistToTarget { cap_max: false },
            ("dist2targ", Some(a)) if a.eq_ignore_ascii_case("cap") => {
                NormaliserKind::DistToTarget { cap_max: true }
            }
            ("goalposts", None) => NormaliserKind::Goalposts {
                scale: 1.0,
                truncate: true,
            },
            ("goalposts", Some(a)) => {
                let (scale, truncate) = match a.split_once(',') {
                    Some((s, flag)) if flag.trim().eq_ignore_ascii_case("notrunc") => (s, false),
                    Some(_) => return Err(bad_form(whole)),
                    None => (a, true),
                };
                NormaliserKind::Goalposts {
                    scale: number(scale, whole)?,
                    truncate,
                }
            }
            ("maxscore", None) => NormaliserKind::MaxScore,
            ("identity" | "none", None) => NormaliserKind::Identity,
            _ => return Err(bad_form(whole)),
        };
        kind.check().map_err(|e| match e {
            Error::InvalidParameter {
                parameter,
                value,
                expected,
            } => Error::InvalidParameter {
                parameter,
                value: if value.is_empty() {
                    format!("(in `{whole}`)")
                } else {
                    format!("{value} (in `{whole}`)")
                },
                expected,
            },
            other => other,
        })?;
        Ok(kind)
    }
}

/// The text form that [`FromStr`] reads back to the same value; defaults print short (`minmax`,
/// `zscore`, `goalposts`).
///
/// ```
/// use composite_indicators::NormaliserKind;
/// assert_eq!(NormaliserKind::default().to_string(), "minmax");
/// assert_eq!(NormaliserKind::MinMax { lo: 1.0, hi: 10.0 }.to_string(), "minmax:1,10");
/// let k = NormaliserKind::Goalposts { scale: 100.0, truncate: false };
/// assert_eq!(k.to_string().parse::<NormaliserKind>().unwrap(), k);
/// ```
impl fmt::Display for NormaliserKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kw = self.keyword();
        match self {
            NormaliserKind::MinMax { lo, hi } if *lo == 0.0 && *hi == 100.0 => write!(f, "{kw}"),
            NormaliserKind::MinMax { lo, hi } => write!(f, "{kw}:{lo},{hi}"),
            NormaliserKind::ZScore { mean, sd } if *mean == 0.0 && *sd == 1.0 => write!(f, "{kw}"),
            NormaliserKind::ZScore { mean, sd } => write!(f, "{kw}:{mean},{sd}"),
            NormaliserKind::DistToRef { unit, cap_max } => {
                write!(f, "{kw}:{unit}{}", if *cap_max { ",cap" } else { "" })
            }
            NormaliserKind::DistToTarget { cap_max: true } => write!(f, "{kw}:cap"),
            NormaliserKind::Goalposts {
                scale,
                truncate: true,
            } if *scale == 1.0 => write!(f, "{kw}"),
            NormaliserKind::Goalposts {
                scale,
                truncate: true,
            } => write!(f, "{kw}:{scale}"),
            NormaliserKind::Goalposts {
                scale,
                truncate: false,
            } => write!(f, "{kw}:{scale},notrunc"),
            _ => write!(f, "{kw}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<NormaliserKind> {
        s.parse()
    }

    #[test]
    fn parses_every_documented_form() {
        use NormaliserKind as K;
        let cases = [
            ("minmax", K::MinMax { lo: 0.0, hi: 100.0 }),
            ("minmax:-1,1", K::MinMax { lo: -1.0, hi: 1.0 }),
            (" MinMax : 0 , 1 ", K::MinMax { lo: 0.0, hi: 1.0 }),
            ("zscore", K::ZScore { mean: 0.0, sd: 1.0 }),
            (
                "zscore:10,2.5",
                K::ZScore {
                    mean: 10.0,
                    sd: 2.5,
                },
            ),
            ("rank", K::Rank),
            ("prank", K::PercentileRank),
            ("borda", K::Borda),
            ("dist2max", K::DistToMax),
            ("fracmax", K::FracMax),
            (
                "dist2ref:FRA",
                K::DistToRef {
                    unit: "FRA".into(),
                    cap_max: false,
                },
            ),
            (
                "dist2ref:FRA,cap",
                K::DistToRef {
                    unit: "FRA".into(),
                    cap_max: true,
                },
            ),
            ("dist2targ", K::DistToTarget { cap_max: false }),
            ("dist2targ:cap", K::DistToTarget { cap_max: true }),
            (
                "goalposts",
                K::Goalposts {
                    scale: 1.0,
                    truncate: true,
                },
            ),
            (
                "goalposts:100",
                K::Goalposts {
                    scale: 100.0,
                    truncate: true,
                },
            ),
            (
                "goalposts:100,notrunc",
                K::Goalposts {
                    scale: 100.0,
                    truncate: false,
                },
            ),
            ("maxscore", K::MaxScore),
            ("identity", K::Identity),
            ("none", K::Identity),
        ];
        for (s, want) in cases {
            assert_eq!(p(s).unwrap(), want, "{s}");
            // and Display reads back
            assert_eq!(p(&want.to_string()).unwrap(), want, "{s}");
        }
    }

    #[test]
    fn rejects_bad_forms_listing_the_valid_ones() {
        for s in [
            "",
            "softmax",
            "minmax:1",
            "minmax:1,2,3",
            "minmax:a,b",
            "minmax:5,1",
            "minmax:0,inf",
            "zscore:0,0",
            "zscore:0,-1",
            "rank:3",
            "dist2ref",
            "dist2ref:",
            "dist2ref:,cap",
            "dist2targ:yes",
            "goalposts:x",
            "goalposts:0",
            "goalposts:1,trunc",
            "identity:1",
        ] {
            match p(s) {
                Err(Error::InvalidParameter {
                    value, expected, ..
                }) => {
                    assert!(
                        expected == Expected::one_of(VALID_FORMS) || value.contains(s.trim()),
                        "{s}: {value}, {expected}"
                    );
                }
                other => panic!("`{s}` gave {other:?}"),
            }
        }
        let e = p("softmax").unwrap_err().to_string();
        assert!(
            e.contains("minmax:LO,HI") && e.contains("goalposts:SCALE"),
            "{e}"
        );
    }

    #[test]
    fn display_short_and_long_forms() {
        assert_eq!(NormaliserKind::default().to_string(), "minmax");
        assert_eq!(
            NormaliserKind::MinMax { lo: 0.5, hi: 1e3 }.to_string(),
            "minmax:0.5,1000"
        );
        assert_eq!(
            NormaliserKind::ZScore { mean: 0.0, sd: 1.0 }.to_string(),
            "zscore"
        );
        assert_eq!(NormaliserKind::PercentileRank.to_string(), "prank");
        assert_eq!(
            NormaliserKind::DistToTarget { cap_max: true }.to_string(),
            "dist2targ:cap"
        );
        assert_eq!(NormaliserKind::Identity.to_string(), "identity");
    }
}
