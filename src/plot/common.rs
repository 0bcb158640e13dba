//! Drawing helpers shared by the plots: a pixel canvas over the plotters SVG backend, linear scales
//! with "nice" ticks, label thinning, legends and the colour palette.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::{Error, Expected, Result};

/// The ten colours of the Tableau 10 palette (also matplotlib's default cycle), colour-blind friendlier
/// than pure hues; index `i` wraps around, darkened by 30 % on every second pass.
const PALETTE: [(u8, u8, u8); 10] = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
];

/// Colour `i` of the palette.
pub(crate) fn palette(i: usize) -> RGBColor {
    let (r, g, b) = PALETTE[i % PALETTE.len()];
    if (i / PALETTE.len()) % 2 == 1 {
        let d = |c: u8| (f64::from(c) * 0.7).round() as u8;
        RGBColor(d(r), d(g), d(b))
    } else {
        RGBColor(r, g, b)
    }
}

/// Text colour.
pub(crate) const INK: RGBColor = RGBColor(30, 30, 30);
/// Grid and frame colour.
pub(crate) const GRID: RGBColor = RGBColor(225, 225, 225);
/// Axis colour.
pub(crate) const AXIS: RGBColor = RGBColor(90, 90, 90);

/// Estimated width in pixels of `s` at font size `px` (sans-serif: about 0.6 em per character on
/// average, a little generous so that estimated boxes do not overlap in practice).
pub(crate) fn text_width(s: &str, px: f64) -> f64 {
    s.chars().count() as f64 * px * 0.6
}

/// `s` cut to at most `max` characters, with `…` when cut.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// The smallest step `k ≥ 1` such that drawing every k-th of `n` labels, `slot` pixels apart, leaves
/// at least `need` pixels per drawn label.
pub(crate) fn thin_step(slot: f64, need: f64) -> usize {
    if slot >= need || slot <= 0.0 {
        1
    } else {
        (need / slot).ceil().max(1.0) as usize
    }
}

/// `k` as an English ordinal: 2nd, 3rd, 4th, 11th, 21st, ...
pub(crate) fn ordinal(k: usize) -> String {
    let suffix = match (k % 10, k % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{k}{suffix}")
}

/// Upper bound on the drawn elements of one plot: about 150 bytes of SVG each, so at most ~150 MB.
pub(crate) const MAX_MARKS: usize = 1_000_000;

/// Refuse a plot whose estimated element count `marks` exceeds [`MAX_MARKS`], before drawing it.
pub(crate) fn check_marks(plot: &str, what: &str, marks: usize) -> Result<()> {
    if marks > MAX_MARKS {
        return Err(Error::invalid(
            format!("{plot}: input size"),
            format!("{what}: about {marks} elements"),
            Expected::Rule(format!(
                "at most {MAX_MARKS} elements can be drawn (~150 bytes of SVG each)"
            )),
        ));
    }
    Ok(())
}

/// A linear map from data values `[lo, hi]` to pixels `[p0, p1]` (p1 may be below p0 for y axes).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scale {
    pub lo: f64,
    pub hi: f64,
    pub p0: f64,
    pub p1: f64,
}

impl Scale {
    /// A scale; a zero-width data range is widened by ±0.5 (or ±5 % of the value) so it maps.
    pub fn new(lo: f64, hi: f64, p0: f64, p1: f64) -> Scale {
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else {
            let pad = if lo == 0.0 { 0.5 } else { lo.abs() * 0.05 };
            (lo - pad, lo + pad)
        };
        Scale { lo, hi, p0, p1 }
    }
    /// Pixel of a data value.
    pub fn px(&self, v: f64) -> i32 {
        (self.p0 + (v - self.lo) / (self.hi - self.lo) * (self.p1 - self.p0)).round() as i32
    }
}

/// "Nice" tick values (steps of 1, 2 or 5 × 10^k) covering `[lo, hi]`, at most about `max` of them.
pub(crate) fn nice_ticks(lo: f64, hi: f64, max: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo || max == 0 {
        return vec![lo];
    }
    let raw = (hi - lo) / max as f64;
    let k = raw.log10().floor() as i32;
    // value of `x · 10^k`, exact for decimal steps (dividing by 10^-k rather than multiplying by 10^k)
    let scaled = |x: f64| {
        if k < 0 {
            x / 10f64.powi(-k)
        } else {
            x * 10f64.powi(k)
        }
    };
    let m = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .find(|&m| (hi - lo) / scaled(m) <= max as f64)
        .unwrap_or(10.0);
    let step = scaled(m);
    let first = (lo / step).ceil();
    let mut out = Vec::new();
    let mut i = first;
    loop {
        let v = scaled(i * m);
        if v > hi + step * 1e-9 || out.len() > 4 * max {
            break;
        }
        // avoid printing -0
        out.push(if v == 0.0 { 0.0 } else { v });
        i += 1.0;
    }
    out
}

/// Tick text: as many decimals as the step needs.
pub(crate) fn tick_text(v: f64, ticks: &[f64]) -> String {
    let step = match ticks {
        [a, b, ..] => (b - a).abs(),
        _ => 1.0,
    };
    let dec = if step >= 1.0 {
        0
    } else {
        (-step.log10()).ceil().clamp(0.0, 6.0) as usize
    };
    let dec = if step < 1.0 && (step * 10f64.powi(dec as i32)).fract() > 1e-9 {
        dec + 1
    } else {
        dec
    };
    format!("{v:.dec$}")
}

/// Data range `[min, max]` of the finite values, or `None`.
/// The margin added on each side of a data range so that no mark sits on the plot frame: 5 % of the
/// range, or 0.5 for a single value.
pub(crate) fn margin(lo: f64, hi: f64) -> f64 {
    if hi > lo { (hi - lo) * 0.05 } else { 0.5 }
}

pub(crate) fn finite_range(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((a, b)) => Some((a.min(v), b.max(v))),
        })
}

/// A legend mark.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Mark {
    /// A filled dot.
    Dot(RGBColor),
    /// A filled square.
    Square(RGBColor),
    /// A short vertical bar (an interval).
    VLine(RGBColor),
    /// A short horizontal bar (an interval or a threshold).
    HLine(RGBColor),
    /// A dashed horizontal line (a threshold).
    Dashed(RGBColor),
    /// A cross.
    Cross(RGBColor),
    /// No mark (a text-only legend row).
    Blank,
}

/// A pixel canvas over one SVG document.
pub(crate) struct Canvas<'a> {
    pub area: DrawingArea<SVGBackend<'a>, Shift>,
    pub plot: &'static str,
    pub width: i32,
    pub height: i32,
    /// Base font size in pixels.
    pub fs: f64,
}

/// Render an SVG of `size` by running `draw` on a white canvas.
pub(crate) fn render<F>(
    plot: &'static str,
    size: (u32, u32),
    font_px: u32,
    draw: F,
) -> Result<String>
where
    F: FnOnce(&Canvas<'_>) -> Result<()>,
{
    let mut out = String::new();
    {
        let area = SVGBackend::with_string(&mut out, size).into_drawing_area();
        let canvas = Canvas {
            area,
            plot,
            width: i32::try_from(size.0).unwrap_or(i32::MAX),
            height: i32::try_from(size.1).unwrap_or(i32::MAX),
            fs: f64::from(font_px),
        };
        canvas.area.fill(&WHITE).map_err(|e| canvas.fail(e))?;
        draw(&canvas)?;
        canvas.area.present().map_err(|e| canvas.fail(e))?;
    }
    Ok(out)
}

impl Canvas<'_> {
    /// A backend error as a crate error naming the plot.
    pub fn fail(&self, e: impl std::fmt::Display) -> Error {
        Error::Plot {
            plot: self.plot.to_string(),
            message: e.to_string(),
        }
    }

    /// A filled rectangle.
    pub fn rect(&self, x0: i32, y0: i32, x1: i32, y1: i32, fill: RGBColor) -> Result<()> {
        self.area
            .draw(&Rectangle::new([(x0, y0), (x1, y1)], fill.filled()))
            .map_err(|e| self.fail(e))
    }

    /// A rectangle outline.
    pub fn frame(&self, x0: i32, y0: i32, x1: i32, y1: i32, colour: RGBColor) -> Result<()> {
        self.area
            .draw(&Rectangle::new(
                [(x0, y0), (x1, y1)],
                colour.stroke_width(1),
            ))
            .map_err(|e| self.fail(e))
    }

    /// A polyline.
    pub fn line(&self, points: Vec<(i32, i32)>, colour: RGBColor, width: u32) -> Result<()> {
        self.area
            .draw(&PathElement::new(points, colour.stroke_width(width)))
            .map_err(|e| self.fail(e))
    }

    /// A dashed straight line.
    pub fn dashed(&self, a: (i32, i32), b: (i32, i32), colour: RGBColor, width: u32) -> Result<()> {
        self.area
            .draw(&plotters::element::DashedPathElement::new(
                [a, b],
                6,
                4,
                colour.stroke_width(width),
            ))
            .map_err(|e| self.fail(e))
    }

    /// A filled dot.
    pub fn dot(&self, x: i32, y: i32, r: i32, colour: RGBColor) -> Result<()> {
        self.area
            .draw(&Circle::new((x, y), r, colour.filled()))
            .map_err(|e| self.fail(e))
    }

    /// A diagonal cross of half-size `r`.
    pub fn cross(&self, x: i32, y: i32, r: i32, colour: RGBColor) -> Result<()> {
        self.line(vec![(x - r, y - r), (x + r, y + r)], colour, 2)?;
        self.line(vec![(x - r, y + r), (x + r, y - r)], colour, 2)
    }

    /// Text of size `px` anchored at `(x, y)`; `rotate` turns it 270° (reading upwards).
    #[allow(clippy::too_many_arguments)]
    pub fn text(
        &self,
        s: &str,
        x: i32,
        y: i32,
        px: f64,
        colour: RGBColor,
        h: HPos,
        v: VPos,
        rotate: bool,
    ) -> Result<()> {
        let mut font = ("sans-serif", px * 1.24).into_font();
        if rotate {
            font = font.transform(FontTransform::Rotate270);
        }
        let style = TextStyle::from(font).color(&colour).pos(Pos::new(h, v));
        self.area
            .draw(&Text::new(s.to_string(), (x, y), style))
            .map_err(|e| self.fail(e))
    }

    /// Bold text.
    pub fn bold(&self, s: &str, x: i32, y: i32, px: f64, h: HPos, v: VPos) -> Result<()> {
        let font = ("sans-serif", px * 1.24).into_font().style(FontStyle::Bold);
        let style = TextStyle::from(font).color(&INK).pos(Pos::new(h, v));
        self.area
            .draw(&Text::new(s.to_string(), (x, y), style))
            .map_err(|e| self.fail(e))
    }

    /// The title, centred at the top; returns the height it takes.
    pub fn title(&self, title: &str) -> Result<i32> {
        let px = self.fs * 1.5;
        // wrap a title that does not fit at the estimated width
        let max_chars = ((f64::from(self.width) - 20.0) / (px * 0.6)).max(10.0) as usize;
        let lines = wrap(title, max_chars);
        let mut y = 8;
        for l in &lines {
            self.bold(l, self.width / 2, y, px, HPos::Center, VPos::Top)?;
            y += (px * 1.3).round() as i32;
        }
        Ok(y + 6)
    }

    /// A horizontal numeric axis at pixel row `y` for `scale`, with grid lines up to `grid_top`, tick
    /// labels below and the axis label under them.
    pub fn x_axis(
        &self,
        scale: &Scale,
        ticks: &[f64],
        y: i32,
        grid_top: i32,
        label: &str,
    ) -> Result<()> {
        for &t in ticks {
            let x = scale.px(t);
            self.line(vec![(x, grid_top), (x, y)], GRID, 1)?;
            self.line(vec![(x, y), (x, y + 4)], AXIS, 1)?;
            self.text(
                &tick_text(t, ticks),
                x,
                y + 6,
                self.fs,
                INK,
                HPos::Center,
                VPos::Top,
                false,
            )?;
        }
        self.line(
            vec![(scale.p0.round() as i32, y), (scale.p1.round() as i32, y)],
            AXIS,
            1,
        )?;
        let mid = ((scale.p0 + scale.p1) / 2.0).round() as i32;
        self.text(
            label,
            mid,
            y + 8 + (self.fs * 1.4) as i32,
            self.fs * 1.1,
            INK,
            HPos::Center,
            VPos::Top,
            false,
        )
    }

    /// A vertical numeric axis at pixel column `x`, with grid lines to `grid_right`, tick labels on the
    /// left and the axis label rotated at `label_x`.
    #[allow(clippy::too_many_arguments)]
    pub fn y_axis(
        &self,
        scale: &Scale,
        ticks: &[f64],
        texts: &[String],
        x: i32,
        grid_right: i32,
        label: &str,
        label_x: i32,
    ) -> Result<()> {
        for (&t, s) in ticks.iter().zip(texts) {
            let y = scale.px(t);
            self.line(vec![(x, y), (grid_right, y)], GRID, 1)?;
            self.line(vec![(x - 4, y), (x, y)], AXIS, 1)?;
            self.text(s, x - 6, y, self.fs, INK, HPos::Right, VPos::Center, false)?;
        }
        self.line(
            vec![(x, scale.p0.round() as i32), (x, scale.p1.round() as i32)],
            AXIS,
            1,
        )?;
        let mid = ((scale.p0 + scale.p1) / 2.0).round() as i32;
        self.text(
            label,
            label_x,
            mid,
            self.fs * 1.1,
            INK,
            HPos::Center,
            VPos::Top,
            true,
        )
    }

    /// Size of a legend with these entries (width, height).
    pub fn legend_size(&self, entries: &[(Mark, String)]) -> (i32, i32) {
        let w = entries
            .iter()
            .map(|(_, s)| text_width(s, self.fs))
            .fold(0.0, f64::max);
        let row = self.row();
        ((w + 40.0).round() as i32, row * entries.len() as i32 + 10)
    }

    fn row(&self) -> i32 {
        (self.fs * 1.5).round() as i32
    }

    /// A framed legend with its top-left corner at `(x, y)`.
    pub fn legend(&self, x: i32, y: i32, entries: &[(Mark, String)]) -> Result<()> {
        let (w, h) = self.legend_size(entries);
        self.rect(x, y, x + w, y + h, WHITE)?;
        self.frame(x, y, x + w, y + h, AXIS)?;
        let row = self.row();
        for (i, (mark, s)) in entries.iter().enumerate() {
            let cy = y + 5 + row * i as i32 + row / 2;
            let cx = x + 14;
            match *mark {
                Mark::Dot(c) => self.dot(cx, cy, 4, c)?,
                Mark::Square(c) => self.rect(cx - 6, cy - 5, cx + 6, cy + 5, c)?,
                Mark::VLine(c) => self.line(vec![(cx, cy - 6), (cx, cy + 6)], c, 2)?,
                Mark::HLine(c) => self.line(vec![(cx - 8, cy), (cx + 8, cy)], c, 2)?,
                Mark::Dashed(c) => self.dashed((cx - 9, cy), (cx + 9, cy), c, 2)?,
                Mark::Cross(c) => self.cross(cx, cy, 4, c)?,
                Mark::Blank => {}
            }
            self.text(s, x + 28, cy, self.fs, INK, HPos::Left, VPos::Center, false)?;
        }
        Ok(())
    }
}

/// Greedy word wrap at `max` characters per line (a longer word stays whole).
pub(crate) fn wrap(s: &str, max: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for w in s.split_whitespace() {
        if !cur.is_empty() && cur.chars().count() + 1 + w.chars().count() > max {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(w);
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_nice_and_cover_the_range() {
        // range 100 in at most 5 steps: the smallest of 10, 20, 25, 50 with 100 / step <= 5 is 20
        assert_eq!(
            nice_ticks(0.0, 100.0, 5),
            vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
        assert_eq!(
            nice_ticks(0.0, 100.0, 4),
            vec![0.0, 25.0, 50.0, 75.0, 100.0]
        );
        assert_eq!(nice_ticks(0.0, 1.0, 5), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        let t = nice_ticks(-1.0, 1.0, 4);
        assert_eq!(t, vec![-1.0, -0.5, 0.0, 0.5, 1.0]);
        assert_eq!(tick_text(0.5, &t), "0.5");
        assert_eq!(tick_text(25.0, &[0.0, 25.0]), "25");
        assert_eq!(tick_text(0.25, &[0.0, 0.25]), "0.25");
    }

    #[test]
    fn thinning_and_wrapping() {
        assert_eq!(thin_step(14.0, 12.0), 1);
        assert_eq!(thin_step(5.0, 12.0), 3);
        assert_eq!(wrap("a bb ccc dddd", 6), vec!["a bb", "ccc", "dddd"]);
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
        let o: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101].map(ordinal).to_vec();
        assert_eq!(
            o,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st"
            ]
        );
        assert!(check_marks("p", "x", MAX_MARKS).is_ok());
        assert!(check_marks("p", "x", MAX_MARKS + 1).is_err());
    }
}
