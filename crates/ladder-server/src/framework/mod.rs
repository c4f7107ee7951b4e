//! The framework the server runs on: loaded from the content repository at
//! start and on reload, compiled, rendered once with the static-site
//! renderer, and recorded in the store by content hash; the home page and
//! the framework site ([`pages`]) and its API ([`api`]).

pub(crate) mod api;
pub(crate) mod pages;
pub(crate) mod review;

use axum::body::Bytes;
use ladder_framework::{FileSet, Framework, compile};
use ladder_store::Store;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

/// Reads the framework's files (the binary reads a directory).
pub type Loader = Arc<dyn Fn() -> Result<FileSet, String> + Send + Sync>;

/// One loaded version.
#[derive(Debug)]
pub struct Loaded {
    pub framework: Framework,
    /// The rendered site's files by path, served under `/framework/`
    /// (reference-counted, so serving one copies nothing).
    pub site: BTreeMap<String, Bytes>,
    /// SHA-256 over every file's path and bytes, in path order.
    pub hash: String,
    pub summary: String,
}

impl Loaded {
    pub fn from_files(files: &FileSet) -> Result<Loaded, String> {
        let (framework, diags) = compile(files);
        let errors: Vec<String> = diags
            .iter()
            .filter(|d| d.is_error())
            .map(|d| {
                format!(
                    "{}:{}:{}: {}",
                    d.span.file, d.span.line, d.span.column, d.message
                )
            })
            .collect();
        if !errors.is_empty() {
            return Err(format!(
                "the framework has {} error(s); run `ladder check` on it:\n{}",
                errors.len(),
                errors.join("\n")
            ));
        }
        let (site, diags) = ladder_site::build(&framework, files);
        if let Some(d) = diags.iter().find(|d| d.is_error()) {
            return Err(format!("the framework's pages do not build: {}", d.message));
        }
        let mut h = Sha256::new();
        for p in files.paths() {
            h.update(p.as_bytes());
            h.update([0]);
            h.update(files.text(p).unwrap_or("").as_bytes());
            h.update([0]);
        }
        let hash = hex(&h.finalize());
        let summary = format!(
            "{} families, {} layers, {} statements",
            framework.families.len(),
            framework.layers.len(),
            framework.items.len()
        );
        Ok(Loaded {
            framework,
            site: site
                .files
                .into_iter()
                .map(|(path, bytes)| {
                    let bytes = if path.ends_with(".html") {
                        with_way_back(bytes)
                    } else {
                        bytes
                    };
                    (path, Bytes::from(bytes))
                })
                .collect(),
            hash,
            summary,
        })
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

pub(crate) struct Holder {
    loader: Loader,
    store: Arc<dyn Store>,
    source: String,
    current: RwLock<Arc<Loaded>>,
}

impl std::fmt::Debug for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Holder")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

/// Reads, compiles and renders the framework off the async threads, and
/// records the version in the store.
async fn fetch(
    loader: &Loader,
    store: &dyn Store,
    source: &str,
    now: i64,
) -> Result<Arc<Loaded>, String> {
    let loader = loader.clone();
    let loaded = tokio::task::spawn_blocking(move || loader().and_then(|f| Loaded::from_files(&f)))
        .await
        .map_err(|e| format!("loading the framework failed: {e}"))??;
    // Every node records each load: the event tells the others (and,
    // later, whom a new version affects) which content is live.
    let record = ladder_store::Record::system(now, "framework.load", None, &loaded.hash)
        .data(serde_json::json!({ "hash": loaded.hash, "summary": loaded.summary }));
    let new = store
        .record_framework(&loaded.hash, source, &loaded.summary, now, &record)
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!(hash = %loaded.hash, new, summary = %loaded.summary, "framework loaded");
    Ok(Arc::new(loaded))
}

impl Holder {
    /// Loads the first version; fails if the framework has errors.
    pub(crate) async fn load(
        loader: Loader,
        store: Arc<dyn Store>,
        source: String,
        now: i64,
    ) -> Result<Holder, String> {
        let first = fetch(&loader, store.as_ref(), &source, now).await?;
        Ok(Holder {
            loader,
            store,
            source,
            current: RwLock::new(first),
        })
    }

    pub(crate) fn current(&self) -> Arc<Loaded> {
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Reads and compiles what a reload would make live, without making
    /// it live or recording it: the candidate a review compares.
    pub(crate) async fn candidate(&self) -> Result<Loaded, String> {
        let loader = self.loader.clone();
        tokio::task::spawn_blocking(move || loader().and_then(|f| Loaded::from_files(&f)))
            .await
            .map_err(|e| format!("loading the framework failed: {e}"))?
    }

    /// Loads the framework again; on error the current version stays.
    pub(crate) async fn reload(&self, now: i64) -> Result<Arc<Loaded>, String> {
        let loaded = fetch(&self.loader, self.store.as_ref(), &self.source, now).await?;
        *self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = loaded.clone();
        Ok(loaded)
    }
}

/// The static framework pages, served inside the app, get a link back to
/// it in their header's navigation.
fn with_way_back(page: Vec<u8>) -> Vec<u8> {
    const END: &str = "</nav></header>";
    match String::from_utf8(page) {
        Ok(html) => html
            .replacen(END, &format!(" <a href=\"/\">Back to Ladder</a>{END}"), 1)
            .into_bytes(),
        Err(e) => e.into_bytes(),
    }
}
