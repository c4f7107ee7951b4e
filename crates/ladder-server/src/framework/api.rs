//! `/api/v1` for the framework: levels, families and a role's
//! expectations.

use crate::http::api::{ApiError, ErrorBody};
use crate::{AppError, AppState};
use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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

/// The loaded framework's levels and families.
#[utoipa::path(get, path = "/api/v1/framework", security(()), responses((status = 200, body = FrameworkOut)))]
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
#[utoipa::path(get, path = "/api/v1/framework/roles/{family}/{level}", security(()),
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
