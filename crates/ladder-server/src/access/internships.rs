//! Capabilities for internships for learning.
//!
//! - [`Access::internship_board`]: who interns where, with whom, to learn
//!   what: every signed-in account. It carries the request (team, mentor,
//!   goals, activities, dates), never the activity log or outcome notes.
//! - [`Access::request_internship`]: a person asks for themself.
//! - [`InternshipView`]: one internship with its log and outcome, for its
//!   parties only: the intern and their manager chain, the mentor and the
//!   mentor's manager (the host side), and the people team.
//!
//! Deciding: the intern's direct manager for the home side, the mentor or
//! the mentor's manager for the host side. Logging: the intern, their
//! direct manager and the host side. Completing: the intern, their direct
//! manager or the mentor.

use super::{Access, MAX_CHAIN, OrgView, Viewer};
use crate::AppError;
use ladder_store::{Id, Internship, LogEntry, Moved, NewInternship, Person, Side};
use std::sync::Arc;

/// How the viewer takes part in an internship.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parts {
    pub intern: bool,
    /// The intern's direct manager.
    pub home_manager: bool,
    /// Above the direct manager in the intern's chain.
    pub chain: bool,
    pub mentor: bool,
    /// The mentor's direct manager.
    pub host_manager: bool,
    pub people_team: bool,
}

impl Parts {
    fn any(self) -> bool {
        self.intern
            || self.home_manager
            || self.chain
            || self.mentor
            || self.host_manager
            || self.people_team
    }

    /// The side the viewer decides for, if any.
    pub fn decides(self) -> Option<Side> {
        if self.home_manager {
            Some(Side::Manager)
        } else if self.mentor || self.host_manager {
            Some(Side::Host)
        } else {
            None
        }
    }

    pub fn logs(self) -> bool {
        self.intern || self.home_manager || self.mentor || self.host_manager
    }

    pub fn completes(self) -> bool {
        self.intern || self.home_manager || self.mentor
    }
}

/// One internship as the board shows it to everyone.
#[derive(Clone, Debug)]
pub struct BoardEntry {
    pub internship: Internship,
    pub intern: Person,
    pub mentor: Person,
}

fn in_chain(org: &OrgView, person: &Person, me: Id) -> bool {
    let mut next = person.manager_id;
    for _ in 0..MAX_CHAIN {
        let Some(id) = next else { return false };
        if id == me {
            return true;
        }
        next = org.person(id).and_then(|p| p.manager_id);
    }
    false
}

impl Access {
    /// Every internship but declined ones, newest first, with the people
    /// in it: for every signed-in account.
    pub async fn internship_board(&self, v: &Viewer) -> Result<Vec<BoardEntry>, AppError> {
        let org = self.org(v).await?;
        Ok(self
            .store
            .internships()
            .await?
            .into_iter()
            .filter(|i| i.state != ladder_store::InternshipState::Declined)
            .filter_map(|i| {
                let intern = org.person(i.new.person_id)?.clone();
                let mentor = org.person(i.new.mentor_id)?.clone();
                Some(BoardEntry {
                    internship: i,
                    intern,
                    mentor,
                })
            })
            .collect())
    }

    /// The departments people work in, for the request form.
    pub async fn departments(&self, v: &Viewer) -> Result<Vec<String>, AppError> {
        Ok(self.org(v).await?.all_departments.clone())
    }

    /// Asks for an internship, for the viewer themself. The host team is
    /// another department than their own, and the mentor works in it.
    pub async fn request_internship(
        &self,
        v: &Viewer,
        req: &NewInternship,
        now: i64,
    ) -> Result<Id, AppError> {
        let me = v.person.as_ref().ok_or(AppError::Forbidden)?;
        if req.person_id != me.id {
            return Err(AppError::Forbidden);
        }
        let org = self.org(v).await?;
        let mentor = org.person(req.mentor_id).ok_or_else(|| {
            AppError::BadRequest("mentor: nobody with this id is in the organisation".to_owned())
        })?;
        if req
            .host_department
            .eq_ignore_ascii_case(&me.record.department)
        {
            return Err(AppError::BadRequest(format!(
                "host_department: {} is your own department; an internship is with another team",
                me.record.department
            )));
        }
        if !mentor
            .record
            .department
            .eq_ignore_ascii_case(&req.host_department)
        {
            return Err(AppError::BadRequest(format!(
                "mentor: {} works in {}, not {}; pick a mentor in the host team",
                mentor.record.name, mentor.record.department, req.host_department
            )));
        }
        let id = self
            .store
            .create_internship(
                req,
                now,
                &Access::record(
                    v,
                    "internship.request",
                    Some(me.id),
                    &format!("internship {{id}} with {}", req.host_department),
                    now,
                ),
            )
            .await?;
        Ok(id)
    }

    /// One internship with its log and outcome: its parties only.
    pub async fn internship<'a>(
        &'a self,
        v: &'a Viewer,
        id: Id,
    ) -> Result<InternshipView<'a>, AppError> {
        let internship = self.store.internship(id).await?.ok_or(AppError::NotFound)?;
        let org = self.org(v).await?;
        let intern = org
            .person(internship.new.person_id)
            .cloned()
            .ok_or(AppError::NotFound)?;
        let mentor = org
            .person(internship.new.mentor_id)
            .cloned()
            .ok_or(AppError::NotFound)?;
        let me = v.person_id();
        let parts = Parts {
            intern: me == Some(intern.id),
            home_manager: me.is_some() && intern.manager_id == me,
            chain: me.is_some_and(|m| intern.manager_id != Some(m) && in_chain(&org, &intern, m)),
            mentor: me == Some(mentor.id),
            host_manager: me.is_some() && mentor.manager_id == me,
            people_team: v.roles().people_team,
        };
        if !parts.any() {
            return Err(AppError::Forbidden);
        }
        Ok(InternshipView {
            access: self,
            viewer: v,
            internship,
            intern,
            mentor,
            parts,
            org,
        })
    }
}

/// One internship, for one of its parties.
#[derive(Debug)]
pub struct InternshipView<'a> {
    access: &'a Access,
    viewer: &'a Viewer,
    pub internship: Internship,
    pub intern: Person,
    pub mentor: Person,
    pub parts: Parts,
    org: Arc<OrgView>,
}

impl InternshipView<'_> {
    pub async fn log(&self) -> Result<Vec<LogEntry>, AppError> {
        Ok(self.access.store.internship_log(self.internship.id).await?)
    }

    /// A person's name, for the log's authors and the decisions.
    pub fn name(&self, id: Id) -> String {
        self.org
            .person(id)
            .map_or_else(|| format!("person {id}"), |p| p.record.name.clone())
    }

    /// Records the viewer's side's decision.
    pub async fn decide(
        &self,
        approve: bool,
        comment: &str,
        now: i64,
    ) -> Result<ladder_store::InternshipState, AppError> {
        let side = self.parts.decides().ok_or(AppError::Forbidden)?;
        let me = self.viewer.person_id().ok_or(AppError::Forbidden)?;
        let state = self
            .access
            .store
            .decide_internship(
                self.internship.id,
                side,
                approve,
                me,
                comment,
                now,
                &Access::record(
                    self.viewer,
                    "internship.decide",
                    Some(self.intern.id),
                    &format!(
                        "internship {}: {} {}",
                        self.internship.id,
                        if side == Side::Manager {
                            "manager"
                        } else {
                            "host"
                        },
                        if approve { "approved" } else { "declined" },
                    ),
                    now,
                )
                .object(self.internship.id)
                .data(serde_json::json!({
                    "side": if side == Side::Manager { "manager" } else { "host" },
                    "approved": approve,
                })),
            )
            .await?;
        Ok(state)
    }

    pub async fn add_log(&self, date: &str, text: &str, now: i64) -> Result<Id, AppError> {
        if !self.parts.logs() {
            return Err(AppError::Forbidden);
        }
        let me = self.viewer.person_id().ok_or(AppError::Forbidden)?;
        let record = Access::record(
            self.viewer,
            "internship.log",
            Some(self.intern.id),
            &format!("internship {}: {date}", self.internship.id),
            now,
        )
        .object(self.internship.id);
        Ok(self
            .access
            .store
            .add_internship_log(self.internship.id, me, date, text, now, &record)
            .await?)
    }

    /// Ends the internship with its outcome, keeping the worksheet ratings
    /// of `statements` as they stand now.
    pub async fn complete(
        &self,
        outcome: &str,
        statements: &[String],
        now: i64,
    ) -> Result<(), AppError> {
        if !self.parts.completes() {
            return Err(AppError::Forbidden);
        }
        let ratings = self.access.store.ratings(&[self.intern.id]).await?;
        let moved = Moved::from_ratings(&ratings, statements);
        self.access
            .store
            .complete_internship(
                self.internship.id,
                outcome,
                &moved,
                now,
                &Access::record(
                    self.viewer,
                    "internship.complete",
                    Some(self.intern.id),
                    &format!("internship {}", self.internship.id),
                    now,
                ),
            )
            .await?;
        Ok(())
    }
}
