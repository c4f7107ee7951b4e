//! End to end in a real browser: Debian's Chromium, headless, driven
//! through ChromeDriver with fantoccini. `.ci/run` installs `chromium` and
//! `chromium-driver`; these tests fail (never skip) without them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

#[path = "support/browser.rs"]
mod chrome;

use chrome::Browser;
use fantoccini::Locator;
use serde_json::json;
use support::{OidcProvider, PASSWORD, start, start_sso};

#[tokio::test]
async fn local_login_home_and_a_people_import_with_a_bad_row() {
    let app = start().await;
    let base = format!("http://{}", app.addr);
    let b = Browser::start().await;

    // A wrong password shows the form again with a message.
    b.goto(&format!("{base}/login")).await;
    b.fill("#email", "people@example.com").await;
    b.fill("#password", "not the password").await;
    b.click("form.stack button[type=submit]").await;
    b.wait_text("[role=alert]", "do not match").await;

    // Signing in lands on the home page.
    b.fill("#email", "self@example.com").await;
    b.fill("#password", PASSWORD).await;
    b.click("form.stack button[type=submit]").await;
    b.wait_text(".who", "self").await;
    assert_eq!(b.path().await, "/");
    b.wait_text("h1", "What needs you").await;
    b.click("a[href='/my-role']").await;
    b.wait_text("#expect", "What your level expects").await;
    b.wait_text("p.meta", "Senior").await;

    // Sign out, and in again as the people team.
    b.click(".signout button").await;
    b.wait_text("[role=status]", "signed out").await;
    b.fill("#email", "people@example.com").await;
    b.fill("#password", PASSWORD).await;
    b.click("form.stack button[type=submit]").await;
    b.wait_text(".who", "people-team").await;

    // A CSV with one bad row: the row is named and nothing changes.
    let before = app.store.count_people().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("people.csv");
    std::fs::write(
        &csv,
        "Email,Full Name,Manager Email,Department,Job Family,Level\n\
         ana@example.com,Ana,manager@example.com,Platform Services,backend-engineer,senior\n\
         ben@example.com,Ben,manager@example.com,Platform Services,backend-engineer,seniour\n",
    )
    .unwrap();
    b.goto(&format!("{base}/people-team/import")).await;
    b.wait_text("h1", "Import people").await;
    let input = b.client.find(Locator::Css("#file")).await.unwrap();
    input.send_keys(&csv.display().to_string()).await.unwrap();
    b.click("form.stack button[type=submit]").await;
    let alert = b.wait_text("[role=alert]", "Nothing was changed").await;
    assert!(alert.contains("seniour"), "{alert}");
    let row = b.wait_text("[role=alert] tbody tr", "seniour").await;
    assert!(row.starts_with('3'), "the bad row is named as row 3: {row}");
    assert!(row.contains("senior"), "with a did-you-mean: {row}");
    assert_eq!(app.store.count_people().await.unwrap(), before);

    b.client.clone().close().await.unwrap();
}

#[tokio::test]
async fn sso_login_in_the_browser() {
    let op = OidcProvider::start(&[("manager", "manager@example.com", true)]).await;
    let app = start_sso(&op.issuer()).await;
    let b = Browser::start().await;
    b.goto(&format!("http://{}/login", app.addr)).await;
    b.wait_text("#sso", "Sign in with Test SSO").await;
    b.click("#sso").await;
    // The provider's page: pick the one-click user.
    b.wait_text("h1", "Authorize").await;
    b.click("button[name=sub][value=manager]").await;
    b.wait_text(".who", "manager").await;
    assert_eq!(b.path().await, "/");
    b.goto(&format!("http://{}/team", app.addr)).await;
    let team = b.client.source().await.unwrap();
    assert!(
        team.contains("self") && team.contains("peer"),
        "a manager sees their team"
    );
    b.client.clone().close().await.unwrap();
}

impl Browser {
    async fn sign_in(&self, base: &str, email: &str, name: &str) {
        self.goto(&format!("{base}/login")).await;
        if self
            .client
            .find(Locator::Css(".signout button"))
            .await
            .is_ok()
        {
            self.click(".signout button").await;
            self.wait_text("[role=status]", "signed out").await;
        }
        self.fill("#email", email).await;
        self.fill("#password", PASSWORD).await;
        self.click("form.stack button[type=submit]").await;
        self.wait_text(".who", name).await;
    }

    /// The radar's description: its numbers, as a screen reader hears them.
    async fn radar(&self) -> String {
        self.wait_text("#radar", "").await;
        let v = self
            .client
            .execute(
                "return document.querySelector('#radar desc').textContent;",
                vec![],
            )
            .await
            .unwrap();
        let text = v.as_str().unwrap_or_default().to_owned();
        assert!(
            text.contains("self"),
            "the radar describes its numbers: {text}"
        );
        text
    }

    /// Sends keys to an element (WebDriver key codes for Enter, Tab and
    /// the arrows).
    async fn keys(&self, css: &str, keys: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .send_keys(keys)
            .await
            .unwrap();
    }

    async fn focus(&self, css: &str) {
        self.client
            .execute(
                "document.querySelector(arguments[0]).focus();",
                vec![json!(css)],
            )
            .await
            .unwrap();
    }

    async fn count(&self, css: &str) -> usize {
        self.client.find_all(Locator::Css(css)).await.unwrap().len()
    }

    /// Marks the page, to tell later whether it was reloaded.
    async fn mark_page(&self) {
        self.client
            .execute("window.__ladderMark = true;", vec![])
            .await
            .unwrap();
    }

    async fn same_page(&self) -> bool {
        self.client
            .execute("return window.__ladderMark === true;", vec![])
            .await
            .unwrap()
            .as_bool()
            .unwrap_or(false)
    }

    /// What a form field holds now.
    async fn value(&self, css: &str) -> String {
        self.client
            .execute(
                "return document.querySelector(arguments[0]).value;",
                vec![json!(css)],
            )
            .await
            .unwrap()
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    async fn set_value(&self, css: &str, value: &str) {
        self.client
            .execute(
                "document.querySelector(arguments[0]).value = arguments[1];",
                vec![json!(css), json!(value)],
            )
            .await
            .unwrap();
    }
}

/// Adds a person like `peer` (or in another department) with a login;
/// returns their id and email (their first name, lower-cased).
async fn person_with_login(
    app: &support::App,
    name: &str,
    department: Option<&str>,
) -> (i64, String) {
    let email = format!(
        "{}@example.com",
        name.split(' ').next().unwrap().to_lowercase()
    );
    let mut r = app
        .store
        .person_by_email("peer@example.com")
        .await
        .unwrap()
        .unwrap()
        .record;
    r.email.clone_from(&email);
    r.name = name.to_owned();
    if let Some(d) = department {
        d.clone_into(&mut r.department);
    }
    app.store
        .apply_people(
            &[r],
            "2026-01-01",
            None,
            support::NOW,
            &support::fixture("apply_people"),
        )
        .await
        .unwrap();
    let hash = ladder_server::auth::hash_password(PASSWORD).await.unwrap();
    app.store
        .create_account(
            &email,
            name,
            Some(&hash),
            ladder_store::Roles::NONE,
            support::NOW,
            &support::fixture("create_account"),
        )
        .await
        .unwrap();
    let id = app.store.person_by_email(&email).await.unwrap().unwrap().id;
    (id, email)
}

/// A quarter lived in the browser: the checkpoint opened with two areas
/// (one and four refused), a 1:1 with the areas on its agenda and an
/// action item carried to the next, ratings on both sides moving the
/// radar, and the checkpoint closed with summaries.
#[tokio::test]
async fn a_quarter_in_the_browser() {
    let app = start().await;
    let base = format!("http://{}", app.addr);
    let (me, boss) = (app.ids["self"], app.ids["manager"]);
    let loaded = app.state.framework();
    let person = app.store.person(me).await.unwrap().unwrap();
    let ws = ladder_growth::worksheet::worksheet(
        &loaded.framework,
        &person.record.role.family,
        &person.record.role.level,
        person.record.role.specialty.as_deref(),
    )
    .unwrap();
    let rows: Vec<&str> = ws.rows.iter().map(|r| r.id.as_str()).take(4).collect();
    let b = Browser::start().await;

    // 1. The report opens the checkpoint: one area and four are refused.
    b.sign_in(&base, "self@example.com", "self").await;
    let choose = |n: usize| {
        let rows = rows.clone();
        let b = &b;
        let base = base.clone();
        async move {
            b.goto(&format!("{base}/people/{me}/checkpoints/new")).await;
            b.wait_text("h1", "Open the").await;
            for id in rows.iter().take(n) {
                b.click(&format!("input[name=area][value='{id}']")).await;
            }
            b.click("form.areas button[type=submit]").await;
        }
    };
    choose(1).await;
    b.wait_text("[role=alert]", "choose at least 2; you chose 1")
        .await;
    choose(4).await;
    b.wait_text("[role=alert]", "choose at most 3; you chose 4")
        .await;
    choose(2).await;
    // Step two (step one's form has a legend too).
    b.wait_text("form.stack legend", "").await;
    for id in rows.iter().take(2) {
        b.fill(&format!("#goals-{id}"), "Lead one piece of work on this")
            .await;
        b.fill(
            &format!("#targets-{id}"),
            "Shipped and written up by the end of the quarter",
        )
        .await;
    }
    b.click("form.stack button[type=submit]").await;
    // The checkpoint's own page (the form's heading also says "checkpoint").
    b.wait_text("h1", "self: checkpoint 2026-Q4").await;
    let opened = app.store.checkpoints(me).await.unwrap();
    assert_eq!(opened.len(), 1);
    assert_eq!(opened[0].areas.len(), 2);

    // 2. The manager holds a 1:1: the areas are on the standing agenda; an
    // action item carries over to the next meeting.
    b.sign_in(&base, "manager@example.com", "manager").await;
    b.goto(&format!("{base}/one-on-ones/{boss}/{me}")).await;
    b.set_value("#date", "2026-11-16").await;
    b.click("form.inline button[type=submit]").await;
    let agenda = b.wait_text("main", "Focus areas for 2026-Q4").await;
    assert!(agenda.contains(&ws.rows[0].text), "{agenda}");
    // Each note saves on its own: text typed in the shared notes is not
    // lost when the private note is saved (leaving the box saved it).
    b.mark_page().await;
    b.fill("#notes-text", "We agreed on the design review.")
        .await;
    b.fill("#private-text", "Seems tired; ask about on-call load.")
        .await;
    b.click("#private-form button[type=submit]").await;
    b.wait_text("#private-form .saved", "Saved").await;
    b.wait_text("#notes-form .saved", "Saved").await;
    assert!(b.same_page().await, "saved in place");
    assert_eq!(
        b.value("#notes-text").await,
        "We agreed on the design review."
    );
    let m = app.store.meetings(boss, me).await.unwrap();
    assert_eq!(m[0].shared_notes, "We agreed on the design review.");
    b.fill("#action-text", "Write the on-call guide").await;
    b.click("#actions form.inline:last-of-type button[type=submit]")
        .await;
    b.wait_text("#actions ul", "Write the on-call guide").await;
    b.wait_text("#saved-notice", "Action item added.").await;
    // Text pasted with a character Ladder cannot store is refused at the
    // door and given back, cleaned, to send again; nothing is lost.
    b.set_value("#action-text", "Book the\u{7} design review")
        .await;
    b.click("#actions form[action$='/actions'] button[type=submit]")
        .await;
    b.wait_text("#refused-why", "U+0007").await;
    b.axe().await;
    assert_eq!(b.value("main textarea").await, "Book the design review");
    b.click("main form button[type=submit]").await;
    b.wait_text("#actions ul", "Book the design review").await;
    // The same through htmx: the notes box keeps the text and says why.
    b.set_value("#notes-text", "Paste\u{1b}d from a terminal")
        .await;
    b.click("#notes-form button[type=submit]").await;
    b.wait_text("#notes-form [data-refused]", "U+001B").await;
    assert_eq!(b.value("#notes-text").await, "Paste\u{1b}d from a terminal");
    b.axe().await;
    b.goto(&format!("{base}/one-on-ones/{boss}/{me}")).await;
    b.set_value("#date", "2026-11-23").await;
    b.click("form.inline button[type=submit]").await;
    let carried = b.wait_text("#actions ul", "Write the on-call guide").await;
    assert!(carried.contains("carried over"), "{carried}");

    // 3. Ratings on both sides, in place: choosing a rating saves the
    // row without a reload, evidence links become links, each row's
    // history is one click away, and the radar moves.
    b.sign_in(&base, "self@example.com", "self").await;
    let sheet = format!("{base}/people/{me}/worksheet");
    b.goto(&sheet).await;
    let before = b.radar().await;
    let row = rows[0];
    b.mark_page().await;
    b.click(&format!("#s-{row} input[name=value][value='4']"))
        .await;
    b.wait_text(&format!("#s-{row} .saved"), "Saved").await;
    b.fill(
        &format!("#ev-{row}"),
        "See https://example.invalid/design-doc.",
    )
    .await;
    b.click(&format!("#s-{row} form button[type=submit]")).await;
    b.wait_text(
        &format!("#s-{row} .evidence a"),
        "https://example.invalid/design-doc",
    )
    .await;
    b.click(&format!("#s-{row} .ws-history summary")).await;
    let history = b
        .wait_text(&format!("#s-{row} .ws-history ol"), "first rated 4")
        .await;
    assert!(
        history.contains("by self") && history.contains("evidence changed"),
        "{history}"
    );
    assert!(
        b.same_page().await,
        "rating saved in place, without a reload"
    );
    // The keyboard alone: an arrow key moves the rating (and saves it),
    // Tab goes to the evidence, typing and leaving the box saves it.
    let second = rows[1];
    b.focus(&format!("#v-{second}-1")).await;
    b.keys(&format!("#v-{second}-1"), " ").await;
    b.wait_text(&format!("#s-{second} .saved"), "Saved").await;
    b.keys(&format!("#v-{second}-1"), "\u{e014}").await; // Arrow right: 2
    b.wait_text(&format!("#s-{second} .ws-value"), "2").await;
    b.keys(
        &format!("#v-{second}-2"),
        "\u{e004}Paired on the incident review\u{e004}",
    )
    .await; // Tab, text, Tab
    b.wait_text(
        &format!("#s-{second} .evidence"),
        "Paired on the incident review",
    )
    .await;
    assert!(b.same_page().await, "the keyboard saves in place too");
    // A refused save keeps what was typed, with the reason beside it.
    let third = rows[2];
    b.fill(&format!("#ev-{third}"), "Typed before choosing a rating")
        .await;
    b.click(&format!("#s-{third} form button[type=submit]"))
        .await;
    b.wait_text(&format!("#s-{third} [role=alert]"), "Choose a rating")
        .await;
    assert_eq!(
        b.value(&format!("#ev-{third}")).await,
        "Typed before choosing a rating"
    );
    b.goto(&sheet).await;
    let after_self = b.radar().await;
    assert_ne!(before, after_self, "the self rating changed the radar");
    b.sign_in(&base, "manager@example.com", "manager").await;
    b.goto(&sheet).await;
    b.click(&format!("#s-{row} input[name=value][value='2']"))
        .await;
    b.wait_text(&format!("#s-{row}"), "self and manager differ")
        .await;
    b.goto(&sheet).await;
    let after_manager = b.radar().await;
    assert_ne!(
        after_self, after_manager,
        "the manager rating changed the radar"
    );
    // Filters: the rows where self and manager differ; the manager's
    // unrated rows.
    b.goto(&format!("{sheet}?show=differs")).await;
    let shown = b.count(".ws-row").await;
    assert_eq!(shown, 1, "one row differs");
    b.goto(&format!("{sheet}?show=unrated")).await;
    assert_eq!(b.count(".ws-row").await, ws.rows.len() - 1);
    // On a phone: nothing wider than the screen.
    b.phone().await;
    b.goto(&sheet).await;
    b.assert_fits_the_screen("the worksheet").await;
    b.desktop().await;

    // 4. The checkpoint closes with a summary per area, and offers the
    // worksheet rows to update.
    b.goto(&format!("{base}/checkpoints/{}", opened[0].id))
        .await;
    for a in &opened[0].areas {
        b.fill(
            &format!("#summary-{}", a.id),
            "Shipped the first part; the rest next quarter",
        )
        .await;
    }
    b.click("form.stack button[type=submit]").await;
    let update = b.wait_text("#update", "Update the worksheet").await;
    assert!(update.contains(&ws.rows[0].text), "{update}");
    let closed = app.store.checkpoint(opened[0].id).await.unwrap().unwrap();
    assert!(closed.closed_at.is_some());
    assert!(closed.areas.iter().all(|a| a.summary.is_some()));

    b.client.clone().close().await.unwrap();
}

/// A 360 cycle in the browser: the person nominates three peers, their
/// manager approves, the peers answer one by one and the peers' group
/// appears only at the third answer; the manager proposes a promotion, the
/// skip-level and the people team approve, and the person has the new
/// level.
#[tokio::test]
async fn a_feedback_cycle_in_the_browser() {
    use ladder_store::{CycleState, NewCycle};
    let app = start().await;
    let base = format!("http://{}", app.addr);
    let me = app.ids["self"];
    // Two more peers of `self`, with logins.
    let mut extra = Vec::new();
    for name in ["Vera Lind", "Walt Osei"] {
        let (id, email) = person_with_login(&app, name, None).await;
        extra.push((id, email, name));
    }
    let by = Some(app.accounts["people-team"]);
    let cycle = app
        .store
        .create_cycle(
            &NewCycle {
                name: "Winter 2026".to_owned(),
                nominations_open: "2026-11-16".to_owned(),
                nominations_close: "2026-11-22".to_owned(),
                feedback_open: "2026-11-23".to_owned(),
                feedback_close: "2026-12-18".to_owned(),
                anonymity_threshold: 3,
                min_peers: 3,
                max_peers: 6,
            },
            by,
            support::NOW,
            &support::fixture("create_cycle"),
        )
        .await
        .unwrap();
    app.store
        .advance_cycle(
            cycle,
            CycleState::Draft,
            &[],
            None,
            by,
            support::NOW,
            &support::fixture("advance_cycle"),
        )
        .await
        .unwrap();
    let b = Browser::start().await;
    let nominations = format!("{base}/cycles/{cycle}/nominations/{me}");

    // 1. The person nominates three peers by name, with the keyboard
    // alone and in under 20 key presses: a few letters and Enter for
    // each, then Enter in the empty box to send.
    b.sign_in(&base, "self@example.com", "self").await;
    b.goto(&nominations).await;
    b.wait_text("h1", "Nominations").await;
    b.focus("#peer-q").await;
    let presses = ["peer\u{e007}", "vera\u{e007}", "walt\u{e007}"];
    for (i, p) in presses.iter().enumerate() {
        b.keys("#peer-q", p).await;
        b.wait_text("ul.chosen", [("peer"), ("Vera Lind"), ("Walt Osei")][i])
            .await;
    }
    let chosen = b.wait_text("ul.chosen", "Walt Osei").await;
    assert!(
        chosen.contains("Senior") || chosen.contains("Engineer"),
        "role shown: {chosen}"
    );
    let count: usize = presses.iter().map(|p| p.chars().count()).sum::<usize>() + 1;
    assert!(count < 20, "{count} key presses");
    b.keys("#peer-q", "\u{e007}").await;
    b.wait_text("#cycle-state", "nominations").await;
    let saved: Vec<_> = app
        .store
        .nominations(cycle)
        .await
        .unwrap()
        .into_iter()
        .filter(|n| n.person_id == me)
        .collect();
    let peers = [app.ids["peer"], extra[0].0, extra[1].0];
    for id in peers {
        assert!(
            saved.iter().any(|n| n.respondent_id == id),
            "{id} nominated: {saved:?}"
        );
    }

    // 2. The manager approves the list as it is.
    b.sign_in(&base, "manager@example.com", "manager").await;
    b.goto(&nominations).await;
    b.wait_text("h1", "Nominations").await;
    b.click("#save-nominations").await;
    b.wait_text("#cycle-state", "nominations").await;
    b.goto(&nominations).await;
    b.wait_text(".meta", "approved").await;

    // The people team opens the feedback window.
    b.sign_in(&base, "people@example.com", "people-team").await;
    b.goto(&format!("{base}/cycles/{cycle}")).await;
    b.wait_text("#scheduled", "by itself on").await;
    b.fill("#reason", "Everyone has nominated").await;
    // Irreversible: a first press opens the confirmation (here with the
    // keyboard: Enter on the summary, then Enter on the button).
    b.keys("details.confirm summary", "\u{e007}").await;
    b.wait_text("details.confirm[open]", "cannot go back").await;
    b.keys("#advance", "\u{e007}").await;
    b.wait_text("#cycle-state", "feedback").await;

    // 3. Three peers answer; the person looks after each, and sees their
    //    results once the people team releases them.
    let results = format!("{base}/cycles/{cycle}/results/{me}");
    let respondents = [
        ("peer@example.com", "peer"),
        (extra[0].1.as_str(), extra[0].2),
        (extra[1].1.as_str(), extra[1].2),
    ];
    for (i, (email, name)) in respondents.iter().enumerate() {
        b.sign_in(&base, email, name).await;
        b.goto(&format!("{base}/cycles/{cycle}/feedback/{me}"))
            .await;
        b.wait_text("h1", "Feedback for self").await;
        b.set_value("form.stack select", "3").await;
        b.fill("form.stack textarea", &format!("Answer {}", i + 1))
            .await;
        b.click("details.confirm summary").await;
        b.click("#send-feedback").await;
        b.wait_text("#requests", "sent, thank you").await;

        if i == 2 {
            // The people team releases the results as they stand.
            b.sign_in(&base, "people@example.com", "people-team").await;
            b.goto(&format!("{base}/cycles/{cycle}")).await;
            b.wait_text("#no-releases", "Not released yet").await;
            b.click("#release").await;
            b.wait_text("#release-list", "1").await;
        }
        b.sign_in(&base, "self@example.com", "self").await;
        b.goto(&results).await;
        b.wait_text("h1", "Feedback results").await;
        let page = b.client.source().await.unwrap();
        let shown = page.contains("data-group=\"peers\"");
        assert_eq!(
            shown,
            i == 2,
            "after answer {}: peers shown = {shown}",
            i + 1
        );
        if shown {
            b.wait_text("[data-group=peers] h2", "(3 answers)").await;
            b.wait_text("#released", "Released on").await;
        } else {
            b.wait_text("#no-results", "Not released yet").await;
        }
        for (_, _, other) in &extra {
            assert!(!page.contains(other), "a respondent's name on the results");
        }
    }

    // 4. The manager proposes a promotion from the results page.
    b.sign_in(&base, "manager@example.com", "manager").await;
    b.goto(&results).await;
    b.click("#propose").await;
    b.wait_text("h1", "Propose a level change").await;
    // The policy, checked before sending, says what falls short.
    let policy = b.wait_text("#policy", "falls short").await;
    assert!(policy.contains("month(s)"), "{policy}");
    b.fill("textarea[name=case]", "Carried the platform migration.")
        .await;
    b.fill(
        "textarea[name=override_reason]",
        "The worksheet lags behind the work.",
    )
    .await;
    b.click("#send-proposal").await;
    b.wait_text("#proposal-state", "pending").await;
    let proposal = b.path().await;

    // 5. The skip-level, then the people team, approve.
    for (email, name, step) in [
        (
            "skip@example.com",
            "skip-level",
            "the skip-level manager: approved",
        ),
        (
            "people@example.com",
            "people-team",
            "the people team: approved",
        ),
    ] {
        b.sign_in(&base, email, name).await;
        b.goto(&format!("{base}{proposal}")).await;
        b.fill("textarea[name=comment]", "Agreed.").await;
        b.click("#approve").await;
        b.wait_text("main ol", step).await;
    }
    b.wait_text("#proposal-state", "approved").await;
    // The department's calibration, as the people team sees it.
    b.goto(&format!(
        "{base}/cycles/{cycle}/calibration/Platform%20Services"
    ))
    .await;
    b.wait_text("#nine-h", "9-box").await;

    // 6. The person has the new level.
    b.sign_in(&base, "self@example.com", "self").await;
    b.goto(&format!("{base}/people/{me}")).await;
    b.wait_text("main", "Staff").await;
    b.client.clone().close().await.unwrap();
}

/// Pay in the browser: the people team uploads a bands file with a bad
/// row (named, nothing stored), then good bands and salaries, and sees
/// the flags and the chart; the person sees their own compa ratio and a
/// peer is refused it.
#[tokio::test]
async fn pay_bands_and_compa_ratios_in_the_browser() {
    let app = start().await;
    let base = format!("http://{}", app.addr);
    let me = app.ids["self"];
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let b = Browser::start().await;
    b.sign_in(&base, "people@example.com", "people-team").await;

    // Row 3 has min above mid: the cell is named and nothing is stored.
    b.goto(&format!("{base}/pay")).await;
    b.wait_text("h1", "Pay and compa ratios").await;
    let bad = file(
        "bad-bands.csv",
        "grade,zone,currency,min,mid,max,effective_from\n\
         7,western-europe,EUR,60000,70000,80000,2026-01-01\n\
         8,western-europe,EUR,90000,85000,98000,2026-01-01\n",
    );
    let input = b.client.find(Locator::Css("#bands-file")).await.unwrap();
    input.send_keys(&bad).await.unwrap();
    b.click("form[action='/pay/bands/import'] button").await;
    b.wait_text("[role=alert]", "Nothing was changed").await;
    let row = b.wait_text("[role=alert] tbody tr", "min").await;
    assert!(row.starts_with('3'), "row 3 is named: {row}");
    assert!(app.store.bands().await.unwrap().is_empty());

    // Good bands, then salaries: `peer` is below the band.
    let bands = file(
        "bands.csv",
        "grade,zone,currency,min,mid,max,effective_from\n\
         7,western-europe,EUR,60000,70000,80000,2026-01-01\n",
    );
    let input = b.client.find(Locator::Css("#bands-file")).await.unwrap();
    input.send_keys(&bands).await.unwrap();
    b.click("form[action='/pay/bands/import'] button").await;
    b.wait_text("[role=status]", "1 bands rows stored").await;
    let salaries = file(
        "salaries.csv",
        "email,amount,currency,effective_from\n\
         self@example.com,77000,EUR,2026-02-01\n\
         peer@example.com,58000,EUR,2026-02-01\n",
    );
    let input = b.client.find(Locator::Css("#salaries-file")).await.unwrap();
    input.send_keys(&salaries).await.unwrap();
    b.click("form[action='/pay/salaries/import'] button").await;
    b.wait_text("[role=status]", "2 salaries rows stored").await;
    let flagged = b
        .wait_text("section[aria-labelledby=flag-h]", "below the band")
        .await;
    assert!(
        flagged.contains("peer") && flagged.contains("0.83"),
        "{flagged}"
    );
    assert!(
        !flagged.contains("self"),
        "self is inside the band: {flagged}"
    );
    let chart = b
        .client
        .execute(
            "return document.querySelector('#compa-chart-d').textContent;",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        chart
            .as_str()
            .unwrap()
            .contains("People per range of compa ratios"),
        "{chart}"
    );

    // The person sees their own; a peer is refused it.
    b.sign_in(&base, "self@example.com", "self").await;
    b.goto(&format!("{base}/people/{me}")).await;
    b.click(&format!("a[href='/people/{me}/pay']")).await;
    b.wait_text("h1", "My pay").await;
    b.wait_text("main", "1.10").await;
    b.sign_in(&base, "peer@example.com", "peer").await;
    b.goto(&format!("{base}/people/{me}/pay")).await;
    b.wait_text("main", "You do not have access to this").await;
    let page = b.client.source().await.unwrap();
    assert!(!page.contains("77,000") && !page.contains("1.10"));
    b.client.clone().close().await.unwrap();
}

/// An internship in the browser: `self` asks to intern with a mentor in
/// another department, both sides approve, both log, and `self`
/// completes it; the board shows it to a peer, the log does not.
#[tokio::test]
async fn an_internship_in_the_browser() {
    let app = start().await;
    let base = format!("http://{}", app.addr);
    let (mentor, mentor_email) = person_with_login(&app, "Mina Host", Some("Data")).await;
    let b = Browser::start().await;

    // 1. The request, after one refused field.
    b.sign_in(&base, "self@example.com", "self").await;
    b.goto(&format!("{base}/internships")).await;
    b.wait_text("h1", "Internships for learning").await;
    b.set_value("#host_department", "Data").await;
    // The mentor is chosen by name (the search keeps to the host team),
    // and a competency by its text.
    b.focus("#mentor_id-q").await;
    b.keys("#mentor_id-q", "mina\u{e007}").await;
    b.wait_text("fieldset:has(#mentor_id-q) ul.chosen", "Mina Host")
        .await;
    b.fill("#goals", "Learn how the data team models events.")
        .await;
    b.click("details.competencies summary").await;
    b.click("input[name=competency]").await;
    b.set_value("#start_date", "2026-11-23").await;
    b.set_value("#end_date", "2026-11-01").await;
    b.click("#activity_pairing").await;
    b.fill("#detail_pairing", "The event schema issues").await;
    b.fill("#access", "Read access to the warehouse").await;
    b.click("#ask-internship").await;
    b.wait_text("[role=alert]", "2026-11-01").await;
    // Everything typed is still there; only the end date is fixed.
    let kept = b
        .client
        .execute(
            "return [document.querySelector('#goals').value,
                     document.querySelector('#detail_pairing').value,
                     document.querySelector('#activity_pairing').checked,
                     document.querySelectorAll('input[name=competency]:checked').length,
                     document.querySelector('input[name=mentor_id]:checked').value];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        kept,
        json!([
            "Learn how the data team models events.",
            "The event schema issues",
            true,
            1,
            mentor.to_string()
        ])
    );
    b.set_value("#end_date", "2027-01-29").await;
    b.click("#ask-internship").await;
    b.wait_text("h1", "self with Data").await;
    b.wait_text("#internship-state", "requested").await;
    let page = b.path().await;

    // 2. The manager, then the mentor, approve.
    for (email, name) in [
        ("manager@example.com", "manager"),
        (mentor_email.as_str(), "Mina Host"),
    ] {
        b.sign_in(&base, email, name).await;
        b.goto(&format!("{base}{page}")).await;
        b.fill("#comment", "Happy to.").await;
        b.click("button[value=approve]").await;
        b.wait_text("main", &format!("approved by {name}")).await;
    }
    b.wait_text("#internship-state", "approved").await;

    // 3. Both sides log; the intern writes the outcome.
    b.fill("#log-text", "Walked through the event pipeline.")
        .await;
    b.click("form[action$='/log'] button").await;
    b.wait_text("#internship-log", "Walked through the event pipeline")
        .await;
    b.sign_in(&base, "self@example.com", "self").await;
    b.goto(&format!("{base}{page}")).await;
    b.fill("#log-text", "Paired on the schema change.").await;
    b.click("form[action$='/log'] button").await;
    b.wait_text("#internship-log", "Paired on the schema change")
        .await;
    b.fill("#outcome", "Shipped a schema change with the data team.")
        .await;
    b.click("form[action$='/complete'] button").await;
    b.wait_text("#internship-state", "completed").await;
    b.wait_text("#internship-outcome", "Shipped a schema change")
        .await;

    // 4. A peer sees the board, not the log.
    b.sign_in(&base, "peer@example.com", "peer").await;
    b.goto(&format!("{base}/internships")).await;
    let board = b.wait_text("main", "Mina Host").await;
    assert!(board.contains("self") && board.contains("Data"), "{board}");
    assert!(!board.contains("Paired on the schema change"));
    b.goto(&format!("{base}{page}")).await;
    b.wait_text("main", "You do not have access to this").await;
    b.client.clone().close().await.unwrap();
}

/// Hiring in the browser: the people team opens a position, the lead adds
/// a candidate and moves them to the technical stage and scores it, the
/// interviewer sees the lead's card only after submitting their own,
/// someone off the team is refused, and the lead deletes the candidate.
#[tokio::test]
async fn hiring_scorecards_in_the_browser() {
    let app = start().await;
    let base = format!("http://{}", app.addr);
    let b = Browser::start().await;

    // 1. The people team opens the position.
    b.sign_in(&base, "people@example.com", "people-team").await;
    b.goto(&format!("{base}/hiring")).await;
    b.fill("#title", "Senior backend engineer, platform").await;
    b.set_value("#family", "backend-engineer").await;
    b.set_value("#level", "senior").await;
    b.set_value("#specialty", "platform-services").await;
    // Without a lead it is refused, and keeps what was typed.
    b.click("#open-position").await;
    b.wait_text("#open-error", "lead").await;
    let kept = b
        .client
        .execute(
            "return [document.querySelector('#title').value, document.querySelector('#specialty').value];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        kept,
        json!(["Senior backend engineer, platform", "platform-services"])
    );
    // The team is chosen by name, with the keyboard.
    b.focus("#lead-q").await;
    b.keys("#lead-q", "manager\u{e007}").await;
    b.wait_text("fieldset:has(#lead-q) ul.chosen", "manager")
        .await;
    b.focus("#interviewer-q").await;
    b.keys("#interviewer-q", "peer\u{e007}").await;
    b.wait_text("fieldset:has(#interviewer-q) ul.chosen", "peer")
        .await;
    b.click("#open-position").await;
    // Not on its team, the people team is back at the list, unlinked.
    b.wait_text("#openings", "Senior backend engineer, platform")
        .await;
    assert_eq!(b.path().await, "/hiring");
    let opening = format!("/hiring/{}", app.store.openings().await.unwrap()[0].id);

    // 2. The lead adds a candidate, moves them on and scores the stage.
    b.sign_in(&base, "manager@example.com", "manager").await;
    b.goto(&format!("{base}{opening}")).await;
    b.fill("#name", "Casey Candidate").await;
    b.fill("#contact", "casey@example.net").await;
    b.click("form[action$='/candidates'] button").await;
    b.wait_text("h1", "Casey Candidate").await;
    let candidate = b.path().await;
    b.click("button[value=next]").await;
    b.wait_text("#candidate-stage", "Technical interview").await;
    let selects = b
        .client
        .find_all(Locator::Css("form[action$='/scorecards'] select"))
        .await
        .unwrap();
    assert!(selects.len() >= 3, "one score per requirement");
    for s in &selects {
        let id = s.attr("id").await.unwrap().unwrap();
        b.set_value(&format!("[id='{id}']"), "3").await;
    }
    b.fill("#notes", "Lead: strong on the design trade-offs.")
        .await;
    b.click("form[action$='/scorecards'] button").await;
    b.wait_text("main", "Lead: strong on the design trade-offs")
        .await;

    // 3. The interviewer scores blind, then sees the lead's card.
    b.sign_in(&base, "peer@example.com", "peer").await;
    b.goto(&format!("{base}{candidate}")).await;
    b.wait_text("h1", "Casey Candidate").await;
    let before = b.client.source().await.unwrap();
    assert!(!before.contains("Lead: strong"), "blind until submitted");
    let first = b
        .client
        .find(Locator::Css("form[action$='/scorecards'] select"))
        .await
        .unwrap();
    let id = first.attr("id").await.unwrap().unwrap();
    b.set_value(&format!("[id='{id}']"), "2").await;
    b.fill("#notes", "Interviewer: solid debugging.").await;
    b.click("form[action$='/scorecards'] button").await;
    b.wait_text("main", "Lead: strong on the design trade-offs")
        .await;
    let coverage = b.wait_text("#coverage", "2.5").await;
    assert!(coverage.contains('2'), "{coverage}");

    // 4. Someone off the hiring team is refused.
    b.sign_in(&base, "self@example.com", "self").await;
    b.goto(&format!("{base}{candidate}")).await;
    b.wait_text("main", "You do not have access to this").await;

    // 5. The lead deletes the candidate's personal data.
    b.sign_in(&base, "manager@example.com", "manager").await;
    b.goto(&format!("{base}{candidate}")).await;
    b.click("form[action$='/delete'] summary").await;
    b.click("#delete-candidate").await;
    b.wait_text("main", "No candidates yet").await;
    let id: i64 = candidate.rsplit('/').next().unwrap().parse().unwrap();
    assert!(app.store.candidate(id).await.unwrap().is_none());
    b.client.clone().close().await.unwrap();
}

/// The routine's pages, each checked by axe as it is reached (and in its
/// error state): notification preferences, the calendar feed, a 1:1
/// series, and the admin's delivery log with a refused webhook.
#[tokio::test]
async fn the_routine_pages_in_the_browser() {
    let app = start().await;
    let base = format!("http://{}", app.addr);
    let (me, report) = (app.ids["self"], app.ids["direct-report"]);
    let b = Browser::start().await;
    b.sign_in(&base, "self@example.com", "self").await;

    b.goto(&format!("{base}/me/notifications")).await;
    b.set_value("select[name='meeting.created']", "digest")
        .await;
    b.click("#save-prefs").await;
    b.wait_text("[role=status]", "Saved.").await;
    assert_eq!(
        b.client
            .find(Locator::Css("select[name='meeting.created']"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("digest")
    );

    // The team pages of someone with a report: paged tables, checked by
    // axe (and sorted, which keeps the page's own parameters).
    b.goto(&format!("{base}/team/growth")).await;
    b.wait_text("#readiness-count", "Showing 1–1 of 1").await;
    b.click("#readiness th:nth-child(3) a.sort").await;
    b.wait_text("#readiness", "report").await;
    b.goto(&format!("{base}/team/pay")).await;
    b.wait_text("main", "people in your reporting chain").await;
    b.goto(&format!("{base}/team")).await;

    b.goto(&format!("{base}/me/calendar")).await;
    b.click("#rotate").await;
    let url = b.wait_text("#feed-url", "/calendar/").await;
    assert!(url.ends_with(".ics"), "{url}");

    // A series refused for its time zone keeps what was typed; then set.
    b.goto(&format!("{base}/one-on-ones/{me}/{report}")).await;
    b.set_value("#first_date", "2026-11-23").await;
    b.set_value("#until", "2027-03-31").await;
    b.fill("#time_zone", "Mars/Olympus").await;
    b.click("#start-series").await;
    b.wait_text("[role=alert]", "is not a time zone").await;
    assert_eq!(
        b.client
            .find(Locator::Css("#time_zone"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("Mars/Olympus")
    );
    b.fill("#time_zone", "Europe/Lisbon").await;
    b.click("#start-series").await;
    b.wait_text("#series", "2026-11-23").await;

    // The admin's delivery log, and a webhook refused with its field named.
    b.sign_in(&base, "admin@example.com", "admin").await;
    b.goto(&format!("{base}/admin/deliveries")).await;
    b.fill("#url", "not a url").await;
    b.click("form.stack button[type=submit]").await;
    b.wait_text("[role=alert]", "`not a url` is not a URL")
        .await;
    b.client.clone().close().await.unwrap();
}

/// The review of a framework change in the browser, as the people team
/// sees it (names included) and as an editor does (counts, and the
/// confirmation before it goes live), each page checked by axe.
#[tokio::test]
async fn a_framework_change_reviewed_in_the_browser() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let edited = std::sync::Arc::new(AtomicBool::new(false));
    let flag = edited.clone();
    let loader: ladder_server::Loader = std::sync::Arc::new(move || {
        let mut files = ladder_framework::FileSet::new();
        for (path, text) in ladder_framework::example::FILES {
            let text = if flag.load(Ordering::SeqCst) && *path == "layers/engineering.md" {
                text.replace(
                    "Turns vague requests into plans with clear milestones.",
                    "Turns vague requests into plans with milestones everyone can check.",
                )
            } else {
                (*text).to_owned()
            };
            files.insert_text(path, text);
        }
        Ok(files)
    });
    let app = support::start_loading(loader).await;
    let base = format!("http://{}", app.addr);
    support::feedback_fixture(&app).await;
    edited.store(true, Ordering::SeqCst);
    let b = Browser::start().await;
    b.sign_in(&base, "people@example.com", "people-team").await;
    b.goto(&format!("{base}/admin/framework/changes")).await;
    let totals = b
        .wait_text("#impact-totals", "with changed expectations")
        .await;
    assert!(totals.contains("ratings to look at again"), "{totals}");
    b.click("details summary").await;
    b.wait_text("#impact-people", "self").await;
    b.wait_text("#impact-cycles", "the questions about").await;
    // An editor: counts only, and a confirmed reload makes it live.
    b.sign_in(&base, "editor@example.com", "editor").await;
    b.goto(&format!("{base}/admin/framework/changes")).await;
    b.wait_text("#grade", "").await;
    assert!(b.client.find(Locator::Css("#impact-people")).await.is_err());
    let live = || {
        app.state
            .framework()
            .framework
            .items
            .values()
            .any(|i| i.text.contains("milestones everyone can check"))
    };
    // Staged, reviewed as a release, then published after a confirmation.
    b.click("#stage").await;
    b.wait_text("main", "staged release").await;
    b.wait_text("#impact-totals", "with changed expectations")
        .await;
    assert!(!live(), "staging is not publishing");
    b.axe().await;
    b.click("form[action='/admin/framework/publish'] summary")
        .await;
    b.click("#publish").await;
    b.wait_text("#no-changes", "live version").await;
    assert!(live(), "live after the confirmed publish");
    // One step back.
    b.click("form[action='/admin/framework/rollback'] summary")
        .await;
    b.click("#rollback").await;
    b.wait_text("#releases", "retired").await;
    assert!(!live(), "the previous version is back");
    b.axe().await;
    b.client.clone().close().await.unwrap();
}

/// The account pages, the forgotten-password pages, a former manager's
/// read-only 1:1 and the Provisioning page, as people use them, each
/// checked by axe.
#[tokio::test]
async fn account_and_provisioning_pages_in_the_browser() {
    let app = start().await;
    let base = format!("http://{}", app.addr);
    let b = Browser::start().await;

    // Forgotten password: the form, the answer, and a dead link's page.
    b.goto(&format!("{base}/password/forgot")).await;
    b.wait_text("#no-email", "not set up to send email").await;
    b.fill("#email", "self@example.com").await;
    b.click("form.stack button[type=submit]").await;
    b.wait_text("[role=status]", "is on its way").await;
    b.goto(&format!("{base}/password/reset/no-such-link")).await;
    b.wait_text("[role=alert]", "expired or has been used")
        .await;

    // The account page: a refused password change keeps the page and says
    // why beside the field; a token is made and shown once, then revoked.
    b.sign_in(&base, "self@example.com", "self").await;
    b.goto(&format!("{base}/me/account")).await;
    b.wait_text("#sessions", "(this browser)").await;
    b.fill("#current_password", "not my password").await;
    b.fill("#new_password", "a new passphrase 1").await;
    b.fill("#confirm", "a new passphrase 1").await;
    b.click("#change-password button[type=submit]").await;
    b.wait_text("#current_password-error", "not your current password")
        .await;
    b.fill("#token-name", "nightly export").await;
    b.click("#new-token-form button[type=submit]").await;
    b.wait_text("[role=status]", "Copy the token now").await;
    b.wait_text("#tokens", "nightly export").await;
    b.click("#tokens button[type=submit]").await;
    b.wait_text("[role=status]", "revoked").await;

    // A former manager's 1:1: a record, without forms.
    let (me, boss) = (app.ids["self"], app.ids["manager"]);
    let meeting = app
        .store
        .create_meeting(
            boss,
            me,
            "2026-01-05",
            support::NOW,
            &support::fixture("create_meeting"),
        )
        .await
        .unwrap();
    let mut everyone: Vec<_> = app
        .store
        .list_people()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.record)
        .collect();
    for r in everyone
        .iter_mut()
        .filter(|r| r.email == "self@example.com")
    {
        r.manager_email = Some("skip@example.com".to_owned());
    }
    app.store
        .apply_people(
            &everyone,
            "2026-02-01",
            None,
            support::NOW,
            &support::fixture("apply_people"),
        )
        .await
        .unwrap();
    b.sign_in(&base, "manager@example.com", "manager").await;
    b.goto(&format!("{base}/meetings/{meeting}")).await;
    b.wait_text("#read-only", "kept as a record").await;
    assert_eq!(b.count("#agenda form").await, 0);

    // Provisioning: an admin makes a token for a provider.
    b.sign_in(&base, "admin@example.com", "admin").await;
    b.goto(&format!("{base}/admin/provisioning")).await;
    b.fill("#client-name", "Okta").await;
    b.click("form.stack button[type=submit]").await;
    b.wait_text("[role=status]", "Copy the token now").await;
    b.wait_text("#scim-clients", "Okta").await;

    b.client.clone().close().await.unwrap();
}
