//! One error type for every handler. Web routes render it as a calm page;
//! API routes (through [`crate::http::api::ApiError`]) as a JSON body. Internal
//! details are logged, never shown.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("sign in to see this page")]
    NotSignedIn,
    #[error("you do not have access to this")]
    Forbidden,
    #[error("there is nothing here")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    /// The thing exists already (one checkpoint per quarter, one meeting
    /// per day).
    #[error("{0}")]
    Conflict(String),
    /// Someone else saved first: their version and text, so the client can
    /// merge instead of overwriting.
    #[error("someone else saved this first; compare their text with yours and save again")]
    Stale { version: i64, text: String },
    #[error("the form expired or came from another site; reload the page and try again")]
    Csrf,
    /// The request body is larger than the server takes.
    #[error("{0}")]
    TooLarge(String),
    /// Too many failed tries: the seconds to wait.
    #[error("too many attempts; wait {} and try again", wait_words(*.0))]
    TooMany(i64),
    /// Logged with its detail; the user sees a generic message.
    #[error("something went wrong on our side; the details are in the server log")]
    Internal(String),
    /// Another service (the SSO provider) failed; logged with its detail.
    #[error(
        "the sign-in service did not answer as expected; try again in a minute, or sign in with a password (an admin will find the details in the server log)"
    )]
    Upstream(String),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotSignedIn => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) | AppError::Stale { .. } => StatusCode::CONFLICT,
            AppError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Upstream(_) => StatusCode::BAD_GATEWAY,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotSignedIn => "not_signed_in",
            AppError::Forbidden => "forbidden",
            AppError::NotFound => "not_found",
            AppError::BadRequest(_) => "bad_request",
            AppError::Conflict(_) => "conflict",
            AppError::Stale { .. } => "stale",
            AppError::Csrf => "csrf",
            AppError::TooMany(_) => "too_many_attempts",
            AppError::TooLarge(_) => "too_large",
            AppError::Internal(_) => "internal",
            AppError::Upstream(_) => "upstream",
        }
    }

    pub(crate) fn log(&self) {
        match self {
            AppError::Internal(detail) => tracing::error!(%detail, "internal error"),
            AppError::Upstream(detail) => tracing::warn!(%detail, "upstream error"),
            _ => {}
        }
    }
}

impl From<ladder_store::StoreError> for AppError {
    fn from(e: ladder_store::StoreError) -> AppError {
        use ladder_store::StoreError as E;
        match e {
            E::Conflict(what) => AppError::Conflict(format!("{what} already exists")),
            E::NotFound(_) => AppError::NotFound,
            E::Refused(why) => AppError::BadRequest(why),
            E::Stale { version, text } => AppError::Stale { version, text },
            E::Backend(_) => AppError::Internal(e.to_string()),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> AppError {
        AppError::Internal(format!("template: {e}"))
    }
}

/// A wait in words: "8 seconds", "1 minute", "15 minutes".
pub fn wait_words(seconds: i64) -> String {
    let seconds = seconds.max(1);
    if seconds < 60 {
        return format!("{seconds} second{}", if seconds == 1 { "" } else { "s" });
    }
    let minutes = (seconds + 59) / 60;
    format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" })
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        if matches!(self, AppError::NotSignedIn) {
            // Back to the page asked for once signed in (pages are read
            // with GET; a form posted without a session starts over).
            let location = match crate::http::context::asked_for() {
                Some(target) if target != "/" => format!(
                    "/login?next={}",
                    form_urlencoded::byte_serialize(target.as_bytes()).collect::<String>()
                ),
                _ => "/login".to_owned(),
            };
            return match axum::http::HeaderValue::from_str(&location) {
                Ok(l) => (StatusCode::SEE_OTHER, [(header::LOCATION, l)]).into_response(),
                Err(_) => (StatusCode::SEE_OTHER, [(header::LOCATION, "/login")]).into_response(),
            };
        }
        let page = crate::http::page::error_page(self.status(), &self.to_string());
        let mut r = (self.status(), page).into_response();
        if let AppError::TooMany(seconds) = self {
            r.headers_mut().insert(
                header::RETRY_AFTER,
                axum::http::HeaderValue::from(seconds.max(1)),
            );
        }
        r
    }
}
