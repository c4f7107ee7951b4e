//! `ladder demo` in a real browser: the demo manager's home page opens on
//! what the demo leaves for them, each task's link leads to where it is
//! done, and doing it removes the task.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../../ladder-server/tests/support/browser.rs"]
mod chrome;
// The browser helper loads it too, privately.
#[path = "../../ladder-server/tests/support/smtp.rs"]
mod smtp;
#[allow(clippy::duplicate_mod)]
#[path = "../../ladder-server/tests/support/spawned.rs"]
mod spawned;

#[path = "support/demo.rs"]
mod support;

use chrome::Browser;
use fantoccini::Locator;
use support::Demo;

fn demo(smtp: u16) -> Demo {
    support::demo(&["--people", "40", "--smtp", &format!("127.0.0.1:{smtp}")])
}

/// Signs in as `email` with the demo's password, and waits for the page.
async fn sign_in(b: &Browser, demo: &Demo, email: &str) {
    b.goto(&format!("{}/login", demo.base)).await;
    b.fill("#email", email).await;
    b.fill("#password", "ladder-demo").await;
    b.click("form.stack button[type=submit]").await;
    b.wait_text(".account .who", "").await;
}

/// The home page's tasks: (kind, overdue, title).
async fn tasks(b: &Browser) -> Vec<(String, bool, String)> {
    b.wait_text("h1", "What needs you").await;
    let mut out = Vec::new();
    for li in b
        .client
        .find_all(Locator::Css("ol.tasks li.task"))
        .await
        .unwrap()
    {
        let kind = li.attr("data-kind").await.unwrap().unwrap_or_default();
        let class = li.attr("class").await.unwrap().unwrap_or_default();
        let title = li
            .find(Locator::Css("a"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        out.push((kind, class.contains("overdue"), title));
    }
    out
}

#[tokio::test]
async fn the_demo_manager_starts_on_what_needs_them() {
    let mail = smtp::SmtpSink::start();
    let demo = demo(mail.port);
    // The demo's people get their reminders by email (the history the demo
    // wrote is not announced).
    let got = mail.wait_for_subject("Reminder").await;
    assert!(
        got.iter().all(|(to, _)| to.ends_with("@example.com")),
        "{got:?}"
    );
    assert!(
        !got.iter().any(|(_, s)| s.starts_with("1:1 with")),
        "no news of the seeded history: {got:?}"
    );
    let b = Browser::start().await;
    sign_in(&b, &demo, demo.login("manager")).await;
    assert_eq!(b.path().await, "/");

    // First on the page: the heading, then the list.
    let first = b
        .client
        .find(Locator::Css("main > *:nth-child(2)"))
        .await
        .unwrap();
    assert_eq!(first.attr("class").await.unwrap().as_deref(), Some("tasks"));
    let home = tasks(&b).await;
    let kinds: Vec<&str> = home.iter().map(|t| t.0.as_str()).collect();
    for want in ["approve_nominations", "decide_internship"] {
        assert!(kinds.contains(&want), "{want} missing from {home:?}");
    }
    assert!(
        home.iter()
            .any(|t| t.1 && t.0.ends_with("_checkpoint") && !t.2.contains("your")),
        "a report's overdue checkpoint: {home:?}"
    );
    assert!(
        home.iter().map(|t| !t.1).is_sorted(),
        "overdue first: {home:?}"
    );

    // The internship request: its link opens the request; approving it
    // takes it off the list.
    b.click("li[data-kind=decide_internship] a").await;
    b.wait_text("form.stack button[value=approve]", "Approve")
        .await;
    assert!(b.path().await.starts_with("/internships/"));
    b.click("form.stack button[value=approve]").await;
    b.wait_text("main", "Home manager: approved").await;
    b.goto(&format!("{}/", demo.base)).await;
    let after = tasks(&b).await;
    assert!(
        !after.iter().any(|t| t.0 == "decide_internship"),
        "{after:?}"
    );
    // The intern is told, by email, within a tick.
    mail.wait_for_subject("Your manager approved your internship")
        .await;

    // The nomination list: approved where it is shown.
    b.click("li[data-kind=approve_nominations] a").await;
    b.wait_text("#save-nominations", "Approve this list").await;
    assert!(b.path().await.starts_with("/cycles/"));
    b.click("#save-nominations").await;
    b.wait_text("#cycle-state", "nominations").await;
    b.goto(&format!("{}/", demo.base)).await;
    let after = tasks(&b).await;
    assert!(
        !after.iter().any(|t| t.0 == "approve_nominations"),
        "{after:?}"
    );

    // An overdue checkpoint to open: the link is the form that opens it.
    b.click("li[data-kind=open_checkpoint] a").await;
    b.wait_text("h1", "checkpoint").await;
    assert!(b.path().await.ends_with("/checkpoints/new"));
    b.client.clone().close().await.unwrap();
}

/// Every demo role walks every page its navigation offers, on a desktop
/// and on a phone: axe runs in each (through `goto`) and fails on any
/// violation; each page marks where it is, and none is wider than a
/// phone's screen.
#[tokio::test]
async fn every_demo_role_reaches_every_page_of_its_navigation() {
    let mail = smtp::SmtpSink::start();
    let demo = demo(mail.port);
    let b = Browser::start().await;
    for (role, email) in &demo.logins {
        b.client.delete_all_cookies().await.unwrap();
        sign_in(&b, &demo, email).await;
        // Every page the navigation offers, and every page the home page
        // links to (the tasks: forms to fill, meetings, results).
        let links = strings(
            &b,
            "const seen = new Set(); const out = [];
             for (const a of document.querySelectorAll('header.top nav a, main a')) {
               const h = a.getAttribute('href');
               if (h && h.startsWith('/') && !h.startsWith('//') && !seen.has(h)) { seen.add(h); out.push(h); }
             }
             return out;",
            vec![],
        )
        .await;
        assert!(links.len() >= 6, "{role}: {links:?}");
        for phone in [false, true] {
            if phone {
                b.phone().await;
            } else {
                b.desktop().await;
            }
            for href in &links {
                b.goto(&format!("{}{href}", demo.base)).await;
                if href.starts_with("/framework/") {
                    // The static framework pages: a way back to the app.
                    b.wait_text("header nav", "Back to Ladder").await;
                    continue;
                }
                let in_nav = b
                    .client
                    .execute(
                        "return [...document.querySelectorAll('header.top nav a')].some(a => a.getAttribute('href') === arguments[0]);",
                        vec![serde_json::json!(href)],
                    )
                    .await
                    .unwrap()
                    .as_bool()
                    .unwrap_or(false);
                let marked = b
                    .client
                    .execute(
                        "const a = document.querySelector('[aria-current=page]'); return a ? a.getAttribute('href') : null;",
                        vec![],
                    )
                    .await
                    .unwrap();
                if in_nav {
                    assert_eq!(marked.as_str(), Some(href.as_str()), "{role} on {href}");
                }
                if phone {
                    b.assert_fits_the_screen(&format!("{role} on {href}")).await;
                }
            }
        }
        b.desktop().await;
    }
    b.client.clone().close().await.unwrap();
}

/// What `script` returns, a list of strings.
async fn strings(b: &Browser, script: &str, args: Vec<serde_json::Value>) -> Vec<String> {
    b.client
        .execute(script, args)
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// The texts of the cells in column `col` (0-based) of `table`'s body.
async fn column(b: &Browser, table: &str, col: usize) -> Vec<String> {
    strings(
        b,
        "return [...document.querySelectorAll(arguments[0] + ' tbody tr')].map(r => r.cells[arguments[1]].textContent.trim());",
        vec![serde_json::json!(table), serde_json::json!(col)],
    )
    .await
}

/// The names a department's section lists.
async fn department_names(b: &Browser) -> Vec<String> {
    strings(
        b,
        "return [...document.querySelectorAll('#department ul.people li a')].map(a => a.textContent.trim());",
        vec![],
    )
    .await
}

/// A demo of 10,000 people: the people team pages through a department
/// of the directory and through the pay table, sorts it and filters it
/// on the server, and no page holds more than its page of people.
#[tokio::test]
async fn the_people_team_pages_through_a_ten_thousand_person_organisation() {
    let mail = smtp::SmtpSink::start();
    let demo = support::demo(&[
        "--people",
        "10000",
        "--smtp",
        &format!("127.0.0.1:{}", mail.port),
    ]);
    let b = Browser::start().await;
    sign_in(&b, &demo, demo.login("people team")).await;

    // The directory: departments with their counts, one a hundred at a
    // time.
    b.goto(&format!("{}/org", demo.base)).await;
    b.click("a[href^='/org?department=']").await;
    let heading = b.wait_text("#department-h", "(").await;
    let total: usize = heading
        .rsplit('(')
        .next()
        .and_then(|c| c.trim_end_matches(')').trim().parse().ok())
        .unwrap_or_else(|| panic!("a count in {heading:?}"));
    assert!(total > 200, "{heading}");
    let first = department_names(&b).await;
    assert_eq!(first.len(), 100, "a hundred at a time");
    b.click("#department a[rel=next]").await;
    b.wait_text("#department-h", "(").await;
    let second = department_names(&b).await;
    assert_eq!(second.len(), 100);
    assert_ne!(first, second, "the next page shows other people");

    // The pay table: fifty a page, of everyone with a salary.
    b.goto(&format!("{}/pay", demo.base)).await;
    let count = b.wait_text("#everyone-count", "Showing 1–50 of").await;
    let with: usize = count
        .rsplit(" of ")
        .next()
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("a total in {count:?}"));
    assert!(with > 5_000, "{count}");
    let page1 = column(&b, "#everyone", 0).await;
    assert_eq!(page1.len(), 50);
    b.click("nav.pager a[rel=next]").await;
    b.wait_text("#everyone-count", "Showing 51–100 of").await;
    let page2 = column(&b, "#everyone", 0).await;
    assert_eq!(page2.len(), 50);
    assert!(page2.iter().all(|n| !page1.contains(n)), "{page2:?}");
    // Sorted by name: page two follows page one.
    let lower = |v: &[String]| v.iter().map(|s| s.to_lowercase()).collect::<Vec<_>>();
    let (p1, p2) = (lower(&page1), lower(&page2));
    assert!(p1.windows(2).all(|w| w[0] <= w[1]), "{p1:?}");
    assert!(p1.last() <= p2.first(), "{p1:?} then {p2:?}");

    // Sorted by compa ratio by the server, highest first.
    b.click("#everyone th:nth-child(7) a.sort").await;
    b.wait_text("#everyone th[aria-sort=ascending]", "Compa")
        .await;
    b.click("#everyone th:nth-child(7) a.sort").await;
    b.wait_text("#everyone th[aria-sort=descending]", "Compa")
        .await;
    let ratios: Vec<f64> = column(&b, "#everyone", 6)
        .await
        .iter()
        .filter_map(|r| r.parse().ok())
        .collect();
    assert_eq!(ratios.len(), 50);
    assert!(ratios.windows(2).all(|w| w[0] >= w[1]), "{ratios:?}");

    // Filtered by a department, on the server, still a page at a time.
    let department = column(&b, "#everyone", 1).await[0].clone();
    b.fill("#everyone-q", &department).await;
    b.click("form.table-filter button[type=submit]").await;
    let filtered = b.wait_text("#everyone-count", "matching").await;
    assert!(filtered.contains(&format!("(of {with})")), "{filtered}");
    let matching: usize = filtered
        .split(" of ")
        .nth(1)
        .and_then(|n| n.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("a count in {filtered:?}"));
    assert!(matching > 0 && matching < with, "{filtered}");
    let departments = column(&b, "#everyone", 1).await;
    assert_eq!(departments.len(), matching.min(50));
    assert!(
        departments.iter().any(|d| d == &department),
        "{departments:?}"
    );
    b.client.clone().close().await.unwrap();
}
