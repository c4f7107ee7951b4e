//! A small, line-based reader for the Markdown subset the format uses:
//! front matter, ATX headings with `{#id key=value}` attributes, list items
//! with trailing `{#id}`, include directives, and prose. It keeps byte
//! offsets into the real file so diagnostics and `ladder ids` edits land on
//! the right character. It never panics: every slice is checked.

use crate::diagnostic::{Diagnostic, Lines, Span};
use std::collections::BTreeMap;

/// Front matter split from a file. `yaml_offset` is where the YAML starts.
#[derive(Debug)]
pub struct Split<'a> {
    pub yaml: Option<&'a str>,
    pub yaml_offset: usize,
    pub body_offset: usize,
}

/// Splits `---` front matter from the body. An opening `---` with no closing
/// one is an error at the opening line.
pub fn split_front_matter<'t>(file: &str, text: &'t str) -> Result<Split<'t>, Box<Diagnostic>> {
    let first_line_end = text.find('\n').map_or(text.len(), |i| i + 1);
    let first = text.get(..first_line_end).unwrap_or("");
    if first.trim_end() != "---" {
        return Ok(Split {
            yaml: None,
            yaml_offset: 0,
            body_offset: 0,
        });
    }
    let mut pos = first_line_end;
    while pos < text.len() {
        let end = text
            .get(pos..)
            .and_then(|r| r.find('\n'))
            .map_or(text.len(), |i| pos + i + 1);
        let line = text.get(pos..end).unwrap_or("").trim_end();
        if line == "---" || line == "..." {
            return Ok(Split {
                yaml: text.get(first_line_end..pos),
                yaml_offset: first_line_end,
                body_offset: end,
            });
        }
        pos = end;
    }
    Err(Box::new(
        Diagnostic::error(
            "front-matter",
            Span::at(file, text, 0, 3),
            "front matter is opened with `---` but never closed",
        )
        .with_help("add a line with `---` after the last YAML key"),
    ))
}

/// A top-level `key: value` of a file's front matter, read as text, so it
/// works even when the YAML does not parse or is never closed.
pub fn front_matter_value(text: &str, key: &str) -> Option<String> {
    let mut lines = text.lines();
    if lines.next()?.trim_end() != "---" {
        return None;
    }
    lines
        .take_while(|l| !matches!(l.trim_end(), "---" | "..."))
        .find_map(|l| {
            let rest = l.strip_prefix(key)?.trim_start().strip_prefix(':')?;
            let v = rest.trim().trim_matches(['"', '\'']);
            (!v.is_empty()).then(|| v.to_owned())
        })
}

/// A page's file name without folder and `.md`: `layers/platform.md` → `platform`.
pub fn file_stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".md").unwrap_or(name)
}

/// Attributes written `{#id key=value key="two words"}` after a heading.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attrs {
    pub id: Option<String>,
    pub pairs: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    Heading {
        depth: usize,
        text: String,
        attrs: Attrs,
        /// The heading text's span (not the `#` marks).
        span: Span,
    },
    Item {
        text: String,
        id: Option<String>,
        /// Where the item's text starts.
        span: Span,
        /// Byte offset just after the item's last character of text: where
        /// `ladder ids` appends ` {#id}`.
        end: usize,
    },
    Include {
        path: String,
        /// The whole directive.
        span: Span,
        /// The quoted path inside it.
        path_span: Span,
    },
    Prose {
        text: String,
        span: Span,
    },
    /// An include the reader could not accept (already reported); the path
    /// it most likely meant, so that file is not also reported as unused.
    BrokenInclude {
        guessed_path: String,
    },
}

/// Is this a valid statement or section id? Lowercase ASCII letters, digits,
/// `-`, `_` and `.`, starting with a letter or digit.
pub fn is_valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c))
}

/// Is this a valid layer id? One or more valid ids joined by `/`, so an
/// imported folder path such as `development/dev/backend` can be kept.
pub fn is_valid_layer_id(id: &str) -> bool {
    id.split('/').all(is_valid_id)
}

struct OpenItem {
    text: String,
    start: usize,
    end: usize,
    after_blank: bool,
}

struct Parser<'a> {
    file: &'a str,
    src: &'a str,
    lines: Lines,
    blocks: Vec<Block>,
    diags: Vec<Diagnostic>,
    item: Option<OpenItem>,
    prose: Option<(usize, String)>,
}

/// Reads the body of a file (from `body_offset`) into blocks. Problems that
/// the reader can see on its own (malformed includes, bad ids) are returned
/// as diagnostics; the blocks are still as complete as possible.
pub fn parse_blocks(file: &str, src: &str, body_offset: usize) -> (Vec<Block>, Vec<Diagnostic>) {
    let mut p = Parser {
        file,
        src,
        lines: Lines::new(src),
        blocks: Vec::new(),
        diags: Vec::new(),
        item: None,
        prose: None,
    };
    let mut fence: Option<&str> = None;
    let mut in_comment = false;
    let mut pos = body_offset.min(src.len());
    while pos < src.len() {
        let next = src
            .get(pos..)
            .and_then(|r| r.find('\n'))
            .map_or(src.len(), |i| pos + i + 1);
        let raw = src.get(pos..next).unwrap_or("");
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let start = pos + indent;
        pos = next;

        if in_comment {
            if line.contains("-->") {
                in_comment = false;
            }
            continue;
        }
        if let Some(marker) = fence {
            p.add_prose(start, line);
            if trimmed.starts_with(marker) {
                fence = None;
            }
            continue;
        }
        if trimmed.starts_with("<!--") {
            p.flush();
            if !trimmed.get(4..).unwrap_or("").contains("-->") {
                in_comment = true;
            }
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            p.flush();
            fence = trimmed.get(..3);
            p.add_prose(start, line);
            continue;
        }
        if trimmed.is_empty() {
            p.flush_prose();
            if let Some(item) = &mut p.item {
                item.after_blank = true;
            }
            continue;
        }
        if is_thematic_break(trimmed) {
            p.flush();
            continue;
        }
        if indent <= 3
            && let Some((depth, rest)) = heading(trimmed)
        {
            p.flush();
            let rest_offset = start + (trimmed.len() - rest.len());
            p.heading(depth, rest, rest_offset);
            continue;
        }
        if let Some(body) = bullet_body(trimmed) {
            let body_offset = start + (trimmed.len() - body.len());
            p.flush();
            if looks_like_include(body) {
                p.include(body, body_offset);
            } else {
                p.item = Some(OpenItem {
                    text: body.trim_end().to_owned(),
                    start: body_offset,
                    end: body_offset + body.trim_end().len(),
                    after_blank: false,
                });
            }
            continue;
        }
        if looks_like_include(trimmed) {
            p.flush();
            p.include(trimmed, start);
            continue;
        }
        if let Some(item) = &mut p.item
            && (!item.after_blank || indent >= 2)
        {
            item.text.push(' ');
            item.text.push_str(trimmed.trim_end());
            item.end = start + trimmed.trim_end().len();
            continue;
        }
        p.flush_item();
        p.add_prose(start, line);
    }
    p.flush();
    (p.blocks, p.diags)
}

fn is_thematic_break(t: &str) -> bool {
    let mut marks = t.chars().filter(|c| !c.is_whitespace());
    let Some(first) = marks.next().filter(|f| matches!(f, '-' | '*' | '_')) else {
        return false;
    };
    let mut count = 1;
    for c in marks {
        if c != first {
            return false;
        }
        count += 1;
    }
    count >= 3
}

fn heading(t: &str) -> Option<(usize, &str)> {
    let depth = t.chars().take_while(|c| *c == '#').count();
    if !(1..=6).contains(&depth) {
        return None;
    }
    let rest = t.get(depth..)?;
    if rest.is_empty() {
        return Some((depth, rest));
    }
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    Some((depth, rest.trim_start()))
}

fn bullet_body(t: &str) -> Option<&str> {
    for m in ["- ", "* ", "+ "] {
        if let Some(rest) = t.strip_prefix(m) {
            return Some(rest.trim_start());
        }
    }
    if t == "-" || t == "*" || t == "+" {
        return Some("");
    }
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    if (1..=9).contains(&digits) {
        let rest = t.get(digits..)?;
        for m in [". ", ") "] {
            if let Some(r) = rest.strip_prefix(m) {
                return Some(r.trim_start());
            }
        }
    }
    None
}

fn looks_like_include(t: &str) -> bool {
    t.contains("{{") && t.contains("include")
}

const QUOTES: &[char] = &['"', '“', '”', '\'', '‘', '’', '«', '»'];

impl Parser<'_> {
    fn span(&self, offset: usize, len: usize) -> Span {
        Span::at_line(self.file, self.src, &self.lines, offset, len)
    }

    fn add_prose(&mut self, start: usize, line: &str) {
        self.flush_item();
        match &mut self.prose {
            Some((_, text)) => {
                text.push('\n');
                text.push_str(line.trim_end());
            }
            None => self.prose = Some((start, line.trim().to_owned())),
        }
    }

    fn flush_prose(&mut self) {
        if let Some((start, text)) = self.prose.take() {
            let span = self.span(start, text.lines().next().map_or(0, str::len));
            self.blocks.push(Block::Prose { text, span });
        }
    }

    fn flush_item(&mut self) {
        let Some(item) = self.item.take() else { return };
        let mut text = item.text.trim_end().to_owned();
        let mut id = None;
        if text.ends_with('}')
            && let Some(open) = text.rfind("{#")
        {
            let candidate = text.get(open + 2..text.len() - 1).unwrap_or("").trim();
            let id_offset = item.end.saturating_sub(text.len() - open);
            if is_valid_id(candidate) {
                id = Some(candidate.to_owned());
                text = text.get(..open).unwrap_or("").trim_end().to_owned();
            } else {
                let fixed = crate::similar::slugify(candidate);
                self.diags.push(
                        Diagnostic::error(
                            "bad-id",
                            self.span(id_offset, text.len() - open),
                            format!("`{candidate}` is not a valid id"),
                        )
                        .with_help(
                            "ids use lowercase letters, digits, `-`, `_` and `.`, and start with a letter or digit",
                        )
                        .with_suggestion(format!("{{#{fixed}}}")),
                    );
                // Go on with the suggested id, so one defect is one diagnostic.
                id = Some(fixed);
                text = text.get(..open).unwrap_or("").trim_end().to_owned();
            }
        }
        let span = self.span(item.start, text.len().min(item.end - item.start));
        self.blocks.push(Block::Item {
            text,
            id,
            span,
            end: item.end,
        });
    }

    fn flush(&mut self) {
        self.flush_item();
        self.flush_prose();
    }

    fn heading(&mut self, depth: usize, rest: &str, offset: usize) {
        let mut text = rest.trim_end().trim_end_matches('#').trim_end();
        let mut attrs = Attrs::default();
        if text.ends_with('}')
            && let Some(open) = text.rfind('{')
        {
            let inner = text.get(open + 1..text.len() - 1).unwrap_or("");
            if inner.starts_with('#') || inner.contains('=') {
                attrs = self.parse_attrs(inner, offset + open + 1);
                text = text.get(..open).unwrap_or("").trim_end();
            }
        }
        let span = self.span(offset, text.len());
        self.blocks.push(Block::Heading {
            depth,
            text: text.to_owned(),
            attrs,
            span,
        });
    }

    fn parse_attrs(&mut self, inner: &str, offset: usize) -> Attrs {
        let mut attrs = Attrs::default();
        let mut rest = inner;
        let mut at = offset;
        loop {
            let trimmed = rest.trim_start();
            at += rest.len() - trimmed.len();
            rest = trimmed;
            if rest.is_empty() {
                break;
            }
            let token_len = if let Some(eq) = rest.find('=') {
                let after = rest.get(eq + 1..).unwrap_or("");
                if after.starts_with('"') {
                    after
                        .get(1..)
                        .and_then(|a| a.find('"'))
                        .map_or(rest.len(), |q| eq + q + 3)
                } else {
                    rest.find(char::is_whitespace).unwrap_or(rest.len())
                }
            } else {
                rest.find(char::is_whitespace).unwrap_or(rest.len())
            };
            let token = rest.get(..token_len).unwrap_or(rest);
            if let Some(id) = token.strip_prefix('#') {
                if is_valid_id(id) {
                    attrs.id = Some(id.to_owned());
                } else {
                    self.diags.push(
                        Diagnostic::error(
                            "bad-id",
                            self.span(at, token.len()),
                            format!("`{id}` is not a valid id"),
                        )
                        .with_help("ids use lowercase letters, digits, `-`, `_` and `.`")
                        .with_suggestion(format!("#{}", crate::similar::slugify(id))),
                    );
                }
            } else if let Some((k, v)) = token.split_once('=') {
                let v = v.trim_matches('"');
                attrs.pairs.insert(k.to_owned(), v.to_owned());
            } else {
                self.diags.push(
                    Diagnostic::error(
                        "bad-attribute",
                        self.span(at, token.len()),
                        format!("`{token}` is not an attribute"),
                    )
                    .with_help("write heading attributes as `{#id key=value}`"),
                );
            }
            rest = rest.get(token_len..).unwrap_or("");
            at += token_len;
        }
        attrs
    }

    fn include(&mut self, t: &str, offset: usize) {
        let t = t.trim_end();
        if let Some((path, path_start)) = valid_include(t) {
            let span = self.span(offset, t.len());
            let path_span = self.span(offset + path_start, path.len());
            self.blocks.push(Block::Include {
                path: path.to_owned(),
                span,
                path_span,
            });
            return;
        }
        // Something include-like that Hugo would print as text.
        let brace = t.find("{{").unwrap_or(0);
        let directive = t.get(brace..).unwrap_or(t);
        let directive = match directive.find("}}") {
            Some(end) => directive.get(..end + 2).unwrap_or(directive),
            None => directive,
        };
        let path = guess_include_path(directive);
        let span = self.span(offset + brace, directive.len());
        let corrected = format!("{{{{% include \"{path}\" %}}}}");
        let message = if brace > 0 || directive.len() < t.len() - brace {
            "an include must stand alone on its own line".to_owned()
        } else {
            format!("malformed include `{directive}`; it would be printed as text")
        };
        self.diags.push(
            Diagnostic::error("malformed-include", span, message)
                .with_help(format!("write it as `{corrected}`"))
                .with_suggestion(corrected),
        );
        self.blocks
            .push(Block::BrokenInclude { guessed_path: path });
    }
}

/// `{{% include "path" %}}` with any spacing inside the braces.
fn valid_include(t: &str) -> Option<(&str, usize)> {
    let inner = t.strip_prefix("{{%")?.strip_suffix("%}}")?;
    let lead = inner.len() - inner.trim_start().len();
    let after_kw = inner.trim_start().strip_prefix("include")?;
    if !after_kw.starts_with(char::is_whitespace) {
        return None;
    }
    let arg = after_kw.trim();
    let path = arg.strip_prefix('"')?.strip_suffix('"')?;
    if path.is_empty() || path.contains(QUOTES) {
        return None;
    }
    let arg_start = 3 + lead + "include".len() + (after_kw.len() - after_kw.trim_start().len());
    Some((path, arg_start + 1))
}

fn guess_include_path(directive: &str) -> String {
    if let Some(open) = directive.find(QUOTES) {
        let after = directive.get(open..).unwrap_or("");
        let mut chars = after.chars();
        let q = chars.next().map_or(0, char::len_utf8);
        let rest = after.get(q..).unwrap_or("");
        let end = rest.find(QUOTES).unwrap_or(rest.len());
        return rest.get(..end).unwrap_or(rest).trim().to_owned();
    }
    let after = directive
        .find("include")
        .and_then(|i| directive.get(i + "include".len()..))
        .unwrap_or("");
    after
        .split(|c: char| c.is_whitespace() || c == '%' || c == '}' || c == '$')
        .find(|s| !s.is_empty())
        .unwrap_or("")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(src: &str) -> (Vec<Block>, Vec<Diagnostic>) {
        parse_blocks("f.md", src, 0)
    }

    #[test]
    fn thematic_breaks_are_three_of_one_mark() {
        for t in ["---", "***", "___", "- - -", "*  *  * *", "-----"] {
            assert!(is_thematic_break(t), "{t}");
        }
        for t in ["--", "-*-", "a---", "--- a", "", "==="] {
            assert!(!is_thematic_break(t), "{t}");
        }
    }

    #[test]
    fn items_ids_and_continuations() {
        let src = "## Senior\n\n- Leads work {#lead}\n- Writes docs\n  that others read.\n";
        let (b, d) = blocks(src);
        let read_end = src.find("read.").unwrap() + "read.".len();
        assert!(d.is_empty());
        assert!(
            matches!(&b[1], Block::Item { text, id: Some(id), .. } if text == "Leads work" && id == "lead")
        );
        assert!(
            matches!(&b[2], Block::Item { text, id: None, end, .. } if text == "Writes docs that others read." && *end == read_end)
        );
    }

    #[test]
    fn include_forms() {
        let (b, d) = blocks("{{% include \"includes/a.md\" %}}\n");
        assert!(d.is_empty());
        assert!(matches!(&b[0], Block::Include { path, .. } if path == "includes/a.md"));
        let (_, d) = blocks("\n{{$ include “includes/a.md” %}}\n");
        assert_eq!(d[0].code, "malformed-include");
        assert_eq!((d[0].span.line, d[0].span.column), (2, 1));
        assert_eq!(
            d[0].suggestion.as_deref(),
            Some("{{% include \"includes/a.md\" %}}")
        );
    }

    #[test]
    fn heading_attributes() {
        let (b, d) = blocks("### Build & Release {#build-release layer=delivery}\n");
        assert!(d.is_empty());
        match &b[0] {
            Block::Heading { text, attrs, .. } => {
                assert_eq!(text, "Build & Release");
                assert_eq!(attrs.id.as_deref(), Some("build-release"));
                assert_eq!(
                    attrs.pairs.get("layer").map(String::as_str),
                    Some("delivery")
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn front_matter() {
        let s = split_front_matter("f", "---\nid: x\n---\nbody").unwrap();
        assert_eq!(s.yaml, Some("id: x\n"));
        assert_eq!(s.body_offset, 14);
        assert!(split_front_matter("f", "---\nid: x\n").is_err());
    }
}
