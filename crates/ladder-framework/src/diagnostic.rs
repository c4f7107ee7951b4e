//! Diagnostics: every problem the compiler finds, with its place and a fix.

use serde::Serialize;
use std::fmt;

/// How bad a diagnostic is. Errors make `ladder check` exit 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// A place in a source file. `line` and `column` are 1-based, the column
/// counted in characters; `offset` and `len` are bytes, for highlighting.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub offset: usize,
    pub len: usize,
}

impl Span {
    /// The span of `len` bytes starting at byte `offset` of `text`.
    pub fn at(file: &str, text: &str, offset: usize, len: usize) -> Span {
        let offset = offset.min(text.len());
        let before = text.get(..offset).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Span::on_line(file, text, offset, len, line, line_start)
    }

    /// The span at `offset` (at most `text.len()`), on 1-based `line`,
    /// which starts at byte `line_start`.
    pub(crate) fn on_line(
        file: &str,
        text: &str,
        offset: usize,
        len: usize,
        line: usize,
        line_start: usize,
    ) -> Span {
        let column = text
            .get(line_start..offset)
            .map_or(0, |s| s.chars().count())
            + 1;
        Span {
            file: file.to_owned(),
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
            offset,
            len: len.min(text.len() - offset),
        }
    }

    /// [`Span::at`] through a [`Lines`] index of `text`, for callers that
    /// make many spans in one file: `at` counts lines from the start each
    /// time.
    pub(crate) fn at_line(
        file: &str,
        text: &str,
        lines: &Lines,
        offset: usize,
        len: usize,
    ) -> Span {
        let offset = offset.min(text.len());
        let line = lines.starts.partition_point(|s| *s <= offset);
        let line_start = line
            .checked_sub(1)
            .and_then(|i| lines.starts.get(i))
            .copied()
            .unwrap_or(0);
        Span::on_line(file, text, offset, len, line, line_start)
    }

    /// The start of a file, for problems that concern a whole file.
    pub fn file_start(file: &str) -> Span {
        Span {
            file: file.to_owned(),
            line: 1,
            column: 1,
            offset: 0,
            len: 0,
        }
    }
}

/// Where each line of a text starts, so a byte offset maps to its line by
/// binary search.
#[derive(Clone, Debug)]
pub(crate) struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub(crate) fn new(text: &str) -> Lines {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { starts }
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One problem found in a framework.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable kebab-case code, e.g. `missing-include`. Documented in docs/format.md.
    pub code: &'static str,
    pub message: String,
    #[serde(flatten)]
    pub span: Span,
    /// What to do about it, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The exact text that should replace the span, when it can be guessed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span,
            help: None,
            suggestion: None,
        }
    }

    pub fn warning(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, span, message)
        }
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn with_suggestion(mut self, replacement: impl Into<String>) -> Diagnostic {
        self.suggestion = Some(replacement.into());
        self
    }

    /// Adds "did you mean `x`?" (and `x` as the suggestion) when a candidate
    /// is close to `wanted`, or else lists the candidates.
    #[must_use]
    pub fn with_did_you_mean<'s>(
        self,
        wanted: &str,
        candidates: impl IntoIterator<Item = &'s str> + Clone,
    ) -> Diagnostic {
        match crate::similar::did_you_mean(wanted, candidates.clone()) {
            Some(s) => self
                .with_help(format!("did you mean `{s}`?"))
                .with_suggestion(s.to_owned()),
            None => {
                let all: Vec<&str> = candidates.into_iter().collect();
                if all.is_empty() {
                    self
                } else {
                    self.with_help(format!("known: {}", all.join(", ")))
                }
            }
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A short one-line form: `file:line:col: error[code]: message (help: …)`.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}[{}]: {}",
            self.span, self.severity, self.code, self.message
        )?;
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{Lines, Span};
    use proptest::prelude::*;

    proptest! {
        /// The indexed span is the counted one, wherever the offset falls
        /// (line starts, multi-byte characters, past the end).
        #[test]
        fn indexed_spans_match_counted_ones(text in "[a-cé\n]{0,40}", offset in 0usize..50, len in 0usize..10) {
            let lines = Lines::new(&text);
            let offset = (0..=offset.min(text.len())).rev().find(|o| text.is_char_boundary(*o)).unwrap_or(0);
            prop_assert_eq!(Span::at_line("f.md", &text, &lines, offset, len), Span::at("f.md", &text, offset, len));
        }
    }
}
