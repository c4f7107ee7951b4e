//! Pay: bands and salaries, compa ratios per person and aggregated per
//! level, grade, team and department, with flags and a chart.
//!
//! - [`service`]: the compa report the pages, the API and the export
//!   share, and the band a proposal names.
//! - [`pages`]: the web pages. [`api`]: `/api/v1`.
//!
//! Access is decided in [`crate::access`] (`pay_of`, `reports_pay`,
//! `pay_admin`); every read is audited there.

pub(crate) mod api;
pub(crate) mod pages;
pub(crate) mod service;
