//! The people pages: a person (and their private data, for those who may
//! see it), a manager's team, the organisation and its search, the people
//! team's import and export, and the audit log.

use crate::access::{DirectoryEntry, ImportOutcome, Viewer};
use crate::http::page::{Chrome, entry_title, page, role_title};
use crate::http::read_upload;
use crate::http::table::{Key, PER_PAGE, Spec, Table, TableQuery};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ladder_framework::Framework;
use ladder_org::people_csv::RowError;
use serde::Deserialize;

struct PrivateView {
    grade: String,
    start_date: String,
    history: HistoryTable,
}

/// A role history as a table: the person page's and the history route's.
#[derive(Template)]
#[template(path = "people/history.html")]
struct HistoryTable {
    /// (from, role, grade, why)
    rows: Vec<(String, String, String, String)>,
}

fn history_table(fw: &Framework, p: &crate::access::Private) -> HistoryTable {
    let rows = p
        .history()
        .iter()
        .cloned()
        .map(|h| {
            let t = role_title(
                fw,
                &h.role.family,
                &h.role.level,
                h.role.specialty.as_deref(),
            );
            (h.effective, t, h.role.grade, h.reason)
        })
        .collect();
    HistoryTable { rows }
}

#[derive(Template)]
#[template(path = "people/person.html")]
struct PersonPage {
    chrome: Chrome,
    entry: DirectoryEntry,
    role_title: String,
    manager: Option<DirectoryEntry>,
    reports: Vec<(i64, String, String)>,
    private: Option<PrivateView>,
    /// The viewer is on the people team (who may erase a leaver).
    people_team: bool,
}

pub async fn person(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let loaded = s.framework();
    let fw = &loaded.framework;
    let (entry, private) = s
        .access()
        .person_page(&v, id, s.now())
        .await?
        .ok_or(AppError::NotFound)?;
    let dir = s.access().directory(&v).await?;
    let manager = entry.manager_id.and_then(|m| dir.get(m));
    let reports = dir
        .reports_of(id)
        .iter()
        .map(|r| (r.id, r.name.clone(), entry_title(fw, r)))
        .collect();
    let private = private.map(|p| PrivateView {
        grade: p.person.record.role.grade.clone(),
        start_date: p
            .person
            .record
            .start_date
            .map_or_else(|| "not recorded".to_owned(), |d| d.to_string()),
        history: history_table(fw, &p),
    });
    page(&PersonPage {
        chrome: Chrome::new(&entry.name, Some(&v)),
        role_title: entry_title(fw, &entry),
        entry,
        manager,
        reports,
        private,
        people_team: v.roles().people_team,
    })
}

/// Only the role history: the private part alone (for the matrix and for
/// linking).
pub async fn person_history(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let p = s.access().private(&v, id, s.now()).await?;
    page(&history_table(&s.framework().framework, &p))
}

#[derive(Clone, Debug)]
struct TeamMember {
    id: i64,
    name: String,
    role: String,
    manager: String,
    location: String,
    /// Its place in the chain's order (by layer).
    place: usize,
}

/// Everyone under a manager, by layer, and how many report directly.
#[derive(Debug, Default)]
struct TeamChain {
    members: Vec<TeamMember>,
    /// The orders the table has been asked for, of `members`.
    orders: crate::http::table::Orders,
    direct: usize,
}

/// Direct reports, then everyone under them, breadth first.
fn team_members(
    loaded: &crate::Loaded,
    dir: &crate::access::Directory,
    me: &ladder_store::Person,
) -> TeamChain {
    let mut members = Vec::new();
    let mut direct = 0;
    let mut queue = vec![(me.id, me.record.name.clone())];
    let mut depth = 0;
    while !queue.is_empty() && depth < 16 {
        let mut next = Vec::new();
        for (id, name) in &queue {
            for r in dir.reports_of(*id) {
                members.push(TeamMember {
                    id: r.id,
                    name: r.name.clone(),
                    role: entry_title(&loaded.framework, &r),
                    manager: name.clone(),
                    location: r.location.clone(),
                    place: members.len(),
                });
                next.push((r.id, r.name));
            }
        }
        if depth == 0 {
            direct = members.len();
        }
        queue = next;
        depth += 1;
    }
    TeamChain {
        members,
        direct,
        orders: crate::http::table::Orders::default(),
    }
}

#[derive(Template)]
#[template(path = "people/team.html")]
struct TeamPage {
    chrome: Chrome,
    /// Everyone in the reporting chain: filtered, sorted and paged.
    t: Table<TeamMember>,
    caption: &'static str,
    table_id: &'static str,
    direct: usize,
}

const TEAM: Spec = Spec {
    columns: &[
        ("name", "Name"),
        ("role", "Role"),
        ("manager", "Reports to"),
        ("location", "Location"),
    ],
    default_sort: "chain",
    per_page: PER_PAGE,
};

/// Direct reports, then everyone under them, breadth first (the order
/// before any sort is asked for).
pub async fn team(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<TableQuery>,
) -> Result<Response, AppError> {
    let loaded = s.framework();
    let dir = s.access().directory(&v).await?;
    // The chain, walked once per version of the organisation: a head of
    // a large one then pays for the page shown.
    let chain = match &v.person {
        Some(me) => {
            loaded
                .view("team.members", &me.id.to_string(), dir.version(), async {
                    Ok::<_, AppError>(team_members(&loaded, &dir, me))
                })
                .await?
        }
        None => std::sync::Arc::new(TeamChain::default()),
    };
    let t = Table::of(
        TEAM,
        "/team",
        (&chain.members, &chain.orders),
        &q,
        &[],
        |m| format!("{} {} {} {}", m.name, m.role, m.manager, m.location),
        |m, k| match k {
            "name" => Key::text(&m.name),
            "role" => Key::text(&m.role),
            "manager" => Key::text(&m.manager),
            "location" => Key::text(&m.location),
            #[allow(clippy::cast_precision_loss)]
            _ => Key::Num(m.place as f64),
        },
    );
    let direct = chain.direct;
    page(&TeamPage {
        chrome: Chrome::new("My team", Some(&v)),
        t,
        caption: "your team",
        table_id: "team",
        direct,
    })
}

struct Department {
    name: String,
    count: usize,
    /// `/org?department=…`, encoded.
    href: String,
}

/// One department's people, a page at a time.
struct DepartmentPage {
    name: String,
    count: usize,
    people: Vec<(i64, String, String)>,
    /// The next page's address, if there is one.
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "people/org.html")]
struct OrgPage<'a> {
    chrome: Chrome,
    /// People per level across the organisation, as a chart.
    levels: &'a str,
    q: String,
    results: Vec<(i64, String, String)>,
    departments: Vec<Department>,
    /// The department asked for (`?department=`), its page of people.
    shown: Option<DepartmentPage>,
}

#[derive(Template)]
#[template(path = "people/org_results.html")]
struct OrgResults {
    q: String,
    results: Vec<(i64, String, String)>,
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    /// A department whose people to list, a page at a time.
    #[serde(default)]
    department: String,
    #[serde(default)]
    cursor: String,
}

/// How many of a department's people `/org` lists at once.
const DEPARTMENT_PAGE: usize = 100;

fn org_link(department: &str, cursor: Option<&str>) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("department", department);
    if let Some(c) = cursor {
        q.append_pair("cursor", c);
    }
    format!("/org?{}#department", q.finish())
}

pub async fn org(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<SearchQuery>,
) -> Result<Response, AppError> {
    let loaded = s.framework();
    let fw = &loaded.framework;
    let dir = s.access().directory(&v).await?;
    let results = if q.q.trim().is_empty() {
        Vec::new()
    } else {
        dir.search(&q.q, 50)
            .iter()
            .map(|p| (p.id, p.name.clone(), entry_title(fw, p)))
            .collect()
    };
    // Counted and drawn once per version of the organisation.
    let levels = loaded
        .view("org.levels", "", dir.version(), async {
            crate::growth::pages::level_chart(
                fw,
                "org-levels",
                "The organisation: people per level",
                dir.active_levels(),
            )
        })
        .await?;
    let departments: Vec<Department> = dir
        .departments()
        .into_iter()
        .map(|(name, count)| Department {
            href: org_link(&name, None),
            name,
            count,
        })
        .collect();
    let shown = match departments.iter().find(|d| d.name == q.department) {
        Some(d) if !q.department.is_empty() => {
            let paging = crate::http::paging::PageQuery {
                limit: Some(i64::try_from(DEPARTMENT_PAGE).unwrap_or(100)),
                cursor: Some(q.cursor.clone()),
            }
            .paging()?;
            let (people, next) = dir.department_page(&d.name, paging);
            Some(DepartmentPage {
                name: d.name.clone(),
                count: d.count,
                people: people
                    .iter()
                    .map(|p| (p.id, p.name.clone(), entry_title(fw, p)))
                    .collect(),
                next: next.map(|c| org_link(&d.name, Some(&c))),
            })
        }
        _ if !q.department.is_empty() => {
            return Err(AppError::NotFound);
        }
        _ => None,
    };
    page(&OrgPage {
        chrome: Chrome::new("Organisation", Some(&v)),
        levels: &levels,
        q: q.q,
        results,
        departments,
        shown,
    })
}

/// The htmx fragment behind the live search.
pub async fn org_search(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<SearchQuery>,
) -> Result<Response, AppError> {
    let loaded = s.framework();
    let results = if q.q.trim().is_empty() {
        Vec::new()
    } else {
        s.access()
            .directory(&v)
            .await?
            .search(&q.q, 50)
            .iter()
            .map(|p| (p.id, p.name.clone(), entry_title(&loaded.framework, p)))
            .collect()
    };
    page(&OrgResults { q: q.q, results })
}

#[derive(Template)]
#[template(path = "people/import.html")]
struct ImportPage {
    chrome: Chrome,
    summary: Option<String>,
    errors: Vec<RowError>,
}

pub async fn import_form(v: Viewer, State(s): State<AppState>) -> Result<Response, AppError> {
    s.access().people_team(&v)?;
    page(&ImportPage {
        chrome: Chrome::new("Import people", Some(&v)),
        summary: None,
        errors: Vec::new(),
    })
}

pub async fn import(
    State(s): State<AppState>,
    v: Viewer,
    form: Multipart,
) -> Result<Response, AppError> {
    let team = s.access().people_team(&v)?;
    let csv = read_upload(&v, form).await?;
    let loaded = s.framework();
    let (summary, errors, status) = match team.import(&csv, &loaded.framework, s.now()).await? {
        ImportOutcome::Applied(sum) => (
            Some(format!(
                "{} new, {} updated, {} unchanged, {} role changes recorded",
                sum.created, sum.updated, sum.unchanged, sum.role_changes
            )),
            Vec::new(),
            StatusCode::OK,
        ),
        ImportOutcome::Refused(errors) => (None, errors, StatusCode::UNPROCESSABLE_ENTITY),
    };
    let res = page(&ImportPage {
        chrome: Chrome::new("Import people", Some(&v)),
        summary,
        errors,
    })?;
    Ok((status, res).into_response())
}

pub async fn export(State(s): State<AppState>, v: Viewer) -> Result<Response, AppError> {
    let chunks = s.access().people_team(&v)?.export(s.now()).await?;
    Ok(crate::http::download(
        "text/csv; charset=utf-8",
        "people.csv",
        futures_util::stream::iter(chunks.map(Ok)),
    ))
}
