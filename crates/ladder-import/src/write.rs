//! The importers' common target: a framework described plainly, written out
//! in Ladder's source format, given stable ids and checked by the compiler.

use crate::{Import, Report, Severity};
use ladder_framework::{FileSet, compile, ids};
use std::collections::BTreeMap;
use std::fmt::Write as _;

#[derive(Clone, Debug, Default)]
pub struct Framework {
    pub organisation: String,
    pub levels: Vec<LevelOut>,
    /// (id, title), in display order.
    pub categories: Vec<(String, String)>,
    pub layers: Vec<LayerOut>,
    pub includes: Vec<IncludeOut>,
    pub families: Vec<FamilyOut>,
    /// Pages kept whole as prose (path → text).
    pub prose_pages: BTreeMap<String, String>,
    /// Where the source site was published: written as `source_url` in
    /// ladder.yaml, where `source:` links point.
    pub base_url: Option<String>,
}

/// Rewrites the links of a text so the site builds and no target is lost:
/// links with a scheme are kept, site-absolute ones (`/handbook/values/`)
/// become `source:` links (into the source site, at `source_url` when it is
/// known), links relative to the source page or to its anchors are kept as
/// written as `source:` links too (no site can resolve them; the framework's
/// site shows their labels), reference-style links become their label.
/// `kept` counts the site-absolute, `count` the others.
pub fn relink(text: &str, kept: &mut usize, count: &mut usize) -> String {
    if !text.contains('[') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('[') {
        let (head, tail) = rest.split_at(i);
        out.push_str(head);
        let after = tail.get(1..).unwrap_or("");
        // The label may hold brackets of its own only when balanced; keep simple.
        let Some(j) = after.find(']') else {
            out.push_str(tail);
            return out;
        };
        let label = after.get(..j).unwrap_or("");
        let next = after.get(j + 1..).unwrap_or("");
        if let Some(target_part) = next.strip_prefix('(') {
            let Some(k) = target_part.find(')') else {
                out.push('[');
                rest = after;
                continue;
            };
            let target = target_part.get(..k).unwrap_or("").trim();
            rest = target_part.get(k + 1..).unwrap_or("");
            let has_scheme = ["http://", "https://", "mailto:", "source:"]
                .iter()
                .any(|p| target.starts_with(p));
            if has_scheme {
                out.push_str(&format!("[{label}]({target})"));
            } else if target.starts_with('/') && !target.starts_with("//") {
                *kept += 1;
                out.push_str(&format!("[{label}](source:{target})"));
            } else if !target.is_empty() && !target.contains(char::is_whitespace) {
                // Relative to the source page, or one of its anchors: kept
                // as written, though no site can resolve it.
                *count += 1;
                out.push_str(&format!("[{label}](source:{target})"));
            } else {
                *count += 1;
                out.push_str(label);
            }
        } else if let Some(r) = next.strip_prefix('[') {
            // `[label][ref]`: the definitions are not imported.
            let k = r.find(']').unwrap_or(r.len());
            *count += 1;
            out.push_str(label);
            rest = r.get(k + 1..).unwrap_or("");
        } else {
            out.push('[');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[derive(Clone, Debug)]
pub struct LevelOut {
    pub id: String,
    pub title: String,
    pub grade: f64,
    pub below: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct LayerOut {
    pub id: String,
    pub title: String,
    pub extends: Option<String>,
    /// The layer's own level order where it differs from the levels'.
    pub below: BTreeMap<String, Option<String>>,
    pub description: Vec<String>,
    /// Per level, in level order: what its page holds.
    pub levels: Vec<(String, Vec<Entry>)>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    Prose(String),
    /// Starts a category (its id).
    Category(String),
    Group(String),
    Statement {
        text: String,
        id: Option<String>,
    },
    Include(String),
}

#[derive(Clone, Debug, Default)]
pub struct IncludeOut {
    pub path: String,
    /// Groups, statements and prose, in order.
    pub entries: Vec<Entry>,
}

#[derive(Clone, Debug, Default)]
pub struct ListOut {
    pub prose: Vec<String>,
    pub items: Vec<(String, Option<String>)>,
}

impl ListOut {
    pub fn is_empty(&self) -> bool {
        self.prose.is_empty() && self.items.is_empty()
    }
}

#[derive(Clone, Debug, Default)]
pub struct StageOut {
    pub name: String,
    pub minutes: u32,
    pub interviewer: String,
}

#[derive(Clone, Debug, Default)]
pub struct SpecialtyOut {
    pub id: String,
    pub title: String,
    pub description: Vec<String>,
    pub requirements: ListOut,
    pub responsibilities: ListOut,
    pub nice_to_have: ListOut,
}

#[derive(Clone, Debug, Default)]
pub struct FamilyOut {
    pub id: String,
    pub title: String,
    pub layer: String,
    pub levels: Vec<String>,
    pub grades: BTreeMap<String, f64>,
    pub hiring: Vec<StageOut>,
    pub description: Vec<String>,
    pub responsibilities: ListOut,
    pub requirements: ListOut,
    pub nice_to_have: ListOut,
    pub performance_indicators: ListOut,
    /// level → (responsibilities, requirements)
    pub level_lists: Vec<(String, ListOut, ListOut)>,
    pub specialties: Vec<SpecialtyOut>,
    /// Sections kept as prose: (heading, paragraphs).
    pub other: Vec<(String, Vec<String>)>,
    /// The file it was read from, for the report.
    pub source: String,
    /// Competencies the family's pages give per level under category
    /// headings (level → entries): they go to the family's own layer.
    pub competencies: Vec<(String, Vec<Entry>)>,
}

impl crate::FamilyScope {
    /// Where a family's statements landed.
    pub(crate) fn of(f: &FamilyOut) -> crate::FamilyScope {
        let family_wide = f.responsibilities.items.len() + f.requirements.items.len();
        let mut levels: std::collections::BTreeMap<String, usize> = f
            .level_lists
            .iter()
            .map(|(l, a, b)| (l.clone(), a.items.len() + b.items.len()))
            .collect();
        for (l, es) in &f.competencies {
            let n = es
                .iter()
                .filter(|e| matches!(e, Entry::Statement { .. }))
                .count();
            *levels.entry(l.clone()).or_default() += n;
        }
        crate::FamilyScope {
            family: f.id.clone(),
            source: f.source.clone(),
            family_wide,
            levels,
            specialties: f
                .specialties
                .iter()
                .map(|s| {
                    (
                        s.id.clone(),
                        s.responsibilities.items.len()
                            + s.requirements.items.len()
                            + s.nice_to_have.items.len(),
                    )
                })
                .collect(),
        }
    }
}

/// The index of the pair keyed `k` in an ordered list of pairs, appended
/// with an empty value if new. Indices stay valid: pairs are only appended.
pub(crate) fn slot<K: PartialEq, V: Default>(v: &mut Vec<(K, V)>, k: K) -> usize {
    match v.iter().position(|x| x.0 == k) {
        Some(i) => i,
        None => {
            v.push((k, V::default()));
            v.len() - 1
        }
    }
}

/// The value keyed `k`, appended empty if new.
#[allow(clippy::indexing_slicing)] // `slot` returns an index that exists
pub(crate) fn entry<K: PartialEq, V: Default>(v: &mut Vec<(K, V)>, k: K) -> &mut V {
    let i = slot(v, k);
    &mut v[i].1
}

/// Gathers the entries written after each `Entry::Category` marker under
/// one marker per category, in first-seen order, so a level has one
/// `### category` section each. Entries before the first marker stay first.
pub(crate) fn group_by_category(entries: &mut Vec<Entry>) {
    let mut head = Vec::new();
    let mut by_cat: Vec<(String, Vec<Entry>)> = Vec::new();
    let mut cur: Option<usize> = None;
    for e in entries.drain(..) {
        match (e, cur) {
            (Entry::Category(c), _) => cur = Some(slot(&mut by_cat, c)),
            (other, Some(i)) => {
                if let Some(x) = by_cat.get_mut(i) {
                    x.1.push(other);
                }
            }
            (other, None) => head.push(other),
        }
    }
    entries.extend(head);
    for (c, es) in by_cat {
        entries.push(Entry::Category(c));
        entries.extend(es);
    }
}

/// A YAML scalar: JSON strings are valid YAML.
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}

/// Text that must stay one paragraph or one list item and never be read as
/// a directive or a heading.
fn safe(text: &str) -> String {
    let mut t = text.replace(['\r', '\n'], " ");
    if t.contains("{{") {
        t = t.replace("{{", "{ {");
    }
    if t.contains("{#") {
        t = t.replace("{#", "{ #");
    }
    t
}

fn prose(out: &mut String, p: &str) {
    let p = p.replace("{{", "{ {");
    let first = p.trim_start();
    if first.starts_with('#') || first.starts_with("- ") || first.starts_with("* ") {
        out.push('\\');
    }
    out.push_str(&p);
    out.push_str("\n\n");
}

fn item(out: &mut String, text: &str, id: &Option<String>) {
    let _ = write!(out, "- {}", safe(text));
    if let Some(id) = id {
        let _ = write!(out, " {{#{id}}}");
    }
    out.push('\n');
}

fn list(out: &mut String, heading: &str, l: &ListOut) {
    if l.is_empty() {
        return;
    }
    let _ = writeln!(out, "{heading}\n");
    for p in &l.prose {
        prose(out, p);
    }
    for (t, id) in &l.items {
        item(out, t, id);
    }
    out.push('\n');
}

impl Framework {
    fn level_title(&self, id: &str) -> String {
        self.levels
            .iter()
            .find(|l| l.id == id)
            .map_or_else(|| id.to_owned(), |l| l.title.clone())
    }

    fn category_title(&self, id: &str) -> String {
        self.categories
            .iter()
            .find(|c| c.0 == id)
            .map_or_else(|| id.to_owned(), |c| c.1.clone())
    }

    /// Applies [`relink`] to every text; how many links changed.
    fn relink_all(&mut self) -> (usize, usize) {
        let mut kept = 0;
        let mut n = 0;
        let mut fix = |t: &mut String| *t = relink(t, &mut kept, &mut n);
        let entries = |es: &mut Vec<Entry>, fix: &mut dyn FnMut(&mut String)| {
            for e in es {
                match e {
                    Entry::Prose(t) | Entry::Statement { text: t, .. } => fix(t),
                    _ => {}
                }
            }
        };
        for l in &mut self.layers {
            l.description.iter_mut().for_each(&mut fix);
            for (_, es) in &mut l.levels {
                entries(es, &mut fix);
            }
        }
        for i in &mut self.includes {
            entries(&mut i.entries, &mut fix);
        }
        let list = |l: &mut ListOut, fix: &mut dyn FnMut(&mut String)| {
            l.prose.iter_mut().for_each(&mut *fix);
            for (t, _) in &mut l.items {
                fix(t);
            }
        };
        for f in &mut self.families {
            f.description.iter_mut().for_each(&mut fix);
            list(&mut f.responsibilities, &mut fix);
            list(&mut f.requirements, &mut fix);
            list(&mut f.nice_to_have, &mut fix);
            list(&mut f.performance_indicators, &mut fix);
            for (_, a, b) in &mut f.level_lists {
                list(a, &mut fix);
                list(b, &mut fix);
            }
            for sp in &mut f.specialties {
                sp.description.iter_mut().for_each(&mut fix);
                list(&mut sp.requirements, &mut fix);
                list(&mut sp.responsibilities, &mut fix);
                list(&mut sp.nice_to_have, &mut fix);
            }
            for (_, ps) in &mut f.other {
                ps.iter_mut().for_each(&mut fix);
            }
        }
        (kept, n)
    }

    /// The source text of every file, before ids are given.
    pub fn render(&self) -> BTreeMap<String, String> {
        let mut files = BTreeMap::new();
        let mut y = String::new();
        let _ = writeln!(y, "organisation: {}", q(&self.organisation));
        if let Some(b) = &self.base_url {
            let _ = writeln!(y, "source_url: {}", q(b.trim_end_matches('/')));
        }
        let _ = writeln!(y, "\nlevels:");
        for l in &self.levels {
            let _ = write!(
                y,
                "  - id: {}\n    title: {}\n    grade: {}\n",
                l.id,
                q(&l.title),
                l.grade
            );
            if let Some(b) = &l.below {
                let _ = writeln!(y, "    below: {b}");
            }
        }
        y.push_str("\ncategories:\n");
        for (id, title) in &self.categories {
            let _ = writeln!(y, "  - id: {id}\n    title: {}", q(title));
        }
        files.insert("ladder.yaml".to_owned(), y);

        for layer in &self.layers {
            let mut s = format!("---\nid: {}\ntitle: {}\n", layer.id, q(&layer.title));
            if let Some(e) = &layer.extends {
                let _ = writeln!(s, "extends: {e}");
            }
            if !layer.below.is_empty() {
                s.push_str("below:\n");
                for (l, b) in &layer.below {
                    let _ = writeln!(s, "  {l}: {}", b.as_deref().unwrap_or("null"));
                }
            }
            s.push_str("---\n\n");
            for p in &layer.description {
                prose(&mut s, p);
            }
            for (level, entries) in &layer.levels {
                let _ = writeln!(s, "## {}\n", self.level_title(level));
                self.entries(&mut s, entries);
            }
            files.insert(format!("layers/{}.md", layer.id), s);
        }
        for inc in &self.includes {
            let mut s = String::new();
            self.entries(&mut s, &inc.entries);
            files.insert(inc.path.clone(), s);
        }
        for f in &self.families {
            files.insert(format!("families/{}.md", f.id), self.family(f));
        }
        for (p, t) in &self.prose_pages {
            files.insert(p.clone(), t.clone());
        }
        files
    }

    fn entries(&self, s: &mut String, entries: &[Entry]) {
        let mut in_list = false;
        for e in entries {
            let is_item = matches!(e, Entry::Statement { .. } | Entry::Include(_));
            if in_list && !is_item {
                s.push('\n');
            }
            match e {
                Entry::Prose(p) => prose(s, p),
                Entry::Category(c) => {
                    let _ = writeln!(s, "### {}\n", self.category_title(c));
                }
                Entry::Group(g) => {
                    let _ = writeln!(s, "#### {}\n", safe(g));
                }
                Entry::Statement { text, id } => item(s, text, id),
                Entry::Include(p) => {
                    let _ = writeln!(s, "{{{{% include \"{p}\" %}}}}");
                }
            }
            in_list = is_item;
        }
        if in_list {
            s.push('\n');
        }
    }

    fn family(&self, f: &FamilyOut) -> String {
        let mut s = format!(
            "---\nid: {}\ntitle: {}\nlayer: {}\nlevels: [{}]\n",
            f.id,
            q(&f.title),
            f.layer,
            f.levels.join(", ")
        );
        if !f.grades.is_empty() {
            s.push_str("grades:\n");
            for (l, g) in &f.grades {
                let _ = writeln!(s, "  {l}: {g}");
            }
        }
        if !f.hiring.is_empty() {
            s.push_str("hiring:\n");
            let mut ids = std::collections::BTreeSet::new();
            for h in &f.hiring {
                let base = ladder_framework::similar::slugify(&h.name);
                let mut id = base.clone();
                let mut n = 2;
                while !ids.insert(id.clone()) {
                    id = format!("{base}-{n}");
                    n += 1;
                }
                let _ = write!(
                    s,
                    "  - id: {id}\n    name: {}\n    minutes: {}\n    interviewer: {}\n",
                    q(&h.name),
                    h.minutes,
                    q(&h.interviewer)
                );
            }
        }
        s.push_str("---\n\n");
        for p in &f.description {
            prose(&mut s, p);
        }
        list(&mut s, "## Responsibilities", &f.responsibilities);
        list(&mut s, "## Requirements", &f.requirements);
        list(&mut s, "## Nice to have", &f.nice_to_have);
        list(
            &mut s,
            "## Performance indicators",
            &f.performance_indicators,
        );
        let levels: Vec<_> = f
            .level_lists
            .iter()
            .filter(|(_, a, b)| !a.is_empty() || !b.is_empty())
            .collect();
        if !levels.is_empty() {
            s.push_str("## Levels\n\n");
            for (l, resp, req) in levels {
                let _ = writeln!(s, "### {}\n", self.level_title(l));
                list(&mut s, "#### Responsibilities", resp);
                list(&mut s, "#### Requirements", req);
            }
        }
        if !f.specialties.is_empty() {
            s.push_str("## Specialties\n\n");
            for sp in &f.specialties {
                let _ = writeln!(s, "### {} {{#{}}}\n", safe(&sp.title), sp.id);
                for p in &sp.description {
                    prose(&mut s, p);
                }
                list(&mut s, "#### Requirements", &sp.requirements);
                list(&mut s, "#### Responsibilities", &sp.responsibilities);
                list(&mut s, "#### Nice to have", &sp.nice_to_have);
            }
        }
        for (h, paras) in &f.other {
            let _ = writeln!(s, "## {}\n", safe(h));
            for p in paras {
                prose(&mut s, p);
            }
        }
        s
    }

    /// Writes the framework, gives every statement its stable id and checks
    /// the result with the compiler; any error there is an import error.
    pub fn finish(&self, report: Report) -> Import {
        self.finish_with(report, None)
    }

    /// As [`Framework::finish`]; statements that match one of `previous`
    /// (an earlier import of the same source) by text, or by similar words
    /// when reworded, keep that one's id.
    pub fn finish_with(
        &self,
        mut report: Report,
        previous: Option<&ladder_framework::Framework>,
    ) -> Import {
        let mut me = self.clone();
        let (kept, relinked) = me.relink_all();
        if kept > 0 && self.base_url.is_none() {
            report.warn(
                "",
                0,
                "site-link",
                format!("{kept} links point into the source site (`/handbook/…`): they are kept as `source:` links, so `ladder diff` sees their targets change, and the framework's site shows their labels as text until ladder.yaml says where the source site is (`source_url`, or import again with --base-url)"),
            );
        }
        if relinked > 0 {
            report.warn(
                "",
                0,
                "site-link",
                format!("{relinked} links point at pages relative to the source page or at its anchors (kept as written, as `source:` links: the framework's site shows their labels as text), or are reference-style (their label is kept)"),
            );
        }
        let mut files = me.render();
        let mut set = FileSet::new();
        for (p, t) in &files {
            set.insert_text(p, t.clone());
        }
        for (p, t) in ids::apply(&set) {
            set.insert_text(&p, t.clone());
            files.insert(p, t);
        }
        let (mut fw, mut diags) = compile(&set);
        if let Some(prev) = previous {
            let renames = carry_ids(prev, &fw);
            if !renames.is_empty() {
                for (p, t) in files.iter_mut() {
                    let mut changed = false;
                    let mut out = String::with_capacity(t.len());
                    let mut rest = t.as_str();
                    while let Some(i) = rest.find("{#") {
                        let (head, tail) = rest.split_at(i);
                        out.push_str(head);
                        let end = tail.find('}').unwrap_or(tail.len());
                        let id = tail.get(2..end).unwrap_or("");
                        match renames.get(id) {
                            Some(old) => {
                                out.push_str("{#");
                                out.push_str(old);
                                changed = true;
                            }
                            None => out.push_str(tail.get(..end).unwrap_or(tail)),
                        }
                        rest = tail.get(end..).unwrap_or("");
                    }
                    out.push_str(rest);
                    if changed {
                        *t = out;
                        set.insert_text(p, t.clone());
                    }
                }
                (fw, diags) = compile(&set);
            }
        }
        // An importer error already says why; what the compiler makes of
        // the rest would only repeat it less clearly.
        let already = report.has_errors();
        for d in diags.iter().filter(|d| d.is_error() && !already) {
            report.push(
                Severity::Error,
                &d.span.file,
                d.span.line,
                "output-invalid",
                format!(
                    "the imported framework does not check: {}: {}",
                    d.code, d.message
                ),
                None,
            );
        }
        report.counts.layers = fw.layers.len();
        report.counts.levels = fw.config.levels.len();
        report.counts.statements = fw.items.len();
        report.counts.families = fw.families.len();
        report.counts.includes = self.includes.len();
        report.counts.prose_pages = self.prose_pages.len();
        report.finish();
        Import { files, report }
    }
}

/// Ids to carry over from an earlier import: new id → old id. The same
/// text (ignoring case and punctuation) matches first; then, for rewordings,
/// the most similar unmatched old statement whose words overlap by at least
/// 60%. Each old id is used once.
fn carry_ids(
    old: &ladder_framework::Framework,
    new: &ladder_framework::Framework,
) -> BTreeMap<String, String> {
    use ladder_framework::similar::{word_similarity, words};
    let key = |t: &str| words(t).join(" ");
    let bag = |t: &str| {
        let mut w = words(t);
        w.sort();
        w.dedup();
        w
    };
    let mut by_text: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for (id, item) in &old.items {
        by_text.entry(key(&item.text)).or_default().push(id);
    }
    let mut used: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    let mut out = BTreeMap::new();
    let mut rest = Vec::new();
    for id in new.items.keys() {
        if old.items.contains_key(id) {
            used.insert(id.clone());
        }
    }
    for (id, item) in &new.items {
        if old
            .items
            .get(id)
            .is_some_and(|o| key(&o.text) == key(&item.text))
        {
            continue;
        }
        let exact = by_text
            .get(&key(&item.text))
            .and_then(|c| c.iter().find(|o| !used.contains(**o)).copied());
        match exact {
            Some(o) => {
                used.insert(o.to_owned());
                out.insert(id.clone(), o.to_owned());
            }
            None if !old.items.contains_key(id) => rest.push((id, bag(&item.text))),
            None => {}
        }
    }
    let old_bags: Vec<(&String, Vec<String>)> =
        old.items.iter().map(|(id, i)| (id, bag(&i.text))).collect();
    for (id, b) in rest {
        let best = old_bags
            .iter()
            .filter(|(o, _)| !used.contains(*o) && !new.items.contains_key(*o))
            .map(|(o, ob)| (word_similarity(ob, &b), *o))
            .filter(|(s, _)| *s >= 0.6)
            .max_by(|x, y| x.0.total_cmp(&y.0));
        if let Some((_, o)) = best {
            used.insert(o.clone());
            out.insert(id.clone(), o.clone());
        }
    }
    out
}
