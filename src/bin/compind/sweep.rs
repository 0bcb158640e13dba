//! `compind sweep`: seeded weight-noise and method-alternative sweeps, shardable over processes.

use std::path::PathBuf;
use std::str::FromStr;

use composite_indicators::error::Expected;
use composite_indicators::pipeline::Pipeline;
use composite_indicators::prelude::*;
use composite_indicators::sweep::{
    AltSampler, BatchModel, Control, MethodChoice, MethodSpace, NodeSelection, RankSummary,
    SweepConfig, WeightSampler,
};

use crate::common::{self, Failure, Inputs, Methods, Outcome, Progress};
use crate::sweepfile::{FORMAT, SweepFile};

/// The model every variant re-scores: inputs, the nominal methods and their alternatives.
#[derive(clap::Args, Debug, Clone)]
pub struct ModelArgs {
    #[command(flatten)]
    pub inputs: Inputs,
    #[command(flatten)]
    pub methods: Methods,
    /// Alternative normalisers, each one method alternative next to the nominal build; same syntax
    /// as --normalise, separated by `;` (a normaliser's own parameters use commas).
    /// Example: `--alt-normalise 'rank;zscore:10,2'`.
    #[arg(long, value_name = "M;M", value_delimiter = ';')]
    pub alt_normalise: Vec<String>,
    /// Alternative aggregators (`;`-separated, same syntax as --aggregate), each one method
    /// alternative (same at every level). Example: `--alt-aggregate 'median;copeland'`.
    #[arg(long, value_name = "A;A", value_delimiter = ';')]
    pub alt_aggregate: Vec<String>,
    /// Combine --alt-normalise and --alt-aggregate as a grid, as COINr's SA_specs varies its
    /// inputs: every normaliser (the nominal one and the alternatives) with every aggregator, each
    /// combination equally likely; `compind sobol` then has one input group per choice
    /// (`normaliser`, `aggregator`). Without it the alternatives form a list: the nominal build and
    /// each alternative on its own. Example: `--grid`.
    #[arg(long)]
    pub grid: bool,
    /// Memory the run may use (bytes, or with a K/M/G/T suffix, powers of 1024). A run whose
    /// estimate is larger stops before allocating, with an error naming the knob that reduces it.
    /// Default: 3/4 of the available memory. Example: `--memory-budget 8G`.
    #[arg(long, value_name = "BYTES", value_parser = parse_bytes)]
    pub memory_budget: Option<u64>,
}

/// Parse `123`, `64K`, `512M`, `1.5G`, `2T` (powers of 1024; case-insensitive; an optional `B` or
/// `iB` after the suffix) into bytes.
pub fn parse_bytes(s: &str) -> std::result::Result<u64, String> {
    let bad =
        || format!("`{s}` is not a size: expected bytes or a number with K, M, G or T, e.g. 8G");
    let t = s.trim().to_ascii_uppercase();
    let t = t
        .strip_suffix("IB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(&t);
    let (num, mult) = match t.chars().last() {
        Some('K') => (&t[..t.len() - 1], 1u64 << 10),
        Some('M') => (&t[..t.len() - 1], 1 << 20),
        Some('G') => (&t[..t.len() - 1], 1 << 30),
        Some('T') => (&t[..t.len() - 1], 1 << 40),
        _ => (t, 1),
    };
    let x: f64 = num.trim().parse().map_err(|_| bad())?;
    let bytes = x * mult as f64;
    // 0 parses: it is a number out of range, refused where the options are checked (exit 1)
    if !bytes.is_finite() || bytes < 0.0 || bytes >= u64::MAX as f64 {
        return Err(bad());
    }
    Ok(bytes as u64)
}

/// Parse `exact`, `auto` or `binned:B` into a [`RankSummary`] (`binned:0` parses: a number out of
/// range, refused where the options are checked, exit 1).
pub fn parse_rank_summary(s: &str) -> std::result::Result<RankSummary, String> {
    let bad = || {
        format!(
            "`{s}` is not a rank summary: expected exact, auto or binned:B with B >= 1, e.g. binned:256"
        )
    };
    match s.trim().to_ascii_lowercase().as_str() {
        "exact" => Ok(RankSummary::Exact),
        "auto" => Ok(RankSummary::Auto),
        t => match t.strip_prefix("binned:").map(|b| b.trim().parse::<usize>()) {
            Some(Ok(bins)) => Ok(RankSummary::Binned { bins }),
            _ => Err(bad()),
        },
    }
}

/// The library's memory-budget error with its hint in command-line terms: the knobs the library
/// names (rank bins, score bins, chunk size, threads) become the flags that set them, with
/// `--rank-summary auto` first when the sweep kept exact rank histograms.
pub fn budget_hint(e: Error, summary: RankSummary) -> Error {
    let Error::MemoryBudget {
        what,
        needed,
        budget,
        hint,
    } = e
    else {
        return e;
    };
    let mut knobs = Vec::new();
    let all = !["rank", "score_bins", "chunk_size"]
        .iter()
        .any(|k| hint.contains(k));
    if all || hint.contains("rank") {
        knobs.push(match summary {
            RankSummary::Exact => {
                "--rank-summary auto (exact rank histograms where they fit, binned as finely as \
                 the budget allows otherwise) or --rank-summary binned:B"
            }
            _ => "fewer rank bins (--rank-summary binned:B with a smaller B)",
        });
        knobs.push("fewer worker threads (--threads)");
    }
    if all || hint.contains("score_bins") {
        knobs.push("a lower --score-bins");
    }
    if all || hint.contains("chunk_size") {
        knobs.push("a lower --chunk");
    }
    Error::MemoryBudget {
        what,
        needed,
        budget,
        hint: format!(
            "to reduce it: {}; or raise --memory-budget",
            knobs.join("; or ")
        ),
    }
}

/// The model, its alternative names and the unit names.
pub struct Model {
    pub model: BatchModel,
    pub alternatives: Vec<String>,
    pub unit_names: Vec<String>,
}

impl ModelArgs {
    /// Checked option values (before any file is read).
    fn alternatives(&self) -> Result<(Vec<NormaliserKind>, Vec<AggregatorKind>)> {
        let n = self
            .alt_normalise
            .iter()
            .map(|s| {
                NormaliserKind::from_str(s.trim())
                    .map_err(|e| common::as_flag("--alt-normalise", e))
            })
            .collect::<Result<Vec<_>>>()?;
        let a = self
            .alt_aggregate
            .iter()
            .map(|s| {
                AggregatorKind::from_str(s.trim())
                    .map_err(|e| common::as_flag("--alt-aggregate", e))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((n, a))
    }

    pub fn check(&self) -> Result<()> {
        if self.memory_budget == Some(0) {
            return Err(Error::invalid(
                "--memory-budget",
                0,
                Expected::at_least(1.0),
            ));
        }
        self.methods.config(&Default::default())?;
        // every variant is ranked with min ties (COINr's rank_df); a rule given here would only change
        // the nominal ranks, so the report would compare two rankings made differently
        self.methods
            .refuse_ties("sweeps rank every variant with min ties (COINr's rank_df)")?;
        self.alternatives().map(|_| ())
    }

    /// Read the inputs, run the preparation and build the sweep model on the prepared data.
    pub fn build(&self, quiet: bool) -> Result<Model> {
        let (alt_n, alt_a) = self.alternatives()?;
        let f = self.inputs.framework()?;
        let config = self.methods.config_noted(&f.imeta_normalise, quiet)?;
        let data = self.inputs.data(&f)?;
        let result = common::run_pipeline(
            &Pipeline::new(config.clone()),
            &data,
            &f.framework,
            None,
            quiet,
        )?;
        let prepared = result.prepared();
        if self.grid {
            if !(alt_n.is_empty() && alt_a.is_empty()) {
                return self.build_grid(&config, &data, &f.framework, prepared, alt_n, alt_a);
            }
            if !quiet {
                eprintln!(
                    "note: --grid combines --alt-normalise and --alt-aggregate alternatives; without \
                     them it changes nothing"
                );
            }
        }
        let mut setup =
            composite_indicators::score::Scorer::from_config(f.framework.clone(), &config.scorer)?
                .sweep(prepared)?;
        if !alt_n.is_empty() {
            setup = setup.with_normalisers(alt_n)?;
        }
        if !alt_a.is_empty() {
            setup = setup.with_aggregators(alt_a)?;
        }
        let alternatives = setup.alternative_names().to_vec();
        Ok(self.model(setup.build()?, alternatives, prepared))
    }

    /// The [`Model`] of a built batch model: its memory budget (`--memory-budget`), its
    /// alternatives' names and the prepared data's unit names.
    fn model(&self, model: BatchModel, alternatives: Vec<String>, prepared: &Dataset) -> Model {
        let model = match self.memory_budget {
            Some(bytes) => model.with_memory_budget(bytes),
            None => model,
        };
        Model {
            model,
            alternatives,
            unit_names: prepared.unit_names().to_vec(),
        }
    }
}

/// The label of the nominal option (the options given) in a `--grid` alternative's name.
const GRID_NOMINAL: &str = "nominal";
/// The label earlier sweep files gave the nominal option (still read as [`GRID_NOMINAL`]).
const GRID_NOMINAL_OLD: &str = "scorer";
/// The name of the normaliser choice of `--grid`.
const GRID_NORMALISER: &str = "normaliser";

/// Whether the alternative named `name` (as the sweep file lists it) normalises otherwise than the
/// nominal build: a listed `--alt-normalise` alternative (its name is the normaliser's text form),
/// or a `--grid` alternative whose normaliser option is not the nominal one.
pub fn renormalises(name: &str) -> bool {
    name.parse::<NormaliserKind>().is_ok()
        || name.split(", ").any(|c| {
            c.strip_prefix(GRID_NORMALISER)
                .and_then(|c| c.strip_prefix('='))
                .is_some_and(|label| label != GRID_NOMINAL && label != GRID_NOMINAL_OLD)
        })
}

impl ModelArgs {
    /// The grid of `--grid`: a [`MethodSpace`] with a `normaliser` and/or an `aggregator` choice,
    /// the nominal option first (labelled `nominal`, the options given), every combination one
    /// alternative.
    fn build_grid(
        &self,
        config: &composite_indicators::pipeline::PipelineConfig,
        data: &Dataset,
        fw: &Framework,
        prepared: &Dataset,
        alt_n: Vec<NormaliserKind>,
        alt_a: Vec<AggregatorKind>,
    ) -> Result<Model> {
        // one choice: the nominal option (`nominal`) and each alternative, labelled as typed
        fn choice<T: serde::Serialize>(
            name: &str,
            address: &str,
            nominal: &T,
            alts: &[T],
            texts: &[String],
        ) -> Result<MethodChoice> {
            let json = |v: &T| {
                serde_json::to_value(v).map_err(|e| {
                    Error::invalid("--grid", e.to_string(), Expected::Rule("a method".into()))
                })
            };
            let mut options = vec![json(nominal)?];
            let mut labels = vec![GRID_NOMINAL.to_string()];
            for (k, text) in alts.iter().zip(texts) {
                options.push(json(k)?);
                labels.push(text.trim().to_string());
            }
            Ok(MethodChoice::new(name, address, options).with_labels(labels))
        }
        let mut space = MethodSpace::new(config.clone());
        if !alt_n.is_empty() {
            space = space.with_choice(choice(
                GRID_NORMALISER,
                "/scorer/normalise",
                &config.scorer.normalise,
                &alt_n,
                &self.alt_normalise,
            )?)?;
        }
        if !alt_a.is_empty() {
            space = space.with_choice(choice(
                "aggregator",
                "/scorer/aggregate",
                &config.scorer.aggregate,
                &alt_a,
                &self.alt_aggregate,
            )?)?;
        }
        let alternatives = (0..space.n_alternatives())
            .map(|alt| space.alternative_name(alt))
            .collect::<Result<Vec<_>>>()?;
        Ok(self.model(space.build(data, fw)?, alternatives, prepared))
    }
}

/// Run a seeded sweep and save its accumulators (rank histograms, score statistics) as JSON.
///
/// Variant k draws every node weight (all levels below the index) as w0 * U(1 - spread, 1 + spread)
/// (or triangular noise) and, with alternatives, one method alternative uniformly; it depends on
/// (seed, k) only, so results are identical for any thread count and any `--shard` split: shards
/// `1/N .. N/N` cover contiguous ranges of [0, variants) and `compind merge` joins them into the
/// file one unsharded run writes. Summarise with `compind report`.
///
/// Example (1000 variants at ±25 %, and the same in 4 shards, merged):
///
///   compind sweep --imeta data/asem/iMeta.csv --idata data/asem/iData.csv --impute mean
///     --variants 1000 --spread 0.25 --seed 7 --out sweep.json
///   for i in 1 2 3 4; do compind sweep ... --shard $i/4 --out part$i.json; done
///   compind merge part1.json part2.json part3.json part4.json --out sweep.json
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    model: ModelArgs,
    /// Number of variants K of the whole sweep. Example: `--variants 100000`.
    #[arg(long, value_name = "K", default_value_t = 1000)]
    variants: usize,
    /// Seed: variant k depends on (seed, k) only. Example: `--seed 42`.
    #[arg(long, value_name = "SEED", default_value_t = 1)]
    seed: u64,
    /// Relative weight noise: each weight is drawn in w0 * [1 - spread, 1 + spread], spread in
    /// [0, 1]; 0 keeps the nominal weights (a pure method sweep). Example: `--spread 0.25`.
    #[arg(long, value_name = "S", default_value_t = 0.25)]
    spread: f64,
    /// Triangular noise (mode at the nominal weight) instead of uniform. Example: `--triangular`.
    #[arg(long)]
    triangular: bool,
    /// Perturb only the weights of these framework levels (1 = indicators, 2 = their parents, ...),
    /// comma-separated. Example: `--levels 2,3`.
    #[arg(long, value_name = "L,L", value_delimiter = ',')]
    levels: Vec<usize>,
    /// Run only shard I of N (1-based): variants [K(I-1)/N, KI/N). Example: `--shard 3/8`.
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    /// Variants per parallel work item (does not change the results' ranks or histograms).
    /// Example: `--chunk 4096`.
    #[arg(long, value_name = "C", default_value_t = 4096)]
    chunk: usize,
    /// Histogram bins per unit for score quantiles (0 = none; default 256). Example:
    /// `--score-bins 256`.
    #[arg(long, value_name = "B")]
    score_bins: Option<usize>,
    /// Keep rank statistics only: no score mean, sd or quantiles (the report's score columns are
    /// empty). About a quarter faster on thousands of units; ranks and rank histograms are the same.
    /// Shards of one sweep must all use it or none. Refused with --score-bins above 0. Example:
    /// `--no-score-stats`.
    #[arg(long)]
    no_score_stats: bool,
    /// How per-unit rank histograms are kept: `exact` (units x units counters: 10,000 units take
    /// 800 MB per histogram, one per thread plus the result), `binned:B` (B bins of ceil(units/B)
    /// consecutive ranks per unit: units x B counters; rank quantiles within one bin width) or
    /// `auto` (exact when the sweep fits --memory-budget, else the narrowest bins that fit). The
    /// report's `rank_resolution` column gives the bin width of a binned sweep. Shards of one sweep
    /// need the same summary (use binned:B rather than auto when shards run on different machines).
    /// Example: `--rank-summary auto`.
    #[arg(long, value_name = "exact|auto|binned:B", default_value = "exact", value_parser = parse_rank_summary)]
    rank_summary: RankSummary,
    /// Output file (JSON). Example: `--out sweep.json`.
    #[arg(value_parser = common::output_path, long, value_name = "FILE.json")]
    out: PathBuf,
}

/// Parse `I/N` (1 ≤ I ≤ N) into the variant range of shard I (a shard of more shards than variants
/// can be empty: it merges as nothing, so a job array may have more tasks than variants). Text that
/// is not `I/N` is a usage error (exit 2); numbers out of range are bad input (exit 1), as every
/// other range check.
pub fn shard_range(s: &str, k: usize) -> std::result::Result<std::ops::Range<usize>, Failure> {
    let bad = || {
        Failure::Usage(format!(
            "--shard `{s}`: expected I/N with 1 <= I <= N, e.g. 3/8"
        ))
    };
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let i: u128 = i.trim().parse().map_err(|_| bad())?;
    let n: u128 = n.trim().parse().map_err(|_| bad())?;
    if n == 0 || i == 0 || i > n {
        let e = Error::invalid(
            "--shard",
            format!("`{s}`"),
            Expected::Rule("expected I/N with 1 <= I <= N, e.g. 3/8".into()),
        );
        return Err(Failure::Input(e));
    }
    let k = k as u128;
    // k * i / n <= k, so both bounds fit usize
    let start = usize::try_from(k * (i - 1) / n).map_err(|_| bad())?;
    let end = usize::try_from(k * i / n).map_err(|_| bad())?;
    Ok(start..end)
}

pub fn run(a: &Args, quiet: bool) -> Outcome {
    a.model.inputs.require()?;
    if a.no_score_stats && a.score_bins.is_some_and(|b| b > 0) {
        return Err(Failure::Usage(
            "--score-bins above 0 needs score statistics: drop --no-score-stats or --score-bins"
                .into(),
        ));
    }
    if a.variants == 0 {
        return Err(Error::invalid("--variants", 0, Expected::at_least(1.0)).into());
    }
    if a.rank_summary == (RankSummary::Binned { bins: 0 }) {
        let e = Error::invalid(
            "--rank-summary",
            "`binned:0`",
            Expected::Rule("binned:B needs B >= 1 bins per unit, e.g. binned:256".into()),
        );
        return Err(e.into());
    }
    let range = match &a.shard {
        Some(s) => shard_range(s, a.variants)?,
        None => 0..a.variants,
    };
    a.model.check()?;
    common::check_outputs(&a.model.inputs.paths(), std::slice::from_ref(&a.out))?;
    let nodes = if a.levels.is_empty() {
        NodeSelection::All
    } else {
        NodeSelection::Levels {
            levels: a.levels.clone(),
        }
    };
    let weights = if a.spread == 0.0 {
        WeightSampler::Nominal
    } else if a.triangular {
        WeightSampler::Triangular {
            spread: a.spread,
            nodes,
        }
    } else {
        WeightSampler::Uniform {
            spread: a.spread,
            nodes,
        }
    };
    let m = a.model.build(quiet)?;
    let mut cfg = SweepConfig::new(a.variants, a.seed, weights);
    if m.model.n_alternatives() > 1 {
        cfg.alternatives = AltSampler::Uniform;
    }
    cfg.chunk_size = a.chunk;
    cfg.score_bins = a.score_bins.unwrap_or(256);
    cfg = cfg
        .with_rank_summary(a.rank_summary)
        .with_score_stats(!a.no_score_stats);
    if range.is_empty() && !quiet {
        eprintln!(
            "note: shard {} of {} holds no variant (more shards than variants); its file merges as \
             nothing",
            a.shard.as_deref().unwrap_or_default(),
            common::count(a.variants as u64, "variant")
        );
    }
    let progress = Progress::new(quiet, range.len(), "sweep");
    let cb = progress.callback();
    let ctl = Control::default().with_progress(&cb);
    let result = m
        .model
        .sweep_range_with(&cfg, range.clone(), &ctl)
        .map_err(|e| budget_hint(e, a.rank_summary));
    progress.finish();
    let file = SweepFile {
        format: FORMAT.into(),
        config: cfg,
        alternatives: m.alternatives,
        range: [range.start, range.end],
        unit_names: m.unit_names,
        result: result?,
    };
    file.write(&a.out)?;
    if !quiet {
        eprintln!(
            "wrote variants {}..{} of {} ({}, {}) to {}",
            range.start,
            range.end,
            a.variants,
            common::count(file.result.unit_codes.len(), "unit"),
            summary_words(&file.result.ranks),
            a.out.display()
        );
    }
    Ok(())
}

/// `exact rank histograms` or `binned rank histograms, width w (B bins)`.
pub fn summary_words(h: &composite_indicators::sweep::RankHistogram) -> String {
    if h.is_exact() {
        "exact rank histograms".into()
    } else {
        format!(
            "binned rank histograms, width {} ({} bins)",
            h.bin_width(),
            h.n_bins()
        )
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_parse_with_binary_suffixes() {
        assert_eq!(super::parse_bytes("123"), Ok(123));
        assert_eq!(super::parse_bytes("64k"), Ok(64 << 10));
        assert_eq!(super::parse_bytes("1.5G"), Ok(3 << 29));
        assert_eq!(super::parse_bytes("2TiB"), Ok(2 << 40));
        assert_eq!(super::parse_bytes("512MB"), Ok(512 << 20));
        // 0 is a size out of range, refused by the option check (exit 1), not by the parser
        assert_eq!(super::parse_bytes("0"), Ok(0));
        for bad in ["", "G", "-1G", "1e30T", "ten"] {
            assert!(super::parse_bytes(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rank_summaries_parse() {
        use composite_indicators::sweep::RankSummary;
        let p = super::parse_rank_summary;
        assert_eq!(p("exact"), Ok(RankSummary::Exact));
        assert_eq!(p("Auto"), Ok(RankSummary::Auto));
        assert_eq!(p("binned:64"), Ok(RankSummary::Binned { bins: 64 }));
        assert_eq!(p("binned:0"), Ok(RankSummary::Binned { bins: 0 }));
        for bad in ["", "binned", "binned:x", "bins:4", "exactly"] {
            assert!(p(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn budget_hints_name_the_flags() {
        use composite_indicators::Error;
        use composite_indicators::sweep::RankSummary;
        let e = |hint: &str| Error::MemoryBudget {
            what: "a sweep".into(),
            needed: 2,
            budget: 1,
            hint: hint.into(),
        };
        let msg = |hint: &str, s: RankSummary| super::budget_hint(e(hint), s).to_string();
        let exact = msg(
            "to reduce it: use a binned rank summary; or raise the budget",
            RankSummary::Exact,
        );
        assert!(exact.contains("--rank-summary auto"), "{exact}");
        assert!(!exact.contains("--chunk"), "{exact}");
        let binned = msg(
            "to reduce it: fewer rank bins; or lower chunk_size (now 4096)",
            RankSummary::Auto,
        );
        assert!(
            binned.contains("binned:B") && binned.contains("--chunk"),
            "{binned}"
        );
        assert!(!binned.contains("--rank-summary auto"), "{binned}");
        let unknown = msg("something new", RankSummary::Exact);
        for flag in [
            "--rank-summary auto",
            "--score-bins",
            "--chunk",
            "--memory-budget",
        ] {
            assert!(unknown.contains(flag), "{unknown}");
        }
        let other = super::budget_hint(Error::Cancelled, RankSummary::Exact);
        assert!(matches!(other, Error::Cancelled));
    }

    use super::shard_range;

    #[test]
    fn shards_tile_the_range() {
        for k in [0usize, 1, 7, 1000] {
            for n in 1..=9u32 {
                let mut next = 0;
                for i in 1..=n {
                    let Ok(r) = shard_range(&format!("{i}/{n}"), k) else {
                        panic!("{i}/{n} of {k}");
                    };
                    assert_eq!(r.start, next);
                    next = r.end;
                }
                assert_eq!(next, k);
            }
        }
        // numbers out of range are bad input (exit 1), text of the wrong form a usage error (2)
        for bad in ["0/4", "5/4", "1/0"] {
            let r = shard_range(bad, 10);
            assert!(matches!(r, Err(super::Failure::Input(_))), "{bad}");
        }
        for bad in ["a/b", "3", "-1/4"] {
            let r = shard_range(bad, 10);
            assert!(matches!(r, Err(super::Failure::Usage(_))), "{bad}");
        }
    }
}
