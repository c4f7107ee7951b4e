//! The 1:1 pages: the pairs, a pair's document, a meeting.

use super::series::{self, SeriesInput};
use super::service::{self, *};
use crate::access::{Pair, Viewer};
use crate::http::page::{Chrome, form_page, in_words, page, when};
use crate::http::{Fields, is_htmx};
use crate::{AppError, AppState};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use ladder_org::Date;
use ladder_store::{Id, Meeting, Series, SeriesState, StandingItem};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "one_on_ones/one_on_ones.html")]
struct PairsPage {
    chrome: Chrome,
    /// (manager id, report id, other person's name, "your manager" / "reports to you")
    pairs: Vec<(Id, Id, String, String)>,
}

pub async fn one_on_ones(State(s): State<AppState>, v: Viewer) -> Result<Response, AppError> {
    let me = v.person_id();
    let pairs = s
        .access()
        .my_pairs(&v)
        .await?
        .into_iter()
        .map(|(m, r)| {
            if Some(m.id) == me {
                (m.id, r.id, r.record.name, "reports to you".to_owned())
            } else {
                (m.id, r.id, m.record.name, "your manager".to_owned())
            }
        })
        .collect();
    page(&PairsPage {
        chrome: Chrome::new("1:1s", Some(&v)),
        pairs,
    })
}

#[derive(Template)]
#[template(path = "one_on_ones/pair.html")]
struct PairPage {
    chrome: Chrome,
    manager: (Id, String),
    report: (Id, String),
    current: bool,
    today: String,
    meetings: Vec<Meeting>,
    standing: Vec<StandingItem>,
    /// The pair's active or paused series, with its next days.
    series: Option<(Series, Vec<String>)>,
    /// The series form as typed (kept when it fails).
    form: SeriesInput,
    error: Option<String>,
    /// What the last save did.
    notice: Option<&'static str>,
    cadences: [&'static str; 3],
}

pub async fn pair(
    State(s): State<AppState>,
    v: Viewer,
    Path((manager, report)): Path<(Id, Id)>,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    let p = s.access().pair(&v, manager, report).await?;
    pair_page(&s, &v, &p, None, None, done.notice()).await
}

async fn pair_page(
    s: &AppState,
    v: &Viewer,
    p: &Pair<'_>,
    form: Option<SeriesInput>,
    error: Option<String>,
    notice: Option<&'static str>,
) -> Result<Response, AppError> {
    let mut meetings = p.meetings().await?;
    meetings.reverse();
    let today = Date::from_unix(s.now());
    let current = p
        .series()
        .await?
        .into_iter()
        .find(|x| x.state != SeriesState::Ended)
        .map(|x| {
            let next = series::dates(&x.new, today, today.add_days(400))
                .iter()
                .take(6)
                .map(Date::to_string)
                .collect();
            (x, next)
        });
    let form = form.unwrap_or_else(|| SeriesInput {
        cadence: "weekly".to_owned(),
        first_date: today.add_days(1).to_string(),
        start_time: "10:00".to_owned(),
        time_zone: "UTC".to_owned(),
        duration_minutes: Some(30),
        until: today.add_days(182).to_string(),
    });
    form_page(
        error.is_some(),
        &PairPage {
            chrome: Chrome::new(&format!("1:1 with {}", p.other().record.name), Some(v)),
            manager: (p.manager.id, p.manager.record.name.clone()),
            report: (p.report.id, p.report.record.name.clone()),
            current: p.current,
            today: today.to_string(),
            meetings,
            standing: p.standing_items().await?,
            series: current,
            form,
            error,
            notice,
            cadences: ["weekly", "biweekly", "monthly"],
        },
    )
}

/// Starts a series from the pair page's form; a refusal shows the page
/// again with what was typed.
pub async fn start_series(
    State(s): State<AppState>,
    v: Viewer,
    Path((manager, report)): Path<(Id, Id)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let p = s.access().pair_to_write(&v, manager, report).await?;
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    let input = SeriesInput {
        cadence: f.get("cadence").to_owned(),
        first_date: f.get("first_date").to_owned(),
        start_time: f.get("start_time").to_owned(),
        time_zone: f.get("time_zone").to_owned(),
        duration_minutes: match f.get("duration_minutes").trim() {
            "" => None,
            d => Some(d.parse().unwrap_or(-1)),
        },
        until: f.get("until").to_owned(),
    };
    match series::start(&p, &input, s.now()).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/one-on-ones/{manager}/{report}?done=series#series"
        ))
        .into_response()),
        Err(AppError::BadRequest(e) | AppError::Conflict(e)) => {
            pair_page(&s, &v, &p, Some(input), Some(e), None).await
        }
        Err(e) => Err(e),
    }
}

/// Pauses, resumes or ends the pair's series.
pub async fn series_state(
    State(s): State<AppState>,
    v: Viewer,
    Path((manager, report, action)): Path<(Id, Id, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let p = s.access().pair_to_write(&v, manager, report).await?;
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    let Some(current) = p
        .series()
        .await?
        .into_iter()
        .find(|x| x.state != SeriesState::Ended)
    else {
        return Err(AppError::NotFound);
    };
    match series::set_state(&p, &current, &action, s.now()).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/one-on-ones/{manager}/{report}?done=series#series"
        ))
        .into_response()),
        Err(AppError::BadRequest(e)) => pair_page(&s, &v, &p, None, Some(e), None).await,
        Err(e) => Err(e),
    }
}

pub async fn create_meeting(
    State(s): State<AppState>,
    v: Viewer,
    Path((manager, report)): Path<(Id, Id)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let now = s.now();
    let p = s.access().pair_to_write(&v, manager, report).await?;
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    let (id, _) = service::open_meeting(&p, f.get("date"), now).await?;
    Ok(Redirect::to(&format!("/meetings/{id}")).into_response())
}

pub async fn add_standing(
    State(s): State<AppState>,
    v: Viewer,
    Path((manager, report)): Path<(Id, Id)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let p = s.access().pair_to_write(&v, manager, report).await?;
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    service::add_standing_item(&p, f.get("text"), s.now()).await?;
    Ok(Redirect::to(&format!("/one-on-ones/{manager}/{report}?done=standing")).into_response())
}

/// A conflict to resolve on the meeting page: which field, their text and
/// version, and what the viewer tried to save.
struct Conflict {
    field: &'static str,
    theirs: String,
    version: i64,
    mine: String,
}

/// One of the meeting's two texts (the shared notes, the viewer's private
/// note) as its own form: saved on its own (htmx swaps only this form, so
/// text typed in the other is never lost), with its saved state, or the
/// other side's text when they saved first.
#[derive(Template)]
#[template(path = "one_on_ones/note_form.html")]
struct NoteForm {
    meeting_id: Id,
    field: &'static str,
    label: &'static str,
    button: &'static str,
    rows: u8,
    csrf: String,
    version: i64,
    text: String,
    other: String,
    /// Their text, when they saved first.
    conflict: Option<String>,
    saved: Option<String>,
    error: Option<String>,
}

impl NoteForm {
    fn new(v: &Viewer, p: &Pair<'_>, d: &MeetingData, field: &'static str) -> NoteForm {
        let (label, button, rows, version, text) = if field == "notes" {
            (
                "Notes you both see",
                "Save shared notes",
                6,
                d.meeting.version,
                d.meeting.shared_notes.clone(),
            )
        } else {
            let (version, text) = d
                .my_note
                .as_ref()
                .map_or((0, String::new()), |n| (n.version, n.text.clone()));
            ("Private note", "Save private note", 4, version, text)
        };
        NoteForm {
            meeting_id: d.meeting.id,
            field,
            label,
            button,
            rows,
            csrf: v.csrf().to_owned(),
            version,
            text,
            other: p.other().record.name.clone(),
            conflict: None,
            saved: None,
            error: None,
        }
    }

    /// The form after a conflict: their version, and in the box their
    /// text then the viewer's, to merge.
    fn with_conflict(mut self, c: &Conflict) -> NoteForm {
        self.version = c.version;
        self.text = format!("{}\n\n{}", c.theirs, c.mine);
        self.conflict = Some(c.theirs.clone());
        self
    }
}

#[derive(Template)]
#[template(path = "one_on_ones/meeting.html")]
struct MeetingPage {
    chrome: Chrome,
    d: MeetingData,
    pair: (Id, Id),
    other: String,
    /// (id, name) of both, for owners.
    people: Vec<(Id, String)>,
    names: HashMap<Id, String>,
    shared_form: String,
    private_form: String,
    /// What the last save did.
    notice: Option<&'static str>,
    /// The report still reports to the manager; otherwise the page is a
    /// record, read-only.
    current: bool,
}

impl MeetingPage {
    fn name(&self, id: &Id) -> String {
        self.names.get(id).cloned().unwrap_or_default()
    }
}

async fn meeting_page(
    v: &Viewer,
    p: &Pair<'_>,
    m: Meeting,
    conflict: Option<Conflict>,
    notice: Option<&'static str>,
) -> Result<Response, AppError> {
    let d = meeting_data(p, m).await?;
    let people = vec![
        (p.manager.id, p.manager.record.name.clone()),
        (p.report.id, p.report.record.name.clone()),
    ];
    let status = if conflict.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    let form = |field: &'static str| {
        let f = NoteForm::new(v, p, &d, field);
        match &conflict {
            Some(c) if c.field == field => f.with_conflict(c),
            _ => f,
        }
        .render()
    };
    let (shared_form, private_form) = (form("notes")?, form("private")?);
    let res = page(&MeetingPage {
        chrome: Chrome::new(&format!("1:1 on {}", d.meeting.date), Some(v)),
        pair: (p.manager.id, p.report.id),
        other: p.other().record.name.clone(),
        names: people.iter().cloned().collect(),
        people,
        d,
        shared_form,
        private_form,
        notice,
        current: p.current,
    })?;
    Ok((status, res).into_response())
}

/// What a save on these pages just did, said on the page it returns to
/// (`?done=…`): a fixed text per kind, so nothing in the link is shown.
#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    done: String,
}

impl Done {
    fn notice(&self) -> Option<&'static str> {
        match self.done.as_str() {
            "agenda" => Some("Added to the agenda."),
            "action" => Some("Action item added."),
            "action-done" => Some("Marked done."),
            "notes" => Some("Shared notes saved."),
            "private" => Some("Private note saved."),
            "standing" => Some("Added to the standing agenda."),
            "series" => Some("The series is saved."),
            _ => None,
        }
    }
}

pub async fn meeting(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    let (p, m) = s.access().meeting(&v, id).await?;
    meeting_page(&v, &p, m, None, done.notice()).await
}

pub async fn add_agenda(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (p, m) = s.access().meeting_to_write(&v, id).await?;
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    service::add_agenda_item(&p, &m, f.get("text"), s.now()).await?;
    Ok(Redirect::to(&format!("/meetings/{id}?done=agenda#agenda")).into_response())
}

pub async fn save_notes(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    save_text(s, v, id, headers, body, "notes").await
}

pub async fn save_private(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    save_text(s, v, id, headers, body, "private").await
}

async fn save_text(
    s: AppState,
    v: Viewer,
    id: Id,
    headers: HeaderMap,
    body: Bytes,
    field: &'static str,
) -> Result<Response, AppError> {
    let now = s.now();
    let (p, m) = s.access().meeting_to_write(&v, id).await?;
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    let version = version_field(&f)?;
    let which = if field == "notes" {
        Notes::Shared
    } else {
        Notes::Private
    };
    let text = f.get("text").trim().to_owned();
    let saved = service::save_notes(&p, &m, which, &text, version, now).await;
    if !is_htmx(&headers) {
        return match saved {
            Ok(_) => {
                Ok(Redirect::to(&format!("/meetings/{id}?done={field}#{field}")).into_response())
            }
            Err(AppError::Stale {
                version,
                text: theirs,
            }) => {
                let conflict = Conflict {
                    field,
                    theirs,
                    version,
                    mine: text,
                };
                meeting_page(&v, &p, m, Some(conflict), None).await
            }
            Err(e) => Err(e),
        };
    }
    // From htmx: this form alone, as it stands now.
    let (_, m) = s.access().meeting(&v, id).await?;
    let d = meeting_data(&p, m).await?;
    let form = NoteForm::new(&v, &p, &d, field);
    let form = match saved {
        Ok(_) => NoteForm {
            saved: Some(format!("Saved {}", when(now))),
            ..form
        },
        Err(AppError::Stale {
            version,
            text: theirs,
        }) => form.with_conflict(&Conflict {
            field,
            theirs,
            version,
            mine: text,
        }),
        Err(AppError::BadRequest(e)) => NoteForm {
            text,
            error: Some(in_words(&e)),
            ..form
        },
        Err(e) => return Err(e),
    };
    Ok(axum::response::Html(form.render()?).into_response())
}

pub async fn add_action(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (p, m) = s.access().meeting_to_write(&v, id).await?;
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    let owner: Id = f
        .get("owner")
        .parse()
        .map_err(|_| AppError::BadRequest("owner: choose who will do it".to_owned()))?;
    service::add_action(&p, &m, owner, f.get("text"), s.now()).await?;
    Ok(Redirect::to(&format!("/meetings/{id}?done=action#actions")).into_response())
}

pub async fn complete_action(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (p, a) = s.access().action(&v, id).await?;
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    let meeting: Id = f.get("meeting").parse().map_err(|_| {
        AppError::BadRequest("meeting: missing; mark it done from a meeting page".to_owned())
    })?;
    let (_, m) = s.access().meeting(&v, meeting).await?;
    service::complete_action(&p, &a, &m, s.now()).await?;
    Ok(Redirect::to(&format!("/meetings/{meeting}?done=action-done#actions")).into_response())
}
