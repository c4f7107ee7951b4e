//! Ladder's storage: one [`Store`] trait, the rows it speaks, and the story
//! tests every backend must pass.
//!
//! The backends are `ladder-store-sqlite` and `ladder-store-postgres`, each
//! with its own migrations. Their query code is shared as plain Rust in this
//! crate's `sql/` folder, which each backend compiles as its own module: the
//! SQL is written once, in the subset both databases accept (`$1`
//! placeholders, `RETURNING`, `ON CONFLICT`), and each backend adds only what
//! differs (connecting, migrating, resetting sequences).
//!
//! Time is a parameter (`now`, Unix seconds) everywhere; the store never
//! reads a clock.

mod accounts;
mod calendar;
mod feedback;
mod growth;
mod notify;
mod ops;
mod scim;
pub mod story;

pub use growth::{
    ADDED_LATER, ActionItem, AgendaItem, BACKUP_TABLES, Checkpoint, CheckpointState, Col,
    DUMPED_TABLES, FocusArea, Meeting, NOT_BACKED_UP, NewFocusArea, PersonGrowth, PrivateNote,
    Rater, Rating, RatingChange, Seen, StandingItem,
};

pub use feedback::{
    Answer, CalibrationLock, Cycle, CycleState, CycleStep, FeedbackRelation, NewAnswer, NewCycle,
    NewNomination, NewProposal, NewRelease, NewSnapshot, Nomination, NominationList, Proposal,
    ProposalState, ProposalStep, Release, Snapshot,
};

pub use accounts::{AccountStore, ResetOutcome};
pub use calendar::{Cadence, CalendarStore, NewSeries, Series, SeriesState};
pub use notify::{
    Channel, Delivery, Message, MessageState, NewMessage, NotifyStore, Outcome, Webhook,
};
pub use ops::{
    Activity, Candidate, Decision, HiringRole, Internship, InternshipState, LogEntry, Moved,
    NewInternship, NewOpening, Opening, OpsStore, Score, Scorecard, Side, TeamMember,
};
pub use scim::{ScimClient, ScimLink, ScimStore};

pub use async_trait::async_trait;
use ladder_org::{PersonRecord, Role};
pub use serde;
use serde::{Deserialize, Serialize};
pub use serde_json;
use std::fmt;

pub type Id = i64;

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique value is taken (an email, a token).
    #[error("{0} already exists")]
    Conflict(String),
    #[error("{0} was not found")]
    NotFound(String),
    /// The operation is not allowed on this data, e.g. restoring into a
    /// database that already holds data.
    #[error("{0}")]
    Refused(String),
    /// A write named a version that is no longer the current one: someone
    /// else saved first. Carries what they saved, so nothing is lost.
    #[error("this was changed by someone else (now version {version})")]
    Stale { version: i64, text: String },
    #[error("database error: {0}")]
    Backend(String),
}

/// A unique violation is a [`StoreError::Conflict`]; anything else the
/// database says is [`StoreError::Backend`].
impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                StoreError::Conflict(d.message().to_owned())
            }
            _ => StoreError::Backend(e.to_string()),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A stored person: the record plus its id and its manager's id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: Id,
    pub manager_id: Option<Id>,
    #[serde(flatten)]
    pub record: PersonRecord,
}

/// One dated entry of a person's role history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleChange {
    pub id: Id,
    pub person_id: Id,
    /// The date the role took effect, `YYYY-MM-DD`.
    pub effective: String,
    pub role: Role,
    /// Why: `hired`, `import`, `promotion`, …
    pub reason: String,
    pub recorded_at: i64,
    pub recorded_by: Option<Id>,
}

/// What an import of people changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub role_changes: usize,
    /// People who were active and are not any more: their accounts are
    /// deactivated in the same transaction.
    #[serde(default)]
    pub left: usize,
    /// People who were inactive and are active again.
    #[serde(default)]
    pub returned: usize,
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} created, {} updated, {} unchanged, {} role changes",
            self.created, self.updated, self.unchanged, self.role_changes
        )?;
        if self.left > 0 {
            write!(f, ", {} left", self.left)?;
        }
        if self.returned > 0 {
            write!(f, ", {} returned", self.returned)?;
        }
        Ok(())
    }
}

/// Account-wide roles. Manager is not here: it is derived from the
/// reporting chain.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roles {
    pub admin: bool,
    pub people_team: bool,
    pub editor: bool,
}

impl Roles {
    pub const NONE: Roles = Roles {
        admin: false,
        people_team: false,
        editor: false,
    };

    /// The stored form: a comma-separated list.
    pub fn encode(self) -> String {
        let mut v = Vec::new();
        if self.admin {
            v.push("admin");
        }
        if self.people_team {
            v.push("people");
        }
        if self.editor {
            v.push("editor");
        }
        v.join(",")
    }

    pub fn decode(s: &str) -> Roles {
        let has = |r: &str| s.split(',').any(|x| x.trim() == r);
        Roles {
            admin: has("admin"),
            people_team: has("people"),
            editor: has("editor"),
        }
    }
}

impl fmt::Display for Roles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.encode();
        f.write_str(if s.is_empty() { "member" } else { &s })
    }
}

/// A login. People are matched to accounts by email.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: Id,
    pub email: String,
    pub name: String,
    /// Argon2id PHC string; `None` for accounts that only use SSO.
    pub password_hash: Option<String>,
    pub roles: Roles,
    pub created_at: i64,
    /// When the account was deactivated (a leaver, or by an admin): it
    /// cannot sign in and holds no session or token. `None`: active.
    #[serde(default)]
    pub deactivated_at: Option<i64>,
}

impl Account {
    pub fn active(&self) -> bool {
        self.deactivated_at.is_none()
    }
}

/// A signed-in browser. The cookie holds the token; the store holds only
/// its SHA-256.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Session {
    pub token_hash: String,
    pub account_id: Id,
    pub csrf: String,
    pub created_at: i64,
    pub expires_at: i64,
    /// The address it signed in from.
    #[serde(default)]
    pub ip: String,
    /// The browser it signed in with (its `User-Agent`, shortened).
    #[serde(default)]
    pub agent: String,
}

/// A live session with its account and the organisation's version, read
/// in one query: what every signed-in request needs first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionView {
    pub session: Session,
    pub account: Account,
    /// See [`Store::org_version`].
    pub org_version: i64,
    /// The person with the account's email (the same email, as stored)
    /// and their [`Store::growth_version`], read with the session: a
    /// person's own kept worksheet then costs no read of its own.
    pub own_growth: Option<(Id, i64)>,
}

/// Everyone and every role change, read together at one
/// [`Store::org_version`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Org {
    pub version: i64,
    /// By id.
    pub people: Vec<Person>,
    /// By person, then effective date, then id.
    pub history: Vec<RoleChange>,
}

/// A token for scripts calling the API; the store holds only its hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ApiToken {
    pub id: Id,
    pub account_id: Id,
    pub name: String,
    pub token_hash: String,
    pub created_at: i64,
    /// After this it is refused; `None`: it does not expire.
    #[serde(default)]
    pub expires_at: Option<i64>,
    #[serde(default)]
    pub last_used_at: Option<i64>,
}

/// One line of the append-only audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct AuditEvent {
    pub id: Id,
    pub at: i64,
    pub actor_id: Option<Id>,
    /// The actor's email at the time, or `system`.
    pub actor: String,
    /// What was done, e.g. `person.read`, `people.import`.
    pub action: String,
    pub subject_id: Option<Id>,
    pub detail: String,
    /// Where from: the client address.
    pub ip: String,
}

/// How long data is kept, in days (0: for ever). See `docs/privacy.md`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    /// Audit entries, from when they were written.
    pub audit_log_days: i64,
    /// Sent, failed and digested messages (the delivery log).
    pub delivery_log_days: i64,
    /// 1:1 meetings (notes, agenda, actions) of a pair one of whom has
    /// left, from the meeting's day.
    pub leaver_one_on_ones_days: i64,
    /// Candidates and their scorecards of closed openings, from when the
    /// candidate was added.
    pub candidate_days: i64,
    /// 360 answers of closed cycles, from the close (released results
    /// stay).
    pub closed_cycle_answers_days: i64,
}

impl Default for Retention {
    fn default() -> Retention {
        Retention {
            audit_log_days: 730,
            delivery_log_days: 90,
            leaver_one_on_ones_days: 365,
            candidate_days: 180,
            closed_cycle_answers_days: 365,
        }
    }
}

/// What a retention sweep deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub audit_entries: u64,
    pub messages: u64,
    pub meetings: u64,
    pub candidates: u64,
    pub answers: u64,
}

/// Which audit entries to read; every part that is set must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor_id: Option<Id>,
    pub subject_id: Option<Id>,
    /// The action, or its beginning (`pay.` matches every pay action).
    pub action: Option<String>,
    /// From this time (inclusive) …
    pub from: Option<i64>,
    /// … to this time (exclusive).
    pub until: Option<i64>,
}

impl AuditEvent {
    /// An event by `account` (`None`: anonymous), to be stored; the store
    /// assigns the id.
    pub fn by(
        account: Option<&Account>,
        at: i64,
        action: &str,
        subject_id: Option<Id>,
        detail: &str,
        ip: &str,
    ) -> AuditEvent {
        AuditEvent {
            id: 0,
            at,
            actor_id: account.map(|a| a.id),
            actor: account.map_or_else(|| "anonymous".to_owned(), |a| a.email.clone()),
            action: action.to_owned(),
            subject_id,
            detail: detail.to_owned(),
            ip: ip.to_owned(),
        }
    }
}

/// A domain event, as the outbox (`events`) holds it: who did what, about
/// whom and which object, and when; never private text. Ids are given in
/// commit order, so a reader that has seen every id up to `n` has seen
/// every event committed before the one it read last.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub id: Id,
    pub at: i64,
    /// What happened, e.g. `rating.set`, `cycle.advance`: the audit
    /// entry's action.
    pub kind: String,
    /// The account that did it; `None` for the system.
    pub actor_id: Option<Id>,
    /// The person it is about.
    pub person_id: Option<Id>,
    /// The object it is about (a checkpoint, a meeting, a cycle, …),
    /// named by `kind`.
    pub object_id: Option<Id>,
    /// What a reader needs beyond the ids: states, dates, names of
    /// statements. Never a note's or an answer's text.
    pub data: serde_json::Value,
}

/// What a write records beside itself, in its own transaction: its audit
/// entry and its domain event. Every write method of the store that
/// changes what people see takes one; if either insert fails, the write
/// is rolled back with it.
///
/// A write that creates a row fills that row's id in for `{id}` in the
/// audit entry's detail, and makes it the event's object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub audit: AuditEvent,
    /// The event's object. Methods that create a row use that row's id
    /// when this is `None`.
    pub object_id: Option<Id>,
    /// The event's data; see [`Event::data`].
    pub data: serde_json::Value,
}

impl Record {
    /// The record of a write described by its audit entry; the event takes
    /// its time, kind, actor and person from it.
    pub fn new(audit: AuditEvent) -> Record {
        Record {
            audit,
            object_id: None,
            data: serde_json::Value::Object(serde_json::Map::new()),
        }
    }

    /// A write by the system itself (the CLI, the demo's seeding, a
    /// schedule), not by a signed-in account.
    pub fn system(at: i64, action: &str, subject: Option<Id>, detail: &str) -> Record {
        Record::new(AuditEvent {
            id: 0,
            at,
            actor_id: None,
            actor: "system".to_owned(),
            action: action.to_owned(),
            subject_id: subject,
            detail: detail.to_owned(),
            ip: String::new(),
        })
    }

    pub fn object(mut self, id: Id) -> Record {
        self.object_id = Some(id);
        self
    }

    pub fn data(mut self, data: serde_json::Value) -> Record {
        self.data = data;
        self
    }

    /// The event this record stores, before the store gives it an id.
    pub fn event(&self, created: Option<Id>) -> Event {
        Event {
            id: 0,
            at: self.audit.at,
            kind: self.audit.action.clone(),
            actor_id: self.audit.actor_id,
            person_id: self.audit.subject_id,
            object_id: self.object_id.or(created),
            data: self.data.clone(),
        }
    }
}

/// A framework version the server has loaded, by content hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct FrameworkVersion {
    pub hash: String,
    pub first_loaded_at: i64,
    pub last_loaded_at: i64,
    pub source: String,
    pub summary: String,
}

/// A framework version staged or published through the store (without
/// its files; [`Store::framework_files`] reads them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct FrameworkRelease {
    pub id: Id,
    pub hash: String,
    pub source: String,
    pub summary: String,
    /// `staged`, `live`, `retired` (was live) or `discarded`.
    pub state: String,
    pub staged_by: Option<Id>,
    pub staged_at: i64,
    pub published_by: Option<Id>,
    pub published_at: Option<i64>,
}

/// A framework version to stage: its files as JSON (`{"path": "text"}`).
#[derive(Clone, Debug)]
pub struct NewFrameworkRelease {
    pub hash: String,
    pub source: String,
    pub summary: String,
    pub files: String,
    pub by: Option<Id>,
    pub at: i64,
}

/// An OpenID Connect login in flight: what the callback must check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OidcFlow {
    pub state: String,
    pub nonce: String,
    pub verifier: String,
    pub created_at: i64,
}

/// Every row of every table: what `ladder db backup` writes and `restore`
/// reads. Plain JSON, so a backup also moves data between backends.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dump {
    pub format: u32,
    pub people: Vec<Person>,
    pub role_changes: Vec<RoleChange>,
    pub accounts: Vec<Account>,
    pub sessions: Vec<Session>,
    pub api_tokens: Vec<ApiToken>,
    pub audit: Vec<AuditEvent>,
    pub framework_versions: Vec<FrameworkVersion>,
    /// The growth tables ([`BACKUP_TABLES`]), table → rows of column
    /// values in the listed order. Absent in backups made before them.
    #[serde(default)]
    pub growth: std::collections::BTreeMap<String, Vec<Vec<serde_json::Value>>>,
}

/// The version of the [`Dump`] format this build writes.
pub const DUMP_FORMAT: u32 = 1;

/// An account to make (see `Store::create_accounts`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAccount {
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub roles: Roles,
}

/// A connection pool's use at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolUse {
    /// Connections open, busy or idle.
    pub open: u32,
    /// Of those, the idle ones.
    pub idle: u32,
    /// The most the pool opens.
    pub max: u32,
}

/// Everything the server stores. Implemented once for both backends by
/// the shared `sql/` module of this crate.
#[async_trait]
pub trait Store:
    FeedbackStore
    + OpsStore
    + NotifyStore
    + CalendarStore
    + AccountStore
    + ScimStore
    + Send
    + Sync
    + fmt::Debug
{
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    /// How the connection pool is used right now, for the metrics.
    fn pool_use(&self) -> PoolUse;

    // People
    async fn list_people(&self) -> Result<Vec<Person>>;
    async fn person(&self, id: Id) -> Result<Option<Person>>;
    async fn person_by_email(&self, email: &str) -> Result<Option<Person>>;
    async fn reports(&self, manager: Id) -> Result<Vec<Person>>;
    async fn count_people(&self) -> Result<i64>;
    /// Creates or updates people by email, in one transaction, recording a
    /// role change for every new person and every changed role.
    /// `effective` is the date role changes take effect.
    /// The audit entry's detail and the event's data are what the import
    /// changed (the returned summary), whatever `rec` says.
    async fn apply_people(
        &self,
        records: &[PersonRecord],
        effective: &str,
        by: Option<Id>,
        now: i64,
        rec: &Record,
    ) -> Result<ImportSummary>;
    /// [`PeopleStore::apply_people`] for an organisation's first import
    /// with its history: a new person's role takes effect on their start
    /// date (on `today` when they have none), in the same one
    /// transaction; any other change on `today`.
    async fn apply_people_from_start(
        &self,
        records: &[PersonRecord],
        today: &str,
        by: Option<Id>,
        now: i64,
        rec: &Record,
    ) -> Result<ImportSummary>;
    async fn role_history(&self, person: Id) -> Result<Vec<RoleChange>>;
    /// A counter that changes with every write to people, role history or
    /// pay (imports, restores), so a cached copy of the organisation (or
    /// of a view computed from it, such as compa ratios) can tell
    /// it is stale.
    async fn org_version(&self) -> Result<i64>;
    /// The whole organisation in one consistent read.
    async fn org(&self) -> Result<Org>;

    // Accounts
    async fn create_account(
        &self,
        email: &str,
        name: &str,
        password_hash: Option<&str>,
        roles: Roles,
        now: i64,
        rec: &Record,
    ) -> Result<Id>;
    /// Many accounts in one transaction with one audit entry and event
    /// (`rec`): an email already taken (or given twice) is a conflict and
    /// nothing is written. Returns how many were made.
    async fn create_accounts(
        &self,
        accounts: &[NewAccount],
        now: i64,
        rec: &Record,
    ) -> Result<usize>;
    async fn account(&self, id: Id) -> Result<Option<Account>>;
    async fn account_by_email(&self, email: &str) -> Result<Option<Account>>;
    async fn list_accounts(&self) -> Result<Vec<Account>>;
    async fn count_accounts(&self) -> Result<i64>;
    async fn set_password(&self, id: Id, hash: &str, rec: &Record) -> Result<()>;
    async fn set_roles(&self, id: Id, roles: Roles, rec: &Record) -> Result<()>;

    // Sessions
    async fn create_session(&self, session: &Session) -> Result<()>;
    /// The session, if it exists and has not expired at `now`.
    async fn session(&self, token_hash: &str, now: i64) -> Result<Option<SessionView>>;
    async fn delete_session(&self, token_hash: &str) -> Result<()>;
    async fn delete_expired_sessions(&self, now: i64) -> Result<u64>;

    // Login throttling: failures per key (an account or an address).
    async fn record_failure(&self, key: &str, now: i64) -> Result<()>;
    async fn failures_since(&self, key: &str, since: i64) -> Result<i64>;
    async fn clear_failures(&self, key: &str) -> Result<()>;
    /// Drops failures made before `before` (too old to count); returns how
    /// many.
    async fn delete_failures_before(&self, before: i64) -> Result<u64>;

    // First-admin bootstrap links.
    async fn create_bootstrap(&self, token_hash: &str, now: i64) -> Result<()>;
    /// Consumes the link: true once, if it exists and was made after
    /// `not_before`.
    async fn take_bootstrap(&self, token_hash: &str, not_before: i64) -> Result<bool>;

    // Audit
    /// Records an entry outside any write. A read (an action ending in
    /// `.read`) that repeats an entry of the same actor, action, subject,
    /// detail and address from the last five minutes counts on that entry
    /// (see [`Store::audit_repeats`]) instead of adding one.
    async fn audit(&self, event: &AuditEvent) -> Result<()>;
    /// Newest first, `limit` events with ids below `before`.
    async fn audit_log(&self, before: Option<Id>, limit: i64) -> Result<Vec<AuditEvent>>;
    /// Deletes what `retention` no longer keeps as of `now`, in one
    /// transaction audited with the counts (appended to `rec`'s detail).
    async fn sweep(&self, retention: &Retention, now: i64, rec: &Record) -> Result<Swept>;
    /// Records many reads (one per person read) in one transaction, each
    /// counted on a recent entry as [`Store::audit`] does.
    async fn audit_reads(&self, events: &[AuditEvent]) -> Result<()>;
    /// For these entries, those that recorded repeated reads: (how many
    /// reads in all, the time of the last).
    async fn audit_repeats(
        &self,
        entries: &[Id],
    ) -> Result<std::collections::BTreeMap<Id, (i64, i64)>>;
    /// Up to `limit` entries matching `filter` with ids below `before`,
    /// newest first.
    async fn audit_search(
        &self,
        filter: &AuditFilter,
        before: Option<Id>,
        limit: i64,
    ) -> Result<Vec<AuditEvent>>;

    // The outbox
    /// The id of the latest event (0: none). Every recorded write adds
    /// one, so a view computed from many tables (a chain's growth) can
    /// tell it is stale by this alone.
    async fn latest_event(&self) -> Result<Id>;
    /// Up to `limit` events with ids above `after`, oldest first.
    async fn events_after(&self, after: Id, limit: i64) -> Result<Vec<Event>>;
    /// How far `consumer` has read: the id of the last event it took (0:
    /// none yet).
    async fn event_cursor(&self, consumer: &str) -> Result<Id>;
    /// Moves `consumer`'s cursor from `from` to `to` if it is still at
    /// `from`; true if this call moved it. Nodes that read the same events
    /// race here, and exactly one of them takes each batch.
    async fn advance_event_cursor(
        &self,
        consumer: &str,
        from: Id,
        to: Id,
        now: i64,
    ) -> Result<bool>;
    /// The tables of this database and their columns, by name: what the
    /// schema invariants (backup covers every table, both backends agree)
    /// are checked against.
    async fn schema(&self) -> Result<std::collections::BTreeMap<String, Vec<String>>>;

    // Framework versions
    /// Records a load; true if this content hash is new.
    async fn record_framework(
        &self,
        hash: &str,
        source: &str,
        summary: &str,
        now: i64,
        rec: &Record,
    ) -> Result<bool>;
    async fn framework_versions(&self) -> Result<Vec<FrameworkVersion>>;
    /// Stages a version: the one staged before it (if any) is discarded.
    async fn stage_framework(&self, release: &NewFrameworkRelease, rec: &Record) -> Result<Id>;
    /// Makes a staged or retired release live, and the live one retired,
    /// in one transaction. `Refused` if it is live already or discarded.
    async fn publish_framework(&self, id: Id, by: Option<Id>, now: i64, rec: &Record)
    -> Result<()>;
    /// The newest releases first, at most `limit`.
    async fn framework_releases(&self, limit: i64) -> Result<Vec<FrameworkRelease>>;
    /// A release's files (JSON), if it exists.
    async fn framework_files(&self, id: Id) -> Result<Option<String>>;
    /// The live release's id and hash: what a node checks on each request.
    async fn live_framework(&self) -> Result<Option<(Id, String)>>;

    // OIDC logins in flight
    async fn create_oidc_flow(&self, flow: &OidcFlow) -> Result<()>;
    /// Consumes a flow: `Some` once, if it was made at or after
    /// `not_before`. Drops every flow older than that as it goes.
    async fn take_oidc_flow(&self, state: &str, not_before: i64) -> Result<Option<OidcFlow>>;

    // Worksheet
    /// The current ratings of these people, by person, statement, side.
    async fn ratings(&self, people: &[Id]) -> Result<Vec<Rating>>;
    /// Sets a rating, writing the change to its history in the same
    /// transaction. A rating equal to the current one changes nothing.
    async fn set_rating(&self, rating: &Rating, rec: &Record) -> Result<()>;
    /// Every rating change of these people, oldest first.
    async fn rating_history(&self, people: &[Id]) -> Result<Vec<RatingChange>>;
    async fn worksheet_seen(&self, person: Id) -> Result<Option<Seen>>;
    /// What a person's worksheet reads, in one round trip: what
    /// `ratings`, `rating_history` and `worksheet_seen` give for them.
    async fn growth_of(&self, person: Id) -> Result<PersonGrowth>;
    /// A number that moves with every write to what `growth_of` reads
    /// for the person (0 before the first): a node that kept their
    /// rendered worksheet checks it instead of reading them again.
    async fn growth_version(&self, person: Id) -> Result<i64>;
    async fn set_worksheet_seen(&self, seen: &Seen) -> Result<()>;

    // Quarterly checkpoints
    /// Opens a person's checkpoint for a quarter; `Conflict` if one exists.
    async fn open_checkpoint(
        &self,
        person: Id,
        quarter: &str,
        areas: &[NewFocusArea],
        by: Option<Id>,
        now: i64,
        rec: &Record,
    ) -> Result<Id>;
    async fn checkpoint(&self, id: Id) -> Result<Option<Checkpoint>>;
    /// A person's checkpoints, newest quarter first.
    async fn checkpoints(&self, person: Id) -> Result<Vec<Checkpoint>>;
    /// Closes a checkpoint with a summary per focus area (by area id);
    /// `Refused` if it is closed or a summary is missing.
    async fn close_checkpoint(
        &self,
        id: Id,
        summaries: &[(Id, String)],
        by: Option<Id>,
        now: i64,
        rec: &Record,
    ) -> Result<()>;
    /// Every checkpoint of these quarters, for overdue lists.
    async fn checkpoint_states(&self, quarters: &[String]) -> Result<Vec<CheckpointState>>;

    // 1:1s
    /// A meeting of the pair on a date; `Conflict` if there is one.
    async fn create_meeting(
        &self,
        manager: Id,
        report: Id,
        date: &str,
        now: i64,
        rec: &Record,
    ) -> Result<Id>;
    async fn meeting(&self, id: Id) -> Result<Option<Meeting>>;
    /// The pair's meetings, oldest first.
    async fn meetings(&self, manager: Id, report: Id) -> Result<Vec<Meeting>>;
    /// Every meeting on a day (`YYYY-MM-DD`), for the day-before reminders.
    async fn meetings_on(&self, date: &str) -> Result<Vec<Meeting>>;
    /// Every (manager, report) pair with meetings that includes `person`.
    async fn meeting_pairs(&self, person: Id) -> Result<Vec<(Id, Id)>>;
    /// Saves the shared notes if `expected` is still the current version;
    /// otherwise `Stale` with the current text. Returns the new version.
    async fn save_shared_notes(
        &self,
        meeting: Id,
        text: &str,
        expected: i64,
        rec: &Record,
    ) -> Result<i64>;
    async fn add_agenda_item(
        &self,
        meeting: Id,
        author: Id,
        text: &str,
        now: i64,
        rec: &Record,
    ) -> Result<Id>;
    async fn agenda_items(&self, meeting: Id) -> Result<Vec<AgendaItem>>;
    async fn add_standing_item(
        &self,
        manager: Id,
        report: Id,
        author: Id,
        text: &str,
        now: i64,
        rec: &Record,
    ) -> Result<Id>;
    async fn standing_items(&self, manager: Id, report: Id) -> Result<Vec<StandingItem>>;
    async fn add_action_item(
        &self,
        meeting: Id,
        owner: Id,
        text: &str,
        now: i64,
        rec: &Record,
    ) -> Result<Id>;
    async fn action_item(&self, id: Id) -> Result<Option<ActionItem>>;
    /// The pair's action items, oldest first.
    async fn action_items(&self, manager: Id, report: Id) -> Result<Vec<ActionItem>>;
    /// Marks an action item done in a meeting; `Refused` if already done.
    async fn complete_action(&self, id: Id, meeting: Id, now: i64, rec: &Record) -> Result<()>;
    /// The author's own note on a meeting.
    async fn private_note(&self, meeting: Id, author: Id) -> Result<Option<PrivateNote>>;
    /// Every private note, as stored (sealed), for a key rotation.
    async fn private_notes(&self) -> Result<Vec<PrivateNote>>;
    /// Replaces the stored text of these notes, (meeting, author, text),
    /// all in one transaction: a key rotation's reseal. Versions and times
    /// stay.
    async fn reseal_private_notes(&self, notes: &[(Id, Id, String)], rec: &Record) -> Result<()>;
    /// Saves the author's note if `expected` is its current version (0: no
    /// note yet); otherwise `Stale`. Returns the new version.
    async fn save_private_note(
        &self,
        meeting: Id,
        author: Id,
        text: &str,
        expected: i64,
        now: i64,
        rec: &Record,
    ) -> Result<i64>;

    // Backup
    async fn dump(&self) -> Result<Dump>;
    /// Loads a dump into an empty database, all or nothing.
    async fn restore(&self, dump: &Dump) -> Result<()>;
}

/// The 360 feedback part of the [`Store`]: cycles, nominations, answers,
/// level-change proposals and calibration locks. Implemented for both
/// backends by the shared `sql/` module; bring it into scope to call these on a
/// `dyn Store`.
#[async_trait]
pub trait FeedbackStore: Send + Sync {
    // 360 feedback cycles
    /// Creates a cycle in `draft`.
    async fn create_cycle(
        &self,
        cycle: &NewCycle,
        by: Option<Id>,
        now: i64,
        rec: &Record,
    ) -> Result<Id>;
    async fn cycle(&self, id: Id) -> Result<Option<Cycle>>;
    /// Every cycle, newest first.
    async fn cycles(&self) -> Result<Vec<Cycle>>;
    /// Moves a cycle from `from` to the next state and records the step;
    /// `Refused` if it is not in `from`, or when closing with proposals
    /// still pending. Moving to `feedback` approves every list not yet
    /// approved and adds `fill` for people who sent none; closing writes
    /// `release`, the results' last release, in the same transaction.
    #[allow(clippy::too_many_arguments)]
    async fn advance_cycle(
        &self,
        id: Id,
        from: CycleState,
        fill: &[(Id, Vec<NewNomination>)],
        release: Option<&NewRelease>,
        by: Option<Id>,
        now: i64,
        rec: &Record,
    ) -> Result<CycleState>;
    async fn cycle_steps(&self, id: Id) -> Result<Vec<CycleStep>>;
    /// Replaces a person's nominations; `approved_by` approves the list
    /// too. `Refused` unless the cycle takes nominations, or if the list
    /// was approved and this is not an approval.
    async fn save_nominations(
        &self,
        cycle: Id,
        person: Id,
        list: &[NewNomination],
        approved_by: Option<Id>,
        now: i64,
        rec: &Record,
    ) -> Result<()>;
    /// Every nomination of a cycle, by person then respondent.
    async fn nominations(&self, cycle: Id) -> Result<Vec<Nomination>>;
    /// For each person asked about in a cycle, by id: how many were asked
    /// about them and how many have answered. Counted by the database, so
    /// a cycle of 100,000 people is read as 100,000 small rows, not its
    /// 300,000 nominations.
    async fn nomination_counts(&self, cycle: Id) -> Result<Vec<(Id, i64, i64)>>;
    /// For each respondent who still owes answers in a cycle, by id: how
    /// many (counted by the database, as `nomination_counts`).
    async fn owed_counts(&self, cycle: Id) -> Result<Vec<(Id, i64)>>;
    async fn nomination_lists(&self, cycle: Id) -> Result<Vec<NominationList>>;
    /// The nomination lists of these people in a cycle, by person: what a
    /// page about a few people reads, whatever the cycle's size.
    async fn nomination_lists_for(&self, cycle: Id, people: &[Id]) -> Result<Vec<NominationList>>;
    /// The nominations about one person in a cycle, by respondent.
    async fn nominations_about(&self, cycle: Id, person: Id) -> Result<Vec<Nomination>>;
    /// What one respondent was asked in a cycle, by person reviewed.
    async fn nominations_by(&self, cycle: Id, respondent: Id) -> Result<Vec<Nomination>>;
    /// A cycle's progress as counts: (nomination lists sent, of them
    /// approved, nominations, of them answered). What the people team's
    /// home page shows, whatever the cycle's size.
    async fn cycle_counts(&self, cycle: Id) -> Result<(i64, i64, i64, i64)>;
    /// What `respondent` still owes in cycles open for answers, oldest
    /// cycle first: the inbox reads it on every home page.
    async fn owed_feedback(&self, respondent: Id) -> Result<Vec<Nomination>>;
    /// Stores a respondent's answers about a person, once, marking the
    /// nomination answered on `day`. `Refused` outside the feedback phase,
    /// for an unapproved list or a second answer; `NotFound` if the
    /// respondent was not nominated.
    async fn submit_feedback(
        &self,
        cycle: Id,
        person: Id,
        respondent: Id,
        answers: &[NewAnswer],
        day: &str,
    ) -> Result<()>;
    /// The answers about a person in a cycle, in no meaningful order.
    async fn answers(&self, cycle: Id, person: Id) -> Result<Vec<Answer>>;
    /// Every answer of a cycle, by person, for a release to tally.
    async fn cycle_answers(&self, cycle: Id) -> Result<Vec<Answer>>;
    /// Writes a release of the results during the feedback phase.
    /// `Refused` in any other phase.
    async fn release_feedback(
        &self,
        cycle: Id,
        release: &NewRelease,
        by: Option<Id>,
        now: i64,
        rec: &Record,
    ) -> Result<Id>;
    /// A cycle's releases, oldest first.
    async fn releases(&self, cycle: Id) -> Result<Vec<Release>>;
    /// A person's latest released results in a cycle, if any.
    async fn snapshot(&self, cycle: Id, person: Id) -> Result<Option<Snapshot>>;
    /// Each person's latest tally in a cycle, to compare a release with.
    async fn tallies(&self, cycle: Id) -> Result<std::collections::BTreeMap<Id, String>>;

    // Level changes
    /// Records a proposal with the person's current role as its `from`.
    /// `Refused` unless the cycle is in its feedback phase and the
    /// department's calibration is unlocked; `Conflict` if the person
    /// has a pending proposal.
    async fn create_proposal(&self, proposal: &NewProposal, now: i64, rec: &Record) -> Result<Id>;
    async fn proposal(&self, id: Id) -> Result<Option<Proposal>>;
    /// A cycle's proposals, oldest first.
    async fn proposals(&self, cycle: Id) -> Result<Vec<Proposal>>;
    /// A person's proposals across cycles, oldest first.
    async fn person_proposals(&self, person: Id) -> Result<Vec<Proposal>>;
    async fn proposal_steps(&self, proposal: Id) -> Result<Vec<ProposalStep>>;
    /// Records a decision at `step` of the chain. A rejection ends the
    /// proposal; the last approval writes the new level to the person and
    /// their role history (effective `effective`) in the same
    /// transaction. `Refused` if the proposal is not pending at `step` or
    /// the cycle is not in its feedback phase.
    #[allow(clippy::too_many_arguments)]
    async fn decide_proposal(
        &self,
        id: Id,
        step: i64,
        approved: bool,
        comment: &str,
        by: Id,
        effective: &str,
        now: i64,
        rec: &Record,
    ) -> Result<ProposalState>;
    /// Locks a department's calibration: its proposals can no longer be
    /// made. `Conflict` if locked already.
    async fn lock_calibration(
        &self,
        cycle: Id,
        department: &str,
        by: Id,
        now: i64,
        rec: &Record,
    ) -> Result<()>;
    async fn calibration_locks(&self, cycle: Id) -> Result<Vec<CalibrationLock>>;
}
