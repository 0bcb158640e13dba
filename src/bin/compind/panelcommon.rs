//! What the panel subcommands share: the panel input (COINr's iMeta and a panel iData with `Time`).

use std::path::PathBuf;

use composite_indicators::io::{self, read_idata_panel_path};
use composite_indicators::prelude::*;
use composite_indicators::study::purse::{NormalisationScope, PanelData, Purse};

use crate::common::{Failure, Methods};

/// A COINr panel: iMeta and an iData with a `Time` column (one row per unit and period).
#[derive(clap::Args, Debug, Clone)]
pub struct PanelInputs {
    /// COINr indicator metadata table (as for `compind score`). Example: `--imeta data/asem/iMeta.csv`.
    #[arg(long, value_name = "FILE", value_parser = crate::common::input_path)]
    pub imeta: PathBuf,
    /// COINr panel data: uCode, Time (a number, e.g. the year), uName, group and indicator columns;
    /// one row per unit and period. Example: `--idata data/asem/iData_p.csv`.
    #[arg(long, value_name = "FILE", value_parser = crate::common::input_path)]
    pub idata: PathBuf,
}

impl PanelInputs {
    pub fn paths(&self) -> Vec<PathBuf> {
        vec![self.imeta.clone(), self.idata.clone()]
    }

    /// The checked framework (with iMeta's goalposts) and the panel.
    pub fn read(&self) -> Result<(crate::common::Framework0, PanelData)> {
        let inputs = crate::common::Inputs {
            imeta: Some(self.imeta.clone()),
            idata: Some(self.idata.clone()),
            spec: None,
            data: None,
            groups: Vec::new(),
        };
        let f = inputs.framework()?;
        let meta = io::read_imeta_path(&self.imeta)?;
        let panel = read_idata_panel_path(&self.idata, &meta)?;
        Ok((f, panel))
    }
}

/// `--scope global|per-period`.
pub fn scope(s: &str) -> NormalisationScope {
    if s == "per-period" {
        NormalisationScope::PerPeriod
    } else {
        NormalisationScope::Global
    }
}

/// Build every period with `methods` on the chosen normalisation scope.
pub fn build(
    inputs: &PanelInputs,
    methods: &Methods,
    scope_name: &str,
    quiet: bool,
) -> std::result::Result<(Framework, PanelData, Purse), Failure> {
    let (f, panel) = inputs.read()?;
    let config = methods.config_noted(&f.imeta_normalise, quiet)?;
    let purse = Purse::build(&panel, &f.framework, config, scope(scope_name))?;
    Ok((f.framework, panel, purse))
}
