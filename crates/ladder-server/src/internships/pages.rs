//! The internship pages: the board, a request, one internship with its
//! log and outcome.

use super::service::{self, *};
use crate::access::{BoardEntry, DirectoryEntry, InternshipParts, InternshipView, Viewer};
use crate::http::Fields;
use crate::http::page::{Chrome, FormError, form_page, in_words};
use crate::people::picker::{self, Found, Picker};
use crate::{AppError, AppState};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use ladder_org::Date;
use ladder_store::{Id, Internship, InternshipState, LogEntry, Moved};

pub async fn show(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
) -> Result<Response, AppError> {
    let view = s.access().internship(&v, id).await?;
    internship_page(&s, &v, &view, None).await
}

fn approve_field(value: &str) -> Result<bool, AppError> {
    match value {
        "approve" => Ok(true),
        "decline" => Ok(false),
        _ => Err(AppError::BadRequest(
            "decision: choose approve or decline".to_owned(),
        )),
    }
}

/// Runs a form action on an internship and shows the page again, with the
/// problem when there is one.
async fn act(
    s: &AppState,
    v: &Viewer,
    id: Id,
    body: &[u8],
    allowed: fn(InternshipParts) -> bool,
    f: impl AsyncFnOnce(&InternshipView<'_>, &Fields) -> Result<(), AppError>,
) -> Result<Response, AppError> {
    let access = s.access();
    let view = access.internship(v, id).await?;
    if !allowed(view.parts) {
        return Err(AppError::Forbidden);
    }
    let fields = Fields::parse(body);
    v.check_csrf(fields.get("csrf"))?;
    match f(&view, &fields).await {
        Ok(()) => Ok(Redirect::to(&format!("/internships/{id}")).into_response()),
        Err(AppError::BadRequest(e)) => internship_page(s, v, &view, Some(e)).await,
        Err(e) => Err(e),
    }
}

pub async fn decide(
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
        |p| p.decides().is_some(),
        async |view, f| {
            let approve = approve_field(f.get("decision"))?;
            service::decide(view, approve, f.get("comment"), now).await
        },
    )
    .await
}

pub async fn add_log(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    body: Bytes,
) -> Result<Response, AppError> {
    let now = s.now();
    act(&s, &v, id, &body, InternshipParts::logs, async |view, f| {
        service::add_log(view, f.get("date"), f.get("text"), now).await
    })
    .await
}

pub async fn complete(
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
        InternshipParts::completes,
        async |view, f| {
            let moved: Vec<String> = f.all("moved").into_iter().map(str::to_owned).collect();
            service::complete(view, f.get("outcome"), &moved, now).await
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "internships/internships.html")]
struct BoardPage {
    chrome: Chrome,
    board: Vec<BoardEntry>,
    /// What people want to learn: (intern, goals, competency texts).
    wants: Vec<(String, String, Vec<String>)>,
    departments: Vec<String>,
    /// The mentor picker.
    mentor: String,
    /// The requester's worksheet statements, to choose those to grow:
    /// (id, text, category, chosen).
    competencies: Vec<(String, String, String, bool)>,
    /// Some competency is ticked: the list opens.
    any_competency: bool,
    can_request: bool,
    error: Option<FormError>,
    kinds: &'static [(&'static str, &'static str)],
    /// The request as typed, shown again when it was refused.
    form: Fields,
}

/// A refused request's problem, with the field it is about as the form
/// names it (an activity's detail is `detail_<kind>`).
fn request_error(message: &str, form: &Fields) -> FormError {
    let mut e = FormError::new(message);
    if let Some((field, rest)) = message.split_once(": ")
        && let Some(i) = field
            .strip_prefix("activities[")
            .and_then(|x| x.split_once(']'))
            .and_then(|(i, _)| i.parse::<usize>().ok())
        && let Some(a) = form_input(form).activities.get(i)
    {
        let label = ACTIVITY_KINDS
            .iter()
            .find(|(k, _)| *k == a.kind)
            .map_or(a.kind.as_str(), |(_, l)| *l);
        e = FormError {
            field: format!("detail_{}", a.kind),
            message: format!(
                "The details of “{label}”: {}",
                in_words(rest).to_lowercase()
            ),
        };
    }
    e
}

async fn board_page(
    s: &AppState,
    v: &Viewer,
    error: Option<FormError>,
    form: Fields,
) -> Result<Response, AppError> {
    let access = s.access();
    let loaded = s.framework();
    let board = access.internship_board(v).await?;
    let wants = board
        .iter()
        .map(|b| {
            (
                b.intern.record.name.clone(),
                b.internship.new.goals.clone(),
                b.internship
                    .new
                    .competencies
                    .iter()
                    .map(|c| {
                        loaded
                            .framework
                            .items
                            .get(c)
                            .map_or_else(|| c.clone(), |i| i.text.clone())
                    })
                    .collect(),
            )
        })
        .collect();
    let mine = v.person.as_ref().map(|p| p.record.department.clone());
    let pool = picker::everyone(s, v).await?;
    let chosen: Vec<Id> = form
        .get("mentor_id")
        .trim()
        .parse()
        .ok()
        .into_iter()
        .collect();
    let fw = &loaded.framework;
    let q = form.get("mentor_id_q");
    let mentor = {
        let keep = mentor_rule(v, form.get("host_department"));
        Picker {
            legend: "Proposed mentor".to_owned(),
            hint: "Someone in the host team who agrees to guide you.".to_owned(),
            search_url: "/internships/mentors".to_owned(),
            error: error
                .as_ref()
                .filter(|e| e.at("mentor"))
                .map(|e| e.message.clone()),
            include: "#host_department",
            ..Picker::new(fw, &pool, &keep, "mentor_id", false, &chosen, q)
        }
        .html()
    };
    let wanted: Vec<String> = service::form_input(&form).competencies;
    let competencies = match v.person.as_ref() {
        Some(p) => crate::growth::service::person_worksheet(&loaded, p)
            .map(|ws| {
                ws.rows
                    .iter()
                    .map(|r| {
                        (
                            r.id.clone(),
                            r.text.clone(),
                            r.category_title.clone(),
                            wanted.contains(&r.id),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let failed = error.is_some();
    form_page(
        failed,
        &BoardPage {
            chrome: Chrome::new("Internships", Some(v)),
            board,
            wants,
            departments: access
                .departments(v)
                .await?
                .into_iter()
                .filter(|d| Some(d) != mine.as_ref())
                .collect(),
            mentor,
            any_competency: competencies.iter().any(|c| c.3),
            competencies,
            can_request: v.person.is_some(),
            error,
            kinds: &ACTIVITY_KINDS,
            form,
        },
    )
}

/// The board. Its query may carry the request form as typed (the mentor
/// picker's "Find" without JavaScript).
pub async fn board(
    State(s): State<AppState>,
    v: Viewer,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    let form = Fields::parse(uri.query().unwrap_or("").as_bytes());
    board_page(&s, &v, None, form).await
}

/// Who may mentor the viewer: active people outside their department, in
/// the host team when one is chosen.
/// Who may mentor the viewer in `host` (any team when empty): active
/// people of another team than theirs, not themself.
fn mentor_rule<'a>(v: &'a Viewer, host: &'a str) -> impl Fn(&DirectoryEntry) -> bool + 'a {
    let mine = v.person.as_ref().map(|p| p.record.department.as_str());
    move |p: &DirectoryEntry| {
        Some(p.department.as_str()) != mine
            && (host.is_empty() || p.department == host)
            && Some(p.id) != v.person_id()
    }
}

/// The mentor picker's search.
pub async fn mentor_search(
    State(s): State<AppState>,
    v: Viewer,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    v.person_id().ok_or(AppError::Forbidden)?;
    let query = uri.query().unwrap_or("");
    let host = Fields::parse(query.as_bytes())
        .get("host_department")
        .to_owned();
    let q = picker::Search::read(query, "mentor_id");
    let pool = picker::everyone(&s, &v).await?;
    let keep = mentor_rule(&v, &host);
    Found::response(
        &s.framework().framework,
        "mentor_id",
        false,
        &q,
        &pool,
        &keep,
    )
}

pub async fn request(
    State(s): State<AppState>,
    v: Viewer,
    body: Bytes,
) -> Result<Response, AppError> {
    v.person_id().ok_or(AppError::Forbidden)?;
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    let fw = &s.framework().framework;
    match service::request(s.access(), &v, &form_input(&f), fw, s.now()).await {
        Ok(id) => Ok(Redirect::to(&format!("/internships/{id}")).into_response()),
        Err(AppError::BadRequest(e)) => {
            let error = request_error(&e, &f);
            board_page(&s, &v, Some(error), f).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "internships/internship.html")]
struct InternshipPage {
    chrome: Chrome,
    i: Internship,
    intern: String,
    mentor: String,
    intern_id: Id,
    competencies: Vec<(String, String)>,
    log: Vec<(String, String, String)>,
    decisions: Vec<(&'static str, String)>,
    decide: Option<&'static str>,
    can_log: bool,
    can_complete: bool,
    moved: Vec<(String, String, String)>,
    today: String,
    error: Option<String>,
}

fn rating_text(v: Option<i32>) -> String {
    v.map_or_else(|| "not rated".to_owned(), |v| v.to_string())
}

async fn internship_page(
    s: &AppState,
    v: &Viewer,
    view: &InternshipView<'_>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let loaded = s.framework();
    let text = |id: &str| {
        loaded
            .framework
            .items
            .get(id)
            .map_or_else(|| id.to_owned(), |i| i.text.clone())
    };
    let i = &view.internship;
    let decision = |label: &'static str, d: &Option<ladder_store::Decision>| {
        d.as_ref().map(|d| {
            (
                label,
                format!(
                    "{} by {}{}",
                    if d.approved { "approved" } else { "declined" },
                    d.by.map_or_else(|| "someone".to_owned(), |b| view.name(b)),
                    if d.comment.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", d.comment)
                    }
                ),
            )
        })
    };
    let open = i.state == InternshipState::Requested;
    let running = i.state == InternshipState::Approved;
    let decide = view.parts.decides().filter(|side| {
        open && match side {
            ladder_store::Side::Manager => i.manager.is_none(),
            ladder_store::Side::Host => i.host.is_none(),
        }
    });
    let failed = error.is_some();
    form_page(
        failed,
        &InternshipPage {
            chrome: Chrome::new("Internship", Some(v)),
            intern: view.intern.record.name.clone(),
            intern_id: view.intern.id,
            mentor: format!(
                "{} ({})",
                view.mentor.record.name, view.mentor.record.department
            ),
            competencies: i
                .new
                .competencies
                .iter()
                .map(|c| (c.clone(), text(c)))
                .collect(),
            log: view
                .log()
                .await?
                .into_iter()
                .map(|e: LogEntry| (e.date, view.name(e.author_id), e.text))
                .collect(),
            decisions: [
                decision("Home manager", &i.manager),
                decision("Host", &i.host),
            ]
            .into_iter()
            .flatten()
            .collect(),
            decide: decide.map(|side| match side {
                ladder_store::Side::Manager => "as their manager",
                ladder_store::Side::Host => "for the host team",
            }),
            can_log: running && view.parts.logs(),
            can_complete: running && view.parts.completes(),
            moved: i
                .moved
                .iter()
                .map(|m: &Moved| {
                    (
                        text(&m.statement_id),
                        rating_text(m.self_rating),
                        rating_text(m.manager_rating),
                    )
                })
                .collect(),
            today: Date::from_unix(s.now()).to_string(),
            i: i.clone(),
            error,
        },
    )
}
