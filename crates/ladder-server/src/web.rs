//! Server-rendered pages (askama), with htmx for the live search. Every
//! handler takes a [`Viewer`] (or [`MaybeViewer`]) and asks
//! [`crate::access::Access`] for what it may show.

use crate::access::{ClientIp, DirectoryEntry, ImportOutcome, MaybeViewer, Viewer, cookie};
use crate::auth::{PRE_COOKIE, SESSION_COOKIE, random_token};
use crate::{AppError, AppState};
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use ladder_framework::Framework;
use ladder_org::Date;
use ladder_org::people_csv::RowError;
use ladder_store::Roles;
use serde::Deserialize;
use std::collections::BTreeMap;

/// What every page's frame needs.
#[derive(Debug, Default)]
pub struct Chrome {
    pub title: String,
    pub signed_in: bool,
    pub name: String,
    pub csrf: String,
    pub people_team: bool,
    pub admin: bool,
    pub editor: bool,
    /// The viewer's person, for "my worksheet".
    pub person_id: Option<i64>,
}

impl Chrome {
    pub(crate) fn new(title: &str, v: Option<&Viewer>) -> Chrome {
        match v {
            None => Chrome {
                title: title.to_owned(),
                ..Chrome::default()
            },
            Some(v) => Chrome {
                title: title.to_owned(),
                signed_in: true,
                name: v.account.name.clone(),
                csrf: v.csrf().to_owned(),
                people_team: v.roles().people_team,
                admin: v.roles().admin,
                editor: v.roles().editor || v.roles().admin,
                person_id: v.person_id(),
            },
        }
    }
}

pub(crate) fn page(t: &impl Template) -> Result<Response, AppError> {
    Ok(Html(t.render()?).into_response())
}

/// A form's page: 400 when it is shown again because a field was wrong.
pub(crate) fn form_page(failed: bool, t: &impl Template) -> Result<Response, AppError> {
    let status = if failed {
        axum::http::StatusCode::BAD_REQUEST
    } else {
        axum::http::StatusCode::OK
    };
    Ok((status, page(t)?).into_response())
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    chrome: Chrome,
    heading: &'a str,
    message: &'a str,
}

/// The page for an error; never shows internals.
pub fn error_page(status: StatusCode, message: &str) -> Html<String> {
    let heading = match status {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::BAD_REQUEST => "That did not work",
        StatusCode::TOO_MANY_REQUESTS => "Slow down",
        _ => "Something went wrong",
    };
    let t = ErrorPage {
        chrome: Chrome::new(heading, None),
        heading,
        message,
    };
    Html(t.render().unwrap_or_else(|_| message.to_owned()))
}

pub async fn not_found() -> AppError {
    AppError::NotFound
}

pub async fn health() -> &'static str {
    "ok"
}

const HTMX: &[u8] = include_bytes!("../assets/htmx.min.js");
const CSS: &[u8] = include_bytes!("../assets/app.css");

pub async fn asset(Path(file): Path<String>) -> Result<Response, AppError> {
    let (bytes, kind) = match file.as_str() {
        "htmx.min.js" => (HTMX, "text/javascript; charset=utf-8"),
        "app.css" => (CSS, "text/css; charset=utf-8"),
        _ => return Err(AppError::NotFound),
    };
    Ok((
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        bytes,
    )
        .into_response())
}

/// The framework's static site, rendered at load time, served from memory.
pub async fn framework_index(State(s): State<AppState>) -> Result<Response, AppError> {
    serve_site(&s, "index.html")
}

pub async fn framework_file(
    State(s): State<AppState>,
    Path(path): Path<String>,
) -> Result<Response, AppError> {
    let path = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path
    };
    serve_site(&s, &path)
}

fn serve_site(s: &AppState, path: &str) -> Result<Response, AppError> {
    let fw = s.framework();
    let bytes = fw.site.get(path).ok_or(AppError::NotFound)?;
    Ok((
        [(header::CONTENT_TYPE, ladder_site::content_type(path))],
        bytes.clone(),
    )
        .into_response())
}

/// "Senior Backend Engineer (Payments)" from ids.
pub fn role_title(fw: &Framework, family: &str, level: &str, specialty: Option<&str>) -> String {
    let f = fw.families.iter().find(|f| f.id == family);
    let fam = f.map_or(family, |f| f.title.as_str());
    let lvl = fw
        .config
        .levels
        .iter()
        .find(|l| l.id == level)
        .map_or(level, |l| l.title.as_str());
    let spec = specialty.map(|s| {
        f.and_then(|f| f.specialties.iter().find(|x| x.id == s))
            .map_or(s, |x| x.title.as_str())
    });
    match spec {
        Some(s) => format!("{lvl} {fam} ({s})"),
        None => format!("{lvl} {fam}"),
    }
}

pub(crate) fn entry_title(fw: &Framework, e: &DirectoryEntry) -> String {
    role_title(fw, &e.family, &e.level, e.specialty.as_deref())
}

fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool, same_site: &str) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite={same_site}; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

// ---- Login, logout, setup

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    pre: String,
    email: String,
    error: Option<String>,
    notice: Option<String>,
    /// The single sign-on button's words, if SSO is configured.
    sso: Option<String>,
}

impl LoginPage {
    fn new(s: &AppState, pre: String) -> LoginPage {
        LoginPage {
            chrome: Chrome::new("Sign in", None),
            pre,
            email: String::new(),
            error: None,
            notice: None,
            sso: s.sso().map(|o| o.label().to_owned()),
        }
    }
}

/// The anonymous forms' CSRF token: the `ladder_pre` cookie, made if absent.
fn pre_token(headers: &HeaderMap) -> Result<(String, bool), AppError> {
    match pre_from(headers) {
        Some(t) => Ok((t, false)),
        None => Ok((random_token()?, true)),
    }
}

fn pre_from(headers: &HeaderMap) -> Option<String> {
    cookie(headers, PRE_COOKIE)
        .filter(|t| t.len() == 64)
        .map(str::to_owned)
}

fn with_pre(s: &AppState, pre: &str, fresh: bool, mut res: Response) -> Response {
    if fresh {
        res.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(PRE_COOKIE, pre, 3600, s.settings().secure_cookies, "Strict"),
        );
    }
    res
}

pub async fn login_form(
    State(s): State<AppState>,
    MaybeViewer(v): MaybeViewer,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    if v.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    let (pre, fresh) = pre_token(&headers)?;
    let res = page(&LoginPage {
        notice: (uri.query() == Some("signed-out")).then(|| "You have signed out.".to_owned()),
        ..LoginPage::new(&s, pre.clone())
    })?;
    Ok(with_pre(&s, &pre, fresh, res))
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

fn check_pre(headers: &HeaderMap, sent: &str) -> Result<(), AppError> {
    match pre_from(headers) {
        Some(t) if crate::access::constant_eq(t.as_bytes(), sent.as_bytes()) => Ok(()),
        _ => Err(AppError::Csrf),
    }
}

fn session_cookie(s: &AppState, token: &str, max_age: i64) -> HeaderValue {
    set_cookie(
        SESSION_COOKIE,
        token,
        max_age,
        s.settings().secure_cookies,
        "Lax",
    )
}

/// After a sign-in: the browser's previous session (if any) ends, and it
/// goes home with the new one.
async fn signed_in(
    s: &AppState,
    headers: &HeaderMap,
    session: &crate::auth::NewSession,
    now: i64,
) -> Result<Response, AppError> {
    if let Some(old) = cookie(headers, SESSION_COOKIE) {
        s.auth().logout(old).await?;
    }
    let mut res = Redirect::to("/").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        session_cookie(s, &session.token, session.expires_at - now),
    );
    Ok(res)
}

pub async fn login(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, AppError> {
    check_pre(&headers, &f.csrf)?;
    let now = s.now();
    match s.auth().login(&f.email, &f.password, &ip, now).await {
        Ok((_, session)) => signed_in(&s, &headers, &session, now).await,
        Err(e @ (AppError::BadRequest(_) | AppError::TooMany(_))) => {
            let status = e.status();
            let res = page(&LoginPage {
                email: f.email,
                error: Some(e.to_string()),
                ..LoginPage::new(&s, f.csrf)
            })?;
            Ok((status, res).into_response())
        }
        Err(e) => Err(e),
    }
}

/// The cookie that ties a single sign-on to the browser that began it.
const SSO_COOKIE: &str = "ladder_sso";

/// Begins single sign-on: keeps the flow in the store, binds its state to
/// this browser, and sends the browser to the provider.
pub async fn sso_start(
    State(s): State<AppState>,
    MaybeViewer(v): MaybeViewer,
) -> Result<Response, AppError> {
    let Some(sso) = s.sso() else {
        return Err(AppError::NotFound);
    };
    if v.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    let now = s.now();
    let started = sso.start(now).await?;
    s.auth().begin_sso(&started, now).await?;
    let mut res = Redirect::to(&started.url).into_response();
    // Lax, not Strict: the provider's redirect back is a cross-site
    // navigation, and the cookie must come with it.
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            SSO_COOKIE,
            &started.state,
            crate::sso::FLOW_SECONDS,
            s.settings().secure_cookies,
            "Lax",
        ),
    );
    Ok(res)
}

#[derive(Deserialize)]
pub struct SsoCallback {
    #[serde(default)]
    state: String,
    code: Option<String>,
    error: Option<String>,
}

/// Where the provider sends the browser back.
pub async fn sso_callback(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Query(q): Query<SsoCallback>,
) -> Result<Response, AppError> {
    let Some(sso) = s.sso() else {
        return Err(AppError::NotFound);
    };
    let now = s.now();
    let outcome = async {
        let bound = cookie(&headers, SSO_COOKIE)
            .is_some_and(|c| crate::access::constant_eq(c.as_bytes(), q.state.as_bytes()));
        let flow = if bound {
            s.auth().take_sso(&q.state, now).await?
        } else {
            None
        };
        let Some(flow) = flow else {
            return Err(AppError::BadRequest(
                "this sign-in was not started in this browser, or took longer than ten minutes; sign in again".to_owned(),
            ));
        };
        if let Some(e) = &q.error {
            return Err(AppError::BadRequest(format!(
                "your identity provider did not sign you in ({e}); try again, or sign in with a password"
            )));
        }
        let Some(code) = q.code.as_deref() else {
            return Err(AppError::BadRequest(
                "your identity provider sent no sign-in code; sign in again".to_owned(),
            ));
        };
        let who = sso.finish(code, &flow.nonce, &flow.verifier, now).await?;
        s.auth().sso_login(&who, &ip, now).await
    }
    .await;
    let clear = set_cookie(SSO_COOKIE, "", 0, s.settings().secure_cookies, "Lax");
    match outcome {
        Ok((_, session)) => {
            let mut res = signed_in(&s, &headers, &session, now).await?;
            res.headers_mut().append(header::SET_COOKIE, clear);
            Ok(res)
        }
        Err(e @ (AppError::BadRequest(_) | AppError::Upstream(_))) => {
            e.log();
            let (pre, fresh) = pre_token(&headers)?;
            let res = page(&LoginPage {
                error: Some(e.to_string()),
                ..LoginPage::new(&s, pre.clone())
            })?;
            let mut res = with_pre(&s, &pre, fresh, (e.status(), res).into_response());
            res.headers_mut().append(header::SET_COOKIE, clear);
            Ok(res)
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(
    State(s): State<AppState>,
    v: Viewer,
    Form(f): Form<CsrfForm>,
) -> Result<Response, AppError> {
    v.check_csrf(&f.csrf)?;
    if let Some(t) = v.session_token() {
        s.auth().logout(t).await?;
    }
    let mut res = Redirect::to("/login?signed-out").into_response();
    res.headers_mut()
        .append(header::SET_COOKIE, session_cookie(&s, "", 0));
    Ok(res)
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    chrome: Chrome,
    pre: String,
    token: String,
    name: String,
    email: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct SetupQuery {
    #[serde(default)]
    token: String,
}

pub async fn setup_form(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<SetupQuery>,
) -> Result<Response, AppError> {
    if s.auth().has_accounts().await? {
        return Err(AppError::BadRequest(
            "Ladder is set up already. Sign in, or ask an admin for an account.".to_owned(),
        ));
    }
    let (pre, fresh) = pre_token(&headers)?;
    let res = page(&SetupPage {
        chrome: Chrome::new("Set up Ladder", None),
        pre: pre.clone(),
        token: q.token,
        name: String::new(),
        email: String::new(),
        error: None,
    })?;
    Ok(with_pre(&s, &pre, fresh, res))
}

#[derive(Deserialize)]
pub struct SetupForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

pub async fn setup(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(f): Form<SetupForm>,
) -> Result<Response, AppError> {
    check_pre(&headers, &f.csrf)?;
    let now = s.now();
    match s
        .auth()
        .complete_bootstrap(&f.token, &f.email, &f.name, &f.password, &ip, now)
        .await
    {
        Ok((_, session)) => {
            let mut res = Redirect::to("/").into_response();
            res.headers_mut().append(
                header::SET_COOKIE,
                session_cookie(&s, &session.token, session.expires_at - now),
            );
            Ok(res)
        }
        Err(AppError::BadRequest(m)) => {
            let res = page(&SetupPage {
                chrome: Chrome::new("Set up Ladder", None),
                pre: f.csrf,
                token: f.token,
                name: f.name,
                email: f.email,
                error: Some(m),
            })?;
            Ok((StatusCode::BAD_REQUEST, res).into_response())
        }
        Err(e) => Err(e),
    }
}

// ---- Home, people, team, organisation

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    person: Option<DirectoryEntry>,
    role_title: String,
    expectations: Option<String>,
    growth: Vec<(String, String)>,
}

pub async fn home(State(s): State<AppState>, v: Viewer) -> Result<Response, AppError> {
    let loaded = s.framework();
    let fw = &loaded.framework;
    let person = v.person.as_ref().map(DirectoryEntry::from);
    let (mut title, mut expectations, mut growth) = (String::new(), None, Vec::new());
    if let Some(p) = &person {
        title = entry_title(fw, p);
        let spec = p.specialty.as_deref();
        let role = ladder_site::role_page(&p.family, spec, &p.level);
        expectations = loaded
            .site
            .get(&role)
            .and_then(|b| std::str::from_utf8(b).ok())
            .and_then(|html| ladder_site::main_fragment(html, &role, "/framework/"));
        let prefix = ladder_site::growth_page(&p.family, spec, &p.level, "");
        let prefix = prefix.trim_end_matches(".html");
        for (path, bytes) in loaded.site.range(prefix.to_owned()..) {
            if !path.starts_with(prefix) {
                break;
            }
            let next = path
                .strip_prefix(prefix)
                .and_then(|r| r.strip_suffix(".html"))
                .unwrap_or("");
            if next.contains('/') {
                continue;
            }
            let html = std::str::from_utf8(bytes).ok();
            if let Some(frag) =
                html.and_then(|h| ladder_site::main_fragment(h, path, "/framework/"))
            {
                let next_title = role_title(fw, &p.family, next, spec);
                growth.push((format!("What {next_title} adds"), frag));
            }
        }
    }
    page(&HomePage {
        chrome: Chrome::new("Home", Some(&v)),
        person,
        role_title: title,
        expectations,
        growth,
    })
}

struct PrivateView {
    grade: String,
    start_date: String,
    history: HistoryTable,
}

/// A role history as a table: the person page's and the history route's.
#[derive(Template)]
#[template(path = "history.html")]
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
#[template(path = "person.html")]
struct PersonPage {
    chrome: Chrome,
    entry: DirectoryEntry,
    role_title: String,
    manager: Option<DirectoryEntry>,
    reports: Vec<(i64, String, String)>,
    private: Option<PrivateView>,
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

struct TeamMember {
    id: i64,
    name: String,
    role: String,
    manager: String,
    location: String,
}

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage {
    chrome: Chrome,
    members: Vec<TeamMember>,
    direct: usize,
}

/// Direct reports, then everyone under them, breadth first.
pub async fn team(State(s): State<AppState>, v: Viewer) -> Result<Response, AppError> {
    let loaded = s.framework();
    let dir = s.access().directory(&v).await?;
    let mut members = Vec::new();
    let mut direct = 0;
    if let Some(me) = &v.person {
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
    }
    page(&TeamPage {
        chrome: Chrome::new("My team", Some(&v)),
        members,
        direct,
    })
}

struct Department {
    name: String,
    people: Vec<(i64, String, String)>,
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage {
    chrome: Chrome,
    q: String,
    results: Vec<(i64, String, String)>,
    departments: Vec<Department>,
}

#[derive(Template)]
#[template(path = "org_results.html")]
struct OrgResults {
    q: String,
    results: Vec<(i64, String, String)>,
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

pub async fn org(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<SearchQuery>,
) -> Result<Response, AppError> {
    let loaded = s.framework();
    let fw = &loaded.framework;
    let dir = s.access().directory(&v).await?;
    let mut depts: BTreeMap<String, Vec<(i64, String, String)>> = BTreeMap::new();
    let all = dir.all();
    for p in all.iter().filter(|p| p.active) {
        depts.entry(p.department.clone()).or_default().push((
            p.id,
            p.name.clone(),
            entry_title(fw, p),
        ));
    }
    let results = if q.q.trim().is_empty() {
        Vec::new()
    } else {
        dir.search(&q.q, 50)
            .iter()
            .map(|p| (p.id, p.name.clone(), entry_title(fw, p)))
            .collect()
    };
    page(&OrgPage {
        chrome: Chrome::new("Organisation", Some(&v)),
        q: q.q,
        results,
        departments: depts
            .into_iter()
            .map(|(name, mut people)| {
                people.sort_by(|a, b| a.1.cmp(&b.1));
                Department { name, people }
            })
            .collect(),
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

// ---- People team

#[derive(Template)]
#[template(path = "import.html")]
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

/// A form upload's CSV file, after its CSRF token is checked.
pub(crate) async fn read_upload(v: &Viewer, mut form: Multipart) -> Result<String, AppError> {
    let (mut csrf, mut csv) = (String::new(), None);
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(format!("the upload could not be read: {e}")))?
    {
        match field.name() {
            Some("csrf") => {
                csrf = field
                    .text()
                    .await
                    .map_err(|e| AppError::BadRequest(e.to_string()))?
            }
            Some("file") => {
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| AppError::BadRequest(e.to_string()))?;
                csv = Some(String::from_utf8(bytes.to_vec()).map_err(|e| {
                    AppError::BadRequest(format!(
                        "file: not UTF-8 text (byte {}); save the CSV as UTF-8",
                        e.utf8_error().valid_up_to()
                    ))
                })?);
            }
            _ => {}
        }
    }
    v.check_csrf(&csrf)?;
    csv.ok_or_else(|| AppError::BadRequest("file: choose a CSV file to import".to_owned()))
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
    let csv = s.access().people_team(&v)?.export(s.now()).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"people.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}

struct AuditRow {
    when: String,
    actor: String,
    action: String,
    subject: String,
    detail: String,
    ip: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    events: Vec<AuditRow>,
    next: Option<i64>,
}

#[derive(Deserialize)]
pub struct AuditQuery {
    before: Option<i64>,
}

const AUDIT_PAGE: i64 = 100;

pub async fn audit(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<AuditQuery>,
) -> Result<Response, AppError> {
    let events = s
        .access()
        .people_team(&v)?
        .audit_log(q.before, AUDIT_PAGE)
        .await?;
    let next = (events.len() as i64 == AUDIT_PAGE)
        .then(|| events.last().map(|e| e.id))
        .flatten();
    let rows = events
        .into_iter()
        .map(|e| {
            let secs = e.at.rem_euclid(86_400);
            AuditRow {
                when: format!(
                    "{} {:02}:{:02}:{:02}",
                    Date::from_unix(e.at),
                    secs / 3600,
                    secs / 60 % 60,
                    secs % 60
                ),
                actor: e.actor,
                action: e.action,
                subject: e
                    .subject_id
                    .map(|i| format!("person {i}"))
                    .unwrap_or_default(),
                detail: e.detail,
                ip: e.ip,
            }
        })
        .collect();
    page(&AuditPage {
        chrome: Chrome::new("Audit log", Some(&v)),
        events: rows,
        next,
    })
}

// ---- Admin

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    chrome: Chrome,
    accounts: Vec<ladder_store::Account>,
    message: Option<String>,
    error: Option<String>,
    framework_hash: String,
}

async fn users_page(
    s: &AppState,
    v: &Viewer,
    message: Option<String>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let accounts = s.access().admin(v, s.auth())?.accounts().await?;
    page(&UsersPage {
        chrome: Chrome::new("Accounts", Some(v)),
        accounts,
        message,
        error,
        framework_hash: s.framework().hash.chars().take(12).collect(),
    })
}

pub async fn users(State(s): State<AppState>, v: Viewer) -> Result<Response, AppError> {
    users_page(&s, &v, None, None).await
}

/// The role checkboxes of the account forms.
#[derive(Deserialize)]
pub struct RoleBoxes {
    admin: Option<String>,
    people_team: Option<String>,
    editor: Option<String>,
}

impl RoleBoxes {
    fn roles(&self) -> Roles {
        Roles {
            admin: self.admin.is_some(),
            people_team: self.people_team.is_some(),
            editor: self.editor.is_some(),
        }
    }
}

#[derive(Deserialize)]
pub struct NewUserForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(flatten)]
    roles: RoleBoxes,
}

/// The accounts page again, with the outcome of a change: a message, or
/// the form error with status 400.
async fn after_change<T>(
    s: &AppState,
    v: &Viewer,
    done: Result<T, AppError>,
    message: String,
) -> Result<Response, AppError> {
    match done {
        Ok(_) => users_page(s, v, Some(message), None).await,
        Err(AppError::BadRequest(m)) => {
            let res = users_page(s, v, None, Some(m)).await?;
            Ok((StatusCode::BAD_REQUEST, res).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn create_user(
    State(s): State<AppState>,
    v: Viewer,
    Form(f): Form<NewUserForm>,
) -> Result<Response, AppError> {
    let admin = s.access().admin(&v, s.auth())?;
    v.check_csrf(&f.csrf)?;
    let done = admin
        .create_user(&f.email, &f.name, &f.password, f.roles.roles(), s.now())
        .await;
    after_change(&s, &v, done, format!("Added {}.", f.email.trim())).await
}

#[derive(Deserialize)]
pub struct RolesForm {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    roles: RoleBoxes,
}

pub async fn set_roles(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<RolesForm>,
) -> Result<Response, AppError> {
    let admin = s.access().admin(&v, s.auth())?;
    v.check_csrf(&f.csrf)?;
    let done = admin.set_roles(id, f.roles.roles(), s.now()).await;
    after_change(&s, &v, done, "Roles saved.".to_owned()).await
}

pub async fn reload(
    State(s): State<AppState>,
    v: Viewer,
    Form(f): Form<CsrfForm>,
) -> Result<Response, AppError> {
    let editor = s.access().editor(&v)?;
    v.check_csrf(&f.csrf)?;
    match s.reload_framework().await {
        Ok(l) => {
            editor
                .record_reload(&format!("loaded {}", l.hash), s.now())
                .await?;
            Ok(Redirect::to("/framework/").into_response())
        }
        Err(e) => {
            editor.record_reload("failed", s.now()).await?;
            Err(AppError::BadRequest(format!(
                "the framework was not reloaded; the previous version stays in use. {e}"
            )))
        }
    }
}
