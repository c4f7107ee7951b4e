//! `/scim/v2/Groups`: Ladder's three roles as groups, so an identity
//! provider assigns them. Members are Users; a member without an account
//! gets one (single sign-on only). The groups themselves are fixed: they
//! are neither made nor deleted through SCIM.

use super::filter::key;
use super::model::GROUP_SCHEMA;
use super::users::Directory;
use super::{ListQuery, ScimError, base, body, client, list, patch, scim_json};
use crate::AppState;
use crate::access::Provisioning;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use ladder_store::{Account, Id, Roles};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// A group: its id, its displayName, and whether an account's roles hold
/// it.
type Group = (&'static str, &'static str, fn(Roles) -> bool);

const GROUPS: [Group; 3] = [
    ("admin", "Ladder admins", |r| r.admin),
    ("people", "Ladder people team", |r| r.people_team),
    ("editor", "Ladder framework editors", |r| r.editor),
];

fn group(id: &str) -> Result<Group, ScimError> {
    GROUPS
        .into_iter()
        .find(|(g, _, _)| g.eq_ignore_ascii_case(id))
        .ok_or_else(|| ScimError::not_found(&format!("Group {id}")))
}

/// The members of a group: Users whose account holds the role.
fn members(dir: &Directory, accounts: &[Account], holds: fn(Roles) -> bool) -> BTreeSet<Id> {
    accounts
        .iter()
        .filter(|a| a.active() && holds(a.roles))
        .filter_map(|a| dir.by_email(&a.email))
        .filter(|p| dir.visible(p.id).is_some())
        .map(|p| p.id)
        .collect()
}

fn doc(id: &str, name: &str, members: &BTreeSet<Id>, dir: &Directory, base: &str) -> Value {
    json!({
        "schemas": [GROUP_SCHEMA],
        "id": id,
        "displayName": name,
        "members": members.iter().map(|m| json!({
            "value": m.to_string(),
            "$ref": format!("{base}/scim/v2/Users/{m}"),
            "display": dir.person(*m).map(|p| p.record.name.clone()).unwrap_or_default(),
        })).collect::<Vec<_>>(),
        "meta": { "resourceType": "Group", "location": format!("{base}/scim/v2/Groups/{id}") },
    })
}

/// The member ids a group document lists, each a visible User.
fn member_ids(d: &Value, dir: &Directory) -> Result<BTreeSet<Id>, ScimError> {
    let Some(obj) = d.as_object() else {
        return Err(ScimError::syntax(
            "the body must be a JSON object, a SCIM Group",
        ));
    };
    for k in obj.keys() {
        if ![
            "schemas",
            "id",
            "displayName",
            "members",
            "meta",
            "externalId",
        ]
        .iter()
        .any(|a| a.eq_ignore_ascii_case(k))
        {
            return Err(ScimError::unknown(k));
        }
    }
    let mut out = BTreeSet::new();
    let list = match key(obj, "members") {
        None | Some(Value::Null) => return Ok(out),
        Some(Value::Array(l)) => l,
        Some(_) => return Err(ScimError::invalid_value("members", "must be a list")),
    };
    for m in list {
        let v = m
            .get("value")
            .and_then(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .or_else(|| v.as_i64().map(|n| n.to_string()))
            })
            .ok_or_else(|| {
                ScimError::invalid_value("members.value", "each member needs a User's id")
            })?;
        let id = v
            .parse::<Id>()
            .ok()
            .filter(|id| dir.visible(*id).is_some())
            .ok_or_else(|| {
                ScimError::invalid_value("members.value", &format!("{v} is not a User of Ladder"))
            })?;
        out.insert(id);
    }
    Ok(out)
}

/// Gives the role to those added and takes it from those removed.
async fn apply(
    p: &Provisioning<'_>,
    dir: &Directory,
    role: &str,
    before: &BTreeSet<Id>,
    after: &BTreeSet<Id>,
    now: i64,
) -> Result<(), ScimError> {
    let on: Vec<&ladder_store::Person> = after
        .difference(before)
        .filter_map(|id| dir.person(*id))
        .collect();
    let off: Vec<&ladder_store::Person> = before
        .difference(after)
        .filter_map(|id| dir.person(*id))
        .collect();
    p.set_role(role, &on, &off, now).await?;
    Ok(())
}

pub async fn list_groups(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, ScimError> {
    let p = client(&s, &headers).await?;
    let (filter, start, count) = q.read()?;
    let dir = Directory::read(&p).await?;
    let accounts = p.accounts().await?;
    let base = base(&s);
    let items: Vec<Value> = GROUPS
        .iter()
        .map(|(id, name, holds)| doc(id, name, &members(&dir, &accounts, *holds), &dir, &base))
        .filter(|d| filter.as_ref().is_none_or(|f| f.matches(d)))
        .collect();
    Ok(list(items, start, count))
}

pub async fn get_group(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ScimError> {
    let p = client(&s, &headers).await?;
    let (gid, name, holds) = group(&id)?;
    let dir = Directory::read(&p).await?;
    let accounts = p.accounts().await?;
    Ok(scim_json(
        StatusCode::OK,
        &doc(gid, name, &members(&dir, &accounts, holds), &dir, &base(&s)),
    ))
}

/// PUT and PATCH: the new member list, checked whole before any change.
async fn change(
    s: &AppState,
    headers: &HeaderMap,
    id: &str,
    bytes: &[u8],
    patching: bool,
) -> Result<Response, ScimError> {
    let p = client(s, headers).await?;
    let (gid, name, holds) = group(id)?;
    let dir = Directory::read(&p).await?;
    let accounts = p.accounts().await?;
    let before = members(&dir, &accounts, holds);
    let base = base(s);
    let sent = body(bytes)?;
    let after_doc = if patching {
        let mut d = doc(gid, name, &before, &dir, &base);
        patch::apply(&mut d, &sent)?;
        d
    } else {
        sent
    };
    if let Some(n) = after_doc.get("displayName").and_then(Value::as_str)
        && n != name
    {
        return Err(ScimError::new(
            400,
            "mutability",
            &format!("displayName: Ladder's groups keep their names (`{name}`)"),
        ));
    }
    let after = member_ids(&after_doc, &dir)?;
    apply(&p, &dir, gid, &before, &after, s.now()).await?;
    let accounts = p.accounts().await?;
    Ok(scim_json(
        StatusCode::OK,
        &doc(gid, name, &members(&dir, &accounts, holds), &dir, &base),
    ))
}

pub async fn patch_group(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Response, ScimError> {
    change(&s, &headers, &id, &bytes, true).await
}

pub async fn replace_group(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Response, ScimError> {
    change(&s, &headers, &id, &bytes, false).await
}

/// Groups are Ladder's roles: a provider that pushes a group of that name
/// is told it exists; any other name is refused.
pub async fn create_group(
    State(s): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, ScimError> {
    client(&s, &headers).await?;
    let sent = body(&bytes)?;
    let name = sent
        .get("displayName")
        .and_then(Value::as_str)
        .unwrap_or("");
    match GROUPS.iter().find(|(_, n, _)| n.eq_ignore_ascii_case(name)) {
        Some((id, _, _)) => Err(ScimError::new(
            409,
            "uniqueness",
            &format!("displayName: `{name}` is Group {id}; link to it instead"),
        )),
        None => Err(ScimError::new(
            400,
            "invalidValue",
            &format!(
                "displayName: Ladder's groups are its roles ({}); `{name}` is not one of them",
                GROUPS
                    .iter()
                    .map(|(_, n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

pub async fn delete_group(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ScimError> {
    client(&s, &headers).await?;
    let (_, name, _) = group(&id)?;
    Err(ScimError::new(
        400,
        "mutability",
        &format!("`{name}` is a Ladder role and stays; remove its members instead"),
    ))
}
