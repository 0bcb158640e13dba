//! SVG plots of library results (cargo feature `plot`).
//!
//! *Flow:* after **score**, the study layer and **sweep**: draws their results (SVG).
//!
//! Every plot is a function that takes the crate's result types and returns the SVG document as a
//! `String`; its `*_path` twin writes the same bytes to a file through
//! [`io::write_atomic`](crate::io::write_atomic) (a failed plot never leaves a half-written file).
//! Drawing uses the `plotters` crate's SVG backend; text is emitted as SVG `<text>` in the generic
//! `sans-serif` family, so the viewer's font renders it.
//!
//! | plot | function | input | COINr |
//! | --- | --- | --- | --- |
//! | rank intervals | [`rank_intervals`] | [`UaReport`](crate::sweep::UaReport) | `plot_uncertainty()` |
//! | a unit's profile | [`unit_profile`] | [`Scores`](crate::score::Scores), unit, level | `plot_bar()` of one unit's pillars |
//! | a unit's contributions | [`unit_contributions`] | [`Scores`](crate::score::Scores), unit | `plot_bar(stack_children = TRUE)` |
//! | scores by pillar | [`scores_by_level`] | [`Scores`](crate::score::Scores), level | `plot_dot()` |
//! | correlation heatmap | [`correlation_heatmap`] | matrix + labels ([`audit`](crate::audit)) | `plot_corr()` |
//! | Sobol indices | [`sobol_bars`] | [`SobolIndices`](crate::sweep::SobolIndices), target | `plot_sensitivity()` |
//! | quadrant scatter | [`quadrant_scatter`] | x, y, labels, [`Quadrants`](crate::study::quadrant::Quadrants) | `plot_scatter()` |
//! | framework tree | [`framework_tree`] | [`Framework`](crate::Framework) | `plot_framework()` |
//!
//! # Readability rules (all plots)
//!
//! * The default size grows with the number of units or indicators, so that one label per unit fits
//!   without overlap (about 14 px per unit label, rotated 90° on category x axes); a size set with
//!   [`PlotOptions::with_size`] is kept, and labels that would then overlap are thinned (every k-th
//!   label is drawn, the smallest k that fits), never drawn on top of each other. A size set must
//!   lie in 100–20,000 px a side ([`Error::InvalidParameter`]); a default size beyond 20,000 px (tens
//!   of thousands of units on one axis) is [`Error::Incompatible`] saying so: plot a subset, or set a
//!   size.
//! * Every colour has a legend entry; every axis has a label.
//! * Missing values (NaN) are never drawn as numbers: a missing point is left out of the marks (and
//!   counted in the legend or title where the plot says so), a missing correlation is a grey cell.
//!
//! ```
//! use composite_indicators::plot::{PlotOptions, framework_tree};
//! use composite_indicators::{FrameworkSpec, Indicator, Pillar};
//! let fw = FrameworkSpec::new(
//!     "toy",
//!     vec![Indicator::new("a", "P"), Indicator::new("b", "P"), Indicator::new("c", "Q")],
//!     vec![Pillar::new("P").with_parent("I"), Pillar::new("Q").with_parent("I"), Pillar::new("I")],
//! )
//! .check()?;
//! let svg = framework_tree(&fw, &PlotOptions::default().with_title("toy framework"))?;
//! assert!(svg.starts_with("<svg") && svg.contains("toy framework"));
//! # Ok::<(), composite_indicators::Error>(())
//! ```

mod bars;
mod common;
mod dots;
mod heatmap;
mod ranks;
mod scatter;
mod tree;

pub use bars::{
    sobol_bars, sobol_bars_path, unit_contributions, unit_contributions_path, unit_profile,
    unit_profile_path,
};
pub use dots::{scores_by_level, scores_by_level_path};
pub use heatmap::{correlation_heatmap, correlation_heatmap_path};
pub use ranks::{rank_intervals, rank_intervals_path};
pub use scatter::{quadrant_scatter, quadrant_scatter_path};
pub use tree::{framework_tree, framework_tree_path};

use std::path::Path;

use crate::error::{Error, Expected, Result};

/// Options shared by every plot: title, size, font size and axis labels. Build with
/// [`PlotOptions::default`] and the `with_*` setters; every plot documents what it does with each.
///
/// ```
/// use composite_indicators::plot::PlotOptions;
/// let o = PlotOptions::default()
///     .with_title("ASEM index")
///     .with_size(1200, 600)
///     .with_font_size(13)
///     .with_x_label("score")
///     .with_y_label("country");
/// assert_eq!(o.size, Some((1200, 600)));
/// assert_eq!(o.title.as_deref(), Some("ASEM index"));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PlotOptions {
    /// Title drawn above the plot (`None`: each plot's default title).
    pub title: Option<String>,
    /// Width × height in pixels (`None`: sized from the data so that labels fit).
    pub size: Option<(u32, u32)>,
    /// Base font size in pixels of tick and unit labels (titles are 1.5×, axis labels 1.1×);
    /// default 12, accepted range 6–40.
    pub font_size: u32,
    /// Label of the x axis (`None`: the plot's default).
    pub x_label: Option<String>,
    /// Label of the y axis (`None`: the plot's default).
    pub y_label: Option<String>,
}

impl Default for PlotOptions {
    fn default() -> Self {
        PlotOptions {
            title: None,
            size: None,
            font_size: 12,
            x_label: None,
            y_label: None,
        }
    }
}

impl PlotOptions {
    /// Set the title.
    ///
    /// ```
    /// let o = composite_indicators::plot::PlotOptions::default().with_title("t");
    /// assert_eq!(o.title.as_deref(), Some("t"));
    /// ```
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }
    /// Set the size in pixels (width, height); plots check it lies in 100–20,000 on each side.
    ///
    /// ```
    /// let o = composite_indicators::plot::PlotOptions::default().with_size(800, 400);
    /// assert_eq!(o.size, Some((800, 400)));
    /// ```
    pub fn with_size(mut self, width: u32, height: u32) -> Self {
        self.size = Some((width, height));
        self
    }
    /// Set the base font size in pixels (checked by the plots: 6–40).
    ///
    /// ```
    /// let o = composite_indicators::plot::PlotOptions::default().with_font_size(14);
    /// assert_eq!(o.font_size, 14);
    /// ```
    pub fn with_font_size(mut self, px: u32) -> Self {
        self.font_size = px;
        self
    }
    /// Set the x-axis label.
    ///
    /// ```
    /// let o = composite_indicators::plot::PlotOptions::default().with_x_label("technical score");
    /// assert_eq!(o.x_label.as_deref(), Some("technical score"));
    /// ```
    pub fn with_x_label(mut self, label: impl Into<String>) -> Self {
        self.x_label = Some(label.into());
        self
    }
    /// Set the y-axis label.
    ///
    /// ```
    /// let o = composite_indicators::plot::PlotOptions::default().with_y_label("rank");
    /// assert_eq!(o.y_label.as_deref(), Some("rank"));
    /// ```
    pub fn with_y_label(mut self, label: impl Into<String>) -> Self {
        self.y_label = Some(label.into());
        self
    }

    /// Check the size and font size, returning the size to use (`auto` when none was set).
    pub(crate) fn checked_size(&self, plot: &str, auto: (u32, u32)) -> Result<(u32, u32)> {
        if !(6..=40).contains(&self.font_size) {
            return Err(Error::invalid(
                format!("{plot}: font_size"),
                format!("{} px", self.font_size),
                Expected::closed(6.0, 40.0),
            ));
        }
        let (w, h) = self.size.unwrap_or(auto);
        for (side, v) in [("width", w), ("height", h)] {
            if self.size.is_none() && v > 20_000 {
                // no size was asked for: the data need it (one row per unit)
                return Err(Error::Incompatible {
                    what: format!("{plot}: size"),
                    reason: format!(
                        "the automatic {side} is {v} px, beyond 20,000 px (too many rows to draw \
                         readably): plot a subset of the units, or set a size of at most 20,000 px (`--width`/`--height` on the command line)"
                    ),
                });
            }
            if !(100..=20_000).contains(&v) {
                return Err(Error::invalid(
                    format!("{plot}: size"),
                    format!("{side} {v} px"),
                    Expected::closed(100.0, 20_000.0),
                ));
            }
        }
        Ok((w, h))
    }
}

/// Write an SVG document produced by one of the plot functions to `path` atomically.
fn save(path: &Path, svg: &str) -> Result<()> {
    crate::io::write_atomic(path, |w| {
        w.write_all(svg.as_bytes()).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })
    })
}
