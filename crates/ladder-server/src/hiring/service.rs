//! The hiring rules the pages and the API share: scorecards generated
//! from a role's requirements, openings and scorecards checked, stage
//! coverage and moves.

use crate::access::{CandidateView, HiringAdmin, OpeningView};
use crate::growth::service::scale_points;
use crate::http::text_field;
use crate::{AppError, AppState};
use ladder_framework::{Framework, HiringStage};
use ladder_store::{Candidate, HiringRole, Id, NewOpening, Opening, Score, Scorecard, TeamMember};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One requirement a scorecard asks about.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Requirement {
    pub id: String,
    pub text: String,
    /// `family`, `level` or `specialty`.
    pub scope: String,
}

/// The opening's stages and the requirements every stage's scorecard
/// lists.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ScorecardTemplate {
    pub stages: Vec<StageOut>,
    pub requirements: Vec<Requirement>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StageOut {
    pub id: String,
    pub name: String,
    pub minutes: u32,
    pub interviewer: String,
}

/// The scorecard template of a role: its stages from the family's hiring
/// process, and its requirements (family, level and specialty).
pub fn scorecard_template(
    fw: &Framework,
    family: &str,
    level: &str,
    specialty: Option<&str>,
) -> Result<ScorecardTemplate, AppError> {
    let view = ladder_framework::resolve::role(fw, family, level, specialty, false)
        .map_err(|e| AppError::BadRequest(format!("role: {e}")))?;
    Ok(ScorecardTemplate {
        stages: view
            .hiring_process
            .iter()
            .map(|s: &HiringStage| StageOut {
                id: s.id.clone(),
                name: s.name.clone(),
                minutes: s.minutes,
                interviewer: s.interviewer.clone(),
            })
            .collect(),
        requirements: view
            .requirements
            .iter()
            .map(|r| Requirement {
                id: r.id.clone(),
                text: r.text.clone(),
                scope: r.scope.to_owned(),
            })
            .collect(),
    })
}

/// What the people team sends to open a position.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct OpeningInput {
    pub title: String,
    pub family: String,
    pub level: String,
    #[serde(default)]
    pub specialty: Option<String>,
    /// Account emails of the leads (see every scorecard, move candidates).
    #[serde(default)]
    pub leads: Vec<String>,
    /// Account emails of the interviewers.
    #[serde(default)]
    pub interviewers: Vec<String>,
}

pub(crate) async fn check_opening(
    s: &AppState,
    admin: &crate::access::HiringAdmin<'_>,
    input: &OpeningInput,
) -> Result<NewOpening, AppError> {
    let title = text_field("title", &input.title, true)?;
    let specialty = input
        .specialty
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let loaded = s.framework();
    let t = scorecard_template(
        &loaded.framework,
        input.family.trim(),
        input.level.trim(),
        specialty.as_deref(),
    )?;
    if t.stages.is_empty() {
        return Err(AppError::BadRequest(format!(
            "family: {} has no hiring process; add `hiring:` stages to its file",
            input.family.trim()
        )));
    }
    let mut team: Vec<TeamMember> = Vec::new();
    for (field, list, role) in [
        ("leads", &input.leads, HiringRole::Lead),
        ("interviewers", &input.interviewers, HiringRole::Interviewer),
    ] {
        for email in list.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
            let id = admin.account_id(email).await?.ok_or_else(|| {
                AppError::BadRequest(format!(
                    "{field}: no account has the email {email}; create it first"
                ))
            })?;
            if team.iter().any(|m| m.account_id == id) {
                return Err(AppError::BadRequest(format!(
                    "{field}: {email} is on the team twice"
                )));
            }
            team.push(TeamMember {
                account_id: id,
                role,
            });
        }
    }
    if !team.iter().any(|m| m.role == HiringRole::Lead) {
        return Err(AppError::BadRequest(
            "leads: name at least one lead (an account email)".to_owned(),
        ));
    }
    Ok(NewOpening {
        title,
        family: input.family.trim().to_owned(),
        level: input.level.trim().to_owned(),
        specialty,
        team,
    })
}

pub fn template_of(s: &AppState, o: &Opening) -> Result<ScorecardTemplate, AppError> {
    scorecard_template(
        &s.framework().framework,
        &o.new.family,
        &o.new.level,
        o.new.specialty.as_deref(),
    )
}

/// A submitted score for one requirement.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct ScoreIn {
    pub requirement: String,
    /// On the framework's rating scale; omit for "not covered".
    #[serde(default)]
    pub score: Option<i32>,
    #[serde(default)]
    pub notes: String,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct ScorecardIn {
    pub stage: String,
    pub scores: Vec<ScoreIn>,
    #[serde(default)]
    pub notes: String,
}

/// Checks a scorecard against the template: a known stage, known
/// requirement ids, values on the scale.
pub(crate) fn check_scorecard(
    s: &AppState,
    t: &ScorecardTemplate,
    input: &ScorecardIn,
    candidate: Id,
    interviewer: Id,
    now: i64,
) -> Result<Scorecard, AppError> {
    if !t.stages.iter().any(|st| st.id == input.stage) {
        let known: Vec<&str> = t.stages.iter().map(|st| st.id.as_str()).collect();
        return Err(AppError::BadRequest(format!(
            "stage: `{}` is not a stage of this role; the stages are {}",
            input.stage,
            known.join(", ")
        )));
    }
    let scale = scale_points(&s.framework().framework);
    let mut scores = Vec::new();
    for sc in &input.scores {
        if !t.requirements.iter().any(|r| r.id == sc.requirement) {
            return Err(AppError::BadRequest(format!(
                "scores: `{}` is not a requirement of this role",
                sc.requirement
            )));
        }
        if let Some(v) = sc.score
            && !scale.iter().any(|(x, _)| *x == i64::from(v))
        {
            return Err(AppError::BadRequest(format!(
                "scores.{}: {v} is not on the rating scale",
                sc.requirement
            )));
        }
        scores.push(Score {
            requirement: sc.requirement.clone(),
            score: sc.score,
            notes: text_field(&format!("notes for {}", sc.requirement), &sc.notes, false)?,
        });
    }
    if scores.iter().all(|x| x.score.is_none()) {
        return Err(AppError::BadRequest(
            "scores: score at least one requirement".to_owned(),
        ));
    }
    Ok(Scorecard {
        candidate_id: candidate,
        stage: input.stage.clone(),
        interviewer_id: interviewer,
        scores,
        notes: text_field("notes", &input.notes, false)?,
        submitted_at: now,
    })
}

/// How well the visible scorecards cover one requirement.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Coverage {
    pub requirement: String,
    pub text: String,
    /// Scores given, over every visible scorecard.
    pub scores: usize,
    pub mean: Option<f64>,
}

impl Coverage {
    pub fn mean_text(&self) -> String {
        self.mean
            .map_or_else(|| "not covered".to_owned(), |m| format!("{m:.1}"))
    }
}

pub fn coverage(t: &ScorecardTemplate, cards: &[Scorecard]) -> Vec<Coverage> {
    t.requirements
        .iter()
        .map(|r| {
            let vals: Vec<i32> = cards
                .iter()
                .flat_map(|c| &c.scores)
                .filter(|s| s.requirement == r.id)
                .filter_map(|s| s.score)
                .collect();
            #[allow(clippy::cast_precision_loss)]
            let mean = (!vals.is_empty())
                .then(|| vals.iter().map(|v| f64::from(*v)).sum::<f64>() / vals.len() as f64);
            Coverage {
                requirement: r.id.clone(),
                text: r.text.clone(),
                scores: vals.len(),
                mean,
            }
        })
        .collect()
}

/// The next stage after `stage`, if any.
pub(crate) fn next_stage(t: &ScorecardTemplate, stage: &str) -> Option<String> {
    let i = t.stages.iter().position(|s| s.id == stage)?;
    t.stages.get(i + 1).map(|s| s.id.clone())
}

/// Where a move sends the candidate: `next`, `hired` or `rejected`.
pub(crate) fn destination(
    t: &ScorecardTemplate,
    c: &Candidate,
    to: &str,
) -> Result<(String, &'static str), AppError> {
    match to {
        "next" => next_stage(t, &c.stage)
            .map(|s| (s, "active"))
            .ok_or_else(|| {
                AppError::BadRequest(
                    "to: this is the last stage; choose hired or rejected".to_owned(),
                )
            }),
        "hired" => Ok((c.stage.clone(), "hired")),
        "rejected" => Ok((c.stage.clone(), "rejected")),
        _ => Err(AppError::BadRequest(
            "to: choose next, hired or rejected".to_owned(),
        )),
    }
}

pub(crate) fn candidate_fields(name: &str, contact: &str) -> Result<(String, String), AppError> {
    Ok((
        text_field("name", name, true)?,
        text_field("contact", contact, true)?,
    ))
}

// ---- The writes: each checks its input, then writes through its capability

/// Opens a position, checked against the framework (family, level,
/// specialty) and the accounts (its hiring team).
pub async fn open(
    s: &AppState,
    admin: &HiringAdmin<'_>,
    input: &OpeningInput,
    now: i64,
) -> Result<(Id, NewOpening), AppError> {
    let o = check_opening(s, admin, input).await?;
    let id = admin.create(&o, now).await?;
    Ok((id, o))
}

/// Adds a candidate at the opening's first stage.
pub async fn add_candidate(
    s: &AppState,
    view: &OpeningView<'_>,
    name: &str,
    contact: &str,
    now: i64,
) -> Result<Id, AppError> {
    let (name, contact) = candidate_fields(name, contact)?;
    let t = template_of(s, &view.opening)?;
    let first = t.stages.first().map(|st| st.id.clone()).unwrap_or_default();
    view.add_candidate(&name, &contact, &first, now).await
}

/// Submits the viewer's scorecard for a stage, scored against the
/// requirement ids of the opening's scorecard.
pub async fn score(
    s: &AppState,
    view: &CandidateView<'_>,
    interviewer: Id,
    input: &ScorecardIn,
    now: i64,
) -> Result<(), AppError> {
    if !view.may_score() {
        return Err(AppError::Forbidden);
    }
    let t = template_of(s, &view.opening)?;
    let card = check_scorecard(s, &t, input, view.candidate.id, interviewer, now)?;
    view.submit(&card, now).await
}

/// Moves a candidate to the next stage, or ends their process (`to`:
/// `next`, `hired`, `rejected`, `withdrawn`).
pub async fn move_candidate(
    s: &AppState,
    view: &CandidateView<'_>,
    to: &str,
    now: i64,
) -> Result<(), AppError> {
    if !view.may_manage() {
        return Err(AppError::Forbidden);
    }
    let t = template_of(s, &view.opening)?;
    let (stage, state) = destination(&t, &view.candidate, to)?;
    view.move_to(&stage, state, now).await
}

/// Deletes a candidate's personal data and scorecards.
pub async fn delete_candidate(view: &CandidateView<'_>, now: i64) -> Result<(), AppError> {
    if !view.may_manage() {
        return Err(AppError::Forbidden);
    }
    view.delete(now).await
}
