//! Accounts, passwords, sessions, API tokens, throttling and the first-admin
//! bootstrap. The only module besides [`crate::access`] that holds the
//! store, and it touches account data only.
//!
//! - Passwords are Argon2id, hashed and verified on the blocking pool.
//! - An unknown email is verified against a dummy hash, so it costs the
//!   same time as a wrong password.
//! - Failed logins are counted in the store (so every node sees them).
//!   Past [`FREE_FAILURES`] for an account, each next try waits longer
//!   (doubling, at most [`MAX_WAIT`]); the right password is not refused
//!   for good, and failures from elsewhere never hold up the account's
//!   owner at an address they signed in from before (their usual
//!   address, counted apart). An address with [`MAX_ADDRESS_FAILURES`]
//!   failures is refused, except for accounts it is the usual address of.
//! - Deactivated accounts (leavers, or by an admin) and accounts of
//!   people who are no longer active do not sign in.
//! - Sessions live in the store; the cookie holds a random token and the
//!   store only its SHA-256. A new session is made at every login.

use crate::framework::hex;
use crate::{AppError, Settings};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use ladder_store::{
    Account, AuditEvent, Id, OidcFlow, Record, Roles, Session, SessionView, Store, StoreError,
};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "ladder_session";
/// The cookie that carries the anonymous forms' CSRF token (login, setup).
pub const PRE_COOKIE: &str = "ladder_pre";
/// Failed logins of an account within [`WINDOW`] before each next try
/// must wait.
pub const FREE_FAILURES: i64 = 5;
/// The longest wait between tries.
pub const MAX_WAIT: i64 = 15 * 60;
/// Failed logins from one address within [`WINDOW`] before it is refused
/// (except for accounts it is the usual address of).
pub const MAX_ADDRESS_FAILURES: i64 = 30;
pub const WINDOW: i64 = 15 * 60;
/// How long an address an account signed in from stays its usual one.
pub const USUAL_FOR: i64 = 90 * 24 * 3600;

/// How long the next try waits after `failures` failures in the window:
/// nothing for the first [`FREE_FAILURES`], then 1 s, 2 s, 4 s, … up to
/// [`MAX_WAIT`].
pub fn wait_after(failures: i64) -> i64 {
    let over = failures - FREE_FAILURES;
    if over < 0 {
        return 0;
    }
    u32::try_from(over)
        .ok()
        .and_then(|n| 1i64.checked_shl(n))
        .filter(|w| *w > 0)
        .map_or(MAX_WAIT, |w| w.min(MAX_WAIT))
}
/// Shortest password accepted.
pub const MIN_PASSWORD: usize = 10;
/// How long a bootstrap link works.
pub const BOOTSTRAP_SECONDS: i64 = 24 * 3600;

/// Argon2id as OWASP lists it, in the low-memory variant of its equivalent
/// settings (9 MiB, 4 passes, 1 lane) rather than 19 MiB and 2 passes: the
/// same cost to an attacker, and half the memory for every sign-in a
/// server runs at once. Hashes made with other parameters still verify
/// (the parameters are in the hash).
fn argon2() -> Argon2<'static> {
    match argon2::Params::new(9 * 1024, 4, 1, None) {
        Ok(params) => Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params),
        Err(_) => Argon2::default(),
    }
}

/// 32 random bytes, hex.
pub fn random_token() -> Result<String, AppError> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    Ok(hex(&b))
}

/// What the store keeps of a token.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Hashes a password with Argon2id and a random salt, off the async
/// threads.
pub async fn hash_password(password: &str) -> Result<String, AppError> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(AppError::BadRequest(format!(
            "password: use at least {MIN_PASSWORD} characters"
        )));
    }
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::Internal(e.to_string()))?;
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(e.to_string()))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

pub(crate) async fn verify_password(hash: String, password: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// Where a sign-in comes from: its address and browser.
#[derive(Clone, Debug, Default)]
pub struct Client {
    pub ip: String,
    /// The `User-Agent`, at most 200 characters.
    pub agent: String,
}

impl Client {
    pub fn new(ip: &str, agent: &str) -> Client {
        Client {
            ip: ip.to_owned(),
            agent: agent.chars().take(200).collect(),
        }
    }

    pub fn at(ip: &str) -> Client {
        Client::new(ip, "")
    }
}

/// A session just made: the cookie value and the CSRF token.
#[derive(Clone, Debug)]
pub struct NewSession {
    pub token: String,
    pub csrf: String,
    pub expires_at: i64,
}

/// What an unknown email's password is checked against: an Argon2id hash,
/// with the parameters [`hash_password`] uses, of a password nobody knows.
/// A constant rather than one made at start-up, which would cost every
/// start a hash and its memory.
const DUMMY_HASH: &str = "$argon2id$v=19$m=9216,t=4,p=1$+ZpWUkh8T/y32IvG4H1ORQ$3tG9UA9cpovGdqxJXR1YuZdIQPzvcIw/swaMxtG/DRM";

#[derive(Debug)]
pub struct Auth {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) settings: Settings,
}

impl Auth {
    pub(crate) fn new(store: Arc<dyn Store>, settings: Settings) -> Auth {
        Auth { store, settings }
    }

    pub(crate) async fn audit(
        &self,
        actor: Option<&Account>,
        action: &str,
        subject: Option<Id>,
        detail: &str,
        ip: &str,
        now: i64,
    ) -> Result<(), AppError> {
        self.store
            .audit(&AuditEvent::by(actor, now, action, subject, detail, ip))
            .await?;
        Ok(())
    }

    /// Checks an email and password. Every failure looks the same to the
    /// caller, and costs the same time.
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        client: &Client,
        now: i64,
    ) -> Result<(Account, NewSession), AppError> {
        let email = email.trim().to_lowercase();
        let ip = client.ip.as_str();
        let rules = &self.settings.sign_in;
        if rules.sso_only
            && !rules
                .break_glass
                .iter()
                .any(|b| b.eq_ignore_ascii_case(&email))
        {
            return Err(AppError::BadRequest(
                "this organisation signs in through single sign-on: use the single sign-on button"
                    .to_owned(),
            ));
        }
        let account = self.store.account_by_email(&email).await?;
        let usual = match &account {
            Some(a) => self.store.known_address(a.id, ip, now - USUAL_FOR).await?,
            None => false,
        };
        let since = now - WINDOW;
        let ip_key = format!("ip:{ip}");
        if !usual && self.store.failures_since(&ip_key, since).await? >= MAX_ADDRESS_FAILURES {
            self.audit(None, "login.throttled", None, &email, ip, now)
                .await?;
            return Err(AppError::TooMany(WINDOW));
        }
        // The owner's usual address keeps its own count, so failures from
        // elsewhere never hold them up.
        let account_key = if usual {
            format!("account:{email}@{ip}")
        } else {
            format!("account:{email}")
        };
        let wait = wait_after(self.store.failures_since(&account_key, since).await?);
        if wait > 0
            && let Some(last) = self.store.last_failure(&account_key, since).await?
            && last + wait > now
        {
            self.audit(None, "login.throttled", None, &email, ip, now)
                .await?;
            return Err(AppError::TooMany(last + wait - now));
        }
        let hash = account
            .as_ref()
            .and_then(|a| a.password_hash.clone())
            .unwrap_or_else(|| DUMMY_HASH.to_owned());
        let ok = verify_password(hash, password.to_owned()).await;
        match account {
            Some(a) if ok && a.password_hash.is_some() => {
                self.refuse_inactive(&a, "password", ip, now).await?;
                self.store.clear_failures(&account_key).await?;
                self.store.remember_address(a.id, ip, now).await?;
                let s = self.start_session(a.id, client, now).await?;
                self.audit(Some(&a), "login", None, "password", ip, now)
                    .await?;
                Ok((a, s))
            }
            _ => {
                self.store.record_failure(&account_key, now).await?;
                self.store.record_failure(&ip_key, now).await?;
                self.audit(None, "login.failed", None, &email, ip, now)
                    .await?;
                Err(AppError::BadRequest(
                    "that email and password do not match an account".to_owned(),
                ))
            }
        }
    }

    /// Refuses to sign in a deactivated account, or the account of a
    /// person who is no longer active, with an audit entry.
    async fn refuse_inactive(
        &self,
        a: &Account,
        how: &str,
        ip: &str,
        now: i64,
    ) -> Result<(), AppError> {
        let person_left = self
            .store
            .person_by_email(&a.email)
            .await?
            .is_some_and(|p| !p.record.active);
        if a.active() && !person_left {
            return Ok(());
        }
        self.audit(Some(a), "login.refused_inactive", None, how, ip, now)
            .await?;
        Err(AppError::BadRequest(
            "this account is deactivated; if you still work here, ask your people team or an admin to reactivate it"
                .to_owned(),
        ))
    }

    /// Keeps a single sign-on in flight, for whichever node the provider
    /// sends the browser back to.
    pub async fn begin_sso(&self, started: &crate::sso::Started, now: i64) -> Result<(), AppError> {
        self.store
            .create_oidc_flow(&OidcFlow {
                state: started.state.clone(),
                nonce: started.nonce.clone(),
                verifier: started.verifier.clone(),
                created_at: now,
            })
            .await?;
        Ok(())
    }

    /// Takes the flow a callback names: once, and only while fresh.
    pub async fn take_sso(&self, state: &str, now: i64) -> Result<Option<OidcFlow>, AppError> {
        Ok(self
            .store
            .take_oidc_flow(state, now - crate::sso::FLOW_SECONDS)
            .await?)
    }

    /// Signs in someone their identity provider vouched for. The verified
    /// email picks the account; with no account yet, an active person with
    /// that email gets a member account (people are imported from HR, so
    /// an admin need not make one for everyone).
    pub async fn sso_login(
        &self,
        who: &crate::sso::Identity,
        client: &Client,
        now: i64,
    ) -> Result<(Account, NewSession), AppError> {
        let ip = client.ip.as_str();
        let account = match self.store.account_by_email(&who.email).await? {
            Some(a) => a,
            None => {
                let person = self
                    .store
                    .person_by_email(&who.email)
                    .await?
                    .filter(|p| p.record.active);
                let Some(person) = person else {
                    self.audit(None, "login.sso_refused", None, &who.email, ip, now)
                        .await?;
                    return Err(AppError::BadRequest(format!(
                        "{} is not in Ladder's people directory; ask your people team to add you, or an admin to make you an account",
                        who.email
                    )));
                };
                let name = who.name.clone().unwrap_or(person.record.name.clone());
                let record = new_account_record(
                    &who.email,
                    "account.create",
                    "from single sign-on",
                    ip,
                    now,
                );
                let id = self
                    .create_account(&who.email, &name, None, Roles::default(), now, &record)
                    .await?;
                self.store
                    .account(id)
                    .await?
                    .ok_or_else(|| AppError::Internal("the new account vanished".to_owned()))?
            }
        };
        self.refuse_inactive(&account, "sso", ip, now).await?;
        self.store.remember_address(account.id, ip, now).await?;
        let s = self.start_session(account.id, client, now).await?;
        self.audit(Some(&account), "login", None, "sso", ip, now)
            .await?;
        Ok((account, s))
    }

    /// A fresh session for an account: always a new token (the id rotates
    /// at every login).
    pub async fn start_session(
        &self,
        account: Id,
        client: &Client,
        now: i64,
    ) -> Result<NewSession, AppError> {
        let token = random_token()?;
        let csrf = random_token()?;
        let expires_at = now + self.settings.session_seconds;
        self.store
            .create_session(&Session {
                token_hash: token_hash(&token),
                account_id: account,
                csrf: csrf.clone(),
                created_at: now,
                expires_at,
                ip: client.ip.clone(),
                agent: client.agent.clone(),
            })
            .await?;
        Ok(NewSession {
            token,
            csrf,
            expires_at,
        })
    }

    /// The session behind a cookie token, if it is live, with its account
    /// and the account's person: one store query.
    pub async fn session(&self, token: &str, now: i64) -> Result<Option<SessionView>, AppError> {
        Ok(self.store.session(&token_hash(token), now).await?)
    }

    /// Drops expired sessions and login failures too old to count; returns
    /// how many sessions went.
    pub(crate) async fn sweep(&self, now: i64) -> Result<u64, AppError> {
        self.store.delete_failures_before(now - WINDOW).await?;
        Ok(self.store.delete_expired_sessions(now).await?)
    }

    pub async fn logout(&self, token: &str) -> Result<(), AppError> {
        self.store.delete_session(&token_hash(token)).await?;
        Ok(())
    }

    /// The account behind an API token, if the token has not expired and
    /// the account is active.
    pub async fn token_account(&self, token: &str, now: i64) -> Result<Option<Account>, AppError> {
        Ok(self.store.token_account(&token_hash(token), now).await?)
    }

    /// Makes an API token for an account, working for `days` (the
    /// configured default when `None`); the token is shown once.
    pub async fn create_api_token(
        &self,
        account: &Account,
        name: &str,
        days: Option<i64>,
        ip: &str,
        now: i64,
    ) -> Result<(String, i64), AppError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AppError::BadRequest(
                "name: give the token a name of up to 100 characters, to know it again in your list"
                    .to_owned(),
            ));
        }
        let days = days.unwrap_or(self.settings.sign_in.token_days);
        if !(1..=366).contains(&days) {
            return Err(AppError::BadRequest(
                "expires_in_days: a token works from 1 to 366 days".to_owned(),
            ));
        }
        let token = format!("ladder_{}", random_token()?);
        let expires_at = now + days * 24 * 3600;
        let record = Record::new(AuditEvent::by(
            Some(account),
            now,
            "token.create",
            None,
            name,
            ip,
        ))
        .data(serde_json::json!({ "expires_at": expires_at }));
        self.store
            .add_api_token(
                account.id,
                name,
                &token_hash(&token),
                Some(expires_at),
                now,
                &record,
            )
            .await?;
        Ok((token, expires_at))
    }

    /// A one-time link token to create the first admin, if there are no
    /// accounts yet.
    pub async fn bootstrap_token(&self, now: i64) -> Result<Option<String>, AppError> {
        if self.store.count_accounts().await? > 0 {
            return Ok(None);
        }
        let token = random_token()?;
        self.store
            .create_bootstrap(&token_hash(&token), now)
            .await?;
        Ok(Some(token))
    }

    pub async fn has_accounts(&self) -> Result<bool, AppError> {
        Ok(self.store.count_accounts().await? > 0)
    }

    /// Uses a bootstrap link to create the first admin and sign them in.
    pub async fn complete_bootstrap(
        &self,
        token: &str,
        email: &str,
        name: &str,
        password: &str,
        ip: &str,
        now: i64,
    ) -> Result<(Account, NewSession), AppError> {
        let hash = hash_password(password).await?;
        if self.store.count_accounts().await? > 0
            || !self
                .store
                .take_bootstrap(&token_hash(token), now - BOOTSTRAP_SECONDS)
                .await?
        {
            return Err(AppError::BadRequest(
                "this setup link has been used or has expired; restart `ladder serve` for a new one, or use `ladder admin create-user`"
                    .to_owned(),
            ));
        }
        let roles = Roles {
            admin: true,
            people_team: true,
            editor: true,
        };
        let record = new_account_record(email, "setup.first_admin", email, ip, now);
        let id = self
            .create_account(email, name, Some(&hash), roles, now, &record)
            .await?;
        let account = self
            .store
            .account(id)
            .await?
            .ok_or_else(|| AppError::Internal("the new account vanished".to_owned()))?;
        let s = self.start_session(id, &Client::at(ip), now).await?;
        Ok((account, s))
    }

    /// Creates an account: see [`create_account`].
    pub(crate) async fn create_account(
        &self,
        email: &str,
        name: &str,
        hash: Option<&str>,
        roles: Roles,
        now: i64,
        rec: &Record,
    ) -> Result<Id, AppError> {
        create_account(self.store.as_ref(), email, name, hash, roles, now, rec).await
    }
}

/// Creates an account, checked (an email address, a name) and recorded
/// by `rec` in the same transaction. `hash` is an Argon2id hash from
/// [`hash_password`]. Every door that makes accounts calls this: the
/// admin's page, the first-admin setup, single sign-on and
/// `ladder admin create-user`.
pub async fn create_account(
    store: &dyn Store,
    email: &str,
    name: &str,
    hash: Option<&str>,
    roles: Roles,
    now: i64,
    rec: &Record,
) -> Result<Id, AppError> {
    let email = email.trim().to_lowercase();
    if !email.contains('@') || email.contains(char::is_whitespace) {
        return Err(AppError::BadRequest(format!(
            "email: `{email}` is not an email address"
        )));
    }
    if name.trim().is_empty() {
        return Err(AppError::BadRequest("name: a name is required".to_owned()));
    }
    match store
        .create_account(&email, name.trim(), hash, roles, now, rec)
        .await
    {
        Err(StoreError::Conflict(_)) => Err(AppError::BadRequest(format!(
            "email: there is already an account for {email}"
        ))),
        other => Ok(other?),
    }
}

/// The record of an account made by no signed-in account (the first
/// admin, single sign-on): its actor is the new account's email.
fn new_account_record(email: &str, action: &str, detail: &str, ip: &str, now: i64) -> Record {
    let mut audit = AuditEvent::by(None, now, action, None, detail, ip);
    audit.actor = email.trim().to_lowercase();
    Record::new(audit)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// The dummy costs what a real hash costs: same algorithm, same
    /// parameters as `hash_password`.
    #[tokio::test]
    async fn the_dummy_hash_has_the_parameters_real_hashes_have() {
        let real = hash_password("a password of ours").await.unwrap();
        let real = PasswordHash::new(&real).unwrap();
        let dummy = PasswordHash::new(DUMMY_HASH).unwrap();
        assert_eq!(dummy.algorithm, real.algorithm);
        assert_eq!(dummy.version, real.version);
        assert_eq!(dummy.params, real.params);
        assert!(!verify_password(DUMMY_HASH.to_owned(), "a password of ours".to_owned()).await);
    }
}
