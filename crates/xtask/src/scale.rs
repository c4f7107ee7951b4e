//! `cargo xtask bench scale [--quick] [--sizes 1000,10000,100000]
//! [--backend sqlite|postgres|both] [--reps N]`: how every page and API
//! route grows with the organisation.
//!
//! For each size and backend it runs `ladder demo --people N` (timed: the
//! generator is part of what is measured), starts `ladder serve` on that
//! data, waits for the node's routine to finish its first tick (read from
//! `/metrics`: the catch-up a node does once, timed and reported), signs
//! in as the demo engineer, their manager, the head of the
//! organisation (found by walking up the engineer's managers) and the
//! people team, and asks every GET route of the route table
//! (`crates/ladder-server/src/routes.rs`) that each may use: `{id}` is the
//! viewer's own person, `{file}` a static asset; a route with another
//! parameter is listed as skipped. Each is asked once to warm it, then
//! `--reps` times one after another (100 unless told: p50 and p99 of
//! those, and the response's size; with fewer than 51 the p99 is the
//! slowest). Then wrk at 32 connections on the engineer's
//! worksheet and the directory's first page, and the server's resident
//! memory. Just before the worksheet, wrk on nginx serving the same
//! page's bytes as a static file: the target compares the two.
//!
//! The report gives, per route and viewer, p50 and p99 at every size, the
//! size of the response at the largest, and the ratio of p99 at the
//! largest size to p99 at the smallest; then the worst ratio and the
//! largest response among routes that are not exports, against the
//! targets of `docs/benchmarks.md`. It asserts nothing. `--quick` (CI):
//! 1,000 people, a debug build, 5 repetitions, one-second wrk runs.

use crate::serve::{
    Load, Logins, METRICS_TOKEN, PgDatabase, Running, build_ladder, http, nginx, request,
    seed_demo, sign_in, start_serve, wrk,
};
use crate::{Result, io};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Instant;

/// One route as one viewer saw it at one size.
#[derive(Clone, Copy, Debug)]
struct Stat {
    p50_ms: f64,
    p99_ms: f64,
    bytes: usize,
}

/// Everything measured at one size on one backend.
#[derive(Debug, Default)]
struct Run {
    seed_s: f64,
    /// From the node's start to the end of its routine's first tick: the
    /// catch-up a node does once (reminders come due for everyone when a
    /// demo is new), which the routes are measured after.
    first_tick_s: f64,
    /// (route, viewer) → stat.
    routes: BTreeMap<(String, String), Stat>,
    /// Routes skipped: they need an id the bench does not pick.
    skipped: Vec<String>,
    /// Requests that failed (a timeout, a refused connection): the route,
    /// the viewer and why; the bench goes on with the next.
    failed: Vec<String>,
    worksheet: Load,
    /// nginx serving the worksheet's bytes as a file, just before.
    worksheet_ref: Load,
    directory: Load,
    rss_mib: f64,
}

/// The GET routes of the route table, read from its source.
fn get_routes(root: &Path) -> Result<Vec<String>> {
    let path = root.join("crates/ladder-server/src/routes.rs");
    let text = io(path.display(), std::fs::read_to_string(&path))?;
    let routes: Vec<String> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("route!(GET \""))
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect();
    if routes.len() < 20 {
        return Err(format!(
            "{}: found only {} GET routes; has the route! macro changed?",
            path.display(),
            routes.len()
        ));
    }
    Ok(routes)
}

/// The route with the viewer's own id and the bench's picks in it, or
/// `None` when it needs an id the bench does not pick.
fn concrete(route: &str, person: &str, picks: &BTreeMap<&'static str, String>) -> Option<String> {
    let mut p = route.replace("{id}", person);
    for (k, v) in picks {
        p = p.replace(k, v);
    }
    (!p.contains('{')).then_some(p)
}

/// Ids the routes name, picked around the engineer: their 1:1 pair,
/// their role, their department, the first 360 cycle.
fn picks(
    addr: SocketAddr,
    session: &str,
    engineer: &str,
) -> Result<BTreeMap<&'static str, String>> {
    let mut out = BTreeMap::new();
    out.insert("{file}", "app.css".to_owned());
    out.insert("{*path}", "index.html".to_owned());
    let (_, _, me) = http(
        addr,
        "GET",
        &format!("/api/v1/people/{engineer}"),
        session,
        "",
    )?;
    let text = |key: &str| {
        me.split(&format!("\"{key}\":\""))
            .nth(1)
            .and_then(|r| r.split('"').next())
            .map(str::to_owned)
    };
    if let Some(m) = json_int(&me, "manager_id") {
        out.insert("{manager}", m);
        out.insert("{report}", engineer.to_owned());
    }
    for (key, slot) in [
        ("family", "{family}"),
        ("level", "{level}"),
        ("department", "{department}"),
    ] {
        if let Some(v) = text(key) {
            out.insert(slot, v.replace(' ', "%20"));
        }
    }
    let (_, _, cycles) = http(addr, "GET", "/api/v1/cycles", session, "")?;
    if let Some(c) = json_int(&cycles, "id") {
        out.insert("{cycle}", c);
    }
    Ok(out)
}

/// The id after `"key":` in a JSON text (no JSON parser in the xtask).
fn json_int(json: &str, key: &str) -> Option<String> {
    let rest = json.split(&format!("\"{key}\":")).nth(1)?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty()).then_some(digits)
}

/// Waits until the node's routine has finished a tick (its metrics count
/// one): the routes are measured on a node that has done its start-up
/// work, as a node in service has.
fn first_tick(addr: SocketAddr) -> Result<()> {
    let bearer = format!("Bearer {METRICS_TOKEN}");
    let mut last = String::new();
    // Up to ten minutes: a new demo of 100,000 people makes 300,000
    // reminders at its first tick.
    for _ in 0..6000 {
        match request(addr, "GET", "/metrics", &[("Authorization", &bearer)], "") {
            Ok((200, _, body)) => {
                let ticks = body
                    .lines()
                    .find_map(|l| l.strip_prefix("ladder_routine_ticks_total "))
                    .and_then(|n| n.trim().parse::<f64>().ok());
                if ticks.is_some_and(|n| n >= 1.0) {
                    return Ok(());
                }
                last = format!("ticks: {ticks:?}");
            }
            Ok((status, _, body)) => last = format!("{status} {body}"),
            Err(e) => last = e,
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    Err(format!(
        "the routine at {addr} finished no tick in ten minutes; last: {last}"
    ))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(at).copied().unwrap_or(f64::NAN)
}

/// Signs in as each viewer and returns (name, session, person id).
fn viewers(addr: SocketAddr, logins: &Logins) -> Result<Vec<(String, String, String)>> {
    let password = "ladder-demo";
    let mut out = Vec::new();
    let engineer = sign_in(addr, &logins.engineer, password)?;
    let me = |session: &str| -> Result<String> {
        let (_, _, body) = http(addr, "GET", "/api/v1/me", session, "")?;
        json_int(&body, "id").ok_or_else(|| format!("/api/v1/me has no person: {body}"))
    };
    let engineer_id = me(&engineer)?;
    // The head of the organisation: up the engineer's managers.
    let mut head_id = engineer_id.clone();
    let mut head = String::new();
    for _ in 0..64 {
        let (_, _, body) = http(
            addr,
            "GET",
            &format!("/api/v1/people/{head_id}"),
            &engineer,
            "",
        )?;
        match json_int(&body, "manager_id") {
            Some(up) => head_id = up,
            None => {
                head = body;
                break;
            }
        }
    }
    let head_email = head
        .split("\"email\":\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .ok_or_else(|| format!("the head's record has no email: {head}"))?
        .to_owned();
    out.push(("engineer".to_owned(), engineer, engineer_id));
    let manager = sign_in(addr, &logins.manager, password)?;
    let manager_id = me(&manager)?;
    out.push(("manager".to_owned(), manager, manager_id));
    let head = sign_in(addr, &head_email, password)?;
    out.push(("head".to_owned(), head, head_id));
    let team = sign_in(addr, &logins.people_team, password)?;
    // The people team's login is no person: `{id}` routes use the
    // engineer.
    let engineer_id = out
        .first()
        .map(|v| v.2.clone())
        .ok_or("no engineer signed in")?;
    out.push(("people team".to_owned(), team, engineer_id));
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn run(
    root: &Path,
    ladder: &Path,
    work: &Path,
    name: &str,
    people: usize,
    reps: usize,
    secs: u32,
    database: Option<&str>,
) -> Result<Run> {
    let mut out = Run::default();
    let data = work.join(format!("demo-{name}-{people}"));
    let _ = std::fs::remove_dir_all(&data);
    eprintln!("{name}, {people} people: ladder demo…");
    let started = Instant::now();
    let logins = seed_demo(name, ladder, work, &data, people, database)?;
    out.seed_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let (server, addr): (Running, SocketAddr) = start_serve(name, ladder, work, &data, database)?;
    eprintln!("{name}, {people} people: waiting for the routine's first tick…");
    first_tick(addr)?;
    out.first_tick_s = started.elapsed().as_secs_f64();
    let viewers = viewers(addr, &logins)?;
    let (_, first_session, first_person) = viewers.first().ok_or("no viewer")?;
    let picks = picks(addr, first_session, first_person)?;
    eprintln!("{name}, {people} people: every GET route, as each viewer…");
    for route in get_routes(root)? {
        if matches!(
            route.as_str(),
            "/metrics" | "/auth/oidc/start" | "/auth/oidc/callback"
        ) {
            out.skipped.push(route);
            continue;
        }
        let mut measured_any = false;
        let mut needs_id = false;
        for (viewer, session, person) in &viewers {
            let Some(path) = concrete(&route, person, &picks) else {
                needs_id = true;
                continue;
            };
            let status = match http(addr, "GET", &path, session, "") {
                Ok((status, _, _)) => status,
                Err(e) => {
                    out.failed.push(format!("{route} as {viewer}: {e}"));
                    continue;
                }
            };
            if status != 200 {
                continue;
            }
            let mut times = Vec::with_capacity(reps);
            let mut bytes = 0;
            for _ in 0..reps {
                let t = Instant::now();
                match http(addr, "GET", &path, session, "") {
                    Ok((_, _, body)) => {
                        times.push(t.elapsed().as_secs_f64() * 1000.0);
                        bytes = bytes.max(body.len());
                    }
                    Err(e) => {
                        out.failed.push(format!("{route} as {viewer}: {e}"));
                        break;
                    }
                }
            }
            if times.is_empty() {
                continue;
            }
            times.sort_by(f64::total_cmp);
            out.routes.insert(
                (route.clone(), viewer.clone()),
                Stat {
                    p50_ms: percentile(&times, 0.5),
                    p99_ms: percentile(&times, 0.99),
                    bytes,
                },
            );
            measured_any = true;
        }
        if needs_id && !measured_any {
            out.skipped.push(route);
        }
    }
    let (_, session, person) = viewers.first().ok_or("no viewer")?;
    let worksheet = format!("/people/{person}/worksheet");
    let (status, _, page) = http(addr, "GET", &worksheet, session, "")?;
    if status != 200 {
        return Err(format!("{worksheet} answered {status}"));
    }
    let site = work.join(format!("nginx-{name}-{people}"));
    let file = site.join(worksheet.trim_start_matches('/'));
    if let Some(dir) = file.parent() {
        io("mkdir", std::fs::create_dir_all(dir))?;
    }
    io("write", std::fs::write(&file, page))?;
    eprintln!("{name}, {people} people: wrk on nginx serving the worksheet's page as a file…");
    let (reference, nginx_addr) = nginx(work, &site, &worksheet)?;
    out.worksheet_ref = wrk(&format!("http://{nginx_addr}{worksheet}"), "", secs)?;
    drop(reference);
    let _ = std::fs::remove_dir_all(&site);
    eprintln!("{name}, {people} people: wrk on the worksheet and the directory…");
    out.worksheet = wrk(&format!("http://{addr}{worksheet}"), session, secs)?;
    out.directory = wrk(&format!("http://{addr}/api/v1/people"), session, secs)?;
    out.rss_mib = server.rss_mib();
    drop(server);
    let _ = std::fs::remove_dir_all(&data);
    Ok(out)
}

fn is_export(route: &str) -> bool {
    route.contains("export") || route.ends_with(".csv") || route.ends_with(".ics")
}

fn report(name: &str, sizes: &[usize], runs: &BTreeMap<usize, Run>) -> String {
    let mut r = String::new();
    let _ = writeln!(r, "\n### {name}\n");
    let mut head = String::from("| route | as |");
    let mut rule = String::from("|---|---|");
    for n in sizes {
        let _ = write!(head, " p50 / p99 ms at {n} |");
        rule.push_str("---:|");
    }
    let _ = writeln!(r, "{head} KiB at the largest | p99 ratio |");
    let _ = writeln!(r, "{rule}---:|---:|");
    let keys: std::collections::BTreeSet<&(String, String)> =
        runs.values().flat_map(|run| run.routes.keys()).collect();
    let (Some(small), Some(large)) = (sizes.first(), sizes.last()) else {
        return r;
    };
    let mut worst: Option<(f64, String)> = None;
    let mut biggest: Option<(usize, String)> = None;
    for key in keys {
        let mut line = format!("| `{}` | {} |", key.0, key.1);
        for n in sizes {
            match runs.get(n).and_then(|run| run.routes.get(key)) {
                Some(s) => {
                    let _ = write!(line, " {:.1} / {:.1} |", s.p50_ms, s.p99_ms);
                }
                None => line.push_str(" – |"),
            }
        }
        let at = |n: &usize| runs.get(n).and_then(|run| run.routes.get(key)).copied();
        let (lo, hi) = (at(small), at(large));
        let ratio = match (lo, hi) {
            (Some(a), Some(b)) if sizes.len() > 1 => b.p99_ms / a.p99_ms,
            _ => f64::NAN,
        };
        let kib = hi.map_or(f64::NAN, |s| {
            #[allow(clippy::cast_precision_loss)]
            let k = s.bytes as f64 / 1024.0;
            k
        });
        let _ = writeln!(line, " {kib:.1} | {ratio:.2} |");
        r.push_str(&line);
        if !is_export(&key.0) {
            if ratio.is_finite() && worst.as_ref().is_none_or(|w| ratio > w.0) {
                worst = Some((ratio, format!("`{}` as {}", key.0, key.1)));
            }
            if let Some(s) = hi
                && biggest.as_ref().is_none_or(|b| s.bytes > b.0)
            {
                biggest = Some((s.bytes, format!("`{}` as {}", key.0, key.1)));
            }
        }
    }
    let _ = writeln!(r);
    let _ = writeln!(
        r,
        "| size | demo (s) | first tick (s) | worksheet rps (p99 ms) | nginx, same page | × nginx | directory rps (p99 ms) | errors | RSS after (MiB) | slowest p99 (ms) |"
    );
    let _ = writeln!(r, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for n in sizes {
        let Some(run) = runs.get(n) else { continue };
        let slowest = run
            .routes
            .iter()
            .filter(|(k, _)| !is_export(&k.0))
            .max_by(|a, b| a.1.p99_ms.total_cmp(&b.1.p99_ms))
            .map_or_else(String::new, |(k, s)| {
                format!("{:.1} `{}` as {}", s.p99_ms, k.0, k.1)
            });
        let _ = writeln!(
            r,
            "| {n} | {:.1} | {:.1} | {:.0} ({:.1}) | {:.0} | {:.2} | {:.0} ({:.1}) | {} | {:.1} | {slowest} |",
            run.seed_s,
            run.first_tick_s,
            run.worksheet.rps,
            run.worksheet.p99_ms,
            run.worksheet_ref.rps,
            run.worksheet.rps / run.worksheet_ref.rps,
            run.directory.rps,
            run.directory.p99_ms,
            run.worksheet.errors + run.directory.errors,
            run.rss_mib,
        );
    }
    let _ = writeln!(r);
    if let Some((ratio, what)) = worst {
        let _ = writeln!(
            r,
            "- worst p99 ratio {large}/{small} (not exports): {ratio:.2}, {what} (target ≤ 3)"
        );
    }
    if let Some((bytes, what)) = biggest {
        let _ = writeln!(
            r,
            "- largest response at {large} (not exports): {:.1} KiB, {what} (target ≤ 512 KiB)",
            {
                #[allow(clippy::cast_precision_loss)]
                let k = bytes as f64 / 1024.0;
                k
            }
        );
    }
    for (n, run) in runs {
        if !run.failed.is_empty() {
            let _ = writeln!(
                r,
                "- failed at {n} (timed out or refused; not in the figures): {}",
                run.failed.join("; ")
            );
        }
    }
    if let Some(run) = runs.get(large)
        && !run.skipped.is_empty()
    {
        let _ = writeln!(
            r,
            "- skipped (an id the bench does not pick, or another way in): {}",
            run.skipped.join(", ")
        );
    }
    r
}

pub fn bench(root: &Path, args: &[String]) -> Result<()> {
    let mut quick = false;
    let mut sizes: Option<Vec<usize>> = None;
    let mut backend = "both".to_owned();
    let mut reps: Option<usize> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().cloned().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--quick" => quick = true,
            "--sizes" => {
                let v = value("--sizes")?;
                sizes = Some(
                    v.split(',')
                        .map(|n| n.trim().parse::<usize>())
                        .collect::<std::result::Result<_, _>>()
                        .map_err(|e| format!("--sizes `{v}`: {e}; e.g. 1000,10000"))?,
                );
            }
            "--backend" => backend = value("--backend")?,
            "--reps" => {
                reps = Some(
                    value("--reps")?
                        .parse()
                        .map_err(|e| format!("--reps: {e}"))?,
                );
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    if !matches!(backend.as_str(), "sqlite" | "postgres" | "both") {
        return Err(format!(
            "--backend `{backend}`: give sqlite, postgres or both"
        ));
    }
    let mut sizes = sizes.unwrap_or_else(|| {
        if quick {
            vec![1000]
        } else {
            vec![1000, 10_000, 100_000]
        }
    });
    sizes.sort_unstable();
    sizes.dedup();
    let reps = reps.unwrap_or(if quick { 5 } else { 100 }).max(1);
    let secs = if quick { 1 } else { 5 };
    let profile = if quick { "debug" } else { "release" };
    let ladder = build_ladder(root, quick)?;
    let work = root.join("target/bench/scale");
    io("mkdir", std::fs::create_dir_all(&work))?;
    let admin = std::env::var("LADDER_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let tag = std::process::id();
    let mut out = format!(
        "ladder demo --people N, then ladder serve on its data; target/{profile}/ladder; {reps} requests per route and viewer after one to warm it; wrk -t2 -c32 -d{secs}s\n"
    );
    for name in ["sqlite", "postgres"] {
        if backend != "both" && backend != name {
            continue;
        }
        let mut runs = BTreeMap::new();
        for &n in &sizes {
            let run = if name == "postgres" {
                let db = PgDatabase::create(&admin, &format!("ladder_bench_scale_{tag}_{n}"))?;
                let url = db.url();
                run(root, &ladder, &work, name, n, reps, secs, Some(&url))?
            } else {
                run(root, &ladder, &work, name, n, reps, secs, None)?
            };
            runs.insert(n, run);
        }
        out.push_str(&report(name, &sizes, &runs));
    }
    if quick {
        let _ = writeln!(
            out,
            "\n(quick mode: a debug build and {} people; these figures prove the harness works, nothing more)",
            sizes
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    print!("{out}");
    Ok(())
}
