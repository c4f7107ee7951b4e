//! Rendered parts of pages kept on a node: a person's page body rendered
//! once and served again while what it shows has not moved.
//!
//! The caller names what the part was rendered from in a [`Stamp`] (a
//! version of the person's data that the store moves with every write,
//! the organisation's version, the quarter…) and reads the stamp before
//! what it renders from, so a kept part is never newer than its stamp
//! says and a write made meanwhile only costs one more rendering.
//!
//! Forms in a kept part carry the viewer's CSRF token: the part is
//! rendered with [`mark`] in its place, a random string drawn once per
//! process that no one can guess to type it, and each response puts the
//! viewer's token back ([`Fragment::with`]). What else a part shows must
//! be the same for every viewer its key stands for: the key says whose it
//! is, and the cache decides nothing about access.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};

/// What a kept part was rendered from; a part is served only to a request
/// whose stamp is equal.
pub type Stamp = [i64; 3];

/// Which part: its kind, whose it is (a person), and the variant (how
/// the viewer stands to them: the person, the manager who rates…).
pub type Key = (&'static str, i64, u8);

/// Bytes of rendered parts a node keeps; past it the oldest go first.
/// About a hundred worksheets of a large role.
pub const KEPT_BYTES: usize = 16 << 20;

/// The string a part is rendered with where the viewer's CSRF token
/// goes, or `None` when the system gave no randomness (nothing is kept).
pub fn mark() -> Option<&'static str> {
    static MARK: OnceLock<Option<String>> = OnceLock::new();
    MARK.get_or_init(|| {
        let mut b = [0u8; 16];
        getrandom::fill(&mut b).ok()?;
        Some(format!(
            "kept-csrf-{}",
            b.iter().map(|x| format!("{x:02x}")).collect::<String>()
        ))
    })
    .as_deref()
}

/// A rendered part, with where the viewer's CSRF token goes.
#[derive(Debug)]
pub struct Fragment {
    html: String,
    /// Byte offsets into `html`, in order.
    marks: Vec<usize>,
}

impl Fragment {
    /// `rendered` with each `mark` taken out and its place noted.
    pub fn of(rendered: &str, mark: &str) -> Fragment {
        let mut html = String::with_capacity(rendered.len());
        let mut marks = Vec::new();
        let mut rest = rendered;
        while let Some((before, after)) = rest.split_once(mark) {
            html.push_str(before);
            marks.push(html.len());
            rest = after;
        }
        html.push_str(rest);
        Fragment { html, marks }
    }

    /// The part as one viewer receives it, with their token.
    pub fn with(&self, csrf: &str) -> String {
        let mut out = String::with_capacity(self.html.len() + self.marks.len() * csrf.len());
        let mut from = 0;
        for &at in &self.marks {
            out.push_str(self.html.get(from..at).unwrap_or_default());
            out.push_str(csrf);
            from = at;
        }
        out.push_str(self.html.get(from..).unwrap_or_default());
        out
    }

    fn size(&self) -> usize {
        self.html.len() + self.marks.len() * std::mem::size_of::<usize>()
    }
}

/// The parts a node keeps, up to [`KEPT_BYTES`].
#[derive(Default)]
pub struct Kept {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    parts: HashMap<Key, (Stamp, u64, Arc<Fragment>)>,
    /// Keys in the order they were kept, with the serial of the keeping
    /// (a key kept again has a newer one, and its older place is skipped).
    order: VecDeque<(Key, u64)>,
    serial: u64,
    bytes: usize,
}

impl std::fmt::Debug for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (parts, bytes) = self
            .inner
            .lock()
            .map(|i| (i.parts.len(), i.bytes))
            .unwrap_or_default();
        f.debug_struct("Kept")
            .field("parts", &parts)
            .field("bytes", &bytes)
            .finish()
    }
}

impl Kept {
    /// The part kept under `key`, if it was rendered from `stamp`.
    pub fn get(&self, key: &Key, stamp: &Stamp) -> Option<Arc<Fragment>> {
        let inner = self.inner.lock().ok()?;
        let (at, _, part) = inner.parts.get(key)?;
        (at == stamp).then(|| Arc::clone(part))
    }

    /// Keeps `part` under `key`, replacing what was there, and lets the
    /// oldest parts go past the budget. A part larger than an eighth of
    /// the budget is not kept.
    pub fn put(&self, key: Key, stamp: Stamp, part: Arc<Fragment>) {
        let size = part.size();
        if size > KEPT_BYTES / 8 {
            return;
        }
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        inner.serial += 1;
        let serial = inner.serial;
        if let Some((_, _, old)) = inner.parts.insert(key, (stamp, serial, part)) {
            inner.bytes -= old.size();
        }
        inner.bytes += size;
        inner.order.push_back((key, serial));
        while inner.bytes > KEPT_BYTES {
            let Some((oldest, at)) = inner.order.pop_front() else {
                break;
            };
            if inner.parts.get(&oldest).is_some_and(|(_, s, _)| *s == at)
                && let Some((_, _, gone)) = inner.parts.remove(&oldest)
            {
                inner.bytes -= gone.size();
            }
        }
        // Places of keys kept again since are skipped as they come up;
        // the queue never holds more than twice the parts.
        if inner.order.len() > 2 * inner.parts.len() + 16 {
            let Inner { parts, order, .. } = &mut *inner;
            order.retain(|(k, s)| parts.get(k).is_some_and(|(_, at, _)| at == s));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_go_back_where_the_marks_were() {
        let m = mark().unwrap();
        let part = Fragment::of(&format!("<a>{m}</a><b value=\"{m}\">{m}"), m);
        assert_eq!(part.with("T0K"), "<a>T0K</a><b value=\"T0K\">T0K");
        assert_eq!(part.with(""), "<a></a><b value=\"\">");
        assert_eq!(Fragment::of("no mark", m).with("x"), "no mark");
        assert_ne!(m, "", "the mark is never empty");
    }

    #[test]
    fn a_part_is_served_only_at_its_stamp_and_the_oldest_go_first() {
        let kept = Kept::default();
        let part = |n: usize| Arc::new(Fragment::of(&"x".repeat(n), "m"));
        kept.put(("w", 1, 0), [1, 1, 1], part(10));
        assert!(kept.get(&("w", 1, 0), &[1, 1, 1]).is_some());
        assert!(kept.get(&("w", 1, 0), &[2, 1, 1]).is_none());
        assert!(kept.get(&("w", 1, 1), &[1, 1, 1]).is_none());
        // Kept again at a newer stamp: the old one is gone.
        kept.put(("w", 1, 0), [2, 1, 1], part(20));
        assert!(kept.get(&("w", 1, 0), &[1, 1, 1]).is_none());
        assert_eq!(
            kept.get(&("w", 1, 0), &[2, 1, 1]).unwrap().with("").len(),
            20
        );
        // Too large to keep.
        kept.put(("w", 2, 0), [1, 1, 1], part(KEPT_BYTES));
        assert!(kept.get(&("w", 2, 0), &[1, 1, 1]).is_none());
        // Fill past the budget: the first ones kept go, the last stay.
        let each = KEPT_BYTES / 10;
        for p in 10..30 {
            kept.put(("w", p, 0), [1, 1, 1], part(each));
        }
        assert!(kept.get(&("w", 10, 0), &[1, 1, 1]).is_none());
        assert!(kept.get(&("w", 1, 0), &[2, 1, 1]).is_none());
        assert!(kept.get(&("w", 29, 0), &[1, 1, 1]).is_some());
        let inner = kept.inner.lock().unwrap();
        assert!(inner.bytes <= KEPT_BYTES);
        assert_eq!(
            inner.bytes,
            inner
                .parts
                .values()
                .map(|(_, _, f)| f.size())
                .sum::<usize>()
        );
    }
}
