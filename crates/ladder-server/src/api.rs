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
    modifiers(&Security)
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

/// The OpenAPI document, as committed in `openapi.json`.
pub fn openapi_json() -> String {
    let mut s = ApiDoc::openapi().to_pretty_json().unwrap_or_default();
    s.push('\n');
    s
}

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], openapi_json()).into_response()
}
