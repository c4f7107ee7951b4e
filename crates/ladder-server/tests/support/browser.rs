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
    /// The pages axe has checked (their path and query, and the state of
    /// their main form: shown again with an error is a page of its own).
    checked: std::sync::Mutex<std::collections::BTreeSet<String>>,
    /// The app's host and port: the first one visited. Pages elsewhere
    /// (the test OpenID Connect provider's) are not ours to check.
    origin: std::sync::Mutex<Option<String>>,
}

/// axe-core, vendored from the npm registry (`npm pack axe-core@4.10.3`;
/// MPL-2.0, `axe/LICENSE`), run in every page the browser tests reach.
const AXE: &str = include_str!("axe/axe.min.js");

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
                            checked: std::sync::Mutex::default(),
                            origin: std::sync::Mutex::default(),
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
        self.axe().await;
    }

    /// Runs axe-core on the page now shown, once per page (path, query,
    /// and whether it shows an error), and fails on any violation of any
    /// impact, naming the rule and the elements.
    pub async fn axe(&self) {
        let Ok(url) = self.client.current_url().await else {
            return;
        };
        if url.scheme() != "http" {
            return;
        }
        let here = format!(
            "{}:{}",
            url.host_str().unwrap_or(""),
            url.port().unwrap_or(80)
        );
        if self
            .origin
            .lock()
            .unwrap()
            .get_or_insert_with(|| here.clone())
            != &here
        {
            return;
        }
        let has_error = self
            .client
            .execute(
                "return document.querySelector('[role=alert]') !== null;",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        let key = format!("{}?{}#{}", url.path(), url.query().unwrap_or(""), has_error);
        if !self.checked.lock().unwrap().insert(key.clone()) {
            return;
        }
        let loaded = self
            .client
            .execute("return typeof window.axe !== 'undefined';", vec![])
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if !loaded {
            self.client.execute(AXE, vec![]).await.unwrap();
        }
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                   .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): '
                     + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
                   .catch(e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await
            .unwrap();
        let violations: Vec<String> = serde_json::from_value(result).unwrap_or_default();
        assert!(
            violations.is_empty(),
            "axe found violations on {key}:\n{}",
            violations.join("\n")
        );
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
                    self.axe().await;
                    return text;
                }
                last = text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("`{css}` never contained `{needle}`; last seen: {last}");
    }

    /// A phone's screen: 390 CSS pixels wide.
    pub async fn phone(&self) {
        self.client.set_window_size(390, 844).await.unwrap();
    }

    pub async fn desktop(&self) {
        self.client.set_window_size(1280, 900).await.unwrap();
    }

    /// On a phone: nothing on the page is wider than the screen (`what`
    /// names the page in the failure).
    pub async fn assert_fits_the_screen(&self, what: &str) {
        let v = self
            .client
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth];",
                vec![],
            )
            .await
            .unwrap();
        let (scroll, width) = (v[0].as_i64().unwrap(), v[1].as_i64().unwrap());
        assert!(width <= 400, "the window is a phone's: {width}");
        assert!(
            scroll <= width,
            "{what} is {scroll} px wide in a {width} px screen"
        );
    }

    pub async fn path(&self) -> String {
        self.client.current_url().await.unwrap().path().to_owned()
    }
}
