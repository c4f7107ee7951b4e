//! `/api/v1` for pay: a person's pay, compa ratios, band and salary
//! imports.

use crate::AppState;
use crate::access::PayImport;
use crate::http::api::{ApiError, ApiViewer, ErrorBody, rows_refused};
use crate::http::paging::PageQuery;
use crate::pay::service::{AsOf, PayLine, Report, org_figures};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use ladder_store::Id;
use serde::Serialize;
use utoipa::ToSchema;

/// The OpenAPI tag of these operations: the module that held them before
/// the feature folders, kept so that `openapi.json` does not change.
const TAG: &str = "crate::api_ops";

#[derive(Debug, Serialize, ToSchema)]
pub struct SalaryOut {
    pub effective_from: String,
    /// In hundredths of the currency unit.
    pub amount: i64,
    pub currency: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonPayOut {
    pub person_id: Id,
    pub as_of: String,
    pub zone: Option<String>,
    /// The salary, band and compa ratio on `as_of`; absent without a
    /// salary then.
    pub compa: Option<PayLine>,
    pub history: Vec<SalaryOut>,
}

/// One person's pay: the person, their manager chain and the people team.
/// Every call is audited.
#[utoipa::path(tag = TAG, get, path = "/api/v1/people/{id}/pay", params(("id" = i64, Path), AsOf), responses(
    (status = 200, body = PersonPayOut),
    (status = 403, body = ErrorBody)
))]
pub async fn person_pay(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<Id>,
    Query(q): Query<AsOf>,
) -> Result<Json<PersonPayOut>, ApiError> {
    let now = s.now();
    let as_of = q.date(now)?;
    let loaded = s.framework();
    let p = s
        .access()
        .pay_of(&v, &loaded.framework, id, as_of, now)
        .await?;
    let compa = p
        .compa
        .as_ref()
        .map(|c| crate::pay::service::line(p.team.clone(), &p.person, c, &loaded.framework));
    Ok(Json(PersonPayOut {
        person_id: id,
        as_of: as_of.to_string(),
        zone: p.zone.clone(),
        compa,
        history: p
            .history
            .iter()
            .map(|h| SalaryOut {
                effective_from: h.effective_from.to_string(),
                amount: h.amount,
                currency: h.currency.clone(),
            })
            .collect(),
    }))
}

/// Everyone's compa ratio on a day, with median and quartiles per level,
/// grade, team and department. People team only; audited.
#[utoipa::path(tag = TAG, get, path = "/api/v1/pay/compa", params(AsOf, PageQuery), responses(
    (status = 200, body = CompaPage),
    (status = 403, body = ErrorBody)
))]
pub async fn compa(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    Query(q): Query<AsOf>,
    Query(pq): Query<PageQuery>,
) -> Result<Json<CompaPage>, ApiError> {
    let now = s.now();
    let access = s.access();
    let admin = access.pay_admin(&v)?;
    let as_of = q.date(now)?;
    let paging = pq.paging()?;
    let loaded = s.framework();
    let org_pay = org_figures(&admin, &loaded, as_of).await?;
    // The page's people in the order of their ids: the `limit` lowest
    // after the cursor, chosen in one pass over the report.
    let people =
        crate::http::paging::page_of(&org_pay.peek().report.people, |l| l.person_id, paging);
    let shown: Vec<Id> = people.0.iter().map(|l| l.person_id).collect();
    let f = org_pay.shown("pay.report.read", &shown, now).await?;
    let (people, next_cursor) = people;
    let report = Report {
        people,
        as_of: f.report.as_of.clone(),
        by_level: f.report.by_level.clone(),
        by_grade: f.report.by_grade.clone(),
        by_team: f.report.by_team.clone(),
        by_department: f.report.by_department.clone(),
        without_salary: f.report.without_salary,
    };
    Ok(Json(CompaPage {
        report,
        next_cursor,
    }))
}

/// The compa report with one page of its people: the aggregates cover
/// everyone; `people` holds the page, in the order of their ids.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompaPage {
    #[serde(flatten)]
    pub report: Report,
    /// Send as `cursor` for the next page of people; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PayImportOut {
    pub rows: usize,
    /// Problems that did not stop the file, e.g. overlapping grades.
    pub warnings: Vec<String>,
}

fn import_response(outcome: PayImport) -> Response {
    match outcome {
        PayImport::Applied { rows, warnings } => {
            Json(PayImportOut { rows, warnings }).into_response()
        }
        PayImport::Refused(errors) => rows_refused(errors),
    }
}

/// Loads a bands CSV (the request body: `grade, zone, currency, min, mid,
/// max, effective_from`), all or nothing. People team only.
#[utoipa::path(tag = TAG, post, path = "/api/v1/pay/bands/import", request_body(content = String, content_type = "text/csv"), responses(
    (status = 200, body = PayImportOut),
    (status = 403, body = ErrorBody),
    (status = 422, description = "Nothing was changed; `problems` lists every bad cell", body = ErrorBody)
))]
pub async fn import_bands(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    body: String,
) -> Result<Response, ApiError> {
    let access = s.access();
    let admin = access.pay_admin(&v)?;
    let outcome = admin
        .import_bands(&body, &s.framework().framework, s.now())
        .await?;
    Ok(import_response(outcome))
}

/// Loads a salaries CSV (`email, amount, currency, effective_from`), all
/// or nothing. People team only.
#[utoipa::path(tag = TAG, post, path = "/api/v1/pay/salaries/import", request_body(content = String, content_type = "text/csv"), responses(
    (status = 200, body = PayImportOut),
    (status = 403, body = ErrorBody),
    (status = 422, description = "Nothing was changed; `problems` lists every bad cell", body = ErrorBody)
))]
pub async fn import_salaries(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
    body: String,
) -> Result<Response, ApiError> {
    let access = s.access();
    let admin = access.pay_admin(&v)?;
    let outcome = admin
        .import_salaries(&body, &s.framework().framework, s.now())
        .await?;
    Ok(import_response(outcome))
}
