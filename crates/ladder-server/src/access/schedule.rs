//! The routine's own clock: writes no person makes. [`Schedule`] moves
//! 360 cycles on their dates; its writes are audited as `system` and
//! announced like any other. It is reached only from the server's
//! background work ([`crate::routine`]), never from a request.

use super::Access;
use crate::AppError;
use ladder_store::{Cycle, CycleState, NewRelease, Record};

impl Access {
    /// The schedule's capability.
    pub fn schedule(&self) -> Schedule<'_> {
        Schedule { access: self }
    }
}

#[derive(Debug)]
pub struct Schedule<'a> {
    access: &'a Access,
}

impl Schedule<'_> {
    pub(super) fn access(&self) -> &Access {
        self.access
    }

    /// What the last release of a closing cycle is built from.
    pub async fn release_inputs(&self, cycle: &Cycle) -> Result<super::ReleaseInputs, AppError> {
        self.access.release_inputs(cycle).await
    }

    /// Deletes what `retention` no longer keeps, audited as `system`.
    pub async fn sweep(
        &self,
        retention: &ladder_store::Retention,
        now: i64,
    ) -> Result<ladder_store::Swept, AppError> {
        Ok(self
            .access
            .store
            .sweep(
                retention,
                now,
                &Record::system(
                    now,
                    "retention.sweep",
                    None,
                    "deleted as the retention settings say: ",
                ),
            )
            .await?)
    }

    /// Every cycle, to find those whose date has come.
    pub async fn cycles(&self) -> Result<Vec<Cycle>, AppError> {
        Ok(self.access.store.cycles().await?)
    }

    /// Moves a cycle on from the state it was read in, because its date
    /// has come. Another node may have moved it first: then the store
    /// refuses (the state moved) and nothing is written twice.
    /// Closing a cycle writes `release`, its results' last release.
    pub async fn advance(
        &self,
        cycle: &Cycle,
        release: Option<&NewRelease>,
        now: i64,
    ) -> Result<CycleState, AppError> {
        let version = self.access.store.org_version().await?;
        let org = self.access.org_at(version).await?;
        let detail = format!(
            "cycle {} → {}, on schedule",
            cycle.id,
            cycle.state.next().map_or("closed", |s| s.as_str())
        );
        self.access
            .move_cycle(
                &org,
                cycle,
                release,
                None,
                &Record::system(now, "cycle.advance", None, &detail)
                    .object(cycle.id)
                    .data(super::feedback::advance_data(cycle, None)),
                now,
            )
            .await
    }
}
