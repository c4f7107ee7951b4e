//! A forgiving, line-based reading of handbook Markdown: headings, list
//! items, paragraphs and directives, each with its line. It is not a full
//! CommonMark parser; it reads the shapes handbooks are written in and
//! never fails.

/// One block of a page. Lines are 1-based.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    Heading {
        depth: usize,
        text: String,
        line: u32,
    },
    /// A list item; nested items are folded into their parent's text.
    Item {
        text: String,
        line: u32,
    },
    Para {
        text: String,
        line: u32,
    },
    /// `{{% include "p" %}}` or `{{< include "p" >}}`.
    Include {
        path: String,
        line: u32,
    },
    /// Include-like text that a site generator would print as text, e.g.
    /// `{{$ include “p” %}}`; `path` is what it most likely meant.
    Malformed {
        text: String,
        path: String,
        line: u32,
    },
    /// `<%= partial("p") %>`.
    Partial {
        path: String,
        line: u32,
    },
    /// Any other ERB tag, such as `<%= job_families('…') %>`.
    Erb {
        text: String,
        line: u32,
    },
    /// A table, kept whole as text.
    Table {
        text: String,
        line: u32,
    },
    /// A raw HTML block (`<table>`, `<div>`, `<details>` …) that holds
    /// text: its text, tags removed (a table's rows on lines of their own,
    /// cells between ` | `). Kept as prose and reported, never dropped.
    Html {
        text: String,
        line: u32,
    },
    /// Layout noise: rules, HTML comments and tags, kramdown attribute lines
    /// (`{:toc}`), link reference definitions, ERB comments.
    Noise {
        text: String,
        line: u32,
    },
}

impl Block {
    pub fn line(&self) -> u32 {
        match self {
            Block::Heading { line, .. }
            | Block::Item { line, .. }
            | Block::Para { line, .. }
            | Block::Include { line, .. }
            | Block::Malformed { line, .. }
            | Block::Partial { line, .. }
            | Block::Erb { line, .. }
            | Block::Table { line, .. }
            | Block::Html { line, .. }
            | Block::Noise { line, .. } => *line,
        }
    }
}

/// Splits YAML front matter from the body. Returns (yaml, body, first body
/// line). Front matter that does not close is left in the body.
pub fn front_matter(text: &str) -> (Option<&str>, &str, u32) {
    let t = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = t
        .strip_prefix("---\n")
        .or_else(|| t.strip_prefix("---\r\n"))
    else {
        return (None, t, 1);
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            let yaml = rest.get(..offset).unwrap_or("");
            let body = rest.get(offset + line.len()..).unwrap_or("");
            let lines = 2 + yaml.matches('\n').count() as u32;
            return (Some(yaml), body, lines + 1);
        }
        offset += line.len();
    }
    (None, t, 1)
}

fn heading(line: &str) -> Option<(usize, String)> {
    let t = line.trim_start();
    if line.len() - t.len() > 3 {
        return None;
    }
    let depth = t.chars().take_while(|c| *c == '#').count();
    if depth == 0 || depth > 6 {
        return None;
    }
    let rest = t.get(depth..)?;
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    let mut text = rest.trim().trim_end_matches('#').trim().to_owned();
    // kramdown / Hugo heading attributes: `## Title {#id}`.
    if let Some(i) = text.rfind(" {")
        && text.ends_with('}')
    {
        text.truncate(i);
    }
    Some((depth, text))
}

/// `- x`, `* x`, `+ x`, `1. x`, `1) x`: (indent, text).
fn list_item(line: &str) -> Option<(usize, &str)> {
    let t = line.trim_start();
    let indent = line.len() - t.len();
    let rest = if let Some(r) = t
        .strip_prefix("- ")
        .or_else(|| t.strip_prefix("* "))
        .or_else(|| t.strip_prefix("+ "))
    {
        r
    } else {
        let digits = t.chars().take_while(char::is_ascii_digit).count();
        if digits == 0 || digits > 3 {
            return None;
        }
        let r = t.get(digits..)?;
        r.strip_prefix(". ").or_else(|| r.strip_prefix(") "))?
    };
    Some((indent, rest.trim()))
}

fn is_rule(t: &str) -> bool {
    let s: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    s.len() >= 3
        && (s.chars().all(|c| c == '-')
            || s.chars().all(|c| c == '*')
            || s.chars().all(|c| c == '_'))
}

/// The include path inside a Hugo shortcode, well formed or not.
fn shortcode(t: &str) -> Option<(bool, String)> {
    let open = t.find("{{")?;
    let inner = t.get(open + 2..)?;
    let close = inner.find("}}").unwrap_or(inner.len());
    let body = inner.get(..close)?;
    if !body.contains("include") {
        return None;
    }
    let path: String = body
        .split(['"', '“', '”', '\'', '‘', '’'])
        .nth(1)
        .unwrap_or("")
        .trim()
        .to_owned();
    let well_formed = {
        let b = body.trim();
        let ok_delims =
            (b.starts_with('%') && b.ends_with('%')) || (b.starts_with('<') && b.ends_with('>'));
        let core = b.trim_matches(['%', '<', '>']).trim();
        ok_delims
            && core.starts_with("include ")
            && core.matches('"').count() == 2
            && t.trim().starts_with("{{")
            && t.trim().ends_with("}}")
    };
    Some((well_formed, path))
}

fn partial(t: &str) -> Option<String> {
    let i = t.find("partial")?;
    let rest = t.get(i + "partial".len()..)?;
    let rest = rest.trim_start().trim_start_matches('(').trim_start();
    let q = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = rest.get(1..)?;
    let end = rest.find(q)?;
    Some(rest.get(..end)?.to_owned())
}

/// Reads a page body into blocks. `first_line` is the body's first line
/// number in the file.
/// The depth given to a label bullet read as a heading: deeper than any
/// Markdown heading, so it is a group wherever a heading inside a category
/// is one.
pub const LABEL_DEPTH: usize = 7;

/// A label bullet (`Test Tooling`, `Quad Planning & Test Coverage`): a few
/// words with no final punctuation, that nest the statements under them.
/// A lead-in that ends in `:` (`Owns the roadmap for:`) is not one: it and
/// its short items stay one statement.
fn is_label(text: &str) -> bool {
    let t = text.trim().trim_end_matches('*').trim_start_matches('*');
    let words = t.split_whitespace().count();
    (1..=8).contains(&words)
        && !t.ends_with(['.', ':', ';', '!', '?', ','])
        && !t.contains("](")
        && t.chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
}

pub fn parse(body: &str, first_line: u32) -> Vec<Block> {
    let mut out = Vec::new();
    let lines: Vec<&str> = body.lines().collect();
    let mut i = 0usize;
    let mut in_comment = false;
    while let Some(&raw) = lines.get(i) {
        let line = first_line + i as u32;
        let t = raw.trim();
        i += 1;
        if in_comment {
            if t.contains("-->") {
                in_comment = false;
            }
            continue;
        }
        if t.is_empty() {
            continue;
        }
        if t.starts_with("<!--") {
            if !t.contains("-->") {
                in_comment = true;
            }
            out.push(Block::Noise {
                text: t.to_owned(),
                line,
            });
            continue;
        }
        if t.starts_with("```") || t.starts_with("~~~") {
            let fence = t.get(..3).unwrap_or("```");
            let mut text = vec![t.to_owned()];
            while let Some(&l) = lines.get(i) {
                i += 1;
                text.push(l.to_owned());
                if l.trim().starts_with(fence) {
                    break;
                }
            }
            out.push(Block::Table {
                text: text.join("\n"),
                line,
            });
            continue;
        }
        // A `<style>` or `<script>` element: not content, to its end tag.
        if let Some(tag) = ["style", "script"]
            .into_iter()
            .find(|tag| t.to_ascii_lowercase().starts_with(&format!("<{tag}")))
        {
            let end = format!("</{tag}>");
            let mut j = i - 1;
            while let Some(l) = lines.get(j) {
                j += 1;
                if l.to_ascii_lowercase().contains(&end) {
                    break;
                }
            }
            out.push(Block::Noise {
                text: t.to_owned(),
                line,
            });
            i = j;
            continue;
        }
        if t.starts_with("<%#") {
            out.push(Block::Noise {
                text: t.to_owned(),
                line,
            });
            continue;
        }
        if t.starts_with("<%") {
            match partial(t) {
                Some(path) => out.push(Block::Partial { path, line }),
                None => out.push(Block::Erb {
                    text: t.to_owned(),
                    line,
                }),
            }
            continue;
        }
        if let Some((ok, path)) = shortcode(t) {
            out.push(if ok {
                Block::Include { path, line }
            } else {
                Block::Malformed {
                    text: t.to_owned(),
                    path,
                    line,
                }
            });
            continue;
        }
        if let Some((depth, text)) = heading(raw) {
            out.push(Block::Heading { depth, text, line });
            continue;
        }
        if is_html_block(t) {
            // As CommonMark reads an HTML block: to the next blank line.
            let mut html = vec![t.to_owned()];
            while let Some(l) = lines.get(i).map(|l| l.trim()).filter(|l| !l.is_empty()) {
                html.push(l.to_owned());
                i += 1;
            }
            let html = html.join("\n");
            let text = html_text(&html);
            out.push(if text.is_empty() {
                Block::Noise { text: html, line }
            } else {
                Block::Html { text, line }
            });
            continue;
        }
        if is_rule(t)
            || (t.starts_with("{:") && t.ends_with('}'))
            || (t.starts_with('<') && !t.starts_with("<http"))
            || is_link_definition(t)
        {
            out.push(Block::Noise {
                text: t.to_owned(),
                line,
            });
            continue;
        }
        if t.starts_with('|') {
            let mut text = vec![t.to_owned()];
            while let Some(l) = lines
                .get(i)
                .map(|l| l.trim())
                .filter(|l| l.starts_with('|'))
            {
                text.push(l.to_owned());
                i += 1;
            }
            out.push(Block::Table {
                text: text.join("\n"),
                line,
            });
            continue;
        }
        if let Some((indent, first)) = list_item(raw) {
            let mut text = first.to_owned();
            // The item's own text, and its nested items (indent, text, line)
            // with what continues each.
            let mut own = first.to_owned();
            let mut children: Vec<(usize, String, u32)> = Vec::new();
            // Continuation lines and nested items fold into this item.
            while let Some(&l) = lines.get(i) {
                let lt = l.trim();
                if lt.is_empty() {
                    // A blank line ends the item unless an indented
                    // continuation or nested item follows.
                    let next = lines.get(i + 1).copied().unwrap_or("");
                    let next_indent = next.len() - next.trim_start().len();
                    if next.trim().is_empty() || next_indent <= indent || next_indent < 2 {
                        break;
                    }
                    i += 1;
                    continue;
                }
                let l_indent = l.len() - l.trim_start().len();
                if heading(l).is_some() || lt.starts_with("{{") || lt.starts_with("<%") {
                    break;
                }
                match list_item(l) {
                    Some((ni, nt)) if ni > indent => {
                        text.push_str(if text.ends_with([':', ';', '.']) {
                            " "
                        } else {
                            "; "
                        });
                        text.push_str(nt);
                        children.push((ni, nt.to_owned(), first_line + i as u32));
                    }
                    Some(_) => break,
                    None if l_indent > indent || !lt.starts_with(['|', '<']) => {
                        if is_rule(lt) || (lt.starts_with("{:") && lt.ends_with('}')) {
                            break;
                        }
                        text.push(' ');
                        text.push_str(lt);
                        match children.last_mut() {
                            Some(c) => {
                                c.1.push(' ');
                                c.1.push_str(lt);
                            }
                            None => {
                                own.push(' ');
                                own.push_str(lt);
                            }
                        }
                    }
                    None => break,
                }
                i += 1;
            }
            if !children.is_empty() && is_label(&own) {
                // `- Test Tooling` with its competencies nested under it: a
                // group, and each child a statement of its own. Deeper
                // items fold into the child they belong to.
                out.push(Block::Heading {
                    depth: LABEL_DEPTH,
                    text: own,
                    line,
                });
                let top = children.iter().map(|c| c.0).min().unwrap_or(0);
                let mut items: Vec<(String, u32)> = Vec::new();
                for (ci, ct, cl) in children {
                    match items.last_mut() {
                        Some(last) if ci > top => {
                            last.0.push_str(if last.0.ends_with([':', ';', '.']) {
                                " "
                            } else {
                                "; "
                            });
                            last.0.push_str(&ct);
                        }
                        _ => items.push((ct, cl)),
                    }
                }
                for (text, line) in items {
                    out.push(Block::Item { text, line });
                }
                continue;
            }
            out.push(Block::Item { text, line });
            continue;
        }
        // A paragraph runs to the next blank line or structural line.
        let mut text = t.to_owned();
        while let Some(&l) = lines.get(i) {
            let lt = l.trim();
            if lt.is_empty()
                || heading(l).is_some()
                || list_item(l).is_some()
                || lt.starts_with("{{")
                || lt.starts_with("<%")
                || lt.starts_with('|')
                || is_rule(lt)
                || (lt.starts_with("{:") && lt.ends_with('}'))
            {
                break;
            }
            text.push(' ');
            text.push_str(lt);
            i += 1;
        }
        out.push(Block::Para { text, line });
    }
    out
}

/// The block-level tags that open an HTML block (CommonMark's kind 6).
const HTML_BLOCK_TAGS: &[&str] = &[
    "table",
    "div",
    "details",
    "section",
    "article",
    "aside",
    "blockquote",
    "dl",
    "figure",
    "ol",
    "ul",
    "p",
    "center",
    "summary",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
];

/// A line that opens an HTML block: `<div`, `</div>`, `<table class=…>`.
fn is_html_block(t: &str) -> bool {
    let Some(rest) = t.strip_prefix('<') else {
        return false;
    };
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    let name: String = rest
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    let after = rest.get(name.len()..).unwrap_or("");
    HTML_BLOCK_TAGS.contains(&name.as_str())
        && (after.is_empty() || after.starts_with([' ', '>', '/', '\t']))
}

/// The text of an HTML block: tags removed, the common entities decoded,
/// a line per table row, paragraph or list item, cells between ` | `.
pub fn html_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(rest.get(..open).unwrap_or(""));
        let after = rest.get(open..).unwrap_or("");
        let Some(close) = after.find('>') else {
            out.push_str(after);
            rest = "";
            break;
        };
        let tag = after.get(1..close).unwrap_or("").to_ascii_lowercase();
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        match (tag.starts_with('/'), name.as_str()) {
            (true, "td" | "th") => out.push_str(" | "),
            (true, "tr" | "p" | "li" | "div" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
            | (_, "br") => out.push('\n'),
            _ => out.push(' '),
        }
        rest = after.get(close + 1..).unwrap_or("");
    }
    out.push_str(rest);
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    decoded
        .lines()
        .map(|l| {
            let words = l.split_whitespace().collect::<Vec<_>>().join(" ");
            words
                .trim_matches(|c: char| c == '|' || c.is_whitespace())
                .to_owned()
        })
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_link_definition(t: &str) -> bool {
    t.starts_with('[')
        && t.find("]:")
            .is_some_and(|i| !t.get(1..i).unwrap_or("").contains(']'))
}

/// The text with Markdown links reduced to their words and emphasis marks
/// removed: what a reader sees.
pub fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('[') {
        out.push_str(rest.get(..i).unwrap_or(""));
        let after = rest.get(i + 1..).unwrap_or("");
        match after.find(']') {
            Some(j) => {
                let label = after.get(..j).unwrap_or("");
                let tail = after.get(j + 1..).unwrap_or("");
                out.push_str(label);
                rest = if tail.starts_with('(') {
                    tail.find(')').and_then(|k| tail.get(k + 1..)).unwrap_or("")
                } else if tail.starts_with('[') {
                    tail.find(']').and_then(|k| tail.get(k + 1..)).unwrap_or("")
                } else {
                    tail
                };
            }
            None => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.replace("**", "").replace("__", "").replace('`', "")
}

/// Normalised for matching: the plain words, lowercase, single-spaced.
pub fn normalise(text: &str) -> String {
    let p = plain(text);
    let mut out = String::with_capacity(p.len());
    for w in p.split(|c: char| !c.is_alphanumeric()) {
        if w.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(w.chars().flat_map(char::to_lowercase));
    }
    out
}

/// True when the text is only links (and separators): navigation, a table
/// of contents, or a "see also".
pub fn is_only_links(text: &str) -> bool {
    if !text.contains("](") && !text.contains("][") {
        return false;
    }
    let mut rest = text;
    let mut outside = String::new();
    while let Some(i) = rest.find('[') {
        outside.push_str(rest.get(..i).unwrap_or(""));
        let after = rest.get(i + 1..).unwrap_or("");
        let Some(j) = after.find(']') else { break };
        let tail = after.get(j + 1..).unwrap_or("");
        rest = if tail.starts_with('(') {
            tail.find(')').and_then(|k| tail.get(k + 1..)).unwrap_or("")
        } else if tail.starts_with('[') {
            tail.find(']').and_then(|k| tail.get(k + 1..)).unwrap_or("")
        } else {
            tail
        };
    }
    outside.push_str(rest);
    outside.chars().all(|c| !c.is_alphanumeric())
}

/// The targets of the Markdown links in a text, with their labels.
pub fn links(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('[') {
        let after = rest.get(i + 1..).unwrap_or("");
        let Some(j) = after.find("](") else { break };
        let label = after.get(..j).unwrap_or("");
        let tail = after.get(j + 2..).unwrap_or("");
        let Some(k) = tail.find(')') else { break };
        out.push((label.to_owned(), tail.get(..k).unwrap_or("").to_owned()));
        rest = tail.get(k + 1..).unwrap_or("");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_bullets_are_groups_and_lead_ins_stay_one_statement() {
        let body = "- Test Tooling\n  - Builds the test tools.\n    - down to the runners\n  - Keeps them fast.\n- Owns the roadmap for:\n  - search\n  - billing\n- Ships with care.\n";
        let blocks = parse(body, 1);
        assert_eq!(
            blocks,
            vec![
                Block::Heading {
                    depth: LABEL_DEPTH,
                    text: "Test Tooling".into(),
                    line: 1
                },
                Block::Item {
                    text: "Builds the test tools. down to the runners".into(),
                    line: 2
                },
                Block::Item {
                    text: "Keeps them fast.".into(),
                    line: 4
                },
                Block::Item {
                    text: "Owns the roadmap for: search; billing".into(),
                    line: 5
                },
                Block::Item {
                    text: "Ships with care.".into(),
                    line: 8
                },
            ]
        );
    }

    #[test]
    fn reads_the_shapes_of_a_matrix_page() {
        let body = "## Senior\n\n{{% include \"includes/a.md\" %}}\n\n{{$ include “includes/b.md” %}}\n\n#### Distribution\n\n- One\n  continued\n  - nested\n- Two\n\n<%= partial(\"x/y.erb\") %>\n<%# note %>\n{:toc}\n\nA paragraph\nover two lines.\n";
        let b = parse(body, 1);
        assert_eq!(
            b,
            vec![
                Block::Heading {
                    depth: 2,
                    text: "Senior".into(),
                    line: 1
                },
                Block::Include {
                    path: "includes/a.md".into(),
                    line: 3
                },
                Block::Malformed {
                    text: "{{$ include “includes/b.md” %}}".into(),
                    path: "includes/b.md".into(),
                    line: 5
                },
                Block::Heading {
                    depth: 4,
                    text: "Distribution".into(),
                    line: 7
                },
                // A label bullet with an item nested under it: a group.
                Block::Heading {
                    depth: LABEL_DEPTH,
                    text: "One continued".into(),
                    line: 9
                },
                Block::Item {
                    text: "nested".into(),
                    line: 11
                },
                Block::Item {
                    text: "Two".into(),
                    line: 12
                },
                Block::Partial {
                    path: "x/y.erb".into(),
                    line: 14
                },
                Block::Noise {
                    text: "<%# note %>".into(),
                    line: 15
                },
                Block::Noise {
                    text: "{:toc}".into(),
                    line: 16
                },
                Block::Para {
                    text: "A paragraph over two lines.".into(),
                    line: 18
                },
            ]
        );
    }

    #[test]
    fn plain_text_and_links() {
        assert_eq!(plain("a [b](/c) **d** [e][f]"), "a b d e");
        assert_eq!(
            normalise("Adhere to the [Results](/x#y) Competencies."),
            "adhere to the results competencies"
        );
        assert!(is_only_links("[A](/a) | [B](/b)"));
        assert!(!is_only_links("See [A](/a) for more"));
        assert_eq!(
            links("x [All of an Intermediate](/m/intermediate/) y"),
            vec![("All of an Intermediate".into(), "/m/intermediate/".into())]
        );
    }

    #[test]
    fn html_blocks_keep_their_text() {
        let page = "Intro.\n\n<table>\n<tr><th>Level</th><th>Scope</th></tr>\n<tr><td>Senior</td><td>A team &amp; its services</td></tr>\n</table>\n\n<div class=\"panel\">\n\n- An item.\n\n</div>\n";
        let blocks = parse(page, 1);
        assert!(
            blocks.contains(&Block::Html {
                text: "Level | Scope\nSenior | A team & its services".to_owned(),
                line: 3
            }),
            "{blocks:?}"
        );
        // A tag alone carries no text: layout, nothing lost.
        assert!(
            blocks
                .iter()
                .any(|b| matches!(b, Block::Noise { text, .. } if text == "</div>"))
        );
        assert!(
            blocks
                .iter()
                .any(|b| matches!(b, Block::Item { text, .. } if text == "An item."))
        );
        assert!(!is_html_block("<https://example.com>"));
        assert!(!is_html_block("<br>"));
        assert!(is_html_block("</DIV>"));
    }

    #[test]
    fn front_matter_is_split() {
        let (y, b, l) = front_matter("---\ntitle: x\n---\n\nbody\n");
        assert_eq!(y, Some("title: x\n"));
        assert_eq!(b, "\nbody\n");
        assert_eq!(l, 4);
    }
}
