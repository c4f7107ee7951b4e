//! `/api/v1`'s OpenAPI document: [`ApiDoc`] gathers every feature's
//! operations and wire types (each feature's `api.rs`, and the shared ones
//! in [`crate::http::api`]) into the document committed as `openapi.json`.
//!
//! Auth: a session cookie (then state-changing calls must send the CSRF
//! token in `X-CSRF-Token`) or `Authorization: Bearer <token>`.

use crate::http::api::{CurrentOut, ErrorBody, ErrorDetail, RowProblem};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;

// The operations listed without a module path, as they were when this
// module held them: the path written in `paths(...)` is their OpenAPI tag.
use crate::accounts::api::{__path_create_token, __path_me};
use crate::framework::api::{__path_framework, __path_role};
use crate::people::api::{
    __path_import_people, __path_people, __path_person, __path_person_history,
};

#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "Ladder API",
        version = "1",
        description = "People, roles, the career framework, the growth workflow, 360 feedback cycles and level changes."
    ),
    paths(
        me,
        people,
        person,
        person_history,
        import_people,
        framework,
        role,
        create_token,
        crate::growth::api::worksheet,
        crate::growth::api::rate,
        crate::growth::api::checkpoints,
        crate::growth::api::open_checkpoint,
        crate::growth::api::close_checkpoint,
        crate::one_on_ones::api::pair,
        crate::one_on_ones::api::create_meeting,
        crate::one_on_ones::api::meeting,
        crate::one_on_ones::api::add_agenda,
        crate::one_on_ones::api::save_notes,
        crate::one_on_ones::api::save_private,
        crate::one_on_ones::api::add_action,
        crate::one_on_ones::api::complete_action,
        crate::growth::api::team,
        crate::feedback::api::cycles,
        crate::feedback::api::create_cycle,
        crate::feedback::api::cycle,
        crate::feedback::api::advance,
        crate::feedback::api::release,
        crate::feedback::api::completion,
        crate::feedback::api::reminders,
        crate::feedback::api::nominations,
        crate::feedback::api::save_nominations,
        crate::feedback::api::questions,
        crate::feedback::api::answer,
        crate::feedback::api::results,
        crate::feedback::api::calibration,
        crate::feedback::api::lock,
        crate::feedback::api::propose,
        crate::feedback::api::proposal,
        crate::feedback::api::decide,
        crate::pay::api::person_pay,
        crate::pay::api::compa,
        crate::pay::api::import_bands,
        crate::pay::api::import_salaries,
        crate::internships::api::api_board,
        crate::internships::api::api_request,
        crate::internships::api::api_show,
        crate::internships::api::api_decide,
        crate::internships::api::api_log,
        crate::internships::api::api_complete,
        crate::hiring::api::api_openings,
        crate::hiring::api::api_open,
        crate::hiring::api::api_opening,
        crate::hiring::api::api_add_candidate,
        crate::hiring::api::api_candidate,
        crate::hiring::api::api_score,
        crate::hiring::api::api_move,
        crate::hiring::api::api_delete,
        crate::inbox::api::tasks,
        crate::one_on_ones::api::start_series,
        crate::one_on_ones::api::series_state,
        crate::accounts::api::my_tokens,
        crate::accounts::export::api,
        crate::people::erase::api,
        crate::accounts::api::revoke_token,
        crate::accounts::api::my_sessions,
        crate::accounts::api::end_session,
        crate::accounts::api::sign_out_everywhere,
    ),
    components(schemas(ErrorBody, ErrorDetail, RowProblem, CurrentOut)),
    modifiers(&Security, &CommonErrors, &FieldCaps)
)]
pub struct ApiDoc;

/// How callers authenticate: an API token as a bearer token, or the web
/// session's cookie (then writes also need the `X-CSRF-Token` header).
/// Either one suffices for every operation.
struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
        };
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token made on the account page or with POST /api/v1/tokens.",
                    ))
                    .build(),
            ),
        );
        let mut cookie = ApiKeyValue::new(crate::auth::SESSION_COOKIE);
        cookie.description = Some(
            "The web session. Writes with it also send the session's CSRF token as X-CSRF-Token."
                .to_owned(),
        );
        components.add_security_scheme("session", SecurityScheme::ApiKey(ApiKey::Cookie(cookie)));
        doc.security = Some(vec![
            SecurityRequirement::new("token", Vec::<String>::new()),
            SecurityRequirement::new("session", Vec::<String>::new()),
        ]);
    }
}

/// The error answers every operation can give because of how it is called,
/// whatever it does: declared once as shared responses and listed on each
/// operation they apply to, beside the answers the operation declares
/// itself (whose own descriptions win).
///
/// - every operation but the public ones (`security: [{}]`, the
///   framework's) needs a signed-in caller: 401;
/// - every write (POST) is refused without the CSRF header when a session
///   cookie signs it (403), and refuses a body over the limit (413) or
///   holding NUL (400);
/// - an id in the path (an integer) may not parse or fit (400), name
///   nothing (404), or name something the caller may not see (403);
/// - a query parameter may not parse (400);
/// - a JSON body may not be JSON (400), not be sent as JSON (415), or not
///   match its schema (422); a CSV body may not be UTF-8 (400).
struct CommonErrors;

const COMMON: [(&str, &str, &str); 7] = [
    (
        "400",
        "BadRequest",
        "The request does not parse: a path id that is not a number or does not fit in 64 bits, a query parameter of the wrong type, a body that is not valid JSON or UTF-8, or text holding the NUL character. The message names what is wrong.",
    ),
    (
        "401",
        "NotSignedIn",
        "No valid credentials: send `Authorization: Bearer <token>` or the session cookie.",
    ),
    (
        "403",
        "Forbidden",
        "Not yours to see or do, or a write signed by the session cookie without its `X-CSRF-Token` header.",
    ),
    ("404", "NotFound", "Nothing has the id in the path."),
    (
        "413",
        "TooLarge",
        "The body is larger than the server takes (16 MiB).",
    ),
    (
        "415",
        "UnsupportedMediaType",
        "The body is not sent as `Content-Type: application/json`.",
    ),
    (
        "422",
        "Unprocessable",
        "The JSON body does not match its schema: a field missing, or a value of the wrong type. The message names the field.",
    ),
];

impl utoipa::Modify for CommonErrors {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::{Operation, ParameterIn};
        use utoipa::openapi::security::SecurityRequirement;
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let components = doc.components.get_or_insert_with(Default::default);
        for (_, name, description) in COMMON {
            let body = ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build();
            components.responses.insert(
                name.to_owned(),
                RefOr::T(
                    ResponseBuilder::new()
                        .description(description)
                        .content("application/json", body)
                        .build(),
                ),
            );
        }
        let statuses = |op: &Operation, write: bool| {
            let params = op.parameters.as_deref().unwrap_or_default();
            let has = |place: ParameterIn| params.iter().any(|p| p.parameter_in == place);
            let id_in_path = params.iter().any(|p| {
                p.parameter_in == ParameterIn::Path
                    && serde_json::to_value(&p.schema)
                        .is_ok_and(|s| s.get("type").and_then(|t| t.as_str()) == Some("integer"))
            });
            let public = op
                .security
                .as_ref()
                .is_some_and(|reqs| reqs.iter().any(|r| *r == SecurityRequirement::default()));
            let body_types: Vec<&String> = op
                .request_body
                .iter()
                .flat_map(|b| b.content.keys())
                .collect();
            let json = body_types.iter().any(|t| t.contains("json"));
            let mut out = if public { vec![] } else { vec!["401"] };
            if write {
                out.extend(["400", "403", "413"]);
            }
            if id_in_path {
                out.extend(["400", "403", "404"]);
            }
            if has(ParameterIn::Query) || !body_types.is_empty() {
                out.push("400");
            }
            if json {
                out.extend(["415", "422"]);
            }
            out
        };
        for item in doc.paths.paths.values_mut() {
            let ops = [
                (item.get.as_mut(), false),
                (item.post.as_mut(), true),
                (item.put.as_mut(), true),
                (item.patch.as_mut(), true),
                (item.delete.as_mut(), true),
            ];
            for (op, write) in ops {
                let Some(op) = op else { continue };
                for status in statuses(op, write) {
                    let Some((_, name, _)) = COMMON.iter().find(|(s, _, _)| *s == status) else {
                        continue;
                    };
                    op.responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| RefOr::Ref(Ref::from_response_name(*name)));
                }
            }
        }
    }
}

/// Each string a request body takes says its cap as `maxLength`: the
/// rule the server holds every body to ([`crate::http::fields::cap`], by
/// the property's name), so that callers can read it and the fuzzing test
/// can send one character more.
struct FieldCaps;

impl utoipa::Modify for FieldCaps {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use serde_json::Value;
        use std::collections::BTreeSet;
        let Some(components) = doc.components.as_mut() else {
            return;
        };
        let Ok(Value::Object(mut schemas)) = serde_json::to_value(&components.schemas) else {
            return;
        };
        // The schemas request bodies reach, through `$ref`s.
        fn refs(v: &Value, out: &mut Vec<String>) {
            match v {
                Value::Object(m) => {
                    if let Some(Value::String(r)) = m.get("$ref")
                        && let Some(name) = r.strip_prefix("#/components/schemas/")
                    {
                        out.push(name.to_owned());
                    }
                    m.values().for_each(|x| refs(x, out));
                }
                Value::Array(items) => items.iter().for_each(|x| refs(x, out)),
                _ => {}
            }
        }
        let mut todo = Vec::new();
        for item in doc.paths.paths.values() {
            for op in [&item.post, &item.put, &item.patch].into_iter().flatten() {
                if let Ok(body) = serde_json::to_value(&op.request_body) {
                    refs(&body, &mut todo);
                }
            }
        }
        let mut reached = BTreeSet::new();
        while let Some(name) = todo.pop() {
            if reached.insert(name.clone())
                && let Some(schema) = schemas.get(&name)
            {
                refs(schema, &mut todo);
            }
        }
        fn is_string(v: &Value) -> bool {
            match v.get("type") {
                Some(Value::String(t)) => t == "string",
                Some(Value::Array(ts)) => ts.iter().any(|t| t == "string"),
                _ => false,
            }
        }
        fn cap_strings(v: &mut Value, name: &str) {
            let cap = crate::http::fields::cap(name);
            if is_string(v)
                && let Value::Object(m) = v
            {
                m.insert("maxLength".to_owned(), Value::from(cap));
            }
            if let Some(items) = v.get_mut("items") {
                cap_strings(items, name);
            }
            for key in ["oneOf", "anyOf", "allOf"] {
                if let Some(Value::Array(alts)) = v.get_mut(key) {
                    alts.iter_mut().for_each(|alt| cap_strings(alt, name));
                }
            }
        }
        for name in &reached {
            if let Some(Value::Object(props)) = schemas
                .get_mut(name)
                .and_then(|schema| schema.get_mut("properties"))
            {
                for (prop, schema) in props.iter_mut() {
                    cap_strings(schema, prop);
                }
            }
        }
        if let Ok(capped) = serde_json::from_value(Value::Object(schemas)) {
            components.schemas = capped;
        }
    }
}

/// The OpenAPI document, as committed in `openapi.json`.
pub fn openapi_json() -> String {
    let mut s = ApiDoc::openapi().to_pretty_json().unwrap_or_default();
    s.push('\n');
    s
}

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], openapi_json()).into_response()
}
