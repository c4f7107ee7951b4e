//! Every page of the site. Paths, from the site root:
//!
//! | page | path |
//! |---|---|
//! | index | `index.html` |
//! | family | `families/{family}/index.html` |
//! | role | `families/{family}/{level}.html`, `families/{family}/{specialty}/{level}.html` |
//! | from level to next | `families/{family}/[{specialty}/]{level}-to-{next}.html` |
//! | layer | `layers/{layer}/index.html` |
//! | layer at a level | `layers/{layer}/{level}.html` |
//! | search | `search.html`, `search.js`, `search-index.js` |

use crate::check::Links;
use crate::html::{Page, escape, escape_into};
use crate::md::{self, Origin, Targets};
use crate::{Summary, Writer};
use ladder_framework::resolve::{Expectation, Lookup, Placed, RoleItem, role};
use ladder_framework::similar::{WordOp, word_diff, word_similarity, words};
use ladder_framework::{Diagnostic, Family, FileSet, Framework, Layer, Section, Source};
use rustc_hash::FxHashMap as HashMap;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

const STYLE: &str = include_str!("assets/style.css");
const SEARCH_JS: &str = include_str!("assets/search.js");

/// A new statement at the next level counts as a rewording of one below
/// when their word sets overlap at least this much (Jaccard).
pub const REWORDING: f64 = 0.5;

pub fn family_page(f: &str) -> String {
    format!("families/{f}/index.html")
}

pub fn role_page(f: &str, spec: Option<&str>, level: &str) -> String {
    match spec {
        Some(s) => format!("families/{f}/{s}/{level}.html"),
        None => format!("families/{f}/{level}.html"),
    }
}

pub fn growth_page(f: &str, spec: Option<&str>, level: &str, next: &str) -> String {
    match spec {
        Some(s) => format!("families/{f}/{s}/{level}-to-{next}.html"),
        None => format!("families/{f}/{level}-to-{next}.html"),
    }
}

pub fn layer_page(l: &str) -> String {
    format!("layers/{l}/index.html")
}

pub fn layer_level_page(l: &str, level: &str) -> String {
    format!("layers/{l}/{level}.html")
}

struct Ctx<'a> {
    fw: &'a Framework,
    look: Lookup<'a>,
    files: &'a FileSet,
    targets: Targets,
    /// Each item as pages show it, made once.
    items: HashMap<&'a str, ItemHtml>,
    org: &'a str,
    /// (layer, level) pairs where the layer itself places statements: the
    /// layer-at-level pages that exist.
    placed: BTreeSet<(&'a str, &'a str)>,
    layer_titles: HashMap<&'a str, &'a str>,
    /// Layer and level titles escaped once: every statement on every page
    /// shows the pair it comes from.
    layer_titles_html: HashMap<&'a str, String>,
    level_titles_html: HashMap<&'a str, String>,
    write: &'a Writer<'a>,
}

/// An item as pages show it: its id escaped for the `id` and `href` it is
/// written into, and its text rendered.
struct ItemHtml {
    id: String,
    text: String,
}

/// What a page needs of a statement in a view: an owned
/// [`Expectation`] (role views) or a borrowed [`Placed`] (layer pages,
/// which resolve many large views and need not copy their texts).
trait Stmt {
    fn id(&self) -> &str;
    fn category(&self) -> &str;
    fn layer(&self) -> &str;
    fn level(&self) -> &str;
    fn group(&self) -> Option<&str>;
}

impl Stmt for Expectation {
    fn id(&self) -> &str {
        &self.id
    }
    fn category(&self) -> &str {
        &self.category
    }
    fn layer(&self) -> &str {
        &self.layer
    }
    fn level(&self) -> &str {
        &self.level
    }
    fn group(&self) -> Option<&str> {
        self.group.as_deref()
    }
}

impl Stmt for Placed<'_> {
    fn id(&self) -> &str {
        &self.item.id
    }
    fn category(&self) -> &str {
        &self.placement.category
    }
    fn layer(&self) -> &str {
        &self.layer.id
    }
    fn level(&self) -> &str {
        &self.placement.level
    }
    fn group(&self) -> Option<&str> {
        self.placement.group.as_deref()
    }
}

/// What one rendering thread produced.
#[derive(Default)]
struct Sink {
    links: Links,
    diags: Vec<Diagnostic>,
    summary: Summary,
}

/// Items rendered by one thread, by id, and what rendering them reported.
type RenderedItems<'a> = (Vec<(&'a str, ItemHtml)>, Vec<Diagnostic>);

/// One page (or set of files) to render.
enum Job<'f> {
    Index,
    Family(&'f Family),
    Role(&'f Family, Option<&'f str>, &'f str),
    Growth(&'f Family, Option<&'f str>, &'f str, &'f str),
    /// A layer's page and its page at each level where it places
    /// statements: one job, so one thread writes the layer's folder.
    Layer(&'f Layer),
    Search,
    /// `framework.json`, streamed while the pages are rendered.
    Json,
}

pub fn render<'a>(
    fw: &'a Framework,
    files: &'a FileSet,
    write: &'a Writer<'a>,
    links: &mut Links,
    diags: &mut Vec<Diagnostic>,
) -> Summary {
    let mut cx = Ctx {
        write,
        layer_titles: fw
            .layers
            .iter()
            .map(|l| (l.id.as_str(), l.title.as_str()))
            .collect(),
        fw,
        look: Lookup::new(fw),
        files,
        targets: targets(fw),
        items: HashMap::default(),
        layer_titles_html: fw
            .layers
            .iter()
            .map(|l| (l.id.as_str(), escape(&l.title)))
            .collect(),
        // The first level of an id, as `Framework::level` finds.
        level_titles_html: fw
            .config
            .levels
            .iter()
            .rev()
            .map(|l| (l.id.as_str(), escape(&l.title)))
            .collect(),
        org: &fw.config.organisation,
        placed: fw
            .layers
            .iter()
            .flat_map(|l| l.placements.iter().map(|p| (l.id.as_str(), &*p.level)))
            .collect(),
    };
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    // Each item's text, rendered once for every page that shows it, on
    // every core.
    let items: Vec<(&String, &ladder_framework::Item)> = fw.items.iter().collect();
    let chunk = items.len().div_ceil(threads).max(1);
    let rendered: Vec<RenderedItems<'_>> = std::thread::scope(|scope| {
        let targets = &cx.targets;
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    let mut diags = Vec::new();
                    let html = part
                        .iter()
                        .map(|(id, item)| {
                            let html = md::render(
                                targets,
                                files,
                                &item.text,
                                true,
                                origin(&item.source),
                                &mut diags,
                            );
                            let id = id.as_str();
                            let shown = ItemHtml {
                                id: escape(id),
                                text: html,
                            };
                            (id, shown)
                        })
                        .collect();
                    (html, diags)
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    for (html, d) in rendered {
        cx.items.extend(html);
        diags.extend(d);
    }
    // framework.json first: it is the largest job, and the other threads
    // render pages meanwhile.
    let mut jobs = vec![Job::Json, Job::Index, Job::Search];
    for f in &fw.families {
        jobs.push(Job::Family(f));
        let specs = std::iter::once(None).chain(f.specialties.iter().map(|s| Some(s.id.as_str())));
        for spec in specs {
            for l in &f.levels {
                jobs.push(Job::Role(f, spec, &l.level));
                for next in next_levels(fw, f, &l.level) {
                    jobs.push(Job::Growth(f, spec, &l.level, next));
                }
            }
        }
    }
    jobs.extend(fw.layers.iter().map(Job::Layer));
    // Pages are independent: every core takes the next job when it is done
    // with its last.
    let threads = threads.min(jobs.len());
    let cx = &cx;
    let jobs = &jobs;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let next = &next;
    let sinks: Vec<Sink> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(move || {
                    let mut out = Sink::default();
                    while let Some(job) =
                        jobs.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                    {
                        cx.run(job, &mut out);
                    }
                    out
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let mut out = Sink::default();
    cx.put(&mut out, "style.css", STYLE.as_bytes());
    for sink in sinks {
        out.links.merge(sink.links);
        out.diags.extend(sink.diags);
        out.summary.pages += sink.summary.pages;
        out.summary.files += sink.summary.files;
    }
    links.merge(out.links);
    diags.extend(out.diags);
    out.summary
}

fn origin(s: &Source) -> Origin<'_> {
    Origin {
        file: &s.file,
        line: s.line,
    }
}

/// Levels of the family that build directly on `level`.
fn next_levels<'f>(fw: &'f Framework, f: &Family, level: &str) -> Vec<&'f str> {
    fw.config
        .levels
        .iter()
        .filter(|l| l.below.as_deref() == Some(level) && f.levels.iter().any(|x| x.level == l.id))
        .map(|l| l.id.as_str())
        .collect()
}

fn section_items(s: &Section) -> impl Iterator<Item = &String> {
    s.items.iter()
}

fn targets(fw: &Framework) -> Targets {
    let mut pages = BTreeMap::new();
    let mut homes = BTreeMap::new();
    for f in &fw.families {
        let page = family_page(&f.id);
        pages.insert(f.source.file.clone(), page.clone());
        let mut sections: Vec<&Section> = vec![
            &f.responsibilities,
            &f.requirements,
            &f.nice_to_have,
            &f.performance_indicators,
        ];
        for l in &f.levels {
            sections.push(&l.responsibilities);
            sections.push(&l.requirements);
        }
        for s in &f.specialties {
            sections.extend([&s.responsibilities, &s.requirements, &s.nice_to_have]);
        }
        for s in sections {
            for id in section_items(s) {
                homes.entry(id.clone()).or_insert_with(|| page.clone());
            }
        }
    }
    for l in &fw.layers {
        pages.insert(l.source.file.clone(), layer_page(&l.id));
        for p in &l.placements {
            if !homes.contains_key(&*p.item) {
                homes.insert(p.item.to_string(), layer_level_page(&l.id, &p.level));
            }
        }
    }
    Targets {
        pages,
        homes,
        source_url: fw.config.source_url.clone(),
    }
}

impl Ctx<'_> {
    fn level_title<'s>(&'s self, id: &'s str) -> &'s str {
        self.fw.level(id).map_or(id, |l| l.title.as_str())
    }

    fn layer_title<'s>(&'s self, id: &'s str) -> &'s str {
        self.layer_titles.get(id).copied().unwrap_or(id)
    }

    /// The page that shows what `layer` expects at `level`: the layer's own
    /// page for that level, or its nearest ancestor's when it adds nothing there.
    fn level_page_for(&self, layer: &str, level: &str) -> Option<String> {
        self.look
            .layer_chain(layer)
            .iter()
            .rev()
            .find(|l| self.placed.contains(&(l.id.as_str(), level)))
            .map(|l| layer_level_page(&l.id, level))
    }

    fn run(&self, job: &Job<'_>, out: &mut Sink) {
        match *job {
            Job::Index => self.index(out),
            Job::Search => self.search(out),
            Job::Family(f) => self.family(out, f),
            Job::Role(f, spec, level) => self.role(out, f, spec, level),
            Job::Growth(f, spec, level, next) => self.growth(out, f, spec, level, next),
            Job::Layer(l) => {
                self.layer(out, l);
                for lv in &self.fw.config.levels {
                    if self.placed.contains(&(l.id.as_str(), lv.id.as_str())) {
                        self.layer_level(out, l, &lv.id);
                    }
                }
            }
            Job::Json => self.json(out),
        }
    }

    fn emit(&self, out: &mut Sink, page: Page, title: &str, crumbs: &[(String, String)]) {
        let (path, html) = page.finish(self.org, title, crumbs);
        out.links.page(&path, &html);
        out.summary.pages += 1;
        self.put(out, &path, html.as_bytes());
        crate::html::recycle(html);
    }

    fn json(&self, out: &mut Sink) {
        let path = "framework.json";
        out.links.file(path);
        let fw = self.fw;
        match self
            .write
            .write_with(path, &mut |w| crate::json::write_framework_json(fw, w))
        {
            Ok(()) => out.summary.files += 1,
            Err(e) => out.diags.push(crate::check::write_error(path, &e)),
        }
    }

    /// Hands a finished file to the writer.
    fn put(&self, out: &mut Sink, path: &str, bytes: &[u8]) {
        if !path.ends_with(".html") {
            out.links.file(path);
        }
        match self.write.write(path, bytes) {
            Ok(()) => out.summary.files += 1,
            Err(e) => out.diags.push(crate::check::write_error(path, &e)),
        }
    }

    fn prose(&self, out: &mut Sink, page: &mut Page, text: &str, source: &Source) {
        if text.trim().is_empty() {
            return;
        }
        let html = md::render(
            &self.targets,
            self.files,
            text,
            false,
            origin(source),
            &mut out.diags,
        );
        page.raw("<div class=\"prose\">");
        page.push_rendered(&html);
        page.raw("</div>\n");
    }

    fn item_html(&self, id: &str) -> &str {
        self.items.get(id).map_or("", |i| i.text.as_str())
    }

    /// A list of family items with their anchors.
    fn item_list(&self, page: &mut Page, ids: &[String]) {
        if ids.is_empty() {
            return;
        }
        page.raw("<ul class=\"items\">\n");
        for id in ids {
            let _ = write!(page.html, "<li id=\"{}\"><span class=\"st\">", escape(id));
            let html = self.item_html(id).to_owned();
            page.push_rendered(&html);
            let _ = writeln!(
                page.html,
                "</span> <a class=\"pin\" href=\"#{0}\">#</a></li>",
                escape(id)
            );
        }
        page.raw("</ul>\n");
    }

    fn section(
        &self,
        out: &mut Sink,
        page: &mut Page,
        heading: &str,
        tag: &str,
        s: &Section,
        source: &Source,
    ) {
        if s.items.is_empty() && s.prose.trim().is_empty() {
            return;
        }
        let _ = write!(page.html, "<{tag}>");
        page.text(heading);
        let _ = writeln!(page.html, "</{tag}>");
        self.prose(out, page, &s.prose, source);
        self.item_list(page, &s.items);
    }

    fn role_items(&self, page: &mut Page, heading: &str, items: &[RoleItem]) {
        if items.is_empty() {
            return;
        }
        let _ = writeln!(page.html, "<h2>{}</h2>", escape(heading));
        let ids: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
        self.item_list(page, &ids);
    }

    /// One statement with its provenance and anchor. Pages hold thousands:
    /// written straight into the page, without formatting.
    fn statement(&self, page: &mut Page, e: &impl Stmt) {
        let item = self.items.get(e.id());
        let unknown;
        let id = match item {
            Some(i) => i.id.as_str(),
            None => {
                unknown = escape(e.id());
                unknown.as_str()
            }
        };
        page.raw("<li id=\"");
        page.raw(id);
        page.raw("\"><span class=\"st\">");
        page.push_rendered(item.map_or("", |i| i.text.as_str()));
        page.raw("</span> <span class=\"from\">");
        match self.layer_titles_html.get(e.layer()) {
            Some(t) => page.raw(t),
            None => page.text(self.layer_title(e.layer())),
        }
        page.raw(" · ");
        match self.level_titles_html.get(e.level()) {
            Some(t) => page.raw(t),
            None => page.text(self.level_title(e.level())),
        }
        if let Some(g) = e.group() {
            page.raw(" · ");
            page.text(g);
        }
        page.raw("</span> <a class=\"pin\" href=\"#");
        page.raw(id);
        page.raw("\">#</a></li>\n");
    }

    /// Expectations grouped by category, then layer.
    fn competencies<S: Stmt>(&self, page: &mut Page, list: &[S], heading_level: u8) {
        if list.is_empty() {
            page.raw("<p class=\"empty\">No competencies are written for this level yet.</p>\n");
            return;
        }
        let mut cats: Vec<&str> = self
            .fw
            .config
            .categories
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        for e in list {
            if !cats.contains(&e.category()) {
                cats.push(e.category());
            }
        }
        let (h, h2) = (heading_level, heading_level + 1);
        for cat in cats {
            let in_cat: Vec<&S> = list.iter().filter(|e| e.category() == cat).collect();
            if in_cat.is_empty() {
                continue;
            }
            let title = self.fw.category(cat).map_or(cat, |c| c.title.as_str());
            let _ = writeln!(
                page.html,
                "<h{h} id=\"_cat-{}\">{}</h{h}>",
                escape(cat),
                escape(title)
            );
            let mut layers: Vec<&str> = Vec::new();
            for e in &in_cat {
                if !layers.contains(&e.layer()) {
                    layers.push(e.layer());
                }
            }
            for layer in layers {
                let _ = writeln!(
                    page.html,
                    "<h{h2} class=\"layer\">{}</h{h2}>",
                    escape(self.layer_title(layer))
                );
                page.raw("<ul class=\"statements\">\n");
                for e in in_cat.iter().filter(|e| e.layer() == layer) {
                    self.statement(page, *e);
                }
                page.raw("</ul>\n");
            }
        }
    }

    fn index(&self, out: &mut Sink) {
        let fw = self.fw;
        let mut p = Page::new("index.html".into());
        let title = if self.org.is_empty() {
            "Career framework".to_owned()
        } else {
            format!("{} career framework", self.org)
        };
        let _ = writeln!(p.html, "<h1>{}</h1>", escape(&title));
        p.raw("<p class=\"meta\">Every role's expectations, level by level. <a href=\"search.html\">Search all statements</a> · <a href=\"framework.json\">framework.json</a></p>\n");
        p.raw("<h2>Job families</h2>\n<table>\n<thead><tr><th>Family</th><th>Competency layer</th><th>Levels</th></tr></thead>\n<tbody>\n");
        for f in &fw.families {
            p.raw("<tr><td>");
            p.link(&family_page(&f.id), &f.title);
            p.raw("</td><td>");
            p.link(&layer_page(&f.layer), self.layer_title(&f.layer));
            p.raw("</td><td>");
            for (i, l) in f.levels.iter().enumerate() {
                if i > 0 {
                    p.raw(" · ");
                }
                p.link(
                    &role_page(&f.id, None, &l.level),
                    self.level_title(&l.level),
                );
            }
            p.raw("</td></tr>\n");
        }
        p.raw("</tbody>\n</table>\n<h2>Competency layers</h2>\n");
        self.layer_tree(&mut p, None);
        p.raw("<h2>Levels</h2>\n<table>\n<thead><tr><th>Level</th><th>Grade</th><th>Builds on</th></tr></thead>\n<tbody>\n");
        for l in &fw.config.levels {
            let below = l.below.as_deref().map_or("—", |b| self.level_title(b));
            let _ = writeln!(
                p.html,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&l.title),
                l.grade,
                escape(below)
            );
        }
        p.raw("</tbody>\n</table>\n");
        self.emit(out, p, &title, &[]);
    }

    fn layer_tree(&self, p: &mut Page, parent: Option<&str>) {
        let children: Vec<_> = self
            .fw
            .layers
            .iter()
            .filter(|l| match parent {
                None => l
                    .extends
                    .as_deref()
                    .is_none_or(|e| self.fw.layer(e).is_none()),
                Some(parent) => l.extends.as_deref() == Some(parent),
            })
            .collect();
        if children.is_empty() {
            return;
        }
        p.raw("<ul class=\"tree\">\n");
        for l in children {
            p.raw("<li>");
            p.link(&layer_page(&l.id), &l.title);
            self.layer_tree(p, Some(&l.id));
            p.raw("</li>\n");
        }
        p.raw("</ul>\n");
    }

    fn family(&self, out: &mut Sink, f: &Family) {
        let fw = self.fw;
        let mut p = Page::new(family_page(&f.id));
        let _ = writeln!(p.html, "<h1>{}</h1>", escape(&f.title));
        p.raw("<p class=\"meta\">Competency layer: ");
        p.link(&layer_page(&f.layer), self.layer_title(&f.layer));
        p.raw("</p>\n");
        self.prose(out, &mut p, &f.description, &f.source);
        self.section(
            out,
            &mut p,
            "Responsibilities",
            "h2",
            &f.responsibilities,
            &f.source,
        );
        self.section(
            out,
            &mut p,
            "Requirements",
            "h2",
            &f.requirements,
            &f.source,
        );
        self.section(
            out,
            &mut p,
            "Nice to have",
            "h2",
            &f.nice_to_have,
            &f.source,
        );
        p.raw("<h2 id=\"_levels\">Levels</h2>\n<table>\n<thead><tr><th>Level</th><th>Grade</th><th>Expectations</th><th>Growing from here</th></tr></thead>\n<tbody>\n");
        for l in &f.levels {
            let title = format!("{} {}", self.level_title(&l.level), f.title);
            p.raw("<tr><td>");
            p.text(&title);
            let _ = write!(p.html, "</td><td>{}</td><td>", l.grade);
            p.link(&role_page(&f.id, None, &l.level), "Expectations");
            p.raw("</td><td>");
            for (i, next) in next_levels(fw, f, &l.level).into_iter().enumerate() {
                if i > 0 {
                    p.raw(" · ");
                }
                p.link(
                    &growth_page(&f.id, None, &l.level, next),
                    &format!("To {}", self.level_title(next)),
                );
            }
            p.raw("</td></tr>\n");
        }
        p.raw("</tbody>\n</table>\n");
        for l in &f.levels {
            if l.responsibilities.items.is_empty() && l.requirements.items.is_empty() {
                continue;
            }
            let _ = writeln!(
                p.html,
                "<h3 id=\"_level-{}\">{}</h3>",
                escape(&l.level),
                escape(&format!("{} {}", self.level_title(&l.level), f.title))
            );
            self.section(
                out,
                &mut p,
                "Responsibilities",
                "h4",
                &l.responsibilities,
                &f.source,
            );
            self.section(
                out,
                &mut p,
                "Requirements",
                "h4",
                &l.requirements,
                &f.source,
            );
        }
        if !f.specialties.is_empty() {
            p.raw("<h2 id=\"_specialties\">Specialties</h2>\n");
            for s in &f.specialties {
                let _ = writeln!(
                    p.html,
                    "<h3 id=\"_specialty-{}\">{}</h3>",
                    escape(&s.id),
                    escape(&s.title)
                );
                if let Some(layer) = &s.layer {
                    p.raw("<p class=\"meta\">Competency layer: ");
                    p.link(&layer_page(layer), self.layer_title(layer));
                    p.raw("</p>\n");
                }
                self.prose(out, &mut p, &s.description, &s.source);
                self.section(
                    out,
                    &mut p,
                    "Responsibilities",
                    "h4",
                    &s.responsibilities,
                    &s.source,
                );
                self.section(
                    out,
                    &mut p,
                    "Requirements",
                    "h4",
                    &s.requirements,
                    &s.source,
                );
                self.section(
                    out,
                    &mut p,
                    "Nice to have",
                    "h4",
                    &s.nice_to_have,
                    &s.source,
                );
                p.raw("<p class=\"meta\">Expectations: ");
                for (i, l) in f.levels.iter().enumerate() {
                    if i > 0 {
                        p.raw(" · ");
                    }
                    p.link(
                        &role_page(&f.id, Some(&s.id), &l.level),
                        self.level_title(&l.level),
                    );
                }
                p.raw("</p>\n");
            }
        }
        self.section(
            out,
            &mut p,
            "Performance indicators",
            "h2",
            &f.performance_indicators,
            &f.source,
        );
        if !f.hiring_process.is_empty() {
            hiring(&mut p, f);
        }
        for o in &f.other_sections {
            let _ = writeln!(p.html, "<h2>{}</h2>", escape(&o.heading));
            self.prose(out, &mut p, &o.text, &o.source);
        }
        self.emit(out, p, &f.title.clone(), &[]);
    }

    fn role(&self, out: &mut Sink, f: &Family, spec: Option<&str>, level: &str) {
        let Ok(view) = role(self.fw, &f.id, level, spec, false) else {
            return;
        };
        let path = role_page(&f.id, spec, level);
        let mut p = Page::new(path);
        let title = match &view.specialty {
            Some(s) => format!("{} ({})", view.title, s.title),
            None => view.title.clone(),
        };
        let _ = writeln!(p.html, "<h1>{}</h1>", escape(&title));
        let _ = write!(
            p.html,
            "<p class=\"meta\">Grade {} · Competency layers: ",
            view.grade
        );
        for (i, l) in view.layers.iter().enumerate() {
            if i > 0 {
                p.raw(" › ");
            }
            p.link(&layer_page(l), self.layer_title(l));
        }
        if view.levels.len() > 1 {
            p.raw(" · Includes everything expected at ");
            let below: Vec<&str> = view
                .levels
                .iter()
                .skip(1)
                .map(|l| self.level_title(l))
                .collect();
            p.text(&below.join(", "));
        }
        p.raw("</p>\n");
        let nexts = next_levels(self.fw, f, level);
        let prev = self
            .fw
            .level(level)
            .and_then(|l| l.below.as_deref())
            .filter(|b| f.levels.iter().any(|x| x.level == *b));
        if prev.is_some() || !nexts.is_empty() {
            p.raw("<p class=\"growth\">");
            if let Some(b) = prev {
                p.link(
                    &growth_page(&f.id, spec, b, level),
                    &format!(
                        "← What {} adds to {}",
                        self.level_title(level),
                        self.level_title(b)
                    ),
                );
                p.raw(" ");
            }
            for n in nexts {
                p.link(
                    &growth_page(&f.id, spec, level, n),
                    &format!("What {} adds →", self.level_title(n)),
                );
                p.raw(" ");
            }
            p.raw("</p>\n");
        }
        p.raw("<h2 id=\"_competencies\">Competencies</h2>\n");
        self.competencies(&mut p, &view.competencies, 3);
        self.role_items(&mut p, "Responsibilities", &view.responsibilities);
        self.role_items(&mut p, "Requirements", &view.requirements);
        self.role_items(&mut p, "Nice to have", &view.nice_to_have);
        self.role_items(
            &mut p,
            "Performance indicators",
            &view.performance_indicators,
        );
        if !f.hiring_process.is_empty() {
            hiring(&mut p, f);
        }
        let mut crumbs = vec![(family_page(&f.id), f.title.clone())];
        if let Some(s) = &view.specialty {
            crumbs.push((
                format!("{}#_specialty-{}", family_page(&f.id), s.id),
                s.title.clone(),
            ));
        }
        self.emit(out, p, &title, &crumbs);
    }

    fn growth(&self, out: &mut Sink, f: &Family, spec: Option<&str>, level: &str, next: &str) {
        let (Ok(cur), Ok(nxt)) = (
            role(self.fw, &f.id, level, spec, false),
            role(self.fw, &f.id, next, spec, false),
        ) else {
            return;
        };
        let mut p = Page::new(growth_page(&f.id, spec, level, next));
        let spec_title = cur
            .specialty
            .as_ref()
            .map(|s| format!(" ({})", s.title))
            .unwrap_or_default();
        let title = format!("From {} to {}{}", cur.title, nxt.title, spec_title);
        let _ = writeln!(p.html, "<h1>{}</h1>", escape(&title));
        let _ = write!(
            p.html,
            "<p class=\"meta\">Grade {} → grade {}. ",
            cur.grade, nxt.grade
        );
        p.link(
            &role_page(&f.id, spec, level),
            &format!("All {} expectations", cur.level_title),
        );
        p.raw(" · ");
        p.link(
            &role_page(&f.id, spec, next),
            &format!("All {} expectations", nxt.level_title),
        );
        p.raw("</p>\n");
        let cur_ids: BTreeSet<&str> = cur.competencies.iter().map(|e| e.id.as_str()).collect();
        let nxt_ids: BTreeSet<&str> = nxt.competencies.iter().map(|e| e.id.as_str()).collect();
        let word_set = |t: &str| {
            let mut w = words(t);
            w.sort();
            w.dedup();
            w
        };
        let cur_words: Vec<(&Expectation, Vec<String>)> = cur
            .competencies
            .iter()
            .map(|e| (e, word_set(&e.text)))
            .collect();
        let mut added = Vec::new();
        let mut reworded: Vec<(&Expectation, &Expectation)> = Vec::new();
        for e in nxt
            .competencies
            .iter()
            .filter(|e| !cur_ids.contains(e.id.as_str()))
        {
            let w = word_set(&e.text);
            let best = cur_words
                .iter()
                .filter(|(c, _)| c.category == e.category)
                .map(|(c, cw)| (word_similarity(&w, cw), *c))
                .filter(|(s, _)| *s >= REWORDING)
                .max_by(|a, b| a.0.total_cmp(&b.0));
            match best {
                Some((_, old)) => reworded.push((old, e)),
                None => added.push(e.clone()),
            }
        }
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        let mut summary = format!(
            "{} adds {} new expectation{}",
            nxt.level_title,
            added.len(),
            plural(added.len())
        );
        if !reworded.is_empty() {
            summary.push_str(&format!(
                " and rewords {} from the level below",
                reworded.len()
            ));
        }
        let _ = writeln!(p.html, "<p>{}.</p>", escape(&summary));
        p.raw("<h2 id=\"_new\">New expectations</h2>\n");
        if added.is_empty() {
            p.raw("<p class=\"empty\">None: this level raises the bar by rewording only.</p>\n");
        } else {
            self.competencies(&mut p, &added, 3);
        }
        if !reworded.is_empty() {
            p.raw("<h2 id=\"_reworded\">Reworded from the level below</h2>\n<ul class=\"statements reworded\">\n");
            for (old, new) in reworded {
                let _ = write!(p.html, "<li id=\"{}\"><span class=\"st\">", escape(&new.id));
                diff_html(&mut p.html, &word_diff(&old.text, &new.text));
                let _ = write!(
                    p.html,
                    "</span> <span class=\"from\">{} · {}, was ",
                    escape(self.layer_title(&new.layer)),
                    escape(self.level_title(&new.level))
                );
                p.link(
                    &format!("{}#{}", role_page(&f.id, spec, level), old.id),
                    &old.id,
                );
                let _ = writeln!(
                    p.html,
                    "</span> <a class=\"pin\" href=\"#{0}\">#</a></li>",
                    escape(&new.id)
                );
            }
            p.raw("</ul>\n");
        }
        let dropped: Vec<&Expectation> = cur
            .competencies
            .iter()
            .filter(|e| !nxt_ids.contains(e.id.as_str()))
            .collect();
        if !dropped.is_empty() {
            p.raw("<h2 id=\"_dropped\">No longer listed</h2>\n<ul class=\"statements\">\n");
            for e in dropped {
                p.raw("<li><span class=\"st\">");
                let html = self.item_html(&e.id).to_owned();
                p.push_rendered(&html);
                p.raw("</span> ");
                p.link(
                    &format!("{}#{}", role_page(&f.id, spec, level), e.id),
                    &e.id,
                );
                p.raw("</li>\n");
            }
            p.raw("</ul>\n");
        }
        let cur_items: BTreeSet<&str> = cur
            .responsibilities
            .iter()
            .chain(&cur.requirements)
            .map(|i| i.id.as_str())
            .collect();
        let new_resp: Vec<RoleItem> = nxt
            .responsibilities
            .iter()
            .filter(|i| !cur_items.contains(i.id.as_str()))
            .cloned()
            .collect();
        let new_req: Vec<RoleItem> = nxt
            .requirements
            .iter()
            .filter(|i| !cur_items.contains(i.id.as_str()))
            .cloned()
            .collect();
        self.role_items(&mut p, "New responsibilities", &new_resp);
        self.role_items(&mut p, "New requirements", &new_req);
        let crumbs = vec![
            (family_page(&f.id), f.title.clone()),
            (
                role_page(&f.id, spec, level),
                format!("{}{}", cur.title, spec_title),
            ),
        ];
        self.emit(out, p, &title, &crumbs);
    }

    fn layer(&self, out: &mut Sink, l: &Layer) {
        let fw = self.fw;
        let mut p = Page::new(layer_page(&l.id));
        let _ = writeln!(p.html, "<h1>{}</h1>", escape(&l.title));
        let chain = self.look.layer_chain(&l.id);
        if chain.len() > 1 {
            p.raw("<p class=\"meta\">Builds on ");
            for (i, a) in chain.iter().take(chain.len() - 1).enumerate() {
                if i > 0 {
                    p.raw(" › ");
                }
                p.link(&layer_page(&a.id), &a.title);
            }
            p.raw("</p>\n");
        }
        self.prose(out, &mut p, &l.description, &l.source);
        let users: Vec<&Family> = fw
            .families
            .iter()
            .filter(|f| {
                f.layer == l.id
                    || f.specialties
                        .iter()
                        .any(|s| s.layer.as_deref() == Some(&l.id))
            })
            .collect();
        if !users.is_empty() {
            p.raw("<p class=\"meta\">Used by ");
            for (i, f) in users.iter().enumerate() {
                if i > 0 {
                    p.raw(", ");
                }
                p.link(&family_page(&f.id), &f.title);
            }
            p.raw("</p>\n");
        }
        p.raw("<h2>Levels</h2>\n<ul>\n");
        for lv in &fw.config.levels {
            if let Some(page) = self.level_page_for(&l.id, &lv.id) {
                p.raw("<li>");
                p.link(&page, &lv.title);
                p.raw("</li>\n");
            }
        }
        p.raw("</ul>\n<h2>What this layer adds, level by level</h2>\n");
        for (lv, own) in self.look.added(l) {
            let _ = writeln!(
                p.html,
                "<h3 id=\"_level-{}\">{}</h3>",
                escape(&lv.id),
                escape(&lv.title)
            );
            p.raw("<ul class=\"statements\">\n");
            for e in &own {
                self.statement(&mut p, e);
            }
            p.raw("</ul>\n");
        }
        self.emit(out, p, &l.title.clone(), &[]);
    }

    /// What a layer (with the layers it builds on) expects at one level, as
    /// a handbook level page does; the levels below are a link away.
    fn layer_level(&self, out: &mut Sink, l: &Layer, level: &str) {
        let list = self.look.placed(&l.id, level, true);
        let mut p = Page::new(layer_level_page(&l.id, level));
        let title = format!("{}: {}", l.title, self.level_title(level));
        let _ = writeln!(p.html, "<h1>{}</h1>", escape(&title));
        let below = self.fw.level(level).and_then(|x| x.below.as_deref());
        if let Some(b) = below
            && let Some(page) = self.level_page_for(&l.id, b)
        {
            p.raw("<p class=\"meta\">Also expected: ");
            p.link(
                &page,
                &format!("everything at {} and below", self.level_title(b)),
            );
            p.raw(".</p>\n");
        }
        self.competencies(&mut p, &list, 2);
        self.emit(out, p, &title, &[(layer_page(&l.id), l.title.clone())]);
    }

    fn search(&self, out: &mut Sink) {
        #[derive(serde::Serialize)]
        struct Index<'a> {
            pages: Vec<&'a str>,
            /// [id, text, page index, where]
            entries: Vec<(&'a str, &'a str, usize, String)>,
        }
        let mut pages: Vec<&str> = self.targets.homes.values().map(String::as_str).collect();
        pages.sort_unstable();
        pages.dedup();
        // Each item's first placement (layer, level), found once: a search
        // per item would scan every placement of every layer.
        let mut placed: HashMap<&str, (&str, &str)> = HashMap::default();
        for l in &self.fw.layers {
            for p in &l.placements {
                placed
                    .entry(&*p.item)
                    .or_insert((l.title.as_str(), &*p.level));
            }
        }
        let mut entries = Vec::new();
        for (id, home) in &self.targets.homes {
            let Some(item) = self.look.item(id) else {
                continue;
            };
            let Ok(at) = pages.binary_search(&home.as_str()) else {
                continue;
            };
            let place = placed
                .get(id.as_str())
                .map(|(layer, level)| format!("{layer} · {}", self.level_title(level)))
                .unwrap_or_else(|| {
                    self.fw
                        .families
                        .iter()
                        .find(|f| family_page(&f.id) == *home)
                        .map_or_else(String::new, |f| f.title.clone())
                });
            entries.push((id.as_str(), item.text.as_str(), at, place));
        }
        let index = Index { pages, entries };
        let json = serde_json::to_string(&index)
            .unwrap_or_else(|_| "{\"pages\":[],\"entries\":[]}".into());
        // A script, not JSON, so search works from file:// where fetch() is refused.
        let js = format!("window.LADDER_SEARCH = {};\n", json.replace("</", "<\\/"));
        self.put(out, "search-index.js", &js.into_bytes());
        self.put(out, "search.js", SEARCH_JS.as_bytes());
        let mut p = Page::new("search.html".into());
        p.raw("<h1>Search</h1>\n<form class=\"search\" role=\"search\"><label for=\"q\">Statements containing</label> <input id=\"q\" type=\"search\" autocomplete=\"off\" placeholder=\"e.g. incident review\"></form>\n<p id=\"count\" class=\"meta\"></p>\n<ol id=\"results\" class=\"results\"></ol>\n<noscript><p>Search needs JavaScript. Every statement is also on its role and layer pages.</p></noscript>\n<script src=\"search-index.js\"></script>\n<script src=\"search.js\"></script>\n");
        self.emit(out, p, "Search", &[]);
    }
}

fn hiring(p: &mut Page, f: &Family) {
    let total: u32 = f.hiring_process.iter().map(|s| s.minutes).sum();
    let _ = writeln!(
        p.html,
        "<h2 id=\"_hiring\">Hiring process</h2>\n<p class=\"meta\">{} stages, {} minutes of interviews in all.</p>\n<ol class=\"hiring\">",
        f.hiring_process.len(),
        total
    );
    for s in &f.hiring_process {
        p.raw("<li><strong>");
        p.text(&s.name);
        let _ = write!(p.html, "</strong>: {} minutes", s.minutes);
        if !s.interviewer.is_empty() {
            p.raw(" with ");
            p.text(&s.interviewer);
        }
        p.raw("</li>\n");
    }
    p.raw("</ol>\n");
}

/// A word diff as `<del>`/`<ins>` runs.
pub fn diff_html(out: &mut String, ops: &[WordOp]) {
    for (i, op) in ops.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let (open, close, text) = match op {
            WordOp::Same(t) => ("", "", t),
            WordOp::Removed(t) => ("<del>", "</del>", t),
            WordOp::Added(t) => ("<ins>", "</ins>", t),
        };
        out.push_str(open);
        escape_into(out, text);
        out.push_str(close);
    }
}
