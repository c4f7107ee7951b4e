//! `/api/v1` for hiring.

use super::service::{self, *};
use crate::access::CandidateView;
use crate::http::api::{ApiError, ApiViewer, ErrorBody};
use crate::http::body;
use crate::{AppError, AppState};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use ladder_store::{Candidate, Id, Opening};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The OpenAPI tag of these operations: the module that held them before
/// the feature folders, kept so that `openapi.json` does not change.
const TAG: &str = "crate::hiring";

#[derive(Debug, Serialize, ToSchema)]
pub struct OpeningOut {
    pub id: Id,
    pub title: String,
    pub family: String,
    pub level: String,
    pub specialty: Option<String>,
    pub state: String,
}

fn opening_out(o: &Opening) -> OpeningOut {
    OpeningOut {
        id: o.id,
        title: o.new.title.clone(),
        family: o.new.family.clone(),
        level: o.new.level.clone(),
        specialty: o.new.specialty.clone(),
        state: o.state.clone(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CandidateOut {
    pub id: Id,
    pub name: String,
    pub contact: String,
    pub stage: String,
    /// `active`, `hired` or `rejected`.
    pub state: String,
}

fn candidate_out(c: &Candidate) -> CandidateOut {
    CandidateOut {
        id: c.id,
        name: c.name.clone(),
        contact: c.contact.clone(),
        stage: c.stage.clone(),
        state: c.state.clone(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OpeningDetailOut {
    #[serde(flatten)]
    pub opening: OpeningOut,
    pub scorecard: ScorecardTemplate,
    pub candidates: Vec<CandidateOut>,
}

/// The openings the caller works on (all of them for admins and the
/// people team). Never candidates.
#[utoipa::path(tag = TAG, get, path = "/api/v1/openings", responses((status = 200, body = [OpeningOut])))]
pub async fn api_openings(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
) -> Result<Json<Vec<OpeningOut>>, ApiError> {
    let list = s.access().openings_for(&v).await?;
    Ok(Json(list.iter().map(opening_out).collect()))
}

/// Opens a position with its hiring team. People team and admins.
#[utoipa::path(tag = TAG, post, path = "/api/v1/openings", request_body = OpeningInput, responses(
    (status = 200, body = OpeningDetailOut),
    (status = 400, body = ErrorBody, description = "The message names the field"),
    (status = 403, body = ErrorBody)
))]
pub async fn api_open(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    bytes: Bytes,
) -> Result<Json<OpeningDetailOut>, ApiError> {
    let access = s.access();
    let admin = access.hiring_admin(&v)?;
    let input: OpeningInput = body(&bytes)?;
    let (id, _) = service::open(&s, &admin, &input, s.now()).await?;
    let opening = admin.opening(id).await?;
    Ok(Json(OpeningDetailOut {
        scorecard: template_of(&s, &opening)?,
        opening: opening_out(&opening),
        candidates: Vec::new(),
    }))
}

/// An opening, its scorecard template and its candidates: the hiring team
/// and admins.
#[utoipa::path(tag = TAG, get, path = "/api/v1/openings/{opening}", params(("opening" = i64, Path)), responses(
    (status = 200, body = OpeningDetailOut),
    (status = 403, body = ErrorBody)
))]
pub async fn api_opening(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
) -> Result<Json<OpeningDetailOut>, ApiError> {
    let view = s.access().opening(&v, id).await?;
    Ok(Json(OpeningDetailOut {
        scorecard: template_of(&s, &view.opening)?,
        opening: opening_out(&view.opening),
        candidates: view.candidates().await?.iter().map(candidate_out).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CandidateIn {
    pub name: String,
    /// An email or phone number.
    pub contact: String,
}

/// Records a candidate at the first stage: the hiring team and admins.
#[utoipa::path(tag = TAG, post, path = "/api/v1/openings/{opening}/candidates", params(("opening" = i64, Path)), request_body = CandidateIn, responses(
    (status = 200, body = CandidateOut),
    (status = 400, body = ErrorBody),
    (status = 403, body = ErrorBody)
))]
pub async fn api_add_candidate(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
    bytes: Bytes,
) -> Result<Json<CandidateOut>, ApiError> {
    let access = s.access();
    let view = access.opening(&v, id).await?;
    let c: CandidateIn = body(&bytes)?;
    let cid = service::add_candidate(&s, &view, &c.name, &c.contact, s.now()).await?;
    let cv = access.candidate(&v, cid).await?;
    Ok(Json(candidate_out(&cv.candidate)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScorecardOut {
    pub stage: String,
    pub interviewer_id: Id,
    pub scores: Vec<ScoreOut>,
    pub notes: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreOut {
    pub requirement: String,
    pub score: Option<i32>,
    pub notes: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CandidateDetailOut {
    #[serde(flatten)]
    pub candidate: CandidateOut,
    pub opening_id: Id,
    /// The scorecards the caller may see: all for leads and admins; for an
    /// interviewer, their own and the others' of stages they have scored.
    pub scorecards: Vec<ScorecardOut>,
    /// How many scorecards are in per stage (not their scores).
    pub submitted: Vec<(String, usize)>,
    /// Every requirement and how the visible scorecards cover it.
    pub coverage: Vec<Coverage>,
}

async fn candidate_json(
    s: &AppState,
    view: &CandidateView<'_>,
) -> Result<CandidateDetailOut, AppError> {
    let t = template_of(s, &view.opening)?;
    let cards = view.scorecards().await?;
    Ok(CandidateDetailOut {
        candidate: candidate_out(&view.candidate),
        opening_id: view.opening.id,
        coverage: coverage(&t, &cards),
        submitted: view.submitted_per_stage().await?,
        scorecards: cards
            .into_iter()
            .map(|c| ScorecardOut {
                stage: c.stage,
                interviewer_id: c.interviewer_id,
                scores: c
                    .scores
                    .into_iter()
                    .map(|x| ScoreOut {
                        requirement: x.requirement,
                        score: x.score,
                        notes: x.notes,
                    })
                    .collect(),
                notes: c.notes,
            })
            .collect(),
    })
}

/// A candidate with the scorecards the caller may see.
#[utoipa::path(tag = TAG, get, path = "/api/v1/candidates/{candidate}", params(("candidate" = i64, Path)), responses(
    (status = 200, body = CandidateDetailOut),
    (status = 403, body = ErrorBody)
))]
pub async fn api_candidate(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
) -> Result<Json<CandidateDetailOut>, ApiError> {
    let view = s.access().candidate(&v, id).await?;
    Ok(Json(candidate_json(&s, &view).await?))
}

/// Submits the caller's scorecard for a stage, once.
#[utoipa::path(tag = TAG, post, path = "/api/v1/candidates/{candidate}/scorecards", params(("candidate" = i64, Path)), request_body = ScorecardIn, responses(
    (status = 200, body = CandidateDetailOut),
    (status = 400, body = ErrorBody),
    (status = 403, body = ErrorBody)
))]
pub async fn api_score(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
    bytes: Bytes,
) -> Result<Json<CandidateDetailOut>, ApiError> {
    let now = s.now();
    let access = s.access();
    let view = access.candidate(&v, id).await?;
    if !view.may_score() {
        return Err(AppError::Forbidden.into());
    }
    let input: ScorecardIn = body(&bytes)?;
    service::score(&s, &view, v.account.id, &input, now).await?;
    Ok(Json(candidate_json(&s, &view).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MoveIn {
    /// `next`, `hired` or `rejected`.
    pub to: String,
}

/// Moves a candidate to the next stage, or hires or rejects them: leads
/// and admins.
#[utoipa::path(tag = TAG, post, path = "/api/v1/candidates/{candidate}/move", params(("candidate" = i64, Path)), request_body = MoveIn, responses(
    (status = 200, body = CandidateDetailOut),
    (status = 400, body = ErrorBody),
    (status = 403, body = ErrorBody)
))]
pub async fn api_move(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
    bytes: Bytes,
) -> Result<Json<CandidateDetailOut>, ApiError> {
    let access = s.access();
    let view = access.candidate(&v, id).await?;
    if !view.may_manage() {
        return Err(AppError::Forbidden.into());
    }
    let m: MoveIn = body(&bytes)?;
    service::move_candidate(&s, &view, &m.to, s.now()).await?;
    let view = access.candidate(&v, id).await?;
    Ok(Json(candidate_json(&s, &view).await?))
}

/// Deletes a candidate and their scorecards: leads and admins. The audit
/// log keeps only that it happened.
#[utoipa::path(tag = TAG, post, path = "/api/v1/candidates/{candidate}/delete", params(("candidate" = i64, Path)), responses(
    (status = 204, description = "Deleted"),
    (status = 403, body = ErrorBody)
))]
pub async fn api_delete(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
) -> Result<Response, ApiError> {
    let view = s.access().candidate(&v, id).await?;
    if !view.may_manage() {
        return Err(AppError::Forbidden.into());
    }
    service::delete_candidate(&view, s.now()).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}
