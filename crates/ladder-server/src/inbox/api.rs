//! `GET /api/v1/me/tasks`: the home page's task list.

use crate::AppState;
use crate::access::Task;
use crate::http::api::{ApiError, ApiViewer, ErrorBody};
use axum::Json;
use axum::extract::State;
use ladder_org::Date;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskOut {
    /// `nominate`, `approve_nominations`, `answer_feedback`,
    /// `open_checkpoint`, `close_checkpoint`, `one_on_one`,
    /// `action_item`, `approve_proposal`, `decide_internship`,
    /// `score_candidate`, `ratings_differ`, `cycle_progress`,
    /// `failed_deliveries`.
    pub kind: String,
    pub title: String,
    pub detail: String,
    /// `YYYY-MM-DD`.
    pub due: Option<String>,
    pub overdue: bool,
    /// The page where the task is done.
    pub link: String,
    /// The person the task is about.
    pub person_id: Option<i64>,
}

impl From<Task> for TaskOut {
    fn from(t: Task) -> TaskOut {
        TaskOut {
            kind: t.kind.as_str().to_owned(),
            title: t.title,
            detail: t.detail,
            due: t.due.map(|d| d.to_string()),
            overdue: t.overdue,
            link: t.link,
            person_id: t.person_id,
        }
    }
}

/// What needs the signed-in person: overdue first, then by due date.
#[utoipa::path(get, path = "/api/v1/me/tasks", tag = "inbox", responses(
    (status = 200, body = Vec<TaskOut>),
    (status = 401, body = ErrorBody)
))]
pub async fn tasks(
    State(s): State<AppState>,
    ApiViewer(v): ApiViewer,
) -> Result<Json<Vec<TaskOut>>, ApiError> {
    let tasks = {
        let live = s.framework();
        s.access()
            .inbox(&v, Date::from_unix(s.now()), (&live.framework, &live.hash))
            .await?
    };
    Ok(Json(tasks.into_iter().map(TaskOut::from).collect()))
}
