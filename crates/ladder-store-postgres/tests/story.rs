#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The conformance story on PostgreSQL: two temporary databases on the
//! local server (`LADDER_TEST_POSTGRES`, default
//! `postgres://postgres@127.0.0.1:5432/test`), dropped afterwards. The
//! server must be reachable: this test fails rather than skips.

use ladder_store_postgres::{PgStore, TempDatabase};

fn admin_url() -> String {
    std::env::var("LADDER_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

fn unique(tag: &str) -> String {
    #[allow(clippy::disallowed_methods)]
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{tag}_{}_{nanos}", std::process::id())
}

async fn fresh(tag: &str) -> (TempDatabase, PgStore) {
    let db = TempDatabase::create(&admin_url(), &unique(tag))
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL must be reachable for this test: {e}"));
    let store = PgStore::connect(&db.url).await.unwrap();
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
    (db, store)
}

#[tokio::test]
async fn story() {
    let (db_a, a) = fresh("story_a").await;
    let (db_b, b) = fresh("story_b").await;
    ladder_store::story::all(&a, &b).await;
    drop((a, b));
    db_a.drop_database().await.unwrap();
    db_b.drop_database().await.unwrap();
}
