//! 360 feedback cycles, level-change proposals and calibration locks.
//!
//! Answers are stored apart from who gave them: a nomination records that
//! a respondent has answered (on which day, never the time), and the
//! answers carry only the relation (self, manager, peer, report) and a
//! random id, so not even the row order links an answer to a person.

use crate::Id;
use serde::{Deserialize, Serialize};

/// Where a cycle is. It only moves forward, one step at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CycleState {
    Draft,
    Nominations,
    Feedback,
    Closed,
}

impl CycleState {
    pub fn as_str(self) -> &'static str {
        match self {
            CycleState::Draft => "draft",
            CycleState::Nominations => "nominations",
            CycleState::Feedback => "feedback",
            CycleState::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<CycleState> {
        match s {
            "draft" => Some(CycleState::Draft),
            "nominations" => Some(CycleState::Nominations),
            "feedback" => Some(CycleState::Feedback),
            "closed" => Some(CycleState::Closed),
            _ => None,
        }
    }

    /// The step after this one, if any.
    pub fn next(self) -> Option<CycleState> {
        match self {
            CycleState::Draft => Some(CycleState::Nominations),
            CycleState::Nominations => Some(CycleState::Feedback),
            CycleState::Feedback => Some(CycleState::Closed),
            CycleState::Closed => None,
        }
    }
}

/// How a respondent relates to the person reviewed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FeedbackRelation {
    /// The person about themself.
    #[serde(rename = "self")]
    Myself,
    Manager,
    Peer,
    /// One of the person's direct reports.
    Report,
}

impl FeedbackRelation {
    pub const ALL: [FeedbackRelation; 4] = [
        FeedbackRelation::Myself,
        FeedbackRelation::Manager,
        FeedbackRelation::Peer,
        FeedbackRelation::Report,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackRelation::Myself => "self",
            FeedbackRelation::Manager => "manager",
            FeedbackRelation::Peer => "peer",
            FeedbackRelation::Report => "report",
        }
    }

    pub fn parse(s: &str) -> Option<FeedbackRelation> {
        FeedbackRelation::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// What the people team sets when creating a cycle. Dates are
/// `YYYY-MM-DD`; the threshold and peer counts are fixed for the cycle's
/// life, so a policy change cannot lower them mid-cycle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCycle {
    pub name: String,
    pub nominations_open: String,
    pub nominations_close: String,
    pub feedback_open: String,
    pub feedback_close: String,
    pub anonymity_threshold: i64,
    pub min_peers: i64,
    pub max_peers: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cycle {
    pub id: Id,
    #[serde(flatten)]
    pub plan: NewCycle,
    pub state: CycleState,
    pub created_by: Option<Id>,
    pub created_at: i64,
}

/// One recorded move of a cycle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CycleStep {
    pub cycle_id: Id,
    pub state: CycleState,
    pub by: Option<Id>,
    pub at: i64,
}

/// Someone asked for feedback on a person in a cycle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewNomination {
    pub respondent_id: Id,
    pub relation: FeedbackRelation,
    /// `auto` (self, manager, reports), `person` or `manager`.
    pub source: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nomination {
    pub cycle_id: Id,
    pub person_id: Id,
    pub respondent_id: Id,
    pub relation: FeedbackRelation,
    pub source: String,
    /// The day the respondent answered (never the time), `None` while
    /// they still owe it.
    pub answered_on: Option<String>,
}

/// A person's nomination list in a cycle: sent and approved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct NominationList {
    pub cycle_id: Id,
    pub person_id: Id,
    pub saved_at: i64,
    /// The approving manager's account; `None` with `approved_at` set
    /// means the list was approved as it stood when feedback opened.
    pub approved_by: Option<Id>,
    pub approved_at: Option<i64>,
}

/// One answer to one question, as given; `id` must be random.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAnswer {
    pub id: String,
    /// `category:<id>` or `open:<n>`.
    pub question: String,
    /// A value of the rating scale; `None` for open questions or "can't
    /// say".
    pub value: Option<i64>,
    pub comment: String,
}

/// A release of a cycle's results, as the store is asked to write it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewRelease {
    /// The people whose results move on to this release.
    pub snapshots: Vec<NewSnapshot>,
    /// How many people keep an earlier release (too few answers since).
    pub held_back: usize,
}

/// One person's results in a release: the JSON they and their managers
/// see, and the counts it was built from (no answer, no respondent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSnapshot {
    pub person_id: Id,
    pub results: String,
    pub tally: String,
}

/// A release of a cycle's results.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Release {
    pub id: Id,
    pub cycle_id: Id,
    pub released_by: Option<Id>,
    pub released_at: i64,
    /// The cycle closed with this release.
    pub closing: bool,
    pub people: i64,
    pub held_back: i64,
}

/// A person's latest released results in a cycle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub release_id: Id,
    pub released_at: i64,
    pub results: String,
    pub tally: String,
}

/// A stored answer: the relation, never the respondent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub id: String,
    pub cycle_id: Id,
    pub person_id: Id,
    pub relation: FeedbackRelation,
    pub question: String,
    pub value: Option<i64>,
    pub comment: String,
}

/// Where a proposal is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProposalState {
    Pending,
    Approved,
    Rejected,
}

impl ProposalState {
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalState::Pending => "pending",
            ProposalState::Approved => "approved",
            ProposalState::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<ProposalState> {
        match s {
            "pending" => Some(ProposalState::Pending),
            "approved" => Some(ProposalState::Approved),
            "rejected" => Some(ProposalState::Rejected),
            _ => None,
        }
    }
}

/// A level change as proposed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewProposal {
    pub cycle_id: Id,
    pub person_id: Id,
    /// The person's department, for calibration locks.
    pub department: String,
    /// `promotion`, `lateral` or `other`.
    pub kind: String,
    pub to_level: String,
    pub to_specialty: Option<String>,
    pub to_grade: String,
    /// The written case.
    pub case_text: String,
    /// The readiness evidence as JSON, frozen at proposal time.
    pub evidence: String,
    /// Why the policy was overridden; `None` if it was met.
    pub override_reason: Option<String>,
    /// The approval chain, in order: `skip_level`, `people_team`.
    pub chain: Vec<String>,
    pub proposed_by: Id,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    pub id: Id,
    #[serde(flatten)]
    pub new: NewProposal,
    pub from_family: String,
    pub from_level: String,
    pub from_specialty: Option<String>,
    pub from_grade: String,
    pub state: ProposalState,
    /// Index into `chain` of the approval still needed.
    pub next_step: i64,
    /// The date the new level took effect, once approved.
    pub effective: Option<String>,
    pub created_at: i64,
    pub decided_at: Option<i64>,
}

impl Proposal {
    /// The role the approval chain still needs, if pending.
    pub fn waiting_for(&self) -> Option<&str> {
        if self.state != ProposalState::Pending {
            return None;
        }
        usize::try_from(self.next_step)
            .ok()
            .and_then(|i| self.new.chain.get(i))
            .map(String::as_str)
    }
}

/// One decision on a proposal, with its comment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalStep {
    pub proposal_id: Id,
    pub step: i64,
    /// The chain role that decided.
    pub approver: String,
    pub approved: bool,
    pub comment: String,
    pub by: Id,
    pub at: i64,
}

/// A department's calibration for a cycle, locked by the people team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct CalibrationLock {
    pub cycle_id: Id,
    pub department: String,
    pub locked_by: Id,
    pub locked_at: i64,
}
