//! Capabilities for hiring.
//!
//! - [`Access::openings_for`]: the openings the viewer may work on (their
//!   own; every one for admins).
//! - [`Access::hiring_admin`]: the people team and admins open positions
//!   and name their hiring team.
//! - [`OpeningView`], [`CandidateView`]: an opening's candidates, for its
//!   hiring team and admins only. A lead (and an admin) sees every
//!   scorecard; an interviewer sees other interviewers' scores for a stage
//!   only once their own for that stage is in.
//!
//! The audit log names candidates by id only, so deleting a candidate
//! leaves no personal data behind; the deletion itself is recorded.

use super::{Access, Viewer};
use crate::AppError;
use ladder_store::{Candidate, HiringRole, Id, NewOpening, Opening, Scorecard};

/// The viewer's part in an opening: a team role, or `None` for an admin
/// who is not on the team.
fn part(o: &NewOpening, v: &Viewer) -> Result<Option<HiringRole>, AppError> {
    match o.team.iter().find(|m| m.account_id == v.account.id) {
        Some(m) => Ok(Some(m.role)),
        None if v.roles().admin => Ok(None),
        None => Err(AppError::Forbidden),
    }
}

/// Whether the viewer may open an opening and its candidates: its team
/// and admins.
pub fn may_see_opening(o: &NewOpening, v: &Viewer) -> bool {
    part(o, v).is_ok()
}

async fn member_email(access: &Access, account: Id) -> Result<String, AppError> {
    Ok(access
        .store
        .account(account)
        .await?
        .map_or_else(|| format!("account {account}"), |a| a.email))
}

impl Access {
    /// The openings the viewer is on, or all of them for admins and the
    /// people team (who open them; candidates stay with the team).
    pub async fn openings_for(&self, v: &Viewer) -> Result<Vec<Opening>, AppError> {
        let all = self.store.openings().await?;
        if v.roles().admin || v.roles().people_team {
            return Ok(all);
        }
        Ok(all
            .into_iter()
            .filter(|o| o.new.team.iter().any(|m| m.account_id == v.account.id))
            .collect())
    }

    /// Opening positions: the people team and admins.
    pub fn hiring_admin<'a>(&'a self, v: &'a Viewer) -> Result<HiringAdmin<'a>, AppError> {
        if !(v.roles().people_team || v.roles().admin) {
            return Err(AppError::Forbidden);
        }
        Ok(HiringAdmin {
            access: self,
            viewer: v,
        })
    }

    /// An opening and its candidates: its hiring team and admins.
    pub async fn opening<'a>(&'a self, v: &'a Viewer, id: Id) -> Result<OpeningView<'a>, AppError> {
        let opening = self.store.opening(id).await?.ok_or(AppError::NotFound)?;
        let role = part(&opening.new, v)?;
        Ok(OpeningView {
            access: self,
            viewer: v,
            opening,
            role,
        })
    }

    /// A candidate: the hiring team of their opening and admins.
    pub async fn candidate<'a>(
        &'a self,
        v: &'a Viewer,
        id: Id,
    ) -> Result<CandidateView<'a>, AppError> {
        let candidate = self.store.candidate(id).await?.ok_or(AppError::NotFound)?;
        let opening = self
            .store
            .opening(candidate.opening_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let role = part(&opening.new, v)?;
        Ok(CandidateView {
            access: self,
            viewer: v,
            candidate,
            opening,
            role,
        })
    }
}

#[derive(Debug)]
pub struct HiringAdmin<'a> {
    access: &'a Access,
    viewer: &'a Viewer,
}

impl HiringAdmin<'_> {
    /// The account with this email, for naming a hiring team.
    pub async fn account_id(&self, email: &str) -> Result<Option<Id>, AppError> {
        Ok(self
            .access
            .store
            .account_by_email(email)
            .await?
            .map(|a| a.id))
    }

    /// An opening as created, for the one who opened it.
    pub async fn opening(&self, id: Id) -> Result<Opening, AppError> {
        self.access
            .store
            .opening(id)
            .await?
            .ok_or(AppError::NotFound)
    }

    pub async fn create(&self, o: &NewOpening, now: i64) -> Result<Id, AppError> {
        let record = Access::record(
            self.viewer,
            "opening.create",
            None,
            &format!("opening {{id}}: {} members", o.team.len()),
            now,
        );
        let id = self
            .access
            .store
            .create_opening(o, Some(self.viewer.account.id), now, &record)
            .await?;
        Ok(id)
    }
}

#[derive(Debug)]
pub struct OpeningView<'a> {
    access: &'a Access,
    viewer: &'a Viewer,
    pub opening: Opening,
    /// `None`: an admin, not on the team.
    pub role: Option<HiringRole>,
}

impl OpeningView<'_> {
    pub async fn candidates(&self) -> Result<Vec<Candidate>, AppError> {
        Ok(self.access.store.candidates(self.opening.id).await?)
    }

    /// The email of a team member's account, for showing the team.
    pub async fn member_email(&self, account: Id) -> Result<String, AppError> {
        member_email(self.access, account).await
    }

    pub async fn add_candidate(
        &self,
        name: &str,
        contact: &str,
        first_stage: &str,
        now: i64,
    ) -> Result<Id, AppError> {
        let record = Access::record(
            self.viewer,
            "candidate.create",
            None,
            &format!("candidate {{id}} for opening {}", self.opening.id),
            now,
        )
        .data(serde_json::json!({ "opening": self.opening.id }));
        let id = self
            .access
            .store
            .add_candidate(self.opening.id, name, contact, first_stage, now, &record)
            .await?;
        Ok(id)
    }
}

#[derive(Debug)]
pub struct CandidateView<'a> {
    access: &'a Access,
    viewer: &'a Viewer,
    pub candidate: Candidate,
    pub opening: Opening,
    pub role: Option<HiringRole>,
}

impl CandidateView<'_> {
    /// Leads and admins: every scorecard. Interviewers: their own, and the
    /// others' for the stages where they have submitted theirs.
    pub async fn scorecards(&self) -> Result<Vec<Scorecard>, AppError> {
        let all = self.access.store.scorecards(self.candidate.id).await?;
        if self.role != Some(HiringRole::Interviewer) {
            return Ok(all);
        }
        let me = self.viewer.account.id;
        let mine: Vec<String> = all
            .iter()
            .filter(|s| s.interviewer_id == me)
            .map(|s| s.stage.clone())
            .collect();
        Ok(all
            .into_iter()
            .filter(|s| mine.contains(&s.stage))
            .collect())
    }

    /// How many scorecards are in for each stage, whoever wrote them: not
    /// their scores.
    pub async fn submitted_per_stage(&self) -> Result<Vec<(String, usize)>, AppError> {
        let all = self.access.store.scorecards(self.candidate.id).await?;
        let mut out: Vec<(String, usize)> = Vec::new();
        for s in all {
            match out.iter_mut().find(|(st, _)| *st == s.stage) {
                Some((_, n)) => *n += 1,
                None => out.push((s.stage, 1)),
            }
        }
        Ok(out)
    }

    /// The email of an interviewer's account, for showing their scorecard.
    pub async fn member_email(&self, account: Id) -> Result<String, AppError> {
        member_email(self.access, account).await
    }

    /// Whether the viewer may score: team members, not admins from outside.
    pub fn may_score(&self) -> bool {
        self.role.is_some()
    }

    /// Leads and admins move candidates on and delete them.
    pub fn may_manage(&self) -> bool {
        self.role != Some(HiringRole::Interviewer)
    }

    pub async fn submit(&self, card: &Scorecard, now: i64) -> Result<(), AppError> {
        if !self.may_score() || card.interviewer_id != self.viewer.account.id {
            return Err(AppError::Forbidden);
        }
        self.access
            .store
            .submit_scorecard(
                card,
                &Access::record(
                    self.viewer,
                    "scorecard.submit",
                    None,
                    &format!("candidate {}, stage {}", self.candidate.id, card.stage),
                    now,
                ),
            )
            .await?;
        Ok(())
    }

    pub async fn move_to(&self, stage: &str, state: &str, now: i64) -> Result<(), AppError> {
        if !self.may_manage() {
            return Err(AppError::Forbidden);
        }
        self.access
            .store
            .move_candidate(
                self.candidate.id,
                &self.candidate.stage,
                stage,
                state,
                &Access::record(
                    self.viewer,
                    "candidate.move",
                    None,
                    &format!("candidate {} → {stage} ({state})", self.candidate.id),
                    now,
                )
                .object(self.candidate.id)
                .data(serde_json::json!({ "opening": self.opening.id, "state": state })),
            )
            .await?;
        Ok(())
    }

    /// Removes the candidate's personal data and scorecards; the audit log
    /// keeps that it happened, by id.
    pub async fn delete(&self, now: i64) -> Result<(), AppError> {
        if !self.may_manage() {
            return Err(AppError::Forbidden);
        }
        self.access
            .store
            .delete_candidate(
                self.candidate.id,
                &Access::record(
                    self.viewer,
                    "candidate.delete",
                    None,
                    &format!("candidate {}", self.candidate.id),
                    now,
                ),
            )
            .await?;
        Ok(())
    }
}
