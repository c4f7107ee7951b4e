//! HTML tables read as rows of cells, each cell with its text and the list
//! items it holds: enough to read a levels × categories grid written in
//! HTML (Sourcegraph's management levels) without a browser.

use crate::outline::html_text;

/// One cell: `<th>` or `<td>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cell {
    pub header: bool,
    /// Its text outside any list, tags removed.
    pub text: String,
    /// Its list items (`<li>`), each as text.
    pub items: Vec<String>,
    /// Its `id` attribute, if any.
    pub id: Option<String>,
}

impl Cell {
    /// Its text, then each list item after `sep` (`; `, or `\n- `).
    pub fn joined(&self, sep: &str) -> String {
        let mut s = self.text.clone();
        for i in &self.items {
            if !s.is_empty() || !sep.starts_with('\n') {
                s.push_str(sep);
            } else {
                s.push_str(sep.trim_start_matches('\n'));
            }
            s.push_str(i);
        }
        s
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Row {
    pub cells: Vec<Cell>,
}

/// A table and where it is: the lines of `<table` and `</table>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HtmlTable {
    pub rows: Vec<Row>,
    pub first_line: u32,
    pub last_line: u32,
}

/// Every `<table>` … `</table>` of a page, in order. `first_line` is the
/// line number of the body's first line.
pub fn html_tables(body: &str, first_line: u32) -> Vec<HtmlTable> {
    let lower = body.to_ascii_lowercase();
    let line_of = |at: usize| -> u32 {
        first_line + body.get(..at).map_or(0, |b| b.matches('\n').count()) as u32
    };
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(start) = lower.get(pos..).and_then(|l| l.find("<table")) {
        let s = pos + start;
        let end = lower
            .get(s..)
            .and_then(|l| l.find("</table>"))
            .map_or(body.len(), |e| s + e + "</table>".len());
        let raw = body.get(s..end).unwrap_or("");
        out.push(HtmlTable {
            rows: rows(raw),
            first_line: line_of(s),
            last_line: line_of(end.saturating_sub(1)),
        });
        pos = end.max(s + 1);
    }
    out
}

/// The tags of `raw` in order: (start, end, lowercased name, closing).
/// A comment is a tag named `!--`, from `<!--` to `-->`.
fn tags(raw: &str) -> Vec<(usize, usize, String, bool)> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(open) = raw.get(pos..).and_then(|r| r.find('<')) {
        let s = pos + open;
        if raw.get(s..).is_some_and(|r| r.starts_with("<!--")) {
            pos = raw
                .get(s..)
                .and_then(|r| r.find("-->"))
                .map_or(raw.len(), |e| s + e + 3);
            out.push((s, pos, "!--".to_owned(), false));
            continue;
        }
        let Some(close) = raw.get(s..).and_then(|r| r.find('>')) else {
            break;
        };
        let e = s + close + 1;
        let inner = raw.get(s + 1..e - 1).unwrap_or("");
        let closing = inner.starts_with('/');
        let name: String = inner
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        out.push((s, e, name, closing));
        pos = e;
    }
    out
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let at = lower.find(&format!(" {name}="))?;
    let rest = tag.get(at + name.len() + 2..)?;
    let quote = rest.chars().next()?;
    if quote == '"' || quote == '\'' {
        let v = rest.get(1..)?;
        Some(v.get(..v.find(quote)?)?.to_owned())
    } else {
        Some(
            rest.split(|c: char| c.is_whitespace() || c == '>')
                .next()?
                .to_owned(),
        )
    }
}

fn rows(raw: &str) -> Vec<Row> {
    let tags = tags(raw);
    let mut rows: Vec<Row> = Vec::new();
    // The cell being read: (header, start of its content, id).
    let mut cell: Option<(bool, usize, Option<String>)> = None;
    let finish = |rows: &mut Vec<Row>, cell: (bool, usize, Option<String>), end: usize| {
        let inner = raw.get(cell.1..end).unwrap_or("");
        let c = read_cell(inner, cell.0, cell.2);
        match rows.last_mut() {
            Some(r) => r.cells.push(c),
            None => rows.push(Row { cells: vec![c] }),
        }
    };
    for (s, e, name, closing) in &tags {
        match (name.as_str(), closing) {
            ("tr", false) => {
                if let Some(c) = cell.take() {
                    finish(&mut rows, c, *s);
                }
                rows.push(Row::default());
            }
            ("td" | "th", false) => {
                if let Some(c) = cell.take() {
                    finish(&mut rows, c, *s);
                }
                let tag = raw.get(*s..*e).unwrap_or("");
                cell = Some((name == "th", *e, attr(tag, "id")));
            }
            ("td" | "th", true) | ("tr", true) => {
                if let Some(c) = cell.take() {
                    finish(&mut rows, c, *s);
                }
            }
            _ => {}
        }
    }
    rows.retain(|r| !r.cells.is_empty());
    rows
}

/// A cell's text (outside lists) and its list items.
fn read_cell(inner: &str, header: bool, id: Option<String>) -> Cell {
    let lower = inner.to_ascii_lowercase();
    let mut text = String::new();
    let mut items = Vec::new();
    let mut pos = 0;
    while let Some(open) = lower
        .get(pos..)
        .and_then(|l| ["<ul", "<ol"].iter().filter_map(|t| l.find(t)).min())
    {
        let s = pos + open;
        text.push_str(inner.get(pos..s).unwrap_or(""));
        text.push('\n');
        let end = ["</ul>", "</ol>"]
            .iter()
            .filter_map(|t| lower.get(s..).and_then(|l| l.find(t)))
            .min()
            .map_or(inner.len(), |e| s + e + 5);
        let list = inner.get(s..end).unwrap_or("");
        let list_lower = list.to_ascii_lowercase();
        let starts: Vec<usize> = list_lower.match_indices("<li").map(|(i, _)| i).collect();
        for (k, &at) in starts.iter().enumerate() {
            let stop = starts.get(k + 1).copied().unwrap_or(list.len());
            let t = html_text(list.get(at..stop).unwrap_or(""))
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            if !t.is_empty() {
                items.push(t);
            }
        }
        pos = end;
    }
    text.push_str(inner.get(pos..).unwrap_or(""));
    let text = html_text(&text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    Cell {
        header,
        text,
        items,
        id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rows_cells_and_items() {
        let body = "intro\n<table>\n<thead><tr><th>Level</th><th>Execution</th></tr></thead>\n\n<tr><th id=\"m1\">M1</th><td><p>Leads a team.</p><ul><li><strong>Years:</strong> 2</li></ul></td></tr>\n<tr><td><ul>\n<li>Ships.</li>\n<li>Plans &amp; reviews.\n</ul></td></tr>\n</table>\nafter";
        let t = html_tables(body, 1);
        assert_eq!(t.len(), 1);
        let t = &t[0];
        assert_eq!((t.first_line, t.last_line), (2, 10));
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[0].cells[1].text, "Execution");
        assert!(t.rows[0].cells[0].header);
        assert_eq!(t.rows[1].cells[0].id.as_deref(), Some("m1"));
        assert_eq!(t.rows[1].cells[1].text, "Leads a team.");
        assert_eq!(t.rows[1].cells[1].items, ["Years: 2"]);
        assert_eq!(t.rows[2].cells[0].items, ["Ships.", "Plans & reviews."]);
    }
}

/// Whether a path is an HTML page (not Middleman's `.html.md` or `.html.erb`).
pub fn is_html_page(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    p.ends_with(".html") || p.ends_with(".htm")
}

/// An HTML page as the Markdown the importers read: headings as `#`
/// headings, lists as nested `- ` items, paragraphs as paragraphs, links
/// as links, tables kept as HTML on one line each (so they are read as
/// tables), and nothing of `<head>`, `<script>`, `<style>` or `<nav>`.
pub fn html_to_markdown(html: &str) -> String {
    let body_start = html
        .to_ascii_lowercase()
        .find("<body")
        .and_then(|i| html.get(i..).and_then(|r| r.find('>')).map(|e| i + e + 1))
        .unwrap_or(0);
    let html = html.get(body_start..).unwrap_or(html);
    let lower = html.to_ascii_lowercase();
    let mut out = String::new();
    let mut text = String::new();
    let mut depth = 0usize;
    let mut link: Vec<String> = Vec::new();
    let mut pos = 0usize;
    // Flushes the text read so far onto the output, on the current line.
    let flush = |out: &mut String, text: &mut String| {
        let t = html_text(text)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if !t.is_empty() {
            if !out.is_empty()
                && !out.ends_with(['\n', ' '])
                && !out.ends_with("- ")
                && !t.starts_with(['.', ',', ';', ':', '!', '?', ')'])
            {
                out.push(' ');
            }
            out.push_str(&t);
        }
        text.clear();
    };
    for (s, e, name, closing) in tags(html) {
        // Inside an element already read whole (a table, a script).
        if s < pos {
            continue;
        }
        text.push_str(html.get(pos..s).unwrap_or(""));
        pos = e;
        match (name.as_str(), closing) {
            ("!--", _) => {}
            ("script" | "style" | "head" | "nav", false) => {
                let end = format!("</{name}");
                pos = lower
                    .get(e..)
                    .and_then(|r| r.find(&end))
                    .and_then(|i| {
                        lower
                            .get(e + i..)
                            .and_then(|r| r.find('>'))
                            .map(|j| e + i + j + 1)
                    })
                    .unwrap_or(html.len());
            }
            ("table", false) => {
                flush(&mut out, &mut text);
                let end = lower
                    .get(s..)
                    .and_then(|r| r.find("</table>"))
                    .map_or(html.len(), |i| s + i + "</table>".len());
                let raw = html.get(s..end).unwrap_or("");
                out.push_str("\n\n");
                out.push_str(&raw.split_whitespace().collect::<Vec<_>>().join(" "));
                out.push_str("\n\n");
                pos = end;
            }
            ("h1" | "h2" | "h3" | "h4" | "h5" | "h6", false) => {
                flush(&mut out, &mut text);
                let n = name
                    .get(1..)
                    .and_then(|d| d.parse::<usize>().ok())
                    .unwrap_or(2);
                out.push_str("\n\n");
                out.push_str(&"#".repeat(n));
                out.push(' ');
            }
            ("h1" | "h2" | "h3" | "h4" | "h5" | "h6", true)
            | ("p" | "div" | "section" | "article", _) => {
                flush(&mut out, &mut text);
                out.push_str("\n\n");
            }
            ("ul" | "ol", false) => {
                flush(&mut out, &mut text);
                depth += 1;
            }
            ("ul" | "ol", true) => {
                flush(&mut out, &mut text);
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    out.push_str("\n\n");
                }
            }
            ("li", false) => {
                flush(&mut out, &mut text);
                out.push('\n');
                out.push_str(&"  ".repeat(depth.saturating_sub(1)));
                out.push_str("- ");
            }
            ("br", _) => {
                flush(&mut out, &mut text);
                out.push('\n');
            }
            ("a", false) => {
                flush(&mut out, &mut text);
                let raw = html.get(s..e).unwrap_or("");
                match attr(raw, "href") {
                    Some(h) => {
                        out.push_str(
                            if out.ends_with(['\n', ' ']) || out.ends_with("- ") || out.is_empty() {
                                "["
                            } else {
                                " ["
                            },
                        );
                        link.push(h);
                    }
                    None => link.push(String::new()),
                }
            }
            ("a", true) => {
                let label = html_text(&text)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                text.clear();
                match link.pop() {
                    Some(h) if !h.is_empty() => {
                        out.push_str(&label);
                        out.push_str("](");
                        out.push_str(&h);
                        out.push(')');
                    }
                    _ => {
                        if !label.is_empty() {
                            out.push(' ');
                            out.push_str(&label);
                        }
                    }
                }
            }
            _ => text.push(' '),
        }
    }
    text.push_str(html.get(pos..).unwrap_or(""));
    flush(&mut out, &mut text);
    // At most one blank line between blocks.
    let mut tidy = String::new();
    let mut blank = 0;
    for line in out.lines() {
        if line.trim().is_empty() {
            blank += 1;
            if blank == 1 && !tidy.is_empty() {
                tidy.push('\n');
            }
        } else {
            blank = 0;
            tidy.push_str(line.trim_end());
            tidy.push('\n');
        }
    }
    let end = tidy.trim_end().len();
    tidy.truncate(end);
    tidy.push('\n');
    tidy
}

#[cfg(test)]
mod page_tests {
    use super::*;

    #[test]
    fn an_html_page_reads_as_markdown() {
        let html = "<html><head><title>x</title><style>p{}</style></head><body><nav>menu</nav><h1>Framework</h1><p>How we <a href=\"/grow\">grow</a>.</p><h2>IC1</h2><ul><li>Impact<ul><li>Delivers small projects.</li><li>Asks &amp; learns.</li></ul></li><li>Scope: Owns a task.</li></ul><table><tr><th>a</th></tr>\n\n<tr><td>b</td></tr></table></body></html>";
        let md = html_to_markdown(html);
        assert_eq!(
            md,
            "# Framework\n\nHow we [grow](/grow).\n\n## IC1\n\n- Impact\n  - Delivers small projects.\n  - Asks & learns.\n- Scope: Owns a task.\n\n<table><tr><th>a</th></tr> <tr><td>b</td></tr></table>\n"
        );
    }
}
