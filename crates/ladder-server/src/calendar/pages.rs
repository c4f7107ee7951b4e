//! `/me/calendar` (make or replace your feed's URL) and
//! `/calendar/{token}.ics` (the feed, for calendar apps: the token is the
//! only key).

use crate::access::Viewer;
use crate::http::Fields;
use crate::http::page::{Chrome, page};
use crate::{AppError, AppState};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[derive(Template)]
#[template(path = "calendar/calendar.html")]
struct CalendarPage {
    chrome: Chrome,
    has_feed: bool,
    /// The new URL, shown once after it is made.
    url: Option<String>,
}

pub async fn calendar(State(s): State<AppState>, v: Viewer) -> Result<Response, AppError> {
    page(&CalendarPage {
        chrome: Chrome::new("Calendar feed", Some(&v)),
        has_feed: s.access().has_calendar_token(&v).await?,
        url: None,
    })
}

/// Makes a new feed URL; the old one stops working.
pub async fn rotate(
    State(s): State<AppState>,
    v: Viewer,
    body: Bytes,
) -> Result<Response, AppError> {
    if v.person.is_none() {
        return Err(AppError::Forbidden);
    }
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    let token = crate::auth::random_token()?;
    s.access()
        .rotate_calendar_token(&v, &hash(&token), s.now())
        .await?;
    let base = s.settings().notify.public_url.trim_end_matches('/');
    page(&CalendarPage {
        chrome: Chrome::new("Calendar feed", Some(&v)),
        has_feed: true,
        url: Some(format!("{base}/calendar/{token}.ics")),
    })
}

/// The feed. An unknown or replaced token, or a leaver's, is 404.
pub async fn feed(
    State(s): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    let token = file.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    let feed = s
        .access()
        .calendar_feed(&hash(token))
        .await?
        .ok_or(AppError::NotFound)?;
    let base = s.settings().notify.public_url.trim_end_matches('/');
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        super::ics(&feed, base, s.now()),
    )
        .into_response())
}
