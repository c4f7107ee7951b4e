//! The compiled framework: the resolved domain model every other part of
//! Ladder points into by stable id.

use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// A string many placements share: a statement's id, a level or category
/// id, a group heading. A framework places hundreds of thousands of
/// statements; each placement holds these by reference count, not by copy.
pub type Name = Arc<str>;

/// Where a piece of content was written. Line and column are 1-based.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Source {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl From<&crate::Span> for Source {
    fn from(s: &crate::Span) -> Source {
        Source {
            file: s.file.clone(),
            line: s.line,
            column: s.column,
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// The whole compiled framework. Built by [`crate::compile`]; when the input
/// has errors it holds everything that could still be understood.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Framework {
    pub config: Config,
    /// Every statement and family item, by stable id.
    pub items: BTreeMap<String, Item>,
    pub layers: Vec<Layer>,
    pub families: Vec<Family>,
}

/// `ladder.yaml`: the organisation-wide settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Config {
    pub organisation: String,
    /// In the order written; `below` gives what each level includes.
    pub levels: Vec<Level>,
    pub categories: Vec<Category>,
    pub rating_scale: Vec<ScalePoint>,
    pub policy: Policy,
    /// Where the site the framework was imported from is published:
    /// `source:` links point into it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Level {
    pub id: String,
    pub title: String,
    pub grade: f64,
    /// The level whose expectations this one includes ("all competencies
    /// exhibited by an Intermediate"). `None` for an entry level.
    pub below: Option<String>,
    pub source: Source,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Category {
    pub id: String,
    pub title: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScalePoint {
    pub value: i32,
    pub label: String,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Policy {
    pub focus_areas: Bounds,
    pub feedback: FeedbackPolicy,
    pub readiness: ReadinessPolicy,
    pub promotion: PromotionPolicy,
    pub pay: PayPolicy,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            focus_areas: Bounds { min: 2, max: 3 },
            feedback: FeedbackPolicy {
                anonymity_threshold: 3,
                peers: Bounds { min: 3, max: 8 },
                open_questions: vec![
                    "What should they keep doing?".to_owned(),
                    "What would make them more effective?".to_owned(),
                ],
            },
            readiness: ReadinessPolicy {
                demonstrated_at: 3,
                share: 0.9,
                consecutive_quarters: 2,
            },
            promotion: PromotionPolicy {
                require_ready: true,
                min_months_at_level: 12,
                approvals: vec![Approver::SkipLevel, Approver::PeopleTeam],
            },
            pay: PayPolicy::default(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Bounds {
    pub min: u32,
    pub max: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FeedbackPolicy {
    /// Peers and reports are shown only as groups of at least this many answers.
    pub anonymity_threshold: u32,
    /// How many peers a person nominates.
    pub peers: Bounds,
    /// Free-text questions asked of every respondent.
    pub open_questions: Vec<String>,
}

/// What a level-change proposal must meet, and who approves it, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PromotionPolicy {
    /// A promotion needs readiness "ready" for the next level.
    pub require_ready: bool,
    /// Months since the last level change before another.
    pub min_months_at_level: u32,
    pub approvals: Vec<Approver>,
}

/// Pay bands are set per grade and location zone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PayPolicy {
    /// Zones in the order written, each with the locations it covers.
    /// Empty: every location is a zone of its own.
    pub zones: Vec<Zone>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Zone {
    pub id: String,
    pub locations: Vec<String>,
}

impl PayPolicy {
    /// The zone a location is paid in: the configured zone that lists it
    /// (case ignored), or the location itself when no zones are set.
    pub fn zone_of(&self, location: &str) -> Option<String> {
        if self.zones.is_empty() {
            let l = location.trim();
            return (!l.is_empty()).then(|| l.to_owned());
        }
        self.zones
            .iter()
            .find(|z| {
                z.locations
                    .iter()
                    .any(|l| l.eq_ignore_ascii_case(location.trim()))
            })
            .map(|z| z.id.clone())
    }
}

/// One step of the approval chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Approver {
    /// The proposing manager's own manager.
    SkipLevel,
    PeopleTeam,
}

impl Approver {
    pub fn as_str(self) -> &'static str {
        match self {
            Approver::SkipLevel => "skip_level",
            Approver::PeopleTeam => "people_team",
        }
    }

    pub fn parse(s: &str) -> Option<Approver> {
        match s {
            "skip_level" => Some(Approver::SkipLevel),
            "people_team" => Some(Approver::PeopleTeam),
            _ => None,
        }
    }
}

/// "Ready for the next level" when the manager rates at least `share` of the
/// next level's competencies at `demonstrated_at` or above, for
/// `consecutive_quarters` quarters in a row.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ReadinessPolicy {
    pub demonstrated_at: i32,
    pub share: f64,
    pub consecutive_quarters: u32,
}

/// A statement or list item with a stable id, defined once in one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Item {
    pub id: String,
    pub text: String,
    pub source: Source,
    /// True when the file has no `{#id}` for it yet and the id shown is the
    /// one `ladder ids` would write. Provisional ids may change.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub provisional_id: bool,
}

/// A competency layer such as `engineering` or `distribution`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Layer {
    pub id: String,
    pub title: String,
    pub extends: Option<String>,
    /// The layer's own level order, where it differs from `ladder.yaml`'s:
    /// level → the level it builds on in this layer (`None`: on none). It
    /// holds for views of this layer and of the layers that extend it.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub below: BTreeMap<String, Option<String>>,
    pub description: String,
    pub source: Source,
    /// The statements this layer places, in file order.
    pub placements: Vec<Placement>,
}

/// One statement placed at a level and category of a layer. A statement
/// from an include can be placed in several layers; it keeps one id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Placement {
    #[serde(serialize_with = "name")]
    pub item: Name,
    #[serde(serialize_with = "name")]
    pub level: Name,
    #[serde(serialize_with = "name")]
    pub category: Name,
    /// The include directive that brought it in, if any: shared by every
    /// statement the include brings.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "optional_shared"
    )]
    pub via: Option<Arc<Source>>,
    /// The group heading it was written under (`#### Distribution`, or a
    /// heading inside its include): the team or discipline it comes from.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "optional_shared"
    )]
    pub group: Option<Name>,
}

// Serialised as the strings and sources they hold (serde's own impls for
// `Arc` need its `rc` feature, which every crate using serde would build).
fn name<S: serde::Serializer>(n: &Name, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(n)
}

fn optional_shared<T, S>(v: &Option<Arc<T>>, s: S) -> Result<S::Ok, S::Error>
where
    T: Serialize + ?Sized,
    S: serde::Serializer,
{
    v.as_deref().serialize(s)
}

/// A list section of a family: responsibilities, requirements, …
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Section {
    /// Prose written in the section besides its list.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub prose: String,
    /// Item ids, in order.
    pub items: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Family {
    pub id: String,
    pub title: String,
    /// The competency layer the family's roles use.
    pub layer: String,
    pub description: String,
    pub responsibilities: Section,
    pub requirements: Section,
    pub nice_to_have: Section,
    pub performance_indicators: Section,
    pub levels: Vec<FamilyLevel>,
    pub specialties: Vec<Specialty>,
    pub hiring_process: Vec<HiringStage>,
    /// Sections with headings the format does not know, kept as prose.
    pub other_sections: Vec<OtherSection>,
    pub source: Source,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FamilyLevel {
    pub level: String,
    /// The family's grade for this level (the level's default unless overridden).
    pub grade: f64,
    pub responsibilities: Section,
    pub requirements: Section,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Specialty {
    pub id: String,
    pub title: String,
    /// The competency layer used instead of the family's, if any.
    pub layer: Option<String>,
    pub description: String,
    pub responsibilities: Section,
    pub requirements: Section,
    pub nice_to_have: Section,
    pub source: Source,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HiringStage {
    pub id: String,
    pub name: String,
    pub minutes: u32,
    pub interviewer: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OtherSection {
    pub heading: String,
    pub text: String,
    pub source: Source,
}

impl Config {
    /// Where a category sorts: its place in `ladder.yaml`, unknown ones last.
    pub fn category_rank(&self, id: &str) -> usize {
        self.categories
            .iter()
            .position(|c| c.id == id)
            .unwrap_or(usize::MAX)
    }
}

impl Framework {
    pub fn level(&self, id: &str) -> Option<&Level> {
        self.config.levels.iter().find(|l| l.id == id)
    }

    pub fn layer(&self, id: &str) -> Option<&Layer> {
        self.layers.iter().find(|l| l.id == id)
    }

    pub fn family(&self, id: &str) -> Option<&Family> {
        self.families.iter().find(|f| f.id == id)
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.config.categories.iter().find(|c| c.id == id)
    }

    /// The level and every level it includes, nearest first. Stops at a cycle.
    /// Linear in the length of the chain, however many levels there are.
    pub fn level_chain(&self, id: &str) -> Vec<&Level> {
        self.walk_levels(id, |l| l.below.as_deref())
    }

    /// The levels from `id` down, each step by `below`. Stops at a cycle.
    fn walk_levels<'f>(
        &'f self,
        id: &str,
        below: impl Fn(&'f Level) -> Option<&'f str>,
    ) -> Vec<&'f Level> {
        let by_id: HashMap<&str, &Level> = self
            .config
            .levels
            .iter()
            .map(|l| (l.id.as_str(), l))
            .collect();
        let mut seen: HashSet<&str> = HashSet::new();
        let mut chain: Vec<&Level> = Vec::new();
        let mut next = by_id.get(id).copied();
        while let Some(level) = next {
            if !seen.insert(level.id.as_str()) {
                break;
            }
            chain.push(level);
            next = below(level).and_then(|b| by_id.get(b).copied());
        }
        chain
    }

    /// [`Framework::level_chain`] as a layer sees it: at each step, the
    /// `below` of the nearest layer of its chain (the layer itself first)
    /// that gives one for the level, else `ladder.yaml`'s. Stops at a cycle.
    pub fn layer_level_chain(&self, layer: &str, id: &str) -> Vec<&Level> {
        let layers = self.layer_chain(layer);
        if layers.iter().all(|l| l.below.is_empty()) {
            return self.level_chain(id);
        }
        self.walk_levels(id, |level| {
            layers
                .iter()
                .rev()
                .find_map(|l| l.below.get(&level.id))
                .map_or(level.below.as_deref(), Option::as_deref)
        })
    }

    /// The level that builds on this one: the first level, in config order,
    /// whose `below` is `id`.
    pub fn next_level(&self, id: &str) -> Option<&Level> {
        self.config
            .levels
            .iter()
            .find(|l| l.below.as_deref() == Some(id))
    }

    /// The layer and its ancestors, root first. Stops at a cycle.
    pub fn layer_chain(&self, id: &str) -> Vec<&Layer> {
        chain(self.layer(id), |e| self.layer(e))
    }
}

/// `first` and the layers it extends, found by `find`, root first. Stops
/// at a cycle.
pub(crate) fn chain<'a>(
    first: Option<&'a Layer>,
    find: impl Fn(&str) -> Option<&'a Layer>,
) -> Vec<&'a Layer> {
    let mut chain: Vec<&Layer> = Vec::new();
    let mut next = first;
    while let Some(layer) = next {
        if chain.iter().any(|l| l.id == layer.id) {
            break;
        }
        chain.push(layer);
        next = layer.extends.as_deref().and_then(&find);
    }
    chain.reverse();
    chain
}
