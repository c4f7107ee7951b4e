//! Ladder's framework model and its compiler.
//!
//! [`compile`] turns a [`FileSet`] (the files of a framework directory, read
//! by the caller) into a [`Framework`] and every [`Diagnostic`] it found, in
//! one pass. This crate does no IO and never panics on input.
//!
//! ```
//! use ladder_framework::{FileSet, compile, example};
//! let mut files = FileSet::new();
//! for (path, text) in example::FILES {
//!     files.insert_text(path, *text);
//! }
//! let (framework, diagnostics) = compile(&files);
//! assert!(diagnostics.iter().all(|d| !d.is_error()));
//! let view = ladder_framework::resolve::role(&framework, "backend-engineer", "senior", None, false).unwrap();
//! assert!(!view.competencies.is_empty());
//! ```

mod compile;
mod config;
pub mod csv;
mod diagnostic;
pub mod diff;
pub mod example;
mod fileset;
pub mod ids;
mod markdown;
mod model;
pub mod resolve;
pub mod similar;
mod yaml;

pub use compile::{
    MAX_INCLUDE_DEPTH, NEAR_DUPLICATE, compile, compile_core, duplicates, sort_diagnostics,
};
pub use config::CONFIG_FILE;
pub use diagnostic::{Diagnostic, Severity, Span};
pub use fileset::FileSet;
pub use markdown::{is_valid_id, is_valid_layer_id};
pub use model::*;
