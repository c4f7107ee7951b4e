#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! SCIM 2.0 provisioning end to end: request sequences in the shapes Okta
//! and Entra ID send (from their published SCIM documentation), replayed
//! against the server; after each step the directory, the reporting lines
//! and access are checked. Bad input gets a SCIM error and writes nothing.

mod support;

use serde_json::{Value, json};
use support::*;

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const LADDER: &str = "urn:ietf:params:scim:schemas:extension:ladder:2.0:User";

/// An admin makes a provisioning token on the Provisioning page.
async fn scim_token(app: &App, name: &str) -> String {
    let (mut admin, csrf) = client_as(app, "admin").await;
    let page = admin
        .post_form("/admin/provisioning", &[("csrf", &csrf), ("name", name)])
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let at = page
        .body
        .find("id=\"scim-token\" readonly value=\"")
        .unwrap();
    let rest = &page.body[at + "id=\"scim-token\" readonly value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

struct Scim {
    c: Client,
}

impl Scim {
    async fn new(app: &App, name: &str) -> Scim {
        let token = scim_token(app, name).await;
        let mut c = Client::new(app.addr);
        c.headers
            .push(("Authorization".to_owned(), format!("Bearer {token}")));
        Scim { c }
    }

    async fn send(&mut self, method: &str, path: &str, body: &Value) -> (u16, Value) {
        let r = self
            .c
            .request(
                method,
                path,
                Some("application/scim+json"),
                body.to_string().as_bytes(),
            )
            .await;
        if r.status != 204 {
            assert_eq!(
                r.header("content-type"),
                Some("application/scim+json"),
                "{method} {path}: {}",
                r.body
            );
        }
        let v = if r.body.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&r.body).unwrap()
        };
        (r.status, v)
    }

    async fn get(&mut self, path: &str) -> (u16, Value) {
        let r = self.c.get(path).await;
        (
            r.status,
            serde_json::from_str(&r.body).unwrap_or(Value::Null),
        )
    }

    async fn find(&mut self, filter: &str) -> Value {
        let q: String = form_urlencoded::byte_serialize(filter.as_bytes()).collect();
        let (status, v) = self
            .get(&format!("/scim/v2/Users?filter={q}&startIndex=1&count=100"))
            .await;
        assert_eq!(status, 200, "{v}");
        v
    }
}

fn okta_user(email: &str, given: &str, family: &str, external: &str) -> Value {
    // The body Okta's SCIM 2.0 guide shows for "create user", with the
    // enterprise and Ladder attributes an admin maps in the app.
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE, LADDER],
        "userName": email,
        "name": { "givenName": given, "familyName": family },
        "emails": [{ "primary": true, "value": email, "type": "work" }],
        "displayName": format!("{given} {family}"),
        "locale": "en-US",
        "externalId": external,
        "groups": [],
        "password": "not-used-by-ladder-1",
        "active": true,
        ENTERPRISE: { "department": "Platform Services", "employeeNumber": "E-100" },
        LADDER: { "jobFamily": "backend-engineer", "level": "intermediate", "location": "Porto" }
    })
}

async fn person(app: &App, email: &str) -> ladder_store::Person {
    app.store.person_by_email(email).await.unwrap().unwrap()
}

#[tokio::test]
async fn an_okta_style_run_creates_updates_moves_and_deactivates_people() {
    let app = start().await;
    okta_story(&app).await;
}

#[tokio::test]
async fn an_okta_style_run_works_on_postgres() {
    let db = ladder_store_postgres::TempDatabase::for_tests("scim")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let pg = ladder_server::Database::Postgres(db.url.clone());
    let (store, _) = ladder_server::open_store(&pg).await.unwrap();
    assert_eq!(store.backend(), "postgres");
    let app = start_on(store, None, true).await;
    okta_story(&app).await;
    drop(app);
    db.drop_database().await.unwrap();
}

/// Okta's sequence: look up, create, replace (a move), deactivate (the
/// open session ends), reactivate, page.
async fn okta_story(app: &App) {
    let mut okta = Scim::new(app, "Okta").await;

    // Discovery.
    let (status, config) = okta.get("/scim/v2/ServiceProviderConfig").await;
    assert_eq!(status, 200);
    assert_eq!(config["patch"]["supported"], true);
    let (_, types) = okta.get("/scim/v2/ResourceTypes").await;
    assert_eq!(types["totalResults"], 2);
    let (_, schemas) = okta.get("/scim/v2/Schemas").await;
    assert!(
        schemas["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == LADDER)
    );

    // Okta looks the user up first, then creates them.
    let none = okta.find("userName eq \"ines@example.com\"").await;
    assert_eq!(none["totalResults"], 0);
    let (status, made) = okta
        .send(
            "POST",
            "/scim/v2/Users",
            &okta_user("ines@example.com", "Ines", "Costa", "00u1ines"),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let id = made["id"].as_str().unwrap().to_owned();
    assert_eq!(made["userName"], "ines@example.com");
    assert_eq!(made["externalId"], "00u1ines");
    assert_eq!(made[ENTERPRISE]["employeeNumber"], "E-100");
    let p = person(app, "ines@example.com").await;
    assert_eq!(
        (p.record.name.as_str(), p.record.role.level.as_str()),
        ("Ines Costa", "intermediate")
    );
    let found = okta.find("userName eq \"INES@example.com\"").await;
    assert_eq!(found["Resources"][0]["id"], id.as_str());
    let by_external = okta.find("externalId eq \"00u1ines\"").await;
    assert_eq!(by_external["totalResults"], 1);
    let by_email = okta.find("emails.value eq \"ines@example.com\"").await;
    assert_eq!(by_email["totalResults"], 1);

    // A full replace (PUT) moves her to a team and a manager.
    let manager = app.ids["manager"].to_string();
    let mut full = okta_user("ines@example.com", "Ines", "Costa", "00u1ines");
    full[ENTERPRISE]["department"] = json!("Data");
    full[ENTERPRISE]["manager"] = json!({ "value": manager });
    let (status, put) = okta
        .send("PUT", &format!("/scim/v2/Users/{id}"), &full)
        .await;
    assert_eq!(status, 200, "{put}");
    let p = person(app, "ines@example.com").await;
    assert_eq!(p.record.department, "Data");
    assert_eq!(p.manager_id, Some(app.ids["manager"]));
    let (mut manager_session, _) = client_as(app, "manager").await;
    let team = manager_session.get("/team").await;
    assert!(team.body.contains("Ines Costa"), "the manager sees her");

    // She signs in (single sign-on would do the same); Okta deactivates her
    // and her open session is refused on its next request.
    let hash = ladder_server::auth::hash_password(PASSWORD).await.unwrap();
    app.store
        .create_account(
            "ines@example.com",
            "Ines",
            Some(&hash),
            ladder_store::Roles::NONE,
            NOW,
            &fixture("create_account"),
        )
        .await
        .unwrap();
    let mut ines = Client::new(app.addr);
    assert_eq!(ines.login("ines@example.com", PASSWORD).await.status, 303);
    let (status, off) = okta
        .send(
            "PATCH",
            &format!("/scim/v2/Users/{id}"),
            &json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{ "op": "replace", "value": { "active": false } }]
            }),
        )
        .await;
    assert_eq!(status, 200, "{off}");
    assert_eq!(off["active"], false);
    assert_eq!(ines.get("/").await.header("location"), Some("/login"));
    assert_eq!(
        Client::new(app.addr)
            .login("ines@example.com", PASSWORD)
            .await
            .status,
        400
    );

    // Reactivated: the account works again, the old session does not.
    let (_, on) = okta
        .send(
            "PATCH",
            &format!("/scim/v2/Users/{id}"),
            &json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{ "op": "replace", "value": { "active": true } }]
            }),
        )
        .await;
    assert_eq!(on["active"], true);
    assert_eq!(ines.get("/").await.header("location"), Some("/login"));
    assert_eq!(
        Client::new(app.addr)
            .login("ines@example.com", PASSWORD)
            .await
            .status,
        303
    );

    // Paging.
    let (_, page) = okta.get("/scim/v2/Users?startIndex=2&count=2").await;
    assert_eq!(page["itemsPerPage"], 2);
    assert_eq!(page["startIndex"], 2);
    assert!(page["totalResults"].as_i64().unwrap() >= 6);

    // Every write is audited as the client's.
    let log = app.store.audit_log(None, 100).await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "scim.user.create" && e.actor == "scim:Okta")
    );
}

#[tokio::test]
async fn an_entra_style_run_patches_with_paths_and_deletes() {
    let app = start().await;
    entra_story(&app).await;
}

#[tokio::test]
async fn an_entra_style_run_works_on_postgres() {
    let db = ladder_store_postgres::TempDatabase::for_tests("entra")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let pg = ladder_server::Database::Postgres(db.url.clone());
    let (store, _) = ladder_server::open_store(&pg).await.unwrap();
    let app = start_on(store, None, true).await;
    entra_story(&app).await;
    drop(app);
    db.drop_database().await.unwrap();
}

/// Entra ID's sequence: create with its object id as externalId, PATCH
/// with paths (manager, name, email, active as a string), remove the
/// manager, DELETE.
async fn entra_story(app: &App) {
    let mut entra = Scim::new(app, "Entra ID").await;
    // Entra's documented create: externalId is its object id, userName the
    // UPN, and the manager comes later by PATCH.
    let (status, made) = entra
        .send(
            "POST",
            "/scim/v2/Users",
            &json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
                "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
                "userName": "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1@example.com",
                "active": true,
                "displayName": "Tiago Reis",
                "emails": [{ "primary": true, "type": "work", "value": "tiago@example.com" }],
                "meta": { "resourceType": "User" },
                "name": { "formatted": "Tiago Reis", "familyName": "Reis", "givenName": "Tiago" },
                "title": "Engineer",
                ENTERPRISE: { "department": "Platform Services" },
                LADDER: { "jobFamily": "Backend Engineer", "level": "Senior" }
            }),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let id = made["id"].as_str().unwrap().to_owned();
    let p = person(app, "tiago@example.com").await;
    assert_eq!(
        p.record.role.level, "senior",
        "matched by title, kept by id"
    );

    // Entra's PATCH shapes: capitalised ops, the manager's id alone, and
    // `active` as a string.
    let manager = app.ids["manager"].to_string();
    let (status, patched) = entra
        .send("PATCH", &format!("/scim/v2/Users/{id}"), &json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                { "op": "Add", "path": format!("{ENTERPRISE}:manager"), "value": manager },
                { "op": "Replace", "path": "displayName", "value": "Tiago M. Reis" },
                { "op": "Replace", "path": "emails[type eq \"work\"].value", "value": "tiago@example.com" }
            ]
        }))
        .await;
    assert_eq!(status, 200, "{patched}");
    let p = person(app, "tiago@example.com").await;
    assert_eq!(p.manager_id, Some(app.ids["manager"]));
    assert_eq!(p.record.name, "Tiago M. Reis");
    let (_, off) = entra
        .send(
            "PATCH",
            &format!("/scim/v2/Users/{id}"),
            &json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{ "op": "Replace", "path": "active", "value": "False" }]
            }),
        )
        .await;
    assert_eq!(off["active"], false);
    assert!(!person(app, "tiago@example.com").await.record.active);
    let (_, on) = entra
        .send(
            "PATCH",
            &format!("/scim/v2/Users/{id}"),
            &json!({
                "Operations": [{ "op": "Replace", "path": "active", "value": "True" }]
            }),
        )
        .await;
    assert_eq!(on["active"], true);
    // Removing the manager.
    let (_, removed) = entra
        .send(
            "PATCH",
            &format!("/scim/v2/Users/{id}"),
            &json!({
                "Operations": [{ "op": "Remove", "path": format!("{ENTERPRISE}:manager") }]
            }),
        )
        .await;
    assert!(removed[ENTERPRISE].get("manager").is_none(), "{removed}");
    assert_eq!(person(app, "tiago@example.com").await.manager_id, None);

    // A hard delete: gone from SCIM, kept in Ladder, inactive.
    let r = entra
        .c
        .request("DELETE", &format!("/scim/v2/Users/{id}"), None, b"")
        .await;
    assert_eq!(r.status, 204);
    let (status, gone) = entra.get(&format!("/scim/v2/Users/{id}")).await;
    assert_eq!(status, 404);
    assert_eq!(gone["status"], "404");
    let kept = person(app, "tiago@example.com").await;
    assert!(!kept.record.active);
    assert_eq!(
        entra.find("userName eq \"tiago@example.com\"").await["totalResults"],
        0
    );
}

#[tokio::test]
async fn a_manager_sent_before_they_exist_is_linked_when_they_arrive() {
    let app = start().await;
    let mut scim = Scim::new(&app, "HR sync").await;
    let mut report = okta_user("rui@example.com", "Rui", "Alves", "ext-rui");
    report[ENTERPRISE]["manager"] = json!({ "value": "ext-lead" });
    let (status, made) = scim.send("POST", "/scim/v2/Users", &report).await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(
        made[ENTERPRISE]["manager"]["value"], "ext-lead",
        "kept, waiting"
    );
    assert_eq!(person(&app, "rui@example.com").await.manager_id, None);
    // A patch of something else keeps the manager waiting.
    let rui = made["id"].as_str().unwrap().to_owned();
    scim.send(
        "PATCH",
        &format!("/scim/v2/Users/{rui}"),
        &json!({
            "Operations": [{ "op": "replace", "path": "displayName", "value": "Rui A." }]
        }),
    )
    .await;
    let mut lead = okta_user("lena@example.com", "Lena", "Sousa", "ext-lead");
    lead[LADDER]["level"] = json!("staff");
    let (status, _) = scim.send("POST", "/scim/v2/Users", &lead).await;
    assert_eq!(status, 201);
    let lena = person(&app, "lena@example.com").await;
    assert_eq!(
        person(&app, "rui@example.com").await.manager_id,
        Some(lena.id)
    );
    let (_, now) = scim.get(&format!("/scim/v2/Users/{rui}")).await;
    assert_eq!(now[ENTERPRISE]["manager"]["value"], lena.id.to_string());
}

#[tokio::test]
async fn bad_provisioning_gets_a_scim_error_and_writes_nothing() {
    let app = start().await;
    let mut scim = Scim::new(&app, "Okta").await;
    let before = app.store.dump().await.unwrap().people;
    let errors = [
        ("POST", "/scim/v2/Users".to_owned(), "{not json".to_owned(), 400, "invalidSyntax", "not JSON"),
        (
            "POST",
            "/scim/v2/Users".to_owned(),
            { let mut u = okta_user("x@example.com", "X", "Y", "e-x"); u["favouriteColour"] = json!("blue"); u.to_string() },
            400, "invalidSyntax", "favouriteColour",
        ),
        (
            "POST",
            "/scim/v2/Users".to_owned(),
            { let mut u = okta_user("x@example.com", "X", "Y", "e-x"); u[LADDER]["level"] = json!("seniour"); u.to_string() },
            400, "invalidValue", "level",
        ),
        (
            "POST",
            "/scim/v2/Users".to_owned(),
            { let mut u = okta_user("x@example.com", "X", "Y", "e-x"); u[LADDER] = json!({}); u.to_string() },
            400, "invalidValue", "jobFamily",
        ),
        (
            "POST",
            "/scim/v2/Users".to_owned(),
            okta_user("self@example.com", "Self", "Again", "e-self").to_string(),
            409, "uniqueness", "self@example.com",
        ),
        (
            "POST",
            "/scim/v2/Users".to_owned(),
            { let mut u = okta_user("x@example.com", "X", "Y", "e-x"); u["displayName"] = json!("X\u{1b}[2J"); u.to_string() },
            400, "invalidValue", "displayName",
        ),
        (
            "PATCH",
            format!("/scim/v2/Users/{}", app.ids["manager"]),
            json!({"Operations": [{"op": "add", "path": format!("{ENTERPRISE}:manager"), "value": app.ids["direct-report"].to_string()}]}).to_string(),
            400, "invalidValue", "reporting cycle",
        ),
        (
            "PATCH",
            format!("/scim/v2/Users/{}", app.ids["self"]),
            json!({"Operations": [{"op": "replace", "path": format!("{LADDER}:level"), "value": "staff"}]}).to_string(),
            400, "mutability", "level",
        ),
        (
            "PATCH",
            format!("/scim/v2/Users/{}", app.ids["self"]),
            json!({"Operations": [{"op": "jump", "path": "active"}]}).to_string(),
            400, "invalidSyntax", "jump",
        ),
        (
            "GET",
            "/scim/v2/Users?filter=userName%20zz%20%22a%22".to_owned(),
            String::new(),
            400, "invalidFilter", "zz",
        ),
    ];
    for (method, path, body, status, scim_type, names) in errors {
        let r = scim
            .c
            .request(
                method,
                &path,
                Some("application/scim+json"),
                body.as_bytes(),
            )
            .await;
        assert_eq!(r.status, status, "{method} {path}: {}", r.body);
        let v: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(
            v["schemas"][0],
            "urn:ietf:params:scim:api:messages:2.0:Error"
        );
        assert_eq!(v["scimType"], scim_type, "{}", r.body);
        assert!(v["detail"].as_str().unwrap().contains(names), "{}", r.body);
    }
    assert_eq!(
        app.store.dump().await.unwrap().people,
        before,
        "nothing half-written"
    );
    // The refused level is reported to the people team.
    let (mut team, _) = client_as(&app, "people-team").await;
    let tasks = json(&team.get("/api/v1/me/tasks").await);
    assert!(
        tasks
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["kind"] == "provisioned_level" && t["person_id"] == app.ids["self"]),
        "{tasks}"
    );
}

#[tokio::test]
async fn tokens_are_per_client_and_revoked_at_once() {
    let app = start().await;
    let mut a = Scim::new(&app, "Okta").await;
    assert_eq!(a.get("/scim/v2/Users").await.0, 200);
    let mut nobody = Client::new(app.addr);
    nobody.headers.push((
        "Authorization".to_owned(),
        "Bearer ladder_scim_nope".to_owned(),
    ));
    let r = nobody.get("/scim/v2/Users").await;
    assert_eq!(r.status, 401);
    assert!(r.header("www-authenticate").is_some());
    // A person's API token is not a provisioning token.
    let mut me = api_as(&app, "admin").await;
    let token =
        json(&post_json(&mut me, "/api/v1/tokens", &json!({"name": "mine"})).await)["token"]
            .as_str()
            .unwrap()
            .to_owned();
    let mut personal = Client::new(app.addr);
    personal
        .headers
        .push(("Authorization".to_owned(), format!("Bearer {token}")));
    assert_eq!(personal.get("/scim/v2/Users").await.status, 401);
    // The admin revokes it on the page.
    let (mut admin, csrf) = client_as(&app, "admin").await;
    let id = app.store.scim_clients().await.unwrap()[0].id;
    let page = admin.get("/admin/provisioning").await;
    assert!(page.body.contains("Okta"));
    admin
        .post_form(
            &format!("/admin/provisioning/{id}/revoke"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(a.get("/scim/v2/Users").await.0, 401);
}

#[tokio::test]
async fn groups_give_ladder_roles() {
    let app = start().await;
    let mut scim = Scim::new(&app, "Okta").await;
    let (_, groups) = scim.get("/scim/v2/Groups").await;
    assert_eq!(groups["totalResults"], 3);
    let peer = app.ids["peer"].to_string();
    let (status, g) = scim
        .send(
            "PATCH",
            "/scim/v2/Groups/people",
            &json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{ "op": "add", "path": "members", "value": [{ "value": peer }] }]
            }),
        )
        .await;
    assert_eq!(status, 200, "{g}");
    assert!(
        app.store
            .account_by_email("peer@example.com")
            .await
            .unwrap()
            .unwrap()
            .roles
            .people_team
    );
    let (_, g) = scim
        .send(
            "PATCH",
            "/scim/v2/Groups/people",
            &json!({
                "Operations": [{ "op": "remove", "path": format!("members[value eq \"{peer}\"]") }]
            }),
        )
        .await;
    assert!(
        !g["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["value"] == peer.as_str())
    );
    assert!(
        !app.store
            .account_by_email("peer@example.com")
            .await
            .unwrap()
            .unwrap()
            .roles
            .people_team
    );
    let (status, e) = scim
        .send(
            "PATCH",
            "/scim/v2/Groups/editor",
            &json!({
                "Operations": [{ "op": "add", "path": "members", "value": [{ "value": "999999" }] }]
            }),
        )
        .await;
    assert_eq!(status, 400);
    assert!(e["detail"].as_str().unwrap().contains("999999"));
    let (status, _) = scim
        .send(
            "POST",
            "/scim/v2/Groups",
            &json!({"displayName": "Ladder admins"}),
        )
        .await;
    assert_eq!(status, 409);
}

/// The checks of scim2-tester this server does not pass, as `title
/// [resource type]`, each for a reason given in docs/provisioning.md:
/// - `email`: scim2-tester fills a User's required attributes from its own
///   model of the core schema, which does not require `emails`, and makes
///   `userName` a random word; Ladder keys people by their work email
///   (accounts and single sign-on match on it), so it refuses a User with
///   neither, with `invalidValue` naming `emails`.
/// - `specialty`: it fills `specialty` with random text; Ladder takes only a
///   specialty of the person's job family, and refuses the rest with
///   `invalidValue` naming the attribute.
/// - `group`: it creates groups of any name; Ladder's groups are its three
///   roles, which are neither made nor deleted through SCIM.
const EXPECTED_FAILURES: &[(&str, &str)] = &[
    ("object_creation [User]", "email"),
    ("object_query [User]", "email"),
    ("object_query_without_id [User]", "email"),
    ("object_replacement [User]", "email"),
    ("object_deletion [User]", "email"),
    ("check_add_attribute [User]", "email"),
    ("check_replace_attribute [User]", "email"),
    ("object_query_with_attributes [User]", "specialty"),
    ("object_list_with_attributes [User]", "specialty"),
    ("search_with_attributes [User]", "specialty"),
    ("check_remove_attribute [User]", "specialty"),
    ("object_creation [Group]", "group"),
    ("object_query [Group]", "group"),
    ("object_query_without_id [Group]", "group"),
    ("object_query_with_attributes [Group]", "group"),
    ("object_list_with_attributes [Group]", "group"),
    ("search_with_attributes [Group]", "group"),
    ("object_replacement [Group]", "group"),
    ("object_deletion [Group]", "group"),
    ("check_add_attribute [Group]", "group"),
    ("check_remove_attribute [Group]", "group"),
    ("check_replace_attribute [Group]", "group"),
];

#[tokio::test]
async fn scim2_tester_finds_the_server_conformant() {
    let app = start().await;
    let token = scim_token(&app, "scim2-tester").await;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/scim_check.py");
    let base = format!("http://{}", app.addr);
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("timeout")
            .args(["300", "python3", script, &base, &token])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "scim2-tester did not run ({}): {}\n{stdout}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<Value> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert!(results.len() > 20, "scim2-tester ran its checks: {stdout}");
    let failed: Vec<String> = results
        .iter()
        .filter(|r| matches!(r["status"].as_str(), Some("ERROR" | "CRITICAL")))
        .map(|r| {
            format!(
                "{} [{}]: {}",
                r["title"].as_str().unwrap_or(""),
                r["resource_type"].as_str().unwrap_or(""),
                r["reason"].as_str().unwrap_or("")
            )
        })
        .filter(|f| {
            !EXPECTED_FAILURES
                .iter()
                .any(|(title, _)| f.starts_with(&format!("{title}:")))
        })
        .collect();
    assert!(
        failed.is_empty(),
        "scim2-tester failures:\n{}",
        failed.join("\n")
    );
    let passed: Vec<&str> = results
        .iter()
        .filter(|r| {
            matches!(
                r["status"].as_str(),
                Some("SUCCESS" | "COMPLIANT" | "ACCEPTABLE")
            )
        })
        .filter_map(|r| r["title"].as_str())
        .collect();
    eprintln!(
        "scim2-tester: {} of {} checks passed: {}",
        passed.len(),
        results.len(),
        passed.join(", ")
    );
    assert!(passed.len() >= 10, "{stdout}");
}
