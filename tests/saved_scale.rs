//! A fitted scale is data: `FittedScorer::params` captures what every normaliser learned, it survives
//! JSON, and `FittedScorer::from_params` restores a scorer that scores any data exactly as the
//! original fitted scorer does (the "new year on last year's scale" workflow across processes).

use composite_indicators::io;
use composite_indicators::normalise::{
    ColumnContext, FittedForm, FittedNormaliser, FittedParams, Normaliser,
};
use composite_indicators::prelude::*;
use composite_indicators::score::{FittedScorer, Scorer, Scores};
use ndarray::{Array1, ArrayView1};

fn asem() -> (Framework, Dataset) {
    let meta = io::read_imeta_path("data/asem/iMeta.csv").unwrap();
    let data = io::read_idata_path("data/asem/iData.csv", &meta).unwrap();
    (meta.spec.check().unwrap(), data)
}

/// ASEM with a different built-in method on each indicator (cycling through the methods that fit
/// every ASEM column; fraction of the maximum only where the direction is +1).
fn mixed_scorer(fw: &Framework) -> Scorer {
    let methods = [
        NormaliserKind::MinMax { lo: 0.0, hi: 100.0 },
        NormaliserKind::ZScore {
            mean: 10.0,
            sd: 2.0,
        },
        NormaliserKind::Rank,
        NormaliserKind::PercentileRank,
        NormaliserKind::Borda,
        NormaliserKind::DistToMax,
        NormaliserKind::DistToTarget { cap_max: true },
        NormaliserKind::Identity,
        NormaliserKind::FracMax,
    ];
    let mut s = Scorer::new(fw.clone());
    for (k, ind) in fw.indicators().iter().enumerate() {
        let mut m = methods[k % methods.len()].clone();
        if m == NormaliserKind::FracMax && ind.direction == Direction::Negative {
            m = NormaliserKind::MinMax { lo: 1.0, hi: 10.0 };
        }
        s = s.normaliser_for(&ind.code, m).unwrap();
    }
    s
}

/// ASEM moved to a "next year": every indicator value × 1.07 + 0.5, and a few pushed beyond last
/// year's range both ways (other columns, names and groups unchanged).
fn next_year(d: &Dataset, fw: &Framework) -> Dataset {
    let mut v = d.values().clone();
    let codes = fw.indicator_codes();
    let mut k = 0;
    for (col, name) in v.columns_mut().into_iter().zip(d.columns()) {
        if !codes.contains(&name.as_str()) {
            continue;
        }
        let mut col = col;
        col.mapv_inplace(|x| x * 1.07 + 0.5);
        if let Some(x) = col.get_mut(k % 51) {
            *x *= 3.0;
        }
        if let Some(x) = col.get_mut((k + 7) % 51) {
            *x = -x.abs() - 1.0;
        }
        k += 1;
    }
    let mut out = Dataset::new(d.unit_codes().to_vec(), d.columns().to_vec(), v)
        .unwrap()
        .with_names(d.unit_names().to_vec())
        .unwrap();
    for (g, labels) in d.groups() {
        out = out.with_group(g.clone(), labels.clone()).unwrap();
    }
    out
}

/// The scale the default scorer (min-max 0–100) fits on `data`.
fn default_scale(fw: &Framework, data: &Dataset) -> Vec<FittedParams> {
    Scorer::new(fw.clone()).fit(data).unwrap().params().unwrap()
}

fn assert_same_scores(a: &Scores, b: &Scores) {
    assert_eq!(a.unit_codes(), b.unit_codes());
    for (x, y) in a.values().iter().zip(b.values()) {
        assert!(
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
            "{x} vs {y}"
        );
    }
    for (x, y) in a.ranks().iter().zip(b.ranks()) {
        assert!(
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
            "{x} vs {y}"
        );
    }
}

#[test]
fn asem_scale_saved_as_json_scores_new_data_exactly_as_the_fitted_scorer() {
    let (fw, data) = asem();
    let scorer = mixed_scorer(&fw);
    let fitted = scorer.fit(&data).unwrap();
    let params = fitted.params().unwrap();
    assert_eq!(params.len(), fw.n_indicators());
    let kinds: std::collections::BTreeSet<String> = params
        .iter()
        .map(|p| {
            serde_json::to_value(&p.form).unwrap()["method"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(kinds.len(), 7, "forms exercised: {kinds:?}");
    for (p, ind) in params.iter().zip(fw.indicators()) {
        assert_eq!((&p.indicator, p.direction), (&ind.code, ind.direction));
    }
    // saved in reverse order: matched by code
    let mut reversed = params.clone();
    reversed.reverse();
    let json = serde_json::to_string_pretty(&reversed).unwrap();
    let loaded: Vec<FittedParams> = serde_json::from_str(&json).unwrap();
    // the scorer that loads them has the default normaliser everywhere: the saved forms decide
    let restored = FittedScorer::from_params(Scorer::new(fw.clone()), loaded).unwrap();
    assert_eq!(restored.params().unwrap(), params);
    assert_same_scores(
        &restored.score(&data).unwrap(),
        &scorer.score(&data).unwrap(),
    );
    let next = next_year(&data, &fw);
    assert_same_scores(
        &restored.score(&next).unwrap(),
        &fitted.score(&next).unwrap(),
    );
    // and the new year is on the old scale, not refitted
    let refit = scorer.score(&next).unwrap();
    assert_ne!(fitted.score(&next).unwrap().index(), refit.index());
}

fn one_indicator() -> (Framework, Dataset) {
    let fw = FrameworkSpec::new(
        "toy",
        vec![
            Indicator::new("gdp", "Index"),
            Indicator::new("co2", "Index").with_direction(Direction::Negative),
        ],
        vec![Pillar::new("Index")],
    )
    .check()
    .unwrap();
    let data = Dataset::new(
        vec!["A".into(), "B".into(), "C".into()],
        vec!["gdp".into(), "co2".into()],
        ndarray::array![[1.0, 5.0], [2.0, 3.0], [4.0, 1.0]],
    )
    .unwrap();
    (fw, data)
}

#[test]
fn restoring_names_the_indicator_at_fault() {
    let (fw, data) = one_indicator();
    let params = default_scale(&fw, &data);
    let restore = |p: Vec<FittedParams>| FittedScorer::from_params(Scorer::new(fw.clone()), p);

    let mut unknown = params.clone();
    unknown[0].indicator = "GDP".into();
    assert!(matches!(restore(unknown), Err(Error::UnknownCode { code }) if code == "GDP"));

    let mut twice = params.clone();
    twice.push(params[1].clone());
    assert!(matches!(restore(twice), Err(Error::DuplicateCode { code }) if code == "co2"));

    let missing = vec![params[0].clone()];
    let e = restore(missing).unwrap_err();
    assert!(
        matches!(&e, Error::InvalidSpec { code, .. } if code == "co2"),
        "{e}"
    );
    assert!(
        e.to_string().contains("no saved normalisation parameters"),
        "{e}"
    );

    let mut flipped = params.clone();
    flipped[1].direction = Direction::Positive;
    let e = restore(flipped).unwrap_err();
    assert!(
        matches!(&e, Error::InvalidSpec { code, .. } if code == "co2"),
        "{e}"
    );
    assert!(e.to_string().contains("direction"), "{e}");

    let mut broken = params.clone();
    broken[0].form = FittedForm::ZScore {
        mean: 1.0,
        sd: -1.0,
        target_mean: 0.0,
        target_sd: 1.0,
    };
    let e = restore(broken).unwrap_err();
    assert!(
        matches!(&e, Error::InvalidSpec { code, .. } if code == "gdp"),
        "{e}"
    );

    // a hand-edited JSON file with an unknown field or method is a deserialisation error
    let json = serde_json::to_string(&params).unwrap();
    let typo = json.replace("\"max\"", "\"maximum\"");
    assert!(serde_json::from_str::<Vec<FittedParams>>(&typo).is_err());
    let unknown_method = json.replace("min_max", "min_maxx");
    assert!(serde_json::from_str::<Vec<FittedParams>>(&unknown_method).is_err());
}

/// A user's normaliser that keeps no parameters as data.
#[derive(Debug)]
struct Halve;
#[derive(Debug)]
struct FittedHalve;
impl Normaliser for Halve {
    fn name(&self) -> String {
        "halve".into()
    }
    fn fit(
        &self,
        _x: ArrayView1<'_, f64>,
        _ctx: &ColumnContext<'_>,
    ) -> Result<Box<dyn FittedNormaliser>> {
        Ok(Box::new(FittedHalve))
    }
}
impl FittedNormaliser for FittedHalve {
    fn apply(&self, x: ArrayView1<'_, f64>, _units: &[String]) -> Result<Array1<f64>> {
        Ok(x.mapv(|v| v / 2.0))
    }
}

#[test]
fn a_user_normaliser_without_params_is_named_when_saving() {
    let (fw, data) = one_indicator();
    let fitted = Scorer::new(fw)
        .normaliser_for("co2", Halve)
        .unwrap()
        .fit(&data)
        .unwrap();
    let e = fitted.params().unwrap_err();
    assert!(
        matches!(&e, Error::InvalidSpec { code, .. } if code == "co2"),
        "{e}"
    );
    assert!(e.to_string().contains("halve"), "{e}");
    // scoring is unaffected
    assert_eq!(fitted.score(&data).unwrap().unit_codes().len(), 3);
}

#[test]
fn pipeline_on_a_saved_scale_prepares_the_new_data_and_normalises_on_the_old_scale() {
    use composite_indicators::pipeline::{Pipeline, PipelineConfig};
    let (fw, data) = asem();
    let pipeline = Pipeline::new(PipelineConfig::coinr_example());
    let this_year = pipeline.run(&data, &fw).unwrap();
    let path = std::env::temp_dir().join(format!("saved-scale-{}.json", std::process::id()));
    io::write_scale_path(&path, &this_year.fitted().params().unwrap()).unwrap();
    let scale = io::read_scale_path(&path).unwrap();
    std::fs::remove_file(&path).unwrap();

    let next = next_year(&data, &fw);
    let on_scale = pipeline.run_on_scale(&next, &fw, scale).unwrap();
    let refitted = pipeline.run(&next, &fw).unwrap();
    // preparation learns from the new data in both runs
    assert_eq!(
        on_scale.prepared().values().map(|v| v.to_bits()),
        refitted.prepared().values().map(|v| v.to_bits())
    );
    // normalisation: last year's fitted scale, applied to this year's prepared data
    let want = this_year.fitted().score(refitted.prepared()).unwrap();
    assert_same_scores(on_scale.scores(), &want);
    assert_ne!(on_scale.scores().index(), refitted.scores().index());
}

#[test]
fn a_sweep_can_start_from_a_restored_scale() {
    let (fw, data) = asem();
    let params = default_scale(&fw, &data);
    let restored = FittedScorer::from_params(Scorer::new(fw.clone()), params).unwrap();
    let next = next_year(&data, &fw);
    let scores = restored.score(&next).unwrap();
    let want = scores.index();
    let model = restored.sweep(&next).unwrap().build().unwrap();
    let got = model.score_index(model.nominal_weights(), 0).unwrap();
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() <= 1e-12 * w.abs().max(1.0), "{g} vs {w}");
    }
    // not the refitted index
    let refit = Scorer::new(fw).sweep(&next).unwrap().build().unwrap();
    assert_ne!(refit.score_index(refit.nominal_weights(), 0).unwrap(), got);
}
