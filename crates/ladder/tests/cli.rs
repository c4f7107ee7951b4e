//! The real `ladder` binary, driven against the example framework and fixtures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

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
    ] {
        let o = ladder(cmd);
        assert!(o.status.success());
        assert!(stdout(&o).contains("Usage"), "{cmd:?}");
    }
}
