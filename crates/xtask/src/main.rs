//! Development tasks.
//!
//! `cargo xtask bench build [--quick] [--copies N] [--reps N] [--profile P]` compares
//! `ladder build` with Hugo, the engine GitLab renders its career pages
//! with, on the same statements and includes, and with a bare
//! pulldown-cmark pass over the same Markdown Hugo gets (pages and
//! includes) as the floor. It reports wall
//! time, CPU time and peak RSS as ratios; it asserts nothing. See
//! `docs/benchmarks.md`.
//!
//! `cargo xtask bench serve [--quick] [--people N] [--seconds S]` runs the
//! web app under wrk beside nginx serving the same page statically (see
//! [`serve`]).
//!
//! `cargo xtask bench levels [--quick]` measures how `ladder check` grows
//! with the length of a level chain (see [`levels`]).
//!
//! `cargo xtask bench scale [--quick] [--sizes …] [--backend …]` measures
//! every GET route as four viewers at organisations of 1,000 to 100,000
//! people (see [`scale`]).
//!
//! `cargo xtask floor SRC OUT` is that floor: read every `.md` file under
//! SRC, render it with pulldown-cmark, write it as `.html` under OUT.

// A benchmark has to read the clock.
#![allow(clippy::disallowed_methods)]

mod levels;
mod scale;
mod serve;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

type Result<T> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("bench") if args.get(1).map(String::as_str) == Some("build") => {
            bench(args.get(2..).unwrap_or(&[]))
        }
        Some("bench") if args.get(1).map(String::as_str) == Some("serve") => {
            serve::bench(&workspace_root(), args.get(2..).unwrap_or(&[]))
        }
        Some("bench") if args.get(1).map(String::as_str) == Some("scale") => {
            scale::bench(&workspace_root(), args.get(2..).unwrap_or(&[]))
        }
        Some("bench") if args.get(1).map(String::as_str) == Some("levels") => {
            levels::bench(&workspace_root(), args.get(2..).unwrap_or(&[]))
        }
        Some("floor") => match (args.get(1), args.get(2)) {
            (Some(src), Some(out)) => floor(Path::new(src), Path::new(out)),
            _ => Err("usage: cargo xtask floor SRC OUT".into()),
        },
        _ => Err(
            "usage: cargo xtask bench build [--quick] [--copies N] [--reps N] [--corpus DIR] [--profile P]\n       cargo xtask bench serve [--quick] [--people N] [--seconds S]\n       cargo xtask bench levels [--quick] [--reps N]\n       cargo xtask bench scale [--quick] [--sizes 1000,10000,100000] [--backend sqlite|postgres|both] [--reps N]"
                .into(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors().nth(2).unwrap_or(here).to_path_buf()
}

fn io<T>(what: impl std::fmt::Display, r: std::io::Result<T>) -> Result<T> {
    r.map_err(|e| format!("{what}: {e}"))
}

fn write(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent() {
        io(dir.display(), std::fs::create_dir_all(dir))?;
    }
    io(path.display(), std::fs::write(path, text))
}

fn md_files(root: &Path) -> Result<Vec<PathBuf>> {
    files_with_ext(root, "md")
}

/// Every file under `root` whose extension is `ext`, sorted.
fn files_with_ext(root: &Path, ext: &str) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in io(dir.display(), std::fs::read_dir(&dir))? {
            let e = io(dir.display(), e)?;
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == ext) {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

// ---------------------------------------------------------------- floor

fn floor(src: &Path, out: &Path) -> Result<()> {
    for path in md_files(src)? {
        let text = io(path.display(), std::fs::read_to_string(&path))?;
        let mut html = String::with_capacity(text.len() * 2);
        pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&text));
        let rel = path.strip_prefix(src).map_err(|e| e.to_string())?;
        let target = out.join(rel).with_extension("html");
        if let Some(dir) = target.parent() {
            io(dir.display(), std::fs::create_dir_all(dir))?;
        }
        io(target.display(), std::fs::write(&target, html))?;
    }
    Ok(())
}

// ---------------------------------------------------------------- corpus

const LEVELS: [(&str, &str, u32); 6] = [
    ("intern", "Intern", 4),
    ("associate", "Associate", 5),
    ("intermediate", "Intermediate", 6),
    ("senior", "Senior", 7),
    ("staff", "Staff", 8),
    ("principal", "Principal", 9),
];

fn category_of(heading: &str) -> Option<&'static str> {
    let h = heading.to_lowercase();
    if h.contains("leadership") {
        Some("Leadership")
    } else if h.contains("technical") {
        Some("Technical")
    } else if h.contains("values") {
        Some("Values alignment")
    } else {
        None
    }
}

fn strip_front_matter(text: &str) -> &str {
    if let Some(rest) = text.strip_prefix("---\n")
        && let Some(end) = rest.find("\n---\n")
    {
        return rest.get(end + 5..).unwrap_or("");
    }
    text
}

/// Absolute handbook links become full addresses, as an importer would
/// write them; Ladder refuses site-absolute links.
fn statement_text(bullet: &str) -> String {
    bullet
        .replace("](/", "](https://handbook.gitlab.com/")
        .replace("{{", "{ {")
}

fn bullet(line: &str) -> Option<&str> {
    let t = line.trim_start();
    t.strip_prefix("- ")
        .or_else(|| t.strip_prefix("* "))
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn include_path(line: &str) -> Option<&str> {
    let t = line.trim();
    let rest = t.strip_prefix("{{% include \"")?;
    let end = rest.find('"')?;
    rest.get(..end)
}

struct Corpus {
    hugo: PathBuf,
    ladder: PathBuf,
    hugo_sources: usize,
    ladder_sources: usize,
    statements: usize,
}

/// Writes the Hugo site (content copied `copies` times, includes once in
/// `assets/`) and a Ladder framework with the same statements.
fn generate(src: &Path, work: &Path, copies: usize) -> Result<Corpus> {
    let matrix = src.join("content/handbook/engineering/careers/matrix");
    let assets = src.join("assets");
    let hugo = work.join("hugo");
    let ladder = work.join("ladder");
    let _ = std::fs::remove_dir_all(&hugo);
    let _ = std::fs::remove_dir_all(&ladder);
    // Hugo: a minimal site and the include shortcode GitLab's handbook uses.
    write(
        &hugo.join("hugo.toml"),
        "baseURL = \"https://example.invalid/\"\ntitle = \"bench\"\ndisableKinds = [\"taxonomy\", \"term\", \"RSS\", \"sitemap\", \"robotsTXT\", \"404\"]\n[markup.goldmark.renderer]\nunsafe = false\n",
    )?;
    write(
        &hugo.join("layouts/_default/baseof.html"),
        "<!doctype html><html><head><title>{{ .Title }}</title></head><body>{{ block \"main\" . }}{{ end }}</body></html>\n",
    )?;
    write(
        &hugo.join("layouts/_default/single.html"),
        "{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ .Content }}{{ end }}\n",
    )?;
    write(
        &hugo.join("layouts/_default/list.html"),
        "{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ .Content }}<ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n",
    )?;
    write(
        &hugo.join("layouts/shortcodes/include.html"),
        "{{ with resources.Get (.Get 0) }}{{ .Content }}{{ end }}\n",
    )?;
    let mut hugo_sources = 0;
    for inc in md_files(&assets)? {
        let rel = inc.strip_prefix(src).map_err(|e| e.to_string())?;
        let text = io(inc.display(), std::fs::read_to_string(&inc))?;
        write(&hugo.join(rel), &text)?;
        hugo_sources += 1;
    }
    // Ladder: the same includes, as statement lists with ids.
    let mut includes_with_statements = BTreeMap::new();
    let mut statements = 0;
    let mut ladder_sources = 0;
    for inc in md_files(&assets)? {
        let rel = inc
            .strip_prefix(&assets)
            .map_err(|e| e.to_string())?
            .to_string_lossy()
            .replace('\\', "/");
        let text = io(inc.display(), std::fs::read_to_string(&inc))?;
        let stem = rel.trim_end_matches(".md").replace(['/', '_'], "-");
        let mut out = String::new();
        let mut n = 0;
        for line in strip_front_matter(&text).lines() {
            if let Some(b) = bullet(line) {
                n += 1;
                let _ = writeln!(out, "- {} {{#inc-{stem}-{n}}}", statement_text(b));
            }
        }
        if n > 0 {
            statements += n;
            write(&ladder.join(&rel), &out)?;
            ladder_sources += 1;
            includes_with_statements.insert(rel, ());
        }
    }
    let mut config = String::from("organisation: Bench\nlevels:\n");
    let mut below: Option<&str> = None;
    for (id, title, grade) in LEVELS {
        let _ = writeln!(
            config,
            "  - id: {id}\n    title: {title}\n    grade: {grade}"
        );
        if let Some(b) = below {
            let _ = writeln!(config, "    below: {b}");
        }
        below = Some(id);
    }
    config.push_str("categories:\n  - id: leadership\n    title: Leadership\n  - id: technical\n    title: Technical\n  - id: values\n    title: Values alignment\n");
    write(&ladder.join("ladder.yaml"), &config)?;
    ladder_sources += 1;
    let pages = md_files(&matrix)?;
    for copy in 0..copies {
        let prefix = format!("c{copy:03}");
        // Hugo: the pages as they are, under a per-copy section.
        for page in &pages {
            let rel = page.strip_prefix(&matrix).map_err(|e| e.to_string())?;
            let text = io(page.display(), std::fs::read_to_string(page))?;
            write(&hugo.join("content").join(&prefix).join(rel), &text)?;
            hugo_sources += 1;
        }
        // Ladder: one layer per matrix folder, one level section per page.
        let mut layers: BTreeMap<String, String> = BTreeMap::new();
        for page in &pages {
            let rel = page
                .strip_prefix(&matrix)
                .map_err(|e| e.to_string())?
                .to_string_lossy()
                .replace('\\', "/");
            let (folder, file) = rel.rsplit_once('/').unwrap_or(("", rel.as_str()));
            let stem = file.trim_end_matches(".md");
            let Some((_, level_title, _)) = LEVELS.iter().find(|(id, _, _)| *id == stem) else {
                continue;
            };
            let text = io(page.display(), std::fs::read_to_string(page))?;
            let layer_id = layer_id(&prefix, folder);
            let body = layers.entry(folder.to_owned()).or_default();
            let _ = writeln!(body, "\n## {level_title}");
            let mut category: Option<&str> = None;
            let mut n = 0;
            for line in strip_front_matter(&text).lines() {
                if line.starts_with('#') {
                    if let Some(c) = category_of(line.trim_start_matches('#')) {
                        if category != Some(c) {
                            let _ = writeln!(body, "\n### {c}\n");
                        }
                        category = Some(c);
                    }
                    continue;
                }
                if category.is_none() {
                    continue;
                }
                if let Some(path) = include_path(line) {
                    if includes_with_statements.contains_key(path) {
                        let _ = writeln!(body, "{{{{% include \"{path}\" %}}}}");
                    }
                } else if let Some(b) = bullet(line) {
                    n += 1;
                    statements += 1;
                    let _ = writeln!(body, "- {} {{#{layer_id}-{stem}-{n}}}", statement_text(b));
                }
            }
        }
        for (folder, body) in &layers {
            let id = layer_id(&prefix, folder);
            let extends = parent_layer(&layers, folder).map(|p| layer_id(&prefix, p));
            let mut text = format!(
                "---\nid: {id}\ntitle: \"{prefix} {}\"\n",
                if folder.is_empty() {
                    "engineering"
                } else {
                    folder
                }
            );
            if let Some(e) = extends {
                let _ = writeln!(text, "extends: {e}");
            }
            text.push_str("---\n");
            text.push_str(body);
            write(&ladder.join("layers").join(format!("{id}.md")), &text)?;
            ladder_sources += 1;
        }
    }
    Ok(Corpus {
        hugo,
        ladder,
        hugo_sources,
        ladder_sources,
        statements,
    })
}

fn layer_id(prefix: &str, folder: &str) -> String {
    if folder.is_empty() {
        prefix.to_owned()
    } else {
        format!("{prefix}-{}", folder.replace('/', "-"))
    }
}

/// The nearest ancestor folder that is itself a layer.
fn parent_layer<'a>(layers: &'a BTreeMap<String, String>, folder: &str) -> Option<&'a str> {
    if folder.is_empty() {
        return None;
    }
    let mut f = folder;
    loop {
        f = f.rsplit_once('/').map_or("", |(p, _)| p);
        if let Some((k, _)) = layers.get_key_value(f) {
            return Some(k);
        }
        if f.is_empty() {
            return None;
        }
    }
}

// ---------------------------------------------------------------- timing

#[derive(Clone, Copy, Default)]
struct Sample {
    wall: f64,
    cpu: f64,
    rss_kib: f64,
}

/// Runs a command under GNU time; wall and CPU in seconds, RSS in KiB.
/// Wall time is read from the clock here, to the microsecond: GNU time
/// gives it in hundredths of a second, too coarse for runs of a fifth of
/// one.
fn measure(cmd: &[&str], log: &Path) -> Result<Sample> {
    let stats = log.with_extension("time");
    let start = std::time::Instant::now();
    let out = io(
        "/usr/bin/time (Debian package `time`)",
        Command::new("/usr/bin/time")
            .arg("-f")
            .arg("%e %U %S %M")
            .arg("-o")
            .arg(&stats)
            .args(cmd)
            .output(),
    )?;
    let wall = start.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(format!(
            "`{}` failed: {}{}",
            cmd.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let text = io(stats.display(), std::fs::read_to_string(&stats))?;
    let last = text.lines().last().unwrap_or("");
    let v: Vec<f64> = last
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    match v.as_slice() {
        [_, user, sys, rss] => Ok(Sample {
            wall,
            cpu: user + sys,
            rss_kib: *rss,
        }),
        _ => Err(format!("cannot read GNU time's output: {last}")),
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn bench(args: &[String]) -> Result<()> {
    let root = workspace_root();
    let mut quick = false;
    let mut copies = 100;
    let mut reps = 5;
    let mut profile_arg: Option<String> = None;
    let mut corpus = root.join("../shared/corpus/gitlab-hugo-2025");
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().cloned().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--quick" => quick = true,
            "--copies" => {
                copies = value("--copies")?
                    .parse()
                    .map_err(|e| format!("--copies: {e}"))?
            }
            "--reps" => {
                reps = value("--reps")?
                    .parse()
                    .map_err(|e| format!("--reps: {e}"))?
            }
            "--corpus" => corpus = PathBuf::from(value("--corpus")?),
            // `profiling` (release with line tables) for `perf record`.
            "--profile" => profile_arg = Some(value("--profile")?),
            other => return Err(format!("unknown option {other}")),
        }
    }
    if quick {
        copies = copies.min(2);
        reps = 1;
    }
    let profile = match (&profile_arg, quick) {
        (Some(p), _) => p.as_str(),
        (None, true) => "debug",
        (None, false) => "release",
    };
    let mut build = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    build
        .current_dir(&root)
        .args(["build", "--quiet", "-p", "ladder"]);
    if profile != "debug" {
        build.args(["--profile", profile]);
    }
    let status = io("cargo build", build.status())?;
    if !status.success() {
        return Err("building ladder failed".into());
    }
    let ladder_bin = root.join("target").join(profile).join("ladder");
    let xtask_bin = io("current_exe", std::env::current_exe())?;
    let hugo_version = Command::new("hugo")
        .arg("version")
        .output()
        .map_err(|e| format!("hugo is not installed ({e}); on Debian: apt-get install -y hugo"))?;
    let hugo_version = String::from_utf8_lossy(&hugo_version.stdout)
        .trim()
        .to_owned();
    let work = root.join("target/bench/build");
    eprintln!(
        "generating the corpus: {copies} copies of {}",
        corpus.display()
    );
    let c = generate(&corpus, &work, copies)?;
    // Each run writes a folder of its own, and all are removed at the end:
    // deleting thousands of files just before the next tool creates as many
    // makes ext4 scan the recently freed inodes, and that cost (growing run
    // after run) would be measured instead of the tools.
    let tools = ["hugo", "ladder", "floor"];
    let out_of = |tool: &str, rep: usize| work.join(format!("out-{tool}-{rep}"));
    let clean = || {
        for rep in 0..reps {
            for tool in tools {
                let _ = std::fs::remove_dir_all(out_of(tool, rep));
            }
        }
    };
    clean();
    let names = ["hugo", "ladder build", "pulldown-cmark floor"];
    let mut samples: Vec<Vec<Sample>> = vec![Vec::new(), Vec::new(), Vec::new()];
    for rep in 0..reps {
        for (i, tool) in tools.iter().enumerate() {
            let out = out_of(tool, rep);
            let o = out.to_string_lossy().into_owned();
            let cmd: Vec<String> = match i {
                0 => vec![
                    "hugo".into(),
                    "--quiet".into(),
                    "--source".into(),
                    c.hugo.to_string_lossy().into(),
                    "--destination".into(),
                    o,
                ],
                1 => vec![
                    ladder_bin.to_string_lossy().into(),
                    "build".into(),
                    c.ladder.to_string_lossy().into(),
                    "--out".into(),
                    o,
                ],
                _ => vec![
                    xtask_bin.to_string_lossy().into(),
                    "floor".into(),
                    c.hugo.to_string_lossy().into(),
                    o,
                ],
            };
            let args: Vec<&str> = cmd.iter().map(String::as_str).collect();
            let s = measure(&args, &work.join(format!("run-{rep}-{i}")))?;
            eprintln!(
                "rep {}/{reps}: {:<22} {:.3}s wall, {:.3}s cpu, {:.1} MiB",
                rep + 1,
                names.get(i).unwrap_or(&""),
                s.wall,
                s.cpu,
                s.rss_kib / 1024.0
            );
            if let Some(v) = samples.get_mut(i) {
                v.push(s);
            }
        }
    }
    let med: Vec<Sample> = samples
        .iter()
        .map(|v| Sample {
            wall: median(v.iter().map(|s| s.wall).collect()),
            cpu: median(v.iter().map(|s| s.cpu).collect()),
            rss_kib: median(v.iter().map(|s| s.rss_kib).collect()),
        })
        .collect();
    let pages: Vec<usize> = tools
        .iter()
        .map(|t| files_with_ext(&out_of(t, 0), "html").map_or(0, |f| f.len()))
        .collect();
    clean();
    let (h, l, f) = match med.as_slice() {
        [h, l, f] => (*h, *l, *f),
        _ => return Err("no samples".into()),
    };
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
    let mut report = String::new();
    let _ = writeln!(
        report,
        "corpus: {copies} copies of {} ({} Hugo sources, {} Ladder sources, {} statements)",
        corpus.display(),
        c.hugo_sources,
        c.ladder_sources,
        c.statements
    );
    let _ = writeln!(report, "hugo: {hugo_version}");
    let _ = writeln!(
        report,
        "ladder: target/{profile}/ladder; median of {reps} alternating runs\n"
    );
    let _ = writeln!(
        report,
        "| tool | pages written | wall (s) | CPU (s) | peak RSS (MiB) |"
    );
    let _ = writeln!(report, "|---|---:|---:|---:|---:|");
    for (i, s) in med.iter().enumerate() {
        let _ = writeln!(
            report,
            "| {} | {} | {:.3} | {:.3} | {:.1} |",
            names.get(i).unwrap_or(&""),
            pages.get(i).unwrap_or(&0),
            s.wall,
            s.cpu,
            s.rss_kib / 1024.0
        );
    }
    let _ = writeln!(report);
    let _ = writeln!(report, "| ratio | value | target |");
    let _ = writeln!(report, "|---|---:|---|");
    let _ = writeln!(
        report,
        "| Hugo wall / Ladder wall | {:.2}× | ≥ 4× |",
        ratio(h.wall, l.wall)
    );
    let _ = writeln!(
        report,
        "| Hugo CPU / Ladder CPU | {:.2}× | |",
        ratio(h.cpu, l.cpu)
    );
    let _ = writeln!(
        report,
        "| Ladder wall / floor wall | {:.2}× | ≤ 1.5× |",
        ratio(l.wall, f.wall)
    );
    let _ = writeln!(
        report,
        "| Hugo RSS / Ladder RSS | {:.2}× | ≥ 8× |",
        ratio(h.rss_kib, l.rss_kib)
    );
    if quick {
        let _ = writeln!(
            report,
            "\n(quick mode: a debug build and a tiny corpus; these figures prove the harness works, nothing more)"
        );
    }
    print!("{report}");
    Ok(())
}
