//! `/admin/framework/changes`: before a reload makes the framework on
//! disk live, what it changes (the graded semantic diff) and whom it
//! affects (the impact report): expectations, readiness moving away from
//! or toward ready with today's ratings, ratings to look at again or
//! archive, per team and level. Editors get counts; the people team also
//! names.
//!
//! The staged publish: the folder's version is staged as a release (kept
//! in the store), reviewed here, published (live on every node on its
//! next request), and rolled back in one action to the version live
//! before. Each step is audited.

use crate::access::Viewer;
use crate::http::page::{Chrome, page};
use crate::{AppError, AppState};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use ladder_framework::diff::{self, Change, Grade};
use ladder_growth::impact::{Direction, Impact, Tally};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Template)]
#[template(path = "framework/changes.html")]
struct ChangesPage {
    chrome: Chrome,
    live: String,
    candidate: String,
    /// The candidate does not compile: why.
    refused: Option<String>,
    grade: Option<&'static str>,
    /// (grade, count).
    counts: Vec<(&'static str, usize)>,
    changes: Vec<Change>,
    more: usize,
    impact: Option<Impact>,
    names: bool,
    /// How many pending proposals the change touches (the list is the
    /// people team's).
    proposals: usize,
    /// The release under review, when one is staged; otherwise the page
    /// reviews the folder, which can be staged.
    staged: Option<i64>,
    /// A release that was live before the current one.
    can_roll_back: bool,
    /// (id, hash, source, state, staged, published), newest first.
    releases: Vec<(i64, String, String, String, String, String)>,
}

/// How many changes the page lists (the CLI has them all).
const SHOWN: usize = 200;

impl ChangesPage {
    fn direction(d: &Option<Direction>) -> &'static str {
        match d {
            Some(Direction::AwayFromReady) => "away from ready",
            Some(Direction::TowardReady) => "toward ready",
            None => "",
        }
    }

    fn rows(m: &BTreeMap<String, Tally>) -> Vec<(&String, &Tally)> {
        m.iter().filter(|(_, t)| t.affected > 0).collect()
    }
}

pub async fn changes(State(s): State<AppState>, v: Viewer) -> Result<Response, AppError> {
    let now = s.now();
    let access = s.access();
    let review = access.framework_review(&v)?;
    let live = s.framework();
    let mut p = ChangesPage {
        chrome: Chrome::new("Framework changes", Some(&v)),
        live: short(&live.hash),
        candidate: String::new(),
        refused: None,
        grade: None,
        counts: Vec::new(),
        changes: Vec::new(),
        more: 0,
        impact: None,
        names: review.names(),
        proposals: 0,
        staged: None,
        can_roll_back: false,
        releases: Vec::new(),
    };
    let releases = review.releases().await?;
    p.can_roll_back = releases.iter().any(|r| r.state == "retired");
    p.staged = releases.iter().find(|r| r.state == "staged").map(|r| r.id);
    let when = |t: Option<i64>| {
        t.map(|t| ladder_org::Date::from_unix(t).to_string())
            .unwrap_or_default()
    };
    p.releases = releases
        .iter()
        .map(|r| {
            (
                r.id,
                short(&r.hash),
                r.source.clone(),
                r.state.clone(),
                when(Some(r.staged_at)),
                when(r.published_at),
            )
        })
        .collect();
    let candidate = match p.staged {
        Some(id) => s.stored_framework(id).await,
        None => s.candidate_framework().await,
    };
    let candidate = match candidate {
        Ok(c) => c,
        Err(e) => {
            p.refused = Some(e);
            return page(&p);
        }
    };
    p.candidate = short(&candidate.hash);
    if candidate.hash == live.hash {
        return page(&p);
    }
    let report = diff::diff(&live.framework, &candidate.framework);
    p.grade = report.grade.map(Grade::as_str);
    p.counts = [Grade::Major, Grade::Minor, Grade::Patch]
        .into_iter()
        .map(|g| (g.as_str(), report.count(g)))
        .collect();
    p.more = report.changes.len().saturating_sub(SHOWN);
    p.changes = report.changes.into_iter().take(SHOWN).collect();
    let data = review.data(&candidate.hash, now).await?;
    let quarters =
        ladder_growth::Quarter::at(now).trailing(crate::growth::service::READINESS_QUARTERS);
    let mut impact =
        ladder_growth::impact::report(&live.framework, &candidate.framework, &data, &quarters);
    p.proposals = impact.proposals.len();
    if !p.names {
        impact.people.clear();
        impact.proposals.clear();
    }
    p.impact = Some(impact);
    page(&p)
}

fn short(h: &str) -> String {
    h.chars().take(12).collect()
}

/// Stages the framework folder's version for review.
pub async fn stage(
    State(s): State<AppState>,
    v: Viewer,
    Form(f): Form<crate::http::CsrfForm>,
) -> Result<Response, AppError> {
    let review = s.access().framework_review(&v)?;
    v.check_csrf(&f.csrf)?;
    let candidate = s.candidate_framework().await.map_err(|e| {
        AppError::BadRequest(format!(
            "nothing was staged: the framework folder does not load. {e}"
        ))
    })?;
    if candidate.hash == s.framework().hash {
        return Err(AppError::BadRequest(
            "nothing was staged: the framework folder is the live version".to_owned(),
        ));
    }
    let now = s.now();
    let release = candidate.release(s.framework_source(), Some(v.account.id), now);
    review.stage(&release, now).await?;
    Ok(Redirect::to("/admin/framework/changes").into_response())
}

#[derive(Debug, Deserialize)]
pub struct PublishForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    release: Option<i64>,
}

/// Publishes the staged release: live on every node.
pub async fn publish(
    State(s): State<AppState>,
    v: Viewer,
    Form(f): Form<PublishForm>,
) -> Result<Response, AppError> {
    let review = s.access().framework_review(&v)?;
    v.check_csrf(&f.csrf)?;
    let release = f
        .release
        .ok_or_else(|| AppError::BadRequest("release: say which release to publish".to_owned()))?;
    review.publish(release, s.now()).await?;
    s.follow_framework().await.map_err(AppError::Internal)?;
    Ok(Redirect::to("/admin/framework/changes").into_response())
}

/// Makes the version live before the current one live again.
pub async fn roll_back(
    State(s): State<AppState>,
    v: Viewer,
    Form(f): Form<crate::http::CsrfForm>,
) -> Result<Response, AppError> {
    let review = s.access().framework_review(&v)?;
    v.check_csrf(&f.csrf)?;
    review.roll_back(s.now()).await?;
    s.follow_framework().await.map_err(AppError::Internal)?;
    Ok(Redirect::to("/admin/framework/changes").into_response())
}
