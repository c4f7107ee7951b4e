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

use super::{Access, OrgView, Relation, Viewer};
use crate::AppError;
use crate::framework::Loaded;
use ladder_framework::Framework;
use ladder_org::Date;
use ladder_org::pay::{self, Band, Compa, Payee, Salary};
use ladder_org::people_csv::RowError;
use ladder_store::{AuditEvent, Id, Person, Record, Store, StoreError};
use std::borrow::Cow;
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
    /// Each person by id, with the role they held on the day when it is
    /// not their current one (no copy of everyone: a report of 100,000
    /// people borrows them from the organisation).
    rows: Vec<(Id, Option<ladder_org::Role>, Option<Compa>)>,
    pub org: Arc<OrgView>,
}

impl PayRows {
    /// How many people the rows cover.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Each person as they stood on the day, with their compa.
    pub fn iter(&self) -> impl Iterator<Item = (Cow<'_, Person>, Option<&Compa>)> {
        self.rows.iter().filter_map(|(id, then, c)| {
            let p = self.org.person(*id)?;
            let p = match then {
                None => Cow::Borrowed(p),
                Some(role) => {
                    let mut p = p.clone();
                    p.record.role.clone_from(role);
                    Cow::Owned(p)
                }
            };
            Some((p, c.as_ref()))
        })
    }

    /// The team a person is in: their direct manager's name.
    pub fn team_of(&self, p: &Person) -> String {
        team_name(&self.org, p)
    }
}

/// Records a `pay.read` (`what`) for each of `shown`, once each (merged
/// with recent identical reads), so that "who read my pay" finds the view.
async fn record_reads(
    access: &Access,
    viewer: &Viewer,
    shown: &[Id],
    what: &str,
    now: i64,
) -> Result<(), AppError> {
    let mut seen = std::collections::HashSet::with_capacity(shown.len());
    let reads: Vec<_> = shown
        .iter()
        .filter(|id| seen.insert(**id))
        .map(|id| Access::record(viewer, "pay.read", Some(*id), what, now).audit)
        .collect();
    if !reads.is_empty() {
        access.store.audit_reads(&reads).await?;
    }
    Ok(())
}

/// What a view of many people's pay was made from, with the view: kept in
/// the framework version's cache ([`Loaded::view`]) until the
/// organisation (its people or its pay) changes.
#[derive(Debug)]
struct Computed<T> {
    /// How many people the view covers.
    people: usize,
    view: T,
}

/// A chain's pay, computed (or found computed) but not yet read:
/// [`TeamPay::shown`] records the reads of the people a page shows, then
/// hands the view over.
#[must_use = "pay must be recorded as read before it is shown"]
#[derive(Debug)]
pub struct TeamPay<'a, T> {
    access: &'a Access,
    viewer: &'a Viewer,
    computed: Arc<Computed<T>>,
}

impl<T> TeamPay<'_, T> {
    /// Records a `pay.read` ("team pay") for each of `shown` (people of
    /// the view, which holds the chain alone), merged with recent
    /// identical reads, so that "who read my pay" finds them, and gives
    /// the view.
    pub async fn shown(self, shown: &[Id], now: i64) -> Result<PayShown<T>, AppError> {
        record_reads(self.access, self.viewer, shown, "team pay", now).await?;
        Ok(PayShown(self.computed))
    }

    /// The view's figures over the whole chain, before any person's row
    /// is read (the aggregates and who is on the page).
    pub fn peek(&self) -> &T {
        &self.computed.view
    }

    /// How many people the chain holds.
    pub fn people(&self) -> usize {
        self.computed.people
    }
}

/// A view of pay whose reads are recorded: what may be shown.
#[derive(Debug)]
pub struct PayShown<T>(Arc<Computed<T>>);

impl<T> std::ops::Deref for PayShown<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0.view
    }
}

/// Each of `people` as they stood on `as_of`, with their compa ratio
/// that day, from `salaries` indexed once ([`pay::PayBook`]).
fn compa_rows<'p>(
    org: &Arc<OrgView>,
    fw: &Framework,
    people: impl IntoIterator<Item = &'p Person>,
    salaries: &[Salary],
    bands: &[Band],
    as_of: Date,
) -> PayRows {
    let book = pay::PayBook::new(salaries, bands);
    let day = as_of.to_string();
    let rows = people
        .into_iter()
        .map(|p| {
            let then = org.role_on(p, &day).filter(|r| **r != p.record.role);
            let role = then.unwrap_or(&p.record.role);
            let c = book.compa(&payee_as(fw, p, role), as_of);
            (p.id, then.cloned(), c)
        })
        .collect();
    PayRows {
        rows,
        org: Arc::clone(org),
    }
}

fn team_name(org: &OrgView, p: &Person) -> String {
    p.manager_id
        .and_then(|m| org.person(m))
        .map_or_else(|| "(no manager)".to_owned(), |m| m.record.name.clone())
}

pub(crate) fn payee(fw: &Framework, p: &Person) -> Payee {
    payee_as(fw, p, &p.record.role)
}

/// The person paid as in `role` (one they held on another day).
fn payee_as(fw: &Framework, p: &Person, role: &ladder_org::Role) -> Payee {
    Payee {
        id: p.id,
        family: role.family.clone(),
        level: role.level.clone(),
        grade: role.grade.clone(),
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

    /// A view (`make`) of the compa ratios of everyone below the viewer
    /// in the reporting chain (none for someone without reports), to be
    /// recorded before it can be read: [`TeamPay::shown`] writes a
    /// `pay.read` for each person the page shows. Computed once per
    /// viewer, day, and version of the organisation and the framework
    /// (`kind` names the view in that cache): a head of the organisation
    /// opening the page again pays for the page, not the chain.
    pub async fn reports_pay<'a, T>(
        &'a self,
        v: &'a Viewer,
        loaded: &Loaded,
        as_of: Date,
        kind: &'static str,
        make: impl FnOnce(&PayRows) -> Result<T, AppError>,
    ) -> Result<TeamPay<'a, T>, AppError>
    where
        T: Send + Sync + 'static,
    {
        let org = self.org(v).await?;
        let me = v.person_id();
        let of = format!("{}:{as_of}", me.unwrap_or(0));
        let computed = loaded
            .view(kind, &of, org.version, async {
                let rows = self.chain_pay(&org, &loaded.framework, me, as_of).await?;
                Ok::<_, AppError>(Computed {
                    people: rows.len(),
                    view: make(&rows)?,
                })
            })
            .await?;
        Ok(TeamPay {
            access: self,
            viewer: v,
            computed,
        })
    }

    /// The compa ratios of everyone below `me` in the chain.
    async fn chain_pay(
        &self,
        org: &Arc<OrgView>,
        fw: &Framework,
        me: Option<Id>,
        as_of: Date,
    ) -> Result<PayRows, AppError> {
        let below: Vec<&Person> = me.map_or_else(Vec::new, |me| {
            super::growth::Chain::of(org, me)
                .iter()
                .filter_map(|id| org.person(*id))
                .collect()
        });
        // Their salaries alone: the page costs what the chain holds, not
        // what the organisation does.
        let ids: Vec<Id> = below.iter().map(|p| p.id).collect();
        let salaries = if ids.is_empty() {
            Vec::new()
        } else {
            self.store.salaries_for(&ids).await?
        };
        let bands = self.store.bands().await?;
        Ok(compa_rows(org, fw, below, &salaries, &bands, as_of))
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

    /// A view (`make`) of everyone's compa ratio on a day, to be recorded
    /// before it can be read: [`OrgPay::shown`] writes the report's own
    /// entry and a `pay.read` for each person the view shows. Computed
    /// once per day and version of the organisation and the framework
    /// (`kind` names the view in that cache).
    pub async fn everyone<T>(
        &self,
        loaded: &Loaded,
        as_of: Date,
        kind: &'static str,
        make: impl FnOnce(&PayRows) -> Result<T, AppError>,
    ) -> Result<OrgPay<'_, T>, AppError>
    where
        T: Send + Sync + 'static,
    {
        let org = self.access.org(self.viewer).await?;
        let fw = &loaded.framework;
        let computed = loaded
            .view(kind, &as_of.to_string(), org.version, async {
                let salaries = self.access.store.salaries().await?;
                let bands = self.access.store.bands().await?;
                let active = org.people.iter().filter(|p| p.record.active);
                let rows = compa_rows(&org, fw, active, &salaries, &bands, as_of);
                Ok::<_, AppError>(Computed {
                    people: rows.len(),
                    view: make(&rows)?,
                })
            })
            .await?;
        Ok(OrgPay {
            access: self.access,
            viewer: self.viewer,
            as_of,
            computed,
        })
    }
}

/// The organisation's pay, computed (or found computed) but not yet read:
/// [`OrgPay::shown`] records the view, then hands it over.
#[must_use = "pay must be recorded as read before it is shown"]
#[derive(Debug)]
pub struct OrgPay<'a, T> {
    access: &'a Access,
    viewer: &'a Viewer,
    as_of: Date,
    computed: Arc<Computed<T>>,
}

impl<T> OrgPay<'_, T> {
    /// The view, to choose what a page shows (what it shows must then go
    /// through [`OrgPay::shown`]).
    pub fn peek(&self) -> &T {
        &self.computed.view
    }

    /// Records `action` once for the view, and a `pay.read` for each of
    /// `shown` (people with a salary the view shows: a page, or everyone
    /// for an export), merged with recent identical reads, so that "who
    /// read my pay" finds the people team's pages and exports too.
    pub async fn shown(
        self,
        action: &str,
        shown: &[Id],
        now: i64,
    ) -> Result<PayShown<T>, AppError> {
        let a = self.access;
        a.audit(
            self.viewer,
            action,
            None,
            &format!("as of {}: {} people", self.as_of, self.computed.people),
            now,
        )
        .await?;
        let what = if action == "pay.export" {
            "pay export"
        } else {
            "pay report"
        };
        record_reads(a, self.viewer, shown, what, now).await?;
        Ok(PayShown(self.computed))
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
