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
}

/// Levels every handbook of this family uses, in their usual order, with
/// the words that name them. Levels the source names otherwise are kept by
/// their own name, after these.
const LEVEL_WORDS: &[(&str, &str, &[&str])] = &[
    ("intern", "Intern", &["intern", "interns"]),
    ("junior", "Junior", &["junior", "juniors"]),
    ("associate", "Associate", &["associate", "associates"]),
    (
        "intermediate",
        "Intermediate",
        &["intermediate", "intermediates", "mid"],
    ),
    ("senior", "Senior", &["senior", "seniors"]),
    ("staff", "Staff", &["staff"]),
    ("principal", "Principal", &["principal", "principals"]),
    ("distinguished", "Distinguished", &["distinguished"]),
    ("fellow", "Fellow", &["fellow", "fellows"]),
];

const MANAGER_LEVELS: &[(&str, &str)] = &[
    ("manager", "Manager"),
    ("senior-manager", "Senior Manager"),
    ("director", "Director"),
    ("senior-director", "Senior Director"),
    ("vp", "VP"),
];

fn rank(level: &str) -> usize {
    LEVEL_WORDS
        .iter()
        .position(|l| l.0 == level)
        .or_else(|| {
            MANAGER_LEVELS
                .iter()
                .position(|l| l.0 == level)
                .map(|i| 100 + i)
        })
        .unwrap_or(1000)
}

fn words_of(text: &str) -> Vec<String> {
    outline::normalise(text)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The level a single word names, if any.
fn level_word(w: &str) -> Option<&'static str> {
    LEVEL_WORDS.iter().find(|l| l.2.contains(&w)).map(|l| l.0)
}

/// The level a role title names: `Senior Backend Engineer` → senior,
/// `Backend Engineering Manager` → manager, `Senior Manager, …` → senior-manager.
fn level_in_title(text: &str) -> Option<&'static str> {
    let w = words_of(text);
    let has = |x: &str| w.iter().any(|y| y == x);
    if has("manager") || has("managers") {
        return Some(if has("senior") {
            "senior-manager"
        } else {
            "manager"
        });
    }
    if has("director") {
        return Some(if has("senior") {
            "senior-director"
        } else {
            "director"
        });
    }
    w.iter().find_map(|x| level_word(x))
}

fn level_title(id: &str) -> String {
    LEVEL_WORDS
        .iter()
        .find(|l| l.0 == id)
        .map(|l| l.1.to_owned())
        .or_else(|| {
            MANAGER_LEVELS
                .iter()
                .find(|l| l.0 == id)
                .map(|l| l.1.to_owned())
        })
        .unwrap_or_else(|| title_case(id))
}

fn title_case(id: &str) -> String {
    id.split(['-', '_', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
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
    (path.ends_with(".md") || path.ends_with(".html.md.erb") || path.ends_with(".txt"))
        && !name.starts_with('_')
        || name == "_index.md"
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
        root_name.to_owned()
    } else {
        segs.iter()
            .map(|s| slugify(s))
            .collect::<Vec<_>>()
            .join("/")
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
    below_links: Vec<(String, String, String, u32)>,
    grades: BTreeMap<String, f64>,
    level_seen: BTreeSet<String>,
    /// Normalised statement text → where it was first written.
    texts: BTreeMap<String, (String, u32)>,
}

/// Imports a handbook checkout (or a single page).
pub fn import(src: &Source, opts: &Options) -> Import {
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
        grades: BTreeMap::new(),
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
        for path in src.files.keys() {
            let path = path.as_str();
            if !is_page(path) && !single {
                continue;
            }
            if let Some(p) = classify_matrix(path, &root_name) {
                matrix.push(p);
            } else if single || path.contains("job-families/") {
                families.push(path);
            } else if !path.starts_with("assets/")
                && (path.ends_with("_index.md")
                    || !path.rsplit('/').next().unwrap_or("").starts_with('_'))
            {
                self.prose_page(path);
            }
        }
        for p in &matrix {
            self.matrix_page(p);
        }
        for f in families {
            self.family_page(f);
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
            self.fw.categories.push((id.clone(), title_case(&title)));
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
        for b in blocks {
            match b {
                Block::Heading { text, .. } => entries.push(Entry::Group(outline::plain(&text))),
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
                self.below_links
                    .push((level.to_owned(), below, page.path.to_owned(), line));
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

    /// Orders the levels and gives each its `below` and grade.
    fn finish_levels(&mut self) {
        // `below` by majority over the links.
        let mut votes: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        for (l, b, _, _) in &self.below_links {
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
        for (l, b, file, line) in &self.below_links {
            if below.get(l) != Some(b) {
                let chosen = below.get(l).cloned().unwrap_or_default();
                self.report.warn(file, *line, "level-order", format!("this page says `{l}` builds on `{b}`, but most pages say `{chosen}`; `{chosen}` is used"));
            }
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
        let ic: Vec<String> = levels.iter().filter(|l| rank(l) < 100).cloned().collect();
        let mut prev_grade = 0.0_f64;
        for (n, l) in levels.iter().enumerate() {
            let b = below.get(l).cloned().or_else(|| {
                // An IC level with no link builds on the IC level before it.
                let i = ic.iter().position(|x| x == l)?;
                let p = ic.get(i.checked_sub(1)?)?.clone();
                Some(p)
            });
            let grade = match self.grades.get(l) {
                Some(g) => *g,
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
                title: level_title(l),
                grade,
                below: b,
            });
        }
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

// ---------------------------------------------------------------- families

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Resp,
    Req,
    Nice,
    Pi,
}

fn list_kind(heading: &str) -> Option<(Kind, bool)> {
    let w: Vec<String> = words_of(heading)
        .into_iter()
        .filter(|w| w.len() > 1)
        .collect();
    let last = w.last()?.as_str();
    let (kind, exact) = match last {
        "responsibilities" => (Kind::Resp, true),
        "requirements" => (Kind::Req, true),
        "haves" | "have" if w.iter().any(|x| x == "nice") => (Kind::Nice, true),
        "indicators" if w.iter().any(|x| x == "performance") => (Kind::Pi, true),
        other if levenshtein(other, "responsibilities") <= 2 => (Kind::Resp, false),
        other if levenshtein(other, "requirements") <= 2 => (Kind::Req, false),
        _ => return None,
    };
    Some((kind, exact))
}

fn is_specialties(text: &str) -> bool {
    let w = words_of(text);
    w.first().is_some_and(|f| {
        matches!(
            f.as_str(),
            "specialties" | "specialities" | "specializations" | "specialisations" | "specialty"
        )
    })
}

/// `a 30 minute screening call with one of our Technical Recruiters`.
pub fn hiring_stage(text: &str) -> Option<StageOut> {
    let plain = outline::plain(text);
    let lower = plain.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let orig: Vec<&str> = plain.split_whitespace().collect();
    let (i, minutes) = words.iter().enumerate().find_map(|(i, w)| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-');
        let (num, unit) = match w.split_once('-') {
            Some((n, u)) => (n.to_owned(), u.to_owned()),
            None => (
                w.to_owned(),
                words
                    .get(i + 1)
                    .map(|u| u.trim_matches(|c: char| !c.is_alphanumeric()).to_owned())
                    .unwrap_or_default(),
            ),
        };
        let n: u32 = num.parse().ok()?;
        (unit.starts_with("min")).then_some((i, n))
    })?;
    let after_unit = if words.get(i).is_some_and(|w| w.contains('-')) {
        i + 1
    } else {
        i + 2
    };
    let rest: Vec<&str> = orig.get(after_unit..).unwrap_or(&[]).to_vec();
    let with = rest.iter().position(|w| w.eq_ignore_ascii_case("with"));
    let name_words = match with {
        Some(k) => rest.get(..k).unwrap_or(&[]),
        None => &rest[..],
    };
    let mut name = name_words
        .join(" ")
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_owned();
    if name.is_empty() {
        name = "Interview".to_owned();
    }
    let mut name_chars = name.chars();
    let name: String = name_chars
        .next()
        .map(|f| f.to_uppercase().chain(name_chars).collect())
        .unwrap_or_default();
    let interviewer = with
        .map(|k| rest.get(k + 1..).unwrap_or(&[]).join(" "))
        .unwrap_or_default();
    let mut iv = interviewer.as_str();
    for p in [
        "one of our ",
        "a member of the ",
        "a member of our ",
        "members of the ",
        "our ",
        "the ",
        "a ",
        "an ",
    ] {
        if let Some(r) = iv.strip_prefix(p) {
            iv = r;
        }
    }
    let iv = iv
        .split(['.', ',', ';', '('])
        .next()
        .unwrap_or("")
        .trim()
        .to_owned();
    let interviewer = if iv.is_empty() {
        "Hiring team".to_owned()
    } else {
        iv
    };
    let name = if ["interview", "interviews"].contains(&name.to_lowercase().as_str())
        && interviewer != "Hiring team"
    {
        format!("{name} with {interviewer}")
    } else {
        name
    };
    Some(StageOut {
        name,
        minutes,
        interviewer,
    })
}

/// `The Senior Backend Engineer is a grade 7` / `[grade 9.5](…)` → 7 / 9.5.
pub fn grade_in(text: &str) -> Option<f64> {
    let plain = outline::plain(text).to_lowercase();
    let i = plain.find("grade ")?;
    let num: String = plain
        .get(i + 6..)?
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    num.trim_end_matches('.').parse().ok()
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum At {
    Top,
    List(Kind),
    Levels(usize),
    Level(usize, usize), // (index in level_lists, depth)
    LevelList(usize, usize, Kind),
    Specialties(usize),
    Specialty(usize, usize),
    SpecialtyList(usize, usize, Kind),
    Other(usize, usize),
    Hiring(usize, usize),
}

impl<'s> Importer<'s> {
    fn family_page(&mut self, path: &str) {
        let Some(text) = self.src.get(path) else {
            return;
        };
        let (yaml, body, first) = outline::front_matter(text);
        let blocks = outline::parse(body, first);
        let title = front_title(yaml)
            .or_else(|| {
                blocks.iter().find_map(|b| match b {
                    Block::Heading { text, .. } => Some(text.clone()),
                    _ => None,
                })
            })
            .unwrap_or_else(|| title_case(page_stem(path.rsplit('/').next().unwrap_or(path))));
        let page_level = level_in_title(&title).map(str::to_owned);
        // The family: the title without level words and "roles".
        let fam_words: Vec<String> = words_of(&title)
            .into_iter()
            .filter(|w| {
                level_word(w).is_none()
                    && !["roles", "role", "job", "family", "families", "at", "gitlab"]
                        .contains(&w.as_str())
            })
            .collect();
        let fam_title = title_case(&fam_words.join(" "));
        let mut fam = FamilyOut {
            id: slugify(&fam_title),
            title: fam_title.clone(),
            source: path.to_owned(),
            ..FamilyOut::default()
        };
        if let Some(l) = &page_level {
            fam.levels.push(l.clone());
        }
        let base_title = words_of(&fam_title).join(" ");
        // Names a level: `Senior Backend Engineer`, `Backend Engineer` (the base level), `Intern, Backend Engineer`.
        let level_of = |heading: &str| -> Option<String> {
            if let Some(l) = level_in_title(heading) {
                return Some(l.to_owned());
            }
            let w = words_of(heading).join(" ");
            (w == base_title || w == format!("{base_title}s")).then(|| "intermediate".to_owned())
        };
        let mut at = At::Top;
        let mut description_done = false;
        let mut hiring_done = false;
        let mut level_ctx: Option<String> = page_level.clone();
        // Inside `## Levels` (true) or `## Specialties` (false), at that depth.
        let mut container: Option<(bool, usize)> = None;
        // The section whose stray items were already reported.
        let mut stray_warned: Option<usize> = None;
        let mut i = 0;
        while let Some(b) = blocks.get(i) {
            i += 1;
            match b {
                Block::Heading { depth, text, line } => {
                    let depth = *depth;
                    if depth == 1
                        && !description_done
                        && words_of(text).join(" ").contains(&base_title)
                    {
                        continue; // the page title
                    }
                    if is_toc_heading(text) {
                        continue;
                    }
                    description_done = true;
                    let plain = outline::plain(text);
                    // Leaving `Levels` or `Specialties`?
                    if container.is_some_and(|(_, d)| depth <= d) {
                        container = None;
                    }
                    // The current level or specialty heading, for sub-lists.
                    let owner_depth = match at {
                        At::Level(_, d)
                        | At::LevelList(_, d, _)
                        | At::Specialty(_, d)
                        | At::SpecialtyList(_, d, _) => Some(d),
                        _ => None,
                    };
                    if let Some((kind, exact)) = list_kind(&plain) {
                        if !exact {
                            self.report.push(
                                Severity::Warning,
                                path,
                                *line,
                                "misspelt-heading",
                                format!(
                                    "heading `{plain}` read as `{}`",
                                    match kind {
                                        Kind::Resp => "Responsibilities",
                                        Kind::Req => "Requirements",
                                        Kind::Nice => "Nice to have",
                                        Kind::Pi => "Performance indicators",
                                    }
                                ),
                                None,
                            );
                        }
                        // `#### Senior Responsibilities`: that level's list.
                        let prefixed = level_in_title(&plain).map(str::to_owned);
                        let under_owner = owner_depth.is_some_and(|d| depth > d);
                        at = match (at, prefixed) {
                            (_, Some(l)) if matches!(kind, Kind::Resp | Kind::Req) => {
                                let li = self.family_level(&mut fam, &l);
                                At::LevelList(li, depth.saturating_sub(1), kind)
                            }
                            (At::Level(li, d) | At::LevelList(li, d, _), _)
                                if under_owner && matches!(kind, Kind::Resp | Kind::Req) =>
                            {
                                At::LevelList(li, d, kind)
                            }
                            (At::Specialty(si, d) | At::SpecialtyList(si, d, _), _)
                                if under_owner && kind != Kind::Pi =>
                            {
                                At::SpecialtyList(si, d, kind)
                            }
                            _ => {
                                container = None;
                                At::List(kind)
                            }
                        };
                        continue;
                    }
                    if words_of(&plain) == ["levels"] {
                        container = Some((true, depth));
                        at = At::Levels(depth);
                        continue;
                    }
                    if is_specialties(&plain) {
                        container = Some((false, depth));
                        at = At::Specialties(depth);
                        continue;
                    }
                    let w = words_of(&plain);
                    if w.iter().any(|x| x == "hiring") && w.iter().any(|x| x == "process") {
                        container = None;
                        fam.other.push((plain.clone(), Vec::new()));
                        at = At::Hiring(fam.other.len() - 1, depth);
                        continue;
                    }
                    if w == ["job", "grade"] {
                        fam.other.push((
                            format!(
                                "{} job grade",
                                level_ctx
                                    .as_deref()
                                    .map_or_else(|| fam_title.clone(), level_title)
                            ),
                            Vec::new(),
                        ));
                        at = At::Other(fam.other.len() - 1, depth);
                        continue;
                    }
                    let in_specs = container.is_some_and(|(levels, _)| !levels);
                    if !in_specs && let Some(l) = level_of(&plain) {
                        let li = self.family_level(&mut fam, &l);
                        level_ctx = Some(l);
                        at = At::Level(li, depth);
                        continue;
                    }
                    // A specialty: under `Specialties`, or beside the levels,
                    // but not a sub-heading of one.
                    if container.is_some()
                        && !(matches!(at, At::Specialty(..) | At::SpecialtyList(..))
                            && owner_depth.is_some_and(|d| depth > d))
                    {
                        let id = slugify(&plain);
                        let si = match fam.specialties.iter().position(|s| s.id == id) {
                            Some(si) => si,
                            None => {
                                fam.specialties.push(SpecialtyOut {
                                    id,
                                    title: plain.clone(),
                                    ..SpecialtyOut::default()
                                });
                                fam.specialties.len() - 1
                            }
                        };
                        at = At::Specialty(si, depth);
                        continue;
                    }
                    self.report.warn(
                        path,
                        *line,
                        "unknown-heading",
                        format!("heading `{plain}` is not a family section; kept as prose"),
                    );
                    fam.other.push((plain, Vec::new()));
                    at = At::Other(fam.other.len() - 1, depth);
                }
                Block::Para { text, line } if at != At::Top || description_done => {
                    let plain = outline::plain(text);
                    if is_specialties(&plain)
                        && plain.trim_matches('*').split_whitespace().count() <= 4
                    {
                        // `**Specialties**` as a bold line.
                        at = At::Specialties(3);
                        continue;
                    }
                    if matches!(at, At::Hiring(..)) && !fam.hiring.is_empty() {
                        hiring_done = true;
                    }
                    if let Some(g) = grade_in(text) {
                        let l = level_of_sentence(&plain, &base_title)
                            .or_else(|| level_ctx.clone())
                            .unwrap_or_else(|| "intermediate".to_owned());
                        self.grade(&mut fam, &l, g, path, *line);
                    }
                    self.family_prose(&mut fam, at, text.clone());
                }
                Block::Para { text, line } => {
                    if let Some(g) = grade_in(text) {
                        let l = level_ctx
                            .clone()
                            .unwrap_or_else(|| "intermediate".to_owned());
                        self.grade(&mut fam, &l, g, path, *line);
                    }
                    fam.description.push(text.clone());
                }
                Block::Item { text, .. } if is_toc_item(text) => {}
                Block::Item { text, line } => {
                    match at {
                        At::Levels(_) => {
                            // The list of levels: `[Intermediate](…)`, `Senior`.
                            let plain = outline::plain(text);
                            if let Some(l) = level_of(&plain) {
                                self.family_level(&mut fam, &l);
                            }
                            let oi = slot(&mut fam.other, "Levels".to_owned());
                            if let Some(o) = fam.other.get_mut(oi) {
                                o.1.push(text.clone());
                            }
                        }
                        At::Hiring(oi, _) => {
                            if !hiring_done && let Some(st) = hiring_stage(text) {
                                fam.hiring.push(st);
                            }
                            if let Some(o) = fam.other.get_mut(oi) {
                                o.1.push(format!("- {text}"));
                            }
                        }
                        _ => {
                            if !self.family_item(&mut fam, at, text) {
                                let section = fam.other.len();
                                if stray_warned != Some(section) {
                                    stray_warned = Some(section);
                                    self.report.warn(path, *line, "stray-item", "list items outside a Responsibilities, Requirements, Nice-to-haves or Performance indicators section; kept as prose".to_owned());
                                }
                                self.family_prose(&mut fam, at, text.clone());
                            }
                        }
                    }
                }
                Block::Table { text, .. } => self.family_prose(&mut fam, at, text.clone()),
                Block::Html { text, line } => {
                    self.html_block(path, *line);
                    self.family_prose(&mut fam, at, text.clone());
                }
                Block::Erb { text, line } => self.erb(path, *line, text),
                Block::Include { path: p, line } | Block::Partial { path: p, line } => {
                    self.report.warn(
                        path,
                        *line,
                        "unresolved-include",
                        format!("include `{p}` in a job-family page is not imported"),
                    );
                }
                Block::Malformed {
                    text,
                    path: p,
                    line,
                } => self.malformed(path, *line, text, p),
                Block::Noise { .. } => {}
            }
            if !matches!(at, At::Hiring(..)) && !fam.hiring.is_empty() {
                hiring_done = true;
            }
        }
        if fam.levels.is_empty() {
            fam.levels.push("intermediate".to_owned());
        }
        for l in fam.levels.clone() {
            self.see_level(&l);
        }
        for (l, g) in &fam.grades {
            self.grades.entry(l.clone()).or_insert(*g);
        }
        // The family's competency layer: the matrix layer that best
        // matches its name, or a layer of its own.
        let fam_words_set: BTreeSet<String> = fam_words.iter().cloned().collect();
        let best = self
            .fw
            .layers
            .iter()
            .filter(|l| !l.levels.is_empty())
            .map(|l| {
                let lw: BTreeSet<String> = words_of(&l.id.replace('/', " ")).into_iter().collect();
                (
                    fam_words_set.intersection(&lw).count(),
                    std::cmp::Reverse(l.id.len()),
                    l.id.clone(),
                )
            })
            .filter(|(n, _, _)| *n > 0)
            .max();
        fam.layer = match best {
            Some((_, _, id)) => id,
            None => {
                let id = format!("families/{}", fam.id);
                self.layer_mut(&id, Some(&fam.title));
                id
            }
        };
        merge_other(&mut fam.other);
        if self.fw.families.iter().any(|f| f.id == fam.id) {
            let base = fam.id.clone();
            let mut n = 2;
            while self.fw.families.iter().any(|f| f.id == fam.id) {
                fam.id = format!("{base}-{n}");
                n += 1;
            }
            self.report.warn(
                path,
                1,
                "duplicate-family",
                format!(
                    "another page already describes family `{base}`; this one is imported as `{}`",
                    fam.id
                ),
            );
        }
        self.fw.families.push(fam);
    }

    fn grade(&mut self, fam: &mut FamilyOut, level: &str, g: f64, path: &str, line: u32) {
        if !fam.levels.iter().any(|l| l == level) {
            fam.levels.push(level.to_owned());
        }
        if let Some(old) = fam.grades.insert(level.to_owned(), g)
            && (old - g).abs() > f64::EPSILON
        {
            self.report.warn(
                path,
                line,
                "grade",
                format!("level `{level}` is given grade {old} and grade {g}; {g} is used"),
            );
        }
    }

    fn family_level(&mut self, fam: &mut FamilyOut, level: &str) -> usize {
        if !fam.levels.iter().any(|l| l == level) {
            fam.levels.push(level.to_owned());
        }
        match fam.level_lists.iter().position(|x| x.0 == level) {
            Some(i) => i,
            None => {
                fam.level_lists
                    .push((level.to_owned(), ListOut::default(), ListOut::default()));
                fam.level_lists.len() - 1
            }
        }
    }

    fn family_item(&mut self, fam: &mut FamilyOut, at: At, text: &str) -> bool {
        let item = (text.to_owned(), None);
        let list = match at {
            At::List(k) => Some(match k {
                Kind::Resp => &mut fam.responsibilities,
                Kind::Req => &mut fam.requirements,
                Kind::Nice => &mut fam.nice_to_have,
                Kind::Pi => &mut fam.performance_indicators,
            }),
            At::LevelList(li, _, k) => fam
                .level_lists
                .get_mut(li)
                .map(|x| if k == Kind::Resp { &mut x.1 } else { &mut x.2 }),
            At::SpecialtyList(si, _, k) => fam.specialties.get_mut(si).map(|s| match k {
                Kind::Resp => &mut s.responsibilities,
                Kind::Nice => &mut s.nice_to_have,
                _ => &mut s.requirements,
            }),
            _ => None,
        };
        match list {
            Some(l) => {
                if !l
                    .items
                    .iter()
                    .any(|x| outline::normalise(&x.0) == outline::normalise(text))
                {
                    l.items.push(item);
                }
                true
            }
            None => false,
        }
    }

    fn family_prose(&mut self, fam: &mut FamilyOut, at: At, text: String) {
        match at {
            At::Top => fam.description.push(text),
            At::List(k) => match k {
                Kind::Resp => fam.responsibilities.prose.push(text),
                Kind::Req => fam.requirements.prose.push(text),
                Kind::Nice => fam.nice_to_have.prose.push(text),
                Kind::Pi => fam.performance_indicators.prose.push(text),
            },
            At::Specialty(si, _) | At::SpecialtyList(si, _, _) => {
                if let Some(s) = fam.specialties.get_mut(si) {
                    s.description.push(text);
                }
            }
            At::Other(oi, _) | At::Hiring(oi, _) => {
                if let Some(o) = fam.other.get_mut(oi) {
                    o.1.push(text);
                }
            }
            At::Specialties(_) => {
                let oi = slot(&mut fam.other, "About the specialties".to_owned());
                if let Some(o) = fam.other.get_mut(oi) {
                    o.1.push(text);
                }
            }
            At::Levels(_) => {
                let oi = slot(&mut fam.other, "Levels".to_owned());
                if let Some(o) = fam.other.get_mut(oi) {
                    o.1.push(text);
                }
            }
            At::Level(li, _) | At::LevelList(li, _, _) => {
                let l = fam
                    .level_lists
                    .get(li)
                    .map_or_else(String::new, |x| level_title(&x.0));
                let oi = slot(&mut fam.other, format!("About the {l} level"));
                if let Some(o) = fam.other.get_mut(oi) {
                    o.1.push(text);
                }
            }
        }
    }
}

/// Which level a sentence is about: `The Senior Backend Engineer is a grade 7`.
fn level_of_sentence(plain: &str, base_title: &str) -> Option<String> {
    let before = plain.to_lowercase();
    let before = before.split(" is ").next().unwrap_or("");
    if let Some(l) = level_in_title(before) {
        return Some(l.to_owned());
    }
    words_of(before)
        .join(" ")
        .contains(base_title)
        .then(|| "intermediate".to_owned())
}

/// Joins sections kept as prose that share a heading.
fn merge_other(other: &mut Vec<(String, Vec<String>)>) {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for (h, p) in other.drain(..) {
        match out.iter_mut().find(|x| x.0 == h) {
            Some(x) => x.1.extend(p),
            None => out.push((h, p)),
        }
    }
    *other = out;
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
        assert_eq!(level_in_title("Senior Backend Engineer"), Some("senior"));
        assert_eq!(
            level_in_title("Backend Engineering Manager"),
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
