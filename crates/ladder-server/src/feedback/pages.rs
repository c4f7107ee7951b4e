//! The 360 pages: cycles, nominations, questionnaires, results,
//! proposals and calibration.

use super::service::{self, *};
use crate::access::{Nominating, ProposalView, Proposer, Respondent, Viewer};
use crate::growth::service::scale_points;
use crate::http::Fields;
use crate::http::page::{Chrome, form_page, page, role_title};
use crate::people::picker::{self, Found, Pick, Picker};
use crate::{AppError, AppState};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use ladder_growth::feedback::{Question, Results};
use ladder_org::Date;
use ladder_store::{Cycle, CycleState, Id, Person, Proposal, ProposalStep};

#[derive(Template)]
#[template(path = "feedback/cycles.html")]
struct CyclesPage {
    chrome: Chrome,
    cycles: Vec<Cycle>,
    can_create: bool,
    error: Option<String>,
    /// The new cycle as typed, shown again when it was refused.
    plan: CyclePlan,
}

pub async fn cycles(State(s): State<AppState>, v: Viewer) -> Result<Response, AppError> {
    cycles_page(&s, &v, None, CyclePlan::default()).await
}

async fn cycles_page(
    s: &AppState,
    v: &Viewer,
    error: Option<String>,
    plan: CyclePlan,
) -> Result<Response, AppError> {
    let access = s.access();
    form_page(
        error.is_some(),
        &CyclesPage {
            chrome: Chrome::new("360 feedback", Some(v)),
            cycles: access.cycles(v).await?,
            can_create: access.cycle_admin(v).is_ok(),
            error,
            plan,
        },
    )
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
    match service::create_cycle(&admin, &s.framework().framework, &plan, now).await {
        Ok(id) => Ok(Redirect::to(&format!("/cycles/{id}")).into_response()),
        Err(AppError::BadRequest(e)) => cycles_page(&s, &v, Some(e), plan).await,
        Err(e) => Err(e),
    }
}

/// A person with a link target, for lists.
struct Named {
    id: Id,
    name: String,
}

#[derive(Template)]
#[template(path = "feedback/cycle.html")]
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
    /// The day the cycle moves on by itself, and whether that is still
    /// ahead (then moving it by hand needs a reason).
    scheduled: Option<(String, bool)>,
    /// The reason typed into a move that failed.
    reason: String,
    error: Option<String>,
}

pub async fn cycle(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
) -> Result<Response, AppError> {
    cycle_page(&s, &v, id, None, String::new()).await
}

async fn cycle_page(
    s: &AppState,
    v: &Viewer,
    id: Id,
    error: Option<String>,
    reason: String,
) -> Result<Response, AppError> {
    let access = s.access();
    let cycle = access.cycle(v, id).await?;
    let today = ladder_org::Date::from_unix(s.now());
    let scheduled = service::scheduled_move(&cycle).map(|d| (d.to_string(), today < d));
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
        scheduled,
        reason,
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
    let reason = f.get("reason");
    match service::advance(&admin, &cycle, f.get("from"), reason, now).await {
        Ok(_) => Ok(Redirect::to(&format!("/cycles/{id}")).into_response()),
        Err(AppError::BadRequest(e)) => cycle_page(&s, &v, id, Some(e), reason.to_owned()).await,
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "feedback/reminders.html")]
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
#[template(path = "feedback/nominations.html")]
struct NominationsPage {
    chrome: Chrome,
    cycle: Cycle,
    person: Named,
    as_manager: bool,
    open: bool,
    approved: bool,
    /// (name, relation) asked automatically.
    auto: Vec<(String, String)>,
    /// The peers nominated, by name.
    chosen: Vec<Pick>,
    /// The people picker (when the list can still be changed), with the
    /// reason a save was refused beside it.
    picker: String,
}

/// The nominations page. Its query may carry a search and the peers
/// chosen so far (the picker's "Find" without JavaScript).
pub async fn nominations(
    State(s): State<AppState>,
    v: Viewer,
    Path((cycle, person)): Path<(Id, Id)>,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    let access = s.access();
    let n = access.nominating(&v, cycle, person).await?;
    let q = Fields::parse(uri.query().unwrap_or("").as_bytes());
    if q.get("find").is_empty() {
        return nominations_page(&s, &v, &n, None, "", None).await;
    }
    let peers = ids_field("peers", &q.all("peer"))?;
    nominations_page(&s, &v, &n, Some(&peers), q.get("q"), None).await
}

/// The picker's search: peers who may be nominated, matching `q`.
pub async fn nomination_search(
    State(s): State<AppState>,
    v: Viewer,
    Path((cycle, person)): Path<(Id, Id)>,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    let access = s.access();
    let n = access.nominating(&v, cycle, person).await?;
    let q = Fields::parse(uri.query().unwrap_or("").as_bytes());
    let chosen = ids_field("peers", &q.all("peer"))?;
    let pool = n.candidates();
    let loaded = s.framework();
    let found = Found::new(
        &loaded.framework,
        "peer",
        true,
        q.get("q"),
        picker::find(q.get("q"), &pool, &chosen),
    );
    Ok(axum::response::Html(found.render()?).into_response())
}

async fn nominations_page(
    s: &AppState,
    v: &Viewer,
    n: &Nominating<'_>,
    chosen: Option<&[Id]>,
    q: &str,
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
    let loaded = s.framework();
    let fw = &loaded.framework;
    let pool = n.candidates();
    let chosen: Vec<Pick> = picked
        .iter()
        .filter_map(|id| pool.iter().find(|p| p.id == *id))
        .map(|p| Pick::of(fw, p))
        .collect();
    let open = n.cycle.state == CycleState::Nominations;
    let approved = saved.is_some_and(|l| l.approved_at.is_some());
    let failed = error.is_some();
    let picker = Picker {
        field: "peer".to_owned(),
        legend: "Peers to ask".to_owned(),
        hint: format!(
            "Choose {} to {} colleagues who know {}'s work.",
            n.cycle.plan.min_peers, n.cycle.plan.max_peers, n.person.record.name
        ),
        search_url: format!("/cycles/{}/nominations/{}/people", n.cycle.id, n.person.id),
        multiple: true,
        chosen: chosen.clone(),
        found: Found::new(fw, "peer", true, q, picker::find(q, &pool, &picked)),
        error: error.as_deref().map(crate::http::page::in_words),
    };
    crate::http::page::form_page(
        failed,
        &NominationsPage {
            chrome: Chrome::new("Nominations", Some(v)),
            open,
            approved,
            person: Named {
                id: n.person.id,
                name: n.person.record.name.clone(),
            },
            as_manager: n.as_manager,
            auto,
            picker: if open && (n.as_manager || !approved) {
                picker.html()
            } else {
                String::new()
            },
            chosen,
            cycle: n.cycle.clone(),
        },
    )
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
    match service::save_nominations(&n, &peers, now).await {
        Ok(()) => Ok(Redirect::to(&format!("/cycles/{cycle}")).into_response()),
        Err(AppError::BadRequest(e)) => {
            nominations_page(&s, &v, &n, Some(&peers), "", Some(e)).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "feedback/answer.html")]
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
    match service::answer(&r, &loaded, &input, now).await {
        Ok(()) => Ok(Redirect::to(&format!("/cycles/{cycle}")).into_response()),
        Err(AppError::BadRequest(e)) => answer_page(&s, &v, &r, Some(e)),
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "feedback/results.html")]
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
#[template(path = "feedback/propose.html")]
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
    match service::propose(&s, &v, &p, &input, now).await {
        Ok(id) => Ok(Redirect::to(&format!("/proposals/{id}")).into_response()),
        Err(AppError::BadRequest(e) | AppError::Conflict(e)) => {
            propose_page(&s, &v, &p, input, Some(e)).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "feedback/proposal.html")]
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
    new_band: Option<crate::pay::service::NewBand>,
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
        new_band: crate::pay::service::proposal_band(s, v, p.new.person_id, &p.new.to_grade)
            .await?,
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
    match service::decide(&view, approved, f.get("comment"), now).await {
        Ok(_) => Ok(Redirect::to(&format!("/proposals/{id}")).into_response()),
        Err(AppError::BadRequest(e)) => proposal_page(&s, &v, &view, Some(e)).await,
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "feedback/calibration.html")]
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
    service::lock_calibration(access, &v, &admin, cycle, &department, now).await?;
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
