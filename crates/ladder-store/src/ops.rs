//! Rows of pay (bands, salaries), internships for learning, and hiring
//! (openings, their teams, candidates, scorecards), and the trait that
//! stores them.

use crate::{Id, Record, Result};
use ladder_org::pay::{Band, Salary};
use serde::{Deserialize, Serialize};

/// One planned activity of an internship.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    /// `pairing`, `on_call_shadow`, `release_shadow` or `other`.
    pub kind: String,
    /// The issues to pair on, the rotation, or what else.
    pub detail: String,
}

/// A request to intern with another team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewInternship {
    pub person_id: Id,
    pub host_department: String,
    pub mentor_id: Id,
    pub goals: String,
    /// Competency statement ids the person wants to grow.
    pub competencies: Vec<String>,
    /// Percent of their time.
    pub share: i64,
    pub start_date: String,
    pub end_date: String,
    pub activities: Vec<Activity>,
    /// Access they will need.
    pub access: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InternshipState {
    Requested,
    Approved,
    Declined,
    Completed,
}

impl InternshipState {
    pub fn as_str(self) -> &'static str {
        match self {
            InternshipState::Requested => "requested",
            InternshipState::Approved => "approved",
            InternshipState::Declined => "declined",
            InternshipState::Completed => "completed",
        }
    }

    pub fn parse(s: &str) -> Option<InternshipState> {
        [
            InternshipState::Requested,
            InternshipState::Approved,
            InternshipState::Declined,
            InternshipState::Completed,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// Which side of an internship decides or writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The intern's current manager.
    Manager,
    /// The host mentor or the host team's manager.
    Host,
}

/// One side's decision on a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub approved: bool,
    pub by: Option<Id>,
    pub comment: String,
    pub at: i64,
}

/// A worksheet rating an internship moved, as it stood at the end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moved {
    pub statement_id: String,
    pub self_rating: Option<i32>,
    pub manager_rating: Option<i32>,
}

impl Moved {
    /// The self and manager ratings of `statements` among a person's
    /// `ratings`, as they stand.
    pub fn from_ratings(ratings: &[crate::Rating], statements: &[String]) -> Vec<Moved> {
        let value = |s: &str, rater: crate::Rater| {
            ratings
                .iter()
                .find(|r| r.statement_id == s && r.rater == rater)
                .and_then(|r| i32::try_from(r.value).ok())
        };
        statements
            .iter()
            .map(|s| Moved {
                statement_id: s.clone(),
                self_rating: value(s, crate::Rater::Myself),
                manager_rating: value(s, crate::Rater::Manager),
            })
            .collect()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Internship {
    pub id: Id,
    #[serde(flatten)]
    pub new: NewInternship,
    pub state: InternshipState,
    pub manager: Option<Decision>,
    pub host: Option<Decision>,
    pub outcome: String,
    pub moved: Vec<Moved>,
    pub completed_at: Option<i64>,
    pub created_at: i64,
}

/// An entry in an internship's activity log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct LogEntry {
    pub id: Id,
    pub internship_id: Id,
    pub author_id: Id,
    pub date: String,
    pub text: String,
    pub created_at: i64,
}

/// A hiring team member's part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HiringRole {
    /// Runs the opening: sees every scorecard.
    Lead,
    /// Sees others' scores for a stage only after submitting their own.
    Interviewer,
}

impl HiringRole {
    pub fn as_str(self) -> &'static str {
        match self {
            HiringRole::Lead => "lead",
            HiringRole::Interviewer => "interviewer",
        }
    }

    pub fn parse(s: &str) -> Option<HiringRole> {
        match s {
            "lead" => Some(HiringRole::Lead),
            "interviewer" => Some(HiringRole::Interviewer),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub account_id: Id,
    pub role: HiringRole,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOpening {
    pub title: String,
    pub family: String,
    pub level: String,
    pub specialty: Option<String>,
    pub team: Vec<TeamMember>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opening {
    pub id: Id,
    #[serde(flatten)]
    pub new: NewOpening,
    /// `open` or `closed`.
    pub state: String,
    pub created_by: Option<Id>,
    pub created_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Candidate {
    pub id: Id,
    pub opening_id: Id,
    pub name: String,
    pub contact: String,
    /// The hiring stage id they are at.
    pub stage: String,
    /// `active`, `hired` or `rejected`.
    pub state: String,
    pub created_at: i64,
}

/// One interviewer's score and notes for one requirement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    pub requirement: String,
    /// On the framework's rating scale; `None`: not covered.
    pub score: Option<i32>,
    pub notes: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scorecard {
    pub candidate_id: Id,
    pub stage: String,
    pub interviewer_id: Id,
    pub scores: Vec<Score>,
    pub notes: String,
    pub submitted_at: i64,
}

/// Pay, internships and hiring. A trait of its own for the same reason as
/// [`crate::FeedbackStore`].
#[async_trait::async_trait]
pub trait OpsStore: Send + Sync {
    // Pay
    /// Adds or replaces bands by (grade, zone, date), all in one
    /// transaction.
    async fn put_bands(&self, bands: &[Band], rec: &Record) -> Result<usize>;
    async fn bands(&self) -> Result<Vec<Band>>;
    /// Adds or replaces salaries by (person, date), all in one transaction.
    async fn put_salaries(&self, salaries: &[Salary], rec: &Record) -> Result<usize>;
    async fn salaries(&self) -> Result<Vec<Salary>>;
    async fn salaries_of(&self, person: Id) -> Result<Vec<Salary>>;
    /// The salaries of these people alone, by person then date.
    async fn salaries_for(&self, people: &[Id]) -> Result<Vec<Salary>>;

    // Internships
    async fn create_internship(&self, i: &NewInternship, now: i64, rec: &Record) -> Result<Id>;
    async fn internship(&self, id: Id) -> Result<Option<Internship>>;
    async fn internships(&self) -> Result<Vec<Internship>>;
    /// Records one side's decision on a requested internship and returns
    /// the new state: declined at once, approved when both sides agree.
    #[allow(clippy::too_many_arguments)]
    async fn decide_internship(
        &self,
        id: Id,
        side: Side,
        approved: bool,
        by: Id,
        comment: &str,
        now: i64,
        rec: &Record,
    ) -> Result<InternshipState>;
    async fn add_internship_log(
        &self,
        id: Id,
        author: Id,
        date: &str,
        text: &str,
        now: i64,
        rec: &Record,
    ) -> Result<Id>;
    async fn internship_log(&self, id: Id) -> Result<Vec<LogEntry>>;
    /// Ends an approved internship with its outcome.
    async fn complete_internship(
        &self,
        id: Id,
        outcome: &str,
        moved: &[Moved],
        now: i64,
        rec: &Record,
    ) -> Result<()>;

    // Hiring
    async fn create_opening(
        &self,
        o: &NewOpening,
        by: Option<Id>,
        now: i64,
        rec: &Record,
    ) -> Result<Id>;
    async fn openings(&self) -> Result<Vec<Opening>>;
    async fn opening(&self, id: Id) -> Result<Option<Opening>>;
    async fn add_candidate(
        &self,
        opening: Id,
        name: &str,
        contact: &str,
        stage: &str,
        now: i64,
        rec: &Record,
    ) -> Result<Id>;
    async fn candidates(&self, opening: Id) -> Result<Vec<Candidate>>;
    async fn candidate(&self, id: Id) -> Result<Option<Candidate>>;
    /// Moves a candidate on, if they are still at `from` and active.
    async fn move_candidate(
        &self,
        id: Id,
        from: &str,
        stage: &str,
        state: &str,
        rec: &Record,
    ) -> Result<()>;
    /// Stores a scorecard; an interviewer submits once per stage.
    async fn submit_scorecard(&self, s: &Scorecard, rec: &Record) -> Result<()>;
    async fn scorecards(&self, candidate: Id) -> Result<Vec<Scorecard>>;
    /// Removes the candidate and their scorecards.
    async fn delete_candidate(&self, id: Id, rec: &Record) -> Result<()>;
}
