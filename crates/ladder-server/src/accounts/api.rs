//! `/api/v1` for accounts: who is signed in, API tokens.

use crate::AppState;
use crate::http::api::{ApiError, ApiViewer, ErrorBody, PersonOut, person_out};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
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
    /// How many days it works, 1 to 366; the server's default (90 unless
    /// configured) when absent.
    #[serde(default)]
    pub expires_in_days: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenOut {
    /// Shown once; send it as `Authorization: Bearer <token>`.
    pub token: String,
    /// Unix seconds; refused from then on.
    pub expires_at: i64,
}

/// One of the account's API tokens (never the token itself).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    /// `None`: it does not expire (made before tokens expired).
    pub expires_at: Option<i64>,
    pub expired: bool,
}

/// One of the account's signed-in browsers.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionInfo {
    /// What ends it: `POST /api/v1/me/sessions/{id}/end`.
    pub id: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub ip: String,
    pub browser: String,
    /// The session making this request.
    pub current: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EndedOut {
    pub sessions: u64,
    pub tokens: u64,
}

pub(crate) fn token_info(t: &ladder_store::ApiToken, now: i64) -> TokenInfo {
    TokenInfo {
        id: t.id,
        name: t.name.clone(),
        created_at: t.created_at,
        last_used_at: t.last_used_at,
        expires_at: t.expires_at,
        expired: t.expires_at.is_some_and(|e| e <= now),
    }
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
    let (token, expires_at) = s
        .auth()
        .create_api_token(&v.account, &t.name, t.expires_in_days, &v.ip, s.now())
        .await?;
    Ok(Json(TokenOut { token, expires_at }))
}

/// The signed-in account's API tokens, newest first.
#[utoipa::path(get, path = "/api/v1/me/tokens", responses(
    (status = 200, body = Vec<TokenInfo>),
    (status = 401, body = ErrorBody)
))]
pub async fn my_tokens(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
) -> Result<Json<Vec<TokenInfo>>, ApiError> {
    let now = s.now();
    let tokens = s.auth().my_tokens(&v).await?;
    Ok(Json(tokens.iter().map(|t| token_info(t, now)).collect()))
}

/// Revokes one of the signed-in account's tokens; it is refused at once.
#[utoipa::path(post, path = "/api/v1/me/tokens/{id}/revoke",
    params(("id" = i64, Path, description = "The token's id")),
    responses(
        (status = 204),
        (status = 400, description = "Not one of the account's tokens", body = ErrorBody),
        (status = 401, body = ErrorBody)
))]
pub async fn revoke_token(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    s.auth().revoke_my_token(&v, id, s.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in account's live sessions, newest first.
#[utoipa::path(get, path = "/api/v1/me/sessions", responses(
    (status = 200, body = Vec<SessionInfo>),
    (status = 401, body = ErrorBody)
))]
pub async fn my_sessions(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
) -> Result<Json<Vec<SessionInfo>>, ApiError> {
    let (sessions, current) = s.auth().my_sessions(&v, s.now()).await?;
    Ok(Json(
        sessions
            .into_iter()
            .map(|x| SessionInfo {
                current: current.as_deref() == Some(x.token_hash.as_str()),
                id: x.token_hash,
                created_at: x.created_at,
                expires_at: x.expires_at,
                ip: x.ip,
                browser: super::me::browser_words(&x.agent),
            })
            .collect(),
    ))
}

/// Ends one of the signed-in account's sessions.
#[utoipa::path(post, path = "/api/v1/me/sessions/{id}/end",
    params(("id" = String, Path, description = "The session's id, from the list")),
    responses(
        (status = 204),
        (status = 400, description = "Not one of the account's sessions", body = ErrorBody),
        (status = 401, body = ErrorBody)
))]
pub async fn end_session(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    s.auth().end_my_session(&v, &id, s.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Signs out everywhere: ends every session of the account and revokes
/// every API token, the one making this request too.
#[utoipa::path(post, path = "/api/v1/me/sign-out-everywhere", responses(
    (status = 200, body = EndedOut),
    (status = 401, body = ErrorBody)
))]
pub async fn sign_out_everywhere(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
) -> Result<Json<EndedOut>, ApiError> {
    let (sessions, tokens) = s.auth().sign_out_everywhere(&v, s.now()).await?;
    Ok(Json(EndedOut { sessions, tokens }))
}
