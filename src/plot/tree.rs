//! The framework tree: indicators → aggregates → index, left to right.

use std::path::Path;

use plotters::style::text_anchor::{HPos, VPos};

use super::bars::node_label;
use super::common::{AXIS, Canvas, INK, Mark, check_marks, palette, render, text_width};
use super::{PlotOptions, save};
use crate::error::{Error, Expected, Result};
use crate::spec::{Framework, NodeKind};

const PLOT: &str = "framework_tree";

/// The framework as a tree (COINr's `plot_framework()`, drawn as a left-to-right dendrogram): one
/// column per level (indicators, level 1, on the left; the index on the right), one dot per node
/// coloured by level, labelled "code: name" (cut to 40 characters), and an elbow line from every node
/// to its parent. Indicators are listed top to bottom in depth-first order from the index (children
/// in spec order), so every aggregate's children are adjacent; an aggregate sits at the mean height of
/// its children. Rows are `font_size + 5` pixels apart, so the 79 indicators of the city index need
/// about 1,400 pixels; a smaller fixed height is an error rather than overlapping labels. A node
/// whose weight within its parent is not 1 shows it after its label ("×0.5"). The legend names each
/// level and counts its nodes.
///
/// Options: title (default the framework's name), size (default from the labels and rows), font
/// size; axis labels are not used (a tree has no axes).
///
/// # Errors
/// [`Error::InvalidParameter`] for an out-of-range size or font size, a height too small for one
/// row per indicator, or more than a million elements to draw (about 150 MB of SVG, checked before
/// drawing); [`Error::Plot`] if the backend fails.
///
/// # Examples
/// ```
/// use composite_indicators::plot::{PlotOptions, framework_tree};
/// use composite_indicators::{FrameworkSpec, Indicator, Pillar};
/// let fw = FrameworkSpec::new(
///     "toy",
///     vec![Indicator::new("a", "P"), Indicator::new("b", "P").with_weight(2.0),
///     Indicator::new("c", "Q")],
///     vec![Pillar::new("P").with_parent("I"), Pillar::new("Q").with_parent("I"), Pillar::new("I")],
/// )
/// .check()?;
/// let svg = framework_tree(&fw, &PlotOptions::default())?;
/// // six nodes + three legend dots (levels 1, 2, 3)
/// assert_eq!(svg.matches("<circle").count(), 6 + 3);
/// assert!(svg.contains("×2"));
/// # Ok::<(), composite_indicators::Error>(())
/// ```
pub fn framework_tree(fw: &Framework, opts: &PlotOptions) -> Result<String> {
    let nodes = fw.nodes();
    check_marks(PLOT, "the framework", nodes.len().saturating_mul(3))?;
    let fs = f64::from(opts.font_size);
    let row = fs + 5.0;
    // depth-first leaf order from the root
    let mut leaves = Vec::with_capacity(fw.n_indicators());
    let mut stack = vec![fw.root_index()];
    while let Some(k) = stack.pop() {
        let Some(node) = nodes.get(k) else { continue };
        if node.kind == NodeKind::Indicator {
            leaves.push(k);
        }
        stack.extend(node.children.iter().rev());
    }
    let n_rows = leaves.len().max(1);
    let levels = fw.root().level;
    // which weights to show: any node whose weight is not 1
    let labels: Vec<String> = nodes
        .iter()
        .map(|n| {
            let l = node_label(&n.code, &n.name);
            if n.parent.is_some() && n.weight != 1.0 {
                format!("{l} ×{}", trim(n.weight))
            } else {
                l
            }
        })
        .collect();
    let mut col_w = vec![0.0f64; levels + 1];
    for (n, l) in nodes.iter().zip(&labels) {
        if let Some(w) = col_w.get_mut(n.level) {
            *w = w.max(text_width(l, fs));
        }
    }
    let gap = 40.0;
    let mut col_x = vec![0.0f64; levels + 2];
    let mut x = 20.0;
    for l in 1..=levels {
        if let Some(c) = col_x.get_mut(l) {
            *c = x;
        }
        x += 12.0 + col_w.get(l).copied().unwrap_or(0.0) + gap;
    }
    let legend: Vec<(Mark, String)> = (1..=levels)
        .map(|l| {
            let count = nodes.iter().filter(|n| n.level == l).count();
            let what = if l == 1 {
                "indicators".to_string()
            } else if l == levels {
                "index".to_string()
            } else {
                format!("level {l} aggregates")
            };
            (Mark::Dot(palette(l - 1)), format!("{what} ({count})"))
        })
        .collect();
    let legend_w = legend
        .iter()
        .map(|(_, s)| text_width(s, fs))
        .fold(0.0, f64::max)
        + 60.0;
    let auto = (
        (x + legend_w).round() as u32,
        (90.0 + row * n_rows as f64 + 30.0).max(300.0).round() as u32,
    );
    let size = opts.checked_size(PLOT, auto)?;
    let title = opts
        .title
        .clone()
        .unwrap_or_else(|| format!("Framework: {}", fw.name()));
    render(PLOT, size, opts.font_size, |c: &Canvas<'_>| {
        let top = f64::from(c.title(&title)? + 6);
        let slot = (f64::from(c.height) - top - 20.0) / n_rows as f64;
        if slot < fs + 1.0 {
            return Err(Error::invalid(
                format!("{PLOT}: size"),
                format!("{}×{} px", c.width, c.height),
                Expected::Rule(format!(
                    "height {} px leaves {slot:.1} px per indicator row; labels need {}",
                    c.height,
                    fs + 1.0
                )),
            ));
        }
        // y of every node: leaves by order, aggregates at the mean of their children (children come
        // before their parent in node order, so one pass over aggregates in level order suffices)
        let mut y = vec![f64::NAN; nodes.len()];
        for (r, &k) in leaves.iter().enumerate() {
            if let Some(v) = y.get_mut(k) {
                *v = top + slot * (r as f64 + 0.5);
            }
        }
        let mut order: Vec<usize> = (0..nodes.len())
            .filter(|&k| nodes.get(k).is_some_and(|n| n.kind == NodeKind::Aggregate))
            .collect();
        order.sort_by_key(|&k| nodes.get(k).map_or(0, |n| n.level));
        for k in order {
            let Some(node) = nodes.get(k) else { continue };
            let ys: Vec<f64> = node
                .children
                .iter()
                .filter_map(|&ch| y.get(ch).copied())
                .filter(|v| v.is_finite())
                .collect();
            if !ys.is_empty()
                && let Some(v) = y.get_mut(k)
            {
                *v = ys.iter().sum::<f64>() / ys.len() as f64;
            }
        }
        let px = |k: usize| {
            let n = nodes.get(k);
            let cx = n.and_then(|n| col_x.get(n.level)).copied().unwrap_or(0.0);
            (cx, y.get(k).copied().unwrap_or(0.0))
        };
        // edges first, under the dots
        for (k, n) in nodes.iter().enumerate() {
            let Some(p) = n.parent else { continue };
            let (cx, cy) = px(k);
            let (pxx, pyy) = px(p);
            let start = cx + 8.0 + col_w.get(n.level).copied().unwrap_or(0.0) + 4.0;
            let elbow = pxx - 14.0;
            let pts = vec![
                (start.round() as i32, cy.round() as i32),
                (elbow.round() as i32, cy.round() as i32),
                (elbow.round() as i32, pyy.round() as i32),
                ((pxx - 5.0).round() as i32, pyy.round() as i32),
            ];
            c.line(pts, AXIS, 1)?;
        }
        for (k, n) in nodes.iter().enumerate() {
            let (cx, cy) = px(k);
            let colour = palette(n.level.saturating_sub(1));
            c.dot(cx.round() as i32, cy.round() as i32, 4, colour)?;
            if let Some(l) = labels.get(k) {
                c.text(
                    l,
                    (cx + 8.0).round() as i32,
                    cy.round() as i32,
                    fs,
                    INK,
                    HPos::Left,
                    VPos::Center,
                    false,
                )?;
            }
        }
        let (lw, _) = c.legend_size(&legend);
        c.legend(c.width - lw - 10, top as i32, &legend)
    })
}

/// A weight as short text.
fn trim(w: f64) -> String {
    let s = format!("{w:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// [`framework_tree`] written to `path` (atomically, through [`crate::io::write_atomic`]).
///
/// # Errors
/// As [`framework_tree`], and [`Error::Io`] naming `path` if it cannot be written.
///
/// # Examples
/// ```
/// use composite_indicators::plot::{PlotOptions, framework_tree_path};
/// use composite_indicators::{FrameworkSpec, Indicator, Pillar};
/// let fw = FrameworkSpec::new(
///     "t",
///     vec![Indicator::new("a", "I"), Indicator::new("b", "I")],
///     vec![Pillar::new("I")],
/// ).check()?;
/// let path = std::env::temp_dir().join("ci_doc_tree.svg");
/// framework_tree_path(&path, &fw, &PlotOptions::default())?;
/// assert!(std::fs::read_to_string(&path)?.contains("</svg>"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn framework_tree_path(
    path: impl AsRef<Path>,
    fw: &Framework,
    opts: &PlotOptions,
) -> Result<()> {
    save(path.as_ref(), &framework_tree(fw, opts)?)
}
