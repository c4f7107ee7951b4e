//! Growth history for the demo organisation: a manager's team lived
//! through several quarters (ratings that move, checkpoints opened and
//! closed, weekly 1:1s with agendas and action items), so every page has
//! something real to show. Deterministic for a seed; the caller writes the
//! plan to the store in order.

use crate::worksheet::{Worksheet, worksheet};
use crate::{Quarter, actions_for};
use ladder_framework::{Framework, resolve};
use ladder_org::Date;
use ladder_store::{ActionItem, Id, NewFocusArea, Person, Rater, Rating};

/// A checkpoint to write: opened, and closed with summaries unless it is
/// the current quarter's (or left open on purpose, to show as overdue).
#[derive(Clone, Debug)]
pub struct PlannedCheckpoint {
    pub person: Id,
    pub quarter: Quarter,
    pub opened_at: i64,
    pub areas: Vec<NewFocusArea>,
    /// (closed at, summary per area)
    pub closed: Option<(i64, Vec<String>)>,
}

/// A 1:1 meeting to write.
#[derive(Clone, Debug)]
pub struct PlannedMeeting {
    pub manager: Id,
    pub report: Id,
    pub date: Date,
    pub shared_notes: String,
    /// (author, text)
    pub agenda: Vec<(Id, String)>,
    /// (owner, text): made in this meeting.
    pub actions: Vec<(Id, String)>,
    /// Indexes into the pair's actions made so far (in meeting order, then
    /// the order written) that are marked done in this meeting.
    pub done: Vec<usize>,
    /// (author, text)
    pub private: Vec<(Id, String)>,
}

#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// In time order; each is one `set_rating`.
    pub ratings: Vec<Rating>,
    pub checkpoints: Vec<PlannedCheckpoint>,
    pub meetings: Vec<PlannedMeeting>,
}

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let n = u64::try_from(items.len()).unwrap_or(0);
        items.get(usize::try_from(self.below(n)).unwrap_or(0))
    }
}

const AGENDA: &[&str] = &[
    "How the on-call week went",
    "Feedback on the design review",
    "Conference talk proposal",
    "Workload for the next sprint",
    "Pairing with the new joiner",
    "The incident write-up",
    "Time off in the summer",
    "Which team to intern with",
];

const ACTIONS: &[&str] = &[
    "Draft the design doc for the retry queue",
    "Book a session with the database team",
    "Write up the incident timeline",
    "Review two pull requests from the new joiner",
    "Share the reading list on distributed systems",
    "Ask the release team about shadowing a deploy",
    "Prepare the demo for the team meeting",
];

const NOTES: &[&str] = &[
    "Went through the focus areas. Good progress on the first; the second needs a concrete project.",
    "Talked about the incident and what to change in the runbook.",
    "Agreed to try leading the next planning session.",
    "Short one this week; mostly logistics.",
    "Discussed the feedback from the design review and how to present trade-offs.",
];

/// Clamps a rating to the scale.
fn clamp(v: i64, lo: i64, hi: i64) -> i64 {
    v.max(lo).min(hi)
}

/// The plan for `manager` and their direct `reports`, over `quarters`
/// quarters ending with the one `now` falls in. `hash` is the framework
/// version ratings are pinned to.
pub fn plan(
    fw: &Framework,
    hash: &str,
    manager: &Person,
    reports: &[&Person],
    quarters: usize,
    now: i64,
    seed: u64,
) -> Plan {
    let mut rng = Rng(seed ^ 0x5EED_0F1A_DDE5);
    let mut out = Plan::default();
    let scale: Vec<i64> = fw
        .config
        .rating_scale
        .iter()
        .map(|p| i64::from(p.value))
        .collect();
    let (lo, hi) = (
        scale.first().copied().unwrap_or(1),
        scale.last().copied().unwrap_or(4),
    );
    let demonstrated = i64::from(fw.config.policy.readiness.demonstrated_at);
    let today = Date::from_unix(now);
    let this = Quarter::of(today);
    let span = this.trailing(quarters.max(1));
    let nareas = usize::try_from(fw.config.policy.focus_areas.min.max(2)).unwrap_or(2);
    for (n, p) in reports.iter().enumerate() {
        let r = &p.record.role;
        let Ok(ws) = worksheet(fw, &r.family, &r.level, r.specialty.as_deref()) else {
            continue;
        };
        // People grow at different paces: the first is close to ready.
        let pace = match n % 3 {
            0 => 2,
            1 => 1,
            _ => 0,
        };
        rate_history(
            &mut out,
            &mut rng,
            &ws,
            p,
            hash,
            &span,
            pace,
            (lo, hi, demonstrated),
            now,
        );
        // Every third person lags with checkpoints (and the last of a team
        // under three), so a manager's overdue list has someone on it.
        let late = n % 3 == 2 || (reports.len() < 3 && n + 1 == reports.len());
        checkpoints(&mut out, &mut rng, fw, &ws, p, &span, nareas, late, now);
        meetings(
            &mut out,
            &mut rng,
            manager,
            p,
            today,
            if n == 0 { 8 } else { 3 },
        );
    }
    out.ratings.sort_by_key(|g| g.rated_at);
    out
}

#[allow(clippy::too_many_arguments)]
fn rate_history(
    out: &mut Plan,
    rng: &mut Rng,
    ws: &Worksheet,
    p: &Person,
    hash: &str,
    span: &[Quarter],
    pace: i64,
    (lo, hi, demonstrated): (i64, i64, i64),
    now: i64,
) {
    for row in &ws.rows {
        // Where they start: current-level work mostly demonstrated,
        // next-level work emerging.
        let base = if row.new_at_next {
            demonstrated - 1
        } else {
            demonstrated
        };
        // People tend to rate themselves a little higher.
        let mut own = clamp(base + i64::try_from(rng.below(2)).unwrap_or(0), lo, hi);
        let mut mgr = clamp(base - i64::try_from(rng.below(2)).unwrap_or(0), lo, hi);
        for (i, q) in span.iter().enumerate() {
            let at = (q.start().to_unix()
                + 86_400 * (20 + i64::try_from(rng.below(40)).unwrap_or(0)))
            .min(now - 3600);
            if i > 0 {
                // Each quarter, some rows move up with the person's pace.
                if i64::try_from(rng.below(3)).unwrap_or(0) < pace {
                    mgr = clamp(mgr + 1, lo, hi);
                }
                if rng.below(3) == 0 {
                    own = clamp(own + 1, lo, hi);
                }
            }
            // Not every row is revisited every quarter.
            if i > 0 && rng.below(2) == 0 {
                continue;
            }
            for (rater, value) in [(Rater::Myself, own), (Rater::Manager, mgr)] {
                out.ratings.push(Rating {
                    person_id: p.id,
                    statement_id: row.id.clone(),
                    rater,
                    value,
                    evidence: if value >= demonstrated && rng.below(3) == 0 {
                        format!("Seen in {q}: led the work end to end.\nhttps://example.invalid/notes/{}", row.id)
                    } else {
                        String::new()
                    },
                    statement_text: row.text.clone(),
                    framework_hash: hash.to_owned(),
                    rated_by: None,
                    rated_at: at + if rater == Rater::Manager { 3600 } else { 0 },
                });
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn checkpoints(
    out: &mut Plan,
    rng: &mut Rng,
    fw: &Framework,
    ws: &Worksheet,
    p: &Person,
    span: &[Quarter],
    nareas: usize,
    late: bool,
    now: i64,
) {
    let r = &p.record.role;
    let mut candidates: Vec<(String, String)> =
        resolve::role(fw, &r.family, &r.level, r.specialty.as_deref(), false)
            .map(|v| {
                v.responsibilities
                    .into_iter()
                    .map(|i| (i.id, i.text))
                    .collect()
            })
            .unwrap_or_default();
    candidates.extend(
        ws.rows
            .iter()
            .filter(|r| r.new_at_next)
            .map(|r| (r.id.clone(), r.text.clone())),
    );
    if candidates.len() < nareas {
        return;
    }
    let last = span.len().saturating_sub(1);
    for (i, q) in span.iter().enumerate() {
        let current = i == last;
        // A late person has not opened this quarter's checkpoint (it shows
        // as overdue), and left the last one open.
        if late && current {
            continue;
        }
        let mut areas = Vec::new();
        while areas.len() < nareas {
            let Some((id, text)) = rng.pick(&candidates) else {
                break;
            };
            if areas.iter().any(|a: &NewFocusArea| a.ref_id == *id) {
                continue;
            }
            areas.push(NewFocusArea {
                ref_id: id.clone(),
                title: text.clone(),
                goals: "Take the lead on one piece of work where this matters, start to finish."
                    .to_owned(),
                targets:
                    "One shipped piece of work and a short write-up by the end of the quarter."
                        .to_owned(),
                ideas:
                    "Pair with someone who does this well; ask for feedback after each milestone."
                        .to_owned(),
            });
        }
        let opened_at = q.start().to_unix() + 86_400 * 4;
        let closed = if current || (late && i + 1 == last) {
            None
        } else {
            let at = q.end().to_unix().min(now - 7200);
            Some((
                at,
                areas
                    .iter()
                    .map(|_| {
                        (*rng.pick(&[
                            "Good progress: shipped the first milestone and got clear feedback.",
                            "Partly there: the project slipped, but the skill grew.",
                            "Done, and it is now a steady part of the work.",
                        ])
                        .unwrap_or(&""))
                        .to_owned()
                    })
                    .collect(),
            ))
        };
        out.checkpoints.push(PlannedCheckpoint {
            person: p.id,
            quarter: *q,
            opened_at: opened_at.min(now - 86_400),
            areas,
            closed,
        });
    }
}

fn meetings(out: &mut Plan, rng: &mut Rng, manager: &Person, p: &Person, today: Date, weeks: i64) {
    let mut made: Vec<ActionItem> = Vec::new();
    for w in (1..=weeks).rev() {
        let date = today.add_days(-7 * w);
        let ds = date.to_string();
        let mut m = PlannedMeeting {
            manager: manager.id,
            report: p.id,
            date,
            shared_notes: (*rng.pick(NOTES).unwrap_or(&"")).to_owned(),
            agenda: Vec::new(),
            actions: Vec::new(),
            done: Vec::new(),
            private: Vec::new(),
        };
        for who in [p.id, manager.id] {
            if rng.below(2) == 0
                && let Some(t) = rng.pick(AGENDA)
            {
                m.agenda.push((who, (*t).to_owned()));
            }
        }
        // Close some open actions from earlier meetings.
        let open: Vec<usize> = actions_for(&made, &ds)
            .iter()
            .filter(|a| a.done_date.is_none())
            .filter_map(|a| made.iter().position(|x| x.id == a.id))
            .collect();
        for i in open {
            if rng.below(2) == 0 {
                m.done.push(i);
                if let Some(a) = made.get_mut(i) {
                    a.done_date = Some(ds.clone());
                }
            }
        }
        if let Some(t) = rng.pick(ACTIONS) {
            let owner = if rng.below(3) == 0 { manager.id } else { p.id };
            m.actions.push((owner, (*t).to_owned()));
            made.push(ActionItem {
                id: i64::try_from(made.len()).unwrap_or(0),
                manager_id: manager.id,
                report_id: p.id,
                meeting_id: 0,
                meeting_date: ds.clone(),
                owner_id: owner,
                text: (*t).to_owned(),
                created_at: 0,
                done_meeting_id: None,
                done_date: None,
                done_at: None,
            });
        }
        if w == 1 {
            m.private.push((
                manager.id,
                format!("Think about how to stretch {} next quarter.", p.record.name),
            ));
            m.private.push((
                p.id,
                "Ask about the staff engineer track next time.".to_owned(),
            ));
        }
        out.meetings.push(m);
    }
}
