//! The competency matrix as the spreadsheet teams keep: one row per placed
//! statement, columns `id,layer,level,category,text`, and optionally
//! `group,level_title,grade,below,category_title,layer_title,extends`: the
//! statement's group, and what the row's level, category and layer are
//! called, graded and built on. [`export`] writes them all.
//!
//! [`export`] writes it from a compiled framework; [`import`] reads it back
//! into a framework folder. Export, import, export gives identical bytes.
//! A statement placed in several layers (from an include) is one id on
//! several rows with the same text; the import writes it once, as an
//! include. A bad file is refused whole: every problem is reported with its
//! row, column and value, and nothing is written.

use crate::write::{Entry, Framework, IncludeOut, LayerOut, LevelOut, entry, group_by_category};
use crate::{Import, Problem, Report, Severity, Source};
use ladder_framework::csv::{field, parse};
use ladder_framework::similar::did_you_mean;
use ladder_framework::{is_valid_id, is_valid_layer_id};
use std::collections::BTreeMap;

pub const COLUMNS: [&str; 5] = ["id", "layer", "level", "category", "text"];

/// Columns a matrix may have besides [`COLUMNS`], which [`export`] writes:
/// a level's, category's or layer's value is the same on every row that
/// names it.
pub const OPTIONAL: [&str; 7] = [
    "group",
    "level_title",
    "grade",
    "below",
    "category_title",
    "layer_title",
    "extends",
];

/// Optional columns read and not written: `below` says the order, and a
/// layer's description is prose.
pub const READ_ONLY: [&str; 2] = ["track", "description"];

/// Every optional column: [`OPTIONAL`], then [`READ_ONLY`].
fn optional_columns() -> impl Iterator<Item = &'static str> {
    OPTIONAL.iter().chain(&READ_ONLY).copied()
}

/// The matrix of a compiled framework: layers by id, each in file order,
/// with every column.
pub fn export(fw: &ladder_framework::Framework) -> String {
    let mut out = COLUMNS.join(",");
    for c in OPTIONAL {
        out.push(',');
        out.push_str(c);
    }
    out.push('\n');
    let mut layers: Vec<&ladder_framework::Layer> = fw.layers.iter().collect();
    layers.sort_by(|a, b| a.id.cmp(&b.id));
    for l in layers {
        for p in &l.placements {
            let text = fw.items.get(&*p.item).map_or("", |i| i.text.as_str());
            let level = fw.level(&p.level);
            let group = p.group.as_ref().map_or("", |g| &**g);
            let level_title = level.map_or("", |x| x.title.as_str());
            let grade = level.map(|x| x.grade.to_string()).unwrap_or_default();
            let below = level.and_then(|x| x.below.as_deref()).unwrap_or("");
            let category_title = fw.category(&p.category).map_or("", |c| c.title.as_str());
            let extends = l.extends.as_deref().unwrap_or("");
            for (i, v) in [
                &*p.item,
                &l.id,
                &p.level,
                &p.category,
                text,
                group,
                level_title,
                grade.as_str(),
                below,
                category_title,
                l.title.as_str(),
                extends,
            ]
            .iter()
            .enumerate()
            {
                if i > 0 {
                    out.push(',');
                }
                field(&mut out, v);
            }
            out.push('\n');
        }
    }
    out
}

fn err(
    problems: &mut Vec<Problem>,
    file: &str,
    row: u32,
    col: &str,
    message: String,
    fix: Option<String>,
) {
    problems.push(Problem {
        file: file.to_owned(),
        line: row,
        severity: Severity::Error,
        code: "csv",
        message: if col.is_empty() {
            format!("row {row}: {message}")
        } else {
            format!("row {row}, column `{col}`: {message}")
        },
        fix,
    });
}

/// Imports `matrix.csv` (the one `.csv` file in the source).
pub fn import(src: &Source, organisation: &str) -> Import {
    let mut report = Report {
        format: "csv".to_owned(),
        ..Report::default()
    };
    report.counts.source_files = src.files.len();
    let Some((file, text)) = src.files.iter().next() else {
        report.push(
            Severity::Error,
            "",
            0,
            "no-input",
            "no CSV file given".to_owned(),
            None,
        );
        return Import {
            files: BTreeMap::new(),
            report,
        };
    };
    match read(file, text, organisation) {
        Ok(fw) => fw.finish(report),
        Err(problems) => {
            report.problems = problems;
            report.finish();
            Import {
                files: BTreeMap::new(),
                report,
            }
        }
    }
}

struct Row {
    n: u32,
    id: String,
    layer: String,
    level: String,
    category: String,
    text: String,
    /// The optional columns, by name; empty when absent or blank.
    more: BTreeMap<&'static str, String>,
}

fn read(file: &str, text: &str, organisation: &str) -> Result<Framework, Vec<Problem>> {
    let mut problems = Vec::new();
    let rows = match parse(text) {
        Ok(r) => r,
        Err(line) => {
            err(
                &mut problems,
                file,
                line,
                "",
                "a quoted field opens here and never closes".to_owned(),
                Some("close the quote with `\"`".to_owned()),
            );
            return Err(problems);
        }
    };
    let mut rows = rows.into_iter();
    let Some((_, header)) = rows.next() else {
        err(
            &mut problems,
            file,
            1,
            "",
            "the file is empty; it needs the header `id,layer,level,category,text`".to_owned(),
            None,
        );
        return Err(problems);
    };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    let mut index = BTreeMap::new();
    for (i, h) in header.iter().enumerate() {
        if COLUMNS.contains(&h.as_str()) || optional_columns().any(|c| c == h) {
            index.insert(h.clone(), i);
        } else {
            let fix = did_you_mean(h, COLUMNS.iter().copied().chain(optional_columns()))
                .map(str::to_owned);
            err(
                &mut problems,
                file,
                1,
                h,
                format!("`{h}` is not a column of the matrix"),
                fix.map(|f| format!("rename it `{f}`")),
            );
        }
    }
    for c in COLUMNS {
        if !index.contains_key(c) {
            err(
                &mut problems,
                file,
                1,
                c,
                format!("the header has no `{c}` column"),
                Some(format!("header: {}", COLUMNS.join(","))),
            );
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let get = |r: &Vec<String>, c: &str| {
        index
            .get(c)
            .and_then(|i| r.get(*i))
            .map_or("", |v| v.as_str())
            .to_owned()
    };
    let mut parsed: Vec<Row> = Vec::new();
    for (n, r) in rows {
        if r.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if r.len() != header.len() {
            err(
                &mut problems,
                file,
                n,
                "",
                format!(
                    "row has {} fields; the header has {}",
                    r.len(),
                    header.len()
                ),
                Some("quote fields that contain commas".to_owned()),
            );
            continue;
        }
        parsed.push(Row {
            n,
            id: get(&r, "id"),
            layer: get(&r, "layer"),
            level: get(&r, "level"),
            category: get(&r, "category"),
            text: get(&r, "text"),
            more: optional_columns()
                .map(|c| (c, get(&r, c).trim().to_owned()))
                .collect(),
        });
    }
    // Values that appear once and look like a typo of a common one.
    let mut counts: BTreeMap<(&str, String), usize> = BTreeMap::new();
    for r in &parsed {
        *counts.entry(("layer", r.layer.clone())).or_default() += 1;
        *counts.entry(("level", r.level.clone())).or_default() += 1;
        *counts.entry(("category", r.category.clone())).or_default() += 1;
    }
    let mut by_id: BTreeMap<String, (u32, String)> = BTreeMap::new();
    let mut placed: BTreeMap<(String, String), u32> = BTreeMap::new();
    for r in &parsed {
        for (col, v) in [
            ("layer", &r.layer),
            ("level", &r.level),
            ("category", &r.category),
        ] {
            let ok = if col == "layer" {
                is_valid_layer_id(v)
            } else {
                is_valid_id(v)
            };
            if !ok {
                err(
                    &mut problems,
                    file,
                    r.n,
                    col,
                    format!("`{v}` is not a valid id"),
                    Some(ladder_framework::similar::slugify(v)),
                );
                continue;
            }
            if counts.get(&(col, v.clone())) == Some(&1) {
                let others: Vec<&str> = counts
                    .iter()
                    .filter(|((c, o), n)| *c == col && o != v && **n > 1)
                    .map(|((_, o), _)| o.as_str())
                    .collect();
                if let Some(g) = did_you_mean(v, others) {
                    err(
                        &mut problems,
                        file,
                        r.n,
                        col,
                        format!("`{v}` appears only here; every other row says `{g}`"),
                        Some(format!("did you mean `{g}`?")),
                    );
                }
            }
        }
        if r.text.trim().is_empty() {
            err(
                &mut problems,
                file,
                r.n,
                "text",
                "the statement is empty".to_owned(),
                None,
            );
        }
        if r.text.contains('\n') {
            err(
                &mut problems,
                file,
                r.n,
                "text",
                "a statement is one line; this one has a line break".to_owned(),
                Some("join the lines".to_owned()),
            );
        }
        // A blank id: the import gives the statement one from its words.
        if r.id.trim().is_empty() {
            continue;
        }
        if !is_valid_id(&r.id) {
            err(
                &mut problems,
                file,
                r.n,
                "id",
                format!("`{}` is not a valid statement id", r.id),
                Some("lowercase letters, digits, `-`, `_`, `.`".to_owned()),
            );
            continue;
        }
        match by_id.get(&r.id) {
            Some((first, t)) if *t != r.text => err(
                &mut problems,
                file,
                r.n,
                "text",
                format!(
                    "id `{}` has other text on row {first}; one id is one statement",
                    r.id
                ),
                Some("give this row a new id, or the same text".to_owned()),
            ),
            Some(_) => {}
            None => {
                by_id.insert(r.id.clone(), (r.n, r.text.clone()));
            }
        }
        if let Some(first) =
            placed.insert((r.id.clone(), format!("{}\u{0}{}", r.layer, r.level)), r.n)
        {
            err(
                &mut problems,
                file,
                r.n,
                "id",
                format!(
                    "`{}` is already placed in layer `{}` at level `{}` on row {first}",
                    r.id, r.layer, r.level
                ),
                Some("remove one of the rows".to_owned()),
            );
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let meta = Meta::read(file, &parsed, &index, &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }

    let mut fw = Framework {
        organisation: organisation.to_owned(),
        ..Framework::default()
    };
    // Levels and categories in order of first appearance; each level
    // builds on the one before, unless a `below` column says otherwise.
    for r in &parsed {
        if !fw.levels.iter().any(|l| l.id == r.level) {
            let below = if index.contains_key("below") {
                meta.get("below", &r.level).map(str::to_owned)
            } else if index.contains_key("track") {
                // The level before it on its own track.
                let track = meta.get("track", &r.level).unwrap_or("");
                fw.levels
                    .iter()
                    .rev()
                    .find(|l| meta.get("track", &l.id).unwrap_or("") == track)
                    .map(|l| l.id.clone())
            } else {
                fw.levels.last().map(|l| l.id.clone())
            };
            let n = fw.levels.len() + 1;
            fw.levels.push(LevelOut {
                id: r.level.clone(),
                title: meta
                    .get("level_title", &r.level)
                    .map_or_else(|| title(&r.level), str::to_owned),
                grade: meta
                    .get("grade", &r.level)
                    .and_then(|g| g.parse().ok())
                    .unwrap_or(n as f64),
                below,
            });
        }
        if !fw.categories.iter().any(|c| c.0 == r.category) {
            let t = meta
                .get("category_title", &r.category)
                .map_or_else(|| title(&r.category), str::to_owned);
            fw.categories.push((r.category.clone(), t));
        }
    }
    // The last group written per (layer, level, category).
    let mut last_group: BTreeMap<(String, String, String), String> = BTreeMap::new();
    // A category where a statement with no group follows one with a group:
    // a group heading in the layer would reach the later statement too, so
    // there each run of grouped statements is an include of its own, whose
    // heading names the group of its statements alone.
    let mut runs_as_includes: std::collections::BTreeSet<(String, String, String)> =
        std::collections::BTreeSet::new();
    {
        let mut grouped: std::collections::BTreeSet<(String, String, String)> =
            std::collections::BTreeSet::new();
        for r in &parsed {
            let key = (r.layer.clone(), r.level.clone(), r.category.clone());
            if r.more.get("group").is_some_and(|g| !g.is_empty()) {
                grouped.insert(key);
            } else if grouped.contains(&key) {
                runs_as_includes.insert(key);
            }
        }
    }
    // The include of the current run, per category that needs them:
    // (its group, its index in `fw.includes`).
    let mut run: BTreeMap<(String, String, String), (String, usize)> = BTreeMap::new();
    let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &parsed {
        *uses.entry(r.id.as_str()).or_default() += 1;
    }
    for r in &parsed {
        if !fw.layers.iter().any(|l| l.id == r.layer) {
            fw.layers.push(LayerOut {
                id: r.layer.clone(),
                title: meta.get("layer_title", &r.layer).map_or_else(
                    || title(r.layer.rsplit('/').next().unwrap_or(&r.layer)),
                    str::to_owned,
                ),
                extends: meta.get("extends", &r.layer).map(str::to_owned),
                description: meta
                    .get("description", &r.layer)
                    .map(|d| vec![d.to_owned()])
                    .unwrap_or_default(),
                ..LayerOut::default()
            });
        }
        let Some(layer) = fw.layers.iter_mut().find(|l| l.id == r.layer) else {
            continue;
        };
        let level = entry(&mut layer.levels, r.level.clone());
        let blank = r.id.trim().is_empty();
        let placed_entry = if blank {
            Entry::Statement {
                text: r.text.clone(),
                id: None,
            }
        } else if uses.get(r.id.as_str()).copied().unwrap_or(0) > 1 {
            let path = format!("includes/{}.md", r.id);
            if !fw.includes.iter().any(|i| i.path == path) {
                fw.includes.push(IncludeOut {
                    path: path.clone(),
                    entries: vec![Entry::Statement {
                        text: r.text.clone(),
                        id: Some(r.id.clone()),
                    }],
                });
            }
            Entry::Include(path)
        } else {
            Entry::Statement {
                text: r.text.clone(),
                id: Some(r.id.clone()),
            }
        };
        // Entries are kept per category; flattened below.
        level.push(Entry::Category(r.category.clone()));
        let group = r.more.get("group").cloned().unwrap_or_default();
        let key = (r.layer.clone(), r.level.clone(), r.category.clone());
        if runs_as_includes.contains(&key) {
            if group.is_empty() {
                run.remove(&key);
                level.push(placed_entry);
                continue;
            }
            match run.get(&key) {
                Some((g, i)) if *g == group => {
                    if let Some(inc) = fw.includes.get_mut(*i) {
                        inc.entries.push(placed_entry);
                    }
                }
                _ => {
                    let path = format!(
                        "includes/groups/{}/{}-{}-{}.md",
                        r.layer,
                        r.level,
                        r.category,
                        fw.includes.len() + 1
                    );
                    fw.includes.push(IncludeOut {
                        path: path.clone(),
                        entries: vec![Entry::Group(group.clone()), placed_entry],
                    });
                    run.insert(key, (group, fw.includes.len() - 1));
                    level.push(Entry::Include(path));
                }
            }
            continue;
        }
        if !group.is_empty() && last_group.get(&key) != Some(&group) {
            level.push(Entry::Group(group.clone()));
            last_group.insert(key, group);
        }
        level.push(placed_entry);
    }
    for layer in &mut fw.layers {
        for (_, entries) in &mut layer.levels {
            group_by_category(entries);
        }
    }
    Ok(fw)
}

/// What the optional columns say of each level, category and layer: one
/// value each, checked on every row.
struct Meta {
    /// (column, what it describes) → value.
    values: BTreeMap<(&'static str, String), String>,
}

impl Meta {
    fn get(&self, column: &'static str, key: &str) -> Option<&str> {
        self.values
            .get(&(column, key.to_owned()))
            .map(String::as_str)
    }

    fn read(
        file: &str,
        rows: &[Row],
        index: &BTreeMap<String, usize>,
        problems: &mut Vec<Problem>,
    ) -> Meta {
        let mut values: BTreeMap<(&'static str, String), (u32, String)> = BTreeMap::new();
        let levels: std::collections::BTreeSet<&str> =
            rows.iter().map(|r| r.level.as_str()).collect();
        let layers: std::collections::BTreeSet<&str> =
            rows.iter().map(|r| r.layer.as_str()).collect();
        for r in rows {
            for col in optional_columns() {
                if col == "group" || !index.contains_key(col) {
                    continue;
                }
                let v = r.more.get(col).cloned().unwrap_or_default();
                if v.is_empty() {
                    continue;
                }
                let key = match col {
                    "level_title" | "grade" | "below" | "track" => r.level.clone(),
                    "category_title" => r.category.clone(),
                    _ => r.layer.clone(),
                };
                match col {
                    "grade" => match v.parse::<f64>() {
                        Ok(g) if g.is_finite() && g >= 0.0 => {}
                        _ => {
                            err(
                                problems,
                                file,
                                r.n,
                                col,
                                format!("`{v}` is not a grade"),
                                Some("a number of 0 or more, such as `7` or `9.5`".to_owned()),
                            );
                            continue;
                        }
                    },
                    "below" if !levels.contains(v.as_str()) || v == r.level => {
                        let fix =
                            did_you_mean(&v, levels.iter().copied().filter(|l| *l != r.level))
                                .map(|g| format!("did you mean `{g}`?"));
                        let why = if v == r.level {
                            "a level cannot build on itself".to_owned()
                        } else {
                            format!("`{v}` is not a level of the matrix")
                        };
                        err(problems, file, r.n, col, why, fix);
                        continue;
                    }
                    "extends" if !layers.contains(v.as_str()) || v == r.layer => {
                        let fix =
                            did_you_mean(&v, layers.iter().copied().filter(|l| *l != r.layer))
                                .map(|g| format!("did you mean `{g}`?"));
                        err(
                            problems,
                            file,
                            r.n,
                            col,
                            format!("`{v}` is not another layer of the matrix"),
                            fix,
                        );
                        continue;
                    }
                    _ => {}
                }
                match values.get(&(col, key.clone())) {
                    Some((first, old)) if *old != v => err(
                        problems,
                        file,
                        r.n,
                        col,
                        format!(
                            "`{v}` differs from `{old}` on row {first}; `{col}` is one value for `{key}`"
                        ),
                        Some(format!(
                            "write `{old}` on both rows, or leave this one blank"
                        )),
                    ),
                    Some(_) => {}
                    None => {
                        values.insert((col, key), (r.n, v));
                    }
                }
            }
        }
        Meta {
            values: values.into_iter().map(|(k, (_, v))| (k, v)).collect(),
        }
    }
}

fn title(id: &str) -> String {
    let mut s: String = id.replace(['-', '_'], " ");
    if let Some(f) = s.get(..1) {
        let up = f.to_uppercase();
        s.replace_range(..1, &up);
    }
    s
}
