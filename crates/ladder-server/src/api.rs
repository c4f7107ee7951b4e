//! `/api/v1`: people, roles and the framework as JSON, with JSON error
//! bodies. Wire types live here and only here; [`ApiDoc`] generates the
//! OpenAPI document committed as `openapi.json`.
//!
//! Auth: a session cookie (then state-changing calls must send the CSRF
//! token in `X-CSRF-Token`) or `Authorization: Bearer <token>`.

use crate::access::{ImportOutcome, MaybeViewer, Viewer};
use crate::{AppError, AppState};
use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use ladder_store::Person;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

/// An [`AppError`] answered as JSON.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        ApiError(e)
    }
}

impl From<ladder_store::StoreError> for ApiError {
    fn from(e: ladder_store::StoreError) -> ApiError {
        ApiError(e.into())
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, for programs: `not_signed_in`, `forbidden`, `not_found`,
    /// `bad_request`, `conflict` (it exists already), `stale` (someone saved
    /// first; see `current`), `csrf`, `too_many_attempts`, `invalid_rows`,
    /// `internal`, `upstream`.
    pub code: String,
    /// For people.
    pub message: String,
    /// For `invalid_rows`: every problem in the uploaded file.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<RowProblem>,
    /// For `stale` (409): what the other side saved, to merge with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<CurrentOut>,
}

/// The version that is stored now, after someone else's save.
#[derive(Debug, Serialize, ToSchema)]
pub struct CurrentOut {
    pub version: i64,
    pub text: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RowProblem {
    pub row: u32,
    pub column: String,
    pub value: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.0.code().to_owned(),
                message: self.0.to_string(),
                problems: Vec::new(),
                current: match &self.0 {
                    AppError::Stale { version, text } => Some(CurrentOut {
                        version: *version,
                        text: text.clone(),
                    }),
                    _ => None,
                },
            },
        };
        (self.0.status(), Json(body)).into_response()
    }
}

/// A signed-in viewer, or a JSON 401.
#[derive(Debug)]
pub struct ApiViewer(pub Viewer);

impl FromRequestParts<AppState> for ApiViewer {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<ApiViewer, ApiError> {
        MaybeViewer::from_request_parts(parts, state)
            .await?
            .0
            .map(ApiViewer)
            .ok_or(ApiError(AppError::NotSignedIn))
    }
}

/// A person as the directory shows them.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonOut {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub department: String,
    pub family: String,
    pub level: String,
    pub specialty: Option<String>,
    pub location: String,
    pub manager_id: Option<i64>,
    pub active: bool,
}

impl From<crate::access::DirectoryEntry> for PersonOut {
    fn from(e: crate::access::DirectoryEntry) -> PersonOut {
        PersonOut {
            id: e.id,
            name: e.name,
            email: e.email,
            department: e.department,
            family: e.family,
            level: e.level,
            specialty: e.specialty,
            location: e.location,
            manager_id: e.manager_id,
            active: e.active,
        }
    }
}

pub(crate) fn person_out(p: &Person) -> PersonOut {
    crate::access::DirectoryEntry::from(p).into()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountOut {
    pub email: String,
    pub name: String,
    /// `admin`, `people`, `editor`; empty for members.
    pub roles: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeOut {
    pub account: AccountOut,
    pub person: Option<PersonOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoleChangeOut {
    pub effective: String,
    pub family: String,
    pub level: String,
    pub specialty: Option<String>,
    pub grade: String,
    pub reason: String,
}

/// What only the person, their managers and the people team see.
#[derive(Debug, Serialize, ToSchema)]
pub struct PrivateOut {
    pub id: i64,
    pub grade: String,
    pub start_date: Option<String>,
    pub history: Vec<RoleChangeOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LevelOut {
    pub id: String,
    pub title: String,
    pub grade: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SpecialtyOut {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FamilyOut {
    pub id: String,
    pub title: String,
    pub levels: Vec<String>,
    pub specialties: Vec<SpecialtyOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FrameworkOut {
    /// The content hash of the loaded version.
    pub version: String,
    pub organisation: String,
    pub levels: Vec<LevelOut>,
    pub families: Vec<FamilyOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExpectationOut {
    /// The statement's stable id.
    pub id: String,
    pub text: String,
    pub category: String,
    pub layer: String,
    pub level: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoleOut {
    pub title: String,
    pub family: String,
    pub level: String,
    pub specialty: Option<String>,
    pub grade: f64,
    pub competencies: Vec<ExpectationOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportOut {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub role_changes: usize,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenIn {
    /// What the token is for, e.g. `nightly sync`.
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenOut {
    /// Shown once; send it as `Authorization: Bearer <token>`.
    pub token: String,
}

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
        crate::api_growth::worksheet,
        crate::api_growth::rate,
        crate::api_growth::checkpoints,
        crate::api_growth::open_checkpoint,
        crate::api_growth::close_checkpoint,
        crate::api_growth::pair,
        crate::api_growth::create_meeting,
        crate::api_growth::meeting,
        crate::api_growth::add_agenda,
        crate::api_growth::save_notes,
        crate::api_growth::save_private,
        crate::api_growth::add_action,
        crate::api_growth::complete_action,
        crate::api_growth::team,
        crate::api_feedback::cycles,
        crate::api_feedback::create_cycle,
        crate::api_feedback::cycle,
        crate::api_feedback::advance,
        crate::api_feedback::completion,
        crate::api_feedback::reminders,
        crate::api_feedback::nominations,
        crate::api_feedback::save_nominations,
        crate::api_feedback::questions,
        crate::api_feedback::answer,
        crate::api_feedback::results,
        crate::api_feedback::calibration,
        crate::api_feedback::lock,
        crate::api_feedback::propose,
        crate::api_feedback::proposal,
        crate::api_feedback::decide,
        crate::api_ops::person_pay,
        crate::api_ops::compa,
        crate::api_ops::import_bands,
        crate::api_ops::import_salaries,
        crate::internships::api_board,
        crate::internships::api_request,
        crate::internships::api_show,
        crate::internships::api_decide,
        crate::internships::api_log,
        crate::internships::api_complete,
        crate::hiring::api_openings,
        crate::hiring::api_open,
        crate::hiring::api_opening,
        crate::hiring::api_add_candidate,
        crate::hiring::api_candidate,
        crate::hiring::api_score,
        crate::hiring::api_move,
        crate::hiring::api_delete,
    ),
    components(schemas(ErrorBody, ErrorDetail, RowProblem, CurrentOut))
)]
pub struct ApiDoc;

/// The OpenAPI document, as committed in `openapi.json`.
pub fn openapi_json() -> String {
    let mut s = ApiDoc::openapi().to_pretty_json().unwrap_or_default();
    s.push('\n');
    s
}

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], openapi_json()).into_response()
}

/// The signed-in account and its person.
#[utoipa::path(get, path = "/api/v1/me", responses(
    (status = 200, body = MeOut),
    (status = 401, body = ErrorBody)
))]
pub async fn me(ApiViewer(v): ApiViewer) -> Json<MeOut> {
    let roles = v.roles().encode();
    Json(MeOut {
        account: AccountOut {
            email: v.account.email.clone(),
            name: v.account.name.clone(),
            roles: roles
                .split(',')
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect(),
        },
        person: v.person.as_ref().map(person_out),
    })
}

/// Everyone in the directory.
#[utoipa::path(get, path = "/api/v1/people", responses(
    (status = 200, body = Vec<PersonOut>),
    (status = 401, body = ErrorBody)
))]
pub async fn people(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
) -> Result<Json<Vec<PersonOut>>, ApiError> {
    let all = s.access().directory(&v).await?.all();
    Ok(Json(all.into_iter().map(PersonOut::from).collect()))
}

/// One person, as the directory shows them.
#[utoipa::path(get, path = "/api/v1/people/{id}", params(("id" = i64, Path)), responses(
    (status = 200, body = PersonOut),
    (status = 401, body = ErrorBody),
    (status = 404, body = ErrorBody)
))]
pub async fn person(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<i64>,
) -> Result<Json<PersonOut>, ApiError> {
    let p = s
        .access()
        .directory(&v)
        .await?
        .get(id)
        .ok_or(AppError::NotFound)?;
    Ok(Json(p.into()))
}

/// Grade, start date and role history: for the person, their manager
/// chain and the people team only.
#[utoipa::path(get, path = "/api/v1/people/{id}/history", params(("id" = i64, Path)), responses(
    (status = 200, body = PrivateOut),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody)
))]
pub async fn person_history(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<i64>,
) -> Result<Json<PrivateOut>, ApiError> {
    let p = s.access().private(&v, id, s.now()).await?;
    let history = p
        .history()
        .iter()
        .cloned()
        .map(|h| RoleChangeOut {
            effective: h.effective,
            family: h.role.family,
            level: h.role.level,
            specialty: h.role.specialty,
            grade: h.role.grade,
            reason: h.reason,
        })
        .collect();
    Ok(Json(PrivateOut {
        id,
        grade: p.person.record.role.grade.clone(),
        start_date: p.person.record.start_date.map(|d| d.to_string()),
        history,
    }))
}

/// Imports a people CSV (the request body), all or nothing. People team
/// only.
#[utoipa::path(post, path = "/api/v1/people/import", request_body(content = String, content_type = "text/csv"), responses(
    (status = 200, body = ImportOut),
    (status = 403, body = ErrorBody),
    (status = 422, description = "Nothing was changed; `problems` lists every bad cell", body = ErrorBody)
))]
pub async fn import_people(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    body: String,
) -> Result<Response, ApiError> {
    let team = s.access().people_team(&v)?;
    let loaded = s.framework();
    match team.import(&body, &loaded.framework, s.now()).await? {
        ImportOutcome::Applied(sum) => Ok(Json(ImportOut {
            created: sum.created,
            updated: sum.updated,
            unchanged: sum.unchanged,
            role_changes: sum.role_changes,
        })
        .into_response()),
        ImportOutcome::Refused(errors) => Ok(rows_refused(errors)),
    }
}

/// 422 for a file refused whole, with every bad cell.
pub(crate) fn rows_refused(errors: Vec<ladder_org::people_csv::RowError>) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: "invalid_rows".to_owned(),
            message: format!(
                "nothing was changed: {} problem(s) in the file",
                errors.len()
            ),
            problems: errors
                .into_iter()
                .map(|e| RowProblem {
                    row: e.row,
                    column: e.column,
                    value: e.value,
                    message: e.message,
                    fix: e.fix,
                })
                .collect(),
            current: None,
        },
    };
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

/// The loaded framework's levels and families.
#[utoipa::path(get, path = "/api/v1/framework", responses((status = 200, body = FrameworkOut)))]
pub async fn framework(State(s): State<AppState>) -> Json<FrameworkOut> {
    let l = s.framework();
    let fw = &l.framework;
    Json(FrameworkOut {
        version: l.hash.clone(),
        organisation: fw.config.organisation.clone(),
        levels: fw
            .config
            .levels
            .iter()
            .map(|x| LevelOut {
                id: x.id.clone(),
                title: x.title.clone(),
                grade: x.grade,
            })
            .collect(),
        families: fw
            .families
            .iter()
            .map(|f| FamilyOut {
                id: f.id.clone(),
                title: f.title.clone(),
                levels: f.levels.iter().map(|l| l.level.clone()).collect(),
                specialties: f
                    .specialties
                    .iter()
                    .map(|x| SpecialtyOut {
                        id: x.id.clone(),
                        title: x.title.clone(),
                    })
                    .collect(),
            })
            .collect(),
    })
}

#[derive(Debug, Deserialize)]
pub struct RoleQuery {
    specialty: Option<String>,
}

/// A role's cumulative competencies, each with its stable id.
#[utoipa::path(get, path = "/api/v1/framework/roles/{family}/{level}",
    params(("family" = String, Path), ("level" = String, Path), ("specialty" = Option<String>, Query)),
    responses((status = 200, body = RoleOut), (status = 400, description = "No such family, level or specialty", body = ErrorBody)))]
pub async fn role(
    State(s): State<AppState>,
    Path((family, level)): Path<(String, String)>,
    axum::extract::Query(q): axum::extract::Query<RoleQuery>,
) -> Result<Json<RoleOut>, ApiError> {
    let l = s.framework();
    let view = ladder_framework::resolve::role(
        &l.framework,
        &family,
        &level,
        q.specialty.as_deref(),
        false,
    )
    .map_err(|e| ApiError(AppError::BadRequest(e.to_string())))?;
    Ok(Json(RoleOut {
        title: view.title,
        family: view.family,
        level: view.level,
        specialty: view.specialty.map(|x| x.id),
        grade: view.grade,
        competencies: view
            .competencies
            .into_iter()
            .map(|e| ExpectationOut {
                id: e.id,
                text: e.text,
                category: e.category,
                layer: e.layer,
                level: e.level,
            })
            .collect(),
    }))
}

/// Makes an API token for the signed-in account.
#[utoipa::path(post, path = "/api/v1/tokens", request_body = TokenIn, responses(
    (status = 200, body = TokenOut),
    (status = 401, body = ErrorBody),
    (status = 403, description = "Cookie auth without the X-CSRF-Token header", body = ErrorBody)
))]
pub async fn create_token(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Json(t): Json<TokenIn>,
) -> Result<Json<TokenOut>, ApiError> {
    if t.name.trim().is_empty() {
        return Err(ApiError(AppError::BadRequest(
            "name: give the token a name".to_owned(),
        )));
    }
    let token = s
        .auth()
        .create_api_token(&v.account, t.name.trim(), &v.ip, s.now())
        .await?;
    Ok(Json(TokenOut { token }))
}
