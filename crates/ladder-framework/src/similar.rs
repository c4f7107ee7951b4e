//! Small string helpers: edit distance, did-you-mean, slugs, near-duplicates.

/// Levenshtein distance in characters.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        if let Some(first) = cur.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(usize::MAX - 1) + 1;
            let ins = cur.get(j).copied().unwrap_or(usize::MAX - 1) + 1;
            let sub = prev.get(j).copied().unwrap_or(usize::MAX - 1) + cost;
            if let Some(slot) = cur.get_mut(j + 1) {
                *slot = del.min(ins).min(sub);
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().unwrap_or(0)
}

/// The candidate closest to `wanted`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let w = wanted.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = levenshtein(&w, &c.to_lowercase());
        let limit = (w.chars().count().max(c.chars().count()) / 3).max(2);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// The path closest to `wanted`: the same file name in another folder wins,
/// then the smallest edit distance over the whole path.
pub fn did_you_mean_path<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str> + Clone,
) -> Option<&'a str> {
    let name = wanted.rsplit('/').next().unwrap_or(wanted);
    let same_name = candidates
        .clone()
        .into_iter()
        .filter(|c| c.rsplit('/').next() == Some(name))
        .min_by_key(|c| levenshtein(wanted, c));
    if same_name.is_some() {
        return same_name;
    }
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = levenshtein(wanted, c);
        if d <= (wanted.len().max(c.len()) / 3).max(3) && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Lowercase words of a statement with Markdown links and punctuation removed.
pub fn words(text: &str) -> Vec<String> {
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        // `[label](target)` keeps only the label.
        if c == ']' && chars.peek() == Some(&'(') {
            for d in chars.by_ref() {
                if d == ')' {
                    break;
                }
            }
            plain.push(' ');
            continue;
        }
        if c.is_ascii_alphanumeric() {
            plain.push(c.to_ascii_lowercase());
        } else if c.is_alphanumeric() {
            plain.extend(c.to_lowercase());
        } else if c == '\'' || c == '’' {
            // "team's" stays one word.
        } else {
            plain.push(' ');
        }
    }
    plain.split_whitespace().map(str::to_owned).collect()
}

/// A slug of the first few significant words: `Writes clear design docs.` → `writes-clear-design-docs`.
pub fn slug(text: &str, max_words: usize) -> String {
    const SKIP: &[&str] = &[
        "a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "with",
    ];
    let w: Vec<String> = words(text)
        .into_iter()
        .filter(|w| !SKIP.contains(&w.as_str()) && w.is_ascii())
        .take(max_words)
        .collect();
    if w.is_empty() {
        "item".to_owned()
    } else {
        w.join("-")
    }
}

/// Turns a title into an id: `Site Reliability` → `site-reliability`.
pub fn slugify(title: &str) -> String {
    let w = words(title);
    if w.is_empty() {
        "untitled".to_owned()
    } else {
        w.join("-")
    }
}

/// Jaccard similarity of two sorted, deduplicated word lists (or any sorted
/// sets), 0.0..=1.0.
pub fn word_similarity<T: Ord>(a: &[T], b: &[T]) -> f64 {
    let (mut i, mut j, mut inter) = (0, 0, 0usize);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        match x.cmp(y) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                inter += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - inter;
    if union == 0 {
        return 1.0;
    }
    inter as f64 / union as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance() {
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("same", "same"), 0);
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            did_you_mean("senoir", ["intern", "senior", "staff"]),
            Some("senior")
        );
        assert_eq!(did_you_mean("banana", ["intern", "senior"]), None);
        assert_eq!(
            did_you_mean_path(
                "includes/engineering/senior-leadership.md",
                [
                    "includes/engineering-careers/senior-leadership.md",
                    "includes/x.md"
                ]
            ),
            Some("includes/engineering-careers/senior-leadership.md")
        );
    }

    #[test]
    fn slugs() {
        assert_eq!(
            slug("Writes [clear](/x) design docs for the team.", 4),
            "writes-clear-design-docs"
        );
        assert_eq!(slug("!!!", 4), "item");
        assert_eq!(slugify("Site Reliability"), "site-reliability");
    }
}

/// One run of a word-level diff.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "op", content = "text")]
pub enum WordOp {
    Same(String),
    Removed(String),
    Added(String),
}

/// Longest inputs the word diff aligns; longer ones are shown as replaced whole.
const WORD_DIFF_LIMIT: usize = 4_000;

/// A word-level diff of two texts: whitespace-separated words aligned by
/// their longest common subsequence, adjacent words of one kind joined.
pub fn word_diff(old: &str, new: &str) -> Vec<WordOp> {
    let a: Vec<&str> = old.split_whitespace().collect();
    let b: Vec<&str> = new.split_whitespace().collect();
    let mut ops: Vec<(u8, &str)> = Vec::new();
    if a.len() * b.len() > WORD_DIFF_LIMIT * WORD_DIFF_LIMIT / 16 {
        ops.extend(a.iter().map(|w| (1, *w)));
        ops.extend(b.iter().map(|w| (2, *w)));
    } else {
        // lcs[i][j]: common length of a[i..] and b[j..].
        let w = b.len() + 1;
        let mut lcs = vec![0u32; (a.len() + 1) * w];
        for i in (0..a.len()).rev() {
            for j in (0..b.len()).rev() {
                let v = if a.get(i) == b.get(j) {
                    lcs.get((i + 1) * w + j + 1).copied().unwrap_or(0) + 1
                } else {
                    let down = lcs.get((i + 1) * w + j).copied().unwrap_or(0);
                    let right = lcs.get(i * w + j + 1).copied().unwrap_or(0);
                    down.max(right)
                };
                if let Some(cell) = lcs.get_mut(i * w + j) {
                    *cell = v;
                }
            }
        }
        let at = |i: usize, j: usize| lcs.get(i * w + j).copied().unwrap_or(0);
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) if x == y => {
                    ops.push((0, x));
                    i += 1;
                    j += 1;
                }
                (Some(x), Some(_)) if at(i + 1, j) >= at(i, j + 1) => {
                    ops.push((1, x));
                    i += 1;
                }
                (_, Some(y)) => {
                    ops.push((2, y));
                    j += 1;
                }
                (Some(x), None) => {
                    ops.push((1, x));
                    i += 1;
                }
                (None, None) => break,
            }
        }
    }
    let mut out: Vec<WordOp> = Vec::new();
    for (kind, word) in ops {
        let joined = match (out.last_mut(), kind) {
            (Some(WordOp::Same(s)), 0)
            | (Some(WordOp::Removed(s)), 1)
            | (Some(WordOp::Added(s)), 2) => {
                s.push(' ');
                s.push_str(word);
                true
            }
            _ => false,
        };
        if !joined {
            let w = word.to_owned();
            out.push(match kind {
                0 => WordOp::Same(w),
                1 => WordOp::Removed(w),
                _ => WordOp::Added(w),
            });
        }
    }
    // Show a replacement as removed-then-added, whatever order the walk found.
    for k in 1..out.len() {
        if let (Some(WordOp::Added(_)), Some(WordOp::Removed(_))) = (out.get(k - 1), out.get(k)) {
            out.swap(k - 1, k);
        }
    }
    out
}

#[cfg(test)]
mod word_diff_tests {
    use super::{WordOp, word_diff};

    #[test]
    fn aligns_words() {
        let d = word_diff("Leads small projects well", "Leads large projects well");
        assert_eq!(
            d,
            vec![
                WordOp::Same("Leads".into()),
                WordOp::Removed("small".into()),
                WordOp::Added("large".into()),
                WordOp::Same("projects well".into()),
            ]
        );
        assert_eq!(word_diff("a b", "a b"), vec![WordOp::Same("a b".into())]);
        assert_eq!(word_diff("", "x"), vec![WordOp::Added("x".into())]);
    }
}
