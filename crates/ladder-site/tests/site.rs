//! The site built from the example framework: snapshots of its pages, the
//! shape of framework.json, and what happens to hostile or broken content.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ladder_framework::{Diagnostic, FileSet, compile, example};
use ladder_site::{Site, build};
use std::path::Path;

fn example_files() -> FileSet {
    let mut files = FileSet::new();
    for (path, text) in example::FILES {
        files.insert_text(path, *text);
    }
    files
}

fn site(files: &FileSet) -> (Site, Vec<Diagnostic>) {
    let (fw, diags) = compile(files);
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:#?}");
    build(&fw, files)
}

fn page<'s>(site: &'s Site, path: &str) -> &'s str {
    let bytes = site.files.get(path).unwrap_or_else(|| {
        panic!(
            "no {path}; pages: {:?}",
            site.files.keys().collect::<Vec<_>>()
        )
    });
    std::str::from_utf8(bytes).unwrap()
}

/// Compares with `tests/snapshots/NAME`; `UPDATE_EXPECT=1` rewrites it.
fn snapshot(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing snapshot {}; run with UPDATE_EXPECT=1",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "{name} differs from its snapshot; if the change is intended, run with UPDATE_EXPECT=1\n--- expected\n{expected}\n--- actual\n{actual}"
    );
}

#[test]
fn example_pages_match_their_snapshots() {
    let (site, diags) = site(&example_files());
    assert!(diags.is_empty(), "{diags:#?}");
    for (path, name) in [
        ("index.html", "index.html"),
        ("families/backend-engineer/index.html", "family.html"),
        ("families/backend-engineer/senior.html", "role-senior.html"),
        (
            "families/backend-engineer/payments/staff.html",
            "role-staff-payments.html",
        ),
        (
            "families/backend-engineer/senior-to-staff.html",
            "growth-senior-to-staff.html",
        ),
        ("layers/platform/index.html", "layer.html"),
        ("layers/platform/senior.html", "layer-senior.html"),
        ("search.html", "search.html"),
    ] {
        snapshot(name, page(&site, path));
    }
}

#[test]
fn every_role_layer_and_growth_page_exists_and_statements_have_anchors() {
    let (site, _) = site(&example_files());
    let (fw, _) = compile(&example_files());
    for f in &fw.families {
        assert!(
            site.files
                .contains_key(&format!("families/{}/index.html", f.id))
        );
        for l in &f.levels {
            let role = page(&site, &format!("families/{}/{}.html", f.id, l.level));
            let view = ladder_framework::resolve::role(&fw, &f.id, &l.level, None, false).unwrap();
            for e in &view.competencies {
                assert!(
                    role.contains(&format!("<li id=\"{}\">", e.id)),
                    "{} lacks {}",
                    l.level,
                    e.id
                );
            }
            for s in &f.specialties {
                assert!(
                    site.files
                        .contains_key(&format!("families/{}/{}/{}.html", f.id, s.id, l.level))
                );
            }
        }
    }
    for l in &fw.layers {
        assert!(
            site.files
                .contains_key(&format!("layers/{}/index.html", l.id))
        );
    }
    // Manager and staff both build on senior: two growth pages.
    assert!(
        site.files
            .contains_key("families/backend-engineer/senior-to-staff.html")
    );
    assert!(
        site.files
            .contains_key("families/backend-engineer/senior-to-manager.html")
    );
    assert!(!page(&site, "families/backend-engineer/index.html").contains("<style"));
    assert!(page(&site, "style.css").contains("@media print"));
}

#[test]
fn framework_json_is_the_resolved_model_with_ids_and_provenance() {
    let (site, _) = site(&example_files());
    let json: serde_json::Value = serde_json::from_slice(&site.files["framework.json"]).unwrap();
    assert_eq!(json["schema_version"], 1);
    let items = json["framework"]["items"].as_object().unwrap();
    assert!(items.len() > 50);
    let (id, item) = items.iter().next().unwrap();
    assert_eq!(item["id"], id.as_str());
    assert!(item["source"]["file"].as_str().unwrap().ends_with(".md"));
    let roles = json["roles"].as_array().unwrap();
    let senior = roles
        .iter()
        .find(|r| {
            r["family"] == "backend-engineer" && r["level"] == "senior" && r["specialty"].is_null()
        })
        .unwrap();
    let first = &senior["competencies"][0];
    for key in ["id", "text", "category", "layer", "level", "source"] {
        assert!(!first[key].is_null(), "competency lacks {key}: {first}");
    }
    assert_eq!(senior["grade"], 7.0);
    let search = page(&site, "search-index.js");
    assert!(search.starts_with("window.LADDER_SEARCH = {"));
}

#[test]
fn script_injection_through_content_is_neutralised() {
    let mut files = example_files();
    let eng = files.text("layers/engineering.md").unwrap().to_owned();
    let hostile = [
        "<script>alert('x')</script> Ships safely.",
        "Reviews <img src=x onerror=alert(1)> code.",
        "Reads [the guide](javascript:alert(1)) first.",
        "Reads [the other guide](JaVaScRiPt:alert(1)) too.",
        "Knows ![pic](data:text/html;base64,PHNjcmlwdD4=) well.",
        "Writes <a href=\"javascript:alert(1)\">links</a> carefully.",
        "Closes </li></ul><script>alert(2)</script> tags.",
    ];
    let mut added = String::new();
    for (i, h) in hostile.iter().enumerate() {
        added.push_str(&format!("- {h} {{#hostile-{i}}}\n"));
    }
    let at = eng.find("## Senior\n\n### Leadership\n\n").unwrap()
        + "## Senior\n\n### Leadership\n\n".len();
    files.insert_text(
        "layers/engineering.md",
        format!("{}{added}{}", &eng[..at], &eng[at..]),
    );
    files.insert_text(
        "families/backend-engineer.md",
        files.text("families/backend-engineer.md").unwrap().replace(
            "Backend Engineers build",
            "<script>alert(3)</script><iframe src=x></iframe> Backend Engineers build",
        ),
    );
    let (site, diags) = site(&files);
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:#?}");
    assert_eq!(
        diags.iter().filter(|d| d.code == "unsafe-link").count(),
        3,
        "{diags:#?}"
    );
    for (path, bytes) in &site.files {
        if !path.ends_with(".html") {
            continue;
        }
        let html = std::str::from_utf8(bytes).unwrap().to_lowercase();
        let scripts = html.matches("<script").count();
        let ours = html
            .matches("<script src=\"search-index.js\"></script>")
            .count()
            + html.matches("<script src=\"search.js\"></script>").count();
        assert_eq!(scripts, ours, "{path} has a script tag from content");
        // Hostile text may still be shown as text, but never as markup:
        // no real tag carries an event handler, a script URL or a frame.
        for tag in html
            .split('<')
            .skip(1)
            .map(|t| t.split('>').next().unwrap_or(""))
        {
            let name = tag.split([' ', '/']).next().unwrap_or("");
            assert!(
                !["iframe", "object", "embed", "style"].contains(&name),
                "{path}: <{tag}>"
            );
            assert!(!tag.contains(" on"), "{path}: <{tag}>");
            assert!(
                !tag.contains("javascript:") && !tag.contains("data:"),
                "{path}: <{tag}>"
            );
        }
    }
    let senior = page(&site, "families/backend-engineer/senior.html");
    assert!(
        senior.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Ships safely."),
        "{senior}"
    );
    // The search index is a script: content cannot close its tag.
    assert!(!page(&site, "search-index.js").contains("</script>"));
}

#[test]
fn a_broken_internal_link_fails_the_build_at_its_place() {
    let mut files = example_files();
    let eng = files.text("layers/engineering.md").unwrap().to_owned();
    let line_of =
        |text: &str, needle: &str| text[..text.find(needle).unwrap()].matches('\n').count() + 1;
    let text = eng.replacen(
        "- Aligns several teams",
        "- See [the staff guide](#engineering-staff-aligns-several-team) and [platform](platform.md). Aligns several teams",
        1,
    );
    let line = line_of(&text, "[the staff guide]");
    files.insert_text("layers/engineering.md", text);
    let (fw, _) = compile(&files);
    let (_, diags) = build(&fw, &files);
    let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 1, "{diags:#?}");
    let e = errors[0];
    assert_eq!(e.code, "broken-link");
    assert_eq!(
        (e.span.file.as_str(), e.span.line as usize, e.span.column),
        ("layers/engineering.md", line, 25)
    );
    assert!(
        e.help
            .as_deref()
            .unwrap()
            .contains("engineering-staff-aligns-several-teams-shared"),
        "{e:?}"
    );
    // The good link in the same statement became a link between pages.
    let (fixed_site, diags) = {
        let mut ok = files.clone();
        let t = ok
            .text("layers/engineering.md")
            .unwrap()
            .replace("several-team)", "several-teams-shared)");
        ok.insert_text("layers/engineering.md", t);
        let (fw, _) = compile(&ok);
        build(&fw, &ok)
    };
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:#?}");
    let staff = page(&fixed_site, "layers/engineering/staff.html");
    assert!(
        staff.contains("href=\"../../layers/platform/index.html\""),
        "{staff}"
    );
    assert!(staff.contains(
        "href=\"../../layers/engineering/staff.html#engineering-staff-aligns-several-teams-shared\""
    ));
}
