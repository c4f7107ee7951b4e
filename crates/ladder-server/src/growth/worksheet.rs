//! The worksheet page, built for filling in: one row per statement with
//! the self and manager ratings side by side, rating in place (htmx posts
//! the row's form and swaps the row, with a visible "saved"; without
//! JavaScript the same form posts and the page comes back), filters, and
//! each statement's rating history one click away.

use super::service::{self, *};
use crate::access::{Directory, Growth, Viewer};
use crate::http::kept::{self, Fragment, Key, Stamp};
use crate::http::page::{Chrome, form_page, level_title, linkify, role_title, when};
use crate::http::{Fields, is_htmx};
use crate::{AppError, AppState, Loaded};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use ladder_growth::Quarter;
use ladder_growth::worksheet::QuarterShare;
use ladder_growth::{Changes, Readiness, Row};
use ladder_store::{Id, Rater, Rating, RatingChange};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;

/// One rating as shown: its value and label, and its evidence as HTML
/// with clickable links.
struct Shown {
    value: i64,
    label: String,
    evidence_html: String,
    when: String,
}

/// One line of a statement's rating history.
struct HistoryLine {
    when: String,
    who: String,
    side: &'static str,
    change: String,
    version: String,
    evidence: bool,
}

/// A row of the worksheet.
struct RowView {
    row: Row,
    level_title: String,
    layer_title: String,
    own: Option<Shown>,
    manager: Option<Shown>,
    differs: bool,
    /// The viewer's side's rating (or what they just typed, when a save
    /// was refused).
    mine_value: i64,
    mine_evidence: String,
    history: Vec<HistoryLine>,
    /// Why the last save of this row was refused.
    error: Option<String>,
    /// The row was just saved (shown as a status).
    saved: Option<String>,
}

#[derive(Template)]
#[template(path = "growth/worksheet_row.html")]
struct RowTemplate<'a> {
    r: &'a RowView,
    person_id: Id,
    side: Option<&'static str>,
    scale: &'a [(i64, String)],
    csrf: &'a str,
}

#[derive(Template)]
#[template(path = "growth/worksheet.html")]
struct WorksheetPage {
    chrome: Chrome,
    /// The page below the frame, rendered (or kept) as [`WorksheetBody`].
    body: String,
}

#[derive(Template)]
#[template(path = "growth/worksheet_body.html")]
struct WorksheetBody<'a> {
    csrf: &'a str,
    person_id: Id,
    name: String,
    role: String,
    next_title: Option<String>,
    is_self: bool,
    side: Option<&'static str>,
    scale: Vec<(i64, String)>,
    /// The rows shown, already rendered.
    rows_html: String,
    shown: usize,
    total: usize,
    rated_by_side: usize,
    differing: usize,
    categories: Vec<(String, String)>,
    layers: Vec<(String, String)>,
    filter: Filter,
    changes: Changes,
    radar: String,
    readiness_chart: String,
    readiness: Readiness,
    latest: Option<QuarterShare>,
    missing: Vec<(String, String)>,
}

/// The worksheet's filters, from the query.
#[derive(Clone, Debug, Deserialize, Default)]
pub struct Filter {
    #[serde(default)]
    category: String,
    #[serde(default)]
    layer: String,
    /// "", "unrated", "differs" or "next".
    #[serde(default)]
    show: String,
}

impl Filter {
    fn keeps(&self, r: &RowView, side: Option<Rater>) -> bool {
        (self.category.is_empty() || r.row.category == self.category)
            && (self.layer.is_empty() || r.row.layer == self.layer)
            && match self.show.as_str() {
                "unrated" => match side {
                    Some(Rater::Myself) => r.own.is_none(),
                    Some(Rater::Manager) => r.manager.is_none(),
                    None => r.own.is_none() && r.manager.is_none(),
                },
                "differs" => r.differs,
                "next" => r.row.new_at_next,
                _ => true,
            }
    }

    fn is_set(&self) -> bool {
        !(self.category.is_empty() && self.layer.is_empty() && self.show.is_empty())
    }
}

fn side_word(side: Option<Rater>) -> Option<&'static str> {
    side.map(|s| match s {
        Rater::Myself => "self",
        Rater::Manager => "manager",
    })
}

/// What a page needs to build rows: the framework's names and the
/// people who rated.
struct RowContext<'a> {
    loaded: &'a Loaded,
    scale: &'a [(i64, String)],
    dir: &'a Directory,
    d: &'a WorksheetData,
    side: Option<Rater>,
    /// The rating changes by statement, newest first.
    changes: HashMap<&'a str, Vec<&'a RatingChange>>,
}

impl<'a> RowContext<'a> {
    fn new(
        loaded: &'a Loaded,
        scale: &'a [(i64, String)],
        dir: &'a Directory,
        d: &'a WorksheetData,
        side: Option<Rater>,
    ) -> RowContext<'a> {
        let mut changes: HashMap<&str, Vec<&RatingChange>> = HashMap::new();
        for c in &d.history {
            changes.entry(c.statement_id.as_str()).or_default().push(c);
        }
        for list in changes.values_mut() {
            list.sort_by_key(|c| std::cmp::Reverse((c.changed_at, c.id)));
        }
        RowContext {
            loaded,
            scale,
            dir,
            d,
            side,
            changes,
        }
    }

    fn label(&self, value: i64) -> String {
        self.scale
            .iter()
            .find(|p| p.0 == value)
            .map_or_else(String::new, |p| p.1.clone())
    }

    fn shown(&self, g: &Rating) -> Shown {
        Shown {
            value: g.value,
            label: self.label(g.value),
            evidence_html: linkify(&g.evidence),
            when: when(g.rated_at),
        }
    }

    fn history(&self, statement: &str) -> Vec<HistoryLine> {
        self.changes
            .get(statement)
            .into_iter()
            .flatten()
            .map(|c| HistoryLine {
                when: when(c.changed_at),
                who: c
                    .changed_by
                    .and_then(|p| self.dir.name(p))
                    .unwrap_or("someone no longer here")
                    .to_owned(),
                side: if c.rater == Rater::Myself {
                    "self"
                } else {
                    "manager"
                },
                change: match c.old_value {
                    Some(old) if old != c.new_value => format!(
                        "{old} {} → {} {}",
                        self.label(old),
                        c.new_value,
                        self.label(c.new_value)
                    ),
                    Some(_) => format!(
                        "{} {} (evidence only)",
                        c.new_value,
                        self.label(c.new_value)
                    ),
                    None => format!("first rated {} {}", c.new_value, self.label(c.new_value)),
                },
                version: c.framework_hash.chars().take(8).collect(),
                evidence: c.old_evidence.as_deref() != Some(c.new_evidence.as_str()),
            })
            .collect()
    }

    fn row(&self, r: &Row) -> RowView {
        let fw = &self.loaded.framework;
        let own = self.d.rating(&r.id, Rater::Myself);
        let manager = self.d.rating(&r.id, Rater::Manager);
        let mine = self.side.and_then(|sd| self.d.rating(&r.id, sd));
        RowView {
            level_title: level_title(fw, &r.level).to_owned(),
            layer_title: fw
                .layers
                .iter()
                .find(|l| l.id == r.layer)
                .map_or_else(|| r.layer.clone(), |l| l.title.clone()),
            own: own.map(|g| self.shown(g)),
            manager: manager.map(|g| self.shown(g)),
            differs: self.d.differs(&r.id),
            mine_value: mine.map_or(0, |m| m.value),
            mine_evidence: mine.map(|m| m.evidence.clone()).unwrap_or_default(),
            history: self.history(&r.id),
            error: None,
            saved: None,
            row: r.clone(),
        }
    }
}

fn row_template<'a>(
    r: &'a RowView,
    person_id: Id,
    side: Option<Rater>,
    scale: &'a [(i64, String)],
    csrf: &'a str,
) -> RowTemplate<'a> {
    RowTemplate {
        r,
        person_id,
        side: side_word(side),
        scale,
        csrf,
    }
}

/// A refused save: the row as typed, with the reason beside it.
struct Refused {
    statement: String,
    value: i64,
    evidence: String,
    error: String,
}

async fn worksheet_response(
    s: &AppState,
    v: &Viewer,
    g: &Growth<'_>,
    f: Filter,
    refused: Option<Refused>,
) -> Result<Response, AppError> {
    let loaded = s.framework();
    let dir = s.access().directory(v).await?;
    let now = s.now();
    let failed = refused.is_some();
    let body = match kept::mark() {
        // The whole worksheet as it stands is kept per person; a filtered
        // one, or one with a refused row as typed, is rendered each time.
        Some(mark) if !failed && !f.is_set() => {
            let key: Key = ("worksheet", g.person.id, variant(g));
            // The person's version is read before what is rendered from
            // it: a write in between costs one more rendering, never a
            // stale page.
            let stamp: Stamp = [g.version().await?, dir.version(), quarter_number(now)];
            let part = match loaded.pages.get(&key, &stamp) {
                Some(part) => part,
                None => {
                    let html = worksheet_body(&loaded, g, &dir, &f, None, mark, now).await?;
                    let part = Arc::new(Fragment::of(&html, mark));
                    loaded.pages.put(key, stamp, Arc::clone(&part));
                    part
                }
            };
            part.with(v.csrf())
        }
        _ => worksheet_body(&loaded, g, &dir, &f, refused.as_ref(), v.csrf(), now).await?,
    };
    let chrome = Chrome::new(&format!("Worksheet: {}", g.person.record.name), Some(v));
    form_page(failed, &WorksheetPage { chrome, body })
}

/// How the viewer stands to the person, as far as their worksheet shows
/// it: the person (who rates as themself), their manager (who rates as
/// manager), or someone who may read it and rates on neither side.
fn variant(g: &Growth<'_>) -> u8 {
    match (g.is_self(), g.rater()) {
        (true, _) => 0,
        (false, Some(_)) => 1,
        (false, None) => 2,
    }
}

/// The quarter `now` falls in, as one number (the worksheet's readiness
/// moves with it).
fn quarter_number(now: i64) -> i64 {
    let q = Quarter::at(now);
    i64::from(q.year) * 4 + i64::from(q.q)
}

/// The worksheet below the frame, with `csrf` in its forms.
async fn worksheet_body(
    loaded: &Loaded,
    g: &Growth<'_>,
    dir: &Directory,
    f: &Filter,
    refused: Option<&Refused>,
    csrf: &str,
    now: i64,
) -> Result<String, AppError> {
    let d = worksheet_data(loaded, g, now).await?;
    let fw = &loaded.framework;
    let scale = scale_points(fw);
    let side = g.rater();
    let cx = RowContext::new(loaded, &scale, dir, &d, side);
    let all: Vec<RowView> = d.worksheet.rows.iter().map(|r| cx.row(r)).collect();
    let total = all.len();
    let rated_by_side = all
        .iter()
        .filter(|r| match side {
            Some(Rater::Myself) | None => r.own.is_some(),
            Some(Rater::Manager) => r.manager.is_some(),
        })
        .count();
    let differing = all.iter().filter(|r| r.differs).count();
    // The rows are written into one buffer, about the size they come to.
    let mut rows_html = String::with_capacity(total * 4096);
    let mut shown = 0;
    for mut r in all {
        let refused_here = refused.filter(|x| x.statement == r.row.id);
        if !f.keeps(&r, side) && refused_here.is_none() {
            continue;
        }
        if let Some(x) = refused_here {
            r.mine_value = x.value;
            r.mine_evidence = x.evidence.clone();
            r.error = Some(x.error.clone());
        }
        shown += 1;
        row_template(&r, g.person.id, side, &scale, csrf).render_into(&mut rows_html)?;
    }
    let text_of = |id: &str| {
        d.worksheet
            .row(id)
            .map_or_else(|| id.to_owned(), |r| r.text.clone())
    };
    let mut layers: Vec<(String, String)> = fw
        .layers
        .iter()
        .filter(|l| d.worksheet.rows.iter().any(|r| r.layer == l.id))
        .map(|l| (l.id.clone(), l.title.clone()))
        .collect();
    layers.dedup();
    let name = g.person.record.name.clone();
    let r = &g.person.record.role;
    Ok(WorksheetBody {
        csrf,
        person_id: g.person.id,
        role: role_title(fw, &r.family, &r.level, r.specialty.as_deref()),
        next_title: d
            .worksheet
            .next
            .as_deref()
            .map(|n| role_title(fw, &r.family, n, r.specialty.as_deref())),
        is_self: g.is_self(),
        side: side_word(side),
        scale,
        rows_html,
        shown,
        total,
        rated_by_side,
        differing,
        categories: fw
            .config
            .categories
            .iter()
            .filter(|c| d.worksheet.rows.iter().any(|r| r.category == c.id))
            .map(|c| (c.id.clone(), c.title.clone()))
            .collect(),
        layers,
        filter: f.clone(),
        radar: radar_svg(loaded, &name, &d)?,
        readiness_chart: readiness_svg(&name, &d.readiness)?,
        latest: d.readiness.quarters.last().cloned(),
        missing: d
            .readiness
            .missing
            .iter()
            .map(|m| (m.clone(), text_of(m)))
            .collect(),
        readiness: d.readiness,
        changes: d.changes,
        name,
    }
    .render()?)
}

pub async fn worksheet_page(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    Query(f): Query<Filter>,
) -> Result<Response, AppError> {
    let g = s.access().growth(&v, id, s.now()).await?;
    worksheet_response(&s, &v, &g, f, None).await
}

/// Saves one rating. From htmx, answers with the row (saved, or refused
/// with what was typed and why); from a plain form, goes back to the
/// row, or shows the page again with the row as typed.
pub async fn rate(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let now = s.now();
    let g = s.access().growth(&v, id, now).await?;
    let Some(side) = g.rater() else {
        return Err(AppError::Forbidden);
    };
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    let loaded = s.framework();
    let statement = f.get("statement").to_owned();
    let evidence = f.get("evidence").to_owned();
    let typed = f.get("value");
    let saved = match typed.trim() {
        "" => Err(AppError::BadRequest(
            "Choose a rating on the scale, then save.".to_owned(),
        )),
        t => match rating_value(&loaded, t) {
            Ok(value) => {
                let input = RateInput {
                    statement: statement.clone(),
                    value,
                    evidence: evidence.clone(),
                };
                service::rate(&g, &loaded, &input, now).await
            }
            Err(e) => Err(e),
        },
    };
    let refused = match saved {
        Ok(stored) if !is_htmx(&headers) => {
            return Ok(
                Redirect::to(&format!("/people/{id}/worksheet#s-{}", stored.statement_id))
                    .into_response(),
            );
        }
        Ok(_) => None,
        Err(AppError::BadRequest(why)) => Some(Refused {
            statement: statement.clone(),
            value: typed.trim().parse().unwrap_or(0),
            evidence: evidence.clone(),
            error: crate::http::page::in_words(&why),
        }),
        Err(e) => return Err(e),
    };
    if !is_htmx(&headers) {
        return worksheet_response(&s, &v, &g, Filter::default(), refused).await;
    }
    // The row alone, as it stands now.
    let d = worksheet_data(&loaded, &g, now).await?;
    let dir = s.access().directory(&v).await?;
    let scale = scale_points(&loaded.framework);
    let cx = RowContext::new(&loaded, &scale, &dir, &d, Some(side));
    let row = d
        .worksheet
        .row(&statement)
        .ok_or_else(|| AppError::BadRequest("That statement is not on this worksheet.".into()))?;
    let mut r = cx.row(row);
    match refused {
        Some(x) => {
            r.mine_value = x.value;
            r.mine_evidence = x.evidence;
            r.error = Some(x.error);
        }
        None => r.saved = Some(format!("Saved {}", when(now))),
    }
    Ok(Html(row_template(&r, id, Some(side), &scale, v.csrf()).render()?).into_response())
}
