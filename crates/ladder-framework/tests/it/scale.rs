//! Size: a framework with a very long chain of levels compiles in time
//! proportional to its length (issue: 5,000 levels once took over a
//! minute). The benchmark `cargo xtask bench check` measures the growth;
//! this test makes a quadratic walk visible as a test that does not end.

use ladder_framework::{FileSet, compile};
use std::fmt::Write as _;

/// `n` levels, each including the one before it, a layer with one statement
/// on the first and the last level, and a family that uses both ends.
fn chain(n: usize, close_the_circle: bool) -> FileSet {
    let mut yaml = String::from("levels:\n");
    for i in 0..n {
        let _ = writeln!(yaml, "  - id: l{i}\n    title: Level {i}\n    grade: {i}");
        if i > 0 {
            let _ = writeln!(yaml, "    below: l{}", i - 1);
        } else if close_the_circle {
            let _ = writeln!(yaml, "    below: l{}", n - 1);
        }
    }
    yaml.push_str("categories:\n  - id: technical\n    title: Technical\n");
    let last = n - 1;
    let mut files = FileSet::new();
    files.insert_text("ladder.yaml", yaml);
    files.insert_text(
        "layers/engineering.md",
        format!(
            "---\nid: engineering\ntitle: Engineering\n---\n\n## Level 0\n\n### Technical\n\n- Ships small changes with tests. {{#first}}\n\n## Level {last}\n\n### Technical\n\n- Sets the direction of the whole company. {{#last}}\n"
        ),
    );
    files.insert_text(
        "families/engineer.md",
        format!("---\nid: engineer\ntitle: Engineer\nlayer: engineering\nlevels: [l0, l{last}]\n---\n\nBuilds things.\n"),
    );
    files
}

#[test]
fn a_chain_of_100000_levels_compiles() {
    let (fw, diags) = compile(&chain(100_000, false));
    let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(fw.config.levels.len(), 100_000);
    // The top level includes everything below it, down to the first.
    assert_eq!(fw.level_chain("l99999").len(), 100_000);
}

#[test]
fn a_circle_of_100000_levels_is_one_error() {
    let (_, diags) = compile(&chain(100_000, true));
    let cycles: Vec<_> = diags.iter().filter(|d| d.code == "level-cycle").collect();
    assert_eq!(cycles.len(), 1, "{cycles:?}");
}
