//! GitLab-style handbooks: career-matrix pages with their includes (Hugo) or
//! ERB partials (Middleman), and job-family pages.
//!
//! See `docs/import.md` for what maps to what. In short: each matrix folder
//! is a layer (its path below the matrix root), each level page a level of
//! it, each include one shared file of statements; group headings inside a
//! category become groups; "All competencies exhibited by an X" links give
//! `below`. Job-family pages become families. Pages that are neither are
//! kept whole as prose under `handbook/`.

use crate::outline::{self, Block};
use crate::write::{
    Entry, FamilyOut, Framework, IncludeOut, LayerOut, LevelOut, ListOut, SpecialtyOut, StageOut,
    entry, slot,
};
use crate::{Import, Report, Severity, Source};
use ladder_framework::similar::{did_you_mean_path, levenshtein, slugify};

/// The candidate most like `wanted`: by file name first (`_x.erb` and
/// `x.md` compare as `x`), then by whole path; `None` unless it is close.
fn close_path<'a>(wanted: &str, cands: &[&'a str]) -> Option<&'a str> {
    let name = |p: &str| -> String {
        let n = p.rsplit('/').next().unwrap_or(p).trim_start_matches('_');
        n.split('.').next().unwrap_or(n).replace('_', "-")
    };
    let w = name(wanted);
    let best = cands
        .iter()
        .map(|c| (levenshtein(&w, &name(c)), levenshtein(wanted, c), *c))
        .min()?;
    let limit = (w.chars().count() / 8).max(2);
    if best.0 <= limit {
        return Some(best.2);
    }
    did_you_mean_path(wanted, cands.iter().copied()).filter(|g| name(g) == w)
}

use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Hugo,
    Middleman,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Hugo => "hugo",
            Engine::Middleman => "middleman",
        }
    }
}

/// Which engine wrote this source: Middleman when any ERB is present.
/// The engine a handbook is written for, by the weight of the evidence,
/// not by any single file: Middleman pages end in `.html.md` or `.erb` and
/// include partials with `<%=`; Hugo pages are plain `.md`, sections have
/// `_index.md`, and includes are shortcodes (`{{% … %}}`, `{{< … >}}`). A
/// Hugo handbook that keeps a few legacy `.html.md` files stays Hugo.
pub fn detect(source: &Source) -> Engine {
    let (mut middleman, mut hugo) = (0usize, 0usize);
    for (path, text) in &source.files {
        if path.ends_with(".erb") || path.ends_with(".html.md") {
            middleman += 1;
        } else if path.ends_with(".md") {
            hugo += 1;
        }
        if text.contains("<%=") {
            middleman += 1;
        }
        if text.contains("{{%") || text.contains("{{<") {
            hugo += 1;
        }
    }
    if middleman > hugo {
        Engine::Middleman
    } else {
        Engine::Hugo
    }
}

#[derive(Clone, Debug)]
pub struct Options {
    pub engine: Option<Engine>,
    pub organisation: String,
    /// An earlier import of the same handbook: matching statements keep
    /// its ids (see [`crate::Framework::finish_with`]).
    pub previous: Option<ladder_framework::Framework>,
    /// Where the handbook is published, for its site-absolute links.
    pub base_url: Option<String>,
    /// Level names that cannot be guessed (`--levels map.yaml`).
    pub levels: crate::LevelMap,
    /// A folder (relative to the source) whose pages are a career matrix,
    /// wherever it is (`--matrix-root`): level pages by file name, one layer
    /// per sub-folder.
    pub matrix_root: Option<String>,
}

mod family;
mod sections;
pub use family::{grade_in, hiring_stage};

use crate::levels::{
    is_manager_level, level_in_title, level_title, level_word, rank, title_case, words_of,
};

/// `m3`: a level of a numbered management scheme.
fn numbered_manager(level: &str) -> bool {
    level
        .strip_prefix('m')
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// A category heading: `Leadership Competencies`, `Senior Technical
/// Competencies`, `Values Alignment` → its id.
fn category_of(heading: &str) -> Option<&'static str> {
    let w: Vec<String> = words_of(heading)
        .into_iter()
        .filter(|w| level_word(w).is_none() && w != "competencies" && w != "competency")
        .collect();
    match w.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["leadership"] => Some("leadership"),
        ["technical"] | ["technical", "skills"] => Some("technical"),
        ["values"] | ["values", "alignment"] | ["value", "alignment"] => Some("values"),
        _ => None,
    }
}

const CATEGORY_TITLES: &[(&str, &str)] = &[
    ("leadership", "Leadership"),
    ("technical", "Technical"),
    ("values", "Values alignment"),
];

/// `On this page`, `Contents`: a table of contents, not content.
fn is_toc_heading(text: &str) -> bool {
    matches!(
        words_of(text).join(" ").as_str(),
        "on this page" | "contents" | "table of contents"
    )
}

/// kramdown's `- TOC` placeholder.
fn is_toc_item(text: &str) -> bool {
    text.trim() == "TOC"
}

/// `Intermediate Competencies`: the section that points at the level below.
fn is_below_heading(heading: &str) -> bool {
    let w = words_of(heading);
    w.len() == 2
        && w.first().and_then(|x| level_word(x)).is_some()
        && w.get(1).is_some_and(|x| x == "competencies")
}

fn front_title(yaml: Option<&str>) -> Option<String> {
    let y = yaml?;
    for line in y.lines() {
        if let Some(v) = line.strip_prefix("title:") {
            let v = v.trim().trim_matches('"').trim_matches('\'').trim();
            if !v.is_empty() {
                return Some(v.to_owned());
            }
        }
    }
    None
}

/// Where a page sits in a matrix.
struct MatrixPage<'a> {
    path: &'a str,
    layer: String,
    /// `None` for a folder's index page.
    level: Option<String>,
}

fn is_page(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    (path.ends_with(".md")
        || path.ends_with(".html.md.erb")
        || path.ends_with(".txt")
        || is_html_content(path))
        && !name.starts_with('_')
        || name == "_index.md"
}

/// An HTML page of content, not a site generator's template or a built
/// copy (`layouts/`, `themes/`, `static/`, `public/`, `assets/`).
fn is_html_content(path: &str) -> bool {
    crate::table::is_html_page(path)
        && !path.split('/').any(|s| {
            matches!(
                s,
                "layouts"
                    | "themes"
                    | "static"
                    | "public"
                    | "assets"
                    | "partials"
                    | "node_modules"
                    | "vendor"
            )
        })
}

/// The matrix root of a path (`…/careers/matrix`) and the segments below it.
fn matrix_split(path: &str) -> Option<(String, Vec<&str>)> {
    let segs: Vec<&str> = path.split('/').collect();
    let i = segs.iter().enumerate().position(|(i, s)| {
        *s == "matrix" && i > 0 && segs.get(i - 1).is_some_and(|p| p.contains("career"))
    })?;
    let root = segs.get(..=i)?.join("/");
    Some((root, segs.get(i + 1..)?.to_vec()))
}

fn page_stem(name: &str) -> &str {
    name.split('.').next().unwrap_or(name)
}

fn classify_matrix<'a>(path: &'a str, root_name: &str) -> Option<MatrixPage<'a>> {
    let (_, below) = matrix_split(path)?;
    let (name, dirs) = below.split_last()?;
    Some(matrix_page(path, dirs, name, root_name))
}

/// A page of a matrix, by the folders between the matrix's root and it and
/// its file name: a level page (named by its file, or Middleman's level
/// folder holding an index) of the layer its other folders name (the
/// root's own layer directly under it), or a folder's index.
fn matrix_page<'a>(path: &'a str, dirs: &[&str], name: &str, root_layer: &str) -> MatrixPage<'a> {
    let stem = page_stem(name);
    let mut segs: Vec<&str> = dirs.to_vec();
    let mut level = None;
    if stem == "index" || stem == "_index" {
        // Middleman: `…/senior/distribution/index.html.md.erb`.
        if let Some(i) = segs.iter().position(|s| level_word(s).is_some()) {
            level = segs.get(i).and_then(|s| level_word(s)).map(str::to_owned);
            segs.remove(i);
        }
    } else {
        level = Some(level_word(stem).map_or_else(|| slugify(stem), str::to_owned));
    }
    let layer = if segs.is_empty() {
        root_layer.to_owned()
    } else {
        segs.iter()
            .map(|s| slugify(s))
            .collect::<Vec<_>>()
            .join("/")
    };
    MatrixPage { path, layer, level }
}

/// A layer id from a path's segments: each a slug, without the folders
/// sites keep their content in (`content`, `source`, `sites`, `handbook`)
/// nor those in `also`; `None` when none is left.
fn path_layer_id<'a>(segments: impl Iterator<Item = &'a str>, also: &[&str]) -> Option<String> {
    let kept: Vec<String> = segments
        .filter(|d| !matches!(*d, "content" | "source" | "sites" | "handbook") && !also.contains(d))
        .map(slugify)
        .filter(|d| !d.is_empty())
        .collect();
    (!kept.is_empty()).then(|| kept.join("/"))
}

/// Folders outside `careers/matrix/` written the same way: two pages or
/// more named by a level (`junior.md`, `senior.md`), at least one of them
/// with a competency category heading (`### Technical Competencies`). Each
/// is a matrix of its own, by folder → layer id.
fn matrix_folders(src: &Source) -> BTreeMap<String, String> {
    let mut levels: BTreeMap<&str, (usize, bool)> = BTreeMap::new();
    for (path, text) in &src.files {
        if matrix_split(path).is_some() || path.contains("job-families/") || !is_page(path) {
            continue;
        }
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path.as_str()));
        if level_word(page_stem(name)).is_none() {
            continue;
        }
        let (_, body, first) = outline::front_matter(text);
        let has_category = outline::parse(body, first)
            .iter()
            .any(|b| matches!(b, Block::Heading { text, .. } if category_of(text).is_some()));
        let e = levels.entry(dir).or_default();
        e.0 += 1;
        e.1 |= has_category;
    }
    levels
        .into_iter()
        .filter(|(_, (n, cat))| *n >= 2 && *cat)
        .map(|(dir, _)| {
            let id = path_layer_id(dir.split('/'), &[]).unwrap_or_else(|| "matrix".to_owned());
            (dir.to_owned(), id)
        })
        .collect()
}

/// A page under the matrix root given with `--matrix-root`: a level page
/// (named by its file, or by a level folder holding an index), or a
/// folder's index; its layer is the folders between the root and it (the
/// root's own name directly under it).
fn classify_under<'a>(path: &'a str, root: &str) -> Option<MatrixPage<'a>> {
    let below = path.strip_prefix(root)?.strip_prefix('/')?;
    let segs: Vec<&str> = below.split('/').filter(|s| !s.is_empty()).collect();
    let (name, dirs) = segs.split_last()?;
    let root_layer = slugify(root.rsplit('/').next().unwrap_or(root));
    Some(matrix_page(path, dirs, name, &root_layer))
}

/// A page of a matrix folder found by [`matrix_folders`]: a level page, or
/// the folder's index.
fn classify_elsewhere<'a>(
    path: &'a str,
    folders: &BTreeMap<String, String>,
) -> Option<MatrixPage<'a>> {
    let (dir, name) = path.rsplit_once('/')?;
    let layer = folders.get(dir)?.clone();
    let stem = page_stem(name);
    let level = if stem == "index" || stem == "_index" {
        None
    } else {
        Some(level_word(stem)?.to_owned())
    };
    Some(MatrixPage { path, layer, level })
}

struct Importer<'s> {
    src: &'s Source,
    engine: Engine,
    report: Report,
    fw: Framework,
    /// Include output path by source path; `None` for navigation.
    includes: BTreeMap<String, Option<String>>,
    /// (level, below, file, line) from "all competencies of" links.
    /// (level, below, file, line, layer) from "all competencies of" links.
    below_links: Vec<(String, String, String, u32, String)>,
    /// Level names that cannot be guessed, and titles and grades given.
    level_map: crate::LevelMap,
    /// `--matrix-root`, as given.
    matrix_root: Option<String>,
    /// Per level, the grades families give it, with the page of each.
    grade_votes: BTreeMap<String, Vec<(f64, String)>>,
    level_seen: BTreeSet<String>,
    /// Normalised statement text → where it was first written.
    texts: BTreeMap<String, (String, u32)>,
}

/// Imports a handbook checkout (or a single page).
pub fn import(src: &Source, opts: &Options) -> Import {
    // HTML pages are read as the Markdown they would be written in.
    if src.files.keys().any(|p| is_html_content(p)) {
        let mut converted = src.clone();
        for (p, t) in &mut converted.files {
            if is_html_content(p) {
                *t = crate::table::html_to_markdown(t);
            }
        }
        return import_source(&converted, opts);
    }
    import_source(src, opts)
}

fn import_source(src: &Source, opts: &Options) -> Import {
    let engine = opts.engine.unwrap_or_else(|| detect(src));
    let mut im = Importer {
        src,
        engine,
        report: Report {
            format: format!("handbook ({})", engine.name()),
            ..Report::default()
        },
        fw: Framework {
            organisation: opts.organisation.clone(),
            base_url: opts.base_url.clone(),
            ..Framework::default()
        },
        includes: BTreeMap::new(),
        below_links: Vec::new(),
        grade_votes: BTreeMap::new(),
        level_map: opts.levels.clone(),
        matrix_root: opts.matrix_root.clone(),
        level_seen: BTreeSet::new(),
        texts: BTreeMap::new(),
    };
    im.report.counts.source_files = src.files.len();
    for (id, title) in CATEGORY_TITLES {
        im.fw
            .categories
            .push(((*id).to_owned(), (*title).to_owned()));
    }
    im.run();
    let Importer { fw, report, .. } = im;
    fw.finish_with(report, opts.previous.as_ref())
}

impl<'s> Importer<'s> {
    fn run(&mut self) {
        let src = self.src;
        let single = src.files.len() == 1;
        let mut matrix: Vec<MatrixPage<'s>> = Vec::new();
        let mut families: Vec<&'s str> = Vec::new();
        let mut level_pages: Vec<&'s str> = Vec::new();
        let roots: BTreeSet<String> = src
            .files
            .keys()
            .filter_map(|p| matrix_split(p).map(|r| r.0))
            .collect();
        let root_name = roots
            .iter()
            .next()
            .and_then(|r| {
                let index = [
                    format!("{r}/_index.md"),
                    format!("{r}/index.html.md"),
                    format!("{r}/index.html.md.erb"),
                ];
                index
                    .iter()
                    .find_map(|p| src.get(p))
                    .and_then(|t| front_title(outline::front_matter(t).0))
            })
            .map(|t| {
                let w = words_of(&t);
                slugify(w.first().map_or("engineering", String::as_str))
            })
            .unwrap_or_else(|| "engineering".to_owned());
        let elsewhere = matrix_folders(src);
        let given_root = self
            .matrix_root
            .as_deref()
            .map(|r| r.trim_matches('/').to_owned())
            .filter(|r| !r.is_empty());
        for path in src.files.keys() {
            let path = path.as_str();
            if !is_page(path) && !single {
                continue;
            }
            if let Some(p) = given_root.as_deref().and_then(|r| classify_under(path, r)) {
                matrix.push(p);
            } else if let Some(p) = classify_matrix(path, &root_name) {
                matrix.push(p);
            } else if let Some(p) = classify_elsewhere(path, &elsewhere) {
                self.report.warn(
                    path,
                    1,
                    "matrix-elsewhere",
                    format!(
                        "a career-matrix page outside `careers/matrix/` (its folder holds level pages with competency headings); read as level `{}` of layer `{}`",
                        p.level.as_deref().unwrap_or("-"),
                        p.layer
                    ),
                );
                matrix.push(p);
            } else if !path.contains("job-families/")
                && self
                    .src
                    .get(path)
                    .is_some_and(|t| sections::is_level_sections(&self.level_map, t))
            {
                level_pages.push(path);
            } else if single || path.contains("job-families/") {
                families.push(path);
            } else if !path.starts_with("assets/")
                && (path.ends_with("_index.md")
                    || !path.rsplit('/').next().unwrap_or("").starts_with('_'))
                && !self.table_page(path)
            {
                self.prose_page(path);
            }
        }
        for p in &matrix {
            self.matrix_page(p);
        }
        for p in level_pages {
            self.level_sections_page(p);
        }
        let mut pages: Vec<family::FamilyPage> = Vec::new();
        for f in families {
            match self.family_page(f) {
                // A page under job-families/ with no family section (a
                // README, a section's index): prose, not a family.
                Some(p) if !family::is_family(&p.fam) && !single => self.prose_page(f),
                Some(p) if !family::is_family(&p.fam) => {}
                Some(p) => pages.push(p),
                None => {}
            }
        }
        for p in self.join_level_pages(pages) {
            self.add_family(p.fam, p.line);
        }
        self.unused_includes();
        self.finish_levels();
        self.many_missing_includes();
        if self.statements() == 0 {
            let what = if single {
                "this page is neither a career-matrix page (levels as headings, competencies listed under each) nor a job-family page (responsibilities and requirements)".to_owned()
            } else {
                format!(
                    "none of the {} files is a career-matrix page (`…/careers/matrix/…`, levels as headings) or a job-family page (`job-families/…`, responsibilities and requirements)",
                    src.files.len()
                )
            };
            let place = if single {
                src.files.keys().next().map_or(".", String::as_str)
            } else {
                "."
            };
            self.report.push(
                crate::Severity::Error,
                place,
                1,
                "nothing-recognised",
                format!("nothing to import: {what}"),
                Some(
                    "point the import at a handbook's root (the folder holding `content/handbook/…` or `source/handbook/…`), or at a job-family page; `ladder import --help` lists the other formats (monzo, ft, csv)"
                        .to_owned(),
                ),
            );
        }
    }

    /// One warning when many includes do not exist: the sign of an
    /// incomplete copy, or of a handbook read with the other engine's
    /// include rules.
    fn many_missing_includes(&mut self) {
        let missing = self
            .report
            .problems
            .iter()
            .filter(|p| p.code == "missing-include")
            .count();
        let found = self.includes.len();
        if missing >= 3 && missing * 4 >= missing + found {
            let other = match self.engine {
                Engine::Hugo => Engine::Middleman,
                Engine::Middleman => Engine::Hugo,
            };
            self.report.warn(
                ".",
                1,
                "many-includes-missing",
                format!(
                    "{missing} includes do not exist ({found} found), so their statements are missing: \
                     check that the source is complete (every include file copied), and that it \
                     is read with the right engine: it was read as {}; if it is written for {}, \
                     import it again with `--engine {}`",
                    self.engine.name(),
                    other.name(),
                    other.name()
                ),
            );
        }
    }

    /// How many statements the import found, in layers and families.
    fn statements(&self) -> usize {
        let layers: usize = self
            .fw
            .layers
            .iter()
            .flat_map(|l| &l.levels)
            .map(|(_, entries)| entries.len())
            .sum();
        let lists = |l: &ListOut| l.items.len() + l.prose.len();
        let families: usize = self
            .fw
            .families
            .iter()
            .map(|f| {
                lists(&f.responsibilities)
                    + lists(&f.requirements)
                    + lists(&f.nice_to_have)
                    + lists(&f.performance_indicators)
                    + f.level_lists
                        .iter()
                        .map(|(_, a, b)| lists(a) + lists(b))
                        .sum::<usize>()
                    + f.specialties.len()
            })
            .sum();
        layers + families
    }

    fn prose_page(&mut self, path: &str) {
        let Some(text) = self.src.get(path) else {
            return;
        };
        let out = format!("handbook/{}", path.trim_end_matches(".erb"));
        self.report.warn(
            path,
            1,
            "prose-page",
            format!("not a career-matrix or job-family page; kept whole as prose in `{out}`"),
        );
        self.fw.prose_pages.insert(out, text.to_owned());
    }

    fn see_level(&mut self, level: &str) {
        self.level_seen.insert(level.to_owned());
    }

    fn category(&mut self, heading: &str) -> String {
        let id = category_of(heading).map_or_else(|| slugify(heading), str::to_owned);
        if !self.fw.categories.iter().any(|c| c.0 == id) {
            let title = words_of(heading)
                .into_iter()
                .filter(|w| level_word(w).is_none() && w != "competencies")
                .collect::<Vec<_>>()
                .join(" ");
            // A heading that is only a level word (`Lead`) keeps its words.
            let title = if title.is_empty() {
                outline::plain(heading)
            } else {
                title_case(&title)
            };
            self.fw.categories.push((id.clone(), title));
        }
        id
    }

    /// Resolves an include or partial written in `page` to a source path.
    fn resolve(&self, page: &str, written: &str) -> Option<String> {
        match self.engine {
            Engine::Hugo => {
                let p = written.trim_start_matches('/');
                let cands = [
                    format!("assets/{p}"),
                    p.to_owned(),
                    format!("layouts/partials/{p}"),
                ];
                cands.into_iter().find(|c| self.src.files.contains_key(c))
            }
            Engine::Middleman => {
                let (dir, name) = written.rsplit_once('/').unwrap_or(("", written));
                let name = name.trim_start_matches('_');
                let names = [
                    format!("_{name}"),
                    format!("_{name}.erb"),
                    format!("_{name}.html.md.erb"),
                    format!("_{name}.md"),
                ];
                let page_dir = page.rsplit_once('/').map_or("", |p| p.0);
                let source_root = page
                    .find("/source/")
                    .map_or("", |i| page.get(..i + 7).unwrap_or(""));
                let mut bases = vec![page_dir.to_owned()];
                bases.push(source_root.trim_end_matches('/').to_owned());
                for base in bases {
                    for n in &names {
                        let c = [base.as_str(), dir, n.as_str()]
                            .iter()
                            .filter(|s| !s.is_empty())
                            .copied()
                            .collect::<Vec<_>>()
                            .join("/");
                        if self.src.files.contains_key(&c) {
                            return Some(c);
                        }
                    }
                }
                None
            }
        }
    }

    fn missing_include(&mut self, page: &str, line: u32, written: &str) {
        let cands: Vec<&str> = self
            .src
            .files
            .keys()
            .map(String::as_str)
            .filter(|p| {
                p.starts_with("assets/") || p.rsplit('/').next().is_some_and(|n| n.starts_with('_'))
            })
            .collect();
        let wanted = match self.engine {
            Engine::Hugo => format!("assets/{}", written.trim_start_matches('/')),
            Engine::Middleman => {
                let (d, n) = written.rsplit_once('/').unwrap_or(("", written));
                let source_root = page
                    .find("/source/")
                    .map_or("", |i| page.get(..i + 8).unwrap_or(""));
                format!("{source_root}{d}/_{}", n.trim_start_matches('_'))
            }
        };
        let guess = close_path(&wanted, &cands).map(|g| match self.engine {
            Engine::Hugo => g.trim_start_matches("assets/").to_owned(),
            Engine::Middleman => g.to_owned(),
        });
        let what = match self.engine {
            Engine::Hugo => "include",
            Engine::Middleman => "partial",
        };
        let msg = match &guess {
            Some(g) => format!("{what} `{written}` does not exist; did you mean `{g}`?"),
            None => format!("{what} `{written}` does not exist; its statements are not imported"),
        };
        self.report
            .push(Severity::Warning, page, line, "missing-include", msg, guess);
    }

    /// Reads an include file once; its output path, or `None` when it is
    /// navigation (links only) or could not be used.
    fn include(&mut self, src_path: &str) -> Option<String> {
        if let Some(r) = self.includes.get(src_path) {
            return r.clone();
        }
        let text = self.src.get(src_path).unwrap_or("");
        let (yaml, body, first) = outline::front_matter(text);
        let mut blocks = outline::parse(body, first);
        if let Some(y) = yaml {
            // `---` around a link bar: not YAML front matter at all.
            let is_yaml_map = !y.trim().is_empty()
                && serde_saphyr::from_str::<BTreeMap<String, serde_json::Value>>(y).is_ok();
            if !is_yaml_map {
                self.report.push(
                    Severity::Warning,
                    src_path,
                    1,
                    "not-front-matter",
                    "the file begins and ends with `---`, which reads as YAML front matter, but what is between is not YAML; read as Markdown".to_owned(),
                    Some("start the file with a blank line, or use `***` as the rule".to_owned()),
                );
                blocks = outline::parse(text, 1);
            }
        }
        let content = blocks.iter().any(|b| match b {
            Block::Item { text, .. } | Block::Para { text, .. } => !outline::is_only_links(text),
            Block::Include { .. }
            | Block::Partial { .. }
            | Block::Table { .. }
            | Block::Html { .. } => true,
            _ => false,
        });
        if !content {
            self.includes.insert(src_path.to_owned(), None);
            return None;
        }
        let out = self.include_out_path(src_path);
        self.includes.insert(src_path.to_owned(), Some(out.clone()));
        let mut entries = Vec::new();
        let mut seen = BTreeSet::new();
        let mut heading_group: Option<String> = None;
        for b in blocks {
            match b {
                Block::Heading { text, depth, .. } => {
                    // A label bullet under a heading: `Quality: Test Tooling`.
                    let g = outline::plain(&text);
                    if depth < outline::LABEL_DEPTH {
                        heading_group = Some(g.clone());
                        entries.push(Entry::Group(g));
                    } else {
                        // `Quality` then `Quality: Test Tooling`: the first
                        // holds nothing of its own.
                        if let (Some(Entry::Group(last)), Some(h)) =
                            (entries.last(), &heading_group)
                            && last == h
                        {
                            entries.pop();
                        }
                        entries.push(Entry::Group(match &heading_group {
                            Some(h) => format!("{h}: {g}"),
                            None => g,
                        }));
                    }
                }
                Block::Item { text, line } => {
                    if outline::is_only_links(&text) && text.contains("/matrix/") {
                        continue;
                    }
                    if !seen.insert(outline::normalise(&text)) {
                        self.duplicate(src_path, line, &text);
                        continue;
                    }
                    self.statement_text(src_path, line, &text);
                    entries.push(Entry::Statement { text, id: None });
                }
                Block::Para { text, .. } | Block::Table { text, .. } => {
                    if !outline::is_only_links(&text) {
                        entries.push(Entry::Prose(text));
                    }
                }
                Block::Html { text, line } => {
                    self.html_block(src_path, line);
                    entries.push(Entry::Prose(text));
                }
                Block::Include { path, line } | Block::Partial { path, line } => {
                    match self.resolve(src_path, &path) {
                        Some(p) => {
                            if let Some(o) = self.include(&p) {
                                entries.push(Entry::Include(o));
                            }
                        }
                        None => self.missing_include(src_path, line, &path),
                    }
                }
                Block::Malformed { text, path, line } => {
                    self.malformed(src_path, line, &text, &path)
                }
                Block::Erb { text, line } => self.erb(src_path, line, &text),
                Block::Noise { .. } => {}
            }
        }
        self.fw.includes.push(IncludeOut {
            path: out.clone(),
            entries,
        });
        Some(out)
    }

    fn include_out_path(&self, src_path: &str) -> String {
        let rel = match self.engine {
            Engine::Hugo => src_path
                .strip_prefix("assets/includes/")
                .or_else(|| src_path.strip_prefix("assets/"))
                .unwrap_or(src_path)
                .to_owned(),
            Engine::Middleman => {
                let rel = matrix_split(src_path)
                    .map(|(_, below)| below.join("/"))
                    .or_else(|| src_path.split_once("/source/").map(|x| x.1.to_owned()))
                    .unwrap_or_else(|| src_path.to_owned());
                let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel.as_str()));
                let name = name.trim_start_matches('_');
                let stem = name.split('.').next().unwrap_or(name);
                if dir.is_empty() {
                    format!("{stem}.md")
                } else {
                    format!("{dir}/{stem}.md")
                }
            }
        };
        let rel = rel.strip_suffix(".md").unwrap_or(&rel);
        format!(
            "includes/{}.md",
            rel.split('/').map(slugify).collect::<Vec<_>>().join("/")
        )
    }

    /// Notes a statement's text; reports it when another file already has it.
    fn statement_text(&mut self, file: &str, line: u32, text: &str) {
        let n = outline::normalise(text);
        match self.texts.get(&n) {
            Some((f, l)) if f != file => {
                let short: String = outline::plain(text).chars().take(60).collect();
                let msg = format!(
                    "`{short}…` is also written at {f}:{l}; both are kept, each with its own id"
                );
                self.report.push(
                    Severity::Warning,
                    file,
                    line,
                    "duplicate-statement",
                    msg,
                    Some("write it once in an include and use that in both places".to_owned()),
                );
            }
            Some(_) => {}
            None => {
                self.texts.insert(n, (file.to_owned(), line));
            }
        }
    }

    fn duplicate(&mut self, file: &str, line: u32, text: &str) {
        let short: String = outline::plain(text).chars().take(60).collect();
        self.report.warn(
            file,
            line,
            "duplicate-statement",
            format!("`{short}…` is written twice here; imported once"),
        );
    }

    fn malformed(&mut self, file: &str, line: u32, text: &str, path: &str) {
        let fixed = match self.engine {
            Engine::Hugo => format!("{{{{% include \"{path}\" %}}}}"),
            Engine::Middleman => format!("<%= partial(\"{path}\") %>"),
        };
        self.report.push(
            Severity::Warning,
            file,
            line,
            "malformed-shortcode",
            format!("`{text}` is not a valid include, so the site prints it as text; not imported"),
            Some(fixed),
        );
        if self.resolve(file, path).is_none() {
            self.missing_include(file, line, path);
        }
    }

    fn html_block(&mut self, file: &str, line: u32) {
        self.report.warn(
            file,
            line,
            "html-block",
            "an HTML block: its text is kept as prose, its layout (a table's grid, a box) is not; rewrite it in Markdown to keep it as statements".to_owned(),
        );
    }

    fn erb(&mut self, file: &str, line: u32, text: &str) {
        self.report.warn(
            file,
            line,
            "unresolved-erb",
            format!("ERB `{text}` runs code at build time and cannot be imported; left out"),
        );
    }

    fn layer_mut(&mut self, id: &str, folder: Option<&str>) -> &mut LayerOut {
        if let Some(i) = self.fw.layers.iter().position(|l| l.id == id) {
            #[allow(clippy::indexing_slicing)] // `i` was just found
            return &mut self.fw.layers[i];
        }
        let title = folder.map_or_else(
            || title_case(id.rsplit('/').next().unwrap_or(id)),
            str::to_owned,
        );
        self.fw.layers.push(LayerOut {
            id: id.to_owned(),
            title,
            ..LayerOut::default()
        });
        let last = self.fw.layers.len() - 1;
        #[allow(clippy::indexing_slicing)] // just pushed
        &mut self.fw.layers[last]
    }

    fn matrix_page(&mut self, page: &MatrixPage<'_>) {
        let Some(text) = self.src.get(page.path) else {
            return;
        };
        let (yaml, body, first) = outline::front_matter(text);
        let title = front_title(yaml);
        let blocks = outline::parse(body, first);
        let Some(level) = page.level.clone() else {
            // A folder's index: the layer's title and description.
            let layer_id = page.layer.clone();
            let mut desc = Vec::new();
            for b in &blocks {
                match b {
                    Block::Para { text, .. }
                    | Block::Item { text, .. }
                    | Block::Table { text, .. }
                        if !outline::is_only_links(text) =>
                    {
                        desc.push(text.clone());
                    }
                    Block::Html { text, line } => {
                        self.html_block(page.path, *line);
                        desc.push(text.clone());
                    }
                    Block::Include { path, line } | Block::Partial { path, line } => {
                        if let Some(p) = self.resolve(page.path, path) {
                            if self.include(&p).is_some() {
                                self.report.warn(page.path, *line, "unknown-heading", "an include on a folder index page is kept as a reference in the description".to_owned());
                                desc.push(format!("(includes `{path}`)"));
                            }
                        } else {
                            self.missing_include(page.path, *line, path);
                        }
                    }
                    Block::Erb { text, line } => self.erb(page.path, *line, text),
                    Block::Malformed { text, path, line } => {
                        self.malformed(page.path, *line, text, path)
                    }
                    _ => {}
                }
            }
            let l = self.layer_mut(&layer_id, None);
            if let Some(t) = title {
                l.title = t;
            }
            l.description.extend(desc);
            return;
        };
        self.see_level(&level);
        // Per category (in first-seen order), what the page holds.
        let mut preamble: Vec<Entry> = Vec::new();
        let mut cats: Vec<(String, Vec<Entry>)> = Vec::new();
        let mut cat: Option<(usize, usize)> = None; // (index in cats, heading depth)
        let mut seen_text: BTreeSet<String> = BTreeSet::new();
        let mut placed: BTreeSet<String> = BTreeSet::new();
        let mut first_heading = true;
        let push = |cats: &mut Vec<(String, Vec<Entry>)>,
                    preamble: &mut Vec<Entry>,
                    cat: Option<(usize, usize)>,
                    e: Entry| {
            match cat.and_then(|(i, _)| cats.get_mut(i)) {
                Some(c) => c.1.push(e),
                None => preamble.push(e),
            }
        };
        let mut i = 0;
        while let Some(b) = blocks.get(i) {
            i += 1;
            match b {
                Block::Heading { depth, text, line } => {
                    let depth = *depth;
                    let is_title = first_heading && depth <= 2;
                    first_heading = false;
                    if let Some(c) = category_of(text) {
                        let id = c.to_owned();
                        cat = Some((slot(&mut cats, id), depth));
                        continue;
                    }
                    if is_below_heading(text) {
                        cat = None;
                        continue;
                    }
                    if let Some((_, cd)) = cat
                        && depth > cd
                    {
                        let g = outline::plain(text);
                        push(&mut cats, &mut preamble, cat, Entry::Group(g));
                        continue;
                    }
                    if is_toc_heading(text) {
                        cat = None;
                        continue;
                    }
                    let is_level_title = level_in_title(text).is_some_and(|l| l == level)
                        || title.as_deref().is_some_and(|t| {
                            words_of(t).join(" ").contains(&words_of(text).join(" "))
                        });
                    if is_title || is_level_title {
                        cat = None;
                        continue;
                    }
                    // Does a list follow directly? Then it is a category.
                    let next = blocks
                        .get(i..)
                        .unwrap_or(&[])
                        .iter()
                        .find(|b| !matches!(b, Block::Noise { .. }));
                    let holds_list = match next {
                        Some(Block::Item { text, .. }) => {
                            !outline::is_only_links(text) && !is_toc_item(text)
                        }
                        Some(Block::Include { path, .. } | Block::Partial { path, .. }) => self
                            .resolve(page.path, path)
                            .is_some_and(|p| self.includes.get(&p).is_none_or(Option::is_some)),
                        _ => false,
                    };
                    if holds_list && !is_title {
                        let known = self.fw.categories.len();
                        let id = self.category(text);
                        if self.fw.categories.len() > known {
                            self.report.warn(
                            page.path,
                            *line,
                            "new-category",
                            format!("heading `{text}` is not one of the usual categories (leadership, technical, values alignment); its list is imported as category `{id}`, here and wherever it is used"),
                        );
                        }
                        cat = Some((slot(&mut cats, id), depth));
                        continue;
                    }
                    cat = None;
                    self.report.warn(
                        page.path,
                        *line,
                        "unknown-heading",
                        format!(
                            "heading `{text}` is neither a category nor a group; kept as prose"
                        ),
                    );
                    preamble.push(Entry::Prose(format!("**{}**", outline::plain(text))));
                }
                Block::Item { text, line } | Block::Para { text, line }
                    if outline::is_only_links(text) =>
                {
                    self.nav_link(page, &level, text, *line);
                }
                Block::Item { text, .. } if is_toc_item(text) => {}
                Block::Item { text, line } => {
                    if cat.is_none() {
                        self.report.warn(
                            page.path,
                            *line,
                            "stray-item",
                            "a list item outside any category heading; kept as prose".to_owned(),
                        );
                        preamble.push(Entry::Prose(text.clone()));
                        continue;
                    }
                    if !seen_text.insert(outline::normalise(text)) {
                        self.duplicate(page.path, *line, text);
                        continue;
                    }
                    self.statement_text(page.path, *line, text);
                    push(
                        &mut cats,
                        &mut preamble,
                        cat,
                        Entry::Statement {
                            text: text.clone(),
                            id: None,
                        },
                    );
                }
                Block::Para { text, .. } | Block::Table { text, .. } => {
                    push(&mut cats, &mut preamble, cat, Entry::Prose(text.clone()));
                }
                Block::Html { text, line } => {
                    self.html_block(page.path, *line);
                    push(&mut cats, &mut preamble, cat, Entry::Prose(text.clone()));
                }
                Block::Include { path, line } | Block::Partial { path, line } => {
                    let Some(p) = self.resolve(page.path, path) else {
                        self.missing_include(page.path, *line, path);
                        continue;
                    };
                    let Some(out) = self.include(&p) else {
                        continue;
                    };
                    if cat.is_none() {
                        self.report.warn(
                            page.path,
                            *line,
                            "stray-item",
                            format!("include `{path}` is outside any category heading; left out"),
                        );
                        continue;
                    }
                    if !placed.insert(out.clone()) {
                        self.report.warn(
                            page.path,
                            *line,
                            "duplicate-statement",
                            format!("include `{path}` is used twice on this page; imported once"),
                        );
                        continue;
                    }
                    push(&mut cats, &mut preamble, cat, Entry::Include(out));
                }
                Block::Malformed { text, path, line } => {
                    self.malformed(page.path, *line, text, path)
                }
                Block::Erb { text, line } => self.erb(page.path, *line, text),
                Block::Noise { .. } => {}
            }
        }
        let mut entries = preamble;
        for (c, es) in cats {
            entries.push(Entry::Category(c));
            entries.extend(es);
        }
        let layer_id = page.layer.clone();
        let l = self.layer_mut(&layer_id, None);
        entry(&mut l.levels, level).extend(entries);
    }

    /// A navigation link; "All competencies exhibited by an X" gives `below`.
    fn nav_link(&mut self, page: &MatrixPage<'_>, level: &str, text: &str, line: u32) {
        for (label, target) in outline::links(text) {
            let l = words_of(&label);
            if !(l.iter().any(|w| w == "competencies")
                && l.iter().any(|w| w == "exhibited" || w == "all"))
            {
                continue;
            }
            let named = l
                .last()
                .and_then(|w| level_word(w))
                .map(str::to_owned)
                .or_else(|| {
                    target
                        .split('/')
                        .rev()
                        .find_map(level_word)
                        .map(str::to_owned)
                });
            let Some(below) = named else { continue };
            if below == level {
                self.report.push(
                    Severity::Warning,
                    page.path,
                    line,
                    "self-link",
                    format!("the link to the levels below (`{label}`) points at this page's own level `{level}`; the level order is used instead"),
                    Some(format!("link to the level below `{level}`")),
                );
            } else {
                self.below_links.push((
                    level.to_owned(),
                    below,
                    page.path.to_owned(),
                    line,
                    page.layer.clone(),
                ));
            }
        }
    }

    fn unused_includes(&mut self) {
        let engine = self.engine;
        let is_include = |p: &str| match engine {
            Engine::Hugo => p.starts_with("assets/") && p.ends_with(".md"),
            Engine::Middleman => {
                p.rsplit('/')
                    .next()
                    .is_some_and(|n| n.starts_with('_') && n != "_index.md")
                    && (p.ends_with(".erb") || p.ends_with(".md"))
            }
        };
        let unused: Vec<String> = self
            .src
            .files
            .keys()
            .filter(|p| is_include(p) && !self.includes.contains_key(*p))
            .cloned()
            .collect();
        for p in unused {
            if let Some(out) = self.include(&p) {
                self.report.warn(
                    &p,
                    1,
                    "unused-include",
                    format!("no page includes this file; imported as `{out}` all the same"),
                );
            }
        }
    }

    /// The grade of a level for the whole framework: the one most families
    /// give it (the lower on a tie). Families that give another keep theirs
    /// as their own, and the report says which.
    fn level_grade(&mut self, level: &str) -> Option<f64> {
        let votes = self.grade_votes.get(level)?;
        let mut tally: Vec<(f64, Vec<String>)> = Vec::new();
        for (g, page) in votes {
            match tally.iter_mut().find(|t| (t.0 - g).abs() < f64::EPSILON) {
                Some(t) => t.1.push(page.clone()),
                None => tally.push((*g, vec![page.clone()])),
            }
        }
        tally.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.total_cmp(&b.0)));
        let (chosen, _) = tally.first()?.clone();
        if tally.len() > 1 {
            let others: Vec<String> = tally
                .iter()
                .skip(1)
                .map(|(g, pages)| {
                    let first = pages.first().map_or("", String::as_str);
                    let more = pages.len() - 1;
                    if more == 0 {
                        format!("{g} (`{first}`)")
                    } else {
                        format!("{g} (`{first}` and {more} more)")
                    }
                })
                .collect();
            self.report.warn(
                "ladder.yaml",
                1,
                "grade-differs",
                format!(
                    "families give level `{level}` different grades: {chosen} in most, {}; the level's grade is {chosen}, and those families keep their own",
                    others.join(", ")
                ),
            );
        }
        Some(chosen)
    }

    /// Warns when a level's grade is below the grade of a level under it.
    fn grade_order(&mut self) {
        let grade: BTreeMap<String, f64> = self
            .fw
            .levels
            .iter()
            .map(|l| (l.id.clone(), l.grade))
            .collect();
        let mut found = Vec::new();
        for l in &self.fw.levels {
            if let Some(b) = &l.below
                && let Some(bg) = grade.get(b)
                && *bg > l.grade
            {
                found.push(format!(
                    "level `{}` (grade {}) builds on `{b}` (grade {bg}), whose grade is higher; check the pages that give these grades, or edit ladder.yaml",
                    l.id, l.grade
                ));
            }
        }
        for f in found {
            self.report.warn("ladder.yaml", 1, "grade-order", f);
        }
    }

    /// Orders the levels and gives each its `below` and grade.
    fn finish_levels(&mut self) {
        // `below` by majority over the links.
        let mut votes: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        for (l, b, _, _, _) in &self.below_links {
            *votes
                .entry(l.clone())
                .or_default()
                .entry(b.clone())
                .or_default() += 1;
            self.level_seen.insert(b.clone());
        }
        let mut below: BTreeMap<String, String> = BTreeMap::new();
        for (l, v) in &votes {
            if let Some((b, _)) = v
                .iter()
                .max_by_key(|(b, n)| (**n, std::cmp::Reverse(rank(b))))
            {
                below.insert(l.clone(), b.clone());
            }
        }
        // A page that says otherwise: its layer keeps its own order, so
        // its views count each statement once, as the page means.
        let mut own: Vec<(String, String, String)> = Vec::new();
        for (l, b, file, line, layer) in &self.below_links {
            if below.get(l) != Some(b) {
                let chosen = below.get(l).cloned().unwrap_or_default();
                self.report.warn(file, *line, "level-order", format!("this page says `{l}` builds on `{b}`, but most pages say `{chosen}`; the layer `{layer}` keeps its own order (`below:` in its front matter), the rest use `{chosen}`"));
                own.push((layer.clone(), l.clone(), b.clone()));
            }
        }
        for (layer, l, b) in own {
            self.layer_mut(&layer, None)
                .below
                .entry(l)
                .or_insert(Some(b));
        }
        let mut levels: Vec<String> = self.level_seen.iter().cloned().collect();
        // Order: follow `below` chains; otherwise the usual order.
        let depth = |l: &str| {
            let mut d = 0usize;
            let mut cur = l.to_owned();
            let mut seen = BTreeSet::new();
            while let Some(b) = below.get(&cur) {
                if !seen.insert(cur.clone()) {
                    break;
                }
                d += 1;
                cur = b.clone();
            }
            d
        };
        levels.sort_by_key(|l| (rank(l), depth(l), l.clone()));
        let ic: Vec<String> = levels
            .iter()
            .filter(|l| !is_manager_level(l))
            .cloned()
            .collect();
        let mut prev_grade = 0.0_f64;
        for (n, l) in levels.iter().enumerate() {
            let b = below.get(l).cloned().or_else(|| {
                // An IC level with no link builds on the IC level before it,
                // a numbered management level (`M4`) on the one before it:
                // the management ladder is a track of its own.
                let track = if is_manager_level(l) {
                    if !numbered_manager(l) {
                        return None;
                    }
                    levels
                        .iter()
                        .filter(|x| numbered_manager(x))
                        .cloned()
                        .collect::<Vec<_>>()
                } else {
                    ic.clone()
                };
                let i = track.iter().position(|x| x == l)?;
                let p = track.get(i.checked_sub(1)?)?.clone();
                Some(p)
            });
            let given = self.level_map.grades.get(l).copied();
            let grade = match given.or_else(|| self.level_grade(l)) {
                Some(g) => g,
                None => {
                    let g = if prev_grade > 0.0 {
                        prev_grade + 1.0
                    } else {
                        (n + 1) as f64
                    };
                    self.report.warn(
                        "ladder.yaml",
                        1,
                        "no-grade",
                        format!("no page gives a grade for level `{l}`; set to {g}, edit ladder.yaml if that is wrong"),
                    );
                    g
                }
            };
            prev_grade = grade;
            self.fw.levels.push(LevelOut {
                id: l.clone(),
                title: self
                    .level_map
                    .titles
                    .get(l)
                    .cloned()
                    .unwrap_or_else(|| level_title(l)),
                grade,
                below: b,
            });
        }
        self.grade_order();
        // Layers list their levels in this order.
        let order: BTreeMap<String, usize> = levels
            .iter()
            .enumerate()
            .map(|(i, l)| (l.clone(), i))
            .collect();
        for layer in &mut self.fw.layers {
            layer
                .levels
                .sort_by_key(|(l, _)| order.get(l).copied().unwrap_or(usize::MAX));
        }
        self.fw.layers.sort_by(|a, b| a.id.cmp(&b.id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hiring_stages_are_read_from_prose() {
        let s = hiring_stage("Candidates will be invited to schedule a 30 minute [screening call](/x) with one of our Technical Recruiters").unwrap();
        assert_eq!(
            (s.name.as_str(), s.minutes, s.interviewer.as_str()),
            ("Screening call", 30, "Technical Recruiters")
        );
        let s = hiring_stage(
            "90-Minute [Technical Interview](https://x) with a member of the Support team.",
        )
        .unwrap();
        assert_eq!(
            (s.name.as_str(), s.minutes, s.interviewer.as_str()),
            ("Technical Interview", 90, "Support team")
        );
        assert!(hiring_stage("Reference Checks.").is_none());
    }

    #[test]
    fn grades_and_levels_are_read_from_titles() {
        assert_eq!(
            grade_in("The Senior Backend Engineer is a [grade 7](/x)."),
            Some(7.0)
        );
        assert_eq!(grade_in("is a grade 9.5."), Some(9.5));
        assert_eq!(
            level_in_title("Senior Backend Engineer").as_deref(),
            Some("senior")
        );
        assert_eq!(
            level_in_title("Backend Engineering Manager").as_deref(),
            Some("manager")
        );
        assert_eq!(
            category_of("Senior Leadership Competencies"),
            Some("leadership")
        );
        assert_eq!(category_of("Principal Values Alignment"), Some("values"));
        assert!(is_below_heading("Intermediate Competencies"));
    }
}
