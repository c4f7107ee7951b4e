//! `diff` on pairs of frameworks: the example, and the example with one
//! edit. Together the pairs cover every change kind and every grade.

use ladder_framework::diff::{Grade, Report, diff, markdown, rewording_grade};
use ladder_framework::{FileSet, Framework, compile, example};

fn example_files() -> FileSet {
    let mut files = FileSet::new();
    for (path, text) in example::FILES {
        files.insert_text(path, *text);
    }
    files
}

fn build(files: &FileSet) -> Framework {
    let (fw, diags) = compile(files);
    let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    fw
}

/// The example, and the example after `edit` replaces `from` with `to` in `file`.
fn pair(edits: &[(&str, &str, &str)]) -> (Framework, Framework, Report) {
    let old = example_files();
    let mut new = example_files();
    for (file, from, to) in edits {
        let text = new.text(file).unwrap().to_owned();
        assert!(text.contains(from), "{file} does not contain {from:?}");
        new.insert_text(file, text.replacen(from, to, 1));
    }
    let (a, b) = (build(&old), build(&new));
    let r = diff(&a, &b);
    (a, b, r)
}

fn kinds(r: &Report) -> Vec<(&'static str, Grade)> {
    r.changes.iter().map(|c| (c.kind, c.grade)).collect()
}

const ENG: &str = "layers/engineering.md";
const BE: &str = "families/backend-engineer.md";
const STAFF_ALIGNS: &str = "- Aligns several teams on a shared technical plan and keeps it current as things change. {#engineering-staff-aligns-several-teams-shared}\n";

#[test]
fn no_change_is_no_grade() {
    let (a, b, r) = pair(&[]);
    assert_eq!(r.grade, None);
    assert!(r.changes.is_empty());
    assert!(markdown(&r, &a, &b).contains("No changes"));
}

#[test]
fn a_new_statement_is_major() {
    let (_, _, r) = pair(&[(
        ENG,
        STAFF_ALIGNS,
        &format!(
            "{STAFF_ALIGNS}- Writes a yearly technical outlook for their area. {{#engineering-staff-yearly-outlook}}\n"
        ),
    )]);
    assert_eq!(kinds(&r), vec![("statement_added", Grade::Major)]);
    let c = &r.changes[0];
    assert_eq!(c.scope.layer.as_deref(), Some("engineering"));
    assert_eq!(c.scope.level.as_deref(), Some("staff"));
    assert_eq!(c.id.as_deref(), Some("engineering-staff-yearly-outlook"));
    assert_eq!(r.grade, Some(Grade::Major));
}

#[test]
fn a_removed_statement_is_minor() {
    let (_, _, r) = pair(&[(ENG, STAFF_ALIGNS, "")]);
    assert_eq!(kinds(&r), vec![("statement_removed", Grade::Minor)]);
    assert_eq!(r.grade, Some(Grade::Minor));
}

#[test]
fn a_link_target_change_is_a_patch_and_new_words_are_not() {
    assert_eq!(
        rewording_grade(
            "Lives our [values](source:/handbook/values/) in reviews.",
            "Lives our [values](source:/handbook/values/#iteration) in reviews."
        ),
        Grade::Patch
    );
    assert_eq!(
        rewording_grade(
            "Lives our values in reviews.",
            "Lives our [values](https://example.com/values) in reviews."
        ),
        Grade::Patch
    );
    assert_eq!(
        rewording_grade(
            "Lives our [values](/a) in reviews.",
            "Lives our [values](/a) in every review and design doc."
        ),
        Grade::Minor
    );
}

#[test]
fn rewordings_are_patch_or_minor_with_a_word_diff() {
    let (a, b, r) = pair(&[(
        ENG,
        "keeps it current as things change",
        "keeps it current as thngs change",
    )]);
    assert_eq!(kinds(&r), vec![("statement_reworded", Grade::Patch)]);
    assert!(markdown(&r, &a, &b).contains("~~things~~ **thngs**"));
    let (_, _, r) = pair(&[(
        ENG,
        "keeps it current as things change",
        "revisits it every quarter with each team",
    )]);
    assert_eq!(kinds(&r), vec![("statement_reworded", Grade::Minor)]);
    assert!(r.changes[0].words.len() >= 3);
    assert_eq!(
        rewording_grade("Leads a team.", "leads a  team"),
        Grade::Patch
    );
}

#[test]
fn a_move_down_raises_the_bar_and_a_move_up_does_not() {
    // Staff → Senior: seniors are now expected to do it.
    let senior = "## Senior\n\n### Leadership\n\n";
    let (_, _, r) = pair(&[
        (ENG, STAFF_ALIGNS, ""),
        (ENG, senior, &format!("{senior}{STAFF_ALIGNS}")),
    ]);
    assert_eq!(kinds(&r), vec![("statement_moved", Grade::Major)]);
    assert_eq!(r.changes[0].old.as_deref(), Some("engineering@staff"));
    assert_eq!(r.changes[0].new.as_deref(), Some("engineering@senior"));
    // Staff → Principal: nobody's bar rises.
    let principal = "## Principal\n\n### Leadership\n\n";
    let (_, _, r) = pair(&[
        (ENG, STAFF_ALIGNS, ""),
        (ENG, principal, &format!("{principal}{STAFF_ALIGNS}")),
    ]);
    assert_eq!(kinds(&r), vec![("statement_moved", Grade::Minor)]);
}

#[test]
fn a_move_to_another_category_is_a_patch() {
    let technical_staff = "## Staff\n\n### Leadership\n\n";
    let text = example_files().text(ENG).unwrap().to_owned();
    assert!(text.contains(technical_staff));
    let (_, _, r) = pair(&[
        (ENG, STAFF_ALIGNS, ""),
        (
            ENG,
            "- Shapes the architecture",
            &format!("{STAFF_ALIGNS}- Shapes the architecture"),
        ),
    ]);
    assert_eq!(kinds(&r), vec![("statement_recategorised", Grade::Patch)]);
}

#[test]
fn levels_added_removed_renamed_regraded() {
    let (_, _, r) = pair(&[(
        "ladder.yaml",
        "title: Principal",
        "title: Principal Engineer",
    )]);
    assert_eq!(kinds(&r), vec![("level_renamed", Grade::Patch)]);
    let (_, _, r) = pair(&[("ladder.yaml", "grade: 9.5", "grade: 10")]);
    assert_eq!(kinds(&r), vec![("level_grade_changed", Grade::Minor)]);
    let (_, _, r) = pair(&[(
        "ladder.yaml",
        "categories:",
        "  - id: distinguished\n    title: Distinguished\n    grade: 11\n    below: principal\n\ncategories:",
    )]);
    assert_eq!(kinds(&r), vec![("level_added", Grade::Minor)]);
    let (_, _, r) = pair(&[(
        "ladder.yaml",
        "  - id: senior-manager\n    title: Senior Manager\n    grade: 9.5\n    below: manager\n",
        "",
    )]);
    assert!(
        kinds(&r).contains(&("level_removed", Grade::Minor)),
        "{:?}",
        kinds(&r)
    );
}

#[test]
fn family_items_grades_and_hiring() {
    let (_, _, r) = pair(&[(
        BE,
        "## Requirements\n\n",
        "## Requirements\n\n- Experience with message queues. {#backend-engineer-req-queues}\n",
    )]);
    assert_eq!(kinds(&r), vec![("item_added", Grade::Major)]);
    assert_eq!(
        r.changes[0].scope.family.as_deref(),
        Some("backend-engineer")
    );
    let (_, _, r) = pair(&[(
        BE,
        "- Contributions to open source projects. {#backend-engineer-nice-contributions-open-source-projects}\n",
        "",
    )]);
    assert_eq!(kinds(&r), vec![("item_removed", Grade::Minor)]);
    let (_, _, r) = pair(&[(
        BE,
        "including schema design and query tuning",
        "including schema design, indexing and query tuning",
    )]);
    assert_eq!(kinds(&r), vec![("item_reworded", Grade::Minor)]);
    let (_, _, r) = pair(&[(BE, "grades:\n  manager: 8", "grades:\n  manager: 8.5")]);
    assert_eq!(kinds(&r), vec![("grade_changed", Grade::Minor)]);
    let (_, _, r) = pair(&[(BE, "    minutes: 90", "    minutes: 75")]);
    assert_eq!(kinds(&r), vec![("hiring_stage_changed", Grade::Minor)]);
    let (_, _, r) = pair(&[(
        BE,
        "  - id: manager\n    name: Hiring manager interview\n    minutes: 45\n    interviewer: Engineering manager\n",
        "",
    )]);
    assert_eq!(kinds(&r), vec![("hiring_stage_removed", Grade::Minor)]);
    let (_, _, r) = pair(&[(
        BE,
        "hiring:\n",
        "hiring:\n  - id: take-home\n    name: Take-home exercise\n    minutes: 120\n    interviewer: Backend engineer\n",
    )]);
    assert_eq!(kinds(&r), vec![("hiring_stage_added", Grade::Minor)]);
    let (_, _, r) = pair(&[(
        BE,
        "Backend Engineers build and run",
        "Backend engineers build and run",
    )]);
    assert_eq!(kinds(&r), vec![("description_changed", Grade::Patch)]);
}

#[test]
fn families_levels_and_specialties_added_removed_renamed() {
    let (_, _, r) = pair(&[(
        BE,
        "title: Backend Engineer",
        "title: Backend Software Engineer",
    )]);
    assert_eq!(kinds(&r), vec![("family_renamed", Grade::Patch)]);
    let (_, _, r) = pair(&[(
        BE,
        "### Payments {#payments}",
        "### Payments and Billing {#payments}",
    )]);
    assert_eq!(kinds(&r), vec![("specialty_renamed", Grade::Patch)]);
    let (_, _, r) = pair(&[(
        BE,
        "levels: [intern, associate, intermediate, senior, staff, principal, manager]",
        "levels: [intern, associate, intermediate, senior, staff, principal, manager, senior-manager]",
    )]);
    assert_eq!(kinds(&r), vec![("family_level_added", Grade::Minor)]);
    let old = example_files();
    let mut new = example_files();
    let fam = new.text(BE).unwrap().to_owned();
    let cut = fam.find("### Payments {#payments}").unwrap();
    new.insert_text(BE, fam[..cut].to_owned());
    let r = diff(&build(&old), &build(&new));
    assert!(
        kinds(&r).contains(&("specialty_removed", Grade::Minor)),
        "{:?}",
        kinds(&r)
    );
    let mut more = example_files();
    more.insert_text(
        "families/data-engineer.md",
        "---\nid: data-engineer\ntitle: Data Engineer\nlayer: engineering\nlevels: [intermediate, senior]\n---\n\nData engineers build pipelines.\n",
    );
    let (a, b) = (build(&old), build(&more));
    assert_eq!(kinds(&diff(&a, &b)), vec![("family_added", Grade::Minor)]);
    assert_eq!(kinds(&diff(&b, &a)), vec![("family_removed", Grade::Minor)]);
    let mut layer = example_files();
    layer.insert_text(
        "layers/data.md",
        "---\nid: data\ntitle: Data\nextends: engineering\n---\n\nData work.\n",
    );
    let b = build(&layer);
    assert_eq!(kinds(&diff(&a, &b)), vec![("layer_added", Grade::Minor)]);
    assert_eq!(kinds(&diff(&b, &a)), vec![("layer_removed", Grade::Minor)]);
    let (_, _, r) = pair(&[(
        "layers/platform.md",
        "title: Platform",
        "title: Platform Engineering",
    )]);
    assert_eq!(kinds(&r), vec![("layer_renamed", Grade::Patch)]);
}

#[test]
fn release_notes_group_by_layer_and_level_and_name_the_grade() {
    let (a, b, r) = pair(&[
        (
            ENG,
            STAFF_ALIGNS,
            &format!(
                "{STAFF_ALIGNS}- Writes a yearly technical outlook for their area. {{#engineering-staff-yearly-outlook}}\n"
            ),
        ),
        (BE, "    minutes: 90", "    minutes: 75"),
    ]);
    let md = markdown(&r, &a, &b);
    assert!(
        md.starts_with("# Framework changes\n\n**Overall: major**"),
        "{md}"
    );
    assert!(md.contains("## Backend Engineer (job family)"), "{md}");
    assert!(md.contains("## Engineering (competency layer)\n\n### Staff\n\n- **major** · New leadership expectation"), "{md}");
    // Families come before layers.
    assert!(md.find("job family").unwrap() < md.find("competency layer").unwrap());
}

#[test]
fn a_reworded_statement_of_an_include_used_by_two_layers_is_one_change_naming_both() {
    // The everyday values include, placed by the operations layer too.
    let mut old = example_files();
    let ops = "layers/operations.md";
    let text = old.text(ops).unwrap().to_owned();
    let marker = "## Senior\n\n### Technical\n\n";
    assert!(text.contains(marker));
    old.insert_text(
        ops,
        text.replacen(
            marker,
            &format!("{marker}{{{{% include \"includes/values/everyday.md\" %}}}}\n"),
            1,
        ),
    );
    let mut new = old.clone();
    let inc = "includes/values/everyday.md";
    let t = new.text(inc).unwrap().to_owned();
    new.insert_text(
        inc,
        t.replacen(
            "Gives credit by name to the people",
            "Gives credit by name, in public, to the people",
            1,
        ),
    );
    let (a, b) = (build(&old), build(&new));
    let r = diff(&a, &b);
    let reworded: Vec<_> = r
        .changes
        .iter()
        .filter(|c| c.kind == "statement_reworded")
        .collect();
    assert_eq!(reworded.len(), 1, "{:#?}", r.changes);
    let c = reworded[0];
    let mut layers: Vec<&str> = std::iter::once(&c.scope)
        .chain(&c.also)
        .filter_map(|s| s.layer.as_deref())
        .collect();
    layers.sort_unstable();
    assert_eq!(layers, ["engineering", "operations"]);
    let md = markdown(&r, &a, &b);
    assert!(
        md.contains("Reworded in 2 layers") && md.contains("also in"),
        "{md}"
    );
}
