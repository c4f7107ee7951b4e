//! "Download my data": [`MyData`], the signed-in person's capability to
//! read everything Ladder holds about them that they may see, for
//! `crate::accounts::export` to put in one file. Each method reads only
//! the viewer's own rows: their profile and history, both sides of their
//! worksheet, their checkpoints, the 1:1s they take part in (shared notes,
//! agenda, actions, and the private notes they wrote, never the other
//! side's), 360 results as released to them and who they were asked
//! about, their pay, internships, notification choices and the audit
//! entries about them. Not what they may not see: proposals about them
//! (their manager chain's), the 360 answers they gave (kept apart from
//! them, so nobody can find them again), others' private notes.

use super::{Access, OrgView, Viewer};
use crate::AppError;
use ladder_org::pay::Salary;
use ladder_store::{
    ActionItem, AgendaItem, AuditEvent, AuditFilter, Checkpoint, Cycle, Delivery, Id, Internship,
    Meeting, Nomination, Person, PrivateNote, Rating, RatingChange, RoleChange, Snapshot,
    StandingItem,
};
use std::sync::Arc;

/// One 1:1 relationship of the viewer's, with everything both sides see,
/// and the viewer's own private notes.
#[derive(Debug)]
pub struct MyPair {
    pub manager_id: Id,
    pub report_id: Id,
    pub meetings: Vec<(Meeting, Vec<AgendaItem>, Option<PrivateNote>)>,
    pub standing: Vec<StandingItem>,
    pub actions: Vec<ActionItem>,
}

/// A 360 cycle as it concerns the viewer.
#[derive(Debug)]
pub struct MyCycle {
    pub cycle: Cycle,
    /// Their latest release of results about them.
    pub released: Option<Snapshot>,
    /// Who was asked about them (they chose or saw the list).
    pub asked_about_me: Vec<Nomination>,
    /// Whom they were asked about, and whether they answered.
    pub asked_of_me: Vec<Nomination>,
}

impl Access {
    /// The signed-in person's own data. An account with no person record
    /// gets its account and the audit entries about it.
    pub async fn my_data<'a>(&'a self, v: &'a Viewer) -> Result<MyData<'a>, AppError> {
        Ok(MyData {
            access: self,
            viewer: v,
            org: self.org(v).await?,
        })
    }
}

#[derive(Debug)]
pub struct MyData<'a> {
    access: &'a Access,
    viewer: &'a Viewer,
    org: Arc<OrgView>,
}

impl MyData<'_> {
    pub fn viewer(&self) -> &Viewer {
        self.viewer
    }

    fn me(&self) -> Option<Id> {
        self.viewer.person_id()
    }

    /// A colleague's name, as the directory shows it to anyone.
    pub fn name_of(&self, id: Id) -> String {
        self.org
            .person(id)
            .map_or_else(|| format!("person {id}"), |p| p.record.name.clone())
    }

    pub fn person(&self) -> Option<&Person> {
        self.viewer.person.as_ref()
    }

    pub async fn role_history(&self) -> Result<Vec<RoleChange>, AppError> {
        match self.me() {
            Some(me) => Ok(self.access.store.role_history(me).await?),
            None => Ok(Vec::new()),
        }
    }

    /// Both sides of the worksheet, and every change to them.
    pub async fn ratings(&self) -> Result<(Vec<Rating>, Vec<RatingChange>), AppError> {
        let Some(me) = self.me() else {
            return Ok((Vec::new(), Vec::new()));
        };
        let store = &self.access.store;
        Ok((
            store.ratings(&[me]).await?,
            store.rating_history(&[me]).await?,
        ))
    }

    pub async fn checkpoints(&self) -> Result<Vec<Checkpoint>, AppError> {
        match self.me() {
            Some(me) => Ok(self.access.store.checkpoints(me).await?),
            None => Ok(Vec::new()),
        }
    }

    pub async fn one_on_ones(&self) -> Result<Vec<MyPair>, AppError> {
        let Some(me) = self.me() else {
            return Ok(Vec::new());
        };
        let store = &self.access.store;
        let mut out = Vec::new();
        for (manager, report) in store.meeting_pairs(me).await? {
            let mut meetings = Vec::new();
            for m in store.meetings(manager, report).await? {
                let agenda = store.agenda_items(m.id).await?;
                let note = self.access.own_note(m.id, me).await?;
                meetings.push((m, agenda, note));
            }
            out.push(MyPair {
                manager_id: manager,
                report_id: report,
                meetings,
                standing: store.standing_items(manager, report).await?,
                actions: store.action_items(manager, report).await?,
            });
        }
        Ok(out)
    }

    pub async fn feedback(&self) -> Result<Vec<MyCycle>, AppError> {
        let Some(me) = self.me() else {
            return Ok(Vec::new());
        };
        let store = &self.access.store;
        let mut out = Vec::new();
        for cycle in store.cycles().await? {
            let about = store.nominations_about(cycle.id, me).await?;
            let of: Vec<Nomination> = store
                .nominations_by(cycle.id, me)
                .await?
                .into_iter()
                .filter(|n| n.person_id != me)
                .collect();
            // Who answered about them is theirs to know only as counts.
            let about = about
                .into_iter()
                .map(|n| Nomination {
                    answered_on: None,
                    ..n
                })
                .collect();
            out.push(MyCycle {
                released: store.snapshot(cycle.id, me).await?,
                cycle,
                asked_about_me: about,
                asked_of_me: of,
            });
        }
        Ok(out)
    }

    pub async fn pay(&self) -> Result<Vec<Salary>, AppError> {
        match self.me() {
            Some(me) => Ok(self.access.store.salaries_of(me).await?),
            None => Ok(Vec::new()),
        }
    }

    pub async fn internships(&self) -> Result<Vec<Internship>, AppError> {
        let Some(me) = self.me() else {
            return Ok(Vec::new());
        };
        Ok(self
            .access
            .store
            .internships()
            .await?
            .into_iter()
            .filter(|i| i.new.person_id == me)
            .collect())
    }

    pub async fn notification_prefs(&self) -> Result<Vec<(String, Delivery)>, AppError> {
        let Some(me) = self.me() else {
            return Ok(Vec::new());
        };
        Ok(self
            .access
            .store
            .notification_prefs(&[me])
            .await?
            .into_iter()
            .map(|(_, kind, d)| (kind, d))
            .collect())
    }

    /// Every audit entry about them (reads of their private data, changes
    /// to their record), newest first.
    pub async fn audit_about_me(&self) -> Result<Vec<AuditEvent>, AppError> {
        let Some(me) = self.me() else {
            return Ok(Vec::new());
        };
        let filter = AuditFilter {
            subject_id: Some(me),
            ..AuditFilter::default()
        };
        self.access.audit_every(&filter).await
    }

    /// Records the download.
    pub async fn record_export(&self, now: i64) -> Result<(), AppError> {
        self.access
            .audit(
                self.viewer,
                "me.export",
                self.me(),
                "downloaded their data",
                now,
            )
            .await
    }
}
