//! The conformance story: what every backend must do, told as the server
//! uses it. Each backend's `tests/story.rs` runs every [`STEPS`] entry as a
//! test of its own ([`step`]: on fresh databases, after the steps it
//! builds on), so the first failure does not hide the rest, and the whole
//! story in order ([`all`]), against databases of its own (temporary
//! SQLite files; temporary PostgreSQL databases), so both backends are
//! held to the same behaviour.
//!
//! Assertions are the point of this module, so it may panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::{
    AuditEvent, BACKUP_TABLES, CycleState, DUMPED_TABLES, Dump, FeedbackRelation, Id,
    NOT_BACKED_UP, NewAnswer, NewCycle, NewFocusArea, NewNomination, NewProposal, NewRelease,
    NewSnapshot, OidcFlow, PersonGrowth, ProposalState, Rater, Rating, Record, ResetOutcome, Roles,
    ScimLink, Seen, Session, Store, StoreError,
};
use ladder_org::pay::{Band, Salary};
use ladder_org::{Date, PersonRecord, Role};
use std::future::Future;
use std::pin::Pin;

/// The record of a write in the story: by the system, at time 0.
fn rec(action: &str) -> Record {
    Record::system(0, action, None, "")
}

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

/// A step of the story: its name, the steps whose data it builds on, and
/// the step itself. `store` and `empty` are two fresh, migrated databases
/// of the same backend; `empty` receives the restore.
#[derive(Debug)]
pub struct Step {
    pub name: &'static str,
    pub needs: &'static [&'static str],
    pub run: StepFn,
}

pub type StepFn =
    for<'a> fn(&'a dyn Store, &'a dyn Store) -> Pin<Box<dyn Future<Output = ()> + 'a>>;

/// Every step, in the order [`all`] runs them. Each backend runs each step
/// as a test of its own, on fresh databases, after the steps it needs.
pub const STEPS: &[Step] = &[
    // First: it pages through the audit log, which every write adds to.
    Step {
        name: "audit",
        needs: &[],
        run: |s, _| Box::pin(audit(s)),
    },
    Step {
        name: "people",
        needs: &[],
        run: |s, _| Box::pin(people(s)),
    },
    Step {
        name: "accounts",
        needs: &[],
        run: |s, _| Box::pin(accounts(s)),
    },
    Step {
        name: "sessions",
        needs: &["accounts"],
        run: |s, _| Box::pin(sessions(s)),
    },
    Step {
        name: "throttling",
        needs: &[],
        run: |s, _| Box::pin(throttling(s)),
    },
    Step {
        name: "scim",
        needs: &[],
        run: |s, _| Box::pin(scim(s)),
    },
    Step {
        name: "account_lifecycle",
        needs: &["people", "accounts"],
        run: |s, _| Box::pin(account_lifecycle(s)),
    },
    Step {
        name: "bootstrap",
        needs: &[],
        run: |s, _| Box::pin(bootstrap(s)),
    },
    Step {
        name: "framework_versions",
        needs: &[],
        run: |s, _| Box::pin(framework_versions(s)),
    },
    Step {
        name: "framework_releases",
        needs: &[],
        run: |s, _| Box::pin(framework_releases(s)),
    },
    Step {
        name: "oidc",
        needs: &[],
        run: |s, _| Box::pin(oidc(s)),
    },
    Step {
        name: "worksheet",
        needs: &["people"],
        run: |s, _| Box::pin(worksheet(s)),
    },
    Step {
        name: "concurrent_writes",
        needs: &["people"],
        run: |s, _| Box::pin(concurrent_writes(s)),
    },
    Step {
        name: "checkpoints",
        needs: &["people"],
        run: |s, _| Box::pin(checkpoints(s)),
    },
    Step {
        name: "one_on_ones",
        needs: &["people"],
        run: |s, _| Box::pin(one_on_ones(s)),
    },
    Step {
        name: "feedback",
        needs: &["people", "accounts"],
        run: |s, _| Box::pin(feedback(s)),
    },
    Step {
        name: "ops",
        needs: &["people", "accounts"],
        run: |s, _| Box::pin(ops(s)),
    },
    Step {
        name: "calendar",
        needs: &["people"],
        run: |s, _| Box::pin(calendar(s)),
    },
    Step {
        name: "notifications",
        needs: &["people"],
        run: |s, _| Box::pin(notifications(s)),
    },
    Step {
        name: "events",
        needs: &[
            "people",
            "accounts",
            "worksheet",
            "checkpoints",
            "one_on_ones",
            "feedback",
            "ops",
        ],
        run: |s, _| Box::pin(events(s)),
    },
    Step {
        name: "backup_covers_the_schema",
        needs: &[],
        run: |s, _| Box::pin(backup_covers_the_schema(s)),
    },
    Step {
        name: "backup",
        needs: &[
            "audit",
            "people",
            "accounts",
            "sessions",
            "throttling",
            "account_lifecycle",
            "scim",
            "bootstrap",
            "framework_versions",
            "framework_releases",
            "oidc",
            "worksheet",
            "concurrent_writes",
            "checkpoints",
            "one_on_ones",
            "feedback",
            "ops",
            "events",
        ],
        run: |s, e| Box::pin(backup(s, e)),
    },
];

/// Runs every step, in order.
pub async fn all(store: &dyn Store, empty: &dyn Store) {
    for s in STEPS {
        (s.run)(store, empty).await;
    }
}

/// Runs one step after the steps it needs (and theirs), in story order.
/// Panics on a name that is not a step.
pub async fn step(name: &str, store: &dyn Store, empty: &dyn Store) {
    let mut wanted = std::collections::BTreeSet::new();
    let mut todo = vec![name];
    while let Some(n) = todo.pop() {
        let s = STEPS
            .iter()
            .find(|s| s.name == n)
            .unwrap_or_else(|| panic!("`{n}` is not a step of the story"));
        if wanted.insert(s.name) {
            todo.extend(s.needs);
        }
    }
    for s in STEPS.iter().filter(|s| wanted.contains(s.name)) {
        (s.run)(store, empty).await;
    }
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
            &rec("apply_people"),
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
    s.apply_people(
        std::slice::from_ref(&head),
        "2026-01-06",
        None,
        101,
        &rec("apply_people"),
    )
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
            &rec("apply_people"),
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
        .apply_people(
            &[newcomer, orphan],
            "2026-05-01",
            None,
            300,
            &rec("apply_people"),
        )
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
        .apply_people(
            &[twice.clone(), twice],
            "2026-05-01",
            None,
            300,
            &rec("apply_people"),
        )
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
        .apply_people(&batch, "2026-06-01", None, 400, &rec("apply_people"))
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

    // A first import with its history: a new person's role starts on their
    // start date (today without one); a changed role, on today.
    let mut undated = person("undated@example.com", Some("head@example.com"), "associate");
    undated.start_date = None;
    let mut dated = person(
        "dated@example.com",
        Some("undated@example.com"),
        "associate",
    );
    dated.start_date = Date::new(2019, 2, 11);
    let mut promoted_again = bulk
        .iter()
        .find(|p| p.email == "bulk2000@example.com")
        .unwrap()
        .clone();
    promoted_again.role.level = "intermediate".to_owned();
    let v = s.org_version().await.unwrap();
    let sum = s
        .apply_people_from_start(
            &[dated, undated, promoted_again],
            "2026-07-01",
            None,
            500,
            &rec("apply_people_from_start"),
        )
        .await
        .unwrap();
    assert_eq!((sum.created, sum.updated, sum.role_changes), (2, 1, 3));
    assert!(s.org_version().await.unwrap() > v);
    let effective = |email: &'static str| async move {
        let p = s.person_by_email(email).await.unwrap().unwrap();
        let h = s.role_history(p.id).await.unwrap();
        (p.manager_id.is_some(), h.last().unwrap().effective.clone())
    };
    assert_eq!(
        effective("dated@example.com").await,
        (true, "2019-02-11".to_owned())
    );
    assert_eq!(
        effective("undated@example.com").await,
        (true, "2026-07-01".to_owned())
    );
    assert_eq!(
        effective("bulk2000@example.com").await,
        (true, "2026-07-01".to_owned())
    );
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
            &rec("create_account"),
        )
        .await
        .unwrap();
    let dup = s
        .create_account(
            "admin@example.com",
            "Again",
            None,
            Roles::NONE,
            11,
            &rec("create_account"),
        )
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
    s.set_password(id, "$argon2id$other", &rec("set_password"))
        .await
        .unwrap();
    s.set_roles(
        id,
        Roles {
            people_team: true,
            editor: true,
            ..Roles::NONE
        },
        &rec("set_roles"),
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
        s.set_roles(9999, Roles::NONE, &rec("set_roles")).await,
        Err(StoreError::NotFound(_))
    ));
    let sso = s
        .create_account(
            "sso@example.com",
            "Sam",
            None,
            Roles::NONE,
            12,
            &rec("create_account"),
        )
        .await
        .unwrap();
    assert_eq!(s.account(sso).await.unwrap().unwrap().password_hash, None);
    assert_eq!(s.count_accounts().await.unwrap(), 2);
    assert_eq!(s.list_accounts().await.unwrap().len(), 2);

    let t = s
        .add_api_token(id, "ci", "tokenhash", Some(1000), 13, &rec("token.create"))
        .await
        .unwrap();
    let got = s.token_account("tokenhash", 500).await.unwrap().unwrap();
    assert_eq!(got.id, id);
    let listed = s.account_tokens(id).await.unwrap();
    assert_eq!(
        (listed[0].id, listed[0].name.as_str(), listed[0].expires_at),
        (t, "ci", Some(1000))
    );
    assert_eq!(listed[0].last_used_at, Some(500), "a use is noted");
    assert!(s.token_account("other", 500).await.unwrap().is_none());
    assert!(
        s.token_account("tokenhash", 1000).await.unwrap().is_none(),
        "refused from its expiry on"
    );

    // Many at once: all, or none when one email is taken.
    let new = |email: &str| crate::NewAccount {
        email: email.to_owned(),
        name: "Batch".to_owned(),
        password_hash: None,
        roles: Roles::NONE,
    };
    let taken = s
        .create_accounts(
            &[new("b1@example.com"), new("SSO@example.com")],
            14,
            &rec("account.create"),
        )
        .await;
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");
    assert!(
        s.account_by_email("b1@example.com")
            .await
            .unwrap()
            .is_none()
    );
    let made = s
        .create_accounts(
            &[new("B1@example.com"), new("b2@example.com")],
            14,
            &rec("account.create"),
        )
        .await
        .unwrap();
    assert_eq!(made, 2);
    assert!(
        s.account_by_email("b1@example.com")
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(s.count_accounts().await.unwrap(), 4);
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
        ip: "192.0.2.1".to_owned(),
        agent: "Firefox".to_owned(),
    };
    s.create_session(&session).await.unwrap();
    let view = s.session("h1", 1999).await.unwrap().unwrap();
    assert_eq!(view.session, session);
    assert_eq!(view.org_version, s.org_version().await.unwrap());
    assert_eq!(view.own_growth, own_growth(s, "admin@example.com").await);
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

/// The person with this email and their growth version, as a session
/// of their account reads them.
async fn own_growth(s: &dyn Store, email: &str) -> Option<(Id, i64)> {
    let p = s.person_by_email(email).await.unwrap()?;
    Some((p.id, s.growth_version(p.id).await.unwrap()))
}

fn session_of(account: Id, token: &str, at: i64) -> Session {
    Session {
        token_hash: token.to_owned(),
        account_id: account,
        csrf: "c".to_owned(),
        created_at: at,
        expires_at: at + 10_000,
        ip: String::new(),
        agent: String::new(),
    }
}

/// Deactivation ends every session and token at once; a person's leaving
/// (an import that makes them inactive) deactivates their account in the
/// import's transaction; password changes and resets end sessions; reset
/// links work once and expire.
async fn account_lifecycle(s: &dyn Store) {
    let dev_email = "dev@example.com";
    let dev = s
        .create_account(
            dev_email,
            "Dev",
            Some("h"),
            Roles::NONE,
            10,
            &rec("account.create"),
        )
        .await
        .unwrap();
    for t in ["l1", "l2", "l3"] {
        s.create_session(&session_of(dev, t, 100)).await.unwrap();
    }
    s.add_api_token(dev, "script", "lt1", None, 100, &rec("token.create"))
        .await
        .unwrap();
    assert_eq!(s.account_sessions(dev, 200).await.unwrap().len(), 3);
    let own = own_growth(s, dev_email).await;
    assert!(own.is_some(), "dev is a person");
    assert_eq!(s.session("l2", 200).await.unwrap().unwrap().own_growth, own);

    // The owner ends one session, then all but their own.
    s.end_session(dev, "l1", &rec("session.end")).await.unwrap();
    assert!(matches!(
        s.end_session(dev, "l1", &rec("session.end")).await,
        Err(StoreError::NotFound(_))
    ));
    let admin = s
        .account_by_email("admin@example.com")
        .await
        .unwrap()
        .unwrap()
        .id;
    assert!(
        matches!(
            s.end_session(admin, "l2", &rec("session.end")).await,
            Err(StoreError::NotFound(_))
        ),
        "nobody ends another account's session"
    );
    assert_eq!(
        s.end_sessions(dev, Some("l2"), false, &rec("session.end_all"))
            .await
            .unwrap(),
        (1, 0)
    );
    assert!(s.session("l2", 200).await.unwrap().is_some());
    assert!(s.token_account("lt1", 200).await.unwrap().is_some());

    // Deactivated: no session, no token, twice refused.
    s.set_account_active(dev, false, 300, &rec("account.deactivate"))
        .await
        .unwrap();
    assert!(s.session("l2", 300).await.unwrap().is_none());
    assert!(s.token_account("lt1", 300).await.unwrap().is_none());
    assert!(s.account_tokens(dev).await.unwrap().is_empty());
    assert_eq!(
        s.account(dev).await.unwrap().unwrap().deactivated_at,
        Some(300)
    );
    assert!(matches!(
        s.set_account_active(dev, false, 301, &rec("account.deactivate"))
            .await,
        Err(StoreError::Refused(_))
    ));
    // A session made for a deactivated account does not open.
    s.create_session(&session_of(dev, "l4", 302)).await.unwrap();
    assert!(s.session("l4", 303).await.unwrap().is_none());
    s.set_account_active(dev, true, 310, &rec("account.reactivate"))
        .await
        .unwrap();
    assert!(s.account(dev).await.unwrap().unwrap().active());
    assert!(
        s.session("l2", 310).await.unwrap().is_none(),
        "old sessions stay gone"
    );

    // Leaving through an import.
    s.create_session(&session_of(dev, "l5", 320)).await.unwrap();
    let mut people: Vec<PersonRecord> = s
        .list_people()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.record)
        .collect();
    let row = people
        .iter_mut()
        .find(|r| r.email == dev_email)
        .expect("dev is a person");
    row.active = false;
    let sum = s
        .apply_people(&people, "2026-05-01", None, 330, &rec("people.import"))
        .await
        .unwrap();
    assert_eq!((sum.left, sum.returned), (1, 0));
    assert!(
        s.session("l5", 331).await.unwrap().is_none(),
        "the leaver's session is gone"
    );
    assert_eq!(
        s.account(dev).await.unwrap().unwrap().deactivated_at,
        Some(330)
    );
    let row = people
        .iter_mut()
        .find(|r| r.email == dev_email)
        .expect("dev is a person");
    row.active = true;
    let sum = s
        .apply_people(&people, "2026-06-01", None, 340, &rec("people.import"))
        .await
        .unwrap();
    assert_eq!((sum.left, sum.returned), (0, 1));
    assert!(s.account(dev).await.unwrap().unwrap().active());

    // A password change keeps the caller's session only.
    for t in ["p1", "p2"] {
        s.create_session(&session_of(dev, t, 400)).await.unwrap();
    }
    s.change_password(dev, "h2", Some("p1"), &rec("password.change"))
        .await
        .unwrap();
    assert!(s.session("p1", 401).await.unwrap().is_some());
    assert!(s.session("p2", 401).await.unwrap().is_none());
    assert_eq!(
        s.account(dev)
            .await
            .unwrap()
            .unwrap()
            .password_hash
            .as_deref(),
        Some("h2")
    );

    // Reset links: a newer one replaces the older; once; before expiry.
    s.create_password_reset(dev, "r1", 500, 4100, &rec("password.reset_sent"))
        .await
        .unwrap();
    s.create_password_reset(dev, "r2", 510, 4110, &rec("password.reset_sent"))
        .await
        .unwrap();
    assert!(!s.password_reset_valid("r1", 520).await.unwrap());
    assert!(s.password_reset_valid("r2", 520).await.unwrap());
    assert_eq!(
        s.reset_password("r2", "h3", 4110, &rec("password.reset"))
            .await
            .unwrap(),
        ResetOutcome::Invalid,
        "expired"
    );
    s.create_password_reset(dev, "r3", 600, 4200, &rec("password.reset_sent"))
        .await
        .unwrap();
    assert_eq!(
        s.reset_password("r3", "h3", 700, &rec("password.reset"))
            .await
            .unwrap(),
        ResetOutcome::Done(dev)
    );
    assert!(
        s.session("p1", 701).await.unwrap().is_none(),
        "a reset ends every session"
    );
    assert_eq!(
        s.reset_password("r3", "h4", 701, &rec("password.reset"))
            .await
            .unwrap(),
        ResetOutcome::Invalid,
        "used once"
    );
    assert_eq!(
        s.account(dev)
            .await
            .unwrap()
            .unwrap()
            .password_hash
            .as_deref(),
        Some("h3")
    );

    // Addresses and the newest failure.
    s.remember_address(dev, "192.0.2.7", 800).await.unwrap();
    s.remember_address(dev, "192.0.2.7", 900).await.unwrap();
    assert!(s.known_address(dev, "192.0.2.7", 850).await.unwrap());
    assert!(!s.known_address(dev, "192.0.2.8", 0).await.unwrap());
    assert!(!s.known_address(admin, "192.0.2.7", 0).await.unwrap());
    s.record_failure("account:z", 10).await.unwrap();
    s.record_failure("account:z", 30).await.unwrap();
    assert_eq!(s.last_failure("account:z", 0).await.unwrap(), Some(30));
    assert_eq!(s.last_failure("account:z", 31).await.unwrap(), None);
}

/// Provisioning clients by token; people written with their link in one
/// transaction; a manager named before they exist is linked when they
/// arrive.
async fn scim(s: &dyn Store) {
    let c = s
        .create_scim_client("okta", "st1", None, 10, &rec("scim.client.create"))
        .await
        .unwrap();
    assert_eq!(
        s.scim_client_by_token("st1", 20).await.unwrap().unwrap().id,
        c
    );
    assert_eq!(s.scim_clients().await.unwrap()[0].last_used_at, Some(20));
    assert!(s.scim_client_by_token("other", 20).await.unwrap().is_none());
    s.revoke_scim_client(c, 30, &rec("scim.client.revoke"))
        .await
        .unwrap();
    assert!(s.scim_client_by_token("st1", 40).await.unwrap().is_none());
    assert!(matches!(
        s.revoke_scim_client(c, 41, &rec("scim.client.revoke"))
            .await,
        Err(StoreError::Refused(_))
    ));

    // A report arrives first, naming a manager who does not exist yet.
    let report = person("sr@example.com", None, "senior");
    let link = ScimLink {
        external_id: Some("ext-r".to_owned()),
        user_name: "sr@example.com".to_owned(),
        pending_manager: Some("ext-m".to_owned()),
        ..ScimLink::default()
    };
    let r = s
        .scim_write(
            &report,
            &link,
            "2026-02-01",
            None,
            50,
            &rec("scim.user.create"),
        )
        .await
        .unwrap();
    assert_eq!(s.person(r).await.unwrap().unwrap().manager_id, None);
    let v = s.org_version().await.unwrap();
    let boss = person("sm@example.com", None, "staff");
    let m = s
        .scim_write(
            &boss,
            &ScimLink {
                external_id: Some("ext-m".to_owned()),
                user_name: "sm@example.com".to_owned(),
                ..ScimLink::default()
            },
            "2026-02-01",
            None,
            60,
            &rec("scim.user.create"),
        )
        .await
        .unwrap();
    assert_eq!(s.person(r).await.unwrap().unwrap().manager_id, Some(m));
    assert!(s.org_version().await.unwrap() > v);
    let links = s.scim_links().await.unwrap();
    let lr = links.iter().find(|l| l.person_id == r).unwrap();
    assert_eq!(
        (lr.pending_manager.as_deref(), lr.created_at, lr.updated_at),
        (None, 50, 60)
    );
    s.set_refused_level(r, Some("staff"), 70, &rec("scim.level_refused"))
        .await
        .unwrap();
    let links = s.scim_links().await.unwrap();
    assert_eq!(
        links
            .iter()
            .find(|l| l.person_id == r)
            .unwrap()
            .refused_level
            .as_deref(),
        Some("staff")
    );
    // Roles by group membership: an account made where there is none, all
    // in one transaction.
    s.scim_set_role(
        "people",
        &[("sm@example.com".to_owned(), "Boss".to_owned())],
        &[],
        80,
        &rec("scim.group.members"),
    )
    .await
    .unwrap();
    let boss_account = s.account_by_email("sm@example.com").await.unwrap().unwrap();
    assert!(boss_account.roles.people_team && boss_account.password_hash.is_none());
    assert!(matches!(
        s.scim_set_role("people", &[], &["sm@example.com".to_owned()], 81, &rec("x"))
            .await,
        Ok(())
    ));
    assert!(
        !s.account_by_email("sm@example.com")
            .await
            .unwrap()
            .unwrap()
            .roles
            .people_team
    );
    assert!(
        s.scim_set_role(
            "owner",
            &[("sr@example.com".to_owned(), "R".to_owned())],
            &[],
            82,
            &rec("x")
        )
        .await
        .is_err()
    );
    assert!(
        s.account_by_email("sr@example.com")
            .await
            .unwrap()
            .is_none(),
        "a refused change makes no account"
    );
    // The event of a write is about the person written.
    let log = s.audit_log(None, 5).await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "scim.user.create" && e.subject_id == Some(m))
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

/// Every write above left its event in the outbox, in order; a write's
/// audit entry and event say the same thing; cursors move once per batch.
async fn calendar(s: &dyn Store) {
    use crate::{Cadence, NewSeries, SeriesState};
    let people = s.list_people().await.unwrap();
    let (m, r) = (people[0].id, people[1].id);
    let new = NewSeries {
        manager_id: m,
        report_id: r,
        cadence: Cadence::Biweekly,
        first_date: "2026-12-07".to_owned(),
        until_date: "2027-06-30".to_owned(),
        start_time: "10:30".to_owned(),
        time_zone: "Europe/Lisbon".to_owned(),
        duration_minutes: 30,
    };
    let id = s
        .create_series(&new, None, 100, &rec("series.create"))
        .await
        .unwrap();
    let again = s
        .create_series(&new, None, 101, &rec("series.create"))
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let got = s.series(id).await.unwrap().unwrap();
    assert_eq!((got.new, got.state), (new.clone(), SeriesState::Active));
    assert_eq!(s.active_series().await.unwrap().len(), 1);
    assert_eq!(s.person_series(r).await.unwrap().len(), 1);
    s.set_series_state(id, SeriesState::Paused, 102, &rec("series.pause"))
        .await
        .unwrap();
    assert!(s.active_series().await.unwrap().is_empty());
    s.set_series_state(id, SeriesState::Ended, 103, &rec("series.end"))
        .await
        .unwrap();
    let ended = s
        .set_series_state(id, SeriesState::Active, 104, &rec("series.resume"))
        .await;
    assert!(matches!(ended, Err(StoreError::Refused(_))), "{ended:?}");
    // Ended: the pair may start another.
    s.create_series(&new, None, 105, &rec("series.create"))
        .await
        .unwrap();
    assert_eq!(s.pair_series(m, r).await.unwrap().len(), 2);
    // Feed tokens: one per person, replaced on rotation.
    assert!(!s.has_calendar_token(m).await.unwrap());
    s.set_calendar_token(m, "h1", 106, &rec("calendar.token"))
        .await
        .unwrap();
    s.set_calendar_token(m, "h2", 107, &rec("calendar.token"))
        .await
        .unwrap();
    assert_eq!(s.calendar_person("h1").await.unwrap(), None);
    assert_eq!(s.calendar_person("h2").await.unwrap(), Some(m));
    assert!(s.has_calendar_token(m).await.unwrap());
}

async fn notifications(s: &dyn Store) {
    use crate::{Channel, Delivery, MessageState, NewMessage, Outcome};
    let person = s.list_people().await.unwrap()[0].id;
    let msg = |key: &str, state| NewMessage {
        key: key.to_owned(),
        kind: "cycle.nominations_open".to_owned(),
        channel: Channel::Email,
        person_id: Some(person),
        webhook_id: None,
        address: "p@example.com".to_owned(),
        data: "{}".to_owned(),
        state,
        due_at: 100,
    };
    // Made once per key, with the cursor moved in the same transaction;
    // a node whose cursor is stale writes nothing.
    let m = [
        msg("e1:a", MessageState::Pending),
        msg("e1:b", MessageState::Pending),
    ];
    assert!(s.enqueue(Some(("notify", 0, 5)), &m, 100).await.unwrap());
    assert!(!s.enqueue(Some(("notify", 0, 5)), &m, 100).await.unwrap());
    assert_eq!(s.event_cursor("notify").await.unwrap(), 5);
    assert!(
        s.enqueue(None, &m, 101).await.unwrap(),
        "same keys: skipped"
    );
    assert_eq!(s.messages(None, 10).await.unwrap().len(), 2);
    let asked = ["e1:b".to_owned(), "e2:a".to_owned(), "e1:a".to_owned()];
    let mut made = s.made_keys(&asked).await.unwrap();
    made.sort();
    assert_eq!(made, ["e1:a", "e1:b"], "the keys made, and only those");
    assert!(s.made_keys(&[]).await.unwrap().is_empty());

    // Claims: not before due, one node at a time, again after the lease;
    // a node that cannot send email leaves it.
    assert!(
        s.claim_messages("a", false, 100, 30, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        s.claim_messages("a", true, 99, 30, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let a = s.claim_messages("a", true, 100, 60, 1).await.unwrap();
    let b = s.claim_messages("b", true, 100, 30, 10).await.unwrap();
    assert_eq!((a.len(), b.len()), (1, 1));
    assert_ne!(a[0].id, b[0].id);
    assert!(
        s.claim_messages("c", true, 110, 30, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // b's lease runs out unfinished: c takes it, and b's late report is
    // ignored.
    let c = s.claim_messages("c", true, 130, 30, 10).await.unwrap();
    assert_eq!((c.len(), c[0].id, c[0].attempts), (1, b[0].id, 2));
    s.finish_message(b[0].id, "b", &Outcome::Sent, 3, 131)
        .await
        .unwrap();
    assert_eq!(
        s.message(b[0].id).await.unwrap().unwrap().new.state,
        MessageState::Pending
    );
    s.finish_message(c[0].id, "c", &Outcome::Sent, 3, 132)
        .await
        .unwrap();
    let retry = Outcome::Retry {
        error: "421 try later".to_owned(),
        at: 200,
    };
    s.finish_message(a[0].id, "a", &retry, 3, 133)
        .await
        .unwrap();
    let again = s.message(a[0].id).await.unwrap().unwrap();
    assert_eq!(
        (
            again.new.state,
            again.new.due_at,
            again.last_error.as_deref()
        ),
        (MessageState::Pending, 200, Some("421 try later"))
    );
    assert!(
        s.claim_messages("a", true, 199, 30, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let a2 = s.claim_messages("a", true, 200, 30, 10).await.unwrap();
    let gave_up = Outcome::GiveUp {
        error: "550 no such user".to_owned(),
    };
    s.finish_message(a2[0].id, "a", &gave_up, 3, 201)
        .await
        .unwrap();
    let counts = s.message_counts().await.unwrap();
    assert_eq!(counts, [(MessageState::Failed, 1), (MessageState::Sent, 1)]);
    // Folding the tallies changes no count, nor does folding them again.
    s.fold_message_tallies().await.unwrap();
    assert_eq!(s.message_counts().await.unwrap(), counts);
    s.fold_message_tallies().await.unwrap();
    assert_eq!(s.message_counts().await.unwrap(), counts);
    s.resend_message(a2[0].id, 300, &rec("message.resend"))
        .await
        .unwrap();
    let resent = s.message(a2[0].id).await.unwrap().unwrap();
    assert_eq!(
        (resent.new.state, resent.attempts),
        (MessageState::Pending, 0)
    );
    assert!(
        s.resend_message(a2[0].id, 300, &rec("message.resend"))
            .await
            .is_err(),
        "a pending message is not sent twice"
    );

    // Webhooks: failing after a run of failures, well again on success.
    let hook = s
        .create_webhook(
            "http://127.0.0.1:9/hook",
            &["*".to_owned()],
            "k",
            None,
            400,
            &rec("webhook.create"),
        )
        .await
        .unwrap();
    let to_hook = |key: &str| NewMessage {
        channel: Channel::Webhook,
        person_id: None,
        webhook_id: Some(hook),
        address: "http://127.0.0.1:9/hook".to_owned(),
        ..msg(key, MessageState::Pending)
    };
    s.enqueue(None, &[to_hook("h1"), to_hook("h2")], 400)
        .await
        .unwrap();
    // A node that cannot send email claims the webhooks alone (a lease of
    // no time leaves them to be claimed again below).
    let hooks_only = s.claim_messages("w", false, 400, 0, 10).await.unwrap();
    let keys: Vec<&str> = hooks_only.iter().map(|m| m.new.key.as_str()).collect();
    assert_eq!(keys, ["h1", "h2"]);
    for m in s.claim_messages("a", true, 400, 30, 10).await.unwrap() {
        if m.new.webhook_id == Some(hook) {
            s.finish_message(m.id, "a", &gave_up, 2, 401).await.unwrap();
        } else {
            s.finish_message(m.id, "a", &Outcome::Sent, 2, 401)
                .await
                .unwrap();
        }
    }
    let w = &s.webhooks().await.unwrap()[0];
    assert_eq!(
        (w.failures, w.failing, w.wants("anything")),
        (2, true, true)
    );

    // Digests: held messages go out once, in one message.
    s.enqueue(
        None,
        &[
            msg("held1", MessageState::Held),
            msg("held2", MessageState::Held),
        ],
        500,
    )
    .await
    .unwrap();
    let held: Vec<Id> = s
        .held_messages()
        .await
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(held.len(), 2);
    let digest = msg("digest:1", MessageState::Pending);
    assert!(s.make_digest(&digest, &held, 500).await.unwrap());
    assert!(!s.make_digest(&digest, &held, 500).await.unwrap());
    assert!(s.held_messages().await.unwrap().is_empty());

    // Preferences replace each other whole.
    let prefs = [
        ("cycle.nominations_open".to_owned(), Delivery::Digest),
        ("meeting.create".to_owned(), Delivery::Off),
    ];
    s.set_notification_prefs(person, &prefs, &rec("prefs.set"))
        .await
        .unwrap();
    s.set_notification_prefs(person, &prefs[1..], &rec("prefs.set"))
        .await
        .unwrap();
    assert_eq!(
        s.notification_prefs(&[person, 999]).await.unwrap(),
        [(person, "meeting.create".to_owned(), Delivery::Off)]
    );
    s.delete_webhook(hook, &rec("webhook.delete"))
        .await
        .unwrap();
    assert!(s.webhooks().await.unwrap().is_empty());
}

async fn events(s: &dyn Store) {
    let all = s.events_after(0, 1_000_000).await.unwrap();
    assert!(all.len() > 20, "the writes above recorded their events");
    assert!(all.windows(2).all(|w| w[0].id < w[1].id), "ids ascend");
    let last = all.last().map_or(0, |e| e.id);
    assert_eq!(s.latest_event().await.unwrap(), last);

    let record = Record::system(5000, "account.create", Some(7), "events@example.com")
        .data(serde_json::json!({ "roles": "member" }));
    let id = s
        .create_account("events@example.com", "E", None, Roles::NONE, 5000, &record)
        .await
        .unwrap();
    let new = s.events_after(last, 10).await.unwrap();
    assert_eq!(new.len(), 1, "one write, one event");
    assert_eq!(
        s.latest_event().await.unwrap(),
        new[0].id,
        "a write moves the latest event"
    );
    let e = &new[0];
    assert_eq!(
        (e.at, e.kind.as_str(), e.actor_id, e.person_id, e.object_id),
        (5000, "account.create", None, Some(7), Some(id)),
        "the event takes who, what and whom from the record, and the new row as its object"
    );
    assert_eq!(e.data, serde_json::json!({ "roles": "member" }));
    let entry = &s.audit_log(None, 1).await.unwrap()[0];
    assert_eq!(
        (
            entry.action.as_str(),
            entry.subject_id,
            entry.detail.as_str()
        ),
        ("account.create", Some(7), "events@example.com"),
        "the audit entry was written with it"
    );

    // A write that changes nothing records nothing.
    let before = s.events_after(0, 1_000_000).await.unwrap().len();
    let current = s
        .ratings(&[id_of(s, "dev@example.com").await])
        .await
        .unwrap();
    let same = current
        .first()
        .expect("the worksheet story rated dev")
        .clone();
    let latest = s.latest_event().await.unwrap();
    s.set_rating(&same, &rec("rating.set")).await.unwrap();
    assert_eq!(s.events_after(0, 1_000_000).await.unwrap().len(), before);
    assert_eq!(s.latest_event().await.unwrap(), latest);

    // Paging.
    let page = s.events_after(all[1].id, 2).await.unwrap();
    assert_eq!(
        page.iter().map(|e| e.id).collect::<Vec<_>>(),
        [all[2].id, all[3].id]
    );

    // Cursors: each consumer its own; a batch is taken once.
    assert_eq!(s.event_cursor("mail").await.unwrap(), 0);
    assert!(s.advance_event_cursor("mail", 0, 3, 1).await.unwrap());
    assert!(
        !s.advance_event_cursor("mail", 0, 5, 1).await.unwrap(),
        "a second node that read from 0 does not take the batch again"
    );
    assert_eq!(s.event_cursor("mail").await.unwrap(), 3);
    assert!(s.advance_event_cursor("mail", 3, 5, 2).await.unwrap());
    assert!(!s.advance_event_cursor("mail", 3, 6, 2).await.unwrap());
    assert_eq!(s.event_cursor("mail").await.unwrap(), 5);
    assert_eq!(s.event_cursor("chat").await.unwrap(), 0);
}

/// Every table of the schema is in the backup (a typed field of `Dump`, or
/// `BACKUP_TABLES` with every column), or left out on purpose
/// (`NOT_BACKED_UP`); none of the lists names a table the schema lacks.
async fn backup_covers_the_schema(s: &dyn Store) {
    let schema = s.schema().await.unwrap();
    assert!(schema.contains_key("people") && schema.contains_key("events"));
    for (table, columns) in &schema {
        if DUMPED_TABLES.contains(&table.as_str()) || NOT_BACKED_UP.iter().any(|(t, _)| t == table)
        {
            continue;
        }
        let Some((_, listed)) = BACKUP_TABLES.iter().find(|(t, _)| t == table) else {
            panic!(
                "table `{table}` is in the {} schema but not in the backup: add it to \
                 BACKUP_TABLES (or to NOT_BACKED_UP, with the reason)",
                s.backend()
            )
        };
        let mut listed: Vec<&str> = listed.iter().map(|(c, _)| *c).collect();
        let mut columns: Vec<&str> = columns.iter().map(String::as_str).collect();
        listed.sort_unstable();
        columns.sort_unstable();
        assert_eq!(
            listed,
            columns,
            "BACKUP_TABLES lists the columns of `{table}` as the {} schema has them",
            s.backend()
        );
    }
    let named = DUMPED_TABLES
        .iter()
        .copied()
        .chain(NOT_BACKED_UP.iter().map(|(t, _)| *t))
        .chain(BACKUP_TABLES.iter().map(|(t, _)| *t));
    for t in named {
        assert!(
            schema.contains_key(t),
            "`{t}` is listed but not in the schema"
        );
    }
}

/// Call with a store where inserting an audit entry, or an event, fails
/// (the backend's test installs a trigger): each write fails too and
/// leaves nothing behind: no row, no audit entry, no event.
pub async fn writes_fail_with_their_record(s: &dyn Store) {
    let audit = s.audit_log(None, 1_000_000).await.unwrap().len();
    let events = s.events_after(0, 1_000_000).await.unwrap().len();
    let fail = |r: Result<_, StoreError>, what: &str| {
        assert!(
            r.is_err(),
            "{what} succeeded without its audit entry or event"
        );
    };
    let people = [
        person("lead@example.com", None, "senior"),
        person("dev@example.com", Some("lead@example.com"), "mid"),
    ];
    fail(
        s.apply_people(&people, "2026-01-05", None, 100, &rec("people.import"))
            .await
            .map(|_| ()),
        "a people import",
    );
    fail(
        s.create_account(
            "a@example.com",
            "A",
            None,
            Roles::NONE,
            100,
            &rec("account.create"),
        )
        .await
        .map(|_| ()),
        "creating an account",
    );
    let cycle = NewCycle {
        name: "2026 H1".to_owned(),
        nominations_open: "2026-03-01".to_owned(),
        nominations_close: "2026-03-10".to_owned(),
        feedback_open: "2026-03-11".to_owned(),
        feedback_close: "2026-03-31".to_owned(),
        anonymity_threshold: 3,
        min_peers: 3,
        max_peers: 5,
    };
    fail(
        s.create_cycle(&cycle, None, 100, &rec("cycle.create"))
            .await
            .map(|_| ()),
        "creating a cycle",
    );
    let band = Band {
        family: String::new(),
        level: String::new(),
        grade: "7".to_owned(),
        zone: "eu".to_owned(),
        currency: "EUR".to_owned(),
        min: 1,
        mid: 2,
        max: 3,
        effective_from: Date::new(2026, 1, 1).expect("a date"),
    };
    fail(
        s.put_bands(&[band], &rec("pay.bands")).await.map(|_| ()),
        "storing pay bands",
    );
    fail(
        s.record_framework("abc", "/fw", "", 100, &rec("framework.load"))
            .await
            .map(|_| ()),
        "recording a framework version",
    );
    assert_eq!(s.count_people().await.unwrap(), 0, "no person was stored");
    assert_eq!(
        s.count_accounts().await.unwrap(),
        0,
        "no account was stored"
    );
    assert!(s.cycles().await.unwrap().is_empty(), "no cycle was stored");
    assert!(s.bands().await.unwrap().is_empty(), "no band was stored");
    assert!(s.framework_versions().await.unwrap().is_empty());
    assert_eq!(s.audit_log(None, 1_000_000).await.unwrap().len(), audit);
    assert_eq!(s.events_after(0, 1_000_000).await.unwrap().len(), events);
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
    // Searching: by actor, subject, action (a prefix, wildcards taken as
    // written) and time, paged like the log.
    for (i, (actor, action, subject)) in [
        (2, "pay.read", Some(7)),
        (3, "pay.read", Some(8)),
        (2, "pay_x", Some(7)),
        (2, "payroll", None),
    ]
    .into_iter()
    .enumerate()
    {
        s.audit(&AuditEvent {
            id: 0,
            at: 2000 + i as i64,
            actor_id: Some(actor),
            actor: format!("a{actor}@example.com"),
            action: action.to_owned(),
            subject_id: subject,
            detail: String::new(),
            ip: String::new(),
        })
        .await
        .unwrap();
    }
    let find = |f: crate::AuditFilter| async move {
        s.audit_search(&f, None, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.at)
            .collect::<Vec<_>>()
    };
    let f = crate::AuditFilter::default;
    assert_eq!(
        find(crate::AuditFilter {
            subject_id: Some(7),
            ..f()
        })
        .await,
        [2002, 2000]
    );
    assert_eq!(
        find(crate::AuditFilter {
            actor_id: Some(3),
            ..f()
        })
        .await,
        [2001]
    );
    assert_eq!(
        find(crate::AuditFilter {
            action: Some("pay_".to_owned()),
            ..f()
        })
        .await,
        [2002],
        "`_` is a character, not a wildcard"
    );
    assert_eq!(
        find(crate::AuditFilter {
            action: Some("pay.".to_owned()),
            ..f()
        })
        .await,
        [2001, 2000]
    );
    assert_eq!(
        find(crate::AuditFilter {
            from: Some(2001),
            until: Some(2003),
            ..f()
        })
        .await,
        [2002, 2001]
    );
    // A read repeated within five minutes counts on its entry; later, or
    // of another subject, it is an entry of its own.
    let read = |at: i64, subject: Id| AuditEvent {
        id: 0,
        at,
        actor_id: Some(4),
        actor: "reader@example.com".to_owned(),
        action: "pay.read".to_owned(),
        subject_id: Some(subject),
        detail: "Manager".to_owned(),
        ip: "10.0.0.1".to_owned(),
    };
    for (at, subject) in [
        (3000, 9),
        (3001, 9),
        (3100, 9),
        (3150, 10),
        (3299, 9),
        (3301, 9),
    ] {
        s.audit(&read(at, subject)).await.unwrap();
    }
    let reads = s
        .audit_search(
            &crate::AuditFilter {
                actor_id: Some(4),
                ..f()
            },
            None,
            10,
        )
        .await
        .unwrap();
    assert_eq!(
        reads
            .iter()
            .map(|e| (e.at, e.subject_id))
            .collect::<Vec<_>>(),
        [(3301, Some(9)), (3150, Some(10)), (3000, Some(9))]
    );
    let repeats = s
        .audit_repeats(&reads.iter().map(|e| e.id).collect::<Vec<_>>())
        .await
        .unwrap();
    assert_eq!(
        repeats.values().copied().collect::<Vec<_>>(),
        [(4, 3299)],
        "four reads of subject 9 in five minutes, the last at 3299"
    );
    let older = s
        .audit_search(
            &crate::AuditFilter {
                actor_id: Some(2),
                ..f()
            },
            Some(2 + 5 + 2),
            1,
        )
        .await
        .unwrap();
    assert_eq!(older.len(), 1);
    // Retention: entries older than the audit log's age go (with the
    // repeats they counted), inside the sweep's own unlocked transaction;
    // the sweep's entry stays and says what went. Ages of 0 keep all.
    let keep_all = crate::Retention {
        audit_log_days: 0,
        delivery_log_days: 0,
        leaver_one_on_ones_days: 0,
        candidate_days: 0,
        closed_cycle_answers_days: 0,
    };
    let none = s.sweep(&keep_all, 1_000_000, &rec("sweep")).await.unwrap();
    assert_eq!(none, crate::Swept::default());
    // Every kind at once (each statement runs on this backend); nothing
    // here is old enough.
    let young = s
        .sweep(&crate::Retention::default(), 1_000_000, &rec("sweep"))
        .await
        .unwrap();
    assert_eq!(young, crate::Swept::default());
    let day = 86_400;
    let swept = s
        .sweep(
            &crate::Retention {
                audit_log_days: 1,
                ..keep_all
            },
            3100 + day,
            &rec("sweep"),
        )
        .await
        .unwrap();
    // Entries before 3100: the five tests, the four searches, the read at
    // 3000 (with its three repeats) and the first two sweeps' (at 0).
    assert_eq!(swept.audit_entries, 12);
    let left: Vec<i64> = s
        .audit_log(None, 100)
        .await
        .unwrap()
        .iter()
        .map(|e| e.at)
        .collect();
    assert_eq!(
        left,
        [0, 3301, 3150],
        "the sweep's own entry, then the newer reads"
    );
    // Many reads at once count exactly as one by one: the same reads, in
    // two calls, by another reader, an hour later (repeats inside one call
    // too).
    let batch = |reads: &[(i64, Id)]| -> Vec<AuditEvent> {
        reads
            .iter()
            .map(|(at, subject)| AuditEvent {
                actor_id: Some(5),
                actor: "batch@example.com".to_owned(),
                ..read(at + 3600, *subject)
            })
            .collect()
    };
    s.audit_reads(&batch(&[(3000, 9), (3001, 9), (3100, 9)]))
        .await
        .unwrap();
    s.audit_reads(&batch(&[(3150, 10), (3299, 9), (3301, 9)]))
        .await
        .unwrap();
    let reads = s
        .audit_search(
            &crate::AuditFilter {
                actor_id: Some(5),
                ..f()
            },
            None,
            10,
        )
        .await
        .unwrap();
    assert_eq!(
        reads
            .iter()
            .map(|e| (e.at - 3600, e.subject_id))
            .collect::<Vec<_>>(),
        [(3301, Some(9)), (3150, Some(10)), (3000, Some(9))]
    );
    let repeats = s
        .audit_repeats(&reads.iter().map(|e| e.id).collect::<Vec<_>>())
        .await
        .unwrap();
    assert_eq!(
        repeats.values().copied().collect::<Vec<_>>(),
        [(4, 3299 + 3600)]
    );
    // An export's worth of subjects (more than the store asks about one by
    // one), then a page's worth among them: each counts on its entry.
    let many = |at: i64, subjects: std::ops::Range<Id>| -> Vec<AuditEvent> {
        subjects
            .map(|subject| AuditEvent {
                actor_id: Some(6),
                actor: "export@example.com".to_owned(),
                ..read(at, subject)
            })
            .collect()
    };
    s.audit_reads(&many(9000, 1000..1700)).await.unwrap();
    s.audit_reads(&many(9010, 1600..1650)).await.unwrap();
    s.audit_reads(&many(9020, 1000..1700)).await.unwrap();
    let entries = s
        .audit_search(
            &crate::AuditFilter {
                actor_id: Some(6),
                ..f()
            },
            None,
            1000,
        )
        .await
        .unwrap();
    assert_eq!(entries.len(), 700, "one entry per subject");
    let counted = s
        .audit_repeats(&entries.iter().map(|e| e.id).collect::<Vec<_>>())
        .await
        .unwrap();
    let total: i64 = entries
        .iter()
        .map(|e| counted.get(&e.id).map_or(1, |c| c.0))
        .sum();
    assert_eq!(total, 700 + 50 + 700);
}

/// Staging replaces the staged release; publishing retires the live one;
/// an earlier release can be published again (a rollback), a discarded
/// one cannot.
async fn framework_releases(s: &dyn Store) {
    use crate::NewFrameworkRelease;
    let new = |hash: &str, at: i64| NewFrameworkRelease {
        hash: hash.to_owned(),
        source: "/fw".to_owned(),
        summary: format!("version {hash}"),
        files: format!(r#"{{"ladder.yaml": "{hash}"}}"#),
        by: None,
        at,
    };
    assert_eq!(s.live_framework().await.unwrap(), None);
    let a = s
        .stage_framework(&new("a", 10), &rec("framework.stage"))
        .await
        .unwrap();
    let b = s
        .stage_framework(&new("b", 20), &rec("framework.stage"))
        .await
        .unwrap();
    let states = |rs: Vec<crate::FrameworkRelease>| {
        rs.into_iter()
            .map(|r| (r.hash, r.state))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        states(s.framework_releases(10).await.unwrap()),
        [
            ("b".to_owned(), "staged".to_owned()),
            ("a".to_owned(), "discarded".to_owned())
        ]
    );
    s.publish_framework(b, None, 30, &rec("framework.publish"))
        .await
        .unwrap();
    assert_eq!(s.live_framework().await.unwrap(), Some((b, "b".to_owned())));
    let c = s
        .stage_framework(&new("c", 40), &rec("framework.stage"))
        .await
        .unwrap();
    s.publish_framework(c, None, 50, &rec("framework.publish"))
        .await
        .unwrap();
    assert_eq!(s.live_framework().await.unwrap(), Some((c, "c".to_owned())));
    // Back to b: c retires.
    s.publish_framework(b, None, 60, &rec("framework.rollback"))
        .await
        .unwrap();
    assert_eq!(s.live_framework().await.unwrap(), Some((b, "b".to_owned())));
    let all = s.framework_releases(10).await.unwrap();
    assert_eq!(all.iter().filter(|r| r.state == "live").count(), 1);
    assert_eq!(
        all.iter().find(|r| r.id == b).unwrap().published_at,
        Some(60)
    );
    assert!(matches!(
        s.publish_framework(a, None, 70, &rec("framework.publish"))
            .await,
        Err(crate::StoreError::Refused(_))
    ));
    assert!(matches!(
        s.publish_framework(b, None, 70, &rec("framework.publish"))
            .await,
        Err(crate::StoreError::Refused(_))
    ));
    assert!(matches!(
        s.publish_framework(9999, None, 70, &rec("framework.publish"))
            .await,
        Err(crate::StoreError::NotFound(_))
    ));
    assert_eq!(
        s.framework_files(c).await.unwrap().as_deref(),
        Some(r#"{"ladder.yaml": "c"}"#)
    );
    assert_eq!(s.framework_releases(1).await.unwrap().len(), 1);
}

async fn framework_versions(s: &dyn Store) {
    assert!(
        s.record_framework("abc", "/fw", "2 families", 10, &rec("record_framework"))
            .await
            .unwrap()
    );
    assert!(
        !s.record_framework("abc", "/fw", "2 families", 20, &rec("record_framework"))
            .await
            .unwrap()
    );
    assert!(
        s.record_framework("def", "/fw", "3 families", 30, &rec("record_framework"))
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
        .create_account(
            "after@example.com",
            "After",
            None,
            Roles::NONE,
            5000,
            &rec("create_account"),
        )
        .await
        .unwrap();
    assert!(dump.accounts.iter().all(|a| a.id < id));
    // The growth tables came along, and their ids continue too.
    assert!(
        [
            "ratings",
            "rating_history",
            "checkpoints",
            "meetings",
            "private_notes",
            "cycles",
            "nominations",
            "answers",
            "proposals",
            "proposal_steps",
            "calibration_locks"
        ]
        .iter()
        .all(|t| !dump.growth[*t].is_empty())
    );
    let dev = id_of(empty, "dev@example.com").await;
    let lead = id_of(empty, "lead@example.com").await;
    let m = empty
        .create_meeting(lead, dev, "2031-01-01", 6000, &rec("create_meeting"))
        .await
        .unwrap();
    assert!(m > 0 && empty.meeting(m).await.unwrap().is_some());
    // A backup made before the growth tables still restores.
    let mut old = serde_json::to_value(&dump).unwrap();
    old.as_object_mut().unwrap().remove("growth");
    let old: Dump = serde_json::from_value(old).unwrap();
    assert!(old.growth.is_empty());
}

async fn id_of(s: &dyn Store, email: &str) -> Id {
    s.person_by_email(email).await.unwrap().unwrap().id
}

fn rating(person: Id, statement: &str, rater: Rater, value: i64, at: i64) -> Rating {
    Rating {
        person_id: person,
        statement_id: statement.to_owned(),
        rater,
        value,
        evidence: format!("evidence {value}"),
        statement_text: format!("text of {statement}"),
        framework_hash: "hash-1".to_owned(),
        rated_by: None,
        rated_at: at,
    }
}

async fn worksheet(s: &dyn Store) {
    let dev = id_of(s, "dev@example.com").await;
    let lead = id_of(s, "lead@example.com").await;
    assert!(s.ratings(&[dev]).await.unwrap().is_empty());
    s.set_rating(
        &rating(dev, "eng.ship", Rater::Myself, 2, 1000),
        &rec("set_rating"),
    )
    .await
    .unwrap();
    s.set_rating(
        &rating(dev, "eng.ship", Rater::Manager, 3, 1001),
        &rec("set_rating"),
    )
    .await
    .unwrap();
    s.set_rating(
        &rating(dev, "eng.ship", Rater::Myself, 3, 1002),
        &rec("set_rating"),
    )
    .await
    .unwrap();
    // The same rating again is not a change.
    s.set_rating(
        &rating(dev, "eng.ship", Rater::Myself, 3, 1003),
        &rec("set_rating"),
    )
    .await
    .unwrap();
    s.set_rating(
        &rating(lead, "eng.lead", Rater::Manager, 4, 1004),
        &rec("set_rating"),
    )
    .await
    .unwrap();
    let mine = s.ratings(&[dev]).await.unwrap();
    assert_eq!(mine.len(), 2);
    let own = mine.iter().find(|r| r.rater == Rater::Myself).unwrap();
    assert_eq!(
        (own.value, own.rated_at, own.framework_hash.as_str()),
        (3, 1002, "hash-1")
    );
    assert_eq!(s.ratings(&[dev, lead]).await.unwrap().len(), 3);
    let history = s.rating_history(&[dev]).await.unwrap();
    let steps: Vec<(Rater, Option<i64>, i64, i64)> = history
        .iter()
        .map(|h| (h.rater, h.old_value, h.new_value, h.changed_at))
        .collect();
    assert_eq!(
        steps,
        [
            (Rater::Myself, None, 2, 1000),
            (Rater::Manager, None, 3, 1001),
            (Rater::Myself, Some(2), 3, 1002),
        ]
    );
    assert_eq!(history[2].old_evidence.as_deref(), Some("evidence 2"));
    // A rewording re-confirmed: same value, new text and version.
    let mut again = rating(dev, "eng.ship", Rater::Myself, 3, 1005);
    again.statement_text = "reworded".to_owned();
    again.framework_hash = "hash-2".to_owned();
    s.set_rating(&again, &rec("set_rating")).await.unwrap();
    assert_eq!(s.rating_history(&[dev]).await.unwrap().len(), 4);

    assert_eq!(s.worksheet_seen(dev).await.unwrap(), None);
    // Every write the worksheet shows moves its person's version, and
    // only theirs: four ratings (one unchanged) and their history.
    let before = s.growth_version(dev).await.unwrap();
    assert!(before > 0, "rated, yet at version {before}");
    assert_eq!(s.growth_version(9999).await.unwrap(), 0);
    let lead_before = s.growth_version(lead).await.unwrap();
    let mut changed = rating(dev, "eng.ship", Rater::Myself, 4, 1006);
    changed.evidence = "more".to_owned();
    s.set_rating(&changed, &rec("set_rating")).await.unwrap();
    let after_rating = s.growth_version(dev).await.unwrap();
    assert!(after_rating > before);
    // A session of theirs reads the version with it.
    let account = match s.account_by_email("dev@example.com").await.unwrap() {
        Some(a) => a.id,
        None => s
            .create_account(
                "dev@example.com",
                "Dev",
                None,
                Roles::NONE,
                10,
                &rec("account.create"),
            )
            .await
            .unwrap(),
    };
    s.create_session(&session_of(account, "ws1", 1000))
        .await
        .unwrap();
    let read = s.session("ws1", 1001).await.unwrap().unwrap().own_growth;
    assert_eq!(read, Some((dev, after_rating)));
    assert_eq!(s.growth_version(lead).await.unwrap(), lead_before);
    // One read gives what the three give.
    let all = s.growth_of(dev).await.unwrap();
    assert_eq!(all.ratings, s.ratings(&[dev]).await.unwrap());
    assert_eq!(all.history, s.rating_history(&[dev]).await.unwrap());
    assert_eq!(all.seen, None);
    assert_eq!(s.growth_of(9999).await.unwrap(), PersonGrowth::default());
    let seen = Seen {
        person_id: dev,
        framework_hash: "hash-1".to_owned(),
        snapshot: "[]".to_owned(),
        seen_at: 1000,
    };
    s.set_worksheet_seen(&seen).await.unwrap();
    let later = Seen {
        framework_hash: "hash-2".to_owned(),
        seen_at: 2000,
        ..seen
    };
    let before_seen = s.growth_version(dev).await.unwrap();
    assert!(before_seen > after_rating, "the first look moves it");
    s.set_worksheet_seen(&later).await.unwrap();
    assert!(s.growth_version(dev).await.unwrap() > before_seen);
    assert_eq!(s.worksheet_seen(dev).await.unwrap(), Some(later.clone()));
    assert_eq!(s.growth_of(dev).await.unwrap().seen, Some(later));
}

/// `nomination_counts` and `owed_counts` say what counting the cycle's
/// nominations says, and someone has been asked and owes.
async fn counts_agree(s: &dyn Store, cycle: Id) {
    let mut expected: std::collections::BTreeMap<Id, (i64, i64)> = Default::default();
    let mut owed: std::collections::BTreeMap<Id, i64> = Default::default();
    for n in s.nominations(cycle).await.unwrap() {
        let e = expected.entry(n.person_id).or_default();
        e.0 += 1;
        e.1 += i64::from(n.answered_on.is_some());
        if n.answered_on.is_none() {
            *owed.entry(n.respondent_id).or_default() += 1;
        }
    }
    let owed: Vec<(Id, i64)> = owed.into_iter().collect();
    assert_eq!(s.owed_counts(cycle).await.unwrap(), owed);
    assert!(!owed.is_empty());
    let expected: Vec<(Id, i64, i64)> = expected.into_iter().map(|(p, (a, b))| (p, a, b)).collect();
    assert!(!expected.is_empty());
    assert_eq!(s.nomination_counts(cycle).await.unwrap(), expected);
    assert!(s.nomination_counts(9999).await.unwrap().is_empty());
}

/// Writers at the same moment (two people rating at once) wait for each
/// other; none is refused with "database is locked".
async fn concurrent_writes(s: &dyn Store) {
    let dev = id_of(s, "dev@example.com").await;
    let writes = (0..16).map(|i| {
        let g = rating(
            dev,
            &format!("eng.concurrent-{i}"),
            Rater::Manager,
            2,
            1500 + i,
        );
        async move { s.set_rating(&g, &rec("set_rating")).await }
    });
    for r in futures_util::future::join_all(writes).await {
        r.unwrap();
    }
    let stored = s.ratings(&[dev]).await.unwrap();
    assert_eq!(
        stored
            .iter()
            .filter(|r| r.statement_id.starts_with("eng.concurrent-"))
            .count(),
        16
    );
}

fn area(id: &str) -> NewFocusArea {
    NewFocusArea {
        ref_id: id.to_owned(),
        title: format!("Area {id}"),
        goals: "goals".to_owned(),
        targets: "targets".to_owned(),
        ideas: "ideas".to_owned(),
    }
}

async fn checkpoints(s: &dyn Store) {
    let dev = id_of(s, "dev@example.com").await;
    let id = s
        .open_checkpoint(
            dev,
            "2026-Q1",
            &[area("b"), area("a")],
            None,
            100,
            &rec("open_checkpoint"),
        )
        .await
        .unwrap();
    let again = s
        .open_checkpoint(
            dev,
            "2026-Q1",
            &[area("c")],
            None,
            101,
            &rec("open_checkpoint"),
        )
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let c = s.checkpoint(id).await.unwrap().unwrap();
    assert_eq!(c.quarter, "2026-Q1");
    let refs: Vec<&str> = c.areas.iter().map(|a| a.ref_id.as_str()).collect();
    assert_eq!(refs, ["b", "a"], "areas keep the order chosen");
    // Closing needs a summary for every area, and changes nothing otherwise.
    let first = c.areas[0].id;
    let second = c.areas[1].id;
    let partial = s
        .close_checkpoint(
            id,
            &[(first, "done".to_owned())],
            None,
            200,
            &rec("close_checkpoint"),
        )
        .await;
    assert!(
        matches!(partial, Err(StoreError::Refused(ref m)) if m.contains("Area a")),
        "{partial:?}"
    );
    let blank = s
        .close_checkpoint(
            id,
            &[(first, "done".to_owned()), (second, "  ".to_owned())],
            None,
            200,
            &rec("close_checkpoint"),
        )
        .await;
    assert!(blank.is_err());
    assert!(
        s.checkpoint(id)
            .await
            .unwrap()
            .unwrap()
            .areas
            .iter()
            .all(|a| a.summary.is_none())
    );
    s.close_checkpoint(
        id,
        &[(first, "done".to_owned()), (second, "half".to_owned())],
        None,
        200,
        &rec("close_checkpoint"),
    )
    .await
    .unwrap();
    let closed = s.checkpoint(id).await.unwrap().unwrap();
    assert_eq!(closed.closed_at, Some(200));
    assert_eq!(closed.areas[1].summary.as_deref(), Some("half"));
    let twice = s
        .close_checkpoint(id, &[], None, 300, &rec("close_checkpoint"))
        .await;
    assert!(matches!(twice, Err(StoreError::Refused(_))));
    assert!(matches!(
        s.close_checkpoint(id + 999, &[], None, 300, &rec("close_checkpoint"))
            .await,
        Err(StoreError::NotFound(_))
    ));

    s.open_checkpoint(
        dev,
        "2026-Q2",
        &[area("a"), area("d")],
        None,
        300,
        &rec("open_checkpoint"),
    )
    .await
    .unwrap();
    let list = s.checkpoints(dev).await.unwrap();
    let quarters: Vec<&str> = list.iter().map(|c| c.quarter.as_str()).collect();
    assert_eq!(quarters, ["2026-Q2", "2026-Q1"]);
    assert_eq!(list[0].areas.len(), 2);
    let states = s
        .checkpoint_states(&[
            "2026-Q1".to_owned(),
            "2026-Q2".to_owned(),
            "2026-Q3".to_owned(),
        ])
        .await
        .unwrap();
    let states: Vec<(Id, &str, bool)> = states
        .iter()
        .map(|c| (c.person_id, c.quarter.as_str(), c.closed))
        .collect();
    assert_eq!(states, [(dev, "2026-Q1", true), (dev, "2026-Q2", false)]);
}

async fn one_on_ones(s: &dyn Store) {
    let dev = id_of(s, "dev@example.com").await;
    let lead = id_of(s, "lead@example.com").await;
    let head = id_of(s, "head@example.com").await;
    let m1 = s
        .create_meeting(lead, dev, "2026-01-05", 100, &rec("create_meeting"))
        .await
        .unwrap();
    let m2 = s
        .create_meeting(lead, dev, "2026-01-12", 100, &rec("create_meeting"))
        .await
        .unwrap();
    let dup = s
        .create_meeting(lead, dev, "2026-01-05", 101, &rec("create_meeting"))
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    s.create_meeting(head, lead, "2026-01-06", 100, &rec("create_meeting"))
        .await
        .unwrap();
    let dates: Vec<String> = s
        .meetings(lead, dev)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.date)
        .collect();
    assert_eq!(dates, ["2026-01-05", "2026-01-12"]);
    let mut want = vec![(head, lead), (lead, dev)];
    want.sort_unstable();
    assert_eq!(
        s.meeting_pairs(lead).await.unwrap(),
        want,
        "by manager, then report"
    );
    assert_eq!(s.meeting_pairs(dev).await.unwrap(), [(lead, dev)]);

    // Shared notes: a write naming an old version is refused with the
    // other side's text, never applied over it.
    let v1 = s.meeting(m1).await.unwrap().unwrap().version;
    let v2 = s
        .save_shared_notes(m1, "from the manager", v1, &rec("save_shared_notes"))
        .await
        .unwrap();
    assert!(v2 > v1);
    let stale = s
        .save_shared_notes(m1, "from the report", v1, &rec("save_shared_notes"))
        .await;
    match stale {
        Err(StoreError::Stale { version, text }) => {
            assert_eq!((version, text.as_str()), (v2, "from the manager"));
        }
        other => panic!("expected a stale write, got {other:?}"),
    }
    assert_eq!(
        s.meeting(m1).await.unwrap().unwrap().shared_notes,
        "from the manager"
    );
    assert!(matches!(
        s.save_shared_notes(m1 + 999, "x", 1, &rec("save_shared_notes"))
            .await,
        Err(StoreError::NotFound(_))
    ));

    // Agenda and standing items.
    s.add_agenda_item(m1, dev, "talk about on-call", 110, &rec("add_agenda_item"))
        .await
        .unwrap();
    s.add_agenda_item(m1, lead, "conference budget", 111, &rec("add_agenda_item"))
        .await
        .unwrap();
    let items = s.agenda_items(m1).await.unwrap();
    assert_eq!(
        items.iter().map(|i| i.author_id).collect::<Vec<_>>(),
        [dev, lead]
    );
    assert!(s.agenda_items(m2).await.unwrap().is_empty());
    s.add_standing_item(
        lead,
        dev,
        dev,
        "career growth",
        112,
        &rec("add_standing_item"),
    )
    .await
    .unwrap();
    assert_eq!(
        s.standing_items(lead, dev).await.unwrap()[0].text,
        "career growth"
    );
    assert!(s.standing_items(head, lead).await.unwrap().is_empty());

    // Action items carry their meeting's date and the one they were done in.
    let a = s
        .add_action_item(
            m1,
            dev,
            "write the design doc",
            113,
            &rec("add_action_item"),
        )
        .await
        .unwrap();
    let missing = s
        .add_action_item(m1 + 999, dev, "nowhere", 113, &rec("add_action_item"))
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );
    let b = s
        .add_action_item(m1, lead, "book the room", 114, &rec("add_action_item"))
        .await
        .unwrap();
    s.complete_action(b, m2, 120, &rec("complete_action"))
        .await
        .unwrap();
    let again = s.complete_action(b, m2, 121, &rec("complete_action")).await;
    assert!(matches!(again, Err(StoreError::Refused(_))), "{again:?}");
    let actions = s.action_items(lead, dev).await.unwrap();
    assert_eq!(actions.len(), 2);
    let done = actions.iter().find(|x| x.id == b).unwrap();
    assert_eq!(
        (done.meeting_date.as_str(), done.done_date.as_deref()),
        ("2026-01-05", Some("2026-01-12"))
    );
    let open = s.action_item(a).await.unwrap().unwrap();
    assert_eq!((open.owner_id, open.done_meeting_id), (dev, None));
    assert!(s.action_items(head, lead).await.unwrap().is_empty());

    // Private notes: one per author, versioned.
    assert_eq!(s.private_note(m1, lead).await.unwrap(), None);
    let n1 = s
        .save_private_note(m1, lead, "mine", 0, 130, &rec("save_private_note"))
        .await
        .unwrap();
    let n2 = s
        .save_private_note(m1, lead, "mine, edited", n1, 131, &rec("save_private_note"))
        .await
        .unwrap();
    assert!(n2 > n1);
    let stale = s
        .save_private_note(m1, lead, "lost?", n1, 132, &rec("save_private_note"))
        .await;
    assert!(matches!(stale, Err(StoreError::Stale { ref text, .. }) if text == "mine, edited"));
    let twice = s
        .save_private_note(m1, lead, "new again", 0, 133, &rec("save_private_note"))
        .await;
    assert!(matches!(twice, Err(StoreError::Stale { .. })));
    s.save_private_note(
        m1,
        dev,
        "the report's own",
        0,
        134,
        &rec("save_private_note"),
    )
    .await
    .unwrap();
    assert_eq!(
        s.private_note(m1, lead).await.unwrap().unwrap().text,
        "mine, edited"
    );
    assert_eq!(
        s.private_note(m1, dev).await.unwrap().unwrap().text,
        "the report's own"
    );
}

fn nominee(respondent_id: Id, relation: FeedbackRelation) -> NewNomination {
    NewNomination {
        respondent_id,
        relation,
        source: "person".to_owned(),
    }
}

async fn feedback(s: &dyn Store) {
    let dev = id_of(s, "dev@example.com").await;
    let lead = id_of(s, "lead@example.com").await;
    let head = id_of(s, "head@example.com").await;
    let acct = s
        .create_account(
            "people@example.com",
            "People",
            None,
            Roles::NONE,
            10,
            &rec("create_account"),
        )
        .await
        .unwrap();
    let plan = NewCycle {
        name: "2026 H1".to_owned(),
        nominations_open: "2026-03-01".to_owned(),
        nominations_close: "2026-03-14".to_owned(),
        feedback_open: "2026-03-15".to_owned(),
        feedback_close: "2026-04-15".to_owned(),
        anonymity_threshold: 3,
        min_peers: 1,
        max_peers: 5,
    };
    let c = s
        .create_cycle(&plan, Some(acct), 200, &rec("create_cycle"))
        .await
        .unwrap();
    let cycle = s.cycle(c).await.unwrap().unwrap();
    assert_eq!((cycle.state, &cycle.plan), (CycleState::Draft, &plan));
    assert_eq!(s.cycles().await.unwrap()[0].id, c);
    // Nothing before nominations open.
    let early = s
        .save_nominations(
            c,
            dev,
            &[nominee(dev, FeedbackRelation::Myself)],
            None,
            201,
            &rec("save_nominations"),
        )
        .await;
    assert!(matches!(early, Err(StoreError::Refused(_))), "{early:?}");
    // A proposal outside the feedback phase is refused.
    let proposal = NewProposal {
        cycle_id: c,
        person_id: dev,
        department: "Platform".to_owned(),
        kind: "promotion".to_owned(),
        to_level: "staff".to_owned(),
        to_specialty: Some("payments".to_owned()),
        to_grade: "7".to_owned(),
        case_text: "Leads the payments work.".to_owned(),
        evidence: "{}".to_owned(),
        override_reason: None,
        chain: vec!["skip_level".to_owned(), "people_team".to_owned()],
        proposed_by: acct,
    };
    let refused = s
        .create_proposal(&proposal, 202, &rec("create_proposal"))
        .await;
    assert!(
        matches!(refused, Err(StoreError::Refused(_))),
        "{refused:?}"
    );
    // Moving from the wrong state is refused; the right one moves on.
    let wrong = s
        .advance_cycle(
            c,
            CycleState::Nominations,
            &[],
            None,
            Some(acct),
            203,
            &rec("advance_cycle"),
        )
        .await;
    assert!(matches!(wrong, Err(StoreError::Refused(_))), "{wrong:?}");
    assert_eq!(
        s.advance_cycle(
            c,
            CycleState::Draft,
            &[],
            None,
            Some(acct),
            204,
            &rec("advance_cycle")
        )
        .await
        .unwrap(),
        CycleState::Nominations
    );
    let list = [
        nominee(dev, FeedbackRelation::Myself),
        nominee(lead, FeedbackRelation::Manager),
        nominee(head, FeedbackRelation::Peer),
    ];
    s.save_nominations(c, dev, &list, None, 205, &rec("save_nominations"))
        .await
        .unwrap();
    // Twice the same respondent: refused, and the saved list stays.
    let twice = s
        .save_nominations(
            c,
            dev,
            &[
                nominee(head, FeedbackRelation::Peer),
                nominee(head, FeedbackRelation::Peer),
            ],
            None,
            206,
            &rec("save_nominations"),
        )
        .await;
    assert!(matches!(twice, Err(StoreError::Refused(_))), "{twice:?}");
    assert_eq!(s.nominations(c).await.unwrap().len(), 3);
    // The manager approves; the person can no longer change the list.
    s.save_nominations(c, dev, &list, Some(acct), 207, &rec("save_nominations"))
        .await
        .unwrap();
    let after = s
        .save_nominations(c, dev, &list, None, 208, &rec("save_nominations"))
        .await;
    assert!(matches!(after, Err(StoreError::Refused(_))), "{after:?}");
    // Feedback opens: lead gets the filled-in list, approved.
    let fill = vec![(lead, vec![nominee(lead, FeedbackRelation::Myself)])];
    s.advance_cycle(
        c,
        CycleState::Nominations,
        &fill,
        None,
        Some(acct),
        209,
        &rec("advance_cycle"),
    )
    .await
    .unwrap();
    let lists = s.nomination_lists(c).await.unwrap();
    assert_eq!(lists.len(), 2);
    assert!(lists.iter().all(|l| l.approved_at.is_some()));
    // A few people's lists, and one person's nominations, alone.
    let some = s.nomination_lists_for(c, &[lead, 9999]).await.unwrap();
    assert_eq!(some.iter().map(|l| l.person_id).collect::<Vec<_>>(), [lead]);
    assert!(s.nomination_lists_for(c, &[]).await.unwrap().is_empty());
    let about: Vec<_> = s
        .nominations(c)
        .await
        .unwrap()
        .into_iter()
        .filter(|n| n.person_id == dev)
        .collect();
    assert_eq!(s.nominations_about(c, dev).await.unwrap(), about);
    assert!(!about.is_empty());
    let by: Vec<_> = s
        .nominations(c)
        .await
        .unwrap()
        .into_iter()
        .filter(|n| n.respondent_id == lead)
        .collect();
    assert!(!by.is_empty());
    assert_eq!(s.nominations_by(c, lead).await.unwrap(), by);
    assert!(s.nominations_by(c, 9999).await.unwrap().is_empty());
    let all = s.nominations(c).await.unwrap();
    let lists = s.nomination_lists(c).await.unwrap();
    let count = |n: usize| i64::try_from(n).unwrap();
    assert_eq!(
        s.cycle_counts(c).await.unwrap(),
        (
            count(lists.len()),
            count(lists.iter().filter(|l| l.approved_at.is_some()).count()),
            count(all.len()),
            count(all.iter().filter(|n| n.answered_on.is_some()).count()),
        )
    );
    counts_agree(s, c).await;
    // Answers: once per respondent, and only if nominated.
    let answer = |id: &str, value| NewAnswer {
        id: id.to_owned(),
        question: "category:craft".to_owned(),
        value,
        comment: format!("comment {id}"),
    };
    s.submit_feedback(c, dev, head, &[answer("b7", Some(3))], "2026-03-20")
        .await
        .unwrap();
    counts_agree(s, c).await;
    let again = s
        .submit_feedback(c, dev, head, &[answer("c1", Some(1))], "2026-03-20")
        .await;
    assert!(matches!(again, Err(StoreError::Refused(_))), "{again:?}");
    let stranger = s
        .submit_feedback(c, lead, head, &[answer("c2", Some(1))], "2026-03-20")
        .await;
    assert!(
        matches!(stranger, Err(StoreError::NotFound(_))),
        "{stranger:?}"
    );
    s.submit_feedback(c, dev, lead, &[answer("a3", Some(4))], "2026-03-21")
        .await
        .unwrap();
    let owed = |who| async move {
        s.owed_feedback(who)
            .await
            .unwrap()
            .into_iter()
            .map(|n| (n.cycle_id, n.person_id))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        owed(lead).await,
        [(c, lead)],
        "lead answered about dev, not yet about themself"
    );
    assert_eq!(owed(dev).await, [(c, dev)], "dev still owes a self-review");
    let answers = s.answers(c, dev).await.unwrap();
    assert_eq!(
        answers
            .iter()
            .map(|a| (a.id.as_str(), a.relation))
            .collect::<Vec<_>>(),
        [
            ("a3", FeedbackRelation::Manager),
            ("b7", FeedbackRelation::Peer)
        ],
        "answers carry the relation, ordered by their random id"
    );
    // A release freezes each person's results; the store keeps the latest
    // per person and each one's tally, and refuses a release outside the
    // feedback phase (below, once the cycle is closed).
    let release = NewRelease {
        snapshots: vec![NewSnapshot {
            person_id: dev,
            results: r#"{"groups":[]}"#.to_owned(),
            tally: r#"{"counts":{"peer":1}}"#.to_owned(),
        }],
        held_back: 2,
    };
    let first = s
        .release_feedback(c, &release, Some(acct), 210, &rec("release_feedback"))
        .await
        .unwrap();
    assert_eq!(s.snapshot(c, lead).await.unwrap(), None);
    let got = s.snapshot(c, dev).await.unwrap().unwrap();
    assert_eq!(
        (got.release_id, got.released_at, got.results.as_str()),
        (first, 210, r#"{"groups":[]}"#)
    );
    let mut next = release.clone();
    next.snapshots[0].tally = r#"{"counts":{"peer":4}}"#.to_owned();
    next.held_back = 0;
    let second = s
        .release_feedback(c, &next, None, 211, &rec("release_feedback"))
        .await
        .unwrap();
    assert_eq!(
        s.snapshot(c, dev).await.unwrap().unwrap().release_id,
        second
    );
    assert_eq!(
        s.tallies(c).await.unwrap(),
        std::collections::BTreeMap::from([(dev, r#"{"counts":{"peer":4}}"#.to_owned())]),
        "the latest tally per person"
    );
    let releases = s.releases(c).await.unwrap();
    assert_eq!(
        releases
            .iter()
            .map(|r| (r.id, r.released_by, r.closing, r.people, r.held_back))
            .collect::<Vec<_>>(),
        [
            (first, Some(acct), false, 1, 2),
            (second, None, false, 1, 0)
        ]
    );
    assert_eq!(s.cycle_answers(c).await.unwrap().len(), 2);
    let answered: std::collections::BTreeMap<Id, Option<String>> = s
        .nominations(c)
        .await
        .unwrap()
        .into_iter()
        .filter(|n| n.person_id == dev)
        .map(|n| (n.respondent_id, n.answered_on))
        .collect();
    assert_eq!(
        answered,
        [
            (dev, None),
            (lead, Some("2026-03-21".to_owned())),
            (head, Some("2026-03-20".to_owned()))
        ]
        .into_iter()
        .collect(),
        "a nomination records the day it was answered, not the time"
    );
    // A proposal: one pending per person, then the chain.
    let before = s.person(dev).await.unwrap().unwrap().record.role.level;
    assert_ne!(before, "staff");
    let p = s
        .create_proposal(&proposal, 210, &rec("create_proposal"))
        .await
        .unwrap();
    let dup = s
        .create_proposal(&proposal, 211, &rec("create_proposal"))
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    let stored = s.proposal(p).await.unwrap().unwrap();
    assert_eq!(
        (
            stored.from_level.as_str(),
            stored.waiting_for(),
            stored.state
        ),
        (before.as_str(), Some("skip_level"), ProposalState::Pending)
    );
    let wrong_step = s
        .decide_proposal(
            p,
            1,
            true,
            "skip",
            acct,
            "2026-04-01",
            212,
            &rec("decide_proposal"),
        )
        .await;
    assert!(
        matches!(wrong_step, Err(StoreError::Refused(_))),
        "{wrong_step:?}"
    );
    let v0 = s.org_version().await.unwrap();
    assert_eq!(
        s.decide_proposal(
            p,
            0,
            true,
            "Ready.",
            acct,
            "2026-04-01",
            213,
            &rec("decide_proposal")
        )
        .await
        .unwrap(),
        ProposalState::Pending
    );
    assert_eq!(
        s.person(dev).await.unwrap().unwrap().record.role.level,
        before
    );
    // Closing with a pending proposal is refused.
    let closing = s
        .advance_cycle(
            c,
            CycleState::Feedback,
            &[],
            None,
            Some(acct),
            214,
            &rec("advance_cycle"),
        )
        .await;
    assert!(
        matches!(closing, Err(StoreError::Refused(_))),
        "{closing:?}"
    );
    assert_eq!(
        s.decide_proposal(
            p,
            1,
            true,
            "Agreed.",
            acct,
            "2026-04-01",
            215,
            &rec("decide_proposal")
        )
        .await
        .unwrap(),
        ProposalState::Approved
    );
    // The new level, its history row and the proposal's state, together.
    let person = s.person(dev).await.unwrap().unwrap();
    assert_eq!(
        (
            person.record.role.level.as_str(),
            person.record.role.grade.as_str()
        ),
        ("staff", "7")
    );
    let last = s.role_history(dev).await.unwrap().pop().unwrap();
    assert_eq!(
        (
            last.effective.as_str(),
            last.role.level.as_str(),
            last.reason.as_str()
        ),
        (
            "2026-04-01",
            "staff",
            format!("promotion (proposal #{p})").as_str()
        )
    );
    assert!(s.org_version().await.unwrap() > v0);
    let steps = s.proposal_steps(p).await.unwrap();
    assert_eq!(
        steps
            .iter()
            .map(|t| (t.approver.as_str(), t.approved, t.comment.as_str()))
            .collect::<Vec<_>>(),
        [
            ("skip_level", true, "Ready."),
            ("people_team", true, "Agreed.")
        ]
    );
    let done = s
        .decide_proposal(
            p,
            2,
            true,
            "again",
            acct,
            "2026-04-01",
            216,
            &rec("decide_proposal"),
        )
        .await;
    assert!(matches!(done, Err(StoreError::Refused(_))), "{done:?}");
    assert_eq!(s.person_proposals(dev).await.unwrap().len(), 1);
    // A rejection ends a proposal without touching the person.
    let lead_level = s.person(lead).await.unwrap().unwrap().record.role.level;
    let lead_p = NewProposal {
        person_id: lead,
        to_level: "principal".to_owned(),
        ..proposal.clone()
    };
    let p2 = s
        .create_proposal(&lead_p, 217, &rec("create_proposal"))
        .await
        .unwrap();
    assert_eq!(
        s.decide_proposal(
            p2,
            0,
            false,
            "Not yet.",
            acct,
            "2026-04-01",
            218,
            &rec("decide_proposal")
        )
        .await
        .unwrap(),
        ProposalState::Rejected
    );
    assert_eq!(
        s.person(lead).await.unwrap().unwrap().record.role.level,
        lead_level
    );
    // A locked calibration takes no new proposals.
    s.lock_calibration(c, "Platform", acct, 219, &rec("lock_calibration"))
        .await
        .unwrap();
    let twice = s
        .lock_calibration(c, "Platform", acct, 220, &rec("lock_calibration"))
        .await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
    let locked = s
        .create_proposal(&lead_p, 221, &rec("create_proposal"))
        .await;
    assert!(matches!(locked, Err(StoreError::Refused(_))), "{locked:?}");
    assert_eq!(s.calibration_locks(c).await.unwrap().len(), 1);
    // Close, with the last release in the same transaction; every step is
    // recorded, and nothing moves after.
    let last = NewRelease {
        snapshots: vec![NewSnapshot {
            person_id: lead,
            results: "{}".to_owned(),
            tally: "{}".to_owned(),
        }],
        held_back: 1,
    };
    s.advance_cycle(
        c,
        CycleState::Feedback,
        &[],
        Some(&last),
        Some(acct),
        222,
        &rec("advance_cycle"),
    )
    .await
    .unwrap();
    let states: Vec<CycleState> = s
        .cycle_steps(c)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.state)
        .collect();
    assert_eq!(
        states,
        [
            CycleState::Draft,
            CycleState::Nominations,
            CycleState::Feedback,
            CycleState::Closed
        ]
    );
    let closed = s
        .advance_cycle(
            c,
            CycleState::Closed,
            &[],
            None,
            Some(acct),
            223,
            &rec("advance_cycle"),
        )
        .await;
    assert!(matches!(closed, Err(StoreError::Refused(_))), "{closed:?}");
    let closing = s.releases(c).await.unwrap().pop().unwrap();
    assert_eq!(
        (
            closing.closing,
            closing.people,
            closing.held_back,
            closing.released_at
        ),
        (true, 1, 1, 222)
    );
    assert!(s.snapshot(c, lead).await.unwrap().is_some());
    let after = s
        .release_feedback(c, &last, Some(acct), 224, &rec("release_feedback"))
        .await;
    assert!(matches!(after, Err(StoreError::Refused(_))), "{after:?}");
    let late = s
        .submit_feedback(c, dev, dev, &[answer("d4", Some(2))], "2026-05-01")
        .await;
    assert!(matches!(late, Err(StoreError::Refused(_))), "{late:?}");
}

/// Pay, internships and hiring.
async fn ops(s: &dyn Store) {
    use crate::{
        Activity, HiringRole, InternshipState, Moved, NewInternship, NewOpening, Score, Scorecard,
        Side, TeamMember,
    };
    let dev = id_of(s, "dev@example.com").await;
    let lead = id_of(s, "lead@example.com").await;
    let head = id_of(s, "head@example.com").await;
    let day = |d: &str| d.parse::<Date>().unwrap();
    // Bands: added, then replaced by the same key, all in one go.
    let band = |grade: &str, mid: i64| Band {
        family: String::new(),
        level: String::new(),
        grade: grade.to_owned(),
        zone: "eu".to_owned(),
        currency: "EUR".to_owned(),
        min: mid - 1_000_000,
        mid,
        max: mid + 1_000_000,
        effective_from: day("2026-01-01"),
    };
    s.put_bands(
        &[band("6", 6_000_000), band("7", 8_000_000)],
        &rec("put_bands"),
    )
    .await
    .unwrap();
    s.put_bands(&[band("6", 6_500_000)], &rec("put_bands"))
        .await
        .unwrap();
    let bands = s.bands().await.unwrap();
    assert_eq!(bands.len(), 2);
    assert_eq!(
        bands.iter().find(|b| b.grade == "6").unwrap().mid,
        6_500_000
    );
    // A band whose min is above its mid never lands, and nothing of its file.
    let mut broken = band("8", 9_000_000);
    broken.min = 9_500_000;
    assert!(
        s.put_bands(&[band("9", 10_000_000), broken], &rec("put_bands"))
            .await
            .is_err()
    );
    assert_eq!(s.bands().await.unwrap().len(), 2, "all or nothing");
    // A role band beside its grade's band: both kept, each by its key.
    let role = Band {
        family: "backend-engineer".to_owned(),
        level: "senior".to_owned(),
        ..band("7", 8_800_000)
    };
    s.put_bands(std::slice::from_ref(&role), &rec("put_bands"))
        .await
        .unwrap();
    let bands = s.bands().await.unwrap();
    assert_eq!(bands.len(), 3);
    assert!(bands.contains(&role));
    assert_eq!(
        bands
            .iter()
            .find(|b| b.grade == "7" && b.family.is_empty())
            .unwrap()
            .mid,
        8_000_000
    );
    let salary = |person: Id, amount: i64, d: &str| Salary {
        person_id: person,
        amount,
        currency: "EUR".to_owned(),
        effective_from: day(d),
    };
    s.put_salaries(
        &[
            salary(dev, 6_000_000, "2025-01-01"),
            salary(dev, 6_300_000, "2026-01-01"),
        ],
        &rec("put_salaries"),
    )
    .await
    .unwrap();
    s.put_salaries(
        &[
            salary(dev, 6_400_000, "2026-01-01"),
            salary(lead, 8_000_000, "2026-01-01"),
        ],
        &rec("put_salaries"),
    )
    .await
    .unwrap();
    let mine = s.salaries_of(dev).await.unwrap();
    assert_eq!(
        mine.iter().map(|x| x.amount).collect::<Vec<_>>(),
        [6_000_000, 6_400_000]
    );
    assert_eq!(s.salaries().await.unwrap().len(), 3);
    assert_eq!(
        s.salaries_for(&[lead, dev])
            .await
            .unwrap()
            .iter()
            .map(|x| (x.person_id, x.amount))
            .collect::<Vec<_>>(),
        {
            let mut want = vec![(dev, 6_000_000), (dev, 6_400_000), (lead, 8_000_000)];
            want.sort_by_key(|(p, _)| *p);
            want
        }
    );
    assert!(s.salaries_for(&[head]).await.unwrap().is_empty());

    // An internship: declined by one side ends it; approved by both starts it.
    let ask = NewInternship {
        person_id: dev,
        host_department: "Data".to_owned(),
        mentor_id: head,
        goals: "Learn how the data pipeline is run".to_owned(),
        competencies: vec!["t1".to_owned(), "t2".to_owned()],
        share: 20,
        start_date: "2026-04-01".to_owned(),
        end_date: "2026-06-30".to_owned(),
        activities: vec![Activity {
            kind: "on_call_shadow".to_owned(),
            detail: "two weeks of the data rotation".to_owned(),
        }],
        access: "read access to the warehouse".to_owned(),
    };
    let no = s
        .create_internship(&ask, 300, &rec("create_internship"))
        .await
        .unwrap();
    let st = s
        .decide_internship(
            no,
            Side::Host,
            false,
            head,
            "not this quarter",
            301,
            &rec("decide_internship"),
        )
        .await
        .unwrap();
    assert_eq!(st, InternshipState::Declined);
    assert!(
        s.decide_internship(
            no,
            Side::Manager,
            true,
            lead,
            "",
            302,
            &rec("decide_internship")
        )
        .await
        .is_err()
    );
    let yes = s
        .create_internship(&ask, 303, &rec("create_internship"))
        .await
        .unwrap();
    assert!(
        s.add_internship_log(
            yes,
            dev,
            "2026-04-02",
            "too early",
            304,
            &rec("add_internship_log")
        )
        .await
        .is_err(),
        "nothing is logged before approval"
    );
    let st = s
        .decide_internship(
            yes,
            Side::Manager,
            true,
            lead,
            "go for it",
            305,
            &rec("decide_internship"),
        )
        .await
        .unwrap();
    assert_eq!(st, InternshipState::Requested, "the host has not decided");
    let st = s
        .decide_internship(
            yes,
            Side::Host,
            true,
            head,
            "welcome",
            306,
            &rec("decide_internship"),
        )
        .await
        .unwrap();
    assert_eq!(st, InternshipState::Approved);
    s.add_internship_log(
        yes,
        dev,
        "2026-04-03",
        "paired on the loader",
        307,
        &rec("add_internship_log"),
    )
    .await
    .unwrap();
    s.add_internship_log(
        yes,
        head,
        "2026-04-02",
        "walked through the rotation",
        308,
        &rec("add_internship_log"),
    )
    .await
    .unwrap();
    let log = s.internship_log(yes).await.unwrap();
    assert_eq!(log[0].date, "2026-04-02", "in date order");
    let moved = [Moved {
        statement_id: "t1".to_owned(),
        self_rating: Some(3),
        manager_rating: None,
    }];
    s.complete_internship(
        yes,
        "Runs the loader on call now",
        &moved,
        309,
        &rec("complete_internship"),
    )
    .await
    .unwrap();
    assert!(
        s.complete_internship(yes, "again", &[], 310, &rec("complete_internship"))
            .await
            .is_err()
    );
    let done = s.internship(yes).await.unwrap().unwrap();
    assert_eq!(done.new, ask);
    assert_eq!(
        (done.state, done.moved.as_slice()),
        (InternshipState::Completed, &moved[..])
    );
    assert_eq!(done.manager.unwrap().comment, "go for it");
    assert_eq!(s.internships().await.unwrap().len(), 2);

    // Hiring: an opening with its team, a candidate moved on once.
    let a = s
        .create_account(
            "interviewer@example.com",
            "I",
            None,
            Roles::NONE,
            10,
            &rec("create_account"),
        )
        .await
        .unwrap();
    let b = s
        .create_account(
            "lead-hirer@example.com",
            "L",
            None,
            Roles::NONE,
            10,
            &rec("create_account"),
        )
        .await
        .unwrap();
    let opening = NewOpening {
        title: "Backend engineer, payments".to_owned(),
        family: "backend-engineer".to_owned(),
        level: "senior".to_owned(),
        specialty: Some("payments".to_owned()),
        team: vec![
            TeamMember {
                account_id: a,
                role: HiringRole::Interviewer,
            },
            TeamMember {
                account_id: b,
                role: HiringRole::Lead,
            },
        ],
    };
    let o = s
        .create_opening(&opening, Some(b), 400, &rec("create_opening"))
        .await
        .unwrap();
    assert_eq!(s.opening(o).await.unwrap().unwrap().new, opening);
    assert_eq!(s.openings().await.unwrap()[0].new.team.len(), 2);
    let c = s
        .add_candidate(
            o,
            "Casey Candidate",
            "casey@example.net",
            "screen",
            401,
            &rec("add_candidate"),
        )
        .await
        .unwrap();
    s.move_candidate(c, "screen", "technical", "active", &rec("move_candidate"))
        .await
        .unwrap();
    assert!(
        s.move_candidate(c, "screen", "final", "active", &rec("move_candidate"))
            .await
            .is_err(),
        "a stale move is refused"
    );
    let card = Scorecard {
        candidate_id: c,
        stage: "technical".to_owned(),
        interviewer_id: a,
        scores: vec![Score {
            requirement: "r1".to_owned(),
            score: Some(3),
            notes: "clear".to_owned(),
        }],
        notes: "hire".to_owned(),
        submitted_at: 402,
    };
    s.submit_scorecard(&card, &rec("submit_scorecard"))
        .await
        .unwrap();
    assert!(matches!(
        s.submit_scorecard(&card, &rec("submit_scorecard")).await,
        Err(StoreError::Refused(_))
    ));
    assert_eq!(s.scorecards(c).await.unwrap(), std::slice::from_ref(&card));
    // Deleting a candidate takes their scorecards with them.
    let gone = s
        .add_candidate(
            o,
            "Dana Deleted",
            "dana@example.net",
            "screen",
            403,
            &rec("add_candidate"),
        )
        .await
        .unwrap();
    s.submit_scorecard(
        &Scorecard {
            candidate_id: gone,
            stage: "screen".to_owned(),
            ..card
        },
        &rec("submit_scorecard"),
    )
    .await
    .unwrap();
    s.delete_candidate(gone, &rec("delete_candidate"))
        .await
        .unwrap();
    assert!(s.candidate(gone).await.unwrap().is_none());
    assert!(s.scorecards(gone).await.unwrap().is_empty());
    assert_eq!(s.candidates(o).await.unwrap().len(), 1);
    assert!(matches!(
        s.delete_candidate(gone, &rec("delete_candidate")).await,
        Err(StoreError::NotFound(_))
    ));
}
