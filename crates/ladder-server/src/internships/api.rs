//! `/api/v1` for internships.

use super::service::{self, *};
use crate::access::InternshipView;
use crate::http::api::{ApiError, ApiViewer, ErrorBody};
use crate::http::body;
use crate::{AppError, AppState};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use ladder_store::{Id, Internship};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The OpenAPI tag of these operations: the module that held them before
/// the feature folders, kept so that `openapi.json` does not change.
const TAG: &str = "crate::internships";

#[derive(Debug, Serialize, ToSchema)]
pub struct InternshipOut {
    pub id: Id,
    pub person_id: Id,
    pub person: String,
    pub host_department: String,
    pub mentor_id: Id,
    pub mentor: String,
    pub goals: String,
    pub competencies: Vec<String>,
    pub share: i64,
    pub start_date: String,
    pub end_date: String,
    pub activities: Vec<ActivityInput>,
    /// `requested`, `approved`, `declined` or `completed`.
    pub state: String,
}

fn out(i: &Internship, person: &str, mentor: &str) -> InternshipOut {
    InternshipOut {
        id: i.id,
        person_id: i.new.person_id,
        person: person.to_owned(),
        host_department: i.new.host_department.clone(),
        mentor_id: i.new.mentor_id,
        mentor: mentor.to_owned(),
        goals: i.new.goals.clone(),
        competencies: i.new.competencies.clone(),
        share: i.new.share,
        start_date: i.new.start_date.clone(),
        end_date: i.new.end_date.clone(),
        activities: i
            .new
            .activities
            .iter()
            .map(|a| ActivityInput {
                kind: a.kind.clone(),
                detail: a.detail.clone(),
            })
            .collect(),
        state: i.state.as_str().to_owned(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LogOut {
    pub date: String,
    pub author: String,
    pub text: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MovedOut {
    pub statement_id: String,
    pub self_rating: Option<i32>,
    pub manager_rating: Option<i32>,
}

/// One internship with what only its parties see.
#[derive(Debug, Serialize, ToSchema)]
pub struct InternshipDetailOut {
    #[serde(flatten)]
    pub internship: InternshipOut,
    pub access: String,
    pub manager_decision: Option<String>,
    pub host_decision: Option<String>,
    pub log: Vec<LogOut>,
    pub outcome: String,
    pub moved: Vec<MovedOut>,
}

async fn detail(view: &InternshipView<'_>) -> Result<InternshipDetailOut, AppError> {
    let i = &view.internship;
    let decision = |d: &Option<ladder_store::Decision>| {
        d.as_ref()
            .map(|d| if d.approved { "approved" } else { "declined" }.to_owned())
    };
    Ok(InternshipDetailOut {
        internship: out(i, &view.intern.record.name, &view.mentor.record.name),
        access: i.new.access.clone(),
        manager_decision: decision(&i.manager),
        host_decision: decision(&i.host),
        log: view
            .log()
            .await?
            .into_iter()
            .map(|e| LogOut {
                date: e.date,
                author: view.name(e.author_id),
                text: e.text,
            })
            .collect(),
        outcome: i.outcome.clone(),
        moved: i
            .moved
            .iter()
            .map(|m| MovedOut {
                statement_id: m.statement_id.clone(),
                self_rating: m.self_rating,
                manager_rating: m.manager_rating,
            })
            .collect(),
    })
}

/// Who interns where, with whom, to learn what. Never the log or outcome.
#[utoipa::path(tag = TAG, get, path = "/api/v1/internships", responses((status = 200, body = [InternshipOut])))]
pub async fn api_board(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
) -> Result<Json<Vec<InternshipOut>>, ApiError> {
    let board = s.access().internship_board(&v).await?;
    Ok(Json(
        board
            .iter()
            .map(|b| out(&b.internship, &b.intern.record.name, &b.mentor.record.name))
            .collect(),
    ))
}

/// Asks for an internship for the signed-in person.
#[utoipa::path(tag = TAG, post, path = "/api/v1/internships", request_body = InternshipInput, responses(
    (status = 200, body = InternshipDetailOut),
    (status = 400, body = ErrorBody, description = "The message names the field"),
    (status = 403, body = ErrorBody, description = "The account has no person")
))]
pub async fn api_request(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    bytes: Bytes,
) -> Result<Json<InternshipDetailOut>, ApiError> {
    v.person_id().ok_or(AppError::Forbidden)?;
    let input: InternshipInput = body(&bytes)?;
    let access = s.access();
    let id = service::request(access, &v, &input, &s.framework().framework, s.now()).await?;
    let view = access.internship(&v, id).await?;
    Ok(Json(detail(&view).await?))
}

/// One internship with its log and outcome: its parties only.
#[utoipa::path(tag = TAG, get, path = "/api/v1/internships/{internship}", params(("internship" = i64, Path)), responses(
    (status = 200, body = InternshipDetailOut),
    (status = 403, body = ErrorBody)
))]
pub async fn api_show(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
) -> Result<Json<InternshipDetailOut>, ApiError> {
    let view = s.access().internship(&v, id).await?;
    Ok(Json(detail(&view).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct InternshipDecisionIn {
    pub approve: bool,
    #[serde(default)]
    pub comment: String,
}

/// The home manager's or the host's decision.
#[utoipa::path(tag = TAG, post, path = "/api/v1/internships/{internship}/decisions", params(("internship" = i64, Path)), request_body = InternshipDecisionIn, responses(
    (status = 200, body = InternshipDetailOut),
    (status = 400, body = ErrorBody),
    (status = 403, body = ErrorBody)
))]
pub async fn api_decide(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
    bytes: Bytes,
) -> Result<Json<InternshipDetailOut>, ApiError> {
    let access = s.access();
    let view = access.internship(&v, id).await?;
    if view.parts.decides().is_none() {
        return Err(AppError::Forbidden.into());
    }
    let d: InternshipDecisionIn = body(&bytes)?;
    service::decide(&view, d.approve, &d.comment, s.now()).await?;
    let view = access.internship(&v, id).await?;
    Ok(Json(detail(&view).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LogIn {
    pub date: String,
    pub text: String,
}

/// Logs an activity while the internship runs.
#[utoipa::path(tag = TAG, post, path = "/api/v1/internships/{internship}/log", params(("internship" = i64, Path)), request_body = LogIn, responses(
    (status = 200, body = InternshipDetailOut),
    (status = 400, body = ErrorBody),
    (status = 403, body = ErrorBody)
))]
pub async fn api_log(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
    bytes: Bytes,
) -> Result<Json<InternshipDetailOut>, ApiError> {
    let access = s.access();
    let view = access.internship(&v, id).await?;
    if !view.parts.logs() {
        return Err(AppError::Forbidden.into());
    }
    let l: LogIn = body(&bytes)?;
    service::add_log(&view, &l.date, &l.text, s.now()).await?;
    let view = access.internship(&v, id).await?;
    Ok(Json(detail(&view).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CompleteIn {
    pub outcome: String,
    /// Competency statement ids (of the request's) the internship moved;
    /// their worksheet ratings are kept as they stand.
    #[serde(default)]
    pub moved: Vec<String>,
}

/// Ends a running internship with its outcome.
#[utoipa::path(tag = TAG, post, path = "/api/v1/internships/{internship}/complete", params(("internship" = i64, Path)), request_body = CompleteIn, responses(
    (status = 200, body = InternshipDetailOut),
    (status = 400, body = ErrorBody),
    (status = 403, body = ErrorBody)
))]
pub async fn api_complete(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
    bytes: Bytes,
) -> Result<Json<InternshipDetailOut>, ApiError> {
    let access = s.access();
    let view = access.internship(&v, id).await?;
    if !view.parts.completes() {
        return Err(AppError::Forbidden.into());
    }
    let c: CompleteIn = body(&bytes)?;
    service::complete(&view, &c.outcome, &c.moved, s.now()).await?;
    let view = access.internship(&v, id).await?;
    Ok(Json(detail(&view).await?))
}
