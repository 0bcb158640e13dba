//! The framework table of the China Biopharmaceutical City Innovation Index (`data/cbcii/framework.csv`).

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use crate::error::Result;
use crate::spec::{Direction, FrameworkSpec, Indicator, Pillar};

use crate::io::table::{Table, field};
use crate::io::{open_path, path_name};

/// Code of the root node built by [`read_cbcii_framework`].
pub const CBCII_ROOT: &str = "CBCII";
/// Name of the index (the spec's `name` and the root's name).
pub const CBCII_NAME: &str = "China Biopharmaceutical City Innovation Index";

/// Read the CBCII framework table into a three-level spec: indicators → sub-pillars → pillars → root.
///
/// Columns used (by header name, any order; others such as the Chinese names and sources are ignored):
/// `code`, `pillar_en`, `subpillar_en`, `indicator_en`, `unit_en`, `direction`, `bonus`, `subsector`,
/// `horizon`, `max_score`.
///
/// * Indicator: code = `code` (`P1.S1.I1`), name = `indicator_en`, unit = `unit_en`, direction from
///   `direction` (`1` / `-1`), weight 1, parent = the sub-pillar code (`P1.S1`), `bonus` from `bonus`
///   (`true` / `false`), `max_score` from `max_score` (empty = none), tags: the horizon (`status` or
///   `potential`) first, then `subsector` when `subsector` is `true`.
/// * Sub-pillar `P1.S1`: name = `subpillar_en`, parent = pillar `P1`, weight 1.
/// * Pillar `P1`: name = `pillar_en`, parent = [`CBCII_ROOT`], weight 1.
/// * Root [`CBCII_ROOT`], named [`CBCII_NAME`]; the spec's name is [`CBCII_NAME`].
/// * Aggregation methods are left `None`: the caller chooses (the report adds pillar scores).
/// * Order: indicators in file order; then sub-pillars, then pillars (each in order of first
///   appearance), then the root.
///
/// Errors ([`Error::Parse`](crate::Error::Parse), `source_name` `"CBCII framework CSV"`, with line and
/// column): a missing column, a code not of the form `P….S….I…`, a bad direction, boolean or horizon, a
/// non-finite or non-numeric max score, a sub-pillar or pillar named differently on two rows;
/// [`Error::EmptyData`](crate::Error::EmptyData) for an empty input.
///
/// ```
/// use composite_indicators::io::datasets::cbcii::read_cbcii_framework;
/// let text = "code,pillar_en,subpillar_en,indicator_en,unit_en,direction,bonus,subsector,horizon,max_score\n\
///             P1.S1.I1,Infra,Location,Conditions,index,-1,false,true,status,\n\
///             P1.S1.I2,Infra,Location,Fairs,events,1,true,false,potential,1\n";
/// let spec = read_cbcii_framework(text.as_bytes()).unwrap();
/// assert_eq!(spec.indicators[0].tags, vec!["status".to_string(), "subsector".to_string()]);
/// assert!(spec.indicators[1].bonus);
/// assert_eq!(spec.indicators[1].max_score, Some(1.0));
/// let fw = spec.check().unwrap();
/// assert_eq!(fw.root().code, "CBCII");
/// assert_eq!(fw.node("P1.S1").unwrap().children.len(), 2);
/// ```
pub fn read_cbcii_framework<R: Read>(reader: R) -> Result<FrameworkSpec> {
    read_named(reader, "CBCII framework CSV")
}

/// [`read_cbcii_framework`] on a file; errors name the path.
///
/// ```
/// let spec = composite_indicators::io::datasets::cbcii::read_cbcii_framework_path("data/cbcii/framework.csv").unwrap();
/// assert_eq!(spec.indicators.len(), 79);
/// ```
pub fn read_cbcii_framework_path(path: impl AsRef<Path>) -> Result<FrameworkSpec> {
    let path = path.as_ref();
    read_named(open_path(path)?, &path_name(path))
}

fn parse_bool(t: &Table, line: usize, c: usize, code: &str, s: &str) -> Result<bool> {
    if s.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if s.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(t.cell_error(
            line,
            c,
            format!("`{code}`: `{s}` is not a boolean (true / false)"),
        ))
    }
}

fn read_named<R: Read>(reader: R, source: &str) -> Result<FrameworkSpec> {
    let t = Table::read(reader, source)?;
    t.require_rows()?;
    let c_code = t.require("code")?;
    let c_pillar = t.require("pillar_en")?;
    let c_sub = t.require("subpillar_en")?;
    let c_ind = t.require("indicator_en")?;
    let c_unit = t.require("unit_en")?;
    let c_dir = t.require("direction")?;
    let c_bonus = t.require("bonus")?;
    let c_subsector = t.require("subsector")?;
    let c_horizon = t.require("horizon")?;
    let c_max = t.require("max_score")?;

    let mut indicators = Vec::with_capacity(t.rows.len());
    // code -> (name, line first seen); keeps first-appearance order in the Vecs
    let mut subs: Vec<Pillar> = Vec::new();
    let mut pillars: Vec<Pillar> = Vec::new();
    let mut seen: HashMap<String, (String, usize)> = HashMap::new();

    for (line, row) in &t.rows {
        let line = *line;
        let code = field(row, c_code);
        let parts: Vec<&str> = code.split('.').collect();
        let well_formed = parts.len() == 3
            && ["P", "S", "I"]
                .iter()
                .zip(&parts)
                .all(|(pre, p)| p.len() > 1 && p.starts_with(pre));
        if !well_formed {
            return Err(t.cell_error(
                line,
                c_code,
                format!("`{code}` is not an indicator code of the form P1.S1.I1"),
            ));
        }
        let pillar_code = parts.first().copied().unwrap_or_default().to_string();
        let sub_code = format!(
            "{pillar_code}.{}",
            parts.get(1).copied().unwrap_or_default()
        );

        for (node, name_col, parent) in [
            (&pillar_code, c_pillar, CBCII_ROOT.to_string()),
            (&sub_code, c_sub, pillar_code.clone()),
        ] {
            let name = field(row, name_col).to_string();
            match seen.get(node.as_str()) {
                Some((prev, prev_line)) if *prev != name => {
                    return Err(t.cell_error(
                        line,
                        name_col,
                        format!("`{node}` is named `{name}` here but `{prev}` on line {prev_line}"),
                    ));
                }
                Some(_) => {}
                None => {
                    seen.insert(node.clone(), (name.clone(), line));
                    let p = Pillar {
                        code: node.clone(),
                        name,
                        parent: Some(parent),
                        weight: 1.0,
                        aggregation: None,
                    };
                    if node == &pillar_code {
                        pillars.push(p);
                    } else {
                        subs.push(p);
                    }
                }
            }
        }

        let ds = field(row, c_dir);
        let direction = match ds {
            "1" | "+1" => Direction::Positive,
            "-1" => Direction::Negative,
            _ => {
                return Err(t.cell_error(
                    line,
                    c_dir,
                    format!("direction of `{code}` is `{ds}`; expected 1 or -1"),
                ));
            }
        };
        let bonus = parse_bool(&t, line, c_bonus, code, field(row, c_bonus))?;
        let subsector = parse_bool(&t, line, c_subsector, code, field(row, c_subsector))?;
        let horizon = match field(row, c_horizon) {
            h @ ("status" | "potential") => h.to_string(),
            other => {
                return Err(t.cell_error(
                    line,
                    c_horizon,
                    format!("horizon of `{code}` is `{other}`; expected status or potential"),
                ));
            }
        };
        let ms = field(row, c_max);
        let max_score = if ms.is_empty() {
            None
        } else {
            match ms.parse::<f64>() {
                Ok(v) if v.is_finite() => Some(v),
                _ => {
                    return Err(t.cell_error(
                        line,
                        c_max,
                        format!(
                            "max_score of `{code}` is `{ms}`; expected a finite number or empty"
                        ),
                    ));
                }
            }
        };
        let mut tags = vec![horizon];
        if subsector {
            tags.push("subsector".to_string());
        }
        indicators.push(Indicator {
            code: code.to_string(),
            name: field(row, c_ind).to_string(),
            unit: field(row, c_unit).to_string(),
            direction,
            weight: 1.0,
            parent: sub_code,
            tags,
            bonus,
            target: None,
            goalposts: None,
            max_score,
            denominator: None,
        });
    }
    let mut all = subs;
    all.extend(pillars);
    all.push(Pillar {
        code: CBCII_ROOT.to_string(),
        name: CBCII_NAME.to_string(),
        parent: None,
        weight: 1.0,
        aggregation: None,
    });
    Ok(FrameworkSpec {
        name: CBCII_NAME.to_string(),
        indicators,
        pillars: all,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    const HEAD: &str = "code,pillar_en,subpillar_en,indicator_en,unit_en,direction,bonus,subsector,horizon,max_score\n";

    #[test]
    fn structure_of_a_small_table() {
        let text = format!(
            "{HEAD}P1.S1.I1,A,a1,x,u,1,false,false,status,\nP1.S2.I1,A,a2,y,u,-1,false,true,potential,5\nP2.S1.I1,B,b1,z,u,1,true,false,status,\n"
        );
        let spec = read_cbcii_framework(text.as_bytes()).unwrap();
        let codes: Vec<&str> = spec.pillars.iter().map(|p| p.code.as_str()).collect();
        assert_eq!(codes, vec!["P1.S1", "P1.S2", "P2.S1", "P1", "P2", "CBCII"]);
        assert_eq!(spec.pillars[2].parent.as_deref(), Some("P2"));
        assert_eq!(spec.pillars[3].name, "A");
        assert_eq!(spec.indicators[1].direction, Direction::Negative);
        assert_eq!(spec.indicators[1].max_score, Some(5.0));
        assert_eq!(spec.indicators[2].tags, vec!["status".to_string()]);
        let fw = spec.check().unwrap();
        assert_eq!(fw.root().level, 4);
    }

    #[test]
    fn bad_rows() {
        let cases = [
            ("P1.I1,A,a,x,u,1,false,false,status,\n", "code"),
            ("P1.S1.I1,A,a,x,u,0,false,false,status,\n", "direction"),
            ("P1.S1.I1,A,a,x,u,1,yes,false,status,\n", "bonus"),
            ("P1.S1.I1,A,a,x,u,1,false,false,future,\n", "horizon"),
            ("P1.S1.I1,A,a,x,u,1,false,false,status,ten\n", "max_score"),
        ];
        for (row, col) in cases {
            let e = read_cbcii_framework(format!("{HEAD}{row}").as_bytes()).unwrap_err();
            assert!(
                matches!(&e, Error::Parse { line: Some(2), column: Some(c), .. } if c == col),
                "{row}: {e}"
            );
        }
        let e = read_cbcii_framework(
            format!("{HEAD}P1.S1.I1,A,a,x,u,1,false,false,status,\nP1.S2.I1,Other,b,x,u,1,false,false,status,\n")
                .as_bytes(),
        )
        .unwrap_err();
        assert!(
            matches!(&e, Error::Parse { line: Some(3), column: Some(c), .. } if c == "pillar_en"),
            "{e}"
        );
    }
}
