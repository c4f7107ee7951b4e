//! What people do to their own account: change the password, list and end
//! sessions and tokens, reset a forgotten password by email. (An admin's
//! deactivation is on the `Admin` capability, beside roles.) Each write is
//! one store transaction with its audit entry and event.

use crate::access::{Access, Viewer};
use crate::auth::{Auth, Client, MIN_PASSWORD, hash_password, random_token, token_hash};
use crate::notify::render::Rendered;
use crate::{AppError, AppState};
use ladder_store::{Account, ApiToken, AuditEvent, Id, Record, ResetOutcome, Session, StoreError};

/// How long an emailed reset link works.
pub const RESET_SECONDS: i64 = 3600;
/// Reset emails an address may ask for in an hour; more are ignored
/// quietly, so nobody can fill a mailbox.
pub const RESETS_PER_HOUR: i64 = 5;

/// Checks a new password and its repetition; the error names the field.
fn new_password(new: &str, confirm: &str) -> Result<(), AppError> {
    if new.chars().count() < MIN_PASSWORD {
        return Err(AppError::BadRequest(format!(
            "new_password: use at least {MIN_PASSWORD} characters"
        )));
    }
    if new != confirm {
        return Err(AppError::BadRequest(
            "confirm: the two new passwords differ; type the same one twice".to_owned(),
        ));
    }
    Ok(())
}

fn not_found_as(e: StoreError, what: &str) -> AppError {
    match e {
        StoreError::NotFound(_) => AppError::BadRequest(format!("{what} is not one of yours")),
        other => other.into(),
    }
}

impl Auth {
    /// Changes the viewer's password, given the current one. Every other
    /// session of the account ends; this one stays.
    pub async fn change_password(
        &self,
        v: &Viewer,
        current: &str,
        new: &str,
        confirm: &str,
        now: i64,
    ) -> Result<(), AppError> {
        let Some(hash) = v.account.password_hash.clone() else {
            return Err(AppError::BadRequest(
                "current_password: this account signs in through single sign-on and has no password to change".to_owned(),
            ));
        };
        if !crate::auth::verify_password(hash, current.to_owned()).await {
            self.audit(
                Some(&v.account),
                "password.change_refused",
                None,
                "",
                &v.ip,
                now,
            )
            .await?;
            return Err(AppError::BadRequest(
                "current_password: that is not your current password".to_owned(),
            ));
        }
        new_password(new, confirm)?;
        let hash = hash_password(new).await?;
        self.store
            .change_password(
                v.account.id,
                &hash,
                v.session_token().map(token_hash).as_deref(),
                &Access::record(v, "password.change", None, "", now),
            )
            .await?;
        Ok(())
    }

    /// The viewer's live sessions, newest first, with the hash of the one
    /// they are using.
    pub async fn my_sessions(
        &self,
        v: &Viewer,
        now: i64,
    ) -> Result<(Vec<Session>, Option<String>), AppError> {
        Ok((
            self.store.account_sessions(v.account.id, now).await?,
            v.session_token().map(token_hash),
        ))
    }

    pub async fn my_tokens(&self, v: &Viewer) -> Result<Vec<ApiToken>, AppError> {
        Ok(self.store.account_tokens(v.account.id).await?)
    }

    /// Ends one of the viewer's sessions, named by its hash.
    pub async fn end_my_session(&self, v: &Viewer, hash: &str, now: i64) -> Result<(), AppError> {
        self.store
            .end_session(
                v.account.id,
                hash,
                &Access::record(v, "session.end", None, "", now),
            )
            .await
            .map_err(|e| not_found_as(e, "that session"))
    }

    /// Signs the viewer out everywhere: every session, this one too, and
    /// every API token.
    pub async fn sign_out_everywhere(&self, v: &Viewer, now: i64) -> Result<(u64, u64), AppError> {
        let rec = Access::record(v, "session.end_all", None, "every session and token", now);
        Ok(self
            .store
            .end_sessions(v.account.id, None, true, &rec)
            .await?)
    }

    pub async fn revoke_my_token(&self, v: &Viewer, id: Id, now: i64) -> Result<(), AppError> {
        self.store
            .revoke_api_token(
                v.account.id,
                id,
                &Access::record(v, "token.revoke", None, "", now),
            )
            .await
            .map_err(|e| not_found_as(e, "that token"))
    }

    /// Emails a reset link to `email` if it is an active account's. The
    /// answer is the same whether or not it is, and the email goes out in
    /// the background, so the time taken says nothing either.
    pub async fn request_reset(
        &self,
        state: &AppState,
        email: &str,
        client: &Client,
        now: i64,
    ) -> Result<(), AppError> {
        let email = email.trim().to_lowercase();
        if !email.contains('@') {
            return Err(AppError::BadRequest(
                "email: type the email address you sign in with".to_owned(),
            ));
        }
        let key = format!("reset:{email}");
        let asked = self.store.failures_since(&key, now - 3600).await?;
        self.store.record_failure(&key, now).await?;
        let account = self.store.account_by_email(&email).await?;
        let Some(account) = account.filter(Account::active) else {
            self.audit(
                None,
                "password.reset_unknown",
                None,
                &email,
                &client.ip,
                now,
            )
            .await?;
            return Ok(());
        };
        if asked >= RESETS_PER_HOUR {
            self.audit(
                Some(&account),
                "password.reset_throttled",
                None,
                "",
                &client.ip,
                now,
            )
            .await?;
            return Ok(());
        }
        let token = random_token()?;
        let audit = AuditEvent::by(
            Some(&account),
            now,
            "password.reset_sent",
            None,
            "",
            &client.ip,
        );
        self.store
            .create_password_reset(
                account.id,
                &token_hash(&token),
                now,
                now + RESET_SECONDS,
                &Record::new(audit),
            )
            .await?;
        let base = state.settings().notify.public_url.trim_end_matches('/');
        let link = format!("{base}/password/reset/{token}");
        let mail = reset_email(&account.name, &link);
        let sender = state.clone();
        let to = account.email.clone();
        tokio::spawn(async move {
            let key = format!("password-reset-{now}-{to}");
            if let Err(e) = sender.sender().email(&to, &mail, &key).await {
                tracing::warn!(error = %e.message, "the password reset email was not sent");
            }
        });
        Ok(())
    }

    /// Whether a reset link still works (for the page that asks for the
    /// new password).
    pub async fn reset_link_works(&self, token: &str, now: i64) -> Result<bool, AppError> {
        Ok(self
            .store
            .password_reset_valid(&token_hash(token), now)
            .await?)
    }

    /// Uses a reset link: sets the password, ends every session and token
    /// of the account.
    pub async fn reset_password(
        &self,
        token: &str,
        new: &str,
        confirm: &str,
        client: &Client,
        now: i64,
    ) -> Result<(), AppError> {
        new_password(new, confirm)?;
        let hash = hash_password(new).await?;
        let rec = Record::new(AuditEvent::by(
            None,
            now,
            "password.reset",
            None,
            "by an emailed link",
            &client.ip,
        ));
        match self
            .store
            .reset_password(&token_hash(token), &hash, now, &rec)
            .await?
        {
            ResetOutcome::Done(_) => Ok(()),
            ResetOutcome::Invalid => Err(AppError::BadRequest(
                "this reset link has expired or has been used; ask for a new one".to_owned(),
            )),
        }
    }
}

fn reset_email(name: &str, link: &str) -> Rendered {
    let lines = [
        format!("Hello {name},"),
        "Someone, probably you, asked to reset your Ladder password. The link below works once, for an hour.".to_owned(),
        "If it was not you, ignore this email: your password stays as it is.".to_owned(),
    ];
    let esc = ladder_site::escape;
    Rendered {
        subject: "Reset your Ladder password".to_owned(),
        text: format!("{}\n\nSet a new password: {link}\n", lines.join("\n\n")),
        html: format!(
            "<!doctype html><html lang=\"en\"><body>{}<p><a href=\"{}\">Set a new password</a></p></body></html>",
            lines
                .iter()
                .map(|l| format!("<p>{}</p>", esc(l)))
                .collect::<String>(),
            esc(link)
        ),
        link: link.to_owned(),
    }
}
