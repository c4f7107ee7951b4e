//! Monzo's progression framework: Markdown files whose YAML front matter
//! holds `topics → content[level] → criteria / exampleCriteria`.
//!
//! Each file is a layer named by its path below `frameworks/`
//! (`engineering/backend`); `generic.md` is the base layer every other
//! extends, so a topic of the same name merges with the generic one (topics
//! are categories, by name). Levels are `level-1` … `level-N`; each builds
//! on the one before. Example criteria are statements, their examples prose
//! right after them.

use crate::outline;
use crate::write::{Entry, Framework, LayerOut, LevelOut, entry, group_by_category};
use crate::{Import, Report, Severity, Source};
use ladder_framework::similar::slugify;
use serde::Deserialize;

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    levels: Option<u32>,
    #[serde(default)]
    topics: Vec<Topic>,
}

#[derive(Deserialize)]
struct Topic {
    name: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    content: Vec<Content>,
}

#[derive(Deserialize)]
struct Content {
    level: u32,
    #[serde(default)]
    criteria: Option<Vec<String>>,
    #[serde(default, rename = "exampleCriteria")]
    example_criteria: Option<Vec<Example>>,
}

#[derive(Deserialize)]
struct Example {
    criteria: String,
    #[serde(default)]
    examples: Option<Vec<String>>,
}

/// Strips a leading emoji and space from a title: `🧠 Knowledge` → `Knowledge`.
fn clean_title(t: &str) -> String {
    t.trim_start_matches(|c: char| !c.is_alphanumeric())
        .trim()
        .to_owned()
}

/// `previous`: an earlier import whose ids matching statements keep.
pub fn import(
    src: &Source,
    organisation: &str,
    previous: Option<&ladder_framework::Framework>,
) -> Import {
    let mut report = Report {
        format: "monzo".to_owned(),
        ..Report::default()
    };
    report.counts.source_files = src.files.len();
    let mut fw = Framework {
        organisation: organisation.to_owned(),
        ..Framework::default()
    };
    let mut max_level = 0;
    let has_generic = src.files.keys().any(|p| p.ends_with("generic.md"));
    for (path, text) in &src.files {
        let (yaml, body, first) = outline::front_matter(text);
        let Some(yaml) = yaml else {
            report.warn(
                path,
                1,
                "no-front-matter",
                "no YAML front matter with topics; not imported",
            );
            continue;
        };
        let page: Page = match serde_saphyr::from_str(yaml) {
            Ok(p) => p,
            Err(e) => {
                report.push(
                    Severity::Error,
                    path,
                    2,
                    "yaml",
                    format!("front matter is not valid: {e}"),
                    None,
                );
                continue;
            }
        };
        let rel = path.strip_prefix("frameworks/").unwrap_or(path);
        let id = rel
            .trim_end_matches(".md")
            .split('/')
            .map(slugify)
            .collect::<Vec<_>>()
            .join("/");
        let is_generic = id == "generic";
        let mut layer = LayerOut {
            id: id.clone(),
            title: page
                .title
                .as_deref()
                .map_or_else(|| id.clone(), clean_title),
            extends: (has_generic && !is_generic).then(|| "generic".to_owned()),
            ..LayerOut::default()
        };
        for b in outline::parse(body, first) {
            match b {
                outline::Block::Para { text, .. }
                | outline::Block::Item { text, .. }
                | outline::Block::Table { text, .. } => layer.description.push(text),
                outline::Block::Heading { text, .. } => {
                    layer.description.push(format!("**{text}**"))
                }
                outline::Block::Html { text, line } => {
                    report.warn(
                        path,
                        line,
                        "html-block",
                        "an HTML block: its text is kept as prose, its layout is not",
                    );
                    layer.description.push(text);
                }
                _ => {}
            }
        }
        max_level = max_level.max(page.levels.unwrap_or(0));
        let mut levels: Vec<(u32, Vec<Entry>)> = Vec::new();
        for topic in &page.topics {
            let cat = slugify(&topic.name);
            let title = topic
                .title
                .as_deref()
                .map_or_else(|| topic.name.clone(), clean_title);
            let title = if title.is_empty() {
                topic.name.clone()
            } else {
                title
            };
            if !fw.categories.iter().any(|c| c.0 == cat) {
                fw.categories.push((cat.clone(), title));
            }
            for c in &topic.content {
                max_level = max_level.max(c.level);
                let mut entries = Vec::new();
                for s in c.criteria.iter().flatten() {
                    entries.push(Entry::Statement {
                        text: s.trim().to_owned(),
                        id: None,
                    });
                }
                for e in c.example_criteria.iter().flatten() {
                    entries.push(Entry::Statement {
                        text: e.criteria.trim().to_owned(),
                        id: None,
                    });
                    let ex: Vec<&str> = e.examples.iter().flatten().map(|x| x.trim()).collect();
                    if !ex.is_empty() {
                        entries.push(Entry::Prose(format!("Examples: {}", ex.join(" · "))));
                    }
                }
                if entries.is_empty() {
                    continue;
                }
                let level = entry(&mut levels, c.level);
                level.push(Entry::Category(cat.clone()));
                level.extend(entries);
            }
        }
        levels.sort_by_key(|l| l.0);
        for (n, mut entries) in levels {
            group_by_category(&mut entries);
            layer.levels.push((format!("level-{n}"), entries));
        }
        fw.layers.push(layer);
    }
    for n in 1..=max_level {
        fw.levels.push(LevelOut {
            id: format!("level-{n}"),
            title: format!("Level {n}"),
            grade: f64::from(n),
            below: (n > 1).then(|| format!("level-{}", n - 1)),
        });
    }
    fw.finish_with(report, previous)
}
