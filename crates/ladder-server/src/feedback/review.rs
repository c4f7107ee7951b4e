//! The 360's outcome pages: level-change proposals (proposing, reading,
//! deciding) and a department's calibration (the 9-box, people per level,
//! ratings per level, readiness).

use super::pages::Named;
use super::service::{self, *};
use crate::access::{ProposalView, Proposer, Viewer};
use crate::http::Fields;
use crate::http::page::{Chrome, level_title, page, role_title};
use crate::http::table::{Key, Orders, PER_PAGE, Spec, Table, TableQuery};
use crate::{AppError, AppState};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use ladder_store::{Cycle, CycleState, Id, Proposal, ProposalStep};

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
    /// The promotion policy checked now: (months at the level, ready,
    /// what falls short), when a cycle takes proposals.
    policy: Option<(Option<u32>, bool, Vec<String>)>,
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
    let title = |l: &str| level_title(fw, l).to_owned();
    let next = ladder_growth::worksheet::next_level(fw, &role.family, &role.level);
    let cycle = p.open_cycle().await?;
    let policy = match (&cycle, &next) {
        (Some(c), Some(_)) => {
            let e = gather_evidence(
                s,
                v,
                &p.person,
                c,
                ladder_growth::feedback::ChangeKind::Promotion,
                s.now(),
            )
            .await?;
            Some((e.months_at_level, e.ready, e.gaps))
        }
        _ => None,
    };
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
        cycle,
        policy,
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
    /// The next level's competencies not yet demonstrated, by their text.
    missing: Vec<String>,
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
    let evidence: Evidence = serde_json::from_str(&p.new.evidence).unwrap_or_default();
    let missing = evidence
        .missing
        .iter()
        .map(|id| {
            fw.items
                .get(id)
                .map_or_else(|| id.clone(), |i| i.text.clone())
        })
        .collect();
    page(&ProposalPage {
        chrome: Chrome::new("Level change proposal", Some(v)),
        missing,
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
        evidence,
        steps: view.steps().await?,
        decide: view.may_decide().map(|a| approver_words(a.as_str())),
        locked: view.locked().await?,
        new_band: crate::pay::service::proposal_band(
            s,
            v,
            p.new.person_id,
            (&p.new.to_level, &p.new.to_grade),
        )
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
struct CalibrationPage<'a> {
    chrome: Chrome,
    cycle: Cycle,
    data: &'a CalibrationData,
    chart: &'a str,
    /// The cycle is closed: the page is a record, nothing changes.
    closed: bool,
    can_lock: bool,
    segment: String,
    nine_box: &'a str,
    /// (name, level, performance, readiness, box) of the first [`SHOWN`]
    /// placed, and how many are placed in all.
    placed: &'a [(String, String, String, String, String)],
    placed_count: usize,
    /// (name, level, why) of the first [`SHOWN`] not placed, and how many
    /// in all.
    unplaced: &'a [(String, String, &'static str)],
    unplaced_count: usize,
    people_chart: &'a str,
    /// Everyone's readiness: filtered, sorted and paged.
    t: Table<ReadinessLine>,
    caption: &'static str,
    table_id: &'static str,
    /// The department's proposals, with their levels' titles (from, to).
    proposals: &'a [(ProposalSummary, String, String)],
}

/// How many people the 9-box table and the list of those not placed show
/// at most: the readiness table below lists everyone, a page at a time.
const SHOWN: usize = 50;

/// A row of the readiness table.
#[derive(Clone, Debug)]
struct ReadinessLine {
    name: String,
    level: String,
    ready: bool,
    /// The latest share, for sorting; none without ratings.
    share: Option<f64>,
    /// The share in words, or "no ratings yet".
    shown: String,
}

const READINESS: Spec = Spec {
    columns: &[
        ("name", "Person"),
        ("level", "Level"),
        ("share", "Next level shown"),
        ("ready", "Ready"),
    ],
    default_sort: "name",
    per_page: PER_PAGE,
};

/// A proposal's next approver in words.
pub fn approver_words(step: &str) -> String {
    match step {
        "skip_level" => "the skip-level manager".to_owned(),
        "people_team" => "the people team".to_owned(),
        "manager" => "the manager".to_owned(),
        other => other.replace('_', " "),
    }
}

/// What the calibration page shows of a department before its readiness
/// table is paged: computed once per quarter and recorded write (a
/// department can hold thousands of people).
struct CalibrationView {
    data: std::sync::Arc<CalibrationData>,
    chart: String,
    nine_box: String,
    placed: Vec<(String, String, String, String, String)>,
    placed_count: usize,
    unplaced: Vec<(String, String, &'static str)>,
    unplaced_count: usize,
    people_chart: String,
    lines: Vec<ReadinessLine>,
    orders: Orders,
    proposals: Vec<(ProposalSummary, String, String)>,
}

fn calibration_view(
    loaded: &crate::Loaded,
    data: std::sync::Arc<CalibrationData>,
) -> Result<CalibrationView, AppError> {
    let fw = &loaded.framework;
    let thirds = ["low", "medium", "high"];
    let word = |x: f64| {
        thirds
            .get(ladder_growth::charts::third(x))
            .copied()
            .unwrap_or("")
    };
    let mut dots = Vec::new();
    let mut placed = Vec::new();
    let mut unplaced = Vec::new();
    for p in &data.placements {
        let level = level_title(fw, &p.level).to_owned();
        match (p.performance, p.readiness) {
            (Some(perf), Some(ready)) => {
                dots.push(ladder_growth::charts::Placed {
                    label: short_name(&p.name),
                    performance: perf,
                    readiness: ready,
                });
                placed.push((
                    p.name.clone(),
                    level,
                    percent(&perf),
                    percent(&ready),
                    format!("performance {}, readiness {}", word(perf), word(ready)),
                ));
            }
            (None, _) => unplaced.push((p.name.clone(), level, "no manager ratings yet")),
            (Some(_), None) => {
                let why = if p.top {
                    "top of the ladder: no next level"
                } else {
                    "no readiness data yet"
                };
                unplaced.push((p.name.clone(), level, why));
            }
        }
    }
    let nine_box = ladder_growth::charts::nine_box(
        "ninebox",
        &format!("{}: performance against readiness", data.department),
        &dots,
    )
    .map_err(AppError::Internal)?;
    let people_chart = ladder_growth::charts::counts(
        "levels",
        &format!("{}: people per level", data.department),
        "People at each level",
        &data
            .people_per_level
            .iter()
            .map(|(l, n)| (level_title(fw, l).to_owned(), *n))
            .collect::<Vec<_>>(),
    )
    .map_err(AppError::Internal)?;
    let with_readiness: std::collections::HashSet<Id> = data
        .placements
        .iter()
        .filter(|p| p.readiness.is_some())
        .map(|p| p.id)
        .collect();
    let lines: Vec<ReadinessLine> = data
        .readiness
        .iter()
        .map(|(id, name, level, ready, share)| {
            let has = with_readiness.contains(id);
            ReadinessLine {
                name: name.clone(),
                level: level_title(fw, level).to_owned(),
                ready: *ready,
                share: has.then_some(*share),
                shown: if has {
                    percent(share)
                } else {
                    "no ratings yet".to_owned()
                },
            }
        })
        .collect();
    let (placed_count, unplaced_count) = (placed.len(), unplaced.len());
    placed.truncate(SHOWN);
    unplaced.truncate(SHOWN);
    Ok(CalibrationView {
        chart: distribution_svg(loaded, &data)?,
        nine_box,
        placed,
        placed_count,
        unplaced,
        unplaced_count,
        people_chart,
        lines,
        orders: Orders::default(),
        proposals: data
            .proposals
            .iter()
            .map(|x| {
                (
                    x.clone(),
                    level_title(fw, &x.from_level).to_owned(),
                    level_title(fw, &x.to_level).to_owned(),
                )
            })
            .collect(),
        data,
    })
}

pub async fn calibration(
    State(s): State<AppState>,
    v: Viewer,
    Path((cycle, department)): Path<(Id, String)>,
    Query(table): Query<TableQuery>,
) -> Result<Response, AppError> {
    let now = s.now();
    let access = s.access();
    let c = access.calibration(&v, cycle, &department, now).await?;
    let loaded = s.framework();
    let kept = calibration_data(&loaded, &c, now).await?;
    let view = loaded
        .view("calibration.page", &kept.key, kept.version, async {
            calibration_view(&loaded, kept.data)
        })
        .await?;
    let closed = c.cycle.state == CycleState::Closed;
    let segment = path_segment(&department);
    let t = Table::of(
        READINESS,
        &format!("/cycles/{}/calibration/{segment}", c.cycle.id),
        (&view.lines, &view.orders),
        &table,
        &[],
        |l| {
            format!(
                "{} {} {}",
                l.name,
                l.level,
                if l.ready { "ready" } else { "" }
            )
        },
        |l, k| match k {
            "level" => Key::text(&l.level),
            "share" => l.share.map_or(Key::None, Key::Num),
            "ready" => Key::Num(if l.ready { 1.0 } else { 0.0 }),
            _ => Key::text(&l.name),
        },
    );
    page(&CalibrationPage {
        chrome: Chrome::new(&format!("Calibration: {department}"), Some(&v)),
        chart: &view.chart,
        closed,
        can_lock: access.cycle_admin(&v).is_ok() && !view.data.locked && !closed,
        segment,
        cycle: c.cycle.clone(),
        nine_box: &view.nine_box,
        placed: &view.placed,
        placed_count: view.placed_count,
        unplaced: &view.unplaced,
        unplaced_count: view.unplaced_count,
        people_chart: &view.people_chart,
        t,
        caption: "readiness",
        table_id: "readiness",
        proposals: &view.proposals,
        data: &view.data,
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

/// "Ana Kovač" as "Ana K.", for the 9-box's boxes (the table beside it
/// has full names).
fn short_name(name: &str) -> String {
    let mut words = name.split_whitespace();
    match (words.next(), words.last()) {
        (Some(first), Some(last)) => {
            format!("{first} {}.", last.chars().next().unwrap_or(' '))
        }
        (Some(first), None) => first.to_owned(),
        _ => String::new(),
    }
}

/// A share as a whole percent, for templates.
pub fn percent(x: &f64) -> String {
    format!("{:.0}%", x * 100.0)
}
