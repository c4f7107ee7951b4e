//! The growth workflow's rules, sans-IO: what a worksheet holds, quarters,
//! readiness for the next level, what changed for a person when the
//! framework moved, which action items a 1:1 carries, the charts, and 360
//! feedback's anonymity rules and proposal policy.
//!
//! The server reads the store and the framework, calls these, and renders
//! the result; nothing here reads a clock or a database.

pub mod charts;
pub mod demo;
pub mod feedback;
pub mod impact;
mod quarter;
pub mod release;
pub mod worksheet;

pub use quarter::Quarter;
pub use worksheet::{
    Changes, Progress, Readiness, Row, Snapshot, Worksheet, actions_for, changes, progress,
    readiness, snapshot,
};
