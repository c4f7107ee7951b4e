//! `/api/v1` for 1:1s: a pair's document, meetings, agenda, notes and
//! action items.

use crate::access::Viewer;
use crate::growth::api::{AreaOut, area_out};
use crate::http::api::CreatedOut;
use crate::http::api::{ApiError, ApiViewer, ErrorBody, PersonOut, person_out};
use crate::http::body;
use crate::one_on_ones::series::{self, SeriesInput};
use crate::one_on_ones::service::{self, Notes, meeting_data};
use crate::{AppError, AppState};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ladder_store::Id;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The OpenAPI tag of these operations: the module that held them before
/// the feature folders, kept so that `openapi.json` does not change.
const TAG: &str = "crate::api_growth";

#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingSummaryOut {
    pub id: Id,
    pub date: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PairOut {
    pub manager: PersonOut,
    pub report: PersonOut,
    /// The report still reports to the manager (new meetings allowed).
    pub current: bool,
    pub meetings: Vec<MeetingSummaryOut>,
    pub standing_items: Vec<String>,
    /// The pair's active or paused series, if any.
    pub series: Option<SeriesOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesOut {
    pub id: Id,
    /// `weekly`, `biweekly` or `monthly`.
    pub cadence: String,
    pub first_date: String,
    pub until: String,
    pub start_time: String,
    pub time_zone: String,
    pub duration_minutes: i64,
    /// `active` or `paused`.
    pub state: String,
    /// The next days it meets (up to ten), from today.
    pub next_dates: Vec<String>,
}

fn series_out(x: &ladder_store::Series, today: ladder_org::Date) -> SeriesOut {
    SeriesOut {
        id: x.id,
        cadence: x.new.cadence.as_str().to_owned(),
        first_date: x.new.first_date.clone(),
        until: x.new.until_date.clone(),
        start_time: x.new.start_time.clone(),
        time_zone: x.new.time_zone.clone(),
        duration_minutes: x.new.duration_minutes,
        state: x.state.as_str().to_owned(),
        next_dates: series::dates(&x.new, today, today.add_days(800))
            .iter()
            .take(10)
            .map(ToString::to_string)
            .collect(),
    }
}

/// Starts the pair's recurring series; its first meetings are made at once.
#[utoipa::path(tag = TAG, post, path = "/api/v1/one-on-ones/{manager}/{report}/series", params(("manager" = i64, Path), ("report" = i64, Path)), request_body = SeriesInput, responses(
    (status = 201, body = CreatedOut),
    (status = 400, body = ErrorBody, description = "A field is wrong: the message names it"),
    (status = 403, body = ErrorBody),
    (status = 409, body = ErrorBody, description = "The pair has a series; end it first")
))]
pub async fn start_series(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path((manager, report)): Path<(Id, Id)>,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let p = s.access().pair_to_write(&v, manager, report).await?;
    let input: SeriesInput = body(&bytes)?;
    let id = series::start(&p, &input, s.now()).await?;
    Ok((StatusCode::CREATED, Json(CreatedOut { id })).into_response())
}

/// Pauses (`pause`), resumes (`resume`) or ends (`end`) the pair's series.
#[utoipa::path(tag = TAG, post, path = "/api/v1/one-on-ones/{manager}/{report}/series/{action}", params(("manager" = i64, Path), ("report" = i64, Path), ("action" = String, Path)), responses(
    (status = 200, body = PairOut),
    (status = 400, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody, description = "The pair has no series")
))]
pub async fn series_state(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path((manager, report, action)): Path<(Id, Id, String)>,
) -> Result<Json<PairOut>, ApiError> {
    let p = s.access().pair_to_write(&v, manager, report).await?;
    let current = p
        .series()
        .await?
        .into_iter()
        .find(|x| x.state != ladder_store::SeriesState::Ended)
        .ok_or(AppError::NotFound)?;
    series::set_state(&p, &current, &action, s.now()).await?;
    pair(State(s), ApiViewer(v), Path((manager, report))).await
}

/// A 1:1 document: for its two participants only.
#[utoipa::path(tag = TAG, get, path = "/api/v1/one-on-ones/{manager}/{report}", params(("manager" = i64, Path), ("report" = i64, Path)), responses(
    (status = 200, body = PairOut),
    (status = 403, body = ErrorBody)
))]
pub async fn pair(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path((manager, report)): Path<(Id, Id)>,
) -> Result<Json<PairOut>, ApiError> {
    let p = s.access().pair(&v, manager, report).await?;
    Ok(Json(PairOut {
        manager: person_out(&p.manager),
        report: person_out(&p.report),
        current: p.current,
        meetings: p
            .meetings()
            .await?
            .into_iter()
            .map(|m| MeetingSummaryOut {
                id: m.id,
                date: m.date,
            })
            .collect(),
        standing_items: p
            .standing_items()
            .await?
            .into_iter()
            .map(|s| s.text)
            .collect(),
        series: p
            .series()
            .await?
            .iter()
            .find(|x| x.state != ladder_store::SeriesState::Ended)
            .map(|x| series_out(x, ladder_org::Date::from_unix(s.now()))),
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct MeetingIn {
    /// `YYYY-MM-DD`; today when left out.
    #[serde(default)]
    pub date: String,
}

/// Starts a meeting of the pair (one per day).
#[utoipa::path(tag = TAG, post, path = "/api/v1/one-on-ones/{manager}/{report}/meetings", params(("manager" = i64, Path), ("report" = i64, Path)), request_body = MeetingIn, responses(
    (status = 201, body = CreatedOut),
    (status = 403, body = ErrorBody),
    (status = 409, body = ErrorBody)
))]
pub async fn create_meeting(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path((manager, report)): Path<(Id, Id)>,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let now = s.now();
    let p = s.access().pair_to_write(&v, manager, report).await?;
    let input: MeetingIn = if bytes.is_empty() {
        MeetingIn::default()
    } else {
        body(&bytes)?
    };
    let id = service::create_meeting(&p, &input.date, now).await?;
    Ok((StatusCode::CREATED, Json(CreatedOut { id })).into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgendaOut {
    pub id: Id,
    pub author_id: Id,
    pub text: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionOut {
    pub id: Id,
    pub owner_id: Id,
    pub text: String,
    /// The date of the meeting it was made in.
    pub made_on: String,
    pub done: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoteOut {
    pub text: String,
    pub version: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingOut {
    pub id: Id,
    pub manager_id: Id,
    pub report_id: Id,
    pub date: String,
    pub quarter: String,
    pub shared_notes: String,
    /// Send it back when saving the shared notes.
    pub version: i64,
    /// The report's focus areas for the quarter: on the standing agenda.
    pub focus_areas: Vec<AreaOut>,
    pub standing_items: Vec<String>,
    pub agenda: Vec<AgendaOut>,
    /// Made in this meeting or carried over from earlier ones until done.
    pub actions: Vec<ActionOut>,
    /// The caller's own private note; never anyone else's.
    pub private_note: Option<NoteOut>,
}

/// A meeting with its agenda, action items and the caller's own note.
#[utoipa::path(tag = TAG, get, path = "/api/v1/meetings/{meeting}", params(("meeting" = i64, Path)), responses(
    (status = 200, body = MeetingOut),
    (status = 403, body = ErrorBody)
))]
pub async fn meeting(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
) -> Result<Json<MeetingOut>, ApiError> {
    let (p, m) = s.access().meeting(&v, id).await?;
    Ok(Json(meeting_out(&p, m).await?))
}

async fn meeting_out(
    p: &crate::access::Pair<'_>,
    m: ladder_store::Meeting,
) -> Result<MeetingOut, AppError> {
    let d = meeting_data(p, m).await?;
    Ok(MeetingOut {
        id: d.meeting.id,
        manager_id: d.meeting.manager_id,
        report_id: d.meeting.report_id,
        date: d.meeting.date.clone(),
        quarter: d.quarter.to_string(),
        shared_notes: d.meeting.shared_notes.clone(),
        version: d.meeting.version,
        focus_areas: d
            .focus
            .iter()
            .flat_map(|c| c.areas.iter().map(area_out))
            .collect(),
        standing_items: d.standing.iter().map(|s| s.text.clone()).collect(),
        agenda: d
            .agenda
            .iter()
            .map(|a| AgendaOut {
                id: a.id,
                author_id: a.author_id,
                text: a.text.clone(),
            })
            .collect(),
        actions: d
            .actions
            .iter()
            .map(|a| ActionOut {
                id: a.id,
                owner_id: a.owner_id,
                text: a.text.clone(),
                made_on: a.meeting_date.clone(),
                done: a.done_meeting_id.is_some(),
            })
            .collect(),
        private_note: d.my_note.map(|n| NoteOut {
            text: n.text,
            version: n.version,
        }),
    })
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TextIn {
    pub text: String,
}

/// Adds an agenda item as the caller.
#[utoipa::path(tag = TAG, post, path = "/api/v1/meetings/{meeting}/agenda", params(("meeting" = i64, Path)), request_body = TextIn, responses(
    (status = 201, body = CreatedOut),
    (status = 403, body = ErrorBody)
))]
pub async fn add_agenda(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let (p, m) = s.access().meeting_to_write(&v, id).await?;
    let input: TextIn = body(&bytes)?;
    let id = service::add_agenda_item(&p, &m, &input.text, s.now()).await?;
    Ok((StatusCode::CREATED, Json(CreatedOut { id })).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct VersionedTextIn {
    pub text: String,
    /// The version the text was edited from (0 for a first private note).
    pub version: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SavedOut {
    /// The new version.
    pub version: i64,
}

/// Saves the shared notes. If someone saved since `version`, nothing is
/// written and the answer is 409 with their text in `error.current`.
#[utoipa::path(tag = TAG, post, path = "/api/v1/meetings/{meeting}/notes", params(("meeting" = i64, Path)), request_body = VersionedTextIn, responses(
    (status = 200, body = SavedOut),
    (status = 403, body = ErrorBody),
    (status = 409, description = "Someone else saved first; `error.current` has their version and text", body = ErrorBody)
))]
pub async fn save_notes(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
    bytes: Bytes,
) -> Result<Json<SavedOut>, ApiError> {
    save_text(&s, &v, id, &bytes, true).await
}

/// Saves the caller's own private note, with the same version check.
#[utoipa::path(tag = TAG, post, path = "/api/v1/meetings/{meeting}/private", params(("meeting" = i64, Path)), request_body = VersionedTextIn, responses(
    (status = 200, body = SavedOut),
    (status = 403, body = ErrorBody),
    (status = 409, body = ErrorBody)
))]
pub async fn save_private(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
    bytes: Bytes,
) -> Result<Json<SavedOut>, ApiError> {
    save_text(&s, &v, id, &bytes, false).await
}

async fn save_text(
    s: &AppState,
    v: &Viewer,
    id: Id,
    bytes: &[u8],
    shared: bool,
) -> Result<Json<SavedOut>, ApiError> {
    let (p, m) = s.access().meeting_to_write(v, id).await?;
    let input: VersionedTextIn = body(bytes)?;
    let which = if shared {
        Notes::Shared
    } else {
        Notes::Private
    };
    let version = service::save_notes(&p, &m, which, &input.text, input.version, s.now()).await?;
    Ok(Json(SavedOut { version }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ActionIn {
    pub text: String,
    /// The person who will do it: one of the pair.
    pub owner: Id,
}

/// Adds an action item; it carries to later meetings until done.
#[utoipa::path(tag = TAG, post, path = "/api/v1/meetings/{meeting}/actions", params(("meeting" = i64, Path)), request_body = ActionIn, responses(
    (status = 201, body = CreatedOut),
    (status = 403, body = ErrorBody)
))]
pub async fn add_action(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let (p, m) = s.access().meeting_to_write(&v, id).await?;
    let input: ActionIn = body(&bytes)?;
    let id = service::add_action(&p, &m, input.owner, &input.text, s.now()).await?;
    Ok((StatusCode::CREATED, Json(CreatedOut { id })).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DoneIn {
    /// The meeting it was done in.
    pub meeting: Id,
}

/// Marks an action item done in a meeting.
#[utoipa::path(tag = TAG, post, path = "/api/v1/actions/{action}/done", params(("action" = i64, Path)), request_body = DoneIn, responses(
    (status = 204),
    (status = 400, body = ErrorBody),
    (status = 403, body = ErrorBody)
))]
pub async fn complete_action(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let (p, a) = s.access().action(&v, id).await?;
    let input: DoneIn = body(&bytes)?;
    let (_, m) = s.access().meeting(&v, input.meeting).await?;
    service::complete_action(&p, &a, &m, s.now()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
