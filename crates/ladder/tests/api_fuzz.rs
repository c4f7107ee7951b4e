//! The API against its committed `openapi.json`, fuzzed by schemathesis
//! (PyPI) on the demo organisation: signed in as a member (the demo
//! engineer) and as the people team, on SQLite and on PostgreSQL. Any 5xx,
//! any answer that breaks its schema or content type, any status the
//! document does not list, and any request outside the schema that is not
//! refused fail the test (`support/api_fuzz.py` says how).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/demo.rs"]
mod support;

use std::path::Path;
use std::process::Command;

/// Examples per operation and pass: enough to reach every documented
/// answer of the demo, few enough that the four runs take minutes.
const EXAMPLES: &str = "25";

fn fuzz(demo: &support::Demo, role: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema = root.join("../../openapi.json");
    let python = std::env::var("LADDER_TEST_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let out = Command::new(python)
        .arg(root.join("tests/support/api_fuzz.py"))
        .arg(&demo.base)
        .arg(demo.login(role))
        .arg("ladder-demo")
        .arg(&schema)
        .arg(EXAMPLES)
        .output()
        .unwrap_or_else(|e| panic!("python3 did not start: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !text.contains("No module named 'schemathesis'"),
        "schemathesis is missing: pip install schemathesis (.ci/run does)"
    );
    assert!(
        out.status.success(),
        "schemathesis as the {role} found problems:\n{text}"
    );
    println!("{role}:\n{text}");
}

#[test]
fn the_api_keeps_its_document_on_sqlite() {
    let demo = support::demo(&["--people", "40"]);
    fuzz(&demo, "engineer");
    fuzz(&demo, "people team");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_keeps_its_document_on_postgres() {
    let db = ladder_store_postgres::TempDatabase::for_tests("fuzz")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || {
        let demo = support::demo(&["--people", "40", "--database", &url]);
        fuzz(&demo, "engineer");
        fuzz(&demo, "people team");
    })
    .await
    .unwrap();
    db.drop_database().await.unwrap();
}
