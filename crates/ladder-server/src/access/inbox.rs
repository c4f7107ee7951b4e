//! The inbox: what needs the viewer, now, computed from the store on every
//! read (nothing to keep in step: a task disappears when the data says it
//! is done).
//!
//! Each task names what to do, whom it is about (as the viewer may see
//! them: a name, never a rating, note, answer or salary), when it is due
//! and where it is done. Only the viewer's own work is listed: their
//! nominations, questionnaires, checkpoints and 1:1s, and what waits on
//! them as a manager, approver, mentor, interviewer or the people team.

use super::{Access, OrgView, Viewer};
use crate::AppError;
use ladder_framework::Approver;
use ladder_growth::Quarter;
use ladder_org::Date;
use ladder_store::{
    Cycle, CycleState, FeedbackRelation, HiringRole, Id, InternshipState, Person, Proposal, Rater,
    Side,
};
use serde::Serialize;
use std::collections::HashMap;

/// The days into a quarter by which its checkpoint should be open: the
/// focus areas are picked at the quarter's first 1:1s.
pub const CHECKPOINT_OPEN_DAYS: i64 = 21;
/// The days before a quarter's end from which its checkpoint's summary is
/// asked for: the last 1:1s of the quarter.
pub const CHECKPOINT_CLOSE_DAYS: i64 = 14;

/// The last day to open a quarter's checkpoint: after it, it is overdue.
pub fn checkpoint_open_by(q: Quarter) -> Date {
    q.start().add_days(CHECKPOINT_OPEN_DAYS - 1)
}

/// The first day a quarter's open checkpoint asks for its summaries.
pub fn checkpoint_close_from(q: Quarter) -> Date {
    q.end().add_days(1 - CHECKPOINT_CLOSE_DAYS)
}

/// What a task asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// Nominate peers for a 360 cycle.
    Nominate,
    /// Approve a direct report's nomination list.
    ApproveNominations,
    /// Answer a 360 questionnaire (about oneself or someone else).
    AnswerFeedback,
    /// Open a quarter's checkpoint: pick the focus areas.
    OpenCheckpoint,
    /// Close a checkpoint: write the summaries.
    CloseCheckpoint,
    /// The next 1:1 of a pair, with its agenda.
    OneOnOne,
    /// An action item the viewer owns.
    ActionItem,
    /// A level-change proposal waiting for the viewer's decision.
    ApproveProposal,
    /// An internship request waiting for the viewer's side.
    DecideInternship,
    /// A candidate at a stage the viewer has not scored.
    ScoreCandidate,
    /// A direct report's self and manager ratings differ.
    RatingsDiffer,
    /// The people team: a running cycle's completion.
    CycleProgress,
    /// Admins and the people team: messages given up on, failing webhooks.
    FailedDeliveries,
    /// The people team: people whose manager has left need a new one.
    NewManager,
    /// The people team: provisioning sent a level Ladder refused.
    ProvisionedLevel,
    /// A published framework version changed what the viewer's level or
    /// the next expects since they last read their worksheet.
    FrameworkChanged,
}

impl TaskKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskKind::Nominate => "nominate",
            TaskKind::ApproveNominations => "approve_nominations",
            TaskKind::AnswerFeedback => "answer_feedback",
            TaskKind::OpenCheckpoint => "open_checkpoint",
            TaskKind::CloseCheckpoint => "close_checkpoint",
            TaskKind::OneOnOne => "one_on_one",
            TaskKind::ActionItem => "action_item",
            TaskKind::ApproveProposal => "approve_proposal",
            TaskKind::DecideInternship => "decide_internship",
            TaskKind::ScoreCandidate => "score_candidate",
            TaskKind::RatingsDiffer => "ratings_differ",
            TaskKind::CycleProgress => "cycle_progress",
            TaskKind::FailedDeliveries => "failed_deliveries",
            TaskKind::NewManager => "new_manager",
            TaskKind::ProvisionedLevel => "provisioned_level",
            TaskKind::FrameworkChanged => "framework_changed",
        }
    }
}

/// One thing that needs the viewer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Task {
    pub kind: TaskKind,
    /// What to do, naming whom it is about.
    pub title: String,
    /// One line more: counts, a window, never private content.
    pub detail: String,
    /// The day it is due, if it has one.
    pub due: Option<Date>,
    /// Due before today.
    pub overdue: bool,
    /// Where it is done.
    pub link: String,
    /// The person it is about, if one.
    pub person_id: Option<Id>,
}

impl Task {
    fn new(kind: TaskKind, title: String, link: String) -> Task {
        Task {
            kind,
            title,
            detail: String::new(),
            due: None,
            overdue: false,
            link,
            person_id: None,
        }
    }

    fn detail(mut self, detail: String) -> Task {
        self.detail = detail;
        self
    }

    fn due(mut self, due: Option<Date>, today: Date) -> Task {
        self.due = due;
        self.overdue = due.is_some_and(|d| d < today);
        self
    }

    fn about(mut self, person: Id) -> Task {
        self.person_id = Some(person);
        self
    }
}

fn day(s: &str) -> Option<Date> {
    s.parse().ok()
}

impl Access {
    /// Everything that needs the viewer on `today`, overdue first, then by
    /// due date; tasks without a date last.
    pub async fn inbox(
        &self,
        v: &Viewer,
        today: Date,
        live: (&ladder_framework::Framework, &str),
    ) -> Result<Vec<Task>, AppError> {
        let org = self.org(v).await?;
        let me = v
            .person_id()
            .and_then(|id| org.person(id))
            .filter(|p| p.record.active);
        let mut tasks = Vec::new();
        // Read once: the nominations, proposals and progress tasks all
        // walk the cycles.
        let cycles = self.store.cycles().await?;
        if let Some(me) = me {
            let reports: Vec<&Person> = org.reports(me.id).filter(|p| p.record.active).collect();
            self.cycle_tasks(&org, &cycles, me, &reports, today, &mut tasks)
                .await?;
            self.checkpoint_tasks(me, &reports, today, &mut tasks)
                .await?;
            self.meeting_tasks(&org, me, &reports, today, &mut tasks)
                .await?;
            self.rating_tasks(&reports, &mut tasks).await?;
            self.internship_tasks(&org, me, today, &mut tasks).await?;
            self.framework_task(me, live, &mut tasks).await?;
        }
        self.proposal_tasks(&org, &cycles, v, &mut tasks).await?;
        self.candidate_tasks(v, &mut tasks).await?;
        if v.roles().people_team {
            self.cycle_progress(&cycles, today, &mut tasks).await?;
            new_manager_tasks(&org, &mut tasks);
            for l in self.store.scim_links().await? {
                let (Some(level), Some(p)) = (l.refused_level.as_deref(), org.person(l.person_id))
                else {
                    continue;
                };
                tasks.push(
                    Task::new(
                        TaskKind::ProvisionedLevel,
                        format!(
                            "Your identity provider has {} at `{level}`; Ladder has `{}`",
                            p.record.name, p.record.role.level
                        ),
                        format!("/people/{}", p.id),
                    )
                    .detail(
                        "Levels change only through a proposal in a 360 cycle: propose it, or correct the provider".to_owned(),
                    )
                    .about(p.id),
                );
            }
        }
        if v.roles().people_team || v.roles().admin {
            self.delivery_tasks(&mut tasks).await?;
        }
        tasks.sort_by(|a, b| {
            (!a.overdue, a.due.is_none(), a.due, a.kind, &a.title).cmp(&(
                !b.overdue,
                b.due.is_none(),
                b.due,
                b.kind,
                &b.title,
            ))
        });
        Ok(tasks)
    }

    /// Nominations to make and approve, questionnaires to answer.
    async fn cycle_tasks(
        &self,
        org: &OrgView,
        cycles: &[Cycle],
        me: &Person,
        reports: &[&Person],
        today: Date,
        out: &mut Vec<Task>,
    ) -> Result<(), AppError> {
        for c in cycles.iter().filter(|c| c.state == CycleState::Nominations) {
            // The viewer's list and their reports': a home page reads what
            // is about them, not the whole cycle.
            let ids: Vec<Id> = std::iter::once(me.id)
                .chain(reports.iter().map(|r| r.id))
                .collect();
            let lists = self.store.nomination_lists_for(c.id, &ids).await?;
            let due = day(&c.plan.nominations_close);
            if !lists.iter().any(|l| l.person_id == me.id) {
                out.push(
                    Task::new(
                        TaskKind::Nominate,
                        format!("Nominate peers for {}", c.plan.name),
                        format!("/cycles/{}/nominations/{}", c.id, me.id),
                    )
                    .detail(format!(
                        "Choose {} to {} colleagues to give you feedback",
                        c.plan.min_peers, c.plan.max_peers
                    ))
                    .due(due, today)
                    .about(me.id),
                );
            }
            for r in reports {
                let sent = lists
                    .iter()
                    .find(|l| l.person_id == r.id)
                    .is_some_and(|l| l.approved_at.is_none());
                if sent {
                    out.push(
                        Task::new(
                            TaskKind::ApproveNominations,
                            format!("Approve {}'s nominations", r.record.name),
                            format!("/cycles/{}/nominations/{}", c.id, r.id),
                        )
                        .detail(format!(
                            "{}: the peers they asked for feedback",
                            c.plan.name
                        ))
                        .due(due, today)
                        .about(r.id),
                    );
                }
            }
        }
        let owed = self.store.owed_feedback(me.id).await?;
        if owed.is_empty() {
            return Ok(());
        }
        for n in owed {
            let Some(c) = cycles.iter().find(|c| c.id == n.cycle_id) else {
                continue;
            };
            let title = if n.relation == FeedbackRelation::Myself {
                "Write your self-review".to_owned()
            } else {
                let Some(about) = org.person(n.person_id) else {
                    continue;
                };
                format!("Give feedback to {}", about.record.name)
            };
            out.push(
                Task::new(
                    TaskKind::AnswerFeedback,
                    title,
                    format!("/cycles/{}/feedback/{}", c.id, n.person_id),
                )
                .detail(format!(
                    "{}: the questionnaire closes on its due date",
                    c.plan.name
                ))
                .due(day(&c.plan.feedback_close), today)
                .about(n.person_id),
            );
        }
        Ok(())
    }

    /// The quarter's checkpoint for the viewer and each direct report: to
    /// open in its first weeks, to close in its last ones (and any earlier
    /// one still open).
    async fn checkpoint_tasks(
        &self,
        me: &Person,
        reports: &[&Person],
        today: Date,
        out: &mut Vec<Task>,
    ) -> Result<(), AppError> {
        let quarter = Quarter::of(today);
        let open_by = checkpoint_open_by(quarter);
        let close_from = checkpoint_close_from(quarter);
        for p in std::iter::once(me).chain(reports.iter().copied()) {
            let whose = if p.id == me.id {
                "your".to_owned()
            } else {
                format!("{}'s", p.record.name)
            };
            let checkpoints = self.store.checkpoints(p.id).await?;
            let current = quarter.to_string();
            if !checkpoints.iter().any(|c| c.quarter == current) {
                out.push(
                    Task::new(
                        TaskKind::OpenCheckpoint,
                        format!("Open {whose} {current} checkpoint"),
                        format!("/people/{}/checkpoints/new", p.id),
                    )
                    .detail("Pick 2 to 3 focus areas at the quarter's first 1:1".to_owned())
                    .due(Some(open_by), today)
                    .about(p.id),
                );
            }
            for c in checkpoints.iter().filter(|c| c.closed_at.is_none()) {
                let Ok(q) = c.quarter.parse::<Quarter>() else {
                    continue;
                };
                if q < quarter || (q == quarter && today >= close_from) {
                    out.push(
                        Task::new(
                            TaskKind::CloseCheckpoint,
                            format!("Close {whose} {} checkpoint", c.quarter),
                            format!("/checkpoints/{}", c.id),
                        )
                        .detail(
                            "Write a progress summary per focus area at the quarter's last 1:1"
                                .to_owned(),
                        )
                        .due(Some(q.end()), today)
                        .about(p.id),
                    );
                }
            }
        }
        Ok(())
    }

    /// The next 1:1 with the viewer's manager and with each direct report,
    /// and the action items the viewer owns in them.
    async fn meeting_tasks(
        &self,
        org: &OrgView,
        me: &Person,
        reports: &[&Person],
        today: Date,
        out: &mut Vec<Task>,
    ) -> Result<(), AppError> {
        let mut pairs: Vec<(&Person, &Person)> = Vec::new();
        if let Some(m) = me.manager_id.and_then(|m| org.person(m)) {
            pairs.push((m, me));
        }
        pairs.extend(reports.iter().map(|r| (me, *r)));
        let today_s = today.to_string();
        for (m, r) in pairs {
            let other = if m.id == me.id { r } else { m };
            let meetings = self.store.meetings(m.id, r.id).await?;
            let next = meetings
                .iter()
                .filter(|x| x.date >= today_s)
                .min_by(|a, b| a.date.cmp(&b.date));
            if let Some(next) = next {
                let agenda = self.store.agenda_items(next.id).await?.len();
                out.push(
                    Task::new(
                        TaskKind::OneOnOne,
                        format!("1:1 with {}", other.record.name),
                        format!("/meetings/{}", next.id),
                    )
                    .detail(match agenda {
                        0 => {
                            "Nothing on the agenda yet: add what you want to talk about".to_owned()
                        }
                        1 => "1 agenda item".to_owned(),
                        n => format!("{n} agenda items"),
                    })
                    .due(day(&next.date), today)
                    .about(other.id),
                );
            }
            let due = next.and_then(|x| day(&x.date));
            for a in self.store.action_items(m.id, r.id).await? {
                if a.owner_id != me.id || a.done_at.is_some() {
                    continue;
                }
                out.push(
                    Task::new(
                        TaskKind::ActionItem,
                        format!("Action item from your 1:1 with {}", other.record.name),
                        // Done on a meeting's page: the next one, or the
                        // one it was made in.
                        format!("/meetings/{}#actions", next.map_or(a.meeting_id, |x| x.id)),
                    )
                    .detail(format!("Agreed on {}", a.meeting_date))
                    .due(due, today)
                    .about(other.id),
                );
            }
        }
        Ok(())
    }

    /// Direct reports whose self and manager ratings of a statement differ.
    /// "What changed for you": the live framework's expectations at the
    /// viewer's level and the next differ from what their worksheet showed
    /// when they last read it. Gone once they mark it read.
    async fn framework_task(
        &self,
        me: &Person,
        (fw, hash): (&ladder_framework::Framework, &str),
        tasks: &mut Vec<Task>,
    ) -> Result<(), AppError> {
        let Some(seen) = self.store.worksheet_seen(me.id).await? else {
            return Ok(());
        };
        if seen.framework_hash == hash {
            return Ok(());
        }
        let Ok(snap) = serde_json::from_str::<ladder_growth::Snapshot>(&seen.snapshot) else {
            return Ok(());
        };
        let r = &me.record.role;
        let Ok(ws) =
            ladder_growth::worksheet::worksheet(fw, &r.family, &r.level, r.specialty.as_deref())
        else {
            return Ok(());
        };
        let c = ladder_growth::changes(Some(&snap), &ws, &[]);
        if c.added.is_empty() && c.reworded.is_empty() && c.removed.is_empty() {
            return Ok(());
        }
        tasks.push(
            Task::new(
                TaskKind::FrameworkChanged,
                "Read what changed for you in the career framework".to_owned(),
                format!("/people/{}/worksheet", me.id),
            )
            .detail(format!(
                "{} expectation(s) added, {} reworded, {} removed at your level and the next",
                c.added.len(),
                c.reworded.len(),
                c.removed.len()
            )),
        );
        Ok(())
    }

    async fn rating_tasks(&self, reports: &[&Person], out: &mut Vec<Task>) -> Result<(), AppError> {
        if reports.is_empty() {
            return Ok(());
        }
        let ids: Vec<Id> = reports.iter().map(|p| p.id).collect();
        let ratings = self.store.ratings(&ids).await?;
        let mut sides: HashMap<(Id, &str), [Option<i64>; 2]> = HashMap::new();
        for g in &ratings {
            let slot = sides.entry((g.person_id, &g.statement_id)).or_default();
            let i = usize::from(g.rater == Rater::Manager);
            if let Some(s) = slot.get_mut(i) {
                *s = Some(g.value);
            }
        }
        let mut differ: HashMap<Id, usize> = HashMap::new();
        for ((person, _), [s, m]) in sides {
            if let (Some(s), Some(m)) = (s, m)
                && s != m
            {
                *differ.entry(person).or_default() += 1;
            }
        }
        for r in reports {
            if let Some(n) = differ.get(&r.id) {
                out.push(
                    Task::new(
                        TaskKind::RatingsDiffer,
                        format!("Talk through {}'s worksheet", r.record.name),
                        format!("/people/{}/worksheet", r.id),
                    )
                    .detail(if *n == 1 {
                        "1 statement where your rating and theirs differ".to_owned()
                    } else {
                        format!("{n} statements where your rating and theirs differ")
                    })
                    .about(r.id),
                );
            }
        }
        Ok(())
    }

    /// Internship requests waiting for the viewer's side.
    async fn internship_tasks(
        &self,
        org: &OrgView,
        me: &Person,
        today: Date,
        out: &mut Vec<Task>,
    ) -> Result<(), AppError> {
        for i in self.store.internships().await? {
            if i.state != InternshipState::Requested {
                continue;
            }
            let (Some(intern), Some(mentor)) =
                (org.person(i.new.person_id), org.person(i.new.mentor_id))
            else {
                continue;
            };
            // The side the viewer decides for, while it is undecided.
            let side = if intern.manager_id == Some(me.id) {
                i.manager.is_none().then_some(Side::Manager)
            } else if mentor.id == me.id || mentor.manager_id == Some(me.id) {
                i.host.is_none().then_some(Side::Host)
            } else {
                None
            };
            let Some(side) = side else {
                continue;
            };
            out.push(
                Task::new(
                    TaskKind::DecideInternship,
                    format!(
                        "Decide on {}'s internship with {}",
                        intern.record.name, i.new.host_department
                    ),
                    format!("/internships/{}", i.id),
                )
                .detail(match side {
                    Side::Manager => "As their manager: approve or decline".to_owned(),
                    Side::Host => format!("As the host side, with {}", mentor.record.name),
                })
                .due(day(&i.new.start_date), today)
                .about(intern.id),
            );
        }
        Ok(())
    }

    /// Level-change proposals whose next approval is the viewer's.
    async fn proposal_tasks(
        &self,
        org: &OrgView,
        cycles: &[Cycle],
        v: &Viewer,
        out: &mut Vec<Task>,
    ) -> Result<(), AppError> {
        for c in cycles {
            for p in self.store.proposals(c.id).await? {
                let Some(person) = org.person(p.new.person_id) else {
                    continue;
                };
                if next_approver(org, v, &p, person).is_some() {
                    out.push(
                        Task::new(
                            TaskKind::ApproveProposal,
                            format!("Decide on {}'s level change", person.record.name),
                            format!("/proposals/{}", p.id),
                        )
                        .detail(format!("{}: proposed to {}", c.plan.name, p.new.to_level))
                        .about(person.id),
                    );
                }
            }
        }
        Ok(())
    }

    /// Candidates at a stage the viewer (on the opening's team) has not
    /// scored yet.
    async fn candidate_tasks(&self, v: &Viewer, out: &mut Vec<Task>) -> Result<(), AppError> {
        let me = v.account.id;
        for o in self.store.openings().await? {
            if o.state != "open" {
                continue;
            }
            let Some(role) = o.new.team.iter().find(|m| m.account_id == me) else {
                continue;
            };
            for c in self.store.candidates(o.id).await? {
                if c.state != "active" {
                    continue;
                }
                let cards = self.store.scorecards(c.id).await?;
                if cards
                    .iter()
                    .any(|s| s.stage == c.stage && s.interviewer_id == me)
                {
                    continue;
                }
                out.push(
                    Task::new(
                        TaskKind::ScoreCandidate,
                        format!("Score {} for {}", c.name, o.new.title),
                        format!("/candidates/{}", c.id),
                    )
                    .detail(format!(
                        "Stage {}{}",
                        c.stage,
                        if role.role == HiringRole::Lead {
                            ", as the opening's lead"
                        } else {
                            ""
                        }
                    )),
                );
            }
        }
        Ok(())
    }

    /// Messages given up on and webhooks marked failing.
    async fn delivery_tasks(&self, out: &mut Vec<Task>) -> Result<(), AppError> {
        let failed = self
            .store
            .message_counts()
            .await?
            .into_iter()
            .find(|(s, _)| *s == ladder_store::MessageState::Failed)
            .map_or(0, |(_, n)| n);
        let hooks = self
            .store
            .webhooks()
            .await?
            .iter()
            .filter(|h| h.failing)
            .count();
        if failed > 0 || hooks > 0 {
            out.push(
                Task::new(
                    TaskKind::FailedDeliveries,
                    "Look at failed deliveries".to_owned(),
                    "/admin/deliveries".to_owned(),
                )
                .detail(format!(
                    "{failed} message(s) given up on, {hooks} webhook(s) failing"
                )),
            );
        }
        Ok(())
    }

    /// The people team: each running cycle's completion and what is late.
    async fn cycle_progress(
        &self,
        cycles: &[Cycle],
        today: Date,
        out: &mut Vec<Task>,
    ) -> Result<(), AppError> {
        for c in cycles {
            let (due, what) = match c.state {
                CycleState::Nominations => (day(&c.plan.nominations_close), "nominations"),
                CycleState::Feedback => (day(&c.plan.feedback_close), "feedback"),
                CycleState::Draft | CycleState::Closed => continue,
            };
            // Counts, not rows: the page stays cheap for a cycle of any
            // size.
            let (sent, approved, asked, answered) = self.store.cycle_counts(c.id).await?;
            let detail = if c.state == CycleState::Nominations {
                format!("{sent} lists sent, {approved} approved")
            } else {
                let late = if due.is_some_and(|d| d < today) {
                    format!(", {} overdue", asked - answered)
                } else {
                    String::new()
                };
                format!("{answered} of {asked} questionnaires answered{late}")
            };
            out.push(
                Task::new(
                    TaskKind::CycleProgress,
                    format!("{}: {what} open", c.plan.name),
                    format!("/cycles/{}/reminders", c.id),
                )
                .detail(detail)
                .due(due, today),
            );
        }
        Ok(())
    }
}

/// One task per person who left with active people still reporting to
/// them: those people need a new manager (by the next people import, or
/// provisioning).
fn new_manager_tasks(org: &OrgView, out: &mut Vec<Task>) {
    for leaver in org.people.iter().filter(|p| !p.record.active) {
        let orphans: Vec<&str> = org
            .reports(leaver.id)
            .filter(|r| r.record.active)
            .map(|r| r.record.name.as_str())
            .collect();
        if orphans.is_empty() {
            continue;
        }
        let title = format!(
            "{} {} to {}, who has left: choose a new manager",
            orphans.len(),
            if orphans.len() == 1 {
                "person reports"
            } else {
                "people report"
            },
            leaver.record.name
        );
        out.push(
            Task::new(
                TaskKind::NewManager,
                title,
                format!("/people/{}", leaver.id),
            )
            .detail(orphans.join(", "))
            .about(leaver.id),
        );
    }
}

/// Who decides a pending proposal's next step: `Some(Some(id))` the
/// person's skip-level manager, `Some(None)` the people team; `None` when
/// nothing waits (decided, or a chain role not known).
pub(super) fn next_approver_of(org: &OrgView, p: &Proposal, person: &Person) -> Option<Option<Id>> {
    match Approver::parse(p.waiting_for()?)? {
        Approver::SkipLevel => Some(Some(
            person
                .manager_id
                .and_then(|m| org.person(m))
                .and_then(|m| m.manager_id)?,
        )),
        Approver::PeopleTeam => Some(None),
    }
}

/// The step of a proposal the viewer may decide now, if any: the chain's
/// next role is theirs, and it is not their own proposal or their own
/// level change.
pub(super) fn next_approver(
    org: &OrgView,
    v: &Viewer,
    p: &Proposal,
    person: &Person,
) -> Option<Approver> {
    let step = Approver::parse(p.waiting_for()?)?;
    let me = v.person_id();
    if p.new.proposed_by == v.account.id || me == Some(person.id) {
        return None;
    }
    let ok = match next_approver_of(org, p, person)? {
        Some(skip) => me == Some(skip),
        None => v.roles().people_team,
    };
    ok.then_some(step)
}
