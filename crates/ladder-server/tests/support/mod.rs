//! Test support: an app on port 0 with a fresh database and a small
//! organisation, and a minimal HTTP/1.1 client with a cookie jar.

#![allow(dead_code)] // each test binary uses part of the support code

use ladder_framework::{FileSet, example};
use ladder_org::{Date, PersonRecord, Role};
use ladder_server::clock::ManualClock;
use ladder_server::sso::{CALLBACK_PATH, OidcSettings};
use ladder_server::{AppState, Loader, Settings};
use ladder_store::{Roles, Store};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

mod smtp;
mod spawned;
#[allow(unused_imports)] // some test binaries send no mail
pub use smtp::{SmtpSink, free_port};
pub use spawned::Spawned;

pub const PASSWORD: &str = "correct horse battery";
pub const NOW: i64 = 1_795_219_200; // 2026-11-21

/// The token `GET /metrics` wants from test apps.
pub const METRICS_TOKEN: &str = "metrics-token-for-tests";

pub fn example_loader() -> Loader {
    Arc::new(|| {
        let mut files = FileSet::new();
        for (path, text) in example::FILES {
            files.insert_text(path, *text);
        }
        Ok(files)
    })
}

pub fn person(email: &str, manager: Option<&str>, level: &str) -> PersonRecord {
    PersonRecord {
        email: email.to_owned(),
        name: email.split('@').next().unwrap_or(email).to_owned(),
        manager_email: manager.map(str::to_owned),
        department: "Platform Services".to_owned(),
        role: Role {
            family: "backend-engineer".to_owned(),
            level: level.to_owned(),
            specialty: Some("platform-services".to_owned()),
            grade: "7".to_owned(),
        },
        location: "Lisbon".to_owned(),
        start_date: Date::new(2020, 2, 3),
        active: true,
    }
}

/// The matrix roles, relative to the subject `self@`.
pub const ROLES: [&str; 9] = [
    "anonymous",
    "self",
    "direct-report",
    "manager",
    "skip-level",
    "peer",
    "people-team",
    "editor",
    "admin",
];

/// A running app.
pub struct App {
    pub addr: SocketAddr,
    pub state: AppState,
    pub store: Arc<dyn Store>,
    pub clock: Arc<ManualClock>,
    pub ids: BTreeMap<&'static str, i64>,
    pub accounts: BTreeMap<&'static str, i64>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for App {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub async fn sqlite_store() -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let db = ladder_server::Database::Sqlite(dir.path().join("ladder.db"));
    let (store, _) = ladder_server::open_store(&db).await.unwrap();
    (store, dir)
}

/// Starts an app on a store, on 127.0.0.1 port 0.
pub async fn start_on(store: Arc<dyn Store>, dir: Option<tempfile::TempDir>, seed: bool) -> App {
    start_with(
        store,
        dir,
        seed,
        None,
        example_loader(),
        None,
        Default::default(),
    )
    .await
}

/// Starts a seeded app on SQLite with these sign-in rules (trusted
/// proxies, SSO only, token lifetimes), mailing to `smtp_port` if given.
pub async fn start_signing_in(
    sign_in: ladder_server::SignInSettings,
    smtp_port: Option<u16>,
) -> App {
    let (store, dir) = sqlite_store().await;
    start_with(
        store,
        Some(dir),
        true,
        None,
        example_loader(),
        smtp_port,
        sign_in,
    )
    .await
}

/// Starts an app on a store whose framework folder is `loader`.
pub async fn start_on_loading(store: Arc<dyn Store>, loader: Loader, seed: bool) -> App {
    start_with(store, None, seed, None, loader, None, Default::default()).await
}

/// Starts a seeded app on SQLite whose framework comes from `loader`.
pub async fn start_loading(loader: Loader) -> App {
    let (store, dir) = sqlite_store().await;
    start_with(
        store,
        Some(dir),
        true,
        None,
        loader,
        None,
        Default::default(),
    )
    .await
}

/// Starts a seeded app on SQLite that sends email to the SMTP server on
/// 127.0.0.1:`smtp_port`.
pub async fn start_mailing(smtp_port: u16) -> App {
    let (store, dir) = sqlite_store().await;
    start_with(
        store,
        Some(dir),
        true,
        None,
        example_loader(),
        Some(smtp_port),
        Default::default(),
    )
    .await
}

/// Starts an app on `store` (seeded if empty) that sends email to the SMTP
/// server on 127.0.0.1:`smtp_port`.
pub async fn start_mailing_on(store: Arc<dyn Store>, smtp_port: u16) -> App {
    start_with(
        store,
        None,
        true,
        None,
        example_loader(),
        Some(smtp_port),
        Default::default(),
    )
    .await
}

/// Starts an app that offers single sign-on through `issuer`, with these
/// sign-in rules.
pub async fn start_sso_with(issuer: &str, sign_in: ladder_server::SignInSettings) -> App {
    let (store, dir) = sqlite_store().await;
    start_with(
        store,
        Some(dir),
        true,
        Some(issuer),
        example_loader(),
        None,
        sign_in,
    )
    .await
}

/// Starts an app that offers single sign-on through `issuer`.
pub async fn start_sso(issuer: &str) -> App {
    let (store, dir) = sqlite_store().await;
    start_with(
        store,
        Some(dir),
        true,
        Some(issuer),
        example_loader(),
        None,
        Default::default(),
    )
    .await
}

async fn start_with(
    store: Arc<dyn Store>,
    dir: Option<tempfile::TempDir>,
    seed: bool,
    issuer: Option<&str>,
    loader: Loader,
    smtp_port: Option<u16>,
    sign_in: ladder_server::SignInSettings,
) -> App {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let clock = Arc::new(ManualClock::new(NOW));
    let settings = Settings {
        oidc: issuer.map(|issuer| OidcSettings {
            issuer: issuer.to_owned(),
            client_id: "ladder-test".to_owned(),
            client_secret: "ladder-test-secret".to_owned(),
            redirect_url: format!("http://{addr}{CALLBACK_PATH}"),
            label: "Sign in with Test SSO".to_owned(),
        }),
        notify: ladder_server::notify::NotifySettings {
            public_url: format!("http://{addr}"),
            smtp: smtp_port.map(|port| ladder_server::notify::SmtpSettings {
                host: "127.0.0.1".to_owned(),
                port,
                security: ladder_server::notify::Security::None,
                username: None,
                password: None,
                from: "Ladder <ladder@example.com>".to_owned(),
            }),
            lease_seconds: 120,
        },
        sign_in,
        metrics_token: Some(METRICS_TOKEN.to_owned()),
        ..Settings::default()
    };
    let state = AppState::new(store.clone(), loader, settings, clock.clone())
        .await
        .unwrap();
    let (mut ids, mut accounts) = (BTreeMap::new(), BTreeMap::new());
    if seed && store.count_people().await.unwrap() == 0 {
        let org = [
            person("skip@example.com", None, "staff"),
            person("manager@example.com", Some("skip@example.com"), "manager"),
            person("self@example.com", Some("manager@example.com"), "senior"),
            person("peer@example.com", Some("manager@example.com"), "senior"),
            person(
                "report@example.com",
                Some("self@example.com"),
                "intermediate",
            ),
        ];
        store
            .apply_people(&org, "2026-01-01", None, NOW, &fixture("apply_people"))
            .await
            .unwrap();
        let hash = ladder_server::auth::hash_password(PASSWORD).await.unwrap();
        let team = Roles {
            people_team: true,
            ..Roles::NONE
        };
        let editor = Roles {
            editor: true,
            ..Roles::NONE
        };
        let admin = Roles {
            admin: true,
            ..Roles::NONE
        };
        for (role, email, roles) in [
            ("skip-level", "skip@example.com", Roles::NONE),
            ("manager", "manager@example.com", Roles::NONE),
            ("self", "self@example.com", Roles::NONE),
            ("peer", "peer@example.com", Roles::NONE),
            ("direct-report", "report@example.com", Roles::NONE),
            ("people-team", "people@example.com", team),
            ("editor", "editor@example.com", editor),
            ("admin", "admin@example.com", admin),
            ("victim", "victim@example.com", Roles::NONE),
        ] {
            let id = store
                .create_account(
                    email,
                    role,
                    Some(&hash),
                    roles,
                    NOW,
                    &fixture("create_account"),
                )
                .await
                .unwrap();
            accounts.insert(role, id);
            if let Some(p) = store.person_by_email(email).await.unwrap() {
                ids.insert(role, p.id);
            }
        }
    }
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let serving = state.clone();
    tokio::spawn(async move {
        let _ = ladder_server::serve(listener, serving, async {
            let _ = rx.await;
        })
        .await;
    });
    App {
        addr,
        state,
        store,
        clock,
        ids,
        accounts,
        shutdown: Some(tx),
        _dir: dir,
    }
}

pub async fn start() -> App {
    let (store, dir) = sqlite_store().await;
    start_on(store, Some(dir), true).await
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The body as sent (a download that is not text).
    pub raw: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The value of the first hidden `name="csrf"` input.
    pub fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .expect("a csrf field")
            + 19;
        self.body[at..].split('"').next().unwrap().to_owned()
    }
}

/// An HTTP client with its own cookies.
#[derive(Clone, Debug)]
pub struct Client {
    pub addr: SocketAddr,
    pub cookies: BTreeMap<String, String>,
    pub headers: Vec<(String, String)>,
}

impl Client {
    pub fn new(addr: SocketAddr) -> Client {
        Client {
            addr,
            cookies: BTreeMap::new(),
            headers: Vec::new(),
        }
    }

    /// One request through a real HTTP client (reqwest), sending the
    /// client's cookies and headers and keeping the cookies the answer
    /// sets. Redirects are not followed: tests look at them.
    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Response {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .unwrap();
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = http
            .request(method, format!("http://{}{path}", self.addr))
            .body(body.to_vec());
        if !self.cookies.is_empty() {
            let c: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req = req.header("Cookie", c.join("; "));
        }
        for (k, v) in &self.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        if let Some(ct) = content_type {
            req = req.header("Content-Type", ct);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let headers: Vec<(String, String)> = res
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        let body = res.bytes().await.unwrap();
        for (k, v) in &headers {
            if k.eq_ignore_ascii_case("set-cookie") {
                let pair = v.split(';').next().unwrap();
                let (name, value) = pair.split_once('=').unwrap();
                if value.is_empty() || v.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        Response {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
            raw: body.to_vec(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Response {
        self.request("GET", path, None, b"").await
    }

    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        self.request(
            "POST",
            path,
            Some("application/x-www-form-urlencoded"),
            body.join("&").as_bytes(),
        )
        .await
    }

    /// Signs in through the login form.
    pub async fn login(&mut self, email: &str, password: &str) -> Response {
        let form = self.get("/login").await;
        // Signed in already, /login redirects home; the form's token is the
        // `ladder_pre` cookie from the first visit.
        let pre = if form.status == 200 {
            form.csrf()
        } else {
            self.cookies["ladder_pre"].clone()
        };
        self.post_form(
            "/login",
            &[("csrf", &pre), ("email", email), ("password", password)],
        )
        .await
    }

    /// The session's CSRF token, read from the home page's sign-out form.
    pub async fn session_csrf(&mut self) -> String {
        self.get("/").await.csrf()
    }
}

pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A multipart body with a csrf field and a file.
pub fn multipart(csrf: &str, file: &str) -> (String, Vec<u8>) {
    let boundary = "ladder-test-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"people.csv\"\r\nContent-Type: text/csv\r\n\r\n{file}\r\n--{boundary}--\r\n"
    );
    (
        format!("multipart/form-data; boundary={boundary}"),
        body.into_bytes(),
    )
}

/// A client signed in as a matrix role (a fresh session made directly, so
/// the matrix runs fast), with its CSRF token; anonymous has neither.
/// A client signed in as `role` that sends the CSRF header API writes
/// need with a session cookie.
pub async fn api_as(app: &App, role: &str) -> Client {
    let (mut c, csrf) = client_as(app, role).await;
    c.headers.push(("X-CSRF-Token".to_owned(), csrf));
    c
}

/// POSTs `body` as JSON.
pub async fn post_json(c: &mut Client, path: &str, body: &serde_json::Value) -> Response {
    c.request(
        "POST",
        path,
        Some("application/json"),
        body.to_string().as_bytes(),
    )
    .await
}

/// POSTs `csv` as a CSV file (an API import).
pub async fn post_csv(c: &mut Client, path: &str, csv: &str) -> Response {
    c.request("POST", path, Some("text/csv"), csv.as_bytes())
        .await
}

/// A response's body as JSON; fails with the body when it is not.
pub fn json(r: &Response) -> serde_json::Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.body))
}

pub async fn client_as(app: &App, role: &str) -> (Client, String) {
    let mut c = Client::new(app.addr);
    if role == "anonymous" {
        return (c, String::new());
    }
    let account = app.accounts[role];
    let s = app
        .state
        .auth()
        .start_session(
            account,
            &ladder_server::auth::Client::default(),
            app.clock_now(),
        )
        .await
        .unwrap();
    c.cookies
        .insert(ladder_server::auth::SESSION_COOKIE.to_owned(), s.token);
    (c, s.csrf)
}

impl App {
    pub fn clock_now(&self) -> i64 {
        use ladder_server::Clock as _;
        self.clock.now()
    }
}

/// A real OpenID Connect provider for tests: `oidc-provider-mock` from
/// PyPI on a free 127.0.0.1 port, requiring nonces. It stops when dropped,
/// and by itself after ten minutes if this process dies first.
pub struct OidcProvider {
    pub addr: SocketAddr,
    _process: Spawned,
}

impl OidcProvider {
    /// `users` are (subject, email, email verified) shown as one-click
    /// sign-ins on the provider's page.
    pub async fn start(users: &[(&str, &str, bool)]) -> OidcProvider {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let python = std::env::var("LADDER_TEST_PYTHON").unwrap_or_else(|_| "python3".to_owned());
        let mut args: Vec<String> = ["-m", "oidc_provider_mock", "--host", "127.0.0.1"]
            .map(str::to_owned)
            .to_vec();
        args.extend(["--port".to_owned(), port.to_string()]);
        args.extend(["--require-nonce".to_owned(), "true".to_owned()]);
        for (sub, email, verified) in users {
            args.push("--user-claims".to_owned());
            args.push(format!(
                r#"{{"sub":"{sub}","email":"{email}","email_verified":{verified},"name":"{sub} (SSO)"}}"#
            ));
        }
        let process = Spawned::run(&python, &args, "pip install oidc-provider-mock");
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let provider = OidcProvider {
            addr,
            _process: process,
        };
        for _ in 0..300 {
            if tokio::net::TcpStream::connect(addr).await.is_ok() {
                let res = Client::new(addr)
                    .get("/.well-known/openid-configuration")
                    .await;
                if res.status == 200 {
                    return provider;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!(
            "oidc-provider-mock did not start on {addr} within 30 s (is it installed? pip install oidc-provider-mock)"
        );
    }

    pub fn issuer(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// A cycle in its feedback phase, threshold 3, in which `self` is asked
/// about by themself, their manager, their report and the given peers.
pub async fn open_cycle(app: &App, peers: &[i64]) -> i64 {
    use ladder_store::{CycleState, FeedbackRelation, NewCycle, NewNomination};
    let s = &app.store;
    let by = Some(app.accounts["people-team"]);
    let c = s
        .create_cycle(
            &NewCycle {
                name: "Autumn 2026".to_owned(),
                nominations_open: "2026-11-01".to_owned(),
                nominations_close: "2026-11-10".to_owned(),
                feedback_open: "2026-11-11".to_owned(),
                feedback_close: "2026-12-11".to_owned(),
                anonymity_threshold: 3,
                min_peers: 1,
                max_peers: 6,
            },
            by,
            NOW,
            &fixture("create_cycle"),
        )
        .await
        .unwrap();
    s.advance_cycle(
        c,
        CycleState::Draft,
        &[],
        None,
        by,
        NOW,
        &fixture("advance_cycle"),
    )
    .await
    .unwrap();
    let n = |respondent_id, relation| NewNomination {
        respondent_id,
        relation,
        source: "auto".to_owned(),
    };
    let mut list = vec![
        n(app.ids["self"], FeedbackRelation::Myself),
        n(app.ids["manager"], FeedbackRelation::Manager),
        n(app.ids["direct-report"], FeedbackRelation::Report),
    ];
    list.extend(peers.iter().map(|p| n(*p, FeedbackRelation::Peer)));
    s.save_nominations(
        c,
        app.ids["self"],
        &list,
        Some(app.accounts["manager"]),
        NOW,
        &fixture("save_nominations"),
    )
    .await
    .unwrap();
    s.advance_cycle(
        c,
        CycleState::Nominations,
        &[],
        None,
        by,
        NOW,
        &fixture("advance_cycle"),
    )
    .await
    .unwrap();
    c
}

/// [`open_cycle`] with `peer` as the one peer, and a pending proposal for
/// `self` by their manager, waiting for the skip-level. Returns (cycle id,
/// proposal id).
pub async fn feedback_fixture(app: &App) -> (i64, i64) {
    let cycle = open_cycle(app, &[app.ids["peer"]]).await;
    let proposal = app
        .store
        .create_proposal(
            &ladder_store::NewProposal {
                cycle_id: cycle,
                person_id: app.ids["self"],
                department: "Platform Services".to_owned(),
                kind: "promotion".to_owned(),
                to_level: "staff".to_owned(),
                to_specialty: Some("platform-services".to_owned()),
                to_grade: "8".to_owned(),
                case_text: "Ready.".to_owned(),
                evidence: "{}".to_owned(),
                override_reason: None,
                chain: vec!["skip_level".to_owned(), "people_team".to_owned()],
                proposed_by: app.accounts["manager"],
            },
            NOW,
            &fixture("create_proposal"),
        )
        .await
        .unwrap();
    (cycle, proposal)
}

/// A mentor in another department ("Data", no manager) and an internship
/// `self` has asked for with them, not yet decided. Returns (mentor,
/// internship).
pub async fn internship_fixture(app: &App) -> (i64, i64) {
    let mut mentor = person("mentor@example.com", None, "staff");
    mentor.department = "Data".to_owned();
    app.store
        .apply_people(&[mentor], "2026-01-01", None, NOW, &fixture("apply_people"))
        .await
        .unwrap();
    let mentor = app
        .store
        .person_by_email("mentor@example.com")
        .await
        .unwrap()
        .unwrap()
        .id;
    let internship = app
        .store
        .create_internship(
            &ladder_store::NewInternship {
                person_id: app.ids["self"],
                host_department: "Data".to_owned(),
                mentor_id: mentor,
                goals: "Learn the data pipeline".to_owned(),
                competencies: Vec::new(),
                share: 20,
                start_date: "2026-12-01".to_owned(),
                end_date: "2027-02-28".to_owned(),
                activities: Vec::new(),
                access: String::new(),
            },
            NOW,
            &fixture("create_internship"),
        )
        .await
        .unwrap();
    (mentor, internship)
}

/// An opening for a senior backend engineer (platform services) led by
/// `manager` with `peer` interviewing, and one candidate. Returns
/// (opening, candidate).
pub async fn hiring_fixture(app: &App) -> (i64, i64) {
    use ladder_store::{HiringRole, NewOpening, TeamMember};
    let opening = app
        .store
        .create_opening(
            &NewOpening {
                title: "Senior backend engineer".to_owned(),
                family: "backend-engineer".to_owned(),
                level: "senior".to_owned(),
                specialty: Some("platform-services".to_owned()),
                team: vec![
                    TeamMember {
                        account_id: app.accounts["manager"],
                        role: HiringRole::Lead,
                    },
                    TeamMember {
                        account_id: app.accounts["peer"],
                        role: HiringRole::Interviewer,
                    },
                ],
            },
            Some(app.accounts["people-team"]),
            NOW,
            &fixture("create_opening"),
        )
        .await
        .unwrap();
    let candidate = app
        .store
        .add_candidate(
            opening,
            "Casey Candidate",
            "casey@example.net",
            "screen",
            NOW,
            &fixture("add_candidate"),
        )
        .await
        .unwrap();
    (opening, candidate)
}

/// The record of a write a test makes straight to the store, to set the
/// scene.
pub fn fixture(what: &str) -> ladder_store::Record {
    ladder_store::Record::system(0, "test.fixture", None, what)
}
