//! `compind impute-panel`: fill missing values of a COINr panel from other periods (COINr's
//! impute_panel).

use std::path::PathBuf;

use composite_indicators::Error;
use composite_indicators::error::Expected;
use composite_indicators::study::CsvTable;
use composite_indicators::study::impute_panel::{ImputePanel, PanelImputeMethod};

use crate::common::{self, Outcome};
use crate::panelcommon::PanelInputs;

/// COINr's impute_panel: fill missing values of a panel from other periods.
///
/// Fill a unit's missing values from the same unit and indicator in other periods (COINr's
/// impute_panel). Methods: latest (COINr's default: the latest earlier observed value; latest:K
/// looks back at most K periods, COINr's max_time), constant (the earlier observed value, the
/// first observed before it, the last after it), linear (linear interpolation between the nearest
/// observed periods, constant beyond them; a series with one observation is an error) and
/// linear-constant (linear, but a single observation fills the series). Observed values never change.
///
/// Output (--out): the panel in COINr's layout (uCode, uName, group columns, Time, indicators), to
/// feed `compind panel` or `compind trends`; --report FILE lists every value filled (uCode, iCode,
/// Time, Value, From = the period(s) it came from, Status filled) and every value left missing
/// (Status with the reason).
///
/// Example:
///
///   compind impute-panel --imeta data/asem/iMeta.csv --idata data/asem/iData_p.csv --method latest
///     --report filled.csv --out iData_p_imputed.csv
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    inputs: PanelInputs,
    /// latest, latest:K, constant, linear or linear-constant (COINr's imp_type). Example:
    /// `--method latest:2`.
    #[arg(long, value_name = "METHOD", default_value = "latest")]
    method: String,
    /// Only this column (repeat for several; COINr's cols); default every numeric column.
    /// Example: `--col LPI --col Flights`.
    #[arg(long = "col", value_name = "CODE")]
    cols: Vec<String>,
    /// Also write the report of filled and unfilled values. Example: `--report filled.csv`.
    #[arg(value_parser = common::output_path, long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Output panel (CSV). Never one of the inputs. Example: `--out iData_p_imputed.csv`.
    #[arg(value_parser = common::output_path, long, value_name = "FILE")]
    out: PathBuf,
}

fn method(s: &str) -> composite_indicators::Result<PanelImputeMethod> {
    Ok(match s {
        "latest" => PanelImputeMethod::Latest { max_time: None },
        "constant" => PanelImputeMethod::Constant,
        "linear" => PanelImputeMethod::Linear,
        "linear-constant" => PanelImputeMethod::LinearConstant,
        other => match other.strip_prefix("latest:").map(str::parse::<usize>) {
            Some(Ok(k)) if k >= 1 => PanelImputeMethod::Latest { max_time: Some(k) },
            _ => {
                return Err(Error::invalid(
                    "--method",
                    format!("`{other}`"),
                    Expected::one_of([
                        "latest",
                        "latest:K (K >= 1 periods)",
                        "constant",
                        "linear",
                        "linear-constant",
                    ]),
                ));
            }
        },
    })
}

pub fn run(a: &Args, quiet: bool) -> Outcome {
    let mut step = ImputePanel::new(method(&a.method)?);
    if !a.cols.is_empty() {
        step = step.with_columns(a.cols.iter().cloned());
    }
    let mut outputs = vec![a.out.clone()];
    outputs.extend(a.report.iter().cloned());
    common::check_outputs(&a.inputs.paths(), &outputs)?;
    let (_, panel) = a.inputs.read()?;
    let (imputed, report) = step.apply(&panel)?;
    imputed.write_csv_path(&a.out)?;
    if let Some(p) = &a.report {
        report.write_csv_path(p)?;
    }
    if !quiet {
        eprintln!(
            "filled {} ({} left missing); wrote {}",
            common::count(report.filled.len(), "value"),
            report.unfilled.len(),
            a.out.display()
        );
    }
    Ok(())
}
