//! Tables that scale: a filter box, sortable columns and pages, all in
//! the query string (so a view can be linked, and works without
//! JavaScript). A page gives its rows, their text for the filter and a
//! sort key per column; [`Table`] answers with one page of them, the
//! counts, and the links for the headers and the pager.
//!
//! Templates show them with `table_controls.html` (the filter and counts)
//! and `table_pager.html`, and each header with its `sort` link and
//! `aria-sort`.

use serde::Deserialize;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// How many rows a page shows unless the page says otherwise.
pub const PER_PAGE: usize = 50;

/// What the query asks of a table.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct TableQuery {
    /// Words every row shown contains (any case).
    #[serde(default)]
    pub q: String,
    /// The column sorted by; empty for the page's default.
    #[serde(default)]
    pub sort: String,
    /// "desc" for descending.
    #[serde(default)]
    pub dir: String,
    /// 1-based; anything that is not a page number shows the first.
    #[serde(default)]
    pub page: String,
}

/// A value to sort by: numbers as numbers, text without case.
#[derive(Clone, Debug)]
pub enum Key {
    Num(f64),
    Text(String),
    /// No value: always last.
    None,
}

impl Key {
    pub fn text(s: &str) -> Key {
        Key::Text(s.to_lowercase())
    }

    fn cmp(&self, other: &Key) -> Ordering {
        match (self, other) {
            (Key::Num(a), Key::Num(b)) => a.total_cmp(b),
            (Key::Text(a), Key::Text(b)) => a.cmp(b),
            (Key::None, Key::None) => Ordering::Equal,
            (Key::None, _) => Ordering::Greater,
            (_, Key::None) => Ordering::Less,
            (Key::Num(_), Key::Text(_)) => Ordering::Less,
            (Key::Text(_), Key::Num(_)) => Ordering::Greater,
        }
    }
}

/// The orders of rows kept in a view, kept beside them: each column's
/// order (each way) is computed the first time a page asks for it, and
/// the rows' filter words the first time a filter is used. Later pages of
/// the same rows are then a slice of an order, or one pass over the words
/// without sorting or allocating per row.
///
/// An `Orders` belongs to one list of rows: keep it in the same view, and
/// make a new one (it starts empty) whenever the rows change.
#[derive(Default)]
pub struct Orders {
    /// Each row's filter text, lowercased.
    words: OnceLock<Vec<String>>,
    /// Row indices, by (column, descending).
    sorted: Mutex<HashMap<(String, bool), Order>>,
}

/// Row indices in the order of a column, one way.
type Order = Arc<[u32]>;

impl Orders {
    fn order(&self, column: &str, desc: bool, compute: impl FnOnce() -> Vec<u32>) -> Order {
        let mut sorted = self
            .sorted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(
            sorted
                .entry((column.to_owned(), desc))
                .or_insert_with(|| compute().into()),
        )
    }
}

impl std::fmt::Debug for Orders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Orders")
    }
}

/// A table's shape: its columns as (key, label), the column it is
/// sorted by at first, and how many rows a page shows.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    pub columns: &'static [(&'static str, &'static str)],
    pub default_sort: &'static str,
    pub per_page: usize,
}

/// A column's header: its words, its sort link, and whether (and how)
/// the table is sorted by it.
#[derive(Clone, Debug)]
pub struct Header {
    pub label: &'static str,
    pub href: String,
    /// "ascending", "descending" or "none", for `aria-sort`.
    pub sorted: &'static str,
}

/// One page of a table, with what the controls need.
#[derive(Debug)]
pub struct Table<R> {
    pub rows: Vec<R>,
    /// Rows before filtering.
    pub total: usize,
    /// Rows the filter keeps.
    pub matching: usize,
    pub page: usize,
    pub pages: usize,
    /// The first row shown, 1-based (0 when none).
    pub first: usize,
    pub last: usize,
    pub headers: Vec<Header>,
    pub q: String,
    /// The page's path, for the filter form.
    pub path: String,
    /// Hidden fields the filter form keeps (the sort, and the page's own).
    pub sort: String,
    pub dir: String,
    pub keep: Vec<(String, String)>,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl<R> Table<R> {
    /// One page of `rows` as `query` asks. `text` gives a row's words for
    /// the filter; `key` a row's value in a column.
    ///
    /// `keep` are the page's own query fields (a date, say), kept in every
    /// link and in the filter form.
    pub fn new(
        spec: Spec,
        path: &str,
        rows: Vec<R>,
        query: &TableQuery,
        keep: &[(&str, String)],
        text: impl Fn(&R) -> String,
        key: impl Fn(&R, &str) -> Key,
    ) -> Table<R> {
        let (chosen, frame) = choose(spec, path, &rows, query, keep, text, key);
        let mut slots: Vec<Option<R>> = rows.into_iter().map(Some).collect();
        let shown = chosen
            .iter()
            .filter_map(|i| slots.get_mut(*i).and_then(Option::take))
            .collect();
        Table {
            rows: shown,
            ..frame
        }
    }

    /// [`Table::new`] over rows kept elsewhere (a cache), with their
    /// [`Orders`]: a page is a slice of an order computed once, and only
    /// the rows of the page are cloned. It shows the same page as
    /// [`Table::new`] would.
    pub fn of(
        spec: Spec,
        path: &str,
        (rows, orders): (&[R], &Orders),
        query: &TableQuery,
        keep: &[(&str, String)],
        text: impl Fn(&R) -> String,
        key: impl Fn(&R, &str) -> Key,
    ) -> Table<R>
    where
        R: Clone,
    {
        let ask = Ask::of(spec, query);
        let order = orders.order(&ask.sort, ask.desc, || {
            let mut keyed: Vec<(Key, usize)> = rows
                .iter()
                .enumerate()
                .map(|(i, r)| (key(r, &ask.sort), i))
                .collect();
            keyed.sort_by(|a, b| ask.order(a, b));
            keyed
                .into_iter()
                .filter_map(|(_, i)| u32::try_from(i).ok())
                .collect()
        });
        let index = |i: &u32| usize::try_from(*i).ok();
        let matching_rows: Vec<usize> = if ask.words.is_empty() {
            Vec::new()
        } else {
            let words = orders
                .words
                .get_or_init(|| rows.iter().map(|r| text(r).to_lowercase()).collect());
            order
                .iter()
                .filter_map(index)
                .filter(|i| {
                    words
                        .get(*i)
                        .is_some_and(|t| ask.words.iter().all(|w| t.contains(w.as_str())))
                })
                .collect()
        };
        let matching = if ask.words.is_empty() {
            order.len()
        } else {
            matching_rows.len()
        };
        let at = At::of(spec, query, matching);
        let chosen: Vec<usize> = if ask.words.is_empty() {
            order
                .iter()
                .skip(at.start)
                .take(at.per_page)
                .filter_map(index)
                .collect()
        } else {
            matching_rows
                .into_iter()
                .skip(at.start)
                .take(at.per_page)
                .collect()
        };
        let counts = (rows.len(), matching, chosen.len());
        let frame = frame(spec, path, query, keep, &ask, &at, counts);
        let shown = chosen
            .iter()
            .filter_map(|i| rows.get(*i).cloned())
            .collect();
        Table {
            rows: shown,
            ..frame
        }
    }

    /// The filter is narrowing the rows.
    pub fn filtered(&self) -> bool {
        !self.q.is_empty()
    }
}

/// What a query asks: the column and direction of the sort, and the
/// filter's words.
struct Ask {
    sort: String,
    desc: bool,
    words: Vec<String>,
}

impl Ask {
    fn of(spec: Spec, query: &TableQuery) -> Ask {
        Ask {
            sort: if spec.columns.iter().any(|c| c.0 == query.sort) {
                query.sort.clone()
            } else {
                spec.default_sort.to_owned()
            },
            desc: query.dir == "desc",
            words: query.q.split_whitespace().map(str::to_lowercase).collect(),
        }
    }

    /// The order of two rows, as (key, index): by key in the direction
    /// asked, and rows with equal keys in their own order either way.
    fn order(&self, a: &(Key, usize), b: &(Key, usize)) -> Ordering {
        let o = a.0.cmp(&b.0);
        let o = if self.desc { o.reverse() } else { o };
        o.then(a.1.cmp(&b.1))
    }
}

/// Where the page asked for falls among the matching rows.
struct At {
    page: usize,
    pages: usize,
    per_page: usize,
    /// The index of its first row among the matching ones.
    start: usize,
}

impl At {
    fn of(spec: Spec, query: &TableQuery, matching: usize) -> At {
        let per_page = spec.per_page.max(1);
        let pages = matching.div_ceil(per_page).max(1);
        let page = query
            .page
            .trim()
            .parse::<usize>()
            .unwrap_or(1)
            .clamp(1, pages);
        At {
            page,
            pages,
            per_page,
            start: (page - 1) * per_page,
        }
    }
}

/// The indices of the rows of the page `query` asks for, in order, and
/// the table around them (without its rows).
///
/// Each row's sort key is computed once, and only the page's rows are put
/// in order: the rows before the page are split off by selection, not
/// sorted, so a page of a large table costs about one pass over it. Rows
/// with equal keys keep their order, in either direction.
fn choose<R>(
    spec: Spec,
    path: &str,
    rows: &[R],
    query: &TableQuery,
    keep: &[(&str, String)],
    text: impl Fn(&R) -> String,
    key: impl Fn(&R, &str) -> Key,
) -> (Vec<usize>, Table<R>) {
    let ask = Ask::of(spec, query);
    let mut keyed: Vec<(Key, usize)> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            ask.words.is_empty() || {
                let t = text(r).to_lowercase();
                ask.words.iter().all(|w| t.contains(w.as_str()))
            }
        })
        .map(|(i, r)| (key(r, &ask.sort), i))
        .collect();
    let matching = keyed.len();
    let at = At::of(spec, query, matching);
    let order = |a: &(Key, usize), b: &(Key, usize)| ask.order(a, b);
    if at.start > 0 && at.start < matching {
        keyed.select_nth_unstable_by(at.start, order);
        keyed.drain(..at.start);
    } else if at.start > 0 {
        keyed.clear();
    }
    if keyed.len() > at.per_page {
        keyed.select_nth_unstable_by(at.per_page, order);
        keyed.truncate(at.per_page);
    }
    keyed.sort_unstable_by(order);
    let chosen: Vec<usize> = keyed.into_iter().map(|(_, i)| i).collect();
    let counts = (rows.len(), matching, chosen.len());
    let frame = frame(spec, path, query, keep, &ask, &at, counts);
    (chosen, frame)
}

/// The table around a page: its counts (all rows, those the filter keeps,
/// those shown), headers and links.
fn frame<R>(
    spec: Spec,
    path: &str,
    query: &TableQuery,
    keep: &[(&str, String)],
    ask: &Ask,
    at: &At,
    (total, matching, shown): (usize, usize, usize),
) -> Table<R> {
    let (sort, desc, page, pages) = (ask.sort.as_str(), ask.desc, at.page, at.pages);
    let (first, last) = if shown == 0 {
        (0, 0)
    } else {
        (at.start + 1, at.start + shown)
    };
    let link = |sort: &str, dir: &str, page: usize| {
        let mut parts: Vec<String> = keep
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        if !query.q.trim().is_empty() {
            parts.push(format!("q={}", encode(query.q.trim())));
        }
        parts.push(format!("sort={}", encode(sort)));
        if dir == "desc" {
            parts.push("dir=desc".to_owned());
        }
        if page > 1 {
            parts.push(format!("page={page}"));
        }
        format!("{path}?{}", parts.join("&"))
    };
    let dir = if desc { "desc" } else { "asc" };
    let headers = spec
        .columns
        .iter()
        .map(|(k, label)| {
            let here = *k == sort;
            Header {
                label,
                href: link(k, if here && !desc { "desc" } else { "asc" }, 1),
                sorted: match (here, desc) {
                    (true, false) => "ascending",
                    (true, true) => "descending",
                    _ => "none",
                },
            }
        })
        .collect();
    Table {
        prev: (page > 1).then(|| link(sort, dir, page - 1)),
        next: (page < pages).then(|| link(sort, dir, page + 1)),
        rows: Vec::new(),
        total,
        matching,
        page,
        pages,
        first,
        last,
        headers,
        q: query.q.trim().to_owned(),
        path: path.to_owned(),
        sort: sort.to_owned(),
        dir: dir.to_owned(),
        keep: keep
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    }
}

fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn table(q: &str, sort: &str, dir: &str, page: &str) -> Table<(String, f64)> {
        let rows: Vec<(String, f64)> = (1..=120)
            .map(|i| (format!("Person {i:03}"), f64::from(i % 7)))
            .collect();
        Table::new(
            Spec {
                columns: &[("name", "Name"), ("score", "Score")],
                default_sort: "name",
                per_page: 50,
            },
            "/x",
            rows,
            &TableQuery {
                q: q.into(),
                sort: sort.into(),
                dir: dir.into(),
                page: page.into(),
            },
            &[],
            |r| r.0.clone(),
            |r, k| match k {
                "score" => Key::Num(r.1),
                _ => Key::text(&r.0),
            },
        )
    }

    #[test]
    fn filters_sorts_and_pages() {
        let t = table("", "", "", "");
        assert_eq!(
            (t.total, t.matching, t.pages, t.first, t.last),
            (120, 120, 3, 1, 50)
        );
        assert_eq!(t.rows[0].0, "Person 001");
        assert_eq!(t.next.as_deref(), Some("/x?sort=name&page=2"));
        assert_eq!(t.headers[0].sorted, "ascending");
        assert_eq!(t.headers[0].href, "/x?sort=name&dir=desc");
        let last = table("", "name", "desc", "9");
        assert_eq!((last.page, last.first, last.last), (3, 101, 120));
        assert_eq!(last.rows[0].0, "Person 020");
        let f = table("person 11", "score", "desc", "x");
        assert_eq!(f.matching, 11, "110 to 119, and 11");
        assert!(f.rows.windows(2).all(|w| w[0].1 >= w[1].1));
        assert_eq!(f.prev, None);
        let none = table("nobody", "", "", "-1");
        assert_eq!((none.matching, none.first, none.pages), (0, 0, 1));
    }

    /// Every page, in both directions, is the slice of a stable sort of
    /// all the rows: rows with equal keys keep their order.
    #[test]
    fn pages_are_slices_of_a_stable_sort() {
        let rows: Vec<(String, f64)> = (1..=120)
            .map(|i| (format!("Person {i:03}"), f64::from(i % 7)))
            .collect();
        // One set of orders for every page, as a view keeps it.
        let orders = Orders::default();
        for dir in ["", "desc"] {
            let mut sorted = rows.clone();
            sorted.sort_by(|a, b| {
                let o = a.1.total_cmp(&b.1);
                if dir == "desc" { o.reverse() } else { o }
            });
            let mut paged = Vec::new();
            for page in 1..=3 {
                let t = table("", "score", dir, &page.to_string());
                let borrowed = Table::of(
                    Spec {
                        columns: &[("name", "Name"), ("score", "Score")],
                        default_sort: "name",
                        per_page: 50,
                    },
                    "/x",
                    (&rows, &orders),
                    &TableQuery {
                        q: String::new(),
                        sort: "score".into(),
                        dir: dir.into(),
                        page: page.to_string(),
                    },
                    &[],
                    |r| r.0.clone(),
                    |r, k| match k {
                        "score" => Key::Num(r.1),
                        _ => Key::text(&r.0),
                    },
                );
                assert_eq!(t.rows, borrowed.rows);
                paged.extend(t.rows);
            }
            assert_eq!(paged, sorted, "{dir}");
        }
    }

    /// Over kept rows and their orders, every query (filtered or not, any
    /// column, either way, any page) shows what a table of its own shows.
    #[test]
    fn kept_rows_show_the_same_pages() {
        let rows: Vec<(String, f64)> = (1..=230)
            .map(|i| (format!("Person {i:03}"), f64::from(i % 7)))
            .collect();
        let spec = Spec {
            columns: &[("name", "Name"), ("score", "Score")],
            default_sort: "name",
            per_page: 20,
        };
        let orders = Orders::default();
        let text = |r: &(String, f64)| r.0.clone();
        let key = |r: &(String, f64), k: &str| match k {
            "score" => Key::Num(r.1),
            _ => Key::text(&r.0),
        };
        for q in ["", "person 1", "PERSON 2 0", "nobody"] {
            for sort in ["", "score", "name", "unknown"] {
                for dir in ["", "desc"] {
                    for page in ["", "2", "7", "99", "x"] {
                        let query = TableQuery {
                            q: q.into(),
                            sort: sort.into(),
                            dir: dir.into(),
                            page: page.into(),
                        };
                        let own = Table::new(spec, "/x", rows.clone(), &query, &[], text, key);
                        let kept = Table::of(spec, "/x", (&rows, &orders), &query, &[], text, key);
                        let what = format!("{q:?} {sort:?} {dir:?} {page:?}");
                        assert_eq!(own.rows, kept.rows, "{what}");
                        assert_eq!(
                            (
                                own.total,
                                own.matching,
                                own.page,
                                own.pages,
                                own.first,
                                own.last
                            ),
                            (
                                kept.total,
                                kept.matching,
                                kept.page,
                                kept.pages,
                                kept.first,
                                kept.last
                            ),
                            "{what}"
                        );
                        assert_eq!((own.prev, own.next), (kept.prev, kept.next), "{what}");
                    }
                }
            }
        }
    }
}
