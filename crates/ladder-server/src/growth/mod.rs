//! The growth workflow: a person's worksheet and ratings, quarterly
//! checkpoints, and a manager's view of their team.
//!
//! - [`service`]: the rules the pages and the API share (ratings, focus
//!   areas and summaries checked against the framework and its policy;
//!   the data behind the worksheet, team and chart views).
//! - [`pages`]: the web pages. [`api`]: `/api/v1`, its wire types and
//!   handlers.
//!
//! Access is decided in [`crate::access`]; this module only receives
//! capabilities ([`Growth`](crate::access::Growth),
//! [`TeamGrowth`](crate::access::TeamGrowth)). Request bodies are read
//! only after access is decided, so a caller who may not use a route
//! learns nothing from how their body is judged.

pub(crate) mod api;
pub(crate) mod pages;
pub mod service;
pub(crate) mod worksheet;
