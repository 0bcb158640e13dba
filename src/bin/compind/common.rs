//! What several subcommands share: input files, the preparation and scoring options, progress bars.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use composite_indicators::error::Expected;
use composite_indicators::io::{self, CsvOptions};
use composite_indicators::pipeline::{Pipeline, PipelineConfig};
use composite_indicators::prelude::*;
use composite_indicators::prepare::{Denominate, Impute, ImputeMethod, Screen, Treat};
use composite_indicators::score::ScorerConfig;

/// Why a subcommand failed: bad input (exit 1) or a usage mistake clap cannot see (exit 2).
pub enum Failure {
    Input(Error),
    Usage(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Input(e)
    }
}

pub type Outcome = std::result::Result<(), Failure>;

/// Where the framework and the data come from.
#[derive(clap::Args, Debug, Clone)]
pub struct Inputs {
    /// COINr indicator metadata table (iCode, Direction, Weight, Parent, Type, optional Target,
    /// Denominator, goalpost_lower, goalpost_upper, goalpost_scale). With `--idata`.
    /// Example: `--imeta data/asem/iMeta.csv`.
    #[arg(long, value_name = "FILE", value_parser = input_path, requires = "idata", conflicts_with_all = ["spec", "data"])]
    pub imeta: Option<PathBuf>,
    /// COINr data table (uCode, uName, group and indicator columns). With `--imeta`.
    /// Example: `--idata data/asem/iData.csv`.
    #[arg(long, value_name = "FILE", value_parser = input_path, requires = "imeta")]
    pub idata: Option<PathBuf>,
    /// This crate's framework spec (TOML, or JSON by extension; the README's "Your own index"
    /// lists its keys; a .csv is read as a COINr iMeta table). With `--data`.
    /// Example: `--spec index.toml`.
    #[arg(long, value_name = "FILE", value_parser = input_path, requires = "data")]
    pub spec: Option<PathBuf>,
    /// Data CSV for `--spec`: `uCode`, optional `uName`, one column per indicator.
    /// Example: `--data data.csv`.
    #[arg(long, value_name = "FILE", value_parser = input_path, requires = "spec")]
    pub data: Option<PathBuf>,
    /// Label (non-numeric) columns of `--data`, comma-separated; iMeta declares them itself.
    /// Example: `--groups region,income`.
    #[arg(
        long,
        value_name = "A,B",
        value_delimiter = ',',
        requires = "data",
        conflicts_with = "imeta"
    )]
    pub groups: Vec<String>,
}

/// Preparation (COINr's Denominate, Impute, Screen, Treat, in this order) and scoring options.
#[derive(clap::Args, Debug, Clone)]
pub struct Methods {
    /// Divide every indicator by the column named in its `Denominator` (iMeta or spec).
    /// Example: `--denominate`.
    #[arg(long)]
    pub denominate: bool,
    /// Impute missing values: mean, median, group_mean:COL or group_median:COL (within the unit
    /// groups of label column COL). Example: `--impute group_mean:EurAsia_group`.
    #[arg(long, value_name = "METHOD")]
    pub impute: Option<String>,
    /// Drop units whose data availability (share of non-missing indicators) is below THRESHOLD, in
    /// [0, 1]. The steps run in the order of COINr's example build (denominate, impute, screen,
    /// treat, normalise), so with --impute the availability is that of the imputed data, which
    /// only a unit the imputation could not fill can fail; screening before imputation (COINr's
    /// Screen(dset = "Raw") then Impute) is not offered. Example: `--screen 0.9`.
    #[arg(long, value_name = "THRESHOLD")]
    pub screen: Option<String>,
    /// Outlier treatment as COINr's Treat(): winsorise up to WINMAX points per indicator, else log.
    /// Example: `--treat winsorise:5`.
    #[arg(long, value_name = "winsorise:WINMAX")]
    pub treat: Option<String>,
    /// Normaliser: minmax:LO,HI (default minmax:0,100), zscore:MEAN,SD (bare zscore: 0,1), rank,
    /// prank, borda, dist2max, fracmax, dist2ref:UNIT[,cap], goalposts[:SCALE[,notrunc]] (goalposts
    /// from iMeta's goalpost_lower / goalpost_upper; bare `goalposts` takes each indicator's
    /// goalpost_scale and goalpost_trunc2posts from iMeta, as COINr's use_iMeta), dist2targ[:cap]
    /// (iMeta's Target; bare `dist2targ` takes each indicator's dist2targ_cap_max), maxscore,
    /// identity (or none). Example: `--normalise zscore:10,2`.
    #[arg(long, value_name = "METHOD")]
    pub normalise: Option<String>,
    /// Aggregator at every level: arithmetic (default), sum, geometric[:OFFSET], harmonic[:OFFSET],
    /// power:P, median, copeland, signed_arithmetic, topsis[:vector], promethee[:u_shape:Q |
    /// :v_shape:P | :level:P:Q | :v_shape_indifference:P:Q | :gaussian:S]. Example: `--aggregate
    /// geometric` (with positive values only, e.g. after `--normalise minmax:1,100`).
    #[arg(long, value_name = "METHOD")]
    pub aggregate: Option<String>,
    /// Weights: nominal (the framework's, default) or equal. Example: `--weights equal`.
    #[arg(long, value_name = "nominal|equal")]
    pub weights: Option<String>,
    /// Missing children when aggregating: skip (default), skip:MIN_COVERAGE (0..1), propagate, error.
    /// Example: `--missing skip:0.5`.
    #[arg(long, value_name = "POLICY")]
    pub missing: Option<String>,
    /// Tie rule of ranks: min (default), max, dense, ordinal, average (sweep and sobol: min only,
    /// as COINr ranks every variant). Example: `--ties average`.
    #[arg(long, value_name = "RULE")]
    pub ties: Option<String>,
}

impl Inputs {
    /// The input paths given (for the output-path check).
    pub fn paths(&self) -> Vec<PathBuf> {
        [&self.imeta, &self.idata, &self.spec, &self.data]
            .into_iter()
            .flatten()
            .cloned()
            .collect()
    }

    /// Refuse (usage error) when neither input pair is given.
    pub fn require(&self) -> std::result::Result<(), Failure> {
        if self.imeta.is_none() && self.spec.is_none() {
            return Err(Failure::Usage(
                "give either --imeta FILE --idata FILE, or --spec FILE --data FILE".into(),
            ));
        }
        Ok(())
    }

    /// Read the framework (not yet the data): the spec, the label columns of the data and the
    /// goalpost scale declared in iMeta.
    pub fn framework(&self) -> Result<Framework0> {
        if let Some(m) = &self.imeta {
            let mut meta = io::read_imeta_path(m)?;
            let norm = imeta_goalposts(m, &mut meta.spec)?;
            let groups = meta.groups.clone();
            let framework = meta.spec.clone().check()?;
            Ok(Framework0 {
                framework,
                groups,
                meta: Some(meta),
                imeta_normalise: norm,
            })
        } else {
            // the reader's `path` parameter is the --spec option here
            let spec = io::read_spec(self.spec.as_deref().unwrap_or(Path::new("")))
                .map_err(|e| flag_names(e, &[("path", "--spec")]))?;
            Ok(Framework0 {
                framework: spec.check()?,
                groups: self.groups.clone(),
                meta: None,
                imeta_normalise: ImetaNormalise::default(),
            })
        }
    }

    /// Read the data for a framework read by [`Inputs::framework`], sorted by unit code (COINr's
    /// order).
    pub fn data(&self, f: &Framework0) -> Result<Dataset> {
        let data = match (&f.meta, &self.idata) {
            (Some(meta), Some(d)) => io::read_idata_path(d, meta).map_err(|e| panel_hint(e, d))?,
            _ => {
                let o = CsvOptions::default().with_group_columns(self.groups.clone());
                let path = self.data.as_deref().unwrap_or(Path::new(""));
                let data = io::read_csv_path(path, &o)?;
                // every indicator of the spec needs a column: say which file lacks it (the
                // pipeline's own check cannot name the file)
                let have: std::collections::HashSet<&str> =
                    data.columns().iter().map(String::as_str).collect();
                let columns: Vec<String> = (f.framework.indicators().iter())
                    .map(|i| i.code.clone())
                    .filter(|c| !have.contains(c.as_str()))
                    .collect();
                if let Some(c) = columns.iter().find(|c| self.groups.contains(c)) {
                    return Err(Error::invalid(
                        "--groups",
                        format!("`{c}`"),
                        Expected::Rule(format!(
                            "`{c}` is an indicator of the spec, so its column holds numbers: \
                             --groups is for label (text) columns only"
                        )),
                    ));
                }
                if !columns.is_empty() {
                    return Err(Error::InFile {
                        source_name: path.display().to_string(),
                        line: 1,
                        source: Box::new(Error::MissingColumns { columns }),
                    });
                }
                data
            }
        };
        Ok(data.sorted_by_code())
    }
}

/// A repeated unit in an iData file whose `Time` column holds more than one period: the file is a
/// panel, which the panel subcommands read; say so after the reader's message. A repeated unit
/// within one period (or without a Time column) is a plain duplicate and keeps the reader's message.
fn panel_hint(e: Error, path: &Path) -> Error {
    if !matches!(e.innermost(), Error::DuplicateUnit { .. }) {
        return e;
    }
    let Ok(mut rdr) = csv::ReaderBuilder::new().flexible(true).from_path(path) else {
        return e;
    };
    let Some(t) = rdr.headers().ok().and_then(|h| {
        h.iter()
            .position(|c| c.trim().trim_start_matches('\u{feff}').trim_matches('"') == "Time")
    }) else {
        return e;
    };
    let mut periods = std::collections::BTreeSet::new();
    for rec in rdr.records().map_while(std::result::Result::ok) {
        if let Some(v) = rec.get(t).map(str::trim).filter(|v| !v.is_empty()) {
            periods.insert(v.to_string());
            if periods.len() > 1 {
                break;
            }
        }
    }
    if periods.len() < 2 {
        return e;
    }
    Error::invalid(
        "--idata",
        "a file with a Time column",
        Expected::Rule(format!(
            "{e}; the file has a Time column, so it looks like a panel (one row per unit and \
             period): `compind panel`, `impute-panel` and `trends` read panels"
        )),
    )
}

/// A checked framework and what the data reader needs to know.
pub struct Framework0 {
    pub framework: Framework,
    /// Label columns of the data (iMeta `Group` rows, or `--groups`).
    pub groups: Vec<String>,
    meta: Option<io::IMeta>,
    /// iMeta's per-indicator normalisation columns (COINr's `use_iMeta`), if there are any.
    pub imeta_normalise: ImetaNormalise,
}

/// COINr's per-indicator normalisation parameters in iMeta (`Normalise(.., f_n_para = "use_iMeta")`):
/// `goalpost_scale` and `goalpost_trunc2posts` for `n_goalposts`, `dist2targ_cap_max` for
/// `n_dist2targ`. Empty maps when the columns are absent.
#[derive(Debug, Clone, Default)]
pub struct ImetaNormalise {
    /// The indicators of iMeta, in its order (every code the maps below may hold).
    pub indicators: Vec<String>,
    /// Output scale of each indicator's goalposts.
    pub scale: std::collections::BTreeMap<String, f64>,
    /// Whether each indicator's goalposts truncate.
    pub truncate: std::collections::BTreeMap<String, bool>,
    /// Whether each indicator's distance to target caps at 1.
    pub cap_max: std::collections::BTreeMap<String, bool>,
}

impl Methods {
    /// Refuse a `--ties` rule other than `min` where the output does not depend on it (`why`, e.g.
    /// "`compind audit` ranks no units"), instead of ignoring it silently (as `sweep` and `sobol`
    /// refuse one). `--ties min` is accepted: it is the rule these tables use where they rank.
    pub fn refuse_ties(&self, why: &str) -> Result<()> {
        let Some(t) = &self.ties else {
            return Ok(());
        };
        if parse_ties(t)? == TieRule::Min {
            return Ok(());
        }
        Err(Error::invalid(
            "--ties",
            format!("`{t}`"),
            Expected::Rule(format!(
                "{why}; other tie rules are for the subcommands that rank units: `score`, `remove`, \
                 `panel`, `plot profile` and `plot dots`"
            )),
        ))
    }

    /// The build options given whose steps come after data set `stage` (so they cannot change it),
    /// as flags, in the order of the steps.
    pub fn beyond(&self, stage: composite_indicators::pipeline::Stage) -> Vec<&'static str> {
        use composite_indicators::pipeline::Stage;
        [
            (self.denominate, "--denominate", Stage::Denominated),
            (self.impute.is_some(), "--impute", Stage::Imputed),
            (self.screen.is_some(), "--screen", Stage::Screened),
            (self.treat.is_some(), "--treat", Stage::Treated),
            (self.normalise.is_some(), "--normalise", Stage::Normalised),
            (self.aggregate.is_some(), "--aggregate", Stage::Aggregated),
            (self.weights.is_some(), "--weights", Stage::Aggregated),
            (self.missing.is_some(), "--missing", Stage::Aggregated),
        ]
        .into_iter()
        .filter(|&(given, _, s)| given && s > stage)
        .map(|(_, flag, _)| flag)
        .collect()
    }

    /// Every build option given, as flags (`--denominate`, ..., `--ties`).
    pub fn given(&self) -> Vec<&'static str> {
        let mut v = self.beyond(composite_indicators::pipeline::Stage::Raw);
        if self.ties.is_some() {
            v.push("--ties");
        }
        v
    }

    /// On stderr (unless `quiet`), the build options that cannot change data set `stage` (see
    /// [`Methods::beyond`]): "note: --dset Raw is the data as read: --denominate, --impute do not
    /// change it".
    pub fn note_beyond(&self, stage: composite_indicators::pipeline::Stage, quiet: bool) {
        use composite_indicators::pipeline::Stage;
        let flags = self.beyond(stage);
        if quiet || flags.is_empty() {
            return;
        }
        let what = match stage {
            Stage::Raw => "the data as read, before any build step",
            Stage::Denominated => "the data after denomination",
            Stage::Imputed => "the data after imputation",
            Stage::Screened => "the data after screening",
            Stage::Treated => "the data after outlier treatment",
            Stage::Normalised => "the data after normalisation",
            _ => "the data of the whole build",
        };
        let verb = if flags.len() == 1 { "does" } else { "do" };
        eprintln!(
            "note: --dset {stage} is {what}: {} {verb} not change it",
            flags.join(", ")
        );
    }

    /// [`Methods::config`] with iMeta's per-indicator columns, and on stderr (unless `quiet`) a note
    /// naming the indicators a bare `--normalise goalposts` / `dist2targ` finds no cell for: they keep
    /// the command line's setting (`n_goalposts`' and `n_dist2targ`'s defaults), where COINr's
    /// `use_iMeta` stops on a missing column and gives NA for an NA cell.
    pub fn config_noted(&self, imeta: &ImetaNormalise, quiet: bool) -> Result<PipelineConfig> {
        let config = self.config(imeta)?;
        if !quiet {
            for note in self.imeta_default_notes(imeta) {
                eprintln!("{note}");
            }
        }
        Ok(config)
    }

    /// The notes of [`Methods::config_noted`].
    fn imeta_default_notes(&self, imeta: &ImetaNormalise) -> Vec<String> {
        fn lacking<V>(
            imeta: &ImetaNormalise,
            m: &std::collections::BTreeMap<String, V>,
        ) -> Vec<String> {
            (imeta.indicators.iter())
                .filter(|c| !m.contains_key(*c))
                .cloned()
                .collect()
        }
        let n = self.normalise.as_deref().unwrap_or("");
        let goalposts = "`n_goalposts`' default; COINr's use_iMeta stops on a missing column, and an NA \
                         cell gives NA scores";
        let wanted: Vec<(&str, &str, &str, Vec<String>)> = match n {
            "goalposts" => vec![
                (
                    "goalpost_scale",
                    "scale 1 is used",
                    goalposts,
                    lacking(imeta, &imeta.scale),
                ),
                (
                    "goalpost_trunc2posts",
                    "values are truncated to the goalposts",
                    goalposts,
                    lacking(imeta, &imeta.truncate),
                ),
            ],
            "dist2targ" => vec![(
                "dist2targ_cap_max",
                "scores are not capped at 1",
                "`n_dist2targ`'s default, as COINr's use_iMeta assumes for a missing column",
                lacking(imeta, &imeta.cap_max),
            )],
            _ => Vec::new(),
        };
        wanted
            .into_iter()
            .filter(|(.., codes)| !codes.is_empty())
            .map(|(column, used, why, codes)| {
                format!(
                    "note: --normalise {n}: iMeta gives no {column} for {} ({}): {used} ({why})",
                    count(codes.len(), "indicator"),
                    first_ten(codes.into_iter()),
                )
            })
            .collect()
    }

    /// The pipeline configuration (every option checked before any file is read).
    pub fn config(&self, imeta: &ImetaNormalise) -> Result<PipelineConfig> {
        let mut scorer = ScorerConfig::default();
        if let Some(n) = &self.normalise {
            scorer.normalise =
                NormaliserKind::from_str(n).map_err(|e| as_flag("--normalise", e))?;
            // the bare forms take COINr's per-indicator iMeta columns (its `use_iMeta`); a form
            // with parameters (`goalposts:100,notrunc`, `dist2targ:cap`) applies to every indicator
            match (n.as_str(), &scorer.normalise) {
                ("goalposts", &NormaliserKind::Goalposts { scale, truncate }) => {
                    // one scale for every indicator: the base normaliser takes it (no overrides);
                    // an indicator without a cell keeps the command line's setting, whatever the
                    // others declare
                    let scales: std::collections::BTreeSet<u64> =
                        imeta.scale.values().map(|v| v.to_bits()).collect();
                    let every = imeta.indicators.iter().all(|c| imeta.scale.contains_key(c));
                    let common = match (scales.len(), every) {
                        (1, true) => imeta.scale.values().next().copied().unwrap_or(scale),
                        _ => scale,
                    };
                    scorer.normalise = NormaliserKind::Goalposts {
                        scale: common,
                        truncate,
                    };
                    let codes: std::collections::BTreeSet<&String> =
                        imeta.scale.keys().chain(imeta.truncate.keys()).collect();
                    for code in codes {
                        let s = imeta.scale.get(code).copied().unwrap_or(common);
                        let t = imeta.truncate.get(code).copied().unwrap_or(truncate);
                        if s != common || t != truncate {
                            scorer.normalise_overrides.insert(
                                code.clone(),
                                NormaliserKind::Goalposts {
                                    scale: s,
                                    truncate: t,
                                },
                            );
                        }
                    }
                }
                ("dist2targ", &NormaliserKind::DistToTarget { cap_max }) => {
                    for (code, &c) in &imeta.cap_max {
                        if c != cap_max {
                            scorer
                                .normalise_overrides
                                .insert(code.clone(), NormaliserKind::DistToTarget { cap_max: c });
                        }
                    }
                }
                _ => {}
            }
        }
        if let Some(a) = &self.aggregate {
            scorer.aggregate =
                AggregatorKind::from_str(a).map_err(|e| as_flag("--aggregate", e))?;
        }
        if let Some(w) = &self.weights {
            scorer.weights = match w.as_str() {
                "nominal" => WeightScheme::Nominal,
                "equal" => WeightScheme::Equal,
                other => {
                    return Err(Error::invalid(
                        "--weights",
                        format!("`{other}`"),
                        Expected::one_of(["nominal", "equal"]),
                    ));
                }
            };
        }
        if let Some(m) = &self.missing {
            scorer.missing = parse_missing(m)?;
        }
        if let Some(t) = &self.ties {
            scorer.ties = parse_ties(t)?;
        }
        Ok(PipelineConfig {
            denominate: self.denominate.then(Denominate::default),
            impute: self.impute.as_deref().map(parse_impute).transpose()?,
            screen: self.screen.as_deref().map(parse_screen).transpose()?,
            treat: self.treat.as_deref().map(parse_treat).transpose()?,
            scorer,
        })
    }
}

/// Run the pipeline and report screened-out units on stderr.
pub fn run_pipeline(
    pipeline: &Pipeline,
    data: &Dataset,
    fw: &Framework,
    scale: Option<Vec<composite_indicators::normalise::FittedParams>>,
    quiet: bool,
) -> Result<composite_indicators::pipeline::PipelineResult> {
    let result = match scale {
        Some(s) => pipeline.run_on_scale(data, fw, s)?,
        None => pipeline.run(data, fw)?,
    };
    if let (Some(rep), false) = (&result.reports().impute, quiet) {
        // values the imputation could not fill stay missing: say which, and why
        let left = &rep.left_missing;
        if !left.is_empty() {
            eprintln!(
                "note: imputation left {} missing: {}",
                count(left.len(), "value"),
                first_ten(
                    left.iter()
                        .map(|m| format!("{}/{} ({})", m.unit, m.indicator, m.reason))
                )
            );
        }
        if let Some(note) =
            mostly_imputed_note(rep, fw.n_indicators(), pipeline.config().screen.is_some())
        {
            eprintln!("{note}");
        }
    }
    if let (Some(s), false) = (&pipeline.config().screen, quiet) {
        eprintln!("{}", screening_note(s.threshold, result.removed_units()));
    }
    if !quiet && let Some(note) = even_power_note(pipeline, &result) {
        eprintln!("{note}");
    }
    let declared = fw.indicators().iter().any(|i| i.denominator.is_some());
    if pipeline.config().denominate.is_some() && !declared && !quiet {
        eprintln!(
            "note: --denominate: no indicator of the framework names a denominator, so nothing was \
             divided (iMeta's Denominator column, or `denominator` in a spec)"
        );
    }
    Ok(result)
}

/// A note when a power mean with an even exponent (`--aggregate power:2`) meets negative normalised
/// values (z-scores): `x²` counts −1.5 as much as +1.5, so the mean is not monotone there (COINr's
/// `a_genmean` computes the same numbers); `None` otherwise.
fn even_power_note(
    pipeline: &Pipeline,
    result: &composite_indicators::pipeline::PipelineResult,
) -> Option<String> {
    let scorer = &pipeline.config().scorer;
    let even = |k: &AggregatorKind| matches!(*k, AggregatorKind::Power { p } if p > 0.0 && p.fract() == 0.0 && (p / 2.0).fract() == 0.0);
    let p = std::iter::once(&scorer.aggregate)
        .chain(scorer.aggregate_levels.values())
        .chain(scorer.aggregate_nodes.values())
        .find(|k| even(k))?;
    let normalised = result.dataset("Normalised").ok()?;
    let negative = normalised.values().iter().filter(|v| **v < 0.0).count();
    (negative > 0).then(|| {
        format!(
            "note: {p} raises {} of the normalised data to an even power, so a negative value \
             counts as much as its opposite (as COINr's a_genmean): normalise to non-negative values \
             (minmax) or use an odd exponent for a mean that rises with every child",
            count(negative, "negative value")
        )
    })
}

/// A note naming the units of which imputation filled more than half of the `n_ind` indicator
/// values (a unit with no data at all would otherwise be ranked on group means without a word), or
/// `None`. With `screened`, it adds that screening judges the imputed data.
fn mostly_imputed_note(
    rep: &composite_indicators::prepare::ImputeReport,
    n_ind: usize,
    screened: bool,
) -> Option<String> {
    let mut per_unit: Vec<(&str, usize)> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for imp in &rep.imputations {
        let i = *index.entry(imp.unit.as_str()).or_insert_with(|| {
            per_unit.push((imp.unit.as_str(), 0));
            per_unit.len() - 1
        });
        per_unit[i].1 += 1;
    }
    let heavy: Vec<String> = per_unit
        .iter()
        .filter(|&&(_, k)| 2 * k > n_ind)
        .map(|&(u, k)| format!("{u} ({k} of {n_ind})"))
        .collect();
    if heavy.is_empty() {
        return None;
    }
    Some(format!(
        "note: imputation filled more than half of the indicator values of {}: {}{}",
        count(heavy.len(), "unit"),
        first_ten(heavy.into_iter()),
        if screened {
            "; --screen judges data availability after imputation (as COINr's example build), so it \
             keeps them: leave such units out of the data to drop them"
        } else {
            ""
        }
    ))
}

/// An error naming `flag` when `code` is not a node of `fw` (the library's own error names only the
/// code), listing the framework's codes.
pub fn known_node(fw: &Framework, code: &str, flag: &str) -> Result<()> {
    if fw.position(code).is_ok() {
        return Ok(());
    }
    Err(Error::unknown_name(
        format!("{flag} code"),
        code,
        fw.nodes().iter().map(|n| n.code.clone()),
    ))
}

/// The first ten `items` joined with `, `, then `, ...` if there are more.
fn first_ten(items: impl ExactSizeIterator<Item = String>) -> String {
    let more = items.len() > 10;
    let shown: Vec<String> = items.take(10).collect();
    format!("{}{}", shown.join(", "), if more { ", ..." } else { "" })
}

fn parse_screen(t: &str) -> Result<Screen> {
    match t.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(Screen::new(v)),
        _ => Err(Error::invalid(
            "--screen",
            format!("`{t}`"),
            Expected::Form("a data availability threshold in [0, 1]".into()),
        )),
    }
}

fn parse_impute(s: &str) -> Result<Impute> {
    s.parse::<ImputeMethod>()
        .map(Impute::new)
        .map_err(|e| as_flag("--impute", e))
}

fn parse_treat(s: &str) -> Result<Treat> {
    match s.strip_prefix("winsorise:").map(str::parse::<usize>) {
        Some(Ok(winmax)) => Ok(Treat {
            winmax: Some(winmax),
            ..Treat::default()
        }),
        _ => Err(Error::invalid(
            "--treat",
            format!("`{s}`"),
            Expected::Form("winsorise:WINMAX (a whole number of points)".into()),
        )),
    }
}

fn parse_missing(s: &str) -> Result<MissingPolicy> {
    match s {
        "skip" => Ok(MissingPolicy::Skip { min_coverage: 0.0 }),
        "propagate" => Ok(MissingPolicy::Propagate),
        "error" => Ok(MissingPolicy::Error),
        other => match other.strip_prefix("skip:").map(str::parse::<f64>) {
            Some(Ok(c)) if (0.0..=1.0).contains(&c) => Ok(MissingPolicy::Skip { min_coverage: c }),
            _ => Err(Error::invalid(
                "--missing",
                format!("`{other}`"),
                Expected::one_of(["skip", "skip:COVERAGE (0..1)", "propagate", "error"]),
            )),
        },
    }
}

fn parse_ties(s: &str) -> Result<TieRule> {
    Ok(match s {
        "min" => TieRule::Min,
        "max" => TieRule::Max,
        "dense" => TieRule::Dense,
        "ordinal" => TieRule::Ordinal,
        "average" => TieRule::Average,
        other => {
            return Err(Error::invalid(
                "--ties",
                format!("`{other}`"),
                Expected::one_of(["min", "max", "dense", "ordinal", "average"]),
            ));
        }
    })
}

/// Goalposts from iMeta's optional `goalpost_lower` / `goalpost_upper` columns (both or neither
/// per indicator row), and COINr's other per-indicator normalisation columns: `goalpost_scale`,
/// `goalpost_trunc2posts` (TRUE/FALSE) and `dist2targ_cap_max` (TRUE/FALSE). Aggregate and other rows
/// are not read; an empty or NA cell leaves that indicator at the command line's setting.
fn imeta_goalposts(path: &Path, spec: &mut FrameworkSpec) -> Result<ImetaNormalise> {
    let name = path.display().to_string();
    let parse_err = |line: Option<usize>, column: Option<&str>, message: String| Error::Parse {
        source_name: name.clone(),
        line,
        column: column.map(String::from),
        message,
    };
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| parse_err(None, None, e.to_string()))?;
    let header = rdr
        .headers()
        .map_err(|e| parse_err(Some(1), None, e.to_string()))?
        .clone();
    let pos = |c: &str| header.iter().position(|h| h == c);
    let (lo, hi, sc, tr, cap, code) = (
        pos("goalpost_lower"),
        pos("goalpost_upper"),
        pos("goalpost_scale"),
        pos("goalpost_trunc2posts"),
        pos("dist2targ_cap_max"),
        pos("iCode"),
    );
    let mut out = ImetaNormalise {
        indicators: spec.indicators.iter().map(|i| i.code.clone()).collect(),
        ..ImetaNormalise::default()
    };
    if [lo, hi, sc, tr, cap].iter().all(Option::is_none) {
        return Ok(out);
    }
    if lo.is_some() != hi.is_some() {
        return Err(parse_err(
            Some(1),
            None,
            "give both goalpost_lower and goalpost_upper columns, or neither".into(),
        ));
    }
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| parse_err(Some(line), None, e.to_string()))?;
        let field = |c: Option<usize>| c.and_then(|c| rec.get(c)).unwrap_or("");
        let missing = |s: &str| s.is_empty() || s.eq_ignore_ascii_case("na");
        let num = |c: Option<usize>, col: &str| -> Result<Option<f64>> {
            let s = field(c);
            if missing(s) {
                return Ok(None);
            }
            match s.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(Some(v)),
                _ => Err(parse_err(
                    Some(line),
                    Some(col),
                    format!("`{s}` is not a finite number"),
                )),
            }
        };
        let flag = |c: Option<usize>, col: &str| -> Result<Option<bool>> {
            let s = field(c);
            if missing(s) {
                return Ok(None);
            }
            match s.to_ascii_uppercase().as_str() {
                "TRUE" | "T" | "1" => Ok(Some(true)),
                "FALSE" | "F" | "0" => Ok(Some(false)),
                _ => Err(parse_err(
                    Some(line),
                    Some(col),
                    format!("`{s}` is not TRUE or FALSE"),
                )),
            }
        };
        let c = field(code);
        let Some(ind) = spec.indicators.iter_mut().find(|x| x.code == c) else {
            continue;
        };
        match (num(lo, "goalpost_lower")?, num(hi, "goalpost_upper")?) {
            (Some(l), Some(h)) => ind.goalposts = Some([l, h]),
            (None, None) => {}
            _ => {
                return Err(parse_err(
                    Some(line),
                    None,
                    format!(
                        "indicator `{c}` has one goalpost; give goalpost_lower and goalpost_upper"
                    ),
                ));
            }
        }
        if let Some(v) = num(sc, "goalpost_scale")? {
            out.scale.insert(c.to_string(), v);
        }
        if let Some(v) = flag(tr, "goalpost_trunc2posts")? {
            out.truncate.insert(c.to_string(), v);
        }
        if let Some(v) = flag(cap, "dist2targ_cap_max")? {
            out.cap_max.insert(c.to_string(), v);
        }
    }
    Ok(out)
}

/// A progress bar on stderr, only when stderr is a terminal and `--quiet` is not given.
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    pub fn new(quiet: bool, total: usize, what: &str) -> Progress {
        use std::io::IsTerminal;
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let b = indicatif::ProgressBar::new(total as u64);
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta} left)")
            {
                b.set_style(style.progress_chars("=> "));
            }
            b.set_message(what.to_string());
            b
        });
        Progress { bar }
    }

    /// The callback for [`composite_indicators::sweep::Control::progress`].
    pub fn callback(&self) -> impl Fn(usize, usize) + Sync + '_ {
        move |done, _total| {
            if let Some(b) = &self.bar {
                b.set_position(done as u64);
            }
        }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// An input path as given on the command line: `-` (standard input) is refused with a message
/// saying so, rather than looked up as a file named `-`.
pub fn input_path(s: &str) -> std::result::Result<PathBuf, String> {
    if s == "-" {
        return Err(
            "reading standard input (`-`) is not supported; save the data to a file and give its path"
                .into(),
        );
    }
    if s.is_empty() {
        return Err("an empty input path; give a file name".into());
    }
    Ok(PathBuf::from(s))
}

/// An output path as given on the command line: `-` is standard output (`/dev/stdout`, written
/// directly, see [`io::write_atomic`]); anything else is a file path.
pub fn output_path(s: &str) -> std::result::Result<PathBuf, String> {
    if s == "-" {
        if cfg!(unix) {
            return Ok(PathBuf::from("/dev/stdout"));
        }
        return Err("`-` (standard output) needs a Unix system here; give a file name".into());
    }
    if s.is_empty() {
        return Err("an empty output path; give a file name".into());
    }
    // formats a user may expect from the name but would not get (the file would hold CSV text)
    if let Some(e) = extension(s).filter(|e| FOREIGN_FORMATS.contains(&e.as_str())) {
        return Err(format!(
            "`{s}`: compind does not write .{e} files (tables are CSV, or JSON when the name ends in \
             .json; sweep files JSON; plots SVG or PNG): name the output .csv or .json"
        ));
    }
    Ok(PathBuf::from(s))
}

/// A plot's output path: [`output_path`], and a file name must end in `.svg` (any case; standard
/// output and devices such as `/dev/null` excepted): plots are SVG, and a `.png` or `.pdf` name would
/// get SVG text.
pub fn svg_output_path(s: &str) -> std::result::Result<PathBuf, String> {
    let p = output_path(s)?;
    let svg = extension(s).as_deref() == Some("svg");
    // standard output and devices (`/dev/null`) take the SVG text as it is
    let device = std::fs::metadata(&p).is_ok_and(|m| !m.is_file() && !m.is_dir());
    if s == "-" || svg || device {
        Ok(p)
    } else {
        Err(format!(
            "`{s}`: plots are written as SVG; name the file .svg (for a PNG, convert it, e.g. \
             `rsvg-convert -o plot.png plot.svg`)"
        ))
    }
}

/// The extension of a path as given, lower-cased (`None` without one).
pub fn extension(s: &str) -> Option<String> {
    Path::new(s)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

/// Output extensions refused by [`output_path`]: tab-separated and spreadsheet or binary formats,
/// which would silently get comma-separated text.
const FOREIGN_FORMATS: [&str; 9] = [
    "tsv", "tab", "xlsx", "xls", "ods", "parquet", "feather", "rds", "rdata",
];

/// Refuse, before anything is computed or written, outputs that resolve to an input or to each
/// other, outputs that are existing directories, and outputs whose directory is missing or cannot
/// be written to (a probe file is created there and removed). So a run with several output files
/// does not stop after writing some of them for any of these reasons.
pub fn check_outputs(inputs: &[PathBuf], outputs: &[PathBuf]) -> Result<()> {
    // `-` twice would interleave two outputs on standard output (the clash check would name
    // `/dev/stdout`, which the user did not type)
    if outputs
        .iter()
        .filter(|o| o.as_path() == Path::new("/dev/stdout"))
        .count()
        > 1
    {
        return Err(Error::Incompatible {
            what: "outputs".into(),
            reason: "`-` (standard output) is given for two outputs; give a file for all but one"
                .into(),
        });
    }
    io::check_output_paths(inputs, outputs)?;
    check_output_dirs(outputs)
}

/// The directory checks of [`check_outputs`]: each output is not a directory, and its directory
/// exists and takes new files (devices such as `/dev/stdout` are written directly and skip the
/// probe).
pub fn check_output_dirs(outputs: &[PathBuf]) -> Result<()> {
    outputs.iter().try_for_each(io::check_output_path)
}

/// The COINr data set names accepted by `--dset`.
pub const DSETS: [&str; 7] = [
    "Raw",
    "Denominated",
    "Imputed",
    "Screened",
    "Treated",
    "Normalised",
    "Aggregated",
];

/// Check a `--dset` name (COINr's data set names) before any file is read.
pub fn parse_dset(name: &str) -> Result<composite_indicators::pipeline::Stage> {
    name.parse()
        .map_err(|_| Error::invalid("--dset", format!("`{name}`"), Expected::one_of(DSETS)))
}

/// Read the inputs and run the pipeline of `methods` (the usual start of a study subcommand).
pub fn build(
    inputs: &Inputs,
    methods: &Methods,
    quiet: bool,
) -> Result<(Framework0, composite_indicators::pipeline::PipelineResult)> {
    let f = inputs.framework()?;
    let pipeline = Pipeline::new(methods.config_noted(&f.imeta_normalise, quiet)?);
    let data = inputs.data(&f)?;
    let result = run_pipeline(&pipeline, &data, &f.framework, None, quiet)?;
    Ok((f, result))
}

/// The framework and the data set `name`: `Raw` as read, without running the build (so a step that
/// would fail on the raw data, such as normalising a constant indicator, does not stop a look at
/// it); `Denominated` to `Normalised` running only the steps up to it (`Pipeline::run_to`: a later
/// step's options cannot change it, nor stop the run); `Aggregated` from the whole build.
pub fn build_dataset(
    inputs: &Inputs,
    methods: &Methods,
    name: &str,
    quiet: bool,
) -> Result<(Framework0, Dataset)> {
    use composite_indicators::pipeline::Stage;
    let stage = parse_dset(name)?;
    if stage == Stage::Aggregated {
        let (f, result) = build(inputs, methods, quiet)?;
        let out = dataset(&result, name)?.clone();
        return Ok((f, out));
    }
    let f = inputs.framework()?;
    let data = inputs.data(&f)?;
    if stage == Stage::Raw {
        return Ok((f, data));
    }
    // only the steps up to the data set run: a later one cannot change it, nor stop the run
    let pipeline = Pipeline::new(methods.config_noted(&f.imeta_normalise, quiet)?);
    // the data set of a disabled step names --dset; a step's own errors stay as they are
    let out = pipeline
        .run_to(&data, &f.framework, stage)
        .map_err(|e| flag_names(e, &[("dataset", "--dset")]))?;
    let screened = stage >= Stage::Screened;
    if let (Some(s), true, false) = (&pipeline.config().screen, screened, quiet) {
        let kept: std::collections::HashSet<&str> =
            out.unit_codes().iter().map(String::as_str).collect();
        let removed: Vec<String> = (data.unit_codes().iter())
            .filter(|u| !kept.contains(u.as_str()))
            .cloned()
            .collect();
        eprintln!("{}", screening_note(s.threshold, &removed));
    }
    Ok((f, out))
}

/// The data set `name` of a pipeline result, with the error naming `--dset` when its step is off.
pub fn dataset<'a>(
    result: &'a composite_indicators::pipeline::PipelineResult,
    name: &str,
) -> Result<&'a Dataset> {
    result.dataset(name).map_err(|e| as_flag("--dset", e))
}

/// An [`Error::InvalidParameter`] whose library parameter name is one of `names` (`(parameter,
/// flag)`; a name `*TAIL` matches every parameter ending in `TAIL`, a name `HEAD*` every parameter
/// starting with `HEAD`) renamed to the flag; other errors unchanged.
pub fn flag_names(e: Error, names: &[(&str, &str)]) -> Error {
    match e {
        Error::InvalidParameter {
            parameter,
            value,
            expected,
        } => match names.iter().find(|(p, _)| {
            // `*: size` matches every plot's `<plot>: size`
            *p == parameter
                || p.strip_prefix('*')
                    .is_some_and(|tail| parameter.ends_with(tail))
                || p.strip_suffix('*')
                    .is_some_and(|head| parameter.starts_with(head))
        }) {
            Some((_, flag)) => Error::invalid(*flag, value, expected),
            None => Error::InvalidParameter {
                parameter,
                value,
                expected,
            },
        },
        other => other,
    }
}

/// An [`Error::InvalidParameter`] of the library renamed to the command-line flag that set it (other
/// errors unchanged).
pub fn as_flag(flag: &str, e: Error) -> Error {
    match e {
        Error::InvalidParameter {
            value, expected, ..
        } => Error::invalid(flag, value, expected),
        other => other,
    }
}

/// Write a text file (an SVG) atomically.
pub fn write_text(path: &Path, text: &str) -> Result<()> {
    io::write_atomic(path, |w| {
        w.write_all(text.as_bytes()).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })
    })
}

/// What screening at `threshold` did: "screening at 0.9 removed no units" or "... removed 2 units:
/// A, B".
pub fn screening_note(threshold: impl std::fmt::Display, removed: &[String]) -> String {
    if removed.is_empty() {
        format!("screening at {threshold} removed no units")
    } else {
        format!(
            "screening at {threshold} removed {}: {}",
            count(removed.len(), "unit"),
            removed.join(", ")
        )
    }
}

/// `n` and a noun, plural unless `n` is 1 ("1 unit", "2 units"); any unsigned count (`usize`, `u64`).
pub fn count<N: std::fmt::Display + PartialEq + From<u8>>(n: N, noun: &str) -> String {
    if n == N::from(1) {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
