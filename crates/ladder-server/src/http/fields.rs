//! How long a text field may be and which characters none may hold: one
//! rule for every door that takes text (web forms, the JSON API, SCIM),
//! checked once on the raw body before any handler reads it
//! ([`crate::http::text::text_at_the_edge`]). CSV files are checked by their
//! importers, row by row, with the same short cap.
//!
//! The caps, in characters (Unicode scalar values):
//! - free text ([`LONG_FIELDS`]: notes, comments, goals, cases, …):
//!   [`LONG`];
//! - passwords (and `confirm`, which repeats one): [`SECRET`];
//! - addresses (`url`, `next`): [`ADDRESS`];
//! - every other field (names, titles, emails, ids, dates, choices):
//!   [`SHORT`].
//!
//! A field's name is matched whole, then by the part before its first `-`
//! or `_` (`comment-q3`, `notes_12`). SCIM bodies take the free-text cap
//! for every attribute; the attributes Ladder keeps are then held to the
//! short cap by the people import they go through.
//!
//! No field may hold a control character other than tab, line feed and
//! carriage return (U+0000–U+001F, U+007F, U+0080–U+009F).

use std::fmt;

/// Names, titles, emails, ids, dates and choices.
pub const SHORT: usize = 200;
/// Free text.
pub const LONG: usize = 20_000;
/// Passwords.
pub const SECRET: usize = 1_000;
/// Web addresses.
pub const ADDRESS: usize = 2_000;

/// The fields that hold free text.
pub const LONG_FIELDS: &[&str] = &[
    "text",
    "notes",
    "comment",
    "case",
    "override_reason",
    "outcome",
    "goals",
    "targets",
    "ideas",
    "summary",
    "evidence",
    "reason",
    "detail",
    "requirement",
];

/// `confirm` repeats a new password (or, on the erasure page, an email).
const SECRET_FIELDS: &[&str] = &["password", "new_password", "current_password", "confirm"];
const ADDRESS_FIELDS: &[&str] = &["url", "next"];

/// The most characters the field `name` takes.
pub fn cap(name: &str) -> usize {
    let of = |n: &str| {
        if LONG_FIELDS.contains(&n) {
            Some(LONG)
        } else if SECRET_FIELDS.contains(&n) {
            Some(SECRET)
        } else if ADDRESS_FIELDS.contains(&n) {
            Some(ADDRESS)
        } else {
            None
        }
    };
    of(name)
        .or_else(|| {
            let stem = name.split(['-', '_']).next().unwrap_or(name);
            of(stem)
        })
        .unwrap_or(SHORT)
}

/// Why a body was refused, naming the field.
#[derive(Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The field as the caller wrote it: a form field's name, or a JSON
    /// path (`answers[2].comment`).
    pub field: String,
    pub message: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}", self.field, self.message)
    }
}

fn is_refused(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// One value of the field `name` (shown as `field`), at most `cap`
/// characters.
fn check(field: &str, value: &str, cap: usize) -> Result<(), Refusal> {
    if let Some((at, c)) = value.chars().enumerate().find(|(_, c)| is_refused(*c)) {
        return Err(Refusal {
            field: field.to_owned(),
            message: format!(
                "holds a control character (U+{:04X}) at character {}; remove it and send again",
                u32::from(c),
                at + 1
            ),
        });
    }
    let n = value.chars().count();
    if n > cap {
        return Err(Refusal {
            field: field.to_owned(),
            message: format!(
                "{n} characters is too long; this field takes at most {cap}, so shorten it and send again"
            ),
        });
    }
    Ok(())
}

/// Every field of a form body (`application/x-www-form-urlencoded`).
pub fn check_form(body: &[u8]) -> Result<(), Refusal> {
    for (name, value) in form_urlencoded::parse(body) {
        check(&name, &value, cap(&name))?;
        check(&name, &name, SHORT).map_err(|r| Refusal {
            message: format!("the field's name {}", r.message),
            ..r
        })?;
    }
    Ok(())
}

/// One field of a refused web form, as the page that answers the refusal
/// gives it back: its text without the characters no field may hold.
#[derive(Debug, PartialEq, Eq)]
pub struct Kept {
    pub name: String,
    /// The text, cleaned: a vertical tab, form feed or next-line
    /// becomes a new line; every other refused character is taken out.
    pub value: String,
    /// The field's cap ([`cap`]).
    pub cap: usize,
    /// How many characters the cleaned text has.
    pub length: usize,
    /// The field was refused: it held a control character or was too
    /// long. The page shows it in a box to check; the others go back
    /// hidden, as they were.
    pub refused: bool,
    /// A password: never shown back, to be typed again.
    pub secret: bool,
}

/// `value` without the characters [`check`] refuses.
pub fn clean(value: &str) -> String {
    value
        .chars()
        .filter_map(|c| match c {
            '\u{0b}' | '\u{0c}' | '\u{85}' => Some('\n'),
            c if is_refused(c) => None,
            c => Some(c),
        })
        .collect()
}

/// Every field of a refused form body, in order, each cleaned, so that
/// what the person typed can be checked and sent again instead of lost.
pub fn keep_form(body: &[u8]) -> Vec<Kept> {
    form_urlencoded::parse(body)
        .map(|(name, value)| {
            let name = clean(&name);
            let most = cap(&name);
            let refused = check(&name, &value, most).is_err();
            let value = clean(&value);
            Kept {
                secret: most == SECRET,
                length: value.chars().count(),
                cap: most,
                refused,
                value,
                name,
            }
        })
        .collect()
}

/// Every string of a JSON body, each held to the cap of the nearest
/// property name above it (or to [`LONG`] for all when `scim`). A body
/// that is not JSON passes: its handler says what is wrong with it.
pub fn check_json(body: &[u8], scim: bool) -> Result<(), Refusal> {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Ok(());
    };
    walk(&value, "", "", scim)
}

fn walk(v: &serde_json::Value, path: &str, name: &str, scim: bool) -> Result<(), Refusal> {
    use serde_json::Value;
    let limit = if scim { LONG } else { cap(name) };
    match v {
        Value::String(s) => check(if path.is_empty() { "body" } else { path }, s, limit),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| walk(item, &format!("{path}[{i}]"), name, scim)),
        Value::Object(map) => map.iter().try_for_each(|(k, item)| {
            let here = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            check(&here, k, SHORT).map_err(|r| Refusal {
                message: format!("the property's name {}", r.message),
                ..r
            })?;
            walk(item, &here, k, scim)
        }),
        Value::Null | Value::Bool(_) | Value::Number(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_field_has_its_cap() {
        assert_eq!(cap("name"), SHORT);
        assert_eq!(cap("text"), LONG);
        assert_eq!(cap("comment-q3"), LONG);
        assert_eq!(cap("notes_12"), LONG);
        assert_eq!(cap("override_reason"), LONG);
        assert_eq!(cap("new_password"), SECRET);
        assert_eq!(cap("confirm"), SECRET);
        assert_eq!(cap("url"), ADDRESS);
        assert_eq!(cap("start_date"), SHORT);
        assert_eq!(cap("unknown"), SHORT);
    }

    #[test]
    fn forms_are_checked_field_by_field() {
        assert!(check_form(b"name=Ada&text=line%0Anext%09tab").is_ok());
        let long = format!("name={}", "a".repeat(SHORT + 1));
        let r = check_form(long.as_bytes()).unwrap_err();
        assert_eq!(r.field, "name");
        assert!(r.message.contains("201 characters"), "{r}");
        let r = check_form(b"csrf=x&comment-q1=a%07b").unwrap_err();
        assert_eq!(r.field, "comment-q1");
        assert!(r.message.contains("U+0007") && r.message.contains("character 2"));
        // Characters, not bytes.
        let wide = format!("name={}", "%C3%A9".repeat(SHORT));
        assert!(check_form(wide.as_bytes()).is_ok());
    }

    #[test]
    fn a_refused_form_is_kept_cleaned_field_by_field() {
        let kept = keep_form(b"csrf=t&text=a%07b%0Cc%C2%85d&password=x%1B&name=ok");
        let names: Vec<_> = kept.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(names, ["csrf", "text", "password", "name"]);
        let text = kept.get(1).unwrap();
        assert_eq!(text.value, "ab\nc\nd");
        assert!(text.refused && !text.secret);
        assert_eq!((text.cap, text.length), (LONG, 6));
        let password = kept.get(2).unwrap();
        assert!(password.secret && password.refused);
        assert!(!kept.first().unwrap().refused && !kept.get(3).unwrap().refused);
        // Too long is refused too, and kept whole for the person to cut.
        let long = format!("name={}", "n".repeat(SHORT + 1));
        let kept = keep_form(long.as_bytes());
        let name = kept.first().unwrap();
        assert!(name.refused);
        assert_eq!(name.length, SHORT + 1);
        assert_eq!(clean("tab\tand\r\nlines"), "tab\tand\r\nlines");
    }

    #[test]
    fn json_names_the_path() {
        let body = serde_json::json!({
            "answers": [{"comment": "fine"}, {"comment": "bad\u{1b}[31m"}]
        });
        let r = check_json(body.to_string().as_bytes(), false).unwrap_err();
        assert_eq!(r.field, "answers[1].comment");
        let body = serde_json::json!({"title": "t".repeat(SHORT + 1)});
        assert_eq!(
            check_json(body.to_string().as_bytes(), false)
                .unwrap_err()
                .field,
            "title"
        );
        let body = serde_json::json!({"text": "t".repeat(LONG)});
        assert!(check_json(body.to_string().as_bytes(), false).is_ok());
        // SCIM: free-text cap everywhere; the import holds kept fields.
        let body = serde_json::json!({"profileUrl": "u".repeat(500)});
        assert!(check_json(body.to_string().as_bytes(), true).is_ok());
        assert!(check_json(b"not json", false).is_ok());
    }

    /// The attribute `name` of one tag's text (`<input … name="x" …>`).
    fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        let rest = tag.get(at..)?;
        rest.get(..rest.find('"')?)
    }

    /// Every text box of every page says the cap the server holds it to,
    /// so that a browser stops the typing there and nobody loses what
    /// they typed to a refusal.
    #[test]
    fn every_text_box_carries_its_cap() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut stack = vec![dir];
        let mut wrong = Vec::new();
        let mut seen = 0;
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let text = std::fs::read_to_string(&p).unwrap();
                for open in ["<input", "<textarea"] {
                    for (at, _) in text.match_indices(open) {
                        let tag = &text[at..];
                        let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
                        let kind = attr(tag, "type").unwrap_or("text");
                        let typed = open == "<textarea"
                            || ["text", "email", "search", "password", "url", "tel"]
                                .contains(&kind);
                        if !typed {
                            continue;
                        }
                        seen += 1;
                        // A box without a name is shown, never sent.
                        let Some(name) = attr(tag, "name") else {
                            continue;
                        };
                        // A box whose name the server gives also gets its
                        // cap from the server (`fields::cap`).
                        if name.starts_with("{{")
                            && attr(tag, "maxlength").is_some_and(|m| m.contains(".cap"))
                        {
                            continue;
                        }
                        let stem = name.split("{{").next().unwrap_or_default();
                        let stem = stem.trim_end_matches(['-', '_']);
                        let most = cap(stem);
                        // A stricter cap of the page's own is fine.
                        let given = attr(tag, "maxlength").and_then(|m| m.parse::<usize>().ok());
                        if given.is_none_or(|g| g > most) {
                            wrong.push(format!(
                                "{}: `{tag}>` wants maxlength=\"{most}\"",
                                p.display()
                            ));
                        }
                    }
                }
            }
        }
        assert!(seen > 20, "only {seen} text boxes found");
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
}
