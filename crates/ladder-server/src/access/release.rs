//! Releasing 360 results. A release is written by the people team during
//! the feedback phase ([`CycleAdmin::release`]) and, as the cycle closes,
//! with its move (by hand or on its date, through `move_cycle`). What goes
//! into a release is decided by `crate::feedback::release` from what
//! [`ReleaseInputs`] holds; nobody reads answers anywhere else.

use super::{Access, CycleAdmin};
use crate::AppError;
use ladder_store::{Answer, Cycle, Id, NewRelease, Nomination, Person, Release};
use std::collections::BTreeMap;

/// Everything a release of one cycle is computed from.
#[derive(Debug)]
pub struct ReleaseInputs {
    /// The people reviewed in the cycle, as the organisation stands.
    pub people: BTreeMap<Id, Person>,
    pub nominations: Vec<Nomination>,
    /// Every answer of the cycle.
    pub answers: Vec<Answer>,
    /// Each person's tally at their latest release (JSON).
    pub tallies: BTreeMap<Id, String>,
}

impl Access {
    pub(super) async fn release_inputs(&self, cycle: &Cycle) -> Result<ReleaseInputs, AppError> {
        let version = self.store.org_version().await?;
        let org = self.org_at(version).await?;
        let nominations = self.store.nominations(cycle.id).await?;
        let people = nominations
            .iter()
            .filter_map(|n| org.person(n.person_id))
            .map(|p| (p.id, p.clone()))
            .collect();
        Ok(ReleaseInputs {
            people,
            nominations,
            answers: self.store.cycle_answers(cycle.id).await?,
            tallies: self.store.tallies(cycle.id).await?,
        })
    }
}

impl CycleAdmin<'_> {
    /// What a release of `cycle` would be built from.
    pub async fn release_inputs(&self, cycle: &Cycle) -> Result<ReleaseInputs, AppError> {
        self.access.release_inputs(cycle).await
    }

    /// Writes a release during the feedback phase; audited with how many
    /// people moved on to it and how many kept an earlier one.
    pub async fn release(
        &self,
        cycle: &Cycle,
        release: &NewRelease,
        now: i64,
    ) -> Result<Id, AppError> {
        let detail = format!(
            "cycle {}: results released for {} people; {} kept their earlier results",
            cycle.id,
            release.snapshots.len(),
            release.held_back
        );
        Ok(self
            .access
            .store
            .release_feedback(
                cycle.id,
                release,
                Some(self.viewer.account.id),
                now,
                &Access::record(self.viewer, "feedback.release", None, &detail, now)
                    .object(cycle.id),
            )
            .await?)
    }

    /// A cycle's releases, oldest first.
    pub async fn releases(&self, cycle: Id) -> Result<Vec<Release>, AppError> {
        Ok(self.access.store.releases(cycle).await?)
    }
}
