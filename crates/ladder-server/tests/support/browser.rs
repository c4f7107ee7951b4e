//! A headless Chromium for end-to-end tests: Debian's `chromium`, driven
//! through `chromium-driver` with fantoccini. Shared by the server's
//! browser tests and the binary's demo test (`#[path]`), so it needs
//! nothing from either's support code.

#![allow(dead_code)] // each test binary uses part of it

// The server's browser tests also load it through `support`; the binary's
// demo test has only this copy.
#[allow(clippy::duplicate_mod)]
#[path = "spawned.rs"]
mod spawned;

use fantoccini::{ClientBuilder, Locator};
use serde_json::json;
use spawned::Spawned;
use std::net::SocketAddr;
use std::time::Duration;

/// ChromeDriver on a free port, with a headless Chromium in a fresh
/// profile. Both stop when dropped (ChromeDriver's process group goes), and
/// by themselves after ten minutes if this process dies first.
pub struct Browser {
    pub client: fantoccini::Client,
    _driver: Spawned,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start() -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver_bin =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".to_owned());
        let driver = Spawned::run(
            &driver_bin,
            &[format!("--port={port}")],
            "apt-get install chromium chromium-driver",
        );
        let profile = tempfile::tempdir().unwrap();
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".to_owned(),
            json!({
                "binary": chromium,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    "--disable-dev-shm-usage",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
        );
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let mut last = String::new();
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(addr).await.is_ok() {
                match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                    .capabilities(caps.clone())
                    .connect(&format!("http://{addr}"))
                    .await
                {
                    Ok(client) => {
                        return Browser {
                            client,
                            _driver: driver,
                            _profile: profile,
                        };
                    }
                    Err(e) => last = e.to_string(),
                }
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("could not start Chromium through chromedriver on {addr}: {last}");
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let el = self.client.find(Locator::Css(css)).await.unwrap();
        el.clear().await.unwrap();
        el.send_keys(text).await.unwrap();
    }

    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    /// Waits (up to 10 s) for an element whose text contains `needle` and
    /// returns its text. Polling rides over the moment a click's
    /// navigation replaces the page (stale elements, the old page's text).
    pub async fn wait_text(&self, css: &str, needle: &str) -> String {
        let mut last = String::from("(not found)");
        for _ in 0..100 {
            if let Ok(el) = self.client.find(Locator::Css(css)).await
                && let Ok(text) = el.text().await
            {
                if text.contains(needle) {
                    return text;
                }
                last = text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("`{css}` never contained `{needle}`; last seen: {last}");
    }

    pub async fn path(&self) -> String {
        self.client.current_url().await.unwrap().path().to_owned()
    }
}
