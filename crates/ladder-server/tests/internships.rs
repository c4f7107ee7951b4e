//! Internships for learning: asking, approving from both sides, logging,
//! completing, the organisation's board, and who reads the notes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use support::*;

#[tokio::test]
async fn an_engineer_asks_for_runs_and_completes_an_internship() {
    let mut app = start().await;
    let (mentor, _) = internship_fixture(&app).await;
    let hash = ladder_server::auth::hash_password(PASSWORD).await.unwrap();
    let account = app
        .store
        .create_account(
            "mentor@example.com",
            "mentor",
            Some(&hash),
            ladder_store::Roles::NONE,
            NOW,
            &support::fixture("create_account"),
        )
        .await
        .unwrap();
    app.accounts.insert("mentor", account);
    let statement = app
        .state
        .framework()
        .framework
        .items
        .keys()
        .next()
        .unwrap()
        .clone();
    let (mut me, csrf) = client_as(&app, "self").await;
    // Every bad field is named, and nothing is stored.
    let base = |share: &str, dept: &str, comps: &str| {
        vec![
            ("csrf".to_owned(), csrf.clone()),
            ("host_department".to_owned(), dept.to_owned()),
            ("mentor_id".to_owned(), mentor.to_string()),
            (
                "goals".to_owned(),
                "Learn how the data team runs its pipeline".to_owned(),
            ),
            ("competencies".to_owned(), comps.to_owned()),
            ("share".to_owned(), share.to_owned()),
            ("start_date".to_owned(), "2026-12-01".to_owned()),
            ("end_date".to_owned(), "2027-02-28".to_owned()),
            ("activity_on_call_shadow".to_owned(), "1".to_owned()),
            (
                "detail_on_call_shadow".to_owned(),
                "two weeks of the data rotation".to_owned(),
            ),
            ("activity_pairing".to_owned(), "1".to_owned()),
            ("detail_pairing".to_owned(), "DATA-12, DATA-19".to_owned()),
            (
                "access".to_owned(),
                "read access to the warehouse".to_owned(),
            ),
        ]
    };
    let post = async |c: &mut Client, path: &str, f: &[(String, String)]| {
        let refs: Vec<(&str, &str)> = f.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        c.post_form(path, &refs).await
    };
    let before = app.store.internships().await.unwrap().len();
    let res = post(&mut me, "/internships", &base("0", "Data", "")).await;
    assert_eq!(res.status, 400);
    assert!(res.body.contains("0% is not a share of time"));
    assert!(
        !res.body.contains("share: 0%"),
        "in words, without the field name"
    );
    assert!(
        res.body
            .contains("id=\"share-error\">0% is not a share of time"),
        "beside its field: {}",
        res.body
    );
    // An activity's missing detail is said beside that activity.
    let mut no_detail = base("20", "Data", "");
    for (k, v) in &mut no_detail {
        if k == "detail_pairing" {
            v.clear();
        }
    }
    let r = post(&mut me, "/internships", &no_detail).await;
    assert_eq!(r.status, 400);
    assert!(
        r.body
            .contains("id=\"detail_pairing-error\">The details of"),
        "{}",
        r.body
    );
    // The refused form keeps everything typed.
    for kept in [
        ">Learn how the data team runs its pipeline</textarea>",
        "value=\"0\"",
        "value=\"2026-12-01\"",
        "value=\"2027-02-28\"",
        "<option selected>Data</option>",
        "name=\"activity_pairing\" value=\"1\" checked",
        "value=\"DATA-12, DATA-19\"",
        "value=\"read access to the warehouse\"",
    ] {
        assert!(res.body.contains(kept), "lost {kept}: {}", res.body);
    }
    let res = post(
        &mut me,
        "/internships",
        &base("20", "Platform Services", ""),
    )
    .await;
    assert!(
        res.body
            .contains("Platform Services is your own department")
    );
    let res = post(
        &mut me,
        "/internships",
        &base("20", "Data", "no-such-statement"),
    )
    .await;
    assert!(
        res.body
            .contains("`no-such-statement` is not a statement id")
    );
    assert_eq!(app.store.internships().await.unwrap().len(), before);
    let res = post(&mut me, "/internships", &base("20", "Data", &statement)).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = res.header("location").unwrap().to_owned();
    let id: i64 = page.rsplit('/').next().unwrap().parse().unwrap();
    // The manager approves; still waiting for the host.
    let (mut boss, boss_csrf) = client_as(&app, "manager").await;
    let res = boss
        .post_form(
            &format!("{page}/decide"),
            &[
                ("csrf", &boss_csrf),
                ("decision", "approve"),
                ("comment", "Good idea"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    let res = boss.get(&page).await;
    assert!(
        res.body
            .contains(r#"<strong id="internship-state">requested</strong>"#)
    );
    // Nothing is logged before both sides approve.
    let res = me
        .post_form(
            &format!("{page}/log"),
            &[("csrf", &csrf), ("date", "2026-12-02"), ("text", "early")],
        )
        .await;
    assert_eq!(res.status, 400);
    assert!(res.body.contains("while an internship runs"));
    let (mut host, host_csrf) = client_as(&app, "mentor").await;
    let res = host
        .post_form(
            &format!("{page}/decide"),
            &[
                ("csrf", &host_csrf),
                ("decision", "approve"),
                ("comment", "Welcome"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    // Both sides log what they do.
    for (c, token, text) in [
        (&mut me, &csrf, "Paired with the mentor on DATA-12"),
        (&mut host, &host_csrf, "Walked through the on-call runbook"),
    ] {
        let res = c
            .post_form(
                &format!("{page}/log"),
                &[("csrf", token), ("date", "2026-12-03"), ("text", text)],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
    }
    // The board shows who interns where, never the log.
    let (mut peer, _) = client_as(&app, "peer").await;
    let res = peer.get("/internships").await;
    assert!(
        res.body.contains("Data")
            && res
                .body
                .contains("Learn how the data team runs its pipeline")
    );
    assert!(
        res.body
            .contains("Shadowing the on-call rotation (two weeks): two weeks of the data rotation")
    );
    assert!(!res.body.contains("DATA-12 ") && !res.body.contains("runbook"));
    // Completing keeps the worksheet rating it moved, as it stands.
    app.store
        .set_rating(
            &ladder_store::Rating {
                person_id: app.ids["self"],
                statement_id: statement.clone(),
                rater: ladder_store::Rater::Manager,
                value: 3,
                evidence: String::new(),
                statement_text: String::new(),
                framework_hash: String::new(),
                rated_by: None,
                rated_at: NOW,
            },
            &support::fixture("set_rating"),
        )
        .await
        .unwrap();
    let res = me
        .post_form(
            &format!("{page}/complete"),
            &[
                ("csrf", &csrf),
                ("outcome", "I now take data on-call shifts"),
                ("moved", &statement),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let done = app.store.internship(id).await.unwrap().unwrap();
    assert_eq!(done.state, ladder_store::InternshipState::Completed);
    assert_eq!(done.moved[0].manager_rating, Some(3));
    assert_eq!(done.moved[0].self_rating, None);
    let res = me.get(&format!("/api/v1/internships/{id}")).await;
    let v: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    assert_eq!(v["log"].as_array().unwrap().len(), 2);
    assert_eq!(v["outcome"], "I now take data on-call shifts");
    // The notes are for the parties only.
    for role in ROLES {
        let (mut c, _) = client_as(&app, role).await;
        let allowed = matches!(role, "self" | "manager" | "skip-level" | "people-team");
        for path in [page.clone(), format!("/api/v1/internships/{id}")] {
            let res = c.get(&path).await;
            assert_eq!(
                res.status == 200,
                allowed,
                "{role} GET {path}: {}",
                res.status
            );
            assert_eq!(res.body.contains("runbook"), allowed, "{role} {path}");
        }
        let res = c.get("/api/v1/internships").await;
        assert!(!res.body.contains("runbook") && !res.body.contains("on-call shifts"));
    }
}

#[tokio::test]
async fn one_side_declining_ends_the_request() {
    let app = start().await;
    let (_, id) = internship_fixture(&app).await;
    let (mut boss, csrf) = client_as(&app, "manager").await;
    boss.headers.push(("X-CSRF-Token".to_owned(), csrf));
    let res = boss
        .request(
            "POST",
            &format!("/api/v1/internships/{id}/decisions"),
            Some("application/json"),
            br#"{"approve": false, "comment": "Not during the launch"}"#,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(res.body.contains(r#""state":"declined""#));
    // Declined requests leave the board; a second decision is refused.
    let res = boss.get("/api/v1/internships").await;
    assert_eq!(res.body, "[]");
    let res = boss
        .request(
            "POST",
            &format!("/api/v1/internships/{id}/decisions"),
            Some("application/json"),
            br#"{"approve": true}"#,
        )
        .await;
    assert_eq!(res.status, 400);
    assert!(res.body.contains("already declined"));
}
