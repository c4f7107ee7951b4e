//! The lifecycle of accounts: deactivation and reactivation, the sessions
//! and tokens an owner lists and ends, password changes and emailed
//! resets, and the addresses an account signs in from.

use crate::{Account, ApiToken, Id, Record, Result, Session};

/// What using a password-reset link did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResetOutcome {
    /// The password is set, every session and token of the account is
    /// gone.
    Done(Id),
    /// No such link, or it expired, or it was used.
    Invalid,
}

/// The account part of the [`Store`](crate::Store). Implemented for both
/// backends by the shared `sql/` module.
#[async_trait::async_trait]
pub trait AccountStore: Send + Sync {
    /// Erases a person who has left, at their request, in one transaction:
    /// their identity is removed everywhere (person record, account,
    /// provisioning link, sign-in traces, deliveries, events) and what is
    /// about them alone goes (ratings, checkpoints, pay, private notes they
    /// wrote, their 360 results and the answers about them, notification
    /// choices, calendar feed), while what others wrote stays and now
    /// names "a former employee", 360 answers they gave stay anonymous and
    /// keep counting, and audit entries keep their subject (an id that
    /// names no one any more) with the person's name, email and
    /// identifiers taken out. `Refused` if the person is still active;
    /// `NotFound` if there is no such person.
    async fn erase_person(&self, person: Id, rec: &Record) -> Result<()>;
    /// Deactivates an account, or reactivates it: deactivation deletes
    /// every session and API token of the account in the same
    /// transaction; reactivation restores the account only. `Refused` if
    /// it is already in that state.
    async fn set_account_active(&self, id: Id, active: bool, now: i64, rec: &Record) -> Result<()>;

    /// The account's live sessions, newest first.
    async fn account_sessions(&self, account: Id, now: i64) -> Result<Vec<Session>>;
    /// Ends one of the account's sessions; `NotFound` if it has no such
    /// session.
    async fn end_session(&self, account: Id, token_hash: &str, rec: &Record) -> Result<()>;
    /// Ends every session of the account but `keep` (the caller's own,
    /// when it stays signed in), and with `tokens`, every API token too.
    /// Returns how many sessions and tokens went.
    async fn end_sessions(
        &self,
        account: Id,
        keep: Option<&str>,
        tokens: bool,
        rec: &Record,
    ) -> Result<(u64, u64)>;

    /// Makes an API token that stops working at `expires_at`.
    async fn add_api_token(
        &self,
        account: Id,
        name: &str,
        token_hash: &str,
        expires_at: Option<i64>,
        now: i64,
        rec: &Record,
    ) -> Result<Id>;
    /// The account behind a token, if the token is unexpired at `now` and
    /// the account active; notes the use (at most once a minute).
    async fn token_account(&self, token_hash: &str, now: i64) -> Result<Option<Account>>;
    /// The account's tokens, newest first (expired ones too).
    async fn account_tokens(&self, account: Id) -> Result<Vec<ApiToken>>;
    /// Deletes one of the account's tokens; `NotFound` if it has none
    /// with that id.
    async fn revoke_api_token(&self, account: Id, id: Id, rec: &Record) -> Result<()>;

    /// Sets a password and ends every session of the account but `keep`,
    /// in one transaction.
    async fn change_password(
        &self,
        account: Id,
        hash: &str,
        keep: Option<&str>,
        rec: &Record,
    ) -> Result<()>;
    /// Stores a reset link for the account, valid until `expires_at`.
    /// Earlier links of the account stop working.
    async fn create_password_reset(
        &self,
        account: Id,
        token_hash: &str,
        now: i64,
        expires_at: i64,
        rec: &Record,
    ) -> Result<()>;
    /// Whether a reset link would work at `now` (for the page that asks
    /// for the new password), without using it.
    async fn password_reset_valid(&self, token_hash: &str, now: i64) -> Result<bool>;
    /// Uses a reset link: once, before it expires, for an active account.
    /// Sets the password and ends every session and token, in one
    /// transaction with `rec` (whose subject is filled in).
    async fn reset_password(
        &self,
        token_hash: &str,
        hash: &str,
        now: i64,
        rec: &Record,
    ) -> Result<ResetOutcome>;

    /// Notes a successful sign-in from an address.
    async fn remember_address(&self, account: Id, ip: &str, now: i64) -> Result<()>;
    /// Whether the account signed in from this address since `since`.
    async fn known_address(&self, account: Id, ip: &str, since: i64) -> Result<bool>;
    /// The newest failure of a throttling key, if any since `since`.
    async fn last_failure(&self, key: &str, since: i64) -> Result<Option<i64>>;
}
