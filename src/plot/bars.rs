//! Horizontal bar charts: a unit's profile at one level, a unit's indicator contributions, and Sobol
//! indices.

use std::collections::HashMap;
use std::path::Path;

use plotters::style::RGBColor;
use plotters::style::text_anchor::{HPos, VPos};

use super::common::{
    AXIS, Canvas, INK, Mark, Scale, check_marks, finite_range, nice_ticks, palette, render,
    text_width, truncate,
};
use super::{PlotOptions, save};
use std::ops::Bound;

use crate::error::{Error, Expected, Result};
use crate::score::Scores;
use crate::spec::Framework;
use crate::sweep::SobolIndices;

/// Longest category label drawn, in characters (longer ones are cut with `…`).
const MAX_LABEL: usize = 40;

/// One bar: value, colour and optional interval `(lo, hi)`.
type Bar = (f64, RGBColor, Option<(f64, f64)>);

/// One row of a horizontal bar chart: a label and one or more bars (value, colour, optional interval).
struct BarRow {
    label: String,
    bars: Vec<Bar>,
    /// Optional vertical tick (e.g. the mean of all units).
    tick: Option<f64>,
    /// Text written right of the bars.
    note: String,
}

/// Draw horizontal bars: one band per row, bars stacked vertically within the band.
fn hbars(
    c: &Canvas<'_>,
    title: &str,
    rows: &[BarRow],
    x_label: &str,
    legend: &[(Mark, String)],
    force_zero: bool,
) -> Result<()> {
    let fs = c.fs;
    let top = c.title(title)? + 4;
    let label_w = rows
        .iter()
        .map(|r| text_width(&r.label, fs))
        .fold(0.0, f64::max);
    let note_w = rows
        .iter()
        .map(|r| text_width(&r.note, fs))
        .fold(0.0, f64::max);
    let (lw, lh) = c.legend_size(legend);
    let left = (label_w + 16.0).round() as i32;
    let right = c.width - (note_w + 16.0).round() as i32 - lw - 16;
    let bottom = c.height - (fs * 3.6).round() as i32;
    if right <= left + 40 || bottom <= top + 20 {
        return Err(Error::invalid(
            format!("{}: size", c.plot),
            format!("{}×{} px", c.width, c.height),
            Expected::Rule("too small for the labels and legend".into()),
        ));
    }
    let values = rows.iter().flat_map(|r| {
        r.bars
            .iter()
            .flat_map(|(v, _, ci)| {
                let (a, b) = ci.unwrap_or((*v, *v));
                [*v, a, b]
            })
            .chain(r.tick)
    });
    let (mut lo, mut hi) = finite_range(values).unwrap_or((0.0, 1.0));
    if force_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    // a margin so that the extreme marks do not sit on the frame (none at a bars' zero baseline)
    let pad = super::common::margin(lo, hi);
    if !(force_zero && lo == 0.0) {
        lo -= pad;
    }
    if !(force_zero && hi == 0.0) {
        hi += pad;
    }
    let ticks = nice_ticks(lo, hi, 8);
    let lo = ticks.first().copied().unwrap_or(lo).min(lo);
    let hi = ticks.last().copied().unwrap_or(hi).max(hi);
    let xs = Scale::new(lo, hi, f64::from(left), f64::from(right));
    c.x_axis(&xs, &ticks, bottom, top, x_label)?;
    let band = f64::from(bottom - top) / rows.len().max(1) as f64;
    let zero = xs.px(0.0_f64.clamp(xs.lo, xs.hi));
    for (i, r) in rows.iter().enumerate() {
        let y0 = f64::from(top) + band * i as f64;
        let cy = (y0 + band / 2.0).round() as i32;
        c.text(
            &r.label,
            left - 6,
            cy,
            fs,
            INK,
            HPos::Right,
            VPos::Center,
            false,
        )?;
        let k = r.bars.len().max(1) as f64;
        let inner = band * 0.8;
        let bh = inner / k;
        let mut end = left;
        for (j, (v, colour, ci)) in r.bars.iter().enumerate() {
            let b0 = (y0 + band * 0.1 + bh * j as f64).round() as i32;
            let b1 = (y0 + band * 0.1 + bh * (j as f64 + 1.0)).round() as i32 - 1;
            if v.is_finite() {
                let x = xs.px(*v);
                c.rect(zero.min(x), b0, zero.max(x), b1.max(b0 + 1), *colour)?;
                end = end.max(x);
            }
            if let Some((a, b)) = ci
                && a.is_finite()
                && b.is_finite()
            {
                let m = (b0 + b1) / 2;
                c.line(vec![(xs.px(*a), m), (xs.px(*b), m)], INK, 1)?;
                for e in [*a, *b] {
                    c.line(vec![(xs.px(e), m - 3), (xs.px(e), m + 3)], INK, 1)?;
                }
                end = end.max(xs.px(*b));
            }
        }
        if let Some(t) = r.tick
            && t.is_finite()
        {
            let x = xs.px(t);
            let h = (band * 0.45).round() as i32;
            c.line(vec![(x, cy - h), (x, cy + h)], INK, 2)?;
            end = end.max(x);
        }
        c.text(
            &r.note,
            end.max(zero) + 6,
            cy,
            fs,
            INK,
            HPos::Left,
            VPos::Center,
            false,
        )?;
    }
    c.line(vec![(zero, top), (zero, bottom)], AXIS, 1)?;
    if !legend.is_empty() {
        let lx = c.width - lw - 10;
        c.legend(lx, top.min(c.height - lh - 4), legend)?;
    }
    Ok(())
}

/// The row of `unit` in `scores`.
fn unit_row(scores: &Scores, unit: &str) -> Result<usize> {
    scores
        .unit_codes()
        .iter()
        .position(|u| u == unit)
        .ok_or_else(|| Error::UnknownCode {
            code: unit.to_string(),
        })
}

/// The nodes at `level` (indicators are level 1, their parents 2, ...), in framework order.
pub(crate) fn level_nodes(fw: &Framework, level: usize, plot: &str) -> Result<Vec<usize>> {
    let nodes: Vec<usize> = fw
        .nodes()
        .iter()
        .enumerate()
        .filter(|(_, n)| n.level == level)
        .map(|(i, _)| i)
        .collect();
    if nodes.is_empty() {
        return Err(Error::invalid(
            format!("{plot}: level"),
            level,
            Expected::InRange {
                lo: Bound::Included(1.0),
                hi: Bound::Included(fw.root().level as f64),
            },
        ));
    }
    Ok(nodes)
}

/// `v` with one decimal for scores of magnitude ≥ 10, else three significant decimals.
fn num(v: f64) -> String {
    if !v.is_finite() {
        "missing".into()
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

/// A unit's profile at one level of the framework (COINr's `plot_bar()` of one unit over pillars): one
/// horizontal bar per node at `level` (2 = the indicators' parents, the pillars; 1 = the normalised
/// indicators) with the unit's score, a black tick at the mean of all units (missing values left out
/// of the mean), and the score and rank written at the bar's end ("62.3 · rank 5/51", the rank among
/// the units ranked at that node, as in [`Scores::ranks`]). A missing score has no bar and reads
/// "missing". The x axis spans the range of all units' scores at that level, and 0.
///
/// Options: title (default "UNIT (name): scores at level L"), size (default 900 × (120 + 2.2 ×
/// font size × nodes)), font size, x label (default "score"); the y label is not drawn (the node
/// codes and names label the bars).
///
/// # Errors
/// [`Error::UnknownCode`] for a unit not in `scores`; [`Error::InvalidParameter`] for a level without
/// nodes, an out-of-range size or font size, or more than a million elements to draw (about 150 MB
/// of SVG, checked before drawing); [`Error::Plot`] if the backend fails.
///
/// # Examples
/// ```
/// use composite_indicators::plot::{PlotOptions, unit_profile};
/// use composite_indicators::prelude::*;
/// use composite_indicators::score::Scorer;
/// let fw = FrameworkSpec::new(
///     "t",
///     vec![Indicator::new("a", "P"), Indicator::new("b", "Q")],
///     vec![Pillar::new("P").with_parent("I"), Pillar::new("Q").with_parent("I"), Pillar::new("I")],
/// ).check()?;
/// let data = Dataset::new(vec!["u1".into(), "u2".into()], vec!["a".into(), "b".into()],
///     ndarray::array![[1.0, 2.0], [3.0, 1.0]])?;
/// let scores = Scorer::new(fw).score(&data)?;
/// let svg = unit_profile(&scores, "u1", 2, &PlotOptions::default())?;
/// assert!(svg.contains("rank 2/2") && svg.contains("mean of all 2 units"));
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn unit_profile(
    scores: &Scores,
    unit: &str,
    level: usize,
    opts: &PlotOptions,
) -> Result<String> {
    const PLOT: &str = "unit_profile";
    let row = unit_row(scores, unit)?;
    let fw = scores.framework();
    let nodes = level_nodes(fw, level, PLOT)?;
    check_marks(PLOT, "the level", nodes.len().saturating_mul(5))?;
    let values = scores.values();
    let ranks = scores.ranks();
    let n_units = scores.unit_codes().len();
    let blue = palette(0);
    let rows: Vec<BarRow> = nodes
        .iter()
        .map(|&k| {
            let node = &fw.nodes()[k];
            let col = values.column(k);
            let obs: Vec<f64> = col.iter().copied().filter(|v| v.is_finite()).collect();
            let mean = if obs.is_empty() {
                f64::NAN
            } else {
                obs.iter().sum::<f64>() / obs.len() as f64
            };
            let v = col.get(row).copied().unwrap_or(f64::NAN);
            let r = ranks.get((row, k)).copied().unwrap_or(f64::NAN);
            let ranked = ranks.column(k).iter().filter(|x| x.is_finite()).count();
            let note = if v.is_finite() && r.is_finite() {
                format!("{} · rank {r:.0}/{ranked}", num(v))
            } else {
                "missing".to_string()
            };
            BarRow {
                label: node_label(&node.code, &node.name),
                bars: vec![(v, blue, None)],
                tick: Some(mean),
                note,
            }
        })
        .collect();
    let name = scores
        .unit_names()
        .get(row)
        .filter(|n| !n.is_empty() && n.as_str() != unit)
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    let title = opts
        .title
        .clone()
        .unwrap_or_else(|| format!("{unit}{name}: scores at framework level {level}"));
    let fs = f64::from(opts.font_size);
    let auto_h = (120.0 + fs * 2.2 * rows.len() as f64).max(300.0).round() as u32;
    let size = opts.checked_size(PLOT, (900, auto_h))?;
    let legend = vec![
        (Mark::Square(blue), format!("{unit} score")),
        (Mark::VLine(INK), format!("mean of all {n_units} units")),
    ];
    let x_label = opts.x_label.clone().unwrap_or_else(|| "score".into());
    render(PLOT, size, opts.font_size, |c| {
        hbars(c, &title, &rows, &x_label, &legend, true)
    })
}

/// `code: name` (cut to [`MAX_LABEL`] characters), or the code alone when the name is empty or the
/// same.
pub(crate) fn node_label(code: &str, name: &str) -> String {
    if name.is_empty() || name == code {
        truncate(code, MAX_LABEL)
    } else {
        truncate(&format!("{code}: {name}"), MAX_LABEL)
    }
}

/// [`unit_profile`] written to `path` (atomically, through [`crate::io::write_atomic`]).
///
/// # Errors
/// As [`unit_profile`], and [`Error::Io`] naming `path` if it cannot be written.
///
/// # Examples
/// ```
/// use composite_indicators::plot::{PlotOptions, unit_profile_path};
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
/// let path = std::env::temp_dir().join("ci_doc_unit_profile.svg");
/// unit_profile_path(&path, &scores, "u2", 1, &PlotOptions::default())?;
/// assert!(std::fs::read_to_string(&path)?.contains("u2 score"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn unit_profile_path(
    path: impl AsRef<Path>,
    scores: &Scores,
    unit: &str,
    level: usize,
    opts: &PlotOptions,
) -> Result<()> {
    save(path.as_ref(), &unit_profile(scores, unit, level, opts)?)
}

/// A unit's indicator contributions to the index (COINr's `plot_bar()` with stacked children, laid
/// out as one bar per indicator): the contribution of indicator `i` is its normalised value times
/// its path factor, the product of the weights down the tree re-normalised over the unit's available
/// indicators ([`Scores::contributions`]), so the contributions add up to the unit's index. Bars are
/// grouped and coloured by the indicator's parent, with one legend entry per parent giving the
/// parent's summed contribution. An indicator with a missing (NaN) contribution has no bar and reads
/// "missing"; a zero contribution (a missing value with path factor 0) reads "0".
///
/// Options: title (default "Contributions to INDEX of UNIT (name): total T"), size (default
/// 1000 × (140 + 1.6 × font size × indicators)), font size, x label (default "contribution to the
/// index").
///
/// # Errors
/// [`Error::UnknownCode`] for a unit not in `scores`; [`Error::InvalidParameter`] when an aggregator
/// is not linear (no contributions exist), an out-of-range size or font size, or more than a million
/// elements to draw (about 150 MB of SVG, checked before drawing); [`Error::Plot`] if the backend
/// fails.
///
/// # Examples
/// ```
/// use composite_indicators::plot::{PlotOptions, unit_contributions};
/// use composite_indicators::prelude::*;
/// use composite_indicators::score::Scorer;
/// let fw = FrameworkSpec::new(
///     "t",
///     vec![Indicator::new("a", "P"), Indicator::new("b", "Q")],
///     vec![Pillar::new("P").with_parent("I"), Pillar::new("Q").with_parent("I"), Pillar::new("I")],
/// ).check()?;
/// let data = Dataset::new(vec!["u1".into(), "u2".into()], vec!["a".into(), "b".into()],
///     ndarray::array![[1.0, 2.0], [3.0, 1.0]])?;
/// let scores = Scorer::new(fw).score(&data)?;
/// let svg = unit_contributions(&scores, "u1", &PlotOptions::default())?;
/// assert!(svg.contains("Q (sum 50.0)")); // b is the best of u1, normalised 100, weight 1/2
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn unit_contributions(scores: &Scores, unit: &str, opts: &PlotOptions) -> Result<String> {
    const PLOT: &str = "unit_contributions";
    // validates the unit and that contributions exist
    let explained: HashMap<String, f64> = scores.explain(unit)?.into_iter().collect();
    let row = unit_row(scores, unit)?;
    let fw = scores.framework();
    let nodes = fw.nodes();
    let n_ind = fw.n_indicators();
    check_marks(PLOT, "the framework", n_ind.saturating_mul(3))?;
    // indicators grouped by parent (parents in node order), spec order within a parent
    let mut parents: Vec<usize> = nodes.iter().take(n_ind).filter_map(|n| n.parent).collect();
    parents.sort_unstable();
    parents.dedup();
    let mut rows = Vec::with_capacity(n_ind);
    let mut legend = Vec::with_capacity(parents.len());
    for (pi, &p) in parents.iter().enumerate() {
        let colour = palette(pi);
        let mut sum = 0.0;
        for (i, node) in nodes.iter().enumerate().take(n_ind) {
            if node.parent != Some(p) {
                continue;
            }
            let v = explained.get(&node.code).copied().unwrap_or(f64::NAN);
            if v.is_finite() {
                sum += v;
            }
            let raw_missing = scores.values().get((row, i)).is_none_or(|x| !x.is_finite());
            let note = if !v.is_finite() {
                "missing".to_string()
            } else if raw_missing {
                format!("{} (indicator missing)", num(v))
            } else {
                num(v)
            };
            rows.push(BarRow {
                label: node_label(&node.code, &node.name),
                bars: vec![(v, colour, None)],
                tick: None,
                note,
            });
        }
        let pcode = nodes.get(p).map_or("", |n| n.code.as_str());
        legend.push((
            Mark::Square(colour),
            format!("{} (sum {})", truncate(pcode, MAX_LABEL), num(sum)),
        ));
    }
    let total = scores
        .values()
        .get((row, fw.root_index()))
        .copied()
        .unwrap_or(f64::NAN);
    let name = scores
        .unit_names()
        .get(row)
        .filter(|n| !n.is_empty() && n.as_str() != unit)
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    let title = opts.title.clone().unwrap_or_else(|| {
        format!(
            "Contributions to {} of {unit}{name}: total {}",
            fw.root().code,
            num(total)
        )
    });
    let fs = f64::from(opts.font_size);
    let auto_h = (140.0 + fs * 1.6 * rows.len() as f64).max(300.0).round() as u32;
    let size = opts.checked_size(PLOT, (1000, auto_h))?;
    let x_label = opts
        .x_label
        .clone()
        .unwrap_or_else(|| "contribution to the index".into());
    render(PLOT, size, opts.font_size, |c| {
        hbars(c, &title, &rows, &x_label, &legend, true)
    })
}

/// [`unit_contributions`] written to `path` (atomically, through [`crate::io::write_atomic`]).
///
/// # Errors
/// As [`unit_contributions`], and [`Error::Io`] naming `path` if it cannot be written.
///
/// # Examples
/// ```
/// use composite_indicators::plot::{PlotOptions, unit_contributions_path};
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
/// let path = std::env::temp_dir().join("ci_doc_unit_contributions.svg");
/// unit_contributions_path(&path, &scores, "u1", &PlotOptions::default())?;
/// assert!(std::fs::read_to_string(&path)?.contains("</svg>"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn unit_contributions_path(
    path: impl AsRef<Path>,
    scores: &Scores,
    unit: &str,
    opts: &PlotOptions,
) -> Result<()> {
    save(path.as_ref(), &unit_contributions(scores, unit, opts)?)
}

/// First-order and total Sobol indices of one target (COINr's `plot_sensitivity()`, bar type): per
/// input group a pair of horizontal bars, first order above total order, with the bootstrap
/// confidence interval drawn as a whisker on each bar when `sobol.intervals` is present (the legend
/// then names its coverage level). Estimates are drawn as computed: small negative values (Monte
/// Carlo noise around 0) extend left of 0; a NaN index has no bar and reads "n/a".
///
/// Options: title (default "Sobol indices of TARGET (N = n, runs model runs)"), size (default
/// 900 × (140 + 3.2 × font size × groups)), font size, x label (default "Sobol index (share of
/// output variance)").
///
/// # Errors
/// [`Error::UnknownCode`] (`target:NAME`) for a target not in `sobol`; [`Error::InvalidParameter`] for
/// an out-of-range size or font size, or more than a million elements to draw (about 150 MB of SVG,
/// checked before drawing); [`Error::Plot`] if the backend fails.
///
/// # Examples
/// ```
/// use composite_indicators::plot::{PlotOptions, sobol_bars};
/// use composite_indicators::sweep::SobolIndices;
/// let s = SobolIndices {
///     groups: vec!["weights".into(), "normaliser".into()],
///     targets: vec!["mean_abs_rank_shift".into()],
///     first: ndarray::array![[0.6, 0.3]],
///     total: ndarray::array![[0.65, 0.35]],
///     variance: vec![1.0], n: 100, runs: 400, intervals: None,
/// };
/// let svg = sobol_bars(&s, "mean_abs_rank_shift", &PlotOptions::default())?;
/// assert!(svg.contains("normaliser") && svg.contains("total order"));
/// assert!(sobol_bars(&s, "nope", &PlotOptions::default()).is_err());
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn sobol_bars(sobol: &SobolIndices, target: &str, opts: &PlotOptions) -> Result<String> {
    const PLOT: &str = "sobol_bars";
    let t = sobol.target(target).ok_or_else(|| Error::UnknownCode {
        code: format!("target:{target}"),
    })?;
    check_marks(PLOT, "the groups", sobol.groups.len().saturating_mul(10))?;
    let (c1, c2) = (palette(0), palette(1));
    let get = |a: &ndarray::Array2<f64>, g: usize| a.get((t, g)).copied().unwrap_or(f64::NAN);
    let rows: Vec<BarRow> = sobol
        .groups
        .iter()
        .enumerate()
        .map(|(g, name)| {
            let ci =
                |lo: &ndarray::Array2<f64>, hi: &ndarray::Array2<f64>| (get(lo, g), get(hi, g));
            let (ci1, ci2) = match &sobol.intervals {
                Some(iv) => (
                    Some(ci(&iv.first_lo, &iv.first_hi)),
                    Some(ci(&iv.total_lo, &iv.total_hi)),
                ),
                None => (None, None),
            };
            let (f, tt) = (get(&sobol.first, g), get(&sobol.total, g));
            let show = |v: f64| {
                if v.is_finite() {
                    format!("{v:.3}")
                } else {
                    "n/a".into()
                }
            };
            BarRow {
                label: truncate(name, MAX_LABEL),
                bars: vec![(f, c1, ci1), (tt, c2, ci2)],
                tick: None,
                note: format!("first {} · total {}", show(f), show(tt)),
            }
        })
        .collect();
    let mut legend = vec![
        (Mark::Square(c1), "first order".to_string()),
        (Mark::Square(c2), "total order".to_string()),
    ];
    if let Some(iv) = &sobol.intervals {
        legend.push((
            Mark::HLine(INK),
            format!(
                "{:.0}% bootstrap interval ({} replicates)",
                iv.level * 100.0,
                iv.replicates
            ),
        ));
    }
    let title = opts.title.clone().unwrap_or_else(|| {
        format!(
            "Sobol indices of {target} (N = {}, {} model runs)",
            sobol.n, sobol.runs
        )
    });
    let fs = f64::from(opts.font_size);
    let auto_h = (140.0 + fs * 3.2 * rows.len() as f64).max(300.0).round() as u32;
    let size = opts.checked_size(PLOT, (900, auto_h))?;
    let x_label = opts
        .x_label
        .clone()
        .unwrap_or_else(|| "Sobol index (share of output variance)".into());
    render(PLOT, size, opts.font_size, |c| {
        hbars(c, &title, &rows, &x_label, &legend, true)
    })
}

/// [`sobol_bars`] written to `path` (atomically, through [`crate::io::write_atomic`]).
///
/// # Errors
/// As [`sobol_bars`], and [`Error::Io`] naming `path` if it cannot be written.
///
/// # Examples
/// ```
/// use composite_indicators::plot::{PlotOptions, sobol_bars_path};
/// use composite_indicators::sweep::SobolIndices;
/// let s = SobolIndices { groups: vec!["w".into()], targets: vec!["t".into()],
///     first: ndarray::array![[0.9]], total: ndarray::array![[1.0]], variance: vec![1.0],
///     n: 10, runs: 30, intervals: None };
/// let path = std::env::temp_dir().join("ci_doc_sobol_bars.svg");
/// sobol_bars_path(&path, &s, "t", &PlotOptions::default())?;
/// assert!(std::fs::read_to_string(&path)?.contains("</svg>"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sobol_bars_path(
    path: impl AsRef<Path>,
    sobol: &SobolIndices,
    target: &str,
    opts: &PlotOptions,
) -> Result<()> {
    save(path.as_ref(), &sobol_bars(sobol, target, opts)?)
}
