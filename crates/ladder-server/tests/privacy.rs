#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Personal data rights: a person downloads everything Ladder holds about
//! them that they may see, and nothing anyone else may see.

mod support;

use ladder_org::Date;
use ladder_org::pay::Salary;
use std::io::Read as _;
use support::*;

/// The files of a ZIP, by name, as text.
fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, String> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = std::collections::BTreeMap::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut text = String::new();
        f.read_to_string(&mut text).unwrap();
        out.insert(f.name().unwrap().into_owned(), text);
    }
    out
}

#[tokio::test]
async fn a_person_downloads_their_data_and_nothing_that_is_not_theirs_to_see() {
    let app = start().await;
    let (me, boss, peer) = (app.ids["self"], app.ids["manager"], app.ids["peer"]);
    let s = &app.store;
    // Pay: theirs and a colleague's.
    s.put_salaries(
        &[
            Salary {
                person_id: me,
                amount: 7_123_400,
                currency: "EUR".to_owned(),
                effective_from: Date::new(2026, 1, 1).unwrap(),
            },
            Salary {
                person_id: peer,
                amount: 9_876_500,
                currency: "EUR".to_owned(),
                effective_from: Date::new(2026, 1, 1).unwrap(),
            },
        ],
        &fixture("put_salaries"),
    )
    .await
    .unwrap();
    // A 1:1 with a note from each side and an agenda item.
    let m = s
        .create_meeting(boss, me, "2026-11-20", NOW, &fixture("create_meeting"))
        .await
        .unwrap();
    s.add_agenda_item(
        m,
        me,
        "Talk about the on-call rota",
        NOW,
        &fixture("agenda"),
    )
    .await
    .unwrap();
    s.save_private_note(m, me, "my own thought", 0, NOW, &fixture("note"))
        .await
        .unwrap();
    s.save_private_note(
        m,
        boss,
        "the manager's private worry",
        0,
        NOW,
        &fixture("note"),
    )
    .await
    .unwrap();
    // A note saved through the API is sealed where it is stored; its
    // author reads it back in the clear, and twice saved (a stale
    // version) the refusal carries the text in the clear too.
    let mut author = api_as(&app, "self").await;
    let saved = post_json(
        &mut author,
        &format!("/api/v1/meetings/{m}/private"),
        &serde_json::json!({"text": "sealed thought about the rota", "version": 1}),
    )
    .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let stored = s.private_note(m, me).await.unwrap().unwrap().text;
    assert!(
        stored.starts_with("v1:") && !stored.contains("rota"),
        "{stored}"
    );
    let stale = post_json(
        &mut author,
        &format!("/api/v1/meetings/{m}/private"),
        &serde_json::json!({"text": "again", "version": 1}),
    )
    .await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert!(
        stale.body.contains("sealed thought about the rota"),
        "{}",
        stale.body
    );
    let dump = serde_json::to_string(&s.dump().await.unwrap()).unwrap();
    assert!(
        !dump.contains("sealed thought"),
        "a backup holds the note in the clear"
    );
    // The manager reads their pay: audited, about them.
    let (mut manager, _) = client_as(&app, "manager").await;
    assert_eq!(manager.get(&format!("/people/{me}/pay")).await.status, 200);

    // The download, from the account page and from the API.
    let (mut mine, _) = client_as(&app, "self").await;
    let page = mine.get("/me/account").await;
    assert!(page.body.contains("href=\"/me/export\""), "{}", page.body);
    let res = mine.get("/me/export").await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.header("content-type"), Some("application/zip"));
    assert!(
        res.header("content-disposition")
            .unwrap()
            .contains("ladder-my-data-")
    );
    let files = unzip(&res.raw);
    for name in [
        "README.md",
        "profile.json",
        "role_history.csv",
        "ratings.csv",
        "rating_history.csv",
        "checkpoints.json",
        "one_on_ones.json",
        "feedback.json",
        "pay.csv",
        "internships.json",
        "notifications.json",
        "audit.csv",
    ] {
        assert!(
            files.contains_key(name),
            "{name} missing: {:?}",
            files.keys()
        );
    }
    let profile: serde_json::Value = serde_json::from_str(&files["profile.json"]).unwrap();
    assert_eq!(profile["person"]["email"], "self@example.com");
    assert_eq!(profile["person"]["manager"], "manager");
    assert!(profile["account"].get("password_hash").is_none());
    assert!(files["pay.csv"].contains("71,234"), "{}", files["pay.csv"]);
    assert!(files["role_history.csv"].lines().count() >= 2);
    let talks = &files["one_on_ones.json"];
    assert!(
        talks.contains("sealed thought about the rota") && talks.contains("on-call rota"),
        "{talks}"
    );
    assert!(
        files["audit.csv"].contains("pay.read"),
        "{}",
        files["audit.csv"]
    );
    assert!(files["audit.csv"].contains("manager@example.com"));
    // Nothing that is not theirs to see.
    let all: String = files.values().cloned().collect();
    for secret in ["the manager's private worry", "98,765", "argon2"] {
        assert!(!all.contains(secret), "{secret} is in the download");
    }
    // The API gives the same files, and each download is audited.
    let mut api = api_as(&app, "self").await;
    let res = api.get("/api/v1/me/export").await;
    assert_eq!(res.status, 200);
    assert_eq!(
        unzip(&res.raw).keys().collect::<Vec<_>>(),
        files.keys().collect::<Vec<_>>()
    );
    let log = s.audit_log(None, 50).await.unwrap();
    assert_eq!(
        log.iter()
            .filter(|e| e.action == "me.export" && e.subject_id == Some(me))
            .count(),
        2
    );
    // Signed out: no download.
    let mut nobody = Client::new(app.addr);
    assert_ne!(nobody.get("/api/v1/me/export").await.status, 200);
}

/// Erasure on request: the person's identity leaves every table (as a
/// backup, which is every row of every table, shows), what others wrote
/// stays, the 360 answers they gave keep counting, and the audit log
/// keeps its entries with an opaque subject.
#[tokio::test]
async fn the_people_team_erases_a_leaver_and_nothing_names_them_afterwards() {
    erasure(&start().await).await;
}

/// The same on PostgreSQL, whose audit log guards itself with its own
/// trigger.
#[tokio::test]
async fn erasure_works_on_postgres() {
    let db = ladder_store_postgres::TempDatabase::for_tests("erasure")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let pg = ladder_server::Database::Postgres(db.url.clone());
    let (store, _) = ladder_server::open_store(&pg).await.unwrap();
    let app = start_on(store, None, true).await;
    erasure(&app).await;
    drop(app);
    db.drop_database().await.unwrap();
}

async fn erasure(app: &App) {
    use ladder_store::{NewAnswer, Roles, ScimLink};
    let s = &app.store;
    let (boss, me) = (app.ids["manager"], app.ids["self"]);
    let mut record = person(
        "zelda.quist@example.com",
        Some("manager@example.com"),
        "senior",
    );
    record.name = "Zelda Quist".to_owned();
    let zelda = s
        .scim_write(
            &record,
            &ScimLink {
                external_id: Some("ZQ-00042".to_owned()),
                user_name: "zquist".to_owned(),
                employee_number: Some("E-77881".to_owned()),
                ..ScimLink::default()
            },
            "2026-01-01",
            None,
            NOW,
            &fixture("scim.user.create"),
        )
        .await
        .unwrap();
    s.create_account(
        "zelda.quist@example.com",
        "Zelda Quist",
        None,
        Roles::NONE,
        NOW,
        &fixture("create_account"),
    )
    .await
    .unwrap();
    // Her data: pay, a 1:1 with an agenda item and a private note from
    // each side, a notification choice.
    s.put_salaries(
        &[Salary {
            person_id: zelda,
            amount: 6_543_200,
            currency: "EUR".to_owned(),
            effective_from: Date::new(2026, 1, 1).unwrap(),
        }],
        &fixture("put_salaries"),
    )
    .await
    .unwrap();
    let m = s
        .create_meeting(boss, zelda, "2026-11-20", NOW, &fixture("create_meeting"))
        .await
        .unwrap();
    s.add_agenda_item(
        m,
        zelda,
        "Plan the storage migration",
        NOW,
        &fixture("agenda"),
    )
    .await
    .unwrap();
    s.save_private_note(m, zelda, "Zelda's own worry", 0, NOW, &fixture("note"))
        .await
        .unwrap();
    s.save_private_note(
        m,
        boss,
        "manager's note on the migration",
        0,
        NOW,
        &fixture("note"),
    )
    .await
    .unwrap();
    // She answers about `self` in a 360 cycle, anonymously.
    let cycle = open_cycle(app, &[zelda]).await;
    s.submit_feedback(
        cycle,
        me,
        zelda,
        &[NewAnswer {
            id: "erasure-test-answer".to_owned(),
            question: "open:1".to_owned(),
            value: None,
            comment: "keeps the build green".to_owned(),
        }],
        "2026-11-21",
    )
    .await
    .unwrap();
    // The manager reads her pay (audited with her as subject), and she
    // signs in (audited with her as actor).
    let (mut manager, _) = client_as(app, "manager").await;
    assert_eq!(
        manager.get(&format!("/people/{zelda}/pay")).await.status,
        200
    );

    let (mut team, team_csrf) = client_as(app, "people-team").await;
    team.headers
        .push(("X-CSRF-Token".to_owned(), team_csrf.clone()));
    let erase = |confirm: &str| {
        serde_json::json!({ "confirm": confirm })
            .to_string()
            .into_bytes()
    };
    let path = format!("/api/v1/people/{zelda}/erase");
    // Still active: refused.
    let r = team
        .request(
            "POST",
            &path,
            Some("application/json"),
            &erase("zelda.quist@example.com"),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("has left"), "{}", r.body);
    // She leaves.
    record.active = false;
    s.apply_people(&[record], "2026-11-30", None, NOW, &fixture("apply_people"))
        .await
        .unwrap();
    // The page says what erasing does; a wrong confirmation keeps what
    // was typed and changes nothing.
    let page = team.get(&format!("/people/{zelda}")).await;
    assert!(page.body.contains("id=\"erase-link\""), "{}", page.body);
    let page = team.get(&format!("/people/{zelda}/erase")).await;
    assert!(page.body.contains("cannot be undone"), "{}", page.body);
    let wrong = team
        .post_form(
            &format!("/people/{zelda}/erase"),
            &[("csrf", &team_csrf), ("confirm", "zelda@example.com")],
        )
        .await;
    assert!(
        wrong.body.contains("value=\"zelda@example.com\""),
        "{}",
        wrong.body
    );
    assert!(wrong.body.contains("Type the person"), "{}", wrong.body);
    assert_eq!(
        s.person(zelda).await.unwrap().unwrap().record.name,
        "Zelda Quist"
    );
    let audit_before = s.audit_log(None, 10_000).await.unwrap().len();
    let answers_before = s.answers(cycle, me).await.unwrap().len();

    let r = team
        .request(
            "POST",
            &path,
            Some("application/json"),
            &erase("Zelda.Quist@example.com"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);

    // Nothing names her: not the directory, not any table (a backup is
    // every row of every table).
    let dump = serde_json::to_string(&s.dump().await.unwrap())
        .unwrap()
        .to_lowercase();
    for trace in [
        "zelda", "quist", "zq-00042", "zquist", "e-77881", "65,432", "6543200",
    ] {
        assert!(!dump.contains(trace), "{trace} is still in the database");
    }
    assert!(!dump.contains("zelda's own worry"));
    // What others wrote stays; her 360 answer keeps counting; the audit
    // log keeps every entry, and the erasure's names no one.
    assert!(dump.contains("manager's note on the migration"));
    assert!(dump.contains("plan the storage migration"));
    assert_eq!(s.answers(cycle, me).await.unwrap().len(), answers_before);
    let log = s.audit_log(None, 10_000).await.unwrap();
    assert_eq!(log.len(), audit_before + 1);
    let entry = log.iter().find(|e| e.action == "person.erase").unwrap();
    assert_eq!(entry.subject_id, Some(zelda));
    assert_eq!(entry.detail, "erased at their request");
    assert!(
        log.iter()
            .any(|e| e.action == "pay.read" && e.subject_id == Some(zelda))
    );
    let gone = s.person(zelda).await.unwrap().unwrap();
    assert_eq!(gone.record.name, "A former employee");
    // Her account cannot sign in, and the directory shows a former
    // employee.
    let mut her = Client::new(app.addr);
    assert_ne!(
        her.login("zelda.quist@example.com", "anything")
            .await
            .status,
        303
    );
    let page = manager.get(&format!("/people/{zelda}")).await;
    assert!(page.body.contains("A former employee"), "{}", page.body);
    // A second erasure finds nothing to confirm against.
    let again = team
        .request(
            "POST",
            &path,
            Some("application/json"),
            &erase("zelda.quist@example.com"),
        )
        .await;
    assert_eq!(again.status, 400);
}

/// The audit log as a tool: "who read my pay" is a filter, every person a
/// team pay page shows is an entry of its own, a read repeated within
/// minutes counts on its entry, and what the filters match exports as CSV
/// and JSON.
#[tokio::test]
async fn the_audit_log_answers_who_read_my_pay() {
    let app = start().await;
    let me = app.ids["self"];
    // This person has a salary (a team page records the people whose pay
    // it shows).
    let mut team = api_as(&app, "people-team").await;
    let res = post_csv(
        &mut team,
        "/api/v1/pay/salaries/import",
        "email,amount,currency,effective_from\nself@example.com,77000,EUR,2026-02-01\n",
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    // The skip-level manager opens their team's pay three times, and the
    // manager opens this person's pay once.
    let (mut skip, _) = client_as(&app, "skip-level").await;
    for _ in 0..3 {
        assert_eq!(skip.get("/team/pay").await.status, 200);
    }
    let (mut manager, _) = client_as(&app, "manager").await;
    assert_eq!(manager.get(&format!("/people/{me}/pay")).await.status, 200);

    let about = "about=self%40example.com&action=pay.";
    let page = team.get(&format!("/audit?{about}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("value=\"self@example.com\""),
        "{}",
        page.body
    );
    let rows = page.body.matches("<td>pay.read</td>").count();
    assert_eq!(
        rows, 2,
        "one entry for the team page (three reads), one for the manager's"
    );
    assert!(page.body.contains("<td>3, the last at"), "{}", page.body);
    assert!(page.body.contains("skip@example.com") && page.body.contains("manager@example.com"));
    // The subject is named and linked, never a bare id.
    assert!(
        page.body
            .contains(&format!("<a href=\"/people/{me}\">self</a>")),
        "{}",
        page.body
    );

    // The same as CSV and JSON.
    let csv = team.get(&format!("/audit/export.csv?{about}")).await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.body.lines().count(), 3, "{}", csv.body);
    assert!(
        csv.body
            .starts_with("id,at,time_utc,by,action,subject_id,subject")
    );
    let json = team.get(&format!("/audit/export.json?{about}")).await;
    let rows: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    let reads: Vec<u64> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reads"].as_u64().unwrap())
        .collect();
    assert_eq!(reads.iter().sum::<u64>(), 4);
    // Nothing matching: still a whole JSON array, and a CSV of its header.
    let none = team
        .get("/audit/export.json?about=self%40example.com&action=no.such.action")
        .await;
    assert_eq!(none.status, 200);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&none.body).unwrap(),
        serde_json::json!([])
    );
    let none = team
        .get("/audit/export.csv?about=self%40example.com&action=no.such.action")
        .await;
    assert_eq!(none.body.lines().count(), 1, "{}", none.body);

    // A filter that names nobody is refused beside its field, keeping what
    // was typed.
    let bad = team
        .get("/audit?who=nobody%40example.com&from=2026-13-01")
        .await;
    assert!(bad.body.contains("id=\"who-error\""), "{}", bad.body);
    assert!(bad.body.contains("value=\"nobody@example.com\""));
    let bad = team.get("/audit?from=yesterday").await;
    assert!(bad.body.contains("id=\"from-error\""), "{}", bad.body);
    assert!(bad.body.contains("YYYY-MM-DD"));
}

/// Retention: a closed cycle's answers go once their age passes (its
/// released results stay), and a sweep with every age at 0 deletes
/// nothing.
#[tokio::test]
async fn retention_deletes_answers_of_closed_cycles_and_keeps_their_results() {
    use ladder_store::{CycleState, NewAnswer, NewRelease, NewSnapshot, Retention};
    let app = start().await;
    let s = &app.store;
    let me = app.ids["self"];
    let cycle = open_cycle(&app, &[app.ids["peer"]]).await;
    s.submit_feedback(
        cycle,
        me,
        app.ids["peer"],
        &[NewAnswer {
            id: "retention-test".to_owned(),
            question: "open:1".to_owned(),
            value: None,
            comment: "fine".to_owned(),
        }],
        "2026-11-21",
    )
    .await
    .unwrap();
    let last = NewRelease {
        snapshots: vec![NewSnapshot {
            person_id: me,
            results: "{}".to_owned(),
            tally: "{}".to_owned(),
        }],
        held_back: 0,
    };
    s.advance_cycle(
        cycle,
        CycleState::Feedback,
        &[],
        Some(&last),
        None,
        NOW,
        &fixture("advance_cycle"),
    )
    .await
    .unwrap();
    let keep_all = Retention {
        audit_log_days: 0,
        delivery_log_days: 0,
        leaver_one_on_ones_days: 0,
        candidate_days: 0,
        closed_cycle_answers_days: 0,
    };
    let year = 365 * 86_400;
    let swept = s
        .sweep(&keep_all, NOW + 10 * year, &fixture("sweep"))
        .await
        .unwrap();
    assert_eq!(swept, ladder_store::Swept::default());
    let answers = Retention {
        closed_cycle_answers_days: 365,
        ..keep_all
    };
    let early = s
        .sweep(&answers, NOW + year - 1, &fixture("sweep"))
        .await
        .unwrap();
    assert_eq!(early.answers, 0);
    let swept = s
        .sweep(&answers, NOW + year + 1, &fixture("sweep"))
        .await
        .unwrap();
    assert_eq!(swept.answers, 1);
    assert!(s.answers(cycle, me).await.unwrap().is_empty());
    assert!(s.snapshot(cycle, me).await.unwrap().is_some());
    let log = s.audit_log(None, 5).await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.detail.contains("1 answers of closed cycles")),
        "{log:?}"
    );
}
