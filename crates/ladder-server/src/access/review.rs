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

/// Whom a published framework version changes things for, and how much:
/// (person, statements added, reworded, removed) at their level and the
/// next, between the release that was live (`previous` in the publish
/// event's data) and the one published (`release`). Empty for the first
/// release, or when either is gone.
pub(crate) async fn changed_for(
    store: &dyn Store,
    data: &serde_json::Value,
) -> Result<Vec<(ladder_store::Id, usize, usize, usize)>, AppError> {
    let id = |k: &str| data.get(k).and_then(serde_json::Value::as_i64);
    let (Some(new), Some(old)) = (id("release"), id("previous")) else {
        return Ok(Vec::new());
    };
    let (Some(new), Some(old)) = (
        store.framework_files(new).await?,
        store.framework_files(old).await?,
    ) else {
        return Ok(Vec::new());
    };
    let org = organisation(store).await?;
    let people = tokio::task::spawn_blocking(move || {
        let (old, new) = (compiled(&old)?, compiled(&new)?);
        Some(ladder_growth::impact::report(&old, &new, &org, &[]).people)
    })
    .await
    .map_err(|e| AppError::Internal(format!("comparing framework releases: {e}")))?
    .unwrap_or_default();
    Ok(people
        .into_iter()
        .map(|p| (p.id, p.added.len(), p.reworded.len(), p.removed.len()))
        .collect())
}

/// A stored release's files, compiled (without the pages).
fn compiled(json: &str) -> Option<ladder_framework::Framework> {
    let files = ladder_framework::FileSet::from_json(json).ok()?;
    Some(ladder_framework::compile(&files).0)
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

    /// Stages a version for review (editors, admins and the people team):
    /// the version staged before it is discarded. Audited.
    pub async fn stage(
        &self,
        release: &ladder_store::NewFrameworkRelease,
        now: i64,
    ) -> Result<ladder_store::Id, AppError> {
        let rec = Access::record(
            self.viewer,
            "framework.stage",
            None,
            &format!("{} from {}", short(&release.hash), release.source),
            now,
        )
        .data(serde_json::json!({ "hash": release.hash, "source": release.source }));
        Ok(self.access.store.stage_framework(release, &rec).await?)
    }

    /// Makes a staged (or an earlier) release live on every node. Audited.
    pub async fn publish(&self, id: ladder_store::Id, now: i64) -> Result<(), AppError> {
        self.make_live(id, "framework.publish", now).await
    }

    /// Makes the release that was live before the current one live again.
    /// Audited; `BadRequest` when there is none.
    pub async fn roll_back(&self, now: i64) -> Result<ladder_store::Id, AppError> {
        let previous = self
            .releases()
            .await?
            .into_iter()
            .filter(|r| r.state == "retired")
            .max_by_key(|r| (r.published_at, r.id))
            .ok_or_else(|| {
                AppError::BadRequest("there is no earlier version to go back to".to_owned())
            })?;
        self.make_live(previous.id, "framework.rollback", now)
            .await?;
        Ok(previous.id)
    }

    async fn make_live(
        &self,
        id: ladder_store::Id,
        action: &str,
        now: i64,
    ) -> Result<(), AppError> {
        // The release it replaces: the notifications compare the two.
        let previous = self.access.store.live_framework().await?.map(|(p, _)| p);
        let rec = Access::record(self.viewer, action, None, &format!("release {id}"), now)
            .data(serde_json::json!({ "release": id, "previous": previous }));
        let by = Some(self.viewer.account.id);
        Ok(self
            .access
            .store
            .publish_framework(id, by, now, &rec)
            .await?)
    }

    /// The latest releases, newest first.
    pub async fn releases(&self) -> Result<Vec<ladder_store::FrameworkRelease>, AppError> {
        Ok(self.access.store.framework_releases(RELEASES_KEPT).await?)
    }
}

/// How many releases the changes page lists (and a rollback looks back
/// over).
const RELEASES_KEPT: i64 = 20;

fn short(hash: &str) -> String {
    hash.chars().take(12).collect()
}
