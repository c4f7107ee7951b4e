//! Ladder's web app and API.
//!
//! - [`open_store`] opens and migrates the configured backend.
//! - [`AppState::new`] loads the framework (through the caller's
//!   [`Loader`]) and records its content hash.
//! - [`router`] builds the axum router from the one route table in
//!   [`routes::ROUTES`], which the authorization matrix test also reads.
//!
//! Person data is reachable only through [`access::Access`]; accounts and
//! sessions only through [`auth::Auth`]. Handlers never see the store.

pub mod access;
mod accounts;
pub mod api;
pub mod notes_key;

pub mod auth;
mod calendar;
pub mod clock;
mod error;
pub mod feedback;
pub mod framework;
pub mod growth;
mod headers;
pub mod hiring;
mod http;
mod inbox;
pub mod internships;
pub mod metrics;
pub mod notify;
pub mod one_on_ones;
mod pay;
mod people;
pub mod proxy;
pub mod routes;
pub mod routine;
pub mod scim;
pub mod sso;

pub use clock::{Clock, SystemClock};
pub use error::AppError;
pub use framework::{Loaded, Loader};

use axum::Router;
use ladder_store::{Store, StoreError};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// Where the data lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Database {
    /// An SQLite file, created if missing.
    Sqlite(PathBuf),
    /// A `postgres://` URL.
    Postgres(String),
}

impl Database {
    /// `postgres://…` or `postgresql://…` is PostgreSQL; anything else is
    /// an SQLite file path (an optional `sqlite://` prefix is dropped).
    pub fn parse(s: &str) -> Database {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Database::Postgres(s.to_owned())
        } else {
            Database::Sqlite(PathBuf::from(s.strip_prefix("sqlite://").unwrap_or(s)))
        }
    }
}

/// Opens the database and runs pending migrations. Returns the store and
/// how many migrations ran.
pub async fn open_store(db: &Database) -> Result<(Arc<dyn Store>, usize), StoreError> {
    match db {
        Database::Sqlite(path) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| {
                    StoreError::Backend(format!("could not create {}: {e}", dir.display()))
                })?;
            }
            let s = ladder_store_sqlite::SqliteStore::open(path).await?;
            let n = s.migrate().await?;
            Ok((Arc::new(s), n))
        }
        Database::Postgres(url) => {
            let s = ladder_store_postgres::PgStore::connect(url).await?;
            let n = s.migrate().await?;
            Ok((Arc::new(s), n))
        }
    }
}

/// Settings the server runs with.
#[derive(Clone)]
pub struct Settings {
    /// Mark cookies `Secure` (set when the public URL is https).
    pub secure_cookies: bool,
    /// How long a session lasts, in seconds.
    pub session_seconds: i64,
    /// Where the framework comes from, for the version record.
    pub framework_source: String,
    /// OpenID Connect single sign-on, if configured.
    pub oidc: Option<sso::OidcSettings>,
    /// Email, links in messages, delivery leases.
    pub notify: notify::NotifySettings,
    /// Proxies, password sign-in, token lifetimes.
    pub sign_in: SignInSettings,
    /// How long data is kept (the `[retention]` table).
    pub retention: ladder_store::Retention,
    /// The key private notes are sealed with.
    pub notes_key: notes_key::NoteKey,
    /// The bearer token `GET /metrics` wants; metrics are off without one.
    pub metrics_token: Option<String>,
}

/// How people sign in, and from where.
#[derive(Clone, Debug)]
pub struct SignInSettings {
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<proxy::Network>,
    /// Refuse password sign-in, except for the `break_glass` accounts:
    /// everyone else signs in through single sign-on.
    pub sso_only: bool,
    /// Emails of accounts that may still sign in with a password when
    /// `sso_only` is on (admins, for when the provider is down).
    pub break_glass: Vec<String>,
    /// How long a new API token works unless its maker chooses.
    pub token_days: i64,
}

impl Default for SignInSettings {
    fn default() -> SignInSettings {
        SignInSettings {
            trusted_proxies: Vec::new(),
            sso_only: false,
            break_glass: Vec::new(),
            token_days: 90,
        }
    }
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            secure_cookies: false,
            session_seconds: 12 * 3600,
            framework_source: String::new(),
            oidc: None,
            notify: notify::NotifySettings::default(),
            sign_in: SignInSettings::default(),
            retention: ladder_store::Retention::default(),
            notes_key: notes_key::NoteKey::default(),
            metrics_token: None,
        }
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("secure_cookies", &self.secure_cookies)
            .field("session_seconds", &self.session_seconds)
            .field("oidc", &self.oidc)
            .field("notify", &self.notify)
            .field("sign_in", &self.sign_in)
            .finish_non_exhaustive()
    }
}

/// Everything a request handler may use, cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    auth: auth::Auth,
    access: access::Access,
    framework: framework::Holder,
    sso: Option<sso::Sso>,
    settings: Settings,
    clock: Arc<dyn Clock>,
    sender: notify::Sender,
    /// This process's name in delivery leases.
    node: String,
    routine: routine::Memo,
    metrics: metrics::Metrics,
}

impl AppState {
    /// Loads the framework and prepares the state. Fails if the framework
    /// has errors: a server never starts on a broken framework.
    pub async fn new(
        store: Arc<dyn Store>,
        loader: Loader,
        settings: Settings,
        clock: Arc<dyn Clock>,
    ) -> Result<AppState, String> {
        let holder = framework::Holder::load(
            loader,
            store.clone(),
            settings.framework_source.clone(),
            clock.now(),
        )
        .await?;
        let sso = settings.oidc.clone().map(sso::Sso::new).transpose()?;
        let sender = notify::Sender::new(&settings.notify)?;
        let mut id = [0u8; 6];
        getrandom::fill(&mut id).map_err(|e| format!("no randomness for the node id: {e}"))?;
        let node = format!(
            "node-{}",
            id.iter().map(|b| format!("{b:02x}")).collect::<String>()
        );
        Ok(AppState(Arc::new(Inner {
            auth: auth::Auth::new(store.clone(), settings.clone()),
            access: access::Access::new(store, settings.notes_key.clone()),
            framework: holder,
            sso,
            settings,
            clock,
            sender,
            node,
            routine: routine::Memo::default(),
            metrics: metrics::Metrics::default(),
        })))
    }

    pub fn auth(&self) -> &auth::Auth {
        &self.0.auth
    }

    pub fn access(&self) -> &access::Access {
        &self.0.access
    }

    /// Single sign-on, if configured.
    pub fn sso(&self) -> Option<&sso::Sso> {
        self.0.sso.as_ref()
    }

    pub fn framework(&self) -> Arc<Loaded> {
        self.0.framework.current()
    }

    /// What a reload would make live: the framework folder, compiled but
    /// not live.
    pub async fn candidate_framework(&self) -> Result<Loaded, String> {
        self.0.framework.candidate().await
    }

    /// A stored release, compiled (to review a staged one).
    pub async fn stored_framework(&self, id: i64) -> Result<Loaded, String> {
        self.0.framework.stored(id).await
    }

    /// The id of the live framework release this node serves.
    pub fn framework_release(&self) -> i64 {
        self.0.framework.release()
    }

    /// Where new framework versions are read from.
    pub fn framework_source(&self) -> &str {
        self.0.framework.source()
    }

    /// Serves the store's live framework release if this node does not
    /// yet: every request does it first.
    pub async fn follow_framework(&self) -> Result<(), String> {
        self.0.framework.follow(self.now()).await
    }

    /// Reloads on SIGHUP: stages the framework folder and publishes it, on
    /// every node. On error the previous version stays in use.
    pub async fn reload_framework(&self) -> Result<Arc<Loaded>, String> {
        self.0.framework.publish_folder(self.now()).await?;
        self.follow_framework().await?;
        Ok(self.framework())
    }

    /// Drops expired sessions and stale login failures; returns how many
    /// sessions went.
    pub async fn sweep_sessions(&self) -> Result<u64, AppError> {
        self.0.auth.sweep(self.now()).await
    }

    pub fn now(&self) -> i64 {
        self.0.clock.now()
    }

    pub fn settings(&self) -> &Settings {
        &self.0.settings
    }

    /// Email and webhook transports.
    pub fn sender(&self) -> &notify::Sender {
        &self.0.sender
    }

    /// This process's name in delivery leases.
    pub fn node(&self) -> &str {
        &self.0.node
    }

    pub(crate) fn metrics(&self) -> &metrics::Metrics {
        &self.0.metrics
    }

    pub(crate) fn routine_memo(&self) -> &routine::Memo {
        &self.0.routine
    }
}

/// The whole app: every route of [`routes::ROUTES`], static assets, and
/// the security headers.
pub fn router(state: AppState) -> Router {
    let mut r: Router<AppState> = Router::new();
    for route in routes::ROUTES {
        r = r.route(route.path, (route.handler)());
    }
    r.fallback(http::page::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::record,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(http::text::BODY_LIMIT))
        .layer(axum::middleware::from_fn(http::text::text_at_the_edge))
        .layer(axum::middleware::from_fn(http::text::json_rejections))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            follow_framework,
        ))
        .layer(axum::middleware::from_fn(http::context::request_context))
        .layer(axum::middleware::from_fn(headers::security_headers))
        .with_state(state)
}

/// Before each request (but for static assets), the store's live
/// framework release, loaded if it changed: a publish on another node is
/// live here on the next request.
async fn follow_framework(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if !req.uri().path().starts_with("/assets/")
        && let Err(e) = state.follow_framework().await
    {
        tracing::error!(error = %e, "could not load the live framework release; serving the previous one");
    }
    next.run(req).await
}

/// Serves until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt as _;
    // Pages go out whole in one write; waiting to coalesce them (Nagle)
    // only adds latency.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(%e, "could not set TCP_NODELAY");
        }
    });
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
