//! The SQLite backend of Ladder's store: one file in the data directory,
//! in WAL mode, with foreign keys enforced. The default: nothing to install.
//!
//! The queries are the shared ones in `ladder-store/sql/`, compiled here as
//! `mod sql`; this
//! crate adds connecting, its own `migrations/`, and the pragmas.

use ladder_store::{Result, StoreError};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::path::Path;
use std::time::Duration;

/// A store in one SQLite file.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: sqlx::SqlitePool,
}

/// Makes the database file readable by its owner alone (mode 0600),
/// creating it empty if it is missing: it holds every person's data,
/// private notes and password hashes. SQLite gives its WAL and shared
/// memory files the database file's mode.
fn private_file(path: &Path) -> Result<()> {
    if path.as_os_str().is_empty() || path.to_str() == Some(":memory:") {
        return Ok(());
    }
    let fail =
        |e: std::io::Error| StoreError::Backend(format!("could not open {}: {e}", path.display()));
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
        open.mode(0o600);
        open.open(path).map_err(fail)?;
        // A file made before (or by hand) with a wider mode is narrowed.
        let meta = std::fs::metadata(path).map_err(fail)?;
        if meta.permissions().mode() & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(fail)?;
        }
    }
    #[cfg(not(unix))]
    open.open(path).map_err(fail)?;
    Ok(())
}

impl SqliteStore {
    /// Opens (creating if missing) the database file. Call [`migrate`]
    /// before use.
    ///
    /// [`migrate`]: SqliteStore::migrate
    pub async fn open(path: &Path) -> Result<SqliteStore> {
        private_file(path)?;
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // Deleted rows (a removed candidate's personal data) are
            // overwritten, not left in free pages.
            .pragma("secure_delete", "on")
            .busy_timeout(Duration::from_secs(10));
        // Each connection is a thread with its own page cache; about twice
        // the cores keeps the readers busy (WAL lets them run beside the
        // writer). An in-process file cannot drop the connection: no ping
        // before each checkout.
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let size = u32::try_from(cores * 2).unwrap_or(u32::MAX).max(4);
        let pool = SqlitePoolOptions::new()
            .max_connections(size)
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Backend(format!("could not open {}: {e}", path.display())))?;
        Ok(SqliteStore { pool })
    }

    /// The journal mode and whether foreign keys are on, as the database
    /// reports them.
    pub async fn pragmas(&self) -> Result<(String, bool)> {
        let mode: (String,) = sqlx::query_as("PRAGMA journal_mode")
            .fetch_one(&self.pool)
            .await?;
        let fk: (i64,) = sqlx::query_as("PRAGMA foreign_keys")
            .fetch_one(&self.pool)
            .await?;
        Ok((mode.0, fk.0 == 1))
    }

    /// `BEGIN IMMEDIATE`: the write lock is taken (waiting up to the busy
    /// timeout) before the transaction reads. A deferred transaction that
    /// read first and then writes while another connection holds the lock
    /// gets `SQLITE_BUSY` at once in WAL mode, without waiting.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }

    /// Nothing to do: SQLite has one writer at a time, so event ids
    /// commit in the order they are given.
    async fn order_events(
        &self,
        _tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    ) -> Result<(), sqlx::Error> {
        Ok(())
    }

    /// Every table (but SQLite's and sqlx's own) and its columns.
    async fn table_columns(&self) -> Result<Vec<(String, String)>, sqlx::Error> {
        sqlx::query_as(
            "SELECT m.name, c.name FROM sqlite_master m, pragma_table_info(m.name) c \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx_%' \
             ORDER BY m.name, c.cid",
        )
        .fetch_all(&self.pool)
        .await
    }

    async fn reset_sequences(
        &self,
        _tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    ) -> Result<(), sqlx::Error> {
        // INTEGER PRIMARY KEY continues from the largest id by itself.
        Ok(())
    }
}

// What the shared SQL (`ladder-store/sql/mod.rs`) is compiled against.
type Db = sqlx::Sqlite;
type DbRow = sqlx::sqlite::SqliteRow;
type This = SqliteStore;
const NAME: &str = "sqlite";
/// SQLite keeps no statistics unless asked; a bulk write leaves it so.
const TIDIES: bool = false;
/// Claiming messages needs no row lock: the write transaction holds the
/// database.
const CLAIM_LOCK: &str = "";
/// Rows need no lock either: one writer at a time.
const ROW_LOCK: &str = "";
/// The aggregate that gathers rows into a JSON array (with `ORDER BY`
/// inside, SQLite 3.44 and later), and the function that makes an object.
const JSON_AGG: &str = "json_group_array";
const JSON_OBJECT: &str = "json_object";
/// Each row of a result crosses from the driver's thread: many small rows
/// are read as one row of JSON.
const GATHER_IN_JSON: bool = true;

#[path = "../../ladder-store/sql/mod.rs"]
mod sql;
