//! The framework the server runs on: compiled, rendered once with the
//! static-site renderer, and recorded in the store by content hash; the
//! home page and the framework site ([`pages`]) and its API ([`api`]).
//!
//! Which version is live is decided in the store: a release staged from
//! the framework folder (or a git revision) and published ([`Holder`]
//! stages and publishes the folder's version at the first start, and on
//! reload). Every node checks the live release on each request
//! ([`Holder::follow`]) and loads it from the store when it changed, so a
//! publish or a rollback on one node is live on all of them at once.

pub(crate) mod api;
pub(crate) mod pages;
pub(crate) mod review;

use axum::body::Bytes;
use ladder_framework::{FileSet, Framework, compile};
use ladder_store::Store;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
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
    /// The files it was compiled from, to stage it as a release.
    pub files: FileSet,
    /// Worksheets by role (family, level, specialty), each computed once
    /// for this version: a person's page then costs a lookup and their
    /// ratings. A new version is a new `Loaded`, with an empty cache.
    worksheets: std::sync::Mutex<WorksheetCache>,
    /// Views over the whole organisation (the pay report, a chain's pay),
    /// each computed once for this version and one version of the
    /// organisation: see [`Loaded::view`].
    views: std::sync::Mutex<ViewCache>,
    /// Rendered parts of per-person pages (a worksheet's body), kept
    /// for this version while their stamps hold: see [`crate::http::kept`].
    pub pages: crate::http::kept::Kept,
    /// One computation of a view at a time: requests that miss together
    /// wait for the first one's result instead of each computing it.
    computing: tokio::sync::Mutex<()>,
}

/// Views by (kind, what it is of), with the organisation's version each
/// was computed at.
type ViewCache =
    std::collections::HashMap<(&'static str, String), (i64, Arc<dyn std::any::Any + Send + Sync>)>;

/// Views a version keeps; past it, those of older versions of the
/// organisation go, and then all.
const VIEWS_KEPT: usize = 64;

type WorksheetCache = std::collections::HashMap<
    (String, String, Option<String>),
    Arc<ladder_growth::worksheet::Worksheet>,
>;

/// Roles a version keeps worksheets for; past it the cache starts again
/// (a framework has far fewer roles: families × levels × specialties).
const WORKSHEETS_KEPT: usize = 10_000;

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
        let hash = content_hash(files);
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
            files: files.clone(),
            worksheets: std::sync::Mutex::default(),
            views: std::sync::Mutex::default(),
            pages: crate::http::kept::Kept::default(),
            computing: tokio::sync::Mutex::const_new(()),
        })
    }

    /// The worksheet of a role in this version, computed on first use.
    pub fn worksheet(
        &self,
        family: &str,
        level: &str,
        specialty: Option<&str>,
    ) -> Result<Arc<ladder_growth::worksheet::Worksheet>, ladder_framework::resolve::ViewError>
    {
        let key = (
            family.to_owned(),
            level.to_owned(),
            specialty.map(str::to_owned),
        );
        if let Ok(cache) = self.worksheets.lock()
            && let Some(w) = cache.get(&key)
        {
            return Ok(Arc::clone(w));
        }
        let w = Arc::new(ladder_growth::worksheet::worksheet(
            &self.framework,
            family,
            level,
            specialty,
        )?);
        if let Ok(mut cache) = self.worksheets.lock() {
            if cache.len() >= WORKSHEETS_KEPT {
                cache.clear();
            }
            cache.insert(key, Arc::clone(&w));
        }
        Ok(w)
    }

    /// A view of `kind` over `of` (a day, a viewer), computed by `compute`
    /// from the organisation at `org_version` and this framework version,
    /// once: later calls at the same organisation version share it. A
    /// newer organisation version computes it afresh and replaces it; a
    /// new framework version is a new `Loaded`, with no views.
    ///
    /// Only what the caller was allowed to compute goes in, under a key
    /// that says whose it is: the cache decides nothing about access.
    ///
    /// One view is computed at a time (the others that miss wait for it,
    /// then find theirs or compute it), so `compute` must not ask for
    /// another view: it would wait for itself.
    pub async fn view<T, E>(
        &self,
        kind: &'static str,
        of: &str,
        org_version: i64,
        compute: impl Future<Output = Result<T, E>>,
    ) -> Result<Arc<T>, E>
    where
        T: Send + Sync + 'static,
    {
        let key = (kind, of.to_owned());
        let cached = || {
            let cache = self.views.lock().ok()?;
            let (version, view) = cache.get(&key)?;
            (*version == org_version)
                .then(|| Arc::clone(view).downcast::<T>().ok())
                .flatten()
        };
        if let Some(v) = cached() {
            return Ok(v);
        }
        let _one = self.computing.lock().await;
        if let Some(v) = cached() {
            return Ok(v);
        }
        let v = Arc::new(compute.await?);
        if let Ok(mut cache) = self.views.lock() {
            let older = cache.get(&key).is_none_or(|(at, _)| *at <= org_version);
            if older {
                if cache.len() >= VIEWS_KEPT {
                    cache.retain(|_, (at, _)| *at >= org_version);
                    if cache.len() >= VIEWS_KEPT {
                        cache.clear();
                    }
                }
                let shared: Arc<dyn std::any::Any + Send + Sync> = v.clone();
                cache.insert(key, (org_version, shared));
            }
        }
        Ok(v)
    }

    /// The release to stage for this version.
    pub fn release(
        &self,
        source: &str,
        by: Option<i64>,
        at: i64,
    ) -> ladder_store::NewFrameworkRelease {
        ladder_store::NewFrameworkRelease {
            hash: self.hash.clone(),
            source: source.to_owned(),
            summary: self.summary.clone(),
            files: self.files.to_json(),
            by,
            at,
        }
    }
}

/// SHA-256 over every file's path and text, in path order: a version's
/// identity.
pub fn content_hash(files: &FileSet) -> String {
    let mut h = Sha256::new();
    for p in files.paths() {
        h.update(p.as_bytes());
        h.update([0]);
        h.update(files.text(p).unwrap_or("").as_bytes());
        h.update([0]);
    }
    hex(&h.finalize())
}

/// A stored release, compiled off the async threads.
async fn load_release(store: &dyn Store, id: i64) -> Result<Loaded, String> {
    let json = store
        .framework_files(id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no framework release {id}"))?;
    tokio::task::spawn_blocking(move || Loaded::from_files(&FileSet::from_json(&json)?))
        .await
        .map_err(|e| format!("loading the framework failed: {e}"))?
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
    /// The id of the live release this node serves.
    release: AtomicI64,
    /// One load of a new release at a time.
    following: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Holder")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

/// Reads, compiles and renders the framework folder off the async threads.
async fn read(loader: &Loader) -> Result<Loaded, String> {
    let loader = loader.clone();
    tokio::task::spawn_blocking(move || loader().and_then(|f| Loaded::from_files(&f)))
        .await
        .map_err(|e| format!("loading the framework failed: {e}"))?
}

/// Records a version the server loaded (every node records each load: the
/// event tells the others which content is live).
async fn record(store: &dyn Store, loaded: &Loaded, source: &str, now: i64) -> Result<(), String> {
    let record = ladder_store::Record::system(now, "framework.load", None, &loaded.hash)
        .data(serde_json::json!({ "hash": loaded.hash, "summary": loaded.summary }));
    let new = store
        .record_framework(&loaded.hash, source, &loaded.summary, now, &record)
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!(hash = %loaded.hash, new, summary = %loaded.summary, "framework loaded");
    Ok(())
}

impl Holder {
    /// Loads the live release, or, when the store has none yet, the
    /// folder's version, which it stages and publishes as the first
    /// release. Fails if the framework has errors.
    pub(crate) async fn load(
        loader: Loader,
        store: Arc<dyn Store>,
        source: String,
        now: i64,
    ) -> Result<Holder, String> {
        let err = |e: ladder_store::StoreError| e.to_string();
        let mut first = None;
        if store.live_framework().await.map_err(err)?.is_none() {
            let folder = read(&loader).await?;
            let rec = |action: &str| {
                ladder_store::Record::system(now, action, None, &folder.hash)
                    .data(serde_json::json!({ "hash": folder.hash, "source": source }))
            };
            let id = store
                .stage_framework(&folder.release(&source, None, now), &rec("framework.stage"))
                .await
                .map_err(err)?;
            // Another node starting at the same moment may have published
            // first; then its release is the live one.
            if let Err(e) = store
                .publish_framework(id, None, now, &rec("framework.publish"))
                .await
            {
                tracing::info!(error = %e, "another node published the first framework release");
            }
            first = Some(folder);
        }
        let (id, hash) = store
            .live_framework()
            .await
            .map_err(err)?
            .ok_or("no framework release is live after publishing one")?;
        // The folder just published is the live release: compiled once.
        let (live, folder_is_live) = match first {
            Some(folder) if folder.hash == hash => (folder, true),
            _ => (load_release(store.as_ref(), id).await?, false),
        };
        record(store.as_ref(), &live, &format!("release {id}"), now).await?;
        // Otherwise only the folder's hash: a folder that is not published
        // is not compiled or rendered at start.
        let folder_hash = if folder_is_live {
            None
        } else {
            let reader = loader.clone();
            tokio::task::spawn_blocking(move || reader().map(|f| content_hash(&f)))
                .await
                .ok()
                .and_then(Result::ok)
        };
        if let Some(folder) = folder_hash
            && folder != hash
        {
            tracing::warn!(
                live = %hash,
                folder = %folder,
                "the framework folder differs from the live release; reload (SIGHUP, or Reload on the framework changes page) to publish it"
            );
        }
        Ok(Holder {
            loader,
            store,
            source,
            current: RwLock::new(Arc::new(live)),
            release: AtomicI64::new(id),
            following: tokio::sync::Mutex::new(()),
        })
    }

    pub(crate) fn current(&self) -> Arc<Loaded> {
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The id of the live release this node serves.
    pub(crate) fn release(&self) -> i64 {
        self.release.load(Ordering::Acquire)
    }

    /// Where new versions are read from.
    pub(crate) fn source(&self) -> &str {
        &self.source
    }

    /// Reads and compiles the framework folder, without making it live or
    /// recording it: the candidate a review compares and a stage stores.
    pub(crate) async fn candidate(&self) -> Result<Loaded, String> {
        read(&self.loader).await
    }

    /// A stored release, compiled (a staged one, to review it).
    pub(crate) async fn stored(&self, id: i64) -> Result<Loaded, String> {
        load_release(self.store.as_ref(), id).await
    }

    /// Stages the folder's version and publishes it, by the system (on
    /// SIGHUP), unless it is live already.
    pub(crate) async fn publish_folder(&self, now: i64) -> Result<(), String> {
        let candidate = self.candidate().await?;
        let err = |e: ladder_store::StoreError| e.to_string();
        let live = self.store.live_framework().await.map_err(err)?;
        if live
            .as_ref()
            .is_some_and(|(_, hash)| *hash == candidate.hash)
        {
            return Ok(());
        }
        let previous = live.map(|(id, _)| id);
        let rec = |action: &str, release: Option<i64>| {
            ladder_store::Record::system(now, action, None, &candidate.hash).data(
                serde_json::json!({
                    "hash": candidate.hash,
                    "source": self.source,
                    "release": release,
                    "previous": previous,
                }),
            )
        };
        let release = candidate.release(&self.source, None, now);
        let id = self
            .store
            .stage_framework(&release, &rec("framework.stage", None))
            .await
            .map_err(err)?;
        self.store
            .publish_framework(id, None, now, &rec("framework.publish", Some(id)))
            .await
            .map_err(err)
    }

    /// Serves the store's live release if it is not the one served: what
    /// every request does first. On error the current version stays.
    pub(crate) async fn follow(&self, now: i64) -> Result<(), String> {
        let live = self
            .store
            .live_framework()
            .await
            .map_err(|e| e.to_string())?;
        let Some((id, _)) = live else {
            return Ok(());
        };
        if id == self.release() {
            return Ok(());
        }
        let _one = self.following.lock().await;
        if id == self.release() {
            return Ok(());
        }
        let loaded = self.stored(id).await?;
        record(self.store.as_ref(), &loaded, &format!("release {id}"), now).await?;
        *self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(loaded);
        self.release.store(id, Ordering::Release);
        Ok(())
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn example() -> Loaded {
        let mut files = FileSet::new();
        for (p, t) in ladder_framework::example::FILES {
            files.insert_text(p, *t);
        }
        Loaded::from_files(&files).unwrap()
    }

    #[test]
    fn a_role_s_worksheet_is_computed_once_per_version() {
        let loaded = example();
        let a = loaded
            .worksheet("backend-engineer", "senior", None)
            .unwrap();
        let b = loaded
            .worksheet("backend-engineer", "senior", None)
            .unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        // The same as computing it afresh.
        let fresh = ladder_growth::worksheet::worksheet(
            &loaded.framework,
            "backend-engineer",
            "senior",
            None,
        )
        .unwrap();
        assert_eq!(*a, fresh);
        // Another role, another worksheet; an unknown role is an error, not
        // kept.
        let c = loaded.worksheet("backend-engineer", "staff", None).unwrap();
        assert!(!Arc::ptr_eq(&a, &c));
        assert!(loaded.worksheet("backend-engineer", "nope", None).is_err());
        // Another version starts empty.
        let other = example();
        let d = other.worksheet("backend-engineer", "senior", None).unwrap();
        assert!(!Arc::ptr_eq(&a, &d));
    }

    #[tokio::test]
    async fn a_view_is_computed_once_per_version_of_the_organisation() {
        let loaded = example();
        let runs = std::sync::atomic::AtomicUsize::new(0);
        let view = |kind: &'static str, of: &'static str, version: i64, value: u32| {
            let (loaded, runs) = (&loaded, &runs);
            async move {
                loaded
                    .view(kind, of, version, async {
                        runs.fetch_add(1, Ordering::SeqCst);
                        Ok::<_, String>(value)
                    })
                    .await
                    .unwrap()
            }
        };
        let a = view("pay", "2026-01-01", 3, 1).await;
        let b = view("pay", "2026-01-01", 3, 2).await;
        assert!(Arc::ptr_eq(&a, &b), "the same version shares it");
        assert_eq!((*b, runs.load(Ordering::SeqCst)), (1, 1));
        // Another day, another kind: their own.
        assert_eq!(*view("pay", "2026-01-02", 3, 5).await, 5);
        assert_eq!(*view("team", "2026-01-01", 3, 6).await, 6);
        // A newer organisation: computed afresh, and it replaces the old.
        assert_eq!(*view("pay", "2026-01-01", 4, 7).await, 7);
        assert_eq!(*view("pay", "2026-01-01", 4, 8).await, 7);
        assert_eq!(runs.load(Ordering::SeqCst), 4);
        // A failure is not kept.
        let failed = loaded
            .view("pay", "2026-01-03", 4, async { Err::<u32, _>("no") })
            .await;
        assert!(failed.is_err());
        assert_eq!(*view("pay", "2026-01-03", 4, 9).await, 9);
        // A new framework version starts with no views.
        let other = example();
        let c = other
            .view("pay", "2026-01-01", 4, async { Ok::<_, String>(10u32) })
            .await
            .unwrap();
        assert_eq!(*c, 10);
    }
}
