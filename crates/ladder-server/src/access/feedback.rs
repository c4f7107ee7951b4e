//! Capabilities for 360 feedback and level changes.
//!
//! - [`CycleAdmin`]: the people team runs cycles: creates them, moves them
//!   on, sees completion across the organisation and who still owes
//!   feedback, locks calibrations. It has no method that reads answers.
//! - [`Nominating`]: a person's nomination list, for the person (who
//!   nominates peers) and their direct manager (who approves or changes).
//! - [`Respondent`]: the viewer answering about one person they were
//!   asked about.
//! - [`FeedbackResults`]: what may be shown of a person's feedback, for
//!   the person and their manager chain only; it hands out only
//!   [`ladder_growth::feedback::results`], never an answer with its
//!   respondent (the store does not even link the two).
//! - [`Proposer`], [`ProposalView`]: level changes, proposed by the direct
//!   manager, seen by the manager chain and the people team, decided by
//!   whoever the chain's next step names.
//! - [`Calibration`]: a department's proposals and ratings, for the people
//!   team and the department's leaders.

use super::{Access, MAX_CHAIN, OrgView, Relation, Viewer};
use crate::AppError;
use ladder_framework::Approver;
use ladder_store::{
    CalibrationLock, Cycle, CycleState, CycleStep, FeedbackRelation, Id, NewAnswer, NewCycle,
    NewNomination, NewProposal, NewRelease, Nomination, NominationList, Person, Proposal,
    ProposalState, ProposalStep, Rating, RatingChange, Record,
};
use std::sync::Arc;

impl Access {
    /// Every cycle, newest first: names, windows and states are not
    /// private.
    pub async fn cycles(&self, _v: &Viewer) -> Result<Vec<Cycle>, AppError> {
        Ok(self.store.cycles().await?)
    }

    pub async fn cycle(&self, _v: &Viewer, id: Id) -> Result<Cycle, AppError> {
        self.store.cycle(id).await?.ok_or(AppError::NotFound)
    }

    /// Running cycles: the people team.
    pub fn cycle_admin<'a>(&'a self, v: &'a Viewer) -> Result<CycleAdmin<'a>, AppError> {
        if !v.roles().people_team {
            return Err(AppError::Forbidden);
        }
        Ok(CycleAdmin {
            access: self,
            viewer: v,
        })
    }

    /// Moves a cycle on from its state. Opening feedback approves every
    /// list as it stands and gives each active person without one the
    /// automatic list: themself, their manager, their direct reports.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn move_cycle(
        &self,
        org: &OrgView,
        cycle: &Cycle,
        release: Option<&NewRelease>,
        by: Option<Id>,
        rec: &Record,
        now: i64,
    ) -> Result<CycleState, AppError> {
        let mut fill = Vec::new();
        if cycle.state == CycleState::Nominations {
            for p in org.people.iter().filter(|p| p.record.active) {
                fill.push((p.id, auto_nominations(org, p)));
            }
        }
        Ok(self
            .store
            .advance_cycle(cycle.id, cycle.state, &fill, release, by, now, rec)
            .await?)
    }

    /// A person's nomination list: the person or their direct manager.
    pub async fn nominating<'a>(
        &'a self,
        v: &'a Viewer,
        cycle: Id,
        person: Id,
    ) -> Result<Nominating<'a>, AppError> {
        let cycle = self.cycle(v, cycle).await?;
        let org = self.org(v).await?;
        let target = org.person(person).cloned().ok_or(AppError::NotFound)?;
        let me = v.person_id().ok_or(AppError::Forbidden)?;
        let as_manager = target.manager_id == Some(me);
        if me != person && !as_manager {
            return Err(AppError::Forbidden);
        }
        Ok(Nominating {
            access: self,
            viewer: v,
            org,
            cycle,
            person: target,
            as_manager,
        })
    }

    /// The viewer's direct reports and their nomination lists in a cycle
    /// (read once), for the manager's approvals.
    pub async fn report_lists(
        &self,
        v: &Viewer,
        cycle: Id,
    ) -> Result<Vec<(Person, Option<NominationList>)>, AppError> {
        let Some(me) = v.person_id() else {
            return Ok(Vec::new());
        };
        let org = self.org(v).await?;
        let reports: Vec<Person> = org.reports(me).cloned().collect();
        if reports.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Id> = reports.iter().map(|p| p.id).collect();
        let mut lists = self.store.nomination_lists_for(cycle, &ids).await?;
        Ok(reports
            .into_iter()
            .map(|p| {
                let list = lists
                    .iter()
                    .position(|l| l.person_id == p.id)
                    .map(|i| lists.swap_remove(i));
                (p, list)
            })
            .collect())
    }

    /// The viewer as a respondent about `person`: only if nominated.
    pub async fn respondent<'a>(
        &'a self,
        v: &'a Viewer,
        cycle: Id,
        person: Id,
    ) -> Result<Respondent<'a>, AppError> {
        let me = v.person_id().ok_or(AppError::Forbidden)?;
        let cycle = self.cycle(v, cycle).await?;
        let nomination = self
            .store
            .nominations_about(cycle.id, person)
            .await?
            .into_iter()
            .find(|n| n.respondent_id == me)
            .ok_or(AppError::Forbidden)?;
        let org = self.org(v).await?;
        let target = org.person(person).cloned().ok_or(AppError::NotFound)?;
        Ok(Respondent {
            access: self,
            cycle,
            person: target,
            nomination,
            me,
        })
    }

    /// What the viewer has been asked to answer in a cycle, with the
    /// people it is about.
    pub async fn my_requests(
        &self,
        v: &Viewer,
        cycle: Id,
    ) -> Result<Vec<(Person, Nomination)>, AppError> {
        let Some(me) = v.person_id() else {
            return Ok(Vec::new());
        };
        let org = self.org(v).await?;
        Ok(self
            .store
            .nominations_by(cycle, me)
            .await?
            .into_iter()
            .filter_map(|n| Some((org.person(n.person_id)?.clone(), n)))
            .collect())
    }

    /// A person's feedback results: the person and their manager chain.
    /// Not the people team, not admins, not respondents. Reads by a
    /// manager are audited (the entry names the person reviewed, never a
    /// respondent).
    pub async fn feedback_results<'a>(
        &'a self,
        v: &'a Viewer,
        cycle: Id,
        person: Id,
        now: i64,
    ) -> Result<FeedbackResults<'a>, AppError> {
        let cycle = self.cycle(v, cycle).await?;
        let org = self.org(v).await?;
        let target = org.person(person).cloned().ok_or(AppError::NotFound)?;
        let relation = match Self::relation(&org, v, &target) {
            Some(r @ (Relation::Myself | Relation::Manager)) => r,
            _ => return Err(AppError::Forbidden),
        };
        if relation == Relation::Manager {
            self.audit(
                v,
                "feedback.results.read",
                Some(person),
                &format!("cycle {}", cycle.id),
                now,
            )
            .await?;
        }
        Ok(FeedbackResults {
            access: self,
            cycle,
            person: target,
            relation,
        })
    }

    /// The completion of the viewer's reporting chain in a cycle: counts
    /// per person, never who answered.
    pub async fn chain_completion(
        &self,
        v: &Viewer,
        cycle: Id,
    ) -> Result<Vec<(Person, usize, usize)>, AppError> {
        let Some(me) = v.person_id() else {
            return Ok(Vec::new());
        };
        let org = self.org(v).await?;
        // No reports, no chain: nothing to read.
        if org.reports(me).next().is_none() {
            return Ok(Vec::new());
        }
        Ok(counts(&self.store, cycle)
            .await?
            .into_iter()
            .filter_map(|(id, asked, answered)| {
                let p = org.person(id)?;
                in_chain(&org, p, me).then(|| (p.clone(), asked, answered))
            })
            .collect())
    }

    /// Proposing a level change for `person`: their direct manager.
    pub async fn proposer<'a>(
        &'a self,
        v: &'a Viewer,
        person: Id,
    ) -> Result<Proposer<'a>, AppError> {
        let org = self.org(v).await?;
        let target = org.person(person).cloned().ok_or(AppError::NotFound)?;
        if v.person_id().is_none() || target.manager_id != v.person_id() {
            return Err(AppError::Forbidden);
        }
        Ok(Proposer {
            access: self,
            viewer: v,
            person: target,
        })
    }

    /// A proposal: the person's manager chain and the people team; never
    /// the person. Audited.
    pub async fn proposal<'a>(
        &'a self,
        v: &'a Viewer,
        id: Id,
        now: i64,
    ) -> Result<ProposalView<'a>, AppError> {
        let p = self.store.proposal(id).await?.ok_or(AppError::NotFound)?;
        let org = self.org(v).await?;
        let target = org
            .person(p.new.person_id)
            .cloned()
            .ok_or(AppError::NotFound)?;
        match Self::relation(&org, v, &target) {
            Some(Relation::Manager | Relation::PeopleTeam) => {}
            _ => return Err(AppError::Forbidden),
        }
        self.audit(v, "proposal.read", Some(target.id), &format!("#{id}"), now)
            .await?;
        Ok(ProposalView {
            access: self,
            viewer: v,
            org,
            proposal: p,
            person: target,
        })
    }

    /// A department's calibration in a cycle: the people team and the
    /// department's leaders (people in it whose manager is not). Audited.
    pub async fn calibration<'a>(
        &'a self,
        v: &'a Viewer,
        cycle: Id,
        department: &str,
        now: i64,
    ) -> Result<Calibration<'a>, AppError> {
        let cycle = self.cycle(v, cycle).await?;
        let org = self.org(v).await?;
        if !org
            .people
            .iter()
            .any(|p| p.record.department == department && p.record.active)
        {
            return Err(AppError::NotFound);
        }
        let leader = v
            .person_id()
            .and_then(|me| org.person(me))
            .is_some_and(|me| is_leader(&org, me, department));
        if !(v.roles().people_team || leader) {
            return Err(AppError::Forbidden);
        }
        self.audit(
            v,
            "calibration.read",
            None,
            &format!("cycle {} {department}", cycle.id),
            now,
        )
        .await?;
        Ok(Calibration {
            access: self,
            cycle,
            department: department.to_owned(),
            org,
        })
    }

    /// The departments the viewer may calibrate: all for the people team,
    /// the ones they lead otherwise.
    pub async fn calibratable(&self, v: &Viewer) -> Result<Vec<String>, AppError> {
        let org = self.org(v).await?;
        if v.roles().people_team {
            // Every named department, listed once per version.
            return Ok(org.all_departments.clone());
        }
        // A leader leads their own department, and no other.
        Ok(v.person_id()
            .and_then(|id| org.person(id))
            .filter(|me| is_leader(&org, me, &me.record.department))
            .map(|me| vec![me.record.department.clone()])
            .unwrap_or_default())
    }
}

/// A cycle move's event data: the state it moves to and, if early, why.
pub(super) fn advance_data(cycle: &Cycle, early: Option<&str>) -> serde_json::Value {
    let to = cycle.state.next().map_or("closed", |s| s.as_str());
    match early {
        Some(reason) => serde_json::json!({ "to": to, "early": reason }),
        None => serde_json::json!({ "to": to }),
    }
}

/// Each person asked about in a cycle, by id, with how many were asked
/// and how many answered (counted by the store).
async fn counts(
    store: &Arc<dyn ladder_store::Store>,
    cycle: Id,
) -> Result<Vec<(Id, usize, usize)>, AppError> {
    let n = |x: i64| usize::try_from(x).unwrap_or(0);
    Ok(store
        .nomination_counts(cycle)
        .await?
        .into_iter()
        .map(|(p, asked, answered)| (p, n(asked), n(answered)))
        .collect())
}

/// Whether `p` is below `me` in the reporting chain.
fn in_chain(org: &OrgView, p: &Person, me: Id) -> bool {
    let mut next = p.manager_id;
    for _ in 0..MAX_CHAIN {
        let Some(id) = next else { return false };
        if id == me {
            return true;
        }
        next = org.person(id).and_then(|x| x.manager_id);
    }
    false
}

/// A department's leader: in it, with reports, and with a manager
/// outside it (or none).
fn is_leader(org: &OrgView, me: &Person, department: &str) -> bool {
    me.record.department == department
        && org.reports(me.id).next().is_some()
        && me
            .manager_id
            .and_then(|m| org.person(m))
            .is_none_or(|m| m.record.department != department)
}

#[derive(Debug)]
pub struct CycleAdmin<'a> {
    pub(super) access: &'a Access,
    pub(super) viewer: &'a Viewer,
}

impl CycleAdmin<'_> {
    /// The version of everything a cycle's completion is computed from:
    /// the latest event, which every recorded write moves (an answer, a
    /// nomination, a change of people).
    pub async fn version(&self) -> Result<Id, AppError> {
        Ok(self.access.store.latest_event().await?)
    }

    pub async fn create(&self, c: &NewCycle, now: i64) -> Result<Id, AppError> {
        let id = self
            .access
            .store
            .create_cycle(
                c,
                Some(self.viewer.account.id),
                now,
                &Access::record(self.viewer, "cycle.create", None, &c.name, now),
            )
            .await?;
        Ok(id)
    }

    /// Moves the cycle on from its state, as the people-team member; a
    /// move ahead of the cycle's schedule carries its written reason into
    /// the audit entry and the event.
    pub async fn advance(
        &self,
        cycle: &Cycle,
        early: Option<&str>,
        release: Option<&NewRelease>,
        now: i64,
    ) -> Result<CycleState, AppError> {
        let mut detail = format!(
            "cycle {} → {}",
            cycle.id,
            cycle.state.next().map_or("closed", |s| s.as_str())
        );
        if let Some(reason) = early {
            detail.push_str(&format!(", early: {reason}"));
        }
        let org = self.access.org(self.viewer).await?;
        self.access
            .move_cycle(
                &org,
                cycle,
                release,
                Some(self.viewer.account.id),
                &Access::record(self.viewer, "cycle.advance", None, &detail, now)
                    .object(cycle.id)
                    .data(advance_data(cycle, early)),
                now,
            )
            .await
    }

    pub async fn steps(&self, cycle: Id) -> Result<Vec<CycleStep>, AppError> {
        Ok(self.access.store.cycle_steps(cycle).await?)
    }

    /// Completion per person across the organisation: counts only, each
    /// person asked about made into a row by `row` (no copy of each
    /// person on the way: a cycle of 100,000 people). A member of the
    /// people team reviewed in the cycle does not get their own row: its
    /// count would tell them how many answered in groups hidden from
    /// them.
    pub async fn completion<T>(
        &self,
        cycle: Id,
        row: impl Fn(&Person, usize, usize) -> T,
    ) -> Result<Vec<T>, AppError> {
        let org = self.access.org(self.viewer).await?;
        let me = self.viewer.person_id();
        Ok(counts(&self.access.store, cycle)
            .await?
            .into_iter()
            .filter(|(id, _, _)| Some(*id) != me)
            .filter_map(|(id, asked, answered)| Some(row(org.person(id)?, asked, answered)))
            .collect())
    }

    /// Who still owes feedback, with how many answers each owes. A member
    /// of the people team reviewed in the cycle does not see the people
    /// asked about them: watching one drop off the list as their results
    /// change would name the author.
    pub async fn reminders(&self, cycle: Id) -> Result<Vec<(Person, usize)>, AppError> {
        let org = self.access.org(self.viewer).await?;
        let store = &self.access.store;
        let me = self.viewer.person_id();
        let about_me = match me {
            Some(me) => store.nominations_about(cycle, me).await?,
            None => Vec::new(),
        };
        let mine = |id: Id| Some(id) != me && about_me.iter().any(|n| n.respondent_id == id);
        let mut out: Vec<(Person, usize)> = store
            .owed_counts(cycle)
            .await?
            .into_iter()
            .filter(|(id, _)| !mine(*id))
            .filter_map(|(id, n)| Some((org.person(id)?.clone(), usize::try_from(n).ok()?)))
            .collect();
        out.sort_by(|a, b| a.0.record.name.cmp(&b.0.record.name));
        Ok(out)
    }

    pub async fn lock(&self, cycle: Id, department: &str, now: i64) -> Result<(), AppError> {
        self.access
            .store
            .lock_calibration(
                cycle,
                department,
                self.viewer.account.id,
                now,
                &Access::record(
                    self.viewer,
                    "calibration.lock",
                    None,
                    &format!("cycle {cycle} {department}"),
                    now,
                ),
            )
            .await?;
        Ok(())
    }
}

/// Self, the manager and the direct reports: the nominations everyone
/// gets without asking.
pub fn auto_nominations(org: &OrgView, p: &Person) -> Vec<NewNomination> {
    let auto = |respondent_id, relation| NewNomination {
        respondent_id,
        relation,
        source: "auto".to_owned(),
    };
    let mut list = vec![auto(p.id, FeedbackRelation::Myself)];
    if let Some(m) = p.manager_id {
        list.push(auto(m, FeedbackRelation::Manager));
    }
    list.extend(
        org.reports(p.id)
            .filter(|r| r.record.active)
            .map(|r| auto(r.id, FeedbackRelation::Report)),
    );
    list
}

#[derive(Debug)]
pub struct Nominating<'a> {
    access: &'a Access,
    viewer: &'a Viewer,
    org: Arc<OrgView>,
    pub cycle: Cycle,
    pub person: Person,
    /// The viewer is the person's direct manager (who approves).
    pub as_manager: bool,
}

impl Nominating<'_> {
    pub async fn list(&self) -> Result<(Vec<Nomination>, Option<NominationList>), AppError> {
        let store = &self.access.store;
        let (cycle, person) = (self.cycle.id, self.person.id);
        let mine = store.nominations_about(cycle, person).await?;
        let list = store
            .nomination_lists_for(cycle, &[person])
            .await?
            .into_iter()
            .find(|l| l.person_id == person);
        Ok((mine, list))
    }

    /// Who may not be nominated as a peer though active: the person,
    /// their manager and their reports (they are asked anyway).
    pub fn left_out(&self) -> Vec<Id> {
        auto_nominations(&self.org, &self.person)
            .iter()
            .map(|n| n.respondent_id)
            .collect()
    }

    /// Whether `id` may be nominated as a peer: an active colleague who
    /// is not the person, their manager or one of their reports.
    pub fn may_nominate(&self, id: Id) -> bool {
        self.org.person(id).is_some_and(|p| p.record.active) && !self.left_out().contains(&id)
    }

    /// A person's name, if they are in the organisation.
    pub fn name_of(&self, id: Id) -> Option<String> {
        self.org.person(id).map(|p| p.record.name.clone())
    }

    /// Who is asked without being nominated: (name, relation).
    pub fn automatic(&self) -> Vec<(String, String)> {
        auto_nominations(&self.org, &self.person)
            .iter()
            .filter_map(|n| {
                let p = self.org.person(n.respondent_id)?;
                Some((p.record.name.clone(), n.relation.as_str().to_owned()))
            })
            .collect()
    }

    /// Saves the peers (plus the automatic self, manager and reports);
    /// the manager's save approves the list. Peers are checked against
    /// the cycle's bounds by the caller.
    pub async fn save(&self, peers: &[Id], now: i64) -> Result<(), AppError> {
        let mut list = auto_nominations(&self.org, &self.person);
        let source = if self.as_manager { "manager" } else { "person" };
        for id in peers {
            if list.iter().any(|n| n.respondent_id == *id) {
                continue;
            }
            list.push(NewNomination {
                respondent_id: *id,
                relation: FeedbackRelation::Peer,
                source: source.to_owned(),
            });
        }
        let approve = self.as_manager.then_some(self.viewer.account.id);
        self.access
            .store
            .save_nominations(
                self.cycle.id,
                self.person.id,
                &list,
                approve,
                now,
                &Access::record(
                    self.viewer,
                    if self.as_manager {
                        "nominations.approve"
                    } else {
                        "nominations.save"
                    },
                    Some(self.person.id),
                    &format!("cycle {}: {} peer(s)", self.cycle.id, peers.len()),
                    now,
                )
                .object(self.cycle.id),
            )
            .await?;
        Ok(())
    }
}

#[derive(Debug)]
pub struct Respondent<'a> {
    access: &'a Access,
    pub cycle: Cycle,
    /// The person the feedback is about.
    pub person: Person,
    pub nomination: Nomination,
    me: Id,
}

impl Respondent<'_> {
    /// Stores the answers, once. Deliberately not audited: an audit
    /// entry, whatever it said, would sit among the respondent's other
    /// entries and name them by its position in the log. The cycle's steps
    /// are audited instead.
    pub async fn submit(&self, answers: &[NewAnswer], now: i64) -> Result<(), AppError> {
        let day = ladder_org::Date::from_unix(now);
        self.access
            .store
            .submit_feedback(
                self.cycle.id,
                self.person.id,
                self.me,
                answers,
                &day.to_string(),
            )
            .await?;
        Ok(())
    }
}

#[derive(Debug)]
pub struct FeedbackResults<'a> {
    access: &'a Access,
    pub cycle: Cycle,
    pub person: Person,
    pub relation: Relation,
}

/// What [`FeedbackResults`] reads: the person's latest released results
/// (never the answers themselves) and, for a manager, completion.
#[derive(Debug)]
pub(crate) struct FeedbackReading {
    pub released: Option<ladder_store::Snapshot>,
    /// How many were asked and answered: for managers only, never the
    /// person (it would count answers in groups hidden from them).
    pub completion: Option<ladder_growth::feedback::Completion>,
}

impl FeedbackResults<'_> {
    /// The person's latest release and, for a manager, completion.
    pub(crate) async fn read(&self) -> Result<FeedbackReading, AppError> {
        let store = &self.access.store;
        let released = store.snapshot(self.cycle.id, self.person.id).await?;
        let completion = if self.relation == Relation::Manager {
            let n = store
                .nominations_about(self.cycle.id, self.person.id)
                .await?;
            Some(
                ladder_growth::feedback::completion(&n)
                    .remove(&self.person.id)
                    .unwrap_or_default(),
            )
        } else {
            None
        };
        Ok(FeedbackReading {
            released,
            completion,
        })
    }
}

#[derive(Debug)]
pub struct Proposer<'a> {
    access: &'a Access,
    viewer: &'a Viewer,
    pub person: Person,
}

impl Proposer<'_> {
    /// The cycle currently in its feedback phase, if any.
    pub async fn open_cycle(&self) -> Result<Option<Cycle>, AppError> {
        Ok(self
            .access
            .store
            .cycles()
            .await?
            .into_iter()
            .find(|c| c.state == CycleState::Feedback))
    }

    pub async fn propose(&self, p: &NewProposal, now: i64) -> Result<Id, AppError> {
        let id = self
            .access
            .store
            .create_proposal(
                p,
                now,
                &Access::record(
                    self.viewer,
                    "proposal.create",
                    Some(self.person.id),
                    &format!(
                        "#{{id}}: {} to {}{}",
                        p.kind,
                        p.to_level,
                        if p.override_reason.is_some() {
                            " (policy overridden)"
                        } else {
                            ""
                        }
                    ),
                    now,
                ),
            )
            .await?;
        Ok(id)
    }

    /// The person's proposals so far.
    pub async fn proposals(&self) -> Result<Vec<Proposal>, AppError> {
        Ok(self.access.store.person_proposals(self.person.id).await?)
    }
}

#[derive(Debug)]
pub struct ProposalView<'a> {
    access: &'a Access,
    viewer: &'a Viewer,
    org: Arc<OrgView>,
    pub proposal: Proposal,
    pub person: Person,
}

impl ProposalView<'_> {
    pub async fn steps(&self) -> Result<Vec<ProposalStep>, AppError> {
        Ok(self.access.store.proposal_steps(self.proposal.id).await?)
    }

    /// The step the viewer may decide now, if any: the chain's next role
    /// is theirs, and it is not their own proposal or their own level.
    pub fn may_decide(&self) -> Option<Approver> {
        super::inbox::next_approver(&self.org, self.viewer, &self.proposal, &self.person)
    }

    /// Records the viewer's decision at the chain's next step; the last
    /// approval changes the level, effective `effective`.
    pub async fn decide(
        &self,
        approved: bool,
        comment: &str,
        effective: &str,
        now: i64,
    ) -> Result<ProposalState, AppError> {
        let Some(step) = self.may_decide() else {
            return Err(AppError::Forbidden);
        };
        let state = self
            .access
            .store
            .decide_proposal(
                self.proposal.id,
                self.proposal.next_step,
                approved,
                comment,
                self.viewer.account.id,
                effective,
                now,
                &Access::record(
                    self.viewer,
                    "proposal.decide",
                    Some(self.person.id),
                    &format!(
                        "#{} {}: {}",
                        self.proposal.id,
                        step.as_str(),
                        if approved { "approved" } else { "rejected" }
                    ),
                    now,
                )
                .object(self.proposal.id),
            )
            .await?;
        Ok(state)
    }

    /// Whether the department's calibration is locked for this cycle.
    pub async fn locked(&self) -> Result<bool, AppError> {
        Ok(self
            .access
            .store
            .calibration_locks(self.proposal.new.cycle_id)
            .await?
            .iter()
            .any(|l| l.department == self.proposal.new.department))
    }
}

#[derive(Debug)]
pub struct Calibration<'a> {
    access: &'a Access,
    pub cycle: Cycle,
    pub department: String,
    org: Arc<OrgView>,
}

impl Calibration<'_> {
    /// The department's active people (found as asked, not copied: a page
    /// served from a kept calibration needs none of them).
    pub fn people(&self) -> impl Iterator<Item = &Person> {
        self.org
            .people
            .iter()
            .filter(|p| p.record.department == self.department && p.record.active)
    }

    /// The version of everything a calibration is computed from: the
    /// latest event, which every recorded write moves.
    pub async fn version(&self) -> Result<Id, AppError> {
        Ok(self.access.store.latest_event().await?)
    }

    pub async fn proposals(&self) -> Result<Vec<Proposal>, AppError> {
        Ok(self
            .access
            .store
            .proposals(self.cycle.id)
            .await?
            .into_iter()
            .filter(|p| p.new.department == self.department)
            .collect())
    }

    fn ids(&self) -> Vec<Id> {
        self.people().map(|p| p.id).collect()
    }

    pub async fn ratings(&self) -> Result<Vec<Rating>, AppError> {
        Ok(self.access.store.ratings(&self.ids()).await?)
    }

    pub async fn history(&self) -> Result<Vec<RatingChange>, AppError> {
        Ok(self.access.store.rating_history(&self.ids()).await?)
    }

    pub async fn lock(&self) -> Result<Option<CalibrationLock>, AppError> {
        Ok(self
            .access
            .store
            .calibration_locks(self.cycle.id)
            .await?
            .into_iter()
            .find(|l| l.department == self.department))
    }
}
