//! Notifications: per-person preferences, webhooks, and the messages to
//! deliver (the delivery log).
//!
//! A message is made once, whichever node makes it and however often:
//! its `key` is unique, and a second insert with the same key is a no-op.
//! Its body is never stored; `data` holds what the template needs (names,
//! dates, a link), and the sender renders it. Nodes share the sending
//! through leases: [`NotifyStore::claim_messages`] hands a due message to
//! one node until its lease ends, so a node that dies mid-send loses
//! nothing (the message is claimed again once the lease is over).

use crate::{Id, Record, Result};
use serde::{Deserialize, Serialize};

/// Where a message goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Email,
    Webhook,
}

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 2] = [Channel::Email, Channel::Webhook];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Webhook => "webhook",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        match s {
            "email" => Some(Channel::Email),
            "webhook" => Some(Channel::Webhook),
            _ => None,
        }
    }
}

/// Where a message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageState {
    /// Waiting for the person's daily digest.
    Held,
    /// To send when due.
    Pending,
    Sent,
    /// Given up on after its last retry.
    Failed,
    /// Sent as part of a digest.
    Digested,
}

impl MessageState {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageState::Held => "held",
            MessageState::Pending => "pending",
            MessageState::Sent => "sent",
            MessageState::Failed => "failed",
            MessageState::Digested => "digested",
        }
    }

    pub fn parse(s: &str) -> Option<MessageState> {
        [
            MessageState::Held,
            MessageState::Pending,
            MessageState::Sent,
            MessageState::Failed,
            MessageState::Digested,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
    }
}

/// A message to make.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMessage {
    /// Unique: the same key is made once.
    pub key: String,
    /// The notification kind (`cycle.nominations_open`, …).
    pub kind: String,
    pub channel: Channel,
    /// The recipient, for email.
    pub person_id: Option<Id>,
    pub webhook_id: Option<Id>,
    /// An email address or a webhook URL.
    pub address: String,
    /// The template's parameters, as JSON.
    pub data: String,
    /// `Pending` or `Held`.
    pub state: MessageState,
    pub due_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub id: Id,
    #[serde(flatten)]
    pub new: NewMessage,
    pub created_at: i64,
    pub attempts: i64,
    pub lease_until: Option<i64>,
    pub leased_by: Option<String>,
    pub last_error: Option<String>,
    pub sent_at: Option<i64>,
}

/// How one attempt to send ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// Failed; try again at this time.
    Retry {
        error: String,
        at: i64,
    },
    /// Failed for the last time.
    GiveUp {
        error: String,
    },
}

/// A chat webhook.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: Id,
    pub url: String,
    /// Notification kinds, or `*` for all.
    pub kinds: Vec<String>,
    pub secret: String,
    pub created_by: Option<Id>,
    pub created_at: i64,
    /// Deliveries that failed in a row.
    pub failures: i64,
    pub failing: bool,
}

impl Webhook {
    pub fn wants(&self, kind: &str) -> bool {
        self.kinds.iter().any(|k| k == "*" || k == kind)
    }
}

/// A person's choice for one kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Delivery {
    Now,
    Digest,
    Off,
}

impl Delivery {
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Now => "now",
            Delivery::Digest => "digest",
            Delivery::Off => "off",
        }
    }

    pub fn parse(s: &str) -> Option<Delivery> {
        [Delivery::Now, Delivery::Digest, Delivery::Off]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

/// Notifications. A trait of its own for the same reason as
/// [`crate::FeedbackStore`].
#[async_trait::async_trait]
pub trait NotifyStore: Send + Sync {
    /// Makes messages (a key already made is skipped), and moves the
    /// consumer's event cursor from `from` to `to` in the same
    /// transaction when one is given. Returns false, writing nothing, if
    /// the cursor was not at `from` (another node got there first).
    async fn enqueue(
        &self,
        cursor: Option<(&str, Id, Id)>,
        messages: &[NewMessage],
        now: i64,
    ) -> Result<bool>;
    /// Which of these keys name messages made already: a routine that
    /// makes the same reminders every hour asks first, instead of
    /// writing what would be skipped.
    async fn made_keys(&self, keys: &[String]) -> Result<Vec<String>>;
    /// Claims up to `limit` due pending messages for `node` until
    /// `now + lease`, counting the attempt; email only if `email` (a node
    /// with no SMTP server leaves email in the log). No two nodes hold a
    /// message at once; an expired lease is claimed again.
    async fn claim_messages(
        &self,
        node: &str,
        email: bool,
        now: i64,
        lease: i64,
        limit: i64,
    ) -> Result<Vec<Message>>;
    /// Records how an attempt ended, if `node` still holds the message;
    /// a webhook's run of failures moves with it (`failing` at
    /// `failing_after`).
    async fn finish_message(
        &self,
        id: Id,
        node: &str,
        outcome: &Outcome,
        failing_after: i64,
        now: i64,
    ) -> Result<()>;
    /// The delivery log, newest first.
    async fn messages(&self, before: Option<Id>, limit: i64) -> Result<Vec<Message>>;
    async fn message(&self, id: Id) -> Result<Option<Message>>;
    /// Sends a message again: pending now, attempts from zero.
    async fn resend_message(&self, id: Id, now: i64, rec: &Record) -> Result<()>;
    /// Messages held for digests, oldest first.
    async fn held_messages(&self) -> Result<Vec<Message>>;
    /// Makes a digest message and marks the held messages it carries as
    /// digested, in one transaction; false (nothing written) if its key
    /// was made already.
    async fn make_digest(&self, digest: &NewMessage, held: &[Id], now: i64) -> Result<bool>;
    /// Counts by state (states with none are left out), from tallies that
    /// triggers keep as messages are written: a read of a few rows.
    async fn message_counts(&self) -> Result<Vec<(MessageState, i64)>>;
    /// Folds the tallies behind [`message_counts`](Self::message_counts)
    /// into one row per state; the counts stay the same. The routine does
    /// it once a minute, so counting stays a read of a few rows.
    async fn fold_message_tallies(&self) -> Result<()>;

    /// The choices of these people: (person, kind, delivery).
    async fn notification_prefs(&self, people: &[Id]) -> Result<Vec<(Id, String, Delivery)>>;
    /// Replaces a person's choices.
    async fn set_notification_prefs(
        &self,
        person: Id,
        prefs: &[(String, Delivery)],
        rec: &Record,
    ) -> Result<()>;

    async fn create_webhook(
        &self,
        url: &str,
        kinds: &[String],
        secret: &str,
        by: Option<Id>,
        now: i64,
        rec: &Record,
    ) -> Result<Id>;
    async fn webhooks(&self) -> Result<Vec<Webhook>>;
    async fn delete_webhook(&self, id: Id, rec: &Record) -> Result<()>;
}
