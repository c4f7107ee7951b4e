//! Hiring: openings, candidates and scorecards generated from the
//! framework (one per hiring stage, listing the role's and the
//! specialty's requirements by their stable ids).
//!
//! - [`service`]: scorecards, checking openings and scorecards, the
//!   coverage summary. [`pages`]: the web pages. [`api`]: `/api/v1`.
//!
//! Access is decided in [`crate::access`].

pub(crate) mod api;
pub(crate) mod pages;
pub mod service;
