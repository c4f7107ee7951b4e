//! `/admin/provisioning`: admins make a token for each provisioning client
//! (an Okta or Entra ID app), see when each was last used, and revoke it.

use crate::access::Viewer;
use crate::http::Fields;
use crate::http::page::{Chrome, FormError, form_page, when};
use crate::{AppError, AppState};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use ladder_store::Id;

struct ClientRow {
    id: Id,
    name: String,
    made: String,
    last_used: String,
    revoked: Option<String>,
}

#[derive(Template)]
#[template(path = "scim/clients.html")]
struct ClientsPage {
    chrome: Chrome,
    clients: Vec<ClientRow>,
    endpoint: String,
    /// A token just made, shown once.
    token: Option<String>,
    error: Option<FormError>,
    name: String,
}

async fn page(
    s: &AppState,
    v: &Viewer,
    token: Option<String>,
    error: Option<FormError>,
    name: String,
) -> Result<Response, AppError> {
    let clients = s.access().scim_clients(v).await?;
    form_page(
        error.is_some(),
        &ClientsPage {
            chrome: Chrome::new("Provisioning", Some(v)),
            clients: clients
                .into_iter()
                .map(|c| ClientRow {
                    id: c.id,
                    name: c.name,
                    made: when(c.created_at),
                    last_used: c.last_used_at.map_or_else(|| "Never".to_owned(), when),
                    revoked: c.revoked_at.map(when),
                })
                .collect(),
            endpoint: format!("{}/scim/v2", super::base(s)),
            token,
            error,
            name,
        },
    )
}

pub async fn clients(State(s): State<AppState>, v: Viewer) -> Result<Response, AppError> {
    page(&s, &v, None, None, String::new()).await
}

pub async fn create_client(
    State(s): State<AppState>,
    v: Viewer,
    body: Bytes,
) -> Result<Response, AppError> {
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    match s
        .access()
        .create_scim_client(&v, f.get("name"), s.now())
        .await
    {
        Ok(token) => page(&s, &v, Some(token), None, String::new()).await,
        Err(AppError::BadRequest(m)) => {
            page(
                &s,
                &v,
                None,
                Some(FormError::new(&m)),
                f.get("name").to_owned(),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

pub async fn revoke_client(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    body: Bytes,
) -> Result<Response, AppError> {
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    s.access().revoke_scim_client(&v, id, s.now()).await?;
    Ok(Redirect::to("/admin/provisioning").into_response())
}
