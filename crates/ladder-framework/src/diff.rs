//! Semantic diff of two compiled frameworks, graded like a version number.
//!
//! The rules (also in `docs/diff.md`):
//!
//! - **major**: the bar rises at some level. A statement is added, or a
//!   statement moves so that some (layer, level) now expects it and did not
//!   before (a move to a lower level or a more general layer). A family
//!   responsibility or requirement is added.
//! - **minor**: a clarification or a removal. Rewordings bigger than a typo,
//!   removals, moves that raise no bar, structure (levels, layers, families,
//!   specialties) added or removed, grades and hiring stages changed.
//! - **patch**: a typo-sized rewording (case, spacing and punctuation, or at
//!   most [`PATCH_EDITS`] characters edited) and renames.

use crate::model::{Family, Framework, HiringStage, Section, Specialty};
use crate::resolve::expectations;
use crate::similar::{WordOp, levenshtein, word_diff};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Most characters a rewording may edit and still be a patch.
pub const PATCH_EDITS: usize = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Grade {
    Patch,
    Minor,
    Major,
}

impl Grade {
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::Patch => "patch",
            Grade::Minor => "minor",
            Grade::Major => "major",
        }
    }
}

/// What a change is about: a layer (and level), or a family (and level or
/// specialty), or the framework as a whole.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Scope {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub specialty: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
}

/// One change between two versions.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    pub grade: Grade,
    /// A stable machine name such as `statement_added`; see `docs/diff.md`.
    pub kind: &'static str,
    pub scope: Scope,
    /// The stable id of what changed, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// One sentence a manager can read.
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
    /// The word-level diff of a rewording.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub words: Vec<WordOp>,
    /// The other places the same statement is expected (a shared include
    /// placed by many layers): one change, every place named.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<Scope>,
}

/// Every change, in report order, and the highest grade among them.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Report {
    /// `None` when nothing changed.
    pub grade: Option<Grade>,
    pub changes: Vec<Change>,
}

impl Report {
    pub fn count(&self, grade: Grade) -> usize {
        self.changes.iter().filter(|c| c.grade == grade).count()
    }
}

/// The grade of a rewording from `old` to `new`.
/// A text with each Markdown link `[label](target)` replaced by its label.
fn link_labels(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        out.push_str(rest.get(..open).unwrap_or(""));
        let after = rest.get(open + 1..).unwrap_or("");
        let link = after.find("](").and_then(|close| {
            let target = after.get(close + 2..)?;
            let end = target.find(')')?;
            Some((after.get(..close)?, target.get(end + 1..)?))
        });
        match link {
            Some((label, tail)) => {
                out.push_str(label);
                rest = tail;
            }
            None => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

pub fn rewording_grade(old: &str, new: &str) -> Grade {
    let norm = |s: &str| -> String {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let (a, b) = (norm(old), norm(new));
    let letters = |s: &str| -> String { s.chars().filter(|c| c.is_alphanumeric()).collect() };
    // A link's target changed, its words did not: `[values](/a)` → `[values](/b)`.
    let (la, lb) = (link_labels(&a), link_labels(&b));
    if letters(&la) == letters(&lb) && (la != a || lb != b)
        || letters(&a) == letters(&b)
        || levenshtein(&a, &b) <= PATCH_EDITS
    {
        Grade::Patch
    } else {
        Grade::Minor
    }
}

struct Diff<'a> {
    a: &'a Framework,
    b: &'a Framework,
    out: Vec<Change>,
}

fn scope_layer(layer: &str, level: Option<&str>) -> Scope {
    Scope {
        layer: Some(layer.to_owned()),
        level: level.map(str::to_owned),
        ..Scope::default()
    }
}

fn scope_family(family: &str, specialty: Option<&str>, level: Option<&str>) -> Scope {
    Scope {
        family: Some(family.to_owned()),
        specialty: specialty.map(str::to_owned),
        level: level.map(str::to_owned),
        ..Scope::default()
    }
}

fn quote(text: &str) -> String {
    format!("“{}”", text.trim())
}

impl<'a> Diff<'a> {
    fn push(
        &mut self,
        grade: Grade,
        kind: &'static str,
        scope: Scope,
        summary: String,
    ) -> &mut Change {
        self.out.push(Change {
            grade,
            kind,
            scope,
            id: None,
            summary,
            old: None,
            new: None,
            words: Vec::new(),
            also: Vec::new(),
        });
        let last = self.out.len() - 1;
        #[allow(clippy::indexing_slicing)] // just pushed
        &mut self.out[last]
    }

    fn level_title<'f>(fw: &'f Framework, id: &'f str) -> &'f str {
        fw.level(id).map_or(id, |l| l.title.as_str())
    }

    fn text<'f>(fw: &'f Framework, id: &str) -> &'f str {
        fw.items.get(id).map_or("", |i| i.text.as_str())
    }

    /// Does some (layer, level) of the new version expect `id` where the
    /// old one did not?
    fn raises_bar(
        &self,
        id: &str,
        cache: &mut BTreeMap<(String, String), BTreeSet<String>>,
    ) -> bool {
        for layer in &self.b.layers {
            for level in &self.b.config.levels {
                let key = (layer.id.clone(), level.id.clone());
                let cum = cache.entry(key).or_insert_with(|| {
                    expectations(self.b, &layer.id, &level.id, false)
                        .into_iter()
                        .map(|e| e.id)
                        .collect()
                });
                if !cum.contains(id) {
                    continue;
                }
                let old_has = self.a.layer(&layer.id).is_some()
                    && self.a.level(&level.id).is_some()
                    && expectations(self.a, &layer.id, &level.id, false)
                        .iter()
                        .any(|e| e.id == id);
                if !old_has {
                    return true;
                }
            }
        }
        false
    }

    fn levels(&mut self) {
        let (a, b) = (self.a, self.b);
        for l in &b.config.levels {
            match a.level(&l.id) {
                None => {
                    self.push(
                        Grade::Minor,
                        "level_added",
                        Scope {
                            level: Some(l.id.clone()),
                            ..Scope::default()
                        },
                        format!("New level {} (grade {}).", l.title, l.grade),
                    );
                }
                Some(old) => {
                    let scope = Scope {
                        level: Some(l.id.clone()),
                        ..Scope::default()
                    };
                    if old.title != l.title {
                        let c = self.push(
                            Grade::Patch,
                            "level_renamed",
                            scope.clone(),
                            format!("Level {} is now called {}.", old.title, l.title),
                        );
                        c.old = Some(old.title.clone());
                        c.new = Some(l.title.clone());
                    }
                    if old.grade != l.grade {
                        let c = self.push(
                            Grade::Minor,
                            "level_grade_changed",
                            scope.clone(),
                            format!(
                                "{} moves from grade {} to grade {}.",
                                l.title, old.grade, l.grade
                            ),
                        );
                        c.old = Some(old.grade.to_string());
                        c.new = Some(l.grade.to_string());
                    }
                    if old.below != l.below {
                        let name = |x: &Option<String>, fw: &Framework| {
                            x.as_deref().map_or("nothing".to_owned(), |x| {
                                Self::level_title(fw, x).to_owned()
                            })
                        };
                        self.push(
                            Grade::Minor,
                            "level_order_changed",
                            scope,
                            format!(
                                "{} now builds on {} instead of {}.",
                                l.title,
                                name(&l.below, b),
                                name(&old.below, a)
                            ),
                        );
                    }
                }
            }
        }
        for l in &a.config.levels {
            if b.level(&l.id).is_none() {
                self.push(
                    Grade::Minor,
                    "level_removed",
                    Scope {
                        level: Some(l.id.clone()),
                        ..Scope::default()
                    },
                    format!("Level {} is removed.", l.title),
                );
            }
        }
    }

    fn layers(&mut self) {
        let (a, b) = (self.a, self.b);
        for l in &b.layers {
            match a.layer(&l.id) {
                None => {
                    self.push(
                        Grade::Minor,
                        "layer_added",
                        scope_layer(&l.id, None),
                        format!("New competency layer {}.", l.title),
                    );
                }
                Some(old) => {
                    if old.title != l.title {
                        let c = self.push(
                            Grade::Patch,
                            "layer_renamed",
                            scope_layer(&l.id, None),
                            format!("Layer {} is now called {}.", old.title, l.title),
                        );
                        c.old = Some(old.title.clone());
                        c.new = Some(l.title.clone());
                    }
                    if old.below != l.below {
                        let show = |m: &std::collections::BTreeMap<String, Option<String>>| {
                            if m.is_empty() {
                                return "ladder.yaml's".to_owned();
                            }
                            m.iter()
                                .map(|(k, v)| {
                                    format!("{k} on {}", v.as_deref().unwrap_or("nothing"))
                                })
                                .collect::<Vec<_>>()
                                .join(", ")
                        };
                        self.push(
                            Grade::Minor,
                            "layer_level_order_changed",
                            scope_layer(&l.id, None),
                            format!(
                                "In {}, levels now build on each other as: {} (was: {}).",
                                l.title,
                                show(&l.below),
                                show(&old.below)
                            ),
                        );
                    }
                    if old.extends != l.extends {
                        self.push(
                            Grade::Minor,
                            "layer_parent_changed",
                            scope_layer(&l.id, None),
                            format!(
                                "{} now extends {} instead of {}.",
                                l.title,
                                l.extends.as_deref().unwrap_or("nothing"),
                                old.extends.as_deref().unwrap_or("nothing")
                            ),
                        );
                    }
                }
            }
        }
        for l in &a.layers {
            if b.layer(&l.id).is_none() {
                self.push(
                    Grade::Minor,
                    "layer_removed",
                    scope_layer(&l.id, None),
                    format!("Competency layer {} is removed.", l.title),
                );
            }
        }
    }

    /// Statements: added, removed, reworded, moved.
    fn statements(&mut self) {
        let (a, b) = (self.a, self.b);
        type Placed<'f> = BTreeMap<&'f str, BTreeMap<&'f str, (&'f str, &'f str)>>;
        let placed = |fw: &'a Framework| -> Placed<'a> {
            let mut m: Placed<'a> = BTreeMap::new();
            for l in &fw.layers {
                for p in &l.placements {
                    m.entry(&*p.item)
                        .or_default()
                        .entry(l.id.as_str())
                        .or_insert((&*p.level, &*p.category));
                }
            }
            m
        };
        let (pa, pb) = (placed(a), placed(b));
        let mut cache = BTreeMap::new();
        let empty = BTreeMap::new();
        let ids: BTreeSet<&str> = pa.keys().chain(pb.keys()).copied().collect();
        for id in ids {
            let old = pa.get(id).unwrap_or(&empty);
            let new = pb.get(id).unwrap_or(&empty);
            let text = Self::text(b, id);
            let old_text = Self::text(a, id);
            let mut gone: Vec<(&str, (&str, &str))> = Vec::new();
            let mut came: Vec<(&str, (&str, &str))> = Vec::new();
            for (layer, &(level, cat)) in new {
                match old.get(layer) {
                    None => came.push((layer, (level, cat))),
                    Some(&(old_level, old_cat)) => {
                        if old_level != level {
                            self.moved(id, (layer, old_level), (layer, level), text, &mut cache);
                        } else if old_cat != cat {
                            let c = self.push(
                                Grade::Patch,
                                "statement_recategorised",
                                scope_layer(layer, Some(level)),
                                format!(
                                    "{} is now listed under {} instead of {}.",
                                    quote(text),
                                    cat,
                                    old_cat
                                ),
                            );
                            c.id = Some(id.to_owned());
                        }
                    }
                }
            }
            for (layer, &place) in old {
                if !new.contains_key(layer) {
                    gone.push((layer, place));
                }
            }
            // A statement that left one layer and arrived in another moved.
            while let (Some(g), Some(c)) = (gone.first().copied(), came.first().copied()) {
                gone.remove(0);
                came.remove(0);
                self.moved(id, (g.0, g.1.0), (c.0, c.1.0), text, &mut cache);
            }
            for (layer, (level, cat)) in came {
                let c = self.push(
                    Grade::Major,
                    "statement_added",
                    scope_layer(layer, Some(level)),
                    format!("New {} expectation: {}", cat, quote(text)),
                );
                c.id = Some(id.to_owned());
                c.new = Some(text.to_owned());
            }
            for (layer, (level, cat)) in gone {
                let still = if b.items.contains_key(id) && !new.is_empty() {
                    " (still expected elsewhere)"
                } else {
                    ""
                };
                let c = self.push(
                    Grade::Minor,
                    "statement_removed",
                    scope_layer(layer, Some(level)),
                    format!("No longer expected{still} ({cat}): {}", quote(old_text)),
                );
                c.id = Some(id.to_owned());
                c.old = Some(old_text.to_owned());
            }
            if !old.is_empty() && !new.is_empty() && old_text != text {
                let mut places = new.iter().map(|(l, (lv, _))| scope_layer(l, Some(lv)));
                let first = places.next().unwrap_or_default();
                let also: Vec<Scope> = places.collect();
                let what = if also.is_empty() {
                    "Reworded".to_owned()
                } else {
                    format!("Reworded in {} layers", also.len() + 1)
                };
                self.reworded(id, first, "statement_reworded", &what);
                if let Some(c) = self.out.last_mut() {
                    c.also = also;
                }
            }
        }
    }

    fn moved(
        &mut self,
        id: &str,
        from: (&str, &str),
        to: (&str, &str),
        text: &str,
        cache: &mut BTreeMap<(String, String), BTreeSet<String>>,
    ) {
        let grade = if self.raises_bar(id, cache) {
            Grade::Major
        } else {
            Grade::Minor
        };
        let (a, b) = (self.a, self.b);
        let place = |fw: &Framework, (layer, level): (&str, &str)| {
            let lt = fw.layer(layer).map_or(layer, |l| l.title.as_str());
            format!("{} {}", lt, Self::level_title(fw, level))
        };
        let effect = if grade == Grade::Major {
            "the bar rises"
        } else {
            "no bar rises"
        };
        let c = self.push(
            grade,
            "statement_moved",
            scope_layer(to.0, Some(to.1)),
            format!(
                "Moved from {} to {} ({effect}): {}",
                place(a, from),
                place(b, to),
                quote(text)
            ),
        );
        c.id = Some(id.to_owned());
        c.old = Some(format!("{}@{}", from.0, from.1));
        c.new = Some(format!("{}@{}", to.0, to.1));
    }

    fn reworded(&mut self, id: &str, scope: Scope, kind: &'static str, what: &str) {
        let old = Self::text(self.a, id).to_owned();
        let new = Self::text(self.b, id).to_owned();
        let grade = rewording_grade(&old, &new);
        let label = if grade == Grade::Patch {
            "typo fix"
        } else {
            "clarified"
        };
        let c = self.push(
            grade,
            kind,
            scope,
            format!("{what} ({label}): {}", quote(&new)),
        );
        c.id = Some(id.to_owned());
        c.words = word_diff(&old, &new);
        c.old = Some(old);
        c.new = Some(new);
    }

    fn section(&mut self, scope: &Scope, what: &str, old: &Section, new: &Section) {
        let noun = match what {
            "responsibilities" => "responsibility",
            "nice-to-haves" => "nice-to-have",
            "performance indicators" => "performance indicator",
            other => other.trim_end_matches('s'),
        };
        for id in &new.items {
            if old.items.contains(id) {
                if Self::text(self.a, id) != Self::text(self.b, id) {
                    self.reworded(
                        id,
                        scope.clone(),
                        "item_reworded",
                        &format!("{noun} reworded"),
                    );
                }
                continue;
            }
            let text = Self::text(self.b, id);
            let grade = if matches!(what, "responsibilities" | "requirements") {
                Grade::Major
            } else {
                Grade::Minor
            };
            let c = self.push(
                grade,
                "item_added",
                scope.clone(),
                format!("New {noun}: {}", quote(text)),
            );
            c.id = Some(id.clone());
            c.new = Some(text.to_owned());
        }
        for id in &old.items {
            if !new.items.contains(id) {
                let text = Self::text(self.a, id);
                let c = self.push(
                    Grade::Minor,
                    "item_removed",
                    scope.clone(),
                    format!("Removed {noun}: {}", quote(text)),
                );
                c.id = Some(id.clone());
                c.old = Some(text.to_owned());
            }
        }
        if old.prose.trim() != new.prose.trim() {
            let grade = rewording_grade(&old.prose, &new.prose);
            let c = self.push(
                grade,
                "prose_changed",
                scope.clone(),
                format!("The {what} text changed."),
            );
            c.words = word_diff(&old.prose, &new.prose);
            c.old = Some(old.prose.clone());
            c.new = Some(new.prose.clone());
        }
    }

    fn families(&mut self) {
        let (a, b) = (self.a, self.b);
        let mut renamed: BTreeSet<&str> = BTreeSet::new();
        for f in &b.families {
            let Some(old) = a.family(&f.id) else {
                // The same title under a new id is a rename.
                if let Some(old) = a
                    .families
                    .iter()
                    .find(|o| o.title == f.title && b.family(&o.id).is_none())
                {
                    renamed.insert(&old.id);
                    let c = self.push(
                        Grade::Patch,
                        "family_renamed",
                        scope_family(&f.id, None, None),
                        format!(
                            "Family {} changes its id from `{}` to `{}`.",
                            f.title, old.id, f.id
                        ),
                    );
                    c.old = Some(old.id.clone());
                    c.new = Some(f.id.clone());
                    self.family(old, f);
                } else {
                    self.push(
                        Grade::Minor,
                        "family_added",
                        scope_family(&f.id, None, None),
                        format!("New job family {}.", f.title),
                    );
                }
                continue;
            };
            if old.title != f.title {
                let c = self.push(
                    Grade::Patch,
                    "family_renamed",
                    scope_family(&f.id, None, None),
                    format!("{} is now called {}.", old.title, f.title),
                );
                c.old = Some(old.title.clone());
                c.new = Some(f.title.clone());
            }
            self.family(old, f);
        }
        for f in &a.families {
            if b.family(&f.id).is_none() && !renamed.contains(f.id.as_str()) {
                self.push(
                    Grade::Minor,
                    "family_removed",
                    scope_family(&f.id, None, None),
                    format!("Job family {} is removed.", f.title),
                );
            }
        }
    }

    fn family(&mut self, old: &Family, new: &Family) {
        let fam = |level: Option<&str>| scope_family(&new.id, None, level);
        if old.layer != new.layer {
            let c = self.push(
                Grade::Minor,
                "family_layer_changed",
                fam(None),
                format!(
                    "{} now uses the {} layer instead of {}.",
                    new.title, new.layer, old.layer
                ),
            );
            c.old = Some(old.layer.clone());
            c.new = Some(new.layer.clone());
        }
        if old.description.trim() != new.description.trim() {
            let grade = rewording_grade(&old.description, &new.description);
            let c = self.push(
                grade,
                "description_changed",
                fam(None),
                format!("The description of {} changed.", new.title),
            );
            c.words = word_diff(&old.description, &new.description);
            c.old = Some(old.description.clone());
            c.new = Some(new.description.clone());
        }
        self.section(
            &fam(None),
            "responsibilities",
            &old.responsibilities,
            &new.responsibilities,
        );
        self.section(
            &fam(None),
            "requirements",
            &old.requirements,
            &new.requirements,
        );
        self.section(
            &fam(None),
            "nice-to-haves",
            &old.nice_to_have,
            &new.nice_to_have,
        );
        self.section(
            &fam(None),
            "performance indicators",
            &old.performance_indicators,
            &new.performance_indicators,
        );
        let empty = crate::model::FamilyLevel {
            level: String::new(),
            grade: 0.0,
            responsibilities: Section::default(),
            requirements: Section::default(),
        };
        for l in &new.levels {
            let title = Self::level_title(self.b, &l.level).to_owned();
            match old.levels.iter().find(|o| o.level == l.level) {
                None => {
                    self.push(
                        Grade::Minor,
                        "family_level_added",
                        fam(Some(&l.level)),
                        format!("{} {} is a new role (grade {}).", title, new.title, l.grade),
                    );
                    self.section(
                        &fam(Some(&l.level)),
                        "responsibilities",
                        &empty.responsibilities,
                        &l.responsibilities,
                    );
                    self.section(
                        &fam(Some(&l.level)),
                        "requirements",
                        &empty.requirements,
                        &l.requirements,
                    );
                }
                Some(o) => {
                    if o.grade != l.grade {
                        let c = self.push(
                            Grade::Minor,
                            "grade_changed",
                            fam(Some(&l.level)),
                            format!(
                                "{} {} moves from grade {} to grade {}.",
                                title, new.title, o.grade, l.grade
                            ),
                        );
                        c.old = Some(o.grade.to_string());
                        c.new = Some(l.grade.to_string());
                    }
                    self.section(
                        &fam(Some(&l.level)),
                        "responsibilities",
                        &o.responsibilities,
                        &l.responsibilities,
                    );
                    self.section(
                        &fam(Some(&l.level)),
                        "requirements",
                        &o.requirements,
                        &l.requirements,
                    );
                }
            }
        }
        for o in &old.levels {
            if !new.levels.iter().any(|l| l.level == o.level) {
                let title = Self::level_title(self.a, &o.level).to_owned();
                self.push(
                    Grade::Minor,
                    "family_level_removed",
                    fam(Some(&o.level)),
                    format!(
                        "{} {} is no longer a role in this family.",
                        title, old.title
                    ),
                );
            }
        }
        self.specialties(old, new);
        self.hiring(&new.id, &old.hiring_process, &new.hiring_process);
    }

    fn specialties(&mut self, old: &Family, new: &Family) {
        let mut paired: BTreeSet<&str> = BTreeSet::new();
        for s in &new.specialties {
            let scope = scope_family(&new.id, Some(&s.id), None);
            let unpaired_old = |o: &&Specialty| !new.specialties.iter().any(|n| n.id == o.id);
            let found = old
                .specialties
                .iter()
                .find(|o| o.id == s.id)
                .or_else(|| {
                    old.specialties
                        .iter()
                        .filter(unpaired_old)
                        .find(|o| o.title == s.title)
                })
                .or_else(|| {
                    // Renamed: most of its items say the same as before.
                    let new_texts = self.specialty_texts(self.b, s);
                    old.specialties
                        .iter()
                        .filter(unpaired_old)
                        .filter(|o| !paired.contains(o.id.as_str()))
                        .map(|o| (overlap(&self.specialty_texts(self.a, o), &new_texts), o))
                        .filter(|(share, _)| *share >= 0.5)
                        .max_by(|x, y| x.0.total_cmp(&y.0))
                        .map(|(_, o)| o)
                });
            let Some(o) = found else {
                self.push(
                    Grade::Minor,
                    "specialty_added",
                    scope,
                    format!("New specialty {} in {}.", s.title, new.title),
                );
                continue;
            };
            paired.insert(&o.id);
            if o.title != s.title || o.id != s.id {
                let c = self.push(
                    Grade::Patch,
                    "specialty_renamed",
                    scope.clone(),
                    format!("Specialty {} is now called {}.", o.title, s.title),
                );
                c.old = Some(o.title.clone());
                c.new = Some(s.title.clone());
            }
            if o.layer != s.layer {
                self.push(
                    Grade::Minor,
                    "specialty_layer_changed",
                    scope.clone(),
                    format!(
                        "Specialty {} now uses the {} layer instead of {}.",
                        s.title,
                        s.layer.as_deref().unwrap_or("family's"),
                        o.layer.as_deref().unwrap_or("family's")
                    ),
                );
            }
            self.section(
                &scope,
                "responsibilities",
                &o.responsibilities,
                &s.responsibilities,
            );
            self.section(&scope, "requirements", &o.requirements, &s.requirements);
            self.section(&scope, "nice-to-haves", &o.nice_to_have, &s.nice_to_have);
        }
        for o in &old.specialties {
            if !paired.contains(o.id.as_str()) {
                // Split: its items now live in two or more new specialties.
                let old_texts = self.specialty_texts(self.a, o);
                let parts: Vec<&Specialty> = new
                    .specialties
                    .iter()
                    .filter(|n| !old.specialties.iter().any(|x| x.id == n.id))
                    .filter(|n| overlap(&old_texts, &self.specialty_texts(self.b, n)) > 0.0)
                    .collect();
                if parts.len() >= 2 {
                    let names: Vec<&str> = parts.iter().map(|p| p.title.as_str()).collect();
                    self.push(
                        Grade::Minor,
                        "specialty_split",
                        scope_family(&new.id, Some(&o.id), None),
                        format!(
                            "Specialty {} is split into {}.",
                            o.title,
                            names.join(" and ")
                        ),
                    );
                    continue;
                }
                self.push(
                    Grade::Minor,
                    "specialty_removed",
                    scope_family(&new.id, Some(&o.id), None),
                    format!("Specialty {} is dropped from {}.", o.title, new.title),
                );
            }
        }
    }

    /// The normalised texts of a specialty's items.
    fn specialty_texts(&self, fw: &Framework, s: &Specialty) -> BTreeSet<String> {
        s.responsibilities
            .items
            .iter()
            .chain(&s.requirements.items)
            .chain(&s.nice_to_have.items)
            .filter_map(|id| fw.items.get(id))
            .map(|i| crate::similar::words(&i.text).join(" "))
            .collect()
    }

    fn hiring(&mut self, family: &str, old: &[HiringStage], new: &[HiringStage]) {
        let scope = scope_family(family, None, None);
        let describe =
            |s: &HiringStage| format!("{} ({} minutes with {})", s.name, s.minutes, s.interviewer);
        for (i, s) in new.iter().enumerate() {
            match old.iter().position(|o| o.id == s.id) {
                None => {
                    let c = self.push(
                        Grade::Minor,
                        "hiring_stage_added",
                        scope.clone(),
                        format!("New hiring stage {}: {}.", i + 1, describe(s)),
                    );
                    c.id = Some(s.id.clone());
                }
                Some(j) => {
                    let Some(o) = old.get(j) else { continue };
                    if o != s {
                        let c = self.push(
                            Grade::Minor,
                            "hiring_stage_changed",
                            scope.clone(),
                            format!(
                                "Hiring stage {} was {} and is now {}.",
                                i + 1,
                                describe(o),
                                describe(s)
                            ),
                        );
                        c.id = Some(s.id.clone());
                        c.old = Some(describe(o));
                        c.new = Some(describe(s));
                    }
                }
            }
        }
        let order = |v: &[HiringStage]| -> Vec<String> { v.iter().map(|s| s.id.clone()).collect() };
        let kept_old: Vec<String> = order(old)
            .into_iter()
            .filter(|id| new.iter().any(|s| &s.id == id))
            .collect();
        let kept_new: Vec<String> = order(new)
            .into_iter()
            .filter(|id| old.iter().any(|s| &s.id == id))
            .collect();
        if kept_old != kept_new {
            self.push(
                Grade::Minor,
                "hiring_stages_reordered",
                scope.clone(),
                format!(
                    "The hiring stages now run in the order {}.",
                    kept_new.join(", ")
                ),
            );
        }
        for o in old {
            if !new.iter().any(|s| s.id == o.id) {
                let c = self.push(
                    Grade::Minor,
                    "hiring_stage_removed",
                    scope.clone(),
                    format!("Hiring stage removed: {}.", describe(o)),
                );
                c.id = Some(o.id.clone());
            }
        }
    }
}

/// Everything that changed from `old` to `new`, graded.
pub fn diff(old: &Framework, new: &Framework) -> Report {
    let mut d = Diff {
        a: old,
        b: new,
        out: Vec::new(),
    };
    d.levels();
    d.layers();
    d.statements();
    d.families();
    let mut changes = d.out;
    // Report order: families first, then layers, each by level order; the
    // framework-wide changes first of all. Stable within a group.
    let level_rank = |l: &Option<String>| {
        l.as_deref()
            .and_then(|l| new.config.levels.iter().position(|x| x.id == l))
            .map_or(0, |p| p + 1)
    };
    changes.sort_by_key(|c| {
        (
            c.scope.family.is_none() && c.scope.layer.is_some(),
            c.scope.family.clone(),
            c.scope.layer.clone(),
            c.scope.specialty.clone(),
            level_rank(&c.scope.level),
        )
    });
    Report {
        grade: changes.iter().map(|c| c.grade).max(),
        changes,
    }
}

fn blank_line(out: &mut String) {
    while !out.ends_with("\n\n") {
        out.push('\n');
    }
}

fn md_words(ops: &[WordOp]) -> String {
    let parts: Vec<String> = ops
        .iter()
        .map(|op| match op {
            WordOp::Same(t) => t.clone(),
            WordOp::Removed(t) => format!("~~{t}~~"),
            WordOp::Added(t) => format!("**{t}**"),
        })
        .collect();
    parts.join(" ")
}

/// The report as release notes a manager can read, grouped by family and
/// layer, then level.
pub fn markdown(report: &Report, old: &Framework, new: &Framework) -> String {
    use std::fmt::Write as _;
    let mut out = String::from("# Framework changes\n\n");
    let Some(grade) = report.grade else {
        out.push_str("No changes: both versions expect exactly the same.\n");
        return out;
    };
    let meaning = match grade {
        Grade::Major => {
            "the bar rises at some level: people there are now expected to do more than before."
        }
        Grade::Minor => "clarifications, removals and structure only; nobody's bar rises.",
        Grade::Patch => "typo-sized fixes and renames only.",
    };
    let _ = writeln!(
        out,
        "**Overall: {}** — {meaning}\n\n{} major, {} minor, {} patch.",
        grade.as_str(),
        report.count(Grade::Major),
        report.count(Grade::Minor),
        report.count(Grade::Patch)
    );
    let title =
        |fw: &[&Framework], f: &dyn Fn(&Framework) -> Option<String>| fw.iter().find_map(|x| f(x));
    let both = [new, old];
    let mut heading: Option<(Option<String>, Option<String>)> = None;
    let mut sub: Option<(Option<String>, Option<String>)> = None;
    for c in &report.changes {
        let h = (c.scope.family.clone(), c.scope.layer.clone());
        if heading.as_ref() != Some(&h) {
            let text = match &h {
                (Some(f), _) => {
                    let t = title(&both, &|fw| fw.family(f).map(|x| x.title.clone()))
                        .unwrap_or_else(|| f.clone());
                    format!("{t} (job family)")
                }
                (None, Some(l)) => {
                    let t = title(&both, &|fw| fw.layer(l).map(|x| x.title.clone()))
                        .unwrap_or_else(|| l.clone());
                    format!("{t} (competency layer)")
                }
                (None, None) => "Across the framework".to_owned(),
            };
            blank_line(&mut out);
            let _ = writeln!(out, "## {text}\n");
            heading = Some(h);
            sub = None;
        }
        let s = if c.scope.family.is_none() && c.scope.layer.is_none() {
            (None, None)
        } else {
            (c.scope.specialty.clone(), c.scope.level.clone())
        };
        if sub.as_ref() != Some(&s) {
            let mut parts = Vec::new();
            if let Some(sp) = &s.0 {
                let t = c.scope.family.as_deref().and_then(|f| {
                    title(&both, &|fw| {
                        fw.family(f)?
                            .specialties
                            .iter()
                            .find(|x| &x.id == sp)
                            .map(|x| x.title.clone())
                    })
                });
                parts.push(format!("Specialty: {}", t.unwrap_or_else(|| sp.clone())));
            }
            if let Some(l) = &s.1 {
                parts.push(
                    title(&both, &|fw| fw.level(l).map(|x| x.title.clone()))
                        .unwrap_or_else(|| l.clone()),
                );
            }
            if !parts.is_empty() {
                blank_line(&mut out);
                let _ = writeln!(out, "### {}\n", parts.join(" · "));
            }
            sub = Some(s);
        }
        let _ = write!(out, "- **{}** · {}", c.grade.as_str(), c.summary);
        if let Some(id) = &c.id {
            let _ = write!(out, " (`{id}`)");
        }
        if !c.also.is_empty() {
            let places: Vec<String> = c
                .also
                .iter()
                .map(|s| {
                    let layer = s.layer.as_deref().unwrap_or("");
                    let t = title(&both, &|fw| fw.layer(layer).map(|x| x.title.clone()))
                        .unwrap_or_else(|| layer.to_owned());
                    match &s.level {
                        Some(l) => format!(
                            "{t} · {}",
                            title(&both, &|fw| fw.level(l).map(|x| x.title.clone()))
                                .unwrap_or_else(|| l.clone())
                        ),
                        None => t,
                    }
                })
                .collect();
            let _ = write!(out, "; also in {}", places.join(", "));
        }
        out.push('\n');
        if !c.words.is_empty() && c.words.iter().any(|w| !matches!(w, WordOp::Same(_))) {
            let _ = writeln!(out, "  - {}", md_words(&c.words));
        }
    }
    out
}

/// The share of `a`'s texts that `b` also has.
fn overlap(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    if a.is_empty() {
        return 0.0;
    }
    a.intersection(b).count() as f64 / a.len() as f64
}
