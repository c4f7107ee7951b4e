//! A person's worksheet: the rows, readiness, and what changed for them.

use crate::Quarter;
use ladder_framework::resolve::{self, ViewError};
use ladder_framework::{Framework, ReadinessPolicy};
use ladder_store::{ActionItem, Rater, Rating, RatingChange};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// One competency on the worksheet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Row {
    pub id: String,
    pub text: String,
    pub category: String,
    pub category_title: String,
    pub layer: String,
    /// The level the statement is written at.
    pub level: String,
    /// Expected at the next level and not yet at the current one.
    pub new_at_next: bool,
}

/// The rows for a role: every competency of the current level, then every
/// competency the next level adds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Worksheet {
    pub family: String,
    pub level: String,
    pub specialty: Option<String>,
    /// The family's next level, if there is one.
    pub next: Option<String>,
    pub rows: Vec<Row>,
}

impl Worksheet {
    pub fn row(&self, id: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.id == id)
    }

    /// The ids of the competencies the next level expects (all of them,
    /// inherited or new).
    pub fn next_ids(&self) -> Vec<&str> {
        self.rows.iter().map(|r| r.id.as_str()).collect()
    }
}

/// The level after `level` in `family`: one that builds on it and that the
/// family has.
pub fn next_level(fw: &Framework, family: &str, level: &str) -> Option<String> {
    let f = fw.family(family)?;
    fw.config
        .levels
        .iter()
        .filter(|l| l.below.as_deref() == Some(level))
        .find(|l| f.levels.iter().any(|fl| fl.level == l.id))
        .map(|l| l.id.clone())
}

pub fn worksheet(
    fw: &Framework,
    family: &str,
    level: &str,
    specialty: Option<&str>,
) -> Result<Worksheet, ViewError> {
    let current = resolve::role(fw, family, level, specialty, false)?;
    let next = next_level(fw, family, level);
    let title = |c: &str| {
        fw.category(c)
            .map_or_else(|| c.to_owned(), |c| c.title.clone())
    };
    let mut rows: Vec<Row> = current
        .competencies
        .iter()
        .map(|e| Row {
            id: e.id.clone(),
            text: e.text.clone(),
            category_title: title(&e.category),
            category: e.category.clone(),
            layer: e.layer.clone(),
            level: e.level.clone(),
            new_at_next: false,
        })
        .collect();
    if let Some(n) = &next {
        // The specialty may not exist at the next level; fall back to the
        // family's own chain then.
        let view = resolve::role(fw, family, n, specialty, false)
            .or_else(|_| resolve::role(fw, family, n, None, false))?;
        for e in view.competencies {
            if rows.iter().any(|r| r.id == e.id) {
                continue;
            }
            rows.push(Row {
                category_title: title(&e.category),
                id: e.id,
                text: e.text,
                category: e.category,
                layer: e.layer,
                level: e.level,
                new_at_next: true,
            });
        }
    }
    Ok(Worksheet {
        family: family.to_owned(),
        level: level.to_owned(),
        specialty: specialty.map(str::to_owned),
        next,
        rows,
    })
}

/// A person's readiness for the next level, quarter by quarter.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Readiness {
    pub quarters: Vec<QuarterShare>,
    /// The policy holds for the latest quarters.
    pub ready: bool,
    /// The next level's competencies the manager does not yet rate as
    /// demonstrated, by id.
    pub missing: Vec<String>,
    pub policy: ReadinessPolicy,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QuarterShare {
    pub quarter: Quarter,
    pub demonstrated: usize,
    pub total: usize,
    /// 0 to 1.
    pub share: f64,
    pub meets: bool,
}

/// A person's progress toward the next level, quarter by quarter:
/// [`Readiness`] without the list of what is missing, for views of many
/// people at once (a share and a signal each).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Progress {
    pub quarters: Vec<QuarterShare>,
    /// The policy holds for the latest quarters.
    pub ready: bool,
}

/// The manager's ratings in `history`, oldest first.
fn manager_events(history: &[RatingChange]) -> Vec<&RatingChange> {
    let mut events: Vec<&RatingChange> = history
        .iter()
        .filter(|h| h.rater == Rater::Manager)
        .collect();
    events.sort_by_key(|h| (h.changed_at, h.id));
    events
}

/// Each statement's latest value among `events` (oldest first) before
/// `end`.
fn latest_before<'h>(events: &[&'h RatingChange], end: i64) -> HashMap<&'h str, i64> {
    let mut latest = HashMap::new();
    for h in events.iter().take_while(|h| h.changed_at < end) {
        latest.insert(h.statement_id.as_str(), h.new_value);
    }
    latest
}

fn demonstrated(latest: &HashMap<&str, i64>, id: &str, policy: ReadinessPolicy) -> bool {
    latest
        .get(id)
        .is_some_and(|v| *v >= i64::from(policy.demonstrated_at))
}

/// Progress from the manager's rating history: for each quarter, the
/// share of `next_ids` whose latest manager rating before the quarter's
/// end is at least `demonstrated_at`. Ready when the last
/// `consecutive_quarters` of `quarters` (oldest first, the current one
/// last, counted so far) all meet the share.
pub fn progress(
    next_ids: &[&str],
    history: &[RatingChange],
    quarters: &[Quarter],
    policy: ReadinessPolicy,
) -> Progress {
    let events = manager_events(history);
    let total = next_ids.len();
    let list: Vec<QuarterShare> = quarters
        .iter()
        .map(|q| {
            let latest = latest_before(&events, q.end_unix());
            let demonstrated = next_ids
                .iter()
                .filter(|id| demonstrated(&latest, id, policy))
                .count();
            #[allow(clippy::cast_precision_loss)]
            let share = if total == 0 {
                0.0
            } else {
                demonstrated as f64 / total as f64
            };
            QuarterShare {
                quarter: *q,
                demonstrated,
                total,
                share,
                meets: total > 0 && share + 1e-9 >= policy.share,
            }
        })
        .collect();
    let need = usize::try_from(policy.consecutive_quarters.max(1)).unwrap_or(1);
    let ready = list.len() >= need && list.iter().rev().take(need).all(|q| q.meets);
    Progress {
        quarters: list,
        ready,
    }
}

/// [`progress`], with the next level's competencies not yet demonstrated
/// as of the last quarter shown (the current one).
pub fn readiness(
    next_ids: &[&str],
    history: &[RatingChange],
    quarters: &[Quarter],
    policy: ReadinessPolicy,
) -> Readiness {
    let Progress {
        quarters: list,
        ready,
    } = progress(next_ids, history, quarters, policy);
    let events = manager_events(history);
    let now = latest_before(&events, quarters.last().map_or(i64::MAX, |q| q.end_unix()));
    Readiness {
        missing: next_ids
            .iter()
            .filter(|id| !demonstrated(&now, id, policy))
            .map(|id| (*id).to_owned())
            .collect(),
        quarters: list,
        ready,
        policy,
    }
}

/// What a person acknowledged of their expectations: id → (text, level).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub level: String,
    pub next: Option<String>,
    pub items: BTreeMap<String, (String, String)>,
}

pub fn snapshot(ws: &Worksheet) -> Snapshot {
    Snapshot {
        level: ws.level.clone(),
        next: ws.next.clone(),
        items: ws
            .rows
            .iter()
            .map(|r| (r.id.clone(), (r.text.clone(), r.level.clone())))
            .collect(),
    }
}

/// What changed for a person between what they saw and the worksheet now.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Changes {
    pub added: Vec<Row>,
    /// (the text they saw, the row now)
    pub reworded: Vec<(String, Row)>,
    /// (id, the text they saw)
    pub removed: Vec<(String, String)>,
    /// Ratings whose statement was reworded since they were made: to look
    /// at again. (rating, the text now)
    pub recheck: Vec<(Rating, String)>,
    /// Ratings whose statement is gone from the worksheet: kept, archived.
    pub archived: Vec<Rating>,
}

impl Changes {
    /// Anything in the framework itself changed for them.
    pub fn framework_moved(&self) -> bool {
        !(self.added.is_empty() && self.reworded.is_empty() && self.removed.is_empty())
    }
}

/// The changes since `seen` (if any; none when they never looked, or when
/// their role changed: a new role is a new worksheet, not a change), and
/// the ratings to look at again or archived.
pub fn changes(seen: Option<&Snapshot>, ws: &Worksheet, ratings: &[Rating]) -> Changes {
    let mut out = Changes::default();
    if let Some(old) = seen.filter(|s| s.level == ws.level) {
        for r in &ws.rows {
            match old.items.get(&r.id) {
                None => out.added.push(r.clone()),
                Some((text, _)) if *text != r.text => out.reworded.push((text.clone(), r.clone())),
                Some(_) => {}
            }
        }
        for (id, (text, _)) in &old.items {
            if ws.row(id).is_none() {
                out.removed.push((id.clone(), text.clone()));
            }
        }
    }
    for g in ratings {
        match ws.row(&g.statement_id) {
            None => out.archived.push(g.clone()),
            Some(r) if r.text != g.statement_text => out.recheck.push((g.clone(), r.text.clone())),
            Some(_) => {}
        }
    }
    out
}

/// The action items a meeting on `date` shows: made at or before it and
/// not done before it (done in it, they show as done).
pub fn actions_for<'a>(actions: &'a [ActionItem], date: &str) -> Vec<&'a ActionItem> {
    actions
        .iter()
        .filter(|a| a.meeting_date.as_str() <= date)
        .filter(|a| a.done_date.as_deref().is_none_or(|d| d >= date))
        .collect()
}
