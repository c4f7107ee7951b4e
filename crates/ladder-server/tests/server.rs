#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The web app and API, over real HTTP on 127.0.0.1, against fresh
//! databases (SQLite; PostgreSQL for the multi-node test).

mod support;

use ladder_server::routes::{Audience, ROUTES};
use std::collections::BTreeMap;
use std::sync::Arc;
use support::*;

/// Every route × every role: `+` allowed, `-` refused, in the order of
/// [`MATRIX_ROLES`]: anonymous, self, direct report, manager, skip-level
/// manager, peer, people team, editor, admin, former manager (who held 1:1s
/// with `self` before `self` moved to `manager`; their routes name that
/// old pair), leaver (whose account was deactivated by a people import).
/// The subject of person routes is `self`. Later issues add their routes here; a route missing from this
/// table fails the test.
const MATRIX: &[(&str, &str)] = &[
    ("GET /healthz", "+++++++++++"),
    ("GET /readyz", "+++++++++++"),
    ("GET /metrics", "-----------"),
    ("GET /assets/{file}", "+++++++++++"),
    ("GET /favicon.ico", "+++++++++++"),
    ("GET /login", "+++++++++++"),
    ("POST /login", "+++++++++++"),
    ("POST /logout", "-+++++++++-"),
    ("GET /auth/oidc/start", "+++++++++++"),
    ("GET /auth/oidc/callback", "+++++++++++"),
    ("GET /setup", "+++++++++++"),
    ("POST /setup", "+++++++++++"),
    ("GET /password/forgot", "+++++++++++"),
    ("POST /password/forgot", "+++++++++++"),
    ("GET /password/reset/{token}", "+++++++++++"),
    ("POST /password/reset/{token}", "+++++++++++"),
    ("GET /me/account", "-+++++++++-"),
    ("GET /me/export", "-+++++++++-"),
    ("POST /me/password", "-+++++++++-"),
    ("POST /me/sessions/end", "-+++++++++-"),
    ("POST /me/sign-out-everywhere", "-+++++++++-"),
    ("POST /me/tokens", "-+++++++++-"),
    ("POST /me/tokens/{id}/revoke", "-+++++++++-"),
    ("GET /", "-+++++++++-"),
    ("GET /my-role", "-+++++++++-"),
    ("GET /people/{id}", "-+++++++++-"),
    ("GET /people/{id}/history", "-+-++-+----"),
    ("GET /team", "-+++++++++-"),
    ("GET /org", "-+++++++++-"),
    ("GET /org/search", "-+++++++++-"),
    ("GET /framework/", "+++++++++++"),
    ("GET /framework/{*path}", "+++++++++++"),
    ("GET /people-team/import", "------+----"),
    ("POST /people-team/import", "------+----"),
    ("GET /people-team/export.csv", "------+----"),
    ("GET /audit", "------+----"),
    ("GET /audit/export.csv", "------+----"),
    ("GET /audit/export.json", "------+----"),
    ("GET /admin/users", "--------+--"),
    ("POST /admin/users", "--------+--"),
    ("POST /admin/users/{id}/roles", "--------+--"),
    ("POST /admin/users/{id}/deactivate", "--------+--"),
    ("POST /admin/users/{id}/reactivate", "--------+--"),
    ("POST /admin/framework/reload", "-------++--"),
    ("GET /admin/framework/changes", "------+++--"),
    ("POST /admin/framework/stage", "------+++--"),
    ("POST /admin/framework/publish", "------+++--"),
    ("POST /admin/framework/rollback", "------+++--"),
    ("GET /me/calendar", "-+++++---+-"),
    ("POST /me/calendar", "-+++++---+-"),
    ("GET /calendar/{file}", "+++++++++++"),
    ("GET /me/notifications", "-+++++---+-"),
    ("POST /me/notifications", "-+++++---+-"),
    ("GET /admin/deliveries", "------+-+--"),
    ("POST /admin/deliveries/{id}/resend", "------+-+--"),
    ("POST /admin/webhooks", "--------+--"),
    ("POST /admin/webhooks/{id}/delete", "--------+--"),
    ("GET /api/v1/openapi.json", "+++++++++++"),
    ("GET /api/v1/me", "-+++++++++-"),
    ("GET /api/v1/me/export", "-+++++++++-"),
    ("GET /api/v1/me/tasks", "-+++++++++-"),
    ("GET /api/v1/people", "-+++++++++-"),
    ("GET /api/v1/people/{id}", "-+++++++++-"),
    ("GET /api/v1/people/{id}/history", "-+-++-+----"),
    ("POST /api/v1/people/import", "------+----"),
    ("GET /api/v1/framework", "+++++++++++"),
    (
        "GET /api/v1/framework/roles/{family}/{level}",
        "+++++++++++",
    ),
    ("POST /api/v1/tokens", "-+++++++++-"),
    ("GET /api/v1/me/tokens", "-+++++++++-"),
    ("POST /api/v1/me/tokens/{id}/revoke", "-+++++++++-"),
    ("GET /api/v1/me/sessions", "-+++++++++-"),
    ("POST /api/v1/me/sessions/{id}/end", "-+++++++++-"),
    ("POST /api/v1/me/sign-out-everywhere", "-+++++++++-"),
    ("GET /team/growth", "-+++++++++-"),
    ("GET /team/heatmap.svg", "-+++++++++-"),
    ("GET /people/{id}/worksheet", "-+-++-+----"),
    ("POST /people/{id}/worksheet", "-+-+-------"),
    ("POST /people/{id}/worksheet/seen", "-+---------"),
    ("GET /people/{id}/radar.svg", "-+-++-+----"),
    ("GET /people/{id}/readiness.svg", "-+-++-+----"),
    ("GET /people/{id}/checkpoints", "-+-++-+----"),
    ("GET /people/{id}/checkpoints/new", "-+-+-------"),
    ("POST /people/{id}/checkpoints", "-+-+-------"),
    ("GET /checkpoints/{checkpoint}", "-+-++-+----"),
    ("POST /checkpoints/{checkpoint}/close", "-+-+-------"),
    ("GET /one-on-ones", "-+++++++++-"),
    ("GET /one-on-ones/{manager}/{report}", "-+-+-----+-"),
    (
        "POST /one-on-ones/{manager}/{report}/meetings",
        "-+-+-------",
    ),
    (
        "POST /one-on-ones/{manager}/{report}/standing",
        "-+-+-------",
    ),
    ("POST /one-on-ones/{manager}/{report}/series", "-+-+-------"),
    (
        "POST /one-on-ones/{manager}/{report}/series/{action}",
        "-+-+-------",
    ),
    ("GET /meetings/{meeting}", "-+-+-----+-"),
    ("POST /meetings/{meeting}/agenda", "-+-+-------"),
    ("POST /meetings/{meeting}/notes", "-+-+-------"),
    ("POST /meetings/{meeting}/private", "-+-+-------"),
    ("POST /meetings/{meeting}/actions", "-+-+-------"),
    ("POST /actions/{action}/done", "-+-+-------"),
    ("GET /api/v1/people/{id}/worksheet", "-+-++-+----"),
    ("POST /api/v1/people/{id}/ratings", "-+-+-------"),
    ("GET /api/v1/people/{id}/checkpoints", "-+-++-+----"),
    ("POST /api/v1/people/{id}/checkpoints", "-+-+-------"),
    ("POST /api/v1/checkpoints/{checkpoint}/close", "-+-+-------"),
    ("GET /api/v1/one-on-ones/{manager}/{report}", "-+-+-----+-"),
    (
        "POST /api/v1/one-on-ones/{manager}/{report}/meetings",
        "-+-+-------",
    ),
    (
        "POST /api/v1/one-on-ones/{manager}/{report}/series",
        "-+-+-------",
    ),
    (
        "POST /api/v1/one-on-ones/{manager}/{report}/series/{action}",
        "-+-+-------",
    ),
    ("GET /api/v1/meetings/{meeting}", "-+-+-----+-"),
    ("POST /api/v1/meetings/{meeting}/agenda", "-+-+-------"),
    ("POST /api/v1/meetings/{meeting}/notes", "-+-+-------"),
    ("POST /api/v1/meetings/{meeting}/private", "-+-+-------"),
    ("POST /api/v1/meetings/{meeting}/actions", "-+-+-------"),
    ("POST /api/v1/actions/{action}/done", "-+-+-------"),
    ("GET /api/v1/team/growth", "-+++++++++-"),
    ("GET /cycles", "-+++++++++-"),
    ("POST /cycles", "------+----"),
    ("GET /cycles/{cycle}", "-+++++++++-"),
    ("POST /cycles/{cycle}/advance", "------+----"),
    ("POST /cycles/{cycle}/release", "------+----"),
    ("GET /cycles/{cycle}/reminders", "------+----"),
    ("GET /cycles/{cycle}/nominations/{id}", "-+-+-------"),
    ("POST /cycles/{cycle}/nominations/{id}", "-+-+-------"),
    ("GET /cycles/{cycle}/nominations/{id}/people", "-+-+-------"),
    ("GET /cycles/{cycle}/feedback/{id}", "-+++-+-----"),
    ("POST /cycles/{cycle}/feedback/{id}", "-+++-+-----"),
    ("GET /cycles/{cycle}/results/{id}", "-+-++------"),
    (
        "GET /cycles/{cycle}/calibration/{department}",
        "----+-+----",
    ),
    (
        "POST /cycles/{cycle}/calibration/{department}/lock",
        "------+----",
    ),
    ("GET /people/{id}/proposals/new", "---+-------"),
    ("POST /people/{id}/proposals", "---+-------"),
    ("GET /proposals/{proposal}", "---++-+----"),
    ("POST /proposals/{proposal}/decide", "----+------"),
    ("GET /api/v1/cycles", "-+++++++++-"),
    ("POST /api/v1/cycles", "------+----"),
    ("GET /api/v1/cycles/{cycle}", "-+++++++++-"),
    ("POST /api/v1/cycles/{cycle}/advance", "------+----"),
    ("POST /api/v1/cycles/{cycle}/release", "------+----"),
    ("GET /api/v1/cycles/{cycle}/completion", "------+----"),
    ("GET /api/v1/cycles/{cycle}/reminders", "------+----"),
    ("GET /api/v1/cycles/{cycle}/nominations/{id}", "-+-+-------"),
    (
        "POST /api/v1/cycles/{cycle}/nominations/{id}",
        "-+-+-------",
    ),
    ("GET /api/v1/cycles/{cycle}/questions/{id}", "-+++-+-----"),
    ("POST /api/v1/cycles/{cycle}/feedback/{id}", "-+++-+-----"),
    ("GET /api/v1/cycles/{cycle}/results/{id}", "-+-++------"),
    (
        "GET /api/v1/cycles/{cycle}/calibration/{department}",
        "----+-+----",
    ),
    (
        "POST /api/v1/cycles/{cycle}/calibration/{department}/lock",
        "------+----",
    ),
    ("POST /api/v1/people/{id}/proposals", "---+-------"),
    ("GET /api/v1/proposals/{proposal}", "---++-+----"),
    ("GET /internships", "-+++++++++-"),
    ("POST /internships", "-+++++---+-"),
    ("GET /internships/mentors", "-+++++---+-"),
    ("GET /internships/{internship}", "-+-++-+----"),
    ("POST /internships/{internship}/decide", "---+-------"),
    ("POST /internships/{internship}/log", "-+-+-------"),
    ("POST /internships/{internship}/complete", "-+-+-------"),
    ("GET /api/v1/internships", "-+++++++++-"),
    ("POST /api/v1/internships", "-+++++---+-"),
    ("GET /api/v1/internships/{internship}", "-+-++-+----"),
    (
        "POST /api/v1/internships/{internship}/decisions",
        "---+-------",
    ),
    ("POST /api/v1/internships/{internship}/log", "-+-+-------"),
    (
        "POST /api/v1/internships/{internship}/complete",
        "-+-+-------",
    ),
    ("GET /hiring", "-+++++++++-"),
    ("POST /hiring", "------+-+--"),
    ("GET /hiring/people", "------+-+--"),
    ("GET /hiring/{opening}", "---+-+--+--"),
    ("POST /hiring/{opening}/candidates", "---+-+--+--"),
    ("GET /candidates/{candidate}", "---+-+--+--"),
    ("POST /candidates/{candidate}/scorecards", "---+-+-----"),
    ("POST /candidates/{candidate}/move", "---+----+--"),
    ("POST /candidates/{candidate}/delete", "---+----+--"),
    ("GET /api/v1/openings", "-+++++++++-"),
    ("POST /api/v1/openings", "------+-+--"),
    ("GET /api/v1/openings/{opening}", "---+-+--+--"),
    ("POST /api/v1/openings/{opening}/candidates", "---+-+--+--"),
    ("GET /api/v1/candidates/{candidate}", "---+-+--+--"),
    (
        "POST /api/v1/candidates/{candidate}/scorecards",
        "---+-+-----",
    ),
    ("POST /api/v1/candidates/{candidate}/move", "---+----+--"),
    ("POST /api/v1/candidates/{candidate}/delete", "---+----+--"),
    ("GET /pay", "------+----"),
    ("POST /pay/bands/import", "------+----"),
    ("POST /pay/salaries/import", "------+----"),
    ("GET /pay/export.csv", "------+----"),
    ("GET /people/{id}/erase", "------+----"),
    ("POST /people/{id}/erase", "------+----"),
    ("GET /people/{id}/pay", "-+-++-+----"),
    ("GET /team/pay", "-+++++++++-"),
    ("POST /api/v1/people/{id}/erase", "------+----"),
    ("GET /api/v1/people/{id}/pay", "-+-++-+----"),
    ("GET /api/v1/pay/compa", "------+----"),
    ("POST /api/v1/pay/bands/import", "------+----"),
    ("POST /api/v1/pay/salaries/import", "------+----"),
    ("POST /api/v1/proposals/{proposal}/decisions", "----+------"),
    ("GET /admin/provisioning", "--------+--"),
    ("POST /admin/provisioning", "--------+--"),
    ("POST /admin/provisioning/{id}/revoke", "--------+--"),
    ("GET /scim/v2/ServiceProviderConfig", "-----------"),
    ("GET /scim/v2/ResourceTypes", "-----------"),
    ("GET /scim/v2/ResourceTypes/{id}", "-----------"),
    ("GET /scim/v2/Schemas", "-----------"),
    ("GET /scim/v2/Schemas/{id}", "-----------"),
    ("GET /scim/v2/Users", "-----------"),
    ("POST /scim/v2/Users", "-----------"),
    ("GET /scim/v2/Users/{id}", "-----------"),
    ("PUT /scim/v2/Users/{id}", "-----------"),
    ("PATCH /scim/v2/Users/{id}", "-----------"),
    ("DELETE /scim/v2/Users/{id}", "-----------"),
    ("GET /scim/v2/Groups", "-----------"),
    ("POST /scim/v2/Groups", "-----------"),
    ("GET /scim/v2/Groups/{id}", "-----------"),
    ("PUT /scim/v2/Groups/{id}", "-----------"),
    ("PATCH /scim/v2/Groups/{id}", "-----------"),
    ("DELETE /scim/v2/Groups/{id}", "-----------"),
    ("GET /scim/v2/{*rest}", "-----------"),
];

/// [`ROLES`] and the two roles of people who left a relationship or the
/// organisation.
const MATRIX_ROLES: [&str; 11] = [
    "anonymous",
    "self",
    "direct-report",
    "manager",
    "skip-level",
    "peer",
    "people-team",
    "editor",
    "admin",
    "former-manager",
    "leaver",
];

fn concrete(app: &App, path: &str) -> String {
    let target = if path.starts_with("/admin/users/") {
        app.accounts["victim"]
    } else {
        app.ids["self"]
    };
    path.replace("{id}", &target.to_string())
        .replace("{file}", "app.css")
        .replace("{*path}", "index.html")
        .replace("{*rest}", "Nowhere")
        .replace("{manager}", &app.ids["manager"].to_string())
        .replace("{report}", &app.ids["self"].to_string())
        .replace("{checkpoint}", &app.ids["checkpoint"].to_string())
        .replace("{meeting}", &app.ids["meeting"].to_string())
        .replace("{action}", &app.ids["action"].to_string())
        .replace("{cycle}", &app.ids["cycle"].to_string())
        .replace("{proposal}", &app.ids["proposal"].to_string())
        .replace("{internship}", &app.ids["internship"].to_string())
        .replace("{opening}", &app.ids["opening"].to_string())
        .replace("{candidate}", &app.ids["candidate"].to_string())
        .replace("{department}", "Platform%20Services")
        .replace("{family}", "backend-engineer")
        .replace("{level}", "senior")
        .replace("{token}", "not-a-reset-link")
}

/// Sends the request a real user of the route would send, with the
/// viewer's CSRF token, and reports whether access was refused.
async fn refused(app: &App, role: &str, method: &str, path: &str) -> (bool, u16) {
    let (mut c, csrf) = client_as(app, role).await;
    let mut url = concrete(app, path);
    if role == "former-manager" {
        // Their own old pair with `self`, and its meeting.
        url = concrete(
            app,
            &path
                .replace("{manager}", &app.ids["former-manager"].to_string())
                .replace("{meeting}", &app.ids["former-meeting"].to_string()),
        );
    }
    let res = match (method, path) {
        ("GET", _) => c.get(&url).await,
        ("POST", "/login" | "/setup" | "/password/forgot" | "/password/reset/{token}") => {
            let pre = "ab".repeat(32);
            c.cookies.insert("ladder_pre".to_owned(), pre.clone());
            let fields = [
                ("csrf", pre.as_str()),
                ("email", "nobody@example.com"),
                ("password", "wrong password"),
            ];
            c.post_form(&url, &fields).await
        }
        ("POST", p) if !p.starts_with("/api/") && p.ends_with("/import") => {
            let csv =
                "email,name,job_family,level\nself@example.com,self,backend-engineer,senior\n";
            let (ct, body) = multipart(&csrf, csv);
            c.request("POST", &url, Some(&ct), &body).await
        }
        ("POST", p) if p.starts_with("/api/") => {
            c.headers.push(("X-CSRF-Token".to_owned(), csrf.clone()));
            if p.ends_with("/import") {
                c.request(
                    "POST",
                    &url,
                    Some("text/csv"),
                    b"email,name,job_family,level\n",
                )
                .await
            } else {
                c.request(
                    "POST",
                    &url,
                    Some("application/json"),
                    br#"{"name":"matrix"}"#,
                )
                .await
            }
        }
        ("POST", _) => c.post_form(&url, &[("csrf", &csrf)]).await,
        ("PUT" | "PATCH" | "DELETE", _) => {
            c.headers.push(("X-CSRF-Token".to_owned(), csrf.clone()));
            c.request(method, &url, Some("application/scim+json"), b"{}")
                .await
        }
        _ => panic!("no request for {method} {path}"),
    };
    assert!(
        res.status < 500,
        "{role} {method} {path}: {} {}",
        res.status,
        res.body
    );
    let to_login = res.status == 303
        && res
            .header("location")
            .is_some_and(|l| l == "/login" || l.starts_with("/login?next="));
    (
        res.status == 401 || res.status == 403 || to_login,
        res.status,
    )
}

#[tokio::test]
async fn authorization_matrix_covers_every_route_and_every_role() {
    let mut app = start().await;
    // Growth data about `self`: a checkpoint, a 1:1 meeting with their
    // manager and an action item, for the routes that name them.
    let (me, boss) = (app.ids["self"], app.ids["manager"]);
    let area = |r: &str| ladder_store::NewFocusArea {
        ref_id: r.to_owned(),
        title: r.to_owned(),
        goals: "g".to_owned(),
        targets: "t".to_owned(),
        ideas: String::new(),
    };
    let checkpoint = app
        .store
        .open_checkpoint(
            me,
            "2026-Q1",
            &[area("a"), area("b")],
            None,
            NOW,
            &support::fixture("open_checkpoint"),
        )
        .await
        .unwrap();
    let meeting = app
        .store
        .create_meeting(
            boss,
            me,
            "2026-01-05",
            NOW,
            &support::fixture("create_meeting"),
        )
        .await
        .unwrap();
    let action = app
        .store
        .add_action_item(
            meeting,
            me,
            "do it",
            NOW,
            &support::fixture("add_action_item"),
        )
        .await
        .unwrap();
    app.ids.insert("checkpoint", checkpoint);
    app.ids.insert("meeting", meeting);
    app.ids.insert("action", action);
    // A cycle in its feedback phase where `self` is asked about by
    // themself, their manager, their report and a peer, and a pending
    // proposal for `self` waiting for the skip-level.
    let (cycle, proposal) = feedback_fixture(&app).await;
    app.ids.insert("cycle", cycle);
    app.ids.insert("proposal", proposal);
    // An internship `self` asked for with a mentor in another department.
    let (_, internship) = internship_fixture(&app).await;
    app.ids.insert("internship", internship);
    // An opening led by `manager` with `peer` interviewing, and a candidate.
    let (opening, candidate) = hiring_fixture(&app).await;
    app.ids.insert("opening", opening);
    app.ids.insert("candidate", candidate);
    // A former manager, who held a 1:1 with `self` before `self` moved to
    // `manager`, and a leaver, deactivated by a people import.
    let mut everyone: Vec<_> = app
        .store
        .list_people()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.record)
        .collect();
    everyone.push(person(
        "former@example.com",
        Some("skip@example.com"),
        "manager",
    ));
    everyone.push(person(
        "leaver@example.com",
        Some("manager@example.com"),
        "senior",
    ));
    app.store
        .apply_people(
            &everyone,
            "2026-01-02",
            None,
            NOW,
            &support::fixture("apply_people"),
        )
        .await
        .unwrap();
    for (role, email) in [
        ("former-manager", "former@example.com"),
        ("leaver", "leaver@example.com"),
    ] {
        let account = app
            .store
            .create_account(
                email,
                role,
                None,
                ladder_store::Roles::NONE,
                NOW,
                &support::fixture("create_account"),
            )
            .await
            .unwrap();
        app.accounts.insert(role, account);
        let id = app.store.person_by_email(email).await.unwrap().unwrap().id;
        app.ids.insert(role, id);
    }
    let old = app
        .store
        .create_meeting(
            app.ids["former-manager"],
            me,
            "2025-12-01",
            NOW,
            &support::fixture("create_meeting"),
        )
        .await
        .unwrap();
    app.ids.insert("former-meeting", old);
    for r in everyone
        .iter_mut()
        .filter(|r| r.email == "leaver@example.com")
    {
        r.active = false;
    }
    let left = app
        .store
        .apply_people(
            &everyone,
            "2026-01-03",
            None,
            NOW,
            &support::fixture("apply_people"),
        )
        .await
        .unwrap();
    assert_eq!(left.left, 1);
    let table: BTreeMap<String, &str> = MATRIX.iter().map(|(r, e)| ((*r).to_owned(), *e)).collect();
    let routes: Vec<String> = ROUTES
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    for r in &routes {
        assert!(
            table.contains_key(r),
            "route `{r}` is missing from the authorization matrix"
        );
    }
    for r in table.keys() {
        assert!(
            routes.contains(r),
            "the matrix lists `{r}`, which is not a route"
        );
    }
    let mut wrong = Vec::new();
    for route in ROUTES {
        let key = format!("{} {}", route.method, route.path);
        let expected: Vec<char> = table[&key].chars().filter(|c| *c != ' ').collect();
        assert_eq!(
            expected.len(),
            MATRIX_ROLES.len(),
            "{key}: one mark per role"
        );
        for (role, want) in MATRIX_ROLES.iter().zip(&expected) {
            if route.path.ends_with("/delete") {
                // Each role gets a candidate of its own to delete.
                let c = app
                    .store
                    .add_candidate(
                        opening,
                        "Del Candidate",
                        "del@example.net",
                        "screen",
                        NOW,
                        &support::fixture("add_candidate"),
                    )
                    .await
                    .unwrap();
                app.ids.insert("candidate", c);
            }
            let (denied, status) = refused(&app, role, route.method, route.path).await;
            let got = if denied { '-' } else { '+' };
            if got != *want {
                wrong.push(format!(
                    "{key} as {role}: expected {want}, got {got} ({status})"
                ));
            }
        }
        app.ids.insert("candidate", candidate);
        // The route table's documented audience agrees with the matrix.
        let doc = match route.audience {
            Audience::Public => "+++++++++",
            Audience::SignedIn => "-++++++++",
            Audience::PrivateToPerson => "-+-++-+--",
            Audience::PersonOrManager | Audience::Pair => "-+-+-----",
            Audience::Myself => "-+-------",
            Audience::PersonAndChain => "-+-++----",
            Audience::Respondent => "-+++-+---",
            Audience::DirectManager => "---+-----",
            Audience::ChainAndPeopleTeam => "---++-+--",
            Audience::NextApprover => "----+----",
            Audience::Calibrators => "----+-+--",
            Audience::HasPerson => "-+++++---",
            Audience::InternshipParties => "-+-++-+--",
            Audience::InternshipApprover => "---+-----",
            Audience::InternshipSides => "-+-+-----",
            Audience::HiringAdmin => "------+-+",
            Audience::HiringTeam => "---+-+--+",
            Audience::HiringInterviewer => "---+-+---",
            Audience::HiringLead => "---+----+",
            Audience::PeopleTeam => "------+--",
            Audience::Admin => "--------+",
            Audience::DeliveryLog => "------+-+",
            Audience::Editor => "-------++",
            Audience::FrameworkReview => "------+++",
            Audience::Provisioning | Audience::Monitoring => "---------",
        };
        // The former manager reads their old pair's record and nothing
        // else private; the leaver reaches only public pages.
        let after = match route.audience {
            Audience::Public => "++",
            Audience::SignedIn | Audience::HasPerson => "+-",
            Audience::Pair if route.method == "GET" => "+-",
            _ => "--",
        };
        assert_eq!(
            format!("{doc}{after}"),
            table[&key],
            "{key}: the route table says {:?}",
            route.audience
        );
    }
    assert!(
        wrong.is_empty(),
        "authorization differs from the matrix:\n{}",
        wrong.join("\n")
    );
}

#[tokio::test]
async fn login_sets_a_safe_cookie_rotates_the_session_and_logout_ends_it() {
    let app = start().await;
    let mut c = Client::new(app.addr);
    let res = c.login("Self@Example.com", PASSWORD).await;
    assert_eq!((res.status, res.header("location")), (303, Some("/")));
    let cookie = res
        .all("set-cookie")
        .into_iter()
        .find(|v| v.starts_with("ladder_session="))
        .unwrap()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain http on loopback: {cookie}"
    );
    let first = c.cookies["ladder_session"].clone();
    assert!(
        c.get("/")
            .await
            .body
            .contains("<span class=\"who\">self</span>")
    );

    // Signing in again gives a new session id and ends the old one.
    let mut stolen = c.clone();
    c.login("self@example.com", PASSWORD).await;
    let second = c.cookies["ladder_session"].clone();
    assert_ne!(first, second);
    assert_eq!(
        stolen.get("/").await.status,
        303,
        "the old session id no longer works"
    );

    let csrf = c.session_csrf().await;
    assert_eq!(
        c.post_form("/logout", &[("csrf", "wrong")]).await.status,
        403,
        "logout needs the CSRF token"
    );
    let out = c.post_form("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(
        (out.status, out.header("location")),
        (303, Some("/login?signed-out"))
    );
    let mut after = Client::new(app.addr);
    after.cookies.insert("ladder_session".to_owned(), second);
    assert_eq!(after.get("/").await.header("location"), Some("/login"));
}

#[tokio::test]
async fn sessions_expire() {
    let app = start().await;
    let mut c = Client::new(app.addr);
    c.login("self@example.com", PASSWORD).await;
    assert_eq!(c.get("/").await.status, 200);
    Client::new(app.addr)
        .login("peer@example.com", "not the password")
        .await;
    let key = "account:peer@example.com";
    assert_eq!(app.store.failures_since(key, 0).await.unwrap(), 1);
    app.clock.advance(13 * 3600);
    assert_eq!(c.get("/").await.header("location"), Some("/login"));
    assert_eq!(
        app.state.sweep_sessions().await.unwrap(),
        1,
        "the hourly sweep drops it"
    );
    assert_eq!(
        app.store.failures_since(key, 0).await.unwrap(),
        0,
        "and the login failures too old to count"
    );
}

#[tokio::test]
async fn wrong_passwords_and_unknown_emails_look_alike_and_are_throttled() {
    let app = start().await;
    let mut c = Client::new(app.addr);
    let wrong = c.login("self@example.com", "not the password").await;
    let unknown = c.login("nobody@example.com", "not the password").await;
    assert_eq!((wrong.status, unknown.status), (400, 400));
    let msg = |r: &Response| {
        r.body
            .split("role=\"alert\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_owned()
    };
    assert_eq!(msg(&wrong), msg(&unknown));
    for _ in 0..4 {
        c.login("self@example.com", "still wrong").await;
    }
    let blocked = c.login("self@example.com", PASSWORD).await;
    assert_eq!(
        blocked.status, 429,
        "the right password is refused while throttled"
    );
    assert!(blocked.body.contains("too many attempts"));
    assert_eq!(
        c.login("peer@example.com", PASSWORD).await.status,
        303,
        "other accounts still sign in"
    );
    app.clock.advance(16 * 60);
    assert_eq!(
        c.login("self@example.com", PASSWORD).await.status,
        303,
        "the window passes"
    );
    let log = app.store.audit_log(None, 100).await.unwrap();
    assert!(log.iter().any(|e| e.action == "login.throttled"));
    assert_eq!(log.iter().filter(|e| e.action == "login.failed").count(), 6);
}

#[tokio::test]
async fn every_response_has_the_security_headers() {
    let app = start().await;
    let mut c = Client::new(app.addr);
    for path in ["/login", "/framework/", "/api/v1/framework", "/nowhere"] {
        let r = c.get(path).await;
        let csp = r.header("content-security-policy").unwrap();
        assert!(
            csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(r.header("referrer-policy"), Some("same-origin"));
    }
    let page = c.get("/login").await.body;
    assert!(
        !page.contains("<script>") && !page.contains(" style="),
        "no inline script or style"
    );
    assert!(
        page.contains("<script src=\"/assets/htmx.min.js\""),
        "htmx comes from our own assets"
    );
}

#[tokio::test]
async fn private_person_data_shows_only_to_self_managers_and_people_team_and_is_audited() {
    let app = start().await;
    let target = app.ids["self"];
    for (role, sees) in [
        ("self", true),
        ("manager", true),
        ("skip-level", true),
        ("people-team", true),
        ("peer", false),
        ("direct-report", false),
        ("editor", false),
        ("admin", false),
    ] {
        let (mut c, _) = client_as(&app, role).await;
        let page = c.get(&format!("/people/{target}")).await;
        assert_eq!(page.status, 200, "{role}");
        assert!(
            page.body
                .contains("Senior Backend Engineer (Platform Services)"),
            "{role}: the directory part"
        );
        assert_eq!(page.body.contains("Role history"), sees, "{role}");
        assert_eq!(
            page.body.contains("2020-02-03"),
            sees,
            "{role}: the start date"
        );
        assert_eq!(
            page.body.contains("<td>hired</td>"),
            sees,
            "{role}: the history rows"
        );
        let fragment = c.get(&format!("/people/{target}/history")).await;
        assert_eq!(
            fragment.body.contains("<td>2026-01-01</td>"),
            sees,
            "{role}: {}",
            fragment.body
        );
        let api = c.get(&format!("/api/v1/people/{target}/history")).await;
        assert_eq!(api.status, if sees { 200 } else { 403 }, "{role}");
        if !sees {
            assert!(
                api.body.contains("\"code\":\"forbidden\""),
                "{role}: {}",
                api.body
            );
            assert!(!api.body.contains("2020-02-03"));
        }
    }
    let log = app.store.audit_log(None, 200).await.unwrap();
    let readers: Vec<&str> = log
        .iter()
        .filter(|e| e.action == "person.private.read" && e.subject_id == Some(target))
        .map(|e| e.actor.as_str())
        .collect();
    assert!(
        readers.contains(&"manager@example.com") && readers.contains(&"people@example.com"),
        "{readers:?}"
    );
    assert!(
        !readers.contains(&"self@example.com"),
        "reading your own data is not a sensitive read"
    );
}

#[tokio::test]
async fn a_people_file_with_one_bad_row_changes_nothing_and_names_the_row() {
    let app = start().await;
    let (mut c, csrf) = client_as(&app, "people-team").await;
    let before = app.store.dump().await.unwrap().people;
    let csv = "email,name,manager_email,job_family,level\n\
               new.one@example.com,New One,manager@example.com,backend-engineer,senior\n\
               new.two@example.com,New Two,manager@example.com,backend-engineer,seniour\n";
    let (ct, body) = multipart(&csrf, csv);
    let res = c
        .request("POST", "/people-team/import", Some(&ct), &body)
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("Nothing was changed"));
    assert!(
        res.body
            .contains("<td>3</td><td>level</td><td>seniour</td>"),
        "{}",
        res.body
    );
    assert!(res.body.contains("did you mean `senior`?"));
    assert_eq!(app.store.dump().await.unwrap().people, before);

    // The API refuses the same file with every problem as JSON.
    c.headers.push(("X-CSRF-Token".to_owned(), csrf.clone()));
    let api = c
        .request(
            "POST",
            "/api/v1/people/import",
            Some("text/csv"),
            csv.as_bytes(),
        )
        .await;
    assert_eq!(api.status, 422);
    let v: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(v["error"]["code"], "invalid_rows");
    assert_eq!(v["error"]["problems"][0]["row"], 3);
    assert_eq!(v["error"]["problems"][0]["column"], "level");

    // Fixed, it applies whole and records the new people's roles.
    let fixed = csv.replace("seniour", "senior");
    let (ct, body) = multipart(&csrf, &fixed);
    let ok = c
        .request("POST", "/people-team/import", Some(&ct), &body)
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert!(ok.body.contains("2 new, 0 updated"));
    let two = app
        .store
        .person_by_email("new.two@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        app.store.role_history(two.id).await.unwrap()[0].effective,
        "2026-11-21"
    );
    let log = app.store.audit_log(None, 10).await.unwrap();
    assert!(log.iter().any(|e| e.action == "people.import.refused"));
    assert!(
        log.iter()
            .any(|e| e.action == "people.import" && e.actor == "people@example.com")
    );
}

#[tokio::test]
async fn api_tokens_work_without_cookies_and_cookie_calls_need_the_csrf_header() {
    let app = start().await;
    let (mut c, csrf) = client_as(&app, "self").await;
    let denied = c
        .request(
            "POST",
            "/api/v1/tokens",
            Some("application/json"),
            br#"{"name":"x"}"#,
        )
        .await;
    assert_eq!(denied.status, 403);
    assert!(denied.body.contains("\"code\":\"csrf\""));
    c.headers.push(("X-CSRF-Token".to_owned(), csrf));
    let made = c
        .request(
            "POST",
            "/api/v1/tokens",
            Some("application/json"),
            br#"{"name":"sync"}"#,
        )
        .await;
    assert_eq!(made.status, 200, "{}", made.body);
    let token = serde_json::from_str::<serde_json::Value>(&made.body).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut script = Client::new(app.addr);
    script
        .headers
        .push(("Authorization".to_owned(), format!("Bearer {token}")));
    let me = script.get("/api/v1/me").await;
    assert_eq!(me.status, 200);
    assert!(me.body.contains("self@example.com"));
    let mut bad = Client::new(app.addr);
    bad.headers
        .push(("Authorization".to_owned(), "Bearer ladder_nope".to_owned()));
    let r = bad.get("/api/v1/me").await;
    assert_eq!(r.status, 401);
    assert_eq!(r.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn the_first_admin_comes_from_a_one_time_link() {
    let (store, dir) = sqlite_store().await;
    let app = start_on(store, Some(dir), false).await;
    let token = app
        .state
        .auth()
        .bootstrap_token(NOW)
        .await
        .unwrap()
        .unwrap();
    let mut c = Client::new(app.addr);
    let form = c.get(&format!("/setup?token={token}")).await;
    assert_eq!(form.status, 200);
    let pre = form.csrf();
    let short = c
        .post_form(
            "/setup",
            &[
                ("csrf", &pre),
                ("token", &token),
                ("name", "Ada"),
                ("email", "ada@example.com"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(short.status, 400);
    assert!(short.body.contains("at least 10 characters"));
    let done = c
        .post_form(
            "/setup",
            &[
                ("csrf", &pre),
                ("token", &token),
                ("name", "Ada"),
                ("email", "ada@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, 303);
    assert_eq!(
        c.get("/admin/users").await.status,
        200,
        "the first account is an admin, signed in"
    );
    let mut again = Client::new(app.addr);
    assert_eq!(
        again.get(&format!("/setup?token={token}")).await.status,
        400,
        "set up already"
    );
    assert!(
        app.state
            .auth()
            .bootstrap_token(NOW)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn my_role_shows_my_level_and_what_the_next_adds() {
    let app = start().await;
    let (mut c, _) = client_as(&app, "self").await;
    assert!(c.get("/").await.body.contains("href=\"/my-role\""));
    let home = c.get("/my-role").await.body;
    assert!(home.contains("Senior Backend Engineer (Platform Services)"));
    assert!(home.contains("What your level expects"));
    assert!(
        home.contains("What Staff Backend Engineer (Platform Services) adds"),
        "{home}"
    );
    assert!(
        home.contains("href=\"/framework/"),
        "links point into the framework browser"
    );
    let (mut admin, _) = client_as(&app, "admin").await;
    assert!(admin.get("/").await.body.contains("not linked to a person"));
    let team = c.get("/team").await.body;
    assert!(
        team.contains("report@example.com") || team.contains(">report<"),
        "{team}"
    );
    let (mut m, _) = client_as(&app, "skip-level").await;
    let t = m.get("/team").await.body;
    assert!(t.contains("1 direct, 3 through your managers"), "{t}");
    let org = c.get("/org/search?q=peer").await.body;
    assert!(org.contains(">peer</a>"), "{org}");
}

#[tokio::test]
async fn the_framework_reloads_and_each_version_is_recorded_by_hash() {
    let app = start().await;
    let before = app.state.framework().hash.clone();
    let (mut c, csrf) = client_as(&app, "editor").await;
    let r = c
        .post_form("/admin/framework/reload", &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        app.state.framework().hash,
        before,
        "same content, same hash"
    );
    let versions = app.store.framework_versions().await.unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].hash, before);
    let api = c.get("/api/v1/framework").await.body;
    assert!(api.contains(&before));
}

#[test]
fn openapi_json_matches_the_code() {
    let committed = include_str!("../../../openapi.json");
    let generated = ladder_server::api::openapi_json();
    assert!(
        committed == generated,
        "openapi.json is out of date; run `cargo run -- openapi > openapi.json` and commit it"
    );
}

/// The document says how to authenticate: a bearer API token or the
/// session cookie, either for every operation; and the session cookie it
/// names is the one the server sets.
#[test]
fn openapi_declares_the_token_and_the_session_cookie() {
    let doc: serde_json::Value = serde_json::from_str(&ladder_server::api::openapi_json()).unwrap();
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["token"]["type"], "http");
    assert_eq!(schemes["token"]["scheme"], "bearer");
    assert_eq!(schemes["session"]["type"], "apiKey");
    assert_eq!(schemes["session"]["in"], "cookie");
    assert_eq!(
        schemes["session"]["name"],
        ladder_server::auth::SESSION_COOKIE
    );
    assert_eq!(
        doc["security"],
        serde_json::json!([{"token": []}, {"session": []}])
    );
}

#[tokio::test]
async fn two_nodes_share_sessions_through_postgres() {
    let db = ladder_store_postgres::TempDatabase::for_tests("nodes")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let pg = ladder_server::Database::Postgres(db.url.clone());
    let (store_a, _) = ladder_server::open_store(&pg).await.unwrap();
    let (store_b, _) = ladder_server::open_store(&pg).await.unwrap();
    assert_eq!(store_a.backend(), "postgres");
    let a = start_on(store_a, None, true).await;
    let b = start_on(store_b, None, false).await;
    let mut c = Client::new(a.addr);
    assert_eq!(c.login("self@example.com", PASSWORD).await.status, 303);
    let mut on_b = Client::new(b.addr);
    on_b.cookies = c.cookies.clone();
    assert!(
        on_b.get("/")
            .await
            .body
            .contains("<span class=\"who\">self</span>"),
        "node B knows node A's session"
    );
    // Each node keeps the organisation in memory: a change imported
    // through node B shows on node A at once (the version read with the
    // session moves, so A reloads).
    let self_id = a.ids["self"];
    let before = c.get(&format!("/people/{self_id}")).await;
    assert!(before.body.contains("Lisbon"), "{}", before.body);
    let session = b
        .state
        .auth()
        .start_session(
            a.accounts["people-team"],
            &ladder_server::auth::Client::default(),
            b.clock_now(),
        )
        .await
        .unwrap();
    let mut team_b = Client::new(b.addr);
    team_b.cookies.insert(
        ladder_server::auth::SESSION_COOKIE.to_owned(),
        session.token,
    );
    let team_csrf = session.csrf;
    let csv = "email,name,job_family,level,location\nself@example.com,self,backend-engineer,senior,Porto\n";
    let (ct, body) = multipart(&team_csrf, csv);
    let res = team_b
        .request("POST", "/people-team/import", Some(&ct), &body)
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let after = c.get(&format!("/people/{self_id}")).await;
    assert!(
        after.body.contains("Porto") && !after.body.contains("Lisbon"),
        "node A serves the import made on node B: {}",
        after.body
    );
    let csrf = on_b.session_csrf().await;
    on_b.post_form("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(
        c.get("/").await.header("location"),
        Some("/login"),
        "logout on B ends it on A"
    );
    // Throttling is shared too.
    for _ in 0..5 {
        Client::new(a.addr)
            .login("peer@example.com", "wrong password")
            .await;
    }
    assert_eq!(
        Client::new(b.addr)
            .login("peer@example.com", PASSWORD)
            .await
            .status,
        429
    );
    drop((a, b));
    db.drop_database().await.unwrap();
}

#[tokio::test]
async fn an_admin_adds_an_account_with_roles_that_then_work() {
    let app = start().await;
    let (mut admin, csrf) = client_as(&app, "admin").await;
    let fields = [
        ("csrf", csrf.as_str()),
        ("name", "Pia People"),
        ("email", "pia@example.com"),
        ("password", PASSWORD),
        ("people_team", "on"),
    ];
    let r = admin.post_form("/admin/users", &fields).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Added pia@example.com."));
    let again = admin.post_form("/admin/users", &fields).await;
    assert_eq!(again.status, 400);
    assert!(
        again
            .body
            .contains("already an account for pia@example.com")
    );
    // The refused form keeps what was typed (not the password), open.
    assert!(
        again.body.contains("value=\"Pia People\""),
        "{}",
        again.body
    );
    assert!(again.body.contains("value=\"pia@example.com\""));
    assert!(
        again
            .body
            .contains("name=\"people_team\" value=\"on\" checked")
    );
    assert!(again.body.contains("<details class=\"add-account\" open>"));
    let mut pia = Client::new(app.addr);
    assert_eq!(pia.login("pia@example.com", PASSWORD).await.status, 303);
    assert_eq!(
        pia.get("/audit").await.status,
        200,
        "the people-team box gave the role"
    );
    assert_eq!(pia.get("/admin/users").await.status, 403);
    let own = app.accounts["admin"];
    let r = admin
        .post_form(&format!("/admin/users/{own}/roles"), &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, 400, "an admin cannot drop their own admin role");
    assert!(
        r.body
            .contains("id=\"roles-error\">You cannot remove your own admin role"),
        "said on top, in words: {}",
        r.body
    );
    assert!(
        !r.body.contains("<details class=\"add-account\" open>"),
        "not in the add form"
    );
    let log = app.store.audit_log(None, 50).await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "account.create" && e.detail == "pia@example.com as people")
    );
}

#[tokio::test]
async fn private_notes_are_read_by_their_author_only() {
    let app = start().await;
    let (me, boss) = (app.ids["self"], app.ids["manager"]);
    let mut manager = api_as(&app, "manager").await;
    let made = post_json(
        &mut manager,
        &format!("/api/v1/one-on-ones/{boss}/{me}/meetings"),
        &serde_json::json!({"date": "2026-11-20"}),
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let meeting = json(&made)["id"].as_i64().unwrap();
    let secrets = [
        ("manager", "MANAGER-ONLY-7f3a"),
        ("self", "REPORT-ONLY-91c2"),
    ];
    for (role, text) in secrets {
        let mut c = api_as(&app, role).await;
        let r = post_json(
            &mut c,
            &format!("/api/v1/meetings/{meeting}/private"),
            &serde_json::json!({"text": text, "version": 0}),
        )
        .await;
        assert_eq!(r.status, 200, "{role}: {}", r.body);
    }
    // Every role, through every door that shows a meeting.
    for role in ROLES {
        let (mut c, _) = client_as(&app, role).await;
        for path in [
            format!("/meetings/{meeting}"),
            format!("/api/v1/meetings/{meeting}"),
            format!("/one-on-ones/{boss}/{me}"),
            format!("/api/v1/one-on-ones/{boss}/{me}"),
        ] {
            let r = c.get(&path).await;
            for (author, text) in secrets {
                if author == role {
                    continue;
                }
                assert!(
                    !r.body.contains(text),
                    "{role} read {author}'s private note at {path}"
                );
            }
            let participant = role == "self" || role == "manager";
            assert_eq!(r.status == 200, participant, "{role} {path}: {}", r.status);
        }
    }
    // Each author reads their own.
    for (role, text) in secrets {
        let (mut c, _) = client_as(&app, role).await;
        let r = c.get(&format!("/api/v1/meetings/{meeting}")).await;
        assert_eq!(json(&r)["private_note"]["text"], text);
    }
    // The audit log records the saves, never their text.
    let (mut team, _) = client_as(&app, "people-team").await;
    let audit = team.get("/audit").await;
    assert!(audit.body.contains("meeting.private_note.save"));
    assert!(secrets.iter().all(|(_, t)| !audit.body.contains(t)));
    // So does the outbox, which notifications will read: an event per
    // save, and no event of any kind carries the text.
    let events = app.store.events_after(0, 1_000_000).await.unwrap();
    let saves = events
        .iter()
        .filter(|e| e.kind == "meeting.private_note.save" && e.object_id == Some(meeting))
        .count();
    assert_eq!(saves, 2, "one event per save");
    for e in &events {
        let stored = serde_json::to_string(e).unwrap();
        assert!(
            secrets.iter().all(|(_, t)| !stored.contains(t)),
            "an event carries a private note: {stored}"
        );
    }
}

#[tokio::test]
async fn starting_a_meeting_on_a_day_that_has_one_opens_it() {
    let app = start().await;
    let (me, boss) = (app.ids["self"], app.ids["manager"]);
    let (mut c, csrf) = client_as(&app, "manager").await;
    let path = format!("/one-on-ones/{boss}/{me}/meetings");
    let form = [("csrf", csrf.as_str()), ("date", "2026-11-20")];
    let first = c.post_form(&path, &form).await;
    assert_eq!(first.status, 303, "{}", first.body);
    let second = c.post_form(&path, &form).await;
    assert_eq!(second.status, 303, "{}", second.body);
    assert_eq!(
        first.header("location"),
        second.header("location"),
        "the second start opens the first meeting"
    );
    let meetings = app.store.meetings(boss, me).await.unwrap();
    assert_eq!(meetings.len(), 1, "no second meeting on the same day");
}

#[tokio::test]
async fn concurrent_edits_of_shared_notes_answer_409_with_the_other_side() {
    let app = start().await;
    let (me, boss) = (app.ids["self"], app.ids["manager"]);
    let meeting = app
        .store
        .create_meeting(
            boss,
            me,
            "2026-11-20",
            NOW,
            &support::fixture("create_meeting"),
        )
        .await
        .unwrap();
    let mut manager = api_as(&app, "manager").await;
    let mut report = api_as(&app, "self").await;
    let path = format!("/api/v1/meetings/{meeting}");
    let v = json(&manager.get(&path).await)["version"].as_i64().unwrap();
    assert_eq!(json(&report.get(&path).await)["version"].as_i64(), Some(v));
    let first = post_json(
        &mut manager,
        &format!("{path}/notes"),
        &serde_json::json!({"text": "From the manager", "version": v}),
    )
    .await;
    assert_eq!(first.status, 200, "{}", first.body);
    let stale = post_json(
        &mut report,
        &format!("{path}/notes"),
        &serde_json::json!({"text": "From the report", "version": v}),
    )
    .await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    let body = json(&stale);
    assert_eq!(body["error"]["code"], "stale");
    assert_eq!(body["error"]["current"]["text"], "From the manager");
    let now_v = body["error"]["current"]["version"].as_i64().unwrap();
    assert!(now_v > v);
    assert_eq!(
        json(&report.get(&path).await)["shared_notes"],
        "From the manager",
        "nothing was overwritten"
    );
    // The web form answers 409 too, with both texts to merge.
    let (mut web, csrf) = client_as(&app, "self").await;
    let page = web
        .post_form(
            &format!("/meetings/{meeting}/notes"),
            &[
                ("csrf", &csrf),
                ("version", &v.to_string()),
                ("text", "Mine, typed meanwhile"),
            ],
        )
        .await;
    assert_eq!(page.status, 409);
    assert!(page.body.contains("after you opened the page"));
    assert!(page.body.contains("From the manager") && page.body.contains("Mine, typed meanwhile"));
    assert!(
        page.body
            .contains(&format!("name=\"version\" value=\"{now_v}\""))
    );
    // From htmx, only that form comes back, with the same merge.
    web.headers
        .push(("HX-Request".to_owned(), "true".to_owned()));
    let form = web
        .post_form(
            &format!("/meetings/{meeting}/notes"),
            &[
                ("csrf", &csrf),
                ("version", &v.to_string()),
                ("text", "Mine, typed meanwhile"),
            ],
        )
        .await;
    assert!(form.body.starts_with("<form"), "{}", form.body);
    assert!(!form.body.contains("<nav"), "a fragment, not a page");
    assert!(
        form.body.contains("after you opened the page")
            && form.body.contains("Mine, typed meanwhile")
    );
    assert!(
        form.body
            .contains(&format!("name=\"version\" value=\"{now_v}\""))
    );
    let private = web
        .post_form(
            &format!("/meetings/{meeting}/private"),
            &[("csrf", &csrf), ("version", "0"), ("text", "Only mine")],
        )
        .await;
    assert!(private.body.contains("Saved "), "{}", private.body);
    assert!(private.body.contains("Only mine"));
    web.headers.clear();
    // Merging and saving with the new version works.
    let merged = post_json(
        &mut report,
        &format!("{path}/notes"),
        &serde_json::json!({"text": "From the manager\nFrom the report", "version": now_v}),
    )
    .await;
    assert_eq!(merged.status, 200, "{}", merged.body);
}

#[tokio::test]
async fn checkpoints_keep_to_the_policy_and_one_per_quarter() {
    let app = start().await;
    let me = app.ids["self"];
    let ws = json(
        &api_as(&app, "self")
            .await
            .get(&format!("/api/v1/people/{me}/worksheet"))
            .await,
    );
    let ids: Vec<String> = ws["rows"]
        .as_array()
        .unwrap()
        .iter()
        .take(4)
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    let areas = |n: usize| {
        ids.iter()
            .take(n)
            .map(|id| serde_json::json!({"ref": id, "goals": "g", "targets": "t"}))
            .collect::<Vec<_>>()
    };
    let mut c = api_as(&app, "self").await;
    let path = format!("/api/v1/people/{me}/checkpoints");
    let one = post_json(&mut c, &path, &serde_json::json!({"areas": areas(1)})).await;
    assert_eq!(one.status, 400);
    assert!(
        json(&one)["error"]["message"]
            .as_str()
            .unwrap()
            .contains("choose at least 2; you chose 1")
    );
    let four = post_json(&mut c, &path, &serde_json::json!({"areas": areas(4)})).await;
    assert_eq!(four.status, 400);
    assert!(
        json(&four)["error"]["message"]
            .as_str()
            .unwrap()
            .contains("choose at most 3; you chose 4")
    );
    let mut no_goals = areas(2);
    no_goals[1]["goals"] = serde_json::json!(" ");
    let r = post_json(&mut c, &path, &serde_json::json!({"areas": no_goals})).await;
    assert!(
        r.status == 400 && r.body.contains("goals for"),
        "{}",
        r.body
    );
    assert!(
        app.store.checkpoints(me).await.unwrap().is_empty(),
        "nothing half-written"
    );
    let ok = post_json(&mut c, &path, &serde_json::json!({"areas": areas(2)})).await;
    assert_eq!(ok.status, 201, "{}", ok.body);
    let mut manager = api_as(&app, "manager").await;
    let again = post_json(&mut manager, &path, &serde_json::json!({"areas": areas(3)})).await;
    assert_eq!(again.status, 409, "{}", again.body);
    // Closing needs every summary.
    let id = json(&ok)["id"].as_i64().unwrap();
    let c1 = app.store.checkpoint(id).await.unwrap().unwrap();
    let close = format!("/api/v1/checkpoints/{id}/close");
    let partial = post_json(
        &mut manager,
        &close,
        &serde_json::json!({"summaries": [{"area": c1.areas[0].id, "summary": "went well"}]}),
    )
    .await;
    assert_eq!(partial.status, 400, "{}", partial.body);
    let all: Vec<serde_json::Value> = c1
        .areas
        .iter()
        .map(|a| serde_json::json!({"area": a.id, "summary": "went well"}))
        .collect();
    let done = post_json(&mut manager, &close, &serde_json::json!({"summaries": all})).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(json(&done)["closed_at"].is_i64());
    // The skip-level reads it but cannot change it.
    let (mut skip, _) = client_as(&app, "skip-level").await;
    assert_eq!(skip.get(&format!("/checkpoints/{id}")).await.status, 200);
}

#[tokio::test]
async fn ratings_are_per_side_pinned_to_the_framework_and_kept_as_history() {
    let app = start().await;
    let me = app.ids["self"];
    let path = format!("/api/v1/people/{me}/worksheet");
    let ws = json(&api_as(&app, "self").await.get(&path).await);
    let row = ws["rows"][0]["id"].as_str().unwrap().to_owned();
    let version = ws["framework_version"].as_str().unwrap().to_owned();
    let rate = format!("/api/v1/people/{me}/ratings");
    let mut own = api_as(&app, "self").await;
    let r = post_json(&mut own, &rate, &serde_json::json!({"statement": row, "value": 3, "evidence": "https://example.invalid/pr/1"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let mut manager = api_as(&app, "manager").await;
    let r = post_json(
        &mut manager,
        &rate,
        &serde_json::json!({"statement": row, "value": 2}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let ws = json(&own.get(&path).await);
    let first = &ws["rows"][0];
    assert_eq!(first["self_rating"]["value"], 3);
    assert_eq!(first["manager_rating"]["value"], 2);
    assert_eq!(first["self_rating"]["framework_version"], version.as_str());
    assert_eq!(first["differs"], true);
    // Bad input names the field and the fix.
    let bad = post_json(
        &mut own,
        &rate,
        &serde_json::json!({"statement": row, "value": 9}),
    )
    .await;
    assert!(
        bad.status == 400
            && bad.body.contains("not on the rating scale")
            && bad.body.contains("3 (Demonstrated)"),
        "{}",
        bad.body
    );
    let typo = format!("{row}x");
    let bad = post_json(
        &mut own,
        &rate,
        &serde_json::json!({"statement": typo, "value": 3}),
    )
    .await;
    assert!(
        bad.status == 400 && bad.body.contains("did you mean"),
        "{}",
        bad.body
    );
    // Only the person and their direct manager rate; the others who may
    // read are refused.
    for role in ["skip-level", "people-team"] {
        let mut c = api_as(&app, role).await;
        assert_eq!(c.get(&path).await.status, 200, "{role} reads");
        let r = post_json(
            &mut c,
            &rate,
            &serde_json::json!({"statement": row, "value": 4}),
        )
        .await;
        assert_eq!(r.status, 403, "{role} rates");
    }
    // Every change is kept: who, when, old and new.
    let own_rate = post_json(
        &mut own,
        &rate,
        &serde_json::json!({"statement": row, "value": 4}),
    )
    .await;
    assert_eq!(own_rate.status, 200);
    let history = app.store.rating_history(&[me]).await.unwrap();
    let mine: Vec<(Option<i64>, i64, Option<i64>)> = history
        .iter()
        .filter(|h| h.rater == ladder_store::Rater::Myself)
        .map(|h| (h.old_value, h.new_value, h.changed_by))
        .collect();
    let account = Some(app.accounts["self"]);
    assert_eq!(mine, [(None, 3, account), (Some(3), 4, account)]);
}

/// A person's worksheet page is kept per way of standing to them (the
/// person, the manager who rates, anyone else who may read): each viewer's
/// forms carry their own token, and a write to what it shows, even one
/// straight to the store as another node would make it, is on the next
/// page of every viewer.
#[tokio::test]
async fn a_kept_worksheet_follows_every_write_and_carries_each_viewers_token() {
    let app = start().await;
    let me = app.ids["self"];
    let page = format!("/people/{me}/worksheet");
    let ws = json(
        &api_as(&app, "self")
            .await
            .get(&format!("/api/v1/people/{me}/worksheet"))
            .await,
    );
    let row = ws["rows"][0]["id"].as_str().unwrap().to_owned();
    let (mut own, own_csrf) = client_as(&app, "self").await;
    let (mut own_too, other_csrf) = client_as(&app, "self").await;
    let (mut manager, manager_csrf) = client_as(&app, "manager").await;
    let (mut team, team_csrf) = client_as(&app, "people-team").await;
    let first = own.get(&page).await.body;
    assert_eq!(own.get(&page).await.body, first, "the same page again");
    assert!(first.contains(&format!("name=\"csrf\" value=\"{own_csrf}\"")));
    let second = own_too.get(&page).await.body;
    assert!(!second.contains(&own_csrf), "another session's token");
    assert_eq!(
        second.replace(&other_csrf, "TOKEN"),
        first.replace(&own_csrf, "TOKEN")
    );
    let theirs = manager.get(&page).await.body;
    assert!(theirs.contains("Your rating as manager") && !theirs.contains("Your rating as self"));
    assert!(theirs.contains(&manager_csrf) && !theirs.contains(&own_csrf));
    let read = team.get(&page).await.body;
    assert!(
        !read.contains("Your rating as"),
        "the people team rates on no side"
    );
    assert!(!read.contains(&own_csrf) && !read.contains(&manager_csrf));
    assert!(!team_csrf.is_empty());
    for (who, side, value) in [
        ("kept-check-self", ladder_store::Rater::Myself, 2),
        ("kept-check-manager", ladder_store::Rater::Manager, 3),
    ] {
        app.store
            .set_rating(
                &ladder_store::Rating {
                    person_id: me,
                    statement_id: row.clone(),
                    rater: side,
                    value,
                    evidence: who.to_owned(),
                    statement_text: String::new(),
                    framework_hash: String::new(),
                    rated_by: None,
                    rated_at: NOW,
                },
                &support::fixture("set_rating"),
            )
            .await
            .unwrap();
        for (viewer, c) in [
            ("self", &mut own),
            ("manager", &mut manager),
            ("people team", &mut team),
        ] {
            let body = c.get(&page).await.body;
            assert!(body.contains(who), "{viewer} sees {who}");
        }
    }
    // A filtered page is its own rendering, with the viewer's token.
    let filtered = own.get(&format!("{page}?show=differs")).await.body;
    assert!(filtered.contains(&own_csrf) && filtered.contains("kept-check-self"));
}

#[tokio::test]
async fn managers_see_overdue_checkpoints_and_readiness_for_their_chain() {
    let app = start().await;
    let me = app.ids["self"];
    // Last quarter's checkpoint was left open.
    let area = |r: &str| ladder_store::NewFocusArea {
        ref_id: r.to_owned(),
        title: r.to_owned(),
        goals: "g".to_owned(),
        targets: "t".to_owned(),
        ideas: String::new(),
    };
    app.store
        .open_checkpoint(
            me,
            "2026-Q3",
            &[area("a"), area("b")],
            None,
            NOW - 90 * 86_400,
            &support::fixture("open_checkpoint"),
        )
        .await
        .unwrap();
    let overdue_of = |v: &serde_json::Value, id: i64| -> Vec<String> {
        v["overdue"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["person_id"] == id)
            .map(|o| {
                format!(
                    "{} {}",
                    o["quarter"].as_str().unwrap(),
                    o["reason"].as_str().unwrap()
                )
            })
            .collect()
    };
    for role in ["manager", "skip-level"] {
        let (mut c, _) = client_as(&app, role).await;
        let v = json(&c.get("/api/v1/team/growth").await);
        assert_eq!(v["quarter"], "2026-Q4");
        assert_eq!(
            overdue_of(&v, me),
            [
                "2026-Q4 no checkpoint opened this quarter",
                "2026-Q3 the quarter ended and the checkpoint is not closed"
            ],
            "{role}"
        );
        assert!(
            v["readiness"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["person_id"] == me)
        );
        let page = c.get("/team/growth").await;
        assert!(page.body.contains("Overdue checkpoints") && page.body.contains("role=\"img\""));
        let svg = c.get("/team/heatmap.svg").await;
        assert_eq!(
            svg.header("content-type"),
            Some("image/svg+xml; charset=utf-8")
        );
        assert!(svg.body.contains("<title id=\"heatmap-t\">"));
    }
    // A page at a time: each person of the chain once, in id order, with
    // what is overdue for them on their page alone.
    let (mut skip, _) = client_as(&app, "skip-level").await;
    let whole = json(&skip.get("/api/v1/team/growth").await);
    let total = whole["total"].as_u64().unwrap();
    let mut seen = Vec::new();
    let mut path = "/api/v1/team/growth?limit=1".to_owned();
    while seen.len() <= 10 {
        let v = json(&skip.get(&path).await);
        assert_eq!(v["total"].as_u64(), Some(total));
        let people: Vec<i64> = v["people"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_i64().unwrap())
            .collect();
        assert_eq!(people.len(), 1, "{v}");
        assert_eq!(!overdue_of(&v, me).is_empty(), people == [me], "{v}");
        seen.extend(people);
        match v["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/team/growth?limit=1&cursor={c}"),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort_unstable();
    assert_eq!(seen, sorted);
    assert_eq!(u64::try_from(seen.len()).unwrap(), total);
    // A peer's chain does not hold them.
    let (mut peer, _) = client_as(&app, "peer").await;
    let v = json(&peer.get("/api/v1/team/growth").await);
    assert!(v["people"].as_array().unwrap().is_empty());
    assert!(overdue_of(&v, me).is_empty());
}

#[tokio::test]
async fn a_new_framework_version_shows_each_person_what_changed_for_them() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let edited = Arc::new(AtomicBool::new(false));
    // The statement to reword: the first row of self's worksheet.
    let plain = {
        let mut files = ladder_framework::FileSet::new();
        for (path, text) in ladder_framework::example::FILES {
            files.insert_text(path, *text);
        }
        files
    };
    let (fw, _) = ladder_framework::compile(&plain);
    let ws =
        ladder_growth::worksheet::worksheet(&fw, "backend-engineer", "senior", Some("payments"))
            .unwrap();
    let old = ws.rows[0].text.clone();
    let flag = edited.clone();
    let from = old.clone();
    let loader: ladder_server::Loader = Arc::new(move || {
        let mut files = ladder_framework::FileSet::new();
        for (path, text) in ladder_framework::example::FILES {
            let text = if flag.load(Ordering::SeqCst) {
                text.replacen(&from, "Reworded: says what they tried before asking", 1)
            } else {
                (*text).to_owned()
            };
            files.insert_text(path, text);
        }
        Ok(files)
    });
    let app = start_loading(loader).await;
    let me = app.ids["self"];
    let page = format!("/people/{me}/worksheet");
    let (mut own, _) = client_as(&app, "self").await;
    assert!(!own.get(&page).await.body.contains("What changed for you"));
    let mut api = api_as(&app, "self").await;
    let r = post_json(
        &mut api,
        &format!("/api/v1/people/{me}/ratings"),
        &serde_json::json!({"statement": ws.rows[0].id, "value": 3}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);

    edited.store(true, Ordering::SeqCst);
    app.state.reload_framework().await.unwrap();
    let body = own.get(&page).await.body;
    assert!(body.contains("What changed for you"), "{body}");
    assert!(body.contains(&format!("<del>{old}</del>")));
    assert!(body.contains("Reworded: says what they tried before asking"));
    assert!(body.contains("Ratings to look at again"));
    // The manager sees the rating to look at again, not the person's news.
    let (mut manager, _) = client_as(&app, "manager").await;
    let theirs = manager.get(&page).await.body;
    assert!(
        theirs.contains("Ratings to look at again") && !theirs.contains("What changed for you")
    );
    // Marked read, the news goes; rating again clears the flag.
    let (mut web, csrf) = client_as(&app, "self").await;
    let seen = web
        .post_form(&format!("/people/{me}/worksheet/seen"), &[("csrf", &csrf)])
        .await;
    assert_eq!(seen.status, 303);
    assert!(!own.get(&page).await.body.contains("What changed for you"));
    post_json(
        &mut api,
        &format!("/api/v1/people/{me}/ratings"),
        &serde_json::json!({"statement": ws.rows[0].id, "value": 3}),
    )
    .await;
    assert!(
        !own.get(&page)
            .await
            .body
            .contains("Ratings to look at again")
    );
}

/// The frame every page shares: navigation for what the viewer's roles can
/// do, the current page marked, error pages with the signed-in frame, a
/// deep link kept through sign-in (never to another site), and an icon.
#[tokio::test]
async fn the_app_shell_fits_the_viewer_and_keeps_deep_links() {
    let app = start().await;
    let nav = |body: &str| -> Vec<String> {
        let start = body.find("<nav aria-label=\"Main\">").expect("a main nav");
        let end = start + body[start..].find("</nav>").unwrap();
        body[start..end]
            .split("<a href=\"")
            .skip(1)
            .map(|a| a.split('"').next().unwrap().to_owned())
            .collect()
    };
    // A person without reports is not offered a team; a manager is; the
    // people team and admins get their pages.
    let (mut me, _) = client_as(&app, "peer").await;
    let home = me.get("/").await;
    let links = nav(&home.body);
    assert!(!links.contains(&"/team".to_owned()), "{links:?}");
    assert!(links.contains(&format!("/people/{}/worksheet", app.ids["peer"])));
    assert!(!links.contains(&"/pay".to_owned()));
    let (mut boss, _) = client_as(&app, "manager").await;
    assert!(nav(&boss.get("/").await.body).contains(&"/team".to_owned()));
    let (mut people, _) = client_as(&app, "people-team").await;
    let pl = nav(&people.get("/").await.body);
    assert!(
        pl.contains(&"/pay".to_owned()) && pl.contains(&"/audit".to_owned()),
        "{pl:?}"
    );
    let (mut admin, _) = client_as(&app, "admin").await;
    assert!(nav(&admin.get("/").await.body).contains(&"/admin/users".to_owned()));

    // The current page, and its section, are marked.
    let team = boss.get("/team/growth").await;
    assert!(
        team.body
            .contains("<a href=\"/team/growth\" aria-current=\"page\">"),
        "{}",
        team.body
    );
    assert_eq!(team.body.matches("aria-current=\"page\"").count(), 1);

    // A refusal keeps the signed-in frame and says how to go on.
    let refused = me.get("/pay").await;
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("Sign out"), "{}", refused.body);
    assert!(refused.body.contains("<nav aria-label=\"Main\">"));
    assert!(!refused.body.contains(">Sign in<"));
    let missing = me.get("/people/999999").await;
    assert!(missing.body.contains("Sign out"));

    // A deep link survives signing in.
    let mut anon = Client::new(app.addr);
    let target = format!("/people/{}/worksheet?show=unrated", app.ids["self"]);
    let first = anon.get(&target).await;
    assert_eq!(first.status, 303);
    let login_at = first.header("location").unwrap().to_owned();
    assert!(login_at.starts_with("/login?next="), "{login_at}");
    let form = anon.get(&login_at).await;
    assert!(form.body.contains("name=\"next\""), "the form carries it");
    let next = form
        .body
        .split("name=\"next\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&#x3f;", "?")
        .replace("&#x3d;", "=")
        .replace("&#x2f;", "/");
    let pre = form.csrf();
    let done = anon
        .post_form(
            "/login",
            &[
                ("csrf", &pre),
                ("email", "self@example.com"),
                ("password", PASSWORD),
                ("next", &next),
            ],
        )
        .await;
    assert_eq!(done.header("location"), Some(target.as_str()));
    // Never to another site, nor back to a sign-in page.
    for evil in [
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
        "/login",
    ] {
        let mut c = Client::new(app.addr);
        let pre = c.get("/login").await.csrf();
        let r = c
            .post_form(
                "/login",
                &[
                    ("csrf", &pre),
                    ("email", "self@example.com"),
                    ("password", PASSWORD),
                    ("next", evil),
                ],
            )
            .await;
        assert_eq!(r.header("location"), Some("/"), "{evil}");
    }
    // A form posted without a session starts over at the sign-in page,
    // and so does an htmx fragment (it is no page to come back to).
    let mut anon = Client::new(app.addr);
    let r = anon.post_form("/cycles", &[("name", "x")]).await;
    assert_eq!(r.header("location"), Some("/login"));
    anon.headers
        .push(("HX-Request".to_owned(), "true".to_owned()));
    let r = anon.get("/hiring/people?field=lead&lead_q=ma").await;
    assert_eq!(r.header("location"), Some("/login"));
    anon.headers.clear();

    // The icon.
    let icon = anon.get("/favicon.ico").await;
    assert_eq!(icon.status, 200);
    assert_eq!(icon.header("content-type"), Some("image/svg+xml"));
    assert!(home.body.contains("rel=\"icon\""));
}

/// The people team's and admins' long tables: totals on top, a filter,
/// sortable columns and pages, all in the link.
#[tokio::test]
async fn long_tables_filter_sort_and_page_with_totals_on_top() {
    let app = start().await;
    for i in 0..60 {
        app.store
            .create_account(
                &format!("acct-{i:02}@example.com"),
                &format!("Account {i:02}"),
                None,
                ladder_store::Roles::NONE,
                NOW,
                &support::fixture("create_account"),
            )
            .await
            .unwrap();
    }
    let (mut admin, _) = client_as(&app, "admin").await;
    let first = admin.get("/admin/users").await;
    assert_eq!(first.status, 200);
    let total = first.body.matches("/roles\"").count();
    assert_eq!(total, 50, "one page of fifty");
    assert!(first.body.contains("Showing 1–50 of"), "{}", first.body);
    assert!(first.body.contains("rel=\"next\""));
    assert!(first.body.contains("aria-sort=\"ascending\""));
    let second = admin.get("/admin/users?sort=name&page=2").await;
    assert!(second.body.contains("Showing 51–"), "{}", second.body);
    assert!(second.body.contains("rel=\"prev\""));
    let found = admin.get("/admin/users?q=acct-07").await;
    assert!(found.body.contains("acct-07@example.com"));
    assert!(!found.body.contains("acct-08@example.com"));
    assert!(found.body.contains("1 matching (of"), "{}", found.body);
    let desc = admin.get("/admin/users?sort=email&dir=desc").await;
    let a = desc.body.find("acct-59@example.com").unwrap();
    let b = desc.body.find("acct-58@example.com").unwrap();
    assert!(a < b, "descending by email");
    assert!(desc.body.contains("aria-sort=\"descending\""));

    // A manager's team, sortable by any column.
    let (mut boss, _) = client_as(&app, "manager").await;
    let team = boss.get("/team?sort=location&dir=desc").await;
    assert!(team.body.contains("id=\"team\""), "{}", team.body);
    assert!(team.body.contains("aria-sort=\"descending\""));
    assert!(team.body.contains("self"));

    // A cycle's completion: the rate across everyone on top.
    let (cycle, _) = feedback_fixture(&app).await;
    let (mut people, _) = client_as(&app, "people-team").await;
    let page = people.get(&format!("/cycles/{cycle}")).await;
    assert!(
        page.body.contains("id=\"completion-totals\""),
        "{}",
        page.body
    );
    assert!(page.body.contains(" answered, "), "{}", page.body);
    let sorted = people
        .get(&format!("/cycles/{cycle}?sort=share&dir=desc"))
        .await;
    assert!(sorted.body.contains("aria-sort=\"descending\""));

    // Pay: totals on top, and the table keeps the day asked for.
    let pay = people.get("/pay?as_of=2026-06-01&sort=compa").await;
    assert_eq!(pay.status, 200);
    assert!(pay.body.contains("id=\"pay-totals\""));
    assert!(pay.body.contains("as_of=2026-06-01"), "links keep the day");
    assert!(pay.body.contains("name=\"as_of\" value=\"2026-06-01\""));
}

/// Each people picker searches only the people its form may take: peers
/// who can be nominated (not the person, their manager or reports), and
/// mentors in the chosen host team outside the person's own.
#[tokio::test]
async fn people_pickers_search_only_whom_their_form_takes() {
    let app = start().await;
    let me = app.ids["self"];
    let cycle = open_cycle(&app, &[]).await;
    let (mut c, _) = client_as(&app, "self").await;
    let search = |q: &str| format!("/cycles/{cycle}/nominations/{me}/people?peer_q={q}");
    let peers = c.get(&search("peer")).await;
    assert_eq!(peers.status, 200);
    assert!(peers.body.contains("peer@example.com"), "{}", peers.body);
    assert!(
        peers.body.contains("Backend Engineer"),
        "role shown: {}",
        peers.body
    );
    for asked_anyway in ["manager", "direct-report", "self"] {
        let r = c.get(&search(asked_anyway)).await;
        assert!(
            !r.body.contains(&format!(">{asked_anyway}<")),
            "{asked_anyway} is asked without nominating: {}",
            r.body
        );
    }
    // Already chosen: not offered again.
    let again = c
        .get(&format!("{}&peer={}", search("peer"), app.ids["peer"]))
        .await;
    assert!(!again.body.contains("peer@example.com"), "{}", again.body);
    // Someone else's nominations: refused.
    let (mut other, _) = client_as(&app, "peer").await;
    assert_eq!(other.get(&search("self")).await.status, 403);

    // Mentors: outside one's own department, in the host team chosen.
    let own = c
        .get("/internships/mentors?mentor_id_q=peer&host_department=")
        .await;
    assert!(!own.body.contains("peer@example.com"), "same department");
    let mut r = support::person("mina@example.com", None, "senior");
    r.name = "Mina Host".to_owned();
    r.department = "Data".to_owned();
    app.store
        .apply_people(
            &[r],
            "2026-01-01",
            None,
            NOW,
            &support::fixture("apply_people"),
        )
        .await
        .unwrap();
    let data = c
        .get("/internships/mentors?mentor_id_q=mina&host_department=Data")
        .await;
    assert!(data.body.contains("Mina Host"), "{}", data.body);
    assert!(data.body.contains("type=\"radio\""), "one mentor");
    let elsewhere = c
        .get("/internships/mentors?mentor_id_q=mina&host_department=Sales")
        .await;
    assert!(!elsewhere.body.contains("Mina Host"));
}

/// Before a reload makes the framework on disk live: what it changes and
/// whom it affects. Editors see counts, the people team names too, nobody
/// else anything; each read is audited.
#[tokio::test]
async fn a_framework_change_is_reviewed_with_its_impact_before_it_goes_live() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let edited = Arc::new(AtomicBool::new(false));
    let flag = edited.clone();
    let loader: ladder_server::Loader = Arc::new(move || {
        let mut files = ladder_framework::FileSet::new();
        for (path, text) in ladder_framework::example::FILES {
            let on = flag.load(Ordering::SeqCst);
            let text = if on && *path == "layers/engineering.md" {
                text.replace(
                    "## Staff\n\n### Leadership\n\n",
                    "## Staff\n\n### Leadership\n\n- Writes the yearly technical strategy for their area. {#engineering-staff-writes-yearly-strategy}\n",
                )
                .replace(
                    "Turns vague requests into plans with clear milestones.",
                    "Turns vague requests into plans with milestones everyone can check.",
                )
            } else if on && *path == "families/backend-engineer.md" {
                text.replace(
                    "Comfort with relational databases, including schema design and query tuning.",
                    "Comfort with relational databases and their query planners.",
                )
            } else {
                (*text).to_owned()
            };
            files.insert_text(path, text);
        }
        Ok(files)
    });
    let app = start_loading(loader).await;
    let (opening, _) = hiring_fixture(&app).await;
    // A cycle taking answers about self, with a pending proposal for them.
    let (cycle, proposal) = feedback_fixture(&app).await;
    let title = app
        .store
        .openings()
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.id == opening)
        .unwrap()
        .new
        .title;
    let page = "/admin/framework/changes";
    let (mut editor, _) = client_as(&app, "editor").await;
    let same = editor.get(page).await;
    assert_eq!(same.status, 200);
    assert!(same.body.contains("id=\"no-changes\""), "{}", same.body);
    edited.store(true, Ordering::SeqCst);
    let r = editor.get(page).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains("statement_added")
            || r.body.contains("Writes the yearly technical strategy"),
        "{}",
        r.body
    );
    assert!(r.body.contains("id=\"impact-totals\""));
    // The seniors (self, peer) see a new next-level expectation.
    assert!(
        r.body.contains("<th scope=\"row\">senior</th>"),
        "{}",
        r.body
    );
    assert!(
        !r.body.contains("id=\"impact-people\""),
        "counts only for editors"
    );
    assert!(r.body.contains("id=\"stage\""), "{}", r.body);
    // The running cycle asks about self, whose senior statement is
    // reworded: their questions change.
    let cycles = r
        .body
        .split("id=\"impact-cycles\">")
        .nth(1)
        .unwrap_or_else(|| panic!("{}", r.body));
    let name = app.store.cycle(cycle).await.unwrap().unwrap().plan.name;
    assert!(
        cycles.contains(&format!("{name}: the questions about 1 of the 1 people")),
        "{cycles}"
    );
    // The pending proposal's evidence misses the new expectations: a
    // count for editors, the proposal itself for the people team.
    assert!(
        r.body
            .contains("The frozen evidence of 1 pending proposal(s)"),
        "{}",
        r.body
    );
    assert!(!r.body.contains(&format!("/proposals/{proposal}")));
    // The open position's scorecard has a reworded requirement.
    let openings = r
        .body
        .split("id=\"impact-openings\">")
        .nth(1)
        .unwrap_or_else(|| panic!("{}", r.body));
    assert!(
        openings.contains(&format!(
            "{title}: 0 requirement(s) added, 0 removed, 1 reworded"
        )),
        "{openings}"
    );
    let (mut people, _) = client_as(&app, "people-team").await;
    let named = people.get(page).await;
    assert!(
        named.body.contains("id=\"impact-people\""),
        "{}",
        named.body
    );
    assert!(named.body.contains(">self</a>"));
    assert!(
        named
            .body
            .contains(&format!("href=\"/proposals/{proposal}\""))
    );
    assert!(
        named.body.contains("id=\"stage\""),
        "the people team stages and publishes too"
    );
    for role in ["self", "manager", "skip-level", "peer", "direct-report"] {
        let (mut c, _) = client_as(&app, role).await;
        assert_eq!(c.get(page).await.status, 403, "{role}");
    }
    let audit = app.store.audit_log(None, 100).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "framework.impact.read")
            .count(),
        2
    );
    // Self reads their worksheet as it is now.
    let me = app.ids["self"];
    let (mut myself, my_csrf) = client_as(&app, "self").await;
    assert_eq!(
        myself.get(&format!("/people/{me}/worksheet")).await.status,
        200
    );
    let changed_task = "data-kind=\"framework_changed\"";
    assert!(!myself.get("/").await.body.contains(changed_task));
    // Not live until published.
    let new_statement = "engineering-staff-writes-yearly-strategy";
    let live = |app: &App| {
        app.state
            .framework()
            .framework
            .items
            .contains_key(new_statement)
    };
    assert!(!live(&app));

    // Staged: the page reviews the release, and offers to publish it.
    let csrf = editor.session_csrf().await;
    let r = editor
        .post_form("/admin/framework/stage", &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(!live(&app), "staging is not publishing");
    let r = editor.get(page).await;
    let staged = app
        .store
        .framework_releases(10)
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.state == "staged")
        .unwrap();
    assert!(
        r.body.contains(&format!("staged release {}", staged.id)),
        "{}",
        r.body
    );
    assert!(r.body.contains("id=\"publish\""));
    let totals = r.body.split("id=\"impact-totals\">").nth(1).unwrap();
    let affected: usize = totals
        .split("<strong>")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{totals}"));
    assert!(affected > 0);
    // Published: live at once, audited with who did it.
    let r = editor
        .post_form(
            "/admin/framework/publish",
            &[("csrf", &csrf), ("release", &staged.id.to_string())],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(live(&app));
    // Each person it changes things for is told what changed for them.
    ladder_server::routine::tick(&app.state).await.unwrap();
    let told: Vec<_> = app
        .store
        .messages(None, 500)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.new.kind == "framework.changed")
        .collect();
    let mine = told
        .iter()
        .find(|m| m.new.person_id == Some(me))
        .unwrap_or_else(|| panic!("self is not told: {told:?}"));
    assert!(
        mine.new.data.contains(&format!("/people/{me}/worksheet")),
        "{}",
        mine.new.data
    );
    assert_eq!(told.len(), affected, "one message per person affected");
    // …and their home page asks them to read it, until they have.
    let home = myself.get("/").await.body;
    assert!(home.contains(changed_task), "{home}");
    assert!(
        home.contains("1 expectation(s) added, 1 reworded, 0 removed at your level and the next"),
        "{home}"
    );
    let r = myself
        .post_form(
            &format!("/people/{me}/worksheet/seen"),
            &[("csrf", &my_csrf)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(!myself.get("/").await.body.contains(changed_task));
    let r = editor.get(page).await;
    assert!(r.body.contains("id=\"no-changes\""), "{}", r.body);
    assert!(r.body.contains("id=\"rollback\""));
    // Rolled back in one step: the version before is live again.
    let people_csrf = people.session_csrf().await;
    let r = people
        .post_form("/admin/framework/rollback", &[("csrf", &people_csrf)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(!live(&app));
    let audit = app.store.audit_log(None, 200).await.unwrap();
    for action in ["framework.stage", "framework.publish", "framework.rollback"] {
        assert!(
            audit
                .iter()
                .any(|e| e.action == action && e.actor_id.is_some()),
            "{action} audited with its person"
        );
    }
}

/// Two nodes on one PostgreSQL database: a release published on one is
/// live on the other on its next request, and a rollback on the other
/// restores the previous version on both.
#[tokio::test]
async fn a_publish_on_one_node_is_live_on_the_other_and_so_is_a_rollback() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let db = ladder_store_postgres::TempDatabase::for_tests("publish")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let pg = ladder_server::Database::Postgres(db.url.clone());
    let edited = Arc::new(AtomicBool::new(false));
    let flag = edited.clone();
    // Node A's framework folder gains a statement once edited.
    let loader_a: ladder_server::Loader = Arc::new(move || {
        let mut files = ladder_framework::FileSet::new();
        for (path, text) in ladder_framework::example::FILES {
            let text = if flag.load(Ordering::SeqCst) && *path == "layers/engineering.md" {
                text.replace(
                    "## Staff\n\n### Leadership\n\n",
                    "## Staff\n\n### Leadership\n\n- Writes the yearly technical strategy for their area. {#engineering-staff-writes-yearly-strategy}\n",
                )
            } else {
                (*text).to_owned()
            };
            files.insert_text(path, text);
        }
        Ok(files)
    });
    let (store_a, _) = ladder_server::open_store(&pg).await.unwrap();
    let a = start_on_loading(store_a, loader_a, true).await;
    let (store_b, _) = ladder_server::open_store(&pg).await.unwrap();
    let b = start_on_loading(store_b, example_loader(), false).await;
    let strategy = "Writes the yearly technical strategy";
    let role = "/api/v1/framework/roles/backend-engineer/staff";
    let on_b = |body: &str| body.contains(strategy);
    let mut reader = Client::new(b.addr);
    assert!(!on_b(&reader.get(role).await.body));

    edited.store(true, Ordering::SeqCst);
    let (mut editor, csrf) = client_as(&a, "editor").await;
    let r = editor
        .post_form("/admin/framework/stage", &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(!on_b(&reader.get(role).await.body), "staged only");
    let staged = a
        .store
        .framework_releases(5)
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.state == "staged")
        .unwrap();
    let r = editor
        .post_form(
            "/admin/framework/publish",
            &[("csrf", &csrf), ("release", &staged.id.to_string())],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let ready = reader.get("/readyz").await;
    assert_eq!((ready.status, ready.body.as_str()), (200, "ready"));
    // B's next request serves it, pages included.
    assert!(on_b(&reader.get(role).await.body));
    assert_eq!(b.state.framework_release(), staged.id);

    // Rolled back on B (its people team), gone from A's next request.
    // (B was started on A's data: the people team's account is A's.)
    let session = b
        .state
        .auth()
        .start_session(
            a.accounts["people-team"],
            &ladder_server::auth::Client::default(),
            a.clock_now(),
        )
        .await
        .unwrap();
    let mut team = Client::new(b.addr);
    team.cookies.insert(
        ladder_server::auth::SESSION_COOKIE.to_owned(),
        session.token,
    );
    let team_csrf = session.csrf;
    let r = team
        .post_form("/admin/framework/rollback", &[("csrf", &team_csrf)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(!on_b(&reader.get(role).await.body));
    let mut on_a = Client::new(a.addr);
    assert!(!on_a.get(role).await.body.contains(strategy));
    assert_ne!(a.state.framework_release(), staged.id);
    drop((a, b));
    db.drop_database().await.unwrap();
}

/// `GET /metrics` answers the metrics token alone, with latency per route
/// pattern, the pool, the outbox and the organisation's size, and names
/// no one.
#[tokio::test]
async fn metrics_are_read_with_the_token_alone() {
    let app = start().await;
    let me = app.ids["self"];
    let mut anyone = Client::new(app.addr);
    assert_eq!(anyone.get("/metrics").await.status, 401);
    let (mut team, _) = client_as(&app, "people-team").await;
    assert_eq!(
        team.get("/metrics").await.status,
        401,
        "a session is not enough"
    );
    team.headers.push((
        "Authorization".to_owned(),
        "Bearer not-the-token".to_owned(),
    ));
    assert_eq!(team.get("/metrics").await.status, 401);
    let (mut person, _) = client_as(&app, "self").await;
    for _ in 0..3 {
        assert_eq!(person.get(&format!("/people/{me}")).await.status, 200);
    }
    assert_eq!(anyone.get("/no/such/page").await.status, 404);
    // An invented method is counted, under one label.
    for m in ["FROB", "XYZZY"] {
        let r = anyone.request(m, "/no/such/page", None, b"").await;
        assert!(r.status >= 400, "{m}: {}", r.status);
    }
    let mut scraper = Client::new(app.addr);
    scraper.headers.push((
        "Authorization".to_owned(),
        format!("Bearer {METRICS_TOKEN}"),
    ));
    let r = scraper.get("/metrics").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.header("content-type")
            .is_some_and(|t| t.starts_with("application/openmetrics-text")),
        "{:?}",
        r.header("content-type")
    );
    let body = &r.body;
    for line in [
        r#"ladder_http_request_duration_seconds_count{method="GET",route="/people/{id}",status="2xx"} 3"#,
        r#"ladder_http_request_duration_seconds_count{method="GET",route="(none)",status="4xx"} 1"#,
        r#"ladder_http_request_duration_seconds_count{method="other",route="(none)",status="4xx"} 2"#,
        "ladder_people 5",
        r#"ladder_messages{state="failed"} 0"#,
        r#"ladder_db_pool_connections{state="open"}"#,
        "ladder_db_pool_max_connections",
        "ladder_framework_release 1",
        "# EOF",
    ] {
        assert!(body.contains(line), "`{line}` missing from:\n{body}");
    }
    assert!(!body.contains(&format!("/people/{me}\"")), "{body}");
    assert!(!body.contains("@example.com"), "{body}");
    assert!(!body.contains("FROB"), "{body}");
    // The routine counts its ticks: a node whose count stands still has
    // stopped moving dates and sending. Its first tick runs at once.
    assert!(body.contains("ladder_routine_ticks_total 0"), "{body}");
    let routine = tokio::spawn(ladder_server::routine::run(app.state.clone()));
    let mut body = String::new();
    for _ in 0..200 {
        body = scraper.get("/metrics").await.body;
        if !body.contains("ladder_routine_ticks_total 0") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    routine.abort();
    assert!(body.contains("ladder_routine_ticks_total 1"), "{body}");
    assert!(
        body.contains("ladder_routine_tick_failures_total 0"),
        "{body}"
    );
}

/// `GET /api/v1/people` gives the directory a page at a time: every
/// person once, in id order, whatever the page size.
#[tokio::test]
async fn the_directory_api_pages_with_a_cursor() {
    let app = start().await;
    let mut api = api_as(&app, "peer").await;
    let all = app.store.list_people().await.unwrap();
    let want: Vec<i64> = all.iter().map(|p| p.id).collect();
    for limit in [1, 2, 5, 500] {
        let mut seen = Vec::new();
        let mut path = format!("/api/v1/people?limit={limit}");
        loop {
            let r = api.get(&path).await;
            assert_eq!(r.status, 200, "{}", r.body);
            let v = json(&r);
            let page = v["people"].as_array().unwrap();
            assert!(page.len() <= limit, "{path}");
            seen.extend(page.iter().map(|p| p["id"].as_i64().unwrap()));
            match v["next_cursor"].as_str() {
                Some(c) => path = format!("/api/v1/people?limit={limit}&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(seen, want, "limit {limit}");
    }
    let first = json(&api.get("/api/v1/people").await);
    assert_eq!(first["people"].as_array().unwrap().len(), want.len());
    assert!(first.get("next_cursor").is_none(), "{first}");
    for bad in ["limit=0", "limit=x", "cursor=%3Cb%3E"] {
        let r = api.get(&format!("/api/v1/people?{bad}")).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
        assert!(
            r.header("content-type")
                .is_some_and(|t| t.starts_with("application/json")),
            "{bad}"
        );
    }
}

/// `/org` lists departments with their counts, and one department's
/// people a hundred at a time: its size does not grow with the
/// organisation.
#[tokio::test]
async fn the_organisation_page_lists_a_department_a_page_at_a_time() {
    let app = start().await;
    let sales: Vec<_> = (0..150)
        .map(|i| ladder_org::PersonRecord {
            department: "Sales & Deals".to_owned(),
            ..person(&format!("sales-{i:03}@example.com"), None, "senior")
        })
        .collect();
    app.store
        .apply_people(&sales, "2026-01-01", None, NOW, &fixture("apply_people"))
        .await
        .unwrap();
    let (mut c, _) = client_as(&app, "peer").await;
    let org = c.get("/org").await;
    assert_eq!(org.status, 200);
    assert!(
        org.body.contains(
            r#"<a href="/org?department=Sales+%26+Deals#department">Sales &#38; Deals</a> <span class="meta">(150)</span>"#
        ),
        "{}",
        org.body
    );
    assert!(!org.body.contains("sales-000"), "no one is listed unasked");
    let mut seen = Vec::new();
    let mut path = "/org?department=Sales+%26+Deals".to_owned();
    for round in 0.. {
        assert!(round < 5, "the pages never end");
        let r = c.get(&path).await;
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        let names: Vec<String> = r
            .body
            .split(">sales-")
            .skip(1)
            .filter_map(|x| x.get(..3).map(str::to_owned))
            .collect();
        assert!(names.len() <= 100, "{path}");
        seen.extend(names);
        match r.body.split(r#"<a href=""#).find_map(|x| {
            let (href, rest) = x.split_once('"')?;
            rest.starts_with(r#" rel="next""#)
                .then(|| href.replace("&#38;", "&").replace("&amp;", "&"))
        }) {
            Some(next) => path = next,
            None => break,
        }
    }
    let mut want: Vec<String> = (0..150).map(|i| format!("{i:03}")).collect();
    want.sort();
    seen.sort();
    assert_eq!(seen, want);
    assert_eq!(c.get("/org?department=Nowhere").await.status, 404);
    assert_eq!(
        c.get("/org?department=Sales+%26+Deals&cursor=zz")
            .await
            .status,
        400
    );
}
