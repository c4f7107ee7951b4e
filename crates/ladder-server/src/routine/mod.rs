//! The routine's background work. Every `ladder serve` process runs
//! [`run`]: each minute it calls [`tick`], which moves what the calendar
//! says should move. Nothing here keeps state between ticks, so any node
//! may tick, several may tick at once, and a node that was down catches up
//! on its next tick.
//!
//! - 360 cycles move on their dates
//!   ([`crate::feedback::service::scheduled_move`]): nominations open,
//!   feedback opens, the cycle closes. A cycle several dates behind moves
//!   one step at a time. The store moves a cycle only from the state it
//!   was read in, so two nodes never move it twice.
//! - Quarters need no move: the inbox computes the checkpoint tasks from
//!   the date ([`crate::access::Access::inbox`]).
//!
//! Tests call [`tick`] directly with a `ManualClock`.

use crate::feedback::service::scheduled_move;
use crate::{AppError, AppState};
use ladder_org::Date;
use ladder_store::{CycleState, Id};

/// How often [`run`] ticks.
pub const TICK_SECONDS: u64 = 60;

/// What one tick moved.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ticked {
    /// (cycle, the state it moved to), in order.
    pub cycles: Vec<(Id, CycleState)>,
}

/// Moves everything whose date has come, as of the state's clock.
pub async fn tick(state: &AppState) -> Result<Ticked, AppError> {
    let now = state.now();
    let today = Date::from_unix(now);
    let schedule = state.access().schedule();
    let mut out = Ticked::default();
    for mut cycle in schedule.cycles().await? {
        while scheduled_move(&cycle).is_some_and(|on| on <= today) {
            match schedule.advance(&cycle, now).await {
                Ok(to) => {
                    tracing::info!(
                        cycle = cycle.id,
                        to = to.as_str(),
                        "cycle moved on schedule"
                    );
                    out.cycles.push((cycle.id, to));
                    cycle.state = to;
                }
                // Moved by another node (or by hand) since it was read:
                // the next tick reads it afresh.
                Err(AppError::BadRequest(why)) => {
                    tracing::debug!(cycle = cycle.id, %why, "cycle not moved");
                    break;
                }
                Err(e) => return Err(e),
            }
        }
    }
    Ok(out)
}

/// Ticks every [`TICK_SECONDS`] until the process ends; a failed tick is
/// logged and the next one tries again.
pub async fn run(state: AppState) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(TICK_SECONDS));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if let Err(e) = tick(&state).await {
            tracing::warn!(error = %e, "the routine's tick failed; the next one tries again");
        }
    }
}
