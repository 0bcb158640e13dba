//! The file `compind sweep` writes and `compind merge` / `report` read: a [`SweepResult`] with what
//! is needed to merge it safely (the sweep's configuration, its alternatives, the variant range it
//! covers) and to report it (unit names).

use std::path::Path;

use composite_indicators::io::write_atomic;
use composite_indicators::sweep::{SweepConfig, SweepResult};
use composite_indicators::{Error, Result};
use serde::{Deserialize, Serialize};

/// The `format` field of every sweep file.
pub const FORMAT: &str = "compind-sweep-1";

/// One sweep result file (JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// The sweep (variants `0..config.variants`, seed, samplers).
    pub config: SweepConfig,
    /// Method alternatives, alternative 0 first (`scorer` = the options given).
    pub alternatives: Vec<String>,
    /// The variants this file covers, `[start, end)`.
    pub range: [usize; 2],
    /// Unit names, unit order.
    pub unit_names: Vec<String>,
    /// The accumulators.
    pub result: SweepResult,
}

impl SweepFile {
    pub fn read(path: &Path) -> Result<SweepFile> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            path: name.clone(),
            source: e,
        })?;
        let f: SweepFile = serde_json::from_str(&text).map_err(|e| Error::Parse {
            source_name: name.clone(),
            line: Some(e.line()),
            column: None,
            message: format!("not a compind sweep file: {e}"),
        })?;
        if f.format != FORMAT {
            return Err(Error::Parse {
                source_name: name,
                line: None,
                column: Some("format".into()),
                message: format!("`{}`: expected `{FORMAT}`", f.format),
            });
        }
        // the file's own range must be what its result holds, inside the sweep's variants, and
        // every per-unit array as long as the unit list
        let [lo, hi] = f.range;
        let held: &[[usize; 2]] = if lo == hi { &[] } else { &[f.range] };
        let n = f.result.unit_codes.len();
        let consistent = lo <= hi
            && hi <= f.config.variants
            && f.result.ranges.as_slice() == held
            && f.result.nominal_scores.len() == n
            && f.result.nominal_ranks.len() == n
            && f.unit_names.len() == n;
        if !consistent {
            return Err(Error::Parse {
                source_name: name,
                line: None,
                column: Some("range".into()),
                message: format!(
                    "the file says it covers variants {lo}..{hi} of {}, but its result holds {:?} \
                     for {n} units: the file is damaged or was edited",
                    f.config.variants, f.result.ranges
                ),
            });
        }
        // every count and nominal rank as a sweep leaves them (`report` and `plot ranks` would
        // otherwise print impossible numbers from an edited file)
        f.result.check().map_err(|e| Error::Parse {
            source_name: name,
            line: None,
            column: Some("result".into()),
            message: format!("{e}: the file is damaged or was edited"),
        })?;
        Ok(f)
    }

    pub fn write(&self, path: &Path) -> Result<()> {
        let name = path.display().to_string();
        write_atomic(path, |w| {
            serde_json::to_writer(&mut *w, self).map_err(|e| Error::Io {
                path: name.clone(),
                source: std::io::Error::from(e),
            })?;
            w.write_all(b"\n").map_err(|e| Error::Io {
                path: name.clone(),
                source: e,
            })
        })
    }

    /// Whether the file covers every variant of its sweep.
    pub fn complete(&self) -> bool {
        self.range == [0, self.config.variants]
    }
}
