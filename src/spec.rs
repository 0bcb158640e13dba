//! Framework specification: indicators, aggregate nodes (pillars, sub-pillars, sub-indices) and the
//! validated [`Framework`] tree every other part of the crate works on.
//!
//! *Flow:* **spec** → data → prepare → normalise → aggregate → score → pipeline → sweep. The first step: the tree every other step works on.
//!
//! A [`FrameworkSpec`] is plain serde data (TOML, JSON, or COINr iMeta CSV through [`crate::io`]).
//! [`Framework::new`] checks it once and flattens it into index arrays:
//!
//! * nodes `0..n_indicators` are the indicators, in spec order;
//! * the aggregates follow bottom-up (every child before its parent, ties in spec order); the root index
//!   is the last node.
//!
//! Validation rules (each has its own [`Error`] variant naming the offending code): at least one
//! indicator; unique codes; every indicator has a parent; every parent exists and is an aggregate;
//! exactly one root (an aggregate without parent); no cycles; no aggregate without children; weights
//! finite and non-negative; positive and finite weight sum within every group (two sibling weights of
//! `1e308` overflow to `+∞`: [`Error::NonFiniteWeightSum`]); goalposts `lo < hi`, positive
//! `max_score`, finite targets.
//!
//! Every tree algorithm here (cycle check, heights, depths, ancestors, leaves) is iterative and linear
//! in the number of nodes, so a chain of hundreds of thousands of levels validates without deep
//! recursion.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::aggregate::AggregatorKind;
use crate::error::{Error, Result};

/// Whether higher raw values are better (`+1`) or worse (`-1`).
///
/// Serialised as the integer `1` or `-1` (COINr's `Direction` column).
///
/// ```
/// use composite_indicators::Direction;
/// assert_eq!(Direction::Negative.sign(), -1.0);
/// assert_eq!(Direction::try_from(1).unwrap(), Direction::Positive);
/// assert!(Direction::try_from(0).is_err());
/// ```
///
/// Any other value in a spec (`0`, `2`, `"negative"`, `1.5`) is an error saying that direction must be
/// 1 or -1 and what was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(into = "i64")]
pub enum Direction {
    /// Higher is better.
    #[default]
    Positive,
    /// Lower is better.
    Negative,
}

impl Direction {
    /// `1.0` or `-1.0`.
    pub fn sign(self) -> f64 {
        match self {
            Direction::Positive => 1.0,
            Direction::Negative => -1.0,
        }
    }
}

impl TryFrom<i64> for Direction {
    type Error = String;
    fn try_from(v: i64) -> std::result::Result<Self, String> {
        match v {
            1 => Ok(Direction::Positive),
            -1 => Ok(Direction::Negative),
            other => Err(format!("direction must be 1 or -1, found {other}")),
        }
    }
}

impl<'de> Deserialize<'de> for Direction {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Direction;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("direction 1 (higher is better) or -1 (lower is better)")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<Direction, E> {
                Direction::try_from(v).map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<Direction, E> {
                match i64::try_from(v) {
                    Ok(v) => self.visit_i64(v),
                    Err(_) => Err(E::custom(format!("direction must be 1 or -1, found {v}"))),
                }
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<Direction, E> {
                match v {
                    1.0 => Ok(Direction::Positive),
                    -1.0 => Ok(Direction::Negative),
                    _ => Err(E::custom(format!("direction must be 1 or -1, found {v}"))),
                }
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Direction, E> {
                Err(E::custom(format!(
                    "direction must be 1 or -1, found the text {v:?}"
                )))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> std::result::Result<Direction, E> {
                Err(E::custom(format!("direction must be 1 or -1, found {v}")))
            }
        }
        d.deserialize_any(V)
    }
}

impl From<Direction> for i64 {
    fn from(d: Direction) -> i64 {
        match d {
            Direction::Positive => 1,
            Direction::Negative => -1,
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", i64::from(*self))
    }
}

fn default_weight() -> f64 {
    1.0
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A leaf of the framework: one measured variable.
///
/// ```
/// use composite_indicators::{Direction, Indicator};
/// let i = Indicator::new("CO2", "Physical").with_direction(Direction::Negative).with_weight(2.0);
/// assert_eq!(i.parent, "Physical");
/// assert_eq!(i.weight, 2.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Indicator {
    /// Unique code (the data column name).
    pub code: String,
    /// Human-readable name (defaults to the code).
    #[serde(default)]
    pub name: String,
    /// Unit of measurement.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub unit: String,
    /// `1` if higher is better, `-1` if lower is better.
    #[serde(default)]
    pub direction: Direction,
    /// Nominal weight within the parent group (default 1).
    #[serde(default = "default_weight")]
    pub weight: f64,
    /// Code of the aggregate node this indicator belongs to.
    pub parent: String,
    /// Free-form tags such as `status`, `potential`, `subsector:biologics`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Bonus factor: under [`WeightScheme::Bonus`](crate::weights::WeightScheme::Bonus) it is scored
    /// outside its parent and added to the index.
    #[serde(default, skip_serializing_if = "is_false")]
    pub bonus: bool,
    /// Target value in raw units (distance-to-target normalisation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
    /// Goalposts `[lo, hi]` in raw units (goalpost normalisation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goalposts: Option<[f64; 2]>,
    /// Maximum attainable raw score ("总分: N" in the city index); used by max-score scaling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_score: Option<f64>,
    /// Name of a data column to divide this indicator by (COINr's `Denominator`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denominator: Option<String>,
}

impl Indicator {
    /// An indicator with direction +1, weight 1 and no tags.
    pub fn new(code: impl Into<String>, parent: impl Into<String>) -> Self {
        let code = code.into();
        Indicator {
            name: code.clone(),
            code,
            unit: String::new(),
            direction: Direction::Positive,
            weight: 1.0,
            parent: parent.into(),
            tags: Vec::new(),
            bonus: false,
            target: None,
            goalposts: None,
            max_score: None,
            denominator: None,
        }
    }
    /// Set the direction.
    pub fn with_direction(mut self, direction: Direction) -> Self {
        self.direction = direction;
        self
    }
    /// Set the nominal weight.
    pub fn with_weight(mut self, weight: f64) -> Self {
        self.weight = weight;
        self
    }
    /// Add a tag.
    pub fn with_tag(mut self, tag: impl Into<String>) -> Self {
        self.tags.push(tag.into());
        self
    }
    /// Mark as bonus factor.
    pub fn with_bonus(mut self, bonus: bool) -> Self {
        self.bonus = bonus;
        self
    }
    /// Set the maximum score.
    pub fn with_max_score(mut self, max: f64) -> Self {
        self.max_score = Some(max);
        self
    }
    /// Set the target.
    pub fn with_target(mut self, target: f64) -> Self {
        self.target = Some(target);
        self
    }
    /// Set goalposts `[lo, hi]`.
    pub fn with_goalposts(mut self, lo: f64, hi: f64) -> Self {
        self.goalposts = Some([lo, hi]);
        self
    }
    /// Set the human-readable name (it defaults to the code).
    ///
    /// ```
    /// use composite_indicators::Indicator;
    /// assert_eq!(Indicator::new("LPI", "P").with_name("Logistics").name, "Logistics");
    /// ```
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }
    /// Set the unit of measurement.
    ///
    /// ```
    /// use composite_indicators::Indicator;
    /// assert_eq!(Indicator::new("GDP", "P").with_unit("USD").unit, "USD");
    /// ```
    pub fn with_unit(mut self, unit: impl Into<String>) -> Self {
        self.unit = unit.into();
        self
    }
    /// Set the data column this indicator is divided by (COINr's `Denominator`).
    ///
    /// ```
    /// use composite_indicators::Indicator;
    /// let i = Indicator::new("Exports", "P").with_denominator("GDP");
    /// assert_eq!(i.denominator.as_deref(), Some("GDP"));
    /// ```
    pub fn with_denominator(mut self, column: impl Into<String>) -> Self {
        self.denominator = Some(column.into());
        self
    }
    /// Whether the indicator carries `tag`.
    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t == tag)
    }
}

/// An aggregate node: a pillar, sub-pillar, sub-index or the index itself (the node without parent).
///
/// ```
/// use composite_indicators::Pillar;
/// let p = Pillar::new("Physical").with_parent("Conn");
/// assert_eq!(p.parent.as_deref(), Some("Conn"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Pillar {
    /// Unique code.
    pub code: String,
    /// Human-readable name (defaults to the code).
    #[serde(default)]
    pub name: String,
    /// Parent aggregate; `None` for the root index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Nominal weight within the parent (default 1).
    #[serde(default = "default_weight")]
    pub weight: f64,
    /// Aggregation method for this node, overriding the scorer's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregation: Option<AggregatorKind>,
}

impl Pillar {
    /// A root-level aggregate with weight 1 (give it a parent with [`Pillar::with_parent`]).
    pub fn new(code: impl Into<String>) -> Self {
        let code = code.into();
        Pillar {
            name: code.clone(),
            code,
            parent: None,
            weight: 1.0,
            aggregation: None,
        }
    }
    /// Set the parent.
    pub fn with_parent(mut self, parent: impl Into<String>) -> Self {
        self.parent = Some(parent.into());
        self
    }
    /// Set the nominal weight.
    pub fn with_weight(mut self, weight: f64) -> Self {
        self.weight = weight;
        self
    }
    /// Set this node's aggregation method.
    pub fn with_aggregation(mut self, a: AggregatorKind) -> Self {
        self.aggregation = Some(a);
        self
    }
    /// Set the human-readable name (it defaults to the code).
    ///
    /// ```
    /// use composite_indicators::Pillar;
    /// assert_eq!(Pillar::new("Conn").with_name("Connectivity").name, "Connectivity");
    /// ```
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }
}

/// The unchecked, serde-friendly description of a framework.
///
/// Build it with [`FrameworkSpec::new`] (or from a file, [`crate::io::read_spec`]) and the `with_*`
/// setters; the struct is `#[non_exhaustive]` so that new fields can be added without breaking
/// callers (its fields stay public to read and to change).
///
/// ```
/// use composite_indicators::{FrameworkSpec, Indicator, Pillar};
/// let spec = FrameworkSpec::new(
///     "toy",
///     vec![Indicator::new("a", "P"), Indicator::new("b", "P")],
///     vec![Pillar::new("P").with_parent("Index"), Pillar::new("Index")],
/// );
/// let fw = spec.check().unwrap();
/// assert_eq!(fw.root().code, "Index");
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct FrameworkSpec {
    /// Name of the index.
    #[serde(default)]
    pub name: String,
    /// The leaves.
    #[serde(default)]
    pub indicators: Vec<Indicator>,
    /// The aggregate nodes (any depth); exactly one has no parent.
    #[serde(default)]
    pub pillars: Vec<Pillar>,
}

impl FrameworkSpec {
    /// A spec named `name` with these indicators (leaves) and aggregate nodes.
    ///
    /// ```
    /// use composite_indicators::{FrameworkSpec, Indicator, Pillar};
    /// let spec = FrameworkSpec::new("toy", vec![Indicator::new("a", "I")], vec![Pillar::new("I")]);
    /// assert_eq!(spec.name, "toy");
    /// assert_eq!(spec.indicators.len(), 1);
    /// ```
    pub fn new(name: impl Into<String>, indicators: Vec<Indicator>, pillars: Vec<Pillar>) -> Self {
        FrameworkSpec {
            name: name.into(),
            indicators,
            pillars,
        }
    }

    /// Set the index's name.
    ///
    /// ```
    /// use composite_indicators::FrameworkSpec;
    /// assert_eq!(FrameworkSpec::default().with_name("CBCII").name, "CBCII");
    /// ```
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Add an indicator (a leaf).
    ///
    /// ```
    /// use composite_indicators::{FrameworkSpec, Indicator, Pillar};
    /// let spec = FrameworkSpec::default()
    ///     .with_indicator(Indicator::new("a", "I"))
    ///     .with_pillar(Pillar::new("I"));
    /// assert!(spec.check().is_ok());
    /// ```
    pub fn with_indicator(mut self, indicator: Indicator) -> Self {
        self.indicators.push(indicator);
        self
    }

    /// Add an aggregate node (a pillar, sub-pillar or the index).
    ///
    /// ```
    /// use composite_indicators::{FrameworkSpec, Pillar};
    /// assert_eq!(FrameworkSpec::default().with_pillar(Pillar::new("I")).pillars.len(), 1);
    /// ```
    pub fn with_pillar(mut self, pillar: Pillar) -> Self {
        self.pillars.push(pillar);
        self
    }

    /// Validate into a [`Framework`]; see [`Framework::new`].
    pub fn check(self) -> Result<Framework> {
        Framework::new(self)
    }
}

/// Whether a node is a leaf or an aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NodeKind {
    /// A leaf.
    Indicator,
    /// An aggregate of children.
    Aggregate,
}

/// One node of the checked, flattened tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Leaf or aggregate.
    pub kind: NodeKind,
    /// Parent node index (`None` for the root).
    pub parent: Option<usize>,
    /// Child node indices, in spec order (empty for indicators).
    pub children: Vec<usize>,
    /// Nominal weight within the parent.
    pub weight: f64,
    /// Height: 1 for indicators, `1 + max(child level)` for aggregates (COINr's `Level` for balanced
    /// trees: indicators 1, pillars 2, ...).
    pub level: usize,
    /// Depth below the root (root 0).
    pub depth: usize,
    /// The node's own aggregation method, if the spec gives one.
    pub aggregation: Option<AggregatorKind>,
}

/// A validated framework: a tree of indicators under aggregates under one root index.
///
/// Build it with [`Framework::new`] (or [`FrameworkSpec::check`]); every downstream function takes
/// only this checked type.
///
/// ```
/// use composite_indicators::{Framework, FrameworkSpec, Indicator, Pillar};
/// let fw = Framework::new(FrameworkSpec::new("toy", vec![Indicator::new("a", "P1"), Indicator::new("b", "P1"), Indicator::new("c", "P2")], vec![ Pillar::new("P1").with_parent("I"), Pillar::new("P2").with_parent("I"), Pillar::new("I"), ]))
/// .unwrap();
/// assert_eq!(fw.n_indicators(), 3);
/// assert_eq!(fw.nodes().len(), 6);
/// assert_eq!(fw.node("P2").unwrap().children, vec![2]);
/// assert_eq!(fw.root().level, 3);
/// ```
#[derive(Debug, Clone)]
pub struct Framework {
    spec: FrameworkSpec,
    nodes: Vec<Node>,
    index: HashMap<String, usize>,
    n_indicators: usize,
}

impl PartialEq for Framework {
    fn eq(&self, other: &Self) -> bool {
        self.spec == other.spec
    }
}

impl Framework {
    /// Validate a spec and flatten it. See the module docs for the rules.
    pub fn new(spec: FrameworkSpec) -> Result<Framework> {
        if spec.indicators.is_empty() {
            return Err(Error::EmptyFramework);
        }
        // unique codes
        let mut seen: HashMap<&str, bool> = HashMap::new(); // code -> is_indicator
        for ind in &spec.indicators {
            if ind.code.trim().is_empty() {
                return Err(Error::InvalidSpec {
                    code: ind.code.clone(),
                    reason: "empty code".into(),
                });
            }
            if seen.insert(ind.code.as_str(), true).is_some() {
                return Err(Error::DuplicateCode {
                    code: ind.code.clone(),
                });
            }
        }
        for p in &spec.pillars {
            if p.code.trim().is_empty() {
                return Err(Error::InvalidSpec {
                    code: p.code.clone(),
                    reason: "empty code".into(),
                });
            }
            if seen.insert(p.code.as_str(), false).is_some() {
                return Err(Error::DuplicateCode {
                    code: p.code.clone(),
                });
            }
        }
        // weights and per-indicator fields
        for ind in &spec.indicators {
            check_weight(&ind.code, ind.weight)?;
            check_indicator_fields(ind)?;
        }
        for p in &spec.pillars {
            check_weight(&p.code, p.weight)?;
        }
        // parents
        let check_parent = |code: &str, parent: &str| -> Result<()> {
            match seen.get(parent) {
                None => Err(Error::UnknownParent {
                    code: code.to_string(),
                    parent: parent.to_string(),
                }),
                Some(true) => Err(Error::ParentIsIndicator {
                    code: code.to_string(),
                    parent: parent.to_string(),
                }),
                Some(false) => Ok(()),
            }
        };
        for ind in &spec.indicators {
            if ind.parent.trim().is_empty() {
                return Err(Error::Orphan {
                    code: ind.code.clone(),
                });
            }
            check_parent(&ind.code, &ind.parent)?;
        }
        let mut roots = Vec::new();
        for p in &spec.pillars {
            match &p.parent {
                Some(par) if !par.trim().is_empty() => check_parent(&p.code, par)?,
                _ => roots.push(p.code.clone()),
            }
        }
        // cycles: walk up from every aggregate, colouring nodes (0 = unseen, 1 = on the current walk,
        // 2 = known to reach a root). Each node is coloured once, so the walk is linear in the number
        // of aggregates, whatever the depth.
        let pillar_pos: HashMap<&str, usize> = spec
            .pillars
            .iter()
            .enumerate()
            .map(|(i, p)| (p.code.as_str(), i))
            .collect();
        let parent_of = |j: usize| -> Option<usize> {
            spec.pillars
                .get(j)
                .and_then(|p| p.parent.as_deref())
                .filter(|s| !s.trim().is_empty())
                .and_then(|par| pillar_pos.get(par).copied())
        };
        let mut colour = vec![0u8; spec.pillars.len()];
        let mut walk = Vec::new();
        for start in 0..spec.pillars.len() {
            walk.clear();
            let mut cur = Some(start);
            while let Some(j) = cur {
                match colour.get(j).copied() {
                    Some(0) => {
                        colour[j] = 1;
                        walk.push(j);
                        cur = parent_of(j);
                    }
                    Some(1) => {
                        return Err(Error::Cycle {
                            code: spec.pillars[j].code.clone(),
                        });
                    }
                    _ => cur = None,
                }
            }
            for &j in &walk {
                colour[j] = 2;
            }
        }
        match roots.len() {
            0 => return Err(Error::NoRoot),
            1 => {}
            _ => return Err(Error::MultipleRoots { codes: roots }),
        }

        // children lists (by spec order: indicators first, then pillars)
        let n_ind = spec.indicators.len();
        let n_p = spec.pillars.len();
        let mut p_children: Vec<Vec<Child>> = vec![Vec::new(); n_p];
        for (i, ind) in spec.indicators.iter().enumerate() {
            if let Some(&pi) = pillar_pos.get(ind.parent.as_str()) {
                p_children[pi].push(Child::Ind(i));
            }
        }
        for (j, p) in spec.pillars.iter().enumerate() {
            if let Some(&pi) = p.parent.as_deref().and_then(|par| pillar_pos.get(par)) {
                p_children[pi].push(Child::Agg(j));
            }
        }
        for (j, p) in spec.pillars.iter().enumerate() {
            if p_children[j].is_empty() {
                return Err(Error::EmptyGroup {
                    code: p.code.clone(),
                });
            }
            let sum: f64 = p_children[j]
                .iter()
                .map(|c| match *c {
                    Child::Ind(i) => spec.indicators[i].weight,
                    Child::Agg(k) => spec.pillars[k].weight,
                })
                .sum();
            if sum <= 0.0 {
                return Err(Error::ZeroWeightSum {
                    group: p.code.clone(),
                });
            }
            if !sum.is_finite() {
                return Err(Error::NonFiniteWeightSum {
                    group: p.code.clone(),
                    sum,
                });
            }
        }
        // heights of aggregates, bottom-up without recursion: a pillar's height is known once all its
        // aggregate children are done (Kahn's order on the acyclic tree; linear in the number of nodes)
        let mut height = vec![1usize; n_p];
        let mut pending: Vec<usize> = p_children
            .iter()
            .map(|ch| ch.iter().filter(|c| matches!(c, Child::Agg(_))).count())
            .collect();
        let mut ready: Vec<usize> = (0..n_p).filter(|&j| pending[j] == 0).collect();
        while let Some(j) = ready.pop() {
            // children's heights are final here; indicators have height 1
            let m = p_children[j]
                .iter()
                .map(|c| match *c {
                    Child::Ind(_) => 1,
                    Child::Agg(k) => height[k],
                })
                .max()
                .unwrap_or(1);
            height[j] = m + 1;
            if let Some(pj) = parent_of(j) {
                pending[pj] -= 1;
                if pending[pj] == 0 {
                    ready.push(pj);
                }
            }
        }
        // aggregate order: by height then spec order
        let mut order: Vec<usize> = (0..n_p).collect();
        order.sort_by_key(|&j| (height[j], j));
        let mut agg_node = vec![0usize; n_p];
        for (pos, &j) in order.iter().enumerate() {
            agg_node[j] = n_ind + pos;
        }
        let mut nodes: Vec<Node> = Vec::with_capacity(n_ind + n_p);
        for ind in &spec.indicators {
            nodes.push(Node {
                code: ind.code.clone(),
                name: if ind.name.is_empty() {
                    ind.code.clone()
                } else {
                    ind.name.clone()
                },
                kind: NodeKind::Indicator,
                parent: pillar_pos.get(ind.parent.as_str()).map(|&pi| agg_node[pi]),
                children: Vec::new(),
                weight: ind.weight,
                level: 1,
                depth: 0,
                aggregation: None,
            });
        }
        for &j in &order {
            let p = &spec.pillars[j];
            nodes.push(Node {
                code: p.code.clone(),
                name: if p.name.is_empty() {
                    p.code.clone()
                } else {
                    p.name.clone()
                },
                kind: NodeKind::Aggregate,
                parent: p
                    .parent
                    .as_deref()
                    .and_then(|par| pillar_pos.get(par))
                    .map(|&pi| agg_node[pi]),
                children: p_children[j]
                    .iter()
                    .map(|c| match *c {
                        Child::Ind(i) => i,
                        Child::Agg(k) => agg_node[k],
                    })
                    .collect(),
                weight: p.weight,
                level: height[j],
                depth: 0,
                aggregation: p.aggregation.clone(),
            });
        }
        // depths, top-down (parents come after children, so walk backwards)
        for k in (0..nodes.len()).rev() {
            if let Some(par) = nodes[k].parent {
                nodes[k].depth = nodes[par].depth + 1;
            }
        }
        let index = nodes
            .iter()
            .enumerate()
            .map(|(k, n)| (n.code.clone(), k))
            .collect();
        Ok(Framework {
            spec,
            nodes,
            index,
            n_indicators: n_ind,
        })
    }

    /// The spec this framework was built from (round-trips through serde).
    pub fn spec(&self) -> &FrameworkSpec {
        &self.spec
    }
    /// The index's name.
    pub fn name(&self) -> &str {
        &self.spec.name
    }
    /// All nodes: indicators first (spec order), then aggregates bottom-up, root last.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }
    /// Number of indicators (they are nodes `0..n_indicators()`).
    pub fn n_indicators(&self) -> usize {
        self.n_indicators
    }
    /// The indicator specs, in node order.
    pub fn indicators(&self) -> &[Indicator] {
        &self.spec.indicators
    }
    /// Indicator codes in node order.
    pub fn indicator_codes(&self) -> Vec<&str> {
        self.spec
            .indicators
            .iter()
            .map(|i| i.code.as_str())
            .collect()
    }
    /// Node indices of the aggregates, bottom-up (root last).
    pub fn aggregate_indices(&self) -> std::ops::Range<usize> {
        self.n_indicators..self.nodes.len()
    }
    /// The root index node.
    pub fn root(&self) -> &Node {
        // `new` guarantees at least one indicator and exactly one root, which sorts last.
        &self.nodes[self.nodes.len() - 1]
    }
    /// Node index of the root.
    pub fn root_index(&self) -> usize {
        self.nodes.len() - 1
    }
    /// Position of a node by code.
    pub fn position(&self, code: &str) -> Result<usize> {
        self.index
            .get(code)
            .copied()
            .ok_or_else(|| Error::UnknownCode {
                code: code.to_string(),
            })
    }
    /// A node by code.
    pub fn node(&self, code: &str) -> Result<&Node> {
        Ok(&self.nodes[self.position(code)?])
    }
    /// The largest level (the root's).
    pub fn max_level(&self) -> usize {
        self.root().level
    }
    /// Indicator positions carrying `tag`.
    pub fn indicators_with_tag(&self, tag: &str) -> Vec<usize> {
        self.spec
            .indicators
            .iter()
            .enumerate()
            .filter(|(_, i)| i.has_tag(tag))
            .map(|(k, _)| k)
            .collect()
    }
    /// Every distinct tag, sorted.
    pub fn tags(&self) -> Vec<String> {
        let mut t: Vec<String> = self
            .spec
            .indicators
            .iter()
            .flat_map(|i| i.tags.iter().cloned())
            .collect();
        t.sort();
        t.dedup();
        t
    }
    /// The indicator positions below a node (itself if it is an indicator), in node order.
    ///
    /// Every valid node has at least one leaf, so an empty list means `node` is out of range
    /// (`node >= nodes().len()`); no other node's leaves are ever returned.
    ///
    /// # Examples
    ///
    /// ```
    /// use composite_indicators::{FrameworkSpec, Indicator, Pillar};
    /// let fw = FrameworkSpec::new("t", vec![Indicator::new("a", "I"), Indicator::new("b", "I")], vec![Pillar::new("I")])
    /// .check()
    /// .unwrap();
    /// assert_eq!(fw.leaves_under(fw.root_index()), vec![0, 1]);
    /// assert!(fw.leaves_under(99).is_empty());
    /// ```
    pub fn leaves_under(&self, node: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack = vec![node];
        while let Some(k) = stack.pop() {
            match self.nodes.get(k) {
                Some(n) if n.kind == NodeKind::Indicator => out.push(k),
                Some(n) => stack.extend(n.children.iter().copied()),
                None => {}
            }
        }
        out.sort_unstable();
        out
    }
    /// The ancestors of a node, nearest first (excluding the node itself).
    ///
    /// `None` if `node` is out of range (`node >= nodes().len()`); the root has `Some(vec![])`.
    ///
    /// # Examples
    ///
    /// ```
    /// use composite_indicators::{FrameworkSpec, Indicator, Pillar};
    /// let fw = FrameworkSpec::new("t", vec![Indicator::new("a", "P")], vec![Pillar::new("P").with_parent("I"), Pillar::new("I")])
    /// .check()
    /// .unwrap();
    /// assert_eq!(fw.try_ancestors(0), Some(vec![1, 2]));
    /// assert_eq!(fw.try_ancestors(2), Some(vec![]));
    /// assert_eq!(fw.try_ancestors(3), None);
    /// ```
    pub fn try_ancestors(&self, node: usize) -> Option<Vec<usize>> {
        let mut out = Vec::new();
        let mut cur = self.nodes.get(node)?.parent;
        while let Some(p) = cur {
            out.push(p);
            cur = self.nodes.get(p).and_then(|n| n.parent);
        }
        Some(out)
    }

    /// The ancestors of a node, nearest first (excluding the node itself); empty for the root **and**
    /// for an out-of-range `node` — use [`Framework::try_ancestors`] to tell them apart.
    ///
    /// # Examples
    ///
    /// ```
    /// use composite_indicators::{FrameworkSpec, Indicator, Pillar};
    /// let fw = FrameworkSpec::new("t", vec![Indicator::new("a", "I")], vec![Pillar::new("I")])
    /// .check()
    /// .unwrap();
    /// assert_eq!(fw.ancestors(0), vec![1]);
    /// assert!(fw.ancestors(7).is_empty());
    /// ```
    pub fn ancestors(&self, node: usize) -> Vec<usize> {
        self.try_ancestors(node).unwrap_or_default()
    }
}

#[derive(Clone, Copy)]
enum Child {
    Ind(usize),
    Agg(usize),
}

fn check_weight(code: &str, w: f64) -> Result<()> {
    if !w.is_finite() || w < 0.0 {
        return Err(Error::InvalidWeight {
            code: code.to_string(),
            weight: w,
        });
    }
    Ok(())
}

fn check_indicator_fields(ind: &Indicator) -> Result<()> {
    let bad = |reason: String| {
        Err(Error::InvalidSpec {
            code: ind.code.clone(),
            reason,
        })
    };
    if let Some([lo, hi]) = ind.goalposts
        && !(lo.is_finite() && hi.is_finite() && lo < hi)
    {
        return bad(format!(
            "goalposts [{lo}, {hi}] must be finite with lo < hi"
        ));
    }
    if let Some(m) = ind.max_score
        && !(m.is_finite() && m > 0.0)
    {
        return bad(format!("max_score {m} must be finite and positive"));
    }
    if let Some(t) = ind.target
        && !t.is_finite()
    {
        return bad(format!("target {t} must be finite"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> FrameworkSpec {
        FrameworkSpec::new(
            "toy",
            vec![
                Indicator::new("a", "P1"),
                Indicator::new("b", "P1"),
                Indicator::new("c", "S1"),
            ],
            vec![
                Pillar::new("I"),
                Pillar::new("P1").with_parent("I"),
                Pillar::new("S1").with_parent("P2"),
                Pillar::new("P2").with_parent("I"),
            ],
        )
    }

    #[test]
    fn flattening_orders_children_before_parents() {
        let fw = toy().check().unwrap();
        let codes: Vec<&str> = fw.nodes().iter().map(|n| n.code.as_str()).collect();
        assert_eq!(codes, vec!["a", "b", "c", "P1", "S1", "P2", "I"]);
        for (k, n) in fw.nodes().iter().enumerate() {
            for &c in &n.children {
                assert!(c < k);
            }
        }
        assert_eq!(fw.node("P2").unwrap().level, 3);
        assert_eq!(fw.node("I").unwrap().level, 4);
        assert_eq!(fw.node("c").unwrap().depth, 3);
        assert_eq!(fw.leaves_under(fw.position("P2").unwrap()), vec![2]);
        assert_eq!(fw.ancestors(2), vec![4, 5, 6]);
    }

    #[test]
    fn rule_duplicate_code() {
        let mut s = toy();
        s.indicators.push(Indicator::new("a", "P1"));
        assert!(matches!(s.check(), Err(Error::DuplicateCode { code }) if code == "a"));
        let mut s = toy();
        s.pillars.push(Pillar::new("b").with_parent("I"));
        assert!(matches!(s.check(), Err(Error::DuplicateCode { code }) if code == "b"));
    }

    #[test]
    fn rule_unknown_parent() {
        let mut s = toy();
        s.indicators[0].parent = "Nope".into();
        assert!(
            matches!(s.check(), Err(Error::UnknownParent { code, parent }) if code == "a" && parent == "Nope")
        );
    }

    #[test]
    fn rule_parent_is_indicator() {
        let mut s = toy();
        s.indicators[0].parent = "b".into();
        assert!(matches!(s.check(), Err(Error::ParentIsIndicator { code, .. }) if code == "a"));
    }

    #[test]
    fn rule_cycle() {
        let mut s = toy();
        s.pillars[1].parent = Some("P2".into());
        s.pillars[3].parent = Some("S1".into());
        assert!(matches!(s.check(), Err(Error::Cycle { .. })));
    }

    #[test]
    fn rule_empty_group() {
        let mut s = toy();
        s.pillars.push(Pillar::new("E").with_parent("I"));
        assert!(matches!(s.check(), Err(Error::EmptyGroup { code }) if code == "E"));
    }

    #[test]
    fn rule_weights() {
        let mut s = toy();
        s.indicators[1].weight = -1.0;
        assert!(matches!(s.check(), Err(Error::InvalidWeight { code, .. }) if code == "b"));
        let mut s = toy();
        s.indicators[1].weight = f64::NAN;
        assert!(matches!(s.check(), Err(Error::InvalidWeight { code, .. }) if code == "b"));
        let mut s = toy();
        s.indicators[0].weight = 0.0;
        s.indicators[1].weight = 0.0;
        assert!(matches!(s.check(), Err(Error::ZeroWeightSum { group }) if group == "P1"));
    }

    #[test]
    fn rule_roots() {
        let mut s = toy();
        s.pillars.push(Pillar::new("J"));
        s.indicators.push(Indicator::new("d", "J"));
        assert!(
            matches!(s.check(), Err(Error::MultipleRoots { codes }) if codes == vec!["I", "J"])
        );
        let mut s = toy();
        s.pillars[0].parent = Some("P1".into());
        assert!(matches!(
            s.check(),
            Err(Error::NoRoot) | Err(Error::Cycle { .. })
        ));
    }

    #[test]
    fn rule_empty_and_orphan() {
        assert!(matches!(
            FrameworkSpec::default().check(),
            Err(Error::EmptyFramework)
        ));
        let mut s = toy();
        s.indicators[2].parent = String::new();
        assert!(matches!(s.check(), Err(Error::Orphan { code }) if code == "c"));
    }

    #[test]
    fn rule_indicator_fields() {
        let mut s = toy();
        s.indicators[0].goalposts = Some([5.0, 1.0]);
        assert!(matches!(s.check(), Err(Error::InvalidSpec { code, .. }) if code == "a"));
        let mut s = toy();
        s.indicators[0].max_score = Some(0.0);
        assert!(matches!(s.check(), Err(Error::InvalidSpec { code, .. }) if code == "a"));
    }

    #[test]
    fn direction_serde() {
        let i: Indicator =
            serde_json::from_str(r#"{"code":"x","parent":"P","direction":-1}"#).unwrap();
        assert_eq!(i.direction, Direction::Negative);
        assert!(
            serde_json::from_str::<Indicator>(r#"{"code":"x","parent":"P","direction":2}"#)
                .is_err()
        );
        for bad in ["\"negative\"", "0", "1.5", "true"] {
            let e = serde_json::from_str::<Indicator>(&format!(
                r#"{{"code":"x","parent":"P","direction":{bad}}}"#
            ))
            .unwrap_err();
            assert!(e.to_string().contains("direction must be 1 or -1"), "{e}");
        }
        let i: Indicator =
            serde_json::from_str(r#"{"code":"x","parent":"P","direction":-1.0}"#).unwrap();
        assert_eq!(i.direction, Direction::Negative);
    }
}
