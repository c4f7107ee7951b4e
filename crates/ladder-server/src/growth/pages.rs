//! The growth pages: the worksheet and its charts, checkpoints, and a
//! manager's team.

use super::service::{self, *};
use crate::access::{Growth, Viewer};
use crate::http::Fields;
use crate::http::page::{Chrome, entry_title, page, role_title};
use crate::{AppError, AppState};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ladder_growth::worksheet::QuarterShare;
use ladder_growth::{Changes, Quarter, Readiness, Row};
use ladder_store::{Checkpoint, Id, Rater, Rating};
use serde::Deserialize;

struct RowView {
    row: Row,
    own: Option<Rating>,
    manager: Option<Rating>,
    differs: bool,
    /// The viewer's current rating on their side.
    mine_value: i64,
    mine_evidence: String,
}

#[derive(Template)]
#[template(path = "growth/worksheet.html")]
struct WorksheetPage {
    chrome: Chrome,
    person_id: Id,
    name: String,
    role: String,
    next_title: Option<String>,
    is_self: bool,
    side: Option<&'static str>,
    scale: Vec<(i64, String)>,
    rows: Vec<RowView>,
    categories: Vec<(String, String)>,
    layers: Vec<String>,
    category: String,
    layer: String,
    changes: Changes,
    radar: String,
    readiness_chart: String,
    readiness: Readiness,
    latest: Option<QuarterShare>,
    missing: Vec<(String, String)>,
}

#[derive(Deserialize, Default)]
pub struct Filter {
    #[serde(default)]
    category: String,
    #[serde(default)]
    layer: String,
}

pub async fn worksheet_page(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    Query(f): Query<Filter>,
) -> Result<Response, AppError> {
    let loaded = s.framework();
    let g = s.access().growth(&v, id, s.now()).await?;
    let d = worksheet_data(&loaded, &g, s.now()).await?;
    let fw = &loaded.framework;
    let find = |id: &str, r: Rater| d.rating(id, r).cloned();
    let side = g.rater();
    let rows: Vec<RowView> = d
        .worksheet
        .rows
        .iter()
        .filter(|r| f.category.is_empty() || r.category == f.category)
        .filter(|r| f.layer.is_empty() || r.layer == f.layer)
        .map(|r| {
            let own = find(&r.id, Rater::Myself);
            let manager = find(&r.id, Rater::Manager);
            let mine = side.and_then(|sd| find(&r.id, sd));
            RowView {
                differs: d.differs(&r.id),
                mine_value: mine.as_ref().map_or(0, |m| m.value),
                mine_evidence: mine.map(|m| m.evidence).unwrap_or_default(),
                row: r.clone(),
                own,
                manager,
            }
        })
        .collect();
    let mut layers: Vec<String> = d.worksheet.rows.iter().map(|r| r.layer.clone()).collect();
    layers.sort();
    layers.dedup();
    let text_of = |id: &str| {
        d.worksheet
            .row(id)
            .map_or_else(|| id.to_owned(), |r| r.text.clone())
    };
    let name = g.person.record.name.clone();
    let r = &g.person.record.role;
    page(&WorksheetPage {
        chrome: Chrome::new(&format!("Worksheet: {name}"), Some(&v)),
        person_id: id,
        role: role_title(fw, &r.family, &r.level, r.specialty.as_deref()),
        next_title: d
            .worksheet
            .next
            .as_deref()
            .map(|n| role_title(fw, &r.family, n, r.specialty.as_deref())),
        is_self: g.is_self(),
        side: side.map(|s| {
            if s == Rater::Myself {
                "self"
            } else {
                "manager"
            }
        }),
        scale: scale_points(fw),
        categories: fw
            .config
            .categories
            .iter()
            .map(|c| (c.id.clone(), c.title.clone()))
            .collect(),
        layers,
        category: f.category,
        layer: f.layer,
        radar: radar_svg(&loaded, &name, &d)?,
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
        rows,
        name,
    })
}

pub async fn rate(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    body: Bytes,
) -> Result<Response, AppError> {
    let now = s.now();
    let g = s.access().growth(&v, id, now).await?;
    if g.rater().is_none() {
        return Err(AppError::Forbidden);
    }
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    let loaded = s.framework();
    let input = RateInput {
        statement: f.get("statement").to_owned(),
        value: rating_value(&loaded, f.get("value"))?,
        evidence: f.get("evidence").to_owned(),
    };
    let stored = service::rate(&g, &loaded, &input, now).await?;
    Ok(Redirect::to(&format!("/people/{id}/worksheet#s-{}", stored.statement_id)).into_response())
}

pub async fn mark_seen(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    body: Bytes,
) -> Result<Response, AppError> {
    let now = s.now();
    let g = s.access().growth(&v, id, now).await?;
    if !g.is_self() {
        return Err(AppError::Forbidden);
    }
    v.check_csrf(Fields::parse(&body).get("csrf"))?;
    let loaded = s.framework();
    let ws = person_worksheet(&loaded, &g.person)?;
    let snap = serde_json::to_string(&ladder_growth::snapshot(&ws))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    g.set_seen(&loaded.hash, snap, now).await?;
    Ok(Redirect::to(&format!("/people/{id}/worksheet")).into_response())
}

pub async fn radar(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
) -> Result<Response, AppError> {
    let loaded = s.framework();
    let g = s.access().growth(&v, id, s.now()).await?;
    let d = worksheet_data(&loaded, &g, s.now()).await?;
    Ok(svg(radar_svg(&loaded, &g.person.record.name, &d)?))
}

pub async fn readiness_chart(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
) -> Result<Response, AppError> {
    let loaded = s.framework();
    let g = s.access().growth(&v, id, s.now()).await?;
    let d = worksheet_data(&loaded, &g, s.now()).await?;
    Ok(svg(readiness_svg(&g.person.record.name, &d.readiness)?))
}

#[derive(Template)]
#[template(path = "growth/checkpoints.html")]
struct CheckpointsPage {
    chrome: Chrome,
    person_id: Id,
    name: String,
    quarter: String,
    can_open: bool,
    list: Vec<Checkpoint>,
}

pub async fn checkpoints(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
) -> Result<Response, AppError> {
    let g = s.access().growth(&v, id, s.now()).await?;
    let list = g.checkpoints().await?;
    let quarter = Quarter::at(s.now()).to_string();
    page(&CheckpointsPage {
        chrome: Chrome::new(&format!("Checkpoints: {}", g.person.record.name), Some(&v)),
        person_id: id,
        name: g.person.record.name.clone(),
        can_open: g.is_pair() && !list.iter().any(|c| c.quarter == quarter),
        quarter,
        list,
    })
}

#[derive(Template)]
#[template(path = "growth/checkpoint_new.html")]
struct NewCheckpointPage {
    chrome: Chrome,
    person_id: Id,
    name: String,
    quarter: String,
    min: u32,
    max: u32,
    error: Option<String>,
    /// (id, text, kind, chosen)
    candidates: Vec<(String, String, String, bool)>,
    /// Step two: the chosen areas with their texts so far.
    chosen: Vec<(AreaInput, String)>,
}

async fn new_checkpoint_page(
    s: &AppState,
    v: &Viewer,
    g: &Growth<'_>,
    chosen: &[AreaInput],
    step_two: bool,
    error: Option<String>,
) -> Result<Response, AppError> {
    let loaded = s.framework();
    let candidates = focus_candidates(&loaded, &g.person)?;
    let b = loaded.framework.config.policy.focus_areas;
    let text_of = |id: &str| {
        candidates
            .iter()
            .find(|c| c.0 == id)
            .map_or_else(|| id.to_owned(), |c| c.1.clone())
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let res = page(&NewCheckpointPage {
        chrome: Chrome::new("Open this quarter's checkpoint", Some(v)),
        person_id: g.person.id,
        name: g.person.record.name.clone(),
        quarter: Quarter::at(s.now()).to_string(),
        min: b.min,
        max: b.max,
        error,
        chosen: if step_two {
            chosen
                .iter()
                .map(|a| (a.clone(), text_of(&a.ref_id)))
                .collect()
        } else {
            Vec::new()
        },
        candidates: candidates
            .into_iter()
            .map(|(id, text, kind)| {
                let on = chosen.iter().any(|a| a.ref_id == id);
                (id, text, kind, on)
            })
            .collect(),
    })?;
    Ok((status, res).into_response())
}

/// Step one lists the items to choose from; with `area` chosen (between
/// the bounds) it becomes step two: goals, targets and ideas per area.
pub async fn new_checkpoint(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> Result<Response, AppError> {
    let g = s.access().growth(&v, id, s.now()).await?;
    if !g.is_pair() {
        return Err(AppError::Forbidden);
    }
    let f = Fields::parse(q.unwrap_or_default().as_bytes());
    let chosen: Vec<AreaInput> = f
        .all("area")
        .into_iter()
        .map(|a| AreaInput {
            ref_id: a.to_owned(),
            ..AreaInput::default()
        })
        .collect();
    if f.get("step") != "choose" {
        return new_checkpoint_page(&s, &v, &g, &chosen, false, None).await;
    }
    match check_area_count(&s.framework(), chosen.len()) {
        Ok(()) => new_checkpoint_page(&s, &v, &g, &chosen, true, None).await,
        Err(e) => new_checkpoint_page(&s, &v, &g, &chosen, false, Some(e.to_string())).await,
    }
}

pub async fn open_checkpoint(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    body: Bytes,
) -> Result<Response, AppError> {
    let now = s.now();
    let g = s.access().growth(&v, id, now).await?;
    if !g.is_pair() {
        return Err(AppError::Forbidden);
    }
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    let areas: Vec<AreaInput> = f
        .all("area")
        .into_iter()
        .map(|a| AreaInput {
            ref_id: a.to_owned(),
            goals: f.get(&format!("goals-{a}")).to_owned(),
            targets: f.get(&format!("targets-{a}")).to_owned(),
            ideas: f.get(&format!("ideas-{a}")).to_owned(),
        })
        .collect();
    let loaded = s.framework();
    // A bad quarter is an error page; bad areas show the form again.
    checkpoint_quarter(f.get("quarter"), now)?;
    match service::open_checkpoint(&g, &loaded, f.get("quarter"), &areas, now).await {
        Ok(cid) => Ok(Redirect::to(&format!("/checkpoints/{cid}")).into_response()),
        Err(AppError::BadRequest(e)) => {
            let two = check_area_count(&loaded, areas.len()).is_ok();
            new_checkpoint_page(&s, &v, &g, &areas, two, Some(e)).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "growth/checkpoint.html")]
struct CheckpointPage {
    chrome: Chrome,
    c: Checkpoint,
    person_id: Id,
    name: String,
    can_close: bool,
    ended: bool,
    error: Option<String>,
    /// Worksheet rows the areas touch: (id, text)
    touches: Vec<(String, String)>,
}

async fn checkpoint_page(
    s: &AppState,
    v: &Viewer,
    g: &Growth<'_>,
    c: Checkpoint,
    error: Option<String>,
) -> Result<Response, AppError> {
    let loaded = s.framework();
    let ws = person_worksheet(&loaded, &g.person).ok();
    let touches = c
        .areas
        .iter()
        .filter_map(|a| ws.as_ref().and_then(|w| w.row(&a.ref_id)))
        .map(|r| (r.id.clone(), r.text.clone()))
        .collect();
    let ended = c
        .quarter
        .parse::<Quarter>()
        .is_ok_and(|q| q < Quarter::at(s.now()));
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let res = page(&CheckpointPage {
        chrome: Chrome::new(&format!("Checkpoint {}", c.quarter), Some(v)),
        person_id: g.person.id,
        name: g.person.record.name.clone(),
        can_close: g.is_pair() && c.closed_at.is_none(),
        ended,
        error,
        touches,
        c,
    })?;
    Ok((status, res).into_response())
}

pub async fn checkpoint(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
) -> Result<Response, AppError> {
    let (g, c) = s.access().checkpoint(&v, id, s.now()).await?;
    checkpoint_page(&s, &v, &g, c, None).await
}

pub async fn close_checkpoint(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    body: Bytes,
) -> Result<Response, AppError> {
    let now = s.now();
    let (g, c) = s.access().checkpoint(&v, id, now).await?;
    if !g.is_pair() {
        return Err(AppError::Forbidden);
    }
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    let summaries: Vec<(Id, String)> = c
        .areas
        .iter()
        .map(|a| (a.id, f.get(&format!("summary-{}", a.id)).to_owned()))
        .collect();
    match service::close_checkpoint(&g, &c, &summaries, now).await {
        Ok(()) => Ok(Redirect::to(&format!("/checkpoints/{id}#update")).into_response()),
        Err(AppError::BadRequest(e)) => checkpoint_page(&s, &v, &g, c, Some(e)).await,
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "growth/team_growth.html")]
struct TeamGrowthPage {
    chrome: Chrome,
    quarter: String,
    /// (id, name, quarter, why)
    overdue: Vec<(Id, String, String, String)>,
    /// (id, name, role, latest share %, ready, trend "40% → 60%")
    readiness: Vec<(Id, String, String, u32, bool, String)>,
    heatmap: Option<String>,
    people: usize,
}

/// How many people the page's heatmap shows.
const HEATMAP_PEOPLE: usize = 40;

pub async fn team_growth(State(s): State<AppState>, v: Viewer) -> Result<Response, AppError> {
    let loaded = s.framework();
    let t = s.access().team_growth(&v, s.now()).await?;
    let d = team_data(&loaded, &t, s.now()).await?;
    let name = |id: Id| {
        t.person(id)
            .map_or_else(String::new, |p| p.record.name.clone())
    };
    let heatmap = if t.people.is_empty() {
        None
    } else {
        Some(heatmap_svg(&loaded, &t, HEATMAP_PEOPLE).await?)
    };
    page(&TeamGrowthPage {
        chrome: Chrome::new("Team growth", Some(&v)),
        quarter: d.quarter.to_string(),
        overdue: d
            .overdue
            .into_iter()
            .map(|(id, q, why)| (id, name(id), q, why))
            .collect(),
        readiness: d
            .readiness
            .into_iter()
            .map(|(id, r)| {
                let role = t.person(id).map_or_else(String::new, |p| {
                    entry_title(&loaded.framework, &crate::access::DirectoryEntry::from(p))
                });
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let pct = |s: f64| (s * 100.0).round() as u32;
                let trend = r
                    .quarters
                    .iter()
                    .map(|q| format!("{}%", pct(q.share)))
                    .collect::<Vec<_>>()
                    .join(" → ");
                let latest = r.quarters.last().map_or(0, |q| pct(q.share));
                (id, name(id), role, latest, r.ready, trend)
            })
            .collect(),
        heatmap,
        people: t.people.len(),
    })
}

pub async fn heatmap(State(s): State<AppState>, v: Viewer) -> Result<Response, AppError> {
    let loaded = s.framework();
    let t = s.access().team_growth(&v, s.now()).await?;
    Ok(svg(heatmap_svg(&loaded, &t, HEATMAP_PEOPLE).await?))
}
