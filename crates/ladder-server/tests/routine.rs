#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The routine: the inbox of what needs each person.

mod support;

use support::*;

/// Creates a cycle through the API (as `team`, the people team): its name
/// and its four dates, nominations open and close, feedback open and close.
async fn new_cycle(team: &mut Client, name: &str, d: [&str; 4]) -> Response {
    post_json(
        team,
        "/api/v1/cycles",
        &serde_json::json!({
            "name": name,
            "nominations_open": d[0],
            "nominations_close": d[1],
            "feedback_open": d[2],
            "feedback_close": d[3],
        }),
    )
    .await
}

/// (kind, title, due, overdue, link) of each task, in order.
async fn tasks(app: &App, role: &str) -> Vec<(String, String, String, bool, String)> {
    let mut c = api_as(app, role).await;
    let r = c.get("/api/v1/me/tasks").await;
    assert_eq!(r.status, 200, "{}", r.body);
    json(&r)
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["kind"].as_str().unwrap().to_owned(),
                t["title"].as_str().unwrap().to_owned(),
                t["due"].as_str().unwrap_or("").to_owned(),
                t["overdue"].as_bool().unwrap(),
                t["link"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn titles(t: &[(String, String, String, bool, String)]) -> Vec<&str> {
    t.iter().map(|t| t.1.as_str()).collect()
}

#[tokio::test]
async fn each_person_sees_what_needs_them_and_it_goes_when_done() {
    let app = start().await;
    let (cycle, proposal) = feedback_fixture(&app).await;
    let (_, internship) = internship_fixture(&app).await;
    let (_, candidate) = hiring_fixture(&app).await;
    let (me, manager, report) = (
        app.ids["self"],
        app.ids["manager"],
        app.ids["direct-report"],
    );

    // 2026-11-21: well into Q4 with no checkpoint opened; the cycle takes
    // answers until 2026-12-11.
    let mine = tasks(&app, "self").await;
    let open = mine
        .iter()
        .find(|t| t.1 == "Open your 2026-Q4 checkpoint")
        .unwrap();
    assert_eq!(
        (open.0.as_str(), open.2.as_str(), open.3),
        ("open_checkpoint", "2026-10-21", true)
    );
    assert!(
        mine.iter().map(|t| !t.3).is_sorted(),
        "overdue first: {mine:?}"
    );
    assert!(mine.iter().any(|t| t.0 == "open_checkpoint"
        && t.1 == "Open report's 2026-Q4 checkpoint"
        && t.4 == format!("/people/{report}/checkpoints/new")));
    let review = mine.iter().find(|t| t.0 == "answer_feedback").unwrap();
    assert_eq!(
        (review.1.as_str(), review.2.as_str(), review.4.clone()),
        (
            "Write your self-review",
            "2026-12-11",
            format!("/cycles/{cycle}/feedback/{me}")
        )
    );
    assert!(
        !mine.iter().any(|t| t.0 == "approve_proposal"),
        "nobody decides their own level change: {mine:?}"
    );

    let theirs = tasks(&app, "manager").await;
    let t = titles(&theirs);
    assert!(t.contains(&"Give feedback to self"), "{t:?}");
    assert!(t.contains(&"Open self's 2026-Q4 checkpoint"), "{t:?}");
    assert!(t.contains(&"Open peer's 2026-Q4 checkpoint"), "{t:?}");
    assert!(
        t.contains(&"Decide on self's internship with Data"),
        "{t:?}"
    );
    assert!(
        t.contains(&"Score Casey Candidate for Senior backend engineer"),
        "{t:?}"
    );
    assert!(
        !t.iter().any(|x| x.contains("level change")),
        "the proposer is not its approver: {t:?}"
    );
    let skip = tasks(&app, "skip-level").await;
    assert!(
        skip.iter().any(|t| t.0 == "approve_proposal"
            && t.1 == "Decide on self's level change"
            && t.4 == format!("/proposals/{proposal}")),
        "{skip:?}"
    );
    let peer = tasks(&app, "peer").await;
    assert!(
        peer.iter()
            .any(|t| t.0 == "score_candidate" && t.4 == format!("/candidates/{candidate}")),
        "{peer:?}"
    );
    let team = tasks(&app, "people-team").await;
    assert!(
        team.iter()
            .any(|t| t.0 == "cycle_progress" && t.1 == "Autumn 2026: feedback open"),
        "{team:?}"
    );
    assert!(tasks(&app, "admin").await.is_empty(), "no person, no work");

    // The home page lists the same tasks first, each linked.
    let (mut page, _) = client_as(&app, "manager").await;
    let home = page.get("/").await.body;
    let main = home.split("<main id=\"main\">").nth(1).unwrap();
    let after_h1 = main
        .trim_start()
        .strip_prefix("<h1>What needs you</h1>")
        .unwrap_or_else(|| panic!("the page starts with the inbox: {main}"));
    assert!(
        after_h1.trim_start().starts_with("<ol class=\"tasks\">"),
        "nothing above the tasks: {main}"
    );
    assert!(
        main.contains(&format!("href=\"/internships/{internship}\"")),
        "{main}"
    );

    // Doing the work removes the task: the manager decides the internship
    // and answers about self; self opens their checkpoint.
    let mut m = api_as(&app, "manager").await;
    let r = post_json(
        &mut m,
        &format!("/api/v1/internships/{internship}/decisions"),
        &serde_json::json!({"approve": true}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let questions = json(
        &m.get(&format!("/api/v1/cycles/{cycle}/questions/{me}"))
            .await,
    );
    let first = questions["questions"][0]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let answers = serde_json::json!([{"question": first, "comment": "fine"}]);
    let r = post_json(
        &mut m,
        &format!("/api/v1/cycles/{cycle}/feedback/{me}"),
        &serde_json::json!({"answers": answers}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let after = tasks(&app, "manager").await;
    let t = titles(&after);
    assert!(!t.iter().any(|x| x.contains("internship")), "{t:?}");
    assert!(!t.contains(&"Give feedback to self"), "{t:?}");
    assert!(t.contains(&"Open self's 2026-Q4 checkpoint"), "{t:?}");

    let ws = json(
        &api_as(&app, "self")
            .await
            .get(&format!("/api/v1/people/{me}/worksheet"))
            .await,
    );
    let areas: Vec<serde_json::Value> = ws["rows"]
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .map(|r| serde_json::json!({"ref": r["id"], "goals": "g", "targets": "t"}))
        .collect();
    let mut s = api_as(&app, "self").await;
    let r = post_json(
        &mut s,
        &format!("/api/v1/people/{me}/checkpoints"),
        &serde_json::json!({"areas": areas}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let mine = tasks(&app, "self").await;
    assert!(
        !mine.iter().any(|t| t.1 == "Open your 2026-Q4 checkpoint"),
        "{mine:?}"
    );
    assert!(
        !tasks(&app, "manager")
            .await
            .iter()
            .any(|t| t.1 == "Open self's 2026-Q4 checkpoint"),
        "the manager's copy of the task goes too"
    );

    // Two weeks before the quarter ends, the open checkpoint asks for its
    // summary; once the quarter is over it is overdue.
    app.clock.advance(26 * 86_400); // 2026-12-17
    assert!(
        !tasks(&app, "self")
            .await
            .iter()
            .any(|t| t.0 == "close_checkpoint"),
        "not yet"
    );
    app.clock.advance(86_400); // 2026-12-18
    let close = tasks(&app, "self").await;
    let c = close.iter().find(|t| t.0 == "close_checkpoint").unwrap();
    assert_eq!(
        (c.1.as_str(), c.2.as_str(), c.3),
        ("Close your 2026-Q4 checkpoint", "2026-12-31", false)
    );
    app.clock.advance(23 * 86_400); // 2027-01-10
    let late = tasks(&app, "self").await;
    assert!(
        late.iter()
            .any(|t| t.0 == "close_checkpoint" && t.3 && t.1.contains("2026-Q4")),
        "{late:?}"
    );
    assert!(
        late.iter()
            .any(|t| t.1 == "Open your 2027-Q1 checkpoint" && !t.3),
        "a new quarter, a new checkpoint to open: {late:?}"
    );
    let _ = manager;
}

#[tokio::test]
async fn one_on_ones_action_items_and_differing_ratings_show_for_the_pair() {
    let app = start().await;
    let (me, report) = (app.ids["self"], app.ids["direct-report"]);
    let mut c = api_as(&app, "self").await;
    let r = post_json(
        &mut c,
        &format!("/api/v1/one-on-ones/{me}/{report}/meetings"),
        &serde_json::json!({"date": "2026-11-24"}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let meeting = json(&r)["id"].as_i64().unwrap();
    let r = post_json(
        &mut c,
        &format!("/api/v1/meetings/{meeting}/actions"),
        &serde_json::json!({"text": "Write the design doc", "owner": report}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let theirs = tasks(&app, "direct-report").await;
    let one = theirs.iter().find(|t| t.0 == "one_on_one").unwrap();
    assert_eq!(
        (one.1.as_str(), one.2.as_str(), one.4.clone()),
        (
            "1:1 with self",
            "2026-11-24",
            format!("/meetings/{meeting}")
        )
    );
    assert!(
        theirs.iter().any(|t| t.0 == "action_item"
            && t.1 == "Action item from your 1:1 with self"
            && t.4 == format!("/meetings/{meeting}#actions")),
        "{theirs:?}"
    );
    assert!(
        !tasks(&app, "self")
            .await
            .iter()
            .any(|t| t.0 == "action_item"),
        "the owner's task, not the other's"
    );
    assert!(
        !tasks(&app, "manager")
            .await
            .iter()
            .any(|t| t.0 == "one_on_one" && t.1.contains("report")),
        "a skip-level is not in the pair"
    );

    // Self rates 3, their manager 2: the manager is asked to talk it
    // through; the task never carries the values.
    let ws = json(&c.get(&format!("/api/v1/people/{me}/worksheet")).await);
    let statement = ws["rows"][0]["id"].as_str().unwrap().to_owned();
    let rate = |value| serde_json::json!({"statement": statement, "value": value});
    let r = post_json(&mut c, &format!("/api/v1/people/{me}/ratings"), &rate(3)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let mut m = api_as(&app, "manager").await;
    let r = post_json(&mut m, &format!("/api/v1/people/{me}/ratings"), &rate(2)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let body = m.get("/api/v1/me/tasks").await.body;
    let t = json(&Response {
        status: 200,
        headers: Vec::new(),
        body: body.clone(),
        raw: body.clone().into_bytes(),
    });
    let differ = t
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == "ratings_differ")
        .unwrap_or_else(|| panic!("{body}"));
    assert_eq!(differ["title"], "Talk through self's worksheet");
    assert_eq!(
        differ["detail"],
        "1 statement where your rating and theirs differ"
    );
    let r = post_json(&mut m, &format!("/api/v1/people/{me}/ratings"), &rate(3)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        !tasks(&app, "manager")
            .await
            .iter()
            .any(|t| t.0 == "ratings_differ"),
        "agreeing removes it"
    );
}

const DAY: i64 = 86_400;

#[tokio::test]
async fn a_cycle_moves_on_its_dates_by_itself() {
    use ladder_server::routine::tick;
    let app = start().await;
    let mut team = api_as(&app, "people-team").await;
    // Today is 2026-11-21.
    let r = new_cycle(
        &mut team,
        "Winter 2026",
        ["2026-11-23", "2026-11-27", "2026-11-30", "2026-12-11"],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let cycle = json(&r)["id"].as_i64().unwrap();
    // A fresh sign-in each time: the clock moves past a session's life.
    let state = async |_: &mut Client| {
        let r = api_as(&app, "people-team")
            .await
            .get(&format!("/api/v1/cycles/{cycle}"))
            .await;
        json(&r)["state"]
            .as_str()
            .unwrap_or_else(|| panic!("{}", r.body))
            .to_owned()
    };
    assert_eq!(tick(&app.state).await.unwrap().cycles, []);
    assert_eq!(state(&mut team).await, "draft");

    // Moving early needs a reason, named as the field to fill.
    let r = post_json(
        &mut team,
        &format!("/api/v1/cycles/{cycle}/advance"),
        &serde_json::json!({"from": "draft"}),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body
            .contains("reason: the cycle moves to nominations by itself on 2026-11-23"),
        "{}",
        r.body
    );
    assert_eq!(state(&mut team).await, "draft");

    // Its dates come: each tick moves it one step, as nobody.
    app.clock.advance(2 * DAY); // 2026-11-23
    assert_eq!(tick(&app.state).await.unwrap().cycles.len(), 1);
    assert_eq!(state(&mut team).await, "nominations");
    assert_eq!(tick(&app.state).await.unwrap().cycles, [], "once");
    assert!(
        tasks(&app, "self")
            .await
            .iter()
            .any(|t| t.0 == "nominate" && t.2 == "2026-11-27"),
        "nominations open: everyone is asked"
    );
    app.clock.advance(7 * DAY); // 2026-11-30
    tick(&app.state).await.unwrap();
    assert_eq!(state(&mut team).await, "feedback");
    assert!(
        tasks(&app, "self")
            .await
            .iter()
            .any(|t| t.0 == "answer_feedback" && t.1 == "Write your self-review"),
        "feedback opens with the automatic lists"
    );
    app.clock.advance(11 * DAY); // 2026-12-11, the last day for answers
    tick(&app.state).await.unwrap();
    assert_eq!(state(&mut team).await, "feedback");
    app.clock.advance(DAY);
    tick(&app.state).await.unwrap();
    assert_eq!(state(&mut team).await, "closed");
    let steps = app.store.cycle_steps(cycle).await.unwrap();
    let moves: Vec<_> = steps
        .iter()
        .filter(|s| s.state != ladder_store::CycleState::Draft)
        .collect();
    assert_eq!(moves.len(), 3, "{steps:?}");
    assert!(
        moves.iter().all(|s| s.by.is_none()),
        "moved by the schedule"
    );
    let audit = app.store.audit_log(None, 50).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "cycle.advance" && e.actor == "system")
            .count(),
        3
    );

    // A node that was down catches up step by step; a move by hand before
    // the date carries its reason into the audit log and the event.
    let mut team = api_as(&app, "people-team").await;
    let r = new_cycle(
        &mut team,
        "Spring 2027",
        ["2027-01-04", "2027-01-08", "2027-01-11", "2027-01-22"],
    )
    .await;
    let spring = json(&r)["id"].as_i64().unwrap();
    let r = post_json(
        &mut team,
        &format!("/api/v1/cycles/{spring}/advance"),
        &serde_json::json!({"from": "draft", "reason": "Kick-off moved to the all-hands"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let early = app.store.audit_log(None, 1).await.unwrap();
    assert!(
        early[0]
            .detail
            .ends_with("early: Kick-off moved to the all-hands"),
        "{early:?}"
    );
    app.clock.advance(60 * DAY); // 2027-02-10: past every date
    let moved = tick(&app.state).await.unwrap().cycles;
    assert_eq!(
        moved,
        [
            (spring, ladder_store::CycleState::Feedback),
            (spring, ladder_store::CycleState::Closed)
        ]
    );
}

/// Text that must never leave in a message: each is written where only
/// some may read it (a rating's evidence, a private note, shared notes, a
/// feedback comment, a proposal's case, a checkpoint's goals, an action
/// item, a salary's amount is never in an event at all).
const MARKERS: [&str; 7] = [
    "EVIDENCE-7f3a",
    "PRIVATE-NOTE-7f3a",
    "SHARED-NOTES-7f3a",
    "ANSWER-7f3a",
    "CASE-7f3a",
    "GOAL-7f3a",
    "ACTION-7f3a",
];

fn assert_clean(messages: &[serde_json::Value]) {
    for m in messages {
        let all = m.to_string();
        for marker in MARKERS {
            assert!(!all.contains(marker), "{marker} leaked into {m}");
        }
    }
}

/// (recipient, subject) of each message.
fn sent(messages: &[serde_json::Value]) -> Vec<(String, String)> {
    messages
        .iter()
        .map(|m| {
            (
                m["rcpt_tos"][0].as_str().unwrap().to_owned(),
                m["subject"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn to<'a>(all: &'a [(String, String)], who: &str, subject: &str) -> Vec<&'a (String, String)> {
    all.iter()
        .filter(|(r, s)| r.starts_with(&format!("{who}@")) && s.contains(subject))
        .collect()
}

#[tokio::test]
async fn a_cycle_from_draft_to_closed_sends_its_messages_on_their_dates() {
    use ladder_server::routine::tick;
    let smtp = SmtpSink::start();
    let app = start_mailing(smtp.port).await;
    let (me, peer) = (app.ids["self"], app.ids["peer"]);
    // Two more of self's peers, so self can nominate three.
    // And someone who has left: they are told nothing.
    let mut gone = person("gone@example.com", Some("manager@example.com"), "senior");
    gone.active = false;
    let more = [
        person("ana@example.com", Some("manager@example.com"), "senior"),
        person("ben@example.com", Some("manager@example.com"), "senior"),
        gone,
    ];
    app.store
        .apply_people(&more, "2026-01-01", None, NOW, &fixture("apply_people"))
        .await
        .unwrap();
    let id_of = async |email: &str| app.store.person_by_email(email).await.unwrap().unwrap().id;
    let peers = vec![
        peer,
        id_of("ana@example.com").await,
        id_of("ben@example.com").await,
    ];
    let mut team = api_as(&app, "people-team").await;
    let r = new_cycle(
        &mut team,
        "Winter 2026",
        ["2026-11-23", "2026-12-01", "2026-12-02", "2026-12-11"],
    )
    .await;
    let cycle = json(&r)["id"].as_i64().unwrap();
    // Private text written where only some may read it.
    let mut s = api_as(&app, "self").await;
    let ws = json(&s.get(&format!("/api/v1/people/{me}/worksheet")).await);
    let statement = ws["rows"][0]["id"].as_str().unwrap().to_owned();
    let r = post_json(
        &mut s,
        &format!("/api/v1/people/{me}/ratings"),
        &serde_json::json!({"statement": statement, "value": 3, "evidence": MARKERS[0]}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    tick(&app.state).await.unwrap();
    let before = smtp.messages().len();

    // Nominations open: everyone is told, the link is theirs.
    app.clock.advance(2 * DAY); // 2026-11-23
    let t = tick(&app.state).await.unwrap();
    assert_eq!(t.cycles.len(), 1);
    let all = smtp.wait_for(before + 5).await;
    let got = sent(&all);
    for who in ["self", "peer", "manager", "skip", "report"] {
        assert_eq!(
            to(&got, who, "Winter 2026: nominate your peers").len(),
            1,
            "{who}: {got:?}"
        );
    }
    let mine = all
        .iter()
        .find(|m| {
            m["rcpt_tos"][0] == "self@example.com"
                && m["subject"].as_str().unwrap().contains("nominate")
        })
        .unwrap();
    let link = format!("http://{}/cycles/{cycle}/nominations/{me}", app.addr);
    assert!(mine["text"].as_str().unwrap().contains(&link), "{mine}");
    assert!(mine["html"].as_str().unwrap().contains(&link), "{mine}");
    assert!(mine["text"].as_str().unwrap().contains("2026-12-01"));
    assert!(
        !mine["delivery"].as_str().unwrap().is_empty(),
        "an idempotency key"
    );

    // Self nominates: the manager is asked to approve; self is not told
    // of their own act.
    let mut s = api_as(&app, "self").await;
    let r = post_json(
        &mut s,
        &format!("/api/v1/cycles/{cycle}/nominations/{me}"),
        &serde_json::json!({"peers": peers}),
    )
    .await;
    assert!(r.status < 300, "{}", r.body);
    tick(&app.state).await.unwrap();
    let got = sent(&smtp.messages());
    assert_eq!(
        to(&got, "manager", "self sent their nominations").len(),
        1,
        "{got:?}"
    );
    assert!(to(&got, "self", "sent their nominations").is_empty());

    // A week before nominations close: reminders to those without a list
    // and to the manager with one to approve; each once however often
    // the routine runs.
    app.clock.advance(DAY); // 2026-11-24
    let first = tick(&app.state).await.unwrap();
    assert!(first.reminders > 0, "{first:?}");
    app.clock.advance(3600);
    let again = tick(&app.state).await.unwrap();
    assert_eq!(again.reminders, 0, "made at the last hour, not again");
    let got = sent(&smtp.messages());
    assert_eq!(
        to(&got, "peer", "Reminder: nominate your peers").len(),
        1,
        "{got:?}"
    );
    assert!(
        to(&got, "self", "Reminder: nominate").is_empty(),
        "self has sent theirs"
    );
    assert_eq!(
        to(&got, "manager", "Reminder: approve self's nominations").len(),
        1
    );

    // Feedback opens: each respondent learns how many questionnaires
    // they have; a day before it closes, those who still owe are reminded.
    app.clock.advance(8 * DAY); // 2026-12-02
    tick(&app.state).await.unwrap();
    let got = sent(&smtp.messages());
    assert_eq!(
        to(&got, "peer", "Winter 2026: feedback is open").len(),
        1,
        "{got:?}"
    );
    let mut p = api_as(&app, "peer").await;
    let q = json(
        &p.get(&format!("/api/v1/cycles/{cycle}/questions/{me}"))
            .await,
    );
    let key = q["questions"][0]["key"].as_str().unwrap().to_owned();
    let r = post_json(
        &mut p,
        &format!("/api/v1/cycles/{cycle}/feedback/{me}"),
        &serde_json::json!({"answers": [{"question": key, "comment": MARKERS[3]}]}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    app.clock.advance(8 * DAY); // 2026-12-10
    tick(&app.state).await.unwrap();
    let got = sent(&smtp.messages());
    assert!(
        !to(&got, "self", "questionnaire(s) to answer by 2026-12-11").is_empty(),
        "self still owes a self-review: {got:?}"
    );

    // The day after feedback closes, the cycle closes by itself and the
    // people reviewed are told their results are ready.
    app.clock.advance(2 * DAY); // 2026-12-12
    let t = tick(&app.state).await.unwrap();
    assert_eq!(t.cycles, [(cycle, ladder_store::CycleState::Closed)]);
    let all = smtp.messages();
    let got = sent(&all);
    assert_eq!(
        to(&got, "self", "Winter 2026 has closed").len(),
        1,
        "{got:?}"
    );
    assert!(
        to(&got, "gone", "").is_empty(),
        "leavers get nothing: {got:?}"
    );
    assert_clean(&all);
    // Nothing twice: every (recipient, subject) once, except the weekly
    // checkpoint reminders, which differ by week.
    let mut seen = std::collections::BTreeSet::new();
    for g in &got {
        if !g.1.contains("checkpoint is overdue") {
            assert!(seen.insert(g.clone()), "sent twice: {g:?}");
        }
    }
    let log = app.store.messages(None, 1000).await.unwrap();
    assert!(
        log.iter()
            .all(|m| m.new.state == ladder_store::MessageState::Sent),
        "{log:?}"
    );
}

#[tokio::test]
async fn every_kind_goes_out_without_private_content_as_each_person_chose() {
    use ladder_server::routine::tick;
    let smtp = SmtpSink::start();
    let app = start_mailing(smtp.port).await;
    let (me, report) = (app.ids["self"], app.ids["direct-report"]);
    let (_, proposal) = feedback_fixture(&app).await;
    let (mentor, _) = internship_fixture(&app).await;
    let (opening, _) = hiring_fixture(&app).await;
    // Self asks for an internship with the mentor.
    let mut s = api_as(&app, "self").await;
    let ri = post_json(
        &mut s,
        "/api/v1/internships",
        &serde_json::json!({
            "host_department": "Data",
            "mentor_id": mentor,
            "goals": "Learn how the data team models events",
            "share": 20,
            "start_date": "2026-12-07",
            "end_date": "2027-02-26",
        }),
    )
    .await;
    assert_eq!(ri.status, 200, "{}", ri.body);
    let internship = json(&ri)["id"].as_i64().unwrap();
    // The report wants no email about new meetings, and their action items
    // in the daily digest.
    let (mut r, csrf) = client_as(&app, "direct-report").await;
    let res = r
        .post_form(
            "/me/notifications",
            &[
                ("csrf", &csrf),
                ("meeting.created", "off"),
                ("action.assigned", "digest"),
            ],
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(res.body.contains("Saved."));
    let bad = r
        .post_form(
            "/me/notifications",
            &[
                ("csrf", &csrf),
                ("meeting.created", "sometimes"),
                ("cycle.closed", "digest"),
            ],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.body
            .contains("meeting.created: `sometimes` is not a choice"),
        "{}",
        bad.body
    );
    assert!(
        bad.body.contains("<option value=\"digest\" selected>"),
        "the typed choices stay"
    );
    assert_eq!(
        app.store.notification_prefs(&[report]).await.unwrap().len(),
        2,
        "nothing saved from the bad form"
    );

    // Self opens a checkpoint; their manager closes it.
    let mut s = api_as(&app, "self").await;
    let ws = json(&s.get(&format!("/api/v1/people/{me}/worksheet")).await);
    let areas: Vec<serde_json::Value> = ws["rows"]
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .map(|r| serde_json::json!({"ref": r["id"], "goals": MARKERS[5], "targets": "t"}))
        .collect();
    let r1 = post_json(
        &mut s,
        &format!("/api/v1/people/{me}/checkpoints"),
        &serde_json::json!({"areas": areas}),
    )
    .await;
    assert_eq!(r1.status, 201, "{}", r1.body);
    let checkpoint = json(&r1)["id"].as_i64().unwrap();
    let c = app.store.checkpoint(checkpoint).await.unwrap().unwrap();
    let summaries: Vec<serde_json::Value> = c
        .areas
        .iter()
        .map(|a| serde_json::json!({"area": a.id, "summary": MARKERS[5]}))
        .collect();
    let mut m = api_as(&app, "manager").await;
    let r2 = post_json(
        &mut m,
        &format!("/api/v1/checkpoints/{checkpoint}/close"),
        &serde_json::json!({"summaries": summaries}),
    )
    .await;
    assert_eq!(r2.status, 200, "{}", r2.body);
    // Self meets their report tomorrow, with notes and an action item.
    let r3 = post_json(
        &mut s,
        &format!("/api/v1/one-on-ones/{me}/{report}/meetings"),
        &serde_json::json!({"date": "2026-11-22"}),
    )
    .await;
    assert_eq!(r3.status, 201, "{}", r3.body);
    let meeting = json(&r3)["id"].as_i64().unwrap();
    for (path, body) in [
        (
            "notes",
            serde_json::json!({"text": MARKERS[2], "version": 1}),
        ),
        (
            "private",
            serde_json::json!({"text": MARKERS[1], "version": 0}),
        ),
        (
            "actions",
            serde_json::json!({"text": MARKERS[6], "owner": report}),
        ),
    ] {
        let r = post_json(&mut s, &format!("/api/v1/meetings/{meeting}/{path}"), &body).await;
        assert!(r.status < 300, "{path}: {}", r.body);
    }
    // Self's manager schedules their own 1:1 with self.
    let manager = app.ids["manager"];
    let rm = post_json(
        &mut m,
        &format!("/api/v1/one-on-ones/{manager}/{me}/meetings"),
        &serde_json::json!({"date": "2026-11-27"}),
    )
    .await;
    assert_eq!(rm.status, 201, "{}", rm.body);
    // The manager decides self's internship; the skip-level approves the
    // level change, then the people team; a candidate is added.
    let r4 = post_json(
        &mut m,
        &format!("/api/v1/internships/{internship}/decisions"),
        &serde_json::json!({"approve": true}),
    )
    .await;
    assert_eq!(r4.status, 200, "{}", r4.body);
    let r5 = post_json(
        &mut m,
        &format!("/api/v1/openings/{opening}/candidates"),
        &serde_json::json!({"name": "Dana Doe", "contact": "dana@example.net"}),
    )
    .await;
    assert!(r5.status < 300, "{}", r5.body);
    tick(&app.state).await.unwrap();
    let mut skip = api_as(&app, "skip-level").await;
    let r6 = post_json(
        &mut skip,
        &format!("/api/v1/proposals/{proposal}/decisions"),
        &serde_json::json!({"approve": true, "comment": MARKERS[4]}),
    )
    .await;
    assert_eq!(r6.status, 200, "{}", r6.body);
    tick(&app.state).await.unwrap();
    let mut people = api_as(&app, "people-team").await;
    let r7 = post_json(
        &mut people,
        &format!("/api/v1/proposals/{proposal}/decisions"),
        &serde_json::json!({"approve": true, "comment": "ok"}),
    )
    .await;
    assert_eq!(r7.status, 200, "{}", r7.body);
    tick(&app.state).await.unwrap();

    let got = sent(&smtp.messages());
    assert_eq!(
        to(&got, "manager", "checkpoint opened for self").len(),
        1,
        "{got:?}"
    );
    assert_eq!(
        to(&got, "self", "checkpoint closed for self").len(),
        1,
        "{got:?}"
    );
    assert!(
        to(&got, "report", "1:1 with self on 2026-11-22").is_empty(),
        "meeting.created is off for them"
    );
    assert_eq!(
        to(&got, "report", "Tomorrow: 1:1 with self").len(),
        1,
        "{got:?}"
    );
    assert_eq!(
        to(&got, "self", "Tomorrow: 1:1 with report").len(),
        1,
        "{got:?}"
    );
    assert!(
        to(&got, "report", "action item").is_empty(),
        "held for the digest"
    );
    assert_eq!(
        to(
            &got,
            "self",
            "Your manager approved your internship with Data"
        )
        .len(),
        1,
        "{got:?}"
    );
    assert_eq!(
        to(&got, "mentor", "self asks to intern with Data").len(),
        1,
        "{got:?}"
    );
    assert_eq!(
        to(&got, "peer", "A candidate for Senior backend engineer").len(),
        1,
        "{got:?}"
    );
    assert!(
        to(&got, "manager", "A candidate for").is_empty(),
        "the actor is not told"
    );
    assert_eq!(
        to(&got, "people", "A level change for self waits for you").len(),
        1,
        "{got:?}"
    );
    assert_eq!(
        to(&got, "manager", "The level change for self was approved").len(),
        1,
        "{got:?}"
    );
    assert!(
        to(&got, "self", "level change").is_empty(),
        "never the person: {got:?}"
    );
    assert_eq!(
        to(&got, "skip", "Reminder: your 2026-Q4 checkpoint is overdue").len(),
        1
    );
    assert_eq!(
        to(
            &got,
            "manager",
            "Reminder: peer's 2026-Q4 checkpoint is overdue"
        )
        .len(),
        1
    );

    // The next morning the report's digest carries the held item, once.
    app.clock.advance(DAY); // 2026-11-22 00:00
    tick(&app.state).await.unwrap();
    assert!(
        to(&sent(&smtp.messages()), "report", "digest").is_empty(),
        "not before 07:00"
    );
    app.clock.advance(8 * 3600);
    tick(&app.state).await.unwrap();
    app.clock.advance(3600);
    tick(&app.state).await.unwrap();
    let all = smtp.messages();
    let got = sent(&all);
    let digests = to(
        &got,
        "report",
        "Your Ladder digest for 2026-11-22: 1 update(s)",
    );
    assert_eq!(digests.len(), 1, "{got:?}");
    let digest = all
        .iter()
        .find(|m| m["subject"].as_str().unwrap().contains("digest"))
        .unwrap();
    assert!(
        digest["text"]
            .as_str()
            .unwrap()
            .contains("An action item from your 1:1 with self")
    );
    assert_clean(&all);

    // Every kind a flow here or in the cycle test makes has gone out.
    let kinds: std::collections::BTreeSet<String> = app
        .store
        .messages(None, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.new.kind)
        .collect();
    for k in [
        "checkpoint.opened",
        "checkpoint.closed",
        "meeting.created",
        "action.assigned",
        "reminder.one_on_one",
        "reminder.checkpoint",
        "internship.requested",
        "candidate.to_score",
        "proposal.waiting",
        "proposal.decided",
        "digest",
    ] {
        assert!(kinds.contains(k), "{k} never went out: {kinds:?}");
    }
}

/// A chat webhook receiver on 127.0.0.1: records each request (headers
/// and body) and answers 500 to the first `fail_first`.
struct Receiver {
    addr: std::net::SocketAddr,
    got: std::sync::Arc<std::sync::Mutex<Vec<(axum::http::HeaderMap, String)>>>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn receiver(fail_first: usize) -> Receiver {
    use axum::http::StatusCode;
    let got: std::sync::Arc<std::sync::Mutex<Vec<(axum::http::HeaderMap, String)>>> =
        std::sync::Arc::default();
    let seen = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let seen = seen.clone();
            async move {
                let mut g = seen.lock().unwrap();
                g.push((headers, body));
                if g.len() <= fail_first {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    Receiver {
        addr,
        got,
        _stop: tx,
    }
}

fn hmac_hex(secret: &str, body: &str) -> String {
    use hmac::Mac as _;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn webhooks_are_signed_retried_and_marked_failing_and_email_waits_without_smtp() {
    use ladder_server::routine::tick;
    use ladder_store::{Channel, MessageState};
    let app = start().await;
    let hook = receiver(1).await;
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let (mut admin, csrf) = client_as(&app, "admin").await;
    let bad = admin
        .post_form(
            "/admin/webhooks",
            &[("csrf", &csrf), ("url", "not a url"), ("kinds", "*")],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.body.contains("`not a url` is not a URL"),
        "{}",
        bad.body
    );
    assert!(
        bad.body.contains("value=\"not a url\""),
        "the typed URL stays"
    );
    let bad = admin
        .post_form(
            "/admin/webhooks",
            &[
                ("csrf", &csrf),
                ("url", "https://chat.example.com/x"),
                ("kinds", "cycle.closd"),
            ],
        )
        .await;
    assert!(
        bad.body.contains("did you mean `cycle.closed`?"),
        "{}",
        bad.body
    );
    let add = admin
        .post_form(
            "/admin/webhooks",
            &[
                ("csrf", &csrf),
                ("url", &format!("http://{}/hook", hook.addr)),
                ("kinds", "*"),
            ],
        )
        .await;
    assert_eq!(add.status, 200, "{}", add.body);
    let secret = add
        .body
        .split("shown once: ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .unwrap()
        .to_owned();
    let add = admin
        .post_form(
            "/admin/webhooks",
            &[
                ("csrf", &csrf),
                ("url", &format!("http://{dead}/hook")),
                ("kinds", "cycle.nominations_open"),
            ],
        )
        .await;
    assert_eq!(add.status, 200, "{}", add.body);

    // A cycle opens today: the move succeeds though the hook answers 500.
    let mut team = api_as(&app, "people-team").await;
    let r = new_cycle(
        &mut team,
        "Winter 2026",
        ["2026-11-21", "2026-11-27", "2026-11-30", "2026-12-11"],
    )
    .await;
    let cycle = json(&r)["id"].as_i64().unwrap();
    tick(&app.state).await.unwrap();
    let state = json(&team.get(&format!("/api/v1/cycles/{cycle}")).await)["state"].clone();
    assert_eq!(state, "nominations");
    let log = app.store.messages(None, 100).await.unwrap();
    let to_hook = |log: &[ladder_store::Message], url: String| {
        log.iter()
            .find(|m| m.new.channel == Channel::Webhook && m.new.address == url)
            .cloned()
            .unwrap()
    };
    let first = to_hook(&log, format!("http://{}/hook", hook.addr));
    assert_eq!(
        (first.new.state, first.attempts, first.last_error.as_deref()),
        (
            MessageState::Pending,
            1,
            Some("webhook answered 500 Internal Server Error")
        )
    );
    assert!(
        log.iter()
            .filter(|m| m.new.channel == Channel::Email)
            .all(|m| m.new.state == MessageState::Pending && m.attempts == 0),
        "no SMTP server: email waits in the log"
    );

    // A minute later it is sent again, once, signed.
    app.clock.advance(61);
    tick(&app.state).await.unwrap();
    app.clock.advance(61);
    tick(&app.state).await.unwrap();
    let got = hook.got.lock().unwrap().clone();
    assert_eq!(got.len(), 2, "{got:?}");
    for (headers, body) in &got {
        assert_eq!(
            headers["x-ladder-signature"].to_str().unwrap(),
            format!("sha256={}", hmac_hex(&secret, body))
        );
        assert_eq!(
            headers["x-ladder-delivery"].to_str().unwrap(),
            first.new.key
        );
        let b: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(b["kind"], "cycle.nominations_open");
        let text = b["text"].as_str().unwrap();
        assert!(text.contains("Winter 2026: nominate your peers"), "{text}");
        assert!(
            text.contains(&format!("http://{}/cycles", app.addr)),
            "{text}"
        );
        assert!(
            !text.contains("self") && !text.contains("report"),
            "nobody named in chat"
        );
    }
    let sent = app.store.message(first.id).await.unwrap().unwrap();
    assert_eq!((sent.new.state, sent.attempts), (MessageState::Sent, 2));

    // The dead hook: retried with backoff, failing after five in a row,
    // then given up on; admins see it on the page and in their inbox.
    for _ in 0..12 {
        app.clock.advance(1000);
        tick(&app.state).await.unwrap();
    }
    let hooks = app.store.webhooks().await.unwrap();
    let d = hooks
        .iter()
        .find(|h| h.url.contains(&dead.to_string()))
        .unwrap();
    assert!(d.failing && d.failures >= 5, "{d:?}");
    let gone = to_hook(
        &app.store.messages(None, 100).await.unwrap(),
        format!("http://{dead}/hook"),
    );
    assert_eq!((gone.new.state, gone.attempts), (MessageState::Failed, 6));
    let (mut admin, csrf) = client_as(&app, "admin").await;
    let page = admin.get("/admin/deliveries").await.body;
    assert!(page.contains("failing</span> after"), "{page}");
    assert!(page.contains("No SMTP server is configured"));
    assert!(
        tasks(&app, "admin")
            .await
            .iter()
            .any(|t| t.0 == "failed_deliveries"),
        "admins see failed deliveries"
    );
    let (mut member, member_csrf) = client_as(&app, "self").await;
    assert_eq!(member.get("/admin/deliveries").await.status, 403);
    assert_eq!(
        member
            .post_form(
                &format!("/admin/deliveries/{}/resend", first.id),
                &[("csrf", &member_csrf)]
            )
            .await
            .status,
        403
    );

    // Resending goes out once more, with the same key.
    let r = admin
        .post_form(
            &format!("/admin/deliveries/{}/resend", first.id),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    tick(&app.state).await.unwrap();
    let got = hook.got.lock().unwrap().clone();
    assert_eq!(got.len(), 3);
    assert_eq!(
        got[2].0["x-ladder-delivery"].to_str().unwrap(),
        first.new.key
    );
}

#[tokio::test]
async fn an_unreachable_smtp_server_loses_nothing_and_sends_nothing_twice() {
    use ladder_server::routine::tick;
    use ladder_store::MessageState;
    let port = free_port();
    let app = start_mailing(port).await;
    let me = app.ids["self"];
    // The write that causes a message succeeds with no SMTP server up.
    let mut s = api_as(&app, "self").await;
    let ws = json(&s.get(&format!("/api/v1/people/{me}/worksheet")).await);
    let areas: Vec<serde_json::Value> = ws["rows"]
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .map(|r| serde_json::json!({"ref": r["id"], "goals": "g", "targets": "t"}))
        .collect();
    let r = post_json(
        &mut s,
        &format!("/api/v1/people/{me}/checkpoints"),
        &serde_json::json!({"areas": areas}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    tick(&app.state).await.unwrap();
    let log = app.store.messages(None, 100).await.unwrap();
    let m = log
        .iter()
        .find(|m| m.new.kind == "checkpoint.opened")
        .unwrap()
        .clone();
    assert_eq!((m.new.state, m.attempts), (MessageState::Pending, 1));
    assert!(
        m.last_error.as_deref().unwrap_or("").starts_with("SMTP"),
        "{m:?}"
    );
    assert!(m.new.due_at > NOW, "retried later");

    // The server comes up; the retry delivers it, once.
    let smtp = SmtpSink::start_on(port, None);
    app.clock.advance(61);
    tick(&app.state).await.unwrap();
    app.clock.advance(3600);
    tick(&app.state).await.unwrap();
    let got = sent(&smtp.messages());
    assert_eq!(
        to(&got, "manager", "checkpoint opened for self").len(),
        1,
        "{got:?}"
    );
    let m = app.store.message(m.id).await.unwrap().unwrap();
    assert_eq!((m.new.state, m.attempts), (MessageState::Sent, 2));
}

#[tokio::test]
async fn two_nodes_on_postgres_send_each_message_exactly_once() {
    use ladder_server::routine::tick;
    let db = ladder_store_postgres::TempDatabase::for_tests("notify")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let pg = ladder_server::Database::Postgres(db.url.clone());
    let (store_a, _) = ladder_server::open_store(&pg).await.unwrap();
    let (store_b, _) = ladder_server::open_store(&pg).await.unwrap();
    let smtp = SmtpSink::start();
    let a = start_mailing_on(store_a, smtp.port).await;
    let b = start_mailing_on(store_b, smtp.port).await;
    assert_ne!(a.state.node(), b.state.node());
    // Forty more people, so a cycle opening makes many messages.
    let more: Vec<_> = (0..40)
        .map(|i| {
            person(
                &format!("p{i}@example.com"),
                Some("manager@example.com"),
                "senior",
            )
        })
        .collect();
    a.store
        .apply_people(&more, "2026-01-01", None, NOW, &fixture("apply_people"))
        .await
        .unwrap();
    let mut team = api_as(&a, "people-team").await;
    let r = new_cycle(
        &mut team,
        "Winter 2026",
        ["2026-11-21", "2026-11-27", "2026-11-30", "2026-12-11"],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Both nodes tick at once, twice.
    for _ in 0..2 {
        let (x, y) = tokio::join!(tick(&a.state), tick(&b.state));
        x.unwrap();
        y.unwrap();
    }
    let log = a.store.messages(None, 10_000).await.unwrap();
    let emails: Vec<_> = log
        .iter()
        .filter(|m| m.new.kind == "cycle.nominations_open")
        .collect();
    assert_eq!(emails.len(), 45, "one per active person");
    let all = smtp.wait_for(log.len()).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let all_now = smtp.messages();
    assert_eq!(all_now.len(), all.len(), "no late duplicates");
    let got = sent(&all_now);
    let unique: std::collections::BTreeSet<_> = got.iter().collect();
    assert_eq!(unique.len(), got.len(), "each message exactly once");
    assert_eq!(to(&got, "p7", "Winter 2026: nominate your peers").len(), 1);
    assert!(
        log.iter()
            .all(|m| m.new.state == ladder_store::MessageState::Sent)
    );
    drop((a, b));
    db.drop_database().await.unwrap();
}

/// The feed read by the `icalendar` package from PyPI.
fn parse_ics(ics: &str) -> serde_json::Value {
    use std::io::Write as _;
    let python = std::env::var("LADDER_TEST_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/ical_dates.py");
    let mut child = std::process::Command::new(python)
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 with `pip install icalendar`");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(ics.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "icalendar could not read the feed: {}\n{ics}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test]
async fn a_series_makes_meetings_ahead_and_the_feed_expands_to_the_same_days() {
    use ladder_server::one_on_ones::series::dates;
    use ladder_server::routine::tick;
    let app = start().await;
    let (me, report) = (app.ids["self"], app.ids["direct-report"]);
    let pair = format!("/one-on-ones/{me}/{report}");
    let (mut c, csrf) = client_as(&app, "self").await;
    let form = |tz: &'static str, first: &'static str, until: &'static str| {
        vec![
            ("cadence", "biweekly"),
            ("first_date", first),
            ("start_time", "10:30"),
            ("time_zone", tz),
            ("duration_minutes", "45"),
            ("until", until),
        ]
    };
    // Bad input is named, and what was typed stays.
    for (fields, want) in [
        (
            form("Mars/Olympus", "2026-11-23", "2027-03-31"),
            "`Mars/Olympus` is not a time zone",
        ),
        (
            form("Europe/Lisbon", "2026-11-02", "2027-03-31"),
            "2026-11-02 is in the past",
        ),
        (
            form("Europe/Lisbon", "2026-11-23", ""),
            "A series needs an end date",
        ),
    ] {
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend(fields.iter().copied());
        let r = c.post_form(&format!("{pair}/series"), &all).await;
        assert_eq!(r.status, 400, "{}", r.body);
        assert!(r.body.contains(want), "{want}: {}", r.body);
        assert!(r.body.contains("value=\"10:30\""), "the typed time stays");
    }
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend(form("Europe/Lisbon", "2026-11-23", "2027-03-31"));
    let r = c.post_form(&format!("{pair}/series"), &all).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let again = c.post_form(&format!("{pair}/series"), &all).await;
    assert!(
        again.body.contains("already has a series"),
        "{}",
        again.body
    );

    // Meetings two weeks ahead: made at once, then by the routine.
    let days = async || {
        app.store
            .meetings(me, report)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.date)
            .collect::<Vec<_>>()
    };
    assert_eq!(days().await, ["2026-11-23"]);
    app.clock.advance(14 * DAY); // 2026-12-05
    tick(&app.state).await.unwrap();
    assert_eq!(days().await, ["2026-11-23", "2026-12-07"]);
    let (mut c, csrf) = client_as(&app, "self").await;
    let page = c.get(&pair).await.body;
    assert!(
        page.contains(
            "Next: <time datetime=\"2026-12-07\">2026-12-07</time>, <time datetime=\"2026-12-21\">"
        ),
        "{page}"
    );
    // Paused: nothing new; resumed: on again.
    let r = c
        .post_form(&format!("{pair}/series/pause"), &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    app.clock.advance(14 * DAY); // 2026-12-19
    tick(&app.state).await.unwrap();
    assert_eq!(days().await.len(), 2, "paused");
    let (mut c, csrf) = client_as(&app, "self").await;
    let r = c
        .post_form(&format!("{pair}/series/resume"), &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    app.clock.advance(3600);
    tick(&app.state).await.unwrap();
    assert_eq!(days().await, ["2026-11-23", "2026-12-07", "2026-12-21"]);
    let (mut c, csrf) = client_as(&app, "self").await;
    let r = c
        .post_form(&format!("{pair}/series/snooze"), &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("paused, resumed or ended"), "{}", r.body);

    // The report's feed: made on their page, read without a session.
    let (mut rc, rcsrf) = client_as(&app, "direct-report").await;
    let made = rc.post_form("/me/calendar", &[("csrf", &rcsrf)]).await;
    assert_eq!(made.status, 200, "{}", made.body);
    let url = made
        .body
        .split("<code id=\"feed-url\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap()
        .to_owned();
    let path = url
        .strip_prefix(&format!("http://{}", app.addr))
        .unwrap()
        .to_owned();
    let mut anon = Client::new(app.addr);
    let feed = anon.get(&path).await;
    assert_eq!(feed.status, 200);
    assert!(
        feed.header("content-type")
            .unwrap()
            .starts_with("text/calendar")
    );
    assert!(feed.body.contains("\r\n"), "CRLF lines");
    let parsed = parse_ics(&feed.body);
    let series = parsed["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["uid"].as_str().unwrap().starts_with("series-"))
        .unwrap_or_else(|| panic!("{parsed}"));
    assert_eq!(series["summary"], "1:1: self and report");
    assert_eq!(parsed["timezones"], serde_json::json!(["Europe/Lisbon"]));
    assert_eq!(
        series["times"],
        serde_json::json!(["10:30"]),
        "local time, summer and winter"
    );
    let stored = app.store.pair_series(me, report).await.unwrap().remove(0);
    let ours: Vec<String> = dates(
        &stored.new,
        "2026-01-01".parse().unwrap(),
        "2028-01-01".parse().unwrap(),
    )
    .iter()
    .map(ToString::to_string)
    .collect();
    assert_eq!(
        series["dates"],
        serde_json::json!(ours),
        "the RRULE expands to the app's days"
    );
    assert_eq!(ours.last().map(String::as_str), Some("2027-03-29"));
    assert!(
        !parsed["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["uid"].as_str().unwrap().starts_with("meeting-")),
        "meetings made by the series are not listed twice"
    );
    assert!(
        parsed["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["summary"]
                .as_str()
                .unwrap()
                .starts_with("Checkpoint 2026-Q4")),
        "{parsed}"
    );

    // A new URL ends the old one.
    let again = rc.post_form("/me/calendar", &[("csrf", &rcsrf)]).await;
    assert_eq!(again.status, 200);
    assert_eq!(anon.get(&path).await.status, 404);
    assert_eq!(anon.get("/calendar/nothing.ics").await.status, 404);
}

#[tokio::test]
async fn a_proposal_waiting_three_days_reminds_its_next_approver_once() {
    use ladder_server::routine::tick;
    let smtp = SmtpSink::start();
    let app = start_mailing(smtp.port).await;
    feedback_fixture(&app).await;
    tick(&app.state).await.unwrap();
    let waiting = "Reminder: the level change for self waits for you";
    assert!(to(&smtp.sent(), "skip", waiting).is_empty(), "not yet");
    app.clock.advance(3 * DAY + 3600);
    tick(&app.state).await.unwrap();
    app.clock.advance(3600);
    tick(&app.state).await.unwrap();
    let got = smtp.sent();
    assert_eq!(to(&got, "skip", waiting).len(), 1, "{got:?}");
    assert!(
        to(&got, "self", "level change").is_empty(),
        "never the person"
    );
    assert!(to(&got, "manager", waiting).is_empty(), "not the proposer");
}
