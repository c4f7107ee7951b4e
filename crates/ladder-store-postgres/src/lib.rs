//! The PostgreSQL backend of Ladder's store, for larger organisations and
//! for several `ladder serve` nodes sharing one database.
//!
//! The queries are the shared ones in `ladder-store/sql/`, compiled here as
//! `mod sql`; this
//! crate adds connecting, its own `migrations/`, sequence resets after a
//! restore, and [`TempDatabase`] for tests.

use ladder_store::{Result, StoreError};
use sqlx::postgres::PgPoolOptions;

/// A store in a PostgreSQL database.
#[derive(Clone, Debug)]
pub struct PgStore {
    pool: sqlx::PgPool,
}

/// The advisory lock that orders event inserts (any fixed number that no
/// other lock uses).
const EVENTS_LOCK: i64 = 0x4c61_6464_6572; // "Ladder"

/// The tables whose ids come from an identity sequence.
const SEQUENCED: [&str; 28] = [
    "framework_releases",
    "feedback_releases",
    "events",
    "meeting_series",
    "webhooks",
    "messages",
    "internships",
    "internship_log",
    "openings",
    "candidates",
    "cycles",
    "cycle_steps",
    "proposals",
    "proposal_steps",
    "accounts",
    "people",
    "role_changes",
    "api_tokens",
    "login_failures",
    "audit_log",
    "ratings",
    "rating_history",
    "checkpoints",
    "focus_areas",
    "meetings",
    "agenda_items",
    "standing_items",
    "action_items",
];

impl PgStore {
    /// Connects to `url` (`postgres://user@host:port/db`). Call
    /// [`migrate`](PgStore::migrate) before use.
    pub async fn connect(url: &str) -> Result<PgStore> {
        // A small pool: each connection is a PostgreSQL process, and more
        // processes than about twice the cores only add context switches
        // (on 2 cores, 4 connections served a third more requests than 16).
        // No ping before each checkout: it would double the round trips of
        // every request. A connection the server dropped fails its next
        // query and is discarded by the pool.
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let size = u32::try_from(cores * 2).unwrap_or(u32::MAX).max(4);
        let pool = PgPoolOptions::new()
            .max_connections(size)
            .test_before_acquire(false)
            .connect(url)
            .await
            .map_err(|e| {
                StoreError::Backend(format!("could not connect to {}: {e}", redact(url)))
            })?;
        Ok(PgStore { pool })
    }

    /// A plain transaction: PostgreSQL locks rows as they are written.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
        self.pool.begin().await
    }

    /// Takes the outbox's lock until the transaction ends, so events are
    /// inserted, and their ids committed, one transaction at a time: an
    /// identity value taken by a transaction that commits later than
    /// another's would let a reader's cursor pass it unseen. Called just
    /// before the event insert, which is the last statement of a write.
    async fn order_events(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(EVENTS_LOCK)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Every table of the current schema (but sqlx's own) and its columns.
    async fn table_columns(&self) -> Result<Vec<(String, String)>, sqlx::Error> {
        sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_sqlx\\_%' \
             ORDER BY table_name, ordinal_position",
        )
        .fetch_all(&self.pool)
        .await
    }

    async fn reset_sequences(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    ) -> Result<(), sqlx::Error> {
        for t in SEQUENCED {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{t}', 'id'), COALESCE((SELECT MAX(id) FROM {t}), 0) + 1, false)"
            );
            sqlx::query(&sql).execute(&mut **tx).await?;
        }
        Ok(())
    }
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = url.get(s + 3..at).unwrap_or("");
            let user = creds.split(':').next().unwrap_or("");
            format!(
                "{}{user}{}",
                url.get(..s + 3).unwrap_or(""),
                url.get(at..).unwrap_or("")
            )
        }
        _ => url.to_owned(),
    }
}

/// A database made for one test and dropped after it: created on the
/// server `admin_url` points at, named `ladder_test_<unique>`.
#[derive(Debug)]
pub struct TempDatabase {
    admin: sqlx::PgPool,
    pub name: String,
    pub url: String,
}

impl TempDatabase {
    pub async fn create(admin_url: &str, unique: &str) -> Result<TempDatabase> {
        let admin = PgPoolOptions::new()
            .max_connections(1)
            .connect(admin_url)
            .await
            .map_err(|e| {
                StoreError::Backend(format!("could not connect to {}: {e}", redact(admin_url)))
            })?;
        let name: String = format!("ladder_test_{unique}")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await?;
        let base = admin_url.rsplit_once('/').map_or(admin_url, |(b, _)| b);
        let url = format!("{base}/{name}");
        Ok(TempDatabase { admin, name, url })
    }

    /// A database for a test on the server `LADDER_TEST_POSTGRES` names
    /// (default `postgres://postgres@127.0.0.1:5432/test`), its name made
    /// unique from `tag`, the process and the time. Tests fail, never
    /// skip, when the server cannot be reached: the error says so.
    pub async fn for_tests(tag: &str) -> Result<TempDatabase> {
        let admin = std::env::var("LADDER_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
        // Only a tie-breaker for the name, never a time the code reasons on.
        #[allow(clippy::disallowed_methods)]
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        TempDatabase::create(&admin, &format!("{tag}_{}_{nanos}", std::process::id()))
            .await
            .map_err(|e| {
                StoreError::Backend(format!(
                    "PostgreSQL must be reachable for this test (LADDER_TEST_POSTGRES): {e}"
                ))
            })
    }

    /// Drops the database, closing whatever still uses it.
    pub async fn drop_database(self) -> Result<()> {
        sqlx::query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&self.admin)
        .await?;
        Ok(())
    }
}

// What the shared SQL (`ladder-store/sql/mod.rs`) is compiled against.
type Db = sqlx::Postgres;
type DbRow = sqlx::postgres::PgRow;
type This = PgStore;
const NAME: &str = "postgres";
/// A bulk write refreshes its table's statistics, and a table emptied at
/// once is truncated: until autovacuum gets to it, plans would still see
/// the table as it was and reads would walk the deleted rows.
const TIDIES: bool = true;
/// Nodes claiming messages at once take different rows, without waiting.
const CLAIM_LOCK: &str = " FOR UPDATE SKIP LOCKED";
/// A write that checks a row, then changes it, holds it meanwhile.
const ROW_LOCK: &str = " FOR UPDATE";
/// The aggregate that gathers rows into a JSON array, and the function
/// that makes an object.
const JSON_AGG: &str = "json_agg";
const JSON_OBJECT: &str = "json_build_object";
/// Rows stream cheaply and building JSON does not: many small rows are
/// read as rows.
const GATHER_IN_JSON: bool = false;

#[path = "../../ladder-store/sql/mod.rs"]
mod sql;
