//! The last gate: every internal `href` and `src` of every built page must
//! name a file of the site and, with a fragment, an `id` on that page.
//! Content links were already checked where they were written; this pass
//! catches anything else, so a published site never has a dead link.

use crate::Site;
use ladder_framework::{Diagnostic, Span};
use std::collections::{BTreeMap, BTreeSet};

fn attr_values<'h>(html: &'h str, attr: &'static str) -> impl Iterator<Item = &'h str> + 'h {
    html.match_indices(attr).filter_map(move |(i, _)| {
        let rest = html.get(i + attr.len()..)?;
        let end = rest.find('"')?;
        rest.get(..end)
    })
}

fn ids(html: &str) -> BTreeSet<&str> {
    attr_values(html, " id=\"").collect()
}

fn resolve(page: &str, href: &str) -> Option<String> {
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for p in href.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

pub fn links(site: &Site) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut id_cache: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let texts: BTreeMap<&str, &str> = site
        .files
        .iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .filter_map(|(p, b)| Some((p.as_str(), std::str::from_utf8(b).ok()?)))
        .collect();
    for (&page, &html) in &texts {
        let hrefs = attr_values(html, " href=\"").chain(attr_values(html, " src=\""));
        for raw in hrefs {
            let href = raw.replace("&amp;", "&");
            let external = ["http:", "https:", "mailto:", "//"]
                .iter()
                .any(|p| href.starts_with(p));
            if external || href == "#" {
                continue;
            }
            let (path, frag) = match href.split_once('#') {
                Some((p, f)) => (p, f),
                None => (href.as_str(), ""),
            };
            let target = if path.is_empty() {
                Some(page.to_owned())
            } else {
                resolve(page, path)
            };
            let problem = match target {
                None => Some("climbs above the site root".to_owned()),
                Some(t) if !site.files.contains_key(&t) => {
                    Some(format!("names `{t}`, which the site does not have"))
                }
                Some(t) if !frag.is_empty() => {
                    let known = match texts.get_key_value(t.as_str()) {
                        Some((&k, &text)) => id_cache
                            .entry(k)
                            .or_insert_with(|| ids(text))
                            .contains(frag),
                        None => false,
                    };
                    (!known).then(|| format!("names `#{frag}`, which `{t}` does not have"))
                }
                Some(_) => None,
            };
            if let Some(p) = problem {
                out.push(
                    Diagnostic::error(
                        "broken-link",
                        Span::file_start(page),
                        format!("the built page links to `{href}`, which {p}"),
                    )
                    .with_help("this link comes from Ladder's own templates; please report it"),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_dead_pages_and_anchors() {
        let mut site = Site::default();
        site.files.insert("index.html".into(), br#"<a href="a/b.html#x">1</a><a href="a/b.html#y">2</a><a href="gone.html">3</a><a href="https://x.org/">4</a>"#.to_vec());
        site.files.insert(
            "a/b.html".into(),
            br#"<li id="x"><a href="../index.html">up</a></li>"#.to_vec(),
        );
        let d = links(&site);
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(d.iter().any(|d| d.message.contains("#y")));
        assert!(d.iter().any(|d| d.message.contains("gone.html")));
    }
}
