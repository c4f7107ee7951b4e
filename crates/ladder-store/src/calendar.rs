//! Recurring 1:1 series and calendar feed tokens.

use crate::{Id, Record, Result};
use serde::{Deserialize, Serialize};

/// How often a series meets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cadence {
    Weekly,
    /// Every two weeks.
    Biweekly,
    /// On the first meeting's day of the month (months without that day
    /// are skipped, as in iCalendar).
    Monthly,
}

impl Cadence {
    pub const ALL: [Cadence; 3] = [Cadence::Weekly, Cadence::Biweekly, Cadence::Monthly];

    pub fn as_str(self) -> &'static str {
        match self {
            Cadence::Weekly => "weekly",
            Cadence::Biweekly => "biweekly",
            Cadence::Monthly => "monthly",
        }
    }

    pub fn parse(s: &str) -> Option<Cadence> {
        Cadence::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Where a series is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SeriesState {
    Active,
    Paused,
    Ended,
}

impl SeriesState {
    pub fn as_str(self) -> &'static str {
        match self {
            SeriesState::Active => "active",
            SeriesState::Paused => "paused",
            SeriesState::Ended => "ended",
        }
    }

    pub fn parse(s: &str) -> Option<SeriesState> {
        [SeriesState::Active, SeriesState::Paused, SeriesState::Ended]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// A series as set by the pair, checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSeries {
    pub manager_id: Id,
    pub report_id: Id,
    pub cadence: Cadence,
    /// `YYYY-MM-DD`.
    pub first_date: String,
    /// `YYYY-MM-DD`: no meeting after it.
    pub until_date: String,
    /// `HH:MM`.
    pub start_time: String,
    /// An IANA time zone name.
    pub time_zone: String,
    pub duration_minutes: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Series {
    pub id: Id,
    #[serde(flatten)]
    pub new: NewSeries,
    pub state: SeriesState,
    pub created_by: Option<Id>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Series and calendar tokens. A trait of its own for the same reason as
/// [`crate::FeedbackStore`].
#[async_trait::async_trait]
pub trait CalendarStore: Send + Sync {
    /// Starts a series; refused while the pair has one active or paused.
    async fn create_series(
        &self,
        s: &NewSeries,
        by: Option<Id>,
        now: i64,
        rec: &Record,
    ) -> Result<Id>;
    async fn series(&self, id: Id) -> Result<Option<Series>>;
    /// A pair's series, newest first.
    async fn pair_series(&self, manager: Id, report: Id) -> Result<Vec<Series>>;
    /// Every series someone takes part in, newest first.
    async fn person_series(&self, person: Id) -> Result<Vec<Series>>;
    /// Every active series, for the routine.
    async fn active_series(&self) -> Result<Vec<Series>>;
    /// Pauses, resumes or ends a series; an ended one cannot change.
    async fn set_series_state(
        &self,
        id: Id,
        state: SeriesState,
        now: i64,
        rec: &Record,
    ) -> Result<()>;
    /// Replaces a person's feed token (its hash).
    async fn set_calendar_token(
        &self,
        person: Id,
        token_hash: &str,
        now: i64,
        rec: &Record,
    ) -> Result<()>;
    /// The person a feed token belongs to.
    async fn calendar_person(&self, token_hash: &str) -> Result<Option<Id>>;
    /// Whether a person has a feed token.
    async fn has_calendar_token(&self, person: Id) -> Result<bool>;
}
