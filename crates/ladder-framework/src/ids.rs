//! `ladder ids`: give every statement without a `{#id}` a stable one.
//!
//! An id is made once from where the statement is and its first words
//! (`development-senior-reviews-code-others`), and then never changes: it is
//! written into the file, so later rewording leaves it alone. Only
//! ` {#id}` is appended to the statement's last line; nothing else in the
//! file moves, so running it twice changes nothing the second time.

use crate::config::{self, CONFIG_FILE};
use crate::fileset::FileSet;
use crate::markdown::{Block, file_stem, front_matter_value, parse_blocks, split_front_matter};
use crate::similar::{slug, slugify};
use std::collections::{BTreeMap, BTreeSet};

/// One id to write: append ` {#id}` at byte `offset` of `file`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    pub file: String,
    pub offset: usize,
    pub line: u32,
    pub id: String,
}

/// The ids `ladder ids` would write, in file order.
pub fn plan(files: &FileSet) -> Vec<Assignment> {
    let mut scratch = Vec::new();
    let config = files
        .text(CONFIG_FILE)
        .map(|t| config::load(CONFIG_FILE, t, &mut scratch))
        .unwrap_or_default();
    let level_id = |heading: &str| -> String {
        let n = slugify(heading);
        config
            .levels
            .iter()
            .find(|l| l.id == n || slugify(&l.title) == n)
            .map_or(n, |l| l.id.clone())
    };

    // Every file's blocks, and every id already taken.
    let mut parsed: Vec<(&str, &str, Vec<Block>)> = Vec::new();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    for path in files.paths() {
        let kind = ["layers/", "families/", "includes/"]
            .into_iter()
            .find(|k| path.starts_with(k));
        let (Some(kind), true) = (kind, path.ends_with(".md")) else {
            continue;
        };
        let Some(text) = files.text(path) else {
            continue;
        };
        let body = split_front_matter(path, text).map_or(0, |s| s.body_offset);
        let (blocks, _) = parse_blocks(path, text, body);
        for b in &blocks {
            if let Block::Item { id: Some(id), .. } = b {
                taken.insert(id.clone());
            }
        }
        parsed.push((path, kind, blocks));
    }

    let mut out = Vec::new();
    for (path, kind, blocks) in parsed {
        let text = files.text(path).unwrap_or("");
        // Layer ids may hold `/` (imported folder paths); statement ids may not.
        let own_id = front_matter_value(text, "id")
            .map(|id| id.replace('/', "-"))
            .unwrap_or_else(|| slugify(file_stem(path)));
        let mut context = match kind {
            "includes/" => slugify(file_stem(path)),
            _ => own_id.clone(),
        };
        let mut h2 = String::new();
        for b in blocks {
            match b {
                Block::Heading {
                    depth, text, attrs, ..
                } if kind != "includes/" => match (kind, depth) {
                    ("layers/", 2) => context = format!("{own_id}-{}", level_id(&text)),
                    ("families/", 2) => {
                        h2 = slugify(&text);
                        context = format!("{own_id}-{}", section_abbrev(&h2));
                    }
                    ("families/", 3) if h2 == "levels" => {
                        context = format!("{own_id}-{}", level_id(&text));
                    }
                    ("families/", 3) => {
                        let s = attrs.id.unwrap_or_else(|| slugify(&text));
                        context = format!("{own_id}-{s}");
                    }
                    ("families/", 4) => {
                        let base = context
                            .rsplit_once('-')
                            .filter(|(_, last)| ["resp", "req", "nice"].contains(last))
                            .map_or(context.clone(), |(b, _)| b.to_owned());
                        context = format!("{base}-{}", section_abbrev(&slugify(&text)));
                    }
                    _ => {}
                },
                Block::Item {
                    text: item_text,
                    id: None,
                    span,
                    end,
                } => {
                    let base = format!("{context}-{}", slug(&item_text, 4));
                    let mut id = base.clone();
                    let mut n = 2;
                    while taken.contains(&id) {
                        id = format!("{base}-{n}");
                        n += 1;
                    }
                    taken.insert(id.clone());
                    out.push(Assignment {
                        file: path.to_owned(),
                        offset: end,
                        line: span.line,
                        id,
                    });
                }
                _ => {}
            }
        }
    }
    out
}

fn section_abbrev(section: &str) -> &str {
    match section {
        "responsibilities" => "resp",
        "requirements" => "req",
        "nice-to-have" | "nice-to-haves" => "nice",
        "performance-indicators" => "pi",
        other => other,
    }
}

/// The new text of every file that gains ids. Files not listed are unchanged.
pub fn apply(files: &FileSet) -> BTreeMap<String, String> {
    let mut by_file: BTreeMap<String, Vec<Assignment>> = BTreeMap::new();
    for a in plan(files) {
        by_file.entry(a.file.clone()).or_default().push(a);
    }
    let mut out = BTreeMap::new();
    for (file, mut edits) in by_file {
        let Some(text) = files.text(&file) else {
            continue;
        };
        let mut new = text.to_owned();
        edits.sort_by_key(|a| std::cmp::Reverse(a.offset));
        for a in edits {
            if new.is_char_boundary(a.offset) && a.offset <= new.len() {
                new.insert_str(a.offset, &format!(" {{#{}}}", a.id));
            }
        }
        out.insert(file, new);
    }
    out
}
