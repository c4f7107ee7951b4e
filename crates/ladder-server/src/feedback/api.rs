//! `/api/v1` for 360 feedback: cycles, nominations, questionnaires,
//! results, proposals and calibration.

use crate::feedback::service::{
    self, AnswerInput, CyclePlan, ProposalInput, ProposalSummary, calibration_data, questions_for,
    results_of, summary,
};
use crate::http::api::{ApiError, ApiViewer, ErrorBody, PersonOut, person_out};
use crate::http::body;
use crate::http::paging::PageQuery;
use crate::{AppError, AppState};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use ladder_growth::feedback::Results;
use ladder_store::{Cycle, Id, Proposal};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The OpenAPI tag of these operations: the module that held them before
/// the feature folders, kept so that `openapi.json` does not change.
const TAG: &str = "crate::api_feedback";

#[derive(Debug, Serialize, ToSchema)]
pub struct CycleOut {
    pub id: Id,
    pub name: String,
    /// `draft`, `nominations`, `feedback` or `closed`.
    pub state: String,
    pub nominations_open: String,
    pub nominations_close: String,
    pub feedback_open: String,
    pub feedback_close: String,
    /// Peer and report groups smaller than this are not shown.
    pub anonymity_threshold: i64,
    pub min_peers: i64,
    pub max_peers: i64,
}

fn cycle_out(c: &Cycle) -> CycleOut {
    CycleOut {
        id: c.id,
        name: c.plan.name.clone(),
        state: c.state.as_str().to_owned(),
        nominations_open: c.plan.nominations_open.clone(),
        nominations_close: c.plan.nominations_close.clone(),
        feedback_open: c.plan.feedback_open.clone(),
        feedback_close: c.plan.feedback_close.clone(),
        anonymity_threshold: c.plan.anonymity_threshold,
        min_peers: c.plan.min_peers,
        max_peers: c.plan.max_peers,
    }
}

#[utoipa::path(tag = TAG, get, path = "/api/v1/cycles", responses((status = 200, body = Vec<CycleOut>)))]
pub async fn cycles(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
) -> Result<Json<Vec<CycleOut>>, ApiError> {
    Ok(Json(
        s.access().cycles(&v).await?.iter().map(cycle_out).collect(),
    ))
}

#[utoipa::path(tag = TAG, post, path = "/api/v1/cycles", request_body = CyclePlan, responses(
    (status = 200, body = CycleOut),
    (status = 400, body = ErrorBody),
    (status = 403, body = ErrorBody)
))]
pub async fn create_cycle(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    bytes: Bytes,
) -> Result<Json<CycleOut>, ApiError> {
    let now = s.now();
    let access = s.access();
    let admin = access.cycle_admin(&v)?;
    let plan: CyclePlan = body(&bytes)?;
    let id = service::create_cycle(&admin, &s.framework().framework, &plan, now).await?;
    Ok(Json(cycle_out(&access.cycle(&v, id).await?)))
}

#[utoipa::path(tag = TAG, get, path = "/api/v1/cycles/{cycle}", params(("cycle" = i64, Path)), responses(
    (status = 200, body = CycleOut),
    (status = 404, body = ErrorBody)
))]
pub async fn cycle(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
) -> Result<Json<CycleOut>, ApiError> {
    Ok(Json(cycle_out(&s.access().cycle(&v, id).await?)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AdvanceIn {
    /// The state the caller saw; the cycle moves only if it is still in it.
    pub from: String,
    /// Why the cycle moves before its scheduled day: required then,
    /// recorded in the audit log and announced.
    #[serde(default)]
    pub reason: String,
}

#[utoipa::path(tag = TAG, post, path = "/api/v1/cycles/{cycle}/advance", params(("cycle" = i64, Path)), request_body = AdvanceIn, responses(
    (status = 200, body = CycleOut),
    (status = 400, body = ErrorBody),
    (status = 403, body = ErrorBody)
))]
pub async fn advance(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
    bytes: Bytes,
) -> Result<Json<CycleOut>, ApiError> {
    let now = s.now();
    let access = s.access();
    let admin = access.cycle_admin(&v)?;
    let input: AdvanceIn = body(&bytes)?;
    let c = access.cycle(&v, id).await?;
    service::advance(&admin, &s.framework(), &c, &input.from, &input.reason, now).await?;
    Ok(Json(cycle_out(&access.cycle(&v, id).await?)))
}

/// A release of a cycle's results.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReleaseOut {
    pub id: Id,
    /// How many people's results moved on to this release.
    pub people: usize,
    /// How many kept their earlier release: too few answers arrived since
    /// to show more without isolating one.
    pub held_back: usize,
}

#[utoipa::path(tag = TAG, post, path = "/api/v1/cycles/{cycle}/release", params(("cycle" = i64, Path)), responses(
    (status = 200, body = ReleaseOut),
    (status = 400, body = ErrorBody, description = "The cycle is not in its feedback phase"),
    (status = 403, body = ErrorBody, description = "The people team only"),
    (status = 404, body = ErrorBody)
))]
/// Releases the cycle's results as they stand (the people team, during
/// the feedback phase). Each person's results move on only when enough
/// answers arrived since their last release.
pub async fn release(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
) -> Result<Json<ReleaseOut>, ApiError> {
    let now = s.now();
    let access = s.access();
    let admin = access.cycle_admin(&v)?;
    let c = access.cycle(&v, id).await?;
    let (id, r) = super::release::release_now(&admin, &s.framework(), &c, now).await?;
    Ok(Json(ReleaseOut {
        id,
        people: r.snapshots.len(),
        held_back: r.held_back,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CompletionOut {
    pub person: PersonOut,
    pub asked: usize,
    pub answered: usize,
}

#[utoipa::path(tag = TAG, get, path = "/api/v1/cycles/{cycle}/completion", params(("cycle" = i64, Path)), responses(
    (status = 200, body = Vec<CompletionOut>),
    (status = 403, body = ErrorBody)
))]
/// Completion per person across the organisation: counts, never answers.
pub async fn completion(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
) -> Result<Json<Vec<CompletionOut>>, ApiError> {
    let access = s.access();
    let admin = access.cycle_admin(&v)?;
    access.cycle(&v, id).await?;
    Ok(Json(
        admin
            .completion(id, |p, asked, answered| CompletionOut {
                person: person_out(p),
                asked,
                answered,
            })
            .await?,
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OwedOut {
    pub person: PersonOut,
    /// How many answers they still owe.
    pub owed: usize,
}

#[utoipa::path(tag = TAG, get, path = "/api/v1/cycles/{cycle}/reminders", params(("cycle" = i64, Path)), responses(
    (status = 200, body = Vec<OwedOut>),
    (status = 403, body = ErrorBody)
))]
/// Who still owes feedback.
pub async fn reminders(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
) -> Result<Json<Vec<OwedOut>>, ApiError> {
    let access = s.access();
    let admin = access.cycle_admin(&v)?;
    access.cycle(&v, id).await?;
    Ok(Json(
        admin
            .reminders(id)
            .await?
            .iter()
            .map(|(p, n)| OwedOut {
                person: person_out(p),
                owed: *n,
            })
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NominationOut {
    pub respondent: PersonOut,
    /// `self`, `manager`, `peer` or `report`.
    pub relation: String,
    /// `auto`, `person` or `manager`.
    pub source: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NominationsOut {
    pub approved: bool,
    /// Who is asked. Whether each has answered is not shown here.
    pub nominations: Vec<NominationOut>,
}

#[utoipa::path(tag = TAG, get, path = "/api/v1/cycles/{cycle}/nominations/{id}", params(("cycle" = i64, Path), ("id" = i64, Path)), responses(
    (status = 200, body = NominationsOut),
    (status = 403, body = ErrorBody)
))]
pub async fn nominations(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path((cycle, id)): Path<(Id, Id)>,
) -> Result<Json<NominationsOut>, ApiError> {
    let access = s.access();
    let n = access.nominating(&v, cycle, id).await?;
    let dir = access.directory(&v).await?;
    let (list, saved) = n.list().await?;
    Ok(Json(NominationsOut {
        approved: saved.is_some_and(|l| l.approved_at.is_some()),
        nominations: list
            .iter()
            .filter_map(|x| {
                Some(NominationOut {
                    respondent: dir.get(x.respondent_id)?.into(),
                    relation: x.relation.as_str().to_owned(),
                    source: x.source.clone(),
                })
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NominationsIn {
    /// The peers' person ids. Self, manager and reports are added.
    pub peers: Vec<Id>,
}

#[utoipa::path(tag = TAG, post, path = "/api/v1/cycles/{cycle}/nominations/{id}", params(("cycle" = i64, Path), ("id" = i64, Path)), request_body = NominationsIn, responses(
    (status = 200, body = NominationsOut, description = "Saved; the direct manager's save approves"),
    (status = 400, body = ErrorBody),
    (status = 403, body = ErrorBody)
))]
pub async fn save_nominations(
    State(s): State<AppState>,
    v: ApiViewer,
    Path((cycle, id)): Path<(Id, Id)>,
    bytes: Bytes,
) -> Result<Json<NominationsOut>, ApiError> {
    let now = s.now();
    {
        let access = s.access();
        let n = access.nominating(&v.0, cycle, id).await?;
        let input: NominationsIn = body(&bytes)?;
        service::save_nominations(&n, &input.peers, now).await?;
    }
    nominations(State(s), v, Path((cycle, id))).await
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionOut {
    /// `category:<id>` or `open:<n>`.
    pub key: String,
    pub title: String,
    /// Rated on the scale, with a comment; or free text only.
    pub rated: bool,
    /// What the level expects, for context.
    pub statements: Vec<String>,
    /// The statements' stable ids, in the same order.
    pub statement_ids: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FormOut {
    pub person: PersonOut,
    /// How you answer: `self`, `manager`, `peer` or `report`.
    pub relation: String,
    pub answered: bool,
    pub questions: Vec<QuestionOut>,
}

#[utoipa::path(tag = TAG, get, path = "/api/v1/cycles/{cycle}/questions/{id}", params(("cycle" = i64, Path), ("id" = i64, Path)), responses(
    (status = 200, body = FormOut),
    (status = 403, body = ErrorBody, description = "You were not asked about this person")
))]
pub async fn questions(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path((cycle, id)): Path<(Id, Id)>,
) -> Result<Json<FormOut>, ApiError> {
    let r = s.access().respondent(&v, cycle, id).await?;
    let loaded = s.framework();
    Ok(Json(FormOut {
        person: person_out(&r.person),
        relation: r.nomination.relation.as_str().to_owned(),
        answered: r.nomination.answered_on.is_some(),
        questions: questions_for(&loaded, &r.person)?
            .into_iter()
            .map(|q| QuestionOut {
                key: q.key,
                title: q.title,
                rated: q.rated,
                statements: q.statements,
                statement_ids: q.statement_ids,
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AnswersIn {
    pub answers: Vec<AnswerInput>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DoneOut {
    pub ok: bool,
}

#[utoipa::path(tag = TAG, post, path = "/api/v1/cycles/{cycle}/feedback/{id}", params(("cycle" = i64, Path), ("id" = i64, Path)), request_body = AnswersIn, responses(
    (status = 200, body = DoneOut),
    (status = 400, body = ErrorBody, description = "Not open, answered already, or an answer is off the form or the scale"),
    (status = 403, body = ErrorBody)
))]
/// Sends your answers about a person, once.
pub async fn answer(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path((cycle, id)): Path<(Id, Id)>,
    bytes: Bytes,
) -> Result<Json<DoneOut>, ApiError> {
    let now = s.now();
    let r = s.access().respondent(&v, cycle, id).await?;
    let input: AnswersIn = body(&bytes)?;
    service::answer(&r, &s.framework(), &input.answers, now).await?;
    Ok(Json(DoneOut { ok: true }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountOut {
    pub value: i64,
    pub count: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionResultOut {
    pub key: String,
    pub title: String,
    pub rated: bool,
    /// How many rated it; absent when too few to show.
    pub rated_by: Option<usize>,
    pub mean: Option<f64>,
    pub distribution: Vec<CountOut>,
    /// In an order that says nothing about who wrote them or when.
    pub comments: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupOut {
    /// `self`, `manager`, `peers`, `reports` or `others`.
    pub group: String,
    pub label: String,
    pub answers: usize,
    /// Self and manager answers are attributed; groups never are.
    pub attributed: bool,
    pub questions: Vec<QuestionResultOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResultsOut {
    pub cycle: CycleOut,
    pub person: PersonOut,
    /// The day of the release shown; absent before the person's first
    /// release, when `groups` and `hidden` are empty. Results are never
    /// computed live: the people team releases them, and the cycle's close
    /// does.
    pub released_on: Option<String>,
    pub threshold: usize,
    pub groups: Vec<GroupOut>,
    /// Groups with too few answers to show, without counts.
    pub hidden: Vec<String>,
    /// For managers: how many were asked and answered. Absent for the
    /// person.
    pub completion: Option<CountsOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountsOut {
    pub asked: usize,
    pub answered: usize,
}

fn group_name(g: ladder_growth::feedback::Group) -> String {
    serde_json::to_value(g)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn results_out(r: Results) -> (usize, Vec<GroupOut>, Vec<String>) {
    let groups = r
        .groups
        .into_iter()
        .map(|g| GroupOut {
            group: group_name(g.group),
            label: g.label,
            answers: g.answers,
            attributed: g.attributed,
            questions: g
                .questions
                .into_iter()
                .map(|q| QuestionResultOut {
                    key: q.key,
                    title: q.title,
                    rated: q.rated,
                    rated_by: q.rated_by,
                    mean: q.mean,
                    distribution: q
                        .distribution
                        .into_iter()
                        .map(|(value, count)| CountOut { value, count })
                        .collect(),
                    comments: q.comments,
                })
                .collect(),
        })
        .collect();
    (
        r.threshold,
        groups,
        r.hidden.into_iter().map(group_name).collect(),
    )
}

#[utoipa::path(tag = TAG, get, path = "/api/v1/cycles/{cycle}/results/{id}", params(("cycle" = i64, Path), ("id" = i64, Path)), responses(
    (status = 200, body = ResultsOut),
    (status = 403, body = ErrorBody, description = "Only the person and their manager chain")
))]
/// What may be shown of a person's feedback.
pub async fn results(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path((cycle, id)): Path<(Id, Id)>,
) -> Result<Json<ResultsOut>, ApiError> {
    let now = s.now();
    let r = s.access().feedback_results(&v, cycle, id, now).await?;
    let (released, completion) = results_of(&r).await?;
    let released_on = released
        .as_ref()
        .map(|x| ladder_org::Date::from_unix(x.released_at).to_string());
    let (threshold, groups, hidden) = match released {
        Some(x) => results_out(x.results),
        None => (
            usize::try_from(r.cycle.plan.anonymity_threshold).unwrap_or(3),
            Vec::new(),
            Vec::new(),
        ),
    };
    let completion = completion.map(|c| CountsOut {
        asked: c.asked,
        answered: c.answered,
    });
    Ok(Json(ResultsOut {
        cycle: cycle_out(&r.cycle),
        person: person_out(&r.person),
        released_on,
        threshold,
        groups,
        hidden,
        completion,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StepOut {
    /// `skip_level` or `people_team`.
    pub approver: String,
    pub approved: bool,
    pub comment: String,
    pub at: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalOut {
    #[serde(flatten)]
    pub summary: ProposalSummary,
    pub cycle_id: Id,
    pub to_specialty: Option<String>,
    pub to_grade: String,
    pub case: String,
    pub override_reason: Option<String>,
    /// Readiness, ratings, checkpoint summaries and aggregated feedback,
    /// as frozen when proposed.
    #[schema(value_type = Object)]
    pub evidence: serde_json::Value,
    pub chain: Vec<String>,
    pub steps: Vec<StepOut>,
    pub effective: Option<String>,
    /// The new grade's band and the compa ratio at today's salary, when
    /// the caller may see the person's pay.
    pub new_band: Option<crate::pay::service::NewBand>,
}

fn proposal_out(
    p: &Proposal,
    name: &str,
    steps: Vec<StepOut>,
    new_band: Option<crate::pay::service::NewBand>,
) -> ProposalOut {
    ProposalOut {
        summary: summary(p, name),
        cycle_id: p.new.cycle_id,
        to_specialty: p.new.to_specialty.clone(),
        to_grade: p.new.to_grade.clone(),
        case: p.new.case_text.clone(),
        override_reason: p.new.override_reason.clone(),
        evidence: serde_json::from_str(&p.new.evidence).unwrap_or_default(),
        chain: p.new.chain.clone(),
        steps,
        effective: p.effective.clone(),
        new_band,
    }
}

#[utoipa::path(tag = TAG, post, path = "/api/v1/people/{id}/proposals", params(("id" = i64, Path)), request_body = ProposalInput, responses(
    (status = 200, body = ProposalOut),
    (status = 400, body = ErrorBody, description = "No cycle in its feedback phase, a bad level, or the policy is not met and no override reason was given"),
    (status = 403, body = ErrorBody, description = "Only the direct manager proposes"),
    (status = 409, body = ErrorBody, description = "A proposal for this person is pending")
))]
/// Proposes a level change; only while a cycle is in its feedback phase.
pub async fn propose(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
    bytes: Bytes,
) -> Result<Json<ProposalOut>, ApiError> {
    let now = s.now();
    let access = s.access();
    let p = access.proposer(&v, id).await?;
    let input: ProposalInput = body(&bytes)?;
    let pid = service::propose(&s, &v, &p, &input, now).await?;
    let view = access.proposal(&v, pid, now).await?;
    let band = crate::pay::service::proposal_band(
        &s,
        &v,
        view.person.id,
        (&view.proposal.new.to_level, &view.proposal.new.to_grade),
    )
    .await?;
    Ok(Json(proposal_out(
        &view.proposal,
        &view.person.record.name,
        Vec::new(),
        band,
    )))
}

async fn proposal_json(
    s: &AppState,
    v: &crate::access::Viewer,
    id: Id,
) -> Result<ProposalOut, ApiError> {
    let view = s.access().proposal(v, id, s.now()).await?;
    let steps = view
        .steps()
        .await?
        .into_iter()
        .map(|t| StepOut {
            approver: t.approver,
            approved: t.approved,
            comment: t.comment,
            at: t.at,
        })
        .collect();
    let band = crate::pay::service::proposal_band(
        s,
        v,
        view.person.id,
        (&view.proposal.new.to_level, &view.proposal.new.to_grade),
    )
    .await?;
    Ok(proposal_out(
        &view.proposal,
        &view.person.record.name,
        steps,
        band,
    ))
}

#[utoipa::path(tag = TAG, get, path = "/api/v1/proposals/{proposal}", params(("proposal" = i64, Path)), responses(
    (status = 200, body = ProposalOut),
    (status = 403, body = ErrorBody, description = "Only the person's manager chain and the people team; never the person")
))]
pub async fn proposal(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
) -> Result<Json<ProposalOut>, ApiError> {
    Ok(Json(proposal_json(&s, &v, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionIn {
    pub approve: bool,
    pub comment: String,
}

#[utoipa::path(tag = TAG, post, path = "/api/v1/proposals/{proposal}/decisions", params(("proposal" = i64, Path)), request_body = DecisionIn, responses(
    (status = 200, body = ProposalOut, description = "Recorded; the last approval changes the level"),
    (status = 400, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "The chain's next step is not yours")
))]
pub async fn decide(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
    bytes: Bytes,
) -> Result<Json<ProposalOut>, ApiError> {
    let now = s.now();
    {
        let view = s.access().proposal(&v, id, now).await?;
        if view.may_decide().is_none() {
            return Err(AppError::Forbidden.into());
        }
        let input: DecisionIn = body(&bytes)?;
        service::decide(&view, input.approve, &input.comment, now).await?;
    }
    Ok(Json(proposal_json(&s, &v, id).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadinessRowOut {
    pub person_id: Id,
    pub name: String,
    pub level: String,
    pub ready: bool,
    /// The latest quarter's share of the next level demonstrated.
    pub share: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LevelDistributionOut {
    pub level: String,
    pub counts: Vec<CountOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalibrationOut {
    pub cycle_id: Id,
    pub department: String,
    pub locked: bool,
    pub proposals: Vec<ProposalSummary>,
    /// One page of the department's readiness, in the order of the
    /// people's ids.
    pub readiness: Vec<ReadinessRowOut>,
    /// Send as `cursor` for the next page of `readiness`; absent on the
    /// last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// Manager ratings per level.
    pub distribution: Vec<LevelDistributionOut>,
}

#[utoipa::path(tag = TAG, get, path = "/api/v1/cycles/{cycle}/calibration/{department}", params(("cycle" = i64, Path), ("department" = String, Path), PageQuery), responses(
    (status = 200, body = CalibrationOut),
    (status = 403, body = ErrorBody, description = "Only the people team and the department's leaders")
))]
pub async fn calibration(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path((cycle, department)): Path<(Id, String)>,
    Query(pq): Query<PageQuery>,
) -> Result<Json<CalibrationOut>, ApiError> {
    let paging = pq.paging()?;
    let now = s.now();
    let c = s.access().calibration(&v, cycle, &department, now).await?;
    let d = calibration_data(&s.framework(), &c, now).await?.data;
    let (readiness, next_cursor) = crate::http::paging::page_of(&d.readiness, |r| r.0, paging);
    Ok(Json(CalibrationOut {
        cycle_id: d.cycle_id,
        department: d.department.clone(),
        locked: d.locked,
        proposals: d.proposals.clone(),
        next_cursor,
        readiness: readiness
            .into_iter()
            .map(|(person_id, name, level, ready, share)| ReadinessRowOut {
                person_id,
                name,
                level,
                ready,
                share,
            })
            .collect(),
        distribution: d
            .distribution
            .iter()
            .map(|(level, counts)| LevelDistributionOut {
                level: level.clone(),
                counts: counts
                    .iter()
                    .map(|&(value, count)| CountOut { value, count })
                    .collect(),
            })
            .collect(),
    }))
}

#[utoipa::path(tag = TAG, post, path = "/api/v1/cycles/{cycle}/calibration/{department}/lock", params(("cycle" = i64, Path), ("department" = String, Path)), responses(
    (status = 200, body = DoneOut),
    (status = 403, body = ErrorBody),
    (status = 409, body = ErrorBody, description = "Locked already")
))]
/// Locks a department's calibration: no new proposals in this cycle.
pub async fn lock(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path((cycle, department)): Path<(Id, String)>,
) -> Result<Json<DoneOut>, ApiError> {
    let now = s.now();
    let access = s.access();
    let admin = access.cycle_admin(&v)?;
    service::lock_calibration(access, &v, &admin, cycle, &department, now).await?;
    Ok(Json(DoneOut { ok: true }))
}
