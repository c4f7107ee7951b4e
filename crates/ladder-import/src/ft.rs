//! The Financial Times' engineering progression: YAML job families with
//! `levels`, `themes` and `competencies` that carry a stable UUID `id`.
//!
//! Each file is a layer (its file stem); themes are categories; each
//! competency is a statement at its level and theme that keeps its UUID as
//! its Ladder id. Examples, proficiency and supporting links follow it as
//! prose. A level builds on the one listed before it in the same track
//! (`-ic` and `-pm` levels branch from the last shared level).

use crate::write::{Entry, Framework, LayerOut, LevelOut, entry, group_by_category};
use crate::{Import, Report, Severity, Source};
use ladder_framework::similar::slugify;
use serde::Deserialize;

#[derive(Deserialize)]
struct File {
    name: String,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    levels: Vec<Named>,
    #[serde(default)]
    themes: Vec<Named>,
    #[serde(default)]
    competencies: Vec<Competency>,
}

#[derive(Deserialize)]
struct Named {
    id: String,
    name: String,
    #[serde(default)]
    summary: Option<String>,
}

#[derive(Deserialize)]
struct Competency {
    id: String,
    summary: String,
    level: String,
    theme: String,
    #[serde(default)]
    examples: Option<Vec<String>>,
    #[serde(default)]
    proficiency: Option<String>,
    #[serde(default, rename = "supportingUrls")]
    supporting_urls: Option<Vec<serde_json::Value>>,
}

fn track(id: &str) -> Option<&'static str> {
    if id.ends_with("-ic") {
        Some("ic")
    } else if id.ends_with("-pm") {
        Some("pm")
    } else {
        None
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn import(src: &Source, organisation: &str) -> Import {
    let mut report = Report {
        format: "ft".to_owned(),
        ..Report::default()
    };
    report.counts.source_files = src.files.len();
    let mut fw = Framework {
        organisation: organisation.to_owned(),
        ..Framework::default()
    };
    for (path, text) in &src.files {
        let file: File = match serde_saphyr::from_str(text) {
            Ok(f) => f,
            Err(e) => {
                report.push(
                    Severity::Error,
                    path,
                    1,
                    "yaml",
                    format!("not an FT job family: {e}"),
                    None,
                );
                continue;
            }
        };
        let stem = path.rsplit('/').next().unwrap_or(path);
        let id = slugify(stem.split('.').next().unwrap_or(stem));
        // Levels: shared across files by id; `below` from the list order.
        for (i, l) in file.levels.iter().enumerate() {
            if fw.levels.iter().any(|x| x.id == l.id) {
                continue;
            }
            let t = track(&l.id);
            let below = file
                .levels
                .get(..i)
                .unwrap_or(&[])
                .iter()
                .rev()
                .find(|p| t.is_none() || track(&p.id).is_none() || track(&p.id) == t)
                .map(|p| p.id.clone());
            fw.levels.push(LevelOut {
                id: l.id.clone(),
                title: l.name.clone(),
                grade: 0.0,
                below,
            });
        }
        let mut layer = LayerOut {
            id: id.clone(),
            title: file.name.clone(),
            ..LayerOut::default()
        };
        if let Some(s) = &file.summary {
            layer.description.push(one_line(s));
        }
        for t in &file.themes {
            if !fw.categories.iter().any(|c| c.0 == t.id) {
                fw.categories.push((t.id.clone(), t.name.clone()));
            }
            if let Some(s) = &t.summary {
                layer
                    .description
                    .push(format!("**{}**: {}", t.name, one_line(s)));
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for (n, c) in file.competencies.iter().enumerate() {
            let cid = c.id.trim().to_lowercase();
            if cid != c.id {
                report.warn(
                    path,
                    0,
                    "id",
                    format!(
                        "competency id `{}` is written in capitals; kept as `{cid}`",
                        c.id
                    ),
                );
            }
            if !seen.insert(cid.clone()) {
                report.push(
                    Severity::Error,
                    path,
                    0,
                    "duplicate-id",
                    format!("competency {} repeats id `{cid}`", n + 1),
                    None,
                );
                continue;
            }
            if !file.levels.iter().any(|l| l.id == c.level) {
                report.push(
                    Severity::Error,
                    path,
                    0,
                    "unknown-level",
                    format!(
                        "competency `{cid}` is at level `{}`, which the file does not list",
                        c.level
                    ),
                    None,
                );
                continue;
            }
            let level = entry(&mut layer.levels, c.level.clone());
            let mut prose = Vec::new();
            if let Some(p) = &c.proficiency {
                prose.push(format!("Proficiency: {p}."));
            }
            let ex: Vec<String> = c.examples.iter().flatten().map(|e| one_line(e)).collect();
            if !ex.is_empty() {
                prose.push(format!("Examples: {}", ex.join(" · ")));
            }
            let urls: Vec<String> = c
                .supporting_urls
                .iter()
                .flatten()
                .map(|u| match u {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Object(o) => o
                        .get("url")
                        .and_then(|v| v.as_str())
                        .map_or_else(|| u.to_string(), str::to_owned),
                    other => other.to_string(),
                })
                .collect();
            if !urls.is_empty() {
                prose.push(format!("See: {}", urls.join(" · ")));
            }
            level.push(Entry::Category(c.theme.clone()));
            level.push(Entry::Statement {
                text: one_line(&c.summary),
                id: Some(cid),
            });
            level.extend(prose.into_iter().map(Entry::Prose));
            if !file.themes.iter().any(|t| t.id == c.theme) {
                report.push(
                    Severity::Error,
                    path,
                    0,
                    "unknown-theme",
                    format!(
                        "competency `{}` is in theme `{}`, which the file does not list",
                        c.id, c.theme
                    ),
                    None,
                );
            }
        }
        // One `### theme` per level: gather each theme's entries.
        for (_, entries) in &mut layer.levels {
            group_by_category(entries);
        }
        fw.layers.push(layer);
    }
    // Level order as listed; grades are the position, which the source does not give.
    for (i, l) in fw.levels.iter_mut().enumerate() {
        l.grade = (i + 1) as f64;
    }
    if !fw.levels.is_empty() {
        report.warn("ladder.yaml", 1, "no-grade", "the source gives no grades; each level's grade is its position in the list, edit ladder.yaml to set the real ones");
    }
    fw.finish(report)
}
