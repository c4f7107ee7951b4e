//! Ladder's SCIM resources as JSON: a person as a `User` (core schema,
//! the enterprise extension and Ladder's own), what a provider sends read
//! back into a person's fields, and the discovery documents.

use super::filter::key;
use super::{ScimError, put};
use ladder_org::Date;
use ladder_store::{Person, ScimLink};
use serde_json::{Map, Value, json};

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const LADDER: &str = "urn:ietf:params:scim:schemas:extension:ladder:2.0:User";
pub const LIST: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

const SCHEMAS: [&str; 4] = [USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE, LADDER];

/// `urn:…:User:department` → (`urn:…:User`, `department`), for the schemas
/// Ladder knows; `None` for a plain attribute path.
pub fn split_urn(path: &str) -> Option<(&'static str, &str)> {
    SCHEMAS.iter().find_map(|urn| {
        let head = path.get(..urn.len())?;
        if !head.eq_ignore_ascii_case(urn) {
            return None;
        }
        let rest = path.get(urn.len()..)?;
        Some((*urn, rest.strip_prefix(':').unwrap_or(rest)))
    })
}

/// Unix seconds as RFC 3339.
pub fn instant(t: i64) -> String {
    let d = Date::from_unix(t);
    let s = t.rem_euclid(86_400);
    format!("{d}T{:02}:{:02}:{:02}Z", s / 3600, (s % 3600) / 60, s % 60)
}

/// A person as a SCIM `User`.
pub fn user_json(
    p: &Person,
    link: Option<&ScimLink>,
    manager: Option<&Person>,
    base: &str,
) -> Value {
    let r = &p.record;
    let (given, family) = match r.name.split_once(' ') {
        Some((g, f)) => (g, f),
        None => (r.name.as_str(), ""),
    };
    let mut name = json!({ "formatted": r.name, "givenName": given });
    if !family.is_empty() {
        put(&mut name, "familyName", json!(family));
    }
    let mut enterprise = json!({ "department": r.department });
    if let Some(n) = link.and_then(|l| l.employee_number.as_deref()) {
        put(&mut enterprise, "employeeNumber", json!(n));
    }
    if let Some(m) = manager {
        put(
            &mut enterprise,
            "manager",
            json!({
            "value": m.id.to_string(),
            "$ref": format!("{base}/scim/v2/Users/{}", m.id),
            "displayName": m.record.name,
            }),
        );
    } else if let Some(waiting) = link.and_then(|l| l.pending_manager.as_deref()) {
        // Named before they exist: kept until they arrive.
        put(&mut enterprise, "manager", json!({ "value": waiting }));
    }
    let mut ladder = json!({
        "jobFamily": r.role.family,
        "level": r.role.level,
        "location": r.location,
    });
    if !r.role.grade.is_empty() {
        put(&mut ladder, "grade", json!(r.role.grade));
    }
    if let Some(s) = &r.role.specialty {
        put(&mut ladder, "specialty", json!(s));
    }
    let (created, modified) = link.map_or((0, 0), |l| (l.created_at, l.updated_at));
    let mut u = json!({
        "schemas": [USER_SCHEMA, ENTERPRISE, LADDER],
        "id": p.id.to_string(),
        "userName": link.map_or(r.email.as_str(), |l| l.user_name.as_str()),
        "name": name,
        "displayName": r.name,
        "emails": [{ "value": r.email, "type": "work", "primary": true }],
        "active": r.active,
        ENTERPRISE: enterprise,
        LADDER: ladder,
        "meta": {
            "resourceType": "User",
            "created": instant(created),
            "lastModified": instant(modified),
            "location": format!("{base}/scim/v2/Users/{}", p.id),
            "version": format!("W/\"{modified}\""),
        },
    });
    if let Some(x) = link.and_then(|l| l.external_id.as_deref()) {
        put(&mut u, "externalId", json!(x));
    }
    u
}

/// The attributes of the core User schema (RFC 7643 §4.1) and the
/// enterprise extension that Ladder accepts and does not keep: sending
/// them is fine; anything else is refused as unknown.
const IGNORED: [&str; 20] = [
    "nickName",
    "profileUrl",
    "title",
    "userType",
    "preferredLanguage",
    "locale",
    "timezone",
    "password",
    "phoneNumbers",
    "ims",
    "photos",
    "addresses",
    "groups",
    "entitlements",
    "roles",
    "x509Certificates",
    "costCenter",
    "organization",
    "division",
    "meta",
];

/// What a provider sent about a user, in Ladder's terms. `None`: not sent.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UserInput {
    pub user_name: String,
    pub external_id: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub active: Option<bool>,
    pub department: Option<String>,
    /// `Some(None)`: no manager.
    pub manager: Option<Option<String>>,
    pub employee_number: Option<String>,
    pub family: Option<String>,
    pub level: Option<String>,
    pub specialty: Option<String>,
    pub grade: Option<String>,
    pub location: Option<String>,
}

fn text(v: &Value, attr: &str) -> Result<Option<String>, ScimError> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => Ok(Some(s.trim().to_owned())),
        Value::Number(n) => Ok(Some(n.to_string())),
        _ => Err(ScimError::invalid_value(attr, "must be a string")),
    }
}

/// `true`, `false`, or Entra ID's `"True"` and `"False"`.
pub fn boolean(v: &Value, attr: &str) -> Result<Option<bool>, ScimError> {
    match v {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        _ => Err(ScimError::invalid_value(attr, "must be true or false")),
    }
}

/// A manager as the enterprise extension gives it: `{"value": id}`, or
/// the id alone (as Entra ID sends it in a PATCH).
fn manager(v: &Value) -> Result<Option<String>, ScimError> {
    let attr = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager";
    match v {
        Value::Object(o) => match key(o, "value") {
            Some(v) => text(v, attr),
            None => Ok(None),
        },
        other => text(other, attr),
    }
}

impl UserInput {
    /// Reads a User as sent (POST, PUT, or the result of a PATCH). An
    /// attribute no schema defines is refused, naming it.
    pub fn read(doc: &Value) -> Result<UserInput, ScimError> {
        let Some(obj) = doc.as_object() else {
            return Err(ScimError::syntax(
                "the body must be a JSON object, a SCIM User",
            ));
        };
        let mut u = UserInput::default();
        for (k, v) in obj {
            let lower = k.to_ascii_lowercase();
            match lower.as_str() {
                "schemas" | "id" => {}
                "username" => u.user_name = text(v, "userName")?.unwrap_or_default(),
                "externalid" => u.external_id = text(v, "externalId")?,
                "displayname" => {
                    if let Some(n) = text(v, "displayName")? {
                        u.name = Some(n);
                    }
                }
                "name" => {
                    let Some(n) = v.as_object() else {
                        return Err(ScimError::invalid_value("name", "must be an object"));
                    };
                    if u.name.is_none() {
                        let formatted = key(n, "formatted")
                            .map(|f| text(f, "name.formatted"))
                            .transpose()?
                            .flatten();
                        let given = key(n, "givenName")
                            .map(|f| text(f, "name.givenName"))
                            .transpose()?
                            .flatten();
                        let family = key(n, "familyName")
                            .map(|f| text(f, "name.familyName"))
                            .transpose()?
                            .flatten();
                        u.name = formatted.or_else(|| match (given, family) {
                            (Some(g), Some(f)) => Some(format!("{g} {f}")),
                            (g, f) => g.or(f),
                        });
                    }
                }
                "emails" => {
                    let Some(list) = v.as_array() else {
                        return Err(ScimError::invalid_value("emails", "must be a list"));
                    };
                    let pick = list
                        .iter()
                        .find(|e| {
                            e.get("primary")
                                .and_then(|p| boolean(p, "emails.primary").ok().flatten())
                                == Some(true)
                        })
                        .or_else(|| {
                            list.iter()
                                .find(|e| e.get("type").and_then(Value::as_str) == Some("work"))
                        })
                        .or_else(|| list.first());
                    if let Some(e) = pick {
                        u.email = e
                            .get("value")
                            .map(|v| text(v, "emails.value"))
                            .transpose()?
                            .flatten();
                    }
                }
                "active" => u.active = boolean(v, "active")?,
                _ if lower == ENTERPRISE.to_ascii_lowercase() => {
                    let Some(e) = v.as_object() else {
                        return Err(ScimError::invalid_value(ENTERPRISE, "must be an object"));
                    };
                    for (ek, ev) in e {
                        let attr = format!("{ENTERPRISE}:{ek}");
                        match ek.to_ascii_lowercase().as_str() {
                            "department" => u.department = text(ev, &attr)?,
                            "employeenumber" => u.employee_number = text(ev, &attr)?,
                            "manager" => u.manager = Some(manager(ev)?),
                            "costcenter" | "organization" | "division" => {}
                            _ => return Err(ScimError::unknown(&attr)),
                        }
                    }
                }
                _ if lower == LADDER.to_ascii_lowercase() => {
                    let Some(e) = v.as_object() else {
                        return Err(ScimError::invalid_value(LADDER, "must be an object"));
                    };
                    for (ek, ev) in e {
                        let attr = format!("{LADDER}:{ek}");
                        let t = text(ev, &attr)?;
                        match ek.to_ascii_lowercase().as_str() {
                            "jobfamily" => u.family = t,
                            "level" => u.level = t,
                            "specialty" => u.specialty = t,
                            "grade" => u.grade = t,
                            "location" => u.location = t,
                            _ => return Err(ScimError::unknown(&attr)),
                        }
                    }
                }
                _ if IGNORED.iter().any(|i| i.eq_ignore_ascii_case(k)) => {}
                _ => return Err(ScimError::unknown(k)),
            }
        }
        if u.user_name.is_empty() {
            return Err(ScimError::invalid_value("userName", "is required"));
        }
        // A manager left out of a full User means none (PUT replaces).
        if u.manager.is_none() {
            u.manager = Some(None);
        }
        Ok(u)
    }
}

/// `ServiceProviderConfig` (RFC 7643 §5).
pub fn service_provider_config(base: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "documentationUri": format!("{base}/framework/"),
        "patch": { "supported": true },
        "bulk": { "supported": false, "maxOperations": 0, "maxPayloadSize": 0 },
        "filter": { "supported": true, "maxResults": super::MAX_COUNT },
        "changePassword": { "supported": false },
        "sort": { "supported": false },
        "etag": { "supported": false },
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "Bearer token",
            "description": "A token an admin makes for this provisioning client on Ladder's Provisioning page",
            "primary": true
        }],
        "meta": { "resourceType": "ServiceProviderConfig", "location": format!("{base}/scim/v2/ServiceProviderConfig") }
    })
}

/// `ResourceTypes` (RFC 7643 §6).
pub fn resource_types(base: &str) -> Vec<Value> {
    vec![
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "User", "name": "User", "endpoint": "/Users",
            "description": "A person in Ladder's directory",
            "schema": USER_SCHEMA,
            "schemaExtensions": [
                { "schema": ENTERPRISE, "required": false },
                { "schema": LADDER, "required": false }
            ],
            "meta": { "resourceType": "ResourceType", "location": format!("{base}/scim/v2/ResourceTypes/User") }
        }),
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "Group", "name": "Group", "endpoint": "/Groups",
            "description": "Ladder's roles: admins, the people team, framework editors",
            "schema": GROUP_SCHEMA,
            "meta": { "resourceType": "ResourceType", "location": format!("{base}/scim/v2/ResourceTypes/Group") }
        }),
    ]
}

fn attribute(name: &str, kind: &str, required: bool, description: &str) -> Value {
    json!({
        "name": name, "type": kind, "multiValued": false, "description": description,
        "required": required, "caseExact": false, "mutability": "readWrite",
        "returned": "default", "uniqueness": "none"
    })
}

/// The values every family takes, for `canonicalValues`: the family ids,
/// and the levels and specialties all families share (any family with any
/// of them is a valid role).
fn canonical(fw: &ladder_framework::Framework) -> (Vec<String>, Vec<String>, Vec<String>) {
    let families: Vec<String> = fw.families.iter().map(|f| f.id.clone()).collect();
    let shared = |each: &dyn Fn(&ladder_framework::Family) -> Vec<String>| -> Vec<String> {
        let mut it = fw.families.iter();
        let Some(first) = it.next() else {
            return Vec::new();
        };
        let mut common = each(first);
        for f in it {
            let mine = each(f);
            common.retain(|x| mine.contains(x));
        }
        common
    };
    let levels = shared(&|f| f.levels.iter().map(|l| l.level.clone()).collect());
    let specialties = shared(&|f| f.specialties.iter().map(|s| s.id.clone()).collect());
    (families, levels, specialties)
}

/// The grades the framework gives its levels, as Ladder writes them.
fn grades(fw: &ladder_framework::Framework) -> Vec<String> {
    let mut all: Vec<String> = fw
        .config
        .levels
        .iter()
        .map(|l| l.grade)
        .chain(
            fw.families
                .iter()
                .flat_map(|f| f.levels.iter().map(|l| l.grade)),
        )
        .map(|g| g.to_string())
        .collect();
    all.sort();
    all.dedup();
    all
}

/// `Schemas` (RFC 7643 §7): what Ladder keeps of each.
pub fn schemas(base: &str, fw: &ladder_framework::Framework) -> Vec<Value> {
    let (families, levels, specialties) = canonical(fw);
    let with_values = |mut a: Value, values: Vec<String>| {
        if !values.is_empty() {
            put(&mut a, "canonicalValues", json!(values));
        }
        a
    };
    let meta = |id: &str| json!({ "resourceType": "Schema", "location": format!("{base}/scim/v2/Schemas/{id}") });
    let mut user_name = attribute(
        "userName",
        "string",
        true,
        "The work email people sign in with",
    );
    put(&mut user_name, "uniqueness", json!("server"));
    let mut id = attribute("id", "string", false, "Ladder's id");
    put(&mut id, "mutability", json!("readOnly"));
    put(&mut id, "caseExact", json!(true));
    let mut external = attribute("externalId", "string", false, "The provider's id");
    put(&mut external, "caseExact", json!(true));
    let mut name = attribute("name", "complex", false, "The person's name");
    put(
        &mut name,
        "subAttributes",
        json!([
            attribute("formatted", "string", false, "The full name"),
            attribute("givenName", "string", false, "Given name"),
            attribute("familyName", "string", false, "Family name"),
        ]),
    );
    let mut emails = attribute(
        "emails",
        "complex",
        true,
        "The work email: accounts and single sign-on are matched by it",
    );
    put(&mut emails, "multiValued", json!(true));
    put(
        &mut emails,
        "subAttributes",
        json!([
            attribute("value", "string", false, "The address"),
            attribute("type", "string", false, "work"),
            attribute("primary", "boolean", false, "The primary address"),
        ]),
    );
    let mut manager = attribute("manager", "complex", false, "The person's manager");
    put(
        &mut manager,
        "subAttributes",
        json!([
            attribute(
                "value",
                "string",
                false,
                "The manager's id (or, before they exist, externalId or email)"
            ),
            attribute("displayName", "string", false, "The manager's name"),
        ]),
    );
    vec![
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
            "id": USER_SCHEMA, "name": "User", "description": "A person",
            "attributes": [
                id, user_name, external, name,
                attribute("displayName", "string", false, "The name shown"),
                emails,
                attribute("active", "boolean", false, "false: the person has left; their access ends at once"),
            ],
            "meta": meta(USER_SCHEMA)
        }),
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
            "id": ENTERPRISE, "name": "EnterpriseUser", "description": "Enterprise User",
            "attributes": [
                attribute("employeeNumber", "string", false, "The HR system's number"),
                attribute("department", "string", true, "The team, as calibration groups people"),
                manager,
            ],
            "meta": meta(ENTERPRISE)
        }),
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
            "id": LADDER, "name": "LadderUser", "description": "The person's role in the career framework",
            "attributes": [
                with_values(attribute("jobFamily", "string", true, "A job family of the framework, by id or title"), families),
                with_values(attribute("level", "string", true, "A level of the family, by id or title; it changes only through a proposal. The canonical values are the levels every family has"), levels),
                with_values(attribute("specialty", "string", false, "A specialty of the family, by id or title"), specialties),
                with_values(attribute("grade", "string", false, "The pay grade, a number such as 7 or 9.5"), grades(fw)),
                attribute("location", "string", false, "Where they work"),
            ],
            "meta": meta(LADDER)
        }),
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
            "id": GROUP_SCHEMA, "name": "Group", "description": "A Ladder role",
            "attributes": [
                attribute("displayName", "string", true, "The role's name"),
                {
                    "name": "members", "type": "complex", "multiValued": true, "required": false,
                    "description": "Who holds the role", "mutability": "readWrite", "returned": "default",
                    "caseExact": false, "uniqueness": "none",
                    "subAttributes": [attribute("value", "string", false, "A User's id")]
                },
            ],
            "meta": meta(GROUP_SCHEMA)
        }),
    ]
}

/// Sets `value` at a top-level or extension attribute of a User document,
/// creating the extension object if needed (for PATCH paths).
pub fn ensure_object<'a>(doc: &'a mut Value, name: &str) -> Option<&'a mut Map<String, Value>> {
    let obj = doc.as_object_mut()?;
    let k = obj
        .keys()
        .find(|k| k.eq_ignore_ascii_case(name))
        .cloned()
        .unwrap_or_else(|| name.to_owned());
    let slot = obj.entry(k).or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    slot.as_object_mut()
}
