//! Views over a compiled framework: a role's or a layer's expectations at a
//! level, cumulative or own, grouped by category then layer.

use crate::model::{Framework, HiringStage, Item, Layer, Level, Placement, Section, Source};
use crate::similar::did_you_mean;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::Serialize;

/// One resolved expectation with its provenance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Expectation {
    pub id: String,
    pub text: String,
    pub category: String,
    pub layer: String,
    pub level: String,
    /// Where the statement's text is written.
    pub source: Source,
    /// The include directive that placed it, when it came from an include.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<Source>,
    /// The group heading it sits under, when the layer or include names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// A family list item (responsibility, requirement, …) in a role view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoleItem {
    pub id: String,
    pub text: String,
    /// `family`, `level` or `specialty`: where the item is defined.
    pub scope: &'static str,
    pub source: Source,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpecialtyRef {
    pub id: String,
    pub title: String,
}

/// Everything a role (family, level, optional specialty) expects.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RoleView {
    pub family: String,
    pub family_title: String,
    pub level: String,
    pub level_title: String,
    pub title: String,
    pub grade: f64,
    pub specialty: Option<SpecialtyRef>,
    /// The competency layer chain, root first.
    pub layers: Vec<String>,
    /// The levels whose statements are included, this level first.
    pub levels: Vec<String>,
    pub competencies: Vec<Expectation>,
    pub responsibilities: Vec<RoleItem>,
    pub requirements: Vec<RoleItem>,
    pub nice_to_have: Vec<RoleItem>,
    pub performance_indicators: Vec<RoleItem>,
    pub hiring_process: Vec<HiringStage>,
}

/// A competency layer's expectations at a level.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LayerView {
    pub layer: String,
    pub layer_title: String,
    pub level: String,
    pub level_title: String,
    pub layers: Vec<String>,
    pub levels: Vec<String>,
    pub competencies: Vec<Expectation>,
}

/// Why a view could not be made, with a suggestion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewError {
    pub message: String,
    pub help: Option<String>,
}

impl std::fmt::Display for ViewError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)?;
        if let Some(h) = &self.help {
            write!(f, " ({h})")?;
        }
        Ok(())
    }
}

fn unknown<'a>(
    what: &str,
    wanted: &str,
    known: impl IntoIterator<Item = &'a str> + Clone,
) -> ViewError {
    let all: Vec<&str> = known.clone().into_iter().collect();
    ViewError {
        message: format!("unknown {what} `{wanted}`"),
        help: Some(match did_you_mean(wanted, known) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("known: {}", all.join(", ")),
        }),
    }
}

/// One statement in a view, borrowed from the framework: what
/// [`Expectation`] copies out.
#[derive(Clone, Copy, Debug)]
pub struct Placed<'a> {
    pub item: &'a Item,
    pub layer: &'a Layer,
    pub placement: &'a Placement,
}

impl Placed<'_> {
    pub fn to_expectation(&self) -> Expectation {
        Expectation {
            id: self.item.id.clone(),
            text: self.item.text.clone(),
            category: self.placement.category.to_string(),
            layer: self.layer.id.clone(),
            level: self.placement.level.to_string(),
            source: self.item.source.clone(),
            via: self.placement.via.as_deref().cloned(),
            group: self.placement.group.as_deref().map(str::to_owned),
        }
    }
}

/// The statements of a layer chain at a level. Cumulative includes every
/// level below; `own` only the level itself. Each id appears once: at its
/// most general layer and lowest level.
pub fn expectations(fw: &Framework, layer: &str, level: &str, own: bool) -> Vec<Expectation> {
    placed(fw, layer, level, own)
        .iter()
        .map(Placed::to_expectation)
        .collect()
}

/// [`expectations`], borrowed: for callers that only read them.
pub fn placed<'a>(fw: &'a Framework, layer: &str, level: &str, own: bool) -> Vec<Placed<'a>> {
    placed_in(fw, fw.layer_chain(layer), |id| fw.items.get(id), level, own)
}

/// Id lookups over a compiled framework, made once, for callers that
/// resolve many views: [`Framework`]'s own lookups scan its lists.
#[derive(Debug)]
pub struct Lookup<'a> {
    pub fw: &'a Framework,
    layers: HashMap<&'a str, &'a Layer>,
    items: HashMap<&'a str, &'a Item>,
}

impl<'a> Lookup<'a> {
    pub fn new(fw: &'a Framework) -> Lookup<'a> {
        let mut layers = HashMap::default();
        for l in &fw.layers {
            // The first of a duplicated id, as `Framework::layer` finds.
            layers.entry(l.id.as_str()).or_insert(l);
        }
        let items = fw.items.iter().map(|(id, i)| (id.as_str(), i)).collect();
        Lookup { fw, layers, items }
    }

    pub fn layer(&self, id: &str) -> Option<&'a Layer> {
        self.layers.get(id).copied()
    }

    pub fn item(&self, id: &str) -> Option<&'a Item> {
        self.items.get(id).copied()
    }

    /// [`Framework::layer_chain`].
    pub fn layer_chain(&self, id: &str) -> Vec<&'a Layer> {
        crate::model::chain(self.layer(id), |e| self.layer(e))
    }

    /// [`placed`].
    pub fn placed(&self, layer: &str, level: &str, own: bool) -> Vec<Placed<'a>> {
        placed_in(
            self.fw,
            self.layer_chain(layer),
            |id| self.item(id),
            level,
            own,
        )
    }

    /// What `layer` itself adds at each level, in config order, levels
    /// where it adds nothing left out: what [`placed`] gives with `own` and
    /// keeps at `layer`, for every level in one pass over the chain. A
    /// statement a layer below also places at that level is that layer's.
    pub fn added(&self, layer: &'a Layer) -> Vec<(&'a Level, Vec<Placed<'a>>)> {
        // What the layers below place of what this one places (seldom
        // anything): only those statements can be theirs.
        let own_items: HashSet<&str> = layer.placements.iter().map(|p| &*p.item).collect();
        let inherited: HashSet<(&str, &str)> = self
            .layer_chain(&layer.id)
            .iter()
            .filter(|a| a.id != layer.id)
            .flat_map(|a| a.placements.iter())
            .filter(|p| own_items.contains(&*p.item))
            .map(|p| (&*p.item, &*p.level))
            .collect();
        let config = &self.fw.config;
        config
            .levels
            .iter()
            .filter_map(|lv| {
                let mut own: Vec<Placed<'a>> = layer
                    .placements
                    .iter()
                    .filter(|p| {
                        *p.level == *lv.id
                            && (inherited.is_empty() || !inherited.contains(&(&*p.item, &*p.level)))
                    })
                    .filter_map(|p| {
                        Some(Placed {
                            item: self.item(&p.item)?,
                            layer,
                            placement: p,
                        })
                    })
                    .collect();
                // By category, then file order, as `placed` sorts one layer.
                own.sort_by_key(|e| config.category_rank(&e.placement.category));
                (!own.is_empty()).then_some((lv, own))
            })
            .collect()
    }
}

/// Where a placement sorts in a view: its level's rank (lowest first), its
/// layer's (most general first), its category's, and its place in its
/// layer's list.
type SortKey = (usize, usize, usize, usize);

/// The levels a view at `level` covers, lowest first: `level` alone when
/// `own`, else it and every level below it.
pub(crate) fn view_levels<'l>(
    fw: &'l Framework,
    layer: &str,
    level: &'l str,
    own: bool,
) -> Vec<&'l str> {
    if own {
        return vec![level];
    }
    let mut levels: Vec<&str> = fw
        .layer_level_chain(layer, level)
        .iter()
        .map(|l| l.id.as_str())
        .collect();
    levels.reverse();
    levels
}

fn placed_in<'a>(
    fw: &'a Framework,
    chain: Vec<&'a Layer>,
    item: impl Fn(&str) -> Option<&'a Item>,
    level: &str,
    own: bool,
) -> Vec<Placed<'a>> {
    // The view's layer (the last of its chain) says the level order.
    let view_layer = chain.last().map_or("", |l| l.id.as_str());
    let levels = view_levels(fw, view_layer, level, own);
    // Each statement's placement in scope that the view keeps: the first
    // at its lowest level and most general layer.
    let mut kept: HashMap<&str, (SortKey, &'a Layer, &'a Placement)> = HashMap::default();
    for (layer_rank, l) in chain.iter().enumerate() {
        for (order, p) in l.placements.iter().enumerate() {
            let Some(level_rank) = levels.iter().position(|x| *x == &*p.level) else {
                continue;
            };
            let key = (
                level_rank,
                layer_rank,
                fw.config.category_rank(&p.category),
                order,
            );
            kept.entry(&*p.item)
                .and_modify(|k| {
                    if (key.0, key.1) < (k.0.0, k.0.1) {
                        *k = (key, *l, p);
                    }
                })
                .or_insert((key, *l, p));
        }
    }
    // Every key is distinct (a layer and a place in it), so the order
    // below does not depend on the map's.
    let mut found: Vec<_> = kept.into_values().collect();
    // Grouped by category, then layer, then level, then file order.
    found.sort_by_key(|(k, _, _)| (k.2, k.1, k.0, k.3));
    found
        .into_iter()
        .filter_map(|(_, layer, placement)| {
            Some(Placed {
                item: item(&placement.item)?,
                layer,
                placement,
            })
        })
        .collect()
}

/// A layer's view at a level.
pub fn layer(fw: &Framework, layer: &str, level: &str, own: bool) -> Result<LayerView, ViewError> {
    let l = fw
        .layer(layer)
        .ok_or_else(|| unknown("layer", layer, fw.layers.iter().map(|l| l.id.as_str())))?;
    let lv = fw.level(level).ok_or_else(|| {
        unknown(
            "level",
            level,
            fw.config.levels.iter().map(|l| l.id.as_str()),
        )
    })?;
    Ok(LayerView {
        layer: l.id.clone(),
        layer_title: l.title.clone(),
        level: lv.id.clone(),
        level_title: lv.title.clone(),
        layers: fw.layer_chain(layer).iter().map(|l| l.id.clone()).collect(),
        levels: included_levels(fw, layer, level, own),
        competencies: expectations(fw, layer, level, own),
    })
}

fn included_levels(fw: &Framework, layer: &str, level: &str, own: bool) -> Vec<String> {
    if own {
        vec![level.to_owned()]
    } else {
        fw.layer_level_chain(layer, level)
            .iter()
            .map(|l| l.id.clone())
            .collect()
    }
}

fn items(fw: &Framework, section: &Section, scope: &'static str, out: &mut Vec<RoleItem>) {
    for id in &section.items {
        if let Some(item) = fw.items.get(id) {
            out.push(RoleItem {
                id: id.clone(),
                text: item.text.clone(),
                scope,
                source: item.source.clone(),
            });
        }
    }
}

/// A role's view: family, level and optional specialty.
pub fn role(
    fw: &Framework,
    family: &str,
    level: &str,
    specialty: Option<&str>,
    own: bool,
) -> Result<RoleView, ViewError> {
    let f = fw
        .family(family)
        .ok_or_else(|| unknown("family", family, fw.families.iter().map(|f| f.id.as_str())))?;
    let fl = f.levels.iter().find(|l| l.level == level).ok_or_else(|| {
        let mut e = unknown("level", level, f.levels.iter().map(|l| l.level.as_str()));
        e.message = format!("family `{}` has no level `{level}`", f.id);
        e
    })?;
    let lv = fw.level(level).ok_or_else(|| {
        unknown(
            "level",
            level,
            fw.config.levels.iter().map(|l| l.id.as_str()),
        )
    })?;
    let spec = match specialty {
        None => None,
        Some(s) => Some(f.specialties.iter().find(|x| x.id == s).ok_or_else(|| {
            let mut e = unknown("specialty", s, f.specialties.iter().map(|x| x.id.as_str()));
            e.message = format!("family `{}` has no specialty `{s}`", f.id);
            e
        })?),
    };
    let layer_id = spec
        .and_then(|s| s.layer.as_deref())
        .unwrap_or(f.layer.as_str());
    let mut view = RoleView {
        family: f.id.clone(),
        family_title: f.title.clone(),
        level: lv.id.clone(),
        level_title: lv.title.clone(),
        title: format!("{} {}", lv.title, f.title),
        grade: fl.grade,
        specialty: spec.map(|s| SpecialtyRef {
            id: s.id.clone(),
            title: s.title.clone(),
        }),
        layers: fw
            .layer_chain(layer_id)
            .iter()
            .map(|l| l.id.clone())
            .collect(),
        levels: included_levels(fw, layer_id, level, own),
        competencies: expectations(fw, layer_id, level, own),
        responsibilities: Vec::new(),
        requirements: Vec::new(),
        nice_to_have: Vec::new(),
        performance_indicators: Vec::new(),
        hiring_process: f.hiring_process.clone(),
    };
    items(
        fw,
        &f.responsibilities,
        "family",
        &mut view.responsibilities,
    );
    items(
        fw,
        &fl.responsibilities,
        "level",
        &mut view.responsibilities,
    );
    items(fw, &f.requirements, "family", &mut view.requirements);
    items(fw, &fl.requirements, "level", &mut view.requirements);
    items(fw, &f.nice_to_have, "family", &mut view.nice_to_have);
    items(
        fw,
        &f.performance_indicators,
        "family",
        &mut view.performance_indicators,
    );
    if let Some(s) = spec {
        items(
            fw,
            &s.responsibilities,
            "specialty",
            &mut view.responsibilities,
        );
        items(fw, &s.requirements, "specialty", &mut view.requirements);
        items(fw, &s.nice_to_have, "specialty", &mut view.nice_to_have);
    }
    Ok(view)
}
