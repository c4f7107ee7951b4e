//! The hiring pages: openings, an opening's candidates, a candidate with
//! their scorecards.

use super::service::{self, *};
use crate::access::{CandidateView, DirectoryEntry, OpeningView, Viewer, may_see_opening};
use crate::growth::service::scale_points;
use crate::http::Fields;
use crate::http::page::{Chrome, FormError, form_page, role_title};
use crate::people::picker::{self, Found, Picker};
use crate::{AppError, AppState};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use ladder_store::{Candidate, Id, Opening};
use std::collections::BTreeMap;

pub async fn candidate(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
) -> Result<Response, AppError> {
    let view = s.access().candidate(&v, id).await?;
    candidate_page(&s, &v, &view, None).await
}

/// Runs a form action on a candidate and shows the page again, with the
/// problem when there is one (as `internships::act` does for internships).
async fn act(
    s: &AppState,
    v: &Viewer,
    id: Id,
    body: &[u8],
    allowed: fn(&CandidateView<'_>) -> bool,
    f: impl AsyncFnOnce(&CandidateView<'_>, &Fields, &ScorecardTemplate) -> Result<(), AppError>,
) -> Result<Response, AppError> {
    let access = s.access();
    let view = access.candidate(v, id).await?;
    if !allowed(&view) {
        return Err(AppError::Forbidden);
    }
    let fields = Fields::parse(body);
    v.check_csrf(fields.get("csrf"))?;
    let t = template_of(s, &view.opening)?;
    match f(&view, &fields, &t).await {
        Ok(()) => Ok(Redirect::to(&format!("/candidates/{id}")).into_response()),
        Err(AppError::BadRequest(e)) => candidate_page(s, v, &view, Some(e)).await,
        Err(e) => Err(e),
    }
}

pub async fn score(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    body: Bytes,
) -> Result<Response, AppError> {
    let now = s.now();
    let account = v.account.id;
    act(
        &s,
        &v,
        id,
        &body,
        |view| view.may_score(),
        async |view, f, t| {
            let input = ScorecardIn {
                stage: f.get("stage").to_owned(),
                scores: t
                    .requirements
                    .iter()
                    .map(|r| ScoreIn {
                        requirement: r.id.clone(),
                        score: f.get(&format!("score_{}", r.id)).trim().parse().ok(),
                        notes: f.get(&format!("notes_{}", r.id)).to_owned(),
                    })
                    .collect(),
                notes: f.get("notes").to_owned(),
            };
            service::score(&s, view, account, &input, now).await
        },
    )
    .await
}

pub async fn move_candidate(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    body: Bytes,
) -> Result<Response, AppError> {
    let now = s.now();
    act(
        &s,
        &v,
        id,
        &body,
        |view| view.may_manage(),
        async |view, f, _| service::move_candidate(&s, view, f.get("to"), now).await,
    )
    .await
}

pub async fn delete(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    body: Bytes,
) -> Result<Response, AppError> {
    let access = s.access();
    let view = access.candidate(&v, id).await?;
    if !view.may_manage() {
        return Err(AppError::Forbidden);
    }
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    service::delete_candidate(&view, s.now()).await?;
    Ok(Redirect::to(&format!("/hiring/{}", view.opening.id)).into_response())
}

#[derive(Template)]
#[template(path = "hiring/hiring.html")]
struct HiringPage {
    chrome: Chrome,
    /// Each opening, its role, and whether the viewer may open it (its
    /// team and admins; the people team sees the rest listed only).
    openings: Vec<(Opening, String, bool)>,
    can_open: bool,
    families: Vec<(String, String)>,
    levels: Vec<(String, String)>,
    /// Per family title: its specialties (id, title).
    specialties: Vec<(String, Vec<(String, String)>)>,
    /// The leads' and interviewers' people pickers.
    leads: String,
    interviewers: String,
    /// The form as typed, shown again when it was refused.
    form: Fields,
    error: Option<FormError>,
}

/// Everyone who can be put on a hiring team: active people (with the
/// account of their email, which the service checks).
/// A hiring-team picker: `field` is `lead` or `interviewer`.
fn team_picker(
    fw: &ladder_framework::Framework,
    pool: &[DirectoryEntry],
    field: &str,
    form: &Fields,
    q: &str,
    error: Option<&FormError>,
) -> String {
    let chosen: Vec<Id> = form
        .all(field)
        .iter()
        .filter_map(|v| v.trim().parse().ok())
        .collect();
    let (legend, hint) = if field == "lead" {
        (
            "Leads",
            "They see every scorecard and move candidates on. At least one.",
        )
    } else {
        ("Interviewers", "They score the candidates of their stages.")
    };
    Picker {
        legend: legend.to_owned(),
        hint: hint.to_owned(),
        search_url: format!("/hiring/people?field={field}"),
        error: error
            .filter(|e| e.at(&format!("{field}s")))
            .map(|e| e.message.clone()),
        ..Picker::new(fw, pool, &|_| true, field, true, &chosen, q)
    }
    .html()
}

async fn hiring_page(
    s: &AppState,
    v: &Viewer,
    error: Option<String>,
    form: Fields,
) -> Result<Response, AppError> {
    let access = s.access();
    let loaded = s.framework();
    let fw = &loaded.framework;
    let openings = access
        .openings_for(v)
        .await?
        .into_iter()
        .map(|o| {
            let role = role_title(fw, &o.new.family, &o.new.level, o.new.specialty.as_deref());
            let linked = may_see_opening(&o.new, v);
            (o, role, linked)
        })
        .collect();
    let failed = error.is_some();
    let error = error.as_deref().map(FormError::new);
    let can_open = access.hiring_admin(v).is_ok();
    let (leads, interviewers) = if can_open {
        let pool = picker::everyone(s, v).await?;
        (
            team_picker(fw, &pool, "lead", &form, form.get("lead_q"), error.as_ref()),
            team_picker(
                fw,
                &pool,
                "interviewer",
                &form,
                form.get("interviewer_q"),
                error.as_ref(),
            ),
        )
    } else {
        (String::new(), String::new())
    };
    form_page(
        failed,
        &HiringPage {
            chrome: Chrome::new("Hiring", Some(v)),
            openings,
            can_open,
            specialties: fw
                .families
                .iter()
                .filter(|f| !f.specialties.is_empty())
                .map(|f| {
                    (
                        f.title.clone(),
                        f.specialties
                            .iter()
                            .map(|x| (x.id.clone(), x.title.clone()))
                            .collect(),
                    )
                })
                .collect(),
            leads,
            interviewers,
            form,
            families: fw
                .families
                .iter()
                .map(|f| (f.id.clone(), f.title.clone()))
                .collect(),
            levels: fw
                .config
                .levels
                .iter()
                .map(|l| (l.id.clone(), l.title.clone()))
                .collect(),
            error,
        },
    )
}

/// The hiring page. Its query may carry the opening form as typed (the
/// pickers' "Find" without JavaScript).
pub async fn hiring(
    State(s): State<AppState>,
    v: Viewer,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    let form = Fields::parse(uri.query().unwrap_or("").as_bytes());
    hiring_page(&s, &v, None, form).await
}

/// The hiring-team pickers' search: active people matching the words.
pub async fn people_search(
    State(s): State<AppState>,
    v: Viewer,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    s.access().hiring_admin(&v)?;
    let query = uri.query().unwrap_or("");
    let field = match Fields::parse(query.as_bytes()).get("field") {
        "interviewer" => "interviewer",
        _ => "lead",
    };
    let q = picker::Search::read(query, field);
    let pool = picker::everyone(&s, &v).await?;
    Found::response(&s.framework().framework, field, true, &q, &pool, &|_| true)
}

fn emails(list: &str) -> Vec<String> {
    list.split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_owned)
        .collect()
}

pub async fn open(State(s): State<AppState>, v: Viewer, body: Bytes) -> Result<Response, AppError> {
    let now = s.now();
    let access = s.access();
    let admin = access.hiring_admin(&v)?;
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    // People chosen in the pickers, by their email; addresses typed in
    // the plain fields (older forms, scripts) too.
    let dir = access.directory(&v).await?;
    let picked = |field: &str, typed: &str| -> Vec<String> {
        f.all(field)
            .iter()
            .filter_map(|x| x.trim().parse::<Id>().ok())
            .filter_map(|id| dir.get(id))
            .map(|p| p.email)
            .chain(emails(f.get(typed)))
            .collect()
    };
    let input = OpeningInput {
        title: f.get("title").to_owned(),
        family: f.get("family").to_owned(),
        level: f.get("level").to_owned(),
        specialty: Some(f.get("specialty").to_owned()),
        leads: picked("lead", "leads"),
        interviewers: picked("interviewer", "interviewers"),
    };
    let made = service::open(&s, &admin, &input, now)
        .await
        .map(|(id, o)| (id, may_see_opening(&o, &v)));
    match made {
        Ok((id, true)) => Ok(Redirect::to(&format!("/hiring/{id}")).into_response()),
        // The people team opens positions it is not on: back to the list.
        Ok((_, false)) => Ok(Redirect::to("/hiring").into_response()),
        Err(AppError::BadRequest(e)) => hiring_page(&s, &v, Some(e), f).await,
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "hiring/opening.html")]
struct OpeningPage {
    chrome: Chrome,
    o: Opening,
    role: String,
    t: ScorecardTemplate,
    team: Vec<(String, &'static str)>,
    candidates: Vec<Candidate>,
    error: Option<String>,
}

async fn opening_page(
    s: &AppState,
    v: &Viewer,
    view: &OpeningView<'_>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let loaded = s.framework();
    let o = &view.opening;
    let mut team = Vec::new();
    for m in &o.new.team {
        team.push((view.member_email(m.account_id).await?, m.role.as_str()));
    }
    let failed = error.is_some();
    form_page(
        failed,
        &OpeningPage {
            chrome: Chrome::new(&o.new.title, Some(v)),
            role: role_title(
                &loaded.framework,
                &o.new.family,
                &o.new.level,
                o.new.specialty.as_deref(),
            ),
            t: template_of(s, o)?,
            team,
            candidates: view.candidates().await?,
            o: o.clone(),
            error,
        },
    )
}

pub async fn opening(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
) -> Result<Response, AppError> {
    let view = s.access().opening(&v, id).await?;
    opening_page(&s, &v, &view, None).await
}

pub async fn add_candidate(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    body: Bytes,
) -> Result<Response, AppError> {
    let now = s.now();
    let access = s.access();
    let view = access.opening(&v, id).await?;
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    match service::add_candidate(&s, &view, f.get("name"), f.get("contact"), now).await {
        Ok(c) => Ok(Redirect::to(&format!("/candidates/{c}")).into_response()),
        Err(AppError::BadRequest(e)) => opening_page(&s, &v, &view, Some(e)).await,
        Err(e) => Err(e),
    }
}

/// A scorecard as a page shows it.
struct CardView {
    stage: String,
    interviewer: String,
    notes: String,
    scores: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "hiring/candidate.html")]
struct CandidatePage {
    chrome: Chrome,
    c: Candidate,
    o: Opening,
    t: ScorecardTemplate,
    stage_name: String,
    cards: Vec<CardView>,
    submitted: Vec<(String, usize)>,
    coverage: Vec<Coverage>,
    my_stages: Vec<String>,
    may_score: bool,
    may_manage: bool,
    scale: Vec<(i64, String)>,
    error: Option<String>,
}

async fn candidate_page(
    s: &AppState,
    v: &Viewer,
    view: &CandidateView<'_>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let t = template_of(s, &view.opening)?;
    let cards = view.scorecards().await?;
    let text = |id: &str| {
        t.requirements
            .iter()
            .find(|r| r.id == id)
            .map_or_else(|| id.to_owned(), |r| r.text.clone())
    };
    let mut emails: BTreeMap<Id, String> = BTreeMap::new();
    for c in &cards {
        if let std::collections::btree_map::Entry::Vacant(e) = emails.entry(c.interviewer_id) {
            e.insert(view.member_email(c.interviewer_id).await?);
        }
    }
    let mut shown = Vec::new();
    for c in &cards {
        shown.push(CardView {
            stage: c.stage.clone(),
            interviewer: emails.get(&c.interviewer_id).cloned().unwrap_or_default(),
            notes: c.notes.clone(),
            scores: c
                .scores
                .iter()
                .map(|x| {
                    (
                        text(&x.requirement),
                        x.score.map_or_else(|| "—".to_owned(), |v| v.to_string()),
                        x.notes.clone(),
                    )
                })
                .collect(),
        });
    }
    let failed = error.is_some();
    form_page(
        failed,
        &CandidatePage {
            chrome: Chrome::new(&view.candidate.name, Some(v)),
            stage_name: t
                .stages
                .iter()
                .find(|st| st.id == view.candidate.stage)
                .map_or_else(|| view.candidate.stage.clone(), |st| st.name.clone()),
            coverage: coverage(&t, &cards),
            my_stages: cards
                .iter()
                .filter(|c| c.interviewer_id == v.account.id)
                .map(|c| c.stage.clone())
                .collect(),
            submitted: view.submitted_per_stage().await?,
            cards: shown,
            may_score: view.may_score() && view.candidate.state == "active",
            may_manage: view.may_manage() && view.candidate.state == "active",
            scale: scale_points(&s.framework().framework),
            c: view.candidate.clone(),
            o: view.opening.clone(),
            t,
            error,
        },
    )
}
