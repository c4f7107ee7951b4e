//! [`NotifyStore`] for both backends: preferences, webhooks, messages.

use super::store::{all, commit, enum_col, fetch_in, move_cursor, one, rows};
use super::{CLAIM_LOCK, Db, DbRow, TIDIES, This};
use ladder_store::{
    Channel, Delivery, Id, Message, MessageState, NewMessage, NotifyStore, Outcome, Record, Result,
    StoreError, Webhook, async_trait,
};

fn message_row(r: &DbRow) -> Result<Message, sqlx::Error> {
    use sqlx::Row as _;
    Ok(Message {
        id: r.try_get("id")?,
        new: NewMessage {
            key: r.try_get("key")?,
            kind: r.try_get("kind")?,
            channel: enum_col(r, "channel", Channel::parse)?,
            person_id: r.try_get("person_id")?,
            webhook_id: r.try_get("webhook_id")?,
            address: r.try_get("address")?,
            data: r.try_get("data")?,
            state: enum_col(r, "state", MessageState::parse)?,
            due_at: r.try_get("due_at")?,
        },
        created_at: r.try_get("created_at")?,
        attempts: r.try_get("attempts")?,
        lease_until: r.try_get("lease_until")?,
        leased_by: r.try_get("leased_by")?,
        last_error: r.try_get("last_error")?,
        sent_at: r.try_get("sent_at")?,
    })
}

fn webhook_row(r: &DbRow) -> Result<Webhook, sqlx::Error> {
    use sqlx::Row as _;
    let kinds: String = r.try_get("kinds")?;
    let failing: i64 = r.try_get("failing")?;
    Ok(Webhook {
        id: r.try_get("id")?,
        url: r.try_get("url")?,
        kinds: kinds
            .split(',')
            .filter(|k| !k.is_empty())
            .map(str::to_owned)
            .collect(),
        secret: r.try_get("secret")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        failures: r.try_get("failures")?,
        failing: failing != 0,
    })
}

/// Inserts messages; a key made already is skipped.
async fn insert_messages(
    tx: &mut sqlx::Transaction<'_, Db>,
    messages: &[NewMessage],
    now: i64,
) -> Result<u64, sqlx::Error> {
    // In statements of 500 rows: a reminder to everyone in a large
    // organisation is one write of a few seconds, not 100,000 statements
    // holding SQLite's write lock.
    let mut made = 0;
    for chunk in messages.chunks(500) {
        let mut q = sqlx::QueryBuilder::<Db>::new(
            "INSERT INTO messages (key, kind, channel, person_id, webhook_id, address, data, \
             state, created_at, due_at) ",
        );
        q.push_values(chunk, |mut b, m| {
            b.push_bind(&m.key)
                .push_bind(&m.kind)
                .push_bind(m.channel.as_str())
                .push_bind(m.person_id)
                .push_bind(m.webhook_id)
                .push_bind(&m.address)
                .push_bind(&m.data)
                .push_bind(m.state.as_str())
                .push_bind(now)
                .push_bind(m.due_at);
        });
        q.push(" ON CONFLICT (key) DO NOTHING");
        made += q.build().execute(&mut **tx).await?.rows_affected();
    }
    Ok(made)
}

#[async_trait]
impl NotifyStore for This {
    async fn enqueue(
        &self,
        cursor: Option<(&str, Id, Id)>,
        messages: &[NewMessage],
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        if let Some((consumer, from, to)) = cursor
            && from != to
            && !move_cursor(&mut tx, consumer, from, to, now).await?
        {
            return Ok(false);
        }
        insert_messages(&mut tx, messages, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn made_keys(&self, keys: &[String]) -> Result<Vec<String>> {
        use sqlx::Row as _;
        let found = fetch_in(&self.pool, "SELECT key FROM messages WHERE key", keys, "").await?;
        Ok(found
            .iter()
            .map(|r| r.try_get("key"))
            .collect::<Result<_, _>>()?)
    }

    async fn claim_messages(
        &self,
        node: &str,
        email: bool,
        now: i64,
        lease: i64,
        limit: i64,
    ) -> Result<Vec<Message>> {
        let mut tx = self.begin_write().await?;
        // PostgreSQL: rows another node is claiming are skipped, not
        // waited for. SQLite: the write transaction is the lock.
        // Without email, the other channels are named: an index seeks
        // them, where `channel <> 'email'` walked every pending email.
        let named: Vec<&str> = if email {
            Vec::new()
        } else {
            Channel::ALL
                .iter()
                .filter(|c| **c != Channel::Email)
                .map(|c| c.as_str())
                .collect()
        };
        let only = if named.is_empty() {
            String::new()
        } else {
            let marks: Vec<String> = (3..3 + named.len()).map(|i| format!("${i}")).collect();
            format!(" AND channel IN ({})", marks.join(", "))
        };
        let sql = format!(
            "SELECT id FROM messages WHERE state = 'pending' AND due_at <= $1 \
             AND (lease_until IS NULL OR lease_until <= $1){only} ORDER BY due_at, id LIMIT $2{CLAIM_LOCK}"
        );
        let mut q = sqlx::query_scalar(&sql).bind(now).bind(limit);
        for c in named {
            q = q.bind(c);
        }
        let ids: Vec<Id> = q.fetch_all(&mut *tx).await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let r = sqlx::query(
                "UPDATE messages SET lease_until = $1, leased_by = $2, attempts = attempts + 1 \
                 WHERE id = $3 RETURNING *",
            )
            .bind(now + lease)
            .bind(node)
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            out.push(message_row(&r)?);
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn finish_message(
        &self,
        id: Id,
        node: &str,
        outcome: &Outcome,
        failing_after: i64,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let (state, error, due, sent) = match outcome {
            Outcome::Sent => (MessageState::Sent, None, None, Some(now)),
            Outcome::Retry { error, at } => (MessageState::Pending, Some(error), Some(*at), None),
            Outcome::GiveUp { error } => (MessageState::Failed, Some(error), None, None),
        };
        let hook: Option<Option<Id>> = sqlx::query_scalar(
            "UPDATE messages SET state = $1, last_error = COALESCE($2, last_error), \
             due_at = COALESCE($3, due_at), sent_at = $4, lease_until = NULL, leased_by = NULL \
             WHERE id = $5 AND leased_by = $6 RETURNING webhook_id",
        )
        .bind(state.as_str())
        .bind(error)
        .bind(due)
        .bind(sent)
        .bind(id)
        .bind(node)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(Some(hook)) = hook {
            if *outcome == Outcome::Sent {
                sqlx::query("UPDATE webhooks SET failures = 0, failing = 0 WHERE id = $1")
                    .bind(hook)
                    .execute(&mut *tx)
                    .await?;
            } else {
                sqlx::query(
                    "UPDATE webhooks SET failures = failures + 1, \
                     failing = CASE WHEN failures + 1 >= $1 THEN 1 ELSE failing END WHERE id = $2",
                )
                .bind(failing_after)
                .bind(hook)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn messages(&self, before: Option<Id>, limit: i64) -> Result<Vec<Message>> {
        let found = sqlx::query("SELECT * FROM messages WHERE id < $1 ORDER BY id DESC LIMIT $2")
            .bind(before.unwrap_or(Id::MAX))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows(found, message_row)
    }

    async fn message(&self, id: Id) -> Result<Option<Message>> {
        one(
            &self.pool,
            "SELECT * FROM messages WHERE id = $1",
            id,
            message_row,
        )
        .await
    }

    async fn resend_message(&self, id: Id, now: i64, rec: &Record) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE messages SET state = 'pending', attempts = 0, due_at = $1, \
             lease_until = NULL, leased_by = NULL WHERE id = $2 AND state IN ('sent', 'failed')",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Refused(format!(
                "message {id} is not sent or failed; only those can be sent again"
            )));
        }
        commit(self, tx, &rec.clone().object(id), None).await?;
        Ok(())
    }

    async fn held_messages(&self) -> Result<Vec<Message>> {
        all(
            &self.pool,
            "SELECT * FROM messages WHERE state = 'held' ORDER BY person_id, id",
            message_row,
        )
        .await
    }

    async fn make_digest(&self, digest: &NewMessage, held: &[Id], now: i64) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        if insert_messages(&mut tx, std::slice::from_ref(digest), now).await? == 0 {
            return Ok(false);
        }
        for id in held {
            sqlx::query("UPDATE messages SET state = 'digested' WHERE id = $1 AND state = 'held'")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn message_counts(&self) -> Result<Vec<(MessageState, i64)>> {
        // The tallies the triggers keep (migration 0018): a few rows per
        // state, however many messages there are.
        let found: Vec<(String, i64)> = sqlx::query_as(
            "SELECT state, CAST(SUM(n) AS BIGINT) FROM message_tallies GROUP BY state \
             HAVING SUM(n) <> 0 ORDER BY state",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(found
            .into_iter()
            .filter_map(|(s, n)| Some((MessageState::parse(&s)?, n)))
            .collect())
    }

    async fn fold_message_tallies(&self) -> Result<()> {
        let (rows, states): (i64, i64) =
            sqlx::query_as("SELECT COUNT(*), COUNT(DISTINCT state) FROM message_tallies")
                .fetch_one(&self.pool)
                .await?;
        if rows <= states {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        let taken: Vec<(String, i64)> = if TIDIES {
            // PostgreSQL: locked (writers of messages wait a moment),
            // summed, then truncated. Deleted rows would stay in the table
            // until autovacuum came, and the counts would read through
            // them: 300,000 after the first reminders of a large
            // organisation cost 4 to 8 ms a read.
            sqlx::query("LOCK TABLE message_tallies IN ACCESS EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await?;
            let taken = sqlx::query_as(
                "SELECT state, CAST(SUM(n) AS BIGINT) FROM message_tallies GROUP BY state",
            )
            .fetch_all(&mut *tx)
            .await?;
            sqlx::query("TRUNCATE message_tallies")
                .execute(&mut *tx)
                .await?;
            taken
        } else {
            sqlx::query_as("DELETE FROM message_tallies RETURNING state, n")
                .fetch_all(&mut *tx)
                .await?
        };
        let mut sums: std::collections::BTreeMap<String, i64> = std::collections::BTreeMap::new();
        for (state, n) in taken {
            *sums.entry(state).or_default() += n;
        }
        sums.retain(|_, n| *n != 0);
        if !sums.is_empty() {
            let mut q = sqlx::QueryBuilder::<Db>::new("INSERT INTO message_tallies (state, n) ");
            q.push_values(&sums, |mut b, (state, n)| {
                b.push_bind(state.clone()).push_bind(*n);
            });
            q.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn notification_prefs(&self, people: &[Id]) -> Result<Vec<(Id, String, Delivery)>> {
        let mut out = Vec::new();
        for chunk in people.chunks(500) {
            let mut q = sqlx::QueryBuilder::<Db>::new(
                "SELECT person_id, kind, mode FROM notification_prefs WHERE person_id IN (",
            );
            let mut sep = q.separated(", ");
            for p in chunk {
                sep.push_bind(*p);
            }
            q.push(") ORDER BY person_id, kind");
            let found: Vec<(Id, String, String)> = q.build_query_as().fetch_all(&self.pool).await?;
            out.extend(
                found
                    .into_iter()
                    .filter_map(|(p, k, m)| Some((p, k, Delivery::parse(&m)?))),
            );
        }
        Ok(out)
    }

    async fn set_notification_prefs(
        &self,
        person: Id,
        prefs: &[(String, Delivery)],
        rec: &Record,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM notification_prefs WHERE person_id = $1")
            .bind(person)
            .execute(&mut *tx)
            .await?;
        for (kind, mode) in prefs {
            sqlx::query(
                "INSERT INTO notification_prefs (person_id, kind, mode) VALUES ($1, $2, $3)",
            )
            .bind(person)
            .bind(kind)
            .bind(mode.as_str())
            .execute(&mut *tx)
            .await?;
        }
        commit(self, tx, rec, None).await?;
        Ok(())
    }

    async fn create_webhook(
        &self,
        url: &str,
        kinds: &[String],
        secret: &str,
        by: Option<Id>,
        now: i64,
        rec: &Record,
    ) -> Result<Id> {
        let mut tx = self.begin_write().await?;
        let id: Id = sqlx::query_scalar(
            "INSERT INTO webhooks (url, kinds, secret, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(url)
        .bind(kinds.join(","))
        .bind(secret)
        .bind(by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        commit(self, tx, rec, Some(id)).await?;
        Ok(id)
    }

    async fn webhooks(&self) -> Result<Vec<Webhook>> {
        all(
            &self.pool,
            "SELECT * FROM webhooks ORDER BY id",
            webhook_row,
        )
        .await
    }

    async fn delete_webhook(&self, id: Id, rec: &Record) -> Result<()> {
        let mut tx = self.begin_write().await?;
        // Its delivery log stays; the messages keep the URL they went to.
        sqlx::query("UPDATE messages SET webhook_id = NULL WHERE webhook_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query("DELETE FROM webhooks WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("webhook {id}")));
        }
        commit(self, tx, &rec.clone().object(id), None).await?;
        Ok(())
    }
}
