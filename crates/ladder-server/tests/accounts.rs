#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! People come and go: leavers lose access at once, former managers keep
//! only the record, and accounts are managed by their owners (password,
//! reset by email, sessions, tokens) and by admins (deactivation);
//! throttling never locks the owner out.

mod support;

use support::*;

/// The seeded people as a people-import file, with `self` marked
/// `active` as given and reporting to `manager`.
fn people_csv(self_active: &str, self_manager: &str) -> String {
    let mut csv =
        "email,name,manager_email,department,job_family,level,specialty,grade,location,active\n"
            .to_owned();
    for (email, manager, level, active) in [
        ("skip@example.com", "", "staff", "yes"),
        ("manager@example.com", "skip@example.com", "manager", "yes"),
        ("self@example.com", self_manager, "senior", self_active),
        ("peer@example.com", "manager@example.com", "senior", "yes"),
        (
            "report@example.com",
            "self@example.com",
            "intermediate",
            "yes",
        ),
    ] {
        let name = email.split('@').next().unwrap();
        csv.push_str(&format!(
            "{email},{name},{manager},Platform Services,backend-engineer,{level},platform-services,7,Lisbon,{active}\n"
        ));
    }
    csv
}

async fn import(app: &App, csv: &str) {
    let mut team = api_as(app, "people-team").await;
    let r = team
        .request(
            "POST",
            "/api/v1/people/import",
            Some("text/csv"),
            csv.as_bytes(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

async fn bearer(app: &App, token: &str) -> Client {
    let mut c = Client::new(app.addr);
    c.headers
        .push(("Authorization".to_owned(), format!("Bearer {token}")));
    c
}

async fn kinds_about(c: &mut Client, person: i64) -> Vec<String> {
    let tasks = json(&c.get("/api/v1/me/tasks").await);
    tasks
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["person_id"] == person)
        .map(|t| t["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_leaver_loses_every_session_token_and_request_at_once() {
    let app = start().await;
    leaver_story(&app, None).await;
}

/// The same on PostgreSQL, with a second node: the session the leaver
/// holds on node B is refused there on its next request.
#[tokio::test]
async fn a_leaver_loses_access_on_every_node_on_postgres() {
    let db = ladder_store_postgres::TempDatabase::for_tests("leaver")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let pg = ladder_server::Database::Postgres(db.url.clone());
    let (store_a, _) = ladder_server::open_store(&pg).await.unwrap();
    let (store_b, _) = ladder_server::open_store(&pg).await.unwrap();
    assert_eq!(store_a.backend(), "postgres");
    let a = start_on(store_a, None, true).await;
    let b = start_on(store_b, None, false).await;
    leaver_story(&a, Some(&b)).await;
    drop((a, b));
    db.drop_database().await.unwrap();
}

/// `self` leaves through a people import on `app` and comes back; with
/// `other`, a second node on the same database, a session there ends too.
async fn leaver_story(app: &App, other: Option<&App>) {
    let mut on_other = match other {
        Some(b) => {
            let mut c = Client::new(b.addr);
            assert_eq!(c.login("self@example.com", PASSWORD).await.status, 303);
            assert_eq!(c.get("/").await.status, 200);
            Some(c)
        }
        None => None,
    };
    let me = app.ids["self"];
    let (cycle, _) = feedback_fixture(app).await;
    // Before: signed in, with a token, reading their own pay; their
    // manager owes feedback about them.
    let mut browser = Client::new(app.addr);
    assert_eq!(
        browser.login("self@example.com", PASSWORD).await.status,
        303
    );
    let mut api = api_as(app, "self").await;
    let token = json(
        &post_json(
            &mut api,
            "/api/v1/tokens",
            &serde_json::json!({"name": "sync"}),
        )
        .await,
    )["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut scripted = bearer(app, &token).await;
    assert_eq!(scripted.get("/api/v1/me").await.status, 200);
    assert_eq!(browser.get(&format!("/people/{me}/pay")).await.status, 200);
    let (mut manager, _) = client_as(app, "manager").await;
    assert!(
        kinds_about(&mut manager, me)
            .await
            .contains(&"answer_feedback".to_owned())
    );

    import(app, &people_csv("terminated", "manager@example.com")).await;

    // Every door closes on the next request.
    assert_eq!(browser.get("/").await.header("location"), Some("/login"));
    assert_eq!(browser.get(&format!("/people/{me}/pay")).await.status, 303);
    assert_eq!(scripted.get("/api/v1/me").await.status, 401);
    assert_eq!(api.get("/api/v1/me").await.status, 401);
    if let Some(c) = on_other.as_mut() {
        assert_eq!(
            c.get("/").await.header("location"),
            Some("/login"),
            "the other node refuses the session on its next request"
        );
    }
    let again = Client::new(app.addr)
        .login("self@example.com", PASSWORD)
        .await;
    assert_eq!(again.status, 400);
    assert!(again.body.contains("deactivated"), "{}", again.body);
    // Their 360 requests are withdrawn: nobody owes feedback about them,
    // and they cannot answer about anyone.
    assert!(
        !kinds_about(&mut manager, me)
            .await
            .contains(&"answer_feedback".to_owned())
    );
    let open: Vec<i64> = app
        .store
        .nominations(cycle)
        .await
        .unwrap()
        .iter()
        .filter(|n| n.answered_on.is_none() && (n.person_id == me || n.respondent_id == me))
        .map(|n| n.respondent_id)
        .collect();
    assert!(open.is_empty(), "{open:?}");
    // Their direct report needs a new manager: the people team is told.
    let (mut team, _) = client_as(app, "people-team").await;
    assert_eq!(kinds_about(&mut team, me).await, ["new_manager"]);
    let audit = app.store.audit_log(None, 50).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "login.refused_inactive"));

    // Back: the account signs in again; old sessions and tokens stay dead.
    import(app, &people_csv("yes", "manager@example.com")).await;
    assert_eq!(browser.get("/").await.header("location"), Some("/login"));
    assert_eq!(scripted.get("/api/v1/me").await.status, 401);
    assert_eq!(
        Client::new(app.addr)
            .login("self@example.com", PASSWORD)
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn a_former_manager_keeps_the_old_meetings_read_only_and_nothing_after() {
    let app = start().await;
    let me = app.ids["self"];
    let (mut manager, csrf) = client_as(&app, "manager").await;
    let meeting = app.ids.get("meeting").copied();
    assert!(meeting.is_none());
    // A 1:1 held before the move, and a checkpoint whose focus areas it
    // shows while the pair is current.
    let mut mgr_api = api_as(&app, "manager").await;
    let m = post_json(
        &mut mgr_api,
        &format!("/api/v1/one-on-ones/{}/{me}/meetings", app.ids["manager"]),
        &serde_json::json!({"date": "2026-01-05"}),
    )
    .await;
    assert_eq!(m.status, 201, "{}", m.body);
    let meeting = json(&m)["id"].as_i64().unwrap();
    let page = manager.get(&format!("/meetings/{meeting}")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("action=\"/meetings/"),
        "forms while current"
    );

    // `self` moves to the skip-level manager.
    import(&app, &people_csv("yes", "skip@example.com")).await;

    let page = manager.get(&format!("/meetings/{meeting}")).await;
    assert_eq!(page.status, 200, "the record stays readable");
    assert!(page.body.contains("id=\"read-only\""));
    assert!(
        !page
            .body
            .contains(&format!("action=\"/meetings/{meeting}/agenda\""))
    );
    let api = json(&mgr_api.get(&format!("/api/v1/meetings/{meeting}")).await);
    assert!(api["focus"].is_null(), "no checkpoint of the report: {api}");
    let add = manager
        .post_form(
            &format!("/meetings/{meeting}/agenda"),
            &[("csrf", &csrf), ("text", "after the move")],
        )
        .await;
    assert_eq!(add.status, 403, "no writes after the move");
    let add = post_json(
        &mut mgr_api,
        &format!("/api/v1/meetings/{meeting}/agenda"),
        &serde_json::json!({"text": "after the move"}),
    )
    .await;
    assert_eq!(add.status, 403);
    assert_eq!(
        mgr_api
            .get(&format!("/api/v1/people/{me}/checkpoints"))
            .await
            .status,
        403
    );
    // The report reads the same record, read-only too.
    let (mut report, _) = client_as(&app, "self").await;
    let theirs = report.get(&format!("/meetings/{meeting}")).await;
    assert_eq!(theirs.status, 200);
    assert!(theirs.body.contains("id=\"read-only\""));
}

#[tokio::test]
async fn people_list_and_end_their_sessions_and_tokens() {
    let app = start().await;
    // A token that works for a day, then not.
    let mut early = api_as(&app, "self").await;
    let made = post_json(
        &mut early,
        "/api/v1/tokens",
        &serde_json::json!({"name": "nightly", "expires_in_days": 1}),
    )
    .await;
    assert_eq!(made.status, 200, "{}", made.body);
    let token = json(&made)["token"].as_str().unwrap().to_owned();
    let mut script = bearer(&app, &token).await;
    assert_eq!(script.get("/api/v1/me").await.status, 200);
    let listed = json(&early.get("/api/v1/me/tokens").await);
    assert_eq!(listed[0]["name"], "nightly");
    assert!(listed[0]["last_used_at"].is_i64());
    app.clock.advance(2 * 24 * 3600);
    assert_eq!(script.get("/api/v1/me").await.status, 401, "expired");

    let mut laptop = Client::new(app.addr);
    laptop.headers.push((
        "User-Agent".to_owned(),
        "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0".to_owned(),
    ));
    assert_eq!(laptop.login("self@example.com", PASSWORD).await.status, 303);
    let mut phone = Client::new(app.addr);
    phone.headers.push((
        "User-Agent".to_owned(),
        "Mozilla/5.0 (iPhone) Safari/605.1".to_owned(),
    ));
    assert_eq!(phone.login("self@example.com", PASSWORD).await.status, 303);

    let page = laptop.get("/me/account").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Firefox on Linux"), "{}", page.body);
    assert!(page.body.contains("Safari on iPhone"));
    assert!(page.body.contains("(this browser)"));

    let csrf = laptop.session_csrf().await;
    laptop
        .headers
        .push(("X-CSRF-Token".to_owned(), csrf.clone()));
    let default = json(
        &post_json(
            &mut laptop,
            "/api/v1/tokens",
            &serde_json::json!({"name": "ci"}),
        )
        .await,
    );
    assert_eq!(
        default["expires_at"].as_i64().unwrap() - app.clock_now(),
        90 * 24 * 3600,
        "90 days unless chosen"
    );
    let too_long = post_json(
        &mut laptop,
        "/api/v1/tokens",
        &serde_json::json!({"name": "forever", "expires_in_days": 5000}),
    )
    .await;
    assert_eq!(too_long.status, 400);
    assert!(too_long.body.contains("expires_in_days"));

    // Revoking a token refuses it at once; nobody revokes another's.
    let ci = default["token"].as_str().unwrap().to_owned();
    let id = json(&laptop.get("/api/v1/me/tokens").await)[0]["id"]
        .as_i64()
        .unwrap();
    let mut peer = api_as(&app, "peer").await;
    assert_eq!(
        peer.request("POST", &format!("/api/v1/me/tokens/{id}/revoke"), None, b"")
            .await
            .status,
        400
    );
    assert_eq!(bearer(&app, &ci).await.get("/api/v1/me").await.status, 200);
    assert_eq!(
        laptop
            .request("POST", &format!("/api/v1/me/tokens/{id}/revoke"), None, b"")
            .await
            .status,
        204
    );
    assert_eq!(bearer(&app, &ci).await.get("/api/v1/me").await.status, 401);

    // End the phone's session from the laptop.
    let sessions = json(&laptop.get("/api/v1/me/sessions").await);
    assert_eq!(sessions.as_array().unwrap().len(), 2);
    let other = sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == false)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ended = laptop
        .post_form("/me/sessions/end", &[("csrf", &csrf), ("session", &other)])
        .await;
    assert_eq!(ended.status, 303);
    assert_eq!(phone.get("/").await.header("location"), Some("/login"));
    assert_eq!(laptop.get("/").await.status, 200);

    // Sign out everywhere: this session too, and every token.
    let third = json(
        &post_json(
            &mut laptop,
            "/api/v1/tokens",
            &serde_json::json!({"name": "x"}),
        )
        .await,
    )["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = laptop
        .post_form("/me/sign-out-everywhere", &[("csrf", &csrf)])
        .await;
    assert_eq!(out.header("location"), Some("/login?signed-out"));
    assert_eq!(laptop.get("/").await.header("location"), Some("/login"));
    assert_eq!(
        bearer(&app, &third).await.get("/api/v1/me").await.status,
        401
    );
}

#[tokio::test]
async fn a_password_change_needs_the_current_one_and_ends_the_other_sessions() {
    let app = start().await;
    let mut here = Client::new(app.addr);
    here.login("self@example.com", PASSWORD).await;
    let mut there = Client::new(app.addr);
    there.login("self@example.com", PASSWORD).await;
    let csrf = here.session_csrf().await;
    let wrong = here
        .post_form(
            "/me/password",
            &[
                ("csrf", &csrf),
                ("current_password", "not it at all"),
                ("new_password", "a brand new passphrase"),
                ("confirm", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 400);
    assert!(
        wrong.body.contains("current_password-error"),
        "beside its field"
    );
    let differ = here
        .post_form(
            "/me/password",
            &[
                ("csrf", &csrf),
                ("current_password", PASSWORD),
                ("new_password", "a brand new passphrase"),
                ("confirm", "a brand new passphrasf"),
            ],
        )
        .await;
    assert_eq!(differ.status, 400);
    assert!(differ.body.contains("confirm-error"));
    let ok = here
        .post_form(
            "/me/password",
            &[
                ("csrf", &csrf),
                ("current_password", PASSWORD),
                ("new_password", "a brand new passphrase"),
                ("confirm", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(ok.header("location"), Some("/me/account?done=password"));
    assert_eq!(here.get("/").await.status, 200, "this session stays");
    assert_eq!(there.get("/").await.header("location"), Some("/login"));
    assert_eq!(
        Client::new(app.addr)
            .login("self@example.com", PASSWORD)
            .await
            .status,
        400
    );
    assert_eq!(
        Client::new(app.addr)
            .login("self@example.com", "a brand new passphrase")
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn a_password_reset_link_is_emailed_works_once_and_expires_in_an_hour() {
    let smtp = SmtpSink::start();
    let app = start_mailing(smtp.port).await;
    let mut old = Client::new(app.addr);
    old.login("self@example.com", PASSWORD).await;

    let ask = |email: &'static str| {
        let addr = app.addr;
        async move {
            let mut c = Client::new(addr);
            let form = c.get("/password/forgot").await;
            assert_eq!(form.status, 200);
            let pre = c.cookies["ladder_pre"].clone();
            c.post_form("/password/forgot", &[("csrf", &pre), ("email", email)])
                .await
        }
    };
    // Known and unknown addresses get the same answer; only the known one
    // gets an email.
    let known = ask("self@example.com").await;
    let unknown = ask("nobody@example.com").await;
    assert_eq!((known.status, unknown.status), (200, 200));
    assert!(known.body.contains("is on its way"));
    assert!(unknown.body.contains("is on its way"));
    let mail = smtp.wait_for(1).await;
    assert_eq!(mail[0]["rcpt_tos"][0], "self@example.com");
    let text = mail[0]["text"].as_str().unwrap();
    let link = text
        .split_whitespace()
        .find(|w| w.contains("/password/reset/"))
        .unwrap();
    let path = &link[link.find("/password/reset/").unwrap()..];

    let mut c = Client::new(app.addr);
    let form = c.get(path).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("new_password"));
    let pre = c.cookies["ladder_pre"].clone();
    let short = c
        .post_form(
            path,
            &[
                ("csrf", &pre),
                ("new_password", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert_eq!(short.status, 400);
    assert!(short.body.contains("new_password-error"));
    let done = c
        .post_form(
            path,
            &[
                ("csrf", &pre),
                ("new_password", "reset passphrase 1"),
                ("confirm", "reset passphrase 1"),
            ],
        )
        .await;
    assert_eq!(done.header("location"), Some("/login?reset"));
    assert_eq!(
        old.get("/").await.header("location"),
        Some("/login"),
        "sessions end"
    );
    assert_eq!(
        Client::new(app.addr)
            .login("self@example.com", "reset passphrase 1")
            .await
            .status,
        303
    );
    // Once only.
    let used = c.get(path).await;
    assert_eq!(used.status, 400);
    assert!(used.body.contains("expired or has been used"));
    let again = c
        .post_form(
            path,
            &[
                ("csrf", &pre),
                ("new_password", "reset passphrase 2"),
                ("confirm", "reset passphrase 2"),
            ],
        )
        .await;
    assert_eq!(again.status, 400);

    // A new link expires after an hour.
    ask("self@example.com").await;
    let mail = smtp.wait_for(2).await;
    let text = mail[1]["text"].as_str().unwrap();
    let link = text
        .split_whitespace()
        .find(|w| w.contains("/password/reset/"))
        .unwrap();
    let path = link[link.find("/password/reset/").unwrap()..].to_owned();
    app.clock.advance(3601);
    assert_eq!(c.get(&path).await.status, 400);
    let log = app.store.audit_log(None, 100).await.unwrap();
    assert!(log.iter().any(|e| e.action == "password.reset"));
    assert!(log.iter().any(|e| e.action == "password.reset_sent"));
}

#[tokio::test]
async fn an_admin_deactivates_and_reactivates_an_account() {
    let app = start().await;
    let mut victim = Client::new(app.addr);
    victim.login("peer@example.com", PASSWORD).await;
    let (mut admin, csrf) = client_as(&app, "admin").await;
    let peer = app.accounts["peer"];
    let r = admin
        .post_form(
            &format!("/admin/users/{peer}/deactivate"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Deactivated"));
    assert_eq!(victim.get("/").await.header("location"), Some("/login"));
    assert_eq!(
        Client::new(app.addr)
            .login("peer@example.com", PASSWORD)
            .await
            .status,
        400
    );
    let twice = admin
        .post_form(
            &format!("/admin/users/{peer}/deactivate"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(twice.status, 400);
    let own = app.accounts["admin"];
    let me = admin
        .post_form(
            &format!("/admin/users/{own}/deactivate"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(me.status, 400);
    assert!(me.body.contains("your own account"));
    admin
        .post_form(
            &format!("/admin/users/{peer}/reactivate"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(
        Client::new(app.addr)
            .login("peer@example.com", PASSWORD)
            .await
            .status,
        303
    );
    assert_eq!(
        victim.get("/").await.header("location"),
        Some("/login"),
        "old sessions stay gone"
    );
}

/// A client whose requests come through the trusted proxy on 127.0.0.1,
/// from `ip`.
fn from(app: &App, ip: &str) -> Client {
    let mut c = Client::new(app.addr);
    c.headers
        .push(("X-Forwarded-For".to_owned(), ip.to_owned()));
    c
}

#[tokio::test]
async fn failures_from_elsewhere_never_lock_the_owner_out_of_their_usual_address() {
    let app = start_signing_in(
        ladder_server::SignInSettings {
            trusted_proxies: vec![ladder_server::proxy::Network::parse("127.0.0.1").unwrap()],
            ..Default::default()
        },
        None,
    )
    .await;
    // The owner signs in from their office once.
    assert_eq!(
        from(&app, "198.51.100.7")
            .login("self@example.com", PASSWORD)
            .await
            .status,
        303
    );
    // An attacker elsewhere tries again and again.
    for _ in 0..5 {
        assert_eq!(
            from(&app, "203.0.113.66")
                .login("self@example.com", "guess guess")
                .await
                .status,
            400
        );
    }
    let slowed = from(&app, "203.0.113.66")
        .login("self@example.com", "guess guess")
        .await;
    assert_eq!(slowed.status, 429);
    assert_eq!(slowed.header("retry-after"), Some("1"));
    assert!(slowed.body.contains("wait 1 second"), "{}", slowed.body);
    // Even the right password waits from an unknown address…
    assert_eq!(
        from(&app, "192.0.2.200")
            .login("self@example.com", PASSWORD)
            .await
            .status,
        429
    );
    // …but the owner at their usual address signs in at once.
    assert_eq!(
        from(&app, "198.51.100.7")
            .login("self@example.com", PASSWORD)
            .await
            .status,
        303
    );
    // The waits grow but do not last: once the wait passes, the next try is
    // heard.
    app.clock.advance(1);
    assert_eq!(
        from(&app, "203.0.113.66")
            .login("self@example.com", "guess again")
            .await
            .status,
        400
    );
    let longer = from(&app, "203.0.113.66")
        .login("self@example.com", "guess guess")
        .await;
    assert_eq!(longer.header("retry-after"), Some("2"));
    app.clock.advance(2);
    assert_eq!(
        from(&app, "192.0.2.200")
            .login("self@example.com", PASSWORD)
            .await
            .status,
        303
    );
    // The address each session came from is the forwarded one, and an
    // address the proxy does not vouch for is not believed.
    let sessions = app
        .store
        .account_sessions(app.accounts["self"], app.clock_now())
        .await
        .unwrap();
    assert!(sessions.iter().any(|s| s.ip == "198.51.100.7"));
    let log = app.store.audit_log(None, 100).await.unwrap();
    assert!(
        log.iter()
            .filter(|e| e.action == "login.failed")
            .all(|e| e.ip == "203.0.113.66")
    );
}

#[tokio::test]
async fn an_address_that_fails_often_is_refused_except_to_those_it_is_usual_for() {
    let app = start_signing_in(
        ladder_server::SignInSettings {
            trusted_proxies: vec![ladder_server::proxy::Network::parse("127.0.0.0/8").unwrap()],
            ..Default::default()
        },
        None,
    )
    .await;
    // The office's address, behind which `self` works and signs in.
    let office = "198.51.100.20";
    assert_eq!(
        from(&app, office)
            .login("self@example.com", PASSWORD)
            .await
            .status,
        303
    );
    // Someone in the same office guesses 30 times, at many accounts.
    for i in 0..30 {
        let who = format!("nobody{i}@example.com");
        assert_eq!(
            from(&app, office).login(&who, "guess guess").await.status,
            400
        );
    }
    assert_eq!(
        from(&app, office)
            .login("peer@example.com", PASSWORD)
            .await
            .status,
        429,
        "the address is refused for accounts that never used it"
    );
    assert_eq!(
        from(&app, office)
            .login("self@example.com", PASSWORD)
            .await
            .status,
        303,
        "but not for those it is the usual address of"
    );
    assert_eq!(
        from(&app, "192.0.2.1")
            .login("peer@example.com", PASSWORD)
            .await
            .status,
        303,
        "and other addresses are not touched"
    );
}

#[tokio::test]
async fn without_trusted_proxies_a_forwarded_address_is_ignored() {
    let app = start().await;
    from(&app, "198.51.100.7")
        .login("self@example.com", "wrong wrong")
        .await;
    let log = app.store.audit_log(None, 10).await.unwrap();
    let failed = log.iter().find(|e| e.action == "login.failed").unwrap();
    assert_eq!(failed.ip, "127.0.0.1");
}
