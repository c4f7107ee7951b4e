//! The page frame: the chrome every page shows, rendering a template into
//! a response, the error page, and the titles of roles.

use crate::AppError;
use crate::access::{DirectoryEntry, Viewer};
use askama::Template;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use ladder_framework::Framework;

/// What the frame needs to know about a signed-in viewer.
#[derive(Clone, Debug, Default)]
pub struct Shell {
    pub name: String,
    pub csrf: String,
    pub people_team: bool,
    pub admin: bool,
    pub editor: bool,
    pub person_id: Option<i64>,
    /// Has direct reports: "My team" and "Team growth" are for them.
    pub manages: bool,
}

impl Shell {
    pub(crate) fn of(v: &Viewer) -> Shell {
        Shell {
            name: v.account.name.clone(),
            csrf: v.csrf().to_owned(),
            people_team: v.roles().people_team,
            admin: v.roles().admin,
            editor: v.roles().editor || v.roles().admin,
            person_id: v.person_id(),
            manages: v.manages,
        }
    }
}

/// One link of the navigation.
#[derive(Clone, Debug)]
pub struct NavLink {
    pub href: String,
    pub label: &'static str,
    /// The page being shown is this link's or below it.
    pub current: bool,
}

/// What every page's frame needs.
#[derive(Debug, Default)]
pub struct Chrome {
    pub title: String,
    pub signed_in: bool,
    pub name: String,
    pub csrf: String,
    pub admin: bool,
    pub editor: bool,
    /// The viewer's person, for "my worksheet".
    pub person_id: Option<i64>,
    /// The main navigation: what the viewer's roles can do.
    pub nav: Vec<NavLink>,
    /// The viewer's own settings, beside "Sign out".
    pub personal: Vec<NavLink>,
}

impl Chrome {
    pub(crate) fn new(title: &str, v: Option<&Viewer>) -> Chrome {
        Chrome::framed(title, v.map(Shell::of))
    }

    fn framed(title: &str, shell: Option<Shell>) -> Chrome {
        let target = super::context::target();
        let path = target.split('?').next().unwrap_or("");
        let Some(sh) = shell else {
            return Chrome {
                title: title.to_owned(),
                nav: mark(
                    path,
                    vec![link("/framework/", "Framework"), link("/login", "Sign in")],
                ),
                ..Chrome::default()
            };
        };
        let mut nav = vec![link("/", "Home")];
        if let Some(me) = sh.person_id {
            nav.push(link("/my-role", "My role"));
            nav.push(link(&format!("/people/{me}/worksheet"), "My worksheet"));
            nav.push(link("/one-on-ones", "1:1s"));
        }
        if sh.manages {
            nav.push(link("/team", "My team"));
            nav.push(link("/team/growth", "Team growth"));
        }
        nav.push(link("/cycles", "360 feedback"));
        if sh.person_id.is_some() || sh.people_team {
            nav.push(link("/internships", "Internships"));
        }
        nav.push(link("/hiring", "Hiring"));
        nav.push(link("/org", "Organisation"));
        nav.push(link("/framework/", "Framework"));
        if sh.people_team {
            nav.push(link("/people-team/import", "Import people"));
            nav.push(link("/pay", "Pay"));
            nav.push(link("/audit", "Audit log"));
        }
        if sh.editor || sh.people_team {
            nav.push(link("/admin/framework/changes", "Framework changes"));
        }
        if sh.admin {
            nav.push(link("/admin/users", "Accounts"));
            nav.push(link("/admin/provisioning", "Provisioning"));
        }
        if sh.admin || sh.people_team {
            nav.push(link("/admin/deliveries", "Deliveries"));
        }
        let mut personal = Vec::new();
        if sh.person_id.is_some() {
            personal.push(link("/me/notifications", "Notifications"));
            personal.push(link("/me/calendar", "Calendar"));
        }
        personal.push(link("/me/account", "Account"));
        Chrome {
            title: title.to_owned(),
            signed_in: true,
            name: sh.name,
            csrf: sh.csrf,
            admin: sh.admin,
            editor: sh.editor,
            person_id: sh.person_id,
            nav: mark(path, nav),
            personal: mark(path, personal),
        }
    }
}

fn link(href: &str, label: &'static str) -> NavLink {
    NavLink {
        href: href.to_owned(),
        label,
        current: false,
    }
}

/// Marks the link whose address is the longest prefix of `path`: the
/// page itself or the section it belongs to. "Home" only for "/".
fn mark(path: &str, mut links: Vec<NavLink>) -> Vec<NavLink> {
    let under = |href: &str| {
        if href == "/" {
            path == "/"
        } else {
            let h = href.trim_end_matches('/');
            path == h || path.starts_with(&format!("{h}/"))
        }
    };
    let best = links
        .iter()
        .enumerate()
        .filter(|(_, l)| under(&l.href))
        .max_by_key(|(_, l)| l.href.len())
        .map(|(i, _)| i);
    if let Some(i) = best
        && let Some(l) = links.get_mut(i)
    {
        l.current = true;
    }
    links
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
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => "That did not work",
        StatusCode::CONFLICT => "That is already there",
        StatusCode::TOO_MANY_REQUESTS => "Slow down",
        _ => "Something went wrong",
    };
    let message = in_words(message);
    let t = ErrorPage {
        chrome: Chrome::framed(heading, super::context::shell()),
        heading,
        message: &message,
    };
    Html(t.render().unwrap_or_else(|_| message.to_owned()))
}

#[derive(Template)]
#[template(path = "refused_form.html")]
struct RefusedForm<'a> {
    chrome: Chrome,
    message: &'a str,
    action: &'a str,
    fields: &'a [super::fields::Kept],
}

/// The answer to a web form refused at the door ([`super::text`]): a 400
/// that says why and gives back every field, cleaned, in a form that
/// sends them again to `action`, so that nothing typed is lost.
pub fn refused_form(action: &str, message: &str, fields: &[super::fields::Kept]) -> Response {
    let message = in_words(message);
    let t = RefusedForm {
        chrome: Chrome::framed("That did not work", super::context::shell()),
        message: &message,
        action,
        fields,
    };
    match t.render() {
        Ok(html) => (StatusCode::BAD_REQUEST, Html(html)).into_response(),
        Err(_) => (
            StatusCode::BAD_REQUEST,
            error_page(StatusCode::BAD_REQUEST, &message),
        )
            .into_response(),
    }
}

/// Browsers ask for `/favicon.ico` on their own; they get the SVG icon.
pub async fn favicon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        FAVICON,
    )
        .into_response()
}

pub async fn not_found() -> AppError {
    AppError::NotFound
}

/// A level's title ("Senior"), or its id when the framework has no such
/// level.
pub fn level_title<'a>(fw: &'a Framework, level: &'a str) -> &'a str {
    fw.config
        .levels
        .iter()
        .find(|l| l.id == level)
        .map_or(level, |l| l.title.as_str())
}

/// "Senior Backend Engineer (Payments)" from ids.
pub fn role_title(fw: &Framework, family: &str, level: &str, specialty: Option<&str>) -> String {
    let f = fw.families.iter().find(|f| f.id == family);
    let fam = f.map_or(family, |f| f.title.as_str());
    let lvl = level_title(fw, level);
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

/// A service's message as a person reads it: without the leading field
/// name that API clients use (`peers: 2 chosen; …` becomes `2 chosen; …`),
/// starting with a capital.
pub(crate) fn in_words(message: &str) -> String {
    let rest = match message.split_once(": ") {
        Some((field, rest))
            if !field.is_empty()
                && field
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') =>
        {
            rest
        }
        _ => message,
    };
    let mut c = rest.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A refused form's problem: the field it is about (from the service's
/// `field: …` message) and the message in words, so the page can say it
/// beside that field as well as at the top.
#[derive(Clone, Debug, Default)]
pub struct FormError {
    pub field: String,
    pub message: String,
}

impl FormError {
    pub(crate) fn new(message: &str) -> FormError {
        let field = message
            .split_once(": ")
            .map(|(f, _)| f)
            .filter(|f| {
                !f.is_empty()
                    && f.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            })
            .unwrap_or("");
        FormError {
            field: field.to_owned(),
            message: in_words(message),
        }
    }

    /// The problem is about this field (or, for a list such as `peers`,
    /// any of its entries).
    pub fn at(&self, field: &str) -> bool {
        !self.field.is_empty() && self.field == field
    }
}

/// A moment as people read it: "2026-03-02 14:05 UTC".
pub(crate) fn when(t: i64) -> String {
    let d = ladder_org::Date::from_unix(t);
    let s = t.rem_euclid(86_400);
    format!("{d} {:02}:{:02} UTC", s / 3600, (s % 3600) / 60)
}

/// Text as HTML, escaped, with its web addresses (http and https) made
/// into links that open without telling the other site where from.
pub(crate) fn linkify(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(start) = ["https://", "http://"]
        .iter()
        .filter_map(|p| rest.find(p))
        .min()
    {
        let (before, from) = rest.split_at(start);
        out.push_str(&ladder_site::escape(before));
        let len = from
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"'))
            .unwrap_or(from.len());
        let (url, after) = from.split_at(len);
        let url_trimmed = url.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'']);
        let (url, tail) = url.split_at(url_trimmed.len());
        let e = ladder_site::escape(url);
        if url.len() > "https://".len() {
            out.push_str(&format!(
                "<a href=\"{e}\" rel=\"noopener noreferrer nofollow\">{e}</a>"
            ));
        } else {
            out.push_str(&e);
        }
        out.push_str(&ladder_site::escape(tail));
        rest = after;
    }
    out.push_str(&ladder_site::escape(rest));
    out
}

pub async fn health() -> &'static str {
    "ok"
}

/// `GET /readyz`, for a load balancer: 200 `ready` once this node has
/// loaded its framework and reaches its database (it reads the live
/// framework release, and follows it if it moved); 503 with the reason
/// otherwise.
pub async fn ready(
    axum::extract::State(s): axum::extract::State<crate::AppState>,
) -> axum::response::Response {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    match s.follow_framework().await {
        Ok(()) if s.framework_release() > 0 => (StatusCode::OK, "ready").into_response(),
        Ok(()) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "no framework release is live yet",
        )
            .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the database does not answer, or the live framework does not load; the details are in the server log",
            )
                .into_response()
        }
    }
}

const HTMX: &[u8] = include_bytes!("../../assets/htmx.min.js");

const CSS: &[u8] = include_bytes!("../../assets/app.css");

const APP_JS: &[u8] = include_bytes!("../../assets/app.js");

const FAVICON: &[u8] = include_bytes!("../../assets/favicon.svg");

pub async fn asset(Path(file): Path<String>) -> Result<Response, AppError> {
    let (bytes, kind) = match file.as_str() {
        "htmx.min.js" => (HTMX, "text/javascript; charset=utf-8"),
        "app.css" => (CSS, "text/css; charset=utf-8"),
        "favicon.svg" => (FAVICON, "image/svg+xml"),
        "app.js" => (APP_JS, "text/javascript; charset=utf-8"),
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

#[cfg(test)]
mod tests {
    use super::{in_words, link, linkify, mark};

    #[test]
    fn form_errors_know_their_field() {
        let e = super::FormError::new("end_date: 2026-11-01 is before the start");
        assert!(e.at("end_date") && !e.at("start_date"));
        assert_eq!(e.message, "2026-11-01 is before the start");
        let plain = super::FormError::new("Something else: entirely");
        assert!(!plain.at("something"));
    }

    #[test]
    fn messages_lose_their_field_names() {
        assert_eq!(in_words("peers: 2 chosen; choose 3"), "2 chosen; choose 3");
        assert_eq!(
            in_words("nominations_close: 2026-01-02 is before"),
            "2026-01-02 is before"
        );
        assert_eq!(in_words("Choose a rating: now"), "Choose a rating: now");
        assert_eq!(in_words("the form expired"), "The form expired");
    }

    #[test]
    fn links_in_text_are_clickable_and_the_rest_escaped() {
        assert_eq!(
            linkify("see https://x.io/pr/1. and <b>"),
            "see <a href=\"https://x.io/pr/1\" rel=\"noopener noreferrer nofollow\">https://x.io/pr/1</a>. and &lt;b&gt;"
        );
        assert_eq!(linkify("http:// alone"), "http:// alone");
        assert_eq!(
            linkify("(http://a.b/c?d=1&e=2)"),
            "(<a href=\"http://a.b/c?d=1&amp;e=2\" rel=\"noopener noreferrer nofollow\">http://a.b/c?d=1&amp;e=2</a>)"
        );
        assert_eq!(linkify("javascript:alert(1)"), "javascript:alert(1)");
    }

    #[test]
    fn the_current_page_marks_its_section() {
        let links = || {
            vec![
                link("/", "Home"),
                link("/team", "Team"),
                link("/team/growth", "Growth"),
            ]
        };
        let current = |path| {
            mark(path, links())
                .into_iter()
                .filter(|l| l.current)
                .map(|l| l.label)
                .collect::<Vec<_>>()
        };
        assert_eq!(current("/"), ["Home"]);
        assert_eq!(current("/team"), ["Team"]);
        assert_eq!(current("/team/growth"), ["Growth"]);
        assert_eq!(current("/teams"), Vec::<&str>::new());
        assert_eq!(current("/people/3"), Vec::<&str>::new());
    }
}
