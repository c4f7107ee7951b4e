//! A layer's own level order (`below` in its front matter): a department
//! whose levels do not chain through `ladder.yaml`'s, or a management track
//! beside the IC one, counts each statement once, in its own order.

use ladder_framework::{FileSet, compile, diff, resolve};

const CONFIG: &str = "levels:\n  - { id: intermediate, title: Intermediate, grade: 6 }\n  - { id: senior, title: Senior, grade: 7, below: intermediate }\n  - { id: staff, title: Staff, grade: 8, below: senior }\n  - { id: manager, title: Manager, grade: 8, below: staff }\ncategories:\n  - { id: technical, title: Technical }\n";

fn set(support_below: &str) -> FileSet {
    let mut files = FileSet::new();
    files.insert_text("ladder.yaml", CONFIG);
    files.insert_text(
        "layers/engineering.md",
        "---\nid: engineering\ntitle: Engineering\n---\n\n## Intermediate\n\n### Technical\n\n- Ships small changes with tests. {#e-ships}\n\n## Staff\n\n### Technical\n\n- Sets the technical direction of a group. {#e-direction}\n\n## Manager\n\n### Technical\n\n- Keeps the team's delivery predictable. {#e-delivery}\n",
    );
    files.insert_text(
        "layers/support.md",
        format!("---\nid: support\ntitle: Support\nextends: engineering\n{support_below}---\n\n## Senior\n\n### Technical\n\n- Leads the response to a customer emergency. {{#s-emergency}}\n"),
    );
    files
}

fn ids(fw: &ladder_framework::Framework, layer: &str, level: &str) -> Vec<String> {
    resolve::layer(fw, layer, level, false)
        .unwrap()
        .competencies
        .iter()
        .map(|e| e.id.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

#[test]
fn a_layer_below_sets_the_level_order_for_its_views_alone() {
    // ladder.yaml's order: the manager includes the staff level and all
    // below it.
    let (fw, diags) = compile(&set(""));
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    assert_eq!(
        ids(&fw, "support", "manager"),
        ["e-delivery", "e-direction", "e-ships", "s-emergency"]
    );
    // The support layer's own order: its managers are a track of their
    // own, built on nothing below; its seniors build on intermediate as
    // before.
    let (fw2, diags) = compile(&set("below:\n  manager: null\n"));
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    assert_eq!(ids(&fw2, "support", "manager"), ["e-delivery"]);
    assert_eq!(ids(&fw2, "support", "senior"), ["e-ships", "s-emergency"]);
    // Other layers keep ladder.yaml's order.
    assert_eq!(
        ids(&fw2, "engineering", "manager"),
        ["e-delivery", "e-direction", "e-ships"]
    );
    let view = resolve::layer(&fw2, "support", "manager", false).unwrap();
    assert_eq!(view.levels, ["manager"]);
    // The change is named by the diff.
    let d = diff::diff(&fw, &fw2);
    assert!(
        d.changes
            .iter()
            .any(|c| c.kind == "layer_level_order_changed"),
        "{:?}",
        d.changes
    );
}

#[test]
fn a_layer_below_that_names_no_level_or_goes_round_is_an_error() {
    let (_, diags) = compile(&set("below:\n  manager: staf\n"));
    let d = diags.iter().find(|d| d.code == "unknown-level").unwrap();
    assert!(d.to_string().contains("staff"), "{d}");
    let (_, diags) = compile(&set("below:\n  intermediate: staff\n"));
    assert!(diags.iter().any(|d| d.code == "level-cycle"), "{diags:?}");
}
