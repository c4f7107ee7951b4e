//! The home page: the viewer's open tasks, and nothing above them.

use crate::access::{Task, Viewer};
use crate::http::page::{Chrome, page};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use ladder_org::Date;

#[derive(Template)]
#[template(path = "inbox/home.html")]
struct HomePage {
    chrome: Chrome,
    tasks: Vec<Task>,
    has_person: bool,
}

pub async fn home(State(s): State<AppState>, v: Viewer) -> Result<Response, AppError> {
    let tasks = {
        let live = s.framework();
        s.access()
            .inbox(&v, Date::from_unix(s.now()), (&live.framework, &live.hash))
            .await?
    };
    page(&HomePage {
        chrome: Chrome::new("Home", Some(&v)),
        tasks,
        has_person: v.person.is_some(),
    })
}
