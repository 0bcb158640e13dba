//! `compind trends`: per unit and indicator trends over the periods of a COINr panel (COINr's
//! get_trends).

use std::path::PathBuf;

use composite_indicators::Error;
use composite_indicators::error::Expected;
use composite_indicators::study::CsvTable;
use composite_indicators::study::trends::{TrendMetric, TrendOptions, TrendWindow, trends};

use crate::common::{self, Methods, Outcome};
use crate::panelcommon::{self, PanelInputs};

/// COINr's get_trends: CAGR, slope or percentage change per unit and indicator.
///
/// Trends of every unit and column over time (COINr's get_trends): the compound annual growth rate
/// (cagr, COINr's default: (last/first)^(1/(t_last - t_first)) - 1), the least-squares slope
/// (slope), or COINr's percentage change (prc_change[:PER], per PER time units, default 1). The
/// series of a unit: its value in every period in which it has a row, interpolated at
/// --interp-at, restricted to the window (--times or the --use-latest N periods),
/// with at least --min-points points; otherwise, or where the metric is undefined (e.g. CAGR from 0),
/// the trend is empty and the note column says why.
///
/// --dset Raw (default) reads the panel as it is; any other data set (Treated, Normalised,
/// Aggregated for the aggregate scores, ...) builds every period first with the preparation and
/// scoring options given (as `compind panel`, --scope).
///
/// Output: uCode, iCode, the metric (CAGR, Slope or prc_change), n_points, Avail, t_first,
/// t_latest, note.
///
/// Example (CAGR of the ASEM indicators over the latest 3 years):
///
///   compind trends --imeta data/asem/iMeta.csv --idata data/asem/iData_p.csv --use-latest 3
///     --out trends.csv
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    inputs: PanelInputs,
    #[command(flatten)]
    methods: Methods,
    /// Data set (COINr's names): Raw (default), Denominated, Imputed, Screened, Treated, Normalised,
    /// Aggregated. Example: `--dset Aggregated`.
    #[arg(long, value_name = "NAME", default_value = "Raw")]
    dset: String,
    /// Normalisation scope of the build for data sets after Raw: global (default) or per-period.
    /// Example: `--scope per-period`.
    #[arg(long, value_name = "global|per-period", default_value = "global", value_parser = ["global", "per-period"])]
    scope: String,
    /// cagr (default), slope or prc_change[:PER] (COINr's f_trend). Example: `--metric prc_change:1`.
    #[arg(long, value_name = "METRIC", default_value = "cagr")]
    metric: String,
    /// Use the unit's N periods ending at its latest observed point (COINr's use_latest).
    /// Example: `--use-latest 3`.
    #[arg(long, value_name = "N", conflicts_with = "times")]
    use_latest: Option<usize>,
    /// Use only these periods, comma-separated (COINr's Time). Example: `--times 2019,2020,2021`.
    #[arg(long, value_name = "T,T", value_delimiter = ',')]
    times: Vec<f64>,
    /// Minimum number of non-missing points (at least 2). Example: `--min-points 3`.
    #[arg(long, value_name = "N", default_value_t = 2)]
    min_points: usize,
    /// Interpolate missing values linearly between observed points first: `all` (every period) or
    /// periods, comma-separated (COINr's interp_at). Example: `--interp-at all`.
    #[arg(long, value_name = "all|T,T")]
    interp_at: Option<String>,
    /// Multiply each trend by the indicator's direction (COINr's adjust_directions).
    /// Example: `--adjust-directions`.
    #[arg(long)]
    adjust_directions: bool,
    /// Only this column (repeat; COINr's iCodes); default every indicator of iMeta for --dset Raw
    /// (denominators only when named here), every column of the data set otherwise.
    /// Example: `--col LPI --col Index`.
    #[arg(long = "col", value_name = "CODE")]
    cols: Vec<String>,
    /// Only this unit (repeat; COINr's uCodes); default every unit. Example: `--unit AUT`.
    #[arg(long = "unit", value_name = "CODE")]
    units: Vec<String>,
    /// Output table (CSV, `uCode` first). Never one of the inputs. Example: `--out trends.csv`.
    #[arg(value_parser = common::output_path, long, value_name = "FILE")]
    out: PathBuf,
}

fn metric(s: &str) -> composite_indicators::Result<TrendMetric> {
    Ok(match s {
        "cagr" => TrendMetric::Cagr,
        "slope" => TrendMetric::Slope,
        "prc_change" => TrendMetric::PrcChange { per: 1.0 },
        other => match other.strip_prefix("prc_change:").map(str::parse::<f64>) {
            Some(Ok(per)) if per.is_finite() && per > 0.0 => TrendMetric::PrcChange { per },
            _ => {
                return Err(Error::invalid(
                    "--metric",
                    format!("`{other}`"),
                    Expected::one_of(["cagr", "slope", "prc_change", "prc_change:PER (PER > 0)"]),
                ));
            }
        },
    })
}

fn interp(s: &str) -> composite_indicators::Result<Vec<f64>> {
    if s == "all" {
        return Ok(Vec::new());
    }
    s.split(',')
        .map(|t| {
            t.trim().parse::<f64>().map_err(|_| {
                Error::invalid(
                    "--interp-at",
                    format!("`{t}`"),
                    Expected::Form("all or periods like 2019,2020".into()),
                )
            })
        })
        .collect()
}

pub fn run(a: &Args, quiet: bool) -> Outcome {
    a.methods.config(&Default::default())?;
    a.methods.refuse_ties("`compind trends` ranks no units")?;
    let stage = common::parse_dset(&a.dset)?;
    if stage == composite_indicators::pipeline::Stage::Raw {
        // the panel as read: no build step runs (any other data set runs the whole panel build)
        a.methods.note_beyond(stage, quiet);
    }
    if a.use_latest == Some(0) {
        return Err(Error::invalid("--use-latest", 0, Expected::at_least(1.0)).into());
    }
    let window = match (a.use_latest, a.times.is_empty()) {
        (Some(n), _) => TrendWindow::Latest(n),
        (None, false) => TrendWindow::Times(a.times.clone()),
        (None, true) => TrendWindow::All,
    };
    let opts = TrendOptions {
        metric: metric(&a.metric)?,
        window,
        min_points: a.min_points,
        interp_at: a.interp_at.as_deref().map(interp).transpose()?,
        adjust_directions: a.adjust_directions,
        columns: (!a.cols.is_empty()).then(|| a.cols.clone()),
        units: (!a.units.is_empty()).then(|| a.units.clone()),
    };
    common::check_outputs(&a.inputs.paths(), std::slice::from_ref(&a.out))?;
    let (fw, panel) = if a.dset == "Raw" {
        let (f, panel) = a.inputs.read()?;
        (f.framework, panel)
    } else {
        let (fw, _, purse) = panelcommon::build(&a.inputs, &a.methods, &a.scope, quiet)?;
        let panel = purse
            .panel(&a.dset)
            .map_err(|e| common::as_flag("--dset", e))?;
        (fw, panel)
    };
    let mut opts = opts;
    if a.dset == "Raw" && opts.columns.is_none() {
        // COINr's Raw data set holds the indicators only: denominators and other numeric columns of
        // iData are not trended unless asked for with --col
        let in_panel: std::collections::BTreeSet<&str> = panel
            .periods()
            .iter()
            .flat_map(|p| p.data.columns().iter().map(String::as_str))
            .collect();
        opts.columns = Some(
            fw.spec()
                .indicators
                .iter()
                .map(|i| i.code.clone())
                .filter(|c| in_panel.contains(c.as_str()))
                .collect(),
        );
    }
    let t = trends(&panel, &opts, Some(&fw))?;
    t.write_csv_path(&a.out)?;
    if !quiet {
        let missing = t.rows.iter().filter(|r| r.value.is_nan()).count();
        eprintln!(
            "wrote {} ({missing} missing, see the note column) to {}",
            common::count(t.rows.len(), "trend"),
            a.out.display()
        );
    }
    Ok(())
}
