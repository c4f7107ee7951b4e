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

async fn fresh(tag: &str) -> (TempDatabase, PgStore) {
    let db = TempDatabase::for_tests(tag)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
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

/// One test per step of the story, each on fresh databases.
macro_rules! steps {
    ($($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                let (db_a, a) = fresh(concat!("step_a_", stringify!($name))).await;
                let (db_b, b) = fresh(concat!("step_b_", stringify!($name))).await;
                ladder_store::story::step(stringify!($name), &a, &b).await;
                drop((a, b));
                db_a.drop_database().await.unwrap();
                db_b.drop_database().await.unwrap();
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

/// A write whose audit entry or event cannot be stored leaves nothing
/// behind: a trigger (made on a second connection) makes one insert fail,
/// then the other.
#[tokio::test]
async fn a_write_fails_whole_when_its_audit_entry_or_event_fails() {
    use ladder_store::Store as _;
    use sqlx::Executor as _;
    let (db, s) = fresh("record_fails").await;
    let raw = sqlx::PgPool::connect(&db.url).await.unwrap();
    raw.execute(
        "CREATE FUNCTION refuse() RETURNS trigger AS $$ \
         BEGIN RAISE EXCEPTION 'refused by the test'; END; $$ LANGUAGE plpgsql",
    )
    .await
    .unwrap();
    for table in ["events", "audit_log"] {
        raw.execute(
            format!(
                "CREATE TRIGGER refuse BEFORE INSERT ON {table} \
                 FOR EACH ROW EXECUTE FUNCTION refuse()"
            )
            .as_str(),
        )
        .await
        .unwrap();
        ladder_store::story::writes_fail_with_their_record(&s).await;
        raw.execute(format!("DROP TRIGGER refuse ON {table}").as_str())
            .await
            .unwrap();
    }
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
    assert_eq!(s.audit_log(None, 10).await.unwrap().len(), 1);
    assert_eq!(s.events_after(0, 10).await.unwrap().len(), 1);
    raw.close().await;
    drop(s);
    db.drop_database().await.unwrap();
}

/// Where an answer sits in the table says nothing of when it was given:
/// each new answer rewrites those about the same person in the order of
/// their random ids (the story's answers are given as `b7`, then `a3`).
#[tokio::test]
async fn answers_are_stored_in_the_order_of_their_random_ids() {
    let (db_a, a) = fresh("answer_order_a").await;
    let (db_b, b) = fresh("answer_order_b").await;
    ladder_store::story::step("feedback", &a, &b).await;
    let mut seen = 0;
    for db in [&db_a, &db_b] {
        let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
        let stored: Vec<(i64, String)> =
            sqlx::query_as("SELECT person_id, id FROM answers ORDER BY ctid")
                .fetch_all(&pool)
                .await
                .unwrap();
        let mut people: Vec<i64> = stored.iter().map(|s| s.0).collect();
        people.dedup();
        for p in people {
            let ids: Vec<&str> = stored
                .iter()
                .filter(|s| s.0 == p)
                .map(|s| s.1.as_str())
                .collect();
            let mut sorted = ids.clone();
            sorted.sort_unstable();
            assert_eq!(ids, sorted, "the answers about person {p}");
        }
        seen += stored.len();
        pool.close().await;
    }
    assert!(seen >= 2, "the story gave answers");
    drop((a, b));
    db_a.drop_database().await.unwrap();
    db_b.drop_database().await.unwrap();
}

/// Both backends' migrations make the same tables with the same columns:
/// a column added to one and forgotten in the other fails here.
#[tokio::test]
async fn sqlite_and_postgres_have_the_same_tables_and_columns() {
    use ladder_store::Store as _;
    let (db, pg) = fresh("schema").await;
    let dir = tempfile::tempdir().unwrap();
    let lite = ladder_store_sqlite::SqliteStore::open(&dir.path().join("s.db"))
        .await
        .unwrap();
    lite.migrate().await.unwrap();
    let sorted = |m: std::collections::BTreeMap<String, Vec<String>>| {
        m.into_iter()
            .map(|(t, mut c)| {
                c.sort();
                (t, c)
            })
            .collect::<Vec<_>>()
    };
    let (a, b) = (
        sorted(lite.schema().await.unwrap()),
        sorted(pg.schema().await.unwrap()),
    );
    assert!(a.len() > 30, "the schema was read: {a:?}");
    assert_eq!(a, b, "SQLite (left) and PostgreSQL (right) differ");
    drop(pg);
    db.drop_database().await.unwrap();
}
