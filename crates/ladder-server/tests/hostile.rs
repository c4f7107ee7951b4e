#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Hostile text at the door: the NUL character, other control characters,
//! fields over their cap and oversized bodies get a clear 400 or 413 in
//! the caller's shape, naming the field, on PostgreSQL (which cannot store
//! NUL) as on SQLite, and nothing is written.

mod support;

use support::*;

async fn nul_is_refused_everywhere(app: &App) {
    let me = app.ids["self"];
    let manager = app.ids["manager"];
    let mut api = api_as(app, "manager").await;
    let made = post_json(
        &mut api,
        &format!("/api/v1/one-on-ones/{manager}/{me}/meetings"),
        &serde_json::json!({"date": "2026-01-05"}),
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let meeting = json(&made)["id"].as_i64().unwrap();
    let before = app.store.agenda_items(meeting).await.unwrap().len();

    // JSON with \u0000: the API's own error body.
    let r = api
        .request(
            "POST",
            &format!("/api/v1/meetings/{meeting}/agenda"),
            Some("application/json"),
            br#"{"text":"before\u0000after"}"#,
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(json(&r)["error"]["code"], "bad_request");
    assert!(
        json(&r)["error"]["message"]
            .as_str()
            .unwrap()
            .contains("NUL")
    );
    // A form with %00: a page that says so.
    let (mut web, csrf) = client_as(app, "manager").await;
    let r = web
        .request(
            "POST",
            &format!("/meetings/{meeting}/agenda"),
            Some("application/x-www-form-urlencoded"),
            format!("csrf={csrf}&text=a%00b").as_bytes(),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("NUL"), "{}", r.body);
    // A people file with a NUL byte, and a token name.
    let mut team = api_as(app, "people-team").await;
    let r = team
        .request(
            "POST",
            "/api/v1/people/import",
            Some("text/csv"),
            b"email,name,job_family,level\nn@example.com,N\0ul,backend-engineer,senior\n",
        )
        .await;
    assert_eq!(r.status, 400);
    let r = api
        .request(
            "POST",
            "/api/v1/tokens",
            Some("application/json"),
            br#"{"name":"x\u0000"}"#,
        )
        .await;
    assert_eq!(r.status, 400);
    // Nothing was written, and the server answers as before.
    assert_eq!(app.store.agenda_items(meeting).await.unwrap().len(), before);
    assert!(
        app.store
            .person_by_email("n@example.com")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(web.get("/").await.status, 200);
    // An escaped backslash before `u0000` is ordinary text.
    let r = api
        .request(
            "POST",
            &format!("/api/v1/meetings/{meeting}/agenda"),
            Some("application/json"),
            br#"{"text":"a path: C:\\u0000"}"#,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
}

#[tokio::test]
async fn every_door_holds_each_field_to_its_cap_and_refuses_control_characters() {
    let app = start().await;
    let me = app.ids["self"];
    let manager = app.ids["manager"];
    let mut api = api_as(&app, "manager").await;
    let made = post_json(
        &mut api,
        &format!("/api/v1/one-on-ones/{manager}/{me}/meetings"),
        &serde_json::json!({"date": "2026-01-05"}),
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let meeting = json(&made)["id"].as_i64().unwrap();
    let agenda = format!("/api/v1/meetings/{meeting}/agenda");

    // Free text takes 20,000 characters (not bytes), and not one more.
    let r = post_json(
        &mut api,
        &agenda,
        &serde_json::json!({"text": "é".repeat(20_000)}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = post_json(
        &mut api,
        &agenda,
        &serde_json::json!({"text": "a".repeat(20_001)}),
    )
    .await;
    assert_eq!(r.status, 400);
    let message = json(&r)["error"]["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("`text`")
            && message.contains("20001 characters")
            && message.contains("at most 20000"),
        "{message}"
    );
    // A name takes 200.
    let r = post_json(
        &mut api,
        "/api/v1/tokens",
        &serde_json::json!({"name": "n".repeat(201)}),
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(
        json(&r)["error"]["message"]
            .as_str()
            .unwrap()
            .contains("`name`")
    );
    // A control character is refused wherever it sits, with its place.
    let r = post_json(
        &mut api,
        &agenda,
        &serde_json::json!({"text": "red \u{1b}[31m alert"}),
    )
    .await;
    assert_eq!(r.status, 400);
    let message = json(&r)["error"]["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("U+001B") && message.contains("character 5"),
        "{message}"
    );
    // Tabs and new lines are text.
    let r = post_json(
        &mut api,
        &agenda,
        &serde_json::json!({"text": "one\n\ttwo\r\n"}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);

    // The web form: a page naming the field.
    let (mut web, csrf) = client_as(&app, "manager").await;
    let r = web
        .request(
            "POST",
            &format!("/meetings/{meeting}/agenda"),
            Some("application/x-www-form-urlencoded"),
            format!("csrf={csrf}&text=ring+the%07%0Bbell&kind=%E2%9C%93").as_bytes(),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("U+0007"), "{}", r.body);
    // …which keeps what was typed, cleaned, in a form that sends it again:
    // the refused field to check, the others as they were.
    let action = format!(r#"<form method="post" action="/meetings/{meeting}/agenda">"#);
    assert!(r.body.contains(&action), "{}", r.body);
    assert!(
        r.body.contains(">ring the\nbell</textarea>"),
        "the bell is taken out, the vertical tab is a new line: {}",
        r.body
    );
    assert!(
        r.body.contains(&format!(
            r#"<input type="hidden" name="csrf" value="{csrf}">"#
        )) && r
            .body
            .contains(r#"<input type="hidden" name="kind" value="✓">"#),
        "{}",
        r.body
    );
    let again = web
        .post_form(
            &format!("/meetings/{meeting}/agenda"),
            &[("csrf", &csrf), ("text", "ring the\nbell"), ("kind", "✓")],
        )
        .await;
    assert!(again.status < 400, "{} {}", again.status, again.body);
    let r = web
        .post_form(
            &format!("/meetings/{meeting}/agenda"),
            &[("csrf", &csrf), ("text", &"b".repeat(20_001))],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("at most 20000"), "{}", r.body);
    // …and the page's own box stops the typing at the same cap.
    let page = web.get(&format!("/meetings/{meeting}")).await;
    assert!(
        page.body.contains(r#"maxlength="20000" id="agenda-text""#),
        "{}",
        page.body
    );

    // Only the good items were written: two through the API, and the
    // form's text once sent again.
    let items = app.store.agenda_items(meeting).await.unwrap();
    assert_eq!(items.len(), 3, "{items:?}");
    assert!(
        items.iter().any(|i| i.text == "ring the\nbell"),
        "{items:?}"
    );
}

#[tokio::test]
async fn nul_is_refused_with_a_clear_400_on_sqlite() {
    let app = start().await;
    nul_is_refused_everywhere(&app).await;
}

#[tokio::test]
async fn nul_is_refused_with_a_clear_400_on_postgres() {
    let db = ladder_store_postgres::TempDatabase::for_tests("hostile")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let pg = ladder_server::Database::Postgres(db.url.clone());
    let (store, _) = ladder_server::open_store(&pg).await.unwrap();
    let app = start_on(store, None, true).await;
    nul_is_refused_everywhere(&app).await;
    drop(app);
    db.drop_database().await.unwrap();
}

#[tokio::test]
async fn an_oversized_upload_gets_413_in_the_callers_shape() {
    let app = start().await;
    let big = "x".repeat(17 * 1024 * 1024);
    let (mut web, csrf) = client_as(&app, "people-team").await;
    let (ct, body) = multipart(&csrf, &big);
    let r = web
        .request("POST", "/people-team/import", Some(&ct), &body)
        .await;
    assert_eq!(r.status, 413);
    assert!(r.body.contains("larger than 16 MiB"), "{}", r.body);
    let mut api = api_as(&app, "people-team").await;
    let r = api
        .request(
            "POST",
            "/api/v1/people/import",
            Some("text/csv"),
            big.as_bytes(),
        )
        .await;
    assert_eq!(r.status, 413);
    assert_eq!(json(&r)["error"]["code"], "too_large");
}

#[tokio::test]
async fn the_frameworks_own_refusals_come_as_json_on_the_api() {
    let app = start().await;
    let mut api = api_as(&app, "self").await;
    let r = api.get("/api/v1/people/9223372036854775808").await;
    assert_eq!(r.status, 400);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let v = json(&r);
    assert_eq!(v["error"]["code"], "bad_request");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("9223372036854775808"),
        "{v}"
    );
    let r = api.request("DELETE", "/api/v1/people", None, b"").await;
    assert_eq!(r.status, 405);
    assert_eq!(json(&r)["error"]["code"], "method_not_allowed");
    // Pages keep their own answers.
    let (mut web, _) = client_as(&app, "self").await;
    assert_eq!(web.get("/people/9223372036854775808").await.status, 400);
}
