//! Pages written level by level: one section per level (`## IC1` …
//! `## IC5`, `## Senior`), each a list of categories (`- Impact`, or
//! `- Scope: …`) with statements under them, an optional `## All Levels`
//! section that every level shares, and levels × categories grids written
//! as HTML tables (a row per level, a column per category). Sourcegraph's
//! career frameworks are written so.

use super::*;
use crate::LevelMap;
use crate::table::{HtmlTable, html_tables};

/// The level a section heading names: `IC3`, `Senior`, `M4`, `Staff
/// Engineer`; a heading of more than three words is a section of prose.
fn section_level(map: &LevelMap, text: &str) -> Option<String> {
    let w = words_of(text);
    if w.is_empty() || w.len() > 3 {
        return None;
    }
    map.level_in_title(text)
}

/// `All Levels`, `Every level`, `All engineers`: what every level shares.
fn is_all_levels(text: &str) -> bool {
    let w = words_of(text);
    matches!(
        w.iter().map(String::as_str).collect::<Vec<_>>().as_slice(),
        ["all", "levels"] | ["every", "level"] | ["all", "level"] | ["all", "engineers"]
    )
}

/// Whether a page is written level by level: two headings or more at one
/// depth name levels, and the page has no job-family sections
/// (responsibilities, requirements), which make it a job-family page.
pub(super) fn is_level_sections(map: &LevelMap, text: &str) -> bool {
    let (_, body, first) = outline::front_matter(text);
    let blocks = outline::parse(body, first);
    // Per depth, the levels whose sections hold a list (a section of prose
    // about seniors, on a page about careers, is not one).
    let mut per_depth: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    // The open level section: (depth, level, whether it holds a list).
    let mut open: Option<(usize, String, bool)> = None;
    let close = |open: &mut Option<(usize, String, bool)>,
                 per_depth: &mut BTreeMap<usize, BTreeSet<String>>| {
        if let Some((d, l, true)) = open.take() {
            per_depth.entry(d).or_default().insert(l);
        }
    };
    for b in &blocks {
        match b {
            Block::Heading { depth, text, .. } if *depth < outline::LABEL_DEPTH => {
                let w = words_of(text);
                if w.last()
                    .is_some_and(|x| x == "responsibilities" || x == "requirements")
                {
                    return false;
                }
                if open.as_ref().is_some_and(|(d, _, _)| depth <= d) {
                    close(&mut open, &mut per_depth);
                }
                if let Some(l) = section_level(map, text) {
                    close(&mut open, &mut per_depth);
                    open = Some((*depth, l, false));
                }
            }
            Block::Item { text, .. } if !outline::is_only_links(text) => {
                if let Some(o) = open.as_mut() {
                    o.2 = true;
                }
            }
            _ => {}
        }
    }
    close(&mut open, &mut per_depth);
    per_depth.values().any(|ls| ls.len() >= 2)
}

/// The layer a level-by-level page becomes: its folder below `content/`,
/// `departments/`, `handbook/` and `career-development/`
/// (`content/departments/engineering/dev/career-development/framework.md`
/// → `engineering/dev`), else its file name.
fn layer_id(path: &str) -> String {
    let segs: Vec<&str> = path.split('/').collect();
    let (name, dirs) = segs.split_last().unwrap_or((&"", &[]));
    path_layer_id(
        dirs.iter().copied(),
        &[
            "departments",
            "career-development",
            "careers",
            "career",
            "docs",
        ],
    )
    .unwrap_or_else(|| slugify(page_stem(name)))
}

/// The layer a table on a page becomes: the page's path below the site's
/// content folders, so it meets no matrix layer (`content/handbook/
/// engineering/careers/_index.md` → `engineering/careers/index`).
fn table_layer_id(path: &str) -> String {
    path_layer_id(path.split('/').map(page_stem), &[]).unwrap_or_else(|| "table".to_owned())
}

/// What a level-by-level page gives, as it is read.
#[derive(Default)]
struct Gathered {
    /// Prose before the first level, and of sections that are no level.
    description: Vec<String>,
    /// Per level, its entries.
    levels: Vec<(String, Vec<Entry>)>,
    /// What `All Levels` lists.
    all: Vec<Entry>,
}

impl Gathered {
    /// The entries of a level's section, or else of `All Levels`.
    fn entries(&mut self, section: &Section) -> &mut Vec<Entry> {
        match section {
            Section::Level(l) => entry(&mut self.levels, l.clone()),
            _ => &mut self.all,
        }
    }

    /// Prose at its place: the description before the first level, a
    /// level's own prose inside it.
    fn prose(&mut self, section: &Section, text: String) {
        match section {
            Section::Level(_) | Section::All => self.entries(section).push(Entry::Prose(text)),
            Section::Preamble | Section::Other => self.description.push(text),
        }
    }
}

/// Where the next statement goes while reading a section.
#[derive(Clone, Debug, PartialEq)]
enum Section {
    /// Before the first level: the layer's description.
    Preamble,
    /// A level's section.
    Level(String),
    /// `All Levels`.
    All,
    /// Any other section: prose.
    Other,
}

impl<'s> Importer<'s> {
    /// Imports a level-by-level page as a layer: each level section's
    /// statements at that level, in the categories its bullets name; `All
    /// Levels` at the first level (which every other builds on); HTML
    /// tables of levels × categories row by row.
    pub(super) fn level_sections_page(&mut self, path: &str) {
        let Some(text) = self.src.get(path) else {
            return;
        };
        let (yaml, body, first) = outline::front_matter(text);
        let blocks = outline::parse(body, first);
        let tables = html_tables(body, first);
        let in_table = |line: u32| {
            tables
                .iter()
                .any(|t| (t.first_line..=t.last_line).contains(&line))
        };
        let title = front_title(yaml).or_else(|| {
            blocks.iter().find_map(|b| match b {
                Block::Heading { depth: 1, text, .. } => Some(outline::plain(text)),
                _ => None,
            })
        });
        let id = layer_id(path);
        // The depth of the level headings: where most of them are.
        let mut per_depth: BTreeMap<usize, usize> = BTreeMap::new();
        for b in &blocks {
            if let Block::Heading { depth, text, .. } = b
                && *depth < outline::LABEL_DEPTH
                && section_level(&self.level_map, text).is_some()
            {
                *per_depth.entry(*depth).or_default() += 1;
            }
        }
        let level_depth = per_depth
            .iter()
            .max_by_key(|(d, n)| (**n, std::cmp::Reverse(**d)))
            .map_or(2, |(d, _)| *d);
        let mut got = Gathered::default();
        let mut all_line: Option<u32> = None;
        let mut section = Section::Preamble;
        let mut cat: Option<String> = None;
        let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
        for b in &blocks {
            let line = b.line();
            if in_table(line) {
                continue;
            }
            match b {
                Block::Heading { depth: 1, .. } if section == Section::Preamble => {}
                Block::Heading { depth, text, .. } if *depth <= level_depth => {
                    cat = None;
                    section = if let Some(l) =
                        section_level(&self.level_map, text).filter(|_| *depth == level_depth)
                    {
                        self.see_level(&l);
                        Section::Level(l)
                    } else if is_all_levels(text) {
                        all_line.get_or_insert(line);
                        Section::All
                    } else {
                        let heading = format!("**{}**", outline::plain(text));
                        got.prose(&section, heading);
                        if section == Section::Preamble {
                            Section::Preamble
                        } else {
                            Section::Other
                        }
                    };
                }
                Block::Heading { text, .. } => {
                    // A heading or label bullet inside a level: a category.
                    if matches!(section, Section::Level(_) | Section::All) {
                        let label = outline::plain(text);
                        cat = Some(self.category(label.trim_end_matches(':')));
                    } else {
                        let heading = format!("**{}**", outline::plain(text));
                        got.prose(&section, heading);
                    }
                }
                Block::Item { text, line }
                    if matches!(section, Section::Level(_) | Section::All) =>
                {
                    // `Impact: Delivers …`: the category, then the statement.
                    let (c, statement) = match text.split_once(':') {
                        Some((label, rest))
                            if !rest.trim().is_empty()
                                && (1..=3).contains(&label.split_whitespace().count())
                                && label.trim().chars().next().is_some_and(char::is_uppercase)
                                && !label.contains("](") =>
                        {
                            (Some(self.category(label.trim())), rest.trim().to_owned())
                        }
                        _ => (None, text.clone()),
                    };
                    if let Some(c) = c {
                        cat = Some(c);
                    }
                    let Some(c) = cat.clone() else {
                        self.report.warn(
                            path,
                            *line,
                            "stray-item",
                            "a list item under a level but under no category (`- Impact`, `### Impact` or `Impact: …`); kept as prose".to_owned(),
                        );
                        got.prose(&section, text.clone());
                        continue;
                    };
                    let key = match &section {
                        Section::Level(l) => l.clone(),
                        _ => String::new(),
                    };
                    if !seen.insert((key, outline::normalise(&statement))) {
                        self.duplicate(path, *line, &statement);
                        continue;
                    }
                    self.statement_text(path, *line, &statement);
                    push_in_category(got.entries(&section), &c, statement);
                }
                Block::Item { text, .. } => {
                    let item = format!("- {text}");
                    got.prose(&section, item);
                }
                Block::Para { text, .. } | Block::Table { text, .. } => {
                    got.prose(&section, text.clone());
                }
                Block::Html { text, line } => {
                    self.html_block(path, *line);
                    got.prose(&section, text.clone());
                }
                Block::Include { path: p, line } | Block::Partial { path: p, line } => {
                    self.report.warn(
                        path,
                        *line,
                        "unresolved-include",
                        format!("include `{p}` in a level-by-level page is not imported"),
                    );
                }
                Block::Malformed {
                    text,
                    path: p,
                    line,
                } => self.malformed(path, *line, text, p),
                Block::Erb { text, line } => self.erb(path, *line, text),
                Block::Noise { .. } => {}
            }
        }
        for t in &tables {
            self.level_table(path, t, &mut got.levels, &mut got.description);
        }
        let Gathered {
            mut description,
            mut levels,
            mut all,
        } = got;
        // What every level shares goes to the first level, which all the
        // others build on.
        if !all.is_empty() {
            let first = levels
                .iter()
                .map(|(l, _)| l.clone())
                .filter(|l| !is_manager_level(l))
                .min_by_key(|l| rank(l))
                .or_else(|| levels.first().map(|(l, _)| l.clone()));
            match first {
                Some(l) => {
                    self.report.warn(
                        path,
                        all_line.unwrap_or(1),
                        "all-levels",
                        format!("what `All Levels` lists is placed at the first level, `{l}`, which every level of its ladder builds on"),
                    );
                    let es = entry(&mut levels, l);
                    let mut shared = std::mem::take(&mut all);
                    shared.append(es);
                    *es = shared;
                }
                None => description.extend(all.into_iter().filter_map(|e| match e {
                    Entry::Statement { text, .. } | Entry::Prose(text) => Some(text),
                    _ => None,
                })),
            }
        }
        let layer = self.layer_mut(&id, title.as_deref());
        layer.description.extend(description);
        for (l, es) in levels {
            let e = entry(&mut layer.levels, l);
            e.extend(es);
            *e = regroup(std::mem::take(e));
        }
    }

    /// A levels × categories HTML table: a header row names the categories
    /// (cells other than `Level`); a row whose first cell names a level
    /// starts that level; the rows after it give, cell by cell, each
    /// category's statements (one per list item); a row of one cell is the
    /// level's summary, kept as prose. A table that is not such a grid is
    /// kept as prose.
    fn level_table(
        &mut self,
        path: &str,
        t: &HtmlTable,
        levels: &mut Vec<(String, Vec<Entry>)>,
        description: &mut Vec<String>,
    ) {
        let header: Vec<String> = t
            .rows
            .iter()
            .find(|r| r.cells.len() >= 2 && r.cells.iter().all(|c| c.header))
            .map(|r| {
                r.cells
                    .iter()
                    .map(|c| c.text.clone())
                    .filter(|c| !c.is_empty() && words_of(c) != ["level"])
                    .collect()
            })
            .unwrap_or_default();
        let mut level: Option<String> = None;
        let mut read = 0usize;
        for r in &t.rows {
            let first = r.cells.first();
            let named = first
                .filter(|c| c.header || r.cells.len() == 1)
                .and_then(|c| {
                    section_level(&self.level_map, &c.text).or_else(|| {
                        c.id.as_deref()
                            .and_then(|id| section_level(&self.level_map, id))
                    })
                });
            if let Some(l) = named {
                self.see_level(&l);
                level = Some(l);
                continue;
            }
            let Some(l) = level.clone() else {
                continue;
            };
            if r.cells.len() == 1 {
                let c = r.cells.first().cloned().unwrap_or_default();
                let es = entry(levels, l);
                if !c.text.is_empty() {
                    es.push(Entry::Prose(c.text));
                }
                for i in c.items {
                    es.push(Entry::Prose(i));
                }
                continue;
            }
            if r.cells.len() != header.len() {
                continue;
            }
            for (c, h) in r.cells.iter().zip(&header) {
                let cat = self.category(h);
                for item in &c.items {
                    self.statement_text(path, t.first_line, item);
                    push_in_category(entry(levels, l.clone()), &cat, item.clone());
                    read += 1;
                }
                if !c.text.is_empty() {
                    entry(levels, l.clone()).push(Entry::Prose(c.text.clone()));
                }
            }
        }
        if read == 0 {
            self.html_block(path, t.first_line);
            let text: Vec<String> = t
                .rows
                .iter()
                .map(|r| {
                    r.cells
                        .iter()
                        .map(|c| c.joined("; "))
                        .collect::<Vec<_>>()
                        .join(" | ")
                })
                .collect();
            description.push(text.join("\n"));
        }
    }
}

/// Appends a statement under its category, opening the category when the
/// last one differs.
fn push_in_category(es: &mut Vec<Entry>, cat: &str, text: String) {
    let last = es.iter().rev().find_map(|e| match e {
        Entry::Category(c) => Some(c.as_str()),
        _ => None,
    });
    if last != Some(cat) {
        es.push(Entry::Category(cat.to_owned()));
    }
    es.push(Entry::Statement { text, id: None });
}

/// A level's entries with each category once: what comes before any
/// category first, then each category's entries in the order first seen.
pub(super) fn regroup(es: Vec<Entry>) -> Vec<Entry> {
    let mut before: Vec<Entry> = Vec::new();
    let mut cats: Vec<(String, Vec<Entry>)> = Vec::new();
    let mut at: Option<usize> = None;
    for e in es {
        match e {
            Entry::Category(c) => at = Some(slot(&mut cats, c)),
            e => match at.and_then(|i| cats.get_mut(i)) {
                Some(c) => c.1.push(e),
                None => before.push(e),
            },
        }
    }
    for (c, es) in cats {
        before.push(Entry::Category(c));
        before.extend(es);
    }
    before
}

impl<'s> Importer<'s> {
    /// A page holding a table of levels × competencies (Markdown or HTML,
    /// its header row or first column naming levels, read as `ladder import
    /// sheet` reads a grid): each such table becomes a layer, the page's
    /// other text its description. False when the page has none, or none
    /// that reads cleanly; the page is then kept as prose.
    pub(super) fn table_page(&mut self, path: &str) -> bool {
        let Some(text) = self.src.get(path) else {
            return false;
        };
        let opts = crate::sheet::Options {
            levels: self.level_map.clone(),
            ..crate::sheet::Options::default()
        };
        let mut layers: Vec<String> = Vec::new();
        for g in crate::sheet::read_tables(text) {
            let Some((grid, layout, turned)) = crate::sheet::orient(&g, None, &self.level_map)
            else {
                continue;
            };
            let mut scratch = Report::default();
            let Some(read) =
                crate::sheet::read_grid(path, &grid, &layout, turned, &opts, &mut scratch)
            else {
                continue;
            };
            let texts: Vec<&str> = read
                .per_level
                .iter()
                .flat_map(|(_, cats)| cats)
                .flat_map(|(_, es)| es)
                .filter_map(|e| match e {
                    Entry::Statement { text, .. } => Some(text.as_str()),
                    _ => None,
                })
                .collect();
            let statements = texts.len();
            // A table whose cells are statements, not a table of facts
            // about levels (`Yes`, `Manager`, `2 Staff+`): most cells are
            // sentences of four words or more.
            let sentences = texts
                .iter()
                .filter(|t| t.split_whitespace().count() >= 4)
                .count();
            if statements < 2 || sentences * 5 < statements * 3 {
                continue;
            }
            let base = table_layer_id(path);
            let id = if layers.is_empty() {
                base
            } else {
                format!("{base}-{}", layers.len() + 1)
            };
            // The columns' order is the levels' order here.
            for w in read.levels.windows(2) {
                if let [lower, upper] = w {
                    self.below_links.push((
                        upper.id.clone(),
                        lower.id.clone(),
                        path.to_owned(),
                        1,
                        id.clone(),
                    ));
                }
            }
            for l in &read.levels {
                self.see_level(&l.id);
            }
            let cats: BTreeMap<String, String> = read
                .categories
                .iter()
                .map(|(c, title)| (c.clone(), self.category(title)))
                .collect();
            let title = outline::front_matter(text)
                .0
                .and_then(|y| front_title(Some(y)))
                .unwrap_or_else(|| title_case(page_stem(path.rsplit('/').next().unwrap_or(path))));
            let layer = self.layer_mut(&id, Some(&title));
            for (level, per_cat) in read.per_level {
                let es = entry(&mut layer.levels, level);
                for (c, entries) in per_cat {
                    es.push(Entry::Category(cats.get(&c).cloned().unwrap_or(c)));
                    es.extend(entries);
                }
                *es = regroup(std::mem::take(es));
            }
            self.report.warn(
                path,
                1,
                "table-matrix",
                format!("a table of levels × competencies ({statements} statements); imported as layer `{id}`"),
            );
            layers.push(id);
        }
        let Some(first) = layers.first().cloned() else {
            return false;
        };
        // The page's other text: the first layer's description.
        let (_, body, line) = outline::front_matter(text);
        let tables = crate::table::html_tables(body, line);
        let mut description = Vec::new();
        for b in outline::parse(body, line) {
            match b {
                Block::Para { text, line } | Block::Item { text, line }
                    if !tables
                        .iter()
                        .any(|t| (t.first_line..=t.last_line).contains(&line)) =>
                {
                    description.push(text);
                }
                Block::Heading { depth, text, .. } if depth > 1 => {
                    description.push(format!("**{}**", outline::plain(&text)));
                }
                _ => {}
            }
        }
        self.layer_mut(&first, None).description.extend(description);
        true
    }
}
