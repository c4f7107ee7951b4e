//! Reviewing a framework change before it goes live: framework editors,
//! admins and the people team see whom it affects. Counts for everyone
//! who may review; names only for the people team, who may already see
//! everyone's readiness. Every read of the report is audited.

use super::{Access, Viewer};
use crate::AppError;
use ladder_store::{CycleState, Opening, Person, ProposalState, Rating, RatingChange};

/// The capability to read the impact of a framework change.
#[derive(Debug)]
pub struct FrameworkReview<'a> {
    access: &'a Access,
    viewer: &'a Viewer,
}

/// The organisation the report reads.
#[derive(Debug)]
pub struct ReviewData {
    pub people: Vec<Person>,
    pub ratings: Vec<Rating>,
    pub history: Vec<RatingChange>,
    /// Open positions (their titles and roles only).
    pub openings: Vec<Opening>,
    /// Running 360 cycles: (id, name, the people each asks about).
    pub cycles: Vec<(i64, String, Vec<i64>)>,
    /// Pending proposals: (id, person, frozen evidence).
    pub proposals: Vec<(i64, i64, String)>,
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

    /// Everyone, with their ratings and rating history; audited.
    pub async fn data(&self, candidate: &str, now: i64) -> Result<ReviewData, AppError> {
        let store = &self.access.store;
        let people = store.list_people().await?;
        let ids: Vec<i64> = people.iter().map(|p| p.id).collect();
        let mut cycles = Vec::new();
        let mut proposals = Vec::new();
        for c in store.cycles().await? {
            for p in store.proposals(c.id).await? {
                if p.state == ProposalState::Pending {
                    proposals.push((p.id, p.new.person_id, p.new.evidence));
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
            cycles.push((c.id, c.plan.name, asked));
        }
        let data = ReviewData {
            cycles,
            proposals,
            ratings: store.ratings(&ids).await?,
            history: store.rating_history(&ids).await?,
            openings: store
                .openings()
                .await?
                .into_iter()
                .filter(|o| o.state == "open")
                .collect(),
            people,
        };
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
