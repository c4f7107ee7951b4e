//! Markdown in content, rendered safely.
//!
//! Raw HTML in content is shown as text, never passed through; link and
//! image targets with a scheme other than http, https, mailto and source
//! are dropped. A `source:/path` link points into the site the framework
//! was imported from: at `source_url` (ladder.yaml) when it is given, else
//! its label is shown as text. Relative links to the framework's own `.md` files and `#id`
//! links to statements become links between the built pages; any other
//! internal link is a `broken-link` error at the file, line and column it
//! was written.

use crate::html::escape_into;
use ladder_framework::similar::did_you_mean;
use ladder_framework::{Diagnostic, FileSet, Span};
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};
use std::collections::BTreeMap;

/// Marks the site root in rendered HTML; each page puts its own relative
/// prefix in its place.
pub const ROOT: char = '\u{1}';

/// What internal links may point at.
#[derive(Debug)]
pub struct Targets {
    /// Source file → page path (from the site root).
    pub pages: BTreeMap<String, String>,
    /// Statement or item id → the page that shows it (without the fragment).
    pub homes: BTreeMap<String, String>,
    /// Where `source:` links point (ladder.yaml's `source_url`).
    pub source_url: Option<String>,
}

/// Where a piece of content was written, for error messages.
#[derive(Clone, Copy, Debug)]
pub struct Origin<'a> {
    pub file: &'a str,
    pub line: u32,
}

enum Dest {
    Keep,
    /// A link into the source site: its address, or none (shown as text).
    Source(Option<String>),
    Internal(String),
    Unsafe,
    Broken(String, Option<String>),
}

fn scheme(dest: &str) -> Option<String> {
    // Browsers ignore tabs, newlines and leading spaces inside a URL's
    // scheme, so they are ignored here too before looking for one.
    let cleaned: String = dest
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .take(64)
        .collect();
    let colon = cleaned.find(':')?;
    let head = cleaned.get(..colon)?;
    let is_scheme = head.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && head
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    is_scheme.then(|| head.to_ascii_lowercase())
}

/// `a/b/../c.md` → `a/c.md`; `None` when it climbs above the root.
pub(crate) fn normalise(base_dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = base_dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in rel.split('/') {
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

impl Targets {
    fn classify(&self, from: &str, dest: &str) -> Dest {
        if let Some(s) = scheme(dest) {
            return match s.as_str() {
                "http" | "https" | "mailto" => Dest::Keep,
                "source" => {
                    let path = dest.trim().get("source:".len()..).unwrap_or("");
                    // Only a site-absolute path can be found in the site;
                    // one relative to a source page cannot.
                    Dest::Source(
                        self.source_url
                            .as_ref()
                            .filter(|_| path.starts_with('/'))
                            .map(|base| format!("{base}/{}", path.trim_start_matches('/'))),
                    )
                }
                _ => Dest::Unsafe,
            };
        }
        if dest.starts_with("//") {
            return Dest::Keep;
        }
        if let Some(frag) = dest.strip_prefix('#') {
            return match self.homes.get(frag) {
                Some(page) => Dest::Internal(format!("{page}#{frag}")),
                None => Dest::Broken(
                    format!("`#{frag}` is not the id of any statement or item"),
                    did_you_mean(frag, self.homes.keys().map(String::as_str))
                        .map(|s| format!("did you mean `#{s}`?")),
                ),
            };
        }
        if dest.starts_with('/') {
            return Dest::Broken(
                format!("`{dest}` is an absolute path, which breaks wherever the site is published"),
                Some("link to the framework's .md file relatively, e.g. `../families/x.md`, or to a statement with `#id`".into()),
            );
        }
        let (path, frag) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (dest, None),
        };
        let base = from.rsplit_once('/').map_or("", |(d, _)| d);
        let Some(target) = normalise(base, path) else {
            return Dest::Broken(format!("`{dest}` points outside the framework"), None);
        };
        let Some(page) = self.pages.get(&target) else {
            let help = did_you_mean(&target, self.pages.keys().map(String::as_str))
                .map(|s| format!("did you mean `{s}`?"))
                .or_else(|| {
                    Some(
                        "links may point at a family or layer .md file, a `#statement-id`, or a full https:// address"
                            .into(),
                    )
                });
            return Dest::Broken(format!("`{dest}` is not a page of this framework"), help);
        };
        match frag {
            None | Some("") => Dest::Internal(page.clone()),
            Some(f) if self.homes.contains_key(f) => Dest::Internal(format!("{page}#{f}")),
            Some(f) => Dest::Broken(
                format!("`#{f}` in `{dest}` is not the id of any statement or item"),
                did_you_mean(f, self.homes.keys().map(String::as_str))
                    .map(|s| format!("did you mean `#{s}`?")),
            ),
        }
    }
}

fn needs_markdown(text: &str) -> bool {
    text.bytes().any(|b| {
        matches!(
            b,
            b'*' | b'_'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'&'
                | b'`'
                | b'\\'
                | b'!'
                | b'~'
                | b'#'
                | b'|'
                | b'\n'
                | b':'
        )
    })
}

/// Renders Markdown. `inline` renders a single statement without the
/// wrapping paragraph. Problems are appended to `diags`.
pub fn render(
    targets: &Targets,
    files: &FileSet,
    text: &str,
    inline: bool,
    origin: Origin<'_>,
    diags: &mut Vec<Diagnostic>,
) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    if inline && !needs_markdown(text) {
        escape_into(&mut out, text.trim());
        return out;
    }
    let mut depth = 0usize;
    // Inside a `source:` link with no address: its label is shown as text.
    let mut unlinked = false;
    let events = Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH)
        .filter_map(|ev| {
            match ev {
                Event::Start(Tag::Link { ref dest_url, .. })
                    if matches!(targets.classify(origin.file, dest_url), Dest::Source(None)) =>
                {
                    unlinked = true;
                    None
                }
                Event::End(TagEnd::Link) if unlinked => {
                    unlinked = false;
                    None
                }
                // Raw HTML is shown, not run.
                // (escaped here, quotes included, so no attribute-like text survives).
                Event::Html(h) | Event::InlineHtml(h) => Some(Event::InlineHtml(CowStr::Boxed(
                    crate::html::escape(&h).into(),
                ))),
                Event::Start(Tag::Paragraph) if inline && depth == 0 => {
                    depth += 1;
                    None
                }
                Event::End(TagEnd::Paragraph) if inline && depth == 1 => {
                    depth -= 1;
                    Some(Event::Text(CowStr::Borrowed(" ")))
                }
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => Some(Event::Start(Tag::Link {
                    link_type,
                    dest_url: rewrite(targets, files, &dest_url, origin, diags),
                    title,
                    id,
                })),
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => Some(Event::Start(Tag::Image {
                    link_type,
                    dest_url: rewrite(targets, files, &dest_url, origin, diags),
                    title,
                    id,
                })),
                Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => None,
                other => Some(other),
            }
        });
    pulldown_cmark::html::push_html(&mut out, events);
    // The HTML writer percent-encodes the root marker in URLs; only links
    // this module rewrote can start with it.
    if out.contains("=\"%01") {
        out = out
            .replace("href=\"%01", "href=\"\u{1}")
            .replace("src=\"%01", "src=\"\u{1}");
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

fn rewrite<'s>(
    targets: &Targets,
    files: &FileSet,
    dest: &str,
    origin: Origin<'_>,
    diags: &mut Vec<Diagnostic>,
) -> CowStr<'s> {
    match targets.classify(origin.file, dest) {
        Dest::Keep => CowStr::Boxed(dest.into()),
        Dest::Source(Some(url)) => CowStr::Boxed(url.into()),
        Dest::Source(None) => CowStr::Borrowed("#"),
        Dest::Internal(path) => CowStr::Boxed(format!("{ROOT}{path}").into()),
        Dest::Unsafe => {
            diags.push(
                Diagnostic::warning(
                    "unsafe-link",
                    locate(files, origin, dest),
                    format!("the link `{dest}` uses a scheme that could run code; it was removed from the page"),
                )
                .with_help("use an http, https or mailto address"),
            );
            CowStr::Borrowed("#")
        }
        Dest::Broken(message, help) => {
            let mut d = Diagnostic::error("broken-link", locate(files, origin, dest), message);
            if let Some(h) = help {
                d = d.with_help(h);
            }
            diags.push(d);
            CowStr::Borrowed("#")
        }
    }
}

/// The span of `needle` in the origin file, searching from the origin line.
fn locate(files: &FileSet, origin: Origin<'_>, needle: &str) -> Span {
    let Some(text) = files.text(origin.file) else {
        return Span::file_start(origin.file);
    };
    let line_start = text
        .match_indices('\n')
        .nth((origin.line as usize).saturating_sub(2))
        .map_or(0, |(i, _)| if origin.line <= 1 { 0 } else { i + 1 });
    let found = text
        .get(line_start..)
        .and_then(|rest| rest.find(needle))
        .map(|i| i + line_start)
        .or_else(|| text.find(needle));
    match found {
        Some(at) => Span::at(origin.file, text, at, needle.len()),
        None => Span::at(origin.file, text, line_start, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets() -> Targets {
        Targets {
            pages: [(
                "families/be.md".to_owned(),
                "families/be/index.html".to_owned(),
            )]
            .into(),
            homes: [(
                "writes-tests".to_owned(),
                "layers/eng/senior.html".to_owned(),
            )]
            .into(),
            source_url: None,
        }
    }

    #[test]
    fn source_links_point_into_the_source_site_or_show_their_label() {
        let (html, d) = go("Lives [the values](source:/handbook/values/) daily.");
        assert!(d.is_empty(), "{d:?}");
        assert!(
            html.contains("the values") && !html.contains("<a"),
            "{html}"
        );
        let mut t = targets();
        t.source_url = Some("https://handbook.example.com".into());
        let mut files = FileSet::new();
        files.insert_text("layers/eng.md", "x\n");
        let mut d = Vec::new();
        let origin = Origin {
            file: "layers/eng.md",
            line: 1,
        };
        let html = render(
            &t,
            &files,
            "Lives [the values](source:/handbook/values/) daily.",
            true,
            origin,
            &mut d,
        );
        assert!(d.is_empty(), "{d:?}");
        assert!(
            html.contains(
                r#"<a href="https://handbook.example.com/handbook/values/">the values</a>"#
            ),
            "{html}"
        );
    }

    fn go(text: &str) -> (String, Vec<Diagnostic>) {
        let mut files = FileSet::new();
        files.insert_text("layers/eng.md", format!("intro\n- {text}\n"));
        let mut d = Vec::new();
        let origin = Origin {
            file: "layers/eng.md",
            line: 2,
        };
        (render(&targets(), &files, text, true, origin, &mut d), d)
    }

    #[test]
    fn raw_html_and_script_links_are_neutralised() {
        let (h, d) = go("Hi <script>alert(1)</script> <img src=x onerror=alert(1)>");
        assert!(!h.contains("<script"), "{h}");
        assert!(!h.contains("<img"), "{h}");
        assert!(d.is_empty());
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,x",
            "vbscript:x",
            "<javascript:x>",
            " javascript:x",
        ] {
            let (h, d) = go(&format!("[x]({bad}) ![y]({bad})"));
            assert_eq!(h.matches("=\"#\"").count(), 2, "{bad}: {h}");
            assert_eq!(d.len(), 2, "{bad}");
        }
        // Not a link at all in Markdown, so it stays text.
        let (h, _) = go("[x](java\tscript:x)");
        assert!(!h.contains("href"), "{h}");
    }

    #[test]
    fn internal_links_resolve_or_fail_with_a_place() {
        let (h, d) = go("See [family](../families/be.md) and [this](#writes-tests).");
        assert!(d.is_empty(), "{d:?}");
        assert!(h.contains("href=\"\u{1}families/be/index.html\""), "{h}");
        assert!(
            h.contains("href=\"\u{1}layers/eng/senior.html#writes-tests\""),
            "{h}"
        );
        let (_, d) = go("See [x](#writes-test) here.");
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].span.line, d[0].span.column), (2, 11));
        assert!(d[0].help.as_deref().unwrap_or("").contains("writes-tests"));
        let (_, d) = go("[x](/handbook/x/)");
        assert_eq!(d[0].code, "broken-link");
        let (h, d) = go("[x](https://example.com/a?b=1&c=2)");
        assert!(
            d.is_empty() && h.contains("https://example.com/a?b=1&amp;c=2"),
            "{h}"
        );
    }
}
