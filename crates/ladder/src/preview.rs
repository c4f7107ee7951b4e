//! `ladder preview`: serves the built site on 127.0.0.1, rebuilds when a
//! file changes, and shows diagnostics in the page while the content is
//! broken. Pages reload themselves after each rebuild.
//!
//! A deliberately small HTTP/1.1 server on std: GET and HEAD only, one
//! short-lived thread per connection, everything served from memory.

use crate::render;
use crate::site::{Outcome, build};
use ladder_site::Site;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// How often the folder is checked for changes.
const POLL: Duration = Duration::from_millis(250);
/// Longest request head accepted.
const MAX_HEAD: u64 = 16 * 1024;

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
    let listener = TcpListener::bind(("127.0.0.1", port)).map_err(|e| {
        format!("cannot listen on 127.0.0.1:{port}: {e}; try another --port, or 0 for any free one")
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
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let state = Arc::clone(&state);
        std::thread::spawn(move || {
            let _ = serve(stream, &state);
        });
    }
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

fn serve(stream: TcpStream, state: &RwLock<State>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?.take(MAX_HEAD));
    let mut request = String::new();
    reader.read_line(&mut request)?;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
    }
    let mut parts = request.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let (status, kind, body): (&str, &str, Vec<u8>) = if method != "GET" && method != "HEAD" {
        (
            "405 Method Not Allowed",
            "text/plain",
            b"only GET and HEAD\n".to_vec(),
        )
    } else {
        let path = target.split(['?', '#']).next().unwrap_or("/");
        let path = path.trim_start_matches('/');
        let path = if path.is_empty() || path.ends_with('/') {
            format!("{path}index.html")
        } else {
            path.to_owned()
        };
        let s = state
            .read()
            .map_err(|_| std::io::Error::other("state lock poisoned"))?;
        match path.as_str() {
            "__ladder/version" => ("200 OK", "text/plain", s.version.to_string().into_bytes()),
            "__ladder/reload.js" => (
                "200 OK",
                "text/javascript; charset=utf-8",
                RELOAD_JS.as_bytes().to_vec(),
            ),
            p if s.broken.is_some() && (p.ends_with(".html") || !s.site.files.contains_key(p)) => (
                "200 OK",
                "text/html; charset=utf-8",
                broken_page(s.broken.as_deref().unwrap_or("")),
            ),
            p => match s.site.files.get(p) {
                Some(bytes) if p.ends_with(".html") => (
                    "200 OK",
                    ladder_site::content_type(p),
                    with_reload(bytes.clone()),
                ),
                Some(bytes) => ("200 OK", ladder_site::content_type(p), bytes.clone()),
                None => (
                    "404 Not Found",
                    "text/plain",
                    format!("no page {p}\n").into_bytes(),
                ),
            },
        }
    };
    let mut out = stream;
    write!(
        out,
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    if method != "HEAD" {
        out.write_all(&body)?;
    }
    out.flush()
}
