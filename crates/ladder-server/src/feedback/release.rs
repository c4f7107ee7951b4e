//! What a release of 360 results holds: for each person reviewed, their
//! results as [`feedback::results`] reduces the answers of this moment,
//! when [`release::step`] lets them move on from their last release.

use crate::access::{CycleAdmin, ReleaseInputs};
use crate::framework::Loaded;
use crate::{AppError, feedback::service::questions_for};
use ladder_growth::feedback;
use ladder_growth::release::{self, Step, Tally};
use ladder_store::{Answer, Cycle, CycleState, Id, NewRelease, NewSnapshot};
use std::collections::BTreeMap;

/// The release `inputs` make for `cycle`, as of now.
pub fn prepare(
    loaded: &Loaded,
    cycle: &Cycle,
    inputs: &ReleaseInputs,
) -> Result<NewRelease, AppError> {
    let threshold = usize::try_from(cycle.plan.anonymity_threshold).unwrap_or(3);
    let mut by_person: BTreeMap<Id, Vec<Answer>> = BTreeMap::new();
    for a in &inputs.answers {
        by_person.entry(a.person_id).or_default().push(a.clone());
    }
    let mut answered_by = feedback::answered_by_person(&inputs.nominations);
    let mut out = NewRelease::default();
    for (&id, person) in &inputs.people {
        let answers = by_person.remove(&id).unwrap_or_default();
        let answered = answered_by.remove(&id).unwrap_or_default();
        let tally = release::tally(&answers, &answered);
        // A tally that cannot be read back is treated as a release that
        // cannot be compared with: the person keeps it.
        let last: Option<Option<Tally>> = inputs
            .tallies
            .get(&id)
            .map(|t| serde_json::from_str(t).ok());
        let step = match &last {
            Some(None) => Step::HeldBack { smallest: 0 },
            Some(Some(t)) => release::step(Some(t), &tally, threshold),
            None => release::step(None, &tally, threshold),
        };
        match step {
            Step::First | Step::Next => {
                let questions = questions_for(loaded, person).unwrap_or_default();
                let results =
                    feedback::results(&questions, &answers, &answered, threshold, person.id);
                let tally = tally.showing(&results, last.as_ref().and_then(Option::as_ref));
                out.snapshots.push(NewSnapshot {
                    person_id: id,
                    results: serde_json::to_string(&results)
                        .map_err(|e| AppError::Internal(e.to_string()))?,
                    tally: serde_json::to_string(&tally)
                        .map_err(|e| AppError::Internal(e.to_string()))?,
                });
            }
            Step::HeldBack { .. } => out.held_back += 1,
            Step::Nothing | Step::Unchanged => {}
        }
    }
    Ok(out)
}

/// The people team releases the results now, during the feedback phase.
pub async fn release_now(
    admin: &CycleAdmin<'_>,
    loaded: &Loaded,
    cycle: &Cycle,
    now: i64,
) -> Result<(Id, NewRelease), AppError> {
    if cycle.state != CycleState::Feedback {
        return Err(AppError::BadRequest(format!(
            "results are released during the feedback phase, and by themselves when the cycle \
             closes; this cycle is in {}",
            cycle.state.as_str()
        )));
    }
    let inputs = admin.release_inputs(cycle).await?;
    let release = prepare(loaded, cycle, &inputs)?;
    let id = admin.release(cycle, &release, now).await?;
    Ok((id, release))
}

/// The release written with a move of `cycle`: its last, when the move
/// closes it; none otherwise.
pub fn closing(
    loaded: &Loaded,
    cycle: &Cycle,
    inputs: Option<&ReleaseInputs>,
) -> Result<Option<NewRelease>, AppError> {
    match (cycle.state, inputs) {
        (CycleState::Feedback, Some(inputs)) => Ok(Some(prepare(loaded, cycle, inputs)?)),
        _ => Ok(None),
    }
}
