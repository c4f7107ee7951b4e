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

    // Two peers: one below the threshold. Nothing of theirs shows.
    answer(&app, peers[0].1, cycle, 2, &comment(0)).await;
    answer(&app, peers[1].1, cycle, 3, &comment(1)).await;
    let (_, r) = api(&mut mine, &my_csrf, "GET", &results_path, &Value::Null).await;
    assert!(group(&r, "peers").is_none(), "{r}");
    assert_eq!(r["hidden"], json!(["peers"]), "hidden, without a count");
    let seen = everything(&mut mine, &my_csrf).await;
    assert!(!seen.contains(&comment(0)) && !seen.contains(&comment(1)));

    // The report's single answer makes a merged group of three.
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
    let (_, r) = api(&mut mine, &my_csrf, "GET", &results_path, &Value::Null).await;
    let others = group(&r, "others").expect("peers and reports together reach 3");
    assert_eq!(others["answers"], 3);
    assert_eq!(others["attributed"], false);
    assert!(group(&r, "peers").is_none() && group(&r, "reports").is_none());

    // A third peer: peers are shown at the threshold, and the lone report
    // is hidden rather than merged (it could be subtracted).
    answer(&app, peers[2].1, cycle, 4, &comment(2)).await;
    let (_, r) = api(&mut mine, &my_csrf, "GET", &results_path, &Value::Null).await;
    let p = group(&r, "peers").expect("three peers reach the threshold");
    assert_eq!(p["answers"], 3);
    assert_eq!(p["questions"][0]["mean"], 3.0);
    assert!(group(&r, "others").is_none(), "{r}");
    assert_eq!(r["hidden"], json!(["reports"]));
    let text = p.to_string();
    assert!(!text.contains("report remark"));
    for i in 0..3 {
        assert!(text.contains(&comment(i)));
    }
    // The page draws the groups shown, side by side, with a table; the
    // hidden report has no bar.
    let page = mine.get(&format!("/cycles/{cycle}/results/{me}")).await;
    assert!(page.body.contains("id=\"comparison\""), "{}", page.body);
    assert!(page.body.contains("Peers 3.0 from 3"), "{}", page.body);
    assert!(page.body.contains("id=\"comparison-table\""));
    assert!(!page.body.contains("Reports 4.0"));

    // One above the threshold.
    answer(&app, peers[3].1, cycle, 4, &comment(3)).await;
    let (_, r) = api(&mut mine, &my_csrf, "GET", &results_path, &Value::Null).await;
    assert_eq!(group(&r, "peers").unwrap()["answers"], 4);

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
    let today = Date::from_unix(NOW).to_string();
    let r_text = r.to_string();
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
    let page = people
        .get(&format!("/cycles/{cycle}/calibration/Platform%20Services"))
        .await;
    assert!(page.body.contains("role=\"img\""), "a chart");
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
