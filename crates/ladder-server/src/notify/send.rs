//! Sending: email over SMTP (lettre: plain, STARTTLS or implicit TLS,
//! optional authentication) and chat webhooks (a JSON POST signed with
//! HMAC-SHA256), and the delivery worker that claims due messages with a
//! lease and records each attempt.

use super::render::{Rendered, render, render_digest};
use crate::access::Params;
use crate::{AppError, AppState};
use hmac::{Hmac, Mac};
use ladder_store::{Channel, Message, Outcome};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// The header carrying a webhook body's signature:
/// `sha256=<hex HMAC-SHA256 of the body, keyed with the hook's secret>`.
pub const SIGNATURE_HEADER: &str = "X-Ladder-Signature";
/// The header (email and webhooks) carrying the message's idempotency key:
/// a receiver that sees it twice has the same message twice.
pub const KEY_HEADER: &str = "X-Ladder-Delivery";
/// The longest one attempt takes: SMTP gives up after 20 s, webhooks
/// after 10 s. A node claims no more messages than it can try within its
/// lease.
pub const SEND_SECONDS: i64 = 30;
/// Attempts before a message is given up on.
pub const MAX_ATTEMPTS: i64 = 6;
/// Failed attempts in a row after which a webhook is marked failing (and
/// gets nothing more until an admin registers it again).
pub const WEBHOOK_FAILING_AFTER: i64 = 5;

/// How the SMTP connection is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain SMTP (a relay on the same host or network).
    None,
    /// STARTTLS, usually on port 587.
    StartTls,
    /// Implicit TLS, usually on port 465.
    Tls,
}

/// Where and how to send email.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender, `Ladder <ladder@example.com>`.
    pub from: String,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

/// Notification settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotifySettings {
    /// The URL people reach Ladder at, for links (no trailing slash).
    pub public_url: String,
    /// Without it, email stays in the delivery log, unsent.
    pub smtp: Option<SmtpSettings>,
    /// How long a node holds a claimed message before another may take it.
    pub lease_seconds: i64,
}

impl Default for NotifySettings {
    fn default() -> NotifySettings {
        NotifySettings {
            public_url: "http://localhost:8080".to_owned(),
            smtp: None,
            lease_seconds: 120,
        }
    }
}

/// The configured transports, built once.
#[derive(Clone)]
pub struct Sender {
    mailer: Option<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)>,
    http: reqwest::Client,
    base: String,
}

impl std::fmt::Debug for Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sender")
            .field("email", &self.mailer.is_some())
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl Sender {
    /// Builds the transports; a setting that cannot work is named.
    pub fn new(s: &NotifySettings) -> Result<Sender, String> {
        let mailer = match &s.smtp {
            None => None,
            Some(smtp) => {
                let from: Mailbox = smtp.from.parse().map_err(|e| {
                    format!("smtp.from `{}` is not an email address: {e}", smtp.from)
                })?;
                let builder = match smtp.security {
                    Security::None => {
                        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.clone())
                    }
                    Security::StartTls => {
                        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)
                            .map_err(|e| format!("smtp.host `{}`: {e}", smtp.host))?
                    }
                    Security::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host)
                        .map_err(|e| format!("smtp.host `{}`: {e}", smtp.host))?,
                };
                let mut builder = builder
                    .port(smtp.port)
                    .timeout(Some(Duration::from_secs(20)));
                match (&smtp.username, &smtp.password) {
                    (Some(u), Some(p)) => {
                        builder = builder.credentials(Credentials::new(u.clone(), p.clone()));
                    }
                    (Some(_), None) => {
                        return Err(
                            "smtp.username is set without smtp.password (or LADDER_SMTP_PASSWORD)"
                                .to_owned(),
                        );
                    }
                    _ => {}
                }
                Some((builder.build(), from))
            }
        };
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("the webhook client: {e}"))?;
        Ok(Sender {
            mailer,
            http,
            base: s.public_url.trim_end_matches('/').to_owned(),
        })
    }

    pub fn sends_email(&self) -> bool {
        self.mailer.is_some()
    }

    /// Renders a stored message.
    pub fn render(&self, m: &Message) -> Rendered {
        if m.new.kind == "digest" {
            let data = serde_json::from_str(&m.new.data).unwrap_or_default();
            return render_digest(&data, &self.base);
        }
        let p: Params = serde_json::from_str(&m.new.data).unwrap_or_default();
        render(&m.new.kind, &p, &self.base)
    }

    /// Sends one email; the server's answer on success.
    pub async fn email(&self, to: &str, r: &Rendered, key: &str) -> Result<String, SendError> {
        let Some((mailer, from)) = &self.mailer else {
            return Err(SendError::permanent("no SMTP server is configured"));
        };
        let to: Mailbox = to
            .parse()
            .map_err(|e| SendError::permanent(format!("`{to}` is not an email address: {e}")))?;
        let mut email = lettre::Message::builder()
            .from(from.clone())
            .to(to)
            .subject(r.subject.clone())
            .message_id(Some(format!("<{}@ladder>", short_hash(key))))
            .multipart(MultiPart::alternative_plain_html(
                r.text.clone(),
                r.html.clone(),
            ))
            .map_err(|e| SendError::permanent(format!("the message could not be built: {e}")))?;
        email.headers_mut().insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str(KEY_HEADER),
            key.to_owned(),
        ));
        match mailer.send(email).await {
            Ok(answer) => Ok(format!(
                "{} {}",
                answer.code(),
                answer.message().collect::<Vec<_>>().join(" ")
            )),
            Err(e) => Err(SendError {
                permanent: e.is_permanent(),
                message: format!("SMTP: {e}"),
            }),
        }
    }

    /// POSTs a chat message; Slack and Teams incoming webhooks take the
    /// `text` field as is.
    async fn webhook(
        &self,
        url: &str,
        secret: &str,
        m: &Message,
        r: &Rendered,
    ) -> Result<(), SendError> {
        let body = serde_json::json!({
            "text": format!("{} <{}>", r.subject, r.link),
            "kind": m.new.kind,
            "subject": r.subject,
            "link": r.link,
            "delivery": m.new.key,
        })
        .to_string();
        let res = self
            .http
            .post(url)
            .header("Content-Type", "application/json")
            .header(SIGNATURE_HEADER, signature(secret, body.as_bytes()))
            .header(KEY_HEADER, &m.new.key)
            .body(body)
            .send()
            .await
            .map_err(|e| SendError::transient(format!("webhook: {e}")))?;
        let status = res.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(SendError {
                // 4xx other than "too many requests" will not get better.
                permanent: status.is_client_error() && status.as_u16() != 429,
                message: format!("webhook answered {status}"),
            })
        }
    }
}

/// Why a send failed, and whether trying again can help.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendError {
    pub permanent: bool,
    pub message: String,
}

impl SendError {
    fn permanent(m: impl Into<String>) -> SendError {
        SendError {
            permanent: true,
            message: m.into(),
        }
    }

    fn transient(m: impl Into<String>) -> SendError {
        SendError {
            permanent: false,
            message: m.into(),
        }
    }
}

/// `sha256=<hex>`: HMAC-SHA256 of `body` keyed with `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        // HMAC takes keys of any length; this arm is not reached.
        Err(_) => return String::new(),
    };
    mac.update(body);
    format!("sha256={}", hex(&mac.finalize().into_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn short_hash(key: &str) -> String {
    hex(&Sha256::digest(key.as_bytes()))
        .chars()
        .take(32)
        .collect()
}

/// When to try again after `attempts` attempts: a minute, then doubling,
/// at most six hours.
pub fn backoff(attempts: i64) -> i64 {
    let exp = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    (60_i64.saturating_mul(2_i64.saturating_pow(exp))).min(6 * 3600)
}

/// Claims and sends due messages (up to `limit`), recording each attempt.
/// Returns how many were claimed.
pub async fn deliver(state: &AppState, limit: i64) -> Result<usize, AppError> {
    let sender = state.sender();
    let notifier = state.access().notifier();
    let node = state.node();
    let now = state.now();
    let lease = state.settings().notify.lease_seconds;
    let claimed = notifier
        .claim(node, sender.sends_email(), now, lease, limit)
        .await?;
    let hooks = state.access().notifier().webhooks().await?;
    for m in &claimed {
        let r = sender.render(m);
        let result = match m.new.channel {
            Channel::Email => sender
                .email(&m.new.address, &r, &m.new.key)
                .await
                .map(|_| ()),
            Channel::Webhook => match hooks.iter().find(|h| Some(h.id) == m.new.webhook_id) {
                Some(h) => sender.webhook(&h.url, &h.secret, m, &r).await,
                None => Err(SendError::permanent("the webhook was removed")),
            },
        };
        let outcome = match result {
            Ok(()) => Outcome::Sent,
            Err(e) if e.permanent || m.attempts >= MAX_ATTEMPTS => {
                tracing::warn!(message = m.id, kind = %m.new.kind, error = %e.message, "delivery failed for good");
                Outcome::GiveUp { error: e.message }
            }
            Err(e) => {
                tracing::info!(message = m.id, kind = %m.new.kind, error = %e.message, "delivery failed; will retry");
                Outcome::Retry {
                    error: e.message,
                    at: state.now() + backoff(m.attempts),
                }
            }
        };
        notifier
            .finish(m.id, node, &outcome, WEBHOOK_FAILING_AFTER, state.now())
            .await?;
    }
    Ok(claimed.len())
}
