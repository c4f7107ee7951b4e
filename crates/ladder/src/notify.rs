//! Email settings (the config file's `[smtp]` table and `LADDER_SMTP_*`)
//! and `ladder notify test`.

use ladder_server::notify::{NotifySettings, Security, Sender, SmtpSettings, render::Rendered};
use serde::Deserialize;

/// The `[smtp]` table. Every field may also come from the environment
/// (`LADDER_SMTP_HOST`, `_PORT`, `_SECURITY`, `_USERNAME`, `_PASSWORD`,
/// `_FROM`), which wins.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    host: Option<String>,
    port: Option<u16>,
    /// `none`, `starttls` or `tls`.
    security: Option<Security>,
    username: Option<String>,
    password: Option<String>,
    from: Option<String>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(format!("LADDER_SMTP_{name}"))
        .ok()
        .filter(|v| !v.is_empty())
}

/// The SMTP settings from the file and the environment; `None` when no
/// host is given anywhere (email then stays in the delivery log).
pub fn smtp(file: Option<&SmtpConfig>) -> Result<Option<SmtpSettings>, String> {
    let empty = SmtpConfig::default();
    let f = file.unwrap_or(&empty);
    let Some(host) = env("HOST").or(f.host.clone()) else {
        return Ok(None);
    };
    let security = match env("SECURITY") {
        Some(s) => match s.as_str() {
            "none" => Security::None,
            "starttls" => Security::StartTls,
            "tls" => Security::Tls,
            other => {
                return Err(format!(
                    "LADDER_SMTP_SECURITY `{other}`: use none, starttls or tls"
                ));
            }
        },
        None => f.security.unwrap_or(Security::StartTls),
    };
    let port = match env("PORT") {
        Some(p) => p
            .parse()
            .map_err(|_| format!("LADDER_SMTP_PORT `{p}` is not a port number"))?,
        None => f.port.unwrap_or(match security {
            Security::None => 25,
            Security::StartTls => 587,
            Security::Tls => 465,
        }),
    };
    let from = env("FROM")
        .or(f.from.clone())
        .ok_or("smtp.from (or LADDER_SMTP_FROM) is needed: the address messages come from")?;
    Ok(Some(SmtpSettings {
        host,
        port,
        security,
        username: env("USERNAME").or(f.username.clone()),
        password: env("PASSWORD").or(f.password.clone()),
        from,
    }))
}

/// The settings for a server reached at `public`.
pub fn settings(
    public: &str,
    smtp: Option<SmtpSettings>,
    lease: Option<i64>,
) -> Result<NotifySettings, String> {
    let defaults = NotifySettings::default();
    let lease_seconds = match lease {
        None => defaults.lease_seconds,
        Some(s) if (1..=3600).contains(&s) => s,
        Some(s) => {
            return Err(format!(
                "delivery_lease_seconds = {s}: use 1 to 3600 (default 120)"
            ));
        }
    };
    Ok(NotifySettings {
        public_url: public.trim_end_matches('/').to_owned(),
        smtp,
        lease_seconds,
    })
}

/// `ladder notify test --to ADDRESS`: sends one message and prints what
/// the server answered.
pub fn test(to: &str, file: Option<&SmtpConfig>) -> Result<u8, String> {
    let Some(smtp) = smtp(file)? else {
        return Err(
            "no SMTP server is configured: set [smtp] host in --config or LADDER_SMTP_HOST"
                .to_owned(),
        );
    };
    let where_ = format!("{}:{}", smtp.host, smtp.port);
    let sender = Sender::new(&settings("http://localhost", Some(smtp), None)?)?;
    let message = Rendered {
        subject: "Ladder: a test message".to_owned(),
        text: "This is a test message from Ladder. Email works.\n".to_owned(),
        html: "<!doctype html><html lang=\"en\"><body><p>This is a test message from Ladder. Email works.</p></body></html>".to_owned(),
        link: String::new(),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    match rt.block_on(sender.email(to, &message, "test")) {
        Ok(answer) => {
            println!("Sent to {to} through {where_}. The server answered: {answer}");
            Ok(0)
        }
        Err(e) => Err(format!("could not send through {where_}: {}", e.message)),
    }
}
