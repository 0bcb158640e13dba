//! Scores of every unit at one level of the framework (a Cleveland dot plot).

use std::path::Path;

use plotters::style::text_anchor::{HPos, VPos};

use super::bars::level_nodes;
use super::common::{
    Canvas, GRID, INK, Mark, Scale, check_marks, finite_range, nice_ticks, palette, render,
    text_width, thin_step, truncate,
};
use super::{PlotOptions, save};
use crate::error::{Error, Expected, Result};
use crate::score::Scores;

const PLOT: &str = "scores_by_level";

/// Scores of all units at one level of the framework, as a dot plot (in the spirit of COINr's
/// `plot_dot()`, for every node of a level at once): one row per unit, units sorted by index rank
/// (best at the top; units with a missing index last, in row order, as [`Scores::ranked_rows`]), x =
/// score, one dot per node at `level` (2 = the indicators' parents, the pillars) in that node's colour,
/// and a light line from the unit's lowest to its highest score. The index rank is written before the
/// unit code ("3 AUT"). Missing scores have no dot. A legend names every node's colour.
///
/// Rows are `font_size + 3` pixels apart by default, so 50–80 units get every label; with a smaller
/// fixed height, unit labels are thinned to every k-th (see the [module docs](super)).
///
/// Options: title (default "Scores at framework level L, units in order of the index"), size
/// (default 1000 × (130 + (font size + 3) × units)), font size, x label (default "score"), y label
/// (default "unit (rank by INDEX)").
///
/// # Errors
/// [`Error::EmptyData`] for scores without units; [`Error::InvalidParameter`] for a level without
/// nodes, an out-of-range size or font size, or more than a million elements to draw (about 150 MB of
/// SVG, checked before drawing); [`Error::Plot`] if the backend fails.
///
/// # Examples
/// ```
/// use composite_indicators::plot::{PlotOptions, scores_by_level};
/// use composite_indicators::prelude::*;
/// use composite_indicators::score::Scorer;
/// let fw = FrameworkSpec::new(
///     "t",
///     vec![Indicator::new("a", "P"), Indicator::new("b", "Q")],
///     vec![Pillar::new("P").with_parent("I"), Pillar::new("Q").with_parent("I"), Pillar::new("I")],
/// ).check()?;
/// let data = Dataset::new(vec!["u1".into(), "u2".into(), "u3".into()], vec!["a".into(), "b".into()],
///     ndarray::array![[1.0, 2.0], [3.0, 1.0], [2.0, f64::NAN]])?;
/// let scores = Scorer::new(fw).score(&data)?;
/// let svg = scores_by_level(&scores, 2, &PlotOptions::default())?;
/// // 5 scores (u3's Q is missing) + 2 legend dots
/// assert_eq!(svg.matches("<circle").count(), 5 + 2);
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn scores_by_level(scores: &Scores, level: usize, opts: &PlotOptions) -> Result<String> {
    let fw = scores.framework();
    let nodes = level_nodes(fw, level, PLOT)?;
    let order = scores.ranked_rows();
    let n = order.len();
    if n == 0 {
        return Err(Error::EmptyData {
            what: format!("{PLOT}: the scores have no units"),
        });
    }
    check_marks(PLOT, "units × nodes", n.saturating_mul(nodes.len() + 2))?;
    let fs = f64::from(opts.font_size);
    let row_need = fs + 3.0;
    let values = scores.values();
    let index_ranks = scores.index_ranks();
    let labels: Vec<String> = order
        .iter()
        .map(|&u| {
            let code = truncate(scores.unit_codes().get(u).map_or("", String::as_str), 24);
            match index_ranks.get(u) {
                Some(r) if r.is_finite() => format!("{r:.0} {code}"),
                _ => format!("– {code}"),
            }
        })
        .collect();
    let label_w = labels.iter().map(|s| text_width(s, fs)).fold(0.0, f64::max);
    let auto_h = (130.0 + row_need * n as f64).max(300.0).round() as u32;
    let size = opts.checked_size(PLOT, (1000, auto_h))?;
    let (lo, hi) = finite_range(
        nodes
            .iter()
            .flat_map(|&k| values.column(k).iter().copied().collect::<Vec<_>>()),
    )
    .unwrap_or((0.0, 1.0));
    // a margin so that the extreme dots do not sit on the frame
    let pad = super::common::margin(lo, hi);
    let (lo, hi) = (lo - pad, hi + pad);
    let root = fw.root().code.clone();
    let title = opts
        .title
        .clone()
        .unwrap_or_else(|| format!("Scores at framework level {level}, units in order of {root}"));
    let x_label = opts.x_label.clone().unwrap_or_else(|| "score".into());
    let y_label = opts
        .y_label
        .clone()
        .unwrap_or_else(|| format!("unit (rank by {root})"));
    let legend: Vec<(Mark, String)> = nodes
        .iter()
        .enumerate()
        .map(|(j, &k)| {
            let node = &fw.nodes()[k];
            (
                Mark::Dot(palette(j)),
                super::bars::node_label(&node.code, &node.name),
            )
        })
        .collect();
    render(PLOT, size, opts.font_size, |c: &Canvas<'_>| {
        let top = c.title(&title)? + 6;
        let (lw, _) = c.legend_size(&legend);
        let left = (label_w + fs * 2.6 + 10.0).round() as i32;
        let right = c.width - lw - 30;
        let bottom = c.height - (fs * 3.6).round() as i32;
        if right <= left + 40 || bottom <= top + 20 {
            return Err(Error::invalid(
                format!("{PLOT}: size"),
                format!("{}×{} px", c.width, c.height),
                Expected::Rule("too small for the labels and legend".into()),
            ));
        }
        let ticks = nice_ticks(lo, hi, 8);
        let xs = Scale::new(
            ticks.first().copied().unwrap_or(lo).min(lo),
            ticks.last().copied().unwrap_or(hi).max(hi),
            f64::from(left),
            f64::from(right),
        );
        c.x_axis(&xs, &ticks, bottom, top, &x_label)?;
        let slot = f64::from(bottom - top) / n as f64;
        let step = thin_step(slot, row_need);
        for (i, &u) in order.iter().enumerate() {
            let y = (f64::from(top) + slot * (i as f64 + 0.5)).round() as i32;
            let row: Vec<f64> = nodes
                .iter()
                .map(|&k| values.get((u, k)).copied().unwrap_or(f64::NAN))
                .collect();
            if let Some((a, b)) = finite_range(row.iter().copied()) {
                c.line(vec![(xs.px(a), y), (xs.px(b), y)], GRID, 1)?;
            }
            for (j, v) in row.iter().enumerate() {
                if v.is_finite() {
                    c.dot(xs.px(*v), y, 3, palette(j))?;
                }
            }
            if i % step == 0
                && let Some(l) = labels.get(i)
            {
                c.text(l, left - 6, y, fs, INK, HPos::Right, VPos::Center, false)?;
            }
        }
        let y_note = if step > 1 {
            format!(
                "{y_label}; every {} label shown",
                super::common::ordinal(step)
            )
        } else {
            y_label.clone()
        };
        c.text(
            &y_note,
            4,
            (top + bottom) / 2,
            fs * 1.1,
            INK,
            HPos::Center,
            VPos::Top,
            true,
        )?;
        c.legend(c.width - lw - 10, top, &legend)
    })
}

/// [`scores_by_level`] written to `path` (atomically, through [`crate::io::write_atomic`]).
///
/// # Errors
/// As [`scores_by_level`], and [`Error::Io`] naming `path` if it cannot be written.
///
/// # Examples
/// ```
/// use composite_indicators::plot::{PlotOptions, scores_by_level_path};
/// use composite_indicators::prelude::*;
/// use composite_indicators::score::Scorer;
/// let fw = FrameworkSpec::new(
///     "t",
///     vec![Indicator::new("a", "I"), Indicator::new("b", "I")],
///     vec![Pillar::new("I")],
/// ).check()?;
/// let data = Dataset::new(vec!["u1".into(), "u2".into()], vec!["a".into(), "b".into()],
///     ndarray::array![[1.0, 2.0], [3.0, 1.0]])?;
/// let scores = Scorer::new(fw).score(&data)?;
/// let path = std::env::temp_dir().join("ci_doc_scores_by_level.svg");
/// scores_by_level_path(&path, &scores, 1, &PlotOptions::default())?;
/// assert!(std::fs::read_to_string(&path)?.contains("</svg>"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn scores_by_level_path(
    path: impl AsRef<Path>,
    scores: &Scores,
    level: usize,
    opts: &PlotOptions,
) -> Result<()> {
    save(path.as_ref(), &scores_by_level(scores, level, opts)?)
}
