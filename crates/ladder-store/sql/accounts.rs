//! [`AccountStore`] for both backends, and what a person's leaving does
//! to their account in the transaction that records it.

use super::store::{account_row, commit, from_row};
use super::{Db, This};
use ladder_store::{
    Account, AccountStore, ApiToken, Id, Record, ResetOutcome, Result, Session, StoreError,
    async_trait,
};

type Tx<'a> = sqlx::Transaction<'a, Db>;

/// Deletes every session and API token of an account.
async fn end_all(tx: &mut Tx<'_>, account: Id) -> Result<(u64, u64), sqlx::Error> {
    let s = sqlx::query("DELETE FROM sessions WHERE account_id = $1")
        .bind(account)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    let t = sqlx::query("DELETE FROM api_tokens WHERE account_id = $1")
        .bind(account)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok((s, t))
}

/// A person left (was made inactive): their account, if they have one, is
/// deactivated with every session and token gone, and every 360 request
/// still unanswered in a cycle that is not closed is withdrawn, both the
/// ones they were asked to answer and the ones about them.
pub(super) async fn leave(
    tx: &mut Tx<'_>,
    person: Id,
    email: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    use sqlx::Row as _;
    let account = sqlx::query("SELECT id FROM accounts WHERE email = $1")
        .bind(email.to_lowercase())
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(a) = account {
        let id: Id = a.try_get("id")?;
        sqlx::query(
            "UPDATE accounts SET deactivated_at = $1 WHERE id = $2 AND deactivated_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
        end_all(tx, id).await?;
    }
    sqlx::query(
        "DELETE FROM nominations WHERE (respondent_id = $1 OR person_id = $1) \
         AND answered_on IS NULL \
         AND cycle_id IN (SELECT id FROM cycles WHERE state <> 'closed')",
    )
    .bind(person)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A person came back (made active again): their account is active again,
/// with no session: they sign in afresh.
pub(super) async fn come_back(tx: &mut Tx<'_>, email: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE accounts SET deactivated_at = NULL WHERE email = $1")
        .bind(email.to_lowercase())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[async_trait]
impl AccountStore for This {
    async fn set_account_active(&self, id: Id, active: bool, now: i64, rec: &Record) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let changed = if active {
            sqlx::query(
                "UPDATE accounts SET deactivated_at = NULL \
                 WHERE id = $1 AND deactivated_at IS NOT NULL",
            )
            .bind(id)
        } else {
            sqlx::query(
                "UPDATE accounts SET deactivated_at = $2 WHERE id = $1 AND deactivated_at IS NULL",
            )
            .bind(id)
            .bind(now)
        }
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            let exists = sqlx::query("SELECT id FROM accounts WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .is_some();
            return Err(if exists {
                StoreError::Refused(format!(
                    "the account is already {}",
                    if active { "active" } else { "deactivated" }
                ))
            } else {
                StoreError::NotFound(format!("account {id}"))
            });
        }
        if !active {
            end_all(&mut tx, id).await?;
        }
        commit(self, tx, rec, None).await?;
        Ok(())
    }

    async fn account_sessions(&self, account: Id, now: i64) -> Result<Vec<Session>> {
        let rows = sqlx::query(
            "SELECT * FROM sessions WHERE account_id = $1 AND expires_at > $2 \
             ORDER BY created_at DESC, token_hash",
        )
        .bind(account)
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(from_row::<Session>)
            .collect::<Result<_, _>>()?)
    }

    async fn end_session(&self, account: Id, token_hash: &str, rec: &Record) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND token_hash = $2")
            .bind(account)
            .bind(token_hash)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound("that session".to_owned()));
        }
        commit(self, tx, rec, None).await?;
        Ok(())
    }

    async fn end_sessions(
        &self,
        account: Id,
        keep: Option<&str>,
        tokens: bool,
        rec: &Record,
    ) -> Result<(u64, u64)> {
        let mut tx = self.begin_write().await?;
        let s = sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2")
            .bind(account)
            .bind(keep.unwrap_or(""))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let t = if tokens {
            sqlx::query("DELETE FROM api_tokens WHERE account_id = $1")
                .bind(account)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        } else {
            0
        };
        commit(self, tx, rec, None).await?;
        Ok((s, t))
    }

    async fn add_api_token(
        &self,
        account: Id,
        name: &str,
        token_hash: &str,
        expires_at: Option<i64>,
        now: i64,
        rec: &Record,
    ) -> Result<Id> {
        use sqlx::Row as _;
        let mut tx = self.begin_write().await?;
        let r = sqlx::query(
            "INSERT INTO api_tokens (account_id, name, token_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(account)
        .bind(name)
        .bind(token_hash)
        .bind(now)
        .bind(expires_at)
        .fetch_one(&mut *tx)
        .await?;
        let id = r.try_get("id")?;
        commit(self, tx, rec, Some(id)).await?;
        Ok(id)
    }

    async fn token_account(&self, token_hash: &str, now: i64) -> Result<Option<Account>> {
        use sqlx::Row as _;
        let r = sqlx::query(
            "SELECT a.id, a.email, a.name, a.password_hash, a.roles, a.created_at, \
             a.deactivated_at, t.id AS token_id, t.last_used_at \
             FROM api_tokens t JOIN accounts a ON a.id = t.account_id \
             WHERE t.token_hash = $1 AND (t.expires_at IS NULL OR t.expires_at > $2) \
             AND a.deactivated_at IS NULL",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = r else { return Ok(None) };
        let last: Option<i64> = r.try_get("last_used_at")?;
        if last.is_none_or(|l| now - l >= 60) {
            let token: Id = r.try_get("token_id")?;
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(token)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(account_row(&r)?))
    }

    async fn account_tokens(&self, account: Id) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query(
            "SELECT * FROM api_tokens WHERE account_id = $1 ORDER BY created_at DESC, id DESC",
        )
        .bind(account)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(from_row::<ApiToken>)
            .collect::<Result<_, _>>()?)
    }

    async fn revoke_api_token(&self, account: Id, id: Id, rec: &Record) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query("DELETE FROM api_tokens WHERE account_id = $1 AND id = $2")
            .bind(account)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("token {id}")));
        }
        commit(self, tx, rec, Some(id)).await?;
        Ok(())
    }

    async fn change_password(
        &self,
        account: Id,
        hash: &str,
        keep: Option<&str>,
        rec: &Record,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(account)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("account {account}")));
        }
        sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2")
            .bind(account)
            .bind(keep.unwrap_or(""))
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM password_resets WHERE account_id = $1")
            .bind(account)
            .execute(&mut *tx)
            .await?;
        commit(self, tx, rec, None).await?;
        Ok(())
    }

    async fn create_password_reset(
        &self,
        account: Id,
        token_hash: &str,
        now: i64,
        expires_at: i64,
        rec: &Record,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM password_resets WHERE account_id = $1 OR expires_at <= $2")
            .bind(account)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO password_resets (token_hash, account_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(account)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        commit(self, tx, rec, None).await?;
        Ok(())
    }

    async fn password_reset_valid(&self, token_hash: &str, now: i64) -> Result<bool> {
        Ok(sqlx::query(
            "SELECT r.token_hash FROM password_resets r JOIN accounts a ON a.id = r.account_id \
             WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > $2 \
             AND a.deactivated_at IS NULL",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?
        .is_some())
    }

    async fn reset_password(
        &self,
        token_hash: &str,
        hash: &str,
        now: i64,
        rec: &Record,
    ) -> Result<ResetOutcome> {
        use sqlx::Row as _;
        let mut tx = self.begin_write().await?;
        // Marking it used is the check: of two uses at once, one updates
        // the row and the other finds it used.
        let used = sqlx::query(
            "UPDATE password_resets SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL \
             AND expires_at > $1 \
             AND account_id IN (SELECT id FROM accounts WHERE deactivated_at IS NULL) \
             RETURNING account_id",
        )
        .bind(now)
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = used else {
            return Ok(ResetOutcome::Invalid);
        };
        let account: Id = row.try_get("account_id")?;
        sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(account)
            .execute(&mut *tx)
            .await?;
        end_all(&mut tx, account).await?;
        let mut rec = rec.clone();
        rec.audit.actor_id = Some(account);
        commit(self, tx, &rec, None).await?;
        Ok(ResetOutcome::Done(account))
    }

    async fn remember_address(&self, account: Id, ip: &str, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO sign_in_addresses (account_id, ip, last_at) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id, ip) DO UPDATE SET last_at = $3",
        )
        .bind(account)
        .bind(ip)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn known_address(&self, account: Id, ip: &str, since: i64) -> Result<bool> {
        Ok(sqlx::query(
            "SELECT ip FROM sign_in_addresses WHERE account_id = $1 AND ip = $2 AND last_at >= $3",
        )
        .bind(account)
        .bind(ip)
        .bind(since)
        .fetch_optional(&self.pool)
        .await?
        .is_some())
    }

    async fn last_failure(&self, key: &str, since: i64) -> Result<Option<i64>> {
        use sqlx::Row as _;
        let r = sqlx::query("SELECT MAX(at) AS at FROM login_failures WHERE key = $1 AND at >= $2")
            .bind(key)
            .bind(since)
            .fetch_one(&self.pool)
            .await?;
        Ok(r.try_get("at")?)
    }
}
