//! SCIM filters (RFC 7644 §3.4.2.2), the part identity providers send:
//! `attribute op value` comparisons (`eq`, `ne`, `co`, `sw`, `ew`, `pr`),
//! joined by `and` (and `or`), on a resource's JSON. Attribute names are
//! case-insensitive; values compare case-insensitively except `id` and
//! `externalId`, which are case-exact.

use serde_json::Value;

/// A parsed filter.
#[derive(Clone, Debug, PartialEq)]
pub enum Filter {
    Compare { path: String, op: Op, value: Value },
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Pr,
}

/// Splits a filter into words, keeping quoted strings whole.
fn words(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.peek().copied() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' {
            chars.next();
            let mut w = String::from("\"");
            let mut closed = false;
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(n) = chars.next() {
                            w.push(n);
                        }
                    }
                    '"' => {
                        closed = true;
                        break;
                    }
                    c => w.push(c),
                }
            }
            if !closed {
                return Err("a quoted value is not closed".to_owned());
            }
            out.push(w);
        } else {
            let mut w = String::new();
            let mut depth = 0;
            while let Some(c) = chars.peek().copied() {
                if c.is_whitespace() && depth == 0 {
                    break;
                }
                match c {
                    '[' => depth += 1,
                    ']' => depth -= 1,
                    _ => {}
                }
                w.push(c);
                chars.next();
            }
            out.push(w);
        }
    }
    Ok(out)
}

fn literal(w: &str) -> Result<Value, String> {
    if let Some(s) = w.strip_prefix('"') {
        return Ok(Value::String(s.to_owned()));
    }
    match w.to_ascii_lowercase().as_str() {
        "true" => Ok(Value::Bool(true)),
        "false" => Ok(Value::Bool(false)),
        "null" => Ok(Value::Null),
        _ => w
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| format!("`{w}` is not a value: quote strings (\"…\")")),
    }
}

impl Filter {
    pub fn parse(s: &str) -> Result<Filter, String> {
        let words = words(s)?;
        let mut i = 0;
        let f = Self::or(&words, &mut i)?;
        if let Some(w) = words.get(i) {
            return Err(format!("unexpected `{w}`"));
        }
        Ok(f)
    }

    fn or(w: &[String], i: &mut usize) -> Result<Filter, String> {
        let mut left = Self::and(w, i)?;
        while w.get(*i).is_some_and(|x| x.eq_ignore_ascii_case("or")) {
            *i += 1;
            left = Filter::Or(Box::new(left), Box::new(Self::and(w, i)?));
        }
        Ok(left)
    }

    fn and(w: &[String], i: &mut usize) -> Result<Filter, String> {
        let mut left = Self::compare(w, i)?;
        while w.get(*i).is_some_and(|x| x.eq_ignore_ascii_case("and")) {
            *i += 1;
            left = Filter::And(Box::new(left), Box::new(Self::compare(w, i)?));
        }
        Ok(left)
    }

    fn compare(w: &[String], i: &mut usize) -> Result<Filter, String> {
        let path = w
            .get(*i)
            .ok_or("the filter ends where an attribute was expected")?
            .clone();
        let op = w
            .get(*i + 1)
            .ok_or_else(|| format!("`{path}` needs an operator (eq, ne, co, sw, ew, pr)"))?;
        let op = match op.to_ascii_lowercase().as_str() {
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "co" => Op::Co,
            "sw" => Op::Sw,
            "ew" => Op::Ew,
            "pr" => Op::Pr,
            other => {
                return Err(format!(
                    "`{other}` is not an operator Ladder takes (eq, ne, co, sw, ew, pr)"
                ));
            }
        };
        if op == Op::Pr {
            *i += 2;
            return Ok(Filter::Compare {
                path,
                op,
                value: Value::Null,
            });
        }
        let value = literal(
            w.get(*i + 2)
                .ok_or_else(|| format!("`{path}` needs a value to compare with"))?,
        )?;
        *i += 3;
        Ok(Filter::Compare { path, op, value })
    }

    /// Whether a resource (its JSON) matches.
    pub fn matches(&self, doc: &Value) -> bool {
        match self {
            Filter::And(a, b) => a.matches(doc) && b.matches(doc),
            Filter::Or(a, b) => a.matches(doc) || b.matches(doc),
            Filter::Compare { path, op, value } => {
                let exact =
                    path.eq_ignore_ascii_case("id") || path.eq_ignore_ascii_case("externalId");
                let found = values_at(doc, path);
                if *op == Op::Pr {
                    return found.iter().any(|v| !v.is_null());
                }
                let hit = found.iter().any(|v| compare(v, *op, value, exact));
                if *op == Op::Ne {
                    !found.iter().any(|v| compare(v, Op::Eq, value, exact))
                } else {
                    hit
                }
            }
        }
    }
}

fn compare(have: &Value, op: Op, want: &Value, exact: bool) -> bool {
    let text = |v: &Value| match v {
        Value::String(s) => Some(if exact { s.clone() } else { s.to_lowercase() }),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let (Some(h), Some(w)) = (text(have), text(want)) else {
        return false;
    };
    match op {
        Op::Eq => h == w,
        Op::Ne => h != w,
        Op::Co => h.contains(&w),
        Op::Sw => h.starts_with(&w),
        Op::Ew => h.ends_with(&w),
        Op::Pr => true,
    }
}

/// Finds a key in an object, case-insensitively.
pub fn key<'a>(obj: &'a serde_json::Map<String, Value>, name: &str) -> Option<&'a Value> {
    obj.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// Every value at a path such as `userName`, `emails.value`,
/// `emails[type eq "work"].value`, `name.givenName` or an extension's
/// `urn:…:User:department`.
pub fn values_at<'a>(doc: &'a Value, path: &str) -> Vec<&'a Value> {
    let (doc, path) = match super::model::split_urn(path) {
        Some((urn, rest)) => match doc.as_object().and_then(|o| key(o, urn)) {
            Some(ext) => (ext, rest),
            None if urn.eq_ignore_ascii_case(super::model::USER_SCHEMA)
                || urn.eq_ignore_ascii_case(super::model::GROUP_SCHEMA) =>
            {
                (doc, rest)
            }
            None => return Vec::new(),
        },
        None => (doc, path),
    };
    let mut current = vec![doc];
    for part in split_path(path) {
        let (name, filter) = match part.split_once('[') {
            Some((n, f)) => (n, Filter::parse(f.trim_end_matches(']')).ok()),
            None => (part.as_str(), None),
        };
        let mut next = Vec::new();
        for v in current {
            let items: Vec<&Value> = match v {
                Value::Array(a) => a.iter().collect(),
                other => vec![other],
            };
            for item in items {
                if let Some(found) = item.as_object().and_then(|o| key(o, name)) {
                    match found {
                        Value::Array(a) => next.extend(
                            a.iter()
                                .filter(|x| filter.as_ref().is_none_or(|f| f.matches(x))),
                        ),
                        other => next.push(other),
                    }
                }
            }
        }
        current = next;
    }
    current
}

/// `emails[type eq "work"].value` → [`emails[type eq "work"]`, `value`]:
/// dots inside brackets do not split.
pub fn split_path(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0;
    for c in path.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            '.' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn the_filters_identity_providers_send_match() {
        let u = json!({
            "id": "7", "userName": "Ana@Example.com", "externalId": "00uAbC",
            "emails": [{"value": "ana@example.com", "type": "work", "primary": true}],
            "active": true,
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Platform"}
        });
        let m = |f: &str| Filter::parse(f).unwrap().matches(&u);
        assert!(
            m(r#"userName eq "ana@example.com""#),
            "userName is not case-exact"
        );
        assert!(m(r#"USERNAME Eq "ANA@EXAMPLE.COM""#));
        assert!(m(r#"externalId eq "00uAbC""#));
        assert!(!m(r#"externalId eq "00uabc""#), "externalId is case-exact");
        assert!(m(r#"emails.value eq "ana@example.com""#));
        assert!(m(r#"emails[type eq "work"].value eq "ana@example.com""#));
        assert!(!m(r#"emails[type eq "home"].value eq "ana@example.com""#));
        assert!(m(r#"userName sw "ana" and active eq true"#));
        assert!(m(r#"userName eq "x" or id eq "7""#));
        assert!(m("externalId pr"));
        assert!(m(
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "platform""#
        ));
        assert!(
            Filter::parse(r#"userName zz "a""#)
                .unwrap_err()
                .contains("zz")
        );
        assert!(
            Filter::parse(r#"userName eq "a"#)
                .unwrap_err()
                .contains("not closed")
        );
        assert!(
            Filter::parse("userName eq bare")
                .unwrap_err()
                .contains("quote")
        );
    }
}
