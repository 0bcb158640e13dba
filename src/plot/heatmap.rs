//! Correlation heatmap with values and a colour-scale legend (COINr's `plot_corr()`).

use std::path::Path;

use ndarray::ArrayView2;
use plotters::style::RGBColor;
use plotters::style::text_anchor::{HPos, VPos};

use super::common::{AXIS, Canvas, INK, check_marks, render, text_width, thin_step, truncate};
use super::{PlotOptions, save};
use crate::error::{Error, Expected, Result};

const PLOT: &str = "correlation_heatmap";

/// Colour of a missing (NaN) cell.
const MISSING: RGBColor = RGBColor(200, 200, 200);

/// Diverging colour of a correlation `r ∈ [-1, 1]`: linear from dark blue (−1) through near-white (0)
/// to dark red (+1), the end and middle colours of ColorBrewer's RdBu scale.
fn colour(r: f64) -> RGBColor {
    const NEG: (f64, f64, f64) = (33.0, 102.0, 172.0);
    const MID: (f64, f64, f64) = (247.0, 247.0, 247.0);
    const POS: (f64, f64, f64) = (178.0, 24.0, 43.0);
    let r = r.clamp(-1.0, 1.0);
    let (end, t) = if r < 0.0 { (NEG, -r) } else { (POS, r) };
    let mix = |a: f64, b: f64| (a + (b - a) * t).round().clamp(0.0, 255.0) as u8;
    RGBColor(mix(MID.0, end.0), mix(MID.1, end.1), mix(MID.2, end.2))
}

/// A correlation as cell text: two decimals, without the leading zero when the cell is narrow
/// (`.53`, `-.53`), `1` for exactly 1.
fn cell_text(r: f64, narrow: bool) -> String {
    if r == 1.0 {
        return "1".into();
    }
    let s = format!("{r:.2}");
    // a tiny negative correlation rounds to "-0.00": show it as 0
    let s = if s == "-0.00" { "0.00".to_string() } else { s };
    if narrow { s.replacen("0.", ".", 1) } else { s }
}

/// A correlation heatmap (COINr's `plot_corr()`): one square cell per pair, coloured on a diverging
/// scale from −1 (blue) through 0 (white) to +1 (red), with the value written in each cell (two
/// decimals; white text on dark cells) and a colour-bar legend. `NaN` cells (a missing correlation,
/// or one masked as insignificant, e.g. by
/// [`significant_correlation_matrix`](crate::audit::significant_correlation_matrix)) are grey, with
/// their own legend entry. Rows and columns follow `labels` (row labels on the left, column labels
/// rotated along the bottom). Use it with [`AuditReport::pearson`](crate::audit::AuditReport) and its
/// `indicators`, or [`correlation_matrix`](crate::audit::correlation_matrix) of any columns.
///
/// Cells are at least `2 × font_size` pixels (24 px by default) so that every value and label fits;
/// 49 indicators give a 1,176-pixel square. With a smaller fixed size the values are left out when a
/// cell is narrower than 14 px, and labels are thinned to every k-th.
///
/// Options: title (default "Correlations"), size (default from the cell size), font size, x and y
/// labels (default none: the codes label the axes; when set they are drawn under and left of the
/// grid).
///
/// # Errors
/// [`Error::EmptyData`] for a 0 × 0 matrix; [`Error::ShapeMismatch`] for a non-square matrix or a label
/// count that differs from its size; [`Error::InvalidParameter`] naming the cell for a finite value
/// outside `[−1, 1]` (beyond 1e-9 rounding), an out-of-range size or font size, or more than a million
/// elements to draw (n² > 500,000 cells; about 150 MB of SVG, checked before drawing); [`Error::Plot`]
/// if the backend fails.
///
/// # Examples
/// ```
/// use composite_indicators::plot::{PlotOptions, correlation_heatmap};
/// let r = ndarray::array![[1.0, 0.5, f64::NAN], [0.5, 1.0, -0.25], [f64::NAN, -0.25, 1.0]];
/// let labels = ["a".to_string(), "b".into(), "c".into()];
/// let svg = correlation_heatmap(r.view(), &labels, &PlotOptions::default())?;
/// assert!(svg.contains("\n0.50\n") && svg.contains("\n-0.25\n"));
/// assert!(svg.contains("missing / masked"));
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn correlation_heatmap(
    matrix: ArrayView2<'_, f64>,
    labels: &[String],
    opts: &PlotOptions,
) -> Result<String> {
    let n = matrix.nrows();
    if n == 0 {
        return Err(Error::EmptyData {
            what: format!("{PLOT}: the correlation matrix is 0 × 0"),
        });
    }
    if matrix.ncols() != n {
        return Err(Error::ShapeMismatch {
            what: format!("{PLOT}: columns of the correlation matrix vs its rows"),
            expected: n,
            found: matrix.ncols(),
        });
    }
    if labels.len() != n {
        return Err(Error::ShapeMismatch {
            what: format!("{PLOT}: labels vs the size of the correlation matrix"),
            expected: n,
            found: labels.len(),
        });
    }
    check_marks(PLOT, "the matrix", n.saturating_mul(n).saturating_mul(2))?;
    for ((i, j), &r) in matrix.indexed_iter() {
        if r.is_finite() && r.abs() > 1.0 + 1e-9 || r.is_infinite() {
            return Err(Error::invalid(
                format!("{PLOT}: matrix"),
                format!(
                    "cell ({}, {}) = {r}",
                    labels.get(i).map_or("", String::as_str),
                    labels.get(j).map_or("", String::as_str)
                ),
                Expected::Rule("a correlation (in [-1, 1])".into()),
            ));
        }
    }
    let fs = f64::from(opts.font_size);
    let shown: Vec<String> = labels.iter().map(|l| truncate(l, 24)).collect();
    let label_w = shown.iter().map(|s| text_width(s, fs)).fold(0.0, f64::max);
    let auto_cell = (fs * 2.0).max((720.0 / n as f64).min(48.0));
    let legend_w = (text_width("missing / masked", fs) + 60.0).max(110.0);
    let auto = (
        (label_w + 30.0 + auto_cell * n as f64 + legend_w + 20.0).round() as u32,
        (70.0 + auto_cell * n as f64 + label_w + if opts.x_label.is_some() { fs * 3.0 } else { fs })
            .round() as u32,
    );
    let size = opts.checked_size(PLOT, auto)?;
    let title = opts
        .title
        .clone()
        .unwrap_or_else(|| "Correlations".to_string());
    render(PLOT, size, opts.font_size, |c: &Canvas<'_>| {
        let top = c.title(&title)? + 6;
        let x_extra = if opts.y_label.is_some() {
            fs * 1.8
        } else {
            0.0
        };
        let y_extra = if opts.x_label.is_some() {
            fs * 1.8
        } else {
            0.0
        };
        let left = (label_w + 14.0 + x_extra).round() as i32;
        let avail_w = f64::from(c.width) - f64::from(left) - legend_w - 20.0;
        let avail_h = f64::from(c.height - top) - label_w - 14.0 - y_extra;
        let cell = (avail_w.min(avail_h) / n as f64).floor();
        if cell < 2.0 {
            return Err(Error::invalid(
                format!("{PLOT}: size"),
                format!("{}×{} px", c.width, c.height),
                Expected::Rule("too small for the matrix and its labels".into()),
            ));
        }
        let ci = cell as i32;
        let grid = ci * n as i32;
        let step = thin_step(cell, fs + 1.0);
        let narrow = cell < text_width("-0.00", fs * 0.8) + 4.0;
        let value_px = if narrow {
            (cell / (4.0 * 0.6 + 0.4)).min(fs * 0.8)
        } else {
            fs * 0.8
        };
        let show_values = cell >= 14.0;
        for ((i, j), &r) in matrix.indexed_iter() {
            let x0 = left + ci * j as i32;
            let y0 = top + ci * i as i32;
            let fill = if r.is_finite() { colour(r) } else { MISSING };
            c.rect(x0, y0, x0 + ci, y0 + ci, fill)?;
            if show_values && r.is_finite() {
                let ink = if r.abs() > 0.6 {
                    RGBColor(255, 255, 255)
                } else {
                    INK
                };
                c.text(
                    &cell_text(r, narrow),
                    x0 + ci / 2,
                    y0 + ci / 2,
                    value_px,
                    ink,
                    HPos::Center,
                    VPos::Center,
                    false,
                )?;
            }
        }
        c.frame(left, top, left + grid, top + grid, AXIS)?;
        for (k, l) in shown.iter().enumerate() {
            if k % step != 0 {
                continue;
            }
            let mid = ci * k as i32 + ci / 2;
            c.text(
                l,
                left - 5,
                top + mid,
                fs,
                INK,
                HPos::Right,
                VPos::Center,
                false,
            )?;
            c.text(
                l,
                left + mid,
                top + grid + 5,
                fs,
                INK,
                HPos::Right,
                VPos::Center,
                true,
            )?;
        }
        if let Some(xl) = &opts.x_label {
            c.text(
                xl,
                left + grid / 2,
                c.height - (fs * 1.6).round() as i32,
                fs * 1.1,
                INK,
                HPos::Center,
                VPos::Top,
                false,
            )?;
        }
        if let Some(yl) = &opts.y_label {
            c.text(
                yl,
                4,
                top + grid / 2,
                fs * 1.1,
                INK,
                HPos::Center,
                VPos::Top,
                true,
            )?;
        }
        // colour bar: 21 bands from +1 (top) to −1
        let bx = left + grid + 24;
        let bar_h = grid.clamp(100, 320);
        c.bold("correlation", bx, top, fs, HPos::Left, VPos::Top)?;
        let by = top + (fs * 1.8).round() as i32;
        let bands = 40;
        for b in 0..bands {
            let r = 1.0 - 2.0 * (f64::from(b) + 0.5) / f64::from(bands);
            let y0 = by + bar_h * b / bands;
            let y1 = by + bar_h * (b + 1) / bands;
            c.rect(bx, y0, bx + 18, y1, colour(r))?;
        }
        c.frame(bx, by, bx + 18, by + bar_h, AXIS)?;
        for t in [1.0, 0.5, 0.0, -0.5, -1.0] {
            let y = by + ((1.0 - t) / 2.0 * f64::from(bar_h)).round() as i32;
            c.line(vec![(bx + 18, y), (bx + 22, y)], AXIS, 1)?;
            c.text(
                &format!("{t}"),
                bx + 25,
                y,
                fs,
                INK,
                HPos::Left,
                VPos::Center,
                false,
            )?;
        }
        let my = by + bar_h + (fs * 1.5).round() as i32;
        c.rect(bx, my, bx + 18, my + 14, MISSING)?;
        c.text(
            "missing / masked",
            bx + 25,
            my + 7,
            fs,
            INK,
            HPos::Left,
            VPos::Center,
            false,
        )
    })
}

/// [`correlation_heatmap`] written to `path` (atomically, through [`crate::io::write_atomic`]).
///
/// # Errors
/// As [`correlation_heatmap`], and [`Error::Io`] naming `path` if it cannot be written.
///
/// # Examples
/// ```
/// use composite_indicators::plot::{PlotOptions, correlation_heatmap_path};
/// let r = ndarray::array![[1.0, 0.5], [0.5, 1.0]];
/// let path = std::env::temp_dir().join("ci_doc_heatmap.svg");
/// correlation_heatmap_path(&path, r.view(), &["a".into(), "b".into()], &PlotOptions::default())?;
/// assert!(std::fs::read_to_string(&path)?.contains("</svg>"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn correlation_heatmap_path(
    path: impl AsRef<Path>,
    matrix: ArrayView2<'_, f64>,
    labels: &[String],
    opts: &PlotOptions,
) -> Result<()> {
    save(path.as_ref(), &correlation_heatmap(matrix, labels, opts)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_scale_ends_and_middle() {
        assert_eq!(colour(-1.0), RGBColor(33, 102, 172));
        assert_eq!(colour(0.0), RGBColor(247, 247, 247));
        assert_eq!(colour(1.0), RGBColor(178, 24, 43));
        // halfway to red: (247 + 178) / 2 = 212.5 → 213 (round half away from zero)
        assert_eq!(colour(0.5).0, 213);
        assert_eq!(cell_text(-0.534, true), "-.53");
        assert_eq!(cell_text(0.534, false), "0.53");
        assert_eq!(cell_text(1.0, true), "1");
        assert_eq!(cell_text(-0.001, true), ".00");
    }
}
