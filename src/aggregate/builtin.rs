//! Implementations of the built-in aggregators ([`AggregatorKind`]).

use ndarray::{Array1, ArrayView2};

use super::{Aggregator, AggregatorKind, Linearity, MissingPolicy, NodeContext};
use crate::error::{Error, Result};

impl Aggregator for AggregatorKind {
    fn name(&self) -> String {
        match self {
            AggregatorKind::Arithmetic => "arithmetic".into(),
            other => format!("{other:?}"),
        }
    }

    fn aggregate(
        &self,
        values: ArrayView2<'_, f64>,
        weights: &[f64],
        ctx: &NodeContext<'_>,
    ) -> Result<Array1<f64>> {
        if *self != AggregatorKind::Arithmetic {
            return Err(Error::param("aggregator", "not implemented yet"));
        }
        let mut out = Array1::from_elem(values.nrows(), f64::NAN);
        for (i, row) in values.rows().into_iter().enumerate() {
            let (mut num, mut den, mut avail) = (0.0, 0.0, 0usize);
            let mut missing = false;
            for (j, &x) in row.iter().enumerate() {
                let w = weights.get(j).copied().unwrap_or(0.0);
                if x.is_nan() {
                    missing = true;
                    if ctx.missing == MissingPolicy::Error {
                        return Err(Error::MissingValue {
                            unit: ctx.unit_codes.get(i).cloned().unwrap_or_default(),
                            node: ctx.node.to_string(),
                            child: ctx.children.get(j).cloned().unwrap_or_default(),
                        });
                    }
                    continue;
                }
                num += w * x;
                den += w;
                avail += 1;
            }
            let ok = match ctx.missing {
                MissingPolicy::Propagate => !missing,
                MissingPolicy::Skip { min_coverage } => {
                    avail > 0 && (avail as f64) / (row.len() as f64) >= min_coverage
                }
                MissingPolicy::Error => true,
            };
            if ok && den > 0.0 {
                out[i] = num / den;
            }
        }
        Ok(out)
    }

    fn linearity(&self) -> Option<Linearity> {
        match self {
            AggregatorKind::Arithmetic => Some(Linearity::Mean),
            _ => None,
        }
    }
}
