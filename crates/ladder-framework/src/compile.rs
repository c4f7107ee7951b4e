//! The compiler: `FileSet → (Framework, Vec<Diagnostic>)`. One pass reports
//! every problem; what could be understood is still returned.

use crate::config::{self, CONFIG_FILE};
use crate::diagnostic::{Diagnostic, Span};
use crate::fileset::FileSet;
use crate::markdown::{
    Attrs, Block, file_stem, front_matter_value, is_valid_id, is_valid_layer_id, parse_blocks,
    split_front_matter,
};
use crate::model::{
    Family, FamilyLevel, Framework, HiringStage, Item, Layer, Name, OtherSection, Placement,
    Section, Source, Specialty,
};
use crate::similar::{did_you_mean, did_you_mean_path, slugify, word_similarity, words};
use crate::yaml::Doc;
use rustc_hash::FxHashMap as HashMap;
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use std::sync::Arc;

/// How deep includes may nest before the compiler gives up.
pub const MAX_INCLUDE_DEPTH: usize = 8;
/// Word-set similarity at or above which two statements of one role are reported.
pub const NEAR_DUPLICATE: f64 = 0.85;

/// Compiles a framework. Never panics and never touches the disk.
pub fn compile(files: &FileSet) -> (Framework, Vec<Diagnostic>) {
    let (fw, mut diags) = compile_core(files);
    diags.extend(duplicates(&fw, files));
    sort_diagnostics(&mut diags);
    (fw, diags)
}

/// [`compile`] without its last check, [`duplicates`], which only warns:
/// a caller that goes on to use the framework (`ladder build`) runs it on
/// another thread meanwhile, then sorts all with [`sort_diagnostics`].
pub fn compile_core(files: &FileSet) -> (Framework, Vec<Diagnostic>) {
    let mut c = Compiler {
        files,
        fw: Framework::default(),
        diags: Vec::new(),
        provisional: None,
        include_cache: BTreeMap::new(),
        used_includes: BTreeSet::new(),
        registered: HashMap::default(),
        pending_extends: Vec::new(),
        broken_layers: BTreeSet::new(),
        names: Names::default(),
    };
    c.run();
    let mut diags = c.diags;
    sort_diagnostics(&mut diags);
    (c.fw, diags)
}

/// The order [`compile`] reports in: by file and place, then code and
/// message; exact repeats are dropped.
pub fn sort_diagnostics(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| {
        (&a.span.file, a.span.offset, a.code, &a.message).cmp(&(
            &b.span.file,
            b.span.offset,
            b.code,
            &b.message,
        ))
    });
    diags.dedup();
}

/// A block after include expansion.
#[derive(Clone, Debug)]
enum Flat {
    Heading {
        depth: usize,
        text: String,
        attrs: Attrs,
        span: Span,
    },
    Item {
        id: Name,
        span: Span,
        via: Option<Arc<Source>>,
        /// The group heading written inside the include it came from.
        group: Option<Name>,
    },
    Prose {
        text: String,
    },
    /// An include that could not be expanded (already reported). It counts
    /// as content, so its section is not also reported as empty.
    Broken,
}

struct Compiler<'a> {
    files: &'a FileSet,
    fw: Framework,
    diags: Vec<Diagnostic>,
    /// The ids `ladder ids` would write, by (file, offset); planned only
    /// when the first statement without an id is met.
    provisional: Option<BTreeMap<(String, usize), String>>,
    /// Each include's blocks, read once and shared by all its uses.
    include_cache: BTreeMap<String, Rc<[Block]>>,
    used_includes: BTreeSet<String>,
    /// The id given to the item at each (file, offset) already registered,
    /// so an include used twice is one item and its warnings are given once.
    registered: HashMap<String, HashMap<usize, Name>>,
    /// (layer, parent, span of `extends`) checked once every layer is read.
    pending_extends: Vec<(String, String, Span)>,
    /// Ids of layer files whose front matter could not be read, guessed
    /// from the text, so references to them are not reported as unknown.
    broken_layers: BTreeSet<String>,
    names: Names,
}

/// The front matter a layer file starts with, as the error for a missing
/// one shows it.
const LAYER_TEMPLATE: &str = "id: development\ntitle: Development\nextends: engineering";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LayerMeta {
    id: Spanned<String>,
    title: String,
    #[serde(default)]
    extends: Option<Spanned<String>>,
    /// This layer's own level order: level → the level it builds on here
    /// (null: none).
    #[serde(default)]
    below: BTreeMap<String, Option<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FamilyMeta {
    id: Spanned<String>,
    title: String,
    layer: Spanned<String>,
    levels: Vec<Spanned<String>>,
    #[serde(default)]
    grades: BTreeMap<String, f64>,
    #[serde(default)]
    hiring: Vec<RawStage>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStage {
    #[serde(default)]
    id: Option<Spanned<String>>,
    name: Spanned<String>,
    minutes: Spanned<u32>,
    interviewer: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IncludeMeta {
    #[serde(default)]
    #[allow(dead_code)]
    title: Option<String>,
}

/// The config's level and category ids and titles as [`norm`] leaves them,
/// in config order, for matching headings.
#[derive(Default)]
struct Names {
    levels: Vec<(String, String)>,
    categories: Vec<(String, String)>,
}

impl Names {
    fn new(config: &crate::model::Config) -> Names {
        Names {
            levels: config
                .levels
                .iter()
                .map(|l| (norm(&l.id), norm(&l.title)))
                .collect(),
            categories: config
                .categories
                .iter()
                .map(|c| (norm(&c.id), norm(&c.title)))
                .collect(),
        }
    }
}

/// Heading text normalised for matching: lowercase letters and digits only.
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ListKind {
    Responsibilities,
    Requirements,
    NiceToHave,
    PerformanceIndicators,
}

fn list_kind(heading: &str) -> Option<ListKind> {
    match norm(heading).as_str() {
        "responsibilities" => Some(ListKind::Responsibilities),
        "requirements" => Some(ListKind::Requirements),
        "nicetohave" | "nicetohaves" => Some(ListKind::NiceToHave),
        "performanceindicators" => Some(ListKind::PerformanceIndicators),
        _ => None,
    }
}

fn is_specialties(heading: &str) -> bool {
    matches!(
        norm(heading).as_str(),
        "specialties" | "specialities" | "specializations" | "specialisations"
    )
}

impl<'a> Compiler<'a> {
    fn run(&mut self) {
        for (path, at) in self.files.invalid_utf8() {
            self.diags.push(
                Diagnostic::error(
                    "encoding",
                    Span::file_start(path),
                    format!("file is not valid UTF-8 (first bad byte at offset {at})"),
                )
                .with_help("save the file as UTF-8"),
            );
        }
        match self.files.text(CONFIG_FILE) {
            Some(text) => {
                self.fw.config = config::load(CONFIG_FILE, text, &mut self.diags);
                self.names = Names::new(&self.fw.config);
            }
            None if self.files.contains(CONFIG_FILE) => {}
            None => {
                self.diags.push(
                Diagnostic::error(
                    "missing-config",
                    Span::file_start(CONFIG_FILE),
                    "this directory has no `ladder.yaml`",
                )
                .with_help("run `ladder init DIR` to see a complete example, or point at the framework's root folder"),
                );
            }
        }
        let files = self.files;
        let paths: Vec<&'a str> = files.paths().collect();
        let layers: Vec<&'a str> = paths
            .iter()
            .copied()
            .filter(|p| p.starts_with("layers/") && p.ends_with(".md"))
            .collect();
        // Layer files are read (front matter and blocks) on a second thread
        // while this one compiles the ones before them, in file order. They
        // are handed over a few at a time, so the threads seldom wait on
        // each other.
        const BATCH: usize = 16;
        std::thread::scope(|scope| {
            let (read, reads) = std::sync::mpsc::sync_channel(4);
            let to_read = &layers;
            scope.spawn(move || {
                for batch in to_read.chunks(BATCH) {
                    let pages: Vec<_> = batch
                        .iter()
                        .map(|path| read_page(files, path, "a layer", LAYER_TEMPLATE))
                        .collect();
                    if read.send(pages).is_err() {
                        break;
                    }
                }
            });
            for (path, page) in layers.iter().zip(reads.into_iter().flatten()) {
                self.layer_file(path, page);
            }
        });
        self.check_layer_graph();
        for path in paths
            .iter()
            .filter(|p| p.starts_with("families/") && p.ends_with(".md"))
        {
            self.family_file(path);
        }
        for path in paths
            .iter()
            .filter(|p| p.starts_with("includes/") && p.ends_with(".md"))
        {
            if !self.used_includes.contains(*path) {
                self.diags.push(
                    Diagnostic::warning(
                        "unused-include",
                        Span::file_start(path),
                        "this include is not used by any page",
                    )
                    .with_help(format!(
                        "include it with `{{{{% include \"{path}\" %}}}}` or delete it"
                    )),
                );
            }
        }
    }

    /// False when ladder.yaml is missing or could not be read (loading then
    /// yields no levels): level and category names are taken as written, so
    /// one broken file is one error.
    fn config_ok(&self) -> bool {
        !self.fw.config.levels.is_empty()
    }

    fn text(&self, path: &str) -> Option<&str> {
        self.files.text(path)
    }

    // ---- items and includes ------------------------------------------------

    fn register(&mut self, text: &str, given: Option<&str>, span: &Span, end: usize) -> Name {
        if let Some(id) = self
            .registered
            .get(span.file.as_str())
            .and_then(|at| at.get(&span.offset))
        {
            return Name::clone(id);
        }
        let id = match given {
            Some(id) => id.to_owned(),
            None => {
                let files = self.files;
                let prov = self
                    .provisional
                    .get_or_insert_with(|| {
                        crate::ids::plan(files)
                            .into_iter()
                            .map(|a| ((a.file, a.offset), a.id))
                            .collect()
                    })
                    .get(&(span.file.clone(), end))
                    .cloned()
                    .unwrap_or_else(|| format!("{}-{}", slugify(&span.file), span.line));
                self.diags.push(
                    Diagnostic::warning(
                        "missing-id",
                        Span {
                            len: text.len().min(span.len.max(1)),
                            ..span.clone()
                        },
                        "this statement has no stable id",
                    )
                    .with_help(format!(
                        "run `ladder ids` to add one (it would write `{{#{prov}}}`)"
                    )),
                );
                prov
            }
        };
        let source = Source::from(span);
        match self.fw.items.get(&id) {
            Some(existing) if existing.source != source => {
                self.diags.push(
                    Diagnostic::error(
                        "duplicate-id",
                        span.clone(),
                        format!("id `{id}` is already used at {}", existing.source),
                    )
                    .with_help("ids are unique across the framework; give this statement a new id, or delete the `{#…}` and run `ladder ids`"),
                );
                // Go on under a name that cannot clash, so the statement is
                // still placed and nothing else is reported about it.
                let fallback: Name = format!("{id}@{}:{}", span.file, span.line).into();
                self.remember(span, &fallback);
                self.fw.items.entry(fallback.to_string()).or_insert(Item {
                    id: fallback.to_string(),
                    text: text.to_owned(),
                    source,
                    provisional_id: false,
                });
                return fallback;
            }
            Some(_) => {}
            None => {
                self.fw.items.insert(
                    id.clone(),
                    Item {
                        id: id.clone(),
                        text: text.to_owned(),
                        source,
                        provisional_id: given.is_none(),
                    },
                );
            }
        }
        let id = Name::from(id);
        self.remember(span, &id);
        id
    }

    fn remember(&mut self, span: &Span, id: &Name) {
        self.registered
            .entry(span.file.clone())
            .or_default()
            .insert(span.offset, Name::clone(id));
    }

    fn include_blocks(&mut self, path: &str) -> Option<Rc<[Block]>> {
        if let Some(b) = self.include_cache.get(path) {
            return Some(Rc::clone(b));
        }
        let files = self.files;
        let text = files.text(path)?;
        let split = match split_front_matter(path, text) {
            Ok(s) => s,
            Err(d) => {
                self.diags.push(*d);
                let none: Rc<[Block]> = Rc::new([]);
                self.include_cache.insert(path.to_owned(), Rc::clone(&none));
                return Some(none);
            }
        };
        if split.yaml.is_some() {
            let doc = Doc::new(
                path,
                text,
                split.yaml_offset,
                split.yaml_offset + split.yaml.map_or(0, str::len),
            );
            if let Err(d) = doc.parse::<IncludeMeta>("an include's front matter") {
                self.diags.push(*d);
            }
        }
        let (blocks, diags) = parse_blocks(path, text, split.body_offset);
        self.diags.extend(diags);
        let blocks: Rc<[Block]> = blocks.into();
        self.include_cache
            .insert(path.to_owned(), Rc::clone(&blocks));
        Some(blocks)
    }

    /// Expands includes and registers items.
    fn flatten(
        &mut self,
        blocks: &[Block],
        via: Option<Arc<Source>>,
        stack: &mut Vec<String>,
        out: &mut Vec<Flat>,
    ) {
        let in_include = stack.len() > 1;
        // In an include, a heading names the group of the statements after it.
        let mut group: Option<Name> = None;
        for block in blocks {
            match block {
                Block::Heading {
                    depth,
                    text,
                    attrs,
                    span,
                } => {
                    if in_include {
                        group = Some(Name::from(text.as_str()));
                    } else {
                        out.push(Flat::Heading {
                            depth: *depth,
                            text: text.clone(),
                            attrs: attrs.clone(),
                            span: span.clone(),
                        });
                    }
                }
                Block::Item {
                    text,
                    id,
                    span,
                    end,
                } => {
                    let id = self.register(text, id.as_deref(), span, *end);
                    out.push(Flat::Item {
                        id,
                        span: span.clone(),
                        via: via.clone(),
                        group: group.clone(),
                    });
                }
                Block::Prose { text, .. } => out.push(Flat::Prose { text: text.clone() }),
                Block::BrokenInclude { guessed_path } => {
                    self.used_includes.insert(guessed_path.clone());
                    out.push(Flat::Broken);
                }
                Block::Include {
                    path,
                    span,
                    path_span,
                } => {
                    let from = out.len();
                    self.include(path, span, path_span, via.clone(), stack, out);
                    // An include inside an include, after a heading: its
                    // statements without a group of their own are in it.
                    if in_include && let Some(g) = &group {
                        for f in out.get_mut(from..).unwrap_or_default() {
                            if let Flat::Item {
                                group: inner @ None,
                                ..
                            } = f
                            {
                                *inner = Some(g.clone());
                            }
                        }
                    }
                }
            }
        }
    }

    fn include(
        &mut self,
        path: &str,
        span: &Span,
        path_span: &Span,
        via: Option<Arc<Source>>,
        stack: &mut Vec<String>,
        out: &mut Vec<Flat>,
    ) {
        if stack.iter().any(|p| p == path) {
            let chain = stack
                .iter()
                .map(String::as_str)
                .chain(std::iter::once(path))
                .collect::<Vec<_>>()
                .join(" → ");
            self.diags.push(
                Diagnostic::error(
                    "include-cycle",
                    span.clone(),
                    format!("include cycle: {chain}"),
                )
                .with_help("an include may not include itself, directly or through others"),
            );
            out.push(Flat::Broken);
            return;
        }
        if stack.len() > MAX_INCLUDE_DEPTH {
            self.diags.push(
                Diagnostic::error(
                    "include-depth",
                    span.clone(),
                    format!("includes nest more than {MAX_INCLUDE_DEPTH} deep"),
                )
                .with_help("flatten the chain of includes"),
            );
            out.push(Flat::Broken);
            return;
        }
        if !self.files.contains(path) {
            let candidates: Vec<&str> = self
                .files
                .paths()
                .filter(|p| {
                    p.ends_with(".md") && !p.starts_with("layers/") && !p.starts_with("families/")
                })
                .collect();
            let d = Diagnostic::error(
                "missing-include",
                path_span.clone(),
                format!("include `{path}` does not exist"),
            );
            let guess = did_you_mean_path(path, candidates.iter().copied()).map(str::to_owned);
            if let Some(g) = &guess {
                // Reported here; not also as an unused include.
                self.used_includes.insert(g.clone());
            }
            self.diags.push(match guess {
                Some(s) => d
                    .with_help(format!("did you mean `{s}`?"))
                    .with_suggestion(s),
                None => d.with_help(
                    "include paths are relative to the framework root, e.g. `includes/values.md`",
                ),
            });
            out.push(Flat::Broken);
            return;
        }
        if !self.used_includes.contains(path) {
            self.used_includes.insert(path.to_owned());
        }
        let Some(blocks) = self.include_blocks(path) else {
            return;
        };
        stack.push(path.to_owned());
        let via = via.or_else(|| Some(Arc::new(Source::from(span))));
        self.flatten(&blocks, via, stack, out);
        stack.pop();
    }

    /// Reads a page: front matter (as `T`) and its flattened body.
    fn page<T: serde::de::DeserializeOwned>(
        &mut self,
        path: &'a str,
        what: &str,
        template: &str,
    ) -> Option<(T, Doc<'a>, Vec<Flat>)> {
        let read = read_page(self.files, path, what, template);
        self.flatten_page(path, read)
    }

    /// A page read by [`read_page`], its diagnostics kept and its body
    /// flattened.
    fn flatten_page<T>(
        &mut self,
        path: &'a str,
        read: ReadPage<'a, T>,
    ) -> Option<(T, Doc<'a>, Vec<Flat>)> {
        self.diags.extend(read.diags);
        let (meta, doc, blocks) = read.page?;
        let mut flat = Vec::new();
        self.flatten(&blocks, None, &mut vec![path.to_owned()], &mut flat);
        Some((meta, doc, flat))
    }

    fn check_id(&mut self, doc: &Doc<'_>, id: &Spanned<String>, what: &str) {
        let valid = if what == "layer" {
            is_valid_layer_id(&id.value)
        } else {
            is_valid_id(&id.value)
        };
        if !valid {
            self.diags.push(
                Diagnostic::error(
                    "bad-id",
                    doc.span_of(id),
                    format!("`{}` is not a valid {what} id", id.value),
                )
                .with_help("ids use lowercase letters, digits, `-`, `_` and `.`")
                .with_suggestion(slugify(&id.value)),
            );
        }
    }

    fn find_level(&self, heading: &str) -> Option<String> {
        if !self.config_ok() {
            return Some(slugify(heading));
        }
        let n = norm(heading);
        self.fw
            .config
            .levels
            .iter()
            .zip(&self.names.levels)
            .find(|(_, (id, title))| *id == n || *title == n)
            .map(|(l, _)| l.id.clone())
    }

    fn find_category(&self, heading: &str) -> Option<String> {
        if !self.config_ok() {
            return Some(slugify(heading));
        }
        let n = norm(heading);
        let n = n.strip_suffix("competencies").unwrap_or(&n);
        self.fw
            .config
            .categories
            .iter()
            .zip(&self.names.categories)
            .find(|(_, (id, title))| id == n || title == n)
            .map(|(c, _)| c.id.clone())
    }

    fn unknown_heading(&mut self, span: Span, text: &str, expected: &str) {
        self.diags.push(
            Diagnostic::warning(
                "unknown-heading",
                span,
                format!("heading `{text}` is not {expected}; its section is kept as prose"),
            )
            .with_help("statements under it are not part of any role"),
        );
    }

    // ---- layers ------------------------------------------------------------

    /// A layer's own `below`: every level named must be a level, none may
    /// build on itself, and the order must not go round in a circle.
    fn layer_below(
        &mut self,
        doc: &crate::yaml::Doc<'_>,
        layer: &str,
        id_span: Span,
        raw: &BTreeMap<String, Option<Spanned<String>>>,
    ) -> BTreeMap<String, Option<String>> {
        let mut out = BTreeMap::new();
        if !self.config_ok() {
            return out;
        }
        let ids: Vec<String> = self.fw.config.levels.iter().map(|l| l.id.clone()).collect();
        for (level, below) in raw {
            if self.fw.level(level).is_none() {
                self.diags.push(
                    Diagnostic::error(
                        "unknown-level",
                        id_span.clone(),
                        format!("layer `{layer}`: `below` gives an order for `{level}`, which is not a level"),
                    )
                    .with_did_you_mean(level, ids.iter().map(String::as_str)),
                );
                continue;
            }
            if let Some(b) = below {
                let span = doc.span_of(b);
                if self.fw.level(&b.value).is_none() {
                    self.diags.push(
                        Diagnostic::error(
                            "unknown-level",
                            span,
                            format!("`{level}: {}` names no level", b.value),
                        )
                        .with_did_you_mean(&b.value, ids.iter().map(String::as_str)),
                    );
                    continue;
                }
                if b.value == *level {
                    self.diags.push(Diagnostic::error(
                        "level-self-reference",
                        span,
                        format!("layer `{layer}` says level `{level}` includes itself"),
                    ));
                    continue;
                }
            }
            out.insert(level.clone(), below.as_ref().map(|b| b.value.clone()));
        }
        // A circle through this layer's order (and ladder.yaml's where the
        // layer gives none).
        for start in out.keys() {
            let mut seen: BTreeSet<&str> = BTreeSet::new();
            let mut cur = Some(start.as_str());
            while let Some(c) = cur {
                if !seen.insert(c) {
                    self.diags.push(
                        Diagnostic::error(
                            "level-cycle",
                            id_span.clone(),
                            format!("layer `{layer}`: its `below` makes levels include each other in a circle from `{start}`"),
                        )
                        .with_help("each level builds on one below it; the lowest builds on none (`null`)"),
                    );
                    return BTreeMap::new();
                }
                cur = match out.get(c) {
                    Some(b) => b.as_deref(),
                    None => self.fw.level(c).and_then(|l| l.below.as_deref()),
                };
            }
        }
        out
    }

    fn layer_file(&mut self, path: &'a str, read: ReadPage<'a, LayerMeta>) {
        let Some((meta, doc, flat)) = self.flatten_page(path, read) else {
            let text = self.text(path).unwrap_or("");
            let guess = front_matter_value(text, "id").unwrap_or_else(|| slugify(file_stem(path)));
            self.broken_layers.insert(guess);
            return;
        };
        self.check_id(&doc, &meta.id, "layer");
        let id_span = doc.span_of(&meta.id);
        if let Some(existing) = self.fw.layer(&meta.id.value) {
            let first = existing.source.clone();
            self.diags.push(Diagnostic::error(
                "duplicate-layer",
                id_span,
                format!("layer `{}` is already defined in {}", meta.id.value, first),
            ));
            return;
        }
        let extends_span = meta.extends.as_ref().map(|e| doc.span_of(e));
        let below = self.layer_below(&doc, &meta.id.value, id_span.clone(), &meta.below);
        let mut layer = Layer {
            id: meta.id.value.clone(),
            title: meta.title,
            extends: meta.extends.map(|e| e.value),
            below,
            description: String::new(),
            source: Source::from(&id_span),
            placements: Vec::new(),
        };
        if let (Some(e), Some(span)) = (&layer.extends, extends_span) {
            self.pending_extends
                .push((layer.id.clone(), e.clone(), span));
        }
        let mut level: Option<(Name, Span)> = None;
        let mut category: Option<(Name, Span)> = None;
        let mut skip_depth: Option<usize> = None;
        // A `####` heading inside a category: the group of what follows.
        let mut group: Option<Name> = None;
        let mut seen_levels: BTreeSet<String> = BTreeSet::new();
        let mut seen_cats: BTreeSet<String> = BTreeSet::new();
        let mut level_items = 0usize;
        let mut cat_items = 0usize;
        let mut started = false;
        // Where each statement is first placed in this layer: a scan of
        // the placements per statement is quadratic in large layers. Keyed
        // by the id's hash, checked against the placement found; an id
        // whose hash another one took is scanned for.
        let mut first_placed: HashMap<u64, usize> = HashMap::default();
        for f in flat {
            match f {
                Flat::Heading { depth: 1, .. } if !started => {}
                Flat::Heading {
                    depth: 2,
                    text,
                    span,
                    ..
                } => {
                    started = true;
                    self.close_category(&category, cat_items);
                    self.close_level(&level, level_items);
                    category = None;
                    cat_items = 0;
                    level_items = 0;
                    seen_cats.clear();
                    skip_depth = None;
                    group = None;
                    match self.find_level(&text) {
                        Some(l) => {
                            if !seen_levels.insert(l.clone()) {
                                self.duplicate_section(
                                    &span,
                                    format!("level `{l}` has a second section in this layer"),
                                );
                            }
                            level = Some((l.into(), span));
                        }
                        None => {
                            level = None;
                            skip_depth = Some(2);
                            self.unknown_level_heading(span, &text);
                        }
                    }
                }
                Flat::Heading {
                    depth: 3,
                    text,
                    span,
                    ..
                } if level.is_some() => {
                    self.close_category(&category, cat_items);
                    cat_items = 0;
                    skip_depth = None;
                    group = None;
                    match self.find_category(&text) {
                        Some(c) => {
                            if !seen_cats.insert(c.clone()) {
                                self.duplicate_section(
                                    &span,
                                    format!("category `{c}` appears twice under this level"),
                                );
                            }
                            category = Some((c.into(), span));
                        }
                        None => {
                            category = None;
                            skip_depth = Some(3);
                            let cats: Vec<String> = self
                                .fw
                                .config
                                .categories
                                .iter()
                                .flat_map(|c| [c.id.clone(), c.title.clone()])
                                .collect();
                            if did_you_mean(&text, cats.iter().map(String::as_str)).is_some() {
                                let d = Diagnostic::error(
                                    "unknown-category",
                                    span,
                                    format!("`{text}` is not a category"),
                                );
                                self.diags.push(
                                    d.with_did_you_mean(&text, cats.iter().map(String::as_str)),
                                );
                            } else {
                                self.unknown_heading(span, &text, "a category");
                            }
                        }
                    }
                }
                Flat::Heading { depth, text, .. }
                    if depth >= 4 && category.is_some() && skip_depth.is_none() =>
                {
                    group = Some(text.into());
                }
                Flat::Heading {
                    depth, text, span, ..
                } => {
                    started = true;
                    if skip_depth.is_some_and(|d| depth > d) {
                        continue; // inside a section already reported
                    }
                    skip_depth = Some(depth);
                    self.unknown_heading(span, &text, "a level (`##`) or category (`###`)");
                }
                Flat::Item {
                    id,
                    span,
                    via,
                    group: inner,
                } => {
                    if level.is_some() {
                        level_items += 1;
                    }
                    if skip_depth.is_some() {
                        continue;
                    }
                    let Some((lv, _)) = &level else {
                        self.diags.push(
                            Diagnostic::error(
                                "no-level",
                                span,
                                "this statement is not under a level heading",
                            )
                            .with_help("put it under `## <Level>` then `### <Category>`"),
                        );
                        continue;
                    };
                    let Some((cat, _)) = &category else {
                        self.diags.push(
                            Diagnostic::error(
                                "no-category",
                                span,
                                format!("this statement is under level `{lv}` but no category"),
                            )
                            .with_help(
                                "put it under a `### <Category>` heading, e.g. `### Technical`",
                            ),
                        );
                        continue;
                    };
                    cat_items += 1;
                    let hash = {
                        use std::hash::BuildHasher as _;
                        rustc_hash::FxBuildHasher.hash_one(&*id)
                    };
                    let earlier = match first_placed
                        .get(&hash)
                        .and_then(|i| layer.placements.get(*i))
                    {
                        Some(p) if p.item != id => layer.placements.iter().find(|p| p.item == id),
                        found => found,
                    };
                    if let Some(p) = earlier {
                        let msg = format!(
                            "statement `{id}` is already placed in this layer at level `{}`",
                            p.level
                        );
                        let same_level = p.level == *lv;
                        self.diags.push(
                            Diagnostic::warning("duplicate-statement", span, msg).with_help(
                                "a level includes the levels below it; place each statement once",
                            ),
                        );
                        // At another level it stays, so that level's own
                        // view shows what its page shows; cumulative views
                        // list it once, at the lowest level.
                        if same_level {
                            continue;
                        }
                    }
                    first_placed.entry(hash).or_insert(layer.placements.len());
                    layer.placements.push(Placement {
                        item: id,
                        level: Name::clone(lv),
                        category: Name::clone(cat),
                        via,
                        group: inner.or_else(|| group.clone()),
                    });
                }
                Flat::Broken => {
                    if level.is_some() {
                        level_items += 1;
                        cat_items += 1;
                    }
                }
                Flat::Prose { text } => {
                    if !started {
                        if !layer.description.is_empty() {
                            layer.description.push_str("\n\n");
                        }
                        layer.description.push_str(&text);
                    }
                }
            }
        }
        self.close_category(&category, cat_items);
        self.close_level(&level, level_items);
        // Layers are kept for the whole build; drop the growth slack.
        layer.placements.shrink_to_fit();
        self.fw.layers.push(layer);
    }

    fn duplicate_section(&mut self, span: &Span, message: String) {
        self.diags.push(
            Diagnostic::error("duplicate-section", span.clone(), message)
                .with_help("merge the two sections"),
        );
    }

    fn unknown_level_heading(&mut self, span: Span, text: &str) {
        let names: Vec<String> = self
            .fw
            .config
            .levels
            .iter()
            .flat_map(|l| [l.id.clone(), l.title.clone()])
            .collect();
        if did_you_mean(text, names.iter().map(String::as_str)).is_some() {
            let d = Diagnostic::error("unknown-level", span, format!("`{text}` is not a level"));
            self.diags
                .push(d.with_did_you_mean(text, names.iter().map(String::as_str)));
        } else {
            self.unknown_heading(span, text, "a level");
        }
    }

    fn close_level(&mut self, level: &Option<(Name, Span)>, items: usize) {
        if let (Some((l, span)), 0) = (level, items) {
            self.diags.push(
                Diagnostic::warning(
                    "empty-section",
                    span.clone(),
                    format!("level `{l}` has no statements in this layer"),
                )
                .with_help("add statements under a category, or remove the heading"),
            );
        }
    }

    fn close_category(&mut self, category: &Option<(Name, Span)>, items: usize) {
        if let (Some((c, span)), 0) = (category, items) {
            self.diags.push(
                Diagnostic::warning(
                    "empty-section",
                    span.clone(),
                    format!("category `{c}` has no statements here"),
                )
                .with_help("add statements, or remove the heading"),
            );
        }
    }

    fn check_layer_graph(&mut self) {
        let pending = std::mem::take(&mut self.pending_extends);
        let ids: Vec<String> = self.fw.layers.iter().map(|l| l.id.clone()).collect();
        let mut in_cycle: BTreeSet<String> = BTreeSet::new();
        for (layer, parent, span) in pending {
            if self.broken_layers.contains(&parent) {
                continue;
            }
            if !ids.contains(&parent) {
                let d = Diagnostic::error(
                    "unknown-layer",
                    span,
                    format!("layer `{layer}` extends `{parent}`, which is not a layer"),
                );
                self.diags
                    .push(d.with_did_you_mean(&parent, ids.iter().map(String::as_str)));
                continue;
            }
            if in_cycle.contains(&layer) {
                continue;
            }
            let mut path = vec![layer.clone()];
            let mut cur = Some(parent);
            while let Some(c) = cur {
                if c == layer {
                    path.push(c);
                    self.diags.push(
                        Diagnostic::error(
                            "layer-cycle",
                            span.clone(),
                            format!("layers extend each other in a circle: {}", path.join(" → ")),
                        )
                        .with_help("a layer chain must end at a layer with no `extends`"),
                    );
                    in_cycle.extend(path);
                    break;
                }
                if path.contains(&c) {
                    break;
                }
                path.push(c.clone());
                cur = self.fw.layer(&c).and_then(|l| l.extends.clone());
            }
        }
    }

    // ---- families ----------------------------------------------------------

    fn family_file(&mut self, path: &'a str) {
        let Some((meta, doc, flat)) = self.page::<FamilyMeta>(
            path,
            "a job family",
            "id: backend-engineer\ntitle: Backend Engineer\nlayer: development\nlevels: [intermediate, senior, staff]",
        ) else {
            return;
        };
        self.check_id(&doc, &meta.id, "family");
        let id_span = doc.span_of(&meta.id);
        if let Some(existing) = self.fw.family(&meta.id.value) {
            let first = existing.source.clone();
            self.diags.push(Diagnostic::error(
                "duplicate-family",
                id_span,
                format!("family `{}` is already defined in {}", meta.id.value, first),
            ));
            return;
        }
        let layer_ids: Vec<String> = self.fw.layers.iter().map(|l| l.id.clone()).collect();
        if !layer_ids.contains(&meta.layer.value) && !self.broken_layers.contains(&meta.layer.value)
        {
            let d = Diagnostic::error(
                "unknown-layer",
                doc.span_of(&meta.layer),
                format!("`layer: {}` names no layer", meta.layer.value),
            );
            self.diags
                .push(d.with_did_you_mean(&meta.layer.value, layer_ids.iter().map(String::as_str)));
        }
        let level_ids: Vec<String> = self.fw.config.levels.iter().map(|l| l.id.clone()).collect();
        let mut levels: Vec<FamilyLevel> = Vec::new();
        if meta.levels.is_empty() {
            self.diags.push(
                Diagnostic::error("empty-section", id_span.clone(), "`levels` is empty")
                    .with_help("list the levels this family offers, e.g. `levels: [intermediate, senior, staff]`"),
            );
        }
        for l in &meta.levels {
            let span = doc.span_of(l);
            match self.fw.level(&l.value) {
                None if !self.config_ok() => levels.push(FamilyLevel {
                    level: l.value.clone(),
                    grade: meta.grades.get(&l.value).copied().unwrap_or(0.0),
                    responsibilities: Section::default(),
                    requirements: Section::default(),
                }),
                None => {
                    let d = Diagnostic::error(
                        "unknown-level",
                        span,
                        format!("`{}` is not a level in ladder.yaml", l.value),
                    );
                    self.diags
                        .push(d.with_did_you_mean(&l.value, level_ids.iter().map(String::as_str)));
                }
                Some(_) if levels.iter().any(|x| x.level == l.value) => {
                    self.diags.push(Diagnostic::error(
                        "duplicate-level",
                        span,
                        format!("level `{}` is listed twice", l.value),
                    ));
                }
                Some(level) => {
                    let grade = meta.grades.get(&l.value).copied().unwrap_or(level.grade);
                    levels.push(FamilyLevel {
                        level: l.value.clone(),
                        grade,
                        responsibilities: Section::default(),
                        requirements: Section::default(),
                    });
                }
            }
        }
        for (key, grade) in &meta.grades {
            let span = key_span(&doc, key);
            if !meta.levels.iter().any(|l| &l.value == key) {
                let offered: Vec<&str> = meta.levels.iter().map(|l| l.value.as_str()).collect();
                let d = Diagnostic::error(
                    "unknown-level",
                    span.clone(),
                    format!("`grades` sets a grade for `{key}`, which this family does not offer"),
                );
                self.diags.push(d.with_did_you_mean(key, offered));
            }
            if !grade.is_finite() || *grade < 0.0 {
                self.diags.push(Diagnostic::error(
                    "invalid-value",
                    span,
                    format!("grade for `{key}` must be a number of 0 or more"),
                ));
            }
        }
        let mut hiring = Vec::new();
        for s in &meta.hiring {
            let id = match &s.id {
                Some(id) => {
                    self.check_id(&doc, id, "hiring stage");
                    id.value.clone()
                }
                None => slugify(&s.name.value),
            };
            if hiring.iter().any(|h: &HiringStage| h.id == id) {
                self.diags.push(
                    Diagnostic::error(
                        "duplicate-id",
                        doc.span_of(&s.name),
                        format!("hiring stage id `{id}` is used twice in this family"),
                    )
                    .with_help("give the stage an explicit `id:`"),
                );
            }
            if s.minutes.value == 0 {
                self.diags.push(
                    Diagnostic::error(
                        "invalid-value",
                        doc.span_of_location(&s.minutes.referenced, 1),
                        format!("stage `{}` lasts 0 minutes", s.name.value),
                    )
                    .with_help("write the stage's length in minutes, e.g. `minutes: 45`"),
                );
            }
            hiring.push(HiringStage {
                id,
                name: s.name.value.clone(),
                minutes: s.minutes.value,
                interviewer: s.interviewer.clone(),
            });
        }

        let mut family = Family {
            id: meta.id.value.clone(),
            title: meta.title,
            layer: meta.layer.value.clone(),
            description: String::new(),
            responsibilities: Section::default(),
            requirements: Section::default(),
            nice_to_have: Section::default(),
            performance_indicators: Section::default(),
            levels,
            specialties: Vec::new(),
            hiring_process: hiring,
            other_sections: Vec::new(),
            source: Source::from(&id_span),
        };
        self.family_body(&mut family, flat);
        for s in &family.specialties {
            let Some(layer) = &s.layer else { continue };
            if self.fw.layer(layer).is_some()
                && !self
                    .fw
                    .layer_chain(layer)
                    .iter()
                    .any(|l| l.id == family.layer)
            {
                let text = self.text(&s.source.file).unwrap_or("");
                let offset = line_col_offset(text, s.source.line, s.source.column);
                let span = Span::at(&s.source.file, text, offset, s.title.len());
                self.diags.push(
                    Diagnostic::warning(
                        "layer-not-in-chain",
                        span,
                        format!(
                            "specialty `{}` uses layer `{layer}`, which does not extend the family's layer `{}`",
                            s.id, family.layer
                        ),
                    )
                    .with_help(format!("set `extends:` in layer `{layer}` so its chain reaches `{}`", family.layer)),
                );
            }
        }
        self.fw.families.push(family);
    }

    fn family_body(&mut self, family: &mut Family, flat: Vec<Flat>) {
        #[derive(Clone, Copy, PartialEq)]
        enum At {
            Description,
            List(ListKind),
            Levels,
            /// Right under a level heading, before any `####` list.
            Level(usize),
            LevelList(usize, ListKind),
            Specialties,
            Specialty(usize),
            SpecialtyList(usize, ListKind),
            Other(usize),
            Skip(usize),
        }
        let mut at = At::Description;
        let mut open: Option<(Span, String, usize)> = None; // list heading, name, items
        let close = |c: &mut Self, open: &mut Option<(Span, String, usize)>| {
            if let Some((span, name, 0)) = open.take() {
                c.diags.push(
                    Diagnostic::warning(
                        "empty-section",
                        span,
                        format!("section `{name}` is empty"),
                    )
                    .with_help("add items, or remove the heading"),
                );
            }
        };
        for f in flat {
            match f {
                Flat::Heading { depth: 1, .. } if at == At::Description => {}
                Flat::Heading {
                    depth: 2,
                    text,
                    span,
                    ..
                } => {
                    close(self, &mut open);
                    at = if let Some(k) = list_kind(&text) {
                        open = Some((span, text, 0));
                        At::List(k)
                    } else if norm(&text) == "levels" {
                        At::Levels
                    } else if is_specialties(&text) {
                        At::Specialties
                    } else if norm(&text) == "description" {
                        At::Description
                    } else {
                        self.diags.push(
                            Diagnostic::warning(
                                "unknown-heading",
                                span.clone(),
                                format!("heading `{text}` is not a family section; it is kept as prose"),
                            )
                            .with_help("family sections are: Responsibilities, Requirements, Nice to have, Performance indicators, Levels, Specialties"),
                        );
                        family.other_sections.push(OtherSection {
                            heading: text,
                            text: String::new(),
                            source: Source::from(&span),
                        });
                        At::Other(family.other_sections.len() - 1)
                    };
                }
                Flat::Heading {
                    depth: 3,
                    text,
                    span,
                    attrs: _,
                } if matches!(at, At::Levels | At::Level(_) | At::LevelList(..)) => {
                    close(self, &mut open);
                    at = match self.find_level(&text) {
                        Some(l) => match family.levels.iter().position(|x| x.level == l) {
                            Some(i) => At::Level(i),
                            None => {
                                self.diags.push(
                                    Diagnostic::error(
                                        "unknown-level",
                                        span,
                                        format!("this family does not offer level `{l}`"),
                                    )
                                    .with_help(format!(
                                        "add `{l}` to `levels:` in the front matter"
                                    )),
                                );
                                At::Skip(3)
                            }
                        },
                        None => {
                            self.unknown_level_heading(span, &text);
                            At::Skip(3)
                        }
                    };
                }
                Flat::Heading {
                    depth: 4,
                    text,
                    span,
                    ..
                } if matches!(at, At::Level(_) | At::LevelList(..)) => {
                    close(self, &mut open);
                    let (At::Level(i) | At::LevelList(i, _)) = at else {
                        continue;
                    };
                    match list_kind(&text) {
                        Some(k @ (ListKind::Responsibilities | ListKind::Requirements)) => {
                            open = Some((span, text, 0));
                            at = At::LevelList(i, k);
                        }
                        _ => {
                            self.unknown_heading(
                                span,
                                &text,
                                "`Responsibilities` or `Requirements`",
                            );
                            at = At::Skip(4);
                        }
                    }
                }
                Flat::Heading {
                    depth: 3,
                    text,
                    span,
                    attrs,
                } if matches!(
                    at,
                    At::Specialties | At::Specialty(_) | At::SpecialtyList(..)
                ) =>
                {
                    close(self, &mut open);
                    let id = attrs.id.clone().unwrap_or_else(|| slugify(&text));
                    for key in attrs.pairs.keys().filter(|k| *k != "layer") {
                        self.diags.push(
                            Diagnostic::error(
                                "unknown-key",
                                span.clone(),
                                format!("unknown specialty attribute `{key}`"),
                            )
                            .with_help("a specialty heading takes `{#id layer=LAYER}`"),
                        );
                    }
                    let layer = attrs.pairs.get("layer").cloned();
                    if let Some(l) = &layer
                        && self.fw.layer(l).is_none()
                        && !self.broken_layers.contains(l)
                    {
                        let ids: Vec<String> =
                            self.fw.layers.iter().map(|l| l.id.clone()).collect();
                        let d = Diagnostic::error(
                            "unknown-layer",
                            span.clone(),
                            format!("specialty `{id}` uses layer `{l}`, which is not a layer"),
                        );
                        self.diags
                            .push(d.with_did_you_mean(l, ids.iter().map(String::as_str)));
                    }
                    if family.specialties.iter().any(|s| s.id == id) {
                        self.diags.push(
                            Diagnostic::error(
                                "duplicate-section",
                                span.clone(),
                                format!("specialty `{id}` is defined twice in this family"),
                            )
                            .with_help("give one of them another `{#id}`"),
                        );
                    }
                    family.specialties.push(Specialty {
                        id,
                        title: text,
                        layer,
                        description: String::new(),
                        responsibilities: Section::default(),
                        requirements: Section::default(),
                        nice_to_have: Section::default(),
                        source: Source::from(&span),
                    });
                    at = At::Specialty(family.specialties.len() - 1);
                }
                Flat::Heading {
                    depth: 4,
                    text,
                    span,
                    ..
                } if matches!(at, At::Specialty(_) | At::SpecialtyList(..)) => {
                    close(self, &mut open);
                    let i = match at {
                        At::Specialty(i) | At::SpecialtyList(i, _) => i,
                        _ => continue,
                    };
                    match list_kind(&text) {
                        Some(
                            k @ (ListKind::Responsibilities
                            | ListKind::Requirements
                            | ListKind::NiceToHave),
                        ) => {
                            open = Some((span, text, 0));
                            at = At::SpecialtyList(i, k);
                        }
                        _ => {
                            self.unknown_heading(
                                span,
                                &text,
                                "`Responsibilities`, `Requirements` or `Nice to have`",
                            );
                            at = At::Skip(4);
                        }
                    }
                }
                Flat::Heading {
                    depth, text, span, ..
                } => {
                    close(self, &mut open);
                    if let At::Skip(d) = at
                        && depth > d
                    {
                        continue; // inside a section already reported
                    }
                    self.unknown_heading(span, &text, "a section of a job family here");
                    at = At::Skip(depth);
                }
                Flat::Item { id, span, .. } => {
                    let section: Option<&mut Section> = match at {
                        At::List(k) => Some(match k {
                            ListKind::Responsibilities => &mut family.responsibilities,
                            ListKind::Requirements => &mut family.requirements,
                            ListKind::NiceToHave => &mut family.nice_to_have,
                            ListKind::PerformanceIndicators => &mut family.performance_indicators,
                        }),
                        At::LevelList(i, k) => family.levels.get_mut(i).and_then(|l| match k {
                            ListKind::Responsibilities => Some(&mut l.responsibilities),
                            ListKind::Requirements => Some(&mut l.requirements),
                            _ => None,
                        }),
                        At::SpecialtyList(i, k) => {
                            family.specialties.get_mut(i).and_then(|s| match k {
                                ListKind::Responsibilities => Some(&mut s.responsibilities),
                                ListKind::Requirements => Some(&mut s.requirements),
                                ListKind::NiceToHave => Some(&mut s.nice_to_have),
                                ListKind::PerformanceIndicators => None,
                            })
                        }
                        _ => None,
                    };
                    match section {
                        Some(s) => {
                            s.items.push(id.to_string());
                            if let Some(o) = &mut open {
                                o.2 += 1;
                            }
                        }
                        None if matches!(at, At::Skip(_)) => {}
                        None => self.diags.push(
                            Diagnostic::warning(
                                "stray-item",
                                span,
                                "this list item is not in a Responsibilities, Requirements, Nice to have or Performance indicators section; it is kept as prose",
                            )
                            .with_help("move it under one of those headings"),
                        ),
                    }
                }
                Flat::Broken => {
                    if let Some(o) = &mut open {
                        o.2 += 1;
                    }
                }
                Flat::Prose { text } => {
                    let target: Option<&mut String> = match at {
                        At::Description => Some(&mut family.description),
                        At::List(k) => Some(match k {
                            ListKind::Responsibilities => &mut family.responsibilities.prose,
                            ListKind::Requirements => &mut family.requirements.prose,
                            ListKind::NiceToHave => &mut family.nice_to_have.prose,
                            ListKind::PerformanceIndicators => {
                                &mut family.performance_indicators.prose
                            }
                        }),
                        At::Specialty(i) => {
                            family.specialties.get_mut(i).map(|s| &mut s.description)
                        }
                        At::Other(i) => family.other_sections.get_mut(i).map(|o| &mut o.text),
                        _ => None,
                    };
                    if let Some(t) = target {
                        if !t.is_empty() {
                            t.push_str("\n\n");
                        }
                        t.push_str(&text);
                    }
                }
            }
        }
        close(self, &mut open);
    }
}

// ---- cross-file checks -----------------------------------------------------

/// Duplicate and near-duplicate statements within one resolved role: the
/// last check of [`compile`], warnings only.
pub fn duplicates(fw: &Framework, files: &FileSet) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    // The statement ids of every view a person could be held to. Views
    // only grow up the level and layer chains, so without families the
    // views of leaf layers at top levels cover every pair.
    // Statements by index, with the views each appears in (ascending).
    // Each view is folded in as soon as it is gathered: holding every
    // role's statements at once costs tens of MB on large frameworks.
    let look = crate::resolve::Lookup::new(fw);
    let mut index: HashMap<&str, usize> = HashMap::default();
    let mut stmts: Vec<&crate::model::Item> = Vec::new();
    let mut member: Vec<Vec<u32>> = Vec::new();
    // (layer, level) of each view.
    let mut views: Vec<(&str, &str)> = Vec::new();
    for family in &fw.families {
        // A role's statements are its layer's (the specialty's, if it
        // names one) up its level chain.
        let mut layers: Vec<&str> = vec![family.layer.as_str()];
        layers.extend(
            family
                .specialties
                .iter()
                .map(|s| s.layer.as_deref().unwrap_or(family.layer.as_str())),
        );
        for level in &family.levels {
            if fw.level(&level.level).is_none() {
                continue;
            }
            views.extend(layers.iter().map(|layer| (*layer, level.level.as_str())));
        }
    }
    if fw.families.is_empty() {
        let levels = &fw.config.levels;
        let under: BTreeSet<&str> = levels.iter().filter_map(|l| l.below.as_deref()).collect();
        let top: Vec<&str> = levels
            .iter()
            .map(|l| l.id.as_str())
            .filter(|l| !under.contains(l))
            .collect();
        let extended: BTreeSet<&str> = fw
            .layers
            .iter()
            .filter_map(|x| x.extends.as_deref())
            .collect();
        for layer in &fw.layers {
            if !extended.contains(layer.id.as_str()) {
                views.extend(top.iter().map(|level| (layer.id.as_str(), *level)));
            }
        }
    }
    // A view holds every statement its layer chain places at its level or
    // below (which of them its page shows, and in what order, does not
    // matter here).
    for (v, (layer, level)) in views.into_iter().enumerate() {
        let v = u32::try_from(v).unwrap_or(u32::MAX);
        let levels = crate::resolve::view_levels(fw, layer, level, false);
        for l in look.layer_chain(layer) {
            for p in &l.placements {
                if !levels.contains(&&*p.level) {
                    continue;
                }
                let i = match index.get(&*p.item) {
                    Some(i) => *i,
                    None => {
                        let Some(item) = look.item(&p.item) else {
                            continue;
                        };
                        stmts.push(item);
                        member.push(Vec::new());
                        index.insert(item.id.as_str(), stmts.len() - 1);
                        stmts.len() - 1
                    }
                };
                if let Some(m) = member.get_mut(i)
                    && m.last() != Some(&v)
                {
                    m.push(v);
                }
            }
        }
    }
    // Each statement's words as token numbers, rarest word first, so a
    // prefix filter finds every pair that could reach NEAR_DUPLICATE
    // without comparing all pairs (Bayardo et al., "All-pairs").
    let mut token_of: HashMap<String, usize> = HashMap::default();
    let mut freq: Vec<usize> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    // A text repeated across teams is split into words once.
    let mut of_text: HashMap<&str, Vec<usize>> = HashMap::default();
    let sets: Vec<Vec<usize>> = stmts
        .iter()
        .map(|e| {
            let set = of_text.entry(e.text.as_str()).or_insert_with(|| {
                let mut w = words(&e.text);
                w.sort_unstable();
                w.dedup();
                w.into_iter()
                    .map(|w| match token_of.get(&w) {
                        Some(t) => *t,
                        None => {
                            freq.push(0);
                            names.push(w.clone());
                            token_of.insert(w, freq.len() - 1);
                            freq.len() - 1
                        }
                    })
                    .collect()
            });
            for t in set.iter() {
                if let Some(f) = freq.get_mut(*t) {
                    *f += 1;
                }
            }
            set.clone()
        })
        .collect();
    let mut order: Vec<usize> = (0..freq.len()).collect();
    order.sort_by(|&a, &b| (freq.get(a), names.get(a)).cmp(&(freq.get(b), names.get(b))));
    let mut rank = vec![0usize; order.len()];
    for (r, &t) in order.iter().enumerate() {
        if let Some(x) = rank.get_mut(t) {
            *x = r;
        }
    }
    let sets: Vec<Vec<usize>> = sets
        .into_iter()
        .map(|s| {
            let mut r: Vec<usize> = s.iter().filter_map(|t| rank.get(*t).copied()).collect();
            r.sort_unstable();
            r
        })
        .collect();
    let prefix_len = |n: usize| {
        // Sets with Jaccard >= t share a word among their first
        // n - ceil(t * n) + 1 rarest; one more is kept for float safety.
        let keep = (NEAR_DUPLICATE * n as f64).ceil() as usize;
        (n + 2).saturating_sub(keep).min(n)
    };
    // Statements with the same words form one group, compared with other
    // groups once: frameworks repeat a statement across teams, and
    // comparing every copy with every other would grow with the square of
    // the copies.
    let mut group_of: HashMap<&[usize], usize> = HashMap::default();
    let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
    for (s, set) in sets.iter().enumerate() {
        if set.len() < 3 {
            continue;
        }
        let g = *group_of.entry(set.as_slice()).or_insert_with(|| {
            groups.push((s, Vec::new()));
            groups.len() - 1
        });
        if let Some((_, members)) = groups.get_mut(g) {
            members.push(s);
        }
    }
    // Pairs of groups whose words are near enough: a group with itself
    // when it has several statements, and others through the prefix filter.
    let mut by_token: HashMap<usize, Vec<usize>> = HashMap::default();
    // The last group each one was compared with, so every pair is
    // compared once however many prefix words they share.
    let mut last_seen: Vec<usize> = vec![usize::MAX; groups.len()];
    let mut near: Vec<(usize, usize)> = Vec::new();
    for (g, (rep, members)) in groups.iter().enumerate() {
        if members.len() > 1 {
            near.push((g, g));
        }
        let Some(set) = sets.get(*rep) else { continue };
        let prefix = set.get(..prefix_len(set.len())).unwrap_or(set);
        for t in prefix {
            for &o in by_token.get(t).map_or(&[][..], Vec::as_slice) {
                match last_seen.get_mut(o) {
                    Some(l) if *l != g => *l = g,
                    _ => continue,
                }
                let other = groups.get(o).and_then(|(r, _)| sets.get(*r));
                if other.is_some_and(|wa| word_similarity(wa, set) >= NEAR_DUPLICATE) {
                    near.push((o, g));
                }
            }
        }
        for t in prefix {
            by_token.entry(*t).or_default().push(g);
        }
    }
    // Of each pair of groups, the statements one role gets both of.
    let mut found: Vec<(usize, usize, bool)> = Vec::new();
    for (ga, gb) in near {
        let (Some((_, a)), Some((_, b))) = (groups.get(ga), groups.get(gb)) else {
            continue;
        };
        pairs_in_a_view(a, b, ga == gb, &member, &mut found);
    }
    for (a, b, same) in found {
        let (Some(a), Some(b)) = (stmts.get(a), stmts.get(b)) else {
            continue;
        };
        // Report at the later-defined statement.
        let (first, second) = if (&a.source.file, a.source.line) <= (&b.source.file, b.source.line)
        {
            (*a, *b)
        } else {
            (*b, *a)
        };
        let text = files.text(&second.source.file).unwrap_or("");
        let offset = line_col_offset(text, second.source.line, second.source.column);
        let span = Span::at(&second.source.file, text, offset, second.text.len());
        let (code, what) = if same {
            ("duplicate-statement", "says the same as")
        } else {
            ("near-duplicate", "is nearly the same as")
        };
        diags.push(
            Diagnostic::warning(
                code,
                span,
                format!(
                    "statement `{}` {what} `{}` ({}), and one role gets both",
                    second.id, first.id, first.source
                ),
            )
            .with_help("keep one, or make the difference between them explicit"),
        );
    }
    diags
}

/// A page as [`read_page`] reads it: its front matter (as `T`), where the
/// front matter is, and its blocks, or `None` if it could not be read; and
/// what reading it reported.
struct ReadPage<'a, T> {
    page: Option<(T, Doc<'a>, Vec<Block>)>,
    diags: Vec<Diagnostic>,
}

/// Reads a page's front matter and blocks. It needs nothing the compiler
/// has learnt so far, so layer files are read on a second thread ahead of
/// the compiler, which takes them in file order.
fn read_page<'a, T: serde::de::DeserializeOwned>(
    files: &'a FileSet,
    path: &'a str,
    what: &str,
    template: &str,
) -> ReadPage<'a, T> {
    let mut diags = Vec::new();
    let page = (|| {
        let text = files.text(path)?;
        let split = match split_front_matter(path, text) {
            Ok(s) => s,
            Err(d) => {
                diags.push(*d);
                return None;
            }
        };
        if split.yaml.is_none() {
            diags.push(
                Diagnostic::error(
                    "missing-front-matter",
                    Span::file_start(path),
                    format!("{what} starts with YAML front matter, and this file has none"),
                )
                .with_help(format!("start the file with:\n---\n{template}\n---")),
            );
            return None;
        }
        let doc = Doc::new(
            path,
            text,
            split.yaml_offset,
            split.yaml_offset + split.yaml.map_or(0, str::len),
        );
        let meta: T = match doc.parse(what) {
            Ok(m) => m,
            Err(d) => {
                diags.push(*d);
                return None;
            }
        };
        let (blocks, parse_diags) = parse_blocks(path, text, split.body_offset);
        diags.extend(parse_diags);
        Some((meta, doc, blocks))
    })();
    ReadPage { page, diags }
}

/// Whether two ascending lists of views have one in common.
fn share_a_view(a: &[u32], b: &[u32]) -> bool {
    let (mut i, mut j) = (0, 0);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        match x.cmp(y) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// Adds to `out`, once each, the pairs of statements (lower index first)
/// that some view holds both of: one from `a` and one from `b`, or, when
/// `same` (`a` is `b`), two of `a`. `member` lists each statement's views,
/// ascending.
fn pairs_in_a_view(
    a: &[usize],
    b: &[usize],
    same: bool,
    member: &[Vec<u32>],
    out: &mut Vec<(usize, usize, bool)>,
) {
    let views = |s: usize| member.get(s).map_or(&[][..], Vec::as_slice);
    let pair = |x: usize, y: usize| (x.min(y), x.max(y), same);
    // Few pairs: compare the views of each.
    if a.len().saturating_mul(b.len()) <= 64 {
        for (i, &x) in a.iter().enumerate() {
            let others = if same {
                b.get(i + 1..).unwrap_or(&[])
            } else {
                b
            };
            for &y in others {
                if share_a_view(views(x), views(y)) {
                    out.push(pair(x, y));
                }
            }
        }
        return;
    }
    // Many (a statement copied across many teams): the statements of each
    // view, paired within it.
    let mut by_view: HashMap<u32, (Vec<usize>, Vec<usize>)> = HashMap::default();
    for &x in a {
        for &v in views(x) {
            by_view.entry(v).or_default().0.push(x);
        }
    }
    if !same {
        for &y in b {
            for &v in views(y) {
                by_view.entry(v).or_default().1.push(y);
            }
        }
    }
    let mut new = Vec::new();
    for (xs, ys) in by_view.values() {
        for (i, &x) in xs.iter().enumerate() {
            let others = if same {
                xs.get(i + 1..).unwrap_or(&[])
            } else {
                ys
            };
            new.extend(others.iter().map(|&y| pair(x, y)));
        }
    }
    // A pair that shares several views was found in each.
    new.sort_unstable();
    new.dedup();
    out.extend(new);
}

fn line_col_offset(text: &str, line: u32, column: u32) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line as usize {
            return offset
                + l.char_indices()
                    .nth(column.saturating_sub(1) as usize)
                    .map_or(0, |(b, _)| b);
        }
        offset += l.len();
    }
    offset
}

/// The span of a top-level-ish `key:` inside a YAML document, found by text.
fn key_span(doc: &Doc<'_>, key: &str) -> Span {
    let yaml = doc.text.get(doc.yaml_offset..doc.yaml_end).unwrap_or("");
    let mut offset = 0;
    for l in yaml.split_inclusive('\n') {
        let t = l.trim_start();
        if t.strip_prefix(key)
            .is_some_and(|r| r.trim_start().starts_with(':'))
        {
            let at = doc.yaml_offset + offset + (l.len() - t.len());
            return Span::at(doc.file, doc.text, at, key.len());
        }
        offset += l.len();
    }
    Span::at(doc.file, doc.text, doc.yaml_offset, 0)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::pairs_in_a_view;
    use proptest::prelude::*;

    proptest! {
        /// Both ways of pairing (one by one, and by view) give every pair
        /// that shares a view, once, as comparing each pair would.
        #[test]
        fn pairs_in_a_view_are_those_sharing_one(
            member in proptest::collection::vec(proptest::collection::btree_set(0u32..12, 0..4), 2..40),
            split in 0usize..40,
        ) {
            let member: Vec<Vec<u32>> = member.into_iter().map(|s| s.into_iter().collect()).collect();
            let n = member.len();
            let split = split % n;
            let all: Vec<usize> = (0..n).collect();
            let (a, b) = all.split_at(split);
            let shares = |x: usize, y: usize| member[x].iter().any(|v| member[y].contains(v));
            for (a, b, same) in [(a, b, false), (&all[..], &all[..], true)] {
                let mut expected = Vec::new();
                for &x in a {
                    for &y in b {
                        if (!same || x < y) && shares(x, y) {
                            expected.push((x.min(y), x.max(y), same));
                        }
                    }
                }
                expected.sort_unstable();
                let mut got = Vec::new();
                pairs_in_a_view(a, b, same, &member, &mut got);
                got.sort_unstable();
                prop_assert_eq!(got, expected);
            }
        }
    }
}
