//! Rank intervals of an uncertainty analysis (COINr's `plot_uncertainty`).

use std::path::Path;

use plotters::style::text_anchor::{HPos, VPos};

use super::common::{
    Canvas, INK, Mark, Scale, check_marks, nice_ticks, palette, render, text_width, thin_step,
};
use super::{PlotOptions, save};
use crate::error::{Error, Expected, Result};
use crate::sweep::{UaReport, UaRow};

const PLOT: &str = "rank_intervals";

/// Rank intervals of an uncertainty analysis, as COINr's `plot_uncertainty()`: one column per unit,
/// units sorted by nominal rank (best on the left; ties by unit code), a vertical bar from the Q5 to
/// the Q95 rank, a dot at the median rank and a cross at the nominal rank; rank 1 at the top. Units
/// without a nominal rank (their nominal index is missing) come last, ordered by code, with whatever
/// marks their variants give. Quantiles are those of the report ([`UaRow`]: R's type-7 quantiles).
///
/// Every unit code is written under its column, rotated 90°; the default width gives each unit at
/// least `font_size + 2` pixels, so 50–80 units get every label (a smaller fixed width thins them to
/// every k-th, see the [module docs](super)). The legend (upper right, where the plot is empty since
/// good nominal ranks sit on the left) explains the three marks.
///
/// Options: title (default "Rank uncertainty over N variants"), size (default
/// `max(700, 110 + (font_size + 2)·units) × 560`), font size, x label (default "unit (in order of
/// nominal rank)"), y label (default "rank").
///
/// # Errors
/// [`Error::EmptyData`] for a report without rows; [`Error::InvalidParameter`] for an out-of-range
/// size or font size, or a report that would draw more than a million elements (about 150 MB of
/// SVG, checked before drawing); [`Error::Plot`] if the backend fails.
///
/// # Examples
/// ```
/// use composite_indicators::plot::{PlotOptions, rank_intervals};
/// use composite_indicators::sweep::{UaReport, UaRow};
/// let row = |unit: &str, nominal: u32, q05: f64, median: f64, q95: f64| UaRow {
///     unit: unit.into(), nominal_score: 0.0, nominal_rank: Some(nominal),
///     median_rank: Some(median), q05_rank: Some(q05), q95_rank: Some(q95), mean_rank: None,
///     mean_abs_shift: None, score_mean: None, score_sd: None, score_q05: None,
///     score_median: None, score_q95: None, n_missing: 0,
/// };
/// let report = UaReport { variants: 100, rows: vec![row("B", 2, 1.0, 2.0, 3.0), row("A", 1, 1.0, 1.0, 2.0)] };
/// let svg = rank_intervals(&report, &PlotOptions::default())?;
/// assert_eq!(svg.matches("<circle").count(), 2 + 1); // two medians and one legend dot
/// assert!(svg.find("\nA\n").unwrap() < svg.find("\nB\n").unwrap()); // nominal rank order
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn rank_intervals(report: &UaReport, opts: &PlotOptions) -> Result<String> {
    if report.rows.is_empty() {
        return Err(Error::EmptyData {
            what: format!("{PLOT}: the uncertainty report has no rows"),
        });
    }
    let mut rows: Vec<&UaRow> = report.rows.iter().collect();
    rows.sort_by(|a, b| {
        (a.nominal_rank.is_none(), a.nominal_rank, &a.unit).cmp(&(
            b.nominal_rank.is_none(),
            b.nominal_rank,
            &b.unit,
        ))
    });
    let n = rows.len();
    check_marks(PLOT, "the report", n.saturating_mul(5))?;
    let fs = f64::from(opts.font_size);
    let slot_need = fs + 2.0;
    let label_w = rows
        .iter()
        .map(|r| text_width(&r.unit, fs))
        .fold(0.0, f64::max)
        .min(fs * 0.6 * 24.0);
    let auto_w = (110.0 + slot_need * n as f64).max(700.0).round() as u32;
    let size = opts.checked_size(PLOT, (auto_w, 560))?;
    let max_rank = rows
        .iter()
        .flat_map(|r| {
            [
                r.q95_rank,
                r.q05_rank,
                r.median_rank,
                r.nominal_rank.map(f64::from),
            ]
        })
        .flatten()
        .filter(|v| v.is_finite())
        .fold(1.0, f64::max);
    let title = opts.title.clone().unwrap_or_else(|| {
        format!(
            "Rank uncertainty over {} variants: median and Q5–Q95 rank per unit",
            report.variants
        )
    });
    let x_label = opts
        .x_label
        .clone()
        .unwrap_or_else(|| "unit (in order of nominal rank)".into());
    let y_label = opts.y_label.clone().unwrap_or_else(|| "rank".into());
    render(PLOT, size, opts.font_size, |c: &Canvas<'_>| {
        let top = c.title(&title)? + 4;
        let left = 70;
        let right = c.width - 20;
        let bottom = c.height - (label_w + fs * 3.2).round() as i32;
        if bottom <= top + 20 || right <= left + 20 {
            return Err(Error::invalid(
                format!("{PLOT}: size"),
                format!("{}×{} px", c.width, c.height),
                Expected::Rule("too small for the title and labels".into()),
            ));
        }
        // half a rank, or 2 % of the ranks, beyond ranks 1 and max: no mark sits on the frame
        let pad = (max_rank * 0.02).max(0.5);
        let ys = Scale::new(1.0 - pad, max_rank + pad, f64::from(top), f64::from(bottom));
        let mut ticks: Vec<f64> = nice_ticks(0.0, max_rank, 10)
            .into_iter()
            .filter(|&t| t >= 1.0)
            .collect();
        if ticks.first() != Some(&1.0) {
            ticks.insert(0, 1.0);
        }
        let texts: Vec<String> = ticks.iter().map(|t| format!("{t:.0}")).collect();
        c.y_axis(&ys, &ticks, &texts, left, right, &y_label, 8)?;
        c.line(
            vec![(left, bottom), (right, bottom)],
            super::common::AXIS,
            1,
        )?;
        let slot = f64::from(right - left) / n as f64;
        let step = thin_step(slot, slot_need);
        let blue = palette(0);
        let red = palette(3);
        let xpx = |i: usize| (f64::from(left) + (i as f64 + 0.5) * slot).round() as i32;
        for (i, r) in rows.iter().enumerate() {
            let x = xpx(i);
            if let (Some(lo), Some(hi)) = (r.q05_rank, r.q95_rank) {
                c.line(vec![(x, ys.px(lo)), (x, ys.px(hi))], blue, 2)?;
            }
            if let Some(m) = r.median_rank {
                c.dot(x, ys.px(m), 3, blue)?;
            }
            if let Some(m) = r.nominal_rank {
                c.cross(x, ys.px(f64::from(m)), 3, red)?;
            }
            if i % step == 0 {
                c.text(
                    &super::common::truncate(&r.unit, 24),
                    x,
                    bottom + 6,
                    fs,
                    INK,
                    HPos::Right,
                    VPos::Center,
                    true,
                )?;
            }
        }
        let x_note = if step > 1 {
            format!(
                "{x_label}; every {} label shown",
                super::common::ordinal(step)
            )
        } else {
            x_label.clone()
        };
        c.text(
            &x_note,
            (left + right) / 2,
            c.height - (fs * 1.6).round() as i32,
            fs * 1.1,
            INK,
            HPos::Center,
            VPos::Top,
            false,
        )?;
        let entries = vec![
            (Mark::VLine(blue), "Q5–Q95 rank interval".to_string()),
            (Mark::Dot(blue), "median rank".to_string()),
            (Mark::Cross(red), "nominal rank".to_string()),
        ];
        let (lw, _) = c.legend_size(&entries);
        c.legend(right - lw - 8, top + 8, &entries)
    })
}

/// [`rank_intervals`] written to `path` (atomically, through [`crate::io::write_atomic`]).
///
/// # Errors
/// As [`rank_intervals`], and [`Error::Io`] naming `path` if it cannot be written.
///
/// # Examples
/// ```
/// use composite_indicators::plot::{PlotOptions, rank_intervals_path};
/// use composite_indicators::sweep::{UaReport, UaRow};
/// let row = UaRow { unit: "A".into(), nominal_score: 1.0, nominal_rank: Some(1),
///     median_rank: Some(1.0), q05_rank: Some(1.0), q95_rank: Some(1.0), mean_rank: None,
///     mean_abs_shift: None, score_mean: None, score_sd: None, score_q05: None,
///     score_median: None, score_q95: None, n_missing: 0 };
/// let path = std::env::temp_dir().join("ci_doc_rank_intervals.svg");
/// rank_intervals_path(&path, &UaReport { variants: 1, rows: vec![row] }, &PlotOptions::default())?;
/// assert!(std::fs::read_to_string(&path)?.contains("</svg>"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn rank_intervals_path(
    path: impl AsRef<Path>,
    report: &UaReport,
    opts: &PlotOptions,
) -> Result<()> {
    save(path.as_ref(), &rank_intervals(report, opts)?)
}
