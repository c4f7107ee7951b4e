//! A real SMTP server for tests: `aiosmtpd` from PyPI on 127.0.0.1, with
//! `smtp_sink.py` writing each message it receives, parsed, as a JSON
//! file into a folder (recipients, subject, `X-Ladder-Delivery`, text,
//! HTML). It stops when dropped, and by itself after ten minutes if the
//! test process dies first. Shared (`#[path]`) by the server's tests and
//! the binary's; the including crate has `spawned` beside it.

#![allow(dead_code)] // each test binary uses part of it

use super::spawned::Spawned;
use std::time::Duration;

/// A port nothing listens on (yet).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

pub struct SmtpSink {
    pub port: u16,
    folder: tempfile::TempDir,
    _process: Spawned,
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        SmtpSink::start_on(free_port(), None)
    }

    /// On a given port (one an app was told about before it listened),
    /// taking `delay` seconds to accept each message if given.
    pub fn start_on(port: u16, delay: Option<f64>) -> SmtpSink {
        let folder = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let python = std::env::var("LADDER_TEST_PYTHON").unwrap_or_else(|_| "python3".to_owned());
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../ladder-server/tests/support/smtp_sink.py"
        );
        let mut args = vec![
            script.to_owned(),
            port.to_string(),
            folder.path().display().to_string(),
        ];
        args.extend(delay.map(|d| d.to_string()));
        let process = Spawned::run(&python, &args, "pip install aiosmtpd");
        for _ in 0..300 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return SmtpSink {
                    port,
                    folder,
                    _process: process,
                };
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("aiosmtpd did not start on 127.0.0.1:{port} within 30 s (pip install aiosmtpd)");
    }

    /// Every message received so far, in order.
    pub fn messages(&self) -> Vec<serde_json::Value> {
        let mut files: Vec<_> = std::fs::read_dir(self.folder.path())
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.retain(|p: &std::path::PathBuf| p.extension().is_some_and(|x| x == "json"));
        files.sort();
        files
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .filter_map(|t| serde_json::from_str(&t).ok())
            .collect()
    }

    /// (recipient, subject) of each message.
    pub fn sent(&self) -> Vec<(String, String)> {
        self.messages()
            .iter()
            .map(|m| {
                (
                    m["rcpt_tos"][0].as_str().unwrap_or("").to_owned(),
                    m["subject"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect()
    }

    /// Each message's idempotency key (`X-Ladder-Delivery`).
    pub fn keys(&self) -> Vec<String> {
        self.messages()
            .iter()
            .map(|m| m["delivery"].as_str().unwrap_or("").to_owned())
            .collect()
    }

    /// Waits (up to 30 s) until at least `n` messages arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<serde_json::Value> {
        for _ in 0..300 {
            let m = self.messages();
            if m.len() >= n {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("expected {n} messages, got {:?}", self.messages());
    }

    /// Waits (up to 30 s) for a message whose subject contains `needle`.
    pub async fn wait_for_subject(&self, needle: &str) -> Vec<(String, String)> {
        for _ in 0..300 {
            let got = self.sent();
            if got.iter().any(|(_, s)| s.contains(needle)) {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no message about `{needle}`: {:?}", self.sent());
    }
}
