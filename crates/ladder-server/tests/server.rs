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
use support::*;

/// Every route × every role: `+` allowed, `-` refused, in the order of
/// [`ROLES`]: anonymous, self, direct report, manager, skip-level manager,
/// peer, people team, editor, admin. The subject of person routes is
/// `self`. Later issues add their routes here; a route missing from this
/// table fails the test.
const MATRIX: &[(&str, &str)] = &[
    ("GET /healthz", "+++++++++"),
    ("GET /assets/{file}", "+++++++++"),
    ("GET /login", "+++++++++"),
    ("POST /login", "+++++++++"),
    ("POST /logout", "-++++++++"),
    ("GET /setup", "+++++++++"),
    ("POST /setup", "+++++++++"),
    ("GET /", "-++++++++"),
    ("GET /people/{id}", "-++++++++"),
    ("GET /people/{id}/history", "-+-++-+--"),
    ("GET /team", "-++++++++"),
    ("GET /org", "-++++++++"),
    ("GET /org/search", "-++++++++"),
    ("GET /framework/", "+++++++++"),
    ("GET /framework/{*path}", "+++++++++"),
    ("GET /people-team/import", "------+--"),
    ("POST /people-team/import", "------+--"),
    ("GET /people-team/export.csv", "------+--"),
    ("GET /audit", "------+--"),
    ("GET /admin/users", "--------+"),
    ("POST /admin/users", "--------+"),
    ("POST /admin/users/{id}/roles", "--------+"),
    ("POST /admin/framework/reload", "-------++"),
    ("GET /api/v1/openapi.json", "+++++++++"),
    ("GET /api/v1/me", "-++++++++"),
    ("GET /api/v1/people", "-++++++++"),
    ("GET /api/v1/people/{id}", "-++++++++"),
    ("GET /api/v1/people/{id}/history", "-+-++-+--"),
    ("POST /api/v1/people/import", "------+--"),
    ("GET /api/v1/framework", "+++++++++"),
    ("GET /api/v1/framework/roles/{family}/{level}", "+++++++++"),
    ("POST /api/v1/tokens", "-++++++++"),
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
        .replace("{family}", "backend-engineer")
        .replace("{level}", "senior")
}

/// Sends the request a real user of the route would send, with the
/// viewer's CSRF token, and reports whether access was refused.
async fn refused(app: &App, role: &str, method: &str, path: &str) -> (bool, u16) {
    let (mut c, csrf) = client_as(app, role).await;
    let url = concrete(app, path);
    let res = match (method, path) {
        ("GET", _) => c.get(&url).await,
        ("POST", "/login" | "/setup") => {
            let pre = "ab".repeat(32);
            c.cookies.insert("ladder_pre".to_owned(), pre.clone());
            let fields = [
                ("csrf", pre.as_str()),
                ("email", "nobody@example.com"),
                ("password", "wrong password"),
            ];
            c.post_form(&url, &fields).await
        }
        ("POST", "/people-team/import") => {
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
        _ => panic!("no request for {method} {path}"),
    };
    assert!(
        res.status < 500,
        "{role} {method} {path}: {} {}",
        res.status,
        res.body
    );
    let to_login = res.status == 303 && res.header("location") == Some("/login");
    (
        res.status == 401 || res.status == 403 || to_login,
        res.status,
    )
}

#[tokio::test]
async fn authorization_matrix_covers_every_route_and_every_role() {
    let app = start().await;
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
        assert_eq!(expected.len(), ROLES.len(), "{key}: one mark per role");
        for (role, want) in ROLES.iter().zip(&expected) {
            let (denied, status) = refused(&app, role, route.method, route.path).await;
            let got = if denied { '-' } else { '+' };
            if got != *want {
                wrong.push(format!(
                    "{key} as {role}: expected {want}, got {got} ({status})"
                ));
            }
        }
        // The route table's documented audience agrees with the matrix.
        let doc = match route.audience {
            Audience::Public => "+++++++++",
            Audience::SignedIn => "-++++++++",
            Audience::PrivateToPerson => "-+-++-+--",
            Audience::PeopleTeam => "------+--",
            Audience::Admin => "--------+",
            Audience::Editor => "-------++",
        };
        assert_eq!(
            doc, table[&key],
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
