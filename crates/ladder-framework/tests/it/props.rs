//! Property tests: level inheritance, include resolution, id stability, and
//! a bounded no-panic run over random and damaged input.

use ladder_framework::{FileSet, compile, example, ids, resolve};
use proptest::prelude::*;
use std::fmt::Write as _;

const WORDS: &[&str] = &[
    "ships",
    "reviews",
    "designs",
    "mentors",
    "writes",
    "owns",
    "tests",
    "plans",
    "leads",
    "measures",
    "features",
    "services",
    "teams",
    "docs",
    "incidents",
    "releases",
    "clearly",
    "safely",
    "often",
    "others",
];

/// One statement: where it sits and what it says.
#[derive(Clone, Debug)]
struct Stmt {
    layer: usize,
    level: usize,
    category: usize,
    words: Vec<usize>,
    /// Which include file carries it, if any (then it is placed wherever
    /// that include is used).
    include: Option<usize>,
}

#[derive(Clone, Debug)]
struct Spec {
    levels: usize,
    layers: usize,
    categories: usize,
    stmts: Vec<Stmt>,
    /// (include, layer, level, category) where each include is used.
    uses: Vec<(usize, usize, usize, usize)>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (1usize..6, 1usize..5, 1usize..4).prop_flat_map(|(levels, layers, categories)| {
        let stmt = (
            0..layers,
            0..levels,
            0..categories,
            prop::collection::vec(0..WORDS.len(), 3..8),
            prop::option::weighted(0.2, 0usize..2),
        )
            .prop_map(|(layer, level, category, words, include)| Stmt {
                layer,
                level,
                category,
                words,
                include,
            });
        let uses = prop::collection::vec((0usize..2, 0..layers, 0..levels, 0..categories), 0..4);
        (prop::collection::vec(stmt, 1..25), uses).prop_map(move |(stmts, mut uses)| {
            // A layer uses each include at most once (a second use is a
            // warning and is dropped), so keep the first per (include, layer).
            let mut seen = std::collections::BTreeSet::new();
            uses.retain(|u| seen.insert((u.0, u.1)));
            Spec {
                levels,
                layers,
                categories,
                stmts,
                uses,
            }
        })
    })
}

fn text(words: &[usize], reworded: bool) -> String {
    let mut w: Vec<&str> = words.iter().map(|i| WORDS[*i]).collect();
    if reworded {
        w.reverse();
        w.push("consistently");
    }
    format!("{}.", w.join(" "))
}

/// Writes the spec as framework files. Layer `k` extends layer `k-1`; level
/// `k` includes level `k-1`.
fn files(spec: &Spec, reworded: bool) -> FileSet {
    let mut config = String::from("levels:\n");
    for l in 0..spec.levels {
        let _ = writeln!(config, "  - id: l{l}\n    title: Level {l}\n    grade: {l}");
        if l > 0 {
            let _ = writeln!(config, "    below: l{}", l - 1);
        }
    }
    config.push_str("categories:\n");
    for c in 0..spec.categories {
        let _ = writeln!(config, "  - id: c{c}\n    title: Category {c}");
    }
    let mut fs = FileSet::new();
    fs.insert_text("ladder.yaml", config);
    let mut incs = [String::new(), String::new()];
    for layer in 0..spec.layers {
        let mut page = format!("---\nid: k{layer}\ntitle: Layer {layer}\n");
        if layer > 0 {
            let _ = writeln!(page, "extends: k{}", layer - 1);
        }
        page.push_str("---\n");
        for level in 0..spec.levels {
            let _ = writeln!(page, "\n## Level {level}");
            for c in 0..spec.categories {
                let _ = writeln!(page, "\n### Category {c}\n");
                for (i, s) in spec.stmts.iter().enumerate() {
                    if s.include.is_none() && (s.layer, s.level, s.category) == (layer, level, c) {
                        let _ = writeln!(page, "- {} {{#s{i}}}", text(&s.words, reworded));
                    }
                }
                for (inc, ul, ulv, uc) in &spec.uses {
                    if (*ul, *ulv, *uc) == (layer, level, c) {
                        let _ = writeln!(page, "{{{{% include \"includes/i{inc}.md\" %}}}}");
                    }
                }
                // Keep every section non-empty so only real problems show.
                let _ = writeln!(
                    page,
                    "- Filler for k{layer} l{level} c{c}. {{#f{layer}-{level}-{c}}}"
                );
            }
        }
        fs.insert_text(&format!("layers/k{layer}.md"), page);
    }
    for (i, s) in spec.stmts.iter().enumerate() {
        if let Some(inc) = s.include {
            let _ = writeln!(incs[inc], "- {} {{#s{i}}}", text(&s.words, reworded));
        }
    }
    for (n, body) in incs.iter().enumerate() {
        if spec.uses.iter().any(|u| u.0 == n) {
            fs.insert_text(
                &format!("includes/i{n}.md"),
                format!("{body}- Filler of include {n}. {{#inc{n}}}\n"),
            );
        }
    }
    fs
}

fn cumulative(fw: &ladder_framework::Framework, layer: usize, level: usize) -> Vec<String> {
    resolve::layer(fw, &format!("k{layer}"), &format!("l{level}"), false)
        .unwrap()
        .competencies
        .into_iter()
        .map(|e| e.id)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    /// A statement placed at level N of layer A appears in the cumulative
    /// view of every level at or above N, for A and every layer below A in
    /// the chain, and nowhere else. `--own` shows it only at N.
    #[test]
    fn level_inheritance(spec in spec()) {
        let (fw, diags) = compile(&files(&spec, false));
        prop_assert!(diags.iter().all(|d| !d.is_error()), "{:?}", diags);
        for (i, s) in spec.stmts.iter().enumerate() {
            let id = format!("s{i}");
            // Where the statement sits: directly, or wherever its include is used.
            let places: Vec<(usize, usize)> = match s.include {
                None => vec![(s.layer, s.level)],
                Some(inc) => spec.uses.iter().filter(|u| u.0 == inc).map(|u| (u.1, u.2)).collect(),
            };
            for layer in 0..spec.layers {
                for level in 0..spec.levels {
                    let expected = places.iter().any(|(pl, plv)| *pl <= layer && *plv <= level);
                    let view = cumulative(&fw, layer, level);
                    prop_assert_eq!(view.contains(&id), expected, "{} in k{} l{}", id, layer, level);
                    prop_assert!(view.iter().filter(|x| **x == id).count() <= 1, "{} twice", id);
                    let own: Vec<String> = resolve::layer(&fw, &format!("k{layer}"), &format!("l{level}"), true)
                        .unwrap().competencies.into_iter().map(|e| e.id).collect();
                    let expected_own = places.iter().any(|(pl, plv)| *pl <= layer && *plv == level);
                    prop_assert_eq!(own.contains(&id), expected_own, "own {} in k{} l{}", id, layer, level);
                }
            }
        }
    }

    /// An include used in many places is one item with one id.
    #[test]
    fn includes_resolve_to_one_item(spec in spec()) {
        let (fw, _) = compile(&files(&spec, false));
        for (i, s) in spec.stmts.iter().enumerate() {
            if s.include.is_some_and(|inc| spec.uses.iter().any(|u| u.0 == inc)) {
                let item = fw.items.get(&format!("s{i}")).unwrap();
                prop_assert!(item.source.file.starts_with("includes/"));
            }
        }
        prop_assert_eq!(
            fw.items.len(),
            fw.items.values().map(|i| (&i.source.file, i.source.line)).collect::<std::collections::BTreeSet<_>>().len()
        );
    }

    /// Rewording every statement changes no id and no view's membership.
    #[test]
    fn ids_are_stable_under_rewording(spec in spec()) {
        let (a, _) = compile(&files(&spec, false));
        let (b, _) = compile(&files(&spec, true));
        prop_assert_eq!(a.items.keys().collect::<Vec<_>>(), b.items.keys().collect::<Vec<_>>());
        for layer in 0..spec.layers {
            for level in 0..spec.levels {
                prop_assert_eq!(cumulative(&a, layer, level), cumulative(&b, layer, level));
            }
        }
    }

    /// `ladder ids` assigns once: a second run changes nothing, and the
    /// assigned ids survive rewording of the text after them.
    #[test]
    fn ids_assignment_is_idempotent(spec in spec(), drop in prop::collection::vec(any::<bool>(), 25)) {
        let mut fs = files(&spec, false);
        // Remove some ids so there is something to assign.
        let paths: Vec<String> = fs.paths().map(str::to_owned).collect();
        for p in &paths {
            let mut t = fs.text(p).unwrap().to_owned();
            for (i, d) in drop.iter().enumerate() {
                if *d {
                    t = t.replace(&format!(" {{#s{i}}}\n"), "\n");
                }
            }
            fs.insert_text(p, t);
        }
        let changed = ids::apply(&fs);
        for (p, t) in &changed {
            fs.insert_text(p, t.clone());
        }
        prop_assert!(ids::plan(&fs).is_empty());
        prop_assert!(ids::apply(&fs).is_empty());
        let (_, diags) = compile(&fs);
        prop_assert!(diags.iter().all(|d| d.code != "missing-id" && !d.is_error()), "{:?}", diags);
    }

    /// Random bytes anywhere in a framework never panic the compiler or `ids`.
    #[test]
    fn random_input_never_panics(
        path in prop::sample::select(vec!["ladder.yaml", "layers/x.md", "families/y.md", "includes/z.md"]),
        bytes in prop::collection::vec(any::<u8>(), 0..512),
    ) {
        let mut fs = example_files();
        fs.insert(path, bytes);
        exercise(&fs);
    }

    /// Truncated or spliced example files never panic either.
    #[test]
    fn damaged_example_never_panics(
        file in 0..example::FILES.len(),
        cut in any::<prop::sample::Index>(),
        splice in "[-#{}%\"“:\\[\\] \\n a-z0-9]{0,24}",
    ) {
        let mut fs = example_files();
        let (path, text) = example::FILES[file];
        let mut bytes = text.as_bytes().to_vec();
        let at = cut.index(bytes.len() + 1);
        bytes.truncate(at);
        bytes.extend_from_slice(splice.as_bytes());
        fs.insert(path, bytes);
        exercise(&fs);
    }
}

fn example_files() -> FileSet {
    let mut fs = FileSet::new();
    for (p, t) in example::FILES {
        fs.insert_text(p, *t);
    }
    fs
}

/// Everything a user can run over a framework.
fn exercise(fs: &FileSet) {
    let (fw, diags) = compile(fs);
    for d in &diags {
        assert!(d.span.offset + d.span.len <= fs.text(&d.span.file).map_or(usize::MAX, str::len));
    }
    let _ = ids::apply(fs);
    for f in &fw.families {
        for l in &f.levels {
            let _ = resolve::role(&fw, &f.id, &l.level, None, false);
        }
    }
    for layer in &fw.layers {
        for level in &fw.config.levels {
            let _ = resolve::layer(&fw, &layer.id, &level.id, true);
        }
    }
}
