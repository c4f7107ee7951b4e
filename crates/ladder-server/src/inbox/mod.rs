//! The inbox: what needs the signed-in person, first on their home page
//! and at `GET /api/v1/me/tasks`.
//!
//! The tasks are computed by [`crate::access::Access::inbox`] from the
//! store on every read, so a task is gone as soon as the work is done.
//! This feature only shows them: [`pages`] (the home page) and [`api`].

pub(crate) mod api;
pub(crate) mod pages;
