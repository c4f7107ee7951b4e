//! `/me/notifications` (a person's own choices) and `/admin/deliveries`
//! (the delivery log and the chat webhooks, for admins and the people
//! team; webhooks are registered and removed by admins).

use super::render::KINDS;
use crate::access::{Viewer, is_public};
use crate::http::Fields;
use crate::http::page::{Chrome, form_page, when};
use crate::{AppError, AppState};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use ladder_store::{Delivery, Id, Message};

#[derive(Template)]
#[template(path = "notify/prefs.html")]
struct PrefsPage {
    chrome: Chrome,
    /// (kind, label, choice)
    kinds: Vec<(&'static str, &'static str, &'static str)>,
    saved: bool,
    error: Option<String>,
}

pub async fn prefs(State(s): State<AppState>, v: Viewer) -> Result<Response, AppError> {
    let mine = s.access().my_notification_prefs(&v).await?;
    prefs_page(&v, &mine, false, None)
}

fn prefs_page(
    v: &Viewer,
    mine: &[(String, Delivery)],
    saved: bool,
    error: Option<String>,
) -> Result<Response, AppError> {
    let choice = |k: &str| {
        mine.iter()
            .find(|(kind, _)| kind == k)
            .map_or("now", |(_, d)| d.as_str())
    };
    form_page(
        error.is_some(),
        &PrefsPage {
            chrome: Chrome::new("Notifications", Some(v)),
            kinds: KINDS
                .iter()
                .map(|(k, label)| (*k, *label, choice(k)))
                .collect(),
            saved,
            error,
        },
    )
}

/// Reads one `now|digest|off` per kind; a kind left out is `now`.
pub(crate) fn parse_prefs(f: &Fields) -> Result<Vec<(String, Delivery)>, AppError> {
    let mut out = Vec::new();
    for (kind, _) in KINDS {
        let value = f.get(kind);
        if value.is_empty() {
            continue;
        }
        let d = Delivery::parse(value).ok_or_else(|| {
            AppError::BadRequest(format!(
                "{kind}: `{value}` is not a choice; use now, digest or off"
            ))
        })?;
        if d != Delivery::Now {
            out.push(((*kind).to_owned(), d));
        }
    }
    Ok(out)
}

pub async fn save_prefs(
    State(s): State<AppState>,
    v: Viewer,
    body: Bytes,
) -> Result<Response, AppError> {
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    match parse_prefs(&f) {
        Ok(prefs) => {
            s.access()
                .set_my_notification_prefs(&v, &prefs, s.now())
                .await?;
            prefs_page(&v, &prefs, true, None)
        }
        Err(AppError::BadRequest(e)) => {
            let typed: Vec<(String, Delivery)> = KINDS
                .iter()
                .filter_map(|(k, _)| Some(((*k).to_owned(), Delivery::parse(f.get(k))?)))
                .collect();
            prefs_page(&v, &typed, false, Some(e))
        }
        Err(e) => Err(e),
    }
}

/// One row of the delivery log.
struct Row {
    id: Id,
    kind: String,
    channel: &'static str,
    to: String,
    created: String,
    state: &'static str,
    attempts: i64,
    error: String,
    sent: String,
    resend: bool,
}

impl From<&Message> for Row {
    fn from(m: &Message) -> Row {
        Row {
            id: m.id,
            kind: m.new.kind.clone(),
            channel: m.new.channel.as_str(),
            to: m.new.address.clone(),
            created: when(m.created_at),
            state: m.new.state.as_str(),
            attempts: m.attempts,
            error: m.last_error.clone().unwrap_or_default(),
            sent: m.sent_at.map(when).unwrap_or_default(),
            resend: matches!(
                m.new.state,
                ladder_store::MessageState::Sent | ladder_store::MessageState::Failed
            ),
        }
    }
}

#[derive(Template)]
#[template(path = "notify/deliveries.html")]
struct DeliveriesPage {
    chrome: Chrome,
    counts: Vec<(&'static str, i64)>,
    email: bool,
    /// (id, url, kinds, failing, failures)
    hooks: Vec<(Id, String, String, bool, i64)>,
    rows: Vec<Row>,
    public_kinds: Vec<&'static str>,
    /// What the webhook form was given, kept when it fails.
    hook_url: String,
    hook_kinds: String,
    message: Option<String>,
    error: Option<String>,
}

pub async fn deliveries(State(s): State<AppState>, v: Viewer) -> Result<Response, AppError> {
    deliveries_page(&s, &v, None, None, ("", "*")).await
}

async fn deliveries_page(
    s: &AppState,
    v: &Viewer,
    message: Option<String>,
    error: Option<String>,
    typed: (&str, &str),
) -> Result<Response, AppError> {
    let log = s.access().delivery_log(v)?;
    let failed = error.is_some();
    form_page(
        failed,
        &DeliveriesPage {
            chrome: Chrome::new("Deliveries", Some(v)),
            counts: log
                .counts()
                .await?
                .into_iter()
                .map(|(st, n)| (st.as_str(), n))
                .collect(),
            email: s.sender().sends_email(),
            hooks: log
                .webhooks()
                .await?
                .into_iter()
                .map(|h| (h.id, h.url, h.kinds.join(", "), h.failing, h.failures))
                .collect(),
            rows: log
                .messages(None, 200)
                .await?
                .iter()
                .map(Row::from)
                .collect(),
            public_kinds: KINDS
                .iter()
                .map(|(k, _)| *k)
                .filter(|k| is_public(k))
                .collect(),
            hook_url: typed.0.to_owned(),
            hook_kinds: typed.1.to_owned(),
            message,
            error,
        },
    )
}

pub async fn resend(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    body: Bytes,
) -> Result<Response, AppError> {
    let log = s.access().delivery_log(&v)?;
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    match log.resend(id, s.now()).await {
        Ok(()) => Ok(Redirect::to("/admin/deliveries").into_response()),
        Err(AppError::BadRequest(e)) => deliveries_page(&s, &v, None, Some(e), ("", "*")).await,
        Err(e) => Err(e),
    }
}

/// Checks a webhook's URL and kinds.
pub(crate) fn check_webhook(url: &str, kinds: &str) -> Result<(String, Vec<String>), AppError> {
    let url = url.trim();
    let parsed = reqwest::Url::parse(url).map_err(|e| {
        AppError::BadRequest(format!(
            "url: `{url}` is not a URL ({e}); give the full https://… address"
        ))
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(AppError::BadRequest(format!(
            "url: `{url}` is not an http(s) URL"
        )));
    }
    let mut out = Vec::new();
    for k in kinds
        .split([',', ' '])
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        if k != "*" && !is_public(k) {
            let known: Vec<&str> = KINDS
                .iter()
                .map(|(k, _)| *k)
                .filter(|k| is_public(k))
                .collect();
            let hint = ladder_framework::similar::did_you_mean(k, known.iter().copied())
                .map_or_else(String::new, |m| format!("; did you mean `{m}`?"));
            return Err(AppError::BadRequest(format!(
                "kinds: `{k}` is not a kind chat may carry (use * or {}){hint}",
                known.join(", ")
            )));
        }
        out.push(k.to_owned());
    }
    if out.is_empty() {
        out.push("*".to_owned());
    }
    Ok((url.to_owned(), out))
}

pub async fn add_webhook(
    State(s): State<AppState>,
    v: Viewer,
    body: Bytes,
) -> Result<Response, AppError> {
    let log = s.access().delivery_log(&v)?;
    log.require_admin()?;
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    let (url, kinds) = (f.get("url"), f.get("kinds"));
    let checked = check_webhook(url, kinds);
    let (url_ok, kinds_ok) = match checked {
        Ok(c) => c,
        Err(AppError::BadRequest(e)) => {
            return deliveries_page(&s, &v, None, Some(e), (url, kinds)).await;
        }
        Err(e) => return Err(e),
    };
    let secret = crate::auth::random_token()?;
    log.add_webhook(&url_ok, &kinds_ok, &secret, s.now())
        .await?;
    deliveries_page(
        &s,
        &v,
        Some(format!(
            "Webhook added. Its signing secret, shown once: {secret} (Ladder signs each body with HMAC-SHA256 under it, in the {} header).",
            super::send::SIGNATURE_HEADER
        )),
        None,
        ("", "*"),
    )
    .await
}

pub async fn delete_webhook(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    body: Bytes,
) -> Result<Response, AppError> {
    let log = s.access().delivery_log(&v)?;
    log.require_admin()?;
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    log.delete_webhook(id, s.now()).await?;
    Ok(Redirect::to("/admin/deliveries").into_response())
}
