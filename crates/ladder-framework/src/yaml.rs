//! YAML through serde-saphyr, with every location mapped back into the file
//! (front matter offset applied).

use crate::diagnostic::{Diagnostic, Span};
use crate::similar::did_you_mean;
use serde::de::DeserializeOwned;
use serde_saphyr::{Location, Spanned};

/// A YAML document inside a file: the file's name and text, where the YAML
/// starts and ends in it, and where each of its lines starts, so that a
/// location becomes a span without reading the file again.
#[derive(Clone, Debug)]
pub struct Doc<'a> {
    pub file: &'a str,
    pub text: &'a str,
    pub yaml_offset: usize,
    /// Where the YAML ends (exclusive).
    pub yaml_end: usize,
    /// The file's line number of the YAML's first line.
    first_line: usize,
    /// Where each line of the YAML starts, as offsets in `text`.
    line_starts: Vec<usize>,
}

impl<'a> Doc<'a> {
    /// The YAML at `yaml_offset..yaml_end` of `text`.
    pub fn new(file: &'a str, text: &'a str, yaml_offset: usize, yaml_end: usize) -> Doc<'a> {
        let yaml_offset = yaml_offset.min(text.len());
        let yaml_end = yaml_end.clamp(yaml_offset, text.len());
        let before = text.get(..yaml_offset).unwrap_or("");
        let first_line = before.matches('\n').count() + 1;
        let mut line_starts = vec![before.rfind('\n').map_or(0, |i| i + 1)];
        let yaml = text.get(yaml_offset..yaml_end).unwrap_or("");
        line_starts.extend(yaml.match_indices('\n').map(|(i, _)| yaml_offset + i + 1));
        Doc {
            file,
            text,
            yaml_offset,
            yaml_end,
            first_line,
            line_starts,
        }
    }

    fn yaml(&self) -> &str {
        self.text.get(self.yaml_offset..self.yaml_end).unwrap_or("")
    }

    /// The span at a 1-based line and column of the YAML.
    pub fn span_at(&self, line: u64, column: u64, len: usize) -> Span {
        let index = usize::try_from(line.saturating_sub(1)).unwrap_or(usize::MAX);
        let Some(&start) = self.line_starts.get(index) else {
            return Span::at(self.file, self.text, self.yaml_end, len);
        };
        // The first line may begin before the YAML (front matter never
        // does, but the offset is kept exact either way).
        let from = if index == 0 { self.yaml_offset } else { start };
        let end = self
            .line_starts
            .get(index + 1)
            .copied()
            .unwrap_or(self.yaml_end)
            .max(from);
        let rest = self.text.get(from..end).unwrap_or("");
        let col = usize::try_from(column.saturating_sub(1)).unwrap_or(0);
        let offset = from + rest.char_indices().nth(col).map_or(rest.len(), |(b, _)| b);
        Span::on_line(
            self.file,
            self.text,
            offset,
            len,
            self.first_line + index,
            start,
        )
    }

    pub fn span_of_location(&self, loc: &Location, len: usize) -> Span {
        self.span_at(loc.line(), loc.column(), len)
    }

    /// The span of a `Spanned` string value.
    pub fn span_of(&self, value: &Spanned<String>) -> Span {
        self.span_of_location(&value.referenced, value.value.len())
    }

    /// Deserializes the YAML, or returns one diagnostic at the problem.
    pub fn parse<T: DeserializeOwned>(&self, what: &str) -> Result<T, Box<Diagnostic>> {
        let yaml = self.yaml();
        let body = if yaml
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
        {
            "{}"
        } else {
            yaml
        };
        // The parser's default budget (250,000 nodes) stops a ladder.yaml of
        // about 25,000 levels. Every node takes at least one byte of the
        // file, so a budget as large as the file refuses nothing written out
        // in full; aliases, the way a small file becomes a huge document,
        // keep their own caps.
        let mut budget = serde_saphyr::Budget::default();
        budget.max_nodes = budget.max_nodes.max(body.len());
        budget.max_events = budget.max_events.max(body.len().saturating_mul(2));
        let options = serde_saphyr::options! { budget: Some(budget) };
        serde_saphyr::from_str_with_options::<T>(body, options)
            .map_err(|e| Box::new(self.error(&e, body, what)))
    }

    fn error(&self, e: &serde_saphyr::Error, body: &str, what: &str) -> Diagnostic {
        {
            let span = match e.location() {
                Some(loc) if body != "{}" => self.span_of_location(&loc, 1),
                _ => Span::at(self.file, self.text, self.yaml_offset, 0),
            };
            let shown = e.to_string();
            let first = shown.lines().next().unwrap_or("").trim();
            let message = first
                .strip_prefix("error: ")
                .and_then(|m| m.split_once(": ").map(|(_, rest)| rest))
                .unwrap_or(first)
                .to_owned();
            if let Some(rest) = message.strip_prefix("unknown field `") {
                let (key, expected) = rest.split_once('`').unwrap_or((rest, ""));
                let known: Vec<&str> = expected
                    .trim_start_matches(", expected one of ")
                    .trim_start_matches(", expected ")
                    .split(", ")
                    .map(|k| k.trim_matches('`'))
                    .filter(|k| !k.is_empty())
                    .collect();
                let span = Span {
                    len: key.len(),
                    ..span
                };
                let d = Diagnostic::error(
                    "unknown-key",
                    span,
                    format!("unknown key `{key}` in {what}"),
                );
                return match did_you_mean(key, known.iter().copied()) {
                    Some(s) => d
                        .with_help(format!("did you mean `{s}`?"))
                        .with_suggestion(s.to_owned()),
                    None => d.with_help(format!("the keys here are: {}", known.join(", "))),
                };
            }
            let code = if message.starts_with("missing field") {
                "missing-key"
            } else {
                "yaml"
            };
            let d = Diagnostic::error(code, span, format!("{what}: {message}"));
            if code == "yaml" {
                d.with_help("check the YAML here and on the lines above; an unclosed bracket or quote is a common cause")
            } else {
                d
            }
        }
    }
}
