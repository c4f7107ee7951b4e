//! `tests/fixtures/valid/*` compile clean; each `tests/fixtures/invalid/*`
//! shows exactly one defect, whose diagnostic is the snapshot `expected.txt`.

use crate::{check_snapshot, load, render};
use ladder_framework::{compile, resolve};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn fixture_dirs(kind: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind);
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no {kind} fixtures");
    dirs
}

#[test]
fn valid_fixtures_compile_clean() {
    for dir in fixture_dirs("valid") {
        let (fw, diags) = compile(&load(&dir));
        assert!(diags.is_empty(), "{}:\n{}", dir.display(), render(&diags));
        // Snapshot what each role resolves to, so a change in resolution shows.
        let mut out = String::new();
        for f in &fw.families {
            for l in &f.levels {
                let view = resolve::role(&fw, &f.id, &l.level, None, false).unwrap();
                let ids: Vec<&str> = view.competencies.iter().map(|e| e.id.as_str()).collect();
                let _ = writeln!(
                    out,
                    "{} {} (grade {}): {}",
                    f.id,
                    l.level,
                    view.grade,
                    ids.join(" ")
                );
            }
        }
        for layer in &fw.layers {
            for level in &fw.config.levels {
                let own = resolve::layer(&fw, &layer.id, &level.id, true).unwrap();
                let ids: Vec<String> = own
                    .competencies
                    .iter()
                    .map(|e| format!("{}@{}", e.id, e.layer))
                    .collect();
                let _ = writeln!(out, "own {} {}: {}", layer.id, level.id, ids.join(" "));
            }
        }
        check_snapshot(&dir.join("expected.txt"), &out);
    }
}

#[test]
fn invalid_fixtures_report_exactly_their_defect() {
    let mut wrong = String::new();
    for dir in fixture_dirs("invalid") {
        let (_, diags) = compile(&load(&dir));
        let rendered = render(&diags);
        check_snapshot(&dir.join("expected.txt"), &rendered);
        if diags.len() != 1 {
            let _ = writeln!(
                wrong,
                "{} shows {} diagnostics:\n{rendered}",
                dir.display(),
                diags.len()
            );
        }
    }
    assert!(
        wrong.is_empty(),
        "each invalid fixture must show exactly one defect:\n{wrong}"
    );
}

#[test]
fn a_missing_id_is_provisional_and_is_the_one_ladder_ids_would_write() {
    let files =
        load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid/missing-id"));
    let (fw, _) = compile(&files);
    let planned = ladder_framework::ids::plan(&files);
    assert_eq!(planned.len(), 1);
    let item = fw
        .items
        .get(&planned[0].id)
        .expect("the planned id names the item");
    assert!(item.provisional_id);
    assert!(
        fw.items
            .values()
            .filter(|i| i.id != item.id)
            .all(|i| !i.provisional_id)
    );
}

#[test]
fn the_example_framework_is_clean() {
    let mut files = ladder_framework::FileSet::new();
    for (p, t) in ladder_framework::example::FILES {
        files.insert_text(p, *t);
    }
    let (fw, diags) = compile(&files);
    assert!(diags.is_empty(), "{}", render(&diags));
    // What the issue asks the example to hold.
    assert!(fw.families.len() >= 2);
    assert!(
        fw.families
            .iter()
            .map(|f| f.specialties.len())
            .sum::<usize>()
            >= 3
    );
    assert!(fw.families.iter().all(|f| !f.hiring_process.is_empty()));
    assert!(fw.layers.iter().any(|l| fw.layer_chain(&l.id).len() >= 4));
    for level in [
        "intern",
        "associate",
        "intermediate",
        "senior",
        "staff",
        "principal",
        "manager",
    ] {
        assert!(fw.level(level).is_some(), "{level}");
    }
    assert!(
        fw.items
            .values()
            .any(|i| i.source.file.starts_with("includes/"))
    );
}

#[test]
fn the_embedded_example_lists_every_file_on_disk() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("example");
    let on_disk = crate::load(&root);
    let embedded: Vec<&str> = ladder_framework::example::FILES
        .iter()
        .map(|(p, _)| *p)
        .collect();
    let mut disk: Vec<&str> = on_disk.paths().collect();
    disk.sort_unstable();
    let mut emb = embedded.clone();
    emb.sort_unstable();
    assert_eq!(emb, disk, "add new example files to src/example.rs");
}

/// The example framework, then each valid fixture.
fn example_and_valid_fixtures() -> Vec<ladder_framework::FileSet> {
    let mut example = ladder_framework::FileSet::new();
    for (path, text) in ladder_framework::example::FILES {
        example.insert_text(path, *text);
    }
    let mut sets = vec![example];
    sets.extend(fixture_dirs("valid").iter().map(|d| load(d)));
    sets
}

/// What each layer adds, level by level (the site's layer pages), is what
/// its own view at each level keeps at that layer.
#[test]
fn what_a_layer_adds_is_its_own_view_kept_at_it() {
    let mut sets = example_and_valid_fixtures();
    // A layer placing at a level what the layer it builds on already places
    // there: those statements are the lower layer's.
    let shared_dir = fixture_dirs("valid")
        .into_iter()
        .find(|d| d.ends_with("shared-include"))
        .unwrap();
    let mut shared = load(&shared_dir);
    let backend = shared.text("layers/backend.md").unwrap().replace(
        "{#be-int-migrations}\n",
        "{#be-int-migrations}\n{{% include \"includes/review.md\" %}}\n",
    );
    shared.insert_text("layers/backend.md", backend);
    sets.push(shared);
    let mut left_to_lower = 0;
    for files in &sets {
        let (fw, _) = compile(files);
        let look = resolve::Lookup::new(&fw);
        for layer in &fw.layers {
            let ids = |list: &[resolve::Placed<'_>]| -> Vec<String> {
                list.iter().map(|p| p.item.id.clone()).collect()
            };
            let added: Vec<(String, Vec<String>)> = look
                .added(layer)
                .iter()
                .map(|(lv, own)| (lv.id.clone(), ids(own)))
                .collect();
            let expected: Vec<(String, Vec<String>)> = fw
                .config
                .levels
                .iter()
                .filter_map(|lv| {
                    let own: Vec<_> = resolve::placed(&fw, &layer.id, &lv.id, true)
                        .into_iter()
                        .filter(|p| p.layer.id == layer.id)
                        .collect();
                    (!own.is_empty()).then(|| (lv.id.clone(), ids(&own)))
                })
                .collect();
            assert_eq!(added, expected, "layer {}", layer.id);
            let shown: usize = added.iter().map(|(_, own)| own.len()).sum();
            left_to_lower += layer.placements.len() - shown;
        }
    }
    assert!(
        left_to_lower > 0,
        "no set places a statement twice at one level"
    );
}

/// A statement copied into many teams' layers is compared as one: copies
/// no role gets together are not reported, copies one role gets together
/// are, once per pair, and so is a near copy every role of a team gets.
#[test]
fn copies_across_teams_are_reported_only_where_one_role_gets_two() {
    let mut files = ladder_framework::FileSet::new();
    files.insert_text(
        "ladder.yaml",
        "levels:\n  - id: senior\n    title: Senior\n    grade: 7\ncategories:\n  - id: technical\n    title: Technical\n",
    );
    files.insert_text(
        "layers/eng.md",
        "---\nid: eng\ntitle: Engineering\n---\n\n## Senior\n\n### Technical\n\n- Writes design documents others can build from. {#eng-design}\n",
    );
    // Twelve teams, each with the same statement and a near copy of it:
    // more pairs than are compared one by one.
    for t in 0..12 {
        let mut text = format!(
            "---\nid: team{t}\ntitle: Team {t}\nextends: eng\n---\n\n## Senior\n\n### Technical\n\n\
             - Keeps the service fast under load for every customer. {{#t{t}-fast}}\n\
             - Keeps the service fast under heavy load for every customer. {{#t{t}-fast-again}}\n"
        );
        // Team 3 also repeats it word for word.
        if t == 3 {
            text.push_str(
                "- Keeps the service fast under load for every customer. {#t3-fast-twice}\n",
            );
        }
        files.insert_text(&format!("layers/team{t}.md"), text);
    }
    let (_, diags) = compile(&files);
    let found: Vec<(&str, String)> = diags.iter().map(|d| (d.code, d.message.clone())).collect();
    let near: Vec<_> = found
        .iter()
        .filter(|(c, _)| *c == "near-duplicate")
        .collect();
    let same: Vec<_> = found
        .iter()
        .filter(|(c, _)| *c == "duplicate-statement")
        .collect();
    // Each team's near copy, against its own statement (team 3's against
    // both of its copies); never against another team's.
    assert_eq!(near.len(), 13, "{found:#?}");
    for t in 0..12 {
        assert!(
            near.iter().any(|(_, m)| m.contains(&format!(
                "`t{t}-fast-again` is nearly the same as `t{t}-fast`"
            ))),
            "team {t}: {found:#?}"
        );
    }
    let team = |id: Option<&&str>| id.and_then(|id| id.split('-').next()).map(str::to_owned);
    for (_, m) in &near {
        let ids: Vec<&str> = m.split('`').collect();
        assert_eq!(team(ids.get(1)), team(ids.get(3)), "{m}");
    }
    assert_eq!(same.len(), 1, "{found:#?}");
    assert!(
        same.iter()
            .any(|(_, m)| m.contains("`t3-fast-twice` says the same as `t3-fast`")),
        "{found:#?}"
    );
}

/// `Lookup::placed`, which finds layers and items through the indexes it
/// makes once, gives what `resolve::placed`, which scans the framework's
/// lists, gives.
#[test]
fn indexed_views_are_the_scanned_ones() {
    let mut views = 0;
    for files in &example_and_valid_fixtures() {
        let (fw, _) = compile(files);
        let look = resolve::Lookup::new(&fw);
        for layer in &fw.layers {
            for level in &fw.config.levels {
                for own in [false, true] {
                    let key = |list: Vec<resolve::Placed<'_>>| -> Vec<(String, String, String)> {
                        list.iter()
                            .map(|p| {
                                (
                                    p.item.id.clone(),
                                    p.layer.id.clone(),
                                    p.placement.level.to_string(),
                                )
                            })
                            .collect()
                    };
                    let scanned = key(resolve::placed(&fw, &layer.id, &level.id, own));
                    let indexed = key(look.placed(&layer.id, &level.id, own));
                    assert_eq!(
                        indexed, scanned,
                        "{} at {} (own: {own})",
                        layer.id, level.id
                    );
                    views += usize::from(!scanned.is_empty());
                }
            }
        }
    }
    assert!(views > 20, "only {views} views hold statements");
}
