//! [`AccountStore`] for both backends, and what a person's leaving does
//! to their account in the transaction that records it.

use super::store::{account_row, bump_org, commit, from_row};
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

/// What an erased person is called from then on.
const FORMER: &str = "A former employee";

/// Runs `sql` with `person` as `$1`.
async fn by_person(tx: &mut Tx<'_>, sql: &str, person: Id) -> Result<(), sqlx::Error> {
    sqlx::query(sql).bind(person).execute(&mut **tx).await?;
    Ok(())
}

#[async_trait]
impl AccountStore for This {
    async fn erase_person(&self, person: Id, rec: &Record) -> Result<()> {
        use sqlx::Row as _;
        let mut tx = self.begin_write().await?;
        let p = sqlx::query("SELECT email, name, active FROM people WHERE id = $1")
            .bind(person)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("person {person}")))?;
        let email: String = p.try_get("email")?;
        let name: String = p.try_get("name")?;
        if p.try_get::<bool, _>("active")? {
            return Err(StoreError::Refused(
                "only someone who has left can be erased: mark them as leaving first".to_owned(),
            ));
        }
        let email = email.to_lowercase();
        // Every string that names them: taken out of what stays.
        let mut names = vec![name, email.clone()];
        if let Some(r) = sqlx::query(
            "SELECT external_id, user_name, employee_number FROM scim_users WHERE person_id = $1",
        )
        .bind(person)
        .fetch_optional(&mut *tx)
        .await?
        {
            for col in ["external_id", "user_name", "employee_number"] {
                if let Some(v) = r.try_get::<Option<String>, _>(col)? {
                    names.push(v);
                }
            }
        }
        let account = sqlx::query("SELECT id, name FROM accounts WHERE email = $1")
            .bind(&email)
            .fetch_optional(&mut *tx)
            .await?;
        let account_id: Option<Id> = match &account {
            Some(a) => {
                names.push(a.try_get("name")?);
                Some(a.try_get("id")?)
            }
            None => None,
        };
        // Longest first, so that a name inside an email goes with it; and
        // never a string so short it would blank unrelated text.
        names.retain(|n| n.chars().count() >= 3);
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        names.dedup();
        let gone = format!("erased-person-{person}@erased.invalid");

        sqlx::query("INSERT INTO audit_unlock (reason) VALUES ('erasure')")
            .execute(&mut *tx)
            .await?;
        if let Some(a) = account_id {
            sqlx::query("UPDATE audit_log SET actor = $1, ip = '' WHERE actor_id = $2")
                .bind(FORMER)
                .bind(a)
                .execute(&mut *tx)
                .await?;
        }
        for n in &names {
            for sql in [
                "UPDATE audit_log SET actor = $2 WHERE actor = $1",
                "UPDATE audit_log SET detail = REPLACE(detail, $1, $2) \
                 WHERE detail <> REPLACE(detail, $1, $2)",
                "UPDATE events SET data = REPLACE(data, $1, $2) WHERE data <> REPLACE(data, $1, $2)",
                "UPDATE messages SET data = REPLACE(data, $1, $2) \
                 WHERE data <> REPLACE(data, $1, $2)",
            ] {
                sqlx::query(sql)
                    .bind(n)
                    .bind(FORMER)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        sqlx::query("DELETE FROM audit_unlock")
            .execute(&mut *tx)
            .await?;

        if let Some(a) = account_id {
            end_all(&mut tx, a).await?;
            for sql in [
                "DELETE FROM password_resets WHERE account_id = $1",
                "DELETE FROM sign_in_addresses WHERE account_id = $1",
            ] {
                sqlx::query(sql).bind(a).execute(&mut *tx).await?;
            }
            sqlx::query(
                "UPDATE accounts SET email = $1, name = $2, password_hash = NULL, roles = '', \
                 deactivated_at = COALESCE(deactivated_at, $3) WHERE id = $4",
            )
            .bind(&gone)
            .bind(FORMER)
            .bind(rec.audit.at)
            .bind(a)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("DELETE FROM login_failures WHERE key = $1")
            .bind(&email)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM messages WHERE person_id = $1 OR address = $2")
            .bind(person)
            .bind(&email)
            .execute(&mut *tx)
            .await?;
        for sql in [
            "DELETE FROM scim_users WHERE person_id = $1",
            "DELETE FROM rating_history WHERE person_id = $1",
            "DELETE FROM ratings WHERE person_id = $1",
            "DELETE FROM worksheet_seen WHERE person_id = $1",
            "DELETE FROM focus_areas WHERE checkpoint_id IN \
             (SELECT id FROM checkpoints WHERE person_id = $1)",
            "DELETE FROM checkpoints WHERE person_id = $1",
            "DELETE FROM private_notes WHERE author_id = $1",
            "DELETE FROM salaries WHERE person_id = $1",
            "DELETE FROM notification_prefs WHERE person_id = $1",
            "DELETE FROM calendar_tokens WHERE person_id = $1",
            "DELETE FROM feedback_snapshots WHERE person_id = $1",
            "DELETE FROM answers WHERE person_id = $1",
            "UPDATE proposals SET case_text = '', evidence = '{}', override_reason = NULL \
             WHERE person_id = $1",
            "UPDATE internships SET goals = '', activities = '', outcome = '', \
             manager_comment = '', host_comment = '' WHERE person_id = $1",
            "DELETE FROM internship_log WHERE author_id = $1 AND internship_id IN \
             (SELECT id FROM internships WHERE person_id = $1)",
        ] {
            by_person(&mut tx, sql, person).await?;
        }
        sqlx::query(
            "UPDATE people SET email = $1, name = $2, department = '', location = '', \
             start_date = NULL WHERE id = $3",
        )
        .bind(&gone)
        .bind(FORMER)
        .bind(person)
        .execute(&mut *tx)
        .await?;
        bump_org(&mut tx).await?;
        commit(self, tx, rec, None).await?;
        Ok(())
    }

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
