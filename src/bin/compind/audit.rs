//! `compind audit`: the statistical audit of a build, one CSV per table.

use std::path::PathBuf;

use composite_indicators::audit::{
    AuditOptions, CorrMethod, audit, correlation_pvalues, significant_correlation_matrix,
};
use composite_indicators::io::{self, Table, describe_table, matrix_table};
use composite_indicators::pipeline::Pipeline;
use composite_indicators::{Error, Result};

use crate::common::{self, Inputs, Methods, Outcome};

/// Statistical audit of a build: correlations, p-values, alpha, PCA, flags, statistics.
///
/// Audit a build: correlations (Pearson and Spearman, pairwise complete), their p-values and the
/// correlations masked where insignificant (COINr's get_corr(pval)), each node's correlation with
/// its parent and the index, Cronbach's alpha and PCA variance shares per group, flags (negative
/// correlation with the parent, collinear pairs), and descriptive statistics of the prepared data.
///
/// stats.csv is a short descriptive table (n, n_missing, min, max, mean, median, sd, skew, kurtosis)
/// of the data that entered normalisation; for COINr's get_stats table with its flags (low
/// availability, zeros, few unique values, outliers) of any data set, use `compind stats`.
///
/// Tables written into --out DIR (created if missing, with any missing parent directories, once
/// every check passed and the audit is computed): corr_pearson, corr_spearman, corr_pvalues,
/// corr_masked (of --method), parents, groups, pca, flags, stats; `.csv` (or `.json` with --json).
/// Correlations are between the normalised indicators, as the scores use them.
///
/// Example:
///
///   compind audit --imeta data/asem/iMeta.csv --idata data/asem/iData.csv --impute mean --out audit/
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    inputs: Inputs,
    #[command(flatten)]
    methods: Methods,
    /// Correlation for parent/index correlations, flags, p-values and masking: pearson or
    /// spearman. Example: `--method spearman`.
    #[arg(long, value_name = "pearson|spearman", default_value = "pearson", value_parser = ["pearson", "spearman"])]
    method: String,
    /// Mask correlations whose p-value exceeds P (COINr's default 0.05; 0 masks nothing).
    /// Example: `--pval 0.01`.
    #[arg(long, value_name = "P", default_value_t = 0.05)]
    pval: f64,
    /// Flag pairs of indicators of one group whose correlation r is above R, in [0, 1] (COINr's
    /// get_corr_flags: default 0.9, signed, so strongly negative pairs are not flagged). Example:
    /// `--collinear 0.95`.
    #[arg(long, value_name = "R", default_value_t = 0.9)]
    collinear: f64,
    /// Write JSON tables instead of CSV. Example: `--json`.
    #[arg(long)]
    json: bool,
    /// Output directory (not `-`: the audit writes several tables). Example: `--out audit/`.
    #[arg(long, value_name = "DIR", value_parser = output_dir)]
    out: PathBuf,
}

const TABLES: [&str; 9] = [
    "corr_pearson",
    "corr_spearman",
    "corr_pvalues",
    "corr_masked",
    "parents",
    "groups",
    "pca",
    "flags",
    "stats",
];

pub fn run(a: &Args, quiet: bool) -> Outcome {
    a.inputs.require()?;
    a.methods.config(&Default::default())?;
    a.methods.refuse_ties("`compind audit` ranks no units")?;
    let ext = if a.json { "json" } else { "csv" };
    let path_of = |name: &str| a.out.join(format!("{name}.{ext}"));
    let outputs: Vec<PathBuf> = TABLES.iter().map(|t| path_of(t)).collect();
    io::check_output_paths(&a.inputs.paths(), &outputs)?;
    match std::fs::metadata(&a.out) {
        // the tables must not be directories, and the directory must take new files
        Ok(m) if m.is_dir() => common::check_output_dirs(&outputs)?,
        Ok(_) => {
            return Err(Error::Io {
                path: a.out.display().to_string(),
                source: std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "exists and is not a directory (--out names the directory of the audit tables)",
                ),
            }
            .into());
        }
        // created later, with any missing parents: the nearest existing ancestor must be a
        // directory that takes new files
        Err(_) => check_creatable_dir(&a.out)?,
    }
    let method = if a.method == "spearman" {
        CorrMethod::Spearman
    } else {
        CorrMethod::Pearson
    };
    let f = a.inputs.framework()?;
    let pipeline = Pipeline::new(a.methods.config_noted(&f.imeta_normalise, quiet)?);
    let data = a.inputs.data(&f)?;
    let result = common::run_pipeline(&pipeline, &data, &f.framework, None, quiet)?;
    let fw = &f.framework;
    let scores = result.scores();
    let m = fw.n_indicators();
    let normalised = scores.values().slice(ndarray::s![.., ..m]).to_owned();
    let opts = AuditOptions {
        method,
        collinear_threshold: a.collinear,
    };
    let rep = audit(normalised.view(), Some(scores.values().view()), fw, &opts)?;
    let mut tables: Vec<(String, Table)> = io::audit_tables(&rep)?;
    let p = correlation_pvalues(normalised.view(), method)?;
    let masked = significant_correlation_matrix(normalised.view(), method, a.pval)?;
    tables.insert(
        2,
        ("corr_pvalues".into(), matrix_table(&rep.indicators, &p)?),
    );
    tables.insert(
        3,
        (
            "corr_masked".into(),
            matrix_table(&rep.indicators, &masked)?,
        ),
    );
    tables.push((
        "stats".into(),
        describe_table(result.prepared(), &rep.indicators)?,
    ));
    // every check passed and every table is computed: only now create the directory (and its
    // missing parents), so a failing run creates nothing
    std::fs::create_dir_all(&a.out).map_err(|e| Error::Io {
        path: a.out.display().to_string(),
        source: e,
    })?;
    write_all(&tables, &path_of)?;
    if !quiet {
        eprintln!(
            "wrote {} tables ({}) to {}",
            tables.len(),
            common::count(rep.flags.len(), "flag"),
            a.out.display()
        );
    }
    Ok(())
}

fn write_all(tables: &[(String, Table)], path_of: &dyn Fn(&str) -> PathBuf) -> Result<()> {
    for (name, t) in tables {
        t.write_path(path_of(name))?;
    }
    Ok(())
}

/// Check that the missing directory `dir` can be created with `create_dir_all`: walk up to its
/// nearest existing ancestor, which must be a directory (not a file, not a dangling link) and take
/// new files (the probe of [`common::check_output_dirs`] on the topmost missing directory). Nothing
/// is created here.
fn check_creatable_dir(dir: &std::path::Path) -> Result<()> {
    let not_a_dir = |p: &std::path::Path| Error::Io {
        path: dir.display().to_string(),
        source: std::io::Error::new(
            std::io::ErrorKind::NotADirectory,
            format!(
                "`{}` exists and is not a directory (--out names the directory of the audit \
                 tables)",
                p.display()
            ),
        ),
    };
    // a dangling symbolic link: `metadata` failed, but the name is taken
    if std::fs::symlink_metadata(dir).is_ok() {
        return Err(not_a_dir(dir));
    }
    let mut top = dir;
    loop {
        let parent = match top.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            // a relative path's first component: its parent is the current directory
            _ => break,
        };
        if std::fs::symlink_metadata(parent).is_ok() {
            if !std::fs::metadata(parent).is_ok_and(|m| m.is_dir()) {
                return Err(not_a_dir(parent));
            }
            break;
        }
        top = parent;
    }
    common::check_output_dirs(&[top.to_path_buf()])
}

/// `--out DIR`: a directory name, never `-` (several tables cannot share standard output).
fn output_dir(s: &str) -> std::result::Result<PathBuf, String> {
    match s {
        "-" => Err(
            "the audit writes several tables into a directory; give a directory name, \
                    not `-`"
                .into(),
        ),
        "" => Err("an empty output directory; give a directory name".into()),
        // a table file name where a directory is meant (an existing directory of that name is fine)
        _ if looks_like_a_table_file(s) && !std::path::Path::new(s).is_dir() => Err(format!(
            "`{s}` looks like a file name, but the audit writes its tables (pca.csv, \
             corr_pearson.csv, ...) into a directory: give a directory name such as `audit`"
        )),
        _ => Ok(PathBuf::from(s)),
    }
}

/// A name ending in a table file's extension (`.csv`, `.json`, `.tsv`, `.txt`, `.xlsx`).
fn looks_like_a_table_file(s: &str) -> bool {
    common::extension(s)
        .is_some_and(|e| ["csv", "json", "tsv", "txt", "xlsx"].contains(&e.as_str()))
}
