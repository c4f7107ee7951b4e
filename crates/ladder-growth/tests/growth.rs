#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ladder_framework::{FileSet, Framework, ReadinessPolicy, compile, example};
use ladder_growth::worksheet::worksheet;
use ladder_growth::{Quarter, actions_for, changes, progress, readiness, snapshot};
use ladder_store::{ActionItem, Rater, Rating, RatingChange};

fn example_fw(edit: impl Fn(&str, &str) -> String) -> Framework {
    let mut files = FileSet::new();
    for (path, text) in example::FILES {
        files.insert_text(path, edit(path, text));
    }
    let (fw, diags) = compile(&files);
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    fw
}

#[test]
fn the_worksheet_holds_the_current_level_then_what_the_next_adds() {
    let fw = example_fw(|_, t| t.to_owned());
    let ws = worksheet(&fw, "backend-engineer", "intermediate", None).unwrap();
    assert_eq!(ws.next.as_deref(), Some("senior"));
    let current =
        ladder_framework::resolve::role(&fw, "backend-engineer", "intermediate", None, false)
            .unwrap();
    let next =
        ladder_framework::resolve::role(&fw, "backend-engineer", "senior", None, false).unwrap();
    let now: Vec<&str> = ws
        .rows
        .iter()
        .filter(|r| !r.new_at_next)
        .map(|r| r.id.as_str())
        .collect();
    let want: Vec<&str> = current.competencies.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(now, want);
    let added: Vec<&str> = ws
        .rows
        .iter()
        .filter(|r| r.new_at_next)
        .map(|r| r.id.as_str())
        .collect();
    assert!(!added.is_empty());
    for id in &added {
        assert!(next.competencies.iter().any(|e| e.id == *id) && !want.contains(id));
    }
    assert!(ws.rows.iter().all(|r| !r.category_title.is_empty()));
    // A level nothing builds on in the family has no next level.
    let top = worksheet(&fw, "backend-engineer", "principal", None).unwrap();
    assert_eq!(top.next, None);
    assert!(top.rows.iter().all(|r| !r.new_at_next));
    assert!(worksheet(&fw, "backend-engineer", "nope", None).is_err());
}

fn change(id: i64, statement: &str, rater: Rater, value: i64, at: i64) -> RatingChange {
    RatingChange {
        id,
        person_id: 1,
        statement_id: statement.to_owned(),
        rater,
        old_value: None,
        new_value: value,
        old_evidence: None,
        new_evidence: String::new(),
        framework_hash: "h".to_owned(),
        changed_by: None,
        changed_at: at,
    }
}

#[test]
fn readiness_counts_manager_ratings_at_each_quarters_end() {
    let q1: Quarter = "2026-Q1".parse().unwrap();
    let q2 = q1.next();
    let q3 = q2.next();
    let t1 = q1.start().to_unix() + 10;
    let t2 = q2.start().to_unix() + 10;
    let t3 = q3.start().to_unix() + 10;
    let ids = ["a", "b", "c", "d"];
    let history = [
        change(1, "a", Rater::Manager, 3, t1),
        change(2, "b", Rater::Manager, 4, t1),
        // Self ratings never count.
        change(3, "c", Rater::Myself, 4, t1),
        change(4, "c", Rater::Manager, 3, t2),
        change(5, "d", Rater::Manager, 2, t2),
        change(6, "d", Rater::Manager, 3, t3),
    ];
    let policy = ReadinessPolicy {
        demonstrated_at: 3,
        share: 0.75,
        consecutive_quarters: 2,
    };
    let r = readiness(&ids, &history, &[q1, q2, q3], policy);
    let shares: Vec<(usize, bool)> = r
        .quarters
        .iter()
        .map(|q| (q.demonstrated, q.meets))
        .collect();
    assert_eq!(shares, [(2, false), (3, true), (4, true)]);
    assert!(r.ready, "two quarters in a row at 75% or more");
    assert!(r.missing.is_empty());
    let r = readiness(&ids, &history, &[q1, q2], policy);
    assert!(!r.ready, "one quarter is not two");
    assert_eq!(r.missing, ["d"]);
    // A rating lowered again falls out.
    let mut lower = history.to_vec();
    lower.push(change(7, "a", Rater::Manager, 2, t3 + 5));
    lower.push(change(8, "b", Rater::Manager, 1, t3 + 6));
    let r = readiness(&ids, &lower, &[q2, q3], policy);
    assert!(!r.ready);
    assert_eq!(r.missing, ["a", "b"]);
    // Progress, for views of many people, is readiness without the list.
    for (h, qs) in [
        (&history[..], &[q1, q2, q3][..]),
        (&lower[..], &[q2, q3][..]),
    ] {
        let r = readiness(&ids, h, qs, policy);
        let p = progress(&ids, h, qs, policy);
        assert_eq!((p.quarters, p.ready), (r.quarters, r.ready));
    }
}

fn rating(statement: &str, text: &str) -> Rating {
    Rating {
        person_id: 1,
        statement_id: statement.to_owned(),
        rater: Rater::Myself,
        value: 3,
        evidence: String::new(),
        statement_text: text.to_owned(),
        framework_hash: "old".to_owned(),
        rated_by: None,
        rated_at: 0,
    }
}

#[test]
fn a_new_framework_version_shows_what_changed_for_the_person() {
    let before = example_fw(|_, t| t.to_owned());
    let ws = worksheet(&before, "backend-engineer", "intermediate", None).unwrap();
    let seen = snapshot(&ws);
    let first = ws.rows.iter().find(|r| !r.new_at_next).unwrap().clone();
    let gone = ws
        .rows
        .iter()
        .rev()
        .find(|r| r.new_at_next)
        .unwrap()
        .clone();
    // Reword one statement, drop another, add one.
    let after = example_fw(|_, t| {
        let mut t = t.replacen(
            &first.text,
            "Reworded: keeps the build green for everyone",
            1,
        );
        if let Some(line) = t.lines().find(|l| l.contains(&format!("{{#{}}}", gone.id))) {
            t = t.replacen(&format!("{line}\n"), "", 1);
        }
        t
    });
    let now = worksheet(&after, "backend-engineer", "intermediate", None).unwrap();
    let ratings = [rating(&first.id, &first.text), rating(&gone.id, &gone.text)];
    let c = changes(Some(&seen), &now, &ratings);
    assert_eq!(c.reworded.len(), 1, "{c:?}");
    assert_eq!(c.reworded[0].0, first.text);
    assert_eq!(c.removed, [(gone.id.clone(), gone.text.clone())]);
    assert_eq!(c.recheck.len(), 1);
    assert_eq!(c.recheck[0].0.statement_id, first.id);
    assert_eq!(c.archived.len(), 1);
    assert_eq!(c.archived[0].statement_id, gone.id);
    assert!(c.framework_moved());
    // Nothing changed: nothing to show.
    let same = changes(Some(&snapshot(&now)), &now, &[]);
    assert!(!same.framework_moved());
    // A promotion is a new worksheet, not a change.
    let senior = worksheet(&after, "backend-engineer", "senior", None).unwrap();
    assert!(!changes(Some(&seen), &senior, &[]).framework_moved());
}

fn action(id: i64, made: &str, done: Option<&str>) -> ActionItem {
    ActionItem {
        id,
        manager_id: 1,
        report_id: 2,
        meeting_id: 1,
        meeting_date: made.to_owned(),
        owner_id: 2,
        text: format!("action {id}"),
        created_at: 0,
        done_meeting_id: done.map(|_| 9),
        done_date: done.map(str::to_owned),
        done_at: None,
    }
}

#[test]
fn action_items_carry_over_until_done() {
    let all = [
        action(1, "2026-01-05", None),
        action(2, "2026-01-05", Some("2026-01-12")),
        action(3, "2026-01-12", None),
    ];
    let ids = |date: &str| {
        actions_for(&all, date)
            .iter()
            .map(|a| a.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(ids("2026-01-05"), [1, 2]);
    assert_eq!(
        ids("2026-01-12"),
        [1, 2, 3],
        "done in this meeting: shown as done"
    );
    assert_eq!(ids("2026-01-19"), [1, 3], "carried until done");
}

/// Whom a change affects: a new required statement at the next level
/// moves a ready person away from ready; a reworded one flags their
/// ratings; a removed one archives them; people at other levels are
/// untouched.
#[test]
fn impact_names_who_moves_away_from_ready_and_which_ratings_change() {
    use ladder_growth::impact::{Direction, Subject, impact, markdown};
    let old = example_fw(|_, t| t.to_owned());
    let ws = worksheet(&old, "backend-engineer", "intermediate", None).unwrap();
    // The manager rates everything the next level asks as demonstrated,
    // two quarters running: ready under the old version.
    let q1: Quarter = "2026-Q2".parse().unwrap();
    let q2 = q1.next();
    let at = q1.start().to_unix() + 10;
    let history: Vec<RatingChange> = ws
        .next_ids()
        .iter()
        .enumerate()
        .map(|(i, id)| RatingChange {
            person_id: 7,
            ..change(i64::try_from(i).unwrap(), id, Rater::Manager, 4, at)
        })
        .collect();
    let ratings: Vec<Rating> = ws
        .rows
        .iter()
        .map(|r| Rating {
            person_id: 7,
            statement_id: r.id.clone(),
            rater: Rater::Manager,
            value: 4,
            evidence: String::new(),
            statement_text: r.text.clone(),
            framework_hash: "h".to_owned(),
            rated_by: None,
            rated_at: at,
        })
        .collect();
    let senior_only = ws
        .rows
        .iter()
        .find(|r| r.new_at_next && r.layer == "engineering")
        .unwrap()
        .clone();
    let reworded = ws
        .rows
        .iter()
        .find(|r| !r.new_at_next && r.layer == "engineering")
        .unwrap()
        .clone();
    // The new version raises the bar at senior (five more statements,
    // enough to fall under the policy's share) and rewords one.
    let added: String = (1..=5)
        .map(|k| format!("- New senior expectation number {k}. {{#engineering-senior-new-{k}}}\n"))
        .collect();
    let new = example_fw(|path, t| {
        if path != "layers/engineering.md" {
            return t.to_owned();
        }
        t.replace(
            "## Senior\n\n### Leadership\n\n",
            &format!("## Senior\n\n### Leadership\n\n{added}"),
        )
        .replace(&reworded.text, "A reworded expectation, said another way.")
    });
    let people = [
        Subject {
            id: 7,
            name: "Ana".into(),
            team: "Platform".into(),
            family: "backend-engineer".into(),
            level: "intermediate".into(),
            specialty: None,
        },
        Subject {
            id: 8,
            name: "Bo".into(),
            team: "Data".into(),
            family: "backend-engineer".into(),
            level: "staff".into(),
            specialty: None,
        },
    ];
    let i = impact(&old, &new, &people, &ratings, &history, &[q1, q2]);
    let ana = i
        .people
        .iter()
        .find(|p| p.id == 7)
        .expect("Ana is affected");
    assert_eq!(ana.direction, Some(Direction::AwayFromReady), "{ana:?}");
    assert!(ana.before.unwrap().ready && !ana.after.unwrap().ready);
    assert_eq!(ana.added.len(), 5, "{:?}", ana.added);
    assert_eq!(ana.reworded, std::slice::from_ref(&reworded.id));
    assert_eq!(ana.ratings_to_recheck, 1);
    assert!(ana.removed.is_empty());
    assert!(ana.questions_change, "a reworded statement of her level");
    let running = [ladder_growth::impact::OpenCycle {
        id: 3,
        name: "Winter".into(),
        people: vec![7, 9],
    }];
    let c = ladder_growth::impact::cycles(&i.people, &running);
    assert_eq!((c[0].questions_change, c[0].people), (1, 2));
    let evidence = format!(
        r#"{{"missing": ["nothing-here"], "ratings": [["{}", 3]], "ready": true}}"#,
        reworded.id
    );
    let pending = [ladder_growth::impact::OpenProposal::from_evidence(
        5, 7, &evidence,
    )];
    let p = ladder_growth::impact::proposals(&i.people, &pending);
    assert_eq!(p[0].changed, std::slice::from_ref(&reworded.id));
    assert_eq!(p[0].new_required, 5);
    assert_eq!(i.total.away_from_ready, 1);
    assert_eq!(i.by_team["Platform"].away_from_ready, 1);
    assert!(!senior_only.id.is_empty());
    // Staff carries the reworded intermediate statement too (cumulative):
    // Bo is affected, with no ratings to recheck.
    let bo = i.people.iter().find(|p| p.id == 8).unwrap();
    assert_eq!(bo.ratings_to_recheck, 0);
    assert!(bo.reworded.contains(&reworded.id));
    let md = markdown(&i, false);
    assert!(md.contains("1 would move away from ready"), "{md}");
    assert!(!md.contains("Ana"), "no names unless asked: {md}");
    assert!(markdown(&i, true).contains("Ana (Platform, intermediate)"));
    // The same version on both sides: nobody.
    let none = impact(&old, &old, &people, &ratings, &history, &[q1, q2]);
    assert!(none.people.is_empty());
    assert!(markdown(&none, false).starts_with("## Who this change affects\n\nNobody"));
}
