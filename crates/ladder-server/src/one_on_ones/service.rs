//! The 1:1 rules the pages and the API share: a meeting put together
//! with its agenda, actions and the viewer's own note; meeting dates.

use crate::AppError;
use crate::access::Pair;
use crate::http::{Fields, text_field};
use ladder_growth::{Quarter, actions_for};
use ladder_org::Date;
use ladder_store::{ActionItem, AgendaItem, Checkpoint, Id, Meeting, StandingItem};
use serde::Serialize;

/// What a meeting shows.
#[derive(Debug, Serialize)]
pub struct MeetingData {
    pub meeting: Meeting,
    pub quarter: Quarter,
    /// The report's focus areas for the meeting's quarter (standing).
    pub focus: Option<Checkpoint>,
    pub standing: Vec<StandingItem>,
    pub agenda: Vec<AgendaItem>,
    /// Made here or before, not done before: carried over.
    pub actions: Vec<ActionItem>,
    /// The viewer's own private note (never the other's).
    pub my_note: Option<ladder_store::PrivateNote>,
}

pub async fn meeting_data(pair: &Pair<'_>, m: Meeting) -> Result<MeetingData, AppError> {
    let date: Date = m
        .date
        .parse()
        .map_err(|e: String| AppError::Internal(format!("meeting {}: {e}", m.id)))?;
    let quarter = Quarter::of(date);
    let focus = pair
        .checkpoints()
        .await?
        .into_iter()
        .find(|c| c.quarter == quarter.to_string());
    let all = pair.action_items().await?;
    let actions = actions_for(&all, &m.date).into_iter().cloned().collect();
    Ok(MeetingData {
        quarter,
        focus,
        standing: pair.standing_items().await?,
        agenda: pair.agenda_items(&m).await?,
        actions,
        my_note: pair.my_note(&m).await?,
        meeting: m,
    })
}

/// A meeting's date: as given, or today.
pub fn meeting_date(given: &str, now: i64) -> Result<String, AppError> {
    if given.trim().is_empty() {
        return Ok(Date::from_unix(now).to_string());
    }
    given
        .parse::<Date>()
        .map(|d| d.to_string())
        .map_err(|e| AppError::BadRequest(format!("date: {e}")))
}

pub(crate) fn version_field(f: &Fields) -> Result<i64, AppError> {
    f.get("version").trim().parse().map_err(|_| {
        AppError::BadRequest("version: missing; reload the page and try again".to_owned())
    })
}

/// Starts a meeting of the pair on a date (`""`: today).
pub async fn create_meeting(p: &Pair<'_>, date: &str, now: i64) -> Result<Id, AppError> {
    let date = meeting_date(date, now)?;
    p.create_meeting(&date, now).await
}

/// Opens the pair's meeting on a date (`""`: today): a new one, or the
/// one the pair already has that day (`false`), since a second meeting on
/// the same day is never what someone starting one means.
pub async fn open_meeting(p: &Pair<'_>, date: &str, now: i64) -> Result<(Id, bool), AppError> {
    let date = meeting_date(date, now)?;
    match p.create_meeting(&date, now).await {
        Ok(id) => Ok((id, true)),
        Err(AppError::Conflict(e)) => p
            .meetings()
            .await?
            .into_iter()
            .find(|m| m.date == date)
            .map(|m| (m.id, false))
            .ok_or(AppError::Conflict(e)),
        Err(e) => Err(e),
    }
}

/// Adds an item to the pair's standing agenda.
pub async fn add_standing_item(p: &Pair<'_>, text: &str, now: i64) -> Result<Id, AppError> {
    p.add_standing_item(&text_field("text", text, true)?, now)
        .await
}

/// Adds an item to a meeting's agenda.
pub async fn add_agenda_item(
    p: &Pair<'_>,
    m: &Meeting,
    text: &str,
    now: i64,
) -> Result<Id, AppError> {
    p.add_agenda_item(m, &text_field("agenda item", text, true)?, now)
        .await
}

/// Which notes of a meeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notes {
    /// The notes both participants read and write.
    Shared,
    /// The viewer's own note, which only they read.
    Private,
}

/// Saves a meeting's shared notes or the viewer's private note, if
/// nobody saved since `version`; otherwise [`AppError::Stale`] with what
/// they saved. Returns the new version.
pub async fn save_notes(
    p: &Pair<'_>,
    m: &Meeting,
    which: Notes,
    text: &str,
    version: i64,
    now: i64,
) -> Result<i64, AppError> {
    match which {
        Notes::Shared => {
            let text = text_field("shared notes", text, false)?;
            p.save_shared_notes(m, &text, version, now).await
        }
        Notes::Private => {
            let text = text_field("private note", text, false)?;
            p.save_my_note(m, &text, version, now).await
        }
    }
}

/// Adds an action item to a meeting, owned by one of the pair.
pub async fn add_action(
    p: &Pair<'_>,
    m: &Meeting,
    owner: Id,
    text: &str,
    now: i64,
) -> Result<Id, AppError> {
    p.add_action(m, owner, &text_field("action item", text, true)?, now)
        .await
}

/// Marks an action item done in a meeting of the same pair.
pub async fn complete_action(
    p: &Pair<'_>,
    a: &ActionItem,
    m: &Meeting,
    now: i64,
) -> Result<(), AppError> {
    p.complete_action(a, m, now).await
}
