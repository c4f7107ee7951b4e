//! The growth workflow on the server: the rules the web pages and the API
//! share (checking ratings, focus areas and summaries against the
//! framework and its policy; putting a worksheet or a meeting together),
//! then the web pages themselves.
//!
//! Access is decided in [`crate::access`]; this module only receives
//! capabilities ([`Growth`], [`Pair`], [`TeamGrowth`]).

use crate::access::{Growth, Pair, TeamGrowth, Viewer};
use crate::web::{Chrome, entry_title, page, role_title};
use crate::{AppError, AppState, Loaded};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use ladder_framework::resolve;
use ladder_growth::charts::{self, Axis};
use ladder_growth::worksheet::{QuarterShare, worksheet};
use ladder_growth::{Changes, Quarter, Readiness, Row, Snapshot, Worksheet, actions_for};
use ladder_org::Date;
use ladder_store::{
    ActionItem, AgendaItem, Checkpoint, Id, Meeting, NewFocusArea, Person, Rater, Rating,
    StandingItem,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// How many quarters of readiness the pages show.
pub const READINESS_QUARTERS: usize = 4;
/// The longest text a field takes.
const MAX_TEXT: usize = 20_000;

// ---- Form fields (repeated keys allowed), read after access is decided

/// A form body as (name, value) pairs, in order.
#[derive(Debug, Default)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn parse(body: &[u8]) -> Fields {
        Fields(
            form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// A text field: trimmed, required if asked, at most `MAX_TEXT` bytes.
pub(crate) fn text_field(name: &str, value: &str, required: bool) -> Result<String, AppError> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(AppError::BadRequest(format!(
            "{name}: required; write a few words"
        )));
    }
    if v.len() > MAX_TEXT {
        return Err(AppError::BadRequest(format!(
            "{name}: {} characters is too long; keep it under {MAX_TEXT}",
            v.len()
        )));
    }
    Ok(v.to_owned())
}

// ---- Shared rules

/// The person's worksheet in the loaded framework.
pub fn person_worksheet(loaded: &Loaded, p: &Person) -> Result<Worksheet, AppError> {
    let r = &p.record.role;
    worksheet(
        &loaded.framework,
        &r.family,
        &r.level,
        r.specialty.as_deref(),
    )
    .map_err(|e| {
        AppError::BadRequest(format!(
            "{}'s role is not in the framework as loaded: {e}",
            p.record.name
        ))
    })
}

/// The items a focus area can be about: the role's responsibilities, then
/// the worksheet's competencies. (id, text, kind)
pub fn focus_candidates(
    loaded: &Loaded,
    p: &Person,
) -> Result<Vec<(String, String, String)>, AppError> {
    let r = &p.record.role;
    let mut out = Vec::new();
    if let Ok(view) = resolve::role(
        &loaded.framework,
        &r.family,
        &r.level,
        r.specialty.as_deref(),
        false,
    ) {
        for i in view.responsibilities {
            out.push((i.id, i.text, "Responsibility".to_owned()));
        }
    }
    for row in person_worksheet(loaded, p)?.rows {
        let kind = if row.new_at_next {
            format!("{} (next level)", row.category_title)
        } else {
            row.category_title
        };
        out.push((row.id, row.text, kind));
    }
    Ok(out)
}

/// Checks a rating against the worksheet and the scale; returns the
/// rating to store (person and side are filled in by the capability).
pub fn check_rating(
    loaded: &Loaded,
    ws: &Worksheet,
    statement: &str,
    value: &str,
    evidence: &str,
) -> Result<Rating, AppError> {
    let row = ws.row(statement).ok_or_else(|| {
        let hint = ladder_framework::similar::did_you_mean(
            statement,
            ws.rows.iter().map(|r| r.id.as_str()),
        )
        .map_or_else(String::new, |s| format!("; did you mean `{s}`?"));
        AppError::BadRequest(format!(
            "statement: `{statement}` is not on this worksheet{hint}"
        ))
    })?;
    let scale = &loaded.framework.config.rating_scale;
    let allowed = || {
        scale
            .iter()
            .map(|p| format!("{} ({})", p.value, p.label))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let value: i64 = value.trim().parse().map_err(|_| {
        AppError::BadRequest(format!(
            "value: `{value}` is not a rating; use one of {}",
            allowed()
        ))
    })?;
    if !scale.iter().any(|p| i64::from(p.value) == value) {
        return Err(AppError::BadRequest(format!(
            "value: {value} is not on the rating scale; use one of {}",
            allowed()
        )));
    }
    Ok(Rating {
        person_id: 0,
        statement_id: row.id.clone(),
        rater: Rater::Myself,
        value,
        evidence: text_field("evidence", evidence, false)?,
        statement_text: row.text.clone(),
        framework_hash: loaded.hash.clone(),
        rated_by: None,
        rated_at: 0,
    })
}

/// A focus area as submitted: the item's id and the three texts.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AreaInput {
    /// The responsibility or competency id.
    #[serde(rename = "ref")]
    pub ref_id: String,
    #[serde(default)]
    pub goals: String,
    #[serde(default)]
    pub targets: String,
    #[serde(default)]
    pub ideas: String,
}

/// Checks the number of areas against the policy, with the reason.
pub fn check_area_count(loaded: &Loaded, n: usize) -> Result<(), AppError> {
    let b = loaded.framework.config.policy.focus_areas;
    let (min, max) = (
        usize::try_from(b.min).unwrap_or(0),
        usize::try_from(b.max).unwrap_or(usize::MAX),
    );
    let why = format!(
        "a quarter has {} to {} focus areas, so there is room to make real progress on each",
        b.min, b.max
    );
    if n < min {
        return Err(AppError::BadRequest(format!(
            "focus areas: choose at least {min}; you chose {n} ({why})"
        )));
    }
    if n > max {
        return Err(AppError::BadRequest(format!(
            "focus areas: choose at most {max}; you chose {n} ({why}). Keep the rest for next quarter"
        )));
    }
    Ok(())
}

/// Checks focus areas: the count, that each names an item of the role
/// once, and that each has goals and targets.
pub fn check_areas(
    loaded: &Loaded,
    p: &Person,
    areas: &[AreaInput],
) -> Result<Vec<NewFocusArea>, AppError> {
    check_area_count(loaded, areas.len())?;
    let candidates = focus_candidates(loaded, p)?;
    let mut out: Vec<NewFocusArea> = Vec::new();
    for a in areas {
        let Some((id, text, _)) = candidates.iter().find(|c| c.0 == a.ref_id) else {
            return Err(AppError::BadRequest(format!(
                "focus areas: `{}` is not a responsibility or competency of this role",
                a.ref_id
            )));
        };
        if out.iter().any(|o| o.ref_id == *id) {
            return Err(AppError::BadRequest(format!(
                "focus areas: `{text}` is chosen twice; choose it once"
            )));
        }
        out.push(NewFocusArea {
            ref_id: id.clone(),
            title: text.clone(),
            goals: text_field(&format!("goals for `{text}`"), &a.goals, true)?,
            targets: text_field(&format!("targets for `{text}`"), &a.targets, true)?,
            ideas: text_field(&format!("ideas for `{text}`"), &a.ideas, false)?,
        });
    }
    Ok(out)
}

/// The quarter a checkpoint is opened for: the given one (this quarter or
/// the next), or this quarter.
pub fn checkpoint_quarter(given: &str, now: i64) -> Result<Quarter, AppError> {
    let this = Quarter::at(now);
    if given.trim().is_empty() {
        return Ok(this);
    }
    let q: Quarter = given
        .parse()
        .map_err(|e: String| AppError::BadRequest(format!("quarter: {e}")))?;
    if q != this && q != this.next() {
        return Err(AppError::BadRequest(format!(
            "quarter: {q} is not this quarter ({this}) or the next ({})",
            this.next()
        )));
    }
    Ok(q)
}

/// Everything a worksheet page or the API shows.
#[derive(Debug, Serialize)]
pub struct WorksheetData {
    pub worksheet: Worksheet,
    pub ratings: Vec<Rating>,
    pub changes: Changes,
    pub readiness: Readiness,
    pub quarter: Quarter,
}

impl WorksheetData {
    /// The statement's rating on one side.
    pub fn rating(&self, statement: &str, rater: Rater) -> Option<&Rating> {
        self.ratings
            .iter()
            .find(|g| g.statement_id == statement && g.rater == rater)
    }

    /// Both sides rated the statement, differently.
    pub fn differs(&self, statement: &str) -> bool {
        matches!(
            (self.rating(statement, Rater::Myself), self.rating(statement, Rater::Manager)),
            (Some(a), Some(b)) if a.value != b.value
        )
    }
}

pub async fn worksheet_data(
    loaded: &Loaded,
    g: &Growth<'_>,
    now: i64,
) -> Result<WorksheetData, AppError> {
    let ws = person_worksheet(loaded, &g.person)?;
    let ratings = g.ratings().await?;
    let seen = g.seen().await?;
    let snap: Option<Snapshot> = seen
        .as_ref()
        .and_then(|s| serde_json::from_str(&s.snapshot).ok());
    if seen.is_none() && g.is_self() {
        // The first look: remember what they saw, so later versions can
        // say what changed.
        let snap = serde_json::to_string(&ladder_growth::snapshot(&ws))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        g.set_seen(&loaded.hash, snap, now).await?;
    }
    let changes = ladder_growth::changes(snap.as_ref(), &ws, &ratings);
    let history = g.history().await?;
    let quarter = Quarter::at(now);
    let next_ids: Vec<&str> = if ws.next.is_some() {
        ws.next_ids()
    } else {
        Vec::new()
    };
    let readiness = ladder_growth::readiness(
        &next_ids,
        &history,
        &quarter.trailing(READINESS_QUARTERS),
        loaded.framework.config.policy.readiness,
    );
    Ok(WorksheetData {
        worksheet: ws,
        ratings,
        changes,
        readiness,
        quarter,
    })
}

/// The rating scale as (value, label), lowest first: what forms offer.
pub(crate) fn scale_points(fw: &ladder_framework::Framework) -> Vec<(i64, String)> {
    fw.config
        .rating_scale
        .iter()
        .map(|p| (i64::from(p.value), p.label.clone()))
        .collect()
}

fn scale_max(loaded: &Loaded) -> f64 {
    f64::from(
        loaded
            .framework
            .config
            .rating_scale
            .iter()
            .map(|p| p.value)
            .max()
            .unwrap_or(4),
    )
}

fn average(v: &[i64]) -> Option<f64> {
    #[allow(clippy::cast_precision_loss)]
    (!v.is_empty()).then(|| v.iter().sum::<i64>() as f64 / v.len() as f64)
}

/// The radar: per category of the current level, the average self and
/// manager rating.
pub fn radar_svg(loaded: &Loaded, name: &str, d: &WorksheetData) -> Result<String, AppError> {
    let mut by: BTreeMap<usize, (String, Vec<i64>, Vec<i64>)> = BTreeMap::new();
    let order = |c: &str| loaded.framework.config.category_rank(c);
    for row in d.worksheet.rows.iter().filter(|r| !r.new_at_next) {
        let e = by
            .entry(order(&row.category))
            .or_insert_with(|| (row.category_title.clone(), Vec::new(), Vec::new()));
        for g in d.ratings.iter().filter(|g| g.statement_id == row.id) {
            match g.rater {
                Rater::Myself => e.1.push(g.value),
                Rater::Manager => e.2.push(g.value),
            }
        }
    }
    let axes: Vec<Axis> = by
        .into_values()
        .map(|(label, own, mgr)| Axis {
            label,
            self_rating: average(&own),
            manager_rating: average(&mgr),
        })
        .collect();
    let expected = f64::from(loaded.framework.config.policy.readiness.demonstrated_at);
    charts::radar(
        "radar",
        &format!("{name}: self and manager ratings by category"),
        &axes,
        expected,
        scale_max(loaded),
    )
    .map_err(AppError::Internal)
}

pub fn readiness_svg(name: &str, r: &Readiness) -> Result<String, AppError> {
    let points: Vec<(String, f64)> = r
        .quarters
        .iter()
        .map(|q| (q.quarter.to_string(), q.share))
        .collect();
    charts::readiness(
        "readiness",
        &format!("{name}: readiness for the next level by quarter"),
        &points,
        r.policy.share,
    )
    .map_err(AppError::Internal)
}

fn svg(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        body,
    )
        .into_response()
}

/// What a meeting shows.
#[derive(Debug, Serialize)]
pub struct MeetingData {
    pub meeting: Meeting,
    pub quarter: Quarter,
    /// The report's focus areas for the meeting's quarter (standing).
    pub focus: Option<Checkpoint>,
    pub standing: Vec<StandingItem>,
    pub agenda: Vec<AgendaItem>,
    /// Made here or before, not done before: carried over.
    pub actions: Vec<ActionItem>,
    /// The viewer's own private note (never the other's).
    pub my_note: Option<ladder_store::PrivateNote>,
}

pub async fn meeting_data(pair: &Pair<'_>, m: Meeting) -> Result<MeetingData, AppError> {
    let date: Date = m
        .date
        .parse()
        .map_err(|e: String| AppError::Internal(format!("meeting {}: {e}", m.id)))?;
    let quarter = Quarter::of(date);
    let focus = pair
        .checkpoints()
        .await?
        .into_iter()
        .find(|c| c.quarter == quarter.to_string());
    let all = pair.action_items().await?;
    let actions = actions_for(&all, &m.date).into_iter().cloned().collect();
    Ok(MeetingData {
        quarter,
        focus,
        standing: pair.standing_items().await?,
        agenda: pair.agenda_items(&m).await?,
        actions,
        my_note: pair.my_note(&m).await?,
        meeting: m,
    })
}

/// Worksheets by role, made once each.
#[derive(Default)]
struct Worksheets(HashMap<(String, String, Option<String>), Option<Worksheet>>);

impl Worksheets {
    fn get(&mut self, loaded: &Loaded, p: &Person) -> Option<&Worksheet> {
        let r = &p.record.role;
        let key = (r.family.clone(), r.level.clone(), r.specialty.clone());
        self.0
            .entry(key)
            .or_insert_with(|| person_worksheet(loaded, p).ok())
            .as_ref()
    }
}

/// Overdue checkpoints and readiness for a manager's chain.
#[derive(Debug, Serialize)]
pub struct TeamData {
    pub quarter: Quarter,
    /// (person, quarter, why)
    pub overdue: Vec<(Id, String, String)>,
    /// (person, readiness) for people with a next level.
    pub readiness: Vec<(Id, Readiness)>,
}

pub async fn team_data(
    loaded: &Loaded,
    t: &TeamGrowth<'_>,
    now: i64,
) -> Result<TeamData, AppError> {
    let quarter = Quarter::at(now);
    let prev = quarter.prev();
    let states = t
        .checkpoint_states(&[quarter.to_string(), prev.to_string()])
        .await?;
    // (person, quarter) → closed; a chain can hold thousands of people.
    let states: HashMap<(Id, String), bool> = states
        .into_iter()
        .map(|s| ((s.person_id, s.quarter), s.closed))
        .collect();
    let state = |p: Id, q: Quarter| states.get(&(p, q.to_string())).copied();
    let mut overdue = Vec::new();
    let history = t.history().await?;
    let mut by_person: HashMap<Id, Vec<ladder_store::RatingChange>> = HashMap::new();
    for h in history {
        by_person.entry(h.person_id).or_default().push(h);
    }
    let mut readiness = Vec::new();
    let quarters = quarter.trailing(READINESS_QUARTERS);
    // A chain has many people and few distinct roles: one worksheet each.
    let mut sheets = Worksheets::default();
    for id in &t.people {
        let Some(p) = t.person(*id).filter(|p| p.record.active) else {
            continue;
        };
        if state(*id, quarter).is_none() {
            overdue.push((
                *id,
                quarter.to_string(),
                "no checkpoint opened this quarter".to_owned(),
            ));
        }
        if state(*id, prev) == Some(false) {
            overdue.push((
                *id,
                prev.to_string(),
                "the quarter ended and the checkpoint is not closed".to_owned(),
            ));
        }
        if let Some(ws) = sheets.get(loaded, p)
            && ws.next.is_some()
        {
            let h = by_person.get(id).map_or(&[][..], Vec::as_slice);
            readiness.push((
                *id,
                ladder_growth::readiness(
                    &ws.next_ids(),
                    h,
                    &quarters,
                    loaded.framework.config.policy.readiness,
                ),
            ));
        }
    }
    Ok(TeamData {
        quarter,
        overdue,
        readiness,
    })
}

/// The heatmap of the viewer's chain: at most `limit` people, nearest
/// first (direct reports, then theirs).
pub async fn heatmap_svg(
    loaded: &Loaded,
    t: &TeamGrowth<'_>,
    limit: usize,
) -> Result<String, AppError> {
    let people: Vec<&Person> = t
        .people
        .iter()
        .filter_map(|id| t.person(*id))
        .take(limit)
        .collect();
    let ids: Vec<Id> = people.iter().map(|p| p.id).collect();
    let ratings = t.ratings_of(&ids).await?;
    let cats = &loaded.framework.config.categories;
    // Manager ratings by person, then by the category of the current-level
    // row they rate: one pass over the ratings.
    let mut by_person: HashMap<Id, Vec<&Rating>> = HashMap::new();
    for g in ratings.iter().filter(|g| g.rater == Rater::Manager) {
        by_person.entry(g.person_id).or_default().push(g);
    }
    let mut cells = Vec::new();
    let mut sheets = Worksheets::default();
    for p in &people {
        let mut by_cat: HashMap<&str, Vec<i64>> = HashMap::new();
        if let Some(ws) = sheets.get(loaded, p) {
            for g in by_person.get(&p.id).into_iter().flatten() {
                if let Some(r) = ws.row(&g.statement_id).filter(|r| !r.new_at_next) {
                    by_cat.entry(r.category.as_str()).or_default().push(g.value);
                }
            }
        }
        cells.push(
            cats.iter()
                .map(|c| by_cat.get(c.id.as_str()).and_then(|v| average(v)))
                .collect::<Vec<_>>(),
        );
    }
    charts::heatmap(
        "heatmap",
        "Team competencies: average manager rating by category",
        &people
            .iter()
            .map(|p| p.record.name.clone())
            .collect::<Vec<_>>(),
        &cats.iter().map(|c| c.title.clone()).collect::<Vec<_>>(),
        &cells,
        scale_max(loaded),
    )
    .map_err(AppError::Internal)
}

// ---- Web pages: worksheet

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
#[template(path = "worksheet.html")]
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
    let ws = person_worksheet(&loaded, &g.person)?;
    let rating = check_rating(
        &loaded,
        &ws,
        f.get("statement"),
        f.get("value"),
        f.get("evidence"),
    )?;
    let stored = g.rate(rating, now).await?;
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

// ---- Web pages: checkpoints

#[derive(Template)]
#[template(path = "checkpoints.html")]
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
#[template(path = "checkpoint_new.html")]
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
    let quarter = checkpoint_quarter(f.get("quarter"), now)?;
    let checked = match check_areas(&loaded, &g.person, &areas) {
        Ok(c) => c,
        Err(AppError::BadRequest(e)) => {
            let two = check_area_count(&loaded, areas.len()).is_ok();
            return new_checkpoint_page(&s, &v, &g, &areas, two, Some(e)).await;
        }
        Err(e) => return Err(e),
    };
    let cid = g
        .open_checkpoint(&quarter.to_string(), &checked, now)
        .await?;
    Ok(Redirect::to(&format!("/checkpoints/{cid}")).into_response())
}

#[derive(Template)]
#[template(path = "checkpoint.html")]
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
    if let Some(a) = c
        .areas
        .iter()
        .find(|a| f.get(&format!("summary-{}", a.id)).trim().is_empty())
    {
        let e = format!(
            "summary for `{}`: required; write how the quarter went for this area",
            a.title
        );
        return checkpoint_page(&s, &v, &g, c, Some(e)).await;
    }
    g.close_checkpoint(&c, &summaries, now).await?;
    Ok(Redirect::to(&format!("/checkpoints/{id}#update")).into_response())
}

// ---- Web pages: 1:1s

#[derive(Template)]
#[template(path = "one_on_ones.html")]
struct PairsPage {
    chrome: Chrome,
    /// (manager id, report id, other person's name, "your manager" / "reports to you")
    pairs: Vec<(Id, Id, String, String)>,
}

pub async fn one_on_ones(State(s): State<AppState>, v: Viewer) -> Result<Response, AppError> {
    let me = v.person_id();
    let pairs = s
        .access()
        .my_pairs(&v)
        .await?
        .into_iter()
        .map(|(m, r)| {
            if Some(m.id) == me {
                (m.id, r.id, r.record.name, "reports to you".to_owned())
            } else {
                (m.id, r.id, m.record.name, "your manager".to_owned())
            }
        })
        .collect();
    page(&PairsPage {
        chrome: Chrome::new("1:1s", Some(&v)),
        pairs,
    })
}

#[derive(Template)]
#[template(path = "pair.html")]
struct PairPage {
    chrome: Chrome,
    manager: (Id, String),
    report: (Id, String),
    current: bool,
    today: String,
    meetings: Vec<Meeting>,
    standing: Vec<StandingItem>,
}

pub async fn pair(
    State(s): State<AppState>,
    v: Viewer,
    Path((manager, report)): Path<(Id, Id)>,
) -> Result<Response, AppError> {
    let p = s.access().pair(&v, manager, report).await?;
    let mut meetings = p.meetings().await?;
    meetings.reverse();
    page(&PairPage {
        chrome: Chrome::new(&format!("1:1 with {}", p.other().record.name), Some(&v)),
        manager: (p.manager.id, p.manager.record.name.clone()),
        report: (p.report.id, p.report.record.name.clone()),
        current: p.current,
        today: Date::from_unix(s.now()).to_string(),
        meetings,
        standing: p.standing_items().await?,
    })
}

pub async fn create_meeting(
    State(s): State<AppState>,
    v: Viewer,
    Path((manager, report)): Path<(Id, Id)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let now = s.now();
    let p = s.access().pair(&v, manager, report).await?;
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    let date = meeting_date(f.get("date"), now)?;
    let id = p.create_meeting(&date, now).await?;
    Ok(Redirect::to(&format!("/meetings/{id}")).into_response())
}

/// A meeting's date: as given, or today.
pub fn meeting_date(given: &str, now: i64) -> Result<String, AppError> {
    if given.trim().is_empty() {
        return Ok(Date::from_unix(now).to_string());
    }
    given
        .parse::<Date>()
        .map(|d| d.to_string())
        .map_err(|e| AppError::BadRequest(format!("date: {e}")))
}

pub async fn add_standing(
    State(s): State<AppState>,
    v: Viewer,
    Path((manager, report)): Path<(Id, Id)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let p = s.access().pair(&v, manager, report).await?;
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    p.add_standing_item(&text_field("text", f.get("text"), true)?, s.now())
        .await?;
    Ok(Redirect::to(&format!("/one-on-ones/{manager}/{report}")).into_response())
}

/// A conflict to resolve on the meeting page: which field, their text and
/// version, and what the viewer tried to save.
struct Conflict {
    field: &'static str,
    theirs: String,
    version: i64,
    mine: String,
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    chrome: Chrome,
    d: MeetingData,
    pair: (Id, Id),
    other: String,
    /// (id, name) of both, for owners.
    people: Vec<(Id, String)>,
    names: HashMap<Id, String>,
    conflict: Option<Conflict>,
    error: Option<String>,
}

impl MeetingPage {
    fn name(&self, id: &Id) -> String {
        self.names.get(id).cloned().unwrap_or_default()
    }
}

async fn meeting_page(
    v: &Viewer,
    p: &Pair<'_>,
    m: Meeting,
    conflict: Option<Conflict>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let d = meeting_data(p, m).await?;
    let people = vec![
        (p.manager.id, p.manager.record.name.clone()),
        (p.report.id, p.report.record.name.clone()),
    ];
    let status = if conflict.is_some() {
        StatusCode::CONFLICT
    } else if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let res = page(&MeetingPage {
        chrome: Chrome::new(&format!("1:1 on {}", d.meeting.date), Some(v)),
        pair: (p.manager.id, p.report.id),
        other: p.other().record.name.clone(),
        names: people.iter().cloned().collect(),
        people,
        d,
        conflict,
        error,
    })?;
    Ok((status, res).into_response())
}

pub async fn meeting(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
) -> Result<Response, AppError> {
    let (p, m) = s.access().meeting(&v, id).await?;
    meeting_page(&v, &p, m, None, None).await
}

pub async fn add_agenda(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (p, m) = s.access().meeting(&v, id).await?;
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    p.add_agenda_item(
        &m,
        &text_field("agenda item", f.get("text"), true)?,
        s.now(),
    )
    .await?;
    Ok(Redirect::to(&format!("/meetings/{id}#agenda")).into_response())
}

fn version_field(f: &Fields) -> Result<i64, AppError> {
    f.get("version").trim().parse().map_err(|_| {
        AppError::BadRequest("version: missing; reload the page and try again".to_owned())
    })
}

pub async fn save_notes(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    body: Bytes,
) -> Result<Response, AppError> {
    save_text(s, v, id, body, "notes").await
}

pub async fn save_private(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    body: Bytes,
) -> Result<Response, AppError> {
    save_text(s, v, id, body, "private").await
}

async fn save_text(
    s: AppState,
    v: Viewer,
    id: Id,
    body: Bytes,
    field: &'static str,
) -> Result<Response, AppError> {
    let now = s.now();
    let (p, m) = s.access().meeting(&v, id).await?;
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    let version = version_field(&f)?;
    let text = text_field(
        if field == "notes" {
            "shared notes"
        } else {
            "private note"
        },
        f.get("text"),
        false,
    )?;
    let saved = if field == "notes" {
        p.save_shared_notes(&m, &text, version, now).await
    } else {
        p.save_my_note(&m, &text, version, now).await
    };
    match saved {
        Ok(_) => Ok(Redirect::to(&format!("/meetings/{id}#{field}")).into_response()),
        Err(AppError::Stale {
            version,
            text: theirs,
        }) => {
            let conflict = Conflict {
                field,
                theirs,
                version,
                mine: text,
            };
            meeting_page(&v, &p, m, Some(conflict), None).await
        }
        Err(e) => Err(e),
    }
}

pub async fn add_action(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (p, m) = s.access().meeting(&v, id).await?;
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    let owner: Id = f
        .get("owner")
        .parse()
        .map_err(|_| AppError::BadRequest("owner: choose who will do it".to_owned()))?;
    p.add_action(
        &m,
        owner,
        &text_field("action item", f.get("text"), true)?,
        s.now(),
    )
    .await?;
    Ok(Redirect::to(&format!("/meetings/{id}#actions")).into_response())
}

pub async fn complete_action(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (p, a) = s.access().action(&v, id).await?;
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    let meeting: Id = f.get("meeting").parse().map_err(|_| {
        AppError::BadRequest("meeting: missing; mark it done from a meeting page".to_owned())
    })?;
    let (_, m) = s.access().meeting(&v, meeting).await?;
    p.complete_action(&a, &m, s.now()).await?;
    Ok(Redirect::to(&format!("/meetings/{meeting}#actions")).into_response())
}

// ---- Web pages: the team

#[derive(Template)]
#[template(path = "team_growth.html")]
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
