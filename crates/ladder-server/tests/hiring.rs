//! Hiring: openings with scorecards from the framework, blind scoring,
//! coverage, who sees a candidate, and deleting one.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use support::*;

async fn api(c: &mut Client, csrf: &str, path: &str, body: &str) -> Response {
    c.headers.retain(|(k, _)| k != "X-CSRF-Token");
    c.headers.push(("X-CSRF-Token".to_owned(), csrf.to_owned()));
    c.request("POST", path, Some("application/json"), body.as_bytes())
        .await
}

#[tokio::test]
async fn interviewers_score_blind_against_the_framework_and_deletion_forgets() {
    let app = start().await;
    let (mut team, team_csrf) = client_as(&app, "people-team").await;
    // A bad team member is named; nothing is opened.
    let res = api(
        &mut team,
        &team_csrf,
        "/api/v1/openings",
        r#"{"title":"Senior backend engineer","family":"backend-engineer","level":"senior","specialty":"platform-services","leads":["manager@example.com"],"interviewers":["nobody@example.com"]}"#,
    )
    .await;
    assert_eq!(res.status, 400);
    assert!(
        res.body
            .contains("interviewers: no account has the email nobody@example.com")
    );
    let res = api(
        &mut team,
        &team_csrf,
        "/api/v1/openings",
        r#"{"title":"Senior backend engineer","family":"backend-engineer","level":"senoir","leads":["manager@example.com"]}"#,
    )
    .await;
    assert_eq!(res.status, 400);
    assert!(res.body.contains("did you mean `senior`"), "{}", res.body);
    assert!(app.store.openings().await.unwrap().is_empty());
    let res = api(
        &mut team,
        &team_csrf,
        "/api/v1/openings",
        r#"{"title":"Senior backend engineer","family":"backend-engineer","level":"senior","specialty":"platform-services","leads":["manager@example.com"],"interviewers":["peer@example.com","report@example.com"]}"#,
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let o = json(&res);
    let opening = o["id"].as_i64().unwrap();
    // The scorecard: the family's stages, and the role's and specialty's
    // requirements by their ids.
    let stages: Vec<&str> = o["scorecard"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["screen", "technical", "design", "manager"]);
    let reqs = o["scorecard"]["requirements"].as_array().unwrap().clone();
    assert!(reqs.iter().any(|r| r["scope"] == "specialty"), "{reqs:?}");
    assert!(reqs.iter().any(|r| r["scope"] != "specialty"));
    let req = |i: usize| reqs[i]["id"].as_str().unwrap().to_owned();
    // The people team opened it but is not on the team: no candidates.
    let res = team.get(&format!("/api/v1/openings/{opening}")).await;
    assert_eq!(res.status, 403);
    // The lead records a candidate.
    let (mut lead, lead_csrf) = client_as(&app, "manager").await;
    let res = api(
        &mut lead,
        &lead_csrf,
        &format!("/api/v1/openings/{opening}/candidates"),
        r#"{"name":"Robin Recruitable","contact":"robin@example.net"}"#,
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let cand = json(&res)["id"].as_i64().unwrap();
    let path = format!("/api/v1/candidates/{cand}");
    // The first interviewer scores the screen.
    let (mut a, a_csrf) = client_as(&app, "peer").await;
    let card = |score: i32, note: &str| {
        format!(
            r#"{{"stage":"screen","scores":[{{"requirement":"{}","score":{score},"notes":"{note}"}},{{"requirement":"{}","score":null}}],"notes":"overall {note}"}}"#,
            req(0),
            req(1)
        )
    };
    let bad = api(
        &mut a,
        &a_csrf,
        &format!("{path}/scorecards"),
        &card(9, "x"),
    )
    .await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("is not on the rating scale"));
    let res = api(
        &mut a,
        &a_csrf,
        &format!("{path}/scorecards"),
        &card(3, "secret-a"),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let again = api(
        &mut a,
        &a_csrf,
        &format!("{path}/scorecards"),
        &card(2, "again"),
    )
    .await;
    assert_eq!(again.status, 400, "one scorecard per stage");
    // The second interviewer sees that one is in, not what it says.
    let (mut b, b_csrf) = client_as(&app, "direct-report").await;
    for p in [path.clone(), format!("/candidates/{cand}")] {
        let res = b.get(&p).await;
        assert_eq!(res.status, 200);
        assert!(!res.body.contains("secret-a"), "{p}: blind until scored");
    }
    let v = json(&b.get(&path).await);
    assert_eq!(v["submitted"][0], serde_json::json!(["screen", 1]));
    assert_eq!(v["coverage"][0]["scores"], 0);
    // After scoring, they see both; coverage counts every visible score.
    let res = api(
        &mut b,
        &b_csrf,
        &format!("{path}/scorecards"),
        &card(4, "secret-b"),
    )
    .await;
    assert_eq!(res.status, 200);
    let v = json(&res);
    assert!(res.body.contains("secret-a") && res.body.contains("secret-b"));
    assert_eq!(v["coverage"][0]["scores"], 2);
    assert!((v["coverage"][0]["mean"].as_f64().unwrap() - 3.5).abs() < 1e-9);
    assert_eq!(v["coverage"][1]["mean"], serde_json::Value::Null);
    // The lead sees every scorecard and moves the candidate on; an
    // interviewer may not.
    let res = lead.get(&format!("/candidates/{cand}")).await;
    assert!(res.body.contains("secret-a") && res.body.contains("secret-b"));
    assert!(res.body.contains("Robin Recruitable"));
    let res = api(&mut a, &a_csrf, &format!("{path}/move"), r#"{"to":"next"}"#).await;
    assert_eq!(res.status, 403);
    let res = api(
        &mut lead,
        &lead_csrf,
        &format!("{path}/move"),
        r#"{"to":"next"}"#,
    )
    .await;
    assert_eq!(json(&res)["stage"], "technical");
    // Only the hiring team and admins see the candidate.
    for role in ROLES {
        let (mut c, _) = client_as(&app, role).await;
        let allowed = matches!(role, "manager" | "peer" | "direct-report" | "admin");
        for p in [
            path.clone(),
            format!("/candidates/{cand}"),
            format!("/api/v1/openings/{opening}"),
            format!("/hiring/{opening}"),
        ] {
            let res = c.get(&p).await;
            assert_eq!(res.status == 200, allowed, "{role} GET {p}: {}", res.status);
            assert_eq!(
                res.body.contains("Robin Recruitable"),
                allowed,
                "{role} {p}"
            );
        }
        let res = c.get("/hiring").await;
        assert!(
            !res.body.contains("Robin"),
            "{role} /hiring lists no candidate"
        );
    }
    // Deleting removes the personal data; the log keeps only that it
    // happened, by id.
    let res = lead
        .post_form(
            &format!("/candidates/{cand}/delete"),
            &[("csrf", &lead_csrf)],
        )
        .await;
    assert_eq!(res.status, 303);
    assert!(app.store.candidate(cand).await.unwrap().is_none());
    assert!(app.store.scorecards(cand).await.unwrap().is_empty());
    let dump = serde_json::to_string(&app.store.dump().await.unwrap()).unwrap();
    assert!(
        !dump.contains("Robin")
            && !dump.contains("robin@example.net")
            && !dump.contains("secret-a")
    );
    let log = app.store.audit_log(None, 200).await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "candidate.delete" && e.detail == format!("candidate {cand}"))
    );
    assert_eq!(lead.get(&path).await.status, 404);
}
