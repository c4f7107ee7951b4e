//! Erasing a person at their request: the people team's confirmation page
//! and form, and `POST /api/v1/people/{id}/erase`. The rules are
//! `PeopleTeam::erase`'s; see docs/privacy.md.

use crate::access::Viewer;
use crate::http::api::{ApiError, ApiViewer, ErrorBody};
use crate::http::page::{Chrome, FormError, page};
use crate::http::{Fields, body};
use crate::{AppError, AppState};
use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use ladder_store::Id;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Template)]
#[template(path = "people/erase.html")]
struct ErasePage {
    chrome: Chrome,
    id: Id,
    name: String,
    email: String,
    active: bool,
    typed: String,
    error: Option<FormError>,
}

async fn erase_page(
    s: &AppState,
    v: &Viewer,
    id: Id,
    typed: String,
    error: Option<FormError>,
) -> Result<Response, AppError> {
    let p = s.access().people_team(v)?.erasable(id).await?;
    page(&ErasePage {
        chrome: Chrome::new(&format!("Erase {}", p.record.name), Some(v)),
        id,
        name: p.record.name,
        email: p.record.email,
        active: p.record.active,
        typed,
        error,
    })
}

/// `GET /people/{id}/erase`: what erasing does, and the confirmation.
pub async fn confirm(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
) -> Result<Response, AppError> {
    erase_page(&s, &v, id, String::new(), None).await
}

/// `POST /people/{id}/erase`.
pub async fn erase(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    bytes: Bytes,
) -> Result<Response, AppError> {
    let team = s.access().people_team(&v)?;
    let f = Fields::parse(&bytes);
    v.check_csrf(f.get("csrf"))?;
    let typed = f.get("confirm").to_owned();
    match team.erase(id, &typed, s.now()).await {
        Ok(()) => Ok(Redirect::to(&format!("/people/{id}")).into_response()),
        Err(AppError::BadRequest(m)) => {
            erase_page(&s, &v, id, typed, Some(FormError::new(&m))).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EraseIn {
    /// The person's email, exactly: the confirmation.
    pub confirm: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EraseOut {
    pub erased: Id,
}

#[utoipa::path(post, path = "/api/v1/people/{id}/erase", params(("id" = i64, Path)), request_body = EraseIn, responses(
    (status = 200, body = EraseOut),
    (status = 400, body = ErrorBody, description = "Still active, or `confirm` is not their email"),
    (status = 403, body = ErrorBody, description = "The people team only"),
    (status = 404, body = ErrorBody)
))]
/// Erases a person who has left, at their request: irreversible (see
/// docs/privacy.md for what goes and what stays).
pub async fn api(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
    bytes: Bytes,
) -> Result<Json<EraseOut>, ApiError> {
    let team = s.access().people_team(&v)?;
    let input: EraseIn = body(&bytes)?;
    team.erase(id, &input.confirm, s.now()).await?;
    Ok(Json(EraseOut { erased: id }))
}
