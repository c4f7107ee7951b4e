#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The shape of the code, checked: feature modules depend on each other in
//! one direction only, `http/` uses no feature, no source file of the
//! server grows past 900 lines, and the store holds no SQL in macros.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The server's feature folders.
const FEATURES: &[&str] = &[
    "accounts",
    "people",
    "framework",
    "growth",
    "one_on_ones",
    "feedback",
    "pay",
    "internships",
    "hiring",
    "inbox",
    "routine",
    "notify",
    "calendar",
];

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Which features a folder's files name as `crate::<feature>`.
fn uses(folder: &str) -> BTreeSet<&'static str> {
    let mut out = BTreeSet::new();
    for f in rust_files(&src().join(folder)) {
        let text = std::fs::read_to_string(&f).unwrap();
        for feature in FEATURES {
            if *feature != folder && text.contains(&format!("crate::{feature}::")) {
                out.insert(*feature);
            }
        }
    }
    out
}

#[test]
fn features_depend_on_each_other_one_way_and_http_on_none() {
    assert!(
        uses("http").is_empty(),
        "http/ uses {:?}; shared helpers must not depend on a feature",
        uses("http")
    );
    let graph: BTreeMap<&str, BTreeSet<&str>> = FEATURES.iter().map(|f| (*f, uses(f))).collect();
    // Depth-first search for a cycle.
    fn visit<'a>(
        n: &'a str,
        graph: &BTreeMap<&'a str, BTreeSet<&'a str>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) {
        if let Some(at) = path.iter().position(|p| *p == n) {
            panic!(
                "features import each other: {} -> {n}",
                path[at..].join(" -> ")
            );
        }
        if done.contains(n) {
            return;
        }
        path.push(n);
        for m in &graph[n] {
            visit(m, graph, path, done);
        }
        path.pop();
        done.insert(n);
    }
    let mut done = BTreeSet::new();
    for f in FEATURES {
        visit(f, &graph, &mut Vec::new(), &mut done);
    }
    // The check itself can fail: a feature that uses another is seen.
    assert!(graph["feedback"].contains("growth"), "{graph:?}");
}

#[test]
fn no_server_source_file_is_longer_than_900_lines() {
    for f in rust_files(&src()) {
        let lines = std::fs::read_to_string(&f).unwrap().lines().count();
        assert!(
            lines <= 900,
            "{} has {lines} lines; split it along its feature's service, pages and api",
            f.display()
        );
    }
}

#[test]
fn the_store_holds_no_sql_in_macros() {
    let store = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ladder-store");
    let files = rust_files(&store);
    assert!(files.len() > 5, "the store's sources were read");
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(
            !text.contains("macro_rules!"),
            "{} defines a macro; the shared SQL is plain Rust in ladder-store/sql/",
            f.display()
        );
    }
}
