//! `cargo xtask bench serve [--quick] [--people N] [--seconds S]`: the web
//! app under load, beside nginx serving the same framework page as a
//! static file, in one run.
//!
//! For SQLite and then PostgreSQL it runs `ladder demo --people N` to
//! generate the organisation and its logins, starts `ladder serve` on that
//! data, signs in as the demo engineer, and drives wrk (32 connections, from
//! 127.0.0.1) at a framework page and at the engineer's own person page,
//! each right after the same load on nginx (ratios compare neighbours in
//! time: this machine's speed drifts over minutes). It
//! reads the server's resident memory at idle (after start-up and one
//! sign-in) and after the load, and times `ladder people import` of the
//! demo's people CSV into an empty database. The report gives ratios to
//! nginx and the targets; it asserts nothing.

use crate::{Result, io, measure, write};
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The framework page both servers are asked for.
const PAGE: &str = "families/backend-engineer/senior.html";
const CONNECTIONS: u32 = 32;

pub(crate) fn free_port() -> Result<u16> {
    let l = io("bind", std::net::TcpListener::bind("127.0.0.1:0"))?;
    Ok(io("local_addr", l.local_addr())?.port())
}

/// A process stopped with SIGTERM when dropped.
pub(crate) struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

impl Running {
    pub(crate) fn rss_mib(&self) -> f64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.0.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|kib| kib.parse::<f64>().ok())
            .map_or(f64::NAN, |kib| kib / 1024.0)
    }
}

/// One HTTP/1.1 exchange: (status, Set-Cookie pairs, body).
pub(crate) fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    cookie: &str,
    form: &str,
) -> Result<(u16, Vec<String>, String)> {
    let cookie = (!cookie.is_empty()).then_some(("Cookie", cookie));
    request(addr, method, path, cookie.as_slice(), form)
}

/// A request with these headers (name, value); see [`http`].
pub(crate) fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    form: &str,
) -> Result<(u16, Vec<String>, String)> {
    let mut s = io("connect", TcpStream::connect(addr))?;
    let _ = s.set_read_timeout(Some(Duration::from_secs(30)));
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        req.push_str(&format!("{name}: {value}\r\n"));
    }
    if !form.is_empty() {
        req.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n{form}", form.len()));
    io("send", s.write_all(req.as_bytes()))?;
    let mut raw = Vec::new();
    io("receive", s.read_to_end(&mut raw))?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let cookies = head
        .lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("set-cookie")
                .then(|| v.trim().split(';').next().unwrap_or("").to_owned())
        })
        .collect();
    Ok((status, cookies, body.to_owned()))
}

fn form_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Signs in through the login form; returns the session cookie pair.
pub(crate) fn sign_in(addr: SocketAddr, email: &str, password: &str) -> Result<String> {
    let (_, cookies, body) = http(addr, "GET", "/login", "", "")?;
    let pre = cookies
        .iter()
        .find(|c| c.starts_with("ladder_pre="))
        .ok_or("the login page set no ladder_pre cookie")?
        .clone();
    let csrf = body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .ok_or("the login page has no csrf field")?;
    let form = format!(
        "csrf={csrf}&email={}&password={}",
        form_encode(email),
        form_encode(password)
    );
    let (status, cookies, body) = http(addr, "POST", "/login", &pre, &form)?;
    let session = cookies
        .into_iter()
        .find(|c| c.starts_with("ladder_session="))
        .ok_or_else(|| format!("signing in as {email} failed ({status}): {body}"))?;
    Ok(session)
}

#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Load {
    pub(crate) rps: f64,
    pub(crate) p50_ms: f64,
    pub(crate) p99_ms: f64,
    pub(crate) requests: u64,
    pub(crate) errors: u64,
}

fn millis(v: &str) -> f64 {
    let num = |s: &str| s.parse::<f64>().unwrap_or(f64::NAN);
    if let Some(x) = v.strip_suffix("us") {
        num(x) / 1000.0
    } else if let Some(x) = v.strip_suffix("ms") {
        num(x)
    } else if let Some(x) = v.strip_suffix('m') {
        num(x) * 60_000.0
    } else if let Some(x) = v.strip_suffix('s') {
        num(x) * 1000.0
    } else {
        f64::NAN
    }
}

/// Runs wrk at `url` for `secs` seconds; errors are socket errors plus
/// responses other than 2xx (wrk counts 3xx as fine; a redirect to the
/// login page is not).
pub(crate) fn wrk(url: &str, cookie: &str, secs: u32) -> Result<Load> {
    let mut cmd = Command::new("wrk");
    cmd.args(["-t2", &format!("-c{CONNECTIONS}"), &format!("-d{secs}s")])
        .arg("--latency");
    if !cookie.is_empty() {
        cmd.args(["-H", &format!("Cookie: {cookie}")]);
    }
    let out = cmd
        .arg(url)
        .output()
        .map_err(|e| format!("wrk is not installed ({e}); on Debian: apt-get install -y wrk"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        return Err(format!(
            "wrk failed: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let mut load = Load::default();
    for line in text.lines().map(str::trim) {
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("Requests/sec:"), Some(v)) => load.rps = v.parse().unwrap_or(f64::NAN),
            (Some("50%"), Some(v)) => load.p50_ms = millis(v),
            (Some("99%"), Some(v)) => load.p99_ms = millis(v),
            (Some(n), Some("requests")) => load.requests = n.parse().unwrap_or(0),
            _ => {}
        }
        if let Some(rest) = line.strip_prefix("Non-2xx or 3xx responses:") {
            load.errors += rest.trim().parse::<u64>().unwrap_or(0);
        }
        if let Some(rest) = line.strip_prefix("Socket errors:") {
            load.errors += rest
                .split(',')
                .filter_map(|p| p.split_whitespace().last()?.parse::<u64>().ok())
                .sum::<u64>();
        }
    }
    Ok(load)
}

/// Builds the `ladder` binary (a debug build when `quick`, else release)
/// and returns its path.
pub(crate) fn build_ladder(root: &Path, quick: bool) -> Result<std::path::PathBuf> {
    let mut build = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    build
        .current_dir(root)
        .args(["build", "--quiet", "-p", "ladder"]);
    if !quick {
        build.arg("--release");
    }
    if !io("cargo build", build.status())?.success() {
        return Err("building ladder failed".into());
    }
    let profile = if quick { "debug" } else { "release" };
    Ok(root.join("target").join(profile).join("ladder"))
}

/// nginx serving `root` on a free port, with a minimal config.
/// nginx serving the files under `root` (its state under `work/nginx`),
/// once it answers `ready` (a path under `root`, with its leading `/`).
pub(crate) fn nginx(work: &Path, root: &Path, ready: &str) -> Result<(Running, SocketAddr)> {
    let port = free_port()?;
    let prefix = work.join("nginx");
    io("mkdir", std::fs::create_dir_all(prefix.join("logs")))?;
    let conf = prefix.join("nginx.conf");
    // Started as root, nginx runs its workers as another user, who cannot
    // read a checkout in a folder only its owner may enter (a `mktemp -d`
    // clone): every page would be a 403. The workers run as whoever runs
    // the bench instead (the directive is ignored when that is not root).
    let user = Command::new("id")
        .arg("-un")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .filter(|u| !u.is_empty())
        .map(|u| format!("user {u};\n"))
        .unwrap_or_default();
    write(
        &conf,
        &format!(
            "daemon off;\n{user}worker_processes auto;\npid {pid};\nerror_log stderr error;\n\
             events {{ worker_connections 1024; }}\n\
             http {{\n  access_log off;\n  include /etc/nginx/mime.types;\n  \
             client_body_temp_path {tmp}/body;\n  proxy_temp_path {tmp}/proxy;\n  \
             fastcgi_temp_path {tmp}/fastcgi;\n  uwsgi_temp_path {tmp}/uwsgi;\n  scgi_temp_path {tmp}/scgi;\n  \
             server {{\n    listen 127.0.0.1:{port};\n    root {root};\n  }}\n}}\n",
            pid = prefix.join("nginx.pid").display(),
            tmp = prefix.display(),
            root = root.display(),
        ),
    )?;
    let bin = ["/usr/sbin/nginx", "nginx"]
        .into_iter()
        .find(|b| Path::new(b).exists())
        .unwrap_or("nginx");
    let child = Command::new(bin)
        .arg("-p")
        .arg(&prefix)
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| {
            format!("nginx is not installed ({e}); on Debian: apt-get install -y nginx")
        })?;
    let running = Running(child);
    let addr: SocketAddr = SocketAddr::from(([127, 0, 0, 1], port));
    wait_ready(addr, ready)?;
    Ok((running, addr))
}

pub(crate) fn wait_ready(addr: SocketAddr, path: &str) -> Result<()> {
    let mut last = String::new();
    for _ in 0..600 {
        match http(addr, "GET", path, "", "") {
            Ok((200, _, _)) => return Ok(()),
            Ok((status, _, body)) => last = format!("{status} {body}"),
            Err(e) => last = e,
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!(
        "nothing answered 200 at http://{addr}{path} after 600 tries; last: {last}"
    ))
}

/// Where a PostgreSQL database for the bench lives; made and dropped with
/// psql.
pub(crate) struct PgDatabase {
    admin: String,
    name: String,
}

impl PgDatabase {
    pub(crate) fn create(admin: &str, name: &str) -> Result<PgDatabase> {
        psql(admin, &format!("DROP DATABASE IF EXISTS {name}"))?;
        psql(admin, &format!("CREATE DATABASE {name}"))?;
        Ok(PgDatabase {
            admin: admin.to_owned(),
            name: name.to_owned(),
        })
    }

    pub(crate) fn url(&self) -> String {
        let base = self.admin.rsplit_once('/').map_or(&*self.admin, |(b, _)| b);
        format!("{base}/{}", self.name)
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let _ = psql(
            &self.admin,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

fn psql(url: &str, sql: &str) -> Result<()> {
    let out = Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
        .output()
        .map_err(|e| {
            format!("psql is not installed ({e}); on Debian: apt-get install -y postgresql-client")
        })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "psql `{sql}`: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

struct Backend {
    name: &'static str,
    idle_mib: f64,
    loaded_mib: f64,
    framework: Load,
    person: Load,
    /// nginx measured just before each of the two (the machine's speed
    /// drifts over minutes; a ratio compares neighbours).
    framework_ref: Load,
    person_ref: Load,
    import_s: f64,
    import_rows: usize,
}

/// The demo's logins, as `ladder demo` prints them.
pub(crate) struct Logins {
    pub(crate) engineer: String,
    pub(crate) manager: String,
    pub(crate) people_team: String,
}

/// Runs `ladder demo` on `data` until it answers (the organisation and its
/// logins are then in the database), stops it, and returns the demo's
/// logins.
pub(crate) fn seed_demo(
    name: &str,
    ladder: &Path,
    work: &Path,
    data: &Path,
    people: usize,
    database: Option<&str>,
) -> Result<Logins> {
    let port = free_port()?;
    let mut cmd = Command::new(ladder);
    cmd.arg("demo")
        .args(["--people", &people.to_string(), "--port", &port.to_string()])
        .arg("--data")
        .arg(data);
    if let Some(url) = database {
        cmd.args(["--database", url]);
    }
    let log_path = work.join(format!("demo-{name}.log"));
    let log = io(log_path.display(), std::fs::File::create(&log_path))?;
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .map_err(|e| format!("{}: {e}", ladder.display()))?;
    let stdout = child.stdout.take();
    let server = Running(child);
    let (mut engineer, mut manager, mut people_team) = (None, None, None);
    if let Some(out) = stdout {
        let mut lines = BufReader::new(out).lines();
        for line in lines.by_ref() {
            let line = io("demo output", line)?;
            let line = line.trim();
            if let Some(rest) = line.strip_prefix("engineer") {
                engineer = Some(rest.trim().to_owned());
            } else if let Some(rest) = line.strip_prefix("manager") {
                manager = Some(rest.trim().to_owned());
            } else if let Some(rest) = line.strip_prefix("people team") {
                people_team = Some(rest.trim().to_owned());
            } else if line.starts_with("admin") {
                break;
            }
        }
        // Keep reading, so the server never writes into a closed pipe.
        std::thread::spawn(move || lines.for_each(drop));
    }
    let missing = || {
        format!(
            "ladder demo did not print its logins; see {}",
            log_path.display()
        )
    };
    let logins = Logins {
        engineer: engineer.ok_or_else(missing)?,
        manager: manager.ok_or_else(missing)?,
        people_team: people_team.ok_or_else(missing)?,
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    wait_ready(addr, "/healthz").map_err(|e| format!("{e}; see {}", log_path.display()))?;
    drop(server);
    Ok(logins)
}

/// The metrics token of the nodes the benches start.
pub(crate) const METRICS_TOKEN: &str = "bench-metrics-token-not-secret";

/// Starts `ladder serve` on a demo's data and waits until it answers.
pub(crate) fn start_serve(
    name: &str,
    ladder: &Path,
    work: &Path,
    data: &Path,
    database: Option<&str>,
) -> Result<(Running, SocketAddr)> {
    let addr = SocketAddr::from(([127, 0, 0, 1], free_port()?));
    let mut cmd = Command::new(ladder);
    cmd.arg("serve")
        .arg("--framework")
        .arg(data.join("framework"))
        .arg("--data")
        .arg(data)
        .args(["--bind", &addr.to_string()]);
    if let Some(url) = database {
        cmd.args(["--database", url]);
    }
    // `/metrics` on: the scale bench reads the routine's ticks from it.
    cmd.env("LADDER_METRICS_TOKEN", METRICS_TOKEN);
    let log_path = work.join(format!("serve-{name}.log"));
    let log = io(log_path.display(), std::fs::File::create(&log_path))?;
    let server = Running(
        cmd.stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("{}: {e}", ladder.display()))?,
    );
    wait_ready(addr, "/healthz").map_err(|e| format!("{e}; see {}", log_path.display()))?;
    Ok((server, addr))
}

/// Generates a demo, serves it, measures it, stops it, and times an import of its
/// people into an empty database.
#[allow(clippy::too_many_arguments)]
fn run_backend(
    name: &'static str,
    ladder: &Path,
    work: &Path,
    people: usize,
    secs: u32,
    nginx_url: &str,
    database: Option<String>,
    import_database: Option<String>,
) -> Result<Backend> {
    let data = work.join(format!("demo-{name}"));
    let _ = std::fs::remove_dir_all(&data);
    // `ladder demo` generates the organisation and its logins; what is
    // measured is `ladder serve` on that data, as in service (the
    // generator's work is not the server's memory).
    eprintln!("{name}: ladder demo --people {people}…");
    let engineer = seed_demo(name, ladder, work, &data, people, database.as_deref())?.engineer;
    eprintln!("{name}: ladder serve on the demo's data…");
    let (server, addr) = start_serve(name, ladder, work, &data, database.as_deref())?;
    let session = sign_in(addr, &engineer, "ladder-demo")?;
    let (_, _, me) = http(addr, "GET", "/api/v1/me", &session, "")?;
    let person_id = me
        .split("\"person\":{\"id\":")
        .nth(1)
        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
        .ok_or_else(|| format!("/api/v1/me has no person: {me}"))?
        .to_owned();
    let person_path = format!("/people/{person_id}");
    let (status, _, body) = http(addr, "GET", &person_path, &session, "")?;
    if status != 200 || !body.contains(&engineer) {
        return Err(format!(
            "the person page answered {status} without the engineer's email"
        ));
    }
    std::thread::sleep(Duration::from_millis(500));
    let idle_mib = server.rss_mib();
    let framework_url = format!("http://{addr}/framework/{PAGE}");
    let person_url = format!("http://{addr}{person_path}");
    if secs > 2 {
        // Warm both paths before measuring.
        wrk(&framework_url, "", 2)?;
        wrk(&person_url, &session, 2)?;
    }
    eprintln!("{name}: wrk at nginx, then the framework page…");
    let framework_ref = wrk(nginx_url, "", secs)?;
    let framework = wrk(&framework_url, "", secs)?;
    eprintln!("{name}: wrk at nginx, then the person page…");
    let person_ref = wrk(nginx_url, "", secs)?;
    let person = wrk(&person_url, &session, secs)?;
    std::thread::sleep(Duration::from_millis(500));
    let loaded_mib = server.rss_mib();
    // The session must still be good: a 303 to /login would count as fine
    // for wrk.
    let (status, _, _) = http(addr, "GET", &person_path, &session, "")?;
    if status != 200 {
        return Err(format!("after the load the person page answered {status}"));
    }
    let csv = work.join(format!("people-{name}.csv"));
    let mut export = Command::new(ladder);
    export
        .args(["people", "export", "--out"])
        .arg(&csv)
        .arg("--data")
        .arg(&data);
    if let Some(url) = &database {
        export.args(["--database", url]);
    }
    let out = io("ladder people export", export.output())?;
    if !out.status.success() {
        return Err(format!(
            "ladder people export: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    drop(server);
    let rows = io(csv.display(), std::fs::read_to_string(&csv))?
        .lines()
        .count()
        .saturating_sub(1);
    let fresh = work.join(format!("import-{name}"));
    let _ = std::fs::remove_dir_all(&fresh);
    let ladder_s = ladder.to_string_lossy().into_owned();
    let csv_s = csv.to_string_lossy().into_owned();
    let fw_s = data.join("framework").to_string_lossy().into_owned();
    let fresh_s = fresh.to_string_lossy().into_owned();
    let mut args = vec![
        ladder_s.as_str(),
        "people",
        "import",
        &csv_s,
        "--framework",
        &fw_s,
        "--data",
        &fresh_s,
    ];
    if let Some(url) = &import_database {
        args.extend(["--database", url.as_str()]);
    }
    eprintln!("{name}: importing {rows} people into an empty database…");
    let import = measure(&args, &work.join(format!("import-{name}.log")))?;
    Ok(Backend {
        name,
        idle_mib,
        loaded_mib,
        framework,
        person,
        framework_ref,
        person_ref,
        import_s: import.wall,
        import_rows: rows,
    })
}

pub fn bench(root: &Path, args: &[String]) -> Result<()> {
    let mut quick = false;
    let mut people = 10_000;
    let mut secs = 10;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().cloned().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--quick" => quick = true,
            "--people" => {
                people = value("--people")?
                    .parse()
                    .map_err(|e| format!("--people: {e}"))?
            }
            "--seconds" => {
                secs = value("--seconds")?
                    .parse()
                    .map_err(|e| format!("--seconds: {e}"))?
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    if quick {
        people = people.min(300);
        secs = 1;
    }
    let profile = if quick { "debug" } else { "release" };
    let ladder = build_ladder(root, quick)?;
    let work = root.join("target/bench/serve");
    io("mkdir", std::fs::create_dir_all(&work))?;

    // The static reference: the same framework, built by `ladder build`,
    // served by nginx.
    let fw = work.join("framework");
    let site = work.join("site");
    let _ = std::fs::remove_dir_all(&fw);
    let _ = std::fs::remove_dir_all(&site);
    for (cmd, what) in [
        (vec!["init", &*fw.to_string_lossy()], "ladder init"),
        (
            vec![
                "build",
                &*fw.to_string_lossy(),
                "--out",
                &*site.to_string_lossy(),
            ],
            "ladder build",
        ),
    ] {
        let out = io(what, Command::new(&ladder).args(&cmd).output())?;
        if !out.status.success() {
            return Err(format!("{what}: {}", String::from_utf8_lossy(&out.stderr)));
        }
    }
    let (nginx_proc, nginx_addr) = nginx(&work, &site, &format!("/{PAGE}"))?;
    let nginx_url = format!("http://{nginx_addr}/{PAGE}");
    if secs > 2 {
        wrk(&nginx_url, "", 2)?;
    }

    let admin = std::env::var("LADDER_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let tag = std::process::id();
    let sqlite = run_backend(
        "sqlite", &ladder, &work, people, secs, &nginx_url, None, None,
    )?;
    let demo_db = PgDatabase::create(&admin, &format!("ladder_bench_demo_{tag}"))?;
    let import_db = PgDatabase::create(&admin, &format!("ladder_bench_import_{tag}"))?;
    let postgres = run_backend(
        "postgres",
        &ladder,
        &work,
        people,
        secs,
        &nginx_url,
        Some(demo_db.url()),
        Some(import_db.url()),
    )?;
    drop((demo_db, import_db, nginx_proc));

    let mut r = String::new();
    let _ = writeln!(
        r,
        "ladder demo --people {people}, then ladder serve on its data; target/{profile}/ladder; wrk -t2 -c{CONNECTIONS} -d{secs}s from 127.0.0.1\n"
    );
    let _ = writeln!(
        r,
        "| server | page | requests/s | p50 (ms) | p99 (ms) | errors | nginx just before (requests/s) | × nginx |"
    );
    let _ = writeln!(r, "|---|---|---:|---:|---:|---:|---:|---:|");
    let row = |r: &mut String, server: &str, page: &str, l: &Load, reference: &Load| {
        let _ = writeln!(
            r,
            "| {server} | {page} | {:.0} | {:.2} | {:.2} | {} | {:.0} (p99 {:.2} ms, {} errors) | {:.2} |",
            l.rps,
            l.p50_ms,
            l.p99_ms,
            l.errors,
            reference.rps,
            reference.p99_ms,
            reference.errors,
            l.rps / reference.rps
        );
    };
    for b in [&sqlite, &postgres] {
        row(
            &mut r,
            &format!("ladder ({})", b.name),
            "framework page",
            &b.framework,
            &b.framework_ref,
        );
        row(
            &mut r,
            &format!("ladder ({})", b.name),
            "person page (signed in)",
            &b.person,
            &b.person_ref,
        );
    }
    let _ = writeln!(r);
    let _ = writeln!(
        r,
        "| backend | RSS idle, signed in once (MiB) | RSS 0.5 s after the load (MiB) | import {} people (s) |",
        sqlite.import_rows
    );
    let _ = writeln!(r, "|---|---:|---:|---:|");
    for b in [&sqlite, &postgres] {
        let _ = writeln!(
            r,
            "| {} | {:.1} | {:.1} | {:.2} |",
            b.name, b.idle_mib, b.loaded_mib, b.import_s
        );
    }
    let _ = writeln!(r);
    let _ = writeln!(r, "| target | sqlite | postgres | goal |");
    let _ = writeln!(r, "|---|---:|---:|---|");
    let both = |f: &dyn Fn(&Backend) -> String| (f(&sqlite), f(&postgres));
    let lines: [(&str, (String, String), &str); 6] = [
        (
            "framework page rps / nginx",
            both(&|b| format!("{:.2}×", b.framework.rps / b.framework_ref.rps)),
            "≥ 0.5×",
        ),
        (
            "person page rps / nginx",
            both(&|b| format!("{:.2}×", b.person.rps / b.person_ref.rps)),
            "≥ 0.2×",
        ),
        (
            "person page p99",
            both(&|b| format!("{:.2} ms", b.person.p99_ms)),
            "< 10 ms",
        ),
        (
            "errors",
            both(&|b| format!("{}", b.framework.errors + b.person.errors)),
            "0",
        ),
        (
            "idle RSS",
            both(&|b| format!("{:.1} MiB", b.idle_mib)),
            "< 100 MB",
        ),
        (
            "people CSV import",
            both(&|b| format!("{:.2} s", b.import_s)),
            "< 2 s for 10,000",
        ),
    ];
    for (what, (a, b), goal) in lines {
        let _ = writeln!(r, "| {what} | {a} | {b} | {goal} |");
    }
    if quick {
        let _ = writeln!(
            r,
            "\n(quick mode: a debug build, {people} people and {secs} s runs; these figures prove the harness works, nothing more)"
        );
    }
    print!("{r}");
    Ok(())
}
