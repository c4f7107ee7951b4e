//! What every feature's pages and API handlers share, and nothing
//! feature-specific: form fields, JSON bodies, uploads, the page frame
//! ([`page`]) and the API's errors and viewer ([`api`]). Features use
//! this module; it uses none of them.

pub mod api;
pub(crate) mod context;
pub(crate) mod fields;
pub mod kept;
pub mod page;
pub mod paging;
pub mod table;
pub(crate) mod text;

use crate::AppError;
use crate::access::Viewer;
use crate::http::api::ApiError;
use axum::extract::Multipart;
use ladder_org::Date;
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// Rows an export writes per chunk it sends.
pub const EXPORT_ROWS: usize = 1000;

/// The chunks of an export of `rows` rows, as ranges of [`EXPORT_ROWS`]
/// (the last shorter).
pub fn export_ranges(rows: usize) -> impl Iterator<Item = std::ops::Range<usize>> {
    (0..rows)
        .step_by(EXPORT_ROWS)
        .map(move |start| start..(start + EXPORT_ROWS).min(rows))
}

/// A download (`filename`, of `content_type`) sent as `chunks` are made:
/// an export of any size holds one chunk in memory, and the first rows
/// leave before the last are read. An error part way ends the response
/// short (the client sees an incomplete download, never a partial file
/// that looks whole).
pub fn download<S>(
    content_type: &'static str,
    filename: &str,
    chunks: S,
) -> axum::response::Response
where
    S: futures_util::Stream<Item = Result<String, AppError>> + Send + 'static,
{
    use axum::response::IntoResponse as _;
    use futures_util::StreamExt as _;
    let body = axum::body::Body::from_stream(chunks.map(|c| {
        c.map(axum::body::Bytes::from)
            .map_err(|e| std::io::Error::other(e.to_string()))
    }));
    (
        [
            (axum::http::header::CONTENT_TYPE, content_type.to_owned()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// The request came from htmx (it wants a fragment, not a page).
pub(crate) fn is_htmx(headers: &axum::http::HeaderMap) -> bool {
    headers.get("hx-request").is_some_and(|v| v == "true")
}

/// A form body as (name, value) pairs, in order.
#[derive(Debug, Default)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn parse(body: &[u8]) -> Fields {
        Fields(
            form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The value of `name`, or `default` when the form did not send it
    /// (a page shown before anything was typed).
    pub fn or<'a>(&'a self, name: &str, default: &'a str) -> &'a str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or(default, |(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// A text field: trimmed, required if asked, at most [`fields::LONG`]
/// characters (the edge holds shorter fields to their own caps first).
pub(crate) fn text_field(name: &str, value: &str, required: bool) -> Result<String, AppError> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(AppError::BadRequest(format!(
            "{name}: required; write a few words"
        )));
    }
    let n = v.chars().count();
    if n > fields::LONG {
        return Err(AppError::BadRequest(format!(
            "{name}: {n} characters is too long; this field takes at most {}",
            fields::LONG
        )));
    }
    Ok(v.to_owned())
}

/// A date form field, or an error naming the field.
pub(crate) fn date_field(name: &str, value: &str) -> Result<Date, AppError> {
    value.trim().parse().map_err(|e: String| {
        AppError::BadRequest(format!(
            "{name}: `{}` is not a date ({e}); write it as YYYY-MM-DD",
            value.trim()
        ))
    })
}

/// A JSON request body, or a 400 naming the line and column.
pub(crate) fn body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError(AppError::BadRequest(format!(
            "body: {e} (line {}, column {})",
            e.line(),
            e.column()
        )))
    })
}

/// A form upload's CSV file, after its CSRF token is checked.
pub(crate) async fn read_upload(v: &Viewer, mut form: Multipart) -> Result<String, AppError> {
    let (mut csrf, mut csv) = (String::new(), None);
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(format!("the upload could not be read: {e}")))?
    {
        match field.name() {
            Some("csrf") => {
                csrf = field
                    .text()
                    .await
                    .map_err(|e| AppError::BadRequest(e.to_string()))?
            }
            Some("file") => {
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| AppError::BadRequest(e.to_string()))?;
                csv = Some(String::from_utf8(bytes.to_vec()).map_err(|e| {
                    AppError::BadRequest(format!(
                        "file: not UTF-8 text (byte {}); save the CSV as UTF-8",
                        e.utf8_error().valid_up_to()
                    ))
                })?);
            }
            _ => {}
        }
    }
    v.check_csrf(&csrf)?;
    csv.ok_or_else(|| AppError::BadRequest("file: choose a CSV file to import".to_owned()))
}

#[derive(Deserialize)]
/// A form that carries only the CSRF token (sign-out, reload).
pub struct CsrfForm {
    #[serde(default)]
    pub(crate) csrf: String,
}
