//! What a page needs to know about its request without every handler
//! passing it along: the path asked for (to mark the current navigation
//! link and to come back after sign-in) and who is asking, once known (so
//! that an error page keeps the signed-in navigation).
//!
//! [`request_context`] wraps every request in a task-local scope; the
//! viewer extractor fills in the viewer when it succeeds. Outside a
//! request (tests rendering a template, the command line) both are empty.

use super::page::Shell;
use axum::extract::Request;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use std::sync::{Arc, OnceLock};

#[derive(Debug, Default)]
pub(crate) struct RequestContext {
    /// The path and query, e.g. `/people/4/worksheet?show=unrated`.
    pub(crate) target: String,
    /// A GET or HEAD: a page read, which can be asked for again.
    pub(crate) read: bool,
    pub(crate) shell: OnceLock<Shell>,
}

tokio::task_local! {
    static REQUEST: Arc<RequestContext>;
}

/// The middleware that gives each request its context.
pub async fn request_context(req: Request, next: Next) -> Response {
    let target = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.uri().path().to_owned(), |p| p.as_str().to_owned());
    // A page read by the browser itself: htmx's fragment requests are not
    // pages to come back to.
    let read =
        matches!(*req.method(), Method::GET | Method::HEAD) && !super::is_htmx(req.headers());
    let cx = Arc::new(RequestContext {
        target,
        read,
        shell: OnceLock::new(),
    });
    REQUEST.scope(cx, next.run(req)).await
}

/// The path and query of the request being answered, or "" outside one.
pub(crate) fn target() -> String {
    REQUEST.try_with(|cx| cx.target.clone()).unwrap_or_default()
}

/// The page asked for, when the request reads one: where sign-in
/// returns to.
pub(crate) fn asked_for() -> Option<String> {
    REQUEST
        .try_with(|cx| cx.read.then(|| cx.target.clone()))
        .ok()
        .flatten()
}

/// Records who is asking, once the session is read.
pub(crate) fn set_shell(shell: Shell) {
    let _ = REQUEST.try_with(|cx| cx.shell.set(shell));
}

/// Who is asking, if the request got as far as reading the session.
pub(crate) fn shell() -> Option<Shell> {
    REQUEST
        .try_with(|cx| cx.shell.get().cloned())
        .ok()
        .flatten()
}
