//! Quadrant scatter plot with threshold lines and a legend.

use std::path::Path;

use plotters::style::RGBColor;
use plotters::style::text_anchor::{HPos, VPos};

use super::common::{
    AXIS, Canvas, INK, Mark, Scale, check_marks, nice_ticks, palette, render, text_width, truncate,
};
use super::{PlotOptions, save};
use crate::error::{Error, Expected, Result};
use crate::study::quadrant::{Quadrant, Quadrants};

const PLOT: &str = "quadrant_scatter";

/// Above this many plotted units no point labels are tried (placement compares every pair).
const MAX_LABELLED: usize = 2000;

/// Colour of a quadrant: high-high red, high-low blue, low-high orange, low-low grey.
fn quadrant_colour(q: Quadrant) -> RGBColor {
    match q {
        Quadrant::HighHigh => palette(3),
        Quadrant::HighLow => palette(0),
        Quadrant::LowHigh => palette(1),
        Quadrant::LowLow => palette(7),
        Quadrant::Unclassified => RGBColor(0, 0, 0),
    }
}

/// Axis-aligned box `(x0, y0, x1, y1)` in pixels.
type Bbox = (f64, f64, f64, f64);

fn overlaps(a: &Bbox, b: &Bbox) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// A quadrant scatter plot (COINr's `plot_scatter()` with the classification of
/// [`classify`](crate::study::quadrant::classify)): one dot per classified unit at `(x[i], y[i])`, coloured by
/// its quadrant in `q`, dashed lines at the two thresholds `q.x_threshold` and `q.y_threshold`, and a
/// legend with each quadrant's label from `q.labels` and its count, and the thresholds. Units in
/// `q.unclassified` (a missing score) have no dot; the legend says how many were left out.
///
/// Each dot is labelled with `labels[i]` where the label fits: labels are placed greedily (units in
/// input order; right, left, above or below the dot) and a label that would overlap an earlier label,
/// another dot or the plot's edge is left out, so labels never overlap; the legend gives the count of
/// labels shown. Give short labels (codes) for 50+ units. Above 2,000 plotted units no labels are
/// drawn (placement compares every pair of units).
///
/// Options: title (default "Quadrants"), size (default 1000 × 760), font size, x and y labels
/// (default "x" and "y": set them to the two scores' names).
///
/// # Errors
/// [`Error::ShapeMismatch`] when `x`, `y`, `labels` and `q.quadrant` differ in length;
/// [`Error::EmptyData`] for no units; [`Error::InvalidParameter`] for an out-of-range size or font
/// size, or more than a million elements to draw (about 150 MB of SVG, checked before drawing);
/// [`Error::Plot`] if the backend fails.
///
/// # Examples
/// ```
/// use composite_indicators::plot::{PlotOptions, quadrant_scatter};
/// use composite_indicators::study::quadrant::{classify, Threshold};
/// let (x, y) = ([0.2, 0.8, 0.9, f64::NAN], [0.3, 0.9, 0.1, 0.5]);
/// let q = classify(&x, &y, Threshold::Fixed(0.5), Threshold::Fixed(0.5))?;
/// let labels: Vec<String> = ["A", "B", "C", "D"].map(String::from).to_vec();
/// let opts = PlotOptions::default().with_x_label("technical").with_y_label("market");
/// let svg = quadrant_scatter(&x, &y, &labels, &q, &opts)?;
/// // three classified dots + four legend dots
/// assert_eq!(svg.matches("<circle").count(), 3 + 4);
/// assert!(svg.contains("1 unit with a missing score not shown"));
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn quadrant_scatter(
    x: &[f64],
    y: &[f64],
    labels: &[String],
    q: &Quadrants,
    opts: &PlotOptions,
) -> Result<String> {
    let n = x.len();
    for (what, len) in [
        ("y scores", y.len()),
        ("labels", labels.len()),
        ("quadrants", q.quadrant.len()),
    ] {
        if len != n {
            return Err(Error::ShapeMismatch {
                what: format!("{PLOT}: {what} vs x scores"),
                expected: n,
                found: len,
            });
        }
    }
    if n == 0 {
        return Err(Error::EmptyData {
            what: format!("{PLOT}: no units"),
        });
    }
    check_marks(PLOT, "the units", n.saturating_mul(2))?;
    let size = opts.checked_size(PLOT, (1000, 760))?;
    let fs = f64::from(opts.font_size);
    let pts: Vec<(usize, f64, f64, Quadrant)> = (0..n)
        .filter_map(|i| {
            let (a, b) = (*x.get(i)?, *y.get(i)?);
            let k = *q.quadrant.get(i)?;
            (a.is_finite() && b.is_finite() && k != Quadrant::Unclassified).then_some((i, a, b, k))
        })
        .collect();
    let missing = n - pts.len();
    let range = |v: Vec<f64>| {
        let (lo, hi) = super::common::finite_range(v).unwrap_or((0.0, 1.0));
        let pad = super::common::margin(lo, hi);
        (lo - pad, hi + pad)
    };
    let tx = q.x_threshold;
    let ty = q.y_threshold;
    let (xlo, xhi) = range(pts.iter().map(|p| p.1).chain([tx]).collect());
    let (ylo, yhi) = range(pts.iter().map(|p| p.2).chain([ty]).collect());
    let title = opts.title.clone().unwrap_or_else(|| "Quadrants".into());
    let x_label = opts.x_label.clone().unwrap_or_else(|| "x".into());
    let y_label = opts.y_label.clone().unwrap_or_else(|| "y".into());
    let counts = q.counts();
    render(PLOT, size, opts.font_size, |c: &Canvas<'_>| {
        let top = c.title(&title)? + 6;
        let mut legend: Vec<(Mark, String)> = Quadrant::ALL
            .iter()
            .zip(counts)
            .map(|(&k, count)| {
                (
                    Mark::Dot(quadrant_colour(k)),
                    format!("{} ({count})", truncate(q.labels.get(k), 40)),
                )
            })
            .collect();
        legend.push((
            Mark::Dashed(AXIS),
            format!("thresholds: x = {}, y = {}", short(tx), short(ty)),
        ));
        if missing > 0 {
            let s = if missing == 1 { "" } else { "s" };
            legend.push((
                Mark::Blank,
                format!("{missing} unit{s} with a missing score not shown"),
            ));
        }
        // the label count is only known after placement: reserve its row now
        legend.push((Mark::Blank, format!("{n} of {n} labels shown")));
        let (lw, _) = c.legend_size(&legend);
        let left = (fs * 6.0).round() as i32;
        let right = c.width - lw - 24;
        let bottom = c.height - (fs * 3.6).round() as i32;
        if right <= left + 60 || bottom <= top + 60 {
            return Err(Error::invalid(
                format!("{PLOT}: size"),
                format!("{}×{} px", c.width, c.height),
                Expected::Rule("too small for the plot and its legend".into()),
            ));
        }
        let xs = Scale::new(xlo, xhi, f64::from(left), f64::from(right));
        let ys = Scale::new(ylo, yhi, f64::from(bottom), f64::from(top));
        let xt = nice_ticks(xs.lo, xs.hi, 8);
        let yt = nice_ticks(ys.lo, ys.hi, 8);
        c.x_axis(&xs, &xt, bottom, top, &x_label)?;
        let yt_text: Vec<String> = yt
            .iter()
            .map(|&t| super::common::tick_text(t, &yt))
            .collect();
        c.y_axis(&ys, &yt, &yt_text, left, right, &y_label, 4)?;
        c.frame(left, top, right, bottom, AXIS)?;
        c.dashed((xs.px(tx), top), (xs.px(tx), bottom), AXIS, 2)?;
        c.dashed((left, ys.px(ty)), (right, ys.px(ty)), AXIS, 2)?;
        let r = 4.0;
        let dots: Vec<(f64, f64)> = pts
            .iter()
            .map(|p| (f64::from(xs.px(p.1)), f64::from(ys.px(p.2))))
            .collect();
        for (p, d) in pts.iter().zip(&dots) {
            c.dot(d.0 as i32, d.1 as i32, r as i32, quadrant_colour(p.3))?;
        }
        // greedy label placement
        let dot_boxes: Vec<Bbox> = dots
            .iter()
            .map(|d| (d.0 - r, d.1 - r, d.0 + r, d.1 + r))
            .collect();
        let mut placed: Vec<Bbox> = Vec::new();
        let h = fs;
        let bounds = (
            f64::from(left),
            f64::from(top),
            f64::from(right),
            f64::from(bottom),
        );
        // placement is quadratic in the units: above MAX_LABELLED units no label is tried
        let try_labels = pts.len() <= MAX_LABELLED;
        for (k, (p, d)) in pts.iter().zip(&dots).enumerate() {
            if !try_labels {
                break;
            }
            let text = truncate(labels.get(p.0).map_or("", String::as_str), 30);
            if text.is_empty() {
                continue;
            }
            let w = text_width(&text, fs);
            let candidates = [
                (d.0 + r + 2.0, d.1 - h / 2.0, HPos::Left),
                (d.0 - r - 2.0 - w, d.1 - h / 2.0, HPos::Left),
                (d.0 - w / 2.0, d.1 - r - 1.0 - h, HPos::Left),
                (d.0 - w / 2.0, d.1 + r + 1.0, HPos::Left),
            ];
            for (bx, by, _) in candidates {
                let b = (bx, by, bx + w, by + h);
                let inside =
                    b.0 >= bounds.0 && b.1 >= bounds.1 && b.2 <= bounds.2 && b.3 <= bounds.3;
                let clear = inside
                    && !placed.iter().any(|o| overlaps(o, &b))
                    && !dot_boxes
                        .iter()
                        .enumerate()
                        .any(|(j, o)| j != k && overlaps(o, &b));
                if clear {
                    c.text(
                        &text,
                        bx.round() as i32,
                        (by + h / 2.0).round() as i32,
                        fs,
                        INK,
                        HPos::Left,
                        VPos::Center,
                        false,
                    )?;
                    placed.push(b);
                    break;
                }
            }
        }
        if let Some(last) = legend.last_mut() {
            last.1 = format!(
                "{} of {} labels shown (no overlaps)",
                placed.len(),
                pts.len()
            );
        }
        c.legend(c.width - lw - 10, top, &legend)
    })
}

/// A threshold as short text (up to 4 significant decimals).
fn short(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// [`quadrant_scatter`] written to `path` (atomically, through [`crate::io::write_atomic`]).
///
/// # Errors
/// As [`quadrant_scatter`], and [`Error::Io`] naming `path` if it cannot be written.
///
/// # Examples
/// ```
/// use composite_indicators::plot::{PlotOptions, quadrant_scatter_path};
/// use composite_indicators::study::quadrant::{classify, Threshold};
/// let q = classify(&[0.2, 0.8], &[0.3, 0.9], Threshold::Median, Threshold::Median)?;
/// let path = std::env::temp_dir().join("ci_doc_quadrants.svg");
/// quadrant_scatter_path(&path, &[0.2, 0.8], &[0.3, 0.9], &["A".into(), "B".into()], &q,
///     &PlotOptions::default())?;
/// assert!(std::fs::read_to_string(&path)?.contains("</svg>"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn quadrant_scatter_path(
    path: impl AsRef<Path>,
    x: &[f64],
    y: &[f64],
    labels: &[String],
    q: &Quadrants,
    opts: &PlotOptions,
) -> Result<()> {
    save(path.as_ref(), &quadrant_scatter(x, y, labels, q, opts)?)
}
