//! The importers against real content nobody here wrote: `../shared/corpus`
//! and `../shared/seeds`, beside the repository.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ladder_framework::{FileSet, Framework, compile, diff, resolve};
use ladder_import::outline::{self, Block};
use ladder_import::{Import, Severity, Source, csv, ft, handbook, monzo};
use std::path::{Path, PathBuf};

fn shared() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    assert!(
        p.join("corpus").is_dir(),
        "the corpus is missing: {} must hold corpus/ and seeds/",
        p.display()
    );
    p
}

fn read(dir: &Path) -> Source {
    fn walk(root: &Path, dir: &Path, src: &mut Source) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, src);
            } else if ["md", "erb", "yml", "yaml", "txt", "csv"]
                .iter()
                .any(|x| p.extension().is_some_and(|e| e == *x))
            {
                let rel = p
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                src.insert(rel, std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    let mut src = Source::new();
    walk(dir, dir, &mut src);
    src
}

fn opts(org: &str) -> handbook::Options {
    handbook::Options {
        engine: None,
        organisation: org.to_owned(),
        previous: None,
        base_url: None,
        levels: Default::default(),
        matrix_root: None,
    }
}

fn assert_no_errors(diags: &[ladder_framework::Diagnostic], what: &str) {
    let errors: Vec<String> = diags
        .iter()
        .filter(|d| d.is_error())
        .map(ToString::to_string)
        .collect();
    assert!(
        errors.is_empty(),
        "the import does not {what}:
{}",
        errors.join(
            "
"
        )
    );
}

/// Compiles an import's files; panics on any error.
fn compiled(import: &Import) -> Framework {
    let mut set = FileSet::new();
    for (p, t) in &import.files {
        set.insert_text(p, t.clone());
    }
    let (fw, diags) = compile(&set);
    assert_no_errors(&diags, "check");
    let (_, site_diags) = ladder_site::build(&fw, &set);
    assert_no_errors(&site_diags, "build");
    fw
}

/// Every bullet and paragraph of every source file is in the output, as
/// normalised text. Pure-link lines of matrix pages and includes
/// (navigation, tables of contents, "all competencies of …") are not
/// content; everything else must be found.
fn assert_no_text_lost(src: &Source, import: &Import) {
    let mut out = String::new();
    for t in import.files.values() {
        out.push(' ');
        out.push_str(&outline::normalise(t));
        out.push(' ');
    }
    let mut missing = Vec::new();
    let mut checked = 0;
    for (path, text) in &src.files {
        let (yaml, body, first) = outline::front_matter(text);
        let blocks = match yaml {
            Some(y)
                if serde_saphyr::from_str::<
                    std::collections::BTreeMap<String, serde_json::Value>,
                >(y)
                .is_err() =>
            {
                outline::parse(text, 1)
            }
            _ => outline::parse(body, first),
        };
        let navigation_allowed = !path.contains("job-families/") && !path.ends_with(".txt");
        for b in blocks {
            let (Block::Item { text, line } | Block::Para { text, line }) = b else {
                continue;
            };
            if text.trim() == "TOC" || (navigation_allowed && outline::is_only_links(&text)) {
                continue;
            }
            let n = outline::normalise(&text);
            if n.is_empty() {
                continue;
            }
            checked += 1;
            // `Impact: Delivers …` may become category `Impact` and the
            // statement `Delivers …`: the rest must be found then.
            let rest = text
                .split_once(':')
                .filter(|(label, _)| (1..=3).contains(&label.split_whitespace().count()))
                .map(|(_, rest)| outline::normalise(rest))
                .filter(|r| !r.is_empty());
            let found = |n: &str| out.contains(&format!(" {n} ")) || out.contains(n);
            if !found(&n) && !rest.as_deref().is_some_and(found) {
                missing.push(format!("{path}:{line}: {text}"));
            }
        }
    }
    assert!(checked > 50, "only {checked} blocks checked");
    assert!(
        missing.is_empty(),
        "{} of {checked} blocks lost:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

fn problem<'a>(import: &'a Import, code: &str, file_end: &str) -> Vec<&'a ladder_import::Problem> {
    import
        .report
        .problems
        .iter()
        .filter(|p| p.code == code && p.file.ends_with(file_end))
        .collect()
}

#[test]
fn hugo_handbook_imports_with_nothing_lost() {
    let src = read(&shared().join("corpus/gitlab-hugo-2025"));
    let import = handbook::import(&src, &opts("GitLab"));
    assert!(!import.report.has_errors(), "{:#?}", import.report.problems);
    assert_no_text_lost(&src, &import);
    let fw = compiled(&import);

    // The seed-000 defect: the malformed include, with the corrected form
    // and a did-you-mean for its path.
    let senior = "careers/matrix/infrastructure/core-platform/distribution/senior.md";
    let m = problem(&import, "malformed-shortcode", senior);
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].line, 22);
    assert_eq!(
        m[0].fix.as_deref(),
        Some(
            "{{% include \"includes/engineering/development-senior-leadership-competency.md\" %}}"
        )
    );
    let miss = problem(&import, "missing-include", senior);
    assert_eq!(
        miss[0].fix.as_deref(),
        Some("includes/engineering-careers/development-senior-leadership-competency.md")
    );
    // The self-linked principal page, and the nav includes wrapped in `---`.
    assert_eq!(
        problem(&import, "self-link", "careers/matrix/principal.md").len(),
        1
    );
    assert!(!problem(&import, "not-front-matter", "distribution-career-nav.md").is_empty());
    assert!(!problem(&import, "unknown-heading", "infrastructure/senior.md").is_empty());
    assert!(!problem(&import, "duplicate-statement", ".md").is_empty());

    // A Senior Distribution Engineer: Engineering, Development and
    // Distribution groups, cumulative over the Intermediate page.
    let layer = "infrastructure/core-platform/distribution";
    let view = resolve::layer(&fw, layer, "senior", false).unwrap();
    let groups: std::collections::BTreeSet<&str> = view
        .competencies
        .iter()
        .filter_map(|e| e.group.as_deref())
        .collect();
    for g in ["Engineering", "Development", "Distribution"] {
        assert!(groups.contains(g), "no {g} group in {groups:?}");
    }
    assert!(view.competencies.iter().any(|e| e.level == "intermediate"));
    assert!(
        view.competencies
            .iter()
            .any(|e| e.text.starts_with("Presents training or demos"))
    );

    // `--own`: exactly the bullets of that page and of its includes.
    let own = resolve::layer(&fw, layer, "senior", true).unwrap();
    let shown: std::collections::BTreeSet<String> = own
        .competencies
        .iter()
        .map(|e| outline::normalise(&e.text))
        .collect();
    let root = shared().join("corpus/gitlab-hugo-2025");
    let page = std::fs::read_to_string(
        root.join("content/handbook/engineering/").join(
            senior
                .trim_start_matches("careers/")
                .replace("matrix/", "careers/matrix/"),
        ),
    )
    .unwrap();
    let mut expected = std::collections::BTreeSet::new();
    for b in outline::parse(&page, 1) {
        match b {
            Block::Item { text, .. } if !outline::is_only_links(&text) => {
                expected.insert(outline::normalise(&text));
            }
            Block::Include { path, .. } => {
                let inc = std::fs::read_to_string(root.join("assets").join(&path)).unwrap();
                for ib in outline::parse(&inc, 1) {
                    if let Block::Item { text, .. } = ib {
                        expected.insert(outline::normalise(&text));
                    }
                }
            }
            _ => {}
        }
    }
    assert_eq!(shown, expected);
}

#[test]
fn middleman_handbook_imports_with_nothing_lost() {
    let src = read(&shared().join("corpus/gitlab-middleman-2022"));
    let import = handbook::import(&src, &opts("GitLab"));
    assert!(!import.report.has_errors(), "{:#?}", import.report.problems);
    assert_no_text_lost(&src, &import);
    let fw = compiled(&import);
    assert!(!problem(&import, "unresolved-erb", "backend/index.html.md.erb").is_empty());
    assert!(!problem(&import, "missing-include", ".erb").is_empty());
    // Job families: grades, levels, specialties and the hiring process.
    let be = fw
        .families
        .iter()
        .find(|f| f.id == "backend-engineering")
        .expect("backend-engineering family");
    assert!(!be.specialties.is_empty());
    assert!(
        be.levels
            .iter()
            .any(|l| l.level == "senior" && (l.grade - 7.0).abs() < 1e-9)
    );
    let hiring = fw
        .families
        .iter()
        .flat_map(|f| &f.hiring_process)
        .find(|h| h.minutes == 30)
        .expect("a 30 minute stage");
    assert!(
        hiring.name.to_lowercase().contains("screening"),
        "{hiring:?}"
    );
    assert!(!hiring.interviewer.is_empty());
}

/// The texts of a family's items in one of its sections.
fn texts(import: &Import, fam: &ladder_framework::Family, ids: &[String]) -> Vec<String> {
    let file = import
        .files
        .iter()
        .find(|(p, _)| p.ends_with(&format!("families/{}.md", fam.id)))
        .map(|x| x.1.clone())
        .unwrap_or_default();
    ids.iter()
        .filter_map(|id| {
            file.lines()
                .find(|l| l.contains(&format!("{{#{id}}}")))
                .map(|l| l.to_owned())
        })
        .collect()
}

#[test]
fn job_family_content_lands_at_the_scope_of_its_section() {
    let src = read(&shared().join("corpus/gitlab-middleman-2022"));
    let import = handbook::import(&src, &opts("GitLab"));
    let fw = compiled(&import);
    // Every family of two levels or more has what its pages say per level
    // at that level (two pages say nothing per level: the Software
    // Engineer in Test points elsewhere, and the Site Reliability
    // Engineer's levels hold competencies, which the report counts).
    let scopes = &import.report.families;
    let multi: Vec<_> = scopes.iter().filter(|f| f.levels.len() >= 2).collect();
    assert!(multi.len() >= 25, "{scopes:#?}");
    let none: Vec<&str> = multi
        .iter()
        .filter(|f| f.levels.values().sum::<usize>() == 0)
        .map(|f| f.family.as_str())
        .collect();
    assert_eq!(none, ["software-engineer-in-test"], "{scopes:#?}");
    // `### Senior Security Engineer, Automation` → `#### Job Grade` →
    // `#### Responsibilities`: the senior level's, not the family's.
    let auto = fw
        .families
        .iter()
        .find(|f| f.id == "security-automation")
        .unwrap();
    let senior = auto.levels.iter().find(|l| l.level == "senior").unwrap();
    assert!(!senior.responsibilities.items.is_empty());
    // The family-wide list is the seven items of the page's own
    // `## Responsibilities`, nothing from the levels' sections.
    let family_wide = texts(&import, auto, &auto.responsibilities.items);
    assert_eq!(family_wide.len(), 7, "{family_wide:#?}");
    let staff = auto.levels.iter().find(|l| l.level == "staff").unwrap();
    assert!(
        texts(&import, auto, &staff.responsibilities.items)
            .iter()
            .any(|t| t.contains("Lead the design, engineering, deployment"))
    );
    // A level's competencies under category headings go to the family's
    // own layer, at that level.
    let sre = fw
        .families
        .iter()
        .find(|f| f.id == "site-reliability-engineer")
        .unwrap();
    let layer = fw.layer(&sre.layer).unwrap();
    assert_eq!(layer.id, "families/site-reliability-engineer");
    let per_level: Vec<String> = layer
        .placements
        .iter()
        .map(|p| p.level.to_string())
        .collect();
    for l in ["intermediate", "senior", "staff"] {
        assert!(per_level.iter().any(|x| x == l), "{l}: {per_level:?}");
    }
    // One family per job family, whatever the number of its pages: the
    // frontend index page and its senior, staff and manager pages.
    let frontend: Vec<_> = scopes
        .iter()
        .filter(|f| f.source.contains("development/frontend/"))
        .collect();
    assert_eq!(frontend.len(), 1, "{frontend:#?}");
    let fe = fw
        .families
        .iter()
        .find(|f| f.id == frontend[0].family)
        .unwrap();
    for l in ["senior", "staff", "manager"] {
        let lv = fe.levels.iter().find(|x| x.level == l).unwrap();
        assert!(!lv.responsibilities.items.is_empty(), "{l}");
    }
    assert!(!problem(&import, "level-page", "frontend/senior/index.html.md").is_empty());
    // Level words inside a role's name are not levels; titles keep the
    // page's own words.
    let cos = fw
        .families
        .iter()
        .find(|f| f.id == "acting-chief-of-staff-to-the-cto")
        .expect("the chief of staff keeps its title");
    assert!(cos.levels.iter().all(|l| l.level != "staff"));
    assert_eq!(cos.title, "Acting Chief of Staff to the CTO");
    assert!(
        fw.families
            .iter()
            .any(|f| f.id == "distinguished-engineer-infrastructure")
    );
    let vp = fw
        .families
        .iter()
        .find(|f| f.id == "vp-of-incubation-engineering" || f.id == "incubation-engineering");
    assert!(vp.is_some_and(|f| f.levels.iter().any(|l| l.level == "vp")));
    // The backend family does not take the Software Engineer in Test's
    // competency layer for sharing the word `engineer`.
    assert!(
        fw.families
            .iter()
            .all(|f| f.id == "software-engineer-in-test"
                || !f.layer.contains("software-engineer-in-test"))
    );
    // What `ladder show` says of each role: an item written under a
    // level's heading is shown for that level (and the levels that build
    // on it), never for a level below it.
    let shows = |family: &str, level: &str, text: &str| -> bool {
        let view = ladder_framework::resolve::role(&fw, family, level, None, false).unwrap();
        view.responsibilities
            .iter()
            .chain(&view.requirements)
            .any(|i| i.text.contains(text))
            || view.competencies.iter().any(|e| e.text.contains(text))
    };
    let staff_item = "Lead the design, engineering, deployment, and maintenance efforts";
    assert!(shows("security-automation", "staff", staff_item));
    assert!(!shows("security-automation", "senior", staff_item));
    assert!(!shows("security-automation", "intermediate", staff_item));
    // A level's competencies under `##### Technical` likewise.
    let sre_senior = "Contributes improvements to the GitLab codebase to resolve issues.";
    assert!(shows("site-reliability-engineer", "senior", sre_senior));
    assert!(shows("site-reliability-engineer", "staff", sre_senior));
    assert!(!shows(
        "site-reliability-engineer",
        "intermediate",
        sre_senior
    ));
    let fe_manager = fe.levels.iter().find(|l| l.level == "manager").unwrap();
    let manager_item = texts(&import, fe, &fe_manager.responsibilities.items)
        .first()
        .map(|t| {
            t.split(" {#")
                .next()
                .unwrap()
                .trim_start_matches("- ")
                .to_owned()
        })
        .unwrap();
    assert!(shows(&fe.id, "manager", &manager_item));
    assert!(!shows(&fe.id, "senior", &manager_item), "{manager_item}");
    // A specialty's items are shown with that specialty, not without it.
    let be = scopes
        .iter()
        .find(|f| {
            f.source
                .ends_with("job-families/engineering/backend-engineer/index.html.md")
        })
        .unwrap();
    let with_spec = |spec: Option<&str>| {
        let v = ladder_framework::resolve::role(&fw, &be.family, "senior", spec, false).unwrap();
        v.requirements
            .iter()
            .any(|i| i.text.contains("building Docker images"))
    };
    assert!(with_spec(Some("distribution-build")));
    assert!(!with_spec(None));
    assert!(!with_spec(Some("distribution-deploy")));
    // Grades: the level table holds the grade most families give, in the
    // level order; families that differ keep theirs.
    let grade = |id: &str| fw.config.levels.iter().find(|l| l.id == id).unwrap().grade;
    assert!(grade("intern") <= grade("junior"));
    assert!((grade("senior") - 7.0).abs() < 1e-9);
    assert!(!problem(&import, "grade-differs", "ladder.yaml").is_empty());
}

#[test]
fn label_bullets_with_nested_competencies_become_groups_of_statements() {
    let src = read(&shared().join("corpus/gitlab-hugo-2025"));
    let import = handbook::import(&src, &opts("GitLab"));
    let fw = compiled(&import);
    let (_, quality) = import
        .files
        .iter()
        .find(|(p, _)| p.ends_with("quality-senior-technical-competency.md"))
        .expect("the senior quality include");
    assert!(quality.contains("#### Quality: Test Tooling"), "{quality}");
    // Each nested competency is a statement with its own id, not part of
    // one long statement with its label.
    let line = quality
        .lines()
        .find(|l| l.contains("Lead and implement new test infrastructure tooling."))
        .unwrap();
    assert!(
        line.starts_with("- Lead and implement") && line.len() < 200,
        "{line}"
    );
    let longest = fw
        .items
        .values()
        .map(|i| i.text.chars().count())
        .max()
        .unwrap();
    assert!(longest < 700, "a statement of {longest} characters");
}

#[test]
fn a_framework_written_level_by_level_imports_with_categories_and_statements_in_place() {
    let src = read(&shared().join("corpus/sourcegraph"));
    let import = handbook::import(&src, &opts("Sourcegraph"));
    assert!(!import.report.has_errors(), "{:#?}", import.report.problems);
    assert_no_text_lost(&src, &import);
    let fw = compiled(&import);
    let ids: Vec<&str> = fw.config.levels.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(
        ids,
        ["ic1", "ic2", "ic3", "ic4", "ic5", "m3", "m4", "m5", "m6"]
    );
    let below = |id: &str| {
        fw.config
            .levels
            .iter()
            .find(|l| l.id == id)
            .and_then(|l| l.below.clone())
    };
    // Two ladders: the management levels build on each other, not on IC5.
    assert_eq!(below("ic3").as_deref(), Some("ic2"));
    assert_eq!(below("m4").as_deref(), Some("m3"));
    assert_eq!(below("m3"), None);
    let placed = |layer: &str, level: &str, category: &str, text: &str| {
        let l = fw.layer(layer).unwrap();
        l.placements.iter().any(|p| {
            p.level.to_string() == level
                && p.category.to_string() == category
                && fw
                    .items
                    .get(&p.item.to_string())
                    .is_some_and(|i| i.text.contains(text))
        })
    };
    // `- Teamwork:` with statements nested under it.
    assert!(placed(
        "engineering/dev",
        "ic3",
        "teamwork",
        "Actively mentors junior team members."
    ));
    // `- Impact: Delivers …` on one line.
    assert!(placed(
        "engineering/dev",
        "ic1",
        "impact",
        "Delivers clearly defined projects"
    ));
    // `All Levels` at the first level of each page, which the rest build on.
    assert!(placed(
        "engineering/dev",
        "ic1",
        "execution",
        "Seeks out work, rather than waiting for work."
    ));
    assert!(placed(
        "product",
        "ic2",
        "teamwork",
        "Helps build team cohesion"
    ));
    // The management levels from the HTML table, column by column.
    assert!(placed(
        "engineering/dev",
        "m3",
        "proficiency",
        "Still writes some code."
    ));
    assert!(placed("engineering/dev", "m4", "teamwork", ""));
    assert!(
        !problem(
            &import,
            "all-levels",
            "engineering/dev/career-development/framework.md"
        )
        .is_empty()
    );
}

#[test]
fn a_level_the_import_cannot_name_stays_prose_until_a_levels_map_names_it() {
    let page = "---\ntitle: Platform Engineer\n---\n\nPlatform engineers run the shared platform.\n\n## Responsibilities\n\n- Keep the platform running.\n\n## Levels\n\n### Platform Engineer, Tier A\n\n#### Responsibilities\n\n- Fix incidents with help.\n\n### Platform Engineer, Tier B\n\nThe Platform Engineer, Tier B is a grade 7.\n\n#### Responsibilities\n\n- Lead incident reviews.\n";
    let mut src = Source::new();
    src.insert("job-families/platform-engineer.md", page);
    // Unmapped: kept as prose, reported, never family-wide.
    let plain = handbook::import(&src, &opts("Acme"));
    let fw = compiled(&plain);
    let fam = &fw.families[0];
    assert_eq!(fam.responsibilities.items.len(), 1, "{fam:#?}");
    assert_eq!(
        problem(&plain, "unknown-level", "platform-engineer.md").len(),
        2
    );
    // Mapped: each tier is a level with its own list and grade.
    let map = ladder_import::LevelMap::parse(
        "junior: [\"Tier A\"]\nsenior:\n  names: [\"Tier B\"]\n  title: Senior\n",
    )
    .unwrap();
    let mapped = handbook::import(
        &src,
        &handbook::Options {
            levels: map,
            ..opts("Acme")
        },
    );
    let fw = compiled(&mapped);
    let fam = &fw.families[0];
    let levels: Vec<&str> = fam.levels.iter().map(|l| l.level.as_str()).collect();
    assert!(
        levels.contains(&"junior") && levels.contains(&"senior"),
        "{levels:?}"
    );
    let senior = fam.levels.iter().find(|l| l.level == "senior").unwrap();
    assert_eq!(senior.responsibilities.items.len(), 1);
    assert!((senior.grade - 7.0).abs() < 1e-9);
    assert_eq!(fam.responsibilities.items.len(), 1);
    assert!(problem(&mapped, "unknown-level", "platform-engineer.md").is_empty());
}

#[test]
fn a_department_whose_levels_chain_otherwise_keeps_its_own_order() {
    let page = |below: &str, text: &str| {
        format!(
            "---\ntitle: Senior\n---\n\n- [All competencies exhibited by an {below}](../{}/)\n\n### Technical Competencies\n\n- {text}\n",
            below.to_lowercase()
        )
    };
    let level =
        |text: &str| format!("---\ntitle: X\n---\n\n### Technical Competencies\n\n- {text}\n");
    let root = "content/handbook/engineering/careers/matrix";
    let mut src = Source::new();
    for (layer, below, text) in [
        ("web", "Intermediate", "Owns a feature area of the web app."),
        (
            "api",
            "Intermediate",
            "Owns an API from design to deprecation.",
        ),
        (
            "support",
            "Associate",
            "Leads the response to a customer emergency.",
        ),
    ] {
        src.insert(format!("{root}/{layer}/senior.md"), page(below, text));
        src.insert(
            format!("{root}/{layer}/intermediate.md"),
            level(&format!("Ships {layer} changes with tests.")),
        );
        src.insert(
            format!("{root}/{layer}/associate.md"),
            level(&format!("Learns the {layer} codebase.")),
        );
    }
    let import = handbook::import(&src, &opts("Acme"));
    let fw = compiled(&import);
    let support = fw.layer("support").unwrap();
    assert_eq!(
        support.below.get("senior"),
        Some(&Some("associate".to_owned())),
        "{:#?}",
        import.report.problems
    );
    assert!(!problem(&import, "level-order", "support/senior.md").is_empty());
    // A support senior builds on the support associate, not on an
    // intermediate level the page does not name.
    let view = ladder_framework::resolve::layer(&fw, "support", "senior", false).unwrap();
    let texts: Vec<&str> = view.competencies.iter().map(|e| e.text.as_str()).collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("Learns the support codebase")),
        "{texts:?}"
    );
    assert!(
        !texts.iter().any(|t| t.contains("Ships support changes")),
        "{texts:?}"
    );
    let web = ladder_framework::resolve::layer(&fw, "web", "senior", false).unwrap();
    assert!(
        web.competencies
            .iter()
            .any(|e| e.text.contains("Ships web changes"))
    );
}

#[test]
fn matrix_pages_and_tables_outside_careers_matrix_import_as_layers() {
    let mut src = Source::new();
    // The matrix layout in another department's folder.
    for (level, text) in [
        ("junior", "Writes a campaign brief with help."),
        ("senior", "Plans a quarter of campaigns for a region."),
    ] {
        src.insert(
            format!("content/handbook/marketing/careers/levels/{level}.md"),
            format!("---\ntitle: {level}\n---\n\n### Technical Competencies\n\n- {text}\n"),
        );
    }
    // A page whose table is a grid of levels × competencies.
    src.insert(
        "content/handbook/design/career-framework.md",
        "---\ntitle: Design career framework\n---\n\nHow designers grow.\n\n| Competency | Junior | Senior |\n|---|---|---|\n| Research | Runs a usability test with a guide. | Plans the research of a product area. |\n| Craft | Builds screens from the design system. | Extends the design system for new needs. |\n",
    );
    // A table of facts about levels is no matrix: the page stays prose.
    src.insert(
        "content/handbook/design/moves.md",
        "# Moves\n\n| Current level | Desired level |\n|---|---|\n| Senior | Manager |\n| Staff | Manager |\n",
    );
    let import = handbook::import(&src, &opts("Acme"));
    let fw = compiled(&import);
    let placed = |layer: &str| -> Vec<String> {
        fw.layer(layer)
            .unwrap_or_else(|| panic!("no layer {layer}: {:#?}", import.report.problems))
            .placements
            .iter()
            .map(|p| format!("{}:{}", p.level, fw.items[&p.item.to_string()].text))
            .collect()
    };
    let marketing = placed("marketing/careers/levels");
    assert!(
        marketing.contains(&"senior:Plans a quarter of campaigns for a region.".to_owned()),
        "{marketing:?}"
    );
    assert!(!problem(&import, "matrix-elsewhere", "levels/senior.md").is_empty());
    let design = placed("design/career-framework");
    assert!(
        design.contains(&"junior:Runs a usability test with a guide.".to_owned()),
        "{design:?}"
    );
    assert!(
        design.contains(&"senior:Extends the design system for new needs.".to_owned()),
        "{design:?}"
    );
    assert!(problem(&import, "prose-page", "career-framework.md").is_empty());
    assert!(!problem(&import, "prose-page", "design/moves.md").is_empty());
}

#[test]
fn links_into_the_source_site_keep_their_targets_with_or_without_its_address() {
    let page = |target: &str| {
        format!(
            "---\ntitle: Senior\n---\n\n### Technical Competencies\n\n- Lives our [values]({target}) in reviews.\n- Writes tests.\n"
        )
    };
    let src = |target: &str| {
        let mut s = Source::new();
        s.insert(
            "content/handbook/engineering/careers/matrix/senior.md",
            page(target),
        );
        s.insert(
            "content/handbook/engineering/careers/matrix/intermediate.md",
            "---\ntitle: Intermediate\n---\n\n### Technical Competencies\n\n- Follows [the guide](/handbook/x/).\n",
        );
        s
    };
    let old = handbook::import(&src("/handbook/values/"), &opts("Acme"));
    let old_fw = compiled(&old);
    let text = |fw: &ladder_framework::Framework| {
        fw.items
            .values()
            .find(|i| i.text.contains("Lives our"))
            .unwrap()
            .text
            .clone()
    };
    assert!(
        text(&old_fw).contains("[values](source:/handbook/values/)"),
        "{}",
        text(&old_fw)
    );
    // A new target is a change the diff sees.
    let new = handbook::import(
        &src("/handbook/values/#iteration"),
        &handbook::Options {
            previous: Some(old_fw.clone()),
            ..opts("Acme")
        },
    );
    let report = diff::diff(&old_fw, &compiled(&new));
    assert!(
        report
            .changes
            .iter()
            .any(|c| c.kind == "statement_reworded"),
        "{:?}",
        report.changes
    );
    // With the site's address, ladder.yaml says where `source:` links go.
    let with = handbook::import(
        &src("/handbook/values/"),
        &handbook::Options {
            base_url: Some("https://handbook.example.com/".into()),
            ..opts("Acme")
        },
    );
    let fw = compiled(&with);
    assert_eq!(
        fw.config.source_url.as_deref(),
        Some("https://handbook.example.com")
    );
}

#[test]
fn a_matrix_root_names_where_the_matrix_is_and_a_readme_is_no_family() {
    let mut src = Source::new();
    for (level, text) in [
        ("junior", "Fixes a bug with a pairing partner."),
        ("senior", "Designs a service and its rollout."),
    ] {
        src.insert(
            format!("docs/ladder/eng/{level}.md"),
            format!("# {level}\n\n## Craft\n\n- {text}\n"),
        );
    }
    src.insert(
        "job-families/README.md",
        "# Job families\n\nEach page here describes one family.\n",
    );
    src.insert(
        "job-families/platform-engineer.md",
        "---\ntitle: Platform Engineer\n---\n\n## Responsibilities\n\n- Keep the platform running.\n",
    );
    // Without the root, the pages are prose.
    let plain = handbook::import(&src, &opts("Acme"));
    assert!(!problem(&plain, "prose-page", "ladder/eng/senior.md").is_empty());
    let import = handbook::import(
        &src,
        &handbook::Options {
            matrix_root: Some("docs/ladder".into()),
            ..opts("Acme")
        },
    );
    let fw = compiled(&import);
    let eng = fw.layer("eng").expect("the layer under the root");
    let placed: Vec<String> = eng
        .placements
        .iter()
        .map(|p| format!("{}:{}", p.level, fw.items[&p.item.to_string()].text))
        .collect();
    assert!(
        placed.contains(&"senior:Designs a service and its rollout.".to_owned()),
        "{placed:?}"
    );
    // The README under job-families/ is kept as prose, not made a family.
    let ids: Vec<&str> = fw.families.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["platform-engineer"]);
    assert!(!problem(&import, "prose-page", "job-families/README.md").is_empty());
}

#[test]
fn an_html_page_written_level_by_level_imports_like_its_markdown() {
    let html = "<html><head><title>t</title><script>x()</script></head><body>\
        <h1>How engineers grow</h1><p>Each level adds to the ones before it.</p>\
        <h2>IC1</h2><ul><li>Craft<ul><li>Ships small changes with tests.</li></ul></li>\
        <li>Teamwork: Joins the team's rituals.</li></ul>\
        <h2>IC2</h2><ul><li>Craft<ul><li>Owns a feature from design to release.</li></ul></li></ul>\
        </body></html>";
    let mut src = Source::new();
    src.insert("careers/framework.html", html);
    // A template of the site generator is no page.
    src.insert(
        "layouts/partials/head.html",
        "<head><title>{{ .Title }}</title></head>",
    );
    let import = handbook::import(&src, &opts("Acme"));
    let fw = compiled(&import);
    let layer = fw
        .layer("framework")
        .unwrap_or_else(|| panic!("{:#?}", import.report.problems));
    let placed: Vec<String> = layer
        .placements
        .iter()
        .map(|p| {
            format!(
                "{}:{}:{}",
                p.level,
                p.category,
                fw.items[&p.item.to_string()].text
            )
        })
        .collect();
    assert!(
        placed.contains(&"ic1:craft:Ships small changes with tests.".to_owned()),
        "{placed:?}"
    );
    assert!(
        placed.contains(&"ic1:teamwork:Joins the team's rituals.".to_owned()),
        "{placed:?}"
    );
    assert!(
        placed.contains(&"ic2:craft:Owns a feature from design to release.".to_owned()),
        "{placed:?}"
    );
    assert!(
        import
            .report
            .problems
            .iter()
            .all(|p| !p.file.contains("layouts/"))
    );
}

#[test]
fn two_versions_of_a_page_diff_into_what_changed() {
    let old_src = read(&shared().join("corpus/gitlab-middleman-2022/sites/uncategorized/source/job-families/engineering/development/backend/senior"));
    let old = handbook::import(&old_src, &opts("GitLab"));
    let old_fw = compiled(&old);
    let mut new_src = Source::new();
    new_src.insert(
        "002.md",
        std::fs::read_to_string(shared().join("seeds/002_3ec1952b8dc09577.txt")).unwrap(),
    );
    let new = handbook::import(
        &new_src,
        &handbook::Options {
            previous: Some(old_fw.clone()),
            ..opts("GitLab")
        },
    );
    let new_fw = compiled(&new);
    let report = diff::diff(&old_fw, &new_fw);
    let kinds: Vec<&str> = report.changes.iter().map(|c| c.kind).collect();
    assert!(kinds.contains(&"specialty_renamed"), "{kinds:?}");
    assert!(kinds.contains(&"specialty_removed"), "{kinds:?}");
    assert!(
        report
            .changes
            .iter()
            .any(|c| c.kind.contains("added") && c.summary.contains("responsibility")),
        "{kinds:?}"
    );
    assert!(kinds.contains(&"item_reworded"), "{kinds:?}");
}

#[test]
fn monzo_imports_with_generic_as_the_base_layer() {
    let src = read(&shared().join("corpus/monzo"));
    let import = monzo::import(&src, "Monzo", None);
    assert!(!import.report.has_errors(), "{:#?}", import.report.problems);
    let fw = compiled(&import);
    let backend = fw
        .layers
        .iter()
        .find(|l| l.id == "frameworks/engineering/backend" || l.id == "engineering/backend")
        .expect("backend layer");
    assert_eq!(backend.extends.as_deref(), Some("generic"));
    // A topic merges with generic's by name: one category, both layers.
    let view = resolve::layer(&fw, &backend.id, "level-3", false).unwrap();
    let layers: std::collections::BTreeSet<&str> = view
        .competencies
        .iter()
        .filter(|e| e.category == "impact")
        .map(|e| e.layer.as_str())
        .collect();
    assert!(layers.contains("generic"), "{layers:?}");
    assert!(
        view.competencies
            .iter()
            .any(|e| e.text == "Identifies problems to solve")
    );
}

#[test]
fn ft_keeps_competency_uuids() {
    let src = read(&shared().join("corpus/financial-times"));
    let import = ft::import(&src, "FT");
    assert!(!import.report.has_errors(), "{:#?}", import.report.problems);
    let fw = compiled(&import);
    let item = fw
        .items
        .get("fb43098c-588c-421c-b87a-92b0bfd2ad7c")
        .expect("the UUID is kept");
    assert!(item.text.starts_with("Aware of how the team delivers"));
    assert!(fw.layers.iter().any(|l| {
        l.placements.iter().any(|p| {
            *p.item == *item.id && &*p.level == "junior" && &*p.category == "planning-organising"
        })
    }));
}

#[test]
fn csv_round_trip_is_byte_exact() {
    for src in [read(&shared().join("corpus/gitlab-hugo-2025")), {
        let mut s = Source::new();
        for (p, t) in ladder_framework::example::FILES {
            s.insert(*p, *t);
        }
        s
    }] {
        let fw = if src.files.contains_key("ladder.yaml") {
            let mut set = FileSet::new();
            for (p, t) in &src.files {
                set.insert_text(p, t.clone());
            }
            compile(&set).0
        } else {
            compiled(&handbook::import(&src, &opts("GitLab")))
        };
        let first = csv::export(&fw);
        let mut s = Source::new();
        s.insert("matrix.csv", first.clone());
        let back = csv::import(&s, "x");
        assert!(!back.report.has_errors(), "{:#?}", back.report.problems);
        let second = csv::export(&compiled(&back));
        if let Some((a, b)) = first.lines().zip(second.lines()).find(|(a, b)| a != b) {
            panic!("the round trip differs:\n{a}\n{b}");
        }
        assert_eq!(first, second);
    }
}

#[test]
fn a_csv_carries_titles_grades_tracks_and_groups_and_refuses_two_values_for_one_level() {
    let header = "id,layer,level,category,text,group,level_title,grade,below,category_title,layer_title,extends\n";
    let good = format!(
        "{header}a,platform,ic1,craft,Ships small changes.,Testing,Engineer I,5,,Craft,Platform,\n\
         b,platform,ic2,craft,Owns a service.,,Engineer II,6,ic1,,,\n\
         c,platform,m1,people,Runs the team's 1:1s.,,Manager I,7.5,,People,,\n"
    );
    let mut s = Source::new();
    s.insert("matrix.csv", good);
    let import = csv::import(&s, "Acme");
    let fw = compiled(&import);
    let level = |id: &str| {
        fw.config
            .levels
            .iter()
            .find(|l| l.id == id)
            .unwrap()
            .clone()
    };
    assert_eq!(level("ic1").title, "Engineer I");
    assert_eq!(level("ic2").below.as_deref(), Some("ic1"));
    // The management track builds on nothing: its row leaves `below` blank.
    assert_eq!(level("m1").below, None);
    assert!((level("m1").grade - 7.5).abs() < 1e-9);
    assert_eq!(fw.layer("platform").unwrap().title, "Platform");
    let p = &fw.layer("platform").unwrap().placements[0];
    assert_eq!(
        p.group.as_ref().map(|g| g.to_string()).as_deref(),
        Some("Testing")
    );
    // Two titles for one level, a grade that is no number, a `below` that
    // names no level: each named by row and column, nothing written.
    let bad = format!(
        "{header}a,platform,ic1,craft,Ships small changes.,,Engineer I,5,,,,\n\
         b,platform,ic1,craft,Owns a service.,,Engineer One,x,,,,\n\
         c,platform,ic2,craft,Leads a project.,,,,ic0,,,\n\
         d,platform,ic2,craft,Plans a quarter.,,,,,,,\n"
    );
    let mut s = Source::new();
    s.insert("matrix.csv", bad);
    let import = csv::import(&s, "Acme");
    assert!(import.files.is_empty());
    let messages: Vec<String> = import
        .report
        .problems
        .iter()
        .map(ToString::to_string)
        .collect();
    let all = messages.join("\n");
    assert!(
        all.contains(
            "row 3, column `level_title`: `Engineer One` differs from `Engineer I` on row 2"
        ),
        "{all}"
    );
    assert!(
        all.contains("row 3, column `grade`: `x` is not a grade"),
        "{all}"
    );
    assert!(
        all.contains("row 4, column `below`: `ic0` is not a level of the matrix"),
        "{all}"
    );
    assert!(all.contains("did you mean `ic1`?"), "{all}");
}

#[test]
fn a_csv_without_ids_or_below_gets_ids_and_chains_levels_per_track() {
    let csv_text = "layer,level,category,text,id,track,description\n\
        platform,ic1,craft,Ships small changes.,,ic,Expectations of the platform teams.\n\
        platform,m1,people,Runs the team's 1:1s.,,manager,\n\
        platform,ic2,craft,Owns a service.,,ic,\n\
        platform,m2,people,Grows the managers of a group.,,manager,\n";
    let mut s = Source::new();
    s.insert("matrix.csv", csv_text);
    let import = csv::import(&s, "Acme");
    let fw = compiled(&import);
    let below = |id: &str| {
        fw.config
            .levels
            .iter()
            .find(|l| l.id == id)
            .unwrap()
            .below
            .clone()
    };
    assert_eq!(below("ic2").as_deref(), Some("ic1"));
    assert_eq!(below("m2").as_deref(), Some("m1"));
    assert_eq!(below("m1"), None);
    // Every statement got an id from its words.
    assert_eq!(fw.items.len(), 4);
    assert!(
        fw.items.keys().all(|id| id.starts_with("platform-")),
        "{:?}",
        fw.items.keys()
    );
    assert!(
        fw.layer("platform")
            .unwrap()
            .description
            .contains("Expectations of the platform teams.")
    );
}

#[test]
fn a_bad_csv_is_refused_whole_with_row_column_and_suggestion() {
    let text = "id,layer,level,category,text\na-1,eng,senior,technical,Writes code\na-2,eng,senior,technical,Reviews code\na-3,eng,senoir,technical,Tests code\na-4,eng,senior,technical,\nA 5,eng,senior,technical,Bad id\n";
    let mut s = Source::new();
    s.insert("matrix.csv", text);
    let import = csv::import(&s, "x");
    assert!(import.files.is_empty(), "nothing is written");
    let p = &import.report.problems;
    assert!(p.iter().all(|p| p.severity == Severity::Error));
    let typo = p.iter().find(|p| p.line == 4).expect("row 4 reported");
    assert!(
        typo.message.contains("column `level`") && typo.message.contains("senoir"),
        "{typo}"
    );
    assert_eq!(typo.fix.as_deref(), Some("did you mean `senior`?"));
    assert!(
        p.iter()
            .any(|p| p.line == 5 && p.message.contains("column `text`"))
    );
    assert!(
        p.iter()
            .any(|p| p.line == 6 && p.message.contains("column `id`"))
    );
    let mut s = Source::new();
    s.insert("m.csv", "id,layr,level,category,text\n");
    let import = csv::import(&s, "x");
    assert!(
        import
            .report
            .problems
            .iter()
            .any(|p| p.fix.as_deref() == Some("rename it `layer`"))
    );
}

/// A folder with no career-matrix page and no job family (the seeds, as
/// one company's notes), or a single page that is neither (the project's
/// README), is refused with one error that says what was looked for, not
/// with a follow-on error about the framework that was not made.
#[test]
fn nothing_recognised_is_one_clear_error() {
    let seeds = handbook::import(&read(&shared().join("seeds")), &opts("Seeds"));
    let errors: Vec<_> = seeds
        .report
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code, "nothing-recognised");
    assert!(
        errors[0].message.contains("career-matrix"),
        "{}",
        errors[0].message
    );
    assert!(
        errors[0]
            .fix
            .as_deref()
            .unwrap_or("")
            .contains("handbook's root")
    );

    let mut readme = Source::new();
    readme.insert(
        "README.md",
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .unwrap(),
    );
    let one = handbook::import(&readme, &opts("Readme"));
    let codes: Vec<_> = one
        .report
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| (p.file.as_str(), p.code))
        .collect();
    assert_eq!(codes, [("README.md", "nothing-recognised")]);
}

/// The engine is told by the weight of the evidence: each corpus handbook
/// by its own, and a Hugo handbook holding a few legacy `.html.md` files
/// stays Hugo.
#[test]
fn the_engine_is_told_by_most_files_not_by_one() {
    let hugo = read(&shared().join("corpus/gitlab-hugo-2025"));
    assert_eq!(handbook::detect(&hugo), handbook::Engine::Hugo);
    let middleman = read(&shared().join("corpus/gitlab-middleman-2022"));
    assert_eq!(handbook::detect(&middleman), handbook::Engine::Middleman);
    let mut mixed = hugo.clone();
    for (i, (path, text)) in middleman.files.iter().take(3).enumerate() {
        mixed.insert(
            format!("legacy/{i}-{}", path.rsplit('/').next().unwrap()),
            text.clone(),
        );
    }
    assert!(mixed.files.keys().any(|p| p.ends_with(".html.md")));
    assert_eq!(handbook::detect(&mixed), handbook::Engine::Hugo);
}

/// Read with the other engine's include rules, a handbook loses its
/// includes; the report says so once, and names the engine to try. Read
/// right, a complete handbook does not get the warning.
#[test]
fn a_handbook_read_with_the_wrong_engine_says_so() {
    let hugo = read(&shared().join("corpus/gitlab-hugo-2025"));
    let wrong = handbook::import(
        &hugo,
        &handbook::Options {
            engine: Some(handbook::Engine::Middleman),
            ..opts("GitLab")
        },
    );
    let found: Vec<_> = wrong
        .report
        .problems
        .iter()
        .filter(|p| p.code == "many-includes-missing")
        .collect();
    assert_eq!(found.len(), 1, "{:?}", wrong.report.problems.len());
    assert!(
        found[0].message.contains("--engine hugo"),
        "{}",
        found[0].message
    );
    let right = handbook::import(&hugo, &opts("GitLab"));
    assert!(
        !right
            .report
            .problems
            .iter()
            .any(|p| p.code == "many-includes-missing")
    );
}

/// Raw HTML blocks are never dropped in silence: a table's text and a
/// box's text stay as prose, each block is reported at its line, and a
/// closing tag alone leaves nothing stray behind.
#[test]
fn html_blocks_are_kept_as_prose_and_reported() {
    let mut src = Source::new();
    src.insert(
        "content/handbook/engineering/careers/matrix/senior.md",
        "---\ntitle: \"Career Framework: Senior\"\n---\n\n## Competencies: Senior\n\n### Senior Technical Competencies\n\n- Designs changes that other teams can build on.\n\n<table>\n<tr><th>Area</th><th>Expectation</th></tr>\n<tr><td>Reviews</td><td>Reviews designs across the group &amp; beyond</td></tr>\n</table>\n\n<div class=\"note\">\n\n- Keeps the on-call runbook current.\n\n</div>\n\n<details><summary>Why this matters</summary>Teams rely on shared designs.</details>\n"
            .to_owned(),
    );
    let import = handbook::import(&src, &opts("Html"));
    let blocks = problem(&import, "html-block", "senior.md");
    let lines: Vec<u32> = blocks.iter().map(|p| p.line).collect();
    assert_eq!(lines, [11, 22], "{:#?}", import.report.problems);
    let out: String = import
        .files
        .values()
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    assert!(out.contains("Area | Expectation"), "{out}");
    assert!(
        out.contains("Reviews | Reviews designs across the group & beyond"),
        "{out}"
    );
    assert!(out.contains("Why this matters"), "{out}");
    assert!(out.contains("Keeps the on-call runbook current."), "{out}");
    assert!(!out.contains("</div>") && !out.contains("<table"), "{out}");
}
