//! Who is told what: the notifications made from the outbox's events and
//! from the calendar (reminders), addressed by each person's preferences.
//!
//! [`Notifier`] is the routine's capability ([`crate::routine`]); no
//! request reaches it. It reads the events after its cursor, decides each
//! event's recipients (never the actor, never someone who has left), and
//! stores the messages with the cursor's move in one transaction. A
//! message carries only what its template needs: names the recipient may
//! see, dates, counts, a link. Never a rating, a note, an answer, a salary
//! or a respondent: the events do not carry them, and nothing here reads
//! them.

use super::{Access, OrgView, inbox::next_approver_of};
use crate::AppError;
use ladder_org::Date;
use ladder_store::{
    Channel, Delivery, Event, Id, Message, MessageState, NewMessage, Person, ProposalState,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

mod reminders;

/// The outbox consumer that makes notifications.
pub const CONSUMER: &str = "notifications";

/// The template's parameters.
pub type Params = BTreeMap<String, String>;

/// Who a notification goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum To {
    Person(Id),
    /// An account with no person needed (a hiring team, the people team).
    Account(Id),
}

/// A notification decided, before preferences and addresses.
#[derive(Clone, Debug)]
struct Note {
    kind: &'static str,
    to: To,
    params: Params,
}

/// How many reminders are addressed and written at a time.
const REMINDER_BATCH: usize = 2000;

/// A message's key: the occasion, the kind, and the address it goes to.
fn message_key(occasion: &str, kind: &str, email: &str) -> String {
    format!("{occasion}:{kind}:{}", email.to_lowercase())
}

fn params<const N: usize>(pairs: [(&str, String); N]) -> Params {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

impl Access {
    /// The routine's capability for notifications.
    pub fn notifier(&self) -> Notifier<'_> {
        Notifier { access: self }
    }
}

#[derive(Debug)]
pub struct Notifier<'a> {
    access: &'a Access,
}

impl Notifier<'_> {
    async fn org(&self) -> Result<Arc<OrgView>, AppError> {
        let version = self.access.store.org_version().await?;
        self.access.org_at(version).await
    }

    /// Makes the notifications of up to `batch` events after the cursor.
    /// Returns how many events were read (0: caught up, or another node
    /// took this batch first).
    pub async fn from_events(&self, now: i64, batch: i64) -> Result<usize, AppError> {
        let store = &self.access.store;
        let from = store.event_cursor(CONSUMER).await?;
        let events = store.events_after(from, batch).await?;
        let Some(last) = events.last().map(|e| e.id) else {
            return Ok(0);
        };
        let org = self.org().await?;
        let mut messages = Vec::new();
        let hooks = store.webhooks().await?;
        // Each actor's person, looked up once per batch: one person makes
        // many events in a row.
        let mut actors: HashMap<Id, Option<Id>> = HashMap::new();
        for e in &events {
            let notes = self.notes_for(&org, e).await?;
            let actor = match e.actor_id {
                Some(a) => match actors.get(&a) {
                    Some(p) => *p,
                    None => {
                        let p = store
                            .account(a)
                            .await?
                            .and_then(|acc| org.by_email(&acc.email))
                            .map(|p| p.id);
                        actors.insert(a, p);
                        p
                    }
                },
                None => None,
            };
            let actor_account = e.actor_id;
            let notes: Vec<Note> = notes
                .into_iter()
                .filter(|n| match n.to {
                    To::Person(p) => actor != Some(p),
                    To::Account(a) => actor_account != Some(a),
                })
                .collect();
            // Chat: one message per public kind the event made, per hook.
            let mut public: Vec<&Note> = Vec::new();
            for n in &notes {
                if is_public(n.kind) && !public.iter().any(|p| p.kind == n.kind) {
                    public.push(n);
                }
            }
            for n in public {
                let mut p = n.params.clone();
                // Chat speaks to a team: no one's name, no one's count.
                p.remove("name");
                p.remove("count");
                p.insert("audience".to_owned(), "team".to_owned());
                p.insert("link".to_owned(), public_link(n.kind, &n.params));
                for h in hooks.iter().filter(|h| !h.failing && h.wants(n.kind)) {
                    messages.push(NewMessage {
                        key: format!("e{}:{}:hook{}", e.id, n.kind, h.id),
                        kind: n.kind.to_owned(),
                        channel: Channel::Webhook,
                        person_id: None,
                        webhook_id: Some(h.id),
                        address: h.url.clone(),
                        data: json(&p),
                        state: MessageState::Pending,
                        due_at: now,
                    });
                }
            }
            let key = format!("e{}", e.id);
            let notes = notes.into_iter().map(|n| (key.clone(), n)).collect();
            messages.extend(self.address(&org, notes, now).await?);
        }
        let moved = store
            .enqueue(Some((CONSUMER, from, last)), &messages, now)
            .await?;
        Ok(if moved { events.len() } else { 0 })
    }

    /// Email messages for notes, by each recipient's preference: now,
    /// held for the digest, or none. People who have left get nothing.
    async fn address(
        &self,
        org: &OrgView,
        notes: Vec<(String, Note)>,
        now: i64,
    ) -> Result<Vec<NewMessage>, AppError> {
        let store = &self.access.store;
        let mut resolved: Vec<(String, Note, Option<Id>, String)> = Vec::new();
        for (key, n) in notes {
            let (person, email) = match n.to {
                To::Person(p) => match org.person(p).filter(|p| p.record.active) {
                    Some(p) => (Some(p.id), p.record.email.clone()),
                    None => continue,
                },
                To::Account(a) => match store.account(a).await? {
                    Some(acc) => {
                        let person = org.by_email(&acc.email);
                        if person.as_ref().is_some_and(|p| !p.record.active) {
                            continue;
                        }
                        (person.map(|p| p.id), acc.email)
                    }
                    None => continue,
                },
            };
            resolved.push((key, n, person, email));
        }
        let people: Vec<Id> = resolved.iter().filter_map(|r| r.2).collect();
        let prefs: HashMap<(Id, String), Delivery> = store
            .notification_prefs(&people)
            .await?
            .into_iter()
            .map(|(p, k, d)| ((p, k), d))
            .collect();
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        for (key, n, person, email) in resolved {
            let pref = person
                .and_then(|p| prefs.get(&(p, n.kind.to_owned())).copied())
                .unwrap_or(Delivery::Now);
            let state = match pref {
                Delivery::Off => continue,
                Delivery::Digest => MessageState::Held,
                Delivery::Now => MessageState::Pending,
            };
            let key = message_key(&key, n.kind, &email);
            if !seen.insert(key.clone()) {
                continue;
            }
            out.push(NewMessage {
                key,
                kind: n.kind.to_owned(),
                channel: Channel::Email,
                person_id: person,
                webhook_id: None,
                address: email,
                data: json(&n.params),
                state,
                due_at: now,
            });
        }
        Ok(out)
    }

    /// Who an event concerns, and what each is told.
    async fn notes_for(&self, org: &OrgView, e: &Event) -> Result<Vec<Note>, AppError> {
        let store = &self.access.store;
        let data = |k: &str| e.data.get(k).and_then(serde_json::Value::as_i64);
        let name = |id: Id| {
            org.person(id)
                .map_or_else(String::new, |p| p.record.name.clone())
        };
        let mut out = Vec::new();
        let person = e.person_id.and_then(|p| org.person(p));
        match e.kind.as_str() {
            "cycle.advance" => {
                let Some(c) = e.object_id.map(|id| store.cycle(id)) else {
                    return Ok(out);
                };
                let Some(c) = c.await? else { return Ok(out) };
                let early = e
                    .data
                    .get("early")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned();
                let base = |due: &str| {
                    params([
                        ("cycle", c.plan.name.clone()),
                        ("due", due.to_owned()),
                        ("early", early.clone()),
                    ])
                };
                match e.data.get("to").and_then(|v| v.as_str()) {
                    Some("nominations") => {
                        for p in org.people.iter().filter(|p| p.record.active) {
                            let mut ps = base(&c.plan.nominations_close);
                            ps.insert(
                                "link".to_owned(),
                                format!("/cycles/{}/nominations/{}", c.id, p.id),
                            );
                            out.push(Note {
                                kind: "cycle.nominations_open",
                                to: To::Person(p.id),
                                params: ps,
                            });
                        }
                    }
                    Some("feedback") => {
                        let mut owed: BTreeMap<Id, usize> = BTreeMap::new();
                        for n in store.nominations(c.id).await? {
                            *owed.entry(n.respondent_id).or_default() += 1;
                        }
                        for (respondent, count) in owed {
                            let mut ps = base(&c.plan.feedback_close);
                            ps.insert("count".to_owned(), count.to_string());
                            ps.insert("link".to_owned(), format!("/cycles/{}", c.id));
                            out.push(Note {
                                kind: "cycle.feedback_open",
                                to: To::Person(respondent),
                                params: ps,
                            });
                        }
                    }
                    Some("closed") => {
                        let reviewed: HashSet<Id> = store
                            .nominations(c.id)
                            .await?
                            .into_iter()
                            .map(|n| n.person_id)
                            .collect();
                        for p in reviewed {
                            let mut ps = base("");
                            ps.insert("link".to_owned(), format!("/cycles/{}/results/{p}", c.id));
                            out.push(Note {
                                kind: "cycle.closed",
                                to: To::Person(p),
                                params: ps,
                            });
                        }
                    }
                    _ => {}
                }
            }
            "nominations.save" | "nominations.approve" => {
                let (Some(p), Some(c)) = (person, e.object_id) else {
                    return Ok(out);
                };
                let Some(cycle) = store.cycle(c).await? else {
                    return Ok(out);
                };
                let ps = params([
                    ("name", p.record.name.clone()),
                    ("cycle", cycle.plan.name),
                    ("due", cycle.plan.nominations_close),
                    ("link", format!("/cycles/{c}/nominations/{}", p.id)),
                ]);
                if e.kind == "nominations.save" {
                    if let Some(m) = p.manager_id {
                        out.push(Note {
                            kind: "nominations.sent",
                            to: To::Person(m),
                            params: ps,
                        });
                    }
                } else {
                    out.push(Note {
                        kind: "nominations.approved",
                        to: To::Person(p.id),
                        params: ps,
                    });
                }
            }
            "checkpoint.open" | "checkpoint.close" => {
                let (Some(p), Some(c)) = (person, e.object_id) else {
                    return Ok(out);
                };
                let quarter = e
                    .data
                    .get("quarter")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default();
                let kind = if e.kind == "checkpoint.open" {
                    "checkpoint.opened"
                } else {
                    "checkpoint.closed"
                };
                for to in std::iter::once(p.id).chain(p.manager_id) {
                    out.push(Note {
                        kind,
                        to: To::Person(to),
                        params: params([
                            ("name", p.record.name.clone()),
                            ("quarter", quarter.to_owned()),
                            ("link", format!("/checkpoints/{c}")),
                        ]),
                    });
                }
            }
            "meeting.create" => {
                let (Some(m), Some(r), Some(id)) = (data("manager"), data("report"), e.object_id)
                else {
                    return Ok(out);
                };
                let Some(meeting) = store.meeting(id).await? else {
                    return Ok(out);
                };
                for (to, other) in [(m, r), (r, m)] {
                    out.push(Note {
                        kind: "meeting.created",
                        to: To::Person(to),
                        params: params([
                            ("name", name(other)),
                            ("date", meeting.date.clone()),
                            ("link", format!("/meetings/{id}")),
                        ]),
                    });
                }
            }
            "meeting.action.add" => {
                let (Some(m), Some(r), Some(owner)) =
                    (data("manager"), data("report"), data("owner"))
                else {
                    return Ok(out);
                };
                let other = if owner == m { r } else { m };
                out.push(Note {
                    kind: "action.assigned",
                    to: To::Person(owner),
                    params: params([
                        ("name", name(other)),
                        ("link", format!("/one-on-ones/{m}/{r}")),
                    ]),
                });
            }
            "proposal.create" | "proposal.decide" => {
                let Some(id) = e.object_id else {
                    return Ok(out);
                };
                let Some(p) = store.proposal(id).await? else {
                    return Ok(out);
                };
                let Some(person) = org.person(p.new.person_id) else {
                    return Ok(out);
                };
                let ps = params([
                    ("name", person.record.name.clone()),
                    ("link", format!("/proposals/{id}")),
                    ("outcome", p.state.as_str().to_owned()),
                ]);
                if p.state == ProposalState::Pending {
                    for to in self.approvers(org, &p, person).await? {
                        out.push(Note {
                            kind: "proposal.waiting",
                            to,
                            params: ps.clone(),
                        });
                    }
                } else {
                    out.push(Note {
                        kind: "proposal.decided",
                        to: To::Account(p.new.proposed_by),
                        params: ps,
                    });
                }
            }
            "internship.request" | "internship.decide" => {
                let Some(id) = e.object_id else {
                    return Ok(out);
                };
                let Some(i) = store.internship(id).await? else {
                    return Ok(out);
                };
                let Some(intern) = org.person(i.new.person_id) else {
                    return Ok(out);
                };
                let side = match e.data.get("side").and_then(|v| v.as_str()) {
                    Some("manager") => "Your manager",
                    _ => "The host team",
                };
                let approved = e.data.get("approved").and_then(serde_json::Value::as_bool);
                let ps = params([
                    ("name", intern.record.name.clone()),
                    ("department", i.new.host_department.clone()),
                    ("state", i.state.as_str().to_owned()),
                    ("side", side.to_owned()),
                    (
                        "decision",
                        if approved == Some(true) {
                            "approved"
                        } else {
                            "declined"
                        }
                        .to_owned(),
                    ),
                    ("link", format!("/internships/{id}")),
                ]);
                if e.kind == "internship.request" {
                    for to in intern.manager_id.into_iter().chain([i.new.mentor_id]) {
                        out.push(Note {
                            kind: "internship.requested",
                            to: To::Person(to),
                            params: ps.clone(),
                        });
                    }
                } else {
                    out.push(Note {
                        kind: "internship.decided",
                        to: To::Person(intern.id),
                        params: ps,
                    });
                }
            }
            "candidate.create" | "candidate.move" => {
                let (Some(opening), Some(c)) = (data("opening"), e.object_id) else {
                    return Ok(out);
                };
                if e.data
                    .get("state")
                    .and_then(|v| v.as_str())
                    .is_some_and(|s| s != "active")
                {
                    return Ok(out);
                }
                let Some(o) = store.opening(opening).await? else {
                    return Ok(out);
                };
                for m in &o.new.team {
                    out.push(Note {
                        kind: "candidate.to_score",
                        to: To::Account(m.account_id),
                        params: params([
                            ("opening", o.new.title.clone()),
                            ("link", format!("/candidates/{c}")),
                        ]),
                    });
                }
            }
            "framework.publish" | "framework.rollback" => {
                let changed = super::review::changed_for(store.as_ref(), &e.data).await?;
                for (id, added, reworded, removed) in changed {
                    out.push(Note {
                        kind: "framework.changed",
                        to: To::Person(id),
                        params: params([
                            ("added", added.to_string()),
                            ("reworded", reworded.to_string()),
                            ("removed", removed.to_string()),
                            ("link", format!("/people/{id}/worksheet")),
                        ]),
                    });
                }
            }
            _ => {}
        }
        Ok(out)
    }

    /// Who decides a proposal's next step: the skip-level manager, or
    /// every account in the people team.
    async fn approvers(
        &self,
        org: &OrgView,
        p: &ladder_store::Proposal,
        person: &Person,
    ) -> Result<Vec<To>, AppError> {
        Ok(match next_approver_of(org, p, person) {
            Some(Some(skip)) => vec![To::Person(skip)],
            Some(None) => self
                .access
                .store
                .list_accounts()
                .await?
                .into_iter()
                .filter(|a| a.roles.people_team && a.id != p.new.proposed_by)
                .map(|a| To::Account(a.id))
                .collect(),
            None => Vec::new(),
        })
    }

    /// Each person's held messages as one digest, once a day.
    pub async fn digests(&self, now: i64) -> Result<usize, AppError> {
        let store = &self.access.store;
        let day = Date::from_unix(now);
        let mut by_person: BTreeMap<(Option<Id>, String), Vec<Message>> = BTreeMap::new();
        for m in store.held_messages().await? {
            by_person
                .entry((m.new.person_id, m.new.address.clone()))
                .or_default()
                .push(m);
        }
        let mut made = 0;
        for ((person, address), held) in by_person {
            let items: Vec<serde_json::Value> = held
                .iter()
                .map(|m| {
                    serde_json::json!({
                        "kind": m.new.kind,
                        "params": serde_json::from_str::<serde_json::Value>(&m.new.data)
                            .unwrap_or_default(),
                    })
                })
                .collect();
            let digest = NewMessage {
                key: format!("d:{}:{day}", address.to_lowercase()),
                kind: "digest".to_owned(),
                channel: Channel::Email,
                person_id: person,
                webhook_id: None,
                address,
                data: serde_json::json!({ "date": day.to_string(), "items": items }).to_string(),
                state: MessageState::Pending,
                due_at: now,
            };
            let ids: Vec<Id> = held.iter().map(|m| m.id).collect();
            if store.make_digest(&digest, &ids, now).await? {
                made += 1;
            }
        }
        Ok(made)
    }
}

fn json(p: &Params) -> String {
    serde_json::to_string(p).unwrap_or_else(|_| "{}".to_owned())
}

/// The kinds chat webhooks may carry: what every signed-in account may
/// see anyway (cycle phases, the internship board).
pub fn is_public(kind: &str) -> bool {
    matches!(
        kind,
        "cycle.nominations_open" | "cycle.feedback_open" | "cycle.closed" | "internship.requested"
    )
}

/// A chat message's link: to the shared page, not a person's own.
fn public_link(kind: &str, p: &Params) -> String {
    match kind {
        k if k.starts_with("cycle.") => "/cycles".to_owned(),
        _ => p.get("link").cloned().unwrap_or_else(|| "/".to_owned()),
    }
}

impl Notifier<'_> {
    /// Folds the outbox's tallies into one row per state, so that counting
    /// messages by state stays a read of a few rows.
    pub async fn fold_tallies(&self) -> Result<(), AppError> {
        Ok(self.access.store.fold_message_tallies().await?)
    }

    /// Claims due messages for this node (email only if it can send it).
    pub async fn claim(
        &self,
        node: &str,
        email: bool,
        now: i64,
        lease: i64,
        limit: i64,
    ) -> Result<Vec<Message>, AppError> {
        Ok(self
            .access
            .store
            .claim_messages(node, email, now, lease, limit)
            .await?)
    }

    /// Records how sending a claimed message ended.
    pub async fn finish(
        &self,
        id: Id,
        node: &str,
        outcome: &ladder_store::Outcome,
        failing_after: i64,
        now: i64,
    ) -> Result<(), AppError> {
        Ok(self
            .access
            .store
            .finish_message(id, node, outcome, failing_after, now)
            .await?)
    }
}

impl Notifier<'_> {
    /// The webhooks, for sending.
    pub async fn webhooks(&self) -> Result<Vec<ladder_store::Webhook>, AppError> {
        Ok(self.access.store.webhooks().await?)
    }
}
