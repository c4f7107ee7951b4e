//! Notifications: email and chat, made from the outbox and the calendar,
//! delivered by every node.
//!
//! - [`crate::access::Notifier`] decides who is told what (from events and
//!   reminders) and stores the messages; [`render`] turns a message into
//!   its text and HTML when it is sent; [`send`] sends (lettre, webhooks)
//!   and runs the delivery worker; [`pages`] holds each person's
//!   preferences and the delivery log.
//! - [`crate::routine`] drives it all on its tick.

pub(crate) mod pages;
pub mod render;
pub mod send;

pub use send::{NotifySettings, Security, Sender, SmtpSettings};
