//! Hiring on the server: scorecards generated from the framework (one per
//! hiring stage, listing the role's and the specialty's requirements by
//! their stable ids), checking openings and scorecards, the coverage
//! summary, the web pages and the API. Access is decided in
//! [`crate::access`].

use crate::access::{CandidateView, OpeningView, Viewer, may_see_opening};
use crate::api::{ApiError, ApiViewer, ErrorBody};
use crate::api_growth::body;
use crate::growth::{Fields, scale_points, text_field};
use crate::web::{Chrome, form_page, role_title};
use crate::{AppError, AppState};
use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use ladder_framework::{Framework, HiringStage};
use ladder_store::{Candidate, HiringRole, Id, NewOpening, Opening, Score, Scorecard, TeamMember};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
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

async fn check_opening(
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

fn template_of(s: &AppState, o: &Opening) -> Result<ScorecardTemplate, AppError> {
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
fn check_scorecard(
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
fn next_stage(t: &ScorecardTemplate, stage: &str) -> Option<String> {
    let i = t.stages.iter().position(|s| s.id == stage)?;
    t.stages.get(i + 1).map(|s| s.id.clone())
}

/// Where a move sends the candidate: `next`, `hired` or `rejected`.
fn destination(
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

// ---- Web pages

#[derive(Template)]
#[template(path = "hiring.html")]
struct HiringPage {
    chrome: Chrome,
    /// Each opening, its role, and whether the viewer may open it (its
    /// team and admins; the people team sees the rest listed only).
    openings: Vec<(Opening, String, bool)>,
    can_open: bool,
    families: Vec<(String, String)>,
    levels: Vec<(String, String)>,
    error: Option<String>,
}

async fn hiring_page(
    s: &AppState,
    v: &Viewer,
    error: Option<String>,
) -> Result<Response, AppError> {
    let access = s.access();
    let loaded = s.framework();
    let fw = &loaded.framework;
    let openings = access
        .openings_for(v)
        .await?
        .into_iter()
        .map(|o| {
            let role = role_title(fw, &o.new.family, &o.new.level, o.new.specialty.as_deref());
            let linked = may_see_opening(&o.new, v);
            (o, role, linked)
        })
        .collect();
    let failed = error.is_some();
    form_page(
        failed,
        &HiringPage {
            chrome: Chrome::new("Hiring", Some(v)),
            openings,
            can_open: access.hiring_admin(v).is_ok(),
            families: fw
                .families
                .iter()
                .map(|f| (f.id.clone(), f.title.clone()))
                .collect(),
            levels: fw
                .config
                .levels
                .iter()
                .map(|l| (l.id.clone(), l.title.clone()))
                .collect(),
            error,
        },
    )
}

pub async fn hiring(State(s): State<AppState>, v: Viewer) -> Result<Response, AppError> {
    hiring_page(&s, &v, None).await
}

fn emails(list: &str) -> Vec<String> {
    list.split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_owned)
        .collect()
}

pub async fn open(State(s): State<AppState>, v: Viewer, body: Bytes) -> Result<Response, AppError> {
    let now = s.now();
    let access = s.access();
    let admin = access.hiring_admin(&v)?;
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    let input = OpeningInput {
        title: f.get("title").to_owned(),
        family: f.get("family").to_owned(),
        level: f.get("level").to_owned(),
        specialty: Some(f.get("specialty").to_owned()),
        leads: emails(f.get("leads")),
        interviewers: emails(f.get("interviewers")),
    };
    let made = match check_opening(&s, &admin, &input).await {
        Ok(o) => admin
            .create(&o, now)
            .await
            .map(|id| (id, may_see_opening(&o, &v))),
        Err(e) => Err(e),
    };
    match made {
        Ok((id, true)) => Ok(Redirect::to(&format!("/hiring/{id}")).into_response()),
        // The people team opens positions it is not on: back to the list.
        Ok((_, false)) => Ok(Redirect::to("/hiring").into_response()),
        Err(AppError::BadRequest(e)) => hiring_page(&s, &v, Some(e)).await,
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "opening.html")]
struct OpeningPage {
    chrome: Chrome,
    o: Opening,
    role: String,
    t: ScorecardTemplate,
    team: Vec<(String, &'static str)>,
    candidates: Vec<Candidate>,
    error: Option<String>,
}

async fn opening_page(
    s: &AppState,
    v: &Viewer,
    view: &OpeningView<'_>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let loaded = s.framework();
    let o = &view.opening;
    let mut team = Vec::new();
    for m in &o.new.team {
        team.push((view.member_email(m.account_id).await?, m.role.as_str()));
    }
    let failed = error.is_some();
    form_page(
        failed,
        &OpeningPage {
            chrome: Chrome::new(&o.new.title, Some(v)),
            role: role_title(
                &loaded.framework,
                &o.new.family,
                &o.new.level,
                o.new.specialty.as_deref(),
            ),
            t: template_of(s, o)?,
            team,
            candidates: view.candidates().await?,
            o: o.clone(),
            error,
        },
    )
}

pub async fn opening(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
) -> Result<Response, AppError> {
    let view = s.access().opening(&v, id).await?;
    opening_page(&s, &v, &view, None).await
}

fn candidate_fields(name: &str, contact: &str) -> Result<(String, String), AppError> {
    Ok((
        text_field("name", name, true)?,
        text_field("contact", contact, true)?,
    ))
}

pub async fn add_candidate(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    body: Bytes,
) -> Result<Response, AppError> {
    let now = s.now();
    let access = s.access();
    let view = access.opening(&v, id).await?;
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    let t = template_of(&s, &view.opening)?;
    let first = t.stages.first().map(|st| st.id.clone()).unwrap_or_default();
    let made = match candidate_fields(f.get("name"), f.get("contact")) {
        Ok((name, contact)) => view.add_candidate(&name, &contact, &first, now).await,
        Err(e) => Err(e),
    };
    match made {
        Ok(c) => Ok(Redirect::to(&format!("/candidates/{c}")).into_response()),
        Err(AppError::BadRequest(e)) => opening_page(&s, &v, &view, Some(e)).await,
        Err(e) => Err(e),
    }
}

/// A scorecard as a page shows it.
struct CardView {
    stage: String,
    interviewer: String,
    notes: String,
    scores: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "candidate.html")]
struct CandidatePage {
    chrome: Chrome,
    c: Candidate,
    o: Opening,
    t: ScorecardTemplate,
    stage_name: String,
    cards: Vec<CardView>,
    submitted: Vec<(String, usize)>,
    coverage: Vec<Coverage>,
    my_stages: Vec<String>,
    may_score: bool,
    may_manage: bool,
    scale: Vec<(i64, String)>,
    error: Option<String>,
}

async fn candidate_page(
    s: &AppState,
    v: &Viewer,
    view: &CandidateView<'_>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let t = template_of(s, &view.opening)?;
    let cards = view.scorecards().await?;
    let text = |id: &str| {
        t.requirements
            .iter()
            .find(|r| r.id == id)
            .map_or_else(|| id.to_owned(), |r| r.text.clone())
    };
    let mut emails: BTreeMap<Id, String> = BTreeMap::new();
    for c in &cards {
        if let std::collections::btree_map::Entry::Vacant(e) = emails.entry(c.interviewer_id) {
            e.insert(view.member_email(c.interviewer_id).await?);
        }
    }
    let mut shown = Vec::new();
    for c in &cards {
        shown.push(CardView {
            stage: c.stage.clone(),
            interviewer: emails.get(&c.interviewer_id).cloned().unwrap_or_default(),
            notes: c.notes.clone(),
            scores: c
                .scores
                .iter()
                .map(|x| {
                    (
                        text(&x.requirement),
                        x.score.map_or_else(|| "—".to_owned(), |v| v.to_string()),
                        x.notes.clone(),
                    )
                })
                .collect(),
        });
    }
    let failed = error.is_some();
    form_page(
        failed,
        &CandidatePage {
            chrome: Chrome::new(&view.candidate.name, Some(v)),
            stage_name: t
                .stages
                .iter()
                .find(|st| st.id == view.candidate.stage)
                .map_or_else(|| view.candidate.stage.clone(), |st| st.name.clone()),
            coverage: coverage(&t, &cards),
            my_stages: cards
                .iter()
                .filter(|c| c.interviewer_id == v.account.id)
                .map(|c| c.stage.clone())
                .collect(),
            submitted: view.submitted_per_stage().await?,
            cards: shown,
            may_score: view.may_score() && view.candidate.state == "active",
            may_manage: view.may_manage() && view.candidate.state == "active",
            scale: scale_points(&s.framework().framework),
            c: view.candidate.clone(),
            o: view.opening.clone(),
            t,
            error,
        },
    )
}

pub async fn candidate(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
) -> Result<Response, AppError> {
    let view = s.access().candidate(&v, id).await?;
    candidate_page(&s, &v, &view, None).await
}

/// Runs a form action on a candidate and shows the page again, with the
/// problem when there is one (as `internships::act` does for internships).
async fn act(
    s: &AppState,
    v: &Viewer,
    id: Id,
    body: &[u8],
    allowed: fn(&CandidateView<'_>) -> bool,
    f: impl AsyncFnOnce(&CandidateView<'_>, &Fields, &ScorecardTemplate) -> Result<(), AppError>,
) -> Result<Response, AppError> {
    let access = s.access();
    let view = access.candidate(v, id).await?;
    if !allowed(&view) {
        return Err(AppError::Forbidden);
    }
    let fields = Fields::parse(body);
    v.check_csrf(fields.get("csrf"))?;
    let t = template_of(s, &view.opening)?;
    match f(&view, &fields, &t).await {
        Ok(()) => Ok(Redirect::to(&format!("/candidates/{id}")).into_response()),
        Err(AppError::BadRequest(e)) => candidate_page(s, v, &view, Some(e)).await,
        Err(e) => Err(e),
    }
}

pub async fn score(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    body: Bytes,
) -> Result<Response, AppError> {
    let now = s.now();
    let account = v.account.id;
    act(
        &s,
        &v,
        id,
        &body,
        |view| view.may_score(),
        async |view, f, t| {
            let input = ScorecardIn {
                stage: f.get("stage").to_owned(),
                scores: t
                    .requirements
                    .iter()
                    .map(|r| ScoreIn {
                        requirement: r.id.clone(),
                        score: f.get(&format!("score_{}", r.id)).trim().parse().ok(),
                        notes: f.get(&format!("notes_{}", r.id)).to_owned(),
                    })
                    .collect(),
                notes: f.get("notes").to_owned(),
            };
            let card = check_scorecard(&s, t, &input, id, account, now)?;
            view.submit(&card, now).await
        },
    )
    .await
}

pub async fn move_candidate(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    body: Bytes,
) -> Result<Response, AppError> {
    let now = s.now();
    act(
        &s,
        &v,
        id,
        &body,
        |view| view.may_manage(),
        async |view, f, t| {
            let (stage, state) = destination(t, &view.candidate, f.get("to"))?;
            view.move_to(&stage, state, now).await
        },
    )
    .await
}

pub async fn delete(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    body: Bytes,
) -> Result<Response, AppError> {
    let access = s.access();
    let view = access.candidate(&v, id).await?;
    if !view.may_manage() {
        return Err(AppError::Forbidden);
    }
    let f = Fields::parse(&body);
    v.check_csrf(f.get("csrf"))?;
    view.delete(s.now()).await?;
    Ok(Redirect::to(&format!("/hiring/{}", view.opening.id)).into_response())
}

// ---- API

#[derive(Debug, Serialize, ToSchema)]
pub struct OpeningOut {
    pub id: Id,
    pub title: String,
    pub family: String,
    pub level: String,
    pub specialty: Option<String>,
    pub state: String,
}

fn opening_out(o: &Opening) -> OpeningOut {
    OpeningOut {
        id: o.id,
        title: o.new.title.clone(),
        family: o.new.family.clone(),
        level: o.new.level.clone(),
        specialty: o.new.specialty.clone(),
        state: o.state.clone(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CandidateOut {
    pub id: Id,
    pub name: String,
    pub contact: String,
    pub stage: String,
    /// `active`, `hired` or `rejected`.
    pub state: String,
}

fn candidate_out(c: &Candidate) -> CandidateOut {
    CandidateOut {
        id: c.id,
        name: c.name.clone(),
        contact: c.contact.clone(),
        stage: c.stage.clone(),
        state: c.state.clone(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OpeningDetailOut {
    #[serde(flatten)]
    pub opening: OpeningOut,
    pub scorecard: ScorecardTemplate,
    pub candidates: Vec<CandidateOut>,
}

/// The openings the caller works on (all of them for admins and the
/// people team). Never candidates.
#[utoipa::path(get, path = "/api/v1/openings", responses((status = 200, body = [OpeningOut])))]
pub async fn api_openings(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
) -> Result<Json<Vec<OpeningOut>>, ApiError> {
    let list = s.access().openings_for(&v).await?;
    Ok(Json(list.iter().map(opening_out).collect()))
}

/// Opens a position with its hiring team. People team and admins.
#[utoipa::path(post, path = "/api/v1/openings", request_body = OpeningInput, responses(
    (status = 200, body = OpeningDetailOut),
    (status = 400, body = ErrorBody, description = "The message names the field"),
    (status = 403, body = ErrorBody)
))]
pub async fn api_open(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    bytes: Bytes,
) -> Result<Json<OpeningDetailOut>, ApiError> {
    let access = s.access();
    let admin = access.hiring_admin(&v)?;
    let input: OpeningInput = body(&bytes)?;
    let o = check_opening(&s, &admin, &input).await?;
    let id = admin.create(&o, s.now()).await?;
    let opening = admin.opening(id).await?;
    Ok(Json(OpeningDetailOut {
        scorecard: template_of(&s, &opening)?,
        opening: opening_out(&opening),
        candidates: Vec::new(),
    }))
}

/// An opening, its scorecard template and its candidates: the hiring team
/// and admins.
#[utoipa::path(get, path = "/api/v1/openings/{opening}", params(("opening" = i64, Path)), responses(
    (status = 200, body = OpeningDetailOut),
    (status = 403, body = ErrorBody)
))]
pub async fn api_opening(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
) -> Result<Json<OpeningDetailOut>, ApiError> {
    let view = s.access().opening(&v, id).await?;
    Ok(Json(OpeningDetailOut {
        scorecard: template_of(&s, &view.opening)?,
        opening: opening_out(&view.opening),
        candidates: view.candidates().await?.iter().map(candidate_out).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CandidateIn {
    pub name: String,
    /// An email or phone number.
    pub contact: String,
}

/// Records a candidate at the first stage: the hiring team and admins.
#[utoipa::path(post, path = "/api/v1/openings/{opening}/candidates", params(("opening" = i64, Path)), request_body = CandidateIn, responses(
    (status = 200, body = CandidateOut),
    (status = 400, body = ErrorBody),
    (status = 403, body = ErrorBody)
))]
pub async fn api_add_candidate(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
    bytes: Bytes,
) -> Result<Json<CandidateOut>, ApiError> {
    let access = s.access();
    let view = access.opening(&v, id).await?;
    let c: CandidateIn = body(&bytes)?;
    let (name, contact) = candidate_fields(&c.name, &c.contact)?;
    let t = template_of(&s, &view.opening)?;
    let first = t.stages.first().map(|st| st.id.clone()).unwrap_or_default();
    let cid = view.add_candidate(&name, &contact, &first, s.now()).await?;
    let cv = access.candidate(&v, cid).await?;
    Ok(Json(candidate_out(&cv.candidate)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScorecardOut {
    pub stage: String,
    pub interviewer_id: Id,
    pub scores: Vec<ScoreOut>,
    pub notes: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreOut {
    pub requirement: String,
    pub score: Option<i32>,
    pub notes: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CandidateDetailOut {
    #[serde(flatten)]
    pub candidate: CandidateOut,
    pub opening_id: Id,
    /// The scorecards the caller may see: all for leads and admins; for an
    /// interviewer, their own and the others' of stages they have scored.
    pub scorecards: Vec<ScorecardOut>,
    /// How many scorecards are in per stage (not their scores).
    pub submitted: Vec<(String, usize)>,
    /// Every requirement and how the visible scorecards cover it.
    pub coverage: Vec<Coverage>,
}

async fn candidate_json(
    s: &AppState,
    view: &CandidateView<'_>,
) -> Result<CandidateDetailOut, AppError> {
    let t = template_of(s, &view.opening)?;
    let cards = view.scorecards().await?;
    Ok(CandidateDetailOut {
        candidate: candidate_out(&view.candidate),
        opening_id: view.opening.id,
        coverage: coverage(&t, &cards),
        submitted: view.submitted_per_stage().await?,
        scorecards: cards
            .into_iter()
            .map(|c| ScorecardOut {
                stage: c.stage,
                interviewer_id: c.interviewer_id,
                scores: c
                    .scores
                    .into_iter()
                    .map(|x| ScoreOut {
                        requirement: x.requirement,
                        score: x.score,
                        notes: x.notes,
                    })
                    .collect(),
                notes: c.notes,
            })
            .collect(),
    })
}

/// A candidate with the scorecards the caller may see.
#[utoipa::path(get, path = "/api/v1/candidates/{candidate}", params(("candidate" = i64, Path)), responses(
    (status = 200, body = CandidateDetailOut),
    (status = 403, body = ErrorBody)
))]
pub async fn api_candidate(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
) -> Result<Json<CandidateDetailOut>, ApiError> {
    let view = s.access().candidate(&v, id).await?;
    Ok(Json(candidate_json(&s, &view).await?))
}

/// Submits the caller's scorecard for a stage, once.
#[utoipa::path(post, path = "/api/v1/candidates/{candidate}/scorecards", params(("candidate" = i64, Path)), request_body = ScorecardIn, responses(
    (status = 200, body = CandidateDetailOut),
    (status = 400, body = ErrorBody),
    (status = 403, body = ErrorBody)
))]
pub async fn api_score(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
    bytes: Bytes,
) -> Result<Json<CandidateDetailOut>, ApiError> {
    let now = s.now();
    let access = s.access();
    let view = access.candidate(&v, id).await?;
    if !view.may_score() {
        return Err(AppError::Forbidden.into());
    }
    let input: ScorecardIn = body(&bytes)?;
    let t = template_of(&s, &view.opening)?;
    let card = check_scorecard(&s, &t, &input, id, v.account.id, now)?;
    view.submit(&card, now).await?;
    Ok(Json(candidate_json(&s, &view).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MoveIn {
    /// `next`, `hired` or `rejected`.
    pub to: String,
}

/// Moves a candidate to the next stage, or hires or rejects them: leads
/// and admins.
#[utoipa::path(post, path = "/api/v1/candidates/{candidate}/move", params(("candidate" = i64, Path)), request_body = MoveIn, responses(
    (status = 200, body = CandidateDetailOut),
    (status = 400, body = ErrorBody),
    (status = 403, body = ErrorBody)
))]
pub async fn api_move(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
    bytes: Bytes,
) -> Result<Json<CandidateDetailOut>, ApiError> {
    let access = s.access();
    let view = access.candidate(&v, id).await?;
    if !view.may_manage() {
        return Err(AppError::Forbidden.into());
    }
    let m: MoveIn = body(&bytes)?;
    let t = template_of(&s, &view.opening)?;
    let (stage, state) = destination(&t, &view.candidate, &m.to)?;
    view.move_to(&stage, state, s.now()).await?;
    let view = access.candidate(&v, id).await?;
    Ok(Json(candidate_json(&s, &view).await?))
}

/// Deletes a candidate and their scorecards: leads and admins. The audit
/// log keeps only that it happened.
#[utoipa::path(post, path = "/api/v1/candidates/{candidate}/delete", params(("candidate" = i64, Path)), responses(
    (status = 204, description = "Deleted"),
    (status = 403, body = ErrorBody)
))]
pub async fn api_delete(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
) -> Result<Response, ApiError> {
    let view = s.access().candidate(&v, id).await?;
    if !view.may_manage() {
        return Err(AppError::Forbidden.into());
    }
    view.delete(s.now()).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}
