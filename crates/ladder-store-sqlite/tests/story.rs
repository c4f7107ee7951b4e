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

#[tokio::test]
async fn wal_and_foreign_keys_are_on() {
    let dir = tempfile::tempdir().unwrap();
    let s = fresh(&dir, "p.db").await;
    let (mode, fk) = s.pragmas().await.unwrap();
    assert_eq!(mode.to_lowercase(), "wal");
    assert!(fk);
}
