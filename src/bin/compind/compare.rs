//! `compind compare`: two builds of an index compared unit by unit (COINr's compare_coins and
//! compare_coins_corr).

use std::path::PathBuf;

use composite_indicators::Error;
use composite_indicators::error::Expected;
use composite_indicators::study::CsvTable;
use composite_indicators::study::compare::{
    CompareBy, CompareOptions, SortBy, compare_nodes, similarity_table,
};

use crate::common::{self, Inputs, Methods, Outcome};

/// COINr's compare_coins (and compare_coins_corr): two builds compared unit by unit.
///
/// Compare two builds of an index unit by unit (COINr's compare_coins): run A uses the preparation
/// and scoring options given (as `compind score`); run B is the same build with the `--b-*` options
/// replacing A's (another normaliser, aggregator, weights, imputation, treatment, screening, or other
/// data on the same framework: a new year, a corrected file). Units are matched by code over both
/// runs (a unit scored in one run only has an empty field in the other); at each --node the runs are
/// re-ranked (rank 1 = best, ties sharing the best rank, as COINr) or, with --by scores, compared as
/// values.
///
/// Output: columns uCode, iCode (the node), coin.1 (run A), coin.2 (run B), Diff (A − B), Abs.diff;
/// one block of rows per node, in unit-code order or sorted by --sort. With --similarity FILE, also
/// one row per node: iCode, Correlation (COINr's compare_coins_corr: Pearson of the two runs' ranks,
/// or values with --by scores), n, and the rank-similarity measures pearson, spearman, kendall_tau_b,
/// gamma, weighted_spearman and ws between the two runs' values.
///
/// Example (min-max against rank normalisation of COINr's ASEM build, biggest movers first):
///
///   compind compare --imeta data/asem/iMeta.csv --idata data/asem/iData.csv --denominate
///     --impute group_mean:EurAsia_group --screen 0.9 --treat winsorise:5 --normalise minmax:0,100
///     --b-normalise rank --node Index --node Conn --node Sust --sort abs_diff --decreasing
///     --similarity similarity.csv --out compare.csv
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    inputs: Inputs,
    #[command(flatten)]
    methods: Methods,
    /// Run B's data (a COINr iData read with --imeta), replacing --idata.
    /// Example: `--b-idata iData2023.csv`.
    #[arg(long, value_name = "FILE", value_parser = common::input_path, requires = "imeta", conflicts_with = "spec")]
    b_idata: Option<PathBuf>,
    /// Run B's data (read with --spec and --groups), replacing --data. Example: `--b-data data2023.csv`.
    #[arg(long, value_name = "FILE", value_parser = common::input_path, requires = "spec", conflicts_with = "imeta")]
    b_data: Option<PathBuf>,
    /// Run B's imputation (as --impute). Example: `--b-impute median`.
    #[arg(long, value_name = "METHOD")]
    b_impute: Option<String>,
    /// Run B's screening threshold (as --screen). Example: `--b-screen 0.8`.
    #[arg(long, value_name = "THRESHOLD")]
    b_screen: Option<String>,
    /// Run B's outlier treatment (as --treat). Example: `--b-treat winsorise:3`.
    #[arg(long, value_name = "winsorise:WINMAX")]
    b_treat: Option<String>,
    /// Run B's normaliser (as --normalise). Example: `--b-normalise rank`.
    #[arg(long, value_name = "METHOD")]
    b_normalise: Option<String>,
    /// Run B's aggregator (as --aggregate). Example: `--b-aggregate geometric`.
    #[arg(long, value_name = "METHOD")]
    b_aggregate: Option<String>,
    /// Run B's weights (as --weights). Example: `--b-weights equal`.
    #[arg(long, value_name = "nominal|equal")]
    b_weights: Option<String>,
    /// Run B's missing-children policy (as --missing). Example: `--b-missing skip:0.5`.
    #[arg(long, value_name = "POLICY")]
    b_missing: Option<String>,
    /// Node to compare (an indicator or aggregate code; repeat for several); default the index.
    /// Example: `--node Index --node Conn`.
    #[arg(long = "node", value_name = "CODE")]
    nodes: Vec<String>,
    /// Compare ranks (default; recomputed with min ties) or scores (COINr compare_by).
    /// Example: `--by scores`.
    #[arg(long, value_name = "ranks|scores", default_value = "ranks", value_parser = ["ranks", "scores"])]
    by: String,
    /// Sort each node's rows by a column (COINr sort_by): first (coin.1), second (coin.2), diff or
    /// abs_diff; missing values last, ties in unit-code order. Default: unit-code order.
    /// Example: `--sort abs_diff`.
    #[arg(long, value_name = "COLUMN", value_parser = ["first", "second", "diff", "abs_diff"])]
    sort: Option<String>,
    /// Sort decreasing (COINr decreasing). Example: `--sort abs_diff --decreasing`.
    #[arg(long, requires = "sort")]
    decreasing: bool,
    /// Also write the similarity table (COINr's compare_coins_corr and rank-similarity measures),
    /// one row per node. Example: `--similarity similarity.csv`.
    #[arg(value_parser = common::output_path, long, value_name = "FILE")]
    similarity: Option<PathBuf>,
    /// Output table (CSV, `uCode` first). Never one of the inputs. Example: `--out compare.csv`.
    #[arg(value_parser = common::output_path, long, value_name = "FILE")]
    out: PathBuf,
}

/// A `--b-*` method option: its flag, its value, and where it goes in [`Methods`].
type BOption<'a> = (
    &'static str,
    &'a Option<String>,
    fn(&mut Methods) -> &mut Option<String>,
);

impl Args {
    /// Run B's inputs and methods: A's with the `--b-*` options replacing A's.
    fn run_b(&self) -> (Inputs, Methods) {
        let mut inputs = self.inputs.clone();
        if let Some(d) = &self.b_idata {
            inputs.idata = Some(d.clone());
        }
        if let Some(d) = &self.b_data {
            inputs.data = Some(d.clone());
        }
        let mut m = self.methods.clone();
        let replace = |slot: &mut Option<String>, b: &Option<String>| {
            if b.is_some() {
                slot.clone_from(b);
            }
        };
        replace(&mut m.impute, &self.b_impute);
        replace(&mut m.screen, &self.b_screen);
        replace(&mut m.treat, &self.b_treat);
        replace(&mut m.normalise, &self.b_normalise);
        replace(&mut m.aggregate, &self.b_aggregate);
        replace(&mut m.weights, &self.b_weights);
        replace(&mut m.missing, &self.b_missing);
        (inputs, m)
    }

    /// Check every `--b-*` method option alone, so that an error names the `--b-` flag at fault.
    fn check_b_options(&self) -> composite_indicators::Result<()> {
        let none = || Methods {
            denominate: false,
            impute: None,
            screen: None,
            treat: None,
            normalise: None,
            aggregate: None,
            weights: None,
            missing: None,
            ties: None,
        };
        let options: [BOption<'_>; 7] = [
            ("--b-impute", &self.b_impute, |m| &mut m.impute),
            ("--b-screen", &self.b_screen, |m| &mut m.screen),
            ("--b-treat", &self.b_treat, |m| &mut m.treat),
            ("--b-normalise", &self.b_normalise, |m| &mut m.normalise),
            ("--b-aggregate", &self.b_aggregate, |m| &mut m.aggregate),
            ("--b-weights", &self.b_weights, |m| &mut m.weights),
            ("--b-missing", &self.b_missing, |m| &mut m.missing),
        ];
        for (flag, value, slot) in options {
            let mut m = none();
            slot(&mut m).clone_from(value);
            m.config(&Default::default()).map_err(|e| match e {
                e @ Error::InvalidParameter { .. } => common::as_flag(flag, e),
                other => Error::invalid(flag, "", Expected::Rule(other.to_string())),
            })?;
        }
        Ok(())
    }
}

pub fn run(a: &Args, quiet: bool) -> Outcome {
    a.inputs.require()?;
    let (inputs_b, methods_b) = a.run_b();
    a.methods.config(&Default::default())?;
    a.methods.refuse_ties(
        "`compind compare` re-ranks both runs with min ties, as COINr's compare_coins",
    )?;
    a.check_b_options()?;
    methods_b.config(&Default::default())?;
    let compare_by = if a.by == "scores" {
        CompareBy::Scores
    } else {
        CompareBy::Ranks
    };
    let sort_by = a.sort.as_deref().map(|s| match s {
        "first" => SortBy::First,
        "second" => SortBy::Second,
        "diff" => SortBy::Diff,
        _ => SortBy::AbsDiff,
    });
    let mut inputs = a.inputs.paths();
    inputs.extend(a.b_idata.iter().chain(&a.b_data).cloned());
    let mut outputs = vec![a.out.clone()];
    outputs.extend(a.similarity.iter().cloned());
    common::check_outputs(&inputs, &outputs)?;
    let (f, first) = common::build(&a.inputs, &a.methods, true)?;
    let (_, second) = common::build(&inputs_b, &methods_b, true)?;
    if !quiet {
        for (run, r, m) in [("A", &first, &a.methods), ("B", &second, &methods_b)] {
            if let Some(t) = &m.screen {
                eprintln!(
                    "run {run}: {}",
                    common::screening_note(t, r.removed_units())
                );
            }
        }
    }
    let root = f.framework.root().code.clone();
    let nodes: Vec<&str> = if a.nodes.is_empty() {
        vec![root.as_str()]
    } else {
        a.nodes.iter().map(String::as_str).collect()
    };
    let opts = CompareOptions {
        compare_by,
        sort_by,
        decreasing: a.decreasing,
    };
    let (sa, sb) = (first.scores(), second.scores());
    let cmp = compare_nodes(sa, sb, &nodes, &opts)?;
    // the similarity table is computed before anything is written, so an error leaves no file
    let sim = a
        .similarity
        .as_ref()
        .map(|_| similarity_table(sa, sb, &nodes, compare_by))
        .transpose()?;
    cmp.write_csv_path(&a.out)?;
    if let (Some(path), Some(sim)) = (&a.similarity, &sim) {
        sim.write_csv_path(path)?;
    }
    if !quiet {
        for (node, m) in cmp.mean_abs_diff() {
            eprintln!("{node}: mean absolute difference {m:.4}");
        }
        eprintln!("wrote {} rows to {}", cmp.rows.len(), a.out.display());
    }
    Ok(())
}
