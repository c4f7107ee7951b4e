//! The real `ladder` binary, driven against the example framework and fixtures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/demo.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

fn ladder(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ladder"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh directory under the target dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "ladder-cli-{}-{}-{name}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        TempDir(dir)
    }
    fn path(&self) -> &Path {
        &self.0
    }
    fn s(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn init(name: &str) -> TempDir {
    let dir = TempDir::new(name);
    let o = ladder(&["init", dir.s()]);
    assert!(o.status.success(), "{}", stderr(&o));
    dir
}

fn fixture(kind: &str, name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ladder-framework/tests/fixtures")
        .join(kind)
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn init_then_check_is_clean() {
    let dir = init("clean");
    let o = ladder(&["check", dir.s()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("ok: "), "{}", stdout(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}

#[test]
fn init_refuses_a_non_empty_directory() {
    let dir = init("twice");
    let o = ladder(&["init", dir.s()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not empty"), "{}", stderr(&o));
}

#[test]
fn a_broken_include_fails_with_its_place_and_a_suggestion() {
    let dir = init("broken");
    let page = dir.path().join("layers/engineering.md");
    let text = std::fs::read_to_string(&page).unwrap();
    let broken = text.replacen(
        "{{% include \"includes/values/everyday.md\" %}}",
        "{{$ include “includes/value/everyday.md” %}}",
        1,
    );
    assert_ne!(text, broken);
    std::fs::write(&page, &broken).unwrap();
    let line = broken.lines().position(|l| l.starts_with("{{$")).unwrap() + 1;

    let o = ladder(&["check", dir.s()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("layers/engineering.md:{line}:1")),
        "{err}"
    );
    assert!(err.contains("ladder::malformed-include"), "{err}");
    assert!(
        err.contains("{{% include \"includes/value/everyday.md\" %}}"),
        "{err}"
    );

    // Fix the syntax but not the path: now the did-you-mean names the file.
    std::fs::write(
        &page,
        broken.replace(
            "{{$ include “includes/value/everyday.md” %}}",
            "{{% include \"includes/value/everyday.md\" %}}",
        ),
    )
    .unwrap();
    let o = ladder(&["check", dir.s(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let d = &json["diagnostics"][0];
    assert_eq!(d["code"], "missing-include");
    assert_eq!(d["file"], "layers/engineering.md");
    assert_eq!(d["line"], line);
    assert_eq!(d["column"], 14);
    assert_eq!(d["suggestion"], "includes/values/everyday.md");
    assert_eq!(json["errors"], 1);
}

#[test]
fn check_json_lists_warnings_and_exits_zero() {
    let o = ladder(&[
        "check",
        &fixture("invalid", "missing-id"),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(json["errors"], 0);
    assert_eq!(json["warnings"], 1);
    assert_eq!(json["diagnostics"][0]["severity"], "warning");
    assert_eq!(json["diagnostics"][0]["code"], "missing-id");
}

#[test]
fn usage_and_io_errors_exit_two() {
    assert_eq!(ladder(&["check"]).status.code(), Some(2));
    assert_eq!(ladder(&["frobnicate"]).status.code(), Some(2));
    let o = ladder(&["check", "/nonexistent/ladder-framework"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read"), "{}", stderr(&o));
    let dir = init("usage");
    let o = ladder(&["show", dir.s(), "--level", "senior"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "show needs --family or --framework"
    );
}

#[test]
fn show_lists_cumulative_expectations_with_provenance() {
    let dir = init("show");
    let o = ladder(&[
        "show",
        dir.s(),
        "--family",
        "backend-engineer",
        "--level",
        "senior",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["grade"], 7.0);
    assert_eq!(v["title"], "Senior Backend Engineer");
    let comps = v["competencies"].as_array().unwrap();
    let levels: std::collections::BTreeSet<&str> =
        comps.iter().map(|c| c["level"].as_str().unwrap()).collect();
    // Cumulative: everything from intern up to senior, nothing above.
    assert_eq!(
        levels,
        ["associate", "intermediate", "intern", "senior"]
            .into_iter()
            .collect()
    );
    for c in comps {
        for key in ["id", "text", "category", "layer", "level"] {
            assert!(c[key].is_string(), "{key} in {c}");
        }
        assert!(
            c["source"]["file"].is_string() && c["source"]["line"].is_number(),
            "{c}"
        );
    }
    // Grouped by category first, in the configured order.
    let cats: Vec<&str> = comps
        .iter()
        .map(|c| c["category"].as_str().unwrap())
        .collect();
    let mut sorted = cats.clone();
    let order = ["leadership", "technical", "values"];
    sorted.sort_by_key(|c| order.iter().position(|o| o == c));
    assert_eq!(cats, sorted);
    // Statements from an include keep one id and say where they came from.
    let inc = comps
        .iter()
        .find(|c| {
            c["source"]["file"]
                .as_str()
                .unwrap()
                .starts_with("includes/")
        })
        .unwrap();
    assert!(inc["via"]["file"].as_str().unwrap().starts_with("layers/"));
    assert!(
        v["responsibilities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"].is_string())
    );
    assert!(v["requirements"].as_array().unwrap().len() >= 3);
    assert_eq!(v["hiring_process"][0]["minutes"], 30);

    let text = ladder(&[
        "show",
        dir.s(),
        "--family",
        "backend-engineer",
        "--level",
        "senior",
    ]);
    let out = stdout(&text);
    assert!(out.contains("Senior Backend Engineer (grade 7)"), "{out}");
    assert!(out.contains("layers/engineering.md:"), "{out}");
    assert!(out.contains("Hiring process"), "{out}");
}

#[test]
fn show_own_and_specialty_and_layer_views() {
    let dir = init("own");
    let get = |args: &[&str]| -> serde_json::Value {
        let mut a = vec!["show", dir.s()];
        a.extend_from_slice(args);
        a.extend_from_slice(&["--format", "json"]);
        let o = ladder(&a);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        serde_json::from_str(&stdout(&o)).unwrap()
    };
    let own = get(&["--framework", "build-release", "--level", "senior", "--own"]);
    let comps = own["competencies"].as_array().unwrap();
    assert!(!comps.is_empty());
    assert!(comps.iter().all(|c| c["level"] == "senior"));
    let layers: std::collections::BTreeSet<&str> =
        comps.iter().map(|c| c["layer"].as_str().unwrap()).collect();
    assert!(
        layers.contains("engineering") && layers.contains("build-release"),
        "{layers:?}"
    );
    assert_eq!(
        own["layers"],
        serde_json::json!([
            "engineering",
            "product-engineering",
            "platform",
            "build-release"
        ])
    );

    let spec = get(&[
        "--family",
        "backend-engineer",
        "--level",
        "senior",
        "--specialty",
        "build-release",
    ]);
    assert_eq!(spec["specialty"]["id"], "build-release");
    assert!(
        spec["competencies"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["layer"] == "build-release")
    );
    assert!(
        spec["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["scope"] == "specialty")
    );
    let plain = get(&["--family", "backend-engineer", "--level", "senior"]);
    assert!(
        plain["competencies"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["layer"] != "build-release")
    );
}

#[test]
fn show_names_unknown_roles_with_a_suggestion() {
    let dir = init("unknown");
    let o = ladder(&[
        "show",
        dir.s(),
        "--family",
        "backend-enginer",
        "--level",
        "senior",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `backend-engineer`?"),
        "{}",
        stderr(&o)
    );
    let o = ladder(&[
        "show",
        dir.s(),
        "--family",
        "site-reliability-engineer",
        "--level",
        "intern",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("has no level `intern`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn ids_assigns_once_and_leaves_formatting_alone() {
    let dir = init("ids");
    let page = dir.path().join("layers/platform.md");
    let original = std::fs::read_to_string(&page).unwrap();
    // Strip two ids and add a comment; `ids` must restore ids and keep the rest byte for byte.
    let mut stripped = String::new();
    let mut removed = 0;
    for line in original.split_inclusive('\n') {
        if removed < 2 && line.starts_with("- ") && line.contains(" {#") {
            let cut = line.find(" {#").unwrap();
            stripped.push_str(&line[..cut]);
            stripped.push('\n');
            removed += 1;
        } else {
            stripped.push_str(line);
        }
    }
    stripped.push_str("\n<!-- a comment that must survive -->\n");
    std::fs::write(&page, &stripped).unwrap();

    let o = ladder(&["check", dir.s(), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(json["warnings"], 2, "{json}");

    let o = ladder(&["ids", "--check", dir.s()]);
    assert_eq!(o.status.code(), Some(1));
    let o = ladder(&["ids", dir.s()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("assigned 2 ids in 1 files"),
        "{}",
        stdout(&o)
    );
    let after = std::fs::read_to_string(&page).unwrap();
    // Only ` {#id}` was added.
    let mut without_ids = String::new();
    for line in after.split_inclusive('\n') {
        match line.find(" {#") {
            Some(cut) if !stripped.contains(line) => {
                without_ids.push_str(&line[..cut]);
                without_ids.push('\n');
            }
            _ => without_ids.push_str(line),
        }
    }
    assert_eq!(without_ids, stripped);
    assert!(after.contains("<!-- a comment that must survive -->"));

    let o = ladder(&["ids", dir.s()]);
    assert!(stdout(&o).contains("assigned 0 ids"), "{}", stdout(&o));
    assert_eq!(std::fs::read_to_string(&page).unwrap(), after);
    assert_eq!(ladder(&["ids", "--check", dir.s()]).status.code(), Some(0));
    assert_eq!(ladder(&["check", dir.s()]).status.code(), Some(0));
}

#[test]
fn every_invalid_fixture_fails_or_warns_through_the_binary() {
    let root =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../ladder-framework/tests/fixtures/invalid");
    for entry in std::fs::read_dir(root).unwrap() {
        let dir = entry.unwrap().path();
        let expected = std::fs::read_to_string(dir.join("expected.txt")).unwrap();
        let o = ladder(&["check", dir.to_str().unwrap()]);
        let has_error = expected.lines().any(|l| l.contains(": error["));
        assert_eq!(
            o.status.code(),
            Some(if has_error { 1 } else { 0 }),
            "{}",
            dir.display()
        );
        // The first line of the snapshot names the place; the binary shows it too.
        let place = expected.lines().next().unwrap().split(": ").next().unwrap();
        let (file, rest) = place.split_once(':').unwrap();
        let shown = format!("{}:{rest}", dir.join(file).display());
        assert!(
            stderr(&o).contains(&shown),
            "{} should show {shown}:\n{}",
            dir.display(),
            stderr(&o)
        );
    }
}

#[test]
fn help_is_everywhere() {
    for cmd in [
        &["--help"][..],
        &["check", "--help"],
        &["show", "--help"],
        &["ids", "--help"],
        &["init", "--help"],
        &["serve", "--help"],
        &["demo", "--help"],
        &["db", "backup", "--help"],
        &["people", "import", "--help"],
        &["admin", "create-user", "--help"],
    ] {
        let o = ladder(cmd);
        assert!(o.status.success());
        assert!(stdout(&o).contains("Usage"), "{cmd:?}");
    }
}

#[test]
fn build_writes_a_site_and_replaces_only_its_own_output() {
    let dir = init("build");
    let out = TempDir::new("site");
    let o = ladder(&["build", dir.s(), "--out", out.s()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("built "), "{}", stdout(&o));
    for page in [
        "index.html",
        "framework.json",
        "search.html",
        "search-index.js",
        "style.css",
        "families/backend-engineer/index.html",
        "families/backend-engineer/senior.html",
        "families/backend-engineer/senior-to-staff.html",
        "families/backend-engineer/payments/senior.html",
        "layers/platform/index.html",
    ] {
        assert!(out.path().join(page).is_file(), "missing {page}");
    }
    // A second build replaces the first.
    let o = ladder(&["build", dir.s(), "--out", out.s()]);
    assert!(o.status.success(), "{}", stderr(&o));
    // A folder Ladder did not build is never replaced.
    let other = TempDir::new("other");
    std::fs::create_dir_all(other.path()).unwrap();
    std::fs::write(other.path().join("notes.txt"), "mine").unwrap();
    let o = ladder(&["build", dir.s(), "--out", other.s()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is not a site Ladder built"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(other.path().join("notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn a_broken_link_fails_the_build_and_writes_nothing() {
    let dir = init("build-broken");
    let eng = dir.path().join("layers/engineering.md");
    let text = std::fs::read_to_string(&eng).unwrap();
    std::fs::write(
        &eng,
        text.replacen(
            "- Aligns several teams",
            "- Reads [the guide](../guide.md) and aligns several teams",
            1,
        ),
    )
    .unwrap();
    let out = TempDir::new("site-broken");
    let o = ladder(&["build", dir.s(), "--out", out.s()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("broken-link") && err.contains("engineering.md:"),
        "{err}"
    );
    assert!(err.contains("nothing was written"), "{err}");
    assert!(!out.path().exists());
}

fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "git {args:?}: {}", stderr(&o));
}

#[test]
fn diff_explains_a_commit_from_two_git_revisions() {
    let dir = init("diff-git");
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "framework"]);
    let eng = dir.path().join("layers/engineering.md");
    let text = std::fs::read_to_string(&eng).unwrap();
    let edited = text
        .replacen("keeps it current as things change", "revisits it every quarter with each team", 1)
        .replacen(
            "## Senior\n\n### Leadership\n\n",
            "## Senior\n\n### Leadership\n\n- Writes down why each technical decision was made. {#engineering-senior-writes-down-why}\n",
            1,
        );
    std::fs::write(&eng, edited).unwrap();
    git(dir.path(), &["commit", "-q", "-am", "raise the bar"]);
    // The work tree is clean: what is compared is what git holds.
    let o = ladder(&["diff", "--repo", dir.s(), "HEAD~1", "HEAD"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let md = stdout(&o);
    assert!(md.contains("**Overall: major**"), "{md}");
    assert!(
        md.contains(
            "New leadership expectation: “Writes down why each technical decision was made.”"
        ),
        "{md}"
    );
    assert!(
        md.contains(
            "~~keeps~~ **revisits** it ~~current as things change.~~ **every quarter with each team.**"
        ),
        "{md}"
    );
    let o = ladder(&[
        "diff",
        "--repo",
        dir.s(),
        "HEAD~1",
        "HEAD",
        "--format",
        "json",
        "--fail-on",
        "major",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["grade"], "major");
    let kinds: Vec<&str> = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["statement_added", "statement_reworded"]);
    // The other way round the bar falls: minor.
    let o = ladder(&[
        "diff",
        "--repo",
        dir.s(),
        "HEAD",
        "HEAD~1",
        "--fail-on",
        "major",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("**Overall: minor**"));
    // Folders work too, and an unknown revision is a usage error.
    let o = ladder(&["diff", dir.s(), dir.s()]);
    assert!(stdout(&o).contains("No changes"), "{}", stdout(&o));
    let o = ladder(&["diff", "--repo", dir.s(), "HEAD~5", "HEAD"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot find revision `HEAD~5`"),
        "{}",
        stderr(&o)
    );
}

/// A running `ladder preview`, killed when dropped.
struct Preview(std::process::Child, String);

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn get(addr: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut body = String::new();
    s.read_to_string(&mut body).unwrap();
    body
}

/// Polls `path` until `pred` holds, for up to a minute.
fn wait_for(addr: &str, path: &str, pred: impl Fn(&str) -> bool) -> String {
    for _ in 0..600 {
        let page = get(addr, path);
        if pred(&page) {
            return page;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("{path} never changed as expected:\n{}", get(addr, path));
}

#[test]
fn preview_rebuilds_on_change_and_shows_errors_in_the_page() {
    use std::io::BufRead;
    let dir = init("preview");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ladder"))
        .args(["preview", dir.s(), "--port", "0", "--stop-after", "120"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .trim_end_matches('/')
        .to_owned();
    let p = Preview(child, addr);
    assert!(p.1.starts_with("127.0.0.1:"), "{line}");
    let page = get(&p.1, "/families/backend-engineer/staff.html");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("Aligns several teams on a shared technical plan"));
    assert!(page.contains("/__ladder/reload.js"));
    let eng = dir.path().join("layers/engineering.md");
    let text = std::fs::read_to_string(&eng).unwrap();
    std::fs::write(
        &eng,
        text.replace(
            "Aligns several teams on a shared technical plan",
            "Aligns many teams on one technical plan",
        ),
    )
    .unwrap();
    wait_for(&p.1, "/families/backend-engineer/staff.html", |b| {
        b.contains("Aligns many teams on one technical plan")
    });
    std::fs::write(
        &eng,
        text.replace(
            "{#engineering-staff-aligns-several-teams-shared}",
            "{#Bad Id}",
        ),
    )
    .unwrap();
    let broken = wait_for(&p.1, "/families/backend-engineer/staff.html", |b| {
        b.contains("The framework has errors")
    });
    assert!(broken.contains("engineering.md"), "{broken}");
    std::fs::write(&eng, &text).unwrap();
    wait_for(&p.1, "/index.html", |b| {
        !b.contains("The framework has errors") && b.contains("Job families")
    });
    assert!(get(&p.1, "/nope.html").starts_with("HTTP/1.1 404"));
}

fn ladder_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ladder"));
    c.args(args).env("NO_COLOR", "1");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

const PEOPLE: &str = "email,name,manager_email,department,job_family,level,specialty,grade,location,start_date,active\n\
lead@example.com,Lee Lead,,Platform,backend-engineer,manager,,,Berlin,2019-03-04,yes\n\
kim@example.com,Kim Dev,lead@example.com,Platform,Backend Engineer,Senior,Payments,,Lisbon,2021-06-07,yes\n\
ola@example.com,Ola Dev,lead@example.com,Platform,backend-engineer,intermediate,,,Remote (EU),,yes\n";

#[test]
fn people_import_export_and_database_backup_restore_round_trip() {
    let fw = init("people-fw");
    let work = TempDir::new("people");
    std::fs::create_dir_all(work.path()).unwrap();
    let csv = work.path().join("people.csv");
    std::fs::write(&csv, PEOPLE).unwrap();
    let d1 = work.path().join("d1");
    let d1 = d1.to_str().unwrap();
    let o = ladder(&[
        "people",
        "import",
        csv.to_str().unwrap(),
        "--framework",
        fw.s(),
        "--data",
        d1,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("3 created"), "{}", stdout(&o));

    // One bad row: exit 1, the row and column named, nothing imported.
    let bad = work.path().join("bad.csv");
    std::fs::write(
        &bad,
        PEOPLE
            .replace("intermediate", "intermedaite")
            .replace("kim@", "kimberly@"),
    )
    .unwrap();
    let o = ladder(&[
        "people",
        "import",
        bad.to_str().unwrap(),
        "--framework",
        fw.s(),
        "--data",
        d1,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("row 4, column `level` (`intermedaite`)"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("did you mean `intermediate`?"));
    let o = ladder(&["people", "export", "--data", d1]);
    assert!(o.status.success());
    let exported = stdout(&o);
    assert_eq!(exported.lines().count(), 4, "{exported}");
    assert!(!exported.contains("kimberly"));
    assert!(exported.contains("kim@example.com,Kim Dev,lead@example.com,Platform,backend-engineer,senior,payments,7,Lisbon,2021-06-07,yes"));

    let o = ladder_env(
        &[
            "admin",
            "create-user",
            "--email",
            "ada@example.com",
            "--name",
            "Ada",
            "--roles",
            "admin,people",
            "--data",
            d1,
        ],
        &[("LADDER_PASSWORD", "a long enough password")],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = ladder(&[
        "admin",
        "create-user",
        "--email",
        "x@example.com",
        "--name",
        "X",
        "--roles",
        "root",
        "--data",
        d1,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown role `root`"));

    let b1 = work.path().join("b1.json");
    let b2 = work.path().join("b2.json");
    let d2 = work.path().join("d2");
    let d2 = d2.to_str().unwrap();
    assert!(
        ladder(&["db", "backup", b1.to_str().unwrap(), "--data", d1])
            .status
            .success()
    );
    let o = ladder(&["db", "restore", b1.to_str().unwrap(), "--data", d2]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        ladder(&["db", "backup", b2.to_str().unwrap(), "--data", d2])
            .status
            .success()
    );
    assert_eq!(
        std::fs::read(&b1).unwrap(),
        std::fs::read(&b2).unwrap(),
        "every row round-trips"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&b1), 0o600, "a backup is its owner's alone");
        let db = std::path::Path::new(d2).join("ladder.db");
        assert_eq!(mode(&db), 0o600, "so is the database");
    }
    let o = ladder(&["db", "restore", b1.to_str().unwrap(), "--data", d2]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("already holds data"), "{}", stderr(&o));
    std::fs::write(
        work.path().join("junk.json"),
        "{\"format\": 1,\n \"people\": 7}",
    )
    .unwrap();
    let o = ladder(&[
        "db",
        "restore",
        work.path().join("junk.json").to_str().unwrap(),
        "--data",
        d2,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("junk.json:2:"), "{}", stderr(&o));

    let d3 = work.path().join("d3");
    let o = ladder(&["db", "migrate", "--data", d3.to_str().unwrap()]);
    assert!(
        stdout(&o).contains(" migration(s) applied") && !stdout(&o).starts_with("0 "),
        "{}",
        stdout(&o)
    );
    let o = ladder(&["db", "migrate", "--data", d3.to_str().unwrap()]);
    assert!(
        stdout(&o).contains("0 migration(s) applied"),
        "{}",
        stdout(&o)
    );
}

fn http_get(addr: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn demo_starts_a_server_with_an_organisation_and_prints_the_logins() {
    use std::io::{BufRead, BufReader};
    let data = TempDir::new("demo");
    let run = || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ladder"))
            .args(["demo", "--port", "0", "--people", "40", "--data", data.s()])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut printed = Vec::new();
        for line in lines.by_ref() {
            let line = line.unwrap();
            let stop = line.starts_with("Stop with Ctrl-C");
            printed.push(line);
            if stop {
                break;
            }
        }
        let url = printed[0]
            .strip_prefix("Ladder is running at http://")
            .unwrap()
            .trim_end_matches('/')
            .to_owned();
        assert!(url.starts_with("127.0.0.1:"), "{url}");
        let health = http_get(&url, "/healthz");
        let framework = http_get(&url, "/framework/");
        child.kill().unwrap();
        child.wait().unwrap();
        (printed, health, framework)
    };
    let (first, health, framework) = run();
    let text = first.join("\n");
    for role in ["engineer", "manager", "people team", "admin"] {
        assert!(text.contains(&format!("  {role}")), "{text}");
    }
    assert!(text.contains("ladder-demo"));
    assert!(
        health.starts_with("HTTP/1.1 200") && health.ends_with("ok"),
        "{health}"
    );
    assert!(framework.contains("Fernhill Software"));
    let (second, _, _) = run();
    assert_eq!(
        first[1..],
        second[1..],
        "a second start reuses the demo and its logins"
    );
    // The demo's 360 feedback: a closed cycle with answers, and one taking
    // nominations with a list waiting for approval.
    let dump = data.path().join("demo-backup.json");
    let o = ladder(&["db", "backup", dump.to_str().unwrap(), "--data", data.s()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let dump: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&dump).unwrap()).unwrap();
    let states: Vec<&str> = dump["growth"]["cycles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row[9].as_str().unwrap())
        .collect();
    assert_eq!(states, ["closed", "nominations"]);
    assert!(dump["growth"]["answers"].as_array().unwrap().len() > 10);
    // Private notes are sealed in the database and in backups, with the
    // key in the data directory (its owner's alone).
    let sealed = |dump: &serde_json::Value| -> Vec<String> {
        dump["growth"]["private_notes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r[2].as_str().unwrap().to_owned())
            .collect()
    };
    let notes = sealed(&dump);
    assert!(
        !notes.is_empty() && notes.iter().all(|t| t.starts_with("v1:")),
        "{notes:?}"
    );
    let key_file = data.path().join("notes.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Rotating the key: the notes are sealed again and notes.key replaced;
    // a second rotation opens every note with the key the first wrote.
    for round in 0..2 {
        let o = ladder(&["db", "new-notes-key"]);
        assert!(o.status.success());
        let new_key = String::from_utf8(o.stdout).unwrap();
        assert_eq!(new_key.trim().len(), 64);
        let new_file = data.path().join(format!("new-{round}.key"));
        std::fs::write(&new_file, &new_key).unwrap();
        let o = ladder(&[
            "db",
            "rekey-notes",
            "--new-key-file",
            new_file.to_str().unwrap(),
            "--data",
            data.s(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(
            std::fs::read_to_string(&key_file).unwrap().trim(),
            new_key.trim()
        );
    }
    let again = data.path().join("rekeyed.json");
    let o = ladder(&["db", "backup", again.to_str().unwrap(), "--data", data.s()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rekeyed = sealed(&serde_json::from_str(&std::fs::read_to_string(&again).unwrap()).unwrap());
    assert_eq!(rekeyed.len(), notes.len());
    assert!(
        rekeyed
            .iter()
            .zip(&notes)
            .all(|(a, b)| a != b && a.starts_with("v1:"))
    );
    // The wrong key opens nothing, and says so.
    let wrong = data.path().join("wrong.key");
    std::fs::write(&wrong, "0".repeat(64)).unwrap();
    let o = ladder(&[
        "db",
        "rekey-notes",
        "--new-key-file",
        wrong.to_str().unwrap(),
        "--data",
        data.s(),
    ]);
    assert!(
        o.status.success(),
        "the current key opens, whatever the new one"
    );
    std::fs::write(&key_file, "1".repeat(64)).unwrap();
    let o = ladder(&[
        "db",
        "rekey-notes",
        "--new-key-file",
        wrong.to_str().unwrap(),
        "--data",
        data.s(),
    ]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("does not open with this notes key"),
        "{}",
        stderr(&o)
    );
    let lists = dump["growth"]["nomination_lists"].as_array().unwrap();
    assert!(
        lists.iter().any(|l| l[0] == 2 && l[4].is_null()),
        "a list waits for approval in the open cycle"
    );
    // Pay, internships and hiring.
    let rows = |table: &str| dump["growth"][table].as_array().unwrap().clone();
    let column = |table: &str, i: usize| -> Vec<String> {
        rows(table)
            .iter()
            .map(|r| r[i].as_str().unwrap().to_owned())
            .collect()
    };
    // Seven grades (4–9 and 9.5) in each of the example's two zones.
    assert_eq!(rows("pay_bands").len(), 14);
    let currencies = column("pay_bands", 3);
    assert!(currencies.contains(&"EUR".to_owned()) && currencies.contains(&"CAD".to_owned()));
    // A backup made before role bands (pay band rows without `family`
    // and `level`) still restores, as grade bands.
    let mut before = dump.clone();
    for row in before["growth"]["pay_bands"].as_array_mut().unwrap() {
        row.as_array_mut().unwrap().truncate(7);
    }
    let old_file = data.path().join("before-role-bands.json");
    std::fs::write(&old_file, serde_json::to_vec(&before).unwrap()).unwrap();
    let restored = data.path().join("restored-old");
    let o = ladder_env(
        &[
            "db",
            "restore",
            old_file.to_str().unwrap(),
            "--data",
            restored.to_str().unwrap(),
        ],
        &[(
            "LADDER_NOTES_KEY",
            &std::fs::read_to_string(data.path().join("notes.key")).unwrap(),
        )],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let back = restored.join("back.json");
    let o = ladder(&[
        "db",
        "backup",
        back.to_str().unwrap(),
        "--data",
        restored.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let back: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&back).unwrap()).unwrap();
    assert_eq!(back["growth"]["pay_bands"], dump["growth"]["pay_bands"]);
    assert!(rows("salaries").len() >= 40, "everyone has a salary");
    assert_eq!(
        column("internships", 11),
        ["approved", "completed", "requested"]
    );
    assert!(rows("internship_log").len() >= 4);
    assert_eq!(column("openings", 5), ["open"]);
    let mut team = column("hiring_team", 2);
    team.sort();
    assert_eq!(team, ["interviewer", "interviewer", "lead"]);
    assert_eq!(column("candidates", 5), ["active", "active", "rejected"]);
    assert_eq!(rows("scorecards").len(), 4);
    // Role histories start when people did, years back for most and
    // months for some: not all on the day the demo was made.
    let changes = dump["role_changes"].as_array().unwrap();
    let years: std::collections::BTreeSet<&str> = changes
        .iter()
        .map(|c| &c["effective"].as_str().unwrap()[..4])
        .collect();
    assert!(years.len() >= 5, "role histories over the years: {years:?}");
    let people = dump["people"].as_array().unwrap();
    assert!(changes.len() >= people.len(), "everyone has a history");
}

#[test]
fn serve_refuses_a_config_it_cannot_use() {
    let fw = init("sso-config");
    let data = TempDir::new("sso-data");
    std::fs::create_dir_all(data.path()).unwrap();
    let config = data.path().join("ladder.toml");
    let cases = [
        (
            "[oidc]\nissuer = \"http://127.0.0.1:1\"\nclient_id = \"ladder\"\nclient_secret = \"s\"\n",
            "needs public_url",
        ),
        (
            "public_url = \"http://127.0.0.1:1\"\n[oidc]\nissuer = \"http://127.0.0.1:1\"\nclient_id = \"ladder\"\n",
            "needs client_secret",
        ),
        (
            "public_url = \"http://127.0.0.1:1\"\n[oidc]\nissuer = \"not a url\"\nclient_id = \"ladder\"\nclient_secret = \"s\"\n",
            "oidc.issuer `not a url` is not a URL",
        ),
        (
            "[oidc]\nissuer = \"http://127.0.0.1:1\"\nclient = \"ladder\"\n",
            "unknown field `client`",
        ),
        (
            "[retention]\naudit_log_days = -1\n",
            "[retention] audit_log_days: -1 is not a number of days",
        ),
        (
            "[retention]\naudit_days = 30\n",
            "unknown field `audit_days`",
        ),
    ];
    for (text, want) in cases {
        std::fs::write(&config, text).unwrap();
        let o = ladder(&[
            "serve",
            "--framework",
            fw.s(),
            "--data",
            data.s(),
            "--bind",
            "127.0.0.1:0",
            "--config",
            config.to_str().unwrap(),
        ]);
        assert!(!o.status.success(), "{text}");
        assert!(stderr(&o).contains(want), "{text}\n{}", stderr(&o));
    }
}

/// `ladder diff --impact`: raising the bar at senior moves the one ready
/// intermediate engineer away from ready; the same figures from a backup
/// file and from the database it restores to; names only when asked;
/// --fail-on-impact fails the run.
#[test]
fn diff_impact_says_whom_a_change_moves_from_a_backup_and_from_the_database() {
    let old = init("impact-old");
    let new = init("impact-new");
    let layer = new.path().join("layers/engineering.md");
    let text = std::fs::read_to_string(&layer).unwrap();
    let added: String = (1..=5)
        .map(|k| {
            format!("- A new senior expectation, number {k}. {{#engineering-senior-new-{k}}}\n")
        })
        .collect();
    std::fs::write(
        &layer,
        text.replace(
            "## Senior\n\n### Leadership\n\n",
            &format!("## Senior\n\n### Leadership\n\n{added}"),
        ),
    )
    .unwrap();
    let work = TempDir::new("impact");
    std::fs::create_dir_all(work.path()).unwrap();
    let csv = work.path().join("people.csv");
    std::fs::write(&csv, PEOPLE).unwrap();
    let data = work.path().join("d");
    let data = data.to_str().unwrap();
    let o = ladder(&[
        "people",
        "import",
        csv.to_str().unwrap(),
        "--framework",
        old.s(),
        "--data",
        data,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let backup = work.path().join("backup.json");
    let o = ladder(&["db", "backup", backup.to_str().unwrap(), "--data", data]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Ola (intermediate) has every next-level statement rated demonstrated
    // by her manager since 2026-Q2: ready under the old version.
    let mut dump: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&backup).unwrap()).unwrap();
    let ola = dump["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["email"] == "ola@example.com")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let mut files = ladder_framework::FileSet::new();
    for (path, text) in ladder_framework::example::FILES {
        files.insert_text(path, *text);
    }
    let (fw, _) = ladder_framework::compile(&files);
    let ws =
        ladder_growth::worksheet::worksheet(&fw, "backend-engineer", "intermediate", None).unwrap();
    let at = ladder_growth::Quarter::at(ladder_org::Date::new(2026, 4, 2).unwrap().to_unix())
        .start()
        .to_unix()
        + 60;
    let mut ratings = Vec::new();
    let mut history = Vec::new();
    for (i, r) in ws.rows.iter().enumerate() {
        let id = i64::try_from(i).unwrap() + 1;
        ratings.push(serde_json::json!([
            id, ola, r.id, "manager", 4, "", r.text, "h", null, at
        ]));
        history.push(serde_json::json!([
            id, ola, r.id, "manager", null, 4, null, "", "h", null, at
        ]));
    }
    dump["growth"]["ratings"] = serde_json::Value::Array(ratings);
    dump["growth"]["rating_history"] = serde_json::Value::Array(history);
    std::fs::write(&backup, serde_json::to_vec(&dump).unwrap()).unwrap();

    let run = |extra: &[&str]| {
        let mut args = vec![
            "diff",
            old.s(),
            new.s(),
            "--impact",
            "--as-of",
            "2026-09-30",
        ];
        args.extend_from_slice(extra);
        ladder(&args)
    };
    let b = backup.to_str().unwrap();
    let md = run(&["--backup", b]);
    assert!(md.status.success(), "{}", stderr(&md));
    let text = stdout(&md);
    assert!(text.contains("Who this change affects"), "{text}");
    assert!(text.contains("1 would move away from ready"), "{text}");
    assert!(text.contains("| Platform |"), "per team: {text}");
    assert!(!text.contains("Ola"), "no names unless asked: {text}");
    assert!(stdout(&run(&["--backup", b, "--names"])).contains("Ola Dev (Platform, intermediate)"));
    let json = |o: &Output| -> serde_json::Value { serde_json::from_str(&stdout(o)).unwrap() };
    let from_file = json(&run(&["--backup", b, "--format", "json"]));
    assert_eq!(from_file["impact"]["total"]["away_from_ready"], 1);
    assert_eq!(
        from_file["impact"]["people"],
        serde_json::json!([]),
        "counts only"
    );
    assert!(from_file["diff"]["grade"].is_string());
    // The same figures from the database the backup restores to.
    let restored = work.path().join("r");
    let o = ladder(&["db", "restore", b, "--data", restored.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let from_db = json(&run(&[
        "--data",
        restored.to_str().unwrap(),
        "--format",
        "json",
    ]));
    assert_eq!(from_db["impact"]["total"], from_file["impact"]["total"]);
    // A gate for CI.
    assert_eq!(
        run(&["--backup", b, "--fail-on-impact", "1"]).status.code(),
        Some(1)
    );
    assert_eq!(
        run(&["--backup", b, "--fail-on-impact", "50"])
            .status
            .code(),
        Some(0)
    );
    // No database, no report on nobody.
    let missing = run(&["--data", work.path().join("nowhere").to_str().unwrap()]);
    assert_eq!(missing.status.code(), Some(2), "{}", stderr(&missing));
    assert!(
        stderr(&missing).contains("no database at"),
        "{}",
        stderr(&missing)
    );
}

/// `ladder check --bands`: a band whose grade or zone the framework does
/// not have is an error with its row and column; a family's level without
/// a band in a zone is a warning naming what to add.
#[test]
fn check_bands_names_unknown_grades_and_levels_without_a_band() {
    let fw = init("bands-fw");
    let work = TempDir::new("bands");
    std::fs::create_dir_all(work.path()).unwrap();
    let bad = work.path().join("bad.csv");
    std::fs::write(
        &bad,
        "grade,zone,currency,min,mid,max,effective_from\n\
         7,western-europe,EUR,60000,70000,80000,2026-01-01\n\
         12,western-europe,EUR,90000,95000,99000,2026-01-01\n",
    )
    .unwrap();
    let o = ladder(&["check", fw.s(), "--bands", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("row 3, column `grade` (`12`)"),
        "{}",
        stderr(&o)
    );
    // Every grade in Europe, none in North America.
    let europe = work.path().join("europe.csv");
    let rows: String = ["4", "5", "6", "7", "8", "9", "9.5"]
        .iter()
        .map(|g| format!("{g},western-europe,EUR,50000,60000,70000,2026-01-01\n"))
        .collect();
    std::fs::write(
        &europe,
        format!("grade,zone,currency,min,mid,max,effective_from\n{rows}"),
    )
    .unwrap();
    let o = ladder(&["check", fw.s(), "--bands", europe.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("no band for grade 7 (Backend Engineer senior) in zone north-america"),
        "{err}"
    );
    assert!(!err.contains("in zone western-europe"), "{err}");
    let json: serde_json::Value = serde_json::from_str(&stdout(&ladder(&[
        "check",
        fw.s(),
        "--bands",
        europe.to_str().unwrap(),
        "--format",
        "json",
    ])))
    .unwrap();
    assert!(!json["bands"]["warnings"].as_array().unwrap().is_empty());
    assert_eq!(json["bands"]["errors"], serde_json::json!([]));

    // Role bands: a family or level that does not exist is an error; a
    // level with its own band in a zone is not missing there.
    let roles = work.path().join("roles.csv");
    std::fs::write(
        &roles,
        format!(
            "family,level,grade,zone,currency,min,mid,max,effective_from
{}             backend-engineer,senior,,north-america,CAD,90000,100000,110000,2026-01-01
             backend-enginer,staff,,north-america,CAD,1,2,3,2026-01-01
             backend-engineer,senor,,north-america,CAD,1,2,3,2026-01-01
",
            rows.lines().map(|l| format!(",,{l}\n")).collect::<String>()
        ),
    )
    .unwrap();
    let o = ladder(&["check", fw.s(), "--bands", roles.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("column `family` (`backend-enginer`)"), "{err}");
    assert!(err.contains("did you mean `backend-engineer`?"), "{err}");
    assert!(err.contains("column `level` (`senor`)"), "{err}");
    let good = work.path().join("good.csv");
    let text = std::fs::read_to_string(&roles).unwrap();
    let kept: String = text
        .lines()
        .take_while(|l| !l.contains("enginer,"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&good, kept).unwrap();
    let o = ladder(&["check", fw.s(), "--bands", good.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        !err.contains("(Backend Engineer senior) in zone north-america"),
        "{err}"
    );
    assert!(
        err.contains("(Backend Engineer staff) in zone north-america"),
        "{err}"
    );
}

#[test]
fn framework_stage_stores_a_folder_or_a_git_revision_as_a_release() {
    let fw = init("stage-fw");
    let data = TempDir::new("stage-data");
    // An empty database: published at once when asked.
    let o = ladder(&[
        "framework",
        "stage",
        fw.s(),
        "--data",
        data.s(),
        "--publish",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("Published release 1 "),
        "{}",
        stdout(&o)
    );
    // The same version again: nothing to stage.
    let o = ladder(&["framework", "stage", fw.s(), "--data", data.s()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("is the live version already"),
        "{}",
        stdout(&o)
    );

    // A commit that raises the bar, staged from git for review.
    git(fw.path(), &["init", "-q", "-b", "main"]);
    git(fw.path(), &["add", "-A"]);
    git(fw.path(), &["commit", "-q", "-m", "framework"]);
    let eng = fw.path().join("layers/engineering.md");
    let text = std::fs::read_to_string(&eng).unwrap().replacen(
        "## Senior\n\n### Leadership\n\n",
        "## Senior\n\n### Leadership\n\n- Writes down why each technical decision was made. {#engineering-senior-writes-down-why}\n",
        1,
    );
    std::fs::write(&eng, text).unwrap();
    git(fw.path(), &["commit", "-q", "-am", "raise the bar"]);
    let o = ladder(&[
        "framework",
        "stage",
        "--repo",
        fw.s(),
        "--rev",
        "HEAD",
        "--data",
        data.s(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("Staged release 2 ")
            && stdout(&o).contains("/admin/framework/changes"),
        "{}",
        stdout(&o)
    );
    // A revision that does not exist, and a folder with errors: refused,
    // with the reason.
    let o = ladder(&[
        "framework",
        "stage",
        "--repo",
        fw.s(),
        "--rev",
        "nope",
        "--data",
        data.s(),
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("nope"), "{}", stderr(&o));
    std::fs::write(fw.path().join("ladder.yaml"), "not: [valid").unwrap();
    let o = ladder(&["framework", "stage", fw.s(), "--data", data.s()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("ladder check"), "{}", stderr(&o));
}

/// One HTTP/1.1 exchange with the demo: (status line, cookies set, body).
fn exchange(
    addr: &str,
    method: &str,
    path: &str,
    cookie: &str,
    form: &str,
) -> (String, Vec<String>, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
        form.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    let cookies = head
        .lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("set-cookie")
                .then(|| v.trim().split(';').next().unwrap_or("").to_owned())
        })
        .collect();
    (
        head.lines().next().unwrap_or("").to_owned(),
        cookies,
        body.to_owned(),
    )
}

/// The numbers of the changes page's totals, in order: affected, people,
/// away from ready, toward ready, ratings to recheck, archived.
fn page_totals(body: &str) -> Vec<u64> {
    let totals = body
        .split("id=\"impact-totals\">")
        .nth(1)
        .unwrap_or_else(|| panic!("{body}"));
    let totals = totals.split("</div>").next().unwrap();
    totals
        .split("<strong>")
        .skip(1)
        .flat_map(|t| {
            t.split("</strong>")
                .next()
                .unwrap()
                .split(" of ")
                .map(|n| n.parse::<u64>().unwrap())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// On the demo organisation: a change that raises the bar (a statement
/// moved down a level, a new required one), rewords one and removes one.
/// The impact report gives the same figures and names the same people,
/// with the same direction, from the CLI on the live database, from the
/// CLI on a backup, and on the web page the people team reads.
#[test]
fn the_impact_of_a_change_to_the_demo_agrees_on_the_cli_a_backup_and_the_web_page() {
    let demo = support::demo(&["--people", "60"]);
    let data = demo.data().to_str().unwrap().to_owned();
    let old = init("impact-demo-old");
    let layer = demo.data().join("framework/layers/engineering.md");
    let text = std::fs::read_to_string(&layer).unwrap();
    let moved = "- Finds and removes the causes of recurring incidents in their area. {#engineering-senior-finds-removes-causes-recurring}\n";
    assert!(text.contains(moved));
    let text = text
        .replacen(moved, "", 1)
        .replacen(
            "## Intermediate\n\n### Leadership\n\n",
            &format!("## Intermediate\n\n### Leadership\n\n{moved}"),
            1,
        )
        .replacen(
            "## Senior\n\n### Leadership\n\n",
            "## Senior\n\n### Leadership\n\n- Writes down why each technical decision was made. {#engineering-senior-writes-down-why}\n",
            1,
        )
        .replacen(
            "Turns vague requests into plans with clear milestones.",
            "Turns vague requests into plans with milestones everyone can check.",
            1,
        )
        .replacen(
            "- Spots problems nobody owns and finds them an owner, or takes them on. {#engineering-staff-spots-problems-nobody-owns}\n",
            "",
            1,
        );
    std::fs::write(&layer, text).unwrap();
    let new = demo.data().join("framework");
    let new = new.to_str().unwrap();

    let report = |source: &[&str]| -> serde_json::Value {
        let mut args = vec![
            "diff",
            old.s(),
            new,
            "--impact",
            "--names",
            "--format",
            "json",
        ];
        args.extend_from_slice(source);
        let o = ladder(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_str(&stdout(&o)).unwrap()
    };
    let live = report(&["--data", &data]);
    let backup = TempDir::new("impact-demo-backup");
    std::fs::create_dir_all(backup.path()).unwrap();
    let file = backup.path().join("backup.json");
    let o = ladder(&["db", "backup", file.to_str().unwrap(), "--data", &data]);
    assert!(o.status.success(), "{}", stderr(&o));
    let from_backup = report(&["--backup", file.to_str().unwrap()]);
    assert_eq!(live["impact"], from_backup["impact"]);
    let total = &live["impact"]["total"];
    let n = |k: &str| total[k].as_u64().unwrap();
    println!("impact on the demo: {total}");
    assert!(n("affected") > 0, "{total}");
    // The demo team's ratings: of the reworded statement, to look at
    // again; of the removed one, archived.
    assert!(
        n("ratings_to_recheck") > 0 && n("ratings_archived") > 0,
        "{total}"
    );
    assert!(
        n("statements_added") > 0 && n("statements_removed") > 0 && n("statements_reworded") > 0,
        "{total}"
    );

    // The web page, as the people team.
    let addr = demo.base.trim_start_matches("http://").to_owned();
    let (_, pre, _) = exchange(&addr, "GET", "/login", "", "");
    let pre = pre
        .iter()
        .find(|c| c.starts_with("ladder_pre="))
        .unwrap()
        .clone();
    let token = pre.trim_start_matches("ladder_pre=");
    let form = format!(
        "csrf={token}&email={}&password=ladder-demo",
        demo.login("people team").replace('@', "%40")
    );
    let (status, set, _) = exchange(&addr, "POST", "/login", &pre, &form);
    assert!(status.contains("303"), "{status}");
    let session = set
        .iter()
        .find(|c| c.starts_with("ladder_session="))
        .unwrap();
    let (status, _, page) = exchange(&addr, "GET", "/admin/framework/changes", session, "");
    assert!(status.contains("200"), "{status}: {page}");
    assert_eq!(
        page_totals(&page),
        [
            n("affected"),
            n("people"),
            n("away_from_ready"),
            n("toward_ready"),
            n("ratings_to_recheck"),
            n("ratings_archived")
        ],
        "{total}"
    );
    // Per team, level, family and specialty, each adding up to the total.
    for by in ["by_team", "by_level", "by_family", "by_specialty"] {
        let sum: u64 = live["impact"][by]
            .as_object()
            .unwrap()
            .values()
            .map(|t| t["affected"].as_u64().unwrap())
            .sum();
        assert_eq!(sum, n("affected"), "{by}");
    }
    assert!(page.contains("id=\"impact-family\"") && page.contains("id=\"impact-specialty\""));
    // The same people, each with the same direction.
    let people = live["impact"]["people"].as_array().unwrap();
    assert_eq!(people.len() as u64, n("affected"));
    let rows = page.split("id=\"impact-people\">").nth(1).unwrap();
    let rows = rows.split("</table>").next().unwrap();
    for p in people {
        let name = p["name"].as_str().unwrap();
        let words = match p["direction"].as_str() {
            Some("away_from_ready") => "away from ready",
            Some("toward_ready") => "toward ready",
            _ => "",
        };
        let row = rows
            .split("<tr>")
            .find(|r| r.contains(&format!(">{name}</a>")))
            .unwrap_or_else(|| panic!("{name} is not on the page"));
        let row = row.split("</tr>").next().unwrap();
        assert!(row.ends_with(&format!("<td>{words}</td>")), "{name}: {row}");
    }
    let moving = people.iter().filter(|p| !p["direction"].is_null()).count() as u64;
    assert_eq!(moving, n("away_from_ready") + n("toward_ready"));
}

#[test]
fn import_sheet_reads_a_grid_and_names_the_cell_of_a_problem() {
    let work = TempDir::new("sheet");
    std::fs::create_dir_all(work.path()).unwrap();
    let csv = work.path().join("engineering.csv");
    std::fs::write(
        &csv,
        "Area,Competency,Junior,Senior\nCraft,Testing,Writes unit tests.,Designs test strategy.\n,Reviews,\"- Reviews small changes.\n- Asks for review early.\",\n",
    )
    .unwrap();
    let out = work.path().join("fw");
    let o = ladder(&[
        "import",
        "sheet",
        csv.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = ladder(&["check", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let layer = std::fs::read_to_string(out.join("layers/engineering.md")).unwrap();
    assert!(layer.contains("- Asks for review early."), "{layer}");
    // A statement with no category anywhere above it: the cell and the fix.
    let bad = work.path().join("bad.csv");
    std::fs::write(&bad, "Area,Junior,Senior\n,Plans a week.,\n").unwrap();
    let out2 = work.path().join("fw2");
    let o = ladder(&[
        "import",
        "sheet",
        bad.to_str().unwrap(),
        "--out",
        out2.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("A2: this row has statements but no category"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("fill in A2"), "{}", stderr(&o));
    assert!(!out2.exists());
}
