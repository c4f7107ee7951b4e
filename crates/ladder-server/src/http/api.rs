//! The API's side of HTTP: its error type and JSON error bodies, the
//! viewer extractor (cookie or bearer token, with the CSRF header check),
//! and the wire type for a person that every feature's API returns.

use crate::access::{MaybeViewer, Viewer};
use crate::{AppError, AppState};
use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use ladder_store::{Id, Person};
use serde::Serialize;
use utoipa::ToSchema;

/// An [`AppError`] answered as JSON.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        ApiError(e)
    }
}

impl From<ladder_store::StoreError> for ApiError {
    fn from(e: ladder_store::StoreError) -> ApiError {
        ApiError(e.into())
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, for programs: `not_signed_in`, `forbidden`, `not_found`,
    /// `bad_request`, `conflict` (it exists already), `stale` (someone saved
    /// first; see `current`), `csrf`, `too_many_attempts`, `invalid_rows`,
    /// `internal`, `upstream`.
    pub code: String,
    /// For people.
    pub message: String,
    /// For `invalid_rows`: every problem in the uploaded file.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<RowProblem>,
    /// For `stale` (409): what the other side saved, to merge with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<CurrentOut>,
}

/// The version that is stored now, after someone else's save.
#[derive(Debug, Serialize, ToSchema)]
pub struct CurrentOut {
    pub version: i64,
    pub text: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RowProblem {
    pub row: u32,
    pub column: String,
    pub value: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.0.code().to_owned(),
                message: self.0.to_string(),
                problems: Vec::new(),
                current: match &self.0 {
                    AppError::Stale { version, text } => Some(CurrentOut {
                        version: *version,
                        text: text.clone(),
                    }),
                    _ => None,
                },
            },
        };
        (self.0.status(), Json(body)).into_response()
    }
}

/// A signed-in viewer, or a JSON 401.
#[derive(Debug)]
pub struct ApiViewer(pub Viewer);

impl FromRequestParts<AppState> for ApiViewer {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<ApiViewer, ApiError> {
        MaybeViewer::from_request_parts(parts, state)
            .await?
            .0
            .map(ApiViewer)
            .ok_or(ApiError(AppError::NotSignedIn))
    }
}

/// A person as the directory shows them.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonOut {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub department: String,
    pub family: String,
    pub level: String,
    pub specialty: Option<String>,
    pub location: String,
    pub manager_id: Option<i64>,
    pub active: bool,
}

impl From<crate::access::DirectoryEntry> for PersonOut {
    fn from(e: crate::access::DirectoryEntry) -> PersonOut {
        PersonOut {
            id: e.id,
            name: e.name,
            email: e.email,
            department: e.department,
            family: e.family,
            level: e.level,
            specialty: e.specialty,
            location: e.location,
            manager_id: e.manager_id,
            active: e.active,
        }
    }
}

pub(crate) fn person_out(p: &Person) -> PersonOut {
    crate::access::DirectoryEntry::from(p).into()
}

/// 422 for a file refused whole, with every bad cell.
pub(crate) fn rows_refused(errors: Vec<ladder_org::people_csv::RowError>) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: "invalid_rows".to_owned(),
            message: format!(
                "nothing was changed: {} problem(s) in the file",
                errors.len()
            ),
            problems: errors
                .into_iter()
                .map(|e| RowProblem {
                    row: e.row,
                    column: e.column,
                    value: e.value,
                    message: e.message,
                    fix: e.fix,
                })
                .collect(),
            current: None,
        },
    };
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedOut {
    pub id: Id,
}
