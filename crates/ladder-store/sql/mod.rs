//! The SQL both backends share, as plain Rust.
//!
//! This folder is not a module of `ladder-store`: each backend crate
//! compiles it as its own `mod sql` (`#[path]`), after naming ten things
//! at its root:
//!
//! - `type Db`: the sqlx database (`sqlx::Sqlite`, `sqlx::Postgres`);
//! - `type DbRow`: its row type;
//! - `type This`: the store struct, with a `pool: sqlx::Pool<Db>` field and
//!   two inherent methods: `begin_write` (a transaction that will write:
//!   SQLite must take its write lock at the start, or a transaction that
//!   read first fails at once with "database is locked" when another
//!   holds the lock, instead of waiting) and `reset_sequences` (after a
//!   restore wrote explicit ids);
//! - `const NAME`: the backend's name;
//! - `const CLAIM_LOCK`: what ends the select that claims messages to
//!   deliver (PostgreSQL: ` FOR UPDATE SKIP LOCKED`, so nodes claim
//!   different rows without waiting; SQLite: nothing, its write
//!   transaction is the lock);
//! - `const ROW_LOCK`: what ends a select whose row a write will change
//!   after checking it (PostgreSQL: ` FOR UPDATE`; SQLite: nothing).
//! - `const JSON_AGG` and `const JSON_OBJECT`: the aggregate that gathers
//!   rows into a JSON array and the function that builds an object
//!   (`json_agg` and `json_build_object`; `json_group_array` and
//!   `json_object`), and `const GATHER_IN_JSON`: whether a read of many
//!   small rows is cheaper gathered into one row of JSON (SQLite, whose
//!   driver hands each row across threads) or read as rows (PostgreSQL,
//!   which streams rows cheaply and builds JSON slowly).
//! - `const TIDIES`: whether the SQL tidies after itself: a bulk write
//!   refreshes its table's statistics, and a table emptied at once is
//!   truncated, not deleted row by row (PostgreSQL, whose planner reads
//!   statistics and whose reads walk deleted rows, both until autovacuum
//!   comes a minute or more later; SQLite keeps no statistics unless
//!   asked, plans by its own rules and reuses deleted pages).
//!
//! The SQL uses only what SQLite and PostgreSQL both accept: `$1`
//! placeholders, `RETURNING`, `ON CONFLICT`, `UPDATE … FROM (VALUES …)`,
//! multi-row inserts through `QueryBuilder`. Each backend thus compiles the
//! same code against its own driver, with no generic bounds and no macro:
//! rustfmt, clippy and rust-analyzer read it as the code it is.

use super::{
    CLAIM_LOCK, Db, DbRow, GATHER_IN_JSON, JSON_AGG, JSON_OBJECT, NAME, ROW_LOCK, TIDIES, This,
};

mod accounts;
mod calendar;
mod feedback;
mod notify;
mod ops;
mod scim;
mod store;
