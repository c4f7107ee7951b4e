#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The conformance story on SQLite: two temporary database files.

use ladder_store_sqlite::SqliteStore;

async fn fresh(dir: &tempfile::TempDir, name: &str) -> SqliteStore {
    let store = SqliteStore::open(&dir.path().join(name)).await.unwrap();
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .count();
    assert_eq!(
        store.migrate().await.unwrap(),
        files,
        "every migration runs"
    );
    assert_eq!(
        store.migrate().await.unwrap(),
        0,
        "migrating twice changes nothing"
    );
    store
}

#[tokio::test]
async fn story() {
    let dir = tempfile::tempdir().unwrap();
    let a = fresh(&dir, "a.db").await;
    let b = fresh(&dir, "b.db").await;
    ladder_store::story::all(&a, &b).await;
}

/// One test per step of the story, each on fresh databases.
macro_rules! steps {
    ($($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                let dir = tempfile::tempdir().unwrap();
                let a = fresh(&dir, "a.db").await;
                let b = fresh(&dir, "b.db").await;
                ladder_store::story::step(stringify!($name), &a, &b).await;
            }
        )*

        #[test]
        fn every_step_of_the_story_has_a_test() {
            let names: Vec<&str> = ladder_store::story::STEPS.iter().map(|s| s.name).collect();
            assert_eq!(names, [$(stringify!($name)),*]);
        }
    };
}

mod step {
    use super::fresh;
    steps!(
        audit,
        people,
        accounts,
        sessions,
        throttling,
        scim,
        account_lifecycle,
        bootstrap,
        framework_versions,
        framework_releases,
        oidc,
        worksheet,
        concurrent_writes,
        checkpoints,
        one_on_ones,
        feedback,
        ops,
        calendar,
        notifications,
        events,
        backup_covers_the_schema,
        backup,
    );
}

#[tokio::test]
async fn wal_and_foreign_keys_are_on() {
    let dir = tempfile::tempdir().unwrap();
    let s = fresh(&dir, "p.db").await;
    let (mode, fk) = s.pragmas().await.unwrap();
    assert_eq!(mode.to_lowercase(), "wal");
    assert!(fk);
}

/// The database holds everyone's data: only its owner may read it, and a
/// file made with a wider mode is narrowed when opened.
#[cfg(unix)]
#[tokio::test]
async fn the_database_file_is_its_owners_alone() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let s = fresh(&dir, "m.db").await;
    ladder_store::Store::count_people(&s).await.unwrap();
    let mode = |name: &str| {
        std::fs::metadata(dir.path().join(name))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode("m.db"), 0o600);
    assert_eq!(
        mode("m.db-wal"),
        0o600,
        "the WAL file takes the database's mode"
    );
    let wide = dir.path().join("w.db");
    std::fs::write(&wide, b"").unwrap();
    std::fs::set_permissions(&wide, std::fs::Permissions::from_mode(0o644)).unwrap();
    fresh(&dir, "w.db").await;
    assert_eq!(mode("w.db"), 0o600);
}

/// A write whose audit entry or event cannot be stored leaves nothing
/// behind: a trigger (on a second connection to the same file) makes one
/// insert fail, then the other.
#[tokio::test]
async fn a_write_fails_whole_when_its_audit_entry_or_event_fails() {
    use sqlx::Executor as _;
    let dir = tempfile::tempdir().unwrap();
    let s = fresh(&dir, "r.db").await;
    let raw = sqlx::SqlitePool::connect(&format!("sqlite://{}", dir.path().join("r.db").display()))
        .await
        .unwrap();
    for table in ["events", "audit_log"] {
        raw.execute(
            format!(
                "CREATE TRIGGER refuse BEFORE INSERT ON {table} \
                 BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
            )
            .as_str(),
        )
        .await
        .unwrap();
        ladder_store::story::writes_fail_with_their_record(&s).await;
        raw.execute("DROP TRIGGER refuse").await.unwrap();
    }
    // Without the trigger the same write goes through, with both.
    let rec = ladder_store::Record::system(1, "account.create", None, "");
    s.create_account(
        "a@example.com",
        "A",
        None,
        ladder_store::Roles::NONE,
        1,
        &rec,
    )
    .await
    .unwrap();
    use ladder_store::Store as _;
    assert_eq!(s.audit_log(None, 10).await.unwrap().len(), 1);
    assert_eq!(s.events_after(0, 10).await.unwrap().len(), 1);
}

/// Where an answer sits in the file says nothing of when it was given:
/// the table has no row numbers and is stored in the order of the answers'
/// random ids (the story's answers are given as `b7`, then `a3`).
#[tokio::test]
async fn answers_are_stored_in_the_order_of_their_random_ids() {
    let dir = tempfile::tempdir().unwrap();
    let a = fresh(&dir, "a.db").await;
    let b = fresh(&dir, "b.db").await;
    ladder_store::story::step("feedback", &a, &b).await;
    let mut seen = 0;
    for name in ["a.db", "b.db"] {
        let url = format!("sqlite://{}", dir.path().join(name).display());
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        let no_rowid = sqlx::query("SELECT rowid FROM answers")
            .fetch_all(&pool)
            .await;
        assert!(no_rowid.is_err(), "answers has row numbers");
        // A full scan (the comment is in no index) reads the table's own order.
        let stored: Vec<(String, String)> = sqlx::query_as("SELECT id, comment FROM answers")
            .fetch_all(&pool)
            .await
            .unwrap();
        let mut sorted = stored.clone();
        sorted.sort();
        assert_eq!(stored, sorted);
        seen += stored.len();
        pool.close().await;
    }
    assert!(seen >= 2, "the story gave answers");
}
