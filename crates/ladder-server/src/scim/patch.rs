//! SCIM PATCH (RFC 7644 §3.5.2) applied to a resource's JSON, in the
//! shapes Okta and Entra ID send: `op` in any case (`Replace`), with or
//! without `path`, paths with a filter (`emails[type eq "work"].value`),
//! extension paths (`urn:…:enterprise:2.0:User:manager`), and a value
//! object whose keys are themselves paths. The result is then read back as
//! a whole resource, so a patch is checked exactly as a PUT is.

use super::ScimError;
use super::filter::{Filter, key, split_path};
use super::model::{ENTERPRISE, LADDER, ensure_object, split_urn};
use serde_json::{Map, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Add,
    Replace,
    Remove,
}

/// Applies a PatchOp body's operations to `doc`, in order.
pub fn apply(doc: &mut Value, body: &Value) -> Result<(), ScimError> {
    let Some(obj) = body.as_object() else {
        return Err(ScimError::syntax(
            "the body must be a JSON object, a SCIM PatchOp",
        ));
    };
    let Some(ops) = key(obj, "Operations").and_then(Value::as_array) else {
        return Err(ScimError::syntax("a PatchOp needs `Operations`, a list"));
    };
    for (i, op) in ops.iter().enumerate() {
        let Some(o) = op.as_object() else {
            return Err(ScimError::syntax(&format!(
                "Operations[{i}] must be an object"
            )));
        };
        let kind = match key(o, "op")
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("add") => Kind::Add,
            Some("replace") => Kind::Replace,
            Some("remove") => Kind::Remove,
            other => {
                return Err(ScimError::syntax(&format!(
                    "Operations[{i}].op is {}: use add, replace or remove",
                    other.unwrap_or("missing")
                )));
            }
        };
        let path = key(o, "path")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|p| !p.is_empty());
        let value = key(o, "value").cloned().unwrap_or(Value::Null);
        match (kind, path) {
            (Kind::Remove, None) => {
                return Err(ScimError::new(
                    400,
                    "noTarget",
                    &format!("Operations[{i}]: remove needs a path"),
                ));
            }
            (Kind::Remove, Some(p)) => remove(doc, p, &value)?,
            (_, Some(p)) => set(doc, p, value, kind)?,
            (_, None) => {
                let Value::Object(values) = value else {
                    return Err(ScimError::invalid_value(
                        &format!("Operations[{i}].value"),
                        "without a path, the value must be an object of attributes",
                    ));
                };
                for (k, v) in values {
                    set(doc, &k, v, kind)?;
                }
            }
        }
    }
    Ok(())
}

/// The object a path lives in, and the rest of the path.
fn target<'a>(
    doc: &'a mut Value,
    path: &'a str,
) -> Result<(&'a mut Map<String, Value>, &'a str), ScimError> {
    match split_urn(path) {
        Some((urn, rest)) if urn == ENTERPRISE || urn == LADDER => {
            let obj = ensure_object(doc, urn)
                .ok_or_else(|| ScimError::syntax("the resource is not an object"))?;
            Ok((obj, rest))
        }
        Some((_, rest)) => Ok((
            doc.as_object_mut()
                .ok_or_else(|| ScimError::syntax("the resource is not an object"))?,
            rest,
        )),
        None => Ok((
            doc.as_object_mut()
                .ok_or_else(|| ScimError::syntax("the resource is not an object"))?,
            path,
        )),
    }
}

/// The key in `obj` that matches `name` case-insensitively, or `name`.
fn key_of(obj: &Map<String, Value>, name: &str) -> String {
    obj.keys()
        .find(|k| k.eq_ignore_ascii_case(name))
        .cloned()
        .unwrap_or_else(|| name.to_owned())
}

/// `name[filter]` → (`name`, the filter).
fn with_filter(part: &str) -> Result<(&str, Option<Filter>), ScimError> {
    match part.split_once('[') {
        None => Ok((part, None)),
        Some((name, rest)) => {
            let f = rest.strip_suffix(']').ok_or_else(|| {
                ScimError::new(
                    400,
                    "invalidPath",
                    &format!("`{part}`: the filter is not closed with ]"),
                )
            })?;
            let f = Filter::parse(f)
                .map_err(|e| ScimError::new(400, "invalidPath", &format!("`{part}`: {e}")))?;
            Ok((name, Some(f)))
        }
    }
}

/// An element made to match a filter `attr eq "value"`.
fn element_for(f: &Filter) -> Map<String, Value> {
    let mut m = Map::new();
    if let Filter::Compare { path, value, .. } = f {
        m.insert(path.clone(), value.clone());
    }
    m
}

fn set(doc: &mut Value, path: &str, value: Value, kind: Kind) -> Result<(), ScimError> {
    let (obj, rest) = target(doc, path)?;
    if rest.is_empty() {
        // The extension itself: merge its attributes.
        let Value::Object(values) = value else {
            return Err(ScimError::invalid_value(path, "must be an object"));
        };
        for (k, v) in values {
            let k = key_of(obj, &k);
            obj.insert(k, v);
        }
        return Ok(());
    }
    let parts = split_path(rest);
    let (first, sub) = match parts.as_slice() {
        [one] => (one.as_str(), None),
        [one, two] => (one.as_str(), Some(two.as_str())),
        _ => {
            return Err(ScimError::new(
                400,
                "invalidPath",
                &format!("`{path}` is deeper than Ladder's attributes"),
            ));
        }
    };
    let (name, filter) = with_filter(first)?;
    let k = key_of(obj, name);
    match (filter, sub) {
        (None, None) => {
            match (obj.get_mut(&k), value) {
                (Some(Value::Array(have)), Value::Array(more)) if kind == Kind::Add => {
                    for m in more {
                        if !have.contains(&m) {
                            have.push(m);
                        }
                    }
                }
                (_, v) => {
                    obj.insert(k, v);
                }
            }
            Ok(())
        }
        (None, Some(sub)) => {
            let slot = obj.entry(k).or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            if let Some(o) = slot.as_object_mut() {
                let sk = key_of(o, sub);
                o.insert(sk, value);
            }
            Ok(())
        }
        (Some(f), sub) => {
            let slot = obj.entry(k).or_insert_with(|| Value::Array(Vec::new()));
            if !slot.is_array() {
                *slot = Value::Array(Vec::new());
            }
            let Some(list) = slot.as_array_mut() else {
                return Ok(());
            };
            let mut found = false;
            for item in list.iter_mut().filter(|x| f.matches(x)) {
                found = true;
                match (sub, item.as_object_mut()) {
                    (Some(sub), Some(o)) => {
                        let sk = key_of(o, sub);
                        o.insert(sk, value.clone());
                    }
                    _ => *item = value.clone(),
                }
            }
            if !found {
                let mut e = element_for(&f);
                match sub {
                    Some(sub) => {
                        e.insert(sub.to_owned(), value);
                    }
                    None => {
                        if let Value::Object(v) = value {
                            e.extend(v);
                        }
                    }
                }
                list.push(Value::Object(e));
            }
            Ok(())
        }
    }
}

fn remove(doc: &mut Value, path: &str, value: &Value) -> Result<(), ScimError> {
    let (obj, rest) = target(doc, path)?;
    let parts = split_path(rest);
    let (first, sub) = match parts.as_slice() {
        [one] => (one.as_str(), None),
        [one, two] => (one.as_str(), Some(two.as_str())),
        _ => {
            return Err(ScimError::new(
                400,
                "invalidPath",
                &format!("`{path}` is deeper than Ladder's attributes"),
            ));
        }
    };
    let (name, filter) = with_filter(first)?;
    let k = key_of(obj, name);
    match (filter, sub) {
        (None, None) => {
            // `members` with a value list removes those members only.
            if let (Some(Value::Array(have)), Value::Array(gone)) = (obj.get_mut(&k), value) {
                let ids: Vec<&Value> = gone.iter().filter_map(|g| g.get("value")).collect();
                have.retain(|h| !h.get("value").is_some_and(|v| ids.contains(&v)));
            } else {
                obj.remove(&k);
            }
        }
        (None, Some(sub)) => {
            if let Some(o) = obj.get_mut(&k).and_then(Value::as_object_mut) {
                let sk = key_of(o, sub);
                o.remove(&sk);
            }
        }
        (Some(f), None) => {
            if let Some(list) = obj.get_mut(&k).and_then(Value::as_array_mut) {
                list.retain(|x| !f.matches(x));
            }
        }
        (Some(f), Some(sub)) => {
            if let Some(list) = obj.get_mut(&k).and_then(Value::as_array_mut) {
                for item in list.iter_mut().filter(|x| f.matches(x)) {
                    if let Some(o) = item.as_object_mut() {
                        let sk = key_of(o, sub);
                        o.remove(&sk);
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn user() -> Value {
        json!({
            "userName": "ana@example.com",
            "name": {"formatted": "Ana Lima"},
            "emails": [{"value": "ana@example.com", "type": "work", "primary": true}],
            "active": true,
            ENTERPRISE: {"department": "Platform", "manager": {"value": "3"}}
        })
    }

    #[test]
    fn okta_and_entra_shapes_apply() {
        let mut u = user();
        // Okta: no path, a value object.
        apply(
            &mut u,
            &json!({"Operations": [{"op": "replace", "value": {"active": false}}]}),
        )
        .unwrap();
        assert_eq!(u["active"], false);
        // Entra: capitalised op, string boolean, extension path, manager id alone.
        apply(&mut u, &json!({"schemas": [super::super::model::PATCH_OP], "Operations": [
            {"op": "Replace", "path": "active", "value": "True"},
            {"op": "Add", "path": format!("{ENTERPRISE}:manager"), "value": "9"},
            {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "ana@new.example.com"},
            {"op": "Replace", "path": "name.givenName", "value": "Anabela"},
        ]})).unwrap();
        assert_eq!(u["active"], "True");
        assert_eq!(u[ENTERPRISE]["manager"], "9");
        assert_eq!(u["emails"][0]["value"], "ana@new.example.com");
        assert_eq!(u["name"]["givenName"], "Anabela");
        // Keys of a value object may be paths too.
        apply(
            &mut u,
            &json!({"Operations": [{"op": "replace", "value": {
                format!("{ENTERPRISE}:department"): "Data", "displayName": "Ana L."
            }}]}),
        )
        .unwrap();
        assert_eq!(u[ENTERPRISE]["department"], "Data");
        assert_eq!(u["displayName"], "Ana L.");
        apply(
            &mut u,
            &json!({"Operations": [{"op": "remove", "path": format!("{ENTERPRISE}:manager")}]}),
        )
        .unwrap();
        assert!(u[ENTERPRISE].get("manager").is_none());
        // A filtered element that is not there is made.
        apply(&mut u, &json!({"Operations": [{"op": "add", "path": "emails[type eq \"home\"].value", "value": "a@home.example"}]})).unwrap();
        assert_eq!(
            u["emails"][1],
            json!({"type": "home", "value": "a@home.example"})
        );
    }

    #[test]
    fn bad_patches_say_what_is_wrong() {
        let mut u = user();
        let e = apply(
            &mut u,
            &json!({"Operations": [{"op": "move", "path": "active"}]}),
        )
        .unwrap_err();
        assert!(e.detail.contains("move"), "{}", e.detail);
        let e = apply(&mut u, &json!({"Operations": [{"op": "remove"}]})).unwrap_err();
        assert_eq!(e.scim_type, "noTarget");
        let e = apply(&mut u, &json!({"ops": []})).unwrap_err();
        assert!(e.detail.contains("Operations"));
        let e = apply(&mut u, &json!({"Operations": [{"op": "add", "path": "emails[type eq \"work\"", "value": "x"}]})).unwrap_err();
        assert_eq!(e.scim_type, "invalidPath");
    }
}
