//! The pay pages: the people team's overview and imports, a person's own
//! pay, a manager's team.

use super::service::*;
use crate::access::{PayImport, Viewer};
use crate::http::page::{Chrome, page};
use crate::http::read_upload;
use crate::http::table::{Key, Orders, PER_PAGE, Spec, Table, TableQuery};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ladder_org::Date;
use ladder_org::pay::format_amount;
use ladder_org::people_csv::RowError;
use ladder_store::{Id, Person};

#[derive(Template)]
#[template(path = "pay/pay.html")]
struct PayPage<'a> {
    chrome: Chrome,
    report: &'a Report,
    /// Everyone with a salary: filtered, sorted and paged.
    t: Table<PayLine>,
    caption: &'static str,
    table_id: &'static str,
    /// Totals on top: (with a salary, outside their band, that as a
    /// percent, the median compa ratio).
    totals: &'a (usize, usize, String, String),
    /// The first [`SHOWN`] of those outside their band.
    flagged: &'a [PayLine],
    chart: Option<&'a str>,
    /// Each grouping, at most [`SHOWN`] groups of it, and how many more.
    groups: &'a [(&'static str, Vec<Group>, usize)],
    bands: Vec<[String; 8]>,
    summary: Option<String>,
    warnings: Vec<String>,
    errors: Vec<RowError>,
    error_file: String,
}

/// The "Everyone" table of the pay page.
const EVERYONE: Spec = Spec {
    columns: &[
        ("name", "Person"),
        ("department", "Department"),
        ("level", "Level"),
        ("grade", "Grade"),
        ("salary", "Salary"),
        ("band", "Band"),
        ("compa", "Compa"),
        ("flag", "Flag"),
    ],
    default_sort: "name",
    per_page: PER_PAGE,
};

/// A pay line's sort key for a column of either pay table.
#[allow(clippy::cast_precision_loss)] // amounts far below 2^52
fn line_key(l: &PayLine, column: &str) -> Key {
    match column {
        "department" => Key::text(&l.department),
        "level" => Key::text(&l.level),
        "grade" => Key::text(&l.grade),
        "salary" => Key::Num(l.salary as f64),
        "band" => l.band_mid.map_or(Key::None, |m| Key::Num(m as f64)),
        "compa" => l.ratio.map_or(Key::None, Key::Num),
        "flag" => Key::text(l.flag_text()),
        _ => Key::text(&l.name),
    }
}

async fn pay_page(
    s: &AppState,
    v: &Viewer,
    as_of: Date,
    table: &TableQuery,
    outcome: Option<(&str, PayImport)>,
) -> Result<Response, AppError> {
    let now = s.now();
    let access = s.access();
    let admin = access.pay_admin(v)?;
    let loaded = s.framework();
    let org_pay = org_figures(&admin, &loaded, as_of).await?;
    let (mut summary, mut warnings, mut errors, mut error_file) =
        (None, Vec::new(), Vec::new(), String::new());
    let mut status = StatusCode::OK;
    match outcome {
        Some((what, PayImport::Applied { rows, warnings: w })) => {
            summary = Some(format!("{rows} {what} rows stored"));
            warnings = w;
        }
        Some((what, PayImport::Refused(e))) => {
            errors = e;
            error_file = what.to_owned();
            status = StatusCode::UNPROCESSABLE_ENTITY;
        }
        None => {}
    }
    let bands = admin
        .bands()
        .await?
        .into_iter()
        .map(|b| {
            [
                if b.family.is_empty() {
                    "any".to_owned()
                } else {
                    format!("{} {}", b.family, b.level)
                },
                b.grade,
                b.zone,
                b.effective_from.to_string(),
                b.currency,
                format_amount(b.min),
                format_amount(b.mid),
                format_amount(b.max),
            ]
        })
        .collect();
    let f = org_pay.peek();
    let t = Table::of(
        EVERYONE,
        "/pay",
        (&f.report.people, &f.orders),
        table,
        &[("as_of", f.report.as_of.clone())],
        |l| {
            format!(
                "{} {} {} {} {}",
                l.name,
                l.department,
                l.level,
                l.grade,
                l.flag_text()
            )
        },
        line_key,
    );
    // What the page shows of anyone's pay: the table's page and the
    // flagged people listed; only they are recorded as read.
    let shown: Vec<Id> = t
        .rows
        .iter()
        .chain(f.flagged.iter())
        .map(|l| l.person_id)
        .collect();
    let f = org_pay.shown("pay.report.read", &shown, now).await?;
    let res = page(&PayPage {
        chrome: Chrome::new("Pay", Some(v)),
        t,
        caption: "people with a salary",
        table_id: "everyone",
        totals: &f.totals,
        flagged: &f.flagged,
        groups: &f.groups,
        report: &f.report,
        chart: f.chart.as_deref(),
        bands,
        summary,
        warnings,
        errors,
        error_file,
    })?;
    Ok((status, res).into_response())
}

pub async fn overview(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<AsOf>,
    Query(table): Query<TableQuery>,
) -> Result<Response, AppError> {
    s.access().pay_admin(&v)?;
    let as_of = q.date(s.now())?;
    pay_page(&s, &v, as_of, &table, None).await
}

pub async fn import_bands(
    State(s): State<AppState>,
    v: Viewer,
    form: Multipart,
) -> Result<Response, AppError> {
    let now = s.now();
    let access = s.access();
    let admin = access.pay_admin(&v)?;
    let csv = read_upload(&v, form).await?;
    let outcome = admin
        .import_bands(&csv, &s.framework().framework, now)
        .await?;
    let all = TableQuery::default();
    pay_page(&s, &v, Date::from_unix(now), &all, Some(("bands", outcome))).await
}

pub async fn import_salaries(
    State(s): State<AppState>,
    v: Viewer,
    form: Multipart,
) -> Result<Response, AppError> {
    let now = s.now();
    let access = s.access();
    let admin = access.pay_admin(&v)?;
    let csv = read_upload(&v, form).await?;
    let outcome = admin
        .import_salaries(&csv, &s.framework().framework, now)
        .await?;
    let all = TableQuery::default();
    pay_page(
        &s,
        &v,
        Date::from_unix(now),
        &all,
        Some(("salaries", outcome)),
    )
    .await
}

pub async fn export(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<AsOf>,
) -> Result<Response, AppError> {
    let now = s.now();
    let access = s.access();
    let admin = access.pay_admin(&v)?;
    let as_of = q.date(now)?;
    let loaded = s.framework();
    let org_pay = org_figures(&admin, &loaded, as_of).await?;
    let everyone: Vec<Id> = org_pay
        .peek()
        .report
        .people
        .iter()
        .map(|l| l.person_id)
        .collect();
    let f = org_pay.shown("pay.export", &everyone, now).await?;
    // Written a thousand lines at a time from the report kept for the
    // day: the export holds one chunk, not the file.
    let chunks = std::iter::once(Ok(EXPORT_HEADER.to_owned())).chain(
        crate::http::export_ranges(f.report.people.len())
            .map(move |r| Ok(export_lines(f.report.people.get(r).unwrap_or_default()))),
    );
    Ok(crate::http::download(
        "text/csv; charset=utf-8",
        "compa-ratios.csv",
        futures_util::stream::iter(chunks),
    ))
}

#[derive(Template)]
#[template(path = "pay/person_pay.html")]
struct PersonPayPage {
    chrome: Chrome,
    person: Person,
    mine: bool,
    zone: String,
    history: Vec<(String, String)>,
    line: Option<PayLine>,
    as_of: String,
}

pub async fn person_pay(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Id>,
    Query(q): Query<AsOf>,
) -> Result<Response, AppError> {
    let now = s.now();
    let as_of = q.date(now)?;
    let loaded = s.framework();
    let fw = &loaded.framework;
    let p = s.access().pay_of(&v, fw, id, as_of, now).await?;
    let line = p
        .compa
        .as_ref()
        .map(|c| line(p.team.clone(), &p.person, c, fw));
    page(&PersonPayPage {
        chrome: Chrome::new(&format!("Pay: {}", p.person.record.name), Some(&v)),
        mine: v.person_id() == Some(id),
        zone: p.zone.clone().unwrap_or_else(|| "no zone".to_owned()),
        history: p
            .history
            .iter()
            .rev()
            .map(|h| {
                (
                    h.effective_from.to_string(),
                    format!("{} {}", format_amount(h.amount), h.currency),
                )
            })
            .collect(),
        person: p.person,
        line,
        as_of: as_of.to_string(),
    })
}

#[derive(Template)]
#[template(path = "pay/team_pay.html")]
struct TeamPayPage<'a> {
    chrome: Chrome,
    report: &'a Report,
    people: usize,
    /// A page of the chain's people with a salary.
    t: Table<PayLine>,
    caption: &'static str,
    table_id: &'static str,
}

const TEAM_PAY: Spec = Spec {
    columns: &[
        ("name", "Person"),
        ("level", "Level"),
        ("salary", "Salary"),
        ("band", "Band"),
        ("compa", "Compa"),
        ("flag", "Flag"),
    ],
    default_sort: "name",
    per_page: PER_PAGE,
};

/// A chain's pay report, kept with the orders its table was asked for.
struct TeamReport {
    report: Report,
    orders: Orders,
}

/// The pay of the viewer's reporting chain, a page at a time; only the
/// people a page shows are recorded as read.
pub async fn team_pay(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<AsOf>,
    Query(table): Query<TableQuery>,
) -> Result<Response, AppError> {
    let now = s.now();
    let as_of = q.date(now)?;
    let loaded = s.framework();
    let fw = &loaded.framework;
    let team = s
        .access()
        .reports_pay(&v, &loaded, as_of, TEAM_REPORT, |rows| {
            Ok(TeamReport {
                report: report(rows, fw, as_of),
                orders: Orders::default(),
            })
        })
        .await?;
    let people = team.people();
    let t = Table::of(
        TEAM_PAY,
        "/team/pay",
        (&team.peek().report.people, &team.peek().orders),
        &table,
        &[("as_of", team.peek().report.as_of.clone())],
        |l| format!("{} {} {} {}", l.name, l.level, l.team, l.flag_text()),
        line_key,
    );
    let shown: Vec<Id> = t.rows.iter().map(|l| l.person_id).collect();
    let full = team.shown(&shown, now).await?;
    page(&TeamPayPage {
        chrome: Chrome::new("Team pay", Some(&v)),
        report: &full.report,
        people,
        t,
        caption: "your chain's pay",
        table_id: "team-pay",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(key: usize, flagged: usize, median: f64) -> Group {
        Group {
            key: format!("team {key:03}"),
            count: 5,
            min: median,
            q1: median,
            median,
            q3: median,
            max: median,
            flagged,
        }
    }

    #[test]
    fn a_long_grouping_keeps_the_groups_that_need_a_look_in_order() {
        let short: Vec<Group> = (0..SHOWN).map(|i| group(i, 0, 1.0)).collect();
        let (_, kept, more) = bounded("t", &short);
        assert_eq!((kept.len(), more), (SHOWN, 0));
        // 120 teams: ten with people out of band, the rest ranked by median.
        let long: Vec<Group> = (0..120)
            .map(|i| {
                let flagged = usize::from(i % 12 == 0) * 2;
                #[allow(clippy::cast_precision_loss)]
                let median = 0.8 + (i as f64) / 1000.0;
                group(i, flagged, median)
            })
            .collect();
        let (_, kept, more) = bounded("t", &long);
        assert_eq!((kept.len(), more), (SHOWN, 70));
        assert_eq!(kept.iter().filter(|g| g.flagged > 0).count(), 10);
        let keys: Vec<&str> = kept.iter().map(|g| g.key.as_str()).collect();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        assert_eq!(keys, sorted, "in the grouping's own order");
        // After the flagged ones, the lowest medians: teams 1 to 44 but
        // the flagged ones already in.
        assert!(keys.contains(&"team 001") && !keys.contains(&"team 119"));
    }
}
