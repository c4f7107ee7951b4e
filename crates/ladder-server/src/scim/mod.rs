//! SCIM 2.0 provisioning (RFC 7643, RFC 7644) at `/scim/v2`: identity
//! providers (Okta, Entra ID, any SCIM client) create, update, move and
//! deactivate people, and give Ladder's roles through groups.
//!
//! - Authentication: a bearer token per provisioning client, made and
//!   revoked by admins ([`crate::access::Provisioning`]).
//! - Every write goes through the checks of a people import (the
//!   framework's families, levels, specialties; no level change outside a
//!   proposal; no reporting cycle; no email taken twice) and is one store
//!   transaction with its audit entry and event.
//! - Errors are SCIM errors (`status`, `scimType`, `detail` naming the
//!   attribute), with nothing written.

pub mod filter;
pub mod groups;
pub mod model;
pub mod pages;
pub mod patch;
pub mod users;

use crate::AppState;
use crate::access::Provisioning;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// The most resources one list answer holds.
pub const MAX_COUNT: usize = 200;
/// The media type of SCIM bodies.
pub const MEDIA: &str = "application/scim+json";

/// A SCIM error response (RFC 7644 §3.12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimError {
    pub status: u16,
    /// `invalidValue`, `invalidSyntax`, `uniqueness`, `mutability`,
    /// `invalidFilter`, `invalidPath`, `noTarget`, or empty.
    pub scim_type: String,
    pub detail: String,
}

impl ScimError {
    pub fn new(status: u16, scim_type: &str, detail: &str) -> ScimError {
        ScimError {
            status,
            scim_type: scim_type.to_owned(),
            detail: detail.to_owned(),
        }
    }

    pub fn invalid_value(attr: &str, what: &str) -> ScimError {
        ScimError::new(400, "invalidValue", &format!("{attr}: {what}"))
    }

    pub fn syntax(detail: &str) -> ScimError {
        ScimError::new(400, "invalidSyntax", detail)
    }

    pub fn unknown(attr: &str) -> ScimError {
        ScimError::new(
            400,
            "invalidSyntax",
            &format!(
                "{attr}: Ladder's User schema has no such attribute; GET /scim/v2/Schemas lists those it takes"
            ),
        )
    }

    pub fn not_found(what: &str) -> ScimError {
        ScimError::new(404, "", &format!("{what} was not found"))
    }
}

impl From<crate::AppError> for ScimError {
    fn from(e: crate::AppError) -> ScimError {
        match e {
            crate::AppError::NotSignedIn => ScimError::new(
                401,
                "",
                "send a live provisioning token as `Authorization: Bearer <token>`; admins make them on the Provisioning page",
            ),
            crate::AppError::NotFound => ScimError::not_found("the resource"),
            crate::AppError::Forbidden => ScimError::new(403, "", "not allowed"),
            crate::AppError::BadRequest(m) => ScimError::new(400, "invalidValue", &m),
            crate::AppError::Conflict(m) => ScimError::new(409, "uniqueness", &m),
            other => {
                other.log();
                ScimError::new(
                    500,
                    "",
                    "something went wrong on Ladder's side; the details are in its log",
                )
            }
        }
    }
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let mut body = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": self.status.to_string(),
            "detail": self.detail,
        });
        if !self.scim_type.is_empty() {
            put(&mut body, "scimType", json!(self.scim_type));
        }
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        let mut r = scim_json(status, &body);
        if self.status == 401 {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"ladder-scim\""),
            );
        }
        r
    }
}

/// A SCIM JSON answer.
pub fn scim_json(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(MEDIA))],
        body.to_string(),
    )
        .into_response()
}

/// The provisioning client of a request, from its bearer token.
pub async fn client<'a>(
    s: &'a AppState,
    headers: &HeaderMap,
) -> Result<Provisioning<'a>, ScimError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .ok_or(crate::AppError::NotSignedIn)?;
    Ok(s.access().provisioning(token, s.now()).await?)
}

/// A request body as JSON; a malformed one is a SCIM error.
pub fn body(bytes: &[u8]) -> Result<Value, ScimError> {
    serde_json::from_slice(bytes).map_err(|e| {
        ScimError::syntax(&format!(
            "the body is not JSON ({e}); send a SCIM resource as application/scim+json"
        ))
    })
}

/// Where links in resources point.
pub fn base(s: &AppState) -> String {
    s.settings()
        .notify
        .public_url
        .trim_end_matches('/')
        .to_owned()
}

/// A list answer (RFC 7644 §3.4.2) of `items`, from `start` (1-based) for
/// `count`.
pub fn list(items: Vec<Value>, start: usize, count: usize) -> Response {
    let total = items.len();
    let page: Vec<Value> = items
        .into_iter()
        .skip(start.saturating_sub(1))
        .take(count)
        .collect();
    scim_json(
        StatusCode::OK,
        &json!({
            "schemas": [model::LIST],
            "totalResults": total,
            "startIndex": start,
            "itemsPerPage": page.len(),
            "Resources": page,
        }),
    )
}

/// Paging and filtering of a list request.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ListQuery {
    pub filter: Option<String>,
    #[serde(rename = "startIndex")]
    pub start_index: Option<String>,
    pub count: Option<String>,
}

impl ListQuery {
    /// (filter, startIndex, count), checked.
    pub fn read(&self) -> Result<(Option<filter::Filter>, usize, usize), ScimError> {
        let f = match self.filter.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(f) => Some(
                filter::Filter::parse(f)
                    .map_err(|e| ScimError::new(400, "invalidFilter", &format!("filter: {e}")))?,
            ),
        };
        let number = |v: &Option<String>, name: &str, default: usize| -> Result<usize, ScimError> {
            match v.as_deref() {
                None | Some("") => Ok(default),
                Some(t) => t
                    .trim()
                    .parse::<i64>()
                    .map(|n| usize::try_from(n.max(0)).unwrap_or(0))
                    .map_err(|_| ScimError::invalid_value(name, "must be a whole number")),
            }
        };
        let start = number(&self.start_index, "startIndex", 1)?.max(1);
        let count = number(&self.count, "count", MAX_COUNT)?.min(MAX_COUNT);
        Ok((f, start, count))
    }
}

/// `GET /scim/v2/ServiceProviderConfig`.
pub async fn service_provider_config(
    axum::extract::State(s): axum::extract::State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ScimError> {
    client(&s, &headers).await?;
    Ok(scim_json(
        StatusCode::OK,
        &model::service_provider_config(&base(&s)),
    ))
}

/// `GET /scim/v2/ResourceTypes`.
pub async fn resource_types(
    axum::extract::State(s): axum::extract::State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ScimError> {
    client(&s, &headers).await?;
    let all = model::resource_types(&base(&s));
    let n = all.len();
    Ok(list(all, 1, n))
}

/// `GET /scim/v2/ResourceTypes/{id}`.
pub async fn resource_type(
    axum::extract::State(s): axum::extract::State<AppState>,
    headers: HeaderMap,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, ScimError> {
    client(&s, &headers).await?;
    model::resource_types(&base(&s))
        .into_iter()
        .find(|r| {
            r["id"]
                .as_str()
                .is_some_and(|x| x.eq_ignore_ascii_case(&id))
        })
        .map(|r| scim_json(StatusCode::OK, &r))
        .ok_or_else(|| ScimError::not_found(&format!("resource type {id}")))
}

/// Any other path under `/scim/v2`: a SCIM 404.
pub async fn unknown(
    axum::extract::State(s): axum::extract::State<AppState>,
    headers: HeaderMap,
    axum::extract::Path(rest): axum::extract::Path<String>,
) -> Result<Response, ScimError> {
    client(&s, &headers).await?;
    Err(ScimError::not_found(&format!(
        "/scim/v2/{rest}: Ladder serves Users, Groups, Schemas, ResourceTypes and ServiceProviderConfig"
    )))
}

/// `GET /scim/v2/Schemas`.
pub async fn schemas(
    axum::extract::State(s): axum::extract::State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ScimError> {
    client(&s, &headers).await?;
    let fw = s.framework();
    let all = model::schemas(&base(&s), &fw.framework);
    let n = all.len();
    Ok(list(all, 1, n))
}

/// `GET /scim/v2/Schemas/{id}`.
pub async fn schema(
    axum::extract::State(s): axum::extract::State<AppState>,
    headers: HeaderMap,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, ScimError> {
    client(&s, &headers).await?;
    let fw = s.framework();
    model::schemas(&base(&s), &fw.framework)
        .into_iter()
        .find(|r| {
            r["id"]
                .as_str()
                .is_some_and(|x| x.eq_ignore_ascii_case(&id))
        })
        .map(|r| scim_json(StatusCode::OK, &r))
        .ok_or_else(|| ScimError::not_found(&format!("schema {id}")))
}

/// Sets an attribute of a JSON object (nothing, if it is not an object).
pub fn put(v: &mut Value, key: &str, x: Value) {
    if let Some(o) = v.as_object_mut() {
        o.insert(key.to_owned(), x);
    }
}
