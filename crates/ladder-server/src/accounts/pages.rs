//! The account pages: sign-in (password and single sign-on), sign-out,
//! the first admin's setup, and the admin's accounts and roles.

use crate::access::{ClientIp, MaybeViewer, Viewer, cookie};
use crate::auth::{Client, PRE_COOKIE, SESSION_COOKIE, random_token};
use crate::http::CsrfForm;
use crate::http::page::{Chrome, form_page, in_words, page};
use crate::http::table::{Key, PER_PAGE, Spec, Table, TableQuery};
use crate::{AppError, AppState};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use ladder_store::Roles;
use serde::Deserialize;

fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool, same_site: &str) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite={same_site}; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[derive(Template)]
#[template(path = "accounts/login.html")]
struct LoginPage {
    chrome: Chrome,
    pre: String,
    email: String,
    error: Option<String>,
    notice: Option<String>,
    /// The single sign-on button's words, if SSO is configured.
    sso: Option<String>,
    /// The page to go to once signed in ("" for home).
    next: String,
    /// Offer the password form: always, unless the organisation signs in
    /// through single sign-on only (then only on the break-glass link).
    password: bool,
}

impl LoginPage {
    fn new(s: &AppState, pre: String) -> LoginPage {
        let sso = s.sso().map(|o| o.label().to_owned());
        LoginPage {
            chrome: Chrome::new("Sign in", None),
            pre,
            email: String::new(),
            error: None,
            notice: None,
            password: !(s.settings().sign_in.sso_only && sso.is_some()),
            sso,
            next: String::new(),
        }
    }

    /// The single sign-on link, carrying the page to come back to.
    fn sso_href(&self) -> String {
        if self.next.is_empty() {
            "/auth/oidc/start".to_owned()
        } else {
            format!("/auth/oidc/start?next={}", encode(&self.next))
        }
    }
}

fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The cookie that carries the page to come back to through single
/// sign-on (the provider's round trip loses the query).
const NEXT_COOKIE: &str = "ladder_next";

/// `next` if it is a page of this site: a path starting with one `/`,
/// with no scheme, host or control characters; "" otherwise.
pub(crate) fn local_next(next: &str) -> String {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
        && next.len() <= 2000
        && !next.starts_with("/login")
        && !next.starts_with("/logout")
        && !next.starts_with("/auth/");
    if ok { next.to_owned() } else { String::new() }
}

/// Where to go once signed in.
fn after_sign_in(next: &str) -> String {
    match local_next(next) {
        n if n.is_empty() => "/".to_owned(),
        n => n,
    }
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
    #[serde(rename = "signed-out")]
    signed_out: Option<String>,
    /// Back from setting a new password.
    reset: Option<String>,
    /// The break-glass password form, when single sign-on is the rule.
    #[serde(rename = "break-glass")]
    break_glass: Option<String>,
}

/// The anonymous forms' CSRF token: the `ladder_pre` cookie, made if absent.
pub(super) fn pre_token(headers: &HeaderMap) -> Result<(String, bool), AppError> {
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

pub(super) fn with_pre(s: &AppState, pre: &str, fresh: bool, mut res: Response) -> Response {
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
    Query(q): Query<LoginQuery>,
) -> Result<Response, AppError> {
    if v.is_some() {
        return Ok(Redirect::to(&after_sign_in(&q.next)).into_response());
    }
    let (pre, fresh) = pre_token(&headers)?;
    let base = LoginPage::new(&s, pre.clone());
    let notice = if q.reset.is_some() {
        Some("Your new password is set. Sign in with it.".to_owned())
    } else {
        q.signed_out
            .is_some()
            .then(|| "You have signed out.".to_owned())
    };
    let res = page(&LoginPage {
        notice,
        next: local_next(&q.next),
        password: base.password || q.break_glass.is_some(),
        ..base
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
    #[serde(default)]
    next: String,
}

pub(super) fn check_pre(headers: &HeaderMap, sent: &str) -> Result<(), AppError> {
    match pre_from(headers) {
        Some(t) if crate::access::constant_eq(t.as_bytes(), sent.as_bytes()) => Ok(()),
        _ => Err(AppError::Csrf),
    }
}

pub(super) fn session_cookie(s: &AppState, token: &str, max_age: i64) -> HeaderValue {
    set_cookie(
        SESSION_COOKIE,
        token,
        max_age,
        s.settings().secure_cookies,
        "Lax",
    )
}

/// After a sign-in: the browser's previous session (if any) ends, and it
/// goes with the new one to the page it asked for (home if none).
async fn signed_in(
    s: &AppState,
    headers: &HeaderMap,
    session: &crate::auth::NewSession,
    now: i64,
    next: &str,
) -> Result<Response, AppError> {
    if let Some(old) = cookie(headers, SESSION_COOKIE) {
        s.auth().logout(old).await?;
    }
    let mut res = Redirect::to(&after_sign_in(next)).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        session_cookie(s, &session.token, session.expires_at - now),
    );
    Ok(res)
}

pub async fn login(
    State(s): State<AppState>,
    client: Client,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, AppError> {
    check_pre(&headers, &f.csrf)?;
    let now = s.now();
    match s.auth().login(&f.email, &f.password, &client, now).await {
        Ok((_, session)) => signed_in(&s, &headers, &session, now, &f.next).await,
        Err(e @ (AppError::BadRequest(_) | AppError::TooMany(_))) => {
            let status = e.status();
            let retry = match e {
                AppError::TooMany(seconds) => Some(seconds.max(1)),
                _ => None,
            };
            let res = page(&LoginPage {
                email: f.email,
                error: Some(e.to_string()),
                next: local_next(&f.next),
                password: true,
                ..LoginPage::new(&s, f.csrf)
            })?;
            let mut res = (status, res).into_response();
            if let Some(seconds) = retry {
                res.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            Ok(res)
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
    Query(q): Query<LoginQuery>,
) -> Result<Response, AppError> {
    let Some(sso) = s.sso() else {
        return Err(AppError::NotFound);
    };
    if v.is_some() {
        return Ok(Redirect::to(&after_sign_in(&q.next)).into_response());
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
    let next = local_next(&q.next);
    if !next.is_empty() {
        res.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(
                NEXT_COOKIE,
                &encode(&next),
                crate::sso::FLOW_SECONDS,
                s.settings().secure_cookies,
                "Lax",
            ),
        );
    }
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
    client: Client,
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
        s.auth().sso_login(&who, &client, now).await
    }
    .await;
    let clear = set_cookie(SSO_COOKIE, "", 0, s.settings().secure_cookies, "Lax");
    let clear_next = set_cookie(NEXT_COOKIE, "", 0, s.settings().secure_cookies, "Lax");
    let next: String = cookie(&headers, NEXT_COOKIE)
        .map(|n| {
            form_urlencoded::parse(format!("n={n}").as_bytes())
                .map(|(_, v)| v.into_owned())
                .next()
                .unwrap_or_default()
        })
        .unwrap_or_default();
    match outcome {
        Ok((_, session)) => {
            let mut res = signed_in(&s, &headers, &session, now, &next).await?;
            res.headers_mut().append(header::SET_COOKIE, clear);
            res.headers_mut().append(header::SET_COOKIE, clear_next);
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
#[template(path = "accounts/setup.html")]
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

#[derive(Template)]
#[template(path = "accounts/users.html")]
struct UsersPage {
    chrome: Chrome,
    /// The accounts: filtered, sorted and paged.
    t: Table<ladder_store::Account>,
    caption: &'static str,
    table_id: &'static str,
    /// How many hold each role: (admins, people team, editors).
    counts: (usize, usize, usize),
    /// The add form as typed (kept when refused; never the password).
    form: NewUser,
    message: Option<String>,
    error: Option<String>,
    framework_hash: String,
    /// The viewer's own account, which offers no deactivation.
    chrome_account: i64,
}

/// The add-an-account form's fields, as typed.
#[derive(Debug, Default)]
struct NewUser {
    name: String,
    email: String,
    roles: Roles,
    /// A change of roles was refused: why (said on top, not in the form).
    roles_error: Option<String>,
}

const ACCOUNTS: Spec = Spec {
    columns: &[
        ("email", "Email"),
        ("name", "Name"),
        ("roles", "Roles"),
        ("status", "Status"),
    ],
    default_sort: "name",
    per_page: PER_PAGE,
};

fn role_words(r: Roles) -> String {
    let mut w = Vec::new();
    if r.admin {
        w.push("admin");
    }
    if r.people_team {
        w.push("people team");
    }
    if r.editor {
        w.push("framework editor");
    }
    w.join(", ")
}

async fn users_page(
    s: &AppState,
    v: &Viewer,
    query: &TableQuery,
    form: NewUser,
    message: Option<String>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let accounts = s.access().admin(v, s.auth())?.accounts().await?;
    let counts = (
        accounts.iter().filter(|a| a.roles.admin).count(),
        accounts.iter().filter(|a| a.roles.people_team).count(),
        accounts.iter().filter(|a| a.roles.editor).count(),
    );
    let failed = error.is_some() || form.roles_error.is_some();
    let t = Table::new(
        ACCOUNTS,
        "/admin/users",
        accounts,
        query,
        &[],
        |a| {
            format!(
                "{} {} {} {}",
                a.name,
                a.email,
                role_words(a.roles),
                if a.active() { "active" } else { "deactivated" }
            )
        },
        |a, k| match k {
            "email" => Key::text(&a.email),
            "status" => Key::text(if a.active() { "0" } else { "1" }),
            // Accounts with roles first, then by name.
            "roles" => Key::text(&format!(
                "{}{}",
                if role_words(a.roles).is_empty() {
                    "1"
                } else {
                    "0"
                },
                role_words(a.roles)
            )),
            _ => Key::text(&a.name),
        },
    );
    form_page(
        failed,
        &UsersPage {
            chrome: Chrome::new("Accounts", Some(v)),
            t,
            caption: "accounts",
            table_id: "accounts",
            counts,
            form,
            message,
            error,
            framework_hash: s.framework().hash.chars().take(12).collect(),
            chrome_account: v.account.id,
        },
    )
}

pub async fn users(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<TableQuery>,
) -> Result<Response, AppError> {
    users_page(&s, &v, &q, NewUser::default(), None, None).await
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
/// the form error (in words) with status 400 and the add form as typed.
/// `typed` is the add form as sent (`None` for a change of roles, whose
/// error is said on top rather than in the add form).
async fn after_change<T>(
    s: &AppState,
    v: &Viewer,
    done: Result<T, AppError>,
    message: String,
    typed: Option<NewUser>,
) -> Result<Response, AppError> {
    let all = TableQuery::default();
    match (done, typed) {
        (Ok(_), _) => users_page(s, v, &all, NewUser::default(), Some(message), None).await,
        (Err(AppError::BadRequest(m)), Some(typed)) => {
            users_page(s, v, &all, typed, None, Some(in_words(&m))).await
        }
        (Err(AppError::BadRequest(m)), None) => {
            let refused = NewUser {
                roles_error: Some(in_words(&m)),
                ..NewUser::default()
            };
            users_page(s, v, &all, refused, None, None).await
        }
        (Err(e), _) => Err(e),
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
    let typed = NewUser {
        name: f.name.clone(),
        email: f.email.clone(),
        roles: f.roles.roles(),
        roles_error: None,
    };
    after_change(
        &s,
        &v,
        done,
        format!("Added {}.", f.email.trim()),
        Some(typed),
    )
    .await
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
    after_change(&s, &v, done, "Roles saved.".to_owned(), None).await
}

async fn set_active(
    s: &AppState,
    v: &Viewer,
    id: i64,
    active: bool,
    f: &CsrfForm,
) -> Result<Response, AppError> {
    let admin = s.access().admin(v, s.auth())?;
    v.check_csrf(&f.csrf)?;
    let done = admin.set_active(id, active, s.now()).await;
    let message = if active {
        "Reactivated: the account can sign in again."
    } else {
        "Deactivated: its sessions and tokens have ended, and it cannot sign in."
    };
    after_change(s, v, done, message.to_owned(), None).await
}

pub async fn deactivate(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, AppError> {
    set_active(&s, &v, id, false, &f).await
}

pub async fn reactivate(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, AppError> {
    set_active(&s, &v, id, true, &f).await
}
