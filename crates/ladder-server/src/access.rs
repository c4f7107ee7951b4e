//! The one access layer: every read and write of person data goes through
//! here, as a capability.
//!
//! A handler holds a [`Viewer`] (who is asking) and asks [`Access`] for a
//! capability: [`Directory`] (any signed-in person), [`Private`] (the person
//! themself, their manager chain, the people team), [`PeopleTeam`],
//! [`Admin`], [`Editor`]. Each is returned only if the viewer may have it,
//! and the methods that read or write private data exist only on the
//! capability, so a handler that skipped the check has nothing to call.
//! The store is a private field: no other module can reach it.
//!
//! Sensitive reads and every write are recorded in the audit log.

mod audit;
mod calendar;
mod deliveries;
mod directory;
mod erasure;
mod feedback;
mod growth;
mod hiring;
mod inbox;
mod internships;
mod mydata;
mod notify;
mod pay;
mod release;
mod review;
mod schedule;
mod scim;
mod vitals;

pub use calendar::Feed;
pub use deliveries::DeliveryLog;
pub use directory::Directory;
pub use feedback::{
    Calibration, CycleAdmin, FeedbackResults, Nominating, ProposalView, Proposer, Respondent,
};
pub use growth::{Growth, Pair, TeamGrowth};
pub use hiring::{CandidateView, HiringAdmin, OpeningView, may_see_opening};
pub use inbox::{
    CHECKPOINT_CLOSE_DAYS, CHECKPOINT_OPEN_DAYS, Task, TaskKind, checkpoint_close_from,
    checkpoint_open_by,
};
pub use internships::{BoardEntry, InternshipView, Parts as InternshipParts};
pub use mydata::{MyCycle, MyData, MyPair};
pub use notify::{CONSUMER as NOTIFY_CONSUMER, Notifier, Params, is_public};
pub use pay::{
    OrgPay, PayAdmin, PayImport, PayRows, PayShown, PersonPay, TeamPay, apply_bands_csv,
    apply_salaries_csv, grades, pay_zones, role_grades,
};
pub use release::ReleaseInputs;
pub use review::{FrameworkReview, organisation};
pub use schedule::Schedule;
pub use scim::Provisioning;

use crate::auth::{Auth, SESSION_COOKIE};
use crate::{AppError, AppState};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use ladder_framework::Framework;
use ladder_org::people_csv::{self, RowError};
use ladder_org::{Date, PersonRecord};
use ladder_store::{
    Account, AuditEvent, Id, ImportSummary, Org, Person, Record, RoleChange, Roles, Store,
};
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

/// Who is asking, and from where.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub account: Account,
    /// The person with the account's email, if there is one.
    pub person: Option<Person>,
    /// The session's CSRF token; `None` when signed in with an API token.
    csrf: Option<String>,
    /// The session cookie's token, for logout.
    session_token: Option<String>,
    pub ip: String,
    /// The organisation's version read when the request came in.
    org_version: i64,
    /// The person with the account's email and the version of their
    /// growth record, read with the session (see
    /// [`ladder_store::SessionView::own_growth`]); `None` for API tokens.
    pub(crate) own_growth: Option<(Id, i64)>,
    /// The person has direct reports.
    pub manages: bool,
}

impl Viewer {
    pub fn roles(&self) -> Roles {
        self.account.roles
    }

    pub fn person_id(&self) -> Option<Id> {
        self.person.as_ref().map(|p| p.id)
    }

    /// The token forms must send back.
    pub fn csrf(&self) -> &str {
        self.csrf.as_deref().unwrap_or("")
    }

    /// Checks a form's CSRF token. API-token requests carry no cookie, so
    /// they cannot be forged by a browser and pass.
    pub fn check_csrf(&self, sent: &str) -> Result<(), AppError> {
        match &self.csrf {
            None => Ok(()),
            Some(c) if constant_eq(c.as_bytes(), sent.as_bytes()) => Ok(()),
            Some(_) => Err(AppError::Csrf),
        }
    }

    pub fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref()
    }
}

/// Compares without stopping at the first difference.
pub fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A cookie's value from the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The client's address: the socket peer, or behind a configured
/// trusted proxy, what it forwarded (see [`crate::proxy`]).
#[derive(Clone, Debug)]
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<ClientIp, Self::Rejection> {
        let Some(peer) = parts.extensions.get::<ConnectInfo<SocketAddr>>() else {
            return Ok(ClientIp("unknown".to_owned()));
        };
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok());
        Ok(ClientIp(
            crate::proxy::client_ip(
                peer.0.ip(),
                forwarded,
                &state.settings().sign_in.trusted_proxies,
            )
            .to_string(),
        ))
    }
}

/// Where a sign-in comes from: the client's address and browser.
impl FromRequestParts<AppState> for crate::auth::Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<crate::auth::Client, Self::Rejection> {
        let ClientIp(ip) = ClientIp::from_request_parts(parts, state).await?;
        let agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        Ok(crate::auth::Client::new(&ip, agent))
    }
}

/// The viewer if signed in, or `None`.
#[derive(Clone, Debug)]
pub struct MaybeViewer(pub Option<Viewer>);

impl FromRequestParts<AppState> for MaybeViewer {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<MaybeViewer, AppError> {
        let ClientIp(ip) = ClientIp::from_request_parts(parts, state)
            .await
            .unwrap_or(ClientIp(String::new()));
        let now = state.now();
        let auth = state.auth();
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let access = state.access();
        let found = if let Some(token) = bearer {
            match auth.token_account(token.trim(), now).await? {
                Some(a) => Some((a, None, None, access.store.org_version().await?, None)),
                None => None,
            }
        } else if let Some(token) = cookie(&parts.headers, SESSION_COOKIE) {
            auth.session(token, now).await?.map(|v| {
                (
                    v.account,
                    Some(v.session.csrf),
                    Some(token.to_owned()),
                    v.org_version,
                    v.own_growth,
                )
            })
        } else {
            None
        };
        let Some((account, csrf, session_token, org_version, own_growth)) = found else {
            return Ok(MaybeViewer(None));
        };
        // API calls with cookie auth must echo the CSRF token in a header.
        if let Some(c) = &csrf
            && parts.uri.path().starts_with("/api/")
            && !matches!(parts.method, Method::GET | Method::HEAD)
        {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !constant_eq(c.as_bytes(), sent.as_bytes()) {
                return Err(AppError::Csrf);
            }
        }
        // The person with the account's email, from the organisation at (at
        // least) the version read with the session.
        let org = access.org_at(org_version).await?;
        let person = org.by_email(&account.email);
        // A person who left loses access at once, whatever their account
        // says (its sessions and tokens went in the same transaction).
        if person.as_ref().is_some_and(|p| !p.record.active) {
            return Ok(MaybeViewer(None));
        }
        let manages = person
            .as_ref()
            .is_some_and(|p| org.reports(p.id).next().is_some());
        let v = Viewer {
            account,
            person,
            csrf,
            session_token,
            ip,
            org_version,
            own_growth,
            manages,
        };
        crate::http::context::set_shell(crate::http::page::Shell::of(&v));
        Ok(MaybeViewer(Some(v)))
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Viewer, AppError> {
        MaybeViewer::from_request_parts(parts, state)
            .await?
            .0
            .ok_or(AppError::NotSignedIn)
    }
}

/// A person as everyone signed in may see them: name, role, team, place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectoryEntry {
    pub id: Id,
    pub name: String,
    pub email: String,
    pub department: String,
    pub family: String,
    pub level: String,
    pub specialty: Option<String>,
    pub location: String,
    pub manager_id: Option<Id>,
    pub active: bool,
}

impl From<&Person> for DirectoryEntry {
    fn from(p: &Person) -> DirectoryEntry {
        let r = &p.record;
        DirectoryEntry {
            id: p.id,
            name: r.name.clone(),
            email: r.email.clone(),
            department: r.department.clone(),
            family: r.role.family.clone(),
            level: r.role.level.clone(),
            specialty: r.role.specialty.clone(),
            location: r.location.clone(),
            manager_id: p.manager_id,
            active: r.active,
        }
    }
}

/// How the viewer relates to a person, for the private view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    Myself,
    /// The viewer is in the person's manager chain (direct or above).
    Manager,
    PeopleTeam,
}

/// The organisation at one store version, indexed for the pages: the
/// directory is read-mostly (it changes with imports), so each node keeps
/// it in memory and reloads it when the version read with the session
/// moves.
#[derive(Debug, Default)]
pub struct OrgView {
    version: i64,
    /// By id.
    people: Vec<Person>,
    by_id: HashMap<Id, usize>,
    by_email: HashMap<String, usize>,
    /// A manager's direct reports, by name then id.
    reports: HashMap<Id, Vec<usize>>,
    history: HashMap<Id, Vec<RoleChange>>,
    /// Each department with how many active people it has, by name:
    /// counted once per version, not per page.
    departments: Vec<(String, usize)>,
    /// Every department anyone is in (a name), by name.
    all_departments: Vec<String>,
}

impl OrgView {
    fn new(org: Org) -> OrgView {
        let by_id: HashMap<Id, usize> = org
            .people
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id, i))
            .collect();
        let by_email: HashMap<String, usize> = org
            .people
            .iter()
            .enumerate()
            .map(|(i, p)| (p.record.email.to_lowercase(), i))
            .collect();
        let mut reports: HashMap<Id, Vec<usize>> = HashMap::new();
        for (i, p) in org.people.iter().enumerate() {
            if let Some(m) = p.manager_id {
                reports.entry(m).or_default().push(i);
            }
        }
        for list in reports.values_mut() {
            list.sort_by(|a, b| {
                let (a, b) = (org.people.get(*a), org.people.get(*b));
                a.map(|p| (&p.record.name, p.id))
                    .cmp(&b.map(|p| (&p.record.name, p.id)))
            });
        }
        let mut history: HashMap<Id, Vec<RoleChange>> = HashMap::new();
        for h in org.history {
            history.entry(h.person_id).or_default().push(h);
        }
        let mut active: std::collections::BTreeMap<&str, usize> = Default::default();
        let mut named: std::collections::BTreeSet<&str> = Default::default();
        for p in &org.people {
            let d = p.record.department.as_str();
            if p.record.active {
                *active.entry(d).or_default() += 1;
            }
            if !d.is_empty() {
                named.insert(d);
            }
        }
        let departments = active.into_iter().map(|(d, n)| (d.to_owned(), n)).collect();
        let all_departments = named.into_iter().map(str::to_owned).collect();
        OrgView {
            version: org.version,
            people: org.people,
            by_id,
            by_email,
            reports,
            history,
            departments,
            all_departments,
        }
    }

    fn person(&self, id: Id) -> Option<&Person> {
        self.by_id.get(&id).and_then(|i| self.people.get(*i))
    }

    fn by_email(&self, email: &str) -> Option<Person> {
        self.by_email
            .get(&email.to_lowercase())
            .and_then(|i| self.people.get(*i))
            .cloned()
    }

    /// The person as they stood on `day`: with the role in force then
    /// (the latest role change effective on or before it), or their
    /// current role when the history does not reach back that far.
    fn as_of(&self, p: &Person, day: &str) -> Person {
        let mut out = p.clone();
        out.record.role = self.role_on(p, day).unwrap_or(&p.record.role).clone();
        out
    }

    /// The role the latest change effective on or before `day` gave the
    /// person, if any change was.
    fn role_on(&self, p: &Person, day: &str) -> Option<&ladder_org::Role> {
        self.history
            .get(&p.id)
            .and_then(|h| h.iter().rfind(|c| c.effective.as_str() <= day))
            .map(|c| &c.role)
    }

    fn reports(&self, id: Id) -> impl Iterator<Item = &Person> {
        self.reports
            .get(&id)
            .into_iter()
            .flatten()
            .filter_map(|i| self.people.get(*i))
    }
}

/// The in-memory organisation, shared by every request of a node.
#[derive(Debug)]
struct OrgCache {
    current: RwLock<Arc<OrgView>>,
    /// One reload at a time; the others wait and reuse its result.
    reload: tokio::sync::Mutex<()>,
}

/// The gatekeeper. Built once; holds the store privately.
#[derive(Debug)]
pub struct Access {
    store: Arc<dyn Store>,
    org: OrgCache,
    /// Seals and opens private notes (never reaches a page or a log).
    notes: crate::notes_key::NoteKey,
}

const MAX_CHAIN: usize = 64;

impl Access {
    pub(crate) fn new(store: Arc<dyn Store>, notes: crate::notes_key::NoteKey) -> Access {
        Access {
            store,
            notes,
            org: OrgCache {
                current: RwLock::new(Arc::new(OrgView {
                    version: i64::MIN,
                    ..OrgView::default()
                })),
                reload: tokio::sync::Mutex::new(()),
            },
        }
    }

    /// The organisation as of the viewer's request: the cached copy, or a
    /// fresh one if the store's version has moved past it.
    async fn org(&self, v: &Viewer) -> Result<Arc<OrgView>, AppError> {
        self.org_at(v.org_version).await
    }

    async fn org_at(&self, want: i64) -> Result<Arc<OrgView>, AppError> {
        let cached = || {
            let cur = self
                .org
                .current
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            (cur.version >= want).then(|| cur.clone())
        };
        if let Some(view) = cached() {
            return Ok(view);
        }
        let _one = self.org.reload.lock().await;
        if let Some(view) = cached() {
            return Ok(view);
        }
        let view = Arc::new(OrgView::new(self.store.org().await?));
        *self
            .org
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = view.clone();
        Ok(view)
    }

    /// The record of a write by the viewer: its audit entry and, from it,
    /// its event. The store writes both in the write's transaction.
    pub(crate) fn record(
        v: &Viewer,
        action: &str,
        subject: Option<Id>,
        detail: &str,
        now: i64,
    ) -> Record {
        Record::new(AuditEvent::by(
            Some(&v.account),
            now,
            action,
            subject,
            detail,
            &v.ip,
        ))
    }

    async fn audit(
        &self,
        v: &Viewer,
        action: &str,
        subject: Option<Id>,
        detail: &str,
        now: i64,
    ) -> Result<(), AppError> {
        let entry = Self::record(v, action, subject, detail, now).audit;
        self.store.audit(&entry).await?;
        Ok(())
    }

    /// A viewer for a door that is not a request: the command line (the
    /// demo's seeding) acting as the account with this email, with its
    /// person found in the organisation. Every capability check, audit
    /// entry and event applies as for a signed-in request; there is no
    /// session, so no CSRF token.
    pub async fn acting_as(&self, email: &str, ip: &str) -> Result<Viewer, AppError> {
        let account = self
            .store
            .account_by_email(email)
            .await?
            .ok_or(AppError::NotFound)?;
        let org_version = self.store.org_version().await?;
        let org = self.org_at(org_version).await?;
        let person = org.by_email(&account.email);
        let manages = person
            .as_ref()
            .is_some_and(|p| org.reports(p.id).next().is_some());
        Ok(Viewer {
            account,
            person,
            csrf: None,
            session_token: None,
            ip: ip.to_owned(),
            org_version,
            own_growth: None,
            manages,
        })
    }

    /// The directory: who is who. Every signed-in viewer has it.
    pub async fn directory(&self, v: &Viewer) -> Result<Directory, AppError> {
        Ok(Directory {
            org: self.org(v).await?,
        })
    }

    /// The relation that lets the viewer see the person's private data, or
    /// `None`: peers, reports, editors and admins have none.
    fn relation(org: &OrgView, v: &Viewer, target: &Person) -> Option<Relation> {
        if v.person_id() == Some(target.id) {
            return Some(Relation::Myself);
        }
        if let Some(me) = v.person_id() {
            // Up the chain from the target; bounded, in case of a cycle.
            let mut next = target.manager_id;
            for _ in 0..MAX_CHAIN {
                let Some(id) = next else { break };
                if id == me {
                    return Some(Relation::Manager);
                }
                next = org.person(id).and_then(|p| p.manager_id);
            }
        }
        v.roles().people_team.then_some(Relation::PeopleTeam)
    }

    /// The private view of a person (grade, start date, role history), for
    /// the person, their manager chain and the people team only. Audited.
    pub async fn private(&self, v: &Viewer, target: Id, now: i64) -> Result<Private, AppError> {
        let org = self.org(v).await?;
        if org.person(target).is_none() {
            return Err(AppError::NotFound);
        }
        self.private_of(v, org, target, now)
            .await?
            .ok_or(AppError::Forbidden)
    }

    /// A person's page: what everyone signed in may see, and the private
    /// view when the viewer may have it (audited as [`Access::private`]).
    pub async fn person_page(
        &self,
        v: &Viewer,
        target: Id,
        now: i64,
    ) -> Result<Option<(DirectoryEntry, Option<Private>)>, AppError> {
        let org = self.org(v).await?;
        let Some(entry) = org.person(target).map(DirectoryEntry::from) else {
            return Ok(None);
        };
        Ok(Some((entry, self.private_of(v, org, target, now).await?)))
    }

    async fn private_of(
        &self,
        v: &Viewer,
        org: Arc<OrgView>,
        target: Id,
        now: i64,
    ) -> Result<Option<Private>, AppError> {
        let Some(person) = org.person(target) else {
            return Ok(None);
        };
        let Some(relation) = Self::relation(&org, v, person) else {
            return Ok(None);
        };
        if relation != Relation::Myself {
            self.audit(
                v,
                "person.private.read",
                Some(target),
                &format!("{relation:?}"),
                now,
            )
            .await?;
        }
        Ok(Some(Private {
            person: person.clone(),
            relation,
            org,
        }))
    }

    /// People-team work: imports, exports, the audit log.
    pub fn people_team<'a>(&'a self, v: &'a Viewer) -> Result<PeopleTeam<'a>, AppError> {
        if !v.roles().people_team {
            return Err(AppError::Forbidden);
        }
        Ok(PeopleTeam {
            access: self,
            viewer: v,
        })
    }

    /// Account administration.
    pub fn admin<'a>(&'a self, v: &'a Viewer, auth: &'a Auth) -> Result<Admin<'a>, AppError> {
        if !v.roles().admin {
            return Err(AppError::Forbidden);
        }
        Ok(Admin {
            access: self,
            viewer: v,
            auth,
        })
    }

    /// Framework editing: reloading the content.
    pub fn editor<'a>(&'a self, v: &'a Viewer) -> Result<Editor<'a>, AppError> {
        if !(v.roles().editor || v.roles().admin) {
            return Err(AppError::Forbidden);
        }
        Ok(Editor {
            access: self,
            viewer: v,
        })
    }
}

/// One person's private data, already authorised and audited.
#[derive(Debug)]
pub struct Private {
    pub person: Person,
    pub relation: Relation,
    org: Arc<OrgView>,
}

impl Private {
    pub fn history(&self) -> &[RoleChange] {
        self.org
            .history
            .get(&self.person.id)
            .map_or(&[], Vec::as_slice)
    }
}

/// Checks a people file against the framework and everyone stored, and
/// applies it whole or not at all; role changes take effect on the day of
/// `now`. The one import path: the people team's capability and
/// `ladder people import` both call it, and each records who did it.
pub async fn apply_people_csv(
    store: &dyn Store,
    csv: &str,
    fw: &Framework,
    by: Option<Id>,
    now: i64,
    rec: &Record,
) -> Result<ImportOutcome, ladder_store::StoreError> {
    let existing: BTreeMap<String, PersonRecord> = store
        .list_people()
        .await?
        .into_iter()
        .map(|p| (p.record.email.clone(), p.record))
        .collect();
    match people_csv::parse(csv, fw, &existing) {
        Err(errors) => Ok(ImportOutcome::Refused(errors)),
        Ok(records) => {
            let today = Date::from_unix(now).to_string();
            Ok(ImportOutcome::Applied(
                store.apply_people(&records, &today, by, now, rec).await?,
            ))
        }
    }
}

/// What an import did, or every row problem.
#[derive(Debug)]
pub enum ImportOutcome {
    Applied(ImportSummary),
    Refused(Vec<RowError>),
}

#[derive(Debug)]
pub struct PeopleTeam<'a> {
    access: &'a Access,
    viewer: &'a Viewer,
}

impl PeopleTeam<'_> {
    /// Checks a people file against the framework and applies it whole,
    /// or nothing. Role changes take effect `today`.
    pub async fn import(
        &self,
        csv: &str,
        fw: &Framework,
        now: i64,
    ) -> Result<ImportOutcome, AppError> {
        let store = self.access.store.as_ref();
        let record = Access::record(self.viewer, "people.import", None, "", now);
        let by = Some(self.viewer.account.id);
        let outcome = apply_people_csv(store, csv, fw, by, now, &record).await?;
        if let ImportOutcome::Refused(errors) = &outcome {
            // Nothing was written: the refusal is only audited.
            let detail = format!("{} problem(s)", errors.len());
            self.access
                .audit(self.viewer, "people.import.refused", None, &detail, now)
                .await?;
        }
        Ok(outcome)
    }

    /// Every person as a people CSV. Audited: it holds everyone's data.
    /// Everyone's record as the people CSV, to be written a chunk at a
    /// time from the organisation kept in memory (recorded first, with
    /// how many people it holds).
    pub async fn export(
        &self,
        now: i64,
    ) -> Result<impl Iterator<Item = String> + Send + 'static + use<>, AppError> {
        let org = self.access.org(self.viewer).await?;
        self.access
            .audit(
                self.viewer,
                "people.export",
                None,
                &format!("{} people", org.people.len()),
                now,
            )
            .await?;
        Ok(std::iter::once(people_csv::export_header()).chain(
            crate::http::export_ranges(org.people.len()).map(move |r| {
                let mut out = String::new();
                people_csv::export_rows(
                    &mut out,
                    org.people
                        .get(r)
                        .unwrap_or_default()
                        .iter()
                        .map(|p| &p.record),
                );
                out
            }),
        ))
    }
}

#[derive(Debug)]
pub struct Admin<'a> {
    access: &'a Access,
    viewer: &'a Viewer,
    auth: &'a Auth,
}

impl Admin<'_> {
    pub async fn accounts(&self) -> Result<Vec<Account>, AppError> {
        Ok(self.access.store.list_accounts().await?)
    }

    pub async fn create_user(
        &self,
        email: &str,
        name: &str,
        password: &str,
        roles: Roles,
        now: i64,
    ) -> Result<Id, AppError> {
        let hash = if password.is_empty() {
            None
        } else {
            Some(crate::auth::hash_password(password).await?)
        };
        let record = Access::record(
            self.viewer,
            "account.create",
            None,
            &format!("{email} as {roles}"),
            now,
        );
        let id = self
            .auth
            .create_account(email, name, hash.as_deref(), roles, now, &record)
            .await?;
        Ok(id)
    }

    pub async fn set_roles(&self, account: Id, roles: Roles, now: i64) -> Result<(), AppError> {
        if account == self.viewer.account.id && !roles.admin {
            return Err(AppError::BadRequest(
                "roles: you cannot remove your own admin role; ask another admin".to_owned(),
            ));
        }
        let record = Access::record(
            self.viewer,
            "account.roles",
            None,
            &format!("account {account} → {roles}"),
            now,
        )
        .object(account)
        .data(serde_json::json!({ "roles": roles.encode() }));
        match self.access.store.set_roles(account, roles, &record).await {
            Err(ladder_store::StoreError::NotFound(_)) => Err(AppError::NotFound),
            other => Ok(other?),
        }
    }

    /// Deactivates (every session and token ends in the same transaction)
    /// or reactivates an account; never the admin's own deactivation.
    pub async fn set_active(&self, account: Id, active: bool, now: i64) -> Result<(), AppError> {
        if account == self.viewer.account.id && !active {
            return Err(AppError::BadRequest(
                "you cannot deactivate your own account; ask another admin".to_owned(),
            ));
        }
        let store = &self.access.store;
        let target = store.account(account).await?.ok_or(AppError::NotFound)?;
        let action = if active {
            "account.reactivate"
        } else {
            "account.deactivate"
        };
        let rec = Access::record(self.viewer, action, None, &target.email, now).object(account);
        match store.set_account_active(account, active, now, &rec).await {
            Err(ladder_store::StoreError::Refused(m)) => {
                Err(AppError::BadRequest(format!("{}: {m}", target.email)))
            }
            other => Ok(other?),
        }
    }
}

#[derive(Debug)]
pub struct Editor<'a> {
    access: &'a Access,
    viewer: &'a Viewer,
}

impl Editor<'_> {
    /// Records that the framework was reloaded, by whom, and the outcome.
    pub async fn record_reload(&self, outcome: &str, now: i64) -> Result<(), AppError> {
        self.access
            .audit(self.viewer, "framework.reload", None, outcome, now)
            .await
    }
}
