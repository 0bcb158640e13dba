//! Plug in your own normalisation method: implement `Normaliser` (fit) and `FittedNormaliser` (apply),
//! then use it as the scorer's default or for chosen indicators only.
//!
//! Run: `cargo run --example custom_normaliser`

use composite_indicators::normalise::{ColumnContext, FittedNormaliser, Normaliser};
use composite_indicators::prelude::*;
use composite_indicators::score::Scorer;
use ndarray::{Array1, ArrayView1, array};

/// Scale by the median: `100 · x / median`, learned once so that new units use the same median.
#[derive(Debug, Clone)]
struct MedianRatio;

#[derive(Debug)]
struct FittedMedianRatio {
    median: f64,
}

impl Normaliser for MedianRatio {
    fn name(&self) -> String {
        "median-ratio".into()
    }
    fn fit(
        &self,
        x: ArrayView1<'_, f64>,
        ctx: &ColumnContext<'_>,
    ) -> Result<Box<dyn FittedNormaliser>> {
        let mut v: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
        if v.is_empty() {
            return Err(Error::AllMissing {
                indicator: ctx.code.to_string(),
            });
        }
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        };
        if median <= 0.0 {
            return Err(Error::incompatible(
                "median-ratio",
                format!(
                    "indicator `{}` has a non-positive median {median}",
                    ctx.code
                ),
            ));
        }
        Ok(Box::new(FittedMedianRatio { median }))
    }
}

impl FittedNormaliser for FittedMedianRatio {
    fn apply(&self, x: ArrayView1<'_, f64>, _units: &[String]) -> Result<Array1<f64>> {
        Ok(x.mapv(|v| 100.0 * v / self.median))
    }
}

fn main() -> Result<()> {
    let framework = FrameworkSpec::new(
        "Toy innovation index",
        vec![
            Indicator::new("patents", "Output"),
            Indicator::new("startups", "Output"),
            Indicator::new("rd_spend", "Input"),
        ],
        vec![
            Pillar::new("Output").with_parent("Index"),
            Pillar::new("Input").with_parent("Index"),
            Pillar::new("Index"),
        ],
    )
    .check()?;
    let data = Dataset::new(
        vec![
            "Aville".into(),
            "Bburg".into(),
            "Ctown".into(),
            "Dcity".into(),
        ],
        vec!["patents".into(), "startups".into(), "rd_spend".into()],
        array![
            [120.0, 14.0, 2.1],
            [80.0, 30.0, 1.4],
            [40.0, 9.0, 3.3],
            [95.0, f64::NAN, 2.0]
        ],
    )?;
    // the custom method for patents only, min-max for the rest
    let scores = Scorer::new(framework)
        .normaliser_for("patents", MedianRatio)?
        .score(&data)?;
    println!("{:<8} {:>8} {:>6}", "unit", "index", "rank");
    for (u, code) in scores.unit_codes().iter().enumerate() {
        println!(
            "{:<8} {:>8.2} {:>6}",
            code,
            scores.index()[u],
            scores.index_ranks()[u]
        );
    }
    println!(
        "patents normalised: {:?}",
        scores.node_values("patents")?.to_vec()
    );
    Ok(())
}
