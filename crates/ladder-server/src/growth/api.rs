//! `/api/v1` for the growth workflow: worksheets and ratings, checkpoints
//! and a manager's team view.

use crate::growth::service::{self, RateInput};
use crate::growth::service::{AreaInput, team_data_of, worksheet_data};
use crate::http::api::CreatedOut;
use crate::http::api::{ApiError, ApiViewer, ErrorBody};
use crate::http::body;
use crate::http::paging::PageQuery;
use crate::{AppError, AppState};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ladder_growth::Readiness;
use ladder_store::{Checkpoint, FocusArea, Id, Rating};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The OpenAPI tag of these operations: the module that held them before
/// the feature folders, kept so that `openapi.json` does not change.
const TAG: &str = "crate::api_growth";

/// One rating as stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingOut {
    pub statement: String,
    /// `self` or `manager`.
    pub rater: String,
    pub value: i64,
    pub evidence: String,
    /// The statement's text when it was rated.
    pub statement_text: String,
    /// The framework version (content hash) it was rated against.
    pub framework_version: String,
    pub rated_at: i64,
}

fn rating_out(g: &Rating) -> RatingOut {
    RatingOut {
        statement: g.statement_id.clone(),
        rater: g.rater.as_str().to_owned(),
        value: g.value,
        evidence: g.evidence.clone(),
        statement_text: g.statement_text.clone(),
        framework_version: g.framework_hash.clone(),
        rated_at: g.rated_at,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RowOut {
    pub id: String,
    pub text: String,
    pub category: String,
    pub layer: String,
    pub level: String,
    /// Expected at the next level and not yet at the current one.
    pub new_at_next: bool,
    pub self_rating: Option<RatingOut>,
    pub manager_rating: Option<RatingOut>,
    /// Both sides rated and they disagree.
    pub differs: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuarterOut {
    /// `2026-Q4`.
    pub quarter: String,
    pub demonstrated: usize,
    pub total: usize,
    pub share: f64,
    pub meets: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadinessOut {
    /// "Ready": the policy holds for the latest quarters.
    pub ready: bool,
    pub required_share: f64,
    pub consecutive_quarters: u32,
    pub quarters: Vec<QuarterOut>,
    /// Next-level statements not yet rated as demonstrated.
    pub missing: Vec<String>,
}

fn readiness_out(r: &Readiness) -> ReadinessOut {
    ReadinessOut {
        ready: r.ready,
        required_share: r.policy.share,
        consecutive_quarters: r.policy.consecutive_quarters,
        quarters: r
            .quarters
            .iter()
            .map(|q| QuarterOut {
                quarter: q.quarter.to_string(),
                demonstrated: q.demonstrated,
                total: q.total,
                share: q.share,
                meets: q.meets,
            })
            .collect(),
        missing: r.missing.clone(),
    }
}

/// What changed for the person since they last marked the worksheet read.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangesOut {
    pub added: Vec<String>,
    pub reworded: Vec<String>,
    pub removed: Vec<String>,
    /// Ratings whose statement was reworded after rating: look again.
    pub recheck: Vec<RatingOut>,
    /// Ratings whose statement is gone: kept, archived.
    pub archived: Vec<RatingOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorksheetOut {
    pub person_id: Id,
    pub family: String,
    pub level: String,
    pub specialty: Option<String>,
    pub next_level: Option<String>,
    /// The loaded framework version.
    pub framework_version: String,
    pub rows: Vec<RowOut>,
    pub readiness: Option<ReadinessOut>,
    pub changes: ChangesOut,
}

/// A person's worksheet: rows with both ratings, readiness and changes.
#[utoipa::path(tag = TAG, get, path = "/api/v1/people/{id}/worksheet", params(("id" = i64, Path)), responses(
    (status = 200, body = WorksheetOut),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody)
))]
pub async fn worksheet(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
) -> Result<Json<WorksheetOut>, ApiError> {
    let loaded = s.framework();
    let g = s.access().growth(&v, id, s.now()).await?;
    let d = worksheet_data(&loaded, &g, s.now()).await?;
    let rows = d
        .worksheet
        .rows
        .iter()
        .map(|r| {
            let own = d.rating(&r.id, ladder_store::Rater::Myself);
            let mgr = d.rating(&r.id, ladder_store::Rater::Manager);
            RowOut {
                id: r.id.clone(),
                text: r.text.clone(),
                category: r.category.clone(),
                layer: r.layer.clone(),
                level: r.level.clone(),
                new_at_next: r.new_at_next,
                differs: d.differs(&r.id),
                self_rating: own.map(rating_out),
                manager_rating: mgr.map(rating_out),
            }
        })
        .collect();
    Ok(Json(WorksheetOut {
        person_id: id,
        family: d.worksheet.family.clone(),
        level: d.worksheet.level.clone(),
        specialty: d.worksheet.specialty.clone(),
        next_level: d.worksheet.next.clone(),
        framework_version: loaded.hash.clone(),
        rows,
        readiness: d
            .worksheet
            .next
            .is_some()
            .then(|| readiness_out(&d.readiness)),
        changes: ChangesOut {
            added: d.changes.added.iter().map(|r| r.id.clone()).collect(),
            reworded: d.changes.reworded.iter().map(|r| r.1.id.clone()).collect(),
            removed: d.changes.removed.iter().map(|r| r.0.clone()).collect(),
            recheck: d.changes.recheck.iter().map(|r| rating_out(&r.0)).collect(),
            archived: d.changes.archived.iter().map(rating_out).collect(),
        },
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RateIn {
    /// The statement id.
    pub statement: String,
    /// A value of the rating scale.
    pub value: i64,
    #[serde(default)]
    pub evidence: String,
}

/// Rates a statement: as the person (self) or as their direct manager.
#[utoipa::path(tag = TAG, post, path = "/api/v1/people/{id}/ratings", params(("id" = i64, Path)), request_body = RateIn, responses(
    (status = 200, body = RatingOut),
    (status = 400, body = ErrorBody),
    (status = 403, body = ErrorBody)
))]
pub async fn rate(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
    bytes: Bytes,
) -> Result<Json<RatingOut>, ApiError> {
    let now = s.now();
    let g = s.access().growth(&v, id, now).await?;
    if g.rater().is_none() {
        return Err(AppError::Forbidden.into());
    }
    let input: RateIn = body(&bytes)?;
    let input = RateInput {
        statement: input.statement,
        value: input.value,
        evidence: input.evidence,
    };
    let stored = service::rate(&g, &s.framework(), &input, now).await?;
    Ok(Json(rating_out(&stored)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AreaOut {
    pub id: Id,
    #[serde(rename = "ref")]
    pub ref_id: String,
    pub title: String,
    pub goals: String,
    pub targets: String,
    pub ideas: String,
    pub summary: Option<String>,
}

pub(crate) fn area_out(a: &FocusArea) -> AreaOut {
    AreaOut {
        id: a.id,
        ref_id: a.ref_id.clone(),
        title: a.title.clone(),
        goals: a.goals.clone(),
        targets: a.targets.clone(),
        ideas: a.ideas.clone(),
        summary: a.summary.clone(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckpointOut {
    pub id: Id,
    pub person_id: Id,
    pub quarter: String,
    pub opened_at: i64,
    pub closed_at: Option<i64>,
    pub areas: Vec<AreaOut>,
}

fn checkpoint_out(c: &Checkpoint) -> CheckpointOut {
    CheckpointOut {
        id: c.id,
        person_id: c.person_id,
        quarter: c.quarter.clone(),
        opened_at: c.opened_at,
        closed_at: c.closed_at,
        areas: c.areas.iter().map(area_out).collect(),
    }
}

/// A person's checkpoints, newest quarter first.
#[utoipa::path(tag = TAG, get, path = "/api/v1/people/{id}/checkpoints", params(("id" = i64, Path)), responses(
    (status = 200, body = Vec<CheckpointOut>),
    (status = 403, body = ErrorBody)
))]
pub async fn checkpoints(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
) -> Result<Json<Vec<CheckpointOut>>, ApiError> {
    let g = s.access().growth(&v, id, s.now()).await?;
    Ok(Json(
        g.checkpoints().await?.iter().map(checkpoint_out).collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OpenCheckpointIn {
    /// This quarter (the default) or the next, as `2026-Q4`.
    #[serde(default)]
    pub quarter: String,
    pub areas: Vec<AreaInput>,
}

/// Opens a quarter's checkpoint with its focus areas (between the
/// policy's bounds, 2 to 3 by default). One per person per quarter.
#[utoipa::path(tag = TAG, post, path = "/api/v1/people/{id}/checkpoints", params(("id" = i64, Path)), request_body = OpenCheckpointIn, responses(
    (status = 201, body = CreatedOut),
    (status = 400, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 409, body = ErrorBody)
))]
pub async fn open_checkpoint(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let now = s.now();
    let g = s.access().growth(&v, id, now).await?;
    if !g.is_pair() {
        return Err(AppError::Forbidden.into());
    }
    let input: OpenCheckpointIn = body(&bytes)?;
    let loaded = s.framework();
    let cid = service::open_checkpoint(&g, &loaded, &input.quarter, &input.areas, now).await?;
    Ok((StatusCode::CREATED, Json(CreatedOut { id: cid })).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SummaryIn {
    /// The focus area id.
    pub area: Id,
    pub summary: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CloseCheckpointIn {
    /// One per focus area.
    pub summaries: Vec<SummaryIn>,
}

/// Closes a checkpoint with a progress summary for every area.
#[utoipa::path(tag = TAG, post, path = "/api/v1/checkpoints/{checkpoint}/close", params(("checkpoint" = i64, Path)), request_body = CloseCheckpointIn, responses(
    (status = 200, body = CheckpointOut),
    (status = 400, body = ErrorBody),
    (status = 403, body = ErrorBody)
))]
pub async fn close_checkpoint(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
    bytes: Bytes,
) -> Result<Json<CheckpointOut>, ApiError> {
    let now = s.now();
    let (g, c) = s.access().checkpoint(&v, id, now).await?;
    if !g.is_pair() {
        return Err(AppError::Forbidden.into());
    }
    let input: CloseCheckpointIn = body(&bytes)?;
    let summaries: Vec<(Id, String)> = input
        .summaries
        .into_iter()
        .map(|s| (s.area, s.summary))
        .collect();
    service::close_checkpoint(&g, &c, &summaries, now).await?;
    let (_, c) = s.access().checkpoint(&v, id, now).await?;
    Ok(Json(checkpoint_out(&c)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OverdueOut {
    pub person_id: Id,
    pub quarter: String,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonReadinessOut {
    pub person_id: Id,
    pub readiness: ReadinessOut,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TeamOut {
    pub quarter: String,
    /// How many people the caller's reporting chain holds.
    pub total: usize,
    /// A page of the chain, in the order of their ids; `overdue` and
    /// `readiness` are about them.
    pub people: Vec<Id>,
    pub overdue: Vec<OverdueOut>,
    pub readiness: Vec<PersonReadinessOut>,
    /// Send as `cursor` for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Overdue checkpoints and readiness for the caller's reporting chain, a
/// page of people at a time (`limit`, `cursor`).
#[utoipa::path(tag = TAG, get, path = "/api/v1/team/growth", params(PageQuery), responses(
    (status = 200, body = TeamOut),
    (status = 401, body = ErrorBody)
))]
pub async fn team(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Query(q): Query<PageQuery>,
) -> Result<Json<TeamOut>, ApiError> {
    let paging = q.paging()?;
    let loaded = s.framework();
    let t = s.access().team_growth(&v, &loaded, s.now()).await?;
    let (people, next_cursor) = crate::http::paging::page_of(&t.people, |id| *id, paging);
    let d = team_data_of(&loaded, &t, &people, s.now(), ladder_growth::readiness).await?;
    Ok(Json(TeamOut {
        quarter: d.quarter.to_string(),
        total: t.people.len(),
        next_cursor,
        people,
        overdue: d
            .overdue
            .into_iter()
            .map(|(person_id, quarter, reason)| OverdueOut {
                person_id,
                quarter,
                reason,
            })
            .collect(),
        readiness: d
            .readiness
            .iter()
            .map(|(person_id, r)| PersonReadinessOut {
                person_id: *person_id,
                readiness: readiness_out(r),
            })
            .collect(),
    }))
}
