//! Internships for learning: a person asks to intern with another team,
//! their manager and the host approve, and the internship keeps its log
//! and outcome.
//!
//! - [`service`]: checking a request. [`pages`]: the board every
//!   signed-in account sees, one internship's page for its parties.
//!   [`api`]: `/api/v1`.
//!
//! Access is decided in [`crate::access`].

pub(crate) mod api;
pub(crate) mod pages;
pub mod service;
