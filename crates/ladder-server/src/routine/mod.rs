//! The routine's background work. Every `ladder serve` process runs
//! [`run`]: every five seconds it calls [`tick`], which moves what the
//! calendar says should move. A node keeps nothing between ticks but the
//! hour and the day of its last hourly and daily work ([`Memo`]), so any
//! node may tick, several may tick at once, and a node that was down
//! catches up on its next tick.
//!
//! - 360 cycles move on their dates
//!   ([`crate::feedback::service::scheduled_move`]): nominations open,
//!   feedback opens, the cycle closes. A cycle several dates behind moves
//!   one step at a time. The store moves a cycle only from the state it
//!   was read in, so two nodes never move it twice.
//! - Quarters need no move: the inbox computes the checkpoint tasks from
//!   the date ([`crate::access::Access::inbox`]).
//! - 1:1 series make their meetings two weeks ahead (hourly).
//! - Notifications: the events since the cursor become messages (each
//!   made once, whichever node makes it); reminders are made once an hour
//!   (each once per occasion); held messages become each person's digest
//!   once a day, from 07:00 UTC; then due messages are claimed with a lease
//!   and sent ([`crate::notify::send::deliver`]).
//!
//! Tests call [`tick`] directly with a `ManualClock`.

use crate::feedback::service::scheduled_move;
use crate::notify::send::SEND_SECONDS;
use crate::one_on_ones::series::make_ahead;
use crate::{AppError, AppState};
use ladder_org::Date;
use ladder_store::{CycleState, Id};
use std::sync::atomic::{AtomicI64, Ordering};

/// How often [`run`] ticks.
pub const TICK_SECONDS: u64 = 5;
/// The hour (UTC) from which the day's digests go out.
pub const DIGEST_HOUR: i64 = 7;

/// What one tick did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ticked {
    /// (cycle, the state it moved to), in order.
    pub cycles: Vec<(Id, CycleState)>,
    /// Events read into notifications.
    pub events: usize,
    /// Reminder messages made (0 when the hour's were made already).
    pub reminders: usize,
    /// 1:1 meetings made ahead from series (hourly).
    pub meetings: usize,
    pub digests: usize,
    /// Messages claimed and sent (or tried).
    pub delivered: usize,
    /// What the day's retention sweep deleted (once a day, by one node).
    pub swept: Option<ladder_store::Swept>,
}

/// What this node remembers between ticks, to do work once per minute,
/// hour or day (other nodes may do it too: the messages' keys keep each
/// one single, and folding the outbox's tallies twice changes nothing).
#[derive(Debug, Default)]
pub struct Memo {
    reminders_hour: AtomicI64,
    digest_day: AtomicI64,
    swept_day: AtomicI64,
    tallied_minute: AtomicI64,
}

impl Memo {
    /// True the first time it is asked for `slot` (an hour or a day).
    fn first(cell: &AtomicI64, slot: i64) -> bool {
        cell.swap(slot + 1, Ordering::SeqCst) != slot + 1
    }
}

/// Moves everything whose date has come, as of the state's clock.
pub async fn tick(state: &AppState) -> Result<Ticked, AppError> {
    let now = state.now();
    let today = Date::from_unix(now);
    let schedule = state.access().schedule();
    let mut out = Ticked::default();
    for mut cycle in schedule.cycles().await? {
        while scheduled_move(&cycle).is_some_and(|on| on <= today) {
            let inputs = match cycle.state {
                CycleState::Feedback => Some(schedule.release_inputs(&cycle).await?),
                _ => None,
            };
            let release =
                crate::feedback::release::closing(&state.framework(), &cycle, inputs.as_ref())?;
            match schedule.advance(&cycle, release.as_ref(), now).await {
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
    let notifier = state.access().notifier();
    loop {
        let read = notifier.from_events(now, 500).await?;
        out.events += read;
        if read == 0 {
            break;
        }
    }
    let memo = state.routine_memo();
    if Memo::first(&memo.reminders_hour, now.div_euclid(3600)) {
        // 1:1 series make their meetings two weeks ahead, then reminders
        // (the day-before one included) are made.
        for s in schedule.active_series().await? {
            out.meetings += make_ahead(&schedule, &s, today, now).await?;
        }
        out.reminders = notifier.reminders(now).await?;
    }
    let day = now.div_euclid(86_400);
    if now.rem_euclid(86_400) >= DIGEST_HOUR * 3600 && Memo::first(&memo.digest_day, day) {
        out.digests = notifier.digests(now).await?;
    }
    // Retention: what the configured ages no longer keep, once a day.
    if Memo::first(&memo.swept_day, day) {
        out.swept = Some(schedule.sweep(&state.settings().retention, now).await?);
    }
    // The outbox's counts by state, folded once a minute, and at once
    // after reminders or digests were made: a reminder to everyone adds a
    // tally row per message, which every count would read until folded.
    let minute = Memo::first(&memo.tallied_minute, now.div_euclid(60));
    if minute || out.reminders > 0 || out.digests > 0 {
        notifier.fold_tallies().await?;
    }
    // Claim only what can be sent before the lease ends (each attempt
    // gives up within SEND_SECONDS), so no other node takes a message this
    // one is still sending.
    let batch = (state.settings().notify.lease_seconds / SEND_SECONDS).max(1);
    loop {
        let sent = crate::notify::send::deliver(state, batch).await?;
        out.delivered += sent;
        if usize::try_from(batch).is_ok_and(|b| sent < b) {
            break;
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
        let ticked = tick(&state).await;
        state.metrics().tick(ticked.is_ok());
        if let Err(e) = ticked {
            tracing::warn!(error = %e, "the routine's tick failed; the next one tries again");
        }
    }
}
