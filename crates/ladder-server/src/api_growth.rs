//! `/api/v1` for the growth workflow: worksheets and ratings, checkpoints,
//! 1:1 meetings, and a manager's team view. The rules are the web pages'
//! ([`crate::growth`]); these are the JSON wire types and handlers.
//!
//! Request bodies are read only after access is decided, so a caller who
//! may not use a route learns nothing from how their body is judged.

use crate::access::Viewer;
use crate::api::{ApiError, ApiViewer, ErrorBody, PersonOut, person_out};
use crate::growth::{
    AreaInput, check_areas, check_rating, checkpoint_quarter, meeting_data, meeting_date,
    person_worksheet, team_data, text_field, worksheet_data,
};
use crate::{AppError, AppState};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ladder_growth::Readiness;
use ladder_store::{Checkpoint, FocusArea, Id, Rating};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A JSON request body, or a 400 naming the line and column.
pub(crate) fn body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError(AppError::BadRequest(format!(
            "body: {e} (line {}, column {})",
            e.line(),
            e.column()
        )))
    })
}

/// One rating as stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingOut {
    pub statement: String,
    /// `self` or `manager`.
    pub rater: String,
    pub value: i64,
    pub evidence: String,
    /// The statement's text when it was rated.
    pub statement_text: String,
    /// The framework version (content hash) it was rated against.
    pub framework_version: String,
    pub rated_at: i64,
}

fn rating_out(g: &Rating) -> RatingOut {
    RatingOut {
        statement: g.statement_id.clone(),
        rater: g.rater.as_str().to_owned(),
        value: g.value,
        evidence: g.evidence.clone(),
        statement_text: g.statement_text.clone(),
        framework_version: g.framework_hash.clone(),
        rated_at: g.rated_at,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RowOut {
    pub id: String,
    pub text: String,
    pub category: String,
    pub layer: String,
    pub level: String,
    /// Expected at the next level and not yet at the current one.
    pub new_at_next: bool,
    pub self_rating: Option<RatingOut>,
    pub manager_rating: Option<RatingOut>,
    /// Both sides rated and they disagree.
    pub differs: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuarterOut {
    /// `2026-Q4`.
    pub quarter: String,
    pub demonstrated: usize,
    pub total: usize,
    pub share: f64,
    pub meets: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadinessOut {
    /// "Ready": the policy holds for the latest quarters.
    pub ready: bool,
    pub required_share: f64,
    pub consecutive_quarters: u32,
    pub quarters: Vec<QuarterOut>,
    /// Next-level statements not yet rated as demonstrated.
    pub missing: Vec<String>,
}

fn readiness_out(r: &Readiness) -> ReadinessOut {
    ReadinessOut {
        ready: r.ready,
        required_share: r.policy.share,
        consecutive_quarters: r.policy.consecutive_quarters,
        quarters: r
            .quarters
            .iter()
            .map(|q| QuarterOut {
                quarter: q.quarter.to_string(),
                demonstrated: q.demonstrated,
                total: q.total,
                share: q.share,
                meets: q.meets,
            })
            .collect(),
        missing: r.missing.clone(),
    }
}

/// What changed for the person since they last marked the worksheet read.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangesOut {
    pub added: Vec<String>,
    pub reworded: Vec<String>,
    pub removed: Vec<String>,
    /// Ratings whose statement was reworded after rating: look again.
    pub recheck: Vec<RatingOut>,
    /// Ratings whose statement is gone: kept, archived.
    pub archived: Vec<RatingOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorksheetOut {
    pub person_id: Id,
    pub family: String,
    pub level: String,
    pub specialty: Option<String>,
    pub next_level: Option<String>,
    /// The loaded framework version.
    pub framework_version: String,
    pub rows: Vec<RowOut>,
    pub readiness: Option<ReadinessOut>,
    pub changes: ChangesOut,
}

/// A person's worksheet: rows with both ratings, readiness and changes.
#[utoipa::path(get, path = "/api/v1/people/{id}/worksheet", params(("id" = i64, Path)), responses(
    (status = 200, body = WorksheetOut),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody)
))]
pub async fn worksheet(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
) -> Result<Json<WorksheetOut>, ApiError> {
    let loaded = s.framework();
    let g = s.access().growth(&v, id, s.now()).await?;
    let d = worksheet_data(&loaded, &g, s.now()).await?;
    let rows = d
        .worksheet
        .rows
        .iter()
        .map(|r| {
            let own = d.rating(&r.id, ladder_store::Rater::Myself);
            let mgr = d.rating(&r.id, ladder_store::Rater::Manager);
            RowOut {
                id: r.id.clone(),
                text: r.text.clone(),
                category: r.category.clone(),
                layer: r.layer.clone(),
                level: r.level.clone(),
                new_at_next: r.new_at_next,
                differs: d.differs(&r.id),
                self_rating: own.map(rating_out),
                manager_rating: mgr.map(rating_out),
            }
        })
        .collect();
    Ok(Json(WorksheetOut {
        person_id: id,
        family: d.worksheet.family.clone(),
        level: d.worksheet.level.clone(),
        specialty: d.worksheet.specialty.clone(),
        next_level: d.worksheet.next.clone(),
        framework_version: loaded.hash.clone(),
        rows,
        readiness: d
            .worksheet
            .next
            .is_some()
            .then(|| readiness_out(&d.readiness)),
        changes: ChangesOut {
            added: d.changes.added.iter().map(|r| r.id.clone()).collect(),
            reworded: d.changes.reworded.iter().map(|r| r.1.id.clone()).collect(),
            removed: d.changes.removed.iter().map(|r| r.0.clone()).collect(),
            recheck: d.changes.recheck.iter().map(|r| rating_out(&r.0)).collect(),
            archived: d.changes.archived.iter().map(rating_out).collect(),
        },
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RateIn {
    /// The statement id.
    pub statement: String,
    /// A value of the rating scale.
    pub value: i64,
    #[serde(default)]
    pub evidence: String,
}

/// Rates a statement: as the person (self) or as their direct manager.
#[utoipa::path(post, path = "/api/v1/people/{id}/ratings", params(("id" = i64, Path)), request_body = RateIn, responses(
    (status = 200, body = RatingOut),
    (status = 400, body = ErrorBody),
    (status = 403, body = ErrorBody)
))]
pub async fn rate(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
    bytes: Bytes,
) -> Result<Json<RatingOut>, ApiError> {
    let now = s.now();
    let g = s.access().growth(&v, id, now).await?;
    if g.rater().is_none() {
        return Err(AppError::Forbidden.into());
    }
    let input: RateIn = body(&bytes)?;
    let loaded = s.framework();
    let ws = person_worksheet(&loaded, &g.person)?;
    let rating = check_rating(
        &loaded,
        &ws,
        &input.statement,
        &input.value.to_string(),
        &input.evidence,
    )?;
    Ok(Json(rating_out(&g.rate(rating, now).await?)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AreaOut {
    pub id: Id,
    #[serde(rename = "ref")]
    pub ref_id: String,
    pub title: String,
    pub goals: String,
    pub targets: String,
    pub ideas: String,
    pub summary: Option<String>,
}

fn area_out(a: &FocusArea) -> AreaOut {
    AreaOut {
        id: a.id,
        ref_id: a.ref_id.clone(),
        title: a.title.clone(),
        goals: a.goals.clone(),
        targets: a.targets.clone(),
        ideas: a.ideas.clone(),
        summary: a.summary.clone(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckpointOut {
    pub id: Id,
    pub person_id: Id,
    pub quarter: String,
    pub opened_at: i64,
    pub closed_at: Option<i64>,
    pub areas: Vec<AreaOut>,
}

fn checkpoint_out(c: &Checkpoint) -> CheckpointOut {
    CheckpointOut {
        id: c.id,
        person_id: c.person_id,
        quarter: c.quarter.clone(),
        opened_at: c.opened_at,
        closed_at: c.closed_at,
        areas: c.areas.iter().map(area_out).collect(),
    }
}

/// A person's checkpoints, newest quarter first.
#[utoipa::path(get, path = "/api/v1/people/{id}/checkpoints", params(("id" = i64, Path)), responses(
    (status = 200, body = Vec<CheckpointOut>),
    (status = 403, body = ErrorBody)
))]
pub async fn checkpoints(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
) -> Result<Json<Vec<CheckpointOut>>, ApiError> {
    let g = s.access().growth(&v, id, s.now()).await?;
    Ok(Json(
        g.checkpoints().await?.iter().map(checkpoint_out).collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OpenCheckpointIn {
    /// This quarter (the default) or the next, as `2026-Q4`.
    #[serde(default)]
    pub quarter: String,
    pub areas: Vec<AreaInput>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedOut {
    pub id: Id,
}

/// Opens a quarter's checkpoint with its focus areas (between the
/// policy's bounds, 2 to 3 by default). One per person per quarter.
#[utoipa::path(post, path = "/api/v1/people/{id}/checkpoints", params(("id" = i64, Path)), request_body = OpenCheckpointIn, responses(
    (status = 201, body = CreatedOut),
    (status = 400, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 409, body = ErrorBody)
))]
pub async fn open_checkpoint(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let now = s.now();
    let g = s.access().growth(&v, id, now).await?;
    if !g.is_pair() {
        return Err(AppError::Forbidden.into());
    }
    let input: OpenCheckpointIn = body(&bytes)?;
    let loaded = s.framework();
    let quarter = checkpoint_quarter(&input.quarter, now)?;
    let areas = check_areas(&loaded, &g.person, &input.areas)?;
    let cid = g.open_checkpoint(&quarter.to_string(), &areas, now).await?;
    Ok((StatusCode::CREATED, Json(CreatedOut { id: cid })).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SummaryIn {
    /// The focus area id.
    pub area: Id,
    pub summary: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CloseCheckpointIn {
    /// One per focus area.
    pub summaries: Vec<SummaryIn>,
}

/// Closes a checkpoint with a progress summary for every area.
#[utoipa::path(post, path = "/api/v1/checkpoints/{checkpoint}/close", params(("checkpoint" = i64, Path)), request_body = CloseCheckpointIn, responses(
    (status = 200, body = CheckpointOut),
    (status = 400, body = ErrorBody),
    (status = 403, body = ErrorBody)
))]
pub async fn close_checkpoint(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
    bytes: Bytes,
) -> Result<Json<CheckpointOut>, ApiError> {
    let now = s.now();
    let (g, c) = s.access().checkpoint(&v, id, now).await?;
    if !g.is_pair() {
        return Err(AppError::Forbidden.into());
    }
    let input: CloseCheckpointIn = body(&bytes)?;
    let summaries: Vec<(Id, String)> = input
        .summaries
        .into_iter()
        .map(|s| (s.area, s.summary))
        .collect();
    g.close_checkpoint(&c, &summaries, now).await?;
    let (_, c) = s.access().checkpoint(&v, id, now).await?;
    Ok(Json(checkpoint_out(&c)))
}

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
}

/// A 1:1 document: for its two participants only.
#[utoipa::path(get, path = "/api/v1/one-on-ones/{manager}/{report}", params(("manager" = i64, Path), ("report" = i64, Path)), responses(
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
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct MeetingIn {
    /// `YYYY-MM-DD`; today when left out.
    #[serde(default)]
    pub date: String,
}

/// Starts a meeting of the pair (one per day).
#[utoipa::path(post, path = "/api/v1/one-on-ones/{manager}/{report}/meetings", params(("manager" = i64, Path), ("report" = i64, Path)), request_body = MeetingIn, responses(
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
    let p = s.access().pair(&v, manager, report).await?;
    let input: MeetingIn = if bytes.is_empty() {
        MeetingIn::default()
    } else {
        body(&bytes)?
    };
    let id = p
        .create_meeting(&meeting_date(&input.date, now)?, now)
        .await?;
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
#[utoipa::path(get, path = "/api/v1/meetings/{meeting}", params(("meeting" = i64, Path)), responses(
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
#[utoipa::path(post, path = "/api/v1/meetings/{meeting}/agenda", params(("meeting" = i64, Path)), request_body = TextIn, responses(
    (status = 201, body = CreatedOut),
    (status = 403, body = ErrorBody)
))]
pub async fn add_agenda(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let (p, m) = s.access().meeting(&v, id).await?;
    let input: TextIn = body(&bytes)?;
    let id = p
        .add_agenda_item(&m, &text_field("text", &input.text, true)?, s.now())
        .await?;
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
#[utoipa::path(post, path = "/api/v1/meetings/{meeting}/notes", params(("meeting" = i64, Path)), request_body = VersionedTextIn, responses(
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
#[utoipa::path(post, path = "/api/v1/meetings/{meeting}/private", params(("meeting" = i64, Path)), request_body = VersionedTextIn, responses(
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
    let (p, m) = s.access().meeting(v, id).await?;
    let input: VersionedTextIn = body(bytes)?;
    // The same rule as the web form's: trimmed, and not too long.
    let text = text_field(
        if shared {
            "shared notes"
        } else {
            "private note"
        },
        &input.text,
        false,
    )?;
    let version = if shared {
        p.save_shared_notes(&m, &text, input.version, s.now())
            .await?
    } else {
        p.save_my_note(&m, &text, input.version, s.now()).await?
    };
    Ok(Json(SavedOut { version }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ActionIn {
    pub text: String,
    /// The person who will do it: one of the pair.
    pub owner: Id,
}

/// Adds an action item; it carries to later meetings until done.
#[utoipa::path(post, path = "/api/v1/meetings/{meeting}/actions", params(("meeting" = i64, Path)), request_body = ActionIn, responses(
    (status = 201, body = CreatedOut),
    (status = 403, body = ErrorBody)
))]
pub async fn add_action(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let (p, m) = s.access().meeting(&v, id).await?;
    let input: ActionIn = body(&bytes)?;
    let id = p
        .add_action(
            &m,
            input.owner,
            &text_field("text", &input.text, true)?,
            s.now(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedOut { id })).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DoneIn {
    /// The meeting it was done in.
    pub meeting: Id,
}

/// Marks an action item done in a meeting.
#[utoipa::path(post, path = "/api/v1/actions/{action}/done", params(("action" = i64, Path)), request_body = DoneIn, responses(
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
    p.complete_action(&a, &m, s.now()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OverdueOut {
    pub person_id: Id,
    pub quarter: String,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonReadinessOut {
    pub person_id: Id,
    pub readiness: ReadinessOut,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TeamOut {
    pub quarter: String,
    /// Everyone in the caller's reporting chain.
    pub people: Vec<Id>,
    pub overdue: Vec<OverdueOut>,
    pub readiness: Vec<PersonReadinessOut>,
}

/// Overdue checkpoints and readiness for the caller's reporting chain.
#[utoipa::path(get, path = "/api/v1/team/growth", responses(
    (status = 200, body = TeamOut),
    (status = 401, body = ErrorBody)
))]
pub async fn team(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
) -> Result<Json<TeamOut>, ApiError> {
    let loaded = s.framework();
    let t = s.access().team_growth(&v, s.now()).await?;
    let d = team_data(&loaded, &t, s.now()).await?;
    Ok(Json(TeamOut {
        quarter: d.quarter.to_string(),
        people: t.people.clone(),
        overdue: d
            .overdue
            .into_iter()
            .map(|(person_id, quarter, reason)| OverdueOut {
                person_id,
                quarter,
                reason,
            })
            .collect(),
        readiness: d
            .readiness
            .iter()
            .map(|(person_id, r)| PersonReadinessOut {
                person_id: *person_id,
                readiness: readiness_out(r),
            })
            .collect(),
    }))
}
