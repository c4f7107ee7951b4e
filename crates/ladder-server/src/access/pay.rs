//! Capabilities for pay.
//!
//! - [`Access::pay_of`]: one person's salary history, band and compa ratio,
//!   for the person, their manager chain and the people team.
//! - [`Access::reports_pay`]: the compa ratios of everyone below the viewer
//!   in the reporting chain.
//! - [`PayAdmin`]: the people team loads bands and salaries, reads the
//!   organisation's compa report and exports it.
//!
//! Every read of pay, the viewer's own included, is written to the audit
//! log; so is every import and export.

use super::{Access, MAX_CHAIN, OrgView, Relation, Viewer};
use crate::AppError;
use ladder_framework::Framework;
use ladder_org::Date;
use ladder_org::pay::{self, Band, Compa, Payee, Salary};
use ladder_org::people_csv::RowError;
use ladder_store::{AuditEvent, Id, Person, Record, Store, StoreError};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A person's pay as one viewer may see it.
#[derive(Debug)]
pub struct PersonPay {
    pub person: Person,
    pub relation: Relation,
    /// Their direct manager's name.
    pub team: String,
    pub zone: Option<String>,
    /// Every salary, oldest first.
    pub history: Vec<Salary>,
    /// On the day asked for.
    pub compa: Option<Compa>,
    /// Every band stored, for the band of a proposed grade.
    pub bands: Vec<Band>,
}

/// What a pay import did, or every row problem.
#[derive(Debug)]
pub enum PayImport {
    Applied { rows: usize, warnings: Vec<String> },
    Refused(Vec<RowError>),
}

/// The people's pay the viewer may see, with their compa on a day.
#[derive(Debug)]
pub struct PayRows {
    pub rows: Vec<(Person, Option<Compa>)>,
    pub org: Arc<OrgView>,
}

impl PayRows {
    /// Records a `pay.read` (`what`) for each of `shown` whose pay these
    /// rows hold, once each, or for everyone with a salary when `None`
    /// (merged with recent identical reads), so that "who read my pay"
    /// finds the view.
    async fn record_reads(
        &self,
        access: &Access,
        viewer: &Viewer,
        shown: Option<&[Id]>,
        what: &str,
        now: i64,
    ) -> Result<(), AppError> {
        let paid = self
            .rows
            .iter()
            .filter(|(_, c)| c.is_some())
            .map(|(p, _)| p.id);
        let read: Vec<Id> = match shown {
            Some(ids) => {
                let paid: std::collections::HashSet<Id> = paid.collect();
                let mut seen = std::collections::HashSet::new();
                ids.iter()
                    .copied()
                    .filter(|id| paid.contains(id) && seen.insert(*id))
                    .collect()
            }
            None => paid.collect(),
        };
        let reads: Vec<_> = read
            .into_iter()
            .map(|id| Access::record(viewer, "pay.read", Some(id), what, now).audit)
            .collect();
        if !reads.is_empty() {
            access.store.audit_reads(&reads).await?;
        }
        Ok(())
    }

    /// The team a person is in: their direct manager's name.
    pub fn team_of(&self, p: &Person) -> String {
        team_name(&self.org, p)
    }
}

/// A chain's pay, computed but not yet read: [`TeamPay::shown`] records
/// the reads of the people a page shows, then hands the rows over.
#[must_use = "pay must be recorded as read before it is shown"]
#[derive(Debug)]
pub struct TeamPay<'a> {
    access: &'a Access,
    viewer: &'a Viewer,
    rows: PayRows,
}

impl TeamPay<'_> {
    /// Records a `pay.read` ("team pay") for each of `shown` that is in
    /// the chain (merged with recent identical reads), so that "who read
    /// my pay" finds them, and gives the rows.
    pub async fn shown(self, shown: &[Id], now: i64) -> Result<PayRows, AppError> {
        self.rows
            .record_reads(self.access, self.viewer, Some(shown), "team pay", now)
            .await?;
        Ok(self.rows)
    }

    /// The report's figures over the whole chain, before any person's
    /// row is read (the aggregates and who is on the page).
    pub fn peek(&self) -> &PayRows {
        &self.rows
    }
}

fn team_name(org: &OrgView, p: &Person) -> String {
    p.manager_id
        .and_then(|m| org.person(m))
        .map_or_else(|| "(no manager)".to_owned(), |m| m.record.name.clone())
}

pub(crate) fn payee(fw: &Framework, p: &Person) -> Payee {
    Payee {
        id: p.id,
        family: p.record.role.family.clone(),
        level: p.record.role.level.clone(),
        grade: p.record.role.grade.clone(),
        zone: fw.config.policy.pay.zone_of(&p.record.location),
    }
}

/// Every grade the framework gives a level, as people's records spell it.
pub fn grades(fw: &Framework) -> Vec<String> {
    let mut g: Vec<f64> = fw
        .config
        .levels
        .iter()
        .map(|l| l.grade)
        .chain(
            fw.families
                .iter()
                .flat_map(|f| f.levels.iter().map(|l| l.grade)),
        )
        .collect();
    g.sort_by(f64::total_cmp);
    g.dedup();
    g.into_iter().map(ladder_org::format_grade).collect()
}

/// Each family's levels with the grade the framework gives them: what a
/// role band may name.
pub fn role_grades(fw: &Framework) -> Vec<ladder_org::pay::RoleGrade> {
    fw.families
        .iter()
        .flat_map(|f| {
            f.levels.iter().map(|l| ladder_org::pay::RoleGrade {
                family: f.id.clone(),
                level: l.level.clone(),
                grade: ladder_org::format_grade(l.grade),
            })
        })
        .collect()
}

/// The zones pay bands may name: the configured ones, or else every
/// location people work in.
pub fn pay_zones(fw: &Framework, people: &[Person]) -> Vec<String> {
    let configured: Vec<String> = fw
        .config
        .policy
        .pay
        .zones
        .iter()
        .map(|z| z.id.clone())
        .collect();
    if !configured.is_empty() {
        return configured;
    }
    let mut places: Vec<String> = people
        .iter()
        .map(|p| p.record.location.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    places.sort();
    places.dedup();
    places
}

impl Access {
    /// One person's pay: for themself, their manager chain and the people
    /// team; refused to everyone else. Audited, even for the person.
    pub async fn pay_of(
        &self,
        v: &Viewer,
        fw: &Framework,
        target: Id,
        as_of: Date,
        now: i64,
    ) -> Result<PersonPay, AppError> {
        let org = self.org(v).await?;
        let person = org.person(target).cloned().ok_or(AppError::NotFound)?;
        let relation = Self::relation(&org, v, &person).ok_or(AppError::Forbidden)?;
        self.audit(v, "pay.read", Some(target), &format!("{relation:?}"), now)
            .await?;
        let history = self.store.salaries_of(target).await?;
        let bands = self.store.bands().await?;
        // Their role on that day: a past ratio uses the grade held then.
        let person = org.as_of(&person, &as_of.to_string());
        let who = payee(fw, &person);
        let compa = pay::compa(&history, &bands, &who, as_of);
        Ok(PersonPay {
            team: team_name(&org, &person),
            person,
            relation,
            zone: who.zone,
            history,
            compa,
            bands,
        })
    }

    /// The compa ratios of everyone below the viewer in the reporting
    /// chain (empty for someone without reports), to be recorded before
    /// they can be read: [`TeamPay::shown`] writes a `pay.read` for each
    /// person the page shows and hands the rows over.
    pub async fn reports_pay<'a>(
        &'a self,
        v: &'a Viewer,
        fw: &Framework,
        as_of: Date,
    ) -> Result<TeamPay<'a>, AppError> {
        let org = self.org(v).await?;
        let mut below = Vec::new();
        if let Some(me) = v.person_id() {
            let mut next: Vec<Id> = vec![me];
            for _ in 0..MAX_CHAIN {
                let layer: Vec<Person> =
                    next.iter().flat_map(|m| org.reports(*m)).cloned().collect();
                if layer.is_empty() {
                    break;
                }
                next = layer.iter().map(|p| p.id).collect();
                below.extend(layer);
            }
        }
        // Their salaries alone: the page costs what the chain holds, not
        // what the organisation does.
        let ids: Vec<Id> = below.iter().map(|p| p.id).collect();
        let salaries = if ids.is_empty() {
            Vec::new()
        } else {
            self.store.salaries_for(&ids).await?
        };
        let bands = self.store.bands().await?;
        let book = pay::PayBook::new(&salaries, &bands);
        let day = as_of.to_string();
        let rows = below
            .iter()
            .map(|p| {
                let then = org.as_of(p, &day);
                let c = book.compa(&payee(fw, &then), as_of);
                (then, c)
            })
            .collect();
        Ok(TeamPay {
            access: self,
            viewer: v,
            rows: PayRows { rows, org },
        })
    }

    /// Loading bands and salaries, the organisation's report: the people
    /// team.
    pub fn pay_admin<'a>(&'a self, v: &'a Viewer) -> Result<PayAdmin<'a>, AppError> {
        if !v.roles().people_team {
            return Err(AppError::Forbidden);
        }
        Ok(PayAdmin {
            access: self,
            viewer: v,
        })
    }
}

#[derive(Debug)]
pub struct PayAdmin<'a> {
    access: &'a Access,
    viewer: &'a Viewer,
}

impl PayAdmin<'_> {
    /// Audits a refused import (an applied one was recorded with its
    /// write).
    async fn refused(&self, what: &str, outcome: &PayImport, now: i64) -> Result<(), AppError> {
        if let PayImport::Refused(e) = outcome {
            let action = format!("pay.{what}.import.refused");
            let detail = format!("{} problem(s)", e.len());
            self.access
                .audit(self.viewer, &action, None, &detail, now)
                .await?;
        }
        Ok(())
    }

    /// Checks a bands file and stores it whole, or nothing.
    pub async fn import_bands(
        &self,
        csv: &str,
        fw: &Framework,
        now: i64,
    ) -> Result<PayImport, AppError> {
        let org = self.access.org(self.viewer).await?;
        let by = Access::record(self.viewer, "pay.bands.import", None, "", now);
        let store = self.access.store.as_ref();
        let outcome = apply_bands_csv(store, csv, fw, &org.people, by).await?;
        self.refused("bands", &outcome, now).await?;
        Ok(outcome)
    }

    /// Checks a salaries file against the people and bands stored, and
    /// stores it whole, or nothing.
    pub async fn import_salaries(
        &self,
        csv: &str,
        fw: &Framework,
        now: i64,
    ) -> Result<PayImport, AppError> {
        let org = self.access.org(self.viewer).await?;
        let by = Access::record(self.viewer, "pay.salaries.import", None, "", now);
        let store = self.access.store.as_ref();
        let outcome = apply_salaries_csv(store, csv, fw, &org.people, by).await?;
        self.refused("salaries", &outcome, now).await?;
        Ok(outcome)
    }

    pub async fn bands(&self) -> Result<Vec<Band>, AppError> {
        Ok(self.access.store.bands().await?)
    }

    /// Everyone's compa ratio on a day, to be recorded before it can be
    /// read: [`OrgPay::shown`] writes the report's own entry and a
    /// `pay.read` for each person the view shows.
    pub async fn everyone(&self, fw: &Framework, as_of: Date) -> Result<OrgPay<'_>, AppError> {
        let org = self.access.org(self.viewer).await?;
        let salaries = self.access.store.salaries().await?;
        let bands = self.access.store.bands().await?;
        let book = pay::PayBook::new(&salaries, &bands);
        let day = as_of.to_string();
        let rows: Vec<(Person, Option<Compa>)> = org
            .people
            .iter()
            .filter(|p| p.record.active)
            .map(|p| {
                let then = org.as_of(p, &day);
                let c = book.compa(&payee(fw, &then), as_of);
                (then, c)
            })
            .collect();
        Ok(OrgPay {
            access: self.access,
            viewer: self.viewer,
            as_of,
            rows: PayRows { rows, org },
        })
    }
}

/// The organisation's pay, computed but not yet read: [`OrgPay::shown`]
/// records the view, then hands the rows over.
#[must_use = "pay must be recorded as read before it is shown"]
#[derive(Debug)]
pub struct OrgPay<'a> {
    access: &'a Access,
    viewer: &'a Viewer,
    as_of: Date,
    rows: PayRows,
}

impl OrgPay<'_> {
    /// The rows, to choose what a page shows (what it shows must then go
    /// through [`OrgPay::shown`]).
    pub fn peek(&self) -> &PayRows {
        &self.rows
    }

    /// Records `action` once for the view, and a `pay.read` for each
    /// person it shows (merged with recent identical reads), so that "who
    /// read my pay" finds the people team's pages and exports too:
    /// `shown`, or everyone with a salary when `None` (an export).
    pub async fn shown(
        self,
        action: &str,
        shown: Option<&[Id]>,
        now: i64,
    ) -> Result<PayRows, AppError> {
        let a = self.access;
        a.audit(
            self.viewer,
            action,
            None,
            &format!("as of {}: {} people", self.as_of, self.rows.rows.len()),
            now,
        )
        .await?;
        let what = if action == "pay.export" {
            "pay export"
        } else {
            "pay report"
        };
        self.rows
            .record_reads(a, self.viewer, shown, what, now)
            .await?;
        Ok(self.rows)
    }
}

/// Checks a bands file against the framework's grades and the zones
/// (configured, or people's locations) and stores it whole, or nothing.
/// The one path: the people team's capability and `ladder pay
/// import-bands` both call it, and each records who did it: `by` is the
/// record of the write, whose detail this fills in.
pub async fn apply_bands_csv(
    store: &dyn Store,
    csv: &str,
    fw: &Framework,
    people: &[Person],
    by: Record,
) -> Result<PayImport, StoreError> {
    Ok(
        match pay::parse_bands(csv, &grades(fw), &role_grades(fw), &pay_zones(fw, people)) {
            Ok(p) => PayImport::Applied {
                rows: store
                    .put_bands(&p.rows, &import_record(by, p.rows.len(), &p.warnings))
                    .await?,
                warnings: p.warnings,
            },
            Err(e) => PayImport::Refused(e),
        },
    )
}

/// The record of a pay import: how many rows and warnings.
fn import_record(by: Record, rows: usize, warnings: &[String]) -> Record {
    let detail = format!("{rows} rows, {} warning(s)", warnings.len());
    Record {
        audit: AuditEvent { detail, ..by.audit },
        ..by
    }
    .data(serde_json::json!({ "rows": rows }))
}

/// Checks a salaries file against the people and bands stored and stores
/// it whole, or nothing.
pub async fn apply_salaries_csv(
    store: &dyn Store,
    csv: &str,
    fw: &Framework,
    people: &[Person],
    by: Record,
) -> Result<PayImport, StoreError> {
    let payees: BTreeMap<String, Payee> = people
        .iter()
        .map(|p| (p.record.email.to_lowercase(), payee(fw, p)))
        .collect();
    let bands = store.bands().await?;
    Ok(match pay::parse_salaries(csv, &payees, &bands) {
        Ok(p) => PayImport::Applied {
            rows: store
                .put_salaries(&p.rows, &import_record(by, p.rows.len(), &p.warnings))
                .await?,
            warnings: p.warnings,
        },
        Err(e) => PayImport::Refused(e),
    })
}
