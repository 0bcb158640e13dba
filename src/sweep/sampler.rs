//! Seeded samplers of weight variants and method alternatives.
//!
//! Every variant is a function of `(seed, variant index)` only: variant `k` draws from its own
//! `Xoshiro256PlusPlus` seeded with a SplitMix64 hash of `seed` and `k`, so a sweep gives the same
//! variants whatever the thread count, chunk size or variant range it is split into. The first draw
//! (53 random bits) picks the method alternative; weight-noise draws are uniforms with 32 random bits,
//! two per generator output.

use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Gamma};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

use super::BatchModel;
use crate::error::{Error, Expected, Result};

/// Which nodes a weight sampler perturbs. The root's weight is never used and never perturbed.
///
/// ```
/// use composite_indicators::sweep::NodeSelection;
/// let s: NodeSelection = serde_json::from_str(r#"{"select":"levels","levels":[2]}"#).unwrap();
/// assert_eq!(s, NodeSelection::Levels { levels: vec![2] });
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "select", rename_all = "snake_case")]
pub enum NodeSelection {
    /// Every node except the root.
    #[default]
    All,
    /// Nodes whose level (1 = indicators, 2 = first aggregates, ...) is listed.
    Levels {
        /// The levels.
        levels: Vec<usize>,
    },
    /// Nodes by code (an unknown code or the root is an error).
    Codes {
        /// The codes.
        codes: Vec<String>,
    },
}

impl NodeSelection {
    /// Resolve to node indices (ascending) of `model`'s framework.
    pub(crate) fn resolve(&self, model: &BatchModel) -> Result<Vec<usize>> {
        let fw = model.framework();
        let root = fw.root_index();
        let out: Vec<usize> = match self {
            NodeSelection::All => (0..root).collect(),
            NodeSelection::Levels { levels } => {
                // a level without perturbable weights (0, the root's, or beyond) would silently
                // perturb nothing
                for &l in levels {
                    if !(0..root).any(|k| fw.nodes()[k].level == l) {
                        return Err(Error::invalid(
                            "nodes",
                            format!("level {l}"),
                            Expected::Rule(format!(
                                "level {l} has no weights to perturb; the levels below the index \
                                 are 1..={}",
                                fw.max_level().saturating_sub(1)
                            )),
                        ));
                    }
                }
                (0..root)
                    .filter(|&k| levels.contains(&fw.nodes()[k].level))
                    .collect()
            }
            NodeSelection::Codes { codes } => {
                let mut v = Vec::with_capacity(codes.len());
                for c in codes {
                    let k = fw.position(c)?;
                    if k == root {
                        return Err(Error::invalid(
                            "nodes",
                            format!("`{c}`"),
                            Expected::Rule(format!("`{c}` is the root; its weight is not used")),
                        ));
                    }
                    v.push(k);
                }
                v.sort_unstable();
                v.dedup();
                v
            }
        };
        Ok(out)
    }
}

/// How the node weights of a variant are drawn (serde-tagged by `sampler`).
///
/// Noise samplers multiply each selected node's nominal weight `w₀` by a random factor; groups are
/// re-normalised by the aggregators, so weights need not sum to one.
///
/// ```
/// use composite_indicators::sweep::{NodeSelection, WeightSampler};
/// let s = WeightSampler::Uniform { spread: 0.25, nodes: NodeSelection::All };
/// let json = serde_json::to_string(&s).unwrap();
/// assert_eq!(serde_json::from_str::<WeightSampler>(&json).unwrap(), s);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "sampler", rename_all = "snake_case")]
pub enum WeightSampler {
    /// Every variant uses the nominal weights.
    Nominal,
    /// `w = w₀ · U(1 − spread, 1 + spread)`, `0 ≤ spread ≤ 1`.
    Uniform {
        /// Half-width of the relative noise.
        spread: f64,
        /// Perturbed nodes.
        #[serde(default)]
        nodes: NodeSelection,
    },
    /// `w = w₀ · (1 + spread · T)`, `T` symmetric triangular on `[−1, 1]` (mode 0), `0 ≤ spread ≤ 1`.
    Triangular {
        /// Half-width of the relative noise.
        spread: f64,
        /// Perturbed nodes.
        #[serde(default)]
        nodes: NodeSelection,
    },
    /// Within each group, the selected children's weights are redrawn as
    /// `S · Dirichlet(c · w₀ᵢ / S)` where `S` is their nominal weight sum and `c` the concentration
    /// (mean = nominal; larger `c`, less spread). Children with nominal weight 0 stay at 0.
    Dirichlet {
        /// Concentration `c > 0`.
        concentration: f64,
        /// Perturbed nodes.
        #[serde(default)]
        nodes: NodeSelection,
    },
    /// Explicit node-weight vectors; variant `k` uses entry `k` (a sweep cannot have more variants).
    List {
        /// One node-weight vector per variant.
        weights: Vec<Vec<f64>>,
    },
}

/// How the method alternative (index into the model's alternatives: a normalised matrix and its
/// aggregators) of a variant is drawn, in the style of COINr's `SA_specs` discrete choices. For a model
/// whose alternatives form a grid of method choices ([`BatchModel::with_method_dimensions`], e.g. from a
/// [`MethodSpace`](super::MethodSpace)), `Uniform` draws every choice independently and uniformly.
///
/// ```
/// use composite_indicators::sweep::AltSampler;
/// assert_eq!(AltSampler::default(), AltSampler::Fixed { alt: 0 });
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "choice", rename_all = "snake_case")]
pub enum AltSampler {
    /// Always this alternative.
    Fixed {
        /// The alternative.
        alt: usize,
    },
    /// Every alternative equally likely.
    Uniform,
    /// Alternative `i` with probability `pᵢ / Σp` (one entry per alternative, non-negative, positive sum).
    Probabilities {
        /// Relative probabilities.
        probabilities: Vec<f64>,
    },
}

impl Default for AltSampler {
    fn default() -> Self {
        AltSampler::Fixed { alt: 0 }
    }
}

/// SplitMix64 finaliser.
#[inline(always)]
pub(crate) fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The generator of variant (or row) `k` under `seed`.
pub(crate) fn rng_for(seed: u64, k: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(splitmix(seed ^ splitmix(k)))
}

/// A uniform in `[0, 1)` with 53 random bits.
#[inline]
pub(crate) fn unit(rng: &mut Xoshiro256PlusPlus) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Noise draw `t` of a variant (after its alternative draw): uniforms in `[0, 1)` with 32 random
/// bits, two per generator output (draw `2j` from the high half of output `j`, draw `2j + 1` from
/// its low half; `cur` holds the current output).
#[inline]
pub(crate) fn noise_unit(rng: &mut Xoshiro256PlusPlus, t: usize, cur: &mut u64) -> f64 {
    if t.is_multiple_of(2) {
        *cur = rng.next_u64();
        (*cur >> 32) as f64 * (1.0 / 4_294_967_296.0)
    } else {
        (*cur & 0xffff_ffff) as f64 * (1.0 / 4_294_967_296.0)
    }
}

/// Inverse CDF of the symmetric triangular distribution on `[−1, 1]`.
#[inline]
pub(crate) fn tri(u: f64) -> f64 {
    if u < 0.5 {
        (2.0 * u).sqrt() - 1.0
    } else {
        1.0 - (2.0 * (1.0 - u)).sqrt()
    }
}

/// Cumulative probabilities of an alternative choice.
pub(crate) fn alt_cdf(model: &BatchModel, s: &AltSampler) -> Result<Vec<f64>> {
    let n = model.n_alternatives();
    let p: Vec<f64> = match s {
        AltSampler::Fixed { alt } => {
            if *alt >= n {
                return Err(Error::IndexOutOfRange {
                    what: "alternative".into(),
                    index: *alt,
                    len: n,
                });
            }
            (0..n).map(|i| if i == *alt { 1.0 } else { 0.0 }).collect()
        }
        AltSampler::Uniform => vec![1.0; n],
        AltSampler::Probabilities { probabilities } => probabilities.clone(),
    };
    probability_cdf(&p, n, "alternative probabilities", "probabilities")
}

/// Cumulative probabilities of [`normalised_probabilities`] (same checks and errors).
pub(crate) fn probability_cdf(p: &[f64], n: usize, what: &str, param: &str) -> Result<Vec<f64>> {
    let q = normalised_probabilities(p, n, what, param)?;
    let mut acc = 0.0;
    Ok(q.iter()
        .map(|x| {
            acc += x;
            acc
        })
        .collect())
}

/// `p / Σp`, one entry per option (`n`), checked: a wrong length is [`Error::ShapeMismatch`] about
/// `what`; a negative or non-finite entry or a sum that is not positive is [`Error::InvalidParameter`]
/// named `param`. Each entry is `pᵢ · (1/Σp)`.
pub(crate) fn normalised_probabilities(
    p: &[f64],
    n: usize,
    what: &str,
    param: &str,
) -> Result<Vec<f64>> {
    if p.len() != n {
        return Err(Error::ShapeMismatch {
            what: what.into(),
            expected: n,
            found: p.len(),
        });
    }
    if let Some(x) = p.iter().find(|x| !x.is_finite() || **x < 0.0) {
        return Err(Error::invalid(param, x, Expected::NonNegative));
    }
    let total: f64 = p.iter().sum();
    if !(total > 0.0 && total.is_finite()) {
        return Err(Error::invalid(
            param,
            format!("sum {total}"),
            Expected::Rule("must have a positive sum".into()),
        ));
    }
    let inv = 1.0 / total;
    Ok(p.iter().map(|x| x * inv).collect())
}

/// Alternative for a uniform draw `u` given cumulative probabilities (first `i` with `u < cdf[i]`,
/// skipping zero-probability entries).
#[inline]
pub(crate) fn pick_alt(cdf: &[f64], u: f64) -> usize {
    let mut last = 0;
    let mut prev = 0.0;
    for (i, &c) in cdf.iter().enumerate() {
        if c > prev {
            last = i;
            if u < c {
                return i;
            }
        }
        prev = c;
    }
    last
}

pub(crate) fn check_spread(spread: f64) -> Result<()> {
    if !(0.0..=1.0).contains(&spread) {
        return Err(Error::invalid("spread", spread, Expected::closed(0.0, 1.0)));
    }
    Ok(())
}

#[derive(Debug, Clone)]
pub(in crate::sweep) enum Compiled {
    Nominal,
    /// w = a + b · g(u), g = identity (uniform) or triangular inverse CDF.
    Noise {
        nodes: Vec<usize>,
        a: Vec<f64>,
        b: Vec<f64>,
        triangular: bool,
    },
    Dirichlet {
        /// (nodes, gamma distributions, nominal sum) per group.
        groups: Vec<(Vec<usize>, Vec<Gamma<f64>>, f64)>,
    },
    List(Vec<Vec<f64>>),
}

/// A compiled, seeded sampler of variants: node weights plus alternative index.
///
/// ```
/// use composite_indicators::{AggregatorKind, FrameworkSpec, Indicator, MissingPolicy, Pillar};
/// use composite_indicators::sweep::{AltSampler, BatchModel, NodeSelection, VariantSampler, WeightSampler};
/// let fw = FrameworkSpec::new(
///     "t",
///     vec![Indicator::new("a", "I"),
///     Indicator::new("b", "I")],
///     vec![Pillar::new("I")],
/// ).check().unwrap();
/// let m = BatchModel::new(fw, vec![AggregatorKind::Arithmetic], MissingPolicy::default(), None,
///     vec![ndarray::array![[0.0, 1.0]]]).unwrap();
/// let ws = WeightSampler::Uniform { spread: 0.5, nodes: NodeSelection::All };
/// let s = VariantSampler::new(&m, &ws, &AltSampler::default(), 7).unwrap();
/// let (w, alt) = s.sample(3).unwrap();
/// assert_eq!(alt, 0);
/// assert!(w[0] >= 0.5 && w[0] < 1.5);
/// assert_eq!(s.sample(3).unwrap().0, w); // same (seed, index), same variant
/// ```
#[derive(Debug, Clone)]
pub struct VariantSampler {
    pub(in crate::sweep) seed: u64,
    pub(in crate::sweep) nominal: Vec<f64>,
    pub(in crate::sweep) compiled: Compiled,
    pub(in crate::sweep) alt_cdf: Vec<f64>,
    pub(in crate::sweep) random_alt: bool,
}

impl VariantSampler {
    /// Compile a sampler for `model`. Errors for spreads outside `[0, 1]`, a non-positive
    /// concentration, list entries of the wrong length or with invalid weights, unknown codes and
    /// invalid alternative choices.
    pub fn new(
        model: &BatchModel,
        weights: &WeightSampler,
        alts: &AltSampler,
        seed: u64,
    ) -> Result<Self> {
        let nominal = model.nominal_weights().to_vec();
        let compiled = match weights {
            WeightSampler::Nominal => Compiled::Nominal,
            WeightSampler::Uniform { spread, nodes }
            | WeightSampler::Triangular { spread, nodes } => {
                check_spread(*spread)?;
                let nodes = nodes.resolve(model)?;
                let triangular = matches!(weights, WeightSampler::Triangular { .. });
                let (a, b) = if triangular {
                    (
                        nodes.iter().map(|&k| nominal[k]).collect(),
                        nodes.iter().map(|&k| nominal[k] * spread).collect(),
                    )
                } else {
                    (
                        nodes.iter().map(|&k| nominal[k] * (1.0 - spread)).collect(),
                        nodes.iter().map(|&k| nominal[k] * 2.0 * spread).collect(),
                    )
                };
                Compiled::Noise {
                    nodes,
                    a,
                    b,
                    triangular,
                }
            }
            WeightSampler::Dirichlet {
                concentration,
                nodes,
            } => {
                if !(concentration.is_finite() && *concentration > 0.0) {
                    return Err(Error::invalid(
                        "concentration",
                        concentration,
                        Expected::Positive,
                    ));
                }
                let sel = nodes.resolve(model)?;
                let fw = model.framework();
                let mut groups = Vec::new();
                for k in fw.aggregate_indices() {
                    let members: Vec<usize> = fw.nodes()[k]
                        .children
                        .iter()
                        .copied()
                        .filter(|c| sel.contains(c) && nominal[*c] > 0.0)
                        .collect();
                    if members.len() < 2 {
                        continue;
                    }
                    let sum: f64 = members.iter().map(|&c| nominal[c]).sum();
                    let mut gam = Vec::with_capacity(members.len());
                    for &c in &members {
                        let g = Gamma::new(concentration * nominal[c] / sum, 1.0).map_err(|e| {
                            Error::invalid(
                                "concentration",
                                concentration,
                                Expected::Rule(format!(
                                    "gives node `{}` an invalid Gamma shape: {e}",
                                    fw.nodes()[c].code
                                )),
                            )
                        })?;
                        gam.push(g);
                    }
                    groups.push((members, gam, sum));
                }
                Compiled::Dirichlet { groups }
            }
            WeightSampler::List { weights } => {
                for w in weights {
                    model.check_weights(w)?;
                }
                Compiled::List(weights.clone())
            }
        };
        let alt_cdf = alt_cdf(model, alts)?;
        let random_alt = alt_cdf.iter().filter(|&&c| c > 0.0 && c < 1.0).count() > 0;
        Ok(VariantSampler {
            seed,
            nominal,
            compiled,
            alt_cdf,
            random_alt,
        })
    }

    /// Maximum number of variants (`Some` for [`WeightSampler::List`]).
    pub fn max_variants(&self) -> Option<usize> {
        match &self.compiled {
            Compiled::List(l) => Some(l.len()),
            _ => None,
        }
    }

    /// Node weights and alternative of variant `k`.
    ///
    /// # Errors
    ///
    /// [`Error::IndexOutOfRange`] for a variant beyond the end of a [`WeightSampler::List`].
    pub fn sample(&self, k: usize) -> Result<(Vec<f64>, usize)> {
        let mut w = vec![0.0; self.nominal.len()];
        let alt = self.fill(k, &mut w)?;
        Ok((w, alt))
    }

    /// Write variant `k`'s node weights into `w` (length = node count); return its alternative.
    ///
    /// # Errors
    ///
    /// As [`VariantSampler::sample`].
    pub fn fill(&self, k: usize, w: &mut [f64]) -> Result<usize> {
        let mut rng = rng_for(self.seed, k as u64);
        // the alternative is always the first draw, so it does not depend on the weight sampler
        let u = unit(&mut rng);
        let alt = if self.random_alt {
            pick_alt(&self.alt_cdf, u)
        } else {
            pick_alt(&self.alt_cdf, 0.0)
        };
        match &self.compiled {
            Compiled::Nominal => w.copy_from_slice(&self.nominal),
            Compiled::Noise {
                nodes,
                a,
                b,
                triangular,
            } => {
                w.copy_from_slice(&self.nominal);
                let mut cur = 0;
                for (t, ((&n, &ai), &bi)) in nodes.iter().zip(a).zip(b).enumerate() {
                    let u = noise_unit(&mut rng, t, &mut cur);
                    let g = if *triangular { tri(u) } else { u };
                    if let Some(x) = w.get_mut(n) {
                        *x = ai + bi * g;
                    }
                }
            }
            Compiled::Dirichlet { groups } => {
                w.copy_from_slice(&self.nominal);
                let mut g = Vec::new();
                for (members, gam, sum) in groups {
                    g.clear();
                    g.extend(gam.iter().map(|d| d.sample(&mut rng)));
                    let tot: f64 = g.iter().sum();
                    let f = if tot > 0.0 { sum / tot } else { 0.0 };
                    for (&c, &gi) in members.iter().zip(&g) {
                        if let Some(x) = w.get_mut(c) {
                            *x = if f > 0.0 { gi * f } else { self.nominal[c] };
                        }
                    }
                }
            }
            Compiled::List(l) => {
                let row = l.get(k).ok_or_else(|| Error::IndexOutOfRange {
                    what: "variant of the weight list".into(),
                    index: k,
                    len: l.len(),
                })?;
                w.copy_from_slice(row);
            }
        }
        Ok(alt)
    }

    /// Node weights (rows) and alternatives of variants `start..end`.
    pub fn chunk(&self, start: usize, end: usize) -> Result<(Array2<f64>, Vec<usize>)> {
        let n = end.saturating_sub(start);
        let mut w = Array2::zeros((n, self.nominal.len()));
        let mut alts = Vec::with_capacity(n);
        for (i, mut row) in w.rows_mut().into_iter().enumerate() {
            // rows of a standard-layout array (as `zeros` makes) are contiguous
            let alt = match row.as_slice_mut() {
                Some(s) => self.fill(start + i, s)?,
                None => {
                    debug_assert!(false, "a row of a standard-layout array is not contiguous");
                    let mut s = row.to_vec();
                    let alt = self.fill(start + i, &mut s)?;
                    row.iter_mut().zip(&s).for_each(|(x, &v)| *x = v);
                    alt
                }
            };
            alts.push(alt);
        }
        Ok((w, alts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_fill_equals_per_variant_fill() {
        use crate::spec::{FrameworkSpec, Indicator, Pillar};
        use crate::{AggregatorKind, MissingPolicy};
        let fw = FrameworkSpec::new(
            "t",
            vec![
                Indicator::new("a", "P"),
                Indicator::new("b", "P"),
                Indicator::new("c", "I"),
            ],
            vec![Pillar::new("P").with_parent("I"), Pillar::new("I")],
        )
        .check()
        .unwrap();
        let m = BatchModel::new(
            fw,
            vec![AggregatorKind::Arithmetic; 2],
            MissingPolicy::default(),
            None,
            vec![ndarray::array![[0.0, 1.0, 2.0]]],
        )
        .unwrap();
        for ws in [
            WeightSampler::Uniform {
                spread: 0.4,
                nodes: NodeSelection::All,
            },
            WeightSampler::Triangular {
                spread: 0.9,
                nodes: NodeSelection::Codes {
                    codes: vec!["b".into(), "P".into()],
                },
            },
            WeightSampler::Nominal,
        ] {
            let s = VariantSampler::new(&m, &ws, &AltSampler::default(), 99).unwrap();
            assert_eq!(s.fixed_alt(), Some(0));
            let (start, b) = (13, 11); // two lane groups and a scalar tail
            let mut w = vec![0.0; 5 * b];
            assert!(s.fill_block(start, b, &mut w));
            for v in 0..b {
                let (row, _) = s.sample(start + v).unwrap();
                for n in 0..5 {
                    assert_eq!(
                        w[n * b + v].to_bits(),
                        row[n].to_bits(),
                        "variant {v} node {n}"
                    );
                }
            }
        }
    }

    #[test]
    fn triangular_inverse_cdf() {
        assert_eq!(tri(0.5), 0.0);
        assert_eq!(tri(0.0), -1.0);
        assert!((tri(0.125) - (-0.5)).abs() < 1e-15); // F(-0.5) = (0.5)^2/2 = 0.125
        assert!((tri(0.875) - 0.5).abs() < 1e-15);
    }

    #[test]
    fn pick_alt_skips_zero_probabilities() {
        let cdf = [0.0, 0.5, 0.5, 1.0];
        assert_eq!(pick_alt(&cdf, 0.0), 1);
        assert_eq!(pick_alt(&cdf, 0.49), 1);
        assert_eq!(pick_alt(&cdf, 0.5), 3);
        assert_eq!(pick_alt(&cdf, 0.999), 3);
    }
}
