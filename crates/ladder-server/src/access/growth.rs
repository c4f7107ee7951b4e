//! Capabilities for the growth workflow.
//!
//! - [`Growth`]: a person's worksheet and checkpoints. Read by the person,
//!   their manager chain and the people team (audited unless it is their
//!   own); ratings written by the person (self side) and their direct
//!   manager (manager side); checkpoints opened and closed by those two.
//! - [`Pair`]: a manager–report 1:1 document. Only the two participants get
//!   one: not skip-level managers, not the people team, not admins. Private
//!   notes are read and written only as the viewer's own: there is no
//!   method that takes another author.
//! - [`TeamGrowth`]: a manager's reporting chain, for overdue checkpoints,
//!   readiness and the heatmap.

use super::{Access, MAX_CHAIN, OrgView, Relation, Viewer};
use crate::AppError;
use crate::framework::Loaded;
use ladder_store::{
    ActionItem, AgendaItem, Checkpoint, CheckpointState, Id, Meeting, NewFocusArea, Person,
    PersonGrowth, PrivateNote, Rater, Rating, RatingChange, Record, Seen, StandingItem,
};
use std::collections::HashSet;
use std::sync::Arc;

impl Access {
    /// `author`'s own note on a meeting, opened (notes are sealed at
    /// rest): only for callers that have decided the viewer is its author.
    pub(super) async fn own_note(
        &self,
        meeting: Id,
        author: Id,
    ) -> Result<Option<PrivateNote>, AppError> {
        match self.store.private_note(meeting, author).await? {
            Some(mut n) => {
                n.text = self.notes.open(meeting, author, &n.text)?;
                Ok(Some(n))
            }
            None => Ok(None),
        }
    }

    /// A person's growth data, if the viewer may read it.
    pub async fn growth<'a>(
        &'a self,
        v: &'a Viewer,
        person: Id,
        now: i64,
    ) -> Result<Growth<'a>, AppError> {
        let org = self.org(v).await?;
        let target = org.person(person).cloned().ok_or(AppError::NotFound)?;
        let relation = Self::relation(&org, v, &target).ok_or(AppError::Forbidden)?;
        if relation != Relation::Myself {
            self.audit(
                v,
                "growth.read",
                Some(person),
                &format!("{relation:?}"),
                now,
            )
            .await?;
        }
        Ok(Growth {
            access: self,
            viewer: v,
            person: target,
            relation,
        })
    }

    /// The growth data of the person a checkpoint belongs to, and the
    /// checkpoint.
    pub async fn checkpoint<'a>(
        &'a self,
        v: &'a Viewer,
        id: Id,
        now: i64,
    ) -> Result<(Growth<'a>, Checkpoint), AppError> {
        let c = self.store.checkpoint(id).await?.ok_or(AppError::NotFound)?;
        let g = self.growth(v, c.person_id, now).await?;
        Ok((g, c))
    }

    /// The 1:1 document of `manager` and `report`, for one of the two.
    pub async fn pair<'a>(
        &'a self,
        v: &'a Viewer,
        manager: Id,
        report: Id,
    ) -> Result<Pair<'a>, AppError> {
        let me = v.person_id().ok_or(AppError::Forbidden)?;
        if me != manager && me != report {
            return Err(AppError::Forbidden);
        }
        let org = self.org(v).await?;
        let (Some(m), Some(r)) = (org.person(manager), org.person(report)) else {
            return Err(AppError::NotFound);
        };
        let current = r.manager_id == Some(manager);
        if !current && self.store.meetings(manager, report).await?.is_empty() {
            return Err(AppError::NotFound);
        }
        Ok(Pair {
            access: self,
            viewer: v,
            me,
            manager: m.clone(),
            report: r.clone(),
            current,
        })
    }

    /// The pair, to write to: refused (403) once the report has moved, before
    /// anything of the request is read.
    pub async fn pair_to_write<'a>(
        &'a self,
        v: &'a Viewer,
        manager: Id,
        report: Id,
    ) -> Result<Pair<'a>, AppError> {
        let p = self.pair(v, manager, report).await?;
        p.writable()?;
        Ok(p)
    }

    /// A meeting and its pair, to write to: see [`Access::pair_to_write`].
    pub async fn meeting_to_write<'a>(
        &'a self,
        v: &'a Viewer,
        id: Id,
    ) -> Result<(Pair<'a>, Meeting), AppError> {
        let (p, m) = self.meeting(v, id).await?;
        p.writable()?;
        Ok((p, m))
    }

    /// A meeting and its pair, for one of the two participants.
    pub async fn meeting<'a>(
        &'a self,
        v: &'a Viewer,
        id: Id,
    ) -> Result<(Pair<'a>, Meeting), AppError> {
        let m = self.store.meeting(id).await?.ok_or(AppError::NotFound)?;
        let pair = self.pair(v, m.manager_id, m.report_id).await?;
        Ok((pair, m))
    }

    /// An action item and its pair, for one of the two participants.
    pub async fn action<'a>(
        &'a self,
        v: &'a Viewer,
        id: Id,
    ) -> Result<(Pair<'a>, ActionItem), AppError> {
        let a = self
            .store
            .action_item(id)
            .await?
            .ok_or(AppError::NotFound)?;
        let pair = self.pair(v, a.manager_id, a.report_id).await?;
        Ok((pair, a))
    }

    /// The 1:1 documents the viewer takes part in: with their manager, with
    /// each direct report, and any earlier pairs with meetings.
    pub async fn my_pairs(&self, v: &Viewer) -> Result<Vec<(Person, Person)>, AppError> {
        let Some(me) = v.person_id() else {
            return Ok(Vec::new());
        };
        let org = self.org(v).await?;
        let mut pairs: Vec<(Id, Id)> = Vec::new();
        if let Some(m) = org.person(me).and_then(|p| p.manager_id) {
            pairs.push((m, me));
        }
        pairs.extend(org.reports(me).map(|r| (me, r.id)));
        for p in self.store.meeting_pairs(me).await? {
            if !pairs.contains(&p) {
                pairs.push(p);
            }
        }
        Ok(pairs
            .into_iter()
            .filter_map(|(m, r)| Some((org.person(m)?.clone(), org.person(r)?.clone())))
            .collect())
    }

    /// The viewer's reporting chain (everyone under them), breadth first:
    /// found once per viewer and version of the organisation (and of the
    /// framework: `loaded`'s cache of views), so that a head of the
    /// organisation opening a page of it again does not walk it again.
    pub async fn team_growth<'a>(
        &'a self,
        v: &'a Viewer,
        loaded: &Loaded,
        now: i64,
    ) -> Result<TeamGrowth<'a>, AppError> {
        let org = self.org(v).await?;
        let me = v.person_id();
        let people = match me {
            None => Arc::new(Chain::default()),
            Some(me) => {
                loaded
                    .view("chain", &me.to_string(), org.version, async {
                        Ok::<_, AppError>(Chain::of(&org, me))
                    })
                    .await?
            }
        };
        if !people.is_empty() {
            self.audit(
                v,
                "team.growth.read",
                v.person_id(),
                &format!("{} people", people.len()),
                now,
            )
            .await?;
        }
        Ok(TeamGrowth {
            access: self,
            org,
            people,
        })
    }
}

/// Everyone under a manager, breadth first, and the same as a set.
#[derive(Debug, Default)]
pub struct Chain {
    order: Vec<Id>,
    members: HashSet<Id>,
}

impl Chain {
    pub(super) fn of(org: &OrgView, me: Id) -> Chain {
        let mut order = Vec::new();
        let mut seen = HashSet::from([me]);
        let mut level = vec![me];
        for _ in 0..MAX_CHAIN {
            let next: Vec<Id> = level
                .iter()
                .flat_map(|id| org.reports(*id).map(|p| p.id).collect::<Vec<_>>())
                .filter(|id| seen.insert(*id))
                .collect();
            if next.is_empty() {
                break;
            }
            order.extend(next.iter().copied());
            level = next;
        }
        seen.remove(&me);
        Chain {
            order,
            members: seen,
        }
    }

    pub fn contains(&self, id: Id) -> bool {
        self.members.contains(&id)
    }
}

impl std::ops::Deref for Chain {
    type Target = [Id];
    fn deref(&self) -> &[Id] {
        &self.order
    }
}

/// A person's worksheet and checkpoints, already authorised.
#[derive(Debug)]
pub struct Growth<'a> {
    access: &'a Access,
    viewer: &'a Viewer,
    pub person: Person,
    pub relation: Relation,
}

impl Growth<'_> {
    /// The side the viewer rates on, if they may rate: the person
    /// themself, or their direct manager.
    pub fn rater(&self) -> Option<Rater> {
        if self.relation == Relation::Myself {
            Some(Rater::Myself)
        } else if self.person.manager_id.is_some()
            && self.person.manager_id == self.viewer.person_id()
        {
            Some(Rater::Manager)
        } else {
            None
        }
    }

    /// The person or their direct manager: the two who run checkpoints.
    pub fn is_pair(&self) -> bool {
        self.rater().is_some()
    }

    pub fn is_self(&self) -> bool {
        self.relation == Relation::Myself
    }

    pub async fn ratings(&self) -> Result<Vec<Rating>, AppError> {
        Ok(self.access.store.ratings(&[self.person.id]).await?)
    }

    pub async fn history(&self) -> Result<Vec<RatingChange>, AppError> {
        Ok(self.access.store.rating_history(&[self.person.id]).await?)
    }

    /// Sets the viewer's rating of a statement (the caller checked the
    /// statement and the value against the framework); returns it as
    /// stored, with the side, rater and time filled in.
    pub async fn rate(&self, rating: Rating, now: i64) -> Result<Rating, AppError> {
        let side = self.rater().ok_or(AppError::Forbidden)?;
        let rating = Rating {
            person_id: self.person.id,
            rater: side,
            rated_by: Some(self.viewer.account.id),
            rated_at: now,
            ..rating
        };
        let record = Access::record(
            self.viewer,
            "rating.set",
            Some(self.person.id),
            &format!(
                "{} {} = {}",
                side.as_str(),
                rating.statement_id,
                rating.value
            ),
            now,
        )
        // Which statement and side, not the value: an event's readers
        // (notifications) may not see ratings.
        .data(serde_json::json!({
            "side": side.as_str(),
            "statement": rating.statement_id,
        }));
        self.access.store.set_rating(&rating, &record).await?;
        Ok(rating)
    }

    /// Their ratings, every change of them and what they last saw, in one
    /// read: what their worksheet needs.
    pub async fn record(&self) -> Result<PersonGrowth, AppError> {
        Ok(self.access.store.growth_of(self.person.id).await?)
    }

    /// A number that moves with every write to what [`Growth::record`]
    /// reads: a page kept from an earlier read is current while it holds.
    /// The person's own version came with their session.
    pub async fn version(&self) -> Result<i64, AppError> {
        if let Some((me, version)) = self.viewer.own_growth
            && me == self.person.id
        {
            return Ok(version);
        }
        Ok(self.access.store.growth_version(self.person.id).await?)
    }

    /// Records what the person has now seen; only they can.
    pub async fn set_seen(&self, hash: &str, snapshot: String, now: i64) -> Result<(), AppError> {
        if !self.is_self() {
            return Err(AppError::Forbidden);
        }
        self.access
            .store
            .set_worksheet_seen(&Seen {
                person_id: self.person.id,
                framework_hash: hash.to_owned(),
                snapshot,
                seen_at: now,
            })
            .await?;
        Ok(())
    }

    pub async fn checkpoints(&self) -> Result<Vec<Checkpoint>, AppError> {
        Ok(self.access.store.checkpoints(self.person.id).await?)
    }

    /// Opens the checkpoint (the caller checked the areas against the
    /// framework and the policy).
    pub async fn open_checkpoint(
        &self,
        quarter: &str,
        areas: &[NewFocusArea],
        now: i64,
    ) -> Result<Id, AppError> {
        if !self.is_pair() {
            return Err(AppError::Forbidden);
        }
        let id = self
            .access
            .store
            .open_checkpoint(
                self.person.id,
                quarter,
                areas,
                Some(self.viewer.account.id),
                now,
                &Access::record(
                    self.viewer,
                    "checkpoint.open",
                    Some(self.person.id),
                    quarter,
                    now,
                )
                .data(serde_json::json!({ "quarter": quarter })),
            )
            .await?;
        Ok(id)
    }

    pub async fn close_checkpoint(
        &self,
        c: &Checkpoint,
        summaries: &[(Id, String)],
        now: i64,
    ) -> Result<(), AppError> {
        if !self.is_pair() || c.person_id != self.person.id {
            return Err(AppError::Forbidden);
        }
        self.access
            .store
            .close_checkpoint(
                c.id,
                summaries,
                Some(self.viewer.account.id),
                now,
                &Access::record(
                    self.viewer,
                    "checkpoint.close",
                    Some(self.person.id),
                    &c.quarter,
                    now,
                )
                .object(c.id)
                .data(serde_json::json!({ "quarter": c.quarter })),
            )
            .await?;
        Ok(())
    }
}

/// A 1:1 document, for one of its two participants.
#[derive(Debug)]
pub struct Pair<'a> {
    pub(super) access: &'a Access,
    pub(super) viewer: &'a Viewer,
    /// The viewer's person id.
    pub me: Id,
    pub manager: Person,
    pub report: Person,
    /// The report still reports to the manager: new meetings can be held.
    pub current: bool,
}

impl Pair<'_> {
    pub fn is_manager(&self) -> bool {
        self.me == self.manager.id
    }

    /// The other participant.
    pub fn other(&self) -> &Person {
        if self.is_manager() {
            &self.report
        } else {
            &self.manager
        }
    }

    fn check(&self, m: &Meeting) -> Result<(), AppError> {
        if (m.manager_id, m.report_id) == (self.manager.id, self.report.id) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The record of a write to this pair's document: about the report,
    /// and about the meeting when there is one.
    pub(super) fn record(
        &self,
        action: &str,
        meeting: Option<&Meeting>,
        detail: &str,
        now: i64,
    ) -> Record {
        let r = Access::record(self.viewer, action, Some(self.report.id), detail, now)
            .data(serde_json::json!({ "manager": self.manager.id, "report": self.report.id }));
        match meeting {
            Some(m) => r.object(m.id),
            None => r,
        }
    }

    pub async fn meetings(&self) -> Result<Vec<Meeting>, AppError> {
        Ok(self
            .access
            .store
            .meetings(self.manager.id, self.report.id)
            .await?)
    }

    /// Refuses writes once the report has moved to another manager: the
    /// document stays, read-only, for the two who held it, and neither may
    /// add to it (the pages offer no form for it).
    pub fn writable(&self) -> Result<(), AppError> {
        if self.current {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub async fn create_meeting(&self, date: &str, now: i64) -> Result<Id, AppError> {
        self.writable()?;
        let id = self
            .access
            .store
            .create_meeting(
                self.manager.id,
                self.report.id,
                date,
                now,
                &self.record("meeting.create", None, date, now),
            )
            .await?;
        Ok(id)
    }

    /// The report's checkpoints: their focus areas join the agenda. Only
    /// while the pair is current: a former manager sees none of the
    /// report's growth data, not even through old meetings.
    pub async fn checkpoints(&self) -> Result<Vec<Checkpoint>, AppError> {
        if !self.current {
            return Ok(Vec::new());
        }
        Ok(self.access.store.checkpoints(self.report.id).await?)
    }

    pub async fn standing_items(&self) -> Result<Vec<StandingItem>, AppError> {
        Ok(self
            .access
            .store
            .standing_items(self.manager.id, self.report.id)
            .await?)
    }

    pub async fn add_standing_item(&self, text: &str, now: i64) -> Result<Id, AppError> {
        self.writable()?;
        let id = self
            .access
            .store
            .add_standing_item(
                self.manager.id,
                self.report.id,
                self.me,
                text,
                now,
                &self.record("one_on_one.standing.add", None, "", now),
            )
            .await?;
        Ok(id)
    }

    pub async fn action_items(&self) -> Result<Vec<ActionItem>, AppError> {
        Ok(self
            .access
            .store
            .action_items(self.manager.id, self.report.id)
            .await?)
    }

    pub async fn agenda_items(&self, m: &Meeting) -> Result<Vec<AgendaItem>, AppError> {
        self.check(m)?;
        Ok(self.access.store.agenda_items(m.id).await?)
    }

    pub async fn add_agenda_item(&self, m: &Meeting, text: &str, now: i64) -> Result<Id, AppError> {
        self.writable()?;
        self.check(m)?;
        let id = self
            .access
            .store
            .add_agenda_item(
                m.id,
                self.me,
                text,
                now,
                &self.record("meeting.agenda.add", Some(m), &m.date, now),
            )
            .await?;
        Ok(id)
    }

    /// Saves the shared notes if nobody saved since `version`; otherwise
    /// [`AppError::Stale`] with their text.
    pub async fn save_shared_notes(
        &self,
        m: &Meeting,
        text: &str,
        version: i64,
        now: i64,
    ) -> Result<i64, AppError> {
        self.writable()?;
        self.check(m)?;
        let v = self
            .access
            .store
            .save_shared_notes(
                m.id,
                text,
                version,
                &self.record("meeting.notes.save", Some(m), &m.date, now),
            )
            .await?;
        Ok(v)
    }

    /// The viewer's own private note on the meeting.
    pub async fn my_note(&self, m: &Meeting) -> Result<Option<PrivateNote>, AppError> {
        self.check(m)?;
        self.access.own_note(m.id, self.me).await
    }

    pub async fn save_my_note(
        &self,
        m: &Meeting,
        text: &str,
        version: i64,
        now: i64,
    ) -> Result<i64, AppError> {
        self.writable()?;
        self.check(m)?;
        let sealed = self.access.notes.seal(m.id, self.me, text)?;
        let saved = self
            .access
            .store
            .save_private_note(
                m.id,
                self.me,
                &sealed,
                version,
                now,
                // The content is never written to the audit log or the
                // event: only that the author saved their own note.
                &self.record("meeting.private_note.save", Some(m), &m.date, now),
            )
            .await;
        match saved {
            Ok(v) => Ok(v),
            // Someone (the author elsewhere) saved first: what they saved,
            // opened.
            Err(ladder_store::StoreError::Stale { version, text }) => Err(AppError::Stale {
                version,
                text: self.access.notes.open(m.id, self.me, &text)?,
            }),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn add_action(
        &self,
        m: &Meeting,
        owner: Id,
        text: &str,
        now: i64,
    ) -> Result<Id, AppError> {
        self.writable()?;
        self.check(m)?;
        if owner != self.manager.id && owner != self.report.id {
            return Err(AppError::BadRequest(
                "the owner of an action item is one of the two people in the 1:1".to_owned(),
            ));
        }
        let id = self
            .access
            .store
            .add_action_item(
                m.id,
                owner,
                text,
                now,
                &self
                    .record("meeting.action.add", Some(m), &m.date, now)
                    .data(serde_json::json!({
                        "manager": self.manager.id,
                        "report": self.report.id,
                        "meeting": m.id,
                        "owner": owner,
                    })),
            )
            .await?;
        Ok(id)
    }

    pub async fn complete_action(
        &self,
        a: &ActionItem,
        m: &Meeting,
        now: i64,
    ) -> Result<(), AppError> {
        self.writable()?;
        self.check(m)?;
        if (a.manager_id, a.report_id) != (self.manager.id, self.report.id) {
            return Err(AppError::Forbidden);
        }
        if m.date < a.meeting_date {
            return Err(AppError::BadRequest(format!(
                "`{}` was made on {}; it cannot be done in the meeting of {}",
                a.text, a.meeting_date, m.date
            )));
        }
        self.access
            .store
            .complete_action(
                a.id,
                m.id,
                now,
                &self.record("meeting.action.done", Some(m), &m.date, now),
            )
            .await?;
        Ok(())
    }
}

/// A manager's reporting chain.
#[derive(Debug)]
pub struct TeamGrowth<'a> {
    access: &'a Access,
    org: Arc<OrgView>,
    /// Everyone under the viewer, breadth first.
    pub people: Arc<Chain>,
}

impl TeamGrowth<'_> {
    pub fn person(&self, id: Id) -> Option<&Person> {
        self.org.person(id)
    }

    /// The version of everything the chain's growth is computed from:
    /// the latest event, which every recorded write moves (ratings,
    /// checkpoints, people). A view keyed by it is stale after any write.
    pub async fn version(&self) -> Result<Id, AppError> {
        Ok(self.access.store.latest_event().await?)
    }

    /// Those of `ids` in the chain (anyone else is dropped).
    fn in_chain(&self, ids: &[Id]) -> Vec<Id> {
        ids.iter()
            .copied()
            .filter(|i| self.people.contains(*i))
            .collect()
    }

    /// The ratings of some of the chain (anyone else is dropped).
    pub async fn ratings_of(&self, ids: &[Id]) -> Result<Vec<Rating>, AppError> {
        Ok(self.access.store.ratings(&self.in_chain(ids)).await?)
    }

    /// The rating history of some of the chain (anyone else is dropped).
    pub async fn history_of(&self, ids: &[Id]) -> Result<Vec<RatingChange>, AppError> {
        let ids = self.in_chain(ids);
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self.access.store.rating_history(&ids).await?)
    }

    pub async fn checkpoint_states(
        &self,
        quarters: &[String],
    ) -> Result<Vec<CheckpointState>, AppError> {
        let mut all = self.access.store.checkpoint_states(quarters).await?;
        let mine: HashSet<Id> = self.people.iter().copied().collect();
        all.retain(|c| mine.contains(&c.person_id));
        Ok(all)
    }
}
