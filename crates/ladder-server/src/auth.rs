//! Accounts, passwords, sessions, API tokens, throttling and the first-admin
//! bootstrap. The only module besides [`crate::access`] that holds the
//! store, and it touches account data only.
//!
//! - Passwords are Argon2id, hashed and verified on the blocking pool.
//! - An unknown email is verified against a dummy hash, so it costs the
//!   same time as a wrong password.
//! - Failed logins are counted in the store per account and per address
//!   (so every node sees them) and refused for a while past a limit.
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
/// Failed logins per account, and per address, within [`WINDOW`], before
/// logins are refused.
pub const MAX_ACCOUNT_FAILURES: i64 = 5;
pub const MAX_ADDRESS_FAILURES: i64 = 30;
pub const WINDOW: i64 = 15 * 60;
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

async fn verify_password(hash: String, password: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
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
    store: Arc<dyn Store>,
    settings: Settings,
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
        ip: &str,
        now: i64,
    ) -> Result<(Account, NewSession), AppError> {
        let email = email.trim().to_lowercase();
        let account_key = format!("account:{email}");
        let ip_key = format!("ip:{ip}");
        let since = now - WINDOW;
        if self.store.failures_since(&account_key, since).await? >= MAX_ACCOUNT_FAILURES
            || self.store.failures_since(&ip_key, since).await? >= MAX_ADDRESS_FAILURES
        {
            self.audit(None, "login.throttled", None, &email, ip, now)
                .await?;
            return Err(AppError::TooMany(WINDOW / 60));
        }
        let account = self.store.account_by_email(&email).await?;
        let hash = account
            .as_ref()
            .and_then(|a| a.password_hash.clone())
            .unwrap_or_else(|| DUMMY_HASH.to_owned());
        let ok = verify_password(hash, password.to_owned()).await;
        match account {
            Some(a) if ok && a.password_hash.is_some() => {
                self.store.clear_failures(&account_key).await?;
                let s = self.start_session(a.id, now).await?;
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
        ip: &str,
        now: i64,
    ) -> Result<(Account, NewSession), AppError> {
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
        let s = self.start_session(account.id, now).await?;
        self.audit(Some(&account), "login", None, "sso", ip, now)
            .await?;
        Ok((account, s))
    }

    /// A fresh session for an account: always a new token (the id rotates
    /// at every login).
    pub async fn start_session(&self, account: Id, now: i64) -> Result<NewSession, AppError> {
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

    /// The account behind an API token.
    pub async fn token_account(&self, token: &str) -> Result<Option<Account>, AppError> {
        let Some(t) = self.store.api_token(&token_hash(token)).await? else {
            return Ok(None);
        };
        Ok(self.store.account(t.account_id).await?)
    }

    /// Makes an API token for an account; the token is shown once.
    pub async fn create_api_token(
        &self,
        account: &Account,
        name: &str,
        ip: &str,
        now: i64,
    ) -> Result<String, AppError> {
        let token = format!("ladder_{}", random_token()?);
        let record = Record::new(AuditEvent::by(
            Some(account),
            now,
            "token.create",
            None,
            name,
            ip,
        ));
        self.store
            .create_api_token(account.id, name, &token_hash(&token), now, &record)
            .await?;
        Ok(token)
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
        let s = self.start_session(id, now).await?;
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
