//! `ladder preview`: serves the built site on 127.0.0.1, rebuilds when a
//! file changes, and shows diagnostics in the page while the content is
//! broken. Pages reload themselves after each rebuild.
//!
//! Served by axum, the HTTP stack the web app already carries: GET and HEAD
//! only, everything from memory. The folder is watched by polling file
//! metadata on a thread of its own.

use crate::render;
use crate::site::{Outcome, build};
use axum::extract::State as Shared;
use axum::http::{Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use ladder_site::Site;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// How often the folder is checked for changes.
const POLL: Duration = Duration::from_millis(250);

const RELOAD_JS: &str = r#"(function () {
  var seen = null;
  function poll() {
    fetch("/__ladder/version", { cache: "no-store" }).then(function (r) { return r.text(); }).then(function (v) {
      if (seen !== null && v !== seen) { location.reload(); return; }
      seen = v; setTimeout(poll, 500);
    }).catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
"#;

#[derive(Default)]
struct State {
    version: u64,
    site: Site,
    /// Set while the content is broken: the diagnostics, as text.
    broken: Option<String>,
}

/// A fingerprint of the folder: every file's path, size and modification time.
fn fingerprint(dir: &Path) -> BTreeMap<PathBuf, (u64, Option<std::time::SystemTime>)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy();
            let Ok(meta) = e.metadata() else { continue };
            if meta.is_dir() {
                if !crate::load::skipped_dir(&name) {
                    stack.push(e.path());
                }
            } else {
                out.insert(e.path(), (meta.len(), meta.modified().ok()));
            }
        }
    }
    out
}

fn rebuild(dir: &Path, state: &RwLock<State>) {
    let next = match build(dir) {
        Ok((Outcome::Built(site), _)) => (Some(site), None),
        Ok((Outcome::Broken(files, diags), _)) => {
            let text = render::diagnostics_text(dir, &files, &diags, false).join("\n");
            (None, Some(text))
        }
        Err(message) => (None, Some(format!("error: {message}"))),
    };
    match &next.1 {
        Some(_) => eprintln!("preview: the content has errors; they are shown in the browser"),
        None => eprintln!("preview: rebuilt"),
    }
    if let Ok(mut s) = state.write() {
        s.version += 1;
        if let Some(site) = next.0 {
            s.site = site;
        }
        s.broken = next.1;
    }
}

/// `ladder preview DIR [--port N]`. Runs until killed, or for `stop_after`.
pub fn command(dir: &Path, port: u16, stop_after: Option<u64>) -> Result<u8, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("could not start the async runtime: {e}"))?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(("127.0.0.1", port)))
        .map_err(|e| {
            format!(
                "cannot listen on 127.0.0.1:{port}: {e}; try another --port, or 0 for any free one"
            )
        })?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let state = Arc::new(RwLock::new(State::default()));
    // Fingerprint before the first build, here rather than in the watcher
    // thread: a change made while that thread is still starting would
    // otherwise become its baseline and never be built.
    let first = fingerprint(dir);
    rebuild(dir, &state);
    println!(
        "serving {} at http://{addr}/ (Ctrl-C to stop)",
        dir.display()
    );
    let _ = std::io::stdout().flush();
    if let Some(secs) = stop_after {
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(secs));
            std::process::exit(0);
        });
    }
    {
        let state = Arc::clone(&state);
        let dir = dir.to_path_buf();
        std::thread::spawn(move || {
            let mut last = first;
            loop {
                std::thread::sleep(POLL);
                let now = fingerprint(&dir);
                if now != last {
                    last = now;
                    rebuild(&dir, &state);
                }
            }
        });
    }
    let app = axum::Router::new().fallback(serve).with_state(state);
    runtime
        .block_on(async move { axum::serve(listener, app).await })
        .map_err(|e| format!("preview server stopped: {e}"))?;
    Ok(0)
}

fn broken_page(text: &str) -> Vec<u8> {
    let mut html = String::from(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Ladder preview: errors</title><style>body{font:1rem/1.5 system-ui,sans-serif;margin:2rem;}pre{background:#1d232b;color:#f4f6f8;padding:1rem;overflow:auto;border-radius:4px;}</style></head><body><h1>The framework has errors</h1><p>Fix them and save; this page reloads by itself.</p><pre class=\"diagnostics\">",
    );
    html.push_str(&ladder_site::escape(text));
    html.push_str("</pre>\n</body></html>\n");
    with_reload(html.into_bytes())
}

fn with_reload(mut html: Vec<u8>) -> Vec<u8> {
    let tag = b"<script src=\"/__ladder/reload.js\"></script>\n";
    let at = html
        .windows(7)
        .rposition(|w| w == b"</body>")
        .unwrap_or(html.len());
    html.splice(at..at, tag.iter().copied());
    html
}

/// Every request: the site's files, the reload script and version, or the
/// diagnostics page while the content is broken. (hyper leaves out the
/// body of an answer to HEAD.)
async fn serve(Shared(state): Shared<Arc<RwLock<State>>>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD\n").into_response();
    }
    let path = uri.path().trim_start_matches('/');
    let path = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_owned()
    };
    let Ok(s) = state.read() else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "state lock poisoned\n").into_response();
    };
    let (status, kind, body): (StatusCode, &str, Vec<u8>) = match path.as_str() {
        "__ladder/version" => (
            StatusCode::OK,
            "text/plain",
            s.version.to_string().into_bytes(),
        ),
        "__ladder/reload.js" => (
            StatusCode::OK,
            "text/javascript; charset=utf-8",
            RELOAD_JS.as_bytes().to_vec(),
        ),
        p if s.broken.is_some() && (p.ends_with(".html") || !s.site.files.contains_key(p)) => (
            StatusCode::OK,
            "text/html; charset=utf-8",
            broken_page(s.broken.as_deref().unwrap_or("")),
        ),
        p => match s.site.files.get(p) {
            Some(bytes) if p.ends_with(".html") => (
                StatusCode::OK,
                ladder_site::content_type(p),
                with_reload(bytes.clone()),
            ),
            Some(bytes) => (StatusCode::OK, ladder_site::content_type(p), bytes.clone()),
            None => (
                StatusCode::NOT_FOUND,
                "text/plain",
                format!("no page {p}\n").into_bytes(),
            ),
        },
    };
    (
        status,
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}
