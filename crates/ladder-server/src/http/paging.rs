//! Paging for the API's lists: `?limit=N&cursor=C`, answered with the
//! page and `next_cursor` (absent on the last page). Lists are in the
//! order of their ids, and a cursor names the last id given, so a page
//! costs a seek and its own rows whatever the list's size, and rows added
//! or removed while a client pages neither repeat nor skip the others.
//! Cursors are opaque: clients send back what they were given.

use crate::AppError;
use serde::Deserialize;

/// Rows a page gives unless `limit` says otherwise.
pub const DEFAULT_LIMIT: usize = 100;
/// The most rows a page gives.
pub const MAX_LIMIT: usize = 500;

/// `?limit=N&cursor=C`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Rows per page, 1 to 500 (100 if absent).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the page before; absent for the first page.
    #[param(max_length = 200)]
    pub cursor: Option<String>,
}

/// A page asked for: after which id, and how many.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paging {
    pub after: Option<i64>,
    pub limit: usize,
}

impl PageQuery {
    pub fn paging(&self) -> Result<Paging, AppError> {
        let limit = match self.limit {
            None => DEFAULT_LIMIT,
            Some(n) => usize::try_from(n)
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| {
                    AppError::BadRequest(format!(
                        "limit: {n} is not from 1 to {MAX_LIMIT}; ask for fewer rows and page with `cursor`"
                    ))
                })?,
        };
        let after = match self.cursor.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(c) => Some(read_cursor(c).ok_or_else(|| {
                AppError::BadRequest(format!(
                    "cursor: `{}` is not a cursor this server gave; send the `next_cursor` of the page before, or none for the first page",
                    c.chars().take(40).collect::<String>()
                ))
            })?),
        };
        Ok(Paging { after, limit })
    }
}

/// The cursor after `id`.
pub fn cursor(id: i64) -> String {
    format!("i{id:x}")
}

fn read_cursor(c: &str) -> Option<i64> {
    let hex = c.strip_prefix('i')?;
    if hex.is_empty() || hex.len() > 16 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    i64::from_str_radix(hex, 16).ok()
}

/// One page of `items`, which are in ascending order of `id`, and the
/// cursor of the next page if there is one.
pub fn page<T>(
    items: impl IntoIterator<Item = T>,
    id: impl Fn(&T) -> i64,
    p: Paging,
) -> (Vec<T>, Option<String>) {
    let mut out: Vec<T> = items
        .into_iter()
        .skip_while(|t| p.after.is_some_and(|a| id(t) <= a))
        .take(p.limit + 1)
        .collect();
    let next = if out.len() > p.limit {
        out.truncate(p.limit);
        out.last().map(|t| cursor(id(t)))
    } else {
        None
    };
    (out, next)
}

/// [`page`] over `items` in any order (rows kept in a cache in another
/// order): the `limit` lowest ids after the cursor, chosen in one pass,
/// and only they are cloned.
pub fn page_of<T: Clone>(
    items: &[T],
    id: impl Fn(&T) -> i64,
    p: Paging,
) -> (Vec<T>, Option<String>) {
    let mut after: Vec<&T> = items
        .iter()
        .filter(|t| p.after.is_none_or(|a| id(t) > a))
        .collect();
    if after.len() > p.limit + 1 {
        after.select_nth_unstable_by_key(p.limit, |t| id(t));
        after.truncate(p.limit + 1);
    }
    after.sort_unstable_by_key(|t| id(t));
    page(after.into_iter().cloned(), id, Paging { after: None, ..p })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(limit: Option<i64>, cursor: Option<&str>) -> PageQuery {
        PageQuery {
            limit,
            cursor: cursor.map(str::to_owned),
        }
    }

    #[test]
    fn pages_of_unordered_rows_walk_them_once_in_id_order() {
        let ids: Vec<i64> = (1..=50).map(|i| (i * 37) % 101).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        for limit in [1, 3, 7, 50, 60] {
            let mut seen = Vec::new();
            let mut at: Option<String> = None;
            loop {
                let p = q(Some(limit), at.as_deref()).paging().unwrap();
                let (rows, next) = page_of(&ids, |i| *i, p);
                assert!(rows.len() <= usize::try_from(limit).unwrap());
                seen.extend(rows);
                match next {
                    Some(c) => at = Some(c),
                    None => break,
                }
            }
            assert_eq!(seen, sorted, "limit {limit}");
        }
    }

    #[test]
    fn pages_walk_the_list_once() {
        let ids: Vec<i64> = (1..=7).map(|i| i * 3).collect();
        let mut seen = Vec::new();
        let mut at: Option<String> = None;
        loop {
            let p = q(Some(3), at.as_deref()).paging().unwrap();
            let (rows, next) = page(ids.iter().copied(), |i| *i, p);
            assert!(rows.len() <= 3);
            seen.extend(rows);
            match next {
                Some(c) => at = Some(c),
                None => break,
            }
        }
        assert_eq!(seen, ids);
        // A last page that is exactly full has no next.
        let (rows, next) = page(
            ids.iter().copied(),
            |i| *i,
            q(Some(7), None).paging().unwrap(),
        );
        assert_eq!((rows.len(), next), (7, None));
    }

    #[test]
    fn bad_limits_and_cursors_are_named() {
        for bad in [0, -1, 501] {
            let e = q(Some(bad), None).paging().unwrap_err().to_string();
            assert!(e.contains("limit"), "{e}");
        }
        for bad in ["12", "ix", "i", "i12345678901234567", "<script>"] {
            let e = q(None, Some(bad)).paging().unwrap_err().to_string();
            assert!(e.contains("cursor"), "{e}");
        }
        assert_eq!(
            q(None, Some(&cursor(255))).paging().unwrap(),
            Paging {
                after: Some(255),
                limit: DEFAULT_LIMIT
            }
        );
    }
}
