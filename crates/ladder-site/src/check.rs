//! The last gate: every internal `href` and `src` of every built page must
//! name a file of the site and, with a fragment, an `id` on that page.
//! Content links were already checked where they were written; this pass
//! catches anything else, so a published site never has a dead link.
//!
//! Each page is scanned once, right after it is rendered: links within the
//! page are checked at once, and the page keeps only hashes of its ids for
//! links from other pages, so the check needs little memory.

use ladder_framework::{Diagnostic, Span};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// An attribute the check reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Attr {
    Id,
    Link,
}

/// The values of every ` id="…"`, ` href="…"` and ` src="…"` of a page, in
/// one pass over it.
fn attr_values(html: &str) -> impl Iterator<Item = (Attr, &str)> + '_ {
    memchr::memmem::find_iter(html.as_bytes(), b"=\"").filter_map(move |i| {
        let name = html.get(..i)?;
        let attr = if name.ends_with(" id") {
            Attr::Id
        } else if name.ends_with(" href") || name.ends_with(" src") {
            Attr::Link
        } else {
            return None;
        };
        let rest = html.get(i + 2..)?;
        let end = memchr::memchr(b'"', rest.as_bytes())?;
        Some((attr, rest.get(..end)?))
    })
}

/// Ids are kept as 64-bit hashes: a collision could at worst hide one
/// broken anchor.
fn hash(id: &str) -> u64 {
    use std::hash::BuildHasher as _;
    rustc_hash::FxBuildHasher.hash_one(id)
}

/// `href` as a path from the site root, seen from `page`.
fn resolve(page: &str, href: &str) -> Option<String> {
    crate::md::normalise(page.rsplit_once('/').map_or("", |(dir, _)| dir), href)
}

fn broken(page: &str, href: &str, problem: &str) -> Diagnostic {
    Diagnostic::error(
        "broken-link",
        Span::file_start(page),
        format!("the built page links to `{href}`, which {problem}"),
    )
    .with_help("this link comes from Ladder's own templates; please report it")
}

pub fn write_error(path: &str, e: &str) -> Diagnostic {
    Diagnostic::error(
        "site-write",
        Span::file_start(path),
        format!("could not write {path}: {e}"),
    )
}

/// A link to another page, kept until every page is known: indices into
/// [`Links::names`] and the fragment's hash (0: none).
struct Wanted {
    page: u32,
    href: u32,
    target: u32,
    frag: u64,
}

/// What the pages scanned so far offer and ask for.
#[derive(Default)]
pub struct Links {
    /// Every file of the site, with the sorted hashed ids of each page.
    files: HashMap<String, Vec<u64>>,
    /// Links to other pages.
    wanted: Vec<Wanted>,
    /// Page names, hrefs and targets, each stored once.
    names: Vec<String>,
    index: HashMap<String, u32>,
    diags: Vec<Diagnostic>,
    /// The links other threads' scans want, each with the names they
    /// index: checked as they are, not interned again here.
    merged: Vec<(Vec<String>, Vec<Wanted>)>,
}

impl Links {
    /// A file with no ids (a script, a stylesheet, JSON).
    pub fn file(&mut self, path: &str) {
        self.files.entry(path.to_owned()).or_default();
    }

    fn intern(&mut self, s: &str) -> u32 {
        if let Some(i) = self.index.get(s) {
            return *i;
        }
        let i = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.names.push(s.to_owned());
        self.index.insert(s.to_owned(), i);
        i
    }

    /// Scans one page.
    pub fn page(&mut self, page: &str, html: &str) {
        let mut ids: Vec<u64> = Vec::new();
        let mut links: Vec<&str> = Vec::new();
        for (attr, value) in attr_values(html) {
            match attr {
                Attr::Id => ids.push(hash(value)),
                Attr::Link => links.push(value),
            }
        }
        ids.sort_unstable();
        ids.dedup();
        let mut asked: HashSet<&str> = HashSet::default();
        let mut page_index = None;
        for raw in links {
            let href: std::borrow::Cow<'_, str> = if raw.contains('&') {
                raw.replace("&amp;", "&").into()
            } else {
                raw.into()
            };
            let external = ["http:", "https:", "mailto:", "//"]
                .iter()
                .any(|p| href.starts_with(p));
            if external || href == "#" {
                continue;
            }
            let (path, frag) = href.split_once('#').unwrap_or((&href, ""));
            if path.is_empty() {
                if ids.binary_search(&hash(frag)).is_err() {
                    self.diags.push(broken(
                        page,
                        &href,
                        &format!("names `#{frag}`, which this page does not have"),
                    ));
                }
                continue;
            }
            // Links within the page are checked each time (one lookup; the
            // build merges repeated diagnostics); others once per page.
            if !asked.insert(raw) {
                continue;
            }
            match resolve(page, path) {
                None => self
                    .diags
                    .push(broken(page, &href, "climbs above the site root")),
                Some(t) => {
                    let page = *page_index.get_or_insert_with(|| self.intern(page));
                    let want = Wanted {
                        page,
                        href: self.intern(&href),
                        target: self.intern(&t),
                        frag: if frag.is_empty() { 0 } else { hash(frag) },
                    };
                    self.wanted.push(want);
                }
            }
        }
        self.files.insert(page.to_owned(), ids);
    }

    /// Combines the scans of several threads.
    pub fn merge(&mut self, other: Links) {
        self.files.extend(other.files);
        self.merged.push((other.names, other.wanted));
        self.merged.extend(other.merged);
        self.diags.extend(other.diags);
    }

    /// Checks the links between pages, once every file is known.
    pub fn finish(mut self) -> Vec<Diagnostic> {
        let mut out = std::mem::take(&mut self.diags);
        self.check(&self.names, &self.wanted, &mut out);
        for (names, wanted) in &self.merged {
            self.check(names, wanted, &mut out);
        }
        out
    }

    /// Checks `wanted`, whose indices are into `names`, against the files.
    fn check(&self, names: &[String], wanted: &[Wanted], out: &mut Vec<Diagnostic>) {
        let name = |i: u32| {
            usize::try_from(i)
                .ok()
                .and_then(|i| names.get(i))
                .map_or("", String::as_str)
        };
        for w in wanted {
            let (page, href, target) = (name(w.page), name(w.href), name(w.target));
            match self.files.get(target) {
                None => out.push(broken(
                    page,
                    href,
                    &format!("names `{target}`, which the site does not have"),
                )),
                Some(ids) if w.frag != 0 && ids.binary_search(&w.frag).is_err() => {
                    let frag = href.split_once('#').map_or("", |(_, f)| f);
                    out.push(broken(
                        page,
                        href,
                        &format!("names `#{frag}`, which `{target}` does not have"),
                    ));
                }
                Some(_) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_dead_pages_and_anchors() {
        let mut l = Links::default();
        l.page(
            "index.html",
            r##"<a href="a/b.html#x">1</a><a href="a/b.html#y">2</a><a href="gone.html">3</a><a href="https://x.org/">4</a><a href="#nope">5</a><p id="here"></p><a href="#here">6</a>"##,
        );
        l.page(
            "a/b.html",
            r#"<li id="x"><a href="../index.html">up</a></li>"#,
        );
        let d = l.finish();
        assert_eq!(d.len(), 3, "{d:?}");
        assert!(d.iter().any(|d| d.message.contains("#y")));
        assert!(d.iter().any(|d| d.message.contains("gone.html")));
        assert!(d.iter().any(|d| d.message.contains("#nope")));
    }

    #[test]
    fn links_scanned_on_other_threads_are_checked_against_every_page() {
        let mut a = Links::default();
        a.page(
            "a.html",
            r##"<p id="top"></p><a href="b.html#mid">ok</a><a href="b.html#gone">1</a>"##,
        );
        let mut b = Links::default();
        b.page(
            "b.html",
            r##"<p id="mid"></p><a href="a.html#top">ok</a><a href="c.html">2</a>"##,
        );
        let mut c = Links::default();
        c.page(
            "d/e.html",
            r#"<a href="../a.html">ok</a><a href="../b.html#top">3</a>"#,
        );
        b.merge(c);
        let mut all = Links::default();
        all.merge(a);
        all.merge(b);
        let d = all.finish();
        assert_eq!(d.len(), 3, "{d:?}");
        assert!(d.iter().any(|d| d.message.contains("`b.html#gone`")));
        assert!(d.iter().any(|d| d.message.contains("`c.html`")));
        assert!(d.iter().any(|d| d.message.contains("`../b.html#top`")));
    }
}
