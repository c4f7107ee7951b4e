//! 1:1s: a recurring document per manager–report pair, with meetings,
//! agenda items, standing items, shared notes, private notes (their
//! author's only) and action items that carry over until done.
//!
//! - [`service`]: what the pages and the API share (a meeting put
//!   together; meeting dates).
//! - [`pages`]: the web pages. [`api`]: `/api/v1`.
//!
//! Only the two participants get the [`Pair`](crate::access::Pair)
//! capability these take.

pub(crate) mod api;
pub(crate) mod pages;
pub mod series;
pub mod service;
