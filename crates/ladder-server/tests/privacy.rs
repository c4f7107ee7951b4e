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
        talks.contains("my own thought") && talks.contains("on-call rota"),
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
