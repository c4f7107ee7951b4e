//! Reminders: what the calendar makes due (a cycle's deadlines, overdue
//! checkpoints, tomorrow's 1:1s, proposals left waiting), made once an
//! hour by the routine, each once by its key.

use super::{Note, Notifier, REMINDER_BATCH, To, message_key, params};
use crate::AppError;
use crate::access::OrgView;
use ladder_growth::Quarter;
use ladder_org::Date;
use ladder_store::{CycleState, Id, ProposalState};
use std::collections::{BTreeMap, HashMap, HashSet};

impl Notifier<'_> {
    /// Reminders due on `today`: each is made once (its key names the
    /// occasion), however often this runs and on however many nodes.
    pub async fn reminders(&self, now: i64) -> Result<usize, AppError> {
        let store = &self.access.store;
        let today = Date::from_unix(now);
        let org = self.org().await?;
        let mut batch = Batch {
            notifier: self,
            org: &org,
            now,
            notes: Vec::new(),
            made: 0,
        };
        // Cycle deadlines: seven days and one day before.
        let window = |close: &str| -> Option<&'static str> {
            let close: Date = close.parse().ok()?;
            if today > close {
                None
            } else if today >= close.add_days(-1) {
                Some("1d")
            } else if today >= close.add_days(-7) {
                Some("7d")
            } else {
                None
            }
        };
        let cycles = store.cycles().await?;
        for c in &cycles {
            match c.state {
                CycleState::Nominations => {
                    let Some(w) = window(&c.plan.nominations_close) else {
                        continue;
                    };
                    let lists = store.nomination_lists(c.id).await?;
                    let list_of: HashMap<Id, &ladder_store::NominationList> =
                        lists.iter().map(|l| (l.person_id, l)).collect();
                    for p in org.people.iter().filter(|p| p.record.active) {
                        let list = list_of.get(&p.id).copied();
                        let base = params([
                            ("cycle", c.plan.name.clone()),
                            ("due", c.plan.nominations_close.clone()),
                            ("link", format!("/cycles/{}/nominations/{}", c.id, p.id)),
                            ("name", p.record.name.clone()),
                        ]);
                        if list.is_none() {
                            batch
                                .push(
                                    format!("r:c{}:{w}:nominate", c.id),
                                    Note {
                                        kind: "reminder.nominations",
                                        to: To::Person(p.id),
                                        params: base,
                                    },
                                )
                                .await?;
                        } else if list.is_some_and(|l| l.approved_at.is_none())
                            && let Some(m) = p.manager_id
                        {
                            batch
                                .push(
                                    format!("r:c{}:{w}:approve{}", c.id, p.id),
                                    Note {
                                        kind: "reminder.approvals",
                                        to: To::Person(m),
                                        params: base,
                                    },
                                )
                                .await?;
                        }
                    }
                }
                CycleState::Feedback => {
                    let Some(w) = window(&c.plan.feedback_close) else {
                        continue;
                    };
                    let mut owed: BTreeMap<Id, usize> = BTreeMap::new();
                    for n in store.nominations(c.id).await? {
                        if n.answered_on.is_none() {
                            *owed.entry(n.respondent_id).or_default() += 1;
                        }
                    }
                    for (r, count) in owed {
                        batch
                            .push(
                                format!("r:c{}:{w}:answer", c.id),
                                Note {
                                    kind: "reminder.feedback",
                                    to: To::Person(r),
                                    params: params([
                                        ("cycle", c.plan.name.clone()),
                                        ("due", c.plan.feedback_close.clone()),
                                        ("count", count.to_string()),
                                        ("link", format!("/cycles/{}", c.id)),
                                    ]),
                                },
                            )
                            .await?;
                    }
                }
                CycleState::Draft | CycleState::Closed => {}
            }
        }
        self.checkpoint_reminders(&org, today, &mut batch).await?;
        // The day before a 1:1: both people, to add to its agenda.
        let tomorrow = today.add_days(1).to_string();
        for m in store.meetings_on(&tomorrow).await? {
            for (to, other) in [(m.manager_id, m.report_id), (m.report_id, m.manager_id)] {
                batch
                    .push(
                        format!("r:m{}", m.id),
                        Note {
                            kind: "reminder.one_on_one",
                            to: To::Person(to),
                            params: params([
                                (
                                    "name",
                                    org.person(other)
                                        .map_or_else(String::new, |p| p.record.name.clone()),
                                ),
                                ("date", m.date.clone()),
                                ("link", format!("/meetings/{}", m.id)),
                            ]),
                        },
                    )
                    .await?;
            }
        }
        // Proposals waiting on one approver for more than three days.
        for c in &cycles {
            for p in store.proposals(c.id).await? {
                if p.state != ProposalState::Pending {
                    continue;
                }
                let since = store
                    .proposal_steps(p.id)
                    .await?
                    .last()
                    .map_or(p.created_at, |s| s.at);
                if now - since < 3 * 86_400 {
                    continue;
                }
                let Some(person) = org.person(p.new.person_id) else {
                    continue;
                };
                for to in self.approvers(&org, &p, person).await? {
                    batch
                        .push(
                            format!("r:p{}:{}", p.id, p.next_step),
                            Note {
                                kind: "reminder.proposal",
                                to,
                                params: params([
                                    ("name", person.record.name.clone()),
                                    ("link", format!("/proposals/{}", p.id)),
                                ]),
                            },
                        )
                        .await?;
                }
            }
        }
        batch.flush().await?;
        Ok(batch.made)
    }

    /// The notes whose messages were not made yet. A note to an account
    /// (a handful: the people team) is kept; `enqueue` skips it if it was
    /// made.
    async fn unmade(
        &self,
        org: &OrgView,
        notes: Vec<(String, Note)>,
    ) -> Result<Vec<(String, Note)>, AppError> {
        let key_of = |(key, n): &(String, Note)| match n.to {
            To::Person(p) => org
                .person(p)
                .map(|p| message_key(key, n.kind, &p.record.email)),
            To::Account(_) => None,
        };
        let keys: Vec<String> = notes.iter().filter_map(key_of).collect();
        let made: HashSet<String> = self
            .access
            .store
            .made_keys(&keys)
            .await?
            .into_iter()
            .collect();
        Ok(notes
            .into_iter()
            .filter(|n| key_of(n).is_none_or(|k| !made.contains(&k)))
            .collect())
    }

    /// Overdue checkpoints, once a week: to the person and their manager.
    async fn checkpoint_reminders(
        &self,
        org: &OrgView,
        today: Date,
        batch: &mut Batch<'_, '_>,
    ) -> Result<(), AppError> {
        let quarter = Quarter::of(today);
        let prev = quarter.prev();
        let open_by = crate::access::inbox::checkpoint_open_by(quarter);
        let states = self
            .access
            .store
            .checkpoint_states(&[quarter.to_string(), prev.to_string()])
            .await?;
        let state: HashMap<(Id, String), bool> = states
            .into_iter()
            .map(|s| ((s.person_id, s.quarter), s.closed))
            .collect();
        let week = today.to_unix().div_euclid(7 * 86_400);
        for p in org.people.iter().filter(|p| p.record.active) {
            let mut late = Vec::new();
            if today > open_by && !state.contains_key(&(p.id, quarter.to_string())) {
                late.push(("open", quarter));
            }
            if state.get(&(p.id, prev.to_string())) == Some(&false) {
                late.push(("close", prev));
            }
            for (what, q) in late {
                for to in std::iter::once(p.id).chain(p.manager_id) {
                    let whose = if to == p.id {
                        "your".to_owned()
                    } else {
                        format!("{}'s", p.record.name)
                    };
                    batch
                        .push(
                            format!("r:w{week}:{what}{}:{q}", p.id),
                            Note {
                                kind: "reminder.checkpoint",
                                to: To::Person(to),
                                params: params([
                                    ("name", p.record.name.clone()),
                                    ("whose", whose),
                                    ("quarter", q.to_string()),
                                    ("what", what.to_owned()),
                                    ("link", format!("/people/{}/checkpoints", p.id)),
                                ]),
                            },
                        )
                        .await?;
                }
            }
        }
        Ok(())
    }
}

/// Reminders gathered a batch at a time. Each batch keeps only what was
/// not made at an earlier hour, is addressed with one read of its
/// people's preferences and is written in its own transaction (a message
/// is made once by its key, whichever batch or node makes it). A reminder
/// to everyone in a large organisation is made once, a later hour reads
/// its keys instead of writing 100,000 messages to be skipped, and
/// neither holds more than a batch in memory or SQLite's write lock for
/// the whole run.
struct Batch<'r, 'a> {
    notifier: &'r Notifier<'a>,
    org: &'r OrgView,
    now: i64,
    notes: Vec<(String, Note)>,
    /// How many messages were made.
    made: usize,
}

impl Batch<'_, '_> {
    async fn push(&mut self, key: String, note: Note) -> Result<(), AppError> {
        self.notes.push((key, note));
        if self.notes.len() >= REMINDER_BATCH {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), AppError> {
        let notes = std::mem::take(&mut self.notes);
        let notes = self.notifier.unmade(self.org, notes).await?;
        if notes.is_empty() {
            return Ok(());
        }
        let messages = self.notifier.address(self.org, notes, self.now).await?;
        self.notifier
            .access
            .store
            .enqueue(None, &messages, self.now)
            .await?;
        self.made += messages.len();
        Ok(())
    }
}
