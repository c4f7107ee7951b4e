//! The wide grid teams keep: a spreadsheet (XLSX, XLS, ODS), a CSV file, or
//! a Markdown or HTML table, whose header row names levels (one column per
//! level) and whose rows are competencies, with optional category, group
//! and competency columns; or the same grid turned on its side (one row per
//! level). Each filled cell is a statement at its column's level.
//!
//! Sans-IO like every importer: the readers take bytes or text, [`import`]
//! takes the grids.

use crate::levels::words_of;
use crate::outline;
use crate::table::html_tables;
use crate::write::{Entry, Framework, LayerOut, LevelOut, entry, slot};
use crate::{Import, Report, Severity};
use ladder_framework::similar::{did_you_mean, slugify};
use ladder_framework::{is_valid_id, is_valid_layer_id};

/// One sheet or table: its name and its cells, `rows[r][c]` being the
/// cell at spreadsheet row `r + 1`, column `c` (A = 0).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grid {
    pub name: String,
    pub rows: Vec<Vec<String>>,
}

impl Grid {
    fn cell(&self, r: usize, c: usize) -> &str {
        self.rows
            .get(r)
            .and_then(|row| row.get(c))
            .map_or("", |s| s.trim())
    }

    fn width(&self) -> usize {
        self.rows.iter().map(Vec::len).max().unwrap_or(0)
    }

    fn transposed(&self) -> Grid {
        let w = self.width();
        Grid {
            name: self.name.clone(),
            rows: (0..w)
                .map(|c| {
                    (0..self.rows.len())
                        .map(|r| self.cell(r, c).to_owned())
                        .collect()
                })
                .collect(),
        }
    }
}

/// Every sheet of a workbook (XLSX, XLSM, XLS, XLSB or ODS), in order.
pub fn read_workbook(bytes: &[u8]) -> Result<Vec<Grid>, String> {
    use calamine::{Data, Reader, open_workbook_auto_from_rs};
    let mut book = open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a spreadsheet this reader knows (XLSX, XLS, XLSB, ODS): {e}"))?;
    let mut out = Vec::new();
    for name in book.sheet_names() {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| format!("sheet `{name}` cannot be read: {e}"))?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let mut rows: Vec<Vec<String>> = vec![Vec::new(); r0 as usize];
        for row in range.rows() {
            let mut cells = vec![String::new(); c0 as usize];
            cells.extend(row.iter().map(|d| match d {
                Data::Empty => String::new(),
                Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
                other => other.to_string(),
            }));
            rows.push(cells);
        }
        out.push(Grid { name, rows });
    }
    Ok(out)
}

/// A CSV file as one grid; `Err` is the line where a quoted field opens
/// and never closes.
pub fn read_csv(name: &str, text: &str) -> Result<Grid, u32> {
    let rows = ladder_framework::csv::parse(text)?;
    Ok(Grid {
        name: name.to_owned(),
        rows: rows.into_iter().map(|(_, r)| r).collect(),
    })
}

/// The Markdown (`| … |`) and HTML (`<table>`) tables of a page, in order,
/// named `table 1`, `table 2`, …. A cell's list items become lines of its
/// text (`- …`).
pub fn read_tables(text: &str) -> Vec<Grid> {
    let mut grids = Vec::new();
    let mut current: Vec<Vec<String>> = Vec::new();
    let flush = |current: &mut Vec<Vec<String>>, grids: &mut Vec<Grid>| {
        if current.len() >= 2 {
            grids.push(Grid {
                name: format!("table {}", grids.len() + 1),
                rows: std::mem::take(current),
            });
        }
        current.clear();
    };
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('|') {
            let inner = t.trim_start_matches('|').trim_end_matches('|');
            let cells: Vec<String> = inner
                .split('|')
                .map(|c| outline::plain(&c.replace("<br>", "\n")).trim().to_owned())
                .collect();
            let separator = cells
                .iter()
                .all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':' | ' ')));
            if !separator {
                current.push(cells);
            }
        } else {
            flush(&mut current, &mut grids);
        }
    }
    flush(&mut current, &mut grids);
    for t in html_tables(text, 1) {
        grids.push(Grid {
            name: format!("table {}", grids.len() + 1),
            rows: t
                .rows
                .iter()
                .map(|r| r.cells.iter().map(|c| c.joined("\n- ")).collect())
                .collect(),
        });
    }
    grids
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    pub organisation: String,
    /// The layer's id (default: from the file's name).
    pub layer: Option<String>,
    /// The sheet or table to read (default: the first whose header names
    /// levels).
    pub sheet: Option<String>,
    /// The row (1-based) whose cells name the levels, when no row says it
    /// in words the importer knows: every cell of it that is not a
    /// category, group or competency column is then a level.
    pub header_row: Option<usize>,
    /// The category, group and competency columns, by letter (`A`) or
    /// header text, when their headers do not say.
    pub category_column: Option<String>,
    pub group_column: Option<String>,
    pub competency_column: Option<String>,
    /// An earlier import of the same sheet: matching statements keep their ids.
    pub previous: Option<ladder_framework::Framework>,
    /// Level names that cannot be guessed (`--levels map.yaml`).
    pub levels: crate::LevelMap,
}

/// `A`, `B`, … `Z`, `AA`, …
pub fn column_letter(mut c: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(char::from(b'A' + (c % 26) as u8));
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.iter().rev().collect()
}

fn column_index(letter: &str) -> Option<usize> {
    let l = letter.trim();
    if l.is_empty() || l.len() > 3 || !l.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut n = 0usize;
    for c in l.to_ascii_uppercase().bytes() {
        n = n * 26 + usize::from(c - b'A') + 1;
    }
    Some(n - 1)
}

/// A level's statements by category, in the order first seen.
type Categories = Vec<(String, Vec<Entry>)>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Category,
    Group,
    Competency,
}

/// What a header cell says the column holds, when it says.
fn role_of(header: &str) -> Option<Role> {
    let w = words_of(header);
    let j = w.join(" ");
    match j.as_str() {
        "category" | "categories" | "area" | "areas" | "competency area" | "theme" | "themes"
        | "pillar" | "pillars" | "dimension" | "dimensions" | "domain" | "domains" => {
            Some(Role::Category)
        }
        "group" | "groups" | "subcategory" | "sub category" | "topic" | "topics" => {
            Some(Role::Group)
        }
        "competency" | "competencies" | "skill" | "skills" | "name" | "behaviour" | "behavior"
        | "behaviours" | "behaviors" | "attribute" | "attributes" | "expectation" => {
            Some(Role::Competency)
        }
        _ => None,
    }
}

/// The level a header cell names: `Senior Engineer`, `IC3`, `L5`, `Level 2`.
fn header_level(map: &crate::LevelMap, text: &str) -> Option<String> {
    let t = text.trim();
    // A sentence is a statement, not a level's name.
    if t.is_empty() || words_of(t).len() > 5 || t.ends_with(['.', '!', '?', ';']) {
        return None;
    }
    map.level_in_title(t)
}

/// Where the levels are: the header row and its level columns
/// (column, level id, title).
pub(crate) struct Layout {
    header: usize,
    levels: Vec<(usize, String, String)>,
}

fn find_layout(g: &Grid, header_row: Option<usize>, map: &crate::LevelMap) -> Option<Layout> {
    let rows: Vec<usize> = match header_row {
        Some(r) => vec![r.saturating_sub(1)],
        None => (0..g.rows.len().min(20)).collect(),
    };
    // The row that names the most levels (the first of equals).
    let mut best: Option<Layout> = None;
    for r in rows {
        let mut levels: Vec<(usize, String, String)> = Vec::new();
        for c in 0..g.width() {
            let text = g.cell(r, c);
            if text.is_empty() || role_of(text).is_some() {
                continue;
            }
            let id = match header_level(map, text) {
                Some(id) => Some(id),
                None if header_row.is_some() => Some(slugify(text)),
                None => None,
            };
            if let Some(mut id) = id {
                if levels.iter().any(|l| l.1 == id) {
                    // Two columns named for one level (`Senior I`, `Senior II`).
                    id = slugify(text);
                }
                levels.push((c, id, text.to_owned()));
            }
        }
        let distinct: std::collections::BTreeSet<&str> =
            levels.iter().map(|l| l.1.as_str()).collect();
        if distinct.len() >= 2
            && distinct.len() == levels.len()
            && best.as_ref().is_none_or(|b| b.levels.len() < levels.len())
        {
            best = Some(Layout { header: r, levels });
        }
    }
    best
}

/// Imports one grid of a workbook, CSV file or page as a layer.
pub fn import(file: &str, grids: &[Grid], opts: &Options) -> Import {
    let mut report = Report {
        format: "sheet".to_owned(),
        ..Report::default()
    };
    report.counts.source_files = 1;
    let fail = |mut report: Report| {
        report.finish();
        Import {
            files: Default::default(),
            report,
        }
    };
    let names: Vec<&str> = grids.iter().map(|g| g.name.as_str()).collect();
    let candidates: Vec<&Grid> = match &opts.sheet {
        Some(s) => match grids.iter().find(|g| g.name == *s) {
            Some(g) => vec![g],
            None => {
                let guess = did_you_mean(s, names.iter().copied());
                report.push(
                    Severity::Error,
                    file,
                    1,
                    "unknown-sheet",
                    format!(
                        "no sheet or table is named `{s}`; there are: {}",
                        names.join(", ")
                    ),
                    guess.map(|g| format!("--sheet \"{g}\"")),
                );
                return fail(report);
            }
        },
        None => grids.iter().collect(),
    };
    // The first grid whose rows or columns name levels: a row, unless a
    // column names more.
    let found = candidates
        .iter()
        .find_map(|g| orient(g, opts.header_row, &opts.levels));
    let Some((grid, layout, turned)) = found else {
        report.push(
            Severity::Error,
            file,
            1,
            "no-levels",
            format!(
                "no row or column of {} names two levels or more (such as `Junior`, `Senior`, `Staff`, `IC1`, `L4`, `Level 2`), so the grid's levels cannot be found",
                if names.len() == 1 {
                    format!("`{}`", names.join(""))
                } else {
                    format!("the {} sheets or tables", names.len())
                }
            ),
            Some("say which row holds the levels: --header-row N (every cell of it that is not a category, group or competency column is then a level)".to_owned()),
        );
        return fail(report);
    };
    let Some(read) = read_grid(file, &grid, &layout, turned, opts, &mut report) else {
        return fail(report);
    };
    let layer = opts.layer.clone().unwrap_or_else(|| {
        let stem = file.rsplit('/').next().unwrap_or(file);
        slugify(stem.split('.').next().unwrap_or(stem))
    });
    if !is_valid_layer_id(&layer) {
        report.push(
            Severity::Error,
            file,
            1,
            "bad-id",
            format!("`{layer}` is not a valid layer id"),
            Some(format!("--layer {}", slugify(&layer))),
        );
        return fail(report);
    }
    let mut fw = Framework {
        organisation: opts.organisation.clone(),
        levels: read.levels,
        categories: read.categories,
        ..Framework::default()
    };
    let per_level = read.per_level;
    // The layer's title: the sheet's name when it has one of its own,
    // else the file's.
    let generic = {
        let w = words_of(&grid.name);
        w.len() == 2 && matches!(w.first().map(String::as_str), Some("sheet" | "table"))
            || w.len() == 1 && w.first().is_some_and(|x| x.starts_with("sheet"))
    };
    let stem = file.rsplit('/').next().unwrap_or(file);
    let title = if generic || grid.name.is_empty() || grid.name == stem {
        crate::levels::title_case(stem.split('.').next().unwrap_or(stem))
    } else {
        grid.name.clone()
    };
    let mut out = LayerOut {
        id: layer,
        title,
        ..LayerOut::default()
    };
    for (level, cats) in per_level {
        let es = entry(&mut out.levels, level);
        for (c, entries) in cats {
            es.push(Entry::Category(c));
            es.extend(entries);
        }
    }
    out.levels
        .sort_by_key(|(l, _)| fw.levels.iter().position(|x| x.id == *l));
    fw.layers.push(out);
    fw.finish_with(report, opts.previous.as_ref())
}

/// What a grid holds: its levels in column order, its categories, and per
/// level, per category, its entries.
#[derive(Debug, Default)]
pub(crate) struct GridRead {
    pub levels: Vec<LevelOut>,
    pub categories: Vec<(String, String)>,
    pub per_level: Vec<(String, Categories)>,
}

/// A grid read the way round its levels are named: the grid (turned when
/// its first column names them), where the levels are, and whether it was
/// turned. A row wins unless a column names more levels.
pub(crate) fn orient(
    g: &Grid,
    header_row: Option<usize>,
    map: &crate::LevelMap,
) -> Option<(Grid, Layout, bool)> {
    let t = g.transposed();
    match (
        find_layout(g, header_row, map),
        find_layout(&t, header_row, map),
    ) {
        (Some(a), Some(b)) if b.levels.len() > a.levels.len() => Some((t, b, true)),
        (Some(a), _) => Some((g.clone(), a, false)),
        (None, Some(b)) => Some((t, b, true)),
        (None, None) => None,
    }
}

/// Reads a grid's rows: every problem goes to `report` with its cell;
/// `None` when any is an error.
pub(crate) fn read_grid(
    file: &str,
    grid: &Grid,
    layout: &Layout,
    turned: bool,
    opts: &Options,
    report: &mut Report,
) -> Option<GridRead> {
    // Where a cell is, in the words of the source (rows and columns as
    // written, even when the grid is read on its side).
    let place = |r: usize, c: usize| -> String {
        let (row, col) = if turned { (c, r) } else { (r, c) };
        format!("{}{}", column_letter(col), row + 1)
    };
    let line = |r: usize, c: usize| -> u32 { (if turned { c } else { r }) as u32 + 1 };
    let header = layout.header;
    let level_cols: Vec<usize> = layout.levels.iter().map(|l| l.0).collect();
    let first_level = level_cols.iter().copied().min().unwrap_or(0);
    // The category, group and competency columns: by option, by header,
    // else by place (the columns before the levels).
    let column = |opt: &Option<String>, role: Role| -> Result<Option<usize>, String> {
        if let Some(o) = opt {
            if let Some(c) =
                (0..grid.width()).find(|c| grid.cell(header, *c).eq_ignore_ascii_case(o.trim()))
            {
                return Ok(Some(c));
            }
            if let Some(c) = column_index(o) {
                return Ok(Some(c));
            }
            return Err(format!(
                "`{o}` is neither a column letter nor a header of row {}",
                header + 1
            ));
        }
        Ok((0..grid.width())
            .find(|c| !level_cols.contains(c) && role_of(grid.cell(header, *c)) == Some(role)))
    };
    let (mut cat_col, group_col, mut comp_col) = match (
        column(&opts.category_column, Role::Category),
        column(&opts.group_column, Role::Group),
        column(&opts.competency_column, Role::Competency),
    ) {
        (Ok(a), Ok(b), Ok(c)) => (a, b, c),
        (a, b, c) => {
            for e in [a.err(), b.err(), c.err()].into_iter().flatten() {
                report.push(
                    Severity::Error,
                    file,
                    line(header, 0),
                    "bad-option",
                    e,
                    None,
                );
            }
            return None;
        }
    };
    if cat_col.is_none() && comp_col.is_none() {
        let before: Vec<usize> = (0..first_level)
            .filter(|c| {
                Some(*c) != group_col
                    && (header + 1..grid.rows.len()).any(|r| !grid.cell(r, *c).is_empty())
            })
            .collect();
        match before.as_slice() {
            [one] => comp_col = Some(*one),
            [a, b, ..] => {
                cat_col = Some(*a);
                comp_col = Some(*b);
            }
            [] => {}
        }
    }
    // A competency column without a category column: each competency is
    // a category of its own.
    let (cat_col, comp_col) = match (cat_col, comp_col) {
        (None, Some(c)) => (Some(c), None),
        other => other,
    };
    let mut read = GridRead::default();
    let mut problems = 0usize;
    for (i, (c, id, title)) in layout.levels.iter().enumerate() {
        if !is_valid_id(id) {
            report.push(
                Severity::Error,
                file,
                line(header, *c),
                "bad-id",
                format!("{}: level `{title}` gives no usable id", place(header, *c)),
                Some("name the level with letters or digits".to_owned()),
            );
            problems += 1;
        }
        read.levels.push(LevelOut {
            id: id.clone(),
            title: title.clone(),
            grade: (i + 1) as f64,
            below: i
                .checked_sub(1)
                .and_then(|p| layout.levels.get(p))
                .map(|l| l.1.clone()),
        });
    }
    report.warn(
        file,
        line(header, first_level),
        "no-grade",
        format!(
            "the grid gives no grades; its {} levels are graded 1 to {} from {} to {}, each building on the one before; edit ladder.yaml if that is wrong",
            layout.levels.len(),
            layout.levels.len(),
            layout.levels.first().map_or("", |l| l.2.as_str()),
            layout.levels.last().map_or("", |l| l.2.as_str()),
        ),
    );
    // Per level: per category, its entries.
    let mut per_level: Vec<(String, Categories)> = Vec::new();
    let (mut cat, mut group, mut comp) = (String::new(), String::new(), String::new());
    let mut statements = 0usize;
    for r in header + 1..grid.rows.len() {
        let filled: Vec<usize> = level_cols
            .iter()
            .copied()
            .filter(|c| !grid.cell(r, *c).is_empty())
            .collect();
        // Merged cells read as blanks below their first row: carry down.
        for (col, value) in [
            (cat_col, &mut cat),
            (group_col, &mut group),
            (comp_col, &mut comp),
        ] {
            if let Some(c) = col
                && !grid.cell(r, c).is_empty()
            {
                *value = grid.cell(r, c).to_owned();
            }
        }
        if filled.is_empty() {
            continue;
        }
        if cat.is_empty() {
            let c = cat_col.unwrap_or(0);
            report.push(
                Severity::Error,
                file,
                line(r, c),
                "no-category",
                match cat_col {
                    Some(_) => format!(
                        "{}: this row has statements but no category, and none above it",
                        place(r, c)
                    ),
                    None => format!(
                        "row {}: no column names the category of this row's statements",
                        line(r, c)
                    ),
                },
                Some(match cat_col {
                    Some(_) => format!("fill in {}", place(r, c)),
                    None => {
                        "add a category column, or say which it is: --category-column A".to_owned()
                    }
                }),
            );
            problems += 1;
            continue;
        }
        let cat_id = slugify(&cat);
        if !is_valid_id(&cat_id) || cat_id.is_empty() {
            report.push(
                Severity::Error,
                file,
                line(r, cat_col.unwrap_or(0)),
                "bad-id",
                format!(
                    "{}: category `{cat}` gives no usable id",
                    place(r, cat_col.unwrap_or(0))
                ),
                Some("name the category with letters or digits".to_owned()),
            );
            problems += 1;
            continue;
        }
        if !read.categories.iter().any(|c| c.0 == cat_id) {
            read.categories.push((cat_id.clone(), cat.clone()));
        }
        // The group: the group column, else the competency (when the
        // category is a column of its own).
        let g = if !group.is_empty() {
            if comp.is_empty() {
                group.clone()
            } else {
                format!("{group}: {comp}")
            }
        } else {
            comp.clone()
        };
        for c in filled {
            let Some(level) = layout.levels.iter().find(|l| l.0 == c).map(|l| l.1.clone()) else {
                continue;
            };
            let li = slot(&mut per_level, level);
            let Some(cats) = per_level.get_mut(li).map(|x| &mut x.1) else {
                continue;
            };
            let ci = slot(cats, cat_id.clone());
            let Some(es) = cats.get_mut(ci).map(|x| &mut x.1) else {
                continue;
            };
            let last_group = es.iter().rev().find_map(|e| match e {
                Entry::Group(g) => Some(g.clone()),
                _ => None,
            });
            if !g.is_empty() && last_group.as_deref() != Some(g.as_str()) {
                es.push(Entry::Group(g.clone()));
            }
            for text in statements_of(grid.cell(r, c)) {
                if es.iter().any(|e| matches!(e, Entry::Statement { text: t, .. } if outline::normalise(t) == outline::normalise(&text))) {
                    report.warn(file, line(r, c), "duplicate-statement", format!("{}: written twice in this category and level; imported once", place(r, c)));
                    continue;
                }
                es.push(Entry::Statement { text, id: None });
                statements += 1;
            }
        }
    }
    if statements == 0 && problems == 0 {
        report.push(
            Severity::Error,
            file,
            line(header, first_level),
            "nothing-recognised",
            format!(
                "the levels are named in {}, but no cell under them holds a statement",
                place(header, first_level)
            ),
            None,
        );
        problems += 1;
    }
    if problems > 0 {
        return None;
    }
    read.per_level = per_level;
    Some(read)
}

/// A cell's statements: one per bullet when it lists two or more (`- a`,
/// `• b`, `1. c`), else the whole cell as one.
fn statements_of(cell: &str) -> Vec<String> {
    let bullet = |l: &str| -> Option<String> {
        let t = l.trim_start();
        for p in ["- ", "* ", "• ", "· ", "– "] {
            if let Some(r) = t.strip_prefix(p) {
                return Some(r.trim().to_owned());
            }
        }
        let digits = t.chars().take_while(char::is_ascii_digit).count();
        (digits > 0)
            .then(|| t.get(digits..))
            .flatten()
            .and_then(|r| r.strip_prefix(". ").or_else(|| r.strip_prefix(") ")))
            .map(|r| r.trim().to_owned())
    };
    let lines: Vec<&str> = cell.lines().filter(|l| !l.trim().is_empty()).collect();
    let bullets = lines.iter().filter(|l| bullet(l).is_some()).count();
    if bullets >= 2 {
        let mut out: Vec<String> = Vec::new();
        for l in lines {
            match bullet(l) {
                Some(b) => out.push(b),
                None => match out.last_mut() {
                    Some(last) => {
                        last.push(' ');
                        last.push_str(l.trim());
                    }
                    None => out.push(l.trim().to_owned()),
                },
            }
        }
        return out.into_iter().filter(|s| !s.is_empty()).collect();
    }
    let one = lines
        .iter()
        .map(|l| bullet(l).unwrap_or_else(|| l.trim().to_owned()))
        .collect::<Vec<_>>()
        .join(" ");
    // A dash or `n/a` says the level adds nothing here.
    if one.is_empty() || matches!(one.to_lowercase().as_str(), "-" | "–" | "—" | "n/a" | "na") {
        Vec::new()
    } else {
        vec![one]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(rows: &[&[&str]]) -> Grid {
        Grid {
            name: "Sheet1".into(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
                .collect(),
        }
    }

    fn opts() -> Options {
        Options {
            organisation: "Acme".into(),
            ..Options::default()
        }
    }

    #[test]
    fn columns_are_lettered_both_ways() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_index("AA"), Some(26));
        assert_eq!(column_index("c"), Some(2));
    }

    #[test]
    fn a_cell_is_one_statement_or_one_per_bullet() {
        assert_eq!(
            statements_of("Writes tests.\nKeeps them fast."),
            ["Writes tests. Keeps them fast."]
        );
        assert_eq!(
            statements_of("- Writes tests.\n- Keeps them\n  fast."),
            ["Writes tests.", "Keeps them fast."]
        );
        assert!(statements_of(" - ").is_empty());
        assert!(statements_of("n/a").is_empty());
    }

    #[test]
    fn a_wide_grid_becomes_a_layer_with_its_levels_in_column_order() {
        let g = grid(&[
            &["Area", "Competency", "Junior", "Senior", "Staff"],
            &[
                "Delivery",
                "Planning",
                "Plans a week of work.",
                "Plans a quarter.",
                "",
            ],
            &[
                "",
                "Quality",
                "- Writes tests.\n- Asks for review.",
                "",
                "Sets the testing strategy.",
            ],
            &[
                "Teamwork",
                "Mentoring",
                "",
                "Mentors juniors.",
                "Grows seniors.",
            ],
        ]);
        let import = import("matrix.csv", &[g], &opts());
        assert!(!import.report.has_errors(), "{:#?}", import.report.problems);
        let yaml = &import.files["ladder.yaml"];
        assert!(
            yaml.contains("id: junior") && yaml.contains("below: senior"),
            "{yaml}"
        );
        let layer = &import.files["layers/matrix.md"];
        let junior = layer.split("## Senior").next().unwrap();
        assert!(
            junior.contains("### Delivery")
                && junior.contains("#### Quality")
                && junior.contains("- Asks for review."),
            "{layer}"
        );
        assert!(layer.contains("## Staff") && layer.contains("Grows seniors."));
    }

    #[test]
    fn a_grid_on_its_side_is_read_by_its_first_column() {
        let g = grid(&[
            &["", "Technical", "Leadership"],
            &["L1", "Fixes bugs.", "Shares updates."],
            &["L2", "Designs features.", "Leads a project."],
        ]);
        let import = import("ladder.md", &[g], &opts());
        assert!(!import.report.has_errors(), "{:#?}", import.report.problems);
        let layer = &import.files["layers/ladder.md"];
        assert!(
            layer.contains("## L2")
                && layer.contains("### Leadership")
                && layer.contains("Leads a project."),
            "{layer}"
        );
    }

    #[test]
    fn problems_name_the_cell_and_the_fix() {
        let g = grid(&[&["Skill", "Notes"], &["Planning", "Plans."]]);
        let result = import("matrix.xlsx", &[g], &opts());
        let p = &result.report.problems[0];
        assert_eq!(p.code, "no-levels");
        assert!(p.fix.as_deref().unwrap().contains("--header-row"));
        assert!(result.files.is_empty());
        let g = grid(&[&["Area", "Junior", "Senior"], &["", "Plans a week.", ""]]);
        let result = import("matrix.xlsx", &[g], &opts());
        let p = &result
            .report
            .problems
            .iter()
            .find(|p| p.code == "no-category")
            .unwrap();
        assert!(
            p.message.starts_with("A2:") && p.fix.as_deref() == Some("fill in A2"),
            "{p:?}"
        );
        assert!(result.files.is_empty());
        let result = import_named(
            &[grid(&[&["Junior", "Senior"], &["a", "b"]])],
            Some("Sheet2"),
        );
        assert_eq!(
            result.report.problems[0].fix.as_deref(),
            Some("--sheet \"Sheet1\"")
        );
    }

    fn import_named(grids: &[Grid], sheet: Option<&str>) -> Import {
        import(
            "m.xlsx",
            grids,
            &Options {
                sheet: sheet.map(str::to_owned),
                ..opts()
            },
        )
    }
}
