//! HTML escaping and the page frame every page shares.

use std::fmt::Write as _;

/// Escapes text for HTML element content and double-quoted attributes.
pub fn escape_into(out: &mut String, text: &str) {
    // Most texts (ids, names, titles) need nothing: find the first byte
    // that does with two vectorised scans instead of a match per byte.
    let bytes = text.as_bytes();
    let first = match (
        memchr::memchr3(b'&', b'<', b'>', bytes),
        memchr::memchr2(b'"', b'\'', bytes),
    ) {
        (None, None) => {
            out.push_str(text);
            return;
        }
        (a, b) => a.unwrap_or(usize::MAX).min(b.unwrap_or(usize::MAX)),
    };
    out.push_str(text.get(..first).unwrap_or(""));
    let mut last = first;
    for (i, b) in text.bytes().enumerate().skip(first) {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(text.get(last..i).unwrap_or(""));
        out.push_str(rep);
        last = i + 1;
    }
    out.push_str(text.get(last..).unwrap_or(""));
}

pub fn escape(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 8);
    escape_into(&mut s, text);
    s
}

/// Escapes a URL path segment built from ids (ids are `[a-z0-9._-]`, so this
/// only guards against future id rules).
pub fn url_part(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || "-_./#".contains(c) {
            s.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(s, "%{b:02X}");
            }
        }
    }
    s
}

/// The relative prefix from a page at `path` back to the site root:
/// `families/x/index.html` → `../../`.
pub fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// A page being written: its path in the site and its HTML so far.
pub struct Page {
    pub path: String,
    pub root: String,
    pub html: String,
}

impl Page {
    pub fn new(path: String) -> Page {
        Page {
            root: root_of(&path),
            path,
            html: buffer(),
        }
    }

    /// Appends HTML made by [`crate::md`], whose internal links start at
    /// the site root, marked by [`crate::md::ROOT`].
    pub fn push_rendered(&mut self, rendered: &str) {
        if rendered.contains(crate::md::ROOT) {
            self.html
                .push_str(&rendered.replace(crate::md::ROOT, &self.root));
        } else {
            self.html.push_str(rendered);
        }
    }

    pub fn text(&mut self, text: &str) {
        escape_into(&mut self.html, text);
    }

    pub fn raw(&mut self, html: &str) {
        self.html.push_str(html);
    }

    /// A link from this page to `target`, a path from the site root.
    pub fn link(&mut self, target: &str, label: &str) {
        let _ = write!(self.html, "<a href=\"{}{}\">", self.root, url_part(target));
        self.text(label);
        self.html.push_str("</a>");
    }

    /// Wraps the body in the shared frame.
    pub fn finish(self, org: &str, title: &str, crumbs: &[(String, String)]) -> (String, String) {
        let mut out = buffer();
        out.reserve(self.html.len() + 1024);
        out.push_str("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
        escape_into(&mut out, title);
        if !org.is_empty() {
            out.push_str(" · ");
            escape_into(&mut out, org);
        }
        let _ = write!(
            out,
            "</title>\n<link rel=\"stylesheet\" href=\"{r}style.css\">\n</head>\n<body>\n<header class=\"site\"><a class=\"brand\" href=\"{r}index.html\">",
            r = self.root
        );
        escape_into(
            &mut out,
            if org.is_empty() {
                "Career framework"
            } else {
                org
            },
        );
        let _ = write!(
            out,
            "</a><nav><a href=\"{r}index.html\">Framework</a> <a href=\"{r}search.html\">Search</a></nav></header>\n<main>\n",
            r = self.root
        );
        if !crumbs.is_empty() {
            out.push_str("<nav class=\"crumbs\">");
            for (href, label) in crumbs {
                let _ = write!(out, "<a href=\"{}{}\">", self.root, url_part(href));
                escape_into(&mut out, label);
                out.push_str("</a> › ");
            }
            escape_into(&mut out, title);
            out.push_str("</nav>\n");
        }
        out.push_str(&self.html);
        out.push_str("</main>\n<footer>Built with Ladder from the framework's source files. Every statement links to itself by its stable id.</footer>\n</body>\n</html>\n");
        recycle(self.html);
        (self.path, out)
    }
}

thread_local! {
    /// Page buffers of this thread, kept for the next page: a site has
    /// thousands of pages of tens of KB, and allocating each afresh makes
    /// the allocator hand memory back and fault it in again page after page.
    static SPARE: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// An empty buffer for a page, one used before if there is one.
fn buffer() -> String {
    SPARE
        .with(|s| s.borrow_mut().pop())
        .unwrap_or_else(|| String::with_capacity(16 * 1024))
}

/// Keeps a finished page's buffer for the next page on this thread.
pub fn recycle(mut html: String) {
    html.clear();
    SPARE.with(|s| {
        let mut spare = s.borrow_mut();
        if spare.len() < 4 {
            spare.push(html);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(root_of("index.html"), "");
        assert_eq!(root_of("families/a/b.html"), "../../");
        assert_eq!(url_part("a b/c"), "a%20b/c");
    }

    #[test]
    fn escaping_keeps_clean_text_and_what_surrounds_markup() {
        assert_eq!(escape(""), "");
        assert_eq!(escape("plain – text ü"), "plain – text ü");
        assert_eq!(escape("ü<b>é"), "ü&lt;b&gt;é");
        assert_eq!(escape("it's"), "it&#39;s");
        assert_eq!(escape("a & b \"c\""), "a &amp; b &quot;c&quot;");
        let mut out = String::from("x");
        escape_into(&mut out, ">");
        assert_eq!(out, "x&gt;");
    }
}
