//! `ladder serve`, `ladder demo`, `ladder db …`, `ladder people …`,
//! `ladder admin …` and `ladder openapi`: the commands around the web app.
//!
//! Configuration is layered: the `--config` TOML file, then the flags.

use crate::load;
use ladder_framework::example;
use ladder_org::{Date, demo, people_csv};
use ladder_server::access::{
    ImportOutcome, PayImport, apply_bands_csv, apply_people_csv, apply_salaries_csv,
};
use ladder_server::sso::OidcSettings;
use ladder_server::{AppState, Clock, Database, Loader, Settings, SystemClock};
use ladder_store::{AuditEvent, Record, Roles, Store};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// Where the data is: a data directory (SQLite file `ladder.db` inside),
/// or a database URL.
#[derive(clap::Args, Debug, Clone)]
pub struct DbArgs {
    /// The data directory. Holds `ladder.db` unless --database names
    /// another database.
    #[arg(long, value_name = "DIR", default_value = "ladder-data")]
    pub data: PathBuf,
    /// `postgres://user@host:port/db`, or an SQLite file path.
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
    /// A TOML file with `database`, `framework`, `bind`, `public_url`,
    /// `session_hours`, `trusted_proxies`, `sso_only`, `break_glass`,
    /// `api_token_days`, `notes_key_file`, an `[oidc]`, an `[smtp]` and a
    /// `[retention]` table. Flags win over it.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database: Option<String>,
    framework: Option<PathBuf>,
    bind: Option<String>,
    public_url: Option<String>,
    session_hours: Option<i64>,
    oidc: Option<OidcConfig>,
    smtp: Option<crate::notify::SmtpConfig>,
    /// How long a node holds a message it is sending before another node
    /// may take it over (default 120).
    delivery_lease_seconds: Option<i64>,
    /// Reverse proxies (addresses or networks) whose `X-Forwarded-For`
    /// names the client.
    #[serde(default)]
    trusted_proxies: Vec<String>,
    /// Sign in through single sign-on only, except `break_glass` accounts.
    #[serde(default)]
    sso_only: bool,
    #[serde(default)]
    break_glass: Vec<String>,
    /// How many days a new API token works by default (90).
    api_token_days: Option<i64>,
    /// How long data is kept: see docs/privacy.md.
    retention: Option<RetentionConfig>,
    /// The file holding the key private notes are sealed with (default
    /// `notes.key` in the data directory; `LADDER_NOTES_KEY` wins).
    notes_key_file: Option<PathBuf>,
    /// The bearer token `GET /metrics` wants (`LADDER_METRICS_TOKEN`
    /// wins); metrics are off without one.
    metrics_token: Option<String>,
}

/// The `[retention]` table: days each kind of data is kept (0: for ever).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RetentionConfig {
    audit_log_days: Option<i64>,
    delivery_log_days: Option<i64>,
    leaver_one_on_ones_days: Option<i64>,
    candidate_days: Option<i64>,
    closed_cycle_answers_days: Option<i64>,
}

impl RetentionConfig {
    fn retention(&self) -> Result<ladder_store::Retention, String> {
        let d = ladder_store::Retention::default();
        let days = |name: &str, v: Option<i64>, default: i64| -> Result<i64, String> {
            let v = v.unwrap_or(default);
            if (0..=36_500).contains(&v) {
                Ok(v)
            } else {
                Err(format!(
                    "[retention] {name}: {v} is not a number of days from 0 (keep for ever) to 36500"
                ))
            }
        };
        Ok(ladder_store::Retention {
            audit_log_days: days("audit_log_days", self.audit_log_days, d.audit_log_days)?,
            delivery_log_days: days(
                "delivery_log_days",
                self.delivery_log_days,
                d.delivery_log_days,
            )?,
            leaver_one_on_ones_days: days(
                "leaver_one_on_ones_days",
                self.leaver_one_on_ones_days,
                d.leaver_one_on_ones_days,
            )?,
            candidate_days: days("candidate_days", self.candidate_days, d.candidate_days)?,
            closed_cycle_answers_days: days(
                "closed_cycle_answers_days",
                self.closed_cycle_answers_days,
                d.closed_cycle_answers_days,
            )?,
        })
    }
}

impl FileConfig {
    fn sign_in(&self) -> Result<ladder_server::SignInSettings, String> {
        let trusted_proxies = self
            .trusted_proxies
            .iter()
            .map(|p| {
                ladder_server::proxy::Network::parse(p).map_err(|e| format!("trusted_proxies: {e}"))
            })
            .collect::<Result<_, _>>()?;
        if self.sso_only && self.oidc.is_none() {
            return Err(
                "sso_only needs an [oidc] table: with no single sign-on, nobody could sign in"
                    .to_owned(),
            );
        }
        let token_days = self.api_token_days.unwrap_or(90);
        if !(1..=366).contains(&token_days) {
            return Err(format!("api_token_days: {token_days} is not from 1 to 366"));
        }
        Ok(ladder_server::SignInSettings {
            trusted_proxies,
            sso_only: self.sso_only,
            break_glass: self
                .break_glass
                .iter()
                .map(|e| e.trim().to_lowercase())
                .collect(),
            token_days,
        })
    }
}

/// The `[oidc]` table: single sign-on through an OpenID Connect provider.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OidcConfig {
    issuer: String,
    client_id: String,
    /// Or the environment variable `LADDER_OIDC_CLIENT_SECRET`, which wins.
    client_secret: Option<String>,
    label: Option<String>,
}

impl OidcConfig {
    fn settings(&self, public: Option<&str>) -> Result<OidcSettings, String> {
        let public = public.ok_or(
            "[oidc] needs public_url (the address people use to reach Ladder), so the provider can send them back",
        )?;
        let client_secret = std::env::var("LADDER_OIDC_CLIENT_SECRET")
            .ok()
            .or(self.client_secret.clone())
            .ok_or("[oidc] needs client_secret (or the environment variable LADDER_OIDC_CLIENT_SECRET)")?;
        Ok(OidcSettings {
            issuer: self.issuer.clone(),
            client_id: self.client_id.clone(),
            client_secret,
            redirect_url: format!(
                "{}{}",
                public.trim_end_matches('/'),
                ladder_server::sso::CALLBACK_PATH
            ),
            label: self
                .label
                .clone()
                .unwrap_or_else(|| "Sign in with single sign-on".to_owned()),
        })
    }
}

impl DbArgs {
    fn file_config(&self) -> Result<FileConfig, String> {
        let Some(path) = &self.config else {
            return Ok(FileConfig::default());
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Opens (and migrates) the database these arguments name.
    pub(crate) async fn open(&self) -> Result<Arc<dyn Store>, String> {
        let file = self.file_config()?;
        open(&self.database(&file)).await
    }

    fn database(&self, file: &FileConfig) -> Database {
        match self.database.as_deref().or(file.database.as_deref()) {
            Some(url) => Database::parse(url),
            None => Database::Sqlite(self.data.join("ladder.db")),
        }
    }
}

/// The key private notes are sealed with: `LADDER_NOTES_KEY` (64 hex
/// digits) if set, else the file `notes_key_file` of the configuration,
/// else `notes.key` in the data directory, made (readable by its owner
/// alone) the first time. Every node of one database needs the same key.
pub(crate) fn notes_key(
    data: &std::path::Path,
    file: Option<&std::path::Path>,
) -> Result<ladder_server::notes_key::NoteKey, String> {
    use ladder_server::notes_key::NoteKey;
    if let Ok(hex) = std::env::var("LADDER_NOTES_KEY") {
        return NoteKey::from_hex(&hex).map_err(|e| format!("LADDER_NOTES_KEY: {e}"));
    }
    let path = file.map_or_else(|| data.join("notes.key"), std::path::Path::to_path_buf);
    match std::fs::read_to_string(&path) {
        Ok(text) => NoteKey::from_hex(&text).map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && file.is_none() => {
            let key = NoteKey::random().map_err(|e| e.to_string())?;
            load::write_private(&path, format!("{}\n", key.to_hex()).as_bytes())?;
            Ok(key)
        }
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// `ladder db rekey-notes`: every private note opened with the current key
/// and sealed with the new one, in one transaction.
async fn rekey_notes(new_key_file: &std::path::Path, db: &DbArgs) -> Result<u8, String> {
    use ladder_server::notes_key::NoteKey;
    let file = db.file_config()?;
    let old = notes_key(&db.data, file.notes_key_file.as_deref())?;
    let text = std::fs::read_to_string(new_key_file)
        .map_err(|e| format!("{}: {e}", new_key_file.display()))?;
    let new = NoteKey::from_hex(&text).map_err(|e| format!("{}: {e}", new_key_file.display()))?;
    let store = db.open().await?;
    let mut sealed = Vec::new();
    // The notes key's errors are internal to a server, but here they are
    // the operator's to read in full.
    let why = |e: ladder_server::AppError| match e {
        ladder_server::AppError::Internal(m) => m,
        e => e.to_string(),
    };
    for n in store.private_notes().await.map_err(|e| e.to_string())? {
        let plain = old.open(n.meeting_id, n.author_id, &n.text).map_err(why)?;
        let again = new.seal(n.meeting_id, n.author_id, &plain).map_err(why)?;
        sealed.push((n.meeting_id, n.author_id, again));
    }
    let now = SystemClock.now();
    let detail = format!("{} private notes sealed with a new key", sealed.len());
    store
        .reseal_private_notes(
            &sealed,
            &ladder_store::Record::system(now, "notes.rekey", None, &detail),
        )
        .await
        .map_err(|e| e.to_string())?;
    println!("{detail}.");
    if std::env::var_os("LADDER_NOTES_KEY").is_none() && file.notes_key_file.is_none() {
        let path = db.data.join("notes.key");
        load::write_private(&path, format!("{}\n", new.to_hex()).as_bytes())?;
        println!("{} now holds the new key.", path.display());
    } else {
        println!(
            "Give every node the new key (LADDER_NOTES_KEY or notes_key_file) before starting it."
        );
    }
    Ok(0)
}

/// The organisation for `ladder diff --impact`, from the database these
/// arguments name, which must exist already (an empty new one would
/// report on nobody).
pub(crate) fn read_org(db: &DbArgs) -> Result<ladder_growth::impact::Organisation, String> {
    let file = db.file_config()?;
    if db.database.is_none() && file.database.is_none() {
        let path = db.data.join("ladder.db");
        if !path.exists() {
            return Err(format!(
                "no database at {}; give --backup FILE, --data DIR or --database URL",
                path.display()
            ));
        }
    }
    runtime()?.block_on(async {
        let store = db.open().await?;
        ladder_server::access::organisation(store.as_ref())
            .await
            .map_err(|e| e.to_string())
    })
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("could not start the async runtime: {e}"))
}

async fn open(db: &Database) -> Result<Arc<dyn Store>, String> {
    let (store, ran) = ladder_server::open_store(db)
        .await
        .map_err(|e| e.to_string())?;
    if ran > 0 {
        eprintln!(
            "Applied {ran} migration(s) to the {} database.",
            store.backend()
        );
    }
    Ok(store)
}

fn init_logs(json: bool) {
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::INFO);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

fn dir_loader(dir: PathBuf) -> Loader {
    Arc::new(move || load::framework_dir(&dir))
}

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The framework's folder (the content repository). Reloaded on SIGHUP.
    #[arg(long, value_name = "DIR")]
    pub framework: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<String>,
    /// The URL people use to reach Ladder; https makes cookies Secure.
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// Write logs as JSON lines.
    #[arg(long)]
    pub json_logs: bool,
}

/// `ladder serve`.
pub fn serve(a: ServeArgs) -> Result<u8, String> {
    init_logs(a.json_logs);
    let file = a.db.file_config()?;
    let framework =
        a.framework.clone().or(file.framework.clone()).ok_or(
            "give the framework's folder with --framework DIR (or `framework` in --config)",
        )?;
    let bind = a
        .bind
        .clone()
        .or(file.bind.clone())
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let public = a.public_url.clone().or(file.public_url.clone());
    let smtp = crate::notify::smtp(file.smtp.as_ref())?;
    let sign_in = file.sign_in()?;
    let retention = file.retention.as_ref().map_or_else(
        || Ok(ladder_store::Retention::default()),
        RetentionConfig::retention,
    )?;
    let db = a.db.database(&file);
    let notes_key = notes_key(&a.db.data, file.notes_key_file.as_deref())?;
    runtime()?.block_on(async move {
        let (listener, addr) = listen(&bind).await?;
        let base = public.clone().unwrap_or_else(|| format!("http://{addr}"));
        let settings = Settings {
            secure_cookies: public.as_deref().is_some_and(|u| u.starts_with("https://")),
            session_seconds: file.session_hours.unwrap_or(12) * 3600,
            framework_source: framework.display().to_string(),
            oidc: file
                .oidc
                .as_ref()
                .map(|o| o.settings(public.as_deref()))
                .transpose()?,
            notify: crate::notify::settings(&base, smtp, file.delivery_lease_seconds)?,
            sign_in,
            retention,
            notes_key,
            metrics_token: metrics_token(file.metrics_token.as_deref())?,
        };
        let store = open(&db).await?;
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let state = AppState::new(store, dir_loader(framework), settings, clock).await?;
        run(state, listener, &base, None).await
    })
}

/// Binds the listening socket (before the app is made, so links in
/// messages can name the port a `:0` bind got).
async fn listen(bind: &str) -> Result<(tokio::net::TcpListener, SocketAddr), String> {
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| format!("cannot listen on {bind}: {e}"))?;
    let addr: SocketAddr = listener.local_addr().map_err(|e| e.to_string())?;
    Ok((listener, addr))
}

/// Listens, prints where, offers the first-admin link when there are no
/// accounts, reloads on SIGHUP, and stops on Ctrl-C or SIGTERM.
async fn run(
    state: AppState,
    listener: tokio::net::TcpListener,
    base: &str,
    banner: Option<String>,
) -> Result<u8, String> {
    let base = base.trim_end_matches('/');
    // What the operator is told goes to stdout; a server keeps running if
    // nobody reads it any more (a closed pipe), so write errors are ignored.
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "Ladder is running at {base}/");
    if let Some(b) = banner {
        let _ = writeln!(out, "{b}");
    }
    if let Some(token) = state
        .auth()
        .bootstrap_token(state.now())
        .await
        .map_err(|e| e.to_string())?
    {
        let _ = writeln!(
            out,
            "No accounts yet. Create the first admin (this link works once, for 24 hours):\n  {base}/setup?token={token}"
        );
    }
    let _ = out.flush();
    drop(out);
    // Expired sessions and stale login failures are dropped hourly (any
    // node may do it).
    let sweeper = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(e) = sweeper.sweep_sessions().await {
                tracing::warn!(error = %e, "could not drop expired sessions");
            }
        }
    });
    // The routine: cycles move on their dates. Every node ticks; the store
    // moves a cycle only once.
    tokio::spawn(ladder_server::routine::run(state.clone()));
    let reloader = state.clone();
    tokio::spawn(async move {
        let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        else {
            return;
        };
        while hup.recv().await.is_some() {
            match reloader.reload_framework().await {
                Ok(l) => tracing::info!(hash = %l.hash, "reloaded the framework on SIGHUP"),
                Err(e) => {
                    tracing::error!(error = %e, "SIGHUP: the framework was not reloaded; the previous version stays")
                }
            }
        }
    });
    let shutdown = async {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut t) => {
                    t.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {},
            () = term => {},
        }
    };
    ladder_server::serve(listener, state, shutdown)
        .await
        .map_err(|e| format!("the server stopped: {e}"))?;
    Ok(0)
}

#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    /// How many people the generated organisation has.
    #[arg(long, default_value_t = 200)]
    pub people: usize,
    /// The port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// The demo's data directory; made if missing, reused if it holds a demo.
    #[arg(long, value_name = "DIR", default_value = "ladder-demo")]
    pub data: PathBuf,
    /// Use this database instead of `DIR/ladder.db` (e.g. PostgreSQL).
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
    /// The seed of the generated organisation.
    #[arg(long, default_value_t = 2024)]
    pub seed: u64,
    /// Send the demo people's email to this SMTP server (`HOST:PORT`,
    /// plain SMTP, e.g. a local catcher); without it (or the
    /// `LADDER_SMTP_*` settings) messages stay in the delivery log.
    #[arg(long, value_name = "HOST:PORT")]
    pub smtp: Option<String>,
}

#[derive(clap::Subcommand, Debug)]
pub enum NotifyCommand {
    /// Send a test message through the configured SMTP server and print
    /// what it answered.
    Test {
        /// The address to send it to.
        #[arg(long, value_name = "ADDRESS")]
        to: String,
        /// A TOML file with an `[smtp]` table (`LADDER_SMTP_*` win over it).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
}

/// `ladder notify …`.
pub fn notify(cmd: NotifyCommand) -> Result<u8, String> {
    match cmd {
        NotifyCommand::Test { to, config } => {
            let file = DbArgs {
                data: PathBuf::new(),
                database: None,
                config,
            }
            .file_config()?;
            crate::notify::test(&to, file.smtp.as_ref())
        }
    }
}

/// The metrics token: `LADDER_METRICS_TOKEN`, else the config file's;
/// at least 16 characters, since it guards what the node tells.
fn metrics_token(from_file: Option<&str>) -> Result<Option<String>, String> {
    let (token, from) = match std::env::var("LADDER_METRICS_TOKEN") {
        Ok(t) => (Some(t), "LADDER_METRICS_TOKEN"),
        Err(_) => (from_file.map(str::to_owned), "metrics_token"),
    };
    match token.map(|t| t.trim().to_owned()) {
        Some(t) if t.is_empty() => Ok(None),
        Some(t) if t.chars().count() < 16 => Err(format!(
            "{from}: the metrics token has {} characters; give at least 16 (e.g. `openssl rand -hex 16`)",
            t.chars().count()
        )),
        t => Ok(t),
    }
}

/// The password of every demo login.
pub const DEMO_PASSWORD: &str = "ladder-demo";

/// `ladder demo`.
pub fn demo(a: DemoArgs) -> Result<u8, String> {
    init_logs(false);
    let fw_dir = a.data.join("framework");
    if !fw_dir.join(ladder_framework::CONFIG_FILE).exists() {
        for (path, text) in example::FILES {
            load::write_file(&fw_dir.join(path), text.as_bytes())?;
        }
    }
    let db = match &a.database {
        Some(url) => Database::parse(url),
        None => Database::Sqlite(a.data.join("ladder.db")),
    };
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let smtp = match &a.smtp {
        Some(hp) => {
            let (host, port) = hp
                .rsplit_once(':')
                .and_then(|(h, p)| Some((h.to_owned(), p.parse::<u16>().ok()?)))
                .ok_or_else(|| format!("--smtp `{hp}`: give HOST:PORT, e.g. 127.0.0.1:1025"))?;
            Some(ladder_server::notify::SmtpSettings {
                host,
                port,
                security: ladder_server::notify::Security::None,
                username: None,
                password: None,
                from: "Ladder demo <ladder@example.com>".to_owned(),
            })
        }
        None => crate::notify::smtp(None)?,
    };
    runtime()?.block_on(async move {
        let (listener, addr) = listen(&format!("127.0.0.1:{}", a.port)).await?;
        let base = format!("http://{addr}");
        let store = open(&db).await?;
        let settings = Settings {
            framework_source: fw_dir.display().to_string(),
            notify: crate::notify::settings(&base, smtp, None)?,
            notes_key: notes_key(&a.data, None)?,
            metrics_token: metrics_token(None)?,
            ..Settings::default()
        };
        let state = AppState::new(store.clone(), dir_loader(fw_dir), settings, clock.clone()).await?;
        let [engineer, manager, team, admin] = seed_demo(store.as_ref(), &state, a.people, a.seed, clock.now()).await?;
        let banner = format!(
            "Demo logins (password `{DEMO_PASSWORD}` for all):\n  engineer     {}\n  manager      {}\n  people team  {}\n  admin        {}\nStop with Ctrl-C. The data stays in {}.",
            engineer,
            manager,
            team,
            admin,
            a.data.display()
        );
        run(state, listener, &base, Some(banner)).await
    })
}

/// Fills an empty database with the demo organisation and its logins;
/// reuses a filled one. Returns the logins: engineer, manager, people
/// team, admin.
async fn seed_demo(
    store: &dyn Store,
    state: &AppState,
    n: usize,
    seed: u64,
    now: i64,
) -> Result<[String; 4], String> {
    let people_team = format!("people@{}", demo::DOMAIN);
    let admin = format!("admin@{}", demo::DOMAIN);
    let fresh = store.count_people().await.map_err(|e| e.to_string())? == 0;
    if fresh {
        let fw = state.framework();
        let records = demo::generate(&fw.framework, n, seed, Date::from_unix(now));
        eprintln!(
            "Generating a demo organisation of {} people…",
            records.len()
        );
        // Through the same checked CSV path as an HR export.
        let csv = people_csv::export(&records);
        let checked = match people_csv::parse(&csv, &fw.framework, &BTreeMap::new()) {
            Ok(r) => r,
            Err(errors) => {
                return Err(format!("the demo organisation was refused: {errors:?}"));
            }
        };
        import_with_history(store, &checked, now).await?;
        // One hash for every demo login: hashing each would take minutes.
        let hash = ladder_server::auth::hash_password(DEMO_PASSWORD)
            .await
            .map_err(|e| e.to_string())?;
        // Everyone's login in one transaction (one by one, 100,000
        // commits would take minutes).
        let logins: Vec<ladder_store::NewAccount> = records
            .iter()
            .map(|r| ladder_store::NewAccount {
                email: r.email.clone(),
                name: r.name.clone(),
                password_hash: Some(hash.clone()),
                roles: Roles::NONE,
            })
            .collect();
        store
            .create_accounts(&logins, now, &demo_record(now, "account.create"))
            .await
            .map_err(|e| e.to_string())?;
        let team = Roles {
            people_team: true,
            ..Roles::NONE
        };
        let all = Roles {
            admin: true,
            people_team: false,
            editor: true,
        };
        for (email, name, roles) in [
            (&people_team, "Pat People", team),
            (&admin, "Ari Admin", all),
        ] {
            ladder_server::auth::create_account(
                store,
                email,
                name,
                Some(&hash),
                roles,
                now,
                &demo_record(now, "account.create"),
            )
            .await
            .map_err(|e| e.to_string())?;
        }
    }
    let people = store.list_people().await.map_err(|e| e.to_string())?;
    let by_id: BTreeMap<i64, &ladder_store::Person> = people.iter().map(|p| (p.id, p)).collect();
    // An engineer with a manager and a skip-level manager, and no reports.
    let managers: std::collections::BTreeSet<i64> =
        people.iter().filter_map(|p| p.manager_id).collect();
    let engineer = people
        .iter()
        .find(|p| {
            !managers.contains(&p.id)
                && p.manager_id
                    .and_then(|m| by_id.get(&m))
                    .is_some_and(|m| m.manager_id.is_some())
        })
        .or_else(|| people.first())
        .ok_or("the demo organisation is empty; use --people 1 or more")?;
    let manager = engineer
        .manager_id
        .and_then(|m| by_id.get(&m))
        .map_or_else(|| engineer.record.email.clone(), |m| m.record.email.clone());
    if fresh && let Some(boss) = engineer.manager_id.and_then(|m| by_id.get(&m)) {
        // The engineer first: they get the longest 1:1 history.
        let mut team: Vec<&ladder_store::Person> = people
            .iter()
            .filter(|p| p.manager_id == Some(boss.id) && p.id != engineer.id)
            .collect();
        team.insert(0, engineer);
        eprintln!(
            "Writing {} quarters of growth history for {}'s team…",
            DEMO_QUARTERS, boss.record.name
        );
        seed_growth(state, boss, &team, now, seed)
            .await
            .map_err(|e| format!("writing the demo's growth history failed: {e}"))?;
        eprintln!("Writing a closed 360 cycle with results, and one taking nominations…");
        seed_feedback(state, boss, &team, &people, &people_team, now, seed)
            .await
            .map_err(|e| format!("writing the demo's feedback cycles failed: {e}"))?;
        eprintln!("Writing pay bands and salaries, three internships and an opening…");
        let cast = crate::seed_ops::Cast {
            boss,
            team: &team,
            everyone: &people,
        };
        crate::seed_ops::seed_ops(state, store, &cast, &people_team, now, seed)
            .await
            .map_err(|e| format!("writing the demo's {e}"))?;
    }
    if fresh {
        // The history just written is not news: notifications start from
        // here (reminders still follow the dates).
        let events = store
            .events_after(0, i64::MAX)
            .await
            .map_err(|e| e.to_string())?;
        if let Some(last) = events.last() {
            let from = store
                .event_cursor(ladder_server::access::NOTIFY_CONSUMER)
                .await
                .map_err(|e| e.to_string())?;
            store
                .advance_event_cursor(ladder_server::access::NOTIFY_CONSUMER, from, last.id, now)
                .await
                .map_err(|e| e.to_string())?;
        }
    }
    Ok([engineer.record.email.clone(), manager, people_team, admin])
}

/// The demo people whose writes the seeding makes, each as a viewer
/// acting as their account.
struct Actors(BTreeMap<i64, ladder_server::access::Viewer>);

impl Actors {
    async fn of(
        access: &ladder_server::access::Access,
        people: impl Iterator<Item = &ladder_store::Person>,
    ) -> Result<Actors, ladder_server::AppError> {
        let mut viewers = BTreeMap::new();
        for p in people {
            viewers.insert(p.id, access.acting_as(&p.record.email, DEMO_IP).await?);
        }
        Ok(Actors(viewers))
    }

    fn get(&self, person: i64) -> Result<&ladder_server::access::Viewer, ladder_server::AppError> {
        self.0.get(&person).ok_or_else(|| {
            ladder_server::AppError::Internal(format!("person {person} has no demo login"))
        })
    }
}

/// How many quarters of history the demo team gets.
const DEMO_QUARTERS: usize = 4;

/// Writes the demo team's ratings, checkpoints and 1:1s (see
/// `ladder_growth::demo`), through the same services as the pages and the
/// API: each write is made as the person or manager who would make it, at
/// the time the plan gives, with its checks, audit entry and event.
async fn seed_growth(
    state: &AppState,
    manager: &ladder_store::Person,
    team: &[&ladder_store::Person],
    now: i64,
    seed: u64,
) -> Result<(), ladder_server::AppError> {
    use ladder_server::growth::service::{self as growth, AreaInput, RateInput};
    use ladder_server::one_on_ones::service::{self as one_on_ones, Notes};
    let loaded = state.framework();
    let plan = ladder_growth::demo::plan(
        &loaded.framework,
        &loaded.hash,
        manager,
        team,
        DEMO_QUARTERS,
        now,
        seed,
    );
    let access = state.access();
    let actors = Actors::of(access, std::iter::once(manager).chain(team.iter().copied())).await?;
    let viewer = |id: i64| actors.get(id);
    let boss = viewer(manager.id)?;
    for r in &plan.ratings {
        let by = if r.rater == ladder_store::Rater::Manager {
            boss
        } else {
            viewer(r.person_id)?
        };
        let g = access.growth(by, r.person_id, r.rated_at).await?;
        let input = RateInput {
            statement: r.statement_id.clone(),
            value: r.value,
            evidence: r.evidence.clone(),
        };
        growth::rate(&g, &loaded, &input, r.rated_at).await?;
    }
    for c in &plan.checkpoints {
        let g = access.growth(boss, c.person, c.opened_at).await?;
        let areas: Vec<AreaInput> = c
            .areas
            .iter()
            .map(|a| AreaInput {
                ref_id: a.ref_id.clone(),
                goals: a.goals.clone(),
                targets: a.targets.clone(),
                ideas: a.ideas.clone(),
            })
            .collect();
        let quarter = c.quarter.to_string();
        let id = growth::open_checkpoint(&g, &loaded, &quarter, &areas, c.opened_at).await?;
        if let Some((at, summaries)) = &c.closed {
            let (g, cp) = access.checkpoint(boss, id, *at).await?;
            let pairs: Vec<(i64, String)> = cp
                .areas
                .iter()
                .zip(summaries)
                .map(|(a, s)| (a.id, s.clone()))
                .collect();
            growth::close_checkpoint(&g, &cp, &pairs, *at).await?;
        }
    }
    let mut actions: BTreeMap<(i64, i64), Vec<i64>> = BTreeMap::new();
    for m in &plan.meetings {
        let at = m.date.to_unix() + 10 * 3600;
        let pair = access.pair(boss, m.manager, m.report).await?;
        let id = one_on_ones::create_meeting(&pair, &m.date.to_string(), at).await?;
        if !m.shared_notes.is_empty() {
            let (p, meeting) = access.meeting(boss, id).await?;
            one_on_ones::save_notes(&p, &meeting, Notes::Shared, &m.shared_notes, 1, at).await?;
        }
        for (author, text) in &m.agenda {
            let (p, meeting) = access.meeting(viewer(*author)?, id).await?;
            one_on_ones::add_agenda_item(&p, &meeting, text, at).await?;
        }
        let (p, meeting) = access.meeting(boss, id).await?;
        let made = actions.entry((m.manager, m.report)).or_default();
        for i in &m.done {
            if let Some(a) = made.get(*i) {
                let (_, item) = access.action(boss, *a).await?;
                one_on_ones::complete_action(&p, &item, &meeting, at).await?;
            }
        }
        for (owner, text) in &m.actions {
            made.push(one_on_ones::add_action(&p, &meeting, *owner, text, at).await?);
        }
        for (author, text) in &m.private {
            let (p, meeting) = access.meeting(viewer(*author)?, id).await?;
            one_on_ones::save_notes(&p, &meeting, Notes::Private, text, 0, at).await?;
        }
    }
    Ok(())
}

/// Comments in the demo's closed cycle: our own words.
const DEMO_COMMENTS: [&str; 8] = [
    "Explains trade-offs clearly in design reviews.",
    "Could hand more of the routine work to others and spend the time on planning.",
    "Calm and methodical during incidents; the write-ups are a model.",
    "Writes careful tests and helps others do the same.",
    "Would like earlier warnings when a deadline is at risk.",
    "A patient mentor for new joiners.",
    "Keeps meetings short and decisions written down.",
    "Could speak up more in planning; the ideas are good.",
];

/// The demo's 360 feedback: a closed cycle in which the team was asked
/// about each other (self, manager, peers) and answered, and a cycle
/// taking nominations, with the first engineer's list waiting for their
/// manager's approval.
async fn seed_feedback(
    state: &AppState,
    boss: &ladder_store::Person,
    team: &[&ladder_store::Person],
    everyone: &[ladder_store::Person],
    people_team: &str,
    now: i64,
    seed: u64,
) -> Result<(), ladder_server::AppError> {
    use ladder_server::feedback::service::{self as feedback, AnswerInput, CyclePlan};
    let loaded = state.framework();
    let access = state.access();
    let admin_viewer = access.acting_as(people_team, DEMO_IP).await?;
    let admin = access.cycle_admin(&admin_viewer)?;
    let fw = &loaded.framework;
    let bounds = &fw.config.policy.feedback.peers;
    let max = usize::try_from(bounds.max).unwrap_or(3).max(1);
    // Each person's peers: their teammates, then others in their
    // department, then anyone, up to the policy's most (self and the
    // manager are nominated by the cycle itself).
    let mut peer_lists: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for p in team {
        let teammates = team.iter().copied();
        let department = everyone
            .iter()
            .filter(|q| q.record.department == p.record.department && q.record.active);
        let anyone = everyone.iter().filter(|q| q.record.active);
        let mut list: Vec<i64> = Vec::new();
        for q in teammates.chain(department).chain(anyone) {
            if list.len() == max {
                break;
            }
            if q.id != p.id && q.id != boss.id && !list.contains(&q.id) {
                list.push(q.id);
            }
        }
        peer_lists.insert(p.id, list);
    }
    let asked: std::collections::BTreeSet<i64> = peer_lists
        .values()
        .flatten()
        .copied()
        .chain(team.iter().map(|p| p.id))
        .chain([boss.id])
        .collect();
    let actors = Actors::of(access, everyone.iter().filter(|p| asked.contains(&p.id))).await?;
    let viewer = |id: i64| actors.get(id);
    let peers = |p: &ladder_store::Person| peer_lists.get(&p.id).cloned().unwrap_or_default();
    let today = Date::from_unix(now);
    let day = |offset: i64| today.add_days(offset).to_string();
    let plan = |name: String, start: i64| CyclePlan {
        name,
        nominations_open: day(start),
        nominations_close: day(start + 10),
        feedback_open: day(start + 11),
        feedback_close: day(start + 40),
    };
    let at = |offset: i64| now + offset * 86_400;
    let advance = async |id: i64, when: i64| -> Result<(), ladder_server::AppError> {
        let cycle = access.cycle(&admin_viewer, id).await?;
        // Each move on its scheduled day, as the schedule would make it.
        feedback::advance(&admin, &loaded, &cycle, cycle.state.as_str(), "", when).await?;
        Ok(())
    };

    let spring = plan(format!("{} spring", today.year()), -180);
    let closed = feedback::create_cycle(&admin, fw, &spring, at(-185)).await?;
    advance(closed, at(-180)).await?;
    for p in team {
        // The manager's save approves the list.
        let n = access.nominating(viewer(boss.id)?, closed, p.id).await?;
        feedback::save_nominations(&n, &peers(p), at(-175)).await?;
    }
    advance(closed, at(-169)).await?;
    let mut n: u64 = seed;
    for p in team {
        let Ok(questions) = feedback::questions_for(&loaded, p) else {
            continue;
        };
        // Everyone asked: themself, their manager and their peers.
        let asked = [p.id, boss.id].into_iter().chain(peers(p));
        for respondent in asked {
            let by = viewer(respondent)?;
            let answers: Vec<AnswerInput> = questions
                .iter()
                .enumerate()
                .map(|(i, q)| {
                    n = n.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    let pick = usize::try_from(n >> 33).unwrap_or(0);
                    AnswerInput {
                        question: q.key.clone(),
                        value: q.rated.then(|| 2 + i64::try_from(pick % 3).unwrap_or(0)),
                        comment: if q.rated && (pick + i) % 2 == 0 {
                            String::new()
                        } else {
                            DEMO_COMMENTS
                                .get(pick % DEMO_COMMENTS.len())
                                .copied()
                                .unwrap_or_default()
                                .to_owned()
                        },
                    }
                })
                .filter(|a| a.value.is_some() || !a.comment.is_empty())
                .collect();
            let r = access.respondent(by, closed, p.id).await?;
            feedback::answer(&r, &loaded, &answers, at(-160)).await?;
        }
    }
    // Feedback closed on day -140; the cycle closes the day after.
    advance(closed, at(-139)).await?;

    let autumn = plan(format!("{} autumn", today.year()), -3);
    let open = feedback::create_cycle(&admin, fw, &autumn, at(-5)).await?;
    advance(open, at(-3)).await?;
    if let Some(first) = team.first() {
        // Sent by the engineer, waiting for the manager's approval.
        let n = access.nominating(viewer(first.id)?, open, first.id).await?;
        feedback::save_nominations(&n, &peers(first), at(-1)).await?;
    }
    Ok(())
}

#[derive(clap::Subcommand, Debug)]
pub enum DbCommand {
    /// Apply every pending migration.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Print a new key for private notes (64 hexadecimal digits).
    NewNotesKey,
    /// Seal every private note with the key in FILE instead of the current
    /// one, in one transaction (stop the servers first). When the current
    /// key is the data directory's `notes.key`, that file is replaced.
    RekeyNotes {
        /// A file holding the new key (`ladder db new-notes-key > FILE`).
        #[arg(long, value_name = "FILE")]
        new_key_file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Write every row of every table to FILE (JSON).
    Backup {
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Load a backup into a new, empty database (all or nothing).
    Restore {
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// `ladder db …`.
pub fn db(cmd: DbCommand) -> Result<u8, String> {
    runtime()?.block_on(async move {
        match cmd {
            DbCommand::Migrate { db } => {
                let file = db.file_config()?;
                let (store, ran) = ladder_server::open_store(&db.database(&file))
                    .await
                    .map_err(|e| e.to_string())?;
                println!(
                    "{ran} migration(s) applied; the {} database is up to date.",
                    store.backend()
                );
                Ok(0)
            }
            DbCommand::NewNotesKey => {
                let key = ladder_server::notes_key::NoteKey::random().map_err(|e| e.to_string())?;
                println!("{}", key.to_hex());
                Ok(0)
            }
            DbCommand::RekeyNotes { new_key_file, db } => rekey_notes(&new_key_file, &db).await,
            DbCommand::Backup { file: out, db } => {
                let store = db.open().await?;
                let dump = store.dump().await.map_err(|e| e.to_string())?;
                let json = serde_json::to_vec_pretty(&dump).map_err(|e| e.to_string())?;
                load::write_private(&out, &json)?;
                println!(
                    "Backed up {} people, {} accounts, {} audit events to {}.",
                    dump.people.len(),
                    dump.accounts.len(),
                    dump.audit.len(),
                    out.display()
                );
                Ok(0)
            }
            DbCommand::Restore { file: input, db } => {
                let text = std::fs::read(&input)
                    .map_err(|e| format!("cannot read {}: {e}", input.display()))?;
                let dump: ladder_store::Dump = serde_json::from_slice(&text).map_err(|e| {
                    format!(
                        "{}:{}:{}: not a Ladder backup: {e}",
                        input.display(),
                        e.line(),
                        e.column()
                    )
                })?;
                let store = db.open().await?;
                store.restore(&dump).await.map_err(|e| e.to_string())?;
                println!(
                    "Restored {} people and {} accounts.",
                    dump.people.len(),
                    dump.accounts.len()
                );
                Ok(0)
            }
        }
    })
}

#[derive(clap::Subcommand, Debug)]
pub enum PeopleCommand {
    /// Import people from a CSV, checked against the framework; a file with
    /// any bad row changes nothing.
    Import {
        file: PathBuf,
        /// The framework's folder, to check families, levels, specialties.
        #[arg(long, value_name = "DIR")]
        framework: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Write everyone as a people CSV to stdout, or to --out.
    Export {
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// `ladder people …`.
pub fn people(cmd: PeopleCommand, clock: &dyn Clock) -> Result<u8, String> {
    let now = clock.now();
    runtime()?.block_on(async move {
        match cmd {
            PeopleCommand::Import {
                file,
                framework,
                db,
            } => {
                let text = std::fs::read_to_string(&file)
                    .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
                let fw = match crate::load_clean(&framework)? {
                    Ok(fw) => fw,
                    Err(code) => return Ok(code),
                };
                let store = db.open().await?;
                let record = cli_record(now, "people.import", "");
                match apply_people_csv(store.as_ref(), &text, &fw, None, now, &record)
                    .await
                    .map_err(|e| e.to_string())?
                {
                    ImportOutcome::Refused(errors) => {
                        for e in &errors {
                            eprintln!("{}: {e}", file.display());
                        }
                        eprintln!("Nothing was imported: {} problem(s).", errors.len());
                        Ok(crate::EXIT_ERRORS)
                    }
                    ImportOutcome::Applied(sum) => {
                        println!("Imported {}: {sum}.", file.display());
                        Ok(0)
                    }
                }
            }
            PeopleCommand::Export { out, db } => {
                let store = db.open().await?;
                let records: Vec<_> = store
                    .list_people()
                    .await
                    .map_err(|e| e.to_string())?
                    .into_iter()
                    .map(|p| p.record)
                    .collect();
                let csv = people_csv::export(&records);
                match out {
                    Some(path) => load::write_file(&path, csv.as_bytes())?,
                    None => print!("{csv}"),
                }
                Ok(0)
            }
        }
    })
}

#[derive(clap::Subcommand, Debug)]
pub enum PayCommand {
    /// Load pay bands from a CSV (`grade, zone, currency, min, mid, max,
    /// effective_from`), checked against the framework's grades and
    /// zones; a file with any bad row changes nothing.
    ImportBands {
        file: PathBuf,
        /// The framework's folder, for its grades and zones.
        #[arg(long, value_name = "DIR")]
        framework: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Load salaries from a CSV (`email, amount, currency,
    /// effective_from`), checked against the people and bands stored; a
    /// file with any bad row changes nothing.
    ImportSalaries {
        file: PathBuf,
        #[arg(long, value_name = "DIR")]
        framework: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// `ladder pay …`.
pub fn pay(cmd: PayCommand, clock: &dyn Clock) -> Result<u8, String> {
    let now = clock.now();
    let (what, file, framework, db) = match cmd {
        PayCommand::ImportBands {
            file,
            framework,
            db,
        } => ("bands", file, framework, db),
        PayCommand::ImportSalaries {
            file,
            framework,
            db,
        } => ("salaries", file, framework, db),
    };
    runtime()?.block_on(async move {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let fw = match crate::load_clean(&framework)? {
            Ok(fw) => fw,
            Err(code) => return Ok(code),
        };
        let store = db.open().await?;
        let people = store.list_people().await.map_err(|e| e.to_string())?;
        let record = cli_record(now, &format!("pay.{what}.import"), "");
        let outcome = if what == "bands" {
            apply_bands_csv(store.as_ref(), &text, &fw, &people, record).await
        } else {
            apply_salaries_csv(store.as_ref(), &text, &fw, &people, record).await
        }
        .map_err(|e| e.to_string())?;
        match outcome {
            PayImport::Refused(errors) => {
                for e in &errors {
                    eprintln!("{}: {e}", file.display());
                }
                eprintln!("Nothing was imported: {} problem(s).", errors.len());
                Ok(crate::EXIT_ERRORS)
            }
            PayImport::Applied { rows, warnings } => {
                for w in &warnings {
                    eprintln!("warning: {w}");
                }
                println!("Imported {}: {rows} {what} rows.", file.display());
                Ok(0)
            }
        }
    })
}

#[derive(clap::Subcommand, Debug)]
pub enum AdminCommand {
    /// Create an account. The password is read from the LADDER_PASSWORD
    /// environment variable, or the account can only use single sign-on.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Comma-separated: admin, people, editor.
        #[arg(long, default_value = "")]
        roles: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// `ladder admin …`.
pub fn admin(cmd: AdminCommand, clock: &dyn Clock) -> Result<u8, String> {
    let now = clock.now();
    runtime()?.block_on(async move {
        match cmd {
            AdminCommand::CreateUser {
                email,
                name,
                roles,
                db,
            } => {
                for r in roles.split(',').map(str::trim).filter(|r| !r.is_empty()) {
                    if !["admin", "people", "editor"].contains(&r) {
                        return Err(format!(
                            "--roles: unknown role `{r}`; the roles are admin, people, editor"
                        ));
                    }
                }
                let roles = Roles::decode(&roles);
                let store = db.open().await?;
                let hash = match std::env::var("LADDER_PASSWORD") {
                    Ok(p) => Some(
                        ladder_server::auth::hash_password(&p)
                            .await
                            .map_err(|e| e.to_string())?,
                    ),
                    Err(_) => None,
                };
                let record = cli_record(now, "account.create", &format!("{email} as {roles}"));
                ladder_server::auth::create_account(
                    store.as_ref(),
                    &email,
                    &name,
                    hash.as_deref(),
                    roles,
                    now,
                    &record,
                )
                .await
                .map_err(|e| e.to_string())?;
                println!("Created {email} ({roles}).");
                Ok(0)
            }
        }
    })
}

/// The record of a write made from the command line: its actor is `cli`.
pub(crate) fn cli_record(now: i64, action: &str, detail: &str) -> Record {
    Record::new(AuditEvent {
        actor: "cli".to_owned(),
        ..AuditEvent::by(None, now, action, None, detail, "local")
    })
}

/// The record of every write the demo's seeding makes: one kind,
/// `demo.seed`, that consumers of the outbox (notifications) pass over;
/// the detail names the write.
/// The address the demo's own writes are audited from.
const DEMO_IP: &str = "demo";

/// Stores the demo's people with role histories that start when they
/// did, not on the day the demo is made: each person's role takes effect
/// on their start day, in one import. So most people have been at their level for years and some for a few
/// months, and the promotion policy's months at level can be seen both
/// passing and refusing.
async fn import_with_history(
    store: &dyn Store,
    records: &[ladder_org::PersonRecord],
    now: i64,
) -> Result<(), String> {
    // One transaction: each person's role from their start date.
    store
        .apply_people_from_start(
            records,
            &Date::from_unix(now).to_string(),
            None,
            now,
            &demo_record(now, "people.import"),
        )
        .await
        .map_err(|e| format!("storing the demo organisation failed: {e}"))?;
    Ok(())
}

pub(crate) fn demo_record(now: i64, what: &str) -> Record {
    Record::system(now, "demo.seed", None, what)
}
