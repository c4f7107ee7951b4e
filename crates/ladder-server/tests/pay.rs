//! Pay: loading bands and salaries all-or-nothing, compa ratios and
//! flags, and who may see any of it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use support::*;

const BANDS: &str = "grade,zone,currency,min,mid,max,effective_from\n\
7,western-europe,EUR,60000,70000,80000,2026-01-01\n\
8,western-europe,EUR,75000,85000,98000,2026-01-01\n\
7,north-america,CAD,80000,90000,100000,2026-01-01\n\
8,north-america,CAD,95000,105000,120000,2026-01-01\n";

/// Bands and salaries for the fixture: `self` earns 77,000 (compa 1.10),
/// `peer` 58,000 (below the band).
async fn load_pay(app: &App) {
    let (mut c, csrf) = client_as(app, "people-team").await;
    c.headers.push(("X-CSRF-Token".to_owned(), csrf));
    let res = post_csv(&mut c, "/api/v1/pay/bands/import", BANDS).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(
        res.body.contains("goes up to 80,000"),
        "overlap warned: {}",
        res.body
    );
    let salaries = "email,amount,currency,effective_from\n\
        self@example.com,77000,EUR,2026-02-01\n\
        peer@example.com,58000,EUR,2026-02-01\n\
        manager@example.com,90000,EUR,2026-02-01\n";
    let res = post_csv(&mut c, "/api/v1/pay/salaries/import", salaries).await;
    assert_eq!(res.status, 200, "{}", res.body);
}

#[tokio::test]
async fn a_bad_file_changes_nothing_and_names_each_cell() {
    let app = start().await;
    load_pay(&app).await;
    let (mut c, csrf) = client_as(&app, "people-team").await;
    c.headers.push(("X-CSRF-Token".to_owned(), csrf.clone()));
    // One good row and two bad ones: nothing is stored.
    let bad = "grade,zone,currency,min,mid,max,effective_from\n\
        7,western-europe,EUR,1,2,3,2027-01-01\n\
        7,westren-europe,EUR,1,2,3,2027-01-01\n\
        11,western-europe,EUR,5,4,3,2027-01-01\n";
    let res = post_csv(&mut c, "/api/v1/pay/bands/import", bad).await;
    assert_eq!(res.status, 422, "{}", res.body);
    let v: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    let problems = v["error"]["problems"].as_array().unwrap();
    let at = |row: u64, col: &str| {
        problems
            .iter()
            .find(|p| p["row"] == row && p["column"] == col)
            .unwrap_or_else(|| panic!("no problem at row {row}, {col}: {problems:?}"))
    };
    assert_eq!(at(3, "zone")["fix"], "did you mean `western-europe`?");
    assert!(
        at(4, "grade")["message"]
            .as_str()
            .unwrap()
            .contains("no level")
    );
    assert!(
        at(4, "min")["message"]
            .as_str()
            .unwrap()
            .contains("above the midpoint")
    );
    assert_eq!(app.store.bands().await.unwrap().len(), 4, "all or nothing");
    // A salary in the wrong currency for its band, and an unknown person.
    let bad = "email,amount,currency,effective_from\n\
        self@example.com,1,CAD,2026-03-01\n\
        slef@example.com,1,EUR,2026-03-01\n";
    let res = post_csv(&mut c, "/api/v1/pay/salaries/import", bad).await;
    assert_eq!(res.status, 422);
    assert!(
        res.body.contains("is in EUR") && res.body.contains("did you mean `self@example.com`?")
    );
    assert_eq!(app.store.salaries().await.unwrap().len(), 3);
    // The web form shows the same table and stores nothing either.
    let (ct, body) = multipart(&csrf, bad);
    let res = c
        .request("POST", "/pay/salaries/import", Some(&ct), &body)
        .await;
    assert_eq!(res.status, 422);
    assert!(
        res.body
            .contains("Nothing was changed: 2 problem(s) in the salaries file")
    );
    assert_eq!(app.store.salaries().await.unwrap().len(), 3);
}

#[tokio::test]
async fn the_people_team_sees_compa_ratios_flags_and_spreads() {
    let app = start().await;
    load_pay(&app).await;
    let (mut c, _) = client_as(&app, "people-team").await;
    let res = c.get("/api/v1/pay/compa?as_of=2026-11-21").await;
    assert_eq!(res.status, 200, "{}", res.body);
    let v: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    let person = |name: &str| {
        v["people"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()
            .clone()
    };
    assert!((person("self")["ratio"].as_f64().unwrap() - 1.1).abs() < 1e-9);
    assert_eq!(person("peer")["flag"], "below_min");
    assert_eq!(person("manager")["flag"], "above_max");
    assert_eq!(v["without_salary"], 2, "skip-level and report have none");
    let senior = v["by_level"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == "Senior")
        .unwrap();
    assert_eq!(senior["count"], 2);
    assert!((senior["median"].as_f64().unwrap() - (1.1 + 58.0 / 70.0) / 2.0).abs() < 1e-9);
    assert_eq!(senior["flagged"], 1);
    // Before any salary, nobody has a ratio.
    let res = c.get("/api/v1/pay/compa?as_of=2026-01-15").await;
    assert!(res.body.contains(r#""people":[]"#), "{}", res.body);
    let res = c.get("/api/v1/pay/compa?as_of=2026-02-30").await;
    assert_eq!(res.status, 400);
    assert!(res.body.contains("as_of"));
    // The page: flags, the chart, the bands; the export as CSV.
    let res = c.get("/pay").await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("below the band") && res.body.contains("<svg"));
    assert!(res.body.contains("Compa ratios per level"));
    let res = c.get("/pay/export.csv").await;
    assert_eq!(res.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(
        res.body
            .contains("self,Platform Services,Senior,7,manager,EUR,77000,60000,70000,80000,1.100,")
    );
    let log = app.store.audit_log(None, 100).await.unwrap();
    for action in [
        "pay.report.read",
        "pay.export",
        "pay.bands.import",
        "pay.salaries.import",
    ] {
        assert!(
            log.iter().any(|e| e.action == action),
            "{action} is audited"
        );
    }
}

#[tokio::test]
async fn a_past_compa_ratio_uses_the_grade_held_that_day() {
    let app = start().await;
    load_pay(&app).await;
    // `self` is promoted to staff, grade 8, from June.
    let mut r = app
        .store
        .person_by_email("self@example.com")
        .await
        .unwrap()
        .unwrap()
        .record;
    r.role.level = "staff".to_owned();
    r.role.grade = "8".to_owned();
    app.store
        .apply_people(
            &[r],
            "2026-06-01",
            None,
            NOW,
            &support::fixture("apply_people"),
        )
        .await
        .unwrap();
    let me = app.ids["self"];
    let (mut team, _) = client_as(&app, "people-team").await;
    let (mut own, _) = client_as(&app, "self").await;
    // Salary 77,000: grade 7's midpoint is 70,000, grade 8's 85,000.
    for (day, ratio, level, grade) in [
        ("2026-03-01", 77.0 / 70.0, "Senior", "7"),
        ("2026-11-21", 77.0 / 85.0, "Staff", "8"),
    ] {
        let res = team.get(&format!("/api/v1/pay/compa?as_of={day}")).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let v: serde_json::Value = serde_json::from_str(&res.body).unwrap();
        let line = v["people"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "self")
            .unwrap()
            .clone();
        assert!(
            (line["ratio"].as_f64().unwrap() - ratio).abs() < 1e-9,
            "{day}: {line}"
        );
        assert_eq!(line["level"], level, "{day}");
        assert_eq!(line["grade"], grade, "{day}");
        let res = own
            .get(&format!("/api/v1/people/{me}/pay?as_of={day}"))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let v: serde_json::Value = serde_json::from_str(&res.body).unwrap();
        assert!(
            (v["compa"]["ratio"].as_f64().unwrap() - ratio).abs() < 1e-9,
            "{day}: {v}"
        );
    }
}

#[tokio::test]
async fn pay_is_seen_by_the_person_their_chain_and_the_people_team_only() {
    let app = start().await;
    load_pay(&app).await;
    let me = app.ids["self"];
    for role in ROLES {
        let (mut c, _) = client_as(&app, role).await;
        let allowed = matches!(role, "self" | "manager" | "skip-level" | "people-team");
        for path in [
            format!("/people/{me}/pay"),
            format!("/api/v1/people/{me}/pay"),
        ] {
            let res = c.get(&path).await;
            assert_eq!(
                res.status == 200,
                allowed,
                "{role} GET {path}: {} {}",
                res.status,
                res.body
            );
            assert_eq!(
                res.body.contains("77,000") || res.body.contains("7700000"),
                allowed
            );
        }
        // The team page lists only reports' pay: the manager and skip-level
        // see self's; nobody else sees any figure of self's.
        let res = c.get("/team/pay").await;
        if role == "anonymous" {
            assert_eq!(res.status, 303);
        } else {
            assert_eq!(
                res.body.contains("77,000"),
                matches!(role, "manager" | "skip-level"),
                "{role} /team/pay"
            );
        }
        for path in ["/pay", "/pay/export.csv", "/api/v1/pay/compa"] {
            let res = c.get(path).await;
            assert_eq!(
                res.status == 200,
                role == "people-team",
                "{role} GET {path}"
            );
        }
    }
    // Every read that showed pay is in the audit log, the person's own too.
    let log = app.store.audit_log(None, 200).await.unwrap();
    let reads: Vec<_> = log.iter().filter(|e| e.action == "pay.read").collect();
    assert!(
        reads
            .iter()
            .any(|e| e.actor == "self@example.com" && e.subject_id == Some(me))
    );
    // The team page records each person it showed, them included.
    assert!(reads.iter().any(|e| e.actor == "skip@example.com"
        && e.detail == "team pay"
        && e.subject_id == Some(me)));
    assert!(!reads.iter().any(|e| e.actor == "peer@example.com"));
}

#[tokio::test]
async fn a_level_change_proposal_shows_the_new_band() {
    let app = start().await;
    load_pay(&app).await;
    let (_, proposal) = feedback_fixture(&app).await;
    // The skip-level (next approver) sees grade 8's band and self's ratio
    // against it: 77,000 / 85,000.
    let (mut c, _) = client_as(&app, "skip-level").await;
    let res = c.get(&format!("/proposals/{proposal}")).await;
    assert_eq!(res.status, 200);
    assert!(
        res.body
            .contains("grade 8 in western-europe: 75,000 – 85,000 – 98,000 EUR"),
        "{}",
        res.body
    );
    assert!(res.body.contains("<strong>0.91</strong>"));
    let res = c.get(&format!("/api/v1/proposals/{proposal}")).await;
    let v: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    assert_eq!(v["new_band"]["mid"], 8_500_000);
}

/// The people team's organisation report, its export and its API each
/// record a read of every person whose pay they show, so that "who read
/// my pay" finds them; people without a salary were not read.
#[tokio::test]
async fn the_organisation_report_records_a_read_of_each_persons_pay() {
    let app = start().await;
    load_pay(&app).await;
    let (mut team, _) = client_as(&app, "people-team").await;
    assert_eq!(team.get("/pay").await.status, 200);
    assert_eq!(team.get("/pay/export.csv").await.status, 200);
    assert_eq!(team.get("/api/v1/pay/compa").await.status, 200);
    let reads_of =
        |who: &str| format!("/audit/export.json?about={who}%40example.com&action=pay.read");
    let rows: serde_json::Value =
        serde_json::from_str(&team.get(&reads_of("self")).await.body).unwrap();
    let rows = rows.as_array().unwrap();
    assert!(!rows.is_empty(), "no pay.read about self");
    let total: u64 = rows.iter().map(|r| r["reads"].as_u64().unwrap()).sum();
    assert_eq!(total, 3, "the page, the export and the API: {rows:?}");
    assert!(
        rows.iter().all(|r| r["by"] == "people@example.com"),
        "{rows:?}"
    );
    let peer: serde_json::Value =
        serde_json::from_str(&team.get(&reads_of("peer")).await.body).unwrap();
    assert!(!peer.as_array().unwrap().is_empty());
    // The skip-level manager has no salary: nothing of theirs was read.
    let skip: serde_json::Value =
        serde_json::from_str(&team.get(&reads_of("skip")).await.body).unwrap();
    assert!(skip.as_array().unwrap().is_empty(), "{skip}");
}

/// A band for one family's level pays that role, and wins over its
/// grade's band: self (a senior backend engineer, grade 7) is measured
/// against it, peer (same grade, another role) still against the grade's.
#[tokio::test]
async fn a_role_band_wins_over_its_grades_band() {
    let app = start().await;
    load_pay(&app).await;
    let (mut c, csrf) = client_as(&app, "people-team").await;
    c.headers.push(("X-CSRF-Token".to_owned(), csrf));
    let me = app
        .store
        .person_by_email("self@example.com")
        .await
        .unwrap()
        .unwrap();
    let peer = app
        .store
        .person_by_email("peer@example.com")
        .await
        .unwrap()
        .unwrap();
    let role = &me.record.role;
    let csv = format!(
        "family,level,grade,zone,currency,min,mid,max,effective_from\n{},{},,western-europe,EUR,65000,77000,90000,2026-01-01\n",
        role.family, role.level
    );
    let res = post_csv(&mut c, "/api/v1/pay/bands/import", &csv).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let res = c.get("/api/v1/pay/compa?as_of=2026-11-21").await;
    let v: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    let ratio = |name: &str| {
        v["people"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()["ratio"]
            .as_f64()
            .unwrap()
    };
    assert!(
        (ratio("self") - 1.0).abs() < 1e-9,
        "77,000 on its role's 77,000"
    );
    if (
        peer.record.role.family.as_str(),
        peer.record.role.level.as_str(),
    ) != (role.family.as_str(), role.level.as_str())
    {
        assert!(
            (ratio("peer") - 58.0 / 70.0).abs() < 1e-9,
            "the grade's band"
        );
    }
    // A family or level the framework does not have is refused by name.
    let bad = "family,level,grade,zone,currency,min,mid,max,effective_from\nbackend-enginer,senior,,western-europe,EUR,1,2,3,2026-01-01\n";
    let res = post_csv(&mut c, "/api/v1/pay/bands/import", bad).await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(
        res.body.contains("did you mean `backend-engineer`?"),
        "{}",
        res.body
    );
    let page = c.get("/pay").await;
    assert!(
        page.body
            .contains(&format!("<td>{} {}</td>", role.family, role.level))
    );
}

/// The compa API gives its people a page at a time, in id order, with
/// aggregates over everyone; only the people a page shows are recorded
/// as read.
#[tokio::test]
async fn the_compa_report_pages_its_people_and_records_only_those_shown() {
    let app = start().await;
    load_pay(&app).await;
    let (mut c, _) = client_as(&app, "people-team").await;
    let mut seen = Vec::new();
    let mut path = "/api/v1/pay/compa?as_of=2026-11-21&limit=1".to_owned();
    for round in 0.. {
        assert!(round < 10, "the pages never end");
        let before = app.store.audit_log(None, 500).await.unwrap();
        let res = c.get(&path).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let v: serde_json::Value = serde_json::from_str(&res.body).unwrap();
        let people = v["people"].as_array().unwrap();
        assert!(people.len() <= 1, "{}", res.body);
        // The aggregates cover everyone on every page.
        let senior = v["by_level"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["key"] == "Senior")
            .unwrap();
        assert_eq!(senior["count"], 2);
        let ids: Vec<i64> = people
            .iter()
            .map(|p| p["person_id"].as_i64().unwrap())
            .collect();
        // This page's reads name this page's people and nobody else.
        let after = app.store.audit_log(None, 500).await.unwrap();
        let read: Vec<i64> = after
            .iter()
            .filter(|e| !before.iter().any(|b| b.id == e.id) && e.action == "pay.read")
            .filter_map(|e| e.subject_id)
            .collect();
        assert_eq!(read, ids, "{path}");
        seen.extend(ids);
        match v["next_cursor"].as_str() {
            Some(next) => {
                path = format!("/api/v1/pay/compa?as_of=2026-11-21&limit=1&cursor={next}");
            }
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(seen, sorted, "in id order, none twice");
    assert_eq!(seen.len(), 3, "everyone with a salary: {seen:?}");
    for bad in ["limit=0", "limit=501", "cursor=nope"] {
        let res = c.get(&format!("/api/v1/pay/compa?{bad}")).await;
        assert_eq!(res.status, 400, "{bad}: {}", res.body);
        assert!(
            res.body.contains(bad.split('=').next().unwrap()),
            "{}",
            res.body
        );
    }
}

/// A chain larger than a page: `/team/pay` shows fifty at a time, and only
/// the people a page shows are recorded as read.
#[tokio::test]
async fn team_pay_pages_the_chain_and_records_only_the_people_shown() {
    let app = start().await;
    load_pay(&app).await;
    let many: Vec<_> = (0..60)
        .map(|i| {
            person(
                &format!("r{i:02}@example.com"),
                Some("manager@example.com"),
                "senior",
            )
        })
        .collect();
    app.store
        .apply_people(&many, "2026-01-01", None, NOW, &fixture("apply_people"))
        .await
        .unwrap();
    let mut salaries = String::from("email,amount,currency,effective_from\n");
    for i in 0..60 {
        salaries.push_str(&format!(
            "r{i:02}@example.com,{},EUR,2026-02-01\n",
            60_000 + i
        ));
    }
    let mut team = api_as(&app, "people-team").await;
    let res = post_csv(&mut team, "/api/v1/pay/salaries/import", &salaries).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let (mut c, _) = client_as(&app, "manager").await;
    let reads = |log: &[ladder_store::AuditEvent]| -> Vec<i64> {
        log.iter()
            .filter(|e| e.action == "pay.read" && e.actor == "manager@example.com")
            .filter_map(|e| e.subject_id)
            .collect()
    };
    let page1 = c.get("/team/pay").await;
    assert_eq!(page1.status, 200, "{}", page1.body);
    assert!(page1.body.contains("Showing 1–50 of 62"), "{}", page1.body);
    let after1 = reads(&app.store.audit_log(None, 500).await.unwrap());
    assert_eq!(after1.len(), 50, "one read per person shown");
    let page2 = c.get("/team/pay?page=2").await;
    assert!(page2.body.contains("Showing 51–62 of 62"), "{}", page2.body);
    let after2 = reads(&app.store.audit_log(None, 500).await.unwrap());
    assert_eq!(after2.len(), 62, "the second page's twelve too");
    // The per-level figures cover the whole chain on every page.
    assert!(
        page2.body.contains("<td>Senior</td><td>62</td>"),
        "{}",
        page2.body
    );

    // The organisation's pay page records exactly the people whose pay it
    // shows (its table's page and the flagged it lists); the export,
    // everyone with a salary.
    let linked = |body: &str| -> std::collections::BTreeSet<i64> {
        body.split("href=\"/people/")
            .skip(1)
            .filter_map(|x| {
                let (id, rest) = x.split_once('/')?;
                rest.starts_with("pay\"").then(|| id.parse().ok())?
            })
            .collect()
    };
    let team_reads = |log: &[ladder_store::AuditEvent]| -> std::collections::BTreeSet<i64> {
        log.iter()
            .filter(|e| e.action == "pay.read" && e.actor == "people@example.com")
            .filter_map(|e| e.subject_id)
            .collect()
    };
    let before = team_reads(&app.store.audit_log(None, 1000).await.unwrap());
    assert!(before.is_empty(), "{before:?}");
    let pay = team.get("/pay").await;
    assert_eq!(pay.status, 200);
    let shown = linked(&pay.body);
    assert!(shown.len() >= 50 && shown.len() < 63, "{}", shown.len());
    assert_eq!(
        team_reads(&app.store.audit_log(None, 1000).await.unwrap()),
        shown
    );
    assert_eq!(team.get("/pay/export.csv").await.status, 200);
    assert_eq!(
        team_reads(&app.store.audit_log(None, 1000).await.unwrap()).len(),
        63,
        "the export holds everyone with a salary"
    );
}

/// The report is computed once per version of the organisation: a salary
/// loaded after it was read shows at once, on the page, in the API and in
/// the export, and new bands move the ratios.
#[tokio::test]
async fn the_report_follows_every_pay_write() {
    let app = start().await;
    load_pay(&app).await;
    let (mut c, csrf) = client_as(&app, "people-team").await;
    let res = c.get("/api/v1/pay/compa?as_of=2026-11-21").await;
    assert!(res.body.contains(r#""salary":7700000"#), "{}", res.body);
    let page = c.get("/pay?as_of=2026-11-21").await;
    assert!(page.body.contains("77,000"), "{}", page.body);
    c.headers.push(("X-CSRF-Token".to_owned(), csrf));
    let raise = "email,amount,currency,effective_from\nself@example.com,81000,EUR,2026-06-01\n";
    let res = post_csv(&mut c, "/api/v1/pay/salaries/import", raise).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let res = c.get("/api/v1/pay/compa?as_of=2026-11-21").await;
    assert!(res.body.contains(r#""salary":8100000"#), "{}", res.body);
    assert!(!res.body.contains(r#""salary":7700000"#), "{}", res.body);
    let page = c.get("/pay?as_of=2026-11-21").await;
    assert!(page.body.contains("81,000") && !page.body.contains("77,000"));
    let csv = c.get("/pay/export.csv?as_of=2026-11-21").await;
    assert!(
        csv.body.contains(",8100000,") || csv.body.contains(",81000,"),
        "{}",
        csv.body
    );
    // New bands: the ratio moves.
    let bands = "grade,zone,currency,min,mid,max,effective_from\n\
        7,western-europe,EUR,70000,90000,100000,2026-06-01\n";
    let res = post_csv(&mut c, "/api/v1/pay/bands/import", bands).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let res = c.get("/api/v1/pay/compa?as_of=2026-11-21").await;
    assert!(res.body.contains(r#""ratio":0.9"#), "{}", res.body);
}
