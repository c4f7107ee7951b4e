//! 360 feedback cycles, level changes and calibration on the server: the
//! rules the web pages and the API share (checking a cycle's plan, a
//! nomination list, answers, a proposal against the policy; putting
//! results, evidence and a calibration together), then the web pages.
//!
//! Access is decided in [`crate::access`]; this module only receives
//! capabilities. Results reach pages and responses only through
//! [`ladder_growth::feedback::results`], which applies the anonymity rules.

use crate::access::{
    Calibration, FeedbackResults, Nominating, ProposalView, Proposer, Respondent, Viewer,
};
use crate::growth::{Fields, READINESS_QUARTERS, person_worksheet, scale_points, text_field};
use crate::web::{Chrome, page, role_title};
use crate::{AppError, AppState, Loaded};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use ladder_framework::Framework;
use ladder_growth::Quarter;
use ladder_growth::feedback::{self, ChangeKind, Question, Results};
use ladder_org::Date;
use ladder_store::{
    Cycle, CycleState, Id, NewAnswer, NewCycle, NewProposal, Person, Proposal, ProposalStep,
    RoleChange,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

// ---- Shared rules

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

/// A date form field, or an error naming the field.
pub(crate) fn date_field(name: &str, value: &str) -> Result<Date, AppError> {
    value.trim().parse().map_err(|e: String| {
        AppError::BadRequest(format!(
            "{name}: `{}` is not a date ({e}); write it as YYYY-MM-DD",
            value.trim()
        ))
    })
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
    let candidates = n.candidates();
    let mut out: Vec<Id> = Vec::new();
    for id in peers {
        if !candidates.iter().any(|c| c.id == *id) {
            return Err(AppError::BadRequest(format!(
                "peers: person {id} cannot be nominated as a peer (not an active colleague, or already asked as manager, report or self)"
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
            "peers: {count} nominated; choose between {min} and {max}"
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

/// What may be shown of a person's feedback in a cycle, and completion
/// when the viewer is one of their managers.
pub async fn results_of(
    loaded: &Loaded,
    r: &FeedbackResults<'_>,
) -> Result<(Results, Option<feedback::Completion>), AppError> {
    let questions = questions_for(loaded, &r.person).unwrap_or_default();
    let read = r.read().await?;
    Ok((
        feedback::results(
            &questions,
            &read.answers,
            &read.answered,
            usize::try_from(r.cycle.plan.anonymity_threshold).unwrap_or(3),
            r.person.id,
        ),
        read.completion,
    ))
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

async fn gather_evidence(
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
    let (fb, _) = results_of(&loaded, &results).await?;
    let feedback = fb
        .groups
        .iter()
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

pub async fn calibration_data(
    loaded: &Loaded,
    c: &Calibration<'_>,
    now: i64,
) -> Result<CalibrationData, AppError> {
    let name = |id: Id| {
        c.people
            .iter()
            .find(|p| p.id == id)
            .map_or_else(|| format!("person {id}"), |p| p.record.name.clone())
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
    let mut readiness = Vec::new();
    for p in &c.people {
        let Ok(ws) = person_worksheet(loaded, p) else {
            continue;
        };
        if ws.next.is_none() {
            continue;
        }
        let r = ladder_growth::readiness(
            &ws.next_ids(),
            by_person.get(&p.id).map_or(&[][..], Vec::as_slice),
            &quarters,
            loaded.framework.config.policy.readiness,
        );
        let share = r.quarters.last().map_or(0.0, |q| q.share);
        readiness.push((
            p.id,
            p.record.name.clone(),
            p.record.role.level.clone(),
            r.ready,
            share,
        ));
    }
    let level_of: BTreeMap<Id, &str> = c
        .people
        .iter()
        .map(|p| (p.id, p.record.role.level.as_str()))
        .collect();
    let mut dist: BTreeMap<String, BTreeMap<i64, usize>> = BTreeMap::new();
    for r in c.ratings().await? {
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
    Ok(CalibrationData {
        cycle_id: c.cycle.id,
        department: c.department.clone(),
        locked: c.lock().await?.is_some(),
        proposals,
        readiness,
        distribution,
    })
}

pub fn distribution_svg(loaded: &Loaded, d: &CalibrationData) -> Result<String, AppError> {
    let fw = &loaded.framework;
    let rows: Vec<(String, Vec<(i64, usize)>)> = d
        .distribution
        .iter()
        .map(|(l, v)| {
            let title = fw
                .config
                .levels
                .iter()
                .find(|x| &x.id == l)
                .map_or_else(|| l.clone(), |x| x.title.clone());
            (title, v.clone())
        })
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

// ---- Web pages

#[derive(Template)]
#[template(path = "cycles.html")]
struct CyclesPage {
    chrome: Chrome,
    cycles: Vec<Cycle>,
    can_create: bool,
    error: Option<String>,
}

pub async fn cycles(State(s): State<AppState>, v: Viewer) -> Result<Response, AppError> {
    cycles_page(&s, &v, None).await
}

async fn cycles_page(
    s: &AppState,
    v: &Viewer,
    error: Option<String>,
) -> Result<Response, AppError> {
    let access = s.access();
    page(&CyclesPage {
        chrome: Chrome::new("360 feedback", Some(v)),
        cycles: access.cycles(v).await?,
        can_create: access.cycle_admin(v).is_ok(),
        error,
    })
}

pub async fn create_cycle(
    State(s): State<AppState>,
    v: Viewer,
    body: Bytes,
) -> Result<Response, AppError> {
    let now = s.now();
    let access = s.access();
    let admin = access.cycle_admin(&v)?;
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    let plan = CyclePlan {
        name: f.get("name").to_owned(),
        nominations_open: f.get("nominations_open").to_owned(),
        nominations_close: f.get("nominations_close").to_owned(),
        feedback_open: f.get("feedback_open").to_owned(),
        feedback_close: f.get("feedback_close").to_owned(),
    };
    let checked = match check_plan(&plan, &s.framework().framework) {
        Ok(c) => c,
        Err(AppError::BadRequest(e)) => return cycles_page(&s, &v, Some(e)).await,
        Err(e) => return Err(e),
    };
    let id = admin.create(&checked, now).await?;
    Ok(Redirect::to(&format!("/cycles/{id}")).into_response())
}

/// A person with a link target, for lists.
struct Named {
    id: Id,
    name: String,
}

#[derive(Template)]
#[template(path = "cycle.html")]
struct CyclePage {
    chrome: Chrome,
    cycle: Cycle,
    me: Option<Id>,
    /// (person, answered) the viewer was asked about.
    requests: Vec<(Named, bool)>,
    /// Direct reports whose lists the viewer approves: (person, state).
    approvals: Vec<(Named, String)>,
    /// The viewer's chain: (person, asked, answered).
    chain: Vec<(Named, usize, usize)>,
    admin: bool,
    steps: Vec<(String, String)>,
    org: Vec<(Named, usize, usize)>,
    departments: Vec<(String, String)>,
    next: Option<String>,
    error: Option<String>,
}

pub async fn cycle(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
) -> Result<Response, AppError> {
    cycle_page(&s, &v, id, None).await
}

async fn cycle_page(
    s: &AppState,
    v: &Viewer,
    id: Id,
    error: Option<String>,
) -> Result<Response, AppError> {
    let access = s.access();
    let cycle = access.cycle(v, id).await?;
    let named = |p: &Person| Named {
        id: p.id,
        name: p.record.name.clone(),
    };
    let requests = access
        .my_requests(v, id)
        .await?
        .iter()
        .map(|(p, n)| (named(p), n.answered_on.is_some()))
        .collect();
    let approvals = access
        .report_lists(v, id)
        .await?
        .iter()
        .map(|(p, list)| {
            let state = match list {
                None => "not sent yet",
                Some(l) if l.approved_at.is_some() => "approved",
                Some(_) => "waiting for your approval",
            };
            (named(p), state.to_owned())
        })
        .collect();
    let chain = access
        .chain_completion(v, id)
        .await?
        .iter()
        .map(|(p, a, b)| (named(p), *a, *b))
        .collect();
    let (admin, steps, org) = match access.cycle_admin(v) {
        Ok(a) => (
            true,
            a.steps(id)
                .await?
                .into_iter()
                .map(|t| {
                    (
                        t.state.as_str().to_owned(),
                        Date::from_unix(t.at).to_string(),
                    )
                })
                .collect(),
            a.completion(id)
                .await?
                .iter()
                .map(|(p, x, y)| (named(p), *x, *y))
                .collect(),
        ),
        Err(_) => (false, Vec::new(), Vec::new()),
    };
    let departments = access
        .calibratable(v)
        .await?
        .into_iter()
        .map(|d| (path_segment(&d), d))
        .collect();
    page(&CyclePage {
        chrome: Chrome::new(&cycle.plan.name, Some(v)),
        next: cycle.state.next().map(|n| n.as_str().to_owned()),
        me: v.person_id(),
        cycle,
        requests,
        approvals,
        chain,
        admin,
        steps,
        org,
        departments,
        error,
    })
}

pub async fn advance(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    body: Bytes,
) -> Result<Response, AppError> {
    let now = s.now();
    let access = s.access();
    let admin = access.cycle_admin(&v)?;
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    let cycle = access.cycle(&v, id).await?;
    if let Err(e) = check_from(&cycle, f.get("from")) {
        return cycle_page(&s, &v, id, Some(e.to_string())).await;
    }
    match admin.advance(&cycle, now).await {
        Ok(_) => Ok(Redirect::to(&format!("/cycles/{id}")).into_response()),
        Err(AppError::BadRequest(e)) => cycle_page(&s, &v, id, Some(e)).await,
        Err(e) => Err(e),
    }
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

#[derive(Template)]
#[template(path = "reminders.html")]
struct RemindersPage {
    chrome: Chrome,
    cycle: Cycle,
    owed: Vec<(Named, String, usize)>,
}

pub async fn reminders(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
) -> Result<Response, AppError> {
    let access = s.access();
    let admin = access.cycle_admin(&v)?;
    let cycle = access.cycle(&v, id).await?;
    let owed = admin
        .reminders(id)
        .await?
        .into_iter()
        .map(|(p, n)| {
            (
                Named {
                    id: p.id,
                    name: p.record.name.clone(),
                },
                p.record.email,
                n,
            )
        })
        .collect();
    page(&RemindersPage {
        chrome: Chrome::new("Who still owes feedback", Some(&v)),
        cycle,
        owed,
    })
}

#[derive(Template)]
#[template(path = "nominations.html")]
struct NominationsPage {
    chrome: Chrome,
    cycle: Cycle,
    person: Named,
    as_manager: bool,
    open: bool,
    approved: bool,
    /// (name, relation) asked automatically.
    auto: Vec<(String, String)>,
    /// (id, name, chosen)
    candidates: Vec<(Id, String, bool)>,
    error: Option<String>,
}

pub async fn nominations(
    State(s): State<AppState>,
    v: Viewer,
    Path((cycle, person)): Path<(Id, Id)>,
) -> Result<Response, AppError> {
    let access = s.access();
    let n = access.nominating(&v, cycle, person).await?;
    nominations_page(&v, &n, None, None).await
}

async fn nominations_page(
    v: &Viewer,
    n: &Nominating<'_>,
    chosen: Option<&[Id]>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let (list, saved) = n.list().await?;
    let picked: Vec<Id> = chosen.map_or_else(
        || {
            list.iter()
                .filter(|x| x.relation == ladder_store::FeedbackRelation::Peer)
                .map(|x| x.respondent_id)
                .collect()
        },
        <[Id]>::to_vec,
    );
    let auto = n.automatic();
    page(&NominationsPage {
        chrome: Chrome::new("Nominations", Some(v)),
        open: n.cycle.state == CycleState::Nominations,
        approved: saved.is_some_and(|l| l.approved_at.is_some()),
        person: Named {
            id: n.person.id,
            name: n.person.record.name.clone(),
        },
        as_manager: n.as_manager,
        auto,
        candidates: n
            .candidates()
            .into_iter()
            .map(|p| (p.id, p.record.name.clone(), picked.contains(&p.id)))
            .collect(),
        cycle: n.cycle.clone(),
        error,
    })
}

fn ids_field(name: &str, values: &[&str]) -> Result<Vec<Id>, AppError> {
    values
        .iter()
        .map(|x| {
            x.trim()
                .parse::<Id>()
                .map_err(|_| AppError::BadRequest(format!("{name}: `{x}` is not a person id")))
        })
        .collect()
}

pub async fn save_nominations(
    State(s): State<AppState>,
    v: Viewer,
    Path((cycle, person)): Path<(Id, Id)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let now = s.now();
    let access = s.access();
    let n = access.nominating(&v, cycle, person).await?;
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    let peers = ids_field("peers", &f.all("peer"))?;
    let checked = match check_peers(&n, &peers) {
        Ok(c) => c,
        Err(AppError::BadRequest(e)) => {
            return nominations_page(&v, &n, Some(&peers), Some(e)).await;
        }
        Err(e) => return Err(e),
    };
    match n.save(&checked, now).await {
        Ok(()) => Ok(Redirect::to(&format!("/cycles/{cycle}")).into_response()),
        Err(AppError::BadRequest(e)) => nominations_page(&v, &n, Some(&peers), Some(e)).await,
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "answer.html")]
struct AnswerPage {
    chrome: Chrome,
    cycle: Cycle,
    person: Named,
    relation: String,
    questions: Vec<Question>,
    scale: Vec<(i64, String)>,
    answered: bool,
    open: bool,
    error: Option<String>,
}

pub async fn answer_form(
    State(s): State<AppState>,
    v: Viewer,
    Path((cycle, person)): Path<(Id, Id)>,
) -> Result<Response, AppError> {
    let access = s.access();
    let r = access.respondent(&v, cycle, person).await?;
    answer_page(&s, &v, &r, None)
}

fn answer_page(
    s: &AppState,
    v: &Viewer,
    r: &Respondent<'_>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let loaded = s.framework();
    page(&AnswerPage {
        chrome: Chrome::new("Give feedback", Some(v)),
        cycle: r.cycle.clone(),
        person: Named {
            id: r.person.id,
            name: r.person.record.name.clone(),
        },
        relation: r.nomination.relation.as_str().to_owned(),
        questions: questions_for(&loaded, &r.person)?,
        scale: scale_points(&loaded.framework),
        answered: r.nomination.answered_on.is_some(),
        open: r.cycle.state == CycleState::Feedback,
        error,
    })
}

pub async fn answer(
    State(s): State<AppState>,
    v: Viewer,
    Path((cycle, person)): Path<(Id, Id)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let now = s.now();
    let access = s.access();
    let r = access.respondent(&v, cycle, person).await?;
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    let loaded = s.framework();
    let questions = questions_for(&loaded, &r.person)?;
    let mut input = Vec::new();
    for q in &questions {
        let raw = f.get(&format!("value-{}", q.key)).trim();
        let value = if raw.is_empty() {
            None
        } else {
            match raw.parse::<i64>() {
                Ok(x) => Some(x),
                Err(_) => {
                    return answer_page(
                        &s,
                        &v,
                        &r,
                        Some(format!("rating for {}: `{raw}` is not a number", q.title)),
                    );
                }
            }
        };
        input.push(AnswerInput {
            question: q.key.clone(),
            value,
            comment: f.get(&format!("comment-{}", q.key)).to_owned(),
        });
    }
    let checked = match check_answers(&loaded, &questions, &input) {
        Ok(c) => c,
        Err(AppError::BadRequest(e)) => return answer_page(&s, &v, &r, Some(e)),
        Err(e) => return Err(e),
    };
    match r.submit(&checked, now).await {
        Ok(()) => Ok(Redirect::to(&format!("/cycles/{cycle}")).into_response()),
        Err(AppError::BadRequest(e)) => answer_page(&s, &v, &r, Some(e)),
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "results.html")]
struct ResultsPage {
    chrome: Chrome,
    cycle: Cycle,
    person: Named,
    results: Results,
    completion: Option<(usize, usize)>,
    can_propose: bool,
}

pub async fn results(
    State(s): State<AppState>,
    v: Viewer,
    Path((cycle, person)): Path<(Id, Id)>,
) -> Result<Response, AppError> {
    let now = s.now();
    let access = s.access();
    let r = access.feedback_results(&v, cycle, person, now).await?;
    let loaded = s.framework();
    let (results, completion) = results_of(&loaded, &r).await?;
    let completion = completion.map(|c| (c.asked, c.answered));
    page(&ResultsPage {
        chrome: Chrome::new("Feedback results", Some(&v)),
        can_propose: r.cycle.state == CycleState::Feedback
            && access.proposer(&v, person).await.is_ok(),
        person: Named {
            id: r.person.id,
            name: r.person.record.name.clone(),
        },
        cycle: r.cycle,
        results,
        completion,
    })
}

#[derive(Template)]
#[template(path = "propose.html")]
struct ProposePage {
    chrome: Chrome,
    person: Named,
    role: String,
    cycle: Option<Cycle>,
    /// (id, title) of the family's levels.
    levels: Vec<(String, String)>,
    specialties: Vec<(String, String)>,
    next: Option<String>,
    input: ProposalInput,
    error: Option<String>,
    earlier: Vec<ProposalSummary>,
}

pub async fn propose_form(
    State(s): State<AppState>,
    v: Viewer,
    Path(person): Path<Id>,
) -> Result<Response, AppError> {
    let access = s.access();
    let p = access.proposer(&v, person).await?;
    propose_page(&s, &v, &p, ProposalInput::default(), None).await
}

async fn propose_page(
    s: &AppState,
    v: &Viewer,
    p: &Proposer<'_>,
    mut input: ProposalInput,
    error: Option<String>,
) -> Result<Response, AppError> {
    let loaded = s.framework();
    let fw = &loaded.framework;
    let role = &p.person.record.role;
    let family = fw.family(&role.family);
    let title = |l: &str| {
        fw.config
            .levels
            .iter()
            .find(|x| x.id == l)
            .map_or_else(|| l.to_owned(), |x| x.title.clone())
    };
    let next = ladder_growth::worksheet::next_level(fw, &role.family, &role.level);
    if input.kind.is_empty() {
        input.kind = "promotion".to_owned();
        input.to_level = next.clone().unwrap_or_default();
    }
    page(&ProposePage {
        chrome: Chrome::new("Propose a level change", Some(v)),
        person: Named {
            id: p.person.id,
            name: p.person.record.name.clone(),
        },
        role: role_title(fw, &role.family, &role.level, role.specialty.as_deref()),
        cycle: p.open_cycle().await?,
        levels: family
            .map(|f| {
                f.levels
                    .iter()
                    .map(|l| (l.level.clone(), title(&l.level)))
                    .collect()
            })
            .unwrap_or_default(),
        specialties: family
            .map(|f| {
                f.specialties
                    .iter()
                    .map(|x| (x.id.clone(), x.title.clone()))
                    .collect()
            })
            .unwrap_or_default(),
        next,
        input,
        error,
        earlier: p
            .proposals()
            .await?
            .iter()
            .map(|x| summary(x, &p.person.record.name))
            .collect(),
    })
}

pub async fn propose(
    State(s): State<AppState>,
    v: Viewer,
    Path(person): Path<Id>,
    body: Bytes,
) -> Result<Response, AppError> {
    let now = s.now();
    let access = s.access();
    let p = access.proposer(&v, person).await?;
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    let input = ProposalInput {
        kind: f.get("kind").to_owned(),
        to_level: f.get("to_level").to_owned(),
        to_specialty: Some(f.get("to_specialty").to_owned()),
        case: f.get("case").to_owned(),
        override_reason: f.get("override_reason").to_owned(),
    };
    let made = match prepare_proposal(&s, &v, &p, &input, now).await {
        Ok(m) => p.propose(&m, now).await,
        Err(e) => Err(e),
    };
    match made {
        Ok(id) => Ok(Redirect::to(&format!("/proposals/{id}")).into_response()),
        Err(AppError::BadRequest(e) | AppError::Conflict(e)) => {
            propose_page(&s, &v, &p, input, Some(e)).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "proposal.html")]
struct ProposalPage {
    chrome: Chrome,
    p: Proposal,
    name: String,
    from: String,
    to: String,
    evidence: Evidence,
    steps: Vec<ProposalStep>,
    decide: Option<String>,
    locked: bool,
    new_band: Option<crate::pay::NewBand>,
    error: Option<String>,
}

pub async fn proposal(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
) -> Result<Response, AppError> {
    let now = s.now();
    let view = s.access().proposal(&v, id, now).await?;
    proposal_page(&s, &v, &view, None).await
}

async fn proposal_page(
    s: &AppState,
    v: &Viewer,
    view: &ProposalView<'_>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let loaded = s.framework();
    let fw = &loaded.framework;
    let p = &view.proposal;
    page(&ProposalPage {
        chrome: Chrome::new("Level change proposal", Some(v)),
        name: view.person.record.name.clone(),
        from: role_title(
            fw,
            &p.from_family,
            &p.from_level,
            p.from_specialty.as_deref(),
        ),
        to: role_title(
            fw,
            &p.from_family,
            &p.new.to_level,
            p.new.to_specialty.as_deref(),
        ),
        evidence: serde_json::from_str(&p.new.evidence).unwrap_or_default(),
        steps: view.steps().await?,
        decide: view.may_decide().map(|a| a.as_str().to_owned()),
        locked: view.locked().await?,
        new_band: crate::pay::proposal_band(s, v, p.new.person_id, &p.new.to_grade).await?,
        p: p.clone(),
        error,
    })
}

pub async fn decide(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    body: Bytes,
) -> Result<Response, AppError> {
    let now = s.now();
    let view = s.access().proposal(&v, id, now).await?;
    if view.may_decide().is_none() {
        return Err(AppError::Forbidden);
    }
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    let approved = match f.get("decision") {
        "approve" => true,
        "reject" => false,
        other => {
            let e = format!("decision: `{other}` is neither approve nor reject");
            return proposal_page(&s, &v, &view, Some(e)).await;
        }
    };
    let comment = match text_field("comment", f.get("comment"), true) {
        Ok(c) => c,
        Err(AppError::BadRequest(e)) => return proposal_page(&s, &v, &view, Some(e)).await,
        Err(e) => return Err(e),
    };
    let effective = Date::from_unix(now).to_string();
    match view.decide(approved, &comment, &effective, now).await {
        Ok(_) => Ok(Redirect::to(&format!("/proposals/{id}")).into_response()),
        Err(AppError::BadRequest(e)) => proposal_page(&s, &v, &view, Some(e)).await,
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "calibration.html")]
struct CalibrationPage {
    chrome: Chrome,
    cycle: Cycle,
    data: CalibrationData,
    chart: String,
    can_lock: bool,
    segment: String,
}

pub async fn calibration(
    State(s): State<AppState>,
    v: Viewer,
    Path((cycle, department)): Path<(Id, String)>,
) -> Result<Response, AppError> {
    let now = s.now();
    let access = s.access();
    let c = access.calibration(&v, cycle, &department, now).await?;
    let loaded = s.framework();
    let data = calibration_data(&loaded, &c, now).await?;
    page(&CalibrationPage {
        chrome: Chrome::new(&format!("Calibration: {department}"), Some(&v)),
        chart: distribution_svg(&loaded, &data)?,
        can_lock: access.cycle_admin(&v).is_ok() && !data.locked,
        segment: path_segment(&department),
        cycle: c.cycle.clone(),
        data,
    })
}

pub async fn lock_calibration(
    State(s): State<AppState>,
    v: Viewer,
    Path((cycle, department)): Path<(Id, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let now = s.now();
    let access = s.access();
    let admin = access.cycle_admin(&v)?;
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    access.calibration(&v, cycle, &department, now).await?;
    admin.lock(cycle, &department, now).await?;
    Ok(Redirect::to(&format!(
        "/cycles/{cycle}/calibration/{}",
        path_segment(&department)
    ))
    .into_response())
}

/// A share as a whole percent, for templates.
pub fn percent(x: &f64) -> String {
    format!("{:.0}%", x * 100.0)
}
