//! 360 feedback cycles, level changes and calibration.
//!
//! - [`service`]: the rules the pages and the API share (a cycle's plan, a
//!   nomination list, answers, a proposal against the policy; results,
//!   evidence and calibration put together).
//! - [`pages`]: the web pages of cycles, nominations, questionnaires and
//!   results; [`review`]: those of proposals and calibration. [`api`]:
//!   `/api/v1`.
//!
//! - [`release`]: what a release of the results holds. Results are never
//!   computed live: the people team releases them during the feedback
//!   phase, and the cycle's close releases them by itself; each release is
//!   frozen, and a person moves on to a new one only when enough answers
//!   arrived since (see [`ladder_growth::release`]).
//!
//! Access is decided in [`crate::access`]; this module only receives
//! capabilities. Results reach pages and responses only through
//! [`ladder_growth::feedback::results`], which applies the anonymity
//! rules: groups, counts, means and comments, never a respondent, a time
//! or an order of answering. Request bodies are read only after access is
//! decided.

pub(crate) mod api;
pub(crate) mod pages;
pub mod release;
pub(crate) mod review;
pub mod service;
