//! Delivery survives a node killed mid-send: two `ladder serve` processes
//! on one PostgreSQL database send to a slow SMTP server; the first is
//! killed with SIGKILL while it is sending, and every message still
//! arrives (the second node takes over each claimed message once its
//! lease ends).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../../ladder-server/tests/support/smtp.rs"]
mod smtp;
#[path = "../../ladder-server/tests/support/spawned.rs"]
mod spawned;

use smtp::{SmtpSink, free_port};

use ladder_store::{MessageState, NotifyStore as _};
use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A `ladder serve` process, killed (SIGKILL) when dropped.
struct Node(Child);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(config: &std::path::Path) -> Node {
    Node(
        Command::new(env!("CARGO_BIN_EXE_ladder"))
            .args(["serve", "--config"])
            .arg(config)
            // Every node of one database seals private notes with one key.
            .env("LADDER_NOTES_KEY", "ab".repeat(32))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_node_killed_mid_delivery_loses_no_message() {
    let db = ladder_store_postgres::TempDatabase::for_tests("kill")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().unwrap();
    let fw = dir.path().join("fw");
    let o = Command::new(env!("CARGO_BIN_EXE_ladder"))
        .arg("init")
        .arg(&fw)
        .output()
        .unwrap();
    assert!(o.status.success());
    // A manager and twelve reports, none with a checkpoint this quarter:
    // each is reminded, and so is the manager about each.
    let mut csv = String::from("email,name,manager_email,department,job_family,level\n");
    csv.push_str("lead@example.com,Lead,,Platform,backend-engineer,staff\n");
    for i in 0..12 {
        csv.push_str(&format!(
            "dev{i}@example.com,Dev {i},lead@example.com,Platform,backend-engineer,senior\n"
        ));
    }
    let people = dir.path().join("people.csv");
    std::fs::write(&people, csv).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_ladder"))
        .args(["people", "import"])
        .arg(&people)
        .arg("--framework")
        .arg(&fw)
        .args(["--database", &db.url])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // A slow SMTP server: each message takes 0.3 s to accept.
    let mail = SmtpSink::start_on(free_port(), Some(0.3));
    let port = mail.port;
    let config = dir.path().join("ladder.toml");
    std::fs::write(
        &config,
        format!(
            "database = \"{}\"\nframework = \"{}\"\nbind = \"127.0.0.1:0\"\n\
             public_url = \"http://ladder.test\"\ndelivery_lease_seconds = 3\n\n\
             [smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\n\
             from = \"Ladder <ladder@example.com>\"\n",
            db.url,
            fw.display()
        ),
    )
    .unwrap();

    // Node A starts sending; it is killed after a few messages, in the
    // middle of one.
    let mut a = serve(&config);
    for _ in 0..300 {
        if mail.keys().len() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(mail.keys().len() >= 3, "node A never sent");
    tokio::time::sleep(Duration::from_millis(150)).await;
    a.0.kill().unwrap();
    a.0.wait().unwrap();
    let store = ladder_store_postgres::PgStore::connect(&db.url)
        .await
        .unwrap();
    let at_kill = store.messages(None, 1000).await.unwrap();
    let total = at_kill.len();
    assert!(total >= 20, "reminders were made: {total}");
    assert!(
        at_kill.iter().any(|m| m.new.state == MessageState::Pending),
        "some were left to send"
    );

    // Node B takes over: everything arrives.
    let _b = serve(&config);
    let mut done = false;
    for _ in 0..600 {
        let log = store.messages(None, 1000).await.unwrap();
        if log.iter().all(|m| m.new.state == MessageState::Sent) {
            done = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(done, "node B did not finish the deliveries");
    let log = store.messages(None, 1000).await.unwrap();
    let keys: BTreeSet<String> = log.iter().map(|m| m.new.key.clone()).collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got = mail.keys();
    let got_set: BTreeSet<String> = got.iter().cloned().collect();
    let lost: Vec<&String> = keys.difference(&got_set).collect();
    assert!(lost.is_empty(), "lost: {lost:?}");
    // At most the message being sent at the kill may arrive twice (its
    // receiver can tell by its key).
    assert!(
        got.len() <= keys.len() + 1,
        "{} received for {} messages",
        got.len(),
        keys.len()
    );
    drop(_b);
    db.drop_database().await.unwrap();
}

#[test]
fn notify_test_sends_one_message_and_prints_the_answer() {
    let mail = SmtpSink::start();
    let port = mail.port;
    let run = |env: &[(&str, String)]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ladder"));
        c.args(["notify", "test", "--to", "ops@example.com"]);
        for k in ["HOST", "PORT", "SECURITY", "USERNAME", "PASSWORD", "FROM"] {
            c.env_remove(format!("LADDER_SMTP_{k}"));
        }
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    let none = run(&[]);
    assert_eq!(none.status.code(), Some(2), "a configuration error");
    assert!(String::from_utf8_lossy(&none.stderr).contains("no SMTP server is configured"));
    let base = [
        ("LADDER_SMTP_HOST", "127.0.0.1".to_owned()),
        ("LADDER_SMTP_PORT", port.to_string()),
        ("LADDER_SMTP_SECURITY", "none".to_owned()),
    ];
    let no_from = run(&base);
    assert!(
        String::from_utf8_lossy(&no_from.stderr)
            .contains("smtp.from (or LADDER_SMTP_FROM) is needed"),
        "{}",
        String::from_utf8_lossy(&no_from.stderr)
    );
    let mut env = base.to_vec();
    env.push(("LADDER_SMTP_FROM", "Ladder <ladder@example.com>".to_owned()));
    let ok = run(&env);
    let out = String::from_utf8_lossy(&ok.stdout);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(out.contains("The server answered: 250"), "{out}");
    assert_eq!(
        mail.sent(),
        [(
            "ops@example.com".to_owned(),
            "Ladder: a test message".to_owned()
        )]
    );
    let mut bad = env.clone();
    bad.push(("LADDER_SMTP_SECURITY", "ssl".to_owned()));
    let r = run(&bad);
    assert!(
        String::from_utf8_lossy(&r.stderr)
            .contains("LADDER_SMTP_SECURITY `ssl`: use none, starttls or tls")
    );
}
