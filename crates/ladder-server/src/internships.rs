//! Internships for learning on the server: checking a request, the board
//! every signed-in account sees, one internship's page for its parties,
//! and the API. Access is decided in [`crate::access`].

use crate::access::{BoardEntry, InternshipParts, InternshipView, Viewer};
use crate::api::{ApiError, ApiViewer, ErrorBody};
use crate::api_growth::body;
use crate::feedback::date_field;
use crate::growth::{Fields, text_field};
use crate::web::{Chrome, form_page};
use crate::{AppError, AppState};
use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use ladder_framework::Framework;
use ladder_framework::similar::did_you_mean;
use ladder_org::Date;
use ladder_store::{Activity, Id, Internship, InternshipState, LogEntry, Moved, NewInternship};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The kinds of planned activity.
pub const ACTIVITY_KINDS: [(&str, &str); 4] = [
    ("pairing", "Pairing on named issues"),
    (
        "on_call_shadow",
        "Shadowing the on-call rotation (two weeks)",
    ),
    ("release_shadow", "Shadowing the release team"),
    ("other", "Other"),
];

pub fn activity_label(kind: &str) -> &str {
    ACTIVITY_KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(kind, |(_, l)| *l)
}

/// What a person sends to ask for an internship.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct InternshipInput {
    pub host_department: String,
    /// The mentor's person id.
    pub mentor_id: Id,
    pub goals: String,
    /// Competency statement ids to grow, optional.
    #[serde(default)]
    pub competencies: Vec<String>,
    /// Percent of their time, 1 to 100.
    pub share: i64,
    pub start_date: String,
    pub end_date: String,
    #[serde(default)]
    pub activities: Vec<ActivityInput>,
    #[serde(default)]
    pub access: String,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct ActivityInput {
    /// `pairing`, `on_call_shadow`, `release_shadow` or `other`.
    pub kind: String,
    /// The issues, the rotation, or what else.
    pub detail: String,
}

/// Checks a request field by field; the first problem names its field.
pub fn check_request(
    input: &InternshipInput,
    person: Id,
    fw: &Framework,
) -> Result<NewInternship, AppError> {
    let host_department = text_field("host_department", &input.host_department, true)?;
    let goals = text_field("goals", &input.goals, true)?;
    if !(1..=100).contains(&input.share) {
        return Err(AppError::BadRequest(format!(
            "share: {}% is not a share of time; write a percent from 1 to 100, e.g. 20",
            input.share
        )));
    }
    let start = date_field("start_date", &input.start_date)?;
    let end = date_field("end_date", &input.end_date)?;
    if end < start {
        return Err(AppError::BadRequest(format!(
            "end_date: {end} is before the start, {start}"
        )));
    }
    let mut competencies = Vec::new();
    for c in input
        .competencies
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
    {
        if !fw.items.contains_key(c) {
            let hint = did_you_mean(c, fw.items.keys().map(String::as_str))
                .map_or_else(String::new, |s| format!("; did you mean `{s}`?"));
            return Err(AppError::BadRequest(format!(
                "competencies: `{c}` is not a statement id of the framework{hint}"
            )));
        }
        if !competencies.iter().any(|x: &String| x == c) {
            competencies.push(c.to_owned());
        }
    }
    let mut activities = Vec::new();
    for (i, a) in input.activities.iter().enumerate() {
        let kind = a.kind.trim();
        if !ACTIVITY_KINDS.iter().any(|(k, _)| *k == kind) {
            return Err(AppError::BadRequest(format!(
                "activities[{i}].kind: `{kind}` is not an activity; use one of pairing, on_call_shadow, release_shadow, other"
            )));
        }
        let detail = text_field(
            &format!("activities[{i}].detail"),
            &a.detail,
            kind == "pairing" || kind == "other",
        )?;
        activities.push(Activity {
            kind: kind.to_owned(),
            detail,
        });
    }
    Ok(NewInternship {
        person_id: person,
        host_department,
        mentor_id: input.mentor_id,
        goals,
        competencies,
        share: input.share,
        start_date: start.to_string(),
        end_date: end.to_string(),
        activities,
        access: text_field("access", &input.access, false)?,
    })
}

/// The request form's fields as an [`InternshipInput`]. Activities come
/// as checkboxes (`activity_<kind>`) with a detail each.
fn form_input(f: &Fields) -> InternshipInput {
    InternshipInput {
        host_department: f.get("host_department").to_owned(),
        mentor_id: f.get("mentor_id").trim().parse().unwrap_or(0),
        goals: f.get("goals").to_owned(),
        competencies: f
            .get("competencies")
            .split([',', ' ', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        share: f.get("share").trim().parse().unwrap_or(0),
        start_date: f.get("start_date").to_owned(),
        end_date: f.get("end_date").to_owned(),
        activities: ACTIVITY_KINDS
            .iter()
            .filter(|(k, _)| !f.get(&format!("activity_{k}")).is_empty())
            .map(|(k, _)| ActivityInput {
                kind: (*k).to_owned(),
                detail: f.get(&format!("detail_{k}")).to_owned(),
            })
            .collect(),
        access: f.get("access").to_owned(),
    }
}

// ---- Web pages

#[derive(Template)]
#[template(path = "internships.html")]
struct BoardPage {
    chrome: Chrome,
    board: Vec<BoardEntry>,
    /// What people want to learn: (intern, goals, competency texts).
    wants: Vec<(String, String, Vec<String>)>,
    departments: Vec<String>,
    mentors: Vec<(Id, String, String)>,
    can_request: bool,
    error: Option<String>,
    kinds: &'static [(&'static str, &'static str)],
}

async fn board_page(s: &AppState, v: &Viewer, error: Option<String>) -> Result<Response, AppError> {
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
    let dir = access.directory(v).await?;
    let mine = v.person.as_ref().map(|p| p.record.department.clone());
    let mut mentors: Vec<(Id, String, String)> = dir
        .all()
        .into_iter()
        .filter(|p| p.active && Some(&p.department) != mine.as_ref())
        .map(|p| (p.id, p.name, p.department))
        .collect();
    mentors.sort_by(|a, b| (&a.2, &a.1).cmp(&(&b.2, &b.1)));
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
            mentors,
            can_request: v.person.is_some(),
            error,
            kinds: &ACTIVITY_KINDS,
        },
    )
}

pub async fn board(State(s): State<AppState>, v: Viewer) -> Result<Response, AppError> {
    board_page(&s, &v, None).await
}

pub async fn request(
    State(s): State<AppState>,
    v: Viewer,
    body: Bytes,
) -> Result<Response, AppError> {
    let me = v.person_id().ok_or(AppError::Forbidden)?;
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    let id = match check_request(&form_input(&f), me, &s.framework().framework) {
        Ok(r) => s.access().request_internship(&v, &r, s.now()).await,
        Err(e) => Err(e),
    };
    match id {
        Ok(id) => Ok(Redirect::to(&format!("/internships/{id}")).into_response()),
        Err(AppError::BadRequest(e)) => board_page(&s, &v, Some(e)).await,
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "internship.html")]
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
            view.decide(
                approve,
                &text_field("comment", f.get("comment"), false)?,
                now,
            )
            .await
            .map(|_| ())
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
        let day = date_field("date", f.get("date"))?;
        let text = text_field("text", f.get("text"), true)?;
        view.add_log(&day.to_string(), &text, now).await.map(|_| ())
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
            let outcome = text_field("outcome", f.get("outcome"), true)?;
            let moved: Vec<String> = f.all("moved").into_iter().map(str::to_owned).collect();
            check_moved(&moved, &view.internship)?;
            view.complete(&outcome, &moved, now).await
        },
    )
    .await
}

/// The statements an internship moved are among those it set out to grow.
fn check_moved(moved: &[String], i: &Internship) -> Result<(), AppError> {
    match moved.iter().find(|m| !i.new.competencies.contains(m)) {
        Some(m) => Err(AppError::BadRequest(format!(
            "moved: `{m}` is not one of the competencies this internship set out to grow ({})",
            i.new.competencies.join(", ")
        ))),
        None => Ok(()),
    }
}

// ---- API

#[derive(Debug, Serialize, ToSchema)]
pub struct InternshipOut {
    pub id: Id,
    pub person_id: Id,
    pub person: String,
    pub host_department: String,
    pub mentor_id: Id,
    pub mentor: String,
    pub goals: String,
    pub competencies: Vec<String>,
    pub share: i64,
    pub start_date: String,
    pub end_date: String,
    pub activities: Vec<ActivityInput>,
    /// `requested`, `approved`, `declined` or `completed`.
    pub state: String,
}

fn out(i: &Internship, person: &str, mentor: &str) -> InternshipOut {
    InternshipOut {
        id: i.id,
        person_id: i.new.person_id,
        person: person.to_owned(),
        host_department: i.new.host_department.clone(),
        mentor_id: i.new.mentor_id,
        mentor: mentor.to_owned(),
        goals: i.new.goals.clone(),
        competencies: i.new.competencies.clone(),
        share: i.new.share,
        start_date: i.new.start_date.clone(),
        end_date: i.new.end_date.clone(),
        activities: i
            .new
            .activities
            .iter()
            .map(|a| ActivityInput {
                kind: a.kind.clone(),
                detail: a.detail.clone(),
            })
            .collect(),
        state: i.state.as_str().to_owned(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LogOut {
    pub date: String,
    pub author: String,
    pub text: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MovedOut {
    pub statement_id: String,
    pub self_rating: Option<i32>,
    pub manager_rating: Option<i32>,
}

/// One internship with what only its parties see.
#[derive(Debug, Serialize, ToSchema)]
pub struct InternshipDetailOut {
    #[serde(flatten)]
    pub internship: InternshipOut,
    pub access: String,
    pub manager_decision: Option<String>,
    pub host_decision: Option<String>,
    pub log: Vec<LogOut>,
    pub outcome: String,
    pub moved: Vec<MovedOut>,
}

async fn detail(view: &InternshipView<'_>) -> Result<InternshipDetailOut, AppError> {
    let i = &view.internship;
    let decision = |d: &Option<ladder_store::Decision>| {
        d.as_ref()
            .map(|d| if d.approved { "approved" } else { "declined" }.to_owned())
    };
    Ok(InternshipDetailOut {
        internship: out(i, &view.intern.record.name, &view.mentor.record.name),
        access: i.new.access.clone(),
        manager_decision: decision(&i.manager),
        host_decision: decision(&i.host),
        log: view
            .log()
            .await?
            .into_iter()
            .map(|e| LogOut {
                date: e.date,
                author: view.name(e.author_id),
                text: e.text,
            })
            .collect(),
        outcome: i.outcome.clone(),
        moved: i
            .moved
            .iter()
            .map(|m| MovedOut {
                statement_id: m.statement_id.clone(),
                self_rating: m.self_rating,
                manager_rating: m.manager_rating,
            })
            .collect(),
    })
}

/// Who interns where, with whom, to learn what. Never the log or outcome.
#[utoipa::path(get, path = "/api/v1/internships", responses((status = 200, body = [InternshipOut])))]
pub async fn api_board(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
) -> Result<Json<Vec<InternshipOut>>, ApiError> {
    let board = s.access().internship_board(&v).await?;
    Ok(Json(
        board
            .iter()
            .map(|b| out(&b.internship, &b.intern.record.name, &b.mentor.record.name))
            .collect(),
    ))
}

/// Asks for an internship for the signed-in person.
#[utoipa::path(post, path = "/api/v1/internships", request_body = InternshipInput, responses(
    (status = 200, body = InternshipDetailOut),
    (status = 400, body = ErrorBody, description = "The message names the field"),
    (status = 403, body = ErrorBody, description = "The account has no person")
))]
pub async fn api_request(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    bytes: Bytes,
) -> Result<Json<InternshipDetailOut>, ApiError> {
    let me = v.person_id().ok_or(AppError::Forbidden)?;
    let input: InternshipInput = body(&bytes)?;
    let req = check_request(&input, me, &s.framework().framework)?;
    let access = s.access();
    let id = access.request_internship(&v, &req, s.now()).await?;
    let view = access.internship(&v, id).await?;
    Ok(Json(detail(&view).await?))
}

/// One internship with its log and outcome: its parties only.
#[utoipa::path(get, path = "/api/v1/internships/{internship}", params(("internship" = i64, Path)), responses(
    (status = 200, body = InternshipDetailOut),
    (status = 403, body = ErrorBody)
))]
pub async fn api_show(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
) -> Result<Json<InternshipDetailOut>, ApiError> {
    let view = s.access().internship(&v, id).await?;
    Ok(Json(detail(&view).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct InternshipDecisionIn {
    pub approve: bool,
    #[serde(default)]
    pub comment: String,
}

/// The home manager's or the host's decision.
#[utoipa::path(post, path = "/api/v1/internships/{internship}/decisions", params(("internship" = i64, Path)), request_body = InternshipDecisionIn, responses(
    (status = 200, body = InternshipDetailOut),
    (status = 400, body = ErrorBody),
    (status = 403, body = ErrorBody)
))]
pub async fn api_decide(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
    bytes: Bytes,
) -> Result<Json<InternshipDetailOut>, ApiError> {
    let access = s.access();
    let view = access.internship(&v, id).await?;
    if view.parts.decides().is_none() {
        return Err(AppError::Forbidden.into());
    }
    let d: InternshipDecisionIn = body(&bytes)?;
    view.decide(
        d.approve,
        &text_field("comment", &d.comment, false)?,
        s.now(),
    )
    .await?;
    let view = access.internship(&v, id).await?;
    Ok(Json(detail(&view).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LogIn {
    pub date: String,
    pub text: String,
}

/// Logs an activity while the internship runs.
#[utoipa::path(post, path = "/api/v1/internships/{internship}/log", params(("internship" = i64, Path)), request_body = LogIn, responses(
    (status = 200, body = InternshipDetailOut),
    (status = 400, body = ErrorBody),
    (status = 403, body = ErrorBody)
))]
pub async fn api_log(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
    bytes: Bytes,
) -> Result<Json<InternshipDetailOut>, ApiError> {
    let access = s.access();
    let view = access.internship(&v, id).await?;
    if !view.parts.logs() {
        return Err(AppError::Forbidden.into());
    }
    let l: LogIn = body(&bytes)?;
    let day = date_field("date", &l.date)?;
    view.add_log(
        &day.to_string(),
        &text_field("text", &l.text, true)?,
        s.now(),
    )
    .await?;
    let view = access.internship(&v, id).await?;
    Ok(Json(detail(&view).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CompleteIn {
    pub outcome: String,
    /// Competency statement ids (of the request's) the internship moved;
    /// their worksheet ratings are kept as they stand.
    #[serde(default)]
    pub moved: Vec<String>,
}

/// Ends a running internship with its outcome.
#[utoipa::path(post, path = "/api/v1/internships/{internship}/complete", params(("internship" = i64, Path)), request_body = CompleteIn, responses(
    (status = 200, body = InternshipDetailOut),
    (status = 400, body = ErrorBody),
    (status = 403, body = ErrorBody)
))]
pub async fn api_complete(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
    bytes: Bytes,
) -> Result<Json<InternshipDetailOut>, ApiError> {
    let access = s.access();
    let view = access.internship(&v, id).await?;
    if !view.parts.completes() {
        return Err(AppError::Forbidden.into());
    }
    let c: CompleteIn = body(&bytes)?;
    let outcome = text_field("outcome", &c.outcome, true)?;
    check_moved(&c.moved, &view.internship)?;
    view.complete(&outcome, &c.moved, s.now()).await?;
    let view = access.internship(&v, id).await?;
    Ok(Json(detail(&view).await?))
}
