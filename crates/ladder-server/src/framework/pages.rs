//! The viewer's role page (what their level expects), the framework site under `/framework/`, and reloading
//! the framework.

use crate::access::{DirectoryEntry, Viewer};
use crate::http::CsrfForm;
use crate::http::page::{Chrome, entry_title, page, role_title};
use crate::{AppError, AppState};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};

/// The framework's static site, rendered at load time, served from memory.
pub async fn framework_index(State(s): State<AppState>) -> Result<Response, AppError> {
    serve_site(&s, "index.html")
}

pub async fn framework_file(
    State(s): State<AppState>,
    Path(path): Path<String>,
) -> Result<Response, AppError> {
    let path = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path
    };
    serve_site(&s, &path)
}

fn serve_site(s: &AppState, path: &str) -> Result<Response, AppError> {
    let fw = s.framework();
    let bytes = fw.site.get(path).ok_or(AppError::NotFound)?;
    Ok((
        [(header::CONTENT_TYPE, ladder_site::content_type(path))],
        bytes.clone(),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "framework/my_role.html")]
struct MyRolePage {
    chrome: Chrome,
    person: Option<DirectoryEntry>,
    role_title: String,
    expectations: Option<String>,
    growth: Vec<(String, String)>,
}

/// What the viewer's level expects and what each next level adds: the
/// framework text, one click from the home page.
pub async fn my_role(State(s): State<AppState>, v: Viewer) -> Result<Response, AppError> {
    let loaded = s.framework();
    let fw = &loaded.framework;
    let person = v.person.as_ref().map(DirectoryEntry::from);
    let (mut title, mut expectations, mut growth) = (String::new(), None, Vec::new());
    if let Some(p) = &person {
        title = entry_title(fw, p);
        let spec = p.specialty.as_deref();
        let role = ladder_site::role_page(&p.family, spec, &p.level);
        expectations = loaded
            .site
            .get(&role)
            .and_then(|b| std::str::from_utf8(b).ok())
            .and_then(|html| ladder_site::main_fragment(html, &role, "/framework/"));
        let prefix = ladder_site::growth_page(&p.family, spec, &p.level, "");
        let prefix = prefix.trim_end_matches(".html");
        for (path, bytes) in loaded.site.range(prefix.to_owned()..) {
            if !path.starts_with(prefix) {
                break;
            }
            let next = path
                .strip_prefix(prefix)
                .and_then(|r| r.strip_suffix(".html"))
                .unwrap_or("");
            if next.contains('/') {
                continue;
            }
            let html = std::str::from_utf8(bytes).ok();
            if let Some(frag) =
                html.and_then(|h| ladder_site::main_fragment(h, path, "/framework/"))
            {
                let next_title = role_title(fw, &p.family, next, spec);
                growth.push((format!("What {next_title} adds"), frag));
            }
        }
    }
    page(&MyRolePage {
        chrome: Chrome::new("My role", Some(&v)),
        person,
        role_title: title,
        expectations,
        growth,
    })
}

/// Reload: stages the framework folder's version and publishes it at once
/// (live on every node), each step audited with the editor.
pub async fn reload(
    State(s): State<AppState>,
    v: Viewer,
    Form(f): Form<CsrfForm>,
) -> Result<Response, AppError> {
    let editor = s.access().editor(&v)?;
    let review = s.access().framework_review(&v)?;
    v.check_csrf(&f.csrf)?;
    let now = s.now();
    match s.candidate_framework().await {
        Ok(l) => {
            if l.hash != s.framework().hash {
                let id = review
                    .stage(
                        &l.release(s.framework_source(), Some(v.account.id), now),
                        now,
                    )
                    .await?;
                review.publish(id, now).await?;
                s.follow_framework().await.map_err(AppError::Internal)?;
            }
            editor
                .record_reload(&format!("loaded {}", l.hash), now)
                .await?;
            Ok(Redirect::to("/framework/").into_response())
        }
        Err(e) => {
            editor.record_reload("failed", now).await?;
            Err(AppError::BadRequest(format!(
                "the framework was not reloaded; the previous version stays in use. {e}"
            )))
        }
    }
}
