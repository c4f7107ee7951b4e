//! The 1:1 rules the pages and the API share: a meeting put together
//! with its agenda, actions and the viewer's own note; meeting dates.

use crate::AppError;
use crate::access::Pair;
use crate::http::Fields;
use ladder_growth::{Quarter, actions_for};
use ladder_org::Date;
use ladder_store::{ActionItem, AgendaItem, Checkpoint, Meeting, StandingItem};
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
