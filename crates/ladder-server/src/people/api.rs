//! `/api/v1` for people: the directory, a person, role history, imports.

use crate::access::ImportOutcome;
use crate::http::api::{ApiError, ApiViewer, ErrorBody, PersonOut, rows_refused};
use crate::http::paging::PageQuery;
use crate::{AppError, AppState};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct RoleChangeOut {
    pub effective: String,
    pub family: String,
    pub level: String,
    pub specialty: Option<String>,
    pub grade: String,
    pub reason: String,
}

/// What only the person, their managers and the people team see.
#[derive(Debug, Serialize, ToSchema)]
pub struct PrivateOut {
    pub id: i64,
    pub grade: String,
    pub start_date: Option<String>,
    pub history: Vec<RoleChangeOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportOut {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub role_changes: usize,
}

/// A page of the directory.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeoplePage {
    /// In the order of their ids.
    pub people: Vec<PersonOut>,
    /// Send as `cursor` for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Everyone in the directory, a page at a time (`limit`, `cursor`).
#[utoipa::path(get, path = "/api/v1/people", params(PageQuery), responses(
    (status = 200, body = PeoplePage),
    (status = 401, body = ErrorBody)
))]
pub async fn people(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Query(q): Query<PageQuery>,
) -> Result<Json<PeoplePage>, ApiError> {
    let paging = q.paging()?;
    let (rows, next_cursor) = s.access().directory(&v).await?.page(paging);
    Ok(Json(PeoplePage {
        people: rows.into_iter().map(PersonOut::from).collect(),
        next_cursor,
    }))
}

/// One person, as the directory shows them.
#[utoipa::path(get, path = "/api/v1/people/{id}", params(("id" = i64, Path)), responses(
    (status = 200, body = PersonOut),
    (status = 401, body = ErrorBody),
    (status = 404, body = ErrorBody)
))]
pub async fn person(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<i64>,
) -> Result<Json<PersonOut>, ApiError> {
    let p = s
        .access()
        .directory(&v)
        .await?
        .get(id)
        .ok_or(AppError::NotFound)?;
    Ok(Json(p.into()))
}

/// Grade, start date and role history: for the person, their manager
/// chain and the people team only.
#[utoipa::path(get, path = "/api/v1/people/{id}/history", params(("id" = i64, Path)), responses(
    (status = 200, body = PrivateOut),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody)
))]
pub async fn person_history(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<i64>,
) -> Result<Json<PrivateOut>, ApiError> {
    let p = s.access().private(&v, id, s.now()).await?;
    let history = p
        .history()
        .iter()
        .cloned()
        .map(|h| RoleChangeOut {
            effective: h.effective,
            family: h.role.family,
            level: h.role.level,
            specialty: h.role.specialty,
            grade: h.role.grade,
            reason: h.reason,
        })
        .collect();
    Ok(Json(PrivateOut {
        id,
        grade: p.person.record.role.grade.clone(),
        start_date: p.person.record.start_date.map(|d| d.to_string()),
        history,
    }))
}

/// Imports a people CSV (the request body), all or nothing. People team
/// only.
#[utoipa::path(post, path = "/api/v1/people/import", request_body(content = String, content_type = "text/csv"), responses(
    (status = 200, body = ImportOut),
    (status = 403, body = ErrorBody),
    (status = 422, description = "Nothing was changed; `problems` lists every bad cell", body = ErrorBody)
))]
pub async fn import_people(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    body: String,
) -> Result<Response, ApiError> {
    let team = s.access().people_team(&v)?;
    let loaded = s.framework();
    match team.import(&body, &loaded.framework, s.now()).await? {
        ImportOutcome::Applied(sum) => Ok(Json(ImportOut {
            created: sum.created,
            updated: sum.updated,
            unchanged: sum.unchanged,
            role_changes: sum.role_changes,
        })
        .into_response()),
        ImportOutcome::Refused(errors) => Ok(rows_refused(errors)),
    }
}
