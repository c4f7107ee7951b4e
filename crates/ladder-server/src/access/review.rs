//! Reviewing a framework change before it goes live: framework editors,
//! admins and the people team see whom it affects. Counts for everyone
//! who may review; names only for the people team, who may already see
//! everyone's readiness. Every read of the report is audited.

use super::{Access, Viewer};
use crate::AppError;
use ladder_growth::impact::{OpenCycle, OpenProposal, OpenRole, Organisation, Subject};
use ladder_store::{CycleState, ProposalState, Store, StoreError};

/// The capability to read the impact of a framework change.
#[derive(Debug)]
pub struct FrameworkReview<'a> {
    access: &'a Access,
    viewer: &'a Viewer,
}

/// What the report reads of the organisation, from the store: everyone
/// active, their ratings and rating history, open positions, running
/// cycles (nominations or feedback) with the people each asks about, and
/// pending proposals with their frozen evidence. The CLI reads it this way
/// too (`ladder diff --impact --data`).
pub async fn organisation(store: &dyn Store) -> Result<Organisation, StoreError> {
    let people = store.list_people().await?;
    let ids: Vec<i64> = people.iter().map(|p| p.id).collect();
    let mut cycles = Vec::new();
    let mut proposals = Vec::new();
    for c in store.cycles().await? {
        for p in store.proposals(c.id).await? {
            if p.state == ProposalState::Pending {
                proposals.push(OpenProposal::from_evidence(
                    p.id,
                    p.new.person_id,
                    &p.new.evidence,
                ));
            }
        }
        if !matches!(c.state, CycleState::Nominations | CycleState::Feedback) {
            continue;
        }
        let mut asked: Vec<i64> = store
            .nominations(c.id)
            .await?
            .into_iter()
            .map(|n| n.person_id)
            .collect();
        asked.sort_unstable();
        asked.dedup();
        cycles.push(OpenCycle {
            id: c.id,
            name: c.plan.name,
            people: asked,
        });
    }
    Ok(Organisation {
        ratings: store.ratings(&ids).await?,
        history: store.rating_history(&ids).await?,
        openings: store
            .openings()
            .await?
            .into_iter()
            .filter(|o| o.state == "open")
            .map(|o| OpenRole {
                id: o.id,
                title: o.new.title,
                family: o.new.family,
                level: o.new.level,
                specialty: o.new.specialty,
            })
            .collect(),
        cycles,
        proposals,
        people: people
            .iter()
            .filter(|p| p.record.active)
            .map(Subject::from)
            .collect(),
    })
}

impl Access {
    /// Framework editors, admins and the people team.
    pub fn framework_review<'a>(&'a self, v: &'a Viewer) -> Result<FrameworkReview<'a>, AppError> {
        let r = v.roles();
        if !(r.editor || r.admin || r.people_team) {
            return Err(AppError::Forbidden);
        }
        Ok(FrameworkReview {
            access: self,
            viewer: v,
        })
    }
}

impl FrameworkReview<'_> {
    /// May see who is affected, by name (the people team).
    pub fn names(&self) -> bool {
        self.viewer.roles().people_team
    }

    /// The organisation the report reads; audited.
    pub async fn data(&self, candidate: &str, now: i64) -> Result<Organisation, AppError> {
        let data = organisation(self.access.store.as_ref()).await?;
        self.access
            .audit(
                self.viewer,
                "framework.impact.read",
                None,
                &format!(
                    "candidate {candidate}{}",
                    if self.names() {
                        ", with names"
                    } else {
                        ", counts only"
                    }
                ),
                now,
            )
            .await?;
        Ok(data)
    }
}
