//! The 30 key technologies (seed 003): published ranks, the two-axis matrix (T4), the totals (T1, T2)
//! and the synthetic expert panel of the `technology_matrix` example.

use composite_indicators::rank::{TieRule, rank_desc};
use composite_indicators::study::quadrant::Quadrant;

#[allow(dead_code)]
#[path = "../examples/technology_matrix.rs"]
mod example;

fn names(t: &[example::Technology], idx: &[usize]) -> Vec<String> {
    let mut v: Vec<String> = idx.iter().map(|&u| t[u].tech_en.clone()).collect();
    v.sort();
    v
}

#[test]
fn published_ranks_are_reproduced() {
    let t = example::load_technologies().unwrap();
    assert_eq!(t.len(), 30);
    let (x, y) = example::scores(&t);
    let tr = rank_desc(&x, TieRule::Min);
    for (u, r) in t.iter().enumerate() {
        assert_eq!(tr[u], f64::from(r.technical_rank), "{}", r.tech_en);
    }
    // no technical ties: every tie rule gives the same ranks
    assert_eq!(rank_desc(&x, TieRule::Ordinal), tr);
    let ir = rank_desc(&y, TieRule::Min);
    let mut differing = Vec::new();
    for (u, r) in t.iter().enumerate() {
        if ir[u] != f64::from(r.industrial_rank) {
            differing.push(r.no);
        }
    }
    // only recombinant antibodies (no. 7), tied with 3D printing (no. 29) at 0.8144
    assert_eq!(differing, vec![7]);
    let (ab, printing) = (&t[6], &t[28]);
    assert_eq!((ab.no, printing.no), (7, 29));
    assert_eq!(ab.industrial_score, printing.industrial_score);
    assert_eq!((ab.industrial_rank, printing.industrial_rank), (6, 5));
    assert_eq!((ir[6], ir[28]), (5.0, 5.0));
    // Max gives the other end of the tie
    let imax = rank_desc(&y, TieRule::Max);
    assert_eq!((imax[6], imax[28]), (6.0, 6.0));
    // published industrial ranks are a permutation of 1..=30
    let mut p: Vec<u32> = t.iter().map(|r| r.industrial_rank).collect();
    p.sort_unstable();
    assert_eq!(p, (1..=30).collect::<Vec<_>>());
}

#[test]
fn quadrant_membership_matches_the_text() {
    let t = example::load_technologies().unwrap();
    let q = example::matrix(&t).unwrap();
    let support = q.members(Quadrant::HighHigh);
    assert_eq!(support.len(), 12);
    assert_eq!(
        names(&t, &support),
        vec![
            "3D printing",
            "AI + biomedicine",
            "Antibody-drug conjugates (ADC)",
            "CRISPR-Cas",
            "Chimeric antigen receptors (CAR)",
            "Drug delivery",
            "High-throughput sequencing",
            "Immune checkpoint inhibitors",
            "Proteomics",
            "Recombinant antibodies",
            "Small-molecule inhibitors",
            "mRNA vaccines",
        ]
    );
    assert_eq!(q.label(support[0]), Some("support now"));
    assert_eq!(q.counts().iter().sum::<usize>(), 30);
    let watch = example::keep_watching(&t).unwrap();
    assert_eq!(watch.len(), 9);
    for &u in &watch {
        assert!(t[u].technical_score < 0.4);
    }
    assert!(
        t.iter()
            .enumerate()
            .all(|(u, r)| (r.technical_score < 0.4) == watch.contains(&u))
    );
    assert!(names(&t, &watch).contains(&"Phase separation".to_string()));
}

#[test]
fn project_and_funding_totals_t1_t2() {
    let t = example::load_technologies().unwrap();
    let projects: u64 = t.iter().map(|r| r.projects).sum();
    let funding: u64 = t.iter().map(|r| r.funding_10k_usd).sum();
    assert_eq!(projects, 11_658);
    assert_eq!(funding, 995_857);
    let top_projects = t.iter().max_by_key(|r| r.projects).unwrap();
    assert_eq!(
        (top_projects.tech_en.as_str(), top_projects.projects),
        ("CRISPR-Cas", 1478)
    );
    let top_funding = t.iter().max_by_key(|r| r.funding_10k_usd).unwrap();
    assert_eq!(top_funding.tech_en, "Proteomics");
    let share = top_funding.funding_10k_usd as f64 / funding as f64;
    assert_eq!((share * 1000.0).round(), 127.0);
}

#[test]
fn panel_reproduces_the_published_ordering() {
    let t = example::load_technologies().unwrap();
    let p = example::panel(&t, example::PANEL_SEED).unwrap();
    assert_eq!(p.mean.dim(), (30, 2));
    assert!(
        p.spearman[0] > 0.95 && p.spearman[1] > 0.95,
        "{:?}",
        p.spearman
    );
    assert_eq!(p.kendall.len(), 6);
    for k in &p.kendall {
        assert!(k.w > 0.3 && k.w <= 1.0, "{}", k.w);
        assert_eq!(k.n_raters, example::N_EXPERTS);
    }
    // the trimmed mean stays close to the mean for symmetric noise
    for (a, b) in p.mean.iter().zip(p.trimmed.iter()) {
        assert!((a - b).abs() < 0.05);
    }
    // deterministic for a seed
    let again = example::panel(&t, example::PANEL_SEED).unwrap();
    assert_eq!(p.mean, again.mean);
    // the best technical score of the panel is one of the published top three
    let pr = rank_desc(&p.mean.column(0).to_vec(), TieRule::Min);
    let best = pr.iter().position(|&r| r == 1.0).unwrap();
    assert!(t[best].technical_rank <= 3);
}

#[test]
fn svg_plot_is_written() {
    let t = example::load_technologies().unwrap();
    let q = example::matrix(&t).unwrap();
    let dir = std::env::temp_dir().join(format!("ci_technology_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("m.svg");
    example::plot(&t, &q, &out).unwrap();
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert_eq!(svg.matches("<circle").count(), 30);
    assert!(svg.contains("AI + biomedicine"));
    std::fs::remove_dir_all(&dir).unwrap();
}
