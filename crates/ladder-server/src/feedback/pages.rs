//! The 360 pages: cycles, nominations, questionnaires, results,
//! proposals and calibration.

use super::service::{self, *};
use crate::access::{DirectoryEntry, Nominating, Respondent, Viewer};
use crate::growth::service::scale_points;
use crate::http::Fields;
use crate::http::page::{Chrome, FormError, form_page, in_words, page};
use crate::http::table::{Key, Orders, PER_PAGE, Spec, Table, TableQuery};
use crate::people::picker::{self, Found, Pick, Picker};
use crate::{AppError, AppState};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use ladder_growth::feedback::{Question, Results};
use ladder_org::Date;
use ladder_store::{Cycle, CycleState, Id, Person};

#[derive(Template)]
#[template(path = "feedback/cycles.html")]
struct CyclesPage {
    chrome: Chrome,
    cycles: Vec<Cycle>,
    can_create: bool,
    error: Option<FormError>,
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
            error: error.as_deref().map(FormError::new),
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
#[derive(Clone)]
pub(super) struct Named {
    pub(super) id: Id,
    pub(super) name: String,
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
    /// Completion per person across the organisation: filtered, sorted
    /// and paged.
    t: Table<(Named, usize, usize)>,
    caption: &'static str,
    table_id: &'static str,
    /// Across everyone: (answered, asked, percent, people complete).
    totals: (usize, usize, String, usize),
    departments: Vec<(String, String)>,
    next: Option<String>,
    /// The day the cycle moves on by itself, and whether that is still
    /// ahead (then moving it by hand needs a reason).
    scheduled: Option<(String, bool)>,
    /// The reason typed into a move that failed.
    reason: String,
    error: Option<String>,
    /// The results' releases: (day, people moved on, people held back,
    /// with the close).
    releases: Vec<(String, i64, i64, bool)>,
}

pub async fn cycle(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    Query(q): Query<TableQuery>,
) -> Result<Response, AppError> {
    cycle_page(&s, &v, id, &q, None, String::new()).await
}

/// Share of `b` that `a` is (0 when `b` is).
#[allow(clippy::cast_precision_loss)]
fn share(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Completion per person across the organisation: (person, asked,
/// answered), the table's orders, and the totals (answered, asked, that
/// as a percent, people complete).
struct Completion {
    rows: Vec<(Named, usize, usize)>,
    orders: Orders,
    totals: (usize, usize, String, usize),
}

impl Completion {
    fn of(rows: Vec<(Named, usize, usize)>) -> Completion {
        let (answered, asked): (usize, usize) =
            rows.iter().fold((0, 0), |(a, b), (_, x, y)| (a + y, b + x));
        let complete = rows.iter().filter(|(_, x, y)| x == y).count();
        Completion {
            totals: (
                answered,
                asked,
                format!("{:.0}%", share(answered, asked) * 100.0),
                complete,
            ),
            rows,
            orders: Orders::default(),
        }
    }
}

const COMPLETION: Spec = Spec {
    columns: &[
        ("name", "Person"),
        ("answered", "Answered"),
        ("share", "Share"),
    ],
    default_sort: "name",
    per_page: PER_PAGE,
};

async fn cycle_page(
    s: &AppState,
    v: &Viewer,
    id: Id,
    query: &TableQuery,
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
    let releases = match access.cycle_admin(v) {
        Ok(a) => a
            .releases(id)
            .await?
            .into_iter()
            .map(|r| {
                (
                    Date::from_unix(r.released_at).to_string(),
                    r.people,
                    r.held_back,
                    r.closing,
                )
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    let loaded = s.framework();
    let (admin, steps, org) = match access.cycle_admin(v) {
        Ok(a) => {
            let steps = a
                .steps(id)
                .await?
                .into_iter()
                .map(|t| {
                    (
                        t.state.as_str().to_owned(),
                        Date::from_unix(t.at).to_string(),
                    )
                })
                .collect();
            // Completion across the organisation, computed once per
            // recorded write; kept per viewer, since it leaves out the
            // viewer's own.
            let of = format!("{id}:{}", v.person_id().unwrap_or(0));
            let version = a.version().await?;
            let completion = loaded
                .view("cycle.completion", &of, version, async {
                    let rows = a.completion(id, |p, x, y| (named(p), x, y)).await?;
                    Ok::<_, AppError>(Completion::of(rows))
                })
                .await?;
            (true, steps, completion)
        }
        Err(_) => (
            false,
            Vec::new(),
            std::sync::Arc::new(Completion::of(Vec::new())),
        ),
    };
    let departments = access
        .calibratable(v)
        .await?
        .into_iter()
        .map(|d| (path_segment(&d), d))
        .collect();
    let totals = org.totals.clone();
    let t = Table::of(
        COMPLETION,
        &format!("/cycles/{id}"),
        (&org.rows, &org.orders),
        query,
        &[],
        |(p, _, _)| p.name.clone(),
        |(p, asked, answered), k| match k {
            "answered" => Key::Num(*answered as f64),
            "share" => Key::Num(share(*answered, *asked)),
            _ => Key::text(&p.name),
        },
    );
    page(&CyclePage {
        t,
        caption: "people",
        table_id: "completion",
        totals,
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
        departments,
        error,
        releases,
    })
}

/// The people team releases the results as they stand.
pub async fn release(
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
    match super::release::release_now(&admin, &s.framework(), &cycle, now).await {
        Ok(_) => Ok(Redirect::to(&format!("/cycles/{id}#releases")).into_response()),
        Err(AppError::BadRequest(e)) => {
            cycle_page(&s, &v, id, &TableQuery::default(), Some(e), String::new()).await
        }
        Err(e) => Err(e),
    }
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
    match service::advance(&admin, &s.framework(), &cycle, f.get("from"), reason, now).await {
        Ok(_) => Ok(Redirect::to(&format!("/cycles/{id}")).into_response()),
        Err(AppError::BadRequest(e)) => {
            let all = TableQuery::default();
            cycle_page(&s, &v, id, &all, Some(e), reason.to_owned()).await
        }
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
    nominations_page(&s, &v, &n, Some(&peers), q.get("peer_q"), None).await
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
    let q = picker::Search::read(uri.query().unwrap_or(""), "peer");
    let pool = picker::everyone(&s, &v).await?;
    let out = n.left_out();
    let keep = |p: &DirectoryEntry| !out.contains(&p.id);
    Found::response(&s.framework().framework, "peer", true, &q, &pool, &keep)
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
    let pool = picker::everyone(s, v).await?;
    let out = n.left_out();
    let keep = |p: &DirectoryEntry| !out.contains(&p.id);
    let open = n.cycle.state == CycleState::Nominations;
    let approved = saved.is_some_and(|l| l.approved_at.is_some());
    let failed = error.is_some();
    let picker = Picker {
        legend: "Peers to ask".to_owned(),
        hint: format!(
            "Choose {} to {} colleagues who know {}'s work.",
            n.cycle.plan.min_peers, n.cycle.plan.max_peers, n.person.record.name
        ),
        search_url: format!("/cycles/{}/nominations/{}/people", n.cycle.id, n.person.id),
        error: error.as_deref().map(in_words),
        ..Picker::new(fw, &pool, &keep, "peer", true, &picked, q)
    };
    let chosen = picker.chosen.clone();
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
    /// Self against manager against peers against reports per category
    /// (only the groups shown), as a chart.
    chart: String,
    /// The same as a table: the groups shown, then per category each
    /// group's "average from count" (or a dash).
    table_groups: Vec<&'static str>,
    table: Vec<(String, Vec<String>)>,
    /// The day of the release shown; `None` before the first.
    released_on: Option<String>,
}

/// The groups' averages per rated question, for the comparison chart and
/// its table.
fn comparison(
    results: &Results,
) -> (
    Vec<(String, Vec<ladder_growth::charts::Bar>)>,
    Vec<&'static str>,
) {
    let groups: Vec<&'static str> = results.groups.iter().map(|g| g.group.label()).collect();
    let mut rows: Vec<(String, Vec<ladder_growth::charts::Bar>)> = Vec::new();
    let mut keys: Vec<(String, String)> = Vec::new();
    for g in &results.groups {
        for q in g.questions.iter().filter(|q| q.rated) {
            if !keys.iter().any(|k| k.0 == q.key) {
                keys.push((q.key.clone(), q.title.clone()));
            }
        }
    }
    for (key, title) in keys {
        let bars = results
            .groups
            .iter()
            .filter_map(|g| {
                let q = g.questions.iter().find(|q| q.key == key)?;
                Some(ladder_growth::charts::Bar {
                    label: g.label.to_owned(),
                    mean: q.mean?,
                    count: q.rated_by.unwrap_or(0),
                })
            })
            .collect();
        rows.push((title, bars));
    }
    (rows, groups)
}

pub async fn results(
    State(s): State<AppState>,
    v: Viewer,
    Path((cycle, person)): Path<(Id, Id)>,
) -> Result<Response, AppError> {
    let now = s.now();
    let access = s.access();
    let r = access.feedback_results(&v, cycle, person, now).await?;
    let (released, completion) = results_of(&r).await?;
    let released_on = released
        .as_ref()
        .map(|x| Date::from_unix(x.released_at).to_string());
    let results = released.map_or_else(
        || ladder_growth::feedback::Results {
            threshold: usize::try_from(r.cycle.plan.anonymity_threshold).unwrap_or(3),
            groups: Vec::new(),
            hidden: Vec::new(),
        },
        |x| x.results,
    );
    let completion = completion.map(|c| (c.asked, c.answered));
    let (rows, table_groups) = comparison(&results);
    let max = scale_points(&s.framework().framework)
        .iter()
        .map(|p| p.0)
        .max()
        .unwrap_or(4);
    #[allow(clippy::cast_precision_loss)]
    let chart = if rows.iter().any(|r| !r.1.is_empty()) {
        ladder_growth::charts::comparison(
            "comparison",
            &format!(
                "Feedback for {}: average rating per group",
                r.person.record.name
            ),
            &rows,
            max as f64,
        )
        .map_err(AppError::Internal)?
    } else {
        String::new()
    };
    let table = rows
        .iter()
        .map(|(title, bars)| {
            let cells = table_groups
                .iter()
                .map(|g| {
                    bars.iter().find(|b| b.label == *g).map_or_else(
                        || "–".to_owned(),
                        |b| format!("{:.1} from {}", b.mean, b.count),
                    )
                })
                .collect();
            (title.clone(), cells)
        })
        .collect();
    page(&ResultsPage {
        chrome: Chrome::new("Feedback results", Some(&v)),
        chart,
        table_groups,
        table,
        can_propose: r.cycle.state == CycleState::Feedback
            && access.proposer(&v, person).await.is_ok(),
        person: Named {
            id: r.person.id,
            name: r.person.record.name.clone(),
        },
        cycle: r.cycle,
        results,
        completion,
        released_on,
    })
}
