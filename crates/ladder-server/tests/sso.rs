//! Single sign-on end to end against a real OpenID Connect provider
//! (`oidc-provider-mock` from PyPI, started here on 127.0.0.1).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use ladder_org::{Date, PersonRecord, Role};
use support::{App, Client, NOW, OidcProvider, PASSWORD, encode, start_sso, start_sso_with};

/// The provider's one-click users.
const USERS: &[(&str, &str, bool)] = &[
    ("manager", "Manager@Example.com", true),
    ("unverified", "peer@example.com", false),
    ("newcomer", "newcomer@example.com", true),
    ("stranger", "stranger@elsewhere.example", true),
];

/// Where a response redirects to, split into (host:port, path?query).
fn location(res: &support::Response) -> (String, String) {
    let loc = res.header("location").expect("a redirect").to_owned();
    let rest = loc.strip_prefix("http://").expect("an http URL");
    let (host, path) = rest.split_once('/').unwrap();
    (host.to_owned(), format!("/{path}"))
}

/// Begins sign-in at Ladder, picks `sub` at the provider, and returns the
/// callback path the provider sends the browser back to.
async fn through_provider(c: &mut Client, op: &OidcProvider, sub: &str) -> String {
    let start = c.get("/auth/oidc/start").await;
    assert_eq!(start.status, 303, "{}", start.body);
    let (host, authorize) = location(&start);
    assert_eq!(host, op.addr.to_string());
    assert!(
        authorize.contains("code_challenge_method=S256"),
        "PKCE: {authorize}"
    );
    assert!(authorize.contains("nonce="), "{authorize}");
    let mut browser_at_provider = Client::new(op.addr);
    let page = browser_at_provider.get(&authorize).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let picked = browser_at_provider
        .post_form(&authorize, &[("sub", sub)])
        .await;
    assert_eq!(picked.status, 302, "{}", picked.body);
    let (host, callback) = location(&picked);
    assert_eq!(host, c.addr.to_string());
    assert!(callback.starts_with("/auth/oidc/callback?"), "{callback}");
    callback
}

async fn audit_actions(app: &App) -> Vec<(String, String)> {
    app.store
        .audit_log(None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.detail))
        .collect()
}

#[tokio::test]
async fn sso_signs_in_a_known_account_by_verified_email() {
    let op = OidcProvider::start(USERS).await;
    let app = start_sso(&op.issuer()).await;
    let mut c = Client::new(app.addr);
    let login = c.get("/login").await;
    assert!(
        login.body.contains("Sign in with Test SSO"),
        "{}",
        login.body
    );

    let callback = through_provider(&mut c, &op, "manager").await;
    let done = c.get(&callback).await;
    assert_eq!(
        (done.status, done.header("location")),
        (303, Some("/")),
        "{}",
        done.body
    );
    let cookie = done
        .all("set-cookie")
        .into_iter()
        .find(|v| v.starts_with("ladder_session="))
        .unwrap()
        .to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    assert!(
        !c.cookies.contains_key("ladder_sso"),
        "the flow cookie is cleared"
    );
    let home = c.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("manager"), "{}", home.body);
    let api = c.get("/api/v1/me").await;
    assert!(
        api.body.contains("\"email\":\"manager@example.com\""),
        "{}",
        api.body
    );
    assert!(
        audit_actions(&app)
            .await
            .contains(&("login".to_owned(), "sso".to_owned()))
    );

    // The same callback again (a replay, or the back button) is refused:
    // the flow was used up.
    let mut other = Client::new(app.addr);
    other.cookies = c.cookies.clone();
    other.cookies.remove("ladder_session");
    let state = callback
        .split("state=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    other
        .cookies
        .insert("ladder_sso".to_owned(), state.to_owned());
    let replay = other.get(&callback).await;
    assert_eq!(replay.status, 400);
    assert!(replay.body.contains("sign in again"), "{}", replay.body);
    assert!(
        !replay
            .all("set-cookie")
            .iter()
            .any(|v| v.starts_with("ladder_session=") && !v.contains("Max-Age=0"))
    );
}

#[tokio::test]
async fn sso_refuses_unverified_unknown_and_forged_sign_ins() {
    let op = OidcProvider::start(USERS).await;
    let app = start_sso(&op.issuer()).await;

    // The provider has not verified the email.
    let mut c = Client::new(app.addr);
    let callback = through_provider(&mut c, &op, "unverified").await;
    let res = c.get(&callback).await;
    assert_eq!(res.status, 400);
    assert!(
        res.body.contains("has not verified peer@example.com"),
        "{}",
        res.body
    );
    assert!(!c.cookies.contains_key("ladder_session"));

    // Verified, but nobody in the directory has that email.
    let mut c = Client::new(app.addr);
    let callback = through_provider(&mut c, &op, "stranger").await;
    let res = c.get(&callback).await;
    assert_eq!(res.status, 400);
    assert!(
        res.body
            .contains("stranger@elsewhere.example is not in Ladder&#x27;s people directory")
            || res
                .body
                .contains("stranger@elsewhere.example is not in Ladder&#39;s people directory"),
        "{}",
        res.body
    );
    assert!(!c.cookies.contains_key("ladder_session"));
    assert!(audit_actions(&app).await.contains(&(
        "login.sso_refused".to_owned(),
        "stranger@elsewhere.example".to_owned()
    )));

    // A callback that this browser did not start (login CSRF): the state
    // cookie is missing, so the code is never exchanged.
    let mut victim = Client::new(app.addr);
    let mut attacker = Client::new(app.addr);
    let callback = through_provider(&mut attacker, &op, "manager").await;
    let res = victim.get(&callback).await;
    assert_eq!(res.status, 400);
    assert!(
        res.body.contains("not started in this browser"),
        "{}",
        res.body
    );
    assert!(!victim.cookies.contains_key("ladder_session"));
    // …and a wrong state with the attacker's own cookie is no better.
    let forged = callback.replace("state=", "state=x");
    let res = attacker.get(&forged).await;
    assert_eq!(res.status, 400);

    // A flow left at the provider for longer than ten minutes expires.
    let mut slow = Client::new(app.addr);
    let callback = through_provider(&mut slow, &op, "manager").await;
    app.clock.advance(11 * 60);
    let res = slow.get(&callback).await;
    assert_eq!(res.status, 400);
    assert!(res.body.contains("longer than ten minutes"), "{}", res.body);

    // The person said no at the provider.
    let mut c = Client::new(app.addr);
    let start = c.get("/auth/oidc/start").await;
    let state = start
        .header("location")
        .unwrap()
        .split("state=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    let res = c
        .get(&format!(
            "/auth/oidc/callback?error=access_denied&state={}",
            encode(&state)
        ))
        .await;
    assert_eq!(res.status, 400);
    assert!(
        res.body.contains("did not sign you in (access_denied)"),
        "{}",
        res.body
    );
}

#[tokio::test]
async fn sso_gives_a_person_in_the_directory_a_member_account() {
    let op = OidcProvider::start(USERS).await;
    let app = start_sso(&op.issuer()).await;
    let newcomer = PersonRecord {
        email: "newcomer@example.com".to_owned(),
        name: "Noor Newcomer".to_owned(),
        manager_email: Some("manager@example.com".to_owned()),
        department: "Platform Services".to_owned(),
        role: Role {
            family: "backend-engineer".to_owned(),
            level: "intermediate".to_owned(),
            specialty: None,
            grade: "6".to_owned(),
        },
        location: "Lisbon".to_owned(),
        start_date: Date::new(2026, 11, 2),
        active: true,
    };
    app.store
        .apply_people(
            &[newcomer],
            "2026-11-02",
            None,
            NOW,
            &support::fixture("apply_people"),
        )
        .await
        .unwrap();
    assert!(
        app.store
            .account_by_email("newcomer@example.com")
            .await
            .unwrap()
            .is_none()
    );

    let mut c = Client::new(app.addr);
    let callback = through_provider(&mut c, &op, "newcomer").await;
    let done = c.get(&callback).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let account = app
        .store
        .account_by_email("newcomer@example.com")
        .await
        .unwrap()
        .expect("an account was made");
    assert_eq!(
        account.roles,
        ladder_store::Roles::NONE,
        "a member, nothing more"
    );
    assert!(account.password_hash.is_none(), "no password: SSO only");
    let home = c.get("/my-role").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Intermediate"), "{}", home.body);
    // No password was set, so the password form cannot be used for it.
    let mut pw = Client::new(app.addr);
    let res = pw.login("newcomer@example.com", "").await;
    assert_eq!(res.status, 400);
}

#[tokio::test]
async fn sso_refuses_a_person_who_left() {
    let op = OidcProvider::start(USERS).await;
    let app = start_sso(&op.issuer()).await;
    // The manager signs in through the provider, then leaves.
    let mut c = Client::new(app.addr);
    let callback = through_provider(&mut c, &op, "manager").await;
    assert_eq!(c.get(&callback).await.status, 303);
    assert_eq!(c.get("/").await.status, 200);
    let mut everyone: Vec<PersonRecord> = app
        .store
        .list_people()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.record)
        .collect();
    for r in everyone
        .iter_mut()
        .filter(|r| r.email == "manager@example.com")
    {
        r.active = false;
    }
    app.store
        .apply_people(
            &everyone,
            "2026-11-02",
            None,
            NOW,
            &support::fixture("apply_people"),
        )
        .await
        .unwrap();
    assert_eq!(c.get("/").await.header("location"), Some("/login"));
    // The provider still vouches for them; Ladder refuses.
    let mut again = Client::new(app.addr);
    let callback = through_provider(&mut again, &op, "manager").await;
    let refused = again.get(&callback).await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(refused.body.contains("deactivated"), "{}", refused.body);
    assert!(
        audit_actions(&app)
            .await
            .contains(&("login.refused_inactive".to_owned(), "sso".to_owned()))
    );
}

#[tokio::test]
async fn sso_only_offers_no_password_except_to_break_glass_accounts() {
    let op = OidcProvider::start(USERS).await;
    let app = start_sso_with(
        &op.issuer(),
        ladder_server::SignInSettings {
            sso_only: true,
            break_glass: vec!["admin@example.com".to_owned()],
            ..Default::default()
        },
    )
    .await;
    let mut c = Client::new(app.addr);
    let page = c.get("/login").await;
    assert!(page.body.contains("id=\"sso\""));
    assert!(!page.body.contains("name=\"password\""), "no password form");
    let glass = c.get("/login?break-glass").await;
    assert!(glass.body.contains("name=\"password\""));
    let pre = glass.csrf();
    let mut try_as = async |email: &str| {
        c.post_form(
            "/login",
            &[
                ("csrf", pre.as_str()),
                ("email", email),
                ("password", PASSWORD),
            ],
        )
        .await
    };
    let refused = try_as("self@example.com").await;
    assert_eq!(refused.status, 400);
    assert!(refused.body.contains("single sign-on"), "{}", refused.body);
    assert_eq!(try_as("admin@example.com").await.status, 303);
}
