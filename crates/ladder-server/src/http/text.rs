//! Text Ladder refuses at the door: the NUL character (U+0000). PostgreSQL
//! cannot store it in text, SQLite can, so letting it in would make a
//! write fail on one backend and a backup unrestorable on the other.
//! Every request body is checked once, before any handler reads it: a raw
//! NUL byte (in any body, a file upload too), `%00` in a form, `\u0000` in
//! JSON. Then each field of a form or JSON body is held to its length cap
//! and refused if it holds another control character ([`fields`]). The
//! answer is a 400 in the shape the caller reads (JSON for the API, a SCIM
//! error for provisioning, a page otherwise), naming the field. A web
//! form's page gives back every field it was sent, cleaned, in a form that
//! sends them again, so that what the person typed is never lost.

use crate::AppError;
use crate::http::fields;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// What the refusal says.
pub const NUL_REFUSED: &str =
    "text may not contain the NUL character (U+0000); remove it and send again";

/// The most a body may hold (the router's own limit).
pub const BODY_LIMIT: usize = 16 * 1024 * 1024;

fn holds_nul(content_type: &str, body: &[u8]) -> bool {
    if body.contains(&0) {
        return true;
    }
    let lower = content_type.to_ascii_lowercase();
    let find = |needle: &[u8]| {
        body.windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
    };
    if lower.starts_with("application/x-www-form-urlencoded") {
        return find(b"%00");
    }
    if lower.contains("json") {
        // `\u0000`, but not an escaped backslash followed by `u0000`.
        return body
            .windows(6)
            .enumerate()
            .filter(|(_, w)| w.eq_ignore_ascii_case(b"\\u0000"))
            .any(|(i, _)| {
                let slashes = body
                    .get(..i)
                    .unwrap_or_default()
                    .iter()
                    .rev()
                    .take_while(|b| **b == b'\\')
                    .count();
                slashes % 2 == 0
            });
    }
    false
}

/// The middleware: NUL anywhere, then each text field of a form or JSON
/// body by [`fields`]' rule (its cap and no control characters).
pub async fn text_at_the_edge(req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            return refused(
                parts.uri.path(),
                StatusCode::PAYLOAD_TOO_LARGE,
                "the request is larger than 16 MiB; send a smaller file",
            );
        }
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let lower = content_type.to_ascii_lowercase();
    let form = lower.starts_with("application/x-www-form-urlencoded");
    let path = parts.uri.path();
    let web_form = form && !path.starts_with("/api/") && !path.starts_with("/scim/");
    let checked = if holds_nul(content_type, &bytes) {
        Err(NUL_REFUSED.to_owned())
    } else if form {
        fields::check_form(&bytes).map_err(|r| r.to_string())
    } else if lower.contains("json") {
        fields::check_json(&bytes, path.starts_with("/scim/")).map_err(|r| r.to_string())
    } else {
        Ok(())
    };
    if let Err(message) = checked {
        if web_form {
            // A person typed this: give it back to send again.
            let action = parts.uri.path_and_query().map_or(path, |p| p.as_str());
            return crate::http::page::refused_form(action, &message, &fields::keep_form(&bytes));
        }
        return refused(path, StatusCode::BAD_REQUEST, &message);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn refused(path: &str, status: StatusCode, message: &str) -> Response {
    if path.starts_with("/scim/") {
        let scim_type = if status == StatusCode::BAD_REQUEST {
            "invalidValue"
        } else {
            ""
        };
        return crate::scim::ScimError::new(status.as_u16(), scim_type, message).into_response();
    }
    let e = if status == StatusCode::BAD_REQUEST {
        AppError::BadRequest(message.to_owned())
    } else {
        AppError::TooLarge(message.to_owned())
    };
    if path.starts_with("/api/") {
        crate::http::api::ApiError(e).into_response()
    } else {
        e.into_response()
    }
}

/// The framework's own refusals (a path id that does not parse or
/// overflows, a method not allowed, a body of the wrong type) come as
/// plain text; under `/api/` and `/scim/` they become the JSON error those
/// callers read, with the same status and words.
pub async fn json_rejections(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let api = path.starts_with("/api/");
    let scim = path.starts_with("/scim/");
    let res = next.run(req).await;
    if !(api || scim) || !res.status().is_client_error() {
        return res;
    }
    let plain = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|t| t.starts_with("text/plain"));
    if !plain {
        return res;
    }
    let status = res.status();
    let text = to_bytes(res.into_body(), 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let message = if text.is_empty() {
        match status {
            StatusCode::METHOD_NOT_ALLOWED => "this method is not allowed here".to_owned(),
            s => s.canonical_reason().unwrap_or("refused").to_lowercase(),
        }
    } else {
        text
    };
    if scim {
        let scim_type = if status == StatusCode::BAD_REQUEST {
            "invalidSyntax"
        } else {
            ""
        };
        return crate::scim::ScimError::new(status.as_u16(), scim_type, &message).into_response();
    }
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        _ => "bad_request",
    };
    let body = serde_json::json!({ "error": { "code": code, "message": message } });
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_found_in_each_encoding() {
        assert!(holds_nul("text/csv", b"a,\0b"));
        assert!(holds_nul(
            "application/x-www-form-urlencoded",
            b"text=a%00b"
        ));
        assert!(!holds_nul(
            "application/x-www-form-urlencoded",
            b"text=a%2500b"
        ));
        assert!(holds_nul("application/json", br#"{"text":"a\u0000"}"#));
        assert!(holds_nul("application/scim+json", br#"{"text":"a\U0000"}"#));
        assert!(
            !holds_nul("application/json", br#"{"text":"a\\u0000"}"#),
            "an escaped backslash"
        );
        assert!(holds_nul("application/json", br#"{"text":"a\\\u0000"}"#));
        assert!(!holds_nul("application/json", br#"{"text":"100%00"}"#));
    }
}
