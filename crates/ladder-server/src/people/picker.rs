//! Choosing people by name: a search box that finds people as you type
//! (htmx asks the server, which applies the same eligibility as the form
//! it serves), results that show name, role, team and email so that two
//! people with one name can be told apart, and the chosen people as
//! ticked boxes the form sends.
//!
//! Without JavaScript the same form works: its "Find" button sends the
//! page the search and what is chosen so far (GET), and the page comes
//! back with both. `assets/app.js` adds the keyboard: Enter adds the
//! first match and keeps the cursor in the box; Enter in an empty box
//! sends the form.

use crate::access::DirectoryEntry;
use crate::http::page::entry_title;
use askama::Template;
use ladder_framework::Framework;
use ladder_store::Id;

/// One person as the picker shows them.
#[derive(Clone, Debug)]
pub(crate) struct Pick {
    pub id: Id,
    pub name: String,
    pub role: String,
    pub team: String,
    pub email: String,
}

impl Pick {
    pub(crate) fn of(fw: &Framework, p: &DirectoryEntry) -> Pick {
        Pick {
            id: p.id,
            name: p.name.clone(),
            role: entry_title(fw, p),
            team: p.department.clone(),
            email: p.email.clone(),
        }
    }
}

/// Everyone as the pickers search them (a `keep` rule narrows it for
/// each picker), made once per version of the organisation and shared:
/// a picker's page then costs its search, not a copy of the directory.
pub(crate) async fn everyone(
    s: &crate::AppState,
    v: &crate::access::Viewer,
) -> Result<std::sync::Arc<Vec<DirectoryEntry>>, crate::AppError> {
    let dir = s.access().directory(v).await?;
    s.framework()
        .view("people.pool", "", dir.version(), async {
            Ok::<_, crate::AppError>(dir.all())
        })
        .await
}

/// The most results a search shows.
pub(crate) const SHOWN: usize = 12;

/// The people among `pool` matching every word of `q` (in their name,
/// email or team), best first: names that start with the query, then
/// names with a word that starts with it, then the rest; `exclude` (the
/// people already chosen) left out. Also how many matched in all.
fn find<'a>(
    q: &str,
    pool: impl IntoIterator<Item = &'a DirectoryEntry>,
    keep: &dyn Fn(&DirectoryEntry) -> bool,
    exclude: &[Id],
) -> (Vec<&'a DirectoryEntry>, usize) {
    let q = q.trim().to_lowercase();
    let words: Vec<&str> = q.split_whitespace().collect();
    if words.is_empty() {
        return (Vec::new(), 0);
    }
    let mut hits: Vec<(u8, &DirectoryEntry)> = pool
        .into_iter()
        .filter(|p| p.active && !exclude.contains(&p.id) && keep(p))
        .filter_map(|p| {
            let name = p.name.to_lowercase();
            let hay = format!(
                "{name} {} {}",
                p.email.to_lowercase(),
                p.department.to_lowercase()
            );
            if !words.iter().all(|w| hay.contains(w)) {
                return None;
            }
            let rank = if name.starts_with(q.as_str()) {
                0
            } else if words
                .iter()
                .all(|w| name.split_whitespace().any(|n| n.starts_with(w)))
            {
                1
            } else {
                2
            };
            Some((rank, p))
        })
        .collect();
    hits.sort_by(|a, b| (a.0, &a.1.name, a.1.id).cmp(&(b.0, &b.1.name, b.1.id)));
    let total = hits.len();
    (
        hits.into_iter().take(SHOWN).map(|(_, p)| p).collect(),
        total,
    )
}

/// The search's results: what htmx swaps into the picker.
#[derive(Template)]
#[template(path = "people/picker_found.html")]
pub(crate) struct Found {
    pub field: String,
    pub multiple: bool,
    pub q: String,
    pub picks: Vec<Pick>,
    pub total: usize,
}

impl Found {
    /// The people of `pool` that `keep` keeps matching `q`, those in
    /// `chosen` left out.
    pub(crate) fn search(
        fw: &Framework,
        field: &str,
        multiple: bool,
        q: &str,
        pool: &[DirectoryEntry],
        keep: &dyn Fn(&DirectoryEntry) -> bool,
        chosen: &[Id],
    ) -> Found {
        let (hits, total) = find(q, pool, keep, chosen);
        Found {
            field: field.to_owned(),
            multiple,
            q: q.trim().to_owned(),
            picks: hits.into_iter().map(|p| Pick::of(fw, p)).collect(),
            total,
        }
    }

    /// A search route's answer: the results, for htmx to swap in.
    pub(crate) fn response(
        fw: &Framework,
        field: &str,
        multiple: bool,
        search: &Search,
        pool: &[DirectoryEntry],
        keep: &dyn Fn(&DirectoryEntry) -> bool,
    ) -> Result<axum::response::Response, crate::AppError> {
        use axum::response::IntoResponse as _;
        let found = Found::search(fw, field, multiple, &search.q, pool, keep, &search.chosen);
        Ok(axum::response::Html(found.render()?).into_response())
    }
}

/// A picker inside a form.
#[derive(Template)]
#[template(path = "people/picker.html")]
pub(crate) struct Picker {
    /// The form field the chosen ids are sent as.
    pub field: String,
    pub legend: String,
    /// Said under the legend (how many to choose, for instance).
    pub hint: String,
    /// Where htmx asks for results.
    pub search_url: String,
    /// Checkboxes (several people) or radio buttons (one).
    pub multiple: bool,
    pub chosen: Vec<Pick>,
    pub found: Found,
    /// Why the form was refused, shown beside the picker.
    pub error: Option<String>,
    /// Other fields of the form the search needs (a CSS selector), e.g.
    /// the host team a mentor must be in; "" for none.
    pub include: &'static str,
}

impl Picker {
    /// A picker for `field` over `pool`, with `chosen` (ids) ticked and the
    /// results for `q`; the caller says its legend, hint and search route.
    pub(crate) fn new(
        fw: &Framework,
        pool: &[DirectoryEntry],
        keep: &dyn Fn(&DirectoryEntry) -> bool,
        field: &str,
        multiple: bool,
        chosen: &[Id],
        q: &str,
    ) -> Picker {
        Picker {
            field: field.to_owned(),
            legend: String::new(),
            hint: String::new(),
            search_url: String::new(),
            multiple,
            chosen: chosen
                .iter()
                .filter_map(|id| pool.iter().find(|p| p.id == *id && keep(p)))
                .map(|p| Pick::of(fw, p))
                .collect(),
            found: Found::search(fw, field, multiple, q, pool, keep, chosen),
            error: None,
            include: "",
        }
    }

    pub(crate) fn html(&self) -> String {
        self.render().unwrap_or_default()
    }
}

/// A picker's search as sent: the words typed (`{field}_q`) and the
/// people already chosen (the field's values), read from a query string.
pub(crate) struct Search {
    pub q: String,
    pub chosen: Vec<Id>,
}

impl Search {
    pub(crate) fn read(query: &str, field: &str) -> Search {
        let f = crate::http::Fields::parse(query.as_bytes());
        Search {
            q: f.get(&format!("{field}_q")).trim().to_owned(),
            chosen: f
                .all(field)
                .iter()
                .filter_map(|v| v.trim().parse().ok())
                .collect(),
        }
    }
}
