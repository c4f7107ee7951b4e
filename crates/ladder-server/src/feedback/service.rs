//! The 360 rules the pages and the API share: cycle plans, peers,
//! questions and answers, results through the anonymity rules, proposals
//! with their frozen evidence and the policy check, calibration data.

use crate::access::{
    Access, Calibration, CycleAdmin, FeedbackResults, Nominating, ProposalView, Proposer,
    Respondent, Viewer,
};
use crate::growth::service::{READINESS_QUARTERS, person_worksheet, scale_points};
use crate::http::date_field;
use crate::http::text_field;
use crate::{AppError, AppState, Loaded};
use ladder_framework::Framework;
use ladder_growth::Quarter;
use ladder_growth::feedback::{self, ChangeKind, Question, Results};
use ladder_org::Date;
use ladder_store::{
    Cycle, CycleState, Id, NewAnswer, NewCycle, NewProposal, Person, Proposal, ProposalState,
    RoleChange,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A path segment with everything but letters and digits percent-encoded
/// (department names have spaces).
pub fn path_segment(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// What a cycle's creator sends.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct CyclePlan {
    pub name: String,
    pub nominations_open: String,
    pub nominations_close: String,
    pub feedback_open: String,
    pub feedback_close: String,
}

/// Checks a plan: a name, four dates, windows in order. The threshold and
/// peer bounds come from the framework's policy and stay with the cycle.
pub fn check_plan(p: &CyclePlan, fw: &Framework) -> Result<NewCycle, AppError> {
    let name = text_field("name", &p.name, true)?;
    let no = date_field("nominations_open", &p.nominations_open)?;
    let nc = date_field("nominations_close", &p.nominations_close)?;
    let fo = date_field("feedback_open", &p.feedback_open)?;
    let fc = date_field("feedback_close", &p.feedback_close)?;
    if nc < no {
        return Err(AppError::BadRequest(format!(
            "nominations_close: {nc} is before nominations_open ({no})"
        )));
    }
    if fo < nc {
        return Err(AppError::BadRequest(format!(
            "feedback_open: {fo} is before nominations close ({nc}); feedback opens after nominations"
        )));
    }
    if fc < fo {
        return Err(AppError::BadRequest(format!(
            "feedback_close: {fc} is before feedback_open ({fo})"
        )));
    }
    let f = &fw.config.policy.feedback;
    Ok(NewCycle {
        name,
        nominations_open: no.to_string(),
        nominations_close: nc.to_string(),
        feedback_open: fo.to_string(),
        feedback_close: fc.to_string(),
        anonymity_threshold: i64::from(f.anonymity_threshold),
        min_peers: i64::from(f.peers.min),
        max_peers: i64::from(f.peers.max),
    })
}

/// Checks nominated peers: known candidates, no repeats, within the
/// cycle's bounds.
pub fn check_peers(n: &Nominating<'_>, peers: &[Id]) -> Result<Vec<Id>, AppError> {
    let mut out: Vec<Id> = Vec::new();
    for id in peers {
        if !n.may_nominate(*id) {
            let who = n.name_of(*id).unwrap_or_else(|| format!("person {id}"));
            return Err(AppError::BadRequest(format!(
                "peers: {who} cannot be nominated as a peer (not an active colleague, or already asked as manager, report or self); remove them and choose someone else"
            )));
        }
        if !out.contains(id) {
            out.push(*id);
        }
    }
    let (min, max) = (n.cycle.plan.min_peers, n.cycle.plan.max_peers);
    let count = i64::try_from(out.len()).unwrap_or(i64::MAX);
    if count < min || count > max {
        return Err(AppError::BadRequest(format!(
            "peers: {count} chosen; choose between {min} and {max}"
        )));
    }
    Ok(out)
}

/// The questions about a person: from their current level's text.
pub fn questions_for(loaded: &Loaded, p: &Person) -> Result<Vec<Question>, AppError> {
    let ws = person_worksheet(loaded, p)?;
    Ok(feedback::questions(
        &ws,
        &loaded.framework.config.policy.feedback.open_questions,
    ))
}

/// One answer as sent: a scale value (or none: "can't say") and a
/// comment.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AnswerInput {
    pub question: String,
    #[serde(default)]
    pub value: Option<i64>,
    #[serde(default)]
    pub comment: String,
}

/// Checks answers against the questions and the scale; each gets a
/// random id.
pub fn check_answers(
    loaded: &Loaded,
    questions: &[Question],
    input: &[AnswerInput],
) -> Result<Vec<NewAnswer>, AppError> {
    let scale: Vec<i64> = scale_points(&loaded.framework)
        .iter()
        .map(|p| p.0)
        .collect();
    let mut out: Vec<NewAnswer> = Vec::new();
    for a in input {
        let Some(q) = questions.iter().find(|q| q.key == a.question) else {
            return Err(AppError::BadRequest(format!(
                "question `{}`: not a question of this form",
                a.question
            )));
        };
        if out.iter().any(|x| x.question == q.key) {
            return Err(AppError::BadRequest(format!(
                "question `{}`: answered twice",
                q.key
            )));
        }
        let field = format!("comment for {}", q.title);
        let comment = text_field(&field, &a.comment, false)?;
        if let Some(v) = a.value {
            if !q.rated {
                return Err(AppError::BadRequest(format!(
                    "{}: an open question takes text, not a rating",
                    q.title
                )));
            }
            if !scale.contains(&v) {
                let vals: Vec<String> = scale.iter().map(ToString::to_string).collect();
                return Err(AppError::BadRequest(format!(
                    "rating for {}: {v} is not on the scale; use one of {}, or leave it empty for \"can't say\"",
                    q.title,
                    vals.join(", ")
                )));
            }
        }
        if a.value.is_none() && comment.is_empty() {
            continue;
        }
        out.push(NewAnswer {
            id: crate::auth::random_token()?,
            question: q.key.clone(),
            value: a.value,
            comment,
        });
    }
    if out.is_empty() {
        return Err(AppError::BadRequest(
            "answers: nothing to send; rate or comment on at least one question".to_owned(),
        ));
    }
    Ok(out)
}

/// A person's results as a release froze them.
#[derive(Clone, Debug)]
pub struct Released {
    pub results: Results,
    /// When the release was made (not when anyone answered).
    pub released_at: i64,
}

/// A person's results as last released (`None` before their first
/// release), and completion when the viewer is one of their managers.
pub async fn results_of(
    r: &FeedbackResults<'_>,
) -> Result<(Option<Released>, Option<feedback::Completion>), AppError> {
    let read = r.read().await?;
    let released = match read.released {
        Some(s) => Some(Released {
            results: serde_json::from_str::<Results>(&s.results).map_err(|e| {
                AppError::Internal(format!(
                    "released results of person {} in cycle {}: {e}",
                    r.person.id, r.cycle.id
                ))
            })?,
            released_at: s.released_at,
        }),
        None => None,
    };
    Ok((released, read.completion))
}

/// When the person's current level began: the start of the latest run of
/// history entries at that level.
pub fn level_since(p: &Person, history: &[RoleChange]) -> Option<Date> {
    let mut since = None;
    for h in history.iter().rev() {
        if h.role.level != p.record.role.level || h.role.family != p.record.role.family {
            break;
        }
        since = h.effective.parse::<Date>().ok();
    }
    since.or(p.record.start_date)
}

/// What a manager sends to propose a level change.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ProposalInput {
    /// `promotion`, `lateral` or `other`.
    pub kind: String,
    pub to_level: String,
    #[serde(default)]
    pub to_specialty: Option<String>,
    /// The written case.
    pub case: String,
    /// Required when the proposal does not meet the policy.
    #[serde(default)]
    pub override_reason: String,
}

/// The readiness evidence frozen into a proposal.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct Evidence {
    /// Readiness for the next level: the policy holds now.
    pub ready: bool,
    /// Per quarter: (quarter, share of the next level demonstrated).
    pub readiness: Vec<(String, f64)>,
    /// Next-level statements the manager does not yet rate as
    /// demonstrated.
    pub missing: Vec<String>,
    /// Manager ratings of the current worksheet: (statement id, value).
    pub ratings: Vec<(String, i64)>,
    /// Checkpoint summaries: (quarter, focus area, summary).
    pub checkpoints: Vec<(String, String, String)>,
    /// The feedback of the cycle as the person sees it: (group, question,
    /// mean). Groups under the threshold are absent.
    pub feedback: Vec<(String, String, Option<f64>)>,
    /// Months at the current level when proposed.
    pub months_at_level: Option<u32>,
    /// Where the proposal falls short of the policy.
    pub gaps: Vec<String>,
}

/// Checks a proposal and gathers its evidence; `Err` names the field.
pub async fn prepare_proposal(
    s: &AppState,
    v: &Viewer,
    p: &Proposer<'_>,
    input: &ProposalInput,
    now: i64,
) -> Result<NewProposal, AppError> {
    let loaded = s.framework();
    let fw = &loaded.framework;
    let person = &p.person;
    let Some(cycle) = p.open_cycle().await? else {
        return Err(AppError::BadRequest(
            "no feedback cycle is in its feedback phase: a level changes only inside a 360 feedback cycle; ask the people team when the next one opens".to_owned(),
        ));
    };
    let kind = ChangeKind::parse(input.kind.trim()).ok_or_else(|| {
        AppError::BadRequest(format!(
            "kind: `{}` is not a kind of change; use promotion, lateral or other",
            input.kind
        ))
    })?;
    let role = &person.record.role;
    let family = fw.family(&role.family).ok_or_else(|| {
        AppError::BadRequest(format!(
            "{}'s family `{}` is not in the framework as loaded",
            person.record.name, role.family
        ))
    })?;
    let to_level = input.to_level.trim();
    let Some(fl) = family.levels.iter().find(|l| l.level == to_level) else {
        let have: Vec<&str> = family.levels.iter().map(|l| l.level.as_str()).collect();
        return Err(AppError::BadRequest(format!(
            "to_level: `{to_level}` is not a level of {}; use one of {}",
            family.title,
            have.join(", ")
        )));
    };
    let to_specialty = input
        .to_specialty
        .as_deref()
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_owned);
    if let Some(sp) = &to_specialty
        && !family.specialties.iter().any(|x| &x.id == sp)
    {
        return Err(AppError::BadRequest(format!(
            "to_specialty: `{sp}` is not a specialty of {}",
            family.title
        )));
    }
    let next = ladder_growth::worksheet::next_level(fw, &role.family, &role.level);
    match kind {
        ChangeKind::Promotion if next.as_deref() != Some(to_level) => {
            return Err(AppError::BadRequest(format!(
                "to_level: a promotion goes to the next level{}; for any other level choose kind `other`",
                next.map(|n| format!(" ({n})")).unwrap_or_default()
            )));
        }
        ChangeKind::Lateral
            if to_level != role.level || to_specialty.as_deref() == role.specialty.as_deref() =>
        {
            return Err(AppError::BadRequest(
                "to_specialty: a lateral change keeps the level and changes the specialty"
                    .to_owned(),
            ));
        }
        ChangeKind::Other if to_level == role.level => {
            return Err(AppError::BadRequest(
                "to_level: that is the current level; for a new specialty choose kind `lateral`"
                    .to_owned(),
            ));
        }
        _ => {}
    }
    let case_text = text_field("case", &input.case, true)?;
    let evidence = gather_evidence(s, v, person, &cycle, kind, now).await?;
    let override_reason = text_field("override_reason", &input.override_reason, false)?;
    let override_reason = if evidence.gaps.is_empty() {
        None
    } else if override_reason.is_empty() {
        return Err(AppError::BadRequest(format!(
            "override_reason: the proposal does not meet the policy ({}); write why it should go ahead anyway",
            evidence.gaps.join("; ")
        )));
    } else {
        Some(override_reason)
    };
    let to_grade = ladder_org::format_grade(fl.grade);
    let policy = &fw.config.policy.promotion;
    Ok(NewProposal {
        cycle_id: cycle.id,
        person_id: person.id,
        department: person.record.department.clone(),
        kind: kind.as_str().to_owned(),
        to_level: to_level.to_owned(),
        to_specialty: to_specialty.or_else(|| role.specialty.clone()),
        to_grade,
        case_text,
        evidence: serde_json::to_string(&evidence)
            .map_err(|e| AppError::Internal(e.to_string()))?,
        override_reason,
        chain: policy
            .approvals
            .iter()
            .map(|a| a.as_str().to_owned())
            .collect(),
        proposed_by: v.account.id,
    })
}

pub(crate) async fn gather_evidence(
    s: &AppState,
    v: &Viewer,
    person: &Person,
    cycle: &Cycle,
    kind: ChangeKind,
    now: i64,
) -> Result<Evidence, AppError> {
    let loaded = s.framework();
    let access = s.access();
    let g = access.growth(v, person.id, now).await?;
    let ws = person_worksheet(&loaded, person)?;
    let history = g.history().await?;
    let next_ids: Vec<&str> = if ws.next.is_some() {
        ws.next_ids()
    } else {
        Vec::new()
    };
    let r = ladder_growth::readiness(
        &next_ids,
        &history,
        &Quarter::at(now).trailing(READINESS_QUARTERS),
        loaded.framework.config.policy.readiness,
    );
    let ratings = g
        .ratings()
        .await?
        .into_iter()
        .filter(|x| x.rater == ladder_store::Rater::Manager)
        .map(|x| (x.statement_id, x.value))
        .collect();
    let mut checkpoints = Vec::new();
    for c in g.checkpoints().await?.into_iter().take(4) {
        for a in c.areas {
            checkpoints.push((
                c.quarter.clone(),
                a.title,
                a.summary.unwrap_or_else(|| "(not closed yet)".to_owned()),
            ));
        }
    }
    let results = access.feedback_results(v, cycle.id, person.id, now).await?;
    // The evidence holds the results as released (none before the first
    // release).
    let (fb, _) = results_of(&results).await?;
    let feedback = fb
        .iter()
        .flat_map(|r| r.results.groups.iter())
        .flat_map(|g| {
            g.questions
                .iter()
                .filter(|q| q.rated)
                .map(|q| (g.label.to_owned(), q.title.clone(), q.mean))
        })
        .collect();
    let private = access.private(v, person.id, now).await?;
    let months = level_since(person, private.history())
        .map(|d| feedback::months_between(d, Date::from_unix(now)));
    let gaps = feedback::policy_gaps(
        &loaded.framework.config.policy.promotion,
        kind,
        r.ready,
        months,
    );
    Ok(Evidence {
        ready: r.ready,
        readiness: r
            .quarters
            .iter()
            .map(|q| (q.quarter.to_string(), q.share))
            .collect(),
        missing: r.missing,
        ratings,
        checkpoints,
        feedback,
        months_at_level: months,
        gaps,
    })
}

/// A department's calibration: proposals, readiness per person, and the
/// manager-rating distribution per level.
#[derive(Debug, Serialize)]
pub struct CalibrationData {
    pub cycle_id: Id,
    pub department: String,
    pub locked: bool,
    pub proposals: Vec<ProposalSummary>,
    /// (person id, name, level, ready, latest share).
    pub readiness: Vec<(Id, String, String, bool, f64)>,
    /// Per level: (level, [(scale value, count)]).
    pub distribution: Vec<(String, Vec<(i64, usize)>)>,
    /// Everyone in the department, placed for the 9-box.
    pub placements: Vec<Placement>,
    /// Per level (in the framework's order): how many people.
    pub people_per_level: Vec<(String, usize)>,
}

/// A person on the 9-box: manager-rated performance (the average manager
/// rating of their current level's statements, as a share of the scale:
/// 0 at its lowest value, 1 at its highest) against readiness (the share
/// of the next level's competencies their manager rates as demonstrated
/// this quarter). `None` where there is no data: no manager rating yet,
/// or no next level.
#[derive(Clone, Debug, Serialize)]
pub struct Placement {
    pub id: Id,
    pub name: String,
    pub level: String,
    pub performance: Option<f64>,
    pub readiness: Option<f64>,
    /// How many of their current statements the manager has rated.
    pub rated: usize,
    /// At the top of their ladder: no next level, so no readiness.
    pub top: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ProposalSummary {
    pub id: Id,
    pub person_id: Id,
    pub name: String,
    pub kind: String,
    pub from_level: String,
    pub to_level: String,
    pub state: String,
    /// The chain's next step, while pending.
    pub waiting_for: Option<String>,
    pub policy_overridden: bool,
}

/// A proposal in a list: who, what, where it stands.
pub(crate) fn summary(p: &Proposal, name: &str) -> ProposalSummary {
    ProposalSummary {
        id: p.id,
        person_id: p.new.person_id,
        name: name.to_owned(),
        kind: p.new.kind.clone(),
        from_level: p.from_level.clone(),
        to_level: p.new.to_level.clone(),
        state: p.state.as_str().to_owned(),
        waiting_for: p.waiting_for().map(str::to_owned),
        policy_overridden: p.new.override_reason.is_some(),
    }
}

/// A department's calibration, with the key and version it is kept under
/// (the cycle, quarter and department, and the latest recorded write: a
/// rating, a proposal, a lock, a change of people). Views made from it
/// are kept under the same.
#[derive(Debug)]
pub struct KeptCalibration {
    pub data: std::sync::Arc<CalibrationData>,
    pub key: String,
    pub version: i64,
}

/// A department's calibration in a cycle, computed once per quarter and
/// recorded write, for any viewer the caller let in (the page and the API
/// share it).
pub async fn calibration_data(
    loaded: &Loaded,
    c: &Calibration<'_>,
    now: i64,
) -> Result<KeptCalibration, AppError> {
    let key = format!("{}:{}:{}", c.cycle.id, Quarter::at(now), c.department);
    let version = c.version().await?;
    let data = loaded
        .view(
            "calibration",
            &key,
            version,
            compute_calibration(loaded, c, now),
        )
        .await?;
    Ok(KeptCalibration { data, key, version })
}

async fn compute_calibration(
    loaded: &Loaded,
    c: &Calibration<'_>,
    now: i64,
) -> Result<CalibrationData, AppError> {
    let names: std::collections::HashMap<Id, &str> =
        c.people().map(|p| (p.id, p.record.name.as_str())).collect();
    let name = |id: Id| {
        names
            .get(&id)
            .map_or_else(|| format!("person {id}"), |n| (*n).to_owned())
    };
    let proposals = c
        .proposals()
        .await?
        .iter()
        .map(|p| summary(p, &name(p.new.person_id)))
        .collect();
    let history = c.history().await?;
    let mut by_person: BTreeMap<Id, Vec<ladder_store::RatingChange>> = BTreeMap::new();
    for h in history {
        by_person.entry(h.person_id).or_default().push(h);
    }
    let quarters = Quarter::at(now).trailing(READINESS_QUARTERS);
    let ratings = c.ratings().await?;
    let values: Vec<i64> = loaded
        .framework
        .config
        .rating_scale
        .iter()
        .map(|p| i64::from(p.value))
        .collect();
    let (lo, hi) = (
        values.iter().copied().min().unwrap_or(0),
        values.iter().copied().max().unwrap_or(1),
    );
    // Each person's ratings, found in one pass (a department can hold
    // thousands of people).
    let mut ratings_of: std::collections::HashMap<Id, Vec<&ladder_store::Rating>> =
        std::collections::HashMap::new();
    for r in &ratings {
        ratings_of.entry(r.person_id).or_default().push(r);
    }
    let mut readiness = Vec::new();
    let mut placements = Vec::new();
    for p in c.people() {
        let Ok(ws) = person_worksheet(loaded, p) else {
            continue;
        };
        let current: Vec<i64> = ratings_of
            .get(&p.id)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter(|r| {
                r.rater == ladder_store::Rater::Manager
                    && ws
                        .rows
                        .iter()
                        .any(|w| w.id == r.statement_id && !w.new_at_next)
            })
            .map(|r| r.value)
            .collect();
        #[allow(clippy::cast_precision_loss)]
        let performance = (!current.is_empty() && hi > lo).then(|| {
            let mean = current.iter().sum::<i64>() as f64 / current.len() as f64;
            ((mean - lo as f64) / (hi - lo) as f64).clamp(0.0, 1.0)
        });
        let mut placement = Placement {
            id: p.id,
            name: p.record.name.clone(),
            level: p.record.role.level.clone(),
            performance,
            readiness: None,
            rated: current.len(),
            top: ws.next.is_none(),
        };
        if ws.next.is_none() {
            placements.push(placement);
            continue;
        }
        // The share and the signal alone: a department can hold thousands.
        let r = ladder_growth::progress(
            &ws.next_ids(),
            by_person.get(&p.id).map_or(&[][..], Vec::as_slice),
            &quarters,
            loaded.framework.config.policy.readiness,
        );
        let share = r.quarters.last().map_or(0.0, |q| q.share);
        let has_data = by_person
            .get(&p.id)
            .is_some_and(|h| h.iter().any(|x| x.rater == ladder_store::Rater::Manager));
        placement.readiness = has_data.then_some(share);
        placements.push(placement);
        readiness.push((
            p.id,
            p.record.name.clone(),
            p.record.role.level.clone(),
            r.ready,
            share,
        ));
    }
    let level_of: BTreeMap<Id, &str> = c
        .people()
        .map(|p| (p.id, p.record.role.level.as_str()))
        .collect();
    let mut dist: BTreeMap<String, BTreeMap<i64, usize>> = BTreeMap::new();
    for r in ratings {
        if r.rater != ladder_store::Rater::Manager {
            continue;
        }
        if let Some(level) = level_of.get(&r.person_id) {
            *dist
                .entry((*level).to_owned())
                .or_default()
                .entry(r.value)
                .or_default() += 1;
        }
    }
    // Levels in the framework's order.
    let order: Vec<&str> = loaded
        .framework
        .config
        .levels
        .iter()
        .map(|l| l.id.as_str())
        .collect();
    let mut distribution: Vec<(String, Vec<(i64, usize)>)> = dist
        .into_iter()
        .map(|(l, m)| (l, m.into_iter().collect()))
        .collect();
    distribution.sort_by_key(|(l, _)| order.iter().position(|o| o == l).unwrap_or(usize::MAX));
    let mut per_level: BTreeMap<&str, usize> = BTreeMap::new();
    for p in c.people() {
        *per_level.entry(p.record.role.level.as_str()).or_default() += 1;
    }
    let people_per_level = order
        .iter()
        .filter_map(|l| per_level.get(l).map(|n| ((*l).to_owned(), *n)))
        .collect();
    Ok(CalibrationData {
        cycle_id: c.cycle.id,
        department: c.department.clone(),
        locked: c.lock().await?.is_some(),
        proposals,
        readiness,
        distribution,
        placements,
        people_per_level,
    })
}

pub fn distribution_svg(loaded: &Loaded, d: &CalibrationData) -> Result<String, AppError> {
    let fw = &loaded.framework;
    let rows: Vec<(String, Vec<(i64, usize)>)> = d
        .distribution
        .iter()
        .map(|(l, v)| (crate::http::page::level_title(fw, l).to_owned(), v.clone()))
        .collect();
    let scale = scale_points(fw);
    ladder_growth::charts::distribution(
        "distribution",
        &format!("{}: manager ratings per level", d.department),
        "Count of manager ratings per scale value",
        true,
        &rows,
        &scale,
    )
    .map_err(AppError::Internal)
}

/// The state the sender saw must still be the cycle's: a second click
/// does not move it twice.
pub fn check_from(cycle: &Cycle, from: &str) -> Result<(), AppError> {
    if from != cycle.state.as_str() {
        return Err(AppError::BadRequest(format!(
            "from: the cycle is in {}, not `{from}`; reload and try again",
            cycle.state.as_str()
        )));
    }
    Ok(())
}

// ---- The writes: each checks its input, then writes through its capability

/// Creates a cycle from a plan, checked against the framework's policy.
pub async fn create_cycle(
    admin: &CycleAdmin<'_>,
    fw: &Framework,
    plan: &CyclePlan,
    now: i64,
) -> Result<Id, AppError> {
    let checked = check_plan(plan, fw)?;
    admin.create(&checked, now).await
}

/// Moves a cycle on from `from`, the state the caller saw it in.
/// Closing releases the results one last time, in the same transaction.
pub async fn advance(
    admin: &CycleAdmin<'_>,
    loaded: &Loaded,
    cycle: &Cycle,
    from: &str,
    reason: &str,
    now: i64,
) -> Result<CycleState, AppError> {
    check_from(cycle, from)?;
    let early = match scheduled_move(cycle) {
        Some(on) if Date::from_unix(now) < on => {
            let reason = reason.trim();
            if reason.is_empty() {
                return Err(AppError::BadRequest(format!(
                    "reason: the cycle moves to {} by itself on {on}; to move it now, \
                     say why (the reason is recorded and announced)",
                    cycle.state.next().map_or("closed", |s| s.as_str())
                )));
            }
            Some(reason)
        }
        _ => None,
    };
    let inputs = match cycle.state {
        CycleState::Feedback => Some(admin.release_inputs(cycle).await?),
        _ => None,
    };
    let release = super::release::closing(loaded, cycle, inputs.as_ref())?;
    admin.advance(cycle, early, release.as_ref(), now).await
}

/// The day a cycle moves on from its state by itself: nominations open on
/// their first day, feedback on its first day, and the cycle closes the
/// day after feedback closes. `None` once closed (or if a date does not
/// read, which the checks on creation rule out).
pub fn scheduled_move(cycle: &Cycle) -> Option<Date> {
    let day = |s: &str| s.parse::<Date>().ok();
    match cycle.state {
        CycleState::Draft => day(&cycle.plan.nominations_open),
        CycleState::Nominations => day(&cycle.plan.feedback_open),
        CycleState::Feedback => day(&cycle.plan.feedback_close).map(|d| d.add_days(1)),
        CycleState::Closed => None,
    }
}

/// Saves (or, for the manager, approves) a person's nominated peers.
pub async fn save_nominations(n: &Nominating<'_>, peers: &[Id], now: i64) -> Result<(), AppError> {
    let checked = check_peers(n, peers)?;
    n.save(&checked, now).await
}

/// Stores a respondent's answers, checked against the questions drawn
/// from the person's level text and the rating scale.
pub async fn answer(
    r: &Respondent<'_>,
    loaded: &Loaded,
    answers: &[AnswerInput],
    now: i64,
) -> Result<(), AppError> {
    let questions = questions_for(loaded, &r.person)?;
    let checked = check_answers(loaded, &questions, answers)?;
    r.submit(&checked, now).await
}

/// Proposes a level change with its frozen evidence, checked against the
/// policy (or overridden with a reason).
pub async fn propose(
    s: &AppState,
    v: &Viewer,
    p: &Proposer<'_>,
    input: &ProposalInput,
    now: i64,
) -> Result<Id, AppError> {
    let made = prepare_proposal(s, v, p, input, now).await?;
    p.propose(&made, now).await
}

/// Records the viewer's decision at the proposal's next step, with a
/// comment; the last approval changes the level from today.
pub async fn decide(
    view: &ProposalView<'_>,
    approved: bool,
    comment: &str,
    now: i64,
) -> Result<ProposalState, AppError> {
    if view.may_decide().is_none() {
        return Err(AppError::Forbidden);
    }
    let comment = text_field("comment", comment, true)?;
    let effective = Date::from_unix(now).to_string();
    view.decide(approved, &comment, &effective, now).await
}

/// Locks a department's calibration for a cycle: no more proposals.
pub async fn lock_calibration(
    access: &Access,
    v: &Viewer,
    admin: &CycleAdmin<'_>,
    cycle: Id,
    department: &str,
    now: i64,
) -> Result<(), AppError> {
    access.calibration(v, cycle, department, now).await?;
    admin.lock(cycle, department, now).await
}
