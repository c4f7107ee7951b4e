//! `/scim/v2/Users`: people as SCIM Users, written through the checks a
//! people import makes.

use super::model::{ENTERPRISE, LADDER, UserInput, user_json};
use super::{ListQuery, ScimError, base, body, client, list, patch, scim_json};
use crate::AppState;
use crate::access::Provisioning;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use ladder_framework::Framework;
use ladder_org::{Date, PersonRecord, resolve_role};
use ladder_store::{Id, Person, ScimLink};
use serde_json::Value;
use std::collections::HashMap;

/// The directory as provisioning sees it.
#[derive(Debug)]
pub struct Directory {
    pub people: Vec<Person>,
    by_id: HashMap<Id, usize>,
    links: HashMap<Id, ScimLink>,
}

impl Directory {
    pub async fn read(p: &Provisioning<'_>) -> Result<Directory, ScimError> {
        let (people, links) = p.directory().await?;
        let by_id = people.iter().enumerate().map(|(i, x)| (x.id, i)).collect();
        let links = links.into_iter().map(|l| (l.person_id, l)).collect();
        Ok(Directory {
            people,
            by_id,
            links,
        })
    }

    pub fn person(&self, id: Id) -> Option<&Person> {
        self.by_id.get(&id).and_then(|i| self.people.get(*i))
    }

    pub fn link(&self, id: Id) -> Option<&ScimLink> {
        self.links.get(&id)
    }

    /// Shown to provisioning: everyone but those it deleted.
    pub fn visible(&self, id: Id) -> Option<&Person> {
        self.person(id)
            .filter(|_| !self.link(id).is_some_and(|l| l.deleted))
    }

    /// A User's id from the path: a visible person, or 404.
    fn find(&self, id: &str) -> Result<&Person, ScimError> {
        id.parse::<Id>()
            .ok()
            .and_then(|id| self.visible(id))
            .ok_or_else(|| ScimError::not_found(&format!("User {id}")))
    }

    pub fn by_email(&self, email: &str) -> Option<&Person> {
        self.people
            .iter()
            .find(|p| p.record.email.eq_ignore_ascii_case(email))
    }

    pub fn doc(&self, p: &Person, base: &str) -> Value {
        let manager = p.manager_id.and_then(|m| self.person(m));
        user_json(p, self.link(p.id), manager, base)
    }

    /// The person a manager reference names: an id, an externalId, a
    /// userName or an email.
    fn manager(&self, r: &str) -> Option<&Person> {
        if let Some(p) = r.parse::<Id>().ok().and_then(|id| self.visible(id)) {
            return Some(p);
        }
        if let Some(l) = self.links.values().find(|l| {
            !l.deleted
                && (l.external_id.as_deref() == Some(r) || l.user_name.eq_ignore_ascii_case(r))
        }) {
            return self.person(l.person_id);
        }
        self.by_email(r)
    }
}

fn role_attr(field: &str) -> String {
    match field {
        "family" => format!("{LADDER}:jobFamily"),
        other => format!("{LADDER}:{other}"),
    }
}

/// Writes what a provider sent about a person (`existing`: the person it
/// replaces or patches; `None` for a new one), checked as a people import
/// would check a row. Returns the person's id.
pub async fn write(
    p: &Provisioning<'_>,
    fw: &Framework,
    dir: &Directory,
    existing: Option<&Person>,
    u: UserInput,
    now: i64,
) -> Result<Id, ScimError> {
    let email = u
        .email
        .clone()
        .filter(|e| e.contains('@'))
        .or_else(|| Some(u.user_name.clone()).filter(|n| n.contains('@')))
        .map(|e| e.to_lowercase())
        .ok_or_else(|| {
            ScimError::invalid_value(
                "emails",
                "Ladder needs a work email: send emails with a primary or work address, or an email as userName",
            )
        })?;
    if email.len() > 254 || email.chars().any(char::is_whitespace) {
        return Err(ScimError::invalid_value(
            "emails",
            "is not an email address",
        ));
    }
    let old = existing.map(|x| &x.record);
    if let Some(o) = old
        && !o.email.eq_ignore_ascii_case(&email)
    {
        return Err(ScimError::new(
            400,
            "mutability",
            &format!(
                "emails: {} is this person's email in Ladder, and accounts are matched by it; the people team changes an email (a new people import row), not provisioning",
                o.email
            ),
        ));
    }
    if existing.is_none()
        && let Some(other) = dir.by_email(&email)
        && dir.visible(other.id).is_some()
    {
        return Err(ScimError::new(
            409,
            "uniqueness",
            &format!(
                "userName: {email} is already User {}; find it with filter=userName eq \"{email}\" and update it",
                other.id
            ),
        ));
    }
    let me = existing
        .map(|x| x.id)
        .or_else(|| dir.by_email(&email).map(|x| x.id));
    if let Some(x) = &u.external_id
        && let Some(l) = dir.links.values().find(|l| {
            l.external_id.as_deref() == Some(x.as_str()) && Some(l.person_id) != me && !l.deleted
        })
    {
        return Err(ScimError::new(
            409,
            "uniqueness",
            &format!("externalId: {x} is already User {}", l.person_id),
        ));
    }
    if let Some(l) = dir.links.values().find(|l| {
        l.user_name.eq_ignore_ascii_case(&u.user_name) && Some(l.person_id) != me && !l.deleted
    }) {
        return Err(ScimError::new(
            409,
            "uniqueness",
            &format!("userName: {} is already User {}", u.user_name, l.person_id),
        ));
    }
    let name = u
        .name
        .clone()
        .or_else(|| old.map(|o| o.name.clone()))
        .ok_or_else(|| {
            ScimError::invalid_value(
                "name",
                "a name is required (displayName, or name.givenName and name.familyName)",
            )
        })?;
    if name.chars().count() > 200 || name.contains('\0') {
        return Err(ScimError::invalid_value(
            "name",
            "must be a name of up to 200 characters",
        ));
    }
    let department = u
        .department
        .clone()
        .or_else(|| old.map(|o| o.department.clone()))
        .ok_or_else(|| {
            ScimError::invalid_value(
                &format!("{ENTERPRISE}:department"),
                "is required: calibration groups people by it",
            )
        })?;
    let family = u
        .family
        .clone()
        .or_else(|| old.map(|o| o.role.family.clone()))
        .ok_or_else(|| {
            ScimError::invalid_value(
                &role_attr("family"),
                "is required: a job family of the framework",
            )
        })?;
    let level = u
        .level
        .clone()
        .or_else(|| old.map(|o| o.role.level.clone()))
        .ok_or_else(|| {
            ScimError::invalid_value(
                &role_attr("level"),
                "is required: a level of the job family",
            )
        })?;
    let same_family = old.filter(|o| o.role.family.eq_ignore_ascii_case(&family));
    let specialty = u
        .specialty
        .clone()
        .or_else(|| same_family.and_then(|o| o.role.specialty.clone()))
        .unwrap_or_default();
    let grade = u
        .grade
        .clone()
        .or_else(|| {
            same_family
                .filter(|o| o.role.level.eq_ignore_ascii_case(&level))
                .map(|o| o.role.grade.clone())
        })
        .unwrap_or_default();
    if !grade.is_empty() && !grade.parse::<f64>().is_ok_and(f64::is_finite) {
        return Err(ScimError::invalid_value(
            &role_attr("grade"),
            "a grade is a number, such as 7 or 9.5",
        ));
    }
    let role = resolve_role(fw, &family, &level, &specialty, &grade).map_err(|problem| {
        let fix = problem.fix.map(|f| format!(" ({f})")).unwrap_or_default();
        ScimError::invalid_value(
            &role_attr(problem.field),
            &format!("`{}`: {}{fix}", problem.value, problem.message),
        )
    })?;
    if let (Some(x), Some(o)) = (existing, old)
        && o.role.level != role.level
    {
        p.refused_level(x.id, Some(&role.level), now).await?;
        return Err(ScimError::new(
            400,
            "mutability",
            &format!(
                "{LADDER}:level: {} is at `{}` in Ladder; a level changes only through a proposal approved in a 360 cycle, so `{}` was refused and the people team was told. Send `{}`, or leave level out",
                o.name, o.role.level, role.level, o.role.level
            ),
        ));
    }
    // The start date comes from the people file: HR systems' SCIM
    // mappings rarely carry it.
    let start_date = old.and_then(|o| o.start_date);
    // The manager: a person named now, or, not there yet, waited for.
    let (manager_email, pending) = match u.manager.clone().flatten() {
        None => (None, None),
        Some(r) => match dir.manager(&r) {
            Some(m) => {
                if Some(m.id) == me {
                    return Err(ScimError::invalid_value(
                        &format!("{ENTERPRISE}:manager"),
                        "a person cannot be their own manager",
                    ));
                }
                // Walk up from the manager: meeting this person is a cycle.
                let mut chain = vec![m.record.name.clone()];
                let mut cur = m.manager_id;
                let mut steps = 0;
                while let (Some(c), true) = (cur, steps < 10_000) {
                    steps += 1;
                    if Some(c) == me {
                        chain.push(name.clone());
                        return Err(ScimError::invalid_value(
                            &format!("{ENTERPRISE}:manager"),
                            &format!(
                                "{} would make a reporting cycle ({name} → {})",
                                m.record.name,
                                chain.join(" → ")
                            ),
                        ));
                    }
                    let up = dir.person(c);
                    if let Some(up) = up {
                        chain.push(up.record.name.clone());
                    }
                    cur = up.and_then(|x| x.manager_id);
                }
                (Some(m.record.email.clone()), None)
            }
            None => (
                None,
                Some(if r.contains('@') { r.to_lowercase() } else { r }),
            ),
        },
    };
    let record = PersonRecord {
        email: email.clone(),
        name,
        manager_email,
        department,
        role,
        location: u
            .location
            .clone()
            .or_else(|| old.map(|o| o.location.clone()))
            .unwrap_or_default(),
        start_date,
        active: u.active.or(old.map(|o| o.active)).unwrap_or(true),
    };
    let prior = me.and_then(|id| dir.link(id));
    let link = ScimLink {
        person_id: me.unwrap_or(0),
        external_id: u.external_id.clone(),
        user_name: u.user_name.clone(),
        employee_number: u.employee_number.clone(),
        pending_manager: pending,
        deleted: false,
        refused_level: prior.and_then(|l| l.refused_level.clone()),
        created_at: prior.map_or(now, |l| l.created_at),
        updated_at: now,
    };
    let action = if existing.is_some() {
        "scim.user.update"
    } else {
        "scim.user.create"
    };
    let rec = p.record(action, me, &email, now);
    let today = Date::from_unix(now).to_string();
    let id = p.write(&record, &link, &today, &rec, now).await?;
    if link.refused_level.is_some() {
        // Ladder's level was sent again: nothing waits any more.
        p.refused_level(id, None, now).await?;
    }
    Ok(id)
}

/// Deactivates a person and hides them from provisioning (their data
/// stays in Ladder).
async fn delete(
    p: &Provisioning<'_>,
    dir: &Directory,
    x: &Person,
    now: i64,
) -> Result<(), ScimError> {
    let mut record = x.record.clone();
    record.active = false;
    let prior = dir.link(x.id);
    let link = ScimLink {
        person_id: x.id,
        external_id: prior.and_then(|l| l.external_id.clone()),
        user_name: prior.map_or(x.record.email.clone(), |l| l.user_name.clone()),
        employee_number: prior.and_then(|l| l.employee_number.clone()),
        pending_manager: prior.and_then(|l| l.pending_manager.clone()),
        deleted: true,
        refused_level: None,
        created_at: prior.map_or(now, |l| l.created_at),
        updated_at: now,
    };
    let today = Date::from_unix(now).to_string();
    let rec = p.record("scim.user.delete", Some(x.id), &x.record.email, now);
    p.write(&record, &link, &today, &rec, now).await?;
    Ok(())
}

pub async fn list_users(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, ScimError> {
    let p = client(&s, &headers).await?;
    let (filter, start, count) = q.read()?;
    let dir = Directory::read(&p).await?;
    let base = base(&s);
    let items: Vec<Value> = dir
        .people
        .iter()
        .filter(|x| dir.visible(x.id).is_some())
        .map(|x| dir.doc(x, &base))
        .filter(|d| filter.as_ref().is_none_or(|f| f.matches(d)))
        .collect();
    Ok(list(items, start, count))
}

pub async fn get_user(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ScimError> {
    let p = client(&s, &headers).await?;
    let dir = Directory::read(&p).await?;
    let x = dir.find(&id)?;
    Ok(scim_json(StatusCode::OK, &dir.doc(x, &base(&s))))
}

/// Answers with the person as stored after a write.
async fn written(
    s: &AppState,
    p: &Provisioning<'_>,
    id: Id,
    status: StatusCode,
) -> Result<Response, ScimError> {
    let dir = Directory::read(p).await?;
    let x = dir
        .person(id)
        .ok_or_else(|| ScimError::not_found(&format!("User {id}")))?;
    let mut r = scim_json(status, &dir.doc(x, &base(s)));
    if status == StatusCode::CREATED
        && let Ok(v) = axum::http::HeaderValue::from_str(&format!("{}/scim/v2/Users/{id}", base(s)))
    {
        r.headers_mut().insert(axum::http::header::LOCATION, v);
    }
    Ok(r)
}

pub async fn create_user(
    State(s): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, ScimError> {
    let p = client(&s, &headers).await?;
    let mut u = UserInput::read(&body(&bytes)?)?;
    // A new User is active unless it says otherwise.
    u.active = Some(u.active.unwrap_or(true));
    let dir = Directory::read(&p).await?;
    let fw = s.framework();
    // A person the provider deleted comes back as this new User.
    let returning = u
        .email
        .as_deref()
        .or(Some(u.user_name.as_str()))
        .and_then(|e| dir.by_email(e))
        .filter(|x| dir.visible(x.id).is_none());
    let id = write(&p, &fw.framework, &dir, returning, u, s.now()).await?;
    written(&s, &p, id, StatusCode::CREATED).await
}

pub async fn replace_user(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Response, ScimError> {
    let p = client(&s, &headers).await?;
    let dir = Directory::read(&p).await?;
    let x = dir.find(&id)?;
    let u = UserInput::read(&body(&bytes)?)?;
    let fw = s.framework();
    let id = write(&p, &fw.framework, &dir, Some(x), u, s.now()).await?;
    written(&s, &p, id, StatusCode::OK).await
}

pub async fn patch_user(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Response, ScimError> {
    let p = client(&s, &headers).await?;
    let dir = Directory::read(&p).await?;
    let x = dir.find(&id)?;
    let mut doc = dir.doc(x, &base(&s));
    patch::apply(&mut doc, &body(&bytes)?)?;
    let u = UserInput::read(&doc)?;
    let fw = s.framework();
    let id = write(&p, &fw.framework, &dir, Some(x), u, s.now()).await?;
    written(&s, &p, id, StatusCode::OK).await
}

pub async fn delete_user(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ScimError> {
    let p = client(&s, &headers).await?;
    let dir = Directory::read(&p).await?;
    let x = dir.find(&id)?;
    delete(&p, &dir, x, s.now()).await?;
    Ok(axum::response::IntoResponse::into_response(
        StatusCode::NO_CONTENT,
    ))
}
