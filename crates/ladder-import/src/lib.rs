//! Importers: turn what an organisation already has into a Ladder
//! framework folder, losing nothing.
//!
//! Every importer is sans-IO: it takes a [`Source`] (paths and texts read by
//! the caller) and returns an [`Import`]: the files of the framework to
//! write, and a [`Report`] of every problem found in the source, each with
//! its file and line. The caller writes the files; nothing is half-written
//! because nothing is written here.
//!
//! - [`handbook`]: GitLab-style handbooks (Hugo and Middleman): career-matrix
//!   pages, their includes or ERB partials, and job-family pages.
//! - [`monzo`]: Monzo's progression framework (YAML front matter).
//! - [`ft`]: the Financial Times' engineering progression (YAML).
//! - [`csv`]: the competency matrix as a spreadsheet, both ways.

pub mod csv;
pub mod ft;
pub mod handbook;
mod levels;
pub mod monzo;
pub mod outline;
pub mod sheet;
pub mod table;
mod write;

use serde::Serialize;
use std::collections::BTreeMap;

pub use levels::LevelMap;
pub use write::{Framework, LayerOut, LevelOut};

/// The files to import from, by path relative to the source root.
#[derive(Clone, Debug, Default)]
pub struct Source {
    pub files: BTreeMap<String, String>,
}

impl Source {
    pub fn new() -> Source {
        Source::default()
    }

    pub fn insert(&mut self, path: impl Into<String>, text: impl Into<String>) {
        self.files.insert(path.into(), text.into());
    }

    pub fn get(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(String::as_str)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// One problem in the source, at its place.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Problem {
    pub file: String,
    pub line: u32,
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    /// The corrected form or the likely intended target, when one is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(
            f,
            "{}:{}: {sev}[{}]: {}",
            self.file, self.line, self.code, self.message
        )?;
        if let Some(fix) = &self.fix {
            write!(f, " (fix: {fix})")?;
        }
        Ok(())
    }
}

/// What an import found and made.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    /// The importer: `handbook (hugo)`, `monzo`, …
    pub format: String,
    pub counts: Counts,
    pub problems: Vec<Problem>,
    /// Per job family, where its responsibilities and requirements landed:
    /// family-wide, per level, per specialty (handbook imports).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub families: Vec<FamilyScope>,
}

/// Where a job family's statements landed in an import.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FamilyScope {
    pub family: String,
    /// The page it was read from (the index page, when levels have pages).
    pub source: String,
    /// Responsibilities and requirements that apply at every level.
    pub family_wide: usize,
    /// Per level: its responsibilities, requirements and competencies.
    pub levels: BTreeMap<String, usize>,
    /// Per specialty: its responsibilities, requirements and nice-to-haves.
    pub specialties: BTreeMap<String, usize>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Counts {
    pub source_files: usize,
    pub layers: usize,
    pub levels: usize,
    pub statements: usize,
    pub includes: usize,
    pub families: usize,
    pub prose_pages: usize,
}

impl Report {
    pub(crate) fn warn(
        &mut self,
        file: &str,
        line: u32,
        code: &'static str,
        message: impl Into<String>,
    ) {
        self.push(Severity::Warning, file, line, code, message.into(), None);
    }

    pub(crate) fn push(
        &mut self,
        severity: Severity,
        file: &str,
        line: u32,
        code: &'static str,
        message: String,
        fix: Option<String>,
    ) {
        self.problems.push(Problem {
            file: file.to_owned(),
            line,
            severity,
            code,
            message,
            fix,
        });
    }

    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }

    pub(crate) fn finish(&mut self) {
        self.problems.sort();
        self.problems.dedup();
    }
}

/// The result of an import: the framework's files (path → text) and the report.
#[derive(Clone, Debug, Default)]
pub struct Import {
    pub files: BTreeMap<String, String>,
    pub report: Report,
}
