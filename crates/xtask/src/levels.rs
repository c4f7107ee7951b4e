//! `cargo xtask bench levels [--quick] [--reps N]`: how `ladder check`
//! grows with the length of a level chain. Writes frameworks whose
//! `ladder.yaml` holds 1,000, 10,000 and 100,000 levels, each including
//! the one before it (and, in quick mode, 1,000 and 10,000 with the debug
//! binary), and reports the time per thousand levels at each size and its
//! ratio to the smallest: about 1 when checking is linear, 10 and 100 when
//! it is quadratic. It asserts nothing.

use crate::{Result, io, measure, median, write};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

/// Writes a framework with `n` chained levels into `dir`.
fn framework(dir: &Path, n: usize) -> Result<()> {
    let mut yaml = String::from("levels:\n");
    for i in 0..n {
        let _ = writeln!(yaml, "  - id: l{i}\n    title: Level {i}\n    grade: {i}");
        if i > 0 {
            let _ = writeln!(yaml, "    below: l{}", i - 1);
        }
    }
    yaml.push_str("categories:\n  - id: technical\n    title: Technical\n");
    write(&dir.join("ladder.yaml"), &yaml)?;
    let last = n - 1;
    write(
        &dir.join("layers/engineering.md"),
        &format!(
            "---\nid: engineering\ntitle: Engineering\n---\n\n## Level 0\n\n### Technical\n\n- Ships a change. {{#first}}\n\n## Level {last}\n\n### Technical\n\n- Sets the direction. {{#last}}\n"
        ),
    )?;
    write(
        &dir.join("families/engineer.md"),
        &format!(
            "---\nid: engineer\ntitle: Engineer\nlayer: engineering\nlevels: [l0, l{last}]\n---\n\nBuilds things.\n"
        ),
    )
}

pub fn bench(root: &Path, args: &[String]) -> Result<()> {
    let mut quick = false;
    let mut reps = 3;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => quick = true,
            "--reps" => {
                reps = it
                    .next()
                    .ok_or("--reps needs a value")?
                    .parse()
                    .map_err(|e| format!("--reps: {e}"))?
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    let (profile, sizes): (&str, &[usize]) = if quick {
        ("debug", &[1_000, 10_000])
    } else {
        ("release", &[1_000, 10_000, 100_000])
    };
    if quick {
        reps = 1;
    }
    let mut build = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    build
        .current_dir(root)
        .args(["build", "--quiet", "-p", "ladder"]);
    if profile != "debug" {
        build.args(["--profile", profile]);
    }
    if !io("cargo build", build.status())?.success() {
        return Err("building ladder failed".into());
    }
    let ladder = root.join("target").join(profile).join("ladder");
    let ladder = ladder.to_string_lossy();
    let work = root.join("target/bench/levels");
    let mut rows = Vec::new();
    for &n in sizes {
        let dir = work.join(n.to_string());
        let _ = std::fs::remove_dir_all(&dir);
        framework(&dir, n)?;
        let dir_s = dir.to_string_lossy();
        let mut walls = Vec::new();
        let mut rss = Vec::new();
        for _ in 0..reps {
            let s = measure(&[&ladder, "check", &dir_s], &work.join("check.log"))?;
            walls.push(s.wall);
            rss.push(s.rss_kib);
        }
        rows.push((n, median(walls), median(rss)));
    }
    let Some(&(n0, w0, _)) = rows.first() else {
        return Ok(());
    };
    let per_k0 = w0 / (n0 as f64 / 1000.0);
    println!("`ladder check` on a chain of levels ({profile} build, median of {reps})\n");
    println!("| levels | wall | per 1,000 levels | ratio to {n0} | peak RSS |");
    println!("|---:|---:|---:|---:|---:|");
    for (n, wall, rss) in rows {
        let per_k = wall / (n as f64 / 1000.0);
        println!(
            "| {n} | {:.3} s | {:.4} s | {:.2} | {:.1} MiB |",
            wall,
            per_k,
            per_k / per_k0,
            rss / 1024.0
        );
    }
    Ok(())
}
