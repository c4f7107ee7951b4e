//! The growth pages: the worksheet and its charts, checkpoints, and a
//! manager's team.

use super::service::{self, *};
use crate::access::{Growth, Viewer};
use crate::http::Fields;
use crate::http::page::{Chrome, entry_title, page};
use crate::http::table::{Key, Orders, PER_PAGE, Spec, Table, TableQuery};
use crate::{AppError, AppState};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ladder_growth::Quarter;
use ladder_store::{Checkpoint, Id};

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
struct TeamGrowthPage<'a> {
    chrome: Chrome,
    quarter: &'a str,
    /// (id, name, quarter, why): the first [`OVERDUE_SHOWN`], nearest
    /// first.
    overdue: &'a [(Id, String, String, String)],
    overdue_count: usize,
    /// How many of the chain are ready for the next level.
    ready_count: usize,
    /// A page of readiness rows.
    t: Table<ReadinessRow>,
    caption: &'static str,
    table_id: &'static str,
    heatmap: Option<&'a str>,
    /// People per level in the team, as a chart.
    levels: &'a str,
    people: usize,
}

/// One person's readiness, as the team growth table shows it.
#[derive(Clone, Debug)]
struct ReadinessRow {
    id: Id,
    name: String,
    role: String,
    /// "60%", or "top of the ladder".
    latest: String,
    /// The latest share, for sorting (-1 at the top of the ladder).
    share: f64,
    ready: bool,
    /// "40% → 60%".
    trend: String,
}

const READINESS: Spec = Spec {
    columns: &[
        ("name", "Person"),
        ("role", "Role"),
        ("latest", "This quarter"),
        ("trend", "Trend"),
        ("signal", "Signal"),
    ],
    default_sort: "name",
    per_page: PER_PAGE,
};

/// How many people the page's heatmap shows.
const HEATMAP_PEOPLE: usize = 40;

/// How many overdue checkpoints the page lists (nearest first); the count
/// says how many there are in all.
const OVERDUE_SHOWN: usize = 50;

pub async fn team_growth(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<TableQuery>,
) -> Result<Response, AppError> {
    let loaded = s.framework();
    let now = s.now();
    let t = s.access().team_growth(&v, &loaded, now).await?;
    // The chain's figures, computed once until the next write (a rating,
    // a checkpoint, a change of people) or the next quarter: a head of a
    // large organisation then pays for the page shown.
    let of = format!("{}:{}", v.person_id().unwrap_or(0), Quarter::at(now));
    let version = t.version().await?;
    let d = loaded
        .view("growth.team", &of, version, team_view(&loaded, &t, now))
        .await?;
    let table = Table::of(
        READINESS,
        "/team/growth",
        (&d.rows, &d.orders),
        &q,
        &[],
        |r| {
            format!(
                "{} {} {}",
                r.name,
                r.role,
                if r.ready { "ready" } else { "" }
            )
        },
        |r, k| match k {
            "role" => Key::text(&r.role),
            "latest" => Key::Num(r.share),
            "trend" => Key::text(&r.trend),
            "signal" => Key::Num(if r.ready { 1.0 } else { 0.0 }),
            _ => Key::text(&r.name),
        },
    );
    page(&TeamGrowthPage {
        chrome: Chrome::new("Team growth", Some(&v)),
        quarter: &d.quarter,
        overdue: &d.overdue,
        overdue_count: d.overdue_count,
        ready_count: d.ready_count,
        t: table,
        caption: "readiness",
        table_id: "readiness",
        levels: &d.levels,
        heatmap: d.heatmap.as_deref(),
        people: t.people.len(),
    })
}

/// What the team growth page shows of a chain, before its table is
/// paged.
#[derive(Debug)]
struct TeamView {
    quarter: String,
    overdue: Vec<(Id, String, String, String)>,
    overdue_count: usize,
    ready_count: usize,
    rows: Vec<ReadinessRow>,
    orders: Orders,
    heatmap: Option<String>,
    levels: String,
}

async fn team_view(
    loaded: &crate::Loaded,
    t: &crate::access::TeamGrowth<'_>,
    now: i64,
) -> Result<TeamView, AppError> {
    let d = team_data(loaded, t, now).await?;
    let name = |id: Id| {
        t.person(id)
            .map_or_else(String::new, |p| p.record.name.clone())
    };
    let heatmap = if t.people.is_empty() {
        None
    } else {
        Some(heatmap_svg(loaded, t, HEATMAP_PEOPLE).await?)
    };
    let mut rows = Vec::with_capacity(d.readiness.len());
    for (id, r) in &d.readiness {
        let person = t.person(*id);
        let role = person.map_or_else(String::new, |p| {
            entry_title(&loaded.framework, &crate::access::DirectoryEntry::from(p))
        });
        // A role's worksheet is computed once per framework version.
        let top = person.is_some_and(|p| {
            person_worksheet(loaded, p)
                .ok()
                .is_some_and(|ws| ws.next.is_none())
        });
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let pct = |s: f64| (s * 100.0).round() as u32;
        let row = if top {
            ReadinessRow {
                id: *id,
                name: name(*id),
                role,
                latest: "top of the ladder".to_owned(),
                share: -1.0,
                ready: false,
                trend: "no next level".to_owned(),
            }
        } else {
            let share = r.quarters.last().map_or(0.0, |q| q.share);
            ReadinessRow {
                id: *id,
                name: name(*id),
                role,
                latest: format!("{}%", pct(share)),
                share,
                ready: r.ready,
                trend: r
                    .quarters
                    .iter()
                    .map(|q| format!("{}%", pct(q.share)))
                    .collect::<Vec<_>>()
                    .join(" → "),
            }
        };
        rows.push(row);
    }
    Ok(TeamView {
        quarter: d.quarter.to_string(),
        overdue_count: d.overdue.len(),
        overdue: d
            .overdue
            .into_iter()
            .take(OVERDUE_SHOWN)
            .map(|(id, q, why)| (id, name(id), q, why))
            .collect(),
        ready_count: rows.iter().filter(|r| r.ready).count(),
        rows,
        orders: Orders::default(),
        heatmap,
        levels: level_chart(
            &loaded.framework,
            "team-levels",
            "Your team: people per level",
            t.people
                .iter()
                .filter_map(|id| t.person(*id))
                .map(|p| p.record.role.level.as_str()),
        )?,
    })
}

pub async fn heatmap(State(s): State<AppState>, v: Viewer) -> Result<Response, AppError> {
    let loaded = s.framework();
    let t = s.access().team_growth(&v, &loaded, s.now()).await?;
    Ok(svg(heatmap_svg(&loaded, &t, HEATMAP_PEOPLE).await?))
}

/// A chart of how many people are at each level (in the framework's
/// order), from their levels.
pub(crate) fn level_chart<'a>(
    fw: &ladder_framework::Framework,
    id: &str,
    title: &str,
    levels: impl Iterator<Item = &'a str>,
) -> Result<String, AppError> {
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for l in levels {
        *counts.entry(l).or_default() += 1;
    }
    let rows: Vec<(String, usize)> = fw
        .config
        .levels
        .iter()
        .filter_map(|l| counts.get(l.id.as_str()).map(|n| (l.title.clone(), *n)))
        .collect();
    if rows.is_empty() {
        return Ok(String::new());
    }
    ladder_growth::charts::counts(id, title, "People at each level", &rows)
        .map_err(AppError::Internal)
}
