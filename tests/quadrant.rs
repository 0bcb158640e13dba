//! Quadrant classification and rank reproduction on the 30 published technologies (seed 003).

use composite_indicators::rank::{TieRule, rank_desc};
use composite_indicators::study::quadrant::{Quadrant, QuadrantLabels, Threshold, classify};

struct Tech {
    no: usize,
    name: String,
    technical: f64,
    technical_rank: f64,
    industrial: f64,
    industrial_rank: f64,
}

fn technologies() -> Vec<Tech> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/cbcii/technologies.csv");
    let mut rdr = csv::Reader::from_path(path).expect("technologies.csv");
    let h = rdr.headers().expect("header").clone();
    let col = |name: &str| h.iter().position(|x| x == name).expect(name);
    let (c_no, c_name) = (col("no"), col("tech_en"));
    let (c_ts, c_tr) = (col("technical_score"), col("technical_rank"));
    let (c_is, c_ir) = (col("industrial_score"), col("industrial_rank"));
    rdr.records()
        .map(|r| {
            let r = r.expect("record");
            let num = |c: usize| r[c].parse::<f64>().expect("number");
            Tech {
                no: r[c_no].parse().expect("no"),
                name: r[c_name].to_string(),
                technical: num(c_ts),
                technical_rank: num(c_tr),
                industrial: num(c_is),
                industrial_rank: num(c_ir),
            }
        })
        .collect()
}

fn nos(t: &[Tech], idx: &[usize]) -> Vec<usize> {
    idx.iter().map(|&i| t[i].no).collect()
}

#[test]
fn key_technologies_to_support_are_the_high_high_quadrant() {
    let t = technologies();
    assert_eq!(t.len(), 30);
    let x: Vec<f64> = t.iter().map(|r| r.technical).collect();
    let y: Vec<f64> = t.iter().map(|r| r.industrial).collect();
    let q = classify(&x, &y, Threshold::Fixed(0.5), Threshold::Fixed(0.7))
        .unwrap()
        .with_labels(
            QuadrantLabels::default()
                .with(Quadrant::HighHigh, "support now")
                .with(Quadrant::HighLow, "research strength, industry lagging")
                .with(Quadrant::LowHigh, "industry pull")
                .with(Quadrant::LowLow, "early stage"),
        );
    assert_eq!((q.x_threshold, q.y_threshold), (0.5, 0.7));
    let hh = q.members(Quadrant::HighHigh);
    // README T4: the twelve 需重点支持的关键技术 = technical >= 0.5 AND industrial >= 0.7
    assert_eq!(
        nos(&t, &hh),
        vec![2, 5, 6, 7, 8, 10, 11, 13, 18, 23, 29, 30]
    );
    assert_eq!(hh.len(), 12);
    assert!(hh.iter().all(|&i| q.label(i) == Some("support now")));
    assert!(q.unclassified.is_empty());
    assert_eq!(q.counts().iter().sum::<usize>(), 30);
    // Targeted protein degradation: industrial 0.7011 but technical 0.4493 -> industry pull
    let tpd = t
        .iter()
        .position(|r| r.name == "Targeted protein degradation")
        .unwrap();
    assert_eq!(q.quadrant[tpd], Quadrant::LowHigh);
}

#[test]
fn technologies_to_keep_watching_are_below_technical_0_4() {
    let t = technologies();
    let x: Vec<f64> = t.iter().map(|r| r.technical).collect();
    let y: Vec<f64> = t.iter().map(|r| r.industrial).collect();
    // only the technical axis matters: the y threshold is set below every score
    let q = classify(&x, &y, Threshold::Fixed(0.4), Threshold::Fixed(0.0)).unwrap();
    let low = q.members(Quadrant::LowHigh);
    assert!(q.members(Quadrant::LowLow).is_empty());
    // README T4: the nine 需持续关注的重点技术 = technical < 0.4
    assert_eq!(nos(&t, &low), vec![3, 4, 15, 17, 21, 24, 25, 26, 28]);
}

#[test]
fn median_thresholds_split_the_thirty_in_halves() {
    let t = technologies();
    let x: Vec<f64> = t.iter().map(|r| r.technical).collect();
    let y: Vec<f64> = t.iter().map(|r| r.industrial).collect();
    let q = classify(&x, &y, Threshold::Median, Threshold::Median).unwrap();
    // 30 distinct technical scores: the median is the mean of the 15th and 16th
    // (Drug delivery 0.5323 and Organoids 0.4592)
    assert!((q.x_threshold - (0.5323 + 0.4592) / 2.0).abs() < 1e-12);
    let c = q.counts();
    assert_eq!(c[0] + c[1], 15);
    assert_eq!(c[2] + c[3], 15);
}

#[test]
fn published_ranks_reproduced_from_scores() {
    let t = technologies();
    let tech: Vec<f64> = t.iter().map(|r| r.technical).collect();
    let ind: Vec<f64> = t.iter().map(|r| r.industrial).collect();
    let pub_tech: Vec<f64> = t.iter().map(|r| r.technical_rank).collect();
    let pub_ind: Vec<f64> = t.iter().map(|r| r.industrial_rank).collect();

    // technical scores have no ties: every tie rule reproduces the published ranks
    for rule in [TieRule::Min, TieRule::Ordinal, TieRule::Average] {
        assert_eq!(rank_desc(&tech, rule), pub_tech);
    }

    // industrial: the one exact tie at 0.8144, recombinant antibodies (no. 7) and 3D printing
    // (no. 29); published ranks 6 and 5
    let i7 = t.iter().position(|r| r.no == 7).unwrap();
    let i29 = t.iter().position(|r| r.no == 29).unwrap();
    assert_eq!(ind[i7], ind[i29]);
    assert_eq!((pub_ind[i7], pub_ind[i29]), (6.0, 5.0));

    // TieRule::Min (competition ranking) gives both rank 5; everything else matches
    let min = rank_desc(&ind, TieRule::Min);
    assert_eq!((min[i7], min[i29]), (5.0, 5.0));
    let mismatches: Vec<usize> = (0..30).filter(|&i| min[i] != pub_ind[i]).collect();
    assert_eq!(nos(&t, &mismatches), vec![7]);

    // Ordinal breaks ties by input order. In list order no. 7 comes first and gets 5: the
    // published order is NOT list order.
    let ord = rank_desc(&ind, TieRule::Ordinal);
    assert_eq!((ord[i7], ord[i29]), (5.0, 6.0));

    // Stated input order that reproduces the published 5/6: the list reversed (no. 30 first), so
    // no. 29 precedes no. 7. Ordinal ranks on the reversed list, mapped back, equal the published
    // column for all 30.
    let rev: Vec<f64> = ind.iter().rev().copied().collect();
    let ord_rev: Vec<f64> = rank_desc(&rev, TieRule::Ordinal)
        .into_iter()
        .rev()
        .collect();
    assert_eq!(ord_rev, pub_ind);
    assert_eq!((ord_rev[i7], ord_rev[i29]), (6.0, 5.0));
}
