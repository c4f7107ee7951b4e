//! Whom a framework change affects, and how, before it ships: for each
//! person, the statements their worksheet gains, loses or sees reworded
//! between two framework versions, the ratings to look at again and those
//! that would be archived, and their readiness for the next level under
//! each version with the manager ratings they have now (a newly required
//! statement counts as not yet demonstrated). Totals per team and level.
//!
//! Sans-IO like the rest of the crate: the caller reads the people and
//! their ratings; this compares.

use crate::worksheet::{Worksheet, progress, worksheet};
use crate::{Progress, Quarter};
use ladder_framework::{Framework, ReadinessPolicy};
use ladder_store::{Id, Rating, RatingChange};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One person as the report needs them.
#[derive(Clone, Debug)]
pub struct Subject {
    pub id: Id,
    pub name: String,
    /// Their team (department).
    pub team: String,
    pub family: String,
    pub level: String,
    pub specialty: Option<String>,
}

impl From<&ladder_store::Person> for Subject {
    fn from(p: &ladder_store::Person) -> Subject {
        Subject {
            id: p.id,
            name: p.record.name.clone(),
            team: p.record.department.clone(),
            family: p.record.role.family.clone(),
            level: p.record.role.level.clone(),
            specialty: p.record.role.specialty.clone(),
        }
    }
}

/// What the report reads of an organisation, wherever it comes from (the
/// database, or a backup file).
#[derive(Clone, Debug, Default)]
pub struct Organisation {
    /// Everyone active.
    pub people: Vec<Subject>,
    pub ratings: Vec<Rating>,
    pub history: Vec<RatingChange>,
    pub openings: Vec<OpenRole>,
    pub cycles: Vec<OpenCycle>,
    pub proposals: Vec<OpenProposal>,
}

/// The whole report: people, open positions, running cycles and pending
/// proposals, for `org` between `old` and `new`.
pub fn report(
    old: &Framework,
    new: &Framework,
    org: &Organisation,
    quarters: &[Quarter],
) -> Impact {
    let mut i = impact(old, new, &org.people, &org.ratings, &org.history, quarters);
    i.openings = openings(old, new, &org.openings);
    i.cycles = cycles(&i.people, &org.cycles);
    i.proposals = proposals(&i.people, &org.proposals);
    i
}

/// Readiness under one version: whether the policy holds, and the share
/// of the next level shown in the latest quarter.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Standing {
    pub ready: bool,
    pub share: f64,
}

/// Which way a person's readiness moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Ready now, not under the new version.
    AwayFromReady,
    /// Not ready now, ready under the new version.
    TowardReady,
}

/// What the change does to one person.
#[derive(Clone, Debug, Serialize)]
pub struct PersonImpact {
    pub id: Id,
    pub name: String,
    pub team: String,
    pub level: String,
    /// Statements their worksheet gains, loses and sees reworded.
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub reworded: Vec<String>,
    /// Their ratings (self or manager) of reworded statements.
    pub ratings_to_recheck: usize,
    /// Their ratings of statements no longer on their worksheet.
    pub ratings_archived: usize,
    /// Readiness now and under the new version (`None`: no next level).
    pub before: Option<Standing>,
    pub after: Option<Standing>,
    pub direction: Option<Direction>,
    /// Their role is not in the new version at all.
    pub role_gone: bool,
    /// The 360 questions about them would change (a statement of their
    /// current level added, removed or reworded).
    pub questions_change: bool,
}

impl PersonImpact {
    /// The change touches this person at all.
    pub fn affected(&self) -> bool {
        self.role_gone
            || !self.added.is_empty()
            || !self.removed.is_empty()
            || !self.reworded.is_empty()
            || self.direction.is_some()
            || self.questions_change
    }
}

/// Counts for a group of people (a team, a level, everyone).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Tally {
    pub people: usize,
    pub affected: usize,
    pub away_from_ready: usize,
    pub toward_ready: usize,
    pub ratings_to_recheck: usize,
    pub ratings_archived: usize,
    pub statements_added: usize,
    pub statements_removed: usize,
    pub statements_reworded: usize,
}

impl Tally {
    fn add(&mut self, p: &PersonImpact) {
        self.people += 1;
        if p.affected() {
            self.affected += 1;
        }
        match p.direction {
            Some(Direction::AwayFromReady) => self.away_from_ready += 1,
            Some(Direction::TowardReady) => self.toward_ready += 1,
            None => {}
        }
        self.ratings_to_recheck += p.ratings_to_recheck;
        self.ratings_archived += p.ratings_archived;
        self.statements_added += p.added.len();
        self.statements_removed += p.removed.len();
        self.statements_reworded += p.reworded.len();
    }
}

/// The whole report.
#[derive(Clone, Debug, Serialize)]
pub struct Impact {
    pub total: Tally,
    pub by_team: BTreeMap<String, Tally>,
    pub by_level: BTreeMap<String, Tally>,
    /// By job family.
    pub by_family: BTreeMap<String, Tally>,
    /// By specialty (`none` for people without one).
    pub by_specialty: BTreeMap<String, Tally>,
    /// Only the people the change touches.
    pub people: Vec<PersonImpact>,
    /// Open positions whose scorecards would change.
    pub openings: Vec<OpeningImpact>,
    /// Running 360 cycles with people whose questions would change.
    pub cycles: Vec<CycleImpact>,
    /// Pending level-change proposals whose evidence the change touches.
    pub proposals: Vec<ProposalImpact>,
}

/// A pending proposal: whom it is for, and the statements its frozen
/// evidence refers to (missing ones and rated ones).
#[derive(Clone, Debug)]
pub struct OpenProposal {
    pub id: Id,
    pub person_id: Id,
    pub statements: Vec<String>,
}

impl OpenProposal {
    /// From a proposal's frozen evidence (JSON with `missing`, a list of
    /// ids, and `ratings`, a list of `[id, value]`).
    pub fn from_evidence(id: Id, person_id: Id, evidence: &str) -> OpenProposal {
        let v: serde_json::Value = serde_json::from_str(evidence).unwrap_or_default();
        let mut statements: Vec<String> = v
            .get("missing")
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_str().map(str::to_owned))
            .chain(
                v.get("ratings")
                    .and_then(serde_json::Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|x| x.get(0).and_then(|i| i.as_str()).map(str::to_owned)),
            )
            .collect();
        statements.sort();
        statements.dedup();
        OpenProposal {
            id,
            person_id,
            statements,
        }
    }
}

/// What the change does to a pending proposal's evidence.
#[derive(Clone, Debug, Serialize)]
pub struct ProposalImpact {
    pub id: Id,
    pub person_id: Id,
    /// Statements the evidence refers to that are reworded or removed.
    pub changed: Vec<String>,
    /// Statements the person's worksheet gains, which the evidence cannot
    /// speak of.
    pub new_required: usize,
}

/// The pending proposals whose evidence refers to changed statements, or
/// whose person is newly asked for more; from the whole report's people.
pub fn proposals(all: &[PersonImpact], pending: &[OpenProposal]) -> Vec<ProposalImpact> {
    pending
        .iter()
        .filter_map(|o| {
            let p = all.iter().find(|p| p.id == o.person_id)?;
            let changed: Vec<String> = o
                .statements
                .iter()
                .filter(|s| p.reworded.contains(s) || p.removed.contains(s))
                .cloned()
                .collect();
            (!changed.is_empty() || !p.added.is_empty()).then_some(ProposalImpact {
                id: o.id,
                person_id: o.person_id,
                changed,
                new_required: p.added.len(),
            })
        })
        .collect()
}

/// A running 360 cycle (nominations or feedback) and the people it asks
/// about.
#[derive(Clone, Debug)]
pub struct OpenCycle {
    pub id: Id,
    pub name: String,
    pub people: Vec<Id>,
}

/// How many of a running cycle's people would be asked other questions.
#[derive(Clone, Debug, Serialize)]
pub struct CycleImpact {
    pub id: Id,
    pub name: String,
    pub people: usize,
    pub questions_change: usize,
}

/// The running cycles in which some people's questions would change; it
/// needs the whole report's people (`all`), not only those it names.
pub fn cycles(all: &[PersonImpact], running: &[OpenCycle]) -> Vec<CycleImpact> {
    running
        .iter()
        .filter_map(|c| {
            let changed = c
                .people
                .iter()
                .filter(|id| all.iter().any(|p| p.id == **id && p.questions_change))
                .count();
            (changed > 0).then(|| CycleImpact {
                id: c.id,
                name: c.name.clone(),
                people: c.people.len(),
                questions_change: changed,
            })
        })
        .collect()
}

/// An open position, as the report needs it.
#[derive(Clone, Debug)]
pub struct OpenRole {
    pub id: Id,
    pub title: String,
    pub family: String,
    pub level: String,
    pub specialty: Option<String>,
}

/// What the change does to one open position's scorecard (its role's
/// requirements, by id).
#[derive(Clone, Debug, Serialize)]
pub struct OpeningImpact {
    pub id: Id,
    pub title: String,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub reworded: Vec<String>,
    /// The role is not in the new version: the scorecard has nothing to
    /// score.
    pub role_gone: bool,
}

/// The open positions whose scorecards differ between the versions.
pub fn openings(old: &Framework, new: &Framework, roles: &[OpenRole]) -> Vec<OpeningImpact> {
    let requirements = |fw: &Framework, r: &OpenRole| {
        ladder_framework::resolve::role(fw, &r.family, &r.level, r.specialty.as_deref(), false)
            .ok()
            .map(|v| {
                v.requirements
                    .into_iter()
                    .map(|i| (i.id, i.text))
                    .collect::<BTreeMap<String, String>>()
            })
    };
    roles
        .iter()
        .filter_map(|r| {
            let before = requirements(old, r)?;
            let after = requirements(new, r);
            let now = after.clone().unwrap_or_default();
            let o = OpeningImpact {
                id: r.id,
                title: r.title.clone(),
                added: now
                    .keys()
                    .filter(|k| !before.contains_key(*k))
                    .cloned()
                    .collect(),
                removed: before
                    .keys()
                    .filter(|k| !now.contains_key(*k))
                    .cloned()
                    .collect(),
                reworded: before
                    .iter()
                    .filter(|(k, t)| now.get(*k).is_some_and(|n| n != *t))
                    .map(|(k, _)| k.clone())
                    .collect(),
                role_gone: after.is_none(),
            };
            (o.role_gone || !o.added.is_empty() || !o.removed.is_empty() || !o.reworded.is_empty())
                .then_some(o)
        })
        .collect()
}

fn standing(r: &Progress) -> Standing {
    Standing {
        ready: r.ready,
        share: r.quarters.last().map_or(0.0, |q| q.share),
    }
}

fn ready_under(
    ws: &Worksheet,
    history: &[RatingChange],
    quarters: &[Quarter],
    policy: ReadinessPolicy,
) -> Option<Standing> {
    ws.next.as_ref()?;
    Some(standing(&progress(
        &ws.next_ids(),
        history,
        quarters,
        policy,
    )))
}

/// Compares what `old` and `new` ask of each person, with their ratings
/// (current, and every change for readiness) over `quarters`.
pub fn impact(
    old: &Framework,
    new: &Framework,
    people: &[Subject],
    ratings: &[Rating],
    history: &[RatingChange],
    quarters: &[Quarter],
) -> Impact {
    let mut ratings_of: BTreeMap<Id, Vec<&Rating>> = BTreeMap::new();
    for r in ratings {
        ratings_of.entry(r.person_id).or_default().push(r);
    }
    let mut history_of: BTreeMap<Id, Vec<RatingChange>> = BTreeMap::new();
    for h in history {
        history_of.entry(h.person_id).or_default().push(h.clone());
    }
    let mut total = Tally::default();
    let mut by_team: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_level: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_family: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_specialty: BTreeMap<String, Tally> = BTreeMap::new();
    let mut touched = Vec::new();
    for s in people {
        let spec = s.specialty.as_deref();
        let Ok(before) = worksheet(old, &s.family, &s.level, spec) else {
            // Not a role of the old version: nothing to compare against.
            continue;
        };
        let after = worksheet(new, &s.family, &s.level, spec).ok();
        let old_text: BTreeMap<&str, &str> = before
            .rows
            .iter()
            .map(|r| (r.id.as_str(), r.text.as_str()))
            .collect();
        let new_text: BTreeMap<&str, &str> = after
            .as_ref()
            .map(|w| {
                w.rows
                    .iter()
                    .map(|r| (r.id.as_str(), r.text.as_str()))
                    .collect()
            })
            .unwrap_or_default();
        let added: Vec<String> = new_text
            .keys()
            .filter(|id| !old_text.contains_key(*id))
            .map(|id| (*id).to_owned())
            .collect();
        let removed: Vec<String> = old_text
            .keys()
            .filter(|id| !new_text.contains_key(*id))
            .map(|id| (*id).to_owned())
            .collect();
        let reworded: Vec<String> = old_text
            .iter()
            .filter(|(id, text)| new_text.get(*id).is_some_and(|t| t != *text))
            .map(|(id, _)| (*id).to_owned())
            .collect();
        let reworded_set: BTreeSet<&str> = reworded.iter().map(String::as_str).collect();
        let removed_set: BTreeSet<&str> = removed.iter().map(String::as_str).collect();
        let mine = ratings_of.get(&s.id).map_or(&[][..], Vec::as_slice);
        let hist = history_of.get(&s.id).map_or(&[][..], Vec::as_slice);
        let before_r = ready_under(&before, hist, quarters, old.config.policy.readiness);
        let after_r = after
            .as_ref()
            .and_then(|w| ready_under(w, hist, quarters, new.config.policy.readiness));
        let direction = match (before_r.map(|x| x.ready), after_r.map(|x| x.ready)) {
            (Some(true), Some(false) | None) => Some(Direction::AwayFromReady),
            (Some(false) | None, Some(true)) => Some(Direction::TowardReady),
            _ => None,
        };
        let asked = |w: Option<&Worksheet>| {
            w.map(|w| {
                crate::feedback::questions(w, &[])
                    .into_iter()
                    .map(|q| (q.key, q.statement_ids, q.statements))
                    .collect::<Vec<_>>()
            })
        };
        let questions_change = asked(Some(&before)) != asked(after.as_ref());
        let p = PersonImpact {
            questions_change,
            id: s.id,
            name: s.name.clone(),
            team: s.team.clone(),
            level: s.level.clone(),
            ratings_to_recheck: mine
                .iter()
                .filter(|r| reworded_set.contains(r.statement_id.as_str()))
                .count(),
            ratings_archived: mine
                .iter()
                .filter(|r| removed_set.contains(r.statement_id.as_str()))
                .count(),
            added,
            removed,
            reworded,
            before: before_r,
            after: after_r,
            direction,
            role_gone: after.is_none(),
        };
        total.add(&p);
        by_team.entry(s.team.clone()).or_default().add(&p);
        by_level.entry(s.level.clone()).or_default().add(&p);
        by_family.entry(s.family.clone()).or_default().add(&p);
        by_specialty
            .entry(s.specialty.clone().unwrap_or_else(|| "none".to_owned()))
            .or_default()
            .add(&p);
        if p.affected() {
            touched.push(p);
        }
    }
    touched.sort_by(|a, b| (&a.team, &a.name, a.id).cmp(&(&b.team, &b.name, b.id)));
    Impact {
        total,
        by_team,
        by_level,
        by_family,
        by_specialty,
        people: touched,
        openings: Vec::new(),
        cycles: Vec::new(),
        proposals: Vec::new(),
    }
}

/// The report as Markdown, for a pull request: the totals, then per team
/// and per level; names only when `names` (whoever reads a pull request
/// may not see people's readiness).
pub fn markdown(i: &Impact, names: bool) -> String {
    use std::fmt::Write as _;
    let t = &i.total;
    let mut out = String::from("## Who this change affects\n\n");
    if t.affected == 0 && i.openings.is_empty() && i.cycles.is_empty() && i.proposals.is_empty() {
        let _ = writeln!(
            out,
            "Nobody: none of the {} people's expectations, ratings or readiness change.",
            t.people
        );
        return out;
    }
    let _ = writeln!(
        out,
        "- **{} of {} people** have changed expectations ({} statements added, {} removed, {} reworded across their worksheets).",
        t.affected, t.people, t.statements_added, t.statements_removed, t.statements_reworded
    );
    let _ = writeln!(
        out,
        "- **Readiness for the next level**: {} would move away from ready, {} toward it (with today's manager ratings; a newly required statement counts as not yet demonstrated).",
        t.away_from_ready, t.toward_ready
    );
    let _ = writeln!(
        out,
        "- **Ratings**: {} to look at again (their statement is reworded), {} archived (their statement leaves the worksheet).\n",
        t.ratings_to_recheck, t.ratings_archived
    );
    let table = |out: &mut String, title: &str, rows: &BTreeMap<String, Tally>| {
        let _ = writeln!(
            out,
            "### {title}\n\n| {title} | people | affected | away from ready | toward ready | ratings to recheck | archived |\n|---|---:|---:|---:|---:|---:|---:|"
        );
        for (k, v) in rows.iter().filter(|(_, v)| v.affected > 0) {
            let _ = writeln!(
                out,
                "| {k} | {} | {} | {} | {} | {} | {} |",
                v.people,
                v.affected,
                v.away_from_ready,
                v.toward_ready,
                v.ratings_to_recheck,
                v.ratings_archived
            );
        }
        out.push('\n');
    };
    table(&mut out, "Team", &i.by_team);
    table(&mut out, "Level", &i.by_level);
    table(&mut out, "Family", &i.by_family);
    table(&mut out, "Specialty", &i.by_specialty);
    if !i.proposals.is_empty() {
        let _ = writeln!(
            out,
            "- **Pending level-change proposals**: the evidence of {} refers to changed statements or misses new ones.\n",
            i.proposals.len()
        );
    }
    if !i.cycles.is_empty() {
        let _ = writeln!(out, "### Running 360 cycles whose questions change\n");
        for c in &i.cycles {
            let _ = writeln!(
                out,
                "- {}: {} of the {} people it asks about",
                c.name, c.questions_change, c.people
            );
        }
        out.push('\n');
    }
    if !i.openings.is_empty() {
        let _ = writeln!(out, "### Open positions whose scorecards change\n");
        for o in &i.openings {
            let _ = writeln!(
                out,
                "- {}: +{} −{} ~{} requirements{}",
                o.title,
                o.added.len(),
                o.removed.len(),
                o.reworded.len(),
                if o.role_gone {
                    ", its role is not in the new version"
                } else {
                    ""
                }
            );
        }
        out.push('\n');
    }
    if names {
        let _ = writeln!(out, "### People\n");
        for p in &i.people {
            let dir = match p.direction {
                Some(Direction::AwayFromReady) => ", away from ready",
                Some(Direction::TowardReady) => ", toward ready",
                None => "",
            };
            let _ = writeln!(
                out,
                "- {} ({}, {}): +{} −{} ~{}{dir}{}",
                p.name,
                p.team,
                p.level,
                p.added.len(),
                p.removed.len(),
                p.reworded.len(),
                if p.role_gone {
                    ", their role is not in the new version"
                } else {
                    ""
                }
            );
        }
    }
    out
}
