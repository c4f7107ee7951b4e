#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! 360 feedback and level changes over real HTTP: anonymity through every
//! channel the person reviewed can reach, at thresholds one below, at and
//! one above; and a level that changes only through an approved proposal
//! inside a cycle.

mod support;

use ladder_org::{Date, PersonRecord, Role};
use ladder_store::Roles;
use serde_json::{Value, json};
use support::*;

/// Signs in as an account directly (a fresh session).
async fn session(app: &App, account: i64) -> (Client, String) {
    let s = app
        .state
        .auth()
        .start_session(
            account,
            &ladder_server::auth::Client::default(),
            app.clock_now(),
        )
        .await
        .unwrap();
    let mut c = Client::new(app.addr);
    c.cookies
        .insert(ladder_server::auth::SESSION_COOKIE.to_owned(), s.token);
    (c, s.csrf)
}

async fn api(c: &mut Client, csrf: &str, method: &str, path: &str, body: &Value) -> (u16, Value) {
    c.headers.retain(|(k, _)| k != "X-CSRF-Token");
    c.headers.push(("X-CSRF-Token".to_owned(), csrf.to_owned()));
    let res = if method == "GET" {
        c.get(path).await
    } else {
        c.request(
            method,
            path,
            Some("application/json"),
            body.to_string().as_bytes(),
        )
        .await
    };
    (
        res.status,
        serde_json::from_str(&res.body).unwrap_or(Value::String(res.body.clone())),
    )
}

/// Four peers of `self` (under the same manager), each with an account:
/// (person id, account id, name, email).
async fn add_peers(app: &App) -> Vec<(i64, i64, String, String)> {
    let mut out = Vec::new();
    let names = [
        "Quentin Aldous",
        "Rosalind Vey",
        "Tobias Marrow",
        "Ulrike Stane",
    ];
    let records: Vec<PersonRecord> = names
        .iter()
        .map(|n| PersonRecord {
            email: format!(
                "{}@example.com",
                n.split(' ').next().unwrap().to_lowercase()
            ),
            name: (*n).to_owned(),
            manager_email: Some("manager@example.com".to_owned()),
            department: "Platform Services".to_owned(),
            role: Role {
                family: "backend-engineer".to_owned(),
                level: "senior".to_owned(),
                specialty: Some("platform-services".to_owned()),
                grade: "7".to_owned(),
            },
            location: "Lisbon".to_owned(),
            start_date: Date::new(2021, 1, 4),
            active: true,
        })
        .collect();
    app.store
        .apply_people(
            &records,
            "2026-01-01",
            None,
            NOW,
            &support::fixture("apply_people"),
        )
        .await
        .unwrap();
    for r in records {
        let p = app.store.person_by_email(&r.email).await.unwrap().unwrap();
        let a = app
            .store
            .create_account(
                &r.email,
                &r.name,
                None,
                Roles::NONE,
                NOW,
                &support::fixture("create_account"),
            )
            .await
            .unwrap();
        out.push((p.id, a, r.name, r.email));
    }
    out
}

/// The people team releases the cycle's results: (people moved on, people
/// held back).
async fn release(app: &App, cycle: i64) -> (u64, u64) {
    let (mut c, csrf) = client_as(app, "people-team").await;
    let (status, out) = api(
        &mut c,
        &csrf,
        "POST",
        &format!("/api/v1/cycles/{cycle}/release"),
        &Value::Null,
    )
    .await;
    assert_eq!(status, 200, "{out}");
    (
        out["people"].as_u64().unwrap(),
        out["held_back"].as_u64().unwrap(),
    )
}

async fn answer(app: &App, account: i64, cycle: i64, value: i64, comment: &str) {
    let (mut c, csrf) = session(app, account).await;
    let me = app.ids["self"];
    let (status, form) = api(
        &mut c,
        &csrf,
        "GET",
        &format!("/api/v1/cycles/{cycle}/questions/{me}"),
        &Value::Null,
    )
    .await;
    assert_eq!(status, 200, "{form}");
    let first = form["questions"][0]["key"].as_str().unwrap().to_owned();
    let (status, out) = api(
        &mut c,
        &csrf,
        "POST",
        &format!("/api/v1/cycles/{cycle}/feedback/{me}"),
        &json!({"answers": [{"question": first, "value": value, "comment": comment}]}),
    )
    .await;
    assert_eq!(status, 200, "{out}");
}

fn group<'a>(results: &'a Value, name: &str) -> Option<&'a Value> {
    results["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == name)
}

#[tokio::test]
async fn respondents_are_never_identifiable_to_the_person_reviewed() {
    let app = start().await;
    let peers = add_peers(&app).await;
    let cycle = open_cycle(&app, &peers.iter().map(|p| p.0).collect::<Vec<_>>()).await;
    let me = app.ids["self"];
    let (mut mine, my_csrf) = client_as(&app, "self").await;
    let results_path = format!("/api/v1/cycles/{cycle}/results/{me}");
    let page_path = format!("/cycles/{cycle}/results/{me}");
    let comment = |i: usize| format!("distinctive remark number {i}");

    // Everything the person reviewed can reach, as one text.
    let everything = async |c: &mut Client, csrf: &str| -> String {
        let mut all = String::new();
        for path in [
            results_path.clone(),
            page_path.clone(),
            format!("/api/v1/cycles/{cycle}/nominations/{me}"),
            format!("/cycles/{cycle}/nominations/{me}"),
            format!("/cycles/{cycle}"),
            format!("/api/v1/cycles/{cycle}"),
            "/cycles".to_owned(),
            format!("/people/{me}"),
            format!("/people/{me}/worksheet"),
            "/".to_owned(),
        ] {
            let (status, body) = api(c, csrf, "GET", &path, &Value::Null).await;
            assert!(status < 400, "{path}: {status} {body}");
            all.push_str(&body.to_string());
        }
        all
    };

    // What the person sees before anyone answers: the colleagues they
    // nominated are named (they chose them); answering must add nothing.
    let before = everything(&mut mine, &my_csrf).await;

    // Nothing is computed live: answers show only once released.
    answer(&app, peers[0].1, cycle, 2, &comment(0)).await;
    answer(&app, peers[1].1, cycle, 3, &comment(1)).await;
    let (_, r) = api(&mut mine, &my_csrf, "GET", &results_path, &Value::Null).await;
    assert!(r["released_on"].is_null(), "{r}");
    assert_eq!(
        (r["groups"].clone(), r["hidden"].clone()),
        (json!([]), json!([]))
    );
    let page = mine.get(&page_path).await;
    assert!(page.body.contains("Not released yet"), "{}", page.body);
    let seen = everything(&mut mine, &my_csrf).await;
    assert!(!seen.contains(&comment(0)) && !seen.contains(&comment(1)));

    // The report answers, and a third peer.
    let (mut report, report_csrf) = client_as(&app, "direct-report").await;
    let (status, form) = api(
        &mut report,
        &report_csrf,
        "GET",
        &format!("/api/v1/cycles/{cycle}/questions/{me}"),
        &Value::Null,
    )
    .await;
    assert_eq!((status, form["relation"].as_str()), (200, Some("report")));
    let key = form["questions"][0]["key"].as_str().unwrap().to_owned();
    let (status, _) = api(
        &mut report,
        &report_csrf,
        "POST",
        &format!("/api/v1/cycles/{cycle}/feedback/{me}"),
        &json!({"answers": [{"question": key, "value": 4, "comment": "report remark"}]}),
    )
    .await;
    assert_eq!(status, 200);
    answer(&app, peers[2].1, cycle, 4, &comment(2)).await;
    assert_eq!(release(&app, cycle).await, (1, 0), "the first release");

    // Peers are shown at the threshold, and the lone report is hidden
    // rather than merged (it could be subtracted).
    let (_, r) = api(&mut mine, &my_csrf, "GET", &results_path, &Value::Null).await;
    assert_eq!(r["released_on"], json!(Date::from_unix(NOW).to_string()));
    let p = group(&r, "peers").expect("three peers reach the threshold");
    assert_eq!(p["answers"], 3);
    assert_eq!(p["attributed"], false);
    assert_eq!(p["questions"][0]["mean"], 3.0);
    assert!(group(&r, "others").is_none(), "{r}");
    assert_eq!(r["hidden"], json!(["reports"]), "hidden, without a count");
    let text = p.to_string();
    assert!(!text.contains("report remark"));
    for i in 0..3 {
        assert!(text.contains(&comment(i)));
    }
    // The page draws the groups shown, side by side, with a table; the
    // hidden report has no bar.
    let page = mine.get(&page_path).await;
    assert!(page.body.contains("id=\"comparison\""), "{}", page.body);
    assert!(page.body.contains("Peers 3.0 from 3"), "{}", page.body);
    assert!(page.body.contains("id=\"comparison-table\""));
    assert!(!page.body.contains("Reports 4.0"));

    // One above the threshold, released: the fourth peer's answer alone
    // would be the difference between two releases, so the person keeps
    // the release they had.
    answer(&app, peers[3].1, cycle, 4, &comment(3)).await;
    assert_eq!(release(&app, cycle).await, (0, 1), "held back");
    let (_, again) = api(&mut mine, &my_csrf, "GET", &results_path, &Value::Null).await;
    assert_eq!(again["groups"], r["groups"]);
    assert_eq!(again["hidden"], r["hidden"]);
    assert!(!again.to_string().contains(&comment(3)));

    // No channel names a respondent or says when they answered: every
    // name and email appears exactly as often as before anyone answered.
    let seen = everything(&mut mine, &my_csrf).await;
    for (_, _, name, email) in &peers {
        for who in [name, email] {
            assert_eq!(
                seen.matches(who.as_str()).count(),
                before.matches(who.as_str()).count(),
                "answering changed how often {who} appears to the person"
            );
        }
    }
    // The day shown is the release's; the groups carry no time at all.
    let today = Date::from_unix(NOW).to_string();
    let r_text = r["groups"].to_string() + &r["hidden"].to_string();
    assert!(
        !r_text.contains(&today) && !r_text.contains("_at") && !r_text.contains("answered_on"),
        "no times in results: {r_text}"
    );
    // The nominations the person sees say who was asked, not who answered.
    let (_, n) = api(
        &mut mine,
        &my_csrf,
        "GET",
        &format!("/api/v1/cycles/{cycle}/nominations/{me}"),
        &Value::Null,
    )
    .await;
    assert!(!n.to_string().contains("answer"), "{n}");
    // Comments come in an order that is not the order of answering.
    let order: Vec<String> = group(&r, "peers").unwrap()["questions"][0]["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    let mut by_text = order.clone();
    by_text.sort_by_key(|c| {
        use std::hash::{Hash, Hasher};
        let mut h = std::hash::DefaultHasher::new();
        me.hash(&mut h);
        c.hash(&mut h);
        h.finish()
    });
    assert_eq!(order, by_text, "ordered by a hash of the text");

    // The audit log, which the people team reads, holds no answer at all:
    // an entry would name its author by its place among theirs.
    let (mut people, people_csrf) = client_as(&app, "people-team").await;
    let log = people.get("/audit").await.body;
    assert!(!log.contains("feedback.answer"));
    for (_, _, _, email) in &peers {
        assert!(!log.contains(email.as_str()), "{email} is in the audit log");
    }
    // A backup keeps answers apart from respondents.
    let cols: Vec<&str> = ladder_store::BACKUP_TABLES
        .iter()
        .find(|(t, _)| *t == "answers")
        .unwrap()
        .1
        .iter()
        .map(|c| c.0)
        .collect();
    assert!(!cols.iter().any(|c| c.contains("respondent")), "{cols:?}");

    // Errors name no one: asking for someone else's results or form.
    let peer_id = peers[0].0;
    for path in [
        format!("/api/v1/cycles/{cycle}/results/{peer_id}"),
        format!("/api/v1/cycles/{cycle}/questions/{peer_id}"),
    ] {
        let (status, body) = api(&mut mine, &my_csrf, "GET", &path, &Value::Null).await;
        assert_eq!(status, 403, "{path}");
        assert!(!body.to_string().contains("Quentin"), "{body}");
    }
    // A second answer is refused, to the respondent only.
    let (mut again, again_csrf) = session(&app, peers[0].1).await;
    let (status, body) = api(
        &mut again,
        &again_csrf,
        "POST",
        &format!("/api/v1/cycles/{cycle}/feedback/{me}"),
        &json!({"answers": [{"question": key, "value": 1, "comment": "changed"}]}),
    )
    .await;
    assert_eq!(status, 400, "{body}");

    // Every other role is refused the results; the people team sees only
    // completion counts.
    for role in ["direct-report", "peer", "people-team", "editor", "admin"] {
        let (mut c, csrf) = client_as(&app, role).await;
        let (status, _) = api(&mut c, &csrf, "GET", &results_path, &Value::Null).await;
        assert_eq!(status, 403, "{role} read the results");
    }
    for (_, account, _, _) in &peers {
        let (mut c, csrf) = session(&app, *account).await;
        let (status, _) = api(&mut c, &csrf, "GET", &results_path, &Value::Null).await;
        assert_eq!(status, 403, "a respondent read the results");
    }
    let (status, done) = api(
        &mut people,
        &people_csrf,
        "GET",
        &format!("/api/v1/cycles/{cycle}/completion"),
        &Value::Null,
    )
    .await;
    assert_eq!(status, 200);
    let row = done
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["person"]["id"] == me)
        .unwrap();
    assert_eq!(
        (row["asked"].as_u64(), row["answered"].as_u64()),
        (Some(7), Some(5))
    );
    // The manager sees the same groups plus completion.
    let (mut boss, boss_csrf) = client_as(&app, "manager").await;
    let (status, m) = api(&mut boss, &boss_csrf, "GET", &results_path, &Value::Null).await;
    assert_eq!(status, 200);
    assert_eq!(m["groups"], r["groups"]);
    assert_eq!(m["completion"], json!({"asked": 7, "answered": 5}));
    assert!(
        r["completion"].is_null(),
        "the person gets no completion count"
    );
}

#[tokio::test]
async fn a_level_changes_only_through_an_approved_proposal_in_a_cycle() {
    let app = start().await;
    let me = app.ids["self"];
    let (mut boss, boss_csrf) = client_as(&app, "manager").await;
    let propose = json!({
        "kind": "promotion",
        "to_level": "staff",
        "case": "Leads the platform migration end to end.",
    });
    let path = format!("/api/v1/people/{me}/proposals");
    // No cycle: refused with the reason.
    let (status, body) = api(&mut boss, &boss_csrf, "POST", &path, &propose).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body.to_string()
            .contains("only inside a 360 feedback cycle"),
        "{body}"
    );
    // Nor through a people file.
    let (mut people, people_csrf) = client_as(&app, "people-team").await;
    people
        .headers
        .push(("X-CSRF-Token".to_owned(), people_csrf.clone()));
    let res = people
        .request(
            "POST",
            "/api/v1/people/import",
            Some("text/csv"),
            b"email,name,job_family,level\nself@example.com,self,backend-engineer,staff\n",
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("360 feedback cycle"), "{}", res.body);

    let cycle = open_cycle(&app, &[app.ids["peer"]]).await;
    // Readiness is not "ready": the policy asks for a reason.
    let (status, body) = api(&mut boss, &boss_csrf, "POST", &path, &propose).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.to_string().contains("override_reason"), "{body}");
    // Only the direct manager proposes.
    for role in ["self", "skip-level", "peer", "people-team", "admin"] {
        let (mut c, csrf) = client_as(&app, role).await;
        let (status, _) = api(&mut c, &csrf, "POST", &path, &propose).await;
        assert_eq!(status, 403, "{role} proposed");
    }
    let mut with_reason = propose.clone();
    with_reason["override_reason"] = json!("The worksheet lags; the migration is the evidence.");
    let (status, p) = api(&mut boss, &boss_csrf, "POST", &path, &with_reason).await;
    assert_eq!(status, 200, "{p}");
    let id = p["id"].as_i64().unwrap();
    assert_eq!(p["waiting_for"], "skip_level");
    assert_eq!(p["policy_overridden"], true);
    assert!(
        p["evidence"]["gaps"]
            .as_array()
            .is_some_and(|g| !g.is_empty())
    );
    // A second while one is pending: conflict.
    let (status, _) = api(&mut boss, &boss_csrf, "POST", &path, &with_reason).await;
    assert_eq!(status, 409);
    // The person does not see the proposal.
    let (mut mine, my_csrf) = client_as(&app, "self").await;
    let (status, _) = api(
        &mut mine,
        &my_csrf,
        "GET",
        &format!("/api/v1/proposals/{id}"),
        &Value::Null,
    )
    .await;
    assert_eq!(status, 403);
    // The chain, in order: the people team cannot go first.
    let decide = format!("/api/v1/proposals/{id}/decisions");
    let yes = json!({"approve": true, "comment": "Agreed."});
    let (status, _) = api(&mut people, &people_csrf, "POST", &decide, &yes).await;
    assert_eq!(status, 403);
    let (mut skip, skip_csrf) = client_as(&app, "skip-level").await;
    let (status, p) = api(&mut skip, &skip_csrf, "POST", &decide, &yes).await;
    assert_eq!(
        (status, p["waiting_for"].as_str()),
        (200, Some("people_team"))
    );
    let (status, _) = api(&mut skip, &skip_csrf, "POST", &decide, &yes).await;
    assert_eq!(status, 403, "the skip-level decided twice");
    let person = app.store.person(me).await.unwrap().unwrap();
    assert_eq!(
        person.record.role.level, "senior",
        "not before the last approval"
    );
    let (status, p) = api(&mut people, &people_csrf, "POST", &decide, &yes).await;
    assert_eq!((status, p["state"].as_str()), (200, Some("approved")));
    assert_eq!(p["steps"].as_array().unwrap().len(), 2);
    // The new level, with its history entry, effective today.
    let (_, me_now) = api(
        &mut mine,
        &my_csrf,
        "GET",
        &format!("/api/v1/people/{me}"),
        &Value::Null,
    )
    .await;
    assert_eq!(me_now["level"], "staff");
    let history = app.store.role_history(me).await.unwrap();
    let last = history.last().unwrap();
    assert_eq!(last.role.level, "staff");
    assert_eq!(last.effective, Date::from_unix(NOW).to_string());
    assert_eq!(last.reason, format!("promotion (proposal #{id})"));

    // Calibration: the people team and the department's leader only.
    let cal = format!("/api/v1/cycles/{cycle}/calibration/Platform%20Services");
    for (role, want) in [
        ("people-team", 200),
        ("skip-level", 200),
        ("manager", 403),
        ("self", 403),
        ("peer", 403),
        ("admin", 403),
    ] {
        let (mut c, csrf) = client_as(&app, role).await;
        let (status, _) = api(&mut c, &csrf, "GET", &cal, &Value::Null).await;
        assert_eq!(status, want, "{role}");
    }
    let (_, c) = api(&mut people, &people_csrf, "GET", &cal, &Value::Null).await;
    assert_eq!(c["proposals"][0]["state"], "approved");
    // Its readiness a page at a time, in the order of the people's ids.
    let all = c["readiness"].as_array().unwrap().clone();
    assert!(all.len() >= 2, "{c}");
    let mut seen = Vec::new();
    let mut next = format!("{cal}?limit=1");
    loop {
        let (status, page) = api(&mut people, &people_csrf, "GET", &next, &Value::Null).await;
        assert_eq!(status, 200, "{page}");
        let rows = page["readiness"].as_array().unwrap();
        assert_eq!(rows.len(), 1, "{page}");
        seen.push(rows[0]["person_id"].as_i64().unwrap());
        match page["next_cursor"].as_str() {
            Some(cursor) => next = format!("{cal}?limit=1&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), all.len());
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
    let (status, _) = api(
        &mut people,
        &people_csrf,
        "GET",
        &format!("{cal}?limit=0"),
        &Value::Null,
    )
    .await;
    assert_eq!(status, 400);
    let page = people
        .get(&format!("/cycles/{cycle}/calibration/Platform%20Services"))
        .await;
    assert!(page.body.contains("role=\"img\""), "a chart");
    // The readiness table filters, sorts and pages on the server.
    assert!(
        page.body.contains("id=\"readiness-count\""),
        "{}",
        page.body
    );
    let none = people
        .get(&format!(
            "/cycles/{cycle}/calibration/Platform%20Services?q=nobody-by-this-name"
        ))
        .await;
    assert!(none.body.contains("No rows match."), "{}", none.body);
    // Locked: no new proposals in that department.
    let (status, _) = api(
        &mut people,
        &people_csrf,
        "POST",
        &format!("{cal}/lock"),
        &Value::Null,
    )
    .await;
    assert_eq!(status, 200);
    let peer_path = format!("/api/v1/people/{}/proposals", app.ids["peer"]);
    let (status, body) = api(&mut boss, &boss_csrf, "POST", &peer_path, &with_reason).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.to_string().contains("locked"), "{body}");
    // Closed: nothing moves.
    let (status, c) = api(
        &mut people,
        &people_csrf,
        "POST",
        &format!("/api/v1/cycles/{cycle}/advance"),
        &json!({"from": "feedback", "reason": "Calibration is done"}),
    )
    .await;
    assert_eq!((status, c["state"].as_str()), (200, Some("closed")), "{c}");
    let (status, body) = api(
        &mut people,
        &people_csrf,
        "POST",
        &format!("/api/v1/cycles/{cycle}/advance"),
        &json!({"from": "closed"}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn a_cycle_runs_through_the_web_forms() {
    let app = start().await;
    let peers = add_peers(&app).await;
    let (mut people, csrf) = client_as(&app, "people-team").await;
    // A bad plan names the field.
    let res = people
        .post_form(
            "/cycles",
            &[
                ("csrf", &csrf),
                ("name", "Spring"),
                ("nominations_open", "2027-03-01"),
                ("nominations_close", "2027-02-01"),
                ("feedback_open", "2027-03-10"),
                ("feedback_close", "2027-04-10"),
            ],
        )
        .await;
    assert_eq!(res.status, 400);
    // Said in words beside the field it is about, and summed up on top.
    let beside = res
        .body
        .split("id=\"nominations_close-error\">")
        .nth(1)
        .unwrap_or_else(|| panic!("no message beside the field: {}", res.body));
    assert!(beside.starts_with("20"), "{beside}");
    assert!(
        !res.body.contains("nominations_close: "),
        "no field names in the words"
    );
    assert!(res.body.contains("Check the field marked below"));
    for kept in [
        "value=\"Spring\"",
        "value=\"2027-03-01\"",
        "value=\"2027-02-01\"",
        "value=\"2027-04-10\"",
    ] {
        assert!(res.body.contains(kept), "lost {kept}: {}", res.body);
    }
    let res = people
        .post_form(
            "/cycles",
            &[
                ("csrf", &csrf),
                ("name", "Spring"),
                ("nominations_open", "2027-03-01"),
                ("nominations_close", "2027-03-08"),
                ("feedback_open", "2027-03-10"),
                ("feedback_close", "2027-04-10"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let at = res.header("location").unwrap().to_owned();
    let cycle: i64 = at.rsplit('/').next().unwrap().parse().unwrap();
    // A stale move (a second click) is refused, keeping the reason typed;
    // a move before the cycle's dates needs a reason; the right one moves
    // on.
    let why = "Starting with the all-hands";
    let res = people
        .post_form(
            &format!("{at}/advance"),
            &[("csrf", &csrf), ("from", "feedback"), ("reason", why)],
        )
        .await;
    assert!(res.body.contains("not `feedback`"), "{}", res.body);
    assert!(
        res.body.contains(&format!("value=\"{why}\"")),
        "{}",
        res.body
    );
    let res = people
        .post_form(
            &format!("{at}/advance"),
            &[("csrf", &csrf), ("from", "draft")],
        )
        .await;
    assert!(
        res.body
            .contains("The cycle moves to nominations by itself on 2027-03-01"),
        "{}",
        res.body
    );
    let res = people
        .post_form(
            &format!("{at}/advance"),
            &[("csrf", &csrf), ("from", "draft"), ("reason", why)],
        )
        .await;
    assert_eq!(res.status, 303);
    // The person nominates: too few is refused with the bounds.
    let me = app.ids["self"];
    let (mut mine, my_csrf) = client_as(&app, "self").await;
    let nom = format!("/cycles/{cycle}/nominations/{me}");
    let one = peers[0].0.to_string();
    let res = mine
        .post_form(&nom, &[("csrf", &my_csrf), ("peer", &one)])
        .await;
    assert!(res.body.contains("choose between 3 and 6"), "{}", res.body);
    let ids: Vec<String> = peers.iter().take(3).map(|p| p.0.to_string()).collect();
    let mut fields = vec![("csrf", my_csrf.as_str())];
    fields.extend(ids.iter().map(|i| ("peer", i.as_str())));
    assert_eq!(mine.post_form(&nom, &fields).await.status, 303);
    // The manager approves; the person can no longer change it.
    let (mut boss, boss_csrf) = client_as(&app, "manager").await;
    let mut fields = vec![("csrf", boss_csrf.as_str())];
    fields.extend(ids.iter().map(|i| ("peer", i.as_str())));
    assert_eq!(boss.post_form(&nom, &fields).await.status, 303);
    assert!(mine.get(&nom).await.body.contains("approved"));
    // Feedback opens: everyone else gets the automatic list.
    let res = people
        .post_form(
            &format!("{at}/advance"),
            &[("csrf", &csrf), ("from", "nominations"), ("reason", why)],
        )
        .await;
    assert_eq!(res.status, 303);
    let lists = app.store.nomination_lists(cycle).await.unwrap();
    assert!(lists.len() > 5 && lists.iter().all(|l| l.approved_at.is_some()));
    // A peer answers through the form.
    let (mut peer, peer_csrf) = session(&app, peers[0].1).await;
    let form = peer.get(&format!("/cycles/{cycle}/feedback/{me}")).await;
    assert_eq!(form.status, 200);
    let key = form
        .body
        .split("name=\"value-")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let res = peer
        .post_form(
            &format!("/cycles/{cycle}/feedback/{me}"),
            &[
                ("csrf", &peer_csrf),
                (&format!("value-{key}"), "9"),
                (&format!("comment-{key}"), "x"),
            ],
        )
        .await;
    assert!(res.body.contains("not on the scale"), "{}", res.body);
    let res = peer
        .post_form(
            &format!("/cycles/{cycle}/feedback/{me}"),
            &[
                ("csrf", &peer_csrf),
                (&format!("value-{key}"), "3"),
                (&format!("comment-{key}"), "Clear design notes."),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    // Reminders list who still owes, for the people team: Quentin owes his
    // self-review and his answer on his manager; Rosalind those and her
    // answer on `self`.
    let owed = people.get(&format!("/cycles/{cycle}/reminders")).await.body;
    assert!(owed.contains("Rosalind Vey"), "{owed}");
    people
        .headers
        .push(("X-CSRF-Token".to_owned(), csrf.clone()));
    let list: Value = serde_json::from_str(
        &people
            .get(&format!("/api/v1/cycles/{cycle}/reminders"))
            .await
            .body,
    )
    .unwrap();
    let owes = |email: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|r| r["person"]["email"] == email)
            .map(|r| r["owed"].as_u64().unwrap())
    };
    assert_eq!(owes("quentin@example.com"), Some(2));
    assert_eq!(owes("rosalind@example.com"), Some(3));
}

#[tokio::test]
async fn a_reviewed_member_of_the_people_team_cannot_watch_their_respondents() {
    let app = start().await;
    let cycle = open_cycle(&app, &[app.ids["peer"]]).await;
    // `self` joins the people team while being reviewed.
    let team = Roles {
        people_team: true,
        ..Roles::NONE
    };
    app.store
        .set_roles(app.accounts["self"], team, &support::fixture("set_roles"))
        .await
        .unwrap();
    let (mut mine, csrf) = client_as(&app, "self").await;
    let (status, owed) = api(
        &mut mine,
        &csrf,
        "GET",
        &format!("/api/v1/cycles/{cycle}/reminders"),
        &Value::Null,
    )
    .await;
    assert_eq!(status, 200);
    let emails: Vec<&str> = owed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["person"]["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["self@example.com"], "only their own self-review");
    let (_, done) = api(
        &mut mine,
        &csrf,
        "GET",
        &format!("/api/v1/cycles/{cycle}/completion"),
        &Value::Null,
    )
    .await;
    assert!(
        !done.to_string().contains("self@example.com"),
        "no completion row of their own: {done}"
    );
    // Someone else in the people team sees everything.
    let (mut people, people_csrf) = client_as(&app, "people-team").await;
    let (_, owed) = api(
        &mut people,
        &people_csrf,
        "GET",
        &format!("/api/v1/cycles/{cycle}/reminders"),
        &Value::Null,
    )
    .await;
    assert_eq!(owed.as_array().unwrap().len(), 4);
}

/// Calibration as pictures: the 9-box places each person once by their
/// manager's ratings (performance across, readiness up), lists those
/// without data apart, counts people per level, and a closed cycle's
/// calibration reads as a record with nothing to lock.
#[tokio::test]
async fn calibration_places_people_on_a_nine_box_and_a_closed_cycle_is_a_record() {
    let app = start().await;
    let (cycle, proposal) = feedback_fixture(&app).await;
    let me = app.ids["self"];
    let loaded = app.state.framework();
    let person = app.store.person(me).await.unwrap().unwrap();
    let ws = ladder_growth::worksheet::worksheet(
        &loaded.framework,
        &person.record.role.family,
        &person.record.role.level,
        person.record.role.specialty.as_deref(),
    )
    .unwrap();
    let top = loaded
        .framework
        .config
        .rating_scale
        .iter()
        .map(|p| p.value)
        .max()
        .unwrap()
        .to_string();
    // The manager rates every row, current and next level, at the top.
    let (mut boss, boss_csrf) = client_as(&app, "manager").await;
    for row in &ws.rows {
        let r = boss
            .post_form(
                &format!("/people/{me}/worksheet"),
                &[
                    ("csrf", &boss_csrf),
                    ("statement", &row.id),
                    ("value", &top),
                    ("evidence", ""),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let (mut people, people_csrf) = client_as(&app, "people-team").await;
    let page = format!("/cycles/{cycle}/calibration/Platform%20Services");
    let open = people.get(&page).await;
    assert_eq!(open.status, 200);
    assert!(
        open.body.contains("readiness high, performance high: self"),
        "{}",
        open.body
    );
    assert!(open.body.contains("open for proposals"));
    assert!(open.body.contains("Lock this calibration"));
    // Those without data are listed apart, not placed at zero.
    let apart = open.body.split("id=\"unplaced\"").nth(1).unwrap();
    assert!(
        apart.contains("peer") && apart.contains("no manager ratings yet"),
        "{apart}"
    );
    assert!(open.body.contains("People at each level"));
    assert!(open.body.contains("counts ratings, not people"));
    // Closed (the pending proposal rejected first): a record.
    let (mut skip, skip_csrf) = client_as(&app, "skip-level").await;
    let r = api_call(
        &mut skip,
        &skip_csrf,
        &format!("/api/v1/proposals/{proposal}/decisions"),
        &json!({"approve": false, "comment": "Not this cycle."}),
    )
    .await;
    assert_eq!(r, 200);
    let r = api_call(
        &mut people,
        &people_csrf,
        &format!("/api/v1/cycles/{cycle}/advance"),
        &json!({"from": "feedback", "reason": "Calibration is done"}),
    )
    .await;
    assert_eq!(r, 200);
    let closed = people.get(&page).await;
    assert!(
        closed.body.contains("closed: a record, read-only"),
        "{}",
        closed.body
    );
    assert!(!closed.body.contains("Lock this calibration"));
}

async fn api_call(c: &mut Client, csrf: &str, path: &str, body: &Value) -> u16 {
    c.headers.push(("X-CSRF-Token".to_owned(), csrf.to_owned()));
    let r = c
        .request(
            "POST",
            path,
            Some("application/json"),
            body.to_string().as_bytes(),
        )
        .await;
    c.headers.pop();
    r.status
}

/// The counts a results view is made of, per group: how many answered,
/// and per question how many rated (0 when too few to show) and how many
/// comments.
fn counts(view: &Value) -> std::collections::BTreeMap<String, usize> {
    let mut out = std::collections::BTreeMap::new();
    for g in view["groups"].as_array().into_iter().flatten() {
        if g["attributed"] == true {
            continue;
        }
        let name = g["group"].as_str().unwrap();
        out.insert(name.to_owned(), g["answers"].as_u64().unwrap() as usize);
        for q in g["questions"].as_array().unwrap() {
            let key = q["key"].as_str().unwrap();
            let rated = q["rated_by"].as_u64().unwrap_or(0) as usize;
            out.insert(format!("{name} rated {key}"), rated);
            let comments = q["comments"].as_array().unwrap().len();
            out.insert(format!("{name} comments {key}"), comments);
        }
    }
    out
}

/// The places where two views differ by more than nothing and fewer than
/// the threshold in a group both show: what comparing them would isolate.
/// (A group shown in one view only is a group of at least the threshold.)
fn small_differences(a: &Value, b: &Value, threshold: usize) -> Vec<String> {
    let (ca, cb) = (counts(a), counts(b));
    let both = |key: &String| {
        let group = key.split(' ').next().unwrap_or("").to_owned();
        ca.contains_key(&group) && cb.contains_key(&group)
    };
    let mut out = Vec::new();
    for key in ca.keys().chain(cb.keys()).filter(|k| both(k)) {
        let (x, y) = (
            ca.get(key).copied().unwrap_or(0),
            cb.get(key).copied().unwrap_or(0),
        );
        let d = x.abs_diff(y);
        if d > 0 && d < threshold && !out.iter().any(|o: &String| o.starts_with(key.as_str())) {
            out.push(format!("{key}: {x} against {y}"));
        }
    }
    out
}

#[test]
fn the_difference_check_sees_one_answer() {
    let view = |peers: u64, rated: u64| {
        json!({"groups": [{"group": "peers", "attributed": false, "answers": peers,
            "questions": [{"key": "q", "rated_by": rated, "comments": []}]}]})
    };
    assert_eq!(
        small_differences(&view(3, 3), &view(3, 3), 3),
        Vec::<String>::new()
    );
    assert_eq!(
        small_differences(&view(3, 3), &view(6, 6), 3),
        Vec::<String>::new()
    );
    assert_eq!(small_differences(&view(3, 3), &view(4, 4), 3).len(), 2);
    // The same respondents, one fewer rating: a "can't say" moved.
    assert_eq!(small_differences(&view(4, 3), &view(4, 4), 3).len(), 1);
}

/// Item 1 of the privacy probe, replayed: answers arrive one at a time,
/// the people team releases after every one of them, and the cycle
/// closes. Across relation groups (peers merged with a report, then
/// apart), across questions, with "can't say", and with managers
/// watching completion move by one, no two views the person or their
/// chain can reach differ by fewer answers than the threshold anywhere.
#[tokio::test]
async fn released_results_cannot_be_differenced_over_time() {
    let app = start().await;
    let peers = add_peers(&app).await;
    let cycle = open_cycle(&app, &peers.iter().map(|p| p.0).collect::<Vec<_>>()).await;
    let me = app.ids["self"];
    let results_path = format!("/api/v1/cycles/{cycle}/results/{me}");
    let mut viewers = Vec::new();
    for role in ["self", "manager", "skip-level"] {
        viewers.push((role, client_as(&app, role).await));
    }

    // Who answers, in order, and how: (value, comment) for the first two
    // questions; `None` is "can't say".
    type Given = [(Option<i64>, &'static str); 2];
    let peer = |i: usize| peers[i].1;
    let order: Vec<(i64, Given)> = vec![
        (
            peer(0),
            [
                (Some(1), "only one colleague says this"),
                (None, "cannot judge"),
            ],
        ),
        (peer(1), [(Some(4), ""), (Some(3), "")]),
        (
            app.accounts["direct-report"],
            [(Some(4), "from below"), (Some(3), "")],
        ),
        (peer(2), [(Some(4), ""), (None, "")]),
        (
            app.accounts["self"],
            [(Some(3), "my own view"), (Some(3), "")],
        ),
        (app.accounts["manager"], [(Some(2), ""), (Some(4), "")]),
        (peer(3), [(Some(4), "late and kind"), (Some(2), "")]),
    ];
    let mut views: Vec<(String, Value)> = Vec::new();
    let mut held = 0;
    let mut completions = Vec::new();
    for (step, (account, given)) in order.iter().enumerate() {
        let (mut c, csrf) = session(&app, *account).await;
        let (status, form) = api(
            &mut c,
            &csrf,
            "GET",
            &format!("/api/v1/cycles/{cycle}/questions/{me}"),
            &Value::Null,
        )
        .await;
        assert_eq!(status, 200, "{form}");
        let answers: Vec<Value> = form["questions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|q| q["rated"] == true)
            .zip(given.iter())
            .filter(|(_, (v, c))| v.is_some() || !c.is_empty())
            .map(|(q, (v, c))| json!({"question": q["key"], "value": v, "comment": c}))
            .collect();
        let (status, out) = api(
            &mut c,
            &csrf,
            "POST",
            &format!("/api/v1/cycles/{cycle}/feedback/{me}"),
            &json!({ "answers": answers }),
        )
        .await;
        assert_eq!(status, 200, "{out}");
        held += release(&app, cycle).await.1;
        for (role, (c, csrf)) in &mut viewers {
            let (status, r) = api(c, csrf, "GET", &results_path, &Value::Null).await;
            assert_eq!(status, 200, "{role}: {r}");
            if *role == "manager" {
                completions.push(r["completion"]["answered"].as_u64().unwrap());
            }
            views.push((format!("{role} after answer {}", step + 1), r));
        }
    }
    // The cycle closes, early, with its last release.
    let (mut people, people_csrf) = client_as(&app, "people-team").await;
    let (status, out) = api(
        &mut people,
        &people_csrf,
        "POST",
        &format!("/api/v1/cycles/{cycle}/advance"),
        &json!({"from": "feedback", "reason": "everyone answered"}),
    )
    .await;
    assert_eq!(status, 200, "{out}");
    for (role, (c, csrf)) in &mut viewers {
        let (_, r) = api(c, csrf, "GET", &results_path, &Value::Null).await;
        views.push((format!("{role} after the close"), r));
    }

    // The probe's attack: two peers and a report merged as "others"; one
    // more peer would split them into "peers" (3) and a hidden report, and
    // "others" minus "peers" would give the report's and the new peer's
    // ratings one by one. The release after that peer is the one before.
    let groups_after = |step: usize| {
        let name = format!("self after answer {step}");
        views.iter().find(|v| v.0 == name).unwrap().1["groups"].clone()
    };
    assert_eq!(groups_after(3)[0]["group"], "others", "{}", groups_after(3));
    assert_eq!(groups_after(4), groups_after(3));
    // Managers watched completion move one answer at a time.
    assert_eq!(completions, (1..=7).collect::<Vec<u64>>());
    // The releases showed something, and held some people back.
    let last = &views.last().unwrap().1;
    assert!(!counts(last).is_empty(), "something was released: {last}");
    assert!(held > 0, "some release was held back");
    for (i, (name_a, a)) in views.iter().enumerate() {
        for (name_b, b) in views.iter().skip(i + 1) {
            let small = small_differences(a, b, 3);
            assert!(
                small.is_empty(),
                "{name_a} and {name_b} differ by fewer than 3 answers: {small:?}\n{a}\n{b}"
            );
        }
    }
    // The single peer's low rating and comment never stand alone: they
    // show only inside a group of at least three.
    for (name, v) in &views {
        for g in v["groups"].as_array().into_iter().flatten() {
            if g.to_string().contains("only one colleague") {
                assert!(g["answers"].as_u64().unwrap() >= 3, "{name}: {g}");
            }
        }
    }
}
