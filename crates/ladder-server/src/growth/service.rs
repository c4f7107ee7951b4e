//! The growth rules the pages and the API share: a person's worksheet,
//! ratings and focus areas checked against the framework and its policy,
//! the data behind the worksheet, team and chart views.

use crate::access::{Growth, TeamGrowth};
use crate::http::text_field;
use crate::{AppError, Loaded};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use ladder_framework::{ReadinessPolicy, resolve};
use ladder_growth::charts::{self, Axis};
use ladder_growth::{Changes, Progress, Quarter, Readiness, Snapshot, Worksheet};
use ladder_store::{
    Checkpoint, Id, NewFocusArea, Person, PersonGrowth, Rater, Rating, RatingChange,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// How many quarters of readiness the pages show.
pub const READINESS_QUARTERS: usize = 4;

/// The person's worksheet in the loaded framework.
pub fn person_worksheet(loaded: &Loaded, p: &Person) -> Result<Arc<Worksheet>, AppError> {
    let r = &p.record.role;
    loaded
        .worksheet(&r.family, &r.level, r.specialty.as_deref())
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
    for row in &person_worksheet(loaded, p)?.rows {
        let kind = if row.new_at_next {
            format!("{} (next level)", row.category_title)
        } else {
            row.category_title.clone()
        };
        out.push((row.id.clone(), row.text.clone(), kind));
    }
    Ok(out)
}

/// Checks a rating against the worksheet and the scale; returns the
/// rating to store (person and side are filled in by the capability).
pub fn check_rating(
    loaded: &Loaded,
    ws: &Worksheet,
    input: &RateInput,
) -> Result<Rating, AppError> {
    let (statement, value, evidence) = (input.statement.as_str(), input.value, &input.evidence);
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
    if !scale.iter().any(|p| i64::from(p.value) == value) {
        return Err(AppError::BadRequest(format!(
            "value: {value} is not on the rating scale; use one of {}",
            allowed_ratings(loaded)
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

/// The rating scale's points, for messages: `1 (Not yet), 2 (…)`.
fn allowed_ratings(loaded: &Loaded) -> String {
    loaded
        .framework
        .config
        .rating_scale
        .iter()
        .map(|p| format!("{} ({})", p.value, p.label))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A rating as a form sends it: the value as text, checked to be a whole
/// number (the scale is checked with the rest, by [`rate`]).
pub fn rating_value(loaded: &Loaded, value: &str) -> Result<i64, AppError> {
    value.trim().parse().map_err(|_| {
        AppError::BadRequest(format!(
            "value: `{value}` is not a rating; use one of {}",
            allowed_ratings(loaded)
        ))
    })
}

/// A rating to record: which statement, the value on the scale, evidence.
#[derive(Clone, Debug)]
pub struct RateInput {
    pub statement: String,
    pub value: i64,
    pub evidence: String,
}

/// Rates a statement of `g`'s worksheet on the viewer's side, checked
/// against the worksheet and the rating scale; returns it as stored.
pub async fn rate(
    g: &Growth<'_>,
    loaded: &Loaded,
    input: &RateInput,
    now: i64,
) -> Result<Rating, AppError> {
    if g.rater().is_none() {
        return Err(AppError::Forbidden);
    }
    let ws = person_worksheet(loaded, &g.person)?;
    let rating = check_rating(loaded, &ws, input)?;
    g.rate(rating, now).await
}

/// Opens `g`'s checkpoint for a quarter (`""`: the current one) with its
/// focus areas, checked against the framework and the policy's bounds.
pub async fn open_checkpoint(
    g: &Growth<'_>,
    loaded: &Loaded,
    quarter: &str,
    areas: &[AreaInput],
    now: i64,
) -> Result<Id, AppError> {
    if !g.is_pair() {
        return Err(AppError::Forbidden);
    }
    let quarter = checkpoint_quarter(quarter, now)?;
    let checked = check_areas(loaded, &g.person, areas)?;
    g.open_checkpoint(&quarter.to_string(), &checked, now).await
}

/// Closes a checkpoint with a progress summary for each of its focus
/// areas (by area id); every area needs one.
pub async fn close_checkpoint(
    g: &Growth<'_>,
    c: &Checkpoint,
    summaries: &[(Id, String)],
    now: i64,
) -> Result<(), AppError> {
    if !g.is_pair() {
        return Err(AppError::Forbidden);
    }
    if let Some(a) = c.areas.iter().find(|a| {
        !summaries
            .iter()
            .any(|(id, s)| *id == a.id && !s.trim().is_empty())
    }) {
        return Err(AppError::BadRequest(format!(
            "summary for `{}`: required; write how the quarter went for this area",
            a.title
        )));
    }
    g.close_checkpoint(c, summaries, now).await
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
    /// The role's worksheet, shared with every person of the role.
    pub worksheet: Arc<Worksheet>,
    pub ratings: Vec<Rating>,
    pub changes: Changes,
    pub readiness: Readiness,
    pub quarter: Quarter,
    /// Every change of every rating, oldest first (the pages show it).
    #[serde(skip)]
    pub history: Vec<RatingChange>,
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
    let PersonGrowth {
        ratings,
        history,
        seen,
    } = g.record().await?;
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
        history,
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

pub(crate) fn scale_max(loaded: &Loaded) -> f64 {
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

pub(crate) fn average(v: &[i64]) -> Option<f64> {
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

pub(crate) fn svg(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        body,
    )
        .into_response()
}

/// Overdue checkpoints and readiness for a manager's chain.
#[derive(Debug, Serialize)]
pub struct TeamData<R> {
    pub quarter: Quarter,
    /// (person, quarter, why)
    pub overdue: Vec<(Id, String, String)>,
    /// (person, readiness or progress) for people with a next level.
    pub readiness: Vec<(Id, R)>,
}

/// How each person's way to the next level is measured:
/// [`ladder_growth::progress`] for a whole chain (a share and a signal
/// each), [`ladder_growth::readiness`] for a page of people, with what
/// each is missing.
pub type Measure<R> = fn(&[&str], &[RatingChange], &[Quarter], ReadinessPolicy) -> R;

/// [`team_data_of`] for the whole chain, each person's progress alone: a
/// head of a large organisation's chain does not hold every missing
/// competency of 100,000 people at once.
pub async fn team_data(
    loaded: &Loaded,
    t: &TeamGrowth<'_>,
    now: i64,
) -> Result<TeamData<Progress>, AppError> {
    team_data_of(loaded, t, &t.people, now, ladder_growth::progress).await
}

/// Overdue checkpoints and readiness for some of the chain (`ids`, in the
/// order given): what a page of it costs, whatever the chain's size.
pub async fn team_data_of<R>(
    loaded: &Loaded,
    t: &TeamGrowth<'_>,
    ids: &[Id],
    now: i64,
    measure: Measure<R>,
) -> Result<TeamData<R>, AppError> {
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
    let history = t.history_of(ids).await?;
    let mut by_person: HashMap<Id, Vec<ladder_store::RatingChange>> = HashMap::new();
    for h in history {
        by_person.entry(h.person_id).or_default().push(h);
    }
    let mut readiness = Vec::new();
    let quarters = quarter.trailing(READINESS_QUARTERS);
    // A chain has many people and few distinct roles: each role's
    // worksheet is computed once per framework version (`Loaded::worksheet`).
    for id in ids {
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
        if let Ok(ws) = person_worksheet(loaded, p)
            && ws.next.is_some()
        {
            let h = by_person.get(id).map_or(&[][..], Vec::as_slice);
            readiness.push((
                *id,
                measure(
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
    for p in &people {
        let ws = person_worksheet(loaded, p).ok();
        let mut by_cat: HashMap<&str, Vec<i64>> = HashMap::new();
        if let Some(ws) = &ws {
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
