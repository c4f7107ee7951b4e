//! `/admin/framework/changes`: before a reload makes the framework on
//! disk live, what it changes (the graded semantic diff) and whom it
//! affects (the impact report): expectations, readiness moving away from
//! or toward ready with today's ratings, ratings to look at again or
//! archive, per team and level. Editors get counts; the people team also
//! names. Reloading from the page is the publish.

use crate::access::Viewer;
use crate::http::page::{Chrome, page};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use ladder_framework::diff::{self, Change, Grade};
use ladder_growth::impact::{Direction, Impact, Tally};
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
    can_publish: bool,
    /// How many pending proposals the change touches (the list is the
    /// people team's).
    proposals: usize,
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
    let short = |h: &str| h.chars().take(12).collect::<String>();
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
        can_publish: access.editor(&v).is_ok(),
        proposals: 0,
    };
    let candidate = match s.candidate_framework().await {
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
