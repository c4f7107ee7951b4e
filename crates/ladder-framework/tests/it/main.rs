//! Integration tests of the compiler: fixture folders with snapshot
//! diagnostics, and property tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod diff;
mod fixtures;
mod props;
mod scale;
mod tracks;

use ladder_framework::{Diagnostic, FileSet};
use std::fmt::Write as _;
use std::path::Path;

/// Reads a fixture folder the way the CLI does.
pub fn load(dir: &Path) -> FileSet {
    fn walk(root: &Path, dir: &Path, files: &mut FileSet) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap())
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, files);
            } else if p.file_name().unwrap() != "expected.txt" {
                let rel = p
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                files.insert(&rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut files = FileSet::new();
    walk(dir, dir, &mut files);
    files
}

/// One diagnostic per block: place, severity, code, message, help, fix.
pub fn render(diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let _ = writeln!(
            out,
            "{}:{}:{}: {}[{}]: {}",
            d.span.file, d.span.line, d.span.column, d.severity, d.code, d.message
        );
        if let Some(h) = &d.help {
            let _ = writeln!(out, "  help: {h}");
        }
        if let Some(s) = &d.suggestion {
            let _ = writeln!(out, "  suggestion: {s}");
        }
    }
    out
}

/// Compares `actual` with the snapshot file, or rewrites it when
/// `UPDATE_EXPECT=1` is set.
pub fn check_snapshot(path: &Path, actual: &str) {
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        expected == actual,
        "snapshot {} differs (run with UPDATE_EXPECT=1 to accept)\n--- expected\n{expected}\n--- actual\n{actual}",
        path.display()
    );
}
