//! Accounts: signing in with a password or single sign-on, signing out,
//! the first admin's setup link, API tokens, and the admin's accounts and
//! roles.
//!
//! The rules live in [`crate::auth`] (passwords, sessions, tokens,
//! throttling) and the admin capability in [`crate::access`]; these are
//! the [`pages`] and the [`api`].

pub(crate) mod api;
pub(crate) mod export;
pub(crate) mod me;
pub(crate) mod pages;
pub(crate) mod service;
