//! The audit log as a tool for the people team: filtered by who acted,
//! whom it was about, the action (or its beginning) and the days, paged,
//! and exported as CSV or JSON with the same filters. Repeated reads show
//! as one entry with a count. Names, never bare ids.

use crate::access::{Directory, PeopleTeam, Viewer};
use crate::http::page::{Chrome, FormError, page};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use ladder_org::Date;
use ladder_store::{AuditEvent, AuditFilter, Id};
use serde::Deserialize;

const PAGE: i64 = 100;

/// The filters as typed, kept in the form and in the paging links.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    pub who: String,
    #[serde(default)]
    pub about: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    pub before: Option<i64>,
}

impl AuditQuery {
    /// The query string of these filters, for links.
    fn encoded(&self) -> String {
        let enc =
            |s: &str| -> String { form_urlencoded::byte_serialize(s.trim().as_bytes()).collect() };
        format!(
            "who={}&about={}&action={}&from={}&to={}",
            enc(&self.who),
            enc(&self.about),
            enc(&self.action),
            enc(&self.from),
            enc(&self.to)
        )
    }
}

fn day(field: &str, text: &str) -> Result<Option<i64>, AppError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<Date>().map(|d| Some(d.to_unix())).map_err(|_| {
        AppError::BadRequest(format!(
            "{field}: `{t}` is not a day; write it as YYYY-MM-DD"
        ))
    })
}

/// The store filter the typed filters mean, or the field that is wrong.
async fn filter(
    team: &PeopleTeam<'_>,
    dir: &Directory,
    q: &AuditQuery,
) -> Result<AuditFilter, AppError> {
    let mut f = AuditFilter::default();
    let who = q.who.trim();
    if !who.is_empty() {
        f.actor_id = Some(team.account_id(who).await?.ok_or_else(|| {
            AppError::BadRequest(format!("who: no account has the email `{who}`"))
        })?);
    }
    let about = q.about.trim();
    if !about.is_empty() {
        f.subject_id = Some(dir.id_of(about).ok_or_else(|| {
            AppError::BadRequest(format!("about: nobody has the email `{about}`"))
        })?);
    }
    let action = q.action.trim();
    if !action.is_empty() {
        f.action = Some(action.to_owned());
    }
    f.from = day("from", &q.from)?;
    f.until = day("to", &q.to)?.map(|t| t + 86_400);
    Ok(f)
}

fn when(at: i64) -> String {
    let secs = at.rem_euclid(86_400);
    format!(
        "{} {:02}:{:02}:{:02}",
        Date::from_unix(at),
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

struct Row {
    when: String,
    actor: String,
    action: String,
    subject: Option<(Id, String)>,
    detail: String,
    ip: String,
    /// Reads this entry counts (1: itself alone), and when the last was.
    reads: i64,
    last: String,
}

#[derive(Template)]
#[template(path = "people/audit.html")]
struct AuditPage {
    chrome: Chrome,
    q: AuditQuery,
    query: String,
    rows: Vec<Row>,
    next: Option<i64>,
    error: Option<FormError>,
}

/// Everyone's name by id and id by email, for the subject column and the
/// "about" filter.
fn subject_of(dir: &Directory, e: &AuditEvent) -> Option<(Id, String)> {
    e.subject_id.map(|i| {
        (
            i,
            dir.name(i)
                .map_or_else(|| "someone no longer stored".to_owned(), str::to_owned),
        )
    })
}

pub async fn audit(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<AuditQuery>,
) -> Result<Response, AppError> {
    let team = s.access().people_team(&v)?;
    let dir = s.access().directory(&v).await?;
    let (entries, error) = match filter(&team, &dir, &q).await {
        Ok(f) => (team.audit_log(&f, q.before, PAGE).await?, None),
        Err(AppError::BadRequest(m)) => (Vec::new(), Some(FormError::new(&m))),
        Err(e) => return Err(e),
    };
    let next = (entries.len() as i64 == PAGE)
        .then(|| entries.last().map(|e| e.0.id))
        .flatten();
    let rows = entries
        .into_iter()
        .map(|(e, reads, last)| Row {
            when: when(e.at),
            subject: subject_of(&dir, &e),
            actor: e.actor,
            action: e.action,
            detail: e.detail,
            ip: e.ip,
            reads,
            last: when(last),
        })
        .collect();
    page(&AuditPage {
        chrome: Chrome::new("Audit log", Some(&v)),
        query: q.encoded(),
        q,
        rows,
        next,
        error,
    })
}

/// Every entry the filters match, newest first, a batch at a time as the
/// download is written; the export is recorded first, with its filters.
async fn everything(
    s: &AppState,
    v: &Viewer,
    q: &AuditQuery,
) -> Result<
    (
        impl futures_util::Stream<Item = Result<Vec<(AuditEvent, i64, i64)>, AppError>>
        + Send
        + 'static
        + use<>,
        Directory,
    ),
    AppError,
> {
    let team = s.access().people_team(v)?;
    let dir = s.access().directory(v).await?;
    let f = filter(&team, &dir, q).await?;
    team.exported(&format!("audit log: {}", q.encoded()), s.now())
        .await?;
    Ok((team.audit_stream(f), dir))
}

/// `GET /audit/export.csv`: the filtered log as CSV.
pub async fn export_csv(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<AuditQuery>,
) -> Result<Response, AppError> {
    use futures_util::StreamExt as _;
    let (batches, dir) = everything(&s, &v, &q).await?;
    let header = futures_util::stream::iter([Ok(
        "id,at,time_utc,by,action,subject_id,subject,detail,from,reads,last_read_at\n".to_owned(),
    )]);
    let rows = batches.map(move |batch| {
        let mut out = String::new();
        for (e, reads, last) in batch? {
            let subject = subject_of(&dir, &e);
            let cells = [
                e.id.to_string(),
                e.at.to_string(),
                when(e.at),
                e.actor,
                e.action,
                e.subject_id.map(|i| i.to_string()).unwrap_or_default(),
                subject.map(|s| s.1).unwrap_or_default(),
                e.detail,
                e.ip,
                reads.to_string(),
                last.to_string(),
            ];
            ladder_framework::csv::spreadsheet_row(&mut out, &cells);
        }
        Ok(out)
    });
    Ok(crate::http::download(
        "text/csv; charset=utf-8",
        "audit-log.csv",
        header.chain(rows),
    ))
}

/// `GET /audit/export.json`: the filtered log as a JSON array, one entry
/// per line.
pub async fn export_json(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<AuditQuery>,
) -> Result<Response, AppError> {
    use futures_util::StreamExt as _;
    let (batches, dir) = everything(&s, &v, &q).await?;
    // "[" comes with the first row and "]" after the last, so that an
    // empty log is "[]".
    let opened = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let first = std::sync::Arc::clone(&opened);
    let rows = batches.map(move |batch| {
        let mut out = String::new();
        for (e, reads, last) in batch? {
            let row = serde_json::json!({
                "id": e.id,
                "at": e.at,
                "by": e.actor,
                "action": e.action,
                "subject_id": e.subject_id,
                "subject": subject_of(&dir, &e).map(|s| s.1),
                "detail": e.detail,
                "from": e.ip,
                "reads": reads,
                "last_read_at": last,
            });
            let started = first.swap(true, std::sync::atomic::Ordering::SeqCst);
            out.push_str(if started { ",\n" } else { "[\n" });
            out.push_str(&row.to_string());
        }
        Ok(out)
    });
    let end = futures_util::stream::once(async move {
        Ok(if opened.load(std::sync::atomic::Ordering::SeqCst) {
            "\n]\n".to_owned()
        } else {
            "[]\n".to_owned()
        })
    });
    Ok(crate::http::download(
        "application/json",
        "audit-log.json",
        rows.chain(end),
    ))
}
