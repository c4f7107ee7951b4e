//! `GET /metrics`: what Prometheus scrapes from a node, in the OpenMetrics
//! text format (the `prometheus-client` crate).
//!
//! Off unless a token is configured (`metrics_token` in the config file,
//! or `LADDER_METRICS_TOKEN`, which wins): the scraper sends it as a bearer
//! token (`Authorization: Bearer …`). Without it, or with another, the
//! answer is 401 (403 while metrics are off). No session of any role reads
//! it, and it names no one: only routes, counts and queues.
//!
//! - `ladder_http_request_duration_seconds{method,route,status}`: a
//!   latency histogram per route of the route table (`route` is its
//!   pattern, `/people/{id}`, never a concrete path; `status` its class,
//!   `2xx` … `5xx`), recorded by the [`record`] middleware;
//! - `ladder_db_pool_connections{state}`: open and idle connections, and
//!   `ladder_db_pool_max_connections`;
//! - `ladder_messages{state}`: the notification outbox by state (pending
//!   and held are its depth, failed the deliveries given up on);
//! - `ladder_people`, `ladder_accounts`: the organisation's size;
//! - `ladder_framework_release`: the release this node serves;
//! - `ladder_routine_ticks_total`, `ladder_routine_tick_failures_total`:
//!   the routine's ticks on this node that finished, and that failed (a
//!   node whose count stands still has stopped moving dates and sending).

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ladder_store::MessageState;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::time::Instant;

/// The latency buckets, in seconds: from a millisecond to thirty seconds.
const BUCKETS: [f64; 14] = [
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0,
];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabel {
    state: String,
}

fn latency() -> Histogram {
    Histogram::new(BUCKETS)
}

/// A node's metrics: the registry and the handles that fill it.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Histogram, fn() -> Histogram>,
    pool: Family<StateLabel, Gauge>,
    pool_max: Gauge,
    messages: Family<StateLabel, Gauge>,
    people: Gauge,
    accounts: Gauge,
    release: Gauge,
    ticks: Counter,
    tick_failures: Counter,
}

impl Metrics {
    /// Counts a tick of the routine, by how it ended.
    pub(crate) fn tick(&self, ok: bool) {
        if ok {
            self.ticks.inc();
        } else {
            self.tick_failures.inc();
        }
    }
}

impl Default for Metrics {
    fn default() -> Metrics {
        let mut registry = Registry::with_prefix("ladder");
        let requests: Family<RequestLabels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(latency);
        registry.register(
            "http_request_duration_seconds",
            "Time to answer a request, per route pattern and status class",
            requests.clone(),
        );
        let pool = Family::<StateLabel, Gauge>::default();
        registry.register(
            "db_pool_connections",
            "Database connections open and idle",
            pool.clone(),
        );
        let pool_max = Gauge::default();
        registry.register(
            "db_pool_max_connections",
            "The most connections the pool opens",
            pool_max.clone(),
        );
        let messages = Family::<StateLabel, Gauge>::default();
        registry.register(
            "messages",
            "Notification messages by state: pending and held wait in the outbox, failed were given up on",
            messages.clone(),
        );
        let people = Gauge::default();
        registry.register("people", "People in the organisation", people.clone());
        let accounts = Gauge::default();
        registry.register("accounts", "Accounts that may sign in", accounts.clone());
        let release = Gauge::default();
        registry.register(
            "framework_release",
            "The framework release this node serves",
            release.clone(),
        );
        let ticks = Counter::default();
        registry.register(
            "routine_ticks",
            "Ticks of the routine (dates, reminders, sending) this node finished",
            ticks.clone(),
        );
        let tick_failures = Counter::default();
        registry.register(
            "routine_tick_failures",
            "Ticks of the routine on this node that failed (the next one tries again)",
            tick_failures.clone(),
        );
        Metrics {
            registry,
            ticks,
            tick_failures,
            requests,
            pool,
            pool_max,
            messages,
            people,
            accounts,
            release,
        }
    }
}

/// Times every request that reached a route, by its pattern.
pub async fn record(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(none)".to_owned(), |m| m.as_str().to_owned());
    // Any token is a method to HTTP: label the standard ones, so that a
    // client inventing methods cannot grow the label set.
    let method = match req.method().as_str() {
        m @ ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS") => m,
        _ => "other",
    }
    .to_owned();
    // A span of time measured, not a time of day: the app's clock (which
    // tests move by hand) has nothing to say about it.
    #[allow(clippy::disallowed_methods)]
    let started = Instant::now();
    let res = next.run(req).await;
    let status = format!("{}xx", res.status().as_u16() / 100);
    s.metrics()
        .requests
        .get_or_create(&RequestLabels {
            method,
            route,
            status,
        })
        .observe(started.elapsed().as_secs_f64());
    res
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// `GET /metrics`.
pub async fn metrics(State(s): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = s.settings().metrics_token.as_deref() else {
        return (
            StatusCode::FORBIDDEN,
            "metrics are off: set `metrics_token` in the config file or LADDER_METRICS_TOKEN",
        )
            .into_response();
    };
    let sent = bearer(&headers).unwrap_or_default();
    if !crate::access::constant_eq(sent.as_bytes(), token.as_bytes()) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "send the metrics token as `Authorization: Bearer TOKEN`",
        )
            .into_response();
    }
    let m = s.metrics();
    match s.access().vitals().await {
        Ok(v) => {
            m.people.set(v.people);
            m.accounts.set(v.accounts);
            for (state, n) in [("open", v.pool.open), ("idle", v.pool.idle)] {
                m.pool
                    .get_or_create(&StateLabel {
                        state: state.to_owned(),
                    })
                    .set(i64::from(n));
            }
            m.pool_max.set(i64::from(v.pool.max));
            // A state with no message left reads 0, not its last count.
            for state in [
                MessageState::Held,
                MessageState::Pending,
                MessageState::Sent,
                MessageState::Failed,
                MessageState::Digested,
            ] {
                let n = v
                    .messages
                    .iter()
                    .find(|(s, _)| *s == state)
                    .map_or(0, |(_, n)| *n);
                m.messages
                    .get_or_create(&StateLabel {
                        state: state.as_str().to_owned(),
                    })
                    .set(n);
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "metrics: the database did not answer");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "the database does not answer; the details are in the server log",
            )
                .into_response();
        }
    }
    m.release.set(s.framework_release());
    let mut text = String::new();
    if prometheus_client::encoding::text::encode(&mut text, &m.registry).is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response()
}
