//! Ladder's static site: a compiled [`Framework`] rendered as HTML pages a
//! team can publish as its handbook, plus `framework.json` and an offline
//! search index.
//!
//! Sans-IO like the compiler: [`build`] takes the framework and the source
//! files (for error positions) and returns every output file in memory; the
//! caller writes them. Content Markdown is rendered with raw HTML shown as
//! text and unsafe link schemes removed (see [`md`]); every internal link,
//! from content or from the templates, is checked before the site is
//! returned.
//!
//! ```
//! use ladder_framework::{FileSet, compile, example};
//! let mut files = FileSet::new();
//! for (path, text) in example::FILES {
//!     files.insert_text(path, *text);
//! }
//! let (framework, _) = compile(&files);
//! let (site, diagnostics) = ladder_site::build(&framework, &files);
//! assert!(diagnostics.iter().all(|d| !d.is_error()));
//! assert!(site.files.contains_key("index.html"));
//! assert!(site.files.contains_key("framework.json"));
//! ```

mod check;
mod html;
mod json;
pub mod md;
mod pages;

pub use html::escape;
use ladder_framework::{Diagnostic, FileSet, Framework};
pub use pages::{family_page, growth_page, role_page};
use std::collections::BTreeMap;

/// The name of the marker file that says a folder holds a built site, so
/// `ladder build` may replace it.
pub const MARKER: &str = ".ladder-site";

/// Every file of a built site, by path from the site root.
#[derive(Clone, Debug, Default)]
pub struct Site {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Site {
    pub fn page_count(&self) -> usize {
        self.files.keys().filter(|p| p.ends_with(".html")).count()
    }
}

/// The `Content-Type` of a site file, by its extension: what anything
/// serving a built site (`ladder preview`, the web app) sends with it.
pub fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

/// Where a build puts its files: called once per file, from several
/// threads at once. An `Err` stops the build and is reported. Any
/// `Fn(&str, &[u8]) -> Result<(), String>` is one.
pub trait Output: Sync {
    fn write(&self, path: &str, bytes: &[u8]) -> Result<(), String>;

    /// Writes a large file (`framework.json`) as `fill` produces it. By
    /// default it is gathered in memory and handed to [`Output::write`];
    /// an output to disk streams it instead, so the file is never whole in
    /// memory.
    fn write_with(
        &self,
        path: &str,
        fill: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<(), String> {
        let mut buf = Vec::new();
        fill(&mut buf).map_err(|e| e.to_string())?;
        self.write(path, &buf)
    }
}

impl<F: Fn(&str, &[u8]) -> Result<(), String> + Sync> Output for F {
    fn write(&self, path: &str, bytes: &[u8]) -> Result<(), String> {
        self(path, bytes)
    }
}

/// The output a build writes to.
pub type Writer<'w> = dyn Output + 'w;

/// What a streamed build wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub pages: usize,
    pub files: usize,
}

/// Renders the site into memory. Errors (broken links) mean the site must
/// not be published; warnings (unsafe links removed) do not.
pub fn build(fw: &Framework, files: &FileSet) -> (Site, Vec<Diagnostic>) {
    let site = std::sync::Mutex::new(Site::default());
    let write = |path: &str, bytes: &[u8]| -> Result<(), String> {
        site.lock()
            .map_err(|_| "a rendering thread failed".to_owned())?
            .files
            .insert(path.to_owned(), bytes.to_vec());
        Ok(())
    };
    let (_, diags) = build_to(fw, files, &write);
    (site.into_inner().unwrap_or_default(), diags)
}

/// Renders the site, handing each file to `write` as soon as it is made, so
/// memory stays flat however large the framework. The caller must discard
/// what was written if the diagnostics hold an error.
pub fn build_to(fw: &Framework, files: &FileSet, write: &Writer<'_>) -> (Summary, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut links = check::Links::default();
    let mut summary = pages::render(fw, files, write, &mut links, &mut diags);
    let marker: &[u8] = b"Built by Ladder. `ladder build` replaces this folder.\n";
    match write.write(MARKER, marker) {
        Ok(()) => summary.files += 1,
        Err(e) => diags.push(check::write_error(MARKER, &e)),
    }
    links.file(MARKER);
    diags.extend(links.finish());
    diags.sort_by(|a, b| (&a.span, a.code, &a.message).cmp(&(&b.span, b.code, &b.message)));
    diags.dedup();
    (summary, diags)
}

/// The `<main>` of a built page, with its relative links rewritten to
/// absolute ones under `mount` (e.g. `/framework/`), so the web app can show
/// a role page inside its own layout. `None` if the page has no `<main>`.
pub fn main_fragment(html: &str, page_path: &str, mount: &str) -> Option<String> {
    let start = html.find("<main>")? + "<main>".len();
    let end = html.rfind("</main>")?;
    let body = html.get(start..end)?;
    let up = "../".repeat(page_path.matches('/').count());
    let dir = page_path.rsplit_once('/').map_or("", |(d, _)| d);
    let mut out = body.replace(&format!("href=\"{up}"), &format!("href=\"{mount}"));
    if !dir.is_empty() {
        out = out.replace("href=\"#", &format!("href=\"{mount}{page_path}#"));
    }
    Some(out)
}

#[cfg(test)]
mod fragment_tests {
    use super::main_fragment;

    #[test]
    fn links_become_absolute_under_the_mount() {
        let html =
            "<html><main><a href=\"../../index.html\">i</a> <a href=\"#x\">x</a></main></html>";
        assert_eq!(
            main_fragment(html, "families/f/senior.html", "/framework/").as_deref(),
            Some(
                "<a href=\"/framework/index.html\">i</a> <a href=\"/framework/families/f/senior.html#x\">x</a>"
            )
        );
        assert_eq!(main_fragment("<p>no main</p>", "index.html", "/f/"), None);
    }
}
