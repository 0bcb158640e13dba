//! Implementations of the built-in normalisers ([`NormaliserKind`]).

use ndarray::{Array1, ArrayView1};

use super::{ColumnContext, FittedNormaliser, Normaliser, NormaliserKind};
use crate::error::{Error, Result};

impl Normaliser for NormaliserKind {
    fn name(&self) -> String {
        match self {
            NormaliserKind::MinMax { .. } => "minmax".into(),
            NormaliserKind::Identity => "identity".into(),
            other => format!("{other:?}"),
        }
    }

    fn fit(
        &self,
        x: ArrayView1<'_, f64>,
        ctx: &ColumnContext<'_>,
    ) -> Result<Box<dyn FittedNormaliser>> {
        match *self {
            NormaliserKind::MinMax { lo, hi } => {
                let (mut mn, mut mx) = (f64::INFINITY, f64::NEG_INFINITY);
                for &v in x.iter().filter(|v| !v.is_nan()) {
                    mn = mn.min(v);
                    mx = mx.max(v);
                }
                if mn > mx {
                    return Err(Error::AllMissing {
                        indicator: ctx.code.to_string(),
                    });
                }
                if mn == mx {
                    return Err(Error::ZeroRange {
                        indicator: ctx.code.to_string(),
                        value: mn,
                        method: "min-max".into(),
                    });
                }
                Ok(Box::new(Affine {
                    shift: mn,
                    scale: (hi - lo) / (mx - mn),
                    offset: lo,
                }))
            }
            NormaliserKind::Identity => Ok(Box::new(Affine {
                shift: 0.0,
                scale: 1.0,
                offset: 0.0,
            })),
            _ => Err(Error::param("normaliser", "not implemented yet")),
        }
    }
}

/// `(x − shift)·scale + offset`.
#[derive(Debug, Clone)]
struct Affine {
    shift: f64,
    scale: f64,
    offset: f64,
}

impl FittedNormaliser for Affine {
    fn apply(&self, x: ArrayView1<'_, f64>, _units: &[String]) -> Result<Array1<f64>> {
        Ok(x.mapv(|v| (v - self.shift) * self.scale + self.offset))
    }
}
