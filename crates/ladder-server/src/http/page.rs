//! The page frame: the chrome every page shows, rendering a template into
//! a response, the error page, and the titles of roles.

use crate::AppError;
use crate::access::{DirectoryEntry, Viewer};
use askama::Template;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use ladder_framework::Framework;

/// What every page's frame needs.
#[derive(Debug, Default)]
pub struct Chrome {
    pub title: String,
    pub signed_in: bool,
    pub name: String,
    pub csrf: String,
    pub people_team: bool,
    pub admin: bool,
    pub editor: bool,
    /// The viewer's person, for "my worksheet".
    pub person_id: Option<i64>,
}

impl Chrome {
    pub(crate) fn new(title: &str, v: Option<&Viewer>) -> Chrome {
        match v {
            None => Chrome {
                title: title.to_owned(),
                ..Chrome::default()
            },
            Some(v) => Chrome {
                title: title.to_owned(),
                signed_in: true,
                name: v.account.name.clone(),
                csrf: v.csrf().to_owned(),
                people_team: v.roles().people_team,
                admin: v.roles().admin,
                editor: v.roles().editor || v.roles().admin,
                person_id: v.person_id(),
            },
        }
    }
}

pub(crate) fn page(t: &impl Template) -> Result<Response, AppError> {
    Ok(Html(t.render()?).into_response())
}

/// A form's page: 400 when it is shown again because a field was wrong.
pub(crate) fn form_page(failed: bool, t: &impl Template) -> Result<Response, AppError> {
    let status = if failed {
        axum::http::StatusCode::BAD_REQUEST
    } else {
        axum::http::StatusCode::OK
    };
    Ok((status, page(t)?).into_response())
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    chrome: Chrome,
    heading: &'a str,
    message: &'a str,
}

/// The page for an error; never shows internals.
pub fn error_page(status: StatusCode, message: &str) -> Html<String> {
    let heading = match status {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::BAD_REQUEST => "That did not work",
        StatusCode::TOO_MANY_REQUESTS => "Slow down",
        _ => "Something went wrong",
    };
    let t = ErrorPage {
        chrome: Chrome::new(heading, None),
        heading,
        message,
    };
    Html(t.render().unwrap_or_else(|_| message.to_owned()))
}

pub async fn not_found() -> AppError {
    AppError::NotFound
}

/// "Senior Backend Engineer (Payments)" from ids.
pub fn role_title(fw: &Framework, family: &str, level: &str, specialty: Option<&str>) -> String {
    let f = fw.families.iter().find(|f| f.id == family);
    let fam = f.map_or(family, |f| f.title.as_str());
    let lvl = fw
        .config
        .levels
        .iter()
        .find(|l| l.id == level)
        .map_or(level, |l| l.title.as_str());
    let spec = specialty.map(|s| {
        f.and_then(|f| f.specialties.iter().find(|x| x.id == s))
            .map_or(s, |x| x.title.as_str())
    });
    match spec {
        Some(s) => format!("{lvl} {fam} ({s})"),
        None => format!("{lvl} {fam}"),
    }
}

pub(crate) fn entry_title(fw: &Framework, e: &DirectoryEntry) -> String {
    role_title(fw, &e.family, &e.level, e.specialty.as_deref())
}

pub async fn health() -> &'static str {
    "ok"
}

const HTMX: &[u8] = include_bytes!("../../assets/htmx.min.js");

const CSS: &[u8] = include_bytes!("../../assets/app.css");

pub async fn asset(Path(file): Path<String>) -> Result<Response, AppError> {
    let (bytes, kind) = match file.as_str() {
        "htmx.min.js" => (HTMX, "text/javascript; charset=utf-8"),
        "app.css" => (CSS, "text/css; charset=utf-8"),
        _ => return Err(AppError::NotFound),
    };
    Ok((
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        bytes,
    )
        .into_response())
}
