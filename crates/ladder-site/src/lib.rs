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

use ladder_framework::{Diagnostic, FileSet, Framework};
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

/// Renders the site. Errors (broken links) mean the site must not be
/// published; warnings (unsafe links removed) do not.
pub fn build(fw: &Framework, files: &FileSet) -> (Site, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut site = pages::render(fw, files, &mut diags);
    match json::framework_json(fw) {
        Ok(bytes) => {
            site.files.insert("framework.json".into(), bytes);
        }
        Err(e) => diags.push(Diagnostic::error(
            "site-json",
            ladder_framework::Span::file_start("framework.json"),
            format!("could not write framework.json: {e}"),
        )),
    }
    site.files.insert(
        MARKER.into(),
        b"Built by Ladder. `ladder build` replaces this folder.\n".to_vec(),
    );
    diags.extend(check::links(&site));
    diags.sort_by(|a, b| (&a.span, a.code, &a.message).cmp(&(&b.span, b.code, &b.message)));
    diags.dedup();
    (site, diags)
}
