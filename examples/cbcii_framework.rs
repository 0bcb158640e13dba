//! Load the China Biopharmaceutical City Innovation Index framework (79 indicators → 23 sub-pillars →
//! 6 pillars → index) with its tags (status / potential horizon, sub-sector flag), bonus factors,
//! directions and max scores, and print its structure.
//!
//! Run: `cargo run --example cbcii_framework`

use std::path::Path;

use composite_indicators::io::datasets::cbcii::read_cbcii_framework_path;
use composite_indicators::prelude::*;
use composite_indicators::spec::NodeKind;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/cbcii/framework.csv");
    let fw = read_cbcii_framework_path(path)?.check()?;
    let inds = fw.indicators();
    let count = |f: &dyn Fn(&Indicator) -> bool| inds.iter().filter(|i| f(i)).count();
    println!("{} ({})", fw.name(), fw.root().code);
    println!(
        "{} indicators: {} bonus factors, {} sub-sector, {} status / {} potential, {} with direction -1, {} with a max score",
        fw.n_indicators(),
        count(&|i| i.bonus),
        count(&|i| i.has_tag("subsector")),
        count(&|i| i.has_tag("status")),
        count(&|i| i.has_tag("potential")),
        count(&|i| i.direction == Direction::Negative),
        count(&|i| i.max_score.is_some()),
    );
    println!(
        "legend: ● status  ■ potential  ✓ sub-sector  (+) bonus  ↓ lower is better  [max N]\n"
    );
    print_node(&fw, fw.root_index(), 0);
    Ok(())
}

fn print_node(fw: &Framework, k: usize, depth: usize) {
    let node = &fw.nodes()[k];
    let pad = "  ".repeat(depth);
    match node.kind {
        NodeKind::Aggregate => {
            let leaves = fw.leaves_under(k).len();
            println!("{pad}{} {} ({leaves} indicators)", node.code, node.name);
            for &c in &node.children {
                print_node(fw, c, depth + 1);
            }
        }
        NodeKind::Indicator => {
            let Some(ind) = fw.indicators().get(k) else {
                return;
            };
            let mut marks = String::new();
            marks.push(if ind.has_tag("status") { '●' } else { '■' });
            if ind.has_tag("subsector") {
                marks.push('✓');
            }
            if ind.bonus {
                marks.push_str("(+)");
            }
            if ind.direction == Direction::Negative {
                marks.push('↓');
            }
            let max = ind
                .max_score
                .map(|m| format!(" [max {m}]"))
                .unwrap_or_default();
            println!("{pad}{:<9} {:<6} {}{max}", ind.code, marks, shown_name(ind));
        }
    }
}

/// The indicator's name without the source's trailing bonus mark: the CBCII names of bonus factors
/// end in `(+)`, which the marks column already shows (it was printed twice, `■(+) ... (+)`).
fn shown_name(ind: &Indicator) -> &str {
    let name = ind.name.trim_end();
    match name.strip_suffix("(+)") {
        Some(rest) if ind.bonus => rest.trim_end(),
        _ => &ind.name,
    }
}
