//! People and the organisation: the directory, a person with their
//! private data (for the person, their manager chain and the people team),
//! a manager's team, the organisation, the people team's CSV import and
//! export, and the audit log.
//!
//! The one import path is [`crate::access::apply_people_csv`]; these are
//! the [`pages`] and the [`api`].

pub(crate) mod api;
pub(crate) mod audit;
pub(crate) mod erase;
pub(crate) mod pages;
pub(crate) mod picker;
