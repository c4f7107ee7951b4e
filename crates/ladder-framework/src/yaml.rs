//! YAML through serde-saphyr, with every location mapped back into the file
//! (front matter offset applied).

use crate::diagnostic::{Diagnostic, Span};
use crate::similar::did_you_mean;
use serde::de::DeserializeOwned;
use serde_saphyr::{Location, Spanned};

/// A YAML document inside a file: the file's name and text, and where the
/// YAML starts in it.
#[derive(Clone, Copy, Debug)]
pub struct Doc<'a> {
    pub file: &'a str,
    pub text: &'a str,
    pub yaml_offset: usize,
    /// Where the YAML ends (exclusive).
    pub yaml_end: usize,
}

impl Doc<'_> {
    fn yaml(&self) -> &str {
        self.text.get(self.yaml_offset..self.yaml_end).unwrap_or("")
    }

    /// The span at a 1-based line and column of the YAML.
    pub fn span_at(&self, line: u64, column: u64, len: usize) -> Span {
        let yaml = self.yaml();
        let mut offset = 0usize;
        for (i, l) in yaml.split_inclusive('\n').enumerate() {
            if (i as u64) + 1 == line {
                let col = usize::try_from(column.saturating_sub(1)).unwrap_or(0);
                offset += l.char_indices().nth(col).map_or(l.len(), |(b, _)| b);
                break;
            }
            offset += l.len();
        }
        Span::at(self.file, self.text, self.yaml_offset + offset, len)
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
        serde_saphyr::from_str::<T>(body).map_err(|e| Box::new(self.error(&e, body, what)))
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
