//! `/api/v1` for accounts: who is signed in, API tokens.

use crate::http::api::{ApiError, ApiViewer, ErrorBody, PersonOut, person_out};
use crate::{AppError, AppState};
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountOut {
    pub email: String,
    pub name: String,
    /// `admin`, `people`, `editor`; empty for members.
    pub roles: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeOut {
    pub account: AccountOut,
    pub person: Option<PersonOut>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenIn {
    /// What the token is for, e.g. `nightly sync`.
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenOut {
    /// Shown once; send it as `Authorization: Bearer <token>`.
    pub token: String,
}

/// The signed-in account and its person.
#[utoipa::path(get, path = "/api/v1/me", responses(
    (status = 200, body = MeOut),
    (status = 401, body = ErrorBody)
))]
pub async fn me(ApiViewer(v): ApiViewer) -> Json<MeOut> {
    let roles = v.roles().encode();
    Json(MeOut {
        account: AccountOut {
            email: v.account.email.clone(),
            name: v.account.name.clone(),
            roles: roles
                .split(',')
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect(),
        },
        person: v.person.as_ref().map(person_out),
    })
}

/// Makes an API token for the signed-in account.
#[utoipa::path(post, path = "/api/v1/tokens", request_body = TokenIn, responses(
    (status = 200, body = TokenOut),
    (status = 401, body = ErrorBody),
    (status = 403, description = "Cookie auth without the X-CSRF-Token header", body = ErrorBody)
))]
pub async fn create_token(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Json(t): Json<TokenIn>,
) -> Result<Json<TokenOut>, ApiError> {
    if t.name.trim().is_empty() {
        return Err(ApiError(AppError::BadRequest(
            "name: give the token a name".to_owned(),
        )));
    }
    let token = s
        .auth()
        .create_api_token(&v.account, t.name.trim(), &v.ip, s.now())
        .await?;
    Ok(Json(TokenOut { token }))
}
