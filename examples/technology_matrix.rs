//! The 30 key biomedical technologies of seed study 003 (`data/cbcii/technologies.csv`): two published
//! expert scores per technology (technical, industrialisation), their rankings, a two-axis matrix, an
//! SVG scatter plot and a synthetic expert panel that shows how such scores are produced.
//!
//! * **Rankings**: 1 = highest score. The crate's default tie rule (`TieRule::Min`) reproduces every
//!   published rank except one: the industrialisation scores of 3D printing and recombinant antibodies
//!   are both printed as 0.8144, and the report ranks them 5 and 6 (3D printing first, which is not the
//!   list order, so the report presumably used unrounded scores). On the printed scores they are a true
//!   tie, and `Min` gives both rank 5; no tie rule can recover the published order from printed values.
//! * **Matrix**: technical ≥ 0.5 and industrialisation ≥ 0.7 are the 12 "key technologies to support"
//!   named in the text; technical < 0.4 are the 9 "keep watching" ones (thresholds inferred from the
//!   text, see data/cbcii/README.md T4). A score equal to a threshold counts as high.
//! * **Plot**: an SVG scatter plot with both threshold lines and every point labelled, written to
//!   `--out` (default `technology_matrix.svg` in the cargo target directory: `$CARGO_TARGET_DIR`, or
//!   the `target` folder the example was built in), atomically.
//! * **Expert panel (SYNTHETIC)**: 45 simulated experts rate every technology on three criteria per
//!   dimension (technical: public-health importance, R&D base, breakthrough difficulty;
//!   industrialisation: economic importance, time to market, cost). Each expert's rating is the
//!   published dimension score plus `N(0, 0.15²)` noise, clipped to [0, 1] (seeded). The ratings are
//!   aggregated across experts (mean and 10%-trimmed mean), the three criteria are averaged into each
//!   dimension, and the panel's agreement (Kendall's W per criterion) and its agreement with the
//!   published ordering (Spearman) are reported.
//!
//! Run: `cargo run --release --example technology_matrix [-- --out FILE.svg]`

use std::path::{Path, PathBuf};

use composite_indicators::audit::{CorrMethod, correlation};
use composite_indicators::rank::{TieRule, rank_desc};
use composite_indicators::study::panel::{
    Dimension, KendallW, PanelAggregate, aggregate_ratings, combine_dimensions,
    kendall_w_per_criterion, synthetic_panel,
};
use composite_indicators::study::quadrant::{
    Quadrant, QuadrantLabels, Quadrants, Threshold, classify,
};
use ndarray::{Array2, ArrayView1};
use plotters::prelude::*;
use serde::Deserialize;

/// Technical threshold of the "support now" quadrant.
pub const TECH_THRESHOLD: f64 = 0.5;
/// Industrialisation threshold of the "support now" quadrant.
pub const IND_THRESHOLD: f64 = 0.7;
/// Technical score below which a technology is "keep watching".
pub const WATCH_THRESHOLD: f64 = 0.4;
/// Number of synthetic experts.
pub const N_EXPERTS: usize = 45;
/// Noise sd of the synthetic panel.
pub const PANEL_NOISE: f64 = 0.15;
/// Seed of the synthetic panel.
pub const PANEL_SEED: u64 = 3;

type BoxResult<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// One row of `technologies.csv`.
#[derive(Debug, Clone, Deserialize)]
pub struct Technology {
    /// 序号.
    pub no: u32,
    /// Chinese name (表1).
    pub tech_zh: String,
    /// English name.
    pub tech_en: String,
    /// Number of funded projects.
    pub projects: u64,
    /// Funding in units of USD 10,000.
    pub funding_10k_usd: u64,
    /// Technical score.
    pub technical_score: f64,
    /// Published technical rank.
    pub technical_rank: u32,
    /// Industrialisation score.
    pub industrial_score: f64,
    /// Published industrialisation rank.
    pub industrial_rank: u32,
}

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// Read `data/cbcii/technologies.csv`.
pub fn load_technologies() -> BoxResult<Vec<Technology>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/cbcii/technologies.csv");
    let mut r = csv::Reader::from_path(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let rows = r
        .deserialize()
        .collect::<std::result::Result<Vec<Technology>, _>>()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(rows)
}

/// Technical and industrialisation scores as two vectors.
pub fn scores(t: &[Technology]) -> (Vec<f64>, Vec<f64>) {
    (
        t.iter().map(|x| x.technical_score).collect(),
        t.iter().map(|x| x.industrial_score).collect(),
    )
}

/// The matrix: technical ≥ 0.5 × industrialisation ≥ 0.7, with labels.
pub fn matrix(t: &[Technology]) -> composite_indicators::Result<Quadrants> {
    let (x, y) = scores(t);
    Ok(classify(
        &x,
        &y,
        Threshold::Fixed(TECH_THRESHOLD),
        Threshold::Fixed(IND_THRESHOLD),
    )?
    .with_labels(
        QuadrantLabels::default()
            .with(Quadrant::HighHigh, "support now")
            .with(Quadrant::HighLow, "technically ready, market later")
            .with(Quadrant::LowHigh, "market pull, strengthen research")
            .with(Quadrant::LowLow, "long-term research"),
    ))
}

/// Indices of the "keep watching" technologies: technical < 0.4 (the low-`x` side of a matrix split at
/// 0.4).
pub fn keep_watching(t: &[Technology]) -> composite_indicators::Result<Vec<usize>> {
    let (x, y) = scores(t);
    let q = classify(
        &x,
        &y,
        Threshold::Fixed(WATCH_THRESHOLD),
        Threshold::Fixed(IND_THRESHOLD),
    )?;
    let mut v = q.members(Quadrant::LowHigh);
    v.extend(q.members(Quadrant::LowLow));
    v.sort_unstable();
    Ok(v)
}

/// What the synthetic panel gives.
#[derive(Debug, Clone)]
pub struct PanelResult {
    /// technologies × 2 (technical, industrialisation) from the expert means.
    pub mean: Array2<f64>,
    /// The same from 10%-trimmed means.
    pub trimmed: Array2<f64>,
    /// Kendall's W per criterion (6 criteria).
    pub kendall: Vec<KendallW>,
    /// Spearman correlation of the mean panel scores with the published scores, per dimension.
    pub spearman: [f64; 2],
}

/// The synthetic expert panel (see the module docs).
pub fn panel(t: &[Technology], seed: u64) -> composite_indicators::Result<PanelResult> {
    let (x, y) = scores(t);
    let target = Array2::from_shape_fn((t.len(), 6), |(u, c)| if c < 3 { x[u] } else { y[u] });
    let ratings = synthetic_panel(target.view(), N_EXPERTS, PANEL_NOISE, seed)?;
    let dims = [
        Dimension::equal("technical", 0..3),
        Dimension::equal("industrialisation", 3..6),
    ];
    let mean = combine_dimensions(
        aggregate_ratings(ratings.view(), &PanelAggregate::Mean)?.view(),
        &dims,
    )?;
    let trimmed = combine_dimensions(
        aggregate_ratings(ratings.view(), &PanelAggregate::TrimmedMean { share: 0.1 })?.view(),
        &dims,
    )?;
    let kendall = kendall_w_per_criterion(ratings.view())?;
    let spearman = [
        correlation(mean.column(0), ArrayView1::from(&x), CorrMethod::Spearman)?,
        correlation(mean.column(1), ArrayView1::from(&y), CorrMethod::Spearman)?,
    ];
    Ok(PanelResult {
        mean,
        trimmed,
        kendall,
        spearman,
    })
}

/// Draw the labelled scatter plot with threshold lines (SVG), written atomically to `out` through
/// [`composite_indicators::io::write_atomic`].
pub fn plot(t: &[Technology], q: &Quadrants, out: &Path) -> BoxResult<()> {
    let mut svg = String::new();
    draw(t, q, &mut svg)?;
    composite_indicators::io::write_atomic(out, |w| {
        w.write_all(svg.as_bytes())
            .map_err(|source| composite_indicators::Error::Io {
                path: out.display().to_string(),
                source,
            })
    })?;
    Ok(())
}

/// Render the scatter plot into `svg`.
fn draw(t: &[Technology], q: &Quadrants, svg: &mut String) -> BoxResult<()> {
    let root = SVGBackend::with_string(svg, (1000, 760)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "30 key biomedical technologies: technical vs industrialisation score",
            ("sans-serif", 22),
        )
        .margin(20)
        .x_label_area_size(45)
        .y_label_area_size(55)
        .build_cartesian_2d(0.0f64..1.0f64, 0.2f64..1.0f64)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc("technical score")
        .y_desc("industrialisation score")
        .draw()
        .map_err(|e| e.to_string())?;
    let grey = RGBColor(150, 150, 150);
    chart
        .draw_series(LineSeries::new(
            [(TECH_THRESHOLD, 0.2), (TECH_THRESHOLD, 1.0)],
            grey.stroke_width(2),
        ))
        .map_err(|e| e.to_string())?
        .label(format!("technical = {TECH_THRESHOLD}"));
    chart
        .draw_series(LineSeries::new(
            [(0.0, IND_THRESHOLD), (1.0, IND_THRESHOLD)],
            grey.stroke_width(2),
        ))
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(LineSeries::new(
            [(WATCH_THRESHOLD, 0.2), (WATCH_THRESHOLD, 1.0)],
            RGBColor(200, 200, 200).stroke_width(1),
        ))
        .map_err(|e| e.to_string())?;
    let colour = |k: Quadrant| match k {
        Quadrant::HighHigh => RGBColor(200, 30, 30),
        Quadrant::HighLow => RGBColor(30, 90, 200),
        Quadrant::LowHigh => RGBColor(220, 130, 0),
        _ => RGBColor(90, 90, 90),
    };
    chart
        .draw_series(t.iter().zip(&q.quadrant).map(|(x, &k)| {
            let c = colour(k);
            EmptyElement::at((x.technical_score, x.industrial_score))
                + Circle::new((0, 0), 5, c.filled())
                + Text::new(x.tech_en.clone(), (7, -5), ("sans-serif", 11).into_font())
        }))
        .map_err(|e| e.to_string())?;
    for (label, (x, y)) in [
        ("support now", (0.82, 0.98)),
        ("keep watching (technical < 0.4)", (0.02, 0.98)),
    ] {
        chart
            .draw_series(std::iter::once(Text::new(
                label.to_string(),
                (x, y),
                ("sans-serif", 14).into_font(),
            )))
            .map_err(|e| e.to_string())?;
    }
    root.present().map_err(|e| e.to_string())?;
    Ok(())
}

/// The cargo target directory: `$CARGO_TARGET_DIR` when set, else the `target` folder holding this
/// executable (`<target>/<profile>/examples/<name>`), else `./target`.
fn target_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(d);
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.ancestors().nth(3).map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("target"))
}

fn out_path() -> BoxResult<PathBuf> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => Ok(target_dir().join("technology_matrix.svg")),
        [flag, path] if flag == "--out" => Ok(PathBuf::from(path)),
        _ => Err("usage: technology_matrix [--out FILE.svg]".into()),
    }
}

fn run() -> BoxResult<()> {
    let out = out_path()?;
    let t = load_technologies()?;
    let (x, y) = scores(&t);
    let (tr, ir) = (rank_desc(&x, TieRule::Min), rank_desc(&y, TieRule::Min));
    let projects: u64 = t.iter().map(|r| r.projects).sum();
    let funding: u64 = t.iter().map(|r| r.funding_10k_usd).sum();
    println!(
        "{} technologies; {projects} funded projects, USD {:.4} billion (= {funding} × 10,000)",
        t.len(),
        funding as f64 / 1e5
    );
    println!("\nRanks (1 = highest score; crate = rank_desc with TieRule::Min, pub = published)");
    println!(
        "{:>3} {:<38} {:>9} {:>5} {:>4}   {:>10} {:>5} {:>4}",
        "no", "technology", "technical", "crate", "pub", "industrial", "crate", "pub"
    );
    let mut order: Vec<usize> = (0..t.len()).collect();
    order.sort_by(|&a, &b| tr[a].total_cmp(&tr[b]));
    let mut mismatches = Vec::new();
    for &u in &order {
        let r = &t[u];
        let flag = if ir[u] != f64::from(r.industrial_rank) {
            mismatches.push(u);
            " *"
        } else {
            ""
        };
        println!(
            "{:>3} {:<38} {:>9.4} {:>5} {:>4}   {:>10.4} {:>5} {:>4}{flag}",
            r.no,
            r.tech_en,
            r.technical_score,
            tr[u],
            r.technical_rank,
            r.industrial_score,
            ir[u],
            r.industrial_rank
        );
    }
    let tech_ok = (0..t.len()).all(|u| tr[u] == f64::from(t[u].technical_rank));
    println!(
        "technical: all {} published ranks reproduced: {tech_ok} (no ties)",
        t.len()
    );
    println!(
        "industrial: {} of {} reproduced; * = the tie at 0.8144: the report ranks 3D printing 5 and \
         recombinant antibodies 6 (unrounded scores or an unstated tie-break); on the printed scores \
         TieRule::Min gives both 5",
        t.len() - mismatches.len(),
        t.len()
    );

    let q = matrix(&t)?;
    let support = q.members(Quadrant::HighHigh);
    println!(
        "\nMatrix: technical >= {TECH_THRESHOLD}, industrialisation >= {IND_THRESHOLD}; counts per quadrant:"
    );
    for (k, n) in Quadrant::ALL.iter().zip(q.counts()) {
        println!("  {:<36} {n:>2}", q.labels.get(*k));
    }
    println!(
        "Key technologies to support ({}): {}",
        support.len(),
        support
            .iter()
            .map(|&u| t[u].tech_en.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    );
    let watch = keep_watching(&t)?;
    println!(
        "Keep watching, technical < {WATCH_THRESHOLD} ({}): {}",
        watch.len(),
        watch
            .iter()
            .map(|&u| t[u].tech_en.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    );

    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    plot(&t, &q, &out)?;
    println!("\nScatter plot written to {}", out.display());

    let p = panel(&t, PANEL_SEED)?;
    println!(
        "\nSYNTHETIC expert panel: {N_EXPERTS} experts, 3 criteria per dimension, ratings = published score \
         + N(0, {PANEL_NOISE}²) clipped to [0, 1], seed {PANEL_SEED}"
    );
    let names = [
        "tech: public health",
        "tech: R&D base",
        "tech: breakthrough",
        "ind: economic value",
        "ind: time to market",
        "ind: cost",
    ];
    for (n, k) in names.iter().zip(&p.kendall) {
        println!(
            "  Kendall's W {n:<22} {:.3} (chi² = {:.1}, df = {}, p = {:.2e}, {} raters)",
            k.w, k.chi_square, k.df, k.p_value, k.n_raters
        );
    }
    println!(
        "  Spearman(panel mean, published): technical {:.3}, industrialisation {:.3}",
        p.spearman[0], p.spearman[1]
    );
    let max_diff = p
        .mean
        .iter()
        .zip(p.trimmed.iter())
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    println!("  largest |mean − 10%-trimmed mean| over technologies and dimensions: {max_diff:.4}");
    println!("  top 5 by panel technical score (mean / trimmed / published):");
    let pr = rank_desc(&p.mean.column(0).to_vec(), TieRule::Min);
    let mut po: Vec<usize> = (0..t.len()).collect();
    po.sort_by(|&a, &b| pr[a].total_cmp(&pr[b]));
    for &u in po.iter().take(5) {
        println!(
            "    {:<38} {:.3} / {:.3} / {:.4}",
            t[u].tech_en,
            p.mean[[u, 0]],
            p.trimmed[[u, 0]],
            t[u].technical_score
        );
    }
    Ok(())
}
