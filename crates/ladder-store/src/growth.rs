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

/// Everything a person's worksheet reads of them: their ratings (by
/// statement, then side), every change of them (oldest first) and what they
/// last acknowledged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PersonGrowth {
    pub ratings: Vec<Rating>,
    pub history: Vec<RatingChange>,
    pub seen: Option<Seen>,
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

/// Columns added to a table of [`BACKUP_TABLES`] after backups of it were
/// made: (table, how many of its last columns). A row of an older backup
/// without them restores with each empty (`''`).
pub const ADDED_LATER: &[(&str, usize)] = &[("pay_bands", 2)];

/// A column's kind, for the generic backup of [`BACKUP_TABLES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Col {
    Int,
    Text,
}

/// Short names for the column kinds of [`BACKUP_TABLES`].
const I: Col = Col::Int;
const T: Col = Col::Text;

/// The tables a backup leaves out on purpose, and why.
pub const NOT_BACKED_UP: &[(&str, &str)] = &[
    ("login_failures", "throttling state that expires in minutes"),
    ("bootstrap_tokens", "single-use setup links that expire"),
    (
        "oidc_flows",
        "single sign-on logins in flight, minutes long",
    ),
    ("org_version", "a change counter; a restore bumps it"),
    (
        "growth_versions",
        "a change counter per person, which triggers keep as a restore writes the ratings",
    ),
    (
        "message_tallies",
        "counts of messages by state, which triggers keep as a restore writes the messages",
    ),
    (
        "password_resets",
        "single-use reset links that expire in an hour",
    ),
    (
        "audit_unlock",
        "empty except inside an erasure's or a retention sweep's transaction",
    ),
    (
        "sign_in_addresses",
        "where accounts signed in from, for throttling; rebuilt by the next sign-ins",
    ),
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

/// The tables `ladder db backup` writes generically (the growth, feedback,
/// pay, internship and hiring tables, the outbox and the notifications),
/// with their columns,
/// in an order that keeps references valid on restore. The rest of the
/// [`Dump`](crate::Dump) has typed fields; the tables in neither are
/// [`NOT_BACKED_UP`], and a story step holds the three lists equal to the
/// schema.
/// One line per table: the column list is the backup's format.
#[rustfmt::skip]
pub const BACKUP_TABLES: &[(&str, &[(&str, Col)])] = &[
    ("ratings", &[("id", I), ("person_id", I), ("statement_id", T), ("rater", T), ("value", I),
        ("evidence", T), ("statement_text", T), ("framework_hash", T), ("rated_by", I),
        ("rated_at", I)]),
    ("rating_history", &[("id", I), ("person_id", I), ("statement_id", T), ("rater", T),
        ("old_value", I), ("new_value", I), ("old_evidence", T), ("new_evidence", T),
        ("framework_hash", T), ("changed_by", I), ("changed_at", I)]),
    ("worksheet_seen", &[("person_id", I), ("framework_hash", T), ("snapshot", T), ("seen_at", I)]),
    ("checkpoints", &[("id", I), ("person_id", I), ("quarter", T), ("opened_at", I),
        ("opened_by", I), ("closed_at", I), ("closed_by", I)]),
    ("focus_areas", &[("id", I), ("checkpoint_id", I), ("position", I), ("ref_id", T),
        ("title", T), ("goals", T), ("targets", T), ("ideas", T), ("summary", T)]),
    ("meetings", &[("id", I), ("manager_id", I), ("report_id", I), ("date", T),
        ("shared_notes", T), ("version", I), ("created_at", I)]),
    ("agenda_items", &[("id", I), ("meeting_id", I), ("author_id", I), ("text", T),
        ("created_at", I)]),
    ("standing_items", &[("id", I), ("manager_id", I), ("report_id", I), ("author_id", I),
        ("text", T), ("created_at", I)]),
    ("action_items", &[("id", I), ("manager_id", I), ("report_id", I), ("meeting_id", I),
        ("owner_id", I), ("text", T), ("created_at", I), ("done_meeting_id", I), ("done_at", I)]),
    ("private_notes", &[("meeting_id", I), ("author_id", I), ("text", T), ("version", I),
        ("updated_at", I)]),
    ("cycles", &[("id", I), ("name", T), ("nominations_open", T), ("nominations_close", T),
        ("feedback_open", T), ("feedback_close", T), ("anonymity_threshold", I), ("min_peers", I),
        ("max_peers", I), ("state", T), ("created_by", I), ("created_at", I)]),
    ("cycle_steps", &[("id", I), ("cycle_id", I), ("state", T), ("by_account", I), ("at", I)]),
    ("nomination_lists", &[("cycle_id", I), ("person_id", I), ("saved_at", I), ("approved_by", I),
        ("approved_at", I)]),
    ("nominations", &[("cycle_id", I), ("person_id", I), ("respondent_id", I), ("relation", T),
        ("source", T), ("answered_on", T)]),
    ("answers", &[("id", T), ("cycle_id", I), ("person_id", I), ("relation", T), ("question", T),
        ("value", I), ("comment", T)]),
    ("framework_releases", &[("id", I), ("hash", T), ("source", T), ("summary", T), ("files", T),
        ("state", T), ("staged_by", I), ("staged_at", I), ("published_by", I),
        ("published_at", I)]),
    ("feedback_releases", &[("id", I), ("cycle_id", I), ("released_by", I), ("released_at", I),
        ("closing", I), ("people", I), ("held_back", I)]),
    ("feedback_snapshots", &[("cycle_id", I), ("person_id", I), ("release_id", I),
        ("results", T), ("tally", T)]),
    ("proposals", &[("id", I), ("cycle_id", I), ("person_id", I), ("department", T), ("kind", T),
        ("from_family", T), ("from_level", T), ("from_specialty", T), ("from_grade", T),
        ("to_level", T), ("to_specialty", T), ("to_grade", T), ("case_text", T), ("evidence", T),
        ("override_reason", T), ("chain", T), ("next_step", I), ("state", T), ("effective", T),
        ("proposed_by", I), ("created_at", I), ("decided_at", I)]),
    ("proposal_steps", &[("id", I), ("proposal_id", I), ("step", I), ("approver", T),
        ("approved", I), ("comment", T), ("by_account", I), ("at", I)]),
    ("calibration_locks", &[("cycle_id", I), ("department", T), ("locked_by", I),
        ("locked_at", I)]),
    // `family` and `level` came later (role bands): last, so that a backup
    // made before them still restores (see `ADDED_LATER`).
    ("pay_bands", &[("grade", T), ("zone", T), ("effective_from", T), ("currency", T),
        ("min_amount", I), ("mid_amount", I), ("max_amount", I), ("family", T), ("level", T)]),
    ("salaries", &[("person_id", I), ("effective_from", T), ("amount", I), ("currency", T)]),
    ("internships", &[("id", I), ("person_id", I), ("host_department", T), ("mentor_id", I),
        ("goals", T), ("competencies", T), ("share", I), ("start_date", T), ("end_date", T),
        ("activities", T), ("access", T), ("state", T), ("manager_decision", I),
        ("manager_by", I), ("manager_comment", T), ("manager_at", I), ("host_decision", I),
        ("host_by", I), ("host_comment", T), ("host_at", I), ("outcome", T), ("moved", T),
        ("completed_at", I), ("created_at", I)]),
    ("internship_log", &[("id", I), ("internship_id", I), ("author_id", I), ("date", T),
        ("text", T), ("created_at", I)]),
    ("openings", &[("id", I), ("title", T), ("family", T), ("level", T), ("specialty", T),
        ("state", T), ("created_by", I), ("created_at", I)]),
    ("hiring_team", &[("opening_id", I), ("account_id", I), ("role", T)]),
    ("candidates", &[("id", I), ("opening_id", I), ("name", T), ("contact", T), ("stage", T),
        ("state", T), ("created_at", I)]),
    ("scorecards", &[("candidate_id", I), ("stage", T), ("interviewer_id", I), ("scores", T),
        ("notes", T), ("submitted_at", I)]),
    ("events", &[("id", I), ("at", I), ("kind", T), ("actor_id", I), ("person_id", I),
        ("object_id", I), ("data", T)]),
    ("event_cursors", &[("consumer", T), ("position", I), ("updated_at", I)]),
    ("notification_prefs", &[("person_id", I), ("kind", T), ("mode", T)]),
    ("webhooks", &[("id", I), ("url", T), ("kinds", T), ("secret", T), ("created_by", I),
        ("created_at", I), ("failures", I), ("failing", I)]),
    ("messages", &[("id", I), ("key", T), ("kind", T), ("channel", T), ("person_id", I),
        ("webhook_id", I), ("address", T), ("data", T), ("state", T), ("created_at", I),
        ("due_at", I), ("attempts", I), ("lease_until", I), ("leased_by", T), ("last_error", T),
        ("sent_at", I)]),
    ("meeting_series", &[("id", I), ("manager_id", I), ("report_id", I), ("cadence", T),
        ("first_date", T), ("until_date", T), ("start_time", T), ("time_zone", T),
        ("duration_minutes", I), ("state", T), ("created_by", I), ("created_at", I),
        ("updated_at", I)]),
    ("calendar_tokens", &[("person_id", I), ("token_hash", T), ("created_at", I)]),
    ("audit_repeats", &[("entry_id", I), ("count", I), ("last_at", I)]),
    ("scim_clients", &[("id", I), ("name", T), ("token_hash", T), ("created_at", I),
        ("created_by", I), ("revoked_at", I), ("last_used_at", I)]),
    ("scim_users", &[("person_id", I), ("external_id", T), ("user_name", T),
        ("employee_number", T), ("pending_manager", T), ("deleted", I), ("refused_level", T),
        ("created_at", I), ("updated_at", I)]),
];
