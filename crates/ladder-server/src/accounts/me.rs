//! The account's own page (`/me/account`: password, sessions, API tokens,
//! signing out everywhere) and the forgotten-password pages
//! (`/password/forgot`, `/password/reset/{token}`).

use super::pages::{check_pre, pre_token, session_cookie, with_pre};
use crate::access::Viewer;
use crate::auth::{Client, token_hash};
use crate::http::Fields;
use crate::http::page::{Chrome, FormError, form_page, page, when};
use crate::{AppError, AppState};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use ladder_store::Id;
use serde::Deserialize;

/// A `User-Agent` in a few words: the browser and the system.
pub(crate) fn browser_words(agent: &str) -> String {
    if agent.is_empty() {
        return "Unknown browser".to_owned();
    }
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ]
    .iter()
    .find(|(k, _)| agent.contains(k))
    .map_or("A browser", |(_, n)| n);
    let system = [
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(k, _)| agent.contains(k))
    .map(|(_, n)| *n);
    match system {
        Some(sys) => format!("{browser} on {sys}"),
        None => browser.to_owned(),
    }
}

struct SessionRow {
    hash: String,
    started: String,
    ends: String,
    ip: String,
    browser: String,
    current: bool,
}

struct TokenRow {
    id: Id,
    name: String,
    created: String,
    last_used: String,
    expires: String,
    expired: bool,
}

#[derive(Template)]
#[template(path = "accounts/account.html")]
struct AccountPage {
    chrome: Chrome,
    has_password: bool,
    sessions: Vec<SessionRow>,
    tokens: Vec<TokenRow>,
    token_days: i64,
    /// A token just made, shown once.
    new_token: Option<String>,
    notice: Option<String>,
    error: Option<FormError>,
    /// What the refused token form held.
    token_name: String,
}

#[derive(Deserialize, Default)]
pub struct AccountQuery {
    done: Option<String>,
}

async fn account_page(
    s: &AppState,
    v: &Viewer,
    notice: Option<String>,
    error: Option<FormError>,
    new_token: Option<String>,
    token_name: String,
) -> Result<Response, AppError> {
    let now = s.now();
    let auth = s.auth();
    let (sessions, current) = auth.my_sessions(v, now).await?;
    let tokens = auth.my_tokens(v).await?;
    form_page(
        error.is_some(),
        &AccountPage {
            chrome: Chrome::new("Your account", Some(v)),
            has_password: v.account.password_hash.is_some(),
            sessions: sessions
                .into_iter()
                .map(|x| SessionRow {
                    current: current.as_deref() == Some(x.token_hash.as_str()),
                    hash: x.token_hash,
                    started: when(x.created_at),
                    ends: when(x.expires_at),
                    ip: if x.ip.is_empty() {
                        "Unknown".to_owned()
                    } else {
                        x.ip
                    },
                    browser: browser_words(&x.agent),
                })
                .collect(),
            tokens: tokens
                .into_iter()
                .map(|t| TokenRow {
                    id: t.id,
                    name: t.name,
                    created: when(t.created_at),
                    last_used: t.last_used_at.map_or_else(|| "Never".to_owned(), when),
                    expires: t.expires_at.map_or_else(|| "Never".to_owned(), when),
                    expired: t.expires_at.is_some_and(|e| e <= now),
                })
                .collect(),
            token_days: s.settings().sign_in.token_days,
            new_token,
            notice,
            error,
            token_name,
        },
    )
}

pub async fn account(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<AccountQuery>,
) -> Result<Response, AppError> {
    let notice = match q.done.as_deref() {
        Some("password") => Some("Your password is changed. Your other sessions have ended."),
        Some("session") => Some("That session has ended."),
        Some("token") => Some("That token is revoked."),
        _ => None,
    };
    account_page(&s, &v, notice.map(str::to_owned), None, None, String::new()).await
}

pub async fn change_password(
    State(s): State<AppState>,
    v: Viewer,
    body: Bytes,
) -> Result<Response, AppError> {
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    match s
        .auth()
        .change_password(
            &v,
            f.get("current_password"),
            f.get("new_password"),
            f.get("confirm"),
            s.now(),
        )
        .await
    {
        Ok(()) => Ok(Redirect::to("/me/account?done=password").into_response()),
        Err(AppError::BadRequest(m)) => {
            account_page(&s, &v, None, Some(FormError::new(&m)), None, String::new()).await
        }
        Err(e) => Err(e),
    }
}

pub async fn end_session(
    State(s): State<AppState>,
    v: Viewer,
    body: Bytes,
) -> Result<Response, AppError> {
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    let hash = f.get("session");
    s.auth().end_my_session(&v, hash, s.now()).await?;
    if v.session_token().map(token_hash).as_deref() == Some(hash) {
        return Ok(signed_out(&s));
    }
    Ok(Redirect::to("/me/account?done=session").into_response())
}

fn signed_out(s: &AppState) -> Response {
    let mut res = Redirect::to("/login?signed-out").into_response();
    res.headers_mut()
        .append(header::SET_COOKIE, session_cookie(s, "", 0));
    res
}

pub async fn sign_out_everywhere(
    State(s): State<AppState>,
    v: Viewer,
    body: Bytes,
) -> Result<Response, AppError> {
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    s.auth().sign_out_everywhere(&v, s.now()).await?;
    Ok(signed_out(&s))
}

pub async fn create_token(
    State(s): State<AppState>,
    v: Viewer,
    body: Bytes,
) -> Result<Response, AppError> {
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    let days = match f.get("days").trim() {
        "" => None,
        d => Some(d.parse::<i64>().map_err(|_| {
            AppError::BadRequest("expires_in_days: choose how many days the token works".to_owned())
        })?),
    };
    let name = f.get("name");
    match s
        .auth()
        .create_api_token(&v.account, name, days, &v.ip, s.now())
        .await
    {
        Ok((token, _)) => {
            let notice =
                "Copy the token now: Ladder keeps only its fingerprint and cannot show it again.";
            account_page(
                &s,
                &v,
                Some(notice.to_owned()),
                None,
                Some(token),
                String::new(),
            )
            .await
        }
        Err(AppError::BadRequest(m)) => {
            account_page(
                &s,
                &v,
                None,
                Some(FormError::new(&m)),
                None,
                name.to_owned(),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

pub async fn revoke_token(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    body: Bytes,
) -> Result<Response, AppError> {
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    s.auth().revoke_my_token(&v, id, s.now()).await?;
    Ok(Redirect::to("/me/account?done=token").into_response())
}

#[derive(Template)]
#[template(path = "accounts/forgot.html")]
struct ForgotPage {
    chrome: Chrome,
    pre: String,
    email: String,
    sent: bool,
    error: Option<String>,
    /// The server has an SMTP server to send the link through.
    mails: bool,
}

pub async fn forgot_form(
    State(s): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (pre, fresh) = pre_token(&headers)?;
    let res = page(&ForgotPage {
        chrome: Chrome::new("Forgot your password", None),
        pre: pre.clone(),
        email: String::new(),
        sent: false,
        error: None,
        mails: s.sender().sends_email(),
    })?;
    Ok(with_pre(&s, &pre, fresh, res))
}

pub async fn forgot(
    State(s): State<AppState>,
    client: Client,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let f = Fields::parse(&body);
    check_pre(&headers, f.get("csrf"))?;
    let email = f.get("email");
    let outcome = s.auth().request_reset(&s, email, &client, s.now()).await;
    let error = match outcome {
        Ok(()) => None,
        Err(AppError::BadRequest(m)) => Some(crate::http::page::in_words(&m)),
        Err(e) => return Err(e),
    };
    form_page(
        error.is_some(),
        &ForgotPage {
            chrome: Chrome::new("Forgot your password", None),
            pre: f.get("csrf").to_owned(),
            email: email.to_owned(),
            sent: error.is_none(),
            error,
            mails: s.sender().sends_email(),
        },
    )
}

#[derive(Template)]
#[template(path = "accounts/reset.html")]
struct ResetPage {
    chrome: Chrome,
    pre: String,
    token: String,
    works: bool,
    error: Option<FormError>,
}

pub async fn reset_form(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let works = s.auth().reset_link_works(&token, s.now()).await?;
    let (pre, fresh) = pre_token(&headers)?;
    let res = form_page(
        !works,
        &ResetPage {
            chrome: Chrome::new("Set a new password", None),
            pre: pre.clone(),
            token,
            works,
            error: None,
        },
    )?;
    Ok(with_pre(&s, &pre, fresh, res))
}

pub async fn reset(
    State(s): State<AppState>,
    client: Client,
    headers: HeaderMap,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let f = Fields::parse(&body);
    check_pre(&headers, f.get("csrf"))?;
    let now = s.now();
    match s
        .auth()
        .reset_password(
            &token,
            f.get("new_password"),
            f.get("confirm"),
            &client,
            now,
        )
        .await
    {
        Ok(()) => Ok(Redirect::to("/login?reset").into_response()),
        Err(AppError::BadRequest(m)) => {
            let works = s.auth().reset_link_works(&token, now).await?;
            form_page(
                true,
                &ResetPage {
                    chrome: Chrome::new("Set a new password", None),
                    pre: f.get("csrf").to_owned(),
                    token,
                    works,
                    error: Some(FormError::new(&m)),
                },
            )
        }
        Err(e) => Err(e),
    }
}
