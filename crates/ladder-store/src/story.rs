//! The conformance story: what every backend must do, told as the server
//! uses it. Each backend's `tests/story.rs` runs [`all`] against a fresh
//! database of its own (a temporary SQLite file; a temporary PostgreSQL
//! database), so both backends are held to the same behaviour.
//!
//! Assertions are the point of this module, so it may panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::{AuditEvent, Dump, OidcFlow, Roles, Session, Store, StoreError};
use ladder_org::{Date, PersonRecord, Role};

fn person(email: &str, manager: Option<&str>, level: &str) -> PersonRecord {
    PersonRecord {
        email: email.to_owned(),
        name: format!("Person {email}"),
        manager_email: manager.map(str::to_owned),
        department: "Platform".to_owned(),
        role: Role {
            family: "backend-engineer".to_owned(),
            level: level.to_owned(),
            specialty: Some("payments".to_owned()),
            grade: "6".to_owned(),
        },
        location: "Lisbon".to_owned(),
        start_date: Date::new(2021, 4, 1),
        active: true,
    }
}

/// Runs every story. `store` and `empty` are two fresh, migrated databases
/// of the same backend; `empty` receives the restore.
pub async fn all(store: &dyn Store, empty: &dyn Store) {
    people(store).await;
    accounts(store).await;
    sessions(store).await;
    throttling(store).await;
    bootstrap(store).await;
    audit(store).await;
    framework_versions(store).await;
    oidc(store).await;
    backup(store, empty).await;
}

async fn people(s: &dyn Store) {
    let head = person("head@example.com", None, "staff");
    let lead = person("lead@example.com", Some("head@example.com"), "senior");
    let dev = person("dev@example.com", Some("lead@example.com"), "intermediate");
    let v0 = s.org_version().await.unwrap();
    // Reports before managers: the store links managers after every row is in.
    let sum = s
        .apply_people(
            &[dev.clone(), lead.clone(), head.clone()],
            "2026-01-05",
            None,
            100,
        )
        .await
        .unwrap();
    assert_eq!((sum.created, sum.updated, sum.role_changes), (3, 0, 3));
    assert_eq!(s.count_people().await.unwrap(), 3);
    let v1 = s.org_version().await.unwrap();
    assert!(v1 > v0, "a write to people moves the org version");
    let org = s.org().await.unwrap();
    assert_eq!(org.version, v1);
    assert_eq!(org.people, s.list_people().await.unwrap());
    assert_eq!(org.history.len(), 3);
    // Nothing changed: the version stays.
    s.apply_people(std::slice::from_ref(&head), "2026-01-06", None, 101)
        .await
        .unwrap();
    assert_eq!(s.org_version().await.unwrap(), v1);
    let got = s.person_by_email("DEV@example.com").await.unwrap().unwrap();
    assert_eq!(got.record, dev);
    let lead_row = s
        .person_by_email("lead@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.manager_id, Some(lead_row.id));
    assert_eq!(s.person(lead_row.id).await.unwrap().unwrap().record, lead);
    let reports = s.reports(lead_row.id).await.unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].record.email, "dev@example.com");
    let hist = s.role_history(got.id).await.unwrap();
    assert_eq!(hist.len(), 1);
    assert_eq!(
        (hist[0].reason.as_str(), hist[0].effective.as_str()),
        ("hired", "2026-01-05")
    );

    // A promotion and a move of manager; one row unchanged.
    let mut promoted = dev.clone();
    promoted.role.level = "senior".to_owned();
    promoted.role.grade = "7".to_owned();
    let mut moved = lead.clone();
    moved.manager_email = None;
    let sum = s
        .apply_people(
            &[promoted.clone(), moved.clone(), head.clone()],
            "2026-04-01",
            None,
            200,
        )
        .await
        .unwrap();
    assert_eq!(
        (sum.created, sum.updated, sum.unchanged, sum.role_changes),
        (0, 2, 1, 1)
    );
    let hist = s.role_history(got.id).await.unwrap();
    assert_eq!(hist.len(), 2);
    assert_eq!(hist[1].role.level, "senior");
    assert_eq!(hist[1].reason, "import");
    assert_eq!(
        s.person_by_email("lead@example.com")
            .await
            .unwrap()
            .unwrap()
            .manager_id,
        None
    );

    // All or nothing: an unknown manager fails the whole batch.
    let newcomer = person("new@example.com", None, "associate");
    let orphan = person(
        "orphan@example.com",
        Some("nobody@example.com"),
        "associate",
    );
    let err = s
        .apply_people(&[newcomer, orphan], "2026-05-01", None, 300)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err}");
    assert_eq!(s.count_people().await.unwrap(), 3);
    assert!(
        s.person_by_email("new@example.com")
            .await
            .unwrap()
            .is_none()
    );
    let all = s.list_people().await.unwrap();
    assert_eq!(all.len(), 3);
    assert!(all.windows(2).all(|w| w[0].id < w[1].id));

    // One email twice in a batch is refused, and nothing is written.
    let twice = person("twice@example.com", None, "associate");
    let err = s
        .apply_people(&[twice.clone(), twice], "2026-05-01", None, 300)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert_eq!(s.count_people().await.unwrap(), 3);

    // A big batch crosses the store's internal chunks (1,000 rows): every
    // row, role change and manager link lands, reports listed before their
    // managers, and an existing person moves to a new manager.
    let bulk: Vec<_> = (0..2500)
        .rev()
        .map(|i| {
            let manager = if i == 0 {
                "head@example.com".to_owned()
            } else {
                format!("bulk{}@example.com", (i - 1) / 3)
            };
            person(&format!("bulk{i}@example.com"), Some(&manager), "associate")
        })
        .collect();
    let mut moved_again = dev.clone();
    moved_again.role = promoted.role.clone();
    moved_again.manager_email = Some("bulk2499@example.com".to_owned());
    let mut batch = bulk.clone();
    batch.push(moved_again);
    let sum = s
        .apply_people(&batch, "2026-06-01", None, 400)
        .await
        .unwrap();
    assert_eq!(
        (sum.created, sum.updated, sum.role_changes),
        (2500, 1, 2500)
    );
    assert_eq!(s.count_people().await.unwrap(), 2503);
    let last = s
        .person_by_email("bulk2499@example.com")
        .await
        .unwrap()
        .unwrap();
    let parent = s
        .person_by_email("bulk832@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(last.manager_id, Some(parent.id));
    assert_eq!(s.role_history(last.id).await.unwrap().len(), 1);
    let dev_now = s.person_by_email("dev@example.com").await.unwrap().unwrap();
    assert_eq!(dev_now.manager_id, Some(last.id));
    assert_eq!(s.reports(parent.id).await.unwrap().len(), 3);
}

async fn accounts(s: &dyn Store) {
    let id = s
        .create_account(
            "Admin@Example.com",
            "Ada Admin",
            Some("$argon2id$fake"),
            Roles {
                admin: true,
                ..Roles::NONE
            },
            10,
        )
        .await
        .unwrap();
    let dup = s
        .create_account("admin@example.com", "Again", None, Roles::NONE, 11)
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    let a = s
        .account_by_email("ADMIN@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (a.id, a.email.as_str(), a.roles.admin, a.roles.people_team),
        (id, "admin@example.com", true, false)
    );
    s.set_password(id, "$argon2id$other").await.unwrap();
    s.set_roles(
        id,
        Roles {
            people_team: true,
            editor: true,
            ..Roles::NONE
        },
    )
    .await
    .unwrap();
    let a = s.account(id).await.unwrap().unwrap();
    assert_eq!(a.password_hash.as_deref(), Some("$argon2id$other"));
    assert_eq!(
        a.roles,
        Roles {
            admin: false,
            people_team: true,
            editor: true
        }
    );
    assert!(matches!(
        s.set_roles(9999, Roles::NONE).await,
        Err(StoreError::NotFound(_))
    ));
    let sso = s
        .create_account("sso@example.com", "Sam", None, Roles::NONE, 12)
        .await
        .unwrap();
    assert_eq!(s.account(sso).await.unwrap().unwrap().password_hash, None);
    assert_eq!(s.count_accounts().await.unwrap(), 2);
    assert_eq!(s.list_accounts().await.unwrap().len(), 2);

    let t = s.create_api_token(id, "ci", "tokenhash", 13).await.unwrap();
    let got = s.api_token("tokenhash").await.unwrap().unwrap();
    assert_eq!((got.id, got.account_id, got.name.as_str()), (t, id, "ci"));
    assert!(s.api_token("other").await.unwrap().is_none());
}

async fn sessions(s: &dyn Store) {
    let account = s
        .account_by_email("admin@example.com")
        .await
        .unwrap()
        .unwrap()
        .id;
    let session = Session {
        token_hash: "h1".to_owned(),
        account_id: account,
        csrf: "c1".to_owned(),
        created_at: 1000,
        expires_at: 2000,
    };
    s.create_session(&session).await.unwrap();
    let view = s.session("h1", 1999).await.unwrap().unwrap();
    assert_eq!(view.session, session);
    assert_eq!(view.org_version, s.org_version().await.unwrap());
    assert_eq!(view.account, s.account(account).await.unwrap().unwrap());
    assert_eq!(
        s.session("h1", 2000).await.unwrap(),
        None,
        "expired at expires_at"
    );
    assert_eq!(s.session("nope", 1500).await.unwrap(), None);
    s.delete_session("h1").await.unwrap();
    assert_eq!(s.session("h1", 1500).await.unwrap(), None);
    s.create_session(&Session {
        token_hash: "h2".to_owned(),
        expires_at: 50,
        ..session
    })
    .await
    .unwrap();
    assert_eq!(s.delete_expired_sessions(60).await.unwrap(), 1);
}

async fn throttling(s: &dyn Store) {
    for at in [100, 200, 300] {
        s.record_failure("account:x", at).await.unwrap();
    }
    s.record_failure("ip:1", 300).await.unwrap();
    assert_eq!(s.failures_since("account:x", 150).await.unwrap(), 2);
    assert_eq!(s.failures_since("account:x", 0).await.unwrap(), 3);
    s.clear_failures("account:x").await.unwrap();
    assert_eq!(s.failures_since("account:x", 0).await.unwrap(), 0);
    assert_eq!(s.failures_since("ip:1", 0).await.unwrap(), 1);
    s.record_failure("ip:1", 100).await.unwrap();
    assert_eq!(s.delete_failures_before(300).await.unwrap(), 1);
    assert_eq!(
        s.failures_since("ip:1", 0).await.unwrap(),
        1,
        "the newer one stays"
    );
}

async fn bootstrap(s: &dyn Store) {
    s.create_bootstrap("b1", 500).await.unwrap();
    s.create_bootstrap("b2", 100).await.unwrap();
    assert!(!s.take_bootstrap("b2", 200).await.unwrap(), "too old");
    assert!(s.take_bootstrap("b1", 200).await.unwrap());
    assert!(
        !s.take_bootstrap("b1", 200).await.unwrap(),
        "used once only"
    );
}

async fn audit(s: &dyn Store) {
    for i in 0..5 {
        s.audit(&AuditEvent {
            id: 0,
            at: 1000 + i,
            actor_id: Some(1),
            actor: "admin@example.com".to_owned(),
            action: format!("test.{i}"),
            subject_id: None,
            detail: String::new(),
            ip: "127.0.0.1".to_owned(),
        })
        .await
        .unwrap();
    }
    let page = s.audit_log(None, 3).await.unwrap();
    assert_eq!(
        page.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["test.4", "test.3", "test.2"]
    );
    let next = s.audit_log(page.last().map(|e| e.id), 3).await.unwrap();
    assert_eq!(
        next.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["test.1", "test.0"]
    );
}

async fn framework_versions(s: &dyn Store) {
    assert!(
        s.record_framework("abc", "/fw", "2 families", 10)
            .await
            .unwrap()
    );
    assert!(
        !s.record_framework("abc", "/fw", "2 families", 20)
            .await
            .unwrap()
    );
    assert!(
        s.record_framework("def", "/fw", "3 families", 30)
            .await
            .unwrap()
    );
    let v = s.framework_versions().await.unwrap();
    assert_eq!(v.len(), 2);
    assert_eq!(
        (
            v[0].hash.as_str(),
            v[0].first_loaded_at,
            v[0].last_loaded_at
        ),
        ("abc", 10, 20)
    );
}

async fn oidc(s: &dyn Store) {
    let flow = OidcFlow {
        state: "st".to_owned(),
        nonce: "n".to_owned(),
        verifier: "v".to_owned(),
        created_at: 100,
    };
    s.create_oidc_flow(&flow).await.unwrap();
    assert_eq!(
        s.take_oidc_flow("st", 50).await.unwrap(),
        Some(flow.clone())
    );
    assert_eq!(
        s.take_oidc_flow("st", 50).await.unwrap(),
        None,
        "a flow is used once"
    );
    s.create_oidc_flow(&OidcFlow {
        state: "old".to_owned(),
        ..flow.clone()
    })
    .await
    .unwrap();
    s.create_oidc_flow(&OidcFlow {
        state: "abandoned".to_owned(),
        created_at: 300,
        ..flow.clone()
    })
    .await
    .unwrap();
    assert_eq!(s.take_oidc_flow("old", 200).await.unwrap(), None, "too old");
    assert_eq!(
        s.take_oidc_flow("abandoned", 250)
            .await
            .unwrap()
            .map(|f| f.created_at),
        Some(300),
        "a fresh flow survives the sweep of stale ones"
    );
    s.create_oidc_flow(&OidcFlow {
        state: "left".to_owned(),
        created_at: 400,
        ..flow
    })
    .await
    .unwrap();
    assert_eq!(s.take_oidc_flow("other", 500).await.unwrap(), None);
    assert_eq!(
        s.take_oidc_flow("left", 0).await.unwrap(),
        None,
        "taking any flow swept the stale one"
    );
}

async fn backup(s: &dyn Store, empty: &dyn Store) {
    let dump: Dump = s.dump().await.unwrap();
    assert!(!dump.people.is_empty() && !dump.audit.is_empty() && !dump.role_changes.is_empty());
    let refused = s.restore(&dump).await.unwrap_err();
    assert!(matches!(refused, StoreError::Refused(_)), "{refused}");
    let before = empty.org_version().await.unwrap();
    empty.restore(&dump).await.unwrap();
    assert!(
        empty.org_version().await.unwrap() > before,
        "a restore moves the org version"
    );
    let again = empty.dump().await.unwrap();
    assert_eq!(again, dump, "backup then restore round-trips every row");
    // Ids continue after the restored ones.
    let id = empty
        .create_account("after@example.com", "After", None, Roles::NONE, 5000)
        .await
        .unwrap();
    assert!(dump.accounts.iter().all(|a| a.id < id));
}
