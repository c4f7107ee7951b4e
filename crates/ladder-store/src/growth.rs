//! The growth workflow's rows: worksheet ratings, checkpoints, 1:1s.

use crate::Id;
use serde::{Deserialize, Serialize};

/// Which side gave a rating.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rater {
    /// The person about themself.
    #[serde(rename = "self")]
    Myself,
    /// Their manager.
    Manager,
}

impl Rater {
    pub fn as_str(self) -> &'static str {
        match self {
            Rater::Myself => "self",
            Rater::Manager => "manager",
        }
    }

    pub fn parse(s: &str) -> Option<Rater> {
        match s {
            "self" => Some(Rater::Myself),
            "manager" => Some(Rater::Manager),
            _ => None,
        }
    }
}

/// The current rating of one statement by one side.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub person_id: Id,
    pub statement_id: String,
    pub rater: Rater,
    /// A value of the framework's rating scale.
    pub value: i64,
    /// Notes and links, as written.
    pub evidence: String,
    /// The statement's text when rated: a later rewording is flagged.
    pub statement_text: String,
    /// The framework version (content hash) the rating was made against.
    pub framework_hash: String,
    pub rated_by: Option<Id>,
    pub rated_at: i64,
}

/// One change of a rating: who, when, the old value and the new.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingChange {
    pub id: Id,
    pub person_id: Id,
    pub statement_id: String,
    pub rater: Rater,
    pub old_value: Option<i64>,
    pub new_value: i64,
    pub old_evidence: Option<String>,
    pub new_evidence: String,
    pub framework_hash: String,
    pub changed_by: Option<Id>,
    pub changed_at: i64,
}

/// What a person last acknowledged of their expectations (an opaque
/// snapshot the server writes and compares).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    pub person_id: Id,
    pub framework_hash: String,
    pub snapshot: String,
    pub seen_at: i64,
}

/// A quarterly checkpoint and its focus areas.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub id: Id,
    pub person_id: Id,
    /// `2026-Q4`.
    pub quarter: String,
    pub opened_at: i64,
    pub opened_by: Option<Id>,
    pub closed_at: Option<i64>,
    pub closed_by: Option<Id>,
    /// In the order chosen.
    pub areas: Vec<FocusArea>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FocusArea {
    pub id: Id,
    /// The framework item (responsibility or competency) it is about.
    pub ref_id: String,
    /// The item's text when chosen.
    pub title: String,
    pub goals: String,
    pub targets: String,
    pub ideas: String,
    /// Written when the checkpoint closes.
    pub summary: Option<String>,
}

/// A focus area to open a checkpoint with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewFocusArea {
    pub ref_id: String,
    pub title: String,
    pub goals: String,
    pub targets: String,
    pub ideas: String,
}

/// Whether a person's checkpoint for a quarter exists and is closed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointState {
    pub person_id: Id,
    pub quarter: String,
    pub closed: bool,
}

/// One meeting of a manager–report pair's 1:1 document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Meeting {
    pub id: Id,
    pub manager_id: Id,
    pub report_id: Id,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub shared_notes: String,
    /// Bumped by every write of the shared notes.
    pub version: i64,
    pub created_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct AgendaItem {
    pub id: Id,
    pub meeting_id: Id,
    pub author_id: Id,
    pub text: String,
    pub created_at: i64,
}

/// An item the pair keeps on every meeting's agenda.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct StandingItem {
    pub id: Id,
    pub manager_id: Id,
    pub report_id: Id,
    pub author_id: Id,
    pub text: String,
    pub created_at: i64,
}

/// An action item: made in one meeting, carried to the next until done.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ActionItem {
    pub id: Id,
    pub manager_id: Id,
    pub report_id: Id,
    pub meeting_id: Id,
    /// The date of the meeting it was made in.
    pub meeting_date: String,
    pub owner_id: Id,
    pub text: String,
    pub created_at: i64,
    pub done_meeting_id: Option<Id>,
    /// The date of the meeting it was marked done in.
    pub done_date: Option<String>,
    pub done_at: Option<i64>,
}

/// A participant's private note on a meeting: read by its author only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct PrivateNote {
    pub meeting_id: Id,
    pub author_id: Id,
    pub text: String,
    pub version: i64,
    pub updated_at: i64,
}

/// A column's kind, for the generic backup of [`BACKUP_TABLES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Col {
    Int,
    Text,
}

/// The tables `ladder db backup` writes generically (the growth, feedback,
/// pay, internship and hiring tables, and the outbox), with their columns,
/// in an order that keeps references valid on restore. The rest of the
/// [`Dump`](crate::Dump) has typed fields; the tables in neither are
/// [`NOT_BACKED_UP`], and a story step holds the three lists equal to the
/// schema.
/// The tables a backup leaves out on purpose, and why.
pub const NOT_BACKED_UP: &[(&str, &str)] = &[
    ("login_failures", "throttling state that expires in minutes"),
    ("bootstrap_tokens", "single-use setup links that expire"),
    (
        "oidc_flows",
        "single sign-on logins in flight, minutes long",
    ),
    ("org_version", "a change counter; a restore bumps it"),
];

/// The tables the typed fields of [`Dump`](crate::Dump) hold.
pub const DUMPED_TABLES: &[&str] = &[
    "people",
    "role_changes",
    "accounts",
    "sessions",
    "api_tokens",
    "audit_log",
    "framework_versions",
];

pub const BACKUP_TABLES: &[(&str, &[(&str, Col)])] = &[
    (
        "ratings",
        &[
            ("id", Col::Int),
            ("person_id", Col::Int),
            ("statement_id", Col::Text),
            ("rater", Col::Text),
            ("value", Col::Int),
            ("evidence", Col::Text),
            ("statement_text", Col::Text),
            ("framework_hash", Col::Text),
            ("rated_by", Col::Int),
            ("rated_at", Col::Int),
        ],
    ),
    (
        "rating_history",
        &[
            ("id", Col::Int),
            ("person_id", Col::Int),
            ("statement_id", Col::Text),
            ("rater", Col::Text),
            ("old_value", Col::Int),
            ("new_value", Col::Int),
            ("old_evidence", Col::Text),
            ("new_evidence", Col::Text),
            ("framework_hash", Col::Text),
            ("changed_by", Col::Int),
            ("changed_at", Col::Int),
        ],
    ),
    (
        "worksheet_seen",
        &[
            ("person_id", Col::Int),
            ("framework_hash", Col::Text),
            ("snapshot", Col::Text),
            ("seen_at", Col::Int),
        ],
    ),
    (
        "checkpoints",
        &[
            ("id", Col::Int),
            ("person_id", Col::Int),
            ("quarter", Col::Text),
            ("opened_at", Col::Int),
            ("opened_by", Col::Int),
            ("closed_at", Col::Int),
            ("closed_by", Col::Int),
        ],
    ),
    (
        "focus_areas",
        &[
            ("id", Col::Int),
            ("checkpoint_id", Col::Int),
            ("position", Col::Int),
            ("ref_id", Col::Text),
            ("title", Col::Text),
            ("goals", Col::Text),
            ("targets", Col::Text),
            ("ideas", Col::Text),
            ("summary", Col::Text),
        ],
    ),
    (
        "meetings",
        &[
            ("id", Col::Int),
            ("manager_id", Col::Int),
            ("report_id", Col::Int),
            ("date", Col::Text),
            ("shared_notes", Col::Text),
            ("version", Col::Int),
            ("created_at", Col::Int),
        ],
    ),
    (
        "agenda_items",
        &[
            ("id", Col::Int),
            ("meeting_id", Col::Int),
            ("author_id", Col::Int),
            ("text", Col::Text),
            ("created_at", Col::Int),
        ],
    ),
    (
        "standing_items",
        &[
            ("id", Col::Int),
            ("manager_id", Col::Int),
            ("report_id", Col::Int),
            ("author_id", Col::Int),
            ("text", Col::Text),
            ("created_at", Col::Int),
        ],
    ),
    (
        "action_items",
        &[
            ("id", Col::Int),
            ("manager_id", Col::Int),
            ("report_id", Col::Int),
            ("meeting_id", Col::Int),
            ("owner_id", Col::Int),
            ("text", Col::Text),
            ("created_at", Col::Int),
            ("done_meeting_id", Col::Int),
            ("done_at", Col::Int),
        ],
    ),
    (
        "private_notes",
        &[
            ("meeting_id", Col::Int),
            ("author_id", Col::Int),
            ("text", Col::Text),
            ("version", Col::Int),
            ("updated_at", Col::Int),
        ],
    ),
    (
        "cycles",
        &[
            ("id", Col::Int),
            ("name", Col::Text),
            ("nominations_open", Col::Text),
            ("nominations_close", Col::Text),
            ("feedback_open", Col::Text),
            ("feedback_close", Col::Text),
            ("anonymity_threshold", Col::Int),
            ("min_peers", Col::Int),
            ("max_peers", Col::Int),
            ("state", Col::Text),
            ("created_by", Col::Int),
            ("created_at", Col::Int),
        ],
    ),
    (
        "cycle_steps",
        &[
            ("id", Col::Int),
            ("cycle_id", Col::Int),
            ("state", Col::Text),
            ("by_account", Col::Int),
            ("at", Col::Int),
        ],
    ),
    (
        "nomination_lists",
        &[
            ("cycle_id", Col::Int),
            ("person_id", Col::Int),
            ("saved_at", Col::Int),
            ("approved_by", Col::Int),
            ("approved_at", Col::Int),
        ],
    ),
    (
        "nominations",
        &[
            ("cycle_id", Col::Int),
            ("person_id", Col::Int),
            ("respondent_id", Col::Int),
            ("relation", Col::Text),
            ("source", Col::Text),
            ("answered_on", Col::Text),
        ],
    ),
    (
        "answers",
        &[
            ("id", Col::Text),
            ("cycle_id", Col::Int),
            ("person_id", Col::Int),
            ("relation", Col::Text),
            ("question", Col::Text),
            ("value", Col::Int),
            ("comment", Col::Text),
        ],
    ),
    (
        "proposals",
        &[
            ("id", Col::Int),
            ("cycle_id", Col::Int),
            ("person_id", Col::Int),
            ("department", Col::Text),
            ("kind", Col::Text),
            ("from_family", Col::Text),
            ("from_level", Col::Text),
            ("from_specialty", Col::Text),
            ("from_grade", Col::Text),
            ("to_level", Col::Text),
            ("to_specialty", Col::Text),
            ("to_grade", Col::Text),
            ("case_text", Col::Text),
            ("evidence", Col::Text),
            ("override_reason", Col::Text),
            ("chain", Col::Text),
            ("next_step", Col::Int),
            ("state", Col::Text),
            ("effective", Col::Text),
            ("proposed_by", Col::Int),
            ("created_at", Col::Int),
            ("decided_at", Col::Int),
        ],
    ),
    (
        "proposal_steps",
        &[
            ("id", Col::Int),
            ("proposal_id", Col::Int),
            ("step", Col::Int),
            ("approver", Col::Text),
            ("approved", Col::Int),
            ("comment", Col::Text),
            ("by_account", Col::Int),
            ("at", Col::Int),
        ],
    ),
    (
        "calibration_locks",
        &[
            ("cycle_id", Col::Int),
            ("department", Col::Text),
            ("locked_by", Col::Int),
            ("locked_at", Col::Int),
        ],
    ),
    (
        "pay_bands",
        &[
            ("grade", Col::Text),
            ("zone", Col::Text),
            ("effective_from", Col::Text),
            ("currency", Col::Text),
            ("min_amount", Col::Int),
            ("mid_amount", Col::Int),
            ("max_amount", Col::Int),
        ],
    ),
    (
        "salaries",
        &[
            ("person_id", Col::Int),
            ("effective_from", Col::Text),
            ("amount", Col::Int),
            ("currency", Col::Text),
        ],
    ),
    (
        "internships",
        &[
            ("id", Col::Int),
            ("person_id", Col::Int),
            ("host_department", Col::Text),
            ("mentor_id", Col::Int),
            ("goals", Col::Text),
            ("competencies", Col::Text),
            ("share", Col::Int),
            ("start_date", Col::Text),
            ("end_date", Col::Text),
            ("activities", Col::Text),
            ("access", Col::Text),
            ("state", Col::Text),
            ("manager_decision", Col::Int),
            ("manager_by", Col::Int),
            ("manager_comment", Col::Text),
            ("manager_at", Col::Int),
            ("host_decision", Col::Int),
            ("host_by", Col::Int),
            ("host_comment", Col::Text),
            ("host_at", Col::Int),
            ("outcome", Col::Text),
            ("moved", Col::Text),
            ("completed_at", Col::Int),
            ("created_at", Col::Int),
        ],
    ),
    (
        "internship_log",
        &[
            ("id", Col::Int),
            ("internship_id", Col::Int),
            ("author_id", Col::Int),
            ("date", Col::Text),
            ("text", Col::Text),
            ("created_at", Col::Int),
        ],
    ),
    (
        "openings",
        &[
            ("id", Col::Int),
            ("title", Col::Text),
            ("family", Col::Text),
            ("level", Col::Text),
            ("specialty", Col::Text),
            ("state", Col::Text),
            ("created_by", Col::Int),
            ("created_at", Col::Int),
        ],
    ),
    (
        "hiring_team",
        &[
            ("opening_id", Col::Int),
            ("account_id", Col::Int),
            ("role", Col::Text),
        ],
    ),
    (
        "candidates",
        &[
            ("id", Col::Int),
            ("opening_id", Col::Int),
            ("name", Col::Text),
            ("contact", Col::Text),
            ("stage", Col::Text),
            ("state", Col::Text),
            ("created_at", Col::Int),
        ],
    ),
    (
        "scorecards",
        &[
            ("candidate_id", Col::Int),
            ("stage", Col::Text),
            ("interviewer_id", Col::Int),
            ("scores", Col::Text),
            ("notes", Col::Text),
            ("submitted_at", Col::Int),
        ],
    ),
    (
        "events",
        &[
            ("id", Col::Int),
            ("at", Col::Int),
            ("kind", Col::Text),
            ("actor_id", Col::Int),
            ("person_id", Col::Int),
            ("object_id", Col::Int),
            ("data", Col::Text),
        ],
    ),
    (
        "event_cursors",
        &[
            ("consumer", Col::Text),
            ("position", Col::Int),
            ("updated_at", Col::Int),
        ],
    ),
];
